//! SM-2 exactly as `shared/reference/sm2.md` states it (Wozniak 1990, with `SuperMemo`'s
//! reference implementation deciding ambiguities). Easiness is kept in integer hundredths so
//! that no float drift ever changes an interval.

use chrono::{Days, NaiveDate};

use crate::types::{Easiness, Grade};

/// What SM-2 remembers about a card that has been reviewed at least once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory {
    /// Successful reviews in a row since the last failure (`n`).
    pub repetitions: u32,
    /// Easiness factor (`EF`), in hundredths.
    pub easiness: Easiness,
    /// Days from the last review to the next (`I`); at least 1.
    pub interval: u32,
    /// The study day the card is next due.
    pub due: NaiveDate,
    /// Failed scheduled reviews (grade below 3) over the card's life.
    pub lapses: u32,
    /// Scheduled reviews over the card's life (re-drills not counted).
    pub reviews: u32,
    /// The study day of the last scheduled review.
    pub last_review: NaiveDate,
    /// The FSRS memory model's view of the card, kept alongside SM-2's (see
    /// [`crate::scheduler`]); `None` until FSRS has seen a review.
    pub fsrs: Option<FsrsMemory>,
    /// The same-day step the card is on, if any (see [`crate::scheduler::steps`]); SM-2's own
    /// numbers above never depend on it.
    pub learning: Option<super::steps::Learning>,
}

/// FSRS stability (days until recall falls to 90%) and difficulty (1-10), exactly as FSRS
/// computes them (`f32`, as fsrs-rs): rounding them between reviews drifted from fsrs-rs by
/// several percent for short stabilities (a card failed again and again the same day).
/// Compared and hashed by their bits, so that states compare exactly.
#[derive(Debug, Clone, Copy)]
pub struct FsrsMemory {
    pub stability: f32,
    pub difficulty: f32,
}

impl PartialEq for FsrsMemory {
    fn eq(&self, other: &FsrsMemory) -> bool {
        self.bits() == other.bits()
    }
}

impl Eq for FsrsMemory {}

impl std::hash::Hash for FsrsMemory {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bits().hash(state);
    }
}

impl FsrsMemory {
    fn bits(self) -> (u32, u32) {
        (self.stability.to_bits(), self.difficulty.to_bits())
    }

    /// From thousandths of a day and of a difficulty point, as file formats carry them.
    pub fn from_thousandths(stability: u32, difficulty: u32) -> FsrsMemory {
        FsrsMemory {
            stability: stability as f32 / 1000.0,
            difficulty: difficulty as f32 / 1000.0,
        }
    }

    /// Stability and difficulty in thousandths, rounded, as file formats carry them.
    pub fn thousandths(self) -> (u32, u32) {
        let round = |x: f32| (x * 1000.0).round().clamp(0.0, u32::MAX as f32) as u32;
        (round(self.stability), round(self.difficulty))
    }
}

/// A card's scheduling phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CardState {
    /// Never reviewed: `n = 0`, `EF = 2.5`, `I = 0`.
    #[default]
    New,
    /// Reviewed at least once.
    Scheduled(Memory),
}

impl CardState {
    pub fn memory(&self) -> Option<&Memory> {
        match self {
            CardState::New => None,
            CardState::Scheduled(memory) => Some(memory),
        }
    }

    /// `true` when the card should be reviewed on `day` (new cards are never "due").
    pub fn is_due(&self, day: NaiveDate) -> bool {
        self.memory().is_some_and(|m| m.due <= day)
    }
}

/// The change SM-2 makes to the easiness factor for a grade, in hundredths:
/// `0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)` = +10, 0, -14, -32, -54, -80 for q = 5..0.
fn easiness_delta(grade: Grade) -> i32 {
    let miss = i32::from(Grade::MAX - grade.value());
    10 - miss * (8 + miss * 2)
}

/// Applies one review with `grade` on study day `today` and returns the new state.
///
/// SM-2 ignores how late or early the review is; `today` only anchors the next due date.
pub fn review(state: CardState, grade: Grade, today: NaiveDate) -> CardState {
    let (repetitions, easiness, interval, lapses, reviews, fsrs) = match state {
        CardState::New => (0, Easiness::INITIAL, 0, 0, 0, None),
        CardState::Scheduled(m) => (
            m.repetitions,
            m.easiness,
            m.interval,
            m.lapses,
            m.reviews,
            m.fsrs,
        ),
    };
    let (repetitions, interval, lapses) = if grade.passed() {
        let next = match repetitions {
            0 => 1,
            1 => 6,
            // ceil(I * EF) with EF as it was before this review, in integers.
            _ => {
                let product = u64::from(interval) * u64::from(easiness.hundredths());
                u32::try_from(product.div_ceil(100)).unwrap_or(u32::MAX)
            }
        };
        (repetitions + 1, next, lapses)
    } else {
        (0, 1, lapses + 1)
    };
    let easiness = i32::from(easiness.hundredths()) + easiness_delta(grade);
    let easiness = Easiness::from_hundredths(u16::try_from(easiness.max(0)).unwrap_or(u16::MAX));
    let due = today
        .checked_add_days(Days::new(u64::from(interval)))
        .unwrap_or(NaiveDate::MAX);
    CardState::Scheduled(Memory {
        repetitions,
        easiness,
        interval,
        due,
        lapses,
        reviews: reviews + 1,
        last_review: today,
        fsrs,
        learning: None,
    })
}

/// Reviews a new card on each of its due dates with `grades`, returning the state after each.
/// This is what `recall schedule` shows.
pub fn simulate(grades: &[Grade], start: NaiveDate) -> Vec<Memory> {
    let mut state = CardState::New;
    let mut day = start;
    let mut out = Vec::with_capacity(grades.len());
    for &grade in grades {
        state = review(state, grade, day);
        if let CardState::Scheduled(memory) = state {
            day = memory.due;
            out.push(memory);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(values: &[u8]) -> Vec<Grade> {
        values.iter().map(|&g| Grade::new(g).unwrap()).collect()
    }

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    fn intervals_and_final_easiness(values: &[u8]) -> (Vec<u32>, String) {
        let states = simulate(&grades(values), start());
        let intervals = states.iter().map(|m| m.interval).collect();
        (intervals, states.last().unwrap().easiness.to_string())
    }

    #[test]
    fn reference_sequence_grade_4_ten_times() {
        let (intervals, ef) = intervals_and_final_easiness(&[4; 10]);
        assert_eq!(intervals, [1, 6, 15, 38, 95, 238, 595, 1488, 3720, 9300]);
        assert_eq!(ef, "2.50");
    }

    #[test]
    fn reference_sequence_grade_5_seven_times() {
        let (intervals, ef) = intervals_and_final_easiness(&[5; 7]);
        assert_eq!(intervals, [1, 6, 17, 48, 140, 420, 1302]);
        assert_eq!(ef, "3.20");
    }

    #[test]
    fn reference_sequence_grade_3_nine_times() {
        let (intervals, ef) = intervals_and_final_easiness(&[3; 9]);
        assert_eq!(intervals, [1, 6, 14, 30, 59, 107, 178, 271, 374]);
        assert_eq!(ef, "1.30");
    }

    #[test]
    fn reference_sequence_with_a_blackout() {
        let (intervals, ef) = intervals_and_final_easiness(&[5, 5, 0, 4]);
        assert_eq!(intervals, [1, 6, 1, 1]);
        assert_eq!(ef, "1.90");
    }

    #[test]
    fn easiness_changes_by_the_published_amounts_per_grade() {
        let deltas: Vec<i32> = (0..=5)
            .map(|g| easiness_delta(Grade::new(g).unwrap()))
            .collect();
        assert_eq!(deltas, [-80, -54, -32, -14, 0, 10]);
    }

    #[test]
    fn easiness_stops_at_the_floor_of_1_30() {
        let states = simulate(&grades(&[0, 0, 0, 0, 0]), start());
        assert_eq!(states[0].easiness.hundredths(), 170);
        assert!(states[1..].iter().all(|m| m.easiness == Easiness::FLOOR));
    }

    #[test]
    fn a_failure_resets_repetitions_counts_a_lapse_and_comes_back_tomorrow() {
        let states = simulate(&grades(&[4, 4, 4, 2]), start());
        let last = states.last().unwrap();
        assert_eq!((last.repetitions, last.interval, last.lapses), (0, 1, 1));
        let relearned = simulate(&grades(&[4, 4, 4, 2, 4, 4]), start());
        assert_eq!(relearned[4].interval, 1);
        assert_eq!(relearned[5].interval, 6);
    }

    #[test]
    fn the_interval_uses_the_easiness_from_before_the_review() {
        // After 5,5 EF is 2.7; the third review (grade 3) multiplies 6 by 2.7, not by 2.56.
        let states = simulate(&grades(&[5, 5, 3]), start());
        assert_eq!(states[2].interval, 17);
        assert_eq!(states[2].easiness.to_string(), "2.56");
    }

    #[test]
    fn integer_easiness_avoids_float_drift() {
        // In f64, 2.5 + 0.1 * 4 is 2.9000000000000004 and ceil(140 * that) is 421.
        let (intervals, ef) = intervals_and_final_easiness(&[5; 6]);
        assert_eq!(intervals, [1, 6, 17, 48, 140, 420]);
        assert_eq!(ef, "3.10");
    }

    #[test]
    fn due_date_is_the_review_day_plus_the_interval() {
        let today = start();
        let CardState::Scheduled(m) = review(CardState::New, Grade::GOOD, today) else {
            panic!("a reviewed card is scheduled");
        };
        assert_eq!(m.due, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
    }

    #[test]
    fn a_long_chain_saturates_instead_of_overflowing() {
        let states = simulate(&grades(&[5; 40]), start());
        let last = states.last().unwrap();
        assert!(last.interval >= states[30].interval);
        assert!(last.due >= states[30].due);
    }
}
