//! Taking apart contacts that an earlier import merged from several people (colleagues on one
//! switchboard, a couple on one landline): the reads that find which contact a record's emails and phones
//! landed on, and the write that gives a separated person back what they brought. Which records are which
//! person is `earshot_core::same_person`'s decision.

use earshot_core::same_person::{PersonName, Separated};
use earshot_core::{ContactDraft, PhoneDraft};
use rusqlite::{params, Connection, Transaction};

use crate::{contacts, search, Result};

/// The live contacts holding any of these emails, then any of these phones (as compared keys), each once,
/// with their names.
pub fn holders(conn: &Connection, email_keys: &[String], phone_keys: &[String]) -> Result<Vec<(i64, PersonName)>> {
    let mut found: Vec<(i64, PersonName)> = Vec::new();
    let mut by_email = conn.prepare_cached(
        "SELECT c.id, c.given_name, c.family_name, c.display_name FROM emails t JOIN contacts c ON c.id = t.contact_id
          WHERE t.address_key = ?1 AND c.deleted_at IS NULL ORDER BY c.id",
    )?;
    let mut by_phone = conn.prepare_cached(
        "SELECT c.id, c.given_name, c.family_name, c.display_name FROM phones t JOIN contacts c ON c.id = t.contact_id
          WHERE t.number_key = ?1 AND c.deleted_at IS NULL ORDER BY c.id",
    )?;
    for key in email_keys {
        collect(&mut by_email, key, &mut found)?;
    }
    for key in phone_keys {
        collect(&mut by_phone, key, &mut found)?;
    }
    Ok(found)
}

fn collect(stmt: &mut rusqlite::CachedStatement<'_>, key: &str, found: &mut Vec<(i64, PersonName)>) -> Result<()> {
    let rows = stmt.query_map([key], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            PersonName::new(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?, &r.get::<_, String>(3)?),
        ))
    })?;
    for row in rows {
        let (id, name) = row?;
        if !found.iter().any(|(known, _)| *known == id) {
            found.push((id, name));
        }
    }
    Ok(())
}

/// Makes `person` a contact of their own, out of contact `from`: their emails and the phones they alone
/// brought move to them, the phones they shared are copied. Returns the new contact's id.
pub fn separate(tx: &Transaction<'_>, from: i64, person: &Separated, now: &str) -> Result<i64> {
    let draft = ContactDraft {
        display_name: person.display_name.clone(),
        organization: person.organization.clone(),
        title: person.title.clone(),
        ..Default::default()
    };
    let id = contacts::insert(tx, &draft, None, now)?;
    let mut move_email =
        tx.prepare_cached("UPDATE emails SET contact_id = ?2 WHERE contact_id = ?1 AND address_key = ?3")?;
    for key in &person.emails {
        move_email.execute(params![from, id, key])?;
    }
    let mut move_phone =
        tx.prepare_cached("UPDATE phones SET contact_id = ?2 WHERE contact_id = ?1 AND number_key = ?3")?;
    for key in &person.phones_moved {
        move_phone.execute(params![from, id, key])?;
    }
    let mut number_of = tx.prepare_cached("SELECT number FROM phones WHERE contact_id = ?1 AND number_key = ?2")?;
    let shared: Vec<String> = person
        .phones_shared
        .iter()
        .filter_map(|key| number_of.query_row(params![from, key], |r| r.get(0)).ok())
        .collect();
    for number in shared {
        crate::channels::add_phone(tx, id, &PhoneDraft { number, label: Some("work".into()) }, None)?;
    }
    tx.execute("UPDATE contacts SET updated_at = ?2 WHERE id = ?1", params![from, now])?;
    search::reindex(tx, from)?;
    search::reindex(tx, id)?;
    Ok(id)
}
