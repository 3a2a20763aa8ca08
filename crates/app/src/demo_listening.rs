//! The demo shop's listening, stored through the same paths as the real thing: its queries, rules and
//! (demo-marked, never fetched) sources; each scripted mention ingested when it arrived, matched by the live
//! queries and filed by the rules; the owner's decisions, replies, closed cases and the leads' later
//! purchases at the times they happened. Every number the dashboard shows for the demo is computed from this.

use chrono::{DateTime, Duration, Utc};
use earshot_core::contact::ActivityKind;
use earshot_core::demo::Seeded;
use earshot_core::demo_listening::{self as script, Channel, Plan, Said, Voice};
use earshot_core::mention::{Engagement, MentionAuthor, NewMention};
use earshot_core::triage::Decision;
use earshot_store::activities::{self, NewActivity};
use earshot_store::sources::{self, NewSource};
use earshot_store::{
    arrivals, cases, listening_queries, mentions, outbox, rules, settings, timestamp, triage, StoreError,
};

use crate::listening::Matcher;
use crate::{ApiError, Ctx};

/// Sets up the shop's listening and plays its three months of mentions. `customers` are contact ids the
/// customers' voices are drawn from.
pub fn create(ctx: &Ctx, customers: &[(i64, String)]) -> Result<(), ApiError> {
    let now = ctx.now();
    let set_up_at = timestamp(now - Duration::days(91));
    let handles = serde_json::to_string(&script::OWN_HANDLES).map_err(|e| ApiError::invalid(e.to_string()))?;
    let channels = ctx.store.write(|tx| {
        settings::set(tx, settings::OWN_HANDLES, &handles)?;
        for (kind, query) in script::QUERIES {
            listening_queries::add(tx, kind, query, &set_up_at)?;
        }
        for (field, value, action) in script::RULES {
            rules::rule_add(tx, field, value, action, None, None, &set_up_at)?;
        }
        let mut channels = Vec::new();
        for (channel, kind, name, url, config) in script::SOURCES {
            let id = sources::add(tx, &NewSource { kind, name, url, config, credential_id: None }, &set_up_at)?;
            sources::mark_demo(tx, id)?;
            channels.push((channel, id));
        }
        Ok(channels)
    })?;
    let matcher = Matcher::load(ctx)?;
    let mut rng = Seeded::new(0xD3_40_15);
    let open_from = script::SAID.iter().position(|s| s.plan == Plan::Open).unwrap_or(script::SAID.len());
    ctx.store.write(|tx| {
        for (i, said) in script::SAID.iter().enumerate() {
            let arrived = script::arrived_at(i, script::SAID.len(), open_from, now, &mut rng);
            let author = author(said, customers, &mut rng);
            let mention = mention(i, said, author.clone(), arrived, &mut rng).made_safe(arrived);
            let query_ids = matcher.matches(mention.title.as_deref(), &mention.text);
            let fetched_at = timestamp(arrived + Duration::minutes(rng.between(2, 25)));
            let id = match said.channel {
                Channel::Captured(network) => {
                    let source = sources::manual(tx, network, &set_up_at)?;
                    sources::mark_demo(tx, source)?;
                    // The demo is written in one transaction with its sources, so it is assessed inside it.
                    let item =
                        arrivals::plan(tx, source, &[&mention])?.assess(source, vec![(mention.clone(), query_ids)]);
                    mentions::capture(tx, source, &item[0], &fetched_at)?
                }
                channel => {
                    let source = channels.iter().find(|(c, _)| *c == channel).map(|(_, id)| *id).unwrap_or_default();
                    let item =
                        arrivals::plan(tx, source, &[&mention])?.assess(source, vec![(mention.clone(), query_ids)]);
                    mentions::ingest(tx, source, &item, &fetched_at)?;
                    mentions::id_of(tx, source, &mention.external_id)?
                        .ok_or_else(|| StoreError::Invalid(format!("demo mention {i} was not stored")))?
                }
            };
            if let Voice::Customer(_) = said.voice {
                let contact = customer(said.voice, customers).map(|(id, _)| *id).unwrap_or_default();
                let batch = triage::next_batch(tx)?;
                triage::link(tx, batch, id, contact, arrived + Duration::minutes(30))?;
            }
            decide(tx, id, said, arrived, now, &mut rng)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn customer(voice: Voice, customers: &[(i64, String)]) -> Option<&(i64, String)> {
    match voice {
        Voice::Customer(n) if !customers.is_empty() => customers.get(n % customers.len()),
        _ => None,
    }
}

/// (name, handle, followers) of who said it; a customer's handle is made from their name.
fn author(said: &Said, customers: &[(i64, String)], rng: &mut Seeded) -> (String, String, i64) {
    let followers = script::followers(rng);
    match (said.voice, customer(said.voice, customers)) {
        (Voice::Stranger(name, handle), _) => (name.to_string(), handle.to_string(), followers),
        (Voice::Customer(_), Some((_, name))) => {
            let user: String = earshot_core::text::fold(name).chars().filter(char::is_ascii_alphanumeric).collect();
            let handle = match said.channel {
                Channel::MastodonTag => format!("@{user}@mastodon.example"),
                Channel::Bluesky => format!("{user}.bsky.example"),
                _ => user,
            };
            (name.clone(), handle, followers)
        }
        (Voice::Customer(_), None) => ("A customer".into(), "customer".into(), followers),
    }
}

/// The mention as its network would have sent it, with what a reply needs to be threaded.
fn mention(
    i: usize,
    said: &Said,
    (name, handle, followers): (String, String, i64),
    arrived: DateTime<Utc>,
    rng: &mut Seeded,
) -> NewMention {
    let user = handle.trim_start_matches('@').split('@').next().unwrap_or_default().to_string();
    let (url, raw, title) = match said.channel {
        Channel::MastodonTag => {
            let id = format!("11375{:012}", i * 7919);
            let acct = handle.trim_start_matches('@').to_string();
            let raw = serde_json::json!({ "id": id, "account": { "acct": acct } });
            (format!("https://mastodon.example/@{user}/{id}"), Some(raw), None)
        }
        Channel::Bluesky => {
            let rkey = format!("3lde{i:09}");
            let did = format!("did:plc:demo{i:020}");
            let raw = serde_json::json!({
                "uri": format!("at://{did}/app.bsky.feed.post/{rkey}"),
                "cid": format!("bafyreidemo{i:040}"),
            });
            (format!("https://bsky.example/profile/{handle}/post/{rkey}"), Some(raw), None)
        }
        Channel::Alerts => (format!("https://{user}.example/news/{i}"), None, Some(said.text)),
        Channel::YouTube => (format!("https://video.example/watch/demo{i}"), None, Some(said.text)),
        Channel::HackerNews => (format!("https://hn.example/item/{i}"), None, Some(said.text)),
        Channel::Captured(network) => (format!("https://{network}.example/p/demo{i}"), None, None),
    };
    let profile_url = match said.channel {
        Channel::MastodonTag => Some(format!("https://mastodon.example/@{user}")),
        Channel::Bluesky => Some(format!("https://bsky.example/profile/{handle}")),
        _ => None,
    };
    NewMention {
        external_id: format!("demo-{i}"),
        url: Some(url),
        author: MentionAuthor {
            id: None,
            name: Some(name),
            handle: Some(handle),
            profile_url,
            followers: Some(followers),
        },
        title: title.map(str::to_string),
        text: said.text.to_string(),
        published_at: Some(arrived),
        engagement: Engagement {
            likes: Some(rng.between(0, 40)),
            reposts: Some(rng.between(0, 8)),
            replies: Some(rng.between(0, 5)),
        },
        raw: raw.map(|r| r.to_string()),
        ..Default::default()
    }
}

/// What the owner did about it: the decision, the reply (queued and sent, or answered on the site), the
/// case closed, the lead's purchase.
fn decide(
    tx: &earshot_store::rusqlite::Transaction<'_>,
    id: i64,
    said: &Said,
    arrived: DateTime<Utc>,
    now: DateTime<Utc>,
    rng: &mut Seeded,
) -> Result<(), StoreError> {
    let decision = match said.plan {
        Plan::Open | Plan::ByRule => return Ok(()),
        Plan::Praise => Decision::Praise,
        Plan::Issue { .. } => Decision::Issue,
        Plan::Lead { .. } => Decision::Lead,
        Plan::Idea => Decision::Idea,
        Plan::Done => Decision::Done,
        Plan::Ignore => Decision::Ignore,
    };
    let hours = said.reply.map_or_else(|| rng.between(1, 30), |(_, hours)| hours);
    let decided_at = (arrived + Duration::hours(hours) - Duration::minutes(rng.between(1, 20))).min(now);
    let batch = triage::next_batch(tx)?;
    let due = decided_at + Duration::days(2);
    let options = triage::DecisionOptions { due_at: Some(due), until: None };
    let decided = triage::decide(tx, batch, id, decision, &options, decided_at)?;
    if let Some((text, hours)) = said.reply {
        let replied_at = (arrived + Duration::hours(hours)).min(now);
        match said.channel {
            Channel::MastodonTag | Channel::Bluesky => {
                let item = crate::triage::queue_reply(tx, id, text, replied_at)?;
                let sent_at = timestamp(replied_at + Duration::minutes(1));
                outbox::mark_sending(tx, item, &sent_at)?;
                outbox::mark_sent(tx, item, &format!("demo-reply-{id}"), None, &sent_at)?;
            }
            // Feeds and captured posts are answered on the site itself.
            _ => triage::mark_replied(tx, triage::next_batch(tx)?, id, None, replied_at)?,
        }
    }
    match said.plan {
        Plan::Issue { closed_after_days: Some(days) } => {
            if let Some(case) = decided.case_id {
                let closed_at = (decided_at + Duration::days(days)).min(now);
                cases::set_closed(tx, case, true, &timestamp(closed_at))?;
            }
        }
        Plan::Lead { bought: Some((what, pence, days)) } => {
            if let Some(contact) = decided.contact_id {
                let at = (decided_at + Duration::days(days)).min(now - Duration::hours(1));
                let purchase = NewActivity {
                    kind: ActivityKind::Purchase,
                    summary: what.to_string(),
                    occurred_at: timestamp(at),
                    amount_minor: Some(pence),
                    cost_minor: None,
                    currency: Some(earshot_core::demo::CURRENCY.to_string()),
                };
                activities::add(tx, contact, &purchase, &timestamp(at))?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use earshot_core::query::{MatchText, Query};

    use super::*;
    use crate::test_support;

    /// The demo's dashboard, worked out by hand from the script: who bought after becoming a lead, how many
    /// ideas, how the conversation splits between the shop and each competitor, how long replies took.
    #[test]
    fn the_demo_dashboard_is_what_its_formulas_give_on_the_scripted_mentions() {
        let (_dir, ctx) = test_support::ctx();
        crate::demo::demo_create(&ctx, crate::demo::DEMO_CONTACTS).unwrap();
        let said = script::SAID;
        let board = crate::value::metrics_get(&ctx, None, None).unwrap();

        // Every scripted mention was heard by a query and is listed.
        let stored = ctx.store.read(|c| mentions::list(c, 10_000)).unwrap();
        assert_eq!(stored.len(), said.len(), "every scripted mention matches a query");
        let open = said.iter().filter(|s| s.plan == Plan::Open).count();
        let inbox = crate::triage::mentions_inbox(&ctx, &Default::default()).unwrap();
        assert_eq!(inbox.open as usize, open);
        assert!(open >= 10);

        assert_eq!(board.ideas as usize, said.iter().filter(|s| s.plan == Plan::Idea).count());
        let leads: Vec<_> =
            said.iter().filter_map(|s| if let Plan::Lead { bought } = s.plan { Some(bought) } else { None }).collect();
        let bought: Vec<_> = leads.iter().flatten().collect();
        assert_eq!(board.lead_conversion.leads as usize, leads.len());
        assert_eq!(board.lead_conversion.converted as usize, bought.len());
        assert_eq!(board.lead_conversion.revenue_minor, bought.iter().map(|(_, pence, _)| pence).sum::<i64>());

        // Share of conversation: each group's mentions are the scripted ones its query matches.
        let texts: Vec<MatchText> = said.iter().map(|s| MatchText::new(s.text)).collect();
        let heard = |query: &str| texts.iter().filter(|t| Query::parse(query).unwrap().matches(t)).count() as i64;
        let brand = board.share_of_conversation.iter().find(|b| b.kind == "brand").unwrap();
        assert_eq!(brand.mentions, heard(script::QUERIES[0].1));
        for (name, (_, query)) in script::COMPETITORS.iter().zip(&script::QUERIES[1..4]) {
            let share = board.share_of_conversation.iter().find(|b| b.brand == *name).expect(name);
            assert_eq!(share.mentions, heard(query), "{name}");
        }

        // First reply: complaints and questions (as the analysis read them) answered, in minutes.
        let mut replies: Vec<f64> = stored
            .iter()
            .filter(|m| {
                m.intents.iter().any(|i| {
                    matches!(i, earshot_core::analysis::Intent::Complaint | earshot_core::analysis::Intent::Question)
                })
            })
            .filter_map(|m| {
                let i: usize = m.external_id.strip_prefix("demo-")?.parse().ok()?;
                said[i].reply.map(|(_, hours)| (hours * 60) as f64)
            })
            .collect();
        replies.sort_by(f64::total_cmp);
        assert!(!replies.is_empty());
        assert_eq!(board.response_time.replied as usize, replies.len());
        let median = earshot_core::metrics::response_time(0, Vec::new(), replies.clone()).first_reply_median_minutes;
        assert_eq!(board.response_time.first_reply_median_minutes, median);

        // Every card has something to show.
        assert!(board.revenue.gross_minor > 0 && board.nps.responses > 0 && board.retention.customers > 0);
    }

    #[test]
    fn the_demo_sources_are_marked_demo_and_never_due() {
        let (_dir, ctx) = test_support::ctx();
        crate::demo::demo_create(&ctx, 40).unwrap();
        let listed = crate::listening::sources_list(&ctx).unwrap();
        assert_eq!(listed.len(), script::SOURCES.len());
        assert!(listed.iter().all(|s| s.demo && s.status == "demo"));
        let due = ctx.store.read(|c| sources::due(c, &ctx.now_text(), true)).unwrap();
        assert!(due.is_empty(), "a check of everything leaves the demo sources alone");
    }
}
