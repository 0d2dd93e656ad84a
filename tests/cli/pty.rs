//! The full-screen loop driven through a pseudo-terminal, as a person at a keyboard would.

use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

use super::{Sandbox, numbered_deck};

const NOW: &str = "2026-03-02T09:00:00Z";

fn spawn(sandbox: &Sandbox, deck: &std::path::Path) -> OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("TZ", "UTC")
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("RECALL_DECKS")
        .arg("--decks")
        .arg(deck)
        .args(["review", "--deck", "t"]);
    let mut session = Session::spawn(cmd).expect("spawn recall in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
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
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("TZ", "UTC")
        .env("TERM", "xterm-256color")
        .env_remove("RECALL_DECKS")
        .args([
            "review",
            "--deck",
            "technical-responsibilities",
            "--limit",
            "1",
        ]);
    let mut p = Session::spawn(cmd).expect("spawn recall in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
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
