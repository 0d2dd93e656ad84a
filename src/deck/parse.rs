//! Parsing one deck file. The TOML is read into a spanned tree (not straight into structs) so
//! that every problem — syntax, unknown field, missing or empty text, duplicate id — is found in
//! one pass and reported with its own line and column.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Card, Deck, DeckFile, Location};
use crate::error::{LineIndex, Problem};
use crate::types::{CardId, DeckId, Level};

const DECK_FIELDS: &[&str] = &["id", "name", "description"];
const CARD_FIELDS: &[&str] = &["id", "front", "back", "cloze", "tags", "level", "source"];
const TOP_LEVEL: &[&str] = &["deck", "card"];

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
        match table.get(key) {
            None => {
                self.report(
                    table_span,
                    format!("{what} has no `{key}`"),
                    format!("add `{key} = \"...\"`"),
                );
                None
            }
            Some(value) => {
                let text = self.string(value, key, what)?;
                if text.trim().is_empty() {
                    self.report(
                        &value.span(),
                        format!("`{key}` of {what} is empty"),
                        format!("write the {key} text between the quotes"),
                    );
                    return None;
                }
                Some(text)
            }
        }
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
        if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.report(
                &table.get("id").map_or(span.clone(), Spanned::span),
                format!(
                    "id `{}` of {what} contains spaces or control characters",
                    id.escape_debug()
                ),
                "use letters, digits, `-`, `_`, `.`, `/` or `:`".to_string(),
            );
            return None;
        }
        Some(id)
    }
}

impl Checker<'_> {
    /// A cloze card's texts: `(id suffix, front, back)` per deletion. It may not also have
    /// `front` or `back`.
    fn cloze(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        what: &str,
    ) -> Option<Vec<(String, String, String)>> {
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
        match crate::cloze::expand(&text) {
            Ok(cards) => Some(
                cards
                    .iter()
                    .map(|card| {
                        let suffix = crate::ids::pinned_cloze("", card);
                        (suffix, card.front.clone(), card.answer.clone())
                    })
                    .collect(),
            ),
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

    /// Reads the `[[card]]` sections; a card with any problem is left out (and reported).
    fn cards(&mut self, value: Option<&Spanned<DeValue<'_>>>, deck: Option<&Deck>) -> Vec<Card> {
        let mut cards = Vec::new();
        let mut seen: HashMap<String, Location> = HashMap::new();
        let items = match value.map(|v| (v.span(), v.get_ref())) {
            None => return cards,
            Some((_, DeValue::Array(items))) => items,
            Some((span, _)) => {
                self.report(
                    &span,
                    "`card` must be a list of `[[card]]` sections".into(),
                    "write each card as a `[[card]]` section".to_string(),
                );
                return cards;
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
            let texts = if table.contains_key("cloze") {
                self.cloze(table, &span, &what)
            } else {
                let front = self.required_text(table, &span, "front", &what);
                let back = self.required_text(table, &span, "back", &what);
                front
                    .zip(back)
                    .map(|pair| vec![(String::new(), pair.0, pair.1)])
            };
            let tags = self.tags(table, &what);
            let level = self.level(table, &what);
            let source = self.optional_string(table, "source", &what);
            self.unknown_fields(table, CARD_FIELDS, "a card");
            let location = self.location(&span);
            let Some(id) = id else { continue };
            let (Some(texts), Some(deck)) = (texts, deck) else {
                continue;
            };
            for (suffix, front, back) in texts {
                let id = format!("{id}{suffix}");
                if let Some(first) = seen.get(&id) {
                    self.report(
                        &span,
                        format!("duplicate card id `{id}`: already defined at {first}"),
                        "give each card its own id".to_string(),
                    );
                    continue;
                }
                seen.insert(id.clone(), location.clone());
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
        }
        cards
    }
}

/// Parses a deck file's text. `path` is only used in messages. Returns every problem found.
pub fn parse_deck(path: &str, text: &str) -> Result<DeckFile, Vec<Problem>> {
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

    let cards = checker.cards(root.get("card"), deck.as_ref());
    match deck {
        Some(deck) if checker.problems.is_empty() => Ok(DeckFile { deck, cards }),
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
                "t.toml:8:1: unknown field `fornt` in a card (did you mean `front`? a card fields are: id, front, back, cloze, tags, level, source)"
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
