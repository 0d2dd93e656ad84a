//! Daily-review details: config, skip and suspend, leeches, typed answers, the day boundary
//! across time zones, the backlog.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, stdout_of, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

// ---- config ----

#[test]
fn config_path_follows_recall_config_and_defaults_to_the_platform_directory() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!("{}\n", sandbox.config().display()));
    sandbox
        .recall(NOW)
        .env_remove("RECALL_CONFIG")
        .env("HOME", sandbox.dir.path())
        .env_remove("XDG_CONFIG_HOME")
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!(
            "{}/.config/recall/config.toml\n",
            sandbox.dir.path().display()
        ));
}

#[test]
fn config_show_says_where_each_value_came_from() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.config(), "new_per_day = 5\ngrading = \"scale\"\n").unwrap();
    let out = sandbox
        .recall(NOW)
        .env("RECALL_REVIEWS_PER_DAY", "50")
        .args(["--colour", "always", "--decks", "/tmp/x", "config", "show"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let file = sandbox.config().display().to_string();
    // Columns as wide as the longest key (`bury_interday_learning_siblings`) and value (`["1m", "10m"]`,
    // the default `learning_steps`).
    let line =
        |key: &str, value: &str, origin: &str| format!("{key:<31} = {value:<13}  # {origin}");
    for line in [
        line("new_per_day", "5", &format!("file {file}")),
        line(
            "reviews_per_day",
            "50",
            "environment RECALL_REVIEWS_PER_DAY",
        ),
        line("day_start_hour", "4", "default"),
        line("grading", "\"scale\"", &format!("file {file}")),
        line("deck_dirs", "\"/tmp/x\"", "flag --decks"),
        line("colour", "\"always\"", "flag --colour"),
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
}

#[test]
fn config_show_stays_in_columns_with_a_long_deck_path() {
    let sandbox = Sandbox::new();
    let long = "/srv/shared/team-decks/backend-engineering/interview-preparation";
    let text = super::succeeds(
        sandbox
            .recall(NOW)
            .args(["--decks", long, "config", "show"]),
    );
    let columns = |c: char| -> Vec<usize> { text.lines().map(|l| l.find(c).unwrap()).collect() };
    let equals = columns('=');
    let hashes = columns('#');
    assert!(equals.iter().all(|&c| c == equals[0]), "{text}");
    assert!(hashes.iter().all(|&c| c == hashes[0]), "{text}");
    assert!(text.contains(long), "{text}");
}

#[test]
fn a_bad_config_file_is_located_with_the_key_and_the_allowed_values() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.config(),
        "new_per_day = 10\nnew_ordr = \"random\"\ncolour = \"sometimes\"\n",
    )
    .unwrap();
    let file = sandbox.config().display().to_string();
    sandbox
        .recall(NOW)
        .arg("status")
        .assert()
        .code(2)
        .stderr(format!(
            "recall: {file}:2:1: unknown key `new_ordr` (did you mean `new_order`? Keys are: new_per_day, reviews_per_day, day_start_hour, grading, new_order, deck_dirs, colour, exam_date, scheduler, desired_retention, load_balance, easy_days, learning_steps, relearning_steps, bury_new_siblings, bury_review_siblings, bury_interday_learning_siblings)\n\
             recall: {file}:3:10: `colour` must be \"auto\" or \"always\" or \"never\", not `sometimes`\n"
        ));
    assert!(!sandbox.db().exists(), "a bad config writes nothing");
    // The path is still there to find the file.
    sandbox
        .recall(NOW)
        .args(["config", "path"])
        .assert()
        .success();
}

#[test]
fn new_per_day_and_reviews_per_day_limit_the_session() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 10));
    std::fs::write(
        sandbox.config(),
        "new_per_day = 3\nreviews_per_day = 2\nlearning_steps = []\n",
    )
    .unwrap();
    assert_eq!(sandbox.status_json(NOW, &deck)["new"], 3);
    sandbox.review_t(NOW, &deck, &[], &"\n3\n".repeat(3));
    let next_day = "2026-03-03T09:00:00Z";
    let s = sandbox.status_json(next_day, &deck);
    assert_eq!((s["due"].as_u64(), s["new"].as_u64()), (Some(3), Some(3)));
    let text = sandbox.review_t(next_day, &deck, &[], "q\n");
    assert!(
        text.contains("Today's session: 2 due, 3 new; 1 more due card waits for later days"),
        "{text}"
    );
}

#[test]
fn day_start_hour_moves_the_study_day_boundary() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    sandbox.review_t(NOW, &deck, &[], "\n3\n");
    // 05:00 next morning: with the default 04:00 start it is the next day (card due)…
    assert_eq!(sandbox.status_json("2026-03-03T05:00:00Z", &deck)["due"], 1);
    // …with a 06:00 start it is still the same study day.
    std::fs::write(sandbox.config(), "day_start_hour = 6\n").unwrap();
    assert_eq!(sandbox.status_json("2026-03-03T05:00:00Z", &deck)["due"], 0);
}

#[test]
fn the_scale_grading_takes_sm2_grades_0_to_5() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    std::fs::write(
        sandbox.config(),
        "grading = \"scale\"\nlearning_steps = [\"1m\"]\n",
    )
    .unwrap();
    let text = sandbox.review_t(NOW, &deck, &[], "\n5\n\n0\n\n4\n");
    // Each of SM-2's six grades with the interval it gives.
    assert!(
        text.contains("Grade 0 1m, 1 1m, 2 1m, 3 1m, 4 1d, 5 1d"),
        "{text}"
    );
    let grades: Vec<i64> = {
        let conn = sandbox.connection();
        let mut stmt = conn
            .prepare("SELECT grade FROM review ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(grades, [5, 0, 4], "the blackout came back as a re-drill");
}

#[test]
fn random_new_order_shuffles_the_same_way_all_day() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 12));
    std::fs::write(sandbox.config(), "new_order = \"random\"\n").unwrap();
    let first = sandbox.review_t(NOW, &deck, &[], "q\n");
    let again = sandbox.review_t("2026-03-02T10:00:00Z", &deck, &[], "q\n");
    let question = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Q: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(question(&first), question(&again));
    let days: std::collections::HashSet<String> = (3..=9)
        .map(|d| {
            question(&sandbox.review_t(&format!("2026-03-{d:02}T09:00:00Z"), &deck, &[], "q\n"))
        })
        .collect();
    assert!(
        days.len() > 1,
        "the order changes from day to day: {days:?}"
    );
}

#[test]
fn deck_dirs_in_the_config_load_decks() {
    let sandbox = Sandbox::new();
    sandbox.file("mine/t.toml", &numbered_deck("t", 4));
    std::fs::write(
        sandbox.config(),
        format!(
            "deck_dirs = [{:?}]\n",
            sandbox.dir.path().join("mine").display().to_string()
        ),
    )
    .unwrap();
    sandbox
        .recall(NOW)
        .args(["review", "--deck", "t"])
        .write_stdin("q\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Q: Question 1?"));
}

// ---- skip, suspend, leeches ----

#[test]
fn s_skips_a_card_until_the_next_study_day() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let text = sandbox.review_t(NOW, &deck, &[], "\ns\n\n3\n");
    assert!(text.contains("Skipped until tomorrow."), "{text}");
    let later = sandbox.review_t("2026-03-02T20:00:00Z", &deck, &[], "q\n");
    assert!(later.contains("Nothing to review now"), "{later}");
    // Tomorrow the skipped card is back (still new), after the card reviewed today.
    let tomorrow = sandbox.review_t("2026-03-03T09:00:00Z", &deck, &[], "\n3\nq\n");
    assert!(
        tomorrow.contains("Today's session: 1 due, 1 new."),
        "{tomorrow}"
    );
    assert!(tomorrow.contains("Q: Question 1?"), "{tomorrow}");
}

#[test]
fn bang_suspends_and_recall_unsuspend_brings_the_card_back() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    sandbox.review_t(NOW, &deck, &[], "\n!\nq\n");
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["cards", "--suspended"])
        .assert()
        .success()
        .stdout(predicate::str::contains("t-1").and(predicate::str::contains("suspended")))
        .stdout(predicate::str::contains("t-2").not());
    let later = sandbox.review_t("2026-03-09T09:00:00Z", &deck, &[], "q\n");
    assert!(!later.contains("Question 1?"), "{later}");
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["unsuspend", "t-1"])
        .assert()
        .success()
        .stdout("t-1: unsuspended\n");
    let back = sandbox.review_t("2026-03-09T09:00:00Z", &deck, &[], "q\n");
    assert!(back.contains("Q: Question 1?"), "{back}");
}

#[test]
fn suspend_from_the_command_line_and_unknown_ids_get_a_suggestion() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["suspend", "t-2"])
        .assert()
        .success()
        .stdout("t-2: suspended\n");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'suspend'"),
        1
    );
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["suspend", "t-3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no card with id `t-3`; did you mean",
        ));
}

#[test]
fn undo_takes_back_a_skip_and_a_suspend() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    // Skip card 1, suspend card 2, then undo twice: card 1 is current again.
    let text = sandbox.review_t(NOW, &deck, &[], "\ns\n\n!\n\nu\n\nu\n\n3\nq\n");
    assert_eq!(text.matches("Q: Question 1?").count(), 2, "{text}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'undo'"),
        2
    );
    assert_eq!(
        sandbox.count(
            "SELECT count(*) FROM card_state WHERE suspended = 1 OR buried_until IS NOT NULL"
        ),
        0
    );
}

#[test]
fn a_card_failed_eight_times_becomes_a_suspended_leech() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    for day in 1..=8 {
        // Again, then Good on the re-drill so the session ends.
        let text = sandbox.review_t(
            &format!("2026-04-{day:02}T09:00:00Z"),
            &deck,
            &[],
            "\n1\n\n3\n",
        );
        assert_eq!(
            text.contains("Leech suspended"),
            day == 8,
            "day {day}: {text}"
        );
        if day == 8 {
            assert!(
                !text.contains("re-drill"),
                "a leech is not re-drilled: {text}"
            );
        }
    }
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .arg("leeches")
        .assert()
        .success()
        .stdout(predicate::str::contains("t-1  8 lapses, suspended"));
    let later = sandbox.review_t("2026-04-20T09:00:00Z", &deck, &[], "q\n");
    assert!(later.contains("Nothing to review now"), "{later}");
}

// ---- typed answers ----

#[test]
fn typed_mode_compares_the_answer_and_enter_accepts_the_suggestion() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "t.toml",
        "[deck]\nid = \"t\"\nname = \"T\"\n\n[[card]]\nid = \"t-1\"\nfront = \"Cache-aside?\"\nback = \"The app reads the cache.\"\n\n[[card]]\nid = \"t-2\"\nfront = \"Two?\"\nback = \"Two words\"\n",
    );
    let text = sandbox.review_t(
        NOW,
        &deck,
        &["--type"],
        "the APP writes the cache\n\nnothing\n4\n",
    );
    assert!(
        text.contains("Compared: The app [-writes] [+reads] the cache."),
        "{text}"
    );
    assert!(
        text.contains("80% of the answer's words; suggested grade: Hard (Enter accepts)"),
        "{text}"
    );
    let grades: Vec<i64> = {
        let conn = sandbox.connection();
        let mut stmt = conn
            .prepare("SELECT grade FROM review ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        grades,
        [3, 5],
        "Enter took Hard; 4 overrode the suggested Again with Easy"
    );
}

// ---- time zones and the day boundary ----

#[test]
fn the_study_day_follows_the_local_time_zone_across_daylight_saving() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    let at = |tz: &str, now: &str| -> String {
        let out = sandbox
            .recall(now)
            .env("TZ", tz)
            .arg("--decks")
            .arg(&deck)
            .args(["status", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["today"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // New York springs forward on 2026-03-08 at 02:00: 04:00 EDT that day is 08:00 UTC.
    assert_eq!(at("America/New_York", "2026-03-08T07:59:00Z"), "2026-03-07");
    assert_eq!(at("America/New_York", "2026-03-08T08:00:00Z"), "2026-03-08");
    // The day before, 04:00 EST was 09:00 UTC.
    assert_eq!(at("America/New_York", "2026-03-07T08:59:00Z"), "2026-03-06");
    assert_eq!(at("America/New_York", "2026-03-07T09:00:00Z"), "2026-03-07");
    // Berlin falls back on 2026-10-25: 04:00 CET is 03:00 UTC.
    assert_eq!(at("Europe/Berlin", "2026-10-25T02:59:00Z"), "2026-10-24");
    assert_eq!(at("Europe/Berlin", "2026-10-25T03:00:00Z"), "2026-10-25");
    // The same instant is a different study day in Tokyo and in Los Angeles.
    assert_eq!(at("Asia/Tokyo", "2026-06-01T20:00:00Z"), "2026-06-02");
    assert_eq!(
        at("America/Los_Angeles", "2026-06-01T20:00:00Z"),
        "2026-06-01"
    );
}

#[test]
fn schedule_says_its_intervals_are_unfuzzed() {
    Sandbox::new()
        .recall(NOW)
        .args(["schedule", "--grades", "4,4,4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("unfuzzed"));
}

// ---- learning steps (issue 24) ----

/// The reproduction of issue 24: a one-card deck, Enter, `1` (Again), `q`; twenty minutes
/// later the card is back, since its learning step lives in the database, not the session.
#[test]
fn a_card_failed_then_quit_comes_back_after_its_step() {
    let sandbox = Sandbox::with_default_steps();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    let first = sandbox.review_t("2026-03-02T09:00:00Z", &deck, &[], "\n1\nq\n");
    assert!(first.contains("Q: Question 1?"), "{first}");
    let status = sandbox.status_json("2026-03-02T09:00:30Z", &deck);
    assert_eq!(status["learning_now"], 0, "{status}");
    assert_eq!(status["learning_later"], 1, "{status}");
    assert_eq!(status["next_step"], "2026-03-02T09:01:00Z", "{status}");
    let later = sandbox.review_t("2026-03-02T09:20:00Z", &deck, &[], "\n3\n\n3\nq\n");
    assert!(later.contains("Q: Question 1?"), "{later}");
    assert!(later.contains("learning"), "{later}");
    assert!(!later.contains("Nothing to review"), "{later}");
    // Good on the first step moves it to the second (10 minutes), Good there graduates it.
    let status = sandbox.status_json("2026-03-02T09:40:00Z", &deck);
    assert_eq!(status["learning_now"], 0, "{status}");
    assert_eq!(status["learning_later"], 0, "{status}");
    // A rebuild reproduces the steps from the log: none left, the card due tomorrow.
    let state = "SELECT date(due * 86400, 'unixepoch') || ' ' || ifnull(step, 'off')
                 FROM card_state WHERE card_id = 't-1'";
    let before: String = sandbox
        .connection()
        .query_row(state, [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, "2026-03-03 off", "graduated: due tomorrow");
    sandbox
        .connection()
        .execute_batch("UPDATE card_state SET step = NULL, step_due = NULL, due = 0")
        .unwrap();
    succeeds(
        sandbox
            .recall("2026-03-02T09:40:00Z")
            .arg("--decks")
            .arg(&deck)
            .arg("rebuild"),
    );
    let after: String = sandbox
        .connection()
        .query_row(state, [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before, "rebuilt from the log");
}

/// With only learning cards left beyond the learn-ahead limit, `review` says when the next
/// one is due instead of "tomorrow"; `relearning_steps = []` turns same-day relearning off.
#[test]
fn review_says_when_the_next_learning_step_is_due_and_empty_steps_turn_them_off() {
    let sandbox = Sandbox::new();
    sandbox.file("config.toml", "learning_steps = [\"1h\"]\n");
    let deck = sandbox.file("t.toml", &numbered_deck("t", 1));
    sandbox.review_t("2026-03-02T09:00:00Z", &deck, &[], "\n1\n");
    let later = sandbox.review_t("2026-03-02T09:10:00Z", &deck, &[], "");
    assert!(
        later.contains("1 card on a learning step later today, the next due at 10:00 (in 50 min)"),
        "{later}"
    );
    let text = succeeds(
        sandbox
            .recall("2026-03-02T09:10:00Z")
            .arg("--decks")
            .arg(&deck)
            .arg("status"),
    );
    assert!(text.contains("0 learning now (1 later today)"), "{text}");
    let status = sandbox.status_json("2026-03-02T09:10:00Z", &deck);
    assert_eq!(status["next_step"], "2026-03-02T10:00:00Z", "{status}");

    let off = Sandbox::new();
    off.file(
        "config.toml",
        "learning_steps = []\nrelearning_steps = []\n",
    );
    let deck = off.file("t.toml", &numbered_deck("t", 1));
    let text = off.review_t("2026-03-02T09:00:00Z", &deck, &[], "\n1\n");
    assert!(text.contains("Next card due: tomorrow"), "{text}");
}

/// Status and review agree at the daily review limit, and both say which limit holds cards
/// back and how to raise it.
#[test]
fn status_and_review_agree_at_the_review_limit_and_name_it() {
    let sandbox = Sandbox::new();
    sandbox.file(
        "config.toml",
        "reviews_per_day = 1\nlearning_steps = []\nrelearning_steps = []\n",
    );
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    sandbox.review_t("2026-03-02T09:00:00Z", &deck, &[], "\n3\n\n3\n");
    sandbox.review_t("2026-03-03T09:00:00Z", &deck, &[], "\n3\n");
    let text = succeeds(
        sandbox
            .recall("2026-03-03T10:00:00Z")
            .arg("--decks")
            .arg(&deck)
            .arg("status"),
    );
    assert!(text.contains("0 due, 20 new"), "{text}");
    assert!(
        text.contains(
            "1 more due card waits for later days: the daily review limit (reviews_per_day = 1)"
        ),
        "{text}"
    );

    let review = sandbox.review_t("2026-03-03T10:00:00Z", &deck, &[], "");
    assert!(review.contains("Nothing to review now"), "{review}");
}

/// Issue 24: `u` typed at the next question undoes the last answer (it used to reveal the
/// card), and each grade key says when it would show the card next.
#[test]
fn plain_mode_undoes_at_the_question_and_shows_each_grade_s_interval() {
    let sandbox = Sandbox::with_default_steps();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let text = sandbox.review_t(NOW, &deck, &[], "\n4\nu\n\n3\nq\n");
    assert!(
        text.contains("Grade 1 Again 1m, 2 Hard 5m, 3 Good 10m, 4 Easy 1d (s skip"),
        "{text}"
    );
    assert!(
        text.contains("(Enter reveals, u undoes, q quits) Undone: the previous step was taken back.\n\n[1/2] Test deck · new\nQ: Question 1?"),
        "{text}"
    );
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE kind = 'undo'"),
        1
    );
    // The redone answer (Good) put the card on its ten-minute step.
    assert_eq!(
        sandbox.count("SELECT count(*) FROM card_state WHERE card_id = 't-1' AND step = 2"),
        1
    );
}

/// Issue 24: cards of one guide block (a list's items, say) are siblings. Once one is
/// answered the others wait for the next day, so none is ever shown right after another
/// (which would show the previous answer); `status` says they are buried.
#[test]
fn siblings_wait_for_the_next_day_and_status_says_so() {
    let sandbox = Sandbox::new();
    let mut text = numbered_deck("t", 1);
    for (k, item) in ["Alpha", "Beta", "Gamma"].iter().enumerate() {
        text.push_str(&format!(
            "\n[[card]]\nid = \"list-{k}\"\nfront = \"Greek letters: {item} is [...]\"\nback = \"{item}\"\nsource = \"Letters (g.md:7)\"\n"
        ));
    }
    let deck = sandbox.file("t.toml", &text);
    let first = sandbox.review_t(NOW, &deck, &[], "\n3\n\n3\n\n3\n");
    assert!(first.contains("Today's session: 0 due, 2 new."), "{first}");
    assert_eq!(first.matches("Greek letters").count(), 1, "{first}");
    let next = sandbox.review_t("2026-03-03T09:00:00Z", &deck, &[], "\n3\n\n3\n\n3\n");
    assert_eq!(
        next.matches("Greek letters").count(),
        1,
        "the due one; its new siblings wait: {next}"
    );

    // Due siblings: all three learned on one day with burying off, all due the next.
    let due = Sandbox::new();
    due.file(
        "config.toml",
        "learning_steps = []\nbury_new_siblings = false\n",
    );
    let deck = due.file("t.toml", &text);
    let all = due.review_t(NOW, &deck, &[], &"\n3\n".repeat(4));
    assert_eq!(
        all.matches("Greek letters").count(),
        3,
        "burying off: {all}"
    );
    due.file("config.toml", "learning_steps = []\n");
    let one = due.review_t("2026-03-03T09:00:00Z", &deck, &[], "\n3\n\n3\nq\n");
    assert!(one.contains("Today's session: 2 due, 0 new."), "{one}");
    let status = due.status_json("2026-03-03T10:00:00Z", &deck);
    assert_eq!(status["buried_siblings"], 2, "{status}");
    let text = succeeds(
        due.recall("2026-03-03T10:00:00Z")
            .arg("--decks")
            .arg(&deck)
            .arg("status"),
    );
    assert!(text.contains("2 siblings buried until tomorrow"), "{text}");
}

/// Issue 24: with an exam date, `status --until` and `review --until` read the same queue:
/// the same new cards at the exam's pace (status said 20 while review served 84), and both
/// say the exam is coming.
#[test]
fn status_and_review_agree_on_the_new_cards_before_an_exam() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 300));
    let status = succeeds(sandbox.recall(NOW).arg("--decks").arg(&deck).args([
        "status",
        "--until",
        "2026-03-12",
        "--json",
    ]));
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let new = status["new"].as_u64().unwrap();
    assert!(new > 20, "at the exam's pace: {status}");
    let review = succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--until", "2026-03-12"])
            .write_stdin("q\n"),
    );
    assert!(
        review.contains(&format!(
            "Today's session: 0 due, {new} new; exam in 10 days (intervals capped before it)."
        )),
        "{review}"
    );
}
