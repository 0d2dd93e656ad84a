//! What a user of a Rust command-line tool expects: completions, a man page, errors that all
//! start `recall:`, no silent overwrite, round trips that keep what they carry, and wording
//! that agrees with its numbers.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, stdout_of, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

// ---- completions and the man page ----

#[test]
fn completions_are_printed_for_every_shell() {
    let sandbox = Sandbox::new();
    for (shell, mark) in [
        ("bash", "complete -F _recall"),
        ("zsh", "#compdef recall"),
        ("fish", "complete -c recall"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer"),
    ] {
        let script = succeeds(sandbox.recall(NOW).args(["completions", shell]));
        assert!(script.contains(mark), "{shell}: {script}");
        assert!(
            script.contains("interview"),
            "{shell} completes subcommands"
        );
    }
    sandbox
        .recall(NOW)
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "recall: invalid value 'tcsh' for '<SHELL>'",
        ));
}

#[test]
fn the_man_page_covers_every_subcommand() {
    let sandbox = Sandbox::new();
    let page = succeeds(sandbox.recall(NOW).arg("man"));
    assert!(page.contains(".TH recall 1"), "{page}");
    for sub in [
        "REVIEW",
        "STATUS",
        "STATS",
        "CRAM",
        "INTERVIEW",
        "CARDS",
        "EXPORT",
        "IMPORT",
        "BACKUP",
        "SYNC",
        "EVALUATE",
        "SUSPEND",
        "UNSUSPEND",
        "LEECHES",
        "SCHEDULE",
        "REBUILD",
        "COMPILE",
        "CONFIG",
        "COMPLETIONS",
        "MAN",
    ] {
        assert!(page.contains(&format!(".SH \"RECALL {sub}\"")), "{sub}");
    }
    // Neither reads the settings: a broken config file does not stop them.
    std::fs::write(sandbox.config(), "new_per_dy = 3\n").unwrap();
    sandbox.recall(NOW).arg("man").assert().success();
    sandbox
        .recall(NOW)
        .args(["completions", "bash"])
        .assert()
        .success();
}

// ---- errors ----

#[test]
fn argument_errors_start_with_recall_like_every_other_error() {
    let sandbox = Sandbox::new();
    for args in [
        &["revew"][..],
        &["review", "--bogus"],
        &["schedule"],
        &["export", "--format", "pdf", "-o", "x"],
    ] {
        let out = sandbox.recall(NOW).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("recall: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("error:"), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage: recall"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_limit_of_zero_must_be_at_least_one() {
    let sandbox = Sandbox::new();
    for command in ["review", "cram"] {
        sandbox
            .recall(NOW)
            .args([command, "--limit", "0"])
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(
                "recall: invalid value '0' for '--limit <N>': must be at least 1",
            ))
            .stderr(predicate::str::contains("4294967295").not());
    }
}

#[test]
fn recall_config_naming_a_missing_file_is_an_error_naming_it() {
    let sandbox = Sandbox::new();
    let missing = sandbox.dir.path().join("confg.toml");
    sandbox
        .recall(NOW)
        .env("RECALL_CONFIG", &missing)
        .arg("status")
        .assert()
        .code(2)
        .stderr(format!(
            "recall: config file {} (named by RECALL_CONFIG) does not exist; create it, or unset RECALL_CONFIG to use the default file\n",
            missing.display()
        ));
    // `config path` still says where it should be.
    sandbox
        .recall(NOW)
        .env("RECALL_CONFIG", &missing)
        .args(["config", "path"])
        .assert()
        .success();
    // A missing default file still means defaults.
    sandbox
        .recall(NOW)
        .env_remove("RECALL_CONFIG")
        .env("HOME", sandbox.dir.path())
        .env_remove("XDG_CONFIG_HOME")
        .arg("status")
        .assert()
        .success();
}

/// Runs `recall ARGS` in plain mode with `input` on stdin (left open), sends it SIGINT once
/// a line of output contains `wait_for`, and returns what it did.
fn interrupted(
    sandbox: &Sandbox,
    args: &[&str],
    input: &str,
    wait_for: &str,
) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recall"))
        .env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, input.as_bytes()).unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains(wait_for) {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "no {wait_for:?}");
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    out
}

#[test]
fn ctrl_c_in_plain_mode_exits_130_with_answers_kept() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let deck = deck.display().to_string();
    // The first answer is saved once the second question is asked.
    let out = interrupted(
        &sandbox,
        &["--decks", &deck, "review", "--deck", "t"],
        "\n3\n",
        "Question 2?",
    );
    assert_eq!(out.status.code(), Some(130), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("recall: interrupted (Ctrl-C); every answer given is saved"),
        "{stderr}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);

    // A plain interview is saved when it ends, and says so.
    let out = interrupted(
        &sandbox,
        &[
            "--decks",
            &deck,
            "interview",
            "--deck",
            "t",
            "--questions",
            "2",
        ],
        "",
        "Mock interview",
    );
    assert_eq!(out.status.code(), Some(130), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("recall: interrupted (Ctrl-C); this interview was not saved"),
        "{stderr}"
    );
}

// ---- files ----

#[test]
fn export_refuses_to_overwrite_a_file_unless_forced() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let out = sandbox.file("out.toml", "my own notes\n");
    let export = |extra: &[&str]| {
        let mut cmd = sandbox.recall(NOW);
        cmd.arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "t", "--format", "toml", "-o"])
            .arg(&out)
            .args(extra);
        cmd
    };
    export(&[]).assert().code(2).stderr(format!(
        "recall: {} already exists; add --force to replace it, or name another file with -o\n",
        out.display()
    ));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my own notes\n");
    export(&["--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exported 2 cards"));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Question 2?")
    );
}

#[test]
fn two_backups_in_the_same_moment_both_succeed() {
    let sandbox = Sandbox::new();
    sandbox.recall(NOW).arg("status").assert().success();
    let first = succeeds(sandbox.recall(NOW).arg("backup"));
    let second = succeeds(sandbox.recall(NOW).arg("backup"));
    assert!(first.contains("recall-20260302T090000.000Z.db"), "{first}");
    assert!(
        second.contains("recall-20260302T090000.000Z-2.db"),
        "{second}"
    );
    let backups = std::fs::read_dir(sandbox.dir.path().join("data/backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 2);
}

#[test]
fn a_markdown_study_sheet_is_refused_in_one_line_naming_the_formats() {
    let sandbox = Sandbox::new();
    let sheet = sandbox.dir.path().join("sheet.md");
    sandbox
        .recall(NOW)
        .args(["export", "--format", "markdown", "--level", "junior", "-o"])
        .arg(&sheet)
        .assert()
        .success();
    for path in [sheet.clone(), sandbox.dir.path().join("sheet")] {
        if path != sheet {
            std::fs::copy(&sheet, &path).unwrap();
        }
        let out = sandbox
            .recall(NOW)
            .arg("import")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "recall: {}: recall cannot import Markdown",
                path.display()
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("recall TOML (.toml), Anki text (.txt, .tsv), CSV (.csv), Anki packages (.apkg) and recall JSON (.json)"),
            "{stderr}"
        );
    }
    assert!(!sandbox.dir.path().join("data/decks").exists());
}

/// A deck named "My Networking" with tags, levels and sources.
fn networking(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.file(
        "mine/net.toml",
        "[deck]\nid = \"net\"\nname = \"My Networking\"\ndescription = \"Notes from the course.\"\n\n\
         [[card]]\nid = \"net-dns\"\nfront = \"DNS: what does a TTL control?\"\nback = \"How long resolvers may cache the answer.\"\ntags = [\"dns\", \"caching\"]\nlevel = \"senior\"\nsource = \"Course > Week 2\"\n\n\
         [[card]]\nid = \"net-tcp\"\nfront = \"TCP or UDP for ordered delivery?\"\nback = \"TCP.\"\nlevel = \"junior\"\n",
    )
}

#[test]
fn an_imported_toml_deck_keeps_its_id_and_name() {
    let sandbox = Sandbox::new();
    let deck = networking(&sandbox);
    let shared = sandbox.dir.path().join("shared-net.toml");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "net", "--format", "toml", "-o"])
            .arg(&shared),
    );
    let other = Sandbox::new();
    succeeds(other.recall(NOW).arg("import").arg(&shared));
    // Its id, not the name the file was given, so a friend's `--deck net` still matches.
    let imported = std::fs::read_to_string(other.dir.path().join("data/decks/net.toml")).unwrap();
    let file: toml::Table = toml::from_str(&imported).unwrap();
    assert_eq!(file["deck"]["name"].as_str(), Some("My Networking"));
    assert_eq!(file["deck"]["id"].as_str(), Some("net"));
    // The import leaves the catalog in step with the deck files: the next command (a sync
    // with Anki, say) does not parse them all first.
    let cards = file["card"].as_array().unwrap().len();
    assert!(cards > 0);
    assert_eq!(
        other.count("SELECT count(*) FROM card WHERE deck = 'net'"),
        i64::try_from(cards).unwrap()
    );
}

#[test]
fn csv_carries_level_and_source_and_imports_them_back() {
    let sandbox = Sandbox::new();
    let deck = networking(&sandbox);
    let csv = sandbox.dir.path().join("net.csv");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "net", "--format", "csv", "-o"])
            .arg(&csv),
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("front,back,deck,tags,id,level,source,deck_name,cloze\n"),
        "{text}"
    );
    assert!(
        text.contains(",net,dns caching,net-dns,senior,Course > Week 2,My Networking,\n"),
        "{text}"
    );
    let other = Sandbox::new();
    succeeds(other.recall(NOW).arg("import").arg(&csv));
    let imported = std::fs::read_to_string(other.dir.path().join("data/decks/net.toml")).unwrap();
    let file: toml::Table = toml::from_str(&imported).unwrap();
    let cards = file["card"].as_array().unwrap();
    assert_eq!(cards[0]["level"].as_str(), Some("senior"));
    assert_eq!(cards[0]["source"].as_str(), Some("Course > Week 2"));
    assert_eq!(cards[1]["level"].as_str(), Some("junior"));
    // The deck keeps its id and its name.
    assert_eq!(file["deck"]["id"].as_str(), Some("net"));
    assert_eq!(file["deck"]["name"].as_str(), Some("My Networking"));
}

#[test]
fn a_clash_is_reported_only_when_the_text_differs() {
    let sandbox = Sandbox::new();
    let deck = networking(&sandbox);
    // The same cards with tags in another order and no levels: the same cards.
    let reordered = sandbox.file(
        "copy.csv",
        "front,back,deck,tags,id\n\
         DNS: what does a TTL control?,How long resolvers may cache the answer.,net,caching dns,net-dns\n\
         TCP or UDP for ordered delivery?,TCP. Always.,net,,net-tcp\n",
    );
    let out = succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .arg("import")
            .arg(&reordered),
    );
    assert!(out.contains("0 added, 0 updated, 2 skipped"), "{out}");
    assert!(!out.contains("net-dns"), "{out}");
    assert!(
        out.contains("id `net-tcp` belongs to deck `net` with different text; kept that one"),
        "{out}"
    );
}

// ---- wording ----

#[test]
fn one_of_anything_is_singular() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let review = sandbox.review_t(NOW, &deck, &["--limit", "1"], "\n3\n");
    assert!(
        review.contains("Session: 1 card reviewed, 1 answer, 100% correct,"),
        "{review}"
    );
    assert!(
        !review.contains("per answer"),
        "one answer's time said once: {review}"
    );
    let stats = succeeds(sandbox.recall(NOW).arg("--decks").arg(&deck).arg("stats"));
    assert!(
        stats.contains("1 card reviewed (1 new), 1 answer"),
        "{stats}"
    );
    assert!(stats.contains("Streak: 1 day (longest 1)"), "{stats}");
    let today = succeeds(sandbox.recall(NOW).arg("--decks").arg(&deck).arg("status"));
    assert!(today.contains("Streak: 1 day in a row"), "{today}");
    let interview = succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args([
                "interview",
                "--deck",
                "t",
                "--questions",
                "1",
                "--seed",
                "3",
            ])
            .write_stdin("a guess\n3\n"),
    );
    assert!(
        interview.contains("Mock interview: 1 question on"),
        "{interview}"
    );
}

#[test]
fn suspending_in_plain_mode_names_the_card() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let out = sandbox.review_t(NOW, &deck, &[], "\n!\nq\n");
    assert!(
        out.contains("Suspended t-1; `recall unsuspend t-1` brings it back"),
        "{out}"
    );
}

#[test]
fn cram_does_not_call_reviewed_cards_due() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    sandbox.review_t(NOW, &deck, &["--limit", "1"], "\n4\n");
    let out = succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["cram", "--deck", "t"])
            .write_stdin("q\n"),
    );
    assert!(
        out.starts_with("Cram: 3 cards, weakest first; no schedule changes."),
        "{out}"
    );
    assert!(!out.contains("due,"), "{out}");
}

#[test]
fn cards_columns_stay_in_line_with_long_ids() {
    let sandbox = Sandbox::new();
    let long = "a-card-id-far-longer-than-the-old-forty-four-column-width";
    let deck = sandbox.file(
        "t.toml",
        &format!(
            "[deck]\nid = \"t\"\nname = \"T\"\n\n[[card]]\nid = \"{long}\"\nfront = \"Q?\"\nback = \"A.\"\n\n[[card]]\nid = \"short\"\nfront = \"Q2?\"\nback = \"A2.\"\n"
        ),
    );
    let out = stdout_of(
        &sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["cards", "--deck", "t"])
            .output()
            .unwrap(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let deck_column: Vec<usize> = lines
        .iter()
        .map(|l| l.find(" deck").or_else(|| l.find(" t ")).unwrap())
        .collect();
    assert!(deck_column.iter().all(|&c| c == deck_column[0]), "{out}");
    assert!(lines[1].starts_with(long), "{out}");
}
