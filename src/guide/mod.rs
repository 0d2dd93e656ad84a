//! The guide compiler: a study guide in Markdown → TOML decks, one per section that holds
//! cards. Pure: text in, cards and decks out; `cmd/compile.rs` does the file work.
//!
//! Cards come from two places:
//! - card blocks written in the guide (`> **Q:**` … `> **A:**`, `> **C:**` cloze text, or
//!   `> **List:**` list cloze text);
//! - enumerations (lists of 3–15 short items): one overlapping cloze card per item, showing
//!   the lead-in and at most the two items before the blank, the rest hidden. A list whose
//!   items have cards of their own opts out with `<!-- recall: no-cards -->`.
//!
//! A list item tagged `(Junior+)`, `(Senior+)` or `(Principal+)` makes no card of its own (a
//! card asking for a level label tests nothing an interviewer asks); the tag becomes the
//! `level` of the enumeration cards made from it.
//!
//! Lints (warnings; `recall compile --strict` makes them errors), each naming the card id:
//! a front that contains its own answer, a card showing more than two other items of a set,
//! a set card hiding an item that follows from the shown items of an ordered sequence
//! (`2xx` after `1xx`, "billion" after "million"), an answer over [`MAX_ANSWER_WORDS`]
//! words, two cards with the same front, and the garbage lints: an empty lead-in, an answer
//! that is a question, a one-word answer to a why/how question, a heading or a link as the
//! whole answer. Lists make enumeration cards only when a lead-in ending in a colon introduces
//! them, none of their items is a link or an image, and their section is no reference section
//! ("Further reading", "See also" …).
//!
//! Card ids are derived from content that identifies the card, never from positions, so
//! reordering sections or adding cards keeps every existing id (see [`crate::ids`]).

mod block;
pub mod emit;
pub mod inline;
pub mod outline;
pub mod report;

use std::collections::HashMap;

use serde::Serialize;

use crate::cloze;
use crate::error::{Problem, Problems};
use crate::ids;
use crate::types::Level;
use block::Body;
use outline::Outline;

/// Answers longer than this draw a lint warning: a long answer is half-remembered forever.
pub const MAX_ANSWER_WORDS: usize = 40;
/// A card may show at most this many other items of the set it asks about: more, and it can
/// be answered by elimination.
pub const MAX_SHOWN_ITEMS: usize = cloze::LIST_CONTEXT;
/// Lists whose items are all at most this many words are enumerations worth cloze cards.
pub const MAX_ENUMERATION_ITEM_WORDS: usize = 8;
const ENUMERATION_ITEMS: std::ops::RangeInclusive<usize> = 3..=15;

/// Where a card came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Origin {
    Question,
    Cloze,
    /// From a `**List:**` block.
    List,
    Enumeration,
    /// From an inline syntax of another tool (`Q::A`, `{{c1::…}}`, a `#card` block …).
    Inline(inline::Syntax),
}

impl Origin {
    /// Whether the card hides one item of a set or sentence (cloze, list, enumeration), so
    /// the set lints apply to it.
    pub fn is_set(self) -> bool {
        match self {
            Origin::Question => false,
            Origin::Cloze | Origin::List | Origin::Enumeration => true,
            Origin::Inline(syntax) => syntax.is_cloze(),
        }
    }

    /// The syntax's name for reports: `recall-question`, `enumeration`, `obsidian-cloze` …
    pub fn name(self) -> &'static str {
        match self {
            Origin::Question => "recall-question",
            Origin::Cloze => "recall-cloze",
            Origin::List => "recall-list",
            Origin::Enumeration => "enumeration",
            Origin::Inline(syntax) => syntax.name(),
        }
    }
}

/// A card compiled from the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideCard {
    pub id: String,
    pub origin: Origin,
    pub front: String,
    pub back: String,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    /// Index into [`Compiled::outline`]'s sections.
    pub section: usize,
    /// 1-based guide line.
    pub line: usize,
    /// How many other items of the same set (cloze deletions, list items) the front shows.
    pub shown_items: usize,
}

/// A compiled guide: its outline, its cards in guide order, and lint findings.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// How the guide is named in messages (its path as given).
    pub path: String,
    /// The guide's file name, e.g. `fundamentals-of-backend-engineering.md`.
    pub file_name: String,
    pub outline: Outline,
    pub cards: Vec<GuideCard>,
    pub warnings: Vec<Problem>,
}

impl Compiled {
    /// `"Section > Subsection (file.md:LINE)"`, the `source` written on each card.
    pub fn source(&self, card: &GuideCard) -> String {
        let path = &self.outline.sections[card.section].path;
        format!("{} ({}:{})", path.join(" > "), self.file_name, card.line)
    }
}

/// Compiled cards whose id is already the id of a loaded card from elsewhere (a bundled deck,
/// a deck of your own, another guide): one located error per card, naming the card that has
/// the id and how to rename this one. Loaded cards compiled from a guide of the same file
/// name are earlier compiles of these very cards, and never clash. Pure: `loaded` is what the
/// caller read.
pub fn collisions(compiled: &[Compiled], loaded: &[crate::deck::Card]) -> Vec<Problem> {
    let by_id: HashMap<&str, &crate::deck::Card> =
        loaded.iter().map(|c| (c.id.0.as_str(), c)).collect();
    let mut problems = Vec::new();
    for guide in compiled {
        for card in &guide.cards {
            let Some(other) = by_id.get(card.id.as_str()) else {
                continue;
            };
            let same_guide = other
                .source
                .as_deref()
                .and_then(parse_source)
                .is_some_and(|(file, _)| file == guide.file_name);
            if same_guide {
                continue;
            }
            problems.push(problem(
                &guide.path,
                card.line,
                format!(
                    "card id `{}` is already the id of card \"{}\" at {} (deck `{}`); loading both would fail",
                    card.id, other.front, other.location, other.deck
                ),
                "reword this card's question so it gets its own id; in a `> **Q:**` block you can pin one with `> **Id:** my-own-id`",
            ));
        }
    }
    problems
}

/// Parses a card's `source` back into the guide file name and line, for showing the passage.
pub fn parse_source(source: &str) -> Option<(&str, usize)> {
    let inner = source.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    let (file, line) = inner[open + 2..].rsplit_once(':')?;
    Some((file, line.parse().ok()?))
}

/// The passage of guide `text` that holds `line`: its section's own text without card blocks.
pub fn passage_at(text: &str, line: usize) -> Option<String> {
    let outline = outline::parse(text);
    let section = outline.sections.iter().rev().find(|s| s.line <= line)?;
    Some(outline::passage(text, section))
}

fn problem(path: &str, line: usize, message: String, hint: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        line,
        column: 1,
        message,
        hint: Some(hint.into()),
    }
}

/// `Some(level)` and the item text without its tag, for items ending in `(Senior+)` etc.
fn seniority(item: &str) -> Option<(Level, String)> {
    let trimmed = item.trim_end_matches(['.', ' ']);
    let inner = trimmed.strip_suffix("+)")?;
    let open = inner.rfind('(')?;
    let level = inner[open + 1..].parse::<Level>().ok()?;
    let text = inner[..open]
        .trim_end_matches([' ', ',', ':', '.'])
        .to_string();
    Some((level, text))
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Compiles one guide. `path` is how the guide is named in messages; `file_name` is written
/// into each card's source. Malformed card blocks are errors (all of them, located); lint
/// findings are returned as warnings.
pub fn compile(path: &str, file_name: &str, text: &str) -> Result<Compiled, Problems> {
    let mut outline = outline::parse(text);
    let written = inline::read(text);
    let before_headings = |line: usize| outline.sections.first().is_none_or(|s| line < s.line);
    if written.cards.iter().any(|c| before_headings(c.line)) {
        file_section(&mut outline, file_name, text);
    }
    let mut found = Findings {
        path,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut cards = found.authored_cards(&outline);
    cards.extend(found.inline_cards(&outline, &written));
    let (listed, fragments) = structural_cards(&outline, &written.lines);
    cards.extend(listed);
    found.lint_fragments(&fragments);
    cards.sort_by_key(|c| c.line);
    found.lint(&outline, &mut cards);
    let Findings {
        mut errors,
        mut warnings,
        ..
    } = found;
    if !errors.is_empty() {
        errors.sort_by_key(|p| p.line);
        return Err(Problems(errors));
    }
    warnings.sort_by_key(|p| p.line);
    Ok(Compiled {
        path: path.to_string(),
        file_name: file_name.to_string(),
        outline,
        cards,
        warnings,
    })
}

/// Notes without headings (an Obsidian note, a hashcards deck) still make cards: the text
/// before the first heading becomes a section named after the file (`aws-notes.md` → `aws-notes`).
fn file_section(outline: &mut Outline, file_name: &str, text: &str) {
    let title = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .to_string();
    let end = outline.sections.first().map_or(text.len(), |s| {
        // The first heading starts at its line; its section body starts after it.
        text.lines()
            .take(s.line - 1)
            .map(|l| l.len() + 1)
            .sum::<usize>()
            .min(text.len())
    });
    outline.sections.insert(
        0,
        outline::Section {
            title: title.clone(),
            depth: 1,
            path: vec![title],
            line: 1,
            body: 0..end,
            has_prose: true,
            has_subsections: false,
        },
    );
    for list in &mut outline.lists {
        list.section = Some(list.section.map_or(0, |s| s + 1));
    }
    for quote in &mut outline.quotes {
        quote.section = Some(quote.section.map_or(0, |s| s + 1));
    }
}

/// The section holding guide `line`: the last one whose heading is at or above it.
fn section_at(outline: &Outline, line: usize) -> usize {
    outline
        .sections
        .iter()
        .rposition(|s| s.line <= line)
        .unwrap_or(0)
}

fn section_tag(outline: &Outline, section: usize) -> String {
    ids::slug(&outline.sections[section].title, 8)
}

/// Errors and lint warnings found while compiling one guide.
struct Findings<'a> {
    path: &'a str,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Findings<'_> {
    fn warn(&mut self, line: usize, message: String, hint: &str) {
        self.warnings.push(problem(self.path, line, message, hint));
    }

    fn error(&mut self, line: usize, message: String, hint: impl Into<String>) {
        self.errors.push(problem(self.path, line, message, hint));
    }

    /// Cards from the card blocks written in the guide.
    fn authored_cards(&mut self, outline: &Outline) -> Vec<GuideCard> {
        let mut cards: Vec<GuideCard> = Vec::new();
        for quote in &outline.quotes {
            let block = match block::parse(&quote.source, quote.line) {
                Ok(Some(block)) => block,
                Ok(None) => continue,
                Err(e) => {
                    self.error(e.line, e.message, e.hint);
                    continue;
                }
            };
            let Some(section) = quote.section else {
                self.error(
                    block.line,
                    "card block before the first heading".into(),
                    "put it under the heading of the section it belongs to",
                );
                continue;
            };
            let mut tags = vec![section_tag(outline, section)];
            if block.tags.is_empty() {
                self.warn(
                    block.line,
                    "card has no topic tags".into(),
                    "add a line `> **Tags:** topic` so filters can find it",
                );
            }
            // A topic tag that is also the section's slug (`database` in the Database
            // section) is kept once.
            for tag in &block.tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            match &block.body {
                Body::Question { front, back } => {
                    let id = block.id.clone().unwrap_or_else(|| ids::question(front));
                    if back.is_empty() {
                        self.warn(
                            block.answer_line,
                            format!("card `{id}`: empty answer; the card is left out"),
                            "write the answer after `**A:**`",
                        );
                        continue;
                    }
                    cards.push(GuideCard {
                        id,
                        origin: Origin::Question,
                        front: front.clone(),
                        back: back.clone(),
                        tags,
                        level: block.level,
                        section,
                        line: block.line,
                        shown_items: 0,
                    });
                }
                Body::Cloze { text } | Body::List { text } => {
                    let list = matches!(block.body, Body::List { .. });
                    let expanded = if list {
                        cloze::expand_list(text)
                    } else {
                        cloze::expand(text)
                    };
                    let expanded = match expanded {
                        Ok(expanded) => expanded,
                        Err(e) => {
                            self.error(
                                block.answer_line,
                                e.message,
                                "mark each hidden part as {{hidden words}}",
                            );
                            continue;
                        }
                    };
                    let plain = cloze::plain(text).unwrap_or_default();
                    let deletions = expanded.len();
                    for (n, card) in expanded.into_iter().enumerate() {
                        let id = match &block.id {
                            Some(pinned) => ids::pinned_cloze(pinned, &card),
                            None => ids::cloze(&plain, &card),
                        };
                        cards.push(GuideCard {
                            id,
                            origin: if list { Origin::List } else { Origin::Cloze },
                            front: card.front,
                            back: card.answer,
                            tags: tags.clone(),
                            level: block.level,
                            section,
                            line: block.line,
                            shown_items: if list {
                                n.min(cloze::LIST_CONTEXT)
                            } else {
                                deletions - 1
                            },
                        });
                    }
                }
            }
        }

        cards
    }

    /// Cards written in other tools' inline syntaxes (see [`inline`]). A card written wrongly
    /// makes no card and a warning naming its line.
    fn inline_cards(&mut self, outline: &Outline, written: &inline::Found) -> Vec<GuideCard> {
        for skipped in &written.skipped {
            self.warn(skipped.line, skipped.message.clone(), &skipped.hint);
        }
        let mut cards = Vec::new();
        for card in &written.cards {
            let section = section_at(outline, card.line);
            // A reading list's `**Book** — author` or table of links is no fact to learn;
            // explicit cards (`Q::A`, clozes) still count there.
            let implicit = matches!(
                card.syntax,
                inline::Syntax::BoldTerm | inline::Syntax::DefinitionList | inline::Syntax::Table
            );
            if implicit && is_reference_section(&outline.sections[section].title) {
                continue;
            }
            let mut tags = vec![section_tag(outline, section)];
            for tag in &card.tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            let origin = Origin::Inline(card.syntax);
            let made = |id: String, front: String, back: String, shown_items: usize| GuideCard {
                id,
                origin,
                front,
                back,
                tags: tags.clone(),
                level: None,
                section,
                line: card.line,
                shown_items,
            };
            match &card.content {
                inline::Content::Question { front, back } => {
                    cards.push(made(ids::question(front), front.clone(), back.clone(), 0));
                }
                inline::Content::Cloze { text } => {
                    let expanded = match cloze::expand(text) {
                        Ok(expanded) => expanded,
                        Err(e) => {
                            self.warn(
                                card.line,
                                format!("{}; no card made", e.message),
                                "mark each hidden part as {{hidden words}} (or ==hidden words==)",
                            );
                            continue;
                        }
                    };
                    let plain = cloze::plain(text).unwrap_or_default();
                    let others = expanded.len().saturating_sub(1);
                    for deletion in expanded {
                        cards.push(made(
                            ids::cloze(&plain, &deletion),
                            deletion.front.clone(),
                            deletion.answer.clone(),
                            others,
                        ));
                    }
                }
                inline::Content::Numbered {
                    cards: numbered,
                    plain,
                } => {
                    let others = numbered.len().saturating_sub(1);
                    for deletion in numbered {
                        cards.push(made(
                            ids::cloze(plain, deletion),
                            deletion.front.clone(),
                            deletion.answer.clone(),
                            others,
                        ));
                    }
                }
            }
        }
        cards
    }

    /// Card lints (see the module documentation), then clashing ids and sections without
    /// cards. Of two cards with the same front the later one is dropped.
    fn lint(&mut self, outline: &Outline, cards: &mut Vec<GuideCard>) {
        let mut fronts: HashMap<String, (usize, String)> = HashMap::new();
        cards.retain(|card| {
            let key = ids::normalize(&card.front);
            if let Some((line, first)) = fronts.get(&key) {
                self.warn(
                    card.line,
                    format!(
                        "card `{}` has the same front as card `{first}` at line {line}; it is left out",
                        card.id
                    ),
                    "reword one of them so each asks something distinct",
                );
                return false;
            }
            fronts.insert(key, (card.line, card.id.clone()));
            true
        });
        let titles: Vec<String> = outline
            .sections
            .iter()
            .map(|s| ids::normalize(&s.title))
            .collect();
        for card in cards.iter() {
            self.lint_card(card);
            self.lint_garbage(card, &titles);
        }
        let mut ids_seen: HashMap<String, usize> = HashMap::new();
        for card in cards.iter() {
            if let Some(first) = ids_seen.get(&card.id) {
                self.error(
                    card.line,
                    format!(
                        "card id `{}` is also the id of the card at line {first}",
                        card.id
                    ),
                    "give one of them a distinct question, or pin an id with `> **Id:** ...`",
                );
            } else {
                ids_seen.insert(card.id.clone(), card.line);
            }
        }
        for (i, section) in outline.sections.iter().enumerate() {
            let needs_cards = section.has_prose || !section.has_subsections;
            let is_title = section.depth == 1 && !section.has_prose;
            if needs_cards
                && !is_title
                && !is_reference_section(&section.title)
                && !cards.iter().any(|c| c.section == i)
            {
                self.warn(
                    section.line,
                    format!("section \"{}\" has no cards", section.title),
                    "add a card block (`> **Q:** ...`) for what the section teaches",
                );
            }
        }
    }

    /// The lints against garbage cards, the kind a careless list or note makes: an empty
    /// lead-in, an answer that is a question, a one-word answer to a why/how question, and a
    /// heading or a link as the whole answer.
    fn lint_garbage(&mut self, card: &GuideCard, section_titles: &[String]) {
        let id = &card.id;
        let back = card.back.trim();
        let empty_lead = match card.origin {
            Origin::Enumeration => card.front.starts_with(" ("),
            Origin::List => card.front.starts_with("[...]") || card.front.starts_with('…'),
            _ => false,
        };
        if empty_lead {
            self.warn(
                card.line,
                format!("card `{id}`: the list has an empty lead-in, so its front does not say what set it asks about"),
                "introduce the list with a sentence ending in a colon, e.g. `The isolation levels:`",
            );
        }
        if back.ends_with('?') {
            self.warn(
                card.line,
                format!("card `{id}`: the answer \"{back}\" is a question"),
                "write what the learner should recall as the answer, and ask the question on the front",
            );
        }
        if !card.origin.is_set() && word_count(back) == 1 && asks_why_or_how(&card.front) {
            self.warn(
                card.line,
                format!("card `{id}`: a one-word answer \"{back}\" to a why/how question"),
                "answer with the reason or the mechanism, or ask a what/which question",
            );
        }
        let heading = back.starts_with('#')
            || (!back.is_empty() && section_titles.contains(&ids::normalize(back)));
        if heading || inline::is_link_only(back) {
            self.warn(
                card.line,
                format!(
                    "card `{id}`: the whole answer is a {} (\"{back}\")",
                    if heading { "heading" } else { "link" }
                ),
                "write the fact itself as the answer; a heading or a link is not something to recall",
            );
        }
    }

    /// A step word alone among items that are phrases of four words or more (`Return` after
    /// "Cache synchronously writes entry to data store"): a leftover, not a fact, so it made
    /// no card. `fragments` are `(line, id, item)` from [`structural_cards`].
    fn lint_fragments(&mut self, fragments: &[(usize, String, String)]) {
        for (line, _, item) in fragments {
            self.warn(
                *line,
                format!("list item \"{item}\" is one word among items that are phrases, a leftover step rather than a fact to recall, so it makes no card"),
                "write the step out as a phrase (\"Return the entry to the caller\"), or put `<!-- recall: no-cards -->` before the list",
            );
        }
    }

    /// The lints about one card's own text.
    fn lint_card(&mut self, card: &GuideCard) {
        let id = &card.id;
        if contains_words(&card.front, &card.back) {
            self.warn(
                card.line,
                format!(
                    "card `{id}`: the front contains its own answer \"{}\"",
                    card.back
                ),
                "reword the front so it asks for the answer instead of showing it",
            );
        }
        if card.shown_items > MAX_SHOWN_ITEMS {
            self.warn(
                card.line,
                format!(
                    "card `{id}` shows {} other items of its set, over {MAX_SHOWN_ITEMS}: it can be answered by elimination",
                    card.shown_items
                ),
                "write the set as `> **List:**` (same {{...}} marks), which shows only the two items before the blank, or split it",
            );
        }
        if card.origin.is_set()
            && let Some(shown) = sequence_neighbour(&card.front, &card.back)
        {
            self.warn(
                card.line,
                format!(
                    "card `{id}`: the hidden \"{}\" follows from \"{shown}\" on the front (the next or previous item of an ordered sequence)",
                    card.back
                ),
                "hide what each item means instead (`4xx means [...]`), or ask a question card about it",
            );
        }
        let words = word_count(&card.back);
        if words > MAX_ANSWER_WORDS {
            self.warn(
                card.line,
                format!("card `{id}`: answer is {words} words, over {MAX_ANSWER_WORDS}"),
                "keep one fact or idea per card: shorten it or split it into several cards",
            );
        }
    }
}

/// Whether `front` asks why or how (not "how many", "how long" …, which a number answers).
fn asks_why_or_how(front: &str) -> bool {
    const MEASURES: &[&str] = &[
        "many", "much", "long", "often", "big", "large", "old", "far", "fast", "few", "small",
    ];
    let words: Vec<String> = front
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        w == "why"
            || (w == "how"
                && words
                    .get(i + 1)
                    .is_none_or(|next| !MEASURES.contains(&next.as_str())))
    })
}

/// Whether `answer`'s words appear, in order and together, among `front`'s words (case and
/// punctuation ignored): a front that shows its answer tests reading, not recall.
fn contains_words(front: &str, answer: &str) -> bool {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (front, answer) = (words(front), words(answer));
    !answer.is_empty() && front.windows(answer.len()).any(|w| w == answer.as_slice())
}

/// Ordered sequences of magnitude words: a hidden member next to a shown one is given away
/// (×1000, ×1024), so a card hiding it tests arithmetic on the front, not recall.
const MAGNITUDE_SEQUENCES: &[&[&str]] = &[
    &["thousand", "million", "billion", "trillion", "quadrillion"],
    &["kilo", "mega", "giga", "tera", "peta", "exa"],
    &[
        "kilobyte", "megabyte", "gigabyte", "terabyte", "petabyte", "exabyte",
    ],
    &[
        "kilobytes",
        "megabytes",
        "gigabytes",
        "terabytes",
        "petabytes",
        "exabytes",
    ],
    &["kb", "mb", "gb", "tb", "pb", "eb"],
    &["kib", "mib", "gib", "tib", "pib", "eib"],
];

/// Whether `a` and `b` are the same token but for a leading digit one apart, like `3xx` and
/// `4xx` or `10` and `20`.
fn digit_neighbours(a: &str, b: &str) -> bool {
    let (Some(x), Some(y)) = (a.chars().next(), b.chars().next()) else {
        return false;
    };
    let (Some(x), Some(y)) = (x.to_digit(10), y.to_digit(10)) else {
        return false;
    };
    a.len() > 1 && a[1..] == b[1..] && x.abs_diff(y) == 1
}

/// The word on a set card's `front` from which its hidden `answer` follows, if the answer is
/// one word of an ordered sequence and its neighbour in that sequence is in view: `4xx` next
/// to `3xx` (a leading digit one apart), "billion" next to "million" (a magnitude sequence).
fn sequence_neighbour(front: &str, answer: &str) -> Option<String> {
    let answer = answer.trim().trim_end_matches('.').to_lowercase();
    if answer.is_empty() || !answer.chars().all(char::is_alphanumeric) {
        return None;
    }
    let words = front
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase);
    let position = |word: &str| {
        MAGNITUDE_SEQUENCES
            .iter()
            .enumerate()
            .find_map(|(s, seq)| seq.iter().position(|w| *w == word).map(|i| (s, i)))
    };
    let hidden = position(&answer);
    words.into_iter().find(|word| {
        digit_neighbours(word, &answer)
            || matches!(
                (hidden, position(word)),
                (Some((s, i)), Some((t, j))) if s == t && i.abs_diff(j) == 1
            )
    })
}

/// Section titles whose lists are pointers elsewhere (reading lists, credits), never facts to
/// learn: no enumeration cards, and no "section has no cards" lint.
const REFERENCE_SECTIONS: &[&str] = &[
    "further reading",
    "references",
    "reference",
    "see also",
    "sources",
    "source",
    "credits",
    "bibliography",
    "external links",
    "links",
    "resources",
    "additional resources",
    "reading list",
    "acknowledgements",
    "acknowledgments",
    "related",
    "related reading",
    "notes and references",
    "citations",
];

/// Whether a section's title names a reference section (`Further reading`, `References`,
/// `See also`, `Sources`, `Credits` and the like; case, numbering and punctuation ignored).
pub fn is_reference_section(title: &str) -> bool {
    let words: String = title
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    REFERENCE_SECTIONS.contains(&words.as_str())
}

/// Whether a list's lead-in introduces a set: it ends with a colon (before a `(Senior+)` tag).
fn introduces_a_set(lead: &str) -> bool {
    let lead = lead.trim_end();
    lead.ends_with(':')
        || lead.rfind('(').is_some_and(|open| {
            lead[open..].ends_with("+)") && lead[..open].trim_end().ends_with(':')
        })
}

/// Whether a one-word list item is a step of a procedure left without its object ("Return",
/// "Repeat", "Done") or a placeholder ("etc."), rather than a thing of the set.
//
// Any one word among phrases was taken for a leftover, which flagged real members of a set:
// "Luck" among "Years of hard work on one problem" and the like. Telling a verb from a noun in
// general needs a tagger; the leftovers met in notes are these few words.
fn is_leftover_step(item: &str) -> bool {
    const LEFTOVERS: &[&str] = &[
        "return", "done", "end", "repeat", "exit", "stop", "finish", "continue", "retry",
        "respond", "reply", "etc", "others", "more", "tbd", "todo",
    ];
    let word = item.trim().trim_end_matches(['.', '!', '…']).to_lowercase();
    LEFTOVERS.contains(&word.as_str())
}

/// Enumeration cards from the guide's lists: one per item, showing the lead-in, the item's
/// position and at most the [`MAX_SHOWN_ITEMS`] items before it; the items after it stay
/// hidden. A `(Senior+)`-style tag on the lead-in or an item sets the card's level.
///
/// Also returns the one-word items of lists whose other items are phrases, as
/// `(line, id, item)`, for [`Findings::lint_fragments`].
fn structural_cards(
    outline: &Outline,
    inline_lines: &std::collections::BTreeSet<usize>,
) -> (Vec<GuideCard>, Vec<(usize, String, String)>) {
    let mut cards = Vec::new();
    let mut fragments = Vec::new();
    for list in &outline.lists {
        // A list before the first heading belongs to no section and makes no cards.
        let (Some(section), true) = (list.section, list.cards) else {
            continue;
        };
        // A list of inline cards (`- **Term**: …`, `- Q::A`) already made its cards.
        if list
            .items
            .iter()
            .any(|(_, line)| inline_lines.contains(line))
        {
            continue;
        }
        // Garbage guards: only a list its text introduces as a set (a lead-in ending in a
        // colon), never links or images ("Further reading"), never a reference section.
        if !introduces_a_set(&list.lead)
            || list.linked.iter().any(|linked| *linked)
            || is_reference_section(&outline.sections[section].title)
        {
            continue;
        }
        let items: Vec<(String, Option<Level>)> = list
            .items
            .iter()
            .map(|(item, _)| {
                seniority(item).map_or_else(
                    || (item.trim_end_matches('.').to_string(), None),
                    |(level, text)| (text, Some(level)),
                )
            })
            .collect();
        let is_enumeration = ENUMERATION_ITEMS.contains(&items.len())
            && items
                .iter()
                .all(|(i, _)| !i.is_empty() && word_count(i) <= MAX_ENUMERATION_ITEM_WORDS);
        if !is_enumeration {
            continue;
        }
        let (lead, lead_level) = seniority(&list.lead)
            .map_or_else(|| (list.lead.clone(), None), |(level, t)| (t, Some(level)));
        let lead = lead.trim_end_matches([':', '.', ' ']).to_string();
        for (n, (item, _)) in items.iter().enumerate() {
            let others: usize = items
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != n)
                .map(|(_, (other, _))| word_count(other))
                .sum();
            let average = others as f64 / (items.len() - 1).max(1) as f64;
            if word_count(item) == 1 && average >= 4.0 && is_leftover_step(item) {
                fragments.push((list.items[n].1, ids::enumeration(&lead, item), item.clone()));
            }
        }
        for (n, (item, level)) in items.iter().enumerate() {
            // A leftover is garbage as a card: "(3 of 3)" answered by "Return".
            if fragments
                .last()
                .is_some_and(|(line, _, _)| *line == list.items[n].1)
            {
                continue;
            }
            let mut front = format!("{lead} ({} of {}):", n + 1, items.len());
            let first_shown = n.saturating_sub(MAX_SHOWN_ITEMS);
            for (shown, _) in &items[first_shown..n] {
                front.push_str("\n- ");
                front.push_str(shown);
            }
            front.push_str("\n- [...]");
            cards.push(GuideCard {
                id: ids::enumeration(&lead, item),
                origin: Origin::Enumeration,
                front,
                back: item.clone(),
                tags: vec![section_tag(outline, section), "enumeration".to_string()],
                level: level.or(lead_level),
                section,
                line: list.items[n].1,
                shown_items: n - first_shown,
            });
        }
    }
    (cards, fragments)
}

#[cfg(test)]
mod tests;
