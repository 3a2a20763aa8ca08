//! What happens to an item as it arrives, on the store's side. Before the write, [`plan`] reads what the
//! assessment needs (which items are new or changed, their authors' contacts and customer weights, the
//! owner's rules); the caller assesses them ([`earshot_core::triage::assess`], pure) outside the write; then
//! [`crate::mentions::ingest`] stores each with its [`Assessment`] and `settle` applies what it decided.

use earshot_core::mention::NewMention;
use earshot_core::triage::{self as rules_of, Assessment, AuthorFacts};
use rusqlite::{params, Connection, Transaction};

use crate::rules::{self, Rule};
use crate::{triage, Result};

/// An item on its way into the store: what was fetched, the queries it matched, and its assessment (`None`
/// when nothing it is read by changed: an item already stored with the same title and text).
#[derive(Debug, Clone)]
pub struct Arriving {
    pub mention: NewMention,
    pub query_ids: Vec<i64>,
    pub assessment: Option<Assessment>,
}

/// What the assessment of one fetch needs, read before the write.
#[derive(Debug, Clone, Default)]
pub struct ArrivalPlan {
    /// The owner's live rules.
    pub rules: Vec<Rule>,
    /// Per item, in order: its author's facts when it needs assessing, `None` when it does not (removed by
    /// the owner, or stored already with the same title and text).
    pub authors: Vec<Option<AuthorFacts>>,
}

impl ArrivalPlan {
    /// Assesses the items this plan was read for (pure: run it outside the write).
    pub fn assess(self, source_id: i64, items: Vec<(NewMention, Vec<i64>)>) -> Vec<Arriving> {
        let tests: Vec<_> = self.rules.iter().map(Rule::test).collect();
        items
            .into_iter()
            .zip(self.authors)
            .map(|((mention, query_ids), author)| Arriving {
                assessment: author.map(|a| rules_of::assess(&mention, source_id, &a, &tests)),
                mention,
                query_ids,
            })
            .collect()
    }
}

/// Reads what assessing `items` from `source_id` needs.
pub fn plan(conn: &Connection, source_id: i64, items: &[&NewMention]) -> Result<ArrivalPlan> {
    let kind: String =
        conn.prepare_cached("SELECT kind FROM sources WHERE id = ?1")?.query_row([source_id], |r| r.get(0))?;
    let network = rules_of::network_of(&kind);
    let mut stored = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM mention_tombstones WHERE source_id = ?1 AND external_id = ?2),
                (SELECT title IS ?3 AND text = ?4 FROM mentions WHERE source_id = ?1 AND external_id = ?2)",
    )?;
    let mut authors = Vec::with_capacity(items.len());
    for m in items {
        let (removed, same_text): (bool, Option<bool>) =
            stored.query_row(params![source_id, m.external_id, m.title, m.text], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if removed || same_text == Some(true) {
            authors.push(None);
            continue;
        }
        let contact = match (network, &m.author.handle) {
            (Some(network), Some(handle)) => identity_contact(conn, network, handle)?,
            _ => None,
        };
        let customer_weight = match contact {
            Some(id) => crate::value::customer_weight(conn, id)?,
            None => None,
        };
        authors.push(Some(AuthorFacts { contact, customer_weight }));
    }
    Ok(ArrivalPlan { rules: rules::rules_list(conn)?, authors })
}

/// The live contact with this identity on this network, if exactly one has it.
pub fn identity_contact(conn: &Connection, network: &str, handle: &str) -> Result<Option<i64>> {
    let key = earshot_core::text::handle_key(handle);
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT i.contact_id FROM identities i JOIN contacts c ON c.id = i.contact_id
              WHERE i.network = ?1 AND i.handle_key = ?2 AND c.deleted_at IS NULL LIMIT 2",
        )?
        .query_map(params![network, key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(if ids.len() == 1 { Some(ids[0]) } else { None })
}

/// After a new item is stored: the rules it met (those the owner has not removed since), and reopening
/// the conversation it answers.
pub(crate) fn settle(
    tx: &Transaction<'_>,
    source_id: i64,
    mention_id: i64,
    m: &NewMention,
    rules_met: &[i64],
    live_rules: &[Rule],
    now: &str,
) -> Result<()> {
    for rule in live_rules.iter().filter(|r| rules_met.contains(&r.id)) {
        rules::apply_rule(tx, rule, mention_id, now)?;
    }
    if let Some(thread) = &m.thread {
        reopen_thread(tx, mention_id, source_id, thread, now)?;
    }
    Ok(())
}

/// After an item already stored was edited: its new assessment; the owner's decisions and contact stay.
pub(crate) fn reassessed(tx: &Transaction<'_>, mention_id: i64, m: &NewMention, a: &Assessment) -> Result<()> {
    tx.prepare_cached(
        "UPDATE mentions SET sentiment = ?2, intents = ?3, lang = ?4, urgency = ?5,
                priority = ?6 * (1.0 - irrelevance), contact_id = coalesce(contact_id, ?7), thread = ?8,
                reply_ref = ?9
          WHERE id = ?1",
    )?
    .execute(params![
        mention_id,
        a.compound,
        a.intents_text(),
        a.lang,
        a.urgency,
        a.priority,
        a.contact,
        m.thread,
        m.reply_ref
    ])?;
    Ok(())
}

fn reopen_thread(tx: &Transaction<'_>, mention_id: i64, source_id: i64, thread: &str, now: &str) -> Result<()> {
    let reopened: Vec<(i64, String, Option<String>, Option<i64>)> = tx
        .prepare_cached(
            "SELECT id, state, filed_as, contact_id FROM mentions
              WHERE source_id = ?1 AND id != ?3 AND state IN ('filed', 'done') AND (reply_ref = ?2 OR thread = ?2)",
        )?
        .query_map(params![source_id, thread, mention_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if reopened.is_empty() {
        return Ok(());
    }
    let batch = triage::next_batch(tx)?;
    for (id, state, filed_as, contact_id) in reopened {
        // Reopened items keep what they were filed as, so the owner sees what the conversation was about.
        tx.execute("UPDATE mentions SET state = 'new', snoozed_until = NULL WHERE id = ?1", [id])?;
        let before = triage::Before { state, filed_as, contact_id, ..Default::default() };
        triage::log(tx, batch, id, "reopen", &before, &triage::Created::default(), now)?;
    }
    Ok(())
}

/// An item whose assessment went missing between the plan and the write (it was stored or removed in
/// between, then not): stored as an unread neutral item rather than lost; re-scoring reads it again.
pub(crate) fn unread() -> Assessment {
    Assessment {
        compound: 0.0,
        intents: vec![earshot_core::analysis::Intent::Other],
        lang: earshot_core::analysis::lang::UNDETERMINED,
        urgency: 0.0,
        priority: 0.0,
        contact: None,
        rules: Vec::new(),
    }
}
