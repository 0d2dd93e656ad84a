//! `recall check`, the store's side: `SQLite`'s integrity check, and the repairs that need
//! nothing but the log (Anki's "Check Database" is the model). Indexes are rebuilt with
//! `REINDEX`; the derived tables (card states, activity, the card catalog) are emptied and
//! rebuilt from the log when they are what is damaged. The log itself is never changed here:
//! when it is damaged, the only repair is a backup.

use super::{Store, store_error};
use crate::error::Error;

/// The tables that are caches over the log or the deck files, emptied when damaged. Order
/// matters: `card_state` before the catalog, whose triggers it runs.
const DERIVED: &[&str] = &[
    "card_state",
    "day_activity",
    "card_activity",
    "card_copy",
    "card",
    "deck_file",
];

/// What [`Store::check`] found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// The integrity check's complaints before any repair (empty when healthy).
    pub problems: Vec<String>,
    /// What was done, in order, as sentences.
    pub repairs: Vec<String>,
    /// Complaints still there after the repairs (empty when the database is whole).
    pub remaining: Vec<String>,
    /// Cards with a schedule after the projections were rebuilt from the log.
    pub cards: usize,
    /// Entries in the log.
    pub entries: i64,
}

impl Store {
    /// `PRAGMA integrity_check`'s complaints (at most 100); empty when the file is whole.
    pub fn integrity_problems(&self) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check(100)")
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| self.err(&e))?;
        let lines: Vec<String> = rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))?;
        Ok(if lines == ["ok"] { Vec::new() } else { lines })
    }

    /// Refuses to go on with a database that fails `PRAGMA quick_check`: what commands that
    /// bring in much from elsewhere (`sync`, `import`) call first, so damage is never
    /// written over. The check reads the whole file, so the daily answer path does not run
    /// it; `SQLite` reports the damage it meets there by itself. It reads each page once, so
    /// with a small page cache ([`Store::reading_once`]): with the usual one, the pages it
    /// read stayed with the process beside what the command held (16 MB of the peak of a
    /// `sync --anki` bringing a million answers).
    pub fn ensure_whole(&self) -> Result<(), Error> {
        let first: String = self.reading_once(|| {
            self.conn
                .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
                .map_err(|e| self.err(&e))
        })?;
        if first == "ok" {
            return Ok(());
        }
        Err(Error::Store {
            path: self.path.clone(),
            message: format!(
                "is damaged ({first}); nothing was written. Run `recall check` to repair what the log allows"
            ),
        })
    }

    /// Checks the database and repairs what the log allows: rebuilds every index, empties
    /// damaged derived tables, and rebuilds the card states and activity from the log.
    pub fn check(&mut self) -> Result<CheckReport, Error> {
        let mut report = CheckReport {
            problems: self.integrity_problems()?,
            ..CheckReport::default()
        };
        if !report.problems.is_empty() {
            self.conn
                .execute_batch("REINDEX")
                .map_err(|e| self.err(&e))?;
            report.repairs.push("rebuilt every index (REINDEX)".into());
            if !self.integrity_problems()?.is_empty() {
                let path = self.path.clone();
                let fail = |e: rusqlite::Error| store_error(&path, &e);
                let tx = self
                    .conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(fail)?;
                for table in DERIVED {
                    tx.execute_batch(&format!("DELETE FROM {table}"))
                        .map_err(fail)?;
                }
                tx.commit().map_err(fail)?;
                self.conn
                    .execute_batch("REINDEX; VACUUM")
                    .map_err(|e| self.err(&e))?;
                report.repairs.push(
                    "emptied the card states, activity and card catalog, to be rebuilt from the log and the deck files"
                        .into(),
                );
            }
        }
        report.remaining = self.integrity_problems()?;
        if report.remaining.is_empty() {
            report.cards = self.rebuild()?;
            report.repairs.push(format!(
                "rebuilt the card states and activity from the log ({} cards with a schedule)",
                report.cards
            ));
        }
        report.entries = self
            .conn
            .query_row("SELECT count(*) FROM review", [], |r| r.get(0))
            .map_err(|e| self.err(&e))?;
        Ok(report)
    }
}
