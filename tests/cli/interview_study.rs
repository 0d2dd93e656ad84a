//! Interview preparation: filters, cram, mock interviews, exam dates — all in plain mode.

use predicates::prelude::*;

use super::{Sandbox, stdout_of};

const NOW: &str = "2026-03-02T09:00:00Z";

/// Twelve cards over two decks with tags and levels.
fn decks(sandbox: &Sandbox) -> std::path::PathBuf {
    let mut a = String::from("[deck]\nid = \"net\"\nname = \"Networking\"\n");
    let mut b = String::from("[deck]\nid = \"db\"\nname = \"Databases\"\n");
    for i in 1..=6 {
        let level = ["junior", "senior", "principal"][i % 3];
        a.push_str(&format!(
            "\n[[card]]\nid = \"net-{i}\"\nfront = \"Net question {i}?\"\nback = \"Net answer {i}.\"\ntags = [\"{}\"]\nlevel = \"{level}\"\nsource = \"Skills > Networking (g.md:{i})\"\n",
            if i % 2 == 0 { "http" } else { "tcp" }
        ));
        b.push_str(&format!(
            "\n[[card]]\nid = \"db-{i}\"\nfront = \"DB question {i}?\"\nback = \"DB answer {i}, with caching.\"\ntags = [\"{}\"]\nlevel = \"{level}\"\nsource = \"Skills > Databases (g.md:{})\"\n",
            if i % 2 == 0 { "indexes" } else { "transactions" },
            i + 10
        ));
    }
    sandbox.file("decks/net.toml", &a);
    sandbox.file("decks/db.toml", &b);
    sandbox.dir.path().join("decks")
}

fn run(sandbox: &Sandbox, now: &str, args: &[&str], input: &str) -> std::process::Output {
    sandbox
        .recall(now)
        .arg("--decks")
        .arg(decks(sandbox))
        .args(args)
        .write_stdin(input.to_string())
        .output()
        .unwrap()
}

fn card_ids(sandbox: &Sandbox, args: &[&str]) -> Vec<String> {
    let mut all = vec!["cards", "--json"];
    all.extend_from_slice(args);
    let out = run(sandbox, NOW, &all, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .filter(|id| id.starts_with("net-") || id.starts_with("db-"))
        .collect()
}

fn state_dump(sandbox: &Sandbox) -> Vec<Vec<Option<i64>>> {
    let conn = sandbox.connection();
    let mut stmt = conn
        .prepare("SELECT repetitions, easiness, interval, due, lapses, reviews, suspended, leech, buried_until FROM card_state ORDER BY card_id")
        .unwrap();
    stmt.query_map([], |r| (0..9).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn filters_combine_with_and_and_repeated_flags_or() {
    let sandbox = Sandbox::new();
    assert_eq!(
        card_ids(&sandbox, &["--deck", "net", "--tag", "http"]),
        ["net-2", "net-4", "net-6"]
    );
    assert_eq!(
        card_ids(
            &sandbox,
            &["--tag", "http", "--tag", "indexes", "--level", "junior"]
        ),
        ["db-6", "net-6"]
    );
    assert_eq!(
        card_ids(&sandbox, &["--level", "senior", "--deck", "db"]),
        ["db-1", "db-3", "db-4", "db-6"]
    );
    assert_eq!(
        card_ids(
            &sandbox,
            &["--search", "CACHING", "--search", "net answer 5"]
        )
        .len(),
        7
    );
    let json = run(
        &sandbox,
        NOW,
        &["cards", "--json", "--deck", "db", "--tag", "indexes"],
        "",
    );
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    for key in [
        "id", "deck", "level", "state", "due", "interval", "easiness", "lapses",
    ] {
        assert!(
            keys.iter().any(|k| *k == key),
            "{key} missing from {keys:?}"
        );
    }
}

#[test]
fn a_filter_that_matches_nothing_says_what_it_looked_for() {
    let sandbox = Sandbox::new();
    for command in ["cards", "review", "cram", "interview"] {
        let out = run(
            &sandbox,
            NOW,
            &[command, "--tag", "no-such-topic", "--level", "junior"],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no cards match tag no-such-topic, level up to junior"),
            "{command}: {err}"
        );
    }
}

#[test]
fn cram_goes_weakest_first_and_changes_no_schedule() {
    let sandbox = Sandbox::new();
    // Give net-1 a hard time and net-2 an easy one.
    let out = run(
        &sandbox,
        NOW,
        &["review", "--deck", "net", "--limit", "2"],
        "\n2\n\n4\n\n3\n",
    );
    assert!(out.status.success());
    let before = state_dump(&sandbox);
    let log_before = sandbox.count("SELECT count(*) FROM review");
    let out = run(
        &sandbox,
        "2026-03-02T10:00:00Z",
        &["cram", "--deck", "net"],
        "\n1\n\n3\n\n3\n\n3\n\n3\n\n3\n\n3\n\n3\n",
    );
    let text = stdout_of(&out);
    assert!(out.status.success(), "{text}");
    let order: Vec<&str> = text.lines().filter(|l| l.starts_with("Q: ")).collect();
    assert_eq!(
        order[0], "Q: Net question 1?",
        "lowest easiness first: {text}"
    );
    assert_eq!(order[1], "Q: Net question 2?");
    assert_eq!(
        order[2], "Q: Net question 3?",
        "then never-seen cards in deck order"
    );
    assert!(text.contains("cram"), "{text}");
    assert!(text.contains("Cram (no schedule changed)"), "{text}");
    assert_eq!(
        state_dump(&sandbox),
        before,
        "every schedule byte-identical"
    );
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review") - log_before,
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'cram'")
    );
    // Six cards; the first, graded Again, came back once more.
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'cram'"),
        7
    );
}

fn interview(sandbox: &Sandbox, extra: &[&str], input: &str) -> String {
    let mut args = vec!["interview", "--questions", "4"];
    if !extra.contains(&"--seed") {
        args.extend_from_slice(&["--seed", "11"]);
    }
    args.extend_from_slice(extra);
    let out = run(sandbox, NOW, &args, input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_of(&out)
}

const FOUR_ANSWERS: &str = "my answer\n4\nanother\n1\nthird\n3\nfourth\n2\n";

#[test]
fn a_seeded_interview_asks_the_same_questions_and_its_report_adds_up() {
    let sandbox = Sandbox::new();
    let questions = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("Q: "))
            .map(str::to_string)
            .collect()
    };
    let first = interview(&sandbox, &[], FOUR_ANSWERS);
    let second = interview(&sandbox, &[], FOUR_ANSWERS);
    assert_eq!(questions(&first).len(), 4);
    assert_eq!(questions(&first), questions(&second));
    let other = interview(&sandbox, &["--seed", "12"], FOUR_ANSWERS);
    assert_ne!(questions(&first), questions(&other));

    // Grades 4, 1, 3, 2 on the buttons: Easy, Again, Good, Hard -> 3 of 4 passed.
    assert!(
        first.contains("Interview: 3 of 4 passed, score 75%"),
        "{first}"
    );
    assert!(first.contains("Model answer: "), "{first}");
    let sum_of = |heading: &str| -> (usize, usize) {
        first
            .lines()
            .skip_while(|l| *l != heading)
            .skip(1)
            .take_while(|l| !l.is_empty())
            // A long section name wraps onto indented continuation lines.
            .filter(|l| !l.starts_with("    "))
            .map(|l| {
                let (p, a) = l.trim().split_once(' ').unwrap().0.split_once('/').unwrap();
                (p.parse::<usize>().unwrap(), a.parse::<usize>().unwrap())
            })
            .fold((0, 0), |(p, a), (q, b)| (p + q, a + b))
    };
    assert_eq!(
        sum_of("By guide section:"),
        (3, 4),
        "sections add up: {first}"
    );
    assert_eq!(sum_of("By level:"), (3, 4), "levels add up: {first}");
    assert!(
        first.contains("Weakest topics, with the cards to study:"),
        "{first}"
    );
    assert!(first.contains("Seed 11"), "{first}");
    assert_eq!(sandbox.count("SELECT count(*) FROM interview"), 3);
    assert_eq!(sandbox.count("SELECT count(*) FROM interview_answer"), 12);
}

#[test]
fn an_interview_changes_no_schedule_unless_asked_to() {
    let sandbox = Sandbox::new();
    interview(&sandbox, &[], FOUR_ANSWERS);
    assert_eq!(sandbox.count("SELECT count(*) FROM card_state"), 0);
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 0);
    let text = interview(&sandbox, &["--reschedule"], FOUR_ANSWERS);
    assert!(text.contains("also recorded as a review"), "{text}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'review'"),
        4
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM card_state"), 4);
}

#[test]
fn interview_history_lists_past_interviews_with_scores_and_dates() {
    let sandbox = Sandbox::new();
    interview(&sandbox, &[], FOUR_ANSWERS);
    // Quit after one answer: still saved, with what was answered.
    interview(&sandbox, &["--seed", "5"], "only one\n4\nq\n");
    let out = run(&sandbox, NOW, &["interview", "--history"], "");
    let text = stdout_of(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with("2026-03-02 09:00")
            && lines[1].contains("4/4")
            && lines[1].contains("75%"),
        "{text}"
    );
    assert!(
        lines[2].contains("1/4") && lines[2].contains("100%"),
        "{text}"
    );
}

#[test]
fn an_exam_date_caps_intervals_and_introduces_every_card_in_time() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.config(), "new_per_day = 1\n").unwrap();
    let exam = "2026-03-14";
    // Twelve days to go, twelve cards: at one a day some would never be seen; the exam
    // raises the pace so all are introduced by the 11th (three days before).
    for day in 2..14 {
        let now = format!("2026-03-{day:02}T09:00:00Z");
        let out = run(
            &sandbox,
            &now,
            &["review", "--deck", "net", "--deck", "db", "--until", exam],
            &"\n3\n".repeat(40),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let never_seen = 12 - sandbox.count("SELECT count(DISTINCT card_id) FROM review WHERE card_id LIKE 'net-%' OR card_id LIKE 'db-%'");
    assert_eq!(never_seen, 0, "every card introduced before the exam");
    let last_intro = sandbox
        .count("SELECT max(day) FROM review WHERE before_repetitions IS NULL AND kind = 'review'");
    let exam_day = chrono::NaiveDate::parse_from_str(exam, "%Y-%m-%d")
        .unwrap()
        .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        .num_days();
    assert!(
        last_intro <= exam_day - 3,
        "introduced by three days before"
    );
    // Every review scheduled its next one at most halfway to the exam.
    assert_eq!(
        sandbox.count(&format!(
            "SELECT count(*) FROM review WHERE kind = 'review' AND after_due - day > max(1, ({exam_day} - day) / 2)"
        )),
        0
    );
    // Each card was seen at least twice after its first review, before the exam.
    assert_eq!(
        sandbox.count("SELECT count(*) FROM (SELECT card_id FROM review WHERE kind = 'review' GROUP BY card_id HAVING count(*) < 3)"),
        0
    );
    // A rebuild replays the exam caps exactly.
    let before = state_dump(&sandbox);
    run(&sandbox, NOW, &["rebuild"], "");
    assert_eq!(state_dump(&sandbox), before);
}

#[test]
fn status_counts_down_to_the_exam() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.config(), "exam_date = 2026-03-20\n").unwrap();
    run(
        &sandbox,
        NOW,
        &["review", "--deck", "net", "--limit", "2"],
        "\n3\n\n3\n",
    );
    let out = run(&sandbox, NOW, &["status", "--json"], "");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["exam_date"], "2026-03-20");
    assert_eq!(status["days_left"], 18);
    let total = status["cards"].as_u64().unwrap();
    assert_eq!(
        status["not_learned"].as_u64().unwrap(),
        total,
        "two seen once are still learning"
    );
    run(&sandbox, NOW, &["status"], "")
        .status
        .success()
        .then_some(())
        .unwrap();
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(decks(&sandbox))
        .arg("status")
        .assert()
        .stdout(predicate::str::contains("Exam 2026-03-20: exam in 18 days"));
}
