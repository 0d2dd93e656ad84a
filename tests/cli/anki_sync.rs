//! `recall sync --anki`: one history with the learner's Anki collection file, checked with
//! Anki's own library (`scripts/anki_sync_check.py`): a collection built by it, imported into
//! recall, answered in recall over three days, synced back, answered in Anki, synced again.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

use super::anki::anki_library_present;
use super::{Sandbox, succeeds};

/// 2026-02-01, the fixture collection's creation: day 0 of its review due numbers.
const CREATED_DAY: i64 = 20_485;
/// 2026-03-05T00:00:00Z in ms: recall's own answers start here.
const RECALL_STARTS_MS: i64 = 1_772_668_800_000;
const SYNC_AT: &str = "2026-03-07T10:00:00Z";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anki_sync_check.py")
}

fn python(args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new("python3")
        .arg(script())
        .args(args)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The collection (built by Anki's library) and its package, in the sandbox.
fn build(sandbox: &Sandbox, fsrs: bool) -> PathBuf {
    let dir = sandbox.dir.path().join("anki");
    let mut args = vec!["build".as_ref(), dir.as_os_str()];
    if fsrs {
        args.push("--fsrs".as_ref());
    }
    python(&args);
    dir.join("collection.anki2")
}

fn inspect(collection: &Path) -> Value {
    serde_json::from_str(&python(&["inspect".as_ref(), collection.as_os_str()])).unwrap()
}

/// Imports the package, then answers the deck's cards in recall on three days (Good).
fn import_and_review(sandbox: &Sandbox, collection: &Path) {
    let package = collection.with_file_name("deck.apkg");
    succeeds(
        sandbox
            .recall("2026-03-04T09:00:00Z")
            .arg("import")
            .arg(&package),
    );
    // One card recall never answers.
    succeeds(
        sandbox
            .recall("2026-03-04T09:00:00Z")
            .args(["suspend", "anki-g-other"]),
    );
    for day in [
        "2026-03-05T09:00:00Z",
        "2026-03-06T09:00:00Z",
        "2026-03-07T09:00:00Z",
    ] {
        succeeds(
            sandbox
                .recall(day)
                .args(["review", "--deck", "languages"])
                .write_stdin("\n3\n".repeat(10)),
        );
    }
}

fn sync(sandbox: &Sandbox, now: &str, collection: &Path) -> String {
    succeeds(
        sandbox
            .recall(now)
            .arg("sync")
            .arg("--anki")
            .arg(collection),
    )
}

fn revlog_len(state: &Value) -> usize {
    state["revlog"].as_array().unwrap().len()
}

/// Each card recall answered is due in Anki when recall scheduled it, marked for sync.
fn assert_due_as_recall_scheduled(sandbox: &Sandbox, before: &Value, after: &Value) {
    let connection = sandbox.connection();
    let mut stmt = connection
        .prepare(&format!(
            "SELECT s.card_id, s.due, s.interval FROM card_state s WHERE s.card_id IN
               (SELECT card_id FROM review WHERE reviewed_at >= {RECALL_STARTS_MS} AND card_id LIKE 'anki-%')"
        ))
        .unwrap();
    let scheduled: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(scheduled.len() >= 3, "{scheduled:?}");
    for (id, due, interval) in &scheduled {
        let key = match id.strip_prefix("anki-").unwrap().split_once('/') {
            Some((guid, n)) => format!("{guid}/{}", n.parse::<i64>().unwrap() - 1),
            None => format!("{}/0", id.strip_prefix("anki-").unwrap()),
        };
        let card = &after["cards"][&key];
        assert_eq!(card["due"], due - CREATED_DAY, "{key}: {card}");
        assert_ne!(card["due"], before["cards"][&key]["due"], "{key} moved");
        assert_eq!(card["ivl"], *interval, "{key}");
        assert_eq!(
            (&card["type"], &card["queue"], &card["usn"]),
            (&2.into(), &2.into(), &(-1).into())
        );
        assert!(card["data"]["lrt"].as_i64().unwrap() * 1000 >= RECALL_STARTS_MS);
    }
}

/// A card suspended on the phone (Anki's library) is suspended here after the next sync, once.
fn a_card_suspended_on_the_phone_is_suspended_here_once(
    sandbox: &Sandbox,
    now: &str,
    collection: &std::path::Path,
) {
    python(&[
        "suspend".as_ref(),
        collection.as_os_str(),
        "g-basic".as_ref(),
    ]);
    let said = sync(sandbox, now, collection);
    assert!(
        said.contains("Suspended here as in Anki: 1 card."),
        "{said}"
    );
    let suspended = succeeds(sandbox.recall(now).args(["cards", "--suspended", "--json"]));
    assert!(suspended.contains("\"anki-g-basic\""), "{suspended}");
    let said = sync(sandbox, now, collection);
    assert!(!said.contains("Suspended here"), "{said}");
}

/// The card recall never answered, suspended in recall after Anki last changed it, is
/// suspended in Anki by the first sync, and otherwise as Anki had it.
fn the_card_suspended_in_recall_is_suspended_in_anki_and_otherwise_as_it_was(
    said: &str,
    before: &Value,
    after: &Value,
) {
    assert!(
        said.contains("Suspended in Anki as here: 1 card."),
        "{said}"
    );
    let other = |state: &Value| {
        let mut card = state["cards"]["g-other/0"].clone();
        for key in ["queue", "usn", "mod"] {
            card.as_object_mut().unwrap().remove(key);
        }
        card
    };
    assert_eq!(other(after), other(before));
    assert_eq!(after["cards"]["g-other/0"]["queue"], -1);
    assert_eq!(after["cards"]["g-other/0"]["usn"], -1);
}

#[test]
fn sync_anki_adds_recalls_answers_moves_due_dates_and_brings_ankis_back() {
    if !anki_library_present("sync_anki_both_ways") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    let before = inspect(&collection);
    assert_eq!(revlog_len(&before), 5);
    import_and_review(&sandbox, &collection);
    let answered = sandbox.count(&format!(
        "SELECT count(*) FROM review WHERE kind IN ('review', 'drill') AND card_id LIKE 'anki-%' AND reviewed_at >= {RECALL_STARTS_MS}"
    ));
    assert!(answered >= 6, "{answered} answers in recall");
    let log_before = sandbox.count("SELECT count(*) FROM review");

    let said = sync(&sandbox, SYNC_AT, &collection);
    assert!(
        said.contains(&format!("To Anki: {answered} answers added")),
        "{said}"
    );
    assert!(said.contains("From Anki: 0 answers added."), "{said}");
    assert!(said.contains("7 of "), "{said}");
    assert!(said.contains("with no note there left alone"), "{said}");
    assert!(
        said.contains(".recall-backup-20260307T100000.000Z"),
        "{said}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), log_before);

    let after = inspect(&collection);
    // Exactly recall's answers were added; Anki's own rows are as they were.
    assert_eq!(
        revlog_len(&after),
        revlog_len(&before) + usize::try_from(answered).unwrap()
    );
    let old: Vec<&Value> = before["revlog"].as_array().unwrap().iter().collect();
    for row in &old {
        assert!(after["revlog"].as_array().unwrap().contains(row), "{row}");
    }
    for row in after["revlog"].as_array().unwrap() {
        if !old.contains(&row) {
            assert_eq!(row[2], -1, "a new row is marked for Anki's sync: {row}");
            assert!(row[0].as_i64().unwrap() >= RECALL_STARTS_MS, "{row}");
        }
    }
    assert_due_as_recall_scheduled(&sandbox, &before, &after);
    the_card_suspended_in_recall_is_suspended_in_anki_and_otherwise_as_it_was(
        &said, &before, &after,
    );
    assert_eq!(after["untouched"], before["untouched"]);
    assert_eq!(after["media"], before["media"]);
    assert_eq!(after["check_ok"], true, "{}", after["check_problems"]);
    assert!(after["col_mod"].as_i64() > before["col_mod"].as_i64());

    // Again: nothing either way, no second backup.
    let said = sync(&sandbox, SYNC_AT, &collection);
    assert!(said.contains("To Anki: 0 answers added, 0 cards"), "{said}");
    assert!(said.contains("From Anki: 0 answers added."), "{said}");
    assert!(!said.contains("copied"), "{said}");
    assert_eq!(inspect(&collection)["revlog"], after["revlog"]);

    // A review on the phone (Anki's library, now) comes back on the next sync.
    python(&[
        "answer".as_ref(),
        collection.as_os_str(),
        "g-basic".as_ref(),
        "3".as_ref(),
    ]);
    let now = chrono::Utc::now().to_rfc3339();
    let log_before = sandbox.count("SELECT count(*) FROM review");
    let said = sync(&sandbox, &now, &collection);
    assert!(said.contains("From Anki: 1 answer added."), "{said}");
    assert!(said.contains("To Anki: 0 answers added"), "{said}");
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), log_before + 1);
    let newest: String = sandbox
        .connection()
        .query_row(
            "SELECT card_id FROM review ORDER BY reviewed_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(newest, "anki-g-basic");
    let said = sync(&sandbox, &now, &collection);
    assert!(said.contains("From Anki: 0 answers added."), "{said}");
    assert!(said.contains("To Anki: 0 answers added"), "{said}");

    a_card_suspended_on_the_phone_is_suspended_here_once(&sandbox, &now, &collection);

    // An answer in recall after a sync with nothing new still goes over: the mark that let
    // that sync read nothing no longer holds.
    succeeds(sandbox.recall(&now).args(["unsuspend", "anki-g-other"]));
    succeeds(
        sandbox
            .recall(&now)
            .args(["review", "--deck", "languages"])
            .write_stdin("\n3\n"),
    );
    let said = sync(&sandbox, &now, &collection);
    assert!(
        said.contains("To Anki: 1 answer added, 1 card given recall's schedule."),
        "{said}"
    );
    let last = inspect(&collection);
    assert_eq!(last["cards"]["g-other/0"]["usn"], -1);
    assert_eq!(last["check_ok"], true, "{}", last["check_problems"]);
}

fn other_suspended_here(sandbox: &Sandbox) -> bool {
    sandbox.count("SELECT count(*) FROM card_state WHERE card_id = 'anki-g-other' AND suspended")
        == 1
}

#[test]
fn sync_anki_unsuspends_either_way_the_newest_change_winning() {
    if !anki_library_present("sync_anki_unsuspend") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    import_and_review(&sandbox, &collection);
    let said = sync(&sandbox, SYNC_AT, &collection);
    assert!(
        said.contains("Suspended in Anki as here: 1 card."),
        "{said}"
    );
    assert!(!said.contains("Unsuspended"), "{said}");

    // Unsuspended in recall, after Anki's suspension (the sync's own change): Anki's card
    // goes back to its review queue.
    succeeds(
        sandbox
            .recall("2026-03-08T09:00:00Z")
            .args(["unsuspend", "anki-g-other"]),
    );
    let said = sync(&sandbox, "2026-03-08T10:00:00Z", &collection);
    assert!(
        said.contains("Unsuspended in Anki as here: 1 card."),
        "{said}"
    );
    let card = &inspect(&collection)["cards"]["g-other/0"];
    assert_eq!(
        (&card["type"], &card["queue"]),
        (&2.into(), &2.into()),
        "{card}"
    );
    assert_eq!(card["usn"], -1);
    let said = sync(&sandbox, "2026-03-08T10:00:00Z", &collection);
    assert!(!said.contains("uspended"), "{said}");

    // Suspended, then unsuspended on the phone (Anki's library, now): each comes here.
    python(&[
        "suspend".as_ref(),
        collection.as_os_str(),
        "g-other".as_ref(),
    ]);
    let now = chrono::Utc::now().to_rfc3339();
    let said = sync(&sandbox, &now, &collection);
    assert!(
        said.contains("Suspended here as in Anki: 1 card."),
        "{said}"
    );
    assert!(other_suspended_here(&sandbox));
    python(&[
        "unsuspend".as_ref(),
        collection.as_os_str(),
        "g-other".as_ref(),
    ]);
    let now = chrono::Utc::now().to_rfc3339();
    let said = sync(&sandbox, &now, &collection);
    assert!(
        said.contains("Unsuspended here as in Anki: 1 card."),
        "{said}"
    );
    assert!(!other_suspended_here(&sandbox));
    let said = sync(&sandbox, &now, &collection);
    assert!(!said.contains("uspended"), "{said}");
    let last = inspect(&collection);
    assert_eq!(last["cards"]["g-other/0"]["queue"], 2);
    assert_eq!(last["check_ok"], true, "{}", last["check_problems"]);
}

#[test]
fn sync_anki_gives_an_fsrs_collection_recalls_memory_state() {
    if !anki_library_present("sync_anki_fsrs") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, true);
    import_and_review(&sandbox, &collection);
    sync(&sandbox, SYNC_AT, &collection);
    let after = inspect(&collection);
    let card = &after["cards"]["g-basic/0"];
    assert!(card["data"]["s"].as_f64().unwrap() > 0.0, "{card}");
    let difficulty = card["data"]["d"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&difficulty), "{card}");
    assert_eq!(after["check_ok"], true, "{}", after["check_problems"]);
}

#[test]
fn sync_anki_refuses_a_collection_open_in_anki_and_changes_nothing() {
    if !anki_library_present("sync_anki_open") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    import_and_review(&sandbox, &collection);
    let bytes = std::fs::read(&collection).unwrap();
    let mut anki = std::process::Command::new("python3")
        .arg(script())
        .arg("hold")
        .arg(&collection)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(anki.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "open");
    let out = sandbox
        .recall(SYNC_AT)
        .arg("sync")
        .arg("--anki")
        .arg(&collection)
        .output()
        .unwrap();
    drop(anki.stdin.take());
    anki.wait().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is open in Anki"), "{stderr}");
    assert!(stderr.contains("close Anki"), "{stderr}");
    assert_eq!(std::fs::read(&collection).unwrap(), bytes);
    let backups = std::fs::read_dir(collection.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("recall-backup")
        })
        .count();
    assert_eq!(backups, 0);
}

#[test]
fn sync_anki_refuses_a_schema_version_it_does_not_know() {
    if !anki_library_present("sync_anki_schema") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    import_and_review(&sandbox, &collection);
    python(&[
        "set-version".as_ref(),
        collection.as_os_str(),
        "19".as_ref(),
    ]);
    let out = sandbox
        .recall(SYNC_AT)
        .arg("sync")
        .arg("--anki")
        .arg(&collection)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("schema version 19"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
}

#[test]
fn sync_takes_a_folder_or_an_anki_collection_not_both() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .recall(SYNC_AT)
        .args(["sync", "dir", "--anki", "x.anki2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sandbox.recall(SYNC_AT).arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A cloze of recall's, taken into Anki as one Cloze note (`recall:ID`), is one history card
/// by card: each deletion's answers in recall go to its own card in Anki, and an answer on the
/// phone to the second deletion comes back to that deletion's card.
#[test]
fn sync_anki_matches_a_recall_cloze_card_by_card() {
    if !anki_library_present("sync_anki_cloze") {
        return;
    }
    let sandbox = Sandbox::new();
    let deck = sandbox.file(
        "mine/go.toml",
        "[deck]\nid = \"go\"\nname = \"Go\"\ndescription = \"\"\n\n[[card]]\nid = \"go-zero\"\ncloze = \"Zero value of a slice: {{nil}}; of a string: {{the empty string}}.\"\n",
    );
    let package = sandbox.dir.path().join("go.apkg");
    let now = "2026-03-02T09:00:00Z";
    succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--format", "apkg", "--deck", "go", "-o"])
            .arg(&package),
    );
    let collection = sandbox.dir.path().join("anki/collection.anki2");
    python(&[
        "import".as_ref(),
        collection.as_os_str(),
        package.as_os_str(),
    ]);
    // The first deletion answered Good, the second Hard.
    succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args(["review", "--deck", "go"])
            .write_stdin("\n3\n\n2\n"),
    );
    let said = succeeds(
        sandbox
            .recall(now)
            .arg("--decks")
            .arg(&deck)
            .args(["sync", "--anki"])
            .arg(&collection),
    );
    assert!(said.contains(": 2 of "), "{said}");
    assert!(said.contains("To Anki: 2 answers added"), "{said}");
    let state = inspect(&collection);
    let eases = |state: &Value, ord: u32| -> Vec<i64> {
        let card = &state["cards"][format!("recall:go-zero/{ord}")]["id"];
        state["revlog"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row[1] == *card)
            .map(|row| row[3].as_i64().unwrap())
            .collect()
    };
    assert_eq!((eases(&state, 0), eases(&state, 1)), (vec![3], vec![2]));
    assert_eq!(state["check_ok"], true, "{}", state["check_problems"]);

    // The phone answers the second deletion Easy: it comes back to that deletion's card.
    python(&[
        "answer".as_ref(),
        collection.as_os_str(),
        "recall:go-zero".as_ref(),
        "4".as_ref(),
        "1".as_ref(),
    ]);
    let later = chrono::Utc::now().to_rfc3339();
    let said = succeeds(
        sandbox
            .recall(&later)
            .arg("--decks")
            .arg(&deck)
            .args(["sync", "--anki"])
            .arg(&collection),
    );
    assert!(said.contains("From Anki: 1 answer added."), "{said}");
    let newest: (String, i64) = sandbox
        .connection()
        .query_row(
            "SELECT card_id, grade FROM review ORDER BY reviewed_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(newest, ("go-zero-the-empty-string".to_string(), 5));
}

/// A sandbox with the fixture collection (Anki's library) and its package imported.
fn imported() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    succeeds(
        sandbox
            .recall("2026-03-04T09:00:00Z")
            .arg("import")
            .arg(collection.with_file_name("deck.apkg")),
    );
    (sandbox, collection)
}

/// Asserts two lists of rows equal, showing the rows that differ (they run to thousands).
fn assert_same_rows(rebuilt: &[String], kept: &[String]) {
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter()
            .filter(|row| !b.contains(row))
            .take(5)
            .cloned()
            .collect()
    };
    assert!(
        rebuilt == kept,
        "rebuilt only: {:#?}\nkept only: {:#?}",
        only(rebuilt, kept),
        only(kept, rebuilt)
    );
}

#[test]
fn sync_anki_brings_years_of_phone_reviews_in_one_go_as_a_rebuild_has_them() {
    // Past 10,000 answers the merge goes on in bulk (indexes and triggers of the log dropped
    // until the commit, the whole log replayed), switching in the middle of the transaction:
    // what it leaves must be what a rebuild from the log gives, and a second sync adds nothing.
    if !anki_library_present("sync_anki_years") {
        return;
    }
    let (sandbox, collection) = imported();
    let before = sandbox.count("SELECT count(*) FROM review");
    python(&["history".as_ref(), collection.as_os_str(), "10050".as_ref()]);
    let out = sync(&sandbox, SYNC_AT, &collection);
    assert!(out.contains("From Anki: 10050 answers added"), "{out}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review"),
        before + 10_050
    );
    let synced = sandbox.projections();
    assert!(synced.len() > 1_000, "{}", synced.len());
    succeeds(sandbox.recall(SYNC_AT).arg("rebuild"));
    assert_same_rows(&sandbox.projections(), &synced);
    let again = sync(&sandbox, SYNC_AT, &collection);
    assert!(again.contains("From Anki: 0 answers added"), "{again}");
    // Nothing new: the mark from the last sync answers, with the same counts.
    assert_eq!(again.lines().next(), out.lines().next());
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review"),
        before + 10_050
    );
    let check = succeeds(sandbox.recall(SYNC_AT).arg("check"));
    assert!(check.contains("found no damage"), "{check}");
}

#[test]
fn sync_anki_holds_back_an_answer_dated_after_tomorrow_until_its_day_comes() {
    if !anki_library_present("sync_anki_held") {
        return;
    }
    let (sandbox, collection) = imported();
    let before = sandbox.count("SELECT count(*) FROM review");
    // 2026-03-09T12:00:00Z: two days after the sync's clock.
    python(&[
        "answer-at".as_ref(),
        collection.as_os_str(),
        "g-new".as_ref(),
        "1773057600000".as_ref(),
        "3".as_ref(),
    ]);
    let out = sync(&sandbox, SYNC_AT, &collection);
    assert!(out.contains("From Anki: 0 answers added"), "{out}");
    assert!(
        out.contains("1 Anki answer dated after 2026-03-08 or before 1970 held back"),
        "{out}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), before);
    // Its day come, the next sync takes it (no mark was left while it was held).
    let later = sync(&sandbox, "2026-03-09T13:00:00Z", &collection);
    assert!(later.contains("From Anki: 1 answer added"), "{later}");
    assert!(!later.contains("held back"), "{later}");
    assert_eq!(
        sandbox.count("SELECT count(*) FROM review WHERE card_id = 'anki-g-new'"),
        1
    );
}

#[test]
fn sync_anki_leaves_a_card_in_a_filtered_deck_its_anki_schedule_and_gives_it_the_answers() {
    if !anki_library_present("sync_anki_filtered") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    let moved = python(&[
        "filtered".as_ref(),
        collection.as_os_str(),
        "g-basic".as_ref(),
    ]);
    assert_eq!(moved.trim(), "1");
    import_and_review(&sandbox, &collection);
    let before = inspect(&collection);
    let out = sync(&sandbox, SYNC_AT, &collection);
    assert!(
        out.contains("1 card in Anki's filtered decks keep Anki's schedule"),
        "{out}"
    );
    let after = inspect(&collection);
    let (was, now) = (&before["cards"]["g-basic/0"], &after["cards"]["g-basic/0"]);
    // Its place in the filtered deck and the schedule Anki restores when it is emptied.
    assert_eq!(
        (&now["due"], &now["ivl"], &now["type"]),
        (&was["due"], &was["ivl"], &was["type"])
    );
    let id = now["id"].as_i64().unwrap();
    let rows = |state: &Value| {
        state["revlog"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row[1].as_i64() == Some(id))
            .count()
    };
    let answered = sandbox.count(&format!(
        "SELECT count(*) FROM review WHERE card_id = 'anki-g-basic' AND reviewed_at >= {RECALL_STARTS_MS}"
    ));
    assert!(answered > 0);
    assert_eq!(
        rows(&after),
        rows(&before) + usize::try_from(answered).unwrap()
    );
    assert_eq!(after["check_ok"], true, "{}", after["check_problems"]);
}

#[test]
fn a_package_with_years_of_reviews_imports_them_as_a_rebuild_has_them() {
    // An import's history past 10,000 reviews goes into the log in bulk, each entry made as
    // the merge takes it: what it leaves must be what a rebuild from the log gives.
    if !anki_library_present("import_years") {
        return;
    }
    let sandbox = Sandbox::new();
    let collection = build(&sandbox, false);
    python(&["history".as_ref(), collection.as_os_str(), "10050".as_ref()]);
    let package = collection.with_file_name("years.apkg");
    python(&[
        "export".as_ref(),
        collection.as_os_str(),
        package.as_os_str(),
    ]);
    let out = succeeds(sandbox.recall(SYNC_AT).arg("import").arg(&package));
    assert!(
        out.contains("History: 10054 review(s) of 7 card(s); 10054 added"),
        "{out}"
    );
    // The first command after an import loads its deck files into the catalog (the records
    // take their cards' positions from it).
    succeeds(sandbox.recall(SYNC_AT).arg("status"));
    let imported = sandbox.projections();
    assert!(imported.len() > 1_000, "{}", imported.len());
    succeeds(sandbox.recall(SYNC_AT).arg("rebuild"));
    assert_same_rows(&sandbox.projections(), &imported);
    let again = succeeds(sandbox.recall(SYNC_AT).arg("import").arg(&package));
    assert!(again.contains("0 added, 10054 already present"), "{again}");
}
