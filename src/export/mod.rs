//! Exporting cards for other learners and other tools. Cards only: personal progress is never
//! part of a shared export (the one exception is `--with-progress` on the JSON format, meant for
//! moving your own history to another machine).

pub mod apkg;
pub mod json;

use std::fmt::Write as _;

use serde::Serialize;

use crate::deck::{Card, Deck, Library};
use crate::import::html;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A standalone deck file that `recall --decks FILE` loads as it is.
    Toml,
    /// A readable study sheet, grouped by section.
    Markdown,
    /// Anki's text import format, with its file headers.
    AnkiTxt,
    /// An Anki package (File > Import in Anki 2.1.50 and later).
    Apkg,
    /// front, back, deck, tags, id, with a header row.
    Csv,
    /// recall's own JSON (with --with-progress: plus the review log).
    Json,
}

impl Format {
    pub fn is_binary(self) -> bool {
        self == Format::Apkg
    }
}

/// The parent deck in Anki for cards from the bundled guide.
pub const ANKI_PARENT: &str = "Backend Engineering";

/// A card with what every format needs.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub card: &'a Card,
    pub deck: &'a Deck,
}

impl Item<'_> {
    /// The deck name Anki shows: `Backend Engineering::<section>` for the bundled guide's
    /// decks, the deck's own name for others.
    pub fn anki_deck(&self) -> String {
        let name = self.deck.name.replace("::", ":");
        if self.deck.location.path.starts_with("(bundled)") {
            format!("{ANKI_PARENT}::{name}")
        } else {
            name
        }
    }

    /// Tags for Anki: the card's tags and its level as `level::senior`; no spaces.
    pub fn anki_tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .card
            .tags
            .iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join("_"))
            .filter(|t| !t.is_empty())
            .collect();
        if let Some(level) = self.card.level {
            tags.push(format!("level::{level}"));
        }
        tags
    }

    /// The Anki note GUID: derived from the card id (`recall:<id>`), so importing an updated
    /// export updates the notes instead of duplicating them, and recall can map it back.
    pub fn guid(&self) -> String {
        format!("recall:{}", self.card.id)
    }

    /// The section a card belongs to, for grouping: its source's section path, else its deck.
    pub fn section(&self) -> String {
        self.card.section_or(&self.deck.name)
    }
}

/// The cards to export, in deck order.
pub fn items<'a>(library: &'a Library, cards: &[&'a Card]) -> Vec<Item<'a>> {
    cards
        .iter()
        .filter_map(|card| library.deck(&card.deck).map(|deck| Item { card, deck }))
        .collect()
}

#[derive(Serialize)]
struct TomlFile<'a> {
    deck: TomlDeck<'a>,
    card: Vec<TomlCard<'a>>,
}

#[derive(Serialize)]
struct TomlDeck<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct TomlCard<'a> {
    id: &'a str,
    front: &'a str,
    back: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// One deck file. Cards of several decks go into one file under the first deck's header when
/// they all share it, else under a combined header; card ids are kept either way.
pub fn toml(items: &[Item<'_>]) -> String {
    let single = items
        .first()
        .map(|i| i.deck)
        .filter(|first| items.iter().all(|i| i.deck.id == first.id));
    let deck = match single {
        Some(deck) => TomlDeck {
            id: &deck.id.0,
            name: &deck.name,
            description: &deck.description,
        },
        None => TomlDeck {
            id: "recall-export",
            name: "recall export",
            description: "Cards exported from several decks by recall.",
        },
    };
    let file = TomlFile {
        deck,
        card: items
            .iter()
            .map(|i| TomlCard {
                id: i.card.id.as_str(),
                front: &i.card.front,
                back: &i.card.back,
                tags: &i.card.tags,
                level: i.card.level.map(crate::types::Level::as_str),
                source: i.card.source.as_deref(),
            })
            .collect(),
    };
    format!(
        "# Exported by recall; load it with `recall --decks FILE`.\n\n{}",
        toml::to_string(&file).unwrap_or_default()
    )
}

/// A study sheet: sections as headings, each question a heading with its answer below.
pub fn markdown(items: &[Item<'_>], title: &str) -> String {
    let mut text = format!("# {title}\n");
    let mut section = String::new();
    for item in items {
        let this = item.section();
        if this != section {
            let _ = write!(text, "\n## {this}\n");
            section = this;
        }
        let level = item
            .card
            .level
            .map_or(String::new(), |l| format!(" *({l})*"));
        let _ = write!(
            text,
            "\n### {}{level}\n\n{}\n",
            item.card.front.replace('\n', " "),
            item.card.back
        );
    }
    text
}

fn csv_writer(delimiter: u8) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> String {
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// Anki's text format: headers, then front, back, deck, tags, guid per line, fields as HTML.
pub fn anki_txt(items: &[Item<'_>]) -> String {
    let mut writer = csv_writer(b'\t');
    for item in items {
        let _ = writer.write_record([
            html::escape(&item.card.front),
            html::escape(&item.card.back),
            item.anki_deck(),
            item.anki_tags().join(" "),
            item.guid(),
        ]);
    }
    format!(
        "#separator:tab\n#html:true\n#notetype:Basic\n#deck column:3\n#tags column:4\n#guid column:5\n{}",
        finish(writer)
    )
}

/// CSV: front, back, deck, tags (space-separated), id, with a header row.
pub fn csv(items: &[Item<'_>]) -> String {
    let mut writer = csv_writer(b',');
    let _ = writer.write_record(["front", "back", "deck", "tags", "id"]);
    for item in items {
        let _ = writer.write_record([
            item.card.front.as_str(),
            item.card.back.as_str(),
            item.deck.id.0.as_str(),
            &item.card.tags.join(" "),
            item.card.id.as_str(),
        ]);
    }
    finish(writer)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::deck::load_sources;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9<>&\"'\t;:!?.,() -]{1,30}( ?\n[a-zA-Z0-9<>&,\" ]{1,20}){0,2}"
            .prop_map(|s| s.replace('\t', " ").trim().to_string())
            .prop_filter("non-empty, no blank-line runs or edge spaces", |s| {
                !s.is_empty() && !s.contains(" \n") && !s.contains("\n ") && !s.contains("\n\n")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Cards exported as TOML, Anki text and CSV read back with the same ids and text.
        #[test]
        fn exports_round_trip(cards in prop::collection::vec((text(), text()), 1..8)) {
            let mut deck = String::from("[deck]\nid = \"p\"\nname = \"P\"\n");
            for (i, (front, back)) in cards.iter().enumerate() {
                deck.push_str(&format!(
                    "\n[[card]]\nid = \"p-{i}\"\nfront = {}\nback = {}\ntags = [\"t\"]\nlevel = \"senior\"\n",
                    toml::Value::String(front.clone()),
                    toml::Value::String(back.clone())
                ));
            }
            let library = load_sources(&[("p.toml".into(), deck)]).unwrap();
            let all: Vec<&Card> = library.cards.iter().collect();
            let items = items(&library, &all);
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in [("p.toml", toml(&items)), ("p.txt", anki_txt(&items)), ("p.csv", csv(&items))] {
                let path = dir.path().join(name);
                std::fs::write(&path, text).unwrap();
                let back = crate::import::read(&path).unwrap();
                let got: Vec<(String, String, String)> =
                    back.cards.iter().map(|c| (c.id.clone(), c.front.clone(), c.back.clone())).collect();
                let want: Vec<(String, String, String)> = library
                    .cards
                    .iter()
                    .map(|c| (c.id.0.clone(), c.front.clone(), c.back.clone()))
                    .collect();
                prop_assert_eq!(got, want, "{}", name);
            }
        }
    }
}
