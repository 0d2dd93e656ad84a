//! `recall backup`: a consistent copy of the database.

use crate::cli::BackupArgs;
use crate::error::Error;

pub fn run(ctx: &super::Context, args: &BackupArgs) -> Result<(), Error> {
    let store = ctx.store()?;
    let path = if let Some(path) = &args.path {
        path.clone()
    } else {
        let stamp = ctx.clock.now().format("%Y%m%dT%H%M%SZ");
        let dir = ctx
            .db_path
            .parent()
            .map_or_else(|| "backups".into(), |d| d.join("backups"));
        dir.join(format!("recall-{stamp}.db"))
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
