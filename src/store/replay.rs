//! Replaying the log into the card-state projection: per card after each answer, or the whole
//! log for `rebuild` and a scheduler switch.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::activity::write_activity;
use super::log::REPLAY_ORDER;
use super::rows::{RECORD_COLUMNS, record_from, write_record};
use super::{
    CACHE_SIZE, CardRecord, DayActivity, EntryKind, LogEntry, Maturity, Store, Tally,
    day_from_number, store_error,
};
use crate::error::Error;
use crate::scheduler::{self, Algorithm, CardState, Rules};
use crate::types::{CardId, Grade, ReviewId};

impl Store {
    /// Switches the scheduling algorithm: replays the whole log through the new one, so
    /// switching back restores exactly the previous state. Returns the number of cards
    /// rescheduled, or `None` when `algorithm` was already in use.
    ///
    /// After an upgrade that changed how the log is replayed (schema v9: learning steps, FSRS
    /// counting same-day answers), the first call replays the log even for the same algorithm,
    /// with the steps set by then ([`Store::set_steps`]).
    pub fn set_algorithm(&mut self, algorithm: Algorithm) -> Result<Option<usize>, Error> {
        if algorithm == self.algorithm && !self.replay_pending {
            return Ok(None);
        }
        self.algorithm = algorithm;
        let cards = self.rebuild()?;
        self.set_meta("scheduler", &algorithm.key())?;
        Ok(Some(cards))
    }

    /// Recomputes every card's record by replaying the log through the scheduler, replacing
    /// the projection, and recomputes the activity projections (`day_activity`,
    /// `card_activity`) from the log, in one transaction: how a damaged projection is repaired.
    /// Returns the number of cards with a record.
    pub fn rebuild(&mut self) -> Result<usize, Error> {
        // A replay reads the log once, in an order it sorts: a large page cache saves little
        // here, and the sort may fill it (measured at 1M reviews: 1.04 s and 58 MB with the
        // 16 MB cache, 1.07 s and 33 MB with 4 MB).
        self.conn
            .execute_batch("PRAGMA cache_size = -4096")
            .map_err(|e| self.err(&e))?;
        let rebuilt = self.rebuild_projections();
        self.conn
            .execute_batch(CACHE_SIZE)
            .map_err(|e| self.err(&e))?;
        let cards = rebuilt?;
        // A full replay is what an upgrade left pending.
        if self.replay_pending {
            self.conn
                .execute("DELETE FROM meta WHERE key = 'replay_pending'", [])
                .map_err(|e| self.err(&e))?;
            self.replay_pending = false;
        }
        Ok(cards)
    }

    fn rebuild_projections(&mut self) -> Result<usize, Error> {
        let rules = self.rules(None);
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        // The write lock before the log is read: a review answered in another process while
        // the replay ran would otherwise be overwritten by the state from before it (and its
        // card come back as due until the next rebuild). Answers wait for the lock meanwhile.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let records = replace_projections(&tx, &self.device, &rules).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(records)
    }
}

/// Replaces every projection (card states, activity) by a replay of the whole log, inside the
/// caller's write transaction. Returns the number of cards with a record.
pub(super) fn replace_projections(
    tx: &Connection,
    device: &str,
    rules: &Rules,
) -> rusqlite::Result<usize> {
    let Replay { cards, days, .. } = project_streaming(tx, device, rules)?;
    // Only records that differ from the stored ones are written: a rebuild of a healthy
    // projection writes none, and each write also costs the catalog trigger's lookup.
    // (A default record is a deletion.)
    let mut differ: Vec<&CardId> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let mut stored: HashSet<&CardId> = HashSet::with_capacity(cards.len());
    {
        let mut stmt = tx.prepare(&format!("SELECT {RECORD_COLUMNS} FROM card_state"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?))?;
            match cards.get_key_value(id) {
                Some((card, replayed)) => {
                    stored.insert(card);
                    if record_from(row)? != replayed.record {
                        differ.push(card);
                    }
                }
                None => stale.push(id.to_string()),
            }
        }
    }
    let mut records = 0;
    for (card, replayed) in &cards {
        let record = &replayed.record;
        if !stored.contains(card) && *record != CardRecord::default() {
            differ.push(card);
        }
        records += usize::from(*record != CardRecord::default());
    }
    // In key order: `card_state` is keyed by card id, and records written in the hash map's
    // order land each on another page of the table and its indexes (a replay of a million
    // entries onto an empty projection: 1.07 s to write 100,000 records, 0.59 s sorted).
    differ.sort_unstable();
    let bulk = differ.len() > BULK_RECORDS;
    let rebuilt = if bulk {
        drop_indexes(tx, "card_state")?
    } else {
        Vec::new()
    };
    for card in differ {
        write_record(tx, card, &cards[card].record)?;
    }
    for sql in rebuilt {
        tx.execute_batch(&sql)?;
    }
    if bulk {
        settle_fresh(tx)?;
    }
    for card in stale {
        tx.execute("DELETE FROM card_state WHERE card_id = ?1", params![card])?;
    }
    let tallies = cards.iter().map(|(card, replayed)| (card, &replayed.tally));
    let tally_of = |id: &str| cards.get(id).map(|replayed| &replayed.tally);
    write_activity(tx, &days, tallies, tally_of)?;
    Ok(records)
}

/// Above this many records written at once, `card_state`'s indexes are dropped for the writes
/// and built again after them.
pub(super) const BULK_RECORDS: usize = 10_000;

/// Drops the indexes of `table` (but the one of its primary key) inside the caller's
/// transaction; returns the statements that build them again.
fn drop_indexes(tx: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type IN ('index', 'trigger') AND tbl_name = ?1 AND sql IS NOT NULL
             ORDER BY type, name",
        )?
        .query_map(params![table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sql = Vec::with_capacity(indexes.len());
    for (name, create) in indexes {
        let kind = if create.starts_with("CREATE TRIGGER") {
            "TRIGGER"
        } else {
            "INDEX"
        };
        tx.execute_batch(&format!("DROP {kind} \"{name}\""))?;
        sql.push(create);
    }
    Ok(sql)
}

/// Sets every catalog card's `fresh` flag as `card_state`'s triggers keep it (a card is fresh
/// when it has no state with a repetition count), after writes made with them dropped.
fn settle_fresh(tx: &Connection) -> rusqlite::Result<()> {
    tx.execute_batch(
        "UPDATE card SET fresh = NOT fresh
         WHERE fresh != NOT EXISTS (SELECT 1 FROM card_state s
                                    WHERE s.card_id = card.id AND s.repetitions IS NOT NULL)",
    )
}

/// Replays `cards` alone from their own entries (through `review_by_card`) and writes their
/// records, inside the caller's write transaction: what a merge of a few entries needs, where
/// a whole replay would read a million. The activity projections are not touched (the log's
/// triggers keep them as entries are inserted).
pub(super) fn replay_cards<'c>(
    tx: &Connection,
    device: &str,
    rules: &Rules,
    cards: impl IntoIterator<Item = &'c CardId>,
) -> rusqlite::Result<()> {
    for card in cards {
        let log = super::log::read_log(tx, Some(card), device)?;
        let record = project(&log, rules).remove(card).unwrap_or_default();
        write_record(tx, card, &record)?;
    }
    Ok(())
}

/// The card records that replaying `log` (in order) produces. Scheduled answers go through
/// the scheduler (SM-2 with fuzz; the 8th lapse makes a leech and suspends it); skips bury
/// until the next study day; suspends and unsuspends set the flag; drills (same-day steps
/// and re-drills) move the card's steps and FSRS memory, never SM-2's; crams change nothing; an undone entry is as if it had never been. `rules` gives the algorithm and
/// parameters (each entry its own exam day); a due date a review recorded within its fuzz
/// range is kept (see [`scheduler::schedule_as_recorded`]).
pub fn project(log: &[LogEntry], rules: &Rules) -> HashMap<CardId, CardRecord> {
    let undone: HashSet<&ReviewId> = log.iter().filter_map(|e| e.undoes.as_ref()).collect();
    let mut records: HashMap<CardId, CardRecord> = HashMap::new();
    for entry in log {
        if entry.kind == EntryKind::Undo || undone.contains(&entry.id) {
            continue;
        }
        let record = records.entry(entry.card_id.clone()).or_default();
        apply(
            record,
            entry.kind,
            entry.grade,
            (entry.day, entry.reviewed_at.timestamp_millis()),
            &entry.card_id.0,
            &Rules {
                until: entry.until,
                ..*rules
            },
            entry.after.memory().map(|m| m.due),
        );
    }
    records.retain(|_, r| *r != CardRecord::default());
    records
}

/// What one (not undone) entry does to its card's record; `when` is its study day and its
/// time in ms since the Unix epoch (a step's due time counts from it).
fn apply(
    record: &mut CardRecord,
    kind: EntryKind,
    grade: Option<Grade>,
    when: (NaiveDate, i64),
    card_id: &str,
    rules: &Rules,
    recorded_due: Option<NaiveDate>,
) {
    let (day, at) = when;
    match kind {
        EntryKind::Review => {
            let Some(grade) = grade else { return };
            let lapses = |s: &CardState| s.memory().map_or(0, |m| m.lapses);
            let before = lapses(&record.state);
            record.state =
                scheduler::answer(record.state, grade, day, at, card_id, rules, recorded_due);
            if scheduler::turns_leech(before, lapses(&record.state)) {
                record.leech = true;
                record.suspended = true;
            }
        }
        EntryKind::Drill => {
            let Some(grade) = grade else { return };
            record.state = scheduler::step_answer(record.state, grade, day, at, card_id, rules);
        }
        EntryKind::Skip => record.buried_until = day.succ_opt(),
        EntryKind::Suspend => record.suspended = true,
        EntryKind::Unsuspend => record.suspended = false,
        EntryKind::Cram | EntryKind::Undo => {}
    }
}

/// What a replay of the whole log gives: each card's record (the default one for a card
/// whose history leaves no trace) and its scheduled reviews that tested it, and each study
/// day's answers (keyed by days since 1970-01-01).
pub(super) struct Replay {
    pub(super) cards: CardMap,
    pub(super) days: BTreeMap<i64, DayActivity>,
    /// How many cards had an entry stored after a later one, and were replayed again.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "tests check that a log in time order has none")
    )]
    pub(super) late: usize,
}

/// The columns a replay reads, then the three that place an entry in replay order.
const REPLAY_COLUMNS: &str = "id, card_id, day, kind, grade, until_day, duration_ms,
    before_interval, after_due, reviewed_at, device, coalesce(device_seq, seq)";
const REPLAYED_KINDS: &str = "kind IN ('review', 'drill', 'cram', 'skip', 'suspend', 'unsuspend')";

/// Where an entry stands in replay order ([`super::log::REPLAY_ORDER`]): its time, the device
/// that wrote it (an index into the devices seen so far) and that device's sequence number.
#[derive(Clone, Copy)]
struct Place {
    at: i64,
    device: usize,
    seq: i64,
}

/// The cards of a replay by id.
//
// A faster hasher (foldhash) was tried here: no difference measured over six alternated
// rebuilds at a million reviews; the lookups' cost is in cache misses, not hashing.
pub(super) type CardMap = HashMap<CardId, Replaying>;

/// One card during a replay: its record and tally, where its last applied entry stands, and
/// whether an entry of it came after a later one (then it is replayed again, in order).
#[derive(Default)]
pub(super) struct Replaying {
    pub(super) record: CardRecord,
    pub(super) tally: Tally,
    last: Option<Place>,
    late: bool,
    /// Its entries read (crams aside): what replaying it again holds.
    entries: u32,
}

/// Above this many cards replayed out of order, the second pass reads the whole log sorted
/// instead of each card's entries through the `review_by_card` index.
pub(super) const PER_CARD_REPLAYS: usize = 2_000;

/// [`project`] over the whole log, streamed from the database: only the columns a replay
/// needs, no entry materialised, so a million reviews replay in little memory. The same pass
/// counts the answers for the activity projections, as `Store::answers` would return them.
//
// The counting rides on the replay because it is all but free here (the rows are read and
// each card looked up anyway). Recomputing the projections in SQL instead (two `GROUP BY`
// passes, as migration v5 fills them) cost 0.3 s and 0.46 s at a million reviews and took
// `rebuild` from 1.22 s to 1.98 s, over its 1.5 s budget.
//
// The log is read in the order it is stored, not sorted: a card's record depends only on its
// own entries in replay order, and the counts on no order at all. Entries are appended in
// time order, so nearly every card's entries arrive in replay order already; a card with one
// that does not (merged from another device, or answered under an earlier `RECALL_NOW`) is
// replayed again from its own entries, sorted. Sorting the whole log for the replay was a
// third of a rebuild at a million reviews (an external sort through temporary files).
fn project_streaming(conn: &Connection, device: &str, rules: &Rules) -> rusqlite::Result<Replay> {
    project_streaming_with(conn, device, rules, PER_CARD_REPLAYS, LATE_IN_MEMORY)
}

/// [`project_streaming`], replaying up to `per_card` late cards one by one (more: one sorted
/// pass over the whole log, sorted in memory when the late cards have up to `in_memory`
/// entries, else by `SQLite`). Every way gives the same records; tests take each.
pub(super) fn project_streaming_with(
    conn: &Connection,
    device: &str,
    rules: &Rules,
    per_card: usize,
    in_memory: usize,
) -> rusqlite::Result<Replay> {
    let undone: HashSet<String> = conn
        .prepare("SELECT undoes FROM review WHERE undoes IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let expected = expected_cards(conn)?;
    let (full, full_rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
    let (empty, empty_rx) = mpsc::channel::<Batch>();
    let (read, (mut cards, days, late)) = std::thread::scope(|scope| {
        let worker = scope.spawn(move || replay_batches(&full_rx, &empty, device, rules, expected));
        let read = read_batches(conn, &undone, &full, &empty_rx);
        drop(full);
        let replayed = worker
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (read, replayed)
    });
    read?;
    if late > 0 {
        let entries: usize = cards
            .values()
            .filter(|r| r.late)
            .map(|r| r.entries as usize)
            .sum();
        let late = Late {
            one_by_one: late <= per_card,
            in_memory: entries <= in_memory,
        };
        replay_late(conn, device, rules, &undone, &mut cards, &late)?;
    }
    Ok(Replay { cards, days, late })
}

/// About how many cards a replay of the log meets: as many as the catalog holds, or, for a
/// short log, as it has entries. The map of cards is made that size at once: grown by
/// doubling, it held its old table and the new one together at its last growth (27 MB of a
/// million-answer merge's 36 MB heap peak at 100,000 cards, where the table alone is 18 MB).
fn expected_cards(conn: &Connection) -> rusqlite::Result<usize> {
    let count: i64 = conn.query_row(
        "SELECT min((SELECT count(*) FROM card), (SELECT coalesce(max(seq), 0) FROM review))",
        [],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Entries a batch carries from the reading thread to the replaying one.
const BATCH: usize = 4096;
/// Batches read ahead of the replay (each about 200 KB).
const BATCHES_IN_FLIGHT: usize = 4;

/// Log entries read and not yet replayed, with their card ids one after the other in `ids`,
/// and the devices met for the first time in them.
#[derive(Default)]
struct Batch {
    ids: String,
    entries: Vec<Entry>,
    new_devices: Vec<String>,
}

/// One entry that was not undone, as read.
struct Entry {
    /// Where its card id ends in [`Batch::ids`] (it starts where the previous one ends).
    id_end: usize,
    kind: EntryKind,
    grade: Option<Grade>,
    duration_ms: u32,
    /// The card's interval before an answer (see [`Maturity::tested`]).
    before_interval: Option<u32>,
    day: i64,
    until: Option<i64>,
    recorded_due: Option<i64>,
    place: Place,
}

/// The reading half of a replay, on the calling thread with the connection: reads the log
/// as stored and sends the entries that were not undone to the replaying thread in batches.
//
// The replay is split across two threads because a rebuild is the one command that waits on
// a million of each: `SQLite`'s steps and column reads (a third of its time) and the card
// lookups and scheduler (half). Reading ahead of the replay took the wall time at a million
// reviews from 2.69-3.22 s to 1.33-1.63 s on the 2-core machine of BENCHMARKS.md (4 runs
// of each, alternated).
fn read_batches(
    conn: &Connection,
    undone: &HashSet<String>,
    full: &mpsc::SyncSender<Batch>,
    empty: &mpsc::Receiver<Batch>,
) -> rusqlite::Result<()> {
    // Devices by name as replay order compares them ('' is this device, index 0).
    let mut devices: Vec<String> = vec![String::new()];
    let mut batch = Batch::default();
    let mut stmt = conn.prepare(&format!("SELECT {REPLAY_COLUMNS} FROM review ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        // Undos are left out here rather than in SQL: SQLite tests `kind IN (…)` with a
        // B-tree search per row (6% of a rebuild at a million reviews).
        let kind = match EntryKind::parse(row.get_ref(3)?.as_str()?) {
            Some(EntryKind::Undo) => continue,
            kind => kind.unwrap_or(EntryKind::Drill),
        };
        if !undone.is_empty() && undone.contains(row.get_ref(0)?.as_str()?) {
            continue;
        }
        let name = row.get_ref(10)?.as_str()?;
        let device = devices.iter().position(|d| d == name).unwrap_or_else(|| {
            devices.push(name.to_string());
            batch.new_devices.push(name.to_string());
            devices.len() - 1
        });
        batch.ids.push_str(row.get_ref(1)?.as_str()?);
        batch.entries.push(Entry {
            id_end: batch.ids.len(),
            kind,
            grade: row.get::<_, Option<u8>>(4)?.and_then(Grade::new),
            duration_ms: row.get(6)?,
            before_interval: row.get(7)?,
            day: row.get(2)?,
            until: row.get(5)?,
            recorded_due: row.get(8)?,
            place: Place {
                at: row.get(9)?,
                device,
                seq: row.get(11)?,
            },
        });
        if batch.entries.len() == BATCH {
            let next = empty.try_recv().unwrap_or_default();
            // The replaying thread only stops early by panicking, which the caller resumes.
            if full.send(std::mem::replace(&mut batch, next)).is_err() {
                break;
            }
        }
    }
    if !batch.entries.is_empty() {
        let _ = full.send(batch);
    }
    Ok(())
}

/// The replaying half of a replay: counts each day's answers, applies the batches' entries
/// to their cards in the order read, and marks late each card with an entry read after a
/// later one of it. Returns the cards, the day counts and how many cards are late.
fn replay_batches(
    full: &mpsc::Receiver<Batch>,
    empty: &mpsc::Sender<Batch>,
    device: &str,
    rules: &Rules,
    expected: usize,
) -> (CardMap, BTreeMap<i64, DayActivity>, usize) {
    let mut cards = CardMap::with_capacity(expected);
    let mut days: BTreeMap<i64, DayActivity> = BTreeMap::new();
    let mut devices: Vec<String> = vec![device.to_string()];
    let mut late = 0;
    for mut batch in full {
        devices.append(&mut batch.new_devices);
        let mut start = 0;
        for entry in &batch.entries {
            let card = &batch.ids[start..entry.id_end];
            start = entry.id_end;
            let mut tested_passed = None;
            if let (true, Some(grade)) = (entry.kind.is_answer(), entry.grade) {
                let tested = Maturity::tested(entry.kind, entry.before_interval);
                tested_passed = tested.map(|_| grade.passed());
                days.entry(entry.day)
                    .or_default()
                    .add(grade.passed(), entry.duration_ms, tested);
            }
            if entry.kind == EntryKind::Cram {
                continue;
            }
            let replaying = match cards.get_mut(card) {
                Some(replaying) => replaying,
                None => cards.entry(CardId(card.to_string())).or_default(),
            };
            if let Some(passed) = tested_passed {
                replaying.tally.add(passed);
            }
            replaying.entries = replaying.entries.saturating_add(1);
            if replaying.late {
                continue;
            }
            if replaying
                .last
                .is_some_and(|last| !in_order(&devices, last, entry.place))
            {
                replaying.late = true;
                late += 1;
                continue;
            }
            replaying.last = Some(entry.place);
            let rules = Rules {
                until: entry.until.map(day_from_number),
                ..*rules
            };
            apply(
                &mut replaying.record,
                entry.kind,
                entry.grade,
                (day_from_number(entry.day), entry.place.at),
                card,
                &rules,
                entry.recorded_due.map(day_from_number),
            );
        }
        batch.ids.clear();
        batch.entries.clear();
        let _ = empty.send(batch);
    }
    (cards, days, late)
}

/// Whether an entry at `next` comes after one at `last` in replay order.
fn in_order(devices: &[String], last: Place, next: Place) -> bool {
    (last.at, devices[last.device].as_str(), last.seq)
        < (next.at, devices[next.device].as_str(), next.seq)
}

/// What one replayed row (read with [`REPLAY_COLUMNS`]) does to its card's record.
fn apply_row(
    record: &mut CardRecord,
    kind: EntryKind,
    grade: Option<Grade>,
    row: &rusqlite::Row<'_>,
    rules: &Rules,
) -> rusqlite::Result<()> {
    let card = row.get_ref(1)?.as_str()?;
    let day = day_from_number(row.get(2)?);
    let until = row.get::<_, Option<i64>>(5)?.map(day_from_number);
    let recorded_due = row.get::<_, Option<i64>>(8)?.map(day_from_number);
    let rules = Rules { until, ..*rules };
    apply(
        record,
        kind,
        grade,
        (day, row.get(9)?),
        card,
        &rules,
        recorded_due,
    );
    Ok(())
}

/// Replays again, from nothing and in replay order, the records of the cards marked late
/// (their tallies and the day counts need no order and stand): one by one through the
/// `review_by_card` index, or, for many, by reading the log once more as stored, keeping
/// those cards' entries and sorting them in memory.
//
// Sorting the whole log in SQL for this (as the replay once did for every rebuild) took a
// rebuild with 40,000 late cards of 100,000 (an old device's log merged late) 4.3-4.8 s and
// 42 MB; their 400,000 entries alone, sorted here, 2.6-2.9 s and 62 MB. Past
// `LATE_IN_MEMORY` entries it is SQLite's sort again (`replay_late_sorted`): the memory
// sorted here grows with the log, and the peak bound holds at any size.
fn replay_late(
    conn: &Connection,
    device: &str,
    rules: &Rules,
    undone: &HashSet<String>,
    cards: &mut CardMap,
    late: &Late,
) -> rusqlite::Result<()> {
    let mut ids: Vec<CardId> = Vec::new();
    for (card, replaying) in cards.iter_mut().filter(|(_, r)| r.late) {
        replaying.record = CardRecord::default();
        ids.push(card.clone());
    }
    if late.one_by_one {
        let mut stmt = conn.prepare(&format!(
            "SELECT {REPLAY_COLUMNS} FROM review WHERE card_id = ?2 AND {REPLAYED_KINDS} {REPLAY_ORDER}"
        ))?;
        for card in ids {
            let Some(replaying) = cards.get_mut(&card) else {
                continue;
            };
            let mut rows = stmt.query(params![device, card.0])?;
            while let Some(row) = rows.next()? {
                if let Some(kind) = replayed_kind(row, undone)? {
                    let grade = row.get::<_, Option<u8>>(4)?.and_then(Grade::new);
                    apply_row(&mut replaying.record, kind, grade, row, rules)?;
                }
            }
        }
        return Ok(());
    }
    let index: HashMap<&str, u32> = ids
        .iter()
        .zip(0..)
        .map(|(card, i)| (card.as_str(), i))
        .collect();
    if !late.in_memory {
        return replay_late_sorted(conn, device, rules, undone, cards, &index, &ids);
    }
    let mut devices: Vec<String> = vec![device.to_string()];
    let mut entries: Vec<LateEntry> = Vec::new();
    let mut stmt = conn.prepare(&format!("SELECT {REPLAY_COLUMNS} FROM review ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let Some(&card) = index.get(row.get_ref(1)?.as_str()?) else {
            continue;
        };
        let Some(kind) = replayed_kind(row, undone)? else {
            continue;
        };

        let name = row.get_ref(10)?.as_str()?;
        let name = if name.is_empty() { device } else { name };
        let device = devices.iter().position(|d| d == name).unwrap_or_else(|| {
            devices.push(name.to_string());
            devices.len() - 1
        });
        entries.push(LateEntry {
            at: row.get(9)?,
            seq: row.get(11)?,
            card,
            day: narrow_day(row.get(2)?),
            until: row.get::<_, Option<i64>>(5)?.map_or(NO_DAY, narrow_day),
            recorded_due: row.get::<_, Option<i64>>(8)?.map_or(NO_DAY, narrow_day),
            device: u16::try_from(device).unwrap_or(u16::MAX),
            kind,
            grade: row.get::<_, Option<u8>>(4)?.unwrap_or(NO_GRADE),
        });
    }
    let name = |entry: &LateEntry| devices[usize::from(entry.device)].as_str();
    entries.sort_unstable_by(|a, b| {
        (a.card, a.at, name(a), a.seq).cmp(&(b.card, b.at, name(b), b.seq))
    });
    for entry in entries {
        let card = &ids[entry.card as usize];
        let Some(replaying) = cards.get_mut(card) else {
            continue;
        };
        let day = |d: i32| (d != NO_DAY).then(|| day_from_number(i64::from(d)));
        let rules = Rules {
            until: day(entry.until),
            ..*rules
        };
        apply(
            &mut replaying.record,
            entry.kind,
            Grade::new(entry.grade),
            (day_from_number(i64::from(entry.day)), entry.at),
            card.as_str(),
            &rules,
            day(entry.recorded_due),
        );
    }
    Ok(())
}

/// How [`replay_late`] goes about it: each card through the index by card, or the whole log
/// read again, the late cards' entries sorted in memory (when they are few enough) or by
/// `SQLite`.
struct Late {
    one_by_one: bool,
    in_memory: bool,
}

/// The most entries of late cards [`replay_late`] sorts in memory (40 bytes each: 10 MB,
/// beside the map of every card). Past it, `SQLite` sorts the log (its sorter spills to
/// temporary files past the page cache): a device with a million answers of its own merging
/// another's million, every card's answers interleaved in time, held 2,000,000 entries here,
/// 84 MB (129 MB at its peak).
pub(super) const LATE_IN_MEMORY: usize = 262_144;

/// [`replay_late`] for more late entries than [`LATE_IN_MEMORY`]: the log read once more,
/// sorted by `SQLite` by card and then in replay order (the table scanned, not read through the
/// index by card, which would fetch each row from anywhere in the table), each late card's
/// entries applied as they come: in bounded memory (measured on the case above: 10.5 s and
/// 52 MB, against 10.6 s and 129 MB sorted in memory).
fn replay_late_sorted(
    conn: &Connection,
    device: &str,
    rules: &Rules,
    undone: &HashSet<String>,
    cards: &mut CardMap,
    index: &HashMap<&str, u32>,
    ids: &[CardId],
) -> rusqlite::Result<()> {
    // The sort's spill goes to temporary files, not memory (SQLite may refuse the switch
    // inside a transaction: then the sort stays where it was set to be).
    let _ = conn.pragma_update(None, "temp_store", "DEFAULT");
    let mut stmt = conn.prepare(&format!(
        "SELECT {REPLAY_COLUMNS} FROM review NOT INDEXED WHERE {REPLAYED_KINDS}
         ORDER BY card_id, {}",
        REPLAY_ORDER.trim_start_matches("ORDER BY ")
    ))?;
    let mut rows = stmt.query(params![device])?;
    while let Some(row) = rows.next()? {
        let Some(&card) = index.get(row.get_ref(1)?.as_str()?) else {
            continue;
        };
        let Some(kind) = replayed_kind(row, undone)? else {
            continue;
        };
        let Some(replaying) = cards.get_mut(&ids[card as usize]) else {
            continue;
        };
        let grade = row.get::<_, Option<u8>>(4)?.and_then(Grade::new);
        apply_row(&mut replaying.record, kind, grade, row, rules)?;
    }
    Ok(())
}

/// The kind of a row read with [`REPLAY_COLUMNS`] when it changes its card's record; `None`
/// for an undo, a cram answer, or an entry undone (its id in `undone`).
fn replayed_kind(
    row: &rusqlite::Row<'_>,
    undone: &HashSet<String>,
) -> rusqlite::Result<Option<EntryKind>> {
    let kind = EntryKind::parse(row.get_ref(3)?.as_str()?).unwrap_or(EntryKind::Drill);
    if matches!(kind, EntryKind::Undo | EntryKind::Cram)
        || (!undone.is_empty() && undone.contains(row.get_ref(0)?.as_str()?))
    {
        return Ok(None);
    }
    Ok(Some(kind))
}

/// An entry of a late card, kept to be sorted (see [`replay_late`]): 40 bytes, so that a
/// log merged late whole (every card late) holds 40 MB at a million entries.
struct LateEntry {
    at: i64,
    seq: i64,
    /// The card's index among the late ones.
    card: u32,
    day: i32,
    /// [`NO_DAY`] for none.
    until: i32,
    /// [`NO_DAY`] for none.
    recorded_due: i32,
    /// Index into the devices met.
    device: u16,
    kind: EntryKind,
    /// [`NO_GRADE`] for none.
    grade: u8,
}

const NO_DAY: i32 = i32::MIN;
const NO_GRADE: u8 = u8::MAX;

/// A day number in 32 bits (±5.8 million years), clamped past that.
fn narrow_day(day: i64) -> i32 {
    i32::try_from(day).unwrap_or(if day < 0 { NO_DAY + 1 } else { i32::MAX })
}
