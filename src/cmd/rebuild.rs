//! `recall rebuild`: recompute card state from the review log.

use crate::error::Error;

pub fn run(ctx: &super::Context) -> Result<(), Error> {
    let mut store = ctx.store()?;
    let cards = store.rebuild()?;
    super::print(&format!(
        "Rebuilt the schedule of {cards} cards from the review log in {}.\n",
        store.path()
    ))
}
