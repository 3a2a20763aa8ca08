//! Taking apart contacts that an earlier import merged from several people (colleagues on one
//! switchboard, a couple on one landline): the write that gives a separated person back what they brought.
//! Which contact a record's emails and phones landed on is the import `Matcher`'s to say; which records are
//! which person is `earshot_core::same_person`'s decision.

use earshot_core::same_person::Separated;
use earshot_core::{ContactDraft, PhoneDraft};
use rusqlite::{params, Transaction};

use crate::{contacts, search, Result};

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
