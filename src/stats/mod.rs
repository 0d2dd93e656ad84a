//! Statistics: every figure `recall stats` shows, computed by one pure function from what the
//! learner did (an [`Activity`]) and the facts of the cards in scope ([`CardFacts`]). Rendering
//! (terminal, JSON, HTML) is separate.
//!
//! Which answers count. Without filters, the activity figures (today, streak, heatmap, reviews
//! per day, retention) count every answer in the log that was not undone, those of cards whose
//! deck is no longer loaded included: they are reviews the learner did, and the streak of
//! `recall status` counts them too. They come from the store's projections — the days from
//! `Store::activity_by_day`, each card's retention with its facts from the card catalog
//! (`Store::catalog_facts`) — so `stats` does not scan the log. With filters
//! (`--deck`, `--tag`, …) they count only the answers of cards in scope, counted from the log
//! by [`ActivityCount`].
//! The card figures (counts by state, deck and level, the outline, the forecast) always cover
//! the loaded cards in scope.

pub mod html;
pub mod text;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::deck::Card;
use crate::store::{
    Answer, CardRecord, DayActivity, DayCounts, EntryKind, Maturity, Standing, Tally,
};
use crate::types::{CardId, Level};

pub use crate::store::{Activity, MATURE_DAYS};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Today {
    /// Cards given a scheduled review today.
    pub reviewed: usize,
    /// Of those, cards seen for the first time.
    pub new_learned: usize,
    /// Every answer today (reviews, re-drills, cram).
    pub answers: usize,
    pub time_ms: u64,
    /// Share of today's answers graded 3 or more; `null` before any answer.
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Streak {
    pub current: u32,
    pub longest: u32,
}

/// Passed and total scheduled reviews, and their ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub passed: usize,
    pub total: usize,
    /// `passed / total`; `null` when there is nothing to measure.
    pub rate: Option<f64>,
}

impl Rate {
    fn of(passed: usize, total: usize) -> Rate {
        Rate {
            passed,
            total,
            rate: (total > 0).then(|| passed as f64 / total as f64),
        }
    }
}

impl From<Tally> for Rate {
    fn from(tally: Tally) -> Rate {
        Rate::of(tally.passed as usize, tally.total as usize)
    }
}

/// Retention: the share of scheduled reviews passed (grade 3+), for young cards (interval
/// under 21 days before the review) and mature ones, over the last 30 days and all time. A new
/// card's first review is not a test of memory and is left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Retention {
    pub young_30d: Rate,
    pub mature_30d: Rate,
    pub young_all: Rate,
    pub mature_all: Rate,
}

/// Card counts by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub new: usize,
    pub learning: usize,
    pub young: usize,
    pub mature: usize,
    pub suspended: usize,
    pub leech: usize,
}

impl Counts {
    fn add(&mut self, label: &str) {
        match label {
            "new" => self.new += 1,
            "learning" => self.learning += 1,
            "young" => self.young += 1,
            "mature" => self.mature += 1,
            "suspended" => self.suspended += 1,
            _ => self.leech += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.new + self.learning + self.young + self.mature + self.suspended + self.leech
    }
}

/// One section of the guide (or deck) in outline order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The section path, e.g. "Backend Engineer's Responsibilities > Technical Responsibilities".
    pub path: String,
    /// How deep it sits (0 for a top-level section).
    pub depth: usize,
    /// Cards that are young or mature.
    pub learned: usize,
    pub total: usize,
    pub retention: Rate,
}

/// A day and a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub today_date: NaiveDate,
    pub today: Today,
    pub streak: Streak,
    /// Answers per day over the past year (371 days: 53 full weeks ending this week), oldest
    /// first.
    pub heatmap: Vec<DayCount>,
    /// Answers per day over the last 30 days, oldest first.
    pub reviews_30d: Vec<DayCount>,
    /// Cards due on each of the next 30 days, today first (today includes overdue cards).
    pub forecast_30d: Vec<DayCount>,
    pub retention: Retention,
    pub cards: Counts,
    pub by_deck: BTreeMap<String, Counts>,
    pub by_level: BTreeMap<String, Counts>,
    pub outline: Vec<Section>,
}

fn add_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(day)
}

fn sub_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

/// Current and longest runs of consecutive study days; the current run may end yesterday.
pub fn streaks(days: &HashSet<NaiveDate>, today: NaiveDate) -> Streak {
    let mut sorted: Vec<NaiveDate> = days.iter().copied().filter(|d| *d <= today).collect();
    sorted.sort_unstable();
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<NaiveDate> = None;
    for day in &sorted {
        run = match previous {
            Some(p) if p.succ_opt() == Some(*day) => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(*day);
    }
    let ends_now = sorted
        .last()
        .is_some_and(|last| *last == today || last.succ_opt() == Some(today));
    Streak {
        current: if ends_now { run } else { 0 },
        longest,
    }
}

/// Answers on `day`.
fn answers_on(days: &BTreeMap<NaiveDate, DayActivity>, day: NaiveDate) -> usize {
    days.get(&day).map_or(0, |d| d.answers as usize)
}

/// 53 weeks of answer counts, the last week ending on this week's Saturday.
fn heatmap(days: &BTreeMap<NaiveDate, DayActivity>, today: NaiveDate) -> Vec<DayCount> {
    // 53 weeks of columns, the last ending on the Saturday of this week.
    let days_to_saturday = u64::from(6 - today.weekday().num_days_from_sunday());
    let heat_end = add_days(today, days_to_saturday);
    let heat_start = sub_days(heat_end, 53 * 7 - 1);
    (0..53 * 7)
        .map(|i| add_days(heat_start, i))
        .map(|day| DayCount {
            day,
            count: if day > today {
                0
            } else {
                answers_on(days, day)
            },
        })
        .collect()
}

/// What the card figures need of one card in scope. The caller decides where cards come
/// from (the loaded decks, or a catalog of them).
#[derive(Debug, Clone, PartialEq)]
pub struct CardFacts<'a> {
    /// The name of the card's deck.
    pub deck: &'a str,
    pub level: Option<Level>,
    /// The guide section it came from, e.g. "Part > One" (see [`Card::section_or`]).
    pub section: &'a str,
    /// Its projected record's standing (the default one for a card never seen).
    pub standing: Standing,
    /// Its scheduled reviews that tested it (see [`Activity::cards`]).
    pub retention: Tally,
}

impl<'a> CardFacts<'a> {
    /// The facts of a loaded card of the deck named `deck`.
    pub fn of(
        card: &'a Card,
        deck: &'a str,
        record: CardRecord,
        activity: &Activity,
    ) -> CardFacts<'a> {
        CardFacts {
            deck,
            level: card.level,
            section: card.section_or(deck),
            standing: record.standing(),
            retention: activity.cards.get(&card.id).copied().unwrap_or_default(),
        }
    }
}

/// Counts answers into an [`Activity`] one at a time, as [`crate::store::Store::activity`]
/// reads it from the projections: for statistics over some cards only, where the answers are
/// streamed from the log and those in scope given to [`ActivityCount::add`].
#[derive(Debug)]
pub struct ActivityCount {
    activity: Activity,
    today: NaiveDate,
    reviewed_today: HashSet<CardId>,
    new_today: HashSet<CardId>,
}

impl ActivityCount {
    /// An empty count; `today` is the study day whose distinct cards are counted.
    pub fn new(today: NaiveDate) -> ActivityCount {
        ActivityCount {
            activity: Activity::default(),
            today,
            reviewed_today: HashSet::new(),
            new_today: HashSet::new(),
        }
    }

    /// Counts one answer (that was not undone).
    pub fn add(&mut self, answer: &Answer) {
        let passed = answer.grade.passed();
        let tested = Maturity::tested(answer.kind, answer.interval_before);
        self.activity
            .days
            .entry(answer.day)
            .or_default()
            .add(passed, answer.duration_ms, tested);
        if tested.is_some() {
            if let Some(tally) = self.activity.cards.get_mut(&answer.card_id) {
                tally.add(passed);
            } else {
                let mut tally = Tally::default();
                tally.add(passed);
                self.activity.cards.insert(answer.card_id.clone(), tally);
            }
        }
        if answer.day == self.today && answer.kind == EntryKind::Review {
            if !self.reviewed_today.contains(&answer.card_id) {
                self.reviewed_today.insert(answer.card_id.clone());
            }
            if answer.interval_before.is_none() && !self.new_today.contains(&answer.card_id) {
                self.new_today.insert(answer.card_id.clone());
            }
        }
    }

    pub fn finish(mut self) -> Activity {
        self.activity.today = DayCounts {
            reviewed: self.reviewed_today.len() as u32,
            new_learned: self.new_today.len() as u32,
        };
        self.activity
    }
}

/// The activity of the `answers` (none undone) of the cards in `in_scope`, as of study day
/// `today`.
pub fn activity_of<'a>(
    answers: impl IntoIterator<Item = &'a Answer>,
    in_scope: &HashSet<&CardId>,
    today: NaiveDate,
) -> Activity {
    let mut count = ActivityCount::new(today);
    for answer in answers {
        if in_scope.contains(&answer.card_id) {
            count.add(answer);
        }
    }
    count.finish()
}

/// Retention over the last 30 days and all time, from the days' scheduled reviews.
fn retention(days: &BTreeMap<NaiveDate, DayActivity>, today: NaiveDate) -> Retention {
    let month_ago = sub_days(today, 29);
    let (mut young_30d, mut mature_30d) = (Tally::default(), Tally::default());
    let (mut young_all, mut mature_all) = (Tally::default(), Tally::default());
    for (day, activity) in days {
        young_all += activity.young;
        mature_all += activity.mature;
        if *day >= month_ago {
            young_30d += activity.young;
            mature_30d += activity.mature;
        }
    }
    Retention {
        young_30d: young_30d.into(),
        mature_30d: mature_30d.into(),
        young_all: young_all.into(),
        mature_all: mature_all.into(),
    }
}

/// Values under string keys borrowed from the cards, in first-seen order. Cards come in
/// outline order, so a card's key is most often the previous card's: that one is compared
/// before any hashing (at 100k cards, hashing every deck and section name was a tenth of
/// `stats`).
struct Groups<'a, T> {
    items: Vec<(&'a str, T)>,
    index: HashMap<&'a str, usize>,
    last: usize,
}

impl<'a, T: Default> Groups<'a, T> {
    fn new() -> Self {
        Groups {
            items: Vec::new(),
            index: HashMap::new(),
            last: 0,
        }
    }

    /// The value under `key`, a default one the first time.
    fn get(&mut self, key: &'a str) -> &mut T {
        if self
            .items
            .get(self.last)
            .is_none_or(|(last, _)| *last != key)
        {
            self.last = *self.index.entry(key).or_insert_with(|| {
                self.items.push((key, T::default()));
                self.items.len() - 1
            });
        }
        &mut self.items[self.last].1
    }

    fn into_map(self) -> BTreeMap<String, T> {
        self.items
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect()
    }
}

/// A section's figures while its cards are counted.
#[derive(Default)]
struct SectionSum {
    learned: usize,
    cards: usize,
    passed: usize,
    reviews: usize,
}

/// Computes every figure: the activity figures from `activity`, the card figures from `cards`
/// (those in scope, in outline order), as of study day `today`.
pub fn compute<'a>(
    activity: &Activity,
    cards: impl IntoIterator<Item = CardFacts<'a>>,
    today: NaiveDate,
) -> Stats {
    let day = activity.days.get(&today).copied().unwrap_or_default();
    let today_stats = Today {
        reviewed: activity.today.reviewed as usize,
        new_learned: activity.today.new_learned as usize,
        answers: day.answers as usize,
        time_ms: day.time_ms,
        accuracy: (day.answers > 0).then(|| f64::from(day.passed) / f64::from(day.answers)),
    };
    let reviews_30d = (0..30)
        .map(|i| sub_days(today, 29 - i))
        .map(|day| DayCount {
            day,
            count: answers_on(&activity.days, day),
        })
        .collect();

    let mut forecast = vec![0usize; 30];
    let mut total = Counts::default();
    let mut by_deck: Groups<Counts> = Groups::new();
    let mut by_level: Groups<Counts> = Groups::new();
    let mut sections: Groups<SectionSum> = Groups::new();
    for card in cards {
        let label = card.standing.label();
        total.add(label);
        by_deck.get(card.deck).add(label);
        by_level
            .get(card.level.map_or("none", Level::as_str))
            .add(label);
        if let Some(due) = card.standing.due() {
            let offset = (due - today).num_days().max(0);
            if let Some(slot) = usize::try_from(offset)
                .ok()
                .and_then(|o| forecast.get_mut(o))
            {
                *slot += 1;
            }
        }
        let section = sections.get(card.section);
        section.learned += usize::from(matches!(label, "young" | "mature"));
        section.cards += 1;
        section.passed += card.retention.passed as usize;
        section.reviews += card.retention.total as usize;
    }
    let sections = sections
        .items
        .into_iter()
        .map(|(path, sum)| Section {
            depth: path.matches(" > ").count(),
            path: path.to_string(),
            learned: sum.learned,
            total: sum.cards,
            retention: Rate::of(sum.passed, sum.reviews),
        })
        .collect();
    let study_days: HashSet<NaiveDate> = activity
        .days
        .iter()
        .filter(|(_, d)| d.answers > 0)
        .map(|(day, _)| *day)
        .collect();
    Stats {
        today_date: today,
        today: today_stats,
        streak: streaks(&study_days, today),
        heatmap: heatmap(&activity.days, today),
        reviews_30d,
        forecast_30d: forecast
            .into_iter()
            .enumerate()
            .map(|(i, count)| DayCount {
                day: add_days(today, i as u64),
                count,
            })
            .collect(),
        retention: retention(&activity.days, today),
        cards: total,
        by_deck: by_deck.into_map(),
        by_level: by_level.into_map(),
        outline: sections,
    }
}

#[cfg(test)]
mod tests;
