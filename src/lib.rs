//! recall: spaced-repetition flashcards for the terminal.
//!
//! Layers, each depending only on those below it:
//! `cli` (clap data) → `cmd` (one file per command) → `review` (session state machine and
//! terminal front ends), `deck` (TOML model and validation), `evaluate`, `optimize` and
//! `simulate` (the memory model: scoring, fitting and forecasting FSRS on the learner's log),
//! `anki_sync` (one history with the learner's Anki collection file) →
//! `scheduler` (pure SM-2 and FSRS, load balancing), `store` (all SQL), `clock`, `display`,
//! `types`.

pub mod anki_sync;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod cloze;
pub mod cmd;
pub mod config;
pub mod deck;
pub mod display;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod fileset;
pub mod filter;
pub mod fuzzing;
pub mod generate;
pub mod guide;
pub mod ids;
pub mod import;
pub mod interview;
pub mod optimize;
pub mod partial;
pub mod progress;
pub mod review;
pub mod scheduler;
pub mod simulate;
pub mod stats;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod types;

pub use cmd::run;
pub use error::Error;
