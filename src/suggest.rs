//! "Did you mean …?" for misspelt names (deck fields, config keys, card ids).

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(1) + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_transposition_is_recognised_and_nonsense_is_not() {
        assert_eq!(super::nearest("fornt", &["front", "back"]), Some("front"));
        assert_eq!(super::nearest("zzzzzz", &["front", "back"]), None);
    }
}
