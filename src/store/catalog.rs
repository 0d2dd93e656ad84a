//! The card catalog: the loaded deck files and their cards, kept in the database so that a
//! launch neither parses unchanged deck files nor loads every card. `status` and the start of
//! `review` are indexed queries over `card` joined with `card_state`; a session reads the text
//! of only the cards it shows.
//!
//! The catalog is a cache of the deck files, as `card_state` is of the log: written whole when a
//! deck file changed, never the only copy of anything.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{Connection, Row, params};

use super::rows::state_from;
use super::{CardRecord, Store, Tally, day_from_number, day_number};
use crate::deck::{Card, Deck, DeckFile, Library, Location};
use crate::error::Error;
use crate::review::queue::DueCard;
use crate::scheduler::{CardState, Memory};
use crate::types::{CardId, DeckId, Level};

/// A deck file as the catalog last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFile {
    pub name: String,
    pub stamp: String,
    pub hash: String,
}

/// What statistics need of one loaded card (see [`Store::catalog_for_each_fact`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFact {
    /// Its deck file's position in load order.
    pub file: usize,
    pub level: Option<Level>,
    pub source: Option<String>,
    pub record: CardRecord,
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

/// The available loaded cards due on day `?1` or before. CROSS JOIN keeps `card_state` the
/// outer table, so the query walks its `due` index rather than every card.
const DUE: &str = "FROM card_state s CROSS JOIN card c ON c.id = s.card_id
     WHERE s.due <= ?1 AND s.repetitions IS NOT NULL AND s.suspended = 0
       AND (s.buried_until IS NULL OR s.buried_until <= ?1)";

impl Store {
    /// The deck files of the catalog, in load order.
    pub fn catalog_files(&self) -> Result<Vec<CatalogFile>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, stamp, hash FROM deck_file ORDER BY ord")
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(CatalogFile {
                    name: row.get(0)?,
                    stamp: row.get(1)?,
                    hash: row.get(2)?,
                })
            })
            .map_err(|e| self.err(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// Whether deck file `ord` still has all its rows, as many loaded cards as it gave the
    /// library, and cards that name it (a cheap check of a catalog that may be damaged).
    pub fn catalog_file_intact(&self, ord: usize) -> Result<bool, Error> {
        self.conn
            .query_row(
                "SELECT f.rows = (SELECT count(*) FROM card c
                                  WHERE c.position >= f.first AND c.position < f.first + f.rows
                                    AND c.file = f.ord)
                               + (SELECT count(*) FROM card_copy c
                                  WHERE c.position >= f.first AND c.position < f.first + f.rows
                                    AND c.file = f.ord)
                        AND f.cards = (SELECT count(*) FROM card c
                                  WHERE c.position >= f.first AND c.position < f.first + f.rows)
                 FROM deck_file f WHERE f.ord = ?1",
                params![wide(ord)],
                |row| row.get(0),
            )
            .map_err(|e| self.err(&e))
    }

    /// Records new stamps for files whose content was found unchanged.
    pub fn restamp_catalog(&mut self, stamps: &[(&str, &str)]) -> Result<(), Error> {
        let write = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            for (name, stamp) in stamps {
                tx.prepare_cached("UPDATE deck_file SET stamp = ?2 WHERE name = ?1")?
                    .execute(params![name, stamp])?;
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.err(&e))
    }

    /// A catalogued deck file's parse, by its load-order position.
    pub fn catalog_deck_file(&self, ord: usize) -> Result<Option<DeckFile>, Error> {
        read_deck_file(&self.conn, ord).map_err(|e| self.err(&e))
    }

    /// Rewrites the catalog one deck file at a time: `fill` adds each file, in load order,
    /// through a [`CatalogWriter`] (which can also read the catalog being replaced). The new
    /// catalog is staged in `temp` tables and replaces the old in the same transaction, so
    /// memory holds one deck file at a time and an error anywhere leaves the catalog as it
    /// was.
    pub fn rewrite_catalog<T>(
        &mut self,
        fill: impl FnOnce(&mut CatalogWriter<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| super::store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute_batch(
            "CREATE TEMP TABLE staging_file AS SELECT * FROM main.deck_file WHERE 0;
             CREATE TEMP TABLE staging_card AS SELECT *, 0 AS loaded FROM main.card_copy WHERE 0;",
        )
        .map_err(fail)?;
        let mut writer = CatalogWriter {
            tx,
            path: &path,
            ord: 0,
            position: 0,
        };
        let result = fill(&mut writer)?;
        writer
            .tx
            .execute_batch(
                "DELETE FROM card; DELETE FROM card_copy; DELETE FROM deck_file;
                 INSERT INTO deck_file SELECT * FROM temp.staging_file;
                 INSERT INTO card (position, file, id, deck, front, back, tags, level, source,
                                   line, col, fresh)
                     SELECT position, file, id, deck, front, back, tags, level, source, line, col,
                            NOT EXISTS (SELECT 1 FROM card_state s
                                        WHERE s.card_id = g.id AND s.repetitions IS NOT NULL)
                     FROM temp.staging_card g WHERE loaded = 1 ORDER BY position;
                 INSERT INTO card_copy
                     SELECT position, file, id, deck, front, back, tags, level, source, line, col
                     FROM temp.staging_card WHERE loaded = 0 ORDER BY position;
                 DROP TABLE temp.staging_card;
                 DROP TABLE temp.staging_file;",
            )
            .map_err(fail)?;
        writer.tx.commit().map_err(fail)?;
        Ok(result)
    }

    /// The whole library, as the catalog holds it.
    pub fn catalog_library(&self) -> Result<Library, Error> {
        let read = || -> rusqlite::Result<Library> {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {CARD_COLUMNS} FROM card c JOIN deck_file f ON f.ord = c.file
                 ORDER BY c.position"
            ))?;
            let cards = stmt
                .query_map([], card_from)?
                .collect::<rusqlite::Result<Vec<Card>>>()?;
            Ok(Library::from_parts(self.catalog_decks()?, cards))
        };
        read().map_err(|e| self.err(&e))
    }

    /// Calls `each` with every loaded card in deck order, one row at a time, so that a
    /// command going through all cards (an export, say) never holds them all.
    pub fn catalog_for_each(
        &self,
        mut each: impl FnMut(Card) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {CARD_COLUMNS} FROM card c JOIN deck_file f ON f.ord = c.file
                 ORDER BY c.position"
            ))
            .map_err(|e| self.err(&e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(&e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            each(card_from(row).map_err(|e| self.err(&e))?)?;
        }
        Ok(())
    }

    /// Calls `each` with what statistics need of every loaded card, in deck order, one row
    /// at a time and without its text: its deck file's position in load order (see
    /// [`Store::catalog_deck_names`]), level, source, record and retention.
    pub fn catalog_for_each_fact(&self, mut each: impl FnMut(CatalogFact)) -> Result<(), Error> {
        let mut read = || -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT c.file, c.level, c.source, {STATE_COLUMNS}, s.suspended, s.leech,
                        s.buried_until, a.passed, a.total
                 FROM card c
                 LEFT JOIN card_state s ON s.card_id = c.id
                 LEFT JOIN card_activity a ON a.card_id = c.id
                 ORDER BY c.position"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let level: Option<String> = row.get(1)?;
                let record = CardRecord {
                    state: state_from(row, 3, 9)?,
                    suspended: row.get::<_, Option<bool>>(12)?.unwrap_or(false),
                    leech: row.get::<_, Option<bool>>(13)?.unwrap_or(false),
                    buried_until: row.get::<_, Option<i64>>(14)?.map(day_from_number),
                };
                each(CatalogFact {
                    file: count(row, 0)?,
                    level: level.and_then(|l| l.parse().ok()),
                    source: row.get(2)?,
                    record,
                    retention: Tally {
                        passed: row.get::<_, Option<u32>>(15)?.unwrap_or(0),
                        total: row.get::<_, Option<u32>>(16)?.unwrap_or(0),
                    },
                });
            }
            Ok(())
        };
        read().map_err(|e| self.err(&e))
    }

    /// The deck name of each catalogued deck file, in load order.
    pub fn catalog_deck_names(&self) -> Result<Vec<String>, Error> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT deck_name FROM deck_file ORDER BY ord")?;
            let names = stmt.query_map([], |row| row.get(0))?;
            names.collect()
        };
        read().map_err(|e| self.err(&e))
    }

    /// The loaded decks, each once, in load order.
    pub fn catalog_deck_list(&self) -> Result<Vec<Deck>, Error> {
        self.catalog_decks().map_err(|e| self.err(&e))
    }

    /// The loaded card with id `id`, if the catalog holds one. Quick enough to ask for every
    /// card of a large import.
    pub fn catalog_card(&self, id: &CardId) -> Result<Option<Card>, Error> {
        let read = || -> rusqlite::Result<Option<Card>> {
            // The file's name comes from a subquery, not a join: planning the join compares
            // `?1` with constants, which has SQLite prepare the statement again whenever `?1`
            // changes (five times slower per card).
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.deck, c.front, c.back, c.tags, c.level, c.source, c.line, c.col,
                        (SELECT f.name FROM deck_file f WHERE f.ord = c.file), c.file
                 FROM card c WHERE c.id = ?1",
            )?;
            stmt.query_map(params![id.0], card_from)?.next().transpose()
        };
        read().map_err(|e| self.err(&e))
    }

    /// A library of only the cards `ids` (those the catalog holds) and every deck: what a
    /// session needs to show its queue.
    pub fn catalog_subset(&self, ids: &[CardId]) -> Result<Library, Error> {
        let read = || -> rusqlite::Result<Library> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM card c JOIN deck_file f ON f.ord = c.file
                 WHERE c.id = ?1"
            ))?;
            let mut cards = Vec::with_capacity(ids.len());
            for id in ids {
                let mut rows = stmt.query(params![id.0])?;
                if let Some(row) = rows.next()? {
                    cards.push(card_from(row)?);
                }
            }
            Ok(Library::from_parts(self.catalog_decks()?, cards))
        };
        read().map_err(|e| self.err(&e))
    }

    /// The decks in load order, each once.
    fn catalog_decks(&self) -> rusqlite::Result<Vec<Deck>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT deck_id, deck_name, description, name, line, col FROM deck_file ORDER BY ord",
        )?;
        let mut decks: Vec<Deck> = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let deck = deck_from(row)?;
            if decks.iter().all(|d| d.id != deck.id) {
                decks.push(deck);
            }
        }
        Ok(decks)
    }

    /// How many cards and decks are loaded.
    pub fn catalog_size(&self) -> Result<(usize, usize), Error> {
        self.conn
            .query_row(
                "SELECT coalesce(sum(cards), 0), count(DISTINCT deck_id) FROM deck_file",
                [],
                |row| Ok((count(row, 0)?, count(row, 1)?)),
            )
            .map_err(|e| self.err(&e))
    }

    /// Every available loaded card due on `today` or before, in any order, as the queue
    /// orders them. Read from two indexes; [`Store::memories`] then reads the few taken.
    pub fn catalog_due(&self, today: NaiveDate) -> Result<Vec<DueCard>, Error> {
        let read = || -> rusqlite::Result<Vec<DueCard>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT s.card_id, s.due, s.interval, c.position {DUE}"
            ))?;
            let rows = stmt.query_map(params![day_number(today)], |row| {
                Ok(DueCard {
                    id: CardId(row.get(0)?),
                    due: day_from_number(row.get(1)?),
                    interval: row.get(2)?,
                    position: count(row, 3)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.err(&e))
    }

    /// The memories of the scheduled cards among `ids`.
    pub fn memories(&self, ids: &[CardId]) -> Result<HashMap<CardId, Memory>, Error> {
        let read = || -> rusqlite::Result<HashMap<CardId, Memory>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {STATE_COLUMNS} FROM card_state s WHERE s.card_id = ?1"
            ))?;
            let mut memories = HashMap::with_capacity(ids.len());
            for id in ids {
                let mut rows = stmt.query(params![id.0])?;
                if let Some(row) = rows.next()?
                    && let CardState::Scheduled(memory) = state_from(row, 0, 6)?
                {
                    memories.insert(id.clone(), memory);
                }
            }
            Ok(memories)
        };
        read().map_err(|e| self.err(&e))
    }

    /// How many available loaded cards are due on `today` or before.
    pub fn catalog_due_count(&self, today: NaiveDate) -> Result<usize, Error> {
        self.conn
            .query_row(
                &format!("SELECT count(*) {DUE}"),
                params![day_number(today)],
                |row| count(row, 0),
            )
            .map_err(|e| self.err(&e))
    }

    /// The first `limit` (all, when `None`) available loaded new cards, in deck order.
    pub fn catalog_new(
        &self,
        today: NaiveDate,
        limit: Option<usize>,
    ) -> Result<Vec<CardId>, Error> {
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let read = || -> rusqlite::Result<Vec<CardId>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id FROM card c
                 WHERE c.fresh = 1
                   AND NOT EXISTS (SELECT 1 FROM card_state s WHERE s.card_id = c.id
                                   AND (s.suspended = 1 OR s.buried_until > ?1))
                 ORDER BY c.position LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![day_number(today), limit], |row| {
                Ok(CardId(row.get(0)?))
            })?;
            rows.collect()
        };
        read().map_err(|e| self.err(&e))
    }

    /// Loaded cards not suspended and not yet scheduled (new ones, skipped or not).
    pub fn catalog_unseen(&self) -> Result<usize, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM card c
                 WHERE c.fresh = 1
                   AND NOT EXISTS (SELECT 1 FROM card_state s
                                   WHERE s.card_id = c.id AND s.suspended = 1)",
                [],
                |row| count(row, 0),
            )
            .map_err(|e| self.err(&e))
    }

    /// Loaded cards not suspended whose memory is still `learning` (fewer than two successful
    /// reviews in a row).
    pub fn catalog_learning(&self) -> Result<usize, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM card_state s
                 CROSS JOIN card c ON c.id = s.card_id
                 WHERE s.repetitions < 2 AND s.suspended = 0",
                [],
                |row| count(row, 0),
            )
            .map_err(|e| self.err(&e))
    }

    /// When the next loaded card can be studied: as [`crate::review::queue::next_due`] over
    /// the whole library, with `new_allowed` telling whether today's new-card allowance is
    /// left.
    pub fn catalog_next_due(
        &self,
        today: NaiveDate,
        new_allowed: bool,
    ) -> Result<Option<NaiveDate>, Error> {
        let t = day_number(today);
        let new_day = |not_before: i64| {
            if new_allowed {
                not_before.max(t)
            } else {
                not_before.max(t + 1)
            }
        };
        let read = || -> rusqlite::Result<Option<i64>> {
            let mut best: Option<i64> = None;
            let mut keep = |day: i64| best = Some(best.map_or(day, |b| b.min(day)));
            // The earliest scheduled card that is not set aside: the `due` index in order.
            let first_due: Option<i64> = self
                .conn
                .prepare_cached(
                    "SELECT s.due FROM card_state s
                     CROSS JOIN card c ON c.id = s.card_id
                     WHERE s.repetitions IS NOT NULL AND s.suspended = 0
                       AND (s.buried_until IS NULL OR s.buried_until <= ?1)
                     ORDER BY s.due LIMIT 1",
                )?
                .query_map(params![t], |row| row.get(0))?
                .next()
                .transpose()?;
            if let Some(due) = first_due {
                keep(due.max(t));
            }
            // Cards skipped until a later day: few, and on their own index.
            let mut stmt = self.conn.prepare_cached(
                "SELECT s.repetitions IS NULL, s.due, s.buried_until FROM card_state s
                 CROSS JOIN card c ON c.id = s.card_id
                 WHERE s.buried_until > ?1 AND s.suspended = 0",
            )?;
            let mut rows = stmt.query(params![t])?;
            while let Some(row) = rows.next()? {
                let fresh: bool = row.get(0)?;
                let buried: i64 = row.get(2)?;
                if fresh {
                    keep(new_day(buried));
                } else {
                    keep(row.get::<_, i64>(1)?.max(buried));
                }
            }
            Ok(best)
        };
        let mut best = read().map_err(|e| self.err(&e))?;
        if !self.catalog_new(today, Some(1))?.is_empty() {
            let day = new_day(t);
            best = Some(best.map_or(day, |b| b.min(day)));
        }
        Ok(best.map(day_from_number))
    }
}

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

/// Adds deck files to a catalog being rewritten (see [`Store::rewrite_catalog`]).
pub struct CatalogWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    path: &'a str,
    ord: i64,
    position: i64,
}

impl CatalogWriter<'_> {
    /// A deck file of the catalog being replaced, by its load-order position.
    pub fn old_file(&self, ord: usize) -> Result<Option<DeckFile>, Error> {
        read_deck_file(&self.tx, ord).map_err(|e| super::store_error(self.path, &e))
    }

    /// Adds the next deck file in load order.
    pub fn add(&mut self, entry: &CatalogEntry<'_>) -> Result<(), Error> {
        self.stage(entry)
            .map_err(|e| super::store_error(self.path, &e))
    }

    fn stage(&mut self, entry: &CatalogEntry<'_>) -> rusqlite::Result<()> {
        let deck = &entry.file.deck;
        let loaded = entry.loaded.iter().filter(|&&held| held).count();
        self.tx
            .prepare_cached(
                "INSERT INTO temp.staging_file (ord, name, stamp, hash, deck_id, deck_name,
                     description, line, col, cards, first, rows)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                self.ord,
                entry.name,
                entry.stamp,
                entry.hash,
                deck.id.0,
                deck.name,
                deck.description,
                wide(deck.location.line),
                wide(deck.location.column),
                wide(loaded),
                self.position,
                wide(entry.file.cards.len()),
            ])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO temp.staging_card (position, file, id, deck, front, back, tags, level,
                                            source, line, col, loaded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for (card, held) in entry.file.cards.iter().zip(entry.loaded) {
            let tags = card.tags.join(&TAG_SEPARATOR.to_string());
            insert.execute(params![
                self.position,
                self.ord,
                card.id.0,
                card.deck.0,
                card.front,
                card.back,
                tags,
                card.level.map(crate::types::Level::as_str),
                card.source,
                wide(card.location.line),
                wide(card.location.column),
                held,
            ])?;
            self.position += 1;
        }
        self.ord += 1;
        Ok(())
    }
}

/// Deck file `ord` of the database's own catalog (not a `temp` copy), with its cards and
/// identical copies in order: its rows are one range of positions.
fn read_deck_file(conn: &Connection, ord: usize) -> rusqlite::Result<Option<DeckFile>> {
    let header = conn
        .prepare_cached(
            "SELECT deck_id, deck_name, description, name, line, col, first, rows
             FROM main.deck_file WHERE ord = ?1",
        )?
        .query_map(params![wide(ord)], |row| {
            Ok((
                deck_from(row)?,
                row.get::<_, i64>(6)?,
                row.get::<_, i64>(7)?,
            ))
        })?
        .next()
        .transpose()?;
    let Some((deck, first, rows)) = header else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CARD_COLUMNS}, c.position FROM main.card c JOIN main.deck_file f ON f.ord = c.file
         WHERE c.position >= ?1 AND c.position < ?2
         UNION ALL
         SELECT {CARD_COLUMNS}, c.position FROM main.card_copy c JOIN main.deck_file f ON f.ord = c.file
         WHERE c.position >= ?1 AND c.position < ?2
         ORDER BY 12"
    ))?;
    let cards = stmt
        .query_map(params![first, first + rows], card_from)?
        .collect::<rusqlite::Result<Vec<Card>>>()?;
    Ok(Some(DeckFile { deck, cards }))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proptest::prelude::*;

    use super::super::rows::write_record;
    use super::*;
    use crate::deck::{self, parse_deck};
    use crate::review::queue::{self, Limits, NewOrder, Selection};
    use crate::scheduler::Memory;
    use crate::store::{CardRecord, DayCounts};
    use crate::types::Easiness;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    /// Deck files over cards `c0..cN`: each card in file `card % files`, and some cards also
    /// copied, identically, into the last file.
    fn deck_texts(cards: usize, files: usize, copies: &[usize]) -> Vec<(String, String)> {
        let mut texts: Vec<(String, String)> = (0..files)
            .map(|f| {
                (
                    format!("d{f}.toml"),
                    format!("[deck]\nid = \"d{f}\"\nname = \"Deck {f}\"\n"),
                )
            })
            .collect();
        let card = |i: usize| {
            let level = ["", "level = \"senior\"\n", "level = \"junior\"\n"][i % 3];
            format!(
                "[[card]]\nid = \"c{i}\"\nfront = \"Q{i}\"\nback = \"A{i}\"\ntags = [\"t{}\", \"all\"]\n{level}",
                i % 4
            )
        };
        for i in 0..cards {
            texts[i % files].1.push_str(&card(i));
        }
        let copies: std::collections::BTreeSet<usize> = copies.iter().copied().collect();
        for i in copies
            .into_iter()
            .filter(|&i| i < cards && i % files != files - 1)
        {
            texts[files - 1].1.push_str(&card(i));
        }
        texts
    }

    /// A store whose catalog holds `texts`, and the library they make.
    fn catalogued(store: &mut Store, texts: &[(String, String)]) -> Library {
        let files: Vec<DeckFile> = texts
            .iter()
            .map(|(name, text)| parse_deck(name, text).unwrap())
            .collect();
        store
            .rewrite_catalog(|writer| {
                let mut firsts = deck::FirstCopies::default();
                for ((name, _), file) in texts.iter().zip(&files) {
                    let loaded = firsts.mark(file, &mut Vec::new());
                    writer.add(&CatalogEntry {
                        name,
                        stamp: "stamp",
                        hash: &format!("hash of {name}"),
                        file,
                        loaded: &loaded,
                    })?;
                }
                Ok(())
            })
            .unwrap();
        deck::assemble(files, Vec::new()).unwrap()
    }

    /// `(state, suspended, buried)`: state 0 none, 1 new, 2+ scheduled with that due offset.
    fn record(
        due: i64,
        interval: u32,
        repetitions: u32,
        suspended: bool,
        buried: Option<i64>,
    ) -> CardRecord {
        CardRecord {
            state: CardState::Scheduled(Memory {
                repetitions,
                easiness: Easiness::INITIAL,
                interval,
                due: today() + Duration::days(due),
                lapses: 0,
                reviews: repetitions + 1,
                last_review: today() - Duration::days(40),
                fsrs: None,
            }),
            suspended,
            leech: false,
            buried_until: buried.map(|b| today() + Duration::days(b)),
        }
    }

    fn arb_record() -> impl Strategy<Value = Option<CardRecord>> {
        let buried = prop_oneof![
            4 => Just(None),
            1 => (-1_i64..4).prop_map(Some),
        ];
        prop_oneof![
            3 => Just(None),
            1 => (any::<bool>(), buried.clone()).prop_map(|(suspended, buried)| Some(CardRecord {
                state: CardState::New,
                suspended: suspended && buried.is_none(),
                leech: false,
                buried_until: buried.map(|b| today() + Duration::days(b)),
            })),
            6 => (-20_i64..15, 1_u32..40, 0_u32..4, prop::bool::weighted(0.1), buried)
                .prop_map(|(due, interval, reps, suspended, buried)| {
                    Some(record(due, interval, reps, suspended, buried))
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// The catalog's queries give exactly the queue, counts and next due date that the
        /// in-memory functions give over the whole library, whichever was written first.
        #[test]
        fn catalog_queries_agree_with_the_in_memory_queue(
            cards in 1_usize..40,
            files in 1_usize..4,
            copies in prop::collection::vec(0_usize..40, 0..5),
            states in prop::collection::vec(arb_record(), 45),
            new_per_day in 0_u32..25,
            reviews_per_day in 0_u32..30,
            new_learned in 0_u32..25,
            extra_reviewed in 0_u32..10,
            random in any::<bool>(),
            catalog_first in any::<bool>(),
            limit in prop::option::of(1_usize..30),
        ) {
            let mut store = Store::open_in_memory().unwrap();
            let texts = deck_texts(cards, files, &copies);
            // Records for cards c0..c44: those past `cards` have outlived their deck.
            let records: HashMap<CardId, CardRecord> = states
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (CardId(format!("c{i}")), r)))
                .collect();
            let write_records = |store: &Store| {
                for (id, record) in &records {
                    write_record(&store.conn, id, record).unwrap();
                }
            };
            let library = if catalog_first {
                let library = catalogued(&mut store, &texts);
                write_records(&store);
                library
            } else {
                write_records(&store);
                catalogued(&mut store, &texts)
            };
            let done = DayCounts { reviewed: new_learned + extra_reviewed, new_learned };
            let limits = Limits {
                new_per_day,
                reviews_per_day,
                new_order: if random { NewOrder::Random } else { NewOrder::Deck },
            };
            let selection = Selection { limit, ..Selection::default() };

            let expected = queue::build(&library, &records, today(), done, limits, &selection);
            let wanted = (!random).then(|| limits.new_left(done));
            let cut = queue::order(
                store.catalog_due(today()).unwrap(),
                store.catalog_new(today(), wanted).unwrap(),
                today(),
                done,
                limits,
                limit,
            );
            let memories = store.memories(&cut.due).unwrap();
            prop_assert_eq!(cut.into_queue(|id| memories.get(id).copied()), expected);

            let everything = queue::build(&library, &records, today(), done,
                Limits { new_per_day: u32::MAX, reviews_per_day: u32::MAX, ..limits },
                &Selection::default());
            let due = everything.cards.iter().filter(|(_, s)| s.memory().is_some()).count();
            prop_assert_eq!(store.catalog_due_count(today()).unwrap(), due);
            prop_assert_eq!(store.catalog_new(today(), None).unwrap().len(), everything.cards.len() - due);
            prop_assert_eq!(
                store.catalog_next_due(today(), done.new_learned < limits.new_per_day).unwrap(),
                queue::next_due(&library, &records, today(), done, limits, &Selection::default())
            );
            let unseen = library.cards.iter()
                .filter(|c| records.get(&c.id).is_none_or(|r| !r.suspended && r.state.memory().is_none()))
                .count();
            prop_assert_eq!(store.catalog_unseen().unwrap(), unseen);
            let learning = library.cards.iter()
                .filter(|c| records.get(&c.id).copied().unwrap_or_default().label() == "learning")
                .count();
            prop_assert_eq!(store.catalog_learning().unwrap(), learning);

            let read_back = store.catalog_library().unwrap();
            prop_assert_eq!(&read_back.cards, &library.cards);
            prop_assert_eq!(&read_back.decks, &library.decks);
            prop_assert_eq!(store.catalog_size().unwrap(), (library.cards.len(), library.decks.len()));
            for (ord, (name, text)) in texts.iter().enumerate() {
                prop_assert_eq!(store.catalog_deck_file(ord).unwrap(), Some(parse_deck(name, text).unwrap()));
            }
        }
    }

    #[test]
    fn a_card_is_found_by_id_as_the_library_holds_it() {
        let mut store = Store::open_in_memory().unwrap();
        let library = catalogued(&mut store, &deck_texts(6, 2, &[1]));
        for card in &library.cards {
            assert_eq!(store.catalog_card(&card.id).unwrap().as_ref(), Some(card));
        }
        assert_eq!(store.catalog_card(&CardId("c99".into())).unwrap(), None);
    }

    #[test]
    fn an_answer_takes_a_card_out_of_the_new_cards_and_an_undo_puts_it_back() {
        let mut store = Store::open_in_memory().unwrap();
        catalogued(&mut store, &deck_texts(3, 1, &[]));
        let first = || store.catalog_new(today(), Some(1)).unwrap();
        assert_eq!(first(), [CardId("c0".into())]);
        write_record(
            &store.conn,
            &CardId("c0".into()),
            &record(3, 1, 1, false, None),
        )
        .unwrap();
        assert_eq!(
            store.catalog_new(today(), Some(1)).unwrap(),
            [CardId("c1".into())]
        );
        write_record(&store.conn, &CardId("c0".into()), &CardRecord::default()).unwrap();
        assert_eq!(
            store.catalog_new(today(), Some(1)).unwrap(),
            [CardId("c0".into())]
        );
    }

    #[test]
    fn a_suspended_card_is_never_the_next_one_due_even_when_skipped_too() {
        let mut store = Store::open_in_memory().unwrap();
        catalogued(&mut store, &deck_texts(1, 1, &[]));
        let c0 = CardId("c0".into());
        write_record(&store.conn, &c0, &record(5, 1, 1, true, Some(1))).unwrap();
        assert_eq!(store.catalog_next_due(today(), true).unwrap(), None);
        write_record(&store.conn, &c0, &record(5, 1, 1, false, Some(1))).unwrap();
        assert_eq!(
            store.catalog_next_due(today(), true).unwrap(),
            Some(today() + Duration::days(5))
        );
    }
}
