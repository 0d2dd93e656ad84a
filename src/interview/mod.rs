//! Mock interviews: picking questions reproducibly, and the report. Pure: the interactive
//! front ends are in [`run`].

pub mod run;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::deck::Card;
use crate::display::inert;
use crate::store::SavedInterview;
use crate::types::{Grade, Level};

/// A small, fixed pseudo-random generator (splitmix64). `rand`'s `StdRng` may change its
/// algorithm between releases, which would break "the same --seed gives the same questions";
/// this one never changes.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `count` cards drawn from `cards` without repeats, in an order fixed by `seed`.
pub fn pick<'a>(cards: &[&'a Card], count: usize, seed: u64) -> Vec<&'a Card> {
    let mut order: Vec<&Card> = cards.to_vec();
    let mut rng = SplitMix(seed);
    // Fisher-Yates.
    for i in (1..order.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order.truncate(count);
    order
}

/// The section a card belongs to: its source's section path, else its deck id.
pub fn section_of(card: &Card) -> String {
    card.section_or(&card.deck.0).to_string()
}

/// Passed and asked, for one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub passed: usize,
    pub asked: usize,
}

impl Count {
    fn add(&mut self, passed: bool) {
        self.asked += 1;
        self.passed += usize::from(passed);
    }

    fn rate(self) -> f64 {
        if self.asked == 0 {
            0.0
        } else {
            self.passed as f64 / self.asked as f64
        }
    }
}

/// One weak topic and the cards to study for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakTopic {
    pub topic: String,
    pub count: Count,
    /// Ids of the cards missed in this topic.
    pub study: Vec<String>,
}

/// The end-of-interview report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub total: Count,
    /// Percentage of answered questions self-graded Hard or better.
    pub score: f64,
    pub total_ms: u64,
    pub over_time: usize,
    pub by_section: BTreeMap<String, Count>,
    pub by_level: BTreeMap<String, Count>,
    /// Up to three topics with misses, weakest first.
    pub weakest: Vec<WeakTopic>,
}

/// Topic tags of a card: its tags other than its section's own and the structural ones.
fn topics(card: &Card) -> Vec<String> {
    let section_tag = crate::ids::slug(section_of(card).rsplit(" > ").next().unwrap_or(""), 8);
    let topical: Vec<String> = card
        .tags
        .iter()
        .filter(|t| **t != section_tag && *t != "seniority" && *t != "enumeration")
        .cloned()
        .collect();
    if topical.is_empty() {
        card.tags.clone()
    } else {
        topical
    }
}

/// Computes the report over answered questions: `(card, grade, ms, over time)`.
pub fn report(answers: &[(&Card, Grade, u32, bool)]) -> Report {
    let mut total = Count::default();
    let mut by_section: BTreeMap<String, Count> = BTreeMap::new();
    let mut by_level: BTreeMap<String, Count> = BTreeMap::new();
    let mut by_topic: BTreeMap<String, (Count, Vec<String>)> = BTreeMap::new();
    let mut total_ms = 0u64;
    let mut over_time = 0;
    for (card, grade, ms, over) in answers {
        let passed = grade.passed();
        total.add(passed);
        total_ms += u64::from(*ms);
        over_time += usize::from(*over);
        by_section.entry(section_of(card)).or_default().add(passed);
        let level = card.level.map_or("unlevelled", Level::as_str).to_string();
        by_level.entry(level).or_default().add(passed);
        for topic in topics(card) {
            let entry = by_topic.entry(topic).or_default();
            entry.0.add(passed);
            if !passed {
                entry.1.push(card.id.0.clone());
            }
        }
    }
    let mut weakest: Vec<WeakTopic> = by_topic
        .into_iter()
        .filter(|(_, (count, _))| count.passed < count.asked)
        .map(|(topic, (count, study))| WeakTopic {
            topic,
            count,
            study,
        })
        .collect();
    weakest.sort_by(|a, b| {
        a.count
            .rate()
            .total_cmp(&b.count.rate())
            .then(b.count.asked.cmp(&a.count.asked))
            .then(a.topic.cmp(&b.topic))
    });
    weakest.truncate(3);
    Report {
        total,
        score: total.rate() * 100.0,
        total_ms,
        over_time,
        by_section,
        by_level,
        weakest,
    }
}

fn seconds(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

impl Report {
    /// The report as text wrapped at word boundaries to `width` columns. `times` are each
    /// answered question's `(question, ms, time ran out)`; `planned` is how many questions
    /// the interview was to ask, so that one ended early says so.
    pub fn render(
        &self,
        times: &[(String, u32, bool)],
        seed: u64,
        planned: usize,
        width: usize,
    ) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "Interview: {} of {} passed, score {:.0}%, {} in all.",
            self.total.passed,
            self.total.asked,
            self.score,
            seconds(self.total_ms)
        );
        if self.total.asked < planned {
            let _ = writeln!(
                text,
                "Ended early: {} of {} answered.",
                self.total.asked,
                crate::display::plural(planned, "question")
            );
        }
        if self.over_time > 0 {
            let _ = writeln!(
                text,
                "Time's up on {}: submitted when the time ran out.",
                crate::display::plural(self.over_time, "question")
            );
        }
        let _ = writeln!(text, "\nTime per question:");
        for (i, (front, ms, over)) in times.iter().enumerate() {
            let front = inert(front).replace('\n', " ");
            let short: String = front.chars().take(60).collect();
            let _ = writeln!(
                text,
                "  {:>2}. {:>9}  {short}{}",
                i + 1,
                seconds(u64::from(*ms)),
                if *over { " (time's up)" } else { "" }
            );
        }
        let _ = writeln!(text, "\nBy guide section:");
        for (section, c) in &self.by_section {
            let _ = writeln!(text, "  {}/{}  {}", c.passed, c.asked, inert(section));
        }
        let _ = writeln!(text, "\nBy level:");
        for (level, c) in &self.by_level {
            let _ = writeln!(text, "  {}/{}  {level}", c.passed, c.asked);
        }
        if self.weakest.is_empty() {
            let _ = writeln!(text, "\nNo weak topics: every question passed.");
        } else {
            let _ = writeln!(text, "\nWeakest topics, with the cards to study:");
            for weak in &self.weakest {
                let _ = writeln!(
                    text,
                    "  {} ({}/{}): {}",
                    inert(&weak.topic),
                    weak.count.passed,
                    weak.count.asked,
                    weak.study
                        .iter()
                        .map(|s| inert(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let _ = writeln!(
                text,
                "  (`recall cram --tag TOPIC` drills a topic without touching your schedule.)"
            );
        }
        let _ = writeln!(
            text,
            "\nSeed {seed}: `--seed {seed}` asks the same questions again."
        );
        let mut wrapped = String::new();
        for line in text.lines() {
            if line.is_empty() {
                wrapped.push('\n');
                continue;
            }
            for part in crate::display::wrap_hanging(line, width, 4) {
                wrapped.push_str(&part);
                wrapped.push('\n');
            }
        }
        wrapped
    }
}

/// `recall interview --history`: one line per saved interview.
pub fn history(interviews: &[SavedInterview]) -> String {
    if interviews.is_empty() {
        return "No interviews yet: `recall interview` starts one.\n".to_string();
    }
    let mut text =
        String::from("date              answered  passed  score  seed                  filter\n");
    for i in interviews {
        let answered = i.answers.len();
        let score = if answered == 0 {
            0.0
        } else {
            i.passed() as f64 * 100.0 / answered as f64
        };
        let _ = writeln!(
            text,
            "{}  {:>5}/{:<3} {:>6}  {:>4.0}%  {:<20}  {}{}",
            i.started_at.format("%Y-%m-%d %H:%M"),
            answered,
            i.questions,
            i.passed(),
            score,
            i.seed,
            inert(&i.filter),
            if i.rescheduled { " (rescheduled)" } else { "" }
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load_sources;

    fn library() -> crate::deck::Library {
        let mut text = String::from("[deck]\nid = \"d\"\nname = \"D\"\n");
        for i in 0..20 {
            let level = ["junior", "senior", "principal"][i % 3];
            let tag = ["caching", "queues"][i % 2];
            text.push_str(&format!(
                "[[card]]\nid = \"c{i}\"\nfront = \"Q{i}?\"\nback = \"A{i}.\"\ntags = [\"part-{}\", \"{tag}\"]\nlevel = \"{level}\"\nsource = \"Guide > Part {} (g.md:{i})\"\n",
                i % 4,
                i % 4
            ));
        }
        load_sources(&[("d.toml".into(), text)]).unwrap()
    }

    #[test]
    fn the_same_seed_picks_the_same_questions_and_another_seed_others() {
        let lib = library();
        let cards: Vec<&Card> = lib.cards.iter().collect();
        let ids = |seed| {
            pick(&cards, 5, seed)
                .iter()
                .map(|c| c.id.0.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(42), ids(42));
        assert_ne!(ids(42), ids(43));
        let unique: std::collections::HashSet<String> = ids(42).into_iter().collect();
        assert_eq!(unique.len(), 5, "no repeats");
        assert_eq!(pick(&cards, 50, 1).len(), 20, "never more than there are");
    }

    #[test]
    fn the_report_says_times_up_and_an_early_end_and_wraps_to_the_width() {
        let lib = library();
        let answers: Vec<(&Card, Grade, u32, bool)> = lib
            .cards
            .iter()
            .take(2)
            .zip([(4, false), (1, true)])
            .map(|(card, (g, over))| (card, Grade::new(g).unwrap(), 180_000, over))
            .collect();
        let times: Vec<(String, u32, bool)> = answers
            .iter()
            .map(|(c, _, ms, over)| (format!("{} {}", c.front, "word ".repeat(20)), *ms, *over))
            .collect();
        let text = report(&answers).render(&times, 7, 5, 40);
        assert!(
            text.contains("Ended early: 2 of 5 questions answered."),
            "{text}"
        );
        assert!(text.contains("Time's up on 1 question"), "{text}");
        assert!(text.contains("(time's up)"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        let whole = report(&answers).render(&times, 7, 2, 200);
        assert!(!whole.contains("Ended early"), "{whole}");
    }

    #[test]
    fn the_report_adds_up() {
        let lib = library();
        let grades = [4, 1, 5, 3, 0, 4, 2, 4];
        let answers: Vec<(&Card, Grade, u32, bool)> = lib
            .cards
            .iter()
            .zip(grades)
            .map(|(card, g)| (card, Grade::new(g).unwrap(), 30_000, g == 0))
            .collect();
        let r = report(&answers);
        assert_eq!(
            r.total,
            Count {
                passed: 5,
                asked: 8
            }
        );
        assert!((r.score - 62.5).abs() < 1e-9);
        assert_eq!(r.total_ms, 240_000);
        assert_eq!(r.over_time, 1);
        let section_sum: usize = r.by_section.values().map(|c| c.asked).sum();
        let level_sum: usize = r.by_level.values().map(|c| c.asked).sum();
        let section_passed: usize = r.by_section.values().map(|c| c.passed).sum();
        assert_eq!((section_sum, level_sum, section_passed), (8, 8, 5));
        assert_eq!(
            r.by_section["Guide > Part 2"],
            Count {
                passed: 1,
                asked: 2
            }
        );
        assert_eq!(
            r.by_section["Guide > Part 3"],
            Count {
                passed: 2,
                asked: 2
            }
        );
        // Misses: c1 (queues), c4 (caching), c6 (caching).
        let weak: Vec<(&str, usize, usize)> = r
            .weakest
            .iter()
            .map(|w| (w.topic.as_str(), w.count.passed, w.count.asked))
            .collect();
        assert_eq!(weak, [("caching", 2, 4), ("queues", 3, 4)]);
        assert_eq!(r.weakest[0].study, ["c4", "c6"]);
    }
}
