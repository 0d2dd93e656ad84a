//! End-to-end tests: the real `recall` binary, driven as a user or a script would drive it,
//! with a temporary database and small deck fixtures.

mod anki;
mod anki_sync;
mod carry;
mod command_line;
mod compile;
mod daily;
mod decks;
mod devices;
mod edges;
mod hostile;
mod interview_study;
mod memory_model;
mod pty;
mod review;
mod safety;
mod schedule;
mod scheduler;
mod share;
mod stats;

use std::path::PathBuf;

use assert_cmd::Command;

/// Variables of the developer's own environment that would change what recall does.
pub const CLEARED_ENV: &[&str] = &[
    "RECALL_DECKS",
    "RECALL_NEW_PER_DAY",
    "RECALL_REVIEWS_PER_DAY",
    "RECALL_DAY_START_HOUR",
    "RECALL_GRADING",
    "RECALL_NEW_ORDER",
    "RECALL_COLOUR",
    "RECALL_EXAM_DATE",
    "RECALL_SCHEDULER",
    "RECALL_DESIRED_RETENTION",
    "RECALL_LOAD_BALANCE",
    "RECALL_EASY_DAYS",
    "RECALL_LEARNING_STEPS",
    "RECALL_RELEARNING_STEPS",
];

/// A temporary home for one test: its database and deck files.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

impl Sandbox {
    /// A sandbox whose config turns learning steps off (`RECALL_CONFIG` naming a missing
    /// file is an error): most tests follow one answer a card a day, and with Anki's default
    /// steps every new card would come back ten minutes later. The tests of steps start from
    /// [`Sandbox::with_default_steps`]; a test that writes `config.toml` replaces this one.
    pub fn new() -> Sandbox {
        let sandbox = Sandbox::with_default_steps();
        std::fs::write(
            sandbox.config(),
            "learning_steps = []\nrelearning_steps = []\n",
        )
        .expect("config file");
        sandbox
    }

    /// A sandbox with an empty config file: every default, learning steps included.
    pub fn with_default_steps() -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::write(sandbox.config(), "").expect("empty config file");
        sandbox
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("data/recall.db")
    }

    /// Writes a file under the sandbox and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `recall` with this sandbox's database, a fixed clock and no user environment leaking in.
    pub fn recall(&self, now: &str) -> Command {
        let mut cmd = Command::cargo_bin("recall").expect("binary built");
        cmd.env("RECALL_DB", self.db())
            .env("RECALL_NOW", now)
            .env("RECALL_CONFIG", self.config())
            .env("TZ", "UTC")
            .env("NO_COLOR", "1");
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// The config file this sandbox's recall reads (empty until a test writes it).
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// `recall --decks DECK review --deck t ARGS` with `input` on stdin, asserting success;
    /// its stdout. Most tests review the fixture deck `t` this way.
    pub fn review_t(
        &self,
        now: &str,
        deck: &std::path::Path,
        args: &[&str],
        input: &str,
    ) -> String {
        succeeds(
            self.recall(now)
                .arg("--decks")
                .arg(deck)
                .args(["review", "--deck", "t"])
                .args(args)
                .write_stdin(input.to_string()),
        )
    }

    /// `recall --decks DECK status --json`, parsed.
    pub fn status_json(&self, now: &str, deck: &std::path::Path) -> serde_json::Value {
        let out = succeeds(
            self.recall(now)
                .arg("--decks")
                .arg(deck)
                .args(["status", "--json"]),
        );
        serde_json::from_str(&out).unwrap()
    }

    pub fn connection(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db()).expect("database exists")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.connection().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Every row of the projections recall rebuilds from its log, in key order.
    pub fn projections(&self) -> Vec<String> {
        let connection = self.connection();
        let mut rows = Vec::new();
        for table in ["card_state", "day_activity", "card_activity"] {
            let mut stmt = connection
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let columns = stmt.column_count();
            let mut query = stmt.query([]).unwrap();
            while let Some(row) = query.next().unwrap() {
                let values: Vec<String> = (0..columns)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect();
                rows.push(format!("{table}: {}", values.join(", ")));
            }
        }
        rows
    }
}

/// A deck with `n` cards "Question k?" / "Answer k." and ids `t-k`.
pub fn numbered_deck(id: &str, n: usize) -> String {
    let mut text =
        format!("[deck]\nid = \"{id}\"\nname = \"Test deck\"\ndescription = \"fixture\"\n");
    for k in 1..=n {
        text.push_str(&format!(
            "\n[[card]]\nid = \"{id}-{k}\"\nfront = \"Question {k}?\"\nback = \"Answer {k}.\"\n"
        ));
    }
    text
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `command`, asserting that it succeeds (showing its stderr if not), and returns its
/// stdout.
pub fn succeeds(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_of(&out)
}

/// What `scripts/anki_import_check.py` reports after Anki's own library imports `files`, one
/// after the other, into a new collection, or with `into` a copy of that collection.
pub fn anki_import_check(into: Option<&std::path::Path>, files: &[PathBuf]) -> serde_json::Value {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anki_import_check.py");
    let mut command = std::process::Command::new("python3");
    command.arg(script);
    if let Some(into) = into {
        command.arg("--into").arg(into);
    }
    let out = command.args(files).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The shared real review log; `None` (the test says it is skipped) when it is not beside
/// the repository, which fails the test under `CI=true`.
pub fn real_log() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real-review-log/review_log.csv");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "../shared/data/real-review-log/review_log.csv is missing, and CI=true"
    );
    eprintln!(
        "skipped: ../shared/data/real-review-log/review_log.csv is not beside the repository"
    );
    None
}
