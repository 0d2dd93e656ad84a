//! Decks: the TOML model, validation with located errors, and the set of cards loaded from the
//! bundled decks plus the learner's own (`--decks`, `RECALL_DECKS`).

mod parse;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Problems};
use crate::types::{CardId, DeckId, Level};

pub use parse::parse_deck;

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
    pub fn section_or(&self, fallback: &str) -> String {
        self.source.as_deref().map_or_else(
            || fallback.to_string(),
            |s| s.rsplit_once(" (").map_or(s, |(path, _)| path).to_string(),
        )
    }

    /// Two cards with the same id and the same content are one card loaded twice (a shared
    /// copy of a bundled deck, say); their locations and decks do not matter.
    fn same_content(&self, other: &Card) -> bool {
        self.front == other.front
            && self.back == other.back
            && self.tags == other.tags
            && self.level == other.level
            && self.source == other.source
    }
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
}

/// Every loaded card, in deck order (bundled decks by file name, then user decks in the order
/// given), with duplicates that are exact copies counted once.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub decks: Vec<Deck>,
    pub cards: Vec<Card>,
    index: HashMap<CardId, usize>,
}

impl Library {
    /// Adds a deck file's cards. A card id already loaded with different content is a problem
    /// naming both locations; one loaded with identical content is skipped.
    fn add(&mut self, file: DeckFile, problems: &mut Vec<Problem>) {
        if !self.decks.iter().any(|d| d.id == file.deck.id) {
            self.decks.push(file.deck);
        }
        for card in file.cards {
            match self.index.get(&card.id) {
                Some(&i) if self.cards[i].same_content(&card) => {}
                Some(&i) => problems.push(Problem {
                    path: card.location.path.clone(),
                    line: card.location.line,
                    column: card.location.column,
                    message: format!(
                        "duplicate card id `{}`: already defined at {} with different content",
                        card.id, self.cards[i].location
                    ),
                    hint: Some(
                        "give one of the two cards a new id, or make both copies identical".into(),
                    ),
                }),
                None => {
                    self.index.insert(card.id.clone(), self.cards.len());
                    self.cards.push(card);
                }
            }
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

/// Loads the bundled decks and then each user path (a `.toml` file or a directory of them,
/// read in file-name order). All problems across all files are reported together.
pub fn load(user_paths: &[PathBuf]) -> Result<Library, Error> {
    load_cached(user_paths, None)
}

/// As [`load`], reusing what an earlier run parsed: each user deck file's parse is kept in
/// `cache` under a hash of its path and content, so an unchanged file is read and hashed but
/// not parsed again, and a changed one (whatever its size or time stamp) always is. Cache
/// entries not used for a week are removed.
pub fn load_cached(user_paths: &[PathBuf], cache: Option<&Path>) -> Result<Library, Error> {
    let mut files: Vec<DeckFile> = Vec::new();
    let mut problems = Vec::new();
    for (path, text) in bundled::DECKS {
        match parse_deck(&format!("(bundled) {path}"), text) {
            Ok(file) => files.push(file),
            Err(found) => problems.extend(found),
        }
    }
    let mut used = Vec::new();
    for path in user_paths {
        for (name, text) in read_user_path(path)? {
            let mut hasher = blake3::Hasher::new();
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
            hasher.update(text.as_bytes());
            let key = hasher.finalize().to_hex().to_string();
            let cached = cache.map(|dir| dir.join(format!("{key}.json")));
            if let Some(file) = cached
                .as_ref()
                .and_then(|c| std::fs::read(c).ok())
                .and_then(|bytes| serde_json::from_slice::<DeckFile>(&bytes).ok())
            {
                used.extend(cached);
                files.push(file);
                continue;
            }
            match parse_deck(&name, &text) {
                Ok(file) => {
                    // Best effort: a cache that cannot be written only costs the next run time.
                    if let (Some(c), Ok(json)) = (&cached, serde_json::to_vec(&file)) {
                        let _ = std::fs::create_dir_all(c.parent().unwrap_or(Path::new(".")));
                        let _ = std::fs::write(c, json);
                        used.push(c.clone());
                    }
                    files.push(file);
                }
                Err(found) => problems.extend(found),
            }
        }
    }
    if let Some(dir) = cache {
        prune(dir, &used);
    }
    let mut library = Library::default();
    for file in files {
        library.add(file, &mut problems);
    }
    if problems.is_empty() {
        Ok(library)
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

/// Removes cache entries unused for a week.
fn prune(dir: &Path, used: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > week);
        if old && !used.contains(&path) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Parses and merges `(path, text)` pairs in order.
pub fn load_sources(sources: &[(String, String)]) -> Result<Library, Error> {
    let mut library = Library::default();
    let mut problems = Vec::new();
    for (path, text) in sources {
        match parse_deck(path, text) {
            Ok(file) => library.add(file, &mut problems),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(library)
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

fn read_user_path(path: &Path) -> Result<Vec<(String, String)>, Error> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        Error::Usage(format!(
            "deck path {}: {e}; pass a .toml deck file or a directory of them to --decks",
            path.display()
        ))
    })?;
    let files = if metadata.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|file| {
            let size = std::fs::metadata(&file)
                .map_err(|e| Error::io(&file, e))?
                .len();
            if size > MAX_DECK_BYTES {
                return Err(Error::Problems(Problems(vec![Problem {
                    path: file.display().to_string(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "deck file is {size} bytes, over the limit of {MAX_DECK_BYTES}"
                    ),
                    hint: Some("split it into several deck files".into()),
                }])));
            }
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let text = String::from_utf8(bytes).map_err(|e| {
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
            })?;
            Ok((file.display().to_string(), text))
        })
        .collect()
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
    fn the_bundled_decks_load_without_problems_and_hold_at_least_200_cards() {
        let library = load(&[]).unwrap();
        assert!(library.cards.len() >= 200, "{} cards", library.cards.len());
    }
}
