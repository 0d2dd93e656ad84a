//! Domain newtypes shared by every layer: card and deck ids, grades, seniority levels,
//! easiness in hundredths, and review ids. Each type parses, prints and converts once, here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A card's stable identifier, unique across all loaded decks. Review history is keyed by it,
/// so editing a card's text keeps its history.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardId(pub String);

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl CardId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lets maps keyed by `CardId` be looked up with a `&str` (no allocation per lookup).
impl std::borrow::Borrow<str> for CardId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A deck's identifier (the `[deck] id` of its TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeckId(pub String);

impl fmt::Display for DeckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An SM-2 quality grade, 0 (blackout) to 5 (perfect). Grades of 3 and up pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grade(u8);

impl Grade {
    pub const MAX: u8 = 5;
    /// The four review buttons Again / Hard / Good / Easy, as SM-2 grades.
    pub const AGAIN: Grade = Grade(1);
    pub const HARD: Grade = Grade(3);
    pub const GOOD: Grade = Grade(4);
    pub const EASY: Grade = Grade(5);

    /// `None` when `value` is above 5.
    pub fn new(value: u8) -> Option<Grade> {
        (value <= Self::MAX).then_some(Grade(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// SM-2 counts 3, 4 and 5 as a successful recall.
    pub fn passed(self) -> bool {
        self.0 >= 3
    }

    /// The four-button mapping: 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub fn from_button(button: u8) -> Option<Grade> {
        match button {
            1 => Some(Self::AGAIN),
            2 => Some(Self::HARD),
            3 => Some(Self::GOOD),
            4 => Some(Self::EASY),
            _ => None,
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u8>()
            .ok()
            .and_then(Grade::new)
            .ok_or_else(|| format!("`{s}` is not a grade: grades are whole numbers from 0 to 5"))
    }
}

/// SM-2's easiness factor in integer hundredths (250 = 2.5). Integers avoid the float drift
/// that turns `ceil(6 * 2.0000000000000004)` into 13 days instead of 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Easiness(u16);

impl Easiness {
    pub const INITIAL: Easiness = Easiness(250);
    pub const FLOOR: Easiness = Easiness(130);

    /// Clamped to the floor of 1.30.
    pub fn from_hundredths(hundredths: u16) -> Easiness {
        Easiness(hundredths.max(Self::FLOOR.0))
    }

    pub fn hundredths(self) -> u16 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl fmt::Display for Easiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The seniority at which a card's knowledge is expected. Ordered: a junior card is also
/// expected of a senior.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Junior,
    Senior,
    Principal,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Junior, Level::Senior, Level::Principal];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Senior => "senior",
            Level::Principal => "principal",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("`{s}` is not a level: use junior, senior or principal"))
    }
}

/// A review's globally unique id: 32 hex digits, the first 12 the review time in ms since the
/// Unix epoch (so ids sort roughly by time), the rest random. Unique across devices, which is
/// what lets logs from several machines merge without a server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReviewId(pub String);

impl ReviewId {
    pub fn generate(unix_ms: i64) -> ReviewId {
        let random: u128 = rand::random();
        ReviewId(format!(
            "{:012x}{:020x}",
            unix_ms.max(0) & 0xffff_ffff_ffff,
            random >> 48
        ))
    }
}

impl fmt::Display for ReviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_above_five_are_rejected_with_the_allowed_range() {
        assert_eq!("5".parse::<Grade>().map(Grade::value), Ok(5));
        let err = "6".parse::<Grade>().unwrap_err();
        assert!(err.contains("0 to 5"), "{err}");
        assert!("x".parse::<Grade>().is_err());
    }

    #[test]
    fn buttons_map_to_sm2_grades_1_3_4_5() {
        let grades: Vec<u8> = (1..=4)
            .map(|b| Grade::from_button(b).unwrap().value())
            .collect();
        assert_eq!(grades, [1, 3, 4, 5]);
        assert_eq!(Grade::from_button(5), None);
    }

    #[test]
    fn easiness_prints_two_decimals_and_never_drops_below_the_floor() {
        assert_eq!(Easiness::from_hundredths(236).to_string(), "2.36");
        assert_eq!(Easiness::from_hundredths(100), Easiness::FLOOR);
    }

    #[test]
    fn review_ids_are_unique_and_start_with_the_time() {
        let a = ReviewId::generate(0x0123_4567_89ab);
        let b = ReviewId::generate(0x0123_4567_89ab);
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 32);
        assert!(a.0.starts_with("0123456789ab"));
    }
}
