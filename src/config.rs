//! Settings: built-in defaults, overridden by the config file, then by the environment, then
//! by command-line flags. Each setting remembers where its value came from, for
//! `recall config show`.
//!
//! The file is TOML (`~/.config/recall/config.toml` on Linux; `RECALL_CONFIG` names another):
//!
//! ```toml
//! new_per_day = 20          # new cards introduced per study day
//! reviews_per_day = 200     # due cards reviewed per study day
//! day_start_hour = 4        # local hour a study day starts (0-23)
//! grading = "buttons"       # "buttons": 1-4 Again/Hard/Good/Easy; "scale": SM-2 grades 0-5
//! new_order = "deck"        # "deck" order or "random" (shuffled once per day)
//! deck_dirs = ["~/decks"]   # extra deck files or directories
//! colour = "auto"           # "auto", "always" or "never"
//! exam_date = 2026-12-15    # optional: keep every card seen twice more before this day
//! scheduler = "sm2"         # "sm2" or "fsrs"
//! desired_retention = 0.9   # FSRS only: the recall probability to schedule for (0.70-0.99)
//! load_balance = true       # due dates on the least loaded day of the fuzz range
//! easy_days = ["sat", "sun"] # weekdays kept as free of reviews as the fuzz range allows
//! learning_steps = ["1m", "10m"] # same-day steps for new cards ([] turns them off)
//! relearning_steps = ["10m"]     # same-day steps for failed reviews ([] turns them off)
//! bury_new_siblings = true       # a studied card's new siblings wait for the next day
//! bury_review_siblings = true    # ... and its due siblings
//! bury_interday_learning_siblings = true # ... and those on a step left from an earlier day
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Problem, Problems, line_column};
use crate::review::queue::{Limits, NewOrder};

/// Every key the config file accepts.
pub const KEYS: &[&str] = &[
    "new_per_day",
    "reviews_per_day",
    "day_start_hour",
    "grading",
    "new_order",
    "deck_dirs",
    "colour",
    "exam_date",
    "scheduler",
    "desired_retention",
    "load_balance",
    "easy_days",
    "learning_steps",
    "relearning_steps",
    "bury_new_siblings",
    "bury_review_siblings",
    "bury_interday_learning_siblings",
];

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Environment(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Environment(var) => write!(f, "environment {var}"),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default(value: T) -> Setting<T> {
        Setting {
            value,
            origin: Origin::Default,
        }
    }
}

/// How answers are graded in a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grading {
    /// Four buttons, 1 Again / 2 Hard / 3 Good / 4 Easy (SM-2 grades 1 / 3 / 4 / 5).
    Buttons,
    /// SM-2's own scale: keys 0-5 are the grades.
    Scale,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub new_per_day: Setting<u32>,
    pub reviews_per_day: Setting<u32>,
    pub day_start_hour: Setting<u32>,
    pub grading: Setting<Grading>,
    pub new_order: Setting<NewOrder>,
    /// Every extra deck path, each with its own origin (file, environment and flags add up).
    pub deck_dirs: Vec<Setting<PathBuf>>,
    pub colour: Setting<Colour>,
    /// An exam day to prepare for (`review --until` overrides it).
    pub exam_date: Option<Setting<NaiveDate>>,
    pub scheduler: Setting<Scheduler>,
    /// In hundredths (90 = 0.9).
    pub desired_retention: Setting<u8>,
    pub load_balance: Setting<bool>,
    pub easy_days: Setting<crate::scheduler::EasyDays>,
    pub learning_steps: Setting<crate::scheduler::Steps>,
    pub relearning_steps: Setting<crate::scheduler::Steps>,
    pub bury_new_siblings: Setting<bool>,
    pub bury_review_siblings: Setting<bool>,
    pub bury_interday_learning_siblings: Setting<bool>,
}

/// The scheduler setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheduler {
    Sm2,
    Fsrs,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            new_per_day: Setting::default(20),
            reviews_per_day: Setting::default(200),
            day_start_hour: Setting::default(4),
            grading: Setting::default(Grading::Buttons),
            new_order: Setting::default(NewOrder::Deck),
            deck_dirs: Vec::new(),
            colour: Setting::default(Colour::Auto),
            exam_date: None,
            scheduler: Setting::default(Scheduler::Sm2),
            desired_retention: Setting::default(90),
            load_balance: Setting::default(true),
            easy_days: Setting::default(crate::scheduler::EasyDays::NONE),
            learning_steps: Setting::default(crate::scheduler::Steps::LEARNING),
            relearning_steps: Setting::default(crate::scheduler::Steps::RELEARNING),
            bury_new_siblings: Setting::default(true),
            bury_review_siblings: Setting::default(true),
            bury_interday_learning_siblings: Setting::default(true),
        }
    }
}

/// What a key accepts, for parsing and for messages.
fn parse_value(key: &str, text: &str) -> Result<Value, String> {
    let number = |max: u32| -> Result<u32, String> {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("`{key}` must be a whole number from 0 to {max}, not `{text}`"))
    };
    let choice = |allowed: &[&str]| -> Result<String, String> {
        let t = text.trim().to_ascii_lowercase();
        if allowed.contains(&t.as_str()) {
            Ok(t)
        } else {
            Err(format!(
                "`{key}` must be {}, not `{text}`",
                allowed
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ))
        }
    };
    Ok(match key {
        "new_per_day" => Value::Number(number(9_999)?),
        "reviews_per_day" => Value::Number(number(99_999)?),
        "day_start_hour" => Value::Number(number(23)?),
        "grading" => Value::Grading(match choice(&["buttons", "scale"])?.as_str() {
            "scale" => Grading::Scale,
            _ => Grading::Buttons,
        }),
        "new_order" => Value::NewOrder(match choice(&["deck", "random"])?.as_str() {
            "random" => NewOrder::Random,
            _ => NewOrder::Deck,
        }),
        "colour" => Value::Colour(match choice(&["auto", "always", "never"])?.as_str() {
            "always" => Colour::Always,
            "never" => Colour::Never,
            _ => Colour::Auto,
        }),
        "exam_date" => Value::Date(parse_date(text).map_err(|e| format!("`exam_date` {e}"))?),
        "scheduler" => Value::Scheduler(match choice(&["sm2", "fsrs"])?.as_str() {
            "fsrs" => Scheduler::Fsrs,
            _ => Scheduler::Sm2,
        }),
        "desired_retention" => {
            let retention = text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| (0.70..=0.99).contains(r))
                .ok_or_else(|| {
                    format!("`desired_retention` must be a number from 0.70 to 0.99, not `{text}`")
                })?;
            Value::Retention((retention * 100.0).round() as u8)
        }
        "load_balance"
        | "bury_new_siblings"
        | "bury_review_siblings"
        | "bury_interday_learning_siblings" => Value::Flag(choice(&["true", "false"])? == "true"),
        "easy_days" => Value::EasyDays(
            crate::scheduler::EasyDays::parse(text.split(',').filter(|d| !d.trim().is_empty()))
                .map_err(|e| format!("`easy_days`: {e}"))?,
        ),
        "learning_steps" | "relearning_steps" => Value::Steps(
            crate::scheduler::Steps::parse(text.split(',').filter(|d| !d.trim().is_empty()))
                .map_err(|e| format!("`{key}`: {e}"))?,
        ),
        _ => Value::Path(expand_home(text)),
    })
}

enum Value {
    Number(u32),
    Grading(Grading),
    NewOrder(NewOrder),
    Colour(Colour),
    Path(PathBuf),
    Date(NaiveDate),
    Scheduler(Scheduler),
    Retention(u8),
    Flag(bool),
    EasyDays(crate::scheduler::EasyDays),
    Steps(crate::scheduler::Steps),
}

/// A day written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("must be a date written YYYY-MM-DD, like 2026-12-15, not `{text}`"))
}

impl Config {
    fn set(&mut self, key: &str, value: Value, origin: Origin) {
        match (key, value) {
            ("new_per_day", Value::Number(n)) => self.new_per_day = Setting { value: n, origin },
            ("reviews_per_day", Value::Number(n)) => {
                self.reviews_per_day = Setting { value: n, origin };
            }
            ("day_start_hour", Value::Number(n)) => {
                self.day_start_hour = Setting { value: n, origin };
            }
            (_, Value::Grading(g)) => self.grading = Setting { value: g, origin },
            (_, Value::NewOrder(o)) => self.new_order = Setting { value: o, origin },
            (_, Value::Colour(c)) => self.colour = Setting { value: c, origin },
            (_, Value::Path(p)) => self.deck_dirs.push(Setting { value: p, origin }),
            (_, Value::Date(d)) => self.exam_date = Some(Setting { value: d, origin }),
            (_, Value::Scheduler(v)) => self.scheduler = Setting { value: v, origin },
            (_, Value::Retention(r)) => self.desired_retention = Setting { value: r, origin },
            ("bury_new_siblings", Value::Flag(b)) => {
                self.bury_new_siblings = Setting { value: b, origin };
            }
            ("bury_review_siblings", Value::Flag(b)) => {
                self.bury_review_siblings = Setting { value: b, origin };
            }
            ("bury_interday_learning_siblings", Value::Flag(b)) => {
                self.bury_interday_learning_siblings = Setting { value: b, origin };
            }
            (_, Value::Flag(b)) => self.load_balance = Setting { value: b, origin },
            (_, Value::EasyDays(d)) => self.easy_days = Setting { value: d, origin },
            ("learning_steps", Value::Steps(s)) => {
                self.learning_steps = Setting { value: s, origin };
            }
            (_, Value::Steps(s)) => self.relearning_steps = Setting { value: s, origin },
            _ => {}
        }
    }

    /// How answers choose their due date in the fuzz range: `load_balance` and `easy_days`.
    pub fn balance(&self) -> crate::scheduler::Balance {
        crate::scheduler::Balance {
            load_balance: self.load_balance.value,
            easy_days: self.easy_days.value,
        }
    }

    /// The same-day learning and relearning steps.
    pub fn steps(&self) -> crate::scheduler::StepRules {
        crate::scheduler::StepRules {
            learning: self.learning_steps.value,
            relearning: self.relearning_steps.value,
        }
    }

    /// The daily limits and new-card order for the queue.
    pub fn limits(&self) -> Limits {
        Limits {
            new_per_day: self.new_per_day.value,
            reviews_per_day: self.reviews_per_day.value,
            new_order: self.new_order.value,
            bury: crate::review::queue::Bury {
                new: self.bury_new_siblings.value,
                review: self.bury_review_siblings.value,
                interday_learning: self.bury_interday_learning_siblings.value,
            },
        }
    }

    /// The scheduling algorithm, with `flag` (`--scheduler`) taking precedence.
    pub fn algorithm(&self, flag: Option<Scheduler>) -> crate::scheduler::Algorithm {
        match flag.unwrap_or(self.scheduler.value) {
            Scheduler::Sm2 => crate::scheduler::Algorithm::Sm2,
            Scheduler::Fsrs => crate::scheduler::Algorithm::Fsrs {
                desired_retention: self.desired_retention.value,
            },
        }
    }

    /// Whether to colour stdout, given whether it is a terminal.
    pub fn use_colour(&self, is_terminal: bool) -> bool {
        match self.colour.value {
            Colour::Always => true,
            Colour::Never => false,
            Colour::Auto => is_terminal && std::env::var("TERM").map_or(true, |t| t != "dumb"),
        }
    }

    /// Reads the config file at `path` and applies it. A missing file means defaults when it
    /// is the default one; a file `RECALL_CONFIG` names (`named`) must exist, since a typo in
    /// that name would otherwise silently give defaults.
    pub fn apply_file(&mut self, path: &Path, named: bool) -> Result<(), Error> {
        let Some(text) = read_config_file(path, named)? else {
            return Ok(());
        };
        let shown = path.display().to_string();
        let problem = |span: &Range<usize>, message: String, hint: Option<String>| {
            let (line, column) = line_column(&text, span.start);
            Problem {
                path: shown.clone(),
                line,
                column,
                message,
                hint,
            }
        };
        let (root, syntax) = DeTable::parse_recoverable(&text);
        let mut problems: Vec<Problem> = syntax
            .iter()
            .map(|e| {
                problem(
                    &e.span().unwrap_or(0..0),
                    format!("TOML syntax error: {}", e.message().trim()),
                    Some("write each setting as `key = value`".into()),
                )
            })
            .collect();
        if problems.is_empty() {
            for (key, value) in root.get_ref() {
                let name = key.get_ref().as_ref();
                if !KEYS.contains(&name) {
                    let hint = match crate::suggest::nearest(name, KEYS) {
                        Some(near) => {
                            format!("did you mean `{near}`? Keys are: {}", KEYS.join(", "))
                        }
                        None => format!("keys are: {}", KEYS.join(", ")),
                    };
                    problems.push(problem(
                        &key.span(),
                        format!("unknown key `{name}`"),
                        Some(hint),
                    ));
                    continue;
                }
                for (text_value, span) in scalars(name, value) {
                    match text_value.and_then(|t| parse_value(name, &t)) {
                        Ok(parsed) => self.set(name, parsed, Origin::File(path.to_path_buf())),
                        Err(message) => problems.push(problem(&span, message, None)),
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            // The parsed table is sorted by key; report in file order.
            problems.sort_by_key(|p| (p.line, p.column));
            Err(Error::Problems(Problems(problems)))
        }
    }

    /// Applies `RECALL_<KEY>` variables (and `RECALL_DECKS`, `NO_COLOR`) from `env`.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        const VARS: &[(&str, &str)] = &[
            ("RECALL_NEW_PER_DAY", "new_per_day"),
            ("RECALL_REVIEWS_PER_DAY", "reviews_per_day"),
            ("RECALL_DAY_START_HOUR", "day_start_hour"),
            ("RECALL_GRADING", "grading"),
            ("RECALL_NEW_ORDER", "new_order"),
            ("RECALL_COLOUR", "colour"),
            ("RECALL_EXAM_DATE", "exam_date"),
            ("RECALL_SCHEDULER", "scheduler"),
            ("RECALL_DESIRED_RETENTION", "desired_retention"),
            ("RECALL_LOAD_BALANCE", "load_balance"),
            ("RECALL_EASY_DAYS", "easy_days"),
            ("RECALL_LEARNING_STEPS", "learning_steps"),
            ("RECALL_RELEARNING_STEPS", "relearning_steps"),
            ("RECALL_BURY_NEW_SIBLINGS", "bury_new_siblings"),
            ("RECALL_BURY_REVIEW_SIBLINGS", "bury_review_siblings"),
            (
                "RECALL_BURY_INTERDAY_LEARNING_SIBLINGS",
                "bury_interday_learning_siblings",
            ),
        ];
        for (var, key) in VARS {
            if let Some(text) = env(var).filter(|t| !t.is_empty()) {
                let value =
                    parse_value(key, &text).map_err(|m| Error::Usage(format!("{var}: {m}")))?;
                self.set(key, value, Origin::Environment(var));
            }
        }
        if let Some(paths) = env("RECALL_DECKS") {
            for path in std::env::split_paths(&paths).filter(|p| !p.as_os_str().is_empty()) {
                self.deck_dirs.push(Setting {
                    value: path,
                    origin: Origin::Environment("RECALL_DECKS"),
                });
            }
        }
        if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            self.colour = Setting {
                value: Colour::Never,
                origin: Origin::Environment("NO_COLOR"),
            };
        }
        Ok(())
    }

    /// Applies the global flags `--decks` and `--colour`.
    pub fn apply_flags(&mut self, decks: &[PathBuf], colour: Option<&str>) -> Result<(), Error> {
        for path in decks {
            self.deck_dirs.push(Setting {
                value: path.clone(),
                origin: Origin::Flag("--decks"),
            });
        }
        if let Some(text) = colour {
            let value =
                parse_value("colour", text).map_err(|m| Error::Usage(format!("--colour: {m}")))?;
            self.set("colour", value, Origin::Flag("--colour"));
        }
        Ok(())
    }

    /// `key = value  (origin)` lines for `recall config show`.
    pub fn show(&self) -> String {
        self.show_with(Vec::new())
    }

    /// As [`Config::show`], with more rows (`key`, `=`, value, ` # origin`) aligned with
    /// the settings: what lives elsewhere, such as the FSRS parameters in the database.
    pub fn show_with(&self, extra: Vec<Vec<String>>) -> String {
        let mut lines = vec![
            line(
                "new_per_day",
                &self.new_per_day.value.to_string(),
                &self.new_per_day.origin,
            ),
            line(
                "reviews_per_day",
                &self.reviews_per_day.value.to_string(),
                &self.reviews_per_day.origin,
            ),
            line(
                "day_start_hour",
                &self.day_start_hour.value.to_string(),
                &self.day_start_hour.origin,
            ),
            line(
                "grading",
                match self.grading.value {
                    Grading::Buttons => "\"buttons\"",
                    Grading::Scale => "\"scale\"",
                },
                &self.grading.origin,
            ),
            line(
                "new_order",
                match self.new_order.value {
                    NewOrder::Deck => "\"deck\"",
                    NewOrder::Random => "\"random\"",
                },
                &self.new_order.origin,
            ),
        ];
        if self.deck_dirs.is_empty() {
            lines.push(line("deck_dirs", "[]", &Origin::Default));
        }
        for dir in &self.deck_dirs {
            lines.push(line(
                "deck_dirs",
                &format!("{:?}", dir.value.display().to_string()),
                &dir.origin,
            ));
        }
        lines.push(line(
            "colour",
            match self.colour.value {
                Colour::Auto => "\"auto\"",
                Colour::Always => "\"always\"",
                Colour::Never => "\"never\"",
            },
            &self.colour.origin,
        ));
        lines.push(line(
            "scheduler",
            match self.scheduler.value {
                Scheduler::Sm2 => "\"sm2\"",
                Scheduler::Fsrs => "\"fsrs\"",
            },
            &self.scheduler.origin,
        ));
        lines.push(line(
            "desired_retention",
            &format!("{:.2}", f64::from(self.desired_retention.value) / 100.0),
            &self.desired_retention.origin,
        ));
        match &self.exam_date {
            Some(date) => lines.push(line("exam_date", &date.value.to_string(), &date.origin)),
            None => lines.push(line("exam_date", "(none)", &Origin::Default)),
        }
        lines.push(line(
            "load_balance",
            &self.load_balance.value.to_string(),
            &self.load_balance.origin,
        ));
        lines.push(line(
            "easy_days",
            &self.easy_days.value.to_string(),
            &self.easy_days.origin,
        ));
        for (key, steps) in [
            ("learning_steps", &self.learning_steps),
            ("relearning_steps", &self.relearning_steps),
        ] {
            lines.push(line(key, &steps.value.to_string(), &steps.origin));
        }
        for (key, flag) in [
            ("bury_new_siblings", &self.bury_new_siblings),
            ("bury_review_siblings", &self.bury_review_siblings),
            (
                "bury_interday_learning_siblings",
                &self.bury_interday_learning_siblings,
            ),
        ] {
            lines.push(line(key, &flag.value.to_string(), &flag.origin));
        }
        lines.extend(extra);
        // Aligned on the longest key and value, however long a deck path is.
        let mut text = crate::display::columns(&lines, &[], " ").join("\n");
        text.push('\n');
        text
    }
}

/// One `key = value  # origin` line of `config show`, as cells to align.
fn line(key: &str, value: &str, origin: &Origin) -> Vec<String> {
    vec![
        key.to_string(),
        "=".to_string(),
        crate::display::inert(value),
        format!(" # {origin}"),
    ]
}

/// The value(s) of a key as text with their spans: one for scalars, one per item for
/// `deck_dirs`. A value of the wrong TOML type is an error for that span.
fn scalars(key: &str, value: &Spanned<DeValue<'_>>) -> Vec<(Result<String, String>, Range<usize>)> {
    let as_text = |v: &Spanned<DeValue<'_>>| match v.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        DeValue::Integer(i) => Ok(i.as_str().to_string()),
        DeValue::Datetime(d) => Ok(d.to_string()),
        DeValue::Float(f) => Ok(f.as_str().to_string()),
        DeValue::Boolean(b) => Ok(b.to_string()),
        _ => Err(format!("`{key}` has a value of the wrong type")),
    };
    match (key, value.get_ref()) {
        ("deck_dirs", DeValue::Array(items)) => {
            items.iter().map(|i| (as_text(i), i.span())).collect()
        }
        // One value: the set of days, written back as the list `EasyDays::parse` reads.
        ("easy_days" | "learning_steps" | "relearning_steps", DeValue::Array(items)) => vec![(
            items
                .iter()
                .map(as_text)
                .collect::<Result<Vec<_>, _>>()
                .map(|days| days.join(",")),
            value.span(),
        )],
        ("deck_dirs", _) => vec![(
            Err("`deck_dirs` must be a list of paths, like [\"~/decks\"]".into()),
            value.span(),
        )],
        _ => vec![(as_text(value), value.span())],
    }
}

/// `~/x` → `$HOME/x`.
fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(text),
    }
}

/// The largest config file read. A config is a few hundred bytes; the cap keeps a wrong
/// `RECALL_CONFIG` (a log file, a disk image) from being read whole.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The config file's text, read as a deck file is: a regular file (a FIFO would block for
/// ever, `/dev/zero` would never end), at most [`MAX_CONFIG_BYTES`], UTF-8. `None`: the
/// default file is missing (defaults apply). Every refusal names the file, says what is wrong
/// and how to fix it, and is bad input (exit status 2), as a broken config is.
fn read_config_file(path: &Path, named: bool) -> Result<Option<String>, Error> {
    let shown = crate::display::inert(&path.display().to_string());
    let (origin, fix) = if named {
        (
            "named by RECALL_CONFIG",
            "name a TOML file with RECALL_CONFIG, or unset it to use the default file",
        )
    } else {
        (
            "the default config file",
            "move it away and write the settings in a TOML file there, or name one with RECALL_CONFIG",
        )
    };
    // `metadata`, not `open`: opening a FIFO blocks until a writer appears.
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Usage(format!(
                "config file {shown} (named by RECALL_CONFIG) does not exist; create it, or unset RECALL_CONFIG to use the default file"
            )));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, a socket or a device)"
        };
        return Err(Error::Usage(format!(
            "config file {shown} ({origin}) is {what}; {fix}"
        )));
    }
    let (bytes, over) = crate::deck::read_capped(path, MAX_CONFIG_BYTES)?;
    let located = |line, column, message: String, hint: &str| {
        Error::Problems(Problems(vec![Problem {
            path: path.display().to_string(),
            line,
            column,
            message,
            hint: Some(hint.into()),
        }]))
    };
    if over || metadata.len() > MAX_CONFIG_BYTES {
        return Err(located(
            1,
            1,
            format!(
                "config file is {} bytes, over the limit of {MAX_CONFIG_BYTES}",
                metadata.len().max(MAX_CONFIG_BYTES + 1)
            ),
            "a config holds a few `key = value` lines; is this the right file?",
        ));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let valid = String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        let (line, column) = line_column(&valid, usize::MAX);
        located(
            line,
            column,
            "config file is not valid UTF-8".into(),
            "save it as UTF-8",
        )
    })
}

/// Whether `RECALL_CONFIG` names the config file (which then must exist).
pub fn named_by_env() -> bool {
    std::env::var_os("RECALL_CONFIG").is_some_and(|p| !p.is_empty())
}

/// The config file's path: `RECALL_CONFIG`, else `config.toml` in the platform config
/// directory.
pub fn path() -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os("RECALL_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("", "", "recall")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a home directory for the config file; set RECALL_CONFIG".into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_file(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let mut config = Config::default();
        config
            .apply_file(&path, true)
            .map(|()| config)
            .map_err(|e| {
                e.to_string()
                    .replace(&path.display().to_string(), "config.toml")
            })
    }

    #[test]
    fn every_key_is_read_from_the_file() {
        let config = from_file(
            "new_per_day = 5\nreviews_per_day = 50\nday_start_hour = 6\ngrading = \"scale\"\nnew_order = \"random\"\ndeck_dirs = [\"/d1\", \"/d2\"]\ncolour = \"never\"\nexam_date = 2026-12-15\n",
        )
        .unwrap();
        assert_eq!(config.new_per_day.value, 5);
        assert_eq!(config.reviews_per_day.value, 50);
        assert_eq!(config.day_start_hour.value, 6);
        assert_eq!(config.grading.value, Grading::Scale);
        assert_eq!(config.new_order.value, NewOrder::Random);
        assert_eq!(config.deck_dirs.len(), 2);
        assert_eq!(config.colour.value, Colour::Never);
        assert_eq!(config.exam_date.unwrap().value.to_string(), "2026-12-15");
        assert!(matches!(config.new_per_day.origin, Origin::File(_)));
    }

    #[test]
    fn load_balancing_and_easy_days_are_read_from_the_file_and_the_environment() {
        let config = from_file("load_balance = false\neasy_days = [\"sat\", \"sun\"]\n").unwrap();
        assert!(!config.load_balance.value);
        assert_eq!(config.easy_days.value.to_string(), r#"["sat", "sun"]"#);
        assert!(Config::default().load_balance.value, "on by default");
        let err = from_file("easy_days = [\"sat\", \"funday\"]\n").unwrap_err();
        assert!(
            err.contains("config.toml:1:13: `easy_days`: `funday` is not a weekday"),
            "{err}"
        );
        let mut config = Config::default();
        config
            .apply_env(|var| (var == "RECALL_EASY_DAYS").then(|| "sun".to_string()))
            .unwrap();
        assert_eq!(config.easy_days.value.to_string(), r#"["sun"]"#);
        assert!(config.show().contains("easy_days"));
    }

    #[test]
    fn an_unknown_key_suggests_the_nearest() {
        assert_eq!(
            from_file("new_per_dya = 5\n").unwrap_err(),
            "config.toml:1:1: unknown key `new_per_dya` (did you mean `new_per_day`? Keys are: new_per_day, reviews_per_day, day_start_hour, grading, new_order, deck_dirs, colour, exam_date, scheduler, desired_retention, load_balance, easy_days, learning_steps, relearning_steps, bury_new_siblings, bury_review_siblings, bury_interday_learning_siblings)"
        );
    }

    #[test]
    fn a_bad_value_says_which_values_are_allowed() {
        assert_eq!(
            from_file("\ngrading = \"stars\"\n").unwrap_err(),
            "config.toml:2:11: `grading` must be \"buttons\" or \"scale\", not `stars`"
        );
        assert_eq!(
            from_file("day_start_hour = 25\n").unwrap_err(),
            "config.toml:1:18: `day_start_hour` must be a whole number from 0 to 23, not `25`"
        );
    }

    #[test]
    fn a_syntax_error_is_located() {
        let err = from_file("new_per_day = \n").unwrap_err();
        assert!(err.starts_with("config.toml:1:"), "{err}");
        assert!(err.contains("TOML syntax error"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file_and_flags_override_the_environment() {
        let mut config = from_file("new_per_day = 5\ncolour = \"always\"\n").unwrap();
        config
            .apply_env(|var| match var {
                "RECALL_NEW_PER_DAY" => Some("7".into()),
                "NO_COLOR" => Some("1".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.new_per_day.value, 7);
        assert_eq!(
            config.new_per_day.origin,
            Origin::Environment("RECALL_NEW_PER_DAY")
        );
        assert_eq!(config.colour.value, Colour::Never);
        config.apply_flags(&[], Some("always")).unwrap();
        assert_eq!(config.colour.origin, Origin::Flag("--colour"));
        let shown = config.show();
        assert!(
            shown.contains(
                "new_per_day                     = 7              # environment RECALL_NEW_PER_DAY"
            ),
            "{shown}"
        );
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let err = Config::default()
            .apply_env(|var| (var == "RECALL_GRADING").then(|| "stars".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "RECALL_GRADING: `grading` must be \"buttons\" or \"scale\", not `stars`"
        );
    }

    #[test]
    fn a_directory_where_the_default_file_belongs_is_bad_input_saying_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Config::default().apply_file(dir.path(), false).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_BAD_INPUT);
        assert_eq!(
            err.to_string(),
            format!(
                "config file {} (the default config file) is a directory; move it away and write the settings in a TOML file there, or name one with RECALL_CONFIG",
                dir.path().display()
            )
        );
    }

    #[test]
    fn a_missing_default_file_means_defaults() {
        let mut config = Config::default();
        config
            .apply_file(Path::new("/nonexistent/recall/config.toml"), false)
            .unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn a_missing_file_named_by_recall_config_is_an_error_naming_it() {
        let err = Config::default()
            .apply_file(Path::new("/nonexistent/recall/confg.toml"), true)
            .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_BAD_INPUT);
        assert_eq!(
            err.to_string(),
            "config file /nonexistent/recall/confg.toml (named by RECALL_CONFIG) does not exist; create it, or unset RECALL_CONFIG to use the default file"
        );
    }
}
