//! What sync and log imports need of the store: this device's own entries since a point, the
//! sync watermark, how far each device's file in a sync folder was read, and merging other
//! devices' entries in one transaction with those read positions.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension as _, Statement, Transaction, params};

use super::log::{
    insert_entry_from, insert_entry_if_new, insert_entry_if_new_with, insert_if_new_statement,
};
use super::replay::{PER_CARD_REPLAYS, replace_projections, replay_cards};
use super::rows::{LOG_COLUMNS, entry_from_row};
use super::{CACHE_SIZE, LogEntry, Store, store_error};
use crate::error::Error;
use crate::scheduler::Rules;
use crate::types::{CardId, ReviewId};

/// How far a device's file in a sync folder has been read (or, for this device's own file,
/// written): `offset` bytes, ending after a whole line, and `mark`, a fingerprint of those
/// bytes that tells whether the file still starts with them (see `sync::FileMark`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMark {
    /// Bytes from the start of the file.
    pub offset: u64,
    /// Lines in those bytes (so that a warning about a later line can say which it is).
    pub lines: u64,
    /// A fingerprint of the file's first `offset` bytes.
    pub mark: String,
}

/// What merging one entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The log did not hold its id: added.
    Added,
    /// The log holds an entry with its id and the same content.
    Present,
    /// The log holds another entry under its id: `here`. The caller decides which stays
    /// ([`SyncMerge::replace`]).
    Differs(Box<LogEntry>),
}

impl Store {
    /// This device's own entries appended after its `seq`-th, with their `seq`, for sync.
    pub fn local_since(&self, seq: i64) -> Result<Vec<(i64, LogEntry)>, Error> {
        let mut entries = Vec::new();
        self.local_for_each_since(seq, |seq, entry| {
            entries.push((seq, entry));
            Ok(())
        })?;
        Ok(entries)
    }

    /// Calls `each` with this device's own entries appended after its `seq`-th, in order, one
    /// row at a time: a first sync writes a million without holding them.
    pub fn local_for_each_since(
        &self,
        seq: i64,
        mut each: impl FnMut(i64, LogEntry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {LOG_COLUMNS}, seq {OWN_AFTER} ORDER BY seq"
            ))
            .map_err(|e| self.err(&e))?;
        let mut rows = stmt.query(params![seq]).map_err(|e| self.err(&e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            let seq = row.get(31).map_err(|e| self.err(&e))?;
            each(seq, entry_from_row(row).map_err(|e| self.err(&e))?)?;
        }
        Ok(())
    }

    /// The place (`seq`) in this device's own log of the entry with id `id`, if it is one of
    /// this device's own.
    pub fn local_seq(&self, id: &ReviewId) -> Result<Option<i64>, Error> {
        self.conn
            .prepare_cached("SELECT seq FROM review WHERE id = ?1 AND device = ''")
            .and_then(|mut stmt| stmt.query_row(params![id.0], |r| r.get(0)).optional())
            .map_err(|e| self.err(&e))
    }

    /// How many entries the log holds, about (the highest `seq`; no entry is ever deleted but
    /// by a conflict's replacement): what a sync weighs its work against.
    pub fn log_size(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM review", [], |r| r.get(0))
            .map_err(|e| self.err(&e))
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

    /// Records, in one transaction, that this device's own file now holds its entries up to
    /// `seq` and is `mark` long: after a crash either both are the old ones or both the new.
    pub fn set_synced(&mut self, seq: i64, mark: &FileMark) -> Result<(), Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('synced_seq', ?1)",
            params![seq.to_string()],
        )
        .map_err(fail)?;
        write_mark(&tx, &self.device, Some(mark)).map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// How far the file of `device` in a sync folder was read (this device's own: written).
    pub fn file_mark(&self, device: &str) -> Result<Option<FileMark>, Error> {
        self.conn
            .query_row(
                "SELECT offset, lines, mark FROM sync_file WHERE device = ?1",
                params![device],
                |r| {
                    let count = |i: usize| r.get::<_, i64>(i).map(i64::unsigned_abs);
                    Ok(FileMark {
                        offset: count(0)?,
                        lines: count(1)?,
                        mark: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(&e))
    }

    /// Adds another device's entries (each with its place in that device's log), skipping
    /// those already present, then brings the projections up to date. Returns `(added,
    /// already present)`; an entry whose id the log holds with other content counts as
    /// present and is left as it is.
    pub fn merge_device(
        &mut self,
        device: &str,
        entries: &[(i64, LogEntry)],
    ) -> Result<(usize, usize), Error> {
        let mut merge = self.begin_merge(entries.len() > BULK_MERGE)?;
        let (mut added, mut present) = (0, 0);
        for (seq, entry) in entries {
            match merge.merge(device, *seq, entry)? {
                Merged::Added => added += 1,
                Merged::Present | Merged::Differs(_) => present += 1,
            }
        }
        merge.commit()?;
        Ok((added, present))
    }

    /// Adds log entries from elsewhere (a JSON export, a review log), skipping those whose id
    /// is already present, then rebuilds the projection. Returns `(added, already present)`.
    pub fn merge(&mut self, entries: &[LogEntry]) -> Result<(usize, usize), Error> {
        self.keep_temporary_files_in_memory(true)?;
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let (mut added, mut present) = (0, 0);
        for entry in entries {
            if insert_entry_if_new(&tx, entry, "", None).map_err(fail)? {
                added += 1;
            } else {
                present += 1;
            }
        }
        tx.commit().map_err(fail)?;
        self.keep_temporary_files_in_memory(false)?;
        if added > 0 {
            self.rebuild()?;
        }
        Ok((added, present))
    }

    /// Starts merging other devices' entries: one write transaction, in which the entries,
    /// the files' read positions ([`SyncMerge::set_file_mark`]) and the projections brought up
    /// to date are committed together ([`SyncMerge::commit`]), so a sync killed at any moment
    /// leaves either all of it or none (a bulk merge commits the projections in a second
    /// transaction, and one killed between the two leaves them to the next command's replay).
    /// `bulk`: many entries are expected (thousands), and the activity projections are
    /// recomputed once at the end instead of entry by entry.
    pub fn begin_merge(&mut self, bulk: bool) -> Result<SyncMerge<'_>, Error> {
        let path = self.path.clone();
        let rules = self.rules(None);
        let device = self.device.clone();
        // Entry by entry, each insert's statement journal stays in memory (see
        // `keep_temporary_files_in_memory`); in bulk, with no trigger to journal, the sorts
        // that build the indexes again go to temporary files instead of memory.
        self.keep_temporary_files_in_memory(!bulk)?;
        // A shared borrow of the connection for the transaction, so that the insert
        // statement can hold one too (see `SyncMerge::insert`); `&mut self` keeps any other
        // use of the store out meanwhile.
        let conn = &self.conn;
        let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_error(&path, &e))?;
        let mut merge = SyncMerge {
            tx,
            conn,
            insert: None,
            path,
            device,
            rules,
            suspended: Vec::new(),
            touched: HashSet::new(),
            replay_all: bulk,
            changed: false,
            bulk: false,
            added: 0,
        };
        if bulk {
            merge.go_bulk().map_err(|e| merge.err(&e))?;
        }
        Ok(merge)
    }

    /// The log entry with id `id`, if the log holds it.
    pub fn entry(&self, id: &ReviewId) -> Result<Option<LogEntry>, Error> {
        entry_by_id(&self.conn, id).map_err(|e| self.err(&e))
    }

    /// How many of this device's own entries come after its `seq`-th.
    pub fn local_count_since(&self, seq: i64) -> Result<i64, Error> {
        self.conn
            .query_row(&format!("SELECT count(*) {OWN_AFTER}"), params![seq], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(&e))
    }

    /// Gives this database a new device id, for when another database turned out to share
    /// it (a copied `recall.db`): from now on this device writes its own sync file again,
    /// from its first entry. Returns the new id.
    pub fn renew_device(&mut self) -> Result<String, Error> {
        let device = format!("device-{:016x}", rand::random::<u64>());
        self.set_meta("device", &device)?;
        self.set_synced_seq(0)?;
        self.device.clone_from(&device);
        Ok(device)
    }
}

/// The reason a replay is pending (`meta.replay_pending`) when a bulk merge stopped between
/// committing its entries and replaying the card states (see `SyncMerge::commit`).
pub const MERGE_INTERRUPTED: &str = "merge interrupted";

/// `SQLite`'s default WAL auto-checkpoint (pages), which a bulk merge's commit turns off for
/// its first transaction.
const AUTOCHECKPOINT: u32 = 1000;

/// This device's own entries after its `?1`-th: read through `review_own` (schema v13), never
/// by a scan of the entries merged from other devices.
pub(super) const OWN_AFTER: &str = "FROM review WHERE device = '' AND seq > ?1";

/// Above this many entries, [`Store::merge_device`] merges in bulk.
pub const BULK_MERGE: usize = 10_000;

fn entry_by_id(conn: &rusqlite::Connection, id: &ReviewId) -> rusqlite::Result<Option<LogEntry>> {
    conn.prepare_cached(&format!("SELECT {LOG_COLUMNS} FROM review WHERE id = ?1"))?
        .query_row(params![id.0], entry_from_row)
        .optional()
}

fn write_mark(
    conn: &rusqlite::Connection,
    device: &str,
    mark: Option<&FileMark>,
) -> rusqlite::Result<()> {
    match mark {
        Some(mark) => conn.execute(
            "INSERT OR REPLACE INTO sync_file (device, offset, lines, mark)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                device,
                i64::try_from(mark.offset).unwrap_or(i64::MAX),
                i64::try_from(mark.lines).unwrap_or(i64::MAX),
                mark.mark
            ],
        ),
        None => conn.execute("DELETE FROM sync_file WHERE device = ?1", params![device]),
    }
    .map(|_| ())
}

/// A merge of other devices' entries in progress: one write transaction (see
/// [`Store::begin_merge`]). Dropped without [`SyncMerge::commit`], it writes nothing.
pub struct SyncMerge<'s> {
    tx: Transaction<'s>,
    /// The connection `tx` runs on.
    conn: &'s Connection,
    /// The log's insert, prepared at the first entry and kept: looking a statement up in the
    /// connection's cache hashes its 600 bytes of text twice (taken out, put back), which
    /// took a million-entry merge from 4.7 to 5.0 s of user CPU.
    insert: Option<Statement<'s>>,
    path: String,
    /// This device's id (its entries replay under it).
    device: String,
    rules: Rules,
    /// The triggers and indexes dropped for a bulk merge, to be put back before the commit.
    suspended: Vec<String>,
    /// Cards with an entry added, whose records are replayed at the commit.
    touched: HashSet<CardId>,
    /// Whether the commit replays the whole log (a bulk merge, a replaced entry, many cards).
    replay_all: bool,
    /// Whether an entry was added or replaced (else the projections stand as they are).
    changed: bool,
    /// Whether the merge runs in bulk (see [`Store::begin_merge`]).
    bulk: bool,
    /// Entries added so far.
    added: usize,
}

impl<'s> SyncMerge<'s> {
    fn err(&self, e: &rusqlite::Error) -> Error {
        store_error(&self.path, e)
    }

    /// Drops, for the rest of the transaction, the log's activity triggers and its indexes by
    /// card, by day and of this device's own entries: at a million entries the triggers cost
    /// more than the whole replay that recomputes the same projections at the commit, and the
    /// indexes, inserted into in an order unrelated to theirs, missed the page cache at nearly
    /// every entry. Put back by
    /// the commit (an index built once, from sorted keys); a transaction that is not committed
    /// never dropped them. The index on ids stays: it is what finds an entry already here.
    fn suspend_for_bulk(&mut self) -> rusqlite::Result<()> {
        let mut stmt = self.tx.prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'review'
             AND ((type = 'trigger' AND name LIKE 'review_activity_%')
                  OR (type = 'index' AND name IN ('review_by_card', 'review_by_day', 'review_own')))
             ORDER BY type, name",
        )?;
        let dropped: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        // Indexes sort before triggers: put back in this order.
        for (kind, name, sql) in dropped {
            let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
            self.tx.execute_batch(&format!("DROP {kind} \"{name}\""))?;
            self.suspended.push(sql);
        }
        Ok(())
    }

    /// Adds `entry`, the `seq`-th of `device`'s log, unless the log holds its id already.
    pub fn merge(&mut self, device: &str, seq: i64, entry: &LogEntry) -> Result<Merged, Error> {
        if self.insert_if_new(entry, device, Some(seq))? {
            self.added(&entry.card_id);
            return Ok(Merged::Added);
        }
        match entry_by_id(&self.tx, &entry.id).map_err(|e| self.err(&e))? {
            Some(here) if here == *entry => Ok(Merged::Present),
            Some(here) => Ok(Merged::Differs(Box::new(here))),
            // Inserted by nobody and yet not there: cannot happen inside one transaction.
            None => Ok(Merged::Present),
        }
    }

    /// Adds `entry` as this device's own (an import's, a sync with Anki's), unless the log
    /// holds its id already. Returns whether it was added. A merge begun entry by entry goes
    /// on in bulk past [`BULK_MERGE`] entries added (for a caller that cannot know how many
    /// will come before they come).
    pub fn add_own(&mut self, entry: &LogEntry) -> Result<bool, Error> {
        let added = self.insert_if_new(entry, "", None)?;
        if added {
            self.added(&entry.card_id);
            if !self.bulk && self.added > BULK_MERGE {
                self.go_bulk_now()?;
            }
        }
        Ok(added)
    }

    /// Whether the merge runs in bulk now.
    #[cfg(test)]
    pub(crate) fn is_bulk(&self) -> bool {
        self.bulk
    }

    /// Goes on in bulk from here. The sorts of a bulk merge go to temporary files (see
    /// `Store::keep_temporary_files_in_memory`), which `SQLite` may refuse to switch to inside
    /// a transaction; then the merge goes on entry by entry, slower, never wrong.
    fn go_bulk_now(&mut self) -> Result<(), Error> {
        if self
            .tx
            .pragma_update(None, "temp_store", "DEFAULT")
            .is_err()
        {
            return Ok(());
        }
        self.go_bulk().map_err(|e| self.err(&e))?;
        self.replay_all = true;
        self.touched = HashSet::new();
        Ok(())
    }

    /// The bulk mode of [`Store::begin_merge`]: a small page cache, the log's triggers and
    /// indexes by card, day and device dropped until the commit.
    fn go_bulk(&mut self) -> rusqlite::Result<()> {
        // Bulk inserts come in id order (ids begin with their time, and a device's file is
        // in its log's order), so the pages being filled are all a cache needs; what a
        // larger one holds stays with the process through the replay at the commit and
        // adds to its peak (a million entries: 61.6 MB with the usual 16 MB, 50.6 MB with
        // 4 MB, in the same time).
        self.tx.execute_batch("PRAGMA cache_size = -4096")?;
        self.suspend_for_bulk()?;
        self.bulk = true;
        Ok(())
    }

    /// Inserts `entry` unless the log holds its id, through the insert statement kept for the
    /// merge; whether it was added.
    fn insert_if_new(
        &mut self,
        entry: &LogEntry,
        device: &str,
        seq: Option<i64>,
    ) -> Result<bool, Error> {
        let insert = if let Some(insert) = self.insert.take() {
            insert
        } else {
            insert_if_new_statement(self.conn).map_err(|e| self.err(&e))?
        };
        insert_entry_if_new_with(self.insert.insert(insert), entry, device, seq)
            .map_err(|e| self.err(&e))
    }

    /// Notes an entry added for `card`: its record is replayed at the commit (all of them,
    /// past a few thousand cards).
    fn added(&mut self, card: &CardId) {
        self.changed = true;
        self.added += 1;
        if !self.replay_all {
            self.touched.insert(card.clone());
            if self.touched.len() > PER_CARD_REPLAYS {
                self.replay_all = true;
                self.touched = HashSet::new();
            }
        }
    }

    /// One card's record as the log gave it before this merge (the projections are brought
    /// up to date at the commit).
    pub fn record_before(&self, card: &CardId) -> Result<Option<crate::store::CardRecord>, Error> {
        super::log::read_record(&self.tx, card).map_err(|e| self.err(&e))
    }

    /// Whether the log holds the entry with id `id` as one merged from `device`'s file.
    pub fn merged_from(&self, device: &str, id: &ReviewId) -> Result<bool, Error> {
        self.tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM review WHERE id = ?1 AND device = ?2)")
            .and_then(|mut stmt| stmt.query_row(params![id.0, device], |r| r.get(0)))
            .map_err(|e| self.err(&e))
    }

    /// Replaces the log entry with `entry`'s id by `entry`: how two devices that hold
    /// different entries under one id converge (every device keeps the same one, see
    /// `recall sync`). The only change ever made to a logged entry, so the log's guard against
    /// deletion is lifted for this one statement and put back as it was. The commit replays
    /// the whole log.
    pub fn replace(&mut self, entry: &LogEntry) -> Result<(), Error> {
        let tx = &self.tx;
        let replace = || -> rusqlite::Result<()> {
            let (device, device_seq): (String, Option<i64>) = tx.query_row(
                "SELECT device, device_seq FROM review WHERE id = ?1",
                params![entry.id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let guard: String = tx.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'review_no_delete'",
                [],
                |r| r.get(0),
            )?;
            tx.execute_batch("DROP TRIGGER review_no_delete")?;
            tx.execute("DELETE FROM review WHERE id = ?1", params![entry.id.0])?;
            tx.execute_batch(&guard)?;
            insert_entry_from(tx, entry, &device, device_seq)
        };
        replace().map_err(|e| self.err(&e))?;
        self.replay_all = true;
        self.changed = true;
        self.touched = HashSet::new();
        Ok(())
    }

    /// Records how far `device`'s file has been read, to be committed with the entries.
    /// `None` forgets it (the file is read from its start next time).
    pub fn set_file_mark(&self, device: &str, mark: Option<&FileMark>) -> Result<(), Error> {
        write_mark(&self.tx, device, mark).map_err(|e| self.err(&e))
    }

    /// Brings the projections up to date and commits everything: the cards with an entry
    /// added are replayed from their own entries, or, after a bulk merge, a replaced entry or
    /// more than a few thousand cards, the whole log. A bulk merge commits its entries first
    /// and replays in a second transaction (see `SyncMerge::commit_then_replay`).
    pub fn commit(mut self) -> Result<(), Error> {
        let finish = |merge: &mut Self| -> rusqlite::Result<()> {
            // The sorts that build the indexes again spill to temporary files past the cache's
            // size: a small cache bounds their memory.
            merge.tx.execute_batch("PRAGMA cache_size = -4096")?;
            for sql in std::mem::take(&mut merge.suspended) {
                merge.tx.execute_batch(&sql)?;
            }
            if !merge.changed {
                return merge.tx.execute_batch(CACHE_SIZE);
            }
            if merge.replay_all {
                // As `Store::rebuild` does: a whole replay gains little from a large cache.
                replace_projections(&merge.tx, &merge.device, &merge.rules)?;
            } else {
                replay_cards(&merge.tx, &merge.device, &merge.rules, &merge.touched)?;
            }
            merge.tx.execute_batch(CACHE_SIZE)
        };
        if self.bulk && self.replay_all && self.changed && self.path != ":memory:" {
            return self.commit_then_replay();
        }
        finish(&mut self).map_err(|e| self.err(&e))?;
        let path = self.path.clone();
        self.tx.commit().map_err(|e| store_error(&path, &e))
    }

    /// A bulk merge's commit in two transactions, so that the checkpoint of the first (the
    /// entries and the log's indexes, nearly the whole database after a million: 0.3-0.4 s
    /// of copying the WAL into the database and syncing it) runs on another connection while
    /// the second replays the log. The first also records a pending replay
    /// ([`MERGE_INTERRUPTED`]), which the second clears: a merge stopped between them leaves
    /// the log and the files' read positions whole, and the next command that opens the store
    /// replays the card states from the log (they are a projection of it), saying so.
    fn commit_then_replay(self) -> Result<(), Error> {
        let (conn, path, device, rules) = self.commit_entries()?;
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let replayed = std::thread::scope(|scope| {
            // Only an optimisation: a checkpoint that cannot run is left to the next one.
            scope.spawn(|| {
                if let Ok(other) = Connection::open(&path) {
                    let _ = other.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            });
            let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
            replace_projections(&tx, &device, &rules)?;
            tx.execute(
                "DELETE FROM meta WHERE key = 'replay_pending' AND value = ?1",
                params![MERGE_INTERRUPTED],
            )?;
            tx.execute_batch(CACHE_SIZE)?;
            tx.commit()
        });
        let restored = conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}"));
        replayed.and(restored).map_err(fail)
    }

    /// The first transaction of [`SyncMerge::commit_then_replay`]: the log's indexes back, the
    /// pending replay recorded (a pending replay already recorded, an upgrade's or a held-back
    /// fit's, keeps its reason), committed without a checkpoint on this thread. Returns what
    /// the second needs.
    fn commit_entries(self) -> Result<(&'s Connection, String, String, Rules), Error> {
        let Self {
            tx,
            conn,
            path,
            device,
            rules,
            suspended,
            ..
        } = self;
        let entries = || -> rusqlite::Result<()> {
            tx.execute_batch("PRAGMA cache_size = -4096")?;
            for sql in &suspended {
                tx.execute_batch(sql)?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('replay_pending', ?1)",
                params![MERGE_INTERRUPTED],
            )?;
            conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
            tx.commit()
        };
        entries().map_err(|e| {
            let _ = conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}"));
            store_error(&path, &e)
        })?;
        Ok((conn, path, device, rules))
    }

    /// A bulk merge that stops after committing its entries, as a process killed between the
    /// two transactions of its commit does.
    #[cfg(test)]
    pub(crate) fn commit_entries_only(self) -> Result<(), Error> {
        let (conn, path, ..) = self.commit_entries()?;
        conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}"))
            .map_err(|e| store_error(&path, &e))
    }
}
