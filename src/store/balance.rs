//! Load balancing and easy days at answer time: the per-day due counts over a review's fuzz
//! range, read in the answer's write transaction, handed to the pure
//! [`scheduler::balance::choose`]. The chosen date is recorded as the entry's `after_due`,
//! which replays keep (see [`scheduler::schedule_as_recorded`]).

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{EntryKind, LogEntry, day_number};
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
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{Datelike, NaiveDate, Weekday};

    use super::super::Store;
    use super::*;
    use crate::scheduler::EasyDays;
    use crate::types::{CardId, Grade, ReviewId};

    /// Answers `card` Good on `on` as a review session would: the state after by the store's
    /// rules, then appended.
    fn review(store: &mut Store, card: &str, on: NaiveDate) {
        review_with(store, card, on, Grade::GOOD);
    }

    fn review_with(store: &mut Store, card: &str, on: NaiveDate, grade: Grade) {
        let card_id = CardId(card.into());
        let before = store
            .records()
            .unwrap()
            .get(&card_id)
            .map_or(CardState::New, |r| r.state);
        let after = scheduler::schedule(before, grade, on, card, &store.rules(None));
        let at = on.and_hms_opt(12, 0, 0).unwrap().and_utc();
        store
            .append(&LogEntry {
                id: ReviewId::generate(at.timestamp_millis()),
                card_id,
                reviewed_at: at,
                day: on,
                kind: EntryKind::Review,
                grade: Some(grade),
                duration_ms: 1500,
                undoes: None,
                until: None,
                before,
                after,
            })
            .unwrap();
    }

    /// A deck of 300 cards learned on Monday 2026-03-02 and all reviewed again the next
    /// day: the next 30 days' due counts (the review's fuzz range is 5 to 7 days).
    fn forecast(balance: Balance) -> (Store, BTreeMap<NaiveDate, u32>) {
        let mut store = Store::open_in_memory().unwrap();
        store.set_balance(balance);
        let first: NaiveDate = "2026-03-02".parse().unwrap();
        let next = first.succ_opt().unwrap();
        for card in 0..300 {
            review(&mut store, &format!("card-{card}"), first);
        }
        for card in 0..300 {
            review(&mut store, &format!("card-{card}"), next);
        }
        let mut due = BTreeMap::new();
        for record in store.records().unwrap().values() {
            let day = record.state.memory().unwrap().due;
            if (day - next).num_days() <= 30 {
                *due.entry(day).or_insert(0) += 1;
            }
        }
        (store, due)
    }

    const OFF: Balance = Balance {
        load_balance: false,
        easy_days: EasyDays::NONE,
    };

    #[test]
    fn load_balancing_flattens_the_forecast_of_a_deck_reviewed_all_on_one_day() {
        let (_, fuzzed) = forecast(OFF);
        let (_, balanced) = forecast(Balance::default());
        let peak = |due: &BTreeMap<NaiveDate, u32>| due.values().copied().max().unwrap();
        assert_eq!(fuzzed.len(), 3, "fuzz alone spreads them too: {fuzzed:?}");
        assert!(peak(&fuzzed) > 100, "fuzz alone leaves a peak: {fuzzed:?}");
        assert_eq!(
            balanced.values().copied().collect::<Vec<_>>(),
            [100, 100, 100],
            "load balancing evens the three days out"
        );
    }

    #[test]
    fn an_easy_sunday_gets_no_review_the_fuzz_range_can_move() {
        let sunday = |due: &BTreeMap<NaiveDate, u32>| {
            let total: u32 = due.values().sum();
            let on_sunday: u32 = due
                .iter()
                .filter(|(d, _)| d.weekday() == Weekday::Sun)
                .map(|(_, n)| n)
                .sum();
            f64::from(on_sunday) / f64::from(total)
        };
        let (_, plain) = forecast(OFF);
        // Reviewed on Tuesday 2026-03-03: due on Sunday 03-08, Monday or Tuesday.
        let easy = Balance {
            load_balance: true,
            easy_days: EasyDays::parse(["sun"]).unwrap(),
        };
        let (_, light) = forecast(easy);
        assert!(sunday(&plain) > 0.2, "{plain:?}");
        assert!(sunday(&light) == 0.0, "{light:?}");
        assert_eq!(
            light.values().sum::<u32>(),
            300,
            "no card pushed out of its range"
        );
    }

    #[test]
    fn rebuild_reproduces_load_balanced_and_easy_day_due_dates() {
        for balance in [
            Balance::default(),
            Balance {
                load_balance: true,
                easy_days: EasyDays::parse(["sun", "wed"]).unwrap(),
            },
        ] {
            let (mut store, _) = forecast(balance);
            let incremental = store.records().unwrap();
            store.rebuild().unwrap();
            assert_eq!(store.records().unwrap(), incremental);
            // And the log replayed in memory agrees.
            let replayed = super::super::project(&store.log().unwrap(), &store.rules(None));
            assert_eq!(replayed, incremental);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        #[test]
        fn rebuild_equals_the_incremental_projection_with_load_balancing_on(
            answers in proptest::collection::vec((0usize..6, 0u64..15, 0u8..=5), 1..80),
            load_balance: bool,
            easy in 0u8..128,
            fsrs: bool,
        ) {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let easy_days = EasyDays::parse(
                (0..7).filter(|i| easy & (1 << i) != 0).map(|i| names[i]),
            )
            .unwrap();
            let mut store = Store::open_in_memory().unwrap();
            if fsrs {
                store
                    .set_algorithm(scheduler::Algorithm::Fsrs { desired_retention: 90 })
                    .unwrap();
            }
            store.set_balance(Balance { load_balance, easy_days });
            let mut day: NaiveDate = "2026-01-05".parse().unwrap();
            for (card, gap, grade) in answers {
                day = day.checked_add_days(chrono::Days::new(gap)).unwrap();
                review_with(&mut store, &format!("c{card}"), day, Grade::new(grade).unwrap());
            }
            let incremental = store.records().unwrap();
            store.rebuild().unwrap();
            proptest::prop_assert_eq!(store.records().unwrap(), incremental);
        }
    }
}
