//! Keeps the database's card catalog in step with the deck files: a file whose stamp is
//! unchanged is not read; one whose stamp changed is read and hashed, and parsed only if its
//! content changed. The catalog is rewritten only when some content did.

use std::collections::HashMap;

use crate::deck::{self, FirstCopies, Source};
use crate::error::{Error, Problems};
use crate::store::{CatalogEntry, CatalogFile, Store};

/// Reads and parses every source, reporting every problem at once (conflicts between files
/// included), into a library: for when there is no database to hold a catalog.
pub fn load_all(sources: &[Source]) -> Result<deck::Library, Error> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for source in sources {
        let text = source.read()?;
        match source.parse(&text) {
            Ok(file) => files.push(file),
            Err(found) => problems.extend(found),
        }
    }
    deck::assemble(files, problems)
}

/// Checks that every source loads, reporting every problem at once (conflicts between files
/// included), holding one deck file at a time.
pub fn check_all(sources: &[Source]) -> Result<(), Error> {
    let mut firsts = FirstCopies::default();
    let mut problems = Vec::new();
    for source in sources {
        let text = source.read()?;
        match source.parse(&text) {
            Ok(file) => {
                firsts.mark(&file, &mut problems);
            }
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(Problems(problems)))
    }
}

/// What to do with one source.
enum Plan {
    /// Its content is what the catalog holds at this load-order position.
    Keep { old: usize, hash: String },
    /// Its content changed (or is new): parse it.
    Parse,
}

/// Brings the store's catalog up to date with `sources`: a file whose stamp is unchanged is
/// not read, one whose content hash is unchanged is not parsed. Deck files are handled one at
/// a time, so memory does not grow with the collection. Any problem leaves the catalog as it
/// was. Returns how many deck files were parsed.
pub fn sync(store: &mut Store, sources: &[Source]) -> Result<usize, Error> {
    let stored = store.catalog_files()?;
    let unchanged = stored.len() == sources.len()
        && stored
            .iter()
            .zip(sources)
            .all(|(old, new)| old.name == new.name && deck::unchanged(&old.stamp, new));
    if unchanged {
        return Ok(0);
    }
    let plans = plan(&stored, sources, None)?;
    carry_out(store, plans, stored.len(), sources)
}

/// Rewrites the catalog from `plans` — unless every file is kept where it was, when only the
/// stamps changed (a `touch`, a copy, a racy stamp) and the new ones are recorded.
fn carry_out(
    store: &mut Store,
    plans: Vec<Plan>,
    stored: usize,
    sources: &[Source],
) -> Result<usize, Error> {
    let in_place = plans.len() == stored
        && plans
            .iter()
            .enumerate()
            .all(|(i, plan)| matches!(plan, Plan::Keep { old, .. } if *old == i));
    if in_place {
        let stamps: Vec<(&str, &str)> = sources
            .iter()
            .map(|s| (s.name.as_str(), s.stamp.as_str()))
            .collect();
        store.restamp_catalog(&stamps)?;
        return Ok(0);
    }
    rewrite(store, plans, sources)
}

/// Checks the catalog against every source, as [`sync`] does, and also checks each kept
/// file's rows in the catalog (the count of its cards and identical copies): a file whose
/// stamp is unchanged is not read, one whose stamp changed is read and hashed, and a file is
/// parsed again when its content changed or its rows are not intact. How a damaged catalog is
/// repaired (`recall rebuild`); a problem leaves the catalog as it was. Returns how many deck
/// files were parsed.
///
/// Reading and hashing every file regardless (as this did until issue 18) read all 38 MB of
/// a 100,000-card collection's decks and caught nothing more: the hash is of the file, not of
/// the rows, so only the row check can find a damaged catalog.
pub fn resync(store: &mut Store, sources: &[Source]) -> Result<usize, Error> {
    let stored = store.catalog_files()?;
    let plans = plan(&stored, sources, Some(store))?;
    carry_out(store, plans, stored.len(), sources)
}

/// Writes the catalog from `plans`, one deck file at a time.
fn rewrite(store: &mut Store, plans: Vec<Plan>, sources: &[Source]) -> Result<usize, Error> {
    store.rewrite_catalog(|writer| {
        let mut firsts = FirstCopies::default();
        let mut problems = Vec::new();
        let mut parsed = 0;
        for (plan, source) in plans.into_iter().zip(sources) {
            let kept = match plan {
                Plan::Keep { old, hash } => writer.old_file(old)?.map(|file| (hash, file)),
                Plan::Parse => None,
            };
            let (hash, file) = if let Some(kept) = kept {
                kept
            } else {
                // Changed, new, or (in a damaged catalog) missing: parse it.
                parsed += 1;
                let text = source.read()?;
                match source.parse(&text) {
                    Ok(file) => (source.content_hash(&text), file),
                    Err(found) => {
                        problems.extend(found);
                        continue;
                    }
                }
            };
            let loaded = firsts.mark(&file, &mut problems);
            for id in firsts.displaced() {
                writer.displace(id)?;
            }
            writer.add(&CatalogEntry {
                name: &source.name,
                stamp: &source.stamp,
                hash: &hash,
                file: &file,
                loaded: &loaded,
            })?;
        }
        if problems.is_empty() {
            Ok(parsed)
        } else {
            Err(Error::Problems(Problems(problems)))
        }
    })
}

/// For each source: keep what the catalog holds (same stamp, or same content hash) or parse
/// it. Files are only hashed here, so nothing is held but the hashes. With `verify`, a file
/// is kept only if its rows in that store's catalog are intact.
fn plan(
    stored: &[CatalogFile],
    sources: &[Source],
    verify: Option<&Store>,
) -> Result<Vec<Plan>, Error> {
    let by_name: HashMap<&str, usize> = stored
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), i))
        .collect();
    let mut plans = Vec::with_capacity(sources.len());
    for source in sources {
        let mut old = by_name.get(source.name.as_str()).copied();
        if let (Some(o), Some(store)) = (old, verify)
            && !store.catalog_file_intact(o)?
        {
            old = None;
        }
        if let Some(old) = old.filter(|&o| deck::unchanged(&stored[o].stamp, source)) {
            plans.push(Plan::Keep {
                old,
                hash: stored[old].hash.clone(),
            });
            continue;
        }
        let Some(old) = old else {
            plans.push(Plan::Parse);
            continue;
        };
        let hash = source.content_hash(&source.read()?);
        plans.push(if stored[old].hash == hash {
            Plan::Keep { old, hash }
        } else {
            Plan::Parse
        });
    }
    Ok(plans)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, SystemTime};

    use super::*;

    fn write_deck(path: &Path, id: &str, question: &str) {
        let text = format!(
            "[deck]\nid = \"{id}\"\nname = \"{id}\"\n[[card]]\nid = \"{id}-1\"\nfront = \"{question}\"\nback = \"A\"\n"
        );
        std::fs::write(path, text).unwrap();
        // An hour old, so the stamp is trusted (a just-written file is checked again).
        set_age(path, 3600);
    }

    fn set_age(path: &Path, seconds: u64) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(seconds))
            .unwrap();
    }

    fn sync_dir(store: &mut Store, dir: &Path) -> Result<usize, Error> {
        let sources = deck::sources(&[dir.to_path_buf()])?;
        sync(store, &sources)
    }

    fn fronts(store: &Store) -> Vec<String> {
        let library = store.catalog_library().unwrap();
        library
            .cards
            .iter()
            .filter(|c| !c.location.path.starts_with("(bundled)"))
            .map(|c| c.front.clone())
            .collect()
    }

    #[test]
    fn only_changed_deck_files_are_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        write_deck(&dir.path().join("a.toml"), "a", "Qa");
        write_deck(&dir.path().join("b.toml"), "b", "Qb");
        let bundled = deck::bundled::DECKS.len();
        assert_eq!(sync_dir(&mut store, dir.path()).unwrap(), bundled + 2);
        assert_eq!(
            sync_dir(&mut store, dir.path()).unwrap(),
            0,
            "nothing changed"
        );

        // Touched: read and hashed again, not parsed.
        set_age(&dir.path().join("a.toml"), 60);
        assert_eq!(sync_dir(&mut store, dir.path()).unwrap(), 0);
        assert_eq!(fronts(&store), ["Qa", "Qb"]);

        // Edited: that file alone is parsed.
        write_deck(&dir.path().join("b.toml"), "b", "Qb, edited");
        assert_eq!(sync_dir(&mut store, dir.path()).unwrap(), 1);
        assert_eq!(fronts(&store), ["Qa", "Qb, edited"]);

        // Removed and added.
        std::fs::remove_file(dir.path().join("a.toml")).unwrap();
        write_deck(&dir.path().join("c.toml"), "c", "Qc");
        assert_eq!(sync_dir(&mut store, dir.path()).unwrap(), 1);
        assert_eq!(fronts(&store), ["Qb, edited", "Qc"]);
    }

    #[test]
    fn a_broken_edit_is_reported_and_leaves_the_catalog_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let path = dir.path().join("a.toml");
        write_deck(&path, "a", "Qa");
        sync_dir(&mut store, dir.path()).unwrap();
        std::fs::write(&path, "[deck]\nid = \"a\"\n[[card]]\nid = \"a-1\"\n").unwrap();
        let Err(Error::Problems(problems)) = sync_dir(&mut store, dir.path()) else {
            panic!("expected the deck's problems");
        };
        assert!(problems.to_string().contains("a.toml:"), "{problems}");
        assert_eq!(fronts(&store), ["Qa"]);
    }

    #[test]
    fn a_file_written_just_now_is_checked_again_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        write_deck(&path, "a", "Qa");
        set_age(&path, 0);
        let mut store = Store::open_in_memory().unwrap();
        sync_dir(&mut store, dir.path()).unwrap();
        // Rewritten in the same clock tick as it was stamped: same size, and (as a coarse
        // clock can make it) the very same stamp. The stamp is racy, so it is not trusted.
        write_deck(&path, "a", "Qb");
        set_age(&path, 0);
        let sources = deck::sources(&[dir.path().to_path_buf()]).unwrap();
        let source = sources.last().unwrap();
        assert!(source.stamp.ends_with(" racy"), "{}", source.stamp);
        store
            .restamp_catalog(&[(source.name.as_str(), source.stamp.as_str())])
            .unwrap();
        assert_eq!(sync(&mut store, &sources).unwrap(), 1);
        assert_eq!(fronts(&store), ["Qb"]);
    }

    /// The first card of the first bundled deck: `(id, front)`.
    fn a_bundled_card() -> (String, String) {
        let (path, text) = deck::bundled::DECKS[0];
        let file = deck::parse_deck(path, text).unwrap();
        let card = &file.cards[0];
        (card.id.0.clone(), card.front.clone())
    }

    #[test]
    fn an_override_replaces_a_bundled_card_in_the_catalog_until_it_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let (id, bundled_front) = a_bundled_card();
        let mine = dir.path().join("mine.toml");
        std::fs::write(
            &mine,
            format!(
                "[deck]\nid = \"mine\"\nname = \"Mine\"\n[[card]]\nid = \"{id}\"\noverride = true\nfront = \"My question\"\nback = \"My answer\"\n"
            ),
        )
        .unwrap();
        set_age(&mine, 3600);
        sync_dir(&mut store, dir.path()).unwrap();
        let (size, _) = store.catalog_size().unwrap();
        let id = crate::types::CardId(id);
        let front = |store: &Store| store.catalog_card(&id).unwrap().unwrap().front;
        assert_eq!(front(&store), "My question");

        // Another file changes: the override's file is kept unread and still overrides.
        write_deck(&dir.path().join("other.toml"), "other", "Q");
        assert_eq!(sync_dir(&mut store, dir.path()).unwrap(), 1);
        assert_eq!(front(&store), "My question");
        assert_eq!(store.catalog_size().unwrap().0, size + 1);
        // A rebuild's check finds every file's rows intact: nothing is parsed again.
        let sources = deck::sources(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(resync(&mut store, &sources).unwrap(), 0);

        std::fs::remove_file(&mine).unwrap();
        sync_dir(&mut store, dir.path()).unwrap();
        assert_eq!(front(&store), bundled_front);
        assert_eq!(store.catalog_size().unwrap().0, size + 1);
    }
}
