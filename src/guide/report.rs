//! The compile report: per guide file and per section, how many cards were made in which
//! syntax, and which sections have prose but made no card. Pure: compiled guides in, a
//! [`Report`] out; `cmd/compile.rs` renders it as text or JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Compiled, is_reference_section};

/// One section of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionReport {
    /// The section path, `Part > Section`.
    pub section: String,
    /// 1-based line of its heading.
    pub line: usize,
    /// Cards made, by syntax name (`recall-question`, `enumeration`, `obsidian-cloze` …).
    pub cards: BTreeMap<&'static str, usize>,
    /// Whether it has prose (paragraphs or lists) but made no card.
    pub no_card: bool,
}

/// One guide file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The guide's path as given.
    pub file: String,
    /// Cards made in the whole file.
    pub cards: usize,
    /// Cards made, by syntax name.
    pub by_syntax: BTreeMap<&'static str, usize>,
    /// Sections with prose (the title-only document heading and reference sections such as
    /// "Further reading" left out).
    pub sections_with_prose: usize,
    pub sections: Vec<SectionReport>,
}

impl FileReport {
    /// The sections with prose that made no card.
    pub fn without_cards(&self) -> impl Iterator<Item = &SectionReport> {
        self.sections.iter().filter(|s| s.no_card)
    }
}

/// The report for `guides`.
pub fn report(guides: &[Compiled]) -> Vec<FileReport> {
    guides.iter().map(file_report).collect()
}

fn file_report(guide: &Compiled) -> FileReport {
    let mut by_syntax = BTreeMap::new();
    let mut sections = Vec::new();
    let mut with_prose = 0;
    for (index, section) in guide.outline.sections.iter().enumerate() {
        let mut cards = BTreeMap::new();
        for card in guide.cards.iter().filter(|c| c.section == index) {
            *cards.entry(card.origin.name()).or_insert(0) += 1;
            *by_syntax.entry(card.origin.name()).or_insert(0) += 1;
        }
        let counted = section.has_prose && !is_reference_section(&section.title);
        if counted {
            with_prose += 1;
        }
        sections.push(SectionReport {
            section: section.path.join(" > "),
            line: section.line,
            no_card: counted && cards.is_empty(),
            cards,
        });
    }
    FileReport {
        file: guide.path.clone(),
        cards: guide.cards.len(),
        by_syntax,
        sections_with_prose: with_prose,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_counts_cards_by_syntax_and_names_sections_without_cards() {
        let text = "# Notes\n\n## Terms\n\nLatency::the time one request takes\n\n- **Jitter**: variation in latency.\n\n## Musings\n\nSome prose and no card.\n\n## Further reading\n\n- [A book](https://example.com)\n";
        let compiled = super::super::compile("notes.md", "notes.md", text).unwrap();
        let report = report(&[compiled]);
        let file = &report[0];
        assert_eq!(file.cards, 2);
        assert_eq!(
            file.by_syntax,
            BTreeMap::from([("bold-term", 1), ("obsidian-single-line", 1)])
        );
        assert_eq!(file.sections_with_prose, 2);
        let empty: Vec<&str> = file.without_cards().map(|s| s.section.as_str()).collect();
        assert_eq!(empty, ["Musings"]);
    }
}
