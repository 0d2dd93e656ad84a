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
            // Bidirectional controls can reorder what is shown, and the line and paragraph
            // separators break lines where no newline is: show them, do not obey them.
            c if is_format_control(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Characters that steer how text is laid out without being seen: bidirectional embeddings,
/// overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and the
/// Unicode line and paragraph separators (U+2028, U+2029).
fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Serialised JSON made safe to print: C1 controls and the layout controls [`inert`] shows
/// as symbols are written as `\uXXXX` escapes (JSON allows them only inside strings, where an
/// escape means the same character), so a terminal showing `--json` output obeys none of them.
/// `serde_json` already escapes C0 controls.
pub fn json_escaped(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{7f}' || is_format_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A writer that passes text on made [`inert`], for streaming untrusted text to a terminal.
/// Text may arrive split anywhere, even inside a character: a split character waits for the
/// rest of its bytes. Bytes that are not UTF-8 are shown as `�`.
pub struct InertWriter<W: std::io::Write> {
    out: W,
    /// The start of a character whose remaining bytes have not arrived yet.
    pending: Vec<u8>,
}

impl<W: std::io::Write> InertWriter<W> {
    pub fn new(out: W) -> InertWriter<W> {
        InertWriter {
            out,
            pending: Vec::new(),
        }
    }
}

impl<W: std::io::Write> std::io::Write for InertWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let complete = match std::str::from_utf8(&self.pending) {
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            _ => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..complete]);
        self.out.write_all(inert(&text).as_bytes())?;
        self.pending.drain(..complete);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
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

/// "1 card", "3 cards": `count` with `noun`, plural unless the count is one.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Wraps a report line of already-inert text to `width` columns at word boundaries; lines
/// after the first are indented by `indent` spaces more than the first line's own indent.
/// A word longer than the width (a long card id, say) is left whole on a line of its own:
/// broken, it could not be copied.
pub fn wrap_hanging(line: &str, width: usize, indent: usize) -> Vec<String> {
    let lead = line.len() - line.trim_start().len();
    let rest = " ".repeat(lead + indent);
    // Card ids are hyphenated: breaking at hyphens would break the id `unsuspend` needs.
    let options = textwrap::Options::new(width.max(10))
        .initial_indent(&line[..lead])
        .subsequent_indent(&rest)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(line.trim_start(), options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

/// Key help that fits `width`: the keys, separated by ` · `, on as many lines as they need,
/// each line as full as it can be. A key is never cut; one wider than the whole width gets a
/// line of its own and is cut with `…` only then.
pub fn wrap_keys(keys: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for key in keys.split(" · ") {
        if line.is_empty() {
            line = key.to_string();
        } else if line.width() + 3 + key.width() <= width {
            line.push_str(" · ");
            line.push_str(key);
        } else {
            lines.push(std::mem::take(&mut line));
            line = key.to_string();
        }
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| {
            if l.width() <= width {
                return l;
            }
            let mut cut = String::new();
            for c in l.chars() {
                if cut.width() + 2 > width {
                    break;
                }
                cut.push(c);
            }
            cut.push('…');
            cut
        })
        .collect()
}

/// Rows of cells laid out in columns as wide as their widest cell (in terminal columns, so
/// wide characters count double), separated by `gap`; the columns `right` names are aligned
/// right. No trailing spaces. Cells must already be inert.
pub fn columns(rows: &[Vec<String>], right: &[usize], gap: &str) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    line.push_str(gap);
                }
                let pad = " ".repeat(widths[c].saturating_sub(cell.width()));
                if right.contains(&c) {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let rows = vec![
            vec!["id".to_string(), "n".to_string(), "name".to_string()],
            vec![
                "a-very-long-card-id".to_string(),
                "12".to_string(),
                "x".to_string(),
            ],
            vec!["日本".to_string(), "3".to_string(), "y".to_string()],
        ];
        assert_eq!(
            columns(&rows, &[1], "  "),
            [
                "id                    n  name",
                "a-very-long-card-id  12  x",
                "日本                  3  y",
            ]
        );
    }

    #[test]
    fn plurals_agree_with_their_count() {
        assert_eq!(plural(1, "card"), "1 card");
        assert_eq!(plural(0, "card"), "0 cards");
        assert_eq!(plural(2, "day"), "2 days");
    }

    #[test]
    fn report_lines_wrap_at_words_with_a_hanging_indent() {
        let lines = wrap_hanging("  Slowest: idempotency keys and retries (12 s)", 20, 2);
        assert_eq!(
            lines,
            [
                "  Slowest:",
                "    idempotency keys",
                "    and retries (12",
                "    s)"
            ]
        );
        for line in &lines {
            assert!(line.len() <= 20, "{line:?}");
        }
    }

    #[test]
    fn a_word_longer_than_the_width_is_kept_whole() {
        let id = "messaging-point-to-point-queue-vs-976e65";
        let lines = wrap_hanging(&format!("  study: {id}"), 30, 2);
        assert_eq!(lines, ["  study:".to_string(), format!("    {id}")]);
    }

    #[test]
    fn keys_wrap_between_keys_and_are_never_cut() {
        let keys = "1 Again · 2 Hard · 3 Good · 4 Easy · s skip · q quit";
        let lines = wrap_keys(keys, 20);
        assert_eq!(
            lines,
            ["1 Again · 2 Hard", "3 Good · 4 Easy", "s skip · q quit"]
        );
        assert_eq!(wrap_keys(keys, 80), [keys]);
    }

    #[test]
    fn streamed_text_is_made_inert_even_when_split_inside_a_character() {
        use std::io::Write;
        let text = "caf\u{e9} \u{1b}[2J\tdone\n";
        let mut out = InertWriter::new(Vec::new());
        for byte in text.as_bytes() {
            out.write_all(std::slice::from_ref(byte)).unwrap();
        }
        assert_eq!(String::from_utf8(out.out).unwrap(), inert(text));
    }

    #[test]
    fn line_separators_and_bidi_marks_are_shown_as_symbols() {
        assert_eq!(
            inert("a\u{2028}b\u{200f}c\u{061c}d\u{2029}"),
            "a<U+2028>b<U+200F>c<U+061C>d<U+2029>"
        );
    }

    #[test]
    fn json_output_escapes_c1_and_bidi_controls_and_stays_the_same_json() {
        let value = serde_json::json!({ "front": "x\u{9b}31m\u{202e}y\u{2028}" });
        let text = json_escaped(&serde_json::to_string(&value).unwrap());
        assert_eq!(text, r#"{"front":"x\u009b31m\u202ey\u2028"}"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

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
