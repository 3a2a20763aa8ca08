//! Cases: complaints filed as issues, with their priority and response clock. A case stays open until the
//! owner closes it; open cases put a valuable customer at risk and show in their brief.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Case {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub mention_id: Option<i64>,
    pub title: String,
    /// high, normal or low
    pub priority: String,
    pub opened_at: String,
    pub first_response_at: Option<String>,
}

pub fn open_of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<Case>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, mention_id, title, priority, opened_at, first_response_at FROM cases
          WHERE contact_id = ?1 AND closed_at IS NULL AND deleted_at IS NULL ORDER BY opened_at DESC",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        Ok(Case {
            id: r.get(0)?,
            mention_id: r.get(1)?,
            title: r.get(2)?,
            priority: r.get(3)?,
            opened_at: r.get(4)?,
            first_response_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Closes (or, with `closed` false, reopens) a case.
pub fn set_closed(tx: &Transaction<'_>, id: i64, closed: bool, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE cases SET closed_at = CASE WHEN ?2 THEN ?3 ELSE NULL END WHERE id = ?1 AND deleted_at IS NULL",
        params![id, closed, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "case", id });
    }
    Ok(())
}
