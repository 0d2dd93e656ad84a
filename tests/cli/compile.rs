//! `recall compile`: guides to decks, `--check`, `--strict`, and errors that write nothing.

use predicates::prelude::*;

use super::Sandbox;

const GUIDE: &str = "# Notes\n\n## Caching\n\nCaches trade freshness for speed.\n\n> **Q:** Caching: what does a TTL bound?\n>\n> **A:** How stale a cached entry can get.\n>\n> **Tags:** caching\n\n## Process\n\n- Ship small changes (Junior+)\n\n> **C:** CI merges to {{trunk}} at least daily.\n>\n> **Tags:** ci\n";

fn compile(
    sandbox: &Sandbox,
    guide: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("compile")
        .arg(guide)
        .arg("-o")
        .arg(sandbox.dir.path().join("out"))
        .args(extra)
        .assert()
}

#[test]
fn compile_writes_one_deck_per_section_and_twice_gives_identical_bytes() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", GUIDE);
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("into 2 decks (2 cards)"))
        .stdout(predicate::str::contains("2 added, 0 changed, 0 removed"));
    let out = sandbox.dir.path().join("out");
    let first = std::fs::read_to_string(out.join("01-caching.toml")).unwrap();
    assert!(
        first.contains("source = \"Caching (notes.md:7)\""),
        "{first}"
    );
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("0 added, 0 changed, 0 removed"));
    assert_eq!(
        std::fs::read_to_string(out.join("01-caching.toml")).unwrap(),
        first
    );
    // The output loads as decks.
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("--decks")
        .arg(&out)
        .args(["review", "--deck", "process"])
        .write_stdin("\n3\n")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Q: CI merges to [...] at least daily.",
        ))
        // A `(Junior+)` tag is metadata, not a card asking for the level.
        .stdout(predicate::str::contains("Seniority").not());
}

#[test]
fn check_names_the_stale_deck_and_exits_1() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", GUIDE);
    compile(&sandbox, &guide, &[]).success();
    compile(&sandbox, &guide, &["--check"])
        .success()
        .stdout(predicate::str::contains("up to date"));
    let edited = GUIDE.replace("How stale a cached entry can get.", "Staleness.");
    std::fs::write(&guide, edited).unwrap();
    compile(&sandbox, &guide, &["--check"])
        .code(1)
        .stderr(predicate::str::contains("01-caching.toml differs"))
        .stderr(predicate::str::contains("run `recall compile`"));
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains("0 added, 1 changed, 0 removed"));
}

#[test]
fn a_malformed_block_is_located_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file(
        "notes.md",
        &GUIDE.replace("> **A:** How stale", "> **Answer:** How stale"),
    );
    compile(&sandbox, &guide, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "notes.md:7:1: question without an answer",
        ));
    assert!(!sandbox.dir.path().join("out").exists());
}

#[test]
fn strict_turns_lint_warnings_into_errors() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", &GUIDE.replace(">\n> **Tags:** caching\n", "\n"));
    compile(&sandbox, &guide, &[])
        .success()
        .stderr(predicate::str::contains("warning: "))
        .stderr(predicate::str::contains("card has no topic tags"));
    compile(&sandbox, &guide, &["--strict"])
        .code(2)
        .stderr(predicate::str::contains(
            "notes.md:7:1: card has no topic tags",
        ));
}

#[test]
fn the_shipped_decks_are_what_the_guide_compiles_to() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    Sandbox::new()
        .recall("2026-01-01T00:00:00Z")
        .current_dir(root)
        .args(["compile", "--check", "--strict"])
        .assert()
        .success();
}

#[test]
fn strict_rejects_a_set_shown_whole_and_a_list_block_fixes_it() {
    let sandbox = Sandbox::new();
    let set = "# Notes\n\n## Process\n\nHow teams ship.\n\n> **C:** CALMS: {{Culture}}, {{Automation}}, {{Lean}}, {{Measurement}}, {{Sharing}}.\n>\n> **Tags:** devops\n";
    let guide = sandbox.file("notes.md", set);
    compile(&sandbox, &guide, &["--strict"])
        .code(2)
        .stderr(
            predicate::str::is_match(
                r"notes\.md:7:1: card `culture-[0-9a-f]{6}` shows 4 other items of its set, over 2",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains("write the set as `> **List:**`"));
    assert!(!sandbox.dir.path().join("out").exists());

    std::fs::write(&guide, set.replace("**C:**", "**List:**")).unwrap();
    compile(&sandbox, &guide, &["--strict"])
        .success()
        .stdout(predicate::str::contains("(5 cards)"));
    let deck = std::fs::read_to_string(sandbox.dir.path().join("out/01-process.toml")).unwrap();
    assert!(
        deck.contains("front = \"CALMS: …, Automation, Lean, [...], ….\""),
        "{deck}"
    );
}

/// A folder of notes written for other tools: every syntax makes its cards, notes without a
/// heading become a deck named after the file, and the decks load.
const OBSIDIAN_NOTE: &str = "#flashcards/networking\n\nWhat port does HTTPS use?::443\n\nTCP:::Transmission Control Protocol\n\nWhat does DNS resolve\n?\nA name to an address\n\nA TLS handshake starts with a ==ClientHello==.\n";
const HASHCARDS_DECK: &str =
    "Q: What is the capital of France?\nA: Paris\n\nC: [Paris] is the capital of [France].\n";
const MIXED_NOTES: &str = "# Databases\n\n## Terms\n\n- **Index**: a structure that speeds up lookups.\n- **Shard** — one horizontal partition of the data.\n\nIsolation\n: How concurrent transactions see each other's writes.\n\n| Level | Anomaly prevented |\n|---|---|\n| Read committed | Dirty reads |\n| Serializable | Write skew |\n\n## Clozes\n\n{{c1::Postgres}} stores rows in {{c2::heap}} pages.\n\n- Replication lag #card\n  card-last-interval:: 4\n  - The delay before a replica shows a committed write\n- Raft >> A consensus algorithm with a leader\n";

#[test]
fn a_folder_of_notes_in_other_tools_syntaxes_compiles_to_loadable_decks() {
    let sandbox = Sandbox::new();
    sandbox.file("notes/aws-networking.md", OBSIDIAN_NOTE);
    sandbox.file("notes/geography.md", HASHCARDS_DECK);
    sandbox.file("notes/sub/databases.md", MIXED_NOTES);
    let notes = sandbox.dir.path().join("notes");
    compile(&sandbox, &notes, &["--strict"])
        .success()
        .stdout(predicate::str::contains(
            "Compiled 3 guides into 4 decks (17 cards)",
        ));
    let out = sandbox.dir.path().join("out");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let obsidian = read("01-aws-networking.toml");
    for expected in [
        "front = \"What port does HTTPS use?\"",
        "back = \"443\"",
        "front = \"Transmission Control Protocol\"",
        "front = \"What does DNS resolve\"",
        "front = \"A TLS handshake starts with a [...].\"",
        "tags = [\"aws-networking\", \"networking\"]",
        "source = \"aws-networking (aws-networking.md:3)\"",
    ] {
        assert!(obsidian.contains(expected), "{expected} in {obsidian}");
    }
    let geography = read("02-geography.toml");
    assert!(
        geography.contains("front = \"[...] is the capital of France.\""),
        "{geography}"
    );
    let terms = read("03-terms.toml");
    for expected in [
        "front = \"Index\"",
        "front = \"Shard\"",
        "back = \"one horizontal partition of the data.\"",
        "front = \"Isolation\"",
        "front = \"Level: Serializable → Anomaly prevented?\"",
    ] {
        assert!(terms.contains(expected), "{expected} in {terms}");
    }
    // The bold-term bullets make their own cards, never an enumeration of the terms.
    assert!(!terms.contains("(1 of 2)"), "{terms}");
    let clozes = read("04-clozes.toml");
    for expected in [
        "front = \"[...] stores rows in heap pages.\"",
        "front = \"Postgres stores rows in [...] pages.\"",
        "front = \"Replication lag\"",
        "back = \"The delay before a replica shows a committed write\"",
        "front = \"Raft\"",
    ] {
        assert!(clozes.contains(expected), "{expected} in {clozes}");
    }
    assert!(!clozes.contains("card-last-interval"), "{clozes}");
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("--decks")
        .arg(&out)
        .args(["cards", "--deck", "geography"])
        .assert()
        .success()
        .stdout(predicate::str::contains("what-is-the-capital-of-france-"));
}

/// Issue 25's garbage: a "further reading" list, a list of links, a list of images and a list
/// without a lead-in ending in a colon make no cards, and their sections draw no lint.
#[test]
fn link_lists_reference_sections_images_and_lists_without_a_colon_make_no_cards() {
    let sandbox = Sandbox::new();
    let notes = "# Notes\n\n## Caching\n\nCaches trade freshness for speed.\n\n> **Q:** Caching: what does a TTL bound?\n>\n> **A:** How stale a cached entry can get.\n>\n> **Tags:** caching\n\nSome tools\n\n- Redis\n- Memcached\n- Varnish\n\nLinks worth reading:\n\n- [Wikipedia](https://en.wikipedia.org/wiki/Cache)\n- [Redis docs](https://redis.io/docs)\n- https://memcached.org\n\nDiagrams:\n\n- ![one](a.png)\n- ![two](b.png)\n- ![three](c.png)\n\n## Further reading\n\n- Designing Data-Intensive Applications\n- Release It!\n- Site Reliability Engineering\n- **The Art of Scalability** — Abbott and Fisher\n\n## See also\n\nMore on the subject:\n\n- Consistent hashing\n- Bloom filters\n- Write-back caches\n";
    let guide = sandbox.file("notes.md", notes);
    compile(&sandbox, &guide, &["--strict"])
        .success()
        .stdout(predicate::str::contains("into 1 deck (1 card)"));
}

fn strict_fails_with(guide_text: &str, message: &str) {
    let sandbox = Sandbox::new();
    let guide = sandbox.file("notes.md", guide_text);
    compile(&sandbox, &guide, &["--strict"])
        .code(2)
        .stderr(predicate::str::contains(message));
    assert!(!sandbox.dir.path().join("out").exists());
    compile(&sandbox, &guide, &[])
        .success()
        .stderr(predicate::str::contains(message));
}

const HEAD: &str = "# Notes\n\n## HTTP\n\nHow the web talks.\n\n";

#[test]
fn strict_fails_on_an_empty_lead_in() {
    strict_fails_with(
        &format!(
            "{HEAD}> **List:** {{{{Read}}}}, {{{{Write}}}}, {{{{Delete}}}}.\n>\n> **Tags:** http\n"
        ),
        "notes.md:7:1: card `read-",
    );
    strict_fails_with(
        &format!(
            "{HEAD}> **List:** {{{{Read}}}}, {{{{Write}}}}, {{{{Delete}}}}.\n>\n> **Tags:** http\n"
        ),
        "the list has an empty lead-in",
    );
}

#[test]
fn strict_fails_on_an_answer_that_is_a_question() {
    strict_fails_with(
        &format!("{HEAD}What does a 304 mean?::Did the cache revalidate?\n"),
        "the answer \"Did the cache revalidate?\" is a question",
    );
}

#[test]
fn strict_fails_on_a_one_word_answer_to_a_why_or_how_question() {
    strict_fails_with(
        &format!("{HEAD}Q: Why does HTTP/2 multiplex streams?\nA: Speed\n"),
        "a one-word answer \"Speed\" to a why/how question",
    );
}

#[test]
fn strict_fails_on_a_heading_or_a_link_as_the_whole_answer() {
    strict_fails_with(
        &format!("{HEAD}What status codes exist?::HTTP\n"),
        "the whole answer is a heading (\"HTTP\")",
    );
    strict_fails_with(
        &format!(
            "{HEAD}Where is HTTP specified?::[RFC 9110](https://www.rfc-editor.org/rfc/rfc9110)\n"
        ),
        "the whole answer is a link",
    );
}

#[test]
fn strict_fails_on_an_answer_that_follows_from_an_ordered_sequence() {
    strict_fails_with(
        &format!("{HEAD}Status classes:\n\n- 1xx\n- 2xx\n- 3xx\n"),
        "the hidden \"2xx\" follows from \"1xx\" on the front",
    );
    strict_fails_with(
        &format!(
            "{HEAD}> **List:** Magnitudes: {{{{thousand}}}}, {{{{million}}}}, {{{{billion}}}}.\n>\n> **Tags:** numbers\n"
        ),
        "the hidden \"million\" follows from \"thousand\" on the front",
    );
}

/// Issue 25: a learner's guide compiled to a card with the id of a bundled card (an `ETag`
/// question), and from then on every command failed with "duplicate card id". Now the
/// compile refuses, located at the learner's card and naming the bundled one; nothing is
/// written, so every later command still works.
#[test]
fn a_compiled_id_that_clashes_with_a_bundled_card_is_a_located_compile_error() {
    let sandbox = Sandbox::new();
    let notes = "# My HTTP notes\n\n## Caching\n\nWhat I learnt about caching.\n\n> **Q:** ETag: how does a conditional GET save bandwidth?\n>\n> **A:** The server answers 304 with no body when nothing changed.\n>\n> **Tags:** http\n\n## Methods\n\nGET::reads a resource\n";
    let guide = sandbox.file("my-notes.md", notes);
    compile(&sandbox, &guide, &[])
        .code(2)
        .stderr(predicate::str::is_match(
            r"my-notes\.md:7:1: card id `etag-how-does-a-conditional-get-[0-9a-f]{6}` is already the id of card .ETag: how does a conditional GET save bandwidth\?. at \(bundled\) decks/[0-9]+-[a-z-]+\.toml:[0-9]+:[0-9]+",
        ).unwrap())
        .stderr(predicate::str::contains("reword this card's question"));
    assert!(!sandbox.dir.path().join("out").exists());
    // Reworded, it compiles, and the decks load beside the bundled ones.
    std::fs::write(
        &guide,
        notes.replace(
            "ETag: how does a conditional GET",
            "HTTP caching: how does an ETag revalidation",
        ),
    )
    .unwrap();
    compile(&sandbox, &guide, &[]).success();
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("--decks")
        .arg(sandbox.dir.path().join("out"))
        .arg("status")
        .assert()
        .success();
}

/// A clash with a deck of your own (`--decks`) is caught the same way.
#[test]
fn a_compiled_id_that_clashes_with_a_loaded_deck_names_that_deck() {
    let sandbox = Sandbox::new();
    let mine = sandbox.file(
        "mine/own.toml",
        "[deck]\nid = \"own\"\nname = \"Own\"\n\n[[card]]\nid = \"what-is-raft-8e2a35\"\nfront = \"x\"\nback = \"y\"\n",
    );
    let guide = sandbox.file(
        "notes.md",
        "# N\n\n## Consensus\n\nWhat is Raft?::A consensus algorithm\n",
    );
    let out = sandbox.dir.path().join("out");
    // Find the id the card gets, then make the own deck hold it.
    compile(&sandbox, &guide, &[]).success();
    let compiled = std::fs::read_to_string(out.join("01-consensus.toml")).unwrap();
    let id = compiled
        .lines()
        .find_map(|l| l.strip_prefix("id = \"what-is-raft"))
        .map(|rest| format!("what-is-raft{}", rest.trim_end_matches('"')))
        .unwrap();
    std::fs::write(
        &mine,
        std::fs::read_to_string(&mine)
            .unwrap()
            .replace("what-is-raft-8e2a35", &id),
    )
    .unwrap();
    sandbox
        .recall("2026-01-01T00:00:00Z")
        .arg("--decks")
        .arg(sandbox.dir.path().join("mine"))
        .arg("compile")
        .arg(&guide)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "notes.md:5:1: card id `{id}` is already the id of card \"x\" at "
        )))
        .stderr(predicate::str::contains("own.toml:5:1 (deck `own`)"));
}

#[test]
fn the_report_counts_cards_by_syntax_and_names_sections_without_cards_and_json_has_it_all() {
    let sandbox = Sandbox::new();
    let notes = "# Notes\n\n## Terms\n\nLatency::the time one request takes\n\n- **Jitter**: variation in latency.\n\n## Musings\n\nSome prose and no card.\n\n## Further reading\n\n- [A book](https://example.com)\n";
    let guide = sandbox.file("notes.md", notes);
    compile(&sandbox, &guide, &[])
        .success()
        .stdout(predicate::str::contains(
            "notes.md: 2 cards (bold-term 1, obsidian-single-line 1)",
        ))
        .stdout(predicate::str::contains(
            "1 of 2 sections with text made no card: Musings (line 9)",
        ));
    let out = compile(&sandbox, &guide, &["--json"]).success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let file = &json["guides"][0];
    assert_eq!(file["cards"], 2);
    assert_eq!(file["by_syntax"]["bold-term"], 1);
    assert_eq!(file["sections_with_prose"], 2);
    let musings = file["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "Musings")
        .unwrap();
    assert_eq!(musings["no_card"], true);
    assert_eq!(json["cards"], 2);
    assert_eq!(json["added"].as_array().unwrap().len(), 0);
    // --check --json reports the same, and whether the decks are up to date.
    let out = compile(&sandbox, &guide, &["--check", "--json"]).success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["up_to_date"], true);
}

#[test]
fn strict_fails_on_a_one_word_item_among_phrases() {
    strict_fails_with(
        &format!(
            "{HEAD}Write-through, from the user's side:\n\n- Application adds the entry to the cache\n- Cache synchronously writes the entry to the store\n- Return\n"
        ),
        "list item \"Return\" is one word among items that are phrases, a leftover step rather than a fact to recall, so it makes no card",
    );
}

/// A one-word member of a set among phrases is a fact, not a leftover: "Luck" gets its card
/// and no warning (it was flagged as a leftover like "Return").
#[test]
fn a_one_word_member_of_a_set_is_a_card_and_no_warning() {
    let sandbox = Sandbox::new();
    let guide = sandbox.file(
        "notes.md",
        &format!(
            "{HEAD}What a startup's success comes from, by its founders' account:\n\n- Years of hard work on one problem\n- A market that grows faster than its rivals\n- Luck\n"
        ),
    );
    compile(&sandbox, &guide, &["--strict"])
        .success()
        .stderr(predicate::str::contains("one word").not())
        .stdout(predicate::str::contains("3 added"));
    let deck = std::fs::read_to_string(sandbox.dir.path().join("out/01-http.toml")).unwrap();
    assert!(deck.contains("back = \"Luck\""), "{deck}");
}

/// The cards `recall compile --json` makes of a real public document, with its report. The
/// documents are kept beside the repository in `../shared/data/public-notes/` (their README
/// gives sources and licences): text fetched from public repositories is not committed here.
fn compile_fixture(name: &str) -> (Vec<recall::deck::Card>, serde_json::Value) {
    let sandbox = Sandbox::new();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/public-notes");
    let text = std::fs::read_to_string(fixture.join(name)).unwrap();
    let guide = sandbox.file(name, &text);
    let out = compile(&sandbox, &guide, &["--json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let mut cards = Vec::new();
    for entry in std::fs::read_dir(sandbox.dir.path().join("out")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        cards.extend(
            recall::deck::parse_deck(&path.display().to_string(), &text)
                .unwrap()
                .cards,
        );
    }
    (cards, report)
}

/// What makes a card garbage (issue 25 item 2): an answer that is a link, a question, a
/// leftover step or metadata, or a card from a reference section.
fn garbage(card: &recall::deck::Card) -> Option<&'static str> {
    let back = card.back.trim();
    let section = card.source.as_deref().unwrap_or("").to_lowercase();
    if back.contains("](") || back.contains("http") || card.front.contains("](") {
        Some("a link")
    } else if back.ends_with('?') {
        Some("a question as the answer")
    } else if ["return", "done", "end"].contains(&back.to_lowercase().as_str()) {
        Some("a leftover step")
    } else if back.contains("sidebar_label") || card.front.contains("<img") {
        Some("front matter or an image")
    } else if ["further reading", "resources", "questions", "courses"]
        .iter()
        .any(|s| section.contains(s))
    {
        Some("a reference section")
    } else {
        None
    }
}

/// The titles of the sections the report says made no card.
fn sections_without_cards(report: &serde_json::Value) -> Vec<String> {
    report["guides"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["no_card"] == true)
        .map(|s| s["section"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 25, "done when": two real public documents compile with no garbage card, every
/// explicit card in them becomes a card, and the report names the sections without one.
#[test]
#[ignore = "reads two public documents kept outside the repository (../shared/data/public-notes); run with --ignored"]
fn real_public_documents_compile_without_garbage() {
    // The System Design Primer's "Cache" and "Asynchronism": lists introduced by a colon,
    // image blocks, link lists under "Source(s) and further reading", and a step list ending
    // in a bare "Return".
    let (cards, report) = compile_fixture("system-design-primer-cache.md");
    for card in &cards {
        assert_eq!(garbage(card), None, "garbage card: {card:?}");
    }
    let backs: Vec<&str> = cards.iter().map(|c| c.back.as_str()).collect();
    for item in [
        "User sessions",
        "Fully rendered web pages",
        "Activity streams",
        "User graph data",
        "Row level",
        "Fully-rendered HTML",
        "Cache synchronously writes entry to data store",
    ] {
        assert!(
            backs.contains(&item),
            "no card for the listed `{item}`: {backs:?}"
        );
    }
    assert_eq!(report["cards"], cards.len());
    let empty = sections_without_cards(&report);
    for section in [
        "Source(s) and further reading",
        "Disadvantage(s): cache-aside",
        "Back pressure",
    ] {
        assert!(
            empty.iter().any(|s| s.ends_with(section)),
            "{section} not in {empty:?}"
        );
    }

    // The Tech Interview Handbook's hash table cheatsheet: YAML front matter, an HTML head,
    // `**Term** - definition` bullets, a table of links, link lists of practice questions.
    let (cards, report) = compile_fixture("tech-interview-handbook-hash-table.md");
    for card in &cards {
        assert_eq!(garbage(card), None, "garbage card: {card:?}");
    }
    let terms: Vec<(&str, &str)> = cards
        .iter()
        .map(|c| (c.front.as_str(), c.back.as_str()))
        .collect();
    assert!(
        terms
            .iter()
            .any(|(f, b)| *f == "Separate chaining" && b.starts_with("A linked list")),
        "{terms:?}"
    );
    assert!(
        terms
            .iter()
            .any(|(f, b)| *f == "Open addressing" && b.starts_with("All entry records")),
        "{terms:?}"
    );
    let empty = sections_without_cards(&report);
    for section in [
        "Learning resources",
        "Implementations",
        "Recommended practice questions",
    ] {
        assert!(
            empty.iter().any(|s| s.ends_with(section)),
            "{section} not in {empty:?}"
        );
    }
    // Front matter is metadata: no section is made of it.
    assert!(
        !report["guides"][0]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["section"].as_str().unwrap().contains("sidebar_label")),
        "{report}"
    );
}
