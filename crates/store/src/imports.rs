//! Imports: each file read becomes an `imports` row. Records are matched to live contacts (same email,
//! handle or phone; same name at the same organization when the record has nothing else), so importing a
//! file twice adds nothing. New contacts and every part added to an existing contact carry the import's id,
//! so the whole import can be undone without touching what the owner added since.

use std::collections::HashMap;

use earshot_core::same_person::{self, PersonName};
use earshot_core::{text, ContactDraft, RecordError};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{channels, contacts, notes, organizations, search, tags, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportProblem {
    #[ts(type = "number")]
    pub line: i64,
    /// "error": the record was not imported; "warning": it was, without the value named.
    pub severity: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[ts(type = "number")]
    pub added: i64,
    #[ts(type = "number")]
    pub merged: i64,
    #[ts(type = "number")]
    pub unchanged: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    #[ts(type = "number")]
    pub warnings: i64,
    /// The first problems, by line (at most 1,000).
    pub problems: Vec<ImportProblem>,
    pub undone_at: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: i64,
    pub merged: i64,
    pub unchanged: i64,
}

/// Scalar fields an import may fill on an existing contact when they are empty.
const FILLABLE: [&str; 5] = ["title", "city", "website", "birthday", "organization_id"];

/// The writer's page cache while a file is stored: an import touches each page about once, so a large
/// cache would only hold memory (128 MB of it on a 600,000-row file).
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

/// Shrinks the writer's page cache for an import; [`end_import_cache`] gives it back.
pub fn begin_import_cache(tx: &Transaction<'_>) -> Result<()> {
    tx.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    Ok(())
}

pub fn end_import_cache(tx: &Transaction<'_>) -> Result<()> {
    tx.pragma_update(None, "cache_size", -crate::db::CACHE_KIB)?;
    tx.execute_batch("PRAGMA shrink_memory;")?;
    Ok(())
}

pub fn begin(tx: &Transaction<'_>, file_name: &str, format: &str, now: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO imports (file_name, format, started_at) VALUES (?1, ?2, ?3)",
        params![text::truncate_chars(file_name, 500), format, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Finds which live contact a record is, from keys held in memory: loaded once per import and kept up
/// to date as records are added, so a 100,000-row file costs no per-row lookups. The rules of who is the
/// same person are `earshot_core::same_person`'s: an email or a phone can be held by several contacts (a
/// switchboard, `info@`), and only the holder whose name is compatible is the same person.
///
/// Keys are held as 128-bit digests, not strings: a 600,000-contact workspace's keys fit in a fraction of
/// the memory, so an import's memory grows with its largest record rather than with the file.
#[derive(Debug, Default)]
pub struct Matcher {
    keyer: Keyer,
    emails: KeyMap<Key, Holders>,
    phones: KeyMap<Key, Holders>,
    /// (network, handle key).
    identities: KeyMap<Key, i64>,
    /// (folded name, folded organization) of contacts, for records with no email, phone or handle.
    names: KeyMap<Key, i64>,
    /// Folded name alone, for buyers known only by name; `None` when two people share it.
    names_only: KeyMap<Key, Option<i64>>,
    /// Each contact's name, as names are compared.
    people: KeyMap<i64, PersonName>,
    /// The contact that held each email first in this file: an address two differently-named people give
    /// is a shared one, however personal it looks.
    file_holders: KeyMap<Key, i64>,
}

/// The digest of a matching key (an email key, a phone key, a name and organization...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key(u64, u64);

/// Two independently seeded hashers make a [`Key`]: a chance collision among a million keys is about one
/// in 10^26, and the seeds change with every process, so no file can be crafted to collide.
#[derive(Debug, Default)]
struct Keyer(foldhash::quality::RandomState, foldhash::quality::RandomState);

impl Keyer {
    fn key(&self, parts: &[&str]) -> Key {
        use std::hash::BuildHasher;
        Key(self.0.hash_one(parts), self.1.hash_one(parts))
    }
}

/// The contacts holding one email or phone, oldest first: nearly always one, kept without an allocation.
#[derive(Debug, Clone)]
enum Holders {
    One(i64),
    Many(Vec<i64>),
}

impl Holders {
    fn ids(&self) -> &[i64] {
        match self {
            Holders::One(id) => std::slice::from_ref(id),
            Holders::Many(ids) => ids,
        }
    }
}

/// Hundreds of thousands of keys are hashed per import: a fast hasher, still seeded per process so a
/// crafted file cannot pile its keys into one bucket.
type KeyMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

fn hold(map: &mut KeyMap<Key, Holders>, key: Key, id: i64) {
    match map.entry(key) {
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(Holders::One(id));
        }
        std::collections::hash_map::Entry::Occupied(mut o) => {
            let holders = o.get_mut();
            if holders.ids().contains(&id) {
                return;
            }
            let mut ids = holders.ids().to_vec();
            ids.push(id);
            *holders = Holders::Many(ids);
        }
    }
}

impl Matcher {
    pub fn load(conn: &Connection) -> Result<Matcher> {
        let mut m = Matcher::default();
        let live = "JOIN contacts c ON c.id = t.contact_id AND c.deleted_at IS NULL";
        let mut stmt =
            conn.prepare(&format!("SELECT t.address_key, t.contact_id FROM emails t {live} ORDER BY t.contact_id"))?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (k, id) = row?;
            hold(&mut m.emails, m.keyer.key(&[&k]), id);
        }
        let mut stmt =
            conn.prepare(&format!("SELECT t.number_key, t.contact_id FROM phones t {live} ORDER BY t.contact_id"))?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (k, id) = row?;
            hold(&mut m.phones, m.keyer.key(&[&k]), id);
        }
        let mut stmt =
            conn.prepare(&format!("SELECT t.network, t.handle_key, t.contact_id FROM identities t {live}"))?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))? {
            let (network, handle, id) = row?;
            m.identities.entry(m.keyer.key(&[&network, &handle])).or_insert(id);
        }
        let mut stmt = conn.prepare(
            "SELECT c.sort_key, o.name_key, c.id, c.given_name, c.family_name, c.display_name
               FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id
              WHERE c.deleted_at IS NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (folded, organization, id): (String, Option<String>, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let text_at = |i: usize| r.get_ref(i).map(|v| v.as_str().unwrap_or_default());
            let name = PersonName::new(text_at(3)?, text_at(4)?, text_at(5)?);
            m.people.insert(id, name);
            m.learn_name_only(&folded, id);
            let key = m.name_key(&folded, organization.as_deref());
            m.names.entry(key).or_insert(id);
        }
        // The scan filled this connection's page cache with every contact; the keys are all that is needed.
        conn.execute_batch("PRAGMA shrink_memory;")?;
        Ok(m)
    }

    /// The key of (folded name, folded organization); "\u{0}" stands for no organization.
    fn name_key(&self, folded_name: &str, folded_organization: Option<&str>) -> Key {
        self.keyer.key(&[folded_name, folded_organization.unwrap_or("\u{0}")])
    }

    fn record_name_key(&self, folded_name: &str, d: &ContactDraft) -> Key {
        self.name_key(folded_name, d.organization.as_deref().map(text::fold).as_deref())
    }

    fn name_of(d: &ContactDraft) -> PersonName {
        PersonName::new(&d.given_name, &d.family_name, &d.display_name)
    }

    /// The contacts holding any of these emails, then any of these phones (as compared keys), each once,
    /// with their names.
    pub fn holders(&self, email_keys: &[String], phone_keys: &[String]) -> Vec<(i64, PersonName)> {
        let mut found: Vec<(i64, PersonName)> = Vec::new();
        let ids = email_keys
            .iter()
            .filter_map(|k| self.emails.get(&self.keyer.key(&[k])))
            .chain(phone_keys.iter().filter_map(|k| self.phones.get(&self.keyer.key(&[k]))))
            .flat_map(Holders::ids);
        for id in ids {
            if !found.iter().any(|(known, _)| known == id) {
                found.push((*id, self.people.get(id).cloned().unwrap_or_default()));
            }
        }
        found
    }

    /// The first holder whose name could be `name`'s.
    fn compatible_holder(&self, holders: &Holders, name: &PersonName) -> Option<i64> {
        holders.ids().iter().copied().find(|id| self.people.get(id).is_none_or(|p| p.compatible(name)))
    }

    /// Whether `address` is one person's: not a role's, and not given in this file by two people whose
    /// names differ.
    fn personal(&self, address: &str, key: &Key, name: &PersonName) -> bool {
        !same_person::is_role_address(address)
            && self
                .file_holders
                .get(key)
                .and_then(|first| self.people.get(first))
                .is_none_or(|first| first.compatible(name))
    }

    /// The contact this record is: the same personal email, then the same profile, then the same phone
    /// (or shared email) with a compatible name; by name (and organization) only when the record has none
    /// of those.
    pub fn find(&self, d: &ContactDraft) -> Option<i64> {
        let name = Self::name_of(d);
        let by_email = || {
            d.emails.iter().find_map(|e| {
                let key = self.keyer.key(&[&text::email_key(&e.address)]);
                let holders = self.emails.get(&key)?;
                if self.personal(&e.address, &key, &name) {
                    holders.ids().first().copied()
                } else {
                    self.compatible_holder(holders, &name)
                }
            })
        };
        let by_identity = || {
            d.identities.iter().find_map(|i| {
                self.identities.get(&self.keyer.key(&[&i.network, &text::handle_key(&i.handle)])).copied()
            })
        };
        let by_phone = || {
            d.phones
                .iter()
                .map(|p| text::phone_key(&p.number))
                .filter(|k| k.len() >= 6)
                .find_map(|k| self.compatible_holder(self.phones.get(&self.keyer.key(&[&k]))?, &name))
        };
        let nothing_else = d.emails.is_empty() && d.identities.is_empty() && d.phones.is_empty();
        by_email().or_else(by_identity).or_else(by_phone).or_else(|| {
            if nothing_else {
                self.names.get(&self.record_name_key(&text::fold(&d.display_name), d)).copied()
            } else {
                None
            }
        })
    }

    fn learn_name_only(&mut self, folded: &str, id: i64) {
        if folded.is_empty() {
            return;
        }
        self.names_only
            .entry(self.keyer.key(&[folded]))
            .and_modify(|known| {
                if *known != Some(id) {
                    *known = None;
                }
            })
            .or_insert(Some(id));
    }

    /// The contact a buyer (or survey respondent) is, by the same rules as [`Matcher::find`]: a personal
    /// email; a role address or a phone with a compatible name (a phone alone when only one contact has
    /// it); for a buyer known only by name, the one contact with that name (two people with the same name
    /// match neither).
    pub fn find_buyer(&self, email: Option<&str>, phone: Option<&str>, name: Option<&str>) -> Option<i64> {
        let person = PersonName::new("", "", name.unwrap_or_default());
        let by_email = || {
            let email = email?;
            let key = self.keyer.key(&[&text::email_key(email)]);
            let holders = self.emails.get(&key)?;
            if person.is_empty() && same_person::is_role_address(email) {
                return None;
            }
            if self.personal(email, &key, &person) {
                holders.ids().first().copied()
            } else {
                self.compatible_holder(holders, &person)
            }
        };
        let by_phone = || {
            let phone_key = phone.map(text::phone_key).filter(|k| k.len() >= 6)?;
            let holders = self.phones.get(&self.keyer.key(&[&phone_key]))?;
            if person.is_empty() {
                return match holders {
                    Holders::One(id) => Some(*id),
                    Holders::Many(_) => None,
                };
            }
            self.compatible_holder(holders, &person)
        };
        let by_name = || {
            if email.is_some() || phone.is_some() {
                return None;
            }
            name.and_then(|n| self.names_only.get(&self.keyer.key(&[&text::fold(n)])).copied().flatten())
        };
        by_email().or_else(by_phone).or_else(by_name)
    }

    /// Remembers a record's keys as belonging to `id` (after inserting or enriching it).
    pub fn learn(&mut self, id: i64, d: &ContactDraft) {
        let name = Self::name_of(d);
        for e in &d.emails {
            let key = self.keyer.key(&[&text::email_key(&e.address)]);
            self.file_holders.entry(key).or_insert(id);
            hold(&mut self.emails, key, id);
        }
        for p in &d.phones {
            let key = self.keyer.key(&[&text::phone_key(&p.number)]);
            hold(&mut self.phones, key, id);
        }
        for i in &d.identities {
            let key = self.keyer.key(&[&i.network, &text::handle_key(&i.handle)]);
            self.identities.entry(key).or_insert(id);
        }
        self.people.entry(id).or_insert(name);
        let folded_name = text::fold(&d.display_name);
        self.learn_name_only(&folded_name, id);
        let key = self.record_name_key(&folded_name, d);
        self.names.entry(key).or_insert(id);
    }
}

/// Adds what the record knows and the contact does not. Returns whether anything changed.
fn enrich(
    tx: &Transaction<'_>,
    id: i64,
    d: &ContactDraft,
    import_id: i64,
    now: &str,
    filled: &mut Vec<(i64, String)>,
) -> Result<bool> {
    let mut changed = false;
    for e in &d.emails {
        changed |= channels::add_email(tx, id, e, Some(import_id))?;
    }
    for p in &d.phones {
        changed |= channels::add_phone(tx, id, p, Some(import_id))?;
    }
    for i in &d.identities {
        changed |= channels::add_identity(tx, id, i, Some(import_id))?;
    }
    for t in &d.tags {
        changed |= tags::add(tx, id, t, Some(import_id))?;
    }
    if !d.notes.is_empty() {
        let existing: Vec<String> = notes::of_contact(tx, id)?.into_iter().map(|n| n.body).collect();
        for n in d.notes.iter().filter(|n| !existing.contains(n)) {
            notes::insert(tx, id, n, now, Some(import_id))?;
            changed = true;
        }
    }
    let org = organizations::ensure(tx, d.organization.as_deref(), now)?;
    let values: [Option<rusqlite::types::Value>; 5] = [
        d.title.clone().map(Into::into),
        d.city.clone().map(Into::into),
        d.website.clone().map(Into::into),
        d.birthday.clone().map(Into::into),
        org.map(Into::into),
    ];
    for (column, value) in FILLABLE.iter().zip(values) {
        let Some(value) = value else { continue };
        let n = tx
            .prepare_cached(&format!("UPDATE contacts SET {column} = ?2 WHERE id = ?1 AND {column} IS NULL"))?
            .execute(params![id, value])?;
        if n > 0 {
            filled.push((id, column.to_string()));
            changed = true;
        }
    }
    if changed {
        tx.prepare_cached("UPDATE contacts SET updated_at = ?2 WHERE id = ?1")?.execute(params![id, now])?;
        search::reindex(tx, id)?;
    }
    Ok(changed)
}

/// Applies a batch of parsed records; call it with chunks of a file, each in its own transaction.
pub fn apply(
    tx: &Transaction<'_>,
    import_id: i64,
    records: &[(u64, ContactDraft)],
    matcher: &mut Matcher,
    now: &str,
    filled: &mut Vec<(i64, String)>,
) -> Result<Counts> {
    let mut counts = Counts::default();
    for (_, d) in records {
        let id = match matcher.find(d) {
            Some(id) => {
                if enrich(tx, id, d, import_id, now, filled)? {
                    counts.merged += 1;
                } else {
                    counts.unchanged += 1;
                }
                id
            }
            None => {
                counts.added += 1;
                contacts::insert(tx, d, Some(import_id), now)?
            }
        };
        matcher.learn(id, d);
    }
    Ok(counts)
}

pub fn record_problems(
    tx: &Transaction<'_>,
    import_id: i64,
    errors: &[RecordError],
    warnings: &[RecordError],
) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO import_problems (import_id, line, severity, reason) VALUES (?1, ?2, ?3, ?4)")?;
    for (severity, list) in [("error", errors), ("warning", warnings)] {
        for p in list {
            stmt.execute(params![import_id, p.line as i64, severity, text::truncate_chars(&p.reason, 500)])?;
        }
    }
    Ok(())
}

pub fn finish(
    tx: &Transaction<'_>,
    import_id: i64,
    counts: Counts,
    rejected: i64,
    filled: &[(i64, String)],
    now: &str,
) -> Result<()> {
    let filled = serde_json::to_string(filled).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "UPDATE imports SET finished_at = ?2, added = added + ?3, merged = merged + ?4, unchanged = unchanged + ?5,
                rejected = ?6, filled = ?7 WHERE id = ?1",
        params![import_id, now, counts.added, counts.merged, counts.unchanged, rejected, filled],
    )?;
    Ok(())
}

/// Takes an import back: its new contacts go to the deleted list, the parts it added to existing contacts
/// are removed, the fields it filled are emptied again, and the orders and survey answers it added are deleted.
pub fn undo(tx: &Transaction<'_>, import_id: i64, now: &str) -> Result<()> {
    let (undone, filled): (Option<String>, String) = tx
        .query_row("SELECT undone_at, filled FROM imports WHERE id = ?1", [import_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound { what: "import", id: import_id })?;
    if undone.is_some() {
        return Err(StoreError::Invalid(format!("import {import_id} was already undone")));
    }
    let created: Vec<i64> = tx
        .prepare("SELECT id FROM contacts WHERE import_id = ?1 AND deleted_at IS NULL")?
        .query_map([import_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &created {
        tx.execute("UPDATE contacts SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![id, now])?;
        search::remove(tx, *id)?;
    }
    let mut touched: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for table in ["emails", "phones", "identities", "contact_tags", "notes"] {
        let ids: Vec<i64> = tx
            .prepare(&format!(
                "SELECT t.contact_id FROM {table} t JOIN contacts c ON c.id = t.contact_id
                  WHERE t.import_id = ?1 AND (c.import_id IS NOT ?1)"
            ))?
            .query_map([import_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        touched.extend(ids);
        tx.execute(
            &format!(
                "DELETE FROM {table} WHERE import_id = ?1
                   AND contact_id IN (SELECT id FROM contacts WHERE import_id IS NOT ?1)"
            ),
            [import_id],
        )?;
    }
    let filled: Vec<(i64, String)> = serde_json::from_str(&filled).unwrap_or_default();
    for (id, column) in filled.iter().filter(|(_, c)| FILLABLE.contains(&c.as_str())) {
        tx.execute(&format!("UPDATE contacts SET {column} = NULL WHERE id = ?1"), [id])?;
        touched.insert(*id);
    }
    for id in touched {
        search::reindex(tx, id)?;
    }
    let orders: Vec<i64> = tx
        .prepare("SELECT id FROM orders WHERE import_id = ?1 AND deleted_at IS NULL")?
        .query_map([import_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in ["orders", "nps_answers"] {
        tx.execute(
            &format!("UPDATE {table} SET deleted_at = ?2 WHERE import_id = ?1 AND deleted_at IS NULL"),
            params![import_id, now],
        )?;
    }
    for id in orders {
        crate::team::orders::record_details(tx, id, now)?;
    }
    tx.execute("UPDATE imports SET undone_at = ?2 WHERE id = ?1", params![import_id, now])?;
    Ok(())
}

pub fn get(conn: &Connection, import_id: i64) -> Result<ImportSummary> {
    let mut summary = conn
        .query_row(
            "SELECT id, file_name, format, started_at, finished_at, added, merged, unchanged, rejected, undone_at,
                    (SELECT count(*) FROM import_problems WHERE import_id = imports.id AND severity = 'warning')
               FROM imports WHERE id = ?1",
            [import_id],
            |r| {
                Ok(ImportSummary {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    format: r.get(2)?,
                    started_at: r.get(3)?,
                    finished_at: r.get(4)?,
                    added: r.get(5)?,
                    merged: r.get(6)?,
                    unchanged: r.get(7)?,
                    rejected: r.get(8)?,
                    undone_at: r.get(9)?,
                    warnings: r.get(10)?,
                    problems: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound { what: "import", id: import_id })?;
    let mut stmt = conn.prepare_cached(
        "SELECT line, severity, reason FROM import_problems WHERE import_id = ?1 ORDER BY line, id LIMIT 1000",
    )?;
    summary.problems = stmt
        .query_map([import_id], |r| Ok(ImportProblem { line: r.get(0)?, severity: r.get(1)?, reason: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(summary)
}

/// Past imports, newest first, without their problem lists.
pub fn list(conn: &Connection) -> Result<Vec<ImportSummary>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM imports ORDER BY id DESC LIMIT 100")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| get(conn, id).map(|s| ImportSummary { problems: Vec::new(), ..s })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store, NOW};

    fn run(store: &crate::Store, records: &[(u64, ContactDraft)]) -> (i64, Counts) {
        store
            .write(|tx| {
                let id = begin(tx, "f.csv", "csv", NOW)?;
                let mut filled = Vec::new();
                let mut matcher = Matcher::load(tx)?;
                let counts = apply(tx, id, records, &mut matcher, NOW, &mut filled)?;
                finish(tx, id, counts, 0, &filled, NOW)?;
                Ok((id, counts))
            })
            .unwrap()
    }

    #[test]
    fn importing_the_same_records_twice_adds_nothing() {
        let (_dir, store) = store();
        let mut named_only = person("Cleo Ray", None);
        named_only.organization = Some("Riverside".into());
        let records = vec![(2, person("Ann", Some("ann@x.example"))), (3, named_only)];
        let (_, first) = run(&store, &records);
        assert_eq!(first.added, 2);
        let (_, second) = run(&store, &records);
        assert_eq!(second, Counts { added: 0, merged: 0, unchanged: 2 });
        assert_eq!(store.read(|c| contacts::page(c, 0, 10, None)).unwrap().total, 2);
    }

    #[test]
    fn a_record_matching_by_email_adds_what_is_new() {
        let (_dir, store) = store();
        run(&store, &[(2, person("Ann", Some("ann@x.example")))]);
        let mut richer = person("Ann Lee", Some("ANN@x.example"));
        richer.title = Some("Owner".into());
        richer.phones = vec![earshot_core::PhoneDraft { number: "+1 555 0100".into(), label: None }];
        let (_, counts) = run(&store, &[(2, richer)]);
        assert_eq!(counts.merged, 1);
        let ids = store.read(contacts::live_ids).unwrap();
        let c = store.read(|conn| contacts::get(conn, ids[0])).unwrap();
        assert_eq!(c.title.as_deref(), Some("Owner"));
        assert_eq!(c.phones.len(), 1);
        assert_eq!(c.display_name, "Ann", "an import never renames an existing contact");
    }

    #[test]
    fn undoing_an_import_removes_what_it_added_and_keeps_the_rest() {
        let (_dir, store) = store();
        run(&store, &[(2, person("Ann", Some("ann@x.example")))]);
        let ann = store.read(contacts::live_ids).unwrap()[0];
        store.write(|tx| crate::notes::add(tx, ann, "Owner's own note", NOW)).unwrap();
        let mut richer = person("Ann", Some("ann@x.example"));
        richer.title = Some("Owner".into());
        richer.tags = vec!["imported".into()];
        let (import_id, _) = run(&store, &[(2, richer), (3, person("Bob", Some("bob@x.example")))]);
        assert_eq!(store.read(contacts::live_ids).unwrap().len(), 2);

        store.write(|tx| undo(tx, import_id, NOW)).unwrap();
        assert_eq!(store.read(contacts::live_ids).unwrap(), vec![ann]);
        let c = store.read(|conn| contacts::get(conn, ann)).unwrap();
        assert_eq!(c.title, None);
        assert!(c.tags.is_empty());
        assert_eq!(store.read(|conn| crate::notes::of_contact(conn, ann)).unwrap().len(), 1);
        assert!(store.read(|c| crate::search::contacts(c, "bob", 5)).unwrap().is_empty());
        assert!(store.write(|tx| undo(tx, import_id, NOW)).is_err(), "an import is undone once");
    }
}
