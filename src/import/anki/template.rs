//! Anki's card templates, rendered as Anki renders them: `{{Field}}`, `{{FrontSide}}`,
//! sections `{{#Field}}…{{/Field}}` (shown when the field has text) and `{{^Field}}…{{/Field}}`
//! (when it has none), filters `{{type:Field}}`, `{{hint:Field}}`, `{{text:Field}}` and
//! `{{cloze:Field}}`, and the special fields `Tags`, `Type`, `Deck`, `Subdeck` and `Card`.
//! The result is still HTML; the caller turns it into text.
//!
//! A recall card has a question and an answer, not Anki's answer side (which usually repeats
//! the question): the answer is what follows `<hr id=answer>`, or the answer side without its
//! `{{FrontSide}}`. `{{type:F}}` asks for nothing on the question (recall's own `--type` does
//! that) and shows the field on the answer; a cloze answer is the words its deletions hide.

use std::collections::HashMap;

use crate::store::anki::NoteType;

/// Which side of the card is being rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Question,
    Answer,
}

/// What a card's template can refer to besides the note's fields.
#[derive(Debug, Clone, Default)]
pub struct CardContext<'a> {
    pub tags: &'a [String],
    /// The card's full deck name.
    pub deck: &'a str,
    /// The card's ordinal: its template, or for Cloze note types its deletion number - 1.
    pub ord: u32,
}

/// A card's question and answer, as HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sides {
    pub question: String,
    pub answer: String,
}

/// Stands for `{{FrontSide}}` on the answer side until the answer is cut out of it.
const FRONT_SIDE: &str = "\u{0}front-side\u{0}";

/// Renders card `context.ord` of a note of `note_type` with `fields`; `None` when the note
/// type has no such template.
pub fn render(note_type: &NoteType, fields: &[String], context: &CardContext<'_>) -> Option<Sides> {
    let template_index = if note_type.cloze {
        0
    } else {
        context.ord as usize
    };
    let template = note_type.templates.get(template_index)?;
    let values: HashMap<&str, &str> = note_type
        .fields
        .iter()
        .map(String::as_str)
        .zip(fields.iter().map(String::as_str))
        .collect();
    let renderer = Renderer {
        fields: &values,
        note_type,
        template: &template.name,
        context,
    };
    let question = renderer.render(&template.question, Side::Question);
    let answer = renderer.render(&template.answer, Side::Answer);
    Some(Sides {
        question,
        answer: answer_part(&answer),
    })
}

/// The answer side without the question it repeats.
fn answer_part(answer: &str) -> String {
    let lower = answer.to_ascii_lowercase();
    let after_rule = ["<hr id=answer>", "<hr id=\"answer\">", "<hr id='answer'>"]
        .iter()
        .filter_map(|rule| lower.find(rule).map(|at| at + rule.len()))
        .min();
    let answer = match after_rule {
        Some(at) => &answer[at..],
        None => answer,
    };
    answer.replace(FRONT_SIDE, "")
}

struct Renderer<'a> {
    fields: &'a HashMap<&'a str, &'a str>,
    note_type: &'a NoteType,
    template: &'a str,
    context: &'a CardContext<'a>,
}

impl Renderer<'_> {
    fn render(&self, template: &str, side: Side) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        self.render_into(template, side, &mut out);
        out
    }

    fn render_into(&self, template: &str, side: Side, out: &mut String) {
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                out.push_str(&rest[open..]);
                return;
            };
            let tag = after[..close].trim();
            rest = &after[close + 2..];
            if let Some(section) = tag.strip_prefix(['#', '^']) {
                let section = section.trim();
                let (inner, remainder) = section_body(rest, section);
                rest = remainder;
                let has_text = self.field_has_text(section);
                if has_text == tag.starts_with('#') {
                    self.render_into(inner, side, out);
                }
            } else if tag.starts_with('/') {
                // A closing tag without its opening: Anki reports it; recall shows nothing.
            } else {
                out.push_str(&self.replacement(tag, side));
            }
        }
        out.push_str(rest);
    }

    fn field_has_text(&self, name: &str) -> bool {
        self.special(name)
            .or_else(|| self.fields.get(name).map(|v| (*v).to_string()))
            .is_some_and(|v| !crate::import::html::to_text(&v).trim().is_empty())
    }

    /// The special fields Anki offers every template.
    fn special(&self, name: &str) -> Option<String> {
        Some(match name {
            "Tags" => self.context.tags.join(" "),
            "Type" => self.note_type.name.clone(),
            "Deck" => self.context.deck.to_string(),
            "Subdeck" => self
                .context
                .deck
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_string(),
            "Card" => self.template.to_string(),
            "CardFlag" => String::new(),
            _ => return None,
        })
    }

    /// What `{{filter:…:Field}}` becomes. Filters apply from the field outwards (right to
    /// left), as in Anki.
    fn replacement(&self, tag: &str, side: Side) -> String {
        if tag == "FrontSide" {
            return match side {
                Side::Question => String::new(),
                Side::Answer => FRONT_SIDE.to_string(),
            };
        }
        let mut parts: Vec<&str> = tag.split(':').map(str::trim).collect();
        let name = parts.pop().unwrap_or_default();
        let raw = self
            .special(name)
            .or_else(|| self.fields.get(name).map(|v| (*v).to_string()))
            .unwrap_or_default();
        let mut value = raw;
        for filter in parts.iter().rev() {
            value = match *filter {
                "cloze" => cloze(&value, self.context.ord + 1, side),
                "type" => match side {
                    Side::Question => String::new(),
                    Side::Answer => value,
                },
                "hint" if value.trim().is_empty() => String::new(),
                "hint" => format!("[hint: {value}]"),
                "text" => strip_tags(&value),
                f if f.starts_with("tts") => String::new(),
                // furigana, kana, kanji and filters of add-ons: the field as it is.
                _ => value,
            };
        }
        value
    }
}

/// The part of `rest` up to the `{{/name}}` that closes a section (counting sections of the
/// same name opened inside it), and what follows it. An unclosed section runs to the end.
fn section_body<'t>(rest: &'t str, name: &str) -> (&'t str, &'t str) {
    let mut depth = 0;
    let mut at = 0;
    while let Some(open) = rest[at..].find("{{").map(|i| i + at) {
        let Some(close) = rest[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let tag = rest[open + 2..close].trim();
        if let Some(opened) = tag.strip_prefix(['#', '^']) {
            if opened.trim() == name {
                depth += 1;
            }
        } else if let Some(closed) = tag.strip_prefix('/')
            && closed.trim() == name
        {
            if depth == 0 {
                return (&rest[..open], &rest[close + 2..]);
            }
            depth -= 1;
        }
        at = close + 2;
    }
    (rest, "")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        if let Some(close) = rest[open..].find('>') {
            rest = &rest[open + close + 1..];
        } else {
            out.push_str(&rest[open..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// A piece of cloze text: plain, or a deletion `{{cN::body::hint}}` (deletions may nest).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Deletion {
        number: u32,
        body: Vec<Piece>,
        hint: Option<String>,
    },
}

/// Splits cloze text into pieces. Unbalanced markup is kept as text.
fn pieces(text: &str) -> Vec<Piece> {
    // Each open deletion: its number and the pieces so far.
    let mut stack: Vec<(u32, Vec<Piece>)> = Vec::new();
    let mut top: Vec<Piece> = Vec::new();
    let mut rest = text;
    let push_text = |into: &mut Vec<Piece>, s: &str| {
        if s.is_empty() {
            return;
        }
        if let Some(Piece::Text(t)) = into.last_mut() {
            t.push_str(s);
        } else {
            into.push(Piece::Text(s.to_string()));
        }
    };
    loop {
        let open = opening(rest);
        let close = if stack.is_empty() {
            None
        } else {
            rest.find("}}")
        };
        let current = match stack.last_mut() {
            Some((_, body)) => body,
            None => &mut top,
        };
        match (open, close) {
            (Some((at, number, len)), c) if c.is_none_or(|c| at < c) => {
                push_text(current, &rest[..at]);
                stack.push((number, Vec::new()));
                rest = &rest[at + len..];
            }
            (_, Some(c)) => {
                push_text(current, &rest[..c]);
                rest = &rest[c + 2..];
                let Some((number, mut body)) = stack.pop() else {
                    break;
                };
                let hint = split_hint(&mut body);
                let deletion = Piece::Deletion { number, body, hint };
                match stack.last_mut() {
                    Some((_, body)) => body.push(deletion),
                    None => top.push(deletion),
                }
            }
            _ => {
                push_text(current, rest);
                break;
            }
        }
    }
    // Deletions never closed: their text stays, as Anki shows it.
    while let Some((number, body)) = stack.pop() {
        let mut text = format!("{{{{c{number}::");
        text.push_str(&plain(&body));
        match stack.last_mut() {
            Some((_, outer)) => push_text(outer, &text),
            None => push_text(&mut top, &text),
        }
    }
    top
}

/// The next `{{cN::` in `text`: where, N, and its length.
fn opening(text: &str) -> Option<(usize, u32, usize)> {
    let mut from = 0;
    while let Some(at) = text[from..].find("{{c").map(|i| i + from) {
        let digits: String = text[at + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let after = at + 3 + digits.len();
        if !digits.is_empty()
            && text[after..].starts_with("::")
            && let Ok(number) = digits.parse()
        {
            return Some((at, number, after + 2 - at));
        }
        from = at + 3;
    }
    None
}

/// Takes the hint (after the last `::` of the deletion's own text) out of `body`.
fn split_hint(body: &mut [Piece]) -> Option<String> {
    let Some(Piece::Text(last)) = body.last_mut() else {
        return None;
    };
    let at = last.rfind("::")?;
    let hint = last[at + 2..].to_string();
    last.truncate(at);
    Some(hint)
}

fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::Deletion { body, .. } => plain(body),
        })
        .collect()
}

/// The numbers of the deletions in cloze text, each once, in increasing order.
pub fn cloze_numbers(text: &str) -> Vec<u32> {
    fn walk(pieces: &[Piece], into: &mut Vec<u32>) {
        for p in pieces {
            if let Piece::Deletion { number, body, .. } = p {
                into.push(*number);
                walk(body, into);
            }
        }
    }
    let mut numbers = Vec::new();
    walk(&pieces(text), &mut numbers);
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// Cloze text for card `number`: on the question its deletions read `[...]` (or `[hint]`)
/// and the others show their words; on the answer, the words its deletions hide.
fn cloze(text: &str, number: u32, side: Side) -> String {
    fn question(pieces: &[Piece], number: u32, out: &mut String) {
        for p in pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Deletion {
                    number: n, hint, ..
                } if *n == number => {
                    out.push('[');
                    out.push_str(hint.as_deref().map_or("...", str::trim));
                    out.push(']');
                }
                Piece::Deletion { body, .. } => question(body, number, out),
            }
        }
    }
    fn answers(pieces: &[Piece], number: u32, into: &mut Vec<String>) {
        for p in pieces {
            if let Piece::Deletion {
                number: n, body, ..
            } = p
            {
                if *n == number {
                    into.push(plain(body));
                } else {
                    answers(body, number, into);
                }
            }
        }
    }
    let pieces = pieces(text);
    match side {
        Side::Question => {
            let mut out = String::new();
            question(&pieces, number, &mut out);
            out
        }
        Side::Answer => {
            let mut found = Vec::new();
            answers(&pieces, number, &mut found);
            found.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::anki::Template;

    fn note_type(cloze: bool, fields: &[&str], templates: &[(&str, &str)]) -> NoteType {
        NoteType {
            name: "T".into(),
            cloze,
            fields: fields.iter().map(ToString::to_string).collect(),
            templates: templates
                .iter()
                .enumerate()
                .map(|(i, (q, a))| Template {
                    name: format!("Card {}", i + 1),
                    question: (*q).to_string(),
                    answer: (*a).to_string(),
                })
                .collect(),
            css: String::new(),
        }
    }

    fn card(t: &NoteType, fields: &[&str], ord: u32) -> (String, String) {
        let fields: Vec<String> = fields.iter().map(ToString::to_string).collect();
        let sides = render(
            t,
            &fields,
            &CardContext {
                ord,
                ..CardContext::default()
            },
        )
        .unwrap();
        (sides.question, sides.answer)
    }

    #[test]
    fn basic_and_reverse_cards_answer_after_the_rule() {
        let t = note_type(
            false,
            &["Front", "Back"],
            &[
                ("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),
                ("{{Back}}", "{{FrontSide}}<hr id=\"answer\">{{Front}}"),
            ],
        );
        assert_eq!(
            card(&t, &["Hund", "dog"], 0),
            ("Hund".into(), "\n\ndog".into())
        );
        assert_eq!(card(&t, &["Hund", "dog"], 1), ("dog".into(), "Hund".into()));
    }

    #[test]
    fn sections_show_by_whether_the_field_has_text() {
        let t = note_type(
            false,
            &["Word", "Example"],
            &[(
                "{{Word}}{{#Example}} e.g. {{Example}}{{/Example}}{{^Example}} (none){{/Example}}",
                "{{FrontSide}}",
            )],
        );
        assert_eq!(card(&t, &["Baum", "alt"], 0).0, "Baum e.g. alt");
        assert_eq!(card(&t, &["Baum", "<br>"], 0).0, "Baum (none)");
    }

    #[test]
    fn type_hint_and_text_filters() {
        let t = note_type(
            false,
            &["Front", "Back"],
            &[(
                "{{Front}} {{type:Back}}{{hint:Back}}",
                "{{text:Front}}<hr id=answer>{{type:Back}}",
            )],
        );
        assert_eq!(
            card(&t, &["<b>Q</b>", "A"], 0),
            ("<b>Q</b> [hint: A]".into(), "A".into())
        );
    }

    #[test]
    fn cloze_cards_hide_their_own_deletions_with_hints() {
        let t = note_type(
            true,
            &["Text", "Back Extra"],
            &[("{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
        );
        let text = "{{c1::Paris}} is the capital of {{c2::France::country}}, {{c1::yes}}.";
        assert_eq!(
            card(&t, &[text, "Since 508."], 0),
            (
                "[...] is the capital of France, [...].".into(),
                "Paris, yes<br>\nSince 508.".into()
            )
        );
        assert_eq!(
            card(&t, &[text, ""], 1).0,
            "Paris is the capital of [country], yes."
        );
        assert_eq!(cloze_numbers(text), [1, 2]);
    }

    #[test]
    fn nested_and_broken_cloze_text() {
        let text = "{{c1::outer {{c2::inner}} end}} and {{c3::open";
        assert_eq!(
            cloze(text, 2, Side::Question),
            "outer [...] end and {{c3::open"
        );
        assert_eq!(cloze(text, 1, Side::Answer), "outer inner end");
        assert_eq!(cloze_numbers(text), [1, 2]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::store::anki::Template;
    use proptest::prelude::*;

    proptest! {
        /// Templates and fields from a stranger's package never make rendering panic.
        #[test]
        fn any_template_and_fields_render_without_panicking(
            question in "(\\{\\{[#^/]?(cloze:|type:|hint:|text:)?(F|G|FrontSide)?\\}\\}|[a-zé<>:{} ]){0,12}",
            answer in "(\\{\\{[#^/]?(cloze:)?(F|G|FrontSide)\\}\\}|<hr id=answer>|[a-z: ]){0,12}",
            field in "(\\{\\{c[0-9]::|::|\\}\\}|[a-zé ]){0,16}",
            cloze in any::<bool>(),
            ord in 0u32..4,
        ) {
            let note_type = NoteType {
                name: "T".into(),
                cloze,
                fields: vec!["F".into(), "G".into()],
                templates: vec![Template { name: "C".into(), question, answer }],
                css: String::new(),
            };
            let context = CardContext { ord, ..CardContext::default() };
            let _ = render(&note_type, &[field.clone(), field.clone()], &context);
            let _ = cloze_numbers(&field);
        }
    }
}
