//! `recall optimize`: fit FSRS to the learner's log, judge the fit, log it, keep it if better.

use std::time::Duration;

use serde::Serialize;

use crate::cli::OptimizeArgs;
use crate::error::Error;
use crate::evaluate::Metrics;
use crate::optimize::{Builder, MIN_REVIEWS, Outcome, history_cap};
use crate::store::{Fit, FittedParameters};

#[derive(Serialize)]
struct Report {
    /// Long-term reviews fitted on.
    reviews: usize,
    /// Long-term reviews left out: past their card's `history_cap`th answer.
    left_out: usize,
    /// The longest history FSRS trains on, in answers.
    history_cap: usize,
    /// The parameters in use before this fit (FSRS-6's defaults on a first fit).
    default: Metrics,
    optimized: Metrics,
    kept: bool,
    /// `default` or `optimized on DATE`: what `default` above stands for.
    compared_with: String,
    /// The parameters in use now: this fit's when kept, the previous ones when not.
    parameters: Vec<f32>,
    /// The parameters this fit found, kept or rejected (a rejected fit is otherwise only in
    /// the database).
    fitted_parameters: Vec<f32>,
}

pub fn run(ctx: &super::Context, args: &OptimizeArgs) -> Result<(), Error> {
    let mut store = ctx.store()?;
    // Streamed: at a million reviews, holding the whole log would cost more than the fit.
    let mut builder = Builder::new(store.undone_entries()?);
    store.log_for_each(|entry| {
        builder.add(&entry);
        Ok(())
    })?;
    let set = builder.finish();
    let reviews = set.long_term_reviews();
    let left_out = left_out_note(set.past_cap, set.cards_past_cap);
    if reviews < MIN_REVIEWS {
        return Err(Error::NoMatch(format!(
            "too few reviews to fit FSRS to: {reviews} long-term reviews (a card answered on a \
             later day than its previous answer) of the {MIN_REVIEWS} needed; keep reviewing, \
             or bring in a history with `recall import --review-log FILE.csv`{}",
            left_out
                .as_deref()
                .map(|note| format!(
                    " ({})",
                    note.trim_end_matches('.').replacen("Left", "left", 1)
                ))
                .unwrap_or_default()
        )));
    }
    let past_cap = set.past_cap;
    let previous = store.fitted_parameters()?;
    let in_use = previous.as_ref().map(|f| f.parameters).unwrap_or_default();
    let compared_with = previous.as_ref().map_or_else(
        || "default".to_string(),
        |f| format!("optimized on {}", f.day),
    );
    let outcome = fit_with_progress(set, &in_use)?;
    let now = ctx.clock.now();
    store.record_parameters(&FittedParameters {
        fitted_at: now,
        day: ctx.clock.study_day(now),
        parameters: outcome.parameters,
        reviews,
        default: fit(outcome.current),
        optimized: fit(outcome.optimized),
        kept: outcome.kept,
    })?;
    let parameters = if outcome.kept {
        outcome.parameters
    } else {
        in_use
    };
    if args.json {
        let report = Report {
            reviews,
            left_out: past_cap,
            history_cap: history_cap(),
            default: outcome.current,
            optimized: outcome.optimized,
            kept: outcome.kept,
            compared_with,
            parameters: parameters.0.to_vec(),
            fitted_parameters: outcome.parameters.0.to_vec(),
        };
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print(&format!("{json}\n"));
    }
    let mut text = render(
        &outcome,
        reviews,
        previous.is_some(),
        &compared_with,
        &parameters,
    );
    if let Some(note) = left_out {
        text.push_str(&note);
        text.push('\n');
    }
    super::print(&text)
}

/// Says what the history cap left out, when it left anything out: `"Left out 9744 long-term
/// reviews of 1 card past its 256th answer: FSRS trains on histories of up to 256 answers."`
fn left_out_note(reviews: usize, cards: usize) -> Option<String> {
    let cap = history_cap();
    (reviews > 0).then(|| {
        format!(
            "Left out {} of {} past {} {cap}th answer: FSRS trains on histories of up to {cap} answers.",
            crate::display::plural(reviews, "long-term review"),
            crate::display::plural(cards, "card"),
            if cards == 1 { "its" } else { "their" },
        )
    })
}

/// The text report: both scores, the verdict, the parameters in use and, when the fit is
/// rejected, its parameters too.
fn render(
    outcome: &Outcome,
    reviews: usize,
    refit: bool,
    compared_with: &str,
    parameters: &crate::scheduler::Parameters,
) -> String {
    let label = if refit { "in use" } else { "default" };
    let verdict = if outcome.kept {
        "Kept the optimized parameters: they predict your memory better. They schedule from now\n\
         on under `scheduler = \"fsrs\"`, and `recall evaluate` shows them.\n"
            .to_string()
    } else {
        format!(
            "Kept the {label} parameters ({compared_with}): the fit predicts your memory no better.\n"
        )
    };
    let rejected = if outcome.kept {
        String::new()
    } else {
        format!("Rejected fit: {}\n", outcome.parameters)
    };
    format!(
        "Fitted FSRS-6 to {reviews} reviews, judged on reviews each fit had not seen\n\
         (trained on the past, tested on the next slice; lower is better):\n\n\
         \x20                log loss   RMSE (bins)\n\
         \x20 {label:<12}  {:>9.4}   {:>11.4}\n\
         \x20 optimized     {:>9.4}   {:>11.4}\n\n\
         {verdict}Parameters in use: {parameters}\n{rejected}",
        outcome.current.log_loss,
        outcome.current.rmse_bins,
        outcome.optimized.log_loss,
        outcome.optimized.rmse_bins,
    )
}

fn fit(metrics: Metrics) -> Fit {
    Fit {
        log_loss: metrics.log_loss,
        rmse_bins: metrics.rmse_bins,
    }
}

/// Runs the fit on another thread while a bar (on a terminal only) shows the fitting, then
/// the five time-series splits.
fn fit_with_progress(
    set: crate::optimize::TrainingSet,
    in_use: &crate::scheduler::Parameters,
) -> Result<Outcome, Error> {
    const STEP: u64 = 1000;
    let bar = crate::progress::bar(6 * STEP, "Fitting FSRS");
    let fitting = fsrs::CombinedProgressState::new_shared();
    let result = std::thread::scope(|scope| {
        let (bar, fitting_state) = (&bar, fitting.clone());
        let worker = scope.spawn(move || {
            crate::optimize::optimize(set, in_use, Some(fitting_state), |splits| {
                bar.set_position(STEP + splits as u64 * STEP);
            })
        });
        while !worker.is_finished() {
            std::thread::sleep(Duration::from_millis(100));
            if let Ok(state) = fitting.lock()
                && !state.finished()
                && state.total() > 0
            {
                bar.set_position(state.current() as u64 * STEP / state.total() as u64);
            }
        }
        worker.join()
    });
    bar.finish_and_clear();
    match result {
        Ok(outcome) => {
            outcome.map_err(|message| Error::NoMatch(format!("the fit failed: {message}")))
        }
        Err(_) => Err(Error::NoMatch(
            "the fit failed inside the fsrs crate; your parameters are unchanged".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::Parameters;

    fn outcome(kept: bool) -> Outcome {
        let mut fitted = Parameters::default();
        fitted.0[0] = 0.5;
        Outcome {
            parameters: fitted,
            current: Metrics {
                log_loss: 0.4416,
                rmse_bins: 0.0427,
            },
            optimized: Metrics {
                log_loss: 0.4421,
                rmse_bins: 0.0433,
            },
            kept,
        }
    }

    #[test]
    fn a_rejected_fit_is_shown_beside_the_parameters_kept() {
        let in_use = Parameters::default();
        let text = render(
            &outcome(false),
            6276,
            true,
            "optimized on 2024-10-06",
            &in_use,
        );
        assert!(
            text.contains(
                "  in use           0.4416        0.0427\n  optimized        0.4421        0.0433"
            ),
            "{text}"
        );
        assert!(
            text.contains("Kept the in use parameters (optimized on 2024-10-06)"),
            "{text}"
        );
        assert!(
            text.contains(&format!("Parameters in use: {in_use}\nRejected fit: 0.5,")),
            "{text}"
        );
        let kept = render(
            &outcome(true),
            6276,
            false,
            "default",
            &outcome(true).parameters,
        );
        assert!(!kept.contains("Rejected"), "{kept}");
        assert!(kept.contains("Parameters in use: 0.5,"), "{kept}");
    }
}
