//! The store's own record types: what a log entry holds, a card's projected record, and the
//! activity figures read from the projections. No review-layer type appears here.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use crate::scheduler::CardState;
use crate::types::{CardId, Grade, ReviewId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A scheduled answer: it moves the card's SM-2 state.
    Review,
    /// A same-day re-drill of a card graded below 4: logged, but SM-2 state is unchanged.
    Drill,
    /// An answer in a cram session: logged, no schedule changes.
    Cram,
    /// Takes back an earlier entry (`undoes`), whatever its kind.
    Undo,
    /// Buries the card until the next study day.
    Skip,
    /// Takes the card out of every queue until it is unsuspended.
    Suspend,
    Unsuspend,
}

impl EntryKind {
    const ALL: [EntryKind; 7] = [
        EntryKind::Review,
        EntryKind::Drill,
        EntryKind::Cram,
        EntryKind::Undo,
        EntryKind::Skip,
        EntryKind::Suspend,
        EntryKind::Unsuspend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Review => "review",
            EntryKind::Drill => "drill",
            EntryKind::Cram => "cram",
            EntryKind::Undo => "undo",
            EntryKind::Skip => "skip",
            EntryKind::Suspend => "suspend",
            EntryKind::Unsuspend => "unsuspend",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the entry is an answer (it has a grade).
    pub fn is_answer(self) -> bool {
        matches!(self, EntryKind::Review | EntryKind::Drill | EntryKind::Cram)
    }
}

/// A card's projected state: SM-2 memory plus what the learner decided about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CardRecord {
    pub state: CardState,
    /// Out of every queue until unsuspended (by `!`, `recall suspend`, or becoming a leech).
    pub suspended: bool,
    /// Failed often enough to be flagged (see [`crate::scheduler::LEECH_LAPSES`]).
    pub leech: bool,
    /// Skipped: not shown before this study day.
    pub buried_until: Option<NaiveDate>,
}

impl CardRecord {
    /// The card's state for listings and statistics: `leech` and `suspended` first, then
    /// `new` (never reviewed), `learning` (fewer than two successful reviews in a row), `young`
    /// (interval under 21 days) or `mature`.
    pub fn label(&self) -> &'static str {
        self.standing().label()
    }

    /// What statistics count of the record.
    pub fn standing(&self) -> Standing {
        Standing {
            suspended: self.suspended,
            leech: self.leech,
            progress: self.state.memory().map(|m| Progress {
                repetitions: m.repetitions,
                interval: m.interval,
                due: m.due,
            }),
        }
    }

    /// Whether the card may be shown on study day `day`.
    pub fn available(&self, day: NaiveDate) -> bool {
        !self.suspended && self.buried_until.is_none_or(|until| until <= day)
    }
}

/// The part of a [`CardRecord`] that statistics count: enough for its label and its due day,
/// read from five of `card_state`'s columns instead of all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    pub suspended: bool,
    pub leech: bool,
    /// `None` for a card never reviewed.
    pub progress: Option<Progress>,
}

/// A reviewed card's place in its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub repetitions: u32,
    pub interval: u32,
    pub due: NaiveDate,
}

impl Standing {
    /// See [`CardRecord::label`].
    pub fn label(&self) -> &'static str {
        match (self.suspended, self.leech, self.progress) {
            (true, true, _) => "leech",
            (true, false, _) => "suspended",
            (false, _, None) => "new",
            (false, _, Some(p)) if p.repetitions < 2 => "learning",
            (false, _, Some(p)) if p.interval < MATURE_DAYS => "young",
            (false, _, Some(_)) => "mature",
        }
    }

    /// The study day a scheduled, unsuspended card is due; `None` for a new or suspended one.
    pub fn due(&self) -> Option<NaiveDate> {
        self.progress.filter(|_| !self.suspended).map(|p| p.due)
    }
}

/// One row of the review log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: ReviewId,
    pub card_id: CardId,
    pub reviewed_at: DateTime<Utc>,
    /// The study day the answer counts for.
    pub day: NaiveDate,
    pub kind: EntryKind,
    /// `None` only for an undo.
    pub grade: Option<Grade>,
    /// Time taken to answer, in ms.
    pub duration_ms: u32,
    /// For an undo: the entry it takes back.
    pub undoes: Option<ReviewId>,
    /// For a review scheduled before an exam: the exam's study day (see
    /// [`crate::scheduler::exam_cap`]).
    pub until: Option<NaiveDate>,
    pub before: CardState,
    pub after: CardState,
}

impl LogEntry {
    /// An entry that answers nothing — a suspend or an unsuspend, say — leaving the card's
    /// state `state` as it is.
    pub fn marker(
        id: ReviewId,
        card_id: CardId,
        at: DateTime<Utc>,
        day: NaiveDate,
        kind: EntryKind,
        state: CardState,
    ) -> LogEntry {
        LogEntry {
            id,
            card_id,
            reviewed_at: at,
            day,
            kind,
            grade: None,
            duration_ms: 0,
            undoes: None,
            until: None,
            before: state,
            after: state,
        }
    }
}

/// One answer, as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub card_id: CardId,
    pub day: NaiveDate,
    /// Review, drill or cram.
    pub kind: EntryKind,
    pub grade: Grade,
    pub duration_ms: u32,
    /// The card's interval before a scheduled review (`None` for a new card).
    pub interval_before: Option<u32>,
}

/// Today's activity, for `status` and the session header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Cards given a scheduled answer today (undone answers excluded).
    pub reviewed: u32,
    /// Of those, cards that were new.
    pub new_learned: u32,
}

/// Cards with an interval of this many days or more are mature (as in Anki). The activity
/// projections' SQL (migration v5) holds the same number.
pub const MATURE_DAYS: u32 = 21;

/// What an answer tested: a young card (interval under [`MATURE_DAYS`] before the review) or a
/// mature one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maturity {
    Young,
    Mature,
}

impl Maturity {
    /// What a scheduled review tested, from the card's interval before it; `None` for a drill,
    /// a cram answer, or a new card's first review (which tests nothing yet remembered).
    pub fn tested(kind: EntryKind, interval_before: Option<u32>) -> Option<Maturity> {
        match (kind, interval_before) {
            (EntryKind::Review, Some(interval)) if interval >= MATURE_DAYS => {
                Some(Maturity::Mature)
            }
            (EntryKind::Review, Some(_)) => Some(Maturity::Young),
            _ => None,
        }
    }
}

/// Passed and total answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Graded 3 or more.
    pub passed: u32,
    pub total: u32,
}

impl Tally {
    /// Counts one more answer.
    pub fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += u32::from(passed);
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.passed += other.passed;
        self.total += other.total;
    }
}

/// One study day's answers (undone ones excluded): a row of the `day_activity` projection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayActivity {
    /// Every answer: reviews, re-drills and cram.
    pub answers: u32,
    /// Of those, graded 3 or more.
    pub passed: u32,
    /// Time spent answering, in ms.
    pub time_ms: u64,
    /// Scheduled reviews of young cards (interval before the review under [`MATURE_DAYS`]);
    /// a new card's first review is not counted.
    pub young: Tally,
    /// Scheduled reviews of mature cards.
    pub mature: Tally,
}

impl DayActivity {
    /// Counts one answer taking `duration_ms` that `tested` a card (see [`Maturity::tested`]).
    pub fn add(&mut self, passed: bool, duration_ms: u32, tested: Option<Maturity>) {
        self.answers += 1;
        self.passed += u32::from(passed);
        self.time_ms += u64::from(duration_ms);
        match tested {
            Some(Maturity::Young) => self.young.add(passed),
            Some(Maturity::Mature) => self.mature.add(passed),
            None => {}
        }
    }
}

/// What the learner did, as the activity figures of `recall stats` need it: per study day,
/// per card, and today's distinct cards. Read from the projections by [`Store::activity`], or
/// counted from answers when statistics cover only some cards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Study days with at least one answer, oldest first.
    pub days: BTreeMap<NaiveDate, DayActivity>,
    /// Each card's scheduled reviews that tested it (young or mature): its retention.
    pub cards: HashMap<CardId, Tally>,
    /// Distinct cards reviewed on the day asked for, and of those new ones.
    pub today: DayCounts,
}

/// A card due for review, with what the queue orders it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCard {
    pub id: CardId,
    pub due: NaiveDate,
    pub interval: u32,
    /// Its place in deck order (any increasing numbering will do).
    pub position: usize,
}

impl DueCard {
    /// How overdue the card is relative to its interval, in thousandths: a card 3 days late
    /// on a 2-day interval (1500) is in more danger than one 10 days late on a 100-day
    /// interval (100).
    pub fn relative_overdue(&self, today: NaiveDate) -> i64 {
        let late = (today - self.due).num_days();
        late * 1000 / i64::from(self.interval.max(1))
    }

    /// What today's queue orders due cards by, smallest first: most overdue relative to the
    /// interval, so that a backlog is worked off where forgetting is likeliest; then by due
    /// day and deck order. Defined here, below both, so that the review layer's queue and the
    /// store's query that reads only its head cannot disagree.
    pub fn queue_key(&self, today: NaiveDate) -> (std::cmp::Reverse<i64>, NaiveDate, usize) {
        (
            std::cmp::Reverse(self.relative_overdue(today)),
            self.due,
            self.position,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labels at their edges: two successful reviews in a row leave `learning`, an
    /// interval of [`MATURE_DAYS`] is `mature`; a suspension hides the memory, a leech's
    /// suspension says so; only a scheduled, unsuspended card has a due day.
    #[test]
    fn a_standing_is_labelled_at_its_edges() {
        let due: NaiveDate = "2026-03-01".parse().unwrap();
        let standing = |repetitions, interval, suspended, leech| Standing {
            suspended,
            leech,
            progress: Some(Progress {
                repetitions,
                interval,
                due,
            }),
        };
        assert_eq!(Standing::default().label(), "new");
        assert_eq!(Standing::default().due(), None);
        assert_eq!(standing(1, 40, false, false).label(), "learning");
        assert_eq!(standing(2, 1, false, false).label(), "young");
        assert_eq!(standing(2, MATURE_DAYS - 1, false, false).label(), "young");
        assert_eq!(standing(2, MATURE_DAYS, false, false).label(), "mature");
        assert_eq!(standing(2, MATURE_DAYS, false, false).due(), Some(due));
        assert_eq!(standing(5, 60, true, false).label(), "suspended");
        assert_eq!(standing(5, 60, true, false).due(), None);
        assert_eq!(standing(5, 60, true, true).label(), "leech");
        // A leech unsuspended by hand is studied again under its memory's label.
        assert_eq!(standing(5, 60, false, true).label(), "mature");
    }
}
