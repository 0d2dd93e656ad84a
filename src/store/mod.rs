//! All SQL lives here. The store keeps the append-only review log (the truth) and the card-state
//! projection updated in the same transaction, and can rebuild the projection from the log.
//!
//! Durability: WAL with `synchronous = FULL`, one transaction per answer, committed before the
//! caller shows the next card — a crash or a killed process loses nothing already answered.
//!
//! By concern, as Anki's `rslib/src/storage` is laid out: `log` (appending and reading the
//! log), `replay` (the card-state projection and `rebuild`), `activity` (the activity
//! projections), `sync` (merging other devices' logs), `catalog` (the deck files and their
//! cards), `upgrade` and `schema` (the versioned schema), `rows` (columns to values), `anki`
//! (Anki packages' collections, read and written) and `anki_collection` (the learner's own Anki
//! collection file, for `sync --anki`). The types
//! in `record` are the store's own: nothing here depends on the review layer.

mod activity;
pub mod anki;
pub mod anki_collection;
mod balance;
mod catalog;
mod check;
mod interview;
mod log;
mod params;
mod record;
mod replay;
mod rows;
mod schema;
mod sync;
mod upgrade;

pub use catalog::{CatalogEntry, CatalogFact, CatalogFile};
pub use check::CheckReport;
pub use interview::{SavedAnswer, SavedInterview};
pub use params::{FITS_HELD_BACK, Fit, FittedParameters};
pub use record::{
    Activity, Answer, CardRecord, DayActivity, DayCounts, DueCard, EntryKind, LogEntry,
    MATURE_DAYS, Maturity, Progress, Standing, Tally,
};
pub use replay::project;
pub use sync::{BULK_MERGE, FileMark, MERGE_INTERRUPTED, Merged, SyncMerge};

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::Error;
use crate::scheduler::{Algorithm, Balance, Parameters};

pub use schema::{MIGRATIONS, current_version};

/// A 16 MB page cache (the default is 2 MB): at 100,000 cards the queries of a launch touch
/// a few thousand pages, and a smaller cache reads many of them twice.
const CACHE_SIZE: &str = "PRAGMA cache_size = -16384;";

/// How long a write waits for another recall process to release the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What an entry of the review log records.
pub struct Store {
    conn: Connection,
    path: String,
    /// The algorithm the projection was computed with (kept in `meta`).
    algorithm: Algorithm,
    /// This database's device id, for `recall sync` and the replay order of merged logs.
    device: String,
    /// The learner's FSRS parameters in use (the newest kept fit); `None`: the defaults.
    parameters: Option<Parameters>,
    /// How an answer's due date is chosen in its fuzz range (see `Store::set_balance`).
    balance: Balance,
    /// The same-day steps answers and replays follow (see `Store::set_steps`).
    steps: crate::scheduler::StepRules,
    /// An upgrade changed how the log is replayed: the projection is replayed at the next
    /// `set_algorithm` (kept in `meta` until then).
    replay_pending: bool,
    /// Fits dated past this are not put in use (see [`FittedParameters::plausible`]).
    horizon: crate::clock::Horizon,
}

/// The horizon of the clock in the environment (`RECALL_NOW`, else the system's), days
/// starting at 04:00: for opens without a command's clock (tests, `generate`).
fn environment_horizon() -> crate::clock::Horizon {
    let clock = crate::clock::Clock::from_env(4)
        .unwrap_or_else(|_| crate::clock::Clock::fixed(chrono::Utc::now(), 4));
    crate::clock::Horizon::of(&clock)
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
        Store::open_at(path, environment_horizon())
    }

    /// [`Store::open`], with the fits dated after `horizon` (tomorrow as the command's clock
    /// counts it) left out of use.
    pub fn open_at(path: &Path, horizon: crate::clock::Horizon) -> Result<Store, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::Store {
                path: path.display().to_string(),
                message: format!("cannot create its directory {}: {e}", parent.display()),
            })?;
        }
        refuse_orphaned_wal(path)?;
        refuse_foreign_wal(path)?;
        // Processes starting at the same moment on a new database can meet while it is still
        // in rollback mode, where SQLite answers a lock upgrade that would deadlock with
        // SQLITE_BUSY at once, without waiting: such an open is tried again, from the start,
        // for as long as a write would wait.
        let started = std::time::Instant::now();
        loop {
            match Store::open_once(path, horizon) {
                Err(e) if e.is_busy() && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    fn open_once(path: &Path, horizon: crate::clock::Horizon) -> Result<Store, Error> {
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
            parameters: None,
            balance: Balance::default(),
            steps: crate::scheduler::StepRules::default(),
            replay_pending: false,
            horizon,
        };
        store.configure()?;
        store.migrate(Some(path))?;
        store.load_meta()?;
        Ok(store)
    }

    /// A second, read-only connection to this database, in a read transaction begun now: it
    /// reads the database as it is at this moment while this store writes (`SQLite`'s WAL
    /// keeps that snapshot for it), so that one thread can read what another merges.
    /// `None` for an in-memory database, which no second connection can open.
    pub fn reader(&self) -> Result<Option<Store>, Error> {
        if self.path == ":memory:" {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| self.err(&e))?;
        let reader = Store {
            conn,
            path: self.path.clone(),
            algorithm: self.algorithm,
            device: self.device.clone(),
            parameters: self.parameters,
            balance: self.balance,
            steps: self.steps,
            replay_pending: self.replay_pending,
            horizon: self.horizon,
        };
        reader
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| reader.err(&e))?;
        // The snapshot is taken at the first read of the transaction.
        reader
            .conn
            .execute_batch("BEGIN; SELECT count(*) FROM sqlite_master;")
            .map_err(|e| reader.err(&e))?;
        Ok(Some(reader))
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        let conn = Connection::open_in_memory().map_err(|e| store_error(":memory:", &e))?;
        let mut store = Store {
            conn,
            path: ":memory:".into(),
            algorithm: Algorithm::Sm2,
            device: String::new(),
            parameters: None,
            balance: Balance::default(),
            steps: crate::scheduler::StepRules::default(),
            replay_pending: false,
            horizon: environment_horizon(),
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
        self.parameters = self.fitted_parameters()?.map(|fit| fit.parameters);
        self.replay_pending = self.meta("replay_pending")?.is_some();
        self.replay_if_fits_held_back()?;
        Ok(())
    }

    /// Whether an upgrade left the projection to be replayed by the next `set_algorithm`.
    pub fn replay_pending(&self) -> bool {
        self.replay_pending
    }

    /// This database's device id.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The algorithm card states are computed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
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
}

/// Refuses to create a database where only its write-ahead log is left: the `-wal` file holds
/// the most recent answers, and a new database beside it would start empty and drop them.
fn refuse_orphaned_wal(path: &Path) -> Result<(), Error> {
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    let wal_has_data = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    if path.exists() || !wal_has_data {
        return Ok(());
    }
    Err(Error::Store {
        path: path.display().to_string(),
        message: format!(
            "is missing, but its write-ahead log {} is there and holds recent answers; restore the database file beside it (from where it was moved, or a backup), or move the -wal file away to start afresh",
            wal.display()
        ),
    })
}

/// Refuses a write-ahead log that cannot belong to the database beside it: only a database in
/// WAL mode writes one, and a copy written by `VACUUM INTO` (what `recall backup` and the
/// copies before an upgrade are) is not in WAL mode until it is opened. So a non-empty `-wal`
/// beside a database whose header says "not WAL" (bytes 18 and 19 are 2 in WAL mode) is a
/// crash's log left beside a restored backup; letting `SQLite` replay it would write the old
/// database's pages into the restored one.
//
// A copy made with `cp` of a database already in WAL mode looks like its own database here;
// `SQLite`'s WAL carries nothing that ties it to one file, so that case is not caught.
fn refuse_foreign_wal(path: &Path) -> Result<(), Error> {
    use std::io::Read as _;
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    if !std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Ok(());
    }
    let mut header = [0u8; 20];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    if read.is_err() || !header.starts_with(b"SQLite format 3\0") || header[18..20] == [2, 2] {
        return Ok(());
    }
    Err(Error::Store {
        path: path.display().to_string(),
        message: format!(
            "is not in WAL mode, so the write-ahead log {} beside it belongs to another database (a restored backup over a crash's log?); replaying it would damage this one. Move the -wal and -shm files away, then run recall again",
            wal.display()
        ),
    })
}

/// How a store error caused by another process's lock begins (see [`Error::is_busy`]).
pub(crate) const LOCKED: &str = "is locked by another recall process";

/// What a full disk is called, whether it is seen mid-session (`SQLITE_FULL`) or at the
/// start as an I/O error.
const DISK_FULL: &str = "the disk is full; nothing was written. Free some space and try again";

/// Below this much free space, an I/O error of the database is taken for a full disk: an open
/// writes the WAL index (32 KiB) and a WAL frame per page, and fails with less.
const NEARLY_FULL_BYTES: u64 = 1024 * 1024;

/// Whether the file system holding the database at `path` has (nearly) no space left for
/// this user. `false` where that cannot be told (no such directory, not Unix).
fn no_space_left(path: &Path) -> bool {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        rustix::fs::statvfs(dir)
            .is_ok_and(|fs| fs.f_bavail.saturating_mul(fs.f_frsize) < NEARLY_FULL_BYTES)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Turns `SQLite`'s error into one a learner can act on.
fn store_error(path: &str, e: &rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "is not a recall database (SQLite: file is not a database); pass another --db, or move the file away to start afresh".to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            "is damaged (SQLite: database disk image is malformed); nothing was written. Run `recall check` to repair what the log allows, or restore a backup".to_string()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "{LOCKED} (waited {} s); finish or close the other session and try again",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => {
            "is read-only; check the file's and its directory's permissions, or pass another --db".to_string()
        }
        Some(ErrorCode::CannotOpen) => {
            "cannot be opened; check that its directory exists and is writable, or pass another --db".to_string()
        }
        Some(ErrorCode::DiskFull) => DISK_FULL.to_string(),
        // SQLite says only "disk I/O error" when a write of the WAL index or journal fails
        // with ENOSPC, as at every open on a full disk; the file system says why.
        Some(ErrorCode::SystemIoFailure) if no_space_left(Path::new(path)) => {
            DISK_FULL.to_string()
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
