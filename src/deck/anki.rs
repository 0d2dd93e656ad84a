//! What a card born in Anki keeps so that it can go back to Anki as an update of its own note:
//! per card, its note's note type, the card's template ordinal, the note's fields as Anki holds
//! them (HTML) and a hash of the text recall rendered from them at import; per deck file, the
//! definitions of those note types. In a deck file they are the optional `[card.anki]` table
//! and the top-level `[[anki_notetype]]` list (see `parse`). None of it takes part in a card's
//! id or in what a review shows.
//!
//! Anki updates a note from a package only when the package's note type has the same id and
//! the same fields and templates as the one the note has; anything else it reports as
//! "conflicting". Keeping the definition whole is what lets an export meet that rule.

use std::collections::HashMap;

use crate::types::CardId;

/// Where a card born in Anki came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiOrigin {
    /// Anki's id of the note's note type (an `[[anki_notetype]]` of the same deck file).
    pub notetype: i64,
    /// The card's template ordinal (for a cloze note type, its deletion number - 1).
    pub ord: u32,
    /// The note's fields as Anki holds them (HTML), in the note type's field order.
    pub fields: Vec<String>,
    /// [`rendered_hash`] of the front and back recall made of the card at import: when the
    /// card's text no longer gives it, the learner edited the card in recall.
    pub rendered: String,
    /// Anki's flag on the card (1 red … 7 purple; 0 none), kept and handed back.
    pub flags: u8,
}

/// A note type's kind: one card per template, or one per cloze deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Standard,
    Cloze,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Standard => "standard",
            NoteKind::Cloze => "cloze",
        }
    }
}

/// An Anki note type, whole: what Anki compares to match a package's notes to its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiNoteType {
    /// Anki's id for it (milliseconds since the epoch when it was made, usually).
    pub id: i64,
    pub name: String,
    pub kind: NoteKind,
    /// Field names in field order.
    pub fields: Vec<String>,
    /// Templates in ordinal order (a cloze note type has one).
    pub templates: Vec<AnkiTemplate>,
    pub css: String,
}

/// A card template: its name, question format and answer format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiTemplate {
    pub name: String,
    pub qfmt: String,
    pub afmt: String,
}

impl AnkiNoteType {
    /// Whether this is Anki's Basic as shipped (or a copy of it under another name): fields
    /// Front and Back, one template `{{Front}}` / `{{FrontSide}}<hr id=answer>{{Back}}`
    /// (whitespace aside). Its fields are the card's two sides, so a card edited in recall
    /// can go back with its new text in them.
    pub fn is_basic(&self) -> bool {
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        self.kind == NoteKind::Standard
            && self.fields == ["Front", "Back"]
            && matches!(self.templates.as_slice(), [t]
                if squeeze(&t.qfmt) == "{{Front}}"
                    && squeeze(&t.afmt) == "{{FrontSide}}<hrid=answer>{{Back}}")
    }

    /// How many cards a note of this type can have: one per template, or Anki's limit of
    /// cloze numbers for a cloze type.
    pub fn max_cards(&self) -> usize {
        match self.kind {
            NoteKind::Standard => self.templates.len(),
            NoteKind::Cloze => MAX_CLOZE,
        }
    }
}

/// Anki's highest cloze number (`{{c499::…}}`).
pub const MAX_CLOZE: usize = 499;

/// The Anki side of one deck file: its note types and the origin of each card born in Anki.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnkiTables {
    pub note_types: Vec<AnkiNoteType>,
    pub origins: HashMap<CardId, AnkiOrigin>,
    /// The file's cloze cards, by the id of each card they make: exports write a cloze back
    /// as one (a `cloze =` card, an Anki Cloze note), not as its front/back cards.
    pub clozes: HashMap<CardId, crate::cloze::ClozeMember>,
}

impl AnkiTables {
    pub fn is_empty(&self) -> bool {
        self.note_types.is_empty() && self.origins.is_empty() && self.clozes.is_empty()
    }

    pub fn note_type(&self, id: i64) -> Option<&AnkiNoteType> {
        self.note_types.iter().find(|t| t.id == id)
    }
}

/// A card born in Anki with what it needs to go back: its origin and its note type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiBorn {
    pub origin: AnkiOrigin,
    /// Shared by the cards of every note of the type.
    pub note_type: std::sync::Arc<AnkiNoteType>,
}

/// What goes back to Anki for a card born there, against what it was at import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handback {
    /// Unchanged since the import: the note's fields as Anki had them.
    AsImported,
    /// Edited in recall, and its note type is Anki's Basic: the new text, in its two fields.
    EditedText,
    /// Edited in recall, but its note type's fields are not its two sides: the note's fields
    /// as Anki had them (the edit stays in recall).
    EditedKeptAnki,
}

impl AnkiBorn {
    /// What goes back for this card, now reading `front` / `back` in recall.
    pub fn handback(&self, front: &str, back: &str) -> Handback {
        if rendered_hash(front, back) == self.origin.rendered {
            Handback::AsImported
        } else if self.note_type.is_basic() {
            Handback::EditedText
        } else {
            Handback::EditedKeptAnki
        }
    }
}

/// A short hash of a card's two sides, as [`AnkiOrigin::rendered`] keeps it.
pub fn rendered_hash(front: &str, back: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(front.as_bytes());
    hasher.update(&[0]);
    hasher.update(back.as_bytes());
    hasher.finalize().to_hex()[..16].to_string()
}

/// The Anki GUID of the note that card `id` (`anki-GUID` or `anki-GUID/N`, `%XX` escapes as
/// `import::anki::card_id` writes them) came from; `None` for any other id.
pub fn note_guid(id: &str) -> Option<String> {
    let rest = id.strip_prefix("anki-")?;
    let escaped = match rest.split_once('/') {
        Some((guid, n)) if n.parse::<u32>().is_ok_and(|n| n >= 2) => guid,
        Some(_) => return None,
        None => rest,
    };
    if escaped.is_empty() {
        return None;
    }
    crate::ids::percent_decode(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(afmt: &str) -> AnkiNoteType {
        AnkiNoteType {
            id: 1,
            name: "Basic".into(),
            kind: NoteKind::Standard,
            fields: vec!["Front".into(), "Back".into()],
            templates: vec![AnkiTemplate {
                name: "Card 1".into(),
                qfmt: "{{Front}}".into(),
                afmt: afmt.into(),
            }],
            css: String::new(),
        }
    }

    #[test]
    fn only_the_basic_family_counts_as_basic() {
        assert!(basic("{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}").is_basic());
        assert!(!basic("{{FrontSide}}<hr id=answer>{{Back}}<br>{{Front}}").is_basic());
        let mut reversed = basic("{{FrontSide}}<hr id=answer>{{Back}}");
        reversed.templates.push(reversed.templates[0].clone());
        assert!(!reversed.is_basic());
    }

    #[test]
    fn the_note_guid_comes_back_from_every_card_id() {
        assert_eq!(note_guid("anki-ab*cd").as_deref(), Some("ab*cd"));
        assert_eq!(note_guid("anki-a%2Fb%20c/3").as_deref(), Some("a/b c"));
        assert_eq!(note_guid("anki-x/1"), None);
        assert_eq!(note_guid("anki-x/y"), None);
        assert_eq!(note_guid("net-dns"), None);
        assert_eq!(note_guid("anki-"), None);
    }
}
