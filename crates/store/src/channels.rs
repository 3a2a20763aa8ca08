//! How to reach someone: emails, phones and social identities. Each is unique per contact by its key
//! (folded email, phone digits, network + handle), and indexed by key so imports and mention authors can
//! find the contact they belong to.

use earshot_core::text::{email_key, handle_key, phone_key};
use earshot_core::{EmailDraft, IdentityDraft, PhoneDraft};
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Email {
    pub address: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Phone {
    pub number: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Identity {
    pub network: String,
    pub handle: String,
    pub profile_url: Option<String>,
    #[ts(type = "number | null")]
    pub follower_count: Option<i64>,
}

impl From<&Email> for EmailDraft {
    fn from(e: &Email) -> Self {
        EmailDraft { address: e.address.clone(), label: e.label.clone() }
    }
}
impl From<&Phone> for PhoneDraft {
    fn from(p: &Phone) -> Self {
        PhoneDraft { number: p.number.clone(), label: p.label.clone() }
    }
}
impl From<&Identity> for IdentityDraft {
    fn from(i: &Identity) -> Self {
        IdentityDraft {
            network: i.network.clone(),
            handle: i.handle.clone(),
            profile_url: i.profile_url.clone(),
            follower_count: i.follower_count,
        }
    }
}

/// Adds an email unless the contact already has it; returns whether it was added.
pub fn add_email(tx: &Transaction<'_>, contact_id: i64, e: &EmailDraft, import_id: Option<i64>) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO emails (contact_id, address, address_key, label, import_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![contact_id, e.address, email_key(&e.address), e.label, import_id])?;
    Ok(n > 0)
}

pub fn add_phone(tx: &Transaction<'_>, contact_id: i64, p: &PhoneDraft, import_id: Option<i64>) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO phones (contact_id, number, number_key, label, import_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![contact_id, p.number, phone_key(&p.number), p.label, import_id])?;
    Ok(n > 0)
}

pub fn add_identity(tx: &Transaction<'_>, contact_id: i64, i: &IdentityDraft, import_id: Option<i64>) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO identities (contact_id, network, handle, handle_key, profile_url, follower_count, import_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![contact_id, i.network, i.handle, handle_key(&i.handle), i.profile_url, i.follower_count, import_id])?;
    Ok(n > 0)
}

/// Adds emails, phones and identities a contact does not have yet.
pub fn add_all(
    tx: &Transaction<'_>,
    contact_id: i64,
    emails: &[EmailDraft],
    phones: &[PhoneDraft],
    identities: &[IdentityDraft],
    import_id: Option<i64>,
) -> Result<()> {
    for e in emails {
        add_email(tx, contact_id, e, import_id)?;
    }
    for p in phones {
        add_phone(tx, contact_id, p, import_id)?;
    }
    for i in identities {
        add_identity(tx, contact_id, i, import_id)?;
    }
    Ok(())
}

/// Replaces a contact's emails, phones and identities with the given lists (an edit from the contact page).
pub fn replace_all(
    tx: &Transaction<'_>,
    contact_id: i64,
    emails: &[EmailDraft],
    phones: &[PhoneDraft],
    identities: &[IdentityDraft],
) -> Result<()> {
    tx.execute("DELETE FROM emails WHERE contact_id = ?1", [contact_id])?;
    tx.execute("DELETE FROM phones WHERE contact_id = ?1", [contact_id])?;
    tx.execute("DELETE FROM identities WHERE contact_id = ?1", [contact_id])?;
    add_all(tx, contact_id, emails, phones, identities, None)
}

pub fn emails_of(conn: &Connection, contact_id: i64) -> Result<Vec<Email>> {
    let mut stmt = conn.prepare_cached("SELECT address, label FROM emails WHERE contact_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([contact_id], |r| Ok(Email { address: r.get(0)?, label: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn phones_of(conn: &Connection, contact_id: i64) -> Result<Vec<Phone>> {
    let mut stmt = conn.prepare_cached("SELECT number, label FROM phones WHERE contact_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([contact_id], |r| Ok(Phone { number: r.get(0)?, label: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn identities_of(conn: &Connection, contact_id: i64) -> Result<Vec<Identity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT network, handle, profile_url, follower_count FROM identities WHERE contact_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        Ok(Identity { network: r.get(0)?, handle: r.get(1)?, profile_url: r.get(2)?, follower_count: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
