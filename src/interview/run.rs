//! Running a mock interview: the question loop in plain lines or full-screen (with a live
//! countdown), then saving it, rescheduling if asked, and the report.

use std::io::{self, BufRead, BufWriter, Write};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use crate::config::Grading;
use crate::deck::Card;
use crate::display::{inert, wrap};
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
        writeln!(
            output,
            "Took {} s{}.",
            took.as_secs(),
            if over_time {
                format!(", over the {} min limit", setup.minutes)
            } else {
                String::new()
            }
        )
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
    head: &str,
    input: &str,
    left: Duration,
    width: usize,
    height: usize,
) -> Vec<Line> {
    let inner = width.saturating_sub(4).max(16);
    // The countdown comes first so that a narrow terminal never cuts it off.
    let clock = format!("{}:{:02} left", left.as_secs() / 60, left.as_secs() % 60);
    let mut lines: Vec<Line> = vec![
        (Style::Header, fit(&format!("{clock} · {head}"), width)),
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

/// The model answer beside the learner's (stacked when the terminal is narrow).
fn answer_lines(
    card: &Card,
    head: &str,
    answer: &str,
    grades: &str,
    width: usize,
    height: usize,
) -> Vec<Line> {
    let mut lines: Vec<Line> = vec![
        (Style::Header, fit(head, width)),
        (Style::Dim, fit(&topic(card), width)),
        (Style::Rule, "─".repeat(width)),
    ];
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

fn finish(mut lines: Vec<Line>, keys: &str, width: usize, height: usize) -> Vec<Line> {
    let room = height.saturating_sub(1).max(1);
    lines.truncate(room);
    while lines.len() < room {
        lines.push((Style::Dim, String::new()));
    }
    let keys: String = keys.chars().take(width).collect();
    lines.push((Style::Keys, keys));
    lines
}

enum Typed {
    Submitted {
        answer: String,
        took: Duration,
        over_time: bool,
    },
    Quit,
}

/// Reads the answer with a live countdown; at zero the answer is submitted as it stands.
fn type_answer(
    out: &mut impl Write,
    card: &Card,
    head: &str,
    setup: &Setup,
) -> Result<Typed, Error> {
    let started = Instant::now();
    let mut input = String::new();
    loop {
        let elapsed = started.elapsed();
        let left = setup.limit().saturating_sub(elapsed);
        if left.is_zero() {
            return Ok(Typed::Submitted {
                answer: input,
                took: setup.limit(),
                over_time: true,
            });
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
            KeyCode::Char('c' | 'd') if ctrl => return Ok(Typed::Quit),
            KeyCode::Esc => return Ok(Typed::Quit),
            KeyCode::Enter => {
                return Ok(Typed::Submitted {
                    answer: input,
                    took: started.elapsed(),
                    over_time: false,
                });
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
    head: &str,
    answer: &str,
    setup: &Setup,
) -> Result<Option<Grade>, Error> {
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
        match key.code {
            KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Ok(None);
            }
            KeyCode::Esc | KeyCode::Char('q') => return Ok(None),
            KeyCode::Char(c) => {
                if let Some(grade) = grade_for_digit(c, setup.grading) {
                    return Ok(Some(grade));
                }
            }
            _ => {}
        }
    }
}

/// Full-screen: a countdown while typing, then both answers side by side and a self-grade.
pub fn fullscreen<'a>(cards: &[&'a Card], setup: &Setup) -> Result<Vec<Answered<'a>>, Error> {
    let _guard = TerminalGuard::enter().map_err(Error::Terminal)?;
    let mut out = BufWriter::new(io::stdout());
    let mut answered = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let head = format!(
            "mock interview · question {}/{} · {} min each",
            i + 1,
            cards.len(),
            setup.minutes
        );
        let Typed::Submitted {
            answer,
            took,
            over_time,
        } = type_answer(&mut out, card, &head, setup)?
        else {
            break;
        };
        let Some(grade) = self_grade(&mut out, card, &head, &answer, setup)? else {
            break;
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
            "head",
            "local tx",
            Duration::from_secs(161),
            80,
            24,
        );
        assert!(lines[0].1.starts_with("2:41 left · head"), "{}", lines[0].1);
        assert!(text(&lines).contains("Your answer: local tx▏"));
        assert_eq!(lines.len(), 24);
    }

    #[test]
    fn answers_stand_side_by_side_when_wide_and_stacked_when_narrow() {
        let wide = text(&answer_lines(&card(), "h", "mine", "1-4", 100, 24));
        assert!(wide.contains("Your answer") && wide.contains("Model answer"));
        assert!(
            wide.lines()
                .any(|l| l.contains("mine") && l.contains("A sequence")),
            "{wide}"
        );
        let narrow = text(&answer_lines(&card(), "h", "mine", "1-4", 60, 24));
        assert!(
            !narrow
                .lines()
                .any(|l| l.contains("mine") && l.contains("A sequence"))
        );
        assert!(narrow.contains("Model answer:"));
    }
}
