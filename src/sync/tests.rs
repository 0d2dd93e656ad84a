use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::file::line_of;
use super::merge::{Admission, admit};
use super::*;
use crate::clock::{Clock, Horizon};
use crate::scheduler::{self, CardState, Rules};
use crate::store::{EntryKind, LogEntry};
use crate::types::{CardId, Grade, ReviewId};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn horizon(now: &str) -> Horizon {
    Horizon::of(&Clock::fixed(at(now), 4))
}

const NOW: &str = "2026-03-02T09:00:00Z";

/// A first review of `card` at `when`, under the id `id`.
fn review(id: &str, card: &str, when: &str) -> LogEntry {
    let reviewed_at = at(when);
    let day = reviewed_at.date_naive();
    let grade = Grade::new(4).unwrap();
    let ms = reviewed_at.timestamp_millis();
    LogEntry {
        id: ReviewId(id.into()),
        card_id: CardId(card.into()),
        reviewed_at,
        day,
        kind: EntryKind::Review,
        grade: Some(grade),
        duration_ms: 1000,
        undoes: None,
        until: None,
        before: CardState::New,
        after: scheduler::answer(
            CardState::New,
            grade,
            day,
            ms,
            card,
            &Rules::default(),
            None,
        ),
    }
}

fn undo(id: &str, of: &LogEntry) -> LogEntry {
    LogEntry {
        id: ReviewId(id.into()),
        kind: EntryKind::Undo,
        grade: None,
        undoes: Some(of.id.clone()),
        before: of.after,
        after: of.before,
        ..of.clone()
    }
}

/// Writes `entries` as the lines of another device's file `name` in `dir`.
fn device_file(dir: &Path, name: &str, entries: &[LogEntry]) -> PathBuf {
    let path = dir.join(format!("{name}.jsonl"));
    let text: String = entries
        .iter()
        .zip(1..)
        .map(|(e, seq)| line_of(seq, e) + "\n")
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn ids(store: &Store) -> Vec<String> {
    let mut ids: Vec<String> = store.log().unwrap().into_iter().map(|e| e.id.0).collect();
    ids.sort();
    ids
}

fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    (dir, sync)
}

#[test]
fn a_second_sync_reads_only_what_was_appended_since() {
    let (_tmp, dir) = folder();
    let (mut a, mut b) = (
        Store::open_in_memory().unwrap(),
        Store::open_in_memory().unwrap(),
    );
    a.append(&review("a1", "c1", "2026-03-01T08:00:00Z"))
        .unwrap();
    a.append(&review("a2", "c2", "2026-03-01T08:01:00Z"))
        .unwrap();
    assert_eq!(sync(&mut a, &dir, &horizon(NOW)).unwrap().written, 2);
    assert_eq!(sync(&mut b, &dir, &horizon(NOW)).unwrap().merge.merged, 2);
    a.append(&review("a3", "c3", "2026-03-01T08:02:00Z"))
        .unwrap();
    let again = sync(&mut a, &dir, &horizon(NOW)).unwrap();
    assert_eq!((again.written, again.merge.merged), (1, 0));
    let report = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    // Read from where it stopped: the two entries already here are not read again.
    assert_eq!(
        report.merge,
        merge::Merge {
            merged: 1,
            present: 0,
            conflicts: 0
        }
    );
    assert_eq!(ids(&b), ["a1", "a2", "a3"]);
    assert_eq!(b.records().unwrap().len(), 3, "the new card is replayed");
    let nothing = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    assert_eq!(nothing.merge, merge::Merge::default());
    assert!(nothing.warnings.is_empty(), "{:?}", nothing.warnings);
}

#[test]
fn a_file_written_again_is_read_again_from_its_start() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    let (one, two) = (
        review("x1", "c1", "2026-03-01T08:00:00Z"),
        review("x2", "c2", "2026-03-01T08:01:00Z"),
    );
    device_file(&dir, "device-x", &[one.clone(), two.clone()]);
    assert_eq!(sync(&mut b, &dir, &horizon(NOW)).unwrap().merge.merged, 2);
    // The other device wrote its file again, shorter, then longer with a new entry: the
    // position read before points into other lines now.
    let three = review("x3", "c3", "2026-03-01T08:02:00Z");
    device_file(&dir, "device-x", &[two, three, one]);
    let report = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    assert_eq!((report.merge.merged, report.merge.present), (1, 2));
    assert!(
        report.warnings[0].contains("read again from its start"),
        "{:?}",
        report.warnings
    );
    assert_eq!(ids(&b), ["x1", "x2", "x3"]);
}

#[test]
fn a_half_line_waits_and_a_damaged_line_is_named_by_its_line_in_the_file() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    let entries = [
        review("x1", "c1", "2026-03-01T08:00:00Z"),
        review("x2", "c2", "2026-03-01T08:01:00Z"),
    ];
    let path = device_file(&dir, "device-x", &entries[..1]);
    let second = line_of(2, &entries[1]);
    let (half, rest) = second.split_at(20);
    std::fs::write(&path, line_of(1, &entries[0]) + "\n" + half).unwrap();
    let report = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    assert_eq!(report.merge.merged, 1);
    assert!(
        report.warnings[0]
            .ends_with("device-x.jsonl:2: incomplete last line left for the next sync"),
        "{:?}",
        report.warnings
    );
    // The write finishes, and a damaged line follows it.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, format!("{rest}\n{{not json\n").as_bytes()).unwrap();
    let report = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    assert_eq!(report.merge.merged, 1);
    assert!(
        report.warnings[0].contains("device-x.jsonl:3: damaged line skipped"),
        "{:?}",
        report.warnings
    );
    assert_eq!(ids(&b), ["x1", "x2"]);
    // Skipped once: a damaged line is not read again.
    assert!(
        sync(&mut b, &dir, &horizon(NOW))
            .unwrap()
            .warnings
            .is_empty()
    );
}

#[test]
fn an_entry_from_the_future_is_held_back_until_its_day_has_come() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    device_file(
        &dir,
        "device-x",
        &[
            review("x1", "c1", "2026-03-10T08:00:00Z"),
            review("x2", "c2", "2026-03-01T08:00:00Z"),
        ],
    );
    let report = sync(&mut b, &dir, &horizon(NOW)).unwrap();
    assert_eq!(report.merge.merged, 1);
    assert!(
        report.warnings[0].contains("1 entry dated after 2026-03-03 or before 1970 held back"),
        "{:?}",
        report.warnings
    );
    assert_eq!(ids(&b), ["x2"]);
    // Later, the position stopped before the entry held back: it comes in.
    let later = sync(&mut b, &dir, &horizon("2026-03-10T09:00:00Z")).unwrap();
    assert_eq!((later.merge.merged, later.merge.present), (1, 1));
    assert_eq!(ids(&b), ["x1", "x2"]);
}

#[test]
fn an_undo_may_only_take_back_its_own_device_s_entries() {
    let entry = review("x1", "c1", "2026-03-01T08:00:00Z");
    let take_back = undo("x2", &entry);
    let now = horizon(NOW);
    let from = |own: bool| move |_: &ReviewId| Ok(own);
    assert_eq!(
        admit(&take_back, &now, from(true)).unwrap(),
        Admission::Admitted
    );
    assert_eq!(
        admit(&take_back, &now, from(false)).unwrap(),
        Admission::Refused
    );
    assert_eq!(
        admit(&entry, &now, from(false)).unwrap(),
        Admission::Admitted
    );

    let (_tmp, dir) = folder();
    let mut a = Store::open_in_memory().unwrap();
    a.append(&entry).unwrap();
    sync(&mut a, &dir, &now).unwrap();
    // Another device's file undoes this device's review, and then its own.
    let theirs = review("y1", "c2", "2026-03-01T08:05:00Z");
    device_file(
        &dir,
        "device-y",
        &[undo("y2", &entry), theirs.clone(), undo("y3", &theirs)],
    );
    let report = sync(&mut a, &dir, &now).unwrap();
    assert!(
        report.warnings[0].contains("1 undo entry refused"),
        "{:?}",
        report.warnings
    );
    assert_eq!(ids(&a), ["x1", "y1", "y3"]);
    let records = a.records().unwrap();
    assert!(
        records.contains_key(&CardId("c1".into())),
        "this device's review stands"
    );
    assert!(
        !records.contains_key(&CardId("c2".into())),
        "theirs is undone"
    );
}

#[test]
fn one_id_with_two_contents_keeps_the_one_with_the_smaller_hash_whatever_the_order() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let (left, right) = (
        review("same", "c1", "2026-03-01T08:00:00Z"),
        review("same", "c2", "2026-03-01T08:00:00Z"),
    );
    let smaller = if file::content_hash(&left) < file::content_hash(&right) {
        "c1"
    } else {
        "c2"
    };
    let card_of = |store: &Store| store.log().unwrap()[0].card_id.0.clone();
    let mut kept = Vec::new();
    for (first, second) in [(&left, &right), (&right, &left)] {
        let mut store = Store::open_in_memory().unwrap();
        let _ = std::fs::remove_file(dir.join("device-y.jsonl"));
        device_file(&dir, "device-x", std::slice::from_ref(first));
        sync(&mut store, &dir, &horizon(NOW)).unwrap();
        device_file(&dir, "device-y", std::slice::from_ref(second));
        let report = sync(&mut store, &dir, &horizon(NOW)).unwrap();
        assert_eq!(report.merge.conflicts, 1);
        kept.push(card_of(&store));
        assert_eq!(store.records().unwrap().len(), 1, "one card replayed");
    }
    assert_eq!(kept, [smaller, smaller]);
}

#[test]
fn a_merge_not_committed_records_no_position() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    device_file(
        &dir,
        "device-x",
        &[review("x1", "c1", "2026-03-01T08:00:00Z")],
    );
    let mut warnings = Vec::new();
    let files = merge::pending(&store, &dir, &dir.join("own.jsonl"), &mut warnings).unwrap();
    {
        let mut transaction = store.begin_merge(false).unwrap();
        merge::merge_files(&mut transaction, &files, &horizon(NOW), &mut warnings).unwrap();
        // Killed here: dropped without its commit.
    }
    assert_eq!(store.file_mark("device-x").unwrap(), None);
    assert!(store.log().unwrap().is_empty());
    assert_eq!(
        sync(&mut store, &dir, &horizon(NOW)).unwrap().merge.merged,
        1
    );
}

#[test]
fn an_interrupted_append_to_its_own_file_is_cut_back_and_written_again() {
    let (_tmp, dir) = folder();
    let mut a = Store::open_in_memory().unwrap();
    a.append(&review("a1", "c1", "2026-03-01T08:00:00Z"))
        .unwrap();
    let report = sync(&mut a, &dir, &horizon(NOW)).unwrap();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&report.own)
        .unwrap();
    std::io::Write::write_all(&mut file, b"{\"device_seq\": 2, \"id\": \"a").unwrap();
    a.append(&review("a2", "c2", "2026-03-01T08:01:00Z"))
        .unwrap();
    let report = sync(&mut a, &dir, &horizon(NOW)).unwrap();
    assert!(
        report.warnings[0].contains("repaired"),
        "{:?}",
        report.warnings
    );
    let expected: String = a
        .local_since(0)
        .unwrap()
        .iter()
        .map(|(seq, e)| line_of(*seq, e) + "\n")
        .collect();
    assert_eq!(std::fs::read_to_string(&report.own).unwrap(), expected);
}

#[test]
fn another_database_writing_this_device_s_file_gives_this_one_a_new_id() {
    let (_tmp, dir) = folder();
    let mut a = Store::open_in_memory().unwrap();
    a.append(&review("a1", "c1", "2026-03-01T08:00:00Z"))
        .unwrap();
    let first = sync(&mut a, &dir, &horizon(NOW)).unwrap();
    // A copy of this database (same device id) appended its own review to the file.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&first.own)
        .unwrap();
    let line = line_of(2, &review("b1", "c2", "2026-03-01T08:05:00Z")) + "\n";
    std::io::Write::write_all(&mut file, line.as_bytes()).unwrap();
    let report = sync(&mut a, &dir, &horizon(NOW)).unwrap();
    assert!(
        report.warnings[0].contains("another database also syncs as"),
        "{:?}",
        report.warnings
    );
    assert_ne!(report.own, first.own);
    assert_eq!(report.written, 1, "its history, to its new file");
    assert_eq!(
        report.merge.merged, 1,
        "the copy's review, from the old file"
    );
}

#[test]
fn parameter_files_bring_plausible_fits_and_refuse_the_rest() {
    let (_tmp, dir) = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let defaults = crate::scheduler::Parameters::default().0.to_vec();
    let fit = |fitted_at: &str, parameters: &[f32]| {
        serde_json::json!({
            "fitted_at": fitted_at, "day": &fitted_at[..10], "parameters": parameters,
            "reviews": 5000, "default": [0.45, 0.06], "optimized": [0.40, 0.03], "kept": true,
        })
    };
    let mut wild = defaults.clone();
    wild[5] = 1e30;
    let fits = serde_json::json!([
        fit("2026-03-01T09:00:00Z", &defaults),
        fit("2026-03-01T09:00:00Z", &wild),
        fit("9999-12-31T00:00:00Z", &defaults),
    ]);
    std::fs::write(dir.join("device-x.fsrs-parameters.json"), fits.to_string()).unwrap();
    std::fs::write(dir.join("device-y.fsrs-parameters.json"), "not json").unwrap();
    let report = sync(&mut store, &dir, &horizon(NOW)).unwrap();
    assert_eq!(report.fits, 1);
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("1 FSRS parameter fit refused"),
        "{warnings}"
    );
    assert!(warnings.contains("held back"), "{warnings}");
    assert!(
        warnings.contains("device-y.fsrs-parameters.json: skipped"),
        "{warnings}"
    );
    // The fit taken in is passed on in this device's own file at the next sync.
    sync(&mut store, &dir, &horizon(NOW)).unwrap();
    let own = dir.join(format!("{}.fsrs-parameters.json", store.device()));
    assert!(own.exists(), "this device's fits written for the others");
}
