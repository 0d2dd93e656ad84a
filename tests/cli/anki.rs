//! Bringing an Anki collection: packages in every format Anki writes and its plain-text
//! export, built by Anki's own library (`scripts/anki_fixture.py`), imported card by card.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use predicates::prelude::*;

use super::{Sandbox, anki_import_check, succeeds};

const NOW: &str = "2026-03-05T09:00:00Z";

/// Whether Python's `anki` package (Anki's own library) is installed. When it is not, the
/// test says it is skipped; under `CI=true` that is a failure, since CI installs it.
pub fn anki_library_present(test: &str) -> bool {
    let present = std::process::Command::new("python3")
        .args(["-c", "import anki.collection"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: the `anki` Python package is missing, and CI must run this test (pip install anki)"
        );
        eprintln!("{test}: skipped: the `anki` Python package is not installed (pip install anki)");
    }
    present
}

/// The packages and text export `scripts/anki_fixture.py` writes, built once for all tests;
/// `None` when Anki's library is missing (see [`anki_library_present`]).
fn fixtures(test: &str) -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    if !anki_library_present(test) {
        return None;
    }
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anki_fixture.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(dir)
    })
    .as_deref()
}

/// `(id, front, back, tags)` of every card in a deck file.
fn deck_cards(path: &Path) -> Vec<(String, String, String, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: toml::Table = toml::from_str(&text).unwrap();
    file["card"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let tags = c
                .get("tags")
                .and_then(|t| t.as_array())
                .map(|t| t.iter().map(|t| t.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (
                c["id"].as_str().unwrap().to_string(),
                c["front"].as_str().unwrap().to_string(),
                c["back"].as_str().unwrap().to_string(),
                tags,
            )
        })
        .collect()
}

fn card(id: &str, front: &str, back: &str, tags: &[&str]) -> (String, String, String, Vec<String>) {
    (
        id.into(),
        front.into(),
        back.into(),
        tags.iter().map(ToString::to_string).collect(),
    )
}

/// What every package arrives as in the deck `Languages::German`.
fn german() -> Vec<(String, String, String, Vec<String>)> {
    vec![
        card(
            "anki-basic-1",
            "Haus",
            "house",
            &["Geo::Europe", "MixedCase"],
        ),
        card("anki-reversed-1", "Hund", "dog", &[]),
        card("anki-reversed-1/2", "dog", "Hund", &[]),
        card("anki-optional-yes", "Katze", "cat", &[]),
        card("anki-optional-yes/2", "cat", "Katze", &[]),
        // No reverse asked for: one card.
        card("anki-optional-no", "Maus", "mouse", &[]),
        // The custom type's two templates, the conditional section shown or not.
        card(
            "anki-vocab-1",
            "Baum",
            "tree\ne.g. Der Baum ist alt.",
            &["Vocab"],
        ),
        card(
            "anki-vocab-1/2",
            "tree\n[hint: Der Baum ist alt.]",
            "Baum",
            &["Vocab"],
        ),
        card("anki-vocab-2", "Blume", "flower", &[]),
        card("anki-vocab-2/2", "flower (no example)", "Blume", &[]),
    ]
}

/// What every package arrives as in the deck `Tech`.
fn tech() -> Vec<(String, String, String, Vec<String>)> {
    vec![
        card("anki-typein-1", "Capital of Austria?", "Vienna", &[]),
        card(
            "anki-cloze-1",
            "[...] is the capital of France.",
            "Paris\nSince 508.",
            &[],
        ),
        card(
            "anki-cloze-1/2",
            "Paris is the capital of [country].",
            "France\nSince 508.",
            &[],
        ),
        card(
            "anki-table-1",
            "Greek letters\nin a table",
            "alpha | beta\ngamma | delta",
            &[],
        ),
        card(
            "anki-media-1",
            "What is this? [image: dot.png]",
            "A dot [sound: x.mp3]",
            &[],
        ),
        // GUIDs that differ only in a symbol stay two cards.
        card("anki-ab*cd", "Star", "*", &[]),
        card("anki-ab#cd", "Hash", "#", &[]),
    ]
}

fn decks(sandbox: &Sandbox) -> PathBuf {
    sandbox.dir.path().join("data/decks")
}

#[test]
fn every_package_format_arrives_card_by_card_in_its_decks_with_media() {
    let Some(fixtures) = fixtures("every_package_format") else {
        return;
    };
    for package in [
        "current.apkg",
        "legacy21.apkg",
        "legacy2.apkg",
        "full.colpkg",
    ] {
        let sandbox = Sandbox::new();
        let media = sandbox.dir.path().join("media");
        let said = succeeds(
            sandbox
                .recall(NOW)
                .arg("import")
                .arg(fixtures.join(package))
                .arg("--media")
                .arg(&media),
        );
        assert!(
            said.contains("17 added, 0 updated, 0 skipped, in 2 decks."),
            "{package}: {said}"
        );
        assert!(
            said.contains("deck `languages-german` (Languages::German)"),
            "{package}: {said}"
        );
        assert!(
            said.contains("Media: 1 image(s) and 1 sound(s); 2 written to "),
            "{package}: {said}"
        );
        assert_eq!(
            deck_cards(&decks(&sandbox).join("languages-german.toml")),
            german(),
            "{package}"
        );
        assert_eq!(
            deck_cards(&decks(&sandbox).join("tech.toml")),
            tech(),
            "{package}"
        );
        assert_eq!(
            std::fs::read(media.join("dot.png")).unwrap(),
            b"\x89PNG\r\n\x1a\nnot really a png",
            "{package}"
        );
        assert!(media.join("x.mp3").is_file(), "{package}");
        // The decks load: every card is there to study.
        let cards = succeeds(sandbox.recall(NOW).args(["cards", "--json"]));
        let cards: serde_json::Value = serde_json::from_str(&cards).unwrap();
        assert_eq!(
            cards
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["id"].as_str().unwrap().starts_with("anki-"))
                .count(),
            17
        );
    }
}

#[test]
fn review_history_comes_along_once_and_schedules_the_card() {
    let Some(fixtures) = fixtures("review_history") else {
        return;
    };
    let sandbox = Sandbox::new();
    let package = fixtures.join("current.apkg");
    let said = succeeds(sandbox.recall(NOW).arg("import").arg(&package));
    assert!(
        said.contains("History: 3 review(s) of 1 card(s); 3 added, 0 already present."),
        "{said}"
    );
    // Day 1: Again, then Good on a learning step (a same-day re-drill); day 3: Good.
    assert_eq!(
        sandbox.count(
            "SELECT count(*) FROM review WHERE card_id = 'anki-basic-1' AND kind = 'review'"
        ),
        2
    );
    assert_eq!(
        sandbox
            .count("SELECT count(*) FROM review WHERE card_id = 'anki-basic-1' AND kind = 'drill'"),
        1
    );
    let said = succeeds(sandbox.recall(NOW).arg("import").arg(&package));
    assert!(said.contains("0 added, 0 updated, 17 skipped"), "{said}");
    assert!(said.contains("0 added, 3 already present"), "{said}");
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 3);
    succeeds(sandbox.recall(NOW).arg("rebuild"));
    let cards =
        succeeds(
            sandbox
                .recall(NOW)
                .args(["cards", "--json", "--deck", "languages-german"]),
        );
    let cards: serde_json::Value = serde_json::from_str(&cards).unwrap();
    let state = |id: &str| {
        cards
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_ne!(state("anki-basic-1")["state"], "new");
    assert!(state("anki-basic-1")["due"].is_string());
    assert_eq!(state("anki-reversed-1")["state"], "new");
}

#[test]
fn the_plain_text_export_with_every_header_column_imports_as_its_notes() {
    let Some(fixtures) = fixtures("plain_text_export") else {
        return;
    };
    let sandbox = Sandbox::new();
    let said = succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(fixtures.join("notes.txt")),
    );
    assert!(
        said.contains("15 added, 0 updated, 0 skipped, in 2 decks."),
        "{said}"
    );
    // A text file has no templates: the custom note type asks its first field and answers
    // with the rest; everything else arrives as from the package, with the same ids.
    let mut expected = german();
    expected.retain(|c| !c.0.starts_with("anki-vocab"));
    expected.push(card(
        "anki-vocab-1",
        "Baum",
        "tree\nDer Baum ist alt.",
        &["Vocab"],
    ));
    expected.push(card("anki-vocab-2", "Blume", "flower", &[]));
    assert_eq!(
        deck_cards(&decks(&sandbox).join("languages-german.toml")),
        expected
    );
    assert_eq!(deck_cards(&decks(&sandbox).join("tech.toml")), tech());
}

#[test]
fn an_import_that_would_change_cards_lists_them_and_needs_update() {
    let Some(fixtures) = fixtures("overwrite_protection") else {
        return;
    };
    let sandbox = Sandbox::new();
    succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(fixtures.join("current.apkg")),
    );
    let deck = decks(&sandbox).join("languages-german.toml");
    let before = std::fs::read_to_string(&deck).unwrap();
    // The same notes, one edited in Anki, exported as text (which has no templates, so the
    // custom note type's card reads differently too).
    let edited = std::fs::read_to_string(fixtures.join("notes.txt"))
        .unwrap()
        .replace("\tHaus\thouse\t", "\tHaus\ta house, a home\t");
    let path = sandbox.file("notes.txt", &edited);

    let out = sandbox
        .recall(NOW)
        .arg("import")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("would change the text of 2 card(s) you already have:\n  anki-basic-1: house → a house, a home\n  anki-vocab-1: tree e.g. Der Baum ist alt. → tree Der Baum ist alt.\n"),
        "{err}"
    );
    assert!(err.contains("--update"), "{err}");
    assert_eq!(std::fs::read_to_string(&deck).unwrap(), before);

    let said = succeeds(sandbox.recall(NOW).args(["import", "--dry-run"]).arg(&path));
    assert!(said.contains("Dry run: nothing was written."), "{said}");
    assert!(
        said.contains("  anki-basic-1: house → a house, a home\n"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&deck).unwrap(), before);

    let said = succeeds(sandbox.recall(NOW).args(["import", "--update"]).arg(&path));
    assert!(said.contains("0 added, 2 updated"), "{said}");
    assert!(
        std::fs::read_to_string(&deck)
            .unwrap()
            .contains("a house, a home")
    );
}

#[test]
fn a_dry_run_writes_nothing() {
    let Some(fixtures) = fixtures("dry_run") else {
        return;
    };
    let sandbox = Sandbox::new();
    let media = sandbox.dir.path().join("media");
    let said = succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--dry-run", "--media"])
            .arg(&media)
            .arg(fixtures.join("current.apkg")),
    );
    assert!(
        said.contains("17 added, 0 updated, 0 skipped, in 2 decks."),
        "{said}"
    );
    assert!(said.contains("History: 3 review(s) to merge."), "{said}");
    assert!(!decks(&sandbox).exists());
    assert!(!media.exists());
}

/// A package `name` in the sandbox holding only a `meta` that gives package version
/// `version` and an empty file `collection`.
fn bare_package(sandbox: &Sandbox, name: &str, version: u8, collection: &str) -> PathBuf {
    let path = sandbox.dir.path().join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("meta", options).unwrap();
    // The protobuf of `PackageMetadata { version }`: field 1, varint.
    std::io::Write::write_all(&mut zip, &[0x08, version]).unwrap();
    zip.start_file(collection, options).unwrap();
    zip.finish().unwrap();
    path
}

#[test]
fn a_package_from_a_newer_anki_says_so_in_one_line() {
    let sandbox = Sandbox::new();
    let path = bare_package(&sandbox, "future.apkg", 4, "collection.anki21b");
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "written by a newer Anki (package version 4; this recall reads up to 3)",
        ))
        .stderr(predicate::function(|e: &str| e.lines().count() == 1));
}

/// A package whose `meta` says the current format but that holds only the stub
/// `collection.anki2` ("please update Anki") is refused, not read as one card.
#[test]
fn a_current_package_without_its_collection_is_refused() {
    let sandbox = Sandbox::new();
    let path = bare_package(&sandbox, "stub.apkg", 3, "collection.anki2");
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "its `meta` says Anki's current format, but it holds no collection.anki21b",
        ));
}

#[test]
fn notes_born_in_anki_go_back_with_their_own_guids() {
    let Some(fixtures) = fixtures("round_trip") else {
        return;
    };
    let sandbox = Sandbox::new();
    succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(fixtures.join("current.apkg")),
    );
    let out = sandbox.dir.path().join("back.apkg");
    succeeds(
        sandbox
            .recall(NOW)
            .args(["export", "--deck", "tech", "--format", "apkg", "-o"])
            .arg(&out),
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let db = sandbox.dir.path().join("back.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&db).unwrap(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let guids: Vec<String> = conn
        .prepare("SELECT guid FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // One note per Anki note: the cloze note's second card joins its first.
    assert_eq!(
        guids,
        [
            "typein-1", "cloze-1", "table-1", "media-1", "ab*cd", "ab#cd"
        ]
    );
    // Note ids are the export's time (RECALL_NOW) in ms, as Anki's own are.
    let first: i64 = conn
        .query_row("SELECT min(id) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(first, 1_772_701_200_000);
}

/// Notes born in Anki (Basic, both reversed types, type-in, Cloze with two deletions, a custom
/// note type with two templates), imported into recall and exported back, are updates of
/// themselves in the collection they came from: no conflicts, no new notes, the same note ids
/// — by `.apkg` and by `anki-txt`. A Basic card edited in recall takes its new text along; an
/// edited card of the custom type goes back with its Anki text, and the report says so.
#[test]
fn notes_born_in_anki_go_back_to_anki_as_updates_not_conflicts() {
    let Some(fixtures) = fixtures("anki_round_trip") else {
        return;
    };
    let sandbox = Sandbox::new();
    succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(fixtures.join("current.apkg")),
    );
    let german = decks(&sandbox).join("languages-german.toml");
    let text = std::fs::read_to_string(&german).unwrap();
    assert_eq!(text.matches("back = \"house\"").count(), 1);
    assert_eq!(text.matches("front = \"Baum\"").count(), 1);
    let edited = text
        .replace("back = \"house\"", "back = \"a house\"")
        .replace("front = \"Baum\"", "front = \"der Baum\"");
    std::fs::write(&german, edited).unwrap();
    let original = fixtures.join("original.anki2");
    for (format, name) in [("apkg", "back.apkg"), ("anki-txt", "back.txt")] {
        let out = sandbox.dir.path().join(name);
        let said = succeeds(
            sandbox
                .recall(NOW)
                .args(["export", "--deck", "tech", "--deck", "languages-german"])
                .args(["--format", format, "-o"])
                .arg(&out),
        );
        assert!(
            said.contains("17 card(s) born in Anki go back to their own notes"),
            "{format}: {said}"
        );
        assert!(
            said.contains("1 of them, edited in recall, take their new text"),
            "{format}: {said}"
        );
        assert!(
            said.contains("1 of them were edited in recall, but their note types' fields are not a front and a back: sent with their Anki text"),
            "{format}: {said}"
        );
        let seen = anki_import_check(Some(&original), &[out]);
        let log = &seen["imports"][0];
        assert_eq!(log["conflicting"], 0, "{format}: {seen}");
        assert_eq!(log["new"], 0, "{format}: {seen}");
        assert_eq!(log["missing_notetype"], 0, "{format}: {seen}");
        assert!(log["updated"].as_u64().unwrap() >= 1, "{format}: {seen}");
        let before: Vec<u64> = seen["before"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap())
            .collect();
        let mut after: Vec<u64> = seen["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap())
            .collect();
        after.sort_unstable();
        assert_eq!(before.len(), 12, "{format}: {seen}");
        assert_eq!(after, before, "{format}: the same notes, no more");
        let note = |guid: &str| {
            seen["notes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["guid"] == guid)
                .unwrap_or_else(|| panic!("{format}: no note {guid}: {seen}"))
                .clone()
        };
        assert_eq!(note("basic-1")["fields"]["Back"], "a house", "{format}");
        assert_eq!(note("basic-1")["notetype"], "Basic", "{format}");
        assert_eq!(note("vocab-1")["fields"]["Word"], "Baum", "{format}");
        assert_eq!(
            note("cloze-1")["fields"]["Text"],
            "{{c1::Paris}} is the capital of {{c2::France::country}}.",
            "{format}"
        );
        assert_eq!(note("reversed-1")["notetype"], "Basic (and reversed card)");
    }
    // Packages too: one package note per Anki note, under the note's own note type.
    let package = sandbox.dir.path().join("back.apkg");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&package).unwrap()).unwrap();
    let db = sandbox.dir.path().join("back.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&db).unwrap(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM notes"), 12);
    assert_eq!(count("SELECT count(*) FROM cards"), 17);
    assert_eq!(
        count("SELECT count(*) FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = 'cloze-1'"),
        2
    );
}

/// A deck file's Anki tables go through recall's own TOML export and import unchanged.
#[test]
fn anki_tables_round_trip_through_recalls_toml() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("mine/words.toml", WORDS_WITH_ANKI_TABLES);
    let out = sandbox.dir.path().join("words-export.toml");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "words", "--format", "toml", "-o"])
            .arg(&out),
    );
    let other = Sandbox::new();
    let said = succeeds(other.recall(NOW).arg("import").arg(&out));
    assert!(said.contains("2 added"), "{said}");
    let anki_parts = |path: &Path| {
        let file: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cards: Vec<(toml::Value, Option<toml::Value>)> = file["card"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].clone(), c.get("anki").cloned()))
            .collect();
        (cards, file["anki_notetype"].clone())
    };
    // The deck keeps its own id, whatever the file was called.
    let imported = decks(&other).join("words.toml");
    assert_eq!(anki_parts(&imported), anki_parts(&deck));
    assert_eq!(
        anki_parts(&deck).0[0].1.as_ref().unwrap()["fields"][0].as_str(),
        Some("<b>Haus</b>")
    );
    // The cards keep their ids and text, and an export to Anki finds their notes.
    let cards = succeeds(other.recall(NOW).args(["cards", "--json"]));
    assert!(cards.contains("\"anki-w1\""), "{cards}");
    let text_file = other.dir.path().join("words.txt");
    let said = succeeds(
        other
            .recall(NOW)
            .args(["export", "--deck", "words", "--format", "anki-txt", "-o"])
            .arg(&text_file),
    );
    assert!(said.contains("2 card(s) born in Anki"), "{said}");
    let text = std::fs::read_to_string(&text_file).unwrap();
    assert!(
        text.contains("w1\tBasic (and reversed card)\tWords\t\t<b>Haus</b>\thouse\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("\tBasic (and reversed card)\t").count(),
        1,
        "{text}"
    );
}

/// A deck imported before recall kept Anki's notes gets them when its package is imported
/// again: the cards are "updated" though their text is the same, so no `--update` is needed.
#[test]
fn a_package_imported_again_gives_older_imports_their_anki_notes() {
    let Some(fixtures) = fixtures("anki_notes_on_reimport") else {
        return;
    };
    let sandbox = Sandbox::new();
    let package = fixtures.join("current.apkg");
    succeeds(sandbox.recall(NOW).arg("import").arg(&package));
    let tech_deck = decks(&sandbox).join("tech.toml");
    let mut file: toml::Table =
        toml::from_str(&std::fs::read_to_string(&tech_deck).unwrap()).unwrap();
    file.remove("anki_notetype");
    for card in file["card"].as_array_mut().unwrap() {
        card.as_table_mut().unwrap().remove("anki");
    }
    std::fs::write(&tech_deck, toml::to_string(&file).unwrap()).unwrap();
    let said = succeeds(sandbox.recall(NOW).arg("import").arg(&package));
    assert!(said.contains("0 added, 7 updated, 10 skipped"), "{said}");
    let file: toml::Table = toml::from_str(&std::fs::read_to_string(&tech_deck).unwrap()).unwrap();
    assert_eq!(file["anki_notetype"].as_array().unwrap().len(), 3);
    assert!(
        file["card"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("anki").is_some())
    );
    assert_eq!(deck_cards(&tech_deck), tech());
}

/// A deck whose cards came from Anki: one note of "Basic (and reversed card)", both cards.
const WORDS_WITH_ANKI_TABLES: &str = r#"[deck]
id = "words"
name = "Words"
description = "From Anki."

[[card]]
id = "anki-w1"
front = "Haus"
back = "house"

[card.anki]
notetype = 1700000000042
ord = 0
rendered = "5b8a0c3f1d2e4a67"
fields = ["<b>Haus</b>", "house"]

[[card]]
id = "anki-w1/2"
front = "house"
back = "Haus"

[card.anki]
notetype = 1700000000042
ord = 1
rendered = "0000000000000000"
fields = ["<b>Haus</b>", "house"]

[[anki_notetype]]
id = 1700000000042
name = "Basic (and reversed card)"
kind = "standard"
fields = ["Front", "Back"]
css = ".card { color: black; }"

[[anki_notetype.template]]
name = "Card 1"
qfmt = "{{Front}}"
afmt = "{{FrontSide}}<hr id=answer>{{Back}}"

[[anki_notetype.template]]
name = "Card 2"
qfmt = "{{Back}}"
afmt = "{{FrontSide}}<hr id=answer>{{Front}}"
"#;

/// A broken `[card.anki]` table is a located error, as any other problem in a deck file.
#[test]
fn a_broken_anki_table_is_a_located_error() {
    let sandbox = Sandbox::new();
    let broken = WORDS_WITH_ANKI_TABLES
        .replacen("ord = 1", "ord = 2", 1)
        .replacen(
            "notetype = 1700000000042\nord = 0",
            "notetype = 17\nord = 0",
            1,
        );
    let deck = sandbox.file("mine/words.toml", &broken);
    // `cards` is strict about decks (`status` would leave the broken file out with warnings).
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .arg("cards")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let path = deck.display().to_string();
    assert!(
        err.contains(&format!(
            "{path}:12:12: `anki` of card 1 names note type 17, which is not in this file (the file's note types are: 1700000000042)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:24:7: `ord` 2 of card 2 is out of range for note type `Basic (and reversed card)` (it has cards 0 to 1)"
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// recall's `.apkg` and `anki-txt` exports of the same cards are one note type to Anki: the
/// text file, imported after the package, finds the package's notes instead of conflicting.
#[test]
fn anki_takes_the_apkg_and_the_text_export_as_one_note_type() {
    if !anki_library_present("one_note_type") {
        return;
    }
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "mine/net.toml",
        "[deck]\nid = \"net\"\nname = \"Networking\"\ndescription = \"mine\"\n\n[[card]]\nid = \"net-dns\"\nfront = \"DNS TTL?\"\nback = \"Cache time.\"\n",
    );
    let mut files = Vec::new();
    for (format, name) in [("apkg", "net.apkg"), ("anki-txt", "net.txt")] {
        let out = sandbox.dir.path().join(name);
        succeeds(
            sandbox
                .recall(NOW)
                .arg("--decks")
                .arg(&deck)
                .args(["export", "--deck", "net", "--format", format, "-o"])
                .arg(&out),
        );
        files.push(out);
    }
    let seen = anki_import_check(None, &files);
    assert_eq!(seen["imports"][0]["new"], 1);
    assert_eq!(seen["imports"][1]["conflicting"], 0, "{seen}");
    assert_eq!(seen["imports"][1]["new"], 0, "{seen}");
    assert_eq!(seen["notes"].as_array().unwrap().len(), 1);
    assert_eq!(seen["notes"][0]["notetype"], "Basic (recall)");
}

/// A cloze of recall's goes to Anki as one Cloze note (its deletions its cards, each hiding
/// one of them and showing the hint), by `.apkg` and by the text export alike, which Anki takes
/// as the same note; with progress, each card brings its own answers.
#[test]
fn anki_takes_a_recall_cloze_as_one_cloze_note_by_both_routes() {
    if !anki_library_present("cloze_note") {
        return;
    }
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "mine/go.toml",
        "[deck]\nid = \"go\"\nname = \"Go\"\ndescription = \"mine\"\n\n[[card]]\nid = \"go-nil\"\nfront = \"Nil map write?\"\nback = \"It panics.\"\n\n[[card]]\nid = \"go-zero\"\ncloze = \"Zero value of a slice: {{nil}}; of a string: {{the empty string::two words}}.\"\n",
    );
    // Each of the three cards answered once.
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--deck", "go"])
            .write_stdin("\n3\n\n3\n\n3\n"),
    );
    let mut files = Vec::new();
    for (format, name, progress) in [("apkg", "go.apkg", true), ("anki-txt", "go.txt", false)] {
        let out = sandbox.dir.path().join(name);
        let mut cmd = sandbox.recall(NOW);
        cmd.arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "go", "--format", format, "-o"])
            .arg(&out);
        if progress {
            cmd.arg("--with-progress");
        }
        succeeds(&mut cmd);
        files.push(out);
    }
    let seen = run_script(
        "scripts/anki_import_check.py",
        &[files[0].as_os_str(), files[1].as_os_str()],
        &[("ANKI_WITH_SCHEDULING", "1")],
    );
    assert_eq!(seen["imports"][0]["new"], 2, "{seen}");
    assert_eq!(seen["imports"][1]["new"], 0, "{seen}");
    assert_eq!(seen["imports"][1]["conflicting"], 0, "{seen}");
    let notes = seen["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{seen}");
    let cloze = notes
        .iter()
        .find(|n| n["notetype"] == "Cloze (recall)")
        .unwrap_or_else(|| panic!("no Cloze (recall) note: {seen}"));
    assert_eq!(cloze["guid"], "recall:go-zero");
    assert_eq!(
        cloze["fields"]["Text"],
        "Zero value of a slice: {{c1::nil}}; of a string: {{c2::the empty string::two words}}."
    );
    let questions: Vec<String> = cloze["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            // The question's text, Anki's cloze markup and style aside.
            let q = q.as_str().unwrap();
            let q = q.rsplit("</style>").next().unwrap_or(q);
            let mut text = String::new();
            let mut in_tag = false;
            for c in q.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_string()
        })
        .collect();
    assert_eq!(
        questions,
        [
            "Zero value of a slice: [...]; of a string: the empty string.",
            "Zero value of a slice: nil; of a string: [two words]."
        ],
        "{seen}"
    );
    let revlog: Vec<&serde_json::Value> = cloze["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["revlog"])
        .collect();
    assert_eq!(revlog, [1, 1], "{seen}");
}

/// `--media DIR` writes only files whose names are one plain component: a package naming
/// `../escape.png` or a hidden file gets the rest written and those left out.
#[test]
fn media_with_unsafe_names_are_not_written() {
    let Some(fixtures) = fixtures("unsafe_media") else {
        return;
    };
    let sandbox = Sandbox::new();
    // The legacy package with its media map renamed: entry 0 is `../escape.png`, 1 `.hidden`.
    let original = fixtures.join("legacy21.apkg");
    let mut source = zip::ZipArchive::new(std::fs::File::open(&original).unwrap()).unwrap();
    let path = sandbox.dir.path().join("hostile.apkg");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if name == "media" {
            bytes = br#"{"0": "../escape.png", "1": ".hidden", "2": "dot.png"}"#.to_vec();
        }
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, &bytes).unwrap();
    }
    zip.finish().unwrap();
    let media = sandbox.dir.path().join("out/media");
    let said = succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(&path)
            .arg("--media")
            .arg(&media),
    );
    assert!(!sandbox.dir.path().join("out/escape.png").exists());
    assert!(!media.join(".hidden").exists());
    let written: Vec<_> = std::fs::read_dir(&media).unwrap().collect();
    assert!(written.is_empty(), "{written:?}");
    assert!(
        said.contains("0 written to ")
            && said.contains("2 missing from the package or with unsafe names, left out"),
        "{said}"
    );
}

/// Each deck named in a text file is a deck of its own, with an id from its name: a slug, or
/// for a name with no ASCII letters a short hash of it, the same on every import.
#[test]
fn each_named_deck_gets_its_own_stable_deck_file() {
    let sandbox = Sandbox::new();
    let path = sandbox.file(
        "mixed.txt",
        "#separator:tab\n#notetype:Basic\n#deck column:3\nQ1\tA1\t日本語\nQ2\tA2\tLanguages::German\nQ3\tA3\n",
    );
    let said = succeeds(sandbox.recall(NOW).arg("import").arg(&path));
    assert!(
        said.contains("3 added, 0 updated, 0 skipped, in 3 decks."),
        "{said}"
    );
    for (file, front) in [
        ("deck-b4c93a.toml", "Q1"),
        ("languages-german.toml", "Q2"),
        // A row without a deck goes to the deck named after the file.
        ("mixed.toml", "Q3"),
    ] {
        let cards = deck_cards(&decks(&sandbox).join(file));
        assert_eq!(cards.len(), 1, "{file}");
        assert_eq!(cards[0].1, front, "{file}");
    }
}

/// Runs a script of `scripts/` with Anki's library, asserting it succeeds; its JSON output.
fn run_script(script: &str, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> serde_json::Value {
    let out = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(script))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Anki's HTML for one side as the text recall shows: no style block, the part after
/// `<hr id=answer>` for an answer, ruby as `base(reading)`, `<br>` as a line break, no tags,
/// no sound markers (Anki's `[anki:play:…]`, recall's `[sound: …]`).
fn anki_side_as_text(html: &str, answer: bool) -> String {
    let mut html = html.to_string();
    if let (Some(a), Some(b)) = (html.find("<style>"), html.find("</style>")) {
        html.replace_range(a..b + "</style>".len(), "");
    }
    if answer {
        html = html
            .split("<hr id=answer>")
            .nth(1)
            .unwrap_or("")
            .to_string();
    }
    let html = html
        .replace("<br>", "\n")
        .replace("<rt>", "(")
        .replace("</rt>", ")");
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    strip_sounds(&text)
}

fn strip_sounds(text: &str) -> String {
    let mut out = text.to_string();
    for open in ["[anki:play:", "[sound: "] {
        while let Some(at) = out.find(open) {
            let end = out[at..].find(']').map_or(out.len(), |e| at + e + 1);
            out.replace_range(at..end, "");
        }
    }
    out.trim().to_string()
}

/// Anki's built-in `kanji:`, `kana:` and `furigana:` filters render as Anki renders them: a
/// reading card shows no reading on its question side, and a `furigana:` answer shows the
/// reading beside its base, not `漢字[かな]`. Held against Anki's own rendering of the same
/// package, in the same run.
#[test]
fn anki_furigana_filters_render_as_anki_renders_them() {
    if !anki_library_present("furigana") {
        return;
    }
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path();
    let rendered = run_script("scripts/anki_furigana.py", &[dir.as_os_str()], &[]);
    succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(dir.join("japanese.apkg")),
    );
    let cards = deck_cards(&decks(&sandbox).join("japanese.toml"));
    assert_eq!(cards.len(), 6);
    for (id, front, back, _) in &cards {
        let rest = id.strip_prefix("anki-").unwrap();
        let key = match rest.split_once('/') {
            Some((guid, n)) => format!("{guid}/{}", n.parse::<u32>().unwrap() - 1),
            None => format!("{rest}/0"),
        };
        let anki = &rendered[&key];
        let question = anki_side_as_text(anki["question"].as_str().unwrap(), false);
        let answer = anki_side_as_text(anki["answer"].as_str().unwrap(), true);
        assert_eq!(strip_sounds(front), question, "{id}: question");
        assert_eq!(strip_sounds(back), answer, "{id}: answer");
        assert!(
            !front.contains(']') || front.contains("[sound:"),
            "{id}: {front}"
        );
    }
    let reading = cards.iter().find(|c| c.0 == "anki-jp-1").unwrap();
    assert_eq!(reading.1, "日本語を話す");
    assert!(
        reading.2.starts_with("日本語(にほんご)を話(はな)す"),
        "{}",
        reading.2
    );
}

/// A card suspended in recall goes to Anki suspended: Anki's own importer, with "Import any
/// learning progress" ticked, shows it suspended and the other card active.
#[test]
fn a_card_suspended_in_recall_arrives_suspended_in_anki() {
    if !anki_library_present("suspended_to_anki") {
        return;
    }
    let sandbox = Sandbox::new();
    let deck = sandbox.file("mine/s.toml", "[deck]\nid = \"s\"\nname = \"S\"\ndescription = \"\"\n\n[[card]]\nid = \"s-1\"\nfront = \"Q1?\"\nback = \"A1.\"\n\n[[card]]\nid = \"s-2\"\nfront = \"Q2?\"\nback = \"A2.\"\n");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["suspend", "s-2"]),
    );
    let package = sandbox.dir.path().join("s.apkg");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "s", "--format", "apkg", "-o"])
            .arg(&package),
    );
    let seen = run_script(
        "scripts/anki_import_check.py",
        &[package.as_os_str()],
        &[("ANKI_WITH_SCHEDULING", "1")],
    );
    let mut suspended: Vec<(String, bool)> = seen["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["guid"].as_str().unwrap().to_string(),
                n["suspended"][0].as_bool().unwrap(),
            )
        })
        .collect();
    suspended.sort();
    assert_eq!(
        suspended,
        [
            ("recall:s-1".to_string(), false),
            ("recall:s-2".to_string(), true)
        ]
    );
}

/// An Image Occlusion note (Anki's stock note type, built by its library): the labelled mask
/// becomes a card saying what it is (header, image, which mask) with the label as its
/// answer, the unlabelled one is left out with its reason, never mask geometry as a question;
/// and the note goes back to Anki with its fields exactly as they were, in both formats.
#[test]
fn image_occlusion_notes_say_what_they_are_and_go_back_unchanged() {
    if !anki_library_present("image_occlusion") {
        return;
    }
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path();
    let rendered = run_script("scripts/anki_furigana.py", &[dir.as_os_str()], &[]);
    let said = succeeds(
        sandbox
            .recall(NOW)
            .arg("import")
            .arg(dir.join("occlusion.apkg")),
    );
    assert!(
        said.contains("1 added, 0 updated, 1 skipped") && said.contains("mask 1 has no label"),
        "{said}"
    );
    let cards = deck_cards(&decks(&sandbox).join("anatomy.toml"));
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].0, "anki-io-1/2");
    assert_eq!(
        cards[0].1,
        "The heart\n[image: heart.png]\nImage occlusion: what is under mask 2 (rect at left .5, top .5)?"
    );
    assert!(!cards[0].1.contains("image-occlusion:"));
    assert_eq!(cards[0].2, "Aorta");
    for (format, file) in [("apkg", "back.apkg"), ("anki-txt", "back.txt")] {
        let path = dir.join(file);
        succeeds(
            sandbox
                .recall(NOW)
                .args(["export", "--deck", "anatomy", "--format", format, "-o"])
                .arg(&path),
        );
        let seen = anki_import_check(None, &[path]);
        let note = &seen["notes"][0];
        assert_eq!(note["guid"], "io-1", "{format}");
        for field in ["Occlusion", "Image", "Header"] {
            assert_eq!(
                note["fields"][field], rendered["occlusion"][field],
                "{format}: {field}"
            );
        }
    }
}

/// `export --format apkg --with-progress` carries recall's scheduling and answers: Anki's own
/// importer, with "Import any learning progress", gives a new profile the same intervals,
/// due days, review counts and review log.
#[test]
fn an_apkg_with_progress_gives_anki_the_schedule_and_the_answers() {
    if !anki_library_present("apkg_with_progress") {
        return;
    }
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "mine/p.toml",
        "[deck]\nid = \"p\"\nname = \"P\"\ndescription = \"\"\n\n[[card]]\nid = \"p-1\"\nfront = \"Q1?\"\nback = \"A1.\"\n\n[[card]]\nid = \"p-2\"\nfront = \"Q2?\"\nback = \"A2.\"\n\n[[card]]\nid = \"p-3\"\nfront = \"Q3?\"\nback = \"A3.\"\n",
    );
    // Day 1: three new cards, Good, Good, Again; day 2: the failed one again, Good.
    let review = |now: &str, input: &str| {
        succeeds(
            sandbox
                .recall(now)
                .arg("--decks")
                .arg(&deck)
                .args(["review", "--deck", "p"])
                .write_stdin(input.to_string()),
        )
    };
    review("2026-03-01T09:00:00Z", "\n4\n\n4\n\n1\n");
    review("2026-03-02T09:00:00Z", "\n4\n");
    let package = sandbox.dir.path().join("p.apkg");
    let now = "2026-03-02T10:00:00Z";
    succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args([
                "export",
                "--deck",
                "p",
                "--format",
                "apkg",
                "--with-progress",
                "-o",
            ])
            .arg(&package),
    );
    let cards: serde_json::Value = serde_json::from_str(&succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args(["cards", "--deck", "p", "--json"]),
    ))
    .unwrap();
    let answers = sandbox.count("SELECT count(*) FROM review WHERE grade IS NOT NULL");
    assert_eq!(answers, 4);
    let seen = run_script(
        "scripts/anki_import_check.py",
        &[package.as_os_str()],
        &[("ANKI_WITH_SCHEDULING", "1")],
    );
    let notes = seen["notes"].as_array().unwrap();
    let mut revlog = 0;
    for card in cards.as_array().unwrap() {
        let id = card["id"].as_str().unwrap();
        let note = notes
            .iter()
            .find(|n| n["guid"] == format!("recall:{id}"))
            .unwrap();
        let anki = &note["schedule"][0];
        assert_eq!(anki["type"], 2, "{id}: a review card in Anki");
        assert_eq!(anki["ivl"], card["interval"], "{id}");
        let due =
            chrono::NaiveDate::parse_from_str(card["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        // Anki's library runs on the real clock, not RECALL_NOW: its importer keeps each due
        // day as a date, counted from its own today.
        let today = chrono::Utc::now().date_naive();
        let anki_due = anki["due_in"].as_i64().unwrap();
        assert!(
            (anki_due - (due - today).num_days()).abs() <= 1,
            "{id}: Anki due in {anki_due}, recall {due}"
        );
        assert_eq!(anki["lapses"], card["lapses"], "{id}");
        revlog += anki["revlog"].as_i64().unwrap();
    }
    assert_eq!(revlog, answers);
}
