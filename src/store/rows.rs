//! How a card state and a log entry map to columns and back.

use chrono::DateTime;
use rusqlite::{Connection, Row, params};

use super::{CardRecord, EntryKind, LogEntry, day_from_number, day_number};
use crate::scheduler::{CardState, FsrsMemory, Learning, Memory};
use crate::types::{CardId, Easiness, Grade, ReviewId};

pub(super) const LOG_COLUMNS: &str =
    "id, card_id, reviewed_at, day, kind, grade, duration_ms, undoes,
    before_repetitions, before_easiness, before_interval, before_due, before_lapses, before_reviews,
    after_repetitions, after_easiness, after_interval, after_due, after_lapses, after_reviews,
    until_day, before_last, coalesce(before_s, before_stability / 1000.0),
    coalesce(before_d, before_difficulty / 1000.0),
    after_last, coalesce(after_s, after_stability / 1000.0),
    coalesce(after_d, after_difficulty / 1000.0),
    before_step, before_step_due, after_step, after_step_due";

/// The columns an entry is written to, in the order of [`LOG_COLUMNS`].
pub(super) const LOG_INSERT_COLUMNS: &str =
    "id, card_id, reviewed_at, day, kind, grade, duration_ms, undoes,
    before_repetitions, before_easiness, before_interval, before_due, before_lapses, before_reviews,
    after_repetitions, after_easiness, after_interval, after_due, after_lapses, after_reviews,
    until_day, before_last, before_s, before_d, after_last, after_s, after_d,
    before_step, before_step_due, after_step, after_step_due";

/// A state as columns: the six SM-2 ones (repetitions, easiness, interval, due, lapses,
/// reviews) and three more (last review day, FSRS stability and difficulty).
pub(super) type Sm2Columns = (
    Option<u32>,
    Option<u16>,
    Option<u32>,
    Option<i64>,
    Option<u32>,
    Option<u32>,
);

pub(super) struct StateColumns {
    pub(super) sm2: Sm2Columns,
    pub(super) extra: (Option<i64>, Option<f64>, Option<f64>),
}

pub(super) fn columns(state: &CardState) -> StateColumns {
    match state.memory() {
        None => StateColumns {
            sm2: (None, None, None, None, None, None),
            extra: (None, None, None),
        },
        Some(m) => StateColumns {
            sm2: (
                Some(m.repetitions),
                Some(m.easiness.hundredths()),
                Some(m.interval),
                Some(day_number(m.due)),
                Some(m.lapses),
                Some(m.reviews),
            ),
            extra: (
                Some(day_number(m.last_review)),
                m.fsrs.map(|f| f64::from(f.stability)),
                m.fsrs.map(|f| f64::from(f.difficulty)),
            ),
        },
    }
}

/// Reads a state: the six SM-2 columns from `first`, the last-review day, stability and
/// difficulty from `extra`. A NULL `repetitions` is a new card; a missing last-review day (a
/// database from before v2) is taken as the due day less the interval.
/// A `card_state` row's columns, as [`record_from`] reads them.
pub(super) const RECORD_COLUMNS: &str =
    "card_id, repetitions, easiness, interval, due, lapses, reviews,
     suspended, leech, buried_until, last_review, stability, difficulty, step, step_due";

/// A card's record from a row of [`RECORD_COLUMNS`].
pub(super) fn record_from(row: &Row<'_>) -> rusqlite::Result<CardRecord> {
    Ok(CardRecord {
        state: with_step(state_from(row, 1, 10)?, row, 13)?,
        suspended: row.get(7)?,
        leech: row.get(8)?,
        buried_until: row.get::<_, Option<i64>>(9)?.map(day_from_number),
    })
}

pub(super) fn state_from(row: &Row<'_>, first: usize, extra: usize) -> rusqlite::Result<CardState> {
    let repetitions: Option<u32> = row.get(first)?;
    let Some(repetitions) = repetitions else {
        return Ok(CardState::New);
    };
    let interval: u32 = row.get(first + 2)?;
    let due = day_from_number(row.get(first + 3)?);
    let last_review = row.get::<_, Option<i64>>(extra)?.map_or_else(
        || due - chrono::Duration::days(i64::from(interval)),
        day_from_number,
    );
    let stability: Option<f64> = row.get(extra + 1)?;
    let difficulty: Option<f64> = row.get(extra + 2)?;
    Ok(CardState::Scheduled(Memory {
        repetitions,
        easiness: Easiness::from_hundredths(row.get(first + 1)?),
        interval,
        due,
        lapses: row.get(first + 4)?,
        reviews: row.get::<_, Option<u32>>(first + 5)?.unwrap_or(0),
        last_review,
        fsrs: stability
            .zip(difficulty)
            .map(|(stability, difficulty)| FsrsMemory {
                stability: stability as f32,
                difficulty: difficulty as f32,
            }),
        learning: None,
    }))
}

/// `state` with the step read from the two columns at `first` (code, due time), if any.
pub(super) fn with_step(
    state: CardState,
    row: &Row<'_>,
    first: usize,
) -> rusqlite::Result<CardState> {
    let mut state = state;
    if let (CardState::Scheduled(memory), Some(code), Some(due_at)) = (
        &mut state,
        row.get::<_, Option<i64>>(first)?,
        row.get::<_, Option<i64>>(first + 1)?,
    ) {
        memory.learning = Learning::from_code(code, due_at);
    }
    Ok(state)
}

/// A state's step as its two columns (code, due time).
pub(super) fn step_columns(state: &CardState) -> (Option<i64>, Option<i64>) {
    let learning = state.memory().and_then(|m| m.learning);
    (learning.map(|l| l.code()), learning.map(|l| l.due_at))
}

pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let kind: String = row.get(4)?;
    let grade: Option<u8> = row.get(5)?;
    Ok(LogEntry {
        id: ReviewId(row.get(0)?),
        card_id: CardId(row.get(1)?),
        reviewed_at: DateTime::from_timestamp_millis(row.get(2)?).unwrap_or_default(),
        day: day_from_number(row.get(3)?),
        kind: EntryKind::parse(&kind).unwrap_or(EntryKind::Drill),
        grade: grade.and_then(Grade::new),
        duration_ms: row.get(6)?,
        undoes: row.get::<_, Option<String>>(7)?.map(ReviewId),
        before: with_step(state_from(row, 8, 21)?, row, 27)?,
        after: with_step(state_from(row, 14, 24)?, row, 29)?,
        until: row.get::<_, Option<i64>>(20)?.map(day_from_number),
    })
}

pub(super) fn write_record(
    conn: &Connection,
    card: &CardId,
    record: &CardRecord,
) -> rusqlite::Result<()> {
    if *record == CardRecord::default() {
        return conn
            .prepare_cached("DELETE FROM card_state WHERE card_id = ?1")?
            .execute(params![card.0])
            .map(|_| ());
    }
    let StateColumns {
        sm2: (repetitions, easiness, interval, due, lapses, reviews),
        extra: (last_review, stability, difficulty),
    } = columns(&record.state);
    let (step, step_due) = step_columns(&record.state);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO card_state (card_id, repetitions, easiness, interval, due, lapses,
            reviews, suspended, leech, buried_until, last_review, stability, difficulty, step,
            step_due, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
            (SELECT position FROM card WHERE id = ?1))",
    )?
    .execute(params![
        card.0,
        repetitions,
        easiness,
        interval,
        due,
        lapses.unwrap_or(0),
        reviews.unwrap_or(0),
        record.suspended,
        record.leech,
        record.buried_until.map(day_number),
        last_review,
        stability,
        difficulty,
        step,
        step_due,
    ])
    .map(|_| ())
}
