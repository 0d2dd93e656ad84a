//! `recall schedule`: what SM-2 does with a sequence of grades.

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

pub fn run(args: &ScheduleArgs) -> Result<(), Error> {
    // Any fixed day will do: SM-2's intervals do not depend on the date.
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
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
        return super::print(&format!("{json}\n"));
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
