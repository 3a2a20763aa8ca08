//! What re-scoring and learning read from the triage log and the open inbox, and where they write back:
//! the owner's decided texts, the open items, and their new scores.

use rusqlite::{params, Connection, Transaction};

use crate::Result;

/// Changes whenever a decision is made or undone: the newest triage-log row.
pub fn log_version(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(id), 0) FROM triage_log")?.query_row([], |r| r.get(0))?)
}

/// Each decided mention's text with its decision (state, filed as), newest decisions first: what the
/// learning learns from.
pub fn decided_texts(conn: &Connection, limit: i64) -> Result<Vec<(String, String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(title || ' ', '') || text, state, filed_as FROM mentions
          WHERE state IN ('filed', 'done', 'ignored') ORDER BY decided_at DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An open mention as re-scoring sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenItem {
    pub id: i64,
    pub text: String,
    pub urgency: f64,
    pub followers: Option<i64>,
    pub known_customer: bool,
    /// The author's customer weight (value percentile and segment), when computed.
    pub customer_weight: Option<f64>,
    pub irrelevance: f64,
    pub priority: f64,
    /// As stored: comma-separated intent names.
    pub intents: String,
}

/// The newest open mentions, for re-scoring with what the owner's decisions taught.
pub fn open_items(conn: &Connection, limit: i64) -> Result<Vec<OpenItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, coalesce(m.title || ' ', '') || m.text, m.urgency, m.author_followers, m.contact_id IS NOT NULL,
                m.irrelevance, v.value_percentile, v.segment, m.priority, m.intents
           FROM mentions m LEFT JOIN contact_values v ON v.contact_id = m.contact_id
          WHERE m.state IN ('new', 'snoozed') AND (m.matches > 0 OR m.direct = 1) ORDER BY m.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(OpenItem {
            id: r.get(0)?,
            text: r.get(1)?,
            urgency: r.get(2)?,
            followers: r.get(3)?,
            known_customer: r.get(4)?,
            irrelevance: r.get(5)?,
            customer_weight: match (r.get::<_, Option<i64>>(6)?, r.get::<_, Option<String>>(7)?) {
                (Some(pct), Some(segment)) => Some(crate::value::weight_of(pct, &segment)),
                _ => None,
            },
            priority: r.get(8)?,
            intents: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An open mention's scores after re-scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Rescored {
    pub id: i64,
    pub intents: String,
    pub urgency: f64,
    pub irrelevance: f64,
    pub priority: f64,
}

/// Saves re-scored intents, urgency, relevance and priority.
pub fn set_scores(tx: &Transaction<'_>, scores: &[Rescored]) -> Result<()> {
    let mut update = tx.prepare_cached(
        "UPDATE mentions SET intents = ?2, urgency = ?3, irrelevance = ?4, priority = ?5 WHERE id = ?1",
    )?;
    for r in scores {
        update.execute(params![r.id, r.intents, r.urgency, r.irrelevance, r.priority])?;
    }
    Ok(())
}
