//! Triage: what happens to a mention when the owner decides on it (state, follow-up work, the triage log)
//! and takes a decision back (undo). What happens when it arrives is in [`crate::arrivals`], the owner's
//! rules in [`crate::rules`], what learning reads in [`crate::rescoring`].
//!
//! Every decision runs inside the caller's one transaction: the mention's state, the log row and the
//! follow-up rows (task, case, idea, contact) commit together or not at all. Undo restores the state saved
//! in the log and withdraws (soft-deletes) what the decision created; the log keeps both.

use chrono::{DateTime, Utc};
use earshot_core::triage::MentionState;
use earshot_core::triage::{self as rules, Decision};
use earshot_core::{ContactDraft, IdentityDraft};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{contacts, tasks, Result, StoreError};

/// What a decision changes on a mention and its contact, kept in the log to be restored by undo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Before {
    pub(crate) state: String,
    pub(crate) filed_as: Option<String>,
    pub(crate) snoozed_until: Option<String>,
    pub(crate) contact_id: Option<i64>,
    pub(crate) lead_stage: Option<String>,
    pub(crate) advocate_since: Option<String>,
}

/// Rows a decision created, withdrawn by undo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Created {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idea: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<i64>,
}

/// What one decision did, for the UI to say so.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Decided {
    #[ts(type = "number")]
    pub mention_id: i64,
    pub state: MentionState,
    pub filed_as: Option<String>,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    #[ts(type = "number | null")]
    pub task_id: Option<i64>,
    #[ts(type = "number | null")]
    pub case_id: Option<i64>,
    #[ts(type = "number | null")]
    pub idea_id: Option<i64>,
}

/// What undo took back.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Undone {
    #[ts(type = "number")]
    pub batch: i64,
    pub action: String,
    #[ts(type = "number[]")]
    pub mention_ids: Vec<i64>,
    /// Replies that had already gone out and so could not be taken back.
    #[ts(type = "number[]")]
    pub replies_already_sent: Vec<i64>,
}

/// Options of a decision; defaults are what a keystroke does.
#[derive(Debug, Clone, Default)]
pub struct DecisionOptions {
    /// When a lead's follow-up is due (default: tomorrow).
    pub due_at: Option<DateTime<Utc>>,
    /// When a snooze ends (default: tomorrow).
    pub until: Option<DateTime<Utc>>,
}

/// A fresh batch number: one keystroke over any number of mentions is one batch, undone together.
pub fn next_batch(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx.query_row("SELECT coalesce(max(batch), 0) + 1 FROM triage_log", [], |r| r.get(0))?)
}

pub(crate) struct Subject {
    text: String,
    title: Option<String>,
    urgency: f64,
    source_kind: String,
    pub(crate) author_name: Option<String>,
    pub(crate) author_handle: Option<String>,
    author_url: Option<String>,
    author_followers: Option<i64>,
    pub(crate) before: Before,
}

pub(crate) fn subject(tx: &Transaction<'_>, id: i64) -> Result<Subject> {
    tx.prepare_cached(
        "SELECT m.text, m.title, m.urgency, s.kind, m.author_name, m.author_handle, m.author_url,
                m.author_followers, m.state, m.filed_as, m.snoozed_until, m.contact_id, c.lead_stage,
                c.advocate_since
           FROM mentions m JOIN sources s ON s.id = m.source_id LEFT JOIN contacts c ON c.id = m.contact_id
          WHERE m.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Subject {
            text: r.get(0)?,
            title: r.get(1)?,
            urgency: r.get(2)?,
            source_kind: r.get(3)?,
            author_name: r.get(4)?,
            author_handle: r.get(5)?,
            author_url: r.get(6)?,
            author_followers: r.get(7)?,
            before: Before {
                state: r.get(8)?,
                filed_as: r.get(9)?,
                snoozed_until: r.get(10)?,
                contact_id: r.get(11)?,
                lead_stage: r.get(12)?,
                advocate_since: r.get(13)?,
            },
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound { what: "mention", id })
}

pub(crate) fn log(
    tx: &Transaction<'_>,
    batch: i64,
    mention_id: i64,
    action: &str,
    before: &Before,
    created: &Created,
    now: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO triage_log (batch, mention_id, action, before, created, at, member)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT member FROM team WHERE id = 1))",
    )?
    .execute(params![
        batch,
        mention_id,
        action,
        serde_json::to_string(before).expect("plain struct serializes"),
        serde_json::to_string(created).expect("plain struct serializes"),
        now
    ])?;
    let id = tx.last_insert_rowid();
    crate::team::heard::record_decided(tx, id, mention_id, now)?;
    Ok(id)
}

/// Applies one decision to a mention, with its follow-up work, and logs it in `batch`.
pub fn decide(
    tx: &Transaction<'_>,
    batch: i64,
    mention_id: i64,
    decision: Decision,
    options: &DecisionOptions,
    now: DateTime<Utc>,
) -> Result<Decided> {
    let at = crate::timestamp(now);
    let s = subject(tx, mention_id)?;
    let mut created = Created::default();
    let mut contact_id = s.before.contact_id;
    let summary = rules::snippet(s.title.as_deref().unwrap_or(&s.text), 120);
    match decision {
        Decision::Lead => {
            let id = match contact_id {
                Some(id) => id,
                None => {
                    let id = contact_from_author(tx, &s, &at)?;
                    created.contact = Some(id);
                    id
                }
            };
            contact_id = Some(id);
            tx.execute("UPDATE contacts SET lead_stage = coalesce(lead_stage, 'new') WHERE id = ?1", [id])?;
            let due = options.due_at.unwrap_or_else(|| rules::follow_up_due(now));
            let name = display_name(&s);
            let title = format!("Follow up with {name}: {summary}");
            created.task = Some(tasks::add(tx, id, &title, Some(&crate::timestamp(due)), &at)?);
        }
        Decision::Issue => {
            tx.execute(
                "INSERT INTO cases (mention_id, contact_id, title, priority, opened_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![mention_id, contact_id, summary, rules::case_priority(s.urgency), at],
            )?;
            created.case = Some(tx.last_insert_rowid());
        }
        Decision::Praise => {
            if let Some(id) = contact_id {
                tx.execute(
                    "UPDATE contacts SET advocate_since = coalesce(advocate_since, ?2) WHERE id = ?1",
                    params![id, at],
                )?;
            }
        }
        Decision::Idea => {
            tx.execute(
                "INSERT INTO ideas (mention_id, contact_id, text, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![mention_id, contact_id, rules::snippet(&s.text, 2000), at],
            )?;
            created.idea = Some(tx.last_insert_rowid());
        }
        Decision::Question | Decision::Done | Decision::Ignore | Decision::Snooze => {}
    }
    let (state, filed_as) = decision.state();
    let snoozed_until = (decision == Decision::Snooze)
        .then(|| crate::timestamp(options.until.unwrap_or_else(|| rules::default_snooze(now))));
    // A snooze puts an item off; anything else answers it, and starts nothing if it was answered before.
    tx.prepare_cached(
        "UPDATE mentions SET state = ?2, filed_as = ?3, snoozed_until = ?4, contact_id = ?5, decided_at = ?6,
                first_action_at = CASE WHEN ?7 THEN coalesce(first_action_at, ?6) ELSE first_action_at END
          WHERE id = ?1",
    )?
    .execute(params![
        mention_id,
        state.as_str(),
        filed_as,
        snoozed_until,
        contact_id,
        at,
        decision != Decision::Snooze
    ])?;
    let logged = log(tx, batch, mention_id, decision.as_str(), &s.before, &created, &at)?;
    if decision == Decision::Lead {
        // Who became a lead, on the log row itself: lead conversion reads the log without the mentions.
        tx.prepare_cached("UPDATE triage_log SET contact_id = ?2 WHERE id = ?1")?
            .execute(params![logged, contact_id])?;
    }
    Ok(Decided {
        mention_id,
        state: state.to_owned(),
        filed_as: filed_as.map(str::to_owned),
        contact_id,
        task_id: created.task,
        case_id: created.case,
        idea_id: created.idea,
    })
}

fn display_name(s: &Subject) -> String {
    s.author_name.clone().or_else(|| s.author_handle.clone()).unwrap_or_else(|| "the author".to_owned())
}

/// Creates a contact from a mention's author: name, handle on the source's network, profile link, reach.
fn contact_from_author(tx: &Transaction<'_>, s: &Subject, now: &str) -> Result<i64> {
    let network = rules::network_of(&s.source_kind).unwrap_or("web");
    let identities = s
        .author_handle
        .as_ref()
        .map(|h| IdentityDraft {
            network: network.to_owned(),
            handle: h.clone(),
            profile_url: s.author_url.clone(),
            follower_count: s.author_followers,
        })
        .into_iter()
        .collect();
    let draft = ContactDraft {
        display_name: display_name(s),
        website: if s.author_handle.is_none() { s.author_url.clone() } else { None },
        identities,
        ..Default::default()
    };
    let draft = draft
        .normalized()
        .ok_or_else(|| StoreError::Invalid("the author has no name or handle to make a contact from".into()))?;
    contacts::insert(tx, &draft, None, now)
}

/// Links a mention's author to an existing contact (and every other open mention by the same author on the
/// same network), logged in `batch`.
pub fn link(tx: &Transaction<'_>, batch: i64, mention_id: i64, contact_id: i64, now: DateTime<Utc>) -> Result<()> {
    contacts::ensure_live(tx, contact_id)?;
    let s = subject(tx, mention_id)?;
    let at = crate::timestamp(now);
    tx.execute("UPDATE mentions SET contact_id = ?2 WHERE id = ?1", params![mention_id, contact_id])?;
    log(tx, batch, mention_id, "link", &s.before, &Created::default(), &at).map(|_| ())
}

/// Creates a contact from the mention's author and links them, logged in `batch`. Returns the contact id.
pub fn create_contact(tx: &Transaction<'_>, batch: i64, mention_id: i64, now: DateTime<Utc>) -> Result<i64> {
    let s = subject(tx, mention_id)?;
    if let Some(id) = s.before.contact_id {
        return Err(StoreError::Invalid(format!("the author is already contact {id}")));
    }
    let at = crate::timestamp(now);
    let id = contact_from_author(tx, &s, &at)?;
    tx.execute("UPDATE mentions SET contact_id = ?2 WHERE id = ?1", params![mention_id, id])?;
    // The author's other mentions on the same network belong to the same person.
    if let Some(handle) = &s.author_handle {
        let others: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM mentions
                  WHERE contact_id IS NULL AND lower(author_handle) = lower(?1)
                    AND source_id IN (SELECT id FROM sources WHERE kind = ?2)",
            )?
            .query_map(params![handle, s.source_kind], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for other in others {
            tx.execute("UPDATE mentions SET contact_id = ?2 WHERE id = ?1", params![other, id])?;
            crate::team::heard::record_linked(tx, other, &at)?;
        }
    }
    log(tx, batch, mention_id, "create_contact", &s.before, &Created { contact: Some(id), ..Default::default() }, &at)?;
    Ok(id)
}

/// Logs that the owner answered a mention outside Earshot (in the browser): the mention is done and any
/// case it opened has its first response.
pub fn mark_replied(
    tx: &Transaction<'_>,
    batch: i64,
    mention_id: i64,
    outbox_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let action = if outbox_id.is_some() { "reply" } else { "replied" };
    answered(
        tx,
        batch,
        mention_id,
        action,
        &Created { outbox: outbox_id, ..Default::default() },
        &crate::timestamp(now),
    )
}

/// The owner answered mentions from their own account, as the network shows: a post of theirs whose parent
/// is `parent` (the mention's reply reference on `network`; on Mastodon, where references are the
/// instance's own ids, only mentions heard through `instance`). Each mention not yet answered gets its
/// response clock stopped at `at`, the time of that post. Logged as `own_reply`, which undo passes over: it
/// is something that happened, not a decision. Returns the mentions answered.
pub fn answered_by_owner(
    tx: &Transaction<'_>,
    network: &str,
    instance: &str,
    parent: &str,
    at: &str,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM mentions
              WHERE source_id IN (SELECT id FROM sources WHERE kind = ?1 AND (?1 != 'mastodon' OR url = ?2))
                AND reply_ref = ?3 AND first_reply_at IS NULL",
        )?
        .query_map(params![network, instance, parent], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        let batch = next_batch(tx)?;
        answered(tx, batch, *id, "own_reply", &Created::default(), at)?;
    }
    Ok(ids)
}

/// A mention answered at `at`: done unless it was filed, its case (if any) and its response clock stopped.
fn answered(
    tx: &Transaction<'_>,
    batch: i64,
    mention_id: i64,
    action: &str,
    created: &Created,
    at: &str,
) -> Result<()> {
    let s = subject(tx, mention_id)?;
    tx.execute(
        "UPDATE cases SET first_response_at = coalesce(first_response_at, ?2) WHERE mention_id = ?1 AND deleted_at IS NULL",
        params![mention_id, at],
    )?;
    tx.execute(
        "UPDATE mentions SET state = CASE WHEN state IN ('new', 'snoozed') THEN 'done' ELSE state END,
                snoozed_until = NULL, decided_at = ?2, first_action_at = coalesce(first_action_at, ?2),
                first_reply_at = coalesce(first_reply_at, ?2)
          WHERE id = ?1",
        params![mention_id, at],
    )?;
    log(tx, batch, mention_id, action, &s.before, created, at).map(|_| ())
}

/// Takes back the newest decision batch not yet undone. `None` when there is nothing to undo.
pub fn undo(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<Option<Undone>> {
    let batch: Option<i64> = tx.query_row(
        "SELECT max(batch) FROM triage_log
          WHERE undone_at IS NULL AND from_team = 0 AND action NOT IN ('undo', 'reopen', 'own_reply')",
        [],
        |r| r.get(0),
    )?;
    let Some(batch) = batch else { return Ok(None) };
    let at = crate::timestamp(now);
    let rows: Vec<(i64, Option<i64>, String, String, String)> = tx
        .prepare("SELECT id, mention_id, action, before, created FROM triage_log WHERE batch = ?1 ORDER BY id DESC")?
        .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut undone = Undone { batch, action: String::new(), mention_ids: Vec::new(), replies_already_sent: Vec::new() };
    for (log_id, mention_id, action, before, created) in rows {
        let before: Before = serde_json::from_str(&before).unwrap_or_default();
        let created: Created = serde_json::from_str(&created).unwrap_or_default();
        withdraw(tx, &created, &at, &mut undone)?;
        if let Some(mid) = mention_id {
            tx.execute(
                "UPDATE mentions SET state = ?2, filed_as = ?3, snoozed_until = ?4, contact_id = ?5 WHERE id = ?1",
                params![mid, before.state, before.filed_as, before.snoozed_until, before.contact_id],
            )?;
            if let Some(cid) = before.contact_id {
                tx.execute(
                    "UPDATE contacts SET lead_stage = ?2, advocate_since = ?3 WHERE id = ?1",
                    params![cid, before.lead_stage, before.advocate_since],
                )?;
            }
            undone.mention_ids.push(mid);
            log(tx, batch, mid, "undo", &Before::default(), &Created::default(), &at)?;
        }
        tx.execute("UPDATE triage_log SET undone_at = ?2 WHERE id = ?1", params![log_id, at])?;
        undone.action = action;
    }
    undone.mention_ids.reverse();
    // The response clock follows what is left; a reply that already went out still counts as answered.
    let mut clock = tx.prepare_cached(
        "UPDATE mentions SET
            first_action_at = (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = ?1 AND l.undone_at IS NULL
                                 AND l.action IN ('lead', 'issue', 'praise', 'idea', 'question', 'done', 'ignore', 'reply', 'replied',
                                                  'own_reply')),
            first_reply_at = (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = ?1 AND l.undone_at IS NULL
                                AND l.action IN ('reply', 'replied', 'own_reply'))
          WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE mention_id = ?1 AND state IN ('sending', 'sent'))",
    )?;
    for mid in &undone.mention_ids {
        clock.execute([mid])?;
    }
    Ok(Some(undone))
}

fn withdraw(tx: &Transaction<'_>, created: &Created, at: &str, undone: &mut Undone) -> Result<()> {
    if let Some(id) = created.task {
        tasks::set_deleted(tx, id, true, at)?;
    }
    if let Some(id) = created.case {
        tx.execute("UPDATE cases SET deleted_at = ?2 WHERE id = ?1", params![id, at])?;
    }
    if let Some(id) = created.idea {
        tx.execute("UPDATE ideas SET deleted_at = ?2 WHERE id = ?1", params![id, at])?;
    }
    if let Some(id) = created.rule {
        tx.execute("UPDATE triage_rules SET deleted_at = ?2 WHERE id = ?1", params![id, at])?;
    }
    if let Some(id) = created.outbox {
        let n =
            tx.execute("UPDATE outbox SET state = 'cancelled' WHERE id = ?1 AND state IN ('queued', 'failed')", [id])?;
        if n == 0 {
            undone.replies_already_sent.push(id);
        }
    }
    if let Some(id) = created.contact {
        let linked: Vec<i64> = tx
            .prepare_cached("SELECT id FROM mentions WHERE contact_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for mention in linked {
            tx.execute("UPDATE mentions SET contact_id = NULL WHERE id = ?1", [mention])?;
            crate::team::heard::record_linked(tx, mention, at)?;
        }
        // Deleted or merged meanwhile (by a teammate, say): nothing more to take back.
        if contacts::ensure_live(tx, id).is_ok() {
            contacts::soft_delete(tx, id, at)?;
        }
    }
    Ok(())
}

/// One decision on a mention, as the log shows it: what, when, and who (in a team).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LoggedDecision {
    pub action: String,
    pub at: String,
    /// The member who made it, when the workspace is shared.
    pub member: Option<String>,
    /// Made on another desktop of the team.
    pub from_team: bool,
    pub undone: bool,
}

/// The decisions on a mention, oldest first.
pub fn decisions_on(conn: &Connection, mention_id: i64) -> Result<Vec<LoggedDecision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT action, at, member, from_team, undone_at IS NOT NULL FROM triage_log WHERE mention_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([mention_id], |r| {
        Ok(LoggedDecision {
            action: r.get(0)?,
            at: r.get(1)?,
            member: r.get(2)?,
            from_team: r.get(3)?,
            undone: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a reply to a mention needs: its source kind and the item as the source sent it.
pub fn reply_context(conn: &Connection, mention_id: i64) -> Result<(String, Option<String>)> {
    conn.prepare_cached("SELECT s.kind, m.raw FROM mentions m JOIN sources s ON s.id = m.source_id WHERE m.id = ?1")?
        .query_row([mention_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound { what: "mention", id: mention_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::{self, InboxFilter};
    use crate::sources::{self, NewSource};
    use crate::test_support::{store, NOW};
    use crate::{listening_queries, mentions, Store};
    use earshot_core::mention::MentionAuthor;
    use earshot_core::mention::NewMention;

    fn now() -> DateTime<Utc> {
        crate::parse_timestamp(NOW).unwrap()
    }

    struct World {
        _dir: tempfile::TempDir,
        store: Store,
        source: i64,
        query: i64,
    }

    fn world() -> World {
        let (dir, store) = store();
        let (source, query) = store
            .write(|tx| {
                let s = NewSource {
                    kind: "mastodon",
                    name: "m",
                    url: "https://social.example",
                    config: "{}",
                    credential_id: None,
                };
                Ok((sources::add(tx, &s, NOW)?, listening_queries::add(tx, "brand", "spokes", NOW)?))
            })
            .unwrap();
        World { _dir: dir, store, source, query }
    }

    fn toot(id: &str, handle: &str, text: &str) -> NewMention {
        NewMention {
            external_id: id.into(),
            url: Some(format!("https://social.example/{id}")),
            author: MentionAuthor {
                name: Some(format!("Name of {handle}")),
                handle: Some(handle.into()),
                profile_url: Some(format!("https://social.example/{handle}")),
                followers: Some(250),
                ..Default::default()
            },
            text: text.into(),
            reply_ref: Some(id.into()),
            ..Default::default()
        }
    }

    impl World {
        fn add(&self, m: NewMention) -> i64 {
            let id = m.external_id.clone();
            self.store
                .write(|tx| {
                    let items = crate::test_support::arriving(tx, self.source, vec![(m, vec![self.query])]);
                    mentions::ingest(tx, self.source, &items, NOW)
                })
                .unwrap();
            self.store
                .read(|c| Ok(c.query_row("SELECT id FROM mentions WHERE external_id = ?1", [&id], |r| r.get(0))?))
                .unwrap()
        }

        fn decide(&self, ids: &[i64], d: Decision) -> Vec<Decided> {
            self.store
                .write(|tx| {
                    let batch = next_batch(tx)?;
                    ids.iter().map(|id| decide(tx, batch, *id, d, &DecisionOptions::default(), now())).collect()
                })
                .unwrap()
        }

        fn state(&self, id: i64) -> (String, Option<String>) {
            let m = self.store.read(|c| mentions::get(c, id)).unwrap();
            (m.state.to_string(), m.filed_as)
        }

        fn count(&self, sql: &str) -> i64 {
            self.store.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
        }

        fn undo(&self) -> Option<Undone> {
            self.store.write(|tx| undo(tx, now())).unwrap()
        }
    }

    #[test]
    fn arrival_stores_the_analysis() {
        let w = world();
        let id = w.add(toot("1", "@ann", "Still waiting for my refund from Spokes, terrible service"));
        let m = w.store.read(|c| mentions::get(c, id)).unwrap();
        assert_eq!(m.sentiment_label, "negative");
        assert!(m.intents.contains(&earshot_core::analysis::Intent::Complaint));
        assert_eq!(m.lang, "en");
        assert!(m.urgency >= 0.5 && m.priority > 0.0);
    }

    #[test]
    fn a_lead_creates_the_contact_and_a_follow_up_and_undo_takes_both_back() {
        let w = world();
        let id = w.add(toot("1", "@ann@social.example", "Looking for a new bike, is Spokes any good?"));
        let d = &w.decide(&[id], Decision::Lead)[0];
        assert_eq!(w.state(id), ("filed".into(), Some("lead".into())));
        let contact = d.contact_id.expect("a contact was created");
        let task = d.task_id.expect("a follow-up was created");
        let c = w.store.read(|c| contacts::get(c, contact)).unwrap();
        assert_eq!(c.display_name, "Name of @ann@social.example");
        assert_eq!(c.identities[0].network, "mastodon");
        let due: String =
            w.store.read(|c| Ok(c.query_row("SELECT due_at FROM tasks WHERE id = ?1", [task], |r| r.get(0))?)).unwrap();
        assert_eq!(due, "2026-11-26T12:00:00Z", "due tomorrow");
        // Lead conversion finds who became a lead on the log row.
        let lead: i64 = w
            .store
            .read(|c| Ok(c.query_row("SELECT contact_id FROM triage_log WHERE action = 'lead'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(lead, contact);

        let undone = w.undo().unwrap();
        assert_eq!((undone.action.as_str(), undone.mention_ids.as_slice()), ("lead", &[id][..]));
        assert_eq!(w.state(id), ("new".into(), None));
        assert_eq!(w.count("SELECT count(*) FROM tasks WHERE deleted_at IS NULL"), 0);
        assert_eq!(w.count("SELECT count(*) FROM contacts WHERE deleted_at IS NULL"), 0);
        assert_eq!(w.count("SELECT count(*) FROM mentions WHERE contact_id IS NOT NULL"), 0);
        assert_eq!(w.count("SELECT count(*) FROM triage_log WHERE action = 'undo'"), 1, "undo is logged, not erased");
        assert!(w.undo().is_none(), "nothing left to undo");
    }

    #[test]
    fn the_owners_own_reply_on_the_network_stops_the_clock_once_and_is_not_undone() {
        let w = world();
        let id = w.add(toot("7", "@bo", "Spokes broke my wheel and nobody answers, furious"));
        let case = w.decide(&[id], Decision::Issue)[0].case_id.unwrap();
        let at = "2026-11-25T14:30:00Z";
        let answer = |instance: &str, at: &str| {
            w.store.write(|tx| answered_by_owner(tx, "mastodon", instance, "7", at)).unwrap()
        };
        assert!(answer("https://other.example", at).is_empty(), "ids on another instance are other posts");
        assert_eq!(answer("https://social.example", at), vec![id]);
        assert!(answer("https://social.example", "2026-11-25T15:00:00Z").is_empty(), "only the first reply counts");
        assert_eq!(
            w.count("SELECT count(*) FROM mentions WHERE first_reply_at = '2026-11-25T14:30:00Z' AND state = 'filed'"),
            1
        );
        assert_eq!(w.count(&format!("SELECT count(*) FROM cases WHERE id = {case} AND first_response_at = '{at}'")), 1);
        // Undo takes back the owner's decision (the issue), not what happened on the network.
        let undone = w.undo().unwrap();
        assert_eq!(undone.action, "issue");
        assert_eq!(w.count("SELECT count(*) FROM mentions WHERE first_reply_at = '2026-11-25T14:30:00Z'"), 1);
        assert!(w.undo().is_none());
    }

    #[test]
    fn an_issue_opens_a_case_with_a_priority_and_a_reply_starts_its_clock() {
        let w = world();
        let id = w.add(toot("1", "@bo", "Spokes broke my wheel and nobody answers, furious"));
        let case = w.decide(&[id], Decision::Issue)[0].case_id.unwrap();
        let priority: String = w
            .store
            .read(|c| Ok(c.query_row("SELECT priority FROM cases WHERE id = ?1", [case], |r| r.get(0))?))
            .unwrap();
        assert_eq!(priority, "high");
        w.store.write(|tx| mark_replied(tx, next_batch(tx)?, id, None, now())).unwrap();
        assert_eq!(w.count("SELECT count(*) FROM cases WHERE first_response_at IS NOT NULL"), 1);
        // The mention's response clock: answered and replied at the moment of the decisions.
        assert_eq!(w.count("SELECT count(*) FROM mentions WHERE first_action_at = '2026-11-25T12:00:00Z' AND first_reply_at IS NOT NULL"), 1);
        // Undo takes back the reply log first, then the issue, and the clock with them.
        w.undo();
        assert_eq!(
            w.count("SELECT count(*) FROM mentions WHERE first_action_at IS NOT NULL AND first_reply_at IS NULL"),
            1
        );
        w.undo();
        assert_eq!(w.count("SELECT count(*) FROM cases WHERE deleted_at IS NULL"), 0);
        assert_eq!(w.count("SELECT count(*) FROM mentions WHERE first_action_at IS NOT NULL"), 0);
    }

    #[test]
    fn praise_marks_a_linked_contact_as_an_advocate_and_ideas_are_kept() {
        let w = world();
        let contact =
            w.store.write(|tx| contacts::insert(tx, &crate::test_support::person("Cy", None), None, NOW)).unwrap();
        let praise = w.add(toot("1", "@cy", "Spokes fixed my bike in ten minutes, thank you!"));
        let idea = w.add(toot("2", "@cy", "Spokes, it would be nice if you opened on Sundays"));
        w.store.write(|tx| link(tx, next_batch(tx)?, praise, contact, now())).unwrap();
        w.decide(&[praise], Decision::Praise);
        assert_eq!(w.count("SELECT count(*) FROM contacts WHERE advocate_since IS NOT NULL"), 1);
        let idea_id = w.decide(&[idea], Decision::Idea)[0].idea_id.unwrap();
        assert!(idea_id > 0);
        w.undo();
        w.undo();
        assert_eq!(w.count("SELECT count(*) FROM contacts WHERE advocate_since IS NOT NULL"), 0);
        assert_eq!(w.count("SELECT count(*) FROM ideas WHERE deleted_at IS NULL"), 0);
    }

    #[test]
    fn a_selection_is_one_batch_and_one_undo() {
        let w = world();
        let ids: Vec<i64> = (0..3).map(|n| w.add(toot(&n.to_string(), "@d", "spokes spokes"))).collect();
        w.decide(&ids, Decision::Done);
        assert!(ids.iter().all(|id| w.state(*id).0 == "done"));
        assert_eq!(w.undo().unwrap().mention_ids, ids);
        assert!(ids.iter().all(|id| w.state(*id).0 == "new"));
    }

    #[test]
    fn a_reply_in_the_thread_reopens_a_done_mention() {
        let w = world();
        let first = w.add(toot("100", "@e", "Spokes, my order is late"));
        w.decide(&[first], Decision::Done);
        let reply = NewMention { thread: Some("100".into()), ..toot("101", "@e", "Spokes? still nothing") };
        w.add(reply);
        assert_eq!(w.state(first).0, "new", "the conversation has new activity");
        assert_eq!(w.count("SELECT count(*) FROM triage_log WHERE action = 'reopen'"), 1);
    }

    #[test]
    fn rules_decide_new_mentions_on_arrival() {
        let w = world();
        w.store.write(|tx| crate::rules::rule_add(tx, "author", "@spam", "ignore", None, None, NOW)).unwrap();
        w.store.write(|tx| crate::rules::rule_add(tx, "keyword", "\"apple pie\"", "done", None, None, NOW)).unwrap();
        let spam = w.add(toot("1", "@SPAM", "buy spokes followers"));
        let pie = w.add(toot("2", "@f", "spokes bakes the best apple pie"));
        let kept = w.add(toot("3", "@g", "spokes is great"));
        assert_eq!(w.state(spam).0, "ignored");
        assert_eq!(w.state(pie).0, "done");
        assert_eq!(w.state(kept).0, "new");
        assert!(w.store.write(|tx| crate::rules::rule_add(tx, "colour", "x", "ignore", None, None, NOW)).is_err());
    }

    #[test]
    fn hide_like_this_ignores_and_adds_a_rule_that_undo_takes_back() {
        let w = world();
        let id = w.add(toot("1", "@h", "spokes spam"));
        w.store
            .write(|tx| {
                let batch = next_batch(tx)?;
                decide(tx, batch, id, Decision::Ignore, &DecisionOptions::default(), now())?;
                crate::rules::rule_from_mention(tx, batch, id, "author", None, now())
            })
            .unwrap();
        assert_eq!(w.store.read(crate::rules::rules_list).unwrap().len(), 1);
        w.undo();
        assert!(w.store.read(crate::rules::rules_list).unwrap().is_empty());
        assert_eq!(w.state(id).0, "new");
    }

    #[test]
    fn an_author_with_a_known_identity_arrives_linked_to_the_contact() {
        let w = world();
        let mut draft = crate::test_support::person("Gail", None);
        draft.identities.push(IdentityDraft {
            network: "mastodon".into(),
            handle: "gail@social.example".into(),
            profile_url: None,
            follower_count: None,
        });
        let contact = w.store.write(|tx| contacts::insert(tx, &draft, None, NOW)).unwrap();
        let id = w.add(toot("1", "@Gail@social.example", "spokes question?"));
        let m = w.store.read(|c| mentions::get(c, id)).unwrap();
        assert_eq!(m.contact_id, Some(contact));
        assert_eq!(m.contact_name.as_deref(), Some("Gail"));
    }

    #[test]
    fn the_inbox_shows_open_items_by_priority_and_snoozed_ones_when_due() {
        let w = world();
        let calm = w.add(toot("1", "@i", "spokes opens at nine on mondays"));
        let angry = w.add(toot("2", "@j", "Spokes lost my bike, worst service ever, furious"));
        let later = w.add(toot("3", "@k", "spokes question?"));
        w.store
            .write(|tx| {
                let options = DecisionOptions { until: Some(now() + chrono::Duration::hours(2)), ..Default::default() };
                decide(tx, next_batch(tx)?, later, Decision::Snooze, &options, now())
            })
            .unwrap();
        let open = |at: &str| -> Vec<i64> {
            w.store.read(|c| inbox::page(c, &InboxFilter::default(), at)).unwrap().iter().map(|m| m.id).collect()
        };
        assert_eq!(open(NOW), vec![angry, calm]);
        assert_eq!(open("2026-11-25T15:00:00Z").len(), 3, "the snooze is over");
        let search = InboxFilter { search: Some("LOST bike".into()), ..Default::default() };
        assert_eq!(w.store.read(|c| inbox::page(c, &search, NOW)).unwrap()[0].id, angry);
        let negative = InboxFilter { sentiment: Some("negative".into()), ..Default::default() };
        assert_eq!(w.store.read(|c| inbox::page(c, &negative, NOW)).unwrap().len(), 1);
        let bad = InboxFilter { state: Some("whatever".into()), ..Default::default() };
        assert!(w.store.read(|c| inbox::page(c, &bad, NOW)).is_err());
    }
}
