//! `recall sync --anki`: one review history with the learner's own Anki collection file, both
//! ways, so that recall, Anki and (through Anki's sync to `AnkiWeb`) `AnkiDroid` share it.
//!
//! Cards match by id: Anki's card `ord` of the note with GUID `G` is recall's card
//! `import::anki::card_id(G, ord)` (`anki-G`, `anki-G/N`, or `ID` for a note recall exported
//! as `recall:ID`). An answer is in both histories when Anki's log has a row for the card with
//! the same button at the answer's millisecond (or, for rows recall had to move past a taken
//! id, within [`SAME_ANSWER_MS`] after it); what one side lacks, it gets:
//!
//! - **Anki → recall**: Anki's answers (buttons 1–4; manual reschedules are not answers) come
//!   into recall's log as `recall import` brings a package's, with the same ids, under the same
//!   date rule ([`crate::clock::Horizon`]); recall's schedule is rebuilt from the log.
//! - **recall → Anki**: recall's answers (reviews and same-day drills, not undone) become
//!   revlog rows at their own millisecond; a card whose newest answer is recall's takes
//!   recall's schedule (due, interval, ease, FSRS memory state, reps, lapses, suspension).
//!   Everything written is marked for Anki's sync (`usn = -1`, `mod`, `col.mod`).
//! - **Suspension**, when the two sides differ on a card, goes the way of the side that
//!   changed the card last ([`anki_suspension_wins`]), either way.
//!
//! Anki's side is written in one transaction, after a backup copy beside the file, and only
//! when there is something to write; run again, nothing is added either way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::{Clock, Horizon};
use crate::error::Error;
use crate::import::merge::Suspension;
use crate::scheduler::{self, Rules};
use crate::store::anki_collection::{
    CardUpdate, Header, LiveCard, LiveCollection, LiveRevlog, LoggedAnswer, NewRevlog, QueueUpdate,
    SyncMark,
};
use crate::store::{CardRecord, EntryKind, LogEntry, Store};
use crate::types::{CardId, Grade, ReviewId};

/// How far after a recall answer its revlog row may sit: rows are written at the answer's
/// millisecond, or the next free one when another row has it (answers given at one instant,
/// as with a fixed `RECALL_NOW`). A second answer to one card with the same button within a
/// minute, one in recall and one in Anki, is the only thing this could take for one answer.
pub const SAME_ANSWER_MS: i64 = 60_000;

/// The most time Anki records for an answer (its deck options' default cap), ms.
const MAX_TAKEN_MS: u32 = 60_000;

/// What a sync did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// recall's cards (loaded from the deck files).
    pub recall_cards: usize,
    /// Of those, the ones with a card in the collection.
    pub matched: usize,
    /// Answers written into Anki's review log.
    pub to_anki: usize,
    /// Anki cards given recall's schedule.
    pub rescheduled: usize,
    /// Cards in one of Anki's filtered decks: their answers go in, their schedule is Anki's
    /// to restore when the filtered deck is emptied.
    pub in_filtered_decks: usize,
    /// Anki's answers added to recall's log.
    pub from_anki: usize,
    /// Anki's answers held back by the date rule.
    pub held: usize,
    /// Cards suspended in Anki that recall suspended too.
    pub suspended_from_anki: usize,
    /// Cards unsuspended in Anki that recall unsuspended too.
    pub unsuspended_from_anki: usize,
    /// Cards suspended in recall that Anki suspended too.
    pub suspended_in_anki: usize,
    /// Cards unsuspended in recall that Anki unsuspended too.
    pub unsuspended_in_anki: usize,
    pub horizon: Option<Horizon>,
    /// Where the collection was copied before it was written.
    pub backup: Option<PathBuf>,
}

/// Anki's button for a recall grade: grades 0–2 fail (Again), 3 Hard, 4 Good, 5 Easy (the
/// reverse of [`Grade::from_button`]).
pub fn ease_of(grade: Grade) -> i64 {
    match grade.value() {
        0..=2 => 1,
        3 => 2,
        4 => 3,
        _ => 4,
    }
}

/// Anki's revlog type for an answer: a new card's first answer and same-day drills before
/// any lapse are learning (0), a scheduled review of a reviewed card is a review (1), a drill
/// after a lapse is relearning (2). `lapses_before` is `None` for a new card.
pub fn revlog_kind(kind: EntryKind, lapses_before: Option<u32>) -> i64 {
    match (kind, lapses_before) {
        (EntryKind::Review, Some(_)) => 1,
        (EntryKind::Drill, Some(lapses)) if lapses > 0 => 2,
        _ => 0,
    }
}

/// One of recall's answers to a matched card, with what its revlog row needs: held for every
/// answer of every matched card, so kept small (24 bytes; a million answers are 24 MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecallAnswer {
    at_ms: i64,
    /// Days, after and before.
    interval: u32,
    last_interval: u32,
    /// At most [`MAX_TAKEN_MS`].
    taken_ms: u16,
    /// Easiness after, in hundredths.
    easiness: u16,
    /// Anki's button.
    ease: u8,
    /// Anki's revlog type.
    kind: u8,
    /// A failed scheduled review of a reviewed card: Anki counts it a lapse.
    lapse: bool,
    /// Anki's log lacks it (see [`unmatched`]).
    missing: bool,
}

impl RecallAnswer {
    fn of(answer: &LoggedAnswer) -> RecallAnswer {
        let grade = answer.grade.unwrap_or(Grade::AGAIN);
        RecallAnswer {
            at_ms: answer.at_ms,
            interval: answer.after_interval.unwrap_or(0),
            last_interval: answer.before_interval.unwrap_or(0),
            taken_ms: u16::try_from(answer.duration_ms.min(MAX_TAKEN_MS)).unwrap_or(u16::MAX),
            easiness: answer.after_easiness.unwrap_or(250),
            ease: u8::try_from(ease_of(grade)).unwrap_or(1),
            kind: u8::try_from(revlog_kind(answer.kind, answer.before_lapses)).unwrap_or(0),
            lapse: answer.kind == EntryKind::Review
                && answer.before_interval.is_some()
                && !grade.passed(),
            missing: false,
        }
    }

    /// Its revlog row, for Anki card `card`.
    fn row(&self, card: i64) -> NewRevlog {
        NewRevlog {
            at_ms: self.at_ms,
            card,
            ease: i64::from(self.ease),
            interval: i64::from(self.interval),
            last_interval: i64::from(self.last_interval),
            factor: i64::from(self.easiness) * 10,
            taken_ms: i64::from(self.taken_ms),
            kind: i64::from(self.kind),
        }
    }
}

/// One Anki answer (a row with a button), kept small (16 bytes).
#[derive(Clone, Copy)]
struct AnkiAnswer {
    id: i64,
    taken_ms: u32,
    ease: u8,
    kind: u8,
    claimed: bool,
}

impl AnkiAnswer {
    /// The answer a row of Anki's log is, when it has a button (manual reschedules do not).
    fn of(row: &LiveRevlog) -> Option<AnkiAnswer> {
        (1..=4).contains(&row.ease).then(|| AnkiAnswer {
            id: row.id,
            taken_ms: u32::try_from(row.taken_ms.clamp(0, 60_000)).unwrap_or(0),
            ease: u8::try_from(row.ease).unwrap_or(0),
            kind: u8::try_from(row.kind).unwrap_or(u8::MAX),
            claimed: false,
        })
    }

    /// An answer recall lacks and takes: one none of recall's claimed, given in learning,
    /// review, relearning or a filtered deck.
    fn wanted(&self) -> bool {
        !self.claimed && self.kind <= 3
    }

    /// Whether the date rule admits it now.
    fn admitted(&self, horizon: Horizon) -> bool {
        DateTime::from_timestamp_millis(self.id).is_some_and(|at| horizon.admits(at))
    }
}

/// Marks the Anki answers that are recall's `answers` (both sorted by time): first exact
/// matches (same millisecond and button), then the nearest free row within
/// [`SAME_ANSWER_MS`] after. Returns which of `answers` Anki lacks.
fn unmatched(answers: &[RecallAnswer], anki: &mut [AnkiAnswer]) -> Vec<bool> {
    let mut missing = vec![true; answers.len()];
    for (i, answer) in answers.iter().enumerate() {
        let at = anki.partition_point(|a| a.id < answer.at_ms);
        if let Some(a) = anki.get_mut(at)
            && a.id == answer.at_ms
            && a.ease == answer.ease
            && !a.claimed
        {
            a.claimed = true;
            missing[i] = false;
        }
    }
    for (i, answer) in answers.iter().enumerate() {
        if !missing[i] {
            continue;
        }
        let from = anki.partition_point(|a| a.id < answer.at_ms);
        if let Some(a) = anki[from..]
            .iter_mut()
            .take_while(|a| a.id < answer.at_ms + SAME_ANSWER_MS)
            .find(|a| !a.claimed && a.ease == answer.ease)
        {
            a.claimed = true;
            missing[i] = false;
        }
    }
    missing
}

/// recall log entries for Anki's answers `rows` (`(ms, button, taken ms)`, in time order) to
/// card `card`, with the ids `recall import` gives them (so a package's history and a sync's
/// are one). The first answer of a study day is a scheduled review, later ones that day are
/// drills, as [`crate::import::review_log::entries_for`] has it, continuing from the card's
/// state `record`.
fn entries_from_anki(
    card: &CardId,
    rows: &[(i64, i64, i64)],
    record: Option<&CardRecord>,
    study_day: impl Fn(DateTime<Utc>) -> NaiveDate,
    rules: &Rules,
) -> Vec<LogEntry> {
    let mut state = record.map(|r| r.state).unwrap_or_default();
    let mut last = state.memory().map_or(NaiveDate::MIN, |m| m.last_review);
    let mut entries = Vec::with_capacity(rows.len());
    for &(ms, ease, taken) in rows {
        let Some(at) = DateTime::from_timestamp_millis(ms) else {
            continue;
        };
        let grade = Grade::from_button(u8::try_from(ease).unwrap_or(0)).unwrap_or(Grade::AGAIN);
        let day = study_day(at);
        let before = state;
        let (kind, after) = if day == last {
            (EntryKind::Drill, before)
        } else {
            (
                EntryKind::Review,
                scheduler::schedule(before, grade, day, card.as_str(), rules),
            )
        };
        state = after;
        last = day;
        let hash = blake3::hash(format!("{}\0{ms}\0{ease}", card.0).as_bytes());
        let id_ms = ms.max(0) & 0xffff_ffff_ffff;
        entries.push(LogEntry {
            id: ReviewId(format!("{id_ms:012x}{}", &hash.to_hex()[..20])),
            card_id: card.clone(),
            reviewed_at: at,
            day,
            kind,
            grade: Some(grade),
            duration_ms: u32::try_from(taken.clamp(0, 60_000)).unwrap_or(0),
            undoes: None,
            until: None,
            before,
            after,
        });
    }
    entries
}

/// The card's `data` JSON with recall's last review time (`lrt`, seconds) and, when Anki
/// schedules with FSRS, its memory state (`s`, `d`, rounded as Anki rounds them); the rest
/// (desired retention, custom data, …) kept.
pub fn card_data(data: &str, last_review_ms: i64, fsrs: Option<scheduler::FsrsMemory>) -> String {
    let mut object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(data)
        .unwrap_or_default();
    object.insert("lrt".into(), last_review_ms.div_euclid(1000).into());
    if let Some(memory) = fsrs {
        let round = |x: f32, places: i32| {
            let factor = 10f64.powi(places);
            (f64::from(x) * factor).round() / factor
        };
        object.insert("s".into(), round(memory.stability, 4).into());
        object.insert("d".into(), round(memory.difficulty, 3).into());
    }
    serde_json::Value::Object(object).to_string()
}

/// Whose suspension a card takes when recall and Anki differ on it: Anki's when Anki changed
/// the card (`mod`, whole seconds) at or after recall last suspended or unsuspended it
/// (`recall_changed_ms`, `None` when it never did), recall's otherwise. Anki keeps no time of
/// a suspension, only of the card's last change (an answer, a reschedule, a suspension), so
/// a card answered in Anki after recall suspended it stays active, as the newer word on it.
/// At one second, Anki wins: its change may have come any time in that second, and recall's
/// markers of Anki's own changes are dated at its start.
pub fn anki_suspension_wins(anki_modified_secs: i64, recall_changed_ms: Option<i64>) -> bool {
    recall_changed_ms.is_none_or(|ms| anki_modified_secs.saturating_mul(1000) >= ms)
}

/// Anki's schedule for a card whose newest answer is recall's: a review card due on recall's
/// due day (as a day number from the collection's creation, `today` being Anki's number for
/// `clock.today()`), suspended when recall's card is (after the sync settled suspension
/// either way, see [`anki_suspension_wins`]).
fn schedule_update(
    card: &LiveCard,
    record: &CardRecord,
    pushed: &[&RecallAnswer],
    newest_ms: i64,
    today: (NaiveDate, i64),
    fsrs: bool,
) -> Option<CardUpdate> {
    let memory = record.state.memory()?;
    let (recall_today, anki_today) = today;
    let due = anki_today + memory.due.signed_duration_since(recall_today).num_days();
    let reps = i64::try_from(pushed.len()).unwrap_or(i64::MAX);
    let lapses = i64::try_from(pushed.iter().filter(|a| a.lapse).count()).unwrap_or(0);
    Some(CardUpdate {
        id: card.id,
        kind: 2,
        queue: if record.suspended { -1 } else { 2 },
        due,
        interval: i64::from(memory.interval.max(1)),
        factor: i64::from(memory.easiness.hundredths()) * 10,
        reps: card.reps + reps,
        lapses: card.lapses + lapses,
        data: card_data(&card.data, newest_ms, memory.fsrs.filter(|_| fsrs)),
    })
}

/// The `data` of a card that keeps Anki's schedule (in a filtered deck, or answered last in
/// Anki) but gets recall's answers, when its last review time (`lrt`) must move to the newest
/// answer either side has: Anki's Check Database sets it so from the review log, and would
/// otherwise find it to repair. `None` when it is right as it is.
fn last_review_kept(shared: &Shared) -> Option<String> {
    let newest = shared
        .recall
        .iter()
        .map(|a| a.at_ms)
        .chain(shared.anki.iter().map(|a| a.id))
        .max()?;
    (!last_review_is(&shared.card.data, newest)).then(|| card_data(&shared.card.data, newest, None))
}

/// Whether the card's `data` says its last review was at `ms` (to the second).
fn last_review_is(data: &str, ms: i64) -> bool {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|d| d.get("lrt").and_then(serde_json::Value::as_i64))
        == Some(ms.div_euclid(1000))
}

/// Where the backup of `path` goes: `PATH.recall-backup-<time>`, to the millisecond, with
/// `-2`, `-3`, … when that is taken.
fn backup_path(path: &Path, now: DateTime<Utc>) -> PathBuf {
    let stamp = now.format("%Y%m%dT%H%M%S%.3fZ");
    let base = format!("{}.recall-backup-{stamp}", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Merges recall's history (`store`, its loaded cards and log) with the Anki collection at
/// `path`, both ways. Refuses, changing nothing, while Anki has the collection open or when
/// its schema is unknown (see [`LiveCollection::open`]). When neither side changed since the
/// last sync with this collection (recall's log, the collection's `col.mod`, the loaded
/// cards), nothing is read: a daily sync with nothing new costs a few queries.
/// `clozes`: recall's clozes (see [`Clozes`]), whose Cloze notes in Anki are matched card by
/// card to their deletions' cards.
pub fn sync(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    clozes: &Clozes,
) -> Result<Report, Error> {
    let mut live = LiveCollection::open(path)?;
    let key = std::fs::canonicalize(path)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    live.begin()?;
    let collection_ms = live.modified_ms();
    live.rollback();
    let collection_ms = collection_ms?;
    let catalog_cards = store.catalog_size()?.0;
    if let Some(mark) = store.anki_sync_mark(&key)?
        && mark.log_seq == store.log_seq()?
        && mark.collection_ms == collection_ms
        && mark.catalog_cards == catalog_cards
    {
        return Ok(Report {
            recall_cards: mark.recall_cards,
            matched: mark.matched,
            ..Report::default()
        });
    }
    let report = sync_whole(store, clock, path, &mut live, clozes)?;
    // Answers held back by the date rule are taken once their day comes: no mark until then.
    if report.held == 0
        && let Ok(collection_ms) = live.modified_ms()
    {
        store.set_anki_sync_mark(
            &key,
            &SyncMark {
                log_seq: store.log_seq()?,
                collection_ms,
                catalog_cards,
                recall_cards: report.recall_cards,
                matched: report.matched,
            },
        )?;
    }
    Ok(report)
}

/// [`sync`], reading both histories card by card: a first pass over the collection's cards
/// (with their review log, read side by side) and recall's answers to each (by the log's index
/// by card) holds one card's histories at a time. Anki's answers recall lacks go into recall's
/// log as they are found, the pass on a thread of its own reading the database as it was while
/// this one merges; what the pass keeps is the cards going to Anki (16 bytes each), which then
/// get recall's answers and schedules card by card again.
fn sync_whole(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    live: &mut LiveCollection,
    clozes: &Clozes,
) -> Result<Report, Error> {
    let horizon = Horizon::of(clock);
    let rules = store.rules(None);
    live.begin()?;
    let pulled = pull(store, clock, live, clozes, horizon, &rules);
    live.rollback();
    let (plan, from_anki) = pulled?;
    let mut report = Report {
        recall_cards: store.catalog_size()?.0,
        matched: plan.matched,
        from_anki,
        held: plan.held,
        in_filtered_decks: plan.in_filtered_decks,
        horizon: Some(horizon),
        suspended_in_anki: plan.queues.iter().filter(|q| q.queue == -1).count(),
        ..Report::default()
    };
    report.unsuspended_in_anki = plan.queues.len() - report.suspended_in_anki;
    if !plan.suspended.is_empty() || !plan.unsuspended.is_empty() {
        if from_anki == 0 {
            store.ensure_whole()?;
        }
        // Once per change of the Anki card (see `merge_suspensions`).
        report.suspended_from_anki =
            crate::import::review_log::merge_suspensions(store, clock, &plan.suspended)?;
        report.unsuspended_from_anki =
            crate::import::review_log::merge_unsuspensions(store, clock, &plan.unsuspended)?;
    }
    if plan.push.is_empty() && plan.queues.is_empty() {
        return Ok(report);
    }
    let backup = backup_path(path, clock.now());
    live.backup_to(&backup)?;
    live.begin()?;
    if live.modified_ms()? != plan.header.modified_ms {
        live.rollback();
        return Err(Error::Store {
            path: path.display().to_string(),
            message: "changed while recall was syncing with it (was Anki opened?); nothing was written to it. Close Anki and run `recall sync --anki` again".into(),
        });
    }
    let written = store
        .reading_once(|| push(store, clock, live, clozes, &plan, &mut report))
        .and_then(|written| live.commit().map(|()| written));
    match written {
        Ok(written) => report.to_anki = written,
        Err(e) => {
            live.rollback();
            return Err(e);
        }
    }
    report.backup = Some(backup);
    Ok(report)
}

/// Entries sent at once from the first pass to the merge (about 300 KB).
const PULL_BATCH: usize = 1024;

/// Anki → recall, inside a read of the collection: the first pass ([`plan`]) on a thread of
/// its own with a second connection to recall's database, sending Anki's answers recall lacks
/// (what the date rule admits) as log entries, which this thread merges into the log in one
/// transaction as they come (checking the database first, when there is something to merge).
/// Nothing is committed unless the pass ended well. Returns the plan and how many entries
/// were added.
fn pull(
    store: &mut Store,
    clock: &Clock,
    live: &mut LiveCollection,
    clozes: &Clozes,
    horizon: Horizon,
    rules: &Rules,
) -> Result<(Plan, usize), Error> {
    // The CLI's database is always a file; an in-memory one has no second connection.
    let Some(reader) = store.reader()? else {
        return Err(Error::Store {
            path: store.path().to_string(),
            message: "is an in-memory database, which `sync --anki` cannot read beside its merge"
                .into(),
        });
    };
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<LogEntry>>(4);
        // Batches merged come back to be freed on the thread that allocated their strings
        // (freed on the merging thread, they cost it a tenth of its time in glibc's `free`).
        let (done, merged_batches) = std::sync::mpsc::channel::<Vec<LogEntry>>();
        let worker = scope.spawn(move || {
            reader.reading_once(|| {
                plan(&reader, live, clozes, horizon, rules, clock, &mut |batch| {
                    merged_batches.try_iter().for_each(drop);
                    send.send(batch).map_err(|_| Error::Store {
                        path: reader.path().to_string(),
                        message: "the merge of Anki's answers stopped".into(),
                    })
                })
            })
        });
        let merged = merge_pulled(store, receive, &done);
        // A merge that failed dropped the receiver: the pass stops at its next batch.
        let planned = worker
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let merged = merged?;
        let plan = planned?;
        let added = match merged {
            Some((merge, added)) => {
                merge.commit()?;
                added
            }
            None => 0,
        };
        Ok((plan, added))
    })
}

/// Merges the `batches` of entries into the log, in a merge begun at the first (after the
/// database's check), left uncommitted for the caller; `None` when none came.
fn merge_pulled<'s>(
    store: &'s mut Store,
    batches: impl IntoIterator<Item = Vec<LogEntry>>,
    done: &std::sync::mpsc::Sender<Vec<LogEntry>>,
) -> Result<Option<(crate::store::SyncMerge<'s>, usize)>, Error> {
    let mut batches = batches.into_iter();
    let Some(first) = batches.next() else {
        return Ok(None);
    };
    // Checked only when there is something to merge: SQLite's check reads the whole file.
    store.ensure_whole()?;
    let mut merge = store.begin_merge(false)?;
    let mut added = 0;
    for batch in std::iter::once(first).chain(batches) {
        for entry in &batch {
            added += usize::from(merge.add_own(entry)?);
        }
        let _ = done.send(batch);
    }
    Ok(Some((merge, added)))
}

/// What the first pass found, in Anki card id order.
struct Plan {
    header: Header,
    /// The cards both sides have.
    matched: usize,
    /// Anki's answers recall lacks that the date rule holds back.
    held: usize,
    /// The cards with answers Anki lacks (see [`Push`]).
    push: Vec<Push>,
    /// Of those, the ones whose newest answer is recall's but that sit in a filtered deck.
    in_filtered_decks: usize,
    /// The cards whose suspension recall takes from Anki, either way.
    suspended: Vec<Suspension>,
    unsuspended: Vec<Suspension>,
    /// The cards whose suspension Anki takes from recall.
    queues: Vec<QueueUpdate>,
}

/// A card with answers Anki lacks: its Anki id, and whether it may take recall's schedule
/// (its newest answer is recall's, or one both have, and it is in no filtered deck).
#[derive(Clone, Copy)]
struct Push {
    anki_card: i64,
    reschedule: bool,
}

/// A card both sides have, with both its histories: held for one card at a time.
struct Shared {
    /// Anki's card.
    card: LiveCard,
    /// For a card of a cloze recall exported as one Cloze note: recall's id of its deletion's
    /// card, which the GUID and ordinal alone do not give.
    cloze_id: Option<CardId>,
    /// Anki's answers (rows with a button), in time order; [`Shared::match_answers`] claims
    /// those recall has.
    anki: Vec<AnkiAnswer>,
    /// recall's answers (not undone), in time order; [`Shared::match_answers`] marks those
    /// Anki lacks.
    recall: Vec<RecallAnswer>,
    /// Its newest answer is recall's, or one both have (set by [`Shared::match_answers`]).
    newest_is_recalls: bool,
}

impl Shared {
    /// The card with both its histories (`rows`: Anki's log for it, in time order; recall's
    /// answers read from `store`), matched.
    fn read(
        store: &Store,
        card: LiveCard,
        cloze_id: Option<CardId>,
        rows: &[LiveRevlog],
    ) -> Result<Shared, Error> {
        let mut shared = Shared {
            card,
            cloze_id,
            anki: rows.iter().filter_map(AnkiAnswer::of).collect(),
            recall: Vec::new(),
            newest_is_recalls: true,
        };
        shared.recall = store
            .answers_of(shared.id().as_str())?
            .iter()
            .map(RecallAnswer::of)
            .collect();
        shared.match_answers();
        Ok(shared)
    }

    /// recall's id for the card.
    fn id(&self) -> CardId {
        match &self.cloze_id {
            Some(id) => id.clone(),
            None => CardId(crate::import::anki::card_id(&self.card.guid, self.card.ord)),
        }
    }

    /// Matches the two histories ([`unmatched`]).
    fn match_answers(&mut self) {
        let missing = unmatched(&self.recall, &mut self.anki);
        for (answer, missing) in self.recall.iter_mut().zip(missing) {
            answer.missing = missing;
        }
        let newest_recall = self.recall.last().map_or(i64::MIN, |a| a.at_ms);
        let newest_anki = self
            .anki
            .iter()
            .filter(|a| !a.claimed)
            .map(|a| a.id)
            .max()
            .unwrap_or(i64::MIN);
        self.newest_is_recalls = newest_recall >= newest_anki;
    }

    /// Whether Anki lacks one of recall's answers.
    fn to_push(&self) -> bool {
        self.recall.iter().any(|a| a.missing)
    }
}

/// recall's clozes by id, each with its cards' ids in deletion order (see
/// [`crate::deck::cloze_card_ids`]).
pub type Clozes = HashMap<String, Vec<CardId>>;

/// recall's card for card `ord` of the note with `guid`, when the note is a cloze recall
/// exported (`recall:ID`, a cloze of recall's with that id): its deletion `ord + 1`'s card.
fn cloze_card<'c>(clozes: &'c Clozes, guid: &str, ord: u32) -> Option<&'c CardId> {
    clozes
        .get(guid.strip_prefix("recall:")?)?
        .get(usize::try_from(ord).ok()?)
}

/// recall's id for Anki card `card` (see [`cloze_card`]), and whether it is a cloze's.
fn recall_id(clozes: &Clozes, card: &LiveCard) -> (CardId, Option<CardId>) {
    match cloze_card(clozes, &card.guid, card.ord) {
        Some(id) => (id.clone(), Some(id.clone())),
        None => (
            CardId(crate::import::anki::card_id(&card.guid, card.ord)),
            None,
        ),
    }
}

/// The first pass (inside a read of the collection): each card of the collection that recall
/// (`store`) has, with both its histories, one at a time. Anki's answers recall lacks that the
/// date rule admits go to `pulled` as recall's log entries, in batches.
fn plan(
    store: &Store,
    live: &LiveCollection,
    clozes: &Clozes,
    horizon: Horizon,
    rules: &Rules,
    clock: &Clock,
    pulled: &mut dyn FnMut(Vec<LogEntry>) -> Result<(), Error>,
) -> Result<Plan, Error> {
    let mut plan = Plan {
        header: live.header()?,
        matched: 0,
        held: 0,
        push: Vec::new(),
        in_filtered_decks: 0,
        suspended: Vec::new(),
        unsuspended: Vec::new(),
        queues: Vec::new(),
    };
    let suspended_here = store.suspended_cards()?;
    // Read at the first card the two sides differ on suspending.
    let mut suspension_changes = None;
    let mut batch = Vec::new();
    let mut rows = Vec::new();
    live.cards_for_each(|card, revlog| {
        let (id, cloze_id) = recall_id(clozes, &card);
        if !store.has_card(id.as_str())? {
            return Ok(());
        }
        plan.matched += 1;
        let shared = Shared::read(store, card, cloze_id, revlog)?;
        rows.clear();
        for a in shared.anki.iter().filter(|a| a.wanted()) {
            if a.admitted(horizon) {
                rows.push((a.id, i64::from(a.ease), i64::from(a.taken_ms)));
            } else {
                plan.held += 1;
            }
        }
        if !rows.is_empty() {
            let record = store.record(&id)?;
            let study_day = |t| clock.study_day(t);
            batch.extend(entries_from_anki(
                &id,
                &rows,
                record.as_ref(),
                study_day,
                rules,
            ));
            if batch.len() >= PULL_BATCH {
                pulled(std::mem::take(&mut batch))?;
            }
        }
        if shared.to_push() {
            let reschedule = shared.newest_is_recalls && shared.card.original_deck == 0;
            if shared.newest_is_recalls && !reschedule {
                plan.in_filtered_decks += 1;
            }
            plan.push.push(Push {
                anki_card: shared.card.id,
                reschedule,
            });
        }
        let suspended_in_recall = suspended_here.contains(id.as_str());
        if (shared.card.queue == -1) != suspended_in_recall {
            if suspension_changes.is_none() {
                suspension_changes = Some(store.suspension_changes()?);
            }
            let changed = suspension_changes
                .as_ref()
                .and_then(|c| c.get(id.as_str()).copied());
            settle_suspension(store, &shared, id, suspended_in_recall, changed, &mut plan)?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        pulled(batch)?;
    }
    Ok(plan)
}

/// Settles a card the two sides differ on suspending ([`anki_suspension_wins`]): recall
/// suspends or unsuspends it as Anki has it, or Anki takes recall's way (a queue update).
/// `recall_changed`: when recall last suspended or unsuspended it.
fn settle_suspension(
    store: &Store,
    shared: &Shared,
    id: CardId,
    suspended_in_recall: bool,
    mut recall_changed: Option<i64>,
    plan: &mut Plan,
) -> Result<(), Error> {
    let card = &shared.card;
    if suspended_in_recall && store.record(&id)?.is_some_and(|r| r.leech) {
        // Suspended by an answer that made it a leech, with no marker of its own.
        recall_changed = recall_changed.max(shared.recall.last().map(|a| a.at_ms));
    }
    if anki_suspension_wins(card.modified, recall_changed) {
        let change = Suspension {
            card: id,
            anki_card: card.id,
            at: DateTime::from_timestamp(card.modified, 0).unwrap_or_default(),
        };
        if card.queue == -1 {
            plan.suspended.push(change);
        } else {
            plan.unsuspended.push(change);
        }
    } else {
        plan.queues.push(QueueUpdate {
            id: card.id,
            queue: if suspended_in_recall {
                -1
            } else {
                card.active_queue()
            },
        });
    }
    Ok(())
}

/// recall → Anki (inside the collection's write transaction): each card with answers Anki
/// lacks, read again with both its histories (recall's now holding what the pull brought, which
/// matches Anki's rows exactly), gets them as revlog rows, and the ones [`Push`] allows take
/// recall's schedule; then the queue updates of the cards that did not. Returns how many rows
/// were added.
fn push(
    store: &Store,
    clock: &Clock,
    live: &LiveCollection,
    clozes: &Clozes,
    plan: &Plan,
    report: &mut Report,
) -> Result<usize, Error> {
    let created = DateTime::from_timestamp(plan.header.created_secs, 0).unwrap_or_default();
    let today = (
        clock.today(),
        clock
            .today()
            .signed_duration_since(clock.study_day(created))
            .num_days(),
    );
    let mut writer = live.writer(clock.now().timestamp_millis())?;
    let mut rescheduled = Vec::new();
    for push in &plan.push {
        let Some(card) = live.card(push.anki_card)? else {
            continue;
        };
        let rows = live.revlog_of(card.id)?;
        let (id, cloze_id) = recall_id(clozes, &card);
        let shared = Shared::read(store, card, cloze_id, &rows)?;
        let pushed: Vec<&RecallAnswer> = shared.recall.iter().filter(|a| a.missing).collect();
        for answer in &pushed {
            writer.add(&answer.row(shared.card.id))?;
        }
        let newest = shared.recall.last().map_or(i64::MIN, |a| a.at_ms);
        let update = match (push.reschedule, store.record(&id)?) {
            (true, Some(record)) => schedule_update(
                &shared.card,
                &record,
                &pushed,
                newest,
                today,
                plan.header.fsrs,
            ),
            _ => None,
        };
        if let Some(update) = update {
            writer.update(&update)?;
            rescheduled.push(update.id);
        } else if let Some(data) = last_review_kept(&shared) {
            writer.set_data(shared.card.id, &data)?;
        }
    }
    report.rescheduled = rescheduled.len();
    // A card given recall's schedule took its suspension with it (its type may change).
    for queue in &plan.queues {
        if rescheduled.binary_search(&queue.id).is_err() {
            writer.requeue(queue)?;
        }
    }
    writer.finish()
}

#[cfg(test)]
mod tests;
