//! Nothing lost, nothing let in: killed sessions, two sessions at once, locked, damaged and
//! foreign databases, full and read-only disks, hostile card text, malformed arguments.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use expectrl::{Eof, Expect, Session};
use predicates::prelude::*;

use super::{CLEARED_ENV, Sandbox, numbered_deck, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

/// The `card_state` table, every column, as text rows.
fn projection(sandbox: &Sandbox) -> Vec<String> {
    let conn = sandbox.connection();
    let mut stmt = conn
        .prepare("SELECT card_id, repetitions, easiness, interval, due, lapses, reviews, suspended, leech, buried_until FROM card_state ORDER BY card_id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((0..10)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?
            .join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// A fixed pseudo-random sequence, so a failing iteration can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

fn spawn_review(sandbox: &Sandbox, deck: &std::path::Path) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .env("TERM", "xterm-256color")
        .arg("--decks")
        .arg(deck)
        .args(["review", "--deck", "t"]);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    let mut p = Session::spawn(cmd).expect("spawn recall in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p
}

/// 50 seeded iterations: answer a random number of cards in the full-screen loop, then
/// SIGKILL the process at a random moment (on a question, after revealing, or right after a
/// grade key, before the screen could acknowledge it). Every acknowledged answer must be in
/// the log, the database must pass `SQLite`'s integrity check, and the kept card state must
/// equal a rebuild from the log.
#[test]
fn a_killed_session_loses_no_acknowledged_answer() {
    for seed in 0..50u64 {
        let mut rng = Rng(seed);
        let sandbox = Sandbox::new();
        let deck = sandbox.file("t.toml", &numbered_deck("t", 12));
        let mut p = spawn_review(&sandbox, &deck);
        p.expect("Question 1?").unwrap();
        let answers = rng.below(8);
        let mut acknowledged = 0;
        for k in 1..=answers {
            p.send(" ").unwrap();
            p.expect(format!("Answer {k}.").as_str()).unwrap();
            let grade = ["1", "2", "3", "4"][rng.below(4) as usize];
            p.send(grade).unwrap();
            p.expect(format!("Question {}?", k + 1).as_str()).unwrap();
            acknowledged += 1;
        }
        match rng.below(3) {
            0 => {}
            1 => {
                p.send(" ").unwrap();
                p.expect(format!("Answer {}.", answers + 1).as_str())
                    .unwrap();
            }
            _ => {
                p.send(" ").unwrap();
                p.expect(format!("Answer {}.", answers + 1).as_str())
                    .unwrap();
                p.send("3").unwrap(); // killed before the acknowledgement is awaited
            }
        }
        let pid = p.get_process().pid().to_string();
        let killed = Command::new("kill").args(["-9", &pid]).status().unwrap();
        assert!(killed.success(), "seed {seed}: kill failed");
        let _ = p.expect(Eof);

        let logged = sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'");
        assert!(
            logged >= acknowledged && logged <= acknowledged + 1,
            "seed {seed}: {acknowledged} acknowledged, {logged} logged"
        );
        let integrity: String = sandbox
            .connection()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "seed {seed}");
        let kept = projection(&sandbox);
        sandbox.recall(NOW).arg("rebuild").assert().success();
        assert_eq!(
            projection(&sandbox),
            kept,
            "seed {seed}: kept state differs from a rebuild"
        );
    }
}

#[test]
fn two_sessions_on_one_database_both_finish_and_lose_nothing() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 6));
    sandbox.recall(NOW).arg("status").assert().success(); // create the database
    let spawn = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
        cmd.env("RECALL_DB", sandbox.db())
            .env("RECALL_NOW", NOW)
            .env("RECALL_CONFIG", sandbox.config())
            .env("TZ", "UTC")
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--deck", "t"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    let mut a = spawn();
    let mut b = spawn();
    let mut ia = a.stdin.take().unwrap();
    let mut ib = b.stdin.take().unwrap();
    // Interleave the two learners' answers line by line.
    // A write can meet a closed pipe only if a session ended early; the exit status below
    // says why, so the write's own error is not the one to report.
    for _ in 0..6 {
        let _ = ia.write_all(b"\n3\n");
        let _ = ib.write_all(b"\n4\n");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop((ia, ib));
    let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        oa.status.success(),
        "{}",
        String::from_utf8_lossy(&oa.stderr)
    );
    assert!(
        ob.status.success(),
        "{}",
        String::from_utf8_lossy(&ob.stderr)
    );
    // Every acknowledged answer exactly once. (A session that started after the other had
    // answered some cards does not see them as new any more, so the split varies.)
    // An answer to a card the other session had just reviewed is saved as a re-drill.
    let saved = |o: &std::process::Output| {
        let out = String::from_utf8_lossy(&o.stdout);
        (out.matches("Saved.").count() + out.matches("counted as a re-drill").count()) as i64
    };
    let answered = saved(&oa) + saved(&ob);
    assert!(answered >= 6, "at least every card once: {answered}");
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), answered);
    assert_eq!(
        sandbox.count("SELECT count(DISTINCT id) FROM review"),
        answered
    );
    let kept = projection(&sandbox);
    sandbox.recall(NOW).arg("rebuild").assert().success();
    assert_eq!(projection(&sandbox), kept);
    // Every scheduled review applied to its card, and each card given one scheduled review
    // today however many sessions answered it: the others' answers are re-drills.
    assert_eq!(
        sandbox.count("SELECT sum(reviews) FROM card_state"),
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        "every scheduled review applied to its card"
    );
    assert_eq!(
        sandbox.count(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM review WHERE kind = 'review' GROUP BY card_id)"
        ),
        1,
        "one scheduled review per card per day"
    );
}

#[test]
fn a_locked_database_is_waited_for_then_reported() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    sandbox.recall(NOW).arg("status").assert().success();
    let holder = sandbox.connection();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = std::time::Instant::now();
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t"])
        .write_stdin("\n3\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is locked by another recall process (waited 5 s)",
        ))
        .stderr(predicate::str::contains("panicked").not());
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "it waited before giving up"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 0);
}

fn fails_cleanly(sandbox: &Sandbox, args: &[&str], expected: &str) {
    let out = sandbox.recall(NOW).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear message: {err}");
}

#[test]
fn a_truncated_database_is_reported_and_left_as_it_was() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["review", "--limit", "40"])
        .write_stdin("\n3\n".repeat(40))
        .assert()
        .success();
    let bytes = std::fs::read(sandbox.db()).unwrap();
    assert!(bytes.len() > 8192, "a few pages");
    std::fs::write(sandbox.db(), &bytes[..bytes.len() / 2]).unwrap();
    let before = std::fs::read(sandbox.db()).unwrap();
    fails_cleanly(&sandbox, &["status"], "is damaged");
    fails_cleanly(&sandbox, &["review"], "is damaged");
    assert_eq!(
        std::fs::read(sandbox.db()).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_left_as_it_was() {
    let sandbox = Sandbox::new();
    let text = "my shopping list\n".repeat(400);
    std::fs::create_dir_all(sandbox.db().parent().unwrap()).unwrap();
    std::fs::write(sandbox.db(), &text).unwrap();
    fails_cleanly(&sandbox, &["status"], "is not a recall database");
    assert_eq!(std::fs::read_to_string(sandbox.db()).unwrap(), text);
}

/// Mounts a small tmpfs at `dir` (root only); `false` where this machine does not allow it.
fn mount_tmpfs(dir: &std::path::Path, size: &str) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    // A skip must not pass for a run: CI runs as root, where mounting works.
    assert!(
        mounted || std::env::var("CI").as_deref() != Ok("true"),
        "cannot mount a small tmpfs, and CI=true: CI runs as root and must run this test"
    );
    mounted
}

fn unmount(dir: &std::path::Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[test]
fn a_full_disk_is_reported_and_what_was_stored_survives() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("small");
    if !mount_tmpfs(&dir, "2m") {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights)");
        return;
    }
    let db = dir.join("recall.db");
    let recall = || {
        let mut cmd = sandbox.recall(NOW);
        cmd.env("RECALL_DB", &db);
        cmd
    };
    recall()
        .args(["review", "--limit", "5"])
        .write_stdin("\n3\n".repeat(5))
        .assert()
        .success();
    // Fill the disk, leaving the database alone.
    let _ = std::fs::write(dir.join("filler"), vec![0u8; 4 * 1024 * 1024]);
    let out = recall()
        .args(["review", "--limit", "200"])
        .write_stdin("\n3\n".repeat(200))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_file(dir.join("filler"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM review", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    unmount(&dir);
    assert!(!out.status.success(), "a full disk must fail");
    assert!(
        err.contains("disk is full") || err.contains("disk"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(integrity, "ok");
    assert!(kept >= 5, "earlier answers survive: {kept}");
}

#[test]
fn a_read_only_database_and_directory_are_reported() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("ro");
    if !mount_tmpfs(&dir, "4m") {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and mount rights)");
        return;
    }
    let db = dir.join("recall.db");
    let mut cmd = sandbox.recall(NOW);
    cmd.env("RECALL_DB", &db)
        .args(["review", "--limit", "2"])
        .write_stdin("\n3\n\n3\n")
        .assert()
        .success();
    let remounted = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !remounted {
        unmount(&dir);
        eprintln!("skipped: cannot remount read-only here");
        return;
    }
    let out = sandbox
        .recall(NOW)
        .env("RECALL_DB", &db)
        .args(["review", "--limit", "2"])
        .write_stdin("\n3\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let fresh = sandbox
        .recall(NOW)
        .env("RECALL_DB", dir.join("sub/new.db"))
        .arg("status")
        .output()
        .unwrap();
    let fresh_err = String::from_utf8_lossy(&fresh.stderr).into_owned();
    let _ = Command::new("mount")
        .args(["-o", "remount,rw"])
        .arg(&dir)
        .status();
    let kept: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM review", [], |r| r.get(0))
        .unwrap();
    unmount(&dir);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("read-only") || err.contains("cannot be opened"),
        "{err}"
    );
    assert_eq!(fresh.status.code(), Some(1), "{fresh_err}");
    assert!(
        fresh_err.contains("cannot create its directory"),
        "{fresh_err}"
    );
    assert_eq!(kept, 2, "what was stored is intact");
}

/// Card text full of escape sequences is shown, never obeyed, on the full screen.
#[test]
fn hostile_card_text_is_inert_on_the_full_screen() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "t.toml",
        "[deck]\nid = \"t\"\nname = \"Evil\\u001b]0;pwned\\u0007\"\n\n[[card]]\nid = \"t-1\"\nfront = \"Q \\u001b[31;1;4mred \\u001b]52;c;ZXZpbA==\\u0007 \\u001b[5A\\b\\b\"\nback = \"A \\u009b2J done\"\n",
    );
    let mut p = spawn_review(&sandbox, &deck);
    let shown = p.expect("Space/Enter reveal").unwrap();
    let mut screen = String::from_utf8_lossy(shown.before()).into_owned();
    p.send(" ").unwrap();
    let shown = p.expect("done").unwrap();
    screen.push_str(&String::from_utf8_lossy(shown.before()));
    p.send("q").unwrap();
    let rest = p.expect(Eof).unwrap();
    screen.push_str(&String::from_utf8_lossy(rest.get(0).unwrap_or_default()));
    for raw in [
        "\x1b[31;1;4m",
        "\x1b]52;",
        "\x1b]0;pwned",
        "\x07",
        "\x1b[5A",
        "\x08",
        "\u{9b}",
    ] {
        assert!(!screen.contains(raw), "raw {raw:?} reached the terminal");
    }
    assert!(screen.contains("␛]52;c;ZXZpbA==␇"), "shown, visibly");
}

#[test]
fn every_subcommand_rejects_malformed_arguments_with_usage_and_exit_2() {
    let sandbox = Sandbox::new();
    let commands: &[&[&str]] = &[
        &["review", "--no-such-flag"],
        &["review", "--limit", "0"],
        &["review", "--level", "guru"],
        &["review", "--until", "next tuesday"],
        &["status", "--no-such-flag"],
        &["stats", "--json", "--html", "x.html"],
        &["cram", "--limit", "-1"],
        &["interview", "--questions", "0"],
        &["interview", "--seed", "many"],
        &["cards", "--level"],
        &["export", "--format", "pdf", "-o", "x"],
        &["export", "--format", "toml"],
        &["import"],
        &["backup", "a", "b"],
        &["suspend"],
        &["unsuspend"],
        &["leeches", "extra"],
        &["schedule"],
        &["schedule", "--grades", "7"],
        &["rebuild", "--force"],
        &["compile", "--bogus"],
        &["config"],
        &["config", "edit"],
        &["no-such-command"],
    ];
    for args in commands {
        let out = sandbox.recall(NOW).args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("Usage") || err.contains("usage"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(!sandbox.db().exists(), "no usage error writes anything");
}

#[test]
fn nul_bytes_and_deep_nesting_in_a_deck_are_located_errors() {
    let sandbox = Sandbox::new();
    let nul = sandbox.dir.path().join("nul.toml");
    std::fs::write(&nul, b"[deck]\nid = \"x\"\nname = \"a\x00b\"\n").unwrap();
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&nul)
        .arg("cards")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("nul.toml:3:")
                .and(predicate::str::contains("TOML syntax error")),
        );
    let deep = sandbox.file(
        "deep.toml",
        &format!(
            "[deck]\nid = \"x\"\nname = \"X\"\nx = {}1{}\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
    );
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deep)
        .arg("cards")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("deep.toml:4:").and(predicate::str::contains("recursion")),
        );
}

#[test]
fn a_ten_megabyte_field_loads_and_is_cut_on_screen() {
    let sandbox = Sandbox::new();
    let huge = "word ".repeat(2_000_000);
    let deck = sandbox.file(
        "huge.toml",
        &format!("[deck]\nid = \"t\"\nname = \"T\"\n\n[[card]]\nid = \"t-1\"\nfront = \"Huge?\"\nback = \"{huge}\"\n"),
    );
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t"])
        .write_stdin("\n3\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);
    // It is now due tomorrow, so cram it: the screen cuts it.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TERM", "xterm")
        .arg("--decks")
        .arg(&deck)
        .args(["cram", "--deck", "t"]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("Huge?").unwrap();
    p.send(" ").unwrap();
    p.expect("enlarge the terminal").unwrap();
    p.send("q").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn a_hundred_thousand_card_deck_loads() {
    let sandbox = Sandbox::new();
    let mut text = String::from("[deck]\nid = \"big\"\nname = \"Big\"\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "\n[[card]]\nid = \"b{i}\"\nfront = \"Question {i}?\"\nback = \"Answer {i}.\"\n"
        ));
    }
    let deck = sandbox.file("big.toml", &text);
    let stdout = succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["status", "--json"]),
    );
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(status["cards"].as_u64().unwrap() >= 100_000);
}

/// Runs `recall status` with `RECALL_CONFIG` naming `config`, and asserts it is refused at
/// once as bad input, naming the file and saying `expected`; a hang fails after 20 seconds.
fn refuses_config(sandbox: &Sandbox, config: &std::path::Path, expected: &str) {
    let out = sandbox
        .recall(NOW)
        .env("RECALL_CONFIG", config)
        .arg("status")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}: {err}", config.display());
    assert!(
        err.contains(&config.display().to_string()),
        "names the file: {err}"
    );
    assert!(err.contains(expected), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_config_that_is_a_device_a_fifo_a_directory_huge_or_not_utf8_is_refused_with_exit_2() {
    let sandbox = Sandbox::new();
    // A device that never ends: read whole, it grew without bound.
    refuses_config(
        &sandbox,
        std::path::Path::new("/dev/zero"),
        "not a regular file",
    );
    // A FIFO nobody writes to: opening it hung for ever.
    let fifo = sandbox.dir.path().join("config.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    refuses_config(&sandbox, &fifo, "not a regular file");
    // A directory and a non-UTF-8 file exited 1, as if the machine had failed.
    refuses_config(&sandbox, sandbox.dir.path(), "is a directory");
    let latin1 = sandbox.dir.path().join("latin1.toml");
    std::fs::write(&latin1, b"new_per_day = 5\n# caf\xe9\n").unwrap();
    refuses_config(
        &sandbox,
        &latin1,
        ":2:6: config file is not valid UTF-8 (save it as UTF-8)",
    );
    let huge = sandbox.file("huge.toml", &"# a comment line\n".repeat(70_000));
    refuses_config(
        &sandbox,
        &huge,
        ":1:1: config file is 1190000 bytes, over the limit of 1048576",
    );
    // The shape of a good file still loads.
    let good = sandbox.file("good.toml", "new_per_day = 5\n");
    succeeds(
        sandbox
            .recall(NOW)
            .env("RECALL_CONFIG", &good)
            .arg("status"),
    );
}

/// Bug: on a disk already full when a command starts, every command, `status` included,
/// said only "database …: disk I/O error" (`SQLite`'s word for the ENOSPC of its first write),
/// where a disk filling mid-session gets "the disk is full; nothing was written…".
#[test]
fn a_disk_full_before_a_command_starts_is_named_and_nothing_is_lost() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("full");
    if !mount_tmpfs(&dir, "2m") {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights)");
        return;
    }
    let db = dir.join("recall.db");
    let recall = || {
        let mut cmd = sandbox.recall(NOW);
        cmd.env("RECALL_DB", &db);
        cmd
    };
    let answered = recall()
        .args(["review", "--limit", "5"])
        .write_stdin("\n3\n".repeat(5))
        .output()
        .unwrap();
    // Fill the disk between two commands.
    let _ = std::fs::write(dir.join("filler"), vec![0u8; 4 * 1024 * 1024]);
    let outputs: Vec<_> = [&["status"][..], &["review", "--limit", "1"], &["stats"]]
        .iter()
        .map(|args| {
            (
                args.to_vec(),
                recall().args(*args).write_stdin("\n3\n").output().unwrap(),
            )
        })
        .collect();
    let _ = std::fs::remove_file(dir.join("filler"));
    let kept = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("SELECT count(*) FROM review", [], |r| r.get::<_, i64>(0)));
    unmount(&dir);
    assert!(
        answered.status.success(),
        "{}",
        String::from_utf8_lossy(&answered.stderr)
    );
    for (args, out) in outputs {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "database {}: the disk is full; nothing was written. Free some space and try again",
                db.display()
            )),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    }
    assert_eq!(
        kept.unwrap(),
        5,
        "the answers before the disk filled are kept"
    );
}
