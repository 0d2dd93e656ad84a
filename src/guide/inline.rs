//! The inline card syntaxes learners already write in their notes, read beside recall's own
//! card blocks: Obsidian Spaced Repetition (`Q::A`, `Q:::A`, `?`/`??` multi-line cards,
//! `==highlight==` and `{{cloze}}` deletions, `#flashcards` tags), hashcards (`Q:`/`A:`,
//! `C:` with `[deletions]`), Anki clozes (`{{c1::text::hint}}`, one card per number), Logseq
//! (`#card` blocks whose child blocks are the answer, `{{cloze …}}`; `card-…::` property lines
//! are metadata), `RemNote` (`Q :: A`, `Q >> A`), definition lists (`Term` / `: definition`),
//! `**Term**: definition` and `**Term** — definition` bullets, and two-column tables with a
//! header row (one card per row).
//!
//! Pure and line-based: text in, cards (front, back, syntax, line) out. Lines inside fenced
//! code, blockquotes (recall's own card blocks) and headings are never read here, and a
//! separator inside a code span (`std::fs`, `x >> 2`) is text, not a card.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cloze;

/// Which tool's syntax a card was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    /// Obsidian Spaced Repetition `Q::A` (`RemNote`'s `Q :: A` is the same card).
    ObsidianSingleLine,
    /// Obsidian Spaced Repetition `A:::B`: two cards, one each way.
    ObsidianReversed,
    /// Obsidian Spaced Repetition multi-line, split by a `?` line (`??`: both ways).
    ObsidianMultiLine,
    /// Obsidian Spaced Repetition `==highlight==` or `{{curly}}` deletions.
    ObsidianCloze,
    /// hashcards `Q:` / `A:`.
    Hashcards,
    /// hashcards `C:` with `[deletions]`.
    HashcardsCloze,
    /// Anki `{{c1::text::hint}}`: one card per number.
    AnkiCloze,
    /// Logseq `#card` block with its child blocks as the answer.
    Logseq,
    /// Logseq `{{cloze text}}`.
    LogseqCloze,
    /// `RemNote` `Q >> A`.
    RemNote,
    /// `Term` then `: definition`.
    DefinitionList,
    /// `- **Term**: definition` or `- **Term** — definition`.
    BoldTerm,
    /// A two-column table with a header row: one card per row.
    Table,
}

impl Syntax {
    /// Whether the syntax hides words of a sentence (one card per deletion).
    pub fn is_cloze(self) -> bool {
        matches!(
            self,
            Syntax::ObsidianCloze
                | Syntax::HashcardsCloze
                | Syntax::AnkiCloze
                | Syntax::LogseqCloze
        )
    }

    /// A short name for reports, e.g. `obsidian-single-line`.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::ObsidianSingleLine => "obsidian-single-line",
            Syntax::ObsidianReversed => "obsidian-reversed",
            Syntax::ObsidianMultiLine => "obsidian-multi-line",
            Syntax::ObsidianCloze => "obsidian-cloze",
            Syntax::Hashcards => "hashcards",
            Syntax::HashcardsCloze => "hashcards-cloze",
            Syntax::AnkiCloze => "anki-cloze",
            Syntax::Logseq => "logseq",
            Syntax::LogseqCloze => "logseq-cloze",
            Syntax::RemNote => "remnote",
            Syntax::DefinitionList => "definition-list",
            Syntax::BoldTerm => "bold-term",
            Syntax::Table => "table",
        }
    }
}

/// What an inline card asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Question {
        front: String,
        back: String,
    },
    /// A cloze text in recall's `{{hidden}}` notation: one card per deletion.
    Cloze {
        text: String,
    },
    /// An Anki cloze: one card per number, already rendered.
    Numbered {
        cards: Vec<cloze::ClozeCard>,
        plain: String,
    },
}

/// A card written in one of the inline syntaxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCard {
    pub syntax: Syntax,
    /// 1-based line where the card starts.
    pub line: usize,
    pub content: Content,
    /// Tags from `#flashcards/…` on the card or anywhere in the file, as slugs.
    pub tags: Vec<String>,
}

/// Something written as a card that makes none: the line and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub message: String,
    pub hint: String,
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub cards: Vec<InlineCard>,
    /// Cards written wrongly (a `Q:` without `A:`, an unclosed `{{`): warnings.
    pub skipped: Vec<Skipped>,
    /// 1-based lines that belong to inline cards, so list cards are not made from them again.
    pub lines: BTreeSet<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Blank,
    /// Fenced code, blockquotes, headings, front matter, HTML comments: never cards.
    Other,
    Heading,
    /// A Logseq `card-…::` (or `id::`, `collapsed::`) property line: metadata.
    Property,
}

struct Lines<'a> {
    text: Vec<&'a str>,
    kind: Vec<Kind>,
    used: Vec<bool>,
}

fn classify(text: &str) -> Lines<'_> {
    let lines: Vec<&str> = text.lines().collect();
    let mut kind = Vec::with_capacity(lines.len());
    let mut fence: Option<&str> = None;
    let mut comment = false;
    let mut front_matter = lines.first().is_some_and(|l| l.trim_end() == "---");
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let k = if front_matter {
            if i > 0 && (trimmed == "---" || trimmed == "...") {
                front_matter = false;
            }
            Kind::Other
        } else if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            Kind::Other
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            Kind::Other
        } else if comment {
            if trimmed.contains("-->") {
                comment = false;
            }
            Kind::Other
        } else if trimmed.starts_with("<!--") && !trimmed.contains("-->") {
            comment = true;
            Kind::Other
        } else if trimmed.is_empty() {
            Kind::Blank
        } else if trimmed.starts_with('>') {
            Kind::Other
        } else if trimmed.starts_with('#') && heading_marker(trimmed) {
            Kind::Heading
        } else if is_property(trimmed) {
            Kind::Property
        } else if strip_sr_comments(trimmed).trim().is_empty() {
            // An Obsidian scheduling comment on a line of its own.
            Kind::Property
        } else {
            Kind::Text
        };
        kind.push(k);
    }
    Lines {
        used: vec![false; lines.len()],
        text: lines,
        kind,
    }
}

fn heading_marker(trimmed: &str) -> bool {
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    (1..=6).contains(&hashes) && trimmed[hashes..].starts_with([' ', '\t'])
        || trimmed.len() == hashes
}

/// Logseq's metadata lines: `card-last-interval:: 4`, `id:: 6f…`, `collapsed:: true`.
fn is_property(trimmed: &str) -> bool {
    let body = list_item(trimmed).map_or(trimmed, |(_, rest)| rest);
    let Some((key, _)) = body.split_once(":: ") else {
        return body
            .strip_suffix("::")
            .is_some_and(|k| k.starts_with("card-"));
    };
    key.starts_with("card-") || key == "id" || key == "collapsed"
}

/// `Some((indent, text))` for a list item line (`- x`, `* x`, `+ x`, `1. x`, `1) x`).
fn list_item(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start().len();
    let trimmed = line.trim_start();
    let rest = if let Some(rest) = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .or_else(|| trimmed.strip_prefix("+ "))
    {
        rest
    } else {
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        trimmed[digits..]
            .strip_prefix(". ")
            .or_else(|| trimmed[digits..].strip_prefix(") "))?
    };
    Some((indent, rest.trim()))
}

fn indent_of(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// Removes Obsidian Spaced Repetition's scheduling comments (`<!--SR:!2024-01-01,3,250-->`).
fn strip_sr_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--SR:") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Takes the `#flashcards` and `#flashcards/deck/sub` tags out of `text`: the text without
/// them, and the deck path's parts as tags (`#flashcards/aws/ec2` → `aws`, `ec2`).
fn take_flashcard_tags(text: &str) -> (String, Vec<String>, bool) {
    let mut tags = Vec::new();
    let mut found = false;
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|word| {
            let Some(rest) = word.strip_prefix("#flashcards") else {
                return true;
            };
            if !(rest.is_empty() || rest.starts_with('/')) {
                return true;
            }
            found = true;
            for part in rest.split('/').filter(|p| !p.is_empty()) {
                let tag = crate::ids::slug(part, 8);
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            false
        })
        .collect();
    (kept.join(" "), tags, found)
}

/// Byte offsets of `pattern` in `text` outside code spans (`` `…` ``).
fn find_outside_code(text: &str, pattern: &str) -> Option<usize> {
    let mut in_code = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            in_code = !in_code;
            i += 1;
            continue;
        }
        if !in_code && text[i..].starts_with(pattern) {
            return Some(i);
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// `[text](url)` links as their text, for a terminal that would show the Markdown raw;
/// images and a side that is nothing but links are left as written (the latter so the
/// "a link as the whole answer" lint sees it).
fn link_texts(text: &str) -> String {
    if is_link_only(text) {
        return text.to_string();
    }
    links_as_text(text)
}

/// Every `[text](url)` link of `text` as its text (images stay).
fn links_as_text(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let image = rest[..open].ends_with('!');
        let parsed = rest[open + 1..].find("](").and_then(|mid| {
            let close = rest[open + 1 + mid + 2..].find(')')?;
            Some((mid, open + 1 + mid + 2 + close))
        });
        match parsed {
            Some((mid, close)) if !image && !rest[open + 1..open + 1 + mid].contains('[') => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..open + 1 + mid]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Cleans a card side: Obsidian's scheduling comments out, links as their text, whitespace
/// folded per line.
fn side(text: &str) -> String {
    let text = link_texts(&strip_sr_comments(text));
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut out = lines.join("\n");
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim().to_string()
}

/// Reads every inline card of `text` (a whole Markdown file).
pub fn read(text: &str) -> Found {
    let mut lines = classify(text);
    let file_tags = file_flashcard_tags(&lines);
    let tagged = file_tags.1;
    let mut found = Found::default();
    hashcards(&mut lines, &mut found);
    multi_line(&mut lines, &mut found);
    tables(&mut lines, &mut found);
    definition_lists(&mut lines, &mut found);
    logseq(&mut lines, &mut found);
    single_lines(&mut lines, &mut found, tagged);
    clozes(&mut lines, &mut found);
    for card in &mut found.cards {
        for tag in &file_tags.0 {
            if !card.tags.contains(tag) {
                card.tags.push(tag.clone());
            }
        }
    }
    found.cards.sort_by_key(|c| c.line);
    found
}

/// `#flashcards/…` tags written outside cards (the deck tags of an Obsidian note), and
/// whether the note is tagged `#flashcards` at all (then `word::word` is read as a card).
fn file_flashcard_tags(lines: &Lines<'_>) -> (Vec<String>, bool) {
    let mut tags = Vec::new();
    let mut any = false;
    for (i, line) in lines.text.iter().enumerate() {
        let front_matter = lines.kind[i] == Kind::Other && line.contains("flashcards");
        if lines.kind[i] != Kind::Text && !front_matter {
            continue;
        }
        let (rest, found, present) = take_flashcard_tags(line);
        let yaml_tag = front_matter
            && line
                .trim()
                .trim_start_matches(['-', ' '])
                .trim_start_matches("tags:")
                .trim()
                .trim_matches(['[', ']', '"', '\''])
                .starts_with("flashcards");
        any |= present || yaml_tag;
        // Tags on a line of their own (or beside prose) name the file's deck; tags on a
        // card's own line are that card's.
        let is_card_line = rest.contains("::") || rest.contains(">>");
        if present && !is_card_line {
            for tag in found {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
    }
    (tags, any)
}

fn push(found: &mut Found, syntax: Syntax, line: usize, content: Content, tags: Vec<String>) {
    found.cards.push(InlineCard {
        syntax,
        line,
        content,
        tags,
    });
}

fn mark(lines: &mut Lines<'_>, found: &mut Found, range: std::ops::Range<usize>) {
    for i in range {
        if let Some(used) = lines.used.get_mut(i) {
            *used = true;
            found.lines.insert(i + 1);
        }
    }
}

fn free(lines: &Lines<'_>, i: usize) -> bool {
    lines.kind.get(i) == Some(&Kind::Text) && !lines.used[i]
}

/// hashcards: `Q:` … `A:` …, and `C:` with `[deletions]`. A card runs to the next `Q:` or
/// `C:` line, a heading, a `---` rule, or the end of the file (hashcards reads a whole file as
/// one deck; here the heading bounds it too, so notes around the cards stay notes).
fn hashcards(lines: &mut Lines<'_>, found: &mut Found) {
    let starts = |line: &str| line.starts_with("Q:") || line.starts_with("C:");
    let mut i = 0;
    while i < lines.text.len() {
        if !free(lines, i) || !starts(lines.text[i]) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < lines.text.len()
            && lines.kind[end] != Kind::Heading
            && !starts(lines.text[end])
            && lines.text[end].trim() != "---"
        {
            end += 1;
        }
        let body: Vec<&str> = (i..end)
            .filter(|j| matches!(lines.kind[*j], Kind::Text | Kind::Blank))
            .map(|j| lines.text[j])
            .collect();
        let line = i + 1;
        if lines.text[i].starts_with("C:") {
            let text = side(&body.join("\n")["C:".len()..]);
            match hashcards_cloze(&text) {
                Some(text) => push(
                    found,
                    Syntax::HashcardsCloze,
                    line,
                    Content::Cloze { text },
                    Vec::new(),
                ),
                None => found.skipped.push(Skipped {
                    line,
                    message: "hashcards cloze `C:` has no `[deletion]`: no card made".into(),
                    hint: "put the hidden words in square brackets, e.g. `C: [Paris] is the capital of France.`".into(),
                }),
            }
        } else {
            let joined = body.join("\n");
            let answer_at = joined
                .match_indices('\n')
                .map(|(at, _)| at + 1)
                .find(|at| joined[*at..].starts_with("A:"));
            match answer_at {
                Some(at) => {
                    let front = side(&joined["Q:".len()..at]);
                    let back = side(&joined[at + "A:".len()..]);
                    if front.is_empty() || back.is_empty() {
                        found.skipped.push(Skipped {
                            line,
                            message:
                                "hashcards card with an empty question or answer: no card made"
                                    .into(),
                            hint: "write the question after `Q:` and the answer after `A:`".into(),
                        });
                    } else {
                        push(
                            found,
                            Syntax::Hashcards,
                            line,
                            Content::Question { front, back },
                            Vec::new(),
                        );
                    }
                }
                None => found.skipped.push(Skipped {
                    line,
                    message: "hashcards question `Q:` without an `A:` line: no card made".into(),
                    hint: "start the answer on its own line with `A:`".into(),
                }),
            }
        }
        mark(lines, found, i..end);
        i = end;
    }
}

/// hashcards' `[deletion]` marks as recall's `{{deletion}}`; links (`[text](url)`,
/// `[text][ref]`) and images stay text. `None` when there is no deletion.
fn hashcards_cloze(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut any = false;
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let image = rest[..open].ends_with('!');
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find(']').map(|c| c + open) else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &rest[open + 1..close];
        let after = &rest[close + 1..];
        if image || after.starts_with('(') || after.starts_with('[') || inner.is_empty() {
            out.push_str(&rest[open..=close]);
        } else {
            out.push_str("{{");
            out.push_str(inner);
            out.push_str("}}");
            any = true;
        }
        rest = after;
    }
    out.push_str(rest);
    any.then_some(out)
}

/// Obsidian multi-line cards: the lines touching a `?` line (`??`: both ways).
fn multi_line(lines: &mut Lines<'_>, found: &mut Found) {
    for i in 0..lines.text.len() {
        let separator = lines.text[i].trim();
        if !free(lines, i) || (separator != "?" && separator != "??") {
            continue;
        }
        let mut start = i;
        while start > 0 && free(lines, start - 1) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < lines.text.len() && (free(lines, end) || lines.kind[end] == Kind::Property) {
            end += 1;
        }
        let line = start + 1;
        let (front, tags, _) = take_flashcard_tags_lines(&lines.text[start..i]);
        let back = side(&lines.text[i + 1..end].join("\n"));
        if front.is_empty() || back.is_empty() {
            found.skipped.push(Skipped {
                line: i + 1,
                message: format!("`{separator}` line without text on both sides: no card made"),
                hint: "put the question on the lines just above it and the answer just below, with no blank line between".into(),
            });
            continue;
        }
        if separator == "??" {
            push(
                found,
                Syntax::ObsidianMultiLine,
                line,
                Content::Question {
                    front: back.clone(),
                    back: front.clone(),
                },
                tags.clone(),
            );
        }
        push(
            found,
            Syntax::ObsidianMultiLine,
            line,
            Content::Question { front, back },
            tags,
        );
        mark(lines, found, start..end);
    }
}

fn take_flashcard_tags_lines(text: &[&str]) -> (String, Vec<String>, bool) {
    let mut tags = Vec::new();
    let mut any = false;
    let kept: Vec<String> = text
        .iter()
        .map(|line| {
            let (rest, found, present) = take_flashcard_tags(line);
            any |= present;
            tags.extend(found);
            rest
        })
        .filter(|l| !l.is_empty())
        .collect();
    (side(&kept.join("\n")), tags, any)
}

fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    cells
}

fn is_table_separator(line: &str) -> bool {
    let cells = table_cells(line);
    line.contains('-')
        && cells.iter().all(|c| {
            let c = c.trim_matches(':');
            !c.is_empty() && c.chars().all(|ch| ch == '-')
        })
}

/// Words that join links without saying anything of their own.
const LINKING_WORDS: &[&str] = &["or", "and", "use", "see", "also", "vs", "versus"];

/// Whether a cell or item is only a link or an image (no words of its own to learn).
pub fn is_link_only(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return false;
    }
    let bare_url = text.starts_with("http://") || text.starts_with("https://");
    if bare_url && !text.contains(' ') {
        return true;
    }
    // `[text](url)`, `![alt](src)`, `<https://…>`, `[[wiki link]]`, possibly several, joined
    // by punctuation or a linking word ("[Object](…) or [Map](…)", "[Map](…). Use
    // [HashMap](…)": a table of APIs, each cell its documentation's links).
    let mut rest = text;
    let mut links = 0;
    loop {
        rest = rest.trim_start_matches([' ', ',', ';', '-', '–', '—', '|', '.', ':', '/']);
        if rest.is_empty() {
            return true;
        }
        if links > 0
            && let Some(next) = LINKING_WORDS.iter().find_map(|word| {
                let after = rest.get(word.len()..)?;
                (rest[..word.len()].eq_ignore_ascii_case(word) && after.starts_with(' '))
                    .then_some(after)
            })
        {
            rest = next;
            continue;
        }
        links += 1;
        let after = if let Some(r) = rest.strip_prefix("[[") {
            r.find("]]").map(|e| &r[e + 2..])
        } else if let Some(r) = rest.strip_prefix('<') {
            r.find('>').map(|e| &r[e + 1..])
        } else if rest.starts_with('[') || rest.starts_with("![") {
            let r = rest.trim_start_matches('!');
            r.find("](")
                .and_then(|m| r[m..].find(')').map(|e| &r[m + e + 1..]))
        } else {
            None
        };
        match after {
            Some(next) => rest = next,
            None => return false,
        }
    }
}

/// Two-column tables with a header row: one card per row, `Header 1: cell → Header 2?`.
fn tables(lines: &mut Lines<'_>, found: &mut Found) {
    let mut i = 0;
    while i + 1 < lines.text.len() {
        let header = lines.text[i].trim();
        if !free(lines, i) || !header.starts_with('|') || !is_table_separator(lines.text[i + 1]) {
            i += 1;
            continue;
        }
        let heads = table_cells(header);
        let mut end = i + 2;
        while end < lines.text.len() && lines.text[end].trim().starts_with('|') {
            end += 1;
        }
        if heads.len() == 2 {
            for row in i + 2..end {
                let cells = table_cells(lines.text[row]);
                let [key, value] = cells.as_slice() else {
                    continue;
                };
                if key.is_empty() || value.is_empty() || is_link_only(key) || is_link_only(value) {
                    continue;
                }
                let front = if heads[0].is_empty() && heads[1].is_empty() {
                    key.clone()
                } else {
                    format!("{}: {key} → {}?", heads[0], heads[1])
                };
                push(
                    found,
                    Syntax::Table,
                    row + 1,
                    Content::Question {
                        front,
                        back: side(value),
                    },
                    Vec::new(),
                );
            }
        }
        mark(lines, found, i..end);
        i = end;
    }
}

fn definition(line: &str) -> Option<&str> {
    line.strip_prefix(": ")
        .or_else(|| line.strip_prefix(":\t"))
        .map(str::trim)
}

/// Definition lists: a term on a line of its own, then `: definition` lines (a blank line may
/// come between). Several definitions make one answer.
fn definition_lists(lines: &mut Lines<'_>, found: &mut Found) {
    let mut i = 0;
    while i < lines.text.len() {
        if !free(lines, i) || definition(lines.text[i]).is_none() {
            i += 1;
            continue;
        }
        // The term is the line just above, or above one blank line.
        let term_at = if i > 0 && lines.kind[i - 1] == Kind::Blank {
            i - 1
        } else {
            i
        };
        let Some(term) = term_at.checked_sub(1).filter(|t| {
            free(lines, *t)
                && definition(lines.text[*t]).is_none()
                && list_item(lines.text[*t]).is_none()
        }) else {
            i += 1;
            continue;
        };
        let mut defs: Vec<String> = Vec::new();
        let mut end = i;
        while end < lines.text.len() && free(lines, end) {
            let text = lines.text[end];
            if let Some(def) = definition(text) {
                defs.push(def.to_string());
            } else if text.starts_with([' ', '\t']) {
                if let Some(last) = defs.last_mut() {
                    last.push(' ');
                    last.push_str(text.trim());
                }
            } else {
                break;
            }
            end += 1;
        }
        let front = side(lines.text[term]);
        let back = side(&defs.join("; "));
        if !front.is_empty() && !back.is_empty() {
            push(
                found,
                Syntax::DefinitionList,
                term + 1,
                Content::Question { front, back },
                Vec::new(),
            );
        }
        mark(lines, found, term..end);
        i = end;
    }
}

/// Whether `text` carries Logseq's `#card` tag (`#card` or `#[[card]]`), and the text without it.
fn take_card_tag(text: &str) -> Option<String> {
    let mut present = false;
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let is_tag = w.eq_ignore_ascii_case("#card") || w.eq_ignore_ascii_case("#[[card]]");
            present |= is_tag;
            !is_tag
        })
        .collect();
    present.then(|| kept.join(" "))
}

/// Logseq's cloze macro `{{cloze text}}` as recall's `{{text}}`.
fn logseq_cloze(text: &str) -> Option<String> {
    if !text.contains("{{cloze ") {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{cloze ") {
        out.push_str(&rest[..open]);
        let inner_start = open + "{{cloze ".len();
        let Some(close) = rest[inner_start..].find("}}") else {
            out.push_str(&rest[open..]);
            return Some(out);
        };
        out.push_str("{{");
        out.push_str(rest[inner_start..inner_start + close].trim());
        out.push_str("}}");
        rest = &rest[inner_start + close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// Logseq: a block tagged `#card` asks its own text; its child blocks are the answer. A block
/// with `{{cloze …}}` is a cloze card.
fn logseq(lines: &mut Lines<'_>, found: &mut Found) {
    for i in 0..lines.text.len() {
        if !free(lines, i) {
            continue;
        }
        let Some((_, item)) = list_item(lines.text[i]) else {
            continue;
        };
        let Some(front) = take_card_tag(item) else {
            continue;
        };
        let indent = indent_of(lines.text[i]);
        let mut end = i + 1;
        let mut children = Vec::new();
        while end < lines.text.len() {
            let kind = lines.kind[end];
            let text = lines.text[end];
            if kind == Kind::Blank || kind == Kind::Property {
                end += 1;
                continue;
            }
            if kind != Kind::Text || indent_of(text) <= indent {
                break;
            }
            let child = list_item(text).map_or_else(|| text.trim(), |(_, rest)| rest);
            children.push(child.to_string());
            end += 1;
        }
        while end > i + 1 && lines.kind[end - 1] == Kind::Blank {
            end -= 1;
        }
        let (front, tags, _) = take_flashcard_tags(&front);
        if let Some(text) = logseq_cloze(&front) {
            push(
                found,
                Syntax::LogseqCloze,
                i + 1,
                Content::Cloze { text: side(&text) },
                tags,
            );
        } else if children.is_empty() {
            found.skipped.push(Skipped {
                line: i + 1,
                message: "Logseq `#card` block without a child block: no card made".into(),
                hint: "indent the answer as a child block under the question".into(),
            });
        } else {
            push(
                found,
                Syntax::Logseq,
                i + 1,
                Content::Question {
                    front: side(&front),
                    back: side(&children.join("\n")),
                },
                tags,
            );
        }
        mark(lines, found, i..end);
    }
}

/// Splits `text` at `separator` (outside code spans) into two non-empty sides.
fn split_sides<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let at = find_outside_code(text, separator)?;
    let (left, right) = (text[..at].trim(), text[at + separator.len()..].trim());
    (!left.is_empty() && !right.is_empty()).then_some((left, right))
}

/// `std::fs::read(path)`, `Vec::new()` written without backticks: a path in code, not
/// `Question::Answer`, unless the note is tagged `#flashcards` (where Obsidian reads every
/// `::` as a card). A path has a second `::`, or a call or generic right after the name.
fn looks_like_code_path(text: &str, at: usize) -> bool {
    let right = &text[at + 2..];
    if find_outside_code(right, "::").is_some() {
        return true;
    }
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let word_end = right
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(right.len());
    ident(text[..at].chars().next_back())
        && word_end > 0
        && right[word_end..].starts_with(['(', '<', ';'])
}

/// Single-line cards: Obsidian `Q:::A` (both ways) and `Q::A`, `RemNote` `Q :: A` and `Q >> A`,
/// and `**Term**: definition` / `**Term** — definition` bullets.
fn single_lines(lines: &mut Lines<'_>, found: &mut Found, tagged: bool) {
    for i in 0..lines.text.len() {
        if !free(lines, i) {
            continue;
        }
        let raw = lines.text[i];
        let (item, text) = match list_item(raw) {
            Some((_, rest)) => (true, rest),
            None => (false, raw.trim()),
        };
        if text.contains("{{") {
            continue;
        }
        let (text, tags, _) = take_flashcard_tags(&strip_sr_comments(text));
        let line = i + 1;
        let mut made = false;
        if let Some((left, right)) = split_sides(&text, ":::") {
            push(
                found,
                Syntax::ObsidianReversed,
                line,
                Content::Question {
                    front: side(left),
                    back: side(right),
                },
                tags.clone(),
            );
            push(
                found,
                Syntax::ObsidianReversed,
                line,
                Content::Question {
                    front: side(right),
                    back: side(left),
                },
                tags.clone(),
            );
            made = true;
        } else if let Some(at) = find_outside_code(&text, "::")
            && (tagged || !looks_like_code_path(&text, at))
            && let Some((left, right)) = split_sides(&text, "::")
        {
            push(
                found,
                Syntax::ObsidianSingleLine,
                line,
                Content::Question {
                    front: side(left),
                    back: side(right),
                },
                tags.clone(),
            );
            made = true;
        } else if let Some((left, right)) = split_sides(&text, " >> ") {
            push(
                found,
                Syntax::RemNote,
                line,
                Content::Question {
                    front: side(left),
                    back: side(right),
                },
                tags.clone(),
            );
            made = true;
        } else if item && let Some((term, definition)) = bold_term(&text) {
            push(
                found,
                Syntax::BoldTerm,
                line,
                Content::Question {
                    front: term,
                    back: definition,
                },
                tags.clone(),
            );
            made = true;
        }
        if made {
            mark(lines, found, i..i + 1);
        }
    }
}

/// `**Term**: definition`, `**Term:** definition`, `**Term** — definition` (also `–`, ` - `).
fn bold_term(text: &str) -> Option<(String, String)> {
    let after = text.strip_prefix("**")?;
    let close = after.find("**")?;
    let term = after[..close].trim();
    let rest = after[close + 2..].trim_start();
    let (term, definition) = if let Some(term) = term.strip_suffix(':') {
        (term.trim(), rest)
    } else {
        let definition = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('—'))
            .or_else(|| rest.strip_prefix('–'))
            .or_else(|| rest.strip_prefix("- "))?;
        (term, definition)
    };
    let definition = side(definition);
    let term = links_as_text(term);
    (!term.is_empty() && !definition.is_empty() && !is_link_only(&definition))
        .then_some((term, definition))
}

/// Units of text a cloze can span: each list item (with its continuation lines) and each
/// paragraph, as `(first line index, end index)`.
fn units(lines: &Lines<'_>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.text.len() {
        if !free(lines, i) {
            i += 1;
            continue;
        }
        let start = i;
        let item = list_item(lines.text[i]).is_some();
        i += 1;
        while i < lines.text.len() && free(lines, i) && list_item(lines.text[i]).is_none() {
            if item && !lines.text[i].starts_with([' ', '\t']) {
                break;
            }
            i += 1;
        }
        out.push((start, i));
    }
    out
}

/// Obsidian `==highlight==` marks as recall's `{{highlight}}`; `None` when there is none.
fn highlights(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    let mut any = false;
    while let Some(open) = find_outside_code(rest, "==") {
        let inner = &rest[open + 2..];
        let Some(close) = inner.find("==") else {
            break;
        };
        let hidden = &inner[..close];
        if hidden.is_empty() || hidden.starts_with(' ') || hidden.ends_with(' ') {
            out.push_str(&rest[..open + 2]);
            rest = inner;
            continue;
        }
        out.push_str(&rest[..open]);
        out.push_str("{{");
        out.push_str(hidden);
        out.push_str("}}");
        rest = &inner[close + 2..];
        any = true;
    }
    out.push_str(rest);
    any.then_some(out)
}

/// Anki's `{{c1::text::hint}}`: one card per number, hiding every deletion of that number and
/// showing the others as plain text. `None` when `text` has no Anki cloze.
pub fn anki_cloze(text: &str) -> Option<Result<(Vec<cloze::ClozeCard>, String), String>> {
    let marker = |s: &str| -> Option<usize> {
        let mut from = 0;
        while let Some(at) = s[from..].find("{{c").map(|a| a + from) {
            let digits = s[at + 3..].chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && s[at + 3 + digits..].starts_with("::") {
                return Some(at);
            }
            from = at + 3;
        }
        None
    };
    marker(text)?;
    // (start, end, number, answer, hint) of each deletion.
    let mut parts: Vec<(usize, usize, u32, String, Option<String>)> = Vec::new();
    let mut from = 0;
    while let Some(at) = marker(&text[from..]).map(|a| a + from) {
        let digits = text[at + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        let number: u32 = text[at + 3..at + 3 + digits].parse().unwrap_or(0);
        let body_start = at + 3 + digits + 2;
        let Some(close) = text[body_start..].find("}}").map(|c| c + body_start) else {
            return Some(Err(format!(
                "Anki cloze `{{{{c{number}::` is never closed: end it with `}}}}`"
            )));
        };
        let body = &text[body_start..close];
        let (answer, hint) = match body.split_once("::") {
            Some((a, h)) => (a.trim().to_string(), Some(h.trim().to_string())),
            None => (body.trim().to_string(), None),
        };
        if answer.is_empty() {
            return Some(Err(format!(
                "empty Anki cloze `{{{{c{number}::}}}}`: put the hidden words after `::`"
            )));
        }
        parts.push((at, close + 2, number, answer, hint));
        from = close + 2;
    }
    let render = |hide: Option<u32>| {
        let mut out = String::new();
        let mut last = 0;
        for (start, end, number, answer, hint) in &parts {
            out.push_str(&text[last..*start]);
            if Some(*number) == hide {
                out.push('[');
                out.push_str(hint.as_deref().unwrap_or("..."));
                out.push(']');
            } else {
                out.push_str(answer);
            }
            last = *end;
        }
        out.push_str(&text[last..]);
        out
    };
    let mut numbers: Vec<u32> = parts.iter().map(|p| p.2).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let cards = numbers
        .iter()
        .map(|n| cloze::ClozeCard {
            answer: parts
                .iter()
                .filter(|p| p.2 == *n)
                .map(|p| p.3.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            front: render(Some(*n)),
            occurrence: *n as usize,
        })
        .collect();
    Some(Ok((cards, render(None))))
}

/// Cloze deletions in paragraphs and list items: Anki `{{c1::…}}`, Logseq `{{cloze …}}`,
/// Obsidian `==highlight==` and `{{curly}}`.
fn clozes(lines: &mut Lines<'_>, found: &mut Found) {
    for (start, end) in units(lines) {
        let joined: Vec<&str> = lines.text[start..end].to_vec();
        let first = list_item(joined[0]).map_or_else(|| joined[0].trim(), |(_, rest)| rest);
        let mut text = first.to_string();
        for more in &joined[1..] {
            text.push(' ');
            text.push_str(more.trim());
        }
        let (text, tags, _) = take_flashcard_tags(&strip_sr_comments(&text));
        let line = start + 1;
        if let Some(result) = anki_cloze(&text) {
            match result {
                Ok((cards, plain)) => push(
                    found,
                    Syntax::AnkiCloze,
                    line,
                    Content::Numbered { cards, plain },
                    tags,
                ),
                Err(message) => found.skipped.push(Skipped {
                    line,
                    message: format!("{message}; no card made"),
                    hint: "write each deletion as `{{c1::hidden words}}` or `{{c1::hidden words::hint}}`".into(),
                }),
            }
        } else if let Some(cloze_text) = logseq_cloze(&text) {
            push(
                found,
                Syntax::LogseqCloze,
                line,
                Content::Cloze { text: cloze_text },
                tags,
            );
        } else if let Some(cloze_text) = highlights(&text) {
            push(
                found,
                Syntax::ObsidianCloze,
                line,
                Content::Cloze { text: cloze_text },
                tags,
            );
        } else if find_outside_code(&text, "{{").is_some() {
            push(
                found,
                Syntax::ObsidianCloze,
                line,
                Content::Cloze { text },
                tags,
            );
        } else {
            continue;
        }
        mark(lines, found, start..end);
    }
}

#[cfg(test)]
mod tests;
