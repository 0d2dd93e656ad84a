//! `recall stats`: the figures from a real log, as JSON, text at several widths, and HTML.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck, stdout_of};

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
    let forecast: u64 = s["forecast_30d"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
    assert_eq!(forecast, 3);
    let heat_total: u64 = s["heatmap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
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
