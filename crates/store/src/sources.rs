//! Sources: the places Earshot checks (a feed, a Mastodon instance, a Bluesky account, a Hacker News search,
//! manual capture), with the sync state of each. A failure is recorded beside the last success, never over it.

use earshot_core::mention::{SourceKind, SourceStatus};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, StoreError};

pub const KINDS: [&str; 5] = ["feed", "mastodon", "bluesky", "hn", "manual"];

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Source {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: SourceKind,
    pub name: String,
    pub url: String,
    /// What the kind needs beyond the URL, as JSON (a hashtag, a handle, a search).
    pub config: String,
    /// The keychain item holding this source's secret, if it has one.
    #[serde(skip)]
    #[ts(skip)]
    pub credential_id: Option<String>,
    /// `new`, `ok`, `failing`, `rate_limited`, `paused`, or `demo` (a demo source, never fetched).
    pub status: SourceStatus,
    pub paused_reason: Option<String>,
    pub next_check_at: Option<String>,
    /// Not checked before this time (a server asked to wait).
    pub not_before: Option<String>,
    pub last_checked_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub failing_since: Option<String>,
    #[ts(type = "number")]
    pub failures: i64,
    #[ts(type = "number")]
    pub parse_failures: i64,
    /// Items fetched from this source, matching or not.
    #[ts(type = "number")]
    pub items_seen: i64,
    /// Items from this source that matched a query (or were addressed to the owner).
    #[ts(type = "number")]
    pub mentions: i64,
    /// Something the owner should know about this source that is not a failure (e.g. an instance without
    /// full-text search).
    pub notice: Option<String>,
    /// A source of the demo workspace: shown, never fetched.
    pub demo: bool,
}

pub use earshot_core::mention::SyncState;

#[derive(Debug, Clone)]
pub struct NewSource<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub config: &'a str,
    pub credential_id: Option<&'a str>,
}

const COLUMNS: &str = "s.id, s.kind, s.name, s.url, s.config, s.credential_id, s.paused_reason, s.next_check_at,
    s.not_before, s.last_checked_at, s.last_success_at, s.last_error, s.failing_since, s.failures, s.parse_failures,
    s.items_seen, (SELECT count(*) FROM mentions m WHERE m.source_id = s.id AND (m.matches > 0 OR m.direct = 1)), s.notice, s.demo";

fn from_row(r: &Row<'_>, now: &str) -> rusqlite::Result<Source> {
    let paused_reason: Option<String> = r.get(6)?;
    let not_before: Option<String> = r.get(8)?;
    let last_success_at: Option<String> = r.get(10)?;
    let failures: i64 = r.get(13)?;
    let demo: bool = r.get(18)?;
    let status = if demo {
        SourceStatus::Demo
    } else if paused_reason.is_some() {
        SourceStatus::Paused
    } else if not_before.as_deref().is_some_and(|t| t > now) {
        SourceStatus::RateLimited
    } else if failures > 0 {
        SourceStatus::Failing
    } else if last_success_at.is_some() {
        SourceStatus::Ok
    } else {
        SourceStatus::New
    };
    Ok(Source {
        id: r.get(0)?,
        kind: crate::named(r, 1)?,
        name: r.get(2)?,
        url: r.get(3)?,
        config: r.get(4)?,
        credential_id: r.get(5)?,
        status,
        paused_reason,
        next_check_at: r.get(7)?,
        not_before,
        last_checked_at: r.get(9)?,
        last_success_at,
        last_error: r.get(11)?,
        failing_since: r.get(12)?,
        failures,
        parse_failures: r.get(14)?,
        items_seen: r.get(15)?,
        mentions: r.get(16)?,
        notice: r.get(17)?,
        demo,
    })
}

/// Marks a source as the demo's: it is listed, and never fetched.
pub fn mark_demo(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE sources SET demo = 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// Adds a source, or brings back a removed one with the same kind, URL and settings (its history with it).
/// Adding one that is already there is refused.
pub fn add(tx: &Transaction<'_>, s: &NewSource<'_>, now: &str) -> Result<i64> {
    if !KINDS.contains(&s.kind) {
        return Err(StoreError::Invalid(format!("\"{}\" is not a kind of source", s.kind)));
    }
    let live: Option<i64> = tx
        .query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND url = ?2 AND config = ?3 AND deleted_at IS NULL",
            params![s.kind, s.url, s.config],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = live {
        return Err(StoreError::Invalid(format!("Earshot already listens to {} (source {id})", s.url)));
    }
    let removed: Option<i64> = tx
        .query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND url = ?2 AND config = ?3 ORDER BY id DESC LIMIT 1",
            params![s.kind, s.url, s.config],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = removed {
        tx.execute(
            "UPDATE sources SET deleted_at = NULL, paused_reason = NULL, name = ?2, credential_id = ?3,
                    next_check_at = ?4, failures = 0, parse_failures = 0, failing_since = NULL
              WHERE id = ?1",
            params![id, s.name, s.credential_id, now],
        )?;
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO sources (kind, name, url, config, credential_id, created_at, next_check_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![s.kind, s.name, s.url, s.config, s.credential_id, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Signs a live source in again: its keychain item is replaced and a pause for a refused sign-in lifted.
/// Returns the source's id, or `None` when no live source has this kind, address and settings.
pub fn sign_in_again(tx: &Transaction<'_>, s: &NewSource<'_>, now: &str) -> Result<Option<i64>> {
    let id: Option<i64> = tx
        .query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND url = ?2 AND config = ?3 AND deleted_at IS NULL",
            params![s.kind, s.url, s.config],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        tx.execute(
            "UPDATE sources SET credential_id = ?2, paused_reason = NULL, failures = 0, parse_failures = 0,
                    failing_since = NULL, last_error = NULL, not_before = NULL, next_check_at = ?3
              WHERE id = ?1",
            params![id, s.credential_id, now],
        )?;
    }
    Ok(id)
}

/// Removes a source; its mentions stay. Returns the keychain item to delete, if it had one that no other
/// source uses.
pub fn remove(tx: &Transaction<'_>, id: i64, now: &str) -> Result<Option<String>> {
    let credential: Option<Option<String>> = tx
        .query_row("SELECT credential_id FROM sources WHERE id = ?1 AND deleted_at IS NULL", [id], |r| r.get(0))
        .optional()?;
    let Some(credential) = credential else { return Err(StoreError::NotFound { what: "source", id }) };
    tx.execute("UPDATE sources SET deleted_at = ?2, credential_id = NULL WHERE id = ?1", params![id, now])?;
    // Another source signed in to the same account still needs the item.
    let shared: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sources WHERE credential_id = ?1 AND deleted_at IS NULL)",
        [&credential],
        |r| r.get(0),
    )?;
    Ok(credential.filter(|_| !shared))
}

/// The live sources signed in to one of the owner's accounts: `(kind, url, config)`.
pub fn signed_in(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, url, config FROM sources WHERE credential_id IS NOT NULL AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many sources are listened to (manual captures are not a source the owner set up).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sources WHERE deleted_at IS NULL AND kind != 'manual'", [], |r| r.get(0))?)
}

pub fn list(conn: &Connection, now: &str) -> Result<Vec<Source>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sources s WHERE s.deleted_at IS NULL AND s.kind != 'manual' ORDER BY s.name, s.id"
    ))?;
    let rows = stmt.query_map([], |r| from_row(r, now))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64, now: &str) -> Result<Source> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sources s WHERE s.id = ?1 AND s.deleted_at IS NULL"))?
        .query_row([id], |r| from_row(r, now))
        .optional()?
        .ok_or(StoreError::NotFound { what: "source", id })
}

/// Sources to check now: live, not paused, due (or all of them with `every`), and not asked to wait.
pub fn due(conn: &Connection, now: &str, every: bool) -> Result<Vec<Source>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sources s
          WHERE s.deleted_at IS NULL AND s.paused_reason IS NULL AND s.kind != 'manual' AND s.demo = 0
            AND (?2 OR s.next_check_at IS NULL OR s.next_check_at <= ?1)
            AND (s.not_before IS NULL OR s.not_before <= ?1)
          ORDER BY s.next_check_at, s.id"
    ))?;
    let rows = stmt.query_map(params![now, every], |r| from_row(r, now))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When the next source falls due, if any is waiting.
pub fn next_due_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(max(coalesce(next_check_at, ''), coalesce(not_before, ''))) FROM sources
          WHERE deleted_at IS NULL AND paused_reason IS NULL AND kind != 'manual' AND demo = 0",
        [],
        |r| r.get(0),
    )?)
}

pub fn sync_state(conn: &Connection, id: i64) -> Result<SyncState> {
    conn.prepare_cached("SELECT etag, last_modified, body_hash, cursor FROM sources WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(SyncState { etag: r.get(0)?, last_modified: r.get(1)?, body_hash: r.get(2)?, cursor: r.get(3)? })
        })
        .optional()?
        .ok_or(StoreError::NotFound { what: "source", id })
}

/// Records a successful check: the new sync state (in the same transaction as the items it covers), the
/// next check, the source's notice (set or cleared), and the failure counters reset.
pub fn record_success(
    tx: &Transaction<'_>,
    id: i64,
    state: &SyncState,
    items_seen: usize,
    next_check_at: &str,
    notice: Option<&str>,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sources SET etag = ?2, last_modified = ?3, body_hash = ?4, cursor = ?5, next_check_at = ?6,
                last_checked_at = ?7, last_success_at = ?7, failures = 0, parse_failures = 0, failing_since = NULL,
                not_before = NULL, last_error = NULL, items_seen = items_seen + ?8, notice = ?9
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        state.etag,
        state.last_modified,
        state.body_hash,
        state.cursor,
        next_check_at,
        now,
        items_seen as i64,
        notice
    ])?;
    Ok(())
}

/// What went wrong with one check, and what the scheduler decided to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure<'a> {
    pub message: &'a str,
    /// The body was fetched but could not be read (counts toward pausing the source).
    pub parse: bool,
    pub next_check_at: &'a str,
    /// A server asked not to be asked again before this time.
    pub not_before: Option<&'a str>,
    /// Stop checking until the owner acts, for this reason.
    pub pause: Option<&'a str>,
}

/// Records a failed check. The last success and the sync state are left as they were.
pub fn record_failure(tx: &Transaction<'_>, id: i64, f: &Failure<'_>, now: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sources SET last_checked_at = ?2, last_error = ?3, last_error_at = ?2,
                failing_since = coalesce(failing_since, ?2), failures = failures + 1,
                parse_failures = CASE WHEN ?4 THEN parse_failures + 1 ELSE 0 END,
                next_check_at = ?5, not_before = ?6, paused_reason = coalesce(?7, paused_reason)
          WHERE id = ?1",
    )?
    .execute(params![id, now, f.message, f.parse, f.next_check_at, f.not_before, f.pause])?;
    Ok(())
}

/// Records a check that found the server busy: wait until `not_before`, without counting a failure of the
/// source itself.
pub fn record_rate_limited(tx: &Transaction<'_>, id: i64, not_before: &str, message: &str, now: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sources SET last_checked_at = ?2, not_before = ?3, next_check_at = ?3, last_error = ?4,
                last_error_at = ?2
          WHERE id = ?1",
    )?
    .execute(params![id, now, not_before, message])?;
    Ok(())
}

/// Names a source after its feed's title, unless the owner named it: a source added by address alone is
/// called by its host until the first check.
pub fn name_from_feed(tx: &Transaction<'_>, id: i64, title: &str) -> Result<()> {
    let title = earshot_core::text::truncate_chars(title.trim(), 200);
    if title.is_empty() {
        return Ok(());
    }
    let url: String = tx.query_row("SELECT url FROM sources WHERE id = ?1", [id], |r| r.get(0))?;
    let host = url::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    tx.execute("UPDATE sources SET name = ?2 WHERE id = ?1 AND name = ?3", params![id, title, host])?;
    Ok(())
}

/// Makes one source (or every live one) due now, waiving a server's wait and a pause: the owner asked.
pub fn check_now(tx: &Transaction<'_>, id: Option<i64>, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE sources SET next_check_at = ?2, not_before = NULL, paused_reason = NULL, parse_failures = 0
          WHERE deleted_at IS NULL AND (?1 IS NULL OR id = ?1)",
        params![id, now],
    )?;
    Ok(())
}

/// Lets a paused or waiting source be checked again now.
pub fn resume(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE sources SET paused_reason = NULL, parse_failures = 0, not_before = NULL, next_check_at = ?2
          WHERE id = ?1 AND deleted_at IS NULL",
        params![id, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "source", id });
    }
    Ok(())
}

/// The built-in source that manually captured items of one network belong to, created on first use.
pub fn manual(tx: &Transaction<'_>, network: &str, now: &str) -> Result<i64> {
    let url = format!("manual:{network}");
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM sources WHERE kind = 'manual' AND url = ?1 AND deleted_at IS NULL", [&url], |r| {
            r.get(0)
        })
        .optional()?;
    match existing {
        Some(id) => Ok(id),
        None => {
            add(tx, &NewSource { kind: "manual", name: network, url: &url, config: "{}", credential_id: None }, now)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_source_is_listed_as_demo_and_never_due() {
        let (_dir, store) = crate::test_support::store();
        let now = "2026-12-05T12:00:00Z";
        let id = store
            .write(|tx| {
                let s = NewSource {
                    kind: "feed",
                    name: "demo",
                    url: "https://example.com/f",
                    config: "{}",
                    credential_id: None,
                };
                let id = add(tx, &s, now)?;
                mark_demo(tx, id)?;
                Ok(id)
            })
            .unwrap();
        let listed = store.read(|c| get(c, id, now)).unwrap();
        assert_eq!((listed.status.as_str(), listed.demo), ("demo", true));
        assert!(store.read(|c| due(c, now, true)).unwrap().is_empty(), "even a check of everything skips it");
        assert_eq!(store.read(next_due_at).unwrap(), None);
    }
    use crate::test_support::{store, NOW};

    fn feed(url: &str) -> NewSource<'_> {
        NewSource { kind: "feed", name: "Blog", url, config: "{}", credential_id: None }
    }

    #[test]
    fn a_failure_keeps_the_last_success_and_the_sync_state() {
        let (_dir, store) = store();
        let id = store.write(|tx| add(tx, &feed("https://blog.example/feed"), NOW)).unwrap();
        assert_eq!(store.read(|c| get(c, id, NOW)).unwrap().status, "new");
        let state = SyncState { etag: Some("\"v1\"".into()), ..Default::default() };
        store.write(|tx| record_success(tx, id, &state, 5, "2026-11-25T13:00:00Z", None, NOW)).unwrap();
        let failure = Failure {
            message: "connection refused",
            parse: false,
            next_check_at: "2026-11-25T12:05:00Z",
            not_before: None,
            pause: None,
        };
        store.write(|tx| record_failure(tx, id, &failure, "2026-11-25T13:00:00Z")).unwrap();
        let s = store.read(|c| get(c, id, "2026-11-25T13:00:00Z")).unwrap();
        assert_eq!(s.status, "failing");
        assert_eq!(s.last_success_at.as_deref(), Some(NOW));
        assert_eq!(s.failing_since.as_deref(), Some("2026-11-25T13:00:00Z"));
        assert_eq!(s.items_seen, 5);
        assert_eq!(store.read(|c| sync_state(c, id)).unwrap(), state);
    }

    #[test]
    fn paused_and_waiting_sources_are_not_due_until_resumed_or_the_wait_is_over() {
        let (_dir, store) = store();
        let a = store.write(|tx| add(tx, &feed("https://a.example/feed"), NOW)).unwrap();
        let b = store.write(|tx| add(tx, &feed("https://b.example/feed"), NOW)).unwrap();
        let pause = Failure {
            message: "not a feed",
            parse: true,
            next_check_at: NOW,
            not_before: None,
            pause: Some("3 bad reads"),
        };
        store.write(|tx| record_failure(tx, a, &pause, NOW)).unwrap();
        store.write(|tx| record_rate_limited(tx, b, "2026-11-25T12:30:00Z", "429", NOW)).unwrap();
        assert!(store.read(|c| due(c, "2026-11-25T12:10:00Z", false)).unwrap().is_empty());
        assert_eq!(store.read(|c| get(c, b, "2026-11-25T12:10:00Z")).unwrap().status, "rate_limited");
        let later = store.read(|c| due(c, "2026-11-25T12:31:00Z", false)).unwrap();
        assert_eq!(later.iter().map(|s| s.id).collect::<Vec<_>>(), vec![b]);
        store.write(|tx| resume(tx, a, "2026-11-25T12:31:00Z")).unwrap();
        assert_eq!(store.read(|c| due(c, "2026-11-25T12:31:00Z", false)).unwrap().len(), 2);
    }

    #[test]
    fn removing_one_of_two_sources_on_one_account_keeps_its_keychain_item() {
        let (_dir, store) = store();
        let account = |config| NewSource {
            kind: "bluesky",
            name: "@shop",
            url: "https://pds.example",
            config,
            credential_id: Some("bluesky:did:plc:shop"),
        };
        let old = store.write(|tx| add(tx, &account(r#"{"handle":"old.shop","did":"did:plc:shop"}"#), NOW)).unwrap();
        let new = store.write(|tx| add(tx, &account(r#"{"handle":"new.shop","did":"did:plc:shop"}"#), NOW)).unwrap();
        assert_eq!(store.read(signed_in).unwrap().len(), 2);
        assert_eq!(store.write(|tx| remove(tx, old, NOW)).unwrap(), None, "the other source still uses it");
        assert_eq!(store.write(|tx| remove(tx, new, NOW)).unwrap().as_deref(), Some("bluesky:did:plc:shop"));
        assert!(store.read(signed_in).unwrap().is_empty());
    }

    #[test]
    fn the_same_source_twice_is_refused_and_a_removed_one_comes_back_with_its_id() {
        let (_dir, store) = store();
        let id = store.write(|tx| add(tx, &feed("https://blog.example/feed"), NOW)).unwrap();
        let err = store.write(|tx| add(tx, &feed("https://blog.example/feed"), NOW)).unwrap_err();
        assert!(err.to_string().contains("already listens"), "{err}");
        store.write(|tx| remove(tx, id, NOW)).unwrap();
        assert!(store.read(|c| list(c, NOW)).unwrap().is_empty());
        assert_eq!(store.write(|tx| add(tx, &feed("https://blog.example/feed"), NOW)).unwrap(), id);
    }

    #[test]
    fn removing_a_source_hands_back_its_keychain_item_and_forgets_it() {
        let (_dir, store) = store();
        let s = NewSource { credential_id: Some("source-1"), ..feed("https://m.example") };
        let id = store.write(|tx| add(tx, &s, NOW)).unwrap();
        assert_eq!(store.write(|tx| remove(tx, id, NOW)).unwrap().as_deref(), Some("source-1"));
        let kept: Option<String> = store
            .read(|c| Ok(c.query_row("SELECT credential_id FROM sources WHERE id = ?1", [id], |r| r.get(0))?))
            .unwrap();
        assert_eq!(kept, None);
    }
}
