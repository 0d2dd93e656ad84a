//! Fitting FSRS-6 to the learner's own review log (`recall optimize`), judged honestly.
//!
//! - **What is fitted on**: scheduled answers only (reviews and same-day re-drills; cram
//!   answers, undone entries and everything without a grade are left out). For each card,
//!   every review on a later day than the one before it is one training item: the card's
//!   history up to it and its outcome. Same-day answers stay in the histories as the
//!   short-term reviews FSRS-6 models (`delta_t = 0`). Days are study days.
//! - **How long a history**: at most [`history_cap`] answers (fsrs-rs's `max_seq_len`, 256):
//!   fsrs-rs drops every longer item before it trains, so a card's answers past its 256th are
//!   left out here, and counted. Kept, they cost memory quadratic in one card's answers
//!   (10,000 answers of one card were 694 MB, 20,000 2.75 GB) for items nothing used.
//!   Rejected: truncating each history to its last 256 answers, which would start a card's
//!   memory afresh in the middle of its life and teach the fit something false.
//! - **How it is judged**: time-series splits, as fsrs-rs and Anki's health check do: the
//!   items in time order are cut into six slices; for each of the last five, parameters are
//!   fitted on every slice before it and scored on it. The parameters in use are scored on
//!   the same five slices. The new ones are kept only if their log loss is lower.
//!
//! Pure apart from the `fsrs` crate's training threads: no clock, no I/O.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use fsrs::{CombinedProgressState, ComputeParametersInput, FSRSItem, FSRSReview};

use crate::evaluate::{Metrics, Score, bin};
use crate::scheduler::{self, Parameters};
use crate::store::{EntryKind, LogEntry};

/// Anki's threshold: fewer long-term reviews than this fit noise.
pub const MIN_REVIEWS: usize = 400;

/// The splits of the time-series evaluation (fsrs-rs fixes 5: six slices, five tested).
const SPLITS: usize = 5;

/// The training items drawn from a log, in time order of their last review.
pub struct TrainingSet {
    items: Vec<FSRSItem>,
    /// Each item's card, as a number (the fsrs crate groups a card's items by it).
    card_ids: Vec<i64>,
    /// Scheduled answers the items were drawn from.
    pub answers: usize,
    /// Long-term reviews left out: past their card's [`history_cap`]th answer.
    pub past_cap: usize,
    /// Cards with answers past the cap.
    pub cards_past_cap: usize,
}

/// The longest history one training item may have, in answers: fsrs-rs's own limit
/// (`TrainingConfig::max_seq_len`), past which it drops items before training.
pub fn history_cap() -> usize {
    fsrs::TrainingConfig::default().max_seq_len
}

impl TrainingSet {
    /// Long-term reviews: those on a later day than the card's previous answer.
    pub fn long_term_reviews(&self) -> usize {
        self.items.len()
    }

    fn input(&self, progress: Option<Arc<Mutex<CombinedProgressState>>>) -> ComputeParametersInput {
        ComputeParametersInput {
            train_set: self.items.clone(),
            card_ids: Some(self.card_ids.clone()),
            progress,
            ..ComputeParametersInput::default()
        }
    }

    fn into_input(self) -> ComputeParametersInput {
        ComputeParametersInput {
            train_set: self.items,
            card_ids: Some(self.card_ids),
            ..ComputeParametersInput::default()
        }
    }
}

/// The training set of `log` (in replay order).
pub fn training_set(log: &[LogEntry]) -> TrainingSet {
    let undone: HashSet<String> = log
        .iter()
        .filter_map(|e| e.undoes.as_ref().map(|id| id.0.clone()))
        .collect();
    let mut builder = Builder::new(undone);
    for entry in log {
        builder.add(entry);
    }
    builder.finish()
}

/// One card's answers so far, as the builder holds them.
struct CardHistory {
    /// The card as a number (the fsrs crate groups a card's items by it).
    number: i64,
    /// Its answers, up to the cap.
    reviews: Vec<FSRSReview>,
    /// The study day of its last answer.
    last: chrono::NaiveDate,
    /// Whether a long-term review of it was left out.
    past_cap: bool,
}

/// A training set built one log entry at a time (in replay order), so that a long log is
/// never held whole: see [`Store::log_for_each`](crate::store::Store::log_for_each).
pub struct Builder {
    /// Entries an undo takes back.
    undone: HashSet<String>,
    cards: HashMap<String, CardHistory>,
    set: TrainingSet,
    cap: usize,
}

impl Builder {
    pub fn new(undone: HashSet<String>) -> Builder {
        Builder {
            undone,
            cards: HashMap::new(),
            set: TrainingSet {
                items: Vec::new(),
                card_ids: Vec::new(),
                answers: 0,
                past_cap: 0,
                cards_past_cap: 0,
            },
            cap: history_cap(),
        }
    }

    pub fn add(&mut self, entry: &LogEntry) {
        let Some(grade) = entry.grade else { return };
        if !matches!(entry.kind, EntryKind::Review | EntryKind::Drill)
            || self.undone.contains(&entry.id.0)
        {
            return;
        }
        self.set.answers += 1;
        let number = self.cards.len() as i64;
        let card = match self.cards.get_mut(&entry.card_id.0) {
            Some(card) => card,
            None => self
                .cards
                .entry(entry.card_id.0.clone())
                .or_insert(CardHistory {
                    number,
                    reviews: Vec::new(),
                    last: entry.day,
                    past_cap: false,
                }),
        };
        let delta_t = if card.reviews.is_empty() {
            0
        } else {
            u32::try_from((entry.day - card.last).num_days().max(0)).unwrap_or(u32::MAX)
        };
        card.last = entry.day;
        if card.reviews.len() >= self.cap {
            // fsrs-rs trains on no longer history: this one stops growing here.
            if delta_t > 0 {
                self.set.past_cap += 1;
                self.set.cards_past_cap += usize::from(!card.past_cap);
                card.past_cap = true;
            }
            return;
        }
        card.reviews.push(FSRSReview {
            rating: scheduler::fsrs_rating(grade),
            delta_t,
        });
        if delta_t > 0 {
            self.set.items.push(FSRSItem {
                reviews: card.reviews.clone(),
            });
            self.set.card_ids.push(card.number);
        }
    }

    pub fn finish(self) -> TrainingSet {
        self.set
    }
}

/// What a fit found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The parameters fitted on every item.
    pub parameters: Parameters,
    /// The parameters in use, scored on the test slices.
    pub current: Metrics,
    /// Parameters fitted on the past, scored on each next slice.
    pub optimized: Metrics,
    /// Whether the fitted parameters predict better than those in use (lower log loss).
    pub kept: bool,
}

/// Fits parameters to `set` and judges them against `in_use` by time-series splits.
/// `progress` (fitting, then `splits_done` of 5) is for a progress bar. The error is the
/// `fsrs` crate's, in words.
pub fn optimize(
    set: TrainingSet,
    in_use: &Parameters,
    fitting: Option<Arc<Mutex<CombinedProgressState>>>,
    mut splits_done: impl FnMut(usize),
) -> Result<Outcome, String> {
    let fitted = fsrs::compute_parameters(set.input(fitting)).map_err(|e| e.to_string())?;
    let parameters = Parameters::from_slice(&fitted)
        .ok_or_else(|| format!("the fit gave parameters FSRS refuses: {fitted:?}"))?;
    // The slices fsrs-rs tests on: everything after the first sixth.
    let first_test = set.items.len() / (SPLITS + 1);
    let current = score(&set.items[first_test..], in_use);
    let judged = fsrs::evaluate_with_time_series_splits(set.into_input(), |progress| {
        splits_done(progress.current);
        true
    })
    .map_err(|e| e.to_string())?;
    let optimized = Metrics {
        log_loss: f64::from(judged.log_loss),
        rmse_bins: f64::from(judged.rmse_bins),
    };
    Ok(Outcome {
        parameters,
        current,
        optimized,
        kept: optimized.log_loss < current.log_loss,
    })
}

/// How well `parameters` predict each item's outcome from its history.
fn score(items: &[FSRSItem], parameters: &Parameters) -> Metrics {
    let mut score = Score::default();
    parameters.with_model(|model| {
        for item in items {
            let Some((current, history)) = item.reviews.split_last() else {
                continue;
            };
            let Ok(state) = model.memory_state(
                FSRSItem {
                    reviews: history.to_vec(),
                },
                None,
            ) else {
                continue;
            };
            let t = current.delta_t as f32;
            let p = fsrs::current_retrievability(state, t, parameters.decay());
            let long_term = history.iter().filter(|r| r.delta_t > 0).count();
            let lapses = history
                .iter()
                .filter(|r| r.rating == 1 && r.delta_t > 0)
                .count();
            score.add(
                f64::from(p),
                f64::from(u8::from(current.rating > 1)),
                bin(f64::from(t), long_term as f64 + 2.0, lapses as f64),
            );
        }
    });
    score.metrics(items.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::CardState;
    use crate::types::{CardId, Grade, ReviewId};
    use rand::{RngExt, SeedableRng};

    /// A learner whose memory follows FSRS with `truth`: cards reviewed at FSRS's 90%
    /// interval with ±50% scatter, each review passed with the probability `truth` gives.
    fn synthetic_log(truth: &Parameters, cards: usize, days: i64, seed: u64) -> Vec<LogEntry> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let start: chrono::NaiveDate = "2025-01-01".parse().unwrap();
        let mut log = Vec::new();
        for card in 0..cards {
            let mut day = start + chrono::Duration::days((card % 60) as i64);
            let mut memory = None;
            let mut last = day;
            while (day - start).num_days() < days {
                let elapsed = (day - last).num_days() as u32;
                let passed = match memory {
                    None => rng.random_bool(0.7),
                    Some(m) => {
                        let r = scheduler::fsrs_retrievability(m, elapsed as f32, truth);
                        rng.random_bool(f64::from(r).clamp(0.0, 1.0))
                    }
                };
                let grade = if passed { Grade::GOOD } else { Grade::AGAIN };
                let Some((next, interval)) =
                    scheduler::fsrs_step(memory, grade, elapsed, 90, truth)
                else {
                    break;
                };
                log.push(LogEntry {
                    id: ReviewId(format!("{card}-{}", log.len())),
                    card_id: CardId(format!("card-{card}")),
                    reviewed_at: chrono::DateTime::UNIX_EPOCH,
                    day,
                    kind: EntryKind::Review,
                    grade: Some(grade),
                    duration_ms: 5_000,
                    undoes: None,
                    until: None,
                    before: CardState::New,
                    after: CardState::New,
                });
                memory = Some(next);
                last = day;
                let scatter: f32 = rng.random_range(0.3..2.0);
                day += chrono::Duration::days((interval * scatter).round().max(1.0) as i64);
            }
        }
        log.sort_by_key(|e| e.day);
        log
    }

    #[test]
    fn a_fit_moves_clearly_toward_the_parameters_that_generated_the_reviews() {
        let mut w = Parameters::default().0;
        // A learner who keeps new cards five times longer, gains less stability from each
        // success and forgets on a steeper curve.
        for s in &mut w[..4] {
            *s *= 5.0;
        }
        w[8] -= 0.6;
        w[20] = 0.5;
        let truth = Parameters::from_slice(&w).unwrap();
        let log = synthetic_log(&truth, 300, 240, 7);
        let set = training_set(&log);
        assert!(
            set.long_term_reviews() > MIN_REVIEWS,
            "{}",
            set.long_term_reviews()
        );
        let fitted = fsrs::compute_parameters(set.input(None)).unwrap();
        let fitted = Parameters::from_slice(&fitted).unwrap();
        let loss = |p: &Parameters| score(&set.items, p).log_loss;
        let (truth_loss, default_loss, fitted_loss) =
            (loss(&truth), loss(&Parameters::default()), loss(&fitted));
        assert!(
            default_loss - truth_loss > 0.003,
            "the defaults are clearly off: {default_loss} vs {truth_loss}"
        );
        assert!(
            fitted_loss - truth_loss < 0.3 * (default_loss - truth_loss),
            "the fit closes most of the gap: defaults {default_loss}, fitted {fitted_loss}, truth {truth_loss}"
        );
    }

    /// Bug: every long-term review of a card was an item holding the card's whole history, so
    /// one card's items held n²/2 answers (10,000 answers: 694 MB; 20,000: 2.75 GB), though
    /// fsrs-rs drops every item longer than its `max_seq_len` before training.
    #[test]
    fn a_card_answered_thousands_of_times_holds_at_most_the_history_cap() {
        let start: chrono::NaiveDate = "1980-01-01".parse().unwrap();
        let entry = |card: &str, n: i64| LogEntry {
            id: ReviewId(format!("{card}-{n}")),
            card_id: CardId(card.into()),
            reviewed_at: chrono::DateTime::UNIX_EPOCH,
            day: start + chrono::Duration::days(n),
            kind: EntryKind::Review,
            grade: Some(if n % 7 == 3 {
                Grade::AGAIN
            } else {
                Grade::GOOD
            }),
            duration_ms: 0,
            undoes: None,
            until: None,
            before: CardState::New,
            after: CardState::New,
        };
        let n = 20_000;
        let mut log: Vec<LogEntry> = (0..n).map(|i| entry("big", i)).collect();
        log.extend((0..3).map(|i| entry("small", i)));
        let set = training_set(&log);
        let cap = history_cap();
        assert_eq!(cap, 256, "fsrs-rs's max_seq_len");
        let held: usize = set.items.iter().map(|item| item.reviews.len()).sum();
        // The big card's items hold 2, 3 … 256 answers; the small card's 2 and 3.
        assert_eq!(
            held,
            cap * (cap + 1) / 2 - 1 + 2 + 3,
            "answers held: bounded per card, not quadratic in its answers"
        );
        assert!(set.items.iter().all(|item| item.reviews.len() <= cap));
        // The big card gives its first 255 long-term reviews; the small one its 2.
        assert_eq!(set.long_term_reviews(), cap - 1 + 2);
        assert_eq!(set.past_cap, n as usize - cap);
        assert_eq!(set.cards_past_cap, 1);
        assert_eq!(set.answers, n as usize + 3);
    }

    #[test]
    fn only_scheduled_answers_on_later_days_are_training_items() {
        let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
        let entry = |id: &str, on: &str, kind: EntryKind, grade: Option<Grade>| LogEntry {
            id: ReviewId(id.into()),
            card_id: CardId("c".into()),
            reviewed_at: chrono::DateTime::UNIX_EPOCH,
            day: day(on),
            kind,
            grade,
            duration_ms: 0,
            undoes: None,
            until: None,
            before: CardState::New,
            after: CardState::New,
        };
        let mut undo = entry("u", "2026-01-05", EntryKind::Undo, None);
        undo.undoes = Some(ReviewId("e".into()));
        let log = vec![
            entry("a", "2026-01-01", EntryKind::Review, Some(Grade::AGAIN)),
            entry("b", "2026-01-01", EntryKind::Drill, Some(Grade::GOOD)),
            entry("c", "2026-01-02", EntryKind::Cram, Some(Grade::GOOD)),
            entry("d", "2026-01-03", EntryKind::Review, Some(Grade::GOOD)),
            entry("e", "2026-01-05", EntryKind::Review, Some(Grade::GOOD)),
            undo,
        ];
        let set = training_set(&log);
        assert_eq!(set.answers, 3);
        assert_eq!(set.long_term_reviews(), 1);
        let reviews: Vec<(u32, u32)> = set.items[0]
            .reviews
            .iter()
            .map(|r| (r.rating, r.delta_t))
            .collect();
        assert_eq!(
            reviews,
            [(1, 0), (3, 0), (3, 2)],
            "the re-drill is a short-term review"
        );
    }
}
