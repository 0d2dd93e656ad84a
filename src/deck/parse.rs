//! Parsing one deck file. The TOML is read into a spanned tree (not straight into structs) so
//! that every problem — syntax, unknown field, missing or empty text, duplicate id — is found in
//! one pass and reported with its own line and column.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::anki::{AnkiNoteType, AnkiOrigin, AnkiTables, AnkiTemplate, NoteKind};
use super::{Card, Deck, DeckFile, Location};
use crate::error::{LineIndex, Problem};
use crate::import::anki::template;
use crate::types::{CardId, DeckId, Level};

const DECK_FIELDS: &[&str] = &["id", "name", "description"];
const CARD_FIELDS: &[&str] = &[
    "id", "front", "back", "cloze", "tags", "level", "source", "anki", "override",
];
const TOP_LEVEL: &[&str] = &["deck", "card", "anki_notetype"];
const ORIGIN_FIELDS: &[&str] = &["notetype", "ord", "fields", "rendered", "flags"];
const NOTETYPE_FIELDS: &[&str] = &["id", "name", "kind", "fields", "template", "css"];
const TEMPLATE_FIELDS: &[&str] = &["name", "qfmt", "afmt"];

struct Checker<'a> {
    path: &'a str,
    lines: LineIndex<'a>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn location(&self, span: &Range<usize>) -> Location {
        let (line, column) = self.lines.locate(span.start);
        Location {
            path: self.path.to_string(),
            line,
            column,
        }
    }

    fn report(&mut self, span: &Range<usize>, message: String, hint: impl Into<Option<String>>) {
        let at = self.location(span);
        self.problems.push(Problem {
            path: at.path,
            line: at.line,
            column: at.column,
            message,
            hint: hint.into(),
        });
    }

    fn unknown_fields(&mut self, table: &DeTable<'_>, allowed: &[&str], what: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = match crate::suggest::nearest(name, allowed) {
                    Some(near) => format!(
                        "did you mean `{near}`? {what} fields are: {}",
                        allowed.join(", ")
                    ),
                    None => format!("{what} fields are: {}", allowed.join(", ")),
                };
                self.report(
                    &key.span(),
                    format!("unknown field `{name}` in {what}"),
                    hint,
                );
            }
        }
    }

    /// A required, non-empty string field. `None` (with a problem recorded) otherwise.
    fn required_text(
        &mut self,
        table: &DeTable<'_>,
        table_span: &Range<usize>,
        key: &str,
        what: &str,
    ) -> Option<String> {
        let text = self.present_text(table, table_span, key, what)?;
        if text.trim().is_empty() {
            let at = table.get(key).map_or(table_span.clone(), Spanned::span);
            self.report(
                &at,
                format!("`{key}` of {what} is empty"),
                format!("write the {key} text between the quotes"),
            );
            return None;
        }
        Some(text)
    }

    /// The value of `key`; `None`, with a problem saying to add `key = example`, when the
    /// table has none.
    fn field<'t>(
        &mut self,
        table: &'t DeTable<'_>,
        table_span: &Range<usize>,
        key: &str,
        what: &str,
        example: &str,
    ) -> Option<&'t Spanned<DeValue<'t>>> {
        let value = table.get(key);
        if value.is_none() {
            self.report(
                table_span,
                format!("{what} has no `{key}`"),
                format!("add `{key} = {example}`"),
            );
        }
        value
    }

    /// A text that must be there but may be empty.
    fn present_text(
        &mut self,
        table: &DeTable<'_>,
        table_span: &Range<usize>,
        key: &str,
        what: &str,
    ) -> Option<String> {
        let value = self.field(table, table_span, key, what, "\"...\"")?;
        self.string(value, key, what)
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str, what: &str) -> Option<String> {
        if let DeValue::String(s) = value.get_ref() {
            Some(s.to_string())
        } else {
            self.report(
                &value.span(),
                format!("`{key}` of {what} must be a string"),
                format!("quote it: `{key} = \"...\"`"),
            );
            None
        }
    }

    /// A `true`/`false` field, `false` when absent.
    fn flag(&mut self, table: &DeTable<'_>, key: &str, what: &str) -> bool {
        match table.get(key).map(|v| (v.span(), v.get_ref())) {
            None => false,
            Some((_, DeValue::Boolean(b))) => *b,
            Some((span, _)) => {
                self.report(
                    &span,
                    format!("`{key}` of {what} must be true or false"),
                    format!("write `{key} = true` (no quotes)"),
                );
                false
            }
        }
    }

    fn optional_string(&mut self, table: &DeTable<'_>, key: &str, what: &str) -> Option<String> {
        table.get(key).and_then(|v| self.string(v, key, what))
    }

    fn tags(&mut self, table: &DeTable<'_>, what: &str) -> Vec<String> {
        let Some(value) = table.get("tags") else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                &value.span(),
                format!("`tags` of {what} must be a list of strings"),
                "write it like `tags = [\"caching\", \"performance\"]`".to_string(),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(item, "tags", what))
            .collect()
    }

    fn level(&mut self, table: &DeTable<'_>, what: &str) -> Option<Level> {
        let value = table.get("level")?;
        let text = self.string(value, "level", what)?;
        match text.parse() {
            Ok(level) => Some(level),
            Err(message) => {
                self.report(&value.span(), message, None);
                None
            }
        }
    }

    fn id(&mut self, table: &DeTable<'_>, span: &Range<usize>, what: &str) -> Option<String> {
        let id = self.required_text(table, span, "id", what)?;
        if !crate::ids::valid(&id) {
            self.report(
                &table.get("id").map_or(span.clone(), Spanned::span),
                format!(
                    "id `{}` of {what} contains spaces or control characters",
                    id.escape_debug()
                ),
                crate::ids::VALID_HINT.to_string(),
            );
            return None;
        }
        Some(id)
    }
}

/// The `[[anki_notetype]]` sections and `[card.anki]` tables of a file (see [`super::anki`]).
impl Checker<'_> {
    /// An integer field; `None` (with a problem recorded) when it is missing or not one.
    fn integer(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        key: &str,
        what: &str,
    ) -> Option<i64> {
        let value = self.field(table, span, key, what, "NUMBER")?;
        let parsed = match value.get_ref() {
            DeValue::Integer(n) => {
                i64::from_str_radix(&n.as_str().replace('_', ""), n.radix()).ok()
            }
            _ => None,
        };
        if parsed.is_none() {
            self.report(
                &value.span(),
                format!("`{key}` of {what} must be a whole number"),
                format!("write it without quotes: `{key} = 0`"),
            );
        }
        parsed
    }

    /// A required list of strings (which may be empty).
    fn string_list(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        key: &str,
        what: &str,
    ) -> Option<Vec<String>> {
        let value = self.field(table, span, key, what, "[\"...\"]")?;
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                &value.span(),
                format!("`{key}` of {what} must be a list of strings"),
                format!("write it like `{key} = [\"one\", \"two\"]`"),
            );
            return None;
        };
        let strings: Vec<String> = items
            .iter()
            .filter_map(|item| self.string(item, key, what))
            .collect();
        (strings.len() == items.len()).then_some(strings)
    }

    /// The `[[anki_notetype]]` sections; one with a problem is left out (and reported).
    fn note_types(&mut self, value: Option<&Spanned<DeValue<'_>>>) -> Vec<AnkiNoteType> {
        let mut types: Vec<AnkiNoteType> = Vec::new();
        let items = match value.map(|v| (v.span(), v.get_ref())) {
            None => return types,
            Some((_, DeValue::Array(items))) => items,
            Some((span, _)) => {
                self.report(
                    &span,
                    "`anki_notetype` must be a list of `[[anki_notetype]]` sections".into(),
                    "write each note type as an `[[anki_notetype]]` section".to_string(),
                );
                return types;
            }
        };
        for (n, item) in items.iter().enumerate() {
            let what = format!("anki_notetype {}", n + 1);
            let span = item.span();
            let DeValue::Table(table) = item.get_ref() else {
                self.report(
                    &span,
                    format!("{what} must be a table"),
                    "write each note type as an `[[anki_notetype]]` section".to_string(),
                );
                continue;
            };
            self.unknown_fields(table, NOTETYPE_FIELDS, "an Anki note type");
            let id = self.integer(table, &span, "id", &what);
            let name = self.required_text(table, &span, "name", &what);
            let kind = match self.optional_string(table, "kind", &what).as_deref() {
                None | Some("standard") => Some(NoteKind::Standard),
                Some("cloze") => Some(NoteKind::Cloze),
                Some(other) => {
                    let at = table.get("kind").map_or(span.clone(), Spanned::span);
                    self.report(
                        &at,
                        format!("`{}` is not a kind of {what}", other.escape_debug()),
                        "use `standard` or `cloze`".to_string(),
                    );
                    None
                }
            };
            let fields = self.string_list(table, &span, "fields", &what);
            let css = self
                .optional_string(table, "css", &what)
                .unwrap_or_default();
            let templates = self.templates(table, &span, &what);
            if fields.as_ref().is_some_and(Vec::is_empty) {
                let at = table.get("fields").map_or(span.clone(), Spanned::span);
                self.report(
                    &at,
                    format!("{what} has no fields"),
                    "list its field names in order".to_string(),
                );
                continue;
            }
            if let Some(Err(problem)) = fields.as_deref().map(template::check_field_names) {
                let at = table.get("fields").map_or(span.clone(), Spanned::span);
                self.report(&at, format!("{what}: {}", problem.message), problem.hint);
            }
            let (Some(id), Some(name), Some(kind), Some(fields), Some(templates)) =
                (id, name, kind, fields, templates)
            else {
                continue;
            };
            if let Some(first) = types.iter().position(|t| t.id == id) {
                let at = table.get("id").map_or(span.clone(), Spanned::span);
                self.report(
                    &at,
                    format!("{what} has the id {id} of anki_notetype {}", first + 1),
                    "each note type appears once in a deck file".to_string(),
                );
                continue;
            }
            types.push(AnkiNoteType {
                id,
                name,
                kind,
                fields,
                templates,
                css,
            });
        }
        types
    }

    /// The `[[anki_notetype.template]]` sections of a note type: at least one.
    fn templates(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        what: &str,
    ) -> Option<Vec<AnkiTemplate>> {
        let items = match table.get("template").map(|v| (v.span(), v.get_ref())) {
            Some((_, DeValue::Array(items))) if !items.is_empty() => items,
            _ => {
                let at = table.get("template").map_or(span.clone(), Spanned::span);
                self.report(
                    &at,
                    format!("{what} has no `[[anki_notetype.template]]` sections"),
                    "give each template its `name`, `qfmt` and `afmt`".to_string(),
                );
                return None;
            }
        };
        let mut templates = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let inner = format!("template {} of {what}", n + 1);
            let DeValue::Table(t) = item.get_ref() else {
                self.report(&item.span(), format!("{inner} must be a table"), None);
                return None;
            };
            self.unknown_fields(t, TEMPLATE_FIELDS, "an Anki template");
            let name = self.required_text(t, &item.span(), "name", &inner);
            let qfmt = self.required_text(t, &item.span(), "qfmt", &inner);
            let afmt = self.required_text(t, &item.span(), "afmt", &inner);
            // What Anki would show as "template syntax error", said here instead.
            for (key, text) in [("qfmt", &qfmt), ("afmt", &afmt)] {
                if let Some(Err(problem)) = text.as_deref().map(template::check) {
                    let at = t.get(key).map_or(item.span(), Spanned::span);
                    let message = format!("`{key}` of {inner}: {}", problem.message);
                    self.report(&at, message, problem.hint);
                }
            }
            templates.push(AnkiTemplate {
                name: name?,
                qfmt: qfmt?,
                afmt: afmt?,
            });
        }
        Some(templates)
    }

    /// A card's `[card.anki]` table, checked against the file's note types and the card's id
    /// (which must name the note's GUID).
    fn origin(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        card: &DeTable<'_>,
        id: Option<&str>,
        note_types: &[AnkiNoteType],
        what: &str,
    ) -> Option<AnkiOrigin> {
        let span = value.span();
        let inner = format!("`anki` of {what}");
        let DeValue::Table(table) = value.get_ref() else {
            self.report(
                &span,
                format!("{inner} must be a table"),
                "write it as a `[card.anki]` section after the card".to_string(),
            );
            return None;
        };
        self.unknown_fields(table, ORIGIN_FIELDS, "a card's `anki` table");
        let type_id = self.integer(table, &span, "notetype", &inner);
        let ord = self.integer(table, &span, "ord", &inner);
        let fields = self.string_list(table, &span, "fields", &inner);
        let rendered = self.required_text(table, &span, "rendered", &inner);
        let flags = match table.get("flags") {
            None => Some(0),
            Some(_) => self
                .integer(table, &span, "flags", &inner)
                .and_then(|f| u8::try_from(f).ok().filter(|f| *f <= 7))
                .or_else(|| {
                    let at = table.get("flags").map_or(span.clone(), Spanned::span);
                    self.report(
                        &at,
                        format!("`flags` of {inner} is not one of Anki's flags"),
                        "use 0 (none) to 7 (purple)".to_string(),
                    );
                    None
                }),
        };
        if card.contains_key("cloze") {
            self.report(
                &span,
                format!("{what} has both `cloze` and `anki`"),
                "a card from Anki keeps its own `front` and `back`".to_string(),
            );
            return None;
        }
        if let Some(id) = id.filter(|id| super::anki::note_guid(id).is_none()) {
            self.report(
                &span,
                format!("{what} has an `anki` table but its id `{id}` names no Anki note"),
                "cards from Anki have ids `anki-GUID` or `anki-GUID/N`; remove the table or restore the id".to_string(),
            );
            return None;
        }
        let type_id = type_id?;
        let Some(note_type) = note_types.iter().find(|t| t.id == type_id) else {
            let known: Vec<String> = note_types.iter().map(|t| t.id.to_string()).collect();
            let hint = if known.is_empty() {
                "the file has no `[[anki_notetype]]` sections".to_string()
            } else {
                format!("the file's note types are: {}", known.join(", "))
            };
            let at = table.get("notetype").map_or(span.clone(), Spanned::span);
            self.report(
                &at,
                format!("{inner} names note type {type_id}, which is not in this file"),
                hint,
            );
            return None;
        };
        let ord = ord?;
        let at = |key: &str| table.get(key).map_or(span.clone(), Spanned::span);
        let max = note_type.max_cards();
        let Some(ord) = u32::try_from(ord).ok().filter(|o| (*o as usize) < max) else {
            self.report(
                &at("ord"),
                format!(
                    "`ord` {ord} of {what} is out of range for note type `{}`",
                    note_type.name
                ),
                format!("it has cards 0 to {}", max - 1),
            );
            return None;
        };
        if !self.ord_agrees_with_id(id, ord, &at("ord"), what) {
            return None;
        }
        let fields = fields?;
        if fields.len() != note_type.fields.len() {
            self.report(
                &at("fields"),
                format!(
                    "{inner} has {} field(s); note type `{}` has {}",
                    fields.len(),
                    note_type.name,
                    note_type.fields.len()
                ),
                format!("its fields are: {}", note_type.fields.join(", ")),
            );
            return None;
        }
        Some(AnkiOrigin {
            notetype: type_id,
            ord,
            fields,
            rendered: rendered?,
            flags: flags?,
        })
    }

    /// The id says which card of its note this is (`anki-GUID` the first, `anki-GUID/N` the
    /// Nth): an `ord` that says otherwise would give Anki two cards of one ordinal. Reports
    /// the disagreement at `at`.
    fn ord_agrees_with_id(
        &mut self,
        id: Option<&str>,
        ord: u32,
        at: &Range<usize>,
        what: &str,
    ) -> bool {
        let numbered = id
            .and_then(|id| id.rsplit_once('/'))
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .filter(|n| *n >= 2);
        let expected = numbered.map_or(0, |n| n - 1);
        let Some(id) = id.filter(|_| ord != expected) else {
            return true;
        };
        let (card, fix) = match numbered {
            Some(n) => (
                format!("card {n} of its note"),
                format!("`ord = {expected}`"),
            ),
            None => (
                "the first card of its note".to_string(),
                "`ord = 0`".to_string(),
            ),
        };
        self.report(
            at,
            format!("`ord` {ord} of {what} disagrees with its id `{id}`, which names {card}"),
            format!(
                "write {fix}, or give the card the id of its note's card {}",
                ord + 1
            ),
        );
        false
    }
}

impl Checker<'_> {
    /// A cloze card as a whole, its cards named under `id` (see
    /// [`crate::cloze::ClozeNote`]). It may not also have `front` or `back`.
    fn cloze(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        what: &str,
        id: &str,
    ) -> Option<crate::cloze::ClozeNote> {
        if let Some(key) = ["front", "back"]
            .into_iter()
            .find(|k| table.contains_key(*k))
        {
            self.report(
                &table.get(key).map_or(span.clone(), Spanned::span),
                format!("{what} has both `cloze` and `{key}`"),
                "a card is either `front` and `back`, or `cloze`".to_string(),
            );
            return None;
        }
        let text = self.required_text(table, span, "cloze", what)?;
        let value_span = table.get("cloze").map_or(span.clone(), Spanned::span);
        match crate::cloze::ClozeNote::new(id, &text) {
            Ok(note) => Some(note),
            Err(e) => {
                self.report(
                    &value_span,
                    format!("`cloze` of {what}: {}", e.message),
                    None,
                );
                None
            }
        }
    }

    /// Reads the `[[card]]` sections, and the ids of those that say `override = true`; a card
    /// with any problem is left out (and reported). `generated`: the file is written by
    /// `recall compile` (as the bundled decks are), where an override is a problem.
    fn cards(
        &mut self,
        value: Option<&Spanned<DeValue<'_>>>,
        deck: Option<&Deck>,
        anki: &mut AnkiTables,
        generated: bool,
    ) -> (Vec<Card>, Vec<CardId>) {
        let mut cards = Vec::new();
        let mut overrides = Vec::new();
        let mut seen: HashMap<String, Location> = HashMap::new();
        let items = match value.map(|v| (v.span(), v.get_ref())) {
            None => return (cards, overrides),
            Some((_, DeValue::Array(items))) => items,
            Some((span, _)) => {
                self.report(
                    &span,
                    "`card` must be a list of `[[card]]` sections".into(),
                    "write each card as a `[[card]]` section".to_string(),
                );
                return (cards, overrides);
            }
        };
        for (n, item) in items.iter().enumerate() {
            let what = format!("card {}", n + 1);
            let DeValue::Table(table) = item.get_ref() else {
                self.report(
                    &item.span(),
                    format!("{what} must be a table"),
                    "write each card as a `[[card]]` section".to_string(),
                );
                continue;
            };
            // An array-of-tables item spans its `[[card]]` header line.
            let span = item.span();
            let id = self.id(table, &span, &what);
            let mut cloze = None;
            let texts = if table.contains_key("cloze") {
                cloze = self.cloze(table, &span, &what, id.as_deref().unwrap_or(""));
                cloze.as_ref().map(|note| note.cards.clone())
            } else {
                let front = self.required_text(table, &span, "front", &what);
                // Anki keeps a note whose answer side is empty (a sound on the front, say):
                // a card born in Anki may have an empty `back`; any other needs one.
                let back = if table.contains_key("anki") {
                    self.present_text(table, &span, "back", &what)
                } else {
                    self.required_text(table, &span, "back", &what)
                };
                front
                    .zip(back)
                    .map(|pair| vec![(CardId(id.clone().unwrap_or_default()), pair.0, pair.1)])
            };
            let tags = self.tags(table, &what);
            let level = self.level(table, &what);
            let source = self.optional_string(table, "source", &what);
            let overrides_card = self.flag(table, "override", &what);
            if overrides_card && generated {
                self.report(
                    &table.get("override").map_or(span.clone(), Spanned::span),
                    format!("{what} says `override = true` in a deck generated by `recall compile`"),
                    "an override belongs in a deck of your own (`recall edit ID` writes one); change the guide to change a compiled card".to_string(),
                );
            }
            let origin = table
                .get("anki")
                .map(|value| self.origin(value, table, id.as_deref(), &anki.note_types, &what));
            self.unknown_fields(table, CARD_FIELDS, "a card");
            let location = self.location(&span);
            let Some(id) = id else { continue };
            if let Some(origin) = origin {
                let Some(origin) = origin else { continue };
                anki.origins.insert(CardId(id.clone()), origin);
            }
            let (Some(texts), Some(deck)) = (texts, deck) else {
                continue;
            };
            let mut whole = true;
            for (CardId(id), front, back) in texts {
                if let Some(first) = seen.get(&id) {
                    whole = false;
                    self.report(
                        &span,
                        format!("duplicate card id `{id}`: already defined at {first}"),
                        "give each card its own id".to_string(),
                    );
                    continue;
                }
                seen.insert(id.clone(), location.clone());
                if overrides_card {
                    overrides.push(CardId(id.clone()));
                }
                cards.push(Card {
                    id: CardId(id),
                    deck: deck.id.clone(),
                    front,
                    back,
                    tags: tags.clone(),
                    level,
                    source: source.clone(),
                    location: location.clone(),
                });
            }
            // Exports write a cloze back as one, when its cards are all there.
            if let Some(note) = cloze.filter(|_| whole) {
                anki.clozes.extend(crate::cloze::members(note));
            }
        }
        (cards, overrides)
    }
}

/// Parses a deck file's text. `path` is only used in messages. Returns every problem found.
pub fn parse_deck(path: &str, text: &str) -> Result<DeckFile, Vec<Problem>> {
    parse_deck_with_anki(path, text).map(|(file, _)| file)
}

/// [`parse_deck`], with the file's Anki note types and card origins (see [`super::anki`]),
/// which only exports to Anki and imports need.
pub fn parse_deck_with_anki(
    path: &str,
    text: &str,
) -> Result<(DeckFile, AnkiTables), Vec<Problem>> {
    let mut checker = Checker {
        path,
        lines: LineIndex::new(text),
        problems: Vec::new(),
    };
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            let span = error.span().unwrap_or(0..0);
            checker.report(
                &span,
                format!("TOML syntax error: {}", error.message().trim()),
                "check quotes, brackets and `key = value` pairs on that line".to_string(),
            );
        }
        return Err(checker.problems);
    }
    let root = root.into_inner();
    checker.unknown_fields(&root, TOP_LEVEL, "a deck file (top level)");

    let deck = if let Some(value) = root.get("deck") {
        if let DeValue::Table(table) = value.get_ref() {
            let span = value.span();
            let id = checker.id(table, &span, "[deck]");
            let name = checker.required_text(table, &span, "name", "[deck]");
            let description = checker
                .optional_string(table, "description", "[deck]")
                .unwrap_or_default();
            checker.unknown_fields(table, DECK_FIELDS, "[deck]");
            id.zip(name).map(|(id, name)| Deck {
                id: DeckId(id),
                name,
                description,
                location: checker.location(&span),
            })
        } else {
            checker.report(
                &value.span(),
                "`deck` must be a table".into(),
                "start the file with a `[deck]` section".to_string(),
            );
            None
        }
    } else {
        checker.report(
            &(0..0),
            "deck file has no `[deck]` table".into(),
            "start the file with `[deck]` and its `id`, `name` and `description`".to_string(),
        );
        None
    };

    let mut anki = AnkiTables {
        note_types: checker.note_types(root.get("anki_notetype")),
        origins: std::collections::HashMap::new(),
        clozes: std::collections::HashMap::new(),
    };
    let generated = text.starts_with(crate::guide::emit::GENERATED_MARK);
    let (cards, overrides) = checker.cards(root.get("card"), deck.as_ref(), &mut anki, generated);
    match deck {
        Some(deck) if checker.problems.is_empty() => Ok((
            DeckFile {
                deck,
                cards,
                overrides,
            },
            anki,
        )),
        _ => Err(checker.problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "[deck]\nid = \"d\"\nname = \"Deck\"\ndescription = \"x\"\n\n";

    fn errors(body: &str) -> Vec<String> {
        parse_deck("t.toml", &format!("{HEADER}{body}"))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_valid_card_is_read_with_all_fields_and_its_location() {
        let text = format!(
            "{HEADER}[[card]]\nid = \"c1\"\nfront = \"Q?\"\nback = \"A.\"\ntags = [\"t\"]\nlevel = \"senior\"\nsource = \"S > T\"\n"
        );
        let file = parse_deck("t.toml", &text).unwrap();
        let card = &file.cards[0];
        assert_eq!(card.id.as_str(), "c1");
        assert_eq!(card.level, Some(Level::Senior));
        assert_eq!(card.tags, ["t"]);
        assert_eq!(card.location.line, 6);
        assert_eq!(file.deck.name, "Deck");
    }

    #[test]
    fn a_syntax_error_is_located() {
        let errs = errors("[[card]]\nid = \"c1\nfront = \"Q\"\n");
        assert!(errs[0].starts_with("t.toml:7:"), "{errs:?}");
        assert!(errs[0].contains("TOML syntax error"), "{errs:?}");
    }

    #[test]
    fn an_unknown_field_suggests_the_nearest_known_one() {
        let errs = errors("[[card]]\nid = \"c1\"\nfornt = \"Q\"\nfront = \"Q\"\nback = \"A\"\n");
        assert_eq!(
            errs,
            [
                "t.toml:8:1: unknown field `fornt` in a card (did you mean `front`? a card fields are: id, front, back, cloze, tags, level, source, anki, override)"
            ]
        );
    }

    #[test]
    fn every_missing_or_empty_text_is_its_own_problem() {
        let errs = errors(
            "[[card]]\nid = \"c1\"\nfront = \"  \"\n\n[[card]]\nid = \"c2\"\nback = \"A\"\n",
        );
        assert_eq!(
            errs,
            [
                "t.toml:8:9: `front` of card 1 is empty (write the front text between the quotes)",
                "t.toml:6:1: card 1 has no `back` (add `back = \"...\"`)",
                "t.toml:10:1: card 2 has no `front` (add `front = \"...\"`)",
            ]
        );
    }

    #[test]
    fn a_duplicate_id_in_one_file_names_both_lines() {
        let card = "[[card]]\nid = \"c1\"\nfront = \"Q\"\nback = \"A\"\n";
        let errs = errors(&format!("{card}{card}"));
        assert_eq!(
            errs,
            [
                "t.toml:10:1: duplicate card id `c1`: already defined at t.toml:6:1 (give each card its own id)"
            ]
        );
    }

    #[test]
    fn a_cloze_card_expands_to_one_card_per_deletion() {
        let text = format!(
            "{HEADER}[[card]]\nid = \"acid\"\ncloze = \"ACID: {{{{atomicity}}}} and {{{{durability}}}}\"\n"
        );
        let file = parse_deck("t.toml", &text).unwrap();
        let cards: Vec<(&str, &str, &str)> = file
            .cards
            .iter()
            .map(|c| (c.id.as_str(), c.front.as_str(), c.back.as_str()))
            .collect();
        assert_eq!(
            cards,
            [
                ("acid-atomicity", "ACID: [...] and durability", "atomicity"),
                ("acid-durability", "ACID: atomicity and [...]", "durability"),
            ]
        );
        let errs = errors("[[card]]\nid = \"c\"\ncloze = \"no deletion\"\nback = \"x\"\n");
        assert_eq!(
            errs,
            [
                "t.toml:9:8: card 1 has both `cloze` and `back` (a card is either `front` and `back`, or `cloze`)"
            ]
        );
    }

    const NOTETYPE: &str = "[[anki_notetype]]\nid = 7\nname = \"Basic\"\nfields = [\"Front\", \"Back\"]\n\n[[anki_notetype.template]]\nname = \"Card 1\"\nqfmt = \"{{Front}}\"\nafmt = \"{{FrontSide}}<hr id=answer>{{Back}}\"\n";

    fn anki_card(id: &str, table: &str) -> String {
        format!("[[card]]\nid = \"{id}\"\nfront = \"Q\"\nback = \"A\"\n\n[card.anki]\n{table}\n")
    }

    #[test]
    fn anki_tables_are_read_with_their_note_type() {
        let text = format!(
            "{HEADER}{}{NOTETYPE}",
            anki_card(
                "anki-g1",
                "notetype = 7\nord = 0\nrendered = \"abc\"\nfields = [\"<b>Q</b>\", \"A\"]"
            )
        );
        let (file, tables) = parse_deck_with_anki("t.toml", &text).unwrap();
        assert_eq!(file.cards.len(), 1);
        let origin = &tables.origins[&CardId("anki-g1".into())];
        assert_eq!(origin.fields, ["<b>Q</b>", "A"]);
        assert_eq!(origin.notetype, 7);
        let note_type = tables.note_type(7).unwrap();
        assert_eq!(note_type.kind, NoteKind::Standard);
        assert!(note_type.is_basic());
        // The tables change nothing about the card itself.
        let plain = parse_deck(
            "t.toml",
            &format!("{HEADER}[[card]]\nid = \"anki-g1\"\nfront = \"Q\"\nback = \"A\"\n"),
        )
        .unwrap();
        assert_eq!(file.cards[0].id, plain.cards[0].id);
        assert_eq!(file.cards[0].front, plain.cards[0].front);
    }

    #[test]
    fn every_broken_anki_table_is_located() {
        let errs = errors(&format!(
            "{}{}{}{NOTETYPE}",
            anki_card(
                "anki-a",
                "notetype = 7\nord = 0\nrendered = \"x\"\nfields = [\"Q\"]"
            ),
            anki_card(
                "my-card",
                "notetype = 7\nord = 0\nrendered = \"x\"\nfields = [\"Q\", \"A\"]"
            ),
            anki_card(
                "anki-c",
                "notetype = \"7\"\nord = 0\nrendered = \"x\"\nfields = [\"Q\", \"A\"]\ncolour = 1"
            ),
        ));
        assert_eq!(
            errs,
            [
                "t.toml:15:10: `anki` of card 1 has 1 field(s); note type `Basic` has 2 (its fields are: Front, Back)",
                "t.toml:21:1: card 2 has an `anki` table but its id `my-card` names no Anki note (cards from Anki have ids `anki-GUID` or `anki-GUID/N`; remove the table or restore the id)",
                "t.toml:36:1: unknown field `colour` in a card's `anki` table (a card's `anki` table fields are: notetype, ord, fields, rendered, flags)",
                "t.toml:32:12: `notetype` of `anki` of card 3 must be a whole number (write it without quotes: `notetype = 0`)",
            ]
        );
        let errs = errors(&format!(
            "{NOTETYPE}\n[[anki_notetype]]\nid = 7\nname = \"Again\"\nkind = \"odd\"\nfields = []\n"
        ));
        assert_eq!(
            errs,
            [
                "t.toml:19:8: `odd` is not a kind of anki_notetype 2 (use `standard` or `cloze`)",
                "t.toml:16:1: anki_notetype 2 has no `[[anki_notetype.template]]` sections (give each template its `name`, `qfmt` and `afmt`)",
                "t.toml:20:10: anki_notetype 2 has no fields (list its field names in order)",
            ]
        );
    }

    /// `anki-X/2` is card 2 of note X: with `ord = 0` it would go to Anki as a second card of
    /// ordinal 0, which Anki accepts and then shows wrongly.
    #[test]
    fn an_anki_ord_must_agree_with_the_card_number_in_its_id() {
        let two = NOTETYPE.replace(
            "afmt = \"{{FrontSide}}<hr id=answer>{{Back}}\"\n",
            "afmt = \"{{FrontSide}}<hr id=answer>{{Back}}\"\n\n[[anki_notetype.template]]\nname = \"Card 2\"\nqfmt = \"{{Back}}\"\nafmt = \"{{Front}}\"\n",
        );
        let table = |ord: u32| {
            format!("notetype = 7\nord = {ord}\nrendered = \"x\"\nfields = [\"Q\", \"A\"]")
        };
        let good = format!(
            "{HEADER}{}{}{two}",
            anki_card("anki-x", &table(0)),
            anki_card("anki-x/2", &table(1))
        );
        assert!(parse_deck_with_anki("t.toml", &good).is_ok());
        let errs = errors(&format!(
            "{}{}{two}",
            anki_card("anki-x", &table(1)),
            anki_card("anki-x/2", &table(0))
        ));
        assert_eq!(
            errs,
            [
                "t.toml:13:7: `ord` 1 of card 1 disagrees with its id `anki-x`, which names the first card of its note (write `ord = 0`, or give the card the id of its note's card 2)",
                "t.toml:23:7: `ord` 0 of card 2 disagrees with its id `anki-x/2`, which names card 2 of its note (write `ord = 1`, or give the card the id of its note's card 1)",
            ]
        );
    }

    #[test]
    fn templates_anki_would_refuse_are_located_errors() {
        // These loaded without a word and reached Anki as a note type whose cards all read
        // "template syntax error".
        let errs = errors(
            "[[anki_notetype]]\nid = 7\nname = \"Broken\"\nfields = [\"Front\", \"Back\", \"Front\"]\n\n[[anki_notetype.template]]\nname = \"Card 1\"\nqfmt = \"{{#Front}}{{Front}}\"\nafmt = \"{{Back}}{{/Back}}\"\n\n[[anki_notetype]]\nid = 8\nname = \"Braces\"\nfields = [\"a{}\"]\n\n[[anki_notetype.template]]\nname = \"Card 1\"\nqfmt = \"{{a{}}}\"\nafmt = \"x\"\n",
        );
        assert_eq!(
            errs,
            [
                "t.toml:13:8: `qfmt` of template 1 of anki_notetype 1: `{{#Front}}` is never closed (end the section with `{{/Front}}`)",
                "t.toml:14:8: `afmt` of template 1 of anki_notetype 1: `{{/Back}}` closes no section (remove it, or open the section with `{{#Back}}`)",
                "t.toml:9:10: anki_notetype 1: fields 1 and 3 are both named `Front` (give each field its own name)",
                "t.toml:19:10: anki_notetype 2: field name `a{}` has `{` in it (Anki field names cannot hold `:`, `{`, `}` or `\"`)",
            ]
        );
    }

    #[test]
    fn a_bad_level_lists_the_allowed_values() {
        let errs = errors("[[card]]\nid = \"c1\"\nfront = \"Q\"\nback = \"A\"\nlevel = \"guru\"\n");
        assert_eq!(
            errs,
            ["t.toml:10:9: `guru` is not a level: use junior, senior or principal"]
        );
    }

    #[test]
    fn a_file_without_a_deck_table_says_how_to_start_one() {
        let errs: Vec<String> = parse_deck(
            "t.toml",
            "[[card]]\nid = \"c\"\nfront = \"Q\"\nback = \"A\"\n",
        )
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            errs,
            [
                "t.toml:1:1: deck file has no `[deck]` table (start the file with `[deck]` and its `id`, `name` and `description`)"
            ]
        );
    }
}
