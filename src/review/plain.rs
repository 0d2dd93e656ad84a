//! Plain line mode, used when stdin or stdout is not a terminal (scripts, tests, pipes):
//! print the question; read a line (any text reveals, `q` quits); print the answer; read a
//! grade line (`1`–`4`, `u` undo, `q` quit). End of input quits cleanly; every answer given
//! is already saved.

use std::io::{BufRead, Write};

use super::Review;
use super::session::Pile;
use crate::display::inert;
use crate::error::Error;
use crate::types::Grade;

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
    Error::Terminal(e)
}

/// Runs the session over `input`/`output` until it ends, the learner quits, or input ends.
pub fn run(
    review: &mut Review<'_>,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<(), Error> {
    'cards: while let Some((card, pile, state)) = review.current() {
        let (done, total) = review.session.progress();
        let kind = match pile {
            Pile::Redrill => "re-drill",
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
        write!(output, "(Enter reveals, q quits) ").map_err(out)?;
        output.flush().map_err(out)?;
        review.card_shown();
        match read(input)? {
            Line::End => break,
            Line::Text(t) if t == "q" => break,
            Line::Text(_) => {}
        }
        writeln!(output, "A: {}", inert(&card.back)).map_err(out)?;
        loop {
            write!(
                output,
                "Grade 1 Again, 2 Hard, 3 Good, 4 Easy (u undo, q quit): "
            )
            .map_err(out)?;
            output.flush().map_err(out)?;
            let text = match read(input)? {
                Line::End => break 'cards,
                Line::Text(t) => t,
            };
            match text.as_str() {
                "q" => break 'cards,
                "g" => {
                    let passage = review
                        .passage()
                        .unwrap_or_else(|| "This card names no guide passage.".into());
                    writeln!(output, "{}", inert(&passage)).map_err(out)?;
                }
                "u" => {
                    if review.undo()? {
                        writeln!(output, "Undone: the previous answer was taken back.")
                            .map_err(out)?;
                    } else {
                        writeln!(output, "Nothing to undo.").map_err(out)?;
                    }
                    continue 'cards;
                }
                other => match other.parse::<u8>().ok().and_then(Grade::from_button) {
                    Some(grade) => {
                        review.answer(grade)?;
                        writeln!(output, "Saved.").map_err(out)?;
                        continue 'cards;
                    }
                    None => writeln!(output, "`{}` is not a grade.", inert(other)).map_err(out)?,
                },
            }
        }
    }
    writeln!(output).map_err(out)?;
    for line in review.summary()?.lines() {
        writeln!(output, "{line}").map_err(out)?;
    }
    Ok(())
}
