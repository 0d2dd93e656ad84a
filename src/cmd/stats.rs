//! `recall stats`: read the activity (the store's projections, or the log's answers of the
//! cards the filters select), compute, then render as text, JSON or HTML.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::cli::StatsArgs;
use crate::error::Error;
use crate::stats;

pub fn run(ctx: &super::Context, args: &StatsArgs) -> Result<(), Error> {
    let today = ctx.clock.today();
    let figures = if args.filter.is_empty() {
        everything(ctx, today)?
    } else {
        filtered(ctx, args, today)?
    };
    if args.json {
        let json =
            serde_json::to_string_pretty(&figures).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    if let Some(path) = &args.html {
        let page = stats::html::render(&figures);
        std::fs::write(path, page).map_err(|e| Error::io(path, e))?;
        return super::print(&format!("Wrote {}\n", path.display()));
    }
    super::print_trusted(&stats::text::render(
        &figures,
        super::output_width(),
        ctx.colour,
    ))
}

/// Statistics over every loaded card: each card's facts stream from the card catalog without
/// its text, and every answer counts (see `stats`), read from the activity projections — no
/// pass over the log, and no card text in memory.
fn everything(ctx: &super::Context, today: NaiveDate) -> Result<stats::Stats, Error> {
    let store = ctx.catalogued(None)?;
    let activity = store.activity_by_day(today)?;
    let decks = store.catalog_deck_names()?;
    let facts = store.catalog_facts()?;
    let facts = facts.iter().map(|fact| {
        let deck = decks.get(fact.file).map_or("", String::as_str);
        stats::CardFacts {
            deck,
            level: fact.level,
            section: crate::deck::section_or(fact.source.as_deref(), deck),
            standing: fact.standing,
            retention: fact.retention,
        }
    });
    Ok(stats::compute(&activity, facts, today))
}

/// Statistics over the cards a filter selects: only their answers count, streamed from the
/// log row by row.
fn filtered(
    ctx: &super::Context,
    args: &StatsArgs,
    today: NaiveDate,
) -> Result<stats::Stats, Error> {
    let (library, filter) = ctx.selected(&args.filter)?;
    let cards = filter.select(&library)?;
    let store = ctx.store()?;
    let in_scope: HashSet<&str> = cards.iter().map(|card| card.id.as_str()).collect();
    let mut count = stats::ActivityCount::new(today);
    store.for_each_answer(|answer| {
        if in_scope.contains(answer.card_id.as_str()) {
            count.add(answer);
        }
    })?;
    let activity = count.finish();
    let records = store.records()?;
    let facts = cards.iter().map(|card| {
        let deck = library.deck(&card.deck).map_or("", |d| d.name.as_str());
        let record = records.get(&card.id).copied().unwrap_or_default();
        stats::CardFacts::of(card, deck, record, &activity)
    });
    Ok(stats::compute(&activity, facts, today))
}
