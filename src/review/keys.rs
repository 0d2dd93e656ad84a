//! Key handling for the full-screen loop: a pure map from (screen, key) to an action, unit-tested
//! without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::types::Grade;

/// Which side of the card is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Question,
    Answer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Reveal,
    Grade(Grade),
    Undo,
    Quit,
    /// Nothing to do (an unbound key, or a key release).
    Ignore,
}

pub fn handle(screen: Screen, key: KeyEvent) -> Action {
    if key.kind == KeyEventKind::Release {
        return Action::Ignore;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match (screen, key.code) {
        (_, KeyCode::Char('c' | 'd')) if ctrl => Action::Quit,
        (_, KeyCode::Char('q') | KeyCode::Esc) => Action::Quit,
        (_, KeyCode::Char('u')) => Action::Undo,
        (Screen::Question, KeyCode::Char(' ') | KeyCode::Enter) => Action::Reveal,
        (Screen::Answer, KeyCode::Char(c @ '1'..='4')) => {
            Grade::from_button(c as u8 - b'0').map_or(Action::Ignore, Action::Grade)
        }
        _ => Action::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn space_and_enter_reveal_the_answer() {
        assert_eq!(
            handle(Screen::Question, key(KeyCode::Char(' '))),
            Action::Reveal
        );
        assert_eq!(
            handle(Screen::Question, key(KeyCode::Enter)),
            Action::Reveal
        );
    }

    #[test]
    fn grades_need_the_answer_to_be_showing() {
        assert_eq!(
            handle(Screen::Question, key(KeyCode::Char('3'))),
            Action::Ignore
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('1'))),
            Action::Grade(Grade::AGAIN)
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('4'))),
            Action::Grade(Grade::EASY)
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('5'))),
            Action::Ignore
        );
    }

    #[test]
    fn q_escape_and_ctrl_c_quit_from_either_side() {
        for screen in [Screen::Question, Screen::Answer] {
            assert_eq!(handle(screen, key(KeyCode::Char('q'))), Action::Quit);
            assert_eq!(handle(screen, key(KeyCode::Esc)), Action::Quit);
            let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
            assert_eq!(handle(screen, ctrl_c), Action::Quit);
            assert_eq!(handle(screen, key(KeyCode::Char('u'))), Action::Undo);
        }
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut release = key(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(handle(Screen::Question, release), Action::Ignore);
    }
}
