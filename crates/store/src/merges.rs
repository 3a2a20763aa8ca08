//! Merging duplicates. A merge moves every email, phone, identity, tag, note, activity and task of the
//! merged contact to the kept one, fills the kept contact's empty fields, and marks the merged contact
//! deleted with `merged_into_id`. What moved and what the kept contact looked like before are recorded, so
//! the merge can be undone exactly.

use earshot_core::dedupe::{self, Candidate, Evidence};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::contacts::{self, ContactSummary};
use crate::{search, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvidenceItem {
    /// same_email, same_phone, same_handle or similar_name_same_organization
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MergeSuggestion {
    pub keep: ContactSummary,
    pub merge: ContactSummary,
    pub evidence: Vec<EvidenceItem>,
    pub confidence: f64,
}

/// Rows that moved, per table, so an undo can move exactly them back.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Moved {
    emails: Vec<i64>,
    phones: Vec<i64>,
    identities: Vec<i64>,
    notes: Vec<i64>,
    activities: Vec<i64>,
    tasks: Vec<i64>,
    tag_ids: Vec<i64>,
    // Merges recorded before customer value existed have none of these.
    #[serde(default)]
    orders: Vec<i64>,
    #[serde(default)]
    nps_answers: Vec<i64>,
    #[serde(default)]
    mentions: Vec<i64>,
    #[serde(default)]
    cases: Vec<i64>,
    #[serde(default)]
    ideas: Vec<i64>,
}

impl Moved {
    /// The moved row ids of each table that has a `contact_id` (tags are moved separately).
    fn by_table(&self) -> [(&'static str, &Vec<i64>); 11] {
        [
            ("orders", &self.orders),
            ("nps_answers", &self.nps_answers),
            ("mentions", &self.mentions),
            ("cases", &self.cases),
            ("ideas", &self.ideas),
            ("emails", &self.emails),
            ("phones", &self.phones),
            ("identities", &self.identities),
            ("notes", &self.notes),
            ("activities", &self.activities),
            ("tasks", &self.tasks),
        ]
    }
}

/// The kept contact's fields before the merge filled them.
#[derive(Debug, Serialize, Deserialize)]
struct KeptBefore {
    given_name: String,
    family_name: String,
    organization_id: Option<i64>,
    title: Option<String>,
    city: Option<String>,
    website: Option<String>,
    birthday: Option<String>,
    had_photo: bool,
    keep_in_touch_days: Option<i64>,
    keep_in_touch_since: Option<String>,
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Invalid(format!("a merge record could not be read: {e}"))
}

fn ids(tx: &Transaction<'_>, sql: &str, contact_id: i64, other: i64) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt.query_map(params![contact_id, other], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn move_rows(tx: &Transaction<'_>, table: &str, ids: &[i64], to: i64) -> Result<()> {
    let mut stmt = tx.prepare(&format!("UPDATE {table} SET contact_id = ?1 WHERE id = ?2"))?;
    for id in ids {
        stmt.execute(params![to, id])?;
    }
    Ok(())
}

/// Merges `merge_id` into `keep_id`; returns the merge's id (for undo).
pub fn merge(tx: &Transaction<'_>, keep_id: i64, merge_id: i64, now: &str) -> Result<i64> {
    if keep_id == merge_id {
        return Err(StoreError::Invalid("a contact cannot be merged with itself".into()));
    }
    contacts::ensure_live(tx, keep_id)?;
    contacts::ensure_live(tx, merge_id)?;
    let row = merge_locally(tx, keep_id, merge_id, now)?;
    crate::team::record_contact_merged(tx, keep_id, merge_id, now)?;
    Ok(row)
}

/// The merge itself, on this desktop: also how a merge made on a teammate's desktop arrives here, whether
/// or not either contact was deleted meanwhile (every desktop ends with the same merge).
pub(crate) fn merge_locally(tx: &Transaction<'_>, keep_id: i64, merge_id: i64, now: &str) -> Result<i64> {
    let before = tx.query_row(
        "SELECT given_name, family_name, organization_id, title, city, website, birthday, photo IS NOT NULL,
                keep_in_touch_days, keep_in_touch_since FROM contacts WHERE id = ?1",
        [keep_id],
        |r| {
            Ok(KeptBefore {
                given_name: r.get(0)?,
                family_name: r.get(1)?,
                organization_id: r.get(2)?,
                title: r.get(3)?,
                city: r.get(4)?,
                website: r.get(5)?,
                birthday: r.get(6)?,
                had_photo: r.get(7)?,
                keep_in_touch_days: r.get(8)?,
                keep_in_touch_since: r.get(9)?,
            })
        },
    )?;

    // Rows whose key the kept contact already has stay behind (the kept contact has that value already).
    let moved = Moved {
        emails: ids(tx, "SELECT id FROM emails WHERE contact_id = ?1 AND address_key NOT IN (SELECT address_key FROM emails WHERE contact_id = ?2)", merge_id, keep_id)?,
        phones: ids(tx, "SELECT id FROM phones WHERE contact_id = ?1 AND number_key NOT IN (SELECT number_key FROM phones WHERE contact_id = ?2)", merge_id, keep_id)?,
        identities: ids(tx, "SELECT id FROM identities WHERE contact_id = ?1 AND network || ':' || handle_key NOT IN (SELECT network || ':' || handle_key FROM identities WHERE contact_id = ?2)", merge_id, keep_id)?,
        notes: ids(tx, "SELECT id FROM notes WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        activities: ids(tx, "SELECT id FROM activities WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        tasks: ids(tx, "SELECT id FROM tasks WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        tag_ids: ids(tx, "SELECT tag_id FROM contact_tags WHERE contact_id = ?1 AND tag_id NOT IN (SELECT tag_id FROM contact_tags WHERE contact_id = ?2)", merge_id, keep_id)?,
        orders: ids(tx, "SELECT id FROM orders WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        nps_answers: ids(tx, "SELECT id FROM nps_answers WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        mentions: ids(tx, "SELECT id FROM mentions WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        cases: ids(tx, "SELECT id FROM cases WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
        ideas: ids(tx, "SELECT id FROM ideas WHERE contact_id = ?1 AND ?2 IS NOT NULL", merge_id, keep_id)?,
    };
    for (table, rows) in moved.by_table() {
        move_rows(tx, table, rows, keep_id)?;
    }
    for tag in &moved.tag_ids {
        tx.execute(
            "UPDATE contact_tags SET contact_id = ?1 WHERE contact_id = ?2 AND tag_id = ?3",
            params![keep_id, merge_id, tag],
        )?;
    }

    tx.execute(
        "UPDATE contacts SET
            given_name = CASE WHEN contacts.given_name = '' THEN m.given_name ELSE contacts.given_name END,
            family_name = CASE WHEN contacts.family_name = '' THEN m.family_name ELSE contacts.family_name END,
            organization_id = coalesce(contacts.organization_id, m.organization_id),
            title = coalesce(contacts.title, m.title),
            city = coalesce(contacts.city, m.city),
            website = coalesce(contacts.website, m.website),
            birthday = coalesce(contacts.birthday, m.birthday),
            photo = coalesce(contacts.photo, m.photo),
            photo_mime = CASE WHEN contacts.photo IS NULL THEN m.photo_mime ELSE contacts.photo_mime END,
            keep_in_touch_days = coalesce(contacts.keep_in_touch_days, m.keep_in_touch_days),
            keep_in_touch_since = coalesce(contacts.keep_in_touch_since, m.keep_in_touch_since),
            updated_at = ?3
          FROM (SELECT * FROM contacts WHERE id = ?2) AS m
         WHERE contacts.id = ?1",
        params![keep_id, merge_id, now],
    )?;
    tx.execute(
        "UPDATE contacts SET deleted_at = ?2, merged_into_id = ?3, updated_at = ?2 WHERE id = ?1",
        params![merge_id, now, keep_id],
    )?;
    contacts::refresh_last_touch(tx, keep_id)?;
    search::remove(tx, merge_id)?;
    search::reindex(tx, keep_id)?;

    tx.execute(
        "INSERT INTO merges (kept_id, merged_id, moved, kept_before, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            keep_id,
            merge_id,
            serde_json::to_string(&moved).map_err(json_err)?,
            serde_json::to_string(&before).map_err(json_err)?,
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Undoes a merge: the merged contact comes back with exactly the rows it had, and the kept contact gets
/// its own fields back.
pub fn undo(tx: &Transaction<'_>, merge_row: i64, now: &str) -> Result<()> {
    let (keep_id, merge_id) = undo_locally(tx, merge_row, now)?;
    crate::team::record_merge_undone(tx, keep_id, merge_id, now)
}

/// The undoing itself, on this desktop. The two contacts: (kept, merged).
pub(crate) fn undo_locally(tx: &Transaction<'_>, merge_row: i64, now: &str) -> Result<(i64, i64)> {
    let (keep_id, merge_id, moved, before, undone): (i64, i64, String, String, Option<String>) = tx
        .query_row(
            "SELECT kept_id, merged_id, moved, kept_before, undone_at FROM merges WHERE id = ?1",
            [merge_row],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or(StoreError::NotFound { what: "merge", id: merge_row })?;
    if undone.is_some() {
        return Err(StoreError::Invalid("this merge was already undone".into()));
    }
    let moved: Moved = serde_json::from_str(&moved).map_err(json_err)?;
    let before: KeptBefore = serde_json::from_str(&before).map_err(json_err)?;
    for (table, rows) in moved.by_table() {
        move_rows(tx, table, rows, merge_id)?;
    }
    for tag in &moved.tag_ids {
        tx.execute(
            "UPDATE OR IGNORE contact_tags SET contact_id = ?1 WHERE contact_id = ?2 AND tag_id = ?3",
            params![merge_id, keep_id, tag],
        )?;
    }
    tx.execute(
        "UPDATE contacts SET given_name = ?2, family_name = ?3, organization_id = ?4, title = ?5, city = ?6,
                website = ?7, birthday = ?8, keep_in_touch_days = ?9, keep_in_touch_since = ?10,
                photo = CASE WHEN ?11 THEN photo ELSE NULL END,
                photo_mime = CASE WHEN ?11 THEN photo_mime ELSE NULL END,
                updated_at = ?12
          WHERE id = ?1",
        params![
            keep_id,
            before.given_name,
            before.family_name,
            before.organization_id,
            before.title,
            before.city,
            before.website,
            before.birthday,
            before.keep_in_touch_days,
            before.keep_in_touch_since,
            before.had_photo,
            now
        ],
    )?;
    tx.execute(
        "UPDATE contacts SET deleted_at = NULL, merged_into_id = NULL, updated_at = ?2 WHERE id = ?1",
        params![merge_id, now],
    )?;
    contacts::refresh_last_touch(tx, keep_id)?;
    contacts::refresh_last_touch(tx, merge_id)?;
    search::reindex(tx, keep_id)?;
    search::reindex(tx, merge_id)?;
    tx.execute("UPDATE merges SET undone_at = ?2 WHERE id = ?1", params![merge_row, now])?;
    Ok((keep_id, merge_id))
}

/// The owner says two contacts are different people: never suggest the pair again.
pub fn dismiss(tx: &Transaction<'_>, a: i64, b: i64) -> Result<()> {
    tx.execute("INSERT OR IGNORE INTO distinct_pairs (low_id, high_id) VALUES (?1, ?2)", params![a.min(b), a.max(b)])?;
    Ok(())
}

fn candidates(conn: &Connection) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.sort_key, o.name_key,
                (SELECT group_concat(address_key, char(31)) FROM emails WHERE contact_id = c.id),
                (SELECT group_concat(number_key, char(31)) FROM phones WHERE contact_id = c.id),
                (SELECT group_concat(network || ':' || handle_key, char(31)) FROM identities WHERE contact_id = c.id)
           FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id WHERE c.deleted_at IS NULL",
    )?;
    let split = |s: Option<String>| s.map(|s| s.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default();
    let rows = stmt.query_map([], |r| {
        Ok(Candidate {
            id: r.get(0)?,
            name_key: r.get(1)?,
            org_key: r.get(2)?,
            email_keys: split(r.get(3)?),
            phone_keys: split(r.get(4)?),
            handle_keys: split(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Likely duplicates among live contacts, strongest evidence first, without pairs the owner dismissed.
pub fn suggestions(conn: &Connection, limit: usize) -> Result<Vec<MergeSuggestion>> {
    let dismissed: std::collections::HashSet<(i64, i64)> = conn
        .prepare("SELECT low_id, high_id FROM distinct_pairs")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut found: Vec<_> = dedupe::suggest(&candidates(conn)?)
        .into_iter()
        .filter(|s| !dismissed.contains(&(s.keep_id, s.merge_id)))
        .collect();
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.keep_id.cmp(&b.keep_id)));
    found.truncate(limit);
    let mut out = Vec::with_capacity(found.len());
    for s in found {
        let mut pair = contacts::summaries(conn, &[s.keep_id, s.merge_id])?;
        if pair.len() != 2 {
            continue;
        }
        let merge = pair.pop().expect("two");
        let keep = pair.pop().expect("two");
        let evidence = s
            .evidence
            .into_iter()
            .map(|e| match e {
                Evidence::SameEmail(v) => EvidenceItem { kind: "same_email".into(), value: v },
                Evidence::SamePhone(v) => EvidenceItem { kind: "same_phone".into(), value: v },
                Evidence::SameHandle(v) => EvidenceItem { kind: "same_handle".into(), value: v },
                Evidence::SimilarNameSameOrganization(v) => {
                    EvidenceItem { kind: "similar_name_same_organization".into(), value: v }
                }
            })
            .collect();
        out.push(MergeSuggestion { keep, merge, evidence, confidence: s.confidence });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store, NOW};

    #[test]
    fn merging_keeps_everything_of_both_and_undo_restores_both() {
        let (_dir, store) = store();
        let (a, b) = store
            .write(|tx| {
                let mut first = person("Ann Lee", Some("ann@x.example"));
                first.tags = vec!["club".into()];
                let a = contacts::insert(tx, &first, None, NOW)?;
                let mut second = person("Ann Lee", Some("ann@x.example"));
                second.emails.push(earshot_core::EmailDraft { address: "ann@work.example".into(), label: None });
                second.title = Some("Owner".into());
                second.tags = vec!["vip".into(), "club".into()];
                second.notes = vec!["Met at the fair".into()];
                let b = contacts::insert(tx, &second, None, NOW)?;
                crate::tasks::add(tx, b, "Call back", None, NOW)?;
                Ok((a, b))
            })
            .unwrap();
        let found = store.read(|c| suggestions(c, 10)).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence[0].kind, "same_email");

        let merge_id = store.write(|tx| merge(tx, a, b, NOW)).unwrap();
        let kept = store.read(|c| contacts::get(c, a)).unwrap();
        assert_eq!(kept.emails.len(), 2);
        assert_eq!(kept.title.as_deref(), Some("Owner"));
        assert_eq!(kept.tags, vec!["club", "vip"]);
        assert_eq!(store.read(|c| crate::notes::of_contact(c, a)).unwrap().len(), 1);
        assert_eq!(store.read(|c| crate::tasks::of_contact(c, a)).unwrap().len(), 1);
        assert_eq!(store.read(|c| contacts::get(c, b)).unwrap().merged_into_id, Some(a));
        assert!(store.read(|c| suggestions(c, 10)).unwrap().is_empty());

        store.write(|tx| undo(tx, merge_id, NOW)).unwrap();
        let kept = store.read(|c| contacts::get(c, a)).unwrap();
        let back = store.read(|c| contacts::get(c, b)).unwrap();
        assert_eq!(kept.emails.len(), 1);
        assert_eq!(kept.title, None);
        assert_eq!(kept.tags, vec!["club"]);
        assert_eq!(back.deleted_at, None);
        assert_eq!(back.emails.len(), 2);
        assert_eq!(back.tags, vec!["club", "vip"]);
        assert_eq!(store.read(|c| crate::tasks::of_contact(c, b)).unwrap().len(), 1);
    }

    #[test]
    fn a_dismissed_pair_is_not_suggested_again() {
        let (_dir, store) = store();
        let (a, b) = store
            .write(|tx| {
                Ok((
                    contacts::insert(tx, &person("Ann", Some("shared@x.example")), None, NOW)?,
                    contacts::insert(tx, &person("Bo", Some("shared@x.example")), None, NOW)?,
                ))
            })
            .unwrap();
        store.write(|tx| dismiss(tx, b, a)).unwrap();
        assert!(store.read(|c| suggestions(c, 10)).unwrap().is_empty());
    }
}
