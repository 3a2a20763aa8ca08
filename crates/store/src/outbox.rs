//! The outbox: replies queued by the owner, waiting for the network.
//!
//! States: queued -> sending -> sent, or back to queued (retry later) or failed (the owner must act);
//! cancelled by undo while still queued or failed. Each transition is its own short transaction, written
//! before and after the network call, so a crash leaves the reply in 'sending' and the sender looks for it
//! on the server before trying again.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, StoreError};

/// Longest reply accepted (Mastodon's default limit; Bluesky's is 300 graphemes and is checked there).
pub const TEXT_CAP: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutboxItem {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub mention_id: Option<i64>,
    #[ts(type = "number")]
    pub source_id: i64,
    pub network: String,
    pub text: String,
    pub state: earshot_core::triage::OutboxState,
    #[ts(type = "number")]
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// Who is being answered.
    pub to: Option<String>,
}

/// What the sender needs for one reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub source_id: i64,
    pub network: String,
    pub base_url: String,
    pub credential_id: Option<String>,
    pub text: String,
    pub target: String,
    pub key: String,
    pub attempts: i64,
    /// It was being sent when the app stopped, or the answer was lost: look before sending again.
    pub maybe_sent: bool,
}

/// Queues a reply to a mention. `target` is what the network needs to thread it; `key` the idempotency key.
pub fn queue(
    tx: &Transaction<'_>,
    mention_id: i64,
    network: &str,
    text: &str,
    target: &str,
    key: &str,
    now: &str,
) -> Result<i64> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid("the reply is empty".into()));
    }
    if text.chars().count() > TEXT_CAP {
        return Err(StoreError::Invalid(format!("the reply is longer than {TEXT_CAP} characters")));
    }
    let source_id: i64 = tx
        .query_row("SELECT source_id FROM mentions WHERE id = ?1", [mention_id], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound { what: "mention", id: mention_id })?;
    // The same words to the same mention, already on their way: a second click, not a second reply.
    let waiting: Option<i64> = tx
        .query_row(
            "SELECT id FROM outbox WHERE mention_id = ?1 AND text = ?2 AND state IN ('queued', 'sending')",
            params![mention_id, text],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = waiting {
        return Err(StoreError::Invalid(format!(
            "this reply is already waiting to go out (reply {id}); it is sent once"
        )));
    }
    tx.execute(
        "INSERT INTO outbox (mention_id, source_id, network, text, target, idempotency_key, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![mention_id, source_id, network, text, target, key, now],
    )?;
    Ok(tx.last_insert_rowid())
}

const SELECT: &str =
    "SELECT o.id, o.mention_id, o.source_id, o.network, o.text, o.state, o.attempts, o.next_attempt_at,
        o.last_error, o.remote_id, o.remote_url, o.created_at, o.sent_at, coalesce(m.author_handle, m.author_name)
   FROM outbox o LEFT JOIN mentions m ON m.id = o.mention_id";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        mention_id: r.get(1)?,
        source_id: r.get(2)?,
        network: r.get(3)?,
        text: r.get(4)?,
        state: crate::named(r, 5)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        last_error: r.get(8)?,
        remote_id: r.get(9)?,
        remote_url: r.get(10)?,
        created_at: r.get(11)?,
        sent_at: r.get(12)?,
        to: r.get(13)?,
    })
}

/// Every reply, newest first.
pub fn list(conn: &Connection, limit: i64) -> Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY o.id DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], item)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<OutboxItem> {
    conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1"))?
        .query_row([id], item)
        .optional()?
        .ok_or(StoreError::NotFound { what: "reply", id })
}

/// Replies due now: queued ones whose time has come, and any left 'sending' (to be reconciled).
pub fn due(conn: &Connection, now: &str) -> Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.source_id, o.network, s.url, s.credential_id, o.text, o.target, o.idempotency_key, o.attempts,
                o.state = 'sending' OR o.maybe_sent
           FROM outbox o JOIN sources s ON s.id = o.source_id
          WHERE o.state IN ('queued', 'sending') AND o.next_attempt_at <= ?1
          ORDER BY o.next_attempt_at, o.id",
    )?;
    let rows = stmt.query_map([now], |r| {
        Ok(Pending {
            id: r.get(0)?,
            source_id: r.get(1)?,
            network: r.get(2)?,
            base_url: r.get(3)?,
            credential_id: r.get(4)?,
            text: r.get(5)?,
            target: r.get(6)?,
            key: r.get(7)?,
            attempts: r.get(8)?,
            maybe_sent: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks a reply as on its way, before the network call. A reply left 'sending' (the app stopped) may
/// have gone out: it is marked so, to be looked for before it is sent again.
pub fn mark_sending(tx: &Transaction<'_>, id: i64, now: &str) -> Result<bool> {
    let n = tx.execute(
        "UPDATE outbox SET maybe_sent = maybe_sent OR state = 'sending', state = 'sending',
                attempts = attempts + 1, next_attempt_at = ?2
          WHERE id = ?1 AND state IN ('queued', 'sending')",
        params![id, now],
    )?;
    Ok(n > 0)
}

pub fn mark_sent(tx: &Transaction<'_>, id: i64, remote_id: &str, remote_url: Option<&str>, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'sent', remote_id = ?2, remote_url = ?3, sent_at = ?4, last_error = NULL,
                maybe_sent = 0
          WHERE id = ?1",
        params![id, remote_id, remote_url, now],
    )?;
    Ok(())
}

/// Back to the queue, to be tried at `next_at`. `maybe_sent` when the request may have reached the server;
/// once set, it stays until a send is confirmed, whatever fails in between.
pub fn mark_retry(tx: &Transaction<'_>, id: i64, error: &str, maybe_sent: bool, next_at: &str) -> Result<()> {
    let error = if maybe_sent { format!("unknown outcome: {error}") } else { error.to_owned() };
    tx.execute(
        "UPDATE outbox SET state = 'queued', last_error = ?2, next_attempt_at = ?3, maybe_sent = maybe_sent OR ?4
          WHERE id = ?1 AND state = 'sending'",
        params![id, error, next_at, maybe_sent],
    )?;
    Ok(())
}

pub fn mark_failed(tx: &Transaction<'_>, id: i64, error: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE id = ?1 AND state = 'sending'",
        params![id, error],
    )?;
    Ok(())
}

/// Puts a failed reply back in the queue (after the owner signed in again, say).
pub fn retry(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?2 WHERE id = ?1 AND state = 'failed'",
        params![id, now],
    )?;
    if n == 0 {
        return Err(StoreError::Invalid(format!("reply {id} has not failed; only failed replies are retried")));
    }
    Ok(())
}

/// Counts by state, for the status bar.
pub fn counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
