//! `recall evaluate`.

use crate::cli::EvaluateArgs;
use crate::error::Error;

pub fn run(ctx: &super::Context, args: &EvaluateArgs) -> Result<(), Error> {
    let store = ctx.store()?;
    let learner = store.parameters();
    let Some(result) = crate::evaluate::evaluate(&store.log()?, learner.as_ref()) else {
        return Err(Error::NoMatch(
            "no review to evaluate yet: a card needs a review on a later day than its first; \
             `recall import --review-log FILE.csv` brings in a history"
                .into(),
        ));
    };
    if args.json {
        let json =
            serde_json::to_string_pretty(&result).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    let mut rows = vec![("SM-2", result.sm2), ("FSRS", result.fsrs)];
    if let Some(own) = result.fsrs_optimized {
        rows.push(("FSRS (yours)", own));
    }
    let better = rows
        .iter()
        .min_by(|a, b| a.1.log_loss.total_cmp(&b.1.log_loss))
        .map_or("FSRS", |row| row.0);
    let mut text = format!(
        "How well each scheduler predicted recall over {} reviews (lower is better):\n\n\
         \x20                 log loss   RMSE (bins)\n",
        result.reviews
    );
    for (name, metrics) in &rows {
        text.push_str(&format!(
            "  {name:<14}  {:>8.4}   {:>11.4}\n",
            metrics.log_loss, metrics.rmse_bins
        ));
    }
    text.push_str(&format!(
        "\n{better} predicts your memory best. SM-2 predicts no probability; it was given the\n\
         curve its intervals imply, {}.\n\
         FSRS is FSRS-6 with its default parameters. Switch with `scheduler = \"fsrs\"` (or back).\n",
        crate::evaluate::SM2_CURVE
    ));
    text.push_str(if learner.is_some() {
        "FSRS (yours) has the parameters `recall optimize` fitted to this log (scored here on the\n\
         reviews it was fitted on; `recall optimize` judges it on reviews it had not seen).\n"
    } else {
        "`recall optimize` fits FSRS to your own log (from 400 reviews on) and adds a row here.\n"
    });
    super::print(&text)
}
