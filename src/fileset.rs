//! Replacing a set of files in one directory as a whole: a large imported deck is several part
//! files (`NAME.toml`, `NAME~002.toml`, …), and a reader must see either all the old parts or
//! all the new ones, never a mix (duplicate card ids everywhere) or a subset (cards silently
//! missing).
//!
//! How: each new file is written and synced under a hidden staging name (`.NAME.toml.staged`,
//! which no loader reads); then a journal naming every move and removal is written whole and
//! synced; then the moves and removals are carried out and the journal removed. A crash before
//! the journal exists leaves the old files untouched (the staged ones are leftovers, removed at
//! the next start); a crash after it is rolled forward at the next start by [`recover`], which
//! every command runs before it reads a deck. Carrying out a journal twice is harmless.
//!
//! One lock file per directory keeps two writers (or a writer and a recovery) apart.
//
// Rejected: writing the parts into a new directory and switching one symlink. It is atomic
// too, but turns every deck directory into a link farm that users see and back up, and
// Windows symlinks need privileges.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;

const LOCK: &str = ".recall-write.lock";
const STAGED: &str = ".staged";
const JOURNAL: &str = ".journal";

/// A replacement under way: the lock, the files staged so far and the removals to make.
pub struct Replacement {
    dir: PathBuf,
    name: String,
    _lock: File,
    /// `(staging file name, final file name)`.
    moves: Vec<(String, String)>,
    removes: Vec<String>,
    committed: bool,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn lock_file(dir: &Path) -> Result<File, Error> {
    let path = dir.join(LOCK);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))
}

impl Replacement {
    /// Starts replacing files of `dir`, named `name` in the journal (a deck id); waits for
    /// another writer of `dir` to finish first.
    pub fn begin(dir: &Path, name: &str) -> Result<Replacement, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let lock = lock_file(dir)?;
        lock.lock().map_err(|e| Error::io(dir.join(LOCK), e))?;
        // A journal left by a crash of an earlier writer is carried out first: it may
        // concern the same files.
        roll_forward_all(dir)?;
        Ok(Replacement {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            _lock: lock,
            moves: Vec::new(),
            removes: Vec::new(),
            committed: false,
        })
    }

    /// Writes `bytes` as the new content of `target` (a file of this directory), under its
    /// staging name, synced to disk.
    pub fn stage(&mut self, target: &Path, bytes: &[u8]) -> Result<(), Error> {
        let final_name = file_name(target);
        let staged_name = format!(".{final_name}{STAGED}");
        let staged = self.dir.join(&staged_name);
        let mut file = File::create(&staged).map_err(|e| Error::io(&staged, e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(&staged, e))?;
        self.moves.push((staged_name, final_name));
        Ok(())
    }

    /// Removes `target` (a file of this directory) when the replacement is carried out.
    pub fn remove(&mut self, target: &Path) {
        self.removes.push(file_name(target));
    }

    /// Carries out the replacement: from the moment the journal is on disk, the new set is
    /// what every later reader sees, even after a crash.
    pub fn commit(mut self) -> Result<(), Error> {
        let mut journal = String::new();
        for (staged, target) in &self.moves {
            journal.push_str(&format!("move\t{staged}\t{target}\n"));
        }
        for target in &self.removes {
            journal.push_str(&format!("remove\t{target}\n"));
        }
        journal.push_str("end\n");
        let path = self.dir.join(format!(".{}{JOURNAL}", self.name));
        crate::partial::write(&path, |mut file| {
            file.write_all(journal.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::io(&path, e))
        })?;
        sync_dir(&self.dir);
        self.committed = true;
        roll_forward(&self.dir, &path)
    }
}

impl Drop for Replacement {
    /// An abandoned replacement (an error before [`Replacement::commit`]) leaves nothing
    /// behind.
    fn drop(&mut self) {
        if !self.committed {
            for (staged, _) in &self.moves {
                let _ = std::fs::remove_file(self.dir.join(staged));
            }
        }
    }
}

/// Syncs a directory's entries (renames) to disk; best effort, as not every platform can.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Carries out one journal, then removes it. Idempotent: a move whose staged file is gone
/// was made already.
fn roll_forward(dir: &Path, journal: &Path) -> Result<(), Error> {
    let text = std::fs::read_to_string(journal).map_err(|e| Error::io(journal, e))?;
    if !text.ends_with("end\n") {
        // Written through a temporary file and renamed, so never half there; a journal
        // without its end was not written by recall. Leave it and the files alone.
        eprintln!(
            "recall: warning: {} is not a complete recall journal; left alone (move it away)",
            crate::display::inert(&journal.display().to_string())
        );
        return Ok(());
    }
    let mut targets = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["move", staged, target] if safe(staged) && safe(target) => {
                let from = dir.join(staged);
                let to = dir.join(target);
                if from.exists() {
                    std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
                }
                targets.push(*target);
            }
            ["remove", target] if safe(target) && !targets.contains(target) => {
                let path = dir.join(target);
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io(&path, e));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    sync_dir(dir);
    std::fs::remove_file(journal).map_err(|e| Error::io(journal, e))?;
    sync_dir(dir);
    Ok(())
}

/// A plain file name: a journal never reaches outside its directory.
fn safe(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != ".."
}

fn roll_forward_all(dir: &Path) -> Result<usize, Error> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut done = 0;
    for name in names
        .iter()
        .filter(|n| n.starts_with('.') && n.ends_with(JOURNAL))
    {
        roll_forward(dir, &dir.join(name))?;
        done += 1;
    }
    // Staged files no journal names: a writer that stopped before its journal.
    for name in names
        .iter()
        .filter(|n| n.starts_with('.') && n.ends_with(STAGED))
    {
        let _ = std::fs::remove_file(dir.join(name));
    }
    Ok(done)
}

/// Finishes, before anything reads `dir`'s files, a replacement that a crash interrupted,
/// and removes the leftovers of one that never reached its journal. Returns how many
/// replacements were finished. A replacement under way in another process is left to it.
pub fn recover(dir: &Path) -> Result<usize, Error> {
    let has_work = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with('.') && (name.ends_with(JOURNAL) || name.ends_with(STAGED))
        })
    });
    if !has_work {
        return Ok(0);
    }
    let lock = lock_file(dir)?;
    if lock.try_lock().is_err() {
        // Another process is writing: its own commit carries out its journal.
        return Ok(0);
    }
    roll_forward_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != LOCK)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_committed_replacement_swaps_the_whole_set() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["a.toml", "a~002.toml", "a~003.toml"] {
            std::fs::write(d.join(name), "old").unwrap();
        }
        let mut r = Replacement::begin(d, "a").unwrap();
        r.stage(&d.join("a.toml"), b"new1").unwrap();
        r.stage(&d.join("a~002.toml"), b"new2").unwrap();
        r.remove(&d.join("a~003.toml"));
        assert_eq!(std::fs::read_to_string(d.join("a.toml")).unwrap(), "old");
        r.commit().unwrap();
        assert_eq!(names(d), ["a.toml", "a~002.toml"]);
        assert_eq!(
            std::fs::read_to_string(d.join("a~002.toml")).unwrap(),
            "new2"
        );
    }

    #[test]
    fn an_abandoned_replacement_leaves_the_old_files_and_no_staged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.toml"), "old").unwrap();
        let mut r = Replacement::begin(d, "a").unwrap();
        r.stage(&d.join("a.toml"), b"new").unwrap();
        drop(r);
        assert_eq!(names(d), ["a.toml"]);
        assert_eq!(std::fs::read_to_string(d.join("a.toml")).unwrap(), "old");
    }

    #[test]
    fn a_journal_left_by_a_crash_is_carried_out_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // What a writer killed right after its journal leaves: one move made, one not.
        std::fs::write(d.join("a.toml"), "new1").unwrap();
        std::fs::write(d.join(".a~002.toml.staged"), "new2").unwrap();
        std::fs::write(d.join("a~002.toml"), "old2").unwrap();
        std::fs::write(d.join("a~003.toml"), "old3").unwrap();
        std::fs::write(
            d.join(".a.journal"),
            "move\t.a.toml.staged\ta.toml\nmove\t.a~002.toml.staged\ta~002.toml\nremove\ta~003.toml\nend\n",
        )
        .unwrap();
        assert_eq!(recover(d).unwrap(), 1);
        assert_eq!(names(d), ["a.toml", "a~002.toml"]);
        assert_eq!(
            std::fs::read_to_string(d.join("a~002.toml")).unwrap(),
            "new2"
        );
        assert_eq!(recover(d).unwrap(), 0);
    }

    #[test]
    fn staged_files_without_a_journal_are_removed_and_the_old_set_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.toml"), "old").unwrap();
        std::fs::write(d.join(".a.toml.staged"), "half").unwrap();
        recover(d).unwrap();
        assert_eq!(names(d), ["a.toml"]);
    }

    #[test]
    fn a_journal_cannot_reach_outside_its_directory() {
        let outer = tempfile::tempdir().unwrap();
        let d = outer.path().join("decks");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(outer.path().join("keep.txt"), "mine").unwrap();
        std::fs::write(d.join(".x.journal"), "remove\t../keep.txt\nend\n").unwrap();
        recover(&d).unwrap();
        assert!(outer.path().join("keep.txt").exists());
    }

    #[test]
    fn a_journal_cannot_move_files_in_or_out_of_its_directory() {
        let outer = tempfile::tempdir().unwrap();
        let d = outer.path().join("decks");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(outer.path().join("secret.txt"), "mine").unwrap();
        std::fs::write(d.join("a.toml"), "deck").unwrap();
        std::fs::write(
            d.join(".x.journal"),
            "move\t../secret.txt\tstolen.toml\nmove\ta.toml\t../moved.toml\nend\n",
        )
        .unwrap();
        recover(&d).unwrap();
        assert!(outer.path().join("secret.txt").exists());
        assert!(!d.join("stolen.toml").exists());
        assert!(d.join("a.toml").exists());
        assert!(!outer.path().join("moved.toml").exists());
    }

    #[test]
    fn a_removal_already_made_is_no_error_but_a_failing_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join(".a.journal"), "remove\tgone.toml\nend\n").unwrap();
        assert_eq!(recover(d).unwrap(), 1, "a file already removed is fine");
        std::fs::create_dir(d.join("sub.toml")).unwrap();
        std::fs::write(d.join(".b.journal"), "remove\tsub.toml\nend\n").unwrap();
        assert!(recover(d).is_err(), "a removal that fails is reported");
    }

    #[test]
    fn only_recall_journals_are_carried_out() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.toml"), "deck").unwrap();
        // Not hidden: a user's file that happens to end in `.journal`.
        std::fs::write(d.join("notes.journal"), "remove\ta.toml\nend\n").unwrap();
        std::fs::write(d.join(".a.toml.staged"), "half").unwrap();
        recover(d).unwrap();
        assert!(d.join("a.toml").exists());
        assert!(d.join("notes.journal").exists());
    }

    #[test]
    fn a_directory_with_nothing_to_recover_is_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join(".gitignore"), "*.bak\n").unwrap();
        std::fs::write(d.join("a.toml"), "deck").unwrap();
        assert_eq!(recover(d).unwrap(), 0);
        assert!(
            !d.join(LOCK).exists(),
            "no lock file left in the user's directory"
        );
    }
}
