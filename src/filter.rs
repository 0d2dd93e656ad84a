//! The one filter language shared by `review`, `cram`, `interview`, `cards`, `export` and
//! `stats`: `--deck`, `--tag`, `--level`, `--search`. Different flags combine with AND; a
//! repeated flag ORs its values.

use std::fmt::Write as _;

use clap::Args;

use crate::deck::{Card, Deck, Library};
use crate::error::Error;
use crate::types::{DeckId, Level};

/// Filter flags, as clap data.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only cards from this deck (its id, as `recall cards` shows). Repeatable: any of them.
    #[arg(long = "deck", id = "filter_deck", value_name = "ID", hide_possible_values = true,
          value_parser = Offered { values: bundled_deck_ids, parse: parse_text })]
    pub decks: Vec<String>,

    /// Only cards with this tag (`recall tags` lists them). Repeatable: any of them.
    #[arg(long = "tag", value_name = "TAG", hide_possible_values = true,
          value_parser = Offered { values: bundled_tags, parse: parse_text })]
    pub tags: Vec<String>,

    /// Only cards expected at this level or below: `--level senior` is junior and senior
    /// cards. Cards without a level are left out. Repeatable: the highest counts.
    #[arg(long = "level", value_name = "LEVEL", hide_possible_values = true,
          value_parser = Offered { values: levels, parse: parse_level })]
    pub levels: Vec<Level>,

    /// Only cards whose front or back contains this text (case-insensitive). Repeatable: any.
    #[arg(long = "search", value_name = "TEXT")]
    pub searches: Vec<String>,
}

impl FilterArgs {
    /// No filter flag given: every card.
    pub fn is_empty(&self) -> bool {
        self.decks.is_empty()
            && self.tags.is_empty()
            && self.levels.is_empty()
            && self.searches.is_empty()
    }
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
}

// `Offered` takes one parse signature for every flag; a text flag never fails.
#[allow(clippy::unnecessary_wraps)]
fn parse_text(text: &str) -> Result<String, String> {
    Ok(text.to_string())
}

/// A flag value parser that accepts what `parse` accepts and offers `values` to shell
/// completion (`recall completions`): the bundled deck ids, tags and the levels. Offering is
/// not restricting: your own decks' ids and tags are accepted too (a static completion
/// script cannot know them). The alternative, clap's `PossibleValuesParser`, would refuse
/// every value it does not list.
#[derive(Clone)]
struct Offered<T> {
    values: fn() -> &'static [&'static str],
    parse: fn(&str) -> Result<T, String>,
}

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Offered<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        (self.parse)(&text).map_err(|message| {
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n"))
                .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            (self.values)()
                .iter()
                .map(|v| clap::builder::PossibleValue::new(*v)),
        ))
    }
}

fn levels() -> &'static [&'static str] {
    &["junior", "senior", "principal"]
}

/// The bundled decks' ids and tags, parsed once, on first use (only completion and help ask).
fn bundled_names() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static NAMES: std::sync::OnceLock<(Vec<&'static str>, Vec<&'static str>)> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut decks = Vec::new();
        let mut tags = std::collections::BTreeSet::new();
        for (name, text) in crate::deck::bundled::DECKS {
            let Ok(file) = crate::deck::parse_deck(name, text) else {
                continue;
            };
            decks.push(file.deck.id.0.clone());
            for card in file.cards {
                tags.extend(card.tags);
            }
        }
        // Leaked once per process: completion values must live as long as the command.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        (
            decks.into_iter().map(leak).collect(),
            tags.into_iter().map(leak).collect(),
        )
    })
}

fn bundled_deck_ids() -> &'static [&'static str] {
    &bundled_names().0
}

fn bundled_tags() -> &'static [&'static str] {
    &bundled_names().1
}

/// A checked filter: deck ids known, texts lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub decks: Vec<DeckId>,
    pub tags: Vec<String>,
    pub level: Option<Level>,
    pub searches: Vec<String>,
}

impl FilterArgs {
    /// Checks the flags against the loaded decks: an unknown deck id is a usage error with the
    /// nearest known id.
    pub fn resolve(&self, loaded: &[Deck]) -> Result<Filter, Error> {
        let decks = self
            .decks
            .iter()
            .map(|id| known_deck(loaded, id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Filter {
            decks,
            tags: self.tags.iter().map(|t| t.trim().to_lowercase()).collect(),
            level: self.levels.iter().copied().max(),
            searches: self.searches.iter().map(|s| s.to_lowercase()).collect(),
        })
    }
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn matches(&self, card: &Card) -> bool {
        (self.decks.is_empty() || self.decks.contains(&card.deck))
            && (self.tags.is_empty()
                || card
                    .tags
                    .iter()
                    .any(|t| self.tags.contains(&t.to_lowercase())))
            && self
                .level
                .is_none_or(|max| card.level.is_some_and(|level| level <= max))
            && (self.searches.is_empty()
                || self.searches.iter().any(|needle| {
                    card.front.to_lowercase().contains(needle)
                        || card.back.to_lowercase().contains(needle)
                }))
    }

    /// What the filter looks for, in words: `deck database, tag caching or redis, level up to
    /// senior, text "ttl"`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let join = |items: Vec<String>| items.join(" or ");
        if !self.decks.is_empty() {
            parts.push(format!(
                "deck {}",
                join(self.decks.iter().map(|d| d.0.clone()).collect())
            ));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tag {}", join(self.tags.clone())));
        }
        if let Some(level) = self.level {
            parts.push(format!("level up to {level}"));
        }
        if !self.searches.is_empty() {
            parts.push(format!(
                "text {}",
                join(self.searches.iter().map(|s| format!("\"{s}\"")).collect())
            ));
        }
        if parts.is_empty() {
            "all cards".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// The matching cards, or an error naming what was looked for when none match.
    pub fn select<'a>(&self, library: &'a Library) -> Result<Vec<&'a Card>, Error> {
        let cards: Vec<&Card> = library.cards.iter().filter(|c| self.matches(c)).collect();
        if cards.is_empty() {
            return Err(self.no_match());
        }
        Ok(cards)
    }

    /// The error for no card matching: it names what was looked for.
    pub fn no_match(&self) -> Error {
        let mut message = format!("no cards match {}", crate::display::inert(&self.describe()));
        if !self.tags.is_empty() {
            let _ = write!(
                message,
                "; `recall tags` lists every tag with its card count"
            );
        }
        Error::NoMatch(message)
    }

    /// For each `--tag` that no loaded card has (`known` are all loaded cards' tags): a line
    /// naming it, with the nearest known tag when one is close.
    pub fn unknown_tags(&self, known: &[&str]) -> Vec<String> {
        self.tags
            .iter()
            .filter(|tag| !known.contains(&tag.as_str()))
            .map(|tag| {
                let near = crate::suggest::nearest(tag, known)
                    .map(|near| format!("; did you mean `{near}`?"))
                    .unwrap_or_default();
                format!(
                    "no loaded card has the tag `{}`{near}",
                    crate::display::inert(tag)
                )
            })
            .collect()
    }

    /// The error for no card matching when some `--tag`s are unknown (`unknown` from
    /// [`Filter::unknown_tags`]).
    pub fn no_match_naming(&self, unknown: &[String]) -> Error {
        Error::NoMatch(format!(
            "no cards match {}: {}; `recall tags` lists every tag with its card count",
            crate::display::inert(&self.describe()),
            unknown.join("; ")
        ))
    }
}

/// The tags of `cards` with how many cards carry each, most used first (ties by name).
pub fn tag_counts<'a>(cards: impl IntoIterator<Item = &'a Card>) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for card in cards {
        let mut seen: Vec<String> = Vec::new();
        for tag in &card.tags {
            let tag = tag.to_lowercase();
            if !seen.contains(&tag) {
                *counts.entry(tag.clone()).or_insert(0) += 1;
                seen.push(tag);
            }
        }
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn known_deck(decks: &[Deck], id: &str) -> Result<DeckId, Error> {
    let id = DeckId(id.to_string());
    if decks.iter().any(|d| d.id == id) {
        return Ok(id);
    }
    let names: Vec<&str> = decks.iter().map(|d| d.id.0.as_str()).collect();
    let hint = crate::suggest::nearest(&id.0, &names)
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    Err(Error::Usage(format!(
        "no deck with id `{}`; {hint}loaded decks: {}",
        crate::display::inert(&id.0),
        names.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load_sources;

    fn library() -> Library {
        let text = "[deck]\nid = \"a\"\nname = \"A\"\n\n\
            [[card]]\nid = \"a1\"\nfront = \"Redis TTL?\"\nback = \"Expiry.\"\ntags = [\"caching\"]\nlevel = \"junior\"\n\n\
            [[card]]\nid = \"a2\"\nfront = \"Sagas?\"\nback = \"Compensations.\"\ntags = [\"transactions\"]\nlevel = \"senior\"\n\n\
            [[card]]\nid = \"a3\"\nfront = \"Strategy?\"\nback = \"Direction, incl. caching.\"\ntags = [\"leadership\", \"caching\"]\nlevel = \"principal\"\n\n\
            [[card]]\nid = \"a4\"\nfront = \"No level?\"\nback = \"x\"\n";
        let other = "[deck]\nid = \"b\"\nname = \"B\"\n\n[[card]]\nid = \"b1\"\nfront = \"CDN?\"\nback = \"Edge caching.\"\ntags = [\"caching\"]\nlevel = \"junior\"\n";
        load_sources(&[
            ("a.toml".into(), text.into()),
            ("b.toml".into(), other.into()),
        ])
        .unwrap()
    }

    fn ids(args: &FilterArgs) -> Vec<String> {
        let lib = library();
        let filter = args.resolve(&lib.decks).unwrap();
        lib.cards
            .iter()
            .filter(|c| filter.matches(c))
            .map(|c| c.id.0.clone())
            .collect()
    }

    fn args() -> FilterArgs {
        FilterArgs::default()
    }

    #[test]
    fn no_flags_match_everything() {
        assert_eq!(ids(&args()).len(), 5);
    }

    #[test]
    fn a_level_includes_the_levels_below_it_and_leaves_unlevelled_cards_out() {
        let senior = FilterArgs {
            levels: vec![Level::Senior],
            ..args()
        };
        assert_eq!(ids(&senior), ["a1", "a2", "b1"]);
        let both = FilterArgs {
            levels: vec![Level::Junior, Level::Principal],
            ..args()
        };
        assert_eq!(ids(&both), ["a1", "a2", "a3", "b1"]);
    }

    #[test]
    fn different_flags_and_repeated_flags_or() {
        let tags = FilterArgs {
            tags: vec!["caching".into(), "TRANSACTIONS".into()],
            ..args()
        };
        assert_eq!(ids(&tags), ["a1", "a2", "a3", "b1"]);
        let tag_and_deck = FilterArgs {
            tags: vec!["caching".into()],
            decks: vec!["a".into()],
            ..args()
        };
        assert_eq!(ids(&tag_and_deck), ["a1", "a3"]);
        let all_four = FilterArgs {
            decks: vec!["a".into(), "b".into()],
            tags: vec!["caching".into()],
            levels: vec![Level::Senior],
            searches: vec!["EDGE".into(), "ttl".into()],
        };
        assert_eq!(ids(&all_four), ["a1", "b1"]);
    }

    #[test]
    fn search_looks_at_front_and_back_ignoring_case() {
        let search = FilterArgs {
            searches: vec!["CACHING".into()],
            ..args()
        };
        assert_eq!(ids(&search), ["a3", "b1"]);
    }

    #[test]
    fn nothing_matching_is_an_error_naming_what_was_looked_for() {
        let lib = library();
        let filter = FilterArgs {
            tags: vec!["graphql".into()],
            levels: vec![Level::Junior],
            ..args()
        }
        .resolve(&lib.decks)
        .unwrap();
        let err = filter.select(&lib).unwrap_err().to_string();
        assert!(
            err.starts_with("no cards match tag graphql, level up to junior"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_deck_suggests_the_nearest() {
        let err = FilterArgs {
            decks: vec!["c".into()],
            ..args()
        }
        .resolve(&library().decks)
        .unwrap_err();
        assert!(err.to_string().contains("no deck with id `c`"), "{err}");
    }
}
