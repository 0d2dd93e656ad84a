//! Key handling for the full-screen loop: a pure map from (screen, key, key map) to an action,
//! unit-tested without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::config::Grading;
use crate::types::Grade;

/// What the screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The question, answer hidden.
    Question,
    /// The question and a line to type the answer into (`recall review --type`).
    Typing,
    /// Question and answer.
    Answer,
}

/// Settings that change what keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keymap {
    pub grading: Grading,
    /// A grade is suggested (typed-answer mode): Enter on the answer accepts it.
    pub suggestion: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Reveal,
    Grade(Grade),
    AcceptSuggestion,
    Undo,
    /// Bury the card until the next study day.
    Skip,
    /// Suspend the card until `recall unsuspend`.
    Suspend,
    Quit,
    /// Ctrl-C: quit, and end with the interrupt's exit status (130).
    Interrupt,
    /// Show the guide passage the card came from.
    ShowGuide,
    /// A character typed into the answer line.
    Type(char),
    /// Backspace in the answer line.
    Erase,
    /// Nothing to do (an unbound key, or a key release).
    Ignore,
}

/// The grade a digit key gives: 1-4 as the four buttons, or 0-5 on the SM-2 scale.
pub fn grade_for_digit(digit: char, grading: Grading) -> Option<Grade> {
    let n = u8::try_from(digit.to_digit(10)?).ok()?;
    match grading {
        Grading::Buttons => Grade::from_button(n),
        Grading::Scale => Grade::new(n),
    }
}

pub fn handle(screen: Screen, key: KeyEvent, keymap: Keymap) -> Action {
    if key.kind == KeyEventKind::Release {
        return Action::Ignore;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl {
        return match key.code {
            KeyCode::Char('c') => Action::Interrupt,
            KeyCode::Char('d') => Action::Quit,
            _ => Action::Ignore,
        };
    }
    if screen == Screen::Typing {
        return match key.code {
            KeyCode::Esc => Action::Quit,
            KeyCode::Enter => Action::Reveal,
            KeyCode::Backspace => Action::Erase,
            KeyCode::Char(c) => Action::Type(c),
            _ => Action::Ignore,
        };
    }
    match (screen, key.code) {
        (_, KeyCode::Char('q') | KeyCode::Esc) => Action::Quit,
        (_, KeyCode::Char('u')) => Action::Undo,
        (_, KeyCode::Char('g')) => Action::ShowGuide,
        (_, KeyCode::Char('s')) => Action::Skip,
        (_, KeyCode::Char('!')) => Action::Suspend,
        (Screen::Question, KeyCode::Char(' ') | KeyCode::Enter) => Action::Reveal,
        (Screen::Answer, KeyCode::Enter) if keymap.suggestion => Action::AcceptSuggestion,
        (Screen::Answer, KeyCode::Char(c)) => {
            grade_for_digit(c, keymap.grading).map_or(Action::Ignore, Action::Grade)
        }
        _ => Action::Ignore,
    }
}

/// What a key does while the guide passage is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassageAction {
    /// Scroll by this many lines (negative: up).
    Scroll(i32),
    /// Back to the card.
    Close,
    /// Ctrl-C: quit the session, as [`Action::Interrupt`].
    Interrupt,
    Ignore,
}

pub fn handle_passage(key: KeyEvent, page: i32) -> PassageAction {
    if key.kind == KeyEventKind::Release {
        return PassageAction::Ignore;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => PassageAction::Interrupt,
        KeyCode::Down | KeyCode::Char('j') => PassageAction::Scroll(1),
        KeyCode::Up | KeyCode::Char('k') => PassageAction::Scroll(-1),
        KeyCode::PageDown | KeyCode::Char(' ') => PassageAction::Scroll(page),
        KeyCode::PageUp => PassageAction::Scroll(-page),
        KeyCode::Char('g' | 'q') | KeyCode::Esc | KeyCode::Enter | KeyCode::Backspace => {
            PassageAction::Close
        }
        _ => PassageAction::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUTTONS: Keymap = Keymap {
        grading: Grading::Buttons,
        suggestion: false,
    };
    const SCALE: Keymap = Keymap {
        grading: Grading::Scale,
        suggestion: false,
    };

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn press(screen: Screen, c: char) -> Action {
        handle(screen, key(KeyCode::Char(c)), BUTTONS)
    }

    #[test]
    fn space_and_enter_reveal_the_answer() {
        assert_eq!(press(Screen::Question, ' '), Action::Reveal);
        assert_eq!(
            handle(Screen::Question, key(KeyCode::Enter), BUTTONS),
            Action::Reveal
        );
    }

    #[test]
    fn grades_need_the_answer_to_be_showing() {
        assert_eq!(press(Screen::Question, '3'), Action::Ignore);
        assert_eq!(press(Screen::Answer, '1'), Action::Grade(Grade::AGAIN));
        assert_eq!(press(Screen::Answer, '2'), Action::Grade(Grade::HARD));
        assert_eq!(press(Screen::Answer, '3'), Action::Grade(Grade::GOOD));
        assert_eq!(press(Screen::Answer, '4'), Action::Grade(Grade::EASY));
        assert_eq!(press(Screen::Answer, '5'), Action::Ignore);
        assert_eq!(press(Screen::Answer, '0'), Action::Ignore);
    }

    #[test]
    fn the_scale_setting_makes_keys_0_to_5_the_sm2_grades() {
        for n in 0..=5u8 {
            let c = char::from(b'0' + n);
            assert_eq!(
                handle(Screen::Answer, key(KeyCode::Char(c)), SCALE),
                Action::Grade(Grade::new(n).unwrap())
            );
        }
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('6')), SCALE),
            Action::Ignore
        );
    }

    #[test]
    fn q_escape_and_ctrl_d_quit_and_ctrl_c_interrupts_from_either_side() {
        for screen in [Screen::Question, Screen::Answer, Screen::Typing] {
            if screen != Screen::Typing {
                assert_eq!(press(screen, 'q'), Action::Quit);
            }
            assert_eq!(handle(screen, key(KeyCode::Esc), BUTTONS), Action::Quit);
            let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
            assert_eq!(handle(screen, ctrl_d, BUTTONS), Action::Quit);
            let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
            assert_eq!(handle(screen, ctrl_c, BUTTONS), Action::Interrupt);
        }
    }

    #[test]
    fn u_s_bang_and_g_work_on_either_side() {
        for screen in [Screen::Question, Screen::Answer] {
            assert_eq!(press(screen, 'u'), Action::Undo);
            assert_eq!(press(screen, 's'), Action::Skip);
            assert_eq!(press(screen, '!'), Action::Suspend);
            assert_eq!(press(screen, 'g'), Action::ShowGuide);
        }
    }

    #[test]
    fn typing_takes_every_character_until_enter() {
        assert_eq!(press(Screen::Typing, 'q'), Action::Type('q'));
        assert_eq!(press(Screen::Typing, 'u'), Action::Type('u'));
        assert_eq!(
            handle(Screen::Typing, key(KeyCode::Backspace), BUTTONS),
            Action::Erase
        );
        assert_eq!(
            handle(Screen::Typing, key(KeyCode::Enter), BUTTONS),
            Action::Reveal
        );
        assert_eq!(
            handle(Screen::Typing, key(KeyCode::Esc), BUTTONS),
            Action::Quit
        );
    }

    #[test]
    fn enter_accepts_a_suggested_grade_and_digits_override_it() {
        let suggesting = Keymap {
            suggestion: true,
            ..BUTTONS
        };
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Enter), suggesting),
            Action::AcceptSuggestion
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('1')), suggesting),
            Action::Grade(Grade::AGAIN)
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Enter), BUTTONS),
            Action::Ignore
        );
    }

    #[test]
    fn g_opens_the_guide_and_closes_it_again() {
        assert_eq!(
            handle_passage(key(KeyCode::Char('g')), 10),
            PassageAction::Close
        );
        assert_eq!(handle_passage(key(KeyCode::Esc), 10), PassageAction::Close);
        assert_eq!(
            handle_passage(key(KeyCode::Down), 10),
            PassageAction::Scroll(1)
        );
        assert_eq!(
            handle_passage(key(KeyCode::PageUp), 10),
            PassageAction::Scroll(-10)
        );
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut release = key(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(handle(Screen::Question, release, BUTTONS), Action::Ignore);
    }
}
