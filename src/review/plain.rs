//! Plain line mode, used when stdin or stdout is not a terminal (scripts, tests, pipes):
//! print the question; read a line (any text reveals, `q` quits; in typed-answer mode the line
//! is the answer); print the answer; read a grade line (`1`-`4`, or `0`-`5` on the scale
//! setting; empty accepts a suggested grade; `s` skip, `!` suspend, `g` guide, `u` undo, `q`
//! quit). End of input quits cleanly; every answer given is already saved.

use std::io::{BufRead, Write};

use super::Review;
use super::keys::grade_for_digit;
use super::session::{Mode, Pile};
use super::typed::{Comparison, compare, grade_name};
use crate::config::Grading;
use crate::display::inert;
use crate::error::Error;
use crate::store::EntryKind;

enum Line {
    Text(String),
    End,
}

fn read(input: &mut impl BufRead) -> Result<Line, Error> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => Ok(Line::End),
        Ok(_) => Ok(Line::Text(line.trim().to_string())),
        Err(e) => Err(Error::Terminal(e)),
    }
}

fn out(e: std::io::Error) -> Error {
    Error::Output(e)
}

/// What to do once the grade prompt is answered.
enum After {
    NextCard,
    Quit,
}

/// Reads grade lines until one grades, skips, suspends, undoes or quits.
fn grade_prompt(
    review: &mut Review<'_>,
    input: &mut impl BufRead,
    output: &mut impl Write,
    prompt: &str,
    suggestion: Option<&Comparison>,
) -> Result<After, Error> {
    let grading = review.options.grading();
    loop {
        // The grade keys with the interval each gives, as the full screen shows them.
        let prompt = match super::render::grade_keys(grading, &review.intervals()) {
            Some((keys, _)) => format!("Grade {}", keys.replace(" · ", ", ")),
            None => prompt.to_string(),
        };
        write!(
            output,
            "{prompt} (s skip, ! suspend, g guide, u undo, q quit): "
        )
        .map_err(out)?;
        output.flush().map_err(out)?;
        let text = match read(input)? {
            Line::End => return Ok(After::Quit),
            Line::Text(t) => t,
        };
        let grade = match text.as_str() {
            "q" => return Ok(After::Quit),
            "g" => {
                let passage = review
                    .passage()
                    .unwrap_or_else(|| "This card names no guide passage.".into());
                writeln!(output, "{}", inert(&passage)).map_err(out)?;
                continue;
            }
            "u" => {
                let message = if review.undo()? {
                    "Undone: the previous step was taken back."
                } else {
                    "Nothing to undo."
                };
                writeln!(output, "{message}").map_err(out)?;
                return Ok(After::NextCard);
            }
            "s" => {
                review.set_aside(EntryKind::Skip)?;
                writeln!(output, "Skipped until tomorrow.").map_err(out)?;
                return Ok(After::NextCard);
            }
            "!" => {
                let id = review.current().map(|(card, _, _)| card.id.clone());
                review.set_aside(EntryKind::Suspend)?;
                if let Some(id) = id {
                    writeln!(output, "{}", super::suspended_notice(&id)).map_err(out)?;
                }
                return Ok(After::NextCard);
            }
            "" => suggestion.map(|c| c.suggested),
            other => {
                let mut chars = other.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => grade_for_digit(c, grading),
                    _ => None,
                }
            }
        };
        match grade {
            Some(grade) => {
                let notice = review.answer(grade)?;
                writeln!(output, "{}", notice.unwrap_or("Saved.")).map_err(out)?;
                return Ok(After::NextCard);
            }
            None => writeln!(output, "`{}` is not a grade.", inert(&text)).map_err(out)?,
        }
    }
}

/// Runs the session over `input`/`output` until it ends, the learner quits, or input ends.
/// The summary is wrapped to `width` columns when there is one (a terminal), else left as
/// one line per item for scripts.
pub fn run(
    review: &mut Review<'_>,
    input: &mut impl BufRead,
    output: &mut impl Write,
    width: Option<usize>,
) -> Result<(), Error> {
    let grading = review.options.grading();
    let prompt = match grading {
        Grading::Buttons => "Grade 1 Again, 2 Hard, 3 Good, 4 Easy",
        Grading::Scale => "Grade 0-5",
    };
    let header = header(review);
    writeln!(output, "{header}.").map_err(out)?;
    while let Some((card, pile, state)) = review.current() {
        let (done, total) = review.session.progress();
        let kind = match pile {
            _ if review.session.mode() == Mode::Cram => "cram",
            Pile::Learning => "learning",
            Pile::Main if state.memory().is_none() => "new",
            Pile::Main => "review",
        };
        writeln!(
            output,
            "\n[{}/{total}] {} · {kind}",
            done + 1,
            inert(review.deck_name(card))
        )
        .map_err(out)?;
        writeln!(output, "Q: {}", inert(&card.front)).map_err(out)?;
        if review.options.typed {
            write!(output, "Your answer (q quits): ").map_err(out)?;
        } else if review.session.can_undo() {
            write!(output, "(Enter reveals, u undoes, q quits) ").map_err(out)?;
        } else {
            write!(output, "(Enter reveals, q quits) ").map_err(out)?;
        }
        output.flush().map_err(out)?;
        review.card_shown();
        let typed = match read(input)? {
            Line::End => break,
            Line::Text(t) if t == "q" => break,
            // At the question (not in typed mode, where `u` may be an answer): the last answer
            // is taken back and its card shown again.
            Line::Text(t) if t == "u" && !review.options.typed => {
                let message = if review.undo()? {
                    "Undone: the previous step was taken back."
                } else {
                    "Nothing to undo."
                };
                writeln!(output, "{message}").map_err(out)?;
                continue;
            }
            Line::Text(t) => t,
        };
        writeln!(output, "A: {}", inert(&card.back)).map_err(out)?;
        let suggestion = review.options.typed.then(|| compare(&typed, &card.back));
        if let Some(comparison) = &suggestion {
            writeln!(output, "Compared: {}", inert(&comparison.marked())).map_err(out)?;
            writeln!(
                output,
                "{:.0}% of the answer's words; suggested grade: {} (Enter accepts)",
                comparison.score * 100.0,
                grade_name(comparison.suggested)
            )
            .map_err(out)?;
        }
        match grade_prompt(review, input, output, prompt, suggestion.as_ref())? {
            After::NextCard => {}
            After::Quit => break,
        }
    }
    writeln!(output).map_err(out)?;
    let lines = review.summary()?.lines();
    let lines = match width {
        Some(width) => super::wrap_summary(&lines, width),
        None => lines,
    };
    for line in lines {
        writeln!(output, "{line}").map_err(out)?;
    }
    Ok(())
}

/// The session's first line: what it holds, any exam, and the due cards the review limit
/// leaves for later days (without the final full stop).
fn header(review: &Review<'_>) -> String {
    let remaining = review.session.remaining();
    // A cram takes cards due or not: none of them is "due" on its account.
    let mut header = if review.session.mode() == Mode::Cram {
        format!(
            "Cram: {}, weakest first; no schedule changes",
            crate::display::plural(remaining.due + remaining.new, "card")
        )
    } else {
        format!(
            "Today's session: {} due, {} new{}",
            remaining.due,
            remaining.new,
            if remaining.learning > 0 {
                format!(", {} learning", remaining.learning)
            } else {
                String::new()
            }
        )
    };
    if let Some(note) = review.exam_note() {
        header.push_str(&format!("; {note} (intervals capped before it)"));
    }
    if review.due_later > 0 {
        header.push_str(&format!(
            "; {} for later days (today's review limit)",
            if review.due_later == 1 {
                "1 more due card waits".to_string()
            } else {
                format!("{} more due cards wait", review.due_later)
            }
        ));
    }
    header
}
