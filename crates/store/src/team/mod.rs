//! Team sharing on this desktop's side: while the workspace is shared, every change to a shared field is
//! recorded, in the same transaction as the change itself, as a stamped operation waiting to be pushed; and
//! operations pulled from the team's server are applied field by field, the newer stamp winning
//! ([`earshot_core::team`]), every value kept so the losers can be shown.
//!
//! What is shared, and how each kind settles:
//! - [`people`]: contacts (each field on its own; deletes and merges as fields too), their notes and
//!   activities (new ones from every desktop are all kept);
//! - [`orders`]: orders from the shop's exports (a change made apart from another is flagged for review);
//! - [`heard`]: mentions (the post, its triage state, its assignee and its contact, each on its own), the
//!   triage log (every desktop's decisions are kept), and the team's members.

pub mod heard;
pub mod orders;
pub mod people;

use std::collections::BTreeSet;

use earshot_core::team::{self as rules, Clock, DeviceId, Stamp};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{Result, StoreError};

pub use heard::{assign, members, Member};
pub use people::{
    contact_history, record_activity_deleted, record_activity_written, record_contact, record_contact_deleted,
    record_contact_merged, record_merge_undone, record_note_changed, record_note_written, restore_offers, Replaced,
    RestoreOffer, CONTACT_FIELDS,
};

/// The team this workspace is shared with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Team {
    pub workspace: String,
    pub server: String,
    pub credential_id: Option<String>,
    pub device: String,
    pub member: String,
    pub epoch: String,
    #[ts(type = "number")]
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

/// The member this desktop belongs to, when the workspace is shared.
pub(crate) fn my_member(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT member FROM team WHERE id = 1")?.query_row([], |r| r.get(0)).optional()?)
}

/// Shares this workspace: from now on its changes are recorded for the team, starting with this desktop's
/// member joining it.
pub fn join(tx: &Transaction<'_>, team: &Team, now: &str) -> Result<()> {
    if is_shared(tx)? {
        return Err(StoreError::Invalid("this workspace is already shared with a team; leave it first".into()));
    }
    tx.execute(
        "INSERT INTO team (id, workspace, server, credential_id, device, member, epoch, cursor)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![team.workspace, team.server, team.credential_id, team.device, team.member, team.epoch, team.cursor],
    )?;
    heard::record_member(tx, &team.member, now)
}

/// Stops sharing: everything in the workspace stays as it is; changes not pushed yet stay local.
pub fn leave(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM team; DELETE FROM team_outbox;")?;
    Ok(())
}

/// Records everything shared as the first desktop does when it shares the workspace: every live contact
/// with its notes and activities, every imported order, and every mention in the inbox with its state.
/// Returns the contacts.
pub fn share_everything(tx: &Transaction<'_>, now: &str) -> Result<usize> {
    let contacts = people::share_all(tx, now)?;
    orders::share_all(tx, now)?;
    heard::share_all(tx, now)?;
    Ok(contacts)
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

fn random_bytes() -> [u8; 10] {
    let mut random = [0u8; 10];
    random.iter_mut().for_each(|b| *b = fastrand::u8(..));
    random
}

/// The team-wide id of a local row, if it has one.
fn known_uid(conn: &Connection, entity: &str, local_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT uid FROM team_ids WHERE entity = ?1 AND local_id = ?2")?
        .query_row(params![entity, local_id], |r| r.get(0))
        .optional()?)
}

/// The local row with this team-wide id, if this desktop has it.
fn local_id(conn: &Connection, entity: &str, uid: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT local_id FROM team_ids WHERE entity = ?1 AND uid = ?2")?
        .query_row(params![entity, uid], |r| r.get(0))
        .optional()?)
}

/// Names a local row with a team-wide id.
fn name_row(tx: &Transaction<'_>, entity: &str, local_id: i64, uid: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO team_ids (entity, local_id, uid) VALUES (?1, ?2, ?3)")?
        .execute(params![entity, local_id, uid])?;
    Ok(())
}

/// The team-wide id of a local row, given a new one (UUIDv7) if it has none yet.
fn uid_of(tx: &Transaction<'_>, entity: &str, local_id: i64, now: &str) -> Result<String> {
    if let Some(uid) = known_uid(tx, entity, local_id)? {
        return Ok(uid);
    }
    let uid = rules::row_id(millis(now)?, random_bytes()).to_string();
    name_row(tx, entity, local_id, &uid)?;
    Ok(uid)
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
    let op_id = rules::row_id(stamp.millis, random_bytes()).to_string();
    let value = value.to_string();
    tx.prepare_cached(
        "INSERT INTO team_outbox (op_id, stamp, entity, row_uid, field, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![op_id, stamp.encode(), entity, row_uid, field, value])?;
    tx.prepare_cached(
        "INSERT INTO team_versions (entity, row_uid, field, stamp, op_id, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![entity, row_uid, field, stamp.encode(), op_id, value])?;
    Ok(())
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

/// The fields one batch of changes touched: (entity, row id, field).
type Touched = BTreeSet<(String, String, String)>;

/// What applying changes from the team brought that this desktop's owner should hear of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Mentions newly assigned to this desktop's member by someone else.
    pub assigned_to_me: Vec<i64>,
}

/// The server accepted these changes, each with the stamp every desktop applies (the server stamps again
/// one that was too far ahead): they leave the outbox, and a field whose stamp changed is settled again.
pub fn accepted(tx: &Transaction<'_>, accepted: &[(String, Stamp)], now: &str) -> Result<()> {
    let mut touched = Touched::new();
    for (op_id, stamp) in accepted {
        tx.prepare_cached("DELETE FROM team_outbox WHERE op_id = ?1")?.execute([op_id])?;
        let changed = tx
            .prepare_cached("UPDATE team_versions SET stamp = ?2 WHERE op_id = ?1 AND stamp != ?2")?
            .execute(params![op_id, stamp.encode()])?;
        if changed > 0 {
            let key: (String, String, String) =
                tx.query_row("SELECT entity, row_uid, field FROM team_versions WHERE op_id = ?1", [op_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            touched.insert(key);
        }
    }
    settle(tx, touched, now).map(|_| ())
}

/// Applies a page of changes pulled from the server and moves the cursor past it, in the caller's one
/// transaction: a page is applied whole or not at all.
pub fn apply(tx: &Transaction<'_>, ops: &[FieldOp], cursor: i64, now: &str) -> Result<Applied> {
    let mut touched = Touched::new();
    let mut clock_seen = None::<Stamp>;
    let mut add = tx.prepare_cached(
        "INSERT OR IGNORE INTO team_versions (entity, row_uid, field, stamp, op_id, value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for op in ops {
        // A change of a kind this version does not know is kept too, so a later version can apply it.
        if add.execute(params![op.entity, op.row_uid, op.field, op.stamp.encode(), op.op_id, op.value.to_string()])? > 0
        {
            touched.insert((op.entity.clone(), op.row_uid.clone(), op.field.clone()));
        }
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
    let applied = settle(tx, touched, now)?;
    tx.execute(
        "UPDATE team SET cursor = ?1, cursor_op = coalesce(?2, cursor_op), last_sync_at = ?3, last_error = NULL
          WHERE id = 1",
        params![cursor, ops.last().map(|o| o.op_id.clone()), now],
    )?;
    Ok(applied)
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

/// Brings every touched row to its newest fields, creating local rows the team made elsewhere. People
/// first, so an order's buyer and a mention's contact exist when they are settled.
fn settle(tx: &Transaction<'_>, touched: Touched, now: &str) -> Result<Applied> {
    let (heard, rest): (Touched, Touched) = touched.into_iter().partition(|(entity, _, _)| heard::settles(entity));
    let (orders, people): (Touched, Touched) = rest.into_iter().partition(|(entity, _, _)| entity == "order");
    people::settle(tx, people, now)?;
    orders::settle(tx, orders, now)?;
    heard::settle(tx, heard, now)
}

/// The newest value of one field, if any version is known.
fn newest(conn: &Connection, entity: &str, row_uid: &str, field: &str) -> Result<Option<serde_json::Value>> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT value FROM team_versions WHERE entity = ?1 AND row_uid = ?2 AND field = ?3
              ORDER BY stamp DESC LIMIT 1",
        )?
        .query_row(params![entity, row_uid, field], |r| r.get(0))
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::Null)))
}

/// The newest value of a text field.
fn newest_text(conn: &Connection, entity: &str, row_uid: &str, field: &str) -> Result<Option<String>> {
    Ok(newest(conn, entity, row_uid, field)?.and_then(|v| v.as_str().map(str::to_string)))
}
