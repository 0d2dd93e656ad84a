//! Anki packages (`.apkg`, `.colpkg`): every layout Anki writes, read into recall cards, one
//! per Anki card, rendered from its note type's templates (see [`template`]), with its deck,
//! its tags as written, its media named, and the collection's review history.
//!
//! The layouts, after Anki's `rslib/src/import_export/package/`:
//!
//! | written by | collection | `meta` | media map | media files |
//! |---|---|---|---|---|
//! | Anki 2.0, genanki | `collection.anki2` (schema 11) | none | JSON | as they are |
//! | Anki 2.1 before 2.1.50; "support older versions" | `collection.anki21` (schema 11) | none or version 2 | JSON | as they are |
//! | Anki 2.1.50 and later | `collection.anki21b` (schema 18, zstd) | version 3 | zstd `MediaEntries` | zstd |
//!
//! A current package also holds a stub `collection.anki2` with one "please update Anki" note,
//! which is never read. A package is a stranger's file: its entries, their names and sizes are
//! checked before anything is read, and every decompression is bounded.

pub mod media;
pub mod occlusion;
pub mod proto;
pub mod template;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::DateTime;
use zip::ZipArchive;

use super::html::{self, MediaKind};
use super::review_log::Row;
use super::{Each, Entry, Incoming, Media, Progress};
use crate::deck::anki::{
    AnkiBorn, AnkiNoteType, AnkiOrigin, AnkiTemplate, NoteKind, rendered_hash,
};
use crate::error::Error;
use crate::store::anki::{Collection, ReadNote};

/// Limits for a package from a stranger.
pub const MAX_ENTRIES: usize = 10_000;
/// The most that all entries together may uncompress to.
pub const MAX_UNCOMPRESSED: u64 = 512 * 1024 * 1024;
/// The newest package version recall reads (`PackageMetadata.version`: 3 is `LATEST`).
pub const NEWEST_VERSION: u64 = 3;
/// The most a `meta` entry or media map may take, uncompressed.
const MAX_MAP_BYTES: u64 = 16 * 1024 * 1024;

/// What an import does besides reading cards.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plan the package's media files into this folder (`--media DIR`): see [`media`].
    pub media_dir: Option<PathBuf>,
    /// The import's budget of bytes inflated and written.
    pub budget: Arc<super::Budget>,
}

use crate::cloze::{ClozeMember, ClozeNote};

fn unreadable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {e}", path.display()))
}

/// The recall card id for card `ord` (its template, or cloze number - 1) of the note with
/// `guid`: `anki-GUID` for the first card, `anki-GUID/N` for card N, with `%`, `/`, spaces
/// and control characters written `%XX`, so no two GUIDs share an id and the GUID can be
/// read back ([`guid_of`]). A GUID recall wrote (`recall:ID`) gives back `ID`.
pub fn card_id(guid: &str, ord: u32) -> String {
    if let Some(id) = guid.strip_prefix("recall:") {
        let plain = !id.is_empty() && !id.chars().any(|c| c.is_whitespace() || c.is_control());
        if plain && ord == 0 {
            return id.to_string();
        }
    }
    let mut id = String::with_capacity(guid.len() + 8);
    id.push_str("anki-");
    for c in guid.chars() {
        if c == '%' || c == '/' || c.is_whitespace() || c.is_control() {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                id.push_str(&format!("%{byte:02X}"));
            }
        } else {
            id.push(c);
        }
    }
    if ord > 0 {
        id.push_str(&format!("/{}", ord + 1));
    }
    id
}

/// The Anki GUID of the note a recall card came from, when it is the first card of a note
/// born in Anki (`anki-GUID`, see [`card_id`]); exporting it back with that GUID lets Anki
/// update the note instead of adding a copy.
pub fn guid_of(card_id: &str) -> Option<String> {
    if card_id.contains('/') {
        return None;
    }
    crate::deck::anki::note_guid(card_id)
}

/// Which collection a package holds, and how its media are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `collection.anki2` or `collection.anki21`, JSON media map, media as they are.
    Legacy(&'static str),
    /// `collection.anki21b` and media, all zstd; protobuf media map.
    Latest,
}

/// Reads the package at `path`, calling `each` with its cards (in note order, each note's
/// cards in template order), then its media and its review history.
pub fn read(path: &Path, options: &Options, each: &mut Each<'_>) -> Result<(), Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = ZipArchive::new(file)
        .map_err(|e| unreadable(path, format!("not a readable .apkg (zip) file: {e}")))?;
    let names = check_entries(path, &mut archive)?;
    let layout = layout(path, &mut archive, &names)?;
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let target = dir.path().join("collection.sqlite");
    let (entry, compressed) = match layout {
        Layout::Legacy(name) => (name, false),
        Layout::Latest => ("collection.anki21b", true),
    };
    {
        let mut out = File::create(&target).map_err(|e| Error::io(&target, e))?;
        let copied = copy_entry(
            path,
            &mut archive,
            entry,
            compressed,
            MAX_UNCOMPRESSED,
            &mut out,
        )?;
        if copied > MAX_UNCOMPRESSED {
            return Err(unreadable(
                path,
                format!("the collection uncompresses to more than {MAX_UNCOMPRESSED} bytes"),
            ));
        }
        if !options.budget.spend(copied) {
            return Err(options.budget.spent(path));
        }
    }
    // Where media go is settled before the cards are read, so that a card showing a file
    // that had to be renamed says its new name.
    let plans = match &options.media_dir {
        Some(dir) => media::plan(path, &mut archive, layout, &names, dir, &options.budget)?,
        None => HashMap::new(),
    };
    let renames = media::renames(&plans);
    let bad = |message: String| {
        unreadable(
            path,
            format!("its collection is not a readable Anki database ({message})"),
        )
    };
    let collection = Collection::open(&target, &bad)?;
    let note_types = note_type_definitions(&collection);
    let total = collection.note_count(&bad)?;
    let mut done = 0;
    let mut ids: HashMap<i64, std::sync::Arc<str>> = HashMap::new();
    let mut media: Vec<(MediaKind, String)> = Vec::new();
    let mut seen_media: HashSet<String> = HashSet::new();
    collection.notes(&bad, |note| {
        done += 1;
        let progress = Progress {
            done,
            total,
            in_bytes: false,
        };
        for (kind, name) in note.fields.iter().flat_map(|f| html::media(f)) {
            if seen_media.insert(name.clone()) {
                media.push((kind, name));
            }
        }
        let cloze = recall_cloze_of(&collection, &note);
        for mut entry in note_entries(&collection, &note_types, &note, cloze.as_ref(), done) {
            if let Entry::Card(card) = &entry
                && let Some(message) = card.too_large()
            {
                entry = Entry::Skipped(format!(
                    "note {done}, card `{}`: {message}",
                    crate::display::inert(&card.id)
                ));
            }
            if let (Entry::Card(card), Some(anki)) =
                (&entry, card_of(&note, cloze.as_ref(), &entry))
            {
                ids.insert(anki, card.id.as_str().into());
            }
            if let Entry::Card(card) = &mut entry {
                for (from, to) in &renames {
                    media::rename_in(&mut card.front, from, to);
                    media::rename_in(&mut card.back, from, to);
                }
            }
            each(entry, progress)?;
        }
        Ok(())
    })?;
    let done = Progress {
        done: total,
        total,
        in_bytes: false,
    };
    for (kind, name) in media {
        let plan = plans.get(&name).cloned();
        each(Entry::Media(Media { kind, name, plan }), done)?;
    }
    for row in history(&collection.revlog(&bad)?, &ids) {
        each(Entry::Review(row), done)?;
    }
    Ok(())
}

/// The answers in `revlog` to cards that were read (`ids`: Anki card id → recall card id).
/// Manual changes and reschedules (no button pressed) are not answers and are left out.
fn history(
    revlog: &[crate::store::anki::Revlog],
    ids: &HashMap<i64, std::sync::Arc<str>>,
) -> Vec<Row> {
    revlog
        .iter()
        .filter(|r| (1..=4).contains(&r.ease) && (0..=3).contains(&r.kind))
        .filter_map(|r| {
            Some(Row {
                card: ids.get(&r.card)?.clone(),
                rating: r.ease as u8,
                time: DateTime::from_timestamp_millis(r.at_ms)?,
                duration_ms: r.taken_ms.clamp(0, 60_000) as u32,
            })
        })
        .collect()
}

/// The Anki id of the card an entry made from `note` is, matched by recall id.
fn card_of(note: &ReadNote, cloze: Option<&ClozeNote>, entry: &Entry) -> Option<i64> {
    let Entry::Card(card) = entry else {
        return None;
    };
    note.cards
        .iter()
        .find(|c| recall_id(note, cloze, c.ord).is_some_and(|id| id == card.id))
        .map(|c| c.id)
}

/// recall's id for card `ord` of `note`: for a cloze of recall's, its deletion's card;
/// otherwise [`card_id`].
fn recall_id(note: &ReadNote, cloze: Option<&ClozeNote>, ord: u32) -> Option<String> {
    match cloze {
        Some(cloze) => cloze.cards.get(ord as usize).map(|c| c.0.0.clone()),
        None => Some(card_id(&note.guid, ord)),
    }
}

/// The cloze of a note recall exported as a Cloze note (see [`crate::import::recall_cloze`]).
fn recall_cloze_of(collection: &Collection, note: &ReadNote) -> Option<ClozeNote> {
    collection
        .note_types
        .get(&note.note_type)
        .filter(|t| t.cloze)?;
    crate::import::recall_cloze(&note.guid, note.fields.first()?)
}

/// The package's note types, whole, as the cards born of them keep them (see
/// [`crate::deck::anki`]).
fn note_type_definitions(collection: &Collection) -> HashMap<i64, Arc<AnkiNoteType>> {
    collection
        .note_types
        .iter()
        .map(|(&id, t)| {
            let definition = AnkiNoteType {
                id,
                name: t.name.clone(),
                kind: if t.cloze {
                    NoteKind::Cloze
                } else {
                    NoteKind::Standard
                },
                fields: t.fields.clone(),
                templates: t
                    .templates
                    .iter()
                    .map(|t| AnkiTemplate {
                        name: t.name.clone(),
                        qfmt: t.question.clone(),
                        afmt: t.answer.clone(),
                    })
                    .collect(),
                css: t.css.clone(),
            };
            (id, Arc::new(definition))
        })
        // A type the deck loader would refuse is not kept: its cards arrive as recall's own.
        .filter(|(_, definition)| template::check_note_type(definition).is_ok())
        .collect()
}

/// The entries of card `card` of `note`, a cloze recall wrote (`cloze`): its deletion's card,
/// as recall made it, or why there is none (`what` names the card).
fn cloze_entries(
    note: &ReadNote,
    cloze: &ClozeNote,
    card: &crate::store::anki::AnkiCard,
    carried: &crate::import::NoteTags,
    deck: String,
    what: impl Fn() -> String,
) -> Vec<Entry> {
    let Some(id) = recall_id(note, Some(cloze), card.ord) else {
        return vec![Entry::Skipped(format!(
            "{}: recall's cloze has no deletion {}",
            what(),
            card.ord + 1
        ))];
    };
    let (_, front, back) = &cloze.cards[card.ord as usize];
    let mut entries = Vec::new();
    if card.suspended {
        entries.push(Entry::Suspended {
            card: id.clone(),
            anki_card: card.id,
            at: DateTime::from_timestamp(card.modified, 0).unwrap_or_default(),
        });
    }
    entries.push(Entry::Card(Incoming {
        id,
        front: front.clone(),
        back: back.clone(),
        tags: carried.tags.clone(),
        level: carried.level,
        source: carried.source.clone(),
        deck: Some(deck),
        deck_id: carried.deck_id.clone(),
        anki: None,
        cloze: Some(ClozeMember {
            note: Arc::new(cloze.clone()),
            index: card.ord as usize,
        }),
    }));
    entries
}

/// The cards of one note (number `n` in the package), or why each was left out.
fn note_entries(
    collection: &Collection,
    definitions: &HashMap<i64, Arc<AnkiNoteType>>,
    note: &ReadNote,
    cloze: Option<&ClozeNote>,
    n: u64,
) -> Vec<Entry> {
    let Some(note_type) = collection.note_types.get(&note.note_type) else {
        return vec![Entry::Skipped(format!(
            "note {n}: its note type is not in the package"
        ))];
    };
    let type_name = crate::display::inert(&note_type.name);
    let carried = super::note_tags(note.tags.iter().cloned());
    let mut entries = Vec::new();
    for card in &note.cards {
        let deck = collection
            .decks
            .get(&card.deck)
            .cloned()
            .unwrap_or_else(|| "Default".to_string());
        // A cloze recall wrote: each card is its deletion's card again, with its own id.
        if let Some(cloze) = cloze {
            entries.extend(cloze_entries(note, cloze, card, &carried, deck, || {
                format!("note {n} ({type_name}, cloze {})", card.ord + 1)
            }));
            continue;
        }
        let context = template::CardContext {
            tags: &note.tags,
            deck: &deck,
            ord: card.ord,
        };
        let what = if note_type.cloze {
            format!("note {n} ({type_name}, cloze {})", card.ord + 1)
        } else {
            format!("note {n} ({type_name}, card {})", card.ord + 1)
        };
        let sides = match template::render(note_type, &note.fields, &context) {
            Ok(sides) => sides,
            Err(why) => {
                entries.push(Entry::Skipped(format!("{what}: {why}")));
                continue;
            }
        };
        let (front, back) = match occlusion::card(note_type, &note.fields, card.ord) {
            Some(Ok(sides)) => sides,
            Some(Err(why)) => {
                entries.push(Entry::Skipped(format!("{what}: {why}")));
                continue;
            }
            None => (html::to_text(&sides.question), html::to_text(&sides.answer)),
        };
        if front.is_empty() {
            entries.push(Entry::Skipped(format!("{what}: empty question")));
            continue;
        }
        // A note recall wrote (`recall:ID`) was born in recall, and goes back as recall's.
        let anki = definitions
            .get(&note.note_type)
            .filter(|_| !note.guid.starts_with("recall:"))
            // A note that does not fit its type could not be handed back as it is.
            .filter(|t| t.fields.len() == note.fields.len() && (card.ord as usize) < t.max_cards())
            .map(|note_type| AnkiBorn {
                origin: AnkiOrigin {
                    notetype: note_type.id,
                    ord: card.ord,
                    fields: note.fields.clone(),
                    rendered: rendered_hash(&front, &back),
                    flags: card.flags,
                },
                note_type: note_type.clone(),
            });
        // An empty answer is kept as Anki keeps it (the card is its front alone), by a card
        // that carries its note: a deck file allows an empty `back` only there.
        if back.is_empty() && anki.is_none() {
            entries.push(Entry::Skipped(format!("{what}: empty answer")));
            continue;
        }
        if card.suspended {
            entries.push(Entry::Suspended {
                card: card_id(&note.guid, card.ord),
                anki_card: card.id,
                at: DateTime::from_timestamp(card.modified, 0).unwrap_or_default(),
            });
        }
        entries.push(Entry::Card(Incoming {
            id: card_id(&note.guid, card.ord),
            anki,
            front,
            back,
            tags: carried.tags.clone(),
            level: carried.level,
            source: carried.source.clone(),
            deck: Some(deck),
            deck_id: carried.deck_id.clone(),
            cloze: None,
        }));
    }
    for (card, ord) in &note.odd_cards {
        entries.push(Entry::Skipped(format!(
            "note {n} ({type_name}): card {card} has ordinal {ord} (the `ord` column of Anki's `cards` table), which no template or cloze number has"
        )));
    }
    if note.cards.is_empty() && note.odd_cards.is_empty() {
        entries.push(Entry::Skipped(format!(
            "note {n} ({type_name}): it has no cards"
        )));
    }
    entries
}

/// The entry names, once checked: not too many, none escaping the archive, not too large
/// together.
fn check_entries(path: &Path, archive: &mut ZipArchive<File>) -> Result<Vec<String>, Error> {
    if archive.len() > MAX_ENTRIES {
        return Err(unreadable(
            path,
            format!("{} entries, over the limit of {MAX_ENTRIES}", archive.len()),
        ));
    }
    let mut declared = 0u64;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| unreadable(path, format!("entry {i}: {e}")))?;
        let name = entry
            .name()
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        if entry.enclosed_name().is_none() {
            return Err(unreadable(
                path,
                format!(
                    "entry {i} `{}` points outside the archive; refusing it",
                    crate::display::inert(&name)
                ),
            ));
        }
        declared = declared.saturating_add(entry.size());
        names.push(name);
    }
    if declared > MAX_UNCOMPRESSED {
        return Err(unreadable(
            path,
            format!("uncompresses to {declared} bytes, over the limit of {MAX_UNCOMPRESSED}"),
        ));
    }
    Ok(names)
}

/// Which collection to read: as the `meta` entry says, else the newest legacy one present.
fn layout(path: &Path, archive: &mut ZipArchive<File>, names: &[String]) -> Result<Layout, Error> {
    let has = |name: &str| names.iter().any(|n| n == name);
    let legacy = || {
        if has("collection.anki21") {
            Ok(Layout::Legacy("collection.anki21"))
        } else if has("collection.anki2") {
            Ok(Layout::Legacy("collection.anki2"))
        } else {
            Err(unreadable(
                path,
                "not an Anki package recall can read: it holds no collection (collection.anki21b, collection.anki21 or collection.anki2)",
            ))
        }
    };
    if !has("meta") {
        // Anki always writes `meta` beside `collection.anki21b`; without it, the newest
        // collection present is still the one to read.
        return if has("collection.anki21b") {
            Ok(Layout::Latest)
        } else {
            legacy()
        };
    }
    let mut meta = Vec::new();
    copy_entry(path, archive, "meta", false, MAX_MAP_BYTES, &mut meta)?;
    let version = proto::package_version(&meta)
        .ok_or_else(|| unreadable(path, "its `meta` entry is not Anki package metadata"))?;
    match version {
        3 if has("collection.anki21b") => Ok(Layout::Latest),
        // The collection.anki2 beside it is Anki's "please update" stub, not the cards.
        3 => Err(unreadable(
            path,
            "its `meta` says Anki's current format, but it holds no collection.anki21b",
        )),
        v if v > NEWEST_VERSION => Err(unreadable(
            path,
            format!(
                "written by a newer Anki (package version {v}; this recall reads up to {NEWEST_VERSION}): in Anki, export again with \"Support older Anki versions\" ticked, or update recall"
            ),
        )),
        _ => legacy(),
    }
}

/// Copies entry `name` (zstd-decompressed when `compressed`) into `out`, at most `limit` + 1
/// bytes; returns how many it copied.
fn copy_entry(
    path: &Path,
    archive: &mut ZipArchive<File>,
    name: &str,
    compressed: bool,
    limit: u64,
    out: &mut impl io::Write,
) -> Result<u64, Error> {
    let fail = |e: &dyn std::fmt::Display| unreadable(path, format!("entry `{name}`: {e}"));
    let entry = archive.by_name(name).map_err(|e| fail(&e))?;
    // Declared sizes can lie; the copy itself is bounded too.
    let copied = if compressed {
        let decoder = zstd::stream::read::Decoder::new(entry).map_err(|e| fail(&e))?;
        io::copy(&mut decoder.take(limit + 1), out)
    } else {
        io::copy(&mut entry.take(limit + 1), out)
    };
    copied.map_err(|e| fail(&e))
}

/// The media map: for each zip entry that holds a media file, the file's name.
fn media_map(
    path: &Path,
    archive: &mut ZipArchive<File>,
    layout: Layout,
    names: &[String],
) -> Result<HashMap<String, String>, Error> {
    if !names.iter().any(|n| n == "media") {
        return Ok(HashMap::new());
    }
    let mut bytes = Vec::new();
    let latest = layout == Layout::Latest;
    let copied = copy_entry(path, archive, "media", latest, MAX_MAP_BYTES, &mut bytes)?;
    if copied > MAX_MAP_BYTES {
        return Err(unreadable(path, "its media map is over 16 MiB"));
    }
    let not_a_map = || unreadable(path, "its `media` entry is not a media map");
    if latest {
        let names = proto::media_names(&bytes).ok_or_else(not_a_map)?;
        Ok(names
            .into_iter()
            .enumerate()
            .map(|(i, name)| (i.to_string(), name))
            .collect())
    } else {
        serde_json::from_slice(&bytes).map_err(|_| not_a_map())
    }
}

/// A media file name that is safe to create in a directory: one plain component, no hidden
/// file, nothing a terminal or shell would trip on.
pub fn safe_media_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.chars().any(|c| {
            c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_map_to_ids_without_collisions_and_back() {
        assert_eq!(card_id("ab*cd", 0), "anki-ab*cd");
        assert_eq!(card_id("ab#cd", 0), "anki-ab#cd");
        assert_eq!(card_id("ab#cd", 1), "anki-ab#cd/2");
        assert_eq!(card_id("a/b c%", 0), "anki-a%2Fb%20c%25");
        assert_eq!(card_id("recall:net-dns", 0), "net-dns");
        assert_eq!(card_id("recall:net-dns", 1), "anki-recall:net-dns/2");
        for guid in ["ab*cd", "ab#cd", "a/b c%", "é\u{7}x", "f`K!x{9"] {
            assert_eq!(guid_of(&card_id(guid, 0)).as_deref(), Some(guid));
        }
        assert_eq!(
            guid_of("anki-ab/2"),
            None,
            "a later card keeps recall's GUID"
        );
        assert_eq!(guid_of("net-dns"), None);
    }

    /// Cards born in Anki, written to a package under their own note type and read back,
    /// arrive with that note whole: the same ids, note type (css included), ordinals, raw
    /// fields, and a rendered hash that their text matches.
    #[test]
    fn a_note_born_in_anki_reads_back_from_an_export_with_its_note_whole() {
        use crate::export::{Item, Selection, apkg};
        let deck = "[deck]\nid = \"w\"\nname = \"Words\"\ndescription = \"\"\n\n[[card]]\nid = \"anki-g%2F1\"\nfront = \"Haus\"\nback = \"house\"\n\n[[card]]\nid = \"anki-g%2F1/2\"\nfront = \"house\"\nback = \"Haus\"\n\n[[card]]\nid = \"mine\"\nfront = \"Q\"\nback = \"A\"\n";
        let library = crate::deck::load_sources(&[("w.toml".into(), deck.into())]).unwrap();
        let note_type = Arc::new(AnkiNoteType {
            id: 1_600_000_000_123,
            name: "Basic (and reversed card)".into(),
            kind: NoteKind::Standard,
            fields: vec!["Front".into(), "Back".into()],
            templates: vec![
                AnkiTemplate {
                    name: "Card 1".into(),
                    qfmt: "{{Front}}".into(),
                    afmt: "{{FrontSide}}<hr id=answer>{{Back}}".into(),
                },
                AnkiTemplate {
                    name: "Card 2".into(),
                    qfmt: "{{Back}}".into(),
                    afmt: "{{FrontSide}}<hr id=answer>{{Front}}".into(),
                },
            ],
            css: ".card { color: navy; }".into(),
        });
        let born: Vec<Option<AnkiBorn>> = library
            .cards
            .iter()
            .zip([Some(0), Some(1), None])
            .map(|(card, ord)| {
                ord.map(|ord| AnkiBorn {
                    origin: AnkiOrigin {
                        notetype: note_type.id,
                        ord,
                        fields: vec!["<b>Haus</b>".into(), "house".into()],
                        rendered: rendered_hash(&card.front, &card.back),
                        flags: 0,
                    },
                    note_type: note_type.clone(),
                })
            })
            .collect();
        let items: Vec<Item<'_>> = library
            .cards
            .iter()
            .zip(&born)
            .map(|(card, born)| Item {
                card,
                deck: &library.decks[0],
                anki: born.as_ref(),
                cloze: None,
            })
            .collect();
        let mut selection = Selection::default();
        for item in &items {
            selection.add_item(item);
        }
        assert_eq!(selection.anki.as_imported, 2);
        let mut writer = apkg::Writer::start(&selection, 1_767_225_600_000).unwrap();
        for item in &items {
            writer.card(item).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.apkg");
        writer.finish(File::create(&path).unwrap()).unwrap();
        let read = crate::import::read(&path).unwrap();
        let got: Vec<(&str, &str, &str)> = read
            .cards
            .iter()
            .map(|c| (c.id.as_str(), c.front.as_str(), c.back.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("anki-g%2F1", "Haus", "house"),
                ("anki-g%2F1/2", "house", "Haus"),
                ("mine", "Q", "A")
            ]
        );
        for (incoming, sent) in read.cards.iter().zip(&born) {
            assert_eq!(incoming.anki.as_ref(), sent.as_ref(), "{}", incoming.id);
        }
    }

    #[test]
    fn media_names_must_be_plain() {
        assert!(safe_media_name("dot.png"));
        assert!(safe_media_name("Bild 1.jpg"));
        for bad in ["", "../x", "a/b", ".hidden", "a\\b", "c:x", "a\u{1b}[31m"] {
            assert!(!safe_media_name(bad), "{bad:?}");
        }
    }
}
