//! `recall check`: the integrity check, and the repairs the log allows (see
//! [`crate::store::Store::check`]); then the card catalog read again from the deck files.

use std::fmt::Write as _;

use crate::catalog;
use crate::deck;
use crate::error::Error;

pub fn run(ctx: &super::Context) -> Result<(), Error> {
    let mut store = ctx.store()?;
    let report = store.check()?;
    let mut text = String::new();
    if report.problems.is_empty() {
        let _ = writeln!(
            text,
            "{}: the integrity check found no damage.",
            store.path()
        );
    } else {
        let _ = writeln!(
            text,
            "{}: the integrity check found {} problem(s):",
            store.path(),
            report.problems.len()
        );
        for problem in report.problems.iter().take(10) {
            let _ = writeln!(text, "  {problem}");
        }
    }
    if !report.remaining.is_empty() {
        super::print(&text)?;
        return Err(Error::Store {
            path: store.path().to_string(),
            message: format!(
                "is still damaged after rebuilding its indexes and derived tables ({}); the review log itself is damaged. Restore a backup (`recall backup` writes one; the .bak files beside the database are copies made before upgrades)",
                report.remaining.first().map_or("", String::as_str)
            ),
        });
    }
    let sources = deck::sources(&ctx.deck_paths())?;
    let parsed = catalog::resync(&mut store, &sources)?;
    for repair in &report.repairs {
        let _ = writeln!(text, "  {repair}.");
    }
    let _ = writeln!(
        text,
        "  checked the card catalog against {} deck files ({parsed} parsed again).",
        sources.len()
    );
    let _ = writeln!(
        text,
        "The review log holds {} entries; every schedule is what it says.",
        report.entries
    );
    super::print(&text)
}
