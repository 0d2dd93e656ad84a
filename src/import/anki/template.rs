//! Anki's card templates, rendered as Anki renders them: `{{Field}}`, `{{FrontSide}}`,
//! sections `{{#Field}}…{{/Field}}` (shown when the field has text) and `{{^Field}}…{{/Field}}`
//! (when it has none), filters `{{type:Field}}`, `{{hint:Field}}`, `{{text:Field}}` and
//! `{{cloze:Field}}`, and the special fields `Tags`, `Type`, `Deck`, `Subdeck` and `Card`.
//! The result is still HTML; the caller turns it into text.
//!
//! A recall card has a question and an answer, not Anki's answer side (which usually repeats
//! the question): the answer is what follows `<hr id=answer>`, or the answer side without its
//! `{{FrontSide}}`. `{{type:F}}` asks for nothing on the question (recall's own `--type` does
//! that) and shows the field on the answer; a cloze answer is the words its deletions hide.
//!
//! Templates and cloze text come from strangers, so nothing here recurses: each is parsed once,
//! with an explicit stack, into a flat list in which an opening knows where its section or
//! deletion ends, and rendering is one pass over that list that jumps past what it hides. Time
//! and memory are linear in the template and fields, however deep they nest (sections nested
//! 12,000 deep took 80 s and 24,000 overflowed the stack; a cloze nested 100,000 deep did too).
//! Nesting past [`MAX_NESTING`], a side past [`MAX_RENDERED`], or a side whose filters would
//! read more than [`MAX_FIELD_READS`] of field text, is refused with a [`RenderError`] that the
//! importers count as a skipped card.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::store::anki::NoteType;

/// How deep template sections, and cloze deletions, may nest. Real note types nest a few
/// levels and real clozes two or three; the limit only turns away packages made to hurt.
pub const MAX_NESTING: usize = 32;

/// The most one rendered side may hold, in bytes. A template may repeat a field, so a small
/// package could otherwise render gigabytes (`{{F}}` 10,000 times over a 1 MB field); a deck
/// file holds at most 32 MiB, so a side this large could never be written anyway.
pub const MAX_RENDERED: usize = 16 * 1024 * 1024;

/// The most field text one side's `{{…}}` references may read, in bytes (each reference reads
/// its field, and each filter the value before it). A template of 7,000 `{{tts:cloze:F}}`
/// over a 1 MB field renders nothing, yet would parse 7 GB; real sides read a few kilobytes.
pub const MAX_FIELD_READS: usize = 64 * 1024 * 1024;

/// Which side of the card is being rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Question,
    Answer,
}

/// What a card's template can refer to besides the note's fields.
#[derive(Debug, Clone, Default)]
pub struct CardContext<'a> {
    pub tags: &'a [String],
    /// The card's full deck name.
    pub deck: &'a str,
    /// The card's ordinal: its template, or for Cloze note types its deletion number - 1.
    pub ord: u32,
}

/// A card's question and answer, as HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sides {
    pub question: String,
    pub answer: String,
}

/// Why a card was not rendered; the text completes "note 3 (Basic, card 1): …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The card's ordinal names no template.
    NoTemplate,
    /// A template nests sections deeper than [`MAX_NESTING`].
    SectionsTooDeep { depth: usize },
    /// A field shown with `{{cloze:…}}` nests deletions deeper than [`MAX_NESTING`].
    ClozeTooDeep { field: String, depth: usize },
    /// A side would be larger than [`MAX_RENDERED`].
    TooLarge,
    /// A side's references would read more than [`MAX_FIELD_READS`] of field text.
    TooManyReads,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::NoTemplate => write!(f, "the note type has no such template"),
            RenderError::SectionsTooDeep { depth } => write!(
                f,
                "its template nests sections {depth} deep, over the limit of {MAX_NESTING}"
            ),
            RenderError::ClozeTooDeep { field, depth } => write!(
                f,
                "field `{}` nests cloze deletions {depth} deep, over the limit of {MAX_NESTING}",
                crate::display::inert(field)
            ),
            RenderError::TooLarge => write!(
                f,
                "a side renders to more than {} MiB",
                MAX_RENDERED / (1024 * 1024)
            ),
            RenderError::TooManyReads => write!(
                f,
                "a side reads more than {} MiB of its fields (a large field referenced many times)",
                MAX_FIELD_READS / (1024 * 1024)
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// Stands for `{{FrontSide}}` on the answer side until the answer is cut out of it.
const FRONT_SIDE: &str = "\u{0}front-side\u{0}";

/// Renders card `context.ord` of a note of `note_type` with `fields`.
///
/// # Errors
///
/// When the note type has no such template, nests too deep, or a side would be too large
/// (see [`RenderError`]).
pub fn render(
    note_type: &NoteType,
    fields: &[String],
    context: &CardContext<'_>,
) -> Result<Sides, RenderError> {
    let template_index = if note_type.cloze {
        0
    } else {
        context.ord as usize
    };
    let template = note_type
        .templates
        .get(template_index)
        .ok_or(RenderError::NoTemplate)?;
    let values: HashMap<&str, &str> = note_type
        .fields
        .iter()
        .map(String::as_str)
        .zip(fields.iter().map(String::as_str))
        .collect();
    let mut renderer = Renderer {
        fields: &values,
        note_type,
        template: &template.name,
        context,
        has_text: HashMap::new(),
        reads: std::cell::Cell::new(0),
    };
    let question = renderer.render(&parse(&template.question), Side::Question)?;
    let answer = renderer.render(&parse(&template.answer), Side::Answer)?;
    Ok(Sides {
        question,
        answer: answer_part(&answer),
    })
}

/// The answer side without the question it repeats.
fn answer_part(answer: &str) -> String {
    let lower = answer.to_ascii_lowercase();
    let after_rule = ["<hr id=answer>", "<hr id=\"answer\">", "<hr id='answer'>"]
        .iter()
        .filter_map(|rule| lower.find(rule).map(|at| at + rule.len()))
        .min();
    let answer = match after_rule {
        Some(at) => &answer[at..],
        None => answer,
    };
    answer.replace(FRONT_SIDE, "")
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node<'t> {
    Text(&'t str),
    /// `{{…}}`: a field, with its filters (trimmed).
    Replace(&'t str),
    /// `{{#name}}` (or `{{^name}}`, `inverted`); the section's nodes run up to index `end`.
    Section {
        name: &'t str,
        inverted: bool,
        end: usize,
    },
}

/// Something Anki would refuse in a template ("template syntax error"), at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// Byte offset in the template (or index of the field, for field names).
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

/// A template parsed once: its nodes, how deep its sections nest, and its first problem.
struct Parsed<'t> {
    nodes: Vec<Node<'t>>,
    depth: usize,
    problem: Option<TemplateProblem>,
}

/// Parses `template` in one pass with an explicit stack of open sections. Rendering is
/// lenient, as recall has always been: a section never closed runs to the end, a closing tag
/// that matches no open section shows nothing, and one that closes an outer section also ends
/// the sections opened inside it. [`check`] reports each of those as Anki would.
fn parse(template: &str) -> Parsed<'_> {
    let mut nodes = Vec::new();
    // Open sections: (node index, name, where the opening tag starts).
    let mut stack: Vec<(usize, &str, usize)> = Vec::new();
    // How many sections of each name are open, so a closing tag finds its opening without
    // searching the stack (which would be quadratic for many stray closing tags).
    let mut open_names: HashMap<&str, usize> = HashMap::new();
    let mut depth = 0;
    let mut problem: Option<TemplateProblem> = None;
    let mut at = 0;
    while let Some(open) = template[at..].find("{{").map(|i| i + at) {
        if open > at {
            nodes.push(Node::Text(&template[at..open]));
        }
        let Some(close) = template[open + 2..].find("}}").map(|i| i + open + 2) else {
            note(
                &mut problem,
                open,
                "`{{` is never closed".into(),
                "end the field reference with `}}`",
            );
            at = open;
            break;
        };
        let tag = template[open + 2..close].trim();
        at = close + 2;
        if let Some(name) = tag.strip_prefix(['#', '^']) {
            let name = name.trim();
            stack.push((nodes.len(), name, open));
            *open_names.entry(name).or_default() += 1;
            depth = depth.max(stack.len());
            nodes.push(Node::Section {
                name,
                inverted: tag.starts_with('^'),
                end: usize::MAX,
            });
        } else if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            if open_names.get(name).is_none_or(|&n| n == 0) {
                let shown = crate::display::inert(name);
                note(
                    &mut problem,
                    open,
                    format!("`{{{{/{shown}}}}}` closes no section"),
                    &format!("remove it, or open the section with `{{{{#{shown}}}}}`"),
                );
                continue;
            }
            while let Some((index, opened, _)) = stack.pop() {
                if let Some(n) = open_names.get_mut(opened) {
                    *n -= 1;
                }
                let after = nodes.len();
                if let Node::Section { end, .. } = &mut nodes[index] {
                    *end = after;
                }
                if opened == name {
                    break;
                }
                if problem.is_none() {
                    let (name, opened) =
                        (crate::display::inert(name), crate::display::inert(opened));
                    note(
                        &mut problem,
                        open,
                        format!("`{{{{/{name}}}}}` comes before `{{{{/{opened}}}}}`"),
                        "close sections in the reverse order of opening them",
                    );
                }
            }
        } else {
            nodes.push(Node::Replace(tag));
        }
    }
    if at < template.len() {
        nodes.push(Node::Text(&template[at..]));
    }
    if let Some(&(index, name, offset)) = stack.first() {
        let opener = match nodes[index] {
            Node::Section { inverted: true, .. } => '^',
            _ => '#',
        };
        let name = crate::display::inert(name);
        note(
            &mut problem,
            offset,
            format!("`{{{{{opener}{name}}}}}` is never closed"),
            &format!("end the section with `{{{{/{name}}}}}`"),
        );
    }
    let after = nodes.len();
    for (index, _, _) in stack {
        if let Node::Section { end, .. } = &mut nodes[index] {
            *end = after;
        }
    }
    Parsed {
        nodes,
        depth,
        problem,
    }
}

/// Keeps the first problem found.
fn note(problem: &mut Option<TemplateProblem>, offset: usize, message: String, hint: &str) {
    if problem.is_none() {
        *problem = Some(TemplateProblem {
            offset,
            message,
            hint: hint.to_string(),
        });
    }
}

/// Checks a template as Anki parses it: every `{{` closed, every section closed in order, and
/// sections nested at most [`MAX_NESTING`] deep.
///
/// # Errors
///
/// The first problem found, with its byte offset in `template`.
pub fn check(template: &str) -> Result<(), TemplateProblem> {
    let parsed = parse(template);
    if let Some(problem) = parsed.problem {
        return Err(problem);
    }
    if parsed.depth > MAX_NESTING {
        return Err(TemplateProblem {
            offset: 0,
            message: format!(
                "sections nest {} deep, over the limit of {MAX_NESTING}",
                parsed.depth
            ),
            hint: "nest fewer sections".to_string(),
        });
    }
    Ok(())
}

/// Checks a note type's field names as Anki does: each present once, and none that a
/// template could not name (empty, with `:`, `{`, `}` or `"`, or starting with `#`, `^` or
/// `/`).
///
/// # Errors
///
/// The first problem found; its `offset` is the index of the field.
pub fn check_field_names(names: &[String]) -> Result<(), TemplateProblem> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, name) in names.iter().enumerate() {
        let shown = crate::display::inert(name);
        let problem = |message: String, hint: &str| TemplateProblem {
            offset: index,
            message,
            hint: hint.to_string(),
        };
        if name.trim().is_empty() {
            return Err(problem(
                format!("field {} has no name", index + 1),
                "give each field a name",
            ));
        }
        if let Some(bad) = name.chars().find(|c| matches!(c, ':' | '{' | '}' | '"')) {
            return Err(problem(
                format!("field name `{shown}` has `{bad}` in it"),
                "Anki field names cannot hold `:`, `{`, `}` or `\"`",
            ));
        }
        if name.starts_with(['#', '^', '/']) {
            return Err(problem(
                format!("field name `{shown}` starts with `{}`", &name[..1]),
                "Anki field names cannot start with `#`, `^` or `/`",
            ));
        }
        if let Some(first) = seen.insert(name.as_str(), index) {
            return Err(problem(
                format!(
                    "fields {} and {} are both named `{shown}`",
                    first + 1,
                    index + 1
                ),
                "give each field its own name",
            ));
        }
    }
    Ok(())
}

/// Checks a whole note type as a deck file carries it: its field names and every template
/// (see [`check`] and [`check_field_names`]). An import keeps a package's note type with its
/// cards only when this passes, so it never writes a deck file the loader would refuse.
///
/// # Errors
///
/// The first problem found.
pub fn check_note_type(note_type: &crate::deck::anki::AnkiNoteType) -> Result<(), TemplateProblem> {
    check_field_names(&note_type.fields)?;
    for template in &note_type.templates {
        check(&template.qfmt)?;
        check(&template.afmt)?;
    }
    Ok(())
}

struct Renderer<'a> {
    fields: &'a HashMap<&'a str, &'a str>,
    note_type: &'a NoteType,
    template: &'a str,
    context: &'a CardContext<'a>,
    /// Whether each field a section asked about has text: each is converted once, however
    /// many sections ask (each section converted its field again).
    has_text: HashMap<String, bool>,
    /// Bytes of field text read by references on this side (see [`MAX_FIELD_READS`]).
    reads: std::cell::Cell<usize>,
}

impl Renderer<'_> {
    /// One pass over the nodes; a section whose condition fails is jumped over whole.
    fn render(&mut self, parsed: &Parsed<'_>, side: Side) -> Result<String, RenderError> {
        if parsed.depth > MAX_NESTING {
            return Err(RenderError::SectionsTooDeep {
                depth: parsed.depth,
            });
        }
        self.reads.set(0);
        let mut out = String::new();
        let mut at = 0;
        while let Some(node) = parsed.nodes.get(at) {
            at += 1;
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Replace(tag) => out.push_str(&self.replacement(tag, side)?),
                Node::Section {
                    name,
                    inverted,
                    end,
                } => {
                    if self.field_has_text(name) == *inverted {
                        at = *end;
                    }
                }
            }
            if out.len() > MAX_RENDERED {
                return Err(RenderError::TooLarge);
            }
        }
        Ok(out)
    }

    /// Counts `bytes` of field text read, refusing the side past [`MAX_FIELD_READS`].
    fn read(&self, bytes: usize) -> Result<(), RenderError> {
        let total = self.reads.get().saturating_add(bytes);
        self.reads.set(total);
        if total > MAX_FIELD_READS {
            return Err(RenderError::TooManyReads);
        }
        Ok(())
    }

    fn field_has_text(&mut self, name: &str) -> bool {
        if let Some(&known) = self.has_text.get(name) {
            return known;
        }
        let has_text = self
            .special(name)
            .or_else(|| self.fields.get(name).map(|v| (*v).to_string()))
            .is_some_and(|v| !crate::import::html::to_text(&v).trim().is_empty());
        self.has_text.insert(name.to_string(), has_text);
        has_text
    }

    /// The special fields Anki offers every template.
    fn special(&self, name: &str) -> Option<String> {
        Some(match name {
            "Tags" => self.context.tags.join(" "),
            "Type" => self.note_type.name.clone(),
            "Deck" => self.context.deck.to_string(),
            "Subdeck" => self
                .context
                .deck
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_string(),
            "Card" => self.template.to_string(),
            "CardFlag" => String::new(),
            _ => return None,
        })
    }

    /// What `{{filter:…:Field}}` becomes. Filters apply from the field outwards (right to
    /// left), as in Anki.
    fn replacement(&self, tag: &str, side: Side) -> Result<String, RenderError> {
        if tag == "FrontSide" {
            return Ok(match side {
                Side::Question => String::new(),
                Side::Answer => FRONT_SIDE.to_string(),
            });
        }
        let mut parts: Vec<&str> = tag.split(':').map(str::trim).collect();
        let name = parts.pop().unwrap_or_default();
        let raw = self
            .special(name)
            .or_else(|| self.fields.get(name).map(|v| (*v).to_string()))
            .unwrap_or_default();
        let mut value = raw;
        self.read(value.len())?;
        for filter in parts.iter().rev() {
            self.read(value.len())?;
            value = match *filter {
                "cloze" => {
                    let parsed = Cloze::parse(&value);
                    if parsed.depth > MAX_NESTING {
                        return Err(RenderError::ClozeTooDeep {
                            field: name.to_string(),
                            depth: parsed.depth,
                        });
                    }
                    parsed.render(self.context.ord + 1, side)
                }
                "type" => match side {
                    Side::Question => String::new(),
                    Side::Answer => value,
                },
                "hint" if value.trim().is_empty() => String::new(),
                "hint" => format!("[hint: {value}]"),
                "text" => strip_tags(&value),
                "kanji" => furigana(&value, Reading::Kanji),
                "kana" => furigana(&value, Reading::Kana),
                "furigana" => furigana(&value, Reading::Ruby),
                f if f.starts_with("tts") => String::new(),
                // Filters of add-ons: the field as it is.
                _ => value,
            };
        }
        Ok(value)
    }
}

/// What Anki's built-in furigana filters keep of each `BASE[READING]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// `kanji:`: the base.
    Kanji,
    /// `kana:`: the reading.
    Kana,
    /// `furigana:`: the reading above the base, `<ruby><rb>BASE</rb><rt>READING</rt></ruby>`.
    Ruby,
}

/// Anki's `kanji:`, `kana:` and `furigana:` filters (rslib's template filters): each match of
/// ` ?([^ >]+?)\[(.+?)\]` (`.` short of a newline; `&nbsp;` read as a space; a reading
/// starting `sound:` left as it is) becomes what `keep` says. One pass, linear in the text: a
/// start that finds no match leaves every start before the next space or `>` without one too,
/// since their bases end there and their candidate `[`s are a subset.
fn furigana(text: &str, keep: Reading) -> String {
    let text = text.replace("&nbsp;", " ");
    let b = text.as_bytes();
    let n = b.len();
    // close[p]: the first `]` at or after p on p's line.
    let mut close = vec![usize::MAX; n + 1];
    for p in (0..n).rev() {
        close[p] = match b[p] {
            b']' => p,
            b'\n' => usize::MAX,
            _ => close[p + 1],
        };
    }
    let stops = |c: u8| c == b' ' || c == b'>';
    let mut out = String::with_capacity(n);
    let (mut copied, mut pos) = (0, 0);
    while pos < n {
        let start = if b[pos] == b' ' { pos + 1 } else { pos };
        if start >= n || stops(b[start]) {
            pos += 1;
            continue;
        }
        let mut q = start + 1;
        let mut found = None;
        while q < n && !stops(b[q]) {
            if b[q] == b'[' && q + 2 <= n && close[q + 2] != usize::MAX {
                found = Some((q, close[q + 2]));
                break;
            }
            q += 1;
        }
        let Some((open, end)) = found else {
            pos = q.max(pos + 1);
            continue;
        };
        let (base, reading) = (&text[start..open], &text[open + 1..end]);
        out.push_str(&text[copied..pos]);
        if reading.starts_with("sound:") {
            out.push_str(&text[pos..=end]);
        } else {
            match keep {
                Reading::Kanji => out.push_str(base),
                Reading::Kana => out.push_str(reading),
                Reading::Ruby => {
                    out.push_str("<ruby><rb>");
                    out.push_str(base);
                    out.push_str("</rb><rt>");
                    out.push_str(reading);
                    out.push_str("</rt></ruby>");
                }
            }
        }
        pos = end + 1;
        copied = pos;
    }
    out.push_str(&text[copied..]);
    out
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        if let Some(close) = rest[open..].find('>') {
            rest = &rest[open + close + 1..];
        } else {
            out.push_str(&rest[open..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// A mark in cloze text: plain text, or a deletion `{{cN::body::hint}}` (deletions may nest).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark<'t> {
    Text(Cow<'t, str>),
    /// `{{cN::`; its body is the marks up to index `close` (its `}}`).
    Open {
        number: u32,
        close: usize,
        hint: Option<&'t str>,
    },
    Close,
}

/// Cloze text parsed once into a flat list of marks, with how deep its deletions nest.
struct Cloze<'t> {
    marks: Vec<Mark<'t>>,
    depth: usize,
}

impl<'t> Cloze<'t> {
    /// Splits cloze text into marks in one pass, with an explicit stack of open deletions.
    /// Unbalanced markup is kept as text: a `}}` outside any deletion, and a deletion never
    /// closed (its `{{cN::` and what follows, deletions inside it shown as their words), as
    /// Anki shows them.
    fn parse(text: &'t str) -> Cloze<'t> {
        let mut marks: Vec<Mark<'t>> = Vec::new();
        // Each open deletion: the index of its mark and where its `{{cN::` starts.
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let mut depth = 0;
        let mut text_from = 0;
        let mut at = 0;
        let bytes = text.as_bytes();
        while at < bytes.len() {
            if bytes[at] == b'}' && bytes.get(at + 1) == Some(&b'}') && !stack.is_empty() {
                let mut hint = None;
                if text_from < at {
                    let own = &text[text_from..at];
                    // The hint follows the last `::` of the deletion's own text.
                    match own.rfind("::") {
                        Some(split) => {
                            hint = Some(&own[split + 2..]);
                            marks.push(Mark::Text(Cow::Borrowed(&own[..split])));
                        }
                        None => marks.push(Mark::Text(Cow::Borrowed(own))),
                    }
                }
                let close_at = marks.len();
                if let Some((index, _)) = stack.pop()
                    && let Mark::Open {
                        close, hint: slot, ..
                    } = &mut marks[index]
                {
                    *close = close_at;
                    *slot = hint;
                }
                marks.push(Mark::Close);
                at += 2;
                text_from = at;
            } else if let Some((number, len)) = opening(&bytes[at..]) {
                if text_from < at {
                    marks.push(Mark::Text(Cow::Borrowed(&text[text_from..at])));
                }
                stack.push((marks.len(), at));
                depth = depth.max(stack.len());
                marks.push(Mark::Open {
                    number,
                    close: usize::MAX,
                    hint: None,
                });
                at += len;
                text_from = at;
            } else {
                at += 1;
            }
        }
        if text_from < text.len() {
            marks.push(Mark::Text(Cow::Borrowed(&text[text_from..])));
        }
        // Deletions never closed: from the outermost one on, everything is text.
        if let Some(&(first, _)) = stack.first() {
            let unclosed: std::collections::HashSet<usize> =
                stack.iter().map(|&(index, _)| index).collect();
            let mut tail = String::new();
            for (index, mark) in marks.iter().enumerate().skip(first) {
                match mark {
                    Mark::Text(t) => tail.push_str(t),
                    Mark::Open { number, .. } if unclosed.contains(&index) => {
                        tail.push_str(&format!("{{{{c{number}::"));
                    }
                    Mark::Open { .. } | Mark::Close => {}
                }
            }
            marks.truncate(first);
            marks.push(Mark::Text(Cow::Owned(tail)));
        }
        Cloze { marks, depth }
    }

    /// Cloze text for card `number`: on the question its deletions read `[...]` (or `[hint]`)
    /// and the others show their words; on the answer, the words its deletions hide.
    fn render(&self, number: u32, side: Side) -> String {
        let mut out = String::new();
        let mut answers = 0;
        let mut at = 0;
        while let Some(mark) = self.marks.get(at) {
            at += 1;
            match mark {
                Mark::Text(t) if side == Side::Question => out.push_str(t),
                Mark::Open {
                    number: n,
                    close,
                    hint,
                } if *n == number => {
                    if side == Side::Question {
                        out.push('[');
                        out.push_str(hint.map_or("...", str::trim));
                        out.push(']');
                    } else {
                        if answers > 0 {
                            out.push_str(", ");
                        }
                        answers += 1;
                        // Its words: every text inside it, nested deletions shown.
                        for inner in self.marks.get(at..*close).unwrap_or_default() {
                            if let Mark::Text(t) = inner {
                                out.push_str(t);
                            }
                        }
                    }
                    at = close.saturating_add(1);
                }
                Mark::Text(_) | Mark::Open { .. } | Mark::Close => {}
            }
        }
        out
    }

    /// The numbers of its deletions, each once, in increasing order.
    fn numbers(&self) -> Vec<u32> {
        let mut numbers: Vec<u32> = self
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Open { number, .. } => Some(*number),
                Mark::Text(_) | Mark::Close => None,
            })
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    }
}

/// The `{{cN::` at the start of `text`, if there is one: N and its length in bytes.
fn opening(text: &[u8]) -> Option<(u32, usize)> {
    let after = text.strip_prefix(b"{{c")?;
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !after[digits..].starts_with(b"::") {
        return None;
    }
    let number = after[..digits].iter().try_fold(0u32, |n, digit| {
        n.checked_mul(10)?.checked_add(u32::from(digit - b'0'))
    })?;
    Some((number, 3 + digits + 2))
}

/// The numbers of the deletions in cloze text, each once, in increasing order.
pub fn cloze_numbers(text: &str) -> Vec<u32> {
    Cloze::parse(text).numbers()
}

/// How deep the deletions of cloze text nest (0 for none, 1 for `{{c1::…}}`, 2 for a deletion
/// inside another…), counting deletions never closed.
pub fn cloze_depth(text: &str) -> usize {
    Cloze::parse(text).depth
}

/// Cloze text for card `number` (see [`Cloze::render`]).
#[cfg(test)]
fn cloze(text: &str, number: u32, side: Side) -> String {
    Cloze::parse(text).render(number, side)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::anki::Template;

    fn note_type(cloze: bool, fields: &[&str], templates: &[(&str, &str)]) -> NoteType {
        NoteType {
            name: "T".into(),
            cloze,
            fields: fields.iter().map(ToString::to_string).collect(),
            templates: templates
                .iter()
                .enumerate()
                .map(|(i, (q, a))| Template {
                    name: format!("Card {}", i + 1),
                    question: (*q).to_string(),
                    answer: (*a).to_string(),
                })
                .collect(),
            css: String::new(),
        }
    }

    fn card(t: &NoteType, fields: &[&str], ord: u32) -> (String, String) {
        let fields: Vec<String> = fields.iter().map(ToString::to_string).collect();
        let sides = render(
            t,
            &fields,
            &CardContext {
                ord,
                ..CardContext::default()
            },
        )
        .unwrap();
        (sides.question, sides.answer)
    }

    #[test]
    fn basic_and_reverse_cards_answer_after_the_rule() {
        let t = note_type(
            false,
            &["Front", "Back"],
            &[
                ("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),
                ("{{Back}}", "{{FrontSide}}<hr id=\"answer\">{{Front}}"),
            ],
        );
        assert_eq!(
            card(&t, &["Hund", "dog"], 0),
            ("Hund".into(), "\n\ndog".into())
        );
        assert_eq!(card(&t, &["Hund", "dog"], 1), ("dog".into(), "Hund".into()));
    }

    #[test]
    fn sections_show_by_whether_the_field_has_text() {
        let t = note_type(
            false,
            &["Word", "Example"],
            &[(
                "{{Word}}{{#Example}} e.g. {{Example}}{{/Example}}{{^Example}} (none){{/Example}}",
                "{{FrontSide}}",
            )],
        );
        assert_eq!(card(&t, &["Baum", "alt"], 0).0, "Baum e.g. alt");
        assert_eq!(card(&t, &["Baum", "<br>"], 0).0, "Baum (none)");
    }

    #[test]
    fn anki_furigana_filters_keep_the_base_the_reading_or_both() {
        let field = "今日[きょう]は 天気[てんき]が いい。[sound:a.mp3] x[]y";
        assert_eq!(
            furigana(field, Reading::Kanji),
            "今日は天気が いい。[sound:a.mp3] x[]y"
        );
        assert_eq!(
            furigana(field, Reading::Kana),
            "きょうはてんきが いい。[sound:a.mp3] x[]y"
        );
        assert_eq!(
            furigana("漢字[かんじ]", Reading::Ruby),
            "<ruby><rb>漢字</rb><rt>かんじ</rt></ruby>"
        );
        // `>` ends a base, and `&nbsp;` is a space.
        assert_eq!(
            furigana("<b>字[じ]</b>&nbsp;語[ご]", Reading::Kana),
            "<b>じ</b>ご"
        );
        // A reading stops at the end of its line.
        assert_eq!(furigana("a[b\nc]", Reading::Kana), "a[b\nc]");
    }

    /// Hostile input: no `]` anywhere, every start fails; the pass stays linear.
    #[test]
    fn furigana_filters_are_linear_on_text_without_readings() {
        let text = "[".repeat(200_000);
        assert_eq!(furigana(&text, Reading::Kanji), text);
        let spaced = "a[ ".repeat(100_000);
        assert_eq!(furigana(&spaced, Reading::Kana), spaced);
    }

    #[test]
    fn type_hint_and_text_filters() {
        let t = note_type(
            false,
            &["Front", "Back"],
            &[(
                "{{Front}} {{type:Back}}{{hint:Back}}",
                "{{text:Front}}<hr id=answer>{{type:Back}}",
            )],
        );
        assert_eq!(
            card(&t, &["<b>Q</b>", "A"], 0),
            ("<b>Q</b> [hint: A]".into(), "A".into())
        );
    }

    #[test]
    fn cloze_cards_hide_their_own_deletions_with_hints() {
        let t = note_type(
            true,
            &["Text", "Back Extra"],
            &[("{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
        );
        let text = "{{c1::Paris}} is the capital of {{c2::France::country}}, {{c1::yes}}.";
        assert_eq!(
            card(&t, &[text, "Since 508."], 0),
            (
                "[...] is the capital of France, [...].".into(),
                "Paris, yes<br>\nSince 508.".into()
            )
        );
        assert_eq!(
            card(&t, &[text, ""], 1).0,
            "Paris is the capital of [country], yes."
        );
        assert_eq!(cloze_numbers(text), [1, 2]);
    }

    #[test]
    fn sections_nested_past_the_limit_are_refused_without_recursion() {
        // Each section was rendered by a recursive call that searched the rest for its end:
        // 12,000 deep took 80 s and 24,000 overflowed the stack (a test thread's stack much
        // sooner). Now one pass parses it, and the depth is refused before rendering.
        let depth = 20_000;
        let deep = format!("{}x{}", "{{#F}}".repeat(depth), "{{/F}}".repeat(depth));
        let t = note_type(false, &["F"], &[(deep.as_str(), "{{F}}")]);
        let fields = vec!["text".to_string()];
        let sides = render(&t, &fields, &CardContext::default());
        assert_eq!(sides, Err(RenderError::SectionsTooDeep { depth }));
        assert_eq!(
            sides.unwrap_err().to_string(),
            "its template nests sections 20000 deep, over the limit of 32"
        );
        // Never closed, the same.
        let open = "{{^G}}".repeat(depth);
        let t = note_type(false, &["F", "G"], &[(open.as_str(), "{{F}}")]);
        assert_eq!(
            render(&t, &fields, &CardContext::default()),
            Err(RenderError::SectionsTooDeep { depth })
        );
        // At the limit, it renders.
        let limit = format!(
            "{}x{}",
            "{{#F}}".repeat(MAX_NESTING),
            "{{/F}}".repeat(MAX_NESTING)
        );
        let t = note_type(false, &["F"], &[(limit.as_str(), "{{F}}")]);
        assert_eq!(card(&t, &["text"], 0).0, "x");
    }

    #[test]
    fn many_sections_render_each_node_once() {
        // 20,000 sections in a row over a large field: the field is converted to text once,
        // not once per section, and each node is visited once.
        let sections = 20_000;
        let template = "{{#F}}y{{/F}}{{^F}}n{{/F}}".repeat(sections);
        let t = note_type(false, &["F"], &[(template.as_str(), "{{F}}")]);
        let field = "<b>word</b> ".repeat(1_000);
        let (question, _) = card(&t, &[field.as_str()], 0);
        assert_eq!(question, "y".repeat(sections));
    }

    #[test]
    fn a_side_past_the_size_limit_is_refused() {
        // A template may repeat a field: 20 copies of a 1 MiB field is 20 MiB.
        let field = "x".repeat(1024 * 1024);
        let template = "{{F}}".repeat(20);
        let t = note_type(false, &["F"], &[(template.as_str(), "{{F}}")]);
        assert_eq!(
            render(&t, &[field], &CardContext::default()),
            Err(RenderError::TooLarge)
        );
    }

    #[test]
    fn a_side_reading_its_fields_too_often_is_refused() {
        // 100 references through two filters to a 1 MiB field render almost nothing, but
        // read 200 MiB: each cloze parse and tts filter reads the whole field.
        let field = "{{c1::x}}".repeat(1024 * 1024 / 9);
        let template = "{{tts:cloze:F}}".repeat(100);
        let t = note_type(true, &["F"], &[(template.as_str(), "{{F}}")]);
        let refused = render(&t, &[field], &CardContext::default()).unwrap_err();
        assert_eq!(refused, RenderError::TooManyReads);
        assert_eq!(
            refused.to_string(),
            "a side reads more than 64 MiB of its fields (a large field referenced many times)"
        );
    }

    #[test]
    fn lenient_rendering_of_broken_sections_is_kept() {
        let t = note_type(
            false,
            &["A", "B"],
            &[("{{#A}}a{{#B}}b{{/A}}c{{/B}}d{{/Z}}{{#B}}e", "{{FrontSide}}")],
        );
        // `{{/A}}` ends the `{{#B}}` opened inside it; `{{/B}}` and `{{/Z}}` then close
        // nothing; the last section runs to the end.
        assert_eq!(card(&t, &["1", ""], 0).0, "acd");
        assert_eq!(card(&t, &["1", "2"], 0).0, "abcde");
        assert_eq!(card(&t, &["", "2"], 0).0, "cde");
    }

    #[test]
    fn a_cloze_nested_past_the_limit_is_refused_without_recursion() {
        // `{{c1::` 100,000 deep (a 64 KB package) overflowed the stack after 57 s.
        let depth = 100_000;
        let text = format!("{}x{}", "{{c1::".repeat(depth), "}}".repeat(depth));
        assert_eq!(cloze_depth(&text), depth);
        assert_eq!(cloze_numbers(&text), [1]);
        let t = note_type(true, &["Text"], &[("{{cloze:Text}}", "{{cloze:Text}}")]);
        let refused = render(&t, &[text], &CardContext::default()).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "field `Text` nests cloze deletions 100000 deep, over the limit of 32"
        );
        // Rendering itself is one pass at any depth: the outermost deletion of a number
        // hides everything inside it.
        let text = format!("{}x{}", "{{c2::".repeat(depth), "}}".repeat(depth));
        assert_eq!(cloze(&text, 2, Side::Question), "[...]");
        assert_eq!(cloze(&text, 2, Side::Answer), "x");
        assert_eq!(cloze(&text, 1, Side::Question), "x");
    }

    #[test]
    fn unclosed_deletions_become_text_in_linear_time() {
        // Each deletion never closed copied the text of those inside it: quadratic.
        let depth = 100_000;
        let text = format!("a {{{{c1::b}}}} {}", "{{c2::".repeat(depth));
        assert_eq!(cloze_numbers(&text), [1]);
        let shown = cloze(&text, 1, Side::Question);
        assert_eq!(shown.len(), "a [...] ".len() + "{{c2::".len() * depth);
        assert!(shown.ends_with("{{c2::{{c2::"));
        // Deletions closed inside one never closed show as their words, without hints.
        assert_eq!(
            cloze("{{c1::a {{c2::b::h}} c", 2, Side::Question),
            "{{c1::a b c"
        );
    }

    #[test]
    fn hints_come_from_the_deletions_own_last_text() {
        assert_eq!(
            cloze(
                "{{c1::a::h1}} {{c2::x {{c3::y::h3}}::h2}}",
                3,
                Side::Question
            ),
            "a x [h3]"
        );
        assert_eq!(
            cloze(
                "{{c1::a::h1}} {{c2::x {{c3::y::h3}}::h2}}",
                2,
                Side::Question
            ),
            "a [h2]"
        );
        assert_eq!(cloze("{{c2::x {{c3::y::h3}}}}", 2, Side::Question), "[...]");
        assert_eq!(cloze("{{c2::x {{c3::y::h3}}}}", 2, Side::Answer), "x y");
        // A number past u32 is text, and so is a multi-byte character beside the braces.
        assert_eq!(
            cloze("é{{c99999999999::a}}é}}", 1, Side::Question),
            "é{{c99999999999::a}}é}}"
        );
    }

    #[test]
    fn templates_are_checked_as_anki_parses_them() {
        let problem = |t: &str| check(t).unwrap_err();
        assert_eq!(check("{{Front}}{{#Back}}<hr>{{Back}}{{/Back}}"), Ok(()));
        let unclosed = problem("a {{#Front}} b");
        assert_eq!(
            (
                unclosed.offset,
                unclosed.message.as_str(),
                unclosed.hint.as_str()
            ),
            (
                2,
                "`{{#Front}}` is never closed",
                "end the section with `{{/Front}}`"
            )
        );
        assert_eq!(
            problem("{{/Back}}").message,
            "`{{/Back}}` closes no section"
        );
        assert_eq!(
            problem("{{#A}}{{#B}}{{/A}}{{/B}}").message,
            "`{{/A}}` comes before `{{/B}}`"
        );
        assert_eq!(problem("x {{Front").message, "`{{` is never closed");
        assert_eq!(problem("{{^Back}}").message, "`{{^Back}}` is never closed");
        let deep = format!("{}{}", "{{#A}}".repeat(40), "{{/A}}".repeat(40));
        assert_eq!(
            problem(&deep).message,
            "sections nest 40 deep, over the limit of 32"
        );
    }

    #[test]
    fn field_names_are_checked_as_anki_does() {
        let names = |n: &[&str]| n.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(check_field_names(&names(&["Front", "Back"])), Ok(()));
        let twice = check_field_names(&names(&["Front", "Back", "Front"])).unwrap_err();
        assert_eq!(
            (twice.offset, twice.message.as_str()),
            (2, "fields 1 and 3 are both named `Front`")
        );
        assert_eq!(
            check_field_names(&names(&["a{}"])).unwrap_err().message,
            "field name `a{}` has `{` in it"
        );
        assert_eq!(
            check_field_names(&names(&["#x"])).unwrap_err().message,
            "field name `#x` starts with `#`"
        );
        assert_eq!(
            check_field_names(&names(&["a", " "])).unwrap_err().message,
            "field 2 has no name"
        );
    }

    /// Writes a package with one note of a type with `templates` and one field `Text`
    /// holding `fields[0]`, whose cards
    /// have ordinals `ords`, and reads it back: the cards (with whether each keeps its Anki
    /// note type) and the skipped reasons.
    fn through_a_package(
        kind: crate::deck::anki::NoteKind,
        templates: &[(&str, &str)],
        fields: &[&str],
        ords: &[u32],
    ) -> (Vec<(String, String, bool)>, Vec<String>) {
        use crate::deck::anki::{AnkiBorn, AnkiNoteType, AnkiOrigin, AnkiTemplate, rendered_hash};
        use crate::export::{Item, Selection, apkg};
        use std::sync::Arc;
        let mut deck = "[deck]\nid = \"w\"\nname = \"Words\"\ndescription = \"\"\n".to_string();
        for ord in ords {
            let suffix = if *ord == 0 {
                String::new()
            } else {
                format!("/{}", ord + 1)
            };
            deck.push_str(&format!(
                "\n[[card]]\nid = \"anki-g{suffix}\"\nfront = \"Q\"\nback = \"A\"\n"
            ));
        }
        let library = crate::deck::load_sources(&[("w.toml".into(), deck)]).unwrap();
        let note_type = Arc::new(AnkiNoteType {
            id: 1_600_000_000_123,
            name: "Hostile".into(),
            kind,
            fields: vec!["Text".into()],
            templates: templates
                .iter()
                .map(|(q, a)| AnkiTemplate {
                    name: "Card".into(),
                    qfmt: (*q).to_string(),
                    afmt: (*a).to_string(),
                })
                .collect(),
            css: String::new(),
        });
        let born: Vec<AnkiBorn> = library
            .cards
            .iter()
            .zip(ords)
            .map(|(card, ord)| AnkiBorn {
                origin: AnkiOrigin {
                    notetype: note_type.id,
                    ord: *ord,
                    fields: fields.iter().map(ToString::to_string).collect(),
                    rendered: rendered_hash(&card.front, &card.back),
                    flags: 0,
                },
                note_type: note_type.clone(),
            })
            .collect();
        let items: Vec<Item<'_>> = library
            .cards
            .iter()
            .zip(&born)
            .map(|(card, born)| Item {
                card,
                deck: &library.decks[0],
                anki: Some(born),
                cloze: None,
            })
            .collect();
        let mut selection = Selection::default();
        for item in &items {
            selection.add_item(item);
        }
        let mut writer = apkg::Writer::start(&selection, 1_767_225_600_000).unwrap();
        for item in &items {
            writer.card(item).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.apkg");
        writer
            .finish(std::fs::File::create(&path).unwrap())
            .unwrap();
        let read = crate::import::read(&path).unwrap();
        let cards = read
            .cards
            .iter()
            .map(|c| (c.front.clone(), c.back.clone(), c.anki.is_some()))
            .collect();
        (cards, read.skipped)
    }

    #[test]
    fn a_package_nesting_too_deep_is_read_with_those_cards_skipped_and_counted() {
        use crate::deck::anki::NoteKind;
        // A cloze field nested 100,000 deep (the 64 KB package that aborted after 57 s): its
        // card is skipped with the reason, the package's other cards still arrive.
        let depth = 100_000;
        let nested = format!("{}x{}", "{{c1::".repeat(depth), "}}".repeat(depth));
        let (cards, skipped) = through_a_package(
            NoteKind::Cloze,
            &[("{{cloze:Text}}", "{{cloze:Text}}")],
            &[nested.as_str()],
            &[0],
        );
        assert_eq!(cards, []);
        assert_eq!(
            skipped,
            [
                "note 1 (Hostile, cloze 1): field `Text` nests cloze deletions 100000 deep, over the limit of 32"
            ]
        );
        // Sections nested 24,000 deep (the 58 KB package that aborted).
        let depth = 24_000;
        let deep = format!(
            "{}{{{{Text}}}}{}",
            "{{#Text}}".repeat(depth),
            "{{/Text}}".repeat(depth)
        );
        let (cards, skipped) = through_a_package(
            NoteKind::Standard,
            &[(deep.as_str(), "{{Text}}"), ("{{Text}}?", "{{Text}}!")],
            &["word"],
            &[0, 1],
        );
        // The other card arrives, but not as a card of that note type: a deck file holding
        // the type would not load.
        assert_eq!(cards, [("word?".to_string(), "word!".to_string(), false)]);
        assert_eq!(
            skipped,
            [
                "note 1 (Hostile, card 1): its template nests sections 24000 deep, over the limit of 32"
            ]
        );
    }

    #[test]
    fn nested_and_broken_cloze_text() {
        let text = "{{c1::outer {{c2::inner}} end}} and {{c3::open";
        assert_eq!(
            cloze(text, 2, Side::Question),
            "outer [...] end and {{c3::open"
        );
        assert_eq!(cloze(text, 1, Side::Answer), "outer inner end");
        assert_eq!(cloze_numbers(text), [1, 2]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::store::anki::Template;
    use proptest::prelude::*;

    proptest! {
        /// Templates and fields from a stranger's package never make rendering panic.
        #[test]
        fn any_template_and_fields_render_without_panicking(
            question in "(\\{\\{[#^/]?(cloze:|type:|hint:|text:)?(F|G|FrontSide)?\\}\\}|[a-zé<>:{} ]){0,12}",
            answer in "(\\{\\{[#^/]?(cloze:)?(F|G|FrontSide)\\}\\}|<hr id=answer>|[a-z: ]){0,12}",
            field in "(\\{\\{c[0-9]::|::|\\}\\}|[a-zé ]){0,16}",
            cloze in any::<bool>(),
            ord in 0u32..4,
        ) {
            let note_type = NoteType {
                name: "T".into(),
                cloze,
                fields: vec!["F".into(), "G".into()],
                templates: vec![Template { name: "C".into(), question, answer }],
                css: String::new(),
            };
            let context = CardContext { ord, ..CardContext::default() };
            let _ = render(&note_type, &[field.clone(), field.clone()], &context);
            let _ = cloze_numbers(&field);
        }
    }
}
