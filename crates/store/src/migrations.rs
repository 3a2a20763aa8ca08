//! Embedded, numbered, forward-only migrations. `PRAGMA user_version` is the number applied so far; each
//! migration runs in its own transaction together with the version bump, then foreign keys are checked.
//! Foreign keys are not enforced while a migration runs (SQLite's way of rebuilding a table others refer
//! to); the check before each commit refuses any migration that would leave a broken reference.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, StoreError};

/// Every migration ever shipped, in order. Never edit one that has shipped: add the next.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_contacts.sql"),
    include_str!("migrations/0002_listening.sql"),
    include_str!("migrations/0003_triage.sql"),
    include_str!("migrations/0004_value.sql"),
    include_str!("migrations/0005_search_merging.sql"),
    include_str!("migrations/0006_sales_digest.sql"),
    include_str!("migrations/0007_contact_search_rebuild.sql"),
    include_str!("migrations/0008_outbox_maybe_sent.sql"),
    include_str!("migrations/0009_demo_sources.sql"),
    include_str!("migrations/0010_source_kinds_in_code.sql"),
    include_str!("migrations/0011_team.sql"),
    include_str!("migrations/0012_team_epochs.sql"),
    include_str!("migrations/0013_team_mentions.sql"),
];

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the migrations after the current version, up to `MIGRATIONS.len()`.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies migrations up to `target` (tests build every earlier schema with it).
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let current = current_version(conn)? as usize;
    if current >= target {
        return Ok(());
    }
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = apply(conn, current, target);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated?;
    let now = current_version(conn)? as usize;
    if now > current {
        tracing::info!(from = current, to = now, "schema migrated");
    }
    Ok(())
}

fn apply(conn: &mut Connection, current: usize, target: usize) -> Result<()> {
    for (idx, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (idx + 1) as i64)?;
        let violations: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if violations > 0 {
            return Err(StoreError::Invalid(format!(
                "migration {} would leave {violations} broken references; nothing was changed",
                idx + 1
            )));
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn every_earlier_schema_migrates_to_the_latest_and_keeps_its_data() {
        for start in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("w.db");
            {
                let mut conn = Connection::open(&path).unwrap();
                // Some migrations call the functions the store registers on every connection it opens.
                crate::db::register_functions(&conn).unwrap();
                migrate_to(&mut conn, start).unwrap();
                conn.execute_batch("CREATE TABLE IF NOT EXISTS canary (v TEXT); INSERT INTO canary VALUES ('kept');")
                    .unwrap();
            }
            let store = Store::open(&path).unwrap();
            store
                .read(|conn| {
                    assert_eq!(current_version(conn)?, MIGRATIONS.len() as i64);
                    let v: String = conn.query_row("SELECT v FROM canary", [], |r| r.get(0))?;
                    assert_eq!(v, "kept", "migrating from v{start} kept existing data");
                    Ok(())
                })
                .unwrap();
            if start > 0 {
                let backups: Vec<_> = std::fs::read_dir(crate::db::backup_dir(&path))
                    .unwrap()
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().starts_with("pre-migration"))
                    .collect();
                assert_eq!(backups.len(), 1, "a backup is taken before migrating from v{start}");
            }
        }
    }

    #[test]
    fn a_reply_whose_outcome_was_unknown_before_the_sticky_flag_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::db::register_functions(&conn).unwrap();
            migrate_to(&mut conn, 7).unwrap();
            conn.execute_batch(
                "INSERT INTO sources (id, kind, name, url, config, created_at) VALUES (1, 'mastodon', 'm', 'https://m.example', '{}', 'x');
                 INSERT INTO outbox (id, source_id, network, text, target, idempotency_key, state, next_attempt_at, last_error, created_at)
                 VALUES (1, 1, 'mastodon', 'a', '{}', 'k1', 'queued', 'x', 'unknown outcome: timed out', 'x'),
                        (2, 1, 'mastodon', 'b', '{}', 'k2', 'queued', 'x', 'rate limited', 'x'),
                        (3, 1, 'mastodon', 'c', '{}', 'k3', 'sending', 'x', NULL, 'x');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let flags: Vec<i64> = store
            .read(|c| {
                Ok(c.prepare("SELECT maybe_sent FROM outbox ORDER BY id")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        assert_eq!(flags, vec![1, 0, 1]);
    }

    #[test]
    fn sources_rebuilt_without_their_kind_list_keep_their_state_mentions_and_replies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::db::register_functions(&conn).unwrap();
            conn.pragma_update(None, "foreign_keys", true).unwrap();
            migrate_to(&mut conn, 9).unwrap();
            conn.execute_batch(
                "INSERT INTO sources (id, kind, name, url, config, created_at, failures, etag, demo)
                 VALUES (7, 'feed', 'Local news', 'https://news.example/feed', '{}', 'x', 2, 'W/\"1\"', 1);
                 INSERT INTO mentions (id, source_id, external_id, text, fetched_at) VALUES (1, 7, 'e1', 'hello', 'x');
                 INSERT INTO outbox (id, source_id, network, text, target, idempotency_key, state, next_attempt_at, created_at)
                 VALUES (1, 7, 'mastodon', 'a', '{}', 'k1', 'queued', 'x', 'x');",
            )
            .unwrap();
            migrate(&mut conn).unwrap();
            let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
            assert!(enforced, "foreign keys are enforced again after migrating");
        }
        let store = Store::open(&path).unwrap();
        store
            .read(|c| {
                let kept: (String, i64, String, i64) =
                    c.query_row("SELECT kind, failures, etag, demo FROM sources WHERE id = 7", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?;
                assert_eq!(kept, ("feed".into(), 2, "W/\"1\"".into(), 1));
                let source: i64 = c.query_row("SELECT source_id FROM mentions WHERE id = 1", [], |r| r.get(0))?;
                assert_eq!(source, 7);
                Ok(())
            })
            .unwrap();
        // A kind this version does not know yet can be stored without a rebuild...
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO sources (id, kind, name, url, created_at) VALUES (8, 'lemmy', 'l', 'https://l.example', 'x')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        // ...and reading it says which kind it is, rather than passing it off as another.
        let read = store.read(|c| crate::sources::get(c, 8, "x"));
        assert!(read.unwrap_err().to_string().contains("lemmy"));
        // Broken references are still refused.
        let orphan = store.write(|tx| {
            tx.execute(
                "INSERT INTO mentions (source_id, external_id, text, fetched_at) VALUES (99, 'e2', 't', 'x')",
                [],
            )?;
            Ok(())
        });
        assert!(orphan.is_err(), "a mention of a missing source is refused");
    }

    #[test]
    fn contacts_stored_before_the_search_rebuild_are_found_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::db::register_functions(&conn).unwrap();
            migrate_to(&mut conn, 6).unwrap();
            let tx = conn.transaction().unwrap();
            let mut d = crate::test_support::person("Zoë Marchetti", Some("zoe@x.example"));
            d.notes = vec!["Met at the café\nasked about tubeless tyres".into()];
            // Today's insert asks whether the workspace is shared and who wrote a note, which this old
            // schema predates.
            tx.execute_batch(
                "CREATE TABLE team (id INTEGER PRIMARY KEY, member TEXT); ALTER TABLE notes ADD member TEXT;",
            )
            .unwrap();
            let id = crate::contacts::insert(&tx, &d.normalized().unwrap(), None, "2026-01-01T00:00:00Z").unwrap();
            tx.execute_batch("DROP TABLE team; ALTER TABLE notes DROP COLUMN member;").unwrap();
            // As the folding of that time indexed it: the line break lost, two words run together.
            tx.execute("DELETE FROM contacts_fts WHERE rowid = ?1", [id]).unwrap();
            tx.execute(
                "INSERT INTO contacts_fts (rowid, name, notes) VALUES (?1, 'zoe marchetti', 'met at the cafeasked')",
                [id],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        for query in ["zoe march", "asked", "tubeless", "zoe@x"] {
            assert_eq!(store.read(|c| crate::search::contacts(c, query, 10)).unwrap().len(), 1, "{query}");
        }
    }

    #[test]
    fn migrations_apply_cleanly_to_an_empty_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        // Migrations may call the functions every connection of the store has.
        crate::db::register_functions(&conn).unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), MIGRATIONS.len() as i64);
    }
}
