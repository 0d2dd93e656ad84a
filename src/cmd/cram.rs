//! `recall cram`: the matching cards now, weakest first, with no schedule changes.

use crate::cli::CramArgs;
use crate::error::Error;
use crate::review::queue::Selection;
use crate::review::session::Session;
use crate::review::{Options, Review};
use crate::scheduler::CardState;
use crate::types::CardId;

pub fn run(ctx: &super::Context, args: &CramArgs) -> Result<(), Error> {
    let (library, filter) = ctx.selected(&args.filter)?;
    let matching = filter.select(&library)?;
    let mut store = ctx.store()?;
    let records = store.records()?;
    let mut cards: Vec<(usize, CardId, CardState)> = matching
        .iter()
        .enumerate()
        .filter_map(|(position, card)| {
            let record = records.get(&card.id).copied().unwrap_or_default();
            (!record.suspended).then(|| (position, card.id.clone(), record.state))
        })
        .collect();
    if cards.is_empty() {
        return Err(Error::NoMatch(format!(
            "every card matching {} is suspended",
            filter.describe()
        )));
    }
    // Weakest first: lowest easiness, then most lapses; never-seen cards last, in deck order.
    cards.sort_by_key(|(position, _, state)| match state.memory() {
        Some(m) => (0, m.easiness.hundredths(), u32::MAX - m.lapses, *position),
        None => (1, 0, 0, *position),
    });
    if let Some(limit) = args.limit {
        cards.truncate(limit as usize);
    }
    // Siblings (a list's items, an Anki note's cards) never one right after another.
    crate::review::queue::spread_siblings(&mut cards, |(_, id, _)| {
        let card = library.get(id)?;
        crate::review::queue::sibling_key(card.id.as_str(), card.source.as_deref())
    });
    let session = Session::cram(
        cards
            .into_iter()
            .map(|(_, id, state)| (id, state))
            .collect(),
    );
    let mut review = Review::new(
        session,
        &library,
        &mut store,
        &ctx.clock,
        0,
        Options {
            limits: ctx.limits,
            selection: Selection {
                filter,
                limit: None,
            },
            grading: Some(ctx.config.grading.value),
            typed: args.typed,
        },
    );
    super::review::run_front_end(&mut review, ctx.colour)
}
