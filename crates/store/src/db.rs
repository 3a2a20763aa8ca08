//! Opening the database: pragmas, the clean-shutdown marker, backups, migrations, and the connection pool.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{Duration, Utc};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::{migrations, Result, StoreError};

const READERS: usize = 3;
const BACKUPS_KEPT_DAYS: i64 = 7;

#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Take a daily backup on open (kept 7 days) and one before any migration.
    pub backups: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { backups: true }
    }
}

pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    checkpointer: Mutex<crate::checkpoint::Checkpointer>,
    /// True when the previous session did not close the database cleanly (it was checked on open).
    pub recovered_from_unclean_shutdown: bool,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.display().to_string(), source }
}

/// Runs `f` in one `BEGIN IMMEDIATE` transaction on `conn`; commits if it returns `Ok`.
fn transact<T>(conn: &mut Connection, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Folds text the way the search index stores it; registered on every connection as `earshot_fold`.
pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "earshot_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let value: Option<String> = ctx.get(0)?;
            Ok(value.map(|v| earshot_core::text::fold(&v)))
        },
    )
}

/// Each connection's page cache, in KiB: enough to keep a 100,000-contact workspace's lists and search warm.
pub const CACHE_KIB: i64 = 128 * 1024;

fn configure(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;
         PRAGMA trusted_schema = OFF;",
    )?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    } else {
        conn.execute_batch("PRAGMA journal_size_limit = 67108864;")?;
        conn.pragma_update(None, "wal_autocheckpoint", crate::checkpoint::WRITER_AUTOCHECKPOINT_PAGES)?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    register_functions(conn)
}

impl Store {
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, OpenOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let existed = path.exists();
        let marker = marker_path(&path);
        let unclean = existed && marker.exists();

        let writer = Connection::open(&path)?;
        restrict_permissions(&path)?;
        writer.execute_batch("PRAGMA journal_mode = WAL;")?;
        configure(&writer, false)?;

        if unclean {
            let detail: String = writer.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if detail != "ok" {
                return Err(StoreError::Corrupt {
                    path: path.display().to_string(),
                    detail,
                    backups: backup_dir(&path).display().to_string(),
                });
            }
        }

        let version = migrations::current_version(&writer)?;
        let known = migrations::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::NewerSchema { path: path.display().to_string(), found: version, known });
        }
        if options.backups && version > 0 && version < known {
            let stamp = Utc::now().format("%Y%m%dT%H%M%S");
            backup_to(&writer, &backup_dir(&path).join(format!("pre-migration-v{version}-{stamp}.db")))?;
        }
        let mut writer = writer;
        migrations::migrate(&mut writer)?;
        if options.backups {
            daily_backup(&writer, &path)?;
        }

        std::fs::write(&marker, b"open").map_err(io_err(&marker))?;

        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure(&conn, true)?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<Vec<_>>>()?;

        let checkpointer = Mutex::new(crate::checkpoint::Checkpointer::start(&path));
        Ok(Store {
            path,
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            checkpointer,
            recovered_from_unclean_shutdown: unclean,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer; commits if it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        transact(&mut conn, f)
    }

    /// Like [`Store::write`], for what listening fetched: items from the network stored together with the
    /// source's cursor. The commit is not flushed to disk on its own (`synchronous = NORMAL`): after a power
    /// cut the last few fetches may be rolled back, cursor included, and are fetched again; a crash of the
    /// app loses nothing, and the next commit of the owner's own work flushes them with it. Everything the
    /// owner does goes through [`Store::write`], which flushes every commit.
    pub fn write_refetchable<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        let out = transact(&mut conn, f);
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        out
    }

    /// Runs `f` on one of the read-only connections (round robin), inside a read transaction so it sees
    /// one consistent snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idx = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let mut conn = self.readers[idx].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }

    /// Writes a consistent copy of the database to `dest` with SQLite's online backup API.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        backup_to(&conn, dest)
    }
}

impl Store {
    /// A clean close: optimise, checkpoint the WAL, and remove the marker so the next open skips the
    /// integrity check. Apps that exit without dropping their state call it on their way out, after the
    /// last write. Calling it again (as `Drop` does) is harmless.
    pub fn close_cleanly(&self) {
        self.checkpointer.lock().unwrap_or_else(|p| p.into_inner()).stop();
        let conn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
        let _ = std::fs::remove_file(marker_path(&self.path));
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close_cleanly();
    }
}

fn marker_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".open");
    db.with_file_name(name)
}

pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_err(path))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

/// Backs up to a temporary file, checks it, then renames it into place, so a crash never leaves a
/// half-written backup under the final name.
fn backup_to(conn: &Connection, dest: &Path) -> Result<()> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let tmp = dest.with_extension("tmp");
    // Readable by the owner only from its first byte: SQLite keeps the mode of a file it opens.
    let _ = std::fs::remove_file(&tmp);
    let mut private = std::fs::OpenOptions::new();
    private.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut private, 0o600);
    private.open(&tmp).map_err(io_err(&tmp))?;
    {
        let mut copy = Connection::open(&tmp)?;
        let backup = rusqlite::backup::Backup::new(conn, &mut copy)?;
        backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        drop(backup);
        let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Invalid(format!("the backup {} failed its check: {check}", tmp.display())));
        }
    }
    restrict_permissions(&tmp)?;
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, dest).map_err(io_err(dest))?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tracing::info!(backup = %name, "backup written");
    Ok(())
}

/// One backup per day, named by date; backups older than a week are removed.
fn daily_backup(conn: &Connection, db: &Path) -> Result<()> {
    let dir = backup_dir(db);
    let today = Utc::now().date_naive();
    let dest = dir.join(format!("daily-{}.db", today.format("%Y-%m-%d")));
    if !dest.exists() {
        backup_to(conn, &dest)?;
    }
    let oldest = today - Duration::days(BACKUPS_KEPT_DAYS - 1);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let date = name.strip_prefix("daily-").and_then(|n| n.strip_suffix(".db"));
            if let Some(date) = date.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
                if date < oldest {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_file_is_private_to_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let _store = Store::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn pragmas_are_set_on_every_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db")).unwrap();
        store
            .write(|tx| {
                let mode: String = tx.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                let sync: i64 = tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
                let fk: i64 = tx.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                let trusted: i64 = tx.query_row("PRAGMA trusted_schema", [], |r| r.get(0))?;
                assert_eq!((mode.as_str(), sync, fk, trusted), ("wal", 2, 1, 0));
                Ok(())
            })
            .unwrap();
        store
            .read(|conn| {
                let only: i64 = conn.query_row("PRAGMA query_only", [], |r| r.get(0))?;
                assert_eq!(only, 1, "readers cannot write");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn the_owners_writes_are_flushed_again_after_listening_stored_something_even_when_it_failed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db")).unwrap();
        let sync_level =
            |tx: &Transaction<'_>| -> Result<i64> { Ok(tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?) };
        assert_eq!(store.write_refetchable(sync_level).unwrap(), 1, "NORMAL while storing fetched items");
        assert_eq!(store.write(sync_level).unwrap(), 2);
        let failed: Result<()> = store.write_refetchable(|_| Err(StoreError::Invalid("feed broke".into())));
        assert!(failed.is_err());
        assert_eq!(store.write(sync_level).unwrap(), 2, "FULL again after a failed fetch");
    }

    #[test]
    fn an_unclean_shutdown_is_noticed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = Store::open(&path).unwrap();
        assert!(!store.recovered_from_unclean_shutdown);
        std::mem::forget(store); // like a crash: the marker stays
        let store = Store::open(&path).unwrap();
        assert!(store.recovered_from_unclean_shutdown);
        drop(store);
        assert!(!Store::open(&path).unwrap().recovered_from_unclean_shutdown);
    }

    #[test]
    fn a_daily_backup_is_taken_and_old_ones_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let backups = backup_dir(&path);
        std::fs::create_dir_all(&backups).unwrap();
        std::fs::write(backups.join("daily-2000-01-01.db"), b"old").unwrap();
        drop(Store::open(&path).unwrap());
        let names: Vec<String> =
            std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with("daily-"));
        let copy = Connection::open(backups.join(&names[0])).unwrap();
        let version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, migrations::MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 999").unwrap();
        match Store::open(&path) {
            Err(StoreError::NewerSchema { found: 999, .. }) => {}
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("a newer schema was opened"),
        }
    }
}
