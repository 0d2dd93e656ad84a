//! The full-screen loop driven through a pseudo-terminal, as a person at a keyboard would.

use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

use super::{Sandbox, numbered_deck};

const NOW: &str = "2026-03-02T09:00:00Z";

/// `recall ARGS` in a pseudo-terminal with the sandbox's database and config, colour allowed.
fn spawn_args(sandbox: &Sandbox, args: &[&str]) -> OsSession {
    spawn_at(sandbox, NOW, args)
}

/// `recall ARGS` in a pseudo-terminal with the clock at `now`.
fn spawn_at(sandbox: &Sandbox, now: &str, args: &[&str]) -> OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", now)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .args(args);
    for var in super::CLEARED_ENV {
        cmd.env_remove(var);
    }
    let mut session = Session::spawn(cmd).expect("spawn recall in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn spawn(sandbox: &Sandbox, deck: &std::path::Path) -> OsSession {
    let deck = deck.display().to_string();
    spawn_args(sandbox, &["--decks", &deck, "review", "--deck", "t"])
}

#[test]
fn reveal_grade_undo_and_quit_in_the_full_screen_loop() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let mut p = spawn(&sandbox, &deck);
    p.expect("Question 1?").unwrap();
    p.expect("Space/Enter reveal").unwrap();
    p.send(" ").unwrap();
    p.expect("Answer 1.").unwrap();
    p.send("3").unwrap(); // Good
    p.expect("Question 2?").unwrap();
    p.send("\r").unwrap();
    p.expect("Answer 2.").unwrap();
    p.send("1").unwrap(); // Again: re-drilled later
    p.expect("Question 3?").unwrap();
    p.send("u").unwrap(); // take back the Again
    p.expect("Question 2?").unwrap();
    p.expect("Undone").unwrap();
    p.send(" ").unwrap();
    p.expect("Answer 2.").unwrap();
    p.send("4").unwrap(); // Easy
    p.expect("Question 3?").unwrap();
    p.send("q").unwrap();
    p.expect("Session: 2 cards reviewed").unwrap();
    let rest = p.expect(Eof).unwrap();
    let tail = String::from_utf8_lossy(rest.get(0).unwrap_or_default());
    assert!(tail.contains("Next card due"), "{tail}");

    let kinds: Vec<(String, String, Option<i64>)> = {
        let conn = sandbox.connection();
        let mut stmt = conn
            .prepare("SELECT card_id, kind, grade FROM review ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        kinds,
        [
            ("t-1".to_string(), "review".to_string(), Some(4)),
            ("t-2".to_string(), "review".to_string(), Some(1)),
            ("t-2".to_string(), "undo".to_string(), None),
            ("t-2".to_string(), "review".to_string(), Some(5)),
        ]
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM card_state"), 2);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let mut p = spawn(&sandbox, &deck);
    p.expect("Question 1?").unwrap();
    p.send(" ").unwrap();
    p.expect("Answer 1.").unwrap();
    p.send("\x03").unwrap();
    let rest = p.expect(Eof).unwrap();
    let tail = String::from_utf8_lossy(rest.get(0).unwrap_or_default()).into_owned();
    // Leaves the alternate screen and shows the cursor again before the summary.
    assert!(tail.contains("\x1b[?1049l"), "{tail:?}");
    assert!(tail.contains("\x1b[?25h"), "{tail:?}");
    assert!(tail.contains("No cards answered this session."), "{tail:?}");
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 0);
}

#[test]
fn g_shows_the_guide_passage_and_returns_to_the_card() {
    let sandbox = Sandbox::new();
    let mut p = spawn_args(
        &sandbox,
        &[
            "review",
            "--deck",
            "technical-responsibilities",
            "--limit",
            "1",
        ],
    );
    p.expect("Technical Responsibilities · new").unwrap();
    p.send("g").unwrap();
    p.expect("guide passage").unwrap();
    p.expect("Backend Engineer's Responsibilities > Technical Responsibilities")
        .unwrap();
    p.expect("Understand software quality attributes").unwrap();
    p.expect("back to the card").unwrap();
    p.send("g").unwrap();
    p.expect("Space/Enter reveal").unwrap();
    p.send("q").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 0);
}

#[test]
fn skip_suspend_and_undo_them_in_the_full_screen_loop() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let mut p = spawn(&sandbox, &deck);
    p.expect("Question 1?").unwrap();
    p.send("s").unwrap();
    p.expect("Question 2?").unwrap();
    p.expect("Skipped until tomorrow").unwrap();
    p.send("!").unwrap();
    p.expect("Question 3?").unwrap();
    p.expect("Suspended").unwrap();
    p.send("u").unwrap();
    p.expect("Question 2?").unwrap();
    p.send("q").unwrap();
    p.expect(Eof).unwrap();
    let kinds: Vec<String> = {
        let conn = sandbox.connection();
        let mut stmt = conn
            .prepare("SELECT kind FROM review ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(kinds, ["skip", "suspend", "undo"]);
    assert_eq!(
        sandbox.count("SELECT count(*) FROM card_state WHERE suspended = 1"),
        0
    );
    assert_eq!(
        sandbox.count("SELECT count(*) FROM card_state WHERE buried_until IS NOT NULL"),
        1
    );
}

#[test]
fn typed_answers_in_the_full_screen_loop() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let deck = deck.display().to_string();
    let mut p = spawn_args(
        &sandbox,
        &["--decks", &deck, "review", "--deck", "t", "--type"],
    );
    p.expect("Question 1?").unwrap();
    p.expect("type your answer").unwrap();
    p.send("answer 1 q").unwrap(); // `q` is typed, not quit
    p.expect("Your answer: answer 1 q").unwrap();
    p.send("\r").unwrap();
    p.expect("Answer 1.").unwrap();
    p.expect("suggested: Good").unwrap();
    p.send("\r").unwrap(); // accept Good
    p.expect("Question 2?").unwrap();
    p.send("\x1b").unwrap(); // Esc quits while typing
    p.expect(Eof).unwrap();
    assert_eq!(sandbox.count("SELECT grade FROM review"), 4);
}

#[test]
fn colour_is_used_on_a_terminal_unless_turned_off() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    let deck = deck.display().to_string();
    let screen = |extra: &[&str]| -> String {
        let mut args = vec!["--decks", deck.as_str()];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["review", "--deck", "t"]);
        let mut p = spawn_args(&sandbox, &args);
        let seen = p.expect("Space/Enter reveal").unwrap();
        let text = String::from_utf8_lossy(seen.before()).into_owned();
        p.send("q").unwrap();
        p.expect(Eof).unwrap();
        text
    };
    // SetForegroundColor: ESC [ 38 ; 5 ; n m (crossterm's ANSI colours).
    assert!(
        screen(&[]).contains("\x1b[38;5;"),
        "colour by default on a terminal"
    );
    assert!(!screen(&["--colour", "never"]).contains("\x1b[38;5;"));
    std::fs::write(sandbox.config(), "colour = \"never\"\n").unwrap();
    assert!(!screen(&[]).contains("\x1b[38;5;"));
}

#[test]
fn a_mock_interview_counts_down_and_shows_both_answers() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let deck = deck.display().to_string();
    let mut p = spawn_args(
        &sandbox,
        &[
            "--decks",
            &deck,
            "interview",
            "--deck",
            "t",
            "--questions",
            "2",
            "--seed",
            "1",
        ],
    );
    p.expect("2:59 left · mock interview · question 1/2")
        .unwrap();
    p.send("my guess").unwrap();
    p.expect("Your answer: my guess").unwrap();
    p.send("\r").unwrap();
    p.expect("Model answer").unwrap();
    p.expect("grade yourself").unwrap();
    p.send("3").unwrap();
    p.expect("question 2/2").unwrap();
    p.send("\r").unwrap();
    p.expect("grade yourself").unwrap();
    p.send("1").unwrap();
    p.expect("Interview: 1 of 2 passed, score 50%").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(sandbox.count("SELECT count(*) FROM interview_answer"), 2);
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review"),
        0,
        "no schedule touched"
    );
}

/// `recall ARGS` in a pseudo-terminal 40 columns wide and 20 rows high.
fn spawn_narrow(sandbox: &Sandbox, args: &[&str]) -> OsSession {
    let mut p = spawn_args(sandbox, args);
    p.get_process_mut()
        .set_window_size(40, 20)
        .expect("resize the pty");
    p
}

/// The exit status of a session that has ended.
fn exit_code(p: &OsSession) -> i32 {
    match p.get_process().wait().expect("wait for recall") {
        expectrl::process::unix::WaitStatus::Exited(_, code) => code,
        other => panic!("recall did not exit: {other:?}"),
    }
}

/// The printable text written after the full screen was left (the summary or report), escape
/// sequences dropped.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.rsplit("\x1b[?1049l").next().unwrap_or_default();
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ params final-byte; others: ESC and one character.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

#[test]
fn ctrl_c_exits_130_in_the_full_screen_loop_as_in_plain_mode() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let mut p = spawn(&sandbox, &deck);
    p.expect("Question 1?").unwrap();
    p.send(" ").unwrap();
    p.expect("Answer 1.").unwrap();
    p.send("3").unwrap();
    p.expect("Question 2?").unwrap();
    p.send("\x03").unwrap();
    let rest = p.expect(Eof).unwrap();
    let tail = printable(rest.get(0).unwrap_or_default());
    assert!(tail.contains("Session: 1 card reviewed"), "{tail}");
    assert!(
        tail.contains("recall: interrupted (Ctrl-C); every answer given is saved"),
        "{tail}"
    );
    assert_eq!(exit_code(&p), 130);
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);
}

#[test]
fn at_40_columns_the_review_keeps_every_key_names_a_suspended_card_and_wraps_the_summary() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let deck = deck.display().to_string();
    let mut p = spawn_narrow(
        &sandbox,
        &["--decks", &deck, "review", "--deck", "t", "--type"],
    );
    p.expect("Question 1?").unwrap();
    p.send("answer 1\r").unwrap();
    p.expect("Answer 1.").unwrap();
    // The accept key and the grades, each with its interval, no longer fit one line: they
    // wrap, never cut.
    p.expect("Enter: Good · 1 Again 1d · 2 Hard 1d").unwrap();
    p.expect("3 Good 1d · 4 Easy 1d · s skip").unwrap();
    p.expect("u undo · q quit").unwrap();
    p.send("\r").unwrap();
    p.expect("Question 2?").unwrap();
    p.send("\x1b").unwrap();
    let rest = p.expect(Eof).unwrap();
    let tail = printable(rest.get(0).unwrap_or_default());
    let summary: Vec<&str> = tail
        .lines()
        .skip_while(|l| !l.contains("Session:"))
        .collect();
    assert!(summary.len() >= 2, "{tail}");
    for line in &summary {
        assert!(line.chars().count() <= 40, "{line:?} in {tail}");
    }
    assert!(
        summary[0].starts_with("Session: 1 card reviewed, 1 answer,"),
        "{tail}"
    );

    // Suspending names the card.
    let mut p = spawn_narrow(&sandbox, &["--decks", &deck, "review", "--deck", "t"]);
    p.expect("Question 2?").unwrap();
    p.send("!").unwrap();
    p.expect("Suspended t-2;").unwrap();
    p.send("q").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn at_40_columns_the_interview_keeps_its_keys_and_count_and_wraps_its_report() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let deck = deck.display().to_string();
    let mut p = spawn_narrow(
        &sandbox,
        &[
            "--decks",
            &deck,
            "interview",
            "--deck",
            "t",
            "--questions",
            "3",
            "--seed",
            "1",
        ],
    );
    p.expect("question 1/3").unwrap();
    p.expect("Esc ends the interview").unwrap();
    p.send("a guess\r").unwrap();
    p.expect("1 Again · 2 Hard").unwrap();
    p.expect("3 Good · 4 Easy").unwrap();
    p.send("4").unwrap();
    p.expect("question 2/3").unwrap();
    p.send("\x1b").unwrap(); // ends the interview early
    let rest = p.expect(Eof).unwrap();
    let report = printable(rest.get(0).unwrap_or_default());
    assert!(
        report.contains("Ended early: 1 of 3 questions answered."),
        "{report}"
    );
    let lines: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.contains("Interview:"))
        .collect();
    assert!(lines.len() > 5, "{report}");
    for line in &lines {
        assert!(line.chars().count() <= 40, "{line:?} in {report}");
    }
    assert_eq!(exit_code(&p), 0);
}

/// The shortest limit is a minute, so this test waits one out.
#[test]
fn when_the_time_runs_out_the_interview_says_times_up_and_the_report_shows_it() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let deck = deck.display().to_string();
    let mut p = spawn_narrow(
        &sandbox,
        &[
            "--decks",
            &deck,
            "interview",
            "--deck",
            "t",
            "--questions",
            "1",
            "--minutes-per-question",
            "1",
            "--seed",
            "1",
        ],
    );
    p.expect("0:59 left").unwrap();
    p.send("half an ans").unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(90)));
    p.expect("Time's up: your answer was submitted").unwrap();
    p.expect("half an ans").unwrap();
    p.send("2").unwrap();
    let rest = p.expect(Eof).unwrap();
    let report = printable(rest.get(0).unwrap_or_default());
    // The words, whatever lines the 40 columns wrapped them onto.
    let words = report.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Time's up on 1 question"), "{report}");
    assert!(words.contains("Question 1? (time's up)"), "{report}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM interview_answer WHERE over_time = 1"),
        1
    );
}

/// On a terminal, an import that would change the text of cards the learner has lists them and
/// asks; "n" writes nothing, "y" replaces them.
#[test]
fn an_import_that_changes_card_text_asks_first_on_a_terminal() {
    let sandbox = Sandbox::new();
    let csv = |back: &str| {
        sandbox.file(
            "shared.csv",
            &format!("front,back,deck,tags,id\nWhat is a TTL?,{back},x,,s-1\n"),
        )
    };
    let path = csv("How long to cache.").display().to_string();
    let mut p = spawn_args(&sandbox, &["import", &path]);
    p.expect("1 added").unwrap();
    p.expect(Eof).unwrap();
    // The deck column names the deck: `x`.
    let deck = sandbox.dir.path().join("data/decks/x.toml");
    let before = std::fs::read_to_string(&deck).unwrap();

    csv("Time to live: how long resolvers may cache.");
    let mut p = spawn_args(&sandbox, &["import", &path]);
    p.expect("s-1: How long to cache. → Time to live: how long resolvers may cache.")
        .unwrap();
    p.expect("Replace them? [y/N]").unwrap();
    p.send("n\r").unwrap();
    p.expect("Nothing was written.").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(std::fs::read_to_string(&deck).unwrap(), before);

    let mut p = spawn_args(&sandbox, &["import", &path]);
    p.expect("Replace them? [y/N]").unwrap();
    p.send("y\r").unwrap();
    p.expect("0 added, 1 updated").unwrap();
    p.expect(Eof).unwrap();
    assert!(
        std::fs::read_to_string(&deck)
            .unwrap()
            .contains("Time to live")
    );
}

/// Issue 24 in a real terminal, at 100 and at 40 columns: each grade key shows its interval,
/// a failed card comes back after its step (also in the next session, twenty minutes after
/// quitting), and a sibling of the card just answered is never next.
#[test]
fn steps_intervals_and_siblings_in_the_full_screen_loop_at_100_and_40_columns() {
    for columns in [100, 40] {
        let sandbox = Sandbox::with_default_steps();
        let mut text = numbered_deck("t", 1);
        for (k, item) in ["Alpha", "Beta"].iter().enumerate() {
            text.push_str(&format!(
                "\n[[card]]\nid = \"list-{k}\"\nfront = \"Letters: {item} [...]\"\nback = \"{item}\"\nsource = \"Letters (g.md:7)\"\n"
            ));
        }
        let deck = sandbox.file("t.toml", &text).display().to_string();
        let args = ["--decks", deck.as_str(), "review", "--deck", "t"];
        let mut p = spawn_args(&sandbox, &args);
        p.get_process_mut()
            .set_window_size(columns, 24)
            .expect("resize the pty");
        p.expect("Question 1?").unwrap();
        p.send(" ").unwrap();
        p.expect("1 Again 1m").unwrap();
        p.expect("3 Good 10m").unwrap();
        p.send("1").unwrap(); // Again: onto the one-minute step
        p.expect("Alpha").unwrap();
        p.send(" ").unwrap();
        p.send("3").unwrap(); // Good: onto the ten-minute step
        // Nothing else is left (Beta waits for tomorrow): the failed card, early.
        p.expect("learning").unwrap();
        p.expect("Question 1?").unwrap();
        p.send("q").unwrap();
        let rest = printable(p.expect(Eof).unwrap().get(0).unwrap_or_default());
        assert!(
            rest.contains("Left today: 2 cards on a learning step"),
            "{rest}"
        );
        assert!(!rest.contains("Beta"), "{rest}");
        // Twenty minutes later, in a new session: both learning cards, never Beta.
        let mut p = spawn_at(&sandbox, "2026-03-02T09:20:00Z", &args);
        p.get_process_mut()
            .set_window_size(columns, 24)
            .expect("resize the pty");
        p.expect("learning 2").unwrap();
        p.expect("Question 1?").unwrap();
        p.send("q").unwrap();
        let rest = printable(p.expect(Eof).unwrap().get(0).unwrap_or_default());
        assert!(!rest.contains("Beta"), "{rest}");
        assert_eq!(
            sandbox.count("SELECT count(*) FROM review WHERE card_id = 'list-1'"),
            0
        );
    }
}
