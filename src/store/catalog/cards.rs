//! Reading the catalog's cards and decks back: the whole library, every card one row at a
//! time, a card by id, or only the cards a session shows.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, params};

use super::files::FILE_STRIDE;
use super::{CARD_COLUMNS, CatalogFact, card_from, count, deck_from};
use crate::deck::{Card, Deck, Library, Location};
use crate::error::Error;
use crate::store::{Progress, Standing, Store, Tally, day_from_number};
use crate::types::{CardId, Level};

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

    /// What statistics need of every loaded card, in deck order, without its text: its deck
    /// file's position in load order (see [`Store::catalog_deck_names`]), level, source,
    /// record and retention.
    //
    // Joining each catalog row to `card_state` and `card_activity` by id cost two index
    // searches per card, 30% of `stats` at 100k cards. Both tables are read instead in their
    // own (id) order and merged, each state put at its card's place in deck order (the
    // `position` the catalog keeps in `card_state`), then the catalog is read in that order.
    // A state whose place names another card (a catalog out of step, which no command
    // leaves) has the join answer instead.
    pub fn catalog_facts(&self) -> Result<Vec<CatalogFact>, Error> {
        match self.catalog_facts_merged() {
            Ok(Some(facts)) => Ok(facts),
            Ok(None) => self.catalog_facts_joined(),
            Err(e) => Err(e),
        }
        .map_err(|e| self.err(&e))
    }

    /// [`Store::catalog_facts`]'s facts by merging; `None` when a state's position
    /// does not name its card.
    //
    // The catalog's side is read on a second, read-only connection in a second thread while
    // this one reads the states and, merged with them as both are read in id order,
    // `card_activity`'s tallies: `stats` at 100k cards, 2-core VM, 6 alternated runs, 0.23-0.28 s
    // on one thread, 0.18-0.20 s. The two reads may see different moments of the database (an
    // answer in another process between them); a card's state or tally is then the newer or
    // the older one, and a catalog rewritten between them fails the id check and has the join
    // answer.
    pub(super) fn catalog_facts_merged(&self) -> rusqlite::Result<Option<Vec<CatalogFact>>> {
        let second = self
            .conn
            .path()
            .filter(|path| !path.is_empty())
            .and_then(|path| {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(path, flags).ok()?;
                conn.busy_timeout(crate::store::BUSY_TIMEOUT).ok()?;
                Some(conn)
            });
        let (places, cards) = match second {
            Some(conn) => std::thread::scope(|scope| {
                let cards = scope.spawn(move || card_rows(&conn));
                let places = self.scheduled_places();
                let cards = cards
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                // A second connection that cannot read (no `-shm` it may open, say) is
                // no reason to fail: this one reads that side too.
                let cards = cards.or_else(|_| card_rows(&self.conn));
                (places, cards)
            }),
            None => (self.scheduled_places(), card_rows(&self.conn)),
        };
        let (Some(mut places), cards) = (places?, cards?) else {
            return Ok(None);
        };
        let mut facts = Vec::with_capacity(cards.rows.len());
        let mut start = 0;
        for row in cards.rows {
            let id = &cards.ids[start..row.id_end];
            start = row.id_end;
            let scheduled = place(row.position)
                .and_then(|(file, place)| places.by_file.get_mut(file)?.get_mut(place))
                .and_then(Option::take);
            let (standing, retention) = match scheduled {
                Some(s) if places.ids[s.id.clone()] == *id => (s.standing, s.retention),
                Some(_) => return Ok(None),
                None => (
                    Standing::default(),
                    places.stateless.remove(id).unwrap_or_default(),
                ),
            };
            facts.push(CatalogFact {
                file: row.file,
                level: row.level,
                source: row.source,
                standing,
                retention,
            });
        }
        Ok(Some(facts))
    }

    /// Every card's standing and tally at its card's place in deck order, both read in id
    /// order (`card_state` and `card_activity` side by side); `None` for a position no
    /// catalog writes (outside its deck file's rows).
    fn scheduled_places(&self) -> rusqlite::Result<Option<Places>> {
        // The files' sizes, the states and the tallies from one moment of the database: a
        // catalog rewritten in another process between two of these reads would otherwise
        // place a state beyond its file's rows. (Inside a caller's transaction they are.)
        let _snapshot = if self.conn.is_autocommit() {
            Some(self.conn.unchecked_transaction()?)
        } else {
            None
        };
        let mut places = Places::default();
        let mut files = self.conn.prepare("SELECT ord, rows FROM deck_file")?;
        let mut rows = files.query([])?;
        while let Some(row) = rows.next()? {
            let (ord, rows) = (count(row, 0)?, count(row, 1)?);
            if ord >= places.by_file.len() {
                places.by_file.resize_with(ord + 1, Vec::new);
            }
            places.by_file[ord].resize_with(rows, || None);
        }
        let mut activity_stmt = self
            .conn
            .prepare("SELECT card_id, passed, total FROM card_activity ORDER BY card_id")?;
        let mut activity = activity_stmt.query([])?;
        // The current tally's card id, in one buffer reused row after row.
        let mut tallied = String::new();
        let mut next_tally = |tallied: &mut String| -> rusqlite::Result<Option<Tally>> {
            let Some(row) = activity.next()? else {
                return Ok(None);
            };
            tallied.clear();
            tallied.push_str(row.get_ref(0)?.as_str()?);
            Ok(Some(Tally {
                passed: row.get(1)?,
                total: row.get(2)?,
            }))
        };
        let mut tally = next_tally(&mut tallied)?;
        let mut states = self.conn.prepare(&format!(
            "SELECT s.card_id, s.position, {STANDING_COLUMNS} FROM card_state s ORDER BY s.card_id"
        ))?;
        let mut rows = states.query([])?;
        while let Some(row) = rows.next()? {
            let id = row.get_ref(0)?.as_str()?;
            // The tallies up to this id: its own, and those of cards with no state row.
            let mut retention = Tally::default();
            while let Some(counts) = tally {
                match tallied.as_str().cmp(id) {
                    Ordering::Less => {
                        places.stateless.insert(tallied.clone(), counts);
                    }
                    Ordering::Equal => retention = counts,
                    Ordering::Greater => break,
                }
                tally = next_tally(&mut tallied)?;
            }
            let Some(position) = row.get::<_, Option<i64>>(1)? else {
                continue;
            };
            let Some((file, place)) = place(position) else {
                return Ok(None);
            };
            let Some(slot) = places.by_file.get_mut(file).and_then(|f| f.get_mut(place)) else {
                return Ok(None);
            };
            places.ids.push_str(id);
            *slot = Some(Scheduled {
                id: places.ids.len() - id.len()..places.ids.len(),
                standing: standing_from(row, 2)?,
                retention,
            });
        }
        while let Some(counts) = tally {
            places.stateless.insert(tallied.clone(), counts);
            tally = next_tally(&mut tallied)?;
        }
        Ok(Some(places))
    }

    /// [`Store::catalog_facts`]'s facts by joining each card to its state and tally.
    pub(super) fn catalog_facts_joined(&self) -> rusqlite::Result<Vec<CatalogFact>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.file, c.level, c.source, {STANDING_COLUMNS}, a.passed, a.total
             FROM card c
             LEFT JOIN card_state s ON s.card_id = c.id
             LEFT JOIN card_activity a ON a.card_id = c.id
             ORDER BY c.position"
        ))?;
        let mut rows = stmt.query([])?;
        let mut facts = Vec::new();
        while let Some(row) = rows.next()? {
            let level: Option<String> = row.get(1)?;
            let source: Option<String> = row.get(2)?;
            facts.push(CatalogFact {
                file: count(row, 0)?,
                level: level.and_then(|l| l.parse().ok()),
                source: source.map(Arc::from),
                standing: standing_from(row, 3)?,
                retention: Tally {
                    passed: row.get::<_, Option<u32>>(8)?.unwrap_or(0),
                    total: row.get::<_, Option<u32>>(9)?.unwrap_or(0),
                },
            });
        }
        Ok(facts)
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

    /// The loaded overrides (`override = true`), each with where the card it replaces is
    /// defined (its first copy in load order, a bundled deck's say).
    pub fn catalog_overridden(&self) -> Result<HashMap<CardId, Location>, Error> {
        let read = || -> rusqlite::Result<HashMap<CardId, Location>> {
            let mut lists = self
                .conn
                .prepare_cached("SELECT overrides FROM deck_file WHERE overrides != ''")?;
            let ids: Vec<CardId> = lists
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?
                .iter()
                .flat_map(|list| super::files::split_ids(list))
                .collect();
            let mut original = self.conn.prepare_cached(
                "SELECT f.name, c.line, c.col FROM card_copy c JOIN deck_file f ON f.ord = c.file
                 WHERE c.id = ?1 ORDER BY c.position LIMIT 1",
            )?;
            let mut found = HashMap::with_capacity(ids.len());
            for id in ids {
                let mut rows = original.query(params![id.0])?;
                if let Some(row) = rows.next()? {
                    let location = Location {
                        path: row.get(0)?,
                        line: count(row, 1)?,
                        column: count(row, 2)?,
                    };
                    found.insert(id, location);
                }
            }
            Ok(found)
        };
        read().map_err(|e| self.err(&e))
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

/// The SQL of the `card_state` columns [`standing_from`] reads.
const STANDING_COLUMNS: &str = "s.repetitions, s.interval, s.due, s.suspended, s.leech";

/// A card's standing from [`STANDING_COLUMNS`] starting at column `first`; a row with no
/// state (all `NULL`, from a left join) is a new card's.
fn standing_from(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Standing> {
    let repetitions: Option<u32> = row.get(first)?;
    let progress = match repetitions {
        Some(repetitions) => Some(Progress {
            repetitions,
            interval: row.get(first + 1)?,
            due: day_from_number(row.get(first + 2)?),
        }),
        None => None,
    };
    Ok(Standing {
        suspended: row.get::<_, Option<bool>>(first + 3)?.unwrap_or(false),
        leech: row.get::<_, Option<bool>>(first + 4)?.unwrap_or(false),
        progress,
    })
}

/// Deck file and place in it of catalog position `position` (see `FILE_STRIDE`); `None` for
/// a position no catalog writes.
fn place(position: i64) -> Option<(usize, usize)> {
    let file = usize::try_from(position / FILE_STRIDE).ok()?;
    let place = usize::try_from(position % FILE_STRIDE).ok()?;
    (file < 1 << 20).then_some((file, place))
}

/// The card standings by their cards' places in deck order (see `Store::scheduled_places`).
#[derive(Default)]
struct Places {
    /// By deck file, then place in the file (see `FILE_STRIDE`).
    by_file: Vec<Vec<Option<Scheduled>>>,
    /// The placed cards' ids, one after the other (one allocation, not one per card).
    ids: String,
    /// Tallies of cards with no placed state row (none is written so, but a tally needs none).
    stateless: HashMap<String, Tally>,
}

/// A card's standing and tally, waiting at its place in deck order.
struct Scheduled {
    /// Where its id is in [`Places::ids`].
    id: std::ops::Range<usize>,
    standing: Standing,
    retention: Tally,
}

/// The catalog's cards in deck order, as `stats` reads them (see [`card_rows`]).
struct CardRows {
    /// The cards' ids, one after the other.
    ids: String,
    rows: Vec<CardRow>,
}

struct CardRow {
    position: i64,
    /// Where its id ends in [`CardRows::ids`] (it starts where the previous one ends).
    id_end: usize,
    file: usize,
    level: Option<Level>,
    source: Option<Arc<str>>,
}

/// What `stats` needs of every catalogued card, in deck order, from the covering index
/// `card_facts` (no card text is read).
fn card_rows(conn: &Connection) -> rusqlite::Result<CardRows> {
    let mut cards = CardRows {
        ids: String::new(),
        rows: Vec::new(),
    };
    let mut stmt =
        conn.prepare("SELECT position, id, file, level, source FROM card ORDER BY position")?;
    let mut rows = stmt.query([])?;
    // Cards come by section: a source is most often the previous card's, shared, not copied.
    let mut source: Option<Arc<str>> = None;
    while let Some(row) = rows.next()? {
        cards.ids.push_str(row.get_ref(1)?.as_str()?);
        let this = row.get_ref(4)?.as_str_or_null()?;
        if this != source.as_deref() {
            source = this.map(Arc::from);
        }
        cards.rows.push(CardRow {
            position: row.get(0)?,
            id_end: cards.ids.len(),
            file: count(row, 2)?,
            level: row
                .get_ref(3)?
                .as_str_or_null()?
                .and_then(|l| l.parse().ok()),
            source: source.clone(),
        });
    }
    Ok(cards)
}

#[cfg(test)]
mod tests {
    use super::{FILE_STRIDE, place};

    /// A catalog position is a deck file's number times `FILE_STRIDE` plus the card's place in
    /// it; one no catalog writes (negative, or past the 2^20 files a catalog numbers, as a
    /// damaged database might hold) places no card.
    #[test]
    fn a_position_is_a_file_and_a_place_and_a_position_no_catalog_writes_is_none() {
        assert_eq!(place(0), Some((0, 0)));
        assert_eq!(place(3 * FILE_STRIDE + 7), Some((3, 7)));
        let last = (1 << 20) - 1;
        assert_eq!(
            place(last * FILE_STRIDE + FILE_STRIDE - 1),
            Some((
                usize::try_from(last).unwrap(),
                usize::try_from(FILE_STRIDE - 1).unwrap()
            ))
        );
        assert_eq!(place((1 << 20) * FILE_STRIDE), None);
        assert_eq!(place(-1), None);
        assert_eq!(place(i64::MAX), None);
    }
}
