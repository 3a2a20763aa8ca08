//! Contacts: the people in the book. Soft-deleted rows stay (with `deleted_at`) until the owner empties
//! them, so every delete can be undone; merged contacts point at the contact they were merged into.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use earshot_core::{cadence, text, ContactDraft};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::channels::{self, Email, Identity, Phone};
use crate::{organizations, parse_timestamp, search, tags, Result, StoreError};

/// A contact as the owner types it in the app: every field but notes and the photo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ContactInput {
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub birthday: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub identities: Vec<Identity>,
    pub tags: Vec<String>,
}

impl ContactInput {
    pub fn to_draft(&self) -> ContactDraft {
        ContactDraft {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            display_name: self.display_name.clone(),
            organization: self.organization.clone(),
            title: self.title.clone(),
            city: self.city.clone(),
            website: self.website.clone(),
            birthday: self.birthday.clone(),
            emails: self.emails.iter().map(Into::into).collect(),
            phones: self.phones.iter().map(Into::into).collect(),
            identities: self.identities.iter().map(Into::into).collect(),
            tags: self.tags.clone(),
            notes: Vec::new(),
            photo: None,
        }
    }
}

/// One line of the contacts list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
}

/// Everything on the contact page except the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Contact {
    #[ts(type = "number")]
    pub id: i64,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub birthday: Option<String>,
    /// Whether the contact has a photo; the picture itself comes from [`photo_url`], so a contact record
    /// stays small however large its photo is.
    pub has_photo: bool,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub identities: Vec<Identity>,
    pub tags: Vec<String>,
    #[ts(type = "number | null")]
    pub keep_in_touch_days: Option<i64>,
    pub last_touch_at: Option<String>,
    pub next_touch_due: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    #[ts(type = "number | null")]
    pub merged_into_id: Option<i64>,
}

/// A window of the contacts list, for a virtualised list that fetches as it scrolls.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactPage {
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub offset: i64,
    pub rows: Vec<ContactSummary>,
}

/// A contact whose keep-in-touch cadence has run out.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Reconnect {
    pub contact: ContactSummary,
    #[ts(type = "number")]
    pub keep_in_touch_days: i64,
    pub last_touch_at: Option<String>,
    pub due_at: String,
    #[ts(type = "number")]
    pub days_overdue: i64,
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.display_name, o.name, c.title,
        (SELECT address FROM emails WHERE contact_id = c.id ORDER BY id LIMIT 1),
        (SELECT number FROM phones WHERE contact_id = c.id ORDER BY id LIMIT 1),
        (SELECT group_concat(t.name, char(31)) FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id)
   FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id";

fn summary_row(r: &Row<'_>) -> rusqlite::Result<ContactSummary> {
    let tags: Option<String> = r.get(6)?;
    let mut tags: Vec<String> = tags.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default();
    tags.sort_by_key(|t| text::fold(t));
    Ok(ContactSummary {
        id: r.get(0)?,
        display_name: r.get(1)?,
        organization: r.get(2)?,
        title: r.get(3)?,
        email: r.get(4)?,
        phone: r.get(5)?,
        tags,
    })
}

/// Inserts a new contact with all its parts, and indexes it.
pub fn insert(tx: &Transaction<'_>, d: &ContactDraft, import_id: Option<i64>, now: &str) -> Result<i64> {
    let org = organizations::ensure(tx, d.organization.as_deref(), now)?;
    tx.prepare_cached(
        "INSERT INTO contacts (given_name, family_name, display_name, sort_key, organization_id, title, city, website,
                               birthday, photo, photo_mime, created_at, updated_at, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
    )?
    .execute(params![
        d.given_name,
        d.family_name,
        d.display_name,
        text::fold(&d.display_name),
        org,
        d.title,
        d.city,
        d.website,
        d.birthday,
        d.photo.as_ref().map(|p| &p.bytes),
        d.photo.as_ref().map(|p| &p.mime),
        now,
        import_id,
    ])?;
    let id = tx.last_insert_rowid();
    channels::add_all(tx, id, &d.emails, &d.phones, &d.identities, import_id)?;
    for t in &d.tags {
        tags::add(tx, id, t, import_id)?;
    }
    for n in &d.notes {
        crate::notes::insert(tx, id, n, now, import_id)?;
    }
    search::index_new(tx, id, d)?;
    crate::team::record_contact(tx, id, None, d, now)?;
    Ok(id)
}

/// Saves an edit from the contact page: names, organization and the other fields, emails, phones,
/// identities and tags are replaced by what the owner typed. Notes, photo and history are untouched.
pub fn update(tx: &Transaction<'_>, id: i64, d: &ContactDraft, now: &str) -> Result<()> {
    ensure_live(tx, id)?;
    let before = if crate::team::is_shared(tx)? { Some(draft_of(tx, id)?) } else { None };
    let org = organizations::ensure(tx, d.organization.as_deref(), now)?;
    tx.execute(
        "UPDATE contacts SET given_name = ?2, family_name = ?3, display_name = ?4, sort_key = ?5, organization_id = ?6,
                title = ?7, city = ?8, website = ?9, birthday = ?10, updated_at = ?11
          WHERE id = ?1",
        params![
            id,
            d.given_name,
            d.family_name,
            d.display_name,
            text::fold(&d.display_name),
            org,
            d.title,
            d.city,
            d.website,
            d.birthday,
            now
        ],
    )?;
    channels::replace_all(tx, id, &d.emails, &d.phones, &d.identities)?;
    let current = tags::of_contact(tx, id)?;
    let wanted: std::collections::HashSet<String> = d.tags.iter().map(|t| text::fold(t)).collect();
    for t in current.iter().filter(|t| !wanted.contains(&text::fold(t))) {
        tags::remove(tx, id, t)?;
    }
    for t in &d.tags {
        tags::add(tx, id, t, None)?;
    }
    if let Some(before) = &before {
        crate::team::record_contact(tx, id, Some(before), d, now)?;
    }
    search::reindex(tx, id)
}

pub fn ensure_live(conn: &Connection, id: i64) -> Result<()> {
    let live: Option<bool> = conn
        .prepare_cached("SELECT deleted_at IS NULL FROM contacts WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match live {
        Some(true) => Ok(()),
        Some(false) => Err(StoreError::Invalid(format!("contact {id} is deleted; restore it first"))),
        None => Err(StoreError::NotFound { what: "contact", id }),
    }
}

pub fn set_keep_in_touch(tx: &Transaction<'_>, id: i64, days: Option<i64>, now: &str) -> Result<()> {
    ensure_live(tx, id)?;
    if days.is_some_and(|d| d <= 0) {
        return Err(StoreError::Invalid("a keep-in-touch cadence is a number of days above zero".into()));
    }
    tx.execute(
        "UPDATE contacts SET keep_in_touch_days = ?2,
                keep_in_touch_since = CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(keep_in_touch_since, ?3) END,
                updated_at = ?3
          WHERE id = ?1",
        params![id, days, now],
    )?;
    Ok(())
}

/// Recomputes the last touch from the contact's activities and paid purchases (any activity is a touch,
/// and so is buying something).
pub fn refresh_last_touch(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE contacts SET last_touch_at = (SELECT max(t) FROM (
             SELECT max(occurred_at) AS t FROM activities WHERE contact_id = ?1 AND deleted_at IS NULL
             UNION ALL
             SELECT max(placed_at) FROM orders
              WHERE contact_id = ?1 AND kind = 'sale' AND status = 'paid' AND deleted_at IS NULL))
          WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

pub fn soft_delete(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    ensure_live(tx, id)?;
    tx.execute("UPDATE contacts SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![id, now])?;
    crate::team::record_contact_deleted(tx, id, true, now)?;
    search::remove(tx, id)
}

pub fn restore(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let n = tx.execute(
        "UPDATE contacts SET deleted_at = NULL, merged_into_id = NULL, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NOT NULL",
        params![id, now],
    )?;
    if n == 0 {
        ensure_live(tx, id)?; // NotFound for a missing id; restoring a live contact is a no-op
    } else {
        crate::team::record_contact_deleted(tx, id, false, now)?;
    }
    search::reindex(tx, id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Contact> {
    let row = conn
        .prepare_cached(
            "SELECT c.id, c.given_name, c.family_name, c.display_name, o.name, c.title, c.city, c.website, c.birthday,
                    c.photo IS NOT NULL AND c.photo_mime IS NOT NULL, NULL, c.keep_in_touch_days, c.keep_in_touch_since, c.last_touch_at,
                    c.created_at, c.updated_at, c.deleted_at, c.merged_into_id
               FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id WHERE c.id = ?1",
        )?
        .query_row([id], |r| {
            let has_photo: bool = r.get(9)?;
            let keep: Option<i64> = r.get(11)?;
            let since: Option<String> = r.get(12)?;
            let last: Option<String> = r.get(13)?;
            let next_touch_due = keep.and_then(|days| {
                let set_at = since.as_deref().and_then(parse_timestamp)?;
                let due = cadence::next_touch_due(days, last.as_deref().and_then(parse_timestamp), set_at);
                Some(crate::timestamp(due))
            });
            Ok(Contact {
                id: r.get(0)?,
                given_name: r.get(1)?,
                family_name: r.get(2)?,
                display_name: r.get(3)?,
                organization: r.get(4)?,
                title: r.get(5)?,
                city: r.get(6)?,
                website: r.get(7)?,
                birthday: r.get(8)?,
                has_photo,
                emails: Vec::new(),
                phones: Vec::new(),
                identities: Vec::new(),
                tags: Vec::new(),
                keep_in_touch_days: keep,
                last_touch_at: last,
                next_touch_due,
                created_at: r.get(14)?,
                updated_at: r.get(15)?,
                deleted_at: r.get(16)?,
                merged_into_id: r.get(17)?,
            })
        })
        .optional()?
        .ok_or(StoreError::NotFound { what: "contact", id })?;
    Ok(Contact {
        emails: channels::emails_of(conn, id)?,
        phones: channels::phones_of(conn, id)?,
        identities: channels::identities_of(conn, id)?,
        tags: tags::of_contact(conn, id)?,
        ..row
    })
}

/// A window of live contacts in name order, optionally only those with a tag.
pub fn page(conn: &Connection, offset: i64, limit: i64, tag: Option<&str>) -> Result<ContactPage> {
    let (limit, offset) = (limit.clamp(0, 1000), offset.max(0));
    // Ids first (walking the name index; for a tag, sorting just the tagged contacts), then the summaries
    // of just those rows.
    let (total, ids): (i64, Vec<i64>) = match tag {
        None => {
            let total = conn
                .prepare_cached("SELECT count(*) FROM contacts WHERE deleted_at IS NULL")?
                .query_row([], |r| r.get(0))?;
            let ids = conn
                .prepare_cached(
                    "SELECT id FROM contacts INDEXED BY contacts_live_sort WHERE deleted_at IS NULL
                      ORDER BY sort_key, id LIMIT ?1 OFFSET ?2",
                )?
                .query_map(params![limit, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (total, ids)
        }
        Some(tag) => {
            let tag_id: Option<i64> = conn
                .prepare_cached("SELECT id FROM tags WHERE name_key = ?1")?
                .query_row([text::fold(tag)], |r| r.get(0))
                .optional()?;
            let Some(tag_id) = tag_id else { return Ok(ContactPage { total: 0, offset, rows: Vec::new() }) };
            let total = conn
                .prepare_cached(
                    "SELECT count(*) FROM contact_tags ct JOIN contacts c ON c.id = ct.contact_id
                      WHERE ct.tag_id = ?1 AND c.deleted_at IS NULL",
                )?
                .query_row([tag_id], |r| r.get(0))?;
            let ids = conn
                .prepare_cached(
                    "SELECT c.id FROM contact_tags ct JOIN contacts c ON c.id = ct.contact_id
                      WHERE ct.tag_id = ?1 AND c.deleted_at IS NULL
                      ORDER BY c.sort_key, c.id LIMIT ?2 OFFSET ?3",
                )?
                .query_map(params![tag_id, limit, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (total, ids)
        }
    };
    Ok(ContactPage { total, offset, rows: summaries(conn, &ids)? })
}

/// Summaries of the given contacts, in the order given (search results keep their rank).
pub fn summaries(conn: &Connection, ids: &[i64]) -> Result<Vec<ContactSummary>> {
    let mut stmt = conn.prepare_cached(&format!("{SUMMARY_SELECT} WHERE c.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = stmt.query_row([id], summary_row).optional()? {
            out.push(s);
        }
    }
    Ok(out)
}

pub fn live_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM contacts WHERE deleted_at IS NULL ORDER BY sort_key, id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The contact's photo as a `data:image/...;base64,` URL (the type was checked when it was stored), if it
/// has one.
pub fn photo_url(conn: &Connection, id: i64) -> Result<Option<String>> {
    let (bytes, mime): (Option<Vec<u8>>, Option<String>) = conn
        .query_row("SELECT photo, photo_mime FROM contacts WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound { what: "contact", id })?;
    Ok(bytes
        .zip(mime)
        .map(|(bytes, mime)| format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))))
}

/// The contact as a draft (for export): every field, channel, tag and note.
pub fn draft_of(conn: &Connection, id: i64) -> Result<ContactDraft> {
    let c = get(conn, id)?;
    let photo: Option<(Vec<u8>, String)> = conn
        .query_row("SELECT photo, photo_mime FROM contacts WHERE id = ?1 AND photo IS NOT NULL", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(ContactDraft {
        given_name: c.given_name,
        family_name: c.family_name,
        display_name: c.display_name,
        organization: c.organization,
        title: c.title,
        city: c.city,
        website: c.website,
        birthday: c.birthday,
        emails: c.emails.iter().map(Into::into).collect(),
        phones: c.phones.iter().map(Into::into).collect(),
        identities: c.identities.iter().map(Into::into).collect(),
        tags: c.tags,
        notes: crate::notes::of_contact(conn, id)?.into_iter().map(|n| n.body).collect(),
        photo: photo.map(|(bytes, mime)| earshot_core::Photo { mime, bytes }),
    })
}

/// Contacts whose keep-in-touch cadence has run out at `now`, most overdue first.
pub fn reconnect(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Reconnect>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.keep_in_touch_days, c.keep_in_touch_since, c.last_touch_at FROM contacts c
          WHERE c.deleted_at IS NULL AND c.keep_in_touch_days IS NOT NULL",
    )?;
    let candidates: Vec<(i64, i64, Option<String>, Option<String>)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut due = Vec::new();
    for (id, days, since, last) in candidates {
        let set_at = since.as_deref().and_then(parse_timestamp).unwrap_or(now);
        let due_at = cadence::next_touch_due(days, last.as_deref().and_then(parse_timestamp), set_at);
        let overdue = cadence::days_overdue(due_at, now);
        if due_at <= now {
            due.push((id, days, last, due_at, overdue));
        }
    }
    due.sort_by_key(|d| std::cmp::Reverse(d.4));
    let ids: Vec<i64> = due.iter().map(|d| d.0).collect();
    let summaries = summaries(conn, &ids)?;
    Ok(summaries
        .into_iter()
        .zip(due)
        .map(|(contact, (_, days, last, due_at, overdue))| Reconnect {
            contact,
            keep_in_touch_days: days,
            last_touch_at: last,
            due_at: crate::timestamp(due_at),
            days_overdue: overdue,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store, NOW};

    #[test]
    fn a_created_contact_reads_back_with_all_its_parts() {
        let (_dir, store) = store();
        let mut d = person("Zoë Martin", Some("zoe@example.com"));
        d.organization = Some("Spokes".into());
        d.tags = vec!["VIP".into()];
        d.notes = vec!["Likes gravel".into()];
        let id = store.write(|tx| insert(tx, &d, None, NOW)).unwrap();
        let c = store.read(|conn| get(conn, id)).unwrap();
        assert_eq!(c.display_name, "Zoë Martin");
        assert_eq!(c.organization.as_deref(), Some("Spokes"));
        assert_eq!(c.emails[0].address, "zoe@example.com");
        assert_eq!(c.tags, vec!["VIP"]);
    }

    #[test]
    fn a_photo_travels_on_its_own_not_inside_every_contact_record() {
        let (_dir, store) = store();
        let mut d = person("Ann Lee", None);
        d.photo = Some(earshot_core::Photo { mime: "image/png".into(), bytes: vec![7; 300_000] });
        let with = store.write(|tx| insert(tx, &d, None, NOW)).unwrap();
        let without = store.write(|tx| insert(tx, &person("Bo Ray", None), None, NOW)).unwrap();
        let c = store.read(|conn| get(conn, with)).unwrap();
        assert!(c.has_photo);
        assert!(serde_json::to_string(&c).unwrap().len() < 2_000, "the record carries no picture");
        let url = store.read(|conn| photo_url(conn, with)).unwrap().unwrap();
        assert!(url.starts_with("data:image/png;base64,BwcH"), "{}", &url[..40]);
        assert!(!store.read(|conn| get(conn, without)).unwrap().has_photo);
        assert_eq!(store.read(|conn| photo_url(conn, without)).unwrap(), None);
        assert!(matches!(store.read(|conn| photo_url(conn, 9_999)), Err(StoreError::NotFound { .. })));
    }

    #[test]
    fn deleting_hides_the_contact_and_restoring_brings_it_back() {
        let (_dir, store) = store();
        let id = store.write(|tx| insert(tx, &person("Ann", None), None, NOW)).unwrap();
        store.write(|tx| soft_delete(tx, id, NOW)).unwrap();
        assert_eq!(store.read(|c| page(c, 0, 50, None)).unwrap().total, 0);
        assert!(store.read(|c| crate::search::contacts(c, "ann", 10)).unwrap().is_empty());
        store.write(|tx| restore(tx, id, NOW)).unwrap();
        assert_eq!(store.read(|c| page(c, 0, 50, None)).unwrap().total, 1);
        assert_eq!(store.read(|c| crate::search::contacts(c, "ann", 10)).unwrap(), vec![id]);
    }

    #[test]
    fn editing_replaces_fields_channels_and_tags() {
        let (_dir, store) = store();
        let mut d = person("Ann", Some("ann@old.example"));
        d.tags = vec!["old".into()];
        let id = store.write(|tx| insert(tx, &d, None, NOW)).unwrap();
        let mut edited = person("Ann Lee", Some("ann@new.example"));
        edited.tags = vec!["new".into()];
        edited.title = Some("Owner".into());
        store.write(|tx| update(tx, id, &edited, NOW)).unwrap();
        let c = store.read(|conn| get(conn, id)).unwrap();
        assert_eq!(c.display_name, "Ann Lee");
        assert_eq!(c.emails.len(), 1);
        assert_eq!(c.emails[0].address, "ann@new.example");
        assert_eq!(c.tags, vec!["new"]);
        assert_eq!(store.read(|c| crate::search::contacts(c, "new.example", 10)).unwrap(), vec![id]);
        assert!(store.read(|c| crate::search::contacts(c, "old.example", 10)).unwrap().is_empty());
    }

    #[test]
    fn a_logged_touch_takes_a_contact_off_the_reconnect_list() {
        let (_dir, store) = store();
        let id = store.write(|tx| insert(tx, &person("Ann", None), None, "2026-01-01T00:00:00Z")).unwrap();
        store.write(|tx| set_keep_in_touch(tx, id, Some(30), "2026-01-01T00:00:00Z")).unwrap();
        let now = crate::parse_timestamp(NOW).unwrap();
        let due = store.read(|c| reconnect(c, now)).unwrap();
        assert_eq!(due.len(), 1);
        assert!(due[0].days_overdue > 250);
        let call = crate::activities::NewActivity::from_input(
            &crate::activities::ActivityInput {
                kind: earshot_core::ActivityKind::Call,
                summary: "Checked in".into(),
                occurred_at: Some("2026-11-20T10:00:00Z".into()),
                amount: None,
                cost: None,
                currency: None,
            },
            NOW,
            "USD",
        )
        .unwrap();
        store.write(|tx| crate::activities::add(tx, id, &call, NOW)).unwrap();
        assert!(store.read(|c| reconnect(c, now)).unwrap().is_empty());
        let c = store.read(|conn| get(conn, id)).unwrap();
        assert_eq!(c.next_touch_due.as_deref(), Some("2026-12-20T10:00:00Z"));
    }

    #[test]
    fn the_list_filters_by_tag_and_pages_in_name_order() {
        let (_dir, store) = store();
        store
            .write(|tx| {
                for (i, name) in ["Cleo", "ann", "Bea", "Ábel"].iter().enumerate() {
                    let mut d = person(name, None);
                    if i % 2 == 0 {
                        d.tags = vec!["club".into()];
                    }
                    insert(tx, &d, None, NOW)?;
                }
                Ok(())
            })
            .unwrap();
        let all = store.read(|c| page(c, 0, 10, None)).unwrap();
        let names: Vec<_> = all.rows.iter().map(|r| r.display_name.as_str()).collect();
        assert_eq!(names, vec!["Ábel", "ann", "Bea", "Cleo"]);
        let club = store.read(|c| page(c, 0, 10, Some("CLUB"))).unwrap();
        assert_eq!(club.total, 2);
        let second = store.read(|c| page(c, 2, 1, None)).unwrap();
        assert_eq!(second.rows[0].display_name, "Bea");
    }

    #[test]
    fn search_finds_accented_names_by_prefix_and_ranks_names_first() {
        let (_dir, store) = store();
        let (zoe, noted) = store
            .write(|tx| {
                let zoe = insert(tx, &person("Zoë Ångström", None), None, NOW)?;
                let mut other = person("Bob", None);
                other.notes = vec!["met zoe at the race".into()];
                let noted = insert(tx, &other, None, NOW)?;
                Ok((zoe, noted))
            })
            .unwrap();
        assert_eq!(store.read(|c| crate::search::contacts(c, "zoe", 10)).unwrap(), vec![zoe, noted]);
        assert_eq!(store.read(|c| crate::search::contacts(c, "ZO ang", 10)).unwrap(), vec![zoe]);
        assert!(store.read(|c| crate::search::contacts(c, "zoey", 10)).unwrap().is_empty());
    }
}
