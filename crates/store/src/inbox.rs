//! The inbox: open mentions (new, and snoozed ones whose time has come) or any other state, filtered by
//! source, query, sentiment, intent, language and full text, sorted by priority or by time.
//!
//! Open items sorted by priority walk the `mentions_open_priority` index and stop at the page size, so the
//! first page costs the same with a thousand mentions or a million.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Deserialize;
use ts_rs::TS;

use crate::mentions::{
    mention_from_row, with_queries, Mention, MENTION_SELECT, OPEN_BY_PRIORITY_SELECT, OPEN_BY_TIME_SELECT,
};
use crate::{search, Result, StoreError};

/// How many of the newest full-text matches a search considers.
pub const SEARCH_WINDOW: usize = 5_000;

pub const STATES: [&str; 6] = ["open", "filed", "done", "ignored", "snoozed", "all"];

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct InboxFilter {
    /// open (default), filed, done, ignored, snoozed or all.
    pub state: Option<String>,
    pub filed_as: Option<String>,
    #[ts(type = "number | null")]
    pub source_id: Option<i64>,
    /// brand, competitor or industry.
    pub query_kind: Option<String>,
    #[ts(type = "number | null")]
    pub query_id: Option<i64>,
    /// positive, neutral or negative.
    pub sentiment: Option<String>,
    pub intent: Option<String>,
    pub lang: Option<String>,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    /// Words to find in the text, title or author.
    pub search: Option<String>,
    /// Only mentions assigned to this member of the team.
    pub assignee: Option<String>,
    /// Only mentions assigned to this desktop's member ("Assigned to me").
    pub assigned_to_me: bool,
    /// priority (default) or newest.
    pub sort: Option<String>,
    #[ts(type = "number | null")]
    pub limit: Option<i64>,
    #[ts(type = "number | null")]
    pub offset: Option<i64>,
}

/// One page of the inbox.
pub fn page(conn: &Connection, f: &InboxFilter, now: &str) -> Result<Vec<Mention>> {
    let state = f.state.as_deref().unwrap_or("open");
    let sort = f.sort.as_deref().unwrap_or("priority");
    let select = match (state, sort) {
        ("open", "priority") => OPEN_BY_PRIORITY_SELECT,
        ("open", "newest") => OPEN_BY_TIME_SELECT,
        _ => MENTION_SELECT,
    };
    let mut sql = format!("{select} WHERE (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL");
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    match state {
        "open" => arg(
            &mut sql,
            " AND m.state IN ('new', 'snoozed') AND (m.state = 'new' OR m.snoozed_until <= ?)",
            now.to_owned().into(),
        ),
        "all" => {}
        "filed" | "done" | "ignored" | "snoozed" => arg(&mut sql, " AND m.state = ?", state.to_owned().into()),
        other => {
            return Err(StoreError::Invalid(format!("state \"{other}\" is not one of {}", STATES.join(", "))));
        }
    }
    if let Some(v) = &f.filed_as {
        arg(&mut sql, " AND m.filed_as = ?", v.clone().into());
    }
    if let Some(v) = f.source_id {
        arg(&mut sql, " AND m.source_id = ?", v.into());
    }
    if let Some(v) = f.contact_id {
        arg(&mut sql, " AND m.contact_id = ?", v.into());
    }
    if let Some(v) = &f.query_kind {
        arg(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM mention_matches mm JOIN listening_queries q ON q.id = mm.query_id
                          WHERE mm.mention_id = m.id AND q.kind = ?)",
            v.clone().into(),
        );
    }
    if let Some(v) = f.query_id {
        arg(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM mention_matches mm WHERE mm.mention_id = m.id AND mm.query_id = ?)",
            v.into(),
        );
    }
    match f.sentiment.as_deref() {
        None => {}
        Some("positive") => sql.push_str(" AND m.sentiment >= 0.05"),
        Some("negative") => sql.push_str(" AND m.sentiment <= -0.05"),
        Some("neutral") => sql.push_str(" AND m.sentiment > -0.05 AND m.sentiment < 0.05"),
        Some(other) => {
            return Err(StoreError::Invalid(format!("sentiment \"{other}\" is not positive, neutral or negative")));
        }
    }
    if let Some(v) = &f.intent {
        arg(&mut sql, " AND instr(',' || m.intents || ',', ?) > 0", format!(",{v},").into());
    }
    if let Some(v) = &f.assignee {
        arg(&mut sql, " AND m.assignee = ? COLLATE NOCASE", v.trim().to_owned().into());
    }
    if f.assigned_to_me {
        sql.push_str(" AND m.assignee = (SELECT member FROM team WHERE id = 1)");
    }
    if let Some(v) = &f.lang {
        arg(&mut sql, " AND m.lang = ?", v.clone().into());
    }
    if let Some(q) = f.search.as_deref().and_then(search::to_match_query) {
        // The newest matches: a common word can match a hundred thousand mentions, and sorting them all
        // by priority would cost a second for a page of fifty.
        arg(
            &mut sql,
            &format!(
                " AND m.id IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? ORDER BY rowid DESC LIMIT {SEARCH_WINDOW})"
            ),
            q.into(),
        );
    }
    match sort {
        "priority" => sql.push_str(" ORDER BY m.priority DESC, m.id DESC"),
        "newest" => sql.push_str(" ORDER BY coalesce(m.published_at, m.fetched_at) DESC, m.id DESC"),
        other => return Err(StoreError::Invalid(format!("sort \"{other}\" is not priority or newest"))),
    }
    let limit = f.limit.unwrap_or(50).clamp(1, 10_000);
    let offset = f.offset.unwrap_or(0).max(0);
    sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
    let mut stmt = conn.prepare_cached(&sql)?;
    let items =
        stmt.query_map(rusqlite::params_from_iter(args), mention_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    with_queries(conn, items)
}

/// How many items are open now, and how many of them are urgent (urgency at or above `urgent_from`).
pub fn open_counts(conn: &Connection, now: &str, urgent_from: f64) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(urgency >= ?2), 0) FROM mentions INDEXED BY mentions_open_priority
          WHERE (matches > 0 OR direct = 1) AND duplicate_of IS NULL
            AND state IN ('new', 'snoozed') AND (state = 'new' OR snoozed_until <= ?1)",
        )?
        .query_row(rusqlite::params![now, urgent_from], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Open mentions that call for the owner now, newer than `after_id`, newest first: a complaint from a known
/// contact, a negative mention from an author with a wide reach, or anything urgent.
pub fn urgent_after(conn: &Connection, after_id: i64, urgent_from: f64, limit: i64) -> Result<Vec<Mention>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MENTION_SELECT}
          WHERE m.id > ?1 AND m.state = 'new' AND (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL
            AND ((instr(',' || m.intents || ',', ',complaint,') > 0 AND m.contact_id IS NOT NULL)
                 OR (m.sentiment <= -0.05 AND coalesce(m.author_followers, 0) >= ?2)
                 OR m.urgency >= ?3)
          ORDER BY m.id DESC LIMIT ?4"
    ))?;
    let items = stmt
        .query_map(rusqlite::params![after_id, WIDE_REACH, urgent_from, limit], mention_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    with_queries(conn, items)
}

/// Followers from which an author's negative mention is worth a notification.
pub const WIDE_REACH: i64 = 10_000;

/// The newest mention id: where notifications start when they are first turned on.
pub fn newest_id(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(id), 0) FROM mentions")?.query_row([], |r| r.get(0))?)
}
