//! The append-only review log: appending (one durable transaction per answer, or many in
//! bulk), reading it back in replay order, and consistent reads.

use std::collections::HashMap;
use std::sync::LazyLock;

use rusqlite::{Connection, Statement, params};

use super::replay::project;
use super::rows::{
    LOG_COLUMNS, LOG_INSERT_COLUMNS, RECORD_COLUMNS, columns, entry_from_row, record_from,
    step_columns, write_record,
};
use super::{CardRecord, EntryKind, LogEntry, Store, day_number, store_error};
use crate::error::Error;
use crate::scheduler::{self, CardState};
use crate::types::{CardId, Grade};

impl Store {
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
    ///
    /// A scheduled review is applied to the card's state as it is now, read inside the write
    /// transaction, not as the caller last saw it: when another session (another process on
    /// the same database) has answered the card since, a review of a card already given its
    /// scheduled review today becomes a same-day re-drill (logged, schedule unchanged, SM-2's
    /// rule for re-drills), and otherwise its before- and after-states are those of the card
    /// now. Returns the entry as written.
    pub fn append(&mut self, entry: &LogEntry) -> Result<LogEntry, Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let (rules, balance) = (self.rules(None), self.balance);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let mut entry = entry.clone();
        if entry.kind == EntryKind::Review {
            let current = read_record(&tx, &entry.card_id)
                .map_err(fail)?
                .unwrap_or_default()
                .state;
            // Another session's scheduled review came in between (a rebuild or an undo
            // elsewhere changes nothing here: then the caller's state stands).
            let reviews = |s: &CardState| s.memory().map_or(0, |m| m.reviews);
            if current != entry.before && reviews(&current) > reviews(&entry.before) {
                entry.before = current;
                if current.memory().is_some_and(|m| m.last_review == entry.day) {
                    entry.kind = EntryKind::Drill;
                    entry.until = None;
                    entry.after = scheduler::step_answer(
                        current,
                        entry.grade.unwrap_or(Grade::AGAIN),
                        entry.day,
                        entry.reviewed_at.timestamp_millis(),
                        entry.card_id.as_str(),
                        &rules,
                    );
                } else {
                    let mut card_log =
                        read_log(&tx, Some(&entry.card_id), &self.device).map_err(fail)?;
                    card_log.push(entry.clone());
                    entry.after = project(&card_log, &rules)
                        .remove(&entry.card_id)
                        .unwrap_or_default()
                        .state;
                }
            }
        }
        // Load balancing and easy days choose the due date here, where every other card's
        // due date is known and no other writer can move one meanwhile (after any turn into a
        // re-drill: they only act on scheduled reviews).
        let entry = super::balance::balanced(&tx, &entry, balance).map_err(fail)?;
        insert_entry(&tx, &entry).map_err(fail)?;
        if entry.kind != EntryKind::Cram {
            let card_log = read_log(&tx, Some(&entry.card_id), &self.device).map_err(fail)?;
            let record = project(&card_log, &rules)
                .remove(&entry.card_id)
                .unwrap_or_default();
            write_record(&tx, &entry.card_id, &record).map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(entry)
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
    pub(super) fn keep_temporary_files_in_memory(&self, on: bool) -> Result<(), Error> {
        self.conn
            .pragma_update(None, "temp_store", if on { "MEMORY" } else { "DEFAULT" })
            .map_err(|e| self.err(&e))
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
}

impl Store {
    /// One card's projected record, if it has one (a card never answered has none).
    pub fn record(&self, card: &CardId) -> Result<Option<CardRecord>, Error> {
        read_record(&self.conn, card).map_err(|e| self.err(&e))
    }

    /// The ids of the suspended cards.
    pub fn suspended_cards(&self) -> Result<std::collections::HashSet<String>, Error> {
        let fail = |e: rusqlite::Error| self.err(&e);
        let mut stmt = self
            .conn
            .prepare("SELECT card_id FROM card_state WHERE suspended")
            .map_err(fail)?;
        stmt.query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(fail)
    }
}

/// One card's projected record, if it has one.
pub(super) fn read_record(
    conn: &Connection,
    card: &CardId,
) -> rusqlite::Result<Option<CardRecord>> {
    use rusqlite::OptionalExtension as _;
    conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM card_state WHERE card_id = ?1"
    ))?
    .query_row(params![card.0], record_from)
    .optional()
}

/// The replay order: time, then the writing device (this one under its own id), then that
/// device's own append order. Every device merging the same logs replays them identically.
pub(super) const REPLAY_ORDER: &str = "ORDER BY reviewed_at,
    CASE WHEN device = '' THEN ?1 ELSE device END, coalesce(device_seq, seq)";

/// The log, or one card's part of it, in replay order.
pub(super) fn read_log(
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

pub(super) fn insert_entry(conn: &Connection, entry: &LogEntry) -> rusqlite::Result<()> {
    insert_entry_from(conn, entry, "", None)
}

/// Inserts an entry written by `device` (`""`: this one) as its `device_seq`-th.
pub(super) fn insert_entry_from(
    conn: &Connection,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
) -> rusqlite::Result<()> {
    insert_with(conn, entry, device, device_seq, false).map(|_| ())
}

/// [`insert_entry_from`] unless the log already holds an entry with its id: returns whether
/// it was inserted. One statement does both (the id's unique index answers), where a lookup
/// first would search that index twice for every entry a merge brings.
pub(super) fn insert_entry_if_new(
    conn: &Connection,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
) -> rusqlite::Result<bool> {
    insert_with(conn, entry, device, device_seq, true).map(|n| n == 1)
}

/// The statement [`insert_entry_if_new_with`] runs, prepared to be kept by a caller that
/// inserts many entries.
pub(super) fn insert_if_new_statement(conn: &Connection) -> rusqlite::Result<Statement<'_>> {
    conn.prepare(&INSERT_IF_NEW)
}

/// [`insert_entry_if_new`] through `insert`, from [`insert_if_new_statement`].
pub(super) fn insert_entry_if_new_with(
    insert: &mut Statement<'_>,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
) -> rusqlite::Result<bool> {
    insert_into(insert, entry, device, device_seq).map(|n| n == 1)
}

/// The statement that inserts a log entry (`?28`, `?29`: its device and place there).
fn insert_statement(conflict: &str) -> String {
    format!(
        "INSERT INTO review ({LOG_INSERT_COLUMNS}, device, device_seq) VALUES
            (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
             ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?30, ?31, ?32, ?33, ?28, ?29) {conflict}"
    )
}

// Written once: a merge inserts a million entries, and formatting the text for each (to find
// the cached statement) was 2% of it.
static INSERT: LazyLock<String> = LazyLock::new(|| insert_statement(""));
static INSERT_IF_NEW: LazyLock<String> =
    LazyLock::new(|| insert_statement("ON CONFLICT (id) DO NOTHING"));

/// Inserts `entry`, or with `if_new` only when the log holds no entry with its id; returns
/// the rows inserted.
fn insert_with(
    conn: &Connection,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
    if_new: bool,
) -> rusqlite::Result<usize> {
    let mut insert = conn.prepare_cached(if if_new { &INSERT_IF_NEW } else { &INSERT })?;
    insert_into(&mut insert, entry, device, device_seq)
}

/// Runs `insert` (an insert statement of this module's) for `entry`.
fn insert_into(
    insert: &mut Statement<'_>,
    entry: &LogEntry,
    device: &str,
    device_seq: Option<i64>,
) -> rusqlite::Result<usize> {
    let before = columns(&entry.before);
    let after = columns(&entry.after);
    let (b_rep, b_ef, b_ivl, b_due, b_lapses, b_reviews) = before.sm2;
    let (a_rep, a_ef, a_ivl, a_due, a_lapses, a_reviews) = after.sm2;
    let (b_last, b_stab, b_diff) = before.extra;
    let (a_last, a_stab, a_diff) = after.extra;
    let (b_step, b_step_due) = step_columns(&entry.before);
    let (a_step, a_step_due) = step_columns(&entry.after);
    insert.execute(params![
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
        b_step,
        b_step_due,
        a_step,
        a_step_due,
    ])
}
