//! A review session: the pure session state machine, the queue it starts from, and the two
//! front ends (full-screen on a terminal, plain lines for scripts) that drive it through
//! [`Review`], which commits every answer before the next card is shown.

pub mod fullscreen;
pub mod keys;
pub mod plain;
pub mod queue;
pub mod render;
pub mod session;
pub mod typed;

use std::time::Instant;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::config::Grading;
use crate::deck::{Card, Library};
use crate::error::Error;
use crate::scheduler::CardState;
use crate::store::{EntryKind, Store};
use crate::types::Grade;
use session::{Pile, Session, Tally};

/// How the session is run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: queue::Limits,
    pub selection: queue::Selection,
    pub grading: Option<Grading>,
    /// Typed-answer mode: type the answer before it is revealed.
    pub typed: bool,
}

impl Options {
    pub fn grading(&self) -> Grading {
        self.grading.unwrap_or(Grading::Buttons)
    }
}

/// A session bound to its store and clock.
pub struct Review<'a> {
    pub session: Session,
    pub library: &'a Library,
    store: &'a mut Store,
    clock: &'a Clock,
    shown_at: Instant,
    /// Due cards left for later days by the daily limit.
    pub due_later: usize,
    pub options: Options,
    /// `library` holds only the session's cards; the rest are in the store's catalog.
    catalog: bool,
}

/// The end-of-session report.
#[derive(Debug, Clone)]
pub struct Summary {
    pub tally: Tally,
    /// Slowest answers: `(question, seconds)`.
    pub slowest: Vec<(String, f64)>,
    pub next_due: Option<NaiveDate>,
    pub today: NaiveDate,
    /// `(id, question)` of cards that became leeches this session (and were suspended).
    pub leeches: Vec<(String, String)>,
    /// A cram session: nothing was rescheduled.
    pub cram: bool,
    /// Cards left on a learning step, and what to say of when the first is due ("at 14:32
    /// (in 25 min)").
    pub steps_left: Option<(usize, String)>,
    /// Due cards the daily review limit held back.
    pub due_later: usize,
}

impl<'a> Review<'a> {
    pub fn new(
        session: Session,
        library: &'a Library,
        store: &'a mut Store,
        clock: &'a Clock,
        due_later: usize,
        options: Options,
    ) -> Review<'a> {
        let mut session = session;
        session.set_now(clock.now());
        Review {
            session,
            library,
            store,
            clock,
            shown_at: Instant::now(),
            due_later,
            options,
            catalog: false,
        }
    }

    /// A session whose `library` holds only its own cards, every loaded card being in the
    /// store's card catalog (what the end-of-session report then asks about).
    #[must_use]
    pub fn over_catalog(mut self) -> Review<'a> {
        self.catalog = true;
        self
    }

    /// The current card with its pile and state, or `None` when the session is over.
    pub fn current(&self) -> Option<(&'a Card, Pile, CardState)> {
        let (id, pile) = self.session.current()?;
        let card = self.library.get(id)?;
        Some((card, pile, self.session.state(id)))
    }

    /// "exam in 9 days" while an exam date caps the intervals (see
    /// [`crate::scheduler::exam_cap`]).
    pub fn exam_note(&self) -> Option<String> {
        let exam = self.session.exam()?;
        let days = (exam - self.clock.today()).num_days();
        (days > 0).then(|| format!("exam in {}", crate::display::plural(days as usize, "day")))
    }

    /// What each grade would do to the current card, for its key: `(grade, "10m")` for every
    /// grade the keys offer (Again, Hard, Good, Easy; or 0-5 on SM-2's scale), computed by
    /// the function that schedules the answer (steps, fuzz, exam cap and load balancing
    /// included). Empty in cram, which changes no schedule, or on a store error.
    pub fn intervals(&self) -> Vec<(Grade, String)> {
        if self.session.mode() == session::Mode::Cram {
            return Vec::new();
        }
        let grades: Vec<u8> = match self.options.grading() {
            Grading::Buttons => vec![1, 3, 4, 5],
            Grading::Scale => (0..=5).collect(),
        };
        let now = self.clock.now();
        let today = self.clock.study_day(now);
        grades
            .into_iter()
            .filter_map(Grade::new)
            .filter_map(|grade| {
                let entry = self.session.prepare_answer(grade, now, today, 0)?;
                let entry = self.store.preview(&entry).ok()?;
                Some((grade, next_showing(&entry.after, now, today)?))
            })
            .collect()
    }

    /// Starts timing the current card (call when it is first shown).
    pub fn card_shown(&mut self) {
        self.shown_at = Instant::now();
    }

    /// Grades the current card and commits the answer durably before moving on. Returns a
    /// notice for the learner when the answer counted otherwise than they would expect: when
    /// another session had already given the card its scheduled review today, this answer is
    /// a same-day re-drill.
    pub fn answer(&mut self, grade: Grade) -> Result<Option<&'static str>, Error> {
        let now = self.clock.now();
        let elapsed =
            u32::try_from(self.clock.elapsed(self.shown_at).as_millis()).unwrap_or(u32::MAX);
        let Some(entry) =
            self.session
                .prepare_answer(grade, now, self.clock.study_day(now), elapsed)
        else {
            return Ok(None);
        };
        let written = self.store.append(&entry)?;
        let notice = (written.kind != entry.kind).then_some(
            "Another session already reviewed that card today: counted as a re-drill, schedule unchanged.",
        );
        self.session.apply(written);
        self.session.set_now(self.clock.now());
        self.card_shown();
        Ok(notice)
    }

    /// Skips the current card (buried until the next study day) or suspends it, durably.
    pub fn set_aside(&mut self, kind: EntryKind) -> Result<(), Error> {
        let now = self.clock.now();
        let Some(entry) = self
            .session
            .prepare_set_aside(kind, now, self.clock.study_day(now))
        else {
            return Ok(());
        };
        self.store.append(&entry)?;
        self.session.apply(entry);
        self.session.set_now(self.clock.now());
        self.card_shown();
        Ok(())
    }

    /// Takes back the last answer (logged as an undo). `false` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<bool, Error> {
        let now = self.clock.now();
        let Some(entry) = self.session.prepare_undo(now, self.clock.study_day(now)) else {
            return Ok(false);
        };
        self.store.append(&entry)?;
        self.session.apply(entry);
        self.session.set_now(self.clock.now());
        self.card_shown();
        Ok(true)
    }

    pub fn deck_name(&self, card: &Card) -> &'a str {
        self.library
            .deck(&card.deck)
            .map_or("", |deck| deck.name.as_str())
    }

    /// The guide passage the current card came from (its section's own text), if its deck
    /// names a guide recall knows: a bundled guide, or one in ./guide/.
    pub fn passage(&self) -> Option<String> {
        let (card, _, _) = self.current()?;
        let (file, line) = crate::guide::parse_source(card.source.as_deref()?)?;
        let bundled = crate::deck::bundled::GUIDES
            .iter()
            .find(|(path, _)| path.rsplit('/').next() == Some(file))
            .map(|(_, text)| (*text).to_string());
        let text = bundled
            .or_else(|| std::fs::read_to_string(std::path::Path::new("guide").join(file)).ok())?;
        crate::guide::passage_at(&text, line)
    }

    /// The report shown when the session ends or is quit.
    pub fn summary(&self) -> Result<Summary, Error> {
        let today = self.clock.today();
        let done = self.store.day_counts(today)?;
        let next_due = if self.catalog {
            let new_allowed = done.new_learned < self.options.limits.new_per_day;
            self.store.catalog_next_due(today, new_allowed)?
        } else {
            queue::next_due(
                self.library,
                &self.store.records()?,
                today,
                done,
                self.options.limits,
                &self.options.selection,
            )
        };
        let slowest = self
            .session
            .slowest(3)
            .into_iter()
            .filter_map(|(id, ms)| {
                self.library
                    .get(&id)
                    .map(|card| (card.front.clone(), f64::from(ms) / 1000.0))
            })
            .collect();
        let leeches = self
            .session
            .leeches()
            .iter()
            .filter_map(|id| {
                self.library
                    .get(id)
                    .map(|card| (id.0.clone(), card.front.clone()))
            })
            .collect();
        let steps_left = self.session.next_step_due().map(|at| {
            (
                self.session.remaining().learning,
                describe_time(at, self.clock.now()),
            )
        });
        Ok(Summary {
            tally: self.session.tally(),
            slowest,
            next_due,
            today,
            leeches,
            cram: self.session.mode() == session::Mode::Cram,
            steps_left,
            due_later: self.due_later,
        })
    }
}

/// When a card in `state` is next shown, as a grade key says it: minutes or hours for a
/// same-day step ("10m", "1h"), else days, months or years ("4d", "1.5mo", "2.1y").
pub fn next_showing(
    state: &CardState,
    now: chrono::DateTime<chrono::Utc>,
    today: NaiveDate,
) -> Option<String> {
    let memory = state.memory()?;
    if let Some(step) = memory.learning {
        let minutes = ((step.due_at - now.timestamp_millis()).max(0) + 59_999) / 60_000;
        return Some(if minutes < 60 {
            format!("{minutes}m")
        } else {
            format!("{}h", (minutes + 30) / 60)
        });
    }
    let days = (memory.due - today).num_days().max(1);
    Some(match days {
        0..=29 => format!("{days}d"),
        30..=364 => format!("{:.1}mo", days as f64 / 30.4),
        _ => format!("{:.1}y", days as f64 / 365.25),
    })
}

/// Formats an instant (ms since the Unix epoch) relative to `now`, in local time: "at 14:32
/// (in 25 min)", or "now" once it has come.
pub fn describe_time(at_ms: i64, now: chrono::DateTime<chrono::Utc>) -> String {
    let wait = at_ms - now.timestamp_millis();
    if wait <= 0 {
        return "now".to_string();
    }
    let minutes = (wait + 59_999) / 60_000;
    let local = chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or(now)
        .with_timezone(&chrono::Local);
    format!("at {} (in {minutes} min)", local.format("%H:%M"))
}

/// Formats a day relative to `today`: "today", "tomorrow", "in 5 days (2026-03-06)".
pub fn describe_day(day: NaiveDate, today: NaiveDate) -> String {
    match (day - today).num_days() {
        n if n <= 0 => "today".to_string(),
        1 => format!("tomorrow ({day})"),
        n => format!("in {n} days ({day})"),
    }
}

impl Summary {
    /// The summary as plain text lines (no colour, inert card text).
    pub fn lines(&self) -> Vec<String> {
        let t = &self.tally;
        let mut lines = Vec::new();
        if t.answers == 0 {
            lines.push("No cards answered this session.".to_string());
        } else {
            let accuracy = t.accuracy().unwrap_or(0.0) * 100.0;
            let seconds = t.time_ms as f64 / 1000.0;
            let what = if self.cram {
                "Cram (no schedule changed):".to_string()
            } else {
                format!("Session: {} reviewed,", plural(t.reviewed, "card"))
            };
            // One answer's time is the total: saying it twice, rounded two ways, would not
            // add up ("3 s spent (3.5 s per answer)").
            let per_answer = if t.answers == 1 {
                String::new()
            } else {
                format!(" ({:.1} s per answer)", seconds / f64::from(t.answers))
            };
            lines.push(format!(
                "{what} {}, {accuracy:.0}% correct, {} spent{per_answer}.",
                plural(t.answers, "answer"),
                format_duration(seconds),
            ));
            let slow: Vec<String> = self
                .slowest
                .iter()
                .filter(|(_, s)| *s >= 1.0)
                .map(|(front, s)| {
                    let front = crate::display::inert(front).replace('\n', " ");
                    let short: String = front.chars().take(50).collect();
                    format!(
                        "{short}{} ({s:.0} s)",
                        if front.chars().count() > 50 {
                            "…"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            if !slow.is_empty() {
                lines.push(format!("Slowest: {}", slow.join("; ")));
            }
        }
        for (id, front) in &self.leeches {
            let id = crate::display::inert(id);
            let front = crate::display::inert(front).replace('\n', " ");
            lines.push(format!(
                "Leech suspended ({}+ failures): {id} \"{front}\". Rewrite it (`recall edit {id}`, which keeps its history) or split it, then `recall unsuspend {id}`.",
                crate::scheduler::LEECH_LAPSES,
            ));
        }
        if let Some((cards, when)) = &self.steps_left {
            lines.push(format!(
                "Left today: {} on a learning step, the next due {when}; `recall review` then shows it.",
                crate::display::plural(*cards, "card"),
            ));
        }
        if self.due_later > 0 {
            lines.push(format!(
                "Left today: {} held back by the daily review limit: raise `reviews_per_day` in the config file (`recall config path`) or set RECALL_REVIEWS_PER_DAY.",
                crate::display::plural(self.due_later, "due card"),
            ));
        }
        // Cards left today say when study resumes; "Next card due: today" would not.
        if self.steps_left.is_some()
            || (self.due_later > 0 && self.next_due.is_some_and(|day| day <= self.today))
        {
            return lines;
        }
        lines.push(match self.next_due {
            Some(day) => format!("Next card due: {}.", describe_day(day, self.today)),
            None => "No cards scheduled.".to_string(),
        });
        lines
    }
}

/// "1 card", "3 cards".
pub fn plural(count: u32, noun: &str) -> String {
    crate::display::plural(count as usize, noun)
}

/// A time spent: tenths of a second under a minute (so that a one-second answer does not
/// read as "1 s" beside "1.4 s"), whole seconds above.
fn format_duration(seconds: f64) -> String {
    if seconds < 59.95 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    format!("{} min {} s", whole / 60, whole % 60)
}

/// What the review screen says after `!`: the suspended card's id, which `recall unsuspend`
/// needs.
pub fn suspended_notice(id: &crate::types::CardId) -> String {
    format!(
        "Suspended {}; `recall unsuspend {}` brings it back (u undoes).",
        crate::display::inert(id.as_str()),
        crate::display::inert(id.as_str())
    )
}

/// The summary's lines wrapped at word boundaries to `width` columns, continuation lines
/// indented by two spaces.
pub fn wrap_summary(lines: &[String], width: usize) -> Vec<String> {
    lines
        .iter()
        .flat_map(|line| crate::display::wrap_hanging(line, width, 2))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(answers: u32, time_ms: u64) -> Summary {
        Summary {
            tally: Tally {
                reviewed: answers,
                answers,
                passed: answers,
                time_ms,
            },
            slowest: vec![],
            next_due: None,
            today: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            leeches: vec![],
            cram: false,
            steps_left: None,
            due_later: 0,
        }
    }

    #[test]
    fn one_answer_is_singular_and_its_time_is_said_once() {
        let lines = summary(1, 3_450).lines();
        assert_eq!(
            lines[0],
            "Session: 1 card reviewed, 1 answer, 100% correct, 3.5 s spent."
        );
    }

    #[test]
    fn several_answers_give_a_total_and_an_average_that_agree() {
        let lines = summary(2, 7_000).lines();
        assert_eq!(
            lines[0],
            "Session: 2 cards reviewed, 2 answers, 100% correct, 7.0 s spent (3.5 s per answer)."
        );
        let lines = summary(4, 130_000).lines();
        assert!(
            lines[0].contains("2 min 10 s spent (32.5 s per answer)"),
            "{}",
            lines[0]
        );
    }

    /// Issue 24: the session end says what is left today, not "Next card due: today".
    #[test]
    fn the_summary_says_what_is_left_today_and_which_limit_holds_cards_back() {
        let mut s = summary(2, 4_000);
        s.next_due = Some(s.today);
        s.steps_left = Some((2, "at 09:10 (in 10 min)".into()));
        s.due_later = 3;
        let lines = s.lines();
        assert!(
            lines.contains(&"Left today: 2 cards on a learning step, the next due at 09:10 (in 10 min); `recall review` then shows it.".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("Left today: 3 due cards held back by the daily review limit: raise `reviews_per_day`")),
            "{lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.starts_with("Next card due")),
            "{lines:?}"
        );
        s.steps_left = None;
        s.due_later = 0;
        s.next_due = s.today.succ_opt();
        assert!(
            s.lines()
                .last()
                .unwrap()
                .starts_with("Next card due: tomorrow")
        );
    }

    #[test]
    fn summary_lines_wrap_at_word_boundaries() {
        let mut s = summary(1, 1_000);
        s.leeches = vec![("caching-what-is-x".into(), "What is cache-aside?".into())];
        let wrapped = wrap_summary(&s.lines(), 40);
        for line in &wrapped {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        let words = |lines: &[String]| -> Vec<String> {
            lines
                .iter()
                .flat_map(|l| l.split_whitespace().map(str::to_string))
                .collect()
        };
        assert!(wrapped.len() > s.lines().len());
        assert_eq!(words(&s.lines()), words(&wrapped), "no word is broken");
    }
}
