//! Other devices' files in a sync folder: each read from where the last sync stopped (from its
//! start when it no longer begins as it did), its entries checked ([`admit`]) and merged in
//! one transaction with the positions read, and conflicts resolved by content hash.

use std::path::{Path, PathBuf};

use super::file::{LineReader, Parsed, content_hash, mark_of, parsed_lines, still_begins_with};
use super::shown;
use crate::clock::Horizon;
use crate::display::inert;
use crate::error::Error;
use crate::store::{EntryKind, FileMark, LogEntry, Merged, Store, SyncMerge};
use crate::types::ReviewId;

/// The most a device file may hold: far beyond any learner's history (a million reviews are
/// about 400 MB of lines; 64 years of 400 answers a day).
pub const MAX_DEVICE_FILE: u64 = 1024 * 1024 * 1024;

/// Another device's file, and where to read it from.
pub struct Pending {
    pub path: PathBuf,
    /// The device id: the file's name without `.jsonl`.
    pub device: String,
    /// Where reading starts: the recorded mark, or the start.
    pub from: FileMark,
    /// The file's length now.
    pub length: u64,
}

impl Pending {
    /// Bytes to read.
    pub fn unread(&self) -> u64 {
        self.length.saturating_sub(self.from.offset)
    }
}

/// Every other device's file in `dir` (not `own`), with where to read it from: where the last
/// sync stopped, when the file still begins as it did then; its start otherwise (a warning
/// says so when it had been read before). Files that cannot be read are skipped with a
/// warning: not regular files (a directory, a FIFO, a device), larger than 1 GiB.
pub fn pending(
    store: &Store,
    dir: &Path,
    own: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<Pending>, Error> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && p != own)
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                warnings.push(format!("{}: skipped: {e}", shown(&path)));
                continue;
            }
        };
        if !metadata.is_file() {
            warnings.push(format!(
                "{}: skipped: not a regular file (a directory, FIFO or device)",
                shown(&path)
            ));
            continue;
        }
        if metadata.len() > MAX_DEVICE_FILE {
            warnings.push(format!(
                "{}: skipped: larger than {} MiB",
                shown(&path),
                MAX_DEVICE_FILE / (1024 * 1024)
            ));
            continue;
        }
        let device = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let start = FileMark {
            offset: 0,
            lines: 0,
            mark: String::new(),
        };
        let from = match store.file_mark(&device)? {
            Some(mark) if still_begins_with(&path, &mark)? => mark,
            Some(_) => {
                warnings.push(format!(
                    "{}: read again from its start: it no longer begins as when last read (written again, or cut short)",
                    shown(&path)
                ));
                start
            }
            None => start,
        };
        files.push(Pending {
            path,
            device,
            from,
            length: metadata.len(),
        });
    }
    Ok(files)
}

/// Whether an entry of another device's file may come in.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// Dated after `horizon` or before 1970: a later sync takes it once its day has come.
    HeldBack,
    /// An undo of an entry that is not its own device's: never.
    Refused,
}

/// What another device's entry may bring in: an entry `horizon` does not admit is held back,
/// an undo of an entry that is not from the same file (`from_same_file`) is refused.
pub fn admit(
    entry: &LogEntry,
    horizon: &Horizon,
    from_same_file: impl FnOnce(&ReviewId) -> Result<bool, Error>,
) -> Result<Admission, Error> {
    if !horizon.admits_day(entry.day) || !horizon.admits(entry.reviewed_at) {
        return Ok(Admission::HeldBack);
    }
    if entry.kind == EntryKind::Undo {
        let own = match &entry.undoes {
            Some(target) => from_same_file(target)?,
            None => false,
        };
        if !own {
            return Ok(Admission::Refused);
        }
    }
    Ok(Admission::Admitted)
}

/// What merging the folder's files did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merge {
    /// Entries added to the log.
    pub merged: usize,
    /// Entries the log held already.
    pub present: usize,
    /// Review ids that held different content here and there.
    pub conflicts: usize,
}

/// Reads each file from where it is to be read, one line at a time, and merges what may come
/// in, recording in the same transaction how far each was read. One content per review id,
/// the same on every device: of two copies the one with the smaller [`content_hash`] stays.
/// A file's position stops before its first held-back entry (a later sync reads it again from
/// there) and before an unfinished last line.
pub fn merge_files(
    merge: &mut SyncMerge<'_>,
    files: &[Pending],
    horizon: &Horizon,
    warnings: &mut Vec<String>,
) -> Result<Merge, Error> {
    let mut totals = Merge::default();
    for file in files {
        // Nothing new, unless the file is read from its start (then its mark is written even
        // when it is empty now, so that it is not read again).
        if file.unread() == 0 && !file.from.mark.is_empty() {
            continue;
        }
        merge_file(merge, file, horizon, &mut totals, warnings)?;
    }
    Ok(totals)
}

fn merge_file(
    merge: &mut SyncMerge<'_>,
    file: &Pending,
    horizon: &Horizon,
    totals: &mut Merge,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let path = &file.path;
    let reader = LineReader::open(path, file.from.offset, file.from.lines)?;
    // Where the next sync starts: before the first entry held back, else after the last whole
    // line.
    let mut resume: Option<(u64, u64)> = None;
    let (mut held_back, mut refused) = (0usize, 0usize);
    let end = parsed_lines(reader, path, |parsed| {
        let (start, start_line, parsed) = match parsed {
            Parsed::Line {
                start,
                start_line,
                entry,
            } => (*start, *start_line, entry),
            // A last line cut short is a write still in progress elsewhere: next time.
            Parsed::Unfinished { start_line } => {
                warnings.push(format!(
                    "{}:{}: incomplete last line left for the next sync",
                    shown(path),
                    start_line + 1
                ));
                return Ok(());
            }
        };
        let (seq, entry) = match parsed {
            Ok(parsed) => parsed,
            Err(message) => {
                warnings.push(format!(
                    "{}:{}: damaged line skipped: {}",
                    shown(path),
                    start_line + 1,
                    inert(message)
                ));
                return Ok(());
            }
        };
        match admit(entry, horizon, |target| {
            merge.merged_from(&file.device, target)
        })? {
            Admission::Admitted => {}
            Admission::HeldBack => {
                held_back += 1;
                resume.get_or_insert((start, start_line));
                return Ok(());
            }
            Admission::Refused => {
                refused += 1;
                return Ok(());
            }
        }
        match merge.merge(&file.device, *seq, entry)? {
            Merged::Added => totals.merged += 1,
            Merged::Present => totals.present += 1,
            Merged::Differs(here) => {
                let (theirs, ours) = (content_hash(entry), content_hash(&here));
                if theirs == ours {
                    totals.present += 1;
                    return Ok(());
                }
                totals.conflicts += 1;
                if theirs < ours {
                    merge.replace(entry)?;
                }
                warnings.push(format!(
                    "{}: review {} differs from the copy here; every device keeps the same one",
                    shown(path),
                    inert(&entry.id.0)
                ));
            }
        }
        Ok(())
    })?;
    if held_back > 0 {
        warnings.push(format!(
            "{}: {}",
            shown(path),
            horizon.held_back(held_back, if held_back == 1 { "entry" } else { "entries" })
        ));
    }
    if refused > 0 {
        warnings.push(format!(
            "{}: {refused} undo entr{} refused: an undo may only take back its own device's reviews",
            shown(path),
            if refused == 1 { "y" } else { "ies" }
        ));
    }
    let (offset, lines) = resume.unwrap_or(end);
    let mark = mark_of(path, offset, lines)?;
    merge.set_file_mark(&file.device, Some(&mark))
}
