//! A deck carried whole between recall users, through every format: ids, the deck's id and
//! name, each card's source and level; and with `--with-progress`, exactly the reviews of the
//! cards exported.

use super::{Sandbox, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

/// A deck whose id is not its name's slug, with sources (one with spaces) and levels, and a
/// cloze (two cards: `go-zero-nil`, `go-zero-the-empty-string`).
const GO: &str = "[deck]\nid = \"go-interview\"\nname = \"Go for interviews\"\ndescription = \"mine\"\n\n\
[[card]]\nid = \"go-chan\"\nfront = \"What does an unbuffered channel synchronise?\"\nback = \"The sender and the receiver: each waits for the other.\"\ntags = [\"concurrency\"]\nlevel = \"senior\"\nsource = \"notes/go concurrency.md:12\"\n\n\
[[card]]\nid = \"go-defer\"\nfront = \"When do deferred calls run?\"\nback = \"When the function returns, last deferred first.\"\nlevel = \"junior\"\nsource = \"notes/go-basics.md:3\"\n\n\
[[card]]\nid = \"go-nil\"\nfront = \"What does a nil map do on write?\"\nback = \"It panics.\"\n\n\
[[card]]\nid = \"go-zero\"\ncloze = \"The zero value of a slice is {{nil}}; of a string, {{the empty string::two words}}.\"\ntags = [\"basics\"]\nlevel = \"junior\"\nsource = \"notes/go-basics.md:9\"\n";

/// A second deck, so that a filtered export has something to leave out.
const OTHER: &str = "[deck]\nid = \"misc\"\nname = \"Misc\"\ndescription = \"other\"\n\n\
[[card]]\nid = \"misc-1\"\nfront = \"What is 6 x 7?\"\nback = \"42.\"\n";

/// `(id, deck, front, back, level, source)` of every card `recall cards --json` shows for
/// `--deck go-interview`, and the deck's name as `recall cards` lists it.
fn carried(sandbox: &Sandbox, decks: Option<&std::path::Path>) -> Vec<[String; 6]> {
    let mut cmd = sandbox.recall(NOW);
    if let Some(decks) = decks {
        cmd.arg("--decks").arg(decks);
    }
    let out = succeeds(cmd.args(["cards", "--json", "--deck", "go-interview"]));
    let cards: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut rows: Vec<[String; 6]> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            [
                text(&c["id"]),
                text(&c["deck"]),
                text(&c["front"]),
                text(&c["back"]),
                text(&c["level"]),
                text(&c["source"]),
            ]
        })
        .collect();
    rows.sort();
    rows
}

/// `recall --decks DECKS export ARGS -o OUT`, which must succeed.
fn export(sandbox: &Sandbox, decks: &std::path::Path, args: &[&str], out: &std::path::Path) {
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(decks)
            .arg("export")
            .args(args)
            .arg("-o")
            .arg(out),
    );
}

/// The cloze text of the deck above.
const CLOZE: &str =
    "The zero value of a slice is {{nil}}; of a string, {{the empty string::two words}}.";

/// `(id, cloze)` of each `[[card]]` written as a cloze in the imported deck file.
fn cloze_tables(sandbox: &Sandbox) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(sandbox.dir.path().join("data/decks/go-interview.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    file["card"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|card| {
            Some((
                card["id"].as_str()?.to_string(),
                card.get("cloze")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// The deck names `recall status --json` or `cards` would show: read from the imported file.
fn deck_header(sandbox: &Sandbox) -> (String, String) {
    let text =
        std::fs::read_to_string(sandbox.dir.path().join("data/decks/go-interview.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    (
        file["deck"]["id"].as_str().unwrap().to_string(),
        file["deck"]["name"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_format_carries_ids_deck_id_and_name_source_and_level() {
    let sandbox = Sandbox::new();
    let decks = sandbox.dir.path().join("mine");
    sandbox.file("mine/go.toml", GO);
    sandbox.file("mine/misc.toml", OTHER);
    let original = carried(&sandbox, Some(&decks));
    assert_eq!(original.len(), 5);
    assert_eq!(original[0][5], "notes/go concurrency.md:12");
    for (format, file) in [
        ("toml", "friend.toml"),
        ("csv", "friend.csv"),
        ("json", "friend.json"),
        ("anki-txt", "friend.txt"),
        ("apkg", "friend.apkg"),
    ] {
        let path = sandbox.dir.path().join(file);
        export(
            &sandbox,
            &decks,
            &["--force", "--deck", "go-interview", "--format", format],
            &path,
        );
        let friend = Sandbox::new();
        let said = succeeds(friend.recall(NOW).arg("import").arg(&path));
        assert!(said.contains("5 added"), "{format}: {said}");
        assert_eq!(carried(&friend, None), original, "{format}");
        // The cloze arrives as a cloze: one `[[card]]` with its text, not two front/back cards.
        assert_eq!(
            cloze_tables(&friend),
            [("go-zero".to_string(), CLOZE.to_string())],
            "{format}"
        );
        assert_eq!(
            deck_header(&friend),
            ("go-interview".to_string(), "Go for interviews".to_string()),
            "{format}"
        );
    }
}

/// `(card, grade)` of every review in a database, sorted.
fn reviewed(sandbox: &Sandbox) -> Vec<(String, i64)> {
    let conn = sandbox.connection();
    let mut statement = conn
        .prepare("SELECT card_id, grade FROM review WHERE grade IS NOT NULL ORDER BY card_id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_filtered_export_with_progress_carries_only_those_cards_reviews() {
    let sandbox = Sandbox::new();
    let decks = sandbox.dir.path().join("mine");
    sandbox.file("mine/go.toml", GO);
    sandbox.file("mine/misc.toml", OTHER);
    // Every card answered once: the five of go-interview (the cloze's two among them), the
    // one of misc.
    for (deck, input) in [
        ("go-interview", "\n3\n".repeat(5)),
        ("misc", "\n3\n".into()),
    ] {
        succeeds(
            sandbox
                .recall(NOW)
                .arg("--decks")
                .arg(&decks)
                .args(["review", "--deck", deck])
                .write_stdin(input),
        );
    }
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 6);
    let mine: Vec<(String, i64)> = reviewed(&sandbox)
        .into_iter()
        .filter(|(card, _)| card.starts_with("go-"))
        .collect();
    assert_eq!(mine.len(), 5);
    for (format, file) in [("json", "go.json"), ("apkg", "go.apkg")] {
        let path = sandbox.dir.path().join(file);
        export(
            &sandbox,
            &decks,
            &[
                "--deck",
                "go-interview",
                "--format",
                format,
                "--with-progress",
            ],
            &path,
        );
        // A fresh recall gets exactly those cards' answers, on the same cards (the cloze's
        // included), and nothing of the other deck.
        let friend = Sandbox::new();
        succeeds(friend.recall(NOW).arg("import").arg(&path));
        assert_eq!(reviewed(&friend), mine, "{format}");
        assert_eq!(cloze_tables(&friend).len(), 1, "{format}");
    }

    // Unfiltered, the whole log moves.
    let all = sandbox.dir.path().join("all.json");
    export(
        &sandbox,
        &decks,
        &["--format", "json", "--with-progress"],
        &all,
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&all).unwrap()).unwrap();
    assert_eq!(json["reviews"].as_array().unwrap().len(), 6);
}

/// `(id, front, back)` of each `[[card]]` of an exported deck file, and whether any is a cloze.
fn exported_cards(path: &std::path::Path) -> (Vec<(String, String, String)>, bool) {
    let file: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cards = file["card"].as_array().unwrap();
    let text = |c: &toml::Value, key: &str| {
        c.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    (
        cards
            .iter()
            .map(|c| (text(c, "id"), text(c, "front"), text(c, "back")))
            .collect(),
        cards.iter().any(|c| c.get("cloze").is_some()),
    )
}

/// A cloze goes whole only with all of its cards, each as the cloze makes it: a filter that
/// keeps one of them, or an override that rewrites one, sends the cards on their own, as the
/// learner has them.
#[test]
fn a_cloze_goes_whole_only_with_all_its_cards_as_it_made_them() {
    let sandbox = Sandbox::new();
    let decks = sandbox.dir.path().join("mine");
    sandbox.file("mine/go.toml", GO);
    let out = sandbox.dir.path().join("one.toml");
    export(
        &sandbox,
        &decks,
        &["--search", "[two words]", "--format", "toml"],
        &out,
    );
    let (cards, any_cloze) = exported_cards(&out);
    assert!(!any_cloze);
    assert_eq!(
        cards,
        [(
            "go-zero-the-empty-string".to_string(),
            "The zero value of a slice is nil; of a string, [two words].".to_string(),
            "the empty string".to_string()
        )]
    );

    sandbox.file(
        "mine/my-cards.toml",
        "[deck]\nid = \"my-cards\"\nname = \"My cards\"\ndescription = \"\"\n\n[[card]]\nid = \"go-zero-nil\"\noverride = true\nfront = \"Zero value of a slice?\"\nback = \"nil (len 0, cap 0)\"\n",
    );
    let out = sandbox.dir.path().join("all.toml");
    export(
        &sandbox,
        &decks,
        &["--search", "zero", "--format", "toml"],
        &out,
    );
    let (cards, any_cloze) = exported_cards(&out);
    assert!(!any_cloze);
    let nil = cards.iter().find(|c| c.0 == "go-zero-nil").unwrap();
    assert_eq!(
        (nil.1.as_str(), nil.2.as_str()),
        ("Zero value of a slice?", "nil (len 0, cap 0)")
    );
    assert!(cards.iter().any(|c| c.0 == "go-zero-the-empty-string"));
}
