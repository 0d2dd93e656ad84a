//! `recall export`.

use std::io::{IsTerminal, Write};

use crate::cli::ExportArgs;
use crate::error::Error;
use crate::export::{self, Format, apkg, json};

pub fn run(ctx: &super::Context, args: &ExportArgs) -> Result<(), Error> {
    if args.with_progress && args.format != Format::Json {
        return Err(Error::Usage(
            "--with-progress goes with --format json: other formats are for sharing, and progress is personal".into(),
        ));
    }
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout && args.format.is_binary() {
        return Err(Error::Usage(
            "an .apkg is binary: write it to a file with -o FILE.apkg".into(),
        ));
    }
    let library = ctx.library()?;
    let filter = args.filter.resolve(&library)?;
    let cards = filter.select(&library)?;
    let items = export::items(&library, &cards);
    let bar = crate::progress::bar(items.len() as u64, "exporting");
    let bytes: Vec<u8> = match args.format {
        Format::Toml => export::toml(&items).into_bytes(),
        Format::Markdown => {
            export::markdown(&items, "Backend Engineering study sheet").into_bytes()
        }
        Format::AnkiTxt => export::anki_txt(&items).into_bytes(),
        Format::Csv => export::csv(&items).into_bytes(),
        Format::Json => {
            let log = if args.with_progress {
                Some(ctx.store()?.log()?)
            } else {
                None
            };
            json::export(&items, log.as_deref()).into_bytes()
        }
        Format::Apkg => apkg::write(&items, ctx.clock.now().timestamp_millis())?,
    };
    bar.set_position(items.len() as u64);
    bar.finish_and_clear();
    if to_stdout {
        // On a terminal, card text is shown inert like everywhere else; piped, it is data.
        let bytes = if std::io::stdout().is_terminal() {
            crate::display::inert(&String::from_utf8_lossy(&bytes)).into_bytes()
        } else {
            bytes
        };
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(Error::Output);
    }
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = args.output.with_extension("partial");
    std::fs::write(&tmp, &bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &args.output).map_err(|e| Error::io(&args.output, e))?;
    super::print(&format!(
        "Exported {} card{} to {}.\n",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        args.output.display()
    ))
}
