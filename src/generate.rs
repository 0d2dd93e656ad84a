//! Synthetic collections for measuring recall at scale ("fast at any size").
//!
//! [`generate`] writes a directory holding
//!
//! - `decks/`: TOML deck files (`deck-00.toml` … `deck-49.toml` by default) with the requested
//!   number of cards, ids like `gen-07-012345`, each a question of about ten words and an answer
//!   of about thirty, built from a fixed word list;
//! - `recall.db`: a recall database whose review log holds exactly the requested number of
//!   entries, forming plausible SM-2 histories over the two years before [`Options::now`], and
//!   whose card-state projection is rebuilt from that log.
//!
//! Everything random comes from a small hand-written PRNG (splitmix64) seeded by
//! [`Options::seed`], never from `rand`, whose algorithms may change between versions: the
//! same options always give byte-identical deck files and the same review rows and card
//! states. (The database file itself is not byte-identical: the store gives every new database
//! a random device id.)
//!
//! How the histories are made: about 10% of the cards stay new. Every other card gets an
//! introduction day and a difficulty, and is then reviewed on (or, sometimes, a few days after)
//! each due date until the day before `now`, with grades mostly 3–5, failures (grades 0–2)
//! more likely for difficult cards, first sightings and late reviews, and every state computed
//! by [`scheduler::schedule`] with the default rules (SM-2, no exam), exactly as a real session
//! would. A card that turns leech is suspended and its history ends there. To land on the
//! requested number of log entries, one knob (how far back cards were introduced, then how
//! often a passing answer is graded 3, "hard", which shortens later intervals) is calibrated
//! by bisection on a sample of cards; the small remainder is made exact by dropping the last
//! reviews of randomly chosen cards, and about 2% of the entries are same-day re-drills after
//! answers graded below 4 (as `recall review` does).
//!
//! At the default size (100,000 cards, 1,000,000 entries) a release build takes 11–14 s on a
//! shared 2-core VM, most of it `SQLite` inserting the log (about 8 s) and the rebuild.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate};

use crate::error::Error;
use crate::scheduler::{self, CardState, Rules};
use crate::store::{EntryKind, LogEntry, Store};
use crate::types::{CardId, Grade, ReviewId};

/// How far back the generated history reaches from [`Options::now`], in days.
pub const WINDOW_DAYS: u32 = 730;

/// Log entries written per transaction.
pub const CHUNK: usize = 50_000;

/// Share of cards that are never reviewed.
const NEW_SHARE: f64 = 0.10;

/// Share of log entries that are same-day re-drills.
const DRILL_SHARE: f64 = 0.02;

/// Cards simulated per bisection step when calibrating.
const SAMPLE_CARDS: usize = 3_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Cards in the decks.
    pub cards: usize,
    /// Entries in the review log (scheduled reviews plus re-drills), exactly.
    pub reviews: usize,
    /// Deck files the cards are spread over (fewer when there are fewer cards).
    pub decks: usize,
    /// Same seed, same collection.
    pub seed: u64,
    /// The study day the collection is "as of": every review falls on one of the
    /// [`WINDOW_DAYS`] days before it.
    pub now: NaiveDate,
}

impl Default for Options {
    /// 100,000 cards, 1,000,000 log entries, 50 decks, seed 1, as of 2026-03-01.
    fn default() -> Options {
        Options {
            cards: 100_000,
            reviews: 1_000_000,
            decks: 50,
            seed: 1,
            now: default_now(),
        }
    }
}

/// The default end of the generated history: 2026-03-01.
pub fn default_now() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("valid date")
}

impl Options {
    /// Deck files actually written: `decks`, but no more than there are cards.
    pub fn deck_count(&self) -> usize {
        self.decks.min(self.cards)
    }

    fn check(&self) -> Result<(), Error> {
        if self.cards > 0 && self.decks == 0 {
            return Err(Error::Usage("--decks must be at least 1".into()));
        }
        if self.cards == 0 && self.reviews > 0 {
            return Err(Error::Usage(
                "--reviews needs cards to review: pass --cards of at least 1".into(),
            ));
        }
        if u32::try_from(self.cards).is_err() || u32::try_from(self.reviews).is_err() {
            return Err(Error::Usage(format!(
                "--cards and --reviews must each be at most {}",
                u32::MAX
            )));
        }
        if self
            .now
            .checked_sub_days(Days::new(u64::from(WINDOW_DAYS)))
            .is_none()
        {
            return Err(Error::Usage(format!("--now {} is too early", self.now)));
        }
        Ok(())
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Cards in the decks.
    pub cards: usize,
    /// Deck files written.
    pub decks: usize,
    /// Log entries written (`reviews + drills`).
    pub entries: usize,
    /// Scheduled reviews (kind `review`).
    pub reviews: usize,
    /// Same-day re-drills (kind `drill`).
    pub drills: usize,
    /// Scheduled reviews graded below 3.
    pub failed: usize,
    /// Cards with at least one review.
    pub reviewed_cards: usize,
    /// Cards never reviewed.
    pub new_cards: usize,
    /// Cards whose history made them leeches (and suspended them).
    pub leeches: usize,
    /// The first and last study day with a review.
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// Where the deck files and the database are.
    pub decks_dir: PathBuf,
    pub db: PathBuf,
}

/// Writes the deck files to `out/decks/` and the database to `out/recall.db` (see the module
/// documentation). `out` is created if needed; deck files of the same names are overwritten,
/// but an existing `out/recall.db` is an error, since adding to it would double its log.
pub fn generate(options: &Options, out: &Path) -> Result<Summary, Error> {
    options.check()?;
    let db = out.join("recall.db");
    if db.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; pass an empty or new directory to --out",
            db.display()
        )));
    }
    let decks_dir = out.join("decks");
    std::fs::create_dir_all(&decks_dir).map_err(|e| Error::io(&decks_dir, e))?;
    for (name, text) in deck_files(options) {
        let path = decks_dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }

    let history = History::build(options)?;
    let counts = history.counts;
    let summary = Summary {
        cards: options.cards,
        decks: options.deck_count(),
        entries: history.events.len(),
        reviews: counts.reviews,
        drills: history.events.len() - counts.reviews,
        failed: counts.failed,
        reviewed_cards: counts.reviewed_cards,
        new_cards: options.cards - counts.reviewed_cards,
        leeches: counts.leeches,
        first_day: history.events.first().map(|e| e.day),
        last_day: history.events.iter().map(|e| e.day).max(),
        decks_dir,
        db,
    };
    let mut store = Store::open(&summary.db)?;
    for chunk in history.events.chunks(CHUNK) {
        let entries: Vec<LogEntry> = chunk.iter().map(|e| history.entry(e)).collect();
        store.append_bulk(&entries)?;
    }
    // The rebuild reads the whole log back: free the events first.
    drop(history);
    store.rebuild()?;
    Ok(summary)
}

/// The whole review log [`generate`] would write, in memory and in replay order (for benchmarks
/// and tests that need a realistic log without a database).
pub fn review_log(options: &Options) -> Result<Vec<LogEntry>, Error> {
    options.check()?;
    let history = History::build(options)?;
    Ok(history.events.iter().map(|e| history.entry(e)).collect())
}

/// The deck files [`generate`] writes, as `(file name, TOML text)`, in file-name order.
/// `deck::load_sources` reads them as they are.
pub fn deck_files(options: &Options) -> Vec<(String, String)> {
    let decks = options.deck_count();
    let words = words();
    (0..decks)
        .map(|deck| {
            let (first, end) = deck_range(options.cards, decks, deck);
            let mut rng = Rng::new(options.seed, STREAM_DECK, deck as u64);
            let topic = *rng.pick(TOPICS);
            let mut text = String::with_capacity((end - first) * 400 + 200);
            text.push_str(&format!(
                "[deck]\nid = \"gen-{deck:02}\"\nname = \"Generated {deck:02}: {topic}\"\n\
                 description = \"Generated cards about {} (seed {}).\"\n",
                topic.to_lowercase(),
                options.seed
            ));
            for card in first..end {
                write_card(&mut text, &words, options.seed, deck, card, topic);
            }
            (format!("deck-{deck:02}.toml"), text)
        })
        .collect()
}

/// The id of card `card` (counted over all decks) in deck `deck`.
pub fn card_id(deck: usize, card: usize) -> String {
    format!("gen-{deck:02}-{card:06}")
}

/// Cards `first..end` of `cards` belong to deck `deck` of `decks`.
fn deck_range(cards: usize, decks: usize, deck: usize) -> (usize, usize) {
    (deck * cards / decks, (deck + 1) * cards / decks)
}

/// Every card id, in card order.
fn card_ids(options: &Options) -> Vec<String> {
    let decks = options.deck_count();
    let mut ids = Vec::with_capacity(options.cards);
    for deck in 0..decks {
        let (first, end) = deck_range(options.cards, decks, deck);
        ids.extend((first..end).map(|card| card_id(deck, card)));
    }
    ids
}

fn write_card(text: &mut String, words: &[&str], seed: u64, deck: usize, card: usize, topic: &str) {
    let mut rng = Rng::new(seed, STREAM_TEXT, card as u64);
    let id = card_id(deck, card);
    let opener = *rng.pick(OPENERS);
    let front_words = 8 + rng.below(4) as usize;
    let mut front = String::from(opener);
    push_words(&mut front, words, &mut rng, front_words);
    front.push('?');
    let mut back = String::new();
    let mut left = 24 + rng.below(13) as usize;
    while left > 0 {
        let sentence = (6 + rng.below(10) as usize).min(left);
        if !back.is_empty() {
            back.push(' ');
        }
        let start = back.len();
        push_words(&mut back, words, &mut rng, sentence);
        // `push_words` starts with a space; capitalise the sentence's first word instead.
        back.remove(start);
        back[start..=start].make_ascii_uppercase();
        back.push('.');
        left -= sentence;
    }
    let tag = *rng.pick(words);
    let level = match rng.below(20) {
        0..=6 => Some("junior"),
        7..=12 => Some("senior"),
        13..=15 => Some("principal"),
        _ => None,
    };
    text.push_str(&format!(
        "\n[[card]]\nid = \"{id}\"\nfront = \"{front}\"\nback = \"{back}\"\n\
         tags = [\"generated\", \"{}\", \"{tag}\"]\n",
        topic.to_lowercase()
    ));
    if let Some(level) = level {
        text.push_str(&format!("level = \"{level}\"\n"));
    }
}

/// Appends `n` of `words`, each preceded by a space.
fn push_words(out: &mut String, words: &[&str], rng: &mut Rng, n: usize) {
    for _ in 0..n {
        out.push(' ');
        out.push_str(rng.pick::<&str>(words));
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, one independent stream per purpose and item.

const STREAM_PLAN: u64 = 1;
const STREAM_HISTORY: u64 = 2;
const STREAM_TEXT: u64 = 3;
const STREAM_FIT: u64 = 4;
const STREAM_EVENTS: u64 = 5;
const STREAM_DECK: u64 = 6;
const STREAM_SESSION: u64 = 7;
const STREAM_IDS: u64 = 8;

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// splitmix64's finaliser: a bijection on `u64` that scrambles every bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64 (Steele, Lea and Flood 2014): tiny, fast, and fixed forever.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// The stream for item `index` of purpose `stream` under `seed`.
    fn new(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix64(
            seed ^ mix64(stream.wrapping_mul(GOLDEN) ^ mix64(index.wrapping_add(GOLDEN))),
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Histories.

/// A card's fixed traits, drawn once.
#[derive(Debug, Clone, Copy)]
struct Plan {
    reviewed: bool,
    /// Where in the introduction span the card was first reviewed, in `[0, 1)`.
    start: f64,
    /// Base chance of failing a review, 0.04–0.20, most cards near the low end.
    difficulty: f64,
}

impl Plan {
    fn draw(seed: u64, card: usize) -> Plan {
        let mut rng = Rng::new(seed, STREAM_PLAN, card as u64);
        let reviewed = rng.unit() >= NEW_SHARE;
        let start = rng.unit();
        let u = rng.unit();
        Plan {
            reviewed,
            start,
            difficulty: 0.04 + 0.16 * u * u,
        }
    }
}

/// The calibrated knob: cards were introduced over the last `span` days, and passing answers
/// are graded 3 ("hard", which lowers SM-2's easiness and so shortens every later interval)
/// `hard` times as often as at first.
#[derive(Debug, Clone, Copy)]
struct Knob {
    span: u32,
    hard: f64,
}

impl Knob {
    /// `k` in `[0, 1]` stretches the introduction span from two weeks to the whole window;
    /// `k` in `(1, 2]` then makes "hard" answers up to four times as common. More of either
    /// means more reviews; the failure rate stays what the cards' difficulty makes it.
    fn at(k: f64) -> Knob {
        if k <= 1.0 {
            Knob {
                span: 14 + (f64::from(WINDOW_DAYS - 14) * k) as u32,
                hard: 1.0,
            }
        } else {
            Knob {
                span: WINDOW_DAYS,
                hard: 1.0 + 3.0 * (k.min(2.0) - 1.0),
            }
        }
    }
}

/// One scheduled review of one card.
#[derive(Debug, Clone, Copy)]
struct Step {
    day: NaiveDate,
    grade: Grade,
    before: CardState,
    after: CardState,
    /// This review made the card a leech (and so ended its history).
    leech: bool,
}

fn lapses(state: &CardState) -> u32 {
    state.memory().map_or(0, |m| m.lapses)
}

/// Simulates the card's reviews up to the day before `now`, calling `visit` on each; returns
/// how many there were. Each step draws the same number of random numbers whatever the knob,
/// so calibration sees smooth changes.
fn simulate(
    id: &str,
    plan: Plan,
    knob: Knob,
    seed: u64,
    card: usize,
    now: NaiveDate,
    mut visit: impl FnMut(Step),
) -> usize {
    if !plan.reviewed {
        return 0;
    }
    let mut rng = Rng::new(seed, STREAM_HISTORY, card as u64);
    let span = knob.span.max(1);
    let offset = ((plan.start * f64::from(span)) as u32).min(span - 1);
    let Some(mut day) = now.checked_sub_days(Days::new(u64::from(span - offset))) else {
        return 0;
    };
    let mut state = CardState::New;
    let mut late = 0u32;
    let mut count = 0;
    while day < now {
        let (u_fail, u_grade, u_late, u_days) = (rng.unit(), rng.unit(), rng.unit(), rng.unit());
        let mut chance = plan.difficulty;
        match state.memory() {
            None => chance *= 1.5,
            Some(m) => chance *= 1.0 + (f64::from(late) / f64::from(m.interval.max(1))).min(1.0),
        }
        let hard = ((0.12 + plan.difficulty) * knob.hard).min(0.6);
        let grade = grade_for(u_fail < chance.min(0.6), u_grade, hard);
        let after = scheduler::schedule(state, grade, day, id, &Rules::default());
        let leech = scheduler::turns_leech(lapses(&state), lapses(&after));
        visit(Step {
            day,
            grade,
            before: state,
            after,
            leech,
        });
        count += 1;
        let Some(memory) = after.memory().copied() else {
            break;
        };
        if leech {
            break;
        }
        state = after;
        // Mostly on the day; sometimes a little late; rarely weeks late.
        late = if u_late < 0.70 {
            0
        } else if u_late < 0.88 {
            1 + (u_days * 2.0) as u32
        } else if u_late < 0.97 {
            3 + (u_days * 5.0) as u32
        } else {
            8 + (u_days * 23.0) as u32
        };
        match memory.due.checked_add_days(Days::new(u64::from(late))) {
            Some(next) => day = next,
            None => break,
        }
    }
    count
}

/// A failing grade (mostly 1, "Again") or a passing one: 3 with probability `hard`, else
/// mostly 4.
fn grade_for(failed: bool, u: f64, hard: f64) -> Grade {
    let value = if failed {
        if u < 0.7 {
            1
        } else if u < 0.9 {
            2
        } else {
            0
        }
    } else if u < hard {
        3
    } else if u < hard + (1.0 - hard) * 0.7 {
        4
    } else {
        5
    };
    Grade::new(value).unwrap_or(Grade::GOOD)
}

/// Finds the knob whose histories come closest to `target` scheduled reviews, simulating an
/// evenly spread sample of cards at each bisection step.
fn calibrate(options: &Options, ids: &[String], plans: &[Plan], target: usize) -> Knob {
    let sample: Vec<usize> = if ids.len() <= SAMPLE_CARDS {
        (0..ids.len()).collect()
    } else {
        (0..SAMPLE_CARDS)
            .map(|j| j * ids.len() / SAMPLE_CARDS)
            .collect()
    };
    let scale = ids.len() as f64 / sample.len().max(1) as f64;
    let estimate = |k: f64| {
        let knob = Knob::at(k);
        let count: usize = sample
            .iter()
            .map(|&c| {
                simulate(
                    &ids[c],
                    plans[c],
                    knob,
                    options.seed,
                    c,
                    options.now,
                    |_| {},
                )
            })
            .sum();
        count as f64 * scale
    };
    let target = target as f64;
    let (mut lo, mut hi) = (0.0, 2.0);
    if estimate(hi) <= target {
        return Knob::at(hi);
    }
    if estimate(lo) >= target {
        return Knob::at(lo);
    }
    for _ in 0..20 {
        let mid = f64::midpoint(lo, hi);
        if estimate(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Knob::at(f64::midpoint(lo, hi))
}

/// One log entry, compactly, until it is written.
#[derive(Debug, Clone, Copy)]
struct Event {
    at_ms: i64,
    /// The random part of the id: 16 bits, then 64 that are unique to the event.
    id_high: u16,
    id_low: u64,
    card: u32,
    day: NaiveDate,
    kind: EntryKind,
    grade: Grade,
    duration_ms: u32,
    before: CardState,
    after: CardState,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    reviews: usize,
    failed: usize,
    reviewed_cards: usize,
    leeches: usize,
}

/// The whole log, in replay order.
struct History {
    ids: Vec<String>,
    events: Vec<Event>,
    counts: Counts,
}

impl History {
    fn build(options: &Options) -> Result<History, Error> {
        let ids = card_ids(options);
        let mut plans: Vec<Plan> = (0..ids.len())
            .map(|c| Plan::draw(options.seed, c))
            .collect();
        if options.reviews > 0 && !plans.iter().any(|p| p.reviewed) {
            plans[0].reviewed = true;
        }
        let drills = if options.reviews >= 50 {
            (options.reviews as f64 * DRILL_SHARE) as usize
        } else {
            0
        };
        let wanted = options.reviews - drills;
        let knob = calibrate(options, &ids, &plans, wanted);

        // Every card's natural history, card after card.
        let mut steps: Vec<Step> = Vec::with_capacity(wanted + wanted / 8);
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(ids.len());
        for (c, id) in ids.iter().enumerate() {
            let first = steps.len();
            let n = simulate(id, plans[c], knob, options.seed, c, options.now, |s| {
                steps.push(s);
            });
            ranges.push((first, n));
        }
        if options.reviews > 0 && steps.is_empty() {
            return Err(Error::Usage("no card could be reviewed".into()));
        }

        let drills_after = fit(options, &steps, &mut ranges, wanted);
        let (mut events, counts) = events(options, &steps, &ranges, &drills_after);
        // Ids: the low 64 random bits are a bijection of the event's number, so no two collide.
        let key = mix64(options.seed ^ STREAM_IDS.wrapping_mul(GOLDEN));
        for (n, event) in events.iter_mut().enumerate() {
            let n = n as u64;
            event.id_low = mix64(key.wrapping_add(n));
            event.id_high = (mix64(key ^ n.wrapping_mul(GOLDEN)) >> 48) as u16;
        }
        events.sort_unstable_by_key(|e| (e.at_ms, e.id_high, e.id_low));
        Ok(History {
            ids,
            events,
            counts,
        })
    }

    fn entry(&self, event: &Event) -> LogEntry {
        LogEntry {
            id: ReviewId(format!(
                "{:012x}{:04x}{:016x}",
                event.at_ms.max(0) & 0xffff_ffff_ffff,
                event.id_high,
                event.id_low
            )),
            card_id: CardId(self.ids[event.card as usize].clone()),
            reviewed_at: DateTime::from_timestamp_millis(event.at_ms).unwrap_or_default(),
            day: event.day,
            kind: event.kind,
            grade: Some(event.grade),
            duration_ms: event.duration_ms,
            undoes: None,
            until: None,
            before: event.before,
            after: event.after,
        }
    }
}

/// Makes the log exactly `options.reviews` entries long: drops the last reviews of randomly
/// chosen cards (shortening `ranges`) down to at most `wanted`, then returns how many re-drills
/// follow each step, placed after random answers graded below 4.
fn fit(
    options: &Options,
    steps: &[Step],
    ranges: &mut [(usize, usize)],
    wanted: usize,
) -> Vec<u32> {
    let mut rng = Rng::new(options.seed, STREAM_FIT, 0);
    let kept_total = steps.len().min(wanted);
    let mut candidates: Vec<usize> = (0..ranges.len()).filter(|&c| ranges[c].1 > 0).collect();
    for _ in kept_total..steps.len() {
        let j = rng.below(candidates.len() as u64) as usize;
        let c = candidates[j];
        ranges[c].1 -= 1;
        if ranges[c].1 == 0 {
            candidates.swap_remove(j);
        }
    }
    let mut drills_after = vec![0u32; steps.len()];
    let kept = || {
        ranges
            .iter()
            .flat_map(|&(first, n)| first..first + n)
            .collect::<Vec<usize>>()
    };
    let mut eligible: Vec<usize> = kept()
        .into_iter()
        .filter(|&s| steps[s].grade < Grade::GOOD)
        .collect();
    if eligible.is_empty() {
        eligible = kept();
    }
    for _ in kept_total..options.reviews {
        let s = eligible[rng.below(eligible.len() as u64) as usize];
        drills_after[s] += 1;
    }
    drills_after
}

/// The log's entries, card after card (not yet in time order, ids not yet given), and what
/// they hold.
fn events(
    options: &Options,
    steps: &[Step],
    ranges: &[(usize, usize)],
    drills_after: &[u32],
) -> (Vec<Event>, Counts) {
    let mut events = Vec::with_capacity(options.reviews);
    let mut counts = Counts::default();
    for (c, &(first, n)) in ranges.iter().enumerate() {
        let mut rng = Rng::new(options.seed, STREAM_EVENTS, c as u64);
        counts.reviewed_cards += usize::from(n > 0);
        for (s, step) in steps[first..first + n].iter().enumerate() {
            counts.reviews += 1;
            counts.failed += usize::from(!step.grade.passed());
            counts.leeches += usize::from(step.leech);
            let mut at_ms =
                session_start_ms(options.seed, step.day) + rng.below(90 * 60_000) as i64;
            let duration_ms = if step.grade.passed() {
                2_500 + rng.below(9_000) as u32 + if step.grade == Grade::HARD { 4_000 } else { 0 }
            } else {
                8_000 + rng.below(20_000) as u32
            };
            events.push(Event {
                at_ms,
                id_high: 0,
                id_low: 0,
                card: c as u32,
                day: step.day,
                kind: EntryKind::Review,
                grade: step.grade,
                duration_ms,
                before: step.before,
                after: step.after,
            });
            // Re-drills until graded 4 or more, a minute or a few later.
            let redrills = drills_after[first + s];
            for d in 0..redrills {
                at_ms += i64::from(duration_ms) + 45_000 + rng.below(240_000) as i64;
                let last = d + 1 == redrills;
                let grade = match (last, rng.below(4)) {
                    (false, 0) => Grade::AGAIN,
                    (false, _) => Grade::HARD,
                    (true, 0) => Grade::EASY,
                    (true, _) => Grade::GOOD,
                };
                events.push(Event {
                    at_ms,
                    id_high: 0,
                    id_low: 0,
                    card: c as u32,
                    day: step.day,
                    kind: EntryKind::Drill,
                    grade,
                    duration_ms: 1_500 + rng.below(6_000) as u32,
                    before: step.after,
                    after: step.after,
                });
            }
        }
    }
    (events, counts)
}

/// When the day's study session began (UTC ms): some time between 07:00 and 21:00.
fn session_start_ms(seed: u64, day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let mut rng = Rng::new(seed, STREAM_SESSION, midnight.timestamp() as u64);
    midnight.timestamp_millis() + 7 * 3_600_000 + rng.below(14 * 3_600_000) as i64
}

// ---------------------------------------------------------------------------------------------
// Text.

const OPENERS: &[&str] = &[
    "What", "Why", "How", "When", "Which", "Where", "Explain", "Describe", "Compare", "Name",
];

const TOPICS: &[&str] = &[
    "Caching",
    "Indexes",
    "Replication",
    "Queues",
    "Networking",
    "Security",
    "Observability",
    "Concurrency",
    "Storage",
    "Protocols",
    "Scaling",
    "Testing",
    "Deployment",
    "Consistency",
    "Compilers",
    "Scheduling",
];

/// The vocabulary of generated text, separated by whitespace (see [`words`]).
const WORDS: &str = "\
the a of to in and for with on by from when that which each every more less than under \
after before between without across during through cache index query table row column page \
buffer queue message broker consumer producer topic partition replica leader follower \
quorum consensus log snapshot checkpoint transaction lock latch deadlock isolation commit \
rollback write read latency throughput bandwidth request response client server proxy \
gateway socket connection pool thread process event loop callback future stream \
backpressure retry timeout deadline budget circuit breaker fallback shard hash ring range \
key value store disk memory network packet header payload schema migration version deploy \
rollout canary metric trace span alert dashboard error failure outage incident recovery \
backup restore durable consistent available partitioned eventual strong stale fresh hot \
cold warm large small fast slow cheap expensive safe unsafe idempotent ordered unordered \
bounded unbounded sorted compressed encrypted signed verified token session cookie \
certificate handshake cipher secret permission role tenant quota limit rate burst window \
counter clock tick epoch offset cursor batch chunk block file segment compaction tombstone \
bloom filter tree node leaf root branch merge split join scan seek sort plan cost estimate \
statistic histogram sample load balance scale replicate invalidate evict expire refresh \
prefetch serialize decode encode parse validate reject accept drain flush sync acknowledge \
publish subscribe poll push pull";

/// [`WORDS`] as a list.
fn words() -> Vec<&'static str> {
    WORDS.split_whitespace().collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::store::project;

    fn small(seed: u64) -> Options {
        Options {
            cards: 200,
            reviews: 2_000,
            decks: 50,
            seed,
            now: default_now(),
        }
    }

    fn read_decks(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("decks"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_small_collection_loads_and_its_state_equals_a_replay_of_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let options = small(7);
        let summary = generate(&options, dir.path()).unwrap();
        assert_eq!(
            (summary.cards, summary.decks, summary.entries),
            (200, 50, 2_000)
        );
        assert_eq!(summary.reviews + summary.drills, 2_000);

        let library = crate::deck::load(&[dir.path().join("decks")]).unwrap();
        let generated: Vec<_> = library
            .cards
            .iter()
            .filter(|c| c.id.0.starts_with("gen-"))
            .collect();
        assert_eq!(generated.len(), 200);
        assert!(generated.iter().all(|c| c.deck.0.starts_with("gen-")));
        let words = |s: &str| s.split_whitespace().count();
        let fronts = generated.iter().map(|c| words(&c.front)).sum::<usize>() / 200;
        let backs = generated.iter().map(|c| words(&c.back)).sum::<usize>() / 200;
        assert!((8..=13).contains(&fronts), "front words {fronts}");
        assert!((25..=35).contains(&backs), "back words {backs}");

        let mut store = Store::open(&summary.db).unwrap();
        let log = store.log().unwrap();
        assert_eq!(log.len(), 2_000);
        let records = store.records().unwrap();
        store.rebuild().unwrap();
        assert_eq!(store.records().unwrap(), records);
        assert_eq!(project(&log, &Rules::default()), records);

        // Every entry's before and after are what the scheduler gives, in time order per card.
        let first_day = options.now - Days::new(u64::from(WINDOW_DAYS));
        let mut states: HashMap<&CardId, (CardState, DateTime<chrono::Utc>)> = HashMap::new();
        for entry in &log {
            assert!(library.get(&entry.card_id).is_some(), "{}", entry.card_id);
            assert!(
                entry.day >= first_day && entry.day < options.now,
                "{}",
                entry.day
            );
            assert_eq!(entry.id.0.len(), 32);
            assert!(
                entry
                    .id
                    .0
                    .starts_with(&format!("{:012x}", entry.reviewed_at.timestamp_millis()))
            );
            let (state, last) = states
                .entry(&entry.card_id)
                .or_insert((CardState::New, DateTime::UNIX_EPOCH));
            assert!(entry.reviewed_at > *last, "{} out of order", entry.card_id);
            *last = entry.reviewed_at;
            assert_eq!(entry.before, *state, "{}", entry.card_id);
            let grade = entry.grade.unwrap();
            match entry.kind {
                EntryKind::Review => {
                    let after = scheduler::schedule(
                        *state,
                        grade,
                        entry.day,
                        &entry.card_id.0,
                        &Rules::default(),
                    );
                    assert_eq!(entry.after, after);
                    *state = after;
                }
                EntryKind::Drill => assert_eq!(entry.after, entry.before),
                other => panic!("unexpected {other:?}"),
            }
        }

        // Plausible: most cards reviewed, about a tenth new, failures in proportion.
        assert_eq!(summary.reviewed_cards, states.len());
        assert!(
            (10..=35).contains(&summary.new_cards),
            "{} new",
            summary.new_cards
        );
        let failed = summary.failed as f64 / summary.reviews as f64;
        assert!((0.05..=0.25).contains(&failed), "failure rate {failed}");
        assert!(
            summary.drills > 0 && summary.drills < 200,
            "{} drills",
            summary.drills
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_files_and_log_and_another_seed_does_not() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        generate(&small(3), a.path()).unwrap();
        generate(&small(3), b.path()).unwrap();
        generate(&small(4), c.path()).unwrap();
        assert_eq!(read_decks(a.path()), read_decks(b.path()));
        assert_ne!(read_decks(a.path()), read_decks(c.path()));
        let log = |dir: &tempfile::TempDir| {
            Store::open(&dir.path().join("recall.db"))
                .unwrap()
                .log()
                .unwrap()
        };
        assert_eq!(log(&a), log(&b));
        assert_ne!(log(&a), log(&c));
        assert_eq!(log(&a), review_log(&small(3)).unwrap());
    }

    #[test]
    fn an_existing_database_is_not_added_to() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            cards: 10,
            reviews: 30,
            ..small(1)
        };
        generate(&options, dir.path()).unwrap();
        let err = generate(&options, dir.path()).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
    }

    #[test]
    fn odd_sizes_still_give_exactly_the_requested_entries() {
        for (cards, reviews) in [(1, 1), (1, 40), (3, 0), (50, 20), (20, 2_000)] {
            let options = Options {
                cards,
                reviews,
                ..small(9)
            };
            let log = review_log(&options).unwrap();
            assert_eq!(log.len(), reviews, "{cards} cards");
        }
        let none = Options {
            cards: 0,
            reviews: 5,
            ..small(9)
        };
        assert!(review_log(&none).is_err());
    }
}
