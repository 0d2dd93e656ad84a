//! `recall review`: today's session, full-screen on a terminal and in plain lines otherwise.

use std::io::IsTerminal;

use crate::cli::ReviewArgs;
use crate::error::Error;
use chrono::NaiveDate;

use crate::deck::Library;
use crate::review::queue::{self, Selection};
use crate::review::session::LEARN_AHEAD_MS;
use crate::review::session::Session;
use crate::review::{Options, Review, describe_day, describe_time, fullscreen, plain};
use crate::scheduler::CardState;
use crate::store::{DayCounts, Store};
use crate::types::CardId;

pub fn run(ctx: &super::Context, args: &ReviewArgs) -> Result<(), Error> {
    if args.filter.is_empty() {
        return run_everything(ctx, args);
    }
    let (library, filter) = ctx.selected(&args.filter)?;
    filter.select(&library)?;
    let mut store = ctx.store_with(args.scheduler)?;
    let today = ctx.clock.today();
    let records = store.records()?;
    let done = store.day_counts(today)?;
    let selection = Selection {
        filter,
        limit: args.limit.map(|n| n as usize),
    };
    let until = exam(ctx, args, today);
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
        limits.new_per_day = queue::exam_pace(unseen, done, today, exam, limits);
    }
    let steps = queue::steps_today(
        &library,
        &records,
        &ctx.clock.study_day_bounds(),
        &selection,
    );
    let mut siblings = queue::library_siblings(&library, &store.answered_on(today)?);
    let mut queue = queue::build(
        &library,
        &records,
        today,
        done,
        limits,
        &selection,
        &mut siblings,
    );
    if queue.cards.is_empty() && !steps_ready(ctx, &steps) {
        let next = queue::next_due(&library, &records, today, done, ctx.limits, &selection);
        return nothing_to_review(ctx, done, next, &steps);
    }
    queue.cards.extend(steps);
    let options = Options {
        limits,
        selection,
        grading: Some(ctx.config.grading.value),
        typed: args.typed,
    };
    let mut review = session(ctx, queue, &library, &mut store, until, options);
    run_front_end(&mut review, ctx.colour)
}

/// A session over every loaded card: the queue comes from indexed queries over the card
/// catalog, and only the queued cards' text is read — the launch does not grow with the
/// collection (BENCHMARKS.md).
fn run_everything(ctx: &super::Context, args: &ReviewArgs) -> Result<(), Error> {
    let mut store = ctx.catalogued(args.scheduler)?;
    let today = ctx.clock.today();
    let until = exam(ctx, args, today);
    let limit = args.limit.map(|n| n as usize);
    // Only the due cards the session can show are read (200 by default), however many wait;
    // `status` counts the same queue.
    let queue::Today {
        done,
        limits,
        mut queue,
        steps,
        ..
    } = queue::catalog_today(&store, &ctx.clock, ctx.limits, limit, until)?;
    if queue.cards.is_empty() && !steps_ready(ctx, &steps) {
        let next = store.catalog_next_due(today, done.new_learned < ctx.limits.new_per_day)?;
        return nothing_to_review(ctx, done, next, &steps);
    }
    queue.cards.extend(steps);
    let ids: Vec<CardId> = queue.cards.iter().map(|(id, _)| id.clone()).collect();
    let library = store.catalog_subset(&ids)?;
    let options = Options {
        limits,
        selection: Selection {
            filter: crate::filter::Filter::default(),
            limit: args.limit.map(|n| n as usize),
        },
        grading: Some(ctx.config.grading.value),
        typed: args.typed,
    };
    let mut review = session(ctx, queue, &library, &mut store, until, options).over_catalog();
    run_front_end(&mut review, ctx.colour)
}

/// The exam date a session schedules against: `--until`, else the configured one, if ahead.
fn exam(ctx: &super::Context, args: &ReviewArgs, today: NaiveDate) -> Option<NaiveDate> {
    args.until
        .or_else(|| ctx.config.exam_date.as_ref().map(|d| d.value))
        .filter(|exam| *exam > today)
}

/// Whether a session has a learning card to show now: one whose step is due within the
/// learn-ahead limit.
fn steps_ready(ctx: &super::Context, steps: &[(CardId, CardState)]) -> bool {
    let now = ctx.clock.now().timestamp_millis();
    steps.iter().any(|(_, state)| {
        state
            .memory()
            .and_then(|m| m.learning)
            .is_some_and(|l| l.due_at <= now + LEARN_AHEAD_MS)
    })
}

fn nothing_to_review(
    ctx: &super::Context,
    done: DayCounts,
    next: Option<NaiveDate>,
    steps: &[(CardId, CardState)],
) -> Result<(), Error> {
    let today = ctx.clock.today();
    let soonest = steps
        .iter()
        .filter_map(|(_, state)| state.memory()?.learning.map(|l| l.due_at))
        .min();
    let when = match (soonest, next) {
        (Some(at), _) => format!(
            "{} on a learning step later today, the next due {}",
            crate::display::plural(steps.len(), "card"),
            describe_time(at, ctx.clock.now())
        ),
        (None, Some(day)) => format!("the next card is due {}", describe_day(day, today)),
        (None, None) => "no cards are scheduled".to_string(),
    };
    super::print(&format!(
        "Nothing to review now: {} reviewed today; {when}.\n",
        done.reviewed
    ))
}

fn session<'a>(
    ctx: &'a super::Context,
    queue: queue::Queue,
    library: &'a Library,
    store: &'a mut Store,
    until: Option<NaiveDate>,
    options: Options,
) -> Review<'a> {
    Review::new(
        Session::new(queue.cards).with_rules(store.rules(until)),
        library,
        store,
        &ctx.clock,
        queue.due_later,
        options,
    )
}

/// Full-screen when both stdin and stdout are terminals, plain lines otherwise. Ctrl-C ends
/// either with exit status 130.
pub fn run_front_end(review: &mut Review<'_>, colour: bool) -> Result<(), Error> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        fullscreen::run(review, colour)
    } else {
        super::exit_on_interrupt("every answer given is saved");
        let width = std::io::stdout().is_terminal().then(super::output_width);
        let mut input = std::io::stdin().lock();
        let mut output = std::io::stdout().lock();
        plain::run(review, &mut input, &mut output, width)
    }
}
