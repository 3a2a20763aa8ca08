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

/// Indexes a contact that was just inserted, straight from its draft (no read back): the import path.
pub fn index_new(tx: &Transaction<'_>, contact_id: i64, d: &earshot_core::ContactDraft) -> Result<()> {
    use earshot_core::text::{fold_all, phone_key};
    let name = fold_all([d.display_name.as_str(), &d.given_name, &d.family_name]);
    let organization =
        fold_all([d.organization.as_deref(), d.title.as_deref(), d.city.as_deref()].into_iter().flatten());
    let emails = fold_all(d.emails.iter().map(|e| e.address.as_str()));
    let phones = d.phones.iter().map(|p| phone_key(&p.number)).collect::<Vec<_>>().join(" ");
    let handles =
        fold_all(d.identities.iter().flat_map(|i| [i.handle.as_str(), i.profile_url.as_deref().unwrap_or("")]));
    let tags = fold_all(d.tags.iter().map(String::as_str));
    let notes = fold_all(d.notes.iter().map(String::as_str));
    tx.prepare_cached(
        "INSERT INTO contacts_fts (rowid, name, organization, emails, phones, handles, tags, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![contact_id, name, organization, emails, phones, handles, tags, notes])?;
    Ok(())
}

pub fn remove(tx: &Transaction<'_>, contact_id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1")?.execute([contact_id])?;
    Ok(())
}

/// Imports that add or change at least this many contacts leave the search index compacted.
pub const COMPACT_AFTER_CONTACTS: i64 = 1_000;

/// Rewrites the contact search index as one segment. The index does not merge on ordinary writes (see
/// migration 0005), so after a bulk load it is compacted once: later single-contact writes then only ever
/// merge a few small segments, and searches read one large segment instead of dozens.
pub fn compact(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize')", [])?;
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

/// Queries whose words are all shorter than this match too many contacts to rank them all by relevance
/// while the owner types; they list names starting with the letters typed instead.
const RANKED_FROM_CHARS: usize = 3;

/// Ids of the best-matching live contacts, best first.
///
/// One or two letters ("a", "zo") list contacts whose name starts with them, in name order (like a phone's
/// contact list), then others with a word starting with them; longer queries are ranked by BM25.
pub fn contacts(conn: &Connection, input: &str, limit: i64) -> Result<Vec<i64>> {
    let Some(query) = to_match_query(input) else { return Ok(Vec::new()) };
    let limit = limit.clamp(1, 500);
    let folded = earshot_core::text::fold(input);
    let longest_word = folded.split(|c: char| !c.is_alphanumeric()).map(|w| w.chars().count()).max().unwrap_or(0);
    if longest_word >= RANKED_FROM_CHARS {
        let mut stmt = conn.prepare_cached(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1
              ORDER BY bm25(contacts_fts, 10.0, 4.0, 3.0, 2.0, 3.0, 2.0, 1.0) LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![query, limit], |r| r.get(0))?;
        return Ok(rows.collect::<rusqlite::Result<_>>()?);
    }
    // Names starting with what was typed, alphabetically: a range scan of the name index.
    let mut ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM contacts WHERE deleted_at IS NULL AND sort_key >= ?1 AND sort_key < ?1 || char(1114111)
              ORDER BY sort_key, id LIMIT ?2",
        )?
        .query_map(rusqlite::params![folded.trim(), limit], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if (ids.len() as i64) < limit {
        let seen: std::collections::HashSet<i64> = ids.iter().copied().collect();
        let mut stmt = conn.prepare_cached("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT ?2")?;
        let more = stmt.query_map(rusqlite::params![query, limit * 2], |r| r.get::<_, i64>(0))?;
        for id in more {
            let id = id?;
            if !seen.contains(&id) {
                ids.push(id);
            }
            if ids.len() as i64 >= limit {
                break;
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts;
    use crate::test_support::{person, store};

    #[test]
    fn contacts_stay_findable_across_compaction_and_later_single_writes() {
        let (_dir, store) = store();
        // Enough single-contact transactions for the index to pile up and merge segments.
        for i in 0..40 {
            store
                .write(|tx| {
                    let d = person(&format!("Walker{i} Quince"), None).normalized().unwrap();
                    contacts::insert(tx, &d, None, "2026-01-01T00:00:00Z").map(|_| ())
                })
                .unwrap();
        }
        store.write(compact).unwrap();
        let late = store
            .write(|tx| {
                let d = person("Zoë Marchetti", None).normalized().unwrap();
                contacts::insert(tx, &d, None, "2026-01-02T00:00:00Z")
            })
            .unwrap();
        store
            .read(|c| {
                assert_eq!(contacts(c, "quince", 100)?.len(), 40);
                assert_eq!(contacts(c, "walker17", 10)?.len(), 1);
                assert_eq!(contacts(c, "zoe march", 10)?, vec![late]);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn words_on_separate_lines_of_an_accented_note_are_found_apart() {
        let (_dir, store) = store();
        let id = store
            .write(|tx| {
                let mut d = person("Zoë Marchetti", None);
                d.notes = vec!["Met at the café\nasked about tubeless tyres".into()];
                contacts::insert(tx, &d.normalized().unwrap(), None, "2026-01-01T00:00:00Z")
            })
            .unwrap();
        assert_eq!(store.read(|c| contacts(c, "tubeless", 10)).unwrap(), vec![id]);
        assert_eq!(store.read(|c| contacts(c, "cafe", 10)).unwrap(), vec![id]);
    }

    #[test]
    fn queries_cannot_inject_fts_syntax() {
        assert_eq!(to_match_query("zoë \"OR\" NEAR(a"), Some("\"zoe\"* \"or\"* \"near\"* \"a\"*".into()));
        assert_eq!(to_match_query("  -*  "), None);
    }
}
