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
    /// Show the guide passage the card came from.
    ShowGuide,
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
        (_, KeyCode::Char('g')) => Action::ShowGuide,
        (Screen::Question, KeyCode::Char(' ') | KeyCode::Enter) => Action::Reveal,
        (Screen::Answer, KeyCode::Char(c @ '1'..='4')) => {
            Grade::from_button(c as u8 - b'0').map_or(Action::Ignore, Action::Grade)
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
    Quit,
    Ignore,
}

pub fn handle_passage(key: KeyEvent, page: i32) -> PassageAction {
    if key.kind == KeyEventKind::Release {
        return PassageAction::Ignore;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => PassageAction::Quit,
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
    fn g_opens_the_guide_and_closes_it_again() {
        assert_eq!(
            handle(Screen::Question, key(KeyCode::Char('g'))),
            Action::ShowGuide
        );
        assert_eq!(
            handle(Screen::Answer, key(KeyCode::Char('g'))),
            Action::ShowGuide
        );
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
        assert_eq!(handle(Screen::Question, release), Action::Ignore);
    }
}
