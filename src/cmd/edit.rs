//! `recall edit ID`: a card of your own deck in `$VISUAL`/`$EDITOR`, checked on save and
//! reopened until it loads (or put back as it was).

use std::path::Path;

use crate::catalog;
use crate::cli::EditArgs;
use crate::deck;
use crate::error::Error;
use crate::types::CardId;

/// Editors known to take `+LINE` before the file to open it at that line.
const TAKE_PLUS_LINE: &[&str] = &["vi", "vim", "nvim", "nano", "emacs", "micro", "kak"];

pub fn run(ctx: &super::Context, args: &EditArgs) -> Result<(), Error> {
    let library = deck::load(&ctx.deck_paths())?;
    let Some(card) = library.get(&CardId(args.id.clone())) else {
        let ids: Vec<&str> = library.cards.iter().map(|c| c.id.as_str()).collect();
        let hint = crate::suggest::nearest(&args.id, &ids).map_or_else(
            || "`recall cards` lists the ids".to_string(),
            |near| format!("did you mean `{near}`?"),
        );
        return Err(Error::Usage(format!(
            "no card with id `{}`; {hint}",
            crate::display::inert(&args.id)
        )));
    };
    if card.location.path.starts_with("(bundled)") {
        return Err(Error::Usage(format!(
            "card `{}` is a bundled card, compiled from the guide ({}): it cannot be edited here; add your own version with `recall add`",
            card.id, card.location
        )));
    }
    let path = Path::new(&card.location.path).to_path_buf();
    let original = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut previous = original.clone();
    let mut line = card.location.line;
    loop {
        open_editor(&path, line)?;
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        match catalog::check_all(&deck::sources(&ctx.deck_paths())?) {
            Ok(()) => {
                let what = if text == original {
                    "unchanged"
                } else {
                    "saved"
                };
                return super::print(&format!(
                    "Card `{}`: {} is {what}.\n",
                    args.id,
                    path.display()
                ));
            }
            Err(problems) => {
                if text == previous && text != original {
                    std::fs::write(&path, &original).map_err(|e| Error::io(&path, e))?;
                    return Err(Error::Usage(format!(
                        "{problems}\nrecall: {} put back as it was (saved unchanged after a problem)",
                        path.display()
                    )));
                }
                if text == original {
                    // The file was already broken before the edit: say so and stop.
                    return Err(problems);
                }
                eprintln!("recall: {problems}");
                eprintln!(
                    "recall: opening the editor again to fix it (save it unchanged to give up and put the file back)"
                );
                line = first_line(&problems).unwrap_or(line);
                previous = text;
            }
        }
    }
}

/// The line of the first located problem in `path`, to reopen the editor there.
fn first_line(error: &Error) -> Option<usize> {
    match error {
        Error::Problems(problems) => problems.0.first().map(|p| p.line),
        _ => None,
    }
}

/// Runs `$VISUAL`, else `$EDITOR`, else `vi` on `path` (at `line` when the editor takes it),
/// with the terminal handed over, and waits for it.
fn open_editor(path: &Path, line: usize) -> Result<(), Error> {
    let command = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let mut process = std::process::Command::new(program);
    process.args(words);
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if TAKE_PLUS_LINE.contains(&name.as_str()) {
        process.arg(format!("+{line}"));
    }
    let status = process.arg(path).status().map_err(|e| {
        Error::Usage(format!(
            "cannot run the editor `{program}`: {e}; set $EDITOR (or $VISUAL) to your editor, e.g. `EDITOR=nano recall edit ID`"
        ))
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "the editor `{program}` exited with {status}; {} is as the editor left it",
            path.display()
        )))
    }
}
