//! Beyond SM-2: evaluating schedulers on a real review log, and merging history across
//! devices through a shared folder.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, real_log, succeeds};

#[test]
fn evaluate_scores_sm2_and_fsrs_on_the_shared_real_log() {
    let Some(log) = real_log() else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox
        .recall("2024-10-07T00:00:00Z")
        .args(["import", "--review-log"])
        .arg(&log)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "12580 reviews of 1205 cards; 12580 added",
        ));
    // Importing it again adds nothing.
    sandbox
        .recall("2024-10-07T00:00:00Z")
        .args(["import", "--review-log"])
        .arg(&log)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 added, 12580 already present"));
    let stdout = succeeds(
        sandbox
            .recall("2024-10-07T00:00:00Z")
            .args(["evaluate", "--json"]),
    );
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let reviews = result["reviews"].as_u64().unwrap();
    assert!(
        reviews > 5000 && reviews < 12580,
        "long-term reviews only: {reviews}"
    );
    let sm2 = result["sm2"]["log_loss"].as_f64().unwrap();
    let fsrs = result["fsrs"]["log_loss"].as_f64().unwrap();
    assert!(
        fsrs < sm2,
        "FSRS predicts this learner better: {fsrs} vs {sm2}"
    );
    assert!(
        (0.3..0.7).contains(&sm2) && (0.3..0.7).contains(&fsrs),
        "{sm2} {fsrs}"
    );
    for model in ["sm2", "fsrs"] {
        let rmse = result[model]["rmse_bins"].as_f64().unwrap();
        assert!((0.0..0.3).contains(&rmse), "{model}: {rmse}");
    }
    assert!(
        result["sm2_forgetting_curve"]
            .as_str()
            .unwrap()
            .contains("0.9^(t / I)")
    );
}

#[test]
fn a_malformed_review_log_is_located() {
    let sandbox = Sandbox::new();
    let log = sandbox.file(
        "log.csv",
        "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32Z,100\n2,9,2024-03-29T20:33:00Z,100\n3,1,yesterday,5\n",
    );
    let name = log.display().to_string();
    sandbox
        .recall("2024-10-07T00:00:00Z")
        .args(["import", "--review-log"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{name}:3:1: rating `9` is not 1-4"
        )))
        .stderr(predicate::str::contains(format!(
            "{name}:4:1: time `yesterday` is not ISO 8601"
        )));
}

#[test]
fn evaluate_without_history_says_what_to_do() {
    Sandbox::new()
        .recall("2026-03-01T09:00:00Z")
        .arg("evaluate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no review to evaluate yet"));
}

/// One device: its own database, reviewing the shared deck on its own days.
struct Device {
    sandbox: Sandbox,
}

impl Device {
    fn review(&self, deck: &std::path::Path, now: &str, input: &str) {
        self.sandbox
            .recall(now)
            .arg("--decks")
            .arg(deck)
            .args(["review", "--deck", "t"])
            .write_stdin(input.to_string())
            .assert()
            .success();
    }

    fn sync(&self, dir: &std::path::Path) -> String {
        super::succeeds(
            self.sandbox
                .recall("2026-03-20T09:00:00Z")
                .arg("sync")
                .arg(dir),
        )
    }

    fn state(&self) -> (Vec<String>, Vec<String>) {
        let conn = self.sandbox.connection();
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM review ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let cards: Vec<String> = conn
            .prepare("SELECT card_id || '|' || repetitions || '|' || easiness || '|' || interval || '|' || due || '|' || lapses FROM card_state ORDER BY card_id").unwrap()
            .query_map([], |r| r.get(0)).unwrap()
            .collect::<Result<_, _>>().unwrap();
        (ids, cards)
    }
}

fn devices(n: usize, deck: &std::path::Path) -> Vec<Device> {
    let devices: Vec<Device> = (0..n)
        .map(|_| Device {
            sandbox: Sandbox::new(),
        })
        .collect();
    // Each reviews the same cards offline, on different days and with different grades.
    let plans = [
        [
            ("2026-03-01T08:00:00Z", "\n4\n\n3\n\n4\n"),
            ("2026-03-03T08:00:00Z", "\n4\n\n4\n\n1\n\n3\n"),
        ],
        [
            ("2026-03-01T09:30:00Z", "\n3\n\n4\n\n4\n"),
            ("2026-03-04T09:00:00Z", "\n1\n\n4\n\n4\n\n3\n"),
        ],
        [
            ("2026-03-02T10:00:00Z", "\n4\n\n4\n\n3\n"),
            ("2026-03-05T11:00:00Z", "\n4\n\n3\n\n4\n\n4\n"),
        ],
    ];
    for (device, plan) in devices.iter().zip(plans) {
        for (now, input) in plan {
            device.review(deck, now, input);
        }
    }
    devices
}

#[test]
fn two_devices_syncing_end_with_identical_databases() {
    let shared = Sandbox::new();
    let deck = shared.file("t.toml", &numbered_deck("t", 3));
    let dir = shared.dir.path().join("sync");
    let [a, b]: [Device; 2] = devices(2, &deck).try_into().ok().unwrap();
    let first = a.sync(&dir);
    assert!(first.contains("merged 0 from 0 other devices"), "{first}");
    b.sync(&dir);
    a.sync(&dir);
    assert_eq!(a.state(), b.state());
    assert_eq!(
        a.state().0.len(),
        a.sandbox.count("SELECT count(*) FROM review") as usize
    );
    // Syncing again changes nothing (idempotent).
    let before = a.state();
    let again = a.sync(&dir);
    assert!(again.contains("wrote 0 new entries"), "{again}");
    assert_eq!(a.state(), before);
}

#[test]
fn three_devices_syncing_in_different_orders_end_identical() {
    let shared = Sandbox::new();
    let deck = shared.file("t.toml", &numbered_deck("t", 3));
    let orders: [[usize; 3]; 2] = [[0, 1, 2], [2, 0, 1]];
    let mut finals = Vec::new();
    for order in orders {
        let dir = shared.dir.path().join(format!("sync-{}", order[0]));
        let devices = devices(3, &deck);
        let answers: i64 = devices
            .iter()
            .map(|d| d.sandbox.count("SELECT count(*) FROM review"))
            .sum();
        // Two rounds in the given order: after the first round the first devices have not
        // seen the later ones; after the second, everyone has everything.
        for _ in 0..2 {
            for &i in &order {
                devices[i].sync(&dir);
            }
        }
        let states: Vec<_> = devices.iter().map(Device::state).collect();
        assert_eq!(states[0], states[1]);
        assert_eq!(states[1], states[2]);
        assert_eq!(
            states[0].0.len() as i64,
            answers,
            "every answer of every device, once"
        );
        finals.push(states[0].1.clone());
    }
    // The projection does not depend on the order either (device ids differ between the
    // two runs, but every card's state comes out the same).
    assert_eq!(finals[0].len(), finals[1].len());
}

#[test]
fn a_damaged_sync_line_is_located_and_skipped_and_a_half_written_last_line_waits() {
    let shared = Sandbox::new();
    let deck = shared.file("t.toml", &numbered_deck("t", 3));
    let dir = shared.dir.path().join("sync");
    let [a, b]: [Device; 2] = devices(2, &deck).try_into().ok().unwrap();
    a.sync(&dir);
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}{{\"device_seq\": 99, \"id\":")).unwrap();
    let out = b.sync(&dir);
    assert!(
        out.contains("incomplete last line left for the next sync"),
        "{out}"
    );
    // A damaged line is skipped with a warning naming its file and line; the rest arrives.
    std::fs::write(&file, format!("not json\n{text}")).unwrap();
    b.sandbox
        .recall("2026-03-20T09:00:00Z")
        .arg("sync")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{}:1: damaged line skipped",
            file.display()
        )));
}

/// Issue 24: a learning step travels with `sync`. A card failed on one device is on its step
/// on the other after both sync, due at the same time, and comes back there.
#[test]
fn sync_carries_a_learning_step_to_the_other_device() {
    let shared = Sandbox::new();
    let deck = shared.file("t.toml", &numbered_deck("t", 2));
    let dir = shared.dir.path().join("sync");
    let a = Device {
        sandbox: Sandbox::with_default_steps(),
    };
    let b = Device {
        sandbox: Sandbox::with_default_steps(),
    };
    a.review(&deck, "2026-03-20T08:00:00Z", "\n1\nq\n");
    a.sync(&dir);
    b.sync(&dir);
    let step = |d: &Device| -> String {
        d.sandbox
            .connection()
            .query_row(
                "SELECT step || ' ' || step_due FROM card_state WHERE card_id = 't-1'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(step(&b), step(&a));
    assert_eq!(step(&a), "1 1773993660000", "step 1, due at 08:01");
    let status = b.sandbox.status_json("2026-03-20T09:00:00Z", &deck);
    assert_eq!(status["learning_now"], 1, "{status}");
}
