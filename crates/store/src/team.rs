//! Team sharing on this desktop's side: while the workspace is shared, every change to a shared field is
//! recorded, in the same transaction as the change itself, as a stamped operation waiting to be pushed; and
//! operations pulled from the team's server are applied field by field, the newer stamp winning
//! ([`earshot_core::team`]), every value kept so the losers can be shown.
//!
//! Shared so far: a contact's names, organization, title, city, website and birthday, and its notes.

use std::collections::BTreeSet;

use earshot_core::team::{self as rules, Clock, DeviceId, Stamp};
use earshot_core::ContactDraft;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{organizations, search, Result, StoreError};

/// A contact's fields shared with the team, as operations name them.
pub const CONTACT_FIELDS: [&str; 8] =
    ["given_name", "family_name", "display_name", "organization", "title", "city", "website", "birthday"];

pub const CONTACT: &str = "contact";
pub const NOTE: &str = "note";
/// Whether a row is deleted: a field like any, so a delete and a restore are settled by their stamps.
pub const DELETED: &str = "deleted";
/// A note's fields shared with the team: its contact (by team id), its text, when it was written, and
/// whether it was deleted. New notes from two desktops are both kept; an edit of one note is a field like any.
pub const NOTE_FIELDS: [&str; 4] = ["contact", "body", "created_at", "deleted"];

fn is_shared_field(entity: &str, field: &str) -> bool {
    match entity {
        CONTACT => CONTACT_FIELDS.contains(&field) || field == DELETED,
        NOTE => NOTE_FIELDS.contains(&field),
        _ => false,
    }
}

/// The team this workspace is shared with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Team {
    pub workspace: String,
    pub server: String,
    pub credential_id: Option<String>,
    pub device: String,
    pub member: String,
    pub epoch: String,
    pub cursor: i64,
    /// The id of the change at `cursor`, to notice a server restored from a backup.
    pub cursor_op: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
}

pub fn get(conn: &Connection) -> Result<Option<Team>> {
    Ok(conn
        .prepare_cached(
            "SELECT workspace, server, credential_id, device, member, epoch, cursor, last_sync_at, last_error,
                    cursor_op
               FROM team WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(Team {
                workspace: r.get(0)?,
                server: r.get(1)?,
                credential_id: r.get(2)?,
                device: r.get(3)?,
                member: r.get(4)?,
                epoch: r.get(5)?,
                cursor: r.get(6)?,
                last_sync_at: r.get(7)?,
                last_error: r.get(8)?,
                cursor_op: r.get(9)?,
            })
        })
        .optional()?)
}

pub(crate) fn is_shared(conn: &Connection) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM team)")?.query_row([], |r| r.get(0))?)
}

/// Shares this workspace: from now on its changes are recorded for the team.
pub fn join(tx: &Transaction<'_>, team: &Team) -> Result<()> {
    if is_shared(tx)? {
        return Err(StoreError::Invalid("this workspace is already shared with a team; leave it first".into()));
    }
    tx.execute(
        "INSERT INTO team (id, workspace, server, credential_id, device, member, epoch, cursor)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![team.workspace, team.server, team.credential_id, team.device, team.member, team.epoch, team.cursor],
    )?;
    Ok(())
}

/// Stops sharing: everything in the workspace stays as it is; changes not pushed yet stay local.
pub fn leave(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM team; DELETE FROM team_outbox;")?;
    Ok(())
}

/// Records every shared field of every live contact, and their notes, as the first desktop does when it
/// shares the workspace.
pub fn share_everything(tx: &Transaction<'_>, now: &str) -> Result<usize> {
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
    Ok(ids.len())
}

fn millis(now: &str) -> Result<i64> {
    crate::parse_timestamp(now)
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| StoreError::Invalid(format!("\"{now}\" is not a time")))
}

fn next_stamp(tx: &Transaction<'_>, now: &str) -> Result<Stamp> {
    let (device, last): (String, Option<String>) =
        tx.query_row("SELECT device, clock FROM team WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let device = u64::from_str_radix(&device, 16)
        .map_err(|_| StoreError::Invalid(format!("the team device id \"{device}\" is not valid")))?;
    let mut clock = Clock::new(DeviceId(device), last.as_deref().and_then(Stamp::decode));
    let stamp = clock.tick(millis(now)?);
    tx.execute("UPDATE team SET clock = ?1 WHERE id = 1", [stamp.encode()])?;
    Ok(stamp)
}

/// The team-wide id of a local row, given one if it has none yet.
fn uid_of(tx: &Transaction<'_>, entity: &str, local_id: i64, now: &str) -> Result<String> {
    let found: Option<String> = tx
        .prepare_cached("SELECT uid FROM team_ids WHERE entity = ?1 AND local_id = ?2")?
        .query_row(params![entity, local_id], |r| r.get(0))
        .optional()?;
    if let Some(uid) = found {
        return Ok(uid);
    }
    let mut random = [0u8; 10];
    random.iter_mut().for_each(|b| *b = fastrand::u8(..));
    let uid = rules::row_id(millis(now)?, random).to_string();
    tx.execute("INSERT INTO team_ids (entity, local_id, uid) VALUES (?1, ?2, ?3)", params![entity, local_id, uid])?;
    Ok(uid)
}

fn contact_value(d: &ContactDraft, field: &str) -> serde_json::Value {
    let text = match field {
        "given_name" => Some(d.given_name.as_str()),
        "family_name" => Some(d.family_name.as_str()),
        "display_name" => Some(d.display_name.as_str()),
        "organization" => d.organization.as_deref(),
        "title" => d.title.as_deref(),
        "city" => d.city.as_deref(),
        "website" => d.website.as_deref(),
        "birthday" => d.birthday.as_deref(),
        _ => None,
    };
    text.map_or(serde_json::Value::Null, |t| serde_json::Value::String(t.to_string()))
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

/// Records one field's new value as a change made here: waiting to be pushed, and the field's newest
/// version.
fn record(
    tx: &Transaction<'_>,
    entity: &str,
    row_uid: &str,
    field: &str,
    value: &serde_json::Value,
    now: &str,
) -> Result<()> {
    let stamp = next_stamp(tx, now)?;
    let mut random = [0u8; 10];
    random.iter_mut().for_each(|b| *b = fastrand::u8(..));
    let op_id = rules::row_id(stamp.millis, random).to_string();
    let value = value.to_string();
    tx.execute(
        "INSERT INTO team_outbox (op_id, stamp, entity, row_uid, field, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![op_id, stamp.encode(), entity, row_uid, field, value],
    )?;
    tx.execute(
        "INSERT INTO team_versions (entity, row_uid, field, stamp, op_id, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![entity, row_uid, field, stamp.encode(), op_id, value],
    )?;
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

/// Records a note written here (by the owner or an import), when the workspace is shared.
pub fn record_note_written(tx: &Transaction<'_>, note_id: i64, contact_id: i64, body: &str, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let contact = uid_of(tx, CONTACT, contact_id, now)?;
    let note = uid_of(tx, NOTE, note_id, now)?;
    record(tx, NOTE, &note, "contact", &serde_json::Value::String(contact), now)?;
    record(tx, NOTE, &note, "created_at", &serde_json::Value::String(now.to_string()), now)?;
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

/// One field-level change, going out or coming in.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldOp {
    pub op_id: String,
    pub stamp: Stamp,
    pub entity: String,
    pub row_uid: String,
    pub field: String,
    pub value: serde_json::Value,
}

/// The changes made here that the server has not accepted yet, oldest first.
pub fn pending(conn: &Connection, limit: i64) -> Result<Vec<FieldOp>> {
    let mut stmt = conn
        .prepare_cached("SELECT op_id, stamp, entity, row_uid, field, value FROM team_outbox ORDER BY seq LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, String>(5)?))
    })?;
    let mut ops = Vec::new();
    for row in rows {
        let (op_id, stamp, entity, row_uid, field, value) = row?;
        ops.push(FieldOp {
            stamp: Stamp::decode(&stamp).ok_or_else(|| StoreError::Invalid(format!("stamp {stamp}")))?,
            value: serde_json::from_str(&value).unwrap_or(serde_json::Value::Null),
            op_id,
            entity,
            row_uid,
            field,
        });
    }
    Ok(ops)
}

/// How many changes made here wait to be pushed.
pub fn waiting(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM team_outbox")?.query_row([], |r| r.get(0))?)
}

/// The server accepted these changes, each with the stamp every desktop applies (the server stamps again
/// one that was too far ahead): they leave the outbox, and a field whose stamp changed is settled again.
pub fn accepted(tx: &Transaction<'_>, accepted: &[(String, Stamp)], now: &str) -> Result<()> {
    let mut touched = BTreeSet::new();
    for (op_id, stamp) in accepted {
        tx.execute("DELETE FROM team_outbox WHERE op_id = ?1", [op_id])?;
        let changed = tx.execute(
            "UPDATE team_versions SET stamp = ?2 WHERE op_id = ?1 AND stamp != ?2",
            params![op_id, stamp.encode()],
        )?;
        if changed > 0 {
            let key: (String, String, String) =
                tx.query_row("SELECT entity, row_uid, field FROM team_versions WHERE op_id = ?1", [op_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            touched.insert(key);
        }
    }
    settle(tx, touched, now)
}

/// Applies a page of changes pulled from the server and moves the cursor past it, in the caller's one
/// transaction: a page is applied whole or not at all.
pub fn apply(tx: &Transaction<'_>, ops: &[FieldOp], cursor: i64, now: &str) -> Result<()> {
    let mut touched = BTreeSet::new();
    let mut clock_seen = None::<Stamp>;
    for op in ops {
        if !is_shared_field(&op.entity, &op.field) {
            // A change of a kind this version does not share yet: kept, so a later version can apply it.
            tracing::debug!(entity = %op.entity, field = %op.field, "a team change this version does not apply");
        }
        tx.execute(
            "INSERT OR IGNORE INTO team_versions (entity, row_uid, field, stamp, op_id, value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![op.entity, op.row_uid, op.field, op.stamp.encode(), op.op_id, op.value.to_string()],
        )?;
        touched.insert((op.entity.clone(), op.row_uid.clone(), op.field.clone()));
        clock_seen = clock_seen.max(Some(op.stamp));
    }
    if let Some(seen) = clock_seen {
        // Every later change made here is newer than everything applied.
        let last: Option<String> = tx.query_row("SELECT clock FROM team WHERE id = 1", [], |r| r.get(0))?;
        if last.as_deref().and_then(Stamp::decode).is_none_or(|l| (l.millis, l.counter) < (seen.millis, seen.counter)) {
            let device = tx.query_row("SELECT device FROM team WHERE id = 1", [], |r| r.get::<_, String>(0))?;
            let mine = u64::from_str_radix(&device, 16).unwrap_or_default();
            let resumed = Stamp { device: DeviceId(mine), ..seen };
            tx.execute("UPDATE team SET clock = ?1 WHERE id = 1", [resumed.encode()])?;
        }
    }
    settle(tx, touched, now)?;
    tx.execute(
        "UPDATE team SET cursor = ?1, cursor_op = coalesce(?2, cursor_op), last_sync_at = ?3, last_error = NULL
          WHERE id = 1",
        params![cursor, ops.last().map(|o| o.op_id.clone()), now],
    )?;
    Ok(())
}

/// The server was restored from a backup (or another desktop found it so): under the new epoch, this
/// desktop sends again every change it made (the server keeps what it still has) and reads everything
/// again from the start; applying a change twice changes nothing.
pub fn restart_after_restore(tx: &Transaction<'_>, epoch: &str) -> Result<usize> {
    let device: String = tx.query_row("SELECT device FROM team WHERE id = 1", [], |r| r.get(0))?;
    // A stamp's last part is its device (earshot_core::team::Stamp::encode): the changes made here.
    let requeued = tx.execute(
        "INSERT OR IGNORE INTO team_outbox (op_id, stamp, entity, row_uid, field, value)
         SELECT op_id, stamp, entity, row_uid, field, value FROM team_versions
          WHERE substr(stamp, 25) = ?1 ORDER BY stamp",
        [&device],
    )?;
    tx.execute("UPDATE team SET epoch = ?1, cursor = 0, cursor_op = NULL WHERE id = 1", [epoch])?;
    Ok(requeued)
}

/// Sets each touched field to its newest value, creating the local row when the team made it elsewhere.
fn settle(tx: &Transaction<'_>, touched: BTreeSet<(String, String, String)>, now: &str) -> Result<()> {
    let mut contacts = BTreeSet::new();
    let mut notes = BTreeSet::new();
    for (entity, row_uid, field) in touched {
        match entity.as_str() {
            CONTACT if field == DELETED => {
                let deleted = newest(tx, &entity, &row_uid, &field)?.and_then(|v| v.as_bool()).unwrap_or(false);
                let id = local_contact(tx, &row_uid, now)?;
                tx.execute(
                    "UPDATE contacts SET deleted_at = CASE WHEN ?2 THEN coalesce(deleted_at, ?3) END WHERE id = ?1",
                    params![id, deleted, now],
                )?;
                if deleted {
                    search::remove(tx, id)?;
                } else {
                    contacts.insert(id);
                }
            }
            CONTACT if CONTACT_FIELDS.contains(&field.as_str()) => {
                let value = newest(tx, &entity, &row_uid, &field)?;
                let id = local_contact(tx, &row_uid, now)?;
                set_contact_field(tx, id, &field, value.as_ref().and_then(|v| v.as_str()), now)?;
                contacts.insert(id);
            }
            NOTE if NOTE_FIELDS.contains(&field.as_str()) => {
                notes.insert(row_uid);
            }
            _ => {}
        }
    }
    for row_uid in notes {
        if let Some(contact) = settle_note(tx, &row_uid, now)? {
            contacts.insert(contact);
        }
    }
    for id in contacts {
        search::reindex(tx, id)?;
    }
    Ok(())
}

/// The newest value of one field, if any version is known.
fn newest(tx: &Transaction<'_>, entity: &str, row_uid: &str, field: &str) -> Result<Option<serde_json::Value>> {
    let text: Option<String> = tx
        .prepare_cached(
            "SELECT value FROM team_versions WHERE entity = ?1 AND row_uid = ?2 AND field = ?3
              ORDER BY stamp DESC LIMIT 1",
        )?
        .query_row(params![entity, row_uid, field], |r| r.get(0))
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::Null)))
}

/// Brings a note to its newest fields: created here the first time its contact and text are known. Its
/// contact's id, to refresh the contact's search entry.
fn settle_note(tx: &Transaction<'_>, row_uid: &str, now: &str) -> Result<Option<i64>> {
    let text = |v: Option<serde_json::Value>| v.and_then(|v| v.as_str().map(str::to_string));
    let (contact, body) = (text(newest(tx, NOTE, row_uid, "contact")?), text(newest(tx, NOTE, row_uid, "body")?));
    let (Some(contact_uid), Some(body)) = (contact, body) else { return Ok(None) };
    let created_at = text(newest(tx, NOTE, row_uid, "created_at")?).unwrap_or_else(|| now.to_string());
    let deleted = newest(tx, NOTE, row_uid, "deleted")?.and_then(|v| v.as_bool()).unwrap_or(false);
    let contact = local_contact(tx, &contact_uid, now)?;
    let found: Option<i64> = tx
        .prepare_cached("SELECT local_id FROM team_ids WHERE entity = 'note' AND uid = ?1")?
        .query_row([row_uid], |r| r.get(0))
        .optional()?;
    let deleted_at = deleted.then_some(now);
    match found {
        Some(id) => {
            tx.execute(
                "UPDATE notes SET body = ?2, deleted_at = CASE WHEN ?3 IS NULL THEN NULL ELSE coalesce(deleted_at, ?3) END,
                        updated_at = ?4
                  WHERE id = ?1",
                params![id, body, deleted_at, now],
            )?;
        }
        None => {
            tx.execute(
                "INSERT INTO notes (contact_id, body, created_at, updated_at, deleted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![contact, body, created_at, now, deleted_at],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("INSERT INTO team_ids (entity, local_id, uid) VALUES ('note', ?1, ?2)", params![id, row_uid])?;
        }
    }
    Ok(Some(contact))
}

/// The local contact with this team id, created empty when the team made it on another desktop.
fn local_contact(tx: &Transaction<'_>, row_uid: &str, now: &str) -> Result<i64> {
    let found: Option<i64> = tx
        .prepare_cached("SELECT local_id FROM team_ids WHERE entity = 'contact' AND uid = ?1")?
        .query_row([row_uid], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.execute("INSERT INTO contacts (display_name, sort_key, created_at, updated_at) VALUES ('', '', ?1, ?1)", [now])?;
    let id = tx.last_insert_rowid();
    tx.execute("INSERT INTO team_ids (entity, local_id, uid) VALUES ('contact', ?1, ?2)", params![id, row_uid])?;
    Ok(id)
}

fn set_contact_field(tx: &Transaction<'_>, id: i64, field: &str, value: Option<&str>, now: &str) -> Result<()> {
    let text = || value.unwrap_or_default();
    match field {
        "given_name" => {
            tx.execute("UPDATE contacts SET given_name = ?2, updated_at = ?3 WHERE id = ?1", params![id, text(), now])?
        }
        "family_name" => {
            tx.execute("UPDATE contacts SET family_name = ?2, updated_at = ?3 WHERE id = ?1", params![id, text(), now])?
        }
        "display_name" => tx.execute(
            "UPDATE contacts SET display_name = ?2, sort_key = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, text(), earshot_core::text::fold(text()), now],
        )?,
        "organization" => {
            let org = organizations::ensure(tx, value, now)?;
            tx.execute(
                "UPDATE contacts SET organization_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, org, now],
            )?
        }
        "title" => {
            tx.execute("UPDATE contacts SET title = ?2, updated_at = ?3 WHERE id = ?1", params![id, value, now])?
        }
        "city" => {
            tx.execute("UPDATE contacts SET city = ?2, updated_at = ?3 WHERE id = ?1", params![id, value, now])?
        }
        "website" => {
            tx.execute("UPDATE contacts SET website = ?2, updated_at = ?3 WHERE id = ?1", params![id, value, now])?
        }
        "birthday" => {
            tx.execute("UPDATE contacts SET birthday = ?2, updated_at = ?3 WHERE id = ?1", params![id, value, now])?
        }
        other => return Err(StoreError::Invalid(format!("\"{other}\" is not a shared contact field"))),
    };
    Ok(())
}

/// A contact deleted on one desktop while another changed it: still deleted everywhere, and offered back
/// ("restore?") on every desktop, since someone was still working on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RestoreOffer {
    pub contact_id: i64,
    pub name: String,
    /// The stamp of the delete, and of the newest change made after it.
    pub deleted: String,
    pub changed_after: String,
}

pub fn restore_offers(conn: &Connection) -> Result<Vec<RestoreOffer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.local_id, c.display_name, d.stamp, max(v.stamp)
           FROM team_versions d
           JOIN team_ids i ON i.entity = 'contact' AND i.uid = d.row_uid
           JOIN contacts c ON c.id = i.local_id AND c.deleted_at IS NOT NULL
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
