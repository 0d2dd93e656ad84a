//! Anki collection files (the `SQLite` database inside an `.apkg`), in Anki's "schema 11"
//! layout: the one every Anki since 2.1 imports, 2.1.50+ included, and that `anki` itself still
//! writes for "support older Anki versions" exports. Writing and reading are here because all
//! SQL lives in `store/`; zipping and mapping cards to notes are in `export` and `import`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};
use serde_json::{Value, json};

use crate::deck::anki::{AnkiNoteType, NoteKind};
use crate::error::Error;

/// A note to write: one Basic note with its card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiNote {
    pub guid: String,
    pub front: String,
    pub back: String,
    /// Space-free tags.
    pub tags: Vec<String>,
    /// Full deck name, `Parent::Child`.
    pub deck: String,
}

/// A card of a note born in Anki, to write under the note's own note type: the note is written
/// with its first card, later cards with the same GUID join it.
#[derive(Debug, Clone, Copy)]
pub struct AnkiNoteCard<'a> {
    pub guid: &'a str,
    pub note_type: &'a AnkiNoteType,
    /// The note's fields (HTML), in the note type's order.
    pub fields: &'a [String],
    /// Space-free tags.
    pub tags: &'a [String],
    /// Full deck name, `Parent::Child`.
    pub deck: &'a str,
    /// The card's template ordinal (or cloze number - 1).
    pub ord: u32,
    /// Anki's flag on the card, handed back as it came.
    pub flags: u8,
}

const SCHEMA: &str = r"
CREATE TABLE col (
    id integer primary key, crt integer not null, mod integer not null, scm integer not null,
    ver integer not null, dty integer not null, usn integer not null, ls integer not null,
    conf text not null, models text not null, decks text not null, dconf text not null,
    tags text not null
);
CREATE TABLE notes (
    id integer primary key, guid text not null, mid integer not null, mod integer not null,
    usn integer not null, tags text not null, flds text not null, sfld integer not null,
    csum integer not null, flags integer not null, data text not null
);
CREATE TABLE cards (
    id integer primary key, nid integer not null, did integer not null, ord integer not null,
    mod integer not null, usn integer not null, type integer not null, queue integer not null,
    due integer not null, ivl integer not null, factor integer not null, reps integer not null,
    lapses integer not null, left integer not null, odue integer not null, odid integer not null,
    flags integer not null, data text not null
);
CREATE TABLE revlog (
    id integer primary key, cid integer not null, usn integer not null, ease integer not null,
    ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null,
    type integer not null
);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// The note type recall writes: Anki's stock Basic (Front/Back, one card).
const MODEL_ID: i64 = 1_700_000_000_001;

/// A deck id for a deck name: stable, positive and below 2^53 (JSON numbers).
pub fn deck_id(name: &str) -> i64 {
    let hash = blake3::hash(name.as_bytes());
    let bytes: [u8; 8] = hash.as_bytes()[..8].try_into().unwrap_or_default();
    (u64::from_le_bytes(bytes) >> 12) as i64 + 2
}

/// Anki's duplicate-check value: the first 8 hex digits of the SHA-1 of the sort field.
pub fn checksum(text: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(text).digest().to_string();
    i64::from_str_radix(&digest[..8], 16).unwrap_or(0)
}

fn fail(path: &Path, e: &rusqlite::Error) -> Error {
    Error::Store {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn models(deck: i64, now_s: i64) -> Value {
    let field = |name: &str, ord: u32| {
        json!({"name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial",
               "size": 20, "media": [], "description": "", "plainText": false,
               "collapsed": false, "excludeFromSearch": false})
    };
    json!({
        MODEL_ID.to_string(): {
            "id": MODEL_ID, "name": "Basic (recall)", "type": 0, "mod": now_s, "usn": -1, "sortf": 0,
            "did": deck,
            "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}",
                        "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}",
                        "bqfmt": "", "bafmt": "", "did": null, "bfont": "", "bsize": 0}],
            "flds": [field("Front", 0), field("Back", 1)],
            "css": ".card {\n font-family: arial;\n font-size: 20px;\n text-align: center;\n color: black;\n background-color: white;\n}\n",
            "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
            "latexPost": "\\end{document}", "latexsvg": false,
            "req": [[0, "any", [0]]], "tags": [], "vers": []
        }
    })
}

/// A note type born in Anki as schema 11 writes it: its own id, name, kind, fields, templates
/// and style, so that Anki matches it to the one its notes have. Its modification time is 0:
/// never newer than the collection's own, so an import that updates notes "if newer" never
/// replaces the learner's note type (and its field fonts and options, which recall does not
/// keep) with this copy.
fn foreign_model(note_type: &AnkiNoteType, deck: i64) -> Value {
    let field = |name: &str, ord: usize| {
        json!({"name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial",
               "size": 20, "media": [], "description": "", "plainText": false,
               "collapsed": false, "excludeFromSearch": false})
    };
    let templates: Vec<Value> = note_type
        .templates
        .iter()
        .enumerate()
        .map(|(ord, t)| {
            json!({"name": t.name, "ord": ord, "qfmt": t.qfmt, "afmt": t.afmt, "bqfmt": "",
                   "bafmt": "", "did": null, "bfont": "", "bsize": 0})
        })
        .collect();
    let fields: Vec<Value> = note_type
        .fields
        .iter()
        .enumerate()
        .map(|(ord, name)| field(name, ord))
        .collect();
    json!({
        "id": note_type.id, "name": note_type.name,
        "type": i32::from(note_type.kind == NoteKind::Cloze), "mod": 0, "usn": -1, "sortf": 0,
        "did": deck, "tmpls": templates, "flds": fields, "css": note_type.css,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}", "latexsvg": false, "req": [], "tags": [], "vers": []
    })
}

fn deck_json(id: i64, name: &str, now_s: i64) -> Value {
    json!({"id": id, "name": name, "mod": now_s, "usn": -1, "lrnToday": [0, 0],
           "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0], "collapsed": false,
           "browserCollapsed": false, "desc": "", "dyn": 0, "conf": 1, "extendNew": 0,
           "extendRev": 0})
}

const DCONF: &str = r#"{"1": {"id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true, "timer": 0, "replayq": true, "dyn": false,
 "new": {"delays": [1.0, 10.0], "ints": [1, 4, 0], "initialFactor": 2500, "order": 1, "perDay": 20, "bury": false},
 "rev": {"perDay": 200, "ease4": 1.3, "maxIvl": 36500, "hardFactor": 1.2, "bury": false},
 "lapse": {"delays": [10.0], "mult": 0.0, "minInt": 1, "leechFails": 8, "leechAction": 1}}}"#;

const CONF: &str = r#"{"activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0, "estTimes": true, "dueCounts": true, "curModel": null, "nextPos": 1, "sortType": "noteFld", "sortBackwards": false, "addToCur": true}"#;

/// A new collection being written a note at a time, each note a new (unstudied) card, in
/// one transaction. `now_ms` is the modification time written everywhere and ids follow the
/// notes' order, so the same notes give the same file.
pub struct CollectionWriter {
    conn: Connection,
    path: PathBuf,
    now_ms: i64,
    now_secs: i64,
    /// Notes written so far.
    notes: i64,
    /// Cards written so far.
    cards: i64,
    /// The deck of the first note, where Anki adds notes of the written note types.
    first_deck: i64,
    /// Notes born in Anki written so far: note id and position by GUID.
    anki_notes: HashMap<String, (i64, i64)>,
    /// Their note types, by id.
    note_types: std::collections::BTreeMap<i64, AnkiNoteType>,
}

impl CollectionWriter {
    /// Creates the collection at `path` for notes in the decks `decks` (full names, the first
    /// note's deck first), with its `col` row.
    pub fn create(path: &Path, decks: &[String], now_ms: i64) -> Result<CollectionWriter, Error> {
        let conn = Connection::open(path).map_err(|e| fail(path, &e))?;
        conn.execute_batch(SCHEMA).map_err(|e| fail(path, &e))?;
        let now_secs = now_ms / 1000;
        let mut deck_map = serde_json::Map::new();
        deck_map.insert("1".into(), deck_json(1, "Default", now_secs));
        for name in decks {
            let id = deck_id(name);
            deck_map
                .entry(id.to_string())
                .or_insert_with(|| deck_json(id, name, now_secs));
        }
        let first_deck = decks.first().map_or(1, |name| deck_id(name));
        // One transaction for every note, committed by `finish`; rusqlite's `Transaction`
        // would borrow the connection this struct owns.
        conn.execute_batch("BEGIN").map_err(|e| fail(path, &e))?;
        conn.execute(
            "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
            params![
                now_secs,
                now_ms,
                CONF,
                models(first_deck, now_secs).to_string(),
                Value::Object(deck_map).to_string(),
                DCONF
            ],
        )
        .map_err(|e| fail(path, &e))?;
        Ok(CollectionWriter {
            conn,
            path: path.to_path_buf(),
            now_ms,
            now_secs,
            notes: 0,
            cards: 0,
            first_deck,
            anki_notes: HashMap::new(),
            note_types: std::collections::BTreeMap::new(),
        })
    }

    /// Writes a note's row; returns its id.
    fn note_row(
        &mut self,
        guid: &str,
        model: i64,
        tags: &[String],
        fields: &[String],
    ) -> Result<i64, Error> {
        // Ids are the export's time in ms, as Anki's own are (Anki shows them as the date a
        // note was added), plus the note's position, so the same export is the same file.
        let id = self.now_ms + self.notes;
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(" {} ", tags.join(" "))
        };
        let sort_field = crate::import::html::to_text(fields.first().map_or("", String::as_str));
        self.conn
            .prepare_cached("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")
            .and_then(|mut stmt| {
                stmt.execute(params![
                    id,
                    guid,
                    model,
                    self.now_secs,
                    tags,
                    fields.join("\u{1f}"),
                    sort_field,
                    checksum(&sort_field)
                ])
            })
            .map_err(|e| fail(&self.path, &e))?;
        self.notes += 1;
        Ok(id)
    }

    /// Writes a new card of note `note` (the `position`th note written, from 1).
    fn card_row(
        &mut self,
        note: i64,
        deck: &str,
        ord: u32,
        position: i64,
        flags: u8,
    ) -> Result<(), Error> {
        let id = self.now_ms + self.cards;
        self.conn
            .prepare_cached(
                "INSERT INTO cards VALUES (?1, ?2, ?3, ?4, ?5, -1, 0, 0, ?6, 0, 0, 0, 0, 0, 0, 0, ?7, '')",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    id,
                    note,
                    deck_id(deck),
                    ord,
                    self.now_secs,
                    position,
                    flags
                ])
            })
            .map_err(|e| fail(&self.path, &e))?;
        self.cards += 1;
        Ok(())
    }

    /// Suspends the card written last (`queue` -1, as Anki marks a suspended card).
    pub fn suspend_last(&mut self) -> Result<(), Error> {
        let id = self.now_ms + self.cards - 1;
        self.conn
            .execute("UPDATE cards SET queue = -1 WHERE id = ?1", [id])
            .map_err(|e| fail(&self.path, &e))?;
        Ok(())
    }

    /// Gives the card written last the schedule recall keeps for it (`--with-progress`): a
    /// review card due `due_days` after the collection's creation day. Returns its Anki id.
    pub fn schedule_last(&mut self, schedule: &AnkiSchedule) -> Result<i64, Error> {
        let id = self.now_ms + self.cards - 1;
        self.conn
            .execute(
                "UPDATE cards SET type = 2, queue = CASE WHEN queue = -1 THEN -1 ELSE 2 END, \
                 due = ?2, ivl = ?3, factor = ?4, reps = ?5, lapses = ?6, data = ?7 WHERE id = ?1",
                params![
                    id,
                    schedule.due_days,
                    schedule.interval,
                    schedule.factor,
                    schedule.reps,
                    schedule.lapses,
                    schedule.data
                ],
            )
            .map_err(|e| fail(&self.path, &e))?;
        Ok(id)
    }

    /// The Anki id of the card written last.
    pub fn last_card(&self) -> i64 {
        self.now_ms + self.cards - 1
    }

    /// Adds one answer to the review log (`revlog`), marked for Anki's sync (`usn` -1).
    pub fn revlog_row(&mut self, row: &RevlogRow) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) \
                 VALUES (?1, ?2, -1, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    row.id,
                    row.card,
                    row.ease,
                    row.interval,
                    row.last_interval,
                    row.factor,
                    row.time_ms,
                    row.kind
                ])
            })
            .map_err(|e| fail(&self.path, &e))?;
        Ok(())
    }

    /// Adds a card of a note born in Anki, under the note's own note type: the note with its
    /// first card, later cards to the note written before.
    pub fn add_anki_card(&mut self, card: &AnkiNoteCard<'_>) -> Result<(), Error> {
        let (note, position) = if let Some(&known) = self.anki_notes.get(card.guid) {
            known
        } else {
            let id = self.note_row(card.guid, card.note_type.id, card.tags, card.fields)?;
            self.note_types
                .entry(card.note_type.id)
                .or_insert_with(|| card.note_type.clone());
            self.anki_notes
                .insert(card.guid.to_string(), (id, self.notes));
            (id, self.notes)
        };
        self.card_row(note, card.deck, card.ord, position, card.flags)
    }

    /// Adds a note and its card, under recall's note type.
    pub fn add(&mut self, note: &AnkiNote) -> Result<(), Error> {
        let fields = [note.front.clone(), note.back.clone()];
        let id = self.note_row(&note.guid, MODEL_ID, &note.tags, &fields)?;
        self.card_row(id, &note.deck, 0, self.notes, 0)
    }

    /// Commits the notes and closes the file.
    pub fn finish(self) -> Result<(), Error> {
        if !self.note_types.is_empty() {
            let mut models = models(self.first_deck, self.now_secs);
            if let Some(map) = models.as_object_mut() {
                for (id, note_type) in &self.note_types {
                    // recall's own note type stays recall's.
                    if *id != MODEL_ID {
                        map.insert(id.to_string(), foreign_model(note_type, self.first_deck));
                    }
                }
            }
            self.conn
                .execute("UPDATE col SET models = ?1", params![models.to_string()])
                .map_err(|e| fail(&self.path, &e))?;
        }
        let path = self.path;
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| fail(&path, &e))?;
        self.conn.close().map_err(|(_, e)| fail(&path, &e))
    }
}

/// A note type as a collection holds it: enough to render its cards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteType {
    pub name: String,
    /// A Cloze note type: one card per deletion number, not per template.
    pub cloze: bool,
    /// Field names in field order.
    pub fields: Vec<String>,
    /// Templates by ordinal (Cloze types have one).
    pub templates: Vec<Template>,
    /// The style sheet of its cards.
    pub css: String,
}

/// A card template: its name and its question and answer formats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub name: String,
    pub question: String,
    pub answer: String,
}

/// One card of a note: its Anki id, ordinal (template, or cloze number - 1) and deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnkiCard {
    pub id: i64,
    pub ord: u32,
    pub deck: i64,
    /// Suspended in Anki (`queue` -1).
    pub suspended: bool,
    /// Anki's flag (0 none, 1 red … 7 purple).
    pub flags: u8,
    /// When Anki last changed the card, in seconds since the epoch.
    pub modified: i64,
}

/// A note and its cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadNote {
    pub guid: String,
    pub note_type: i64,
    /// Field contents (HTML) in field order.
    pub fields: Vec<String>,
    /// Tags exactly as written.
    pub tags: Vec<String>,
    pub cards: Vec<AnkiCard>,
    /// Cards whose ordinal no card can have (negative, or past `u32`): (Anki card id, ord).
    pub odd_cards: Vec<(i64, i64)>,
}

/// A card's schedule as Anki keeps it, for a package written with progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiSchedule {
    /// Days from the collection's creation day to the due day.
    pub due_days: i64,
    pub interval: i64,
    /// Ease in permille (2500 for 2.5).
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    /// The card's `data`: FSRS memory as `{"s":…,"d":…}`, or empty.
    pub data: String,
}

/// One answer written to a package's review log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevlogRow {
    /// When, in ms since the epoch; unique in the log.
    pub id: i64,
    pub card: i64,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub ease: i64,
    pub interval: i64,
    pub last_interval: i64,
    pub factor: i64,
    pub time_ms: i64,
    /// 0 learning, 1 review, 2 relearning.
    pub kind: i64,
}

/// One row of Anki's review log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revlog {
    /// When the answer was given, in ms since the epoch (Anki's revlog id).
    pub at_ms: i64,
    pub card: i64,
    /// The button: 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a manual change.
    pub ease: i64,
    /// 0 learning, 1 review, 2 relearning, 3 filtered deck, 4 manual, 5 rescheduled.
    pub kind: i64,
    /// Time taken, in ms.
    pub taken_ms: i64,
}

/// An Anki collection opened for reading, in either of the layouts packages use: schema 11
/// (note types and decks as JSON in `col`; `collection.anki2`, `collection.anki21`) or schema
/// 18 (tables `notetypes`, `fields`, `templates`, `decks` with protobuf configs;
/// `collection.anki21b`).
pub struct Collection {
    conn: Connection,
    pub note_types: HashMap<i64, NoteType>,
    /// Full deck names (`Parent::Child`) by id.
    pub decks: HashMap<i64, String>,
}

impl Collection {
    /// Opens the collection at `path` read-only. What goes wrong with the file is reported
    /// through `unreadable` (given the database's message).
    pub fn open(path: &Path, unreadable: &dyn Fn(String) -> Error) -> Result<Collection, Error> {
        let fail = |e: rusqlite::Error| unreadable(e.to_string());
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(fail)?;
        // Schema 18 declares names `COLLATE unicase` (Anki's own case-folding collation);
        // without one of that name SQLite refuses to plan queries over those tables.
        conn.create_collation("unicase", |a: &str, b: &str| {
            a.to_lowercase().cmp(&b.to_lowercase())
        })
        .map_err(fail)?;
        let schema_18: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'notetypes')",
                [],
                |r| r.get(0),
            )
            .map_err(fail)?;
        let (note_types, decks) = if schema_18 {
            (
                note_types_18(&conn).map_err(fail)?,
                decks_18(&conn).map_err(fail)?,
            )
        } else {
            let (models, decks): (String, String) = conn
                .query_row("SELECT models, decks FROM col", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(fail)?;
            (note_types_11(&models), decks_11(&decks))
        };
        Ok(Collection {
            conn,
            note_types,
            decks,
        })
    }

    /// How many notes the collection holds.
    pub fn note_count(&self, unreadable: &dyn Fn(String) -> Error) -> Result<u64, Error> {
        self.conn
            .query_row("SELECT count(*) FROM notes", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| unreadable(e.to_string()))
    }

    /// Calls `each` with every note, in the order they were added, one row at a time. An
    /// error from `each` stops the read and is returned as it is.
    pub fn notes(
        &self,
        unreadable: &dyn Fn(String) -> Error,
        mut each: impl FnMut(ReadNote) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let fail = |e: rusqlite::Error| unreadable(e.to_string());
        let mut stmt = self
            .conn
            .prepare("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id")
            .map_err(fail)?;
        let mut cards = self
            .conn
            .prepare(
                "SELECT id, ord, did, odid, queue, flags, mod FROM cards WHERE nid = ?1 ORDER BY ord",
            )
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let mut read = || -> rusqlite::Result<ReadNote> {
                let id: i64 = row.get(0)?;
                let flds: String = row.get(3)?;
                let tags: String = row.get(4)?;
                let mut odd_cards = Vec::new();
                let read_cards = cards
                    .query_map([id], |c| {
                        let (did, odid): (i64, i64) = (c.get(2)?, c.get(3)?);
                        let (card, ord): (i64, i64) = (c.get(0)?, c.get(1)?);
                        let (queue, flags, modified): (i64, i64, i64) =
                            (c.get(4)?, c.get(5)?, c.get(6)?);
                        Ok((
                            card,
                            ord,
                            // A card in a filtered deck belongs to its original deck.
                            if odid == 0 { did } else { odid },
                            (queue == -1, (flags & 7) as u8, modified),
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut cards = Vec::with_capacity(read_cards.len());
                for (card, ord, deck, (suspended, flags, modified)) in read_cards {
                    match u32::try_from(ord) {
                        Ok(ord) => cards.push(AnkiCard {
                            id: card,
                            ord,
                            deck,
                            suspended,
                            flags,
                            modified,
                        }),
                        Err(_) => odd_cards.push((card, ord)),
                    }
                }
                Ok(ReadNote {
                    guid: row.get(1)?,
                    note_type: row.get(2)?,
                    fields: flds.split('\u{1f}').map(str::to_string).collect(),
                    tags: tags.split_whitespace().map(str::to_string).collect(),
                    cards,
                    odd_cards,
                })
            };
            // Which note could not be read, as well as why.
            let note: i64 = row.get(0).unwrap_or_default();
            each(read().map_err(|e| unreadable(format!("note {note}: {e}")))?)?;
        }
        Ok(())
    }

    /// The review log, oldest first.
    pub fn revlog(&self, unreadable: &dyn Fn(String) -> Error) -> Result<Vec<Revlog>, Error> {
        let fail = |e: rusqlite::Error| unreadable(e.to_string());
        let mut stmt = self
            .conn
            .prepare("SELECT id, cid, ease, type, time FROM revlog ORDER BY id")
            .map_err(fail)?;
        stmt.query_map([], |r| {
            Ok(Revlog {
                at_ms: r.get(0)?,
                card: r.get(1)?,
                ease: r.get(2)?,
                kind: r.get(3)?,
                taken_ms: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(fail)
    }
}

/// Note types from schema 11's `col.models` JSON; what does not parse is left out (its notes
/// are then reported as having an unknown note type).
fn note_types_11(json: &str) -> HashMap<i64, NoteType> {
    let models: HashMap<String, Value> = serde_json::from_str(json).unwrap_or_default();
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let ordered = |v: &Value, key: &str| -> Vec<Value> {
        let mut items: Vec<Value> = v
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        items.sort_by_key(|i| i.get("ord").and_then(Value::as_i64).unwrap_or(0));
        items
    };
    models
        .into_iter()
        .filter_map(|(id, m)| {
            let note_type = NoteType {
                name: text(&m, "name"),
                cloze: m.get("type").and_then(Value::as_i64) == Some(1),
                fields: ordered(&m, "flds")
                    .iter()
                    .map(|f| text(f, "name"))
                    .collect(),
                css: text(&m, "css"),
                templates: ordered(&m, "tmpls")
                    .iter()
                    .map(|t| Template {
                        name: text(t, "name"),
                        question: text(t, "qfmt"),
                        answer: text(t, "afmt"),
                    })
                    .collect(),
            };
            Some((id.parse().ok()?, note_type))
        })
        .collect()
}

fn decks_11(json: &str) -> HashMap<i64, String> {
    serde_json::from_str::<HashMap<String, Value>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(id, v)| Some((id.parse().ok()?, v.get("name")?.as_str()?.to_string())))
        .collect()
}

fn note_types_18(conn: &Connection) -> rusqlite::Result<HashMap<i64, NoteType>> {
    use crate::import::anki::proto;
    let mut types: HashMap<i64, NoteType> = conn
        .prepare("SELECT id, name, config FROM notetypes")?
        .query_map([], |r| {
            let config: Vec<u8> = r.get(2)?;
            Ok((
                r.get(0)?,
                NoteType {
                    name: r.get(1)?,
                    cloze: proto::is_cloze_kind(&config).unwrap_or(false),
                    css: proto::note_type_css(&config).unwrap_or_default(),
                    ..NoteType::default()
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut fields = conn.prepare("SELECT ntid, name FROM fields ORDER BY ntid, ord")?;
    let mut rows = fields.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(t) = types.get_mut(&row.get::<_, i64>(0)?) {
            t.fields.push(row.get(1)?);
        }
    }
    let mut templates =
        conn.prepare("SELECT ntid, name, config FROM templates ORDER BY ntid, ord")?;
    let mut rows = templates.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(t) = types.get_mut(&row.get::<_, i64>(0)?) {
            let config: Vec<u8> = row.get(2)?;
            let (question, answer) = proto::template_formats(&config).unwrap_or_default();
            t.templates.push(Template {
                name: row.get(1)?,
                question,
                answer,
            });
        }
    }
    Ok(types)
}

fn decks_18(conn: &Connection) -> rusqlite::Result<HashMap<i64, String>> {
    conn.prepare("SELECT id, name FROM decks")?
        .query_map([], |r| {
            // Schema 18 separates deck levels with 0x1f where older ones write `::`.
            Ok((r.get(0)?, r.get::<_, String>(1)?.replace('\u{1f}', "::")))
        })?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(i: usize) -> AnkiNote {
        AnkiNote {
            guid: format!("recall-card-{i}"),
            front: format!("Q {i} &amp; more"),
            back: format!("A {i}<br>line two"),
            tags: vec!["caching".into(), "level::senior".into()],
            deck: "Backend Engineering::Caching".into(),
        }
    }

    #[test]
    fn a_written_collection_reads_back_with_note_type_deck_and_tags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("collection.anki2");
        let mut writer =
            CollectionWriter::create(&path, &[note(1).deck], 1_767_225_600_000).unwrap();
        writer.add(&note(1)).unwrap();
        writer.add(&note(2)).unwrap();
        writer.finish().unwrap();
        let collection = Collection::open(&path, &Error::Usage).unwrap();
        assert_eq!(collection.note_count(&Error::Usage).unwrap(), 2);
        let mut notes = Vec::new();
        collection
            .notes(&Error::Usage, |note| {
                notes.push(note);
                Ok(())
            })
            .unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].guid, "recall-card-1");
        let note_type = &collection.note_types[&notes[0].note_type];
        assert_eq!(note_type.name, "Basic (recall)");
        assert_eq!(note_type.fields, ["Front", "Back"]);
        assert_eq!(note_type.templates[0].question, "{{Front}}");
        assert_eq!(notes[0].fields, ["Q 1 &amp; more", "A 1<br>line two"]);
        assert_eq!(notes[0].tags, ["caching", "level::senior"]);
        assert_eq!(
            collection.decks[&notes[0].cards[0].deck],
            "Backend Engineering::Caching"
        );
    }

    #[test]
    fn checksums_match_anki() {
        // Anki: int(sha1("hello").hexdigest()[:8], 16)
        assert_eq!(checksum("hello"), 0xaaf4_c61d);
    }
}
