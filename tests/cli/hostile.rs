//! Hostile shared files, round two: packages, review logs and exports crafted to damage a
//! learner's data or stop recall. Each package here is one recall exported itself, opened up
//! and changed the way an attacker (or a broken tool) would, so no outside library is needed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{Sandbox, numbered_deck, succeeds};

const NOW: &str = "2026-03-05T09:00:00Z";

/// A package recall exported from deck `t` (`cards` cards), its collection changed by `sql`,
/// with `media` (name, bytes) as its media files and map.
fn package(sandbox: &Sandbox, cards: usize, sql: &str, media: &[(&str, &[u8])]) -> PathBuf {
    let deck = sandbox.file("src/t.toml", &numbered_deck("t", cards));
    let exported = sandbox.dir.path().join("exported.apkg");
    succeeds(
        sandbox
            .recall(NOW)
            .arg("--decks")
            .arg(&deck)
            .args(["export", "--deck", "t", "--format", "apkg", "--output"])
            .arg(&exported),
    );
    let mut source = zip::ZipArchive::new(std::fs::File::open(&exported).unwrap()).unwrap();
    let mut collection = Vec::new();
    source
        .by_name("collection.anki2")
        .unwrap()
        .read_to_end(&mut collection)
        .unwrap();
    let db = sandbox.dir.path().join("collection.anki2");
    std::fs::write(&db, &collection).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    let path = sandbox.dir.path().join("hostile.apkg");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("collection.anki2", options).unwrap();
    zip.write_all(&std::fs::read(&db).unwrap()).unwrap();
    let map: serde_json::Map<String, serde_json::Value> = media
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (i.to_string(), (*name).into()))
        .collect();
    zip.start_file("media", options).unwrap();
    zip.write_all(serde_json::to_string(&map).unwrap().as_bytes())
        .unwrap();
    for (i, (_, bytes)) in media.iter().enumerate() {
        zip.start_file(i.to_string(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// `recall import PATH ARGS` into the sandbox's own deck directory.
fn import(sandbox: &Sandbox, path: &Path, args: &[&str]) -> std::process::Output {
    sandbox
        .recall(NOW)
        .arg("import")
        .arg(path)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A revlog row for the first card, `ms` after the epoch (Anki's revlog id is the time).
fn revlog_row(ms: i64) -> String {
    format!(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) \
         VALUES ({ms}, (SELECT min(id) FROM cards), -1, 3, 1, 0, 2500, 5000, 0);"
    )
}

#[test]
fn a_package_review_from_the_future_or_before_1970_is_held_back() {
    let sandbox = Sandbox::new();
    // 2026-03-04 (yesterday, kept), 2200-01-01 and 1969-12-31 (held back).
    let sql = [1_772_600_000_000, 7_258_118_400_000, -86_400_000]
        .map(revlog_row)
        .concat();
    let path = package(&sandbox, 2, &sql, &[]);
    let out = import(&sandbox, &path, &[]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        said.contains("1 added")
            && said.contains("2 reviews dated after 2026-03-06 or before 1970 held back"),
        "{said}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);
    // The one kept is yesterday's (ms since the epoch).
    assert_eq!(
        sandbox.count("SELECT max(reviewed_at) FROM review"),
        1_772_600_000_000
    );
}

#[test]
fn a_review_log_row_from_the_future_is_held_back_with_the_same_message() {
    let sandbox = Sandbox::new();
    let log = sandbox.file(
        "log.csv",
        "card_id,review_rating,review_time,review_duration\n\
         a,3,2026-03-01T10:00:00Z,4000\n\
         a,3,2200-01-01T10:00:00Z,4000\n\
         b,3,9999-12-31T10:00:00Z,4000\n",
    );
    let said = succeeds(
        sandbox
            .recall(NOW)
            .args(["import", "--review-log"])
            .arg(&log),
    );
    assert!(
        said.contains("1 added")
            && said.contains("2 reviews dated after 2026-03-06 or before 1970 held back"),
        "{said}"
    );
    assert_eq!(sandbox.count("SELECT count(*) FROM review"), 1);
}
