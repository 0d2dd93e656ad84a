//! A card added from the command line (`recall add`): read from `Q:`/`A:` lines, and written
//! as a `[[card]]` table appended to a deck file whose other text is kept byte for byte.

use serde::Serialize;

use crate::types::Level;

/// A card to add, before it is checked against the loaded decks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    pub id: String,
    pub front: String,
    pub back: String,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    /// Written with `override = true`: your version of a card loaded from another deck (a
    /// bundled one), under its id.
    pub overrides: bool,
}

impl NewCard {
    /// A card whose id comes from its front (as a compiled question's does). Tags are
    /// lower-cased and trimmed; a tag with spaces is an error saying how to write it.
    pub fn new(
        front: &str,
        back: &str,
        tags: &[String],
        level: Option<Level>,
    ) -> Result<NewCard, String> {
        let (front, back) = (front.trim(), back.trim());
        if front.is_empty() {
            return Err(
                "the card's front is empty: write the question after `Q:` or --front".into(),
            );
        }
        if back.is_empty() {
            return Err("the card's back is empty: write the answer after `A:` or --back".into());
        }
        let mut cleaned = Vec::new();
        for tag in tags {
            let tag = tag.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if tag.chars().any(char::is_whitespace) {
                return Err(format!(
                    "tag `{tag}` contains spaces: join words with hyphens, e.g. `message-queues`"
                ));
            }
            if !cleaned.contains(&tag) {
                cleaned.push(tag);
            }
        }
        Ok(NewCard {
            id: crate::ids::question(front),
            front: front.to_string(),
            back: back.to_string(),
            tags: cleaned,
            level,
            overrides: false,
        })
    }

    /// Reads `Q:`, `A:`, `Tags:` and `Level:` lines (a line that starts no field continues the
    /// one before it). Errors name the line and how to fix it.
    pub fn from_fields(text: &str) -> Result<NewCard, String> {
        let mut fields: Vec<(&str, usize, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let field = ["Q", "A", "Tags", "Level"].into_iter().find_map(|name| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(|rest| (name, rest.trim()))
            });
            match (field, fields.last_mut()) {
                (Some((name, rest)), _) => {
                    if fields.is_empty() && name != "Q" {
                        return Err(format!(
                            "line {}: expected `Q:` first (then `A:`, and optional `Tags:` and `Level:`)",
                            i + 1
                        ));
                    }
                    if fields.iter().any(|(n, _, _)| *n == name) {
                        return Err(format!("line {}: `{name}:` given twice", i + 1));
                    }
                    fields.push((name, i + 1, rest.to_string()));
                }
                (None, Some((_, _, value))) => {
                    if !value.is_empty() {
                        value.push('\n');
                    }
                    value.push_str(line.trim_end());
                }
                (None, None) if line.trim().is_empty() => {}
                (None, None) => {
                    return Err(format!(
                        "line {}: expected `Q:` first (then `A:`, and optional `Tags:` and `Level:`)",
                        i + 1
                    ));
                }
            }
        }
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(_, _, v)| v.trim().to_string())
        };
        let (Some(front), Some(back)) = (get("Q"), get("A")) else {
            return Err("a card needs a `Q:` line and an `A:` line".into());
        };
        let tags: Vec<String> = get("Tags")
            .map(|t| t.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let level = get("Level")
            .filter(|l| !l.is_empty())
            .map(|l| l.parse::<Level>())
            .transpose()?;
        NewCard::new(&front, &back, &tags, level)
    }
}

#[derive(Serialize)]
struct Tables<'a> {
    card: [CardTable<'a>; 1],
}

#[derive(Serialize)]
struct CardTable<'a> {
    id: &'a str,
    #[serde(rename = "override", skip_serializing_if = "std::ops::Not::not")]
    overrides: bool,
    front: &'a str,
    back: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
}

/// The deck file `existing` (or, when `None`, a new deck with id `deck_id`) with `card`
/// appended as a `[[card]]` table, and the 1-based line of its `[[card]]` header. The existing
/// text is kept byte for byte.
///
/// # Errors
///
/// The card cannot be written as TOML (which the serializer reports for no text a card can
/// hold today; it is an error rather than an empty table if that ever changes).
pub fn append(
    existing: Option<&str>,
    deck_id: &str,
    card: &NewCard,
) -> Result<(String, usize), crate::error::Error> {
    let mut text = match existing {
        Some(text) => text.to_string(),
        None => format!(
            "[deck]\nid = {}\nname = \"My cards\"\ndescription = \"Cards added with `recall add`.\"\n",
            toml_string(deck_id)
        ),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    let line = text.lines().count() + 1;
    let table = Tables {
        card: [CardTable {
            id: &card.id,
            overrides: card.overrides,
            front: &card.front,
            back: &card.back,
            tags: &card.tags,
            level: card.level.map(Level::as_str),
        }],
    };
    let written = toml::to_string(&table).map_err(|e| {
        crate::error::Error::Usage(format!(
            "cannot write card `{}` as TOML: {e}; please report this",
            card.id
        ))
    })?;
    text.push_str(&written);
    Ok((text, line))
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_stdin_make_a_card_with_an_id_from_its_front() {
        let card = NewCard::from_fields(
            "Q: What is a WAL?\nA: A log written\nbefore the data pages.\nTags: Database, storage\nLevel: junior\n",
        )
        .unwrap();
        assert_eq!(card.front, "What is a WAL?");
        assert_eq!(card.back, "A log written\nbefore the data pages.");
        assert_eq!(card.tags, ["database", "storage"]);
        assert_eq!(card.level, Some(Level::Junior));
        assert_eq!(card.id, crate::ids::question("What is a WAL?"));
        assert!(
            NewCard::from_fields("A: no question")
                .unwrap_err()
                .contains("expected `Q:`")
        );
        assert!(
            NewCard::from_fields("Q: x?\nA: y\nTags: two words")
                .unwrap_err()
                .contains("hyphens")
        );
    }

    #[test]
    fn appending_keeps_the_file_and_the_result_parses() {
        let card = NewCard::new("What is a WAL?", "A log.", &["database".into()], None).unwrap();
        let (new, line) = append(None, "my-cards", &card).unwrap();
        let parsed = crate::deck::parse_deck("my-cards.toml", &new).unwrap();
        assert_eq!(parsed.cards[0].front, "What is a WAL?");
        assert_eq!(parsed.cards[0].location.line, line);
        assert!(parsed.overrides.is_empty());
        let existing = "# mine\n[deck]\nid = \"m\"\nname = \"M\"\n";
        let (again, line) = append(
            Some(existing),
            "m",
            &NewCard {
                overrides: true,
                ..card
            },
        )
        .unwrap();
        assert!(again.starts_with(existing));
        let parsed = crate::deck::parse_deck("m.toml", &again).unwrap();
        assert_eq!(parsed.cards.len(), 1);
        assert_eq!(parsed.cards[0].location.line, line);
        assert_eq!(parsed.overrides, [parsed.cards[0].id.clone()]);
    }
}
