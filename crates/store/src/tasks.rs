//! Follow-up tasks on a contact: a title, an optional due date, done or not.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{contacts, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Task {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub contact_id: i64,
    pub contact_name: String,
    pub title: String,
    pub due_at: Option<String>,
    pub done_at: Option<String>,
    pub created_at: String,
}

pub fn add(tx: &Transaction<'_>, contact_id: i64, title: &str, due_at: Option<&str>, now: &str) -> Result<i64> {
    contacts::ensure_live(tx, contact_id)?;
    if title.trim().is_empty() {
        return Err(StoreError::Invalid("a follow-up needs a title".into()));
    }
    let due =
        match due_at.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(crate::timestamp(crate::parse_timestamp(s).ok_or_else(|| {
                StoreError::Invalid(format!("\"{s}\" is not a due date and time (expected RFC 3339)"))
            })?)),
            None => None,
        };
    tx.execute(
        "INSERT INTO tasks (contact_id, title, due_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![contact_id, title.trim(), due, now],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn set_done(tx: &Transaction<'_>, id: i64, done: bool, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE tasks SET done_at = CASE WHEN ?2 THEN coalesce(done_at, ?3) ELSE NULL END WHERE id = ?1",
        params![id, done, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "task", id });
    }
    Ok(())
}

pub fn set_deleted(tx: &Transaction<'_>, id: i64, deleted: bool, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE tasks SET deleted_at = CASE WHEN ?2 THEN ?3 ELSE NULL END WHERE id = ?1",
        params![id, deleted, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "task", id });
    }
    Ok(())
}

const TASK_SELECT: &str = "SELECT t.id, t.contact_id, c.display_name, t.title, t.due_at, t.done_at, t.created_at
   FROM tasks t JOIN contacts c ON c.id = t.contact_id";

fn task_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        contact_name: r.get(2)?,
        title: r.get(3)?,
        due_at: r.get(4)?,
        done_at: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{TASK_SELECT} WHERE t.contact_id = ?1 AND t.deleted_at IS NULL ORDER BY t.done_at IS NOT NULL, t.due_at IS NULL, t.due_at, t.id"
    ))?;
    let rows = stmt.query_map([contact_id], task_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open follow-ups due by `until` (all open ones when `None`), soonest first.
pub fn open_due(conn: &Connection, until: Option<&str>) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{TASK_SELECT} WHERE t.done_at IS NULL AND t.deleted_at IS NULL AND c.deleted_at IS NULL
            AND (?1 IS NULL OR t.due_at <= ?1)
          ORDER BY t.due_at IS NULL, t.due_at, t.id LIMIT 500"
    ))?;
    let rows = stmt.query_map([until], task_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
