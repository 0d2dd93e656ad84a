//! The library's error type. Every variant says what went wrong and what to do next; the
//! binary prints it as one `recall: …` line (deck problems as one line each) and exits with
//! [`Error::exit_code`].

use std::fmt;
use std::path::PathBuf;

/// Exit status for success.
pub const EXIT_OK: u8 = 0;
/// Exit status for a failure at run time (database, file system, terminal).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for bad input: wrong arguments, a broken deck, a malformed value.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status after Ctrl-C: 128 + SIGINT, what a shell reports for a program the interrupt
/// ended, so `recall review && next` stops in full-screen and plain mode alike.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong arguments or environment values.
    #[error("{0}")]
    Usage(String),

    /// One or more located problems in an input file (deck, guide, config).
    #[error("{0}")]
    Problems(Problems),

    /// The database could not be used.
    #[error("database {path}: {message}")]
    Store { path: String, message: String },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The terminal failed (raw mode, drawing, reading keys).
    #[error("terminal: {0}")]
    Terminal(std::io::Error),

    /// A filter matched no card (exit 1: the input was well-formed, the answer is "none").
    #[error("{0}")]
    NoMatch(String),

    /// `recall compile --check` found deck files that differ from what the guide compiles to.
    #[error("{0}")]
    Stale(String),

    /// The learner pressed Ctrl-C. Everything answered before it is saved.
    #[error("interrupted (Ctrl-C); every answer given is saved")]
    Interrupted,

    /// Writing to stdout failed. A closed pipe (`recall cards | head`) is not a failure.
    #[error("writing output: {0}")]
    Output(std::io::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Problems(_) => EXIT_BAD_INPUT,
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
            Error::Interrupted => EXIT_INTERRUPTED,
            Error::Store { .. }
            | Error::Io { .. }
            | Error::Terminal(_)
            | Error::Output(_)
            | Error::Stale(_)
            | Error::NoMatch(_) => EXIT_FAILURE,
        }
    }

    /// Whether this is the store reporting another recall process's lock.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Store { message, .. } if message.starts_with(crate::store::LOCKED))
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A problem located in a file: `path:line:column: message`, then a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// All problems found in one pass over the input, reported together so a learner fixes a deck
/// in one round instead of one error per run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\nrecall: ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Finds lines and columns of many offsets in one text quickly: the line starts are indexed
/// once, so locating every card of a 100,000-card deck stays linear.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_column(text, text.find('d').unwrap()), (2, 4));
    }

    #[test]
    fn the_line_index_agrees_with_line_column() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(index.locate(offset), line_column(text, offset), "{offset}");
            }
        }
    }

    #[test]
    fn problems_print_one_located_line_each() {
        let problems = Problems(vec![
            Problem {
                path: "a.toml".into(),
                line: 3,
                column: 1,
                message: "card has no `back`".into(),
                hint: Some("add `back = \"...\"`".into()),
            },
            Problem {
                path: "a.toml".into(),
                line: 9,
                column: 5,
                message: "x".into(),
                hint: None,
            },
        ]);
        assert_eq!(
            problems.to_string(),
            "a.toml:3:1: card has no `back` (add `back = \"...\"`)\nrecall: a.toml:9:5: x"
        );
    }
}
