//! A package's media files into `--media DIR`, safely: planned while the package is read
//! (nothing written), written only once every check of the import has passed, never over a
//! file already there and never through a link. A name that clashes with a different file
//! gets a new name, as Anki does (`a.png` → `a-<hash>.png`), and the cards that show it say
//! the new name; a file already there with the same content is used as it is.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::{Layout, MAX_UNCOMPRESSED, copy_entry, media_map, safe_media_name, unreadable};
use crate::error::Error;
use crate::import::Budget;

/// What will happen to one media file of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The zip entry that holds it.
    pub entry: String,
    /// Whether the entry is zstd-compressed (Anki's current format).
    pub compressed: bool,
    /// Where it goes.
    pub file: PathBuf,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new file.
    Write,
    /// The same content is already there: nothing to write.
    Present,
    /// Its name was taken by a different file (or a link): written under `file`'s name.
    Renamed,
}

/// Counts a copy against the import's budget, into `out`; an error once the budget is spent.
fn inflate(
    path: &Path,
    archive: &mut ZipArchive<File>,
    entry: &str,
    compressed: bool,
    budget: &Budget,
    out: &mut impl io::Write,
) -> Result<u64, Error> {
    let limit = MAX_UNCOMPRESSED.min(budget.remaining());
    let copied = copy_entry(path, archive, entry, compressed, limit, out)?;
    if copied > limit || !budget.spend(copied) {
        return Err(budget.spent(path));
    }
    Ok(copied)
}

/// The content hash of a file already in the media folder.
fn file_hash(path: &Path) -> io::Result<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(hasher.finalize())
}

/// The media files that go under another name: (name, new name).
pub fn renames(plans: &HashMap<String, Plan>) -> Vec<(String, String)> {
    plans
        .iter()
        .filter_map(|(name, plan)| {
            let file = plan.file.file_name()?.to_string_lossy().into_owned();
            (file != *name).then(|| (name.clone(), file))
        })
        .collect()
}

/// A card's text showing media file `from` shows `to` instead.
pub fn rename_in(text: &mut String, from: &str, to: &str) {
    for kind in ["image", "sound"] {
        let old = format!("[{kind}: {from}]");
        if text.contains(&old) {
            *text = text.replace(&old, &format!("[{kind}: {to}]"));
        }
    }
}

/// `a.png` with content `hash` → `a-1f2e3d4c5b6a7988.png`.
fn renamed(name: &str, hash: &blake3::Hash) -> String {
    let short = &hash.to_hex()[..16];
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{short}.{ext}"),
        _ => format!("{name}-{short}"),
    }
}

/// Plans where each media file of the package goes in `dir` (media name → plan), writing
/// nothing. Only a name that is taken costs work: its entry is inflated (within `budget`)
/// and hashed, to tell the same file from a different one.
pub(super) fn plan(
    path: &Path,
    archive: &mut ZipArchive<File>,
    layout: Layout,
    names: &[String],
    dir: &Path,
    budget: &Budget,
) -> Result<HashMap<String, Plan>, Error> {
    let map = media_map(path, archive, layout, names)?;
    let compressed = layout == Layout::Latest;
    let mut entries: Vec<(&String, &String)> = map.iter().collect();
    entries.sort();
    let mut plans = HashMap::new();
    for (entry, name) in entries {
        if !safe_media_name(name) || !names.contains(entry) || plans.contains_key(name) {
            continue;
        }
        let taken = |file: &Path| std::fs::symlink_metadata(file).is_ok();
        let target = dir.join(name);
        if !taken(&target) {
            plans.insert(
                name.clone(),
                Plan {
                    entry: entry.clone(),
                    compressed,
                    file: target,
                    action: Action::Write,
                },
            );
            continue;
        }
        let mut hasher = blake3::Hasher::new();
        let size = inflate(path, archive, entry, compressed, budget, &mut hasher)?;
        let hash = hasher.finalize();
        // A regular file (not a link) with the same bytes is this file already.
        let same = |file: &Path| {
            std::fs::symlink_metadata(file)
                .is_ok_and(|m| m.file_type().is_file() && m.len() == size)
                && file_hash(file).is_ok_and(|h| h == hash)
        };
        let plan = if same(&target) {
            Some((target, Action::Present))
        } else {
            let other = dir.join(renamed(name, &hash));
            if !taken(&other) {
                Some((other, Action::Renamed))
            } else if same(&other) {
                Some((other, Action::Present))
            } else {
                None
            }
        };
        if let Some((file, action)) = plan {
            plans.insert(
                name.clone(),
                Plan {
                    entry: entry.clone(),
                    compressed,
                    file,
                    action,
                },
            );
        }
    }
    Ok(plans)
}

/// What [`write`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    /// Files that appeared under a planned name between the plan and the write: left alone.
    pub appeared: usize,
}

/// Writes the planned files of the package at `path`, each created new (never over a file,
/// never through a link), within `budget`. When the budget runs out, the files this call
/// created are removed again and nothing is left behind.
pub fn write(path: &Path, plans: &[&Plan], budget: &Budget) -> Result<Written, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = ZipArchive::new(file)
        .map_err(|e| unreadable(path, format!("not a readable .apkg (zip) file: {e}")))?;
    let mut created: Vec<PathBuf> = Vec::new();
    let mut done = Written::default();
    let result = (|| {
        for plan in plans {
            if plan.action == Action::Present {
                continue;
            }
            if let Some(dir) = plan.file.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            let mut out = match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&plan.file)
            {
                Ok(out) => out,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    done.appeared += 1;
                    continue;
                }
                Err(e) => return Err(Error::io(&plan.file, e)),
            };
            created.push(plan.file.clone());
            inflate(
                path,
                &mut archive,
                &plan.entry,
                plan.compressed,
                budget,
                &mut out,
            )?;
            out.sync_all().map_err(|e| Error::io(&plan.file, e))?;
            done.written += 1;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for file in &created {
            let _ = std::fs::remove_file(file);
        }
        return Err(e);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A package of `count` zstd entries (Anki's current format), each `size` zero bytes.
    fn bomb(dir: &Path, count: usize, size: usize) -> PathBuf {
        let path = dir.join("bomb.apkg");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let packed = zstd::encode_all(&vec![0u8; size][..], 19).unwrap();
        for i in 0..count {
            zip.start_file(i.to_string(), zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(&packed).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    fn plans(out: &Path, count: usize) -> Vec<Plan> {
        (0..count)
            .map(|i| Plan {
                entry: i.to_string(),
                compressed: true,
                file: out.join(format!("{i}.mp3")),
                action: Action::Write,
            })
            .collect()
    }

    /// The budget is for the whole package, not per file: three entries that each fit
    /// cannot together write more than it, and what was written is taken back.
    #[test]
    fn media_files_share_one_budget_and_a_crossing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let package = bomb(dir.path(), 3, 2 << 20);
        assert!(std::fs::metadata(&package).unwrap().len() < 4096);
        let out = dir.path().join("media");
        let plans = plans(&out, 3);
        let refs: Vec<&Plan> = plans.iter().collect();
        let budget = Budget::new(5 << 20);
        let error = write(&package, &refs, &budget).unwrap_err().to_string();
        assert!(error.contains("more than 5 MiB in all"), "{error}");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);

        let budget = Budget::new(6 << 20);
        let done = write(&package, &refs, &budget).unwrap();
        assert_eq!(done.written, 3);
        assert_eq!(budget.remaining(), 0);
    }

    /// A legacy package (JSON media map, plain entries) holding `files`, and its entry names.
    fn legacy(dir: &Path, files: &[(&str, &[u8])], map: &str) -> (PathBuf, Vec<String>) {
        let path = dir.join("media.apkg");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("media", options).unwrap();
        zip.write_all(map.as_bytes()).unwrap();
        let mut names = vec!["media".to_string()];
        for (entry, bytes) in files {
            zip.start_file(*entry, options).unwrap();
            zip.write_all(bytes).unwrap();
            names.push((*entry).to_string());
        }
        zip.finish().unwrap();
        (path, names)
    }

    /// The plan for each kind of name: free, taken by the same bytes, taken by other bytes,
    /// taken by a link, unsafe, missing from the package; and the renames the cards follow.
    #[test]
    fn each_media_file_is_planned_by_what_its_name_finds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("media");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("same.png"), b"same").unwrap();
        std::fs::write(out.join("other.png"), b"mine").unwrap();
        std::fs::write(dir.path().join("target.png"), b"link target").unwrap();
        std::os::unix::fs::symlink(dir.path().join("target.png"), out.join("link.png")).unwrap();
        let files: [(&str, &[u8]); 5] = [
            ("0", b"new"),
            ("1", b"same"),
            ("2", b"theirs"),
            ("3", b"link target"),
            ("4", b"unsafe"),
        ];
        let map = r#"{"0": "new.png", "1": "same.png", "2": "other.png", "3": "link.png", "4": "../up.png", "5": "missing.png"}"#;
        let (path, names) = legacy(dir.path(), &files, map);
        let mut archive = ZipArchive::new(File::open(&path).unwrap()).unwrap();
        let budget = Budget::new(1 << 20);
        let plans = plan(
            &path,
            &mut archive,
            Layout::Legacy("collection.anki2"),
            &names,
            &out,
            &budget,
        )
        .unwrap();
        let action = |name: &str| plans.get(name).map(|p| p.action.clone());
        assert_eq!(action("new.png"), Some(Action::Write));
        assert_eq!(plans["new.png"].file, out.join("new.png"));
        assert!(!plans["new.png"].compressed);
        assert_eq!(action("same.png"), Some(Action::Present));
        assert_eq!(action("other.png"), Some(Action::Renamed));
        // A link is never written through, even when what it points at has the same bytes.
        assert_eq!(action("link.png"), Some(Action::Renamed));
        assert_eq!(action("../up.png"), None);
        assert_eq!(action("missing.png"), None);
        // Only the taken names were inflated: "same", "theirs" and "link target".
        assert_eq!((1 << 20) - budget.remaining(), 4 + 6 + 11);
        let mut renames = renames(&plans);
        renames.sort();
        let names: Vec<&str> = renames.iter().map(|(from, _)| from.as_str()).collect();
        assert_eq!(names, ["link.png", "other.png"]);
        assert!(
            renames
                .iter()
                .all(|(from, to)| to.starts_with(&from[..from.len() - 4])
                    && std::path::Path::new(to).extension() == Some("png".as_ref())
                    && to != from)
        );

        let refs: Vec<&Plan> = plans.values().collect();
        let done = write(&path, &refs, &Budget::new(1 << 20)).unwrap();
        assert_eq!(done.written, 3);
        assert_eq!(std::fs::read(out.join("other.png")).unwrap(), b"mine");
        assert_eq!(
            std::fs::read(dir.path().join("target.png")).unwrap(),
            b"link target"
        );
        assert_eq!(std::fs::read(&plans["other.png"].file).unwrap(), b"theirs");
    }

    #[test]
    fn a_renamed_file_keeps_its_extension_and_a_card_shows_the_new_name() {
        let hash = blake3::hash(b"x");
        let short = &hash.to_hex()[..16];
        assert_eq!(renamed("a.png", &hash), format!("a-{short}.png"));
        assert_eq!(renamed("noext", &hash), format!("noext-{short}"));
        assert_eq!(renamed(".png", &hash), format!(".png-{short}"));
        let mut text = "Look [image: a.png] and [sound: a.png], not [image: a.png.jpg]".to_string();
        rename_in(&mut text, "a.png", "a-1.png");
        assert_eq!(
            text,
            "Look [image: a-1.png] and [sound: a-1.png], not [image: a.png.jpg]"
        );
    }
}
