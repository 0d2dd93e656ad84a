//! `recall edit ID`: a card of your own deck in `$VISUAL`/`$EDITOR`, checked on save and
//! reopened until it loads (or put back as it was). A bundled card is edited as your version
//! of it: an override (`override = true`, same id, same history) appended to your deck,
//! pre-filled with the bundled text.

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
        return edit_override(ctx, card);
    }
    let path = Path::new(&card.location.path).to_path_buf();
    let original = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let edit = Edit {
        path,
        before: Some(original.clone()),
        opened: original,
        line: card.location.line,
    };
    let what = edit.run(ctx)?;
    super::print(&format!(
        "Card `{}`: {} is {}.\n",
        args.id,
        edit.path.display(),
        if what == Outcome::Unchanged {
            "unchanged"
        } else {
            "saved"
        }
    ))
}

/// The deck `recall add` writes to unless told otherwise, where an override goes.
const OWN_DECK: &str = "my-cards";

/// Your version of bundled card `card`: a `[[card]]` table with its id, `override = true`
/// and its text, appended to your deck and opened in the editor. Saved unchanged, nothing is
/// written.
fn edit_override(ctx: &super::Context, card: &deck::Card) -> Result<(), Error> {
    let path = super::own_deck_file(ctx, OWN_DECK)?;
    let before = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    let version = deck::add::NewCard {
        id: card.id.0.clone(),
        front: card.front.clone(),
        back: card.back.clone(),
        tags: card.tags.clone(),
        level: card.level,
        overrides: true,
    };
    let (opened, line) = deck::add::append(before.as_deref(), OWN_DECK, &version)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    super::write_atomically(&path, &opened)?;
    let edit = Edit {
        path,
        before,
        opened,
        line,
    };
    let message = match edit.run(ctx)? {
        Outcome::Unchanged => {
            edit.put_back()?;
            format!(
                "Card `{}`: unchanged, so no version of your own was written (the bundled text stays).\n",
                card.id
            )
        }
        Outcome::Saved => format!(
            "Card `{}`: your version is saved in {} (`override = true`: it replaces the bundled card and keeps its history; delete the table to go back).\n",
            card.id,
            edit.path.display()
        ),
    };
    super::print(&message)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Unchanged,
    Saved,
}

/// A deck file open for editing.
struct Edit {
    path: std::path::PathBuf,
    /// The file before `recall edit` touched it (`None`: it did not exist), put back when
    /// the learner gives up.
    before: Option<String>,
    /// The text the editor first opens.
    opened: String,
    /// Where the card is, to open the editor there.
    line: usize,
}

impl Edit {
    /// Opens the editor until the decks load: after a save with a problem the problem is
    /// shown and the editor opens again at its line; saved unchanged after a problem, the
    /// file is put back as it was and the problem is the error.
    fn run(&self, ctx: &super::Context) -> Result<Outcome, Error> {
        let mut previous = self.opened.clone();
        let mut line = self.line;
        loop {
            open_editor(&self.path, line)?;
            let text = std::fs::read_to_string(&self.path).map_err(|e| Error::io(&self.path, e))?;
            match catalog::check_all(&deck::sources(&ctx.deck_paths())?) {
                Ok(()) if text == self.opened => return Ok(Outcome::Unchanged),
                Ok(()) => return Ok(Outcome::Saved),
                Err(problems) => {
                    if text == previous && text != self.opened {
                        self.put_back()?;
                        return Err(Error::Usage(format!(
                            "{problems}\nrecall: {} put back as it was (saved unchanged after a problem)",
                            self.path.display()
                        )));
                    }
                    if text == self.opened {
                        // The decks were already broken before the edit: say so and stop.
                        self.put_back()?;
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

    /// Puts the file back as it was before the edit (removes it if it did not exist).
    fn put_back(&self) -> Result<(), Error> {
        match &self.before {
            Some(text) => {
                if std::fs::read_to_string(&self.path).ok().as_ref() != Some(text) {
                    super::write_atomically(&self.path, text)?;
                }
                Ok(())
            }
            None => std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e)),
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
