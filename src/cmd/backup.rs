//! `recall backup`: a consistent copy of the database.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::cli::BackupArgs;
use crate::error::Error;

/// `DIR/recall-<time to the millisecond>.db`, or with `-2`, `-3`, … when that is taken (two
/// backups in one millisecond, or a clock fixed by `RECALL_NOW`): a second `recall backup`
/// never fails for want of a name.
fn default_name(dir: &Path, now: DateTime<Utc>) -> PathBuf {
    let stamp = now.format("%Y%m%dT%H%M%S%.3fZ");
    let first = dir.join(format!("recall-{stamp}.db"));
    if !first.exists() {
        return first;
    }
    (2..=u32::MAX)
        .map(|n| dir.join(format!("recall-{stamp}-{n}.db")))
        .find(|path| !path.exists())
        .unwrap_or(first)
}

pub fn run(ctx: &super::Context, args: &BackupArgs) -> Result<(), Error> {
    let store = ctx.store()?;
    let path = if let Some(path) = &args.path {
        path.clone()
    } else {
        let dir = ctx
            .db_path
            .parent()
            .map_or_else(|| "backups".into(), |d| d.join("backups"));
        default_name(&dir, ctx.clock.now())
    };
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; name another file, or move it away first",
            path.display()
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    store.backup_to(&path)?;
    super::print(&format!(
        "Backed up {} to {}\n",
        store.path(),
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_go_to_the_millisecond_then_count() {
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::parse_from_rfc3339("2026-03-02T09:00:00.042Z")
            .unwrap()
            .with_timezone(&Utc);
        let first = default_name(dir.path(), now);
        assert_eq!(first, dir.path().join("recall-20260302T090000.042Z.db"));
        std::fs::write(&first, "").unwrap();
        let second = default_name(dir.path(), now);
        assert_eq!(second, dir.path().join("recall-20260302T090000.042Z-2.db"));
    }
}
