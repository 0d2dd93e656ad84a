//! The FSRS parameter fits of a sync folder: each device writes every fit it knows to
//! `DIR/<device-id>.fsrs-parameters.json` and merges every other device's.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::merge::MAX_DEVICE_FILE;
use super::shown;
use crate::clock::Horizon;
use crate::display::inert;
use crate::error::Error;

/// One `recall optimize` fit in a sync folder.
#[derive(Serialize, Deserialize)]
struct FitLine {
    fitted_at: chrono::DateTime<chrono::Utc>,
    day: chrono::NaiveDate,
    parameters: Vec<f32>,
    reviews: usize,
    default: [f64; 2],
    optimized: [f64; 2],
    kept: bool,
}

/// The FSRS parameter log's part of a sync: this device writes every fit it knows to
/// `DIR/<device-id>.fsrs-parameters.json` (its own file, replaced whole: the log is small)
/// and merges every other device's, so each device schedules with the newest kept fit.
/// A fit that is not 21 finite numbers inside FSRS's own ranges is refused, and one dated
/// after tomorrow or before 1970 held back, each counted in a warning naming the file.
/// Returns how many fits were new here.
//
// A separate file rather than lines in the `.jsonl` log: an older recall reading the folder
// would refuse a line that is not a review entry.
pub fn sync_parameters(
    store: &mut crate::store::Store,
    dir: &std::path::Path,
    device: &str,
    horizon: &Horizon,
    warnings: &mut Vec<String>,
) -> Result<usize, Error> {
    const SUFFIX: &str = ".fsrs-parameters.json";
    let own = dir.join(format!("{device}{SUFFIX}"));
    let lines: Vec<FitLine> = store
        .parameter_log()?
        .into_iter()
        .map(|f| FitLine {
            fitted_at: f.fitted_at,
            day: f.day,
            parameters: f.parameters.0.to_vec(),
            reviews: f.reviews,
            default: [f.default.log_loss, f.default.rmse_bins],
            optimized: [f.optimized.log_loss, f.optimized.rmse_bins],
            kept: f.kept,
        })
        .collect();
    if !lines.is_empty() {
        let text = serde_json::to_string_pretty(&lines).map_err(|e| Error::Usage(e.to_string()))?;
        let partial = own.with_extension("json.partial");
        std::fs::write(&partial, text)
            .and_then(|()| std::fs::rename(&partial, &own))
            .map_err(|e| Error::io(&own, e))?;
    }
    let mut fits = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if path == own || !name.is_some_and(|n| n.ends_with(SUFFIX)) {
            continue;
        }
        // Shared, not trusted: a file that is not a regular one, too large or damaged is
        // skipped with a warning, as a damaged review line is.
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            warnings.push(format!(
                "{}: skipped: not a regular file (a directory, FIFO or device)",
                shown(&path)
            ));
            continue;
        }
        let (bytes, over) = crate::deck::read_capped(&path, MAX_DEVICE_FILE)?;
        let parsed = if over {
            Err("too large".to_string())
        } else {
            serde_json::from_slice::<Vec<FitLine>>(&bytes).map_err(|e| e.to_string())
        };
        let lines = match parsed {
            Ok(lines) => lines,
            Err(e) => {
                warnings.push(format!(
                    "{}: skipped: not a list of FSRS parameter fits ({})",
                    shown(&path),
                    inert(&e)
                ));
                continue;
            }
        };
        fits.extend(admissible_fits(&path, lines, horizon, warnings));
    }
    store.merge_parameters(&fits)
}

/// The fits of another device's parameter file that may come in: one that is not 21 finite
/// numbers inside FSRS's own ranges is refused, one `horizon` does not admit is held back,
/// each kind counted in one warning naming the file.
fn admissible_fits(
    path: &Path,
    lines: Vec<FitLine>,
    horizon: &Horizon,
    warnings: &mut Vec<String>,
) -> Vec<crate::store::FittedParameters> {
    use crate::store::{Fit, FittedParameters};
    let mut fits = Vec::new();
    let (mut refused, mut held_back) = (Vec::new(), 0);
    for line in lines {
        let Some(parameters) = crate::scheduler::Parameters::from_slice(&line.parameters) else {
            refused.push(format!(
                "not 21 finite numbers: {}",
                inert(&format!("{:?}", line.parameters))
            ));
            continue;
        };
        let fit = FittedParameters {
            fitted_at: line.fitted_at,
            day: line.day,
            parameters,
            reviews: line.reviews,
            default: Fit {
                log_loss: line.default[0],
                rmse_bins: line.default[1],
            },
            optimized: Fit {
                log_loss: line.optimized[0],
                rmse_bins: line.optimized[1],
            },
            kept: line.kept,
        };
        if let Some(why) = parameters.out_of_bounds() {
            refused.push(why);
        } else if fit.plausible(horizon).is_err() {
            held_back += 1;
        } else {
            fits.push(fit);
        }
    }
    if let Some(first) = refused.first() {
        warnings.push(format!(
            "{}: {} refused: outside what FSRS accepts ({first}{})",
            shown(path),
            crate::display::plural(refused.len(), "FSRS parameter fit"),
            if refused.len() > 1 { ", …" } else { "" }
        ));
    }
    if held_back > 0 {
        let what = if held_back == 1 {
            "FSRS parameter fit"
        } else {
            "FSRS parameter fits"
        };
        warnings.push(format!(
            "{}: {}",
            shown(path),
            horizon.held_back(held_back, what)
        ));
    }
    fits
}
