//! `.apkg` files: a zip of an Anki collection (`collection.anki2`) and its media map
//! (`media`, here always `{}`). Writing for export; reading, with the checks an untrusted file
//! needs, for import.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::{Item, Selection};
use crate::error::Error;
use crate::import::html;
use crate::store::anki::{self, AnkiNote, ReadNote};

/// Limits for a package from a stranger.
pub const MAX_ENTRIES: usize = 10_000;
/// The most that all entries together may uncompress to.
pub const MAX_UNCOMPRESSED: u64 = 512 * 1024 * 1024;

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {e}", path.display()))
}

/// An `.apkg` written a note at a time, one Basic note per card: the collection goes to a
/// temporary file as the cards come, and is compressed into the package at the end.
pub struct Writer {
    /// Holds the collection until the package is written.
    dir: tempfile::TempDir,
    collection: anki::CollectionWriter,
}

impl Writer {
    /// Starts a package for the cards of `selection`. `now_ms` is the modification time
    /// written everywhere, so the same cards give the same bytes.
    pub fn start(selection: &Selection, now_ms: i64) -> Result<Writer, Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let decks: Vec<String> = selection.decks.iter().map(super::anki_deck).collect();
        let collection = anki::CollectionWriter::create(&Self::path(&dir), &decks, now_ms)?;
        Ok(Writer { dir, collection })
    }

    fn path(dir: &tempfile::TempDir) -> std::path::PathBuf {
        dir.path().join("collection.anki2")
    }

    /// Adds a card as a note.
    pub fn card(&mut self, item: &Item<'_>) -> Result<(), Error> {
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

/// Reads the notes of an `.apkg`, calling `each` with every note in order and how many there
/// are, refusing archives with too many entries, entries whose names escape the archive, or
/// more than [`MAX_UNCOMPRESSED`] of content. An error from `each` stops the read.
pub fn read(
    path: &Path,
    each: impl FnMut(ReadNote, u64) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = ZipArchive::new(file)
        .map_err(|e| io_err(path, format!("not a readable .apkg (zip) file: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(io_err(
            path,
            format!("{} entries, over the limit of {MAX_ENTRIES}", archive.len()),
        ));
    }
    let mut declared = 0u64;
    let mut collection_index = None;
    let mut newest_only = false;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| io_err(path, format!("entry {i}: {e}")))?;
        let name = entry
            .name()
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        if entry.enclosed_name().is_none() {
            return Err(io_err(
                path,
                format!(
                    "entry {i} `{}` points outside the archive; refusing it",
                    crate::display::inert(&name)
                ),
            ));
        }
        declared = declared.saturating_add(entry.size());
        match name.as_str() {
            "collection.anki21" => collection_index = Some(i),
            "collection.anki2" if collection_index.is_none() => collection_index = Some(i),
            "collection.anki21b" => newest_only = true,
            _ => {}
        }
    }
    if declared > MAX_UNCOMPRESSED {
        return Err(io_err(
            path,
            format!("uncompresses to {declared} bytes, over the limit of {MAX_UNCOMPRESSED}"),
        ));
    }
    let Some(index) = collection_index else {
        let hint = if newest_only {
            "it holds only Anki's newest collection format (collection.anki21b); in Anki, export again with \"Support older Anki versions\" ticked"
        } else {
            "it holds no collection.anki2 or collection.anki21"
        };
        return Err(io_err(
            path,
            format!("not an Anki package recall can read: {hint}"),
        ));
    };
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let target = dir.path().join("collection.sqlite");
    {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| io_err(path, format!("entry {index}: {e}")))?;
        // Declared sizes can lie; the copy itself is bounded too.
        let mut limited = (&mut entry).take(MAX_UNCOMPRESSED + 1);
        let mut out = std::fs::File::create(&target).map_err(|e| Error::io(&target, e))?;
        let copied = std::io::copy(&mut limited, &mut out)
            .map_err(|e| io_err(path, format!("entry {index}: {e}")))?;
        if copied > MAX_UNCOMPRESSED {
            return Err(io_err(
                path,
                format!("the collection uncompresses to more than {MAX_UNCOMPRESSED} bytes"),
            ));
        }
    }
    let unreadable = |message: String| {
        io_err(
            path,
            format!("its collection is not a readable Anki database ({message})"),
        )
    };
    anki::read_collection(&target, unreadable, each)
}
