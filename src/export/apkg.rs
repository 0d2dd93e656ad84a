//! `.apkg` files: a zip of an Anki collection (`collection.anki2`) and its media map
//! (`media`, here always `{}`), written for export. Cards born in Anki go back as their own
//! notes, under their own note types; recall's cards as notes of "Basic (recall)". Reading packages is
//! [`crate::import::anki`]'s.

use std::fs::File;
use std::io::{BufWriter, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{Item, Selection};
use crate::error::Error;
use crate::import::html;
use crate::scheduler::CardState;
use crate::store::anki::{self, AnkiNote, AnkiNoteCard, AnkiSchedule, RevlogRow};
use crate::store::{EntryKind, LogEntry};
use crate::types::CardId;

/// An `.apkg` written a card at a time: the collection goes to a
/// temporary file as the cards come, and is compressed into the package at the end.
pub struct Writer {
    /// Holds the collection until the package is written.
    dir: tempfile::TempDir,
    collection: anki::CollectionWriter,
    /// With progress: each exported card's Anki id, for its answers in the review log.
    anki_ids: std::collections::HashMap<CardId, i64>,
    /// The collection's creation day (UTC), from which Anki counts review cards' due days.
    created: chrono::NaiveDate,
    /// The note type of recall's clozes, added to the package with the first of them.
    cloze_type: std::sync::Arc<crate::deck::anki::AnkiNoteType>,
}

impl Writer {
    /// Starts a package for the cards of `selection`. `now_ms` is the modification time
    /// written everywhere, so the same cards give the same bytes.
    pub fn start(selection: &Selection, now_ms: i64) -> Result<Writer, Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let decks: Vec<String> = selection.decks.iter().map(super::anki_deck).collect();
        let collection = anki::CollectionWriter::create(&Self::path(&dir), &decks, now_ms)?;
        let created = chrono::DateTime::from_timestamp_millis(now_ms)
            .unwrap_or_default()
            .date_naive();
        Ok(Writer {
            dir,
            collection,
            anki_ids: std::collections::HashMap::new(),
            created,
            cloze_type: std::sync::Arc::new(super::recall_cloze_note_type()),
        })
    }

    fn path(dir: &tempfile::TempDir) -> std::path::PathBuf {
        dir.path().join("collection.anki2")
    }

    /// `--with-progress`: gives the card added last (`id` in recall) the schedule recall keeps
    /// for it — a review card with its due day, interval, ease or FSRS memory, reviews and
    /// lapses — and remembers it for [`Writer::answers`]. A new card stays new.
    pub fn progress(&mut self, id: &CardId, state: &CardState) -> Result<(), Error> {
        let anki_id = self.collection.last_card();
        self.anki_ids.insert(id.clone(), anki_id);
        let Some(memory) = state.memory() else {
            return Ok(());
        };
        let data = memory.fsrs.map_or_else(String::new, |f| {
            format!("{{\"s\":{:.4},\"d\":{:.4}}}", f.stability, f.difficulty)
        });
        self.collection.schedule_last(&AnkiSchedule {
            due_days: (memory.due - self.created).num_days(),
            interval: i64::from(memory.interval),
            factor: i64::from(memory.easiness.hundredths()) * 10,
            reps: i64::from(memory.reviews),
            lapses: i64::from(memory.lapses),
            data,
        })?;
        Ok(())
    }

    /// `--with-progress`: the answers to the exported cards in Anki's review log, one row per
    /// answer not taken back, with unique ids (the answer's time in ms).
    pub fn answers(&mut self, log: &[LogEntry]) -> Result<usize, Error> {
        let undone: std::collections::HashSet<&str> = log
            .iter()
            .filter(|e| e.kind == EntryKind::Undo)
            .filter_map(|e| e.undoes.as_ref().map(|u| u.0.as_str()))
            .collect();
        let mut ids = std::collections::HashSet::new();
        let mut written = 0;
        for entry in log {
            let (Some(grade), Some(&card)) = (entry.grade, self.anki_ids.get(&entry.card_id))
            else {
                continue;
            };
            if !matches!(entry.kind, EntryKind::Review | EntryKind::Drill)
                || undone.contains(entry.id.0.as_str())
            {
                continue;
            }
            let mut id = entry.reviewed_at.timestamp_millis();
            while !ids.insert(id) {
                id += 1;
            }
            let interval = |state: &CardState| state.memory().map_or(0, |m| i64::from(m.interval));
            let kind = match (entry.kind, &entry.before) {
                (_, CardState::New) => 0,
                (EntryKind::Drill, _) => 2,
                _ => 1,
            };
            self.collection.revlog_row(&RevlogRow {
                id,
                card,
                ease: crate::anki_sync::ease_of(grade),
                interval: interval(&entry.after),
                last_interval: interval(&entry.before),
                factor: entry
                    .after
                    .memory()
                    .map_or(2500, |m| i64::from(m.easiness.hundredths()) * 10),
                time_ms: i64::from(entry.duration_ms),
                kind,
            })?;
            written += 1;
        }
        Ok(written)
    }

    /// Suspends the card added last, as Anki does (`queue` -1).
    pub fn suspend_last(&mut self) -> Result<(), Error> {
        self.collection.suspend_last()
    }

    /// Adds a card: one born in Anki to its own note under its own note type (the note's
    /// fields as [`Item::anki_fields`] gives them), any other as a note of recall's.
    pub fn card(&mut self, item: &Item<'_>) -> Result<(), Error> {
        // A cloze's cards are the cards of one Cloze note, deletion n its card n.
        if let Some(member) = item.cloze {
            let index = u32::try_from(member.index).unwrap_or(u32::MAX);
            return self.collection.add_anki_card(&AnkiNoteCard {
                guid: &item.guid(),
                note_type: &self.cloze_type,
                fields: &super::cloze_fields(&member.note),
                tags: &item.anki_tags(),
                deck: &item.anki_deck(),
                ord: index,
                flags: 0,
            });
        }
        if let (Some(born), Some(fields)) = (item.anki, item.anki_fields()) {
            return self.collection.add_anki_card(&AnkiNoteCard {
                guid: &item.guid(),
                note_type: &born.note_type,
                fields: &fields,
                tags: &item.anki_tags(),
                deck: &item.anki_deck(),
                ord: born.origin.ord,
                flags: born.origin.flags,
            });
        }
        self.collection.add(&AnkiNote {
            guid: item.guid(),
            front: html::escape(&item.card.front),
            back: html::escape(&item.card.back),
            tags: item.anki_tags(),
            deck: item.anki_deck(),
        })
    }

    /// Writes the package to `out`: the collection, compressed as it is read, and the media
    /// map.
    pub fn finish(self, out: File) -> Result<(), Error> {
        self.collection.finish()?;
        let path = Self::path(&self.dir);
        let mut collection = File::open(&path).map_err(|e| Error::io(&path, e))?;
        // A fixed timestamp inside the zip keeps exports byte-for-byte reproducible.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(DateTime::default());
        let fail = |e: &dyn std::fmt::Display| Error::Usage(format!("writing the package: {e}"));
        let mut zip = ZipWriter::new(BufWriter::new(out));
        zip.start_file("collection.anki2", options)
            .map_err(|e| fail(&e))?;
        let mut piece = vec![0; PIECE];
        loop {
            let filled = fill(&mut collection, &mut piece).map_err(|e| Error::io(&path, e))?;
            if filled == 0 {
                break;
            }
            zip.write_all(&piece[..filled]).map_err(|e| fail(&e))?;
        }
        zip.start_file("media", options).map_err(|e| fail(&e))?;
        zip.write_all(b"{}").map_err(|e| fail(&e))?;
        zip.finish()
            .map_err(|e| fail(&e))?
            .flush()
            .map_err(|e| fail(&e))
    }
}

/// The collection goes into the zip in pieces of this many bytes. What deflate writes depends
/// on how its input is cut, so pieces of one fixed size (full ones, however the file reads)
/// keep packages reproducible without holding the collection in memory.
const PIECE: usize = 64 * 1024;

/// Reads from `from` until `buffer` is full or the input ends; returns how much it read.
fn fill(from: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match from.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
