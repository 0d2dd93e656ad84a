use super::*;

const GUIDE: &str = "\
# Small Guide

## Duties

Engineers have duties:

- Design APIs (Junior+)
- Own the architecture (Senior+)

> **Q:** APIs: why version them?
>
> **A:** So clients keep working while the API changes.
>
> **Tags:** api

### Qualities

Quality attributes weighed in a design:

- Testability
- Security
- Reliability

> **C:** ACID: {{atomicity}} and {{durability}}.
>
> **Tags:** databases
>
> **Level:** junior
";

fn compiled(text: &str) -> Compiled {
    compile("guide.md", "guide.md", text).unwrap()
}

fn fronts(c: &Compiled) -> Vec<&str> {
    c.cards.iter().map(|c| c.front.as_str()).collect()
}

#[test]
fn authored_seniority_and_enumeration_cards_are_compiled_in_guide_order() {
    let c = compiled(GUIDE);
    let origins: Vec<Origin> = c.cards.iter().map(|c| c.origin).collect();
    assert_eq!(
        origins,
        [
            Origin::Seniority,
            Origin::Seniority,
            Origin::Question,
            Origin::Enumeration,
            Origin::Enumeration,
            Origin::Enumeration,
            Origin::Cloze,
            Origin::Cloze,
        ]
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn a_seniority_tag_becomes_a_card_with_its_level() {
    let c = compiled(GUIDE);
    let card = &c.cards[1];
    assert_eq!(
        card.front,
        "Seniority: which level is expected to own \"Own the architecture\"?"
    );
    assert_eq!(
        card.back,
        "Senior+: expected of senior and principal engineers."
    );
    assert_eq!(card.level, Some(Level::Senior));
    assert_eq!(c.source(card), "Duties (guide.md:8)");
}

#[test]
fn an_enumeration_becomes_one_card_per_item_with_the_rest_as_context() {
    let c = compiled(GUIDE);
    let card = &c.cards[4];
    assert_eq!(
        card.front,
        "Quality attributes weighed in a design:\n- Testability\n- [...]\n- Reliability"
    );
    assert_eq!(card.back, "Security");
    assert_eq!(card.tags, ["qualities", "enumeration"]);
    assert_eq!(c.source(card), "Duties > Qualities (guide.md:21)");
}

#[test]
fn a_cloze_block_makes_a_card_per_deletion_with_section_and_topic_tags() {
    let c = compiled(GUIDE);
    assert_eq!(fronts(&c)[6], "ACID: [...] and durability.");
    assert_eq!(c.cards[7].back, "durability");
    assert_eq!(c.cards[7].tags, ["qualities", "databases"]);
    assert_eq!(c.cards[7].level, Some(Level::Junior));
}

#[test]
fn long_lists_of_sentences_are_not_enumerations() {
    let text = "# G\n\n## S\n\nIntro:\n\n- one two three four five six seven eight nine\n- b\n- c\n\n> **Q:** q?\n>\n> **A:** a.\n>\n> **Tags:** t\n";
    assert!(
        compiled(text)
            .cards
            .iter()
            .all(|c| c.origin != Origin::Enumeration)
    );
}

#[test]
fn a_malformed_block_is_an_error_naming_file_and_line() {
    let text = "# G\n\n## S\n\n> **Q:** no answer?\n>\n> **Tags:** t\n\n> **Q:** ok?\n>\n> **A:** a\n>\n> **Levle:** senior\n";
    let err = compile("guide/g.md", "g.md", text).unwrap_err().to_string();
    assert_eq!(
        err,
        "guide/g.md:5:1: question without an answer (add a line `> **A:** ...` to the same blockquote)\n\
         recall: guide/g.md:13:1: unknown field `Levle` in a card block (did you mean `**Level:**`? Fields are Q, A, C, Tags, Level, Id)"
    );
}

#[test]
fn lints_flag_duplicates_empty_and_long_answers_missing_tags_and_bare_sections() {
    let long = "word ".repeat(81);
    let text = format!(
        "# G\n\n## A\n\nText.\n\n> **Q:** Same?\n>\n> **A:** x\n\n> **Q:** same?\n>\n> **A:** {long}\n>\n> **Tags:** t\n\n> **Q:** Empty?\n>\n> **A:**\n>\n> **Tags:** t\n\n## B\n\nNothing to ask.\n"
    );
    let c = compiled(&text);
    let messages: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "guide.md:7:1: card has no topic tags (add a line `> **Tags:** topic` so filters can find it)",
            "guide.md:11:1: duplicate question: the same question is at line 7; this one is left out (reword one of them so each asks something distinct)",
            "guide.md:13:1: answer is 81 words, over 80 (split it into several cards, one idea each)",
            "guide.md:19:1: empty answer; the card is left out (write the answer after `**A:**`)",
            "guide.md:23:1: section \"B\" has no cards (add a card block (`> **Q:** ...`) for what the section teaches)",
        ]
    );
    assert_eq!(
        c.cards
            .iter()
            .filter(|c| c.origin == Origin::Question)
            .count(),
        1
    );
}

fn ids_by_front(c: &Compiled) -> std::collections::BTreeMap<String, String> {
    c.cards
        .iter()
        .map(|c| (c.id.clone(), c.back.clone()))
        .collect()
}

#[test]
fn ids_survive_edited_answers_reordered_sections_and_added_cards() {
    let before = compiled(GUIDE);
    let edited = GUIDE
        .replace("So clients keep working while the API changes.", "Clients keep working.")
        .replace("- Security\n", "- Security\n- Availability\n")
        .replace("> **C:** ACID:", "> **C:** {{ACID}}:")
        .replace(
            "> **Tags:** api\n",
            "> **Tags:** api\n\n> **Q:** A brand new question?\n>\n> **A:** Yes.\n>\n> **Tags:** api\n",
        );
    // Move the "Qualities" subsection above the duties text by swapping the two parts.
    let (head, rest) = edited.split_at(edited.find("## Duties").unwrap());
    let (duties, qualities) = rest.split_at(rest.find("### Qualities").unwrap());
    let reordered = format!(
        "{head}## Qualities first\n\n{}\n## Duties\n{}",
        &qualities[14..],
        &duties[9..]
    );
    let after = compiled(&reordered);
    let after_ids = ids_by_front(&after);
    for card in &before.cards {
        assert!(
            after_ids.contains_key(&card.id),
            "lost id of {:?}",
            card.front
        );
    }
    assert!(after.cards.len() > before.cards.len());
}

#[test]
fn the_same_guide_compiles_to_the_same_bytes() {
    let a = emit::decks(&[compiled(GUIDE)]);
    let b = emit::decks(&[compiled(GUIDE)]);
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].file_name, "01-duties.toml");
    assert!(a[1].text.starts_with(emit::GENERATED_MARK));
}

#[test]
fn compiled_decks_load_as_decks_with_the_same_ids() {
    let guide = compiled(GUIDE);
    let sources: Vec<(String, String)> = emit::decks(std::slice::from_ref(&guide))
        .into_iter()
        .map(|d| (d.file_name, d.text))
        .collect();
    let library = crate::deck::load_sources(&sources).unwrap();
    let loaded: Vec<&str> = library.cards.iter().map(|c| c.id.as_str()).collect();
    let mut compiled_ids: Vec<&str> = guide.cards.iter().map(|c| c.id.as_str()).collect();
    compiled_ids.sort_by_key(|id| loaded.iter().position(|l| l == id));
    assert_eq!(loaded, compiled_ids);
    assert_eq!(
        library.cards[0].source.as_deref(),
        Some("Duties (guide.md:7)")
    );
}

#[test]
fn a_card_source_leads_back_to_its_passage() {
    let guide = compiled(GUIDE);
    let source = guide.source(&guide.cards[4]);
    let (file, line) = parse_source(&source).unwrap();
    assert_eq!(file, "guide.md");
    let passage = passage_at(GUIDE, line).unwrap();
    assert!(passage.starts_with("Duties > Qualities"), "{passage}");
    assert!(passage.contains("- Testability"));
    assert!(!passage.contains("{{atomicity}}"));
}

#[test]
fn a_card_block_before_the_first_heading_is_an_error_not_a_crash() {
    // Found by `cargo fuzz run guide_compiler`: this used to index an empty section list.
    let text = "> **Q:** Orphan?\n>\n> **A:** Yes.\n\n- a list (Senior+)\n- before\n- any heading\n\n# Title\n\n## S\n\n> **Q:** q?\n>\n> **A:** a.\n>\n> **Tags:** t\n";
    let err = compile("g.md", "g.md", text).unwrap_err().to_string();
    assert_eq!(
        err,
        "g.md:1:1: card block before the first heading (put it under the heading of the section it belongs to)"
    );
}
