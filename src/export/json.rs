//! recall's JSON format: decks and cards, and with `--with-progress` the full review log, so a
//! learner can move to another machine. `recall import` reads it back, merging reviews by id.

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Item;
use crate::scheduler::{CardState, FsrsMemory, Memory};
use crate::store::{EntryKind, LogEntry};
use crate::types::{CardId, Easiness, Grade, ReviewId};

pub const FORMAT: &str = "recall";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub cards: Vec<JsonCard>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<JsonReview>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonCard {
    pub id: String,
    pub deck: String,
    pub deck_name: String,
    /// Empty for a cloze (see `cloze`).
    #[serde(default)]
    pub front: String,
    #[serde(default)]
    pub back: String,
    /// A cloze card whole (`id` its own, as in a deck file's `cloze =` card): it makes one
    /// card per deletion, `<id>-<hidden words>`; front and back stay empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloze: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonState {
    pub repetitions: u32,
    /// In hundredths (250 = 2.5).
    pub easiness: u16,
    pub interval: u32,
    pub due: NaiveDate,
    pub lapses: u32,
    pub reviews: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<NaiveDate>,
    /// FSRS stability and difficulty, in thousandths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonReview {
    pub id: String,
    pub card_id: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub reviewed_at: i64,
    pub day: NaiveDate,
    pub kind: String,
    pub grade: Option<u8>,
    pub duration_ms: u32,
    pub undoes: Option<String>,
    pub until: Option<NaiveDate>,
    pub before: Option<JsonState>,
    pub after: Option<JsonState>,
}

fn state_to_json(state: CardState) -> Option<JsonState> {
    state.memory().map(|m| JsonState {
        repetitions: m.repetitions,
        easiness: m.easiness.hundredths(),
        interval: m.interval,
        due: m.due,
        lapses: m.lapses,
        reviews: m.reviews,
        last_review: Some(m.last_review),
        stability: m.fsrs.map(|f| f.thousandths().0),
        difficulty: m.fsrs.map(|f| f.thousandths().1),
    })
}

fn state_from_json(state: Option<JsonState>) -> CardState {
    state.map_or(CardState::New, |s| {
        CardState::Scheduled(Memory {
            repetitions: s.repetitions,
            easiness: Easiness::from_hundredths(s.easiness),
            interval: s.interval,
            due: s.due,
            lapses: s.lapses,
            reviews: s.reviews,
            learning: None,
            last_review: s
                .last_review
                .unwrap_or_else(|| s.due - chrono::Duration::days(i64::from(s.interval))),
            fsrs: s
                .stability
                .zip(s.difficulty)
                .map(|(stability, difficulty)| FsrsMemory::from_thousandths(stability, difficulty)),
        })
    })
}

impl JsonReview {
    pub fn from_entry(entry: &LogEntry) -> JsonReview {
        JsonReview {
            id: entry.id.0.clone(),
            card_id: entry.card_id.0.clone(),
            reviewed_at: entry.reviewed_at.timestamp_millis(),
            day: entry.day,
            kind: entry.kind.as_str().to_string(),
            grade: entry.grade.map(Grade::value),
            duration_ms: entry.duration_ms,
            undoes: entry.undoes.as_ref().map(|u| u.0.clone()),
            until: entry.until,
            before: state_to_json(entry.before),
            after: state_to_json(entry.after),
        }
    }

    /// The log entry, or a message saying what is wrong with it.
    pub fn to_entry(&self) -> Result<LogEntry, String> {
        let kind = EntryKind::parse(&self.kind)
            .ok_or_else(|| format!("unknown review kind `{}`", self.kind))?;
        let grade = match self.grade {
            Some(g) => Some(Grade::new(g).ok_or_else(|| format!("grade {g} is not 0-5"))?),
            None => None,
        };
        if kind.is_answer() != grade.is_some() || (kind == EntryKind::Undo) != self.undoes.is_some()
        {
            return Err(format!(
                "review `{}` of kind {} has the wrong fields",
                self.id, self.kind
            ));
        }
        Ok(LogEntry {
            id: ReviewId(self.id.clone()),
            card_id: CardId(self.card_id.clone()),
            reviewed_at: DateTime::from_timestamp_millis(self.reviewed_at)
                .ok_or_else(|| format!("time {} is out of range", self.reviewed_at))?,
            day: self.day,
            kind,
            grade,
            duration_ms: self.duration_ms,
            undoes: self.undoes.clone().map(ReviewId),
            until: self.until,
            before: state_from_json(self.before),
            after: state_from_json(self.after),
        })
    }
}

pub fn card(item: &Item<'_>) -> JsonCard {
    let (id, front, back, cloze) = match item.cloze {
        Some(member) => (
            member.note.id.clone(),
            String::new(),
            String::new(),
            Some(member.note.text.clone()),
        ),
        None => (
            item.card.id.0.clone(),
            item.card.front.clone(),
            item.card.back.clone(),
            None,
        ),
    };
    JsonCard {
        id,
        deck: item.deck.id.0.clone(),
        deck_name: item.deck.name.clone(),
        front,
        back,
        cloze,
        tags: item.card.tags.clone(),
        level: item.card.level.map(|l| l.as_str().to_string()),
        source: item.card.source.clone(),
    }
}

/// recall JSON written a card, then a review, at a time: byte for byte what
/// `serde_json::to_string_pretty` gives for the whole [`Export`], and a final newline.
pub struct Writer<W: Write> {
    out: W,
    /// The element being written, serialized on its own before it is indented into place.
    element: Vec<u8>,
    /// Whether the open array (cards, then reviews) has no element yet.
    empty: bool,
}

/// How deep an element of `cards` or `reviews` sits: two levels of two spaces.
const ELEMENT_INDENT: &[u8] = b"\n    ";

impl<W: Write> Writer<W> {
    /// Writes what comes before the first card.
    pub fn start(mut out: W) -> io::Result<Writer<W>> {
        write!(
            out,
            "{{\n  \"format\": {},\n  \"version\": {VERSION},\n  \"cards\": [",
            serde_json::to_string(FORMAT)?
        )?;
        Ok(Writer {
            out,
            element: Vec::new(),
            empty: true,
        })
    }

    /// Writes one card.
    pub fn card(&mut self, item: &Item<'_>) -> io::Result<()> {
        self.element(&card(item))
    }

    /// Ends the cards and starts the review log (`--with-progress`).
    pub fn start_reviews(&mut self) -> io::Result<()> {
        self.end_array()?;
        self.out.write_all(b",\n  \"reviews\": [")?;
        self.empty = true;
        Ok(())
    }

    /// Writes one entry of the review log, after [`Writer::start_reviews`].
    pub fn review(&mut self, entry: &LogEntry) -> io::Result<()> {
        self.element(&JsonReview::from_entry(entry))
    }

    /// Writes what follows the last card or review and gives the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.end_array()?;
        self.out.write_all(b"\n}\n")?;
        Ok(self.out)
    }

    fn element(&mut self, value: &impl Serialize) -> io::Result<()> {
        self.element.clear();
        serde_json::to_writer_pretty(&mut self.element, value)?;
        if !self.empty {
            self.out.write_all(b",")?;
        }
        self.empty = false;
        // Each line of the element goes on a new line, indented. Pretty JSON breaks lines
        // only between tokens (a newline inside a string is written `\n`), so this puts the
        // element where the whole document has it.
        for line in self.element.split(|&b| b == b'\n') {
            self.out.write_all(ELEMENT_INDENT)?;
            self.out.write_all(line)?;
        }
        Ok(())
    }

    fn end_array(&mut self) -> io::Result<()> {
        if self.empty {
            self.out.write_all(b"]")
        } else {
            self.out.write_all(b"\n  ]")
        }
    }
}
