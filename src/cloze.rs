//! Cloze deletions: `{{hidden words}}` (optionally `{{hidden words::hint}}`) in a text. Each
//! deletion becomes its own card that shows the text with that one deletion blanked and the
//! others in plain view (overlapping cloze), as Wozniak's rules recommend for lists and sets.

/// One card made from a cloze text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClozeCard {
    /// The hidden words.
    pub answer: String,
    /// The text with this deletion blanked as `[...]` (or `[hint]`) and the others shown.
    pub front: String,
    /// Distinguishes deletions of the same words in one text: 0 for the first, 1 for the next…
    pub occurrence: usize,
}

/// A malformed cloze text: what is wrong, at which byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClozeError {
    pub offset: usize,
    pub message: String,
}

struct Deletion {
    start: usize,
    end: usize,
    answer: String,
    hint: Option<String>,
}

fn deletions(text: &str) -> Result<Vec<Deletion>, ClozeError> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("{{").map(|i| i + rest) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            return Err(ClozeError {
                offset: open,
                message: "`{{` is never closed: end the hidden words with `}}`".into(),
            });
        };
        let inner = &text[open + 2..close];
        if inner.contains("{{") {
            return Err(ClozeError {
                offset: open,
                message: "cloze deletions cannot be nested".into(),
            });
        }
        let (answer, hint) = match inner.split_once("::") {
            Some((answer, hint)) => (answer.trim(), Some(hint.trim().to_string())),
            None => (inner.trim(), None),
        };
        if answer.is_empty() {
            return Err(ClozeError {
                offset: open,
                message: "empty cloze deletion `{{}}`: put the hidden words between the braces"
                    .into(),
            });
        }
        found.push(Deletion {
            start: open,
            end: close + 2,
            answer: answer.to_string(),
            hint,
        });
        rest = close + 2;
    }
    if let Some(stray) = text[rest..].find("}}") {
        return Err(ClozeError {
            offset: rest + stray,
            message: "`}}` without a matching `{{`".into(),
        });
    }
    Ok(found)
}

/// The text with every deletion shown as plain words (what the card is about, for ids).
pub fn plain(text: &str) -> Result<String, ClozeError> {
    let found = deletions(text)?;
    Ok(render(text, &found, None))
}

fn render(text: &str, found: &[Deletion], blank: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (i, d) in found.iter().enumerate() {
        out.push_str(&text[at..d.start]);
        if Some(i) == blank {
            out.push('[');
            out.push_str(d.hint.as_deref().unwrap_or("..."));
            out.push(']');
        } else {
            out.push_str(&d.answer);
        }
        at = d.end;
    }
    out.push_str(&text[at..]);
    out
}

/// One card per deletion. A text without deletions is an error: it would make no card.
pub fn expand(text: &str) -> Result<Vec<ClozeCard>, ClozeError> {
    let found = deletions(text)?;
    if found.is_empty() {
        return Err(ClozeError {
            offset: 0,
            message: "cloze text has no deletion: mark the hidden words as {{like this}}".into(),
        });
    }
    Ok(found
        .iter()
        .enumerate()
        .map(|(i, d)| ClozeCard {
            answer: d.answer.clone(),
            front: render(text, &found, Some(i)),
            occurrence: found[..i].iter().filter(|e| e.answer == d.answer).count(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deletion_is_its_own_card_with_the_others_shown() {
        let cards = expand("ACID: {{atomicity}}, consistency, {{isolation::the I}}.").unwrap();
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].front, "ACID: [...], consistency, isolation.");
        assert_eq!(cards[0].answer, "atomicity");
        assert_eq!(cards[1].front, "ACID: atomicity, consistency, [the I].");
        assert_eq!(cards[1].answer, "isolation");
    }

    #[test]
    fn the_same_words_hidden_twice_are_told_apart() {
        let cards = expand("{{a}} then {{a}}").unwrap();
        assert_eq!((cards[0].occurrence, cards[1].occurrence), (0, 1));
    }

    #[test]
    fn malformed_cloze_text_is_located() {
        assert_eq!(expand("x {{open").unwrap_err().offset, 2);
        assert!(
            expand("no deletion")
                .unwrap_err()
                .message
                .contains("no deletion")
        );
        assert!(expand("a {{ }} b").unwrap_err().message.contains("empty"));
        assert_eq!(expand("a }} b").unwrap_err().offset, 2);
    }

    #[test]
    fn plain_text_shows_every_deletion() {
        assert_eq!(plain("{{a::h}} b {{c}}").unwrap(), "a b c");
    }
}
