//! `recall import`: a shared deck into the learner's deck directory, and a JSON export's review
//! log into the database.

use std::fmt::Write as _;
use std::path::Path;

use indicatif::ProgressBar;

use super::Loaded;
use crate::cli::ImportArgs;
use crate::deck::Card;
use crate::error::Error;
use crate::import;
use crate::import::anki::media::Written;
use crate::import::merge::{Known, Merge, dry_run_lines, list_changes, report};
use crate::types::CardId;

impl Known for Loaded {
    fn card(&self, id: &CardId) -> Result<Option<Card>, Error> {
        self.get(id)
    }
}

/// `--review-log`: a foreign history into the log, merged by id, then the schedule rebuilt.
fn review_log(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    let rows = import::review_log::read_file(&args.path)?;
    let mut store = ctx.store()?;
    let merged = import::review_log::merge_rows(&mut store, &ctx.clock, rows, |card| {
        CardId(format!("anki-{card}"))
    })?;
    super::print(&format!(
        "Imported the review log {}: {} reviews of {} cards; {} added, {} already present.\n{}\
         `recall evaluate` compares how SM-2 and FSRS predict it.\n",
        args.path.display(),
        merged.read,
        merged.cards,
        merged.added,
        merged.present,
        merged.held_line()
    ))
}

/// Whether the learner agrees to replace the text of the listed cards: asked on a terminal;
/// elsewhere an error that says to pass `--update`.
fn confirm_changes(merges: &[Merge<'_>]) -> Result<bool, Error> {
    use std::io::IsTerminal;
    let count: usize = merges.iter().map(|m| m.changes.len()).sum();
    let list = list_changes(merges);
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Error::Usage(format!(
            "this import would change the text of {count} card(s) you already have:\n{list}run it again with --update to replace them (or --dry-run to see the whole report)"
        )));
    }
    super::print(&format!(
        "This import would change the text of {count} card(s) you already have:\n{list}Replace them? [y/N] "
    ))?;
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::io("(standard input)", e))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Writes the media an import planned (see [`import::anki::media`]); the report's line.
fn write_media(
    path: &Path,
    media: &[import::Media],
    options: &import::anki::Options,
) -> Result<String, Error> {
    let plans: Vec<&import::anki::media::Plan> =
        media.iter().filter_map(|m| m.plan.as_ref()).collect();
    if let Some(dir) = &options.media_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let written = if plans.is_empty() {
        Written::default()
    } else {
        import::anki::media::write(path, &plans, &options.budget)?
    };
    Ok(media_report(media, options.media_dir.as_deref(), &written))
}

/// The media line of the report: how many images and sounds the cards refer to, and what
/// became of them in `--media DIR` (written, already there, renamed for a clash).
fn media_report(media: &[import::Media], dir: Option<&Path>, written: &Written) -> String {
    use crate::import::anki::media::Action;
    use crate::import::html::MediaKind;
    if media.is_empty() {
        return String::new();
    }
    let images = media.iter().filter(|m| m.kind == MediaKind::Image).count();
    let sounds = media.len() - images;
    let counted = format!("{images} image(s) and {sounds} sound(s)");
    let Some(dir) = dir else {
        return format!(
            "Media: {counted}, shown on the cards as [image: NAME] / [sound: NAME]; `--media DIR` writes the files.\n"
        );
    };
    let planned: Vec<&import::anki::media::Plan> =
        media.iter().filter_map(|m| m.plan.as_ref()).collect();
    let present = planned
        .iter()
        .filter(|p| p.action == Action::Present)
        .count();
    let mut line = format!(
        "Media: {counted}; {} written to {}",
        written.written,
        dir.display()
    );
    if present > 0 {
        let _ = write!(line, ", {present} already there with the same content");
    }
    let renamed: Vec<String> = media
        .iter()
        .filter_map(|m| {
            let plan = m.plan.as_ref().filter(|p| p.action == Action::Renamed)?;
            let to = plan.file.file_name()?.to_string_lossy();
            Some(format!(
                "{} → {}",
                crate::display::inert(&m.name),
                crate::display::inert(&to)
            ))
        })
        .collect();
    if !renamed.is_empty() {
        let _ = write!(
            line,
            "; {} renamed, since a different file has the name (the cards show the new names): {}",
            renamed.len(),
            renamed.join(", ")
        );
    }
    if written.appeared > 0 {
        let _ = write!(
            line,
            "; {} left alone, as a file of that name appeared during the import",
            written.appeared
        );
    }
    if planned.len() < media.len() {
        let _ = write!(
            line,
            " ({} missing from the package or with unsafe names, left out)",
            media.len() - planned.len()
        );
    }
    line.push_str(".\n");
    line
}

pub fn run(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    if args.review_log {
        return review_log(ctx, args);
    }
    let loaded = ctx.loaded()?;
    let options = import::anki::Options {
        media_dir: args.media.clone().filter(|_| !args.dry_run),
        budget: std::sync::Arc::new(import::Budget::default()),
    };
    let mut bar: Option<ProgressBar> = None;
    let read = import::merge::read(&args.path, &options, ctx.deck_dir(), &loaded, |progress| {
        bar.get_or_insert_with(|| {
            if progress.in_bytes {
                crate::progress::bytes(progress.total, "importing")
            } else {
                crate::progress::bar(progress.total, "importing")
            }
        })
        .set_position(progress.done);
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let import::merge::Read {
        merges: written,
        skips: file_skips,
        media,
        history,
        reviews,
        suspended,
    } = read;
    let mut report = report(&args.path, &written, &file_skips);
    let changes: usize = written.iter().map(|m| m.changes.len()).sum();
    if args.dry_run {
        report.push_str(&media_report(&media, None, &Written::default()));
        return super::print(&(report + &dry_run_lines(&written, history.len())));
    }
    if changes > 0 && !args.update && !confirm_changes(&written)? {
        return super::print("Nothing was written.\n");
    }
    // Media only now, every check passed, and before the decks: should the budget run out
    // here, what was written is taken back and the decks stay as they were.
    report.push_str(&write_media(&args.path, &media, &options)?);
    report.push_str(&import::merge::write_decks(written)?);
    if let Some(reviews) = reviews {
        report.push_str(&merge_reviews(ctx, reviews)?);
    }
    if !suspended.is_empty() {
        let mut store = ctx.store()?;
        let count = import::review_log::merge_suspensions(&mut store, &ctx.clock, &suspended)?;
        if count > 0 {
            let _ = writeln!(
                report,
                "Suspended: {count} card(s), as they are in the file."
            );
        }
    }
    if !history.is_empty() {
        report.push_str(&merge_history(ctx, history)?);
    }
    super::print(&report)?;
    // The catalog of the deck files, brought up to date now rather than by the next command:
    // after a large import that is the parse of every new part (1.1 s and 51 MB for 100,000
    // cards), which a `sync --anki` run next paid on top of its own. A deck that does not
    // load is the next command's to report, as it would have been.
    let _ = ctx.catalogued(None);
    Ok(())
}

/// A recall JSON export's review log into the log; the report's line.
fn merge_reviews(
    ctx: &super::Context,
    reviews: Vec<crate::store::LogEntry>,
) -> Result<String, Error> {
    let mut store = ctx.store()?;
    let merged = import::review_log::merge_entries(&mut store, &ctx.clock, reviews)?;
    Ok(format!(
        "Reviews: {} merged, {} already present.\n{}",
        merged.added,
        merged.present,
        merged.held_line()
    ))
}

/// An Anki package's review history into the log (answers already there are left out), the
/// cards' schedules rebuilt from it; the report's line.
fn merge_history(
    ctx: &super::Context,
    history: Vec<import::review_log::Row>,
) -> Result<String, Error> {
    let mut store = ctx.store()?;
    let merged = import::review_log::merge_rows(&mut store, &ctx.clock, history, |card| {
        CardId(card.to_string())
    })?;
    Ok(format!(
        "History: {} review(s) of {} card(s); {} added, {} already present. Their schedules follow from it.\n{}",
        merged.read,
        merged.cards,
        merged.added,
        merged.present,
        merged.held_line()
    ))
}
