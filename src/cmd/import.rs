//! `recall import`: a shared deck into the learner's deck directory, and a JSON export's review
//! log into the database.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

use crate::cli::ImportArgs;
use crate::deck::{Card, Deck, Location, parse_deck};
use crate::error::{Error, Problems};
use crate::export;
use crate::import::{self, Incoming};
use crate::types::{CardId, DeckId};

fn to_card(incoming: &Incoming, deck: &DeckId, path: &str) -> Card {
    Card {
        id: CardId(incoming.id.clone()),
        deck: deck.clone(),
        front: incoming.front.clone(),
        back: incoming.back.clone(),
        tags: incoming.tags.clone(),
        level: incoming.level,
        source: incoming.source.clone(),
        location: Location {
            path: path.to_string(),
            line: 1,
            column: 1,
        },
    }
}

fn same(a: &Card, b: &Card) -> bool {
    (&a.front, &a.back, &a.tags, a.level) == (&b.front, &b.back, &b.tags, b.level)
}

/// `--review-log`: a foreign history into the log, merged by id, then the schedule rebuilt.
fn review_log(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    let size = std::fs::metadata(&args.path)
        .map_err(|e| Error::io(&args.path, e))?
        .len();
    if size > import::MAX_TEXT_BYTES {
        return Err(Error::Usage(format!(
            "{}: {size} bytes, over the limit of {}",
            args.path.display(),
            import::MAX_TEXT_BYTES
        )));
    }
    let text = std::fs::read_to_string(&args.path).map_err(|e| Error::io(&args.path, e))?;
    let rows = import::review_log::read(&args.path, &text)?;
    let mut store = ctx.store()?;
    let entries = import::review_log::entries(&rows, |t| ctx.clock.study_day(t), store.algorithm());
    let cards: std::collections::HashSet<&str> = rows.iter().map(|r| r.card.as_str()).collect();
    let (merged, present) = store.merge(&entries)?;
    super::print(&format!(
        "Imported the review log {}: {} reviews of {} cards; {merged} added, {present} already present.\n\
         `recall evaluate` compares how SM-2 and FSRS predict it.\n",
        args.path.display(),
        rows.len(),
        cards.len()
    ))
}

/// Writes the imported deck file atomically.
fn write_deck(
    cards: &[Card],
    deck_id: &DeckId,
    name: &str,
    from: &std::path::Path,
    target: &std::path::Path,
) -> Result<(), Error> {
    let deck = Deck {
        id: deck_id.clone(),
        name: name.to_string(),
        description: format!("Imported from {} by recall.", from.display()),
        location: Location {
            path: target.display().to_string(),
            line: 1,
            column: 1,
        },
    };
    crate::partial::write(target, |file| {
        let fail = |e| Error::io(target, e);
        let mut out = std::io::BufWriter::new(file);
        let header = export::toml_header(Some(&deck)).map_err(fail)?;
        out.write_all(header.as_bytes()).map_err(fail)?;
        for card in cards {
            let toml = export::toml_card(card).map_err(fail)?;
            out.write_all(toml.as_bytes()).map_err(fail)?;
        }
        out.flush().map_err(fail)
    })
}

pub fn run(ctx: &super::Context, args: &ImportArgs) -> Result<(), Error> {
    if args.review_log {
        return review_log(ctx, args);
    }
    let imported = import::read(&args.path)?;
    let stem = args.path.file_stem().map_or_else(
        || "imported".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let deck_id = DeckId(crate::ids::slug(&stem, 8));
    let dir = ctx.deck_dir();
    let target = dir.join(format!("{}.toml", deck_id.0));
    let target_name = target.display().to_string();

    // The deck file as it is now, if this file was imported before.
    let mut cards: Vec<Card> = match std::fs::read_to_string(&target) {
        Ok(text) => {
            parse_deck(&target_name, &text)
                .map_err(|p| Error::Problems(Problems(p)))?
                .cards
        }
        Err(_) => Vec::new(),
    };
    let library = ctx.library()?;
    let bar = crate::progress::bar(imported.cards.len() as u64, "importing");
    let (mut added, mut updated, mut unchanged) = (0usize, 0usize, 0usize);
    let mut skipped = imported.skipped.clone();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Where each card already in the deck file sits, so matching stays linear.
    let mut position: HashMap<CardId, usize> = cards
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for (n, incoming) in imported.cards.iter().enumerate() {
        bar.inc(1);
        let card = to_card(incoming, &deck_id, &target_name);
        if let Some(first) = seen.insert(incoming.id.clone(), n + 1) {
            skipped.push(format!("card {}: same id as card {first}", n + 1));
            continue;
        }
        if let Some(loaded) = library.get(&card.id).filter(|c| c.deck != deck_id) {
            if !same(loaded, &card) {
                skipped.push(format!(
                    "card {}: id `{}` belongs to deck `{}` with different text; kept that one",
                    n + 1,
                    crate::display::inert(&incoming.id),
                    loaded.deck
                ));
            }
            unchanged += usize::from(same(loaded, &card));
            continue;
        }
        match position.get(&card.id).map(|&i| &mut cards[i]) {
            None => {
                position.insert(card.id.clone(), cards.len());
                cards.push(card);
                added += 1;
            }
            Some(existing) if same(existing, &card) => unchanged += 1,
            Some(existing) => {
                *existing = card;
                updated += 1;
            }
        }
    }
    bar.finish_and_clear();

    if added + updated > 0 {
        write_deck(&cards, &deck_id, &stem, &args.path, &target)?;
    }

    let mut report = format!(
        "Imported {}: {added} added, {updated} updated, {} skipped",
        args.path.display(),
        unchanged + skipped.len()
    );
    if added + updated > 0 {
        let _ = write!(report, "; deck `{}` in {}", deck_id, target.display());
    }
    report.push_str(".\n");
    for reason in skipped.iter().take(20) {
        let _ = writeln!(report, "  skipped {reason}");
    }
    if skipped.len() > 20 {
        let _ = writeln!(report, "  … and {} more", skipped.len() - 20);
    }
    if let Some(reviews) = &imported.reviews {
        let (merged, present) = ctx.store()?.merge(reviews)?;
        let _ = writeln!(
            report,
            "Reviews: {merged} merged, {present} already present."
        );
    }
    super::print(&report)
}
