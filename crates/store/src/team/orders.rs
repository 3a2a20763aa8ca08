//! Orders from the shop's exports, shared with the team. An order is named by its source and its id there,
//! so the same export imported on two desktops is one order. What the order says (status, amounts, buyer
//! details, whether its import was undone) is one field; who the buyer is (a contact, or the "who is this?"
//! list) another.
//!
//! Money is not a field to settle quietly: each change to an order carries the newest change this desktop
//! knew of it (`seen`). Two changes that differ and where neither saw the other were made apart (a refund
//! on the laptop, a cancellation at the counter): the newer wins like any field, and the order is flagged
//! for review on every desktop until someone has looked at it.
//!
//! Orders entered by hand come with their activity ([`super::people`]) and are not shared twice.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::people::{local_contact, resolve};
use super::{is_shared, known_uid, local_id, name_row, newest, record, uid_of, Touched};
use crate::{Result, StoreError};

const ORDER: &str = "order";
const DETAILS: &str = "details";
const BUYER: &str = "buyer";
/// The newest change to the details someone reviewed: conflicts up to it are settled.
const REVIEWED: &str = "reviewed";

/// What an order says, as the team shares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Details {
    source: String,
    external_id: String,
    kind: String,
    refund_of: Option<String>,
    placed_at: String,
    status: String,
    currency: String,
    amount_minor: i64,
    refunded_minor: i64,
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    description: Option<String>,
    deleted: bool,
}

/// A change to an order's details: the details, and the newest change to them this desktop knew of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Change {
    #[serde(flatten)]
    details: Details,
    seen: Option<String>,
}

impl Details {
    /// Whether this version can store the order: a source, kind and status it knows, and amounts that are
    /// not negative. A change that cannot be stored is left in the history, never blocking the rest.
    fn storable(&self) -> bool {
        ["shopify", "square", "stripe", "csv"].contains(&self.source.as_str())
            && ["sale", "refund"].contains(&self.kind.as_str())
            && ["paid", "pending", "cancelled", "failed"].contains(&self.status.as_str())
            && self.amount_minor >= 0
            && self.refunded_minor >= 0
            && crate::parse_timestamp(&self.placed_at).is_some()
    }
}

/// Who the buyer is: a contact (team id), or where the order waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Buyer {
    contact: Option<String>,
    unmatched: Option<String>,
}

fn details_of(conn: &Connection, id: i64) -> Result<Option<Details>> {
    Ok(conn
        .query_row(
            "SELECT source, external_id, kind, refund_of, placed_at, status, currency, amount_minor, refunded_minor,
                    email, phone, name, description, deleted_at IS NOT NULL
               FROM orders WHERE id = ?1 AND source != 'manual'",
            [id],
            |r| {
                Ok(Details {
                    source: r.get(0)?,
                    external_id: r.get(1)?,
                    kind: r.get(2)?,
                    refund_of: r.get(3)?,
                    placed_at: r.get(4)?,
                    status: r.get(5)?,
                    currency: r.get(6)?,
                    amount_minor: r.get(7)?,
                    refunded_minor: r.get(8)?,
                    email: r.get(9)?,
                    phone: r.get(10)?,
                    name: r.get(11)?,
                    description: r.get(12)?,
                    deleted: r.get(13)?,
                })
            },
        )
        .optional()?)
}

/// The newest stamp of one field of an order, if any.
fn newest_stamp(conn: &Connection, uid: &str, field: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT max(stamp) FROM team_versions WHERE entity = 'order' AND row_uid = ?1 AND field = ?2")?
        .query_row(params![uid, field], |r| r.get(0))?)
}

/// The team id of an imported order, named once.
fn order_named(tx: &Transaction<'_>, id: i64, d: &Details) -> Result<String> {
    if let Some(uid) = known_uid(tx, ORDER, id)? {
        return Ok(uid);
    }
    let uid = earshot_core::team::order_id(&d.source, &d.external_id).to_string();
    name_row(tx, ORDER, id, &uid)?;
    Ok(uid)
}

/// Records what an imported order says now (added, changed by a later import, or its import undone), when
/// the workspace is shared.
pub(crate) fn record_details(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let Some(details) = details_of(tx, id)? else { return Ok(()) };
    let uid = order_named(tx, id, &details)?;
    let change = Change { details, seen: newest_stamp(tx, &uid, DETAILS)? };
    let value = serde_json::to_value(change).map_err(|e| StoreError::Invalid(e.to_string()))?;
    record(tx, ORDER, &uid, DETAILS, &value, now)
}

/// Records who an order's buyer is now (assigned to a contact, or dismissed), when the workspace is shared.
pub(crate) fn record_buyer(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    if !is_shared(tx)? {
        return Ok(());
    }
    let Some(details) = details_of(tx, id)? else { return Ok(()) };
    let uid = order_named(tx, id, &details)?;
    let (contact, unmatched): (Option<i64>, Option<String>) =
        tx.query_row("SELECT contact_id, unmatched FROM orders WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let contact = match contact {
        Some(c) => Some(uid_of(tx, "contact", c, now)?),
        None => None,
    };
    let value = serde_json::to_value(Buyer { contact, unmatched }).map_err(|e| StoreError::Invalid(e.to_string()))?;
    record(tx, ORDER, &uid, BUYER, &value, now)
}

/// Shares every imported order and its buyer, as the first desktop does.
pub(super) fn share_all(tx: &Transaction<'_>, now: &str) -> Result<()> {
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM orders WHERE source != 'manual' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        record_details(tx, id, now)?;
        record_buyer(tx, id, now)?;
    }
    Ok(())
}

/// The owner has looked at an order flagged for review: its changes so far are settled.
pub fn reviewed(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let flagged: Option<bool> =
        tx.query_row("SELECT needs_review FROM orders WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    match flagged {
        None => return Err(StoreError::NotFound { what: "order", id }),
        Some(false) => return Ok(()),
        Some(true) => {}
    }
    tx.execute("UPDATE orders SET needs_review = 0 WHERE id = ?1", [id])?;
    if let Some(uid) = known_uid(tx, ORDER, id)? {
        if let Some(through) = newest_stamp(tx, &uid, DETAILS)? {
            record(tx, ORDER, &uid, REVIEWED, &serde_json::Value::String(through), now)?;
        }
    }
    Ok(())
}

/// An order changed on two desktops apart, waiting for someone to look at it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrderToReview {
    #[ts(type = "number")]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    /// What it says now (the newer change), and what the other change said.
    pub status: String,
    pub other_status: String,
    /// Decimal text, exact ("48.20").
    pub amount: String,
    pub other_amount: String,
    pub currency: String,
}

/// The orders flagged for review.
pub fn to_review(conn: &Connection) -> Result<Vec<OrderToReview>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.source, o.external_id, o.status, o.amount_minor, o.currency, i.uid
           FROM orders o LEFT JOIN team_ids i ON i.entity = 'order' AND i.local_id = o.id
          WHERE o.needs_review = 1 ORDER BY o.placed_at DESC",
    )?;
    let rows: Vec<(OrderToReview, Option<String>)> = stmt
        .query_map([], |r| {
            let (status, currency): (String, String) = (r.get(3)?, r.get(5)?);
            let amount = earshot_core::money::format_minor(r.get(4)?, &currency);
            let order = OrderToReview {
                id: r.get(0)?,
                source: r.get(1)?,
                external_id: r.get(2)?,
                other_status: status.clone(),
                status,
                other_amount: amount.clone(),
                amount,
                currency,
            };
            Ok((order, r.get(6)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut order, uid) in rows {
        if let Some((_, other)) = uid.map(|uid| conflict(conn, &uid)).transpose()?.flatten() {
            order.other_amount = earshot_core::money::format_minor(other.amount_minor, &order.currency);
            order.other_status = other.status;
        }
        out.push(order);
    }
    Ok(out)
}

/// Two changes to an order's details made apart (neither saw the other) that say different things, after
/// the last review: (the newer, the older).
fn conflict(conn: &Connection, uid: &str) -> Result<Option<(Details, Details)>> {
    let reviewed_through = newest(conn, ORDER, uid, REVIEWED)?.and_then(|v| v.as_str().map(str::to_string));
    let mut stmt = conn.prepare_cached(
        "SELECT stamp, value FROM team_versions WHERE entity = 'order' AND row_uid = ?1 AND field = 'details'
          ORDER BY stamp DESC",
    )?;
    let changes: Vec<(String, Change)> = stmt
        .query_map([uid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|row| row.ok())
        .filter(|(stamp, _)| reviewed_through.as_ref().is_none_or(|through| stamp > through))
        .filter_map(|(stamp, value)| serde_json::from_str::<Change>(&value).ok().map(|c| (stamp, c)))
        .collect();
    for (i, (_, newer)) in changes.iter().enumerate() {
        for (older_stamp, older) in &changes[i + 1..] {
            let saw_it = newer.seen.as_ref().is_some_and(|seen| seen >= older_stamp);
            if !saw_it && newer.details != older.details {
                return Ok(Some((newer.details.clone(), older.details.clone())));
            }
        }
    }
    Ok(None)
}

/// Settles the touched orders.
pub(super) fn settle(tx: &Transaction<'_>, touched: Touched, now: &str) -> Result<()> {
    let uids: std::collections::BTreeSet<String> = touched.into_iter().map(|(_, uid, _)| uid).collect();
    for uid in uids {
        settle_order(tx, &uid, now)?;
    }
    Ok(())
}

/// Brings an order to its newest details and buyer, creating it here the first time its details are known,
/// and flags it when two changes were made apart.
fn settle_order(tx: &Transaction<'_>, uid: &str, now: &str) -> Result<()> {
    let Some(Change { details: d, .. }) = newest(tx, ORDER, uid, DETAILS)?
        .and_then(|v| serde_json::from_value::<Change>(v).ok())
        .filter(|c| c.details.storable())
    else {
        tracing::debug!(order = uid, "a team change to an order this version cannot store");
        return Ok(());
    };
    let deleted_at = d.deleted.then_some(now);
    let found = match local_id(tx, ORDER, uid)? {
        Some(id) => Some(id),
        None => {
            let same: Option<i64> = tx
                .query_row(
                    "SELECT id FROM orders WHERE source = ?1 AND external_id = ?2",
                    params![d.source, d.external_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = same {
                name_row(tx, ORDER, id, uid)?;
            }
            same
        }
    };
    let id = match found {
        Some(id) => {
            tx.execute(
                "UPDATE orders SET status = ?2, amount_minor = ?3, refunded_minor = ?4,
                        deleted_at = CASE WHEN ?5 IS NULL THEN NULL ELSE coalesce(deleted_at, ?5) END
                  WHERE id = ?1",
                params![id, d.status, d.amount_minor, d.refunded_minor, deleted_at],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO orders (source, external_id, kind, refund_of, placed_at, status, currency, amount_minor,
                                     refunded_minor, email, phone, name, description, unmatched, created_at,
                                     deleted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'waiting', ?14, ?15)",
                params![
                    d.source,
                    d.external_id,
                    d.kind,
                    d.refund_of,
                    d.placed_at,
                    d.status,
                    d.currency,
                    d.amount_minor,
                    d.refunded_minor,
                    d.email,
                    d.phone,
                    d.name,
                    d.description,
                    now,
                    deleted_at
                ],
            )?;
            let id = tx.last_insert_rowid();
            name_row(tx, ORDER, id, uid)?;
            id
        }
    };
    let buyer = newest(tx, ORDER, uid, BUYER)?
        .and_then(|v| serde_json::from_value::<Buyer>(v).ok())
        .filter(|b| b.unmatched.as_deref().is_none_or(|u| ["waiting", "dismissed"].contains(&u)));
    if let Some(buyer) = buyer {
        let contact = match &buyer.contact {
            Some(c) => Some(local_contact(tx, &resolve(tx, c)?, now)?),
            None => None,
        };
        tx.execute(
            "UPDATE orders SET contact_id = ?2, unmatched = ?3 WHERE id = ?1",
            params![id, contact, buyer.unmatched],
        )?;
        if let Some(c) = contact {
            crate::contacts::refresh_last_touch(tx, c)?;
        }
    }
    let conflicted = conflict(tx, uid)?.is_some();
    tx.execute("UPDATE orders SET needs_review = ?2 WHERE id = ?1", params![id, conflicted])?;
    Ok(())
}
