//! Reading decks shared by others: recall TOML, Anki text files (with or without headers),
//! CSV, `.apkg` packages, and recall's JSON (whose review log, if present, is merged). Every
//! input is untrusted: sizes are bounded, HTML is turned into text, and each problem is
//! reported with its line, row or entry.

pub mod anki;
pub mod html;
pub mod merge;
pub mod review_log;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::cloze;
use crate::error::{Error, Problem, Problems};
use crate::export::json::{self, Export};
use crate::ids;
use crate::store::LogEntry;
use crate::types::Level;

/// Text files larger than this are refused.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// A card as read from a shared file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    pub id: String,
    pub front: String,
    pub back: String,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    pub source: Option<String>,
    /// The deck the file puts the card in (an Anki deck's full name, `Parent::Child`, or a
    /// recall deck's name), if it says.
    pub deck: Option<String>,
    /// The recall deck id the file gives the card's deck (recall's own formats, and a
    /// `recall::deck::ID` tag in Anki's), so a friend's `--deck ID` still matches.
    pub deck_id: Option<String>,
    /// For a card born in Anki (read from a package, or from a deck file that kept it): its
    /// note, so that it can go back to Anki as an update.
    pub anki: Option<crate::deck::anki::AnkiBorn>,
    /// For a card made by a cloze (recall's own, from any format): the cloze, which the deck
    /// file keeps as one `cloze =` card when all of its cards arrive.
    pub cloze: Option<crate::cloze::ClozeMember>,
}

/// The cards of cloze `note`, each with what `template` says of the cloze (tags, level,
/// source, deck), in deletion order.
pub(crate) fn cloze_cards(
    note: crate::cloze::ClozeNote,
    template: &Incoming,
) -> impl Iterator<Item = Incoming> + '_ {
    crate::cloze::members(note).map(move |(id, member)| {
        let (_, front, back) = &member.note.cards[member.index];
        Incoming {
            id: id.0,
            front: front.clone(),
            back: back.clone(),
            cloze: Some(member.clone()),
            ..template.clone()
        }
    })
}

/// The cloze of a note recall exported (GUID `recall:ID`) whose cloze text (`text`, the
/// note's first field, HTML) is one recall can hold (see [`crate::cloze::from_anki`]).
pub(crate) fn recall_cloze(guid: &str, text: &str) -> Option<crate::cloze::ClozeNote> {
    let id = guid.strip_prefix("recall:").filter(|id| ids::valid(id))?;
    let text = crate::cloze::from_anki(&html::to_text(text))?;
    crate::cloze::ClozeNote::new(id, &text).ok()
}

impl Incoming {
    /// What the card holds, in bytes: question, answer, source and Anki fields.
    pub fn bytes(&self) -> usize {
        let fields = self
            .anki
            .as_ref()
            .map_or(0, |a| a.origin.fields.iter().map(String::len).sum());
        self.front.len() + self.back.len() + self.source.as_ref().map_or(0, String::len) + fields
    }

    /// Why the card is too large to import (see [`MAX_CARD_BYTES`]), if it is.
    pub fn too_large(&self) -> Option<String> {
        let bytes = self.bytes();
        (bytes > MAX_CARD_BYTES).then(|| {
            format!(
                "the card holds {:.1} MiB, over the {} MiB one card may hold",
                bytes as f64 / (1024.0 * 1024.0),
                MAX_CARD_BYTES / (1024 * 1024)
            )
        })
    }
}

/// What to do about a card that is too large.
const TOO_LARGE_HINT: &str = "shorten it, or split it into several cards";

/// A media file the cards refer to (an image or a sound in an Anki package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub kind: html::MediaKind,
    pub name: String,
    /// Where it goes with `--media DIR`, if it does: written by [`anki::media::write`] once
    /// the import's checks have passed.
    pub plan: Option<anki::media::Plan>,
}

/// The most one import may inflate and write, all together: a package's collection, the
/// media it checks and writes, and the deck files. Declared sizes can lie (a 95 KB package
/// can hold three 400 MiB zstd streams), so what is counted is what is actually produced.
pub const MAX_IMPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The most one imported card may hold, its question, answer and Anki fields together: a
/// deck file of such cards still loads (TOML escaping can grow text sixfold, and a deck file
/// may hold [`crate::deck::MAX_DECK_BYTES`]).
pub const MAX_CARD_BYTES: usize = 4 * 1024 * 1024;

/// One import's budget of bytes ([`MAX_IMPORT_BYTES`]), shared by every step that inflates
/// or writes.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: std::sync::atomic::AtomicU64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::new(MAX_IMPORT_BYTES)
    }
}

impl Budget {
    pub fn new(limit: u64) -> Budget {
        Budget {
            limit,
            used: 0.into(),
        }
    }

    /// What is left.
    pub fn remaining(&self) -> u64 {
        self.limit
            .saturating_sub(self.used.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Counts `bytes`; `false` when that goes over the budget.
    pub fn spend(&self, bytes: u64) -> bool {
        let before = self
            .used
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        before.saturating_add(bytes) <= self.limit
    }

    /// The refusal once the budget is spent.
    pub fn spent(&self, path: &Path) -> Error {
        Error::Usage(format!(
            "{}: the import would inflate and write more than {} MiB in all (its collection, media and decks together), the most one import may; nothing was written",
            path.display(),
            self.limit / (1024 * 1024)
        ))
    }
}

/// What a file holds.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub cards: Vec<Incoming>,
    /// Notes or rows left out on purpose, with why.
    pub skipped: Vec<String>,
    /// A review log to merge (recall JSON exported `--with-progress`).
    pub reviews: Option<Vec<LogEntry>>,
}

/// What a file gives, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Card(Incoming),
    /// A note or row left out on purpose, with why.
    Skipped(String),
    /// A media file the cards refer to; these come after the cards.
    Media(Media),
    /// An answer from the file's review history (an Anki package's `revlog`), for the card
    /// with the id `card`; these come last.
    Review(review_log::Row),
    /// A card the file has suspended (an Anki card with `queue` -1), by recall id, with the
    /// Anki card's id and when Anki last changed it.
    Suspended {
        card: String,
        anki_card: i64,
        at: chrono::DateTime<chrono::Utc>,
    },
}

/// How far a read has got: `done` of `total`, counted in bytes of a text file (`in_bytes`) or
/// in notes of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub in_bytes: bool,
}

impl Progress {
    /// A file read whole at once: all done.
    fn whole(total: u64) -> Progress {
        Progress {
            done: total,
            total,
            in_bytes: true,
        }
    }
}

/// The formats `recall import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Toml,
    AnkiText,
    Csv,
    Apkg,
    Json,
    /// A format recall does not read, such as its own Markdown study sheet: named here.
    Unsupported(&'static str),
}

/// Guesses a file's format from its extension, then from its first bytes.
pub fn kind_of(path: &Path, head: &[u8]) -> Kind {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "toml" => Kind::Toml,
        "apkg" | "colpkg" | "zip" => Kind::Apkg,
        "csv" => Kind::Csv,
        "json" => Kind::Json,
        "txt" | "tsv" => Kind::AnkiText,
        "md" | "markdown" => Kind::Unsupported("Markdown (a study sheet is for reading)"),
        "html" | "htm" => Kind::Unsupported("HTML"),
        "pdf" | "doc" | "docx" | "odt" | "rtf" => Kind::Unsupported("a document"),
        "xls" | "xlsx" | "ods" => Kind::Unsupported("a spreadsheet (save it as CSV)"),
        _ if head.starts_with(b"PK") => Kind::Apkg,
        _ if head.starts_with(b"{") => Kind::Json,
        _ if head.starts_with(b"[deck]") => Kind::Toml,
        // Anki's header lines are `#key:value`; a heading `# Title` is Markdown.
        _ if head.starts_with(b"# ") => {
            Kind::Unsupported("Markdown (a study sheet is for reading)")
        }
        _ => Kind::AnkiText,
    }
}

fn problem(path: &Path, line: usize, message: String, hint: &str) -> Problem {
    Problem {
        path: path.display().to_string(),
        line,
        column: 1,
        message,
        hint: (!hint.is_empty()).then(|| hint.to_string()),
    }
}

/// The size of `path`, refused when over [`MAX_TEXT_BYTES`].
fn size_within_limit(path: &Path) -> Result<u64, Error> {
    let size = crate::deck::regular_file(path)?.len();
    if size > MAX_TEXT_BYTES {
        return Err(Error::Problems(Problems(vec![problem(
            path,
            1,
            format!("file is {size} bytes, over the limit of {MAX_TEXT_BYTES}"),
            "split it into smaller files",
        )])));
    }
    Ok(size)
}

fn read_text(path: &Path) -> Result<String, Error> {
    size_within_limit(path)?;
    let (bytes, over) = crate::deck::read_capped(path, MAX_TEXT_BYTES)?;
    if over {
        return Err(Error::Problems(Problems(vec![problem(
            path,
            1,
            format!("file grew past the limit of {MAX_TEXT_BYTES} bytes while being read"),
            "split it into smaller files",
        )])));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = std::str::from_utf8(valid).map_or(1, |s| s.matches('\n').count() + 1);
        Error::Problems(Problems(vec![problem(
            path,
            line,
            "not valid UTF-8".into(),
            "save the file as UTF-8",
        )]))
    })
}

/// The size of `path`, once checked to be within [`MAX_TEXT_BYTES`] and UTF-8 throughout
/// (reported as [`read_text`] reports it), reading it a piece at a time.
fn check_text(path: &Path) -> Result<u64, Error> {
    let size = size_within_limit(path)?;
    let not_utf8 = |line: usize| {
        Error::Problems(Problems(vec![problem(
            path,
            line,
            "not valid UTF-8".into(),
            "save the file as UTF-8",
        )]))
    };
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buffer = vec![0u8; 64 * 1024];
    // The start of a character split by the end of the last piece, moved to the front.
    let mut carried = 0;
    let mut line = 1;
    loop {
        let read = match file.read(&mut buffer[carried..]) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        let filled = carried + read;
        let (valid, broken) = match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => (filled, false),
            Err(e) => (e.valid_up_to(), e.error_len().is_some() || read == 0),
        };
        // A pass over 64 KiB at a time: not worth a dependency to count faster.
        #[allow(clippy::naive_bytecount)]
        let lines = buffer[..valid].iter().filter(|&&b| b == b'\n').count();
        line += lines;
        if broken {
            return Err(not_utf8(line));
        }
        if read == 0 {
            return Ok(size);
        }
        buffer.copy_within(valid..filled, 0);
        carried = filled - valid;
    }
}

/// Reads `path` whole, in its format (for tests and fuzzing; `recall import` streams with
/// [`read_each`]).
pub fn read(path: &Path) -> Result<Imported, Error> {
    let mut cards = Vec::new();
    let mut skipped = Vec::new();
    let reviews = read_each(path, |entry, _| {
        match entry {
            Entry::Card(card) => cards.push(card),
            Entry::Skipped(reason) => skipped.push(reason),
            Entry::Media(_) | Entry::Review(_) | Entry::Suspended { .. } => {}
        }
        Ok(())
    })?;
    Ok(Imported {
        cards,
        skipped,
        reviews,
    })
}

/// Reads `path` in its format, calling `each` with what it gives, in file order, and how far
/// the read has got; returns the review log the file carries, if any. Anki text and CSV
/// files are read a row at a time and packages a note at a time, so only TOML and JSON files
/// are held whole. Problems in the file are reported together at the end, and so may come
/// after `each` has seen cards: keep nothing until this returns `Ok`. An error from `each`
/// stops the read.
pub fn read_each(
    path: &Path,
    each: impl FnMut(Entry, Progress) -> Result<(), Error>,
) -> Result<Option<Vec<LogEntry>>, Error> {
    read_each_with(path, &anki::Options::default(), each)
}

/// [`read_each`], with what an Anki package import does besides (`--media DIR`).
pub fn read_each_with(
    path: &Path,
    options: &anki::Options,
    mut each: impl FnMut(Entry, Progress) -> Result<(), Error>,
) -> Result<Option<Vec<LogEntry>>, Error> {
    // Before opening: opening a FIFO waits for a writer.
    crate::deck::regular_file(path)?;
    let mut head = [0u8; 8];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::io(path, e))?;
    match kind_of(path, &head[..n]) {
        Kind::Toml => read_toml(path, &mut each).map(|()| None),
        Kind::Apkg => anki::read(path, options, &mut each).map(|()| None),
        Kind::Json => read_json(path, &mut each),
        Kind::Csv => read_delimited(path, Some(b','), &mut each).map(|()| None),
        Kind::AnkiText => read_delimited(path, None, &mut each).map(|()| None),
        Kind::Unsupported(what) => Err(Error::Usage(format!(
            "{}: recall cannot import {what}; it imports recall TOML (.toml), Anki text (.txt, .tsv), CSV (.csv), Anki packages (.apkg) and recall JSON (.json)",
            path.display()
        ))),
    }
}

/// The name and description in a TOML deck's `[deck]` header, so that an imported deck keeps
/// its own name rather than its file's; `None` for other files, or one that does not parse
/// (whose problems the import itself reports).
pub fn toml_deck_header(path: &Path) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct DeckFile {
        deck: Header,
    }
    #[derive(serde::Deserialize)]
    struct Header {
        name: String,
        #[serde(default)]
        description: String,
    }
    let mut head = [0u8; 8];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    if kind_of(path, &head[..n]) != Kind::Toml {
        return None;
    }
    let file: DeckFile = toml::from_str(&read_text(path).ok()?).ok()?;
    Some((file.deck.name, file.deck.description))
}

/// What a reader calls with each entry.
pub(crate) type Each<'a> = dyn FnMut(Entry, Progress) -> Result<(), Error> + 'a;

fn read_toml(path: &Path, each: &mut Each<'_>) -> Result<(), Error> {
    let text = read_text(path)?;
    let (file, mut anki) = crate::deck::parse_deck_with_anki(&path.display().to_string(), &text)
        .map_err(|problems| Error::Problems(Problems(problems)))?;
    let note_types: HashMap<i64, std::sync::Arc<crate::deck::anki::AnkiNoteType>> = anki
        .note_types
        .drain(..)
        .map(|t| (t.id, std::sync::Arc::new(t)))
        .collect();
    let done = Progress::whole(text.len() as u64);
    let deck_name = file.deck.name.clone();
    let mut problems = Vec::new();
    for c in file.cards {
        let born = anki.origins.remove(&c.id).and_then(|origin| {
            Some(crate::deck::anki::AnkiBorn {
                note_type: note_types.get(&origin.notetype)?.clone(),
                origin,
            })
        });
        let card = Incoming {
            anki: born,
            cloze: anki.clozes.remove(&c.id),
            id: c.id.0,
            front: c.front,
            back: c.back,
            tags: c.tags,
            level: c.level,
            source: c.source,
            deck: Some(deck_name.clone()),
            deck_id: Some(c.deck.0),
        };
        if let Some(message) = card.too_large() {
            problems.push(Problem {
                path: c.location.path.clone(),
                line: c.location.line,
                column: c.location.column,
                message: format!("card `{}`: {message}", crate::display::inert(&card.id)),
                hint: Some(TOO_LARGE_HINT.into()),
            });
            continue;
        }
        each(Entry::Card(card), done)?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

/// What a note's Anki tags carry for recall: its own tags, and what recall's exports write as
/// tags (see [`crate::export::Item::anki_tags`]): the level (`level::senior`), the recall deck
/// id (`recall::deck::ID`) and the source (`recall::source::PATH`, spaces as `%20`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct NoteTags {
    pub tags: Vec<String>,
    pub level: Option<Level>,
    pub deck_id: Option<String>,
    pub source: Option<String>,
}

/// Splits Anki tags into recall tags and what recall's own tags carry (see [`NoteTags`]).
pub(crate) fn note_tags(tags: impl IntoIterator<Item = String>) -> NoteTags {
    let mut out = NoteTags::default();
    for tag in tags {
        if let Some(level) = tag.strip_prefix("level::").and_then(|l| l.parse().ok()) {
            out.level = Some(level);
        } else if let Some(id) = tag
            .strip_prefix(crate::export::DECK_TAG)
            .filter(|id| ids::valid(id))
        {
            out.deck_id = Some(id.to_string());
        } else if let Some(source) = tag
            .strip_prefix(crate::export::SOURCE_TAG)
            .and_then(crate::export::tag_decode)
        {
            out.source = Some(source);
        } else if !tag.is_empty() {
            // Tags exactly as written: Anki's are case-insensitive but keep their case.
            out.tags.push(tag);
        }
    }
    out
}

/// A card id from an Anki GUID (see [`anki::card_id`]: recall's own `recall:<id>` maps back,
/// others are kept, losslessly); without one, the id comes from the question.
fn id_from(guid: Option<&str>, front: &str) -> String {
    match guid.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => anki::card_id(g, 0),
        None => ids::question(front),
    }
}

fn read_json(path: &Path, each: &mut Each<'_>) -> Result<Option<Vec<LogEntry>>, Error> {
    let text = read_text(path)?;
    let done = Progress::whole(text.len() as u64);
    let export: Export = serde_json::from_str(&text).map_err(|e| {
        Error::Problems(Problems(vec![Problem {
            path: path.display().to_string(),
            line: e.line(),
            column: e.column(),
            message: format!("not recall JSON: {e}"),
            hint: Some("import a file written by `recall export --format json`".into()),
        }]))
    })?;
    if export.format != json::FORMAT || export.version > json::VERSION {
        return Err(Error::Usage(format!(
            "{}: format `{}` version {} is not one this recall reads (recall version {} or older)",
            path.display(),
            crate::display::inert(&export.format),
            export.version,
            json::VERSION
        )));
    }
    let mut problems = Vec::new();
    let reviews = export.reviews.map(|reviews| {
        reviews
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.to_entry()
                    .map_err(|m| {
                        problems.push(problem(path, 1, format!("review {}: {m}", i + 1), ""));
                    })
                    .ok()
            })
            .collect()
    });
    if !problems.is_empty() {
        return Err(Error::Problems(Problems(problems)));
    }
    let mut cards = Vec::new();
    for (i, c) in export.cards.into_iter().enumerate() {
        let card = Incoming {
            // An empty id is no id: the card gets one from its question (or its cloze's
            // text), as a CSV row does.
            id: match &c.cloze {
                _ if !c.id.trim().is_empty() => c.id,
                Some(text) => ids::question(&cloze::plain(text).unwrap_or_default()),
                None => ids::question(&c.front),
            },
            front: c.front,
            back: c.back,
            tags: c.tags,
            level: c.level.and_then(|l| l.parse().ok()),
            source: c.source,
            deck: Some(c.deck_name).filter(|n| !n.trim().is_empty()),
            deck_id: Some(c.deck).filter(|id| ids::valid(id)),
            anki: None,
            cloze: None,
        };
        cards.clear();
        match c.cloze.map(|text| cloze::ClozeNote::new(&card.id, &text)) {
            None => cards.push(card),
            Some(Ok(note)) => cards.extend(cloze_cards(note, &card)),
            Some(Err(e)) => {
                let message = format!("card {}: `cloze`: {}", i + 1, e.message);
                problems.push(problem(
                    path,
                    1,
                    message,
                    "mark each hidden part as {{hidden words}}",
                ));
                continue;
            }
        }
        for card in cards.drain(..) {
            if let Some(message) = card.too_large() {
                problems.push(problem(
                    path,
                    1,
                    format!("card {}: {message}", i + 1),
                    TOO_LARGE_HINT,
                ));
                continue;
            }
            if !ids::valid(&card.id) {
                let message = format!(
                    "card {}: id `{}` contains spaces or control characters",
                    i + 1,
                    card.id.escape_debug()
                );
                problems.push(problem(path, 1, message, ids::VALID_HINT));
                continue;
            }
            each(Entry::Card(card), done)?;
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(Problems(problems)));
    }
    Ok(reviews)
}

/// Anki text headers (`#key:value` lines at the top).
#[derive(Debug, Default)]
struct Headers {
    separator: Option<u8>,
    html: bool,
    columns: HashMap<&'static str, usize>,
    /// `#notetype:`, `#deck:`, `#tags:` and `#columns:` (unsplit), as Anki writes them.
    notetype: Option<String>,
    deck: Option<String>,
    tags: Vec<String>,
    column_names: Option<String>,
}

fn separator(value: &str) -> Option<u8> {
    match value.trim().to_ascii_lowercase().as_str() {
        "tab" | "\\t" => Some(b'\t'),
        "comma" | "," => Some(b','),
        "semicolon" | ";" => Some(b';'),
        "space" | " " => Some(b' '),
        "pipe" | "|" => Some(b'|'),
        "colon" | ":" => Some(b':'),
        _ => None,
    }
}

impl Headers {
    /// Takes in one `#key:value` header line (with its line end, if any).
    fn apply(&mut self, line: &str) {
        let Some(header) = line.strip_prefix('#') else {
            return;
        };
        if let Some((key, value)) = header.trim_end().split_once(':') {
            let column = || value.trim().parse::<usize>().ok().filter(|c| *c >= 1);
            match key.trim().to_ascii_lowercase().as_str() {
                "separator" => self.separator = separator(value),
                "html" => self.html = value.trim().eq_ignore_ascii_case("true"),
                "deck column" => {
                    if let Some(c) = column() {
                        self.columns.insert("deck", c);
                    }
                }
                "tags column" => {
                    if let Some(c) = column() {
                        self.columns.insert("tags", c);
                    }
                }
                "notetype column" => {
                    if let Some(c) = column() {
                        self.columns.insert("notetype", c);
                    }
                }
                "notetype" => self.notetype = Some(value.trim().to_string()),
                "deck" => self.deck = Some(value.trim().to_string()),
                "tags" => self.tags = value.split_whitespace().map(str::to_string).collect(),
                "columns" => {
                    self.column_names = Some(value.trim_end_matches(['\r', '\n']).to_string());
                }
                "guid column" => {
                    if let Some(c) = column() {
                        self.columns.insert("guid", c);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The `#key:value` header lines at the top of an Anki text file, read off `reader`: the
/// headers, how many bytes they take, and how many lines.
fn read_headers(reader: &mut impl BufRead) -> io::Result<(Headers, u64, usize)> {
    let mut headers = Headers::default();
    let mut bytes = 0;
    let mut lines = 0;
    let mut line = Vec::new();
    while reader.fill_buf()?.first() == Some(&b'#') {
        line.clear();
        reader.read_until(b'\n', &mut line)?;
        headers.apply(&String::from_utf8_lossy(&line));
        bytes += line.len() as u64;
        lines += 1;
    }
    Ok((headers, bytes, lines))
}

/// One row's card, or what is wrong with it (appended to "row N") and a hint. Columns come
/// from a CSV header row (`named`), else the `#… column:` headers, else front, back, tags.
fn row_card(
    fields: &[&str],
    named: Option<&HashMap<String, usize>>,
    headers: &Headers,
) -> Result<Vec<Incoming>, (String, &'static str)> {
    let column = |name: &str, default: Option<usize>| -> Option<&str> {
        let index = match named {
            Some(columns) => columns.get(name).copied(),
            None => headers.columns.get(name).map(|c| c - 1).or(default),
        };
        index.and_then(|k| fields.get(k).copied())
    };
    // recall's CSV writes a cloze whole in its `cloze` column, front and back left empty.
    let cloze_text = column("cloze", None)
        .filter(|_| named.is_some())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(text) = cloze_text {
        let (front, back) = (column("front", None), column("back", None));
        if front.is_some_and(|f| !f.trim().is_empty()) || back.is_some_and(|b| !b.trim().is_empty())
        {
            return Err((
                ": has a cloze and a front or back".into(),
                "a row is either front and back, or a cloze",
            ));
        }
        let mut card = row_details(&column, named, headers, "")?;
        if card.id.is_empty() {
            card.id = ids::question(&cloze::plain(text).unwrap_or_default());
        }
        let note = cloze::ClozeNote::new(&card.id, text).map_err(|e| {
            (
                format!(": cloze: {}", e.message),
                "mark each hidden part as {{hidden words}}",
            )
        })?;
        return Ok(cloze_cards(note, &card).collect());
    }
    let (Some(front), Some(back)) = (column("front", Some(0)), column("back", Some(1))) else {
        return Err((
            format!(
                " has {} field(s); a card needs a front and a back",
                fields.len()
            ),
            "separate the fields with the file's separator (a tab unless `#separator:` says otherwise)",
        ));
    };
    let convert = |s: &str| {
        if headers.html {
            html::to_text(s)
        } else {
            s.trim().to_string()
        }
    };
    let (front, back) = (convert(front), convert(back));
    if front.is_empty() || back.is_empty() {
        return Err((": empty front or back".into(), "every card needs both"));
    }
    let mut card = row_details(&column, named, headers, &front)?;
    if card.id.is_empty() {
        card.id = ids::question(&front);
    }
    Ok(vec![Incoming {
        front,
        back,
        ..card
    }])
}

/// What a row says of its card besides the front and back: its id (empty when it gives
/// none), tags, level, source and deck. `front` only tells a GUID-less id apart.
fn row_details<'f>(
    column: &impl Fn(&str, Option<usize>) -> Option<&'f str>,
    named: Option<&HashMap<String, usize>>,
    headers: &Headers,
    front: &str,
) -> Result<Incoming, (String, &'static str)> {
    let tag_default = (named.is_none() && headers.columns.is_empty()).then_some(2);
    let tags = column("tags", tag_default)
        .map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
    let NoteTags {
        tags,
        level,
        deck_id: tagged_deck,
        source: tagged_source,
    } = note_tags(tags);
    let guid = match named {
        // An empty id cell is no id: the card gets one from its text, as without the column.
        Some(_) => match column("id", None).filter(|id| !id.trim().is_empty()) {
            Some(id) if !ids::valid(id) => {
                return Err((
                    format!(
                        ": id `{}` contains spaces or control characters",
                        id.escape_debug()
                    ),
                    ids::VALID_HINT,
                ));
            }
            id => id.map(|id| format!("recall:{id}")),
        },
        None => column("guid", None).map(str::to_string),
    };
    // recall's CSV carries level and source columns (a `level::` tag still counts).
    let level = match column("level", None)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(text) => Some(
            text.parse::<Level>()
                .map_err(|e| (format!(": {e}"), "or leave the level column empty"))?,
        ),
        None => level,
    };
    let cell = |name: &str| {
        column(name, None)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let source = cell("source").or(tagged_source);
    // recall's CSV names the deck by id (`deck`) and name (`deck_name`); a headerless file's
    // third column is a deck name, as in Anki's.
    let (deck, deck_id) = if named.is_some() {
        let id = cell("deck").filter(|id| ids::valid(id)).or(tagged_deck);
        (cell("deck_name"), id)
    } else {
        (cell("deck"), tagged_deck)
    };
    Ok(Incoming {
        id: guid
            .as_deref()
            .map_or_else(String::new, |g| id_from(Some(g), front)),
        tags,
        level,
        source,
        deck,
        deck_id,
        ..Incoming::default()
    })
}

/// How an Anki text export lays its notes out, when its headers name a note type or the
/// columns (`#notetype`, `#notetype column`, `#columns`); `None` for plain front/back files.
fn anki_notes(headers: &Headers, delimiter: u8) -> Option<anki::text::Layout> {
    let says = headers.notetype.is_some()
        || headers.columns.contains_key("notetype")
        || headers.column_names.is_some();
    says.then(|| {
        let column = |name: &str| headers.columns.get(name).map(|c| c - 1);
        anki::text::Layout {
            guid: column("guid"),
            notetype: column("notetype"),
            deck: column("deck"),
            tags: column("tags"),
            notetype_default: headers.notetype.clone(),
            deck_default: headers.deck.clone(),
            tags_default: headers.tags.clone(),
            column_names: headers.column_names.as_ref().map(|names| {
                names
                    .split(char::from(delimiter))
                    .map(str::to_string)
                    .collect()
            }),
            html: headers.html,
        }
        .with_names()
    })
}

/// Anki text files and CSV: fields split by the separator (tab by default, or as the
/// `#separator:` header says), quoted fields allowed. Columns: front, back, then tags, unless
/// headers or a CSV header row say otherwise. Read a row at a time.
fn read_delimited(
    path: &Path,
    csv_separator: Option<u8>,
    each: &mut Each<'_>,
) -> Result<(), Error> {
    let total = check_text(path)?;
    let mut file = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let (headers, header_bytes, header_lines) =
        read_headers(&mut file).map_err(|e| Error::io(path, e))?;
    let delimiter = headers.separator.or(csv_separator).unwrap_or(b'\t');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let notes = anki_notes(&headers, delimiter);
    let mut problems = Vec::new();
    let mut named: Option<HashMap<String, usize>> = None;
    let mut record = csv::StringRecord::new();
    for i in 0.. {
        let line = header_lines + i + 1;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Reading the file failed: not a problem with a row, and no use going on.
            Err(e) if e.is_io_error() => return Err(Error::io(path, io::Error::other(e))),
            Err(e) => {
                problems.push(problem(
                    path,
                    line,
                    format!("row {}: {e}", i + 1),
                    "check its quotes",
                ));
                continue;
            }
        }
        let fields: Vec<&str> = record.iter().collect();
        // A CSV header row names the columns (recall's own: front, back, deck, tags, id).
        if i == 0
            && csv_separator.is_some()
            && fields
                .first()
                .is_some_and(|f| f.trim().eq_ignore_ascii_case("front"))
        {
            named = Some(
                fields
                    .iter()
                    .enumerate()
                    .map(|(k, f)| (f.trim().to_ascii_lowercase(), k))
                    .collect(),
            );
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if let Some(layout) = notes.as_ref().filter(|_| named.is_none()) {
            let progress = Progress {
                done: header_bytes + reader.position().byte(),
                total,
                in_bytes: true,
            };
            for entry in anki::text::row_entries(&fields, layout, i + 1) {
                if let Entry::Card(card) = &entry
                    && let Some(message) = card.too_large()
                {
                    let message = format!("row {}: {message}", i + 1);
                    problems.push(problem(path, line, message, TOO_LARGE_HINT));
                    continue;
                }
                each(entry, progress)?;
            }
            continue;
        }
        match row_card(&fields, named.as_ref(), &headers) {
            Ok(cards) => {
                let progress = Progress {
                    done: header_bytes + reader.position().byte(),
                    total,
                    in_bytes: true,
                };
                for card in cards {
                    if let Some(large) = card.too_large() {
                        let message = format!("row {}: {large}", i + 1);
                        problems.push(problem(path, line, message, TOO_LARGE_HINT));
                        continue;
                    }
                    each(Entry::Card(card), progress)?;
                }
            }
            Err((message, hint)) => {
                problems.push(problem(path, line, format!("row {}{message}", i + 1), hint));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(name: &str, text: &str) -> Result<Imported, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        read(&path).map_err(|e| e.to_string().replace(&path.display().to_string(), name))
    }

    #[test]
    fn anki_text_with_headers_maps_columns_html_and_guids() {
        let text = "#separator:tab\n#html:true\n#notetype:Basic\n#deck column:3\n#tags column:4\n#guid column:5\nQ &amp; A<br>two\tBack\tDeck::Sub\tcaching level::senior\trecall:card-1\n";
        let imported = read_str("deck.txt", text).unwrap();
        let card = &imported.cards[0];
        assert_eq!(card.id, "card-1");
        assert_eq!(card.front, "Q & A\ntwo");
        assert_eq!(card.tags, ["caching"]);
        assert_eq!(card.level, Some(Level::Senior));
    }

    #[test]
    fn anki_text_without_headers_is_front_back_tags() {
        let imported = read_str("plain.txt", "What?\tThat.\tt1 t2\n\nWhy?\tBecause.\n").unwrap();
        assert_eq!(imported.cards.len(), 2);
        assert_eq!(imported.cards[0].tags, ["t1", "t2"]);
        assert_eq!(imported.cards[1].id, ids::question("Why?"));
    }

    #[test]
    fn a_row_with_one_field_is_located() {
        let err = read_str("bad.txt", "#separator:tab\nok\tfine\nlonely\n").unwrap_err();
        assert!(
            err.starts_with("bad.txt:3:1: row 2 has 1 field(s)"),
            "{err}"
        );
    }

    #[test]
    fn csv_with_recall_header_keeps_ids() {
        let imported = read_str(
            "x.csv",
            "front,back,deck,tags,id\n\"Q, with comma\",A,d,t1,my-id\n",
        )
        .unwrap();
        assert_eq!(imported.cards[0].id, "my-id");
        assert_eq!(imported.cards[0].front, "Q, with comma");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin.txt");
        std::fs::write(&path, b"ok\tfine\ncaf\xe9\tx\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("latin.txt:2:1: not valid UTF-8"), "{err}");
    }

    #[test]
    fn foreign_guids_become_safe_ids() {
        assert_eq!(id_from(Some("a/b c"), "q"), "anki-a%2Fb%20c");
        assert_eq!(id_from(Some("recall:x-1"), "q"), "x-1");
    }
}
