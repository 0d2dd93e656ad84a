//! Entry points for fuzzing: each takes arbitrary bytes and must return without panicking,
//! whatever they hold. The cargo-fuzz targets in `fuzz/` call these, and a unit test runs them
//! over the seed corpus and deterministic mutations of it on every `cargo test`.

use std::io::Write;

/// The deck loader: bytes as a deck file.
pub fn deck(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::deck::load_sources(&[("fuzz.toml".into(), text.into())]);
    }
}

/// The guide compiler, and the deck emitter on what it compiles.
pub fn guide(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(compiled) = crate::guide::compile("fuzz.md", "fuzz.md", text)
    {
        let _ = crate::guide::emit::decks(&[compiled]);
    }
}

/// An importer, by file extension (`txt`, `csv`, `json`, `toml`, `apkg`).
pub fn import(extension: &str, data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(format!("fuzz.{extension}"));
    let Ok(mut file) = std::fs::File::create(&path) else {
        return;
    };
    if file.write_all(data).is_err() {
        return;
    }
    drop(file);
    let _ = crate::import::read(&path);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small fixed generator so the mutations are the same on every run.
    fn mutations(seed: &[u8], count: usize) -> Vec<Vec<u8>> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed.len() as u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let mut data = seed.to_vec();
                for _ in 0..=(next() % 8) {
                    let at = if data.is_empty() {
                        0
                    } else {
                        (next() as usize) % data.len()
                    };
                    match next() % 4 {
                        0 if !data.is_empty() => data[at] = next() as u8,
                        1 => data.insert(at, next() as u8),
                        2 if !data.is_empty() => {
                            data.remove(at);
                        }
                        _ => data.truncate(at),
                    }
                }
                data
            })
            .collect()
    }

    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    fn survive(target: &str, run: impl Fn(&[u8])) {
        let seeds = corpus(target);
        assert!(!seeds.is_empty(), "{target} has a seed corpus");
        for seed in &seeds {
            run(seed);
            for mutated in mutations(seed, 300) {
                run(&mutated);
            }
        }
    }

    #[test]
    fn the_deck_loader_survives_mangled_decks() {
        survive("deck_loader", deck);
    }

    #[test]
    fn the_guide_compiler_survives_mangled_guides() {
        survive("guide_compiler", guide);
    }

    #[test]
    fn the_importers_survive_mangled_files() {
        survive("import_anki_text", |d| import("txt", d));
        survive("import_csv", |d| import("csv", d));
        survive("import_json", |d| import("json", d));
    }

    #[test]
    fn the_apkg_importer_survives_mangled_packages() {
        // Fewer mutations: each one is a zip, a temp file and maybe a database.
        let seeds = corpus("import_apkg");
        for seed in &seeds {
            import("apkg", seed);
            for mutated in mutations(seed, 60) {
                import("apkg", &mutated);
            }
        }
    }
}
