//! The full-screen front end: crossterm raw mode on the alternate screen. An RAII guard
//! restores the terminal on every exit path — normal end, quit, error and panic alike.

use std::io::{self, BufWriter, Write};

use crossterm::cursor::{Hide, MoveTo, Show};
use crossterm::event::{self, Event};
use crossterm::style::{Attribute, Color, Print, ResetColor, SetAttribute, SetForegroundColor};
use crossterm::terminal::{self, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{execute, queue};

use super::Review;
use super::keys::{self, Action, Keymap, PassageAction, Screen};
use super::render::{self, Style, View};
use super::typed::{Comparison, compare};
use crate::error::Error;
use crate::store::EntryKind;

/// Raw mode and the alternate screen for as long as it lives.
pub struct TerminalGuard;

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(io::stdout(), EnterAlternateScreen, Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    // Best effort: there is nothing better to do with a failure while restoring.
    let _ = execute!(io::stdout(), Show, LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
}

/// A panic message printed inside the alternate screen in raw mode would be lost or garbled;
/// restore the terminal first, then let the default hook print it.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

fn paint(style: Style, colour: bool) -> (Option<Color>, Option<Attribute>) {
    if !colour {
        return (None, None);
    }
    match style {
        Style::Header => (Some(Color::Cyan), Some(Attribute::Bold)),
        Style::Question => (None, Some(Attribute::Bold)),
        Style::Answer => (Some(Color::Green), None),
        Style::Notice => (Some(Color::Yellow), None),
        Style::Dim | Style::Rule | Style::Keys => (Some(Color::DarkGrey), None),
    }
}

pub(crate) fn draw(out: &mut impl Write, lines: &[render::Line], colour: bool) -> io::Result<()> {
    queue!(out, Clear(ClearType::All))?;
    for (row, (style, text)) in lines.iter().enumerate() {
        queue!(out, MoveTo(0, u16::try_from(row).unwrap_or(u16::MAX)))?;
        let (fg, attr) = paint(*style, colour);
        if let Some(fg) = fg {
            queue!(out, SetForegroundColor(fg))?;
        }
        if let Some(attr) = attr {
            queue!(out, SetAttribute(attr))?;
        }
        queue!(out, Print(text))?;
        if fg.is_some() || attr.is_some() {
            queue!(out, SetAttribute(Attribute::Reset), ResetColor)?;
        }
    }
    out.flush()
}

/// Shows a guide passage until the learner goes back; `true` if they pressed Ctrl-C instead.
fn show_passage(out: &mut impl Write, text: &str, colour: bool) -> Result<bool, Error> {
    let mut scroll = 0usize;
    loop {
        let (width, height) = terminal::size().unwrap_or((80, 24));
        let (lines, max_scroll) =
            render::layout_passage(text, scroll, usize::from(width), usize::from(height));
        scroll = scroll.min(max_scroll);
        draw(out, &lines, colour).map_err(Error::Terminal)?;
        let Event::Key(key) = event::read().map_err(Error::Terminal)? else {
            continue;
        };
        let page = i32::from(height.saturating_sub(4)).max(1);
        match keys::handle_passage(key, page) {
            PassageAction::Close => return Ok(false),
            PassageAction::Interrupt => return Ok(true),
            PassageAction::Scroll(by) => {
                scroll = scroll.saturating_add_signed(by as isize).min(max_scroll);
            }
            PassageAction::Ignore => {}
        }
    }
}

/// What the card screen shows between keys.
struct CardScreen {
    /// The screen each card starts on: the question, or the answer line in typed mode.
    first: Screen,
    screen: Screen,
    notice: Option<String>,
    input: String,
    comparison: Option<Comparison>,
}

/// After a key: stay on this card, or leave the loop (after Ctrl-C, interrupted).
enum Flow {
    Stay,
    Quit,
    Interrupted,
}

impl CardScreen {
    fn new(typed: bool) -> CardScreen {
        let first = if typed {
            Screen::Typing
        } else {
            Screen::Question
        };
        CardScreen {
            first,
            screen: first,
            notice: None,
            input: String::new(),
            comparison: None,
        }
    }

    /// Back to the start for the next card.
    fn next_card(&mut self) {
        self.screen = self.first;
        self.input.clear();
        self.comparison = None;
    }

    /// Carries out one key's action; everything that changes the log commits first.
    fn act(
        &mut self,
        action: Action,
        review: &mut Review<'_>,
        back: &str,
        out: &mut impl Write,
        colour: bool,
    ) -> Result<Flow, Error> {
        match action {
            Action::Ignore => {}
            Action::Quit => return Ok(Flow::Quit),
            Action::Interrupt => return Ok(Flow::Interrupted),
            Action::Type(c) => self.input.push(c),
            Action::Erase => {
                self.input.pop();
            }
            Action::Reveal => {
                if self.screen == Screen::Typing {
                    self.comparison = Some(compare(&self.input, back));
                }
                self.screen = Screen::Answer;
                self.notice = None;
            }
            Action::ShowGuide => match review.passage() {
                Some(text) => {
                    if show_passage(out, &text, colour)? {
                        return Ok(Flow::Interrupted);
                    }
                    self.notice = None;
                }
                None => self.notice = Some("This card names no guide passage.".into()),
            },
            Action::Grade(grade) => {
                self.notice = review.answer(grade)?.map(String::from);
                self.next_card();
            }
            Action::AcceptSuggestion => {
                if let Some(grade) = self.comparison.as_ref().map(|c| c.suggested) {
                    self.notice = review.answer(grade)?.map(String::from);
                    self.next_card();
                }
            }
            Action::Undo => {
                self.notice = Some(
                    if review.undo()? {
                        "Undone: the previous step was taken back."
                    } else {
                        "Nothing to undo."
                    }
                    .into(),
                );
                self.next_card();
            }
            Action::Skip => {
                review.set_aside(EntryKind::Skip)?;
                self.notice = Some("Skipped until tomorrow (u undoes).".into());
                self.next_card();
            }
            Action::Suspend => {
                // The id is what `recall unsuspend` needs, so the notice names it.
                let id = review.current().map(|(card, _, _)| card.id.clone());
                review.set_aside(EntryKind::Suspend)?;
                self.notice = id.map(|id| super::suspended_notice(&id));
                self.next_card();
            }
        }
        Ok(Flow::Stay)
    }
}

/// Runs the session full-screen until it ends or the learner quits, then prints the summary
/// on the normal screen, wrapped to the terminal's width. After Ctrl-C the summary is printed
/// too, then [`Error::Interrupted`] returned (exit status 130, as in plain mode).
pub fn run(review: &mut Review<'_>, colour: bool) -> Result<(), Error> {
    let mut interrupted = false;
    {
        let _guard = TerminalGuard::enter().map_err(Error::Terminal)?;
        let mut out = BufWriter::new(io::stdout());
        let mut state = CardScreen::new(review.options.typed);
        review.card_shown();
        while let Some((card, pile, card_state)) = review.current() {
            let (width, height) = terminal::size().unwrap_or((80, 24));
            let intervals = if state.screen == Screen::Answer {
                review.intervals()
            } else {
                Vec::new()
            };
            let view = View {
                card,
                deck_name: review.deck_name(card),
                pile,
                is_new: card_state.memory().is_none(),
                screen: state.screen,
                remaining: review.session.remaining(),
                progress: review.session.progress(),
                due_later: review.due_later,
                exam: review.exam_note(),
                notice: state.notice.as_deref(),
                input: (state.screen == Screen::Typing).then_some(state.input.as_str()),
                comparison: state.comparison.as_ref(),
                grading: review.options.grading(),
                cram: review.session.mode() == super::session::Mode::Cram,
                intervals: &intervals,
            };
            let lines = render::layout(&view, usize::from(width), usize::from(height));
            draw(&mut out, &lines, colour).map_err(Error::Terminal)?;
            // A resize (or any other event) just redraws at the new size.
            let Event::Key(key) = event::read().map_err(Error::Terminal)? else {
                continue;
            };
            let keymap = Keymap {
                grading: review.options.grading(),
                suggestion: state.comparison.is_some(),
            };
            let action = keys::handle(state.screen, key, keymap);
            match state.act(action, review, &card.back, &mut out, colour)? {
                Flow::Stay => {}
                Flow::Quit => break,
                Flow::Interrupted => {
                    interrupted = true;
                    break;
                }
            }
        }
    }
    let width = terminal::size().map_or(80, |(w, _)| usize::from(w));
    let mut stdout = io::stdout().lock();
    for line in super::wrap_summary(&review.summary()?.lines(), width) {
        writeln!(stdout, "{line}").map_err(Error::Terminal)?;
    }
    if interrupted {
        return Err(Error::Interrupted);
    }
    Ok(())
}
