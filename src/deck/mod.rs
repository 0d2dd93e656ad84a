//! Decks: the TOML model, validation with located errors, and the set of cards loaded from the
//! bundled decks plus the learner's own (`--decks`, `RECALL_DECKS`).

pub mod add;
pub mod anki;
mod parse;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Problems};
use crate::types::{CardId, DeckId, Level};

pub use parse::{parse_deck, parse_deck_with_anki};

/// Deck files embedded in the binary at build time: `(path, text)`, sorted by path.
pub mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// Deck files larger than this are refused before parsing: a deck is text written by people,
/// and a bound keeps a hostile file from exhausting memory.
pub const MAX_DECK_BYTES: u64 = 32 * 1024 * 1024;

/// Where something was read from: a file (or bundled name) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// The guide section a card with this `source` came from (the source without its
/// `(file:line)` part), or `fallback` when it names none.
pub fn section_or<'a>(source: Option<&'a str>, fallback: &'a str) -> &'a str {
    source.map_or(fallback, |s| {
        s.rsplit_once(" (").map_or(s, |(path, _)| path)
    })
}

/// One question-and-answer card.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Card {
    pub id: CardId,
    pub deck: DeckId,
    pub front: String,
    pub back: String,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    /// Where in the guide the card came from, e.g. "Backend Engineer's Responsibilities >
    /// Technical Responsibilities (guide line 12)".
    pub source: Option<String>,
    /// Where the card was defined.
    pub location: Location,
}

impl Card {
    /// The guide section a card came from (its source without the `(file:line)` part), or
    /// `fallback` (say, its deck's name) when it names none.
    pub fn section_or<'a>(&'a self, fallback: &'a str) -> &'a str {
        section_or(self.source.as_deref(), fallback)
    }
}

/// The problem with loading `card` when a card with the same id but other content was loaded
/// first, at `first`.
fn conflict(card: &Card, first: &Location) -> Problem {
    Problem {
        path: card.location.path.clone(),
        line: card.location.line,
        column: card.location.column,
        message: format!(
            "duplicate card id `{}`: already defined at {first} with different content",
            card.id
        ),
        hint: Some("give one of the two cards a new id, or make both copies identical".into()),
    }
}

/// The problem with `override = true` on `card` when no earlier deck loaded its id.
fn nothing_to_override(card: &Card) -> Problem {
    Problem {
        path: card.location.path.clone(),
        line: card.location.line,
        column: card.location.column,
        message: format!(
            "`override = true` on card `{}`, but no card with that id is loaded before this file: nothing to override",
            card.id
        ),
        hint: Some(
            "an override replaces a bundled card (or one of a deck loaded earlier): use that card's id as `recall cards` shows it, or remove `override = true`".into(),
        ),
    }
}

/// The problem with a second, different override of one card.
fn overridden_twice(card: &Card, first: &Location) -> Problem {
    Problem {
        path: card.location.path.clone(),
        line: card.location.line,
        column: card.location.column,
        message: format!(
            "card `{}` is overridden twice: already overridden at {first} with different content",
            card.id
        ),
        hint: Some("keep one of the two overrides (or make them identical)".into()),
    }
}

/// Where a card was first seen: its content's fingerprint and place.
#[derive(Debug, Clone, Copy)]
struct Seen {
    fingerprint: u128,
    file: usize,
    line: usize,
    column: usize,
}

/// How a card met in load order relates to the cards met before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meeting {
    /// The first card with its id.
    First,
    /// An identical copy of the card held (or of the card an override replaced).
    Copy,
    /// An override that replaces the card held.
    Replaces,
}

/// The rules of ids across deck files, one card at a time in load order, remembering only
/// fingerprints: a card under a new id is held; an identical copy is not; a different card
/// under a held id is a conflict, unless it says `override = true`, when it replaces the held
/// card (once: a second, different override is a problem, and an override with nothing to
/// replace is one too). Shared by [`Library`] and [`FirstCopies`].
#[derive(Debug, Default)]
struct IdRules {
    /// Id → the card held now.
    seen: HashMap<CardId, Seen>,
    /// Id → the card an override replaced, for the ids overridden so far.
    replaced: HashMap<CardId, Seen>,
    files: Vec<String>,
}

impl IdRules {
    /// Starts the next file in load order.
    fn start(&mut self, file: &DeckFile) -> usize {
        self.files.push(file.deck.location.path.clone());
        self.files.len() - 1
    }

    fn location(&self, seen: Seen) -> Location {
        Location {
            path: self.files[seen.file].clone(),
            line: seen.line,
            column: seen.column,
        }
    }

    /// Meets `card` of file `number` (`overrides`: it says `override = true`); `None` when
    /// it is a problem (pushed to `problems`) and is not held.
    fn meet(
        &mut self,
        card: &Card,
        number: usize,
        overrides: bool,
        problems: &mut Vec<Problem>,
    ) -> Option<Meeting> {
        let now = Seen {
            fingerprint: fingerprint(card),
            file: number,
            line: card.location.line,
            column: card.location.column,
        };
        let Some(&held) = self.seen.get(&card.id) else {
            if overrides {
                problems.push(nothing_to_override(card));
                return None;
            }
            self.seen.insert(card.id.clone(), now);
            return Some(Meeting::First);
        };
        let original = self.replaced.get(&card.id).copied();
        if held.fingerprint == now.fingerprint
            || original.is_some_and(|o| o.fingerprint == now.fingerprint)
        {
            return Some(Meeting::Copy);
        }
        match (overrides, original) {
            (true, None) => {
                self.replaced.insert(card.id.clone(), held);
                self.seen.insert(card.id.clone(), now);
                Some(Meeting::Replaces)
            }
            (true, Some(_)) => {
                problems.push(overridden_twice(card, &self.location(held)));
                None
            }
            (false, _) => {
                problems.push(conflict(card, &self.location(held)));
                None
            }
        }
    }
}

/// Which cards of deck files met one at a time, in load order, a library would hold — the
/// first copy of each id, or the override that replaced it — remembering only a fingerprint
/// of each card, so that checking 100,000 cards never holds them all.
#[derive(Debug, Default)]
pub struct FirstCopies {
    rules: IdRules,
    /// Ids whose held card an override of the last file marked replaced.
    displaced: Vec<CardId>,
}

impl FirstCopies {
    /// Marks each card of the next file: `true` for a card the library holds (a first copy,
    /// or an override), `false` for an identical copy of a card met before; a different card
    /// under a known id (unless it overrides it) is a problem. The ids of the cards the
    /// file's overrides replaced are then in [`FirstCopies::displaced`].
    pub fn mark(&mut self, file: &DeckFile, problems: &mut Vec<Problem>) -> Vec<bool> {
        let number = self.rules.start(file);
        let overrides = file.override_set();
        self.displaced.clear();
        file.cards
            .iter()
            .map(|card| {
                let meeting = self
                    .rules
                    .meet(card, number, overrides.contains(&card.id), problems);
                if meeting == Some(Meeting::Replaces) {
                    self.displaced.push(card.id.clone());
                }
                matches!(meeting, Some(Meeting::First | Meeting::Replaces))
            })
            .collect()
    }

    /// The ids of the cards, held before the last file marked, that its overrides replaced:
    /// the library no longer holds those earlier copies.
    pub fn displaced(&self) -> &[CardId] {
        &self.displaced
    }
}

/// A hash of a card's content (not its location or deck): two cards with the same id and the
/// same fingerprint are one card loaded twice (a shared copy of a bundled deck, say).
fn fingerprint(card: &Card) -> u128 {
    let mut hasher = blake3::Hasher::new();
    for part in [card.front.as_str(), card.back.as_str()] {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    for tag in &card.tags {
        hasher.update(tag.as_bytes());
        hasher.update(&[1]);
    }
    hasher.update(&[0]);
    hasher.update(card.level.map_or("", Level::as_str).as_bytes());
    hasher.update(&[0]);
    match &card.source {
        Some(source) => hasher.update(&[1]).update(source.as_bytes()),
        None => hasher.update(&[2]),
    };
    let bytes: [u8; 16] = hasher.finalize().as_bytes()[..16]
        .try_into()
        .expect("a 32-byte hash has 16 bytes");
    u128::from_le_bytes(bytes)
}

/// A deck's header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deck {
    pub id: DeckId,
    pub name: String,
    pub description: String,
    pub location: Location,
}

/// A parsed deck file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeckFile {
    pub deck: Deck,
    pub cards: Vec<Card>,
    /// The ids of its cards that say `override = true`: each replaces the card with its id
    /// loaded from an earlier deck (a bundled card, say), keeping that id's history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<CardId>,
}

impl DeckFile {
    fn override_set(&self) -> std::collections::HashSet<&CardId> {
        self.overrides.iter().collect()
    }
}

/// Every loaded card, in deck order (bundled decks by file name, then user decks in the order
/// given), with duplicates that are exact copies counted once. An override takes its place in
/// deck order in its own file, as the catalog numbers it.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub decks: Vec<Deck>,
    pub cards: Vec<Card>,
    index: HashMap<CardId, usize>,
}

impl Library {
    /// Adds a deck file's cards. A card id already loaded with different content is a problem
    /// naming both locations, unless the card overrides it (then it replaces that card); one
    /// loaded with identical content is skipped.
    fn add(&mut self, file: DeckFile, rules: &mut IdRules, problems: &mut Vec<Problem>) {
        let number = rules.start(&file);
        let overrides = file.override_set();
        let mut replaced = false;
        let mut held = Vec::new();
        for card in &file.cards {
            let meeting = rules.meet(card, number, overrides.contains(&card.id), problems);
            replaced |= meeting == Some(Meeting::Replaces);
            held.push(matches!(meeting, Some(Meeting::First | Meeting::Replaces)));
        }
        if replaced {
            // Rare (a learner's rewrites), so the earlier copies are taken out and the index
            // rebuilt rather than kept in a structure that removes cheaply.
            let ids: std::collections::HashSet<&CardId> = file
                .cards
                .iter()
                .zip(&held)
                .filter(|(_, held)| **held)
                .map(|(card, _)| &card.id)
                .collect();
            self.cards.retain(|c| !ids.contains(&c.id));
            self.index = self
                .cards
                .iter()
                .enumerate()
                .map(|(i, card)| (card.id.clone(), i))
                .collect();
        }
        if !self.decks.iter().any(|d| d.id == file.deck.id) {
            self.decks.push(file.deck);
        }
        for (card, held) in file.cards.into_iter().zip(held) {
            if held {
                self.index.insert(card.id.clone(), self.cards.len());
                self.cards.push(card);
            }
        }
    }

    /// A library of cards already checked together (read back from the catalog).
    pub fn from_parts(decks: Vec<Deck>, cards: Vec<Card>) -> Library {
        let index = cards
            .iter()
            .enumerate()
            .map(|(i, card)| (card.id.clone(), i))
            .collect();
        Library {
            decks,
            cards,
            index,
        }
    }

    pub fn get(&self, id: &CardId) -> Option<&Card> {
        self.index.get(id).map(|&i| &self.cards[i])
    }

    /// Position of a card in deck order (for "new cards in deck order").
    pub fn position(&self, id: &CardId) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn deck(&self, id: &DeckId) -> Option<&Deck> {
        self.decks.iter().find(|d| &d.id == id)
    }
}

/// The sources that load, in order, and one located line per problem of those that do not:
/// a file that cannot be read or parsed, or that gives an id already loaded other content
/// (the later file is left out). For the daily commands, which run on the decks that load.
pub fn loadable(sources: &[Source]) -> (Vec<Source>, Vec<String>) {
    let mut firsts = FirstCopies::default();
    let mut kept = Vec::new();
    let mut problems = Vec::new();
    for source in sources {
        let text = match source.read() {
            Ok(text) => text,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        match source.parse(&text) {
            Ok(file) => {
                let mut found = Vec::new();
                firsts.mark(&file, &mut found);
                if found.is_empty() {
                    kept.push(source.clone());
                } else {
                    problems.extend(found.iter().map(ToString::to_string));
                }
            }
            Err(found) => problems.extend(found.iter().map(ToString::to_string)),
        }
    }
    (kept, problems)
}

/// Loads the bundled decks and then each user path (a `.toml` file or a directory of them,
/// read in file-name order). All problems across all files are reported together.
pub fn load(user_paths: &[PathBuf]) -> Result<Library, Error> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for source in sources(user_paths)? {
        let text = source.read()?;
        match source.parse(&text) {
            Ok(file) => files.push(file),
            Err(found) => problems.extend(found),
        }
    }
    assemble(files, problems)
}

/// Merges parsed deck files, in load order, into a library; any problem fails the whole load.
pub fn assemble(files: Vec<DeckFile>, mut problems: Vec<Problem>) -> Result<Library, Error> {
    let mut library = Library::default();
    let mut rules = IdRules::default();
    for file in files {
        library.add(file, &mut rules, &mut problems);
    }
    if problems.is_empty() {
        Ok(library)
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

/// One deck file to load, with a stamp that tells whether it changed without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// As messages name it: the file's path, or `(bundled) decks/NAME.toml`.
    pub name: String,
    /// For a file: its size, modification and change times (ns), inode and device. Any edit,
    /// replacement or `touch` changes one of them. A file modified within two seconds of being
    /// stamped could still change in the same clock tick, so its stamp ends in `racy` and is
    /// never taken as unchanged (the next run reads it again: Git's "racily clean" rule). For
    /// a bundled deck: the hash of its text.
    pub stamp: String,
    origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Bundled(&'static str),
    File(PathBuf),
    /// Text not yet written to its file (`recall add` checks a deck before writing it).
    Memory(String),
}

impl Source {
    /// The deck's text: read (size-checked, UTF-8-checked) for a file, embedded for a bundled
    /// deck.
    pub fn read(&self) -> Result<String, Error> {
        match &self.origin {
            Origin::Bundled(text) => Ok((*text).to_string()),
            Origin::File(path) => read_deck_file(path),
            Origin::Memory(text) => Ok(text.clone()),
        }
    }

    /// A deck file's text before it is written, named `name` (its path) in messages.
    pub fn in_memory(name: &str, text: String) -> Source {
        Source {
            name: name.to_string(),
            stamp: format!("memory {}", blake3::hash(text.as_bytes()).to_hex()),
            origin: Origin::Memory(text),
        }
    }

    /// Parses this source's text.
    pub fn parse(&self, text: &str) -> Result<DeckFile, Vec<Problem>> {
        parse_deck(&self.name, text)
    }

    /// A hash of the name and text: equal hashes mean the same parse.
    pub fn content_hash(&self, text: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.name.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.finalize().to_hex().to_string()
    }
}

/// Whether a source stamped `stored` earlier is unchanged now: the same stamp, and not one
/// taken too soon after a write to be trusted.
pub fn unchanged(stored: &str, source: &Source) -> bool {
    stored == source.stamp && !stored.ends_with(" racy")
}

/// The bundled decks, then every user deck file, in load order, stamped but not read. A file
/// named twice (the decks beside the database also given to `--decks`, say, or one directory
/// spelt two ways) is loaded once, where it is first named.
//
// Loaded twice, every card of the second copy was an identical copy of the first, so the
// cards were the same; but the catalog, keyed by file name, then found each file at two
// places and rewrote itself on every `rebuild` (2.6–3.5 s at 100,000 cards, against 0.8 s).
/// Calls `each` with the Anki tables and clozes (see [`anki::AnkiTables`]) of every deck file
/// of the learner's under `paths` (the bundled decks have none) that names one of `keys`, or
/// why a file could not be read or parsed: what exports and `sync --anki` read besides the
/// cards, which the catalog does not keep.
pub fn own_tables(
    paths: &[PathBuf],
    keys: &[&str],
    mut each: impl FnMut(Result<anki::AnkiTables, Error>) -> Result<(), Error>,
) -> Result<(), Error> {
    for source in sources(paths)? {
        if source.name.starts_with("(bundled)") {
            continue;
        }
        let text = match source.read() {
            Ok(text) => text,
            Err(e) => {
                each(Err(e))?;
                continue;
            }
        };
        // Most deck files have none of these tables: a look for the keys spares parsing them.
        if !keys.iter().any(|key| text.contains(key)) {
            continue;
        }
        each(
            parse_deck_with_anki(&source.name, &text)
                .map(|(_, tables)| tables)
                .map_err(|problems| Error::Problems(Problems(problems))),
        )?;
    }
    Ok(())
}

/// The clozes of the deck files under `paths`, by cloze id: the ids of the cards each makes,
/// in deletion order — what the cards 1, 2, 3… of the Anki Cloze note recall exports for it
/// (GUID `recall:ID`) are. A file that does not parse gives none (the commands that need all
/// cards say so); the first cloze of an id counts.
pub fn cloze_card_ids(paths: &[PathBuf]) -> Result<HashMap<String, Vec<CardId>>, Error> {
    let mut clozes: HashMap<String, Vec<CardId>> = HashMap::new();
    own_tables(paths, &["cloze"], |tables| {
        for member in tables.map(|t| t.clozes).unwrap_or_default().into_values() {
            clozes
                .entry(member.note.id.clone())
                .or_insert_with(|| member.note.cards.iter().map(|c| c.0.clone()).collect());
        }
        Ok(())
    })?;
    Ok(clozes)
}

pub fn sources(user_paths: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut sources: Vec<Source> = bundled::DECKS
        .iter()
        .map(|(path, text)| Source {
            name: format!("(bundled) {path}"),
            stamp: format!("bundled {}", blake3::hash(text.as_bytes()).to_hex()),
            origin: Origin::Bundled(text),
        })
        .collect();
    let mut named = std::collections::HashSet::new();
    for path in user_paths {
        for file in deck_files(path)? {
            if !named.insert(std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone())) {
                continue;
            }
            let metadata = std::fs::metadata(&file).map_err(|e| Error::io(&file, e))?;
            sources.push(Source {
                name: file.display().to_string(),
                stamp: stamp(&metadata, std::time::SystemTime::now()),
                origin: Origin::File(file),
            });
        }
    }
    Ok(sources)
}

fn stamp(metadata: &std::fs::Metadata, now: std::time::SystemTime) -> String {
    use std::os::unix::fs::MetadataExt;
    let racy = metadata
        .modified()
        .ok()
        .and_then(|modified| now.duration_since(modified).ok())
        .is_none_or(|age| age < std::time::Duration::from_secs(2));
    format!(
        "{} {}.{:09} {}.{:09} {} {}{}",
        metadata.len(),
        metadata.mtime(),
        metadata.mtime_nsec(),
        metadata.ctime(),
        metadata.ctime_nsec(),
        metadata.ino(),
        metadata.dev(),
        if racy { " racy" } else { "" }
    )
}

/// Parses and merges `(path, text)` pairs in order.
pub fn load_sources(sources: &[(String, String)]) -> Result<Library, Error> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (path, text) in sources {
        match parse_deck(path, text) {
            Ok(file) => files.push(file),
            Err(found) => problems.extend(found),
        }
    }
    assemble(files, problems)
}

/// The deck files a user path names: the file itself, or a directory's `.toml` files in
/// file-name order.
fn deck_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        Error::Usage(format!(
            "deck path {}: {e}; pass a .toml deck file or a directory of them to --decks",
            path.display()
        ))
    })?;
    if !metadata.is_dir() {
        regular_file(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// `path`'s metadata, once it is known to be a regular file (after symlinks): a FIFO would
/// hang a read and a device such as `/dev/zero` never ends, so both are refused up front.
pub fn regular_file(path: &Path) -> Result<std::fs::Metadata, Error> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        return Ok(metadata);
    }
    let what = if metadata.is_dir() {
        "a directory"
    } else {
        "not a regular file (a FIFO, a socket or a device)"
    };
    Err(Error::Usage(format!(
        "{} is {what}; name a regular file",
        crate::display::inert(&path.display().to_string())
    )))
}

/// Reads at most `limit` bytes of `file`, and says whether there was more: a file that grows
/// while it is read can never make recall hold more than `limit`.
pub fn read_capped(file: &Path, limit: u64) -> Result<(Vec<u8>, bool), Error> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(file, e))?;
    let over = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    Ok((bytes, over))
}

fn read_deck_file(file: &Path) -> Result<String, Error> {
    let mut size = regular_file(file)?.len();
    let (bytes, over) = read_capped(file, MAX_DECK_BYTES)?;
    if over {
        size = size.max(MAX_DECK_BYTES + 1);
    }
    if size > MAX_DECK_BYTES {
        return Err(Error::Problems(Problems(vec![Problem {
            path: file.display().to_string(),
            line: 1,
            column: 1,
            message: format!("deck file is {size} bytes, over the limit of {MAX_DECK_BYTES}"),
            hint: Some("split it into several deck files".into()),
        }])));
    }
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::error::line_column(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        Error::Problems(Problems(vec![Problem {
            path: file.display().to_string(),
            line,
            column,
            message: "deck file is not valid UTF-8".into(),
            hint: Some("save the file as UTF-8".into()),
        }]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck(id: &str, cards: &str) -> String {
        format!("[deck]\nid = \"{id}\"\nname = \"N\"\ndescription = \"D\"\n{cards}")
    }

    const CARD_A: &str = "[[card]]\nid = \"a\"\nfront = \"Q\"\nback = \"A\"\n";

    #[test]
    fn an_identical_card_loaded_twice_counts_once() {
        let sources = vec![
            ("one.toml".to_string(), deck("d", CARD_A)),
            ("two.toml".to_string(), deck("d", CARD_A)),
        ];
        let library = load_sources(&sources).unwrap();
        assert_eq!(library.cards.len(), 1);
        assert_eq!(library.decks.len(), 1);
    }

    #[test]
    fn the_same_id_with_different_content_names_both_locations() {
        let other = "[[card]]\nid = \"a\"\nfront = \"Q\"\nback = \"B\"\n";
        let sources = vec![
            ("one.toml".to_string(), deck("d", CARD_A)),
            ("two.toml".to_string(), deck("e", other)),
        ];
        let Err(Error::Problems(problems)) = load_sources(&sources) else {
            panic!("expected a deck error");
        };
        assert_eq!(
            problems.to_string(),
            "two.toml:5:1: duplicate card id `a`: already defined at one.toml:5:1 with different content (give one of the two cards a new id, or make both copies identical)"
        );
    }

    #[test]
    fn first_copies_one_file_at_a_time_agree_with_the_library() {
        let other = "[[card]]\nid = \"a\"\nfront = \"Q\"\nback = \"B\"\n";
        let sources = vec![
            ("one.toml".to_string(), deck("d", CARD_A)),
            ("two.toml".to_string(), deck("d", CARD_A)),
            ("three.toml".to_string(), deck("e", other)),
        ];
        let mut firsts = FirstCopies::default();
        let mut problems = Vec::new();
        let marks: Vec<Vec<bool>> = sources
            .iter()
            .map(|(path, text)| firsts.mark(&parse_deck(path, text).unwrap(), &mut problems))
            .collect();
        assert_eq!(marks, [vec![true], vec![false], vec![false]]);
        let Err(Error::Problems(expected)) = load_sources(&sources) else {
            panic!("expected a deck error");
        };
        assert_eq!(Problems(problems).to_string(), expected.to_string());
    }

    const OVERRIDE_A: &str =
        "[[card]]\nid = \"a\"\noverride = true\nfront = \"Q, mine\"\nback = \"A\"\n";

    fn problems_of(sources: &[(String, String)]) -> String {
        match load_sources(sources) {
            Err(Error::Problems(problems)) => problems.to_string(),
            other => panic!("expected a deck error, got {other:?}"),
        }
    }

    #[test]
    fn an_override_replaces_the_earlier_card_and_takes_its_place_in_its_own_deck() {
        let sources = vec![
            ("bundled.toml".to_string(), deck("d", CARD_A)),
            ("mine.toml".to_string(), deck("mine", OVERRIDE_A)),
        ];
        let library = load_sources(&sources).unwrap();
        let card = library.get(&CardId("a".into())).unwrap();
        assert_eq!(card.front, "Q, mine");
        assert_eq!(card.deck, DeckId("mine".into()));
        assert_eq!(card.location.path, "mine.toml");
        assert_eq!(library.cards.len(), 1);
        // The checker one file at a time agrees: both held, no problem.
        let mut firsts = FirstCopies::default();
        let mut problems = Vec::new();
        for (path, text) in &sources {
            firsts.mark(&parse_deck(path, text).unwrap(), &mut problems);
        }
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(firsts.displaced(), [CardId("a".into())]);
    }

    #[test]
    fn an_override_with_nothing_to_override_is_a_located_problem() {
        let sources = vec![("mine.toml".to_string(), deck("mine", OVERRIDE_A))];
        assert_eq!(
            problems_of(&sources),
            "mine.toml:5:1: `override = true` on card `a`, but no card with that id is loaded before this file: nothing to override (an override replaces a bundled card (or one of a deck loaded earlier): use that card's id as `recall cards` shows it, or remove `override = true`)"
        );
    }

    #[test]
    fn two_different_overrides_of_one_card_are_a_problem_and_identical_ones_count_once() {
        let other = OVERRIDE_A.replace("Q, mine", "Q, theirs");
        let sources = vec![
            ("bundled.toml".to_string(), deck("d", CARD_A)),
            ("mine.toml".to_string(), deck("mine", OVERRIDE_A)),
            ("theirs.toml".to_string(), deck("theirs", &other)),
        ];
        assert_eq!(
            problems_of(&sources),
            "theirs.toml:5:1: card `a` is overridden twice: already overridden at mine.toml:5:1 with different content (keep one of the two overrides (or make them identical))"
        );
        let copies = vec![
            ("bundled.toml".to_string(), deck("d", CARD_A)),
            ("mine.toml".to_string(), deck("mine", OVERRIDE_A)),
            ("copy.toml".to_string(), deck("mine", OVERRIDE_A)),
            // A second copy of the bundled deck, loaded after the override, is the same card.
            ("bundled-copy.toml".to_string(), deck("d", CARD_A)),
        ];
        let library = load_sources(&copies).unwrap();
        assert_eq!(library.cards.len(), 1);
        assert_eq!(library.cards[0].front, "Q, mine");
    }

    #[test]
    fn an_override_in_a_compiled_deck_is_refused() {
        let text = format!(
            "{} from guide/x.md; edit the guide, not this file.\n\n{}",
            crate::guide::emit::GENERATED_MARK,
            deck("d", OVERRIDE_A)
        );
        let problems = parse_deck("decks/x.toml", &text).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "decks/x.toml:9:12: card 1 says `override = true` in a deck generated by `recall compile` (an override belongs in a deck of your own (`recall edit ID` writes one); change the guide to change a compiled card)"
        );
    }

    #[test]
    fn without_override_a_different_card_under_a_loaded_id_is_still_a_conflict() {
        let other = "[[card]]\nid = \"a\"\nfront = \"Q, mine\"\nback = \"A\"\n";
        let sources = vec![
            ("bundled.toml".to_string(), deck("d", CARD_A)),
            ("mine.toml".to_string(), deck("mine", other)),
        ];
        assert!(problems_of(&sources).contains("duplicate card id `a`"));
    }

    #[test]
    fn a_deck_file_named_twice_is_one_source_where_it_is_first_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), deck("a", CARD_A)).unwrap();
        let other = dir.path().join("b.toml");
        std::fs::write(&other, deck("b", "")).unwrap();
        let spelt_otherwise = dir.path().join(".");
        let names = |paths: &[PathBuf]| -> Vec<String> {
            sources(paths)
                .unwrap()
                .into_iter()
                .skip(bundled::DECKS.len())
                .map(|s| s.name)
                .collect()
        };
        let once = names(&[dir.path().to_path_buf()]);
        assert_eq!(once.len(), 2);
        assert_eq!(
            names(&[other.clone(), dir.path().to_path_buf(), spelt_otherwise]),
            [other.display().to_string(), once[0].clone()]
        );
    }

    #[test]
    fn the_bundled_decks_load_without_problems_and_hold_at_least_200_cards() {
        let library = load(&[]).unwrap();
        assert!(library.cards.len() >= 200, "{} cards", library.cards.len());
    }
}
