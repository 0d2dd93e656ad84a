//! Load balancing and easy days: which day, of the due dates fuzz could give a review (see
//! [`super::due_range`]), the card comes due on. As Anki's load balancer: the day with the
//! fewest cards already due, and days the learner keeps light (`easy_days`) only when the
//! whole range falls on them. Pure: the per-day due counts are an argument (the store reads
//! them in the answer's write transaction).

use std::fmt;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

/// Weekdays to keep as free of reviews as the fuzz range allows (a set; bit 0 is Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EasyDays(u8);

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl EasyDays {
    /// No easy day.
    pub const NONE: EasyDays = EasyDays(0);

    /// The set of `names`: weekday names, by their first three letters (`"sat"`, `"Sunday"`).
    /// The error names the one not understood and the accepted names.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<EasyDays, String> {
        let mut set = 0;
        for name in names {
            let key = name.trim().to_ascii_lowercase();
            let index = NAMES
                .iter()
                .position(|n| key.get(..3) == Some(*n) && key_is_a_day(&key))
                .ok_or_else(|| {
                    format!(
                        "`{name}` is not a weekday; easy days are named {}",
                        NAMES.join(", ")
                    )
                })?;
            set |= 1 << index;
        }
        Ok(EasyDays(set))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

fn key_is_a_day(key: &str) -> bool {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    FULL.iter().any(|full| full.starts_with(key))
}

/// `["sat", "sun"]`, as the config file writes it.
impl fmt::Display for EasyDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = (0..7)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| format!("\"{}\"", NAMES[i]))
            .collect();
        write!(f, "[{}]", names.join(", "))
    }
}

/// How a review's due date is chosen within its fuzz range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// Pick the day with the fewest cards due.
    pub load_balance: bool,
    pub easy_days: EasyDays,
}

impl Default for Balance {
    fn default() -> Balance {
        Balance {
            load_balance: true,
            easy_days: EasyDays::NONE,
        }
    }
}

impl Balance {
    /// Whether the choice can differ from plain fuzz at all.
    pub fn is_active(self) -> bool {
        self.load_balance || !self.easy_days.is_empty()
    }
}

/// The due date for a review whose fuzz range is `range` and whose fuzzed date is `fuzzed`,
/// `due_on(day)` being how many other cards are due that day: a day that is not an easy day
/// if the range has one; then, with load balancing, the fewest cards due; then the day
/// nearest `fuzzed` (and the earlier of two as near). Without load balancing and easy days,
/// `fuzzed` itself.
pub fn choose(
    range: &RangeInclusive<NaiveDate>,
    fuzzed: NaiveDate,
    balance: Balance,
    due_on: impl Fn(NaiveDate) -> u32,
) -> NaiveDate {
    if !balance.is_active() || range.start() >= range.end() {
        return fuzzed;
    }
    range
        .start()
        .iter_days()
        .take_while(|day| day <= range.end())
        .min_by_key(|day| {
            (
                balance.easy_days.contains(day.weekday()),
                if balance.load_balance {
                    due_on(*day)
                } else {
                    0
                },
                (*day - fuzzed).num_days().abs(),
                *day,
            )
        })
        .unwrap_or(fuzzed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn easy_days_are_read_by_weekday_name() {
        let days = EasyDays::parse(["sat", "Sunday"]).unwrap();
        assert!(days.contains(Weekday::Sat) && days.contains(Weekday::Sun));
        assert!(!days.contains(Weekday::Mon));
        assert_eq!(days.to_string(), r#"["sat", "sun"]"#);
        assert_eq!(
            EasyDays::parse(["caturday"]).unwrap_err(),
            "`caturday` is not a weekday; easy days are named mon, tue, wed, thu, fri, sat, sun"
        );
        assert!(EasyDays::parse(["s"]).is_err(), "ambiguous");
    }

    #[test]
    fn the_least_loaded_day_of_the_range_is_chosen() {
        // 2026-03-02 is a Monday.
        let range = day("2026-03-02")..=day("2026-03-06");
        let load = |d: NaiveDate| match d.weekday() {
            Weekday::Mon => 9,
            Weekday::Tue => 3,
            Weekday::Wed => 1,
            _ => 5,
        };
        let on = Balance::default();
        assert_eq!(
            choose(&range, day("2026-03-04"), on, load),
            day("2026-03-04")
        );
        assert_eq!(
            choose(&range, day("2026-03-02"), on, load),
            day("2026-03-04")
        );
        let off = Balance {
            load_balance: false,
            easy_days: EasyDays::NONE,
        };
        assert_eq!(
            choose(&range, day("2026-03-02"), off, load),
            day("2026-03-02")
        );
    }

    #[test]
    fn easy_days_are_avoided_unless_the_whole_range_is_easy() {
        let sunday = Balance {
            load_balance: false,
            easy_days: EasyDays::parse(["sun"]).unwrap(),
        };
        // Sat 2026-03-07 to Mon 2026-03-09, fuzzed onto the Sunday: the nearest other day.
        let range = day("2026-03-07")..=day("2026-03-09");
        assert_eq!(
            choose(&range, day("2026-03-08"), sunday, |_| 0),
            day("2026-03-07")
        );
        // A range that is only the Sunday keeps it.
        let only = day("2026-03-08")..=day("2026-03-08");
        assert_eq!(
            choose(&only, day("2026-03-08"), sunday, |_| 0),
            day("2026-03-08")
        );
        // Both weekend days easy, range Sat..Sun: stays on the weekend, fewest due there.
        let weekend = Balance {
            load_balance: true,
            easy_days: EasyDays::parse(["sat", "sun"]).unwrap(),
        };
        let range = day("2026-03-07")..=day("2026-03-08");
        let load = |d: NaiveDate| if d.weekday() == Weekday::Sat { 4 } else { 2 };
        assert_eq!(
            choose(&range, day("2026-03-07"), weekend, load),
            day("2026-03-08")
        );
    }
}
