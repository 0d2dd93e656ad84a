//! Scheduling: pure functions from a card's state and a grade to its next state.
//! No clock, no randomness, no I/O: the review day and the card's id are arguments.

pub mod sm2;

use chrono::{Days, NaiveDate};

use crate::types::Grade;
pub use sm2::{CardState, Memory};

/// A card becomes a leech (and is suspended) on its 8th lapse, and again every 4 lapses after
/// that if the learner unsuspends it and keeps failing it (as Anki does).
pub const LEECH_LAPSES: u32 = 8;
const LEECH_AGAIN_EVERY: u32 = 4;

/// Whether a review that took a card from `before` to `after` lapses makes it a leech now.
pub fn turns_leech(before: u32, after: u32) -> bool {
    after > before
        && after >= LEECH_LAPSES
        && (after - LEECH_LAPSES).is_multiple_of(LEECH_AGAIN_EVERY)
}

/// Days added to (negative: taken from) an interval so cards learned together do not all come
/// due on the same day: none for intervals of 1 or 2 days, otherwise up to ±5% of the interval
/// and at least ±1 day, chosen by `seed`. Bounded: `|fuzz| <= max(1, interval / 20)`.
pub fn fuzz(interval: u32, seed: u64) -> i64 {
    if interval <= 2 {
        return 0;
    }
    let spread = u64::from((interval / 20).max(1));
    (seed % (2 * spread + 1)) as i64 - spread as i64
}

/// The fuzz seed of a card's `reviews`-th review: derived from its id and review count, so a
/// replay of the log gives exactly the same due dates.
pub fn fuzz_seed(card_id: &str, reviews: u32) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(card_id.as_bytes());
    hasher.update(&reviews.to_le_bytes());
    let bytes = hasher.finalize();
    u64::from_le_bytes(bytes.as_bytes()[..8].try_into().unwrap_or_default())
}

/// One scheduled review: SM-2, then the due date spread by [`fuzz`]. The SM-2 interval itself
/// is kept unfuzzed, so later intervals follow SM-2 exactly.
pub fn schedule(state: CardState, grade: Grade, today: NaiveDate, card_id: &str) -> CardState {
    let CardState::Scheduled(mut memory) = sm2::review(state, grade, today) else {
        return state;
    };
    let shift = fuzz(memory.interval, fuzz_seed(card_id, memory.reviews));
    let days = (i64::from(memory.interval) + shift).max(1) as u64;
    memory.due = today
        .checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX);
    CardState::Scheduled(memory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_is_deterministic_and_bounded() {
        for interval in [3u32, 10, 40, 100, 1000, 9300] {
            let bound = i64::from((interval / 20).max(1));
            for reviews in 0..200 {
                let seed = fuzz_seed("card-a", reviews);
                let f = fuzz(interval, seed);
                assert!(f.abs() <= bound, "{interval}: {f}");
                assert_eq!(f, fuzz(interval, fuzz_seed("card-a", reviews)));
            }
        }
    }

    #[test]
    fn short_intervals_are_never_fuzzed() {
        for seed in 0..100 {
            assert_eq!(fuzz(1, seed), 0);
            assert_eq!(fuzz(2, seed), 0);
        }
    }

    #[test]
    fn fuzz_spreads_cards_learned_together() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let dues: std::collections::HashSet<NaiveDate> = (0..50)
            .map(|i| {
                let id = format!("card-{i}");
                let mut state = CardState::New;
                for _ in 0..4 {
                    state = schedule(state, Grade::GOOD, day, &id);
                }
                state.memory().unwrap().due
            })
            .collect();
        assert!(dues.len() >= 3, "{dues:?}");
    }

    #[test]
    fn fuzz_moves_the_due_date_but_not_the_sm2_interval() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let mut plain = CardState::New;
        let mut fuzzed = CardState::New;
        for _ in 0..5 {
            plain = sm2::review(plain, Grade::GOOD, day);
            fuzzed = schedule(fuzzed, Grade::GOOD, day, "x");
        }
        let (p, f) = (plain.memory().unwrap(), fuzzed.memory().unwrap());
        assert_eq!(p.interval, f.interval);
        assert!((f.due - p.due).num_days().abs() <= i64::from(p.interval / 20).max(1));
    }

    #[test]
    fn the_eighth_lapse_makes_a_leech_and_every_fourth_after_it() {
        let leeches: Vec<u32> = (1..=20).filter(|&n| turns_leech(n - 1, n)).collect();
        assert_eq!(leeches, [8, 12, 16, 20]);
        assert!(!turns_leech(8, 8), "a pass at 8 lapses is not a new lapse");
    }
}
