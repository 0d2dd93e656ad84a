//! `recall stats`: read the activity (the store's projections, or the log's answers of the
//! cards the filters select), compute, then render as text, JSON or HTML.

use std::collections::HashSet;
use std::io::IsTerminal;

use crate::cli::StatsArgs;
use crate::error::Error;
use crate::stats;

/// The terminal's width, or 80 when there is none (piped output stays readable).
fn width() -> usize {
    if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w))
    } else {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(80)
    }
}

pub fn run(ctx: &super::Context, args: &StatsArgs) -> Result<(), Error> {
    let library = ctx.library()?;
    let filter = args.filter.resolve(&library)?;
    let cards = filter.select(&library)?;
    let store = ctx.store()?;
    let today = ctx.clock.today();
    // Unfiltered, every answer counts (see `stats`), and the projections hold them all. With
    // filters only the answers of cards in scope count: the log is streamed, row by row.
    let activity = if filter.is_empty() {
        store.activity(today)?
    } else {
        let in_scope: HashSet<&str> = cards.iter().map(|card| card.id.as_str()).collect();
        let mut count = stats::ActivityCount::new(today);
        store.for_each_answer(|answer| {
            if in_scope.contains(answer.card_id.as_str()) {
                count.add(answer);
            }
        })?;
        count.finish()
    };
    let records = store.records()?;
    let facts = cards.iter().map(|card| {
        let deck = library.deck(&card.deck).map_or("", |d| d.name.as_str());
        let record = records.get(&card.id).copied().unwrap_or_default();
        stats::CardFacts::of(card, deck, record)
    });
    let figures = stats::compute(&activity, facts, today);
    if args.json {
        let json =
            serde_json::to_string_pretty(&figures).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print(&format!("{json}\n"));
    }
    if let Some(path) = &args.html {
        let page = stats::html::render(&figures);
        std::fs::write(path, page).map_err(|e| Error::io(path, e))?;
        return super::print(&format!("Wrote {}\n", path.display()));
    }
    super::print(&stats::text::render(&figures, width(), ctx.colour))
}
