//! Notes: free text the owner keeps about a contact.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{search, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Note {
    #[ts(type = "number")]
    pub id: i64,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
    /// The team member who wrote it, when the workspace is shared.
    pub member: Option<String>,
}

pub fn insert(tx: &Transaction<'_>, contact_id: i64, body: &str, now: &str, import_id: Option<i64>) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO notes (contact_id, body, created_at, updated_at, import_id, member)
         VALUES (?1, ?2, ?3, ?3, ?4, (SELECT member FROM team WHERE id = 1))",
    )?
    .execute(params![contact_id, body, now, import_id])?;
    let id = tx.last_insert_rowid();
    crate::team::record_note_written(tx, id, contact_id, body, now)?;
    Ok(id)
}

/// Adds a note the owner wrote and refreshes the search index.
pub fn add(tx: &Transaction<'_>, contact_id: i64, body: &str, now: &str) -> Result<i64> {
    crate::contacts::ensure_live(tx, contact_id)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::Invalid("a note needs some text".into()));
    }
    let id = insert(tx, contact_id, body, now, None)?;
    search::reindex(tx, contact_id)?;
    Ok(id)
}

pub fn edit(tx: &Transaction<'_>, id: i64, body: &str, now: &str) -> Result<()> {
    let contact_id = contact_of(tx, id)?;
    if body.trim().is_empty() {
        return Err(StoreError::Invalid("a note needs some text; delete it instead".into()));
    }
    tx.execute("UPDATE notes SET body = ?2, updated_at = ?3 WHERE id = ?1", params![id, body.trim(), now])?;
    crate::team::record_note_changed(tx, id, "body", serde_json::Value::String(body.trim().to_string()), now)?;
    search::reindex(tx, contact_id)
}

/// Soft-deletes (`deleted = true`) or restores a note.
pub fn set_deleted(tx: &Transaction<'_>, id: i64, deleted: bool, now: &str) -> Result<()> {
    let contact_id = contact_of(tx, id)?;
    tx.execute(
        "UPDATE notes SET deleted_at = CASE WHEN ?2 THEN ?3 ELSE NULL END WHERE id = ?1",
        params![id, deleted, now],
    )?;
    crate::team::record_note_changed(tx, id, "deleted", serde_json::Value::Bool(deleted), now)?;
    search::reindex(tx, contact_id)
}

fn contact_of(conn: &Connection, id: i64) -> Result<i64> {
    conn.query_row("SELECT contact_id FROM notes WHERE id = ?1", [id], |r| r.get(0))
        .map_err(|_| StoreError::NotFound { what: "note", id })
}

pub fn of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<Note>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, body, created_at, updated_at, member FROM notes
          WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        Ok(Note { id: r.get(0)?, body: r.get(1)?, created_at: r.get(2)?, updated_at: r.get(3)?, member: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
