//! `recall stats`: the figures from a real log, as JSON, text at several widths, and HTML.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, stdout_of, succeeds};

/// Reviews deck `t` on a few days: 3 cards on 03-01 (Good), again on 03-02 (two Good, one
/// Again), skip 03-03, then on 03-04 whatever is due.
fn history(sandbox: &Sandbox) -> std::path::PathBuf {
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    for (now, input) in [
        ("2026-03-01T09:00:00Z", "\n3\n\n3\n\n3\n"),
        ("2026-03-02T09:00:00Z", "\n3\n\n1\n\n3\n\n3\n"),
        ("2026-03-04T09:00:00Z", "\n3\n\n3\n\n3\n"),
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
    deck
}

/// The sum of `key` over the objects of a JSON array.
fn sum_of(items: &serde_json::Value, key: &str) -> u64 {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_u64().unwrap())
        .sum()
}

fn stats(sandbox: &Sandbox, deck: &std::path::Path, args: &[&str]) -> std::process::Output {
    sandbox
        .recall("2026-03-04T12:00:00Z")
        .arg("--decks")
        .arg(deck)
        .args(["stats", "--deck", "t"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn stats_json_carries_every_figure() {
    let sandbox = Sandbox::new();
    // Failed cards come back the same day on a one-minute step; Good graduates.
    sandbox.file("config.toml", "learning_steps = [\"1m\"]\n");
    let deck = history(&sandbox);
    let out = stats(&sandbox, &deck, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "today_date",
        "today",
        "streak",
        "heatmap",
        "reviews_30d",
        "forecast_30d",
        "retention",
        "cards",
        "by_deck",
        "by_level",
        "outline",
    ] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        s["today"]["reviewed"], 1,
        "only card 2 (failed yesterday) was due today"
    );
    assert_eq!(s["streak"]["current"], 1, "03-03 was missed");
    assert_eq!(s["streak"]["longest"], 2);
    // Scheduled reviews of seen cards: 03-02 (2 pass, 1 fail) and 03-04 (1 pass).
    assert_eq!(s["retention"]["young_all"]["total"], 4);
    assert_eq!(s["retention"]["young_all"]["passed"], 3);
    assert_eq!(s["retention"]["mature_all"]["total"], 0);
    assert_eq!(s["cards"]["new"], 0);
    let forecast = sum_of(&s["forecast_30d"], "count");
    assert_eq!(forecast, 3);
    let heat_total = sum_of(&s["heatmap"], "count");
    assert_eq!(heat_total, 3 + 4 + 1, "every answer, re-drills included");
}

#[test]
fn stats_text_adapts_to_the_width_and_respects_no_color() {
    let sandbox = Sandbox::new();
    let deck = history(&sandbox);
    for columns in ["60", "80", "120"] {
        let out = sandbox
            .recall("2026-03-04T12:00:00Z")
            .env("COLUMNS", columns)
            .arg("--decks")
            .arg(&deck)
            .args(["stats", "--deck", "t"])
            .output()
            .unwrap();
        let text = stdout_of(&out);
        assert!(
            text.contains("Reviews in the past year")
                && text.contains("Sun ")
                && text.contains("Less ·░▒▓█ More")
        );
        assert!(!text.contains('\x1b'), "NO_COLOR is set by the sandbox");
        let width: usize = columns.parse().unwrap();
        for line in text.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= width,
                "{columns}: {line}"
            );
        }
    }
    // --colour always forces colour even when piped.
    let out = sandbox
        .recall("2026-03-04T12:00:00Z")
        .env_remove("NO_COLOR")
        .arg("--decks")
        .arg(&deck)
        .args(["--colour", "always", "stats", "--deck", "t"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("\x1b[32m"));
}

#[test]
fn stats_html_writes_one_self_contained_page() {
    let sandbox = Sandbox::new();
    let deck = history(&sandbox);
    let page = sandbox.dir.path().join("stats.html");
    stats(&sandbox, &deck, &["--html", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "nothing external"
    );
}

#[test]
fn stats_filters_say_when_nothing_matches() {
    let sandbox = Sandbox::new();
    sandbox
        .recall("2026-03-04T12:00:00Z")
        .args(["stats", "--tag", "no-such-tag"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no cards match tag no-such-tag"));
}

/// Two decks with sections and levels, for the figures that depend on them.
const LEVELLED_DECKS: [(&str, &str); 2] = [
    (
        "t.toml",
        "[deck]\nid = \"t\"\nname = \"Deck T\"\n\n\
         [[card]]\nid = \"t-1\"\nfront = \"T1?\"\nback = \"t1\"\nlevel = \"junior\"\nsource = \"Part > One (g.md:1)\"\n\n\
         [[card]]\nid = \"t-2\"\nfront = \"T2?\"\nback = \"t2\"\nlevel = \"senior\"\nsource = \"Part > One (g.md:2)\"\n\n\
         [[card]]\nid = \"t-3\"\nfront = \"T3?\"\nback = \"t3\"\nsource = \"Part > Two (g.md:3)\"\n\n\
         [[card]]\nid = \"t-4\"\nfront = \"T4?\"\nback = \"t4\"\nlevel = \"junior\"\n",
    ),
    (
        "u.toml",
        "[deck]\nid = \"u\"\nname = \"Deck U\"\n\n\
         [[card]]\nid = \"u-1\"\nfront = \"U1?\"\nback = \"u1\"\nsource = \"Other (o.md:1)\"\n\n\
         [[card]]\nid = \"u-2\"\nfront = \"U2?\"\nback = \"u2\"\nsource = \"Other (o.md:2)\"\n\n\
         [[card]]\nid = \"u-3\"\nfront = \"U3?\"\nback = \"u3\"\nlevel = \"principal\"\n",
    ),
];

/// Three and a half months of study of decks `t` and `u`: new cards, passes and fails (so
/// re-drills), an undo, a skip and a cram session, on days spread so that some reviews are of
/// mature cards and some fall in the last 30 days. Returns the deck directory.
fn long_history(sandbox: &Sandbox) -> std::path::PathBuf {
    for (name, text) in LEVELLED_DECKS {
        sandbox.file(&format!("decks/{name}"), text);
    }
    let decks = sandbox.dir.path().join("decks");
    // Enter reveals; 1-4 grade (Again, Hard, Good, Easy); `u` undoes the previous step; `s`
    // skips. Input left over when the session ends is not read.
    let mixed = "\n4\n\n3\n\n1\n\n4\n\n2\n\n3\n\n4\n".repeat(6);
    let sessions = [
        (
            "2026-01-05T09:00:00Z",
            format!("\n3\n\nu\n\n4\n\ns\n{mixed}"),
        ),
        ("2026-01-06T09:00:00Z", mixed.clone()),
        ("2026-01-08T09:00:00Z", mixed.clone()),
        ("2026-01-12T09:00:00Z", format!("\n1\n\nu\n{mixed}")),
        ("2026-01-20T09:00:00Z", mixed.clone()),
        ("2026-02-01T09:00:00Z", mixed.clone()),
        ("2026-02-20T09:00:00Z", mixed.clone()),
        ("2026-03-15T09:00:00Z", mixed.clone()),
        ("2026-04-10T09:00:00Z", mixed.clone()),
        ("2026-04-19T09:00:00Z", mixed.clone()),
        ("2026-04-20T08:00:00Z", format!("\n4\n\nu\n{mixed}")),
    ];
    for (now, input) in sessions {
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&decks)
            .args(["review", "--deck", "t", "--deck", "u"])
            .write_stdin(input)
            .assert()
            .success();
    }
    sandbox
        .recall("2026-04-20T10:00:00Z")
        .arg("--decks")
        .arg(&decks)
        .args(["cram", "--deck", "u"])
        .write_stdin("\n1\n\n4\n\n3\n")
        .assert()
        .success();
    assert_eq!(
        sandbox.count("SELECT count(DISTINCT kind) FROM review"),
        5,
        "reviews, drills, crams, undos and skips"
    );
    decks
}

/// The `stats --json` object with its day series shortened to their length, first day and
/// days with a non-zero count, so that a whole report reads as one small value.
fn summary(mut stats: serde_json::Value) -> serde_json::Value {
    for key in ["heatmap", "reviews_30d", "forecast_30d"] {
        let days = stats[key].as_array().unwrap();
        let busy: serde_json::Map<String, serde_json::Value> = days
            .iter()
            .filter(|d| d["count"] != 0)
            .map(|d| (d["day"].as_str().unwrap().to_string(), d["count"].clone()))
            .collect();
        stats[key] = serde_json::json!({
            "len": days.len(),
            "first": days[0]["day"],
            "busy": busy,
        });
    }
    stats
}

/// `recall --decks DECKS stats FILTER --json` at `now`, summarised.
fn stats_json(
    sandbox: &Sandbox,
    now: &str,
    decks: &std::path::Path,
    filter: &[&str],
) -> serde_json::Value {
    let out = succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(decks)
            .arg("stats")
            .args(filter)
            .arg("--json"),
    );
    summary(serde_json::from_str(&out).unwrap())
}

/// When [`long_history_figures`] are taken.
const LONG_HISTORY_NOW: &str = "2026-04-20T12:00:00Z";

/// The figures of [`long_history`] as the first `stats` computed them, by scanning every
/// answer in the log: any faster way of computing them must give exactly these.
fn long_history_figures() -> serde_json::Value {
    let counts = |learning: u32, mature: u32, young: u32| {
        serde_json::json!({
            "new": 0, "learning": learning, "young": young, "mature": mature,
            "suspended": 0, "leech": 0,
        })
    };
    let rate = |passed: u32, total: u32, rate: f64| serde_json::json!({"passed": passed, "total": total, "rate": rate});
    let section = |path: &str, depth: u32, learned: u32, total: u32, retention| {
        serde_json::json!({
            "path": path, "depth": depth, "learned": learned, "total": total,
            "retention": retention,
        })
    };
    serde_json::json!({
        "today_date": "2026-04-20",
        "today": {"reviewed": 2, "new_learned": 0, "answers": 5, "time_ms": 0, "accuracy": 0.8},
        "streak": {"current": 2, "longest": 2},
        "heatmap": {
            "len": 371,
            "first": "2025-04-20",
            "busy": {
                // A review graded Hard is no longer drilled again the same day (steps
                // relearn failed cards only, as Anki's): one answer fewer on those days.
                "2026-01-05": 8, "2026-01-06": 8, "2026-01-08": 4, "2026-01-12": 6,
                "2026-01-20": 6, "2026-02-01": 7, "2026-02-20": 6, "2026-03-15": 6,
                "2026-04-10": 6, "2026-04-19": 4, "2026-04-20": 5,
            },
        },
        "reviews_30d": {
            "len": 30,
            "first": "2026-03-22",
            "busy": {"2026-04-10": 6, "2026-04-19": 4, "2026-04-20": 5},
        },
        "forecast_30d": {
            "len": 30,
            "first": "2026-04-20",
            // Load balancing (on by default) put one of two cards fuzz would have due on
            // 04-26 on the emptier 04-25.
            "busy": {"2026-04-21": 1, "2026-04-25": 1, "2026-04-26": 1, "2026-05-02": 1},
        },
        "retention": {
            "young_30d": rate(6, 8, 0.75),
            "mature_30d": rate(2, 2, 1.0),
            "young_all": rate(31, 40, 0.775),
            "mature_all": rate(4, 4, 1.0),
        },
        "cards": counts(1, 4, 2),
        "by_deck": {"Deck T": counts(1, 3, 0), "Deck U": counts(0, 1, 2)},
        "by_level": {
            "junior": counts(0, 2, 0),
            "none": counts(1, 0, 2),
            "principal": counts(0, 1, 0),
            "senior": counts(0, 1, 0),
        },
        "outline": [
            section("Part > One", 1, 2, 2, rate(8, 8, 1.0)),
            section("Part > Two", 1, 0, 1, rate(6, 9, 0.666_666_666_666_666_6)),
            section("Deck T", 0, 1, 1, rate(5, 6, 0.833_333_333_333_333_4)),
            section("Other", 0, 2, 2, rate(12, 17, 0.705_882_352_941_176_5)),
            section("Deck U", 0, 1, 1, rate(4, 4, 1.0)),
        ],
    })
}

#[test]
fn stats_json_figures_are_those_of_a_scan_of_the_whole_log() {
    let sandbox = Sandbox::new();
    // Failed cards come back the same day on a one-minute step; Good graduates.
    sandbox.file("config.toml", "learning_steps = [\"1m\"]\n");
    let decks = long_history(&sandbox);
    let expected = long_history_figures();
    let filtered = stats_json(
        &sandbox,
        LONG_HISTORY_NOW,
        &decks,
        &["--deck", "t", "--deck", "u"],
    );
    assert_eq!(filtered, expected);

    // Unfiltered, the bundled decks' cards are in scope too: the activity figures are the
    // same (every answer is of a card in `t` or `u`), and so are those decks' card figures.
    let all = stats_json(&sandbox, LONG_HISTORY_NOW, &decks, &[]);
    for key in [
        "today_date",
        "today",
        "streak",
        "heatmap",
        "reviews_30d",
        "forecast_30d",
        "retention",
    ] {
        assert_eq!(all[key], expected[key], "{key}");
    }
    for deck in ["Deck T", "Deck U"] {
        assert_eq!(all["by_deck"][deck], expected["by_deck"][deck], "{deck}");
    }
    for section in expected["outline"].as_array().unwrap() {
        let found = all["outline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["path"] == section["path"]);
        assert_eq!(found, Some(section));
    }
}

#[test]
fn unfiltered_stats_count_answers_of_a_deck_no_longer_loaded_but_not_its_cards() {
    let sandbox = Sandbox::new();
    let kept = sandbox.file("decks/t.toml", &numbered_deck("t", 2));
    let gone = sandbox.file("gone/v.toml", &numbered_deck("v", 3));
    for (deck, id) in [(&kept, "t"), (&gone, "v")] {
        sandbox
            .recall("2026-03-04T09:00:00Z")
            .arg("--decks")
            .arg(deck)
            .args(["review", "--deck", id])
            .write_stdin("\n3\n".repeat(3))
            .assert()
            .success();
    }
    // Deck v is no longer loaded: its three answers are still reviews the learner did.
    let all = stats_json(&sandbox, "2026-03-04T12:00:00Z", &kept, &[]);
    assert_eq!(all["today"]["reviewed"], 5);
    assert_eq!(all["today"]["answers"], 5);
    assert_eq!(all["heatmap"]["busy"]["2026-03-04"], 5);
    assert_eq!(all["streak"]["current"], 1);
    assert_eq!(
        sandbox.status_json("2026-03-04T12:00:00Z", &kept)["streak"],
        all["streak"]["current"]
    );
    assert_eq!(all["by_deck"]["Test deck"]["young"], 0);
    let reviewed: u64 = ["learning", "young", "mature"]
        .iter()
        .map(|state| all["cards"][state].as_u64().unwrap())
        .sum();
    assert_eq!(reviewed, 2, "only deck t's cards are counted as cards");
    let forecast: u64 = all["forecast_30d"]["busy"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(forecast, 2);

    // Filtered, only the answers of the cards in scope count.
    let t = stats_json(&sandbox, "2026-03-04T12:00:00Z", &kept, &["--deck", "t"]);
    assert_eq!(t["today"]["reviewed"], 2);
    assert_eq!(t["heatmap"]["busy"]["2026-03-04"], 2);
}

/// `stats` reads the card catalog on a second connection while the first reads the card
/// states. Another process answering cards and rewriting the catalog (its deck file edited)
/// at the same time never makes it fail, and every run counts one consistent catalog.
#[test]
fn stats_stay_whole_while_another_process_answers_and_rewrites_the_catalog() {
    const NOW: &str = "2026-03-04T12:00:00Z";
    let sandbox = Sandbox::new();
    let deck = sandbox.file("decks/t.toml", &numbered_deck("t", 300));
    std::fs::write(sandbox.config(), "new_per_day = 200\n").unwrap();
    let stats = || {
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["stats", "--json"])
            .output()
            .unwrap()
    };
    let total = |counts: &serde_json::Value| -> u64 {
        ["new", "learning", "young", "mature", "suspended", "leech"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap())
            .sum()
    };
    let first: serde_json::Value = serde_json::from_slice(&stats().stdout).unwrap();
    // The bundled decks load too.
    let bundled = total(&first["cards"]) - 300;
    let done = std::sync::atomic::AtomicBool::new(false);
    let runs = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for round in 0..24 {
                // 300 cards, or 301 with one more in front: the file's stamp changes, so
                // the next launch of either process rewrites the catalog, and every card's
                // place in it moves.
                let mut text = numbered_deck("t", 300);
                if round % 2 == 0 {
                    text = text.replacen(
                        "\n[[card]]\n",
                        "\n[[card]]\nid = \"t-0\"\nfront = \"Question 0?\"\nback = \"Answer 0.\"\n\n[[card]]\n",
                        1,
                    );
                }
                // Written whole, as an editor saves (a new file renamed over the old): a
                // reader racing a plain truncate-and-write could see the file half written,
                // which is not what this test is about.
                let partial = deck.with_extension("toml.part");
                std::fs::write(&partial, text).unwrap();
                std::fs::rename(&partial, &deck).unwrap();
                sandbox.review_t(NOW, &deck, &["--limit", "4"], &"\n3\n".repeat(4));
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut runs = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) || runs < 5 {
            let out = stats();
            assert!(
                out.status.success(),
                "run {runs}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let cards = total(&s["cards"]);
            let in_t = total(&s["by_deck"]["Test deck"]);
            assert!(in_t == 300 || in_t == 301, "run {runs}: {in_t} cards in t");
            assert_eq!(cards, bundled + in_t, "run {runs}");
            let outlined = sum_of(&s["outline"], "total");
            assert_eq!(outlined, cards, "run {runs}");
            let learned = cards - s["cards"]["new"].as_u64().unwrap();
            assert!(learned <= 24 * 4, "run {runs}: {learned} cards seen");
            runs += 1;
        }
        writer.join().unwrap();
        runs
    });
    assert!(runs >= 5, "{runs}");
    // And the answers all arrived: 24 sessions of 4 cards, each a new card answered once.
    let after = sandbox.status_json(NOW, &deck);
    assert_eq!(after["reviewed_today"], 4 * 24, "{after}");
}
