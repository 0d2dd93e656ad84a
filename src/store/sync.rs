//! What sync and log imports need of the store: this device's own entries since a point, the
//! sync watermark, and merging other devices' entries.

use rusqlite::params;

use rusqlite::OptionalExtension as _;

use super::log::insert_entry_from;
use super::rows::{LOG_COLUMNS, entry_from_row};
use super::{LogEntry, Store, store_error};
use crate::error::Error;
use crate::types::ReviewId;

impl Store {
    /// This device's own entries appended after its `seq`-th, with their `seq`, for sync.
    pub fn local_since(&self, seq: i64) -> Result<Vec<(i64, LogEntry)>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LOG_COLUMNS}, seq FROM review WHERE device = '' AND seq > ?1 ORDER BY seq"
            ))
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map(params![seq], |row| Ok((row.get(31)?, entry_from_row(row)?)))
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

    /// The log entry with id `id`, if the log holds it.
    pub fn entry(&self, id: &ReviewId) -> Result<Option<LogEntry>, Error> {
        self.conn
            .prepare_cached(&format!("SELECT {LOG_COLUMNS} FROM review WHERE id = ?1"))
            .and_then(|mut stmt| stmt.query_row(params![id.0], entry_from_row).optional())
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

    /// Replaces the log entry with `entry`'s id by `entry`: how two devices that hold
    /// different entries under one id converge (every device keeps the same one, see
    /// `recall sync`). The only change ever made to a logged entry, so the log's guard against
    /// deletion is lifted for this one statement, inside the transaction, and put back as it
    /// was. The projections are rebuilt afterwards.
    pub fn replace_entry(&mut self, entry: &LogEntry) -> Result<(), Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let (device, device_seq): (String, Option<i64>) = tx
            .query_row(
                "SELECT device, device_seq FROM review WHERE id = ?1",
                params![entry.id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(fail)?;
        let guard: String = tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'review_no_delete'",
                [],
                |r| r.get(0),
            )
            .map_err(fail)?;
        tx.execute_batch("DROP TRIGGER review_no_delete")
            .map_err(fail)?;
        tx.execute("DELETE FROM review WHERE id = ?1", params![entry.id.0])
            .map_err(fail)?;
        tx.execute_batch(&guard).map_err(fail)?;
        insert_entry_from(&tx, entry, &device, device_seq).map_err(fail)?;
        tx.commit().map_err(fail)?;
        self.rebuild()?;
        Ok(())
    }
}
