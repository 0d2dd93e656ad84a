//! `recall sync DIR`: multi-device history through a shared folder. Each device appends its
//! own entries to `DIR/<device-id>.jsonl` and never writes another device's file, so a file
//! syncer (or git) never sees two writers on one file; merging by review id is idempotent,
//! and the replay order (time, device, device order) makes it order-independent.
//!
//! The folder is shared, not trusted. What arrives is checked before it is merged, and
//! nothing in it can stop a sync for good:
//! - this device's own file is repaired first when a sync was interrupted while appending (a
//!   half line) or lost entries: rewritten whole from the log;
//! - a damaged line of another device's file is skipped with a warning, and a name ending in
//!   `.jsonl` that is not a regular file (a FIFO, a directory, a device) is skipped;
//! - a review dated after tomorrow or before 1970 is held back (`clock::Horizon`, the rule
//!   every way in follows); an undo may only take back its own device's entries;
//! - an FSRS parameter fit outside FSRS's own ranges is refused, one dated as a review would
//!   be held back is held back;
//! - one review id with two different contents is resolved the same way on every device: the
//!   content with the smaller hash wins, so devices converge;
//! - another database writing under this device's id (a copied `recall.db`) is noticed, and
//!   this one takes a new id.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::SyncArgs;
use crate::clock::Horizon;
use crate::display::inert;
use crate::error::Error;
use crate::export::json::JsonReview;
use crate::store::{EntryKind, LogEntry, Store};

/// One line of a device file.
#[derive(Serialize, Deserialize)]
struct Line {
    /// The entry's place in its device's log.
    device_seq: i64,
    #[serde(flatten)]
    review: JsonReview,
}

/// The most a device file may hold: far beyond any learner's history (a million reviews are
/// about 400 MB of lines would be; 64 years of 400 answers a day), and a bound on memory.
const MAX_DEVICE_FILE: u64 = 1024 * 1024 * 1024;

/// A device file as read: its good entries, and warnings for what was skipped.
struct DeviceFile {
    entries: Vec<(i64, LogEntry)>,
    /// Lines that did not parse (excluding an unfinished last line).
    damaged: usize,
    /// The file does not end with a newline: a write was cut short.
    unfinished: bool,
}

fn shown(path: &Path) -> String {
    inert(&path.display().to_string())
}

/// Reads a device file, or says why it cannot be read (not a regular file, too large).
fn read_device_file(path: &Path, warnings: &mut Vec<String>) -> Result<Option<DeviceFile>, Error> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            warnings.push(format!("{}: skipped: {e}", shown(path)));
            return Ok(None);
        }
    };
    if !metadata.is_file() {
        warnings.push(format!(
            "{}: skipped: not a regular file (a directory, FIFO or device)",
            shown(path)
        ));
        return Ok(None);
    }
    let (bytes, over) = crate::deck::read_capped(path, MAX_DEVICE_FILE)?;
    if over {
        warnings.push(format!(
            "{}: skipped: larger than {} MiB",
            shown(path),
            MAX_DEVICE_FILE / (1024 * 1024)
        ));
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&bytes);
    let unfinished = !text.is_empty() && !text.ends_with('\n');
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let mut file = DeviceFile {
        entries: Vec::new(),
        damaged: 0,
        unfinished,
    };
    for (i, raw) in lines.iter().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Line>(raw)
            .map_err(|e| e.to_string())
            .and_then(|line| line.review.to_entry().map(|entry| (line.device_seq, entry)));
        match parsed {
            Ok(entry) => file.entries.push(entry),
            // A last line cut short is a write still in progress elsewhere: next time.
            Err(_) if i + 1 == lines.len() && unfinished => warnings.push(format!(
                "{}:{}: incomplete last line left for the next sync",
                shown(path),
                i + 1
            )),
            Err(message) => {
                file.damaged += 1;
                warnings.push(format!(
                    "{}:{}: damaged line skipped: {}",
                    shown(path),
                    i + 1,
                    inert(&message)
                ));
            }
        }
    }
    Ok(Some(file))
}

/// A stable hash of an entry's content: where two devices hold different entries under one
/// id, each keeps the one with the smaller hash.
fn content_hash(entry: &LogEntry) -> String {
    let json = serde_json::to_string(&JsonReview::from_entry(entry)).unwrap_or_default();
    blake3::hash(json.as_bytes()).to_hex().to_string()
}

fn line_of(seq: i64, entry: &LogEntry) -> String {
    let line = Line {
        device_seq: seq,
        review: JsonReview::from_entry(entry),
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// Makes this device's own file whole before anything is appended: a sync interrupted while
/// appending leaves a half line, after which every later line would sit behind it. The file
/// is rewritten (through a temporary file) with every entry of the log up to the last one
/// synced, when it lacks any of them or holds a damaged line. Returns whether another
/// database writes to this file too.
fn repair_own_file(
    own: &Path,
    store: &Store,
    local: &[(i64, LogEntry)],
    warnings: &mut Vec<String>,
) -> Result<bool, Error> {
    let mut ignored = Vec::new();
    let Some(file) = read_device_file(own, &mut ignored)? else {
        return Ok(false);
    };
    let local_ids: HashSet<&str> = local.iter().map(|(_, e)| e.id.0.as_str()).collect();
    if file
        .entries
        .iter()
        .any(|(_, e)| !local_ids.contains(e.id.0.as_str()))
    {
        return Ok(true);
    }
    let synced = store.synced_seq()?;
    let held: HashSet<&str> = file.entries.iter().map(|(_, e)| e.id.0.as_str()).collect();
    let written: Vec<&(i64, LogEntry)> = local.iter().filter(|(seq, _)| *seq <= synced).collect();
    let missing = written
        .iter()
        .filter(|(_, e)| !held.contains(e.id.0.as_str()))
        .count();
    if file.damaged == 0 && !file.unfinished && missing == 0 {
        return Ok(false);
    }
    crate::partial::write(own, |mut out| {
        let mut text = String::new();
        for (seq, entry) in &written {
            text.push_str(&line_of(*seq, entry));
            text.push('\n');
        }
        out.write_all(text.as_bytes())
            .and_then(|()| out.sync_all())
            .map_err(|e| Error::io(own, e))
    })?;
    warnings.push(format!(
        "{}: repaired this device's file (an interrupted sync): {} damaged line(s) dropped, {missing} entr{} written again",
        shown(own),
        file.damaged + usize::from(file.unfinished),
        if missing == 1 { "y" } else { "ies" }
    ));
    Ok(false)
}

/// What another device's file may bring in: entries `horizon` does not admit are held back, an
/// undo of an entry that is not this device's own is refused.
fn admissible(
    path: &Path,
    file: DeviceFile,
    horizon: &Horizon,
    warnings: &mut Vec<String>,
) -> Vec<(i64, LogEntry)> {
    let own_ids: HashSet<String> = file.entries.iter().map(|(_, e)| e.id.0.clone()).collect();
    let (mut future, mut foreign_undo) = (0, 0);
    let kept = file
        .entries
        .into_iter()
        .filter(|(_, entry)| {
            let late = !horizon.admits_day(entry.day) || !horizon.admits(entry.reviewed_at);
            future += usize::from(late);
            let bad_undo = entry.kind == EntryKind::Undo
                && entry
                    .undoes
                    .as_ref()
                    .is_none_or(|u| !own_ids.contains(&u.0));
            foreign_undo += usize::from(bad_undo);
            !late && !bad_undo
        })
        .collect();
    if future > 0 {
        warnings.push(format!(
            "{}: {}",
            shown(path),
            horizon.held_back(future, if future == 1 { "entry" } else { "entries" })
        ));
    }
    if foreign_undo > 0 {
        warnings.push(format!(
            "{}: {foreign_undo} undo entr{} refused: an undo may only take back its own device's reviews",
            shown(path),
            if foreign_undo == 1 { "y" } else { "ies" }
        ));
    }
    kept
}

/// Merges the admitted entries of other devices' files. One content per review id, the same
/// on every device: the smallest hash among the copies in the folder and the one already here.
/// Returns `(merged, already here, conflicts resolved)`.
fn merge_files(
    store: &mut Store,
    files: &[(PathBuf, Vec<(i64, LogEntry)>)],
    warnings: &mut Vec<String>,
) -> Result<(usize, usize, usize), Error> {
    let mut winner: HashMap<String, String> = HashMap::new();
    for (_, entries) in files {
        for (_, entry) in entries {
            let hash = content_hash(entry);
            winner
                .entry(entry.id.0.clone())
                .and_modify(|best| {
                    if hash < *best {
                        best.clone_from(&hash);
                    }
                })
                .or_insert(hash);
        }
    }
    let mut conflicts = 0;
    let (mut merged, mut present) = (0, 0);
    for (path, entries) in files {
        let other = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut chosen = Vec::new();
        for (seq, entry) in entries {
            let hash = content_hash(entry);
            if winner.get(&entry.id.0) != Some(&hash) {
                continue;
            }
            match store.entry(&entry.id)? {
                Some(here) if content_hash(&here) == hash => present += 1,
                Some(here) => {
                    conflicts += 1;
                    if hash < content_hash(&here) {
                        store.replace_entry(entry)?;
                    }
                    warnings.push(format!(
                        "{}: review {} differs from the copy here; every device keeps the same one",
                        shown(path),
                        inert(&entry.id.0)
                    ));
                }
                None => chosen.push((*seq, entry.clone())),
            }
        }
        // Mark them as chosen once, so a copy in a later file is not merged twice.
        for (_, entry) in &chosen {
            winner.remove(&entry.id.0);
        }
        let (added, already) = store.merge_device(&other, &chosen)?;
        merged += added;
        present += already;
    }
    Ok((merged, present, conflicts))
}

pub fn run(ctx: &super::Context, args: &SyncArgs) -> Result<(), Error> {
    let (Some(dir), None) = (&args.dir, &args.anki) else {
        return super::sync_anki::run(ctx, args);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut store = ctx.store()?;
    store.ensure_whole()?;
    let mut warnings = Vec::new();
    let horizon = Horizon::of(&ctx.clock);

    // 0. This device's own file: whole, and written by this database alone.
    let local = store.local_since(0)?;
    let mut own = dir.join(format!("{}.jsonl", store.device()));
    if repair_own_file(&own, &store, &local, &mut warnings)? {
        let old = store.device().to_string();
        let new = store.renew_device()?;
        warnings.push(format!(
            "another database also syncs as {} (a copied recall.db?); this one is now {}",
            inert(&old),
            inert(&new)
        ));
        own = dir.join(format!("{new}.jsonl"));
    }

    // 1. Append this device's new entries to its own file.
    let since = store.synced_seq()?;
    let fresh: Vec<&(i64, LogEntry)> = local.iter().filter(|(seq, _)| *seq > since).collect();
    if let Some((last, _)) = fresh.last() {
        let mut text = String::new();
        for (seq, entry) in &fresh {
            let _ = writeln!(text, "{}", line_of(*seq, entry));
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

    // 2. Read every other device's file, keeping what may come in.
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && *p != own)
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        if let Some(file) = read_device_file(&path, &mut warnings)? {
            let entries = admissible(&path, file, &horizon, &mut warnings);
            files.push((path, entries));
        }
    }

    let (merged, present, conflicts) = merge_files(&mut store, &files, &mut warnings)?;
    let device = store.device().to_string();
    let fits = sync_parameters(&mut store, dir, &device, &horizon, &mut warnings)?;
    let mut report = format!(
        "Synced with {}: wrote {} new entr{} to {}; merged {merged} from {} other device{} ({present} already here).\n",
        dir.display(),
        fresh.len(),
        if fresh.len() == 1 { "y" } else { "ies" },
        own.display(),
        files.len(),
        if files.len() == 1 { "" } else { "s" },
    );
    if conflicts > 0 {
        let _ = writeln!(
            report,
            "{conflicts} review id(s) held different content on two devices; resolved by content hash."
        );
    }
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
/// A fit that is not 21 finite numbers inside FSRS's own ranges is refused, and one dated
/// after tomorrow or before 1970 held back, each counted in a warning naming the file.
/// Returns how many fits were new here.
//
// A separate file rather than lines in the `.jsonl` log: an older recall reading the folder
// would refuse a line that is not a review entry.
fn sync_parameters(
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
