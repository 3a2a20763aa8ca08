//! Contacts: create, read, edit, delete and restore; tags, notes, activities, follow-ups and
//! keep-in-touch; the list, search and the reconnect list.

use earshot_store::activities::{self, Activity, ActivityInput, NewActivity};
use earshot_store::channels::{Email, Identity, Phone};
use earshot_store::contacts::{self as store_contacts, Contact, ContactInput, ContactPage, ContactSummary, Reconnect};
use earshot_store::notes::{self, Note};
use earshot_store::tags::{self, TagCount};
use earshot_store::tasks::{self, Task};
use earshot_store::{search, settings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

/// The contact page: the contact and its timeline.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ContactDetail {
    pub contact: Contact,
    pub notes: Vec<Note>,
    pub activities: Vec<Activity>,
    pub tasks: Vec<Task>,
    /// What they said that Earshot heard, newest first.
    pub mentions: Vec<earshot_store::mentions::Mention>,
}

/// One contact in `earshot contacts list --json` and the JSON export. Stable: fields are only added.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub identities: Vec<Identity>,
    pub tags: Vec<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub birthday: Option<String>,
    #[ts(type = "number | null")]
    pub keep_in_touch_days: Option<i64>,
    pub last_touch_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Lifetime value in the workspace currency (margin on net revenue - service cost + forward estimate);
    /// null until values have been computed.
    pub lifetime_value: Option<f64>,
    /// Lifetime influence, 0-100 percentile within the workspace.
    pub lifetime_influence: Option<u8>,
    /// Lifetime activity: recency-weighted contributions.
    pub lifetime_activity: Option<f64>,
    /// champion, big_spender, voice or everyone.
    pub segment: Option<String>,
}

impl From<Contact> for ContactRecord {
    fn from(c: Contact) -> Self {
        ContactRecord {
            id: c.id,
            name: c.display_name,
            given_name: c.given_name,
            family_name: c.family_name,
            organization: c.organization,
            title: c.title,
            emails: c.emails,
            phones: c.phones,
            identities: c.identities,
            tags: c.tags,
            city: c.city,
            website: c.website,
            birthday: c.birthday,
            keep_in_touch_days: c.keep_in_touch_days,
            last_touch_at: c.last_touch_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
            lifetime_value: None,
            lifetime_influence: None,
            lifetime_activity: None,
            segment: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct TaskInput {
    pub title: String,
    /// RFC 3339; a follow-up without a date is allowed.
    pub due_at: Option<String>,
}

fn checked(input: &ContactInput) -> Result<earshot_core::ContactDraft, ApiError> {
    let draft = input.to_draft();
    for e in &draft.emails {
        if !e.address.trim().is_empty() && !earshot_core::text::looks_like_email(&e.address) {
            return Err(ApiError::invalid(format!("\"{}\" is not an email address", e.address.trim())));
        }
    }
    if let Some(site) = draft.website.as_deref().filter(|w| !w.trim().is_empty()) {
        earshot_core::url_safety::safe_external_url(site).map_err(|e| ApiError::invalid(format!("website: {e}")))?;
    }
    draft.normalized().ok_or_else(|| ApiError::invalid("a contact needs a name, an organization, an email or a phone"))
}

pub fn contact_create(ctx: &Ctx, input: &ContactInput) -> Result<Contact, ApiError> {
    let draft = checked(input)?;
    let now = ctx.now_text();
    let id = ctx.store.write(|tx| store_contacts::insert(tx, &draft, None, &now))?;
    Ok(ctx.store.read(|c| store_contacts::get(c, id))?)
}

pub fn contact_update(ctx: &Ctx, id: i64, input: &ContactInput) -> Result<Contact, ApiError> {
    let draft = checked(input)?;
    let now = ctx.now_text();
    ctx.store.write(|tx| store_contacts::update(tx, id, &draft, &now))?;
    Ok(ctx.store.read(|c| store_contacts::get(c, id))?)
}

/// Changes some of a contact's fields, named as the command line names them (`name`, `given_name`,
/// `family_name`, `organization`, `title`, `city`, `website`, `birthday`); an empty value clears an optional
/// one. Everything else about the contact stays.
pub fn contact_edit_fields(ctx: &Ctx, id: i64, changes: &[(String, String)]) -> Result<Contact, ApiError> {
    let c = ctx.store.read(|conn| store_contacts::get(conn, id))?;
    let mut input = ContactInput {
        given_name: c.given_name,
        family_name: c.family_name,
        display_name: c.display_name,
        organization: c.organization,
        title: c.title,
        city: c.city,
        website: c.website,
        birthday: c.birthday,
        emails: c.emails,
        phones: c.phones,
        identities: c.identities,
        tags: c.tags,
    };
    let optional = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    // A list field takes every value, comma-separated; an empty value clears it.
    let list = |v: &str| v.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect::<Vec<_>>();
    for (field, value) in changes {
        match field.as_str() {
            "name" | "display_name" => input.display_name = value.trim().to_string(),
            "given_name" => input.given_name = value.trim().to_string(),
            "family_name" => input.family_name = value.trim().to_string(),
            "organization" => input.organization = optional(value),
            "title" => input.title = optional(value),
            "city" => input.city = optional(value),
            "website" => input.website = optional(value),
            "birthday" => input.birthday = optional(value),
            "email" | "emails" => {
                input.emails = list(value).into_iter().map(|address| Email { address, label: None }).collect()
            }
            "phone" | "phones" => {
                input.phones = list(value).into_iter().map(|number| Phone { number, label: None }).collect()
            }
            "tags" => input.tags = list(value),
            other => {
                return Err(ApiError::invalid(format!(
                    "\"{other}\" is not a contact field Earshot edits this way; use name, given_name, family_name, \
                     organization, title, city, website, birthday, emails, phones or tags"
                )))
            }
        }
    }
    contact_update(ctx, id, &input)
}

/// The contact's photo as a data URL, asked for only where it is shown.
pub fn contact_photo(ctx: &Ctx, id: i64) -> Result<Option<String>, ApiError> {
    Ok(ctx.store.read(|c| store_contacts::photo_url(c, id))?)
}

pub fn contact_get(ctx: &Ctx, id: i64) -> Result<ContactDetail, ApiError> {
    Ok(ctx.store.read(|c| {
        Ok(ContactDetail {
            contact: store_contacts::get(c, id)?,
            notes: notes::of_contact(c, id)?,
            activities: activities::of_contact(c, id)?,
            tasks: tasks::of_contact(c, id)?,
            mentions: earshot_store::inbox::page(
                c,
                &earshot_store::inbox::InboxFilter {
                    state: Some("all".into()),
                    contact_id: Some(id),
                    sort: Some("newest".into()),
                    limit: Some(100),
                    ..Default::default()
                },
                "",
            )?,
        })
    })?)
}

/// Moves a contact to the deleted list; [`contact_restore`] undoes it.
pub fn contact_delete(ctx: &Ctx, id: i64) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| store_contacts::soft_delete(tx, id, &now))?)
}

pub fn contact_restore(ctx: &Ctx, id: i64) -> Result<Contact, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| store_contacts::restore(tx, id, &now))?;
    Ok(ctx.store.read(|c| store_contacts::get(c, id))?)
}

pub fn contacts_page(ctx: &Ctx, offset: i64, limit: i64, tag: Option<&str>) -> Result<ContactPage, ApiError> {
    Ok(ctx.store.read(|c| store_contacts::page(c, offset, limit, tag.filter(|t| !t.is_empty())))?)
}

pub fn contacts_search(ctx: &Ctx, query: &str, limit: i64) -> Result<Vec<ContactSummary>, ApiError> {
    Ok(ctx.store.read(|c| {
        let ids = search::contacts(c, query, limit)?;
        store_contacts::summaries(c, &ids)
    })?)
}

/// Every live contact with all its fields, in name order.
/// Every live contact with its value as last computed (see `value::values_refresh`).
pub fn contacts_all(ctx: &Ctx) -> Result<Vec<ContactRecord>, ApiError> {
    Ok(ctx.store.read(|c| {
        let ids = store_contacts::live_ids(c)?;
        let values = earshot_store::value::cached(c, &ids)?;
        let currency = earshot_store::settings::currency(c)?;
        ids.into_iter()
            .map(|id| {
                let mut record = ContactRecord::from(store_contacts::get(c, id)?);
                if let Some(v) = values.get(&id) {
                    record.lifetime_value = Some(earshot_core::money::to_major(v.lifetime_value_minor, &currency));
                    record.lifetime_influence = Some(v.lifetime_influence);
                    record.lifetime_activity = Some(v.lifetime_activity);
                    record.segment = Some(v.segment.clone());
                }
                Ok(record)
            })
            .collect()
    })?)
}

pub fn tags_list(ctx: &Ctx) -> Result<Vec<TagCount>, ApiError> {
    Ok(ctx.store.read(tags::all)?)
}

pub fn contact_tag(ctx: &Ctx, id: i64, tag: &str, on: bool) -> Result<Vec<String>, ApiError> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(ApiError::invalid("a tag needs a name"));
    }
    ctx.store.write(|tx| {
        store_contacts::ensure_live(tx, id)?;
        if on {
            tags::add(tx, id, tag, None)?;
        } else {
            tags::remove(tx, id, tag)?;
        }
        search::reindex(tx, id)
    })?;
    Ok(ctx.store.read(|c| tags::of_contact(c, id))?)
}

pub fn note_add(ctx: &Ctx, contact_id: i64, body: &str) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| notes::add(tx, contact_id, body, &now))?)
}

pub fn note_edit(ctx: &Ctx, id: i64, body: &str) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| notes::edit(tx, id, body, &now))?)
}

/// Deletes (`deleted = true`) or restores a note.
pub fn note_delete(ctx: &Ctx, id: i64, deleted: bool) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| notes::set_deleted(tx, id, deleted, &now))?)
}

/// Logs a call, visit, purchase...; it counts as a touch for keep-in-touch.
pub fn activity_log(ctx: &Ctx, contact_id: i64, input: &ActivityInput) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    let currency = ctx.store.read(settings::currency)?;
    let activity = NewActivity::from_input(input, &now, &currency)?;
    Ok(ctx.store.write(|tx| activities::add(tx, contact_id, &activity, &now))?)
}

pub fn activity_delete(ctx: &Ctx, id: i64, deleted: bool) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| activities::set_deleted(tx, id, deleted, &now))?)
}

pub fn task_add(ctx: &Ctx, contact_id: i64, input: &TaskInput) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| tasks::add(tx, contact_id, &input.title, input.due_at.as_deref(), &now))?)
}

pub fn task_done(ctx: &Ctx, id: i64, done: bool) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| tasks::set_done(tx, id, done, &now))?)
}

pub fn task_delete(ctx: &Ctx, id: i64, deleted: bool) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| tasks::set_deleted(tx, id, deleted, &now))?)
}

/// Open follow-ups, soonest first.
pub fn tasks_open(ctx: &Ctx) -> Result<Vec<Task>, ApiError> {
    Ok(ctx.store.read(|c| tasks::open_due(c, None))?)
}

/// Sets (or clears, with `None`) how often to keep in touch, in days.
pub fn keep_in_touch_set(ctx: &Ctx, contact_id: i64, days: Option<i64>) -> Result<Contact, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| store_contacts::set_keep_in_touch(tx, contact_id, days, &now))?;
    Ok(ctx.store.read(|c| store_contacts::get(c, contact_id))?)
}

pub fn reconnect_list(ctx: &Ctx) -> Result<Vec<Reconnect>, ApiError> {
    let now = ctx.now();
    Ok(ctx.store.read(|c| store_contacts::reconnect(c, now))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    fn input(name: &str, email: &str) -> ContactInput {
        ContactInput {
            display_name: name.into(),
            emails: vec![Email { address: email.into(), label: None }],
            ..Default::default()
        }
    }

    #[test]
    fn a_new_contact_is_found_by_search_at_once() {
        let (_d, ctx) = ctx();
        let c = contact_create(&ctx, &input("Zoë Martin", "zoe@example.com")).unwrap();
        let found = contacts_search(&ctx, "zoe mar", 10).unwrap();
        assert_eq!(found[0].id, c.id);
    }

    #[test]
    fn editing_some_fields_keeps_the_others_and_lists_take_every_comma_separated_value() {
        let (_d, ctx) = ctx();
        let c = contact_create(&ctx, &input("Ann Lee", "ann@old.example")).unwrap();
        let set = |field: &str, value: &str| (field.to_string(), value.to_string());
        let changes = [set("city", "Leeds"), set("emails", "ann@lee.example, ann@shop.example"), set("tags", "vip")];
        let edited = contact_edit_fields(&ctx, c.id, &changes).unwrap();
        let emails: Vec<&str> = edited.emails.iter().map(|e| e.address.as_str()).collect();
        assert_eq!(emails, ["ann@lee.example", "ann@shop.example"]);
        assert_eq!((edited.display_name.as_str(), edited.city.as_deref()), ("Ann Lee", Some("Leeds")));
        assert_eq!(edited.tags, ["vip"]);
        let cleared = contact_edit_fields(&ctx, c.id, &[set("city", ""), set("phones", "")]).unwrap();
        assert_eq!((cleared.city, cleared.emails.len()), (None, 2));
        let err = contact_edit_fields(&ctx, c.id, &[set("colour", "red")]).unwrap_err();
        assert!(err.message.contains("\"colour\" is not a contact field") && err.message.contains("emails"));
    }

    #[test]
    fn bad_input_is_refused_with_a_message_naming_it() {
        let (_d, ctx) = ctx();
        let err = contact_create(&ctx, &input("Ann", "not an email")).unwrap_err();
        assert_eq!(err.code, crate::ApiErrorCode::InvalidInput);
        assert!(err.message.contains("not an email"));
        let err = contact_create(&ctx, &ContactInput::default()).unwrap_err();
        assert!(err.message.contains("needs a name"));
        let mut bad_site = input("Ann", "ann@x.example");
        bad_site.website = Some("javascript:alert(1)".into());
        assert!(contact_create(&ctx, &bad_site).is_err());
    }

    #[test]
    fn a_purchase_is_kept_as_an_exact_amount() {
        let (_d, ctx) = ctx();
        let c = contact_create(&ctx, &input("Ann", "ann@x.example")).unwrap();
        let purchase = ActivityInput {
            kind: earshot_core::ActivityKind::Purchase,
            summary: "Helmet".into(),
            occurred_at: None,
            amount: Some("59.90".into()),
            cost: None,
            currency: Some("eur".into()),
        };
        activity_log(&ctx, c.id, &purchase).unwrap();
        let detail = contact_get(&ctx, c.id).unwrap();
        assert_eq!(detail.activities[0].amount.as_deref(), Some("59.90"));
        assert_eq!(detail.activities[0].currency.as_deref(), Some("EUR"));
        assert_eq!(detail.contact.last_touch_at.as_deref(), Some("2026-11-25T12:00:00Z"));
        let bad = serde_json::from_value::<ActivityInput>(serde_json::json!({
            "kind": "tweet", "summary": "x", "occurred_at": null, "amount": null, "cost": null, "currency": null
        }));
        assert!(bad.unwrap_err().to_string().contains("tweet"), "an unknown kind is refused, naming it");
    }

    #[test]
    fn a_deleted_contact_can_be_restored_with_everything() {
        let (_d, ctx) = ctx();
        let c = contact_create(&ctx, &input("Ann", "ann@x.example")).unwrap();
        note_add(&ctx, c.id, "Prefers mornings").unwrap();
        task_add(&ctx, c.id, &TaskInput { title: "Call".into(), due_at: Some("2026-11-26T09:00:00Z".into()) }).unwrap();
        contact_delete(&ctx, c.id).unwrap();
        assert!(contacts_search(&ctx, "ann", 5).unwrap().is_empty());
        assert!(tasks_open(&ctx).unwrap().is_empty(), "a deleted contact's follow-ups leave the list");
        contact_restore(&ctx, c.id).unwrap();
        let detail = contact_get(&ctx, c.id).unwrap();
        assert_eq!(detail.notes.len(), 1);
        assert_eq!(tasks_open(&ctx).unwrap().len(), 1);
    }
}
