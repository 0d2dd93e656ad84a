//! Progress bars for long work: shown on a terminal for more than a few thousand items,
//! hidden when stderr is piped so scripts and logs stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Work smaller than this finishes too fast for a bar to help.
pub const THRESHOLD: u64 = 2_000;

/// The same for work counted in bytes (a file read as it streams).
pub const THRESHOLD_BYTES: u64 = 1024 * 1024;

/// A bar over `len` items labelled `what`, or a hidden one.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if len < THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// A bar over `len` bytes labelled `what`, or a hidden one.
pub fn bytes(len: u64, what: &str) -> ProgressBar {
    if len < THRESHOLD_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
