//! The card catalog: the loaded deck files and their cards, kept in the database so that a
//! launch neither parses unchanged deck files nor loads every card. `status` and the start of
//! `review` are indexed queries over `card` and `card_state` (the due cards from one index over
//! `card_state`, which knows each card's place in the catalog); a session reads the text of
//! only the cards it shows.
//!
//! The catalog is a cache of the deck files, as `card_state` is of the log: written whole when a
//! deck file changed, never the only copy of anything.
//!
//! By concern: `files` (the deck files' stamps and the staged rewrite of the catalog),
//! `cards` (reading cards and decks back), `queries` (the counts and the queue that `status`
//! and the start of `review` ask for).

mod cards;
mod files;
mod queries;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use rusqlite::Row;

use super::{Standing, Tally};
use crate::deck::{Card, Deck, DeckFile, Location};
use crate::types::{CardId, DeckId, Level};

/// A deck file as the catalog last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFile {
    pub name: String,
    pub stamp: String,
    pub hash: String,
}

/// What statistics need of one loaded card (see [`Store::catalog_facts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFact {
    /// Its deck file's position in load order.
    pub file: usize,
    pub level: Option<Level>,
    /// Shared by the cards of one source (most cards share theirs with the card before).
    pub source: Option<Arc<str>>,
    pub standing: Standing,
    pub retention: Tally,
}

/// A deck file to write into the catalog: its identity, its parse, and which of its cards
/// the library holds (`false`: an identical copy of a card loaded from an earlier file).
pub struct CatalogEntry<'a> {
    pub name: &'a str,
    pub stamp: &'a str,
    pub hash: &'a str,
    pub file: &'a DeckFile,
    pub loaded: &'a [bool],
}

/// Separates tags in the `tags` column (tags are single words; this cannot occur in one).
const TAG_SEPARATOR: char = '\u{1f}';

const CARD_COLUMNS: &str = "c.id, c.deck, c.front, c.back, c.tags, c.level, c.source, c.line, c.col, \
     f.name, c.file";

fn card_from(row: &Row<'_>) -> rusqlite::Result<Card> {
    let tags: String = row.get(4)?;
    let level: Option<String> = row.get(5)?;
    Ok(Card {
        id: CardId(row.get(0)?),
        deck: DeckId(row.get(1)?),
        front: row.get(2)?,
        back: row.get(3)?,
        tags: if tags.is_empty() {
            Vec::new()
        } else {
            tags.split(TAG_SEPARATOR).map(str::to_string).collect()
        },
        level: level.and_then(|l| l.parse().ok()),
        source: row.get(6)?,
        location: Location {
            path: row.get(9)?,
            line: count(row, 7)?,
            column: count(row, 8)?,
        },
    })
}

/// A deck header from a `deck_file` row read as `deck_id, deck_name, description, name, line,
/// col` (its first six columns).
fn deck_from(row: &Row<'_>) -> rusqlite::Result<Deck> {
    Ok(Deck {
        id: DeckId(row.get(0)?),
        name: row.get(1)?,
        description: row.get(2)?,
        location: Location {
            path: row.get(3)?,
            line: count(row, 4)?,
            column: count(row, 5)?,
        },
    })
}

/// The SQL of a card's state columns, in the order `state_from(row, 0, 6)` reads them.
const STATE_COLUMNS: &str = "s.repetitions, s.easiness, s.interval, s.due, s.lapses, s.reviews, \
     s.last_review, s.stability, s.difficulty";

/// A non-negative integer column as a `usize`.
fn count(row: &Row<'_>, index: usize) -> rusqlite::Result<usize> {
    let value: i64 = row.get(index)?;
    usize::try_from(value).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Integer, e.into())
    })
}

/// A count or position as an `SQLite` integer.
fn wide(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
