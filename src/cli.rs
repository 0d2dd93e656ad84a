//! The command line as data. The `///` lines are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::filter::FilterArgs;
use crate::types::Grade;

const AFTER_HELP: &str = "\
Examples:
  recall                      today's state: due, new, reviewed, streak
  recall review               today's review session on the bundled decks
  recall review --limit 10    a short session
  recall --decks ~/my-decks review
  recall schedule --grades 4,4,3,5

Environment:
  RECALL_DB      database file (same as --db)
  RECALL_DECKS   extra deck files or directories, colon-separated (like --decks)
  RECALL_CONFIG  the config file (see `recall config path`, `recall config show`)
  RECALL_NOW     the current time, RFC 3339 (for tests and time travel)
  NO_COLOR       turn colour off

Exit status: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted (Ctrl-C).";

/// Spaced-repetition flashcards for the terminal: SM-2 over an append-only review log.
///
/// recall quizzes you on TOML decks of questions (the bundled "Fundamentals of Backend
/// Engineering" decks, plus your own) and schedules every card with SM-2. Every answer is
/// saved before the next card is shown.
#[derive(Debug, Parser)]
#[command(name = "recall", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Database file. Default: recall.db in the platform data directory
    /// (~/.local/share/recall on Linux).
    #[arg(long, global = true, env = "RECALL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Load decks from a .toml file or a directory of them, beside the bundled decks.
    /// Repeatable; `RECALL_DECKS` adds more.
    #[arg(long = "decks", global = true, value_name = "PATH")]
    pub decks: Vec<PathBuf>,

    /// When to use colour: auto, always or never (`NO_COLOR` means never).
    #[arg(long = "colour", visible_alias = "color", global = true, value_name = "WHEN",
          value_parser = ["auto", "always", "never"])]
    pub colour: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Review(ReviewArgs),
    Status(StatusArgs),
    Schedule(ScheduleArgs),
    Rebuild(RebuildArgs),
    Compile(CompileArgs),
    Cram(CramArgs),
    Interview(InterviewArgs),
    Stats(StatsArgs),
    Cards(CardsArgs),
    Tags(TagsArgs),
    Add(AddArgs),
    Edit(EditArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    Backup(BackupArgs),
    Evaluate(EvaluateArgs),
    Sync(SyncArgs),
    Check(CheckArgs),
    /// Take cards out of every review until `recall unsuspend`; schedule and history are kept.
    Suspend(CardIdsArgs),
    /// Bring suspended cards (leeches included) back into reviews.
    Unsuspend(CardIdsArgs),
    Leeches(LeechesArgs),
    #[command(subcommand)]
    Config(ConfigCommand),
    Completions(CompletionsArgs),
    Man(ManArgs),
    Optimize(OptimizeArgs),
    Simulate(SimulateArgs),
}

/// Forecast your workload and what you will remember at several desired retentions.
///
/// Simulates your collection — its cards as they stand, the new cards still to learn at
/// `new_per_day`, your FSRS parameters, your own average answer times and grades — for
/// --days days at each desired retention: answers and minutes per day, and cards remembered
/// at the end. Marks (*) the retention nearest the optimal one, which gives the most cards
/// remembered per minute of study, and, with an `exam_date` inside the forecast, (!) the one
/// that remembers most on the exam day. Deterministic (a fixed seed).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall simulate\n  recall simulate --days 90 --retention 0.85,0.9 --json"
)]
pub struct SimulateArgs {
    /// Days to forecast.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Desired retentions to compare (0.70 to 0.99), comma-separated.
    // Negative numbers are values here, so `--retention -1` reaches the range check rather
    // than being read as an unknown flag.
    #[arg(
        long,
        value_delimiter = ',',
        allow_negative_numbers = true,
        default_values_t = [0.80, 0.85, 0.90, 0.95]
    )]
    pub retention: Vec<f64>,
    /// Print a JSON array of `{retention, reviews_per_day, minutes_per_day, remembered}`.
    #[arg(long)]
    pub json: bool,
}

/// Fit FSRS to your own review log, and keep the fit only if it predicts you better.
///
/// Fits FSRS-6's 21 parameters to your scheduled reviews (cram answers and undone entries
/// left out; same-day re-drills count as short-term reviews). Needs at least 400 reviews on a
/// later day than the card's previous one. The fit is judged on reviews it did not train on
/// (time-series splits: trained on the past, tested on the next slice) against the parameters
/// in use; the new ones are kept only if their log loss is lower. Every fit is logged in the
/// database with its date and figures; a kept one schedules from then on (with
/// `scheduler = "fsrs"`) and `recall evaluate` shows it as a third row.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  recall optimize\n  recall optimize --json")]
pub struct OptimizeArgs {
    /// Print one JSON object: `reviews`, `default` and `optimized` (`log_loss`, `rmse_bins`),
    /// `kept`, `parameters` (in use now) and `fitted_parameters` (this fit's, kept or rejected).
    #[arg(long)]
    pub json: bool,
}

/// Print a shell completion script for recall.
///
/// Save it where your shell looks for completions (see the README's install section), or
/// load it in the shell's start-up file.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall completions bash > ~/.local/share/bash-completion/completions/recall\n  recall completions zsh > ~/.zfunc/_recall      # with fpath+=~/.zfunc in ~/.zshrc\n  recall completions fish > ~/.config/fish/completions/recall.fish"
)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Print recall's man page (roff), covering every subcommand.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall man | man -l -\n  recall man > ~/.local/share/man/man1/recall.1"
)]
pub struct ManArgs {}

/// Go through matching cards now, due or not, weakest first, without changing any schedule.
///
/// Weakest first: reviewed cards by lowest easiness, then most lapses; then cards never seen.
/// Suspended cards are left out. Answers are logged as cram entries; no card's schedule, due
/// date or statistics change. Keys as in `recall review`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall cram --tag caching --limit 20\n  recall cram --level senior --search consistency"
)]
pub struct CramArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// At most this many cards (1 or more).
    #[arg(long, value_name = "N", value_parser = parse_limit)]
    pub limit: Option<u32>,

    /// Type each answer before it is revealed (as `recall review --type`).
    #[arg(long = "type")]
    pub typed: bool,
}

/// A mock interview: random questions, a countdown while you type, then the model answer
/// beside yours and a self-grade; at the end a report.
///
/// Questions are drawn from the cards the filters match, reproducibly with --seed. On a
/// terminal each question shows a live countdown and is submitted when time runs out; in plain
/// line mode the time is measured and an answer over the limit is marked. The report gives the
/// score (questions graded Hard or better), time per question, results per guide section and
/// level, and the three weakest topics with the cards to study. Every interview is saved
/// (--history lists them). Interviews change no schedule unless --reschedule is given.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall interview --level senior\n  recall interview --tag caching --questions 5 --minutes-per-question 2 --seed 7\n  recall interview --history"
)]
pub struct InterviewArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// How many questions.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub questions: u32,

    /// Minutes allowed per question.
    #[arg(long = "minutes-per-question", value_name = "M", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub minutes: u32,

    /// Seed for choosing the questions; the same seed and filters ask the same questions.
    /// Default: a new seed, printed in the report.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Also record each self-grade as a review, moving the card's schedule.
    #[arg(long)]
    pub reschedule: bool,

    /// List past interviews with their dates and scores instead of starting one.
    #[arg(long, conflicts_with_all = ["questions", "minutes", "seed", "reschedule"])]
    pub history: bool,
}

/// Export cards for other learners and other tools.
///
/// Formats: toml (a deck file `recall --decks FILE` loads as it is), markdown (a study sheet by
/// section), anki-txt (Anki's text import, with headers: File > Import in Anki), apkg (an Anki
/// package for Anki 2.1.50 and later; note GUIDs derive from card ids, so importing an updated
/// export updates notes instead of duplicating them; cards that came from an Anki package go
/// back as updates of their own notes, under their own note types, in apkg and anki-txt), csv
/// (front, back, deck, tags, id, level, source, deck name, cloze) and json. A cloze card of a
/// deck file goes whole (one `cloze =` card, one Anki Cloze note) when all of its cards are
/// exported as it makes them, in every format but markdown. Your progress is never
/// exported, except with --with-progress on json or apkg, which is meant for moving your own
/// history: json to another recall (`recall import` merges it), apkg to a new Anki profile
/// (Anki's import with "Import any learning progress"). Filtered, it carries the exported
/// cards' history only.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall export --format apkg -o backend.apkg\n  recall export --format anki-txt --tag caching -o - | head\n  recall export --format markdown --level junior -o junior.md\n  recall export --format json --with-progress -o my-recall.json\n  recall export --format apkg --with-progress -o to-a-new-anki-profile.apkg\n  recall export --format toml -o mine.toml --force   # replace an earlier export"
)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// The format to write.
    #[arg(long, value_enum)]
    pub format: crate::export::Format,

    /// Where to write; `-` is standard output (text formats only). An existing file is
    /// left alone unless --force is given.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: PathBuf,

    /// Replace PATH if it exists.
    #[arg(long)]
    pub force: bool,

    /// With --format json or apkg: include your progress (json: the review log; apkg: each
    /// card's schedule and its answers in Anki's review log). Filtered: those cards' only.
    #[arg(long)]
    pub with_progress: bool,
}

/// Import a deck shared by someone else, your Anki collection, or your own JSON export from
/// another machine.
///
/// Reads recall TOML, Anki text files (.txt, read by their `#` header lines), CSV, Anki
/// packages (.apkg and .colpkg, every format Anki writes) and recall JSON. From Anki, every
/// card arrives as its note type's templates show it (reverse cards and cloze deletions as
/// cards of their own), in a recall deck per Anki deck, with tags as written; images and sounds
/// become `[image: NAME]`/`[sound: NAME]`; a package's review history comes along. HTML
/// becomes plain text. The cards are written as TOML decks into your deck directory (`decks/`
/// beside the database), which recall loads every time; the report says how many cards were
/// added, updated and skipped. Importing the same file twice changes nothing the second time.
/// An import that would change the text of cards you already have lists them and asks (or,
/// not on a terminal, needs --update). A JSON file with a review log merges it, skipping
/// reviews already present.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall import shared-deck.apkg\n  recall import --dry-run collection.colpkg\n  recall import --media ~/anki-media my-deck.apkg\n  recall import notes.txt\n  recall import my-recall.json     # from `recall export --format json --with-progress`"
)]
pub struct ImportArgs {
    /// The file to import.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// PATH is a review log (CSV: `card_id`, `review_rating` 1-4, `review_time`, `review_duration`),
    /// such as one exported from Anki, to replay and evaluate; import it into a database of
    /// its own (`--db`).
    #[arg(long)]
    pub review_log: bool,

    /// Print the report and write nothing: no deck, no history, no media.
    #[arg(long)]
    pub dry_run: bool,

    /// Replace the text of cards you already have without asking.
    #[arg(long)]
    pub update: bool,

    /// Write the package's images and sounds into DIR (files with safe names only); without
    /// it cards show `[image: NAME]` and the files stay in the package.
    #[arg(long, value_name = "DIR")]
    pub media: Option<PathBuf>,
}

/// How well SM-2, FSRS and FSRS fitted to you each predict your recall, from your own log.
///
/// Replays the log and, before every review, asks each scheduler how likely recall is; then
/// compares with what happened (pass: grade 3+). Reports log loss and RMSE over binned
/// predictions, as the open srs-benchmark computes them, and the number of reviews used.
/// SM-2 predicts no probability; it is given the curve its intervals imply, R = 0.9^(t/I).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall evaluate\n  recall --db eval.db import --review-log review_log.csv && recall --db eval.db evaluate --json"
)]
pub struct EvaluateArgs {
    /// Print one JSON object: reviews, sm2, fsrs and `fsrs_optimized` (`log_loss`, `rmse_bins`; null before `recall optimize`), `sm2_forgetting_curve`.
    #[arg(long)]
    pub json: bool,
}

/// Merge review history with your other devices through a shared folder, without a server.
///
/// Writes this device's new reviews to DIR/<device-id>.jsonl (append-only, one line per
/// entry: safe in Syncthing, Dropbox or a git repository), reads every other device's file,
/// merges by review id, and rebuilds the schedule. Run it on each device, in any order, as
/// often as you like: merging is idempotent and order-independent.
///
/// With --anki, merges instead with your Anki collection file itself, both ways: your recall
/// answers become Anki review-log entries (and the cards take recall's schedule when recall
/// has their newest answer), Anki's answers come into recall's log. Anki must be closed; the
/// file is copied beside itself first (PATH.recall-backup-<time>). The changes are marked for
/// Anki's own sync, so that your phone gets them too. Run it again: nothing is added.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall sync ~/Sync/recall\n  recall sync --anki ~/.local/share/Anki2/'User 1'/collection.anki2"
)]
pub struct SyncArgs {
    /// The shared folder.
    #[arg(
        value_name = "DIR",
        required_unless_present = "anki",
        conflicts_with = "anki"
    )]
    pub dir: Option<PathBuf>,
    /// Merge with this Anki collection file (Anki closed) instead of a folder.
    #[arg(long, value_name = "PATH")]
    pub anki: Option<PathBuf>,
}

/// Check the database for damage and repair what the review log allows.
///
/// Runs the database's integrity check; rebuilds every index; when the card states, activity
/// figures or card catalog are damaged, empties them and rebuilds them from the log and the
/// deck files; then replays the log so every schedule is what the log says. Says what it found
/// and did. The log itself is never changed: if it is damaged, restore a backup. Run it
/// whenever recall reports the database as damaged.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  recall check")]
pub struct CheckArgs {}

/// Write a consistent copy of the database (safe while recall runs elsewhere).
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  recall backup\n  recall backup ~/backups/recall.db")]
pub struct BackupArgs {
    /// Where to write it. Default: backups/recall-<time>.db beside the database.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
}

/// Progress at a glance: today, streaks, a year's heatmap, the last 30 days, the next 30,
/// retention, card counts, and the guide's outline with what is learned.
///
/// Retention is the share of scheduled reviews passed (grade 3+) for young cards (interval
/// under 21 days) and mature ones, over the last 30 days and all time. Filters narrow every
/// figure to the matching cards. The layout fits the terminal's width; colours follow
/// `--colour`, `NO_COLOR` and the terminal.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall stats\n  recall stats --level senior\n  recall stats --json | jq .retention\n  recall stats --html stats.html"
)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Print every figure as one JSON object (keys documented in the README).
    #[arg(long, conflicts_with = "html")]
    pub json: bool,

    /// Write a self-contained HTML page with the same charts (inline SVG) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Add a card to a deck of your own.
///
/// The card goes into the deck DECK (default `my-cards`): the file `DECK.toml` in `decks/`
/// beside the database, created when missing, which every command loads. Its id comes from
/// the front, as a compiled question's does. The deck is checked as `recall check` checks
/// decks: a card whose id is already loaded, or a deck that would not load, is refused with
/// the problem located, and nothing is written. Without --front, reads the card from stdin:
/// `Q:` and `A:` lines (each may continue on the lines after it), then optional `Tags:` (comma
/// separated) and `Level:` lines.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall add --front 'Kafka: what does acks=all guarantee?' --back 'Every in-sync replica has the write.' --tag kafka\n  printf 'Q: What is a WAL?\\nA: A log written before the data pages.\\nTags: database\\n' | recall add"
)]
pub struct AddArgs {
    /// The question.
    #[arg(long, requires = "back")]
    pub front: Option<String>,

    /// The answer.
    #[arg(long, requires = "front")]
    pub back: Option<String>,

    /// A topic tag, lower-case, words joined by `-`. Repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// junior, senior or principal.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<crate::types::Level>,

    /// The id of your deck to add it to (a new deck file when there is none).
    #[arg(long, value_name = "DECK", default_value = "my-cards")]
    pub deck: String,
}

/// Edit a card in $VISUAL or $EDITOR: your own, or your version of a bundled one.
///
/// Opens the deck file that holds the card at the card's line (vi, vim, nvim, nano, emacs,
/// micro and kak are given `+LINE`). On save the decks are checked as `recall check` checks
/// them; on a problem it is shown, located, and the editor opens again; saving it unchanged
/// then gives up and puts the file back as it was. The history stays with the card's id:
/// edit front and back freely, but a new id starts a new card. A bundled card gets your version:
/// a copy with `override = true` appended to your deck `my-cards` (where `recall add` writes),
/// which replaces it under the same id and history; saved unchanged, nothing is written, and
/// deleting the table later brings the bundled text back.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall edit what-is-a-wal-3fa2c1\n  EDITOR=nano recall edit what-is-a-wal-3fa2c1"
)]
pub struct EditArgs {
    /// The card's id (as `recall cards` shows it).
    #[arg(value_name = "ID")]
    pub id: String,
}

/// List the tags of the loaded cards, with how many cards carry each.
///
/// Most used first. Every compiled card carries its section's tag and its topic tags, so this
/// is where to find what `--tag` can take. Filters (--deck, --tag, --level, --search) count
/// only the cards they select.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall tags\n  recall tags --level junior\n  recall tags --deck database --json | jq '.[0]'"
)]
pub struct TagsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Print a JSON array of objects (keys: tag, cards).
    #[arg(long)]
    pub json: bool,
}

/// List cards with their schedule.
///
/// One line per card: id, deck, level, state (new, learning, young, mature, suspended,
/// leech), due date, interval, easiness, lapses. Filters: --deck, --tag, --level, --search
/// (different flags AND, a repeated flag ORs).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall cards --suspended\n  recall cards --tag caching --level senior\n  recall cards --search idempot --json | jq '.[0]'"
)]
pub struct CardsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Only suspended cards (leeches included).
    #[arg(long)]
    pub suspended: bool,

    /// Print a JSON array of objects (keys: id, deck, front, back, tags, level, state, due,
    /// interval, easiness, lapses, suspended, leech).
    #[arg(long)]
    pub json: bool,
}

/// Card ids to act on.
///
/// Suspending takes cards out of every review until unsuspending brings them back; their
/// schedule and history are kept. Both are logged and can be rebuilt from the log.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall suspend caching-what-is-cache-aside-3fa2c1\n  recall unsuspend caching-what-is-cache-aside-3fa2c1"
)]
pub struct CardIdsArgs {
    /// Card ids (as `recall cards` shows them).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// List leeches: cards failed so often (8 lapses) that they were suspended.
///
/// A leech wastes review time; rewrite or split it (or drop it), then `recall unsuspend ID`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  recall leeches")]
pub struct LeechesArgs {}

/// Show where the config file is and what the settings are.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path (`RECALL_CONFIG` overrides it).
    #[command(after_help = "Example:\n  $EDITOR \"$(recall config path)\"")]
    Path,
    /// Print every setting's value and where it came from (default, file, environment, flag).
    #[command(after_help = "Example:\n  RECALL_NEW_PER_DAY=5 recall config show")]
    Show,
}

/// Study today's cards: due cards first (most overdue first), then new ones.
///
/// Full-screen on a terminal: Space or Enter reveals the answer; 1 Again, 2 Hard, 3 Good,
/// 4 Easy grade it (SM-2 grades 1, 3, 4, 5; with `grading = "scale"`, keys 0-5); s skips the
/// card until tomorrow; ! suspends it; g shows the guide passage the card came from; u undoes
/// the last answer, skip or suspend (several levels); q or Esc quit (Ctrl-C too, with exit
/// status 130).
/// Cards graded Again or Hard come back at the end of the session until graded Good or Easy.
///
/// When stdin or stdout is not a terminal, the same session runs in plain line mode: a line
/// reveals (q quits), then a line grades (1-4, s skip, ! suspend, g guide, u undo, q quit).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall review\n  recall review --deck database --limit 10\n  recall review --tag caching --level senior\n  recall review --until 2026-12-15            # exam on 15 December\n  printf '\\n3\\n\\n4\\n' | recall review     # plain mode, two cards"
)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// At most this many cards in the session (1 or more).
    #[arg(long, value_name = "N", value_parser = parse_limit)]
    pub limit: Option<u32>,

    /// Type each answer before it is revealed; recall compares it word by word (case,
    /// punctuation and spacing ignored) and suggests a grade, which Enter accepts.
    #[arg(long = "type")]
    pub typed: bool,

    /// The scheduler for this session: sm2 or fsrs (default: the `scheduler` setting).
    /// Switching replays the whole review log through it.
    #[arg(long, value_enum)]
    pub scheduler: Option<crate::config::Scheduler>,

    /// Prepare for an exam on this day (YYYY-MM-DD; the config key `exam_date` sets a
    /// standing one): every reviewed card is scheduled to come back at least twice more
    /// before it, and enough new cards are introduced each day that all are seen in time.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<chrono::NaiveDate>,
}

/// Today's state: due now, new available, reviewed today, next due, streak.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  recall status\n  recall status --json | jq .due")]
pub struct StatusArgs {
    /// Print one JSON object (keys: today, due, new, `reviewed_today`, `new_learned_today`,
    /// `next_due`, streak, cards, and with an exam date `exam_date`, `days_left`,
    /// `not_learned`).
    #[arg(long)]
    pub json: bool,

    /// An exam day (YYYY-MM-DD) to count down to; default: the config key `exam_date`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<chrono::NaiveDate>,
}

/// Show what SM-2 does to a new card reviewed on each due date with the given grades.
///
/// Grades are SM-2 qualities 0-5: 5 perfect, 4 correct after hesitation, 3 correct with
/// difficulty, 2/1/0 incorrect. One row per review: grade, repetitions, easiness, interval.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall schedule --grades 4,4,3,5\n  recall schedule --grades 5,5,0,4 --json\n  recall schedule --scheduler fsrs --grades 1,1,1,4,4,1,3,4 --days 0,0,0,0,1,5,5,7"
)]
pub struct ScheduleArgs {
    /// Comma-separated grades, 0-5.
    #[arg(long, required = true, value_delimiter = ',', value_name = "GRADES", value_parser = parse_grade)]
    pub grades: Vec<Grade>,

    /// Print a JSON array of objects with keys grade, repetitions, easiness, interval (with
    /// --scheduler fsrs: grade, stability, difficulty, interval).
    #[arg(long)]
    pub json: bool,

    /// sm2 (default) or fsrs (FSRS-6 with the parameters in use: yours once `recall
    /// optimize` kept a fit, else the defaults; and the `desired_retention` setting).
    #[arg(long, value_enum)]
    pub scheduler: Option<crate::config::Scheduler>,

    /// With --scheduler fsrs: the study day of each grade, counted from the first (one per
    /// grade, never decreasing) instead of each review on its due date. A grade on the same
    /// day as the one before is a same-day answer (a learning step or re-drill), which FSRS
    /// counts with its short-term formula, as a session does.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "DAYS",
        requires = "scheduler"
    )]
    pub days: Vec<u32>,
}

/// Recompute every card's schedule by replaying the review log.
///
/// The review log is the truth; card state is a cache over it. Rebuilding is always safe.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  recall rebuild")]
pub struct RebuildArgs {}

/// Compile study guides (Markdown) into TOML decks.
///
/// Each section of the guide that holds cards becomes one deck. Cards come from the card
/// blocks written in the guide (`> **Q:**` / `> **A:**`, `> **C:**` with {{cloze}} deletions,
/// or `> **List:**` for a set), from the inline syntaxes other tools use (Obsidian `Q::A`,
/// `Q:::A`, `?`/`??`, `==cloze==`; hashcards `Q:`/`A:`, `C: [cloze]`; Anki `{{c1::…}}`;
/// Logseq `#card`; `RemNote` `Q >> A`; definition lists; `**Term**: definition` bullets;
/// two-column tables), and from short Markdown lists introduced by a line ending in a colon
/// (one overlapping cloze card per item, showing at most the two items before it). Prints
/// what was added, changed and removed.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  recall compile                          # guide/*.md -> decks/\n  recall compile --check                  # in CI: fail if decks/ is stale\n  recall compile my-notes.md -o my-decks  # then: recall --decks my-decks review\n  recall compile ~/vault/flashcards -o my-decks  # every .md file in a folder\n  recall compile notes.md -o my-decks --json     # the report, for tools"
)]
pub struct CompileArgs {
    /// Guide files or folders (every .md file in them, recursively) to compile. Default:
    /// every .md file in guide/ except README.md.
    #[arg(value_name = "GUIDE.md")]
    pub guides: Vec<PathBuf>,

    /// Directory to write the decks to.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "decks"
    )]
    pub output: PathBuf,

    /// Write nothing; exit 1 naming each deck that differs from what the guides compile to.
    #[arg(long)]
    pub check: bool,

    /// Treat lint warnings (duplicate questions, empty or long answers, untagged cards,
    /// sections without cards, garbage answers) as errors.
    #[arg(long)]
    pub strict: bool,

    /// Print the compile report as JSON: per guide file and section, the cards made by each
    /// syntax and the sections with prose but no card, then the ids added, changed, removed.
    #[arg(long)]
    pub json: bool,
}

/// The usage line of the subcommand named in `args` (or of `recall`), for errors that clap
/// reports without one, such as an invalid value.
pub fn usage_for(args: &[String]) -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command.build();
    let named = args.iter().find_map(|arg| {
        command
            .get_subcommands()
            .find(|c| c.get_name() == arg)
            .map(|c| c.get_name().to_string())
    });
    let usage = match named.and_then(|name| command.find_subcommand_mut(&name)) {
        Some(sub) => sub.render_usage(),
        None => command.render_usage(),
    };
    format!("\n{usage}\n")
}

/// A rendered clap error with its leading `error:` replaced by `recall:`, like every other
/// error recall prints.
pub fn recall_prefixed(text: &str) -> String {
    match text.strip_prefix("error:") {
        Some(rest) => format!("recall:{rest}"),
        None => format!("recall: {text}"),
    }
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    crate::config::parse_date(text)
}

/// A `--limit`: a whole number of cards, at least 1 (clap's own range message would say
/// "0 is not in 1..=4294967295").
fn parse_limit(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err("must be at least 1 (a session of no cards would do nothing)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("must be a whole number of cards, at least 1".into()),
    }
}

fn parse_grade(text: &str) -> Result<Grade, String> {
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn argument_errors_open_with_recall_not_error() {
        let error = Cli::try_parse_from(["recall", "revew"]).unwrap_err();
        let text = recall_prefixed(&error.render().to_string());
        assert!(
            text.starts_with("recall: unrecognized subcommand 'revew'"),
            "{text}"
        );
        assert!(!text.contains("error:"), "{text}");
    }

    #[test]
    fn a_limit_of_zero_says_it_must_be_at_least_one() {
        for command in ["review", "cram"] {
            let error = Cli::try_parse_from(["recall", command, "--limit", "0"]).unwrap_err();
            let text = error.render().to_string();
            assert!(text.contains("must be at least 1"), "{text}");
            assert!(!text.contains("4294967295"), "{text}");
        }
        assert!(Cli::try_parse_from(["recall", "review", "--limit", "1"]).is_ok());
    }
}
