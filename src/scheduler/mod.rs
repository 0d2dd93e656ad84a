//! Scheduling: pure functions from a card's state and a grade to its next state.
//! No clock, no randomness, no I/O: the review day is an argument.

pub mod sm2;

pub use sm2::{CardState, Memory};
