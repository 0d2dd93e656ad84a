//! `recall sync DIR`: parse, call [`crate::sync::sync`], print. The device-file protocol is
//! `src/sync/`; its SQL is `store::sync`.

use std::fmt::Write as _;

use crate::cli::SyncArgs;
use crate::clock::Horizon;
use crate::error::Error;

pub fn run(ctx: &super::Context, args: &SyncArgs) -> Result<(), Error> {
    let (Some(dir), None) = (&args.dir, &args.anki) else {
        return super::sync_anki::run(ctx, args);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut store = ctx.store()?;
    let horizon = Horizon::of(&ctx.clock);
    let report = crate::sync::sync(&mut store, dir, &horizon)?;
    let crate::sync::merge::Merge {
        merged,
        present,
        conflicts,
    } = report.merge;
    let written = report.written;
    let mut text = format!(
        "Synced with {}: wrote {written} new entr{} to {}; merged {merged} from {} other device{} ({present} already here).\n",
        dir.display(),
        if written == 1 { "y" } else { "ies" },
        report.own.display(),
        report.devices,
        if report.devices == 1 { "" } else { "s" },
    );
    if conflicts > 0 {
        let _ = writeln!(
            text,
            "{conflicts} review id(s) held different content on two devices; resolved by content hash."
        );
    }
    if report.fits > 0 {
        let _ = writeln!(
            text,
            "Merged {} FSRS parameter fit{} from other devices.",
            report.fits,
            if report.fits == 1 { "" } else { "s" }
        );
    }
    for warning in report.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    super::print(&text)
}
