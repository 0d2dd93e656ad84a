//! HTML in shared decks. recall's cards are plain text: on import, HTML fields are turned into
//! text (line breaks and block ends become newlines, other tags are dropped, entities are
//! decoded); on export to Anki, text is escaped and newlines become `<br>`.

/// Plain text for an HTML fragment: `<br>`, `</p>`, `</div>`, `</li>` become newlines, every
/// other tag (and `<script>`/`<style>` content) is dropped, entities are decoded, and runs of
/// blank lines are folded.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skipping: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&decode(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            // A lone `<` is text.
            if skipping.is_none() {
                out.push_str(&decode(&rest[open..]));
            }
            rest = "";
            break;
        };
        let tag = after[..close].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match skipping {
            Some(until) if tag.starts_with('/') && name == until => skipping = None,
            None if name == "script" || name == "style" => {
                skipping = Some(if name == "script" { "script" } else { "style" });
            }
            None if name == "br"
                || (tag.starts_with('/')
                    && matches!(
                        name.as_str(),
                        "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4"
                    )) =>
            {
                out.push('\n');
            }
            // Inside a skipped element, or any other tag: dropped.
            _ => {}
        }
        rest = &after[close + 1..];
    }
    if skipping.is_none() {
        out.push_str(&decode(rest));
    }
    let mut text = out.replace('\u{a0}', " ");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_string()
}

fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
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

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
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
