//! Deck loading from the command line: user decks beside the bundled ones, and one clear,
//! located error per problem in a bad deck, with exit status 2 and nothing written.

use predicates::prelude::*;

use super::{Sandbox, numbered_deck};

const NOW: &str = "2026-03-02T09:00:00Z";

/// Runs `recall --decks FILE cards` on a deck text and returns stderr, asserting exit 2 and
/// that no database was created. (`cards` is strict about decks; the daily commands run on
/// the decks that load, see `a_broken_deck_file_never_stops_the_day`.)
fn deck_errors(text: &str) -> String {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("bad.toml", text);
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .arg("cards")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !sandbox.db().exists(),
        "a bad deck must not lead to a database write"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.replace(&deck.display().to_string(), "bad.toml")
}

const HEADER: &str = "[deck]\nid = \"bad\"\nname = \"Bad\"\ndescription = \"\"\n\n";

#[test]
fn a_toml_syntax_error_is_located() {
    let err = deck_errors(&format!("{HEADER}[[card]]\nid = \"x\nfront = \"Q\"\n"));
    assert!(err.starts_with("recall: bad.toml:7:"), "{err}");
    assert!(err.contains("TOML syntax error"), "{err}");
}

#[test]
fn an_unknown_field_names_the_nearest_known_field() {
    let err = deck_errors(&format!(
        "{HEADER}[[card]]\nid = \"x\"\nfront = \"Q\"\nbak = \"A\"\n"
    ));
    assert_eq!(
        err,
        "recall: bad.toml:6:1: card 1 has no `back` (add `back = \"...\"`)\n\
         recall: bad.toml:9:1: unknown field `bak` in a card (did you mean `back`? a card fields are: id, front, back, cloze, tags, level, source, anki, override)\n"
    );
}

#[test]
fn missing_and_empty_front_or_back_each_get_their_own_line() {
    let err = deck_errors(&format!(
        "{HEADER}[[card]]\nid = \"x\"\nfront = \"\"\nback = \"A\"\n\n[[card]]\nid = \"y\"\nfront = \"Q\"\n"
    ));
    assert_eq!(
        err,
        "recall: bad.toml:8:9: `front` of card 1 is empty (write the front text between the quotes)\n\
         recall: bad.toml:11:1: card 2 has no `back` (add `back = \"...\"`)\n"
    );
}

#[test]
fn a_duplicate_id_across_files_names_both_locations() {
    let sandbox = Sandbox::new();
    let one = sandbox.file("d/one.toml", &numbered_deck("t", 2));
    let two = sandbox.file(
        "d/two.toml",
        "[deck]\nid = \"u\"\nname = \"U\"\n\n[[card]]\nid = \"t-2\"\nfront = \"Other?\"\nback = \"Other.\"\n",
    );
    let out = sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(sandbox.dir.path().join("d"))
        .arg("cards")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        format!(
            "recall: {}:5:1: duplicate card id `t-2`: already defined at {}:11:1 with different content (give one of the two cards a new id, or make both copies identical)\n",
            two.display(),
            one.display()
        )
    );
}

#[test]
fn a_copy_of_a_bundled_deck_counts_once() {
    let sandbox = Sandbox::new();
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("decks/03-technical-responsibilities.toml"),
    )
    .unwrap();
    let copy = sandbox.file("copy.toml", &bundled);
    let count = |extra: Option<&std::path::Path>| -> serde_json::Value {
        let mut cmd = sandbox.recall(NOW);
        if let Some(path) = extra {
            cmd.arg("--decks").arg(path);
        }
        let out = cmd.args(["status", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["cards"].clone()
    };
    assert_eq!(count(None), count(Some(&copy)));
}

#[test]
fn recall_decks_adds_decks_like_the_flag() {
    let sandbox = Sandbox::new();
    let a = sandbox.file("a.toml", &numbered_deck("a", 2));
    let b = sandbox.file("b.toml", &numbered_deck("b", 3));
    let base: u64 = {
        let out = sandbox
            .recall(NOW)
            .args(["status", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["cards"]
            .as_u64()
            .unwrap()
    };
    let out = sandbox
        .recall(NOW)
        .env("RECALL_DECKS", format!("{}:{}", a.display(), b.display()))
        .args(["status", "--json"])
        .output()
        .unwrap();
    let cards = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["cards"]
        .as_u64()
        .unwrap();
    assert_eq!(cards, base + 5);
}

#[test]
fn a_missing_deck_path_says_what_to_pass() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["--decks", "/nonexistent/decks", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "deck path /nonexistent/decks: No such file or directory",
        ))
        .stderr(predicate::str::contains(
            "pass a .toml deck file or a directory",
        ));
}

#[test]
fn a_deck_that_is_not_utf8_is_located() {
    let sandbox = Sandbox::new();
    let path = sandbox.dir.path().join("latin1.toml");
    std::fs::write(&path, b"[deck]\nid = \"x\"\nname = \"caf\xe9\"\n").unwrap();
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&path)
        .arg("cards")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "latin1.toml:3:12: deck file is not valid UTF-8",
        ));
}

#[test]
fn an_edited_deck_is_always_reparsed_even_with_the_same_size_and_time() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 2));
    let front = |s: &Sandbox| -> String {
        let out = s
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--deck", "t"])
            .write_stdin("q\n")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.starts_with("Q: "))
            .unwrap()
            .to_string()
    };
    // An hour old, so its stamp is trusted rather than re-checked as too recent.
    let modified = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let set_modified = |time| {
        std::fs::File::options()
            .write(true)
            .open(&deck)
            .unwrap()
            .set_modified(time)
            .unwrap();
    };
    set_modified(modified);
    assert_eq!(front(&sandbox), "Q: Question 1?");
    // Same length, same modification time, different text.
    let text = std::fs::read_to_string(&deck)
        .unwrap()
        .replace("Question 1?", "Quest10n 1?");
    std::fs::write(&deck, text).unwrap();
    set_modified(modified);
    assert_eq!(front(&sandbox), "Q: Quest10n 1?");
}

/// The card catalog is a cache of the deck files: if it is damaged, `recall rebuild` reads
/// every deck file again.
#[test]
fn rebuild_repairs_a_damaged_card_catalog() {
    let sandbox = Sandbox::new();
    let deck = sandbox.file("t.toml", &numbered_deck("t", 3));
    let new_cards = |sandbox: &Sandbox| sandbox.status_json(NOW, &deck)["new"].clone();
    assert_eq!(new_cards(&sandbox), 20);
    sandbox
        .connection()
        .execute_batch("DELETE FROM card; DELETE FROM card_copy;")
        .unwrap();
    assert_eq!(new_cards(&sandbox), 0, "the damage shows");
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .arg("rebuild")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "deck files: {} parsed again.",
            recall::deck::bundled::DECKS.len() + 1
        )));
    assert_eq!(new_cards(&sandbox), 20);
}

/// Issue 25 item 7: tags you can find. `recall tags` lists them with counts; the bundled
/// decks use one tag per topic (`database` and `databases` were both in use).
#[test]
fn tags_lists_each_tag_once_with_its_count_and_the_bundled_decks_have_no_plural_twins() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .recall(NOW)
        .args(["tags", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let tags: Vec<&str> = rows.iter().map(|r| r["tag"].as_str().unwrap()).collect();
    let database = rows.iter().find(|r| r["tag"] == "database").unwrap();
    assert!(database["cards"].as_u64().unwrap() >= 80, "{database}");
    for tag in &tags {
        for twin in [format!("{tag}s"), format!("{tag}es")] {
            assert!(!tags.contains(&twin.as_str()), "both `{tag}` and `{twin}`");
        }
    }
    // Most used first.
    let counts: Vec<u64> = rows.iter().map(|r| r["cards"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    sandbox
        .recall(NOW)
        .args(["tags", "--deck", "dns"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("tag"))
        .stdout(predicate::str::contains("dns"));
}

#[test]
fn an_unknown_tag_gets_did_you_mean_and_points_to_recall_tags() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["cards", "--tag", "databse"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no loaded card has the tag `databse`; did you mean `database`?",
        ))
        .stderr(predicate::str::contains("`recall tags` lists every tag"));
    // Beside a tag that exists, an unknown one is a warning and the known one still works.
    sandbox
        .recall(NOW)
        .args(["cards", "--tag", "dns", "--tag", "databse"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: no loaded card has the tag `databse`; did you mean `database`?",
        ));
}

#[test]
fn cards_json_carries_front_back_and_tags() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .recall(NOW)
        .args(["cards", "--deck", "dns", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let first = &rows[0];
    assert!(!first["front"].as_str().unwrap().is_empty(), "{first}");
    assert!(!first["back"].as_str().unwrap().is_empty(), "{first}");
    assert!(
        first["tags"].as_array().unwrap().iter().any(|t| t == "dns"),
        "{first}"
    );
}

/// Shell completion offers the bundled deck ids, tags and the levels (before, `--level`
/// completed file names), and still accepts ids and tags of your own decks.
#[test]
fn completion_offers_deck_ids_tags_and_levels() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .recall(NOW)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("compgen -W \"junior senior principal\""));
    // The word lists the script offers.
    let lists: Vec<Vec<&str>> = script
        .split("compgen -W \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|words| words.split(' ').collect())
        .collect();
    assert!(
        lists
            .iter()
            .any(|l| l.contains(&"dns") && l.contains(&"service-communication")),
        "no list of deck ids"
    );
    assert!(
        lists
            .iter()
            .any(|l| l.contains(&"database") && l.contains(&"case-study")),
        "no list of tags"
    );
    // Offered, not imposed: a tag of your own deck is accepted.
    let deck = sandbox.file(
        "mine.toml",
        "[deck]\nid = \"mine\"\nname = \"Mine\"\n\n[[card]]\nid = \"m1\"\nfront = \"x?\"\nback = \"y\"\ntags = [\"my-own-tag\"]\n",
    );
    sandbox
        .recall(NOW)
        .arg("--decks")
        .arg(&deck)
        .args(["cards", "--deck", "mine", "--tag", "my-own-tag"])
        .assert()
        .success()
        .stdout(predicate::str::contains("m1"));
}

/// Issue 25 item 5: one typo in one of the learner's deck files (`front = "oops`) made
/// `status` and `review` exit 2, and none of the bundled cards could be reviewed that day.
/// Now the daily commands run on the decks that load, with one located warning per problem,
/// and the broken file's cards keep their history: when it is fixed they are neither lost
/// nor new. `cards` and `check` stay strict.
#[test]
fn a_broken_deck_file_never_stops_the_day() {
    let sandbox = Sandbox::new();
    let mine = sandbox.file("d/mine.toml", &numbered_deck("t", 2));
    let dir = sandbox.dir.path().join("d");
    let recall = |args: &[&str]| {
        let mut cmd = sandbox.recall(NOW);
        cmd.arg("--decks").arg(&dir).args(args);
        cmd
    };
    // A review of t-1 gives it a history.
    recall(&["review", "--deck", "t", "--limit", "1"])
        .write_stdin("\n3\n")
        .assert()
        .success();
    let state_of_t1 = || -> String {
        let out = recall(&["cards", "--deck", "t", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows.iter().find(|r| r["id"] == "t-1").unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let reviewed = state_of_t1();
    assert_ne!(reviewed, "new");

    // A second file with a typo, and the learner's own deck broken too.
    sandbox.file(
        "d/typo.toml",
        "[deck]\nid = \"typo\"\nname = \"Typo\"\n\n[[card]]\nid = \"x\"\nfront = \"oops\nback = \"b\"\n",
    );
    let good = std::fs::read_to_string(&mine).unwrap();
    std::fs::write(
        &mine,
        good.replace("back = \"Answer 2.\"", "bak = \"Answer 2.\""),
    )
    .unwrap();
    recall(&["status"])
        .assert()
        .success()
        .stderr(predicate::str::is_match(r"recall: warning: \S*typo\.toml:7:14: ").unwrap())
        .stderr(predicate::str::is_match(r"recall: warning: \S*mine\.toml:11:1: ").unwrap())
        .stderr(predicate::str::contains(
            "2 deck files left out until fixed (their cards keep their history)",
        ));
    // The bundled cards can be reviewed that day.
    recall(&["review", "--limit", "1"])
        .write_stdin("\n3\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Q: "));
    for command in [&["stats"][..], &["cram", "--limit", "1"]] {
        recall(command).write_stdin("q\n").assert().success();
    }
    // The strict commands still refuse, naming the problem.
    recall(&["cards"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo.toml:7:14"));
    recall(&["check"]).assert().code(2);

    // Fixed: t-1 is back with its history, not new.
    std::fs::write(&mine, good).unwrap();
    std::fs::remove_file(dir.join("typo.toml")).unwrap();
    recall(&["status"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    assert_eq!(state_of_t1(), reviewed);
}

/// Issue 25 item 6: `recall add` captures a card into your deck from arguments or stdin,
/// with the validation `recall check` does.
#[test]
fn add_captures_a_card_from_arguments_or_stdin_and_refuses_a_clash() {
    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args([
            "add",
            "--front",
            "What is a WAL?",
            "--back",
            "A log written before the data pages.",
            "--tag",
            "database",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"Added card `what-is-a-wal-[0-9a-f]{6}` to \S*my-cards\.toml",
            )
            .unwrap(),
        );
    sandbox
        .recall(NOW)
        .arg("add")
        .write_stdin("Q: What does fsync do?\nA: Flushes a file's data\nto the disk.\nTags: storage\nLevel: senior\n")
        .assert()
        .success();
    let out = sandbox
        .recall(NOW)
        .args(["cards", "--deck", "my-cards", "--json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["back"], "Flushes a file's data\nto the disk.");
    assert_eq!(rows[1]["level"], "senior");
    assert!(
        rows[0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "database")
    );
    // The same front again, or a bundled card's front: refused, naming the card.
    sandbox
        .recall(NOW)
        .args(["add", "--front", "What is a WAL?", "--back", "Other."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a card with this front is already loaded: `what-is-a-wal-",
        ));
    sandbox
        .recall(NOW)
        .args([
            "add",
            "--front",
            "ETag: how does a conditional GET save bandwidth?",
            "--back",
            "x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("(bundled) decks/"));
    // Bad input is located and nothing is written.
    sandbox
        .recall(NOW)
        .arg("add")
        .write_stdin("A: no question\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1: expected `Q:` first"));
    sandbox
        .recall(NOW)
        .args(["add", "--front", "x?", "--back", "y", "--deck", "../escape"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a usable deck id"));
}

/// `recall edit` in a pseudo-terminal with a fake `$EDITOR`: the first save breaks the deck,
/// the problem is shown and the editor opens again; the second save fixes it. The card keeps
/// its id. Saving unchanged after a problem puts the file back.
#[test]
fn edit_validates_on_save_and_reopens_on_a_problem() {
    use expectrl::{Eof, Expect, Session};

    let sandbox = Sandbox::new();
    sandbox
        .recall(NOW)
        .args(["add", "--front", "What is a WAL?", "--back", "A log."])
        .assert()
        .success();
    let out = sandbox
        .recall(NOW)
        .args(["cards", "--deck", "my-cards", "--json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let count = sandbox.dir.path().join("editor-runs");
    // Run 1 breaks the card (a misspelt field); run 2 fixes it with a new answer.
    let editor = sandbox.file(
        "fake-editor.sh",
        &format!(
            "#!/bin/sh\nfile=\"$1\"\nn=$(cat {count} 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > {count}\nif [ $n = 1 ]; then sed -i 's/^back = \"A log.\"/bak = \"A log.\"/' \"$file\"; else sed -i 's/^bak = \"A log.\"/back = \"A write-ahead log.\"/' \"$file\"; fi\n",
            count = count.display()
        ),
    );
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let spawn = |editor: &std::path::Path| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_recall"));
        cmd.env("RECALL_DB", sandbox.db())
            .env("RECALL_NOW", NOW)
            .env("RECALL_CONFIG", sandbox.config())
            .env("EDITOR", editor)
            .env_remove("VISUAL")
            .env("TERM", "xterm")
            .args(["edit", &id]);
        for var in super::CLEARED_ENV {
            cmd.env_remove(var);
        }
        let mut session = Session::spawn(cmd).unwrap();
        session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
        session
    };
    let mut p = spawn(&editor);
    p.expect("unknown field `bak`").unwrap();
    p.expect("opening the editor again").unwrap();
    p.expect("is saved").unwrap();
    p.expect(Eof).unwrap();
    let out = sandbox
        .recall(NOW)
        .args(["cards", "--deck", "my-cards", "--json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["back"], "A write-ahead log.");

    // An editor that breaks the file and then saves it unchanged: the file is put back.
    let deck = sandbox.db().parent().unwrap().join("decks/my-cards.toml");
    let before = std::fs::read_to_string(&deck).unwrap();
    let breaker = sandbox.file(
        "breaker.sh",
        "#!/bin/sh\nsed -i 's/^front = /frnt = /' \"$1\"\n",
    );
    std::fs::set_permissions(
        &breaker,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut p = spawn(&breaker);
    p.expect("put back as it was").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(std::fs::read_to_string(&deck).unwrap(), before);
}

/// Issue 25 item 6: `recall edit` on a bundled card writes your version (an override in your
/// own deck) pre-filled with the bundled text, checks it on save and reopens on a problem;
/// the card keeps its history. Saved unchanged, nothing is written.
#[test]
fn edit_on_a_bundled_card_writes_your_version_and_keeps_its_history() {
    use expectrl::{Eof, Expect, Session};

    let sandbox = Sandbox::new();
    let id = "dns-how-does-a-recursive-resolver-83772d";
    super::succeeds(
        sandbox
            .recall(NOW)
            .args(["review", "--deck", "dns", "--limit", "1"])
            .args(["--search", "recursive resolver with an empty cache"])
            .write_stdin("\n3\n"),
    );
    let reviewed = card_row(&sandbox, NOW, id);
    assert_eq!(reviewed["state"], "learning");
    let mine = sandbox.db().parent().unwrap().join("decks/my-cards.toml");
    let spawn = |editor: &std::path::Path| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_recall"));
        cmd.env("RECALL_DB", sandbox.db())
            .env("RECALL_NOW", NOW)
            .env("RECALL_CONFIG", sandbox.config())
            .env("EDITOR", editor)
            .env_remove("VISUAL")
            .env("TERM", "xterm")
            .args(["edit", id]);
        for var in super::CLEARED_ENV {
            cmd.env_remove(var);
        }
        let mut session = Session::spawn(cmd).unwrap();
        session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
        session
    };
    let script = |name: &str, body: &str| {
        let path = sandbox.file(name, &format!("#!/bin/sh\n{body}"));
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        path
    };

    // Saved unchanged: no file, no version of your own.
    let mut p = spawn(&script("unchanged.sh", "exit 0\n"));
    p.expect("unchanged, so no version of your own was written")
        .unwrap();
    p.expect(Eof).unwrap();
    assert!(!mine.exists());

    // Run 1 sees the bundled text, then misspells `back`; run 2 writes a new answer.
    let count = sandbox.dir.path().join("editor-runs");
    let seen = sandbox.dir.path().join("first-sight.toml");
    let editor = script(
        "fake-editor.sh",
        &format!(
            "file=\"$1\"\nn=$(cat {count} 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > {count}\nif [ $n = 1 ]; then cp \"$file\" {seen}; sed -i 's/^back = /bak = /' \"$file\"; else sed -i 's/^bak = .*/back = \"Root, TLD, authoritative; cached for the TTL.\"/' \"$file\"; fi\n",
            count = count.display(),
            seen = seen.display(),
        ),
    );
    let mut p = spawn(&editor);
    p.expect("unknown field `bak`").unwrap();
    p.expect("opening the editor again").unwrap();
    p.expect("your version is saved in").unwrap();
    p.expect(Eof).unwrap();
    let first_sight = std::fs::read_to_string(&seen).unwrap();
    assert!(first_sight.contains(&format!("id = \"{id}\"\noverride = true\n")));
    assert!(first_sight.contains("DNS: how does a recursive resolver with an empty cache"));

    let yours = card_row(&sandbox, NOW, id);
    assert_eq!(yours["deck"], "my-cards");
    assert_eq!(yours["front"], reviewed["front"]);
    assert_eq!(
        yours["back"],
        "Root, TLD, authoritative; cached for the TTL."
    );
    assert_eq!(schedule_of(&yours), schedule_of(&reviewed));
    assert!(yours["overrides"].is_string(), "{yours}");

    // Editing it again edits your version in place.
    let mut p = spawn(&script(
        "again.sh",
        "sed -i 's/cached for the TTL/each cached for its TTL/' \"$1\"\n",
    ));
    p.expect("my-cards.toml is saved").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(
        card_row(&sandbox, NOW, id)["back"],
        "Root, TLD, authoritative; each cached for its TTL."
    );
}

/// The card with `id` in `recall cards --json` at `now`.
fn card_row(sandbox: &Sandbox, now: &str, id: &str) -> serde_json::Value {
    let out = super::succeeds(sandbox.recall(now).args(["cards", "--json"]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.into_iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no card `{id}` in `recall cards --json`"))
}

/// What a card's schedule and history are, as `recall cards --json` shows them.
fn schedule_of(row: &serde_json::Value) -> [serde_json::Value; 4] {
    ["state", "due", "interval", "lapses"].map(|key| row[key].clone())
}

/// Issue 25 item 6, the leech advice "rewrite it" for a bundled card: the learner's own
/// version (`override = true`, same id) takes the text and keeps the schedule and history,
/// is shown as theirs, and removing it gives back the bundled text with the history intact.
#[test]
fn an_override_rewrites_a_bundled_card_and_keeps_its_history() {
    let sandbox = Sandbox::new();
    let id = "dns-how-does-a-recursive-resolver-83772d";
    let bundled = card_row(&sandbox, NOW, id);
    assert_eq!(bundled["deck"], "dns");
    // Reviewed three times, once forgotten: the start of a leech.
    let mut now = NOW.to_string();
    for grade in ["3", "1", "3"] {
        let shown = super::succeeds(
            sandbox
                .recall(&now)
                .args(["review", "--deck", "dns", "--limit", "1"])
                .args(["--search", "recursive resolver with an empty cache"])
                .write_stdin(format!("\n{grade}\n")),
        );
        assert!(shown.contains("recursive resolver"), "{shown}");
        let due = card_row(&sandbox, &now, id)["due"]
            .as_str()
            .unwrap()
            .to_string();
        now = format!("{due}T09:00:00Z");
    }
    let reviewed = card_row(&sandbox, &now, id);
    assert_eq!(reviewed["lapses"], 1);

    // The learner's version, in their own deck.
    let mine = sandbox.db().parent().unwrap().join("decks/my-cards.toml");
    sandbox.file(
        mine.strip_prefix(sandbox.dir.path()).unwrap().to_str().unwrap(),
        &format!(
            "[deck]\nid = \"my-cards\"\nname = \"My cards\"\n\n[[card]]\nid = \"{id}\"\noverride = true\nfront = \"DNS: walk a cold-cache lookup of api.example.com.\"\nback = \"Root, then .com TLD, then the authoritative server; each answer cached for its TTL.\"\n"
        ),
    );
    let yours = card_row(&sandbox, &now, id);
    assert_eq!(
        yours["front"],
        "DNS: walk a cold-cache lookup of api.example.com."
    );
    assert_eq!(yours["deck"], "my-cards");
    assert!(
        yours["overrides"]
            .as_str()
            .is_some_and(|o| o.starts_with("(bundled) decks/") && o.contains("dns")),
        "{yours}"
    );
    assert_eq!(schedule_of(&yours), schedule_of(&reviewed));
    // The guide still compiles: an override shares its card's id by design.
    let guide = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("guide/fundamentals-of-backend-engineering.md");
    super::succeeds(
        sandbox
            .recall(&now)
            .arg("compile")
            .arg(&guide)
            .arg("-o")
            .arg(sandbox.dir.path().join("compiled")),
    );
    let status: serde_json::Value = serde_json::from_str(&super::succeeds(
        sandbox.recall(&now).args(["status", "--json"]),
    ))
    .unwrap();
    assert_eq!(status["due"], 1, "{status}");
    // Due today, it is reviewed with its new text.
    let shown = super::succeeds(
        sandbox
            .recall(&now)
            .args(["review", "--deck", "my-cards", "--limit", "1"])
            .write_stdin("\n3\n"),
    );
    assert!(shown.contains("walk a cold-cache lookup"), "{shown}");
    let after = card_row(&sandbox, &now, id);
    assert_eq!(after["lapses"], 1);
    assert_ne!(after["due"], reviewed["due"]);

    // Removed: the bundled text is back, with the history the override added to.
    std::fs::remove_file(&mine).unwrap();
    let back = card_row(&sandbox, &now, id);
    assert_eq!(back["front"], bundled["front"]);
    assert_eq!(back["deck"], "dns");
    assert!(back.get("overrides").is_none(), "{back}");
    assert_eq!(schedule_of(&back), schedule_of(&after));
}
