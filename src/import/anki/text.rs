//! Anki's "Notes in Plain Text" export, read by its headers: which columns hold the GUID, the
//! note type, the deck and the tags (`#guid column:`, `#notetype column:`, `#deck column:`,
//! `#tags column:`), or the names of all columns (`#columns:`); the other columns are the note's
//! fields, in the note type's order. A text file carries no templates, so Anki's stock note
//! types are rendered with their stock templates (Basic → front, back; Cloze → text, back
//! extra; the reversed types give their reverse cards) and any other type shows its first
//! field as the question and the rest as the answer.

use super::template::{self, CardContext, RenderError};
use super::{card_id, template::cloze_numbers};
use crate::deck::anki::MAX_CLOZE;
use crate::import::{Entry, Incoming, html};
use crate::store::anki::{NoteType, Template};

/// Where a file's rows keep what is not a field, from its headers (columns from 0).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub guid: Option<usize>,
    pub notetype: Option<usize>,
    pub deck: Option<usize>,
    pub tags: Option<usize>,
    /// `#notetype:` — the note type of every row without a note type column.
    pub notetype_default: Option<String>,
    /// `#deck:` — the deck of every row without a deck column.
    pub deck_default: Option<String>,
    /// `#tags:` — tags every note gets.
    pub tags_default: Vec<String>,
    /// `#columns:` — every column's name.
    pub column_names: Option<Vec<String>>,
    /// `#html:true`: fields are HTML.
    pub html: bool,
}

impl Layout {
    /// Takes the special columns from `#columns:` names (`Tags`, `Deck`, `Notetype`, `GUID`),
    /// where the numbered headers did not say.
    #[must_use]
    pub fn with_names(mut self) -> Layout {
        if let Some(names) = &self.column_names {
            for (i, name) in names.iter().enumerate() {
                let slot = match name.trim().to_ascii_lowercase().as_str() {
                    "tags" => &mut self.tags,
                    "deck" => &mut self.deck,
                    "notetype" | "note type" => &mut self.notetype,
                    "guid" => &mut self.guid,
                    _ => continue,
                };
                slot.get_or_insert(i);
            }
        }
        self
    }

    fn special(&self, column: usize) -> bool {
        [self.guid, self.notetype, self.deck, self.tags].contains(&Some(column))
    }
}

fn template(question: &str, answer: &str, name: &str) -> Template {
    Template {
        name: name.to_string(),
        question: question.to_string(),
        answer: answer.to_string(),
    }
}

/// The note type called `name` as Anki ships it, or, for another, one card asking the first
/// of `field_names` with the rest as the answer.
pub fn stock_note_type(name: &str, field_names: &[String]) -> NoteType {
    let card1 = || template("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}", "Card 1");
    let fields = |names: &[&str]| names.iter().map(ToString::to_string).collect();
    let (cloze, fields, templates) = match name {
        "Basic" | "Basic (recall)" => (false, fields(&["Front", "Back"]), vec![card1()]),
        "Basic (and reversed card)" => (
            false,
            fields(&["Front", "Back"]),
            vec![
                card1(),
                template("{{Back}}", "{{FrontSide}}<hr id=answer>{{Front}}", "Card 2"),
            ],
        ),
        "Basic (optional reversed card)" => (
            false,
            fields(&["Front", "Back", "Add Reverse"]),
            vec![
                card1(),
                template(
                    "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
                    "{{FrontSide}}<hr id=answer>{{Front}}",
                    "Card 2",
                ),
            ],
        ),
        "Basic (type in the answer)" => (
            false,
            fields(&["Front", "Back"]),
            vec![template(
                "{{Front}}{{type:Back}}",
                "{{Front}}<hr id=answer>{{type:Back}}",
                "Card 1",
            )],
        ),
        "Cloze" | "Cloze (recall)" => (
            true,
            fields(&["Text", "Back Extra"]),
            vec![template(
                "{{cloze:Text}}",
                "{{cloze:Text}}<br>{{Back Extra}}",
                "Cloze",
            )],
        ),
        _ => {
            let names: Vec<String> = if field_names.len() < 2 {
                vec!["Front".into(), "Back".into()]
            } else {
                field_names.to_vec()
            };
            let question = format!("{{{{{}}}}}", names[0]);
            let answer = names[1..]
                .iter()
                .map(|n| format!("{{{{{n}}}}}"))
                .collect::<Vec<_>>()
                .join("<br>");
            (false, names, vec![template(&question, &answer, "Card 1")])
        }
    };
    NoteType {
        name: name.to_string(),
        cloze,
        fields,
        templates,
        css: String::new(),
    }
}

/// The ordinals of the cards a note makes: one per template, or one per deletion number of
/// a cloze note's text up to Anki's [`MAX_CLOZE`], with how many numbers were past it. The
/// nesting is checked once for the note rather than once per card; the cap keeps the cards,
/// each of which repeats the text, to a fixed multiple of it.
fn card_ordinals(
    note_type: &NoteType,
    values: &[String],
) -> Result<(Vec<u32>, usize), RenderError> {
    if !note_type.cloze {
        return Ok(((0..note_type.templates.len() as u32).collect(), 0));
    }
    let text = values.first().map_or("", String::as_str);
    let depth = template::cloze_depth(text);
    if depth > template::MAX_NESTING {
        return Err(RenderError::ClozeTooDeep {
            field: note_type.fields.first().cloned().unwrap_or_default(),
            depth,
        });
    }
    let (ords, past): (Vec<u32>, Vec<u32>) = cloze_numbers(text)
        .iter()
        .map(|n| n.saturating_sub(1))
        .partition(|&ord| (ord as usize) < MAX_CLOZE);
    Ok((ords, past.len()))
}

/// A row's field names and values (as HTML), without its special columns. Stock types take
/// the fields by position; another type by the file's names, or numbers.
fn note_fields(fields: &[&str], layout: &Layout) -> (Vec<String>, Vec<String>) {
    let values: Vec<String> = fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !layout.special(*i))
        .map(|(_, v)| {
            if layout.html {
                (*v).to_string()
            } else {
                html::escape(v.trim())
            }
        })
        .collect();
    let field_names: Vec<String> = match &layout.column_names {
        Some(names) => names
            .iter()
            .enumerate()
            .filter(|(i, _)| !layout.special(*i))
            .map(|(_, n)| n.trim().to_string())
            .collect(),
        None => Vec::new(),
    };
    let field_names = if field_names.is_empty() {
        (1..=values.len()).map(|i| format!("Field {i}")).collect()
    } else {
        field_names
    };
    (field_names, values)
}

/// The cards of one row (row `n`), or why it gives none.
pub fn row_entries(fields: &[&str], layout: &Layout, n: usize) -> Vec<Entry> {
    let column = |c: Option<usize>| c.and_then(|c| fields.get(c)).map(|s| s.trim());
    let note_type_name = column(layout.notetype)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| layout.notetype_default.clone())
        .unwrap_or_else(|| "Basic".to_string());
    let (field_names, values) = note_fields(fields, layout);
    let note_type = stock_note_type(&note_type_name, &field_names);
    let label = crate::display::inert(&note_type_name);
    let mut tags: Vec<String> = column(layout.tags)
        .map(|t| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    tags.extend(layout.tags_default.iter().cloned());
    let deck = column(layout.deck)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .or_else(|| layout.deck_default.clone());
    let guid = column(layout.guid).filter(|g| !g.is_empty());
    let carried = crate::import::note_tags(tags.iter().cloned());
    // A cloze recall wrote comes back as recall's cloze, its cards with their own ids.
    if let Some(note) = guid
        .filter(|_| note_type.cloze)
        .and_then(|g| crate::import::recall_cloze(g, values.first().map_or("", String::as_str)))
    {
        let template = Incoming {
            tags: carried.tags,
            level: carried.level,
            source: carried.source,
            deck,
            deck_id: carried.deck_id,
            ..Incoming::default()
        };
        return crate::import::cloze_cards(note, &template)
            .map(Entry::Card)
            .collect();
    }
    let (ords, past_limit) = match card_ordinals(&note_type, &values) {
        Ok(ords) => ords,
        Err(why) => {
            return vec![Entry::Skipped(format!("row {n} ({label}): {why}"))];
        }
    };
    let mut entries = Vec::new();
    if past_limit > 0 {
        entries.push(Entry::Skipped(format!(
            "row {n} ({label}): {past_limit} cloze number(s) past Anki's limit of {MAX_CLOZE} make no card"
        )));
    }
    for ord in ords {
        let context = CardContext {
            tags: &tags,
            deck: deck.as_deref().unwrap_or(""),
            ord,
        };
        let sides = match template::render(&note_type, &values, &context) {
            Ok(sides) => sides,
            Err(RenderError::NoTemplate) => continue,
            Err(why) => {
                let card = ord + 1;
                entries.push(Entry::Skipped(format!(
                    "row {n} ({label}, card {card}): {why}"
                )));
                continue;
            }
        };
        let (front, back) = (html::to_text(&sides.question), html::to_text(&sides.answer));
        // A template whose question is empty makes no card, as in Anki (an optional
        // reverse not asked for).
        if front.is_empty() && ord > 0 {
            continue;
        }
        if front.is_empty() || back.is_empty() {
            let side = if front.is_empty() {
                "question"
            } else {
                "answer"
            };
            let card = ord + 1;
            entries.push(Entry::Skipped(format!(
                "row {n} ({label}, card {card}): empty {side}"
            )));
            continue;
        }
        entries.push(Entry::Card(Incoming {
            id: guid.map_or_else(|| crate::ids::question(&front), |g| card_id(g, ord)),
            front,
            back,
            tags: carried.tags.clone(),
            level: carried.level,
            source: carried.source.clone(),
            deck: deck.clone(),
            deck_id: carried.deck_id.clone(),
            anki: None,
            cloze: None,
        }));
    }
    if entries.is_empty() {
        entries.push(Entry::Skipped(format!("row {n} ({label}): no card")));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(entries: &[Entry]) -> Vec<(String, String, String)> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Card(c) => Some((c.id.clone(), c.front.clone(), c.back.clone())),
                _ => None,
            })
            .collect()
    }

    fn anki_layout() -> Layout {
        Layout {
            guid: Some(0),
            notetype: Some(1),
            deck: Some(2),
            tags: Some(6),
            html: true,
            ..Layout::default()
        }
    }

    #[test]
    fn a_row_with_a_cloze_nested_too_deep_is_skipped_with_its_reason() {
        // Its deletion numbers were found by recursion, then each card rendered by it.
        let nested = format!("{}x{}", "{{c1::".repeat(100_000), "}}".repeat(100_000));
        let row = ["g", "Cloze", "Tech", nested.as_str(), "", "", ""];
        let entries = row_entries(&row, &anki_layout(), 4);
        assert_eq!(cards(&entries), []);
        let Entry::Skipped(why) = &entries[0] else {
            panic!("{entries:?}")
        };
        assert_eq!(
            why,
            "row 4 (Cloze): field `Text` nests cloze deletions 100000 deep, over the limit of 32"
        );
    }

    #[test]
    fn cloze_numbers_past_ankis_limit_make_no_card() {
        // Each number made a card repeating the whole text: 100,000 numbers in a 1 MB row
        // made 100 GB of cards.
        let text = (1..=1_000).fold(String::new(), |text, i| text + &format!("{{{{c{i}::w}}}} "));
        let row = ["g", "Cloze", "Tech", text.as_str(), "", "", ""];
        let entries = row_entries(&row, &anki_layout(), 2);
        assert_eq!(cards(&entries).len(), MAX_CLOZE);
        let Entry::Skipped(why) = &entries[0] else {
            panic!("{:?}", entries[0])
        };
        assert_eq!(
            why,
            "row 2 (Cloze): 501 cloze number(s) past Anki's limit of 499 make no card"
        );
    }

    #[test]
    fn rows_are_read_as_their_note_type() {
        let layout = anki_layout();
        let row = [
            "r1",
            "Basic (and reversed card)",
            "Languages::German",
            "Hund",
            "dog",
            "",
            "Geo::Europe",
        ];
        let entries = row_entries(&row, &layout, 1);
        assert_eq!(
            cards(&entries),
            [
                ("anki-r1".into(), "Hund".into(), "dog".into()),
                ("anki-r1/2".into(), "dog".into(), "Hund".into())
            ]
        );
        let Entry::Card(card) = &entries[0] else {
            panic!()
        };
        assert_eq!(card.deck.as_deref(), Some("Languages::German"));
        assert_eq!(card.tags, ["Geo::Europe"]);

        let row = [
            "c1",
            "Cloze",
            "Tech",
            "{{c1::Paris}} is in {{c2::France::country}}.",
            "Since 508.",
            "",
            "",
        ];
        assert_eq!(
            cards(&row_entries(&row, &layout, 2)),
            [
                (
                    "anki-c1".into(),
                    "[...] is in France.".into(),
                    "Paris\nSince 508.".into()
                ),
                (
                    "anki-c1/2".into(),
                    "Paris is in [country].".into(),
                    "France\nSince 508.".into()
                )
            ]
        );
        let row = [
            "o1",
            "Basic (optional reversed card)",
            "T",
            "Maus",
            "mouse",
            "",
            "",
        ];
        assert_eq!(cards(&row_entries(&row, &layout, 3)).len(), 1);
        let row = ["v1", "Vocab", "T", "Baum", "tree", "Der Baum ist alt.", ""];
        assert_eq!(
            cards(&row_entries(&row, &layout, 4)),
            [(
                "anki-v1".into(),
                "Baum".into(),
                "tree\nDer Baum ist alt.".into()
            )]
        );
    }

    #[test]
    fn column_names_place_the_special_columns() {
        let layout = Layout {
            column_names: Some(vec!["Front".into(), "Back".into(), "Tags".into()]),
            notetype_default: Some("Basic".into()),
            ..Layout::default()
        }
        .with_names();
        let entries = row_entries(&["1 < 2", "yes", "maths"], &layout, 1);
        let Entry::Card(card) = &entries[0] else {
            panic!()
        };
        assert_eq!((card.front.as_str(), card.back.as_str()), ("1 < 2", "yes"));
        assert_eq!(card.tags, ["maths"]);
    }
}
