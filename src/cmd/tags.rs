//! `recall tags`: the tags of the loaded (or filtered) cards, with their card counts.

use serde::Serialize;

use crate::cli::TagsArgs;
use crate::error::Error;
use crate::filter::tag_counts;

#[derive(Serialize)]
struct Row<'a> {
    tag: &'a str,
    cards: usize,
}

pub fn run(ctx: &super::Context, args: &TagsArgs) -> Result<(), Error> {
    let (library, filter) = ctx.selected(&args.filter)?;
    let cards = filter.select(&library)?;
    let counts = tag_counts(cards);
    let rows: Vec<Row<'_>> = counts
        .iter()
        .map(|(tag, cards)| Row { tag, cards: *cards })
        .collect();
    if args.json {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?;
        return super::print_json(&json);
    }
    let mut cells = vec![vec!["tag".to_string(), "cards".to_string()]];
    cells.extend(
        rows.iter()
            .map(|r| vec![crate::display::inert(r.tag), r.cards.to_string()]),
    );
    let mut text = crate::display::columns(&cells, &[1], " ").join("\n");
    text.push('\n');
    super::print(&text)
}
