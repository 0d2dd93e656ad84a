//! `recall review`: today's session, full-screen on a terminal and in plain lines otherwise.

use std::io::IsTerminal;

use crate::cli::ReviewArgs;
use crate::error::Error;
use crate::review::queue::{self, Selection};
use crate::review::session::Session;
use crate::review::{Options, Review, describe_day, fullscreen, plain};
use crate::types::DeckId;

pub fn run(ctx: &super::Context, args: &ReviewArgs) -> Result<(), Error> {
    let library = ctx.library()?;
    let decks = args
        .deck
        .iter()
        .map(|id| known_deck(&library, id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut store = ctx.store()?;
    let today = ctx.clock.today();
    let records = store.records()?;
    let done = store.day_counts(today)?;
    let selection = Selection {
        decks,
        limit: args.limit.map(|n| n as usize),
    };
    let queue = queue::build(&library, &records, today, done, ctx.limits, &selection);
    if queue.cards.is_empty() {
        let next = queue::next_due(&library, &records, today, done, ctx.limits, &selection);
        let when = next.map_or_else(
            || "no cards are scheduled".to_string(),
            |day| format!("the next card is due {}", describe_day(day, today)),
        );
        return super::print(&format!(
            "Nothing to review now: {} reviewed today; {when}.\n",
            done.reviewed
        ));
    }
    let due_later = queue.due_later;
    let mut review = Review::new(
        Session::new(queue.cards),
        &library,
        &mut store,
        &ctx.clock,
        due_later,
        Options {
            limits: ctx.limits,
            selection,
            grading: Some(ctx.config.grading.value),
            typed: args.typed,
        },
    );
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        fullscreen::run(&mut review, ctx.colour)
    } else {
        let mut input = std::io::stdin().lock();
        let mut output = std::io::stdout().lock();
        plain::run(&mut review, &mut input, &mut output)
    }
}

fn known_deck(library: &crate::deck::Library, id: &str) -> Result<DeckId, Error> {
    let id = DeckId(id.to_string());
    if library.deck(&id).is_some() {
        return Ok(id);
    }
    let names: Vec<&str> = library.decks.iter().map(|d| d.id.0.as_str()).collect();
    let hint = crate::suggest::nearest(&id.0, &names)
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    Err(Error::Usage(format!(
        "no deck with id `{id}`; {hint}loaded decks: {}",
        names.join(", ")
    )))
}
