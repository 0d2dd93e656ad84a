//! Your own memory model: `recall optimize` fits FSRS to the log, keeps the fit in the
//! database, and `evaluate`, `config show` and `rebuild` follow it.

use predicates::prelude::*;

use super::{Sandbox, real_log, stdout_of, succeeds};

const NOW: &str = "2024-10-07T00:00:00Z";

/// The same `{log_loss, rmse_bins}` up to float rounding (RMSE sums its bins in hash order).
fn assert_same_metrics(a: &serde_json::Value, b: &serde_json::Value) {
    for key in ["log_loss", "rmse_bins"] {
        let (x, y) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
        assert!((x - y).abs() < 1e-9, "{key}: {a} vs {b}");
    }
}

#[test]
fn optimize_fits_the_real_log_keeps_the_better_fit_and_evaluate_shows_three_rows() {
    let Some(log) = real_log() else { return };
    let sandbox = Sandbox::new();
    succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    let config = succeeds(sandbox.recall(NOW).args(["config", "show"]));
    assert!(
        config.contains("fsrs_parameters                 = \"default\""),
        "{config}"
    );
    let preview = |format: &[&str]| {
        let mut args = vec!["schedule", "--scheduler", "fsrs", "--grades", "4,4,3,1,4,5"];
        args.extend(format);
        succeeds(sandbox.recall(NOW).args(&args))
    };
    let default_preview = preview(&["--json"]);
    assert!(
        preview(&[]).contains("FSRS-6's default parameters"),
        "{}",
        preview(&[])
    );

    let report: serde_json::Value =
        serde_json::from_str(&succeeds(sandbox.recall(NOW).args(["optimize", "--json"]))).unwrap();
    let reviews = report["reviews"].as_u64().unwrap();
    assert!(
        (5000..12580).contains(&reviews),
        "long-term reviews: {reviews}"
    );
    let default = report["default"]["log_loss"].as_f64().unwrap();
    let optimized = report["optimized"]["log_loss"].as_f64().unwrap();
    assert_eq!(report["compared_with"], "default");
    assert!((0.3..0.6).contains(&default), "{default}");
    assert_eq!(report["kept"], optimized < default, "{report}");
    assert!(
        report["optimized"]["rmse_bins"].as_f64().unwrap()
            < report["default"]["rmse_bins"].as_f64().unwrap(),
        "fitted to this learner, FSRS's calibration improves on held-out reviews: {report}"
    );
    assert_eq!(report["parameters"].as_array().unwrap().len(), 21);

    let evaluation: serde_json::Value =
        serde_json::from_str(&succeeds(sandbox.recall(NOW).args(["evaluate", "--json"]))).unwrap();
    let own = evaluation["fsrs_optimized"]["log_loss"].as_f64().unwrap();
    let defaults = evaluation["fsrs"]["log_loss"].as_f64().unwrap();
    assert!(
        own < defaults,
        "the learner's parameters fit better: {own} vs {defaults}"
    );
    let text = succeeds(sandbox.recall(NOW).arg("evaluate"));
    assert!(text.contains("FSRS (yours)"), "{text}");

    let config = succeeds(sandbox.recall(NOW).args(["config", "show"]));
    assert!(
        config.contains("fsrs_parameters                 = \"optimized on 2024-10-06\""),
        "{config}"
    );
    // The FSRS preview follows the fit too: other stabilities, and it says whose they are.
    let own_preview = preview(&["--json"]);
    assert_ne!(own_preview, default_preview, "{own_preview}");
    let text = preview(&[]);
    assert!(
        text.contains("your FSRS parameters (optimized on 2024-10-06)"),
        "{text}"
    );
    // A rebuild keeps them: they are in the database, not in the projection.
    succeeds(sandbox.recall(NOW).arg("rebuild"));
    let again: serde_json::Value =
        serde_json::from_str(&succeeds(sandbox.recall(NOW).args(["evaluate", "--json"]))).unwrap();
    assert_same_metrics(&again["fsrs_optimized"], &evaluation["fsrs_optimized"]);

    // A second fit is judged against the parameters now in use, and says so; piped, no
    // progress bar reaches stderr. The same log gives the same fit, but judged on slices it
    // had not seen against parameters fitted on all of them, it is rejected: shown, with
    // both scores, beside the parameters kept.
    let second = sandbox
        .recall(NOW)
        .args(["optimize", "--json"])
        .output()
        .unwrap();
    assert!(second.status.success());
    assert!(
        second.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let refit: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(refit["compared_with"], "optimized on 2024-10-06", "{refit}");
    assert_eq!(refit["kept"], false, "{refit}");
    assert_eq!(
        refit["parameters"], report["parameters"],
        "the first fit stays"
    );
    assert_eq!(refit["fitted_parameters"].as_array().unwrap().len(), 21);
    for score in ["default", "optimized"] {
        assert!(refit[score]["log_loss"].is_number(), "{refit}");
        assert!(refit[score]["rmse_bins"].is_number(), "{refit}");
    }
}

#[test]
fn optimize_on_too_few_reviews_refuses_with_the_counts() {
    let sandbox = Sandbox::new();
    let mut csv = String::from("card_id,review_rating,review_time,review_duration\n");
    for card in 0..50 {
        csv.push_str(&format!(
            "{card},3,2024-03-01T10:00:{:02}Z,4000\n",
            card % 60
        ));
        csv.push_str(&format!(
            "{card},3,2024-03-03T10:00:{:02}Z,4000\n",
            card % 60
        ));
    }
    let log = sandbox.file("log.csv", &csv);
    succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    sandbox
        .recall(NOW)
        .arg("optimize")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "too few reviews to fit FSRS to: 50 long-term reviews",
        ))
        .stderr(predicate::str::contains("of the 400 needed"));
    let config = succeeds(sandbox.recall(NOW).args(["config", "show"]));
    assert!(config.contains("\"default\""), "nothing was kept: {config}");
}

/// CSV review-log rows of 300 cards answered three times each in early 2024 (600 long-term
/// reviews, enough for a fit; one answer in five is Again).
fn ordinary_cards() -> String {
    let mut csv = String::new();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for card in 0..300 {
        for (k, gap) in [0, 2, 7].iter().enumerate() {
            let at = start + chrono::Duration::days(card % 30 + gap);
            let rating = if (card + k as i64) % 5 == 0 { 1 } else { 3 };
            csv.push_str(&format!("c{card},{rating},{at}T10:00:00Z,4000\n"));
        }
    }
    csv
}

/// Bug: the newest kept fit was in use whatever its date, so a fit dated 9999-12-31 that a
/// database took in (from a sync folder, before such fits were held back) stayed in use for
/// good: a later `optimize` was judged against it, and even when it kept its own fit,
/// `config show` still named the one from 9999.
#[test]
fn a_local_fit_takes_over_from_a_stored_fit_dated_in_the_year_9999() {
    let sandbox = Sandbox::new();
    let mut csv = String::from("card_id,review_rating,review_time,review_duration\n");
    csv.push_str(&ordinary_cards());
    let log = sandbox.file("log.csv", &csv);
    succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    let far_future = chrono::DateTime::parse_from_rfc3339("9999-12-31T00:00:00Z").unwrap();
    let mut w = fsrs::DEFAULT_PARAMETERS.to_vec();
    w[2] = 90.0;
    let parameters: Vec<String> = w.iter().map(f32::to_string).collect();
    sandbox
        .connection()
        .execute(
            "INSERT INTO fsrs_parameters (id, fitted_at, day, parameters, reviews, default_log_loss,
                default_rmse_bins, optimized_log_loss, optimized_rmse_bins, kept)
             VALUES ('future', ?1, ?2, ?3, 5000, 0.45, 0.06, 0.40, 0.03, 1)",
            rusqlite::params![
                far_future.timestamp_millis(),
                far_future.date_naive().signed_duration_since(chrono::NaiveDate::default()).num_days(),
                parameters.join(","),
            ],
        )
        .unwrap();
    let shown = || succeeds(sandbox.recall(NOW).args(["config", "show"]));
    assert!(
        shown().contains("fsrs_parameters                 = \"default\""),
        "{}",
        shown()
    );
    let report: serde_json::Value =
        serde_json::from_str(&succeeds(sandbox.recall(NOW).args(["optimize", "--json"]))).unwrap();
    assert_eq!(report["compared_with"], "default", "{report}");
    assert_eq!(report["kept"], true, "{report}");
    assert!(
        shown().contains("fsrs_parameters                 = \"optimized on 2024-10-06\""),
        "{}",
        shown()
    );
}

/// Bug: `optimize` took memory quadratic in one card's answers (10,000 answers of one card:
/// 694 MB; 20,000: 2.75 GB; 100,000 reached 24 GB), while `evaluate`, `simulate` and
/// `rebuild` handled the same log. Under a 1 GiB address-space limit a log with a card
/// answered 20,000 times beside 300 ordinary ones is fitted, and the answers past the 256th
/// that FSRS trains on are said to be left out.
#[test]
fn optimize_fits_a_card_answered_twenty_thousand_times_in_bounded_memory() {
    let sandbox = Sandbox::new();
    let start = chrono::NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
    let mut csv = String::from("card_id,review_rating,review_time,review_duration\n");
    for day in 0..20_000 {
        let rating = if day % 9 == 4 { 1 } else { 3 };
        let at = start + chrono::Duration::days(day);
        csv.push_str(&format!("big,{rating},{at}T10:00:00Z,4000\n"));
    }
    csv.push_str(&ordinary_cards());
    let log = sandbox.file("log.csv", &csv);
    succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    // A shell sets the limit for recall alone; one malloc arena per thread keeps the address
    // space what the program uses, not what glibc reserves.
    let mut limited = std::process::Command::new("sh");
    limited
        .args(["-c", "ulimit -v 1048576 && exec \"$0\" optimize --json"])
        .arg(env!("CARGO_BIN_EXE_recall"))
        .env("RECALL_DB", sandbox.db())
        .env("RECALL_NOW", NOW)
        .env("RECALL_CONFIG", sandbox.config())
        .env("TZ", "UTC")
        .env("MALLOC_ARENA_MAX", "2");
    for var in super::CLEARED_ENV {
        limited.env_remove(var);
    }
    let output = limited.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["history_cap"], 256, "{report}");
    assert_eq!(report["left_out"], 20_000 - 256, "{report}");
    assert_eq!(report["reviews"], 255 + 600, "{report}");
    let text = sandbox.recall(NOW).arg("optimize").output().unwrap();
    assert!(
        stdout_of(&text).contains(
            "Left out 19744 long-term reviews of 1 card past its 256th answer: FSRS trains on histories of up to 256 answers."
        ),
        "{}",
        stdout_of(&text)
    );
}

#[test]
fn simulate_forecasts_each_retention_and_marks_the_best_for_an_exam() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("decks/t.toml", &super::numbered_deck("t", 30));
    let now = "2026-03-02T09:00:00Z";
    let rows: serde_json::Value = serde_json::from_str(&succeeds(
        sandbox.recall(now).arg("--decks").arg(&deck).args([
            "simulate",
            "--days",
            "60",
            "--retention",
            "0.8,0.9",
            "--json",
        ]),
    ))
    .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for key in [
        "retention",
        "reviews_per_day",
        "minutes_per_day",
        "remembered",
    ] {
        assert!(rows.iter().all(|r| r[key].is_number()), "{key}: {rows:?}");
    }
    let minutes = |i: usize| rows[i]["minutes_per_day"].as_f64().unwrap();
    assert!(
        minutes(1) > minutes(0),
        "aiming higher costs more time: {rows:?}"
    );
    let text = succeeds(
        sandbox
            .recall(now)
            .env("RECALL_EXAM_DATE", "2026-04-01")
            .arg("--decks")
            .arg(&deck)
            .args(["simulate", "--days", "60", "--retention", "0.8,0.9"]),
    );
    assert!(text.contains("Forecast for your"), "{text}");
    assert!(
        text.contains("* nearest to your optimal retention"),
        "{text}"
    );
    assert!(
        text.contains("! the most cards remembered on your exam day, 2026-04-01."),
        "{text}"
    );
    assert!(!text.contains('#'), "no bar chart when piped: {text}");
    sandbox
        .recall(now)
        .args(["simulate", "--retention", "0.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--retention 0.5: each desired retention must be from 0.70 to 0.99",
        ));
}

/// Bug: the studied cards went to the simulator in a hash map's order, which differs from
/// one run to the next, so the same collection gave another table each time (0.90: 65.4,
/// 66.1 and 66.4 answers a day in three runs on the real log's database).
#[test]
fn simulate_gives_the_same_table_every_run_on_a_studied_collection() {
    let sandbox = Sandbox::new();
    let mut csv = String::from("card_id,review_rating,review_time,review_duration\n");
    for card in 0..60 {
        let rating = 1 + card % 4;
        csv.push_str(&format!("{card},3,2026-01-05T10:00:00Z,4000\n"));
        csv.push_str(&format!("{card},{rating},2026-01-09T10:00:00Z,6000\n"));
    }
    let log = sandbox.file("log.csv", &csv);
    succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    let now = "2026-01-12T09:00:00Z";
    let run = || {
        succeeds(sandbox.recall(now).args([
            "simulate",
            "--days",
            "60",
            "--retention",
            "0.8,0.9",
            "--json",
        ]))
    };
    let first = run();
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
}

/// The retention `recall simulate` recommends, read from its text.
fn recommended(text: &str) -> f64 {
    let (_, rest) = text
        .split_once("nearest to your optimal retention, ")
        .unwrap_or_else(|| panic!("no recommendation: {text}"));
    rest[..4].parse().unwrap()
}

/// Held against Anki's library in the same run: on a new database with the bundled decks,
/// `simulate` runs Anki's simulation with Anki's inputs (every day of it: the cards
/// remembered and the seconds spent at each retention from 0.70 to 0.99 are Anki's own
/// "Help me decide" figures), and recommends a retention within 0.03 of the one with the most
/// knowledge per minute on Anki's curve (0.70 here for both). Bug: recall's simulation left
/// out the re-drill of a new card answered below Good, so its figures were not Anki's for the
/// same inputs (at 0.70: 498 cards in 64,750 s, Anki 493 in 70,802 s). Anki's
/// `compute_optimal_retention` says 0.937 here, and for every other collection: see
/// src/simulate.rs.
#[test]
fn simulate_recommends_the_retention_anki_s_help_me_decide_finds() {
    if !super::anki::anki_library_present(
        "simulate_recommends_the_retention_anki_s_help_me_decide_finds",
    ) {
        return;
    }
    // recall's default steps, Anki's own: 1m 10m to learn, 10m to relearn.
    let sandbox = Sandbox::with_default_steps();
    let now = "2026-03-02T09:00:00Z";
    let retentions: Vec<String> = (70..=99).map(|r| format!("0.{r}")).collect();
    let rows: serde_json::Value = serde_json::from_str(&succeeds(sandbox.recall(now).args([
        "simulate",
        "--json",
        "--retention",
        &retentions.join(","),
    ])))
    .unwrap();
    let text = succeeds(sandbox.recall(now).arg("simulate"));
    let (_, rest) = text.split_once("Forecast for your ").unwrap();
    let cards: usize = rest.split(' ').next().unwrap().parse().unwrap();
    assert!(
        cards >= 700 && text.contains("cards over 365 days"),
        "{text}"
    );
    let ours = recommended(&text);

    // recall's defaults: 20 new cards and 200 reviews a day, two learning steps and one
    // relearning step.
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anki_retention.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(format!(
            r#"{{"deck_size": {cards}, "days": 365, "new_limit": 20, "review_limit": 200,
                "learning_step_count": 2, "relearning_step_count": 1}}"#
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let anki: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for row in rows.as_array().unwrap() {
        let retention = row["retention"].as_f64().unwrap();
        let figures = &anki["workload"][format!("{}", (retention * 100.0).round())];
        let (memorized, seconds) = (figures[0].as_f64().unwrap(), figures[1].as_f64().unwrap());
        let remembered = row["remembered"].as_f64().unwrap();
        let spent = row["minutes_per_day"].as_f64().unwrap() * 365.0 * 60.0;
        assert!(
            (remembered - memorized).abs() < 0.01 && (spent - seconds).abs() < 1e-4 * seconds,
            "at {retention}: recall remembers {remembered} in {spent} s, Anki {memorized} in {seconds} s"
        );
    }
    let help_me_decide = anki["help_me_decide"].as_f64().unwrap();
    assert!(
        (ours - help_me_decide).abs() <= 0.03 + 1e-9,
        "recall recommends {ours}, Anki's Help me decide {help_me_decide} \
         (compute_optimal_retention: {})",
        anki["compute_optimal_retention"]
    );
}

#[test]
fn sync_carries_the_fitted_parameters_to_another_device() {
    let Some(log) = real_log() else { return };
    let (laptop, phone) = (Sandbox::new(), Sandbox::new());
    let folder = laptop.dir.path().join("sync");
    succeeds(
        laptop
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    succeeds(laptop.recall(NOW).arg("optimize"));
    succeeds(laptop.recall(NOW).arg("sync").arg(&folder));
    let synced = succeeds(phone.recall(NOW).arg("sync").arg(&folder));
    assert!(
        synced.contains("Merged 1 FSRS parameter fit from other devices."),
        "{synced}"
    );
    let source = |sandbox: &Sandbox| {
        succeeds(sandbox.recall(NOW).args(["config", "show"]))
            .lines()
            .find(|l| l.starts_with("fsrs_parameters"))
            .map(|l| l.split('#').next().unwrap_or_default().to_string())
            .unwrap()
    };
    assert_eq!(source(&phone), source(&laptop));
    let evaluate = |sandbox: &Sandbox| {
        serde_json::from_str::<serde_json::Value>(&succeeds(
            sandbox.recall(NOW).args(["evaluate", "--json"]),
        ))
        .unwrap()["fsrs_optimized"]
            .clone()
    };
    assert_same_metrics(&evaluate(&phone), &evaluate(&laptop));
    // Syncing again adds nothing.
    let again = succeeds(phone.recall(NOW).arg("sync").arg(&folder));
    assert!(!again.contains("FSRS parameter"), "{again}");
}

/// Due dates of deck `t`'s cards after learning all 60 on Monday 2026-03-02 and reviewing
/// them all again on Tuesday (Good both times: the next interval is 6 days, so fuzz can put
/// each on Sunday 03-08, Monday or Tuesday), with `env` set for both sessions.
fn due_after_two_days(env: &[(&str, &str)]) -> std::collections::BTreeMap<String, usize> {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("decks/t.toml", &super::numbered_deck("t", 60));
    for now in ["2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z"] {
        let mut command = sandbox.recall(now);
        command.env("RECALL_NEW_PER_DAY", "100");
        for (var, value) in env {
            command.env(var, value);
        }
        succeeds(
            command
                .arg("--decks")
                .arg(&deck)
                .args(["review", "--deck", "t"])
                .write_stdin("\n3\n".repeat(60)),
        );
    }
    let cards: serde_json::Value = serde_json::from_str(&succeeds(
        sandbox
            .recall("2026-03-03T10:00:00Z")
            .arg("--decks")
            .arg(&deck)
            .args(["cards", "--deck", "t", "--json"]),
    ))
    .unwrap();
    let mut due = std::collections::BTreeMap::new();
    for card in cards.as_array().unwrap() {
        *due.entry(card["due"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    due
}

#[test]
fn an_easy_sunday_and_load_balancing_shape_the_due_dates_a_review_sets() {
    let plain = due_after_two_days(&[("RECALL_LOAD_BALANCE", "false")]);
    assert!(
        plain["2026-03-08"] >= 12,
        "fuzz alone puts about a third on Sunday: {plain:?}"
    );
    let balanced = due_after_two_days(&[]);
    assert_eq!(
        balanced.values().copied().collect::<Vec<_>>(),
        [20, 20, 20],
        "load balancing (the default) evens out the three days: {balanced:?}"
    );
    let easy = due_after_two_days(&[("RECALL_EASY_DAYS", "sun")]);
    assert!(
        !easy.contains_key("2026-03-08"),
        "nothing moves onto the easy Sunday: {easy:?}"
    );
    assert_eq!(easy.values().sum::<usize>(), 60);
}

/// Bugs: clap read `--retention -1` as an unknown flag ("unexpected argument"), hiding the
/// range check; and `--retention 0.9,0.9` forecast and printed the same row twice.
#[test]
fn simulate_range_checks_a_negative_retention_and_forecasts_a_repeated_one_once() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("decks/t.toml", &super::numbered_deck("t", 5));
    for bad in ["-1", "-0.9", "0.9,-1"] {
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["simulate", "--days", "5", "--retention", bad])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("-1: each desired retention must be from 0.70 to 0.99")
                    .or(predicate::str::contains(
                        "-0.9: each desired retention must be from 0.70 to 0.99",
                    )),
            )
            .stderr(predicate::str::contains("unexpected argument").not());
    }
    let json: serde_json::Value = serde_json::from_str(&succeeds(
        sandbox.recall(NOW).arg("--decks").arg(&deck).args([
            "simulate",
            "--days",
            "5",
            "--retention",
            "0.9,0.85,0.90",
            "--json",
        ]),
    ))
    .unwrap();
    let rows: Vec<f64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["retention"].as_f64().unwrap())
        .collect();
    assert_eq!(
        rows,
        [0.9, 0.85],
        "one row per retention, in the order given"
    );
}
