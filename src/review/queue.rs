//! Today's queue: due cards first, then new cards, within the daily limits. Suspended cards,
//! leeches and cards skipped today are left out; cards whose history outlived their deck are
//! not scheduled.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rand::SeedableRng;
use rand::seq::SliceRandom;

use crate::clock::Clock;
use crate::deck::{Card, Library};
use crate::error::Error;
use crate::filter::Filter;
use crate::scheduler::{CardState, Memory, StudyDay};
use crate::store::{CardRecord, DayCounts, DueCard, Store};
use crate::types::CardId;

/// In which order new cards are introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NewOrder {
    /// Deck order: bundled decks in guide order, cards as written.
    #[default]
    Deck,
    /// Shuffled, the same way for the whole study day.
    Random,
}

/// Daily limits and ordering. New cards and reviews already done today count against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub new_per_day: u32,
    pub reviews_per_day: u32,
    pub new_order: NewOrder,
    /// Which siblings of a card studied today wait for the next day.
    pub bury: Bury,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            new_per_day: 20,
            reviews_per_day: 200,
            new_order: NewOrder::Deck,
            bury: Bury::default(),
        }
    }
}

/// Which siblings wait for the next day once one of them is studied (Anki's names). All on
/// by default here, where Anki starts them off: recall's overlapping clozes show the items
/// next to the hidden one, so a sibling the same day is half answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bury {
    /// `bury_new_siblings`: new cards.
    pub new: bool,
    /// `bury_review_siblings`: due cards.
    pub review: bool,
    /// `bury_interday_learning_siblings`: due cards whose same-day step was left over from an
    /// earlier day (recall's steps are shorter than a day, so these are its only learning
    /// cards that span days).
    pub interday_learning: bool,
}

impl Default for Bury {
    fn default() -> Bury {
        Bury {
            new: true,
            review: true,
            interday_learning: true,
        }
    }
}

/// The group a card belongs to with its siblings, if any: one Anki note (`anki-GUID/N`), or
/// one block of a guide (the cloze items, list items or question and reverse compiled from
/// the same lines share the `source` with its `(file:line)`). A card without either has no
/// siblings.
pub fn sibling_key<'a>(id: &'a str, source: Option<&'a str>) -> Option<&'a str> {
    if let Some(rest) = id.strip_prefix("anki-")
        && let Some((note, number)) = rest.rsplit_once('/')
        && !note.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(&id[..5 + note.len()]);
    }
    let source = source?;
    crate::guide::parse_source(source).map(|_| source)
}

/// Reorders `cards` so that no two siblings (same `group`) are next to each other where
/// another card can come between them: a cram shows every matching card, siblings too, and one
/// right after another would show the answer just given. Otherwise the order is kept: a card
/// moves forward only past the siblings it would follow. O(n·k) for groups of up to k cards.
pub fn spread_siblings<'g, T>(cards: &mut [T], group: impl Fn(&T) -> Option<&'g str>) {
    for i in 1..cards.len() {
        let Some(previous) = group(&cards[i - 1]).map(str::to_string) else {
            continue;
        };
        if group(&cards[i]) != Some(previous.as_str()) {
            continue;
        }
        if let Some(offset) = cards[i..]
            .iter()
            .position(|card| group(card) != Some(previous.as_str()))
        {
            cards[i..=i + offset].rotate_right(1);
        }
    }
}

/// Today's siblings: the groups already studied today, and each candidate's group.
#[derive(Debug, Clone, Default)]
pub struct Siblings {
    /// Groups with a card answered today.
    pub taken: HashSet<String>,
    /// The group of each candidate card that has one.
    pub groups: HashMap<CardId, String>,
    /// Groups with a card taken into today's queue.
    queued: HashSet<String>,
}

/// Candidates left out because a sibling was studied today or comes first in the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buried {
    pub due: usize,
    pub new: usize,
    /// Of those, the cards whose sibling was answered today: what `status` calls buried (the
    /// rest simply come on a later day, one sibling a day).
    pub answered: usize,
}

impl Siblings {
    /// The groups of the candidates at `positions` and which of them a card `answered` today
    /// belongs to, from `around`: the loaded cards within [`SIBLING_REACH`] of each candidate
    /// (`(position, id, source)`, as [`Store::catalog_around`] reads them). Anki notes are
    /// told by their ids alone.
    pub fn around(
        positions: &[usize],
        around: &[(usize, CardId, Option<String>)],
        answered: &HashSet<CardId>,
    ) -> Siblings {
        let at: HashMap<usize, usize> = around
            .iter()
            .enumerate()
            .map(|(i, (position, _, _))| (*position, i))
            .collect();
        let answered_notes: HashSet<&str> = answered
            .iter()
            .filter_map(|id| sibling_key(id.as_str(), None))
            .collect();
        let mut siblings = Siblings::default();
        for position in positions {
            let Some(&i) = at.get(position) else {
                continue;
            };
            let (_, id, source) = &around[i];
            let Some(group) = sibling_key(id.as_str(), source.as_deref()) else {
                continue;
            };
            let near = position.saturating_sub(SIBLING_REACH)..=position + SIBLING_REACH;
            let studied = answered_notes.contains(group)
                || near.filter_map(|p| at.get(&p)).any(|&j| {
                    let (_, other, other_source) = &around[j];
                    other_source.as_deref() == Some(group) && answered.contains(other)
                });
            if studied {
                siblings.taken.insert(group.to_string());
            }
            siblings.groups.insert(id.clone(), group.to_string());
        }
        siblings
    }

    /// Keeps, of `due` (in any order) and `new` (in deck order), the cards whose group has
    /// no card studied today and comes first in the queue's order; the others wait for the
    /// next day, as `bury` says. `memory` tells a due card on a step left from an earlier day.
    pub fn keep(
        &mut self,
        mut due: Vec<DueCard>,
        new: Vec<CardId>,
        today: NaiveDate,
        bury: Bury,
        interday: impl Fn(&CardId) -> bool,
    ) -> (Vec<DueCard>, Vec<CardId>, Buried) {
        let mut buried = Buried::default();
        due.sort_by_key(|card| card.queue_key(today));
        let due = due
            .into_iter()
            .filter(|card| {
                let applies = if interday(&card.id) {
                    bury.interday_learning
                } else {
                    bury.review
                };
                let kept = self.admit(&card.id, applies, &mut buried);
                buried.due += usize::from(!kept);
                kept
            })
            .collect();
        let new = new
            .into_iter()
            .filter(|id| {
                let kept = self.admit(id, bury.new, &mut buried);
                buried.new += usize::from(!kept);
                kept
            })
            .collect();
        (due, new, buried)
    }

    /// Whether `id` may be shown today: its group not yet taken (then it takes it). With
    /// burying off for its kind, it is shown and takes its group all the same, so that
    /// siblings of the other kinds still wait.
    fn admit(&mut self, id: &CardId, applies: bool, buried: &mut Buried) -> bool {
        let Some(group) = self.groups.get(id) else {
            return true;
        };
        if self.taken.contains(group) {
            buried.answered += usize::from(applies);
            return !applies;
        }
        if self.queued.contains(group) {
            return !applies;
        }
        self.queued.insert(group.clone());
        true
    }
}

/// Which cards a session may take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cards this filter matches.
    pub filter: Filter,
    /// At most this many cards in the session.
    pub limit: Option<usize>,
}

impl Selection {
    pub fn includes(&self, card: &Card) -> bool {
        self.filter.matches(card)
    }
}

/// How many cards the queue holds and how many wait for later days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub cards: Vec<(CardId, CardState)>,
    /// Due cards left out by the daily review limit.
    pub due_later: usize,
}

/// Builds today's queue over the loaded cards, siblings of cards studied today (`siblings`)
/// left for tomorrow.
pub fn build(
    library: &Library,
    records: &HashMap<CardId, CardRecord>,
    today: NaiveDate,
    done: DayCounts,
    limits: Limits,
    selection: &Selection,
    siblings: &mut Siblings,
) -> Queue {
    let mut due = Vec::new();
    let mut new = Vec::new();
    let chosen = library.cards.iter().filter(|card| selection.includes(card));
    for (position, card) in chosen.enumerate() {
        let Some(record) = records.get(&card.id) else {
            new.push(card.id.clone());
            continue;
        };
        if !record.available(today) {
            continue;
        }
        match &record.state {
            CardState::New => new.push(card.id.clone()),
            CardState::Scheduled(memory) if memory.due <= today => due.push(DueCard {
                id: card.id.clone(),
                due: memory.due,
                interval: memory.interval,
                position,
            }),
            CardState::Scheduled(_) => {}
        }
    }
    let due_count = due.len();
    let interday = |id: &CardId| {
        records
            .get(id)
            .and_then(|r| r.state.memory())
            .is_some_and(|m| m.learning.is_some())
    };
    let (due, new, buried) = siblings.keep(due, new, today, limits.bury, interday);
    order(
        due,
        due_count - buried.due,
        new,
        today,
        done,
        limits,
        selection.limit,
    )
    .into_queue(|id| records.get(id).and_then(|r| r.state.memory().copied()))
}

/// The sibling groups of `library`'s cards, with those of `answered` (today's answers) taken:
/// what [`build`] needs to leave siblings of today's cards for tomorrow.
pub fn library_siblings(library: &Library, answered: &[CardId]) -> Siblings {
    let groups: HashMap<CardId, String> = library
        .cards
        .iter()
        .filter_map(|card| {
            let group = sibling_key(card.id.as_str(), card.source.as_deref())?;
            Some((card.id.clone(), group.to_string()))
        })
        .collect();
    let taken = answered
        .iter()
        .filter_map(|id| {
            groups
                .get(id)
                .cloned()
                .or_else(|| sibling_key(id.as_str(), None).map(str::to_string))
        })
        .collect();
    Siblings {
        taken,
        groups,
        ..Siblings::default()
    }
}

/// The available cards `selection` takes that are on a same-day step today (see
/// [`StudyDay::step_due`]), soonest step first: the session's learning pile.
pub fn steps_today(
    library: &Library,
    records: &HashMap<CardId, CardRecord>,
    today: &StudyDay,
    selection: &Selection,
) -> Vec<(CardId, CardState)> {
    let mut cards: Vec<(i64, CardId, CardState)> = library
        .cards
        .iter()
        .filter(|card| selection.includes(card))
        .filter_map(|card| {
            let record = records.get(&card.id)?;
            let due_at = today.step_due(record.state.memory()?)?;
            record
                .available(today.day)
                .then(|| (due_at, card.id.clone(), record.state))
        })
        .collect();
    cards.sort_by_key(|(at, _, _)| *at);
    cards
        .into_iter()
        .map(|(_, id, state)| (id, state))
        .collect()
}

/// Today's study, as `review` shows it and `status` counts it: both read it from
/// [`catalog_today`], so they never disagree.
#[derive(Debug, Clone)]
pub struct Today {
    pub done: DayCounts,
    /// The limits in force: the configured ones, new cards at the exam's pace with one.
    pub limits: Limits,
    /// Due cards (most overdue first) then new ones, within the limits.
    pub queue: Queue,
    /// Every available due card, those over the review limit included.
    pub due_count: usize,
    /// Cards on a same-day step today, soonest first.
    pub steps: Vec<(CardId, CardState)>,
    /// Cards waiting for the next day because a sibling was studied today or comes first.
    pub buried: Buried,
}

/// How many candidates beyond the limits are read, so that siblings left out still leave the
/// limits filled: a list of up to 15 items gives as many new cards in a row.
const SIBLING_SLACK: usize = 64;

/// How far apart in deck order the siblings of a guide block can be: the compiler writes a
/// block's cards one after the other, at most 15 of them (a list's items).
pub const SIBLING_REACH: usize = 16;

/// Today's study over every loaded card, from the catalog's indexed queries: the first due
/// cards the session can show (never the whole backlog), the first new cards in deck order,
/// the cards on a step, each with siblings of cards studied today left for tomorrow. `limit`
/// caps the session (`review --limit`); `until` is an exam day ahead, which sets the pace of
/// new cards.
pub fn catalog_today(
    store: &Store,
    clock: &Clock,
    limits: Limits,
    limit: Option<usize>,
    until: Option<NaiveDate>,
) -> Result<Today, Error> {
    let today = clock.today();
    let done = store.day_counts(today)?;
    let mut limits = limits;
    if let Some(exam) = until.filter(|exam| *exam > today) {
        limits.new_per_day = exam_pace(store.catalog_unseen()?, done, today, exam, limits);
    }
    let new_wanted = (limits.new_order == NewOrder::Deck)
        .then(|| limits.new_left(done).saturating_mul(2) + SIBLING_SLACK);
    let due_wanted = limits.due_wanted(done, limit).saturating_add(SIBLING_SLACK);
    let due = store.catalog_due(today, due_wanted)?;
    let due_count = store.catalog_due_count(today)?;
    let new_at = store.catalog_new_at(today, new_wanted)?;
    let due_ids: Vec<CardId> = due.iter().map(|c| c.id.clone()).collect();
    let memories = store.memories(&due_ids)?;
    let answered: HashSet<CardId> = store.answered_on(today)?.into_iter().collect();
    let positions: Vec<usize> = due
        .iter()
        .map(|c| c.position)
        .chain(new_at.iter().map(|(_, p)| *p))
        .collect();
    // The candidates' own rows first; the rows around them only for those in a guide block,
    // and only when something was answered today (else no group can be taken yet).
    let own = store.catalog_around(&positions, 0)?;
    let around = if answered.is_empty() {
        own
    } else {
        let grouped: Vec<usize> = own
            .iter()
            .filter(|(_, id, source)| {
                source.is_some() && sibling_key(id.as_str(), source.as_deref()).is_some()
            })
            .map(|(position, _, _)| *position)
            .collect();
        let mut around = store.catalog_around(&grouped, SIBLING_REACH)?;
        let read: HashSet<usize> = around.iter().map(|(p, _, _)| *p).collect();
        around.extend(own.into_iter().filter(|(p, _, _)| !read.contains(p)));
        around
    };
    let mut siblings = Siblings::around(&positions, &around, &answered);
    let new = new_at.into_iter().map(|(id, _)| id).collect();
    let interday = |id: &CardId| memories.get(id).is_some_and(|m| m.learning.is_some());
    let (due, new, buried) = siblings.keep(due, new, today, limits.bury, interday);
    let cut = order(due, due_count - buried.due, new, today, done, limits, limit);
    let queue = cut.into_queue(|id| memories.get(id).copied());
    let steps = store
        .catalog_steps(&clock.study_day_bounds())?
        .into_iter()
        .map(|(id, memory)| (id, CardState::Scheduled(memory)))
        .collect();
    Ok(Today {
        done,
        limits,
        queue,
        due_count,
        steps,
        buried,
    })
}

/// Today's new-card pace before an exam, given the cards not yet introduced (`unseen`).
pub fn exam_pace(
    unseen: usize,
    done: DayCounts,
    today: NaiveDate,
    exam: NaiveDate,
    limits: Limits,
) -> u32 {
    // What is still to introduce, counting today's new cards as introduced.
    let unseen = unseen + done.new_learned as usize;
    exam_new_per_day(unseen, today, exam, limits.new_per_day)
}

/// Today's cards in the order they are shown, before their memories are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Due cards taken, in order; the new cards come after them.
    pub due: Vec<CardId>,
    pub new: Vec<CardId>,
    /// Due cards left out by the daily review limit.
    pub due_later: usize,
}

impl Cut {
    /// The queue, each due card with its memory (a card whose memory is not found is left
    /// out rather than shown as new).
    pub fn into_queue(self, memory: impl Fn(&CardId) -> Option<Memory>) -> Queue {
        let due = self
            .due
            .into_iter()
            .filter_map(|id| memory(&id).map(|m| (id, CardState::Scheduled(m))));
        let new = self.new.into_iter().map(|id| (id, CardState::New));
        Queue {
            cards: due.chain(new).collect(),
            due_later: self.due_later,
        }
    }
}

/// Orders and cuts today's candidates. `due` holds the available due cards, in any order:
/// all of them, or at least the first [`Limits::due_wanted`] in this order (what the
/// catalog's query reads, so that a backlog of 68,000 cards is never read whole); `due_count`
/// is how many are due in all. `new` holds the available new cards in deck order — all of
/// them when [`NewOrder::Random`] shuffles them, otherwise at least as many as today's
/// new-card allowance. Both the in-memory [`build`] and the database's catalog queries end
/// here, so they cannot disagree on order or limits.
pub fn order(
    mut due: Vec<DueCard>,
    due_count: usize,
    mut new: Vec<CardId>,
    today: NaiveDate,
    done: DayCounts,
    limits: Limits,
    limit: Option<usize>,
) -> Cut {
    // Most overdue relative to the interval first, then by due date and deck order.
    due.sort_by_key(|card| card.queue_key(today));
    if limits.new_order == NewOrder::Random {
        let seed = u64::try_from(today.to_epoch_days()).unwrap_or_default();
        new.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    }
    let due_taken = due_count.min(limits.reviews_left(done));
    let due_later = due_count - due_taken;
    let mut new_taken = new.len().min(limits.new_left(done));
    let mut due: Vec<CardId> = due.into_iter().take(due_taken).map(|c| c.id).collect();
    if let Some(limit) = limit {
        due.truncate(limit);
        new_taken = new_taken.min(limit - due.len());
    }
    new.truncate(new_taken);
    Cut {
        due,
        new,
        due_later,
    }
}

impl Limits {
    /// Reviews of cards already seen still allowed today.
    pub fn reviews_left(&self, done: DayCounts) -> usize {
        let reviews_done = done.reviewed - done.new_learned.min(done.reviewed);
        self.reviews_per_day.saturating_sub(reviews_done) as usize
    }

    /// How many due cards a session can show at most: today's reviews left, and no more
    /// than its `limit`. [`order`] needs only these first ones.
    pub fn due_wanted(&self, done: DayCounts, limit: Option<usize>) -> usize {
        self.reviews_left(done).min(limit.unwrap_or(usize::MAX))
    }

    /// New cards still allowed today.
    pub fn new_left(&self, done: DayCounts) -> usize {
        self.new_per_day.saturating_sub(done.new_learned) as usize
    }
}

/// New cards to introduce per day so that all `unseen` cards are introduced by three days
/// before an exam on `exam` (each then comes back twice before it): the configured number, or
/// more when that would not be enough.
pub fn exam_new_per_day(unseen: usize, today: NaiveDate, exam: NaiveDate, configured: u32) -> u32 {
    let left = (exam - today).num_days();
    if left <= 0 {
        return configured;
    }
    let days = usize::try_from((left - 2).max(1)).unwrap_or(1);
    configured.max(u32::try_from(unseen.div_ceil(days)).unwrap_or(u32::MAX))
}

/// When the next card can be studied: the earliest due date of an available loaded card, or
/// for unseen new cards today when today's new-card allowance is not used up and tomorrow
/// otherwise.
pub fn next_due(
    library: &Library,
    records: &HashMap<CardId, CardRecord>,
    today: NaiveDate,
    done: DayCounts,
    limits: Limits,
    selection: &Selection,
) -> Option<NaiveDate> {
    let tomorrow = today.succ_opt().unwrap_or(today);
    let mut earliest: Option<NaiveDate> = None;
    let mut keep = |day: NaiveDate| earliest = Some(earliest.map_or(day, |e| e.min(day)));
    for card in library.cards.iter().filter(|card| selection.includes(card)) {
        let record = records.get(&card.id).copied().unwrap_or_default();
        if record.suspended {
            continue;
        }
        let not_before = record.buried_until.unwrap_or(today).max(today);
        match record.state {
            CardState::Scheduled(memory) => keep(memory.due.max(not_before)),
            CardState::New if done.new_learned < limits.new_per_day => keep(not_before),
            CardState::New => keep(not_before.max(tomorrow)),
        }
    }
    earliest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load_sources;
    use crate::types::{DeckId, Easiness};

    #[test]
    fn siblings_are_one_anki_note_or_one_block_of_a_guide() {
        assert_eq!(sibling_key("anki-AbC12/2", None), Some("anki-AbC12"));
        assert_eq!(sibling_key("anki-AbC12/x", None), None, "not a card number");
        let block = "Part > Section (guide.md:40)";
        assert_eq!(sibling_key("list-a-1", Some(block)), Some(block));
        assert_eq!(
            sibling_key("mine", Some("Chapter 3")),
            None,
            "no guide line"
        );
        assert_eq!(sibling_key("mine", None), None);
    }

    /// Groups are read from the cards around each candidate: a guide block's answered card
    /// takes its block, an answered card of an Anki note takes the note, a candidate with no
    /// group has none.
    #[test]
    fn groups_come_from_the_cards_around_each_candidate() {
        let block = "Letters (g.md:7)".to_string();
        let card =
            |p: usize, id: &str, source: Option<&String>| (p, CardId(id.into()), source.cloned());
        let around = vec![
            card(10, "alpha", Some(&block)),
            card(11, "beta", Some(&block)),
            card(12, "gamma", Some(&block)),
            card(13, "plain", None),
            card(14, "anki-N1/2", None),
        ];
        let answered: HashSet<CardId> = ["alpha", "anki-N1/1"]
            .into_iter()
            .map(|id| CardId(id.into()))
            .collect();
        let siblings = Siblings::around(&[11, 12, 13, 14], &around, &answered);
        assert!(siblings.taken.contains(&block));
        assert!(siblings.taken.contains("anki-N1"));
        assert_eq!(siblings.groups.len(), 3, "{:?}", siblings.groups);
        assert!(!siblings.groups.contains_key(&CardId("plain".into())));
        let nothing_answered = Siblings::around(&[11, 14], &around, &HashSet::new());
        assert!(nothing_answered.taken.is_empty());
    }

    #[test]
    fn a_cram_never_puts_two_siblings_side_by_side_when_another_card_can_go_between() {
        let mut cards = vec![
            ("a1", Some("a")),
            ("a2", Some("a")),
            ("a3", Some("a")),
            ("x", None),
            ("b1", Some("b")),
            ("y", None),
        ];
        spread_siblings(&mut cards, |c| c.1);
        let order: Vec<&str> = cards.iter().map(|c| c.0).collect();
        assert_eq!(order, ["a1", "x", "a2", "b1", "a3", "y"]);
        // Nothing to put between them: the order stays.
        let mut alone = vec![("a1", Some("a")), ("a2", Some("a"))];
        spread_siblings(&mut alone, |c| c.1);
        assert_eq!(alone[0].0, "a1");
    }

    /// A candidate at the very start of deck order still finds the answered sibling after it.
    #[test]
    fn the_first_card_in_deck_order_finds_its_answered_sibling() {
        let block = "Letters (g.md:1)".to_string();
        let around = vec![
            (0, CardId("first".into()), Some(block.clone())),
            (1, CardId("second".into()), Some(block.clone())),
        ];
        let answered: HashSet<CardId> = std::iter::once(CardId("second".into())).collect();
        let siblings = Siblings::around(&[0], &around, &answered);
        assert!(siblings.taken.contains(&block), "{siblings:?}");
    }

    /// The in-memory queue's siblings: each card of a guide block or an Anki note in its
    /// group, and the groups of today's answers taken.
    #[test]
    fn library_siblings_group_blocks_and_notes_and_take_todays() {
        let mut text = String::from("[deck]\nid = \"d\"\nname = \"D\"\n");
        for (id, source) in [("l1", "L (g.md:3)"), ("l2", "L (g.md:3)"), ("m1", "Mine")] {
            text.push_str(&format!(
                "[[card]]\nid = \"{id}\"\nfront = \"Q {id}\"\nback = \"A\"\nsource = \"{source}\"\n"
            ));
        }
        let library = load_sources(&[("d.toml".into(), text)]).unwrap();
        let siblings =
            library_siblings(&library, &[CardId("l2".into()), CardId("anki-N/1".into())]);
        assert_eq!(siblings.groups.len(), 2, "{siblings:?}");
        assert_eq!(siblings.groups[&CardId("l1".into())], "L (g.md:3)");
        assert!(siblings.taken.contains("L (g.md:3)"));
        assert!(siblings.taken.contains("anki-N"));
        assert!(!siblings.groups.contains_key(&CardId("m1".into())));
    }

    /// The in-memory learning pile: cards on a step due within today, soonest first; not a
    /// step left from yesterday, not a card due by days, not a suspended one.
    #[test]
    fn steps_today_are_the_steps_due_within_the_day_soonest_first() {
        let library = library();
        let today = StudyDay {
            day: day("2026-03-10"),
            starts_ms: 1_000_000,
            ends_ms: 2_000_000,
        };
        let on_step = |due: &str, at: i64, suspended: bool| CardRecord {
            state: CardState::Scheduled(Memory {
                learning: Some(crate::scheduler::Learning {
                    relearning: false,
                    step: 0,
                    due_at: at,
                }),
                ..*scheduled(due, 1).state.memory().unwrap()
            }),
            suspended,
            ..CardRecord::default()
        };
        let records = records(&[
            ("c1", on_step("2026-03-11", 1_500_000, false)),
            ("c2", on_step("2026-03-11", 1_200_000, false)),
            ("c3", on_step("2026-03-11", 900_000, false)),
            ("c4", on_step("2026-03-10", 1_300_000, false)),
            ("c5", on_step("2026-03-11", 1_400_000, true)),
            ("c6", scheduled("2026-03-11", 1)),
        ]);
        let steps = steps_today(&library, &records, &today, &Selection::default());
        let ids: Vec<&str> = steps.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["c2", "c1"]);
    }

    #[test]
    fn one_sibling_a_day_the_first_in_queue_order_unless_one_was_studied_today() {
        let today = day("2026-03-10");
        let due = |id: &str, interval: u32, position: usize| DueCard {
            id: CardId(id.into()),
            due: day("2026-03-09"),
            interval,
            position,
        };
        let group = |ids: &[&str], key: &str| {
            ids.iter()
                .map(|id| (CardId((*id).into()), key.to_string()))
                .collect::<Vec<_>>()
        };
        let mut groups: HashMap<CardId, String> = HashMap::new();
        groups.extend(group(&["d1", "d2", "n1"], "a"));
        groups.extend(group(&["n2", "n3"], "b"));
        groups.extend(group(&["d3"], "c"));
        let mut siblings = Siblings {
            taken: std::iter::once("c".to_string()).collect(),
            groups: groups.clone(),
            ..Siblings::default()
        };
        let (kept_due, kept_new, buried) = siblings.keep(
            vec![
                due("d2", 20, 2),
                due("d1", 1, 1),
                due("d3", 5, 3),
                due("d4", 9, 4),
            ],
            ["n1", "n2", "n3", "n4", "n5"]
                .map(|id| CardId(id.into()))
                .to_vec(),
            today,
            Bury::default(),
            |_| false,
        );
        let ids = |cards: &[CardId]| cards.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
        // d1 is the most overdue of group a; d3's group was studied today.
        assert_eq!(
            ids(&kept_due.iter().map(|c| c.id.clone()).collect::<Vec<_>>()),
            ["d1", "d4"]
        );
        assert_eq!(ids(&kept_new), ["n2", "n4", "n5"]);
        assert_eq!(
            buried,
            Buried {
                due: 2,
                new: 2,
                answered: 1
            },
            "d3's sibling was answered today; d2, n1 and n3 come another day"
        );
        // With burying off for new cards, new siblings are shown; due ones still wait.
        let mut siblings = Siblings {
            groups,
            ..Siblings::default()
        };
        let (kept_due, kept_new, _) = siblings.keep(
            vec![due("d1", 1, 1), due("d2", 20, 2)],
            ["n1"].map(|id| CardId(id.into())).to_vec(),
            today,
            Bury {
                new: false,
                ..Bury::default()
            },
            |_| false,
        );
        assert_eq!(kept_due.len(), 1);
        assert_eq!(ids(&kept_new), ["n1"]);
    }

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

    fn scheduled(due: &str, interval: u32) -> CardRecord {
        CardRecord {
            state: CardState::Scheduled(Memory {
                repetitions: 2,
                easiness: Easiness::INITIAL,
                interval,
                due: day(due),
                lapses: 0,
                reviews: 2,
                last_review: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                fsrs: None,
                learning: None,
            }),
            ..CardRecord::default()
        }
    }

    fn records(list: &[(&str, CardRecord)]) -> HashMap<CardId, CardRecord> {
        list.iter()
            .map(|(id, r)| (CardId((*id).to_string()), *r))
            .collect()
    }

    fn ids(queue: &Queue) -> Vec<&str> {
        queue.cards.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn build_default(records: &HashMap<CardId, CardRecord>, limits: Limits) -> Queue {
        build(
            &library(),
            records,
            day("2026-01-05"),
            DayCounts::default(),
            limits,
            &Selection::default(),
            &mut Siblings::default(),
        )
    }

    #[test]
    fn due_cards_come_first_most_overdue_first_then_new_cards_in_deck_order() {
        let records = records(&[
            ("c5", scheduled("2026-01-03", 6)),
            ("c2", scheduled("2026-01-01", 6)),
            ("c9", scheduled("2026-01-20", 6)),
        ]);
        let queue = build_default(&records, Limits::default());
        assert_eq!(&ids(&queue)[..4], ["c2", "c5", "c0", "c1"]);
        assert!(!ids(&queue).contains(&"c9"), "not due yet");
        // 27 new cards, 20 a day.
        assert_eq!(queue.cards.len(), 22);
        assert_eq!(
            ids(&queue)[21],
            "c22",
            "the 20th new card in deck order, and no more"
        );
    }

    #[test]
    fn a_backlog_is_worked_off_most_overdue_relative_to_the_interval_first() {
        // c1: 4 days late on a 2-day interval; c2: 30 days late on a 300-day interval.
        let records = records(&[
            ("c2", scheduled("2025-12-06", 300)),
            ("c1", scheduled("2026-01-01", 2)),
        ]);
        let queue = build_default(&records, Limits::default());
        assert_eq!(&ids(&queue)[..2], ["c1", "c2"]);
    }

    #[test]
    fn suspended_leech_and_skipped_cards_are_left_out_until_their_day() {
        let buried = CardRecord {
            buried_until: Some(day("2026-01-06")),
            ..CardRecord::default()
        };
        let mut suspended = scheduled("2026-01-01", 6);
        suspended.suspended = true;
        let records = records(&[("c0", buried), ("c1", suspended)]);
        let queue = build_default(&records, Limits::default());
        assert!(!ids(&queue).contains(&"c0"));
        assert!(!ids(&queue).contains(&"c1"));
        let tomorrow = build(
            &library(),
            &records,
            day("2026-01-06"),
            DayCounts::default(),
            Limits::default(),
            &Selection::default(),
            &mut Siblings::default(),
        );
        assert_eq!(ids(&tomorrow)[0], "c0");
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
            &mut Siblings::default(),
        );
        assert_eq!(queue.cards.len(), 5);
    }

    #[test]
    fn the_review_limit_leaves_the_rest_for_later_days() {
        let all: Vec<(String, CardRecord)> = (0..30)
            .map(|i| (format!("c{i}"), scheduled("2026-01-01", 6)))
            .collect();
        let records: HashMap<CardId, CardRecord> =
            all.into_iter().map(|(id, r)| (CardId(id), r)).collect();
        let limits = Limits {
            reviews_per_day: 10,
            ..Limits::default()
        };
        let queue = build_default(&records, limits);
        assert_eq!((queue.cards.len(), queue.due_later), (10, 20));
    }

    #[test]
    fn random_new_order_is_shuffled_the_same_way_all_day() {
        let limits = Limits {
            new_order: NewOrder::Random,
            ..Limits::default()
        };
        let a = build_default(&HashMap::new(), limits);
        let b = build_default(&HashMap::new(), limits);
        assert_eq!(a, b);
        assert_ne!(
            ids(&a),
            ids(&build_default(&HashMap::new(), Limits::default()))
        );
    }

    #[test]
    fn limit_and_deck_selection_narrow_the_queue() {
        let selection = Selection {
            filter: Filter {
                decks: vec![DeckId("d".into())],
                ..Filter::default()
            },
            limit: Some(3),
        };
        let queue = build(
            &library(),
            &HashMap::new(),
            day("2026-01-05"),
            DayCounts::default(),
            Limits::default(),
            &selection,
            &mut Siblings::default(),
        );
        assert_eq!(ids(&queue), ["c0", "c1", "c2"]);
        let other = Selection {
            filter: Filter {
                decks: vec![DeckId("x".into())],
                ..Filter::default()
            },
            limit: None,
        };
        let queue = build(
            &library(),
            &HashMap::new(),
            day("2026-01-05"),
            DayCounts::default(),
            Limits::default(),
            &other,
            &mut Siblings::default(),
        );
        assert!(queue.cards.is_empty());
    }

    #[test]
    fn new_cards_are_spread_so_all_are_introduced_before_the_exam() {
        let today = day("2026-06-01");
        // 100 cards, 12 days left: 10 introduction days -> 10 a day (the configured 20 is more).
        assert_eq!(exam_new_per_day(100, today, day("2026-06-13"), 20), 20);
        assert_eq!(exam_new_per_day(100, today, day("2026-06-13"), 5), 10);
        assert_eq!(exam_new_per_day(100, today, day("2026-06-02"), 5), 100);
        assert_eq!(
            exam_new_per_day(100, today, day("2026-05-30"), 5),
            5,
            "exam past"
        );
    }

    #[test]
    fn next_due_is_tomorrow_once_todays_new_cards_are_used_up() {
        let lib = library();
        let today = day("2026-01-05");
        let records = records(&[("c1", scheduled("2026-01-09", 6))]);
        let spent = DayCounts {
            reviewed: 20,
            new_learned: 20,
        };
        let all = Selection::default();
        let limits = Limits::default();
        assert_eq!(
            next_due(&lib, &records, today, spent, limits, &all),
            Some(day("2026-01-06"))
        );
        assert_eq!(
            next_due(&lib, &records, today, DayCounts::default(), limits, &all),
            Some(today)
        );
        let all_seen: HashMap<CardId, CardRecord> = lib
            .cards
            .iter()
            .map(|c| (c.id.clone(), scheduled("2026-01-09", 6)))
            .collect();
        assert_eq!(
            next_due(&lib, &all_seen, today, spent, limits, &all),
            Some(day("2026-01-09"))
        );
    }
}
