//! Trust at the edges: what comes from others (shared files, sync folders) and what runs
//! beside a review (a second session, a rebuild, a killed import or backup) can never stop
//! recall from starting or bend the log. Each test reproduces a way it once could.

use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::{CLEARED_ENV, Sandbox, numbered_deck, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `recall` process with this sandbox's settings, for tests that spawn and kill.
fn process(sandbox: &Sandbox, now: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", now)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .env("NO_COLOR", "1");
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `status --json`'s figures that a rebuild must reproduce.
fn status_figures(sandbox: &Sandbox, deck: &std::path::Path) -> (i64, i64, i64) {
    let status = sandbox.status_json(NOW, deck);
    let n = |k: &str| status[k].as_i64().unwrap_or(-1);
    (n("due"), n("new"), n("cards"))
}

/// Answers `n` new bundled cards Good in plain mode: a database with a little history.
fn answer_new_cards(sandbox: &Sandbox, n: usize) {
    sandbox
        .recall(NOW)
        .args(["review", "--limit", &n.to_string()])
        .write_stdin("\n3\n".repeat(n))
        .assert()
        .success();
}

/// Waits for `child` to exit, failing the test (and killing it) if it takes over 20 s: what a
/// FIFO or an endless device would make it do.
fn finishes(mut child: Child, what: &str) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            kill(&mut child);
            panic!("{what} hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

// ---- Imports that brick recall ------------------------------------------------------------

#[test]
fn a_csv_with_an_empty_id_column_imports_and_recall_still_starts() {
    let sandbox = Sandbox::new();
    let csv = sandbox.file("s.csv", "front,back,deck,tags,id\nWhat is 2+2?,4,d,,\n");
    let out = succeeds(sandbox.recall(NOW).arg("import").arg(&csv));
    assert!(out.contains("1 added"), "{out}");
    // Every later command starts, and the card is there with an id from its text.
    // The deck column names the deck.
    let cards = succeeds(sandbox.recall(NOW).args(["cards", "--deck", "d", "--json"]));
    let cards: serde_json::Value = serde_json::from_str(&cards).unwrap();
    let id = cards[0]["id"].as_str().unwrap();
    assert!(!id.is_empty(), "{cards}");
    succeeds(sandbox.recall(NOW).arg("status"));
}

/// A CSV of `n` cards with ids `big-k`.
fn big_csv(n: usize, variant: &str) -> String {
    let mut text = String::from("front,back,deck,tags,id\n");
    for k in 0..n {
        text.push_str(&format!(
            "\"Question number {k} {variant}: {}\",\"Answer {k} {variant}\",big,,big-{k}\n",
            "padding ".repeat(20)
        ));
    }
    text
}

/// The number of cards the learner's imported deck `big` shows, or the error.
fn big_cards(sandbox: &Sandbox) -> Result<usize, String> {
    let out = sandbox
        .recall(NOW)
        .args(["cards", "--deck", "big", "--json"])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(stderr_of(&out));
    }
    let cards: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Ok(cards.as_array().map_or(0, Vec::len))
}

/// A multi-part import killed at seeded moments: afterwards recall starts, and the deck holds
/// either every card of the old version or every card of the new one, never a mix or a part.
#[test]
fn an_import_killed_between_part_files_leaves_the_old_deck_or_the_new_one() {
    let sandbox = Sandbox::new();
    let old = sandbox.file("big.csv", &big_csv(12_000, "v1"));
    succeeds(sandbox.recall(NOW).arg("import").arg(&old));
    let parts = std::fs::read_dir(sandbox.db().parent().unwrap().join("decks"))
        .unwrap()
        .count();
    assert!(
        parts >= 3,
        "the fixture must need several part files, got {parts}"
    );
    assert_eq!(big_cards(&sandbox), Ok(12_000));
    // The new version has fewer cards, so a part must be removed too.
    let new_csv = sandbox.dir.path().join("new/big.csv");
    std::fs::create_dir_all(new_csv.parent().unwrap()).unwrap();
    std::fs::write(&new_csv, big_csv(9_000, "v2")).unwrap();
    let full = {
        let t = Instant::now();
        let probe = Sandbox::new();
        succeeds(probe.recall(NOW).arg("import").arg(&old));
        succeeds(
            probe
                .recall(NOW)
                .arg("import")
                .arg(&new_csv)
                .arg("--update"),
        );
        t.elapsed() / 2
    };
    for seed in 0..12u32 {
        let mut child = process(&sandbox, NOW)
            .arg("import")
            .arg("--update")
            .arg(if seed % 2 == 0 { &new_csv } else { &old })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full * seed / 10);
        kill(&mut child);
        let cards = big_cards(&sandbox);
        assert!(
            cards == Ok(12_000) || cards == Ok(9_000),
            "seed {seed}: after a kill the deck shows {cards:?}"
        );
    }
}

// ---- Concurrency ---------------------------------------------------------------------------

#[test]
fn processes_started_at_the_same_moment_on_a_new_database_all_succeed() {
    for round in 0..6 {
        let sandbox = Sandbox::new();
        let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
        let children: Vec<Child> = (0..4)
            .map(|_| {
                process(&sandbox, NOW)
                    .arg("--decks")
                    .arg(&deck)
                    .arg("status")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr_of(&out));
        }
    }
}

/// A plain-mode review session whose output is read line by line.
struct Plain {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Plain {
    fn start(sandbox: &Sandbox, deck: &std::path::Path) -> Plain {
        let mut child = process(sandbox, NOW)
            .arg("--decks")
            .arg(deck)
            .args(["review", "--deck", "t"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Plain { child, out }
    }

    /// Reads output until `text` has been seen; what was read.
    fn until(&mut self, text: &str) -> String {
        let mut seen = String::new();
        let mut byte = [0u8; 1];
        while !seen.contains(text) {
            match self.out.read(&mut byte) {
                Ok(1) => seen.push(byte[0] as char),
                _ => panic!("output ended before {text:?}: {seen}"),
            }
        }
        seen
    }

    fn send(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let mut rest = String::new();
        let _ = self.out.read_to_string(&mut rest);
        let _ = self.child.wait();
        rest
    }
}

#[test]
fn a_card_answered_in_two_sessions_counts_one_scheduled_review() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    succeeds(sandbox.recall(NOW).arg("--decks").arg(&deck).arg("status"));
    let mut first = Plain::start(&sandbox, &deck);
    let mut second = Plain::start(&sandbox, &deck);
    first.until("Question 1?");
    second.until("Question 1?");
    for session in [&mut first, &mut second] {
        session.send("");
        session.until("quit): ");
    }
    first.send("4");
    let said = first.until("\n");
    let said = said + &first.finish();
    assert!(said.contains("Saved."), "{said}");
    second.send("4");
    let said = second.until("\n");
    assert!(
        said.contains("re-drill"),
        "the second session says so: {said}"
    );
    second.finish();
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        1
    );
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'drill'"),
        1
    );
    // A new card graded Good once is due in one day, not six.
    assert_eq!(sandbox.count("SELECT interval FROM card_state"), 1);
    // Every logged after-state agrees with the kept state.
    assert_eq!(
        sandbox.count(
            "SELECT count(*) FROM review r JOIN card_state s ON s.card_id = r.card_id
             WHERE r.seq = (SELECT max(seq) FROM review)
               AND r.after_interval IS s.interval AND r.after_due IS s.due"
        ),
        1
    );
}

/// Rebuilds running while a session answers cards: no answer may be undone by a rebuild that
/// read the states before it and wrote them after.
#[test]
fn rebuilds_beside_a_review_never_take_back_an_answer() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 400));
    let config = "new_per_day = 400\n";
    std::fs::write(sandbox.config(), config).unwrap();
    succeeds(sandbox.recall(NOW).arg("--decks").arg(&deck).arg("status"));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rebuilds = {
        let stop = stop.clone();
        let db = sandbox.db();
        let config = sandbox.config();
        let deck = deck.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
                cmd.env("RECALL_DB", &db)
                    .env("RECALL_NOW", NOW)
                    .env("RECALL_CONFIG", &config)
                    .env("TZ", "UTC")
                    .arg("--decks")
                    .arg(&deck)
                    .arg("rebuild");
                for var in CLEARED_ENV {
                    cmd.env_remove(var);
                }
                assert!(cmd.output().unwrap().status.success());
                n += 1;
            }
            n
        })
    };
    let mut session = Plain::start(&sandbox, &deck);
    for _ in 0..150 {
        session.until("Question");
        session.send("");
        session.until("Answer");
        session.send("4");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    session.until("Question");
    session.finish();
    let runs = rebuilds.join().unwrap();
    assert!(runs > 0);
    // Every card graded Easy is scheduled for a later day: none came back as due or new.
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        150
    );
    assert_eq!(
        sandbox.count(&format!(
            "SELECT count(*) FROM card_state WHERE repetitions >= 1 AND due > {}",
            20_514
        )),
        150,
        "answers taken back by {runs} concurrent rebuilds"
    );
}

// ---- Files that look whole but are not -------------------------------------------------------

#[test]
fn a_killed_backup_leaves_no_file_that_looks_whole_and_the_next_one_works() {
    let sandbox = Sandbox::new();
    answer_new_cards(&sandbox, 30);
    let dest = sandbox.dir.path().join("b/copy.db");
    for seed in 0..8u64 {
        let _ = std::fs::remove_file(&dest);
        let mut child = process(&sandbox, NOW)
            .arg("backup")
            .arg(&dest)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(seed * 3));
        kill(&mut child);
        if dest.exists() {
            // Whatever is at the destination is a whole, checked copy.
            let conn = rusqlite::Connection::open(&dest).unwrap();
            let n: i64 = conn
                .query_row("SELECT count(*) FROM review", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 20, "seed {seed}");
        }
        let _ = std::fs::remove_file(&dest);
        succeeds(sandbox.recall(NOW).arg("backup").arg(&dest));
        assert!(dest.exists());
    }
}

#[test]
fn a_missing_database_beside_its_write_ahead_log_is_refused_naming_both() {
    let sandbox = Sandbox::new();
    succeeds(sandbox.recall(NOW).arg("status"));
    std::fs::remove_file(sandbox.db()).unwrap();
    let wal = format!("{}-wal", sandbox.db().display());
    std::fs::write(&wal, vec![7u8; 4096]).unwrap();
    let out = sandbox.recall(NOW).arg("review").output().unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("recall.db") && err.contains("recall.db-wal"),
        "{err}"
    );
    assert!(!sandbox.db().exists(), "no fresh database created");
    assert_eq!(
        std::fs::read(&wal).unwrap(),
        vec![7u8; 4096],
        "the WAL kept"
    );
}

/// Overwrites the first page of the index `index` in the database file with garbage.
fn damage_index(sandbox: &Sandbox, index: &str) {
    let (root, page_size): (i64, i64) = {
        let conn = sandbox.connection();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (root, size)
    };
    let mut bytes = std::fs::read(sandbox.db()).unwrap();
    let start = ((root - 1) * page_size) as usize;
    for b in &mut bytes[start + 8..start + page_size as usize] {
        *b = 0x5a;
    }
    std::fs::write(sandbox.db(), bytes).unwrap();
}

#[test]
fn recall_check_repairs_a_damaged_index_and_says_what_it_did() {
    let sandbox = Sandbox::new();
    answer_new_cards(&sandbox, 20);
    damage_index(&sandbox, "review_by_day");
    // A command that would bring in much from elsewhere refuses and says what to run.
    let out = sandbox
        .recall(NOW)
        .arg("sync")
        .arg(sandbox.dir.path().join("sync"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("recall check"),
        "{}",
        stderr_of(&out)
    );
    let out = succeeds(sandbox.recall(NOW).arg("check"));
    assert!(out.contains("problem"), "{out}");
    assert!(out.contains("REINDEX"), "{out}");
    let integrity: String = sandbox
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 20);
    let again = succeeds(sandbox.recall(NOW).arg("check"));
    assert!(again.contains("found no damage"), "{again}");
}

// ---- Sync folders are shared, not trusted ----------------------------------------------------

/// Reviews `n` cards of the fixture deck on the database `sandbox` at `now`.
fn review_some(sandbox: &Sandbox, deck: &std::path::Path, now: &str, n: usize) {
    sandbox.review_t(now, deck, &[], &"\n4\n".repeat(n));
}

fn sync(sandbox: &Sandbox, dir: &std::path::Path, now: &str) -> String {
    succeeds(sandbox.recall(now).arg("sync").arg(dir))
}

fn own_file(sandbox: &Sandbox, dir: &std::path::Path) -> std::path::PathBuf {
    let device: String = sandbox
        .connection()
        .query_row("SELECT value FROM meta WHERE key = 'device'", [], |r| {
            r.get(0)
        })
        .unwrap();
    dir.join(format!("{device}.jsonl"))
}

#[test]
fn a_half_written_line_in_its_own_file_is_repaired_and_no_answer_is_missing() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let deck = a.file("t.toml", &numbered_deck("t", 6));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 2);
    sync(&a, &dir, NOW);
    // An interrupted append: half a line, no newline.
    let own = own_file(&a, &dir);
    let mut file = std::fs::OpenOptions::new().append(true).open(&own).unwrap();
    file.write_all(b"{\"device_seq\": 9, \"id\": \"0").unwrap();
    drop(file);
    review_some(&a, &deck, "2026-03-05T09:00:00Z", 2);
    let out = sync(&a, &dir, "2026-03-05T09:00:00Z");
    assert!(out.contains("repaired"), "{out}");
    let out = sync(&b, &dir, "2026-03-05T09:00:00Z");
    assert!(!out.contains("damaged"), "{out}");
    assert_eq!(
        b.count("SELECT count(*) FROM review"),
        a.count("SELECT count(*) FROM review")
    );
}

#[test]
fn a_damaged_line_of_another_device_is_skipped_with_a_warning() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let deck = a.file("t.toml", &numbered_deck("t", 6));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 3);
    sync(&a, &dir, NOW);
    let own = own_file(&a, &dir);
    let text = std::fs::read_to_string(&own).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(1, "{not json");
    std::fs::write(&own, lines.join("\n") + "\n").unwrap();
    let out = sync(&b, &dir, NOW);
    assert!(out.contains(":2: damaged line skipped"), "{out}");
    assert_eq!(b.count("SELECT count(*) FROM review"), 3);
}

#[test]
fn a_fifo_or_a_directory_named_jsonl_is_skipped_not_waited_on() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("sync");
    std::fs::create_dir_all(dir.join("folder.jsonl")).unwrap();
    let fifo = dir.join("pipe.jsonl");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.jsonl")).unwrap();
    let child = process(&sandbox, NOW)
        .arg("sync")
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finishes(child, "sync over a FIFO");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("not a regular file").count(), 3, "{text}");
}

/// An entry of another device, written as recall writes it.
fn line(seq: i64, id: &str, card: &str, at: &str, kind: &str, undoes: Option<&str>) -> String {
    let day = &at[..10];
    let ms = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .timestamp_millis();
    let (grade, state) = if kind == "undo" {
        ("null".to_string(), "null".to_string())
    } else {
        (
            "4".to_string(),
            format!(
                "{{\"repetitions\":1,\"easiness\":250,\"interval\":1,\"due\":\"{day}\",\"lapses\":0,\"reviews\":1}}"
            ),
        )
    };
    let undoes = undoes.map_or("null".to_string(), |u| format!("\"{u}\""));
    format!(
        "{{\"device_seq\":{seq},\"id\":\"{id}\",\"card_id\":\"{card}\",\"reviewed_at\":{ms},\"day\":\"{day}\",\"kind\":\"{kind}\",\"grade\":{grade},\"duration_ms\":1000,\"undoes\":{undoes},\"until\":null,\"before\":null,\"after\":{state}}}\n"
    )
}

#[test]
fn entries_from_the_future_and_undos_of_other_devices_are_held_back() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let deck = a.file("t.toml", &numbered_deck("t", 6));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 1);
    sync(&a, &dir, NOW);
    let victim: String = a
        .connection()
        .query_row("SELECT id FROM review", [], |r| r.get(0))
        .unwrap();
    let hostile = line(
        1,
        "00000000000000000000000000000001",
        "t-2",
        "2027-01-01T09:00:00Z",
        "review",
        None,
    ) + &line(
        2,
        "00000000000000000000000000000002",
        "t-1",
        NOW,
        "undo",
        Some(&victim),
    ) + &line(
        3,
        "00000000000000000000000000000003",
        "t-3",
        NOW,
        "review",
        None,
    );
    std::fs::write(dir.join("device-evil.jsonl"), hostile).unwrap();
    let out = sync(&b, &dir, NOW);
    assert!(out.contains("held back"), "{out}");
    assert!(out.contains("undo entry refused"), "{out}");
    // The honest entries arrive; the future one and the foreign undo do not.
    assert_eq!(b.count("SELECT count(*) FROM review"), 2);
    assert_eq!(
        b.count("SELECT count(*) FROM review WHERE kind = 'undo'"),
        0
    );
    assert_eq!(
        b.count("SELECT count(*) FROM card_state WHERE card_id = 't-1' AND repetitions = 1"),
        1
    );
}

/// One fit of a `*.fsrs-parameters.json` sync file: `w5` set to `w5`, the rest FSRS's defaults.
fn fit_line(fitted_at: &str, w5: f64) -> serde_json::Value {
    let mut parameters: Vec<f64> = [
        0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
        1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
    ]
    .to_vec();
    parameters[5] = w5;
    serde_json::json!({
        "fitted_at": fitted_at,
        "day": &fitted_at[..10],
        "parameters": parameters,
        "reviews": 5000,
        "default": [0.45, 0.06],
        "optimized": [0.40, 0.03],
        "kept": true,
    })
}

/// Bug: a sync folder's fit dated 9999-12-31 with parameters of 1e30 was merged ("Merged 1
/// FSRS parameter fit"), put in use, and, being the newest, stayed in use for good.
#[test]
fn fsrs_fits_from_the_future_or_outside_fsrs_s_ranges_are_not_merged() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("sync");
    std::fs::create_dir_all(&dir).unwrap();
    let hostile = serde_json::json!([
        fit_line("9999-12-31T00:00:00Z", 1e30),
        fit_line("2026-03-01T09:00:00Z", 1e30),
        fit_line("9999-12-31T00:00:00Z", 0.9),
        fit_line("1969-07-20T20:17:00Z", 0.9),
    ]);
    let file = dir.join("device-evil.fsrs-parameters.json");
    std::fs::write(&file, hostile.to_string()).unwrap();
    let out = sync(&sandbox, &dir, NOW);
    assert!(!out.contains("Merged"), "{out}");
    assert!(
        out.contains(&format!(
            "warning: {}: 2 FSRS parameter fits refused: outside what FSRS accepts (w5 = 1e30 is outside FSRS's range 0.001 to 4, …)",
            file.display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "warning: {}: 2 FSRS parameter fits dated after 2026-03-03 or before 1970 held back (is the clock of the device that made them right?)",
            file.display()
        )),
        "{out}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM fsrs_parameters"), 0);
    let config = succeeds(sandbox.recall(NOW).args(["config", "show"]));
    assert!(
        config.contains("fsrs_parameters                 = \"default\""),
        "{config}"
    );
}

#[test]
fn one_review_id_with_two_contents_converges_to_the_same_one_everywhere() {
    let (a, b, c) = (Sandbox::new(), Sandbox::new(), Sandbox::new());
    let dir = a.dir.path().join("sync");
    std::fs::create_dir_all(&dir).unwrap();
    let id = "0000000000000000000000000000beef";
    std::fs::write(
        dir.join("device-x.jsonl"),
        line(1, id, "t-1", NOW, "review", None),
    )
    .unwrap();
    std::fs::write(
        dir.join("device-y.jsonl"),
        line(1, id, "t-2", NOW, "review", None),
    )
    .unwrap();
    let card_of = |s: &Sandbox| -> String {
        s.connection()
            .query_row("SELECT card_id FROM review WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    sync(&a, &dir, NOW);
    // b saw only one side first, then both.
    std::fs::rename(dir.join("device-y.jsonl"), a.dir.path().join("y")).unwrap();
    sync(&b, &dir, NOW);
    std::fs::rename(a.dir.path().join("y"), dir.join("device-y.jsonl")).unwrap();
    let out = sync(&b, &dir, NOW);
    sync(&c, &dir, NOW);
    assert_eq!(card_of(&a), card_of(&b), "{out}");
    assert_eq!(card_of(&b), card_of(&c));
}

#[test]
fn a_copied_database_takes_a_new_device_id_and_says_so() {
    let a = Sandbox::new();
    let deck = a.file("t.toml", &numbered_deck("t", 6));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 1);
    let b = Sandbox::new();
    std::fs::create_dir_all(b.db().parent().unwrap()).unwrap();
    succeeds(a.recall(NOW).arg("backup").arg(b.db()));
    review_some(&a, &deck, "2026-03-03T09:00:00Z", 1);
    review_some(&b, &deck, "2026-03-03T09:00:00Z", 2);
    sync(&a, &dir, "2026-03-03T09:00:00Z");
    let out = sync(&b, &dir, "2026-03-03T09:00:00Z");
    assert!(out.contains("another database also syncs as"), "{out}");
    sync(&a, &dir, "2026-03-03T09:00:00Z");
    // Both now hold every answer of both.
    assert_eq!(a.count("SELECT count(*) FROM review"), 4);
    assert_eq!(b.count("SELECT count(*) FROM review"), 4);
}

// ---- Hostile text ------------------------------------------------------------------------------

#[test]
fn control_characters_in_file_names_never_reach_the_terminal() {
    let sandbox = Sandbox::new();
    let csv = sandbox.file("x\u{1b}]0;TITLE\u{7}.csv", "front,back\nQ?,A.\n");
    let out = sandbox
        .recall(NOW)
        .arg("import")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        !out.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!out.stdout.contains(&0x07));
    let dir = sandbox.dir.path().join("sync");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("\u{1b}]52;c;aGk=\u{7}.jsonl"), "{broken\n").unwrap();
    let out = sandbox.recall(NOW).arg("sync").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        !out.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!out.stderr.contains(&0x1b));
}

#[test]
fn a_fifo_or_dev_zero_as_a_deck_or_an_import_is_refused_at_once() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.dir.path().join("deck.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let zero = sandbox.dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for args in [
        vec![
            "--decks".into(),
            fifo.display().to_string(),
            "status".into(),
        ],
        vec!["--decks".into(), "/dev/zero".into(), "status".into()],
        vec!["import".into(), zero.display().to_string()],
        vec!["import".into(), fifo.display().to_string()],
    ] {
        let child = process(&sandbox, NOW)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = finishes(child, &format!("{args:?}"));
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr_of(&out).contains("not a regular file"),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}

// ---- Kills at every step that writes ---------------------------------------------------------

/// `recall sync DIR` started in the background, for a test to kill.
fn spawn_sync(sandbox: &Sandbox, deck: &std::path::Path, dir: &std::path::Path) -> Child {
    process(sandbox, NOW)
        .arg("--decks")
        .arg(deck)
        .arg("sync")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A sync killed at seeded moments: afterwards recall starts, `status` equals a fresh
/// rebuild's, and the next sync brings the other device every answer.
#[test]
fn a_killed_sync_leaves_recall_whole_and_the_next_sync_completes_it() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let deck = a.file("t.toml", &numbered_deck("t", 40));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 30);
    for seed in 0..6u64 {
        let mut child = spawn_sync(&a, &deck, &dir);
        std::thread::sleep(Duration::from_millis(seed * 4));
        kill(&mut child);
        let before = status_figures(&a, &deck);
        succeeds(a.recall(NOW).arg("--decks").arg(&deck).arg("rebuild"));
        assert_eq!(status_figures(&a, &deck), before, "seed {seed}");
    }
    sync(&a, &dir, NOW);
    sync(&b, &dir, NOW);
    assert_eq!(b.count("SELECT count(*) FROM review"), 20);
}

/// Entries in the other device's file of the killed bulk merge: past `BULK_MERGE` (10,000).
const ENTRIES: usize = 12_000;

/// A bulk merge (another device's 12,000 entries) killed at seeded moments. Its commit is two
/// transactions (the entries, then the card states replayed while the first's checkpoint
/// runs): whatever moment the kill lands on, the log holds all of the entries or none, the
/// next command's card states and activity are those a rebuild gives (a merge stopped between the two is
/// replayed by it), and the next sync completes the merge.
#[test]
fn a_bulk_merge_killed_at_any_moment_leaves_the_log_whole_or_untouched() {
    let a = Sandbox::new();
    let deck = a.file("t.toml", &numbered_deck("t", 20));
    let dir = a.dir.path().join("sync");
    review_some(&a, &deck, NOW, 20);
    sync(&a, &dir, NOW);
    let own = own_file(&a, &dir);
    let template: Vec<serde_json::Value> = std::fs::read_to_string(&own)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    std::fs::remove_file(&own).unwrap();
    // Another device's history: the 20 answers again and again, a second apart.
    let mut text = String::new();
    for n in 0..ENTRIES {
        let mut entry = template[n % template.len()].clone();
        let at = entry["reviewed_at"].as_i64().unwrap() - 86_400_000 + n as i64 * 1000;
        entry["device_seq"] = serde_json::json!(n + 1);
        entry["reviewed_at"] = serde_json::json!(at);
        entry["id"] = serde_json::json!(format!("{at:012x}{n:020}"));
        text.push_str(&entry.to_string());
        text.push('\n');
    }
    std::fs::write(dir.join("device-00000000000000bb.jsonl"), text).unwrap();
    let mut counts = std::collections::BTreeSet::new();
    for seed in 0..16u64 {
        let b = Sandbox::new();
        succeeds(b.recall(NOW).arg("--decks").arg(&deck).arg("status"));
        let mut child = spawn_sync(&b, &deck, &dir);
        std::thread::sleep(Duration::from_millis(seed * 20));
        kill(&mut child);
        let merged = b.count("SELECT count(*) FROM review");
        assert!(
            merged == 0 || merged == ENTRIES as i64,
            "seed {seed}: {merged} entries"
        );
        let pending = b.count("SELECT count(*) FROM meta WHERE key = 'replay_pending'");
        counts.insert((merged, pending));
        succeeds(b.recall(NOW).arg("--decks").arg(&deck).arg("status"));
        let replayed = b.projections();
        assert_eq!(
            b.count("SELECT count(*) FROM meta WHERE key = 'replay_pending'"),
            0
        );
        succeeds(b.recall(NOW).arg("--decks").arg(&deck).arg("rebuild"));
        assert_eq!(b.projections(), replayed, "seed {seed}");
        sync(&b, &dir, NOW);
        assert_eq!(b.count("SELECT count(*) FROM review"), ENTRIES as i64);
        assert_eq!(b.count("SELECT count(*) FROM card_state"), 20);
    }
    eprintln!("(entries, replay pending) after the kills: {counts:?}");
}

/// An upgrade from an old schema killed at seeded moments: the next start finishes it, and
/// the history is whole.
#[test]
fn a_killed_migration_is_finished_by_the_next_start() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.db().parent().unwrap()).unwrap();
    for seed in 0..6u64 {
        let _ = std::fs::remove_file(sandbox.db());
        let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
        conn.execute_batch(recall::store::MIGRATIONS[0]).unwrap();
        conn.execute_batch("PRAGMA user_version = 1").unwrap();
        conn.execute_batch(
            "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, duration_ms,
                 after_repetitions, after_easiness, after_interval, after_due, after_lapses)
             VALUES ('00000000000000000000000000000a01', 'network-what-is-dns', 1772442000000,
                 20514, 'review', 4, 1000, 1, 250, 1, 20515, 0)",
        )
        .unwrap();
        drop(conn);
        let mut child = process(&sandbox, NOW)
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(seed * 5));
        kill(&mut child);
        succeeds(sandbox.recall(NOW).arg("status"));
        assert_eq!(
            sandbox.count("SELECT count(*) FROM review"),
            1,
            "seed {seed}"
        );
        let version = sandbox.count("PRAGMA user_version");
        assert_eq!(version, recall::store::current_version(), "seed {seed}");
    }
}

#[test]
fn a_crash_log_beside_a_restored_backup_is_refused_and_left_alone() {
    let sandbox = Sandbox::new();
    answer_new_cards(&sandbox, 5);
    let backup = sandbox.dir.path().join("backup.db");
    succeeds(sandbox.recall(NOW).arg("backup").arg(&backup));
    // A session's write-ahead log, as a crash leaves it.
    let wal_path = format!("{}-wal", sandbox.db().display());
    let held = {
        let conn = sandbox.connection();
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0").unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('crash', 'pending')",
            [],
        )
        .unwrap();
        let held = std::fs::read(&wal_path).unwrap();
        assert!(!held.is_empty());
        held
    };
    // The learner restores the backup; the crash's log is still beside it.
    std::fs::copy(&backup, sandbox.db()).unwrap();
    std::fs::write(&wal_path, &held).unwrap();
    let restored = std::fs::read(sandbox.db()).unwrap();
    let out = sandbox.recall(NOW).arg("status").output().unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("recall.db-wal") && err.contains("another database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(sandbox.db()).unwrap(),
        restored,
        "left as restored"
    );
    assert_eq!(std::fs::read(&wal_path).unwrap(), held);
    // Moved away, the restored backup opens with its history.
    std::fs::remove_file(&wal_path).unwrap();
    let _ = std::fs::remove_file(format!("{}-shm", sandbox.db().display()));
    succeeds(sandbox.recall(NOW).arg("status"));
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 5);
}
