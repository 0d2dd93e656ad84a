//! Stable card ids, for cards compiled from a guide and cloze cards in deck files. An id is a readable slug plus a short hash of what identifies the card:
//!
//! | card | identified by | so its id changes when |
//! |---|---|---|
//! | question | the question text (case and spacing ignored) | the question is reworded |
//! | cloze | the whole sentence, the hidden words, and which occurrence | the sentence or those words change |
//! | enumeration | the list's lead-in and the item | the lead-in or the item is reworded |
//!
//! Nothing positional goes in: moving sections, reordering cards, adding cards, editing an
//! answer, changing tags or levels, or adding another deletion to a cloze sentence keep every
//! id. Pin an id with `> **Id:** my-id` to reword a question and keep its history.
//!
//! A cloze card in a deck file (`cloze = "..."` with its own `id`) gives one card per
//! deletion, with id `<id>-<hidden words>` ([`pinned_cloze`]).

use crate::cloze::ClozeCard;

/// Lower-case ASCII words of `text` joined by `-`, at most `max_words` words and 48 bytes.
pub fn slug(text: &str, max_words: usize) -> String {
    let mut out = String::new();
    // "Engineer's" is one word, not "engineer" and "s".
    let text = text.replace(['\'', '\u{2019}'], "");
    let words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(max_words);
    for word in words {
        if out.len() + word.len() + 1 > 48 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("card");
    }
    out
}

/// Case and whitespace folded, for comparing texts.
pub fn normalize(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex()[..6].to_string()
}

/// Whether `id` may be a card id: no spaces and no control characters (what a deck file and
/// every command line can carry as one word).
pub fn valid(id: &str) -> bool {
    !id.is_empty() && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Text with `%XX` escapes decoded (as card ids from Anki GUIDs and recall's Anki tags write
/// them); `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// What to do about an id that is not [`valid`].
pub const VALID_HINT: &str = "use letters, digits, `-`, `_`, `.`, `/` or `:`";

/// A card's id from its question: a slug of its first words and a hash of its text, so that
/// the same question gets the same id on every import.
pub fn question(front: &str) -> String {
    let key = normalize(front);
    format!("{}-{}", slug(front, 6), short_hash(&["q", &key]))
}

/// The id [`question`] gives when its short hash is taken by another question: the same
/// slug with 12 hex digits of the hash. Six digits are 24 bits, so among 100,000 questions
/// that share their first six words about 300 pairs collide.
pub fn question_long(front: &str) -> String {
    let key = normalize(front);
    let mut hasher = blake3::Hasher::new();
    for part in ["q", key.as_str()] {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    format!("{}-{}", slug(front, 6), &hasher.finalize().to_hex()[..12])
}

pub fn cloze(plain_text: &str, card: &ClozeCard) -> String {
    let occurrence = card.occurrence.to_string();
    format!(
        "{}-{}",
        slug(&card.answer, 4),
        short_hash(&[
            "cloze",
            &normalize(plain_text),
            &normalize(&card.answer),
            &occurrence
        ])
    )
}

/// A cloze deletion under a pinned block id: `<id>-<hidden words>` (and `-2`, `-3` … for the
/// same words hidden again).
pub fn pinned_cloze(pinned: &str, card: &ClozeCard) -> String {
    let mut id = format!("{pinned}-{}", slug(&card.answer, 4));
    if card.occurrence > 0 {
        id.push_str(&format!("-{}", card.occurrence + 1));
    }
    id
}

pub fn enumeration(lead: &str, item: &str) -> String {
    format!(
        "list-{}-{}",
        slug(item, 4),
        short_hash(&["list", &normalize(lead), &normalize(item)])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_readable_ascii() {
        assert_eq!(
            slug("Caching: what is cache-aside, and why?", 6),
            "caching-what-is-cache-aside-and"
        );
        assert_eq!(slug("¿?", 3), "card");
        assert_eq!(
            slug("Backend Engineer's Responsibilities", 8),
            "backend-engineers-responsibilities"
        );
    }

    #[test]
    fn a_long_question_id_extends_the_short_one() {
        let short = question("What is X?");
        let long = question_long("What is X?");
        assert!(
            long.starts_with(&short) && long.len() == short.len() + 6,
            "{long}"
        );
    }

    #[test]
    fn question_ids_ignore_case_and_spacing_but_not_wording() {
        assert_eq!(question("What is  X?"), question("what is x?"));
        assert_ne!(question("What is X?"), question("What is Y?"));
        assert!(question("What is X?").starts_with("what-is-x-"));
    }
}
