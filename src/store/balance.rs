//! Load balancing and easy days at answer time: the per-day due counts over a review's fuzz
//! range, read in the answer's write transaction, handed to the pure
//! [`scheduler::balance::choose`]. The chosen date is recorded as the entry's `after_due`,
//! which replays keep (see [`scheduler::schedule_as_recorded`]).

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{EntryKind, LogEntry, day_from_number, day_number};
use crate::scheduler::{self, Balance, CardState};

/// `entry` with its due date moved within its fuzz range as `balance` asks, counting the
/// cards due on each day of the range besides this one (suspended ones excluded). Entries
/// other than scheduled reviews are returned as they are.
pub(super) fn balanced(
    conn: &Connection,
    entry: &LogEntry,
    balance: Balance,
) -> rusqlite::Result<LogEntry> {
    let mut entry = entry.clone();
    let CardState::Scheduled(memory) = &mut entry.after else {
        return Ok(entry);
    };
    if entry.kind != EntryKind::Review || !balance.is_active() {
        return Ok(entry);
    }
    let range = scheduler::due_range(entry.day, memory.interval, entry.until);
    if !range.contains(&memory.due) {
        return Ok(entry);
    }
    let counts: HashMap<i64, u32> = conn
        .prepare_cached(
            "SELECT due, count(*) FROM card_state
             WHERE due BETWEEN ?1 AND ?2 AND suspended = 0 AND card_id <> ?3
             GROUP BY due",
        )?
        .query_map(
            params![
                day_number(*range.start()),
                day_number(*range.end()),
                entry.card_id.0
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    memory.due = scheduler::balance::choose(&range, memory.due, balance, |day| {
        counts.get(&day_number(day)).copied().unwrap_or(0)
    });
    debug_assert!(range.contains(&day_from_number(day_number(memory.due))));
    Ok(entry)
}
