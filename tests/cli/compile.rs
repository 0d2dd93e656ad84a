//! `recall compile`: guides to decks, `--check`, `--strict`, and errors that write nothing.

use predicates::prelude::*;

use super::Sandbox;

const GUIDE: &str = "# Notes\n\n## Caching\n\nCaches trade freshness for speed.\n\n> **Q:** Caching: what does a TTL bound?\n>\n> **A:** How stale a cached entry can get.\n>\n> **Tags:** caching\n\n## Process\n\n- Ship small changes (Junior+)\n\n> **C:** CI merges to {{trunk}} at least daily.\n>\n> **Tags:** ci\n";

fn compile(
    sandbox: &Sandbox,
    guide: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("compile")
        .arg(guide)
        .arg("-o")
        .arg(sandbox.dir.path().join("out"))
        .args(extra)
        .assert()
}

#[test]
fn compile_writes_one_deck_per_section_and_twice_gives_identical_bytes() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", GUIDE);
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("into 2 decks (2 cards)"))
        .stdout(predicate::str::contains("2 added, 0 changed, 0 removed"));
    let out = sandbox.dir.path().join("out");
    let first = std::fs::read_to_string(out.join("01-caching.toml")).unwrap();
    assert!(
        first.contains("source = \"Caching (notes.md:7)\""),
        "{first}"
    );
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("0 added, 0 changed, 0 removed"));
    assert_eq!(
        std::fs::read_to_string(out.join("01-caching.toml")).unwrap(),
        first
    );
    // The output loads as decks.
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("--decks")
        .arg(&out)
        .args(["review", "--deck", "process"])
        .write_stdin("\n3\n")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Q: CI merges to [...] at least daily.",
        ))
        // A `(Junior+)` tag is metadata, not a card asking for the level.
        .stdout(predicate::str::contains("Seniority").not());
}

#[test]
fn check_names_the_stale_deck_and_exits_1() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", GUIDE);
    compile(&sandbox, &guide, &[]).success();
    compile(&sandbox, &guide, &["--check"])
        .success()
        .stdout(predicate::str::contains("up to date"));
    let edited = GUIDE.replace("How stale a cached entry can get.", "Staleness.");
    std::fs::write(&guide, edited).unwrap();
    compile(&sandbox, &guide, &["--check"])
        .code(1)
        .stderr(predicate::str::contains("01-caching.toml differs"))
        .stderr(predicate::str::contains("run `recall compile`"));
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("0 added, 1 changed, 0 removed"));
}

#[test]
fn a_malformed_block_is_located_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file(
        "notes.md",
        &GUIDE.replace("> **A:** How stale", "> **Answer:** How stale"),
    );
    compile(&sandbox, &guide, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "notes.md:7:1: question without an answer",
        ));
    assert!(!sandbox.dir.path().join("out").exists());
}

#[test]
fn strict_turns_lint_warnings_into_errors() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", &GUIDE.replace(">\n> **Tags:** caching\n", "\n"));
    compile(&sandbox, &guide, &[])
        .success()
        .stderr(predicate::str::contains("warning: "))
        .stderr(predicate::str::contains("card has no topic tags"));
    compile(&sandbox, &guide, &["--strict"])
        .code(2)
        .stderr(predicate::str::contains(
            "notes.md:7:1: card has no topic tags",
        ));
}

#[test]
fn the_shipped_decks_are_what_the_guide_compiles_to() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    Sandbox::new()
        .recall("2026-01-01T00:00:00Z")
        .current_dir(root)
        .args(["compile", "--check", "--strict"])
        .assert()
        .success();
}

#[test]
fn strict_rejects_a_set_shown_whole_and_a_list_block_fixes_it() {
    let sandbox = Sandbox::new();
    let set = "# Notes\n\n## Process\n\nHow teams ship.\n\n> **C:** CALMS: {{Culture}}, {{Automation}}, {{Lean}}, {{Measurement}}, {{Sharing}}.\n>\n> **Tags:** devops\n";
    let guide = sandbox.file("notes.md", set);
    compile(&sandbox, &guide, &["--strict"])
        .code(2)
        .stderr(
            predicate::str::is_match(
                r"notes\.md:7:1: card `culture-[0-9a-f]{6}` shows 4 other items of its set, over 2",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains("write the set as `> **List:**`"));
    assert!(!sandbox.dir.path().join("out").exists());

    std::fs::write(&guide, set.replace("**C:**", "**List:**")).unwrap();
    compile(&sandbox, &guide, &["--strict"])
        .success()
        .stdout(predicate::str::contains("(5 cards)"));
    let deck = std::fs::read_to_string(sandbox.dir.path().join("out/01-process.toml")).unwrap();
    assert!(
        deck.contains("front = \"CALMS: …, Automation, Lean, [...], ….\""),
        "{deck}"
    );
}
