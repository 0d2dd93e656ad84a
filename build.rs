//! Embeds every `decks/*.toml` (and the guide's Markdown, for showing a card's source passage)
//! into the binary, so `recall review` works on a fresh machine with no files to copy. The list
//! is generated rather than hand-kept so a newly compiled deck can never be forgotten.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn embed(dir: &str, extension: &str, name: &str, out: &mut String) {
    println!("cargo:rerun-if-changed={dir}");
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest);
    let mut files: Vec<_> = fs::read_dir(root.join(dir))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == extension))
                .filter(|path| path.file_name().is_some_and(|n| n != "README.md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    writeln!(out, "pub const {name}: &[(&str, &str)] = &[").unwrap();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let file = path.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("{dir}/{file}"),
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn main() {
    let mut out = String::new();
    embed("decks", "toml", "DECKS", &mut out);
    embed("guide", "md", "GUIDES", &mut out);
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
