//! Today's queue: due cards first (most overdue first), then new cards in deck order, within
//! the daily limits.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::deck::Library;
use crate::scheduler::{CardState, Memory};
use crate::store::DayCounts;
use crate::types::{CardId, DeckId};

/// Daily limits. New cards and reviews already done today count against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub new_per_day: u32,
    pub reviews_per_day: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            new_per_day: 20,
            reviews_per_day: 200,
        }
    }
}

/// Which cards a session may take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these decks; all when empty.
    pub decks: Vec<DeckId>,
    /// At most this many cards in the session.
    pub limit: Option<usize>,
}

impl Selection {
    pub fn includes(&self, card: &crate::deck::Card) -> bool {
        self.decks.is_empty() || self.decks.contains(&card.deck)
    }
}

/// How many cards the queue holds and how many wait for later days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub cards: Vec<(CardId, CardState)>,
    /// Due cards left out by the daily review limit.
    pub due_later: usize,
    /// New cards left out by the daily new-card limit.
    pub new_later: usize,
}

/// Builds today's queue over the loaded cards. Cards with history but no longer in any deck are
/// not scheduled.
pub fn build(
    library: &Library,
    states: &HashMap<CardId, Memory>,
    today: NaiveDate,
    done: DayCounts,
    limits: Limits,
    selection: &Selection,
) -> Queue {
    let chosen = library.cards.iter().filter(|card| selection.includes(card));
    let mut due: Vec<(usize, &Memory, &CardId)> = Vec::new();
    let mut new: Vec<&CardId> = Vec::new();
    for (position, card) in chosen.enumerate() {
        match states.get(&card.id) {
            None => new.push(&card.id),
            Some(memory) if memory.due <= today => due.push((position, memory, &card.id)),
            Some(_) => {}
        }
    }
    due.sort_by_key(|(position, memory, _)| (memory.due, *position));

    let reviews_left = limits
        .reviews_per_day
        .saturating_sub(done.reviewed - done.new_learned.min(done.reviewed))
        as usize;
    let new_left = limits.new_per_day.saturating_sub(done.new_learned) as usize;
    let due_taken = due.len().min(reviews_left);
    let new_taken = new.len().min(new_left);

    let mut cards: Vec<(CardId, CardState)> = due
        .iter()
        .take(due_taken)
        .map(|(_, memory, id)| ((*id).clone(), CardState::Scheduled(**memory)))
        .chain(
            new.iter()
                .take(new_taken)
                .map(|id| ((*id).clone(), CardState::New)),
        )
        .collect();
    if let Some(limit) = selection.limit {
        cards.truncate(limit);
    }
    Queue {
        cards,
        due_later: due.len() - due_taken,
        new_later: new.len() - new_taken,
    }
}

/// When the next card can be studied: the earliest due date of a loaded card, or for unseen
/// new cards today when today's new-card allowance is not used up and tomorrow otherwise.
pub fn next_due(
    library: &Library,
    states: &HashMap<CardId, Memory>,
    today: NaiveDate,
    done: DayCounts,
    limits: Limits,
    selection: &Selection,
) -> Option<NaiveDate> {
    let mut earliest: Option<NaiveDate> = None;
    let mut unseen = false;
    for card in library.cards.iter().filter(|card| selection.includes(card)) {
        match states.get(&card.id) {
            Some(memory) => earliest = Some(earliest.map_or(memory.due, |e| e.min(memory.due))),
            None => unseen = true,
        }
    }
    if unseen {
        let new_day = if done.new_learned < limits.new_per_day {
            today
        } else {
            today.succ_opt().unwrap_or(today)
        };
        earliest = Some(earliest.map_or(new_day, |e| e.min(new_day)));
    }
    earliest.map(|day| day.max(today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load_sources;
    use crate::types::Easiness;

    fn library() -> Library {
        let mut text = String::from("[deck]\nid = \"d\"\nname = \"D\"\n");
        for i in 0..30 {
            text.push_str(&format!(
                "[[card]]\nid = \"c{i}\"\nfront = \"Q{i}\"\nback = \"A{i}\"\n"
            ));
        }
        load_sources(&[("d.toml".into(), text)]).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn memory(due: &str) -> Memory {
        Memory {
            repetitions: 2,
            easiness: Easiness::INITIAL,
            interval: 6,
            due: day(due),
            lapses: 0,
        }
    }

    fn ids(queue: &Queue) -> Vec<&str> {
        queue.cards.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn due_cards_come_first_most_overdue_first_then_new_cards_in_deck_order() {
        let states: HashMap<CardId, Memory> = [
            (CardId("c5".into()), memory("2026-01-03")),
            (CardId("c2".into()), memory("2026-01-01")),
            (CardId("c9".into()), memory("2026-01-20")),
        ]
        .into();
        let queue = build(
            &library(),
            &states,
            day("2026-01-05"),
            DayCounts::default(),
            Limits::default(),
            &Selection::default(),
        );
        assert_eq!(&ids(&queue)[..4], ["c2", "c5", "c0", "c1"]);
        assert!(!ids(&queue).contains(&"c9"), "not due yet");
        // 27 new cards, 20 a day.
        assert_eq!(queue.cards.len(), 22);
        assert_eq!(queue.new_later, 7);
    }

    #[test]
    fn todays_new_cards_count_against_the_daily_limit() {
        let queue = build(
            &library(),
            &HashMap::new(),
            day("2026-01-05"),
            DayCounts {
                reviewed: 18,
                new_learned: 15,
            },
            Limits::default(),
            &Selection::default(),
        );
        assert_eq!(queue.cards.len(), 5);
    }

    #[test]
    fn the_review_limit_leaves_the_rest_for_later_days() {
        let states: HashMap<CardId, Memory> = (0..30)
            .map(|i| (CardId(format!("c{i}")), memory("2026-01-01")))
            .collect();
        let limits = Limits {
            new_per_day: 20,
            reviews_per_day: 10,
        };
        let queue = build(
            &library(),
            &states,
            day("2026-01-05"),
            DayCounts::default(),
            limits,
            &Selection::default(),
        );
        assert_eq!((queue.cards.len(), queue.due_later), (10, 20));
    }

    #[test]
    fn limit_and_deck_selection_narrow_the_queue() {
        let selection = Selection {
            decks: vec![DeckId("d".into())],
            limit: Some(3),
        };
        let queue = build(
            &library(),
            &HashMap::new(),
            day("2026-01-05"),
            DayCounts::default(),
            Limits::default(),
            &selection,
        );
        assert_eq!(ids(&queue), ["c0", "c1", "c2"]);
        let other = Selection {
            decks: vec![DeckId("x".into())],
            limit: None,
        };
        let queue = build(
            &library(),
            &HashMap::new(),
            day("2026-01-05"),
            DayCounts::default(),
            Limits::default(),
            &other,
        );
        assert!(queue.cards.is_empty());
    }

    #[test]
    fn next_due_is_tomorrow_once_todays_new_cards_are_used_up() {
        let lib = library();
        let today = day("2026-01-05");
        let states: HashMap<CardId, Memory> = [(CardId("c1".into()), memory("2026-01-09"))].into();
        let spent = DayCounts {
            reviewed: 20,
            new_learned: 20,
        };
        assert_eq!(
            next_due(
                &lib,
                &states,
                today,
                spent,
                Limits::default(),
                &Selection::default()
            ),
            Some(day("2026-01-06"))
        );
        assert_eq!(
            next_due(
                &lib,
                &states,
                today,
                DayCounts::default(),
                Limits::default(),
                &Selection::default()
            ),
            Some(today)
        );
        let all_seen: HashMap<CardId, Memory> = lib
            .cards
            .iter()
            .map(|c| (c.id.clone(), memory("2026-01-09")))
            .collect();
        assert_eq!(
            next_due(
                &lib,
                &all_seen,
                today,
                spent,
                Limits::default(),
                &Selection::default()
            ),
            Some(day("2026-01-09"))
        );
    }
}
