//! Laying out the review screen as styled lines for a given terminal size. Pure: the
//! full-screen front end only paints what this returns.

use unicode_width::UnicodeWidthStr;

use super::keys::Screen;
use super::session::{Pile, Remaining};
use super::typed::{Comparison, grade_name};
use crate::config::Grading;
use crate::deck::Card;
use crate::display::{inert, wrap, wrap_keys};
use crate::types::Grade;

/// How a line is painted (colours are chosen by the painter and dropped under `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Header,
    Dim,
    Question,
    Answer,
    Rule,
    Keys,
    Notice,
}

pub type Line = (Style, String);

/// Everything the screen shows.
pub struct View<'a> {
    pub card: &'a Card,
    pub deck_name: &'a str,
    pub pile: Pile,
    pub is_new: bool,
    pub screen: Screen,
    pub remaining: Remaining,
    /// `(answered, total)`.
    pub progress: (usize, usize),
    /// Due cards waiting for later days (over today's limit).
    pub due_later: usize,
    /// "exam in 9 days", while an exam date caps the intervals.
    pub exam: Option<String>,
    pub notice: Option<&'a str>,
    /// What has been typed so far (typed-answer mode, before revealing).
    pub input: Option<&'a str>,
    /// The typed answer compared with the expected one (after revealing).
    pub comparison: Option<&'a Comparison>,
    pub grading: Grading,
    /// A cram session.
    pub cram: bool,
    /// When each grade would show the card next (see [`super::Review::intervals`]); empty:
    /// the keys without intervals.
    pub intervals: &'a [(Grade, String)],
}

/// The grade keys with the interval each gives: the full form ("1 Again 10m · 2 Hard 2d ·
/// 3 Good 4d · 4 Easy 9d") and a short one ("1 10m · 2 2d · 3 4d · 4 9d"). `None` without
/// intervals.
pub fn grade_keys(grading: Grading, intervals: &[(Grade, String)]) -> Option<(String, String)> {
    if intervals.is_empty() {
        return None;
    }
    let key = |position: usize, grade: Grade| match grading {
        Grading::Buttons => (position + 1).to_string(),
        Grading::Scale => grade.value().to_string(),
    };
    let full = intervals
        .iter()
        .enumerate()
        .map(|(i, (grade, when))| match grading {
            Grading::Buttons => format!("{} {} {when}", key(i, *grade), grade_name(*grade)),
            Grading::Scale => format!("{} {when}", key(i, *grade)),
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let short = intervals
        .iter()
        .enumerate()
        .map(|(i, (grade, when))| format!("{} {when}", key(i, *grade)))
        .collect::<Vec<_>>()
        .join(" · ");
    Some((full, short))
}

/// The key help for a screen: the full form when it fits on one line, else a shorter one that
/// does, else the full form wrapped between keys over several lines — never a key cut off.
fn key_help(view: &View<'_>, width: usize) -> Vec<String> {
    let grades = grade_keys(view.grading, view.intervals).unwrap_or_else(|| match view.grading {
        Grading::Buttons => (
            "1 Again · 2 Hard · 3 Good · 4 Easy".into(),
            "1-4 grade".into(),
        ),
        Grading::Scale => (
            "0-5 grade (5 perfect … 0 blackout)".into(),
            "0-5 grade".into(),
        ),
    });
    let accept = view
        .comparison
        .map(|c| format!("Enter: {} · ", grade_name(c.suggested)))
        .unwrap_or_default();
    let tiers: [String; 3] = match view.screen {
        Screen::Question => [
            "Space/Enter reveal · s skip · ! suspend · g guide · u undo · q quit".into(),
            "Space reveal · s skip · ! suspend · g · u · q quit".into(),
            "Space reveal · s ! g u · q quit".into(),
        ],
        Screen::Typing => [
            "type your answer · Enter reveal · Esc quit".into(),
            "Enter reveal · Esc quit".into(),
            "Enter reveal · Esc quit".into(),
        ],
        Screen::Answer => [
            format!(
                "{accept}{} · s skip · ! suspend · g guide · u undo · q quit",
                grades.0
            ),
            format!("{accept}{} · s ! g u · q quit", grades.0),
            format!("{accept}{} · s ! g u · q quit", grades.1),
        ],
    };
    if let Some(line) = tiers.iter().find(|t| t.width() <= width) {
        return vec![line.clone()];
    }
    wrap_keys(&tiers[0], width)
}

fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + 1 >= width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The progress bar `[#####-----] 5/10` fitted to `width`.
pub fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let label = format!(" {done}/{total}");
    let bar_width = width.saturating_sub(label.len() + 2).min(40);
    let filled = (bar_width * done).checked_div(total).unwrap_or(0);
    format!(
        "[{}{}]{label}",
        "█".repeat(filled),
        "░".repeat(bar_width - filled)
    )
}

/// Card text beyond this many characters is cut on screen: no screen shows more, and wrapping
/// a hostile 10 MB field at every keystroke would stall the loop.
pub const MAX_SHOWN_CHARS: usize = 20_000;

/// `text` made inert and cut to [`MAX_SHOWN_CHARS`], saying how much was left out.
fn shown(text: &str) -> String {
    let total = text.chars().count();
    if total <= MAX_SHOWN_CHARS {
        return inert(text);
    }
    let kept: String = text.chars().take(MAX_SHOWN_CHARS).collect();
    format!(
        "{} … ({} more characters not shown)",
        inert(&kept),
        total - MAX_SHOWN_CHARS
    )
}

/// The screen's lines for a terminal of `width` × `height`.
pub fn layout(view: &View<'_>, width: usize, height: usize) -> Vec<Line> {
    let width = width.max(20);
    let inner = width.saturating_sub(4);
    let mut lines: Vec<Line> = Vec::new();
    let r = view.remaining;
    // A cram goes through cards due or not: calling the reviewed ones "due" would be false.
    let mut counts = if view.cram {
        format!("cram {} left · again {}", r.new + r.due, r.learning)
    } else {
        format!("new {} · learning {} · due {}", r.new, r.learning, r.due)
    };
    if view.due_later > 0 {
        counts.push_str(&format!(" · {} wait for later days", view.due_later));
    }
    if let Some(exam) = &view.exam {
        counts.push_str(&format!(" · {exam}"));
    }
    let title = "recall";
    let gap = width.saturating_sub(title.len() + counts.width());
    if gap >= 2 {
        lines.push((Style::Header, format!("{title}{}{counts}", " ".repeat(gap))));
    } else {
        lines.push((Style::Header, fit(&counts, width)));
    }
    lines.push((Style::Rule, "─".repeat(width)));

    let kind = match (view.pile, view.is_new) {
        _ if view.cram => "cram",
        (Pile::Learning, _) => "learning",
        (Pile::Main, true) => "new",
        (Pile::Main, false) => "review",
    };
    let level = view
        .card
        .level
        .map_or(String::new(), |level| format!(" · {level}"));
    let mut meta = format!("{} · {kind}{level}", inert(view.deck_name));
    if meta.width() > width {
        // Narrow: the card's kind and level matter more than the rest of a long deck name.
        meta = format!("{kind}{level} · {}", inert(view.deck_name));
    }
    lines.push((Style::Dim, fit(&meta, width)));
    lines.push((Style::Dim, String::new()));
    for line in wrap(&shown(&view.card.front), inner) {
        lines.push((Style::Question, format!("  {line}")));
    }
    if let Some(input) = view.input {
        lines.push((Style::Dim, String::new()));
        for line in wrap(&format!("Your answer: {}▏", inert(input)), inner) {
            lines.push((Style::Notice, format!("  {line}")));
        }
    }
    if let (Screen::Answer, Some(comparison)) = (view.screen, view.comparison) {
        lines.push((Style::Dim, String::new()));
        for line in wrap(&inert(&comparison.marked()), inner) {
            lines.push((Style::Notice, format!("  {line}")));
        }
        let score = format!(
            "{:.0}% of the answer's words · suggested: {}",
            comparison.score * 100.0,
            grade_name(comparison.suggested)
        );
        for line in wrap(&score, inner) {
            lines.push((Style::Dim, format!("  {line}")));
        }
    }
    if view.screen == Screen::Answer {
        lines.push((Style::Dim, String::new()));
        lines.push((Style::Rule, format!("  {}", "╌".repeat(inner.min(40)))));
        lines.push((Style::Dim, String::new()));
        for line in wrap(&shown(&view.card.back), inner) {
            lines.push((Style::Answer, format!("  {line}")));
        }
    }

    let keys = key_help(view, width);
    let mut footer: Vec<Line> = Vec::new();
    // A notice wraps rather than being cut: it may name the card id `unsuspend` needs, which
    // gets a line of its own rather than being split at a hyphen, and is split only when it
    // is wider than the screen.
    if let Some(notice) = view.notice {
        let options =
            textwrap::Options::new(width).word_splitter(textwrap::WordSplitter::NoHyphenation);
        footer.extend(
            textwrap::wrap(notice, options)
                .into_iter()
                .map(|l| (Style::Notice, l.into_owned())),
        );
    }
    footer.push((
        Style::Dim,
        progress_bar(view.progress.0, view.progress.1, width),
    ));
    footer.extend(keys.into_iter().map(|k| (Style::Keys, k)));

    // The card takes the space above the footer; on a tiny terminal it is cut, never the keys.
    let room = height.saturating_sub(footer.len()).max(1);
    if lines.len() > room {
        lines.truncate(room.saturating_sub(1));
        lines.push((
            Style::Dim,
            fit("… (enlarge the terminal to see the rest)", width),
        ));
    }
    while lines.len() < room {
        lines.push((Style::Dim, String::new()));
    }
    lines.extend(footer);
    lines
}

/// The guide passage screen: `text` wrapped to the width, from line `scroll`; returns the lines
/// and the largest useful scroll offset.
pub fn layout_passage(
    text: &str,
    scroll: usize,
    width: usize,
    height: usize,
) -> (Vec<Line>, usize) {
    let width = width.max(20);
    let body: Vec<String> = wrap(&inert(text), width.saturating_sub(4));
    // The position goes first; on a narrow terminal the keys wrap onto more lines, and the
    // room for the passage is what the widest position would leave.
    let keys = |position: &str| {
        wrap_keys(
            &format!("{position}↑↓ PgUp PgDn scroll · g/Esc back to the card"),
            width,
        )
    };
    let widest = format!("line {0}/{0} · ", body.len());
    let room = height.saturating_sub(2 + keys(&widest).len()).max(1);
    let max_scroll = body.len().saturating_sub(room);
    let scroll = scroll.min(max_scroll);
    let mut lines: Vec<Line> = vec![
        (Style::Header, fit("recall · guide passage", width)),
        (Style::Rule, "─".repeat(width)),
    ];
    lines.extend(
        body.iter()
            .skip(scroll)
            .take(room)
            .map(|l| (Style::Question, format!("  {l}"))),
    );
    let position = if max_scroll == 0 {
        String::new()
    } else {
        format!("line {}/{} · ", scroll + 1, body.len())
    };
    let keys = keys(&position);
    while lines.len() + keys.len() < height {
        lines.push((Style::Dim, String::new()));
    }
    lines.extend(keys.into_iter().map(|k| (Style::Keys, k)));
    (lines, max_scroll)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::Location;
    use crate::types::{CardId, DeckId, Level};

    fn card(front: &str, back: &str) -> Card {
        Card {
            id: CardId("c".into()),
            deck: DeckId("d".into()),
            front: front.into(),
            back: back.into(),
            tags: vec![],
            level: Some(Level::Senior),
            source: None,
            location: Location {
                path: "d.toml".into(),
                line: 1,
                column: 1,
            },
        }
    }

    fn view(card: &Card, screen: Screen) -> View<'_> {
        View {
            card,
            deck_name: "Deck",
            pile: Pile::Main,
            is_new: true,
            screen,
            remaining: Remaining {
                new: 3,
                due: 2,
                learning: 1,
            },
            progress: (4, 10),
            due_later: 0,
            exam: None,
            notice: None,
            input: None,
            comparison: None,
            grading: Grading::Buttons,
            cram: false,
            intervals: &[],
        }
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Each grade key shows the interval it gives, whole on one line at 100 columns and
    /// wrapped between keys, never cut, at 40.
    #[test]
    fn grade_keys_show_their_intervals_at_100_and_40_columns() {
        let c = card("Q?", "A.");
        let intervals: Vec<(Grade, String)> = [(1, "10m"), (3, "2d"), (4, "4d"), (5, "9d")]
            .into_iter()
            .map(|(g, s)| (Grade::new(g).unwrap(), s.to_string()))
            .collect();
        let mut v = view(&c, Screen::Answer);
        v.intervals = &intervals;
        let wide = text(&layout(&v, 100, 24));
        assert!(
            wide.contains("1 Again 10m · 2 Hard 2d · 3 Good 4d · 4 Easy 9d · s skip"),
            "{wide}"
        );
        let narrow = layout(&v, 40, 24);
        let keys: Vec<&str> = narrow
            .iter()
            .filter(|(style, _)| *style == Style::Keys)
            .map(|(_, l)| l.as_str())
            .collect();
        assert!(keys.iter().all(|l| l.width() <= 40), "{keys:?}");
        let joined = keys.join(" · ");
        for key in [
            "1 Again 10m",
            "2 Hard 2d",
            "3 Good 4d",
            "4 Easy 9d",
            "q quit",
        ] {
            assert!(joined.contains(key), "{key} in {keys:?}");
        }
        assert_eq!(
            grade_keys(Grading::Buttons, &intervals).unwrap().1,
            "1 10m · 2 2d · 3 4d · 4 9d"
        );
    }

    #[test]
    fn the_answer_is_hidden_until_revealed() {
        let c = card("What is SM-2?", "A scheduling algorithm.");
        let question = text(&layout(&view(&c, Screen::Question), 80, 24));
        assert!(question.contains("What is SM-2?"));
        assert!(!question.contains("A scheduling algorithm."));
        assert!(question.contains("new 3 · learning 1 · due 2"));
        let answer = text(&layout(&view(&c, Screen::Answer), 80, 24));
        assert!(answer.contains("A scheduling algorithm."));
        assert!(answer.contains("1 Again · 2 Hard · 3 Good · 4 Easy"));
    }

    #[test]
    fn typed_mode_shows_the_input_then_the_comparison_and_suggestion() {
        let c = card("Q?", "the app reads the cache");
        let mut v = view(&c, Screen::Typing);
        v.input = Some("the app writes");
        let typing = text(&layout(&v, 80, 24));
        assert!(typing.contains("Your answer: the app writes▏"), "{typing}");
        assert!(typing.contains("Enter reveal"));
        let comparison = crate::review::typed::compare("the app writes the cache", &c.back);
        let mut v = view(&c, Screen::Answer);
        v.comparison = Some(&comparison);
        let answer = text(&layout(&v, 100, 24));
        assert!(
            answer.contains("the app [-writes] [+reads] the cache"),
            "{answer}"
        );
        assert!(answer.contains("80% of the answer's words · suggested: Hard"));
        assert!(answer.contains("Enter: Hard · 1 Again"));
    }

    #[test]
    fn at_40_columns_a_notice_wraps_and_the_level_stays_visible() {
        let c = card("Q?", "A.");
        let id = "caching-what-is-cache-aside-and-what-does-it-risk-3fa2c1";
        let notice = crate::review::suspended_notice(&CardId(id.into()));
        let mut v = view(&c, Screen::Question);
        v.notice = Some(&notice);
        v.deck_name = "Backend Engineering Knowledge And Skills";
        let lines = layout(&v, 40, 20);
        assert_eq!(lines.len(), 20);
        let screen = text(&lines);
        assert!(screen.replace('\n', "").contains(id), "{screen}");
        assert!(screen.contains("new · senior · Backend"), "{screen}");
        for (_, line) in &lines {
            assert!(line.width() <= 40, "{line:?}");
        }
    }

    #[test]
    fn a_cram_header_counts_cards_left_not_cards_due() {
        let c = card("Q?", "A.");
        let mut v = view(&c, Screen::Question);
        v.cram = true;
        let screen = text(&layout(&v, 80, 24));
        assert!(screen.contains("cram 5 left · again 1"), "{screen}");
        assert!(!screen.contains("due"), "{screen}");
    }

    #[test]
    fn the_scale_setting_shows_grades_0_to_5() {
        let c = card("Q?", "A.");
        let mut v = view(&c, Screen::Answer);
        v.grading = Grading::Scale;
        assert!(text(&layout(&v, 100, 24)).contains("0-5 grade"));
    }

    #[test]
    fn every_line_fits_the_width_and_the_screen_fills_the_height() {
        let long = "word ".repeat(200);
        let c = card(&long, &long);
        for (width, height) in [(40, 12), (80, 24), (132, 50)] {
            let lines = layout(&view(&c, Screen::Answer), width, height);
            assert_eq!(lines.len(), height, "{width}x{height}");
            for (_, line) in &lines {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            assert!(text(&lines).contains("q quit"), "keys stay visible");
        }
    }

    #[test]
    fn control_sequences_in_cards_are_inert_on_screen() {
        let c = card("\u{1b}[2Jclear", "\u{1b}]0;title\u{7}");
        let screen = text(&layout(&view(&c, Screen::Answer), 80, 24));
        assert!(!screen.contains('\u{1b}'));
        assert!(screen.contains("␛[2Jclear"));
    }

    #[test]
    fn a_long_passage_scrolls_within_the_screen() {
        let text = (1..=50)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let (lines, max) = layout_passage(&text, 0, 40, 10);
        assert_eq!(lines.len(), 10);
        // Two lines of header, two of keys (wrapped at 40 columns), six of passage.
        assert_eq!(max, 50 - 6);
        assert!(text_of(&lines).contains("line 1\n"));
        let (lines, _) = layout_passage(&text, 1000, 40, 10);
        assert!(text_of(&lines).contains("line 50"));
        assert!(text_of(&lines).contains("line 45/50"));
    }

    fn text_of(lines: &[Line]) -> String {
        text(lines)
    }

    #[test]
    fn at_40_columns_no_key_of_any_screen_is_cut() {
        let c = card("Q?", "the app reads the cache");
        let comparison = crate::review::typed::compare("the app", &c.back);
        for screen in [Screen::Question, Screen::Typing, Screen::Answer] {
            for (grading, suggestion) in [
                (Grading::Buttons, None),
                (Grading::Buttons, Some(&comparison)),
                (Grading::Scale, Some(&comparison)),
            ] {
                let mut v = view(&c, screen);
                v.grading = grading;
                v.comparison = suggestion;
                let lines = layout(&v, 40, 20);
                for (_, line) in &lines {
                    assert!(line.width() <= 40, "{line:?}");
                }
                let keys: Vec<&str> = lines
                    .iter()
                    .filter(|(style, _)| *style == Style::Keys)
                    .map(|(_, l)| l.as_str())
                    .collect();
                let all = keys.join(" · ");
                for line in &keys {
                    assert!(line.width() <= 40 && !line.ends_with('…'), "{line:?}");
                }
                let quit = if screen == Screen::Typing {
                    "Esc quit"
                } else {
                    "q quit"
                };
                assert!(all.ends_with(quit), "{screen:?}: {all}");
                if screen == Screen::Answer {
                    assert!(all.contains("grade") || all.contains("4 Easy"), "{all}");
                    if suggestion.is_some() {
                        assert!(all.starts_with("Enter: "), "{all}");
                    }
                }
            }
        }
        let (lines, _) = layout_passage(&"words ".repeat(300), 5, 40, 20);
        assert_eq!(lines.len(), 20);
        let keys: Vec<&str> = lines
            .iter()
            .filter(|(style, _)| *style == Style::Keys)
            .map(|(_, l)| l.as_str())
            .collect();
        assert!(
            keys.join(" · ").ends_with("g/Esc back to the card"),
            "{keys:?}"
        );
        assert!(keys[0].starts_with("line 6/"), "{keys:?}");
    }

    #[test]
    fn the_progress_bar_shows_the_fraction_done() {
        assert_eq!(progress_bar(5, 10, 24), "[████████░░░░░░░░░] 5/10");
    }
}
