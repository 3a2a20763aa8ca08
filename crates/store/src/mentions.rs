//! Mentions: every item fetched from a source, normalised, with the listening queries it matched.
//!
//! Ingesting is idempotent: keyed by (source, external id), an item seen again is rewritten only when its
//! content changed, never touching the owner's triage state; a removed item (tombstone) never comes back;
//! the same page heard through two sources is stored under both but linked, and shown once.

use earshot_core::analysis::Sentiment;
use earshot_core::mention::url_key;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use earshot_core::analysis::Intent;
use earshot_core::mention::SourceKind;
use earshot_core::query::QueryKind;
use earshot_core::triage::MentionState;

use crate::arrivals::{self, Arriving};
use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MatchedQuery {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: QueryKind,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Mention {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub source_id: i64,
    pub source_kind: SourceKind,
    pub source_name: String,
    pub external_id: String,
    pub url: Option<String>,
    pub author_name: Option<String>,
    pub author_handle: Option<String>,
    pub author_url: Option<String>,
    #[ts(type = "number | null")]
    pub author_followers: Option<i64>,
    pub title: Option<String>,
    pub text: String,
    pub published_at: Option<String>,
    pub fetched_at: String,
    #[ts(type = "number | null")]
    pub likes: Option<i64>,
    #[ts(type = "number | null")]
    pub reposts: Option<i64>,
    #[ts(type = "number | null")]
    pub replies: Option<i64>,
    pub state: MentionState,
    /// What a filed mention was filed as: lead, issue, praise, idea, question.
    pub filed_as: Option<String>,
    pub snoozed_until: Option<String>,
    /// Compound sentiment in [-1, 1] and its label.
    pub sentiment: f64,
    pub sentiment_label: Sentiment,
    pub intents: Vec<Intent>,
    pub lang: String,
    pub urgency: f64,
    pub priority: f64,
    /// Probability, learned from the owner's decisions, that items like this are not relevant.
    pub irrelevance: f64,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    /// The member of the team it is assigned to.
    pub assignee: Option<String>,
    /// The member of the team who made the latest decision on it (filed, answered, linked...).
    pub decided_by: Option<String>,
    pub queries: Vec<MatchedQuery>,
}

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Items stored for the first time.
    pub new: usize,
    /// Of the new items, those that matched a query (new mentions in the inbox).
    pub new_mentions: usize,
    /// Items seen before whose content changed.
    pub updated: usize,
    pub unchanged: usize,
    /// Items the owner removed before, left out.
    pub tombstoned: usize,
}

/// Stores fetched items, each with the ids of the queries it matched and the assessment made of it before
/// the write ([`arrivals::plan`], then [`arrivals::ArrivalPlan::assess`]). Call it in the same transaction as
/// the source's new sync state, so the cursor never gets ahead of the items it covers.
pub fn ingest(tx: &Transaction<'_>, source_id: i64, items: &[Arriving], fetched_at: &str) -> Result<IngestCounts> {
    let mut counts = IngestCounts::default();
    // One lookup per item: was it removed by the owner, and is it stored already?
    let mut seen = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM mention_tombstones WHERE source_id = ?1 AND external_id = ?2),
                (SELECT id FROM mentions WHERE source_id = ?1 AND external_id = ?2)",
    )?;
    let mut add_match =
        tx.prepare_cached("INSERT OR IGNORE INTO mention_matches (mention_id, query_id) VALUES (?1, ?2)")?;
    let mut same_page = tx.prepare_cached(
        "SELECT id FROM mentions WHERE url_key = ?1 AND source_id != ?2 AND duplicate_of IS NULL ORDER BY id LIMIT 1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO mentions (source_id, external_id, url, url_key, duplicate_of, author_name, author_handle,
                author_url, author_followers, title, text, html, language, published_at, fetched_at, likes, reposts,
                replies, raw, matches, direct, sentiment, intents, lang, urgency, priority, contact_id, thread,
                reply_ref)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
                 ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?;
    let live_rules = crate::rules::rules_list(tx)?;
    // Only what a source may change is compared and rewritten; `IS NOT` treats two NULLs as equal.
    let mut update = tx.prepare_cached(
        "UPDATE mentions SET url = ?2, url_key = ?3, author_name = ?4, author_handle = ?5, author_url = ?6,
                author_followers = ?7, title = ?8, text = ?9, html = ?10, language = ?11, published_at = ?12,
                likes = ?13, reposts = ?14, replies = ?15, raw = ?16, fetched_at = ?17
          WHERE id = ?1 AND (url IS NOT ?2 OR author_name IS NOT ?4 OR author_handle IS NOT ?5
                OR author_followers IS NOT ?7 OR title IS NOT ?8 OR text IS NOT ?9 OR html IS NOT ?10
                OR published_at IS NOT ?12 OR likes IS NOT ?13 OR reposts IS NOT ?14 OR replies IS NOT ?15)",
    )?;
    for Arriving { mention: m, query_ids, assessment } in items {
        let (removed, found): (bool, Option<i64>) =
            seen.query_row(params![source_id, m.external_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if removed {
            counts.tombstoned += 1;
            continue;
        }
        let key = m.url.as_deref().and_then(url_key);
        let published = m.published_at.map(crate::timestamp);
        match found {
            None => {
                let duplicate_of: Option<i64> = match &key {
                    Some(k) => same_page.query_row(params![k, source_id], |r| r.get(0)).optional()?,
                    None => None,
                };
                let unread;
                let a = match assessment {
                    Some(a) => a,
                    None => {
                        unread = arrivals::unread();
                        &unread
                    }
                };
                insert.execute(params![
                    source_id,
                    m.external_id,
                    m.url,
                    key,
                    duplicate_of,
                    m.author.name,
                    m.author.handle,
                    m.author.profile_url,
                    m.author.followers,
                    m.title,
                    m.text,
                    m.html,
                    m.language,
                    published,
                    fetched_at,
                    m.engagement.likes,
                    m.engagement.reposts,
                    m.engagement.replies,
                    m.raw,
                    query_ids.len() as i64,
                    m.direct,
                    a.compound,
                    a.intents_text(),
                    a.lang,
                    a.urgency,
                    a.priority,
                    a.contact,
                    m.thread,
                    m.reply_ref,
                ])?;
                let id = tx.last_insert_rowid();
                // A new row has no matches yet and its count was inserted with it.
                for q in query_ids {
                    add_match.execute(params![id, q])?;
                }
                arrivals::settle(tx, source_id, id, m, &a.rules, &live_rules, fetched_at)?;
                counts.new += 1;
                if (m.direct || !query_ids.is_empty()) && duplicate_of.is_none() {
                    counts.new_mentions += 1;
                    crate::team::heard::record_heard(tx, id, fetched_at)?;
                }
            }
            Some(id) => {
                let changed = update.execute(params![
                    id,
                    m.url,
                    key,
                    m.author.name,
                    m.author.handle,
                    m.author.profile_url,
                    m.author.followers,
                    m.title,
                    m.text,
                    m.html,
                    m.language,
                    published,
                    m.engagement.likes,
                    m.engagement.reposts,
                    m.engagement.replies,
                    m.raw,
                    fetched_at,
                ])?;
                if changed > 0 {
                    set_matches(tx, id, query_ids)?;
                    // Only an edit of what the item is read by brings an assessment; new counts alone do not.
                    if let Some(a) = assessment {
                        arrivals::reassessed(tx, id, m, a)?;
                    }
                    counts.updated += 1;
                } else {
                    counts.unchanged += 1;
                }
            }
        }
    }
    Ok(counts)
}

/// Replaces the queries a mention matched.
pub fn set_matches(tx: &Transaction<'_>, mention_id: i64, query_ids: &[i64]) -> Result<()> {
    tx.prepare_cached("DELETE FROM mention_matches WHERE mention_id = ?1")?.execute([mention_id])?;
    let mut add = tx.prepare_cached("INSERT OR IGNORE INTO mention_matches (mention_id, query_id) VALUES (?1, ?2)")?;
    for q in query_ids {
        add.execute(params![mention_id, q])?;
    }
    tx.prepare_cached(
        "UPDATE mentions SET matches = (SELECT count(*) FROM mention_matches WHERE mention_id = ?1) WHERE id = ?1",
    )?
    .execute([mention_id])?;
    Ok(())
}

/// The text every stored item is matched on, for re-matching after the queries change: (id, title, text).
pub fn match_texts(conn: &Connection) -> Result<Vec<(i64, Option<String>, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, title, text FROM mentions")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes a mention for good: it is deleted and its (source, external id) remembered so no fetch brings
/// it back.
pub fn remove(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let key: Option<(i64, String)> = tx
        .query_row("SELECT source_id, external_id FROM mentions WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((source_id, external_id)) = key else { return Err(StoreError::NotFound { what: "mention", id }) };
    tx.execute(
        "INSERT OR IGNORE INTO mention_tombstones (source_id, external_id, removed_at) VALUES (?1, ?2, ?3)",
        params![source_id, external_id, now],
    )?;
    tx.execute("UPDATE mentions SET duplicate_of = NULL WHERE duplicate_of = ?1", [id])?;
    tx.execute("DELETE FROM mentions WHERE id = ?1", [id])?;
    Ok(())
}

/// Stores an item the owner captured by hand and returns its id. It is shown in the inbox even when no
/// query matches it: the owner chose it. Capturing the same link again updates it.
pub fn capture(tx: &Transaction<'_>, source_id: i64, item: &Arriving, now: &str) -> Result<i64> {
    let m = &item.mention;
    tx.execute(
        "DELETE FROM mention_tombstones WHERE source_id = ?1 AND external_id = ?2",
        params![source_id, m.external_id],
    )?;
    ingest(tx, source_id, std::slice::from_ref(item), now)?;
    let id: i64 = tx.query_row(
        "SELECT id FROM mentions WHERE source_id = ?1 AND external_id = ?2",
        params![source_id, m.external_id],
        |r| r.get(0),
    )?;
    tx.execute("UPDATE mentions SET direct = 1, duplicate_of = NULL WHERE id = ?1", [id])?;
    crate::team::heard::record_heard(tx, id, now)?;
    Ok(id)
}

macro_rules! mention_columns {
    () => {
        "SELECT m.id, m.source_id, s.kind, s.name, m.external_id, m.url, m.author_name, m.author_handle, m.author_url,
                m.author_followers, m.title, m.text, m.published_at, m.fetched_at, m.likes, m.reposts, m.replies,
                m.state, m.filed_as, m.snoozed_until, m.sentiment, m.intents, m.lang, m.urgency, m.priority,
                m.irrelevance, m.contact_id, c.display_name, m.assignee,
                (SELECT l.member FROM triage_log l
                  WHERE l.mention_id = m.id AND l.undone_at IS NULL AND l.action NOT IN ('undo', 'reopen')
                  ORDER BY l.at DESC, l.id DESC LIMIT 1)"
    };
}
macro_rules! mention_joins {
    () => {
        " JOIN sources s ON s.id = m.source_id LEFT JOIN contacts c ON c.id = m.contact_id"
    };
}
pub(crate) const MENTION_SELECT: &str = concat!(mention_columns!(), " FROM mentions m", mention_joins!());
/// The open inbox by priority: walks the priority index and stops at the page size (without statistics the
/// planner would rather sort every open item).
pub(crate) const OPEN_BY_PRIORITY_SELECT: &str =
    concat!(mention_columns!(), " FROM mentions m INDEXED BY mentions_open_priority", mention_joins!());
/// The open inbox, newest first, the same way.
pub(crate) const OPEN_BY_TIME_SELECT: &str =
    concat!(mention_columns!(), " FROM mentions m INDEXED BY mentions_open_newest", mention_joins!());

pub(crate) fn mention_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Mention> {
    let sentiment: f64 = r.get(20)?;
    let intents: String = r.get(21)?;
    Ok(Mention {
        id: r.get(0)?,
        source_id: r.get(1)?,
        source_kind: crate::named(r, 2)?,
        source_name: r.get(3)?,
        external_id: r.get(4)?,
        url: r.get(5)?,
        author_name: r.get(6)?,
        author_handle: r.get(7)?,
        author_url: r.get(8)?,
        author_followers: r.get(9)?,
        title: r.get(10)?,
        text: r.get(11)?,
        published_at: r.get(12)?,
        fetched_at: r.get(13)?,
        likes: r.get(14)?,
        reposts: r.get(15)?,
        replies: r.get(16)?,
        state: crate::named(r, 17)?,
        filed_as: r.get(18)?,
        snoozed_until: r.get(19)?,
        sentiment,
        sentiment_label: Sentiment::of(sentiment),
        intents: intents.split(',').filter_map(Intent::parse).collect(),
        lang: r.get(22)?,
        urgency: r.get(23)?,
        priority: r.get(24)?,
        irrelevance: r.get(25)?,
        contact_id: r.get(26)?,
        contact_name: r.get(27)?,
        assignee: r.get(28)?,
        decided_by: r.get(29)?,
        queries: Vec::new(),
    })
}

pub(crate) fn with_queries(conn: &Connection, mut mentions: Vec<Mention>) -> Result<Vec<Mention>> {
    let mut queries = conn.prepare_cached(
        "SELECT q.id, q.kind, q.query FROM mention_matches mm JOIN listening_queries q ON q.id = mm.query_id
          WHERE mm.mention_id = ?1 ORDER BY q.id",
    )?;
    for m in &mut mentions {
        m.queries = queries
            .query_map([m.id], |r| Ok(MatchedQuery { id: r.get(0)?, kind: crate::named(r, 1)?, query: r.get(2)? }))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(mentions)
}

/// The stored mention a source knows as `external_id`, if any.
pub fn id_of(conn: &Connection, source_id: i64, external_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM mentions WHERE source_id = ?1 AND external_id = ?2")?
        .query_row(params![source_id, external_id], |r| r.get(0))
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Mention> {
    let m = conn
        .prepare_cached(&format!("{MENTION_SELECT} WHERE m.id = ?1"))?
        .query_row([id], mention_from_row)
        .optional()?
        .ok_or(StoreError::NotFound { what: "mention", id })?;
    Ok(with_queries(conn, vec![m])?.remove(0))
}

/// The newest mentions (items that matched a query, each page once), newest first.
pub fn list(conn: &Connection, limit: i64) -> Result<Vec<Mention>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MENTION_SELECT}
          WHERE (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL
          ORDER BY coalesce(m.published_at, m.fetched_at) DESC, m.id DESC
          LIMIT ?1"
    ))?;
    let mentions = stmt.query_map([limit], mention_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    with_queries(conn, mentions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{self, NewSource};
    use crate::test_support::{store, NOW};
    use crate::{listening_queries, Store};
    use earshot_core::mention::NewMention;

    fn item(id: &str, url: &str, text: &str) -> NewMention {
        NewMention { external_id: id.into(), url: Some(url.into()), text: text.into(), ..Default::default() }
    }

    fn setup() -> (tempfile::TempDir, Store, i64, i64, i64) {
        let (dir, store) = store();
        let (a, b, q) = store
            .write(|tx| {
                let feed = |url| NewSource { kind: "feed", name: "f", url, config: "{}", credential_id: None };
                Ok((
                    sources::add(tx, &feed("https://a.example/feed"), NOW)?,
                    sources::add(tx, &feed("https://b.example/feed"), NOW)?,
                    listening_queries::add(tx, "brand", "spoke", NOW)?,
                ))
            })
            .unwrap();
        (dir, store, a, b, q)
    }

    #[test]
    fn fetching_the_same_items_again_stores_nothing_twice() {
        let (_dir, store, a, _b, q) = setup();
        let items = vec![
            (item("1", "https://x.example/1", "spoke rocks"), vec![q]),
            (item("2", "https://x.example/2", "meh"), vec![]),
        ];
        let first = store.write(|tx| ingest(tx, a, &crate::test_support::arriving(tx, a, items.clone()), NOW)).unwrap();
        assert_eq!((first.new, first.new_mentions), (2, 1));
        let again = store.write(|tx| ingest(tx, a, &crate::test_support::arriving(tx, a, items.clone()), NOW)).unwrap();
        assert_eq!((again.new, again.unchanged), (0, 2));
        let listed = store.read(|c| list(c, 50)).unwrap();
        assert_eq!(listed.len(), 1, "only the matching item is a mention");
        assert_eq!(listed[0].queries[0].query, "spoke");
    }

    #[test]
    fn an_edited_item_is_rewritten_but_keeps_the_owners_state() {
        let (_dir, store, a, _b, q) = setup();
        store
            .write(|tx| {
                ingest(
                    tx,
                    a,
                    &crate::test_support::arriving(tx, a, vec![(item("1", "https://x.example/1", "spoke"), vec![q])]),
                    NOW,
                )
            })
            .unwrap();
        store.write(|tx| Ok(tx.execute("UPDATE mentions SET state = 'filed'", [])?)).unwrap();
        let edited = store.write(|tx| {
            ingest(
                tx,
                a,
                &crate::test_support::arriving(
                    tx,
                    a,
                    vec![(item("1", "https://x.example/1", "spoke, edited"), vec![q])],
                ),
                NOW,
            )
        });
        assert_eq!(edited.unwrap().updated, 1);
        let m = &store.read(|c| list(c, 50)).unwrap()[0];
        assert_eq!((m.text.as_str(), m.state.as_str()), ("spoke, edited", "filed"));
    }

    #[test]
    fn a_removed_mention_never_comes_back() {
        let (_dir, store, a, _b, q) = setup();
        let items = vec![(item("1", "https://x.example/1", "spoke"), vec![q])];
        store.write(|tx| ingest(tx, a, &crate::test_support::arriving(tx, a, items.clone()), NOW)).unwrap();
        let id = store.read(|c| list(c, 50)).unwrap()[0].id;
        store.write(|tx| remove(tx, id, NOW)).unwrap();
        assert_eq!(
            store
                .write(|tx| ingest(tx, a, &crate::test_support::arriving(tx, a, items.clone()), NOW))
                .unwrap()
                .tombstoned,
            1
        );
        assert!(store.read(|c| list(c, 50)).unwrap().is_empty());
    }

    #[test]
    fn the_same_page_from_two_sources_is_shown_once() {
        let (_dir, store, a, b, q) = setup();
        store
            .write(|tx| {
                ingest(
                    tx,
                    a,
                    &crate::test_support::arriving(
                        tx,
                        a,
                        vec![(item("a1", "https://www.news.example/story/", "spoke"), vec![q])],
                    ),
                    NOW,
                )
            })
            .unwrap();
        let second = store
            .write(|tx| {
                ingest(
                    tx,
                    b,
                    &crate::test_support::arriving(
                        tx,
                        b,
                        vec![(item("b1", "https://news.example/story", "spoke"), vec![q])],
                    ),
                    NOW,
                )
            })
            .unwrap();
        assert_eq!((second.new, second.new_mentions), (1, 0));
        let listed = store.read(|c| list(c, 50)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].source_id, a);
    }
}
