//! Writing a file whole or not at all. The content goes to `<name>.partial` beside the target
//! and is renamed over it once complete, so an error or a crash midway leaves any earlier file
//! as it was. Writers stream into the temporary file: nothing needs the whole content in
//! memory.

use std::fs::File;
use std::path::Path;

use crate::error::Error;

/// Writes `path` through `content`, which gets the temporary file (the directories above it
/// created first) and must flush whatever it buffers before returning. On success the file
/// replaces `path`; on an error from `content` or the rename the temporary file is removed
/// and `path` is untouched.
pub fn write<T>(path: &Path, content: impl FnOnce(File) -> Result<T, Error>) -> Result<T, Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension("partial");
    let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let result = content(file).and_then(|value| {
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        Ok(value)
    });
    if result.is_err() {
        // Best effort: the error being reported matters more than a leftover temporary file.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_complete_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.txt");
        write(&path, |mut f| {
            f.write_all(b"old").map_err(|e| Error::io(&path, e))
        })
        .unwrap();
        write(&path, |mut f| {
            f.write_all(b"new").map_err(|e| Error::io(&path, e))
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(!dir.path().join("sub/out.partial").exists());
    }

    #[test]
    fn a_failure_midway_leaves_the_earlier_file_and_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "earlier").unwrap();
        let err = write(&path, |mut f| -> Result<(), Error> {
            f.write_all(b"half of the n").unwrap();
            Err(Error::Usage("the card source failed".into()))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "the card source failed");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier");
        assert!(!dir.path().join("out.partial").exists());
    }
}
