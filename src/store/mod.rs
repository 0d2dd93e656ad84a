//! All SQL lives here. The store keeps the append-only review log (the truth) and the card-state
//! projection updated in the same transaction, and can rebuild the projection from the log.
//!
//! Durability: WAL with `synchronous = FULL`, one transaction per answer, committed before the
//! caller shows the next card — a crash or a killed process loses nothing already answered.

pub mod anki;
mod catalog;
mod interview;
mod schema;

pub use catalog::{CatalogEntry, CatalogFact, CatalogFile};
pub use interview::{SavedAnswer, SavedInterview};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};

use crate::error::Error;
use crate::scheduler::{self, Algorithm, CardState, FsrsMemory, Memory, Rules};
use crate::types::{CardId, Easiness, Grade, ReviewId};

pub use schema::current_version;

/// A 16 MB page cache (the default is 2 MB): at 100,000 cards the queries of a launch touch
/// a few thousand pages, and a smaller cache reads many of them twice.
const CACHE_SIZE: &str = "PRAGMA cache_size = -16384;";

/// How long a write waits for another recall process to release the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What an entry of the review log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A scheduled answer: it moves the card's SM-2 state.
    Review,
    /// A same-day re-drill of a card graded below 4: logged, but SM-2 state is unchanged.
    Drill,
    /// An answer in a cram session: logged, no schedule changes.
    Cram,
    /// Takes back an earlier entry (`undoes`), whatever its kind.
    Undo,
    /// Buries the card until the next study day.
    Skip,
    /// Takes the card out of every queue until it is unsuspended.
    Suspend,
    Unsuspend,
}

impl EntryKind {
    const ALL: [EntryKind; 7] = [
        EntryKind::Review,
        EntryKind::Drill,
        EntryKind::Cram,
        EntryKind::Undo,
        EntryKind::Skip,
        EntryKind::Suspend,
        EntryKind::Unsuspend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Review => "review",
            EntryKind::Drill => "drill",
            EntryKind::Cram => "cram",
            EntryKind::Undo => "undo",
            EntryKind::Skip => "skip",
            EntryKind::Suspend => "suspend",
            EntryKind::Unsuspend => "unsuspend",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the entry is an answer (it has a grade).
    pub fn is_answer(self) -> bool {
        matches!(self, EntryKind::Review | EntryKind::Drill | EntryKind::Cram)
    }
}

/// A card's projected state: SM-2 memory plus what the learner decided about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CardRecord {
    pub state: CardState,
    /// Out of every queue until unsuspended (by `!`, `recall suspend`, or becoming a leech).
    pub suspended: bool,
    /// Failed often enough to be flagged (see [`scheduler::LEECH_LAPSES`]).
    pub leech: bool,
    /// Skipped: not shown before this study day.
    pub buried_until: Option<NaiveDate>,
}

impl CardRecord {
    /// The card's state for listings and statistics: `leech` and `suspended` first, then
    /// `new` (never reviewed), `learning` (fewer than two successful reviews in a row), `young`
    /// (interval under 21 days) or `mature`.
    pub fn label(&self) -> &'static str {
        match (self.suspended, self.leech, self.state.memory()) {
            (true, true, _) => "leech",
            (true, false, _) => "suspended",
            (false, _, None) => "new",
            (false, _, Some(m)) if m.repetitions < 2 => "learning",
            (false, _, Some(m)) if m.interval < 21 => "young",
            (false, _, Some(_)) => "mature",
        }
    }

    /// Whether the card may be shown on study day `day`.
    pub fn available(&self, day: NaiveDate) -> bool {
        !self.suspended && self.buried_until.is_none_or(|until| until <= day)
    }
}

/// One row of the review log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: ReviewId,
    pub card_id: CardId,
    pub reviewed_at: DateTime<Utc>,
    /// The study day the answer counts for.
    pub day: NaiveDate,
    pub kind: EntryKind,
    /// `None` only for an undo.
    pub grade: Option<Grade>,
    /// Time taken to answer, in ms.
    pub duration_ms: u32,
    /// For an undo: the entry it takes back.
    pub undoes: Option<ReviewId>,
    /// For a review scheduled before an exam: the exam's study day (see
    /// [`scheduler::exam_cap`]).
    pub until: Option<NaiveDate>,
    pub before: CardState,
    pub after: CardState,
}

/// One answer, as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub card_id: CardId,
    pub day: NaiveDate,
    /// Review, drill or cram.
    pub kind: EntryKind,
    pub grade: Grade,
    pub duration_ms: u32,
    /// The card's interval before a scheduled review (`None` for a new card).
    pub interval_before: Option<u32>,
}

/// Today's activity, for `status` and the session header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Cards given a scheduled answer today (undone answers excluded).
    pub reviewed: u32,
    /// Of those, cards that were new.
    pub new_learned: u32,
}

/// Cards with an interval of this many days or more are mature (as in Anki). The activity
/// projections' SQL (migration v5) holds the same number.
pub const MATURE_DAYS: u32 = 21;

/// What an answer tested: a young card (interval under [`MATURE_DAYS`] before the review) or a
/// mature one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maturity {
    Young,
    Mature,
}

impl Maturity {
    /// What a scheduled review tested, from the card's interval before it; `None` for a drill,
    /// a cram answer, or a new card's first review (which tests nothing yet remembered).
    pub fn tested(kind: EntryKind, interval_before: Option<u32>) -> Option<Maturity> {
        match (kind, interval_before) {
            (EntryKind::Review, Some(interval)) if interval >= MATURE_DAYS => {
                Some(Maturity::Mature)
            }
            (EntryKind::Review, Some(_)) => Some(Maturity::Young),
            _ => None,
        }
    }
}

/// Passed and total answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Graded 3 or more.
    pub passed: u32,
    pub total: u32,
}

impl Tally {
    /// Counts one more answer.
    pub fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += u32::from(passed);
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.passed += other.passed;
        self.total += other.total;
    }
}

/// One study day's answers (undone ones excluded): a row of the `day_activity` projection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayActivity {
    /// Every answer: reviews, re-drills and cram.
    pub answers: u32,
    /// Of those, graded 3 or more.
    pub passed: u32,
    /// Time spent answering, in ms.
    pub time_ms: u64,
    /// Scheduled reviews of young cards (interval before the review under [`MATURE_DAYS`]);
    /// a new card's first review is not counted.
    pub young: Tally,
    /// Scheduled reviews of mature cards.
    pub mature: Tally,
}

impl DayActivity {
    /// Counts one answer taking `duration_ms` that `tested` a card (see [`Maturity::tested`]).
    pub fn add(&mut self, passed: bool, duration_ms: u32, tested: Option<Maturity>) {
        self.answers += 1;
        self.passed += u32::from(passed);
        self.time_ms += u64::from(duration_ms);
        match tested {
            Some(Maturity::Young) => self.young.add(passed),
            Some(Maturity::Mature) => self.mature.add(passed),
            None => {}
        }
    }
}

/// What the learner did, as the activity figures of `recall stats` need it: per study day,
/// per card, and today's distinct cards. Read from the projections by [`Store::activity`], or
/// counted from answers when statistics cover only some cards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Study days with at least one answer, oldest first.
    pub days: BTreeMap<NaiveDate, DayActivity>,
    /// Each card's scheduled reviews that tested it (young or mature): its retention.
    pub cards: HashMap<CardId, Tally>,
    /// Distinct cards reviewed on the day asked for, and of those new ones.
    pub today: DayCounts,
}

pub struct Store {
    conn: Connection,
    path: String,
    /// The algorithm the projection was computed with (kept in `meta`).
    algorithm: Algorithm,
    /// This database's device id, for `recall sync` and the replay order of merged logs.
    device: String,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

fn day_number(day: NaiveDate) -> i64 {
    day.signed_duration_since(EPOCH).num_days()
}

fn day_from_number(n: i64) -> NaiveDate {
    EPOCH
        .checked_add_signed(chrono::Duration::days(n))
        .unwrap_or(NaiveDate::MAX)
}

impl Store {
    /// Opens (creating it and its parent directories if needed) and migrates the database.
    /// Before migrating an existing database it writes a backup copy beside it and says where.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::Store {
                path: path.display().to_string(),
                message: format!("cannot create its directory {}: {e}", parent.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let display = path.display().to_string();
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| store_error(&display, &e))?;
        let mut store = Store {
            conn,
            path: display,
            algorithm: Algorithm::Sm2,
            device: String::new(),
        };
        store.configure()?;
        store.migrate(Some(path))?;
        store.load_meta()?;
        Ok(store)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        let conn = Connection::open_in_memory().map_err(|e| store_error(":memory:", &e))?;
        let mut store = Store {
            conn,
            path: ":memory:".into(),
            algorithm: Algorithm::Sm2,
            device: String::new(),
        };
        store.configure()?;
        store.migrate(None)?;
        store.load_meta()?;
        Ok(store)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(&e))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(&e))
    }

    /// Reads the scheduler and device id, giving a new database its device id.
    fn load_meta(&mut self) -> Result<(), Error> {
        self.algorithm = self
            .meta("scheduler")?
            .and_then(|key| Algorithm::from_key(&key))
            .unwrap_or_default();
        self.device = if let Some(device) = self.meta("device")? {
            device
        } else {
            let device = format!("device-{:016x}", rand::random::<u64>());
            self.set_meta("device", &device)?;
            device
        };
        Ok(())
    }

    /// This database's device id.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The algorithm card states are computed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Switches the scheduling algorithm: replays the whole log through the new one, so
    /// switching back restores exactly the previous state. Returns the number of cards
    /// rescheduled, or `None` when `algorithm` was already in use.
    pub fn set_algorithm(&mut self, algorithm: Algorithm) -> Result<Option<usize>, Error> {
        if algorithm == self.algorithm {
            return Ok(None);
        }
        self.algorithm = algorithm;
        let cards = self.rebuild()?;
        self.set_meta("scheduler", &algorithm.key())?;
        Ok(Some(cards))
    }

    fn err(&self, e: &rusqlite::Error) -> Error {
        store_error(&self.path, e)
    }

    fn configure(&self) -> Result<(), Error> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(&e))?;
        // journal_mode answers with a row; the others do not.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| self.err(&e))?;
        self.conn
            .execute_batch(&format!(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; {CACHE_SIZE}"
            ))
            .map_err(|e| self.err(&e))
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.err(&e))
    }

    fn migrate(&mut self, file: Option<&Path>) -> Result<(), Error> {
        let version = self.schema_version()?;
        let target = current_version();
        if version > target {
            return Err(Error::Store {
                path: self.path.clone(),
                message: format!(
                    "written by a newer recall (schema version {version}; this recall understands up to {target}); upgrade recall, or pass another --db"
                ),
            });
        }
        if version == target {
            return Ok(());
        }
        if let (Some(file), true) = (file, version > 0) {
            let backup = backup_path(file, version);
            self.backup_to(&backup)?;
            eprintln!(
                "recall: upgrading database schema {version} -> {target}; a copy of the old database is at {}",
                backup.display()
            );
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|e| store_error(&self.path, &e))?;
        for (step, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)
                .map_err(|e| store_error(&self.path, &e))?;
            tx.pragma_update(None, "user_version", step as i64 + 1)
                .map_err(|e| store_error(&self.path, &e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, &e))
    }

    /// Writes a consistent copy of the database to `dest` (`VACUUM INTO`: safe while others
    /// read or write).
    pub fn backup_to(&self, dest: &Path) -> Result<(), Error> {
        self.conn
            .execute("VACUUM INTO ?1", params![dest.to_string_lossy()])
            .map(|_| ())
            .map_err(|e| self.err(&e))
    }

    /// The projected record of every card with any history.
    pub fn records(&self) -> Result<HashMap<CardId, CardRecord>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM card_state"))
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| Ok((CardId(row.get(0)?), record_from(row)?)))
            .map_err(|e| self.err(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// Appends `entry` to the log and brings the card's projected record up to date, in one
    /// durable transaction. The record is recomputed from the card's own log, so the
    /// incrementally kept projection is always what a full rebuild would give.
    pub fn append(&mut self, entry: &LogEntry) -> Result<(), Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        insert_entry(&tx, entry).map_err(fail)?;
        if !matches!(entry.kind, EntryKind::Drill | EntryKind::Cram) {
            let card_log = read_log(&tx, Some(&entry.card_id), &self.device).map_err(fail)?;
            let record = project(&card_log, self.algorithm)
                .remove(&entry.card_id)
                .unwrap_or_default();
            write_record(&tx, &entry.card_id, &record).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// Today's activity on study day `day`.
    pub fn day_counts(&self, day: NaiveDate) -> Result<DayCounts, Error> {
        self.conn
            .query_row(
                "SELECT count(DISTINCT card_id),
                        count(DISTINCT CASE WHEN before_repetitions IS NULL THEN card_id END)
                 FROM review r
                 WHERE day = ?1 AND kind = 'review'
                   AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = r.id)",
                params![day_number(day)],
                |row| {
                    Ok(DayCounts {
                        reviewed: row.get(0)?,
                        new_learned: row.get(1)?,
                    })
                },
            )
            .map_err(|e| self.err(&e))
    }

    /// Every answer that was not undone, oldest first, in the light form statistics need.
    pub fn answers(&self) -> Result<Vec<Answer>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT card_id, day, kind, grade, duration_ms, before_interval
                 FROM review
                 WHERE kind IN ('review', 'drill', 'cram')
                   AND id NOT IN (SELECT undoes FROM review WHERE kind = 'undo')
                 ORDER BY reviewed_at, seq",
            )
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| {
                let kind: String = row.get(2)?;
                Ok(Answer {
                    card_id: CardId(row.get(0)?),
                    day: day_from_number(row.get(1)?),
                    kind: EntryKind::parse(&kind).unwrap_or(EntryKind::Drill),
                    grade: Grade::new(row.get(3)?).unwrap_or(Grade::AGAIN),
                    duration_ms: row.get(4)?,
                    interval_before: row.get(5)?,
                })
            })
            .map_err(|e| self.err(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// The activity projection by study day and the distinct cards reviewed on study day
    /// `today`: every answer in the log that was not undone, as [`Store::answers`] would
    /// return them, without reading the log. `cards` is left empty (see [`Store::activity`]).
    pub fn activity_by_day(&self, today: NaiveDate) -> Result<Activity, Error> {
        let days = self
            .conn
            .prepare_cached(
                "SELECT day, answers, passed, time_ms,
                        young_passed, young_total, mature_passed, mature_total
                 FROM day_activity WHERE answers > 0",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok((
                        day_from_number(row.get(0)?),
                        DayActivity {
                            answers: row.get(1)?,
                            passed: row.get(2)?,
                            time_ms: row.get::<_, i64>(3)?.max(0) as u64,
                            young: Tally {
                                passed: row.get(4)?,
                                total: row.get(5)?,
                            },
                            mature: Tally {
                                passed: row.get(6)?,
                                total: row.get(7)?,
                            },
                        },
                    ))
                })?
                .collect::<rusqlite::Result<BTreeMap<_, _>>>()
            })
            .map_err(|e| self.err(&e))?;
        Ok(Activity {
            days,
            cards: HashMap::new(),
            today: self.day_counts(today)?,
        })
    }

    /// As [`Store::activity_by_day`], with each card's retention too.
    pub fn activity(&self, today: NaiveDate) -> Result<Activity, Error> {
        let mut activity = self.activity_by_day(today)?;
        activity.cards = self
            .conn
            .prepare_cached("SELECT card_id, passed, total FROM card_activity WHERE total > 0")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok((
                        CardId(row.get(0)?),
                        Tally {
                            passed: row.get(1)?,
                            total: row.get(2)?,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<HashMap<_, _>>>()
            })
            .map_err(|e| self.err(&e))?;
        Ok(activity)
    }

    /// Calls `visit` with each answer [`Store::answers`] returns, in no particular order, one
    /// row at a time: the `Answer` is reused, so only what `visit` keeps stays in memory.
    pub fn for_each_answer(&self, mut visit: impl FnMut(&Answer)) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT card_id, day, kind, grade, duration_ms, before_interval
                 FROM review
                 WHERE kind IN ('review', 'drill', 'cram')
                   AND id NOT IN (SELECT undoes FROM review WHERE undoes IS NOT NULL)",
            )
            .map_err(|e| self.err(&e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(&e))?;
        let mut answer = Answer {
            card_id: CardId(String::new()),
            day: EPOCH,
            kind: EntryKind::Review,
            grade: Grade::AGAIN,
            duration_ms: 0,
            interval_before: None,
        };
        let read = |row: &Row<'_>, answer: &mut Answer| -> rusqlite::Result<()> {
            answer.card_id.0.clear();
            answer.card_id.0.push_str(row.get_ref(0)?.as_str()?);
            answer.day = day_from_number(row.get(1)?);
            answer.kind = EntryKind::parse(row.get_ref(2)?.as_str()?).unwrap_or(EntryKind::Drill);
            answer.grade = Grade::new(row.get(3)?).unwrap_or(Grade::AGAIN);
            answer.duration_ms = row.get(4)?;
            answer.interval_before = row.get(5)?;
            Ok(())
        };
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            read(row, &mut answer).map_err(|e| self.err(&e))?;
            visit(&answer);
        }
        Ok(())
    }

    /// Study days in a row ending today, or yesterday when today has no answer yet. A study
    /// day is one with an answer that was not undone: a row of the `day_activity` projection,
    /// read newest first until the first gap (one query, however long the streak).
    pub fn streak(&self, today: NaiveDate) -> Result<u32, Error> {
        let read = || -> rusqlite::Result<u32> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT day FROM day_activity WHERE answers > 0 AND day <= ?1 ORDER BY day DESC",
            )?;
            let mut rows = stmt.query(params![day_number(today)])?;
            let mut expected = day_number(today);
            let mut count = 0;
            while let Some(row) = rows.next()? {
                let day: i64 = row.get(0)?;
                if count == 0 && day == expected - 1 {
                    // Today not studied yet: the streak may still end yesterday.
                    expected -= 1;
                }
                if day != expected {
                    break;
                }
                count += 1;
                expected -= 1;
            }
            Ok(count)
        };
        read().map_err(|e| self.err(&e))
    }

    /// Appends many entries in one transaction without touching the projection — for bulk
    /// loads such as the benchmark generator. Call [`Store::rebuild`] afterwards.
    pub fn append_bulk(&mut self, entries: &[LogEntry]) -> Result<(), Error> {
        self.keep_temporary_files_in_memory(true)?;
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        for entry in entries {
            insert_entry(&tx, entry).map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        self.keep_temporary_files_in_memory(false)
    }

    /// Whether `SQLite` keeps its temporary files in memory (`temp_store`): on while many
    /// entries are inserted in one transaction, off otherwise. An error on the way leaves it
    /// on until the store is dropped, which only makes sorts larger, never wrong.
    //
    // Each insert into `review` runs the activity triggers, so `SQLite` keeps a statement
    // journal to take back a half-done insert. Past 64 KiB in a transaction that journal moves
    // to a temporary file and stays there, and then costs a write of every page each insert
    // touches: a million-entry bulk load took 19.8 s instead of 12.2 s. In memory it holds one
    // insert's pages. Not for good: in memory, sorts (a rebuild's replay of the whole log)
    // keep all their rows in RAM.
    fn keep_temporary_files_in_memory(&self, on: bool) -> Result<(), Error> {
        self.conn
            .pragma_update(None, "temp_store", if on { "MEMORY" } else { "DEFAULT" })
            .map_err(|e| self.err(&e))
    }

    /// This device's own entries appended after its `seq`-th, with their `seq`, for sync.
    pub fn local_since(&self, seq: i64) -> Result<Vec<(i64, LogEntry)>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LOG_COLUMNS}, seq FROM review WHERE device = '' AND seq > ?1 ORDER BY seq"
            ))
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map(params![seq], |row| Ok((row.get(27)?, entry_from_row(row)?)))
            .map_err(|e| self.err(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// The last local `seq` written to the sync folder.
    pub fn synced_seq(&self) -> Result<i64, Error> {
        Ok(self
            .meta("synced_seq")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    pub fn set_synced_seq(&self, seq: i64) -> Result<(), Error> {
        self.set_meta("synced_seq", &seq.to_string())
    }

    /// Adds another device's entries (each with its place in that device's log), skipping
    /// those already present, then rebuilds the projection. Returns `(added, already present)`.
    pub fn merge_device(
        &mut self,
        device: &str,
        entries: &[(i64, LogEntry)],
    ) -> Result<(usize, usize), Error> {
        self.merge_from(device, entries.iter().map(|(seq, e)| (Some(*seq), e)))
    }

    /// Adds log entries from elsewhere (a JSON export, a review log), skipping those whose id
    /// is already present, then rebuilds the projection. Returns `(added, already present)`.
    pub fn merge(&mut self, entries: &[LogEntry]) -> Result<(usize, usize), Error> {
        self.merge_from("", entries.iter().map(|e| (None, e)))
    }

    fn merge_from<'e>(
        &mut self,
        device: &str,
        entries: impl Iterator<Item = (Option<i64>, &'e LogEntry)>,
    ) -> Result<(usize, usize), Error> {
        self.keep_temporary_files_in_memory(true)?;
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let (mut added, mut present) = (0, 0);
        for (device_seq, entry) in entries {
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM review WHERE id = ?1)")
                .and_then(|mut stmt| stmt.query_row(params![entry.id.0], |r| r.get(0)))
                .map_err(fail)?;
            if exists {
                present += 1;
            } else {
                insert_entry_from(&tx, entry, device, device_seq).map_err(fail)?;
                added += 1;
            }
        }
        tx.commit().map_err(fail)?;
        self.keep_temporary_files_in_memory(false)?;
        if added > 0 {
            self.rebuild()?;
        }
        Ok((added, present))
    }

    /// Every log entry in replay order (time, then local append order).
    pub fn log(&self) -> Result<Vec<LogEntry>, Error> {
        read_log(&self.conn, None, &self.device).map_err(|e| self.err(&e))
    }

    /// Calls `each` with every log entry in replay order, one row at a time, so that a long
    /// history (an export `--with-progress`, say) is never held whole.
    pub fn log_for_each(
        &self,
        mut each: impl FnMut(LogEntry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {LOG_COLUMNS} FROM review {REPLAY_ORDER}"))
            .map_err(|e| self.err(&e))?;
        let mut rows = stmt.query(params![self.device]).map_err(|e| self.err(&e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            each(entry_from_row(row).map_err(|e| self.err(&e))?)?;
        }
        Ok(())
    }

    /// Runs `read` in one read transaction, so that its queries all see the database as the
    /// first of them found it, whatever other processes write meanwhile: an export that
    /// counts its cards, then writes them, writes the cards it counted.
    pub fn read_consistently<T>(
        &self,
        read: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        // Deferred: a read lock and a WAL snapshot from the first read on, and no write lock.
        // Dropped at the end, it rolls back, which for reads only ends the transaction.
        let _snapshot = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.err(&e))?;
        read()
    }

    /// Recomputes every card's record by replaying the log through the scheduler, replacing
    /// the projection, and recomputes the activity projections (`day_activity`,
    /// `card_activity`) from the log, in one transaction: how a damaged projection is repaired.
    /// Returns the number of cards with a record.
    pub fn rebuild(&mut self) -> Result<usize, Error> {
        // A replay reads the log once, in an order it sorts: a large page cache saves little
        // here, and the sort may fill it (measured at 1M reviews: 1.04 s and 58 MB with the
        // 16 MB cache, 1.07 s and 33 MB with 4 MB).
        self.conn
            .execute_batch("PRAGMA cache_size = -4096")
            .map_err(|e| self.err(&e))?;
        let rebuilt = self.rebuild_projections();
        self.conn
            .execute_batch(CACHE_SIZE)
            .map_err(|e| self.err(&e))?;
        rebuilt
    }

    fn rebuild_projections(&mut self) -> Result<usize, Error> {
        let Replay { cards, days } = project_streaming(&self.conn, &self.device, self.algorithm)
            .map_err(|e| self.err(&e))?;
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Only records that differ from the stored ones are written: a rebuild of a healthy
        // projection writes none, and each write also costs the catalog trigger's lookup.
        // (A default record is a deletion.)
        let mut differ: Vec<&CardId> = Vec::new();
        let mut stale: Vec<String> = Vec::new();
        let mut stored: HashSet<&CardId> = HashSet::with_capacity(cards.len());
        {
            let mut stmt = tx
                .prepare(&format!("SELECT {RECORD_COLUMNS} FROM card_state"))
                .map_err(fail)?;
            let mut rows = stmt.query([]).map_err(fail)?;
            while let Some(row) = rows.next().map_err(fail)? {
                let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(fail)?;
                match cards.get_key_value(id) {
                    Some((card, (record, _))) => {
                        stored.insert(card);
                        if record_from(row).map_err(fail)? != *record {
                            differ.push(card);
                        }
                    }
                    None => stale.push(id.to_string()),
                }
            }
        }
        let mut records = 0;
        for (card, (record, _)) in &cards {
            if !stored.contains(card) && *record != CardRecord::default() {
                differ.push(card);
            }
            records += usize::from(*record != CardRecord::default());
        }
        for card in differ {
            write_record(&tx, card, &cards[card].0).map_err(fail)?;
        }
        for card in stale {
            tx.execute("DELETE FROM card_state WHERE card_id = ?1", params![card])
                .map_err(fail)?;
        }
        write_activity(&tx, &days, &cards).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(records)
    }

    /// Runs `SQLite`'s own consistency check; `Ok` holds its report ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String, Error> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.err(&e))
    }
}

/// The card records that replaying `log` (in order) produces. Scheduled answers go through
/// the scheduler (SM-2 with fuzz; the 8th lapse makes a leech and suspends it); skips bury
/// until the next study day; suspends and unsuspends set the flag; drills and crams change
/// nothing; an undone entry is as if it had never been.
pub fn project(log: &[LogEntry], algorithm: Algorithm) -> HashMap<CardId, CardRecord> {
    let undone: HashSet<&ReviewId> = log.iter().filter_map(|e| e.undoes.as_ref()).collect();
    let mut records: HashMap<CardId, CardRecord> = HashMap::new();
    for entry in log {
        if entry.kind == EntryKind::Undo || undone.contains(&entry.id) {
            continue;
        }
        let record = records.entry(entry.card_id.clone()).or_default();
        apply(
            record,
            entry.kind,
            entry.grade,
            entry.day,
            &entry.card_id.0,
            entry.until,
            algorithm,
        );
    }
    records.retain(|_, r| *r != CardRecord::default());
    records
}

/// What one (not undone) entry does to its card's record.
fn apply(
    record: &mut CardRecord,
    kind: EntryKind,
    grade: Option<Grade>,
    day: NaiveDate,
    card_id: &str,
    until: Option<NaiveDate>,
    algorithm: Algorithm,
) {
    match kind {
        EntryKind::Review => {
            let Some(grade) = grade else { return };
            let lapses = |s: &CardState| s.memory().map_or(0, |m| m.lapses);
            let before = lapses(&record.state);
            let rules = Rules { algorithm, until };
            record.state = scheduler::schedule(record.state, grade, day, card_id, &rules);
            if scheduler::turns_leech(before, lapses(&record.state)) {
                record.leech = true;
                record.suspended = true;
            }
        }
        EntryKind::Skip => record.buried_until = day.succ_opt(),
        EntryKind::Suspend => record.suspended = true,
        EntryKind::Unsuspend => record.suspended = false,
        EntryKind::Drill | EntryKind::Cram | EntryKind::Undo => {}
    }
}

/// What a replay of the whole log gives: each card's record (the default one for a card
/// whose history leaves no trace) and its scheduled reviews that tested it, and each study
/// day's answers (keyed by days since 1970-01-01).
struct Replay {
    cards: HashMap<CardId, (CardRecord, Tally)>,
    days: BTreeMap<i64, DayActivity>,
}

/// [`project`] over the whole log, streamed from the database: only the columns a replay
/// needs, no entry materialised, so a million reviews replay in little memory. The same pass
/// counts the answers for the activity projections, as `Store::answers` would return them.
//
// The counting rides on the replay because it is all but free here (the rows are read and
// each card looked up anyway). Recomputing the projections in SQL instead (two `GROUP BY`
// passes, as migration v5 fills them) cost 0.3 s and 0.46 s at a million reviews and took
// `rebuild` from 1.22 s to 1.98 s, over its 1.5 s budget.
fn project_streaming(
    conn: &Connection,
    device: &str,
    algorithm: Algorithm,
) -> rusqlite::Result<Replay> {
    let undone: HashSet<String> = conn
        .prepare("SELECT undoes FROM review WHERE undoes IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut cards: HashMap<CardId, (CardRecord, Tally)> = HashMap::new();
    let mut days: BTreeMap<i64, DayActivity> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT id, card_id, day, kind, grade, until_day, duration_ms, before_interval
         FROM review
         WHERE kind IN ('review', 'drill', 'cram', 'skip', 'suspend', 'unsuspend') {REPLAY_ORDER}"
    ))?;
    let mut rows = stmt.query(params![device])?;
    while let Some(row) = rows.next()? {
        if !undone.is_empty() && undone.contains(row.get_ref(0)?.as_str()?) {
            continue;
        }
        let card = row.get_ref(1)?.as_str()?;
        let kind = EntryKind::parse(row.get_ref(3)?.as_str()?).unwrap_or(EntryKind::Drill);
        let grade = row.get::<_, Option<u8>>(4)?.and_then(Grade::new);
        let day_number: i64 = row.get(2)?;
        let mut tested = None;
        if let (true, Some(grade)) = (kind.is_answer(), grade) {
            tested = Maturity::tested(kind, row.get(7)?).map(|m| (m, grade.passed()));
            days.entry(day_number).or_default().add(
                grade.passed(),
                row.get(6)?,
                tested.map(|(m, _)| m),
            );
        }
        if matches!(kind, EntryKind::Drill | EntryKind::Cram) {
            continue;
        }
        let day = day_from_number(day_number);
        let until = row.get::<_, Option<i64>>(5)?.map(day_from_number);
        let (record, tally) = match cards.get_mut(card) {
            Some(entry) => entry,
            None => cards.entry(CardId(card.to_string())).or_default(),
        };
        apply(record, kind, grade, day, card, until, algorithm);
        if let Some((_, passed)) = tested {
            tally.add(passed);
        }
    }
    Ok(Replay { cards, days })
}

/// Replaces the activity projections' rows with `days` (keyed by day number) and the tallies
/// of `cards` that counted a review.
fn write_activity(
    conn: &Connection,
    days: &BTreeMap<i64, DayActivity>,
    cards: &HashMap<CardId, (CardRecord, Tally)>,
) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM day_activity; DELETE FROM card_activity;")?;
    let mut insert_day = conn.prepare_cached(
        "INSERT INTO day_activity (day, answers, passed, time_ms,
                                   young_passed, young_total, mature_passed, mature_total)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (day, a) in days {
        insert_day.execute(params![
            day,
            a.answers,
            a.passed,
            a.time_ms as i64,
            a.young.passed,
            a.young.total,
            a.mature.passed,
            a.mature.total,
        ])?;
    }
    // In key order, each row lands at the end of the table's B-tree.
    let mut tested: Vec<(&CardId, &Tally)> = cards
        .iter()
        .filter(|(_, (_, tally))| tally.total > 0)
        .map(|(card, (_, tally))| (card, tally))
        .collect();
    tested.sort_unstable_by_key(|(card, _)| *card);
    let mut insert_card = conn
        .prepare_cached("INSERT INTO card_activity (card_id, passed, total) VALUES (?1, ?2, ?3)")?;
    for (card, tally) in tested {
        insert_card.execute(params![card.0, tally.passed, tally.total])?;
    }
    Ok(())
}

const LOG_COLUMNS: &str = "id, card_id, reviewed_at, day, kind, grade, duration_ms, undoes,
    before_repetitions, before_easiness, before_interval, before_due, before_lapses, before_reviews,
    after_repetitions, after_easiness, after_interval, after_due, after_lapses, after_reviews,
    until_day, before_last, before_stability, before_difficulty,
    after_last, after_stability, after_difficulty";

/// The replay order: time, then the writing device (this one under its own id), then that
/// device's own append order. Every device merging the same logs replays them identically.
const REPLAY_ORDER: &str = "ORDER BY reviewed_at,
    CASE WHEN device = '' THEN ?1 ELSE device END, coalesce(device_seq, seq)";

/// The log, or one card's part of it, in replay order.
fn read_log(
    conn: &Connection,
    card: Option<&CardId>,
    device: &str,
) -> rusqlite::Result<Vec<LogEntry>> {
    match card {
        Some(card) => conn
            .prepare_cached(&format!(
                "SELECT {LOG_COLUMNS} FROM review WHERE card_id = ?2 {REPLAY_ORDER}"
            ))?
            .query_map(params![device, card.0], entry_from_row)?
            .collect(),
        None => conn
            .prepare_cached(&format!("SELECT {LOG_COLUMNS} FROM review {REPLAY_ORDER}"))?
            .query_map(params![device], entry_from_row)?
            .collect(),
    }
}

fn insert_entry(conn: &Connection, entry: &LogEntry) -> rusqlite::Result<()> {
    insert_entry_from(conn, entry, "", None)
}

/// Inserts an entry written by `device` (`""`: this one) as its `device_seq`-th.
fn insert_entry_from(
    conn: &Connection,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
) -> rusqlite::Result<()> {
    let before = columns(&entry.before);
    let after = columns(&entry.after);
    let (b_rep, b_ef, b_ivl, b_due, b_lapses, b_reviews) = before.sm2;
    let (a_rep, a_ef, a_ivl, a_due, a_lapses, a_reviews) = after.sm2;
    let (b_last, b_stab, b_diff) = before.extra;
    let (a_last, a_stab, a_diff) = after.extra;
    conn.prepare_cached(&format!(
        "INSERT INTO review ({LOG_COLUMNS}, device, device_seq) VALUES
            (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
             ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
    ))?
    .execute(params![
        entry.id.0,
        entry.card_id.0,
        entry.reviewed_at.timestamp_millis(),
        day_number(entry.day),
        entry.kind.as_str(),
        entry.grade.map(Grade::value),
        entry.duration_ms,
        entry.undoes.as_ref().map(|id| id.0.as_str()),
        b_rep,
        b_ef,
        b_ivl,
        b_due,
        b_lapses,
        b_reviews,
        a_rep,
        a_ef,
        a_ivl,
        a_due,
        a_lapses,
        a_reviews,
        entry.until.map(day_number),
        b_last,
        b_stab,
        b_diff,
        a_last,
        a_stab,
        a_diff,
        device,
        device_seq,
    ])
    .map(|_| ())
}

fn backup_path(file: &Path, version: i64) -> PathBuf {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}-{stamp}.bak"));
    file.with_file_name(name)
}

/// A state as columns: the six SM-2 ones (repetitions, easiness, interval, due, lapses,
/// reviews) and three more (last review day, FSRS stability and difficulty).
type Sm2Columns = (
    Option<u32>,
    Option<u16>,
    Option<u32>,
    Option<i64>,
    Option<u32>,
    Option<u32>,
);

struct StateColumns {
    sm2: Sm2Columns,
    extra: (Option<i64>, Option<u32>, Option<u32>),
}

fn columns(state: &CardState) -> StateColumns {
    match state.memory() {
        None => StateColumns {
            sm2: (None, None, None, None, None, None),
            extra: (None, None, None),
        },
        Some(m) => StateColumns {
            sm2: (
                Some(m.repetitions),
                Some(m.easiness.hundredths()),
                Some(m.interval),
                Some(day_number(m.due)),
                Some(m.lapses),
                Some(m.reviews),
            ),
            extra: (
                Some(day_number(m.last_review)),
                m.fsrs.map(|f| f.stability),
                m.fsrs.map(|f| f.difficulty),
            ),
        },
    }
}

/// Reads a state: the six SM-2 columns from `first`, the last-review day, stability and
/// difficulty from `extra`. A NULL `repetitions` is a new card; a missing last-review day (a
/// database from before v2) is taken as the due day less the interval.
/// A `card_state` row's columns, as [`record_from`] reads them.
const RECORD_COLUMNS: &str = "card_id, repetitions, easiness, interval, due, lapses, reviews,
     suspended, leech, buried_until, last_review, stability, difficulty";

/// A card's record from a row of [`RECORD_COLUMNS`].
fn record_from(row: &Row<'_>) -> rusqlite::Result<CardRecord> {
    Ok(CardRecord {
        state: state_from(row, 1, 10)?,
        suspended: row.get(7)?,
        leech: row.get(8)?,
        buried_until: row.get::<_, Option<i64>>(9)?.map(day_from_number),
    })
}

fn state_from(row: &Row<'_>, first: usize, extra: usize) -> rusqlite::Result<CardState> {
    let repetitions: Option<u32> = row.get(first)?;
    let Some(repetitions) = repetitions else {
        return Ok(CardState::New);
    };
    let interval: u32 = row.get(first + 2)?;
    let due = day_from_number(row.get(first + 3)?);
    let last_review = row.get::<_, Option<i64>>(extra)?.map_or_else(
        || due - chrono::Duration::days(i64::from(interval)),
        day_from_number,
    );
    let stability: Option<u32> = row.get(extra + 1)?;
    let difficulty: Option<u32> = row.get(extra + 2)?;
    Ok(CardState::Scheduled(Memory {
        repetitions,
        easiness: Easiness::from_hundredths(row.get(first + 1)?),
        interval,
        due,
        lapses: row.get(first + 4)?,
        reviews: row.get::<_, Option<u32>>(first + 5)?.unwrap_or(0),
        last_review,
        fsrs: stability
            .zip(difficulty)
            .map(|(stability, difficulty)| FsrsMemory {
                stability,
                difficulty,
            }),
    }))
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let kind: String = row.get(4)?;
    let grade: Option<u8> = row.get(5)?;
    Ok(LogEntry {
        id: ReviewId(row.get(0)?),
        card_id: CardId(row.get(1)?),
        reviewed_at: DateTime::from_timestamp_millis(row.get(2)?).unwrap_or_default(),
        day: day_from_number(row.get(3)?),
        kind: EntryKind::parse(&kind).unwrap_or(EntryKind::Drill),
        grade: grade.and_then(Grade::new),
        duration_ms: row.get(6)?,
        undoes: row.get::<_, Option<String>>(7)?.map(ReviewId),
        before: state_from(row, 8, 21)?,
        after: state_from(row, 14, 24)?,
        until: row.get::<_, Option<i64>>(20)?.map(day_from_number),
    })
}

fn write_record(conn: &Connection, card: &CardId, record: &CardRecord) -> rusqlite::Result<()> {
    if *record == CardRecord::default() {
        return conn
            .prepare_cached("DELETE FROM card_state WHERE card_id = ?1")?
            .execute(params![card.0])
            .map(|_| ());
    }
    let StateColumns {
        sm2: (repetitions, easiness, interval, due, lapses, reviews),
        extra: (last_review, stability, difficulty),
    } = columns(&record.state);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO card_state (card_id, repetitions, easiness, interval, due, lapses,
            reviews, suspended, leech, buried_until, last_review, stability, difficulty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        card.0,
        repetitions,
        easiness,
        interval,
        due,
        lapses.unwrap_or(0),
        reviews.unwrap_or(0),
        record.suspended,
        record.leech,
        record.buried_until.map(day_number),
        last_review,
        stability,
        difficulty,
    ])
    .map(|_| ())
}

/// Turns `SQLite`'s error into one a learner can act on.
fn store_error(path: &str, e: &rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "is not a recall database (SQLite: file is not a database); pass another --db, or move the file away to start afresh".to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            "is damaged (SQLite: database disk image is malformed); restore a backup (`recall backup` writes one), or pass another --db".to_string()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "is locked by another recall process (waited {} s); finish or close the other session and try again",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => {
            "is read-only; check the file's and its directory's permissions, or pass another --db".to_string()
        }
        Some(ErrorCode::CannotOpen) => {
            "cannot be opened; check that its directory exists and is writable, or pass another --db".to_string()
        }
        Some(ErrorCode::DiskFull) => {
            "the disk is full; nothing was written. Free some space and try again".to_string()
        }
        _ => e.to_string(),
    };
    Error::Store {
        path: path.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests;
