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

/// One scheduled review: SM-2, then the due date spread by [`fuzz`], then, before an exam on
/// `until`, brought forward by [`exam_cap`]. The SM-2 interval itself is kept as SM-2 computes
/// it, so later intervals follow SM-2 exactly and the exam leaves no trace after it.
pub fn schedule(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    card_id: &str,
    until: Option<NaiveDate>,
) -> CardState {
    let CardState::Scheduled(mut memory) = sm2::review(state, grade, today) else {
        return state;
    };
    let shift = fuzz(memory.interval, fuzz_seed(card_id, memory.reviews));
    let mut days = (i64::from(memory.interval) + shift).max(1);
    if let Some(cap) = until.and_then(|exam| exam_cap(today, exam)) {
        days = days.min(cap);
    }
    memory.due = today
        .checked_add_days(Days::new(days as u64))
        .unwrap_or(NaiveDate::MAX);
    CardState::Scheduled(memory)
}

/// The longest interval, in days, that still leaves room to see a card at least twice more
/// before an exam on `exam` (strictly before that day): half the days left, at least 1. With
/// the cap applied at each review, the next review falls at most halfway to the exam and the
/// one after at most three quarters of the way. `None` once the exam is today or past.
pub fn exam_cap(today: NaiveDate, exam: NaiveDate) -> Option<i64> {
    let left = (exam - today).num_days();
    (left > 0).then(|| (left / 2).max(1))
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
                    state = schedule(state, Grade::GOOD, day, &id, None);
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
            fuzzed = schedule(fuzzed, Grade::GOOD, day, "x", None);
        }
        let (p, f) = (plain.memory().unwrap(), fuzzed.memory().unwrap());
        assert_eq!(p.interval, f.interval);
        assert!((f.due - p.due).num_days().abs() <= i64::from(p.interval / 20).max(1));
    }

    #[test]
    fn before_an_exam_every_card_is_seen_twice_more_before_the_day() {
        let exam: NaiveDate = "2026-06-30".parse().unwrap();
        for start in ["2026-04-01", "2026-06-01", "2026-06-20", "2026-06-27"] {
            let mut day: NaiveDate = start.parse().unwrap();
            // A mature card: its plain SM-2 interval would jump far past the exam.
            let mut state = CardState::New;
            for _ in 0..6 {
                state = sm2::review(state, Grade::EASY, day);
            }
            let mut seen_before_exam = 0;
            loop {
                state = schedule(state, Grade::EASY, day, "card", Some(exam));
                day = state.memory().unwrap().due;
                if day >= exam {
                    break;
                }
                seen_before_exam += 1;
            }
            assert!(seen_before_exam >= 2, "from {start}: {seen_before_exam}");
        }
        assert_eq!(exam_cap(exam, exam), None, "no cap on or after the exam");
    }

    #[test]
    fn the_eighth_lapse_makes_a_leech_and_every_fourth_after_it() {
        let leeches: Vec<u32> = (1..=20).filter(|&n| turns_leech(n - 1, n)).collect();
        assert_eq!(leeches, [8, 12, 16, 20]);
        assert!(!turns_leech(8, 8), "a pass at 8 lapses is not a new lapse");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn grades() -> impl Strategy<Value = Vec<Grade>> {
        prop::collection::vec((0u8..=5).prop_map(|g| Grade::new(g).unwrap()), 1..60)
    }

    proptest! {
        #[test]
        fn easiness_never_drops_below_1_3_and_intervals_are_at_least_a_day(
            grades in grades(),
            id in "[a-z0-9-]{1,20}",
            gaps in prop::collection::vec(0u64..400, 60),
        ) {
            let mut day: NaiveDate = "2026-01-01".parse().unwrap();
            let mut state = CardState::New;
            for (grade, gap) in grades.iter().zip(gaps) {
                state = schedule(state, *grade, day, &id, None);
                let m = state.memory().unwrap();
                prop_assert!(m.easiness.hundredths() >= 130);
                prop_assert!(m.interval >= 1);
                prop_assert!(m.due > day, "due after the review day");
                day = day.checked_add_days(Days::new(gap)).unwrap();
            }
        }

        #[test]
        fn an_exam_cap_never_schedules_past_the_exam(
            grades in grades(),
            left in 2i64..200,
        ) {
            let mut day: NaiveDate = "2026-01-01".parse().unwrap();
            let exam = day + chrono::Duration::days(left);
            let mut state = CardState::New;
            for grade in grades {
                if day >= exam {
                    break;
                }
                state = schedule(state, grade, day, "c", Some(exam));
                let due = state.memory().unwrap().due;
                prop_assert!(due < exam || (exam - day).num_days() <= 1);
                day = due;
            }
        }
    }
}
