//! `recall rebuild`: recompute card state from the review log, and the card catalog from the
//! deck files.

use crate::catalog;
use crate::deck;
use crate::error::Error;

pub fn run(ctx: &super::Context) -> Result<(), Error> {
    let mut store = ctx.store()?;
    // No `quick_check` first, unlike `sync` and `import`: it reads the whole file and took
    // 2.9 s at a million reviews, more than the replay itself. SQLite reports the damage the
    // replay meets (and its transaction then writes nothing); `recall check` finds the rest.
    let cards = store.rebuild()?;
    // Like the schedule, the catalog is a cache: check each deck file's rows in it, and read
    // again the files whose stamp changed (an unchanged file is skipped, as at launch).
    let sources = deck::sources(&ctx.deck_paths())?;
    let parsed = catalog::resync(&mut store, &sources)?;
    super::print(&format!(
        "Rebuilt the schedule of {} from the review log in {}.\nChecked the card catalog against {}: {parsed} parsed again.\n",
        crate::display::plural(cards, "card"),
        store.path(),
        crate::display::plural(sources.len(), "deck file")
    ))
}
