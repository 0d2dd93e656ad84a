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
        let tx = self
            .conn
            .transaction()
            .map_err(|e| store_error(&self.path, &e))?;
        for (step, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)
                .map_err(|e| store_error(&self.path, &e))?;
            tx.pragma_update(None, "user_version", step as i64 + 1)
                .map_err(|e| store_error(&self.path, &e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, &e))
    }

    /// Writes a consistent copy of the database to `dest` (`VACUUM INTO`: safe while others
    /// read or write).
    pub fn backup_to(&self, dest: &Path) -> Result<(), Error> {
        self.conn
            .execute("VACUUM INTO ?1", params![dest.to_string_lossy()])
            .map(|_| ())
            .map_err(|e| self.err(&e))
    }
}

fn backup_path(file: &Path, version: i64) -> PathBuf {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}-{stamp}.bak"));
    file.with_file_name(name)
}
