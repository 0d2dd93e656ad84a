//! Scheduling: pure functions from a card's state and a grade to its next state.
//! No clock, no randomness, no I/O: the review day and the card's id are arguments.
//!
//! Two algorithms: SM-2 (the default) and FSRS-6 (through the open-spaced-repetition `fsrs`
//! crate, with its default parameters or the learner's own, see [`Parameters`]). Both are always computed — FSRS's stability and
//! difficulty ride along in [`Memory::fsrs`] under SM-2, and SM-2's repetitions and easiness
//! under FSRS — and the chosen one sets the interval and due date. Switching replays the log.

pub mod balance;
pub mod parameters;
pub mod sm2;
pub mod steps;

use std::ops::RangeInclusive;

use chrono::{Days, NaiveDate};

use crate::types::Grade;
pub use balance::{Balance, EasyDays};
pub use parameters::Parameters;
pub use sm2::{CardState, FsrsMemory, Memory};
pub use steps::{Learning, StepRules, Steps, StudyDay};

/// Which algorithm sets intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    Sm2,
    /// FSRS aiming at `desired_retention` percent recall at review time (70-99).
    Fsrs { desired_retention: u8 },
}

impl Algorithm {
    /// `sm2` or `fsrs:90`, as stored with the projection.
    pub fn key(self) -> String {
        match self {
            Algorithm::Sm2 => "sm2".into(),
            Algorithm::Fsrs { desired_retention } => format!("fsrs:{desired_retention}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Algorithm> {
        match key.split_once(':') {
            None if key == "sm2" => Some(Algorithm::Sm2),
            Some(("fsrs", r)) => r
                .parse()
                .ok()
                .map(|desired_retention| Algorithm::Fsrs { desired_retention }),
            _ => None,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Algorithm::Sm2 => f.write_str("SM-2"),
            Algorithm::Fsrs { desired_retention } => {
                write!(f, "FSRS (desired retention {desired_retention}%)")
            }
        }
    }
}

/// Everything besides the card that decides a review's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rules {
    pub algorithm: Algorithm,
    /// An exam day to keep the next review before (see [`exam_cap`]).
    pub until: Option<NaiveDate>,
    /// The learner's FSRS parameters (`recall optimize`); `None`: FSRS-6's defaults.
    pub parameters: Option<Parameters>,
    /// The same-day learning and relearning steps in front of the day intervals.
    pub steps: StepRules,
}

/// SM-2 grades to FSRS ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy.
pub fn fsrs_rating(grade: Grade) -> u32 {
    match grade.value() {
        0..=2 => 1,
        3 => 2,
        4 => 3,
        _ => 4,
    }
}

fn to_fsrs(memory: FsrsMemory) -> fsrs::MemoryState {
    fsrs::MemoryState {
        stability: memory.stability,
        difficulty: memory.difficulty,
    }
}

fn from_fsrs(state: fsrs::MemoryState) -> FsrsMemory {
    FsrsMemory {
        stability: state.stability,
        difficulty: state.difficulty,
    }
}

/// FSRS's probability of recalling a card `elapsed` days after its last review, on the
/// forgetting curve of `parameters`.
pub fn fsrs_retrievability(memory: FsrsMemory, elapsed: f32, parameters: &Parameters) -> f32 {
    fsrs::current_retrievability(to_fsrs(memory), elapsed.max(0.0), parameters.decay())
}

/// The FSRS state after a review with `grade` (and FSRS's interval in days), from `before`
/// reviewed `elapsed` days ago (`None` for a new card), under `parameters`.
//
// Only the state of the grade given is computed, through `memory_state` over that one review:
// `next_states` computes all four (about fifty `powf`/`exp` calls where a dozen do), which was
// a sixth of a rebuild at a million reviews. Both give the same bits (tested against
// `next_states`); a zero stability, which `next_states` treats as a new card, takes that path.
pub fn fsrs_step(
    before: Option<FsrsMemory>,
    grade: Grade,
    elapsed: u32,
    desired_retention: u8,
    parameters: &Parameters,
) -> Option<(FsrsMemory, f32)> {
    let retention = f32::from(desired_retention.clamp(70, 99)) / 100.0;
    let before = before.map(to_fsrs);
    if before.is_some_and(|m| m.stability == 0.0) {
        return fsrs_step_of_all(before, grade, elapsed, retention, parameters);
    }
    let rating = fsrs_rating(grade);
    let review = fsrs::FSRSItem {
        reviews: vec![fsrs::FSRSReview {
            rating,
            delta_t: if before.is_some() { elapsed } else { 0 },
        }],
    };
    parameters
        .with_model(|model| {
            let memory = model.memory_state(review, before).ok()?;
            let interval = model.next_interval(Some(memory.stability), retention, rating);
            Some((from_fsrs(memory), interval))
        })
        .flatten()
}

/// [`fsrs_step`] through `next_states`, as FSRS's own scheduling computes it: the reference.
fn fsrs_step_of_all(
    before: Option<fsrs::MemoryState>,
    grade: Grade,
    elapsed: u32,
    retention: f32,
    parameters: &Parameters,
) -> Option<(FsrsMemory, f32)> {
    let next = parameters
        .with_model(|model| model.next_states(before, retention, elapsed))?
        .ok()?;
    let state = match fsrs_rating(grade) {
        1 => next.again,
        2 => next.hard,
        3 => next.good,
        _ => next.easy,
    };
    Some((from_fsrs(state.memory), state.interval))
}

/// One review by the rules' algorithm, without fuzz or exam cap: SM-2 always, FSRS always
/// (under `parameters`), and the chosen one's interval and due date.
pub fn step(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    algorithm: Algorithm,
    parameters: &Parameters,
) -> CardState {
    let previous = state.memory().copied();
    let CardState::Scheduled(mut memory) = sm2::review(state, grade, today) else {
        return state;
    };
    let elapsed = previous.map_or(0, |m| {
        u32::try_from((today - m.last_review).num_days().max(0)).unwrap_or(u32::MAX)
    });
    let desired = match algorithm {
        Algorithm::Fsrs { desired_retention } => desired_retention,
        Algorithm::Sm2 => 90,
    };
    if let Some((fsrs_memory, interval)) = fsrs_step(
        previous.and_then(|m| m.fsrs),
        grade,
        elapsed,
        desired,
        parameters,
    ) {
        memory.fsrs = Some(fsrs_memory);
        if let Algorithm::Fsrs { .. } = algorithm {
            memory.interval = (interval.round() as u32).clamp(1, 36_500);
            memory.due = today
                .checked_add_days(Days::new(u64::from(memory.interval)))
                .unwrap_or(NaiveDate::MAX);
        }
    }
    CardState::Scheduled(memory)
}

/// A card becomes a leech (and is suspended) on its 8th lapse, and again every 4 lapses after
/// that if the learner unsuspends it and keeps failing it (as Anki does).
pub const LEECH_LAPSES: u32 = 8;
const LEECH_AGAIN_EVERY: u32 = 4;

/// Whether a review that took a card from `before` to `after` lapses makes it a leech now.
pub fn turns_leech(before: u32, after: u32) -> bool {
    after > before
        && after
            .checked_sub(LEECH_LAPSES)
            .is_some_and(|past| past.is_multiple_of(LEECH_AGAIN_EVERY))
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

/// One scheduled review: [`step`], then the due date spread by [`fuzz`], then, before an exam
/// on `rules.until`, brought forward by [`exam_cap`]. The interval itself is kept as the
/// algorithm computes it, so later intervals follow it exactly and the exam leaves no trace.
pub fn schedule(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    card_id: &str,
    rules: &Rules,
) -> CardState {
    match stepped(state, grade, today, rules) {
        Some(mut memory) => {
            memory.due = fuzzed_due(&memory, today, card_id, rules);
            CardState::Scheduled(memory)
        }
        None => state,
    }
}

/// [`step`] with the rules' algorithm and parameters; `None` when it leaves no memory.
///
/// A review whose due date an exam brought forward (see [`exam_cap`]) comes before its
/// interval was waited. SM-2 would still multiply the interval never waited, and intervals
/// would inflate with every early review (24 → 48 → 95 → 196 days in a week, and 238 days
/// after nine days of daily reviews before an exam); so the interval grows from the days
/// actually waited instead, before the exam and at the first review after it. A capped due
/// date is recognised from the state alone (the planned gap is shorter than the fuzz can
/// make it), so a replay does the same. FSRS already counts the days elapsed.
fn stepped(state: CardState, grade: Grade, today: NaiveDate, rules: &Rules) -> Option<Memory> {
    let parameters = rules.parameters.unwrap_or_default();
    let state = match state {
        CardState::Scheduled(mut memory) if brought_forward(&memory) => {
            let waited = (today - memory.last_review).num_days().max(1);
            memory.interval = memory
                .interval
                .min(u32::try_from(waited).unwrap_or(u32::MAX));
            CardState::Scheduled(memory)
        }
        state => state,
    };
    match step(state, grade, today, rules.algorithm, &parameters) {
        CardState::Scheduled(memory) => Some(memory),
        CardState::New => None,
    }
}

/// Whether `memory`'s due date is earlier than its interval and any fuzz allow: an exam cap
/// brought it forward.
fn brought_forward(memory: &Memory) -> bool {
    let planned = (memory.due - memory.last_review).num_days();
    let interval = i64::from(memory.interval);
    let spread = if interval <= 2 {
        0
    } else {
        (interval / 20).max(1)
    };
    planned < interval - spread
}

/// The due date [`schedule`] gives `memory`, just stepped on `today`.
fn fuzzed_due(memory: &Memory, today: NaiveDate, card_id: &str, rules: &Rules) -> NaiveDate {
    let shift = fuzz(memory.interval, fuzz_seed(card_id, memory.reviews));
    let mut days = (i64::from(memory.interval) + shift).max(1);
    if let Some(cap) = rules.until.and_then(|exam| exam_cap(today, exam)) {
        days = days.min(cap);
    }
    today
        .checked_add_days(Days::new(days as u64))
        .unwrap_or(NaiveDate::MAX)
}

/// The due dates [`schedule`] can give a card reviewed on `today` whose interval is
/// `interval` days: every day [`fuzz`] can reach, brought forward by [`exam_cap`] before an
/// exam on `until`. Load balancing and easy days choose within it.
pub fn due_range(
    today: NaiveDate,
    interval: u32,
    until: Option<NaiveDate>,
) -> RangeInclusive<NaiveDate> {
    let spread = if interval <= 2 {
        0
    } else {
        i64::from((interval / 20).max(1))
    };
    let mut low = (i64::from(interval) - spread).max(1);
    let mut high = (i64::from(interval) + spread).max(1);
    if let Some(cap) = until.and_then(|exam| exam_cap(today, exam)) {
        low = low.min(cap);
        high = high.min(cap);
    }
    let add = |days: i64| {
        today
            .checked_add_days(Days::new(days as u64))
            .unwrap_or(NaiveDate::MAX)
    };
    add(low)..=add(high)
}

/// A review's outcome as it was recorded: [`schedule`]'s state, with the due date the review
/// recorded (`recorded_due`) kept when it lies in [`due_range`] — as one that load balancing
/// or easy days moved does. A replay cannot recompute that choice (it depended on every
/// other card's due date at the time), so it keeps it; a date outside the range (recorded
/// under another algorithm, say) is recomputed.
pub fn schedule_as_recorded(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    card_id: &str,
    rules: &Rules,
    recorded_due: Option<NaiveDate>,
) -> CardState {
    let Some(mut memory) = stepped(state, grade, today, rules) else {
        return state;
    };
    // A recorded due date in range is kept without computing the fuzz it replaces (a hash
    // per review: 6% of a rebuild at a million reviews, all of them recorded).
    memory.due = match recorded_due {
        Some(recorded) if due_range(today, memory.interval, rules.until).contains(&recorded) => {
            recorded
        }
        _ => fuzzed_due(&memory, today, card_id, rules),
    };
    CardState::Scheduled(memory)
}

/// A scheduled answer (a new card's first, or a due review) at `at_ms` (ms since the Unix
/// epoch) on study day `today`: [`schedule_as_recorded`] (`recorded_due` `None`: a fresh
/// answer, [`schedule`]), then the same-day step it puts the card on, if any: a new card
/// not answered Easy goes onto the learning steps, a failed review onto the relearning
/// steps (see [`steps::after_answer`]).
pub fn answer(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    at_ms: i64,
    card_id: &str,
    rules: &Rules,
    recorded_due: Option<NaiveDate>,
) -> CardState {
    let first = state == CardState::New;
    let after = schedule_as_recorded(state, grade, today, card_id, rules, recorded_due);
    let CardState::Scheduled(mut memory) = after else {
        return after;
    };
    memory.learning = steps::after_answer(None, first, grade.value(), at_ms, &rules.steps);
    CardState::Scheduled(memory)
}

/// A same-day answer that is not a scheduled review (a step, or a re-drill): SM-2's numbers
/// stay as they are (its rule 7), FSRS counts it with its short-term formula (an elapsed time
/// of 0 days, as FSRS-6 and `recall optimize` do), and the card moves along its steps. A card
/// leaving its steps under FSRS takes the interval its stability now gives.
pub fn step_answer(
    state: CardState,
    grade: Grade,
    today: NaiveDate,
    at_ms: i64,
    card_id: &str,
    rules: &Rules,
) -> CardState {
    let CardState::Scheduled(mut memory) = state else {
        return state;
    };
    let parameters = rules.parameters.unwrap_or_default();
    let elapsed = u32::try_from((today - memory.last_review).num_days().max(0)).unwrap_or(0);
    let desired = match rules.algorithm {
        Algorithm::Fsrs { desired_retention } => desired_retention,
        Algorithm::Sm2 => 90,
    };
    let mut fsrs_interval = None;
    if let Some(before) = memory.fsrs
        && let Some((after, interval)) =
            fsrs_step(Some(before), grade, elapsed, desired, &parameters)
    {
        memory.fsrs = Some(after);
        fsrs_interval = Some(interval);
    }
    let was_on_steps = memory.learning.is_some();
    memory.learning =
        steps::after_answer(memory.learning, false, grade.value(), at_ms, &rules.steps);
    if let (true, None, Algorithm::Fsrs { .. }, Some(interval)) = (
        was_on_steps,
        memory.learning,
        rules.algorithm,
        fsrs_interval,
    ) {
        memory.interval = (interval.round() as u32).clamp(1, 36_500);
        memory.last_review = today;
        memory.due = fuzzed_due(&memory, today, card_id, rules);
    }
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

    /// The one-grade FSRS step gives exactly the state and interval `next_states` gives for
    /// that grade: new cards, every grade, short and long gaps, default and fitted parameters.
    #[test]
    fn the_fsrs_step_of_one_grade_is_next_states_bit_for_bit() {
        let fitted: Parameters = "0.3,1.1,3.0,15.0,7.0,0.5,1.5,0.005,1.6,0.12,1.0,1.8,0.1,0.3,\
            2.2,0.2,3.0,0.5,0.3,0.1,0.2"
            .parse()
            .unwrap();
        let mut checked = 0;
        for parameters in [Parameters::default(), fitted] {
            for before in [
                None,
                Some((1, 1000)),
                Some((2306, 2118)),
                Some((400_000, 9_990)),
            ] {
                let before = before.map(|(stability, difficulty)| {
                    FsrsMemory::from_thousandths(stability, difficulty)
                });
                for elapsed in [0, 1, 3, 40, 2_000] {
                    for grade in 0..=5 {
                        let grade = Grade::new(grade).unwrap();
                        for retention in [70, 90, 99] {
                            let one = fsrs_step(before, grade, elapsed, retention, &parameters);
                            let all = fsrs_step_of_all(
                                before.map(to_fsrs),
                                grade,
                                elapsed,
                                f32::from(retention) / 100.0,
                                &parameters,
                            );
                            assert!(one.is_some());
                            let bits = |x: Option<(FsrsMemory, f32)>| {
                                x.map(|(m, interval)| (m, interval.to_bits()))
                            };
                            assert_eq!(bits(one), bits(all), "{before:?} {grade:?} {elapsed}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 4 * 5 * 6 * 3);
    }

    /// A stored FSRS stability of 0 (a state whose thousandths rounded down to nothing) is
    /// stepped as fsrs-rs's own scheduling (`next_states`) steps it, for every grade: the
    /// one-review shortcut would start from a memory FSRS never has.
    #[test]
    fn a_zero_fsrs_stability_is_stepped_as_fsrs_rs_steps_it() {
        let parameters = Parameters::default();
        for difficulty in [1_000, 5_000, 10_000] {
            let zero = FsrsMemory::from_thousandths(0, difficulty);
            for grade in (0..=5).filter_map(Grade::new) {
                for elapsed in [0, 3, 40] {
                    let one = fsrs_step(Some(zero), grade, elapsed, 90, &parameters)
                        .map(|(m, interval)| (m, interval.to_bits()));
                    let all =
                        fsrs_step_of_all(Some(to_fsrs(zero)), grade, elapsed, 0.9, &parameters)
                            .map(|(m, interval)| (m, interval.to_bits()));
                    assert!(all.is_some());
                    assert_eq!(
                        one, all,
                        "difficulty {difficulty}, {grade:?}, {elapsed} days"
                    );
                }
            }
        }
    }

    /// Answers `(day offset, grade)` in order through the scheduler as a session gives them:
    /// a day's first answer of a due or new card is a scheduled review, the rest of that day
    /// are step answers (drills). Returns the state after the last.
    pub(super) fn answered(history: &[(i64, u8)], rules: &Rules) -> CardState {
        let start: NaiveDate = "2026-01-01".parse().unwrap();
        let mut state = CardState::New;
        let mut last_day = None;
        for (n, &(offset, grade)) in history.iter().enumerate() {
            let day = start + chrono::Duration::days(offset);
            let at = day
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
                + n as i64 * 60_000;
            let grade = Grade::new(grade).unwrap();
            state = if last_day == Some(day) {
                step_answer(state, grade, day, at, "c", rules)
            } else {
                answer(state, grade, day, at, "c", rules, None)
            };
            last_day = Some(day);
        }
        state
    }

    /// FSRS-6 as fsrs-rs computes it over the same history (`memory_state` over every review,
    /// same-day ones with an elapsed time of 0 days, through the short-term terms w17-w19).
    pub(super) fn reference(history: &[(i64, u8)], retention: f32) -> (f32, f32, f32) {
        let mut previous = 0;
        let reviews = history
            .iter()
            .map(|&(day, grade)| {
                let review = fsrs::FSRSReview {
                    rating: fsrs_rating(Grade::new(grade).unwrap()),
                    delta_t: u32::try_from(day - previous).unwrap(),
                };
                previous = day;
                review
            })
            .collect();
        Parameters::default()
            .with_model(|model| {
                let state = model
                    .memory_state(fsrs::FSRSItem { reviews }, None)
                    .unwrap();
                let interval = model.next_interval(Some(state.stability), retention, 3);
                (state.stability, state.difficulty, interval.round().max(1.0))
            })
            .unwrap()
    }

    /// Within 0.1% of fsrs-rs.
    pub(super) fn close(ours: f32, theirs: f32) -> bool {
        (ours - theirs).abs() <= theirs.abs() * 0.001
    }

    /// Issue 24's history: "day 0: Again, Again, Again, Good · day 1: Good · day 5: Again,
    /// Hard · day 7: Good". Same-day answers counted as FSRS-6 counts them give stability
    /// 0.629 and an interval of 1 day at 0.9 (2 at 0.8), as fsrs-rs does; ignoring them gave
    /// 2.125 and 2 days.
    #[test]
    fn fsrs_counts_same_day_answers_as_fsrs_rs_does() {
        let history = [
            (0, 1),
            (0, 1),
            (0, 1),
            (0, 4),
            (1, 4),
            (5, 1),
            (5, 3),
            (7, 4),
        ];
        for retention in [90, 80] {
            let rules = Rules {
                algorithm: Algorithm::Fsrs {
                    desired_retention: retention,
                },
                ..Rules::default()
            };
            let memory = *answered(&history, &rules).memory().unwrap();
            let fsrs = memory.fsrs.unwrap();
            let (stability, difficulty, interval) =
                reference(&history, f32::from(retention) / 100.0);
            let ours = (fsrs.stability, fsrs.difficulty);
            assert!(close(ours.0, stability), "{ours:?} vs {stability}");
            assert!(close(ours.1, difficulty), "{ours:?} vs {difficulty}");
            assert!((stability - 0.629).abs() < 0.001, "{stability}");
            assert_eq!(
                i64::from(memory.interval),
                interval as i64,
                "at {retention}%"
            );
            assert_eq!(memory.interval, if retention == 90 { 1 } else { 2 });
        }
    }

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
                    state = schedule(state, Grade::GOOD, day, &id, &Rules::default());
                }
                state.memory().unwrap().due
            })
            .collect();
        assert!(dues.len() >= 3, "{dues:?}");
    }

    /// The due date is the interval plus the card's own fuzz, not minus: a replay of a log
    /// without recorded dates must give every card the day it was given.
    #[test]
    fn the_due_date_is_the_interval_plus_the_cards_fuzz() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let mut shifted = 0;
        for card in ["a", "b", "c", "d", "e", "f"] {
            let mut state = CardState::New;
            for _ in 0..6 {
                state = schedule(state, Grade::GOOD, day, card, &Rules::default());
                let memory = state.memory().unwrap();
                let shift = fuzz(memory.interval, fuzz_seed(card, memory.reviews));
                let expected = (i64::from(memory.interval) + shift).max(1);
                assert_eq!(
                    (memory.due - day).num_days(),
                    expected,
                    "{card}: {memory:?}"
                );
                shifted += usize::from(shift != 0);
            }
        }
        assert!(shifted >= 6, "the fuzz moved only {shifted} dates");
    }

    /// Cards learned together spread over the whole fuzz window, later days as well as
    /// earlier ones, and the range a replay keeps recorded dates in (`due_range`) is exactly
    /// the days the fuzz reaches: a wider one would keep a date no review could have given, a
    /// narrower one would move a card load balancing had placed.
    #[test]
    fn the_fuzz_reaches_every_day_of_the_due_range_and_no_other() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        for interval in [1, 2, 3, 19, 20, 39, 40, 95, 365, 1000] {
            let reached: std::collections::BTreeSet<NaiveDate> = (0..2_000)
                .map(|seed| {
                    day + chrono::Duration::days(i64::from(interval) + fuzz(interval, seed))
                })
                .collect();
            let range = due_range(day, interval, None);
            let days: std::collections::BTreeSet<NaiveDate> = range
                .start()
                .iter_days()
                .take_while(|d| d <= range.end())
                .collect();
            assert_eq!(reached, days, "interval {interval}");
        }
    }

    #[test]
    fn fuzz_moves_the_due_date_but_not_the_sm2_interval() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let mut plain = CardState::New;
        let mut fuzzed = CardState::New;
        for _ in 0..5 {
            plain = sm2::review(plain, Grade::GOOD, day);
            fuzzed = schedule(fuzzed, Grade::GOOD, day, "x", &Rules::default());
        }
        let (p, f) = (plain.memory().unwrap(), fuzzed.memory().unwrap());
        assert_eq!(p.interval, f.interval);
        assert!((f.due - p.due).num_days().abs() <= i64::from(p.interval / 20).max(1));
    }

    /// The replay's shortcut (a recorded date in range skips the fuzz) gives what scheduling
    /// and then keeping the recorded date in range gives, for every grade, recorded date and
    /// exam tried, under both algorithms.
    #[test]
    fn keeping_a_recorded_due_date_is_scheduling_then_replacing_the_date() {
        let day: NaiveDate = "2026-03-01".parse().unwrap();
        let reference = |state, grade, rules: &Rules, recorded: Option<NaiveDate>| {
            let mut after = schedule(state, grade, day, "card-7", rules);
            if let (CardState::Scheduled(memory), Some(recorded)) = (&mut after, recorded)
                && due_range(day, memory.interval, rules.until).contains(&recorded)
            {
                memory.due = recorded;
            }
            after
        };
        let mut compared = 0;
        for algorithm in [
            Algorithm::Sm2,
            Algorithm::Fsrs {
                desired_retention: 90,
            },
        ] {
            for until in [None, Some(day + chrono::Duration::days(9))] {
                let rules = Rules {
                    algorithm,
                    until,
                    ..Rules::default()
                };
                let mut state = CardState::New;
                for history in 0..6 {
                    for grade in (0..=5).filter_map(Grade::new) {
                        let recorded = (-2..60)
                            .map(|d| Some(day + chrono::Duration::days(d)))
                            .chain([None]);
                        for recorded in recorded {
                            assert_eq!(
                                schedule_as_recorded(state, grade, day, "card-7", &rules, recorded),
                                reference(state, grade, &rules, recorded),
                                "{algorithm:?} until {until:?}, {history} reviews, grade {grade:?}, recorded {recorded:?}"
                            );
                            compared += 1;
                        }
                    }
                    let earlier = day - chrono::Duration::days(30 * (6 - history));
                    state = schedule(state, Grade::GOOD, earlier, "card-7", &rules);
                }
            }
        }
        assert_eq!(compared, 2 * 2 * 6 * 6 * 63);
    }

    #[test]
    fn a_recorded_due_date_is_kept_inside_the_fuzz_range_and_recomputed_outside_it() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let mut state = CardState::New;
        for _ in 0..4 {
            state = schedule(state, Grade::GOOD, day, "x", &Rules::default());
        }
        let rules = Rules::default();
        let plain = schedule(state, Grade::GOOD, day, "x", &rules);
        let m = plain.memory().unwrap();
        let range = due_range(day, m.interval, None);
        assert!(range.contains(&m.due), "fuzz stays in its range");
        for recorded in [*range.start(), *range.end()] {
            let kept = schedule_as_recorded(state, Grade::GOOD, day, "x", &rules, Some(recorded));
            assert_eq!(kept.memory().unwrap().due, recorded);
            assert_eq!(
                kept.memory().unwrap().interval,
                m.interval,
                "only the date moves"
            );
        }
        let outside = range.end().succ_opt().unwrap();
        let recomputed = schedule_as_recorded(state, Grade::GOOD, day, "x", &rules, Some(outside));
        assert_eq!(recomputed, plain);
        // Before an exam the range is capped as the due date is.
        let exam = day + chrono::Duration::days(10);
        assert_eq!(
            *due_range(day, 40, Some(exam)).end(),
            day + chrono::Duration::days(5)
        );
        assert_eq!(
            due_range(day, 2, None),
            day + chrono::Duration::days(2)..=day + chrono::Duration::days(2)
        );
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
                state = schedule(
                    state,
                    Grade::EASY,
                    day,
                    "card",
                    &Rules {
                        until: Some(exam),
                        ..Rules::default()
                    },
                );
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

    /// Issue 24: a card answered Good on each day it was due in the nine days before an exam
    /// left with a 238-day interval after it (each early review multiplied the interval it
    /// never waited). Now each interval grows from the days waited: after the exam it is at
    /// most EF (2.5) times the last real gap, rounded up.
    #[test]
    fn early_reviews_before_an_exam_do_not_inflate_the_interval() {
        let start: NaiveDate = "2026-03-01".parse().unwrap();
        let exam = start + chrono::Duration::days(9);
        let mut state = CardState::New;
        let mut day = start - chrono::Duration::days(60);
        while day < start {
            state = schedule(state, Grade::GOOD, day, "card", &Rules::default());
            day = state.memory().unwrap().due;
        }
        let before_exam = Rules {
            until: Some(exam),
            ..Rules::default()
        };
        let mut day = start;
        let mut early = 0;
        while day < exam {
            state = schedule(state, Grade::GOOD, day, "card", &before_exam);
            day = state.memory().unwrap().due;
            early += 1;
        }
        assert!(early >= 3, "{early} reviews before the exam");
        let last_gap = (day - state.memory().unwrap().last_review).num_days();
        state = schedule(state, Grade::GOOD, day, "card", &Rules::default());
        let interval = i64::from(state.memory().unwrap().interval);
        assert!(
            interval <= (last_gap * 5 + 1) / 2,
            "{interval} after a gap of {last_gap}"
        );
        // Reviews on their due dates, no exam: SM-2's intervals exactly, fuzz or not.
        let mut plain = CardState::New;
        let mut day = start;
        for expected in [1, 6, 15, 38, 95] {
            plain = schedule(plain, Grade::GOOD, day, "card", &Rules::default());
            assert_eq!(plain.memory().unwrap().interval, expected);
            day = plain.memory().unwrap().due;
        }
    }

    /// A review failed goes onto the relearning steps, due again the same day after the first
    /// relearning step; a review passed leaves the card off the steps until its interval is up.
    #[test]
    fn a_failed_review_is_relearned_the_same_day_and_a_passed_one_is_not() {
        let rules = Rules::default();
        let ms = |day: NaiveDate| {
            day.and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let learned = answer(CardState::New, Grade::EASY, day, ms(day), "c", &rules, None);
        assert_eq!(
            learned.memory().unwrap().learning,
            None,
            "Easy skips the learning steps"
        );
        let due = learned.memory().unwrap().due;
        for grade in (0..=5).filter_map(Grade::new) {
            let after = answer(learned, grade, due, ms(due), "c", &rules, None);
            let expected = (!grade.passed()).then_some(Learning {
                relearning: true,
                step: 0,
                due_at: ms(due) + i64::from(rules.steps.relearning.minutes(0)) * 60_000,
            });
            assert_eq!(after.memory().unwrap().learning, expected, "{grade:?}");
        }
    }

    #[test]
    fn fsrs_sets_intervals_when_chosen_and_rides_along_under_sm2() {
        let day: NaiveDate = "2026-01-01".parse().unwrap();
        let fsrs = Algorithm::Fsrs {
            desired_retention: 90,
        };
        let first = step(
            CardState::New,
            Grade::GOOD,
            day,
            fsrs,
            &Parameters::default(),
        );
        let m = first.memory().unwrap();
        // FSRS-6 default: a new card graded Good has stability 2.3065 days.
        assert_eq!(m.fsrs.unwrap().thousandths().0, 2307);
        assert_eq!(m.interval, 2);
        let under_sm2 = step(
            CardState::New,
            Grade::GOOD,
            day,
            Algorithm::Sm2,
            &Parameters::default(),
        );
        assert_eq!(
            under_sm2.memory().unwrap().interval,
            1,
            "SM-2's first interval"
        );
        assert_eq!(
            under_sm2.memory().unwrap().fsrs,
            m.fsrs,
            "FSRS state kept either way"
        );
        // Higher desired retention, shorter intervals.
        let mut a = first;
        let mut b = step(
            CardState::New,
            Grade::GOOD,
            day,
            Algorithm::Fsrs {
                desired_retention: 97,
            },
            &Parameters::default(),
        );
        for _ in 0..4 {
            let da = a.memory().unwrap().due;
            let db = b.memory().unwrap().due;
            a = step(a, Grade::GOOD, da, fsrs, &Parameters::default());
            b = step(
                b,
                Grade::GOOD,
                db,
                Algorithm::Fsrs {
                    desired_retention: 97,
                },
                &Parameters::default(),
            );
        }
        assert!(b.memory().unwrap().interval < a.memory().unwrap().interval);
    }

    #[test]
    fn algorithms_are_stored_and_read_back_by_key() {
        for algorithm in [
            Algorithm::Sm2,
            Algorithm::Fsrs {
                desired_retention: 85,
            },
        ] {
            assert_eq!(Algorithm::from_key(&algorithm.key()), Some(algorithm));
        }
        assert_eq!(Algorithm::from_key("fsrs:x"), None);
        // A key this recall does not know (a newer one's, a damaged row) is no algorithm,
        // not SM-2 under another name.
        for unknown in ["sm3", "fsrs", "SM2", ""] {
            assert_eq!(Algorithm::from_key(unknown), None, "{unknown:?}");
        }
    }

    /// The names the learner reads ("now scheduling with SM-2", `recall schedule`): FSRS's
    /// says the retention it aims at.
    #[test]
    fn algorithms_are_named_for_the_learner_with_fsrs_s_retention() {
        assert_eq!(Algorithm::Sm2.to_string(), "SM-2");
        for desired_retention in [85, 92] {
            let name = Algorithm::Fsrs { desired_retention }.to_string();
            assert!(name.starts_with("FSRS"), "{name}");
            assert!(name.contains(&format!("{desired_retention}%")), "{name}");
        }
    }

    /// FSRS's stability is the number of days until recall falls to 90%: recall is certain
    /// just after a review (also when the clock went back), 90% likely after the stability in
    /// days, and less likely the longer the card waits, under any parameters. (`recall
    /// evaluate` and `recall optimize` measure these predictions against the answers.)
    #[test]
    fn recall_is_certain_after_a_review_and_ninety_percent_after_the_stability() {
        let fitted: Parameters = "0.3,1.1,3.0,15.0,7.0,0.5,1.5,0.005,1.6,0.12,1.0,1.8,0.1,0.3,\
            2.2,0.2,3.0,0.5,0.3,0.1,0.2"
            .parse()
            .unwrap();
        for parameters in [Parameters::default(), fitted] {
            for stability in [0.5, 12.0, 400.0] {
                let memory = FsrsMemory {
                    stability,
                    difficulty: 5.0,
                };
                let recall = |days: f32| fsrs_retrievability(memory, days, &parameters);
                assert!((recall(0.0) - 1.0).abs() < 1e-6, "{}", recall(0.0));
                assert_eq!(
                    recall(-3.0).to_bits(),
                    recall(0.0).to_bits(),
                    "a clock gone back"
                );
                assert!(
                    (recall(stability) - 0.9).abs() < 1e-4,
                    "{stability}: {}",
                    recall(stability)
                );
                let later = recall(stability * 3.0);
                assert!(0.0 < later && later < recall(stability), "{later}");
            }
        }
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
    use super::tests::{answered, close, reference};
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
                state = schedule(state, *grade, day, &id, &Rules::default());
                let m = state.memory().unwrap();
                prop_assert!(m.easiness.hundredths() >= 130);
                prop_assert!(m.interval >= 1);
                prop_assert!(m.due > day, "due after the review day");
                day = day.checked_add_days(Days::new(gap)).unwrap();
            }
        }

        /// Random histories with several answers on some days: FSRS's state after them is
        /// fsrs-rs's `memory_state` over the same reviews, within 0.1%.
        #[test]
        fn fsrs_state_over_same_day_answers_matches_fsrs_rs(
            answers in prop::collection::vec((0i64..3, 0u8..=5), 1..25),
        ) {
            let mut day = 0;
            let history: Vec<(i64, u8)> = answers
                .into_iter()
                .map(|(gap, grade)| {
                    day += gap * gap * 2;
                    (day, grade)
                })
                .collect();
            let rules = Rules {
                algorithm: Algorithm::Fsrs { desired_retention: 90 },
                ..Rules::default()
            };
            let fsrs = answered(&history, &rules).memory().unwrap().fsrs.unwrap();
            let (stability, difficulty, _) = reference(&history, 0.9);
            prop_assert!(close(fsrs.stability, stability), "{fsrs:?} vs {stability}");
            prop_assert!(close(fsrs.difficulty, difficulty), "{fsrs:?} vs {difficulty}");
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
                state = schedule(state, grade, day, "c", &Rules { until: Some(exam), ..Rules::default() });
                let due = state.memory().unwrap().due;
                prop_assert!(due < exam || (exam - day).num_days() <= 1);
                day = due;
            }
        }
    }
}
