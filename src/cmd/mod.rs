//! One file per subcommand: each opens what it needs through [`Context`], calls the library,
//! and prints. A broken deck never leads to a write: for a new database the decks are checked
//! before it is created, and an existing database's card catalog is replaced only by decks
//! that loaded without a problem.

pub mod add;
pub mod backup;
pub mod cards;
pub mod check;
pub mod compile;
pub mod completions;
pub mod config;
pub mod cram;
pub mod edit;
pub mod evaluate;
pub mod export;
pub mod import;
pub mod interview;
pub mod optimize;
pub mod rebuild;
pub mod review;
pub mod schedule;
pub mod simulate;
pub mod stats;
pub mod status;
pub mod sync;
pub mod sync_anki;
pub mod tags;

use std::io::Write;
use std::path::PathBuf;

use crate::catalog;
use crate::cli::{Cli, Command, StatusArgs};
use crate::clock::Clock;
use crate::config::Config;
use crate::deck::{self, Card, Deck, Library};
use crate::error::Error;
use crate::filter::{Filter, FilterArgs};
use crate::review::queue::Limits;
use crate::store::{FITS_HELD_BACK, MERGE_INTERRUPTED, Store};
use crate::types::CardId;

/// What every command shares: the settings, the clock, where data lives.
pub struct Context {
    pub config: Config,
    pub clock: Clock,
    pub db_path: PathBuf,
    pub limits: Limits,
    pub colour: bool,
    /// For the daily commands (`review`, `status`, `stats`, `cram`, `interview`): a deck file
    /// that does not load is left out with a warning instead of stopping the command. The
    /// others (`check`, `import`, `export`, `cards` …) stay strict.
    pub lenient: bool,
}

impl Context {
    /// Settings from defaults, the config file, the environment and the flags, in that order.
    pub fn from_cli(cli: &Cli) -> Result<Context, Error> {
        let db_path = match &cli.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        let mut config = Config::default();
        config.apply_file(&crate::config::path()?, crate::config::named_by_env())?;
        config.apply_env(|var| std::env::var(var).ok())?;
        config.apply_flags(&cli.decks, cli.colour.as_deref())?;
        let deck_dir = deck_dir_of(&db_path);
        // An import that a crash interrupted is finished (or its leftovers removed) before
        // any deck is read. Never fatal: at worst the loader reports what it finds.
        if let Err(e) = crate::fileset::recover(&deck_dir) {
            eprintln!("recall: warning: could not finish an interrupted import: {e}");
        }
        Ok(Context {
            clock: Clock::from_env(config.day_start_hour.value)?,
            db_path,
            limits: config.limits(),
            colour: config.use_colour(std::io::IsTerminal::is_terminal(&std::io::stdout())),
            config,
            lenient: false,
        })
    }

    /// The deck paths besides the bundled decks: the imported ones (`decks/` beside the
    /// database), then the configured ones.
    pub fn deck_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = Vec::new();
        let imported = self.deck_dir();
        if imported.is_dir() {
            paths.push(imported);
        }
        paths.extend(self.config.deck_dirs.iter().map(|d| d.value.clone()));
        paths
    }

    /// Every loaded card: the bundled decks, the imported ones and the configured extra
    /// paths. From the database's catalog when there is a database (parsing only deck files
    /// that changed); parsed, without creating one, when there is none.
    pub fn library(&self) -> Result<Library, Error> {
        match self.loaded()? {
            Loaded::Catalog(store) => store.catalog_library(),
            Loaded::Parsed(library) => Ok(library),
        }
    }

    /// Every loaded card, where it is: the database's catalog, read a row at a time, when
    /// there is a database; parsed from the deck files, without creating one, when there is
    /// none. For commands that go through every card once (export, import) without holding
    /// them all.
    pub fn loaded(&self) -> Result<Loaded, Error> {
        if self.db_path.exists() {
            return Ok(Loaded::Catalog(Box::new(self.catalogued(None)?)));
        }
        self.with_loadable(|sources| Ok(Loaded::Parsed(catalog::load_all(sources)?)))
    }

    /// Runs `attempt` on every deck source. When it fails and the context is lenient, the
    /// deck files that do not load are left out — one warning line each, located — and
    /// `attempt` runs again on the rest. Their cards are only hidden: the review log and each
    /// card's state are keyed by card id, so fixing the file brings them back with their
    /// history. The sources are checked one by one only after a failure, so a clean load
    /// costs nothing more.
    fn with_loadable<T>(
        &self,
        attempt: impl Fn(&[deck::Source]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let sources = deck::sources(&self.deck_paths())?;
        let error = match attempt(&sources) {
            Err(error) if self.lenient => error,
            other => return other,
        };
        let (kept, problems) = deck::loadable(&sources);
        if problems.is_empty() {
            return Err(error);
        }
        for problem in &problems {
            eprintln!("recall: warning: {problem}");
        }
        let left_out = sources.len() - kept.len();
        eprintln!(
            "recall: warning: {left_out} deck file{} left out until fixed (their cards keep their history); `recall check` lists the problems",
            if left_out == 1 { "" } else { "s" }
        );
        attempt(&kept)
    }

    /// The loaded cards the filter flags `args` select — as a library holding only them (and
    /// every deck) — with the checked filter. Cards are read one at a time, so a command over
    /// a deck or a tag holds that deck's or tag's cards, not the whole collection.
    pub fn selected(&self, args: &FilterArgs) -> Result<(Library, Filter), Error> {
        let loaded = self.loaded()?;
        let decks = loaded.decks()?;
        let filter = args.resolve(&decks)?;
        let mut cards = Vec::new();
        let mut tags: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        loaded.for_each(|card| {
            if !filter.tags.is_empty() {
                tags.extend(card.tags.iter().map(|t| t.to_lowercase()));
            }
            if filter.matches(card) {
                cards.push(card.clone());
            }
            Ok(())
        })?;
        // A tag no loaded card has is a typo or a guess: say which, and the nearest tag.
        let known: Vec<&str> = tags.iter().map(String::as_str).collect();
        let unknown = filter.unknown_tags(&known);
        if !unknown.is_empty() {
            if cards.is_empty() {
                return Err(filter.no_match_naming(&unknown));
            }
            for line in &unknown {
                eprintln!("recall: warning: {line}");
            }
        }
        Ok((Library::from_parts(decks, cards), filter))
    }

    /// The database with its card catalog in step with the deck files (see [`catalog`]). A
    /// database that does not exist yet is created only once every deck has loaded without a
    /// problem.
    pub fn catalogued(&self, flag: Option<crate::config::Scheduler>) -> Result<Store, Error> {
        self.with_loadable(|sources| {
            if !self.db_path.exists() {
                // Parsed twice on this first run: holding 100,000 parsed cards would cost more.
                catalog::check_all(sources)?;
            }
            let mut store = self.store_with(flag)?;
            catalog::sync(&mut store, sources)?;
            Ok(store)
        })
    }

    /// Where `recall import` writes decks: `decks/` beside the database.
    pub fn deck_dir(&self) -> PathBuf {
        deck_dir_of(&self.db_path)
    }

    /// The database as it is, its FSRS fits dated by this command's clock (see
    /// [`Store::open_at`]).
    pub fn open_store(&self) -> Result<Store, Error> {
        Store::open_at(&self.db_path, crate::clock::Horizon::of(&self.clock))
    }

    /// The database, its card states computed by the configured scheduler.
    pub fn store(&self) -> Result<Store, Error> {
        self.store_with(None)
    }

    /// The database with `flag` (`--scheduler`) overriding the configured scheduler. Switching
    /// replays the whole log through the new scheduler, and says so.
    pub fn store_with(&self, flag: Option<crate::config::Scheduler>) -> Result<Store, Error> {
        let mut store = self.open_store()?;
        store.set_balance(self.config.balance());
        store.set_steps(self.config.steps());
        let algorithm = self.config.algorithm(flag);
        let switching = algorithm != store.algorithm();
        let reason = store.replay_reason()?;
        if let Some(cards) = store.set_algorithm(algorithm)?
            && cards > 0
        {
            let why = if switching {
                format!("now scheduling with {algorithm}")
            } else if reason.as_deref() == Some(MERGE_INTERRUPTED) {
                "a sync stopped after merging its entries and before bringing the card states up to date".to_string()
            } else if reason.as_deref() == Some(FITS_HELD_BACK) {
                "an FSRS parameter fit dated after tomorrow or outside FSRS's range is no longer in use".to_string()
            } else {
                "card states now keep learning steps and FSRS counts same-day answers".to_string()
            };
            eprintln!(
                "recall: {why}: replayed the review log for {}",
                crate::display::plural(cards, "card")
            );
        }
        Ok(store)
    }
}

/// The loaded cards (see [`Context::loaded`]).
pub enum Loaded {
    /// In the database's catalog, in step with the deck files.
    Catalog(Box<Store>),
    /// Parsed from the deck files, there being no database.
    Parsed(Library),
}

impl Loaded {
    /// The loaded decks, each once, in load order.
    pub fn decks(&self) -> Result<Vec<Deck>, Error> {
        match self {
            Loaded::Catalog(store) => store.catalog_deck_list(),
            Loaded::Parsed(library) => Ok(library.decks.clone()),
        }
    }

    /// Calls `each` with every loaded card, in deck order.
    pub fn for_each(&self, mut each: impl FnMut(&Card) -> Result<(), Error>) -> Result<(), Error> {
        match self {
            Loaded::Catalog(store) => store.catalog_for_each(|card| each(&card)),
            Loaded::Parsed(library) => library.cards.iter().try_for_each(each),
        }
    }

    /// The loaded card with id `id`.
    pub fn get(&self, id: &CardId) -> Result<Option<Card>, Error> {
        match self {
            Loaded::Catalog(store) => store.catalog_card(id),
            Loaded::Parsed(library) => Ok(library.get(id).cloned()),
        }
    }

    /// The database, when there is one.
    pub fn store(&self) -> Option<&Store> {
        match self {
            Loaded::Catalog(store) => Some(store),
            Loaded::Parsed(_) => None,
        }
    }

    /// Runs `read` so that every read of the catalog in it sees the same catalog (see
    /// [`Store::read_consistently`]).
    pub fn read_consistently<T>(
        &self,
        read: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        match self {
            Loaded::Catalog(store) => store.read_consistently(read),
            Loaded::Parsed(_) => read(),
        }
    }
}

/// `decks/` beside the database at `db_path`.
fn deck_dir_of(db_path: &std::path::Path) -> PathBuf {
    db_path
        .parent()
        .map_or_else(|| PathBuf::from("decks"), |dir| dir.join("decks"))
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

/// Writes `text` to `path` through a temporary file beside it, so a reader never sees half.
pub fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The file of your own deck `deck_id`: `DECK.toml` in `decks/` beside the database. The id
/// must be a plain name, so the file stays in that directory.
pub fn own_deck_file(ctx: &Context, deck_id: &str) -> Result<PathBuf, Error> {
    let plain = !deck_id.is_empty()
        && deck_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !plain {
        return Err(Error::Usage(format!(
            "`{}` is not a usable deck id: use letters, digits, `-` and `_`, e.g. `my-cards`",
            crate::display::inert(deck_id)
        )));
    }
    Ok(ctx.deck_dir().join(format!("{deck_id}.toml")))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        // Compiling touches neither the database nor the decks; it reads the settings only to
        // know which decks are loaded (their ids must not clash), and a broken config file
        // leaves it with the bundled decks and --decks.
        Some(Command::Compile(args)) => {
            let deck_paths =
                Context::from_cli(&cli).map_or_else(|_| cli.decks.clone(), |ctx| ctx.deck_paths());
            return compile::run(args, &deck_paths);
        }
        // Generated from the command line alone: no settings, database or decks.
        Some(Command::Completions(args)) => return completions::completions(args),
        Some(Command::Man(_)) => return completions::man(),
        // The path is what you need to fix a broken config file, so it never reads it.
        Some(Command::Config(crate::cli::ConfigCommand::Path)) => {
            return print(&format!("{}\n", crate::config::path()?.display()));
        }
        _ => {}
    }
    let mut ctx = Context::from_cli(&cli)?;
    // One broken deck file never stops the day: the daily commands run on the decks that load.
    ctx.lenient = matches!(
        cli.command,
        None | Some(
            Command::Review(_)
                | Command::Status(_)
                | Command::Stats(_)
                | Command::Cram(_)
                | Command::Interview(_)
        )
    );
    match cli.command {
        None => status::run(
            &ctx,
            &StatusArgs {
                json: false,
                until: None,
            },
        ),
        Some(Command::Review(args)) => review::run(&ctx, &args),
        Some(Command::Status(args)) => status::run(&ctx, &args),
        Some(Command::Schedule(args)) => schedule::run(&ctx, &args),
        Some(Command::Rebuild(_)) => rebuild::run(&ctx),
        Some(Command::Compile(args)) => compile::run(&args, &ctx.deck_paths()),
        Some(Command::Cram(args)) => cram::run(&ctx, &args),
        Some(Command::Interview(args)) => interview::run(&ctx, &args),
        Some(Command::Stats(args)) => stats::run(&ctx, &args),
        Some(Command::Cards(args)) => cards::list(&ctx, &args),
        Some(Command::Tags(args)) => tags::run(&ctx, &args),
        Some(Command::Add(args)) => add::run(&ctx, &args),
        Some(Command::Edit(args)) => edit::run(&ctx, &args),
        Some(Command::Export(args)) => export::run(&ctx, &args),
        Some(Command::Import(args)) => import::run(&ctx, &args),
        Some(Command::Backup(args)) => backup::run(&ctx, &args),
        Some(Command::Evaluate(args)) => evaluate::run(&ctx, &args),
        Some(Command::Sync(args)) => sync::run(&ctx, &args),
        Some(Command::Check(_)) => check::run(&ctx),
        Some(Command::Suspend(args)) => cards::suspend(&ctx, &args.ids, true),
        Some(Command::Unsuspend(args)) => cards::suspend(&ctx, &args.ids, false),
        Some(Command::Leeches(_)) => cards::leeches(&ctx),
        Some(Command::Config(command)) => config::run(&ctx, &command),
        Some(Command::Completions(args)) => completions::completions(&args),
        Some(Command::Man(_)) => completions::man(),
        Some(Command::Optimize(args)) => optimize::run(&ctx, &args),
        Some(Command::Simulate(args)) => simulate::run(&ctx, &args),
    }
}

/// The terminal's width, or `COLUMNS`, or 80 when there is neither (piped output stays
/// readable).
pub fn output_width() -> usize {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w))
    } else {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(80)
    }
}

/// From now on, Ctrl-C (SIGINT) ends recall with exit status 130 and one line,
/// `recall: interrupted (Ctrl-C); {what}` — what full-screen mode does with the key. Plain
/// mode needs this because there the terminal turns Ctrl-C into a signal, whose default would
/// end the process without an exit status of its own. `what` says what is kept: a review
/// commits each answer before the next prompt, so stopping at any moment loses nothing
/// answered.
pub fn exit_on_interrupt(what: &'static str) {
    #[cfg(unix)]
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) {
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                eprintln!("\nrecall: interrupted (Ctrl-C); {what}");
                std::process::exit(i32::from(crate::error::EXIT_INTERRUPTED));
            }
        });
    }
    #[cfg(not(unix))]
    let _ = what;
}

/// Writes `text` to stdout, reporting a closed pipe as [`Error::Output`].
/// Prints `text` made [`inert`](crate::display::inert): whatever a file name, a deck or a
/// sync folder put into it is shown, never obeyed by the terminal.
pub fn print(text: &str) -> Result<(), Error> {
    print_trusted(&crate::display::inert(text))
}

/// Prints serialised JSON with the controls a terminal would obey written as escapes (see
/// [`crate::display::json_escaped`]), and a final newline.
pub fn print_json(json: &str) -> Result<(), Error> {
    print_trusted(&format!("{}\n", crate::display::json_escaped(json)))
}

/// Prints text that recall styled itself, after making every piece of outside text in it
/// inert (the colours of `recall stats`).
pub fn print_trusted(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)
}
