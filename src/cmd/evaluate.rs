//! `recall evaluate`.

use crate::cli::EvaluateArgs;
use crate::error::Error;

pub fn run(ctx: &super::Context, args: &EvaluateArgs) -> Result<(), Error> {
    let store = ctx.store()?;
    let Some(result) = crate::evaluate::evaluate(&store.log()?) else {
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
    let better = if result.fsrs.log_loss < result.sm2.log_loss {
        "FSRS"
    } else {
        "SM-2"
    };
    super::print(&format!(
        "How well each scheduler predicted recall over {} reviews (lower is better):\n\n\
         \x20             log loss   RMSE (bins)\n\
         \x20 SM-2         {:>8.4}   {:>11.4}\n\
         \x20 FSRS         {:>8.4}   {:>11.4}\n\n\
         {better} predicts your memory better. SM-2 predicts no probability; it was given the\n\
         curve its intervals imply, {}.\n\
         FSRS is FSRS-6 with its default parameters. Switch with `scheduler = \"fsrs\"` (or back).\n",
        result.reviews,
        result.sm2.log_loss,
        result.sm2.rmse_bins,
        result.fsrs.log_loss,
        result.fsrs.rmse_bins,
        crate::evaluate::SM2_CURVE
    ))
}
