//! The review session as a pure state machine: which card is current, what remains, what an
//! answer or an undo does. No clock, no terminal, no SQL: the front ends feed it answers, the
//! store makes them durable, and only then does the session move on.
//!
//! Two-phase updates: [`Session::prepare_answer`] / [`Session::prepare_undo`] build the log
//! entry without changing anything; the caller commits it, then calls [`Session::apply`]. A
//! failed commit therefore leaves the session exactly as it was.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, NaiveDate, Utc};

use crate::scheduler::{self, CardState, Rules};
use crate::store::{EntryKind, LogEntry};
use crate::types::{CardId, Grade, ReviewId};

/// Answers slower than this count as this long, as in Anki: a learner who walked away should
/// not turn the time statistics into noise.
pub const MAX_ANSWER_MS: u32 = 60_000;

/// Which pile a card is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pile {
    /// Today's scheduled cards: due ones first (most overdue first), then new ones.
    Main,
    /// Cards on a same-day learning or relearning step (see [`crate::scheduler::steps`]),
    /// shown when their step is due; in cram, cards graded below 4 drilled again.
    Learning,
}

/// When nothing else is left, a learning card due within this many ms is shown early
/// rather than ending the session, as Anki's "learn ahead limit" (20 minutes) does.
pub const LEARN_AHEAD_MS: i64 = 20 * 60_000;

/// What is left in the session, for the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Remaining {
    pub new: usize,
    pub due: usize,
    /// Cards on a step (due now or later today).
    pub learning: usize,
}

impl Remaining {
    pub fn total(&self) -> usize {
        self.new + self.due + self.learning
    }
}

/// One answered, skipped or suspended card, remembered for undo and for the summary.
#[derive(Debug, Clone)]
struct Step {
    entry: LogEntry,
    pile: Pile,
    requeued: bool,
    /// The answer made the card a leech (and so suspended it).
    leech: bool,
}

/// Totals for the end-of-session summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Answers given (scheduled and re-drill), undone ones excluded.
    pub answers: u32,
    /// Of those, answers graded 3 or more.
    pub passed: u32,
    /// Distinct cards answered on their scheduled review.
    pub reviewed: u32,
    /// Time spent answering, in ms (each answer capped at [`MAX_ANSWER_MS`]).
    pub time_ms: u64,
}

impl Tally {
    /// Share of answers passed, 0.0–1.0; `None` before any answer.
    pub fn accuracy(&self) -> Option<f64> {
        (self.answers > 0).then(|| f64::from(self.passed) / f64::from(self.answers))
    }
}

/// What answers in a session do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Scheduled reviews: answers move SM-2 state; new and failed cards go through their
    /// same-day steps, answered as drills.
    #[default]
    Review,
    /// Cramming: answers are logged as cram entries and change no schedule.
    Cram,
}

#[derive(Debug, Clone)]
pub struct Session {
    mode: Mode,
    /// The algorithm and any exam date scheduled reviews follow.
    rules: Rules,
    main: VecDeque<CardId>,
    /// Cards on a step, in the order they came onto it (cram: cards to drill again).
    learning: VecDeque<CardId>,
    states: HashMap<CardId, CardState>,
    history: Vec<Step>,
    /// Cards scheduled at the start, for the progress indicator.
    planned: usize,
    /// The time the session is at, in ms since the Unix epoch: learning cards whose step is
    /// due by then are shown first (see [`Session::set_now`]).
    now_ms: i64,
}

impl Session {
    /// A session over `cards` in the order given (due cards first, then new), each with its
    /// state at the start of the session; cards on a learning step go to the learning pile,
    /// in order of their step's due time.
    pub fn new(cards: Vec<(CardId, CardState)>) -> Session {
        let planned = cards.len();
        let step_due =
            |state: &CardState| state.memory().and_then(|m| m.learning).map(|l| l.due_at);
        let mut learning: Vec<(i64, CardId)> = cards
            .iter()
            .filter_map(|(id, state)| step_due(state).map(|at| (at, id.clone())))
            .collect();
        learning.sort();
        let main = cards
            .iter()
            .filter(|(_, state)| step_due(state).is_none())
            .map(|(id, _)| id.clone())
            .collect();
        Session {
            mode: Mode::Review,
            rules: Rules::default(),
            main,
            learning: learning.into_iter().map(|(_, id)| id).collect(),
            states: cards.into_iter().collect(),
            history: Vec::new(),
            planned,
            now_ms: 0,
        }
    }

    /// Moves the session's clock to `now`: learning cards due by then come before the main
    /// pile. The front ends call it before showing each card.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now_ms = now.timestamp_millis();
    }

    /// A cram session over `cards`: answers change no schedule.
    pub fn cram(cards: Vec<(CardId, CardState)>) -> Session {
        // Every card in the order given, those on a step too: the learning pile is a cram's
        // pile of cards to drill again.
        let planned = cards.len();
        Session {
            mode: Mode::Cram,
            main: cards.iter().map(|(id, _)| id.clone()).collect(),
            learning: VecDeque::new(),
            planned,
            ..Session::new(Vec::new())
        }
        .with_states(cards)
    }

    fn with_states(mut self, cards: Vec<(CardId, CardState)>) -> Session {
        self.states = cards.into_iter().collect();
        self
    }

    /// The same session, scheduling by `rules` (the algorithm, an exam date).
    #[must_use]
    pub fn with_rules(self, rules: Rules) -> Session {
        Session { rules, ..self }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The exam day scheduled answers are capped before, if one is set.
    pub fn exam(&self) -> Option<NaiveDate> {
        self.rules.until
    }

    /// The card to show now, and the pile it comes from; `None` when the session is done
    /// (or waits only for learning cards due later than [`LEARN_AHEAD_MS`] from now).
    ///
    /// A learning card whose step is due comes first; then the main pile; then, with nothing
    /// else left, the learning card due soonest if it is due within the learn-ahead limit. In
    /// cram the learning pile is simply the cards to drill again, in order.
    pub fn current(&self) -> Option<(&CardId, Pile)> {
        if self.mode == Mode::Cram {
            return self
                .main
                .front()
                .map(|id| (id, Pile::Main))
                .or_else(|| self.learning.front().map(|id| (id, Pile::Learning)));
        }
        let soonest = self.soonest_step();
        if let Some((id, at)) = soonest
            && at <= self.now_ms
        {
            return Some((id, Pile::Learning));
        }
        if let Some(id) = self.main.front() {
            return Some((id, Pile::Main));
        }
        soonest
            .filter(|(_, at)| *at <= self.now_ms.saturating_add(LEARN_AHEAD_MS))
            .map(|(id, _)| (id, Pile::Learning))
    }

    /// The learning card whose step is due first, with that time (ms since the epoch).
    fn soonest_step(&self) -> Option<(&CardId, i64)> {
        self.learning
            .iter()
            .filter_map(|id| Some((id, self.step_due(id)?)))
            .min_by_key(|(_, at)| *at)
    }

    fn step_due(&self, id: &CardId) -> Option<i64> {
        self.state(id)
            .memory()
            .and_then(|m| m.learning)
            .map(|l| l.due_at)
    }

    /// When the next learning card of the session is due (ms since the epoch), if one is
    /// left: what the session end says while learning cards wait.
    pub fn next_step_due(&self) -> Option<i64> {
        self.soonest_step().map(|(_, at)| at)
    }

    pub fn state(&self, id: &CardId) -> CardState {
        self.states.get(id).copied().unwrap_or(CardState::New)
    }

    pub fn remaining(&self) -> Remaining {
        let new = self
            .main
            .iter()
            .filter(|id| self.state(id) == CardState::New)
            .count();
        Remaining {
            new,
            due: self.main.len() - new,
            learning: self.learning.len(),
        }
    }

    /// Progress for the indicator: `(answered, answered + remaining)`.
    pub fn progress(&self) -> (usize, usize) {
        let done = self.history.len();
        (
            done,
            done + self.remaining().total().max(usize::from(self.planned == 0)),
        )
    }

    pub fn can_undo(&self) -> bool {
        !self.history.is_empty()
    }

    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for step in self.history.iter().filter(|s| s.entry.kind.is_answer()) {
            tally.answers += 1;
            tally.passed += u32::from(step.entry.grade.is_some_and(Grade::passed));
            tally.reviewed += u32::from(step.entry.kind == EntryKind::Review);
            tally.time_ms += u64::from(step.entry.duration_ms);
        }
        tally
    }

    /// The slowest answers of the session, slowest first: `(card, ms)`.
    pub fn slowest(&self, count: usize) -> Vec<(CardId, u32)> {
        let mut times: Vec<(CardId, u32)> = self
            .history
            .iter()
            .filter(|s| s.entry.kind.is_answer())
            .map(|s| (s.entry.card_id.clone(), s.entry.duration_ms))
            .collect();
        times.sort_by_key(|(_, ms)| std::cmp::Reverse(*ms));
        times.truncate(count);
        times
    }

    /// The log entry for answering the current card with `grade`, or `None` when the session
    /// is done. A scheduled answer moves SM-2 state and may put the card on a step; a step
    /// answer (a drill) moves it along its steps and FSRS's memory, never SM-2's.
    pub fn prepare_answer(
        &self,
        grade: Grade,
        now: DateTime<Utc>,
        day: NaiveDate,
        duration_ms: u32,
    ) -> Option<LogEntry> {
        let (id, pile) = self.current()?;
        let before = self.state(id);
        let (kind, after) = match (self.mode, pile) {
            (Mode::Review, Pile::Main) => (
                EntryKind::Review,
                scheduler::answer(
                    before,
                    grade,
                    day,
                    now.timestamp_millis(),
                    id.as_str(),
                    &self.rules,
                    None,
                ),
            ),
            (Mode::Review, Pile::Learning) => (
                EntryKind::Drill,
                scheduler::step_answer(
                    before,
                    grade,
                    day,
                    now.timestamp_millis(),
                    id.as_str(),
                    &self.rules,
                ),
            ),
            (Mode::Cram, _) => (EntryKind::Cram, before),
        };
        Some(LogEntry {
            id: ReviewId::generate(now.timestamp_millis()),
            card_id: id.clone(),
            reviewed_at: now,
            day,
            kind,
            grade: Some(grade),
            duration_ms: duration_ms.min(MAX_ANSWER_MS),
            undoes: None,
            until: (kind == EntryKind::Review)
                .then_some(self.rules.until)
                .flatten(),
            before,
            after,
        })
    }

    /// Cards that became leeches this session (suspended by their last answer).
    pub fn leeches(&self) -> Vec<CardId> {
        self.history
            .iter()
            .filter(|s| s.leech)
            .map(|s| s.entry.card_id.clone())
            .collect()
    }

    /// The log entry for skipping (burying until tomorrow) or suspending the current card.
    pub fn prepare_set_aside(
        &self,
        kind: EntryKind,
        now: DateTime<Utc>,
        day: NaiveDate,
    ) -> Option<LogEntry> {
        let (id, _) = self.current()?;
        let state = self.state(id);
        Some(LogEntry {
            id: ReviewId::generate(now.timestamp_millis()),
            card_id: id.clone(),
            reviewed_at: now,
            day,
            kind,
            grade: None,
            duration_ms: 0,
            undoes: None,
            until: None,
            before: state,
            after: state,
        })
    }

    /// The log entry that takes back the last answer, or `None` if there is nothing to undo.
    pub fn prepare_undo(&self, now: DateTime<Utc>, day: NaiveDate) -> Option<LogEntry> {
        let last = &self.history.last()?.entry;
        Some(LogEntry {
            id: ReviewId::generate(now.timestamp_millis()),
            card_id: last.card_id.clone(),
            reviewed_at: now,
            day,
            kind: EntryKind::Undo,
            grade: None,
            duration_ms: 0,
            undoes: Some(last.id.clone()),
            until: None,
            before: last.after,
            after: last.before,
        })
    }

    /// Applies an entry made by `prepare_answer` or `prepare_undo` once it is committed.
    pub fn apply(&mut self, entry: LogEntry) {
        if entry.kind == EntryKind::Undo {
            let Some(step) = self.history.pop() else {
                return;
            };
            if step.requeued {
                self.learning.pop_back();
            }
            let card = step.entry.card_id.clone();
            self.states.insert(card.clone(), step.entry.before);
            match step.pile {
                Pile::Main => self.main.push_front(card),
                Pile::Learning => self.learning.push_front(card),
            }
            return;
        }
        let Some((current, pile)) = self.current() else {
            return;
        };
        let current = current.clone();
        match pile {
            Pile::Main => self.main.pop_front(),
            Pile::Learning => self
                .learning
                .iter()
                .position(|id| *id == current)
                .and_then(|at| self.learning.remove(at)),
        };
        self.states.insert(entry.card_id.clone(), entry.after);
        let lapses = |s: &CardState| s.memory().map_or(0, |m| m.lapses);
        let leech = entry.kind == EntryKind::Review
            && scheduler::turns_leech(lapses(&entry.before), lapses(&entry.after));
        // A card on a step comes back when the step is due — unless it just became a leech,
        // which suspends it. In cram, SM-2's rule 7: graded below 4, drilled again.
        let requeued = !leech
            && match self.mode {
                Mode::Review => entry.after.memory().is_some_and(|m| m.learning.is_some()),
                Mode::Cram => entry.grade.is_some_and(|g| g.value() < 4),
            };
        if requeued {
            self.learning.push_back(entry.card_id.clone());
        }
        self.history.push(Step {
            entry,
            pile,
            requeued,
            leech,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CardId {
        CardId(s.into())
    }

    fn day() -> NaiveDate {
        "2026-02-01".parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-02-01T10:00:00Z".parse().unwrap()
    }

    /// A session at [`now`] without learning steps: each answer of the main pile is final
    /// for the day (the tests of steps take [`with_steps`]).
    fn new(cards: Vec<(CardId, CardState)>) -> Session {
        let mut s = Session::new(cards).with_rules(Rules {
            steps: scheduler::StepRules::NONE,
            ..Rules::default()
        });
        s.set_now(now());
        s
    }

    /// A session at [`now`] with one learning step of a minute and one relearning step of
    /// ten: a card answered below Hard comes back the same day, SM-2's rule 7 as steps.
    fn with_steps(cards: Vec<(CardId, CardState)>) -> Session {
        let mut s = Session::new(cards).with_rules(Rules {
            steps: scheduler::StepRules {
                learning: scheduler::Steps::parse(["1m"]).unwrap(),
                relearning: scheduler::Steps::RELEARNING,
            },
            ..Rules::default()
        });
        s.set_now(now());
        s
    }

    fn cram(cards: Vec<(CardId, CardState)>) -> Session {
        let mut s = Session::cram(cards);
        s.set_now(now());
        s
    }

    fn answer(session: &mut Session, grade: Grade) -> LogEntry {
        answer_taking(session, grade, 2000)
    }

    /// Answers the current card with `grade` after `duration_ms` of thought.
    fn answer_taking(session: &mut Session, grade: Grade, duration_ms: u32) -> LogEntry {
        let entry = session
            .prepare_answer(grade, now(), day(), duration_ms)
            .unwrap();
        session.apply(entry.clone());
        entry
    }

    /// A card already on the schedule: `goods` Good reviews behind it.
    fn reviewed(goods: usize) -> CardState {
        let mut state = CardState::New;
        for _ in 0..goods {
            state = scheduler::schedule(state, Grade::GOOD, day(), "r", &Rules::default());
        }
        state
    }

    fn undo(session: &mut Session) -> LogEntry {
        let entry = session.prepare_undo(now(), day()).unwrap();
        session.apply(entry.clone());
        entry
    }

    fn three_new() -> Session {
        new(vec![
            (id("a"), CardState::New),
            (id("b"), CardState::New),
            (id("c"), CardState::New),
        ])
    }

    fn three_new_with_steps() -> Session {
        with_steps(vec![
            (id("a"), CardState::New),
            (id("b"), CardState::New),
            (id("c"), CardState::New),
        ])
    }

    fn current(session: &Session) -> Option<(String, Pile)> {
        session.current().map(|(id, pile)| (id.0.clone(), pile))
    }

    #[test]
    fn cards_are_shown_in_the_order_given_and_the_session_ends() {
        let mut s = three_new();
        for expected in ["a", "b", "c"] {
            assert_eq!(current(&s), Some((expected.into(), Pile::Main)));
            answer(&mut s, Grade::GOOD);
        }
        assert_eq!(current(&s), None);
        assert_eq!(s.tally().reviewed, 3);
    }

    #[test]
    fn a_card_on_a_step_comes_back_after_the_main_pile_without_changing_its_sm2_schedule() {
        let mut s = three_new_with_steps();
        let first = answer(&mut s, Grade::HARD);
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::GOOD);
        assert_eq!(
            s.remaining(),
            Remaining {
                new: 0,
                due: 0,
                learning: 1
            }
        );
        assert_eq!(current(&s), Some(("a".into(), Pile::Learning)));
        let drill = answer(&mut s, Grade::AGAIN);
        assert_eq!(drill.kind, EntryKind::Drill);
        let sm2 = |state: &CardState| {
            let m = state.memory().unwrap();
            (m.repetitions, m.easiness, m.interval, m.due, m.reviews)
        };
        assert_eq!(sm2(&drill.before), sm2(&drill.after), "SM-2's rule 7");
        assert_eq!(sm2(&drill.after), sm2(&first.after));
        assert!(drill.after.memory().unwrap().learning.is_some());
        // Still below 4: it comes back again.
        assert_eq!(current(&s), Some(("a".into(), Pile::Learning)));
        answer(&mut s, Grade::GOOD);
        assert_eq!(current(&s), None);
        let tally = s.tally();
        assert_eq!((tally.answers, tally.passed, tally.reviewed), (5, 4, 3));
    }

    /// Anki's default steps: a failed new card is shown again once its minute is up, before
    /// the rest of the pile; a Good new card once more after ten minutes; with nothing else
    /// left, a step due within the learn-ahead limit is shown early.
    #[test]
    fn default_steps_bring_a_failed_card_back_when_its_step_is_due() {
        let mut s = Session::new(vec![
            (id("a"), CardState::New),
            (id("b"), CardState::New),
            (id("c"), CardState::New),
        ]);
        s.set_now(now());
        let failed = answer(&mut s, Grade::AGAIN);
        let step = failed.after.memory().unwrap().learning.unwrap();
        assert_eq!(step.due_at, now().timestamp_millis() + 60_000);
        assert_eq!(current(&s), Some(("b".into(), Pile::Main)), "not due yet");
        s.set_now(now() + chrono::Duration::seconds(61));
        assert_eq!(
            current(&s),
            Some(("a".into(), Pile::Learning)),
            "due: first"
        );
        let good = answer(&mut s, Grade::GOOD);
        assert_eq!(good.kind, EntryKind::Drill);
        assert_eq!(good.after.memory().unwrap().learning.unwrap().step, 1);
        assert_eq!(current(&s), Some(("b".into(), Pile::Main)));
        answer(&mut s, Grade::GOOD); // b: onto its 10-minute step
        answer(&mut s, Grade::EASY); // c: graduates at once
        assert_eq!(s.remaining().learning, 2);
        // Nothing else left: a and b are shown early, within the 20-minute learn-ahead.
        assert_eq!(current(&s).map(|c| c.1), Some(Pile::Learning));
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::GOOD);
        assert_eq!(current(&s), None);
        assert_eq!(s.next_step_due(), None);
    }

    #[test]
    fn a_step_beyond_the_learn_ahead_limit_ends_the_session_and_says_when() {
        let mut s = Session::new(vec![(id("a"), CardState::New)]).with_rules(Rules {
            steps: scheduler::StepRules {
                learning: scheduler::Steps::parse(["1h"]).unwrap(),
                relearning: scheduler::Steps::NONE,
            },
            ..Rules::default()
        });
        s.set_now(now());
        answer(&mut s, Grade::AGAIN);
        assert_eq!(current(&s), None);
        assert_eq!(
            s.next_step_due(),
            Some(now().timestamp_millis() + 3_600_000)
        );
        s.set_now(now() + chrono::Duration::minutes(45));
        assert_eq!(current(&s), Some(("a".into(), Pile::Learning)));
    }

    #[test]
    fn undo_restores_the_card_its_state_and_the_redrill_pile() {
        let mut s = three_new_with_steps();
        answer(&mut s, Grade::GOOD);
        let before_undo = s.clone();
        let failed = answer(&mut s, Grade::AGAIN);
        assert_eq!(s.remaining().learning, 1);
        let undo_entry = undo(&mut s);
        assert_eq!(undo_entry.undoes, Some(failed.id));
        assert_eq!(undo_entry.after, CardState::New);
        assert_eq!(current(&s), Some(("b".into(), Pile::Main)));
        assert_eq!(s.remaining(), before_undo.remaining());
        assert_eq!(s.state(&id("b")), CardState::New);
        assert_eq!(s.tally(), before_undo.tally());
    }

    #[test]
    fn undo_goes_back_several_answers_in_order() {
        let mut s = three_new();
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::EASY);
        undo(&mut s);
        undo(&mut s);
        assert_eq!(current(&s), Some(("a".into(), Pile::Main)));
        assert!(!s.can_undo());
        assert!(s.prepare_undo(now(), day()).is_none());
    }

    fn set_aside(session: &mut Session, kind: EntryKind) -> LogEntry {
        let entry = session.prepare_set_aside(kind, now(), day()).unwrap();
        session.apply(entry.clone());
        entry
    }

    #[test]
    fn skip_and_suspend_take_the_card_out_and_undo_brings_it_back() {
        let mut s = three_new();
        let skip = set_aside(&mut s, EntryKind::Skip);
        assert_eq!((skip.kind, skip.grade), (EntryKind::Skip, None));
        assert_eq!(current(&s), Some(("b".into(), Pile::Main)));
        set_aside(&mut s, EntryKind::Suspend);
        assert_eq!(current(&s), Some(("c".into(), Pile::Main)));
        assert_eq!(s.tally().answers, 0, "setting aside is not answering");
        undo(&mut s);
        assert_eq!(current(&s), Some(("b".into(), Pile::Main)));
        undo(&mut s);
        assert_eq!(current(&s), Some(("a".into(), Pile::Main)));
        assert_eq!(s.remaining(), three_new().remaining());
    }

    #[test]
    fn the_eighth_lapse_makes_a_leech_that_is_not_redrilled() {
        let seven_lapses = {
            let mut state = CardState::New;
            for _ in 0..7 {
                state = scheduler::schedule(state, Grade::AGAIN, day(), "a", &Rules::default());
            }
            state
        };
        let mut s = new(vec![(id("a"), seven_lapses), (id("b"), CardState::New)]);
        answer(&mut s, Grade::AGAIN);
        assert_eq!(s.leeches(), [id("a")]);
        assert_eq!(s.remaining().learning, 0);
        undo(&mut s);
        assert!(s.leeches().is_empty());
        assert_eq!(current(&s), Some(("a".into(), Pile::Main)));
    }

    #[test]
    fn cram_answers_change_no_state_and_failures_come_back() {
        let mut s = cram(vec![(id("a"), CardState::New), (id("b"), CardState::New)]);
        let first = answer(&mut s, Grade::AGAIN);
        assert_eq!(first.kind, EntryKind::Cram);
        assert_eq!(first.before, first.after);
        answer(&mut s, Grade::GOOD);
        assert_eq!(current(&s), Some(("a".into(), Pile::Learning)));
        let again = answer(&mut s, Grade::GOOD);
        assert_eq!(again.kind, EntryKind::Cram);
        assert_eq!(current(&s), None);
        assert_eq!(
            s.tally().reviewed,
            0,
            "cramming reviews nothing on the schedule"
        );
    }

    #[test]
    fn a_finished_cram_reads_n_of_n() {
        let mut s = cram(vec![(id("a"), CardState::New), (id("b"), CardState::New)]);
        assert_eq!(s.progress(), (0, 2));
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::GOOD);
        assert_eq!(current(&s), None);
        assert_eq!(s.progress(), (2, 2));
    }

    #[test]
    fn a_cram_shows_cards_on_a_step_in_the_order_given() {
        let on_step = with_steps(vec![(id("a"), CardState::New)]);
        let mut on_step = on_step;
        let failed = answer(&mut on_step, Grade::AGAIN).after;
        assert!(failed.memory().unwrap().learning.is_some());
        let s = cram(vec![(id("a"), failed), (id("b"), CardState::New)]);
        assert_eq!(current(&s), Some(("a".into(), Pile::Main)));
        assert_eq!(s.remaining().due + s.remaining().new, 2);
    }

    #[test]
    fn a_slow_answer_is_capped_at_sixty_seconds() {
        let s = three_new();
        let entry = s
            .prepare_answer(Grade::GOOD, now(), day(), 600_000)
            .unwrap();
        assert_eq!(entry.duration_ms, MAX_ANSWER_MS);
    }

    #[test]
    fn preparing_an_answer_changes_nothing_until_it_is_applied() {
        let s = three_new();
        let _ = s.prepare_answer(Grade::AGAIN, now(), day(), 10);
        assert_eq!(current(&s), Some(("a".into(), Pile::Main)));
        assert_eq!(s.remaining().learning, 0);
    }

    #[test]
    fn accuracy_is_the_share_of_answers_passed_redrills_included() {
        let mut s = three_new_with_steps();
        assert_eq!(s.tally().accuracy(), None, "no answer yet: no percentage");
        set_aside(&mut s, EntryKind::Skip);
        assert_eq!(s.tally().accuracy(), None, "a skip is not an answer");
        answer(&mut s, Grade::AGAIN); // b fails and comes back
        answer(&mut s, Grade::HARD); // c passes (3) but is re-drilled
        answer(&mut s, Grade::GOOD); // b's re-drill
        answer(&mut s, Grade::GOOD); // c's re-drill
        assert_eq!(current(&s), None);
        assert_eq!(s.tally().accuracy(), Some(0.75), "3 of 4 answers passed");
    }

    #[test]
    fn the_summary_counts_answers_passes_scheduled_reviews_and_capped_time() {
        let mut s = three_new_with_steps();
        answer_taking(&mut s, Grade::AGAIN, 4_000);
        set_aside(&mut s, EntryKind::Skip);
        answer_taking(&mut s, Grade::GOOD, 1_500);
        // a's re-drill: an answer, not a scheduled review; a walk-away counts as 60 s.
        answer_taking(&mut s, Grade::GOOD, 900_000);
        assert_eq!(current(&s), None);
        assert_eq!(
            s.tally(),
            Tally {
                answers: 3,
                passed: 2,
                reviewed: 2,
                time_ms: 4_000 + 1_500 + 60_000,
            }
        );
    }

    #[test]
    fn remaining_splits_the_main_pile_into_due_and_new_and_counts_redrills() {
        let mut s = with_steps(vec![
            (id("d"), reviewed(1)),
            (id("e"), reviewed(2)),
            (id("n"), CardState::New),
        ]);
        let remaining = |new, due, learning| Remaining { new, due, learning };
        assert_eq!(s.remaining(), remaining(1, 2, 0));
        answer(&mut s, Grade::AGAIN);
        assert_eq!(s.remaining(), remaining(1, 1, 1));
        let good = answer(&mut s, Grade::GOOD);
        assert_eq!(s.remaining(), remaining(1, 0, 1));
        assert_eq!(
            s.state(&id("e")).memory().map(|m| m.reviews),
            Some(3),
            "the session holds the state the answer gave"
        );
        assert_eq!(s.state(&id("e")), good.after);
    }

    #[test]
    fn progress_reads_steps_taken_of_steps_taken_plus_cards_left_redrills_included() {
        let mut s = with_steps(vec![
            (id("d"), reviewed(1)),
            (id("e"), reviewed(2)),
            (id("n"), CardState::New),
        ]);
        assert_eq!(s.progress(), (0, 3));
        answer(&mut s, Grade::AGAIN); // d comes back: one more step
        assert_eq!(s.progress(), (1, 4));
        set_aside(&mut s, EntryKind::Skip); // e: a step, and no re-drill
        assert_eq!(s.progress(), (2, 4));
        answer(&mut s, Grade::GOOD); // n
        assert_eq!(s.progress(), (3, 4));
        undo(&mut s);
        assert_eq!(s.progress(), (2, 4), "undo takes a step back");
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::GOOD); // d's re-drill
        assert_eq!(current(&s), None);
        assert_eq!(s.progress(), (4, 4), "a finished session reads n/n");
    }

    #[test]
    fn undo_is_available_exactly_when_there_is_a_step_to_take_back() {
        let mut s = three_new();
        assert!(!s.can_undo(), "nothing to undo before the first step");
        set_aside(&mut s, EntryKind::Skip);
        assert!(s.can_undo(), "a skip can be taken back");
        answer(&mut s, Grade::GOOD);
        answer(&mut s, Grade::GOOD);
        assert_eq!(current(&s), None);
        assert!(
            s.can_undo(),
            "the last answer of a session can be taken back"
        );
        for _ in 0..3 {
            undo(&mut s);
        }
        assert!(!s.can_undo(), "everything taken back");
    }

    #[test]
    fn slowest_lists_answers_slowest_first_without_set_asides() {
        let mut s = with_steps(vec![
            (id("a"), CardState::New),
            (id("b"), CardState::New),
            (id("c"), CardState::New),
            (id("d"), CardState::New),
        ]);
        answer_taking(&mut s, Grade::GOOD, 3_000);
        set_aside(&mut s, EntryKind::Skip);
        answer_taking(&mut s, Grade::GOOD, 9_000);
        answer_taking(&mut s, Grade::AGAIN, 1_000);
        answer_taking(&mut s, Grade::GOOD, 5_000); // d's re-drill
        assert_eq!(current(&s), None);
        assert_eq!(
            s.slowest(3),
            [(id("c"), 9_000), (id("d"), 5_000), (id("a"), 3_000)]
        );
        assert_eq!(
            s.slowest(10),
            [
                (id("c"), 9_000),
                (id("d"), 5_000),
                (id("a"), 3_000),
                (id("d"), 1_000)
            ],
            "every answer, re-drills included; the skipped card is not there"
        );
    }

    #[test]
    fn a_session_knows_whether_it_is_a_cram() {
        assert_eq!(cram(vec![]).mode(), Mode::Cram);
        assert_eq!(three_new().mode(), Mode::Review);
    }

    #[test]
    fn an_exam_date_caps_scheduled_answers_and_is_logged_with_them_but_not_with_redrills() {
        let exam: NaiveDate = "2026-02-11".parse().unwrap();
        let rules = Rules {
            until: Some(exam),
            ..Rules::default()
        };
        let uncapped = scheduler::schedule(reviewed(3), Grade::GOOD, day(), "e", &Rules::default());
        assert!(uncapped.memory().unwrap().due > exam, "{uncapped:?}");
        let mut s = new(vec![(id("e"), reviewed(3)), (id("n"), CardState::New)]).with_rules(rules);
        let capped = answer(&mut s, Grade::GOOD);
        assert!(capped.after.memory().unwrap().due <= exam, "{capped:?}");
        assert_eq!(capped.until, Some(exam), "a rebuild replays the same cap");
        answer(&mut s, Grade::AGAIN);
        let drill = answer(&mut s, Grade::GOOD);
        assert_eq!((drill.kind, drill.until), (EntryKind::Drill, None));
    }
}
