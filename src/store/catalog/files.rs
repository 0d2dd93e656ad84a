//! The deck files of the catalog: their stamps and content hashes, a cheap intactness check,
//! and the rewrite of the whole catalog staged in `temp` tables, one deck file at a time.

use rusqlite::{Connection, params};

use super::{CARD_COLUMNS, CatalogEntry, CatalogFile, TAG_SEPARATOR, card_from, deck_from, wide};
use crate::deck::{Card, DeckFile};
use crate::error::Error;
use crate::store::Store;
use crate::types::CardId;

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
    /// was. Each `card_state` row's `position` follows its card's new place in deck order.
    pub fn rewrite_catalog<T>(
        &mut self,
        fill: impl FnOnce(&mut CatalogWriter<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| crate::store::store_error(&path, &e);
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
                 DROP TABLE temp.staging_file;
                 UPDATE card_state SET position = c.position FROM card c
                 WHERE c.id = card_state.card_id AND card_state.position IS NOT c.position;
                 UPDATE card_state SET position = NULL
                 WHERE position IS NOT NULL AND card_id NOT IN (SELECT id FROM card);",
            )
            .map_err(fail)?;
        writer.tx.commit().map_err(fail)?;
        Ok(result)
    }
}

/// Deck file `ord`'s cards (and identical copies) take the positions from `ord * FILE_STRIDE`
/// on, in the file's order. An edit to one file then moves no other file's cards, so the
/// catalog's rewrite changes the `card_state.position` (schema v6) of only the cards that
/// moved: with positions numbered straight through, appending one card to the first of 50
/// files rewrote 90,000 `card_state` rows and both their indexes (+0.6 s). Every launch
/// refuses a deck file over 32 MiB, far fewer than 2^24 cards.
pub(super) const FILE_STRIDE: i64 = 1 << 24;

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
        read_deck_file(&self.tx, ord).map_err(|e| crate::store::store_error(self.path, &e))
    }

    /// Marks the held card with id `id`, staged from an earlier file, as no longer held: an
    /// override in the next file replaces it (see [`crate::deck::FirstCopies::displaced`]).
    pub fn displace(&mut self, id: &CardId) -> Result<(), Error> {
        let run = || -> rusqlite::Result<()> {
            self.tx
                .prepare_cached(
                    "UPDATE temp.staging_file SET cards = cards - 1
                     WHERE ord = (SELECT file FROM temp.staging_card WHERE id = ?1 AND loaded = 1)",
                )?
                .execute(params![id.0])?;
            self.tx
                .prepare_cached(
                    "UPDATE temp.staging_card SET loaded = 0 WHERE id = ?1 AND loaded = 1",
                )?
                .execute(params![id.0])?;
            Ok(())
        };
        run().map_err(|e| crate::store::store_error(self.path, &e))
    }

    /// Adds the next deck file in load order.
    pub fn add(&mut self, entry: &CatalogEntry<'_>) -> Result<(), Error> {
        self.stage(entry)
            .map_err(|e| crate::store::store_error(self.path, &e))
    }

    fn stage(&mut self, entry: &CatalogEntry<'_>) -> rusqlite::Result<()> {
        self.position = self.ord.saturating_mul(FILE_STRIDE);
        let deck = &entry.file.deck;
        let loaded = entry.loaded.iter().filter(|&&held| held).count();
        self.tx
            .prepare_cached(
                "INSERT INTO temp.staging_file (ord, name, stamp, hash, deck_id, deck_name,
                     description, line, col, cards, first, rows, overrides)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                join_ids(&entry.file.overrides),
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
            "SELECT deck_id, deck_name, description, name, line, col, first, rows, overrides
             FROM main.deck_file WHERE ord = ?1",
        )?
        .query_map(params![wide(ord)], |row| {
            Ok((
                deck_from(row)?,
                row.get::<_, i64>(6)?,
                row.get::<_, i64>(7)?,
                split_ids(&row.get::<_, String>(8)?),
            ))
        })?
        .next()
        .transpose()?;
    let Some((deck, first, rows, overrides)) = header else {
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
    Ok(Some(DeckFile {
        deck,
        cards,
        overrides,
    }))
}

/// Card ids in one column (`deck_file.overrides`), apart as tags are.
fn join_ids(ids: &[CardId]) -> String {
    let ids: Vec<&str> = ids.iter().map(CardId::as_str).collect();
    ids.join(&TAG_SEPARATOR.to_string())
}

/// The ids [`join_ids`] wrote.
pub(super) fn split_ids(column: &str) -> Vec<CardId> {
    if column.is_empty() {
        return Vec::new();
    }
    column
        .split(TAG_SEPARATOR)
        .map(|id| CardId(id.to_string()))
        .collect()
}
