//! Listening queries: what the owner listens for, each of a kind (their brand, a competitor, the industry).
//! The text is stored as typed and parsed by `earshot_core::query` wherever it is matched.

use earshot_core::query::QueryKind;
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, StoreError};

pub const KINDS: [&str; 3] = ["brand", "competitor", "industry"];

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ListeningQuery {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: QueryKind,
    pub query: String,
    pub created_at: String,
    /// Mentions this query matched.
    #[ts(type = "number")]
    pub mentions: i64,
}

/// Stores a query; the caller has checked that it parses.
pub fn add(tx: &Transaction<'_>, kind: &str, query: &str, now: &str) -> Result<i64> {
    if !KINDS.contains(&kind) {
        return Err(StoreError::Invalid(format!("\"{kind}\" is not a query kind (brand, competitor or industry)")));
    }
    tx.execute(
        "INSERT INTO listening_queries (kind, query, created_at) VALUES (?1, ?2, ?3)",
        params![kind, query.trim(), now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Removes a query from listening; the mentions it found stay, without this match.
pub fn remove(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE listening_queries SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "query", id });
    }
    tx.execute("DELETE FROM mention_matches WHERE query_id = ?1", [id])?;
    tx.execute(
        "UPDATE mentions SET matches = (SELECT count(*) FROM mention_matches WHERE mention_id = mentions.id)
          WHERE matches > 0",
        [],
    )?;
    Ok(())
}

/// How many queries are listened for (without `list`'s count of each one's mentions).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM listening_queries WHERE deleted_at IS NULL", [], |r| r.get(0))?)
}

pub fn list(conn: &Connection) -> Result<Vec<ListeningQuery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT q.id, q.kind, q.query, q.created_at, (SELECT count(*) FROM mention_matches m WHERE m.query_id = q.id)
           FROM listening_queries q WHERE q.deleted_at IS NULL ORDER BY q.kind = 'industry', q.kind = 'competitor', q.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ListeningQuery {
            id: r.get(0)?,
            kind: crate::named(r, 1)?,
            query: r.get(2)?,
            created_at: r.get(3)?,
            mentions: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{store, NOW};

    #[test]
    fn queries_are_listed_brand_first_and_removed_ones_disappear() {
        let (_dir, store) = store();
        let (industry, brand) = store
            .write(|tx| {
                Ok((add(tx, "industry", "bike OR cycling", NOW)?, add(tx, "brand", " \"Spoke & Chain\" ", NOW)?))
            })
            .unwrap();
        let listed = store.read(list).unwrap();
        assert_eq!(listed.iter().map(|q| q.id).collect::<Vec<_>>(), vec![brand, industry]);
        assert_eq!(listed[0].query, "\"Spoke & Chain\"");
        store.write(|tx| remove(tx, industry, NOW)).unwrap();
        assert_eq!(store.read(list).unwrap().len(), 1);
        assert!(matches!(store.write(|tx| remove(tx, industry, NOW)), Err(StoreError::NotFound { .. })));
    }

    #[test]
    fn an_unknown_kind_is_refused() {
        let (_dir, store) = store();
        let err = store.write(|tx| add(tx, "rival", "x", NOW)).unwrap_err();
        assert!(err.to_string().contains("brand, competitor or industry"));
    }
}
