//! Walking a guide's Markdown with pulldown-cmark: its sections (headings), the card blocks in
//! them (blockquotes), and its lists (for enumeration cards and their level tags). Pure: text in,
//! structure out.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::error::LineIndex;

/// A heading and the text up to the next heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    /// 1 for `#`, 2 for `##`, …
    pub depth: u8,
    /// Titles from the outermost section below the document title down to this one.
    pub path: Vec<String>,
    /// 1-based line of the heading.
    pub line: usize,
    /// Byte range of the section's own text (after its heading, before the next heading).
    pub body: std::ops::Range<usize>,
    /// Whether the section's own text has prose (paragraphs or lists), not only card blocks.
    pub has_prose: bool,
    pub has_subsections: bool,
}

/// The HTML comment that keeps the list after it (or, inside a list item, the list nested in
/// that item) from becoming enumeration cards, for a list whose items have cards of their own.
pub const NO_CARDS_MARK: &str = "recall: no-cards";

/// A bullet list with its lead-in (the text introducing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// `None` before the first heading.
    pub section: Option<usize>,
    pub lead: String,
    /// Each item's own text (nested lists excluded) and 1-based line.
    pub items: Vec<(String, usize)>,
    /// Per item: whether it is a link or an image (it starts with one, or is nothing else),
    /// like the entries of a "Further reading" list: such items are no facts to learn.
    pub linked: Vec<bool>,
    /// False when a `<!-- recall: no-cards -->` comment came just before the list.
    pub cards: bool,
}

/// A blockquote's source text and its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// `None` before the first heading.
    pub section: Option<usize>,
    pub source: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// The document title (the first `#` heading), if any.
    pub title: Option<String>,
    pub sections: Vec<Section>,
    pub lists: Vec<List>,
    pub quotes: Vec<Quote>,
}

struct OpenList {
    lead: String,
    items: Vec<(String, usize)>,
    linked: Vec<bool>,
    cards: bool,
}

/// What an open list item has held so far, to tell a link item from a fact.
#[derive(Default)]
struct ItemLinks {
    /// Open links and images inside the item.
    depth: usize,
    /// The item's first inline content was a link or an image.
    starts_with_link: bool,
    /// Words outside any link or image.
    own_text: String,
    any_content: bool,
}

/// Parses `text` into its outline.
// One match over pulldown-cmark's events: splitting it would scatter the state machine.
#[allow(clippy::too_many_lines)]
pub fn parse(text: &str) -> Outline {
    let mut outline = Outline::default();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut quote_depth = 0usize;
    let mut items: Vec<(String, usize)> = Vec::new();
    let mut item_links: Vec<ItemLinks> = Vec::new();
    let mut lists: Vec<OpenList> = Vec::new();
    let mut paragraph: Option<String> = None;
    let mut last_paragraph = String::new();
    // Titles of the open sections by depth, for paths.
    let mut open: Vec<(u8, String)> = Vec::new();
    // Set by a `<!-- recall: no-cards -->` comment; taken by the next list to start.
    let mut no_cards = false;

    let current = |outline: &Outline| outline.sections.len().checked_sub(1);
    // Line starts indexed once: counting newlines from the start for every heading, quote and
    // list item was quadratic, and most of compile's time on the bundled guide.
    let line_index = LineIndex::new(text);

    // A YAML front matter block (`---` … `---` at the very top, as Obsidian, Jekyll and
    // Docusaurus notes start) is metadata: without the option its `---` made the block a
    // setext heading, a "section" titled with the whole front matter.
    let mut in_metadata = false;
    let options = pulldown_cmark::Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            _ => {}
        }
        if in_metadata || matches!(event, Event::End(TagEnd::MetadataBlock(_))) {
            continue;
        }
        if quote_depth > 0 {
            match event {
                Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
                Event::End(TagEnd::BlockQuote(_)) => quote_depth -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Html(ref html) | Event::InlineHtml(ref html) if html.contains(NO_CARDS_MARK) => {
                no_cards = true;
            }
            Event::Start(Tag::Heading { level, .. }) => {
                no_cards = false;
                heading = Some((heading_depth(level), range.start, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((depth, start, title)) = heading.take() {
                    if let Some(previous) = outline.sections.last_mut() {
                        previous.body.end = start;
                    }
                    let title = title.trim().to_string();
                    if depth == 1 && outline.title.is_none() && outline.sections.is_empty() {
                        outline.title = Some(title.clone());
                    }
                    open.retain(|(d, _)| *d < depth);
                    if let Some(previous) = outline.sections.last_mut() {
                        previous.has_subsections = previous.depth < depth;
                    }
                    open.push((depth, title.clone()));
                    let path = open
                        .iter()
                        .filter(|(d, _)| *d > 1 || outline.title.is_none())
                        .map(|(_, t)| t.clone())
                        .collect();
                    outline.sections.push(Section {
                        title,
                        depth,
                        path,
                        line: line_index.locate(start).0,
                        body: range.end..text.len(),
                        has_prose: false,
                        has_subsections: false,
                    });
                    last_paragraph.clear();
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                quote_depth = 1;
                // The quote's range spans all its lines, markers included.
                outline.quotes.push(Quote {
                    section: current(&outline),
                    source: text[range.clone()].to_string(),
                    line: line_index.locate(range.start).0,
                });
            }
            Event::Start(Tag::List(_)) => {
                let lead = items
                    .last()
                    .map_or_else(|| last_paragraph.clone(), |(t, _)| t.clone());
                lists.push(OpenList {
                    lead,
                    items: Vec::new(),
                    linked: Vec::new(),
                    cards: !std::mem::take(&mut no_cards),
                });
                mark_prose(&mut outline);
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(list) = lists.pop() {
                    outline.lists.push(List {
                        section: current(&outline),
                        lead: list.lead,
                        items: list.items,
                        linked: list.linked,
                        cards: list.cards,
                    });
                }
            }
            Event::Start(Tag::Item) => {
                items.push((String::new(), line_index.locate(range.start).0));
                item_links.push(ItemLinks::default());
            }
            Event::End(TagEnd::Item) => {
                let links = item_links.pop().unwrap_or_default();
                if let (Some((item, line)), Some(list)) = (items.pop(), lists.last_mut()) {
                    list.items.push((collapse(&item), line));
                    let own = links
                        .own_text
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .count();
                    list.linked
                        .push(links.any_content && (links.starts_with_link || own == 0));
                }
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                if let Some(links) = item_links.last_mut() {
                    if !links.any_content {
                        links.starts_with_link = true;
                    }
                    links.any_content = true;
                    links.depth += 1;
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(links) = item_links.last_mut() {
                    links.depth = links.depth.saturating_sub(1);
                }
            }
            Event::Start(Tag::Paragraph) if items.is_empty() => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) if items.is_empty() => {
                if let Some(p) = paragraph.take() {
                    last_paragraph = collapse(&p);
                    mark_prose(&mut outline);
                }
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                let code = matches!(event, Event::Code(_));
                if heading.is_none()
                    && let Some(links) = item_links.last_mut()
                {
                    // A bare URL (autolinked or not) counts as a link too.
                    let url = t.starts_with("http://") || t.starts_with("https://");
                    if !links.any_content && url {
                        links.starts_with_link = true;
                    }
                    links.any_content |= !t.trim().is_empty();
                    if links.depth == 0 && !url {
                        links.own_text.push_str(t);
                    }
                }
                let target = if let Some((_, _, title)) = heading.as_mut() {
                    Some(title)
                } else if let Some((item, _)) = items.last_mut() {
                    Some(item)
                } else {
                    paragraph.as_mut()
                };
                if let Some(target) = target {
                    if code {
                        target.push('`');
                    }
                    target.push_str(t);
                    if code {
                        target.push('`');
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((item, _)) = items.last_mut() {
                    item.push(' ');
                } else if let Some(p) = paragraph.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
    }
    outline
}

fn mark_prose(outline: &mut Outline) {
    if let Some(section) = outline.sections.last_mut() {
        section.has_prose = true;
    }
}

fn heading_depth(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The section's own text for reading during review: its heading and prose, without the card
/// blocks (which would give other answers away).
pub fn passage(text: &str, section: &Section) -> String {
    let body = text.get(section.body.clone()).unwrap_or_default();
    let mut out = format!("{}\n\n", section.path.join(" > "));
    let mut in_quote = false;
    for line in body.lines() {
        let quoted = line.trim_start().starts_with('>');
        if quoted {
            in_quote = true;
            continue;
        }
        if in_quote && line.trim().is_empty() {
            in_quote = false;
            continue;
        }
        in_quote = false;
        out.push_str(line);
        out.push('\n');
    }
    let mut cleaned = out.trim_end().to_string();
    while cleaned.contains("\n\n\n") {
        cleaned = cleaned.replace("\n\n\n", "\n\n");
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: &str = "# Title\n\n## Part A\n\nIntro text.\n\n### Sub\n\nThe list:\n\n- One (Senior+)\n- Two\n  - Nested x\n  - Nested y\n\n> **Q:** q?\n>\n> **A:** a.\n\n## Part B\n\n> plain quote\n";

    #[test]
    fn sections_have_paths_lines_and_bodies() {
        let outline = parse(GUIDE);
        assert_eq!(outline.title.as_deref(), Some("Title"));
        let titles: Vec<_> = outline
            .sections
            .iter()
            .map(|s| s.path.join(" > "))
            .collect();
        assert_eq!(titles, ["", "Part A", "Part A > Sub", "Part B"]);
        let sub = &outline.sections[2];
        assert_eq!((sub.line, sub.depth), (7, 3));
        assert!(GUIDE[sub.body.clone()].contains("The list:"));
        assert!(!GUIDE[sub.body.clone()].contains("Part B"));
        assert!(outline.sections[1].has_subsections);
        assert!(!outline.sections[2].has_subsections);
    }

    #[test]
    fn lists_keep_their_lead_in_and_nesting() {
        let outline = parse(GUIDE);
        assert_eq!(outline.lists.len(), 2);
        let nested = &outline.lists[0];
        assert_eq!(nested.lead, "Two");
        assert_eq!(
            nested.items,
            [("Nested x".to_string(), 13), ("Nested y".to_string(), 14)]
        );
        let top = &outline.lists[1];
        assert_eq!(top.lead, "The list:");
        assert_eq!(top.items[0], ("One (Senior+)".to_string(), 11));
        assert_eq!(top.items[1].0, "Two");
    }

    #[test]
    fn a_no_cards_comment_marks_the_next_list_even_inside_an_item() {
        let text = "# T\n\n## S\n\n<!-- recall: no-cards -->\n- a\n- b\n\nMiddle.\n\n- c\n- d\n\n\
                    End.\n\n- Parent: <!-- recall: no-cards -->\n  - x\n  - y\n";
        let outline = parse(text);
        let marks: Vec<(&str, bool)> = outline
            .lists
            .iter()
            .map(|l| (l.items[0].0.as_str(), l.cards))
            .collect();
        assert_eq!(
            marks,
            [("a", false), ("c", true), ("x", false), ("Parent:", true)]
        );
    }

    #[test]
    fn blockquotes_are_collected_with_their_lines_and_sections() {
        let outline = parse(GUIDE);
        assert_eq!(outline.quotes.len(), 2);
        assert_eq!(
            (outline.quotes[0].line, outline.quotes[0].section),
            (16, Some(2))
        );
        assert!(outline.quotes[0].source.starts_with("> **Q:** q?"));
        assert_eq!(outline.quotes[1].section, Some(3));
    }

    #[test]
    fn a_passage_leaves_the_card_blocks_out() {
        let outline = parse(GUIDE);
        let passage = passage(GUIDE, &outline.sections[2]);
        assert!(
            passage.starts_with("Part A > Sub\n\nThe list:"),
            "{passage}"
        );
        assert!(passage.contains("- One (Senior+)"));
        assert!(!passage.contains("**Q:**"));
    }
}
