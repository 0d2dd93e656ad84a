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

/// The Anki template renderer: bytes as a question template, an answer template and field
/// values, separated by `\x1f`, rendered as a standard and as a cloze note type for the first
/// ordinals, and checked as a deck file checks a template.
pub fn template(data: &[u8]) {
    use crate::import::anki::template::{self, CardContext, MAX_RENDERED};
    use crate::store::anki::{NoteType, Template};
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1f}');
    let question = parts.next().unwrap_or_default().to_string();
    let answer = parts.next().unwrap_or_default().to_string();
    let fields: Vec<String> = parts.map(str::to_string).collect();
    let _ = template::check(&question);
    let _ = template::check(&answer);
    let names: Vec<String> = ["Text", "Front", "Back", "Extra"]
        .iter()
        .map(ToString::to_string)
        .collect();
    let _ = template::check_field_names(&fields);
    for cloze in [false, true] {
        let note_type = NoteType {
            name: "Fuzz".into(),
            cloze,
            fields: names.clone(),
            templates: vec![
                Template {
                    name: "Card 1".into(),
                    question: question.clone(),
                    answer: answer.clone(),
                },
                Template {
                    name: "Card 2".into(),
                    question: answer.clone(),
                    answer: question.clone(),
                },
            ],
            css: String::new(),
        };
        let tags = ["a".to_string(), "b::c".to_string()];
        for ord in 0..3 {
            let context = CardContext {
                tags: &tags,
                deck: "Deck::Sub",
                ord,
            };
            if let Ok(sides) = template::render(&note_type, &fields, &context) {
                assert!(sides.question.len() <= MAX_RENDERED + data.len());
                assert!(sides.answer.len() <= MAX_RENDERED + data.len());
            }
        }
    }
}

/// The cloze parsers: bytes as the text of an Anki cloze field (its numbers, depth and the
/// cards of its first numbers, rendered as Anki's Cloze type renders them), as a recall cloze
/// (`{{hidden}}`, ordinary and list) and as a guide paragraph with Anki clozes.
pub fn cloze(data: &[u8]) {
    use crate::import::anki::template::{self, CardContext};
    use crate::store::anki::{NoteType, Template};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let numbers = template::cloze_numbers(text);
    let depth = template::cloze_depth(text);
    assert!(
        depth <= text.len() / 6,
        "{depth} deep in {} bytes",
        text.len()
    );
    let note_type = NoteType {
        name: "Cloze".into(),
        cloze: true,
        fields: vec!["Text".into(), "Back Extra".into()],
        templates: vec![Template {
            name: "Cloze".into(),
            question: "{{cloze:Text}}".into(),
            answer: "{{cloze:Text}}<br>{{Back Extra}}".into(),
        }],
        css: String::new(),
    };
    let fields = [text.to_string(), String::new()];
    for number in numbers.iter().take(4) {
        let context = CardContext {
            ord: number.saturating_sub(1),
            ..CardContext::default()
        };
        let _ = template::render(&note_type, &fields, &context);
    }
    let _ = crate::cloze::expand(text);
    let _ = crate::cloze::expand_list(text);
    let _ = crate::cloze::plain(text);
    let _ = crate::guide::inline::anki_cloze(text);
}

/// The HTML converter: bytes as a field's HTML, turned into text (whose length must stay
/// within a fixed multiple of the input's), its media listed, and text escaped back.
pub fn html(data: &[u8]) {
    use crate::import::html;
    let text = String::from_utf8_lossy(data);
    let converted = html::to_text(&text);
    // The most any markup writes per byte: `<li>` as 32 spaces, `4294967295. ` and a line
    // break is under 12 bytes a byte.
    assert!(
        converted.len() <= 12 * text.len() + 16,
        "{} bytes of text from {} bytes of HTML",
        converted.len(),
        text.len()
    );
    let _ = html::media(&text);
    let _ = html::to_text(&html::escape(&converted));
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
    fn the_template_renderer_survives_mangled_templates() {
        survive("template_renderer", template);
    }

    #[test]
    fn the_cloze_parsers_survive_mangled_clozes() {
        survive("cloze_parser", cloze);
    }

    #[test]
    fn the_html_converter_survives_mangled_markup() {
        survive("html_converter", html);
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
