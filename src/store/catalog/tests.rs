//! The catalog against the in-memory library and queue it stands in for.

use chrono::Duration;
use proptest::prelude::*;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::{CatalogEntry, CatalogFact};
use crate::deck::{self, DeckFile, Library, parse_deck};
use crate::review::queue::{self, Limits, NewOrder, Selection};
use crate::scheduler::{CardState, Memory};
use crate::store::rows::write_record;
use crate::store::{CardRecord, DayCounts, Store, Tally};
use crate::types::{CardId, Easiness};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// Deck files over cards `c0..cN`: each card in file `card % files`, and some cards also
/// copied, identically, into the last file.
fn deck_texts(cards: usize, files: usize, copies: &[usize]) -> Vec<(String, String)> {
    let mut texts: Vec<(String, String)> = (0..files)
        .map(|f| {
            (
                format!("d{f}.toml"),
                format!("[deck]\nid = \"d{f}\"\nname = \"Deck {f}\"\n"),
            )
        })
        .collect();
    let card = |i: usize| {
        let level = ["", "level = \"senior\"\n", "level = \"junior\"\n"][i % 3];
        // Sources shared by runs of cards, and some cards with none.
        let source = if i.is_multiple_of(5) {
            String::new()
        } else {
            format!("source = \"Part > S{} (guide.md:1)\"\n", (i / 6) % 3)
        };
        format!(
            "[[card]]\nid = \"c{i}\"\nfront = \"Q{i}\"\nback = \"A{i}\"\ntags = [\"t{}\", \"all\"]\n{level}{source}",
            i % 4
        )
    };
    for i in 0..cards {
        texts[i % files].1.push_str(&card(i));
    }
    let copies: std::collections::BTreeSet<usize> = copies.iter().copied().collect();
    for i in copies
        .into_iter()
        .filter(|&i| i < cards && i % files != files - 1)
    {
        texts[files - 1].1.push_str(&card(i));
    }
    texts
}

/// `texts` with one more deck file, `mine.toml`, whose cards override cards `overridden` (those
/// of `c0..cN` that exist) with other text, as a learner's rewrite of a bundled card does.
fn with_overrides(
    mut texts: Vec<(String, String)>,
    cards: usize,
    overridden: &[usize],
) -> Vec<(String, String)> {
    let overridden: std::collections::BTreeSet<usize> =
        overridden.iter().copied().filter(|&i| i < cards).collect();
    if overridden.is_empty() {
        return texts;
    }
    let mut mine = "[deck]\nid = \"mine\"\nname = \"Mine\"\n".to_string();
    for i in overridden {
        mine.push_str(&format!(
            "[[card]]\nid = \"c{i}\"\noverride = true\nfront = \"My Q{i}\"\nback = \"A{i}\"\n"
        ));
    }
    texts.push(("mine.toml".to_string(), mine));
    texts
}

/// A store whose catalog holds `texts`, and the library they make.
fn catalogued(store: &mut Store, texts: &[(String, String)]) -> Library {
    let files: Vec<DeckFile> = texts
        .iter()
        .map(|(name, text)| parse_deck(name, text).unwrap())
        .collect();
    store
        .rewrite_catalog(|writer| {
            let mut firsts = deck::FirstCopies::default();
            for ((name, _), file) in texts.iter().zip(&files) {
                let loaded = firsts.mark(file, &mut Vec::new());
                for id in firsts.displaced() {
                    writer.displace(id)?;
                }
                writer.add(&CatalogEntry {
                    name,
                    stamp: "stamp",
                    hash: &format!("hash of {name}"),
                    file,
                    loaded: &loaded,
                })?;
            }
            Ok(())
        })
        .unwrap();
    deck::assemble(files, Vec::new()).unwrap()
}

/// `(state, suspended, buried)`: state 0 none, 1 new, 2+ scheduled with that due offset.
fn record(
    due: i64,
    interval: u32,
    repetitions: u32,
    suspended: bool,
    buried: Option<i64>,
) -> CardRecord {
    CardRecord {
        state: CardState::Scheduled(Memory {
            repetitions,
            easiness: Easiness::INITIAL,
            interval,
            due: today() + Duration::days(due),
            lapses: 0,
            reviews: repetitions + 1,
            last_review: today() - Duration::days(40),
            fsrs: None,
            learning: None,
        }),
        suspended,
        leech: false,
        buried_until: buried.map(|b| today() + Duration::days(b)),
    }
}

fn arb_record() -> impl Strategy<Value = Option<CardRecord>> {
    let buried = prop_oneof![
        4 => Just(None),
        1 => (-1_i64..4).prop_map(Some),
    ];
    prop_oneof![
        3 => Just(None),
        1 => (any::<bool>(), buried.clone()).prop_map(|(suspended, buried)| Some(CardRecord {
            state: CardState::New,
            suspended: suspended && buried.is_none(),
            leech: false,
            buried_until: buried.map(|b| today() + Duration::days(b)),
        })),
        6 => (-20_i64..15, 1_u32..40, 0_u32..4, prop::bool::weighted(0.1), buried)
            .prop_map(|(due, interval, reps, suspended, buried)| {
                Some(record(due, interval, reps, suspended, buried))
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The catalog's queries give exactly the queue, counts and next due date that the
    /// in-memory functions give over the whole library, whichever was written first.
    #[test]
    fn catalog_queries_agree_with_the_in_memory_queue(
        cards in 1_usize..40,
        files in 1_usize..4,
        copies in prop::collection::vec(0_usize..40, 0..5),
        overridden in prop::collection::vec(0_usize..40, 0..4),
        states in prop::collection::vec(arb_record(), 45),
        new_per_day in 0_u32..25,
        reviews_per_day in 0_u32..30,
        new_learned in 0_u32..25,
        extra_reviewed in 0_u32..10,
        random in any::<bool>(),
        catalog_first in any::<bool>(),
        limit in prop::option::of(1_usize..30),
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let texts = with_overrides(deck_texts(cards, files, &copies), cards, &overridden);
        // Records for cards c0..c44: those past `cards` have outlived their deck.
        let records: HashMap<CardId, CardRecord> = states
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (CardId(format!("c{i}")), r)))
            .collect();
        let write_records = |store: &Store| {
            for (id, record) in &records {
                write_record(&store.conn, id, record).unwrap();
            }
        };
        let library = if catalog_first {
            let library = catalogued(&mut store, &texts);
            write_records(&store);
            library
        } else {
            write_records(&store);
            catalogued(&mut store, &texts)
        };
        let done = DayCounts { reviewed: new_learned + extra_reviewed, new_learned };
        let limits = Limits {
            new_per_day,
            reviews_per_day,
            new_order: if random { NewOrder::Random } else { NewOrder::Deck },
            ..Limits::default()
        };
        let selection = Selection { limit, ..Selection::default() };

        let expected = queue::build(&library, &records, today(), done, limits, &selection, &mut queue::Siblings::default());
        let wanted = (!random).then(|| limits.new_left(done));
        let cut = queue::order(
            store.catalog_due(today(), limits.due_wanted(done, limit)).unwrap(),
            store.catalog_due_count(today()).unwrap(),
            store.catalog_new(today(), wanted).unwrap(),
            today(),
            done,
            limits,
            limit,
        );
        let memories = store.memories(&cut.due).unwrap();
        prop_assert_eq!(cut.into_queue(|id| memories.get(id).copied()), expected);

        let everything = queue::build(&library, &records, today(), done,
            Limits { new_per_day: u32::MAX, reviews_per_day: u32::MAX, ..limits },
            &Selection::default(), &mut queue::Siblings::default());
        let due = everything.cards.iter().filter(|(_, s)| s.memory().is_some()).count();
        prop_assert_eq!(store.catalog_due_count(today()).unwrap(), due);
        prop_assert_eq!(store.catalog_new(today(), None).unwrap().len(), everything.cards.len() - due);
        prop_assert_eq!(
            store.catalog_next_due(today(), done.new_learned < limits.new_per_day).unwrap(),
            queue::next_due(&library, &records, today(), done, limits, &Selection::default())
        );
        let unseen = library.cards.iter()
            .filter(|c| records.get(&c.id).is_none_or(|r| !r.suspended && r.state.memory().is_none()))
            .count();
        prop_assert_eq!(store.catalog_unseen().unwrap(), unseen);
        let learning = library.cards.iter()
            .filter(|c| records.get(&c.id).copied().unwrap_or_default().label() == "learning")
            .count();
        prop_assert_eq!(store.catalog_learning().unwrap(), learning);

        // What `stats` reads of every card: merged from the tables by position, as the join
        // of each card to its state and tally gives it, and as the library and records say.
        // Tallies: one per third card, some for cards with no state or no deck.
        let tallies: HashMap<CardId, Tally> = (0..45)
            .filter(|i| i % 3 == 0)
            .map(|i| (CardId(format!("c{i}")), Tally { passed: i / 2, total: i + 1 }))
            .collect();
        for (id, tally) in &tallies {
            store.conn.execute(
                "INSERT INTO card_activity (card_id, passed, total) VALUES (?1, ?2, ?3)",
                rusqlite::params![id.0, tally.passed, tally.total],
            ).unwrap();
        }
        let facts = store.catalog_facts().unwrap();
        let expected_facts: Vec<CatalogFact> = library.cards.iter().map(|card| {
            CatalogFact {
                file: texts.iter().position(|(name, _)| *name == card.location.path).unwrap(),
                level: card.level,
                source: card.source.as_deref().map(Arc::from),
                standing: records.get(&card.id).copied().unwrap_or_default().standing(),
                retention: tallies.get(&card.id).copied().unwrap_or_default(),
            }
        }).collect();
        prop_assert_eq!(&facts, &expected_facts);
        prop_assert_eq!(store.catalog_facts_merged().unwrap(), Some(facts.clone()));
        prop_assert_eq!(store.catalog_facts_joined().unwrap(), facts);

        let read_back = store.catalog_library().unwrap();
        prop_assert_eq!(&read_back.cards, &library.cards);
        prop_assert_eq!(&read_back.decks, &library.decks);
        prop_assert_eq!(store.catalog_size().unwrap(), (library.cards.len(), library.decks.len()));
        for (ord, (name, text)) in texts.iter().enumerate() {
            prop_assert_eq!(store.catalog_deck_file(ord).unwrap(), Some(parse_deck(name, text).unwrap()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A backlog larger than the day's reviews: the catalog reads only the first `take` due
    /// cards, and they are the in-memory queue's first `take`, ties (same relative lateness,
    /// same due day) broken by deck order; the rest are counted as waiting for later days.
    #[test]
    fn a_backlog_is_cut_in_the_database_as_the_queue_orders_it(
        cards in 1_usize..120,
        files in 1_usize..4,
        lateness in prop::collection::vec((0_i64..40, 0_usize..5, prop::bool::weighted(0.1)), 130),
        take in 0_usize..60,
        limit in prop::option::of(1_usize..60),
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let texts = deck_texts(cards, files, &[]);
        let library = catalogued(&mut store, &texts);
        // Few distinct intervals and due days, so that many cards tie; cards past `cards`
        // have no loaded card, and some are suspended or skipped until tomorrow.
        let records: HashMap<CardId, CardRecord> = lateness
            .iter()
            .enumerate()
            .map(|(i, &(late, interval, set_aside))| {
                let interval = [1, 2, 3, 10, 30][interval];
                let record = record(-late, interval, 2, set_aside && i % 2 == 0,
                    (set_aside && i % 2 == 1).then_some(1));
                (CardId(format!("c{i}")), record)
            })
            .collect();
        for (id, record) in &records {
            write_record(&store.conn, id, record).unwrap();
        }
        let done = DayCounts::default();
        let limits = Limits { new_per_day: 0, reviews_per_day: u32::try_from(take).unwrap(),
            new_order: NewOrder::Deck, ..Limits::default() };
        let selection = Selection { limit, ..Selection::default() };
        let expected = queue::build(&library, &records, today(), done, limits, &selection, &mut queue::Siblings::default());

        let wanted = limits.due_wanted(done, limit);
        let due = store.catalog_due(today(), wanted).unwrap();
        let count = store.catalog_due_count(today()).unwrap();
        prop_assert_eq!(due.len(), wanted.min(count), "reads no more than it can show");
        let cut = queue::order(due.clone(), count, Vec::new(), today(), done, limits, limit);
        prop_assert_eq!(cut.due.iter().collect::<Vec<_>>(), due.iter().map(|c| &c.id).collect::<Vec<_>>(),
            "already in the queue's order");
        let memories = store.memories(&cut.due).unwrap();
        prop_assert_eq!(cut.into_queue(|id| memories.get(id).copied()), expected);
    }
}

#[test]
fn a_card_whose_deck_file_is_gone_is_not_due_until_the_file_is_back() {
    let mut store = Store::open_in_memory().unwrap();
    catalogued(&mut store, &deck_texts(4, 2, &[]));
    for i in 0..4 {
        let id = CardId(format!("c{i}"));
        write_record(&store.conn, &id, &record(-3, 2, 2, false, None)).unwrap();
    }
    let due = |store: &Store| {
        let cards = store.catalog_due(today(), 10).unwrap();
        let ids: Vec<String> = cards.iter().map(|c| c.id.0.clone()).collect();
        (store.catalog_due_count(today()).unwrap(), ids)
    };
    // File d0 holds c0 and c2, d1 holds c1 and c3: deck order c0, c2, c1, c3.
    assert_eq!(
        due(&store),
        (4, vec!["c0".into(), "c2".into(), "c1".into(), "c3".into()])
    );
    // One file: c0 and c2 are gone (their history stays), and c1 and c3 move up.
    let texts = deck_texts(4, 2, &[]);
    catalogued(&mut store, &texts[1..]);
    assert_eq!(due(&store), (2, vec!["c1".into(), "c3".into()]));
    // Back in the other order.
    catalogued(&mut store, &[texts[1].clone(), texts[0].clone()]);
    assert_eq!(
        due(&store),
        (4, vec!["c1".into(), "c3".into(), "c0".into(), "c2".into()])
    );
}

#[test]
fn a_card_is_found_by_id_as_the_library_holds_it() {
    let mut store = Store::open_in_memory().unwrap();
    let library = catalogued(&mut store, &deck_texts(6, 2, &[1]));
    for card in &library.cards {
        assert_eq!(store.catalog_card(&card.id).unwrap().as_ref(), Some(card));
    }
    assert_eq!(store.catalog_card(&CardId("c99".into())).unwrap(), None);
}

#[test]
fn an_answer_takes_a_card_out_of_the_new_cards_and_an_undo_puts_it_back() {
    let mut store = Store::open_in_memory().unwrap();
    catalogued(&mut store, &deck_texts(3, 1, &[]));
    let first = || store.catalog_new(today(), Some(1)).unwrap();
    assert_eq!(first(), [CardId("c0".into())]);
    write_record(
        &store.conn,
        &CardId("c0".into()),
        &record(3, 1, 1, false, None),
    )
    .unwrap();
    assert_eq!(
        store.catalog_new(today(), Some(1)).unwrap(),
        [CardId("c1".into())]
    );
    write_record(&store.conn, &CardId("c0".into()), &CardRecord::default()).unwrap();
    assert_eq!(
        store.catalog_new(today(), Some(1)).unwrap(),
        [CardId("c0".into())]
    );
}

#[test]
fn a_suspended_card_is_never_the_next_one_due_even_when_skipped_too() {
    let mut store = Store::open_in_memory().unwrap();
    catalogued(&mut store, &deck_texts(1, 1, &[]));
    let c0 = CardId("c0".into());
    write_record(&store.conn, &c0, &record(5, 1, 1, true, Some(1))).unwrap();
    assert_eq!(store.catalog_next_due(today(), true).unwrap(), None);
    write_record(&store.conn, &c0, &record(5, 1, 1, false, Some(1))).unwrap();
    assert_eq!(
        store.catalog_next_due(today(), true).unwrap(),
        Some(today() + Duration::days(5))
    );
}

/// A catalog out of step with `card_state` (a state's position naming another card, which
/// no command leaves behind) cannot make `stats` give one card's state to another: the merge
/// gives up and the join answers.
///
/// Both ways the merge reads: on one connection (in memory), and with the catalog's side on a
/// second connection and thread (a database file).
#[test]
fn a_state_at_another_cards_place_is_read_by_the_join() {
    let dir = tempfile::tempdir().unwrap();
    for mut store in [
        Store::open_in_memory().unwrap(),
        Store::open(&dir.path().join("recall.db")).unwrap(),
    ] {
        a_state_at_another_cards_place_is_read_by_the_join_in(&mut store);
    }
}

fn a_state_at_another_cards_place_is_read_by_the_join_in(store: &mut Store) {
    // Tallies on both sides of the state's id, one of a card with no state.
    for (id, passed, total) in [("c0", 1, 2), ("c1", 3, 4), ("c2", 0, 1)] {
        store
            .conn
            .execute(
                "INSERT INTO card_activity (card_id, passed, total) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, passed, total],
            )
            .unwrap();
    }
    let library = catalogued(store, &deck_texts(6, 2, &[]));
    write_record(
        &store.conn,
        &CardId("c1".into()),
        &record(0, 3, 1, false, None),
    )
    .unwrap();
    let before = store.catalog_facts().unwrap();
    let at = |id: &str| library.cards.iter().position(|c| c.id.0 == id).unwrap();
    assert!(before[at("c1")].standing.progress.is_some());
    assert!(before[at("c0")].standing.progress.is_none());
    assert_eq!(
        before[at("c1")].retention,
        Tally {
            passed: 3,
            total: 4
        }
    );
    assert_eq!(
        before[at("c0")].retention,
        Tally {
            passed: 1,
            total: 2
        }
    );
    assert_eq!(
        before[at("c2")].retention,
        Tally {
            passed: 0,
            total: 1
        }
    );
    assert!(store.catalog_facts_merged().unwrap().is_some());
    store
        .conn
        .execute(
            "UPDATE card_state SET position = (SELECT position FROM card WHERE id = 'c3')",
            [],
        )
        .unwrap();
    assert_eq!(store.catalog_facts_merged().unwrap(), None);
    let after = store.catalog_facts().unwrap();
    assert_eq!(after, before);
    // A place past its deck file's last row, or in a file the catalog does not have.
    for beyond in [
        "(SELECT first + rows FROM deck_file WHERE ord = 0)",
        "(SELECT max(first) + (1 << 24) FROM deck_file)",
    ] {
        store
            .conn
            .execute(
                &format!("UPDATE card_state SET position = {beyond} WHERE card_id = 'c1'"),
                [],
            )
            .unwrap();
        assert_eq!(store.catalog_facts_merged().unwrap(), None, "{beyond}");
        assert_eq!(store.catalog_facts().unwrap(), before, "{beyond}");
    }
}

/// An export goes through the catalog one card at a time: every loaded card once (an
/// identical copy in a later file is not loaded twice), in deck order; an error from the
/// caller stops it there and is returned.
#[test]
fn an_export_reads_every_loaded_card_once_in_deck_order() {
    let mut store = Store::open_in_memory().unwrap();
    let library = catalogued(&mut store, &deck_texts(7, 3, &[1, 3]));
    let mut seen = Vec::new();
    store
        .catalog_for_each(|card| {
            seen.push(card);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, library.cards);
    let mut calls = 0;
    let stopped = store.catalog_for_each(|_| {
        calls += 1;
        Err(crate::error::Error::Usage("stop".into()))
    });
    assert!(stopped.is_err());
    assert_eq!(calls, 1);
}

/// `stats` labels its per-deck figures by deck file, in load order, and the deck list
/// holds each loaded deck once, in load order: both as the library has them.
#[test]
fn decks_are_read_back_by_file_and_once_each_in_load_order() {
    let mut store = Store::open_in_memory().unwrap();
    let texts = deck_texts(6, 3, &[]);
    let library = catalogued(&mut store, &texts);
    let names: Vec<String> = texts
        .iter()
        .map(|(name, text)| parse_deck(name, text).unwrap().deck.name)
        .collect();
    assert_eq!(store.catalog_deck_names().unwrap(), names);
    assert_eq!(store.catalog_deck_list().unwrap(), library.decks);
    // A second file of an already loaded deck: named again by file, listed once.
    let mut again = texts.clone();
    again.push(("more.toml".into(), texts[0].1.replace("c0", "c100")));
    let library = catalogued(&mut store, &again);
    let mut names = names;
    names.push(names[0].clone());
    assert_eq!(store.catalog_deck_names().unwrap(), names);
    assert_eq!(store.catalog_deck_list().unwrap(), library.decks);
    assert_eq!(library.decks.len(), texts.len());
}

/// A session reads only the cards it will show, in the order it asks for them (a card no
/// longer loaded is left out), with every deck for their headers.
#[test]
fn a_session_reads_only_the_cards_it_shows_in_its_order() {
    let mut store = Store::open_in_memory().unwrap();
    let library = catalogued(&mut store, &deck_texts(8, 2, &[]));
    let ids: Vec<CardId> = ["c5", "c99", "c0", "c3"]
        .into_iter()
        .map(|id| CardId(id.into()))
        .collect();
    let subset = store.catalog_subset(&ids).unwrap();
    let expected: Vec<_> = ids
        .iter()
        .filter_map(|id| library.cards.iter().find(|c| c.id == *id).cloned())
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(subset.cards, expected);
    assert_eq!(subset.decks, library.decks);
}

/// `recall cards --json` names what each override replaces: the catalog gives each
/// overriding card's id with the place of the card it displaced (its first copy in load
/// order), and nothing for cards that override nothing.
#[test]
fn an_override_is_found_with_the_place_of_the_card_it_replaces() {
    let mut store = Store::open_in_memory().unwrap();
    let texts = with_overrides(deck_texts(6, 2, &[]), 6, &[1, 4]);
    catalogued(&mut store, &texts);
    let overridden = store.catalog_overridden().unwrap();
    let mut found: Vec<(String, String, usize)> = overridden
        .iter()
        .map(|(id, at)| (id.0.clone(), at.path.clone(), at.line))
        .collect();
    found.sort();
    // Cards alternate between the two files; a card's place is its `[[card]]` header, the
    // line before its id.
    let line = |file: &str, card: &str| {
        let text = &texts.iter().find(|(name, _)| name == file).unwrap().1;
        text.lines()
            .position(|l| l == format!("id = \"{card}\""))
            .unwrap()
    };
    assert_eq!(
        found,
        [
            (
                "c1".to_string(),
                "d1.toml".to_string(),
                line("d1.toml", "c1")
            ),
            (
                "c4".to_string(),
                "d0.toml".to_string(),
                line("d0.toml", "c4")
            ),
        ]
    );

    let mut plain = Store::open_in_memory().unwrap();
    catalogued(&mut plain, &deck_texts(6, 2, &[]));
    assert!(plain.catalog_overridden().unwrap().is_empty());
}

/// Past `BULK_RECORDS` records a replay writes them with `card_state`'s triggers dropped and
/// sets the catalog's new-card flags and deck places in one pass afterwards: the new cards, the
/// due cards and what `stats` reads must be those that writing the same records one by one
/// (each through the triggers) gives. Among them: answered cards, a card only suspended (a
/// record and still new), a card whose stored state the log does not back (deleted by the
/// replay: new again), and a history whose card has left the decks (a record with no place).
#[test]
fn a_replay_of_many_records_leaves_the_new_and_due_cards_as_writes_one_by_one_do() {
    use crate::scheduler::{Rules, answer};
    use crate::store::{EntryKind, LogEntry};
    use crate::types::{Grade, ReviewId};

    let count = crate::store::replay::BULK_RECORDS + 40;
    let texts = deck_texts(count, 3, &[]);
    let day = today() - Duration::days(3);
    let at = day.and_hms_opt(9, 0, 0).unwrap().and_utc();
    let entry = |n: usize, card: &str, kind: EntryKind| {
        let card = CardId(card.to_string());
        let id = ReviewId(format!("{:012x}{n:020}", at.timestamp_millis()));
        if kind == EntryKind::Suspend {
            return LogEntry::marker(id, card, at, day, kind, CardState::New);
        }
        let grade = Grade::new(if n.is_multiple_of(7) { 1 } else { 4 }).unwrap();
        let after = answer(
            CardState::New,
            grade,
            day,
            at.timestamp_millis(),
            &card.0,
            &Rules::default(),
            None,
        );
        LogEntry {
            id,
            card_id: card,
            reviewed_at: at,
            day,
            kind,
            grade: Some(grade),
            duration_ms: 1000,
            undoes: None,
            until: None,
            before: CardState::New,
            after,
        }
    };
    // Every card answered but the last 30; c{count-5} only suspended; one gone from the decks.
    let mut log: Vec<LogEntry> = (0..count - 30)
        .map(|n| entry(n, &format!("c{n}"), EntryKind::Review))
        .collect();
    log.push(entry(count, &format!("c{}", count - 5), EntryKind::Suspend));
    log.push(entry(count + 1, "gone", EntryKind::Review));
    let stale = CardId(format!("c{}", count - 10));

    let mut bulk = Store::open_in_memory().unwrap();
    let library = catalogued(&mut bulk, &texts);
    write_record(&bulk.conn, &stale, &record(2, 3, 2, false, None)).unwrap();
    bulk.append_bulk(&log).unwrap();
    assert!(bulk.rebuild().unwrap() > crate::store::replay::BULK_RECORDS);
    let records = bulk.records().unwrap();
    assert!(!records.contains_key(&stale), "the replay deletes it");

    let mut by_one = Store::open_in_memory().unwrap();
    catalogued(&mut by_one, &texts);
    write_record(&by_one.conn, &stale, &record(2, 3, 2, false, None)).unwrap();
    write_record(&by_one.conn, &stale, &CardRecord::default()).unwrap();
    for (card, record) in &records {
        write_record(&by_one.conn, card, record).unwrap();
    }

    let new_cards = |store: &Store| store.catalog_new(today(), None).unwrap();
    let expected_new: Vec<CardId> = library
        .cards
        .iter()
        .filter(|c| {
            records
                .get(&c.id)
                .is_none_or(|r| r.state == CardState::New && !r.suspended)
        })
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(expected_new.len(), 29, "the last 30 but the suspended one");
    assert_eq!(new_cards(&by_one), expected_new);
    assert_eq!(new_cards(&bulk), expected_new);
    let later = today() + Duration::days(400);
    assert_eq!(
        bulk.catalog_due_count(later).unwrap(),
        by_one.catalog_due_count(later).unwrap()
    );
    assert_eq!(bulk.catalog_due_count(later).unwrap(), count - 30);
    assert_eq!(
        bulk.catalog_unseen().unwrap(),
        by_one.catalog_unseen().unwrap()
    );
    assert_eq!(
        bulk.catalog_facts().unwrap(),
        by_one.catalog_facts().unwrap()
    );
}
