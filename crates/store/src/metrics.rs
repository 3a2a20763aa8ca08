//! The dashboard: the business's numbers over a period, gathered from the tables and computed with the
//! formulas in `earshot_core::metrics`. Money counts paid orders in the workspace currency only; orders in
//! other currencies are counted apart so the owner sees they exist.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use earshot_core::hours::OpeningHours;
use earshot_core::metrics::{self, BrandShare, BrandVolume, LeadConversion, Nps, ResponseTime, Retention, Sale};
use earshot_core::money::format_minor;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::{settings, value, Result};

/// An amount in major units as a JSON number: printed in its shortest exact form (1234.5 for 1234.50), so it
/// carries the exact decimal; the `_minor` twin is the integer the sums were made of.
fn major(minor: i64, currency: &str) -> f64 {
    format_minor(minor, currency).parse().unwrap_or(0.0)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Revenue {
    pub currency: String,
    pub gross: f64,
    pub refunds: f64,
    pub net: f64,
    #[ts(type = "number")]
    pub gross_minor: i64,
    #[ts(type = "number")]
    pub refunds_minor: i64,
    #[ts(type = "number")]
    pub net_minor: i64,
    #[ts(type = "number")]
    pub orders: i64,
    /// Distinct known buyers with a paid order in the period.
    #[ts(type = "number")]
    pub customers: i64,
    /// Paid orders in another currency, left out of the totals.
    #[ts(type = "number")]
    pub other_currency_orders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MonthNps {
    pub month: String,
    pub score: Option<f64>,
    #[ts(type = "number")]
    pub responses: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PersonScore {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub name: String,
    pub score: u8,
    pub answered_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WeekVolume {
    /// Monday of the week, local date.
    pub week: String,
    pub brand: String,
    #[ts(type = "number")]
    pub mentions: i64,
    pub net_sentiment: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LeadsConverted {
    #[ts(type = "number")]
    pub leads: i64,
    #[ts(type = "number")]
    pub converted: i64,
    pub rate: Option<f64>,
    /// Net revenue of converted leads' orders after they became leads, in the workspace currency.
    pub revenue: f64,
    #[ts(type = "number")]
    pub revenue_minor: i64,
}

impl LeadsConverted {
    fn of(c: LeadConversion, currency: &str) -> Self {
        LeadsConverted {
            leads: c.leads,
            converted: c.converted,
            rate: c.rate,
            revenue: major(c.revenue_minor, currency),
            revenue_minor: c.revenue_minor,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SegmentCount {
    pub segment: String,
    #[ts(type = "number")]
    pub contacts: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub nps: Nps,
    pub nps_by_month: Vec<MonthNps>,
    /// The newest promoters and detractors who are contacts (at most 20 each).
    pub promoters: Vec<PersonScore>,
    pub detractors: Vec<PersonScore>,
    pub revenue: Revenue,
    pub share_of_conversation: Vec<BrandShare>,
    pub conversation_by_week: Vec<WeekVolume>,
    pub response_time: ResponseTime,
    pub lead_conversion: LeadsConverted,
    pub retention: Retention,
    #[ts(type = "number")]
    pub ideas: i64,
    pub segments: Vec<SegmentCount>,
    #[ts(type = "number")]
    pub at_risk: i64,
}

/// The shop's time zone from settings, else `fallback` (the computer's).
pub fn time_zone(conn: &Connection, fallback: Tz) -> Result<Tz> {
    Ok(settings::get(conn, settings::TIME_ZONE)?.and_then(|z| z.parse().ok()).unwrap_or(fallback))
}

pub fn opening_hours(conn: &Connection) -> Result<OpeningHours> {
    Ok(settings::get(conn, settings::OPENING_HOURS)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

fn ts(t: DateTime<Utc>) -> String {
    crate::timestamp(t)
}

fn week_of(t: DateTime<Utc>, zone: Tz) -> String {
    let d = t.with_timezone(&zone).date_naive();
    (d - Duration::days(d.weekday().num_days_from_monday() as i64)).to_string()
}

/// NPS over the period, by month, and the promoters and detractors who are contacts.
struct NpsPart {
    nps: Nps,
    by_month: Vec<MonthNps>,
    promoters: Vec<PersonScore>,
    detractors: Vec<PersonScore>,
}

fn nps_part(conn: &Connection, from: &str, to: &str, zone: Tz) -> Result<NpsPart> {
    let mut stmt = conn.prepare(
        "SELECT a.score, a.answered_at, a.contact_id, c.display_name FROM nps_answers a
           LEFT JOIN contacts c ON c.id = a.contact_id AND c.deleted_at IS NULL
          WHERE a.deleted_at IS NULL AND a.answered_at >= ?1 AND a.answered_at < ?2 ORDER BY a.answered_at DESC",
    )?;
    let mut scores = Vec::new();
    let mut by_month: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let (mut promoters, mut detractors) = (Vec::new(), Vec::new());
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let score: u8 = r.get(0)?;
        let answered_at: String = r.get(1)?;
        scores.push(score);
        if let Some(t) = crate::parse_timestamp(&answered_at) {
            by_month.entry(t.with_timezone(&zone).format("%Y-%m").to_string()).or_default().push(score);
        }
        if let (Some(contact_id), Some(name)) = (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<String>>(3)?) {
            let list = match score {
                9..=10 => &mut promoters,
                0..=6 => &mut detractors,
                _ => continue,
            };
            if list.len() < 20 {
                list.push(PersonScore { contact_id, name, score, answered_at });
            }
        }
    }
    let trend = by_month
        .into_iter()
        .map(|(month, s)| {
            let n = metrics::nps(s);
            MonthNps { month, score: n.score, responses: n.responses }
        })
        .collect();
    Ok(NpsPart { nps: metrics::nps(scores), by_month: trend, promoters, detractors })
}

/// Every paid sale and refund of known buyers in the workspace currency up to `to`, by contact.
fn sales_by_contact(conn: &Connection, currency: &str, to: &str) -> Result<HashMap<i64, Vec<Sale>>> {
    let mut stmt = conn.prepare(
        "SELECT contact_id, placed_at, amount_minor - refunded_minor, kind = 'sale' FROM orders
          WHERE deleted_at IS NULL AND placed_at < ?2 AND status = 'paid' AND currency = ?1 AND contact_id IS NOT NULL",
    )?;
    let mut out: HashMap<i64, Vec<Sale>> = HashMap::new();
    let mut rows = stmt.query([currency, to])?;
    while let Some(r) = rows.next()? {
        let Some(at) = crate::parse_timestamp(&r.get::<_, String>(1)?) else { continue };
        let contact: i64 = r.get(0)?;
        out.entry(contact).or_default().push(Sale {
            contact_id: Some(contact),
            at,
            net_minor: r.get(2)?,
            is_sale: r.get(3)?,
        });
    }
    Ok(out)
}

fn revenue_part(conn: &Connection, currency: &str, from: &str, to: &str) -> Result<Revenue> {
    let (gross, refunds, orders, customers, other): (i64, i64, i64, i64, i64) = conn.query_row(
        "SELECT coalesce(sum(CASE WHEN currency = ?1 AND kind = 'sale' THEN amount_minor END), 0),
                coalesce(sum(CASE WHEN currency = ?1 THEN refunded_minor END), 0),
                count(CASE WHEN currency = ?1 AND kind = 'sale' THEN 1 END),
                count(DISTINCT CASE WHEN currency = ?1 AND kind = 'sale' THEN contact_id END),
                count(CASE WHEN currency != ?1 THEN 1 END)
           FROM orders
          WHERE deleted_at IS NULL AND placed_at >= ?2 AND placed_at < ?3 AND status = 'paid'",
        [currency, from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    Ok(Revenue {
        currency: currency.to_string(),
        gross: major(gross, currency),
        refunds: major(refunds, currency),
        net: major(gross - refunds, currency),
        gross_minor: gross,
        refunds_minor: refunds,
        net_minor: gross - refunds,
        orders,
        customers,
        other_currency_orders: other,
    })
}

fn conversation_part(conn: &Connection, from: &str, to: &str, zone: Tz) -> Result<(Vec<BrandShare>, Vec<WeekVolume>)> {
    let business = settings::get(conn, settings::BUSINESS_NAME)?.filter(|n| !n.trim().is_empty());
    // Every brand query is the business (one group); each competitor query is its own group.
    let mut groups: Vec<BrandVolume> = Vec::new();
    let mut group_of: HashMap<i64, usize> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT id, kind, query FROM listening_queries WHERE deleted_at IS NULL AND kind != 'industry' ORDER BY kind, id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, kind, query): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let existing = (kind == "brand").then(|| groups.iter().position(|g| g.kind == "brand")).flatten();
        let idx = existing.unwrap_or_else(|| {
            let brand = if kind == "brand" { business.clone().unwrap_or_else(|| query.clone()) } else { query.clone() };
            groups.push(BrandVolume { brand, kind: kind.clone(), ..Default::default() });
            groups.len() - 1
        });
        group_of.insert(id, idx);
    }
    let mut stmt = conn.prepare(
        "SELECT mm.query_id, m.id, coalesce(m.published_at, m.fetched_at), coalesce(m.author_followers, 0),
                coalesce(m.likes, 0) + coalesce(m.reposts, 0) + coalesce(m.replies, 0), m.sentiment
           FROM mentions m INDEXED BY mentions_inbox JOIN mention_matches mm ON mm.mention_id = m.id
          WHERE (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL
            AND coalesce(m.published_at, m.fetched_at) >= ?1 AND coalesce(m.published_at, m.fetched_at) < ?2",
    )?;
    let mut seen: HashSet<(usize, i64)> = HashSet::new();
    let mut weekly: BTreeMap<(String, usize), (i64, i64)> = BTreeMap::new();
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let Some(&g) = group_of.get(&r.get::<_, i64>(0)?) else { continue };
        if !seen.insert((g, r.get(1)?)) {
            continue;
        }
        let sentiment: f64 = r.get(5)?;
        let tone = if sentiment >= 0.05 {
            1
        } else if sentiment <= -0.05 {
            -1
        } else {
            0
        };
        let v = &mut groups[g];
        v.mentions += 1;
        v.reach += r.get::<_, i64>(3)?;
        v.engagement += r.get::<_, i64>(4)?;
        v.positive += (tone > 0) as i64;
        v.negative += (tone < 0) as i64;
        if let Some(t) = crate::parse_timestamp(&r.get::<_, String>(2)?) {
            let w = weekly.entry((week_of(t, zone), g)).or_default();
            w.0 += 1;
            w.1 += tone;
        }
    }
    let weeks = weekly
        .into_iter()
        .map(|((week, g), (n, tone))| WeekVolume {
            week,
            brand: groups[g].brand.clone(),
            mentions: n,
            net_sentiment: (tone as f64 / n as f64 * 10_000.0).round() / 10_000.0,
        })
        .collect();
    Ok((metrics::share_of_conversation(&groups), weeks))
}

fn response_part(conn: &Connection, from: &str, to: &str, hours: &OpeningHours, zone: Tz) -> Result<ResponseTime> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(m.published_at, m.fetched_at),
                (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = m.id AND l.undone_at IS NULL
                    AND l.action NOT IN ('undo', 'reopen')),
                (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = m.id AND l.undone_at IS NULL
                    AND l.action IN ('reply', 'replied'))
           FROM mentions m INDEXED BY mentions_inbox
          WHERE (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL
            AND coalesce(m.published_at, m.fetched_at) >= ?1 AND coalesce(m.published_at, m.fetched_at) < ?2
            AND (instr(',' || m.intents || ',', ',complaint,') > 0 OR instr(',' || m.intents || ',', ',question,') > 0)",
    )?;
    let (mut items, mut action, mut reply) = (0, Vec::new(), Vec::new());
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let Some(arrived) = crate::parse_timestamp(&r.get::<_, String>(0)?) else { continue };
        items += 1;
        for (col, list) in [(1, &mut action), (2, &mut reply)] {
            if let Some(t) = r.get::<_, Option<String>>(col)?.as_deref().and_then(crate::parse_timestamp) {
                list.push(hours.minutes_between(arrived, t, zone));
            }
        }
    }
    Ok(metrics::response_time(items, action, reply))
}

fn leads_in(conn: &Connection, from: &str, to: &str) -> Result<Vec<(i64, DateTime<Utc>)>> {
    let mut stmt = conn.prepare(
        "SELECT m.contact_id, l.at FROM triage_log l JOIN mentions m ON m.id = l.mention_id
          WHERE l.action = 'lead' AND l.undone_at IS NULL AND m.contact_id IS NOT NULL AND l.at >= ?1 AND l.at < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at) = row?;
        if let Some(t) = crate::parse_timestamp(&at) {
            out.push((id, t));
        }
    }
    Ok(out)
}

/// The dashboard for [from, to). `fallback_zone` is the computer's zone, used when the owner set none.
pub fn dashboard(conn: &Connection, from: DateTime<Utc>, to: DateTime<Utc>, fallback_zone: Tz) -> Result<Dashboard> {
    let zone = time_zone(conn, fallback_zone)?;
    let hours = opening_hours(conn)?;
    let currency = settings::currency(conn)?;
    let churn_days = value::value_settings(conn)?.churn_days;
    let (f, t) = (ts(from), ts(to));
    let NpsPart { nps, by_month: nps_by_month, promoters, detractors } = nps_part(conn, &f, &t, zone)?;
    let sales = sales_by_contact(conn, &currency, &t)?;
    let (share_of_conversation, conversation_by_week) = conversation_part(conn, &f, &t, zone)?;
    let ideas: i64 = conn.query_row(
        "SELECT count(*) FROM ideas WHERE deleted_at IS NULL AND created_at >= ?1 AND created_at < ?2",
        [&f, &t],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "SELECT segment, count(*) FROM contact_values v JOIN contacts c ON c.id = v.contact_id AND c.deleted_at IS NULL
          GROUP BY segment ORDER BY segment",
    )?;
    let segments = stmt
        .query_map([], |r| Ok(SegmentCount { segment: r.get(0)?, contacts: r.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    let at_risk: i64 = conn.query_row(
        "SELECT count(*) FROM contact_values v JOIN contacts c ON c.id = v.contact_id AND c.deleted_at IS NULL
          WHERE v.at_risk IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(Dashboard {
        from: f.clone(),
        to: t.clone(),
        time_zone: zone.name().to_string(),
        nps,
        nps_by_month,
        promoters,
        detractors,
        revenue: revenue_part(conn, &currency, &f, &t)?,
        share_of_conversation,
        conversation_by_week,
        response_time: response_part(conn, &f, &t, &hours, zone)?,
        lead_conversion: LeadsConverted::of(metrics::lead_conversion(&leads_in(conn, &f, &t)?, &sales), &currency),
        retention: metrics::retention(&sales, from, to, churn_days, zone),
        ideas,
        segments,
        at_risk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store};
    use crate::{contacts, settings};

    fn at(s: &str) -> DateTime<Utc> {
        crate::parse_timestamp(s).unwrap()
    }

    /// A small, hand-computed workspace: the business and one competitor, two complaints answered in
    /// opening hours, a lead that bought, orders across three months.
    fn workspace(tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let ana = contacts::insert(tx, &person("Ana", None).normalized().unwrap(), None, "2026-01-01T00:00:00Z")?;
        settings::set(tx, settings::BUSINESS_NAME, "Bean There")?;
        settings::set(
            tx,
            settings::OPENING_HOURS,
            r#"{"openings":[{"weekday":0,"open":"09:00","close":"17:00"},{"weekday":1,"open":"09:00","close":"17:00"}]}"#,
        )?;
        tx.execute_batch(&format!(
            "INSERT INTO sources (id, kind, name, url, created_at) VALUES (1, 'manual', 'Captured', 'manual:', 'x');
             INSERT INTO listening_queries (id, kind, query, created_at) VALUES
               (1, 'brand', '\"Bean There\"', 'x'), (2, 'brand', 'beanthere', 'x'), (3, 'competitor', 'Rival Roasters', 'x'),
               (4, 'industry', 'coffee', 'x');
             -- Mon 2026-01-05 18:00 (closed) complaint, acted on Tue 09:30: 30 opening minutes; replied Tue 10:00: 60.
             -- Tue 2026-01-06 10:00 question, acted on at 10:10: 10 minutes.
             -- mention 3 matches both brand queries: counted once for the business.
             INSERT INTO mentions (id, source_id, external_id, text, published_at, fetched_at, matches, author_followers, likes,
                                   sentiment, intents, contact_id) VALUES
               (1, 1, 'a', 'cold coffee', '2026-01-05T18:00:00Z', 'x', 1, 100, 2, -0.6, 'complaint', NULL),
               (2, 1, 'b', 'open sunday?', '2026-01-06T10:00:00Z', 'x', 1, 50, 0, 0.0, 'question', NULL),
               (3, 1, 'c', 'love it', '2026-01-07T10:00:00Z', 'x', 2, 850, 8, 0.8, 'praise,lead', {ana}),
               (4, 1, 'd', 'rival is fine', '2026-01-07T11:00:00Z', 'x', 1, 1000, 10, 0.3, 'other', NULL),
               (5, 1, 'e', 'rival slow', '2026-01-08T11:00:00Z', 'x', 1, 0, 0, -0.5, 'complaint', NULL),
               (6, 1, 'f', 'old', '2025-06-01T11:00:00Z', 'x', 1, 0, 0, 0.0, 'other', NULL);
             INSERT INTO mention_matches VALUES (1, 1), (2, 2), (3, 1), (3, 2), (4, 3), (5, 3), (6, 1);
             INSERT INTO triage_log (batch, mention_id, action, at) VALUES
               (1, 1, 'issue', '2026-01-06T09:30:00Z'), (2, 1, 'reply', '2026-01-06T10:00:00Z'),
               (3, 2, 'done', '2026-01-06T10:10:00Z'), (4, 3, 'lead', '2026-01-07T12:00:00Z');
             INSERT INTO triage_log (batch, mention_id, action, at, undone_at) VALUES (5, 5, 'ignore', '2026-01-08T11:05:00Z', 'x');
             INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, refunded_minor, created_at) VALUES
               ('csv', '1', {ana}, '2026-01-20T10:00:00Z', 'paid', 'USD', 5000, 1000, 'x'),
               ('csv', '2', {ana}, '2026-02-20T10:00:00Z', 'paid', 'USD', 3000, 0, 'x'),
               ('csv', '3', NULL, '2026-02-21T10:00:00Z', 'paid', 'USD', 2000, 0, 'x'),
               ('csv', '4', NULL, '2026-02-22T10:00:00Z', 'paid', 'EUR', 9900, 0, 'x'),
               ('csv', '5', {ana}, '2026-02-23T10:00:00Z', 'cancelled', 'USD', 9900, 0, 'x');
             INSERT INTO nps_answers (contact_id, score, answered_at, answer_key, created_at) VALUES
               ({ana}, 10, '2026-01-25T00:00:00Z', 'a', 'x'), (NULL, 4, '2026-02-25T00:00:00Z', 'b', 'x'),
               (NULL, 8, '2026-02-26T00:00:00Z', 'c', 'x');"
        ))?;
        Ok(())
    }

    #[test]
    fn the_dashboard_matches_hand_computed_figures() {
        let (_dir, store) = store();
        store.write(workspace).unwrap();
        let d = store.read(|c| dashboard(c, at("2026-01-01T00:00:00Z"), at("2026-04-01T00:00:00Z"), Tz::UTC)).unwrap();
        // NPS: 1 promoter, 1 passive, 1 detractor of 3 = 0.
        assert_eq!((d.nps.score, d.nps.responses), (Some(0.0), 3));
        assert_eq!(d.promoters.len(), 1);
        // Revenue: 50 + 30 + 20 paid in USD, 10 refunded; the euro and the cancelled order are left out.
        assert_eq!((d.revenue.gross_minor, d.revenue.refunds_minor, d.revenue.net_minor), (10000, 1000, 9000));
        assert_eq!((d.revenue.gross, d.revenue.net), (100.0, 90.0));
        assert_eq!((d.revenue.orders, d.revenue.customers, d.revenue.other_currency_orders), (3, 1, 1));
        // Share of conversation: the business 3 (mention 3 once), Rival Roasters 2; industry and old ones out.
        let sov: Vec<_> = d.share_of_conversation.iter().map(|s| (s.brand.as_str(), s.mentions, s.share)).collect();
        assert_eq!(sov, vec![("Bean There", 3, 0.6), ("Rival Roasters", 2, 0.4)]);
        assert_eq!(d.share_of_conversation[0].reach, 1000);
        assert_eq!(d.share_of_conversation[0].net_sentiment, 0.0); // one positive, one negative, one neutral
                                                                   // Response time in opening hours: 30 and 10 minutes to act (the undone ignore does not count).
        let r = &d.response_time;
        assert_eq!((r.items, r.acted_on, r.replied), (3, 2, 1));
        assert_eq!((r.first_action_median_minutes, r.first_action_p90_minutes), (Some(10.0), Some(30.0)));
        assert_eq!(r.first_reply_median_minutes, Some(60.0));
        // The lead on Jan 7 bought on Jan 20 and Feb 20: 40 + 30 net.
        let l = &d.lead_conversion;
        assert_eq!((l.leads, l.converted, l.rate, l.revenue_minor), (1, 1, Some(1.0), 7000));
        assert_eq!(d.retention.repeat_purchase_rate, Some(1.0));
        assert_eq!(d.retention.cohorts[0].retained, vec![1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn an_empty_workspace_has_a_dashboard_of_nothing() {
        let (_dir, store) = store();
        let d = store.read(|c| dashboard(c, at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), Tz::UTC)).unwrap();
        assert_eq!(d.nps.score, None);
        assert_eq!((d.revenue.net_minor, d.revenue.orders), (0, 0));
        assert!(d.share_of_conversation.is_empty());
        assert_eq!(d.response_time.first_action_median_minutes, None);
        assert_eq!((d.lead_conversion.rate, d.retention.repeat_purchase_rate), (None, None));
    }
}
