//! Activities: calls, emails, meetings, visits, social touches, services and purchases. Each one is a touch
//! that resets the contact's keep-in-touch clock; money is kept in minor units with its currency. A purchase
//! or a service with an amount is also an order (see `orders`), which is where customer value reads money
//! from.

use earshot_core::ActivityKind;
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{contacts, orders, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub summary: String,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<String>,
    /// A decimal amount as typed ("12.50"), in `currency`.
    pub amount: Option<String>,
    pub cost: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Activity {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: ActivityKind,
    pub summary: String,
    pub occurred_at: String,
    /// Decimal text, exact ("1299.00").
    pub amount: Option<String>,
    pub cost: Option<String>,
    pub currency: Option<String>,
}

/// A validated activity ready to store.
pub struct NewActivity {
    pub kind: ActivityKind,
    pub summary: String,
    pub occurred_at: String,
    pub amount_minor: Option<i64>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
}

impl NewActivity {
    /// Checks an activity typed by the owner; `default_currency` is the workspace's.
    pub fn from_input(input: &ActivityInput, now: &str, default_currency: &str) -> Result<NewActivity> {
        let kind = input.kind;
        let occurred_at = match input.occurred_at.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => crate::timestamp(crate::parse_timestamp(s).ok_or_else(|| {
                StoreError::Invalid(format!("\"{s}\" is not a date and time (expected e.g. 2026-11-25T09:30:00Z)"))
            })?),
            None => now.to_string(),
        };
        let currency = input
            .currency
            .as_deref()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| default_currency.to_string());
        let money = |v: &Option<String>, what: &str| -> Result<Option<i64>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => earshot_core::money::parse_minor(s, &currency)
                    .map(Some)
                    .map_err(|e| StoreError::Invalid(format!("{what}: {e}"))),
                None => Ok(None),
            }
        };
        let amount_minor = money(&input.amount, "amount")?;
        let cost_minor = money(&input.cost, "cost")?;
        let has_money = amount_minor.is_some() || cost_minor.is_some();
        Ok(NewActivity {
            kind,
            summary: input.summary.trim().to_string(),
            occurred_at,
            amount_minor,
            cost_minor,
            currency: has_money.then_some(currency),
        })
    }
}

/// Adds an activity the owner (or an import) recorded on a live contact.
pub fn add(tx: &Transaction<'_>, contact_id: i64, a: &NewActivity, now: &str) -> Result<i64> {
    contacts::ensure_live(tx, contact_id)?;
    let id = store(tx, contact_id, a, now)?;
    crate::team::record_activity_written(tx, id, contact_id, a, now)?;
    Ok(id)
}

/// Stores an activity with its order, if it is one, and refreshes the contact's last touch.
pub(crate) fn store(tx: &Transaction<'_>, contact_id: i64, a: &NewActivity, now: &str) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO activities (contact_id, kind, summary, occurred_at, amount_minor, cost_minor, currency, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        contact_id,
        a.kind.as_str(),
        a.summary,
        a.occurred_at,
        a.amount_minor,
        a.cost_minor,
        a.currency,
        now
    ])?;
    let id = tx.last_insert_rowid();
    // Money paid for a purchase or a service is revenue.
    if matches!(a.kind, ActivityKind::Purchase | ActivityKind::Service) && a.amount_minor.is_some() {
        orders::record_manual(tx, id, contact_id, a, now)?;
    }
    contacts::refresh_last_touch(tx, contact_id)?;
    Ok(id)
}

pub fn set_deleted(tx: &Transaction<'_>, id: i64, deleted: bool, now: &str) -> Result<()> {
    let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM activities WHERE id = ?1)", [id], |r| r.get(0))?;
    if !exists {
        return Err(StoreError::NotFound { what: "activity", id });
    }
    mark_deleted(tx, id, deleted.then_some(now))?;
    crate::team::record_activity_deleted(tx, id, deleted, now)
}

/// Deletes an activity (with its order) as of `deleted_at`, or brings it back with `None`; an activity
/// already deleted keeps the time it was deleted.
pub(crate) fn mark_deleted(tx: &Transaction<'_>, id: i64, deleted_at: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE activities SET deleted_at = CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(deleted_at, ?2) END
          WHERE id = ?1",
        params![id, deleted_at],
    )?;
    orders::follow_activity(tx, id, deleted_at)?;
    let contact_id: i64 = tx.query_row("SELECT contact_id FROM activities WHERE id = ?1", [id], |r| r.get(0))?;
    contacts::refresh_last_touch(tx, contact_id)
}

pub fn of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<Activity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, summary, occurred_at, amount_minor, cost_minor, currency FROM activities
          WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        let currency: Option<String> = r.get(6)?;
        let fmt = |v: Option<i64>| v.zip(currency.as_deref()).map(|(v, c)| earshot_core::money::format_minor(v, c));
        Ok(Activity {
            id: r.get(0)?,
            kind: crate::named(r, 1)?,
            summary: r.get(2)?,
            occurred_at: r.get(3)?,
            amount: fmt(r.get(4)?),
            cost: fmt(r.get(5)?),
            currency: currency.clone(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
