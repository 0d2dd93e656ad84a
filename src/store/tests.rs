use super::*;

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
    let after = match kind {
        EntryKind::Review => {
            scheduler::schedule(before, grade, day(on), &card_id.0, &Rules::default())
        }
        _ => before,
    };
    let at = day(on).and_hms_opt(12, 0, 0).unwrap().and_utc();
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
    assert_eq!(store.integrity_check().unwrap(), "ok");
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
    assert!(!store.studied_on(day("2025-12-31")).unwrap());
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
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
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
