//! `recall compile`: guides → decks, with a `--check` mode for CI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::CompileArgs;
use crate::deck::parse_deck;
use crate::error::{Error, Problems};
use crate::guide::emit::{self, DeckOutput, GENERATED_MARK};
use crate::guide::{self, Compiled};

/// The Markdown files under `dir`, recursively, in path order; hidden folders (`.obsidian`,
/// `.git`) are skipped.
fn markdown_under(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            markdown_under(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
    Ok(())
}

fn guide_paths(args: &CompileArgs) -> Result<Vec<PathBuf>, Error> {
    if !args.guides.is_empty() {
        let mut paths = Vec::new();
        for path in &args.guides {
            if path.is_dir() {
                markdown_under(path, &mut paths)?;
            } else {
                paths.push(path.clone());
            }
        }
        if paths.is_empty() {
            return Err(Error::Usage(format!(
                "no .md files in {}: name Markdown files or folders that hold them",
                args.guides
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        return Ok(paths);
    }
    let dir = Path::new("guide");
    let entries = std::fs::read_dir(dir).map_err(|_| {
        Error::Usage(
            "no guide/ directory here: run `recall compile` from the repository root, or name the guide files: `recall compile GUIDE.md -o DIR`"
                .into(),
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Usage("guide/ holds no .md guide files".into()));
    }
    Ok(paths)
}

fn compile_all(paths: &[PathBuf]) -> Result<(Vec<Compiled>, Vec<crate::error::Problem>), Error> {
    let mut compiled = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let file_name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match guide::compile(&path.display().to_string(), &file_name, &text) {
            Ok(mut guide) => {
                warnings.append(&mut guide.warnings);
                compiled.push(guide);
            }
            Err(Problems(mut found)) => errors.append(&mut found),
        }
    }
    if errors.is_empty() {
        Ok((compiled, warnings))
    } else {
        Err(Error::Problems(Problems(errors)))
    }
}

/// Generated deck files already in `dir`: file name → text.
fn existing(dir: &Path) -> Result<BTreeMap<String, String>, Error> {
    let mut found = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        if text.starts_with(GENERATED_MARK) {
            found.insert(entry.file_name().to_string_lossy().into_owned(), text);
        }
    }
    Ok(found)
}

type CardContent = (String, String, Vec<String>, Option<crate::types::Level>);

fn cards_of<'a>(
    texts: impl Iterator<Item = (&'a String, &'a String)>,
) -> BTreeMap<String, CardContent> {
    texts
        .filter_map(|(name, text)| parse_deck(name, text).ok())
        .flat_map(|file| file.cards)
        .map(|c| (c.id.0, (c.front, c.back, c.tags, c.level)))
        .collect()
}

/// At most this many sections without cards are named in the text report; `--json` has all.
const NAMED_SECTIONS: usize = 12;

/// The text report: per guide, the cards by syntax and the sections with prose but no card.
fn render_report(files: &[guide::report::FileReport]) -> String {
    let mut out = String::new();
    for file in files {
        let syntaxes: Vec<String> = file
            .by_syntax
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "{}: {} card{}{}{}",
            file.file,
            file.cards,
            if file.cards == 1 { "" } else { "s" },
            if syntaxes.is_empty() { "" } else { " (" },
            if syntaxes.is_empty() {
                String::new()
            } else {
                format!("{})", syntaxes.join(", "))
            }
        );
        let empty: Vec<String> = file
            .without_cards()
            .map(|s| format!("{} (line {})", s.section, s.line))
            .collect();
        if !empty.is_empty() {
            let mut named = empty
                .iter()
                .take(NAMED_SECTIONS)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            if empty.len() > NAMED_SECTIONS {
                let _ = write!(
                    named,
                    "; … and {} more (--json lists all)",
                    empty.len() - NAMED_SECTIONS
                );
            }
            let _ = writeln!(
                out,
                "  {} of {} sections with text made no card: {named}",
                empty.len(),
                file.sections_with_prose
            );
        }
    }
    out
}

/// Every card loaded beside the compiled decks: the bundled decks and `deck_paths`, without
/// the generated decks in the output directory (this compile replaces them) and without decks
/// generated from a guide being compiled now (an earlier compile of the same cards, as the
/// bundled decks are when the bundled guide is compiled: skipped unparsed, so that compile
/// stays fast). A deck file that does not load is skipped here: `recall check` reports it.
fn loaded_cards(
    deck_paths: &[PathBuf],
    output: &Path,
    guides: &[Compiled],
) -> Vec<crate::deck::Card> {
    let same_guide = |text: &str| {
        text.lines().next().is_some_and(|header| {
            header.starts_with(GENERATED_MARK)
                && guides
                    .iter()
                    .any(|g| header.contains(&format!("/{};", g.file_name)))
        })
    };
    let Ok(sources) = crate::deck::sources(deck_paths) else {
        return Vec::new();
    };
    let output = std::fs::canonicalize(output).ok();
    let mut cards = Vec::new();
    for source in sources {
        let Ok(text) = source.read() else {
            continue;
        };
        let in_output = output.as_ref().is_some_and(|dir| {
            Path::new(&source.name)
                .parent()
                .and_then(|p| std::fs::canonicalize(p).ok())
                .is_some_and(|p| &p == dir)
        });
        if (in_output && text.starts_with(GENERATED_MARK)) || same_guide(&text) {
            continue;
        }
        if let Ok(file) = source.parse(&text) {
            // An override shares its id with a compiled card by design.
            let overrides: std::collections::HashSet<_> = file.overrides.iter().collect();
            cards.extend(
                file.cards
                    .into_iter()
                    .filter(|card| !overrides.contains(&card.id)),
            );
        }
    }
    cards
}

/// `--check`: writes nothing; exit 1 naming each deck that differs from what the guides
/// compile to.
fn check(
    args: &CompileArgs,
    outputs: &[DeckOutput],
    old: &BTreeMap<String, String>,
    files: &[guide::report::FileReport],
    warnings: &[crate::error::Problem],
) -> Result<(), Error> {
    let dir = args.output.display();
    let mut stale = Vec::new();
    for out in outputs {
        match old.get(&out.file_name) {
            None => stale.push(format!("{dir}/{} is missing", out.file_name)),
            Some(text) if *text != out.text => {
                stale.push(format!("{dir}/{} differs", out.file_name));
            }
            Some(_) => {}
        }
    }
    for name in old.keys() {
        if !outputs.iter().any(|o| &o.file_name == name) {
            stale.push(format!("{dir}/{name} is no longer produced by the guide"));
        }
    }
    if args.json {
        let json = serde_json::json!({
            "guides": files,
            "decks": outputs.len(),
            "up_to_date": stale.is_empty(),
            "stale": stale,
            "warnings": warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        super::print_json(&json.to_string())?;
    } else if stale.is_empty() {
        return super::print(&format!(
            "{dir}/ is up to date with the guide ({} decks).\n{}",
            outputs.len(),
            render_report(files)
        ));
    }
    if stale.is_empty() {
        return Ok(());
    }
    Err(Error::Stale(format!(
        "{dir}/ is not what the guide compiles to: {}; run `recall compile` and commit the result",
        stale.join(", ")
    )))
}

/// Runs `recall compile`. `deck_paths` are the decks loaded beside the bundled ones (`--decks`,
/// the configured and imported decks): compiled ids are checked against all of them.
pub fn run(args: &CompileArgs, deck_paths: &[PathBuf]) -> Result<(), Error> {
    let paths = guide_paths(args)?;
    let (compiled, warnings) = compile_all(&paths)?;
    let clashes = guide::collisions(
        &compiled,
        &loaded_cards(deck_paths, &args.output, &compiled),
    );
    if !clashes.is_empty() {
        return Err(Error::Problems(Problems(clashes)));
    }
    if args.strict && !warnings.is_empty() {
        return Err(Error::Problems(Problems(warnings)));
    }
    for warning in &warnings {
        eprintln!("recall: warning: {warning}");
    }
    let outputs: Vec<DeckOutput> = emit::decks(&compiled);
    let old = existing(&args.output)?;
    let dir = args.output.display();
    let files = guide::report::report(&compiled);

    if args.check {
        return check(args, &outputs, &old, &files, &warnings);
    }

    std::fs::create_dir_all(&args.output).map_err(|e| Error::io(&args.output, e))?;
    let before = cards_of(old.iter());
    let after = cards_of(outputs.iter().map(|o| (&o.file_name, &o.text)));
    for out in &outputs {
        if old.get(&out.file_name) != Some(&out.text) {
            super::write_atomically(&args.output.join(&out.file_name), &out.text)?;
        }
    }
    for name in old.keys() {
        if !outputs.iter().any(|o| &o.file_name == name) {
            let path = args.output.join(name);
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }

    let added: Vec<&String> = after
        .keys()
        .filter(|id| !before.contains_key(*id))
        .collect();
    let removed: Vec<&String> = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .collect();
    let changed: Vec<&String> = after
        .iter()
        .filter(|(id, card)| before.get(*id).is_some_and(|old| old != *card))
        .map(|(id, _)| id)
        .collect();
    if args.json {
        let json = serde_json::json!({
            "guides": files,
            "decks": outputs.len(),
            "cards": after.len(),
            "added": added,
            "changed": changed,
            "removed": removed,
            "warnings": warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        return super::print_json(&json.to_string());
    }
    let mut report = format!(
        "Compiled {} into {} ({}) in {dir}/: {} added, {} changed, {} removed.\n",
        crate::display::plural(compiled.len(), "guide"),
        crate::display::plural(outputs.len(), "deck"),
        crate::display::plural(after.len(), "card"),
        added.len(),
        changed.len(),
        removed.len(),
    );
    for (sign, ids) in [("+", &added), ("~", &changed), ("-", &removed)] {
        for id in ids.iter().take(20) {
            let _ = writeln!(report, "  {sign} {id}");
        }
        if ids.len() > 20 {
            let _ = writeln!(report, "  {sign} … and {} more", ids.len() - 20);
        }
    }
    report.push_str(&render_report(&files));
    if !warnings.is_empty() {
        let _ = writeln!(
            report,
            "{} lint warning{} (see above; --strict makes them errors).",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        );
    }
    super::print(&report)
}
