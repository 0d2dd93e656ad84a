//! `recall sync DIR`: multi-device history through a shared folder. Each device appends its
//! own entries to `DIR/<device-id>.jsonl` and never writes another device's file, so a file
//! syncer (or git) never sees two writers on one file; merging by review id is idempotent,
//! and the replay order (time, device, device order) makes it order-independent.
//!
//! A sync costs what changed: each file is read as a stream from where the last sync stopped
//! (the store keeps, per device, the offset reached and a fingerprint of what came before it,
//! committed in the same transaction as the entries merged), and this device appends only its
//! entries not yet written. A file that no longer begins as it did is read from its start.
//!
//! The folder is shared, not trusted. What arrives is checked before it is merged, and
//! nothing in it can stop a sync for good:
//! - this device's own file is repaired first when a sync was interrupted while appending (a
//!   half line) or lost entries ([`own`]);
//! - a damaged line of another device's file is skipped with a warning, and a name ending in
//!   `.jsonl` that is not a regular file (a FIFO, a directory, a device) is skipped;
//! - a review dated after tomorrow or before 1970 is held back (`clock::Horizon`, the rule
//!   every way in follows); an undo may only take back its own device's entries;
//! - an FSRS parameter fit outside FSRS's own ranges is refused, one dated as a review would
//!   be held back is held back ([`parameters`]);
//! - one review id with two different contents is resolved the same way on every device: the
//!   content with the smaller hash wins, so devices converge;
//! - another database writing under this device's id (a copied `recall.db`) is noticed, and
//!   this one takes a new id.
//!
//! All SQL is the store's (`store::sync`); this module owns the files.

pub mod file;
pub mod merge;
pub mod own;
pub mod parameters;

use std::path::{Path, PathBuf};

use crate::clock::Horizon;
use crate::display::inert;
use crate::error::Error;
use crate::store::Store;

/// A path as a warning shows it (control characters made visible).
pub(crate) fn shown(path: &Path) -> String {
    inert(&path.display().to_string())
}

/// What a sync did, for the command to print.
#[derive(Debug, Default)]
pub struct Report {
    /// This device's file.
    pub own: PathBuf,
    /// Entries this device wrote to it.
    pub written: usize,
    /// Other devices' files read.
    pub devices: usize,
    pub merge: merge::Merge,
    /// FSRS parameter fits new here.
    pub fits: usize,
    pub warnings: Vec<String>,
}

/// The line bytes a sync counts for one entry when it weighs its work (a device file's lines
/// are 300 to 500 bytes).
const LINE_BYTES: u64 = 300;

/// Above this many bytes to read, a merge is a bulk one (see `Store::begin_merge`): about
/// ten thousand entries.
const BULK_BYTES: u64 = 3 * 1024 * 1024;

/// Syncs `store` with the folder `dir` (created if missing): this device's file made whole and
/// appended to, every other device's file read from where the last sync stopped and merged,
/// and the FSRS parameter fits exchanged. `horizon`: what is dated after it is held back.
///
/// Before writing much (a tenth of the log or more, counting entries to write and bytes to
/// read), the database is checked with `quick_check` and a damaged one refused: the check
/// reads the whole file (2.9 s at a million reviews), so a daily sync of a few entries leaves
/// it to `SQLite`, which reports the damage it meets.
pub fn sync(store: &mut Store, dir: &Path, horizon: &Horizon) -> Result<Report, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut warnings = Vec::new();

    // 0. This device's own file: whole, and written by this database alone.
    let mut own = dir.join(format!("{}.jsonl", store.device()));
    let mut state = own::check(&own, store, &mut warnings)?;
    if state == own::Own::Shared {
        let old = store.device().to_string();
        let new = store.renew_device()?;
        warnings.push(format!(
            "another database also syncs as {} (a copied recall.db?); this one is now {}",
            inert(&old),
            inert(&new)
        ));
        own = dir.join(format!("{new}.jsonl"));
        state = own::check(&own, store, &mut warnings)?;
    }
    let own::Own::Whole { lines } = state else {
        return Err(Error::Usage(format!(
            "{}: another database writes this file too",
            shown(&own)
        )));
    };

    // 1. What there is to do, and whether it is much.
    let files = merge::pending(store, dir, &own, &mut warnings)?;
    let unread: u64 = files.iter().map(merge::Pending::unread).sum();
    let fresh = store.local_count_since(store.synced_seq()?)?;
    let work = fresh.unsigned_abs() + unread / LINE_BYTES;
    if work > 0 && work.saturating_mul(10) >= store.log_size()?.unsigned_abs() {
        store.ensure_whole()?;
    }

    // 2. This device's new entries, appended to its own file.
    let written = own::append(&own, store, lines)?;

    // 3. Every other device's file, from where it was left.
    let mut totals = merge::Merge::default();
    if files
        .iter()
        .any(|f| f.unread() > 0 || f.from.mark.is_empty())
    {
        let mut transaction = store.begin_merge(unread > BULK_BYTES)?;
        totals = merge::merge_files(&mut transaction, &files, horizon, &mut warnings)?;
        transaction.commit()?;
    }

    let device = store.device().to_string();
    let fits = parameters::sync_parameters(store, dir, &device, horizon, &mut warnings)?;
    Ok(Report {
        own,
        written,
        devices: files.len(),
        merge: totals,
        fits,
        warnings,
    })
}

#[cfg(test)]
mod tests;
