//! This device's own file in a sync folder: checked before anything is appended (without
//! reading it, when it is as this device left it), repaired when a sync was interrupted while
//! appending or lines went missing, and appended to with the entries not yet written.

use std::io::Write as _;
use std::path::Path;

use super::file::{Got, LineReader, line_of, mark_of, parse_line, still_begins_with};
use super::shown;
use crate::error::Error;
use crate::store::{FileMark, Store};

/// What the check of this device's own file found.
#[derive(Debug, PartialEq, Eq)]
pub enum Own {
    /// The file holds exactly this device's entries up to the last one synced, in `lines`
    /// lines.
    Whole { lines: u64 },
    /// Another database writes to this file too (a copied `recall.db`).
    Shared,
}

/// Makes this device's own file whole before anything is appended: a sync interrupted while
/// appending leaves a half line, after which every later line would sit behind it.
///
/// When the file still begins as this device last left it (its recorded mark), only what
/// follows is read: lines of this device's own past the mark (an append whose sync was killed
/// before it was recorded) or a half line are cut off, and written again by the append. A line
/// there whose entry this device does not hold means another database writes here. Otherwise
/// (no mark, a file rewritten or cut short) the whole file is read and compared with the log,
/// and rewritten whole (through a temporary file) from the log when it differs.
pub fn check(own: &Path, store: &Store, warnings: &mut Vec<String>) -> Result<Own, Error> {
    let exists = std::fs::metadata(own).is_ok_and(|m| m.is_file());
    let synced = store.synced_seq()?;
    let recorded = store.file_mark(store.device())?;
    if let Some(mark) = recorded.filter(|_| exists)
        && still_begins_with(own, &mark)?
    {
        return check_tail(own, store, &mark, warnings);
    }
    if !exists && synced == 0 {
        return Ok(Own::Whole { lines: 0 });
    }
    check_whole(own, store, synced, warnings)
}

/// The part of the own file past its mark: this device's, or another database's.
fn check_tail(
    own: &Path,
    store: &Store,
    mark: &FileMark,
    warnings: &mut Vec<String>,
) -> Result<Own, Error> {
    let length = std::fs::metadata(own).map_err(|e| Error::io(own, e))?.len();
    if length == mark.offset {
        return Ok(Own::Whole { lines: mark.lines });
    }
    let mut reader = LineReader::open(own, mark.offset, mark.lines)?;
    let mut damaged = 0;
    while let Some(got) = reader.next_line().map_err(|e| Error::io(own, e))? {
        match (got, parse_line(&reader.line)) {
            (Got::Whole { too_long: false }, Ok((_, entry))) => {
                if store.local_seq(&entry.id)?.is_none() {
                    return Ok(Own::Shared);
                }
            }
            _ => damaged += 1,
        }
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(own)
        .map_err(|e| Error::io(own, e))?;
    file.set_len(mark.offset)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(own, e))?;
    if damaged > 0 {
        warnings.push(format!(
            "{}: repaired this device's file (an interrupted sync): {damaged} damaged line(s) dropped, the entries after them written again",
            shown(own)
        ));
    }
    Ok(Own::Whole { lines: mark.lines })
}

/// Reads the whole own file: another database's entry in it means it is shared; otherwise it
/// is left alone when it is byte for byte the log's entries up to the last one synced, and
/// written again from the log when it is not.
fn check_whole(
    own: &Path,
    store: &Store,
    synced: i64,
    warnings: &mut Vec<String>,
) -> Result<Own, Error> {
    let mut held = blake3::Hasher::new();
    let (mut damaged, mut lines) = (0, 0u64);
    if std::fs::metadata(own).is_ok_and(|m| m.is_file()) {
        let mut reader = LineReader::open(own, 0, 0)?;
        while let Some(got) = reader.next_line().map_err(|e| Error::io(own, e))? {
            match (got, parse_line(&reader.line)) {
                (Got::Whole { too_long: false }, Ok((_, entry))) => {
                    if store.local_seq(&entry.id)?.is_none() {
                        return Ok(Own::Shared);
                    }
                    held.update(&reader.line);
                    held.update(b"\n");
                    lines += 1;
                }
                _ => damaged += 1,
            }
        }
    }
    let mut expected = blake3::Hasher::new();
    let mut written = 0u64;
    store.local_for_each_since(0, |seq, entry| {
        if seq <= synced {
            expected.update(line_of(seq, &entry).as_bytes());
            expected.update(b"\n");
            written += 1;
        }
        Ok(())
    })?;
    if damaged == 0 && held.finalize() == expected.finalize() {
        return Ok(Own::Whole { lines });
    }
    crate::partial::write(own, |out| {
        let mut out = std::io::BufWriter::new(out);
        store.local_for_each_since(0, |seq, entry| {
            if seq <= synced {
                writeln!(out, "{}", line_of(seq, &entry)).map_err(|e| Error::io(own, e))?;
            }
            Ok(())
        })?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(own, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(own, e))
    })?;
    let missing = written.saturating_sub(lines);
    warnings.push(format!(
        "{}: repaired this device's file (an interrupted sync): {damaged} damaged line(s) dropped, {missing} entr{} written again",
        shown(own),
        if missing == 1 { "y" } else { "ies" }
    ));
    Ok(Own::Whole { lines: written })
}

/// Appends this device's entries not yet synced to its own file (made whole by [`check`],
/// `lines` long), one at a time, then records in one transaction the last one written and the
/// file's new mark. Returns how many it wrote.
pub fn append(own: &Path, store: &mut Store, lines: u64) -> Result<usize, Error> {
    let since = store.synced_seq()?;
    let recorded = store.file_mark(store.device())?;
    // Opened at the first entry: a device with nothing to write leaves no empty file.
    let mut out: Option<std::io::BufWriter<std::fs::File>> = None;
    let (mut written, mut last) = (0usize, since);
    store.local_for_each_since(since, |seq, entry| {
        if out.is_none() {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(own)
                .map_err(|e| Error::io(own, e))?;
            out = Some(std::io::BufWriter::with_capacity(256 * 1024, file));
        }
        let Some(out) = &mut out else {
            return Ok(());
        };
        writeln!(out, "{}", line_of(seq, &entry)).map_err(|e| Error::io(own, e))?;
        written += 1;
        last = seq;
        Ok(())
    })?;
    if let Some(out) = out {
        let file = out
            .into_inner()
            .map_err(|e| Error::io(own, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(own, e))?;
    }
    // The mark, also when nothing was written but the file was checked whole without one (a
    // first sync after an upgrade, a repair): the next sync then need not read it.
    let Ok(metadata) = std::fs::metadata(own) else {
        return Ok(written);
    };
    let mark = mark_of(own, metadata.len(), lines + written as u64)?;
    if written > 0 || recorded.as_ref() != Some(&mark) {
        store.set_synced(last, &mark)?;
    }
    Ok(written)
}
