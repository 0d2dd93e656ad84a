//! The queries of `status` and of the start of `review`: counts, the next due day, and
//! today's queue cut, all from indexes over `card_state` and `card`.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{STATE_COLUMNS, count};
use crate::error::Error;
use crate::scheduler::{CardState, Learning, Memory, StudyDay};
use crate::store::rows::{state_from, with_step};
use crate::store::{DueCard, Store, day_from_number, day_number};
use crate::types::CardId;

/// The terms of the partial indexes `card_state_queue` and `card_state_by_interval` (schema
/// v6): scheduled, not suspended, loaded. A query must repeat them to use either index.
const CAN_BE_DUE: &str = "s.position IS NOT NULL AND s.repetitions IS NOT NULL AND s.suspended = 0";

/// Not skipped past day `?1`.
const NOT_SKIPPED: &str = "(s.buried_until IS NULL OR s.buried_until <= ?1)";

impl Store {
    /// The first `take` available loaded cards due on `today` or before, in the queue's order
    /// ([`DueCard::queue_key`]: most overdue relative to the interval first, then by due day
    /// and deck order).
    ///
    /// No index can hold that order, since it depends on `today`, and reading and sorting
    /// every due card is what made a session after a long break slow (68,000 cards). But
    /// within one interval the order is due day then deck order, which
    /// `card_state_by_interval` holds: the cards are merged from the head of each interval's
    /// run, smallest interval first, keeping the best `take`. A run is left as soon as its
    /// next card cannot make the cut, and the walk stops at the first interval whose most
    /// overdue possible card (the earliest due day of all) cannot either. Rows read: about
    /// `take` plus one seek per interval visited. The proptests in `catalog/tests.rs` hold
    /// this to the queue's own sort.
    pub fn catalog_due(&self, today: NaiveDate, take: usize) -> Result<Vec<DueCard>, Error> {
        let t = day_number(today);
        let read = || -> rusqlite::Result<Vec<DueCard>> {
            if take == 0 {
                return Ok(Vec::new());
            }
            let earliest: Option<i64> = self
                .conn
                .prepare_cached(&format!(
                    "SELECT s.due FROM card_state s INDEXED BY card_state_queue
                     WHERE s.due <= ?1 AND {CAN_BE_DUE} ORDER BY s.due LIMIT 1"
                ))?
                .query_row(params![t], |row| row.get(0))
                .optional()?;
            let Some(earliest) = earliest else {
                return Ok(Vec::new());
            };
            let mut next_interval = self.conn.prepare_cached(&format!(
                "SELECT s.interval FROM card_state s INDEXED BY card_state_by_interval
                 WHERE s.interval > ?1 AND {CAN_BE_DUE} ORDER BY s.interval LIMIT 1"
            ))?;
            let mut run = self.conn.prepare_cached(&format!(
                "SELECT s.card_id, s.due, s.position FROM card_state s
                 INDEXED BY card_state_by_interval
                 WHERE s.interval = ?2 AND s.due <= ?1 AND {CAN_BE_DUE} AND {NOT_SKIPPED}
                 ORDER BY s.due, s.position"
            ))?;
            // The best `take` so far, the last in the queue's order on top.
            let mut best: BinaryHeap<Ranked> = BinaryHeap::with_capacity(take + 1);
            let mut after = i64::MIN;
            while let Some(interval) = next_interval
                .query_row(params![after], |row| row.get::<_, u32>(0))
                .optional()?
            {
                after = i64::from(interval);
                let most_overdue = (t - earliest) * 1000 / i64::from(interval.max(1));
                if best.len() == take && best.peek().is_some_and(|w| most_overdue < w.0.0.0) {
                    break;
                }
                let mut rows = run.query(params![t, interval])?;
                while let Some(row) = rows.next()? {
                    let card = DueCard {
                        id: CardId(row.get(0)?),
                        due: day_from_number(row.get(1)?),
                        interval,
                        position: count(row, 2)?,
                    };
                    let key = card.queue_key(today);
                    if best.len() == take {
                        // The run's later cards come after this one in the queue's order.
                        if best.peek().is_some_and(|worst| key >= worst.0) {
                            break;
                        }
                        best.pop();
                    }
                    best.push(Ranked(key, card));
                }
            }
            Ok(best.into_sorted_vec().into_iter().map(|r| r.1).collect())
        };
        read().map_err(|e| self.err(&e))
    }

    /// The available loaded cards on a same-day step today (see [`StudyDay::step_due`]), with
    /// their memories, soonest step first: a range of the `card_state_step` index.
    pub fn catalog_steps(&self, today: &StudyDay) -> Result<Vec<(CardId, Memory)>, Error> {
        let read = || -> rusqlite::Result<Vec<(CardId, Memory)>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT s.card_id, {STATE_COLUMNS}, s.step, s.step_due FROM card_state s
                 INDEXED BY card_state_step
                 WHERE s.step_due >= ?2 AND s.step_due < ?3 AND s.due > ?1
                   AND s.suspended = 0 AND s.position IS NOT NULL AND {NOT_SKIPPED}
                 ORDER BY s.step_due"
            ))?;
            let mut rows = stmt.query(params![
                day_number(today.day),
                today.starts_ms,
                today.ends_ms
            ])?;
            let mut cards = Vec::new();
            while let Some(row) = rows.next()? {
                if let CardState::Scheduled(mut memory) = state_from(row, 1, 7)? {
                    memory.learning = Learning::from_code(row.get(10)?, row.get(11)?);
                    cards.push((CardId(row.get(0)?), memory));
                }
            }
            Ok(cards)
        };
        read().map_err(|e| self.err(&e))
    }

    /// The memories of the scheduled cards among `ids`.
    pub fn memories(&self, ids: &[CardId]) -> Result<HashMap<CardId, Memory>, Error> {
        let read = || -> rusqlite::Result<HashMap<CardId, Memory>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {STATE_COLUMNS}, s.step, s.step_due FROM card_state s WHERE s.card_id = ?1"
            ))?;
            let mut memories = HashMap::with_capacity(ids.len());
            for id in ids {
                let mut rows = stmt.query(params![id.0])?;
                if let Some(row) = rows.next()?
                    && let CardState::Scheduled(memory) = with_step(state_from(row, 0, 6)?, row, 9)?
                {
                    memories.insert(id.clone(), memory);
                }
            }
            Ok(memories)
        };
        read().map_err(|e| self.err(&e))
    }

    /// How many available loaded cards are due on `today` or before: a count over the range
    /// of `card_state_queue` up to today, which reads no table row, less those of them still
    /// skipped (from the few rows of `card_state_buried`).
    //
    // The range is read once, page by page: with a cache of a few pages they are recycled,
    // where the usual 16 MB cache took a fresh allocation, and a page fault, for each of the
    // 1,500 pages 68,000 due cards fill (a third of `status` then). Testing each entry of the
    // range for a skip was 40% of the count (68,000 due: 10 ms a count, 6 ms without).
    pub fn catalog_due_count(&self, today: NaiveDate) -> Result<usize, Error> {
        let count = || {
            self.conn.query_row(
                &format!(
                    "SELECT (SELECT count(*) FROM card_state s INDEXED BY card_state_queue
                             WHERE s.due <= ?1 AND {CAN_BE_DUE})
                          - (SELECT count(*) FROM card_state s INDEXED BY card_state_buried
                             WHERE s.buried_until > ?1 AND s.due <= ?1 AND {CAN_BE_DUE})"
                ),
                params![day_number(today)],
                |row| count(row, 0),
            )
        };
        self.conn
            .execute_batch("PRAGMA cache_size = -256")
            .map_err(|e| self.err(&e))?;
        let counted = count();
        self.conn
            .execute_batch(crate::store::CACHE_SIZE)
            .map_err(|e| self.err(&e))?;
        counted.map_err(|e| self.err(&e))
    }

    /// The first `limit` (all, when `None`) available loaded new cards, in deck order.
    pub fn catalog_new(
        &self,
        today: NaiveDate,
        limit: Option<usize>,
    ) -> Result<Vec<CardId>, Error> {
        Ok(self
            .catalog_new_at(today, limit)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// [`Store::catalog_new`] with each card's place in deck order.
    pub fn catalog_new_at(
        &self,
        today: NaiveDate,
        limit: Option<usize>,
    ) -> Result<Vec<(CardId, usize)>, Error> {
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let read = || -> rusqlite::Result<Vec<(CardId, usize)>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.position FROM card c
                 WHERE c.fresh = 1
                   AND NOT EXISTS (SELECT 1 FROM card_state s WHERE s.card_id = c.id
                                   AND (s.suspended = 1 OR s.buried_until > ?1))
                 ORDER BY c.position LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![day_number(today), limit], |row| {
                Ok((CardId(row.get(0)?), count(row, 1)?))
            })?;
            rows.collect()
        };
        read().map_err(|e| self.err(&e))
    }

    /// The loaded cards at the positions within `reach` of each of `positions` (in deck
    /// order), with their sources: where the siblings of a guide block are, since a block's
    /// cards are compiled one after the other. Overlapping ranges are read once, each from the
    /// covering index `card_facts`, never the cards' text.
    pub fn catalog_around(
        &self,
        positions: &[usize],
        reach: usize,
    ) -> Result<Vec<(usize, CardId, Option<String>)>, Error> {
        let mut ranges: Vec<(usize, usize)> = positions
            .iter()
            .map(|&p| (p.saturating_sub(reach), p.saturating_add(reach)))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let read = || -> rusqlite::Result<Vec<(usize, CardId, Option<String>)>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT position, id, source FROM card INDEXED BY card_facts
                 WHERE position BETWEEN ?1 AND ?2",
            )?;
            let mut cards = Vec::new();
            for (start, end) in merged {
                let bound = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                let mut rows = stmt.query(params![bound(start), bound(end)])?;
                while let Some(row) = rows.next()? {
                    cards.push((count(row, 0)?, CardId(row.get(1)?), row.get(2)?));
                }
            }
            Ok(cards)
        };
        read().map_err(|e| self.err(&e))
    }

    /// Loaded cards not suspended and not yet scheduled (new ones, skipped or not).
    pub fn catalog_unseen(&self) -> Result<usize, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM card c
                 WHERE c.fresh = 1
                   AND NOT EXISTS (SELECT 1 FROM card_state s
                                   WHERE s.card_id = c.id AND s.suspended = 1)",
                [],
                |row| count(row, 0),
            )
            .map_err(|e| self.err(&e))
    }

    /// Loaded cards not suspended whose memory is still `learning` (fewer than two successful
    /// reviews in a row).
    pub fn catalog_learning(&self) -> Result<usize, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM card_state s
                 WHERE s.repetitions < 2 AND s.suspended = 0 AND s.position IS NOT NULL",
                [],
                |row| count(row, 0),
            )
            .map_err(|e| self.err(&e))
    }

    /// When the next loaded card can be studied: as [`crate::review::queue::next_due`] over
    /// the whole library, with `new_allowed` telling whether today's new-card allowance is
    /// left.
    pub fn catalog_next_due(
        &self,
        today: NaiveDate,
        new_allowed: bool,
    ) -> Result<Option<NaiveDate>, Error> {
        let t = day_number(today);
        let new_day = |not_before: i64| {
            if new_allowed {
                not_before.max(t)
            } else {
                not_before.max(t + 1)
            }
        };
        let read = || -> rusqlite::Result<Option<i64>> {
            let mut best: Option<i64> = None;
            let mut keep = |day: i64| best = Some(best.map_or(day, |b| b.min(day)));
            // The earliest scheduled card that is not set aside: the `due` index in order.
            let first_due: Option<i64> = self
                .conn
                .prepare_cached(&format!(
                    "SELECT s.due FROM card_state s INDEXED BY card_state_queue
                     WHERE {CAN_BE_DUE} AND {NOT_SKIPPED} ORDER BY s.due LIMIT 1"
                ))?
                .query_map(params![t], |row| row.get(0))?
                .next()
                .transpose()?;
            if let Some(due) = first_due {
                keep(due.max(t));
            }
            // Cards skipped until a later day: few, and on their own index.
            let mut stmt = self.conn.prepare_cached(
                "SELECT s.repetitions IS NULL, s.due, s.buried_until FROM card_state s
                 CROSS JOIN card c ON c.id = s.card_id
                 WHERE s.buried_until > ?1 AND s.suspended = 0",
            )?;
            let mut rows = stmt.query(params![t])?;
            while let Some(row) = rows.next()? {
                let fresh: bool = row.get(0)?;
                let buried: i64 = row.get(2)?;
                if fresh {
                    keep(new_day(buried));
                } else {
                    keep(row.get::<_, i64>(1)?.max(buried));
                }
            }
            Ok(best)
        };
        let mut best = read().map_err(|e| self.err(&e))?;
        if !self.catalog_new(today, Some(1))?.is_empty() {
            let day = new_day(t);
            best = Some(best.map_or(day, |b| b.min(day)));
        }
        Ok(best.map(day_from_number))
    }
}

/// A due card with its place in the queue's order, compared by that place alone.
struct Ranked((Reverse<i64>, NaiveDate, usize), DueCard);

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.0 == other.0
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.0.cmp(&other.0)
    }
}
