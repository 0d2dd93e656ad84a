//! Running a mock interview: the question loop in plain lines or full-screen (with a live
//! countdown), then saving it, rescheduling if asked, and the report.

use std::io::{self, BufRead, BufWriter, Write};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use crate::config::Grading;
use crate::deck::Card;
use crate::display::{inert, wrap, wrap_keys};
use crate::error::Error;
use crate::review::fullscreen::{TerminalGuard, draw};
use crate::review::keys::grade_for_digit;
use crate::review::render::{Line, Style};
use crate::types::Grade;

/// One answered question.
#[derive(Debug, Clone)]
pub struct Answered<'a> {
    pub card: &'a Card,
    pub answer: String,
    pub grade: Grade,
    pub duration_ms: u32,
    pub over_time: bool,
}

/// How the interview is asked.
pub struct Setup {
    pub minutes: u32,
    pub grading: Grading,
    pub colour: bool,
}

impl Setup {
    fn limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.minutes) * 60)
    }

    fn grade_help(&self) -> &'static str {
        match self.grading {
            Grading::Buttons => "1 Again · 2 Hard · 3 Good · 4 Easy",
            Grading::Scale => "0-5 (5 perfect … 0 blackout)",
        }
    }
}

fn ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

fn out(e: io::Error) -> Error {
    Error::Output(e)
}

fn read_line(input: &mut impl BufRead) -> Result<Option<String>, Error> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(line.trim_end_matches(['\n', '\r']).to_string())),
        Err(e) => Err(Error::Terminal(e)),
    }
}

fn meta(card: &Card, index: usize, total: usize, minutes: u32) -> String {
    format!(
        "Question {}/{total} · {} · {minutes} min",
        index + 1,
        topic(card)
    )
}

/// Where the question comes from: its guide section and level.
fn topic(card: &Card) -> String {
    let level = card.level.map_or(String::new(), |l| format!(" · {l}"));
    format!("{}{level}", inert(&super::section_of(card)))
}

/// Which question of how many, and the time each has: what the screen's header says.
struct Head {
    index: usize,
    total: usize,
    minutes: u32,
}

impl Head {
    /// The header, led by `clock` when there is one, shortened to fit `width` by dropping
    /// its least useful parts first — never the countdown, never "1/1".
    fn line(&self, clock: Option<&str>, width: usize) -> String {
        let which = format!("{}/{}", self.index + 1, self.total);
        let question = format!("question {which}");
        let each = format!("{} min each", self.minutes);
        let tiers: [Vec<&str>; 4] = [
            vec!["mock interview", &question, &each],
            vec![&question, &each],
            vec![&question],
            vec![&which],
        ];
        let mut last = String::new();
        for parts in tiers {
            last = clock
                .into_iter()
                .chain(parts)
                .collect::<Vec<_>>()
                .join(" · ");
            if unicode_width::UnicodeWidthStr::width(last.as_str()) <= width {
                return last;
            }
        }
        fit(&last, width)
    }
}

/// Cuts `text` to `width` columns.
fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if unicode_width::UnicodeWidthStr::width(out.as_str()) + 1 > width {
            break;
        }
        out.push(c);
    }
    out
}

/// Plain lines: read the answer line (timed), show the model answer, read a self-grade.
/// `q` alone on a line, or the end of input, ends the interview early.
pub fn plain<'a>(
    cards: &[&'a Card],
    setup: &Setup,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<Vec<Answered<'a>>, Error> {
    let mut answered = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        writeln!(output, "\n{}", meta(card, i, cards.len(), setup.minutes)).map_err(out)?;
        writeln!(output, "Q: {}", inert(&card.front)).map_err(out)?;
        write!(output, "Your answer (one line; q quits): ").map_err(out)?;
        output.flush().map_err(out)?;
        let started = Instant::now();
        let Some(answer) = read_line(input)? else {
            break;
        };
        if answer.trim() == "q" {
            break;
        }
        let took = started.elapsed();
        let over_time = took > setup.limit();
        if over_time {
            writeln!(
                output,
                "Time's up: took {} s, over the {} min limit.",
                took.as_secs(),
                setup.minutes
            )
        } else {
            writeln!(output, "Took {} s.", took.as_secs())
        }
        .map_err(out)?;
        writeln!(output, "Model answer: {}", inert(&card.back)).map_err(out)?;
        writeln!(output, "Your answer:  {}", inert(&answer)).map_err(out)?;
        let grade = loop {
            write!(output, "Grade yourself {} (q quits): ", setup.grade_help()).map_err(out)?;
            output.flush().map_err(out)?;
            let Some(line) = read_line(input)? else {
                return Ok(answered);
            };
            let line = line.trim();
            if line == "q" {
                return Ok(answered);
            }
            let mut chars = line.chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && let Some(grade) = grade_for_digit(c, setup.grading)
            {
                break grade;
            }
            writeln!(output, "`{}` is not a grade.", inert(line)).map_err(out)?;
        };
        answered.push(Answered {
            card,
            answer,
            grade,
            duration_ms: ms(took),
            over_time,
        });
    }
    Ok(answered)
}

/// The question screen with its countdown.
fn question_lines(
    card: &Card,
    head: &Head,
    input: &str,
    left: Duration,
    width: usize,
    height: usize,
) -> Vec<Line> {
    let inner = width.saturating_sub(4).max(16);
    // The countdown comes first so that a narrow terminal never cuts it off.
    let clock = format!("{}:{:02} left", left.as_secs() / 60, left.as_secs() % 60);
    let mut lines: Vec<Line> = vec![
        (Style::Header, head.line(Some(&clock), width)),
        (Style::Dim, fit(&topic(card), width)),
        (Style::Rule, "─".repeat(width)),
        (Style::Dim, String::new()),
    ];
    lines.extend(
        wrap(&inert(&card.front), inner)
            .into_iter()
            .map(|l| (Style::Question, format!("  {l}"))),
    );
    lines.push((Style::Dim, String::new()));
    lines.extend(
        wrap(&format!("Your answer: {}▏", inert(input)), inner)
            .into_iter()
            .map(|l| (Style::Notice, format!("  {l}"))),
    );
    finish(
        lines,
        "type your answer · Enter submits · Esc ends the interview",
        width,
        height,
    )
}

/// The model answer beside the learner's (stacked when the terminal is narrow); after a
/// time-out, a line saying the time ran out.
fn answer_lines(
    card: &Card,
    head: &Head,
    answer: &Typed,
    grades: &str,
    width: usize,
    height: usize,
) -> Vec<Line> {
    let mut lines: Vec<Line> = vec![
        (Style::Header, head.line(None, width)),
        (Style::Dim, fit(&topic(card), width)),
        (Style::Rule, "─".repeat(width)),
    ];
    if answer.over_time {
        lines.extend(
            wrap(
                "Time's up: your answer was submitted as it stood.",
                width.saturating_sub(2).max(16),
            )
            .into_iter()
            .map(|l| (Style::Notice, l)),
        );
    }
    let answer = answer.answer.as_str();
    lines.extend(
        wrap(&inert(&card.front), width.saturating_sub(4).max(16))
            .into_iter()
            .map(|l| (Style::Question, format!("  {l}"))),
    );
    lines.push((Style::Dim, String::new()));
    let theirs = if answer.trim().is_empty() {
        "(no answer)".to_string()
    } else {
        inert(answer)
    };
    if width >= 90 {
        let column = (width - 6) / 2;
        let left = wrap(&theirs, column);
        let right = wrap(&inert(&card.back), column);
        lines.push((
            Style::Dim,
            format!("  {:<column$}  {}", "Your answer", "Model answer"),
        ));
        for i in 0..left.len().max(right.len()) {
            let l = left.get(i).map_or("", String::as_str);
            let r = right.get(i).map_or("", String::as_str);
            let pad = column.saturating_sub(unicode_width::UnicodeWidthStr::width(l));
            lines.push((Style::Answer, format!("  {l}{}  {r}", " ".repeat(pad))));
        }
    } else {
        let inner = width.saturating_sub(4).max(16);
        lines.push((Style::Dim, "  Your answer:".into()));
        lines.extend(
            wrap(&theirs, inner)
                .into_iter()
                .map(|l| (Style::Notice, format!("  {l}"))),
        );
        lines.push((Style::Dim, "  Model answer:".into()));
        lines.extend(
            wrap(&inert(&card.back), inner)
                .into_iter()
                .map(|l| (Style::Answer, format!("  {l}"))),
        );
    }
    finish(
        lines,
        &format!("grade yourself: {grades} · Esc ends the interview"),
        width,
        height,
    )
}

/// The screen's lines above the keys, cut or padded to leave room for the keys, which wrap
/// between keys on a narrow terminal and are never cut.
fn finish(mut lines: Vec<Line>, keys: &str, width: usize, height: usize) -> Vec<Line> {
    let keys = wrap_keys(keys, width);
    let room = height.saturating_sub(keys.len()).max(1);
    lines.truncate(room);
    while lines.len() < room {
        lines.push((Style::Dim, String::new()));
    }
    lines.extend(keys.into_iter().map(|k| (Style::Keys, k)));
    lines
}

/// A submitted answer: what was typed, how long it took, and whether the time ran out.
struct Typed {
    answer: String,
    took: Duration,
    over_time: bool,
}

/// How a screen of the interview ended.
enum Step<T> {
    Done(T),
    /// Esc, `q` or Ctrl-D: end the interview, keeping what was answered.
    Quit,
    /// Ctrl-C: the same, then exit status 130.
    Interrupt,
}

/// Reads the answer with a live countdown; at zero the answer is submitted as it stands.
fn type_answer(
    out: &mut impl Write,
    card: &Card,
    head: &Head,
    setup: &Setup,
) -> Result<Step<Typed>, Error> {
    let started = Instant::now();
    let mut input = String::new();
    loop {
        let elapsed = started.elapsed();
        let left = setup.limit().saturating_sub(elapsed);
        if left.is_zero() {
            return Ok(Step::Done(Typed {
                answer: input,
                took: setup.limit(),
                over_time: true,
            }));
        }
        let (w, h) = terminal::size().unwrap_or((80, 24));
        let lines = question_lines(card, head, &input, left, usize::from(w), usize::from(h));
        draw(out, &lines, setup.colour).map_err(Error::Terminal)?;
        // Wake up at least every quarter second so the countdown ticks.
        if !event::poll(Duration::from_millis(250)).map_err(Error::Terminal)? {
            continue;
        }
        let Event::Key(key) = event::read().map_err(Error::Terminal)? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => return Ok(Step::Interrupt),
            KeyCode::Char('d') if ctrl => return Ok(Step::Quit),
            KeyCode::Esc => return Ok(Step::Quit),
            KeyCode::Enter => {
                return Ok(Step::Done(Typed {
                    answer: input,
                    took: started.elapsed(),
                    over_time: false,
                }));
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char(c) if !ctrl => input.push(c),
            _ => {}
        }
    }
}

fn self_grade(
    out: &mut impl Write,
    card: &Card,
    head: &Head,
    answer: &Typed,
    setup: &Setup,
) -> Result<Step<Grade>, Error> {
    loop {
        let (w, h) = terminal::size().unwrap_or((80, 24));
        let lines = answer_lines(
            card,
            head,
            answer,
            setup.grade_help(),
            usize::from(w),
            usize::from(h),
        );
        draw(out, &lines, setup.colour).map_err(Error::Terminal)?;
        let Event::Key(key) = event::read().map_err(Error::Terminal)? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => return Ok(Step::Interrupt),
            KeyCode::Char('d') if ctrl => return Ok(Step::Quit),
            KeyCode::Esc | KeyCode::Char('q') => return Ok(Step::Quit),
            KeyCode::Char(c) => {
                if let Some(grade) = grade_for_digit(c, setup.grading) {
                    return Ok(Step::Done(grade));
                }
            }
            _ => {}
        }
    }
}

/// What a full-screen interview gave: the answers, and whether Ctrl-C ended it.
pub struct Outcome<'a> {
    pub answered: Vec<Answered<'a>>,
    pub interrupted: bool,
}

/// Full-screen: a countdown while typing, then both answers side by side and a self-grade.
pub fn fullscreen<'a>(cards: &[&'a Card], setup: &Setup) -> Result<Outcome<'a>, Error> {
    let _guard = TerminalGuard::enter().map_err(Error::Terminal)?;
    let mut out = BufWriter::new(io::stdout());
    let mut answered = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let head = Head {
            index: i,
            total: cards.len(),
            minutes: setup.minutes,
        };
        let typed = match type_answer(&mut out, card, &head, setup)? {
            Step::Done(typed) => typed,
            Step::Quit => break,
            Step::Interrupt => {
                return Ok(Outcome {
                    answered,
                    interrupted: true,
                });
            }
        };
        let grade = match self_grade(&mut out, card, &head, &typed, setup)? {
            Step::Done(grade) => grade,
            Step::Quit => break,
            Step::Interrupt => {
                return Ok(Outcome {
                    answered,
                    interrupted: true,
                });
            }
        };
        answered.push(Answered {
            card,
            answer: typed.answer,
            grade,
            duration_ms: ms(typed.took),
            over_time: typed.over_time,
        });
    }
    Ok(Outcome {
        answered,
        interrupted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::Location;
    use crate::types::{CardId, DeckId};

    fn card() -> Card {
        Card {
            id: CardId("c".into()),
            deck: DeckId("d".into()),
            front: "What is a saga?".into(),
            back: "A sequence of local transactions with compensations.".into(),
            tags: vec![],
            level: None,
            source: None,
            location: Location {
                path: "d".into(),
                line: 1,
                column: 1,
            },
        }
    }

    fn head() -> Head {
        Head {
            index: 0,
            total: 1,
            minutes: 3,
        }
    }

    fn typed(answer: &str, over_time: bool) -> Typed {
        Typed {
            answer: answer.into(),
            took: Duration::from_secs(180),
            over_time,
        }
    }

    fn keys(lines: &[Line]) -> String {
        lines
            .iter()
            .filter(|(style, _)| *style == Style::Keys)
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    #[test]
    fn at_40_columns_every_key_and_the_question_count_stay_visible() {
        let setup = Setup {
            minutes: 3,
            grading: Grading::Buttons,
            colour: false,
        };
        let question = question_lines(&card(), &head(), "", Duration::from_secs(179), 40, 20);
        let answer = answer_lines(
            &card(),
            &head(),
            &typed("a guess", false),
            setup.grade_help(),
            40,
            20,
        );
        for lines in [&question, &answer] {
            assert_eq!(lines.len(), 20);
            assert!(lines[0].1.contains("1/1"), "{}", lines[0].1);
            for (_, line) in lines {
                assert!(
                    unicode_width::UnicodeWidthStr::width(line.as_str()) <= 40,
                    "{line:?}"
                );
            }
        }
        assert_eq!(question[0].1, "2:59 left · question 1/1 · 3 min each");
        assert_eq!(
            keys(&question),
            "type your answer · Enter submits · Esc ends the interview"
        );
        assert_eq!(
            keys(&answer),
            "grade yourself: 1 Again · 2 Hard · 3 Good · 4 Easy · Esc ends the interview"
        );
        let tiny = Head {
            index: 9,
            total: 10,
            minutes: 3,
        };
        assert_eq!(tiny.line(Some("0:09 left"), 20), "0:09 left · 10/10");
    }

    #[test]
    fn a_time_out_says_times_up_on_the_grading_screen() {
        let lines = answer_lines(&card(), &head(), &typed("half", true), "1-4", 80, 24);
        assert!(text(&lines).contains("Time's up: your answer was submitted as it stood."));
        let lines = answer_lines(&card(), &head(), &typed("all", false), "1-4", 80, 24);
        assert!(!text(&lines).contains("Time's up"));
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_countdown_shows_minutes_and_seconds_left() {
        let lines = question_lines(
            &card(),
            &head(),
            "local tx",
            Duration::from_secs(161),
            80,
            24,
        );
        assert_eq!(
            lines[0].1,
            "2:41 left · mock interview · question 1/1 · 3 min each"
        );
        assert!(text(&lines).contains("Your answer: local tx▏"));
        assert_eq!(lines.len(), 24);
    }

    #[test]
    fn answers_stand_side_by_side_when_wide_and_stacked_when_narrow() {
        let mine = typed("mine", false);
        let wide = text(&answer_lines(&card(), &head(), &mine, "1-4", 100, 24));
        assert!(wide.contains("Your answer") && wide.contains("Model answer"));
        assert!(
            wide.lines()
                .any(|l| l.contains("mine") && l.contains("A sequence")),
            "{wide}"
        );
        let narrow = text(&answer_lines(&card(), &head(), &mine, "1-4", 60, 24));
        assert!(
            !narrow
                .lines()
                .any(|l| l.contains("mine") && l.contains("A sequence"))
        );
        assert!(narrow.contains("Model answer:"));
    }
}
