//! One file per subcommand: each opens what it needs through [`Context`], calls the library,
//! and prints. Decks are always loaded before the database is opened, so a broken deck never
//! leads to a write.

pub mod compile;
pub mod rebuild;
pub mod review;
pub mod schedule;
pub mod status;

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Cli, Command, StatusArgs};
use crate::clock::Clock;
use crate::deck::{self, Library};
use crate::error::Error;
use crate::review::queue::Limits;
use crate::store::Store;

/// What every command shares: the clock, where data lives, the daily limits.
pub struct Context {
    pub clock: Clock,
    pub db_path: PathBuf,
    pub deck_paths: Vec<PathBuf>,
    pub limits: Limits,
    pub colour: bool,
}

/// The hour a study day starts, local time.
pub const DAY_START_HOUR: u32 = 4;

impl Context {
    pub fn from_cli(cli: &Cli) -> Result<Context, Error> {
        let db_path = match &cli.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        let mut deck_paths = cli.decks.clone();
        if let Some(value) = std::env::var_os("RECALL_DECKS") {
            deck_paths.extend(deck::paths_from_env(&value.to_string_lossy()));
        }
        Ok(Context {
            clock: Clock::from_env(DAY_START_HOUR)?,
            db_path,
            deck_paths,
            limits: Limits::default(),
            colour: crate::display::use_colour(),
        })
    }

    pub fn library(&self) -> Result<Library, Error> {
        deck::load(&self.deck_paths)
    }

    pub fn store(&self) -> Result<Store, Error> {
        Store::open(&self.db_path)
    }
}

fn default_db_path() -> Result<PathBuf, Error> {
    directories::ProjectDirs::from("", "", "recall")
        .map(|dirs| dirs.data_dir().join("recall.db"))
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a home directory for the database; pass --db PATH or set RECALL_DB"
                    .into(),
            )
        })
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    if let Some(Command::Compile(args)) = &cli.command {
        // Compiling touches neither the database nor the loaded decks.
        return compile::run(args);
    }
    let ctx = Context::from_cli(&cli)?;
    match cli.command {
        None => status::run(&ctx, &StatusArgs { json: false }),
        Some(Command::Review(args)) => review::run(&ctx, &args),
        Some(Command::Status(args)) => status::run(&ctx, &args),
        Some(Command::Schedule(args)) => schedule::run(&args),
        Some(Command::Rebuild(_)) => rebuild::run(&ctx),
        Some(Command::Compile(args)) => compile::run(&args),
    }
}

/// Writes `text` to stdout, reporting a closed pipe as [`Error::Output`].
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)
}
