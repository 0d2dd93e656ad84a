//! Forecasting the workload (`recall simulate`): the `fsrs` crate's simulator run on the
//! learner's own collection — its cards' FSRS memory as they stand, the new cards still to
//! learn, the daily limits, the learner's parameters and their own answer times and grades —
//! once per desired retention. Deterministic: a fixed seed. No clock, no I/O.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::scheduler::{FsrsMemory, Parameters};
use crate::store::{EntryKind, LogEntry};

/// The seed of every simulation, so that the same collection always gives the same table.
const SEED: u64 = 42;

/// A card with FSRS memory, as the simulator needs it.
#[derive(Debug, Clone, Copy)]
pub struct Studied {
    pub memory: FsrsMemory,
    pub last_review: NaiveDate,
    pub due: NaiveDate,
    pub lapses: u32,
}

/// The collection and the learner's habits.
#[derive(Debug, Clone)]
pub struct Collection {
    pub studied: Vec<Studied>,
    /// Cards never reviewed yet (introduced at `new_per_day`).
    pub new_cards: usize,
    pub new_per_day: usize,
    pub reviews_per_day: usize,
    /// Seconds an answer takes, by state (learning, review, relearning) and rating (Again,
    /// Hard, Good, Easy).
    pub costs: [[f32; 4]; 3],
    /// How often each rating is given on a new card (Again, Hard, Good, Easy).
    pub first_rating: [f32; 4],
    /// How often a passed review is rated Hard, Good, Easy.
    pub review_rating: [f32; 3],
}

/// One desired retention's forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    pub retention: f64,
    /// Answers per day, new cards' first answers included (mean over the days).
    pub reviews_per_day: f64,
    /// Minutes of study per day (mean over the days).
    pub minutes_per_day: f64,
    /// Cards remembered on the last day (the sum of every card's recall probability).
    pub remembered: f64,
    /// Cards remembered on the exam day, given one within the forecast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered_on_exam_day: Option<f64>,
}

impl Collection {
    /// The learner's answer times and grades from `log` (the simulator's defaults where the
    /// log has none): a card's first answer is learning, a later scheduled answer a review,
    /// a same-day re-drill relearning.
    pub fn habits_from(&mut self, log: &[LogEntry]) {
        let mut sums = [[(0.0f64, 0u32); 4]; 3];
        let mut seen = std::collections::HashSet::new();
        for entry in log {
            let Some(grade) = entry.grade else { continue };
            let state = match entry.kind {
                EntryKind::Review if seen.insert(&entry.card_id) => 0,
                EntryKind::Review => 1,
                EntryKind::Drill => 2,
                _ => continue,
            };
            let rating = crate::scheduler::fsrs_rating(grade) as usize - 1;
            let cell = &mut sums[state][rating];
            cell.0 += f64::from(entry.duration_ms) / 1000.0;
            cell.1 += 1;
        }
        for (state, row) in sums.iter().enumerate() {
            for (rating, (seconds, n)) in row.iter().enumerate() {
                if *n > 0 {
                    self.costs[state][rating] = (*seconds / f64::from(*n)) as f32;
                }
            }
        }
        let first: u32 = sums[0].iter().map(|c| c.1).sum();
        if first > 0 {
            for (p, c) in self.first_rating.iter_mut().zip(sums[0]) {
                *p = c.1 as f32 / first as f32;
            }
        }
        let passed: u32 = sums[1][1..].iter().map(|c| c.1).sum();
        if passed > 0 {
            for (p, c) in self.review_rating.iter_mut().zip(&sums[1][1..]) {
                *p = c.1 as f32 / passed as f32;
            }
        }
    }

    fn config(&self, days: usize) -> fsrs::SimulatorConfig {
        fsrs::SimulatorConfig {
            deck_size: self.studied.len() + self.new_cards,
            learn_span: days,
            // No daily time cap: the limits are recall's card counts.
            max_cost_perday: f32::INFINITY,
            learn_limit: self.new_per_day,
            review_limit: self.reviews_per_day,
            state_rating_costs: self.costs,
            first_rating_prob: self.first_rating,
            review_rating_prob: self.review_rating,
            // recall has no learning steps; a failed card is re-drilled once the same day.
            learning_step_count: 0,
            relearning_step_count: 1,
            ..fsrs::SimulatorConfig::default()
        }
    }

    fn cards(&self, today: NaiveDate, retention: f32, parameters: &Parameters) -> Vec<fsrs::Card> {
        let w = Arc::new(parameters.0.to_vec());
        self.studied
            .iter()
            .enumerate()
            .map(|(i, card)| fsrs::Card {
                id: i as i64 + 1,
                difficulty: card.memory.difficulty,
                stability: card.memory.stability,
                last_date: (card.last_review - today).num_days() as f32,
                due: (card.due - today).num_days().max(0) as f32,
                interval: (card.due - card.last_review).num_days().max(1) as f32,
                lapses: card.lapses,
                desired_retention: retention,
                parameters: w.clone(),
            })
            .collect()
    }
}

impl Default for Collection {
    fn default() -> Collection {
        let defaults = fsrs::SimulatorConfig::default();
        Collection {
            studied: Vec::new(),
            new_cards: 0,
            new_per_day: 20,
            reviews_per_day: 200,
            costs: defaults.state_rating_costs,
            first_rating: defaults.first_rating_prob,
            review_rating: defaults.review_rating_prob,
        }
    }
}

/// Forecasts `days` days from `today` at each of `retentions`; with `exam` inside the
/// forecast, also what is remembered that day.
pub fn simulate(
    collection: &Collection,
    parameters: &Parameters,
    today: NaiveDate,
    days: usize,
    retentions: &[f64],
    exam: Option<NaiveDate>,
) -> Result<Vec<Forecast>, String> {
    let config = collection.config(days);
    let exam_index = exam
        .map(|exam| (exam - today).num_days())
        .filter(|d| (0..days as i64).contains(d))
        .map(|d| d as usize);
    retentions
        .iter()
        .map(|&retention| {
            let r = retention as f32;
            let result = fsrs::simulate(
                &config,
                &parameters.0,
                r,
                Some(SEED),
                Some(collection.cards(today, r, parameters)),
            )
            .map_err(|e| e.to_string())?;
            let mean = |total: f64| total / days as f64;
            let answers: usize = result.review_cnt_per_day.iter().sum::<usize>()
                + result.learn_cnt_per_day.iter().sum::<usize>();
            let seconds: f32 = result.cost_per_day.iter().sum();
            Ok(Forecast {
                retention,
                reviews_per_day: mean(answers as f64),
                minutes_per_day: mean(f64::from(seconds) / 60.0),
                remembered: result
                    .memorized_cnt_per_day
                    .last()
                    .map_or(0.0, |m| f64::from(*m)),
                remembered_on_exam_day: exam_index
                    .and_then(|i| result.memorized_cnt_per_day.get(i))
                    .map(|m| f64::from(*m)),
            })
        })
        .collect()
}

/// The desired retention that gives the most remembered cards per minute of study over
/// `days` (the `fsrs` crate's `optimal_retention`, which searches 0.70 to 0.95).
pub fn optimal_retention(
    collection: &Collection,
    parameters: &Parameters,
    today: NaiveDate,
    days: usize,
) -> Result<f64, String> {
    fsrs::optimal_retention(
        &collection.config(days),
        &parameters.0,
        |_| true,
        Some(collection.cards(today, 0.9, parameters)),
        None,
    )
    .map(f64::from)
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_retention_costs_more_time_and_remembers_more() {
        let collection = Collection {
            new_cards: 300,
            new_per_day: 10,
            ..Collection::default()
        };
        let today: NaiveDate = "2026-01-01".parse().unwrap();
        let rows = simulate(
            &collection,
            &Parameters::default(),
            today,
            120,
            &[0.8, 0.95],
            Some("2026-02-01".parse().unwrap()),
        )
        .unwrap();
        assert!(
            rows[1].minutes_per_day > rows[0].minutes_per_day,
            "{rows:?}"
        );
        assert!(rows[1].remembered > rows[0].remembered, "{rows:?}");
        assert!(rows[0].remembered <= 300.0);
        assert!(rows.iter().all(|r| r.remembered_on_exam_day.is_some()));
        let again = simulate(
            &collection,
            &Parameters::default(),
            today,
            120,
            &[0.8, 0.95],
            None,
        )
        .unwrap();
        assert_eq!(
            again[0].remembered.to_bits(),
            rows[0].remembered.to_bits(),
            "deterministic"
        );
    }
}
