//! Earshot's local store: one SQLite file per workspace.
//!
//! Invariants: one writer connection (behind a mutex) and a few read-only connections; every write runs in
//! a `BEGIN IMMEDIATE` transaction through [`Store::write`]; migrations are embedded, numbered and
//! forward-only, and a database newer than the app is refused; the full-text index holds live contacts only
//! and is refreshed in the same transaction as any write that changes what it indexes ([`search::reindex`]).
//!
//! The store persists; it does not judge. What an arriving item is worth is read before the write
//! ([`arrivals::plan`]), assessed by pure code in `earshot-core`, and only stored here ([`mentions::ingest`]).
//! Closed sets (source kinds, mention states…) are `earshot-core` enums stored as text without a `CHECK`,
//! read back with their parser so an unknown name is an error naming it.
//!
//! While the workspace is shared with a team ([`team`]), a write to a shared field also records the change
//! for the team in the same transaction; a field that joins the team is recorded where it is written and
//! settled in [`team`]'s `settle`.
//!
//! To add a table: add a numbered file under `migrations/` (never edit a shipped one), list it in
//! [`migrations::MIGRATIONS`], and give it a module with its row type, reads and writes, and tests. Foreign
//! keys are off while a migration runs (so a table others refer to can be rebuilt) and every reference is
//! checked before it commits.

pub mod activities;
pub mod arrivals;
pub mod cases;
pub mod channels;
pub mod checkpoint;
pub mod contacts;
pub mod conversation;
pub mod db;
pub mod followers;
pub mod imports;
pub mod inbox;
pub mod listening_queries;
pub mod mentions;
pub mod merges;
pub mod metrics;
pub mod migrations;
pub mod notes;
pub mod nps;
pub mod orders;
pub mod organizations;
pub mod outbox;
pub mod people;
pub mod rescoring;
pub mod rules;
pub mod sales_digest;
pub mod search;
pub mod settings;
pub mod sources;
pub mod tags;
pub mod tasks;
pub mod team;
pub mod triage;
pub mod untangle;
pub mod value;

pub use db::{OpenOptions, Store};
pub use rusqlite::{self, Connection};

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot use the database file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the database {path} was written by a newer version of Earshot (schema {found}, this version knows {known}); update Earshot to open it")]
    NewerSchema { path: String, found: i64, known: i64 },
    #[error("the database {path} failed its integrity check after an unclean shutdown: {detail}. Restore a backup from {backups}")]
    Corrupt { path: String, detail: String, backups: String },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Timestamps are stored as RFC 3339 UTC text with seconds, so they sort as text.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A column holding one name of a closed set (`SourceKind`, `MentionState`…), read as its enum; a name this
/// version does not know is an error naming the column's value, never a silent default.
pub(crate) fn named<T: std::str::FromStr<Err = String>>(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    text.parse()
        .map_err(|e: String| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into()))
}

pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    stored_timestamp(s).or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)))
}

/// The shape [`timestamp`] writes ("2026-01-31T14:05:09Z"), read without a general parser: the metrics read
/// hundreds of thousands of these at a time.
fn stored_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc())
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn stored_and_foreign_timestamps_read_the_same_instant() {
        let t = parse_timestamp("2026-01-31T14:05:09Z").unwrap();
        assert_eq!(timestamp(t), "2026-01-31T14:05:09Z");
        assert_eq!(parse_timestamp("2026-01-31T15:05:09+01:00"), Some(t));
        assert_eq!(parse_timestamp("2026-02-30T14:05:09Z"), None);
        assert_eq!(parse_timestamp("2026-01-31T14:05:0xZ"), None);
    }
}
