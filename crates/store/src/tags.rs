//! Tags: free labels on contacts, shared by folded name ("VIP" and "vip" are one tag).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TagCount {
    pub name: String,
    pub contacts: i64,
}

fn ensure(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    let key = earshot_core::text::fold(name);
    let existing: Option<i64> =
        tx.prepare_cached("SELECT id FROM tags WHERE name_key = ?1")?.query_row([&key], |r| r.get(0)).optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO tags (name, name_key) VALUES (?1, ?2)")?.execute(params![name.trim(), key])?;
    Ok(tx.last_insert_rowid())
}

/// Tags a contact; returns false when it already had the tag.
pub fn add(tx: &Transaction<'_>, contact_id: i64, name: &str, import_id: Option<i64>) -> Result<bool> {
    if name.trim().is_empty() {
        return Ok(false);
    }
    let tag_id = ensure(tx, name)?;
    let changed = tx
        .prepare_cached("INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, import_id) VALUES (?1, ?2, ?3)")?
        .execute(params![contact_id, tag_id, import_id])?;
    Ok(changed > 0)
}

pub fn remove(tx: &Transaction<'_>, contact_id: i64, name: &str) -> Result<bool> {
    let changed = tx.execute(
        "DELETE FROM contact_tags WHERE contact_id = ?1 AND tag_id = (SELECT id FROM tags WHERE name_key = ?2)",
        params![contact_id, earshot_core::text::fold(name)],
    )?;
    Ok(changed > 0)
}

pub fn of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ?1 ORDER BY t.name_key",
    )?;
    let rows = stmt.query_map([contact_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every tag in use on a live contact, with how many contacts carry it.
pub fn all(conn: &Connection) -> Result<Vec<TagCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.name, count(*) FROM tags t
           JOIN contact_tags ct ON ct.tag_id = t.id
           JOIN contacts c ON c.id = ct.contact_id AND c.deleted_at IS NULL
          GROUP BY t.id ORDER BY t.name_key",
    )?;
    let rows = stmt.query_map([], |r| Ok(TagCount { name: r.get(0)?, contacts: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
