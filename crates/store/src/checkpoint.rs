//! Copying the write-ahead log back into the database off the writer's path.
//!
//! SQLite checkpoints automatically inside the commit that crosses the threshold, so one owner's keystroke
//! in a thousand pays for copying megabytes. Here a background thread with its own connection runs a
//! PASSIVE checkpoint (it never blocks the writer or the readers) whenever the log has grown past a few
//! megabytes; the writer's own automatic checkpoint stays on, with a higher threshold, as the safety net.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::Result;

/// The log size from which the background thread checkpoints.
const WAL_BYTES_BEFORE_CHECKPOINT: u64 = 4 * 1024 * 1024;
/// How often the thread looks at the log's size.
const EVERY: Duration = Duration::from_millis(500);
/// The writer's own automatic checkpoint, in pages, for when the background one cannot keep up.
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// Runs a PASSIVE checkpoint on `conn`: returns (frames in the log, frames copied back).
pub fn checkpoint_passive(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(1)?, r.get(2)?)))?)
}

pub(crate) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: Option<JoinHandle<()>>,
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push("-wal");
    db.with_file_name(name)
}

impl Checkpointer {
    pub(crate) fn start(db: &Path) -> Checkpointer {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (db, flag) = (db.to_path_buf(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("earshot-checkpoint".into())
            .spawn(move || {
                let mut conn: Option<Connection> = None;
                // The log file keeps its size after a checkpoint (up to `journal_size_limit`) until a writer
                // starts it over; what it looked like once fully copied back is not worth another look.
                let mut copied_back: Option<(u64, Option<std::time::SystemTime>)> = None;
                let (lock, wake) = &*flag;
                loop {
                    let stopped = lock.lock().unwrap_or_else(|p| p.into_inner());
                    // Asked to stop before it started waiting: do not wait.
                    if *stopped {
                        return;
                    }
                    let (stopped, _) = wake.wait_timeout(stopped, EVERY).unwrap_or_else(|p| p.into_inner());
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    let Ok(meta) = std::fs::metadata(wal_path(&db)) else { continue };
                    let seen = (meta.len(), meta.modified().ok());
                    if meta.len() < WAL_BYTES_BEFORE_CHECKPOINT || copied_back == Some(seen) {
                        continue;
                    }
                    if conn.is_none() {
                        conn = Connection::open(&db)
                            .and_then(|c| c.execute_batch("PRAGMA busy_timeout = 100;").map(|_| c))
                            .ok();
                    }
                    // A failed checkpoint is retried on the next look; the writer's own is the safety net.
                    if let Some(c) = &conn {
                        if let Ok((frames, copied)) = checkpoint_passive(c) {
                            copied_back = (frames == copied).then_some(seen);
                        }
                    }
                }
            })
            .ok();
        Checkpointer { stop, handle }
    }

    pub(crate) fn stop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store;

    #[test]
    fn a_passive_checkpoint_copies_the_log_back_while_the_writer_keeps_writing() {
        let (dir, store) = store();
        store
            .write(|tx| {
                tx.execute_batch("CREATE TABLE filler (x BLOB)")?;
                for _ in 0..200 {
                    tx.execute("INSERT INTO filler VALUES (zeroblob(8192))", [])?;
                }
                Ok(())
            })
            .unwrap();
        let other = Connection::open(dir.path().join("test.db")).unwrap();
        let (frames, copied) = checkpoint_passive(&other).unwrap();
        assert!(frames > 0 && copied == frames, "{frames} frames, {copied} copied");
        // The writer goes on as before.
        store.write(|tx| Ok(tx.execute("INSERT INTO filler VALUES (1)", [])?)).unwrap();
    }
}
