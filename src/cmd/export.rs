//! `recall export`: the selected cards are counted, then written a card at a time, to
//! standard output or (whole or not at all) to a file. Neither pass holds the collection.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::ProgressBar;

use super::Loaded;
use crate::cli::ExportArgs;
use crate::deck::Deck;
use crate::display::InertWriter;
use crate::error::Error;
use crate::export::{AnkiCounts, AnkiOrigins, Format, Item, Selection, TextWriter, apkg};
use crate::filter::Filter;
use crate::store::Store;
use crate::types::DeckId;

/// The cards an export goes through: the loaded cards the filter keeps, each with its deck
/// and, for a card born in Anki, its note.
struct Cards<'a> {
    loaded: &'a Loaded,
    filter: &'a Filter,
    decks: HashMap<&'a DeckId, &'a Deck>,
    origins: &'a AnkiOrigins,
    /// The clozes that go whole (see [`crate::export::Selection::whole_clozes`]), once
    /// counted; until then, every cloze whose cards still read as it makes them.
    whole: Option<std::collections::HashSet<crate::types::CardId>>,
}

impl Cards<'_> {
    fn for_each(&self, mut each: impl FnMut(&Item<'_>) -> Result<(), Error>) -> Result<(), Error> {
        self.loaded
            .for_each(|card| match self.decks.get(&card.deck) {
                Some(deck) if self.filter.matches(card) => each(&Item {
                    card,
                    deck,
                    anki: self.origins.get(&card.id),
                    cloze: self.origins.cloze(card).filter(|member| {
                        self.whole
                            .as_ref()
                            .is_none_or(|whole| whole.contains(crate::export::cloze_key(member)))
                    }),
                }),
                _ => Ok(()),
            })
    }
}

/// The notes of cards born in Anki and the clozes, read from the deck files that keep them,
/// for the formats that hand them back (all but the Markdown study sheet).
fn anki_origins(ctx: &super::Context, format: Format) -> Result<AnkiOrigins, Error> {
    let mut origins = AnkiOrigins::default();
    if format == Format::Markdown {
        return Ok(origins);
    }
    crate::deck::own_tables(&ctx.deck_paths(), &["anki", "cloze"], |tables| {
        origins.add(tables?);
        Ok(())
    })?;
    Ok(origins)
}

/// The report's lines on cards born in Anki, for the formats that hand them back as updates
/// (`count` cards exported in all).
fn anki_report(format: Format, count: usize, counts: AnkiCounts) -> String {
    if !matches!(format, Format::Apkg | Format::AnkiTxt) || counts.total() == 0 {
        return String::new();
    }
    let mut lines = format!(
        "  {} card(s) born in Anki go back to their own notes and note types, so Anki updates them.\n",
        counts.total()
    );
    if counts.edited_text > 0 {
        lines.push_str(&format!(
            "  {} of them, edited in recall, take their new text into their Basic notes.\n",
            counts.edited_text
        ));
    }
    if counts.edited_kept_anki > 0 {
        lines.push_str(&format!(
            "  {} of them were edited in recall, but their note types' fields are not a front and a back: sent with their Anki text (edit those in Anki).\n",
            counts.edited_kept_anki
        ));
    }
    let own = count - counts.total();
    if format == Format::AnkiTxt && own > 0 {
        lines.push_str(&format!(
            "  {own} card(s) of recall's own name the note type \"{}\": Anki's text import skips them in a collection without it (import recall's .apkg once, or export them on their own).\n",
            crate::export::RECALL_NOTE_TYPE
        ));
    }
    lines
}

/// An export under way: its cards, what they come to, and where it has got.
struct Export<'a> {
    cards: Cards<'a>,
    filter: &'a crate::filter::Filter,
    selection: Selection,
    format: Format,
    /// With `--with-progress`: the database whose review log follows the cards.
    log: Option<&'a Store>,
    /// The database, when there is one: which cards are suspended.
    store: Option<&'a Store>,
    now_ms: i64,
    bar: ProgressBar,
}

impl Export<'_> {
    /// Writes a text format to `out`; `io_error` says where a failed write was going.
    fn text<W: Write>(&self, out: W, io_error: impl Fn(io::Error) -> Error) -> Result<(), Error> {
        let mut writer = TextWriter::start(self.format, &self.selection, out).map_err(&io_error)?;
        // Filtered, the history of the exported cards only: a deck for a friend must not
        // carry the rest of the sender's log (their streak, their due cards).
        let mut only =
            (self.log.is_some() && !self.filter.is_empty()).then(std::collections::HashSet::new);
        self.cards.for_each(|item| {
            writer.card(item).map_err(&io_error)?;
            if let Some(ids) = &mut only {
                ids.insert(item.card.id.clone());
            }
            self.bar.inc(1);
            Ok(())
        })?;
        if let (Some(store), Some(json)) = (self.log, writer.json()) {
            json.start_reviews().map_err(&io_error)?;
            store.log_for_each(|entry| {
                if only
                    .as_ref()
                    .is_some_and(|ids| !ids.contains(&entry.card_id))
                {
                    return Ok(());
                }
                json.review(&entry).map_err(&io_error)
            })?;
        }
        writer.finish().map_err(&io_error)?;
        Ok(())
    }

    /// Writes an Anki package to `out`.
    fn apkg(&self, out: File) -> Result<(), Error> {
        let mut writer = apkg::Writer::start(&self.selection, self.now_ms)?;
        // Cards suspended here go to Anki suspended, as cards suspended there come here; with
        // progress, every card's schedule and its answers go too. One read of the records.
        let records = match self.log.or(self.store) {
            Some(store) => store.records()?,
            None => std::collections::HashMap::new(),
        };
        let mut exported = std::collections::HashSet::new();
        self.cards.for_each(|item| {
            writer.card(item)?;
            let record = records.get(&item.card.id).copied().unwrap_or_default();
            if record.suspended {
                writer.suspend_last()?;
            }
            if self.log.is_some() {
                writer.progress(&item.card.id, &record.state)?;
                exported.insert(item.card.id.clone());
            }
            self.bar.inc(1);
            Ok(())
        })?;
        if let Some(store) = self.log {
            let mut log = Vec::new();
            store.log_for_each(|entry| {
                if exported.contains(&entry.card_id) {
                    log.push(entry);
                }
                Ok(())
            })?;
            writer.answers(&log)?;
        }
        writer.finish(out)
    }
}

pub fn run(ctx: &super::Context, args: &ExportArgs) -> Result<(), Error> {
    if args.with_progress && !matches!(args.format, Format::Json | Format::Apkg) {
        return Err(Error::Usage(
            "--with-progress goes with --format json or apkg: other formats are for sharing, and progress is personal".into(),
        ));
    }
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout && args.format.is_binary() {
        return Err(Error::Usage(
            "an .apkg is binary: write it to a file with -o FILE.apkg".into(),
        ));
    }
    if !to_stdout && !args.force && args.output.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; add --force to replace it, or name another file with -o",
            crate::display::inert(&args.output.display().to_string())
        )));
    }
    let loaded = ctx.loaded()?;
    let decks = loaded.decks()?;
    let filter = args.filter.resolve(&decks)?;
    let origins = anki_origins(ctx, args.format)?;
    let cards = Cards {
        loaded: &loaded,
        filter: &filter,
        decks: decks.iter().map(|d| (&d.id, d)).collect(),
        origins: &origins,
        whole: None,
    };
    let opened: Store;
    let log = match (args.with_progress, loaded.store()) {
        (false, _) => None,
        (true, Some(store)) => Some(store),
        (true, None) => {
            opened = ctx.store()?;
            Some(&opened)
        }
    };
    // Counted and written from one snapshot of the catalog: the TOML header and the Anki
    // deck list must describe the very cards that follow them.
    let count = loaded.read_consistently(|| {
        let mut selection = Selection::default();
        cards.for_each(|item| {
            selection.add_item(item);
            Ok(())
        })?;
        if selection.count == 0 {
            return Err(filter.no_match());
        }
        // A cloze goes whole when all of its cards do; otherwise its cards go one by one.
        let mut cards = cards;
        cards.whole = Some(selection.whole_clozes());
        let export = Export {
            bar: crate::progress::bar(selection.count as u64, "exporting"),
            cards,
            filter: &filter,
            store: loaded.store(),
            selection,
            format: args.format,
            log,
            now_ms: ctx.clock.now().timestamp_millis(),
        };
        if to_stdout {
            let stdout = io::stdout().lock();
            // On a terminal, card text is shown inert like everywhere else; piped, it is data.
            if stdout.is_terminal() {
                export.text(BufWriter::new(InertWriter::new(stdout)), Error::Output)?;
            } else {
                export.text(BufWriter::new(stdout), Error::Output)?;
            }
        } else {
            crate::partial::write(&args.output, |file| match export.format {
                Format::Apkg => export.apkg(file),
                _ => export.text(BufWriter::new(file), |e| Error::io(&args.output, e)),
            })?;
        }
        export.bar.finish_and_clear();
        Ok((export.selection.count, export.selection.anki))
    })?;
    if to_stdout {
        return Ok(());
    }
    let (count, anki) = count;
    super::print(&format!(
        "Exported {count} card{} to {}.\n{}",
        if count == 1 { "" } else { "s" },
        args.output.display(),
        anki_report(args.format, count, anki)
    ))
}
