//! Contacts, their notes and their activities, shared with the team.
//!
//! - A contact's fields settle one by one: the newer stamp wins, the loser stays in the contact's history.
//! - Being deleted is a field like any: a delete and a concurrent edit are both kept, and the contact is
//!   offered back ("restore?").
//! - A merge is a field of the merged contact (`merged_into`): every desktop merges the same two contacts,
//!   and remembers the alias, so changes still aimed at the merged contact land on the kept one.
//! - Notes and activities written on any desktop are all kept; each one's own fields settle like a
//!   contact's.

use std::collections::BTreeSet;

use earshot_core::{ContactDraft, EmailDraft, IdentityDraft, PhoneDraft};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{is_shared, local_id, name_row, newest, newest_text, record, uid_of, Touched};
use crate::activities::NewActivity;
use crate::{channels, organizations, search, Result, StoreError};

/// A contact's fields shared with the team, as operations name them.
pub const CONTACT_FIELDS: [&str; 11] = [
    "given_name",
    "family_name",
    "display_name",
    "organization",
    "title",
    "city",
    "website",
    "birthday",
    "emails",
    "phones",
    "identities",
];

/// The contact fields that are lists of channels, settled together.
const CHANNELS: [&str; 3] = ["emails", "phones", "identities"];
const CONTACT: &str = "contact";
const NOTE: &str = "note";
const ACTIVITY: &str = "activity";
/// Whether a row is deleted: a field like any, so a delete and a restore are settled by their stamps.
const DELETED: &str = "deleted";
/// The contact a merged contact was merged into (its team id), or null once the merge is undone.
const MERGED_INTO: &str = "merged_into";

/// Records every live contact with its notes and activities, as the first desktop does when it shares
/// the workspace. Returns how many contacts.
pub(super) fn share_all(tx: &Transaction<'_>, now: &str) -> Result<usize> {
    let ids = crate::contacts::live_ids(tx)?;
    for id in &ids {
        let draft = crate::contacts::draft_of(tx, *id)?;
        record_contact(tx, *id, None, &draft, now)?;
    }
    let notes: Vec<(i64, i64, String)> = tx
        .prepare(
            "SELECT n.id, n.contact_id, n.body FROM notes n JOIN contacts c ON c.id = n.contact_id
              WHERE n.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY n.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (note, contact, body) in notes {
        record_note_written(tx, note, contact, &body, now)?;
    }
    let activities: Vec<(i64, i64)> = tx
        .prepare(
            "SELECT a.id, a.contact_id FROM activities a JOIN contacts c ON c.id = a.contact_id
              WHERE a.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY a.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (activity, contact) in activities {
        let entry = activity_entry(tx, activity)?;
        record_activity(tx, activity, contact, entry, now)?;
    }
    Ok(ids.len())
}

fn contact_value(d: &ContactDraft, field: &str) -> serde_json::Value {
    let text = |t: Option<&str>| t.map_or(serde_json::Value::Null, |t| serde_json::Value::String(t.to_string()));
    let list = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
    match field {
        "given_name" => text(Some(&d.given_name)),
        "family_name" => text(Some(&d.family_name)),
        "display_name" => text(Some(&d.display_name)),
        "organization" => text(d.organization.as_deref()),
        "title" => text(d.title.as_deref()),
        "city" => text(d.city.as_deref()),
        "website" => text(d.website.as_deref()),
        "birthday" => text(d.birthday.as_deref()),
        "emails" => list(serde_json::to_value(&d.emails)),
        "phones" => list(serde_json::to_value(&d.phones)),
        "identities" => list(serde_json::to_value(&d.identities)),
        _ => serde_json::Value::Null,
    }
}

/// Records the shared fields of a contact that changed (all of them for a new contact), when the workspace
/// is shared; does nothing otherwise.
pub fn record_contact(
    tx: &Transaction<'_>,
    id: i64,
    before: Option<&ContactDraft>,
    after: &ContactDraft,
    now: &str,
) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let mut uid = None;
    for field in CONTACT_FIELDS {
        let value = contact_value(after, field);
        if before.is_some_and(|b| contact_value(b, field) == value) {
            continue;
        }
        let row_uid = match &uid {
            Some(u) => u,
            None => uid.insert(uid_of(tx, CONTACT, id, now)?),
        };
        record(tx, CONTACT, row_uid, field, &value, now)?;
    }
    Ok(())
}

/// Records that a contact was deleted (or restored) here, when the workspace is shared.
pub fn record_contact_deleted(tx: &Transaction<'_>, id: i64, deleted: bool, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let contact = uid_of(tx, CONTACT, id, now)?;
    record(tx, CONTACT, &contact, DELETED, &serde_json::Value::Bool(deleted), now)
}

/// Records a merge made here: the merged contact points at the kept one. Where the merge left a field
/// other than the newest value aimed at either contact (the kept contact's own value won, or an empty one
/// was filled), that value is recorded as the newest, so every desktop ends with the same contact; other
/// fields keep their stamps, so a concurrent edit of either contact still wins.
pub fn record_contact_merged(tx: &Transaction<'_>, keep_id: i64, merge_id: i64, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let kept = uid_of(tx, CONTACT, keep_id, now)?;
    let merged = uid_of(tx, CONTACT, merge_id, now)?;
    record(tx, CONTACT, &merged, MERGED_INTO, &serde_json::Value::String(kept.clone()), now)?;
    rebuild_aliases(tx)?;
    let after = crate::contacts::draft_of(tx, keep_id)?;
    for field in CONTACT_FIELDS {
        let value = contact_value(&after, field);
        if newest_of_contact(tx, &kept, field)?.unwrap_or(serde_json::Value::Null) != value {
            record(tx, CONTACT, &kept, field, &value, now)?;
        }
    }
    Ok(())
}

/// Records a merge undone here: both contacts come back apart, with their fields as they were.
pub fn record_merge_undone(tx: &Transaction<'_>, keep_id: i64, merge_id: i64, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let merged = uid_of(tx, CONTACT, merge_id, now)?;
    record(tx, CONTACT, &merged, MERGED_INTO, &serde_json::Value::Null, now)?;
    rebuild_aliases(tx)?;
    for id in [keep_id, merge_id] {
        record_contact(tx, id, None, &crate::contacts::draft_of(tx, id)?, now)?;
    }
    Ok(())
}

/// Works out, from every merge the team made (each contact's newest `merged_into`), which contact each
/// merged one lives on as now, following merges of merges, and keeps it in `team_aliases`. Two desktops
/// merging two contacts into each other at once make a loop: the older of the merges in a loop is the one
/// that does not count, on every desktop.
fn rebuild_aliases(tx: &Transaction<'_>) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT v.row_uid, v.value, v.stamp FROM team_versions v INDEXED BY team_versions_merges
          WHERE v.entity = 'contact' AND v.field = 'merged_into'
            AND v.stamp = (SELECT max(w.stamp) FROM team_versions w
                            WHERE w.entity = 'contact' AND w.field = 'merged_into' AND w.row_uid = v.row_uid)",
    )?;
    let mut into: std::collections::HashMap<String, (String, String)> = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .filter_map(|row| row.ok())
        .filter_map(|(merged, value, stamp)| {
            serde_json::from_str::<Option<String>>(&value).ok().flatten().map(|kept| (merged, (kept, stamp)))
        })
        .collect();
    // Break every loop at its oldest merge.
    let find_loop = |into: &std::collections::HashMap<String, (String, String)>| {
        into.keys().find_map(|start| {
            let mut path = vec![start.clone()];
            let mut at = start;
            while let Some((next, _)) = into.get(at) {
                if let Some(from) = path.iter().position(|p| p == next) {
                    return Some(path[from..].to_vec());
                }
                path.push(next.clone());
                at = next;
            }
            None
        })
    };
    while let Some(looped) = find_loop(&into) {
        let oldest = looped.iter().min_by_key(|uid| into[*uid].1.clone()).cloned().expect("a loop has members");
        into.remove(&oldest);
    }
    tx.execute("DELETE FROM team_aliases", [])?;
    let mut add = tx.prepare_cached("INSERT INTO team_aliases (merged, kept) VALUES (?1, ?2)")?;
    for merged in into.keys() {
        let mut root = merged;
        while let Some((next, _)) = into.get(root) {
            root = next;
        }
        add.execute(params![merged, root])?;
    }
    Ok(())
}

/// Brings this desktop's merges in line with the team's: merges the team made are made here (whatever was
/// deleted meanwhile), merges the team undid or that lost a loop are undone here, and every shared note and
/// activity sits on the contact its own contact lives on as now. Kept contacts then take their fields
/// from every change aimed at them or at a contact merged into them.
fn reconcile_merges(tx: &Transaction<'_>, now: &str) -> Result<BTreeSet<i64>> {
    let aliases = |tx: &Transaction<'_>| -> Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = tx.prepare_cached("SELECT merged, kept FROM team_aliases")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let before = aliases(tx)?;
    rebuild_aliases(tx)?;
    let after = aliases(tx)?;
    let mut touched = BTreeSet::new();
    let uids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for uid in uids {
        let (was, is) = (before.get(uid), after.get(uid));
        let Some(merged_id) = local_id(tx, CONTACT, uid)? else { continue };
        let merged_into: Option<i64> =
            tx.query_row("SELECT merged_into_id FROM contacts WHERE id = ?1", [merged_id], |r| r.get(0))?;
        let keep_id = match is {
            Some(root) => Some(local_contact(tx, root, now)?),
            None => None,
        };
        if was == is && merged_into == keep_id {
            continue;
        }
        if merged_into.is_some() && merged_into != keep_id {
            let row: Option<i64> = tx
                .query_row(
                    "SELECT id FROM merges WHERE merged_id = ?1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                    [merged_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(row) = row {
                let (kept, _) = crate::merges::undo_locally(tx, row, now)?;
                touched.insert(kept);
            }
        }
        if let Some(keep_id) = keep_id.filter(|k| Some(*k) != merged_into && *k != merged_id) {
            crate::merges::merge_locally(tx, keep_id, merged_id, now)?;
            touched.insert(keep_id);
        }
        touched.insert(merged_id);
    }
    replace_shared_rows(tx, now, &mut touched)?;
    for id in &touched {
        let Some(uid) = super::known_uid(tx, CONTACT, *id)? else { continue };
        if resolve(tx, &uid)? != uid {
            continue;
        }
        for field in CONTACT_FIELDS.iter().filter(|f| !CHANNELS.contains(f)) {
            set_contact_field(tx, *id, field, newest_of_contact(tx, &uid, field)?, now)?;
        }
        settle_channels(tx, *id, &uid)?;
        // Undoing a merge brings a contact back; it stays deleted if the team deleted it.
        settle_deleted(tx, *id, &uid, now)?;
    }
    Ok(touched)
}

/// Puts every shared note, activity and mention on the contact its own contact lives on as now.
fn replace_shared_rows(tx: &Transaction<'_>, now: &str, touched: &mut BTreeSet<i64>) -> Result<()> {
    let linked: Vec<(String, i64, Option<i64>)> = tx
        .prepare(
            "SELECT i.uid, i.local_id, m.contact_id FROM team_ids i JOIN mentions m ON m.id = i.local_id
              WHERE i.entity = 'mention'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (uid, id, at) in linked {
        let Some(contact) = newest(tx, "mention", &uid, "contact")? else { continue };
        let belongs = match contact.as_str() {
            Some(contact) => Some(local_contact(tx, &resolve(tx, contact)?, now)?),
            None => None,
        };
        if belongs != at {
            tx.execute("UPDATE mentions SET contact_id = ?2 WHERE id = ?1", params![id, belongs])?;
        }
    }
    for (entity, table) in [(NOTE, "notes"), (ACTIVITY, "activities")] {
        let rows: Vec<(String, i64, i64)> = tx
            .prepare(&format!(
                "SELECT i.uid, i.local_id, t.contact_id FROM team_ids i JOIN {table} t ON t.id = i.local_id
                  WHERE i.entity = ?1"
            ))?
            .query_map([entity], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (uid, id, at) in rows {
            let Some(contact) = newest_text(tx, entity, &uid, "contact")? else { continue };
            let belongs = local_contact(tx, &resolve(tx, &contact)?, now)?;
            if belongs != at {
                tx.execute(&format!("UPDATE {table} SET contact_id = ?2 WHERE id = ?1"), params![id, belongs])?;
                touched.extend([at, belongs]);
            }
        }
    }
    for id in touched.iter() {
        crate::contacts::refresh_last_touch(tx, *id)?;
    }
    Ok(())
}

/// The contact a team id stands for now: itself, or the contact it was merged into.
pub(super) fn resolve(conn: &Connection, uid: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT kept FROM team_aliases WHERE merged = ?1")?
        .query_row([uid], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| uid.to_string()))
}

/// Records a note written here (by the owner or an import), when the workspace is shared.
pub fn record_note_written(tx: &Transaction<'_>, note_id: i64, contact_id: i64, body: &str, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let contact = uid_of(tx, CONTACT, contact_id, now)?;
    let note = uid_of(tx, NOTE, note_id, now)?;
    let member: Option<String> = tx.query_row("SELECT member FROM notes WHERE id = ?1", [note_id], |r| r.get(0))?;
    record(tx, NOTE, &note, "contact", &serde_json::Value::String(contact), now)?;
    record(tx, NOTE, &note, "created_at", &serde_json::Value::String(now.to_string()), now)?;
    record(tx, NOTE, &note, "member", &member.map_or(serde_json::Value::Null, serde_json::Value::String), now)?;
    record(tx, NOTE, &note, "body", &serde_json::Value::String(body.to_string()), now)
}

/// Records a change to a note (its text, or whether it is deleted), when the workspace is shared.
pub fn record_note_changed(
    tx: &Transaction<'_>,
    note_id: i64,
    field: &str,
    value: serde_json::Value,
    now: &str,
) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let note = uid_of(tx, NOTE, note_id, now)?;
    record(tx, NOTE, &note, field, &value, now)
}

/// An activity as the team shares it: what happened, when, and the money, if any.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct ActivityEntry {
    kind: earshot_core::ActivityKind,
    summary: String,
    occurred_at: String,
    amount_minor: Option<i64>,
    cost_minor: Option<i64>,
    currency: Option<String>,
}

fn activity_entry(conn: &Connection, id: i64) -> Result<ActivityEntry> {
    Ok(conn.query_row(
        "SELECT kind, summary, occurred_at, amount_minor, cost_minor, currency FROM activities WHERE id = ?1",
        [id],
        |r| {
            Ok(ActivityEntry {
                kind: crate::named(r, 0)?,
                summary: r.get(1)?,
                occurred_at: r.get(2)?,
                amount_minor: r.get(3)?,
                cost_minor: r.get(4)?,
                currency: r.get(5)?,
            })
        },
    )?)
}

/// Records an activity added here (a call, a visit, a purchase...), when the workspace is shared.
pub fn record_activity_written(
    tx: &Transaction<'_>,
    id: i64,
    contact_id: i64,
    a: &NewActivity,
    now: &str,
) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let entry = ActivityEntry {
        kind: a.kind,
        summary: a.summary.clone(),
        occurred_at: a.occurred_at.clone(),
        amount_minor: a.amount_minor,
        cost_minor: a.cost_minor,
        currency: a.currency.clone(),
    };
    record_activity(tx, id, contact_id, entry, now)
}

fn record_activity(tx: &Transaction<'_>, id: i64, contact_id: i64, entry: ActivityEntry, now: &str) -> Result<()> {
    let contact = uid_of(tx, CONTACT, contact_id, now)?;
    let activity = uid_of(tx, ACTIVITY, id, now)?;
    let entry = serde_json::to_value(entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
    record(tx, ACTIVITY, &activity, "contact", &serde_json::Value::String(contact), now)?;
    record(tx, ACTIVITY, &activity, "entry", &entry, now)
}

/// Records that an activity was deleted (or brought back) here, when the workspace is shared.
pub fn record_activity_deleted(tx: &Transaction<'_>, id: i64, deleted: bool, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let activity = uid_of(tx, ACTIVITY, id, now)?;
    record(tx, ACTIVITY, &activity, DELETED, &serde_json::Value::Bool(deleted), now)
}

/// Settles the touched contacts, notes and activities.
pub(super) fn settle(tx: &Transaction<'_>, touched: Touched, now: &str) -> Result<()> {
    let mut reindex = BTreeSet::new();
    let mut merged = false;
    // Emails, phones and accounts are replaced together, once per contact.
    let mut channels_touched = std::collections::BTreeMap::new();
    let (mut notes, mut activities) = (BTreeSet::new(), BTreeSet::new());
    for (entity, row_uid, field) in touched {
        match (entity.as_str(), field.as_str()) {
            // A merged contact stays deleted: it lives on as the contact it was merged into.
            (CONTACT, DELETED) if resolve(tx, &row_uid)? == row_uid => {
                let id = local_contact(tx, &row_uid, now)?;
                if !settle_deleted(tx, id, &row_uid, now)? {
                    reindex.insert(id);
                }
            }
            (CONTACT, MERGED_INTO) => merged = true,
            (CONTACT, field) if CHANNELS.contains(&field) => {
                let kept = resolve(tx, &row_uid)?;
                let id = local_contact(tx, &kept, now)?;
                channels_touched.insert(id, kept);
            }
            (CONTACT, field) if CONTACT_FIELDS.contains(&field) => {
                let kept = resolve(tx, &row_uid)?;
                let value = newest_of_contact(tx, &kept, field)?;
                let id = local_contact(tx, &kept, now)?;
                set_contact_field(tx, id, field, value, now)?;
                reindex.insert(id);
            }
            (NOTE, _) => {
                notes.insert(row_uid);
            }
            (ACTIVITY, _) => {
                activities.insert(row_uid);
            }
            _ => {}
        }
    }
    // Merges after fields, so a merge moves what the page brought; notes and activities after merges, so
    // those aimed at a merged contact land on the kept one.
    for (id, kept) in channels_touched {
        settle_channels(tx, id, &kept)?;
        reindex.insert(id);
    }
    if merged {
        reindex.extend(reconcile_merges(tx, now)?);
    }
    for row_uid in notes {
        reindex.extend(settle_note(tx, &row_uid, now)?);
    }
    for row_uid in activities {
        settle_activity(tx, &row_uid, now)?;
    }
    for id in reindex {
        search::reindex(tx, id)?;
    }
    Ok(())
}

/// Deletes or brings back a contact as its newest `deleted` says (not deleted when nothing does); whether
/// it is deleted.
fn settle_deleted(tx: &Transaction<'_>, id: i64, uid: &str, now: &str) -> Result<bool> {
    let deleted = newest(tx, CONTACT, uid, DELETED)?.and_then(|v| v.as_bool()).unwrap_or(false);
    tx.execute(
        "UPDATE contacts SET deleted_at = CASE WHEN ?2 THEN coalesce(deleted_at, ?3) END WHERE id = ?1",
        params![id, deleted, now],
    )?;
    if deleted {
        search::remove(tx, id)?;
    }
    Ok(deleted)
}

/// The newest value of a contact's field, whichever of the contacts merged into it it was aimed at.
fn newest_of_contact(conn: &Connection, kept: &str, field: &str) -> Result<Option<serde_json::Value>> {
    // One lookup on the versions' key per contact (a single `OR` over both would read every version).
    let mut uids = vec![kept.to_string()];
    uids.extend(
        conn.prepare_cached("SELECT merged FROM team_aliases WHERE kept = ?1")?
            .query_map([kept], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    let mut newest_version: Option<(String, String)> = None;
    let mut stmt = conn.prepare_cached(
        "SELECT stamp, value FROM team_versions WHERE entity = 'contact' AND row_uid = ?1 AND field = ?2
          ORDER BY stamp DESC LIMIT 1",
    )?;
    for uid in &uids {
        let found: Option<(String, String)> =
            stmt.query_row(params![uid, field], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        if let Some(found) = found.filter(|(stamp, _)| newest_version.as_ref().is_none_or(|(s, _)| stamp > s)) {
            newest_version = Some(found);
        }
    }
    Ok(newest_version.map(|(_, t)| serde_json::from_str(&t).unwrap_or(serde_json::Value::Null)))
}

/// Brings a note to its newest fields: created here the first time its contact and text are known. Its
/// contact's id, to refresh the contact's search entry.
fn settle_note(tx: &Transaction<'_>, row_uid: &str, now: &str) -> Result<Option<i64>> {
    let (Some(contact_uid), Some(body)) =
        (newest_text(tx, NOTE, row_uid, "contact")?, newest_text(tx, NOTE, row_uid, "body")?)
    else {
        return Ok(None);
    };
    let created_at = newest_text(tx, NOTE, row_uid, "created_at")?.unwrap_or_else(|| now.to_string());
    let member = newest_text(tx, NOTE, row_uid, "member")?;
    let deleted = newest(tx, NOTE, row_uid, DELETED)?.and_then(|v| v.as_bool()).unwrap_or(false);
    let contact = local_contact(tx, &resolve(tx, &contact_uid)?, now)?;
    let deleted_at = deleted.then_some(now);
    match local_id(tx, NOTE, row_uid)? {
        Some(id) => {
            tx.execute(
                "UPDATE notes SET body = ?2, deleted_at = CASE WHEN ?3 IS NULL THEN NULL ELSE coalesce(deleted_at, ?3) END,
                        updated_at = ?4
                  WHERE id = ?1",
                params![id, body, deleted_at, now],
            )?;
            Ok(Some(tx.query_row("SELECT contact_id FROM notes WHERE id = ?1", [id], |r| r.get(0))?))
        }
        None => {
            tx.execute(
                "INSERT INTO notes (contact_id, body, created_at, updated_at, deleted_at, member)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![contact, body, created_at, now, deleted_at, member],
            )?;
            name_row(tx, NOTE, tx.last_insert_rowid(), row_uid)?;
            Ok(Some(contact))
        }
    }
}

/// Brings an activity to its newest fields: created here the first time its contact and entry are known.
fn settle_activity(tx: &Transaction<'_>, row_uid: &str, now: &str) -> Result<()> {
    let deleted = newest(tx, ACTIVITY, row_uid, DELETED)?.and_then(|v| v.as_bool()).unwrap_or(false);
    let deleted_at = deleted.then_some(now);
    let id = match local_id(tx, ACTIVITY, row_uid)? {
        Some(id) => id,
        None => {
            let contact_uid = newest_text(tx, ACTIVITY, row_uid, "contact")?;
            let entry =
                newest(tx, ACTIVITY, row_uid, "entry")?.and_then(|v| serde_json::from_value::<ActivityEntry>(v).ok());
            let (Some(contact_uid), Some(entry)) = (contact_uid, entry) else { return Ok(()) };
            let contact = local_contact(tx, &resolve(tx, &contact_uid)?, now)?;
            let activity = NewActivity {
                kind: entry.kind,
                summary: entry.summary,
                occurred_at: entry.occurred_at,
                amount_minor: entry.amount_minor,
                cost_minor: entry.cost_minor,
                currency: entry.currency,
            };
            let id = crate::activities::store(tx, contact, &activity, now)?;
            name_row(tx, ACTIVITY, id, row_uid)?;
            id
        }
    };
    crate::activities::mark_deleted(tx, id, deleted_at)
}

/// The local contact with this team id, created empty when the team made it on another desktop.
pub(super) fn local_contact(tx: &Transaction<'_>, row_uid: &str, now: &str) -> Result<i64> {
    if let Some(id) = local_id(tx, CONTACT, row_uid)? {
        return Ok(id);
    }
    tx.execute("INSERT INTO contacts (display_name, sort_key, created_at, updated_at) VALUES ('', '', ?1, ?1)", [now])?;
    let id = tx.last_insert_rowid();
    name_row(tx, CONTACT, id, row_uid)?;
    Ok(id)
}

fn set_contact_field(
    tx: &Transaction<'_>,
    id: i64,
    field: &str,
    value: Option<serde_json::Value>,
    now: &str,
) -> Result<()> {
    let value = value.filter(|v| !v.is_null());
    // Within the caps any contact is stored with, whoever sent it.
    let capped = value
        .as_ref()
        .and_then(|v| v.as_str())
        .map(|t| earshot_core::text::truncate_chars(t.trim(), earshot_core::contact::MAX_FIELD_CHARS));
    let text = capped.as_deref();
    let column = match field {
        "organization" => {
            let org = organizations::ensure(tx, text, now)?;
            tx.execute(
                "UPDATE contacts SET organization_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, org, now],
            )?;
            return Ok(());
        }
        "display_name" => {
            let name = text.unwrap_or_default();
            tx.execute(
                "UPDATE contacts SET display_name = ?2, sort_key = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, name, earshot_core::text::fold(name), now],
            )?;
            return Ok(());
        }
        "given_name" | "family_name" => {
            // Never null: an empty name is an empty text.
            let sql = format!("UPDATE contacts SET {field} = ?2, updated_at = ?3 WHERE id = ?1");
            tx.execute(&sql, params![id, text.unwrap_or_default(), now])?;
            return Ok(());
        }
        "title" => "title",
        "city" => "city",
        "website" => "website",
        "birthday" => "birthday",
        other => return Err(StoreError::Invalid(format!("\"{other}\" is not a shared contact field"))),
    };
    tx.execute(&format!("UPDATE contacts SET {column} = ?2, updated_at = ?3 WHERE id = ?1"), params![id, text, now])?;
    Ok(())
}

/// Sets a contact's emails, phones and social accounts to the team's newest lists; a kind the team has no
/// list of stays as it is.
fn settle_channels(tx: &Transaction<'_>, id: i64, kept: &str) -> Result<()> {
    fn list<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Vec<T> {
        serde_json::from_value(value).unwrap_or_default()
    }
    let [emails, phones, identities] = CHANNELS.map(|field| newest_of_contact(tx, kept, field));
    // The lists are normalised as any contact's are (trimmed, capped, repeats dropped).
    let (emails, phones, identities) = (emails?, phones?, identities?);
    let current = match (&emails, &phones, &identities) {
        (Some(_), Some(_), Some(_)) => None,
        _ => Some(crate::contacts::get(tx, id)?),
    };
    let emails: Vec<EmailDraft> = match emails {
        Some(v) => list(v),
        None => current.as_ref().map(|c| c.emails.iter().map(Into::into).collect()).unwrap_or_default(),
    };
    let phones: Vec<PhoneDraft> = match phones {
        Some(v) => list(v),
        None => current.as_ref().map(|c| c.phones.iter().map(Into::into).collect()).unwrap_or_default(),
    };
    let identities: Vec<IdentityDraft> = match identities {
        Some(v) => list(v),
        None => current.as_ref().map(|c| c.identities.iter().map(Into::into).collect()).unwrap_or_default(),
    };
    let lists = ContactDraft { display_name: "-".into(), emails, phones, identities, ..Default::default() }
        .normalized()
        .unwrap_or_default();
    channels::replace_all(tx, id, &lists.emails, &lists.phones, &lists.identities)
}

/// A contact deleted on one desktop while another changed it: still deleted everywhere, and offered back
/// ("restore?") on every desktop, since someone was still working on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct RestoreOffer {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub name: String,
    /// The stamp of the delete, and of the newest change made after it.
    pub deleted: String,
    pub changed_after: String,
}

pub fn restore_offers(conn: &Connection) -> Result<Vec<RestoreOffer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.local_id, c.display_name, d.stamp, max(v.stamp)
           FROM team_versions d INDEXED BY team_versions_deletes
           JOIN team_ids i ON i.entity = 'contact' AND i.uid = d.row_uid
           JOIN contacts c ON c.id = i.local_id AND c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL
           JOIN team_versions v ON v.entity = 'contact' AND v.row_uid = d.row_uid AND v.field != 'deleted'
                               AND v.stamp > d.stamp
          WHERE d.entity = 'contact' AND d.field = 'deleted' AND d.value = 'true'
            AND d.stamp = (SELECT max(x.stamp) FROM team_versions x
                            WHERE x.entity = 'contact' AND x.row_uid = d.row_uid AND x.field = 'deleted')
          GROUP BY i.local_id ORDER BY i.local_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RestoreOffer { contact_id: r.get(0)?, name: r.get(1)?, deleted: r.get(2)?, changed_after: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A value a contact's field had before a newer one won: what it was, and the stamp (time and desktop).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Replaced {
    pub field: String,
    pub value: serde_json::Value,
    pub stamp: String,
}

/// The values of a contact's shared fields that lost to newer ones, newest first.
pub fn contact_history(conn: &Connection, contact_id: i64) -> Result<Vec<Replaced>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.field, v.value, v.stamp FROM team_versions v JOIN team_ids i ON i.uid = v.row_uid AND i.entity = v.entity
          WHERE i.entity = 'contact' AND i.local_id = ?1
            AND v.stamp < (SELECT max(w.stamp) FROM team_versions w
                            WHERE w.entity = v.entity AND w.row_uid = v.row_uid AND w.field = v.field)
          ORDER BY v.stamp DESC",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        let value: String = r.get(1)?;
        Ok(Replaced {
            field: r.get(0)?,
            value: serde_json::from_str(&value).unwrap_or(serde_json::Value::Null),
            stamp: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
