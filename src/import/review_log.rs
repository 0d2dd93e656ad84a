//! A foreign review log (CSV with `card_id, review_rating, review_time, review_duration`, as
//! Anki's revlog exports and the open FSRS datasets have it), turned into recall's log: one
//! scheduled review per card per study day, later same-day reviews as re-drills.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Problem, Problems};
use crate::scheduler::{self, Algorithm, CardState, Rules};
use crate::store::{EntryKind, LogEntry};
use crate::types::{CardId, Grade, ReviewId};

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Shared by the rows of one card: a package with a million reviews held a copy of the
    /// card's id in each (146 MB of its import's peak).
    pub card: std::sync::Arc<str>,
    /// Anki's buttons: 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub rating: u8,
    pub time: DateTime<Utc>,
    pub duration_ms: u32,
}

fn problem(path: &Path, line: usize, message: String) -> Problem {
    Problem {
        path: path.display().to_string(),
        line,
        column: 1,
        message,
        hint: Some(
            "each row is card_id,review_rating(1-4),review_time(ISO 8601),review_duration(ms)"
                .into(),
        ),
    }
}

/// The rows `horizon` admits (see [`crate::clock::Horizon`]), in order, and how many it held
/// back.
pub fn admitted(rows: Vec<Row>, horizon: &crate::clock::Horizon) -> (Vec<Row>, usize) {
    let before = rows.len();
    let kept: Vec<Row> = rows
        .into_iter()
        .filter(|r| horizon.admits(r.time))
        .collect();
    let held = before - kept.len();
    (kept, held)
}

/// The log entries `horizon` admits, by their study day and their time, and how many it held
/// back.
pub fn admitted_entries(
    entries: Vec<LogEntry>,
    horizon: &crate::clock::Horizon,
) -> (Vec<LogEntry>, usize) {
    let before = entries.len();
    let kept: Vec<LogEntry> = entries
        .into_iter()
        .filter(|e| horizon.admits_day(e.day) && horizon.admits(e.reviewed_at))
        .collect();
    let held = before - kept.len();
    (kept, held)
}

/// What merging a history into the log did.
#[derive(Debug)]
pub struct Merged {
    /// Entries the file gave.
    pub read: usize,
    /// Cards they are about (of those admitted).
    pub cards: usize,
    pub added: usize,
    /// Already in the log (by review id).
    pub present: usize,
    /// Held back by the horizon: dated after tomorrow or before 1970.
    pub held: usize,
    pub horizon: crate::clock::Horizon,
}

impl Merged {
    /// What a merge will report, before anything is added.
    fn counted(read: usize, cards: usize, held: usize, horizon: crate::clock::Horizon) -> Self {
        Merged {
            read,
            cards,
            added: 0,
            present: 0,
            held,
            horizon,
        }
    }

    /// The report's line for what was held back, if anything was.
    pub fn held_line(&self) -> String {
        if self.held == 0 {
            return String::new();
        }
        format!("{}.\n", self.horizon.held_back(self.held, "reviews"))
    }
}

/// Merges `rows` of a foreign history into the log (the cards named by `card_id`), what the
/// horizon admits, by review id: merging the same rows again adds nothing. The cards'
/// schedules follow from the log. The entries are made one at a time, in time order, as the
/// merge takes them: a package with a million reviews once held them all made, 300 MB.
pub fn merge_rows(
    store: &mut crate::store::Store,
    clock: &crate::clock::Clock,
    rows: Vec<Row>,
    card_id: impl Fn(&str) -> CardId,
) -> Result<Merged, Error> {
    let horizon = crate::clock::Horizon::of(clock);
    let read = rows.len();
    let (rows, held) = admitted(rows, &horizon);
    let cards = distinct(rows.iter().map(|r| &*r.card));
    let algorithm = store.algorithm();
    let entries = entries_for(&rows, |t| clock.study_day(t), algorithm, card_id);
    let counts = Merged::counted(read, cards, held, horizon);
    merge_admitted(store, entries, rows.len(), counts)
}

/// How many different ids.
fn distinct<'a>(ids: impl Iterator<Item = &'a str>) -> usize {
    ids.collect::<std::collections::HashSet<_>>().len()
}

/// Merges `count` entries the horizon admitted, as they come, in one merge (in bulk past
/// [`crate::store::BULK_MERGE`]), counting into `merged` those added and already present.
fn merge_admitted(
    store: &mut crate::store::Store,
    entries: impl IntoIterator<Item = LogEntry>,
    count: usize,
    mut merged: Merged,
) -> Result<Merged, Error> {
    store.ensure_whole()?;
    let mut merge = store.begin_merge(count > crate::store::BULK_MERGE)?;
    for entry in entries {
        if merge.add_own(&entry)? {
            merged.added += 1;
        } else {
            merged.present += 1;
        }
    }
    merge.commit()?;
    Ok(merged)
}

/// Merges log entries (a recall JSON export's), what the horizon admits, by review id.
pub fn merge_entries(
    store: &mut crate::store::Store,
    clock: &crate::clock::Clock,
    entries: Vec<LogEntry>,
) -> Result<Merged, Error> {
    let horizon = crate::clock::Horizon::of(clock);
    let read = entries.len();
    let (entries, held) = admitted_entries(entries, &horizon);
    let cards = distinct(entries.iter().map(|e| e.card_id.as_str()));
    let count = entries.len();
    merge_admitted(
        store,
        entries,
        count,
        Merged::counted(read, cards, held, horizon),
    )
}

/// Suspends in the log the cards a package has suspended (see
/// [`super::merge::Suspension`]), unless already suspended here. Each entry's id comes from
/// the Anki card and when Anki changed it, so importing the package again adds nothing, and a
/// card the learner unsuspended in recall stays unsuspended until Anki suspends it anew. A
/// time past the horizon counts as now. Returns how many were suspended.
pub fn merge_suspensions(
    store: &mut crate::store::Store,
    clock: &crate::clock::Clock,
    suspended: &[super::merge::Suspension],
) -> Result<usize, Error> {
    merge_markers(store, clock, suspended, EntryKind::Suspend)
}

/// Unsuspends in the log the cards Anki unsuspended (`recall sync --anki`: Anki changed the
/// card after recall last suspended it), as [`merge_suspensions`] suspends them: once per
/// change of the Anki card. Returns how many were unsuspended.
pub fn merge_unsuspensions(
    store: &mut crate::store::Store,
    clock: &crate::clock::Clock,
    unsuspended: &[super::merge::Suspension],
) -> Result<usize, Error> {
    merge_markers(store, clock, unsuspended, EntryKind::Unsuspend)
}

/// Suspend or unsuspend (`kind`) markers for the `changes` whose card is not that way here.
fn merge_markers(
    store: &mut crate::store::Store,
    clock: &crate::clock::Clock,
    changes: &[super::merge::Suspension],
    kind: EntryKind,
) -> Result<usize, Error> {
    if changes.is_empty() {
        return Ok(0);
    }
    let suspend = kind == EntryKind::Suspend;
    let horizon = crate::clock::Horizon::of(clock);
    let records = store.records()?;
    let entries: Vec<LogEntry> = changes
        .iter()
        .filter_map(|s| {
            let record = records.get(&s.card).copied().unwrap_or_default();
            if record.suspended == suspend {
                return None;
            }
            let at = if horizon.admits(s.at) {
                s.at
            } else {
                clock.now()
            };
            let hash = blake3::hash(
                format!("{}\0{}\0{}", kind.as_str(), s.anki_card, s.at.timestamp()).as_bytes(),
            );
            let ms = at.timestamp_millis().max(0) & 0xffff_ffff_ffff;
            Some(LogEntry::marker(
                ReviewId(format!("{ms:012x}{}", &hash.to_hex()[..20])),
                s.card.clone(),
                at,
                clock.study_day(at),
                kind,
                record.state,
            ))
        })
        .collect();
    let (added, _) = store.merge(&entries)?;
    Ok(added)
}

/// Reads a review-log file whole (at most [`super::MAX_TEXT_BYTES`]); every malformed row is
/// reported with its line.
pub fn read_file(path: &Path) -> Result<Vec<Row>, Error> {
    let text = super::read_text(path)?;
    read(path, &text)
}

/// Reads the rows; every malformed row is reported with its line.
pub fn read(path: &Path, text: &str) -> Result<Vec<Row>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(card), Some(rating), Some(time)) = (
        column("card_id"),
        column("review_rating"),
        column("review_time"),
    ) else {
        return Err(Error::Problems(Problems(vec![problem(
            path,
            1,
            "the header must name card_id, review_rating and review_time".into(),
        )])));
    };
    let duration = column("review_duration");
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let Ok(record) = record else {
            problems.push(problem(path, line, "unreadable row".into()));
            continue;
        };
        let field = |k: usize| record.get(k).unwrap_or("").trim();
        let parsed_rating = field(rating)
            .parse::<u8>()
            .ok()
            .filter(|r| (1..=4).contains(r));
        let parsed_time = DateTime::parse_from_rfc3339(field(time))
            .ok()
            .map(|t| t.with_timezone(&Utc));
        match (field(card), parsed_rating, parsed_time) {
            ("", _, _) => problems.push(problem(path, line, "empty card_id".into())),
            (_, None, _) => problems.push(problem(
                path,
                line,
                format!("rating `{}` is not 1-4", field(rating)),
            )),
            (_, _, None) => problems.push(problem(
                path,
                line,
                format!("time `{}` is not ISO 8601", field(time)),
            )),
            (c, Some(r), Some(t)) => rows.push(Row {
                card: c.into(),
                rating: r,
                time: t,
                duration_ms: duration
                    .and_then(|d| field(d).parse::<f64>().ok())
                    .map_or(0, |d| d.clamp(0.0, 60_000.0) as u32),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

/// Anki's buttons as SM-2 grades: Again 1, Hard 3, Good 4, Easy 5 (recall's own mapping).
pub fn grade(rating: u8) -> Grade {
    Grade::from_button(rating).unwrap_or(Grade::AGAIN)
}

/// recall log entries for `rows` (in time order), with card ids `anki-<card_id>` and ids
/// derived from each row, so importing the same file again adds nothing.
pub fn entries(
    rows: &[Row],
    study_day: impl Fn(DateTime<Utc>) -> NaiveDate,
    algorithm: Algorithm,
) -> Vec<LogEntry> {
    entries_for(rows, study_day, algorithm, |card| {
        CardId(format!("anki-{card}"))
    })
    .collect()
}

/// [`entries`], with each row's card id made by `card_id` from the row's `card`. The first
/// answer of a card on a study day is a scheduled review; later ones that day (Anki's
/// learning steps) are re-drills, which leave the schedule alone.
pub fn entries_for<'r>(
    rows: &'r [Row],
    study_day: impl Fn(DateTime<Utc>) -> NaiveDate + 'r,
    algorithm: Algorithm,
    card_id: impl Fn(&str) -> CardId + 'r,
) -> impl Iterator<Item = LogEntry> + 'r {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_key(|r| r.time);
    let mut cards: HashMap<&str, (CardState, NaiveDate)> = HashMap::new();
    let rules = Rules {
        algorithm,
        ..Rules::default()
    };
    sorted.into_iter().map(move |row| {
        let day = study_day(row.time);
        let card_id = card_id(&row.card);
        let (before, last) = cards
            .get(&*row.card)
            .copied()
            .unwrap_or((CardState::New, NaiveDate::MIN));
        let grade = grade(row.rating);
        let (kind, after) = if last == day {
            (EntryKind::Drill, before)
        } else {
            (
                EntryKind::Review,
                scheduler::schedule(before, grade, day, &card_id.0, &rules),
            )
        };
        cards.insert(&*row.card, (after, day));
        let hash = blake3::hash(
            format!(
                "{}\0{}\0{}",
                row.card,
                row.time.timestamp_millis(),
                row.rating
            )
            .as_bytes(),
        );
        let ms = row.time.timestamp_millis().max(0) & 0xffff_ffff_ffff;
        LogEntry {
            id: ReviewId(format!("{ms:012x}{}", &hash.to_hex()[..20])),
            card_id,
            reviewed_at: row.time,
            day,
            kind,
            grade: Some(grade),
            duration_ms: row.duration_ms,
            undoes: None,
            until: None,
            before,
            after,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(card: &str, day: u32, rating: u8) -> Row {
        Row {
            card: card.into(),
            rating,
            time: DateTime::from_timestamp(1_772_000_000 + i64::from(day) * 86_400, 0).unwrap(),
            duration_ms: 4000,
        }
    }

    #[test]
    fn a_history_is_replayed_with_the_stores_algorithm_in_time_order() {
        let rows = [row("a", 3, 3), row("a", 1, 3), row("b", 2, 1)];
        let day = |t: DateTime<Utc>| t.date_naive();
        let fsrs = Algorithm::Fsrs {
            desired_retention: 90,
        };
        let id = |c: &str| CardId(c.to_string());
        let under_fsrs: Vec<LogEntry> = entries_for(&rows, day, fsrs, id).collect();
        let under_sm2: Vec<LogEntry> = entries_for(&rows, day, Algorithm::Sm2, id).collect();
        // In time order across the cards, whatever the file's order.
        let cards: Vec<&str> = under_fsrs.iter().map(|e| e.card_id.as_str()).collect();
        assert_eq!(cards, ["a", "b", "a"]);
        // The same answers and ids, scheduled by the algorithm asked for.
        let ids = |entries: &[LogEntry]| entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&under_fsrs), ids(&under_sm2));
        let interval = |e: &LogEntry| e.after.memory().map(|m| m.interval);
        assert_ne!(
            under_fsrs.iter().map(interval).collect::<Vec<_>>(),
            under_sm2.iter().map(interval).collect::<Vec<_>>()
        );
    }
}
