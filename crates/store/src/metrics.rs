//! The dashboard: the business's numbers over a period, gathered from the tables and computed with the
//! formulas in `earshot_core::metrics`. Money counts paid orders in the workspace currency only; orders in
//! other currencies are counted apart so the owner sees they exist.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use earshot_core::hours::OpeningHours;
use earshot_core::metrics::{
    self, BrandShare, BrandVolume, LeadConversion, LocalMonths, Nps, ResponseTime, Retention, RetentionCounter, Sale,
    Volume,
};
use earshot_core::money::to_major;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::{conversation, sales_digest};
use crate::{settings, value, Result};

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
            revenue: to_major(c.revenue_minor, currency),
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
    /// Followers of the owner's own accounts, by account and day.
    pub followers: Vec<crate::followers::FollowerCount>,
    pub segments: Vec<SegmentCount>,
    #[ts(type = "number")]
    pub at_risk: i64,
    /// The first and last moment anything dated is recorded (a paid order, an NPS answer, a mention), whatever
    /// the period: how the owner is told where their data is when the period they chose holds none.
    pub first_data_at: Option<String>,
    pub last_data_at: Option<String>,
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

/// NPS over the period, by month, and the promoters and detractors who are contacts.
struct NpsPart {
    nps: Nps,
    by_month: Vec<MonthNps>,
    promoters: Vec<PersonScore>,
    detractors: Vec<PersonScore>,
}

fn nps_part(conn: &Connection, from: &str, to: &str, zone: Tz) -> Result<NpsPart> {
    let mut stmt = conn.prepare_cached(
        "SELECT score, answered_at, contact_id FROM nps_answers
          WHERE deleted_at IS NULL AND answered_at >= ?1 AND answered_at < ?2 ORDER BY answered_at DESC",
    )?;
    let mut name_of = conn.prepare_cached("SELECT display_name FROM contacts WHERE id = ?1 AND deleted_at IS NULL")?;
    let mut months = LocalMonths::new(zone);
    let mut scores = Vec::new();
    let mut by_month: BTreeMap<i32, Vec<u8>> = BTreeMap::new();
    let (mut promoters, mut detractors) = (Vec::new(), Vec::new());
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let score: u8 = r.get(0)?;
        let answered_at: String = r.get(1)?;
        scores.push(score);
        if let Some(t) = crate::parse_timestamp(&answered_at) {
            by_month.entry(months.of(t)).or_default().push(score);
        }
        let list = match score {
            9..=10 => &mut promoters,
            0..=6 => &mut detractors,
            _ => continue,
        };
        if list.len() < 20 {
            if let Some(contact_id) = r.get::<_, Option<i64>>(2)? {
                if let Some(name) = name_of.query_row([contact_id], |r| r.get(0)).optional()? {
                    list.push(PersonScore { contact_id, name, score, answered_at });
                }
            }
        }
    }
    let trend = by_month
        .into_iter()
        .map(|(month, s)| {
            let n = metrics::nps(s);
            MonthNps { month: LocalMonths::label(month), score: n.score, responses: n.responses }
        })
        .collect();
    Ok(NpsPart { nps: metrics::nps(scores), by_month: trend, promoters, detractors })
}

/// The money figures of the period, from paid orders in the workspace currency, read from each buyer's
/// digest (see [`sales_digest`]): revenue over every paid order in the period (anonymous ones included), and
/// retention and lead conversion from every known buyer's orders up to the end of the period.
struct MoneyPart {
    revenue: Revenue,
    retention: Retention,
    lead_conversion: LeadConversion,
    /// The first and last paid order in the currency, any time (Unix seconds).
    sales_span: Option<(i64, i64)>,
}

fn money_part(
    conn: &Connection,
    currency: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    leads: &[(i64, DateTime<Utc>)],
    churn_days: i64,
    zone: Tz,
) -> Result<MoneyPart> {
    let (from_s, to_s) = (from.timestamp(), to.timestamp());
    let lead_contacts: rustc_hash::FxHashSet<i64> = leads.iter().map(|(c, _)| *c).collect();
    let mut lead_sales: HashMap<i64, Vec<Sale>> = HashMap::new();
    let mut retention = RetentionCounter::new(from, to, churn_days, zone);
    let (mut gross, mut refunds, mut orders, mut customers) = (0i64, 0i64, 0i64, 0i64);
    let mut other_currency_orders = 0i64;
    let mut times: Vec<DateTime<Utc>> = Vec::new();
    let mut sales_span: Option<(i64, i64)> = None;
    sales_digest::for_each(conn, |buyer, digest_currency, digest| {
        if digest_currency != currency {
            other_currency_orders +=
                sales_digest::decode(digest).filter(|e| e.is_sale && e.at >= from_s && e.at < to_s).count() as i64;
            return;
        }
        times.clear();
        let known = buyer != sales_digest::ANONYMOUS;
        let is_lead = known && lead_contacts.contains(&buyer);
        // Oldest first: nothing after the end of the period counts.
        // The digest is oldest first: its ends are this buyer's first and last sale.
        let sales = || sales_digest::decode(digest).filter(|e| e.is_sale).map(|e| e.at);
        if let (Some(first), Some(last)) = (sales().next(), sales().last()) {
            sales_span = Some(sales_span.map_or((first, last), |(f, l)| (f.min(first), l.max(last))));
        }
        for e in sales_digest::decode(digest).take_while(|e| e.at < to_s) {
            if e.at >= from_s {
                if e.is_sale {
                    gross += e.amount_minor;
                    orders += 1;
                }
                refunds += e.refunded_minor;
            }
            if !known {
                continue;
            }
            let Some(at) = DateTime::from_timestamp(e.at, 0) else { continue };
            if e.is_sale {
                times.push(at);
            }
            if is_lead {
                let net_minor = e.amount_minor - e.refunded_minor;
                lead_sales.entry(buyer).or_default().push(Sale {
                    contact_id: Some(buyer),
                    at,
                    net_minor,
                    is_sale: e.is_sale,
                });
            }
        }
        if known {
            retention.add(&times);
            customers += times.last().is_some_and(|at| at.timestamp() >= from_s) as i64;
        }
    })?;

    let revenue = Revenue {
        currency: currency.to_string(),
        gross: to_major(gross, currency),
        refunds: to_major(refunds, currency),
        net: to_major(gross - refunds, currency),
        gross_minor: gross,
        refunds_minor: refunds,
        net_minor: gross - refunds,
        orders,
        customers,
        other_currency_orders,
    };
    Ok(MoneyPart {
        revenue,
        retention: retention.finish(),
        lead_conversion: metrics::lead_conversion(leads, &lead_sales),
        sales_span,
    })
}

fn conversation_part(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> Result<(Vec<BrandShare>, Vec<WeekVolume>)> {
    let business = settings::get(conn, settings::BUSINESS_NAME)?.filter(|n| !n.trim().is_empty());
    // The live groups, the business first: every brand query together, then each competitor query.
    let mut groups: Vec<(String, BrandVolume)> = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id, kind, query FROM listening_queries WHERE deleted_at IS NULL AND kind != 'industry' ORDER BY kind, id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, kind, query): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let key = if kind == "brand" { "brand".to_string() } else { format!("q:{id}") };
        if groups.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let label = earshot_core::query::label(&query);
        let brand = if kind == "brand" { business.clone().unwrap_or(label) } else { label };
        groups.push((key, BrandVolume { brand, kind, ..Default::default() }));
    }
    let last_day = conversation::local_day(to - Duration::seconds(1), zone);
    let mut weekly: BTreeMap<(NaiveDate, usize), Volume> = BTreeMap::new();
    for (day, grp, v) in conversation::read(conn, conversation::local_day(from, zone), last_day)? {
        let Some(g) = groups.iter().position(|(k, _)| *k == grp) else { continue };
        groups[g].1.volume.add(&v);
        let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
        weekly.entry((monday, g)).or_default().add(&v);
    }
    let weeks = weekly
        .into_iter()
        .map(|((week, g), v)| WeekVolume {
            week: week.to_string(),
            brand: groups[g].1.brand.clone(),
            mentions: v.mentions,
            net_sentiment: v.net_sentiment(),
        })
        .collect();
    let volumes: Vec<BrandVolume> = groups.into_iter().map(|(_, v)| v).collect();
    Ok((metrics::share_of_conversation(&volumes), weeks))
}

fn response_part(conn: &Connection, from: &str, to: &str, hours: &OpeningHours, zone: Tz) -> Result<ResponseTime> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(published_at, fetched_at), first_action_at, first_reply_at FROM mentions INDEXED BY mentions_needs_answer
          WHERE (instr(',' || intents || ',', ',complaint,') > 0 OR instr(',' || intents || ',', ',question,') > 0)
            AND (matches > 0 OR direct = 1) AND duplicate_of IS NULL
            AND coalesce(published_at, fetched_at) >= ?1 AND coalesce(published_at, fetched_at) < ?2",
    )?;
    let (mut items, mut action, mut reply) = (0, Vec::new(), Vec::new());
    let mut rows = stmt.query([from, to])?;
    // Timestamps are read borrowed from the row: a year of complaints and questions is a few hundred
    // thousand rows.
    let time_at = |r: &rusqlite::Row<'_>, col: usize| -> Result<Option<DateTime<Utc>>> {
        Ok(r.get_ref(col)?.as_str_or_null().ok().flatten().and_then(crate::parse_timestamp))
    };
    while let Some(r) = rows.next()? {
        let Some(arrived) = time_at(r, 0)? else { continue };
        items += 1;
        for (col, list) in [(1, &mut action), (2, &mut reply)] {
            if let Some(t) = time_at(r, col)? {
                list.push(hours.minutes_between(arrived, t, zone));
            }
        }
    }
    Ok(metrics::response_time(items, action, reply))
}

/// Who became a lead from a mention in the period, and when; a lead merged into another contact counts as
/// that contact.
fn leads_in(conn: &Connection, from: &str, to: &str) -> Result<Vec<(i64, DateTime<Utc>)>> {
    let merged: HashMap<i64, i64> = conn
        .prepare_cached(
            "SELECT id, merged_into_id FROM contacts INDEXED BY contacts_merged WHERE merged_into_id IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let resolve = |mut id: i64| {
        // Merge chains are short; the bound guards against a cycle in damaged data.
        for _ in 0..16 {
            match merged.get(&id) {
                Some(next) => id = *next,
                None => break,
            }
        }
        id
    };
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, at FROM triage_log INDEXED BY triage_log_leads
          WHERE action = 'lead' AND undone_at IS NULL AND contact_id IS NOT NULL AND at >= ?1 AND at < ?2",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        if let Some(t) = crate::parse_timestamp(&r.get::<_, String>(1)?) {
            out.push((resolve(r.get(0)?), t));
        }
    }
    Ok(out)
}

/// The earliest and latest thing recorded: a paid order (`sales`, from the digest the money part reads
/// anyway), an NPS answer or a heard mention (one index lookup each).
fn data_span(conn: &Connection, sales: Option<(i64, i64)>) -> Result<(Option<String>, Option<String>)> {
    let sale_at = |secs: i64| DateTime::from_timestamp(secs, 0).map(ts);
    // The end of each kind of record in one direction: ASC for the first, DESC for the last.
    let ends = |order: &str| -> Result<Vec<String>> {
        let answers = format!(
            "SELECT answered_at FROM nps_answers INDEXED BY nps_answered WHERE deleted_at IS NULL
              ORDER BY answered_at {order} LIMIT 1"
        );
        let mentions = format!(
            "SELECT coalesce(published_at, fetched_at) FROM mentions INDEXED BY mentions_inbox
              WHERE (matches > 0 OR direct = 1) AND duplicate_of IS NULL
              ORDER BY coalesce(published_at, fetched_at) {order} LIMIT 1"
        );
        let mut found = Vec::new();
        for sql in [answers, mentions] {
            found.extend(conn.prepare_cached(&sql)?.query_row([], |r| r.get::<_, String>(0)).optional()?);
        }
        Ok(found)
    };
    let first = ends("ASC")?.into_iter().chain(sales.and_then(|(f, _)| sale_at(f))).min();
    let last = ends("DESC")?.into_iter().chain(sales.and_then(|(_, l)| sale_at(l))).max();
    Ok((first, last))
}

/// The dashboard for [from, to). `fallback_zone` is the computer's zone, used when the owner set none.
/// Share of conversation counts whole local days and reads `conversation_days`, and money reads
/// `sales_digest`: bring both up to date first with [`conversation::refresh`] and [`sales_digest::refresh`].
pub fn dashboard(conn: &Connection, from: DateTime<Utc>, to: DateTime<Utc>, fallback_zone: Tz) -> Result<Dashboard> {
    let zone = time_zone(conn, fallback_zone)?;
    let hours = opening_hours(conn)?;
    let currency = settings::currency(conn)?;
    let churn_days = value::value_settings(conn)?.churn_days;
    let (f, t) = (ts(from), ts(to));
    let NpsPart { nps, by_month: nps_by_month, promoters, detractors } = nps_part(conn, &f, &t, zone)?;
    let leads = leads_in(conn, &f, &t)?;
    let MoneyPart { revenue, retention, lead_conversion, sales_span } =
        money_part(conn, &currency, (from, to), &leads, churn_days, zone)?;
    let (share_of_conversation, conversation_by_week) = conversation_part(conn, from, to, zone)?;
    let response_time = response_part(conn, &f, &t, &hours, zone)?;
    let ideas: i64 = conn.query_row(
        "SELECT count(*) FROM ideas WHERE deleted_at IS NULL AND created_at >= ?1 AND created_at < ?2",
        [&f, &t],
        |r| r.get(0),
    )?;
    // As of the last value refresh (which counts live contacts only).
    let mut stmt = conn.prepare_cached(
        "SELECT segment, count(*) FROM contact_values INDEXED BY contact_values_segment GROUP BY segment ORDER BY segment",
    )?;
    let segments = stmt
        .query_map([], |r| Ok(SegmentCount { segment: r.get(0)?, contacts: r.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    let at_risk: i64 = conn.query_row(
        "SELECT count(*) FROM contact_values INDEXED BY contact_values_at_risk WHERE at_risk IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    let (first_data_at, last_data_at) = data_span(conn, sales_span)?;
    Ok(Dashboard {
        from: f.clone(),
        to: t.clone(),
        time_zone: zone.name().to_string(),
        nps,
        nps_by_month,
        promoters,
        detractors,
        revenue,
        share_of_conversation,
        conversation_by_week,
        response_time,
        lead_conversion: LeadsConverted::of(lead_conversion, &currency),
        retention,
        ideas,
        followers: crate::followers::between(conn, &f[..10], &t[..10])?,
        segments,
        at_risk,
        first_data_at,
        last_data_at,
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
                                   sentiment, intents, contact_id, first_action_at, first_reply_at) VALUES
               (1, 1, 'a', 'cold coffee', '2026-01-05T18:00:00Z', 'x', 1, 100, 2, -0.6, 'complaint', NULL,
                '2026-01-06T09:30:00Z', '2026-01-06T10:00:00Z'),
               (2, 1, 'b', 'open sunday?', '2026-01-06T10:00:00Z', 'x', 1, 50, 0, 0.0, 'question', NULL, '2026-01-06T10:10:00Z', NULL),
               (3, 1, 'c', 'love it', '2026-01-07T10:00:00Z', 'x', 2, 850, 8, 0.8, 'praise,lead', {ana}, '2026-01-07T12:00:00Z', NULL),
               (4, 1, 'd', 'rival is fine', '2026-01-07T11:00:00Z', 'x', 1, 1000, 10, 0.3, 'other', NULL, NULL, NULL),
               (5, 1, 'e', 'rival slow', '2026-01-08T11:00:00Z', 'x', 1, 0, 0, -0.5, 'complaint', NULL, NULL, NULL),
               (6, 1, 'f', 'old', '2025-06-01T11:00:00Z', 'x', 1, 0, 0, 0.0, 'other', NULL, NULL, NULL);
             INSERT INTO mention_matches VALUES (1, 1), (2, 2), (3, 1), (3, 2), (4, 3), (5, 3), (6, 1);
             INSERT INTO triage_log (batch, mention_id, action, at) VALUES
               (1, 1, 'issue', '2026-01-06T09:30:00Z'), (2, 1, 'reply', '2026-01-06T10:00:00Z'),
               (3, 2, 'done', '2026-01-06T10:10:00Z');
             INSERT INTO triage_log (batch, mention_id, action, at, contact_id) VALUES (4, 3, 'lead', '2026-01-07T12:00:00Z', {ana});
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

    /// The dashboard of the hand-computed workspace over [from, to), its caches brought up to date first.
    fn workspace_dashboard(from: &str, to: &str) -> Dashboard {
        let (_dir, store) = store();
        store.write(workspace).unwrap();
        store.write(|tx| conversation::refresh(tx, Tz::UTC)).unwrap();
        store.write(sales_digest::refresh).unwrap();
        store.read(|c| dashboard(c, at(from), at(to), Tz::UTC)).unwrap()
    }

    #[test]
    fn the_dashboard_matches_hand_computed_figures() {
        let d = workspace_dashboard("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z");
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
                                                                   // Response time in opening hours: 30 and 10 minutes to act; the rival complaint is still waiting.
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
        assert_eq!((d.first_data_at, d.last_data_at), (None, None));
    }

    #[test]
    fn a_period_with_nothing_in_it_still_says_where_the_data_is() {
        let d = workspace_dashboard("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
        assert_eq!((d.revenue.orders, d.nps.responses), (0, 0));
        let (first, last) = (d.first_data_at.unwrap(), d.last_data_at.unwrap());
        // The old mention, and the last NPS answer (the euro and the cancelled orders are not the shop's sales).
        assert_eq!((first.as_str(), last.as_str()), ("2025-06-01T11:00:00Z", "2026-02-26T00:00:00Z"));
    }
}
