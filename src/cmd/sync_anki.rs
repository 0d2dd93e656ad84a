//! `recall sync --anki PATH`: opens what it needs, calls [`crate::anki_sync::sync`], prints
//! what went each way.

use std::fmt::Write as _;

use crate::anki_sync::Report;
use crate::cli::SyncArgs;
use crate::display::{inert, plural};
use crate::error::Error;

pub fn run(ctx: &super::Context, args: &SyncArgs) -> Result<(), Error> {
    let Some(path) = &args.anki else {
        return Err(Error::Usage(
            "give either a folder (recall sync DIR) or an Anki collection (recall sync --anki PATH)".into(),
        ));
    };
    let mut store = ctx.catalogued(None)?;
    let clozes = crate::deck::cloze_card_ids(&ctx.deck_paths())?;
    let report = crate::anki_sync::sync(&mut store, &ctx.clock, path, &clozes)?;
    super::print(&render(&report, &path.display().to_string()))
}

/// The report: what matched, what went each way, where the backup is.
pub fn render(report: &Report, path: &str) -> String {
    let mut text = String::new();
    let unmatched = report.recall_cards - report.matched.min(report.recall_cards);
    let _ = writeln!(
        text,
        "Anki collection {}: {} of {} have a card there{}.",
        inert(path),
        report.matched,
        plural(report.recall_cards, "recall card"),
        if unmatched == 0 {
            String::new()
        } else {
            format!(" ({unmatched} with no note there left alone)")
        }
    );
    let _ = writeln!(
        text,
        "To Anki: {} added, {} given recall's schedule.",
        plural(report.to_anki, "answer"),
        plural(report.rescheduled, "card")
    );
    if report.in_filtered_decks > 0 {
        let _ = writeln!(
            text,
            "{} in Anki's filtered decks keep Anki's schedule until the filtered deck is emptied.",
            plural(report.in_filtered_decks, "card")
        );
    }
    let _ = writeln!(
        text,
        "From Anki: {} added.",
        plural(report.from_anki, "answer")
    );
    // Suspensions settled, each way, when there were any.
    for (count, what) in [
        (report.suspended_from_anki, "Suspended here as in Anki"),
        (report.unsuspended_from_anki, "Unsuspended here as in Anki"),
        (report.suspended_in_anki, "Suspended in Anki as here"),
        (report.unsuspended_in_anki, "Unsuspended in Anki as here"),
    ] {
        if count > 0 {
            let _ = writeln!(text, "{what}: {}.", plural(count, "card"));
        }
    }
    if report.held > 0
        && let Some(horizon) = report.horizon
    {
        let _ = writeln!(
            text,
            "{}.",
            horizon.held_back(
                report.held,
                if report.held == 1 {
                    "Anki answer"
                } else {
                    "Anki answers"
                }
            )
        );
    }
    if let Some(backup) = &report.backup {
        let _ = writeln!(
            text,
            "The collection was copied first to {}.",
            inert(&backup.display().to_string())
        );
    }
    text
}
