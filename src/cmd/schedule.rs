//! `recall schedule`: what SM-2 (or FSRS) does with a sequence of grades.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::ScheduleArgs;
use crate::error::Error;
use crate::scheduler::sm2;

#[derive(Serialize)]
struct Row {
    grade: u8,
    repetitions: u32,
    easiness: f64,
    interval: u32,
}

#[derive(Serialize)]
struct FsrsRow {
    grade: u8,
    /// Days until recall falls to 90%.
    stability: f64,
    /// 1 (easy) to 10 (hard).
    difficulty: f64,
    interval: u32,
}

/// FSRS on each due date: its stability, difficulty and interval after each grade, with the
/// parameters in use (the learner's, once `recall optimize` kept a fit; otherwise FSRS-6's
/// defaults).
fn fsrs(ctx: &super::Context, args: &ScheduleArgs, start: chrono::NaiveDate) -> Result<(), Error> {
    let algorithm = ctx.config.algorithm(Some(crate::config::Scheduler::Fsrs));
    // Without a database there is no fit, and a preview creates none.
    let fitted = if ctx.db_path.exists() {
        ctx.open_store()?.fitted_parameters()?
    } else {
        None
    };
    let parameters = fitted.as_ref().map(|f| f.parameters).unwrap_or_default();
    let days = given_days(args)?;
    let rules = crate::scheduler::Rules {
        algorithm,
        until: None,
        parameters: Some(parameters),
        steps: ctx.config.steps(),
    };
    let mut state = crate::scheduler::CardState::New;
    let mut day = start;
    let mut rows = Vec::new();
    for (n, grade) in args.grades.iter().enumerate() {
        state = match &days {
            // Days given: a grade on the day of the one before is a same-day answer.
            Some(days) => {
                let on = start + chrono::Duration::days(i64::from(days[n]));
                let at = on
                    .and_hms_opt(9, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp_millis()
                    + n as i64 * 60_000;
                if n > 0 && days[n] == days[n - 1] {
                    crate::scheduler::step_answer(state, *grade, on, at, "preview", &rules)
                } else {
                    crate::scheduler::answer(state, *grade, on, at, "preview", &rules, None)
                }
            }
            None => crate::scheduler::step(state, *grade, day, algorithm, &parameters),
        };
        let Some(m) = state.memory() else { continue };
        let f = m.fsrs.unwrap_or(crate::scheduler::FsrsMemory {
            stability: 0.0,
            difficulty: 0.0,
        });
        rows.push(FsrsRow {
            grade: grade.value(),
            stability: shortest(f.stability),
            difficulty: shortest(f.difficulty),
            interval: m.interval,
        });
        day = m.due;
    }
    if args.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    let mut text = String::from("review  grade  stability  difficulty  interval\n");
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            text,
            "{:>6}  {:>5}  {:>9.2}  {:>10.2}  {:>8}",
            i + 1,
            r.grade,
            r.stability,
            r.difficulty,
            format!("{} d", r.interval)
        );
    }
    let source = fitted.map_or_else(
        || "FSRS-6's default parameters".to_string(),
        |f| format!("your FSRS parameters (optimized on {})", f.day),
    );
    let when = if days.is_some() {
        "Each grade is on the day given; same-day ones count through FSRS's short-term formula"
    } else {
        "Each review is on its due date"
    };
    let _ = writeln!(
        text,
        "\n{algorithm}, {source}; grades 0-2 count as Again, 3 Hard,\n\
         4 Good, 5 Easy. {when}; intervals are unfuzzed."
    );
    super::print(&text)
}

/// `--days`, checked: one per grade, never decreasing; `None` when not given.
fn given_days(args: &ScheduleArgs) -> Result<Option<Vec<u32>>, Error> {
    if args.days.is_empty() {
        return Ok(None);
    }
    if args.days.len() != args.grades.len() {
        return Err(Error::Usage(format!(
            "--days gives {} days for {} grades: give one day per grade, like --grades 1,4,4 --days 0,0,1",
            args.days.len(),
            args.grades.len()
        )));
    }
    if args.days.windows(2).any(|pair| pair[1] < pair[0]) {
        return Err(Error::Usage(
            "--days must never decrease: each is the study day of its grade, counted from the first"
                .into(),
        ));
    }
    Ok(Some(args.days.clone()))
}

pub fn run(ctx: &super::Context, args: &ScheduleArgs) -> Result<(), Error> {
    // Any fixed day will do: intervals do not depend on the date.
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    if args.scheduler == Some(crate::config::Scheduler::Fsrs) {
        return fsrs(ctx, args, start);
    }
    let states = sm2::simulate(&args.grades, start);
    let rows: Vec<Row> = args
        .grades
        .iter()
        .zip(&states)
        .map(|(grade, m)| Row {
            grade: grade.value(),
            repetitions: m.repetitions,
            easiness: m.easiness.as_f64(),
            interval: m.interval,
        })
        .collect();
    if args.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    let mut text = String::from("review  grade  repetitions  easiness  interval  day\n");
    let mut day = 0u64;
    for (i, (row, m)) in rows.iter().zip(&states).enumerate() {
        let _ = writeln!(
            text,
            "{:>6}  {:>5}  {:>11}  {:>8}  {:>8}  {:>4}",
            i + 1,
            row.grade,
            row.repetitions,
            m.easiness.to_string(),
            format!("{} d", row.interval),
            day,
        );
        day += u64::from(row.interval);
    }
    let _ = writeln!(
        text,
        "\n`day` is when each review happens, counted from the first; each review is on its due date.\n\
         These are SM-2's own intervals, unfuzzed: in reviews, intervals over 2 days are spread by\n\
         up to ±5% (at least a day) so cards learned together do not all come due together."
    );
    super::print(&text)
}

/// An `f32` as the `f64` with its shortest decimal form (2.3065, not 2.30649995803833).
fn shortest(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}
