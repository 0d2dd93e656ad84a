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
    CardUpdate, LiveCard, LiveCollection, LiveRevlog, LoggedAnswer, NewRevlog, QueueUpdate,
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
    let live = LiveCollection::open(path)?;
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
    let report = sync_whole(store, clock, path, &live, clozes)?;
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

/// [`sync`], reading both histories whole. The two are held card by card and compactly
/// (about 40 bytes an answer, see [`RecallAnswer`] and [`AnkiAnswer`]); what one side lacks
/// goes to it one entry or row at a time, never gathered whole.
fn sync_whole(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    live: &LiveCollection,
    clozes: &Clozes,
) -> Result<Report, Error> {
    live.begin()?;
    let read = read_histories(store, live, clozes);
    live.rollback();
    let mut histories = read?;
    let mut report = Report {
        recall_cards: histories.recall_cards,
        matched: histories.cards.len(),
        ..Report::default()
    };
    for shared in &mut histories.cards {
        shared.match_answers();
    }
    let mut queues = pull(store, clock, &mut histories, &mut report)?;
    // One record lookup per card: each page read about once.
    let rescheduled = store.reading_once(|| push(store, &mut histories, &mut report))?;
    // A card given recall's schedule takes its suspension with it (its type may change).
    queues.retain(|q| !histories.rescheduled(q.id));
    let missing = || {
        histories.cards.iter().flat_map(|shared| {
            shared
                .recall
                .iter()
                .filter(|a| a.missing)
                .map(|a| a.row(shared.card.id))
        })
    };
    if missing().next().is_none() && rescheduled == 0 && queues.is_empty() {
        return Ok(report);
    }
    let backup = backup_path(path, clock.now());
    live.backup_to(&backup)?;
    live.begin()?;
    if live.modified_ms()? != histories.modified_ms {
        live.rollback();
        return Err(Error::Store {
            path: path.display().to_string(),
            message: "changed while recall was syncing with it (was Anki opened?); nothing was written to it. Close Anki and run `recall sync --anki` again".into(),
        });
    }
    let now_ms = clock.now().timestamp_millis();
    let written = store
        .reading_once(|| live.write(missing(), histories.updates(store, clock), &queues, now_ms))
        .and_then(|written| live.commit().map(|()| written));
    match written {
        Ok(written) => report.to_anki = written,
        Err(e) => {
            live.rollback();
            return Err(e);
        }
    }
    report.rescheduled = rescheduled;
    report.backup = Some(backup);
    Ok(report)
}

/// Both histories of the cards the two sides share.
struct Histories {
    /// `col.mod` when they were read, ms.
    modified_ms: i64,
    /// `col.crt`, seconds.
    created_secs: i64,
    /// Whether the collection schedules with FSRS.
    fsrs: bool,
    /// How many cards recall has loaded.
    recall_cards: usize,
    /// The cards both have, in Anki card id order.
    cards: Vec<Shared>,
}

/// A card both sides have, with both its histories.
struct Shared {
    /// Anki's card; recall's id for it comes from its note's GUID and its ordinal
    /// ([`Shared::id`]), made when wanted rather than held (100,000 ids are 6 MB).
    card: LiveCard,
    /// For a card of a cloze recall exported as one Cloze note: recall's id of its deletion's
    /// card, which the GUID and ordinal alone do not give.
    cloze_id: Option<Box<str>>,
    /// Anki's answers, in time order; [`Shared::match_answers`] claims those recall has.
    anki: Vec<AnkiAnswer>,
    /// recall's answers (not undone), in time order; [`Shared::match_answers`] marks those
    /// Anki lacks.
    recall: Vec<RecallAnswer>,
    /// Its newest answer is recall's, or one both have (set by [`Shared::match_answers`]).
    newest_is_recalls: bool,
    /// It takes recall's schedule (set by [`push`]).
    reschedule: bool,
}

impl Histories {
    /// Lets go of the cards with no answer Anki lacks (all that is left to do is push).
    fn keep_those_to_push(&mut self) {
        self.cards
            .retain(|shared| shared.recall.iter().any(|a| a.missing));
        self.cards.shrink_to_fit();
    }
}

impl Shared {
    /// recall's id for the card.
    fn id(&self) -> CardId {
        match &self.cloze_id {
            Some(id) => CardId(id.to_string()),
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
}

/// Gives each shared card (in Anki card id order) its rows of Anki's review log as they come
/// in card then time order: a merge-join of the two. Rows without a button (manual
/// reschedules) and rows of cards recall lacks are passed over.
#[derive(Default)]
struct RevlogJoin {
    /// The card the rows are for now.
    at: usize,
    /// Its rows so far: gathered in one buffer, then kept at their size, since a vector
    /// grown row by row holds up to twice as much (measured: 64 MB instead of 40 for a
    /// million rows).
    rows: Vec<AnkiAnswer>,
}

impl RevlogJoin {
    fn add(&mut self, cards: &mut [Shared], row: LiveRevlog) {
        if !(1..=4).contains(&row.ease) {
            return;
        }
        if cards.get(self.at).is_some_and(|c| c.card.id < row.card) {
            self.keep(cards);
            while cards.get(self.at).is_some_and(|c| c.card.id < row.card) {
                self.at += 1;
            }
        }
        if cards.get(self.at).is_some_and(|c| c.card.id == row.card) {
            self.rows.push(AnkiAnswer {
                id: row.id,
                taken_ms: u32::try_from(row.taken_ms.clamp(0, 60_000)).unwrap_or(0),
                ease: u8::try_from(row.ease).unwrap_or(0),
                kind: u8::try_from(row.kind).unwrap_or(u8::MAX),
                claimed: false,
            });
        }
    }

    fn keep(&mut self, cards: &mut [Shared]) {
        if let Some(shared) = cards.get_mut(self.at)
            && !self.rows.is_empty()
        {
            shared.anki = self.rows.as_slice().to_vec();
        }
        self.rows.clear();
    }

    /// After the last row.
    fn finish(mut self, cards: &mut [Shared]) {
        self.keep(cards);
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

/// Reads the collection's cards that recall has and their answers, and recall's answers to
/// them. Anki's review log comes in card order, so each row finds its card by a merge-join.
fn read_histories(
    store: &Store,
    live: &LiveCollection,
    clozes: &Clozes,
) -> Result<Histories, Error> {
    let snapshot = live.snapshot()?;
    let recall_cards = store.catalog_card_ids()?;
    // Sized at once: grown by doubling, it would hold twice its size beside the snapshot.
    let mut cards = Vec::with_capacity(snapshot.cards.len());
    for card in snapshot.cards {
        let cloze_id = cloze_card(clozes, &card.guid, card.ord);
        let id = cloze_id.map_or_else(
            || crate::import::anki::card_id(&card.guid, card.ord),
            |id| id.0.clone(),
        );
        if recall_cards.contains(&id) {
            cards.push(Shared {
                cloze_id: cloze_id.map(|id| id.0.clone().into_boxed_str()),
                card,
                anki: Vec::new(),
                recall: Vec::new(),
                newest_is_recalls: true,
                reschedule: false,
            });
        }
    }
    let recall_count = recall_cards.len();
    drop(recall_cards);
    cards.shrink_to_fit();
    let mut join = RevlogJoin::default();
    live.revlog_for_each(|row| join.add(&mut cards, row))?;
    join.finish(&mut cards);
    let by_recall: HashMap<String, usize> = cards
        .iter()
        .enumerate()
        .map(|(i, shared)| (shared.id().0, i))
        .collect();
    store.log_counts_for_each(|card, count| {
        if let Some(&i) = by_recall.get(card) {
            cards[i].recall.reserve_exact(count);
        }
    })?;
    store.answers_for_each(|answer| {
        if let Some(&i) = by_recall.get(answer.card_id.as_str()) {
            cards[i].recall.push(RecallAnswer::of(&answer));
        }
    })?;
    drop(by_recall);
    for shared in &mut cards {
        shared.recall.sort_by_key(|a| a.at_ms);
        shared.recall.shrink_to_fit();
    }
    Ok(Histories {
        modified_ms: snapshot.modified_ms,
        created_secs: snapshot.created_secs,
        fsrs: snapshot.fsrs,
        recall_cards: recall_count,
        cards,
    })
}

/// Anki → recall: merges Anki's answers recall lacks into its log (what the date rule
/// admits), card by card in one transaction, then settles each card the two sides differ on
/// suspending: Anki's way into the log, recall's into the returned queue updates. Anki's
/// answers are let go as they are merged.
fn pull(
    store: &mut Store,
    clock: &Clock,
    histories: &mut Histories,
    report: &mut Report,
) -> Result<Vec<QueueUpdate>, Error> {
    let horizon = Horizon::of(clock);
    report.horizon = Some(horizon);
    let wanted = |a: &&AnkiAnswer| !a.claimed && (0..=3).contains(&a.kind);
    let admitted = |a: &&AnkiAnswer| {
        DateTime::from_timestamp_millis(a.id).is_some_and(|at| horizon.admits(at))
    };
    let (mut to_add, mut held) = (0, 0);
    for a in histories
        .cards
        .iter()
        .flat_map(|s| s.anki.iter().filter(wanted))
    {
        if admitted(&a) {
            to_add += 1;
        } else {
            held += 1;
        }
    }
    report.held = held;
    let (suspended, unsuspended, queues) = settle_suspensions(store, histories)?;
    report.suspended_in_anki = queues.iter().filter(|q| q.queue == -1).count();
    report.unsuspended_in_anki = queues.len() - report.suspended_in_anki;
    if to_add == 0 && suspended.is_empty() && unsuspended.is_empty() {
        histories.keep_those_to_push();
        return Ok(queues);
    }
    // Checked only when there is something to merge: SQLite's check reads the whole file.
    store.ensure_whole()?;
    if to_add > 0 {
        let rules = store.rules(None);
        let mut merge = store.begin_merge(to_add > crate::store::BULK_MERGE)?;
        let mut added = 0;
        for shared in &mut histories.cards {
            let rows: Vec<(i64, i64, i64)> = shared
                .anki
                .iter()
                .filter(wanted)
                .filter(admitted)
                .map(|a| (a.id, i64::from(a.ease), i64::from(a.taken_ms)))
                .collect();
            shared.anki = Vec::new();
            if rows.is_empty() {
                continue;
            }
            let id = shared.id();
            let record = merge.record_before(&id)?;
            let study_day = |t| clock.study_day(t);
            for entry in entries_from_anki(&id, &rows, record.as_ref(), study_day, &rules) {
                if merge.add_own(&entry)? {
                    added += 1;
                }
            }
        }
        // Only cards with answers Anki lacks are left to push: the others are let go before
        // the commit replays the log (after a pull of a whole history, all of them).
        histories.keep_those_to_push();
        merge.commit()?;
        report.from_anki = added;
    }
    // Once per change of the Anki card (see `merge_suspensions`).
    report.suspended_from_anki =
        crate::import::review_log::merge_suspensions(store, clock, &suspended)?;
    report.unsuspended_from_anki =
        crate::import::review_log::merge_unsuspensions(store, clock, &unsuspended)?;
    Ok(queues)
}

type Settled = (Vec<Suspension>, Vec<Suspension>, Vec<QueueUpdate>);

/// The shared cards whose suspension differs between recall and Anki, settled by
/// [`anki_suspension_wins`]: the ones recall suspends and unsuspends as Anki has them, and
/// Anki's queue updates for the others, in Anki card id order.
fn settle_suspensions(store: &Store, histories: &Histories) -> Result<Settled, Error> {
    let suspended_here = store.suspended_cards()?;
    let differing: Vec<&Shared> = histories
        .cards
        .iter()
        .filter(|s| {
            let here = !suspended_here.is_empty() && suspended_here.contains(s.id().as_str());
            (s.card.queue == -1) != here
        })
        .collect();
    let (mut suspended, mut unsuspended, mut queues) = (Vec::new(), Vec::new(), Vec::new());
    if differing.is_empty() {
        return Ok((suspended, unsuspended, queues));
    }
    let changes = store.suspension_changes()?;
    for shared in differing {
        let (card, id) = (&shared.card, &shared.id());
        let suspended_in_recall = suspended_here.contains(id.as_str());
        let mut recall_changed = changes.get(id.as_str()).copied();
        if suspended_in_recall && store.record(id)?.is_some_and(|r| r.leech) {
            // Suspended by an answer that made it a leech, with no marker of its own.
            recall_changed = recall_changed.max(shared.recall.last().map(|a| a.at_ms));
        }
        if anki_suspension_wins(card.modified, recall_changed) {
            let change = Suspension {
                card: id.clone(),
                anki_card: card.id,
                at: DateTime::from_timestamp(card.modified, 0).unwrap_or_default(),
            };
            if card.queue == -1 {
                suspended.push(change);
            } else {
                unsuspended.push(change);
            }
        } else {
            queues.push(QueueUpdate {
                id: card.id,
                queue: if suspended_in_recall {
                    -1
                } else {
                    card.active_queue()
                },
            });
        }
    }
    Ok((suspended, unsuspended, queues))
}

/// recall → Anki: marks the cards with answers Anki lacks whose newest answer is recall's
/// and that recall has scheduled (after the pull) to take recall's schedule. Their updates
/// are made as they are written ([`Histories::updates`]), never gathered (100,000 are 15
/// MB). Returns how many.
fn push(store: &Store, histories: &mut Histories, report: &mut Report) -> Result<usize, Error> {
    let mut marked = 0;
    for shared in &mut histories.cards {
        if !shared.newest_is_recalls || !shared.recall.iter().any(|a| a.missing) {
            continue;
        }
        if shared.card.original_deck != 0 {
            report.in_filtered_decks += 1;
            continue;
        }
        shared.reschedule = store
            .record(&shared.id())?
            .is_some_and(|r| r.state.memory().is_some());
        marked += usize::from(shared.reschedule);
    }
    Ok(marked)
}

impl Histories {
    /// Whether Anki card `id` is one [`push`] marked.
    fn rescheduled(&self, id: i64) -> bool {
        self.cards
            .binary_search_by_key(&id, |shared| shared.card.id)
            .is_ok_and(|i| self.cards[i].reschedule)
    }

    /// The schedules of the cards [`push`] marked, from recall's records, in Anki card id
    /// order, one at a time.
    fn updates<'h>(
        &'h self,
        store: &'h Store,
        clock: &Clock,
    ) -> impl Iterator<Item = Result<CardUpdate, Error>> + 'h {
        let created = DateTime::from_timestamp(self.created_secs, 0).unwrap_or_default();
        let today = (
            clock.today(),
            clock
                .today()
                .signed_duration_since(clock.study_day(created))
                .num_days(),
        );
        self.cards
            .iter()
            .filter(|shared| shared.reschedule)
            .filter_map(move |shared| {
                let record = match store.record(&shared.id()) {
                    Ok(record) => record?,
                    Err(e) => return Some(Err(e)),
                };
                let pushed: Vec<&RecallAnswer> =
                    shared.recall.iter().filter(|a| a.missing).collect();
                let newest = shared.recall.last().map_or(i64::MIN, |a| a.at_ms);
                schedule_update(&shared.card, &record, &pushed, newest, today, self.fsrs).map(Ok)
            })
    }
}

#[cfg(test)]
mod tests;
