//! Reading the catalog's cards and decks back: the whole library, every card one row at a
//! time, a card by id, or only the cards a session shows.

use rusqlite::params;

use super::{CARD_COLUMNS, CatalogFact, STATE_COLUMNS, card_from, count, deck_from};
use crate::deck::{Card, Deck, Library};
use crate::error::Error;
use crate::store::rows::state_from;
use crate::store::{CardRecord, Store, Tally, day_from_number};
use crate::types::CardId;

impl Store {
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
}
