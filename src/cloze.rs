//! Cloze deletions: `{{hidden words}}` (optionally `{{hidden words::hint}}`) in a text. Each
//! deletion becomes its own card that shows the text with that one deletion blanked and the
//! others in plain view (overlapping cloze), as Wozniak's rules recommend for lists and sets.

/// The most text one cloze text may expand to, in bytes: each deletion makes a card that
/// repeats the whole text, so 5,000 deletions in a 30 KB text would make 150 MB of cards (and
/// a deck file's 32 MiB of them, terabytes). Real cloze texts make a few kilobytes.
pub const MAX_EXPANDED: usize = 64 * 1024 * 1024;

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
        if let Some(stray) = text[rest..open].find("}}") {
            return Err(ClozeError {
                offset: rest + stray,
                message: "`}}` without a matching `{{`".into(),
            });
        }
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

/// Refuses a text whose cards would together pass [`MAX_EXPANDED`].
fn check_expansion(text: &str, found: &[Deletion]) -> Result<(), ClozeError> {
    let size = found.len().saturating_mul(text.len());
    if size > MAX_EXPANDED {
        return Err(ClozeError {
            offset: 0,
            message: format!(
                "{} deletions in {} bytes would make {} MiB of cards, over the limit of {} MiB: split the text",
                found.len(),
                text.len(),
                size / (1024 * 1024),
                MAX_EXPANDED / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

/// For each deletion, how many deletions of the same words come before it: counted in one
/// pass (each deletion counted those before it again, quadratic in their number).
fn occurrences(found: &[Deletion]) -> Vec<usize> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    found
        .iter()
        .map(|d| {
            let count = seen.entry(d.answer.as_str()).or_default();
            *count += 1;
            *count - 1
        })
        .collect()
}

/// The text with every deletion shown as plain words (what the card is about, for ids).
pub fn plain(text: &str) -> Result<String, ClozeError> {
    let found = deletions(text)?;
    Ok(render(text, &found, None))
}

fn render(text: &str, found: &[Deletion], blank: Option<usize>) -> String {
    render_shown(text, found, blank, |_| true)
}

/// Renders `text` with deletion `blank` as `[...]` (or `[hint]`), the deletions for which
/// `shown` holds as their words, and every other deletion as `…`.
fn render_shown(
    text: &str,
    found: &[Deletion],
    blank: Option<usize>,
    shown: impl Fn(usize) -> bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (i, d) in found.iter().enumerate() {
        out.push_str(&text[at..d.start]);
        if Some(i) == blank {
            out.push('[');
            out.push_str(d.hint.as_deref().unwrap_or("..."));
            out.push(']');
        } else if shown(i) {
            out.push_str(&d.answer);
        } else {
            out.push('…');
        }
        at = d.end;
    }
    out.push_str(&text[at..]);
    out
}

/// How many deletions before the blank a list cloze shows (see [`expand_list`]).
pub const LIST_CONTEXT: usize = 2;

/// One card per deletion of a list (an ordered set such as the steps of a migration): the
/// text before the first deletion (the lead-in) stays, the [`LIST_CONTEXT`] deletions just
/// before the blank are shown as context, and every other deletion is hidden as `…`. Unlike
/// [`expand`], no card shows the whole set, so no card can be answered by elimination
/// (Wozniak's overlapping cloze for enumerations). Ids and occurrences are as for [`expand`].
pub fn expand_list(text: &str) -> Result<Vec<ClozeCard>, ClozeError> {
    let found = deletions(text)?;
    if found.is_empty() {
        return Err(ClozeError {
            offset: 0,
            message: "list text has no deletion: mark each item as {{like this}}".into(),
        });
    }
    check_expansion(text, &found)?;
    Ok(found
        .iter()
        .zip(occurrences(&found))
        .enumerate()
        .map(|(i, (d, occurrence))| ClozeCard {
            answer: d.answer.clone(),
            front: render_shown(text, &found, Some(i), |k| k < i && k + LIST_CONTEXT >= i),
            occurrence,
        })
        .collect())
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
    check_expansion(text, &found)?;
    Ok(found
        .iter()
        .zip(occurrences(&found))
        .enumerate()
        .map(|(i, (d, occurrence))| ClozeCard {
            answer: d.answer.clone(),
            front: render(text, &found, Some(i)),
            occurrence,
        })
        .collect())
}

/// A cloze card of a deck file as a whole: its `id`, its text, and the cards it makes (in
/// deletion order: each card's id, front and back). Exports write it back as one cloze (one
/// `[[card]]` with `cloze =`, one Anki Cloze note) when all of its cards go, unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClozeNote {
    pub id: String,
    pub text: String,
    pub cards: Vec<(crate::types::CardId, String, String)>,
}

impl ClozeNote {
    /// The note of cloze `text` under `id` (cards `<id>-<hidden words>`, see
    /// [`crate::ids::pinned_cloze`]).
    pub fn new(id: &str, text: &str) -> Result<ClozeNote, ClozeError> {
        let cards = expand(text)?
            .into_iter()
            .map(|card| {
                let id = crate::types::CardId(crate::ids::pinned_cloze(id, &card));
                (id, card.front, card.answer)
            })
            .collect();
        Ok(ClozeNote {
            id: id.to_string(),
            text: text.to_string(),
            cards,
        })
    }

    /// Whether card `index` of the note still reads `front` / `back` (a card given other
    /// text, by an override say, no longer belongs to the note as written).
    pub fn has(&self, index: usize, front: &str, back: &str) -> bool {
        self.cards
            .get(index)
            .is_some_and(|(_, f, b)| f == front && b == back)
    }
}

/// One card of a [`ClozeNote`]: the note, and which deletion the card is (0 for the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClozeMember {
    pub note: std::sync::Arc<ClozeNote>,
    pub index: usize,
}

/// The members of `note`, by card id.
pub fn members(note: ClozeNote) -> impl Iterator<Item = (crate::types::CardId, ClozeMember)> {
    let note = std::sync::Arc::new(note);
    (0..note.cards.len()).map(move |index| {
        (
            note.cards[index].0.clone(),
            ClozeMember {
                note: note.clone(),
                index,
            },
        )
    })
}

/// The text in Anki's cloze syntax: deletion `n` (from 1) as `{{cn::words}}` (and
/// `{{cn::words::hint}}`), one number per deletion, as recall's cards are one per deletion.
pub fn to_anki(text: &str) -> Result<String, ClozeError> {
    let found = deletions(text)?;
    let mut out = String::with_capacity(text.len() + 5 * found.len());
    let mut at = 0;
    for (n, d) in found.iter().enumerate() {
        out.push_str(&text[at..d.start]);
        out.push_str(&format!("{{{{c{}::", n + 1));
        out.push_str(&text[d.start + 2..d.end]);
        at = d.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// recall's cloze text for a text in Anki's syntax that [`to_anki`] could have written:
/// deletions numbered 1, 2, 3… in order, each number once, none nested; `None` for any
/// other (a note edited in Anki to hide two places on one card, say), which recall's one
/// card per deletion cannot hold.
pub fn from_anki(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut number = 0u32;
    while let Some(open) = rest.find("{{") {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let after = after.strip_prefix("{{c")?;
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        number += 1;
        if after[..digits].parse::<u32>().ok()? != number {
            return None;
        }
        let inner_and_rest = after[digits..].strip_prefix("::")?;
        let close = inner_and_rest.find("}}")?;
        let inner = &inner_and_rest[..close];
        if inner.contains("{{") {
            return None;
        }
        out.push_str("{{");
        out.push_str(inner);
        out.push_str("}}");
        rest = &inner_and_rest[close + 2..];
    }
    out.push_str(rest);
    // What recall would refuse (no deletion, an empty one, a stray `}}` at the end) is not
    // recall's.
    expand(&out).ok().map(|_| out)
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
    fn a_list_card_shows_the_lead_in_and_only_the_two_items_before_its_blank() {
        let cards = expand_list("Steps: {{add}}, {{copy}}, {{switch}}, {{drop}}.").unwrap();
        let fronts: Vec<&str> = cards.iter().map(|c| c.front.as_str()).collect();
        assert_eq!(
            fronts,
            [
                "Steps: [...], …, …, ….",
                "Steps: add, [...], …, ….",
                "Steps: add, copy, [...], ….",
                "Steps: …, copy, switch, [...].",
            ]
        );
        assert_eq!(cards[3].answer, "drop");
        // The same words make the same cards as an ordinary cloze, so ids carry over.
        let plain: Vec<(String, usize)> = expand("Steps: {{add}}, {{copy}}, {{switch}}, {{drop}}.")
            .unwrap()
            .into_iter()
            .map(|c| (c.answer, c.occurrence))
            .collect();
        let listed: Vec<(String, usize)> = cards
            .into_iter()
            .map(|c| (c.answer, c.occurrence))
            .collect();
        assert_eq!(plain, listed);
    }

    #[test]
    fn a_text_whose_cards_would_pass_the_limit_is_refused() {
        // 4,000 deletions in 36 KB made 4,000 cards of 36 KB each (144 MB); in a 32 MiB deck
        // file, terabytes. The parse is linear; the cards it would make are refused.
        let text = "{{word}} ".repeat(4_000);
        let refused = expand(&text).unwrap_err();
        assert_eq!(
            refused.message,
            "4000 deletions in 36000 bytes would make 137 MiB of cards, over the limit of 64 MiB: split the text"
        );
        assert_eq!(expand_list(&text).unwrap_err(), refused);
        // Under it, each card still knows which occurrence of its words it hides.
        let cards = expand(&"{{word}} ".repeat(100)).unwrap();
        assert_eq!(cards.len(), 100);
        assert_eq!(cards[99].occurrence, 99);
    }

    #[test]
    fn plain_text_shows_every_deletion() {
        assert_eq!(plain("{{a::h}} b {{c}}").unwrap(), "a b c");
    }

    #[test]
    fn a_cloze_goes_to_anki_numbered_and_comes_back_the_same() {
        let text = "ACID: {{atomicity}}, {{ isolation ::I}} and {{atomicity}} again.";
        let anki = to_anki(text).unwrap();
        assert_eq!(
            anki,
            "ACID: {{c1::atomicity}}, {{c2:: isolation ::I}} and {{c3::atomicity}} again."
        );
        assert_eq!(from_anki(&anki).as_deref(), Some(text));
        // A stray `}}` is refused wherever it is, before a deletion as after the last.
        for text in ["a }} b {{c}}", "{{a}} }} b {{c}}", "{{c}} d }}"] {
            assert_eq!(
                expand(text).map(|_| ()),
                Err(ClozeError {
                    offset: text.find(" }}").unwrap() + 1,
                    message: "`}}` without a matching `{{`".into()
                }),
                "{text}"
            );
            assert_eq!(from_anki(&text.replace("{{", "{{c1::")), None, "{text}");
        }
    }

    #[test]
    fn anki_clozes_recall_cannot_hold_are_not_taken_for_its_own() {
        // Two places on one card, numbers out of order, a gap, nesting, no deletion, an empty one.
        for text in [
            "{{c1::a}} and {{c1::b}}",
            "{{c2::a}} {{c1::b}}",
            "{{c1::a}} {{c3::b}}",
            "{{c1::a {{c2::b}} }}",
            "no deletion",
            "{{c1::}}",
            "{{c1::a}} }} stray",
            "{{c1:a}}",
            "{{cx::a}}",
        ] {
            assert_eq!(from_anki(text), None, "{text}");
        }
    }

    #[test]
    fn a_cloze_note_names_its_cards_and_knows_an_edited_one() {
        let note = ClozeNote::new("acid", "ACID: {{atomicity}} and {{durability::D}}").unwrap();
        let ids: Vec<&str> = note.cards.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(ids, ["acid-atomicity", "acid-durability"]);
        assert!(note.has(1, "ACID: atomicity and [D]", "durability"));
        assert!(!note.has(1, "ACID: atomicity and [D]", "Durability"));
        assert!(!note.has(2, "ACID: atomicity and [D]", "durability"));
        let members: Vec<(String, usize)> = members(note).map(|(id, m)| (id.0, m.index)).collect();
        assert_eq!(
            members,
            [
                ("acid-atomicity".to_string(), 0),
                ("acid-durability".to_string(), 1)
            ]
        );
    }

    proptest::proptest! {
        /// Whatever the words, hints and text around them, a cloze written in Anki's syntax
        /// reads back as the same cloze.
        #[test]
        fn any_cloze_survives_the_trip_through_anki_syntax(
            parts in proptest::collection::vec(
                ("[^{]{0,12}", "[a-z0-9 ]{0,6}[a-z0-9][a-z0-9 :]{0,6}", proptest::option::of("[a-z ]{1,8}")),
                1..6,
            ),
            tail in "[^{]{0,12}",
        ) {
            let mut text = String::new();
            for (before, words, hint) in &parts {
                text.push_str(before);
                // `::` in the words would make a hint of what follows.
                let words = words.replace("::", ": ");
                match hint {
                    Some(hint) => text.push_str(&format!("{{{{{words}::{hint}}}}}")),
                    None => text.push_str(&format!("{{{{{words}}}}}")),
                }
            }
            text.push_str(&tail);
            proptest::prop_assume!(expand(&text).is_ok());
            let anki = to_anki(&text).unwrap();
            proptest::prop_assert_eq!(from_anki(&anki), Some(text));
        }
    }
}
