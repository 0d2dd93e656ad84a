use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::import::review_log::{Row, entries_for};
use crate::scheduler::{Algorithm, CardState, FsrsMemory};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn answer(at_ms: i64, ease: u8) -> RecallAnswer {
    RecallAnswer {
        at_ms,
        interval: 1,
        last_interval: 0,
        taken_ms: 0,
        easiness: 250,
        ease,
        kind: 0,
        lapse: false,
        missing: false,
    }
}

fn anki(id: i64, ease: u8) -> AnkiAnswer {
    AnkiAnswer {
        id,
        taken_ms: 0,
        ease,
        kind: 1,
        claimed: false,
    }
}

#[test]
fn recall_grades_map_to_anki_buttons_as_import_maps_them_back() {
    for button in 1..=4u8 {
        let grade = Grade::from_button(button).unwrap();
        assert_eq!(ease_of(grade), i64::from(button));
    }
    assert_eq!(ease_of(Grade::new(0).unwrap()), 1);
    assert_eq!(ease_of(Grade::new(2).unwrap()), 1);
}

#[test]
fn revlog_types_say_learning_review_and_relearning() {
    assert_eq!(revlog_kind(EntryKind::Review, None), 0);
    assert_eq!(revlog_kind(EntryKind::Drill, Some(0)), 0);
    assert_eq!(revlog_kind(EntryKind::Review, Some(0)), 1);
    assert_eq!(revlog_kind(EntryKind::Review, Some(2)), 1);
    assert_eq!(revlog_kind(EntryKind::Drill, Some(1)), 2);
}

#[test]
fn an_answer_is_in_anki_at_its_millisecond_or_moved_past_a_taken_one() {
    // Two answers at one instant: written at 1000 and 1001; a third never written.
    let answers = [answer(1000, 3), answer(1000, 3), answer(5000, 3)];
    let mut rows = [anki(1000, 3), anki(1001, 3)];
    assert_eq!(unmatched(&answers, &mut rows), [false, false, true]);
    assert!(rows.iter().all(|r| r.claimed));
}

#[test]
fn a_row_with_another_button_or_too_far_after_is_another_answer() {
    let answers = [answer(1000, 3), answer(2000, 1)];
    let mut rows = [anki(1000, 4), anki(2000 + SAME_ANSWER_MS, 1)];
    assert_eq!(unmatched(&answers, &mut rows), [true, true]);
    assert!(rows.iter().all(|r| !r.claimed));
}

#[test]
fn an_exact_match_is_never_taken_by_an_earlier_answer_moved_past_it() {
    // The answer at 900 was written at 900; the one at 1000 is Anki's own, at 1000.
    let answers = [answer(900, 3), answer(1000, 3)];
    let mut rows = [anki(900, 3), anki(1000, 3)];
    assert_eq!(unmatched(&answers, &mut rows), [false, false]);
}

#[test]
fn answers_from_anki_get_the_ids_a_package_import_gives_them() {
    let card = CardId("anki-g1".into());
    let times = [
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:10:00Z",
        "2026-03-03T10:00:00Z",
    ];
    let rows: Vec<(i64, i64, i64)> = times
        .iter()
        .zip([1, 3, 3])
        .map(|(t, ease)| (at(t).timestamp_millis(), ease, 4000))
        .collect();
    let day = |t: DateTime<Utc>| t.date_naive();
    let ours = entries_from_anki(&card, &rows, None, day, &Rules::default());
    let package_rows: Vec<Row> = rows
        .iter()
        .map(|&(ms, ease, taken)| Row {
            card: card.0.as_str().into(),
            rating: u8::try_from(ease).unwrap(),
            time: DateTime::from_timestamp_millis(ms).unwrap(),
            duration_ms: u32::try_from(taken).unwrap(),
        })
        .collect();
    let imported: Vec<LogEntry> = entries_for(&package_rows, day, Algorithm::Sm2, |c| {
        CardId(c.to_string())
    })
    .collect();
    assert_eq!(ours, imported);
    assert_eq!(
        ours.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EntryKind::Review, EntryKind::Drill, EntryKind::Review]
    );
}

#[test]
fn an_answer_from_anki_on_a_day_recall_reviewed_the_card_is_a_drill() {
    let card = CardId("anki-g1".into());
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let state = scheduler::schedule(
        CardState::New,
        Grade::GOOD,
        day,
        "anki-g1",
        &Rules::default(),
    );
    let record = CardRecord {
        state,
        ..CardRecord::default()
    };
    let rows = [(at("2026-03-01T18:00:00Z").timestamp_millis(), 3, 0)];
    let entries = entries_from_anki(
        &card,
        &rows,
        Some(&record),
        |t| t.date_naive(),
        &Rules::default(),
    );
    assert_eq!(entries[0].kind, EntryKind::Drill);
    assert_eq!(entries[0].before, state);
}

#[test]
fn card_data_keeps_what_anki_put_there_and_sets_the_last_review_and_memory_state() {
    let data = card_data(
        r#"{"dr":0.9,"cd":"{\"x\":1}","s":1.0}"#,
        1_772_359_200_123,
        Some(FsrsMemory {
            stability: 12.345_678,
            difficulty: 5.432_1,
        }),
    );
    let value: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(value["lrt"], 1_772_359_200);
    assert_eq!(value["s"], 12.3457);
    assert_eq!(value["d"], 5.432);
    assert_eq!(value["dr"], 0.9);
    assert_eq!(value["cd"], "{\"x\":1}");
    // Without FSRS in Anki, its memory state is left as it was; bad JSON starts afresh.
    let plain: serde_json::Value =
        serde_json::from_str(&card_data(r#"{"s":1.0}"#, 5000, None)).unwrap();
    assert_eq!(plain["s"], 1.0);
    assert_eq!(card_data("not json", 5000, None), r#"{"lrt":5}"#);
}

#[test]
fn a_backup_never_replaces_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("collection.anki2");
    let now = at("2026-03-01T10:00:00Z");
    let first = backup_path(&path, now);
    assert!(
        first
            .display()
            .to_string()
            .ends_with("collection.anki2.recall-backup-20260301T100000.000Z")
    );
    std::fs::write(&first, "").unwrap();
    assert_ne!(backup_path(&path, now), first);
}

fn live_card(queue: i64) -> LiveCard {
    LiveCard {
        id: 20,
        guid: "g1".into(),
        ord: 0,
        kind: 2,
        queue,
        due: 30,
        reps: 4,
        lapses: 1,
        original_deck: 0,
        data: r#"{"cd":"{}"}"#.into(),
        modified: 0,
    }
}

#[test]
fn a_card_takes_recalls_due_day_counted_from_the_collections_creation() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
    let state = scheduler::schedule(CardState::New, Grade::GOOD, today, "c", &Rules::default());
    let record = CardRecord {
        state,
        ..CardRecord::default()
    };
    let failed = RecallAnswer {
        lapse: true,
        ..answer(1000, 1)
    };
    let passed = answer(2000, 3);
    // Anki's day 34 is recall's today: the card is due the next day (interval 1).
    let update = schedule_update(
        &live_card(2),
        &record,
        &[&failed, &passed],
        2000,
        (today, 34),
        false,
    )
    .unwrap();
    assert_eq!((update.kind, update.queue, update.due), (2, 2, 35));
    assert_eq!((update.interval, update.factor), (1, 2500));
    assert_eq!((update.reps, update.lapses), (6, 2));
    let data: serde_json::Value = serde_json::from_str(&update.data).unwrap();
    assert_eq!(data["lrt"], 2);
    assert!(data.get("s").is_none());
}

#[test]
fn a_card_given_recalls_schedule_takes_recalls_suspension_settled_before() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
    let state = scheduler::schedule(CardState::New, Grade::GOOD, today, "c", &Rules::default());
    let active = CardRecord {
        state,
        ..CardRecord::default()
    };
    let suspended = CardRecord {
        suspended: true,
        ..active
    };
    let queue = |card: &LiveCard, record: &CardRecord| {
        schedule_update(card, record, &[], 0, (today, 34), false)
            .unwrap()
            .queue
    };
    assert_eq!(queue(&live_card(2), &active), 2);
    assert_eq!(queue(&live_card(2), &suspended), -1);
    // Suspended in Anki, active in recall after the sync settled it recall's way.
    assert_eq!(queue(&live_card(-1), &active), 2);
}

#[test]
fn the_side_that_changed_the_card_last_decides_its_suspension() {
    // Anki changed the card at 100 s.
    assert!(anki_suspension_wins(100, None), "recall never changed it");
    assert!(anki_suspension_wins(100, Some(99_999)));
    // recall's marker of Anki's change at 100 s, then another change in Anki that second.
    assert!(anki_suspension_wins(100, Some(100_000)));
    assert!(!anki_suspension_wins(100, Some(100_001)));
}

#[test]
fn an_unsuspended_anki_card_goes_back_to_the_queue_of_its_type() {
    let card = |kind, due| LiveCard {
        kind,
        due,
        ..live_card(-1)
    };
    assert_eq!(card(0, 5).active_queue(), 0);
    assert_eq!(card(2, 30).active_queue(), 2);
    // Learning steps due at a time (s), or on a day.
    assert_eq!(card(1, 1_772_668_800).active_queue(), 1);
    assert_eq!(card(3, 1_772_668_800).active_queue(), 1);
    assert_eq!(card(3, 34).active_queue(), 3);
}

fn shared(id: i64) -> Shared {
    Shared {
        card: LiveCard { id, ..live_card(2) },
        cloze_id: None,
        anki: Vec::new(),
        recall: Vec::new(),
        newest_is_recalls: true,
    }
}

fn revlog(id: i64, card: i64, ease: i64) -> LiveRevlog {
    LiveRevlog {
        id,
        card,
        ease,
        kind: 1,
        taken_ms: 90_000,
    }
}

#[test]
fn a_row_without_a_button_is_no_answer_and_time_taken_is_capped_as_anki_caps_it() {
    assert!(AnkiAnswer::of(&revlog(3, 10, 0)).is_none()); // a manual reschedule
    assert!(AnkiAnswer::of(&revlog(3, 10, 5)).is_none());
    let answer = AnkiAnswer::of(&revlog(6, 30, 4)).unwrap();
    assert_eq!((answer.id, answer.ease, answer.taken_ms), (6, 4, 60_000));
    assert!(answer.wanted());
    // Rows of Anki's manual and rescheduling kinds are not recall's to take.
    let manual = AnkiAnswer::of(&LiveRevlog {
        kind: 4,
        ..revlog(7, 30, 3)
    })
    .unwrap();
    assert!(!manual.wanted());
}

#[test]
fn a_cards_newest_answer_is_recalls_when_anki_has_no_later_one_of_its_own() {
    let mut card = shared(10);
    card.recall = vec![answer(1000, 3), answer(5000, 3)];
    card.anki = vec![anki(1000, 3), anki(3000, 1)];
    card.match_answers();
    assert_eq!(
        card.recall.iter().map(|a| a.missing).collect::<Vec<_>>(),
        [false, true]
    );
    assert!(card.newest_is_recalls);
    // Anki's own answer after recall's newest: Anki keeps its schedule.
    card.recall = vec![answer(1000, 3)];
    card.anki = vec![anki(1000, 3), anki(3000, 1)];
    card.match_answers();
    assert!(!card.newest_is_recalls);
    // Only answers both have: recall's schedule stands (nothing to push anyway).
    card.anki = vec![anki(1000, 3)];
    card.match_answers();
    assert!(card.newest_is_recalls);
}

#[test]
fn a_cloze_note_of_recalls_gives_each_card_its_deletions_id() {
    let ids = |list: &[&str]| list.iter().map(|s| CardId((*s).to_string())).collect();
    let clozes: Clozes = [(
        "acid".to_string(),
        ids(&["acid-atomicity", "acid-isolation"]),
    )]
    .into_iter()
    .collect();
    let found = |guid: &str, ord: u32| cloze_card(&clozes, guid, ord).map(|id| id.0.clone());
    assert_eq!(found("recall:acid", 0).as_deref(), Some("acid-atomicity"));
    assert_eq!(found("recall:acid", 1).as_deref(), Some("acid-isolation"));
    // A third card Anki made (an edit there) is no card of the cloze; other notes are not.
    assert_eq!(found("recall:acid", 2), None);
    assert_eq!(found("acid", 0), None);
    assert_eq!(found("recall:other", 0), None);
    let mut shared = shared(7);
    shared.card.guid = "recall:acid".into();
    shared.card.ord = 1;
    assert_eq!(shared.id().0, "anki-recall:acid/2");
    shared.cloze_id = Some(CardId("acid-isolation".into()));
    assert_eq!(shared.id().0, "acid-isolation");
}

#[test]
fn a_card_keeping_ankis_schedule_takes_the_newest_answers_time_as_its_last_review() {
    let mut card = shared(10);
    card.card.data = r#"{"lrt":3,"pos":7}"#.into();
    card.anki = vec![anki(3_000, 3)];
    card.recall = vec![answer(3_000, 3)];
    // The newest answer is the one Anki's data names: nothing to write.
    assert_eq!(last_review_kept(&card), None);
    card.recall.push(answer(9_500, 3));
    let data: serde_json::Value = serde_json::from_str(&last_review_kept(&card).unwrap()).unwrap();
    assert_eq!(data["lrt"], 9);
    assert_eq!(data["pos"], 7);
    // An Anki answer newer than recall's is the last review.
    card.anki.push(anki(12_000, 1));
    let data: serde_json::Value = serde_json::from_str(&last_review_kept(&card).unwrap()).unwrap();
    assert_eq!(data["lrt"], 12);
}
