//! What the team hears and decides, shared: mentions, the triage log, and the members.
//!
//! - A mention is named by the post it is ([`earshot_core::team::mention_id`]): two desktops that hear the
//!   same post make one mention. What was heard (`post`) is written once; the triage state, the assignee and
//!   the linked contact are separate fields, each won by the newer stamp, so triage on one desktop and an
//!   assignment on another are both kept.
//! - The triage log is append-only: every desktop's decisions are kept, each with the member who made it.
//!   Decisions made elsewhere are part of the log but never undone from here.
//! - Members are known by name; a desktop announces its member when it joins.

use earshot_core::team::{self as rules, PostKey};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::people::{local_contact, resolve};
use super::{
    is_shared, known_uid, local_id, my_member, name_row, newest, newest_text, record, uid_of, Applied, Touched,
};
use crate::{Result, StoreError};

const MENTION: &str = "mention";
const TRIAGE: &str = "triage";
const MEMBER: &str = "member";

/// Whether this part settles changes of `entity`.
pub(super) fn settles(entity: &str) -> bool {
    matches!(entity, MENTION | TRIAGE | MEMBER)
}

/// A member of the team.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Member {
    pub name: String,
    pub joined_at: String,
}

/// The team's members, by name.
pub fn members(conn: &Connection) -> Result<Vec<Member>> {
    let mut stmt = conn.prepare_cached("SELECT name, joined_at FROM team_members ORDER BY name COLLATE NOCASE")?;
    let rows = stmt.query_map([], |r| Ok(Member { name: r.get(0)?, joined_at: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Announces a member to the team (as their desktop joins).
pub(super) fn record_member(tx: &Transaction<'_>, name: &str, now: &str) -> Result<()> {
    tx.execute("INSERT OR IGNORE INTO team_members (name, joined_at) VALUES (?1, ?2)", params![name, now])?;
    let uid = rules::member_id(name).to_string();
    record(tx, MEMBER, &uid, "name", &serde_json::Value::String(name.to_string()), now)?;
    record(tx, MEMBER, &uid, "joined_at", &serde_json::Value::String(now.to_string()), now)
}

/// The member of this name, as the team spells it; an error naming the members when there is none.
fn member_named(conn: &Connection, name: &str) -> Result<String> {
    let found: Option<String> = conn
        .prepare_cached("SELECT name FROM team_members WHERE name = ?1 COLLATE NOCASE")?
        .query_row([name.trim()], |r| r.get(0))
        .optional()?;
    found.ok_or_else(|| {
        let known = members(conn).map(|m| m.into_iter().map(|m| m.name).collect::<Vec<_>>().join(", "));
        StoreError::Invalid(format!(
            "\"{}\" is not a member of the team (members: {})",
            name.trim(),
            known.unwrap_or_default()
        ))
    })
}

/// A post as the team shares it: enough for another desktop to show it, triage it and answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Post {
    source_kind: String,
    source_name: String,
    source_url: String,
    external_id: String,
    url: Option<String>,
    author_name: Option<String>,
    author_handle: Option<String>,
    author_url: Option<String>,
    author_followers: Option<i64>,
    title: Option<String>,
    text: String,
    language: Option<String>,
    published_at: Option<String>,
    fetched_at: String,
    likes: Option<i64>,
    reposts: Option<i64>,
    replies: Option<i64>,
    /// The item as its source sent it: what a reply needs.
    raw: Option<String>,
    thread: Option<String>,
    reply_ref: Option<String>,
    sentiment: f64,
    intents: String,
    lang: String,
    urgency: f64,
    priority: f64,
}

impl Post {
    /// The post as this desktop may store it: a kind of source it knows, and every field within the caps
    /// applied to what any source brings ([`earshot_core::mention::NewMention::made_safe`]); `None` for a
    /// post this version cannot file (a newer desktop's kind of source, say).
    fn made_safe(mut self) -> Option<Post> {
        use earshot_core::mention::{clean_url, SourceKind, ID_CAP, NAME_CAP, RAW_CAP, TEXT_CAP, TITLE_CAP, URL_CAP};
        use earshot_core::text::truncate_chars;
        SourceKind::parse(&self.source_kind)?;
        let cap = |s: Option<String>, n: usize| s.map(|s| truncate_chars(s.trim(), n)).filter(|s| !s.is_empty());
        self.source_name = truncate_chars(&self.source_name, NAME_CAP);
        self.source_url = truncate_chars(&self.source_url, URL_CAP);
        self.external_id = truncate_chars(&self.external_id, ID_CAP);
        self.url = self.url.and_then(|u| clean_url(&u));
        self.author_name = cap(self.author_name, NAME_CAP);
        self.author_handle = cap(self.author_handle, NAME_CAP);
        self.author_url = self.author_url.and_then(|u| clean_url(&u));
        self.author_followers = self.author_followers.filter(|n| *n >= 0);
        self.title = cap(self.title, TITLE_CAP);
        self.text = truncate_chars(&self.text, TEXT_CAP);
        self.language = cap(self.language, 16);
        self.raw = self.raw.filter(|r| r.len() <= RAW_CAP);
        self.thread = cap(self.thread, ID_CAP);
        self.reply_ref = cap(self.reply_ref, ID_CAP);
        self.lang = truncate_chars(&self.lang, 16);
        self.intents = truncate_chars(&self.intents, 200);
        for score in [&mut self.sentiment, &mut self.urgency, &mut self.priority] {
            *score = if score.is_finite() { score.clamp(-1e6, 1e6) } else { 0.0 };
        }
        Some(self)
    }
}

fn post_of(conn: &Connection, mention_id: i64) -> Result<(Post, Option<String>)> {
    Ok(conn.query_row(
        "SELECT s.kind, s.name, s.url, m.external_id, m.url, m.author_name, m.author_handle, m.author_url,
                m.author_followers, m.title, m.text, m.language, m.published_at, m.fetched_at, m.likes, m.reposts,
                m.replies, m.raw, m.thread, m.reply_ref, m.sentiment, m.intents, m.lang, m.urgency, m.priority,
                m.url_key
           FROM mentions m JOIN sources s ON s.id = m.source_id WHERE m.id = ?1",
        [mention_id],
        |r| {
            Ok((
                Post {
                    source_kind: r.get(0)?,
                    source_name: r.get(1)?,
                    source_url: r.get(2)?,
                    external_id: r.get(3)?,
                    url: r.get(4)?,
                    author_name: r.get(5)?,
                    author_handle: r.get(6)?,
                    author_url: r.get(7)?,
                    author_followers: r.get(8)?,
                    title: r.get(9)?,
                    text: r.get(10)?,
                    language: r.get(11)?,
                    published_at: r.get(12)?,
                    fetched_at: r.get(13)?,
                    likes: r.get(14)?,
                    reposts: r.get(15)?,
                    replies: r.get(16)?,
                    raw: r.get(17)?,
                    thread: r.get(18)?,
                    reply_ref: r.get(19)?,
                    sentiment: r.get(20)?,
                    intents: r.get(21)?,
                    lang: r.get(22)?,
                    urgency: r.get(23)?,
                    priority: r.get(24)?,
                },
                r.get(25)?,
            ))
        },
    )?)
}

/// Shares a mention heard here, when the workspace is shared and the mention is one the inbox shows.
/// Its team id, or `None` when it is not shared (not shared at all, or another mention here already stands
/// for the same post).
pub(crate) fn record_heard(tx: &Transaction<'_>, mention_id: i64, now: &str) -> Result<Option<String>> {
    if !is_shared(tx)? {
        return Ok(None);
    }
    if let Some(uid) = known_uid(tx, MENTION, mention_id)? {
        return Ok(Some(uid));
    }
    let shown: bool = tx.query_row(
        "SELECT (matches > 0 OR direct = 1) AND duplicate_of IS NULL FROM mentions WHERE id = ?1",
        [mention_id],
        |r| r.get(0),
    )?;
    if !shown {
        return Ok(None);
    }
    let (post, url_key) = post_of(tx, mention_id)?;
    let key = PostKey::of(url_key.as_deref(), &post.source_kind, &post.source_url, &post.external_id);
    let uid = rules::mention_id(key).to_string();
    if local_id(tx, MENTION, &uid)?.is_some() {
        return Ok(None);
    }
    name_row(tx, MENTION, mention_id, &uid)?;
    let value = serde_json::to_value(&post).map_err(|e| StoreError::Invalid(e.to_string()))?;
    record(tx, MENTION, &uid, "post", &value, now)?;
    // An author already known here (by their handle) arrives linked to their contact.
    record_contact_link(tx, mention_id, &uid, now)?;
    Ok(Some(uid))
}

/// The state of a mention as the team shares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    state: String,
    filed_as: Option<String>,
    snoozed_until: Option<String>,
    decided_at: Option<String>,
}

/// One decision, as the team's log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    mention: String,
    action: String,
    member: Option<String>,
    at: String,
    contact: Option<String>,
}

/// Records a decision logged here (`log_id` in the triage log): the mention's state and contact as the
/// decision left them, and the decision itself, when the workspace is shared.
pub(crate) fn record_decided(tx: &Transaction<'_>, log_id: i64, mention_id: i64, now: &str) -> Result<()> {
    let Some(uid) = record_heard(tx, mention_id, now)? else { return Ok(()) };
    record_state(tx, mention_id, &uid, now)?;
    let (action, member, at): (String, Option<String>, String) =
        tx.query_row("SELECT action, member, at FROM triage_log WHERE id = ?1", [log_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let contact = record_contact_link(tx, mention_id, &uid, now)?;
    let entry = Entry { mention: uid, action, member, at, contact };
    let entry_uid = uid_of(tx, TRIAGE, log_id, now)?;
    record(
        tx,
        TRIAGE,
        &entry_uid,
        "entry",
        &serde_json::to_value(entry).map_err(|e| StoreError::Invalid(e.to_string()))?,
        now,
    )
}

/// Records that a mention's author was linked to a contact (or unlinked), when the workspace is shared.
pub(crate) fn record_linked(tx: &Transaction<'_>, mention_id: i64, now: &str) -> Result<()> {
    if let Some(uid) = record_heard(tx, mention_id, now)? {
        record_contact_link(tx, mention_id, &uid, now)?;
    }
    Ok(())
}

/// Records the contact a mention's author is linked to (or none, when they were linked before); its team id.
fn record_contact_link(tx: &Transaction<'_>, mention_id: i64, uid: &str, now: &str) -> Result<Option<String>> {
    let contact_id: Option<i64> =
        tx.query_row("SELECT contact_id FROM mentions WHERE id = ?1", [mention_id], |r| r.get(0))?;
    let contact = match contact_id {
        Some(id) => Some(uid_of(tx, "contact", id, now)?),
        None => None,
    };
    // Only a change: a decision that leaves the link as it was records nothing more.
    let value = contact.clone().map_or(serde_json::Value::Null, serde_json::Value::String);
    let known = newest(tx, MENTION, uid, "contact")?;
    if known.as_ref().unwrap_or(&serde_json::Value::Null) != &value {
        record(tx, MENTION, uid, "contact", &value, now)?;
    }
    Ok(contact)
}

fn record_state(tx: &Transaction<'_>, mention_id: i64, uid: &str, now: &str) -> Result<()> {
    let state = tx.query_row(
        "SELECT state, filed_as, snoozed_until, decided_at FROM mentions WHERE id = ?1",
        [mention_id],
        |r| Ok(State { state: r.get(0)?, filed_as: r.get(1)?, snoozed_until: r.get(2)?, decided_at: r.get(3)? }),
    )?;
    let value = serde_json::to_value(state).map_err(|e| StoreError::Invalid(e.to_string()))?;
    record(tx, MENTION, uid, "state", &value, now)
}

/// Records a state a rule gave an arriving mention (ignored, done), when the workspace is shared.
pub(crate) fn record_state_changed(tx: &Transaction<'_>, mention_id: i64, now: &str) -> Result<()> {
    match record_heard(tx, mention_id, now)? {
        Some(uid) => record_state(tx, mention_id, &uid, now),
        None => Ok(()),
    }
}

/// Assigns a mention to a member of the team (or to nobody), on every desktop.
pub fn assign(tx: &Transaction<'_>, mention_id: i64, member: Option<&str>, now: &str) -> Result<Option<String>> {
    if !is_shared(tx)? {
        return Err(StoreError::Invalid(
            "mentions are assigned to members of a team; share this workspace first (earshot team create)".into(),
        ));
    }
    let member = member.map(|m| member_named(tx, m)).transpose()?;
    let n = tx.execute("UPDATE mentions SET assignee = ?2 WHERE id = ?1", params![mention_id, member])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "mention", id: mention_id });
    }
    record_assignee(tx, mention_id, now)?;
    Ok(member)
}

/// Records a mention's assignee as it is now (an assignment by hand or by a routing rule).
pub(crate) fn record_assignee(tx: &Transaction<'_>, mention_id: i64, now: &str) -> Result<()> {
    let Some(uid) = record_heard(tx, mention_id, now)? else { return Ok(()) };
    let assignee: Option<String> =
        tx.query_row("SELECT assignee FROM mentions WHERE id = ?1", [mention_id], |r| r.get(0))?;
    record(tx, MENTION, &uid, "assignee", &assignee.map_or(serde_json::Value::Null, serde_json::Value::String), now)
}

/// A routing rule's member, checked: a rule can only send mentions to a member of the team.
pub(crate) fn routing_member(conn: &Connection, name: &str) -> Result<String> {
    if !is_shared(conn)? {
        return Err(StoreError::Invalid("mentions are routed to members of a team; share this workspace first".into()));
    }
    member_named(conn, name)
}

/// Shares every mention the inbox shows, with its state, assignee and contact, as the first desktop does.
pub(super) fn share_all(tx: &Transaction<'_>, now: &str) -> Result<()> {
    // Sharing a mention shares its contact too (`record_heard`).
    let ids: Vec<(i64, bool, bool)> = tx
        .prepare(
            "SELECT id, state != 'new', assignee IS NOT NULL FROM mentions
              WHERE (matches > 0 OR direct = 1) AND duplicate_of IS NULL ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, decided, assigned) in ids {
        let Some(uid) = record_heard(tx, id, now)? else { continue };
        if decided {
            record_state(tx, id, &uid, now)?;
        }
        if assigned {
            record_assignee(tx, id, now)?;
        }
    }
    Ok(())
}

/// Settles the touched members, mentions and triage log entries.
pub(super) fn settle(tx: &Transaction<'_>, touched: Touched, now: &str) -> Result<Applied> {
    let mut applied = Applied::default();
    let me = my_member(tx)?;
    let mut mentions = std::collections::BTreeSet::new();
    let mut entries = Vec::new();
    for (entity, row_uid, field) in touched {
        match entity.as_str() {
            MEMBER => {
                if let Some(name) = newest_text(tx, MEMBER, &row_uid, "name")? {
                    let joined = newest_text(tx, MEMBER, &row_uid, "joined_at")?.unwrap_or_else(|| now.to_string());
                    tx.execute(
                        "INSERT OR IGNORE INTO team_members (name, joined_at) VALUES (?1, ?2)",
                        params![name, joined],
                    )?;
                }
            }
            MENTION => {
                mentions.insert(row_uid);
            }
            TRIAGE if field == "entry" => entries.push(row_uid),
            _ => {}
        }
    }
    for uid in mentions {
        if let Some((id, newly_mine)) = settle_mention(tx, &uid, me.as_deref(), now)? {
            if newly_mine {
                applied.assigned_to_me.push(id);
            }
        }
    }
    for uid in entries {
        settle_entry(tx, &uid, now)?;
    }
    Ok(applied)
}

/// Brings a mention to its newest state, assignee and contact, creating it here the first time the post
/// is known. Its local id, and whether it was just assigned to `me`.
fn settle_mention(tx: &Transaction<'_>, uid: &str, me: Option<&str>, now: &str) -> Result<Option<(i64, bool)>> {
    let id = match local_id(tx, MENTION, uid)? {
        Some(id) => id,
        None => {
            let post = newest(tx, MENTION, uid, "post")?
                .and_then(|v| serde_json::from_value::<Post>(v).ok())
                .and_then(Post::made_safe);
            let Some(post) = post else {
                return Ok(None);
            };
            let id = heard_here(tx, &post, now)?;
            if known_uid(tx, MENTION, id)?.is_some() {
                // Already shared under another id (its address changed since): that one settles it.
                return Ok(None);
            }
            name_row(tx, MENTION, id, uid)?;
            id
        }
    };
    let state = newest(tx, MENTION, uid, "state")?
        .and_then(|v| serde_json::from_value::<State>(v).ok())
        .filter(|s| earshot_core::triage::MentionState::parse(&s.state).is_some());
    if let Some(state) = state {
        tx.execute(
            "UPDATE mentions SET state = ?2, filed_as = ?3, snoozed_until = ?4, decided_at = ?5,
                    first_action_at = CASE WHEN ?2 IN ('new', 'snoozed') THEN first_action_at
                                           ELSE coalesce(first_action_at, ?5) END
              WHERE id = ?1",
            params![id, state.state, state.filed_as, state.snoozed_until, state.decided_at],
        )?;
    }
    let mut newly_mine = false;
    if newest(tx, MENTION, uid, "assignee")?.is_some() {
        let assignee = newest_text(tx, MENTION, uid, "assignee")?;
        let before: Option<String> = tx.query_row("SELECT assignee FROM mentions WHERE id = ?1", [id], |r| r.get(0))?;
        tx.execute("UPDATE mentions SET assignee = ?2 WHERE id = ?1", params![id, assignee])?;
        newly_mine = assignee.is_some() && assignee != before && assignee.as_deref() == me;
    }
    if newest(tx, MENTION, uid, "contact")?.is_some() {
        let contact = match newest_text(tx, MENTION, uid, "contact")? {
            Some(contact) => Some(local_contact(tx, &resolve(tx, &contact)?, now)?),
            None => None,
        };
        tx.execute("UPDATE mentions SET contact_id = ?2 WHERE id = ?1", params![id, contact])?;
    }
    Ok(Some((id, newly_mine)))
}

/// The mention here that stands for a post a teammate heard: the same item if a source here heard it too,
/// or the same page heard through another source; otherwise a new mention, shown in the inbox whatever the
/// queries here say, since the team's listening found it.
fn heard_here(tx: &Transaction<'_>, post: &Post, now: &str) -> Result<i64> {
    let same_item: Option<i64> = tx
        .prepare_cached(
            "SELECT m.id FROM mentions m JOIN sources s ON s.id = m.source_id
              WHERE s.kind = ?1 AND s.url = ?2 AND m.external_id = ?3 ORDER BY m.id LIMIT 1",
        )?
        .query_row(params![post.source_kind, post.source_url, post.external_id], |r| r.get(0))
        .optional()?;
    let key = post.url.as_deref().and_then(earshot_core::mention::url_key);
    let same_page = match (&same_item, &key) {
        (None, Some(key)) => tx
            .prepare_cached("SELECT id FROM mentions WHERE url_key = ?1 AND duplicate_of IS NULL ORDER BY id LIMIT 1")?
            .query_row([key], |r| r.get(0))
            .optional()?,
        _ => None,
    };
    if let Some(id) = same_item.or(same_page) {
        tx.execute("UPDATE mentions SET direct = 1, duplicate_of = NULL WHERE id = ?1 AND matches = 0", [id])?;
        return Ok(id);
    }
    let source = team_source(tx, post, now)?;
    tx.execute(
        "INSERT INTO mentions (source_id, external_id, url, url_key, author_name, author_handle, author_url,
                author_followers, title, text, language, published_at, fetched_at, likes, reposts, replies, raw,
                matches, direct, sentiment, intents, lang, urgency, priority, thread, reply_ref)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 0, 1, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24)",
        params![
            source,
            post.external_id,
            post.url,
            key,
            post.author_name,
            post.author_handle,
            post.author_url,
            post.author_followers,
            post.title,
            post.text,
            post.language,
            post.published_at,
            post.fetched_at,
            post.likes,
            post.reposts,
            post.replies,
            post.raw,
            post.sentiment,
            post.intents,
            post.lang,
            post.urgency,
            post.priority,
            post.thread,
            post.reply_ref,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The source here a teammate's post is filed under: the same source if this desktop listens to it too,
/// otherwise a record of it that is never listened to from here (kept as removed, so it neither shows in
/// the sources list nor gets checked).
fn team_source(tx: &Transaction<'_>, post: &Post, now: &str) -> Result<i64> {
    let found: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM sources WHERE kind = ?1 AND url = ?2 ORDER BY deleted_at IS NOT NULL, id LIMIT 1",
        )?
        .query_row(params![post.source_kind, post.source_url], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO sources (kind, name, url, created_at, deleted_at, notice) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![post.source_kind, post.source_name, post.source_url, now, "heard by the team"],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Adds a decision made on another desktop to the log here.
fn settle_entry(tx: &Transaction<'_>, uid: &str, now: &str) -> Result<()> {
    if local_id(tx, TRIAGE, uid)?.is_some() {
        return Ok(());
    }
    let Some(entry) = newest(tx, TRIAGE, uid, "entry")?.and_then(|v| serde_json::from_value::<Entry>(v).ok()) else {
        return Ok(());
    };
    let mention = local_id(tx, MENTION, &entry.mention)?;
    let contact = match &entry.contact {
        Some(c) => Some(local_contact(tx, &resolve(tx, c)?, now)?),
        None => None,
    };
    tx.execute(
        "INSERT INTO triage_log (batch, mention_id, action, at, member, from_team, contact_id)
         VALUES (0, ?1, ?2, ?3, ?4, 1, ?5)",
        params![mention, entry.action, entry.at, entry.member, contact],
    )?;
    name_row(tx, TRIAGE, tx.last_insert_rowid(), uid)
}
