//! `recall stats`: compute, then render as text, JSON or HTML.

use std::io::IsTerminal;

use crate::cli::StatsArgs;
use crate::deck::Card;
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
    let scope: Vec<(&Card, &str)> = cards
        .iter()
        .map(|card| {
            let deck = library.deck(&card.deck).map_or("", |d| d.name.as_str());
            (*card, deck)
        })
        .collect();
    let figures = stats::compute(
        &scope,
        &store.records()?,
        &store.answers()?,
        ctx.clock.today(),
    );
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
