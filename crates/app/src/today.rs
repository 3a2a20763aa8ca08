//! What to do now, and what to know before a call: the Today queue (urgent mentions, follow-ups due,
//! customers to reconnect with, trigger events, new detractors, valuable customers at risk), each contact's
//! "before you call" brief, and the segment lists.

use chrono::Duration;
use earshot_core::money::format_minor;
use earshot_store::cases::{self, Case};
use earshot_store::contacts::{self as store_contacts, ContactSummary, Reconnect};
use earshot_store::inbox::{self, InboxFilter};
use earshot_store::mentions::Mention;
use earshot_store::nps::{self, Detractor, NpsAnswer};
use earshot_store::orders::{self as store_orders, Order};
use earshot_store::tasks::{self, Task};
use earshot_store::value::{self as store_value, ContactValue};
use earshot_store::{settings, timestamp};
use serde::Serialize;
use ts_rs::TS;

use crate::triage::URGENT_FROM;
use crate::{ApiError, Ctx};

/// One screen of facts about a contact, assembled without a click.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ContactBrief {
    pub value: ContactValue,
    pub currency: String,
    pub nps: Vec<NpsAnswer>,
    /// The latest orders, newest first (at most 5).
    pub orders: Vec<Order>,
    pub open_cases: Vec<Case>,
    /// Recent mentions of their organization by others (at most 5).
    pub company_news: Vec<Mention>,
}

pub fn contact_brief(ctx: &Ctx, id: i64) -> Result<ContactBrief, ApiError> {
    let now = ctx.now();
    Ok(ctx.store.read(|c| {
        let contact = store_contacts::get(c, id)?;
        let company_news = match contact.organization.as_deref().map(str::trim).filter(|o| o.chars().count() >= 3) {
            Some(org) => inbox::page(
                c,
                &InboxFilter {
                    state: Some("all".into()),
                    // Every word of the organization's name.
                    search: Some(org.to_string()),
                    sort: Some("newest".into()),
                    limit: Some(10),
                    ..Default::default()
                },
                "",
            )?
            .into_iter()
            .filter(|m| m.contact_id != Some(id))
            .take(5)
            .collect(),
            None => Vec::new(),
        };
        Ok(ContactBrief {
            value: store_value::of_contact(c, id, now)?,
            currency: settings::currency(c)?,
            nps: nps::of_contact(c, id)?,
            orders: store_orders::of_contact(c, id, 5)?,
            open_cases: cases::open_of_contact(c, id)?,
            company_news,
        })
    })?)
}

pub fn case_close(ctx: &Ctx, id: i64, closed: bool) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| cases::set_closed(tx, id, closed, &now))?)
}

/// A contact in a segment list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SegmentMember {
    pub contact: ContactSummary,
    /// Decimal text in the workspace currency.
    pub lifetime_value: String,
    pub lifetime_influence: u8,
    pub lifetime_activity: f64,
    pub segment: String,
    pub at_risk: Option<String>,
}

/// The members of a segment (`champion`, `big_spender`, `voice`, `everyone`) or of `at_risk`.
pub fn segment_members(ctx: &Ctx, segment: &str, limit: i64) -> Result<Vec<SegmentMember>, ApiError> {
    if !["champion", "big_spender", "voice", "everyone", "at_risk"].contains(&segment) {
        return Err(ApiError::invalid(format!(
            "\"{segment}\" is not a segment; use champion, big_spender, voice, everyone or at_risk"
        )));
    }
    Ok(ctx.store.read(|c| {
        let currency = settings::currency(c)?;
        let members = store_value::members(c, segment, limit)?;
        let ids: Vec<i64> = members.iter().map(|(id, _)| *id).collect();
        let summaries = store_contacts::summaries(c, &ids)?;
        Ok(summaries
            .into_iter()
            .zip(members)
            .map(|(contact, (_, v))| SegmentMember {
                contact,
                lifetime_value: format_minor(v.lifetime_value_minor, &currency),
                lifetime_influence: v.lifetime_influence,
                lifetime_activity: v.lifetime_activity,
                segment: v.segment,
                at_risk: v.at_risk,
            })
            .collect())
    })?)
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Today {
    /// Open mentions urgent enough to answer now, most pressing first.
    pub urgent: Vec<Mention>,
    /// Follow-ups due by the end of today, overdue first.
    pub follow_ups: Vec<Task>,
    /// Customers overdue for a touch.
    pub reconnect: Vec<Reconnect>,
    /// Open mentions that are trigger events: a job change, a launch, news about someone's company.
    pub triggers: Vec<Mention>,
    /// Contacts who answered 0-6 in the last 30 days.
    pub detractors: Vec<Detractor>,
    /// Valuable customers at risk, most valuable first.
    pub at_risk: Vec<SegmentMember>,
}

const TODAY_LIST: usize = 10;

pub fn today(ctx: &Ctx) -> Result<Today, ApiError> {
    let now = ctx.now();
    let now_text = timestamp(now);
    let end_of_day = timestamp(now + Duration::hours(24) - Duration::seconds(1));
    let month_ago = timestamp(now - Duration::days(30));
    let at_risk = segment_members(ctx, "at_risk", TODAY_LIST as i64)?;
    Ok(ctx.store.read(|c| {
        let open = |intent: Option<&str>, sort: &str| {
            inbox::page(
                c,
                &InboxFilter {
                    intent: intent.map(Into::into),
                    sort: Some(sort.into()),
                    limit: Some(50),
                    ..Default::default()
                },
                &now_text,
            )
        };
        let urgent =
            open(None, "priority")?.into_iter().filter(|m| m.urgency >= URGENT_FROM).take(TODAY_LIST).collect();
        let triggers = open(Some("trigger"), "newest")?.into_iter().take(TODAY_LIST).collect();
        let mut reconnect = store_contacts::reconnect(c, now)?;
        reconnect.truncate(TODAY_LIST);
        let detractors = nps::recent_detractors(c, &month_ago, TODAY_LIST as i64)?;
        Ok(Today {
            urgent,
            follow_ups: tasks::open_due(c, Some(&end_of_day))?.into_iter().take(TODAY_LIST * 2).collect(),
            reconnect,
            triggers,
            detractors,
            at_risk,
        })
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    fn seed(ctx: &Ctx) {
        ctx.store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO organizations (id, name, name_key, created_at) VALUES (1, 'Velo Works', 'velo works', 'x');
                     INSERT INTO contacts (id, display_name, sort_key, organization_id, created_at, updated_at)
                       VALUES (1, 'Ana', 'ana', 1, 'x', 'x'), (2, 'Bo', 'bo', NULL, 'x', 'x');
                     INSERT INTO sources (id, kind, name, url, created_at) VALUES (1, 'manual', 'Captured', 'manual:', 'x');
                     INSERT INTO mentions (id, source_id, external_id, text, fetched_at, matches, urgency, intents, contact_id)
                       VALUES (1, 1, 'a', 'Velo Works opens a second shop in March', '2026-11-20T00:00:00Z', 1, 0.2, 'trigger', NULL),
                              (2, 1, 'b', 'Still no refund, this is unacceptable', '2026-11-24T00:00:00Z', 1, 0.9, 'complaint', 1);
                     INSERT INTO cases (id, mention_id, contact_id, title, priority, opened_at)
                       VALUES (1, 2, 1, 'Still no refund', 'high', '2026-11-24T00:00:00Z');
                     INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, description, created_at)
                       VALUES ('csv', '1', 1, '2026-10-01T00:00:00Z', 'paid', 'USD', 120000, 'Road bike', 'x'),
                              ('csv', '2', 2, '2026-10-01T00:00:00Z', 'paid', 'USD', 1500, 'Tube', 'x');
                     INSERT INTO nps_answers (contact_id, score, comment, answered_at, answer_key, created_at)
                       VALUES (1, 3, 'refund!', '2026-11-20T00:00:00Z', 'k', 'x');
                     INSERT INTO tasks (contact_id, title, due_at, created_at) VALUES (1, 'Call Ana back', '2026-11-25T09:00:00Z', 'x');",
                )?;
                Ok(())
            })
            .unwrap();
        crate::value::values_refresh(ctx).unwrap();
    }

    #[test]
    fn the_brief_puts_value_purchases_cases_answers_and_company_news_on_one_screen() {
        let (_d, ctx) = ctx();
        seed(&ctx);
        let b = contact_brief(&ctx, 1).unwrap();
        assert_eq!(b.value.lifetime_value.net_minor, 120000);
        assert_eq!(b.orders[0].description.as_deref(), Some("Road bike"));
        assert_eq!(b.open_cases.len(), 1);
        assert_eq!(b.nps[0].score, 3);
        assert_eq!(b.company_news.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1]);
        case_close(&ctx, 1, true).unwrap();
        assert!(contact_brief(&ctx, 1).unwrap().open_cases.is_empty());
        assert!(contact_brief(&ctx, 99).is_err());
    }

    #[test]
    fn today_lists_what_to_do_now() {
        let (_d, ctx) = ctx();
        seed(&ctx);
        let t = today(&ctx).unwrap();
        assert_eq!(t.urgent.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(t.triggers.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1]);
        assert_eq!(t.follow_ups[0].title, "Call Ana back");
        assert_eq!(t.detractors[0].name, "Ana");
        // Ana is the most valuable customer, with an open issue and a negative word this month.
        assert_eq!(t.at_risk.len(), 1);
        assert_eq!(t.at_risk[0].contact.id, 1);
        assert!(t.at_risk[0].at_risk.as_deref().unwrap().contains("open issue"));
        let champions = segment_members(&ctx, "champion", 10).unwrap();
        assert_eq!(champions.iter().map(|m| m.contact.id).collect::<Vec<_>>(), vec![1]);
        assert!(segment_members(&ctx, "vips", 10).is_err());
    }
}
