//! Turning untrusted card text into something safe to print, and fitting it to the width.
//!
//! Deck files come from strangers. Every control character (C0 except newline and tab, DEL,
//! and C1) is replaced by a visible stand-in before any text reaches a terminal, so escape
//! sequences — clear screen, cursor moves, window titles, OSC 52 clipboard writes, bells,
//! backspace tricks — are shown, never executed.

/// `text` with every control character made visible and inert: ESC becomes `␛`, other C0
/// controls their Unicode "control picture" (`␇` for BEL), DEL `␡`, C1 controls `<U+009B>`.
/// Tabs become four spaces; newlines are kept.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => {}
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push_str(&format!("<U+{:04X}>", c as u32)),
            // Bidirectional overrides can reorder what is shown; show them, do not obey them.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Wraps already-inert text to `width` columns (at least 10), keeping paragraph breaks.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    text.split('\n')
        .flat_map(|line| {
            if line.trim().is_empty() {
                vec![String::new()]
            } else {
                textwrap::wrap(line, width)
                    .into_iter()
                    .map(std::borrow::Cow::into_owned)
                    .collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_executed() {
        let hostile = "a\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}b\u{8}\u{9b}31m\u{7f}";
        let shown = inert(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(shown, "a␛[2J␛]52;c;ZXZpbA==␇b␈<U+009B>31m␡");
    }

    #[test]
    fn newlines_survive_and_tabs_become_spaces() {
        assert_eq!(inert("a\r\n\tb"), "a\n    b");
    }

    #[test]
    fn wrapping_respects_width_and_blank_lines() {
        let lines = wrap("one two three four five six\n\nseven", 10);
        assert_eq!(lines, ["one two", "three four", "five six", "", "seven"]);
    }
}
