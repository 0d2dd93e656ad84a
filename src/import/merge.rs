//! An import's merge: the cards a file gives, matched one at a time against the deck files
//! they go to (one per deck the file names) and the cards already loaded, then each deck
//! written whole or not at all, in parts, every part checked with the loader first.
//! `recall import` drives it ([`crate::cmd`]) and prints what it reports.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Read as _, Seek, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cloze::ClozeMember;
use crate::deck::anki::{AnkiBorn, AnkiNoteType, AnkiOrigin, AnkiTables};
use crate::deck::{Card, Deck, Location, parse_deck, parse_deck_with_anki};
use crate::error::{Error, Problems};
use crate::export;
use crate::import::{self, Incoming};
use crate::types::{CardId, DeckId};

/// The cards already loaded, which an import must not take over: looked up by id.
pub trait Known {
    fn card(&self, id: &CardId) -> Result<Option<Card>, Error>;
}

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

/// Reasons for leaving cards out: how many, and the first few, to show.
#[derive(Default)]
pub struct Reasons {
    pub shown: Vec<String>,
    pub count: usize,
}

/// How many reasons the report lists.
const REASONS_SHOWN: usize = 20;

impl Reasons {
    pub fn push(&mut self, reason: String) {
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
pub struct Merge<'a> {
    /// The deck these cards go to.
    deck: Deck,
    /// Its file, `decks/ID.toml` (and parts after it).
    pub target: PathBuf,
    known: &'a dyn Known,
    /// The cards of the deck file as it is now (if this file was imported before), updated
    /// in place.
    cards: Vec<Card>,
    /// Where each of those sits, so matching stays linear.
    position: HashMap<CardId, usize>,
    /// New cards, which go after those, wait as TOML in a temporary file until the whole
    /// input has read without a problem: an import of 100,000 cards holds their ids, not
    /// their text.
    new_cards: BufWriter<File>,
    /// The length in bytes of each new card's TOML in `new_cards`, and for a card of a
    /// cloze, where it is in `held`.
    new_sizes: Vec<(u64, Option<usize>)>,
    /// The new cards made by a cloze, kept to tell whether the cloze is written whole, and
    /// where each is.
    held: Vec<Card>,
    held_at: HashMap<CardId, usize>,
    /// The incoming card ids, each with the number of the card that last had it.
    /// Each incoming id, with the number of the card that had it first and a hash of its
    /// question (to tell a collision of ids made from questions from a repeated card).
    seen: HashMap<String, (usize, u64)>,
    incoming: usize,
    added: usize,
    updated: usize,
    unchanged: usize,
    skips: Reasons,
    /// Cards the learner has whose text the import would change.
    pub changes: Vec<Change>,
    /// The notes of the deck's cards born in Anki (see [`crate::deck::anki`]), by card id,
    /// and their note types, kept as the file had them and updated by the import.
    origins: HashMap<CardId, AnkiOrigin>,
    note_types: BTreeMap<i64, Arc<AnkiNoteType>>,
    /// The clozes of the deck's cards, by card id, kept as the file had them and updated by
    /// the import: a cloze whose cards are all in the file as it makes them is written as
    /// one `cloze =` card. New cards of a cloze wait in `cards` (not spooled) for that.
    clozes: HashMap<CardId, ClozeMember>,
}

/// How a card of a deck file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Written<'a> {
    /// As its own `[[card]]`.
    Card,
    /// As the cloze that makes it and its siblings (at its first card).
    Cloze(&'a ClozeMember),
    /// Not at all: its cloze is written at the first card.
    InCloze,
}

/// How each of `cards` is written: a cloze whole, at its first card, when all of its cards
/// are there (`lookup` finds a card of the file by id), each still reading as the cloze makes
/// it and all with the same tags, level and source; otherwise every card on its own.
fn cloze_layout<'a, 'c>(
    cards: impl Iterator<Item = &'c Card>,
    lookup: impl Fn(&CardId) -> Option<&'c Card>,
    clozes: &'a HashMap<CardId, ClozeMember>,
) -> Vec<Written<'a>> {
    let mut whole: HashMap<&CardId, bool> = HashMap::new();
    cards
        .map(|card| {
            let Some(member) = clozes.get(&card.id) else {
                return Written::Card;
            };
            let note = &member.note;
            let first = &note.cards[0].0;
            let is_whole = *whole.entry(first).or_insert_with(|| {
                let lead = lookup(first);
                note.cards.iter().enumerate().all(|(i, (id, _, _))| {
                    let (Some(c), Some(lead)) = (lookup(id), lead) else {
                        return false;
                    };
                    note.has(i, &c.front, &c.back)
                        && clozes.get(id).is_some_and(|m| m.note == member.note)
                        && (&c.tags, c.level, &c.source) == (&lead.tags, lead.level, &lead.source)
                })
            });
            match (is_whole, member.index) {
                (false, _) => Written::Card,
                (true, 0) => Written::Cloze(member),
                (true, _) => Written::InCloze,
            }
        })
        .collect()
}

/// A card the learner has whose question or answer the import would replace.
pub struct Change {
    pub id: CardId,
    pub old: String,
    pub new: String,
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
        target: PathBuf,
        known: &'a dyn Known,
        cards: Vec<Card>,
        anki: AnkiTables,
    ) -> Result<Merge<'a>, Error> {
        Ok(Merge {
            deck,
            target,
            known,
            position: cards
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i))
                .collect(),
            cards,
            new_cards: BufWriter::new(tempfile::tempfile().map_err(spool_error)?),
            new_sizes: Vec::new(),
            held: Vec::new(),
            held_at: HashMap::new(),
            seen: HashMap::new(),
            incoming: 0,
            added: 0,
            updated: 0,
            unchanged: 0,
            skips: Reasons::default(),
            changes: Vec::new(),
            origins: anki.origins,
            clozes: anki.clozes,
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

    /// Keeps the cloze a card came from; whether that changes what the file holds. A card
    /// that comes on its own leaves its cloze as the file has it: new text for it takes it
    /// out of the cloze's layout (see [`cloze_layout`]), the same text changes nothing.
    fn keep_cloze(&mut self, id: &CardId, cloze: Option<&ClozeMember>) -> bool {
        cloze.is_some_and(|member| {
            self.clozes.insert(id.clone(), member.clone()).as_ref() != Some(member)
        })
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

    /// An id made from a card's question (the file gave none) that another question already
    /// has — in this file, this deck, or another loaded deck — is a collision of the id's short
    /// hash, not the same card: the card takes the long form of its id (see
    /// [`crate::ids::question_long`]) instead of being left out or replacing the other.
    fn collision_free(&self, incoming: &Incoming) -> Result<Option<String>, Error> {
        if incoming.id != crate::ids::question(&incoming.front) {
            return Ok(None);
        }
        let key = crate::ids::normalize(&incoming.front);
        let question = question_hash(&incoming.front);
        let other = |front: &str| crate::ids::normalize(front) != key;
        let taken = self
            .seen
            .get(&incoming.id)
            .is_some_and(|&(_, q)| q != question)
            || self
                .position
                .get(incoming.id.as_str())
                .is_some_and(|&i| other(&self.cards[i].front))
            || self
                .known
                .card(&CardId(incoming.id.clone()))?
                .is_some_and(|c| other(&c.front));
        Ok(taken.then(|| crate::ids::question_long(&incoming.front)))
    }

    /// Takes the next card of the file.
    pub fn take(&mut self, incoming: &Incoming) -> Result<(), Error> {
        let renamed;
        let incoming = match self.collision_free(incoming)? {
            Some(id) => {
                renamed = Incoming {
                    id,
                    ..incoming.clone()
                };
                &renamed
            }
            None => incoming,
        };
        self.incoming += 1;
        let n = self.incoming;
        let card = to_card(incoming, &self.deck.id, &self.deck.location.path);
        let question = question_hash(&incoming.front);
        if let Some(&(first, _)) = self.seen.get(&incoming.id) {
            self.skips
                .push(format!("card {n}: same id as card {first}"));
            return Ok(());
        }
        self.seen.insert(incoming.id.clone(), (n, question));
        // A card loaded from anywhere but this deck's own file (another deck, or another file
        // of a deck with the same id) stays as it is: two copies of one id would stop every
        // later command.
        if let Some(loaded) = self
            .known
            .card(&card.id)?
            .filter(|_| !self.position.contains_key(&card.id))
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
        let cloze_changed = self.keep_cloze(&card.id, incoming.cloze.as_ref());
        match self.position.get(&card.id).map(|&i| &mut self.cards[i]) {
            None => {
                let toml = export::toml_card_with(&card, incoming.anki.as_ref().map(|b| &b.origin))
                    .map_err(spool_error)?;
                self.new_cards
                    .write_all(toml.as_bytes())
                    .map_err(spool_error)?;
                // A cloze's card is also kept, to be written with its cloze.
                let held = incoming.cloze.is_some().then(|| {
                    self.held_at.insert(card.id.clone(), self.held.len());
                    self.held.push(card);
                    self.held.len() - 1
                });
                self.new_sizes.push((toml.len() as u64, held));
                self.added += 1;
            }
            // The same card, now with its Anki note (an import by an older recall kept none).
            Some(existing) if same(existing, &card) && (anki_changed || cloze_changed) => {
                self.updated += 1;
            }
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

    pub fn changed(&self) -> bool {
        self.added + self.updated > 0
    }

    /// Writes the deck as a whole or not at all: the cards it held, then the new ones, in
    /// parts of at most [`PART_BYTES`] (see [`part_path`]), replacing every part it had (see
    /// [`crate::fileset`]: a crash midway leaves the old parts or the new ones, never a mix).
    /// Each part is checked with the loader every command uses before anything is replaced,
    /// so an import can never write a deck that recall then refuses to load. Returns how many
    /// files the deck takes.
    pub fn write(self) -> Result<usize, Error> {
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
        let lookup = |id: &CardId| {
            self.position
                .get(id)
                .map(|&i| &self.cards[i])
                .or_else(|| self.held_at.get(id).map(|&i| &self.held[i]))
        };
        let layout = cloze_layout(self.cards.iter(), lookup, &self.clozes);
        let held_layout = cloze_layout(self.held.iter(), lookup, &self.clozes);
        let existing = self
            .cards
            .iter()
            .zip(&origins)
            .zip(&layout)
            .filter(|(_, written)| **written != Written::InCloze)
            .map(|((card, origin), written)| {
                match written {
                    Written::Cloze(member) => export::toml_cloze(&member.note, card),
                    _ => export::toml_card_with(card, origin.as_ref()),
                }
                .map(String::into_bytes)
                .map_err(|e| Error::io(target, e))
            });
        let spooled = self.new_sizes.iter().map(|&(size, held)| {
            let mut toml = Vec::new();
            (&mut new_cards)
                .take(size)
                .read_to_end(&mut toml)
                .map_err(spool_error)?;
            Ok(match held.map(|i| (&self.held[i], &held_layout[i])) {
                Some((card, Written::Cloze(member))) => export::toml_cloze(&member.note, card)
                    .map_err(|e| Error::io(target, e))?
                    .into_bytes(),
                Some((_, Written::InCloze)) => Vec::new(),
                _ => toml,
            })
        });
        for toml in existing.chain(spooled) {
            let toml = toml?;
            if toml.is_empty() {
                continue;
            }
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
pub fn report(path: &Path, merges: &[Merge<'_>], file_skips: &Reasons) -> String {
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
pub fn dry_run_lines(merges: &[Merge<'_>], reviews: usize) -> String {
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
pub fn list_changes(merges: &[Merge<'_>]) -> String {
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

/// The most one deck file written by an import holds: far under what a deck file may be
/// ([`crate::deck::MAX_DECK_BYTES`]), so that a large import still loads, and small enough
/// that parsing one file at a time stays within a few tens of MB. TOML's parser, with the
/// spans that located errors need, takes about 50 times a file's size (heaptrack: 51 MB for
/// a 1 MiB part), and the import ends by parsing every new part again to bring the catalog up
/// to date: for a 100,000-line text file the import then peaked at 59 MB with 512 KiB parts,
/// 50 MB with 256 KiB (91 files).
pub const PART_BYTES: u64 = 256 * 1024;

/// The file of part `index` (from 0) of the deck imported to `target` (`decks/ID.toml`):
/// `ID.toml`, then `ID~002.toml`, `ID~003.toml`, … — names that sort in part order, after
/// the first, and that no other imported deck can take (deck ids have no `~`).
pub fn part_path(target: &Path, index: usize) -> PathBuf {
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
fn existing_parts(target: &Path) -> Vec<PathBuf> {
    // Stops at the first part that does not exist.
    (0..usize::MAX)
        .map(|index| part_path(target, index))
        .take_while(|path| path.is_file())
        .collect()
}

/// A short hash of a question as ids read it (case and spacing aside).
fn question_hash(front: &str) -> u64 {
    let hash = blake3::hash(crate::ids::normalize(front).as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or_default())
}

/// Whether a deck id from a file can name a deck file: letters, digits, `-`, `_` and `.`, not
/// first, at most 64 (no `/` to leave the deck directory, no `~` of a deck's parts).
fn deck_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The deck for cards the file puts in no deck of its own: named after the file.
pub fn file_deck_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "imported".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// The decks an import writes to, each with its merge, made when its first card comes.
struct Decks<'a> {
    /// Where imported decks go (`decks/` beside the database).
    deck_dir: PathBuf,
    known: &'a dyn Known,
    /// The file imported.
    path: &'a Path,
    merges: Vec<Merge<'a>>,
    /// Deck name → index in `merges`.
    by_name: HashMap<String, usize>,
}

impl<'a> Decks<'a> {
    /// The merge for deck `name` (an Anki deck's full name, or the file's), made on first use:
    /// deck id from the name, made unique among this import's decks.
    fn merge(&mut self, incoming: &Incoming, stem: &str) -> Result<&mut Merge<'a>, Error> {
        // The deck the file gives the card: by recall deck id where it says one (recall's own
        // formats, and the `recall::deck::` tag of its Anki exports), else by deck name (an
        // Anki deck), else the file's own.
        let given_id = incoming.deck_id.as_deref().filter(|id| deck_id_ok(id));
        let name = incoming.deck.as_deref().or(given_id).unwrap_or(stem);
        // A bundled deck goes to Anki under recall's parent deck; back home it is itself.
        let parent = format!("{}::", export::ANKI_PARENT);
        let name = match given_id {
            Some(_) => name.strip_prefix(&parent).unwrap_or(name),
            None => name,
        };
        let from_anki = incoming.deck.is_some() && incoming.deck_id.is_none();
        let key = match given_id {
            Some(id) => format!("id:{id}"),
            None => format!("name:{name}"),
        };
        if let Some(&i) = self.by_name.get(&key) {
            return Ok(&mut self.merges[i]);
        }
        // A name with no ASCII letters or digits (`日本語`) has no slug: its id is a short hash
        // of it, the same on every import.
        let base = match given_id {
            Some(id) => id.to_string(),
            None if name.chars().any(|c| c.is_ascii_alphanumeric()) => crate::ids::slug(name, 8),
            None => format!("deck-{}", &blake3::hash(name.as_bytes()).to_hex()[..6]),
        };
        let mut id = base.clone();
        for n in 2.. {
            if !self.merges.iter().any(|m| m.deck.id.0 == id) {
                break;
            }
            id = format!("{base}-{n}");
        }
        let target = self.deck_dir.join(format!("{id}.toml"));
        let description = if from_anki {
            format!(
                "Imported from the Anki deck \"{name}\" in {} by recall.",
                self.path.display()
            )
        } else {
            format!("Imported from {} by recall.", self.path.display())
        };
        // A recall deck keeps the name (and a TOML deck the description) its author gave it;
        // other files are named after the file.
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
            anki.clozes.extend(tables.clozes);
            for note_type in tables.note_types {
                if anki.note_type(note_type.id).is_none() {
                    anki.note_types.push(note_type);
                }
            }
        }
        let index = self.merges.len();
        self.merges
            .push(Merge::new(deck, target, self.known, cards, anki)?);
        self.by_name.insert(key, index);
        Ok(&mut self.merges[index])
    }
}

/// What a file gives, read and matched against the decks it goes to; nothing written yet.
pub struct Read<'a> {
    /// One merge per deck the cards go to.
    pub merges: Vec<Merge<'a>>,
    /// The file's own reasons for leaving notes or rows out.
    pub skips: Reasons,
    /// The media the cards show (with where each goes, under `--media DIR`).
    pub media: Vec<import::Media>,
    /// An Anki package's review history.
    pub history: Vec<import::review_log::Row>,
    /// A recall JSON export's review log.
    pub reviews: Option<Vec<crate::store::LogEntry>>,
    /// Cards the file has suspended (Anki's), that the import took.
    pub suspended: Vec<Suspension>,
}

/// A card suspended in the file: recall's id, Anki's card id, and when Anki last changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    pub card: CardId,
    pub anki_card: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Reads the file at `path` and matches each card against its deck in `deck_dir` and the
/// `known` cards, within the import's budget; `progress` hears how far the read has got.
pub fn read<'a>(
    path: &'a Path,
    options: &import::anki::Options,
    deck_dir: PathBuf,
    known: &'a dyn Known,
    mut progress: impl FnMut(import::Progress),
) -> Result<Read<'a>, Error> {
    let stem = file_deck_name(path);
    let mut decks = Decks {
        deck_dir,
        known,
        path,
        merges: Vec::new(),
        by_name: HashMap::new(),
    };
    let mut skips = Reasons::default();
    let mut media = Vec::new();
    let mut history = Vec::new();
    let mut suspended = Vec::new();
    let reviews = import::read_each_with(path, options, |entry, at| {
        progress(at);
        match entry {
            import::Entry::Card(incoming) => {
                // What the card adds to the deck files counts against the import's budget.
                if !options.budget.spend(incoming.bytes() as u64) {
                    return Err(options.budget.spent(path));
                }
                decks.merge(&incoming, &stem)?.take(&incoming)
            }
            import::Entry::Skipped(reason) => {
                skips.push(reason);
                Ok(())
            }
            import::Entry::Media(file) => {
                media.push(file);
                Ok(())
            }
            import::Entry::Review(row) => {
                history.push(row);
                Ok(())
            }
            import::Entry::Suspended {
                card,
                anki_card,
                at,
            } => {
                suspended.push(Suspension {
                    card: CardId(card),
                    anki_card,
                    at,
                });
                Ok(())
            }
        }
    })?;
    // Only cards the import took: not one it left out.
    suspended.retain(|s| {
        decks
            .merges
            .iter()
            .any(|m| m.seen.contains_key(s.card.as_str()))
    });
    Ok(Read {
        merges: decks.merges,
        skips,
        media,
        history,
        reviews,
        suspended,
    })
}

/// Writes each deck the import changed (see [`Merge::write`]); the report's lines for decks
/// that took several files.
pub fn write_decks(merges: Vec<Merge<'_>>) -> Result<String, Error> {
    let mut report = String::new();
    for merge in merges {
        if !merge.changed() {
            continue;
        }
        let target = merge.target.clone();
        let parts = merge.write()?;
        if parts > 1 {
            let _ = writeln!(
                report,
                "  The deck is large: written as {parts} files, {} to {}, each at most {} KiB.",
                target.display(),
                part_path(&target, parts - 1).display(),
                PART_BYTES / 1024
            );
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The learner's cards, by id.
    struct Have(Vec<Card>);

    impl Known for Have {
        fn card(&self, id: &CardId) -> Result<Option<Card>, Error> {
            Ok(self.0.iter().find(|c| c.id == *id).cloned())
        }
    }

    fn incoming(id: &str, front: &str, back: &str) -> Incoming {
        Incoming {
            id: id.into(),
            front: front.into(),
            back: back.into(),
            tags: Vec::new(),
            level: None,
            source: None,
            deck: None,
            deck_id: None,
            anki: None,
            cloze: None,
        }
    }

    fn card_in(deck: &str, id: &str, front: &str, back: &str) -> Card {
        to_card(&incoming(id, front, back), &DeckId(deck.into()), "x.toml")
    }

    /// Reads `text` as `name` into `dir`'s decks, against `have`.
    fn read_text<'a>(dir: &Path, name: &str, text: &str, have: &'a Have) -> (Read<'a>, PathBuf) {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        // Leaked so the read may borrow it for the test's length.
        let path: &'a Path = Box::leak(path.into_boxed_path());
        let read = super::read(
            path,
            &import::anki::Options::default(),
            dir.join("decks"),
            have,
            |_| {},
        )
        .unwrap();
        (read, dir.join("decks"))
    }

    #[test]
    fn a_card_of_another_deck_is_kept_and_a_repeated_id_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let have = Have(vec![card_in("mine", "q1", "Q1?", "Mine.")]);
        let csv = "front,back,deck,tags,id\nQ1?,Theirs.,d,,q1\nQ2?,A2.,d,,q2\nQ2 again?,A.,d,,q2\n";
        let (read, _) = read_text(dir.path(), "shared.csv", csv, &have);
        let merge = &read.merges[0];
        assert_eq!((merge.added, merge.updated, merge.skipped()), (1, 0, 2));
        let said = report(Path::new("shared.csv"), &read.merges, &read.skips);
        assert!(
            said.contains("id `q1` belongs to deck `mine` with different text; kept that one")
                && said.contains("card 3: same id as card 2"),
            "{said}"
        );
    }

    /// The `[[card]]` tables of a written deck file: `(id, cloze)` (cloze empty for a card).
    fn tables(path: &Path) -> Vec<(String, String)> {
        let file: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        file["card"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                (text("id"), text("cloze"))
            })
            .collect()
    }

    #[test]
    fn a_cloze_is_written_whole_until_one_of_its_cards_is_given_other_text() {
        let dir = tempfile::tempdir().unwrap();
        let have = Have(Vec::new());
        let text = "Ports: HTTP {{80}}, HTTPS {{443}}";
        let csv = format!("front,back,id,cloze\n,,ports,\"{text}\"\nQ?,A.,q,\n");
        let (read, decks) = read_text(dir.path(), "s.csv", &csv, &have);
        assert_eq!(read.merges[0].added, 3);
        write_decks(read.merges).unwrap();
        let path = decks.join("s.toml");
        assert_eq!(
            tables(&path),
            [
                ("ports".to_string(), text.to_string()),
                ("q".to_string(), String::new())
            ]
        );

        // The same cloze again: nothing to write.
        let (again, _) = read_text(dir.path(), "s.csv", &csv, &have);
        assert!(!again.merges[0].changed());

        // One of its cards with other text, on its own: the cloze no longer makes it, so its
        // cards are written one by one, the edited one as it now reads.
        let edited = "front,back,id\n\"Ports: HTTP 80, HTTPS [...]\",443 (TLS),ports-443\n";
        let (read, _) = read_text(dir.path(), "s.csv", edited, &have);
        assert_eq!(read.merges[0].updated, 1);
        write_decks(read.merges).unwrap();
        assert_eq!(
            tables(&path),
            [
                ("ports-80".to_string(), String::new()),
                ("ports-443".to_string(), String::new()),
                ("q".to_string(), String::new())
            ]
        );
        let loaded = crate::deck::load_sources(&[(
            "s.toml".into(),
            std::fs::read_to_string(&path).unwrap(),
        )])
        .unwrap();
        let backs: Vec<&str> = loaded.cards.iter().map(|c| c.back.as_str()).collect();
        assert_eq!(backs, ["80", "443 (TLS)", "A."]);
    }

    #[test]
    fn importing_again_changes_nothing_and_new_text_is_listed_as_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let have = Have(Vec::new());
        let csv = "front,back\nQ1?,A1.\nQ2?,A2.\n";
        let (read, decks) = read_text(dir.path(), "s.csv", csv, &have);
        write_decks(read.merges).unwrap();
        let written = std::fs::read_to_string(decks.join("s.toml")).unwrap();
        assert!(written.contains("A1.") && written.contains("A2."));

        let (again, _) = read_text(dir.path(), "s.csv", csv, &have);
        assert!(!again.merges[0].changed());
        assert_eq!(again.merges[0].unchanged, 2);

        // Same question (so the same id), a new answer: a change to list, not a new card.
        let (edited, _) = read_text(dir.path(), "s.csv", "front,back\nQ1?,A1 revised.\n", &have);
        let changes = list_changes(&edited.merges);
        assert!(changes.contains("A1. → A1 revised."), "{changes}");
        assert_eq!((edited.merges[0].added, edited.merges[0].updated), (0, 1));
    }

    #[test]
    fn a_large_deck_is_written_in_parts_that_each_load() {
        let dir = tempfile::tempdir().unwrap();
        let have = Have(Vec::new());
        let answer = "y".repeat(100_000);
        let mut csv = String::from("front,back\n");
        for i in 0..50 {
            csv.push_str(&format!("Question {i}?,{answer}\n"));
        }
        let (read, decks) = read_text(dir.path(), "big.csv", &csv, &have);
        let said = write_decks(read.merges).unwrap();
        // 5 MB of cards in parts of at most PART_BYTES (and a card's length over it), each
        // but the last too full to take another card.
        let parts = existing_parts(&decks.join("big.toml")).len();
        assert!(
            parts as u64 >= (5_000_000_u64).div_ceil(PART_BYTES),
            "{parts}"
        );
        assert!(
            said.contains(&format!("written as {parts} files")),
            "{said}"
        );
        for index in 0..parts {
            let part = part_path(&decks.join("big.toml"), index);
            let text = std::fs::read_to_string(&part).unwrap();
            assert!(text.len() as u64 <= PART_BYTES + 200_000);
            if index + 1 < parts {
                assert!(
                    text.len() as u64 + 100_000 > PART_BYTES,
                    "part {index} has room"
                );
            }
            parse_deck(&part.display().to_string(), &text).unwrap();
        }
    }

    #[test]
    fn a_deck_id_from_a_file_must_be_able_to_name_a_deck_file() {
        for ok in ["go-interview", "a_b.c", "X9", &"d".repeat(64)] {
            assert!(deck_id_ok(ok), "{ok}");
        }
        for bad in [
            "",
            ".hidden",
            "../up",
            "a/b",
            "a~2",
            "a b",
            "é",
            &"d".repeat(65),
        ] {
            assert!(!deck_id_ok(bad), "{bad}");
        }
    }

    /// Two questions whose ids made from the question collide (24 bits of hash).
    fn colliding_questions() -> (String, String) {
        let question = |k: usize| format!("How does the replica catch up after {k} writes?");
        let mut first = HashMap::new();
        (0..)
            .find_map(|k| {
                first
                    .insert(crate::ids::question(&question(k)), k)
                    .map(|j| (question(j), question(k)))
            })
            .unwrap()
    }

    fn derived(front: &str) -> Incoming {
        incoming(&crate::ids::question(front), front, "A.")
    }

    /// A collision of ids made from questions — in the file, in the deck file, or with a card
    /// loaded from elsewhere — gives the later card the long id; a repeated card, an id the
    /// file gave, and a card whose question is the same are not collisions.
    #[test]
    fn a_collision_of_question_ids_takes_the_long_id_wherever_the_other_is() {
        let (a, b) = colliding_questions();
        assert_ne!(question_hash(&a), question_hash(&b));
        assert_eq!(question_hash(&a), question_hash(&a.to_uppercase()));
        let dir = tempfile::tempdir().unwrap();
        let nobody = Have(Vec::new());
        let deck = Deck {
            id: DeckId("d".into()),
            name: "D".into(),
            description: String::new(),
            location: Location {
                path: "d.toml".into(),
                line: 1,
                column: 1,
            },
        };
        let new_merge = |known: &'static dyn Known, cards: Vec<Card>| {
            Merge::new(
                deck.clone(),
                dir.path().join("d.toml"),
                known,
                cards,
                AnkiTables::default(),
            )
            .unwrap()
        };
        let nobody: &'static Have = Box::leak(Box::new(nobody));
        // In the file.
        let mut merge = new_merge(nobody, Vec::new());
        merge.take(&derived(&a)).unwrap();
        assert_eq!(
            merge.collision_free(&derived(&b)).unwrap(),
            Some(crate::ids::question_long(&b))
        );
        assert_eq!(merge.collision_free(&derived(&a)).unwrap(), None);
        let given = incoming(&crate::ids::question(&a), &b, "A.");
        assert_eq!(
            merge
                .collision_free(&Incoming {
                    id: "given".into(),
                    ..given
                })
                .unwrap(),
            None
        );
        merge.take(&derived(&b)).unwrap();
        assert_eq!((merge.added, merge.skipped()), (2, 0));
        // In the deck file as it is.
        let existing = card_in("d", &crate::ids::question(&a), &a, "A.");
        let merge = new_merge(nobody, vec![existing.clone()]);
        assert!(merge.collision_free(&derived(&b)).unwrap().is_some());
        assert!(merge.collision_free(&derived(&a)).unwrap().is_none());
        // Loaded from elsewhere.
        let elsewhere: &'static Have = Box::leak(Box::new(Have(vec![card_in(
            "other",
            &crate::ids::question(&a),
            &a,
            "A.",
        )])));
        let merge = new_merge(elsewhere, Vec::new());
        assert!(merge.collision_free(&derived(&b)).unwrap().is_some());
        assert!(merge.collision_free(&derived(&a)).unwrap().is_none());
    }

    #[test]
    fn a_deck_file_over_the_loaders_limit_is_never_written() {
        let text = vec![b'#'; crate::deck::MAX_DECK_BYTES as usize + 1];
        let error = check_written(Path::new("d.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("over the 32 MiB a deck file may hold"),
            "{error}"
        );
        let error = check_written(Path::new("d.toml"), b"[deck]\nid = 1\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not load"), "{error}");
    }
}
