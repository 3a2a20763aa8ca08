//! Each contact's value, computed from the tables with the formulas in `earshot_core::value`: lifetime value
//! from paid orders in the workspace currency and service touches, lifetime influence from what they said
//! (matched mentions), lifetime activity from all their contributions, their segment and whether they are
//! at risk. [`compute_all`] reads each table once; [`refresh`] stores the result in `contact_values`, the
//! cache the contacts list, the segments and the inbox priority read.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use earshot_core::value::{
    self, percentiles, Contribution, LifetimeValue, Purchase, RiskSignals, Segment, ServiceCounts, ValueSettings, Voice,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{settings, Result};

/// Everything the value of one contact is made of.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactValue {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub lifetime_value: LifetimeValue,
    /// 0-100 within the workspace (0: no value).
    pub value_percentile: u8,
    pub influence_raw: f64,
    /// 0-100 percentile of `influence_raw` within the workspace (0: never said anything).
    pub lifetime_influence: u8,
    pub lifetime_activity: f64,
    pub segment: Segment,
    /// Why a valuable customer is at risk; empty when they are not.
    pub at_risk: Vec<String>,
}

pub fn value_settings(conn: &Connection) -> Result<ValueSettings> {
    Ok(settings::get(conn, settings::VALUE_SETTINGS)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

fn at(s: &str) -> Option<DateTime<Utc>> {
    crate::parse_timestamp(s)
}

/// The raw facts of every contact (or one), read table by table.
#[derive(Default)]
struct Facts {
    purchases: HashMap<i64, Vec<Purchase>>,
    service: HashMap<i64, ServiceCounts>,
    service_extra: HashMap<i64, i64>,
    voices: HashMap<i64, Vec<Voice>>,
    contributions: HashMap<i64, Vec<(Contribution, DateTime<Utc>)>>,
    risks: HashMap<i64, RiskSignals>,
}

/// `AND contact_id = ?` for one contact, nothing for all.
fn only(column: &str, one: Option<i64>) -> String {
    one.map(|id| format!(" AND {column} = {id}")).unwrap_or_default()
}

fn gather(conn: &Connection, currency: &str, now: DateTime<Utc>, one: Option<i64>) -> Result<Facts> {
    let mut f = Facts::default();
    let mut stmt = conn.prepare(&format!(
        "SELECT contact_id, placed_at, amount_minor, refunded_minor, kind = 'sale' FROM orders
          WHERE contact_id IS NOT NULL AND status = 'paid' AND currency = ?1 AND deleted_at IS NULL{}",
        only("contact_id", one)
    ))?;
    let mut rows = stmt.query([currency])?;
    while let Some(r) = rows.next()? {
        let Some(t) = at(&r.get::<_, String>(1)?) else { continue };
        f.purchases.entry(r.get(0)?).or_default().push(Purchase {
            at: t,
            amount_minor: r.get(2)?,
            refunded_minor: r.get(3)?,
            is_sale: r.get(4)?,
        });
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT contact_id, kind, occurred_at, coalesce(cost_minor, 0), currency FROM activities
          WHERE deleted_at IS NULL AND kind != 'purchase'{}",
        only("contact_id", one)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let s = f.service.entry(id).or_default();
        match kind.as_str() {
            "call" => s.calls += 1,
            "email" => s.emails += 1,
            "visit" | "meeting" => s.visits += 1,
            _ => {}
        }
        // A cost written on the activity itself (a repair done under warranty) counts as it is.
        let cost: i64 = r.get(3)?;
        if cost != 0 && r.get::<_, Option<String>>(4)?.as_deref() == Some(currency) {
            *f.service_extra.entry(id).or_default() += cost;
        }
        if let Some(t) = at(&r.get::<_, String>(2)?) {
            f.contributions.entry(id).or_default().push((Contribution::Touch, t));
        }
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT m.contact_id, count(*) FROM outbox o JOIN mentions m ON m.id = o.mention_id
          WHERE o.state = 'sent' AND m.contact_id IS NOT NULL{} GROUP BY m.contact_id",
        only("m.contact_id", one)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f.service.entry(r.get(0)?).or_default().social_replies += r.get::<_, i64>(1)?;
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT contact_id, count(*), sum(closed_at IS NULL) FROM cases
          WHERE contact_id IS NOT NULL AND deleted_at IS NULL{} GROUP BY contact_id",
        only("contact_id", one)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        f.service.entry(id).or_default().cases += r.get::<_, i64>(1)?;
        if r.get::<_, i64>(2)? > 0 {
            f.risks.entry(id).or_default().open_issue = true;
        }
    }

    let recent = crate::timestamp(now - Duration::days(30));
    let mut stmt = conn.prepare(&format!(
        "SELECT contact_id, coalesce(published_at, fetched_at), author_followers,
                coalesce(likes, 0) + coalesce(reposts, 0) + coalesce(replies, 0), sentiment, reply_ref IS NOT NULL
           FROM mentions
          WHERE contact_id IS NOT NULL AND duplicate_of IS NULL AND (matches > 0 OR direct = 1){}",
        only("contact_id", one)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let when: String = r.get(1)?;
        let Some(t) = at(&when) else { continue };
        let v = Voice { at: t, followers: r.get(2)?, engagement: r.get(3)?, sentiment: r.get(4)?, is_reply: r.get(5)? };
        if v.sentiment <= -0.05 && when >= recent {
            f.risks.entry(id).or_default().negative_recently = true;
        }
        let kind = if v.is_reply { Contribution::Reply } else { Contribution::Mention };
        f.contributions.entry(id).or_default().push((kind, t));
        f.voices.entry(id).or_default().push(v);
    }

    for (sql, kind) in [
        (
            "SELECT contact_id, answered_at FROM nps_answers WHERE contact_id IS NOT NULL AND deleted_at IS NULL",
            Contribution::Answer,
        ),
        (
            "SELECT contact_id, created_at FROM ideas WHERE contact_id IS NOT NULL AND deleted_at IS NULL",
            Contribution::Idea,
        ),
    ] {
        let mut stmt = conn.prepare(&format!("{sql}{}", only("contact_id", one)))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(t) = at(&r.get::<_, String>(1)?) {
                f.contributions.entry(r.get(0)?).or_default().push((kind, t));
            }
        }
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT id, keep_in_touch_days, coalesce(last_touch_at, keep_in_touch_since) FROM contacts
          WHERE deleted_at IS NULL AND keep_in_touch_days IS NOT NULL{}",
        only("id", one)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let days: i64 = r.get(1)?;
        let since: Option<String> = r.get(2)?;
        let overdue = since.as_deref().and_then(at).is_some_and(|t| t + Duration::days(days.max(1)) < now);
        if overdue {
            f.risks.entry(r.get(0)?).or_default().keep_in_touch_overdue = true;
        }
    }
    Ok(f)
}

/// One contact's value before percentiles (which need the whole workspace).
fn raw_value(f: &Facts, id: i64, s: &ValueSettings, now: DateTime<Utc>) -> (LifetimeValue, f64, f64) {
    let purchases = f.purchases.get(&id).map(Vec::as_slice).unwrap_or(&[]);
    let service = f.service.get(&id).copied().unwrap_or_default();
    let mut ltv = value::lifetime_value(purchases, service, s, now);
    let extra = f.service_extra.get(&id).copied().unwrap_or(0);
    ltv.service_cost_minor += extra;
    ltv.total_minor -= extra;
    let influence = value::influence_raw(f.voices.get(&id).map(Vec::as_slice).unwrap_or(&[]), &s.influence, now);
    let activity = value::lifetime_activity(
        f.contributions.get(&id).map(Vec::as_slice).unwrap_or(&[]),
        s.activity_half_life_days,
        now,
    );
    (ltv, influence, activity)
}

fn finish(
    f: &Facts,
    id: i64,
    s: &ValueSettings,
    raw: (LifetimeValue, f64, f64),
    value_pct: u8,
    influence_pct: u8,
) -> ContactValue {
    let (ltv, influence_raw, activity) = raw;
    let risk = f.risks.get(&id).copied().unwrap_or_default();
    ContactValue {
        contact_id: id,
        lifetime_value: ltv,
        value_percentile: value_pct,
        influence_raw: (influence_raw * 1000.0).round() / 1000.0,
        lifetime_influence: influence_pct,
        lifetime_activity: activity,
        segment: Segment::of(value_pct, influence_pct, s.high_percentile),
        at_risk: value::risk_reasons(value_pct, s.high_percentile, risk).into_iter().map(String::from).collect(),
    }
}

/// The value of every live contact, ordered by id.
pub fn compute_all(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<ContactValue>> {
    let s = value_settings(conn)?;
    let currency = settings::currency(conn)?;
    let facts = gather(conn, &currency, now, None)?;
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM contacts WHERE deleted_at IS NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let raws: Vec<_> = ids.iter().map(|id| raw_value(&facts, *id, &s, now)).collect();
    let value_pct = percentiles(&raws.iter().map(|r| r.0.total_minor as f64).collect::<Vec<_>>());
    let influence_pct = percentiles(&raws.iter().map(|r| r.1).collect::<Vec<_>>());
    Ok(ids
        .iter()
        .zip(raws)
        .enumerate()
        .map(|(i, (id, raw))| finish(&facts, *id, &s, raw, value_pct[i], influence_pct[i]))
        .collect())
}

/// Stores every contact's value in the cache.
pub fn refresh(tx: &Transaction<'_>, values: &[ContactValue], now: &str) -> Result<()> {
    tx.execute("DELETE FROM contact_values", [])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contact_values (contact_id, lifetime_value, net_revenue, orders, last_order_at, value_percentile,
                                     influence_raw, influence, activity, segment, at_risk, computed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for v in values {
        stmt.execute(params![
            v.contact_id,
            v.lifetime_value.total_minor,
            v.lifetime_value.net_minor,
            v.lifetime_value.orders,
            v.lifetime_value.last_order_at,
            v.value_percentile,
            v.influence_raw,
            v.lifetime_influence,
            v.lifetime_activity,
            v.segment.as_str(),
            (!v.at_risk.is_empty()).then(|| v.at_risk.join("; ")),
            now
        ])?;
    }
    settings::set(tx, settings::VALUES_COMPUTED_AT, now)?;
    Ok(())
}

/// Share of cached positive values at or below `x` in `column`, as a 0-100 percentile (0 for `x` <= 0).
fn percentile_in_cache(conn: &Connection, column: &str, x: f64) -> Result<u8> {
    if x <= 0.0 {
        return Ok(0);
    }
    let (below, total): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM contact_values WHERE {column} > 0 AND {column} <= ?1),
                         (SELECT count(*) FROM contact_values WHERE {column} > 0)"
        ),
        [x],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // A contact newer than the cache is ranked as if added to it.
    let (below, total) = if total == 0 { (1, 1) } else { (below.max(1), total) };
    Ok(((100.0 * below as f64 / total as f64).round() as i64).clamp(1, 100) as u8)
}

/// One contact's value, computed now; percentiles are placed against the workspace cache.
pub fn of_contact(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<ContactValue> {
    let s = value_settings(conn)?;
    let currency = settings::currency(conn)?;
    let facts = gather(conn, &currency, now, Some(id))?;
    let raw = raw_value(&facts, id, &s, now);
    let value_pct = percentile_in_cache(conn, "lifetime_value", raw.0.total_minor as f64)?;
    let influence_pct = percentile_in_cache(conn, "influence_raw", (raw.1 * 1000.0).round() / 1000.0)?;
    Ok(finish(&facts, id, &s, raw, value_pct, influence_pct))
}

/// How much a contact's worth lifts the priority of what they say (0-1): their value percentile, raised to
/// their segment's weight (a voice with little spending still matters). `None` without a computed value.
pub fn customer_weight(conn: &Connection, contact_id: i64) -> Result<Option<f64>> {
    let row: Option<(i64, String)> = conn
        .prepare_cached("SELECT value_percentile, segment FROM contact_values WHERE contact_id = ?1")?
        .query_row([contact_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(pct, segment)| weight_of(pct, &segment)))
}

pub fn weight_of(value_percentile: i64, segment: &str) -> f64 {
    let by_segment = Segment::parse(segment).map_or(0.0, Segment::weight);
    (value_percentile as f64 / 100.0).max(by_segment)
}

/// The cached values of some contacts (for lists), by contact id.
pub fn cached(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, CachedValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, lifetime_value, influence, activity, segment, at_risk FROM contact_values WHERE contact_id = ?1",
    )?;
    let mut out = HashMap::new();
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            out.insert(
                *id,
                CachedValue {
                    lifetime_value_minor: r.get(1)?,
                    lifetime_influence: r.get(2)?,
                    lifetime_activity: r.get(3)?,
                    segment: r.get(4)?,
                    at_risk: r.get(5)?,
                },
            );
        }
    }
    Ok(out)
}

/// Contacts in a segment (or, with `segment` "at_risk", valuable customers at risk), most valuable first.
pub fn members(conn: &Connection, segment: &str, limit: i64) -> Result<Vec<(i64, CachedValue)>> {
    let filter = if segment == "at_risk" { "v.at_risk IS NOT NULL AND ?1 IS NULL" } else { "v.segment = ?1" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT v.contact_id, v.lifetime_value, v.influence, v.activity, v.segment, v.at_risk
           FROM contact_values v JOIN contacts c ON c.id = v.contact_id AND c.deleted_at IS NULL
          WHERE {filter} ORDER BY v.lifetime_value DESC, v.influence DESC LIMIT ?2"
    ))?;
    let segment_arg = (segment != "at_risk").then_some(segment);
    let rows = stmt.query_map(params![segment_arg, limit], |r| {
        Ok((
            r.get(0)?,
            CachedValue {
                lifetime_value_minor: r.get(1)?,
                lifetime_influence: r.get(2)?,
                lifetime_activity: r.get(3)?,
                segment: r.get(4)?,
                at_risk: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CachedValue {
    #[ts(type = "number")]
    pub lifetime_value_minor: i64,
    pub lifetime_influence: u8,
    pub lifetime_activity: f64,
    pub segment: String,
    pub at_risk: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activities::{ActivityInput, NewActivity};
    use crate::test_support::{person, store};
    use crate::{activities, contacts};

    fn now() -> DateTime<Utc> {
        crate::parse_timestamp("2026-06-01T00:00:00Z").unwrap()
    }

    #[test]
    fn value_comes_from_paid_orders_in_the_workspace_currency_and_ranks_within_the_workspace() {
        let (_dir, store) = store();
        let (ana, bo, _cy) = store
            .write(|tx| {
                let mut ids = Vec::new();
                for name in ["Ana", "Bo", "Cy"] {
                    ids.push(contacts::insert(tx, &person(name, None).normalized().unwrap(), None, "2026-01-01T00:00:00Z")?);
                }
                let buy = |tx: &Transaction<'_>, id: i64, amount: &str, when: &str| -> Result<()> {
                    let input = ActivityInput {
                        kind: earshot_core::ActivityKind::Purchase,
                        summary: "beans".into(),
                        occurred_at: Some(when.into()),
                        amount: Some(amount.into()),
                        cost: None,
                        currency: None,
                    };
                    activities::add(tx, id, &NewActivity::from_input(&input, when, "USD")?, when)?;
                    Ok(())
                };
                buy(tx, ids[0], "100.00", "2026-05-01T00:00:00Z")?;
                buy(tx, ids[0], "100.00", "2026-05-20T00:00:00Z")?;
                buy(tx, ids[1], "10.00", "2024-01-01T00:00:00Z")?;
                tx.execute(
                    "INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, created_at)
                     VALUES ('csv', 'x1', ?1, '2026-05-01T00:00:00Z', 'failed', 'USD', 99900, 'now'),
                            ('csv', 'x2', ?1, '2026-05-01T00:00:00Z', 'paid', 'EUR', 99900, 'now')",
                    [ids[1]],
                )?;
                Ok((ids[0], ids[1], ids[2]))
            })
            .unwrap();
        let all = store.read(|c| compute_all(c, now())).unwrap();
        let a = &all[0];
        assert_eq!(a.contact_id, ana);
        assert_eq!((a.lifetime_value.net_minor, a.lifetime_value.margin_minor), (20000, 8000));
        assert!(a.lifetime_value.forward_minor > 0);
        assert_eq!((a.value_percentile, a.segment), (100, Segment::BigSpender));
        // Bo's failed payment and euro order do not count; his one old order has lapsed.
        let b = &all[1];
        assert_eq!((b.contact_id, b.lifetime_value.net_minor, b.lifetime_value.forward_minor), (bo, 1000, 0));
        assert_eq!(b.value_percentile, 50);
        assert_eq!((all[2].value_percentile, all[2].segment), (0, Segment::Everyone));

        store.write(|tx| refresh(tx, &all, "2026-06-01T00:00:00Z")).unwrap();
        let one = store.read(|c| of_contact(c, ana, now())).unwrap();
        assert_eq!(one, all[0]);
        let cache = store.read(|c| cached(c, &[bo])).unwrap();
        assert_eq!(cache[&bo].lifetime_value_minor, b.lifetime_value.total_minor);
    }
}
