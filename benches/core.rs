//! Micro-benchmarks of the work between launching `recall` and the first card, of the
//! per-answer cost (one durable `SQLite` transaction), and of the two passes over a whole log
//! (replaying it, computing statistics) on a generated collection. Run with
//! `cargo bench --bench core`; `scripts/bench.sh` measures whole-process times. Results and
//! targets: BENCHMARKS.md.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use recall::deck;
use recall::generate::{self, Options};
use recall::review::queue::{self, Limits, Selection};
use recall::scheduler::{CardState, Memory, Rules, sm2};
use recall::stats;
use recall::store::{self, Answer, CardRecord, DayCounts, EntryKind, LogEntry, Store};
use recall::types::{CardId, Easiness, Grade, ReviewId};

/// Distinct card ids the append benchmark cycles through, so the projection sees both inserts
/// and updates, as a real session does.
const CARDS: u64 = 500;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date")
}

fn now() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("valid RFC 3339")
}

/// A card in mid-life: reviewed three times, due today.
fn scheduled() -> Memory {
    Memory {
        repetitions: 3,
        easiness: Easiness::from_hundredths(236),
        interval: 16,
        due: today(),
        lapses: 1,
        reviews: 4,
        last_review: today(),
        fsrs: None,
        learning: None,
    }
}

fn sm2_review_step(c: &mut Criterion) {
    let state = CardState::Scheduled(scheduled());
    c.bench_function("sm2_review_step", |b| {
        b.iter(|| sm2::review(black_box(state), black_box(Grade::GOOD), black_box(today())));
    });
}

fn deck_load_bundled(c: &mut Criterion) {
    c.bench_function("deck_load_bundled", |b| {
        b.iter(|| deck::load(black_box(&[])).expect("bundled decks load"));
    });
}

fn queue_build_bundled(c: &mut Criterion) {
    let library = deck::load(&[]).expect("bundled decks load");
    let states: HashMap<CardId, CardRecord> = HashMap::new();
    let selection = Selection::default();
    c.bench_function("queue_build_bundled", |b| {
        b.iter(|| {
            let mut siblings = queue::library_siblings(&library, &[]);
            queue::build(
                black_box(&library),
                black_box(&states),
                today(),
                DayCounts::default(),
                Limits::default(),
                &selection,
                &mut siblings,
            )
        });
    });
}

/// One answer: a fresh review id, a varying card, and one committed WAL transaction with
/// `synchronous = FULL` (the fsync is inside the timed region). Building the entry is not.
fn store_append_durable(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("bench.db")).expect("open store");
    let at = now();
    let before = CardState::Scheduled(scheduled());
    let after = sm2::review(before, Grade::GOOD, today());
    let mut n: u64 = 0;
    c.bench_function("store_append_durable", |b| {
        b.iter_batched(
            || {
                n += 1;
                LogEntry {
                    id: ReviewId::generate(at.timestamp_millis()),
                    card_id: CardId(format!("bench-card-{}", n % CARDS)),
                    reviewed_at: at,
                    day: today(),
                    kind: EntryKind::Review,
                    grade: Some(Grade::GOOD),
                    duration_ms: 2_500,
                    undoes: None,
                    until: None,
                    before,
                    after,
                }
            },
            |entry| store.append(&entry).expect("append"),
            BatchSize::SmallInput,
        );
    });
    drop(store);
    drop(dir);
}

/// A generated collection of 1,000 cards in 10 decks with a log of 10,000 entries (plausible
/// SM-2 histories over two years; see `recall::generate`).
fn generated() -> Options {
    Options {
        cards: 1_000,
        reviews: 10_000,
        decks: 10,
        ..Options::default()
    }
}

/// `store::project` over 10,000 log entries: what `recall rebuild` (and a scheduler switch)
/// does after reading the log, here without the database.
fn replay_10k_reviews(c: &mut Criterion) {
    let log = generate::review_log(&generated()).expect("generated log");
    assert_eq!(log.len(), 10_000);
    c.bench_function("replay_10k_reviews", |b| {
        b.iter(|| store::project(black_box(&log), &Rules::default()));
    });
}

/// `stats::compute` over 1,000 cards and the activity of their 10,000 answers, as `recall
/// stats` calls it after reading the decks, the card records and the activity projections.
/// `stats_count_activity` times what a filtered `stats` adds: counting the activity from the
/// answers of the cards in scope (here all of them).
fn stats_compute(c: &mut Criterion) {
    let options = generated();
    let sources: Vec<(String, String)> = generate::deck_files(&options);
    let library = deck::load_sources(&sources).expect("generated decks load");
    let log = generate::review_log(&options).expect("generated log");
    let records = store::project(&log, &Rules::default());
    let answers: Vec<Answer> = log
        .iter()
        .filter_map(|e| {
            Some(Answer {
                card_id: e.card_id.clone(),
                day: e.day,
                kind: e.kind,
                grade: e.grade?,
                duration_ms: e.duration_ms,
                interval_before: e.before.memory().map(|m| m.interval),
            })
        })
        .collect();
    assert_eq!((library.cards.len(), answers.len()), (1_000, 10_000));
    let today = options.now;
    let in_scope: HashSet<&CardId> = library.cards.iter().map(|card| &card.id).collect();
    let activity = stats::activity_of(&answers, &in_scope, today);
    let facts = || {
        library.cards.iter().map(|card| {
            let deck = library.deck(&card.deck).map_or("", |d| d.name.as_str());
            let record = records.get(&card.id).copied().unwrap_or_default();
            stats::CardFacts::of(card, deck, record, &activity)
        })
    };
    c.bench_function("stats_compute", |b| {
        b.iter(|| stats::compute(black_box(&activity), facts(), today));
    });
    c.bench_function("stats_count_activity", |b| {
        b.iter(|| stats::activity_of(black_box(&answers), &in_scope, today));
    });
}

/// What a launch asks the card catalog on a generated collection of 10,000 cards and 100,000
/// log entries, with the database's pages cached (in-process, so no process start and no cold
/// page cache: `scripts/bench.sh --large` times whole commands at 100,000 cards).
/// `catalog_status_queries`: the counts `recall status` prints. `catalog_first_queue`: the due
/// cards' keys, the cut, the memories and text of the cards taken, as `recall review` starts.
/// Each on the day after the generated history and (`_after_months`) nine months later, when
/// most cards are overdue (issue 18: that work must not grow with the backlog).
fn catalog_queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let options = Options {
        cards: 10_000,
        reviews: 100_000,
        decks: 10,
        ..Options::default()
    };
    generate::generate(&options, dir.path()).expect("generated collection");
    let mut store = Store::open(&dir.path().join("recall.db")).expect("database opens");
    let sources = deck::sources(&[dir.path().join("decks")]).expect("deck files");
    recall::catalog::sync(&mut store, &sources).expect("catalog written");
    let months_later = options
        .now
        .checked_add_months(chrono::Months::new(9))
        .expect("a date nine months on");
    for (suffix, today) in [("", options.now), ("_after_months", months_later)] {
        let done = store.day_counts(today).expect("day counts");
        let limits = Limits::default();
        c.bench_function(&format!("catalog_status_queries{suffix}"), |b| {
            b.iter(|| {
                (
                    store.catalog_due_count(today).unwrap(),
                    store
                        .catalog_new(today, Some(limits.new_left(done)))
                        .unwrap(),
                    store.catalog_next_due(today, true).unwrap(),
                    store.catalog_size().unwrap(),
                    store.streak(today).unwrap(),
                )
            });
        });
        c.bench_function(&format!("catalog_first_queue{suffix}"), |b| {
            b.iter(|| {
                let cut = queue::order(
                    store
                        .catalog_due(today, limits.due_wanted(done, None))
                        .unwrap(),
                    store.catalog_due_count(today).unwrap(),
                    store
                        .catalog_new(today, Some(limits.new_left(done)))
                        .unwrap(),
                    today,
                    done,
                    limits,
                    None,
                );
                let memories = store.memories(&cut.due).unwrap();
                let queue = cut.into_queue(|id| memories.get(id).copied());
                let ids: Vec<CardId> = queue.cards.iter().map(|(id, _)| id.clone()).collect();
                store.catalog_subset(&ids).unwrap()
            });
        });
    }
}

criterion_group!(
    benches,
    sm2_review_step,
    deck_load_bundled,
    queue_build_bundled,
    store_append_durable,
    replay_10k_reviews,
    stats_compute,
    catalog_queries
);
criterion_main!(benches);
