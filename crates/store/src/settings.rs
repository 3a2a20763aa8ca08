//! Workspace settings as key/value text: the business name, its currency, whether the first-run choice
//! was made.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::Result;

pub const CURRENCY: &str = "currency";
pub const BUSINESS_NAME: &str = "business_name";
pub const WORKSPACE_KIND: &str = "workspace_kind";
/// "done" or "skipped" once the owner has answered the guided start of an empty workspace.
pub const GUIDED_START: &str = "guided_start";
/// "off" turns desktop notifications of urgent mentions off (on by default).
pub const NOTIFY_URGENT: &str = "notify_urgent";
/// "off" hides the count of urgent mentions on the tray icon (shown by default).
pub const TRAY_BADGE: &str = "tray_badge";
/// JSON of `earshot_core::value::ValueSettings`: margin, service costs, weights (defaults when absent).
pub const VALUE_SETTINGS: &str = "value_settings";
/// JSON of `earshot_core::hours::OpeningHours` (every minute counts when absent).
pub const OPENING_HOURS: &str = "opening_hours";
/// IANA time zone of the shop ("Europe/Paris"); the computer's zone when absent.
pub const TIME_ZONE: &str = "time_zone";
/// When `contact_values` was last rebuilt.
pub const VALUES_COMPUTED_AT: &str = "values_computed_at";
/// JSON array of the handles, names and profile addresses the owner listed as their own: posts by them are
/// the owner's own activity, never mentions.
pub const OWN_HANDLES: &str = "own_handles";
/// The newest mention already considered for a notification.
pub const NOTIFIED_UP_TO: &str = "notified_up_to";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

pub fn all(conn: &Connection) -> Result<std::collections::BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The workspace currency (ISO 4217), USD until the owner sets one.
pub fn currency(conn: &Connection) -> Result<String> {
    Ok(get(conn, CURRENCY)?.unwrap_or_else(|| "USD".to_string()))
}
