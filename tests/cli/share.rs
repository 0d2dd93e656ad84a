//! Sharing: export in every format, import back, Anki interop, backups, hostile files.

use std::io::Write;

use predicates::prelude::*;

use super::{Sandbox, stdout_of, succeeds};

const NOW: &str = "2026-03-02T09:00:00Z";

/// A user deck with HTML-ish characters, a multi-line answer, tags and levels.
fn user_deck(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.file(
        "mine/net.toml",
        "[deck]\nid = \"net\"\nname = \"Networking\"\ndescription = \"mine\"\n\n\
         [[card]]\nid = \"net-tcp\"\nfront = \"TCP vs UDP: which one <guarantees> order & delivery?\"\nback = \"TCP.\\nUDP does not: \\\"fire and forget\\\".\"\ntags = [\"transport\", \"tcp\"]\nlevel = \"junior\"\n\n\
         [[card]]\nid = \"net-dns\"\nfront = \"DNS: what does a TTL control?\"\nback = \"How long resolvers may cache the answer.\"\ntags = [\"dns\"]\nlevel = \"senior\"\n\n\
         [[card]]\nid = \"net-tls\"\nfront = \"TLS: what does the handshake agree on?\"\nback = \"A cipher suite and session keys, after the server proves its identity.\"\n",
    );
    sandbox.dir.path().join("mine")
}

fn export(sandbox: &Sandbox, format: &str, out: &std::path::Path, extra: &[&str]) {
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(user_deck(sandbox))
        .args(["export", "--deck", "net", "--format", format, "-o"])
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .stdout(predicate::str::contains("Exported 3 cards"));
}

/// `(id, front, back, tags, level)` of the cards of deck `deck` as `recall cards --json` sees
/// them, with `--decks extra` when given.
fn cards(sandbox: &Sandbox, extra: Option<&std::path::Path>, deck: &str) -> Vec<(String, String)> {
    let mut cmd = sandbox.recall(NOW);
    if let Some(extra) = extra {
        cmd.arg("--decks").arg(extra);
    }
    let stdout = succeeds(cmd.args(["cards", "--json", "--deck", deck]));
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["level"].to_string(),
            )
        })
        .collect()
}

fn texts_of(path: &std::path::Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    file["card"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["front"].as_str().unwrap().to_string(),
                c["back"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Imports `file` into another learner's recall and checks that it brings back the user
/// deck's three cards with the same ids and text, into the deck file `deck` (the file's name
/// for recall's own formats, the Anki deck's for Anki's); returns that learner's sandbox.
fn imports_back(sandbox: &Sandbox, file: &std::path::Path, deck: &str) -> Sandbox {
    let other = Sandbox::new();
    other
        .recall(NOW)
        .arg("import")
        .arg(file)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 added, 0 updated, 0 skipped"));
    assert_eq!(
        texts_of(&other.dir.path().join("data/decks").join(deck)),
        texts_of(&user_deck(sandbox).join("net.toml"))
    );
    other
}

#[test]
fn a_toml_export_loads_as_a_deck_with_the_same_ids() {
    let sandbox = Sandbox::new();
    let out = sandbox.dir.path().join("out/net.toml");
    export(&sandbox, "toml", &out, &[]);
    let original = cards(&sandbox, Some(&user_deck(&sandbox)), "net");
    let other = Sandbox::new();
    assert_eq!(cards(&other, Some(&out), "net"), original);
}

#[test]
fn anki_text_export_has_headers_html_decks_tags_and_guids_and_imports_back() {
    let sandbox = Sandbox::new();
    let out = sandbox.dir.path().join("net.txt");
    export(&sandbox, "anki-txt", &out, &[]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(
        "#separator:tab\n#html:true\n#notetype:Basic (recall)\n#deck column:3\n#tags column:4\n#guid column:5\n"
    ));
    let first = text.lines().nth(6).unwrap();
    let fields: Vec<&str> = first.split('\t').collect();
    assert_eq!(
        fields[0],
        "TCP vs UDP: which one &lt;guarantees&gt; order &amp; delivery?"
    );
    assert!(
        fields[1].contains("TCP.<br>UDP does not: &quot;fire and forget&quot;."),
        "{first}"
    );
    assert_eq!(fields[2], "Networking");
    assert_eq!(fields[3], "transport tcp level::junior recall::deck::net");
    assert_eq!(fields[4], "recall:net-tcp");

    // Import into another learner's recall: same ids, same text, no HTML left, in a deck
    // named as the Anki deck.
    // The deck id travels as a tag, so it comes home as `net`, not as its Anki name.
    let other = imports_back(&sandbox, &out, "net.toml");
    // A second import changes nothing.
    let before = std::fs::read(other.dir.path().join("data/decks/net.toml")).unwrap();
    other
        .recall(NOW)
        .arg("import")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 added, 0 updated, 3 skipped"));
    assert_eq!(
        std::fs::read(other.dir.path().join("data/decks/net.toml")).unwrap(),
        before
    );
}

#[test]
fn an_apkg_holds_the_expected_collection_and_imports_back() {
    let sandbox = Sandbox::new();
    let out = sandbox.dir.path().join("net.apkg");
    export(&sandbox, "apkg", &out, &[]);
    // Exporting twice gives the same bytes (so the same GUIDs).
    let again = sandbox.dir.path().join("again.apkg");
    export(&sandbox, "apkg", &again, &[]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());

    // The package is a zip with a SQLite collection and a media map.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(names, ["collection.anki2", "media"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&db).unwrap(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM notes"), 3);
    assert_eq!(count("SELECT count(*) FROM cards"), 3);
    assert_eq!(count("SELECT ver FROM col"), 11);
    let guids: Vec<String> = conn
        .prepare("SELECT guid FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        guids,
        ["recall:net-tcp", "recall:net-dns", "recall:net-tls"]
    );
    let models: String = conn
        .query_row("SELECT models FROM col", [], |r| r.get(0))
        .unwrap();
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    let model = models.as_object().unwrap().values().next().unwrap();
    assert_eq!(model["name"], "Basic (recall)");
    let fields: Vec<&str> = model["flds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["Front", "Back"]);
    let decks: String = conn
        .query_row("SELECT decks FROM col", [], |r| r.get(0))
        .unwrap();
    assert!(decks.contains("\"name\":\"Networking\""), "{decks}");

    imports_back(&sandbox, &out, "net.toml");
}

#[test]
fn the_bundled_decks_go_to_anki_under_backend_engineering() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .recall(NOW)
        .args([
            "export", "--format", "anki-txt", "--deck", "database", "-o", "-",
        ])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let row = text.lines().nth(6).unwrap();
    assert_eq!(
        row.split('\t').nth(2),
        Some("Backend Engineering::Database"),
        "{row}"
    );
}

/// Anki itself accepts the package: imported with the `anki` Python library when it is
/// installed (CI installs it), and re-importing an updated export updates notes in place.
#[test]
fn anki_imports_the_package_and_updates_notes_on_reimport() {
    if !super::anki::anki_library_present("anki_imports_the_package") {
        return;
    }
    let sandbox = Sandbox::new();
    let first = sandbox.dir.path().join("first.apkg");
    export(&sandbox, "apkg", &first, &[]);
    // The deck is updated and exported again later.
    let decks = sandbox.dir.path().join("mine");
    let deck = decks.join("net.toml");
    let edited = std::fs::read_to_string(&deck).unwrap().replace(
        "How long resolvers may cache the answer.",
        "How long resolvers cache it.",
    );
    std::fs::write(&deck, edited).unwrap();
    let second = sandbox.dir.path().join("second.apkg");
    sandbox
        .recall("2026-03-09T09:00:00Z")
        .arg("--decks")
        .arg(&decks)
        .args(["export", "--deck", "net", "--format", "apkg", "-o"])
        .arg(&second)
        .assert()
        .success();
    let seen = super::anki_import_check(None, &[first, second]);
    assert_eq!(seen["imports"][0]["new"], 3);
    assert_eq!(seen["imports"][1]["new"], 0, "no duplicates");
    // Every note of the newer export counts as updated (their modification time is the
    // export's); what matters is that none is duplicated and the edit arrives.
    assert_eq!(seen["imports"][1]["updated"], 3, "notes updated in place");
    let notes = seen["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 3);
    let dns = notes
        .iter()
        .find(|n| n["guid"] == "recall:net-dns")
        .unwrap();
    assert_eq!(dns["fields"]["Back"], "How long resolvers cache it.");
    assert_eq!(dns["deck"], "Networking");
    assert_eq!(
        dns["tags"],
        serde_json::json!(["dns", "level::senior", "recall::deck::net"])
    );
    let tcp = notes
        .iter()
        .find(|n| n["guid"] == "recall:net-tcp")
        .unwrap();
    assert_eq!(
        tcp["fields"]["Front"],
        "TCP vs UDP: which one &lt;guarantees&gt; order &amp; delivery?"
    );
}

#[test]
fn markdown_csv_and_json_exports() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path();
    export(&sandbox, "markdown", &dir.join("net.md"), &[]);
    let md = std::fs::read_to_string(dir.join("net.md")).unwrap();
    assert!(md.contains("\n## Networking\n"), "{md}");
    assert!(md.contains("\n### DNS: what does a TTL control? *(senior)*\n\nHow long resolvers may cache the answer.\n"), "{md}");
    export(&sandbox, "csv", &dir.join("net.csv"), &[]);
    let csv = std::fs::read_to_string(dir.join("net.csv")).unwrap();
    assert!(
        csv.starts_with("front,back,deck,tags,id,level,source,deck_name,cloze\n"),
        "{csv}"
    );
    assert!(csv.contains("DNS: what does a TTL control?,How long resolvers may cache the answer.,net,dns,net-dns,senior,,Networking,\n"), "{csv}");
    export(&sandbox, "json", &dir.join("net.json"), &[]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("net.json")).unwrap()).unwrap();
    assert_eq!(json["cards"].as_array().unwrap().len(), 3);
    assert!(
        json.get("reviews").is_none(),
        "no personal progress in a shared export"
    );
    // CSV imports back with its ids.
    imports_back(&sandbox, &dir.join("net.csv"), "net.toml");
}

#[test]
fn progress_moves_to_another_machine_through_json_and_merges_once() {
    let sandbox = Sandbox::new();
    // The failed card comes back the same day on a one-minute step (four answers in all).
    sandbox.file("config.toml", "learning_steps = [\"1m\"]\n");
    let decks = user_deck(&sandbox);
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&decks)
        .args(["review", "--deck", "net"])
        .write_stdin("\n3\n\n1\n\n4\n\n3\n")
        .assert()
        .success();
    let file = sandbox.dir.path().join("me.json");
    export(&sandbox, "json", &file, &["--with-progress"]);
    let laptop = Sandbox::new();
    laptop
        .recall(NOW)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Reviews: 4 merged, 0 already present.",
        ));
    laptop
        .recall(NOW)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Reviews: 0 merged, 4 already present.",
        ));
    let dump = |s: &Sandbox| -> Vec<(String, i64, i64)> {
        s.connection()
            .prepare("SELECT card_id, easiness, due FROM card_state ORDER BY card_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(dump(&laptop), dump(&sandbox));
    // --with-progress is only for JSON.
    sandbox
        .recall(NOW)
        .args(["export", "--format", "csv", "--with-progress", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--with-progress goes with --format json",
        ));
}

#[test]
fn backup_writes_a_consistent_copy() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["review", "--limit", "2"])
        .write_stdin("\n3\n\n3\n")
        .assert()
        .success();
    let copy = sandbox.dir.path().join("copy.db");
    sandbox
        .recall(NOW)
        .arg("backup")
        .arg(&copy)
        .assert()
        .success()
        .stdout(predicate::str::contains("Backed up"));
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM review", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Never overwrites.
    sandbox
        .recall(NOW)
        .arg("backup")
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    // The default goes beside the database.
    sandbox
        .recall(NOW)
        .arg("backup")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "data/backups/recall-20260302T090000.000Z.db",
        ));
}

// ---- hostile and malformed input ----

fn import_fails(sandbox: &Sandbox, name: &str, bytes: &[u8], expected: &str) {
    let path = sandbox.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = sandbox
        .recall(NOW)
        .arg("import")
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{name} was accepted");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(expected), "{name}: {err}");
    assert!(
        !sandbox.dir.path().join("data/decks").exists(),
        "nothing written for {name}"
    );
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_file_that_is_not_a_zip_is_refused() {
    import_fails(
        &Sandbox::new(),
        "bad.apkg",
        b"PK\x03\x04 not really a zip",
        "not a readable .apkg (zip) file",
    );
}

#[test]
fn a_zip_entry_that_escapes_the_archive_is_refused() {
    let bytes = zip_with(&[("../../etc/evil", b"x"), ("collection.anki2", b"")]);
    import_fails(
        &Sandbox::new(),
        "evil.apkg",
        &bytes,
        "points outside the archive",
    );
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size() {
    let mut bytes = zip_with(&[("collection.anki2", b"0123456789")]);
    // Claim 4 GiB uncompressed in the central directory, as a bomb would.
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    import_fails(
        &Sandbox::new(),
        "bomb.apkg",
        &bytes,
        "over the limit of 536870912",
    );
}

#[test]
fn a_zip_with_too_many_entries_is_refused() {
    let names: Vec<String> = (0..10_001).map(|i| format!("m{i}")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    import_fails(
        &Sandbox::new(),
        "many.apkg",
        &zip_with(&entries),
        "10001 entries, over the limit of 10000",
    );
}

#[test]
fn an_apkg_without_a_readable_collection_says_why() {
    import_fails(
        &Sandbox::new(),
        "new.apkg",
        &zip_with(&[("collection.anki21b", b"zstd...")]),
        "entry `collection.anki21b`",
    );
    import_fails(
        &Sandbox::new(),
        "junk.apkg",
        &zip_with(&[(
            "collection.anki2",
            b"not sqlite at all, just text padding it out",
        )]),
        "not a readable Anki database",
    );
}

#[test]
fn wrong_field_counts_and_invalid_utf8_are_located() {
    import_fails(
        &Sandbox::new(),
        "short.txt",
        b"#separator:tab\nfront\tback\nonly-one-field\n",
        "short.txt:3:1: row 2 has 1 field(s)",
    );
    import_fails(
        &Sandbox::new(),
        "latin1.txt",
        b"ok\tfine\ncaf\xe9\tx\n",
        "latin1.txt:2:1: not valid UTF-8",
    );
    import_fails(
        &Sandbox::new(),
        "broken.toml",
        b"[deck]\nid = \"x\"\nname = \"X\"\n[[card]]\nid = \"c\"\nfront = \"Q\"\n",
        "broken.toml:4:1: card 1 has no `back`",
    );
    import_fails(
        &Sandbox::new(),
        "weird.json",
        b"{\"format\": \"recall\", \"version\": 1, \"cards\": 7}",
        "weird.json:1:",
    );
}

// ---- large exports and imports, written as they stream ----

/// `numbered_deck("t", n)` in every text format, as recall has always written it.
fn numbered_exports(n: usize) -> Vec<(&'static str, String)> {
    let mut toml = String::from(
        "# Exported by recall; load it with `recall --decks FILE`.\n\n[deck]\nid = \"t\"\nname = \"Test deck\"\ndescription = \"fixture\"\n",
    );
    let mut markdown = String::from("# Backend Engineering study sheet\n\n## Test deck\n");
    let mut anki = String::from(
        "#separator:tab\n#html:true\n#notetype:Basic (recall)\n#deck column:3\n#tags column:4\n#guid column:5\n",
    );
    let mut csv = String::from("front,back,deck,tags,id,level,source,deck_name,cloze\n");
    let mut json = String::from("{\n  \"format\": \"recall\",\n  \"version\": 1,\n  \"cards\": [");
    for k in 1..=n {
        toml.push_str(&format!(
            "\n[[card]]\nid = \"t-{k}\"\nfront = \"Question {k}?\"\nback = \"Answer {k}.\"\n"
        ));
        markdown.push_str(&format!("\n### Question {k}?\n\nAnswer {k}.\n"));
        anki.push_str(&format!(
            "Question {k}?\tAnswer {k}.\tTest deck\trecall::deck::t\trecall:t-{k}\n"
        ));
        csv.push_str(&format!(
            "Question {k}?,Answer {k}.,t,,t-{k},,,Test deck,\n"
        ));
        json.push_str(if k == 1 { "\n" } else { ",\n" });
        json.push_str(&format!(
            "    {{\n      \"id\": \"t-{k}\",\n      \"deck\": \"t\",\n      \"deck_name\": \"Test deck\",\n      \"front\": \"Question {k}?\",\n      \"back\": \"Answer {k}.\",\n      \"tags\": [],\n      \"level\": null,\n      \"source\": null\n    }}"
        ));
    }
    json.push_str("\n  ]\n}\n");
    vec![
        ("toml", toml),
        ("markdown", markdown),
        ("anki-txt", anki),
        ("csv", csv),
        ("json", json),
    ]
}

/// An export of thousands of cards, written a card at a time, is exactly the expected file in
/// every format, whether the cards come from the deck files (no database yet) or from the
/// database's catalog, and whether it goes to a file or to standard output.
#[test]
fn a_large_export_is_exactly_the_expected_file_in_every_format() {
    let sandbox = Sandbox::new();
    let n = 2_500;
    let decks = sandbox.dir.path().join("big");
    sandbox.file("big/t.toml", &super::numbered_deck("t", n));
    let export = |format: &str, out: &str| {
        let output = sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&decks)
            .args(["export", "--deck", "t", "--format", format, "-o", out])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let exports = numbered_exports(n);
    let parsed = sandbox.dir.path().join("parsed");
    for (format, _) in &exports {
        export(format, parsed.join(format).to_str().unwrap());
    }
    export("apkg", parsed.join("t.apkg").to_str().unwrap());
    assert!(!sandbox.db().exists(), "an export creates no database");

    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&decks)
        .arg("status")
        .assert()
        .success();
    let catalogued = sandbox.dir.path().join("catalogued");
    for (format, expected) in &exports {
        let stdout = export(format, "-");
        let out = catalogued.join(format);
        let said = String::from_utf8(export(format, out.to_str().unwrap())).unwrap();
        assert_eq!(said, format!("Exported {n} cards to {}.\n", out.display()));
        for (source, bytes) in [
            ("deck files", std::fs::read(parsed.join(format)).unwrap()),
            ("catalog", std::fs::read(&out).unwrap()),
            ("stdout", stdout),
        ] {
            assert!(
                String::from_utf8(bytes).unwrap() == *expected,
                "{format} from the {source} differs from the expected file"
            );
        }
    }
    let apkg = catalogued.join("t.apkg");
    export("apkg", apkg.to_str().unwrap());
    assert_eq!(
        std::fs::read(&apkg).unwrap(),
        std::fs::read(parsed.join("t.apkg")).unwrap(),
        "the same package from the deck files and from the catalog"
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&apkg).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&db).unwrap(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let notes: Vec<(i64, String, String)> = conn
        .prepare("SELECT id, guid, flds FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(notes.len(), n);
    for (k, (id, guid, fields)) in (1..).zip(&notes) {
        // The export's time (NOW) in ms, then one more per note.
        assert_eq!(*id, 1_772_442_000_000 + k - 1);
        assert_eq!(*guid, format!("recall:t-{k}"));
        assert_eq!(*fields, format!("Question {k}?\u{1f}Answer {k}."));
    }
}

/// An export that fails leaves the file it was to replace as it was, and no `.partial` file.
#[test]
fn a_failed_export_leaves_the_earlier_file_and_no_partial_file() {
    let sandbox = Sandbox::new();
    let out = sandbox.dir.path().join("out/net.csv");
    export(&sandbox, "csv", &out, &[]);
    let earlier = std::fs::read(&out).unwrap();
    let partial = sandbox.dir.path().join("out/net.partial");

    // Nothing matches: refused before anything is written.
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(user_deck(&sandbox))
        .args([
            "export",
            "--format",
            "csv",
            "--tag",
            "nothing-has-this",
            "--force",
            "-o",
        ])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no cards match tag nothing-has-this",
        ));
    assert_eq!(std::fs::read(&out).unwrap(), earlier);
    assert!(!partial.exists());

    // The whole export is written, then cannot take the place of what is there: a directory.
    let taken = sandbox.dir.path().join("out/taken.apkg");
    sandbox.file("out/taken.apkg/keep.txt", "mine");
    for format in ["csv", "apkg"] {
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(user_deck(&sandbox))
            .args([
                "export", "--deck", "net", "--format", format, "--force", "-o",
            ])
            .arg(&taken)
            .assert()
            .failure()
            .stderr(predicate::str::contains("taken.apkg"));
        assert_eq!(
            std::fs::read_to_string(taken.join("keep.txt")).unwrap(),
            "mine"
        );
        assert!(!sandbox.dir.path().join("out/taken.partial").exists());
    }
}

/// Importing a file again updates its cards in place and adds new ones after them; a card
/// whose id another deck already uses, or that repeats an id, is left out and said why.
#[test]
fn reimporting_updates_in_place_appends_new_cards_and_says_what_it_left_out() {
    let sandbox = Sandbox::new();
    let decks = user_deck(&sandbox);
    // A database, so that ids are checked against its catalog.
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&decks)
        .arg("status")
        .assert()
        .success();
    let import = |rows: &[&str]| -> String {
        let mut text = String::from("front,back,deck,tags,id\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        let path = sandbox.file("shared.csv", &text);
        succeeds(
            sandbox
                .recall(NOW)
                .arg("--decks")
                .arg(&decks)
                .args(["import", "--update"])
                .arg(&path),
        )
    };
    // The deck column names the deck: `x`.
    let deck_file = sandbox.dir.path().join("data/decks/x.toml");

    let said = import(&[
        "Q1,A1,x,,a-1",
        "Q2,A2,x,,a-2",
        "Q3,A3,x,,a-3",
        "Not TCP,Other text,x,,net-tcp",
        "Q1 again,A1,x,,a-1",
    ]);
    assert!(
        said.contains("3 added, 0 updated, 2 skipped; deck `x`"),
        "{said}"
    );
    assert!(
        said.contains(
            "  skipped card 4: id `net-tcp` belongs to deck `net` with different text; kept that one\n  skipped card 5: same id as card 1\n"
        ),
        "{said}"
    );

    let said = import(&["Q1,A1,x,,a-1", "Q2 edited,A2,x,,a-2", "Q4,A4,x,,a-4"]);
    assert!(said.contains("1 added, 1 updated, 1 skipped"), "{said}");
    let cards: Vec<(String, String)> = texts_of(&deck_file)
        .into_iter()
        .map(|(id, front, _)| (id, front))
        .collect();
    let expected = [
        ("a-1", "Q1"),
        ("a-2", "Q2 edited"),
        ("a-3", "Q3"),
        ("a-4", "Q4"),
    ];
    assert_eq!(
        cards,
        expected.map(|(id, front)| (id.to_string(), front.to_string()))
    );
    let text = std::fs::read_to_string(&deck_file).unwrap();
    assert!(
        text.starts_with("# Exported by recall; load it with `recall --decks FILE`.\n\n[deck]\nid = \"x\"\nname = \"x\"\ndescription = \"Imported from "),
        "{text}"
    );
    assert!(
        !sandbox
            .dir
            .path()
            .join("data/decks/shared.partial")
            .exists()
    );
}

/// An import of thousands of rows writes exactly the deck file an export of the same cards is.
#[test]
fn a_large_import_writes_exactly_the_expected_deck_file() {
    let sandbox = Sandbox::new();
    let n = 2_500;
    let (_, anki) = numbered_exports(n).swap_remove(2);
    let path = sandbox.file("t.txt", &anki);
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{n} added, 0 updated, 0 skipped"
        )));
    // Anki text names each card's deck, and recall's tag its id: the cards go to that deck.
    let written = std::fs::read_to_string(sandbox.dir.path().join("data/decks/t.toml")).unwrap();
    let mut expected = format!(
        "# Exported by recall; load it with `recall --decks FILE`.\n\n[deck]\nid = \"t\"\nname = \"Test deck\"\ndescription = \"Imported from {} by recall.\"\n",
        path.display()
    );
    for k in 1..=n {
        expected.push_str(&format!(
            "\n[[card]]\nid = \"t-{k}\"\nfront = \"Question {k}?\"\nback = \"Answer {k}.\"\n"
        ));
    }
    assert!(written == expected, "the imported deck file differs");
}

/// An import bigger than one deck file may be is written as several deck files that all
/// load (one file over the limit would stop every later command), and importing it again
/// finds every card already there.
#[test]
fn an_import_too_big_for_one_deck_file_is_written_in_parts_that_load() {
    let sandbox = Sandbox::new();
    let filler = "lorem ipsum dolor sit amet ".repeat(14);
    let n = 90_000;
    let mut text = String::from("#separator:tab\n#html:false\n");
    for i in 0..n {
        text.push_str(&format!("Question {i}?\tAnswer {i}: {filler}\n"));
    }
    let input = sandbox.file("huge.txt", &text);
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{n} added")));
    let dir = sandbox.db().parent().unwrap().join("decks");
    let sizes: Vec<u64> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .collect();
    assert!(sizes.len() > 1, "one file of {sizes:?} bytes");
    assert!(
        sizes
            .iter()
            .all(|&size| size <= recall::deck::MAX_DECK_BYTES),
        "{sizes:?}"
    );
    let cards = |sandbox: &Sandbox| -> u64 {
        let out = succeeds(sandbox.recall(NOW).args(["status", "--json"]));
        let status: serde_json::Value = serde_json::from_str(&out).unwrap();
        status["cards"].as_u64().unwrap()
    };
    let bundled = recall::deck::load(&[]).unwrap().cards.len() as u64;
    assert_eq!(cards(&sandbox), bundled + n);
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "0 added, 0 updated, {n} skipped"
        )));
    assert_eq!(cards(&sandbox), bundled + n);
}
