//! `recall status` (and `recall` alone): today's state at a glance.

use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::StatusArgs;
use crate::error::Error;
use crate::review::{describe_day, queue};

#[derive(Debug, Serialize)]
struct Status {
    today: NaiveDate,
    /// Cards due now, including any over today's review limit.
    due: usize,
    /// Of those, the due cards today's session takes (the rest wait for the daily review
    /// limit, `reviews_per_day`).
    due_today: usize,
    /// Due cards the daily review limit holds back.
    held_back: usize,
    /// Cards of today's queue waiting for tomorrow because a sibling was answered today.
    buried_siblings: usize,
    /// New cards that today's session would introduce (at the exam's pace, with one).
    new: usize,
    /// Cards on a same-day learning step that is due now.
    learning_now: usize,
    /// Cards on a learning step due later today.
    learning_later: usize,
    /// When the next learning step is due (RFC 3339), if one is left today.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_step: Option<chrono::DateTime<chrono::Utc>>,
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
    let (cards, decks) = store.catalog_size()?;
    let exam = args
        .until
        .or_else(|| ctx.config.exam_date.as_ref().map(|d| d.value));
    // The queue `review` would start from, limits, exam pace and siblings included.
    let queue::Today {
        done,
        queue,
        due_count,
        steps,
        buried,
        ..
    } = queue::catalog_today(&store, &ctx.clock, ctx.limits, None, exam)?;
    let due_today = queue
        .cards
        .iter()
        .filter(|(_, s)| s.memory().is_some())
        .count();
    let now = ctx.clock.now().timestamp_millis();
    let step_due = |s: &crate::scheduler::CardState| {
        s.memory()
            .and_then(|m| m.learning)
            .map_or(i64::MAX, |l| l.due_at)
    };
    let learning_now = steps.iter().filter(|(_, s)| step_due(s) <= now).count();
    let mut report = Status {
        today,
        due: due_count,
        due_today,
        held_back: queue.due_later,
        buried_siblings: buried.answered,
        learning_now,
        learning_later: steps.len() - learning_now,
        next_step: steps
            .iter()
            .map(|(_, s)| step_due(s))
            .find(|at| *at > now)
            .and_then(chrono::DateTime::from_timestamp_millis),
        new: queue.cards.len() - due_today,
        reviewed_today: done.reviewed,
        new_learned_today: done.new_learned,
        next_due: store.catalog_next_due(today, done.new_learned < ctx.limits.new_per_day)?,
        streak: store.streak(today)?,
        cards,
        exam_date: None,
        days_left: None,
        not_learned: None,
    };
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
                "Exam {date}: exam in {}, {} not yet learned.\n",
                crate::display::plural(days as usize, "day"),
                crate::display::plural(left, "card")
            )
        }
        (Some(date), _, _) => format!("Exam {date}: past.\n"),
        _ => String::new(),
    };
    let hint = hint(&report, ctx);
    let mut learning = if report.learning_now + report.learning_later > 0 {
        format!(
            ", {} learning now ({} later today)",
            report.learning_now, report.learning_later
        )
    } else {
        String::new()
    };
    if report.buried_siblings > 0 {
        learning.push_str(&format!(
            ", {} buried until tomorrow",
            crate::display::plural(report.buried_siblings, "sibling")
        ));
    }
    super::print(&format!(
        "Today ({today}): {} due, {} new{learning}, {} reviewed.\nNext due: {next}.\nStreak: {} {days} in a row.\nCards: {} in {} deck{}.\n{exam}{hint}\n",
        report.due_today,
        report.new,
        report.reviewed_today,
        report.streak,
        report.cards,
        decks,
        if decks == 1 { "" } else { "s" },
    ))
}

/// What to do next: study, wait for a learning step, or nothing; and, when the daily review
/// limit holds due cards back, which setting raises it.
fn hint(report: &Status, ctx: &super::Context) -> String {
    let mut hint = if report.due_today + report.new + report.learning_now > 0 {
        "Run `recall review` to study them.".to_string()
    } else if let Some(at) = report.next_step {
        format!(
            "Nothing to study right now: the next learning step is due {}.",
            crate::review::describe_time(at.timestamp_millis(), ctx.clock.now())
        )
    } else {
        "All done for today.".to_string()
    };
    if report.held_back > 0 {
        hint = format!(
            "{} for later days: the daily review limit (reviews_per_day = {}) is reached; raise it in the config file (`recall config path`) or with RECALL_REVIEWS_PER_DAY.\n{hint}",
            if report.held_back == 1 {
                "1 more due card waits".to_string()
            } else {
                format!("{} more due cards wait", report.held_back)
            },
            ctx.limits.reviews_per_day
        );
    }
    hint
}
