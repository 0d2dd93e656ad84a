//! FSRS beside SM-2: switching replays the log and switching back restores the state exactly.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, succeeds};

fn projection(sandbox: &Sandbox) -> Vec<(String, i64, i64)> {
    sandbox
        .connection()
        .prepare("SELECT card_id, interval, due FROM card_state ORDER BY card_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn switching_scheduler_replays_the_log_and_switching_back_restores_it() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 4));
    for (now, input) in [
        ("2026-03-01T09:00:00Z", "\n4\n\n3\n\n4\n\n1\n\n3\n"),
        ("2026-03-02T09:00:00Z", "\n4\n\n4\n\n3\n\n4\n"),
        ("2026-03-09T09:00:00Z", "\n4\n\n4\n\n4\n\n4\n"),
    ] {
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--deck", "t"])
            .write_stdin(input)
            .assert()
            .success();
    }
    let sm2 = projection(&sandbox);
    sandbox
        .recall("2026-03-09T10:00:00Z")
        .env("RECALL_SCHEDULER", "fsrs")
        .arg("status")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "now scheduling with FSRS (desired retention 90%): replayed the review log for 4 cards",
        ));
    let fsrs = projection(&sandbox);
    assert_ne!(fsrs, sm2, "FSRS schedules differently");
    // Back to SM-2: exactly the old state.
    sandbox
        .recall("2026-03-09T10:00:00Z")
        .arg("status")
        .assert()
        .success()
        .stderr(predicate::str::contains("now scheduling with SM-2"));
    assert_eq!(projection(&sandbox), sm2);
    // And --scheduler on review does the same for that session.
    sandbox
        .recall("2026-03-09T10:00:00Z")
        .arg("--decks")
        .arg(&deck)
        .args(["review", "--deck", "t", "--scheduler", "fsrs"])
        .write_stdin("q\n")
        .assert()
        .success();
    assert_eq!(projection(&sandbox), fsrs);
}

#[test]
fn schedule_shows_fsrs_intervals() {
    let out = Sandbox::new()
        .recall("2026-03-01T09:00:00Z")
        .args([
            "schedule",
            "--scheduler",
            "fsrs",
            "--grades",
            "4,4,3,5",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = rows[0].as_object().unwrap();
    let keys: Vec<&String> = first.keys().collect();
    assert_eq!(keys, ["difficulty", "grade", "interval", "stability"]);
    // FSRS-6 defaults: Good on a new card gives stability 2.3065 and a 2-day interval.
    assert_eq!(rows[0]["stability"], 2.3065);
    assert_eq!(rows[0]["interval"], 2);
    let intervals: Vec<u64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["interval"].as_u64().unwrap())
        .collect();
    assert!(intervals.windows(2).all(|w| w[1] > w[0]), "{intervals:?}");
}

#[test]
fn a_bad_desired_retention_says_what_is_allowed() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.config(),
        "scheduler = \"fsrs\"\ndesired_retention = 1.5\n",
    )
    .unwrap();
    sandbox
        .recall("2026-03-01T09:00:00Z")
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`desired_retention` must be a number from 0.70 to 0.99, not `1.5`",
        ));
}

/// Issue 24: `schedule --scheduler fsrs --days` counts same-day answers as FSRS-6 does. The
/// issue's history "day 0: Again, Again, Again, Good · day 1: Good · day 5: Again, Hard · day
/// 7: Good" ends at stability 0.629 and a 1-day interval (fsrs-rs; ignoring same-day answers
/// gave 2.125 and 2 days). Days that go back, or one too few, are usage errors.
#[test]
fn schedule_counts_same_day_answers_under_fsrs_with_days() {
    let sandbox = Sandbox::new();
    let out = succeeds(sandbox.recall("2026-03-01T09:00:00Z").args([
        "schedule",
        "--scheduler",
        "fsrs",
        "--grades",
        "1,1,1,4,4,1,3,4",
        "--days",
        "0,0,0,0,1,5,5,7",
        "--json",
    ]));
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let last = &rows[7];
    let stability = last["stability"].as_f64().unwrap();
    assert!((stability - 0.629).abs() < 0.001, "{last}");
    assert_eq!(last["interval"], 1);
    for (days, message) in [
        ("0,0,1", "--days gives 3 days for 8 grades"),
        ("0,0,0,0,1,5,4,7", "--days must never decrease"),
    ] {
        sandbox
            .recall("2026-03-01T09:00:00Z")
            .args([
                "schedule",
                "--scheduler",
                "fsrs",
                "--grades",
                "1,1,1,4,4,1,3,4",
                "--days",
                days,
            ])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}
