//! The activity projections (`day_activity`, `card_activity`) and what `status` and `stats`
//! read from them: today's counts, answers, per-day and per-card figures, the streak.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{Connection, Row, params};

use super::{
    Activity, Answer, DayActivity, DayCounts, EPOCH, EntryKind, Store, Tally, day_from_number,
    day_number,
};
use crate::error::Error;
use crate::types::{CardId, Grade};

impl Store {
    /// Today's activity on study day `day`.
    pub fn day_counts(&self, day: NaiveDate) -> Result<DayCounts, Error> {
        self.conn
            .query_row(
                "SELECT count(DISTINCT card_id),
                        count(DISTINCT CASE WHEN before_repetitions IS NULL THEN card_id END)
                 FROM review r
                 WHERE day = ?1 AND kind = 'review'
                   AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = r.id)",
                params![day_number(day)],
                |row| {
                    Ok(DayCounts {
                        reviewed: row.get(0)?,
                        new_learned: row.get(1)?,
                    })
                },
            )
            .map_err(|e| self.err(&e))
    }

    /// The cards given an answer (a scheduled review or a step) on study day `day` that was
    /// not undone: whose siblings wait for the next day.
    pub fn answered_on(&self, day: NaiveDate) -> Result<Vec<CardId>, Error> {
        let read = || -> rusqlite::Result<Vec<CardId>> {
            self.conn
                .prepare_cached(
                    "SELECT DISTINCT card_id FROM review r
                     WHERE day = ?1 AND grade IS NOT NULL AND kind <> 'cram'
                       AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = r.id)",
                )?
                .query_map(params![day_number(day)], |row| Ok(CardId(row.get(0)?)))?
                .collect()
        };
        read().map_err(|e| self.err(&e))
    }

    /// Every answer that was not undone, oldest first, in the light form statistics need.
    pub fn answers(&self) -> Result<Vec<Answer>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT card_id, day, kind, grade, duration_ms, before_interval
                 FROM review
                 WHERE kind IN ('review', 'drill', 'cram')
                   AND id NOT IN (SELECT undoes FROM review WHERE kind = 'undo')
                 ORDER BY reviewed_at, seq",
            )
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| {
                let kind: String = row.get(2)?;
                Ok(Answer {
                    card_id: CardId(row.get(0)?),
                    day: day_from_number(row.get(1)?),
                    kind: EntryKind::parse(&kind).unwrap_or(EntryKind::Drill),
                    grade: Grade::new(row.get(3)?).unwrap_or(Grade::AGAIN),
                    duration_ms: row.get(4)?,
                    interval_before: row.get(5)?,
                })
            })
            .map_err(|e| self.err(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// The activity projection by study day and the distinct cards reviewed on study day
    /// `today`: every answer in the log that was not undone, as [`Store::answers`] would
    /// return them, without reading the log. `cards` is left empty (see [`Store::activity`]).
    pub fn activity_by_day(&self, today: NaiveDate) -> Result<Activity, Error> {
        let days = self
            .conn
            .prepare_cached(
                "SELECT day, answers, passed, time_ms,
                        young_passed, young_total, mature_passed, mature_total
                 FROM day_activity WHERE answers > 0",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok((
                        day_from_number(row.get(0)?),
                        DayActivity {
                            answers: row.get(1)?,
                            passed: row.get(2)?,
                            time_ms: row.get::<_, i64>(3)?.max(0) as u64,
                            young: Tally {
                                passed: row.get(4)?,
                                total: row.get(5)?,
                            },
                            mature: Tally {
                                passed: row.get(6)?,
                                total: row.get(7)?,
                            },
                        },
                    ))
                })?
                .collect::<rusqlite::Result<BTreeMap<_, _>>>()
            })
            .map_err(|e| self.err(&e))?;
        Ok(Activity {
            days,
            cards: HashMap::new(),
            today: self.day_counts(today)?,
        })
    }

    /// As [`Store::activity_by_day`], with each card's retention too.
    pub fn activity(&self, today: NaiveDate) -> Result<Activity, Error> {
        let mut activity = self.activity_by_day(today)?;
        activity.cards = self
            .conn
            .prepare_cached("SELECT card_id, passed, total FROM card_activity WHERE total > 0")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok((
                        CardId(row.get(0)?),
                        Tally {
                            passed: row.get(1)?,
                            total: row.get(2)?,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<HashMap<_, _>>>()
            })
            .map_err(|e| self.err(&e))?;
        Ok(activity)
    }

    /// Calls `visit` with each answer [`Store::answers`] returns, in no particular order, one
    /// row at a time: the `Answer` is reused, so only what `visit` keeps stays in memory.
    pub fn for_each_answer(&self, mut visit: impl FnMut(&Answer)) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT card_id, day, kind, grade, duration_ms, before_interval
                 FROM review
                 WHERE kind IN ('review', 'drill', 'cram')
                   AND id NOT IN (SELECT undoes FROM review WHERE undoes IS NOT NULL)",
            )
            .map_err(|e| self.err(&e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(&e))?;
        let mut answer = Answer {
            card_id: CardId(String::new()),
            day: EPOCH,
            kind: EntryKind::Review,
            grade: Grade::AGAIN,
            duration_ms: 0,
            interval_before: None,
        };
        let read = |row: &Row<'_>, answer: &mut Answer| -> rusqlite::Result<()> {
            answer.card_id.0.clear();
            answer.card_id.0.push_str(row.get_ref(0)?.as_str()?);
            answer.day = day_from_number(row.get(1)?);
            answer.kind = EntryKind::parse(row.get_ref(2)?.as_str()?).unwrap_or(EntryKind::Drill);
            answer.grade = Grade::new(row.get(3)?).unwrap_or(Grade::AGAIN);
            answer.duration_ms = row.get(4)?;
            answer.interval_before = row.get(5)?;
            Ok(())
        };
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            read(row, &mut answer).map_err(|e| self.err(&e))?;
            visit(&answer);
        }
        Ok(())
    }

    /// Study days in a row ending today, or yesterday when today has no answer yet. A study
    /// day is one with an answer that was not undone: a row of the `day_activity` projection,
    /// read newest first until the first gap (one query, however long the streak).
    pub fn streak(&self, today: NaiveDate) -> Result<u32, Error> {
        let read = || -> rusqlite::Result<u32> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT day FROM day_activity WHERE answers > 0 AND day <= ?1 ORDER BY day DESC",
            )?;
            let mut rows = stmt.query(params![day_number(today)])?;
            let mut expected = day_number(today);
            let mut count = 0;
            while let Some(row) = rows.next()? {
                let day: i64 = row.get(0)?;
                if count == 0 && day == expected - 1 {
                    // Today not studied yet: the streak may still end yesterday.
                    expected -= 1;
                }
                if day != expected {
                    break;
                }
                count += 1;
                expected -= 1;
            }
            Ok(count)
        };
        read().map_err(|e| self.err(&e))
    }
}

/// Replaces the activity projections' rows with `days` (keyed by day number) and the tallies
/// that counted a review: every one of `tallies`, each also found by its card's id with
/// `tally_of`.
//
// `card_activity` is compared, not rewritten: a rebuild of healthy projections then writes
// none of its rows (deleting and inserting 90,000 was 6% of a rebuild at a million reviews).
// Each stored row is looked up by id, and when every wanted tally was among them nothing is
// missing; sorting the wanted tallies by id to merge them with the rows instead was a tenth
// of a rebuild.
pub(super) fn write_activity<'a>(
    conn: &Connection,
    days: &BTreeMap<i64, DayActivity>,
    tallies: impl Iterator<Item = (&'a CardId, &'a Tally)>,
    tally_of: impl Fn(&str) -> Option<&'a Tally>,
) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM day_activity;")?;
    let mut insert_day = conn.prepare_cached(
        "INSERT INTO day_activity (day, answers, passed, time_ms,
                                   young_passed, young_total, mature_passed, mature_total)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (day, a) in days {
        insert_day.execute(params![
            day,
            a.answers,
            a.passed,
            a.time_ms as i64,
            a.young.passed,
            a.young.total,
            a.mature.passed,
            a.mature.total,
        ])?;
    }
    let tested = |tally: &&Tally| tally.total > 0;
    let mut differ: Vec<(String, Tally)> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let mut kept = 0;
    let mut stored = conn.prepare("SELECT card_id, passed, total FROM card_activity")?;
    let mut rows = stored.query([])?;
    while let Some(row) = rows.next()? {
        let id = row.get_ref(0)?.as_str()?;
        match tally_of(id).filter(tested) {
            Some(tally) => {
                kept += 1;
                let stored = Tally {
                    passed: row.get(1)?,
                    total: row.get(2)?,
                };
                if stored != *tally {
                    differ.push((id.to_string(), *tally));
                }
            }
            None => stale.push(id.to_string()),
        }
    }
    let mut missing: Vec<(&CardId, &Tally)> = tallies.filter(|(_, tally)| tested(tally)).collect();
    if missing.len() == kept {
        missing.clear();
    }
    // Otherwise some wanted tally has no row: all are written (an upsert of a kept one
    // changes nothing).
    let mut delete = conn.prepare_cached("DELETE FROM card_activity WHERE card_id = ?1")?;
    for id in stale {
        delete.execute(params![id])?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO card_activity (card_id, passed, total) VALUES (?1, ?2, ?3)
         ON CONFLICT (card_id) DO UPDATE SET passed = excluded.passed, total = excluded.total",
    )?;
    for (card, tally) in differ {
        upsert.execute(params![card, tally.passed, tally.total])?;
    }
    // In key order, as `replace_projections` writes records: a page at a time.
    missing.sort_unstable_by_key(|(card, _)| *card);
    for (card, tally) in missing {
        upsert.execute(params![card.0, tally.passed, tally.total])?;
    }
    Ok(())
}
