//! `recall status` (and `recall` alone): today's state at a glance.

use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::StatusArgs;
use crate::error::Error;
use crate::review::describe_day;

#[derive(Debug, Serialize)]
struct Status {
    today: NaiveDate,
    /// Cards due now, including any over today's review limit.
    due: usize,
    /// New cards that today's session would introduce.
    new: usize,
    reviewed_today: u32,
    new_learned_today: u32,
    next_due: Option<NaiveDate>,
    /// Study days in a row, ending today (or yesterday, if today is not studied yet).
    streak: u32,
    cards: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    exam_date: Option<NaiveDate>,
    /// Days from today to the exam.
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    /// Cards not yet learned (new or learning), with an exam date.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_learned: Option<usize>,
}

pub fn run(ctx: &super::Context, args: &StatusArgs) -> Result<(), Error> {
    // Indexed queries over the card catalog: no card text is read, and the cost does not
    // grow with the size of the collection (BENCHMARKS.md).
    let store = ctx.catalogued(None)?;
    let today = ctx.clock.today();
    let done = store.day_counts(today)?;
    let (cards, decks) = store.catalog_size()?;
    let mut report = Status {
        today,
        due: store.catalog_due_count(today)?,
        new: store
            .catalog_new(today, Some(ctx.limits.new_left(done)))?
            .len(),
        reviewed_today: done.reviewed,
        new_learned_today: done.new_learned,
        next_due: store.catalog_next_due(today, done.new_learned < ctx.limits.new_per_day)?,
        streak: store.streak(today)?,
        cards,
        exam_date: None,
        days_left: None,
        not_learned: None,
    };
    let exam = args
        .until
        .or_else(|| ctx.config.exam_date.as_ref().map(|d| d.value));
    if let Some(exam) = exam {
        report.exam_date = Some(exam);
        report.days_left = Some((exam - today).num_days());
        report.not_learned = Some(store.catalog_unseen()? + store.catalog_learning()?);
    }
    if args.json {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    let next = report.next_due.map_or_else(
        || "nothing scheduled".to_string(),
        |day| describe_day(day, today),
    );
    let days = if report.streak == 1 { "day" } else { "days" };
    let exam = match (report.exam_date, report.days_left, report.not_learned) {
        (Some(date), Some(days), Some(left)) if days >= 0 => {
            format!(
                "Exam {date}: {} left, {} not yet learned.\n",
                crate::display::plural(days as usize, "day"),
                crate::display::plural(left, "card")
            )
        }
        (Some(date), _, _) => format!("Exam {date}: past.\n"),
        _ => String::new(),
    };
    let hint = if report.due + report.new > 0 {
        "Run `recall review` to study them."
    } else {
        "All done for today."
    };
    super::print(&format!(
        "Today ({today}): {} due, {} new, {} reviewed.\nNext due: {next}.\nStreak: {} {days} in a row.\nCards: {} in {} deck{}.\n{exam}{hint}\n",
        report.due,
        report.new,
        report.reviewed_today,
        report.streak,
        report.cards,
        decks,
        if decks == 1 { "" } else { "s" },
    ))
}
