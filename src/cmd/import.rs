//! `recall import`: a shared deck into the learner's deck directory, and a JSON export's review
//! log into the database.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Read as _, Seek, Write as _};
use std::path::Path;
use std::sync::Arc;

use indicatif::ProgressBar;

use super::Loaded;
use crate::cli::ImportArgs;
use crate::deck::anki::{AnkiBorn, AnkiNoteType, AnkiOrigin, AnkiTables};
use crate::deck::{Card, Deck, Location, parse_deck, parse_deck_with_anki};
use crate::error::{Error, Problems};
use crate::export;
use crate::import::anki::media::Written;
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
    let read = rows.len();
    let horizon = crate::clock::Horizon::of(&ctx.clock);
    let (rows, held) = import::review_log::admitted(rows, &horizon);
    let mut store = ctx.store()?;
    store.ensure_whole()?;
    let entries = import::review_log::entries(&rows, |t| ctx.clock.study_day(t), store.algorithm());
    let cards: std::collections::HashSet<&str> = rows.iter().map(|r| r.card.as_str()).collect();
    let (merged, present) = store.merge(&entries)?;
    let mut report = format!(
        "Imported the review log {}: {read} reviews of {} cards; {merged} added, {present} already present.\n",
        args.path.display(),
        cards.len()
    );
    if held > 0 {
        let _ = writeln!(report, "{}.", horizon.held_back(held, "reviews"));
    }
    report.push_str("`recall evaluate` compares how SM-2 and FSRS predict it.\n");
    super::print(&report)
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
    /// The deck these cards go to.
    deck: Deck,
    /// Its file, `decks/ID.toml` (and parts after it).
    target: std::path::PathBuf,
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
    skips: Reasons,
    /// Cards the learner has whose text the import would change.
    changes: Vec<Change>,
    /// The notes of the deck's cards born in Anki (see [`crate::deck::anki`]), by card id,
    /// and their note types, kept as the file had them and updated by the import.
    origins: HashMap<CardId, AnkiOrigin>,
    note_types: BTreeMap<i64, Arc<AnkiNoteType>>,
}

/// A card the learner has whose question or answer the import would replace.
struct Change {
    id: CardId,
    old: String,
    new: String,
}

/// How much of a text a listed change shows.
const CHANGE_CHARS: usize = 60;

impl Change {
    fn new(old: &Card, new: &Card) -> Change {
        let short = |text: &str| {
            let text = text.replace('\n', " ");
            match text.char_indices().nth(CHANGE_CHARS) {
                Some((at, _)) => format!("{}…", &text[..at]),
                None => text,
            }
        };
        let (before, after) = if old.front == new.front {
            (short(&old.back), short(&new.back))
        } else {
            (short(&old.front), short(&new.front))
        };
        Change {
            id: new.id.clone(),
            old: before,
            new: after,
        }
    }
}

impl<'a> Merge<'a> {
    fn new(
        deck: Deck,
        target: std::path::PathBuf,
        loaded: &'a Loaded,
        cards: Vec<Card>,
        anki: AnkiTables,
    ) -> Result<Merge<'a>, Error> {
        Ok(Merge {
            deck,
            target,
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
            skips: Reasons::default(),
            changes: Vec::new(),
            origins: anki.origins,
            note_types: anki
                .note_types
                .into_iter()
                .map(|t| (t.id, Arc::new(t)))
                .collect(),
        })
    }

    /// Keeps the note of a card born in Anki; whether that changes what the file holds.
    fn keep_origin(&mut self, id: &CardId, born: Option<&AnkiBorn>) -> bool {
        let Some(born) = born else {
            return false;
        };
        let known = self.note_types.get(&born.note_type.id);
        let type_changed = known.is_none_or(|t| **t != *born.note_type);
        if type_changed {
            self.note_types
                .insert(born.note_type.id, born.note_type.clone());
        }
        let origin_changed = self.origins.get(id) != Some(&born.origin);
        if origin_changed {
            self.origins.insert(id.clone(), born.origin.clone());
        }
        type_changed || origin_changed
    }

    /// The `[card.anki]` table to write for `card`, if its note fits the note type the file
    /// holds now (a note type the import changed may no longer fit notes kept before).
    fn origin_of(&self, card: &CardId) -> Option<&AnkiOrigin> {
        let origin = self.origins.get(card)?;
        let note_type = self.note_types.get(&origin.notetype)?;
        (note_type.fields.len() == origin.fields.len()
            && (origin.ord as usize) < note_type.max_cards())
        .then_some(origin)
    }

    /// Takes the next card of the file.
    fn take(&mut self, incoming: &Incoming) -> Result<(), Error> {
        self.incoming += 1;
        let n = self.incoming;
        let card = to_card(incoming, &self.deck.id, &self.deck.location.path);
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
        let anki_changed = self.keep_origin(&card.id, incoming.anki.as_ref());
        match self.position.get(&card.id).map(|&i| &mut self.cards[i]) {
            None => {
                let toml = export::toml_card_with(&card, incoming.anki.as_ref().map(|b| &b.origin))
                    .map_err(spool_error)?;
                self.new_cards
                    .write_all(toml.as_bytes())
                    .map_err(spool_error)?;
                self.new_sizes.push(toml.len() as u64);
                self.added += 1;
            }
            // The same card, now with its Anki note (an import by an older recall kept none).
            Some(existing) if same(existing, &card) && anki_changed => self.updated += 1,
            Some(existing) if same(existing, &card) => self.unchanged += 1,
            Some(existing) => {
                if (&existing.front, &existing.back) != (&card.front, &card.back) {
                    self.changes.push(Change::new(existing, &card));
                }
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
    fn write(self) -> Result<usize, Error> {
        let origins: Vec<Option<AnkiOrigin>> = self
            .cards
            .iter()
            .map(|c| self.origin_of(&c.id).cloned())
            .collect();
        let target = self.target.as_path();
        let mut new_cards = self
            .new_cards
            .into_inner()
            .map_err(|e| spool_error(e.into_error()))?;
        new_cards.rewind().map_err(spool_error)?;
        let header = export::toml_header(Some(&self.deck)).map_err(|e| Error::io(target, e))?;
        // Every part ends with the deck's Anki note types, so that each loads on its own.
        let note_types = export::toml_note_types(self.note_types.values().map(AsRef::as_ref))
            .map_err(|e| Error::io(target, e))?;
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
            text.extend_from_slice(note_types.as_bytes());
            check_written(&path, &text)?;
            replacement.stage(&path, &text)?;
            part.clear();
            parts += 1;
            Ok::<(), Error>(())
        };
        let existing = self.cards.iter().zip(&origins).map(|(card, origin)| {
            export::toml_card_with(card, origin.as_ref())
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
            let size = header.len() + note_types.len() + part.len() + toml.len();
            if !part.is_empty() && size as u64 > PART_BYTES {
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

    fn skipped(&self) -> usize {
        self.unchanged + self.skips.count
    }
}

/// The report's first lines: the counts, where each deck went, and why cards were left out
/// (the file's own reasons first).
fn report(path: &Path, merges: &[Merge<'_>], file_skips: &Reasons) -> String {
    let sum = |count: fn(&Merge<'_>) -> usize| merges.iter().map(count).sum::<usize>();
    let skipped = file_skips.count + merges.iter().map(Merge::skipped).sum::<usize>();
    let mut report = format!(
        "Imported {}: {} added, {} updated, {} skipped",
        crate::display::inert(&path.display().to_string()),
        sum(|m| m.added),
        sum(|m| m.updated),
        skipped
    );
    match merges {
        [merge] if merge.changed() => {
            let _ = write!(
                report,
                "; deck `{}` in {}",
                merge.deck.id,
                crate::display::inert(&merge.target.display().to_string())
            );
        }
        [_, _, ..] => {
            let _ = write!(report, ", in {} decks", merges.len());
        }
        _ => {}
    }
    report.push_str(".\n");
    if merges.len() > 1 {
        for merge in merges {
            let _ = writeln!(
                report,
                "  deck `{}` ({}) in {}: {} added, {} updated, {} skipped",
                merge.deck.id,
                crate::display::inert(&merge.deck.name),
                crate::display::inert(&merge.target.display().to_string()),
                merge.added,
                merge.updated,
                merge.skipped()
            );
        }
    }
    let reasons = file_skips
        .shown
        .iter()
        .chain(merges.iter().flat_map(|m| &m.skips.shown));
    for reason in reasons.take(REASONS_SHOWN) {
        let _ = writeln!(report, "  skipped {reason}");
    }
    let listed = file_skips.count + merges.iter().map(|m| m.skips.count).sum::<usize>();
    if listed > REASONS_SHOWN {
        let _ = writeln!(report, "  … and {} more", listed - REASONS_SHOWN);
    }
    report
}

/// The end of a `--dry-run` report: the cards whose text would change, the history to merge.
fn dry_run_lines(merges: &[Merge<'_>], reviews: usize) -> String {
    let mut lines = String::new();
    let changes: usize = merges.iter().map(|m| m.changes.len()).sum();
    if changes > 0 {
        let _ = write!(
            lines,
            "These {changes} card(s) would get new text:\n{}",
            list_changes(merges)
        );
    }
    if reviews > 0 {
        let _ = writeln!(lines, "History: {reviews} review(s) to merge.");
    }
    lines.push_str("Dry run: nothing was written.\n");
    lines
}

/// The lines listing cards whose text would change: id, old → new.
fn list_changes(merges: &[Merge<'_>]) -> String {
    let mut list = String::new();
    let changes: Vec<&Change> = merges.iter().flat_map(|m| &m.changes).collect();
    for change in changes.iter().take(REASONS_SHOWN) {
        let _ = writeln!(
            list,
            "  {}: {} → {}",
            crate::display::inert(change.id.as_str()),
            crate::display::inert(&change.old),
            crate::display::inert(&change.new)
        );
    }
    if changes.len() > REASONS_SHOWN {
        let _ = writeln!(list, "  … and {} more", changes.len() - REASONS_SHOWN);
    }
    list
}

/// Whether the learner agrees to replace the text of the listed cards: asked on a terminal;
/// elsewhere an error that says to pass `--update`.
fn confirm_changes(merges: &[Merge<'_>]) -> Result<bool, Error> {
    use std::io::IsTerminal;
    let count: usize = merges.iter().map(|m| m.changes.len()).sum();
    let list = list_changes(merges);
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Error::Usage(format!(
            "this import would change the text of {count} card(s) you already have:\n{list}run it again with --update to replace them (or --dry-run to see the whole report)"
        )));
    }
    super::print(&format!(
        "This import would change the text of {count} card(s) you already have:\n{list}Replace them? [y/N] "
    ))?;
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::io("(standard input)", e))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Writes the media an import planned (see [`import::anki::media`]); the report's line.
fn write_media(
    path: &Path,
    media: &[import::Media],
    options: &import::anki::Options,
) -> Result<String, Error> {
    let plans: Vec<&import::anki::media::Plan> =
        media.iter().filter_map(|m| m.plan.as_ref()).collect();
    if let Some(dir) = &options.media_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let written = if plans.is_empty() {
        Written::default()
    } else {
        import::anki::media::write(path, &plans, &options.budget)?
    };
    Ok(media_report(media, options.media_dir.as_deref(), &written))
}

/// The media line of the report: how many images and sounds the cards refer to, and what
/// became of them in `--media DIR` (written, already there, renamed for a clash).
fn media_report(media: &[import::Media], dir: Option<&Path>, written: &Written) -> String {
    use crate::import::anki::media::Action;
    use crate::import::html::MediaKind;
    if media.is_empty() {
        return String::new();
    }
    let images = media.iter().filter(|m| m.kind == MediaKind::Image).count();
    let sounds = media.len() - images;
    let counted = format!("{images} image(s) and {sounds} sound(s)");
    let Some(dir) = dir else {
        return format!(
            "Media: {counted}, shown on the cards as [image: NAME] / [sound: NAME]; `--media DIR` writes the files.\n"
        );
    };
    let planned: Vec<&import::anki::media::Plan> =
        media.iter().filter_map(|m| m.plan.as_ref()).collect();
    let present = planned
        .iter()
        .filter(|p| p.action == Action::Present)
        .count();
    let mut line = format!(
        "Media: {counted}; {} written to {}",
        written.written,
        dir.display()
    );
    if present > 0 {
        let _ = write!(line, ", {present} already there with the same content");
    }
    let renamed: Vec<String> = media
        .iter()
        .filter_map(|m| {
            let plan = m.plan.as_ref().filter(|p| p.action == Action::Renamed)?;
            let to = plan.file.file_name()?.to_string_lossy();
            Some(format!(
                "{} → {}",
                crate::display::inert(&m.name),
                crate::display::inert(&to)
            ))
        })
        .collect();
    if !renamed.is_empty() {
        let _ = write!(
            line,
            "; {} renamed, since a different file has the name (the cards show the new names): {}",
            renamed.len(),
            renamed.join(", ")
        );
    }
    if written.appeared > 0 {
        let _ = write!(
            line,
            "; {} left alone, as a file of that name appeared during the import",
            written.appeared
        );
    }
    if planned.len() < media.len() {
        let _ = write!(
            line,
            " ({} missing from the package or with unsafe names, left out)",
            media.len() - planned.len()
        );
    }
    line.push_str(".\n");
    line
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
    if text.len() as u64 > crate::deck::MAX_DECK_BYTES {
        return Err(Error::Usage(format!(
            "the import would write {name} at {} bytes, over the {} MiB a deck file may hold, so nothing was changed; please report this with the file you imported",
            text.len(),
            crate::deck::MAX_DECK_BYTES / (1024 * 1024)
        )));
    }
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

/// The deck for cards the file puts in no deck of its own: named after the file.
fn file_deck_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "imported".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// The decks an import writes to, each with its merge, made when its first card comes.
struct Decks<'a> {
    ctx: &'a super::Context,
    loaded: &'a Loaded,
    path: &'a Path,
    merges: Vec<Merge<'a>>,
    /// Deck name → index in `merges`.
    by_name: HashMap<String, usize>,
}

impl<'a> Decks<'a> {
    /// The merge for deck `name` (an Anki deck's full name, or the file's), made on first use:
    /// deck id from the name, made unique among this import's decks.
    fn merge(&mut self, name: &str, from_anki: bool) -> Result<&mut Merge<'a>, Error> {
        if let Some(&i) = self.by_name.get(name) {
            return Ok(&mut self.merges[i]);
        }
        // A name with no ASCII letters or digits (`日本語`) has no slug: its id is a short hash
        // of it, the same on every import.
        let base = if name.chars().any(|c| c.is_ascii_alphanumeric()) {
            crate::ids::slug(name, 8)
        } else {
            format!("deck-{}", &blake3::hash(name.as_bytes()).to_hex()[..6])
        };
        let mut id = base.clone();
        for n in 2.. {
            if !self.merges.iter().any(|m| m.deck.id.0 == id) {
                break;
            }
            id = format!("{base}-{n}");
        }
        let target = self.ctx.deck_dir().join(format!("{id}.toml"));
        let description = if from_anki {
            format!(
                "Imported from the Anki deck \"{name}\" in {} by recall.",
                self.path.display()
            )
        } else {
            format!("Imported from {} by recall.", self.path.display())
        };
        // A recall deck keeps the name its author gave it; other files are named after the
        // file (the id still comes from the file's name).
        let (shown, description) = (!from_anki)
            .then(|| import::toml_deck_header(self.path))
            .flatten()
            .filter(|(shown, _)| !shown.trim().is_empty())
            .unwrap_or_else(|| (name.to_string(), description));
        let deck = Deck {
            id: DeckId(id),
            name: shown,
            description,
            location: Location {
                path: target.display().to_string(),
                line: 1,
                column: 1,
            },
        };
        // The deck as it is now, in its parts, if it was imported before.
        let mut cards: Vec<Card> = Vec::new();
        let mut anki = AnkiTables::default();
        for part in existing_parts(&target) {
            let name = part.display().to_string();
            let text = std::fs::read_to_string(&part).map_err(|e| Error::io(&part, e))?;
            let (file, tables) =
                parse_deck_with_anki(&name, &text).map_err(|p| Error::Problems(Problems(p)))?;
            cards.extend(file.cards);
            anki.origins.extend(tables.origins);
            for note_type in tables.note_types {
                if anki.note_type(note_type.id).is_none() {
                    anki.note_types.push(note_type);
                }
            }
        }
        let index = self.merges.len();
        self.merges
            .push(Merge::new(deck, target, self.loaded, cards, anki)?);
        self.by_name.insert(name.to_string(), index);
        Ok(&mut self.merges[index])
    }
}

pub fn run(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    if args.review_log {
        return review_log(ctx, args);
    }
    let stem = file_deck_name(&args.path);
    let loaded = ctx.loaded()?;
    let mut decks = Decks {
        ctx,
        loaded: &loaded,
        path: &args.path,
        merges: Vec::new(),
        by_name: HashMap::new(),
    };
    let mut file_skips = Reasons::default();
    let mut media = Vec::new();
    let mut history = Vec::new();
    let options = import::anki::Options {
        media_dir: args.media.clone().filter(|_| !args.dry_run),
        budget: std::sync::Arc::new(import::Budget::default()),
    };
    let mut bar: Option<ProgressBar> = None;
    let reviews = import::read_each_with(&args.path, &options, |entry, progress| {
        bar.get_or_insert_with(|| {
            if progress.in_bytes {
                crate::progress::bytes(progress.total, "importing")
            } else {
                crate::progress::bar(progress.total, "importing")
            }
        })
        .set_position(progress.done);
        match entry {
            Entry::Card(incoming) => {
                // What the card adds to the deck files counts against the import's budget.
                if !options.budget.spend(incoming.bytes() as u64) {
                    return Err(options.budget.spent(&args.path));
                }
                let (name, from_anki) = match &incoming.deck {
                    Some(deck) => (deck.clone(), true),
                    None => (stem.clone(), false),
                };
                decks.merge(&name, from_anki)?.take(&incoming)
            }
            Entry::Skipped(reason) => {
                file_skips.push(reason);
                Ok(())
            }
            Entry::Media(file) => {
                media.push(file);
                Ok(())
            }
            Entry::Review(row) => {
                history.push(row);
                Ok(())
            }
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let written = decks.merges;
    let mut report = report(&args.path, &written, &file_skips);
    let changes: usize = written.iter().map(|m| m.changes.len()).sum();
    if args.dry_run {
        report.push_str(&media_report(&media, None, &Written::default()));
        return super::print(&(report + &dry_run_lines(&written, history.len())));
    }
    if changes > 0 && !args.update && !confirm_changes(&written)? {
        return super::print("Nothing was written.\n");
    }
    // Media only now, every check passed, and before the decks: should the budget run out
    // here, what was written is taken back and the decks stay as they were.
    report.push_str(&write_media(&args.path, &media, &options)?);
    for merge in written {
        if !merge.changed() {
            continue;
        }
        let target = merge.target.clone();
        let parts = merge.write()?;
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
    if let Some(reviews) = reviews {
        report.push_str(&merge_reviews(ctx, reviews)?);
    }
    if !history.is_empty() {
        report.push_str(&merge_history(ctx, &history)?);
    }
    super::print(&report)
}

/// A recall JSON export's review log into the log (what the horizon admits); the report's
/// line.
fn merge_reviews(
    ctx: &super::Context,
    reviews: Vec<crate::store::LogEntry>,
) -> Result<String, Error> {
    let horizon = crate::clock::Horizon::of(&ctx.clock);
    let (reviews, held) = import::review_log::admitted_entries(reviews, &horizon);
    let mut store = ctx.store()?;
    store.ensure_whole()?;
    let (merged, present) = store.merge(&reviews)?;
    let mut line = format!("Reviews: {merged} merged, {present} already present.\n");
    if held > 0 {
        let _ = writeln!(line, "{}.", horizon.held_back(held, "reviews"));
    }
    Ok(line)
}

/// An Anki package's review history into the log (answers already there are left out), the
/// cards' schedules rebuilt from it; the report's line.
fn merge_history(
    ctx: &super::Context,
    history: &[import::review_log::Row],
) -> Result<String, Error> {
    let horizon = crate::clock::Horizon::of(&ctx.clock);
    let read = history.len();
    let (history, held) = import::review_log::admitted(history.to_vec(), &horizon);
    let history = &history[..];
    let mut store = ctx.store()?;
    let entries = import::review_log::entries_for(
        history,
        |t| ctx.clock.study_day(t),
        store.algorithm(),
        |card| CardId(card.to_string()),
    );
    let cards: std::collections::HashSet<&str> = history.iter().map(|r| r.card.as_str()).collect();
    let (added, present) = store.merge(&entries)?;
    let mut line = format!(
        "History: {read} review(s) of {} card(s); {added} added, {present} already present. Their schedules follow from it.\n",
        cards.len()
    );
    if held > 0 {
        let _ = writeln!(line, "{}.", horizon.held_back(held, "reviews"));
    }
    Ok(line)
}
