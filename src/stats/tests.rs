use super::*;
use crate::deck::load_sources;
use crate::scheduler::{CardState, Memory};
use crate::types::{Easiness, Grade};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn library() -> crate::deck::Library {
    let text = "[deck]\nid = \"d\"\nname = \"Deck\"\n\n\
        [[card]]\nid = \"a\"\nfront = \"A?\"\nback = \"a\"\nlevel = \"junior\"\nsource = \"Part > One (g.md:1)\"\n\n\
        [[card]]\nid = \"b\"\nfront = \"B?\"\nback = \"b\"\nlevel = \"senior\"\nsource = \"Part > One (g.md:2)\"\n\n\
        [[card]]\nid = \"c\"\nfront = \"C?\"\nback = \"c\"\nsource = \"Part > Two (g.md:3)\"\n";
    load_sources(&[("d.toml".into(), text.into())]).unwrap()
}

fn answer(card: &str, on: &str, kind: EntryKind, grade: u8, interval: Option<u32>) -> Answer {
    Answer {
        card_id: CardId(card.into()),
        day: day(on),
        kind,
        grade: Grade::new(grade).unwrap(),
        duration_ms: 10_000,
        interval_before: interval,
    }
}

fn scheduled(due: &str, interval: u32, repetitions: u32) -> CardRecord {
    CardRecord {
        state: CardState::Scheduled(Memory {
            repetitions,
            easiness: Easiness::INITIAL,
            interval,
            due: day(due),
            lapses: 0,
            reviews: repetitions,
            last_review: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            fsrs: None,
            learning: None,
        }),
        ..CardRecord::default()
    }
}

/// The figures for the fixture library's cards, counting only their answers (as a filtered
/// `stats` does).
fn figures(answers: &[Answer], records: &HashMap<CardId, CardRecord>) -> Stats {
    let lib = library();
    let today = day("2026-03-10");
    let in_scope: HashSet<&CardId> = lib.cards.iter().map(|c| &c.id).collect();
    let activity = activity_of(answers, &in_scope, today);
    let cards = lib.cards.iter().map(|c| {
        let record = records.get(&c.id).copied().unwrap_or_default();
        CardFacts::of(c, "Deck", record, &activity)
    });
    compute(&activity, cards, today)
}

#[test]
fn streaks_survive_today_not_yet_studied_but_not_a_missed_day() {
    let days = |list: &[&str]| list.iter().map(|d| day(d)).collect::<HashSet<_>>();
    let today = day("2026-03-10");
    assert_eq!(
        streaks(
            &days(&[
                "2026-03-01",
                "2026-03-02",
                "2026-03-03",
                "2026-03-08",
                "2026-03-09"
            ]),
            today
        ),
        Streak {
            current: 2,
            longest: 3
        }
    );
    assert_eq!(
        streaks(&days(&["2026-03-08"]), today),
        Streak {
            current: 0,
            longest: 1
        }
    );
    assert_eq!(streaks(&HashSet::new(), today), Streak::default());
}

#[test]
fn a_fixed_log_gives_known_figures() {
    let answers = vec![
        // 2026-03-01: first reviews (not retention tests).
        answer("a", "2026-03-01", EntryKind::Review, 4, None),
        answer("b", "2026-03-01", EntryKind::Review, 4, None),
        // Young reviews: one pass, one fail, and a drill (not a scheduled review).
        answer("a", "2026-03-02", EntryKind::Review, 4, Some(1)),
        answer("b", "2026-03-02", EntryKind::Review, 2, Some(1)),
        answer("b", "2026-03-02", EntryKind::Drill, 4, Some(1)),
        // A mature pass long ago, and a mature fail within 30 days.
        answer("a", "2025-12-01", EntryKind::Review, 5, Some(30)),
        answer("a", "2026-03-09", EntryKind::Review, 1, Some(40)),
        // Today: a review of c (new) and a cram answer.
        answer("c", "2026-03-10", EntryKind::Review, 3, None),
        answer("a", "2026-03-10", EntryKind::Cram, 2, None),
        // Another card's answers are out of scope.
        answer("zzz", "2026-03-10", EntryKind::Review, 5, Some(3)),
    ];
    let records: HashMap<CardId, CardRecord> = [
        (CardId("a".into()), scheduled("2026-03-11", 1, 0)),
        (CardId("b".into()), scheduled("2026-03-05", 6, 2)),
        (CardId("c".into()), scheduled("2026-03-30", 25, 3)),
    ]
    .into();
    let s = figures(&answers, &records);
    assert_eq!(s.today.reviewed, 1);
    assert_eq!(s.today.new_learned, 1);
    assert_eq!(s.today.answers, 2);
    assert_eq!(s.today.time_ms, 20_000);
    assert_eq!(s.today.accuracy, Some(0.5));
    let r = s.retention;
    assert_eq!((r.young_30d.passed, r.young_30d.total), (1, 2));
    assert_eq!((r.young_all.passed, r.young_all.total), (1, 2));
    assert_eq!((r.mature_30d.passed, r.mature_30d.total), (0, 1));
    assert_eq!((r.mature_all.passed, r.mature_all.total), (1, 2));
    // Forecast: b is overdue (counts today), a tomorrow, c on day 20.
    assert_eq!(s.forecast_30d[0].count, 1);
    assert_eq!(s.forecast_30d[1].count, 1);
    assert_eq!(s.forecast_30d[20].count, 1);
    assert_eq!(s.forecast_30d.iter().map(|d| d.count).sum::<usize>(), 3);
    // Study days 03-01, 03-02, 03-09, 03-10 (and 2025-12-01): current 2, longest 2.
    assert_eq!(
        s.streak,
        Streak {
            current: 2,
            longest: 2
        }
    );
    // Counts: a learning (0 repetitions), b young, c mature.
    assert_eq!((s.cards.learning, s.cards.young, s.cards.mature), (1, 1, 1));
    assert_eq!(s.by_level["junior"].learning, 1);
    assert_eq!(s.by_level["none"].mature, 1);
    // The outline: Part > One has a and b (b young, so 1 learned), Part > Two has c.
    assert_eq!(s.outline.len(), 2);
    assert_eq!(
        (
            s.outline[0].path.as_str(),
            s.outline[0].learned,
            s.outline[0].total
        ),
        ("Part > One", 1, 2)
    );
    assert_eq!((s.outline[1].learned, s.outline[1].total), (1, 1));
    assert_eq!(
        (s.outline[0].retention.passed, s.outline[0].retention.total),
        (2, 4)
    );
    // Heatmap: 53 weeks, ending on this week's Saturday; today's cell has 2.
    assert_eq!(s.heatmap.len(), 371);
    assert_eq!(
        s.heatmap.last().unwrap().day.weekday(),
        chrono::Weekday::Sat
    );
    assert_eq!(
        s.heatmap
            .iter()
            .find(|d| d.day == day("2026-03-10"))
            .unwrap()
            .count,
        2
    );
    assert_eq!(s.reviews_30d.len(), 30);
    assert_eq!(s.reviews_30d[29].count, 2);
    assert_eq!(s.reviews_30d.iter().map(|d| d.count).sum::<usize>(), 9 - 1);
}

#[test]
fn the_text_report_fits_narrow_terminals_and_has_every_section() {
    let s = figures(
        &[answer("a", "2026-03-09", EntryKind::Review, 4, Some(2))],
        &HashMap::new(),
    );
    for width in [40, 60, 80, 100] {
        let text = text::render(&s, width, false);
        for heading in [
            "Today",
            "Streak",
            "past year",
            "last 30 days",
            "next 30 days",
            "Retention",
            "Cards by deck",
            "Cards by level",
            "The guide",
        ] {
            assert!(text.contains(heading), "{width}: missing {heading}");
        }
        for line in text.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= width.max(40) + 2,
                "{width}: {line}"
            );
        }
        assert!(!text.contains('\x1b'));
    }
}

#[test]
fn the_html_page_is_well_formed_and_holds_each_chart() {
    let s = figures(
        &[answer("a", "2026-03-09", EntryKind::Review, 4, Some(2))],
        &HashMap::new(),
    );
    let page = html::render(&s);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert_eq!(
        page.matches("<svg").count(),
        3,
        "heatmap and two bar charts"
    );
    assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
    assert_eq!(
        page.matches("<table").count(),
        page.matches("</table>").count()
    );
    assert!(page.contains("class=\"heatmap\"") && page.contains("Due forecast"));
    assert!(!page.contains("<script"), "self-contained and inert");
}

#[test]
fn activity_figures_count_every_answer_given_but_card_figures_only_the_cards_given() {
    // Unfiltered, `stats` passes the activity of the whole log: answers of a card whose deck
    // is no longer loaded ("gone") are reviews the learner did and count in the activity
    // figures, but the card is in no count, deck, level or section.
    let today = day("2026-03-10");
    let answers = [
        answer("a", "2026-03-09", EntryKind::Review, 4, Some(3)),
        answer("gone", "2026-03-09", EntryKind::Review, 2, Some(30)),
        answer("gone", "2026-03-10", EntryKind::Review, 5, Some(1)),
    ];
    let everything: HashSet<&CardId> = answers.iter().map(|a| &a.card_id).collect();
    let activity = activity_of(&answers, &everything, today);
    let lib = library();
    let cards = lib
        .cards
        .iter()
        .map(|c| CardFacts::of(c, "Deck", CardRecord::default(), &activity));
    let s = compute(&activity, cards, today);
    assert_eq!((s.today.reviewed, s.today.answers), (1, 1));
    assert_eq!(s.streak.current, 2);
    assert_eq!(s.reviews_30d.iter().map(|d| d.count).sum::<usize>(), 3);
    assert_eq!(
        (s.retention.young_all.passed, s.retention.young_all.total),
        (2, 2)
    );
    assert_eq!(
        (s.retention.mature_all.passed, s.retention.mature_all.total),
        (0, 1)
    );
    assert_eq!(s.cards.total(), 3, "the fixture's three cards, not `gone`");
    assert_eq!(
        s.outline.iter().map(|x| x.retention.total).sum::<usize>(),
        1,
        "only card a's review is in a section"
    );
}
