//! Card blocks inside the guide: a blockquote whose first line is `**Q:**` (question, followed
//! by `**A:**`), `**C:**` (cloze) or `**List:**` (list cloze: an ordered set, one overlapping
//! card per item), and optionally `**Tags:**`, `**Level:**`, `**Id:**`.
//! Each field starts a line; the lines after it (up to the next field) continue it, and a blank
//! line inside a field is a paragraph break. The plain forms `Q:`, `A:` … are accepted too.

use crate::types::Level;

const FIELDS: &[&str] = &["Q", "A", "C", "List", "Tags", "Level", "Id"];
/// The fields a misspelt bold label is matched against. `List` is left out: it is too close to
/// labels that answers use as text (`**Risk:**`).
const SUGGESTED: &[&str] = &["Q", "A", "C", "Tags", "Level", "Id"];

/// A card block as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub body: Body,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    /// A pinned id (`**Id:**`), which keeps the card's history when its question is reworded.
    pub id: Option<String>,
    /// 1-based guide line of the block's first field.
    pub line: usize,
    /// 1-based guide line of the answer (or cloze text), for lints.
    pub answer_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Question {
        front: String,
        back: String,
    },
    Cloze {
        text: String,
    },
    /// A cloze over the items of a set: each card shows only the items just before its blank.
    List {
        text: String,
    },
}

/// A malformed block: the guide line and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    pub line: usize,
    pub message: String,
    pub hint: String,
}

/// Splits `**Name:** rest` (or `Name: rest`) into the field name and the rest.
fn field(line: &str) -> Option<(&str, &str)> {
    let (name, rest) = if let Some(after) = line.strip_prefix("**") {
        let (name, rest) = after.split_once(":**")?;
        (name, rest)
    } else {
        let (name, rest) = line.split_once(':')?;
        if !FIELDS.contains(&name) {
            return None;
        }
        (name, rest)
    };
    let name = name.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())).then(|| (name, rest.trim()))
}

/// Parses a blockquote's source lines (with their `>` markers). `first_line` is the guide line
/// of the first of them. `Ok(None)` means an ordinary quote, not a card.
pub fn parse(source: &str, first_line: usize) -> Result<Option<Block>, BlockError> {
    let lines: Vec<(usize, String)> = source
        .lines()
        .enumerate()
        .map(|(i, raw)| {
            let trimmed = raw.trim_start();
            let unquoted = trimmed.strip_prefix('>').unwrap_or(trimmed);
            let unquoted = unquoted.strip_prefix(' ').unwrap_or(unquoted);
            (first_line + i, unquoted.trim_end().to_string())
        })
        .collect();
    let Some((start_line, first)) = lines.iter().find(|(_, l)| !l.is_empty()) else {
        return Ok(None);
    };
    match field(first) {
        Some(("Q" | "C" | "List", _)) => {}
        _ => return Ok(None),
    }

    let fields = gather(&lines)?;
    build(&fields, *start_line).map(Some)
}

/// Fields in order: `(name, line, text)`, continuation lines folded in.
fn gather(lines: &[(usize, String)]) -> Result<Vec<(String, usize, String)>, BlockError> {
    let mut fields: Vec<(String, usize, String)> = Vec::new();
    for (line, text) in lines {
        let marker = field(text).filter(|(name, _)| {
            // A bold label that is no field and resembles none (`**Risk:** …`) is answer text.
            FIELDS.contains(name) || crate::suggest::nearest(name, SUGGESTED).is_some()
        });
        if let Some((name, rest)) = marker {
            if !FIELDS.contains(&name) {
                let near = crate::suggest::nearest(name, SUGGESTED).unwrap_or("Q");
                return Err(BlockError {
                    line: *line,
                    message: format!("unknown field `{name}` in a card block"),
                    hint: format!(
                        "did you mean `**{near}:**`? Fields are Q, A, C, List, Tags, Level, Id"
                    ),
                });
            }
            if fields.iter().any(|(n, _, _)| n == name) {
                return Err(BlockError {
                    line: *line,
                    message: format!("`{name}` given twice in one card block"),
                    hint: "start a new blockquote for the next card (a blank line without `>` ends a blockquote)".into(),
                });
            }
            fields.push((name.to_string(), *line, rest.to_string()));
        } else if let Some((_, _, value)) = fields.last_mut() {
            // A continuation line; a blank line is a paragraph break.
            if text.is_empty() {
                if !value.is_empty() && !value.ends_with("\n\n") {
                    value.push_str("\n\n");
                }
            } else {
                if !value.is_empty() && !value.ends_with('\n') {
                    value.push(' ');
                }
                value.push_str(text);
            }
        }
    }
    Ok(fields)
}

/// Checks the fields and builds the block; `start_line` is where the block begins.
fn build(fields: &[(String, usize, String)], start_line: usize) -> Result<Block, BlockError> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, line, value)| (*line, value.trim().to_string()))
    };

    let cloze = match (get("C"), get("List")) {
        (Some(_), Some(_)) => {
            return Err(BlockError {
                line: start_line,
                message: "a card block is either a cloze (`C`) or a list (`List`), not both".into(),
                hint: "split it into two blockquotes".into(),
            });
        }
        (Some((line, text)), None) => Some((line, Body::Cloze { text })),
        (None, Some((line, text))) => Some((line, Body::List { text })),
        (None, None) => None,
    };
    let body = match (get("Q"), get("A"), cloze) {
        (Some((_, front)), Some((answer_line, back)), None) => {
            if front.is_empty() {
                return Err(BlockError {
                    line: start_line,
                    message: "card block has an empty question".into(),
                    hint: "write the question after `**Q:**`".into(),
                });
            }
            (Body::Question { front, back }, answer_line)
        }
        (Some(_), None, None) => {
            return Err(BlockError {
                line: start_line,
                message: "question without an answer".into(),
                hint: "add a line `> **A:** ...` to the same blockquote".into(),
            });
        }
        (None, None, Some((line, body))) => (body, line),
        (None, Some(_), Some(_)) | (Some(_), _, Some(_)) => {
            return Err(BlockError {
                line: start_line,
                message:
                    "a card block is either a question (`Q` and `A`) or a cloze (`C`, `List`), not both"
                        .into(),
                hint: "split it into two blockquotes".into(),
            });
        }
        (None, _, None) => unreachable_first_field(start_line)?,
    };
    let (body, answer_line) = body;

    let tags = match get("Tags") {
        None => Vec::new(),
        Some((line, value)) => {
            let tags: Vec<String> = value
                .split(',')
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            if let Some(bad) = tags.iter().find(|t| t.chars().any(char::is_whitespace)) {
                return Err(BlockError {
                    line,
                    message: format!("tag `{bad}` contains spaces"),
                    hint:
                        "join words with hyphens, e.g. `message-queues`; separate tags with commas"
                            .into(),
                });
            }
            tags
        }
    };
    let level = match get("Level") {
        None => None,
        Some((line, value)) => Some(value.parse::<Level>().map_err(|message| BlockError {
            line,
            message,
            hint: "write `**Level:** junior`, `senior` or `principal`".into(),
        })?),
    };
    let id = match get("Id") {
        None => None,
        Some((line, value)) => {
            if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(BlockError {
                    line,
                    message: format!("`{value}` is not a usable card id"),
                    hint: "use letters, digits and `-`, with no spaces".into(),
                });
            }
            Some(value)
        }
    };
    Ok(Block {
        body,
        tags,
        level,
        id,
        line: start_line,
        answer_line,
    })
}

/// The first field was checked to be `Q` or `C`, so this cannot happen; kept as an error
/// rather than a panic all the same.
fn unreachable_first_field(line: usize) -> Result<(Body, usize), BlockError> {
    Err(BlockError {
        line,
        message: "card block has neither a question nor a cloze text".into(),
        hint: "start it with `> **Q:**`, `> **C:**` or `> **List:**`".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_block_with_all_fields() {
        let source = "> **Q:** What is X?\n>\n> **A:** It is Y,\n> really.\n>\n> more.\n>\n> **Tags:** a, Big-Tag\n> **Level:** senior\n";
        let block = parse(source, 10).unwrap().unwrap();
        assert_eq!(
            block.body,
            Body::Question {
                front: "What is X?".into(),
                back: "It is Y, really.\n\nmore.".into()
            }
        );
        assert_eq!(block.tags, ["a", "big-tag"]);
        assert_eq!(block.level, Some(Level::Senior));
        assert_eq!((block.line, block.answer_line), (10, 12));
    }

    #[test]
    fn plain_markers_and_cloze_blocks_work_too() {
        let block = parse("> C: The {{answer}} here\n> Tags: t", 1)
            .unwrap()
            .unwrap();
        assert_eq!(
            block.body,
            Body::Cloze {
                text: "The {{answer}} here".into()
            }
        );
    }

    #[test]
    fn a_list_block_is_a_list_cloze() {
        let block = parse(
            "> **List:** Steps: {{add}}, {{copy}}, {{drop}}.\n> **Tags:** t",
            1,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            block.body,
            Body::List {
                text: "Steps: {{add}}, {{copy}}, {{drop}}.".into()
            }
        );
    }

    #[test]
    fn an_ordinary_quote_is_not_a_card() {
        assert_eq!(parse("> Quoting someone: wise words.", 1).unwrap(), None);
    }

    #[test]
    fn a_question_without_an_answer_is_an_error_at_its_line() {
        let err = parse("> **Q:** Lonely?\n>\n> **Tags:** x", 7).unwrap_err();
        assert_eq!(err.line, 7);
        assert_eq!(err.message, "question without an answer");
    }

    #[test]
    fn a_misspelt_field_suggests_the_right_one() {
        let err = parse("> **Q:** X?\n> **A:** Y.\n> **Tag:** z", 1).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.hint.contains("did you mean `**Tags:**`?"),
            "{}",
            err.hint
        );
    }

    #[test]
    fn a_bold_label_inside_an_answer_is_text() {
        let block = parse("> **Q:** X?\n> **A:** Y.\n> **Risk:** stale reads.", 1)
            .unwrap()
            .unwrap();
        assert_eq!(
            block.body,
            Body::Question {
                front: "X?".into(),
                back: "Y. **Risk:** stale reads.".into()
            }
        );
    }

    #[test]
    fn a_bad_level_is_an_error() {
        let err = parse("> **Q:** X?\n> **A:** Y.\n> **Level:** guru", 1).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("not a level"));
    }
}
