//! Learning and relearning steps: the same-day showings that sit in front of the scheduler's
//! day intervals, as Anki's. A new card's first answer, or a failed review, puts the card on
//! a step whose due *time* is part of its state (so quitting, a crash or another terminal never
//! loses it); answering the step moves it on, back, or out ("graduates"). Pure: the instant of
//! the answer is an argument, in ms since the Unix epoch (UTC).
//!
//! SM-2's numbers are untouched by steps: the first answer of a new card and a scheduled
//! review are SM-2 reviews as `shared/reference/sm2.md` states them (the day interval is set
//! then), and a step answer is a same-day re-drill, which per SM-2's rule 7 changes neither
//! `n`, `EF` nor `I`. FSRS counts every answer, steps included, through its short-term
//! formula (see [`super::fsrs_step`] with an elapsed time of 0 days).

use std::fmt;

/// At most this many steps in a list.
pub const MAX_STEPS: usize = 8;
/// A step must be shorter than a day: steps are same-day showings, and the day interval
/// behind them takes over from the next study day.
pub const MAX_STEP_MINUTES: u32 = 23 * 60 + 59;

/// A list of step lengths, in minutes (`Copy`, so that [`super::Rules`] stays `Copy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Steps {
    minutes: [u32; MAX_STEPS],
    len: u8,
}

impl Steps {
    /// No steps: the scheduler's interval applies at once.
    pub const NONE: Steps = Steps {
        minutes: [0; MAX_STEPS],
        len: 0,
    };

    /// Anki's default learning steps, 1 and 10 minutes.
    pub const LEARNING: Steps = Steps {
        minutes: [1, 10, 0, 0, 0, 0, 0, 0],
        len: 2,
    };

    /// Anki's default relearning step, 10 minutes.
    pub const RELEARNING: Steps = Steps {
        minutes: [10, 0, 0, 0, 0, 0, 0, 0],
        len: 1,
    };

    /// Steps from a list such as `["1m", "10m", "1h"]`: each a whole number of minutes
    /// (`m`) or hours (`h`), from 1 minute to under a day, at most [`MAX_STEPS`] of them.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Steps, String> {
        let mut steps = Steps::NONE;
        for item in items {
            let item = item.trim().trim_matches('"');
            if usize::from(steps.len) == MAX_STEPS {
                return Err(format!("at most {MAX_STEPS} steps"));
            }
            let minutes = parse_step(item).ok_or_else(|| {
                format!(
                    "`{item}` is not a step: write minutes or hours under a day, like \"1m\", \"10m\" or \"1h\""
                )
            })?;
            steps.minutes[usize::from(steps.len)] = minutes;
            steps.len += 1;
        }
        Ok(steps)
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The length of step `index` in minutes; the last step's past the end.
    pub fn minutes(&self, index: usize) -> u32 {
        self.as_slice()
            .get(index)
            .or_else(|| self.as_slice().last())
            .copied()
            .unwrap_or(0)
    }

    pub fn as_slice(&self) -> &[u32] {
        &self.minutes[..self.len()]
    }

    /// The delay Hard gives on step `index`, in minutes, as Anki computes it: on the first of
    /// several steps the mean of the first two; otherwise the step again.
    fn hard_minutes(&self, index: usize) -> u32 {
        if index == 0 && self.len() > 1 {
            u32::midpoint(self.minutes(0), self.minutes(1))
        } else {
            self.minutes(index)
        }
    }
}

/// `1m`, `10m`, `1h`, `90` (minutes): the length of a step in minutes, under a day.
fn parse_step(text: &str) -> Option<u32> {
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "m"),
    };
    let number: u32 = number.parse().ok()?;
    let minutes = match unit.trim() {
        "m" | "min" => number,
        "h" => number.checked_mul(60)?,
        _ => return None,
    };
    (1..=MAX_STEP_MINUTES).contains(&minutes).then_some(minutes)
}

impl fmt::Display for Steps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self
            .as_slice()
            .iter()
            .map(|&m| format!("\"{}\"", short_minutes(m)))
            .collect();
        write!(f, "[{}]", items.join(", "))
    }
}

/// `45m`, `1h`, `1h30m`.
pub fn short_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The step settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepRules {
    /// For new cards.
    pub learning: Steps,
    /// For failed reviews.
    pub relearning: Steps,
}

impl Default for StepRules {
    fn default() -> StepRules {
        StepRules {
            learning: Steps::LEARNING,
            relearning: Steps::RELEARNING,
        }
    }
}

impl StepRules {
    /// No steps at all: every answer is scheduled by days alone.
    pub const NONE: StepRules = StepRules {
        learning: Steps::NONE,
        relearning: Steps::NONE,
    };
}

/// A card on a step: which list, which step, and when it is next shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Learning {
    /// On the relearning steps (a failed review) rather than the learning steps (a new card).
    pub relearning: bool,
    /// Index into the list.
    pub step: u8,
    /// When the step is due, in ms since the Unix epoch (UTC).
    pub due_at: i64,
}

impl Learning {
    /// The step as one stored integer: `step + 1` on the learning steps, `-(step + 1)` on
    /// the relearning ones (never 0).
    pub fn code(&self) -> i64 {
        let n = i64::from(self.step) + 1;
        if self.relearning { -n } else { n }
    }

    /// The step from [`Learning::code`] and its due time; `None` for a code of 0.
    pub fn from_code(code: i64, due_at: i64) -> Option<Learning> {
        let step = u8::try_from(code.unsigned_abs().checked_sub(1)?).ok()?;
        Some(Learning {
            relearning: code < 0,
            step,
            due_at,
        })
    }
}

const MINUTE_MS: i64 = 60_000;

/// The study day a queue is built for, as steps see it: the day and the instants (ms since
/// the Unix epoch) it starts and ends. A card is on a step *today* when its step falls due
/// within the day and its day interval has not come due yet: a step left over from an earlier
/// day gives way to the card's day schedule (Anki's day learning cards do the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyDay {
    pub day: chrono::NaiveDate,
    pub starts_ms: i64,
    pub ends_ms: i64,
}

impl StudyDay {
    /// Whether `memory` is on a step that counts today, and when it is due.
    pub fn step_due(&self, memory: &super::Memory) -> Option<i64> {
        let learning = memory.learning?;
        (memory.due > self.day && (self.starts_ms..self.ends_ms).contains(&learning.due_at))
            .then_some(learning.due_at)
    }
}

/// Where an answer leaves a card's steps. `before` is the card's step before the answer
/// (`None`: not on a step); `first` says whether the answer was the card's first ever (a new
/// card). `grade` is the SM-2 grade (0-2 Again, 3 Hard, 4 Good, 5 Easy). Returns the step
/// after it, or `None` when the card is (or stays) off the steps.
pub fn after_answer(
    before: Option<Learning>,
    first: bool,
    grade: u8,
    at_ms: i64,
    rules: &StepRules,
) -> Option<Learning> {
    let on = |relearning: bool, step: usize, minutes: u32| Learning {
        relearning,
        step: u8::try_from(step).unwrap_or(u8::MAX),
        due_at: at_ms.saturating_add(i64::from(minutes) * MINUTE_MS),
    };
    match before {
        Some(current) => {
            let steps = if current.relearning {
                &rules.relearning
            } else {
                &rules.learning
            };
            if steps.is_empty() {
                return None;
            }
            let index = usize::from(current.step).min(steps.len() - 1);
            match grade {
                0..=2 => Some(on(current.relearning, 0, steps.minutes(0))),
                3 => Some(on(current.relearning, index, steps.hard_minutes(index))),
                4 if index + 1 < steps.len() => {
                    Some(on(current.relearning, index + 1, steps.minutes(index + 1)))
                }
                _ => None,
            }
        }
        None if first => {
            let steps = &rules.learning;
            match grade {
                _ if steps.is_empty() => None,
                0..=2 => Some(on(false, 0, steps.minutes(0))),
                3 => Some(on(false, 0, steps.hard_minutes(0))),
                4 if steps.len() > 1 => Some(on(false, 1, steps.minutes(1))),
                _ => None,
            }
        }
        // A failed review (or re-drill) goes onto the relearning steps.
        None if grade < 3 && !rules.relearning.is_empty() => {
            Some(on(true, 0, rules.relearning.minutes(0)))
        }
        None => None,
    }
}

/// What the next step would be, in minutes from the answer, for the label on a grade key;
/// `None` when the answer leaves the steps (its day interval applies).
pub fn minutes_after(
    before: Option<Learning>,
    first: bool,
    grade: u8,
    rules: &StepRules,
) -> Option<u32> {
    after_answer(before, first, grade, 0, rules)
        .map(|l| u32::try_from(l.due_at / MINUTE_MS).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: i64 = 1_000_000;

    fn step(before: Option<Learning>, first: bool, grade: u8) -> Option<(bool, u8, i64)> {
        after_answer(before, first, grade, AT, &StepRules::default())
            .map(|l| (l.relearning, l.step, (l.due_at - AT) / MINUTE_MS))
    }

    #[test]
    fn a_new_card_walks_anki_s_default_learning_steps() {
        assert_eq!(step(None, true, 1), Some((false, 0, 1)), "Again: 1 minute");
        assert_eq!(
            step(None, true, 3),
            Some((false, 0, 5)),
            "Hard: mean of 1 and 10"
        );
        assert_eq!(
            step(None, true, 4),
            Some((false, 1, 10)),
            "Good: the second step"
        );
        assert_eq!(step(None, true, 5), None, "Easy graduates at once");
        let second = after_answer(None, true, 4, AT, &StepRules::default());
        assert_eq!(
            step(second, false, 4),
            None,
            "Good on the last step graduates"
        );
        assert_eq!(
            step(second, false, 3),
            Some((false, 1, 10)),
            "Hard repeats it"
        );
        assert_eq!(
            step(second, false, 0),
            Some((false, 0, 1)),
            "Again starts over"
        );
    }

    #[test]
    fn a_failed_review_relearns_and_a_passed_one_does_not() {
        let rules = StepRules::default();
        let failed = after_answer(None, false, 1, AT, &rules);
        assert_eq!(
            failed,
            Some(Learning {
                relearning: true,
                step: 0,
                due_at: AT + 10 * MINUTE_MS
            })
        );
        assert_eq!(after_answer(None, false, 3, AT, &rules), None);
        assert_eq!(after_answer(None, false, 4, AT, &rules), None);
        assert_eq!(after_answer(failed, false, 4, AT, &rules), None);
        assert_eq!(
            after_answer(failed, false, 2, AT, &rules).map(|l| l.step),
            Some(0)
        );
    }

    #[test]
    fn empty_lists_turn_steps_off() {
        for grade in 0..=5 {
            assert_eq!(after_answer(None, true, grade, AT, &StepRules::NONE), None);
            assert_eq!(after_answer(None, false, grade, AT, &StepRules::NONE), None);
        }
    }

    #[test]
    fn steps_parse_minutes_and_hours_under_a_day() {
        let steps = Steps::parse(["1m", "10m", "1h", "90"]).unwrap();
        assert_eq!(steps.as_slice(), [1, 10, 60, 90]);
        assert_eq!(steps.to_string(), r#"["1m", "10m", "1h", "1h30m"]"#);
        assert!(Steps::parse(["0m"]).is_err());
        assert!(Steps::parse(["1d"]).unwrap_err().contains("\"10m\""));
        assert!(Steps::parse(["24h"]).is_err());
        assert!(Steps::parse(["1m"; 9]).is_err());
        assert_eq!(Steps::parse([]).unwrap(), Steps::NONE);
    }

    #[test]
    fn a_step_is_stored_as_one_signed_code() {
        for relearning in [false, true] {
            for step in [0, 1, 7] {
                let l = Learning {
                    relearning,
                    step,
                    due_at: 42,
                };
                assert_ne!(l.code(), 0);
                assert_eq!(Learning::from_code(l.code(), 42), Some(l));
            }
        }
        assert_eq!(Learning::from_code(0, 1), None);
    }

    /// A step can be as long as a day less a minute, and no longer: "23h" and "1439m" are
    /// steps, "1440m" is a day.
    #[test]
    fn the_longest_step_is_a_day_less_a_minute() {
        let day = 24 * 60;
        assert_eq!(Steps::parse(["23h"]).unwrap().as_slice(), [23 * 60]);
        let longest = format!("{}m", day - 1);
        assert_eq!(
            Steps::parse([longest.as_str()]).unwrap().as_slice(),
            [day - 1]
        );
        assert!(Steps::parse([format!("{day}m").as_str()]).is_err());
    }

    /// Good on a step that is not the last moves the card to the next step, due after that
    /// step's length: on a new card's first step, and on the middle one of three.
    #[test]
    fn good_on_a_step_before_the_last_moves_to_the_next_one() {
        let rules = StepRules {
            learning: Steps::parse(["1m", "10m", "1h"]).unwrap(),
            ..StepRules::default()
        };
        for step in [0, 1] {
            let before = Learning {
                relearning: false,
                step,
                due_at: AT,
            };
            let after = after_answer(Some(before), false, 4, AT, &rules);
            let next = usize::from(step) + 1;
            assert_eq!(
                after,
                Some(Learning {
                    relearning: false,
                    step: step + 1,
                    due_at: AT + i64::from(rules.learning.minutes(next)) * MINUTE_MS,
                }),
                "from step {step}"
            );
        }
    }

    /// A card left on a step the learner has since removed (the list shortened) counts as on
    /// the last step there is: Hard keeps it there, Good graduates it.
    #[test]
    fn a_card_past_a_shortened_list_is_on_its_last_step() {
        let rules = StepRules::default();
        let last = rules.learning.len() - 1;
        let stale = Learning {
            relearning: false,
            step: 5,
            due_at: AT,
        };
        assert_eq!(
            after_answer(Some(stale), false, 3, AT, &rules),
            Some(Learning {
                relearning: false,
                step: u8::try_from(last).unwrap(),
                due_at: AT + i64::from(rules.learning.minutes(last)) * MINUTE_MS,
            })
        );
        assert_eq!(after_answer(Some(stale), false, 4, AT, &rules), None);
    }

    /// With a single learning step, Good on a new card graduates it (there is no next step);
    /// Again and Hard put it on that step.
    #[test]
    fn with_one_learning_step_good_graduates_a_new_card() {
        let rules = StepRules {
            learning: Steps::parse(["15m"]).unwrap(),
            ..StepRules::default()
        };
        assert_eq!(after_answer(None, true, 4, AT, &rules), None);
        for grade in [1, 3] {
            assert_eq!(
                after_answer(None, true, grade, AT, &rules),
                Some(Learning {
                    relearning: false,
                    step: 0,
                    due_at: AT + 15 * MINUTE_MS,
                }),
                "grade {grade}"
            );
        }
    }

    /// A same-day re-drill of a card off the steps (neither its first answer nor a scheduled
    /// review): passed, it stays off them; failed, it goes onto the relearning steps.
    #[test]
    fn a_re_drill_passed_stays_off_the_steps_and_a_failed_one_relearns() {
        let rules = StepRules::default();
        for grade in 0..=5 {
            let after = after_answer(None, false, grade, AT, &rules);
            assert_eq!(after.is_some(), grade < 3, "grade {grade}");
            assert!(after.is_none_or(|l| l.relearning && l.step == 0));
        }
    }

    /// The minutes on a grade key are those of the step the answer would put the card on,
    /// whenever it is answered; none when it leaves the steps.
    #[test]
    fn a_grade_key_shows_the_minutes_of_the_step_it_leads_to() {
        let rules = StepRules::default();
        let on_step = after_answer(None, true, 4, AT, &rules);
        let mut shown = 0;
        for (before, first) in [(None, true), (None, false), (on_step, false)] {
            for grade in 0..=5 {
                let minutes = minutes_after(before, first, grade, &rules);
                let step = after_answer(before, first, grade, AT, &rules);
                assert_eq!(
                    minutes.map(|m| i64::from(m) * MINUTE_MS),
                    step.map(|l| l.due_at - AT),
                    "{before:?} {first} grade {grade}"
                );
                shown += usize::from(minutes.is_some_and(|m| m > 1));
            }
        }
        assert!(shown >= 4, "{shown}");
    }

    /// A card is on a step today while the step falls due within the study day and its day
    /// interval has not come due: not a step due after the day ends, not one left over from
    /// an earlier day, not once the card's day schedule has caught up with it.
    #[test]
    fn a_step_counts_today_only_within_the_day_and_before_the_card_is_due_by_days() {
        let day: chrono::NaiveDate = "2026-01-02".parse().unwrap();
        let starts_ms = day
            .and_hms_opt(4, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let today = StudyDay {
            day,
            starts_ms,
            ends_ms: starts_ms + 24 * 60 * MINUTE_MS,
        };
        let super::super::CardState::Scheduled(memory) =
            super::super::sm2::review(super::super::CardState::New, crate::types::Grade::GOOD, day)
        else {
            panic!("a review schedules the card");
        };
        assert!(memory.due > day);
        let on = |due_at: i64, due: chrono::NaiveDate| super::super::Memory {
            learning: Some(Learning {
                relearning: false,
                step: 0,
                due_at,
            }),
            due,
            ..memory
        };
        let in_an_hour = starts_ms + 60 * MINUTE_MS;
        assert_eq!(
            today.step_due(&on(in_an_hour, memory.due)),
            Some(in_an_hour)
        );
        assert_eq!(today.step_due(&on(starts_ms, memory.due)), Some(starts_ms));
        assert_eq!(
            today.step_due(&on(today.ends_ms, memory.due)),
            None,
            "tomorrow's"
        );
        assert_eq!(
            today.step_due(&on(starts_ms - 1, memory.due)),
            None,
            "yesterday's"
        );
        assert_eq!(
            today.step_due(&on(in_an_hour, day)),
            None,
            "due by days today"
        );
        assert_eq!(today.step_due(&memory), None, "on no step");
    }
}
