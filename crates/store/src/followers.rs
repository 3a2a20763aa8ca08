//! Followers of the owner's own accounts over time: each check of an account source records the count,
//! the latest of each (UTC) day kept.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FollowerCount {
    #[ts(type = "number")]
    pub source_id: i64,
    /// The source's name ("@shop.example on Bluesky").
    pub account: String,
    /// YYYY-MM-DD (UTC).
    pub day: String,
    #[ts(type = "number")]
    pub followers: i64,
}

pub fn record(tx: &Transaction<'_>, source_id: i64, day: &str, followers: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO follower_counts (source_id, day, followers) VALUES (?1, ?2, ?3)
         ON CONFLICT (source_id, day) DO UPDATE SET followers = excluded.followers",
    )?
    .execute(params![source_id, day, followers.max(0)])?;
    Ok(())
}

/// Counts of live sources from `from` to `to` (days, both included), by account then day.
pub fn between(conn: &Connection, from: &str, to: &str) -> Result<Vec<FollowerCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.source_id, s.name, f.day, f.followers FROM follower_counts f
           JOIN sources s ON s.id = f.source_id AND s.deleted_at IS NULL
          WHERE f.day >= ?1 AND f.day <= ?2 ORDER BY f.source_id, f.day",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok(FollowerCount { source_id: r.get(0)?, account: r.get(1)?, day: r.get(2)?, followers: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
