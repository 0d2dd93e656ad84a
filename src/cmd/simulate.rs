//! `recall simulate`: forecast the workload at several desired retentions.

use std::io::IsTerminal;

use crate::cli::SimulateArgs;
use crate::error::Error;
use crate::simulate::{Collection, Forecast, Studied, optimal_retention, simulate};

pub fn run(ctx: &super::Context, args: &SimulateArgs) -> Result<(), Error> {
    if let Some(bad) = args.retention.iter().find(|r| !(0.70..=0.99).contains(*r)) {
        return Err(Error::Usage(format!(
            "--retention {bad}: each desired retention must be from 0.70 to 0.99, like 0.85,0.9"
        )));
    }
    // One row per retention: `0.9,0.9` asks for one forecast, in the order first given.
    let mut retentions: Vec<f64> = Vec::with_capacity(args.retention.len());
    for &retention in &args.retention {
        if !retentions.contains(&retention) {
            retentions.push(retention);
        }
    }
    let store = ctx.catalogued(None)?;
    let today = ctx.clock.today();
    let records = store.records()?;
    // In card id order: the simulator draws its random answers card by card, so the hash
    // map's order, which changes from run to run, would change the table.
    let mut records: Vec<_> = records.iter().collect();
    records.sort_unstable_by_key(|(id, _)| *id);
    let studied: Vec<Studied> = records
        .into_iter()
        .map(|(_, record)| record)
        .filter(|r| !r.suspended)
        .filter_map(|r| r.state.memory())
        .filter_map(|m| {
            m.fsrs.map(|memory| Studied {
                memory,
                last_review: m.last_review,
                due: m.due,
                lapses: m.lapses,
            })
        })
        .collect();
    let mut collection = Collection {
        studied,
        new_cards: store.catalog_unseen()?,
        new_per_day: ctx.limits.new_per_day as usize,
        reviews_per_day: ctx.config.reviews_per_day.value as usize,
        steps: (
            ctx.config.learning_steps.value.len(),
            ctx.config.relearning_steps.value.len(),
        ),
        ..Collection::default()
    };
    collection.habits_from(&store.log()?);
    if collection.studied.is_empty() && collection.new_cards == 0 {
        return Err(Error::NoMatch(
            "nothing to simulate: no card is loaded; add a deck (`recall import`) first".into(),
        ));
    }
    let fitted = store.fitted_parameters()?;
    let parameters = fitted.as_ref().map(|f| f.parameters).unwrap_or_default();
    let exam = ctx.config.exam_date.as_ref().map(|d| d.value);
    let days = args.days as usize;
    let fail = |message: String| Error::NoMatch(format!("the simulation failed: {message}"));
    let rows = simulate(&collection, &parameters, today, days, &retentions, exam).map_err(fail)?;
    let optimal = optimal_retention(&collection, &parameters, today, days).map_err(fail)?;
    if args.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print(&format!("{json}\n"));
    }
    let source = fitted.map_or_else(
        || "FSRS-6's default parameters".to_string(),
        |f| format!("your FSRS parameters (optimized on {})", f.day),
    );
    let chart = std::io::stdout().is_terminal();
    let width = crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w));
    super::print(&render(&Rendering {
        rows: &rows,
        optimal,
        exam,
        days,
        cards: collection.studied.len() + collection.new_cards,
        source: &source,
        bar_width: if chart {
            width.saturating_sub(60).min(30)
        } else {
            0
        },
    }))
}

struct Rendering<'a> {
    rows: &'a [Forecast],
    /// The recommended retention; `None` when nothing costs study in the forecast.
    optimal: Option<f64>,
    exam: Option<chrono::NaiveDate>,
    days: usize,
    cards: usize,
    source: &'a str,
    /// Columns for the bar chart of minutes per day; 0: none.
    bar_width: usize,
}

/// The table: one row per retention, the optimal one marked `*`, the best one for the exam
/// `!`, and a bar of minutes per day when there is room.
fn render(r: &Rendering<'_>) -> String {
    let nearest = r.optimal.and_then(|optimal| {
        r.rows
            .iter()
            .min_by(|a, b| {
                (a.retention - optimal)
                    .abs()
                    .total_cmp(&(b.retention - optimal).abs())
            })
            .map(|row| row.retention)
    });
    let best_for_exam = r
        .rows
        .iter()
        .filter_map(|row| row.remembered_on_exam_day.map(|m| (row.retention, m)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(retention, _)| retention);
    let most_minutes = r
        .rows
        .iter()
        .map(|row| row.minutes_per_day)
        .fold(0.0, f64::max);
    let mut text = format!(
        "Forecast for your {} cards over {} days, with {} and your own answer times:\n\n\
         \x20 retention  reviews/day  minutes/day  remembered\n",
        r.cards, r.days, r.source
    );
    for row in r.rows {
        let mark = match (
            Some(row.retention) == nearest,
            Some(row.retention) == best_for_exam,
        ) {
            (true, true) => "*!",
            (true, false) => "* ",
            (false, true) => " !",
            (false, false) => "  ",
        };
        let bar = if r.bar_width > 0 && most_minutes > 0.0 {
            let n = (row.minutes_per_day / most_minutes * r.bar_width as f64).round() as usize;
            format!("  {}", "#".repeat(n.max(1)))
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{mark} {:>8.2}  {:>11.1}  {:>11.1}  {:>10.0}{bar}\n",
            row.retention, row.reviews_per_day, row.minutes_per_day, row.remembered
        ));
    }
    text.push('\n');
    text.push_str(&match r.optimal {
        Some(optimal) => format!(
            "* nearest to your optimal retention, {optimal:.2}: the most knowledge gained per minute of\n\
             \x20 study (cards remembered at the end beyond those you would keep without studying),\n\
             \x20 as Anki's \"Help me decide\" measures it.\n"
        ),
        None => "No retention to recommend: nothing is due or new within the forecast.\n".into(),
    });
    if let (Some(exam), Some(_)) = (r.exam, best_for_exam) {
        text.push_str(&format!(
            "! the most cards remembered on your exam day, {exam}.\n"
        ));
    }
    text.push_str("Set it with `desired_retention` (FSRS only: `scheduler = \"fsrs\"`).\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(retention: f64, minutes: f64, exam: Option<f64>) -> Forecast {
        Forecast {
            retention,
            reviews_per_day: minutes * 4.0,
            minutes_per_day: minutes,
            remembered: 100.0 * retention,
            remembered_on_exam_day: exam,
        }
    }

    #[test]
    fn the_table_marks_the_optimal_and_the_exam_rows_and_draws_bars_when_asked() {
        let rows = [row(0.8, 5.0, Some(70.0)), row(0.9, 10.0, Some(90.0))];
        let rendering = Rendering {
            rows: &rows,
            optimal: Some(0.82),
            exam: Some("2026-12-15".parse().unwrap()),
            days: 365,
            cards: 100,
            source: "FSRS-6's default parameters",
            bar_width: 10,
        };
        let text = render(&rendering);
        assert!(text.contains("*      0.80"), "{text}");
        assert!(
            text.contains(" !     0.90         40.0         10.0          90  ##########"),
            "{text}"
        );
        assert!(text.contains("! the most cards remembered on your exam day, 2026-12-15."));
        let plain = render(&Rendering {
            bar_width: 0,
            exam: None,
            ..rendering
        });
        assert!(!plain.contains('#'), "no bars when piped: {plain}");
        let nothing = render(&Rendering {
            optimal: None,
            ..rendering
        });
        assert!(!nothing.contains("*  "), "no row marked: {nothing}");
        assert!(
            nothing
                .contains("No retention to recommend: nothing is due or new within the forecast."),
            "{nothing}"
        );
    }
}
