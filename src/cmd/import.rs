//! `recall import`: a shared deck into the learner's deck directory, and a JSON export's review
//! log into the database.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Read as _, Seek, Write as _};
use std::path::Path;

use indicatif::ProgressBar;

use super::Loaded;
use crate::cli::ImportArgs;
use crate::deck::{Card, Deck, Location, parse_deck};
use crate::error::{Error, Problems};
use crate::export;
use crate::import::{self, Entry, Incoming};
use crate::types::{CardId, DeckId};

fn to_card(incoming: &Incoming, deck: &DeckId, path: &str) -> Card {
    Card {
        id: CardId(incoming.id.clone()),
        deck: deck.clone(),
        front: incoming.front.clone(),
        back: incoming.back.clone(),
        tags: incoming.tags.clone(),
        level: incoming.level,
        source: incoming.source.clone(),
        location: Location {
            path: path.to_string(),
            line: 1,
            column: 1,
        },
    }
}

fn same(a: &Card, b: &Card) -> bool {
    (&a.front, &a.back, &a.tags, a.level) == (&b.front, &b.back, &b.tags, b.level)
}

/// Whether two cards ask and answer the same: tags, their order and the level aside.
fn same_text(a: &Card, b: &Card) -> bool {
    (&a.front, &a.back) == (&b.front, &b.back)
}

/// `--review-log`: a foreign history into the log, merged by id, then the schedule rebuilt.
fn review_log(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    let size = std::fs::metadata(&args.path)
        .map_err(|e| Error::io(&args.path, e))?
        .len();
    if size > import::MAX_TEXT_BYTES {
        return Err(Error::Usage(format!(
            "{}: {size} bytes, over the limit of {}",
            args.path.display(),
            import::MAX_TEXT_BYTES
        )));
    }
    let text = std::fs::read_to_string(&args.path).map_err(|e| Error::io(&args.path, e))?;
    let rows = import::review_log::read(&args.path, &text)?;
    let mut store = ctx.store()?;
    store.ensure_whole()?;
    let entries = import::review_log::entries(&rows, |t| ctx.clock.study_day(t), store.algorithm());
    let cards: std::collections::HashSet<&str> = rows.iter().map(|r| r.card.as_str()).collect();
    let (merged, present) = store.merge(&entries)?;
    super::print(&format!(
        "Imported the review log {}: {} reviews of {} cards; {merged} added, {present} already present.\n\
         `recall evaluate` compares how SM-2 and FSRS predict it.\n",
        args.path.display(),
        rows.len(),
        cards.len()
    ))
}

/// Reasons for leaving cards out: how many, and the first few, to show.
#[derive(Default)]
struct Reasons {
    shown: Vec<String>,
    count: usize,
}

/// How many reasons the report lists.
const REASONS_SHOWN: usize = 20;

impl Reasons {
    fn push(&mut self, reason: String) {
        if self.shown.len() < REASONS_SHOWN {
            self.shown.push(reason);
        }
        self.count += 1;
    }
}

fn spool_error(e: std::io::Error) -> Error {
    Error::io(std::env::temp_dir(), e)
}

/// Incoming cards matched, one at a time, against the deck file they go to and the loaded
/// cards.
struct Merge<'a> {
    /// The deck the file's cards go to.
    deck: &'a Deck,
    loaded: &'a Loaded,
    /// The cards of the deck file as it is now (if this file was imported before), updated
    /// in place.
    cards: Vec<Card>,
    /// Where each of those sits, so matching stays linear.
    position: HashMap<CardId, usize>,
    /// New cards, which go after those, wait as TOML in a temporary file until the whole
    /// input has read without a problem: an import of 100,000 cards holds their ids, not
    /// their text.
    new_cards: BufWriter<File>,
    /// The length in bytes of each new card's TOML in `new_cards`.
    new_sizes: Vec<u64>,
    /// The incoming card ids, each with the number of the card that last had it.
    seen: HashMap<String, usize>,
    incoming: usize,
    added: usize,
    updated: usize,
    unchanged: usize,
    /// The file's own reasons for leaving notes out, listed first, then the import's.
    file_skips: Reasons,
    skips: Reasons,
}

impl<'a> Merge<'a> {
    fn new(deck: &'a Deck, loaded: &'a Loaded, cards: Vec<Card>) -> Result<Merge<'a>, Error> {
        Ok(Merge {
            deck,
            loaded,
            position: cards
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i))
                .collect(),
            cards,
            new_cards: BufWriter::new(tempfile::tempfile().map_err(spool_error)?),
            new_sizes: Vec::new(),
            seen: HashMap::new(),
            incoming: 0,
            added: 0,
            updated: 0,
            unchanged: 0,
            file_skips: Reasons::default(),
            skips: Reasons::default(),
        })
    }

    /// Takes the next entry of the file.
    fn take(&mut self, entry: Entry) -> Result<(), Error> {
        let incoming = match entry {
            Entry::Card(incoming) => incoming,
            Entry::Skipped(reason) => {
                self.file_skips.push(reason);
                return Ok(());
            }
        };
        self.incoming += 1;
        let n = self.incoming;
        let card = to_card(&incoming, &self.deck.id, &self.deck.location.path);
        if let Some(first) = self.seen.insert(incoming.id.clone(), n) {
            self.skips
                .push(format!("card {n}: same id as card {first}"));
            return Ok(());
        }
        if let Some(loaded) = self
            .loaded
            .get(&card.id)?
            .filter(|c| c.deck != self.deck.id)
        {
            // Only a different question or answer is worth a line: tags in another order or
            // a level the file did not carry are the same card.
            if same_text(&loaded, &card) {
                self.unchanged += 1;
            } else {
                self.skips.push(format!(
                    "card {n}: id `{}` belongs to deck `{}` with different text; kept that one",
                    crate::display::inert(&incoming.id),
                    loaded.deck
                ));
            }
            return Ok(());
        }
        match self.position.get(&card.id).map(|&i| &mut self.cards[i]) {
            None => {
                let toml = export::toml_card(&card).map_err(spool_error)?;
                self.new_cards
                    .write_all(toml.as_bytes())
                    .map_err(spool_error)?;
                self.new_sizes.push(toml.len() as u64);
                self.added += 1;
            }
            Some(existing) if same(existing, &card) => self.unchanged += 1,
            Some(existing) => {
                *existing = card;
                self.updated += 1;
            }
        }
        Ok(())
    }

    fn changed(&self) -> bool {
        self.added + self.updated > 0
    }

    /// Writes the deck as a whole or not at all: the cards it held, then the new ones, in
    /// parts of at most [`PART_BYTES`] (see [`part_path`]), replacing every part it had (see
    /// [`crate::fileset`]: a crash midway leaves the old parts or the new ones, never a mix).
    /// Each part is checked with the loader every command uses before anything is replaced,
    /// so an import can never write a deck that recall then refuses to load. Returns how many
    /// files the deck takes.
    fn write(self, target: &Path) -> Result<usize, Error> {
        let mut new_cards = self
            .new_cards
            .into_inner()
            .map_err(|e| spool_error(e.into_error()))?;
        new_cards.rewind().map_err(spool_error)?;
        let header = export::toml_header(Some(self.deck)).map_err(|e| Error::io(target, e))?;
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut replacement = crate::fileset::Replacement::begin(dir, &self.deck.id.0)?;
        let mut parts = 0;
        let mut part: Vec<u8> = Vec::new();
        let mut flush = |part: &mut Vec<u8>| {
            let path = part_path(target, parts);
            let mut text = header.clone().into_bytes();
            text.extend_from_slice(part);
            check_written(&path, &text)?;
            replacement.stage(&path, &text)?;
            part.clear();
            parts += 1;
            Ok::<(), Error>(())
        };
        let existing = self.cards.iter().map(|card| {
            export::toml_card(card)
                .map(String::into_bytes)
                .map_err(|e| Error::io(target, e))
        });
        let spooled = self.new_sizes.iter().map(|&size| {
            let mut toml = Vec::new();
            (&mut new_cards)
                .take(size)
                .read_to_end(&mut toml)
                .map(|_| toml)
                .map_err(spool_error)
        });
        for toml in existing.chain(spooled) {
            let toml = toml?;
            if !part.is_empty() && (header.len() + part.len() + toml.len()) as u64 > PART_BYTES {
                flush(&mut part)?;
            }
            part.extend_from_slice(&toml);
        }
        flush(&mut part)?;
        for stale in existing_parts(target).into_iter().skip(parts) {
            replacement.remove(&stale);
        }
        replacement.commit()?;
        Ok(parts)
    }

    /// The report's first lines: the counts, where the deck went, and why cards were left
    /// out.
    fn report(&self, path: &Path, target: &Path) -> String {
        let skipped = self.file_skips.count + self.skips.count;
        let mut report = format!(
            "Imported {}: {} added, {} updated, {} skipped",
            path.display(),
            self.added,
            self.updated,
            self.unchanged + skipped
        );
        if self.changed() {
            let _ = write!(report, "; deck `{}` in {}", self.deck.id, target.display());
        }
        report.push_str(".\n");
        let reasons = self.file_skips.shown.iter().chain(&self.skips.shown);
        for reason in reasons.take(REASONS_SHOWN) {
            let _ = writeln!(report, "  skipped {reason}");
        }
        if skipped > REASONS_SHOWN {
            let _ = writeln!(report, "  … and {} more", skipped - REASONS_SHOWN);
        }
        report
    }
}

/// The most one deck file written by an import holds: far under what a deck file may be
/// ([`crate::deck::MAX_DECK_BYTES`]), so that a large import still loads, and small enough
/// that parsing one file at a time stays within a few tens of MB (an 8 MiB file takes
/// ~100 MB to parse; 2 MiB, ~30 MB).
const PART_BYTES: u64 = 2 * 1024 * 1024;

/// The file of part `index` (from 0) of the deck imported to `target` (`decks/ID.toml`):
/// `ID.toml`, then `ID~002.toml`, `ID~003.toml`, … — names that sort in part order, after
/// the first, and that no other imported deck can take (deck ids have no `~`).
fn part_path(target: &Path, index: usize) -> std::path::PathBuf {
    if index == 0 {
        return target.to_path_buf();
    }
    let stem = target
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    target.with_file_name(format!("{stem}~{:03}.toml", index + 1))
}

/// Refuses a deck file recall would not load, before it is written: the same parser every
/// command loads decks with.
fn check_written(path: &Path, text: &[u8]) -> Result<(), Error> {
    let name = path.display().to_string();
    let problems = match std::str::from_utf8(text) {
        Ok(text) => parse_deck(&name, text).err(),
        Err(e) => Some(vec![crate::error::Problem {
            path: name.clone(),
            line: 1,
            column: 1,
            message: format!("not valid UTF-8: {e}"),
            hint: None,
        }]),
    };
    match problems {
        None => Ok(()),
        Some(problems) => Err(Error::Usage(format!(
            "the import would write a deck that does not load, so nothing was changed: {}; \
             please report this with the file you imported",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The parts of the deck imported to `target` that exist now, in order.
fn existing_parts(target: &Path) -> Vec<std::path::PathBuf> {
    // Stops at the first part that does not exist.
    (0..usize::MAX)
        .map(|index| part_path(target, index))
        .take_while(|path| path.is_file())
        .collect()
}

pub fn run(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    if args.review_log {
        return review_log(ctx, args);
    }
    let stem = args.path.file_stem().map_or_else(
        || "imported".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let deck_id = DeckId(crate::ids::slug(&stem, 8));
    let target = ctx.deck_dir().join(format!("{}.toml", deck_id.0));
    let target_name = target.display().to_string();
    // A recall deck keeps the name its author gave it; other files are named after the file.
    let (name, description) = import::toml_deck_header(&args.path)
        .filter(|(name, _)| !name.trim().is_empty())
        .unwrap_or_else(|| {
            (
                stem,
                format!("Imported from {} by recall.", args.path.display()),
            )
        });
    let deck = Deck {
        id: deck_id,
        name,
        description,
        location: Location {
            path: target_name.clone(),
            line: 1,
            column: 1,
        },
    };
    // The deck as it is now, in its parts, if this file was imported before.
    let mut cards: Vec<Card> = Vec::new();
    for part in existing_parts(&target) {
        let name = part.display().to_string();
        let text = std::fs::read_to_string(&part).map_err(|e| Error::io(&part, e))?;
        cards.extend(
            parse_deck(&name, &text)
                .map_err(|p| Error::Problems(Problems(p)))?
                .cards,
        );
    }
    let loaded = ctx.loaded()?;
    let mut merge = Merge::new(&deck, &loaded, cards)?;
    let mut bar: Option<ProgressBar> = None;
    let reviews = import::read_each(&args.path, |entry, progress| {
        bar.get_or_insert_with(|| {
            if progress.in_bytes {
                crate::progress::bytes(progress.total, "importing")
            } else {
                crate::progress::bar(progress.total, "importing")
            }
        })
        .set_position(progress.done);
        merge.take(entry)
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut report = merge.report(&args.path, &target);
    if merge.changed() {
        let parts = merge.write(&target)?;
        if parts > 1 {
            let _ = writeln!(
                report,
                "  The deck is large: written as {parts} files, {} to {}, each at most {} MiB.",
                target.display(),
                part_path(&target, parts - 1).display(),
                PART_BYTES / (1024 * 1024)
            );
        }
    }
    if let Some(reviews) = &reviews {
        let mut store = ctx.store()?;
        store.ensure_whole()?;
        let (merged, present) = store.merge(reviews)?;
        let _ = writeln!(
            report,
            "Reviews: {merged} merged, {present} already present."
        );
    }
    super::print(&report)
}
