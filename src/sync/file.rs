//! A device file of a sync folder as bytes: one JSON object per line ([`Line`]), read as a
//! stream from a point on ([`LineReader`]), and the fingerprint ([`fingerprint`]) that says
//! whether a file still begins with the bytes read from it before.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::export::json::{JsonReview, JsonState};
use crate::store::{FileMark, LogEntry};

/// One line of a device file.
#[derive(Serialize, Deserialize)]
pub struct Line {
    /// The entry's place in its device's log.
    pub device_seq: i64,
    #[serde(flatten)]
    pub review: JsonReview,
}

/// The line (without its newline) for the `seq`-th entry of a device's log. The same entry
/// always gives the same bytes, so a file written again from the log starts as it did.
pub fn line_of(seq: i64, entry: &LogEntry) -> String {
    let line = Line {
        device_seq: seq,
        review: JsonReview::from_entry(entry),
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// A [`Line`] as read: the same fields, spelt out. `#[serde(flatten)]` makes serde buffer
/// every field of a line before it reads any (15% of merging a million lines); this reads
/// them in one pass. Fields it does not know are ignored, as [`Line`] ignores them.
#[derive(Deserialize)]
struct LineRead {
    device_seq: i64,
    id: String,
    card_id: String,
    reviewed_at: i64,
    day: chrono::NaiveDate,
    kind: String,
    grade: Option<u8>,
    duration_ms: u32,
    undoes: Option<String>,
    until: Option<chrono::NaiveDate>,
    before: Option<JsonState>,
    after: Option<JsonState>,
}

/// A line's entry and its place in its device's log, or why it is not one.
pub fn parse_line(raw: &[u8]) -> Result<(i64, LogEntry), String> {
    let line = serde_json::from_slice::<LineRead>(raw).map_err(|e| e.to_string())?;
    let review = JsonReview {
        id: line.id,
        card_id: line.card_id,
        reviewed_at: line.reviewed_at,
        day: line.day,
        kind: line.kind,
        grade: line.grade,
        duration_ms: line.duration_ms,
        undoes: line.undoes,
        until: line.until,
        before: line.before,
        after: line.after,
    };
    review.to_entry().map(|entry| (line.device_seq, entry))
}

/// A stable hash of an entry's content: where two devices hold different entries under one
/// id, each keeps the one with the smaller hash.
pub fn content_hash(entry: &LogEntry) -> String {
    let json = serde_json::to_string(&JsonReview::from_entry(entry)).unwrap_or_default();
    blake3::hash(json.as_bytes()).to_hex().to_string()
}

/// The bytes at each end of a file's read part that its fingerprint covers.
const FINGERPRINT_ENDS: u64 = 4096;

/// A fingerprint of a file's first `offset` bytes: BLAKE3 of `offset` and of the first and
/// last 4 KiB of them. `None` when the file is shorter. Two preads, whatever the file's size:
/// a file appended to keeps its fingerprint; one written again with other lines, cut short or
/// replaced almost never does. (Hashing the whole part would say it for sure, and cost a read
/// of the whole file at every sync, which is what offsets are for.)
pub fn fingerprint(file: &mut File, offset: u64) -> std::io::Result<Option<String>> {
    if file.metadata()?.len() < offset {
        return Ok(None);
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(&offset.to_le_bytes());
    let head = offset.min(FINGERPRINT_ENDS);
    let tail = offset.min(FINGERPRINT_ENDS);
    for (start, len) in [(0, head), (offset - tail, tail)] {
        let mut bytes = vec![0; usize::try_from(len).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut bytes)?;
        hasher.update(&bytes);
    }
    Ok(Some(hasher.finalize().to_hex().to_string()))
}

/// The mark of a file read or written up to `offset` (`lines` lines).
pub fn mark_of(path: &Path, offset: u64, lines: u64) -> Result<FileMark, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mark = fingerprint(&mut file, offset)
        .map_err(|e| Error::io(path, e))?
        .unwrap_or_default();
    Ok(FileMark {
        offset,
        lines,
        mark,
    })
}

/// Whether `path` still begins with the bytes `mark` was taken of.
pub fn still_begins_with(path: &Path, mark: &FileMark) -> Result<bool, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let now = fingerprint(&mut file, mark.offset).map_err(|e| Error::io(path, e))?;
    Ok(now.as_deref() == Some(mark.mark.as_str()))
}

/// The longest line kept: a device file's lines are under a kilobyte; a longer one is
/// damaged, and is skipped without being held.
const MAX_LINE: usize = 1024 * 1024;

/// One line as read.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    /// A whole line (its newline read), without the newline; empty when it was too long.
    Whole { too_long: bool },
    /// The file ends without a newline: a write still in progress, or cut short.
    Unfinished,
}

/// Reads a file line by line from a point on, never holding more than one line, and counts
/// where it is: the offset after the last whole line and the number of whole lines.
pub struct LineReader {
    reader: BufReader<File>,
    /// The current line's bytes.
    pub line: Vec<u8>,
    /// The offset just after the last whole line read.
    pub offset: u64,
    /// Whole lines read, counted from the file's start.
    pub lines: u64,
}

impl LineReader {
    /// Opens `path` at `from` (after `lines` lines).
    pub fn open(path: &Path, from: u64, lines: u64) -> Result<LineReader, Error> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(from))
            .map_err(|e| Error::io(path, e))?;
        Ok(LineReader {
            reader: BufReader::with_capacity(256 * 1024, file),
            line: Vec::new(),
            offset: from,
            lines,
        })
    }

    /// Reads the next line into [`LineReader::line`]; `None` at the end of the file.
    pub fn next_line(&mut self) -> std::io::Result<Option<Got>> {
        self.line.clear();
        let mut read = 0u64;
        let mut too_long = false;
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                return Ok((read > 0).then_some(Got::Unfinished));
            }
            let (part, whole) = match buffer.iter().position(|&b| b == b'\n') {
                Some(end) => (&buffer[..end], true),
                None => (buffer, false),
            };
            if self.line.len() + part.len() > MAX_LINE {
                too_long = true;
                self.line.clear();
            } else if !too_long {
                self.line.extend_from_slice(part);
            }
            let used = part.len() + usize::from(whole);
            read += used as u64;
            self.reader.consume(used);
            if whole {
                self.offset += read;
                self.lines += 1;
                return Ok(Some(Got::Whole { too_long }));
            }
        }
    }
}

/// A line of a device file as [`parsed_lines`] gives it.
// The small variant comes once per file at most: boxing the large one would cost an
// allocation per line for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A whole line that is not blank, which started `start` bytes into the file after
    /// `start_line` whole lines: its entry and place in its device's log, or why it is not one.
    Line {
        start: u64,
        start_line: u64,
        entry: Result<(i64, LogEntry), String>,
    },
    /// The file ends, after `start_line` whole lines, with a line without its newline: a
    /// write still in progress, or cut short. Always the last.
    Unfinished { start_line: u64 },
}

/// Lines handed from the reading thread to the caller's at a time, and batches that may wait
/// between the two: about 2,000 entries held at most, whatever the file's size.
const PARSED_BATCH: usize = 512;
const PARSED_WAITING: usize = 3;

/// Reads `reader`'s lines to the end, parses them on another thread, and calls `each` with
/// them in the file's order on this one (by reference: the batches go back to the reading
/// thread, which frees what it allocated; freed here, a million entries' strings took a tenth
/// of the merging thread's time in `free`); blank lines are left out. Returns where `reader`
/// stopped: the offset after the last whole line and the whole lines counted. Stops at the
/// first error `each` returns, or the first read error.
//
// Parsing (JSON, dates) costs a merge about as much CPU as inserting into the log: on a
// thread of its own it overlaps with the inserts. (The alternative, parsing in batches on
// the same thread, bounds memory as well and overlaps nothing.)
pub fn parsed_lines(
    mut reader: LineReader,
    path: &Path,
    mut each: impl FnMut(&Parsed) -> Result<(), Error>,
) -> Result<(u64, u64), Error> {
    std::thread::scope(|scope| {
        let (full, batches) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(PARSED_WAITING);
        let (done, handled_batches) = std::sync::mpsc::channel::<Vec<Parsed>>();
        let reading = scope.spawn(move || -> std::io::Result<(u64, u64)> {
            // A handled batch, emptied here, or a new one.
            let next = || {
                handled_batches.try_recv().map_or_else(
                    |_| Vec::with_capacity(PARSED_BATCH),
                    |mut batch| {
                        batch.clear();
                        batch
                    },
                )
            };
            let mut batch = next();
            loop {
                let (start, start_line) = (reader.offset, reader.lines);
                let Some(got) = reader.next_line()? else {
                    break;
                };
                let entry = match got {
                    Got::Unfinished => {
                        batch.push(Parsed::Unfinished { start_line });
                        break;
                    }
                    Got::Whole { too_long: true } => Err("longer than 1 MiB".to_string()),
                    Got::Whole { too_long: false } if reader.line.trim_ascii().is_empty() => {
                        continue;
                    }
                    Got::Whole { too_long: false } => parse_line(&reader.line),
                };
                batch.push(Parsed::Line {
                    start,
                    start_line,
                    entry,
                });
                if batch.len() == PARSED_BATCH {
                    // The caller stopped (an error): so does reading.
                    if full.send(std::mem::replace(&mut batch, next())).is_err() {
                        break;
                    }
                }
            }
            let _ = full.send(batch);
            Ok((reader.offset, reader.lines))
        });
        let handled = batches.iter().try_for_each(|batch| {
            batch.iter().try_for_each(&mut each)?;
            // Its strings are freed on the thread that allocated them (or reused).
            let _ = done.send(batch);
            Ok(())
        });
        // Unblocks the reading thread if `each` stopped it halfway.
        drop(batches);
        let read = match reading.join() {
            Ok(read) => read.map_err(|e| Error::io(path, e)),
            Err(panic) => std::panic::resume_unwind(panic),
        };
        handled?;
        read
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader_over(text: &[u8], from: u64) -> (tempfile::TempDir, LineReader) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        std::fs::write(&path, text).unwrap();
        let reader = LineReader::open(&path, from, 0).unwrap();
        (dir, reader)
    }

    #[test]
    fn lines_are_read_with_their_offsets_and_a_half_line_is_unfinished() {
        let (_dir, mut reader) = reader_over(b"one\ntwo\nhal", 0);
        assert_eq!(
            reader.next_line().unwrap(),
            Some(Got::Whole { too_long: false })
        );
        assert_eq!(reader.line, b"one");
        assert_eq!((reader.offset, reader.lines), (4, 1));
        reader.next_line().unwrap();
        assert_eq!(reader.line, b"two");
        assert_eq!(reader.next_line().unwrap(), Some(Got::Unfinished));
        assert_eq!(
            (reader.offset, reader.lines),
            (8, 2),
            "not past the half line"
        );
        assert_eq!(reader.next_line().unwrap(), None);
    }

    #[test]
    fn reading_resumes_at_an_offset() {
        let (_dir, mut reader) = reader_over(b"one\ntwo\n", 4);
        reader.next_line().unwrap();
        assert_eq!(reader.line, b"two");
        assert_eq!(reader.offset, 8);
    }

    #[test]
    fn a_line_past_the_limit_is_not_held() {
        let mut text = vec![b'x'; MAX_LINE + 10];
        text.extend_from_slice(b"\nok\n");
        let (_dir, mut reader) = reader_over(&text, 0);
        assert_eq!(
            reader.next_line().unwrap(),
            Some(Got::Whole { too_long: true })
        );
        assert!(reader.line.is_empty());
        reader.next_line().unwrap();
        assert_eq!(reader.line, b"ok");
    }

    /// What reading alone on this thread gives: each line not blank, where it started and
    /// its parse, and where the reader stopped.
    fn read_alone(text: &[u8]) -> (Vec<Parsed>, (u64, u64)) {
        let (_dir, mut reader) = reader_over(text, 0);
        let mut lines = Vec::new();
        loop {
            let (start, start_line) = (reader.offset, reader.lines);
            let entry = match reader.next_line().unwrap() {
                None => break,
                Some(Got::Unfinished) => {
                    lines.push(Parsed::Unfinished { start_line });
                    break;
                }
                Some(Got::Whole { too_long: true }) => Err("longer than 1 MiB".to_string()),
                Some(Got::Whole { .. }) if reader.line.trim_ascii().is_empty() => continue,
                Some(Got::Whole { .. }) => parse_line(&reader.line),
            };
            lines.push(Parsed::Line {
                start,
                start_line,
                entry,
            });
        }
        (lines, (reader.offset, reader.lines))
    }

    #[test]
    fn lines_parsed_on_another_thread_come_in_order_with_the_positions_read_alone_gives() {
        // Past a few batches, with blank, damaged and too long lines and a half line last.
        let mut text = Vec::new();
        for n in 0..(3 * PARSED_BATCH + 7) {
            match n % 5 {
                0 => text.extend_from_slice(b"\n"),
                1 => text.extend_from_slice(format!("not json {n}\n").as_bytes()),
                _ => text.extend_from_slice(format!("{{\"device_seq\":{n}}}\n").as_bytes()),
            }
        }
        text.extend_from_slice(&vec![b'x'; MAX_LINE + 1]);
        text.extend_from_slice(b"\n{\"half");
        let (alone, stopped) = read_alone(&text);
        let (dir, reader) = reader_over(&text, 0);
        let mut parsed = Vec::new();
        let end = parsed_lines(reader, &dir.path().join("d.jsonl"), |line| {
            parsed.push(line.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(parsed.len(), alone.len());
        assert!(parsed == alone, "the same lines in the same order");
        assert_eq!(end, stopped);
        assert!(matches!(parsed.last(), Some(Parsed::Unfinished { .. })));
    }

    #[test]
    fn an_error_while_lines_are_handled_stops_the_reading() {
        let text = "\n".repeat(10).replace('\n', "x\n").repeat(PARSED_BATCH);
        let (dir, reader) = reader_over(text.as_bytes(), 0);
        let mut handled = 0;
        let stopped = parsed_lines(reader, &dir.path().join("d.jsonl"), |_| {
            handled += 1;
            if handled == 3 {
                return Err(Error::Usage("stop".into()));
            }
            Ok(())
        });
        assert!(matches!(stopped, Err(Error::Usage(m)) if m == "stop"));
        assert_eq!(handled, 3, "no line handled after the error");
    }

    #[test]
    fn a_fingerprint_survives_an_append_and_not_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        std::fs::write(&path, "a\nb\n").unwrap();
        let mark = mark_of(&path, 4, 2).unwrap();
        std::fs::write(&path, "a\nb\nc\n").unwrap();
        assert!(still_begins_with(&path, &mark).unwrap(), "appended to");
        std::fs::write(&path, "a\nx\nc\n").unwrap();
        assert!(!still_begins_with(&path, &mark).unwrap(), "rewritten");
        std::fs::write(&path, "a\n").unwrap();
        assert!(!still_begins_with(&path, &mark).unwrap(), "cut short");
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;
    use crate::scheduler::{self, CardState, Rules};
    use crate::store::EntryKind;
    use crate::types::{CardId, Grade, ReviewId};

    #[test]
    fn a_line_written_reads_back_as_the_same_entry_and_as_the_flattened_form_reads_it() {
        let at: chrono::DateTime<chrono::Utc> = "2026-03-01T08:00:00Z".parse().unwrap();
        let grade = Grade::new(4).unwrap();
        let after = scheduler::answer(
            CardState::New,
            grade,
            at.date_naive(),
            at.timestamp_millis(),
            "c",
            &Rules::default(),
            None,
        );
        let entry = LogEntry {
            id: ReviewId("r1".into()),
            card_id: CardId("c".into()),
            reviewed_at: at,
            day: at.date_naive(),
            kind: EntryKind::Review,
            grade: Some(grade),
            duration_ms: 1200,
            undoes: None,
            until: None,
            before: CardState::New,
            after,
        };
        let text = line_of(7, &entry);
        // The line format keeps FSRS memory in thousandths and no learning step (a replay
        // computes both again): what comes back is what the flattened form reads.
        let flattened: Line = serde_json::from_str(&text).unwrap();
        let read = flattened.review.to_entry().unwrap();
        assert_eq!(parse_line(text.as_bytes()).unwrap(), (7, read.clone()));
        assert_eq!(read.id, entry.id);
        assert_eq!(line_of(7, &read), text, "written again, the same bytes");
        // A field from a later recall is ignored, as the flattened form ignores it.
        let later = text.replacen('{', "{\"new_field\":1,", 1);
        assert_eq!(parse_line(later.as_bytes()).unwrap().1, read);
        assert!(parse_line(b"{\"device_seq\":1}").is_err());
    }
}
