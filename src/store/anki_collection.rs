//! The learner's own Anki collection file (`collection.anki2`), opened for `recall sync
//! --anki`: refusing it while Anki has it open or when its schema is one recall does not
//! know, reading its cards (with their notes' GUIDs) and review log, and writing recall's
//! answers and schedules into it in one transaction, marked for Anki's own sync.
//!
//! Only the `cards`, `revlog` and `col` tables are read or written; notes, note types, decks,
//! deck options and media are never touched. Column meanings follow Anki's `rslib/src/storage`
//! (card `due` in days since `col.crt` for review cards, `mod` in seconds, `col.mod` in ms,
//! `usn = -1` for "changed here, not yet synced").

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use crate::error::Error;
use crate::types::Grade;

/// The schema versions current Anki opens (`rslib/src/storage/upgrades`: 11 to 18); Anki
/// writes 18, and 11 when it downgrades a collection for older versions. The `cards`,
/// `revlog` and `col` columns recall uses are the same in all of them.
pub const KNOWN_SCHEMAS: std::ops::RangeInclusive<i64> = 11..=18;

/// One card of the collection, with what a sync reads of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCard {
    pub id: i64,
    /// Its note's GUID.
    pub guid: String,
    /// Template ordinal (cloze number - 1).
    pub ord: u32,
    /// 0 new, 1 learning, 2 review, 3 relearning.
    pub kind: i64,
    /// 0 new, 1 learning, 2 review, 3 day-learning, -1 suspended, -2/-3 buried.
    pub queue: i64,
    pub due: i64,
    pub reps: i64,
    pub lapses: i64,
    /// The filtered deck's original deck, 0 when the card is not in a filtered deck.
    pub original_deck: i64,
    /// The card's `data` JSON (FSRS memory state, last review time, …).
    pub data: String,
    /// When Anki last changed the card, in seconds since the epoch.
    pub modified: i64,
}

impl LiveCard {
    /// The queue an unsuspended card goes back to, as Anki restores it
    /// (`rslib/src/scheduler/bury_and_suspend.rs`): new 0, review 2, and a (re)learning card
    /// 1 when its due is a time (seconds) or 3 when it is a day number.
    pub fn active_queue(&self) -> i64 {
        match self.kind {
            0 => 0,
            1 | 3 if self.due > 1_000_000_000 => 1,
            1 | 3 => 3,
            _ => 2,
        }
    }
}

/// One row of Anki's review log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveRevlog {
    /// When the answer was given, in ms since the epoch.
    pub id: i64,
    pub card: i64,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a manual change.
    pub ease: i64,
    /// 0 learning, 1 review, 2 relearning, 3 filtered, 4 manual, 5 rescheduled.
    pub kind: i64,
    /// Time taken, in ms.
    pub taken_ms: i64,
}

/// A review-log row to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewRevlog {
    /// The wanted id (the answer's time, ms); the first free id from there is used.
    pub at_ms: i64,
    pub card: i64,
    pub ease: i64,
    /// Days (Anki writes negative seconds for learning steps; recall's are whole days).
    pub interval: i64,
    pub last_interval: i64,
    pub factor: i64,
    pub taken_ms: i64,
    pub kind: i64,
}

/// A card's new schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardUpdate {
    pub id: i64,
    pub kind: i64,
    pub queue: i64,
    pub due: i64,
    pub interval: i64,
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    pub data: String,
}

/// A card suspended or unsuspended as recall has it, its schedule left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueUpdate {
    pub id: i64,
    /// -1 suspended, else the queue the card's type and due give it (see
    /// [`LiveCard::active_queue`]).
    pub queue: i64,
}

/// The collection's settings a sync needs, as read in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `col.crt`: the collection's creation, seconds since the epoch (day 0 of review dues).
    pub created_secs: i64,
    /// `col.mod`, ms: tells whether the collection changed between two transactions.
    pub modified_ms: i64,
    /// Whether FSRS is on (the `fsrs` config key).
    pub fsrs: bool,
}

/// The columns of a card (with its note's GUID) that [`LiveCard`] holds, in its order.
const CARD_COLUMNS: &str = "c.id, n.guid, c.ord, c.type, c.queue, c.due, c.reps, c.lapses,
    c.odid, c.data, c.mod FROM cards c JOIN notes n ON n.id = c.nid";

fn card_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<LiveCard> {
    Ok(LiveCard {
        id: r.get(0)?,
        guid: r.get(1)?,
        ord: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX),
        kind: r.get(3)?,
        queue: r.get(4)?,
        due: r.get(5)?,
        reps: r.get(6)?,
        lapses: r.get(7)?,
        original_deck: r.get(8)?,
        data: r.get(9)?,
        modified: r.get(10)?,
    })
}

const REVLOG_COLUMNS: &str = "id, cid, ease, type, time FROM revlog";

fn revlog_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<LiveRevlog> {
    Ok(LiveRevlog {
        id: r.get(0)?,
        card: r.get(1)?,
        ease: r.get(2)?,
        kind: r.get(3)?,
        taken_ms: r.get(4)?,
    })
}

/// The collection file, open for a sync.
pub struct LiveCollection {
    conn: Connection,
    path: String,
}

fn refusal(path: &Path, message: impl Into<String>) -> Error {
    Error::Store {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// What "Anki has it open" looks like to `SQLite`: Anki keeps its collection in exclusive
/// locking mode, so every other connection's first read is refused as busy.
const OPEN_IN_ANKI: &str = "is open in Anki (Anki holds its lock); close Anki, or switch to another profile, so that its changes are saved, then run `recall sync --anki` again";

impl LiveCollection {
    /// Opens the collection at `path` for writing, refusing it when it is missing, not an
    /// Anki collection, open in Anki, or of a schema version outside [`KNOWN_SCHEMAS`].
    pub fn open(path: &Path) -> Result<LiveCollection, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(refusal(
                path,
                "is not a regular file; pass the collection.anki2 file of your Anki profile",
            ));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| refusal(path, e.to_string()))?;
        // No waiting: a lock held by Anki is held for as long as Anki runs.
        conn.busy_timeout(Duration::ZERO)
            .map_err(|e| refusal(path, e.to_string()))?;
        // Schema 18 declares names `COLLATE unicase`; SQLite refuses to plan over those
        // tables without a collation of that name (recall never sorts by it).
        conn.create_collation("unicase", |a: &str, b: &str| {
            a.to_lowercase().cmp(&b.to_lowercase())
        })
        .map_err(|e| refusal(path, e.to_string()))?;
        // Each statement planned once for whatever is bound to it (`SQLite`'s query planner
        // stability guarantee): otherwise the per-card reads and the insert of each row were
        // prepared again at every run, a quarter of a sync that writes a million rows.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(|e| refusal(path, e.to_string()))?;
        let collection = LiveCollection {
            conn,
            path: path.display().to_string(),
        };
        collection.begin()?;
        let version = collection.schema_version();
        collection.rollback();
        let version = version?;
        if !KNOWN_SCHEMAS.contains(&version) {
            return Err(refusal(
                path,
                format!(
                    "is an Anki collection of schema version {version}, which recall does not know (it knows {} to {}, what current Anki writes); nothing was changed. Update recall, or open the collection in Anki and use File > Export instead",
                    KNOWN_SCHEMAS.start(),
                    KNOWN_SCHEMAS.end()
                ),
            ));
        }
        // A sync reads the collection once, in order: a small page cache does as well there
        // as `SQLite`'s usual 2 MB, whose pages stayed with the process through the replay of
        // a pull and were 5 MB of its peak (see `writer` for the writes).
        collection
            .conn
            .execute_batch("PRAGMA cache_size = -256")
            .map_err(|e| collection.fail(&e))?;
        Ok(collection)
    }

    fn fail(&self, e: &rusqlite::Error) -> Error {
        let path = Path::new(&self.path);
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                refusal(path, OPEN_IN_ANKI)
            }
            Some(ErrorCode::NotADatabase) => refusal(
                path,
                "is not an Anki collection (SQLite: file is not a database); pass the collection.anki2 file of your Anki profile",
            ),
            _ => refusal(path, e.to_string()),
        }
    }

    /// Takes the write lock at once, or says that Anki has the collection open.
    pub fn begin(&self) -> Result<(), Error> {
        self.conn
            .execute_batch("BEGIN EXCLUSIVE")
            .map_err(|e| self.fail(&e))?;
        // In WAL mode the lock of another connection in exclusive locking mode (Anki's) shows
        // at the first read, not at BEGIN.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| {
                self.rollback();
                self.fail(&e)
            })?;
        Ok(())
    }

    /// Ends the transaction without writing.
    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Writes the transaction.
    pub fn commit(&self) -> Result<(), Error> {
        self.conn.execute_batch("COMMIT").map_err(|e| self.fail(&e))
    }

    fn schema_version(&self) -> Result<i64, Error> {
        let has_col: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'col')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(&e))?;
        if !has_col {
            return Err(refusal(
                Path::new(&self.path),
                "is an SQLite database but not an Anki collection (it has no `col` table); pass the collection.anki2 file of your Anki profile",
            ));
        }
        self.conn
            .query_row("SELECT ver FROM col", [], |r| r.get(0))
            .map_err(|e| self.fail(&e))
    }

    /// Reads the collection's settings (inside [`LiveCollection::begin`]).
    pub fn header(&self) -> Result<Header, Error> {
        let fail = |e: rusqlite::Error| self.fail(&e);
        let (created_secs, modified_ms, conf): (i64, i64, String) = self
            .conn
            .query_row("SELECT crt, mod, conf FROM col", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(fail)?;
        let has_config: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'config')",
                [],
                |r| r.get(0),
            )
            .map_err(fail)?;
        // Schema 11 keeps the settings as JSON in `col.conf`; later ones in `config`.
        let fsrs = if has_config {
            self.conn
                .query_row("SELECT val FROM config WHERE KEY = 'fsrs'", [], |r| {
                    r.get::<_, Vec<u8>>(0)
                })
                .optional()
                .map_err(fail)?
                .is_some_and(|v| v == b"true")
        } else {
            serde_json::from_str::<serde_json::Value>(&conf)
                .ok()
                .and_then(|c| c.get("fsrs").and_then(serde_json::Value::as_bool))
                .unwrap_or(false)
        };
        Ok(Header {
            created_secs,
            modified_ms,
            fsrs,
        })
    }

    /// Calls `each` with every card (whose note is there), in card id order, and its rows of
    /// the review log in time order: the two tables read side by side, one card's rows held
    /// at a time. Stops at the first error `each` returns (inside [`LiveCollection::begin`]).
    pub fn cards_for_each(
        &self,
        mut each: impl FnMut(LiveCard, &[LiveRevlog]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let fail = |e: rusqlite::Error| self.fail(&e);
        let mut cards = self
            .conn
            .prepare(&format!("SELECT {CARD_COLUMNS} ORDER BY c.id"))
            .map_err(fail)?;
        let mut revlog = self
            .conn
            .prepare(&format!("SELECT {REVLOG_COLUMNS} ORDER BY cid, id"))
            .map_err(fail)?;
        let mut cards = cards.query([]).map_err(fail)?;
        let mut revlog = revlog.query([]).map_err(fail)?;
        let mut next = || -> Result<Option<LiveRevlog>, Error> {
            match revlog.next().map_err(fail)? {
                Some(r) => revlog_from(r).map(Some).map_err(fail),
                None => Ok(None),
            }
        };
        let mut pending = next()?;
        let mut rows = Vec::new();
        while let Some(r) = cards.next().map_err(fail)? {
            let card = card_from(r).map_err(fail)?;
            rows.clear();
            while let Some(row) = pending.filter(|row| row.card <= card.id) {
                if row.card == card.id {
                    rows.push(row);
                }
                pending = next()?;
            }
            each(card, &rows)?;
        }
        Ok(())
    }

    /// Card `id`, if the collection has it (and its note).
    pub fn card(&self, id: i64) -> Result<Option<LiveCard>, Error> {
        self.conn
            .prepare_cached(&format!("SELECT {CARD_COLUMNS} WHERE c.id = ?1"))
            .and_then(|mut stmt| stmt.query_row(params![id], card_from).optional())
            .map_err(|e| self.fail(&e))
    }

    /// Card `card`'s rows of the review log, in time order.
    pub fn revlog_of(&self, card: i64) -> Result<Vec<LiveRevlog>, Error> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {REVLOG_COLUMNS} WHERE cid = ?1 ORDER BY id"
            ))
            .and_then(|mut stmt| {
                stmt.query_map(params![card], revlog_from)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.fail(&e))
    }

    /// `col.mod`, ms.
    pub fn modified_ms(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT mod FROM col", [], |r| r.get(0))
            .map_err(|e| self.fail(&e))
    }

    /// Copies the collection whole to `dest` (a new file): its write-ahead log is folded in
    /// first, so the copy is the collection as Anki would open it. Outside a transaction.
    pub fn backup_to(&self, dest: &Path) -> Result<(), Error> {
        let _: (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.fail(&e))?;
        let copy = || -> std::io::Result<()> {
            let mut from = std::fs::File::open(&self.path)?;
            let mut to = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dest)?;
            std::io::copy(&mut from, &mut to)?;
            to.sync_all()
        };
        copy().map_err(|e| Error::io(dest, e))
    }

    /// Starts writing, inside [`LiveCollection::begin`]: what the [`Writer`] adds and changes
    /// is marked for Anki's sync (`usn = -1`, `mod` = `now_ms` in seconds), and
    /// [`Writer::finish`] then [`LiveCollection::commit`] write it.
    pub fn writer(&self, now_ms: i64) -> Result<Writer<'_>, Error> {
        // Writing a row touches the revlog's table and two indexes, in orders unrelated to
        // each other (the rows go card by card, their ids by time): a million rows took 4.3 s
        // with SQLite's usual 2 MB, against 5.5 s with the reading pass's 256 KB. Once the
        // reads on recall's side stopped costing a lock each, 16 MB took 4.44-4.65 s to
        // 4.12-4.37 s (alternated runs), for a peak of 37 MB instead of 20; 24 MB gained
        // nothing more.
        self.conn
            .execute_batch("PRAGMA cache_size = -16384")
            .map_err(|e| self.fail(&e))?;
        let prepare = |sql: &str| self.conn.prepare(sql).map_err(|e| self.fail(&e));
        Ok(Writer {
            live: self,
            insert: prepare(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
                 VALUES (?1, ?2, -1, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            )?,
            update: prepare(
                "UPDATE cards SET type = ?2, queue = ?3, due = ?4, ivl = ?5, factor = ?6,
                    reps = ?7, lapses = ?8, left = 0, odue = 0, data = ?9, mod = ?10, usn = -1
                 WHERE id = ?1",
            )?,
            requeue: prepare("UPDATE cards SET queue = ?2, mod = ?3, usn = -1 WHERE id = ?1")?,
            now_ms,
            added: 0,
            changed: false,
        })
    }
}

/// Writes into the collection, one row or card at a time (a first sync may add a million
/// rows): see [`LiveCollection::writer`].
pub struct Writer<'c> {
    live: &'c LiveCollection,
    insert: rusqlite::Statement<'c>,
    update: rusqlite::Statement<'c>,
    requeue: rusqlite::Statement<'c>,
    now_ms: i64,
    added: usize,
    changed: bool,
}

impl Writer<'_> {
    fn fail(&self, e: &rusqlite::Error) -> Error {
        self.live.fail(e)
    }

    /// Adds `row` to the review log at the first id from its wanted time that is free.
    pub fn add(&mut self, row: &NewRevlog) -> Result<(), Error> {
        // One statement tries each id: a lookup first, then the insert, searched the id's
        // b-tree twice for every row (a million rows: 0.4 s more).
        let mut id = row.at_ms;
        while self
            .insert
            .execute(params![
                id,
                row.card,
                row.ease,
                row.interval,
                row.last_interval,
                row.factor,
                row.taken_ms,
                row.kind
            ])
            .map_err(|e| self.fail(&e))?
            == 0
        {
            id += 1;
        }
        self.added += 1;
        self.changed = true;
        Ok(())
    }

    /// Gives a card its new schedule.
    pub fn update(&mut self, card: &CardUpdate) -> Result<(), Error> {
        self.update
            .execute(params![
                card.id,
                card.kind,
                card.queue,
                card.due,
                card.interval,
                card.factor,
                card.reps,
                card.lapses,
                card.data,
                self.now_ms.div_euclid(1000)
            ])
            .map_err(|e| self.fail(&e))?;
        self.changed = true;
        Ok(())
    }

    /// Replaces a card's `data` (its last review time, say), its schedule left as it is.
    pub fn set_data(&mut self, id: i64, data: &str) -> Result<(), Error> {
        self.live
            .conn
            .prepare_cached("UPDATE cards SET data = ?2, mod = ?3, usn = -1 WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute(params![id, data, self.now_ms.div_euclid(1000)]))
            .map_err(|e| self.fail(&e))?;
        self.changed = true;
        Ok(())
    }

    /// Suspends or unsuspends a card, its schedule left as it is.
    pub fn requeue(&mut self, card: &QueueUpdate) -> Result<(), Error> {
        self.requeue
            .execute(params![card.id, card.queue, self.now_ms.div_euclid(1000)])
            .map_err(|e| self.fail(&e))?;
        self.changed = true;
        Ok(())
    }

    /// Marks the collection changed when anything was (Anki's sync sends what has
    /// `usn = -1` when the collection is newer than the last sync); returns how many rows
    /// were added.
    pub fn finish(self) -> Result<usize, Error> {
        if self.changed {
            self.live
                .conn
                .execute(
                    "UPDATE col SET mod = max(mod + 1, ?1)",
                    params![self.now_ms],
                )
                .map_err(|e| self.fail(&e))?;
        }
        Ok(self.added)
    }
}

/// One of recall's answers, as a sync with Anki needs it (the log's columns for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedAnswer {
    /// ms since the epoch.
    pub at_ms: i64,
    /// A scheduled review or a same-day drill.
    pub kind: super::EntryKind,
    pub grade: Option<Grade>,
    pub duration_ms: u32,
    /// The card's state before and after, `None` before for a new card.
    pub before_interval: Option<u32>,
    pub before_lapses: Option<u32>,
    pub after_interval: Option<u32>,
    /// Easiness in hundredths.
    pub after_easiness: Option<u16>,
}

/// What a sync with one Anki collection left behind: when neither side has changed since,
/// the next sync has nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncMark {
    /// recall's log at the end of that sync: its highest `seq`.
    pub log_seq: i64,
    /// The collection's `col.mod` at the end of that sync.
    pub collection_ms: i64,
    /// The catalog's card count then (`Store::catalog_size`): a deck file changed since.
    pub catalog_cards: usize,
    /// How many cards recall had, and how many of them the collection has.
    pub recall_cards: usize,
    pub matched: usize,
}

impl super::Store {
    /// Card `card`'s answers (reviews and drills) that no undo took back, in time order,
    /// from the log's index by card.
    pub fn answers_of(&self, card: &str) -> Result<Vec<LoggedAnswer>, Error> {
        let fail = |e: rusqlite::Error| self.err(&e);
        // The kinds are told apart here rather than with `kind IN (…)`, which SQLite answers
        // with a table it builds again at every run of the statement (once a card).
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT reviewed_at, kind, grade, duration_ms, before_interval, before_lapses,
                        after_interval, after_easiness
                 FROM review r
                 WHERE card_id = ?1
                   AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = r.id)
                 ORDER BY reviewed_at",
            )
            .map_err(fail)?;
        let mut rows = stmt.query(params![card]).map_err(fail)?;
        let mut answers = Vec::new();
        while let Some(r) = rows.next().map_err(fail)? {
            let answer = || -> rusqlite::Result<Option<LoggedAnswer>> {
                let Some(kind @ (super::EntryKind::Review | super::EntryKind::Drill)) =
                    super::EntryKind::parse(r.get_ref(1)?.as_str()?)
                else {
                    return Ok(None);
                };
                let grade: Option<u8> = r.get(2)?;
                Ok(Some(LoggedAnswer {
                    at_ms: r.get(0)?,
                    kind,
                    grade: grade.and_then(Grade::new),
                    duration_ms: r.get(3)?,
                    before_interval: r.get(4)?,
                    before_lapses: r.get(5)?,
                    after_interval: r.get(6)?,
                    after_easiness: r.get(7)?,
                }))
            };
            answers.extend(answer().map_err(fail)?);
        }
        Ok(answers)
    }

    /// Runs `read`, a pass that reads its pages about once (a scan, or one lookup per card),
    /// with a 2 MB page cache: the usual 16 MB saves nothing there and would stay allocated
    /// for the rest of the command (measured: 14 MB of a sync's peak). Its statements are
    /// planned once for every value bound to them (`SQLite`'s query planner stability
    /// guarantee): otherwise `SQLite` prepared the per-card read of the log again at every
    /// card, over 40% of a sync that reads 100,000 cards (2.30 s against 1.34 s). Outside a
    /// transaction, the pass reads in one read transaction: each statement on its own took and
    /// let go of `SQLite`'s shared lock and looked the WAL over again (file locks, `fstat`),
    /// a tenth of a push of a million answers that reads 100,000 cards.
    pub fn reading_once<T>(&self, read: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        use rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG as STABLE_PLANS;
        let fail = |e: rusqlite::Error| self.err(&e);
        self.conn
            .execute_batch("PRAGMA cache_size = -2048")
            .map_err(fail)?;
        let stable = self.conn.db_config(STABLE_PLANS).map_err(fail)?;
        self.conn.set_db_config(STABLE_PLANS, true).map_err(fail)?;
        let began = self.conn.is_autocommit();
        if began {
            self.conn.execute_batch("BEGIN").map_err(fail)?;
        }
        let result = read();
        if began {
            // Nothing was written in it: the end of a read.
            self.conn.execute_batch("COMMIT").map_err(fail)?;
        }
        self.conn
            .set_db_config(STABLE_PLANS, stable)
            .map_err(fail)?;
        self.conn.execute_batch(super::CACHE_SIZE).map_err(fail)?;
        result
    }

    /// When each card was last suspended or unsuspended by a log entry that no undo took
    /// back (ms since the epoch), by card id: what a sync weighs against the time Anki last
    /// changed the card, when the two disagree on its suspension.
    pub fn suspension_changes(&self) -> Result<std::collections::HashMap<String, i64>, Error> {
        let fail = |e: rusqlite::Error| self.err(&e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT card_id, max(reviewed_at) FROM review
                 WHERE kind IN ('suspend', 'unsuspend')
                   AND id NOT IN (SELECT undoes FROM review WHERE undoes IS NOT NULL)
                 GROUP BY card_id",
            )
            .map_err(fail)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(fail)
    }

    /// Whether card `id` is loaded (in the catalog).
    pub fn has_card(&self, id: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM card WHERE id = ?1)")
            .and_then(|mut stmt| stmt.query_row(params![id], |r| r.get(0)))
            .map_err(|e| self.err(&e))
    }

    /// The log's highest `seq` (0 when empty): it grows with every entry added, whether
    /// answered here or merged.
    pub fn log_seq(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM review", [], |r| r.get(0))
            .map_err(|e| self.err(&e))
    }

    /// What the last sync with the collection at `key` (its canonical path) left behind.
    pub fn anki_sync_mark(&self, key: &str) -> Result<Option<SyncMark>, Error> {
        Ok(self
            .meta(&format!("anki_sync:{key}"))?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    pub fn set_anki_sync_mark(&self, key: &str, mark: &SyncMark) -> Result<(), Error> {
        let text = serde_json::to_string(mark).unwrap_or_default();
        self.set_meta(&format!("anki_sync:{key}"), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A collection with Anki's tables (the columns recall uses), one note and one card.
    fn collection(dir: &Path, version: i64) -> std::path::PathBuf {
        let path = dir.join("collection.anki2");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,
               scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL,
               ls integer NOT NULL, conf text NOT NULL, models text NOT NULL, decks text NOT NULL,
               dconf text NOT NULL, tags text NOT NULL);
             INSERT INTO col VALUES (1, 1772330400, 5, 0, {version}, 0, 0, 0, '{{}}', '', '', '', '');
             CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL);
             INSERT INTO notes VALUES (10, 'g1');
             CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,
               ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL,
               queue integer NOT NULL, due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL,
               reps integer NOT NULL, lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL,
               odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
             INSERT INTO cards VALUES (20, 10, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, '{{}}');
             CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,
               ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,
               factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL);
             INSERT INTO revlog VALUES (1000, 20, 0, 3, 1, 0, 2500, 4000, 0);"
        ))
        .unwrap();
        path
    }

    #[test]
    fn a_row_at_a_taken_time_gets_the_next_free_id_and_changes_are_marked_for_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = collection(dir.path(), 18);
        let live = LiveCollection::open(&path).unwrap();
        live.begin().unwrap();
        assert!(!live.header().unwrap().fsrs);
        assert_eq!(live.card(20).unwrap().unwrap().guid, "g1");
        let row = NewRevlog {
            at_ms: 1000,
            card: 20,
            ease: 3,
            interval: 6,
            last_interval: 1,
            factor: 2500,
            taken_ms: 3000,
            kind: 1,
        };
        let update = CardUpdate {
            id: 20,
            kind: 2,
            queue: 2,
            due: 7,
            interval: 6,
            factor: 2500,
            reps: 2,
            lapses: 0,
            data: "{}".into(),
        };
        let mut writer = live.writer(2_000_000).unwrap();
        writer.add(&row).unwrap();
        writer.add(&row).unwrap();
        writer.update(&update).unwrap();
        let added = writer.finish().unwrap();
        live.commit().unwrap();
        assert_eq!(added, 2);
        let conn = Connection::open(&path).unwrap();
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM revlog WHERE usn = -1 ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ids, [1001, 1002]);
        let marked: (i64, i64) = conn
            .query_row("SELECT usn, mod FROM cards WHERE id = 20", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(marked, (-1, 2000));
        let unsynced: i64 = conn
            .query_row("SELECT count(*) FROM revlog WHERE usn = -1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(unsynced, 2);
        let modified: i64 = conn
            .query_row("SELECT mod FROM col", [], |r| r.get(0))
            .unwrap();
        assert_eq!(modified, 2_000_000);
    }

    #[test]
    fn each_card_comes_with_its_own_rows_of_the_log_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = collection(dir.path(), 18);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO notes VALUES (11, 'g2');
             INSERT INTO cards SELECT 30, 11, did, 1, mod, usn, type, queue, due, ivl, factor,
               reps, lapses, left, odue, odid, flags, data FROM cards WHERE id = 20;
             INSERT INTO cards SELECT 10, 99, did, 0, mod, usn, type, queue, due, ivl, factor,
               reps, lapses, left, odue, odid, flags, data FROM cards WHERE id = 20;
             INSERT INTO revlog SELECT 900, 5, usn, ease, ivl, lastIvl, factor, time, type FROM revlog;
             INSERT INTO revlog SELECT 500, 20, usn, 0, ivl, lastIvl, factor, time, 4 FROM revlog WHERE id = 1000;
             INSERT INTO revlog SELECT 700, 25, usn, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE id = 1000;
             INSERT INTO revlog SELECT 2000, 30, usn, 4, ivl, lastIvl, factor, time, type FROM revlog WHERE id = 1000;
             INSERT INTO revlog SELECT 100, 40, usn, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE id = 1000;",
        )
        .unwrap();
        drop(conn);
        let live = LiveCollection::open(&path).unwrap();
        live.begin().unwrap();
        let mut seen = Vec::new();
        live.cards_for_each(|card, rows| {
            seen.push((
                card.id,
                card.guid,
                rows.iter().map(|r| (r.id, r.ease)).collect::<Vec<_>>(),
            ));
            Ok(())
        })
        .unwrap();
        live.rollback();
        // Card 10's note is missing: no card. Rows of cards the collection lacks (5, 25, 40)
        // go to none; card 20's manual row (no button) comes with its answer, in time order.
        assert_eq!(
            seen,
            [
                (20, "g1".to_string(), vec![(500, 0), (1000, 3)]),
                (30, "g2".to_string(), vec![(2000, 4)]),
            ]
        );
        assert_eq!(live.revlog_of(20).unwrap().len(), 2);
        assert_eq!(live.card(10).unwrap(), None);
    }

    #[test]
    fn an_unknown_schema_version_is_refused_saying_which() {
        let dir = tempfile::tempdir().unwrap();
        let path = collection(dir.path(), 19);
        let Err(err) = LiveCollection::open(&path) else {
            panic!("schema 19 opened");
        };
        let message = err.to_string();
        assert!(message.contains("schema version 19"), "{message}");
        assert!(message.contains("11 to 18"), "{message}");
    }

    #[test]
    fn a_collection_locked_by_another_connection_is_refused_as_open_in_anki() {
        let dir = tempfile::tempdir().unwrap();
        let path = collection(dir.path(), 18);
        // What Anki does: exclusive locking mode, then a read.
        let anki = Connection::open(&path).unwrap();
        anki.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT * FROM col; COMMIT;",
        )
        .unwrap();
        let Err(err) = LiveCollection::open(&path) else {
            panic!("a locked collection opened");
        };
        assert!(err.to_string().contains("is open in Anki"), "{err}");
    }

    #[test]
    fn a_sync_mark_is_kept_per_collection_and_the_log_seq_starts_at_zero() {
        let store = crate::store::Store::open_in_memory().unwrap();
        assert_eq!(store.log_seq().unwrap(), 0);
        assert_eq!(store.anki_sync_mark("/a/collection.anki2").unwrap(), None);
        let mark = SyncMark {
            log_seq: 7,
            collection_ms: 1_000,
            catalog_cards: 9,
            recall_cards: 9,
            matched: 3,
        };
        store
            .set_anki_sync_mark("/a/collection.anki2", &mark)
            .unwrap();
        assert_eq!(
            store.anki_sync_mark("/a/collection.anki2").unwrap(),
            Some(mark)
        );
        assert_eq!(store.anki_sync_mark("/b/collection.anki2").unwrap(), None);
    }
}
