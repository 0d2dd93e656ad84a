//! Statistics: every figure `recall stats` shows, computed by one pure function over the review
//! log, the card records and the loaded cards. Rendering (terminal, JSON, HTML) is separate.

pub mod html;
pub mod text;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::deck::Card;
use crate::store::{Answer, CardRecord, EntryKind};
use crate::types::CardId;

/// Cards with an interval of this many days or more are mature (as in Anki).
pub const MATURE_DAYS: u32 = 21;

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
    fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += usize::from(passed);
        self.rate = Some(self.passed as f64 / self.total as f64);
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

/// 53 weeks of answer counts, the last week ending on this week's Saturday.
fn heatmap(per_day: &HashMap<NaiveDate, usize>, today: NaiveDate) -> Vec<DayCount> {
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
                per_day.get(&day).copied().unwrap_or(0)
            },
        })
        .collect()
}

/// What one pass over the answers gives.
struct Scan<'a> {
    today: Today,
    per_day: HashMap<NaiveDate, usize>,
    retention: Retention,
    by_card: HashMap<&'a CardId, Rate>,
}

fn scan<'a>(answers: &[&'a Answer], today: NaiveDate) -> Scan<'a> {
    let mut today_stats = Today::default();
    let mut reviewed_today: HashSet<&CardId> = HashSet::new();
    let mut new_today: HashSet<&CardId> = HashSet::new();
    let mut passed_today = 0;
    let mut per_day: HashMap<NaiveDate, usize> = HashMap::new();
    let mut retention = Retention::default();
    let mut by_card: HashMap<&CardId, Rate> = HashMap::new();
    let month_ago = sub_days(today, 29);
    for a in answers {
        *per_day.entry(a.day).or_default() += 1;
        if a.day == today {
            today_stats.answers += 1;
            today_stats.time_ms += u64::from(a.duration_ms);
            passed_today += usize::from(a.grade.passed());
            if a.kind == EntryKind::Review {
                reviewed_today.insert(&a.card_id);
                if a.interval_before.is_none() {
                    new_today.insert(&a.card_id);
                }
            }
        }
        if a.kind != EntryKind::Review {
            continue;
        }
        let Some(interval) = a.interval_before else {
            continue;
        };
        let passed = a.grade.passed();
        let (recent, all) = if interval >= MATURE_DAYS {
            (&mut retention.mature_30d, &mut retention.mature_all)
        } else {
            (&mut retention.young_30d, &mut retention.young_all)
        };
        all.add(passed);
        if a.day >= month_ago {
            recent.add(passed);
        }
        by_card.entry(&a.card_id).or_default().add(passed);
    }
    today_stats.reviewed = reviewed_today.len();
    today_stats.new_learned = new_today.len();
    today_stats.accuracy =
        (today_stats.answers > 0).then(|| passed_today as f64 / today_stats.answers as f64);

    Scan {
        today: today_stats,
        per_day,
        retention,
        by_card,
    }
}

/// Computes every figure. `cards` are the cards in scope (after filters) with their deck
/// names; `answers` is the whole log (answers of other cards are ignored).
pub fn compute(
    cards: &[(&Card, &str)],
    records: &HashMap<CardId, CardRecord>,
    answers: &[Answer],
    today: NaiveDate,
) -> Stats {
    let in_scope: HashSet<&CardId> = cards.iter().map(|(c, _)| &c.id).collect();
    let answers: Vec<&Answer> = answers
        .iter()
        .filter(|a| in_scope.contains(&a.card_id))
        .collect();

    let Scan {
        today: today_stats,
        per_day,
        retention,
        by_card,
    } = scan(&answers, today);
    let heatmap = heatmap(&per_day, today);
    let reviews_30d = (0..30)
        .map(|i| sub_days(today, 29 - i))
        .map(|day| DayCount {
            day,
            count: per_day.get(&day).copied().unwrap_or(0),
        })
        .collect();

    let mut forecast = vec![0usize; 30];
    let mut total = Counts::default();
    let mut by_deck: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_level: BTreeMap<String, Counts> = BTreeMap::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut section_index: HashMap<String, usize> = HashMap::new();
    for (card, deck_name) in cards {
        let record = records.get(&card.id).copied().unwrap_or_default();
        let label = record.label();
        total.add(label);
        by_deck
            .entry((*deck_name).to_string())
            .or_default()
            .add(label);
        let level = card.level.map_or("none", crate::types::Level::as_str);
        by_level.entry(level.to_string()).or_default().add(label);
        if let (false, Some(memory)) = (record.suspended, record.state.memory()) {
            let offset = (memory.due - today).num_days().max(0);
            if let Some(slot) = usize::try_from(offset)
                .ok()
                .and_then(|o| forecast.get_mut(o))
            {
                *slot += 1;
            }
        }
        let path = card.section_or(deck_name);
        let index = *section_index.entry(path.clone()).or_insert_with(|| {
            sections.push(Section {
                depth: path.matches(" > ").count(),
                path,
                learned: 0,
                total: 0,
                retention: Rate::default(),
            });
            sections.len() - 1
        });
        let section = &mut sections[index];
        section.total += 1;
        section.learned += usize::from(matches!(label, "young" | "mature"));
        if let Some(rate) = by_card.get(&card.id) {
            section.retention.passed += rate.passed;
            section.retention.total += rate.total;
        }
    }
    for section in &mut sections {
        let r = &mut section.retention;
        r.rate = (r.total > 0).then(|| r.passed as f64 / r.total as f64);
    }
    let study_days: HashSet<NaiveDate> = per_day.keys().copied().collect();
    Stats {
        today_date: today,
        today: today_stats,
        streak: streaks(&study_days, today),
        heatmap,
        reviews_30d,
        forecast_30d: forecast
            .into_iter()
            .enumerate()
            .map(|(i, count)| DayCount {
                day: add_days(today, i as u64),
                count,
            })
            .collect(),
        retention,
        cards: total,
        by_deck,
        by_level,
        outline: sections,
    }
}

#[cfg(test)]
mod tests;
