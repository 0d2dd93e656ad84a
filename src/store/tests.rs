use std::collections::{HashMap, HashSet};

use super::log::insert_entry;
use super::*;
use crate::scheduler::{self, CardState, Rules};
use crate::types::{CardId, Grade, ReviewId};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn answer(store: &Store, card: &str, grade: u8, on: &str, kind: EntryKind) -> LogEntry {
    let card_id = CardId(card.into());
    let before = store
        .records()
        .unwrap()
        .get(&card_id)
        .map_or(CardState::New, |r| r.state);
    let grade = Grade::new(grade).unwrap();
    let at = day(on).and_hms_opt(12, 0, 0).unwrap().and_utc();
    let (ms, rules) = (at.timestamp_millis(), Rules::default());
    let after = match kind {
        EntryKind::Review => {
            scheduler::answer(before, grade, day(on), ms, &card_id.0, &rules, None)
        }
        EntryKind::Drill => scheduler::step_answer(before, grade, day(on), ms, &card_id.0, &rules),
        _ => before,
    };
    LogEntry {
        id: ReviewId::generate(at.timestamp_millis()),
        card_id,
        reviewed_at: at,
        day: day(on),
        kind,
        grade: kind.is_answer().then_some(grade),
        duration_ms: 1500,
        undoes: None,
        until: None,
        before,
        after,
    }
}

fn undo_of(entry: &LogEntry) -> LogEntry {
    LogEntry {
        id: ReviewId::generate(entry.reviewed_at.timestamp_millis()),
        kind: EntryKind::Undo,
        grade: None,
        undoes: Some(entry.id.clone()),
        before: entry.after,
        after: entry.before,
        ..entry.clone()
    }
}

#[test]
fn a_new_database_is_migrated_to_the_current_version() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.schema_version().unwrap(), current_version());
    assert!(store.records().unwrap().is_empty());
}

#[test]
fn an_answer_is_persisted_in_the_log_and_the_projection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/recall.db");
    let entry = {
        let mut store = Store::open(&path).unwrap();
        let entry = answer(&store, "c1", 4, "2026-01-01", EntryKind::Review);
        store.append(&entry).unwrap();
        entry
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.log().unwrap(), vec![entry.clone()]);
    let records = store.records().unwrap();
    assert_eq!(records[&CardId("c1".into())].state, entry.after);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn rebuild_from_the_log_equals_the_incrementally_kept_state() {
    let mut store = Store::open_in_memory().unwrap();
    let plan = [
        ("a", 4, "2026-01-01", EntryKind::Review),
        ("b", 2, "2026-01-01", EntryKind::Review),
        ("b", 3, "2026-01-01", EntryKind::Drill),
        ("b", 5, "2026-01-01", EntryKind::Drill),
        ("a", 5, "2026-01-02", EntryKind::Review),
        ("b", 4, "2026-01-02", EntryKind::Review),
        ("a", 3, "2026-01-08", EntryKind::Review),
    ];
    for (card, grade, on, kind) in plan {
        let entry = answer(&store, card, grade, on, kind);
        store.append(&entry).unwrap();
    }
    // An undone answer must leave no trace in either the projection or the replay.
    let last = answer(&store, "a", 0, "2026-01-30", EntryKind::Review);
    store.append(&last).unwrap();
    store.append(&undo_of(&last)).unwrap();
    let undone_new = answer(&store, "c", 5, "2026-01-30", EntryKind::Review);
    store.append(&undone_new).unwrap();
    store.append(&undo_of(&undone_new)).unwrap();

    // Skips and suspends are projected too, and their undo as well.
    let skip = answer(&store, "b", 0, "2026-01-30", EntryKind::Skip);
    store.append(&skip).unwrap();
    let suspend = answer(&store, "a", 0, "2026-01-30", EntryKind::Suspend);
    store.append(&suspend).unwrap();
    let undone_suspend = answer(&store, "b", 0, "2026-01-30", EntryKind::Suspend);
    store.append(&undone_suspend).unwrap();
    store.append(&undo_of(&undone_suspend)).unwrap();

    let incremental = store.records().unwrap();
    assert_eq!(incremental.len(), 2, "the undone new card has no record");
    store.rebuild().unwrap();
    assert_eq!(store.records().unwrap(), incremental);
    let a = incremental[&CardId("a".into())];
    assert_eq!(a.state.memory().unwrap().interval, 16);
    assert!(a.suspended);
    let b = incremental[&CardId("b".into())];
    assert!(!b.suspended);
    assert_eq!(b.buried_until, Some(day("2026-01-31")));
}

#[test]
fn a_database_from_a_newer_recall_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", current_version() + 1)
            .unwrap();
    }
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("written by a newer recall"), "{err}");
    assert!(err.contains("upgrade recall"), "{err}");
}

#[test]
fn the_log_cannot_be_rewritten() {
    let mut store = Store::open_in_memory().unwrap();
    let entry = answer(&store, "a", 4, "2026-01-01", EntryKind::Review);
    store.append(&entry).unwrap();
    let err = store.conn.execute("DELETE FROM review", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = store
        .conn
        .execute("UPDATE review SET grade = 5", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn a_file_that_is_not_sqlite_gets_a_clear_message_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let content = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &content).unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("is not a recall database"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
}

#[test]
fn day_counts_see_todays_reviews_and_new_cards_but_not_undone_ones() {
    let mut store = Store::open_in_memory().unwrap();
    for card in ["a", "b", "c"] {
        let entry = answer(&store, card, 4, "2026-01-01", EntryKind::Review);
        store.append(&entry).unwrap();
    }
    let undone = answer(&store, "d", 4, "2026-01-01", EntryKind::Review);
    store.append(&undone).unwrap();
    store.append(&undo_of(&undone)).unwrap();
    let again = answer(&store, "a", 5, "2026-01-02", EntryKind::Review);
    store.append(&again).unwrap();
    assert_eq!(
        store.day_counts(day("2026-01-01")).unwrap(),
        DayCounts {
            reviewed: 3,
            new_learned: 3
        }
    );
    assert_eq!(
        store.day_counts(day("2026-01-02")).unwrap(),
        DayCounts {
            reviewed: 1,
            new_learned: 0
        }
    );
    assert_eq!(store.streak(day("2026-01-02")).unwrap(), 2);
    assert_eq!(
        store.streak(day("2026-01-03")).unwrap(),
        2,
        "until today ends"
    );
    assert_eq!(store.streak(day("2026-01-04")).unwrap(), 0);
    assert_eq!(
        store.streak(day("2025-12-31")).unwrap(),
        0,
        "before any study"
    );
    // A day whose only answer was taken back is not a study day.
    let taken_back = answer(&store, "b", 4, "2026-01-03", EntryKind::Review);
    store.append(&taken_back).unwrap();
    assert_eq!(store.streak(day("2026-01-03")).unwrap(), 3);
    store.append(&undo_of(&taken_back)).unwrap();
    assert_eq!(store.streak(day("2026-01-03")).unwrap(), 2);
    assert_eq!(store.streak(day("2026-01-04")).unwrap(), 0);
}

#[test]
fn the_eighth_lapse_makes_a_leech_and_suspends_it() {
    let mut store = Store::open_in_memory().unwrap();
    for n in 1..=8 {
        let entry = answer(
            &store,
            "x",
            1,
            &format!("2026-02-{n:02}"),
            EntryKind::Review,
        );
        store.append(&entry).unwrap();
        let record = store.records().unwrap()[&CardId("x".into())];
        assert_eq!(record.leech, n == 8, "after lapse {n}");
        assert_eq!(record.suspended, n == 8);
    }
    assert_eq!(
        store.records().unwrap()[&CardId("x".into())].label(),
        "leech"
    );
    let unsuspend = answer(&store, "x", 0, "2026-02-09", EntryKind::Unsuspend);
    store.append(&unsuspend).unwrap();
    let record = store.records().unwrap()[&CardId("x".into())];
    assert!(record.leech && !record.suspended);
    store.rebuild().unwrap();
    assert_eq!(store.records().unwrap()[&CardId("x".into())], record);
}

/// A database at `path` with the schema as migration `version` left it (what an older recall
/// wrote), for the upgrade tests.
fn database_at(path: &std::path::Path, version: usize) -> Connection {
    let conn = Connection::open(path).unwrap();
    for step in &schema::MIGRATIONS[..version] {
        conn.execute_batch(step).unwrap();
    }
    conn.pragma_update(None, "user_version", i64::try_from(version).unwrap())
        .unwrap();
    conn
}

fn schema_of(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_upgraded_database_equals_a_fresh_one_keeps_its_log_and_leaves_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    {
        // A database as the first release wrote it: schema v1 and one answer.
        let conn = database_at(&old, 1);
        conn.execute(
            "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, duration_ms)
             VALUES ('r1', 'c1', 0, 20000, 'review', 4, 1000)",
            [],
        )
        .unwrap();
    }
    let upgraded = Store::open(&old).unwrap();
    assert_eq!(upgraded.schema_version().unwrap(), current_version());
    assert_eq!(
        upgraded.log().unwrap().len(),
        1,
        "history survives the upgrade"
    );
    let fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
    assert_eq!(schema_of(&upgraded.conn), schema_of(&fresh.conn));
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("old.db.v1-"))
        .collect();
    assert_eq!(backups.len(), 1, "a copy of the v1 database is kept");
    let backup = Connection::open(backups[0].path()).unwrap();
    let version: i64 = backup
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

/// The activity a scan of `log` gives, worked out in Rust from the entries themselves: what
/// the projections must always equal. An answer counts unless an undo names it, as in
/// [`Store::answers`].
fn scanned_activity(log: &[LogEntry], today: NaiveDate) -> Activity {
    let undone: HashSet<&ReviewId> = log.iter().filter_map(|e| e.undoes.as_ref()).collect();
    let answers: Vec<Answer> = log
        .iter()
        .filter(|e| !undone.contains(&e.id))
        .filter_map(|e| {
            Some(Answer {
                card_id: e.card_id.clone(),
                day: e.day,
                kind: e.kind,
                grade: e.grade.filter(|_| e.kind.is_answer())?,
                duration_ms: e.duration_ms,
                interval_before: e.before.memory().map(|m| m.interval),
            })
        })
        .collect();
    let every_card: HashSet<&CardId> = answers.iter().map(|a| &a.card_id).collect();
    crate::stats::activity_of(&answers, &every_card, today)
}

/// A scheduled card with `interval` days, as the state before a review.
fn seen(interval: u32, on: NaiveDate) -> CardState {
    CardState::Scheduled(scheduler::Memory {
        repetitions: 2,
        easiness: crate::types::Easiness::INITIAL,
        interval,
        due: on,
        lapses: 0,
        reviews: 2,
        last_review: on,
        fsrs: None,
        learning: None,
    })
}

/// An answer of `kind` to `card` on day `on`, with the card's interval before it (`None`: new).
fn graded(card: &str, kind: EntryKind, grade: u8, on: &str, interval: Option<u32>) -> LogEntry {
    let at = day(on).and_hms_opt(12, 0, 0).unwrap().and_utc();
    let before = interval.map_or(CardState::New, |i| seen(i, day(on)));
    LogEntry {
        id: ReviewId::generate(at.timestamp_millis()),
        card_id: CardId(card.into()),
        reviewed_at: at,
        day: day(on),
        kind,
        grade: Grade::new(grade),
        duration_ms: 2000,
        undoes: None,
        until: None,
        before,
        after: before,
    }
}

/// Every row of `day_activity` (all columns) and of `card_activity`, in key order.
type ActivityRows = (Vec<Vec<i64>>, Vec<(String, i64, i64)>);

fn activity_rows(conn: &Connection) -> ActivityRows {
    let days = conn
        .prepare("SELECT * FROM day_activity ORDER BY day")
        .unwrap()
        .query_map([], |r| (0..8).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let cards = conn
        .prepare("SELECT card_id, passed, total FROM card_activity ORDER BY card_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (days, cards)
}

#[test]
fn the_activity_projections_count_answers_by_day_and_card_and_forget_undone_ones() {
    let mut store = Store::open_in_memory().unwrap();
    let plan = [
        graded("a", EntryKind::Review, 4, "2026-01-01", None),
        graded("a", EntryKind::Review, 2, "2026-01-02", Some(1)),
        graded("a", EntryKind::Drill, 4, "2026-01-02", Some(1)),
        graded("b", EntryKind::Review, 5, "2026-01-02", Some(30)),
        graded("b", EntryKind::Cram, 1, "2026-01-02", Some(40)),
    ];
    for entry in &plan {
        store.append(entry).unwrap();
    }
    // Undone: a mature pass of b, and the only answer of its day.
    let undone = graded("b", EntryKind::Review, 3, "2026-01-05", Some(60));
    store.append(&undone).unwrap();
    store.append(&undo_of(&undone)).unwrap();

    let activity = store.activity(day("2026-01-02")).unwrap();
    assert_eq!(activity.days.len(), 2, "no row is left for 2026-01-05");
    let second = activity.days[&day("2026-01-02")];
    assert_eq!(
        (second.answers, second.passed, second.time_ms),
        (4, 2, 8000)
    );
    assert_eq!(
        second.young,
        Tally {
            passed: 0,
            total: 1
        }
    );
    assert_eq!(
        second.mature,
        Tally {
            passed: 1,
            total: 1
        }
    );
    assert_eq!(
        activity.cards[&CardId("a".into())],
        Tally {
            passed: 0,
            total: 1
        }
    );
    assert_eq!(
        activity.cards[&CardId("b".into())],
        Tally {
            passed: 1,
            total: 1
        }
    );
    assert_eq!(
        activity.today,
        DayCounts {
            reviewed: 2,
            new_learned: 0
        }
    );
    assert_eq!(
        activity,
        scanned_activity(&store.log().unwrap(), day("2026-01-02"))
    );
}

#[test]
fn an_answer_merged_after_its_undo_is_not_counted_and_a_second_undo_takes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let answer = graded("a", EntryKind::Review, 4, "2026-01-02", Some(3));
    let kept = graded("a", EntryKind::Review, 4, "2026-01-02", Some(5));
    let undo = undo_of(&answer);
    let again = undo_of(&answer);
    // Another device's log, arriving undo first.
    store.append_bulk(std::slice::from_ref(&undo)).unwrap();
    store
        .append_bulk(&[kept.clone(), answer.clone(), again])
        .unwrap();
    let activity = store.activity(day("2026-01-02")).unwrap();
    assert_eq!(activity.days[&day("2026-01-02")].answers, 1);
    assert_eq!(
        activity.cards[&CardId("a".into())],
        Tally {
            passed: 1,
            total: 1
        }
    );
    assert_eq!(
        activity,
        scanned_activity(&store.log().unwrap(), day("2026-01-02"))
    );
}

#[test]
fn day_counts_leave_out_an_answer_undone_by_an_entry_dated_the_day_before() {
    // A clock set back between an answer and its undo (or `RECALL_NOW`): the undo still takes
    // the answer back, as it does for `answers` and the statistics. Day counts once looked for
    // undos only from the answer's day on.
    let mut store = Store::open_in_memory().unwrap();
    let answer = graded("a", EntryKind::Review, 4, "2026-01-02", None);
    store.append(&answer).unwrap();
    let mut undo = undo_of(&answer);
    undo.day = day("2026-01-01");
    store.append(&undo).unwrap();
    assert_eq!(
        store.day_counts(day("2026-01-02")).unwrap(),
        DayCounts::default()
    );
    assert!(store.answers().unwrap().is_empty());
}

#[test]
fn rebuild_repairs_damaged_activity_projections() {
    let mut store = Store::open_in_memory().unwrap();
    for (card, grade, on, interval) in [
        ("a", 4, "2026-01-01", None),
        ("a", 4, "2026-01-02", Some(1)),
        ("b", 1, "2026-01-02", Some(25)),
        ("b", 4, "2026-01-03", Some(1)),
    ] {
        store
            .append(&graded(card, EntryKind::Review, grade, on, interval))
            .unwrap();
    }
    let undone = graded("c", EntryKind::Review, 5, "2026-01-03", Some(2));
    store.append(&undone).unwrap();
    store.append(&undo_of(&undone)).unwrap();
    let today = day("2026-01-03");
    let healthy = store.activity(today).unwrap();
    let rows = activity_rows(&store.conn);
    // Damage of every kind: rows lost, counts wrong, rows that should not be there.
    store
        .conn
        .execute_batch(
            "DELETE FROM day_activity WHERE day = (SELECT min(day) FROM day_activity);
             UPDATE day_activity SET answers = answers + 7, young_total = 0;
             DELETE FROM card_activity WHERE card_id = 'a';
             UPDATE card_activity SET passed = 99;
             INSERT INTO card_activity VALUES ('ghost', 1, 2);
             INSERT INTO day_activity VALUES (1, 1, 1, 1, 1, 1, 1, 1);",
        )
        .unwrap();
    assert_ne!(store.activity(today).unwrap(), healthy);
    store.rebuild().unwrap();
    assert_eq!(store.activity(today).unwrap(), healthy);
    assert_eq!(
        activity_rows(&store.conn),
        rows,
        "row for row, as the triggers kept them"
    );
    assert_eq!(healthy, scanned_activity(&store.log().unwrap(), today));

    // Counts wrong and nothing missing: found by comparing, row by row.
    store
        .conn
        .execute_batch("UPDATE card_activity SET passed = passed + 1 WHERE card_id = 'b';")
        .unwrap();
    assert_ne!(activity_rows(&store.conn), rows);
    store.rebuild().unwrap();
    assert_eq!(activity_rows(&store.conn), rows);

    // Healthy projections: a rebuild writes none of `card_activity`'s rows.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TABLE writes (n INTEGER NOT NULL);
             INSERT INTO writes VALUES (0);
             CREATE TEMP TRIGGER count_inserts AFTER INSERT ON card_activity
                 BEGIN UPDATE writes SET n = n + 1; END;
             CREATE TEMP TRIGGER count_updates AFTER UPDATE ON card_activity
                 BEGIN UPDATE writes SET n = n + 1; END;
             CREATE TEMP TRIGGER count_deletes AFTER DELETE ON card_activity
                 BEGIN UPDATE writes SET n = n + 1; END;",
        )
        .unwrap();
    store.rebuild().unwrap();
    let writes: i64 = store
        .conn
        .query_row("SELECT n FROM writes", [], |row| row.get(0))
        .unwrap();
    assert_eq!(writes, 0, "card_activity rows written by a healthy rebuild");
}

#[test]
fn an_upgraded_database_has_the_activity_of_its_whole_log() {
    // A v3 database with a log of answers, drills, crams, a mature review and an undo: the
    // migration fills the projections, exactly as a rebuild computes them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let log = {
        let mut store = Store::open_in_memory().unwrap();
        let undone = graded("b", EntryKind::Review, 4, "2026-01-03", Some(8));
        for entry in [
            graded("a", EntryKind::Review, 4, "2026-01-01", None),
            graded("a", EntryKind::Review, 1, "2026-01-02", Some(1)),
            graded("a", EntryKind::Drill, 4, "2026-01-02", Some(1)),
            graded("b", EntryKind::Review, 5, "2026-01-03", Some(30)),
            graded("b", EntryKind::Cram, 3, "2026-01-03", Some(31)),
            undone.clone(),
            undo_of(&undone),
        ] {
            store.append(&entry).unwrap();
        }
        store.log().unwrap()
    };
    {
        let conn = database_at(&path, 3);
        // `insert_entry` names the FSRS and step columns of v9: lend them for the inserts.
        let steps = [
            "before_s",
            "before_d",
            "after_s",
            "after_d",
            "before_step",
            "before_step_due",
            "after_step",
            "after_step_due",
        ];
        for column in steps {
            conn.execute_batch(&format!("ALTER TABLE review ADD COLUMN {column} INTEGER"))
                .unwrap();
        }
        for entry in &log {
            insert_entry(&conn, entry).unwrap();
        }
        for column in steps {
            conn.execute_batch(&format!("ALTER TABLE review DROP COLUMN {column}"))
                .unwrap();
        }
    }
    let mut store = Store::open(&path).unwrap();
    let today = day("2026-01-03");
    let migrated = store.activity(today).unwrap();
    assert_eq!(migrated, scanned_activity(&log, today));
    assert_eq!(migrated.days.len(), 3);
    let rows = activity_rows(&store.conn);
    store.rebuild().unwrap();
    assert_eq!(activity_rows(&store.conn), rows);
}

mod properties {
    use super::*;
    use crate::review::session::Session;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Answer(u8),
        Skip,
        Suspend,
        Undo,
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        prop::collection::vec(
            prop_oneof![
                6 => (0u8..=5).prop_map(Step::Answer),
                1 => Just(Step::Skip),
                1 => Just(Step::Suspend),
                2 => Just(Step::Undo),
            ],
            1..40,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Sessions over several days, with answers, skips, suspends and undos in any order:
        /// the incrementally kept projection always equals a rebuild from the log.
        #[test]
        fn replaying_the_log_equals_the_incremental_state(days in prop::collection::vec(steps(), 1..5)) {
            let mut store = Store::open_in_memory().unwrap();
            let ids: Vec<CardId> = (0..6).map(|i| CardId(format!("c{i}"))).collect();
            for (n, steps) in days.iter().enumerate() {
                let today = day("2026-01-01") + chrono::Duration::days(n as i64 * 3);
                let now = today.and_hms_opt(12, 0, 0).unwrap().and_utc();
                let records = store.records().unwrap();
                let cards = ids
                    .iter()
                    .filter(|id| records.get(*id).is_none_or(|r| r.available(today)))
                    .map(|id| (id.clone(), records.get(id).map_or(CardState::New, |r| r.state)))
                    .collect();
                let mut session = Session::new(cards);
                for step in steps {
                    let entry = match step {
                        Step::Answer(g) => session.prepare_answer(Grade::new(*g).unwrap(), now, today, 1000),
                        Step::Skip => session.prepare_set_aside(EntryKind::Skip, now, today),
                        Step::Suspend => session.prepare_set_aside(EntryKind::Suspend, now, today),
                        Step::Undo => session.prepare_undo(now, today),
                    };
                    if let Some(entry) = entry {
                        store.append(&entry).unwrap();
                        session.apply(entry);
                    }
                }
            }
            let incremental = store.records().unwrap();
            store.rebuild().unwrap();
            prop_assert_eq!(store.records().unwrap(), incremental);
        }

        /// Answers of every kind, undos (of answers, of set-asides, of undos, twice over)
        /// arriving in any order: the activity projections always equal a scan of the log,
        /// whether the entries were appended in order, bulk-loaded shuffled (as merged logs
        /// arrive) or merged, and a rebuild changes nothing.
        #[test]
        fn the_activity_projections_equal_a_scan_of_the_log(
            ops in prop::collection::vec(op(), 1..60),
            order in prop::collection::vec(any::<u32>(), 60),
            today in 0u8..12,
        ) {
            let today = day("2026-01-01") + chrono::Duration::days(i64::from(today));
            // The log as appended: an answer is applied to the card's state as the store has
            // it, so a made-up before-state may be replaced by the real one.
            let mut in_order = Store::open_in_memory().unwrap();
            let log: Vec<LogEntry> = entries(&ops)
                .iter()
                .map(|entry| in_order.append(entry).unwrap())
                .collect();
            let expected = scanned_activity(&log, today);
            prop_assert_eq!(&in_order.activity(today).unwrap(), &expected);
            // A log appended in time order is replayed in one pass: no card is late.
            let replay = super::replay::project_streaming_with(
                &in_order.conn, &in_order.device, &Rules::default(), 0, 0,
            ).unwrap();
            prop_assert_eq!(replay.late, 0);
            let answers = in_order.answers().unwrap();
            let every_card: HashSet<&CardId> = answers.iter().map(|a| &a.card_id).collect();
            prop_assert_eq!(
                &crate::stats::activity_of(&answers, &every_card, today),
                &expected,
                "Store::answers means the same"
            );

            let mut shuffled: Vec<&LogEntry> = log.iter().collect();
            let mut keys = order.iter().cycle();
            shuffled.sort_by_cached_key(|_| keys.next().copied());
            let mut bulk = Store::open_in_memory().unwrap();
            for entry in &shuffled {
                bulk.append_bulk(std::slice::from_ref(*entry)).unwrap();
            }
            prop_assert_eq!(&bulk.activity(today).unwrap(), &expected);
            let kept = activity_rows(&bulk.conn);
            bulk.rebuild().unwrap();
            prop_assert_eq!(activity_rows(&bulk.conn), kept);
            // The replay reads the log as stored and replays again, sorted, each card with an
            // entry stored out of order: one by one or in one sorted pass, the records are
            // those of the whole log replayed in order.
            replays_as_sorted(&bulk)?;

            let mut merged = Store::open_in_memory().unwrap();
            let (first, second) = shuffled.split_at(shuffled.len() / 2);
            for part in [second, first] {
                let part: Vec<LogEntry> = part.iter().map(|e| (*e).clone()).collect();
                merged.merge(&part).unwrap();
            }
            prop_assert_eq!(&merged.activity(today).unwrap(), &expected);

            // Two other devices' logs merged into a third's: entries of one time are replayed
            // in device order, so every replay way must compare devices by name.
            let mut devices = Store::open_in_memory().unwrap();
            let (mine, theirs) = shuffled.split_at(shuffled.len() / 3);
            let (laptop, phone) = theirs.split_at(theirs.len() / 2);
            for (device, part) in [("phone", phone), ("laptop", laptop)] {
                let part: Vec<(i64, LogEntry)> =
                    part.iter().zip(1..).map(|(e, seq)| (seq, (*e).clone())).collect();
                devices.merge_device(device, &part).unwrap();
            }
            for entry in mine {
                devices.append_bulk(std::slice::from_ref(*entry)).unwrap();
            }
            devices.rebuild().unwrap();
            replays_as_sorted(&devices)?;
        }
    }

    /// The store's records, and every way of replaying late cards (one by one, sorted in
    /// memory, sorted by `SQLite` past the memory budget), equal the in-memory replay of its
    /// whole log in replay order.
    fn replays_as_sorted(store: &Store) -> Result<(), TestCaseError> {
        let sorted = super::replay::project(&store.log().unwrap(), &Rules::default());
        prop_assert_eq!(&store.records().unwrap(), &sorted);
        let in_memory = super::replay::LATE_IN_MEMORY;
        for (per_card, in_memory) in [(usize::MAX, in_memory), (0, in_memory), (0, 0), (0, 1)] {
            let replay = super::replay::project_streaming_with(
                &store.conn,
                &store.device,
                &Rules::default(),
                per_card,
                in_memory,
            )
            .unwrap();
            let records: HashMap<CardId, CardRecord> = replay
                .cards
                .into_iter()
                .map(|(card, replayed)| (card, replayed.record))
                .filter(|(_, record)| *record != CardRecord::default())
                .collect();
            prop_assert_eq!(&records, &sorted);
        }
        Ok(())
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// An answer of kind 0 review, 1 drill, 2 cram to card `card` on day `day`, with the
        /// card's interval before it (`None`: new).
        Answer {
            card: u8,
            kind: u8,
            grade: u8,
            day: u8,
            interval: Option<u8>,
            ms: u16,
        },
        /// A skip or suspend.
        SetAside { card: u8, day: u8 },
        /// An undo of an earlier entry, picked by `target` modulo their number, on `day`.
        Undo { target: usize, day: u8 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0u8..4, 0u8..3, 0u8..=5, 0u8..12, prop::option::of(0u8..40), 0u16..5000)
                .prop_map(|(card, kind, grade, day, interval, ms)| Op::Answer {
                    card, kind, grade, day, interval, ms
                }),
            1 => (0u8..4, 0u8..12).prop_map(|(card, day)| Op::SetAside { card, day }),
            3 => (any::<usize>(), 0u8..12).prop_map(|(target, day)| Op::Undo { target, day }),
        ]
    }

    fn entries(ops: &[Op]) -> Vec<LogEntry> {
        let on = |d: u8| day("2026-01-01") + chrono::Duration::days(i64::from(d));
        let mut log: Vec<LogEntry> = Vec::new();
        for (n, op) in ops.iter().enumerate() {
            let entry = match op {
                Op::Answer {
                    card,
                    kind,
                    grade,
                    day,
                    interval,
                    ms,
                } => {
                    let kind =
                        [EntryKind::Review, EntryKind::Drill, EntryKind::Cram][*kind as usize];
                    let mut entry = graded(&format!("c{card}"), kind, *grade, "2026-01-01", None);
                    entry.day = on(*day);
                    entry.before =
                        interval.map_or(CardState::New, |i| seen(u32::from(i), on(*day)));
                    entry.duration_ms = u32::from(*ms);
                    // Some answers before an exam, which every replay must honour.
                    entry.until = (ms % 4 == 0).then(|| on(*day) + chrono::Duration::days(6));
                    entry
                }
                Op::SetAside { card, day } => {
                    let mut entry =
                        graded(&format!("c{card}"), EntryKind::Skip, 0, "2026-01-01", None);
                    entry.grade = None;
                    entry.day = on(*day);
                    entry
                }
                Op::Undo { target, day } => {
                    if log.is_empty() {
                        continue;
                    }
                    let mut undo = undo_of(&log[target % log.len()]);
                    undo.day = on(*day);
                    undo
                }
            };
            // Distinct times keep the replay order that of the plan.
            let at = day("2026-01-01").and_hms_opt(0, 0, 0).unwrap().and_utc()
                + chrono::Duration::seconds(n as i64);
            log.push(LogEntry {
                reviewed_at: at,
                ..entry
            });
        }
        log
    }
}

#[test]
fn reads_made_consistently_do_not_see_what_another_process_writes_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    let reader = Store::open(&path).unwrap();
    let mut writer = Store::open(&path).unwrap();
    let count = |store: &Store| {
        let mut n = 0;
        store
            .log_for_each(|_| {
                n += 1;
                Ok(())
            })
            .unwrap();
        n
    };
    let entry = answer(&writer, "c1", 4, "2026-03-02", EntryKind::Review);
    writer.append(&entry).unwrap();
    let (first, second) = reader
        .read_consistently(|| {
            let first = count(&reader);
            let entry = answer(&writer, "c2", 4, "2026-03-02", EntryKind::Review);
            writer.append(&entry).unwrap();
            Ok((first, count(&reader)))
        })
        .unwrap();
    assert_eq!((first, second), (1, 1));
    assert_eq!(count(&reader), 2, "seen once the reads are done");
}

/// Rebuild writes only the records that differ from the stored ones; whatever the damage —
/// a wrong row, a lost row, a row for a card with no history — it ends as the log says.
#[test]
fn rebuild_repairs_a_damaged_card_state_projection() {
    let mut store = Store::open_in_memory().unwrap();
    for (card, grade, on) in [
        ("a", 4, "2026-01-01"),
        ("b", 4, "2026-01-01"),
        ("c", 2, "2026-01-01"),
        ("a", 5, "2026-01-02"),
    ] {
        let entry = answer(&store, card, grade, on, EntryKind::Review);
        store.append(&entry).unwrap();
    }
    let healthy = store.records().unwrap();
    store
        .conn
        .execute_batch(
            "UPDATE card_state SET interval = 400, suspended = 1 WHERE card_id = 'a';
             DELETE FROM card_state WHERE card_id = 'b';
             INSERT INTO card_state (card_id, repetitions, easiness, interval, due)
                 VALUES ('ghost', 3, 250, 10, 20500);",
        )
        .unwrap();
    assert_ne!(store.records().unwrap(), healthy);
    assert_eq!(store.rebuild().unwrap(), 3);
    assert_eq!(store.records().unwrap(), healthy);
    assert_eq!(
        store.rebuild().unwrap(),
        3,
        "a healthy projection stays as it is"
    );
    assert_eq!(store.records().unwrap(), healthy);
}

/// Two stores on one file: two recall processes.
fn two_processes() -> (tempfile::TempDir, Store, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    let first = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap();
    (dir, first, second)
}

#[test]
fn a_review_given_elsewhere_the_same_day_makes_this_answer_a_re_drill() {
    let (_dir, mut first, mut second) = two_processes();
    // Both sessions showed the card while it was new.
    let mine = answer(&first, "c", 4, "2026-01-05", EntryKind::Review);
    let theirs = answer(&second, "c", 4, "2026-01-05", EntryKind::Review);
    let kept = second.append(&theirs).unwrap();
    assert_eq!(kept, theirs, "the first answer is written as given");
    let written = first.append(&mine).unwrap();
    assert_eq!(written.kind, EntryKind::Drill);
    assert_eq!(written.until, None);
    let state = first.records().unwrap()[&CardId("c".into())].state;
    assert_eq!(
        written.before, theirs.after,
        "applied to the state as it is now"
    );
    assert_eq!(
        written.after, state,
        "the record is the re-drill's after-state"
    );
    let sm2 = |s: &CardState| {
        let m = s.memory().unwrap();
        (m.repetitions, m.easiness, m.interval, m.due, m.reviews)
    };
    assert_eq!(
        sm2(&written.after),
        sm2(&written.before),
        "a re-drill changes no SM-2 schedule"
    );
    assert_eq!(
        state.memory().unwrap().interval,
        1,
        "one scheduled review, not two"
    );
    assert_eq!(first.log().unwrap().last().unwrap(), &written);
}

#[test]
fn a_review_given_elsewhere_on_an_earlier_day_is_built_upon_not_overwritten() {
    let (_dir, mut first, mut second) = two_processes();
    let theirs = answer(&second, "c", 4, "2026-01-05", EntryKind::Review);
    // This session read the card's state before the other one answered it.
    let mut mine = answer(&first, "c", 4, "2026-01-06", EntryKind::Review);
    mine.before = CardState::New;
    mine.after = scheduler::schedule(
        CardState::New,
        Grade::new(4).unwrap(),
        day("2026-01-06"),
        "c",
        &Rules::default(),
    );
    second.append(&theirs).unwrap();
    let written = first.append(&mine).unwrap();
    assert_eq!(written.kind, EntryKind::Review);
    assert_eq!(written.before, theirs.after);
    let state = first.records().unwrap()[&CardId("c".into())].state;
    assert_eq!(
        written.after, state,
        "the log's after-state is the kept state"
    );
    assert_eq!(state.memory().unwrap().repetitions, 2, "both reviews count");
    let kept = first.records().unwrap();
    first.rebuild().unwrap();
    assert_eq!(first.records().unwrap(), kept);
}

#[test]
fn an_answer_whose_before_state_is_current_is_written_as_given() {
    let mut store = Store::open_in_memory().unwrap();
    let entry = answer(&store, "c", 3, "2026-01-05", EntryKind::Review);
    assert_eq!(store.append(&entry).unwrap(), entry);
    let next = answer(&store, "c", 4, "2026-01-09", EntryKind::Review);
    assert_eq!(store.append(&next).unwrap(), next);
}

#[test]
fn a_before_state_that_differs_without_a_review_in_between_stands() {
    // Same number of reviews, other figures (as after a scheduler switch elsewhere): no
    // other session answered the card, so the caller's answer is written as given.
    let (_dir, mut first, mut second) = two_processes();
    let seed = answer(&second, "c", 4, "2026-01-05", EntryKind::Review);
    second.append(&seed).unwrap();
    let mut mine = answer(&first, "c", 4, "2026-01-09", EntryKind::Review);
    let Some(mut memory) = mine.before.memory().copied() else {
        panic!("reviewed once")
    };
    memory.interval += 3;
    mine.before = CardState::Scheduled(memory);
    let written = first.append(&mine).unwrap();
    assert_eq!(written, mine);
}

/// Schema v9 keeps FSRS's stability and difficulty as FSRS computes them: a v8 database's
/// thousandths are read as days, in the projection (converted in place) and in the
/// append-only log (read through the old columns); and its projection, computed by the old
/// rules, is replayed once.
#[test]
fn fsrs_thousandths_of_a_v8_database_read_as_days() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    {
        let conn = database_at(&path, 8);
        conn.execute_batch(
            "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, after_repetitions,
                 after_easiness, after_interval, after_due, after_lapses, after_reviews,
                 after_last, after_stability, after_difficulty)
             VALUES ('r1', 'c', 1767268800000, 20454, 'review', 4, 1, 250, 1, 20455, 0, 1,
                 20454, 2307, 2118);
             INSERT INTO card_state (card_id, repetitions, easiness, interval, due, lapses,
                 reviews, last_review, stability, difficulty)
             VALUES ('c', 1, 250, 1, 20455, 0, 1, 20454, 2307, 2118);",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let thousandths = |state: &CardState| state.memory().unwrap().fsrs.unwrap().thousandths();
    assert_eq!(thousandths(&store.log().unwrap()[0].after), (2307, 2118));
    let records = store.records().unwrap();
    assert_eq!(
        thousandths(&records[&CardId("c".into())].state),
        (2307, 2118)
    );
    // The projection was computed by the old rules: the first `set_algorithm` replays the log
    // (with the learner's steps, set before it), even for the algorithm already in use.
    assert!(store.replay_pending());
    store.set_steps(scheduler::StepRules::NONE);
    assert_eq!(
        store.set_algorithm(scheduler::Algorithm::Sm2).unwrap(),
        Some(1)
    );
    assert!(!store.replay_pending());
    assert_eq!(
        store.set_algorithm(scheduler::Algorithm::Sm2).unwrap(),
        None
    );
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert!(!store.replay_pending(), "replayed once, not at every open");
    assert_eq!(
        store.set_algorithm(scheduler::Algorithm::Sm2).unwrap(),
        None
    );
}

/// Schema v11 adds the read positions of sync folders' files: a v9 database that synced keeps
/// its watermark and starts with no position, so its next sync reads each file from its start
/// once (merging is idempotent) and its own file is checked whole against the log.
#[test]
fn a_v9_database_that_synced_keeps_its_watermark_and_has_no_read_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    {
        let conn = database_at(&path, 9);
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('device', 'device-old'), ('synced_seq', '7');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), current_version());
    assert_eq!(store.synced_seq().unwrap(), 7);
    assert_eq!(store.file_mark("device-old").unwrap(), None);
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
}

/// The log's CHECKs on `kind` as every row is tried against them: the kinds and grades that
/// may be logged together, and those that may not.
fn refused_kinds(conn: &Connection) -> Vec<bool> {
    let tries = [
        ("review", Some(4), None),
        ("drill", Some(3), None),
        ("cram", Some(0), None),
        ("undo", None, Some("r1")),
        ("skip", None, None),
        ("suspend", None, None),
        ("unsuspend", None, None),
        ("Review", Some(4), None),
        ("bogus", None, None),
        ("review", None, None),
        ("skip", Some(4), None),
        ("undo", None, None),
        ("suspend", None, Some("r1")),
    ];
    let tx = conn.unchecked_transaction().unwrap();
    let refused = tries
        .iter()
        .enumerate()
        .map(|(n, (kind, grade, undoes))| {
            tx.execute(
                "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, undoes)
                 VALUES (?1, 'c', 0, 20000, ?2, ?3, ?4)",
                params![format!("try-{n}"), kind, grade, undoes],
            )
            .is_err()
        })
        .collect();
    tx.rollback().unwrap();
    refused
}

/// Schema v12 spells the log's CHECKs on `kind` without IN lists (each built a temporary
/// b-tree at every insert), in the table's SQL alone: a v11 database keeps its rows, passes
/// `integrity_check`, refuses and accepts exactly what it did, and another connection open
/// across the upgrade reads the new schema.
#[test]
fn a_v11_database_gets_the_checks_without_in_lists_and_refuses_what_it_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    let conn = database_at(&path, 11);
    conn.execute(
        "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, duration_ms)
         VALUES ('r1', 'c1', 0, 20000, 'review', 4, 1000)",
        [],
    )
    .unwrap();
    let before = refused_kinds(&conn);
    assert_eq!(
        before,
        [
            false, false, false, false, false, false, false, true, true, true, true, true, true
        ]
    );
    let review_sql = |conn: &Connection| -> String {
        conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'review'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(review_sql(&conn).contains("kind IN"));

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), current_version());
    assert_eq!(
        store.log().unwrap().len(),
        1,
        "the log survives the upgrade"
    );
    let sql = review_sql(&store.conn);
    assert!(!sql.contains(" IN "), "an IN list is left: {sql}");
    let check: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(
        refused_kinds(&store.conn),
        before,
        "the upgrading connection"
    );
    assert_eq!(refused_kinds(&conn), before, "a connection open across it");
    assert_eq!(review_sql(&conn), sql);
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
    assert_eq!(refused_kinds(&fresh.conn), before, "a fresh database");
}

#[test]
fn a_cards_answers_for_a_sync_are_its_reviews_and_drills_not_undone_in_time_order() {
    let mut store = Store::open_in_memory().unwrap();
    let late = graded("a", EntryKind::Review, 4, "2026-01-05", Some(3));
    let drill = graded("a", EntryKind::Drill, 2, "2026-01-03", Some(3));
    let undone = graded("a", EntryKind::Review, 5, "2026-01-04", Some(3));
    let cram = graded("a", EntryKind::Cram, 4, "2026-01-04", Some(3));
    let early = graded("a", EntryKind::Review, 3, "2026-01-02", None);
    let other = graded("b", EntryKind::Review, 4, "2026-01-02", None);
    // The undo of card a's answer, as a merged log may carry it under another card's id:
    // what an undo takes back is found by its id alone, as the replay finds it.
    let undo = LogEntry {
        card_id: CardId("b".into()),
        ..undo_of(&undone)
    };
    store
        .append_bulk(&[
            late.clone(),
            drill.clone(),
            undone,
            cram,
            early.clone(),
            other,
            undo,
        ])
        .unwrap();
    let found: Vec<(i64, Option<u8>)> = store
        .answers_of("a")
        .unwrap()
        .iter()
        .map(|a| (a.at_ms, a.grade.map(Grade::value)))
        .collect();
    let expected: Vec<(i64, Option<u8>)> = [&early, &drill, &late]
        .iter()
        .map(|e| (e.reviewed_at.timestamp_millis(), e.grade.map(Grade::value)))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(store.answers_of("b").unwrap().len(), 1);
    assert!(store.answers_of("c").unwrap().is_empty());
}

#[test]
fn a_replay_writing_many_records_builds_their_indexes_again_and_keeps_what_it_wrote() {
    // Past BULK_RECORDS records the replay drops card_state's indexes for the writes: they
    // must all be back, and the records those of the log.
    let mut store = Store::open_in_memory().unwrap();
    let count = super::replay::BULK_RECORDS + 1;
    let entries: Vec<LogEntry> = (0..count)
        .map(|n| {
            let mut entry = answer(&store, &format!("c{n}"), 4, "2026-01-01", EntryKind::Review);
            entry.id = ReviewId(format!(
                "{:012x}{n:020}",
                entry.reviewed_at.timestamp_millis()
            ));
            entry
        })
        .collect();
    store.append_bulk(&entries).unwrap();
    store.rebuild().unwrap();
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
    let records = store.records().unwrap();
    assert_eq!(records.len(), count);
    for entry in [&entries[0], &entries[count - 1]] {
        assert_eq!(records[&entry.card_id].state, entry.after);
    }
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn a_merge_begun_entry_by_entry_goes_on_in_bulk_past_the_bulk_size_and_ends_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("recall.db")).unwrap();
    let entries: Vec<LogEntry> = bulk_entries(BULK_MERGE + 2, EntryKind::Drill, Some(3))
        .into_iter()
        .map(|(_, entry)| entry)
        .collect();
    // A replay already pending (an upgrade's) is left pending by the merge's own.
    store.set_meta("replay_pending", "schema v9").unwrap();
    let mut merge = store.begin_merge(false).unwrap();
    for (n, entry) in entries.iter().enumerate() {
        assert!(merge.add_own(entry).unwrap());
        // Entry by entry up to the bulk size, in bulk after it.
        assert_eq!(
            merge.is_bulk(),
            n + 1 > BULK_MERGE,
            "after {} entries",
            n + 1
        );
    }
    // One already there is not added again.
    assert!(!merge.add_own(&entries[0]).unwrap());
    merge.commit().unwrap();
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
    assert_eq!(store.log().unwrap().len(), entries.len());
    let activity = store.activity(day("2026-01-02")).unwrap();
    assert_eq!(
        activity,
        scanned_activity(&store.log().unwrap(), day("2026-01-02"))
    );
    let first_day = u32::try_from(BULK_MERGE / 2 + 1).unwrap();
    assert_eq!(activity.days[&day("2026-01-01")].answers, first_day);
    assert!(store.integrity_problems().unwrap().is_empty());
    assert_eq!(store.replay_reason().unwrap().as_deref(), Some("schema v9"));
}

/// Entries of another device's log for a bulk merge: `count` answers of kind `kind` (cards
/// with interval `interval` before, `None`: new) over 500 cards and two days, with ids in
/// time order, numbered as that device's log numbers them.
fn bulk_entries(count: usize, kind: EntryKind, interval: Option<u32>) -> Vec<(i64, LogEntry)> {
    (0..count)
        .map(|n| {
            let on = if n % 2 == 0 {
                "2026-01-01"
            } else {
                "2026-01-02"
            };
            let mut entry = graded(&format!("c{}", n % 500), kind, 4, on, interval);
            entry.id = ReviewId(format!(
                "{:012x}{n:020}",
                entry.reviewed_at.timestamp_millis()
            ));
            (i64::try_from(n).unwrap() + 1, entry)
        })
        .collect()
}

/// A bulk merge commits its entries, then replays the card states in a second transaction
/// (while the first's checkpoint runs on another connection). Stopped between the two, as a
/// killed process would be, the log and the file's read position are whole and a replay is
/// pending: the next open's `set_algorithm` (every command's) replays, and the states and
/// activity are those of a merge that was not stopped. Not stopped, nothing is left pending.
#[test]
fn a_bulk_merge_stopped_after_its_entries_leaves_the_card_states_to_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let entries = bulk_entries(BULK_MERGE + 2, EntryKind::Review, None);
    let mark = FileMark {
        offset: 4096,
        lines: 12,
        mark: "fingerprint".into(),
    };
    let mut whole = Store::open(&dir.path().join("whole.db")).unwrap();
    whole.merge_device("device-x", &entries).unwrap();
    assert_eq!(whole.replay_reason().unwrap(), None);
    assert_eq!(whole.records().unwrap().len(), 500);

    let path = dir.path().join("stopped.db");
    {
        let mut store = Store::open(&path).unwrap();
        let mut merge = store.begin_merge(true).unwrap();
        for (seq, entry) in &entries {
            assert_eq!(merge.merge("device-x", *seq, entry).unwrap(), Merged::Added);
        }
        merge.set_file_mark("device-x", Some(&mark)).unwrap();
        merge.commit_entries_only().unwrap();
        assert!(store.records().unwrap().is_empty(), "no state replayed yet");
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.log().unwrap(), whole.log().unwrap());
    assert_eq!(store.file_mark("device-x").unwrap(), Some(mark));
    assert_eq!(
        store.replay_reason().unwrap().as_deref(),
        Some(MERGE_INTERRUPTED)
    );
    let algorithm = store.algorithm();
    assert_eq!(store.set_algorithm(algorithm).unwrap(), Some(500));
    assert_eq!(store.records().unwrap(), whole.records().unwrap());
    let on = day("2026-01-02");
    assert_eq!(store.activity(on).unwrap(), whole.activity(on).unwrap());
    assert_eq!(store.replay_reason().unwrap(), None);
    assert!(store.integrity_problems().unwrap().is_empty());
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
}

#[test]
fn a_reader_sees_the_database_as_it_was_when_it_began_while_the_store_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("recall.db")).unwrap();
    let first = graded("a", EntryKind::Review, 4, "2026-01-02", None);
    store.append(&first).unwrap();
    let reader = store
        .reader()
        .unwrap()
        .expect("a database in a file has a reader");
    store
        .append(&graded("a", EntryKind::Review, 4, "2026-01-03", Some(1)))
        .unwrap();
    assert_eq!(store.answers_of("a").unwrap().len(), 2);
    assert_eq!(reader.answers_of("a").unwrap().len(), 1);
    assert!(Store::open_in_memory().unwrap().reader().unwrap().is_none());
}

/// Schema v13 keeps an index of this device's own entries alone (`review_own`) instead of one
/// over every entry's device: a v12 database upgrades with its log whole, its own entries are
/// still the ones a sync writes out, and both queries for them go through the new index, never
/// a scan of the entries merged from other devices.
#[test]
fn a_v12_database_finds_its_own_entries_through_an_index_of_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recall.db");
    let conn = database_at(&path, 12);
    for (n, device) in ["", "device-other", "", "device-other"].iter().enumerate() {
        conn.execute(
            "INSERT INTO review (id, card_id, reviewed_at, day, kind, grade, duration_ms, device)
             VALUES (?1, 'c1', ?2, 20000, 'review', 4, 1000, ?3)",
            params![format!("r{n}"), n as i64, device],
        )
        .unwrap();
    }
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), current_version());
    assert_eq!(
        store.log().unwrap().len(),
        4,
        "the log survives the upgrade"
    );
    let own: Vec<(i64, String)> = store
        .local_since(0)
        .unwrap()
        .into_iter()
        .map(|(seq, entry)| (seq, entry.id.0))
        .collect();
    assert_eq!(own, [(1, "r0".to_string()), (3, "r2".to_string())]);
    assert_eq!(store.local_count_since(1).unwrap(), 1);
    let in_index: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM review INDEXED BY review_own WHERE device = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_index, 2);
    for query in [
        format!(
            "SELECT {}, seq {} ORDER BY seq",
            rows::LOG_COLUMNS,
            sync::OWN_AFTER
        ),
        format!("SELECT count(*) {}", sync::OWN_AFTER),
    ] {
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
            .unwrap()
            .query_map(params![0], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.len() == 1 && plan[0].contains("INDEX review_own"),
            "{query}: {plan:?}"
        );
    }
    let fresh = Store::open_in_memory().unwrap();
    assert_eq!(schema_of(&store.conn), schema_of(&fresh.conn));
}
