//! Exporting cards for other learners and other tools. Cards only: personal progress is never
//! part of a shared export (the one exception is `--with-progress` on the JSON format, meant for
//! moving your own history to another machine).
//!
//! Every format is written a card at a time ([`TextWriter`], [`json::Writer`],
//! [`apkg::Writer`]), so an export holds one card in memory, not the collection. What a format
//! needs to know before its first card (the TOML header, the Anki deck list) is a
//! [`Selection`], counted beforehand.

pub mod apkg;
pub mod json;

use std::io::{self, Write};

use serde::Serialize;

use crate::cloze::ClozeMember;
use crate::deck::anki::{AnkiBorn, AnkiNoteType, AnkiOrigin, Handback};
use crate::deck::{Card, Deck};
use crate::import::html;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A standalone deck file that `recall --decks FILE` loads as it is.
    Toml,
    /// A readable study sheet, grouped by section.
    Markdown,
    /// Anki's text import format, with its file headers.
    AnkiTxt,
    /// An Anki package (File > Import in Anki 2.1.50 and later).
    Apkg,
    /// front, back, deck, tags, id, level, source, with a header row.
    Csv,
    /// recall's own JSON (with --with-progress: plus the review log).
    Json,
}

impl Format {
    pub fn is_binary(self) -> bool {
        self == Format::Apkg
    }
}

/// The headers of an `anki-txt` export. Its note type is the one `.apkg` exports define
/// ("Basic (recall)", fields Front and Back), so notes that arrive both ways are one note type
/// in Anki; where that type is not (yet) in the collection, Anki's text import uses its
/// default type, Basic.
pub const ANKI_TEXT_HEADER: &str = "#separator:tab\n#html:true\n#notetype:Basic (recall)\n#deck column:3\n#tags column:4\n#guid column:5\n";

/// The headers of an `anki-txt` export holding cards born in Anki: each row names its note
/// type (Anki's own for those, "Basic (recall)" for recall's), then its deck, tags and GUID,
/// then the note's fields, so that Anki's text import updates each note under its own type.
/// Anki skips a row whose note type is not in the collection (it has no fallback for a note
/// type column), so recall's rows need "Basic (recall)" there; an export of recall's cards
/// alone keeps [`ANKI_TEXT_HEADER`].
pub const ANKI_TEXT_NOTES_HEADER: &str = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:4\n";

/// The name of the note type recall's own cards are in Anki.
pub const RECALL_NOTE_TYPE: &str = "Basic (recall)";

/// The name of the note type recall's clozes are in Anki.
pub const RECALL_CLOZE_NOTE_TYPE: &str = "Cloze (recall)";

/// The note type recall's clozes are in Anki: Anki's own Cloze (fields Text and Back Extra,
/// one template rendering `{{cloze:Text}}`) under recall's name and a fixed id, so that every
/// export of recall's clozes is one note type in a collection, and notes of it that come back
/// are read as recall's clozes again.
pub fn recall_cloze_note_type() -> AnkiNoteType {
    AnkiNoteType {
        id: RECALL_CLOZE_NOTE_TYPE_ID,
        name: RECALL_CLOZE_NOTE_TYPE.to_string(),
        kind: crate::deck::anki::NoteKind::Cloze,
        fields: vec!["Text".into(), "Back Extra".into()],
        templates: vec![crate::deck::anki::AnkiTemplate {
            name: "Cloze".into(),
            qfmt: "{{cloze:Text}}".into(),
            afmt: "{{cloze:Text}}<br>\n{{Back Extra}}".into(),
        }],
        css: ".card {\n    font-family: arial;\n    font-size: 20px;\n    text-align: center;\n    color: black;\n    background-color: white;\n}\n.cloze {\n    font-weight: bold;\n    color: blue;\n}\n".into(),
    }
}

/// Anki's id of [`recall_cloze_note_type`] (next to "Basic (recall)"'s).
pub const RECALL_CLOZE_NOTE_TYPE_ID: i64 = 1_700_000_000_002;

/// The Anki fields of a recall cloze (see [`recall_cloze_note_type`]): its text in Anki's
/// cloze syntax as HTML, and an empty Back Extra.
pub fn cloze_fields(note: &crate::cloze::ClozeNote) -> Vec<String> {
    // A note's text was checked when its deck loaded; were it not, Anki gets it as it is.
    let text = crate::cloze::to_anki(&note.text).unwrap_or_else(|_| note.text.clone());
    vec![html::escape(&text), String::new()]
}

/// The parent deck in Anki for cards from the bundled guide.
pub const ANKI_PARENT: &str = "Backend Engineering";

/// The Anki tag that carries a recall card's deck id: `recall::deck::ID`.
pub const DECK_TAG: &str = "recall::deck::";
/// The Anki tag that carries a recall card's source: `recall::source::PATH`.
pub const SOURCE_TAG: &str = "recall::source::";

/// Text as one Anki tag: `%`, whitespace and control characters as `%XX` (a tag has no
/// spaces); [`tag_decode`] reverses it.
pub fn tag_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '%' || c.is_whitespace() || c.is_control() {
            let mut bytes = [0u8; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of a tag written by [`tag_encode`]; `None` if it is not one.
pub fn tag_decode(tag: &str) -> Option<String> {
    crate::ids::percent_decode(tag).filter(|s| !s.is_empty())
}

/// The deck name Anki shows for `deck`: `Backend Engineering::<section>` for the bundled
/// guide's decks, the deck's own name for others (`::` in it nests decks, as in Anki, so a
/// deck imported from Anki goes back where it was).
pub fn anki_deck(deck: &Deck) -> String {
    if deck.location.path.starts_with("(bundled)") {
        format!("{ANKI_PARENT}::{}", deck.name)
    } else {
        deck.name.clone()
    }
}

/// The cards born in Anki that deck files kept the notes of (see [`crate::deck::anki`]), and
/// the cards made by a deck file's cloze, by card id: what exports hand back. The catalog
/// caches what reviews need; this is read from the deck files themselves, and only by the
/// exports that use it.
#[derive(Debug, Default)]
pub struct AnkiOrigins {
    cards: std::collections::HashMap<crate::types::CardId, AnkiBorn>,
    clozes: std::collections::HashMap<crate::types::CardId, ClozeMember>,
}

impl AnkiOrigins {
    /// Takes in the next deck file's tables, in load order: a card id met before keeps the
    /// first (as the library keeps the first copy of a card).
    pub fn add(&mut self, tables: crate::deck::anki::AnkiTables) {
        let note_types: std::collections::HashMap<i64, std::sync::Arc<AnkiNoteType>> = tables
            .note_types
            .into_iter()
            .map(|t| (t.id, std::sync::Arc::new(t)))
            .collect();
        for (id, origin) in tables.origins {
            if let Some(note_type) = note_types.get(&origin.notetype) {
                self.cards.entry(id).or_insert_with(|| AnkiBorn {
                    origin,
                    note_type: note_type.clone(),
                });
            }
        }
        for (id, member) in tables.clozes {
            self.clozes.entry(id).or_insert(member);
        }
    }

    pub fn get(&self, id: &crate::types::CardId) -> Option<&AnkiBorn> {
        self.cards.get(id)
    }

    /// The cloze that made `card`, if its text is still what the cloze makes.
    pub fn cloze(&self, card: &Card) -> Option<&ClozeMember> {
        self.clozes
            .get(&card.id)
            .filter(|m| m.note.has(m.index, &card.front, &card.back))
    }
}

/// The key of a cloze note among an export's cards: the id of its first card.
pub fn cloze_key(member: &ClozeMember) -> &crate::types::CardId {
    &member.note.cards[0].0
}

/// A card with what every format needs.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub card: &'a Card,
    pub deck: &'a Deck,
    /// For a card born in Anki whose deck file kept its note: that note.
    pub anki: Option<&'a AnkiBorn>,
    /// For a card of a deck file's cloze, when the export carries all of that cloze's cards
    /// as it wrote them: the cloze, which formats other than Markdown write whole, once.
    pub cloze: Option<&'a ClozeMember>,
}

impl Item<'_> {
    /// The deck name Anki shows (see [`anki_deck`]).
    pub fn anki_deck(&self) -> String {
        anki_deck(self.deck)
    }

    /// Tags for Anki: the card's tags and its level as `level::senior`; no spaces. A card of
    /// recall's own also carries its deck id (`recall::deck::ID`) and source
    /// (`recall::source::PATH`, see [`tag_encode`]), which `recall import` reads back, so a
    /// deck that travels through Anki arrives whole; a card born in Anki goes back to its
    /// note with its own tags only.
    pub fn anki_tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .card
            .tags
            .iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join("_"))
            .filter(|t| !t.is_empty())
            .collect();
        if let Some(level) = self.card.level {
            tags.push(format!("level::{level}"));
        }
        if self.anki.is_none() {
            tags.push(format!("{DECK_TAG}{}", self.deck.id));
            if let Some(source) = self.card.source.as_deref().filter(|s| !s.is_empty()) {
                tags.push(format!("{SOURCE_TAG}{}", tag_encode(source)));
            }
        }
        tags
    }

    /// The Anki note GUID: for the first card of a note born in Anki, that note's own GUID
    /// (so Anki updates it instead of adding a copy); otherwise derived from the card id
    /// (`recall:<id>`), so importing an updated export updates the notes instead of
    /// duplicating them, and recall can map it back.
    pub fn guid(&self) -> String {
        if let Some(member) = self.cloze {
            return format!("recall:{}", member.note.id);
        }
        let id = self.card.id.as_str();
        self.anki
            .and_then(|_| crate::deck::anki::note_guid(id))
            .or_else(|| crate::import::anki::guid_of(id))
            .unwrap_or_else(|| format!("recall:{id}"))
    }

    /// For a card born in Anki: what goes back (see [`Handback`]).
    pub fn handback(&self) -> Option<Handback> {
        self.anki
            .map(|born| born.handback(&self.card.front, &self.card.back))
    }

    /// For a card born in Anki: its note's fields as they go back to Anki, HTML. The note's
    /// own, unless the card was edited in recall and its note type is Anki's Basic: then its
    /// new text.
    pub fn anki_fields(&self) -> Option<Vec<String>> {
        let born = self.anki?;
        Some(match born.handback(&self.card.front, &self.card.back) {
            Handback::EditedText => vec![
                html::escape(&self.card.front),
                html::escape(&self.card.back),
            ],
            Handback::AsImported | Handback::EditedKeptAnki => born.origin.fields.clone(),
        })
    }

    /// The section a card belongs to, for grouping: its source's section path, else its deck.
    pub fn section(&self) -> String {
        self.card.section_or(&self.deck.name).to_string()
    }
}

/// What the cards to export come to, counted before the first is written: how many, and
/// their decks.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub count: usize,
    /// The decks of the cards, each once, in the order of their first cards.
    pub decks: Vec<Deck>,
    /// The cards born in Anki among them, by what goes back for them.
    pub anki: AnkiCounts,
    /// The clozes among them (by [`cloze_key`]): how many of each cloze's cards there are,
    /// and how many it makes.
    pub clozes: std::collections::HashMap<crate::types::CardId, (usize, usize)>,
}

/// Cards born in Anki in an export, by [`Handback`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnkiCounts {
    pub as_imported: usize,
    pub edited_text: usize,
    pub edited_kept_anki: usize,
}

impl AnkiCounts {
    pub fn total(&self) -> usize {
        self.as_imported + self.edited_text + self.edited_kept_anki
    }
}

impl Selection {
    /// Counts one more card, `item`: its deck and, for a card born in Anki, what goes back.
    pub fn add_item(&mut self, item: &Item<'_>) {
        self.add(item.deck);
        if let Some(member) = item.cloze {
            self.clozes
                .entry(cloze_key(member).clone())
                .or_insert((0, member.note.cards.len()))
                .0 += 1;
        }
        match item.handback() {
            None => {}
            Some(Handback::AsImported) => self.anki.as_imported += 1,
            Some(Handback::EditedText) => self.anki.edited_text += 1,
            Some(Handback::EditedKeptAnki) => self.anki.edited_kept_anki += 1,
        }
    }

    /// Counts one more card, from `deck`.
    pub fn add(&mut self, deck: &Deck) {
        self.count += 1;
        // Cards come in deck order, so a known deck is nearly always the last one.
        let known = self.decks.last().is_some_and(|last| last.id == deck.id)
            || self.decks.iter().any(|d| d.id == deck.id);
        if !known {
            self.decks.push(deck.clone());
        }
    }

    /// The clozes all of whose cards are in the export: those go whole (by [`cloze_key`]).
    pub fn whole_clozes(&self) -> std::collections::HashSet<crate::types::CardId> {
        self.clozes
            .iter()
            .filter(|(_, (have, makes))| have == makes)
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// The deck every card comes from, when there is only one.
    pub fn single_deck(&self) -> Option<&Deck> {
        match self.decks.as_slice() {
            [deck] => Some(deck),
            _ => None,
        }
    }
}

#[derive(Serialize)]
struct TomlHeader<'a> {
    deck: TomlDeck<'a>,
}

#[derive(Serialize)]
struct TomlDeck<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
}

/// One card as a TOML document of its own: `[[card]]` and its keys.
#[derive(Serialize)]
struct TomlCards<'a> {
    card: &'a [TomlCard<'a>],
}

/// One `[[card]]`: `front` and `back`, or (a cloze written whole) `cloze`.
#[derive(Serialize)]
struct TomlCard<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    front: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloze: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anki: Option<TomlOrigin<'a>>,
}

/// A cloze as one card of a deck file, to follow the header or the card before it; its
/// tags, level and source are those of `card`, one of its cards.
pub fn toml_cloze(note: &crate::cloze::ClozeNote, card: &Card) -> io::Result<String> {
    toml_table(&TomlCard {
        id: &note.id,
        front: None,
        back: None,
        cloze: Some(&note.text),
        tags: &card.tags,
        level: card.level.map(crate::types::Level::as_str),
        source: card.source.as_deref(),
        anki: None,
    })
}

/// `card` as a `[[card]]` table of its own, after a blank line.
fn toml_table(card: &TomlCard<'_>) -> io::Result<String> {
    let table = toml::to_string(&TomlCards {
        card: std::slice::from_ref(card),
    })
    .map_err(|e| toml_error(&e))?;
    Ok(format!("\n{table}"))
}

/// A card's `[card.anki]` table (see [`crate::deck::anki`]).
#[derive(Serialize)]
struct TomlOrigin<'a> {
    notetype: i64,
    ord: u32,
    rendered: &'a str,
    fields: &'a [String],
    #[serde(skip_serializing_if = "is_zero")]
    flags: u8,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(flags: &u8) -> bool {
    *flags == 0
}

/// The `[[anki_notetype]]` sections of a deck file.
#[derive(Serialize)]
struct TomlNoteTypes<'a> {
    anki_notetype: Vec<TomlNoteType<'a>>,
}

#[derive(Serialize)]
struct TomlNoteType<'a> {
    id: i64,
    name: &'a str,
    kind: &'static str,
    fields: &'a [String],
    css: &'a str,
    template: Vec<TomlTemplate<'a>>,
}

#[derive(Serialize)]
struct TomlTemplate<'a> {
    name: &'a str,
    qfmt: &'a str,
    afmt: &'a str,
}

fn toml_error(e: &toml::ser::Error) -> io::Error {
    io::Error::other(format!("writing TOML: {e}"))
}

/// The start of a deck file: the header of `deck`, or (`None`, for cards of several decks) a
/// combined header; the cards that follow keep their ids either way.
pub fn toml_header(deck: Option<&Deck>) -> io::Result<String> {
    let deck = match deck {
        Some(deck) => TomlDeck {
            id: &deck.id.0,
            name: &deck.name,
            description: &deck.description,
        },
        None => TomlDeck {
            id: "recall-export",
            name: "recall export",
            description: "Cards exported from several decks by recall.",
        },
    };
    let header = toml::to_string(&TomlHeader { deck }).map_err(|e| toml_error(&e))?;
    Ok(format!(
        "# Exported by recall; load it with `recall --decks FILE`.\n\n{header}"
    ))
}

/// One card of a deck file, to follow the header or the card before it. The header and the
/// cards, concatenated, are exactly the document `toml` writes for them all at once.
pub fn toml_card(card: &Card) -> io::Result<String> {
    toml_card_with(card, None)
}

/// [`toml_card`], with the `[card.anki]` table of a card born in Anki; its note type goes in
/// the file's [`toml_note_types`].
pub fn toml_card_with(card: &Card, origin: Option<&AnkiOrigin>) -> io::Result<String> {
    toml_table(&TomlCard {
        id: card.id.as_str(),
        front: Some(&card.front),
        back: Some(&card.back),
        cloze: None,
        tags: &card.tags,
        level: card.level.map(crate::types::Level::as_str),
        source: card.source.as_deref(),
        anki: origin.map(|o| TomlOrigin {
            notetype: o.notetype,
            ord: o.ord,
            rendered: &o.rendered,
            fields: &o.fields,
            flags: o.flags,
        }),
    })
}

/// The `[[anki_notetype]]` sections for `note_types`, to end a deck file (TOML lets them
/// follow the cards); empty for none.
pub fn toml_note_types<'a>(
    note_types: impl IntoIterator<Item = &'a AnkiNoteType>,
) -> io::Result<String> {
    let anki_notetype: Vec<TomlNoteType<'_>> = note_types
        .into_iter()
        .map(|t| TomlNoteType {
            id: t.id,
            name: &t.name,
            kind: t.kind.as_str(),
            fields: &t.fields,
            css: &t.css,
            template: t
                .templates
                .iter()
                .map(|t| TomlTemplate {
                    name: &t.name,
                    qfmt: &t.qfmt,
                    afmt: &t.afmt,
                })
                .collect(),
        })
        .collect();
    if anki_notetype.is_empty() {
        return Ok(String::new());
    }
    let table = toml::to_string(&TomlNoteTypes { anki_notetype }).map_err(|e| toml_error(&e))?;
    Ok(format!("\n{table}"))
}

/// The text formats (all but apkg), written to `W` a card at a time.
pub enum TextWriter<W: Write> {
    /// One deck file. Cards of several decks go into one file under the first deck's header
    /// when they all share it, else under a combined header. The note types of cards born in
    /// Anki follow the cards.
    Toml {
        out: W,
        note_types: std::collections::BTreeMap<i64, std::sync::Arc<AnkiNoteType>>,
    },
    /// A study sheet: sections as headings, each question a heading with its answer below.
    Markdown { out: W, section: String },
    /// Anki's text format (headers, then front, back, deck, tags, guid per line, fields as
    /// HTML; or, with cards born in Anki, guid, note type, deck, tags and the note's fields,
    /// `notes`) or CSV (front, back, deck, tags space-separated, id, level, source, with a
    /// header row).
    Delimited {
        out: Box<csv::Writer<W>>,
        anki: bool,
        notes: bool,
        /// The GUIDs of the notes born in Anki written so far: a text file holds notes, so
        /// a note's later cards add no row.
        written: std::collections::HashSet<String>,
    },
    /// recall's JSON.
    Json(json::Writer<W>),
}

fn csv_writer<W: Write>(delimiter: u8, out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

/// The title of the Markdown study sheet.
pub const MARKDOWN_TITLE: &str = "Backend Engineering study sheet";

impl<W: Write> TextWriter<W> {
    /// Starts `format` on `out`, writing what comes before the first card. An error for apkg,
    /// which is not text (see [`apkg::Writer`]).
    pub fn start(format: Format, selection: &Selection, mut out: W) -> io::Result<TextWriter<W>> {
        Ok(match format {
            Format::Toml => {
                out.write_all(toml_header(selection.single_deck())?.as_bytes())?;
                TextWriter::Toml {
                    out,
                    note_types: std::collections::BTreeMap::new(),
                }
            }
            Format::Markdown => {
                out.write_all(format!("# {MARKDOWN_TITLE}\n").as_bytes())?;
                TextWriter::Markdown {
                    out,
                    section: String::new(),
                }
            }
            Format::AnkiTxt => {
                let notes = selection.anki.total() > 0 || !selection.whole_clozes().is_empty();
                let header = if notes {
                    ANKI_TEXT_NOTES_HEADER
                } else {
                    ANKI_TEXT_HEADER
                };
                out.write_all(header.as_bytes())?;
                // Rows of note types with more fields are longer. Anki takes any line that
                // starts with `#` for a comment, so a field with `#` in it is quoted, as
                // Anki's own export quotes it: a GUID may well start with one.
                let out = csv::WriterBuilder::new()
                    .delimiter(b'\t')
                    .quote_style(csv::QuoteStyle::Necessary)
                    .comment(Some(b'#'))
                    .flexible(true)
                    .from_writer(out);
                TextWriter::Delimited {
                    out: Box::new(out),
                    anki: true,
                    notes,
                    written: std::collections::HashSet::new(),
                }
            }
            Format::Csv => {
                let mut out = Box::new(csv_writer(b',', out));
                out.write_record([
                    "front",
                    "back",
                    "deck",
                    "tags",
                    "id",
                    "level",
                    "source",
                    "deck_name",
                    "cloze",
                ])?;
                TextWriter::Delimited {
                    out,
                    anki: false,
                    notes: false,
                    written: std::collections::HashSet::new(),
                }
            }
            Format::Json => TextWriter::Json(json::Writer::start(out)?),
            Format::Apkg => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "an .apkg is not a text format",
                ));
            }
        })
    }

    /// Writes one card. A cloze's cards (see [`Item::cloze`]) are written as the cloze, at
    /// its first card, by every format but Markdown, which shows each card.
    pub fn card(&mut self, item: &Item<'_>) -> io::Result<()> {
        if let Some(member) = item.cloze
            && !matches!(self, TextWriter::Markdown { .. })
        {
            return if member.index == 0 {
                self.cloze(item, member)
            } else {
                Ok(())
            };
        }
        match self {
            TextWriter::Toml { out, note_types } => {
                if let Some(born) = item.anki {
                    note_types
                        .entry(born.note_type.id)
                        .or_insert_with(|| born.note_type.clone());
                }
                let origin = item.anki.map(|born| &born.origin);
                out.write_all(toml_card_with(item.card, origin)?.as_bytes())
            }
            TextWriter::Markdown { out, section } => {
                let this = item.section();
                if this != *section {
                    write!(out, "\n## {this}\n")?;
                    *section = this;
                }
                let level = item
                    .card
                    .level
                    .map_or(String::new(), |l| format!(" *({l})*"));
                write!(
                    out,
                    "\n### {}{level}\n\n{}\n",
                    item.card.front.replace('\n', " "),
                    item.card.back
                )
            }
            TextWriter::Delimited {
                out,
                anki: true,
                notes: false,
                ..
            } => Ok(out.write_record([
                html::escape(&item.card.front),
                html::escape(&item.card.back),
                item.anki_deck(),
                item.anki_tags().join(" "),
                item.guid(),
            ])?),
            TextWriter::Delimited {
                out,
                anki: true,
                notes: true,
                written,
            } => {
                let guid = item.guid();
                if item.anki.is_some() && !written.insert(guid.clone()) {
                    return Ok(());
                }
                let (note_type, fields) = match (item.anki, item.anki_fields()) {
                    (Some(born), Some(fields)) => (born.note_type.name.clone(), fields),
                    _ => (
                        RECALL_NOTE_TYPE.to_string(),
                        vec![
                            html::escape(&item.card.front),
                            html::escape(&item.card.back),
                        ],
                    ),
                };
                let mut row = vec![
                    guid,
                    note_type,
                    item.anki_deck(),
                    item.anki_tags().join(" "),
                ];
                row.extend(fields);
                Ok(out.write_record(row)?)
            }
            TextWriter::Delimited {
                out, anki: false, ..
            } => Ok(out.write_record([
                item.card.front.as_str(),
                item.card.back.as_str(),
                item.deck.id.0.as_str(),
                &item.card.tags.join(" "),
                item.card.id.as_str(),
                item.card.level.map_or("", crate::types::Level::as_str),
                item.card.source.as_deref().unwrap_or(""),
                item.deck.name.as_str(),
                "",
            ])?),
            TextWriter::Json(out) => out.card(item),
        }
    }

    /// Writes a cloze whole, for `item`, its first card.
    fn cloze(&mut self, item: &Item<'_>, member: &ClozeMember) -> io::Result<()> {
        let note = &member.note;
        match self {
            TextWriter::Toml { out, .. } => out.write_all(toml_cloze(note, item.card)?.as_bytes()),
            TextWriter::Markdown { .. } => Ok(()),
            TextWriter::Delimited {
                out, anki: true, ..
            } => {
                let mut row = vec![
                    item.guid(),
                    RECALL_CLOZE_NOTE_TYPE.to_string(),
                    item.anki_deck(),
                    item.anki_tags().join(" "),
                ];
                row.extend(cloze_fields(note));
                Ok(out.write_record(row)?)
            }
            TextWriter::Delimited {
                out, anki: false, ..
            } => Ok(out.write_record([
                "",
                "",
                item.deck.id.0.as_str(),
                &item.card.tags.join(" "),
                note.id.as_str(),
                item.card.level.map_or("", crate::types::Level::as_str),
                item.card.source.as_deref().unwrap_or(""),
                item.deck.name.as_str(),
                note.text.as_str(),
            ])?),
            TextWriter::Json(out) => out.card(item),
        }
    }

    /// The JSON writer, to add the review log after the cards; `None` for other formats.
    pub fn json(&mut self) -> Option<&mut json::Writer<W>> {
        match self {
            TextWriter::Json(out) => Some(out),
            _ => None,
        }
    }

    /// Writes what follows the last card, flushes, and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        let mut out = match self {
            TextWriter::Toml {
                mut out,
                note_types,
            } => {
                out.write_all(toml_note_types(note_types.values().map(AsRef::as_ref))?.as_bytes())?;
                out
            }
            TextWriter::Markdown { out, .. } => out,
            TextWriter::Delimited { out, .. } => (*out).into_inner().map_err(|e| {
                let kind = e.error().kind();
                io::Error::new(kind, e.to_string())
            })?,
            TextWriter::Json(out) => out.finish()?,
        };
        out.flush()?;
        Ok(out)
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::deck::{Library, load_sources};
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9<>&\"'\t;:!?.,() -]{1,30}( ?\n[a-zA-Z0-9<>&,\" ]{1,20}){0,2}"
            .prop_map(|s| s.replace('\t', " ").trim().to_string())
            .prop_filter("non-empty, no blank-line runs or edge spaces", |s| {
                !s.is_empty() && !s.contains(" \n") && !s.contains("\n ") && !s.contains("\n\n")
            })
    }

    /// A library of `cards`, card `i` in deck `p{i % decks}`, with tags, levels and sources
    /// on some.
    fn library(cards: &[(String, String)], decks: usize) -> Library {
        let mut texts: Vec<(String, String)> = (0..decks)
            .map(|d| {
                (
                    format!("p{d}.toml"),
                    format!("[deck]\nid = \"p{d}\"\nname = \"P {d}\"\ndescription = \"Deck \\\"{d}\\\"\"\n"),
                )
            })
            .collect();
        for (i, (front, back)) in cards.iter().enumerate() {
            let extra = match i % 3 {
                0 => "tags = [\"t\", \"two words\"]\nlevel = \"senior\"\n",
                1 => "source = \"Guide > Part (notes.md:3)\"\n",
                _ => "",
            };
            texts[i % decks].1.push_str(&format!(
                "\n[[card]]\nid = \"p-{i}\"\nfront = {}\nback = {}\n{extra}",
                toml::Value::String(front.clone()),
                toml::Value::String(back.clone())
            ));
        }
        load_sources(&texts).unwrap()
    }

    fn items(library: &Library) -> Vec<Item<'_>> {
        library
            .cards
            .iter()
            .map(|card| Item {
                card,
                deck: library.deck(&card.deck).unwrap(),
                anki: None,
                cloze: None,
            })
            .collect()
    }

    /// `format` as [`TextWriter`] writes it, a card at a time.
    fn streamed(format: Format, items: &[Item<'_>]) -> String {
        let mut selection = Selection::default();
        for item in items {
            selection.add_item(item);
        }
        let mut writer = TextWriter::start(format, &selection, Vec::new()).unwrap();
        for item in items {
            writer.card(item).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[derive(Serialize)]
    struct WholeToml<'a> {
        deck: TomlDeck<'a>,
        card: Vec<TomlCard<'a>>,
    }

    /// The TOML export as one document serialized at once: what the export wrote before it
    /// streamed.
    fn whole_toml(items: &[Item<'_>]) -> String {
        let single = items
            .first()
            .map(|i| i.deck)
            .filter(|first| items.iter().all(|i| i.deck.id == first.id));
        let deck = match single {
            Some(deck) => TomlDeck {
                id: &deck.id.0,
                name: &deck.name,
                description: &deck.description,
            },
            None => TomlDeck {
                id: "recall-export",
                name: "recall export",
                description: "Cards exported from several decks by recall.",
            },
        };
        let card = items
            .iter()
            .map(|i| TomlCard {
                id: i.card.id.as_str(),
                front: Some(&i.card.front),
                back: Some(&i.card.back),
                cloze: None,
                tags: &i.card.tags,
                level: i.card.level.map(crate::types::Level::as_str),
                source: i.card.source.as_deref(),
                anki: None,
            })
            .collect();
        format!(
            "# Exported by recall; load it with `recall --decks FILE`.\n\n{}",
            toml::to_string(&WholeToml { deck, card }).unwrap()
        )
    }

    /// The JSON export as one document serialized at once.
    fn whole_json(items: &[Item<'_>], log: Option<&[crate::store::LogEntry]>) -> String {
        let export = json::Export {
            format: json::FORMAT.into(),
            version: json::VERSION,
            cards: items.iter().map(json::card).collect(),
            reviews: log.map(|log| log.iter().map(json::JsonReview::from_entry).collect()),
        };
        serde_json::to_string_pretty(&export).unwrap() + "\n"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Cards exported as TOML, Anki text and CSV read back with the same ids and text.
        #[test]
        fn exports_round_trip(cards in prop::collection::vec((text(), text()), 1..8)) {
            let library = library(&cards, 1);
            let items = items(&library);
            let dir = tempfile::tempdir().unwrap();
            for (name, format) in [("p.toml", Format::Toml), ("p.txt", Format::AnkiTxt), ("p.csv", Format::Csv)] {
                let path = dir.path().join(name);
                std::fs::write(&path, streamed(format, &items)).unwrap();
                let back = crate::import::read(&path).unwrap();
                let got: Vec<(String, String, String)> =
                    back.cards.iter().map(|c| (c.id.clone(), c.front.clone(), c.back.clone())).collect();
                let want: Vec<(String, String, String)> = library
                    .cards
                    .iter()
                    .map(|c| (c.id.0.clone(), c.front.clone(), c.back.clone()))
                    .collect();
                prop_assert_eq!(got, want, "{}", name);
            }
        }

        /// Written a card at a time, TOML and JSON are byte for byte the documents the
        /// serializers write for all the cards at once (as exports were written before they
        /// streamed), whether the cards come from one deck or several.
        #[test]
        fn streamed_exports_equal_whole_documents(
            cards in prop::collection::vec((text(), text()), 1..12),
            decks in 1_usize..4,
        ) {
            let library = library(&cards, decks);
            let items = items(&library);
            prop_assert_eq!(streamed(Format::Toml, &items), whole_toml(&items));
            prop_assert_eq!(streamed(Format::Json, &items), whole_json(&items, None));
        }
    }

    /// Anki's text import takes a line starting with `#` for a comment, wherever it is: a
    /// note whose GUID (the first column, with notes from Anki) or front (recall's layout)
    /// starts with `#` would be skipped without a word. Such fields are quoted, as Anki's own
    /// export quotes them.
    #[test]
    fn anki_text_rows_never_start_with_a_hash() {
        let library = library(&[("#hashtag".into(), "A # sign".into())], 1);
        let items = items(&library);
        let text = streamed(Format::AnkiTxt, &items);
        let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            rows,
            [
                "\"#hashtag\"\t\"A # sign\"\tP 0\tt two_words level::senior recall::deck::p0\trecall:p-0"
            ]
        );

        let deck = "[deck]\nid = \"w\"\nname = \"W\"\ndescription = \"\"\n\n[[card]]\nid = \"anki-#x\"\nfront = \"Q\"\nback = \"A\"\n";
        let library = load_sources(&[("w.toml".into(), deck.into())]).unwrap();
        let note_type = std::sync::Arc::new(AnkiNoteType {
            id: 5,
            name: "Basic".into(),
            kind: crate::deck::anki::NoteKind::Standard,
            fields: vec!["Front".into(), "Back".into()],
            templates: vec![crate::deck::anki::AnkiTemplate {
                name: "Card 1".into(),
                qfmt: "{{Front}}".into(),
                afmt: "{{FrontSide}}<hr id=answer>{{Back}}".into(),
            }],
            css: String::new(),
        });
        let born = AnkiBorn {
            origin: AnkiOrigin {
                notetype: 5,
                ord: 0,
                fields: vec!["Q".into(), "A".into()],
                rendered: crate::deck::anki::rendered_hash("Q", "A"),
                flags: 0,
            },
            note_type,
        };
        let item = Item {
            card: &library.cards[0],
            deck: &library.decks[0],
            anki: Some(&born),
            cloze: None,
        };
        let text = streamed(Format::AnkiTxt, &[item]);
        assert!(text.starts_with(ANKI_TEXT_NOTES_HEADER), "{text}");
        assert_eq!(
            &text[ANKI_TEXT_NOTES_HEADER.len()..],
            "\"#x\"\tBasic\tW\t\tQ\tA\n"
        );
    }

    #[test]
    fn json_with_the_review_log_equals_the_whole_document() {
        use crate::scheduler::{CardState, Memory};
        use crate::store::{EntryKind, LogEntry};
        use crate::types::{CardId, Easiness, Grade, ReviewId};

        let library = library(&[("Q".into(), "A".into()), ("Q2".into(), "A2".into())], 2);
        let items = items(&library);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let entry = |i: u32, kind: EntryKind| LogEntry {
            id: ReviewId(format!("r{i}")),
            card_id: CardId(format!("p-{}", i % 2)),
            reviewed_at: chrono::DateTime::from_timestamp_millis(1_772_000_000_000 + i64::from(i))
                .unwrap(),
            day,
            kind,
            grade: kind.is_answer().then(|| Grade::new(4).unwrap()),
            duration_ms: 1200,
            undoes: (kind == EntryKind::Undo).then(|| ReviewId("r0".into())),
            until: None,
            before: CardState::New,
            after: CardState::Scheduled(Memory {
                repetitions: 1,
                easiness: Easiness::INITIAL,
                interval: 1,
                due: day + chrono::Duration::days(1),
                lapses: 0,
                reviews: 1,
                last_review: day,
                fsrs: None,
                learning: None,
            }),
        };
        for log in [
            vec![],
            vec![
                entry(0, EntryKind::Review),
                entry(1, EntryKind::Undo),
                entry(2, EntryKind::Skip),
            ],
        ] {
            let mut writer =
                TextWriter::start(Format::Json, &Selection::default(), Vec::new()).unwrap();
            for item in &items {
                writer.card(item).unwrap();
            }
            let json = writer.json().unwrap();
            json.start_reviews().unwrap();
            for entry in &log {
                json.review(entry).unwrap();
            }
            let streamed = String::from_utf8(writer.finish().unwrap()).unwrap();
            assert_eq!(streamed, whole_json(&items, Some(&log)));
        }
    }
}
