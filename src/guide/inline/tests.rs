//! Each syntax read from its own tool's documented examples.

use super::*;

/// `(syntax, front, back)` of each question card, and `(syntax, cloze text)` of the others.
fn questions(text: &str) -> Vec<(Syntax, String, String)> {
    read(text)
        .cards
        .into_iter()
        .filter_map(|c| match c.content {
            Content::Question { front, back } => Some((c.syntax, front, back)),
            _ => None,
        })
        .collect()
}

fn cloze_texts(text: &str) -> Vec<(Syntax, String)> {
    read(text)
        .cards
        .into_iter()
        .filter_map(|c| match c.content {
            Content::Cloze { text } => Some((c.syntax, text)),
            _ => None,
        })
        .collect()
}

fn q(syntax: Syntax, front: &str, back: &str) -> (Syntax, String, String) {
    (syntax, front.to_string(), back.to_string())
}

// Obsidian Spaced Repetition, docs/en/flashcards/q-and-a-cards.md and cloze-cards.md.

#[test]
fn obsidian_single_line_basic_from_its_docs() {
    assert_eq!(
        questions("the question goes on this side::answer goes here!\n"),
        [q(
            Syntax::ObsidianSingleLine,
            "the question goes on this side",
            "answer goes here!"
        )]
    );
}

#[test]
fn obsidian_single_line_bidirectional_makes_a_card_each_way() {
    assert_eq!(
        questions("info 1:::info 2\n"),
        [
            q(Syntax::ObsidianReversed, "info 1", "info 2"),
            q(Syntax::ObsidianReversed, "info 2", "info 1"),
        ]
    );
}

#[test]
fn obsidian_multi_line_basic_from_its_docs() {
    let text = "As per the definition\nof \"multiline\" the prompt\ncan be on multiple lines\n?\nsame goes for\nthe answer\n";
    assert_eq!(
        questions(text),
        [q(
            Syntax::ObsidianMultiLine,
            "As per the definition\nof \"multiline\" the prompt\ncan be on multiple lines",
            "same goes for\nthe answer"
        )]
    );
}

#[test]
fn obsidian_multi_line_bidirectional_from_its_docs() {
    let text = "info 1A\ninfo 1B\ninfo 1C\n??\ninfo 2A\ninfo 2B\n";
    let found = questions(text);
    assert_eq!(found.len(), 2);
    assert!(found.contains(&q(
        Syntax::ObsidianMultiLine,
        "info 1A\ninfo 1B\ninfo 1C",
        "info 2A\ninfo 2B"
    )));
    assert!(found.contains(&q(
        Syntax::ObsidianMultiLine,
        "info 2A\ninfo 2B",
        "info 1A\ninfo 1B\ninfo 1C"
    )));
}

#[test]
fn obsidian_cloze_highlight_and_curly_braces_from_its_docs() {
    assert_eq!(
        cloze_texts("The first female prime minister of Australia was ==Julia Gillard==\n"),
        [(
            Syntax::ObsidianCloze,
            "The first female prime minister of Australia was {{Julia Gillard}}".to_string()
        )]
    );
    assert_eq!(
        cloze_texts("The first female prime minister of Australia was {{Julia Gillard}}\n"),
        [(
            Syntax::ObsidianCloze,
            "The first female prime minister of Australia was {{Julia Gillard}}".to_string()
        )]
    );
    // `a == b` with spaces is an equation, not a deletion.
    assert!(read("Check that a == b holds.\n").cards.is_empty());
}

#[test]
fn obsidian_flashcards_tags_become_tags_and_scheduling_comments_vanish() {
    let text = "#flashcards/science/chemistry\n\nWhat is the atomic number of carbon?::6 <!--SR:!2021-08-11,4,270-->\n\nnaming::a card #flashcards/naming\n";
    let found = read(text);
    let cards: Vec<(&Content, &Vec<String>)> =
        found.cards.iter().map(|c| (&c.content, &c.tags)).collect();
    assert_eq!(cards.len(), 2, "{cards:?}");
    assert_eq!(
        cards[0].0,
        &Content::Question {
            front: "What is the atomic number of carbon?".into(),
            back: "6".into()
        }
    );
    assert_eq!(cards[0].1, &["science", "chemistry"]);
    // In a note tagged #flashcards, `word::word` is a card, as Obsidian reads it.
    assert_eq!(cards[1].1, &["naming", "science", "chemistry"]);
}

#[test]
fn a_code_path_is_not_a_card_outside_a_flashcards_note() {
    let text = "Read files with std::fs::read_to_string and Vec::new() makes a vector.\n";
    assert!(read(text).cards.is_empty(), "{:?}", read(text).cards);
}

// hashcards, README.md "Format".

#[test]
fn hashcards_question_and_cloze_from_its_readme() {
    let text =
        "Q: What is the capital of France?\nA: Paris\n\nC: [Paris] is the capital of [France].\n";
    assert_eq!(
        questions(text),
        [q(
            Syntax::Hashcards,
            "What is the capital of France?",
            "Paris"
        )]
    );
    assert_eq!(
        cloze_texts(text),
        [(
            Syntax::HashcardsCloze,
            "{{Paris}} is the capital of {{France}}.".to_string()
        )]
    );
}

#[test]
fn hashcards_multi_line_cards_from_its_readme() {
    let text = "Q: List the PGM minerals.\nA:\n\n- ruthenium\n- rhodium\n- palladium\n- osmium\n- iridium\n- platinum\n\nC:\nBetter is the sight of the eyes than the wandering of the\ndesire: this is also vanity and vexation of spirit.\n\n— [Ecclesiastes] [6]:[9]\n";
    let found = read(text);
    assert_eq!(
        questions(text),
        [q(
            Syntax::Hashcards,
            "List the PGM minerals.",
            "- ruthenium\n- rhodium\n- palladium\n- osmium\n- iridium\n- platinum"
        )]
    );
    assert_eq!(
        cloze_texts(text)[0].1,
        "Better is the sight of the eyes than the wandering of the\ndesire: this is also vanity and vexation of spirit.\n\n— {{Ecclesiastes}} {{6}}:{{9}}"
    );
    // The answer's list is the card's, not an enumeration.
    assert!(found.lines.contains(&6));
}

#[test]
fn a_hashcards_question_without_an_answer_is_located() {
    let found = read("Q: Lonely question?\n");
    assert!(found.cards.is_empty());
    assert_eq!(found.skipped[0].line, 1);
    assert!(found.skipped[0].message.contains("without an `A:` line"));
}

// Anki manual, "Cloze Deletion".

#[test]
fn anki_clozes_make_one_card_per_number_with_hints() {
    let (cards, plain) = anki_cloze("{{c1::Canberra::city}} was founded in {{c2::1913}}.")
        .unwrap()
        .unwrap();
    assert_eq!(plain, "Canberra was founded in 1913.");
    let fronts: Vec<(&str, &str)> = cards
        .iter()
        .map(|c| (c.front.as_str(), c.answer.as_str()))
        .collect();
    assert_eq!(
        fronts,
        [
            ("[city] was founded in 1913.", "Canberra"),
            ("Canberra was founded in [...].", "1913"),
        ]
    );
    // The same number twice is one card hiding both.
    let (cards, _) = anki_cloze("{{c1::Canberra}} was founded in {{c1::1913}}.")
        .unwrap()
        .unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].front, "[...] was founded in [...].");
    assert_eq!(cards[0].answer, "Canberra, 1913");
    assert!(anki_cloze("{{c1::never closed").unwrap().is_err());
}

// Logseq docs, "Flashcards".

#[test]
fn logseq_card_blocks_take_their_child_block_as_answer_and_ignore_properties() {
    let text = "- What is the capital of France? #card\n  card-last-interval:: 4\n  card-repeats:: 1\n  card-ease-factor:: 2.6\n  card-next-schedule:: 2022-01-05T00:00:00.000Z\n  card-last-reviewed:: 2022-01-01T00:00:00.000Z\n  card-last-score:: 5\n\t- Paris\n- The capital of France is {{cloze Paris}} #card\n";
    assert_eq!(
        questions(text),
        [q(Syntax::Logseq, "What is the capital of France?", "Paris")]
    );
    assert_eq!(
        cloze_texts(text),
        [(
            Syntax::LogseqCloze,
            "The capital of France is {{Paris}}".to_string()
        )]
    );
}

// RemNote help, "Create flashcards".

#[test]
fn remnote_double_colon_and_arrows() {
    let text = "- Mitochondria >> Powerhouse of the cell\n- Photosynthesis :: Process plants use to turn light into chemical energy\n";
    assert_eq!(
        questions(text),
        [
            q(Syntax::RemNote, "Mitochondria", "Powerhouse of the cell"),
            q(
                Syntax::ObsidianSingleLine,
                "Photosynthesis",
                "Process plants use to turn light into chemical energy"
            ),
        ]
    );
    // A shift in code is not a card.
    assert!(read("Shift with `x >> 2` in C.\n").cards.is_empty());
}

// PHP Markdown Extra / Pandoc definition lists.

#[test]
fn definition_lists_from_the_markdown_extra_docs() {
    let text = "Apple\n:   Pomaceous fruit of plants of the genus Malus in\n    the family Rosaceae.\n\nOrange\n:   The fruit of an evergreen tree of the genus Citrus.\n";
    assert_eq!(
        questions(text),
        [
            q(
                Syntax::DefinitionList,
                "Apple",
                "Pomaceous fruit of plants of the genus Malus in the family Rosaceae."
            ),
            q(
                Syntax::DefinitionList,
                "Orange",
                "The fruit of an evergreen tree of the genus Citrus."
            ),
        ]
    );
}

#[test]
fn bold_term_bullets_with_a_colon_or_a_dash() {
    let text = "- **Latency**: the time one request takes.\n- **Throughput** — requests served per second.\n- **Jitter:** variation in latency.\n- **See** [the docs](https://example.com)\n";
    assert_eq!(
        questions(text),
        [
            q(Syntax::BoldTerm, "Latency", "the time one request takes."),
            q(
                Syntax::BoldTerm,
                "Throughput",
                "requests served per second."
            ),
            q(Syntax::BoldTerm, "Jitter", "variation in latency."),
        ]
    );
}

// GitHub Flavored Markdown spec, "Tables".

#[test]
fn two_column_tables_make_one_card_per_row() {
    let text = "| Port | Service |\n|------|:-------:|\n| 22 | SSH |\n| 443 | HTTPS |\n| [x](https://x) | link |\n";
    assert_eq!(
        questions(text),
        [
            q(Syntax::Table, "Port: 22 → Service?", "SSH"),
            q(Syntax::Table, "Port: 443 → Service?", "HTTPS"),
        ]
    );
    // Three columns: no cards.
    assert!(
        read("| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n")
            .cards
            .is_empty()
    );
}

#[test]
fn code_fences_blockquotes_and_headings_are_never_inline_cards() {
    let text = "# Q::A heading\n\n```\nfront::back\n```\n\n> **Q:** recall's own::block\n";
    assert!(read(text).cards.is_empty(), "{:?}", read(text).cards);
}

#[test]
fn links_in_a_card_become_their_text_unless_the_link_is_all_there_is() {
    assert_eq!(
        questions(
            "- **[HATEOAS](http://restcookbook.com/Basics/hateoas/)** — serve links with each response.\nBenchmark::Load it with [ab](http://httpd.apache.org/) first\n"
        ),
        [
            q(
                Syntax::BoldTerm,
                "HATEOAS",
                "serve links with each response."
            ),
            q(
                Syntax::ObsidianSingleLine,
                "Benchmark",
                "Load it with ab first"
            ),
        ]
    );
    assert_eq!(
        questions("Spec::[RFC 9110](https://www.rfc-editor.org/rfc/rfc9110)\n")[0].2,
        "[RFC 9110](https://www.rfc-editor.org/rfc/rfc9110)"
    );
}

#[test]
fn links_joined_by_a_linking_word_are_still_only_links() {
    assert!(is_link_only(
        "[`Object`](https://a.example) or [`Map`](https://b.example)"
    ));
    assert!(is_link_only(
        "[`java.util.Map`](https://a.example). Use [`java.util.HashMap`](https://b.example)"
    ));
    // Words of its own make it an answer, link or not.
    assert!(!is_link_only("[Redis](https://redis.io) sorted sets"));
    assert!(!is_link_only(
        "Use [`HashMap`](https://a.example) for lookups by key"
    ));
    assert!(!is_link_only("or [x](https://a.example)"));
}
