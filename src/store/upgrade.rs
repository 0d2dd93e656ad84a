//! Opening an existing database at the schema this binary writes: migrations in order, after a
//! backup copy of the old file; and backups on request.

use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::params;

use super::schema::{self, current_version};
use super::{Store, store_error};
use crate::error::Error;

impl Store {
    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.err(&e))
    }

    pub(super) fn migrate(&mut self, file: Option<&Path>) -> Result<(), Error> {
        let version = self.schema_version()?;
        let target = current_version();
        if version > target {
            return Err(Error::Store {
                path: self.path.clone(),
                message: format!(
                    "written by a newer recall (schema version {version}; this recall understands up to {target}); upgrade recall, or pass another --db"
                ),
            });
        }
        if version == target {
            return Ok(());
        }
        if let (Some(file), true) = (file, version > 0) {
            let backup = backup_path(file, version);
            self.backup_to(&backup)?;
            eprintln!(
                "recall: upgrading database schema {version} -> {target}; a copy of the old database is at {}",
                backup.display()
            );
        }
        // The write lock first, then the version again: another recall process started at the
        // same moment may have created or migrated the schema meanwhile, and running a step
        // twice fails (`table review already exists`).
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_error(&self.path, &e))?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| store_error(&self.path, &e))?;
        for (step, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)
                .map_err(|e| store_error(&self.path, &e))?;
            tx.pragma_update(None, "user_version", step as i64 + 1)
                .map_err(|e| store_error(&self.path, &e))?;
        }
        // A step that rewrites `sqlite_schema` itself (v12) leaves the schema cookie as it
        // was, and another connection would go on with the schema it read before: one bump
        // after the steps makes every connection read it again (a step's DDL bumps it too;
        // once more costs nothing).
        let cookie: i64 = tx
            .query_row("PRAGMA schema_version", [], |row| row.get(0))
            .map_err(|e| store_error(&self.path, &e))?;
        tx.pragma_update(None, "schema_version", cookie + 1)
            .map_err(|e| store_error(&self.path, &e))?;
        tx.commit().map_err(|e| store_error(&self.path, &e))
    }

    /// Writes a consistent copy of the database to `dest` (`VACUUM INTO`: safe while others
    /// read or write). The copy is written beside `dest` under a temporary name, checked with
    /// `PRAGMA quick_check`, synced, and only then renamed to `dest`: a backup killed midway
    /// leaves no file at `dest` that looks whole but is not.
    pub fn backup_to(&self, dest: &Path) -> Result<(), Error> {
        let mut name = dest.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".partial-{}", std::process::id()));
        let tmp = dest.with_file_name(name);
        let _ = std::fs::remove_file(&tmp);
        let result = self.write_checked_copy(&tmp).and_then(|()| {
            std::fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))?;
            if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty())
                && let Ok(dir) = std::fs::File::open(dir)
            {
                let _ = dir.sync_all();
            }
            Ok(())
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn write_checked_copy(&self, tmp: &Path) -> Result<(), Error> {
        self.conn
            .execute("VACUUM INTO ?1", params![tmp.to_string_lossy()])
            .map_err(|e| self.err(&e))?;
        let shown = tmp.display().to_string();
        let copy =
            rusqlite::Connection::open_with_flags(tmp, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| store_error(&shown, &e))?;
        let check: String = copy
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|e| store_error(&shown, &e))?;
        drop(copy);
        if check != "ok" {
            return Err(Error::Store {
                path: shown,
                message: format!("the backup copy fails its check ({check}); nothing was kept"),
            });
        }
        std::fs::File::open(tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(tmp, e))
    }
}

fn backup_path(file: &Path, version: i64) -> PathBuf {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}-{stamp}.bak"));
    file.with_file_name(name)
}
