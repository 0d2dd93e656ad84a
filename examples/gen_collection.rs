//! Generates a large synthetic collection (decks and a database with a review log) for
//! benchmarking recall at scale. All the work is in `recall::generate`.
//!
//! ```sh
//! cargo run --release --example gen_collection -- --cards 100000 --reviews 1000000 --out /tmp/big
//! bash scripts/bench.sh --large /tmp/big
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::Parser;

use recall::generate::{self, Options};

/// Writes DIR/decks/*.toml (generated cards) and DIR/recall.db (SM-2 review histories over the
/// two years before --now). The same options always give the same collection.
#[derive(Debug, Parser)]
#[command(name = "gen_collection")]
struct Args {
    /// Cards in the decks.
    #[arg(long, default_value_t = 100_000)]
    cards: usize,
    /// Entries in the review log (scheduled reviews plus a few same-day re-drills), exactly.
    #[arg(long, default_value_t = 1_000_000)]
    reviews: usize,
    /// Deck files to spread the cards over.
    #[arg(long, default_value_t = 50)]
    decks: usize,
    /// Seed of the generator: same seed, same collection.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The study day the collection is as of (reviews fall on the 730 days before it).
    #[arg(long, default_value_t = generate::default_now())]
    now: NaiveDate,
    /// Directory to write into (created if needed; must not already hold recall.db).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = Options {
        cards: args.cards,
        reviews: args.reviews,
        decks: args.decks,
        seed: args.seed,
        now: args.now,
    };
    let started = Instant::now();
    match generate::generate(&options, &args.out) {
        Ok(s) => {
            let days = match (s.first_day, s.last_day) {
                (Some(first), Some(last)) => format!("{first} to {last}"),
                _ => "none".into(),
            };
            let failed = if s.reviews > 0 {
                100.0 * s.failed as f64 / s.reviews as f64
            } else {
                0.0
            };
            println!(
                "cards:   {} in {} decks ({} reviewed, {} new, {} leeches)\n\
                 entries: {} ({} reviews, {:.1}% failed; {} re-drills), days {days}\n\
                 wrote:   {} and {}\n\
                 took:    {:.2} s",
                s.cards,
                s.decks,
                s.reviewed_cards,
                s.new_cards,
                s.leeches,
                s.entries,
                s.reviews,
                failed,
                s.drills,
                s.decks_dir.display(),
                s.db.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_collection: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
