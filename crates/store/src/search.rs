//! Full-text search over live contacts: names, organization and title, emails, phones, handles, tags and
//! notes. Text is folded (case, accents, transliteration) by `earshot_fold` before it is indexed, and the
//! query is folded the same way, so "zoe" finds "Zoë". Every word of the query must match as a prefix;
//! results are ranked by BM25 with name matches weighing most.

use rusqlite::{Connection, Transaction};

use crate::Result;

/// Rebuilds the index row of one contact from the tables (or removes it when the contact is deleted).
pub fn reindex(tx: &Transaction<'_>, contact_id: i64) -> Result<()> {
    remove(tx, contact_id)?;
    tx.prepare_cached(
        "INSERT INTO contacts_fts (rowid, name, organization, emails, phones, handles, tags, notes)
         SELECT c.id,
                earshot_fold(c.display_name || ' ' || c.given_name || ' ' || c.family_name),
                earshot_fold(coalesce(o.name, '') || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.city, '')),
                earshot_fold((SELECT group_concat(address, ' ') FROM emails WHERE contact_id = c.id)),
                (SELECT group_concat(number_key, ' ') FROM phones WHERE contact_id = c.id),
                earshot_fold((SELECT group_concat(handle || ' ' || coalesce(profile_url, ''), ' ') FROM identities WHERE contact_id = c.id)),
                earshot_fold((SELECT group_concat(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id)),
                earshot_fold((SELECT group_concat(body, ' ') FROM notes WHERE contact_id = c.id AND deleted_at IS NULL))
           FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id
          WHERE c.id = ?1 AND c.deleted_at IS NULL",
    )?
    .execute([contact_id])?;
    Ok(())
}

pub fn remove(tx: &Transaction<'_>, contact_id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1")?.execute([contact_id])?;
    Ok(())
}

/// Turns what the owner typed into an FTS5 query: each word folded, quoted (so no FTS syntax leaks in) and
/// matched as a prefix; all words must match. `None` when there is nothing to search for.
pub fn to_match_query(input: &str) -> Option<String> {
    let folded = earshot_core::text::fold(input);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Ids of the best-matching live contacts, best first.
pub fn contacts(conn: &Connection, input: &str, limit: i64) -> Result<Vec<i64>> {
    let Some(query) = to_match_query(input) else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1
          ORDER BY bm25(contacts_fts, 10.0, 4.0, 3.0, 2.0, 3.0, 2.0, 1.0) LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![query, limit.clamp(1, 500)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_cannot_inject_fts_syntax() {
        assert_eq!(to_match_query("zoë \"OR\" NEAR(a"), Some("\"zoe\"* \"or\"* \"near\"* \"a\"*".into()));
        assert_eq!(to_match_query("  -*  "), None);
    }
}
