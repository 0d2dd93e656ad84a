//! The one place recall reads the time. `RECALL_NOW` (RFC 3339) overrides the system clock for
//! every command, so every time-dependent behaviour has a deterministic test.
//!
//! Scheduling works in *study days*: a study day starts at a fixed local hour (04:00 by
//! default), so a late-night session still counts toward the day it began in.

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};

use crate::error::Error;

/// The environment variable that fixes the current time.
pub const NOW_ENV: &str = "RECALL_NOW";

/// The current instant and the rule that turns instants into study days.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
    /// Local hour (0–23) at which a study day starts.
    pub day_start_hour: u32,
}

impl Clock {
    /// Reads `RECALL_NOW` once; a malformed value is an error naming the variable.
    pub fn from_env(day_start_hour: u32) -> Result<Clock, Error> {
        let fixed = match std::env::var(NOW_ENV) {
            Ok(text) if !text.trim().is_empty() => Some(parse_now(&text)?),
            _ => None,
        };
        Ok(Clock {
            fixed,
            day_start_hour,
        })
    }

    /// A clock stopped at `now`, for tests.
    pub fn fixed(now: DateTime<Utc>, day_start_hour: u32) -> Clock {
        Clock {
            fixed: Some(now),
            day_start_hour,
        }
    }

    /// The current instant (UTC).
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }

    /// Time passed since `since`: none on a clock stopped by `RECALL_NOW`, so what a session
    /// records as an answer's time taken is as fixed as everything else it records.
    pub fn elapsed(&self, since: std::time::Instant) -> std::time::Duration {
        match self.fixed {
            Some(_) => std::time::Duration::ZERO,
            None => since.elapsed(),
        }
    }

    /// The study day that the current instant falls in, in the local time zone.
    pub fn today(&self) -> NaiveDate {
        self.study_day(self.now())
    }

    /// The study day an instant falls in, in the local time zone (`TZ` is honoured).
    pub fn study_day(&self, at: DateTime<Utc>) -> NaiveDate {
        study_day_in(at, &Local, self.day_start_hour)
    }

    /// Today as learning steps see it: the study day and the instants it starts and ends.
    pub fn study_day_bounds(&self) -> crate::scheduler::StudyDay {
        let day = self.today();
        let next = day.succ_opt().unwrap_or(day);
        crate::scheduler::StudyDay {
            day,
            starts_ms: self.day_start(day).timestamp_millis(),
            ends_ms: self.day_start(next).timestamp_millis(),
        }
    }

    /// The instant the study day `day` starts, in the local time zone.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        day_start_in(day, &Local, self.day_start_hour)
    }
}

/// The one rule for dates that come from elsewhere (an import, a review log, an Anki revlog,
/// another device's sync file, a fitted-parameter file): a date after tomorrow, or before
/// 1970, is held back. Such a date can only come from a wrong clock or a crafted file, and the
/// log is append-only, so one review dated 2200 would keep its card away for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The last study day admitted: tomorrow.
    pub last_day: NaiveDate,
    /// The first instant not admitted: the start of the study day after tomorrow.
    end: DateTime<Utc>,
}

/// The earliest instant admitted from elsewhere: the Unix epoch.
const EARLIEST: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

impl Horizon {
    /// Tomorrow, as `clock` counts study days.
    pub fn of(clock: &Clock) -> Horizon {
        let today = clock.today();
        let last_day = today.succ_opt().unwrap_or(today);
        let after = last_day.succ_opt().unwrap_or(last_day);
        Horizon {
            last_day,
            end: clock.day_start(after),
        }
    }

    /// Whether a study day is admitted.
    pub fn admits_day(&self, day: NaiveDate) -> bool {
        day <= self.last_day && day >= EARLIEST.date_naive()
    }

    /// Whether an instant is admitted.
    pub fn admits(&self, at: DateTime<Utc>) -> bool {
        at < self.end && at >= EARLIEST
    }

    /// The one message for what was held back: `"3 reviews dated after 2026-03-02 or before
    /// 1970 held back (is the clock of the device that made them right?)"`.
    pub fn held_back(&self, count: usize, what: &str) -> String {
        format!(
            "{count} {what} dated after {} or before 1970 held back (is the clock of the device that made {} right?)",
            self.last_day,
            if count == 1 { "it" } else { "them" }
        )
    }
}

/// The study day of `at` in time zone `tz` when days start at `hour`: the local calendar date
/// of `at - hour`. Shifting by whole hours of local wall time keeps daylight-saving changes
/// right: the day still starts when the wall clock shows `hour`.
pub fn study_day_in<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz, hour: u32) -> NaiveDate {
    let local = at.with_timezone(tz).naive_local();
    (local - Duration::hours(i64::from(hour))).date()
}

/// The first instant of study day `day` in `tz`. On a daylight-saving gap the start moves to
/// the first instant that exists.
pub fn day_start_in<Tz: TimeZone>(day: NaiveDate, tz: &Tz, hour: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default();
    let mut probe = naive;
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(30);
    }
    naive.and_utc()
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::Usage(format!(
                "{NOW_ENV}=`{text}` is not an RFC 3339 time ({e}); write it like 2026-03-01T09:30:00Z, or unset {NOW_ENV} to use the system clock"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_study_day_starts_at_four_in_the_morning_local_time() {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        // 03:59 local on the 2nd still belongs to the 1st; 04:00 starts the 2nd.
        assert_eq!(
            study_day_in(utc("2026-03-02T01:59:00Z"), &tz, 4),
            day("2026-03-01")
        );
        assert_eq!(
            study_day_in(utc("2026-03-02T02:00:00Z"), &tz, 4),
            day("2026-03-02")
        );
    }

    #[test]
    fn the_same_instant_is_a_different_study_day_in_another_time_zone() {
        let at = utc("2026-03-02T03:00:00Z");
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(study_day_in(at, &tokyo, 4), day("2026-03-02"));
        assert_eq!(study_day_in(at, &new_york, 4), day("2026-03-01"));
    }

    #[test]
    fn day_start_round_trips_with_study_day() {
        let tz = FixedOffset::west_opt(3 * 3600).unwrap();
        let start = day_start_in(day("2026-06-10"), &tz, 4);
        assert_eq!(start, utc("2026-06-10T07:00:00Z"));
        assert_eq!(study_day_in(start, &tz, 4), day("2026-06-10"));
        assert_eq!(
            study_day_in(start - Duration::seconds(1), &tz, 4),
            day("2026-06-09")
        );
    }

    #[test]
    fn a_stopped_clock_measures_no_time_passing() {
        let started = std::time::Instant::now()
            .checked_sub(std::time::Duration::from_millis(50))
            .unwrap();
        let stopped = Clock::fixed(utc("2026-03-01T12:00:00Z"), 4);
        assert_eq!(stopped.elapsed(started), std::time::Duration::ZERO);
        let running = Clock {
            fixed: None,
            day_start_hour: 4,
        };
        assert!(running.elapsed(started) >= std::time::Duration::from_millis(50));
    }

    #[test]
    fn the_horizon_admits_tomorrow_and_holds_back_the_day_after_and_before_1970() {
        let clock = Clock::fixed(utc("2026-03-01T12:00:00Z"), 4);
        let horizon = Horizon::of(&clock);
        let today = clock.today();
        let tomorrow = today.succ_opt().unwrap();
        assert!(horizon.admits_day(today) && horizon.admits_day(tomorrow));
        assert!(!horizon.admits_day(tomorrow.succ_opt().unwrap()));
        assert!(!horizon.admits_day(day("1969-12-31")));
        let last_instant =
            clock.day_start(tomorrow.succ_opt().unwrap()) - Duration::milliseconds(1);
        assert!(horizon.admits(last_instant));
        assert!(!horizon.admits(last_instant + Duration::milliseconds(1)));
        assert!(!horizon.admits(utc("1969-12-31T23:59:59Z")));
        assert!(horizon.admits(utc("1970-01-01T00:00:00Z")));
        let message = horizon.held_back(2, "reviews");
        assert!(message.starts_with("2 reviews dated after ") && message.contains("them right"));
    }

    #[test]
    fn a_malformed_recall_now_names_the_variable_and_the_format() {
        let err = parse_now("yesterday").unwrap_err().to_string();
        assert!(err.contains("RECALL_NOW=`yesterday`"), "{err}");
        assert!(err.contains("RFC 3339"), "{err}");
    }
}
