//! Triage use cases: the inbox page, one-keystroke decisions (on one mention or a selection), undo, linking
//! authors to contacts, rules, replies into the outbox, and what the owner's decisions taught.
//!
//! A decision over a selection is one transaction and one batch: it all happens, or none of it, and one
//! undo takes it all back.

use chrono::{DateTime, Utc};
use earshot_core::analysis::learn::{Adjustment, Classifier, Prediction};
use earshot_core::analysis::Intent;
use earshot_core::analysis::{self, Speaker};
use earshot_core::tid;
use earshot_core::triage::Decision;
use earshot_store::inbox::{self, InboxFilter};
use earshot_store::mentions::Mention;
use earshot_store::outbox::{self, OutboxItem};
use earshot_store::rescoring;
use earshot_store::rules::{self, Rule};
use earshot_store::triage::{self, Decided, DecisionOptions, Undone};
use earshot_store::{Connection, StoreError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

/// Items with urgency at or above this are "urgent": notified, counted on the tray badge.
pub const URGENT_FROM: f64 = 0.7;
/// How many open items are re-scored when the owner's decisions teach something new.
const RESCORE_LIMIT: i64 = 5_000;
/// A "not relevant" prediction below this confidence does not lower an item's priority.
const RELEVANCE_CONFIDENCE: f64 = 0.6;

#[derive(Debug, Clone, Serialize, TS)]
pub struct InboxItem {
    #[serde(flatten)]
    pub mention: Mention,
    /// What the owner's past decisions say this is, and how sure that is.
    pub learned: Option<Prediction>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub urgent: i64,
    /// How many decisions the learning has seen.
    pub learned_from: u32,
}

fn parse_time(input: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => earshot_store::parse_timestamp(s).map(Some).ok_or_else(|| {
            ApiError::invalid(format!("\"{s}\" is not a {what} (expected a date and time like 2026-12-01T09:00:00Z)"))
        }),
    }
}

/// What every decision so far taught: the workspace's corrections to the model's intents, a classifier of
/// what filed items were filed as, and relevance (ignored versus kept).
pub struct Learned {
    pub adjustment: Adjustment,
    pub intent: Classifier,
    pub relevance: Classifier,
}

/// The newest decisions the learning uses: enough to learn a workspace's sense of its words, few enough to
/// rebuild in milliseconds after each decision.
const LEARN_FROM: i64 = 3_000;

/// The classifiers, kept with the triage-log version they were built from.
pub(crate) type LearnedCache = std::sync::Mutex<Option<(i64, std::sync::Arc<Learned>)>>;

/// What the decisions taught, from the cache when no decision was made since.
pub(crate) fn learned_cached(ctx: &Ctx, conn: &Connection) -> Result<std::sync::Arc<Learned>, StoreError> {
    let version = rescoring::log_version(conn)?;
    let mut cache = ctx.learned.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((v, l)) = cache.as_ref() {
        if *v == version {
            return Ok(l.clone());
        }
    }
    let fresh = std::sync::Arc::new(learned(conn)?);
    *cache = Some((version, fresh.clone()));
    Ok(fresh)
}

/// Rebuilds what the decisions taught. Each mention counts once, with its current decision.
pub fn learned(conn: &Connection) -> Result<Learned, StoreError> {
    let mut intent = Classifier::default();
    let mut relevance = Classifier::default();
    let mut filed = Vec::new();
    // Oldest first, so the correction learns in the order the owner decided.
    for (text, state, filed_as) in rescoring::decided_texts(conn, LEARN_FROM)?.into_iter().rev() {
        relevance.learn(if state == "ignored" { "irrelevant" } else { "relevant" }, &text);
        if let Some(label) = filed_as.as_deref().and_then(Decision::parse).and_then(Decision::intent_label) {
            intent.learn(label, &text);
            if let Some(i) = Intent::parse(label) {
                filed.push((text, i));
            }
        }
    }
    let adjustment = analysis::model::embedded().map(|m| Adjustment::learn(m, &filed)).unwrap_or_default();
    Ok(Learned { adjustment, intent, relevance })
}

pub fn mentions_inbox(ctx: &Ctx, filter: &InboxFilter) -> Result<InboxPage, ApiError> {
    let now = ctx.now_text();
    ctx.store
        .read(|c| {
            let page = inbox::page(c, filter, &now)?;
            let (open, urgent) = inbox::open_counts(c, &now, URGENT_FROM)?;
            let taught = learned_cached(ctx, c)?;
            let items = page
                .into_iter()
                .map(|m| {
                    let text = format!("{} {}", m.title.as_deref().unwrap_or_default(), m.text);
                    InboxItem { learned: taught.intent.predict(&text), mention: m }
                })
                .collect();
            Ok(InboxPage { items, open, urgent, learned_from: taught.relevance.examples() })
        })
        .map_err(Into::into)
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct TriageInput {
    #[ts(type = "number[]")]
    pub ids: Vec<i64>,
    pub decision: Option<Decision>,
    /// When a lead's follow-up is due (default tomorrow).
    pub due_at: Option<String>,
    /// When a snooze ends (default tomorrow).
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TriageResult {
    #[ts(type = "number")]
    pub batch: i64,
    pub decided: Vec<Decided>,
}

/// Applies one decision to every selected mention, in one transaction and one undoable batch.
pub fn mention_triage(ctx: &Ctx, input: &TriageInput) -> Result<TriageResult, ApiError> {
    let decision = input.decision.ok_or_else(|| {
        ApiError::invalid("say what to do: lead, issue, praise, idea, question, done, ignore or snooze")
    })?;
    if input.ids.is_empty() {
        return Err(ApiError::invalid("no mention selected"));
    }
    let now = ctx.now();
    let options = DecisionOptions {
        due_at: parse_time(input.due_at.as_deref(), "due date")?,
        until: parse_time(input.until.as_deref(), "snooze end")?,
    };
    if options.until.is_some_and(|t| t <= now) {
        return Err(ApiError::invalid("a snooze must end in the future"));
    }
    let result = ctx.store.write(|tx| {
        let batch = triage::next_batch(tx)?;
        let decided = input
            .ids
            .iter()
            .map(|id| triage::decide(tx, batch, *id, decision, &options, now))
            .collect::<Result<_, _>>()?;
        Ok(TriageResult { batch, decided })
    })?;
    tracing::info!(batch = result.batch, decision = decision.as_str(), mentions = ?input.ids, "mentions triaged");
    Ok(result)
}

/// Takes back the newest decision (the whole selection it covered).
pub fn mention_undo(ctx: &Ctx) -> Result<Option<Undone>, ApiError> {
    let now = ctx.now();
    let undone = ctx.store.write(|tx| triage::undo(tx, now))?;
    if undone.is_some() {
        tracing::info!("last triage undone");
    }
    Ok(undone)
}

pub fn mention_link(ctx: &Ctx, mention_id: i64, contact_id: i64) -> Result<(), ApiError> {
    let now = ctx.now();
    Ok(ctx.store.write(|tx| {
        let batch = triage::next_batch(tx)?;
        triage::link(tx, batch, mention_id, contact_id, now)
    })?)
}

/// Creates a contact from the author of a mention; returns the contact id.
pub fn mention_create_contact(ctx: &Ctx, mention_id: i64) -> Result<i64, ApiError> {
    let now = ctx.now();
    Ok(ctx.store.write(|tx| {
        let batch = triage::next_batch(tx)?;
        triage::create_contact(tx, batch, mention_id, now)
    })?)
}

/// Queues a reply to a Mastodon or Bluesky mention (sent by the engine when online), or, for any other
/// source, says to answer it on its site and use `mention_mark_replied`.
pub fn mention_reply(ctx: &Ctx, mention_id: i64, text: &str) -> Result<OutboxItem, ApiError> {
    let now = ctx.now();
    let id = ctx.store.write(|tx| queue_reply(tx, mention_id, text, now))?;
    Ok(ctx.store.read(|c| outbox::get(c, id))?)
}

/// Queues `text` as the reply to a mention, threaded as its network needs, and logs the mention answered at
/// `now`. Returns the outbox item's id.
pub(crate) fn queue_reply(
    tx: &earshot_store::rusqlite::Transaction<'_>,
    mention_id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (kind, raw) = triage::reply_context(tx, mention_id)?;
    let raw: serde_json::Value = raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default();
    let target = earshot_sync::outbox::target_of(&kind, &raw).ok_or_else(|| {
        StoreError::Invalid(format!(
            "replies to {kind} mentions are written on the site itself: open the original, answer there, then mark it replied"
        ))
    })?;
    let key = tid::encode(now.timestamp_micros(), tid::random_clock_id());
    let id = outbox::queue(tx, mention_id, &kind, text, &target.to_string(), &key, &earshot_store::timestamp(now))?;
    let batch = triage::next_batch(tx)?;
    triage::mark_replied(tx, batch, mention_id, Some(id), now)?;
    Ok(id)
}

/// Logs that a mention was answered outside Earshot.
pub fn mention_mark_replied(ctx: &Ctx, mention_id: i64) -> Result<(), ApiError> {
    let now = ctx.now();
    Ok(ctx.store.write(|tx| {
        let batch = triage::next_batch(tx)?;
        triage::mark_replied(tx, batch, mention_id, None, now)
    })?)
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct HideLikeInput {
    #[ts(type = "number")]
    pub mention_id: i64,
    /// author, or keyword with `phrase`.
    pub field: String,
    pub phrase: Option<String>,
}

/// "Not relevant, and hide mentions like this": ignores the mention and adds a rule, as one undoable step.
pub fn mention_hide_like(ctx: &Ctx, input: &HideLikeInput) -> Result<Rule, ApiError> {
    let now = ctx.now();
    let id = ctx.store.write(|tx| {
        let batch = triage::next_batch(tx)?;
        triage::decide(tx, batch, input.mention_id, Decision::Ignore, &DecisionOptions::default(), now)?;
        rules::rule_from_mention(tx, batch, input.mention_id, &input.field, input.phrase.as_deref(), now)
    })?;
    rules_list(ctx)?.into_iter().find(|r| r.id == id).ok_or_else(|| ApiError::invalid("the rule was not saved"))
}

pub fn rules_list(ctx: &Ctx) -> Result<Vec<Rule>, ApiError> {
    Ok(ctx.store.read(rules::rules_list)?)
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct RuleInput {
    pub field: String,
    pub value: String,
    pub action: String,
    pub tag: Option<String>,
    /// The member an `assign` rule sends mentions to.
    pub member: Option<String>,
}

pub fn rule_add(ctx: &Ctx, input: &RuleInput) -> Result<Rule, ApiError> {
    let now = ctx.now_text();
    let id = ctx.store.write(|tx| {
        rules::rule_add(
            tx,
            &input.field,
            &input.value,
            &input.action,
            input.tag.as_deref(),
            input.member.as_deref(),
            &now,
        )
    })?;
    rules_list(ctx)?.into_iter().find(|r| r.id == id).ok_or_else(|| ApiError::invalid("the rule was not saved"))
}

pub fn rule_remove(ctx: &Ctx, id: i64) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| rules::rule_remove(tx, id, &now))?)
}

/// Contacts the author of a mention may be, with the evidence: offered when linking, never applied alone.
pub fn mention_suggest_contacts(
    ctx: &Ctx,
    mention_id: i64,
) -> Result<Vec<earshot_store::people::Suggestion>, ApiError> {
    Ok(ctx.store.read(|c| earshot_store::people::suggest(c, mention_id))?)
}

/// Why the model read a mention as it did: the words and signals that moved its sentiment and intents.
pub fn mention_explain(ctx: &Ctx, mention_id: i64) -> Result<analysis::Explanation, ApiError> {
    let m = ctx.store.read(|c| earshot_store::mentions::get(c, mention_id))?;
    Ok(analysis::explain(&analysis::titled(m.title.as_deref(), &m.text)))
}

/// People in conversations: authors who are not contacts, the most heard first.
pub fn people_list(ctx: &Ctx) -> Result<Vec<earshot_store::people::Person>, ApiError> {
    Ok(ctx.store.read(|c| earshot_store::people::list(c, 500))?)
}

pub fn outbox_list(ctx: &Ctx) -> Result<Vec<OutboxItem>, ApiError> {
    Ok(ctx.store.read(|c| outbox::list(c, 500))?)
}

pub fn outbox_retry(ctx: &Ctx, id: i64) -> Result<OutboxItem, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| outbox::retry(tx, id, &now))?;
    Ok(ctx.store.read(|c| outbox::get(c, id))?)
}

/// Re-scores open items with what the owner's decisions taught (their intents read with the workspace's
/// corrections, items like those marked not relevant sink) and with their authors' current value and
/// segment. Returns how many items changed. Bounded to the newest open items so it stays quick.
pub fn inbox_rescore(ctx: &Ctx) -> Result<usize, ApiError> {
    let taught = ctx.store.read(|c| learned_cached(ctx, c))?;
    let learned_enough = taught.relevance.examples() >= analysis::learn::MIN_EXAMPLES;
    let open = ctx.store.read(|c| rescoring::open_items(c, RESCORE_LIMIT))?;
    let changes: Vec<rescoring::Rescored> = open
        .into_iter()
        .filter_map(|item| {
            let irrelevance = if learned_enough {
                taught.relevance.scores(&item.text).into_iter().find(|p| p.label == "irrelevant").map_or(0.0, |p| {
                    if p.confidence >= RELEVANCE_CONFIDENCE {
                        p.confidence
                    } else {
                        0.0
                    }
                })
            } else {
                item.irrelevance
            };
            let speaker = Speaker {
                followers: item.followers,
                known_customer: item.known_customer,
                value_percentile: item.customer_weight,
            };
            let read = analysis::analyze_adjusted(&item.text, &speaker, Some(&taught.adjustment));
            let intents = read.intents.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",");
            let urgency = if intents == item.intents { item.urgency } else { read.urgency };
            let priority = analysis::priority(urgency, &speaker, irrelevance);
            let changed = intents != item.intents
                || (irrelevance - item.irrelevance).abs() > 1e-6
                || (priority - item.priority).abs() > 1e-6;
            changed.then_some(rescoring::Rescored { id: item.id, intents, urgency, irrelevance, priority })
        })
        .collect();
    ctx.store.write(|tx| rescoring::set_scores(tx, &changes))?;
    Ok(changes.len())
}

/// Whether urgent mentions raise a desktop notification and a count on the tray icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Alerts {
    pub notify: bool,
    pub badge: bool,
}

pub fn alerts_get(ctx: &Ctx) -> Result<Alerts, ApiError> {
    use earshot_store::settings;
    Ok(ctx.store.read(|c| {
        Ok(Alerts {
            notify: settings::get(c, settings::NOTIFY_URGENT)?.as_deref() != Some("off"),
            badge: settings::get(c, settings::TRAY_BADGE)?.as_deref() != Some("off"),
        })
    })?)
}

pub fn alerts_set(ctx: &Ctx, alerts: Alerts) -> Result<Alerts, ApiError> {
    use earshot_store::settings;
    let on_off = |b: bool| if b { "on" } else { "off" };
    ctx.store.write(|tx| {
        settings::set(tx, settings::NOTIFY_URGENT, on_off(alerts.notify))?;
        settings::set(tx, settings::TRAY_BADGE, on_off(alerts.badge))
    })?;
    alerts_get(ctx)
}

/// What to tell the owner after new mentions arrived: the urgent ones not yet notified (only when
/// notifications are on; each is returned once) and how many urgent items are open (for the tray badge).
#[derive(Debug, Clone, Serialize)]
pub struct UrgentNews {
    pub notify: Vec<Mention>,
    pub urgent_open: i64,
    pub alerts: Alerts,
}

/// At most this many notifications at once; more are summed up in the last one.
pub const NOTIFY_AT_MOST: i64 = 3;

/// What the desktop notification of an urgent mention says: its title (plain text, as notification servers
/// show a summary) and its body, with `&`, `<` and `>` escaped. Notification servers read a little markup in
/// the body (links, images, bold): escaped, a mention's text cannot show a spoofed link or make the desktop
/// fetch an image.
pub fn urgent_notification(m: &Mention) -> (String, String) {
    let who = m.author_name.as_deref().or(m.author_handle.as_deref()).unwrap_or("Someone");
    let what =
        if m.intents.contains(&earshot_core::analysis::Intent::Complaint) { "complaint" } else { "urgent mention" };
    let customer = m.contact_name.as_deref().map(|n| format!(" (customer {n})")).unwrap_or_default();
    let body = earshot_core::triage::snippet(m.title.as_deref().unwrap_or(&m.text), 160);
    (format!("Earshot: {what} from {who}{customer}"), notification_markup_escaped(&body))
}

/// A notification's title and body for a mention a teammate assigned to this desktop's member, escaped like
/// [`urgent_notification`]'s.
pub fn assigned_notification(m: &Mention) -> (String, String) {
    let who = m.author_name.as_deref().or(m.author_handle.as_deref()).unwrap_or("someone");
    let body = earshot_core::triage::snippet(m.title.as_deref().unwrap_or(&m.text), 160);
    (format!("Earshot: assigned to you, from {who}"), notification_markup_escaped(&body))
}

/// Text escaped for the body markup of the Desktop Notifications specification.
fn notification_markup_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn urgent_news(ctx: &Ctx) -> Result<UrgentNews, ApiError> {
    use earshot_store::settings;
    let alerts = alerts_get(ctx)?;
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| {
        let newest = inbox::newest_id(tx)?;
        // The first time, start from now: what was heard before is not news.
        let after = match settings::get(tx, settings::NOTIFIED_UP_TO)? {
            Some(v) => v.parse().unwrap_or(newest),
            None => newest,
        };
        let notify =
            if alerts.notify { inbox::urgent_after(tx, after, URGENT_FROM, NOTIFY_AT_MOST + 1)? } else { Vec::new() };
        settings::set(tx, settings::NOTIFIED_UP_TO, &newest.to_string())?;
        let (_, urgent_open) = inbox::open_counts(tx, &now, URGENT_FROM)?;
        Ok(UrgentNews { notify, urgent_open, alerts })
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listening::{capture, queries_add, Capture};
    use crate::test_support::ctx;

    fn heard(ctx: &Ctx, text: &str) -> i64 {
        let c = Capture {
            url: format!("https://forum.example/{}", text.len()),
            text: text.into(),
            author: Some("Ann".into()),
            network: None,
        };
        capture(ctx, &c, None).unwrap().id
    }

    #[test]
    fn a_notifications_body_shows_hostile_markup_as_text() {
        let (_dir, ctx) = ctx();
        queries_add(&ctx, "brand", "spokes").unwrap();
        let id = heard(
            &ctx,
            "Spokes <a href=\"https://evil.example\">refund here</a> <img src=\"https://t.example/x.png\"> & furious",
        );
        let m = ctx.store.read(|c| earshot_store::mentions::get(c, id)).unwrap();
        let (title, body) = urgent_notification(&m);
        assert_eq!(title, "Earshot: urgent mention from Ann");
        assert!(!body.contains('<') && !body.contains('>'), "{body}");
        assert!(body.contains("&lt;a href=") && body.contains("&amp; furious"), "{body}");
    }

    #[test]
    fn an_urgent_mention_is_notified_once_and_not_when_notifications_are_off() {
        let (_dir, ctx) = ctx();
        queries_add(&ctx, "brand", "spokes").unwrap();
        assert!(urgent_news(&ctx).unwrap().notify.is_empty(), "what was heard before is not news");
        let angry = heard(&ctx, "Spokes lost my bike and nobody answers, worst service ever, furious!!!");
        heard(&ctx, "Spokes opens at nine");
        let news = urgent_news(&ctx).unwrap();
        assert_eq!(news.notify.iter().map(|m| m.id).collect::<Vec<_>>(), vec![angry]);
        assert_eq!(news.urgent_open, 1);
        assert!(urgent_news(&ctx).unwrap().notify.is_empty(), "each mention is notified once");

        alerts_set(&ctx, Alerts { notify: false, badge: false }).unwrap();
        heard(&ctx, "Spokes broke my wheel, absolutely furious, never again!!!");
        let quiet = urgent_news(&ctx).unwrap();
        assert!(quiet.notify.is_empty());
        assert!(!quiet.alerts.badge);
    }

    #[test]
    fn what_the_owner_files_as_leads_reads_as_a_lead_until_the_decisions_are_undone() {
        let (_dir, ctx) = ctx();
        queries_add(&ctx, "brand", "spokes").unwrap();
        let open = heard(&ctx, "spokes brake bleed special this month");
        let intents = |ctx: &Ctx| ctx.store.read(|c| earshot_store::mentions::get(c, open)).unwrap().intents;
        assert!(!intents(&ctx).contains(&earshot_core::analysis::Intent::Lead), "{:?}", intents(&ctx));
        let taught: Vec<i64> = [
            "spokes brake bleed special",
            "spokes: the brake bleed special please",
            "saw the spokes brake bleed special x",
            "spokes brake bleed special on saturday?",
            "spokes brake bleed special for my two bikes",
            "is the spokes brake bleed special still on now",
        ]
        .iter()
        .map(|t| heard(&ctx, t))
        .collect();
        let lead = TriageInput { ids: taught, decision: Some(Decision::Lead), ..Default::default() };
        mention_triage(&ctx, &lead).unwrap();
        assert!(inbox_rescore(&ctx).unwrap() >= 1);
        assert!(intents(&ctx).contains(&earshot_core::analysis::Intent::Lead), "{:?}", intents(&ctx));
        let page = mentions_inbox(&ctx, &InboxFilter::default()).unwrap();
        assert_eq!(page.learned_from, 6);

        mention_undo(&ctx).unwrap();
        inbox_rescore(&ctx).unwrap();
        assert!(!intents(&ctx).contains(&earshot_core::analysis::Intent::Lead), "the lesson left with the decisions");
    }

    #[test]
    fn a_complaint_is_explained_by_the_words_that_made_it_one() {
        let (_dir, ctx) = ctx();
        queries_add(&ctx, "brand", "spokes").unwrap();
        let id = heard(&ctx, "Spokes still has not refunded me, terrible service");
        let why = mention_explain(&ctx, id).unwrap();
        let complaint = why.intents.iter().find(|r| r.intent == Intent::Complaint).expect("read as a complaint");
        assert!(!complaint.reasons.is_empty() && complaint.reasons.len() <= 5);
        assert!(complaint.reasons[0].weight > 0.0, "the strongest reason pushes toward the complaint");
        assert!(why.sentiment.iter().any(|r| r.weight < 0.0), "{:?}", why.sentiment);
        assert_eq!(mention_explain(&ctx, 9_999).unwrap_err().code, crate::ApiErrorCode::NotFound);
    }

    #[test]
    fn a_decision_over_a_selection_is_undone_whole_and_a_bad_input_names_the_problem() {
        let (_dir, ctx) = ctx();
        queries_add(&ctx, "brand", "spokes").unwrap();
        let ids = vec![heard(&ctx, "spokes one"), heard(&ctx, "spokes two two")];
        let input = TriageInput { ids: ids.clone(), decision: Some(Decision::Done), ..Default::default() };
        assert_eq!(mention_triage(&ctx, &input).unwrap().decided.len(), 2);
        assert_eq!(mention_undo(&ctx).unwrap().unwrap().mention_ids, ids);
        let no_decision = TriageInput { ids: ids.clone(), ..Default::default() };
        assert!(mention_triage(&ctx, &no_decision).unwrap_err().message.contains("say what to do"));
        let past = TriageInput {
            ids,
            decision: Some(Decision::Snooze),
            until: Some("2020-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert!(mention_triage(&ctx, &past).unwrap_err().message.contains("future"));
        let bad_reply = mention_reply(&ctx, 1, "thanks").unwrap_err();
        assert!(bad_reply.message.contains("open the original"), "{}", bad_reply.message);
    }
}
