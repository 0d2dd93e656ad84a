//! `recall sync DIR`: multi-device history through a shared folder. Each device appends its
//! own entries to `DIR/<device-id>.jsonl` and never writes another device's file, so a file
//! syncer (or git) never sees two writers on one file; merging by review id is idempotent,
//! and the replay order (time, device, device order) makes it order-independent.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::{Deserialize, Serialize};

use crate::cli::SyncArgs;
use crate::error::{Error, Problem, Problems};
use crate::export::json::JsonReview;

/// One line of a device file.
#[derive(Serialize, Deserialize)]
struct Line {
    /// The entry's place in its device's log.
    device_seq: i64,
    #[serde(flatten)]
    review: JsonReview,
}

pub fn run(ctx: &super::Context, args: &SyncArgs) -> Result<(), Error> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut store = ctx.store()?;
    let device = store.device().to_string();

    // 1. Append this device's new entries to its own file.
    let since = store.synced_seq()?;
    let fresh = store.local_since(since)?;
    let own = dir.join(format!("{device}.jsonl"));
    if let Some((last, _)) = fresh.last() {
        let mut text = String::new();
        for (seq, entry) in &fresh {
            let line = Line {
                device_seq: *seq,
                review: JsonReview::from_entry(entry),
            };
            let _ = writeln!(text, "{}", serde_json::to_string(&line).unwrap_or_default());
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&own)
            .map_err(|e| Error::io(&own, e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(&own, e))?;
        store.set_synced_seq(*last)?;
    }

    // 2. Merge every other device's file.
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && *p != own)
        .collect();
    files.sort();
    let (mut merged, mut present) = (0, 0);
    let mut warnings = Vec::new();
    for path in &files {
        let other = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        let lines: Vec<&str> = text.lines().collect();
        for (i, raw) in lines.iter().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Line>(raw)
                .map_err(|e| e.to_string())
                .and_then(|line| line.review.to_entry().map(|entry| (line.device_seq, entry)));
            match parsed {
                Ok(entry) => entries.push(entry),
                // A last line cut short is a write still in progress elsewhere: next time.
                Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => warnings.push(format!(
                    "{}:{}: incomplete last line left for the next sync",
                    path.display(),
                    i + 1
                )),
                Err(message) => problems.push(Problem {
                    path: path.display().to_string(),
                    line: i + 1,
                    column: 1,
                    message,
                    hint: Some(
                        "sync files are written by recall; restore this one from its device".into(),
                    ),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Problems(Problems(problems)));
        }
        let (added, already) = store.merge_device(&other, &entries)?;
        merged += added;
        present += already;
    }
    let fits = sync_parameters(&mut store, dir, &device)?;
    let mut report = format!(
        "Synced with {}: wrote {} new entr{} to {}; merged {merged} from {} other device{} ({present} already here).\n",
        dir.display(),
        fresh.len(),
        if fresh.len() == 1 { "y" } else { "ies" },
        own.display(),
        files.len(),
        if files.len() == 1 { "" } else { "s" },
    );
    if fits > 0 {
        let _ = writeln!(
            report,
            "Merged {fits} FSRS parameter fit{} from other devices.",
            if fits == 1 { "" } else { "s" }
        );
    }
    for warning in warnings {
        let _ = writeln!(report, "warning: {warning}");
    }
    super::print(&report)
}

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
/// Returns how many fits were new here.
//
// A separate file rather than lines in the `.jsonl` log: an older recall reading the folder
// would refuse a line that is not a review entry.
fn sync_parameters(
    store: &mut crate::store::Store,
    dir: &std::path::Path,
    device: &str,
) -> Result<usize, Error> {
    use crate::store::{Fit, FittedParameters};
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
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let lines: Vec<FitLine> = serde_json::from_str(&text).map_err(|e| {
            Error::Problems(Problems(vec![Problem {
                path: path.display().to_string(),
                line: e.line(),
                column: e.column(),
                message: format!("not a list of FSRS parameter fits: {e}"),
                hint: Some(
                    "sync files are written by recall; restore this one from its device".into(),
                ),
            }]))
        })?;
        for line in lines {
            let Some(parameters) = crate::scheduler::Parameters::from_slice(&line.parameters)
            else {
                continue;
            };
            fits.push(FittedParameters {
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
            });
        }
    }
    store.merge_parameters(&fits)
}
