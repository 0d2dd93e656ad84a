//! Plain-mode review sessions and `status`.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, stdout_of};

const NOW: &str = "2026-03-02T09:00:00Z";

#[test]
fn a_plain_review_of_three_cards_records_three_reviews_and_status_reports_them() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("decks/t.toml", &numbered_deck("t", 5));
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t", "--limit", "3"])
        .write_stdin("\n3\n\n3\n\n4\n")
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Q: Question 1?"), "{text}");
    assert!(text.contains("A: Answer 1."), "{text}");
    assert!(text.contains("Session: 3 cards reviewed"), "{text}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        3
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM card_state"), 3);

    let status = sandbox.status_json(NOW, &deck);
    assert_eq!(status["reviewed_today"], 3);
    assert_eq!(status["due"], 0);
    assert_eq!(status["new_learned_today"], 3);
    assert_eq!(status["streak"], 1);
}

#[test]
fn cards_come_back_on_their_due_day_and_not_before() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    sandbox.review_t(NOW, &deck, &[], "\n3\n\n3\n");
    // Good on a new card: due in 1 day. Later today: nothing to do.
    sandbox
        .recall("2026-03-02T20:00:00Z")
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to review now"))
        .stdout(predicate::str::contains("tomorrow (2026-03-03)"));
    // Before 04:00 the next morning it is still the same study day.
    let early = sandbox.status_json("2026-03-03T03:59:00Z", &deck);
    assert_eq!(early["due"], 0);
    assert_eq!(early["reviewed_today"], 2);
    let next_day = sandbox.status_json("2026-03-03T04:00:00Z", &deck);
    assert_eq!(next_day["due"], 2);
    assert_eq!(next_day["reviewed_today"], 0);
    assert_eq!(next_day["streak"], 1);
}

#[test]
fn again_brings_a_card_back_in_the_same_session_as_a_drill() {
    let sandbox = Sandbox::new();
    // Failed cards come back the same day on a one-minute step; Good graduates.
    sandbox.file("config.toml", "learning_steps = [\"1m\"]\n");
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let text = sandbox.review_t(NOW, &deck, &[], "\n1\n\n3\n\n3\n");
    assert!(text.contains("learning\nQ: Question 1?"), "{text}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'drill'"),
        1
    );
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        2
    );
}

#[test]
fn undo_takes_back_the_last_answer_and_the_log_records_it() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    // Answer card 1 (Good), reveal card 2 and undo instead of grading: card 1 comes back.
    let text = sandbox.review_t(NOW, &deck, &[], "\n3\n\nu\n\n4\nq\n");
    assert!(text.contains("Undone"), "{text}");
    assert_eq!(text.matches("Q: Question 1?").count(), 2, "{text}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'undo'"),
        1
    );
    // The card's state comes from the redone answer (Easy: EF 2.6), not the undone one.
    assert_eq!(
        sandbox.count("SELECT easiness FROM card_state WHERE card_id = 't-1'"),
        260
    );
    let status = sandbox.status_json(NOW, &deck);
    assert_eq!(status["reviewed_today"], 1);
}

#[test]
fn end_of_input_quits_cleanly_keeping_what_was_answered() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 4));
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t"])
        .write_stdin("\n3\n\n")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Session: 1 card reviewed, 1 answer,",
        ));
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);
}

#[test]
fn rebuild_gives_back_the_same_state() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    sandbox.review_t(NOW, &deck, &[], "\n4\n\n1\n\n2\n\n3\n\n3\n");
    let snapshot = |s: &Sandbox| -> Vec<(String, i64, i64, i64, i64)> {
        let conn = s.connection();
        let mut stmt = conn
            .prepare("SELECT card_id, repetitions, easiness, interval, due FROM card_state ORDER BY card_id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let before = snapshot(&sandbox);
    assert_eq!(before.len(), 3);
    sandbox
        .recall(NOW)
        .arg("rebuild")
        .assert()
        .success()
        .stdout(predicate::str::contains("Rebuilt the schedule of 3 cards"));
    assert_eq!(snapshot(&sandbox), before);
}

#[test]
fn recall_alone_prints_todays_state() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Today (2026-03-02): 0 due, 20 new, 0 reviewed.",
        ))
        .stdout(predicate::str::contains("Run `recall review`"));
}

#[test]
fn a_database_from_a_newer_recall_is_refused_and_left_alone() {
    let sandbox = Sandbox::new();
    sandbox.recall(NOW).arg("status").assert().success();
    sandbox
        .connection()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    sandbox
        .recall(NOW)
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "written by a newer recall (schema version 999",
        ));
    assert_eq!(sandbox.count("PRAGMA user_version"), 999);
}

#[test]
fn a_malformed_recall_now_is_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox
        .recall("tomorrow-ish")
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "RECALL_NOW=`tomorrow-ish` is not an RFC 3339 time",
        ));
}

#[test]
fn an_unknown_deck_filter_suggests_the_nearest_deck() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["review", "--deck", "databse"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `database`?"));
    assert!(!sandbox.db().exists(), "nothing is written for bad input");
}

#[test]
fn card_text_cannot_inject_terminal_control_sequences_in_plain_mode() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "evil.toml",
        "[deck]\nid = \"evil\"\nname = \"E\\u001b]0;pwned\\u0007\"\n\n[[card]]\nid = \"e1\"\nfront = \"\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007Q\"\nback = \"\\u009b31mA\\b\\b\"\n",
    );
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "evil"])
        .write_stdin("\n3\n")
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'));
    assert!(text.contains("␛[2J␛]52;c;ZXZpbA==␇Q"), "{text}");
}

/// The `[k/n] deck · kind` lines of a plain-mode transcript, in order.
fn progress_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('[')).collect()
}

#[test]
fn plain_mode_shows_progress_undo_availability_and_accuracy_as_the_session_goes() {
    let sandbox = Sandbox::new();
    // Failed cards come back the same day on a one-minute step; Good graduates.
    sandbox.file("config.toml", "learning_steps = [\"1m\"]\n");
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let text = sandbox.review_t(
        NOW,
        &deck,
        &[],
        // u before any answer; Again on 1; Good on 2; at 1's re-drill undo 2's Good;
        // Good on 2 again, Good on 1's re-drill.
        "\nu\n\n1\n\n3\n\nu\n\n3\n\n3\n",
    );
    assert!(
        text.contains("Nothing to undo.\n\n[1/2] Test deck · new\nQ: Question 1?"),
        "{text}"
    );
    assert_eq!(
        progress_lines(&text),
        [
            "[1/2] Test deck · new",
            "[1/2] Test deck · new",
            "[2/3] Test deck · new",
            "[3/3] Test deck · learning",
            "[2/3] Test deck · new",
            "[3/3] Test deck · learning",
        ],
        "a failed card adds a step; an undo takes one back\n{text}"
    );
    assert!(
        text.contains(
            "Undone: the previous step was taken back.\n\n[2/3] Test deck · new\nQ: Question 2?"
        ),
        "{text}"
    );
    // Again, Good, Good: the undone answer does not count.
    assert!(
        text.contains("Session: 2 cards reviewed, 3 answers, 67% correct,"),
        "{text}"
    );
}

/// Plain-mode review of deck `t` where the learner thinks `seconds[k]` before revealing
/// card k+1 and then grades it Good; each card's lines are written only once its question
/// is on screen. Stdout. It runs on the real clock: a clock stopped by `RECALL_NOW` measures
/// no thinking time (see `Clock::elapsed`), and thinking time is what this looks at.
fn review_thinking(sandbox: &Sandbox, deck: &std::path::Path, seconds: &[f64]) -> String {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let mut command = Command::new(env!("CARGO_BIN_EXE_recall"));
    command
        .env("RECALL_DB", sandbox.db())
        .env_remove("RECALL_NOW")
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .env("NO_COLOR", "1");
    for var in super::CLEARED_ENV {
        command.env_remove(var);
    }
    let mut child = command
        .arg("--decks")
        .arg(deck)
        .args(["review", "--deck", "t"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (chunks, received) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut buffer) {
            if chunks.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut text = Vec::new();
    let mut stdin = child.stdin.take().unwrap();
    for (k, pause) in seconds.iter().enumerate() {
        let question = format!("Q: Question {}?", k + 1);
        while !String::from_utf8_lossy(&text).contains(&question) {
            let chunk = received
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no {question}: {}", String::from_utf8_lossy(&text)));
            text.extend(chunk);
        }
        std::thread::sleep(Duration::from_secs_f64(*pause));
        stdin.write_all(b"\n3\n").unwrap();
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
    text.extend(received.try_iter().flatten());
    String::from_utf8(text).unwrap()
}

#[test]
fn the_summary_names_the_slowest_cards_slowest_first() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    // Card 2 takes longest, card 1 over a second, card 3 no time (under a second: not named).
    let text = review_thinking(&sandbox, &deck, &[1.2, 2.6, 0.0]);
    let slowest = text
        .lines()
        .find(|l| l.starts_with("Slowest: "))
        .unwrap_or_else(|| panic!("no slowest line:\n{text}"));
    let names: Vec<&str> = slowest["Slowest: ".len()..]
        .split("; ")
        .map(|item| item.split(" (").next().unwrap_or(item))
        .collect();
    assert_eq!(names, ["Question 2?", "Question 1?"], "{slowest}");
    let seconds: Vec<u32> = slowest
        .split(" (")
        .skip(1)
        .filter_map(|rest| rest.split(" s)").next()?.parse().ok())
        .collect();
    assert!(
        seconds.len() == 2 && seconds[0] >= 3 && seconds[1] >= 1,
        "{slowest}"
    );
}
