//! `recall review`: today's session, full-screen on a terminal and in plain lines otherwise.

use std::io::IsTerminal;

use crate::cli::ReviewArgs;
use crate::error::Error;
use crate::review::queue::{self, Selection};
use crate::review::session::Session;
use crate::review::{Options, Review, describe_day, fullscreen, plain};
use crate::scheduler::Rules;

pub fn run(ctx: &super::Context, args: &ReviewArgs) -> Result<(), Error> {
    let library = ctx.library()?;
    let filter = args.filter.resolve(&library)?;
    filter.select(&library)?;
    let mut store = ctx.store_with(args.scheduler)?;
    let today = ctx.clock.today();
    let records = store.records()?;
    let done = store.day_counts(today)?;
    let selection = Selection {
        filter,
        limit: args.limit.map(|n| n as usize),
    };
    let until = args
        .until
        .or_else(|| ctx.config.exam_date.as_ref().map(|d| d.value))
        .filter(|exam| *exam > today);
    let mut limits = ctx.limits;
    if let Some(exam) = until {
        let unseen = library
            .cards
            .iter()
            .filter(|c| selection.includes(c))
            .filter(|c| {
                records
                    .get(&c.id)
                    .is_none_or(|r| !r.suspended && r.state.memory().is_none())
            })
            .count();
        // What is still to introduce, counting today's new cards as introduced.
        let unseen = unseen + done.new_learned as usize;
        limits.new_per_day = queue::exam_new_per_day(unseen, today, exam, limits.new_per_day);
    }
    let queue = queue::build(&library, &records, today, done, limits, &selection);
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
        Session::new(queue.cards).with_rules(Rules {
            algorithm: store.algorithm(),
            until,
        }),
        &library,
        &mut store,
        &ctx.clock,
        due_later,
        Options {
            limits,
            selection,
            grading: Some(ctx.config.grading.value),
            typed: args.typed,
        },
    );
    run_front_end(&mut review, ctx.colour)
}

/// Full-screen when both stdin and stdout are terminals, plain lines otherwise.
pub fn run_front_end(review: &mut Review<'_>, colour: bool) -> Result<(), Error> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        fullscreen::run(review, colour)
    } else {
        let mut input = std::io::stdin().lock();
        let mut output = std::io::stdout().lock();
        plain::run(review, &mut input, &mut output)
    }
}
