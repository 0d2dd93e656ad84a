//! HTML in shared decks. recall's cards are plain text: on import, HTML fields are turned into
//! text that keeps their meaning (blocks and `<br>` become line breaks, list items bullets,
//! table cells ` | ` with one row a line, `<pre>` keeps its layout and `<code>` its backticks,
//! images and sounds a visible `[image: NAME]` / `[sound: NAME]`, entities decoded); on export
//! to Anki, text is escaped and newlines become `<br>`.
//!
//! Every step looks at each byte a bounded number of times, so the time taken is linear in the
//! size of the field, whatever it holds (an 800 KB field of `&` took 25 s before). Nothing
//! recurses: open lists are an explicit stack, and list items deeper than
//! [`MAX_LIST_INDENT`] are indented as that depth, so the text written is linear too (each
//! item once wrote two spaces per open list: 20,000 nested `<ol><li>` took 1.57 GB).

/// The deepest list nesting that is shown by indentation; items of deeper lists are indented
/// as this depth. Real notes nest a few levels; two spaces a level keeps this within a line.
pub const MAX_LIST_INDENT: usize = 16;

/// What a field refers to: an image (`<img src>`) or a sound (`[sound:NAME]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Sound,
}

/// The media files `html` refers to, in order, with what they are.
pub fn media(html: &str) -> Vec<(MediaKind, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let tag = &after[..close];
        if tag_name(tag) == "img"
            && let Some(src) = attribute(tag, "src").filter(|s| !s.is_empty())
        {
            found.push((MediaKind::Image, decode(&src)));
        }
        rest = &after[close + 1..];
    }
    let mut rest = html;
    while let Some(at) = rest.find("[sound:") {
        let after = &rest[at + 7..];
        let Some(close) = after.find(']') else { break };
        found.push((MediaKind::Sound, decode(&after[..close])));
        rest = &after[close + 1..];
    }
    found
}

/// The lower-case name of a tag's text (what is between `<` and `>`), without a leading `/`.
fn tag_name(tag: &str) -> String {
    tag.trim_start()
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The value of attribute `name` in a tag's text: quoted with `"` or `'`, or bare.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// Elements that stand on lines of their own.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "table"
            | "blockquote"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "hr"
            | "dl"
            | "dt"
            | "dd"
            | "figure"
            | "figcaption"
    )
}

/// The text being written, with what the markup so far means for the next piece.
struct Writer {
    out: String,
    /// Inside `<pre>`: text kept as it is.
    pre: usize,
    /// Inside `<script>` or `<style>`: dropped.
    skipping: Option<&'static str>,
    /// For each open list, the next number (`None` for bullets).
    lists: Vec<Option<u32>>,
    /// Cells written in the current table row.
    cells: usize,
}

impl Writer {
    /// Ends the current line, unless at the start of one; spaces before the break go.
    fn line_break(&mut self) {
        self.trim_spaces();
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn trim_spaces(&mut self) {
        if self.pre == 0 {
            let kept = self.out.trim_end_matches([' ', '\u{a0}']).len();
            self.out.truncate(kept);
        }
    }

    fn text(&mut self, text: &str) {
        if self.skipping.is_some() || text.is_empty() {
            return;
        }
        let text = decode(text);
        if self.pre > 0 {
            self.out.push_str(&text);
            return;
        }
        // Source line breaks are spaces in HTML; spaces that start a line are dropped.
        for c in text.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            };
            if c == ' ' && (self.out.is_empty() || self.out.ends_with('\n')) {
                continue;
            }
            self.out.push(c);
        }
    }

    fn tag(&mut self, tag: &str) {
        let closing = tag.trim_start().starts_with('/');
        let name = tag_name(tag);
        if let Some(until) = self.skipping {
            if closing && name == until {
                self.skipping = None;
            }
            return;
        }
        match (name.as_str(), closing) {
            ("script", false) => self.skipping = Some("script"),
            ("style", false) => self.skipping = Some("style"),
            ("br", _) => {
                self.trim_spaces();
                self.out.push('\n');
            }
            ("img", false) => {
                let src = attribute(tag, "src")
                    .map(|s| decode(&s))
                    .unwrap_or_default();
                let name = if src.is_empty() { "?".into() } else { src };
                self.out.push_str(&format!("[image: {name}]"));
            }
            ("pre", false) => {
                self.line_break();
                self.pre += 1;
            }
            ("pre", true) => {
                self.pre = self.pre.saturating_sub(1);
                self.line_break();
            }
            ("code", _) if self.pre == 0 => self.out.push('`'),
            ("ul", false) => {
                self.line_break();
                self.lists.push(None);
            }
            ("ol", false) => {
                self.line_break();
                self.lists.push(Some(1));
            }
            ("ul" | "ol", true) => {
                self.lists.pop();
                self.line_break();
            }
            ("li", false) => {
                self.line_break();
                let depth = self.lists.len().saturating_sub(1).min(MAX_LIST_INDENT);
                self.out.push_str(&"  ".repeat(depth));
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        self.out.push_str(&format!("{n}. "));
                        *n = n.saturating_add(1);
                    }
                    _ => self.out.push_str("• "),
                }
            }
            ("li", true) => self.line_break(),
            // Furigana: the reading after its base, in parentheses: 漢字(かんじ).
            ("rt", false) => self.out.push('('),
            ("rt", true) => self.out.push(')'),
            ("tr", _) => {
                self.cells = 0;
                self.line_break();
            }
            ("td" | "th", false) => {
                if self.cells > 0 {
                    self.trim_spaces();
                    self.out.push_str(" | ");
                }
                self.cells += 1;
            }
            (name, _) if is_block(name) => self.line_break(),
            _ => {}
        }
    }
}

/// Plain text for an HTML fragment (see the module docs for what each element becomes);
/// `<script>`/`<style>` content is dropped, runs of blank lines are folded, and Anki's
/// `[sound:NAME]` becomes `[sound: NAME]`.
pub fn to_text(html: &str) -> String {
    let mut writer = Writer {
        out: String::with_capacity(html.len()),
        pre: 0,
        skipping: None,
        lists: Vec::new(),
        cells: 0,
    };
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        writer.text(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = after.find('>') else {
            // A lone `<` is text.
            writer.text(&rest[open..]);
            rest = "";
            break;
        };
        writer.tag(&after[..close]);
        rest = &after[close + 1..];
    }
    writer.text(rest);
    let text = writer
        .out
        .replace('\u{a0}', " ")
        .replace("[sound:", "[sound: ");
    fold_blank_lines(&text)
}

/// `text` with spaces at line ends removed, at most one blank line in a row, and no blank
/// lines or spaces at either end.
fn fold_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

/// `text` with its character references decoded; an `&` that starts none is kept. Each `&`
/// looks at most [`LONGEST_ENTITY`] bytes ahead, so decoding is linear.
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let window = &after.as_bytes()[..after.len().min(LONGEST_ENTITY + 1)];
        let end = window.iter().position(|&b| b == b';');
        let decoded = end.and_then(|e| entity(&after[..e]));
        if let (Some(e), Some(c)) = (end, decoded) {
            out.push(c);
            rest = &after[e + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The longest entity name recall decodes, in bytes (`#x10FFFF`, `hellip`).
const LONGEST_ENTITY: usize = 10;

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "middot" => '·',
        "bull" => '•',
        "euro" => '€',
        "rarr" => '→',
        "larr" => '←',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            return char::from_u32(code);
        }
    })
}

/// Text as HTML for Anki: `& < > "` escaped, newlines as `<br>`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_dropped_breaks_kept_and_entities_decoded() {
        assert_eq!(
            to_text(
                "<div>Cache <b>aside</b>&nbsp;&amp; <i>TTL</i></div><div>line&#32;two<br/>three</div>"
            ),
            "Cache aside & TTL\nline two\nthree"
        );
    }

    #[test]
    fn scripts_styles_and_broken_markup_never_leak_or_panic() {
        assert_eq!(
            to_text("a<script>alert(1)</script>b<style>x{}</style>c"),
            "abc"
        );
        assert_eq!(to_text("1 < 2 &bogus; &#xZZ; <"), "1 < 2 &bogus; &#xZZ; <");
        assert_eq!(to_text("<<<>>>&&&;;;"), ">>&&&;;;");
    }

    #[test]
    fn an_entity_heavy_field_decodes_in_linear_time() {
        // 300 KB of `&`: each looked for its `;` through the rest of the field, so this took
        // 20 s; now each looks 11 bytes ahead.
        let html = "&".repeat(300_000);
        let started = std::time::Instant::now();
        assert_eq!(to_text(&html).len(), 300_000);
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    }

    #[test]
    fn deeply_nested_lists_write_text_linear_in_the_input() {
        // Each item was indented two spaces per open list: 20,000 nested `<ol><li>` wrote
        // 400 MB (1.57 GB at peak, 5.6 s). Past the cap every item is indented as the cap, so
        // each item writes a bounded line (25 MB here before, 185 KB now).
        let depth = 5_000;
        let html = "<ol><li>x".repeat(depth);
        let text = to_text(&html);
        assert_eq!(text.lines().count(), depth);
        let longest_line = 2 * MAX_LIST_INDENT + "1. x\n".len();
        assert!(text.len() <= depth * longest_line, "{} bytes", text.len());
        let deepest = text.lines().last().unwrap();
        assert_eq!(deepest, format!("{}1. x", "  ".repeat(MAX_LIST_INDENT)));
        // Within the cap, each level still shows as two more spaces.
        assert_eq!(
            to_text("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li></ul>"),
            "• a\n  • b\n    1. c"
        );
    }

    #[test]
    fn lists_tables_code_and_media_keep_their_meaning() {
        assert_eq!(
            to_text("<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>"),
            "• one\n• two\n1. first\n2. second"
        );
        assert_eq!(
            to_text(
                "<table><tr><td>alpha</td><td>beta</td></tr><tr><th>gamma</th><td>delta</td></tr></table>"
            ),
            "alpha | beta\ngamma | delta"
        );
        assert_eq!(
            to_text("Run <code>ls -l</code>:<pre>fn main() {\n    go();\n}</pre>done"),
            "Run `ls -l`:\nfn main() {\n    go();\n}\ndone"
        );
        assert_eq!(
            to_text("What is this? <img src=\"dot.png\"> [sound:x.mp3]<!-- a <b>comment</b> -->"),
            "What is this? [image: dot.png] [sound: x.mp3]"
        );
        assert_eq!(
            media("<IMG alt=x SRC='a b.jpg'/>[sound:x.mp3]"),
            [
                (MediaKind::Image, "a b.jpg".to_string()),
                (MediaKind::Sound, "x.mp3".to_string())
            ]
        );
    }

    #[test]
    fn source_line_breaks_are_spaces_and_lines_have_no_edge_spaces() {
        assert_eq!(
            to_text("Paris<br>\nSince 508.\n\n<div> a </div>"),
            "Paris\nSince 508.\na"
        );
    }

    #[test]
    fn escaping_round_trips_through_to_text() {
        let text = "a < b & \"c\"\nnext > line";
        assert_eq!(
            escape(text),
            "a &lt; b &amp; &quot;c&quot;<br>next &gt; line"
        );
        assert_eq!(to_text(&escape(text)), text);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn escaped_text_comes_back_unchanged(text in "[a-zA-Z0-9<>&\"';:!?.,()\\[\\] -]{0,40}( ?\n[a-zA-Z0-9<>&\"' ]{1,20}){0,3}") {
            let text = text.trim().to_string();
            prop_assume!(!text.contains("\n\n\n") && !text.contains(" \n") && !text.contains("\n "));
            prop_assert_eq!(to_text(&escape(&text)), text);
        }

        #[test]
        fn any_markup_becomes_text_without_panicking(html in "\\PC{0,200}") {
            let _ = to_text(&html);
        }
    }
}

#[cfg(test)]
mod media_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_markup_gives_its_media_without_panicking(html in "(<img src=|<IMG SRC='|\\[sound:|[\"'> é\\]a-z.])*") {
            // Every image found is named inside one tag: its name holds no `>`.
            for (kind, name) in media(&html) {
                prop_assert!(kind == MediaKind::Sound || !name.contains('>'), "{name}");
            }
        }
    }
}
