//! `recall cards`, `recall suspend`, `recall unsuspend`, `recall leeches`: cards and their
//! schedule, from the command line.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::CardsArgs;
use crate::deck::{Card, Library};
use crate::display::inert;
use crate::error::Error;
use crate::store::{CardRecord, EntryKind, LogEntry};
use crate::types::{CardId, ReviewId};

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    deck: &'a str,
    front: &'a str,
    back: &'a str,
    tags: &'a [String],
    level: Option<&'static str>,
    /// Where the card came from (a guide passage, a note), if it says.
    source: Option<&'a str>,
    state: &'static str,
    due: Option<String>,
    interval: Option<u32>,
    easiness: Option<f64>,
    lapses: u32,
    suspended: bool,
    leech: bool,
    /// For your version of a card (`override = true`): where the card it replaces is
    /// defined, e.g. `(bundled) decks/09-dns.toml:12:1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<String>,
}

fn row<'a>(card: &'a Card, record: &CardRecord) -> Row<'a> {
    let memory = record.state.memory();
    Row {
        id: card.id.as_str(),
        deck: &card.deck.0,
        front: &card.front,
        back: &card.back,
        tags: &card.tags,
        level: card.level.map(crate::types::Level::as_str),
        source: card.source.as_deref(),
        state: record.label(),
        due: memory.map(|m| m.due.to_string()),
        interval: memory.map(|m| m.interval),
        easiness: memory.map(|m| m.easiness.as_f64()),
        lapses: memory.map_or(0, |m| m.lapses),
        suspended: record.suspended,
        leech: record.leech,
        overrides: None,
    }
}

/// The rows as a table whose columns are as wide as their longest id, deck or value.
fn table(rows: &[Row<'_>]) -> String {
    let header = [
        "id", "deck", "level", "state", "due", "interval", "easiness", "lapses",
    ];
    let mut cells: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_string()).collect()];
    cells.extend(rows.iter().map(|r| {
        vec![
            inert(r.id),
            inert(r.deck),
            r.level.unwrap_or("-").to_string(),
            r.state.to_string(),
            r.due.clone().unwrap_or_else(|| "-".into()),
            r.interval.map_or("-".into(), |i| format!("{i} d")),
            r.easiness.map_or("-".into(), |e| format!("{e:.2}")),
            r.lapses.to_string(),
        ]
    }));
    let mut text = crate::display::columns(&cells, &[5, 6, 7], " ").join("\n");
    text.push('\n');
    text
}

pub fn list(ctx: &super::Context, args: &CardsArgs) -> Result<(), Error> {
    let (library, filter) = ctx.selected(&args.filter)?;
    let cards = filter.select(&library)?;
    let store = ctx.store()?;
    let records = store.records()?;
    let overridden = store.catalog_overridden()?;
    let rows: Vec<Row<'_>> = cards
        .into_iter()
        .map(|card| Row {
            overrides: overridden.get(&card.id).map(ToString::to_string),
            ..row(card, &records.get(&card.id).copied().unwrap_or_default())
        })
        .filter(|r| !args.suspended || r.suspended)
        .collect();
    if rows.is_empty() {
        return Err(Error::NoMatch(format!(
            "no suspended cards match {}",
            filter.describe()
        )));
    }
    if args.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    super::print(&table(&rows))
}

/// Finds `id` among the loaded cards, suggesting the nearest id when it is not there.
fn known<'a>(library: &'a Library, id: &str) -> Result<&'a Card, Error> {
    if let Some(card) = library.get(&CardId(id.to_string())) {
        return Ok(card);
    }
    let ids: Vec<&str> = library.cards.iter().map(|c| c.id.as_str()).collect();
    let hint = crate::suggest::nearest(id, &ids).map_or_else(
        || "; `recall cards` lists the ids".to_string(),
        |near| format!("; did you mean `{near}`?"),
    );
    Err(Error::Usage(format!(
        "no card with id `{}`{hint}",
        inert(id)
    )))
}

/// Suspends (or unsuspends) each card, logging one entry per card that changes.
pub fn suspend(ctx: &super::Context, ids: &[String], suspend: bool) -> Result<(), Error> {
    let library = ctx.library()?;
    let cards = ids
        .iter()
        .map(|id| known(&library, id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut store = ctx.store()?;
    let records = store.records()?;
    let mut report = String::new();
    for card in cards {
        let record = records.get(&card.id).copied().unwrap_or_default();
        let id = inert(card.id.as_str());
        if record.suspended == suspend {
            let state = if suspend {
                "already suspended"
            } else {
                "not suspended"
            };
            let _ = writeln!(report, "{id}: {state}");
            continue;
        }
        let now = ctx.clock.now();
        let kind = if suspend {
            EntryKind::Suspend
        } else {
            EntryKind::Unsuspend
        };
        store.append(&LogEntry::marker(
            ReviewId::generate(now.timestamp_millis()),
            card.id.clone(),
            now,
            ctx.clock.study_day(now),
            kind,
            record.state,
        ))?;
        let _ = writeln!(
            report,
            "{id}: {}",
            if suspend { "suspended" } else { "unsuspended" }
        );
    }
    super::print(&report)
}

pub fn leeches(ctx: &super::Context) -> Result<(), Error> {
    let library = ctx.library()?;
    let records = ctx.store()?.records()?;
    let mut text = String::new();
    for card in &library.cards {
        let Some(record) = records.get(&card.id).filter(|r| r.leech) else {
            continue;
        };
        let lapses = record.state.memory().map_or(0, |m| m.lapses);
        let state = if record.suspended {
            "suspended"
        } else {
            "unsuspended"
        };
        let _ = writeln!(
            text,
            "{}  {}, {state}\n    {}",
            inert(card.id.as_str()),
            crate::display::plural(lapses as usize, "lapse"),
            inert(&card.front).replace('\n', " ")
        );
    }
    if text.is_empty() {
        text = format!(
            "No leeches: no card has failed {} times.\n",
            crate::scheduler::LEECH_LAPSES
        );
    } else {
        text.push_str("Rewrite each (`recall edit ID` keeps its history, bundled cards included) or split it, then `recall unsuspend ID`.\n");
    }
    super::print(&text)
}
