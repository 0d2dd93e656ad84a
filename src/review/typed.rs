//! Typed-answer mode: compare what the learner typed with the expected answer, word by word,
//! ignoring case, punctuation and extra whitespace, and suggest a grade.

use similar::{Algorithm, DiffTag, capture_diff_slices};

use crate::types::Grade;

/// One word of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// In both.
    Same(String),
    /// In the expected answer, not typed.
    Missing(String),
    /// Typed, not in the expected answer.
    Extra(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub words: Vec<Word>,
    /// Share of the expected words that were typed, 0.0-1.0.
    pub score: f64,
    pub suggested: Grade,
}

/// Shares of expected words at or above which Good and Hard are suggested.
const GOOD_FROM: f64 = 0.9;
const HARD_FROM: f64 = 0.5;

fn words(text: &str) -> Vec<(String, &str)> {
    text.split_whitespace()
        .map(|w| {
            let key: String = w
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            (key, w)
        })
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// Compares `typed` with `expected`. Suggests Good when at least 90% of the expected words were
/// typed, Hard from 50%, Again below; Easy is left for the learner to claim.
pub fn compare(typed: &str, expected: &str) -> Comparison {
    let typed = words(typed);
    let expected = words(expected);
    let typed_keys: Vec<&str> = typed.iter().map(|(k, _)| k.as_str()).collect();
    let expected_keys: Vec<&str> = expected.iter().map(|(k, _)| k.as_str()).collect();
    let mut out = Vec::new();
    let mut matched = 0usize;
    for op in capture_diff_slices(Algorithm::Myers, &typed_keys, &expected_keys) {
        let (tag, old, new) = op.as_tag_tuple();
        let extra = || {
            typed[old.clone()]
                .iter()
                .map(|(_, w)| Word::Extra((*w).to_string()))
        };
        let missing = || {
            expected[new.clone()]
                .iter()
                .map(|(_, w)| Word::Missing((*w).to_string()))
        };
        match tag {
            DiffTag::Equal => {
                matched += new.len();
                out.extend(
                    expected[new.clone()]
                        .iter()
                        .map(|(_, w)| Word::Same((*w).to_string())),
                );
            }
            DiffTag::Delete => out.extend(extra()),
            DiffTag::Insert => out.extend(missing()),
            DiffTag::Replace => {
                out.extend(extra());
                out.extend(missing());
            }
        }
    }
    let score = if expected.is_empty() {
        1.0
    } else {
        matched as f64 / expected.len() as f64
    };
    let suggested = if score >= GOOD_FROM {
        Grade::GOOD
    } else if score >= HARD_FROM {
        Grade::HARD
    } else {
        Grade::AGAIN
    };
    Comparison {
        words: out,
        score,
        suggested,
    }
}

impl Comparison {
    /// The comparison as plain text: missing words as `[+word]`, extra typed words as `[-word]`.
    pub fn marked(&self) -> String {
        self.words
            .iter()
            .map(|w| match w {
                Word::Same(w) => w.clone(),
                Word::Missing(w) => format!("[+{w}]"),
                Word::Extra(w) => format!("[-{w}]"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A grade's button name.
pub fn grade_name(grade: Grade) -> &'static str {
    match grade.value() {
        0..=2 => "Again",
        3 => "Hard",
        4 => "Good",
        _ => "Easy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_punctuation_and_spacing_do_not_count() {
        let c = compare("  the APP reads   the cache ", "The app reads the cache.");
        assert!((c.score - 1.0).abs() < f64::EPSILON);
        assert_eq!(c.suggested, Grade::GOOD);
        assert_eq!(c.marked(), "The app reads the cache.");
    }

    #[test]
    fn missing_and_extra_words_are_marked() {
        let c = compare("the app writes the cache", "the app reads the cache");
        assert_eq!(c.marked(), "the app [-writes] [+reads] the cache");
        assert!((c.score - 0.8).abs() < 1e-9);
        assert_eq!(c.suggested, Grade::HARD);
    }

    #[test]
    fn little_or_nothing_right_suggests_again() {
        assert_eq!(compare("", "a b c").suggested, Grade::AGAIN);
        assert_eq!(compare("x y z", "a b c d").suggested, Grade::AGAIN);
    }
}
