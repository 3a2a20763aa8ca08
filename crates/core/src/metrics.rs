//! The business's numbers: Net Promoter Score, share of conversation against competitors, response time in
//! opening hours, social lead conversion, and retention (repeat purchases, churn, monthly cohorts). Pure
//! functions over facts the store gathers; the README states each formula.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Nps {
    /// % promoters (9-10) - % detractors (0-6), -100 ... 100, one decimal; null with no answers.
    pub score: Option<f64>,
    #[ts(type = "number")]
    pub promoters: i64,
    #[ts(type = "number")]
    pub passives: i64,
    #[ts(type = "number")]
    pub detractors: i64,
    #[ts(type = "number")]
    pub responses: i64,
}

pub fn nps(scores: impl IntoIterator<Item = u8>) -> Nps {
    let mut n = Nps::default();
    for s in scores {
        match s {
            9..=10 => n.promoters += 1,
            7..=8 => n.passives += 1,
            _ => n.detractors += 1,
        }
        n.responses += 1;
    }
    if n.responses > 0 {
        let score = 100.0 * (n.promoters - n.detractors) as f64 / n.responses as f64;
        n.score = Some((score * 10.0).round() / 10.0);
    }
    n
}

/// How much was said: mentions, their reach and engagement, and how many were positive or negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub mentions: i64,
    pub reach: i64,
    pub engagement: i64,
    pub positive: i64,
    pub negative: i64,
}

impl Volume {
    pub fn add(&mut self, o: &Volume) {
        self.mentions += o.mentions;
        self.reach += o.reach;
        self.engagement += o.engagement;
        self.positive += o.positive;
        self.negative += o.negative;
    }

    /// (positive - negative) / mentions, -1 ... 1 (0 with no mentions).
    pub fn net_sentiment(&self) -> f64 {
        ratio(self.positive - self.negative, self.mentions)
    }
}

/// What was said about one brand (the business or a competitor) in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrandVolume {
    pub brand: String,
    /// "brand" (the business) or "competitor".
    pub kind: String,
    pub volume: Volume,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct BrandShare {
    pub brand: String,
    pub kind: String,
    #[ts(type = "number")]
    pub mentions: i64,
    #[ts(type = "number")]
    pub reach: i64,
    #[ts(type = "number")]
    pub engagement: i64,
    /// Share of all brand and competitor mentions, 0-1.
    pub share: f64,
    pub share_by_reach: f64,
    pub share_by_engagement: f64,
    /// (positive - negative) / mentions, -1 ... 1.
    pub net_sentiment: f64,
}

fn ratio(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
    }
}

/// Share of conversation: each brand's mentions / (the business's + every competitor's), and the same on
/// reach and on engagement.
pub fn share_of_conversation(brands: &[BrandVolume]) -> Vec<BrandShare> {
    let mut all = Volume::default();
    for b in brands {
        all.add(&b.volume);
    }
    let (mentions, reach, engagement) = (all.mentions, all.reach, all.engagement);
    brands
        .iter()
        .map(|b| {
            let v = &b.volume;
            BrandShare {
                brand: b.brand.clone(),
                kind: b.kind.clone(),
                mentions: v.mentions,
                reach: v.reach,
                engagement: v.engagement,
                share: ratio(v.mentions, mentions),
                share_by_reach: ratio(v.reach, reach),
                share_by_engagement: ratio(v.engagement, engagement),
                net_sentiment: v.net_sentiment(),
            }
        })
        .collect()
}

/// The p-th percentile (0-100) by nearest rank on sorted values; `None` when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseTime {
    /// Complaints and questions that arrived in the period.
    #[ts(type = "number")]
    pub items: i64,
    /// Of those, how many have had a first action (filed, done, ignored, replied).
    #[ts(type = "number")]
    pub acted_on: i64,
    #[ts(type = "number")]
    pub replied: i64,
    pub first_action_median_minutes: Option<f64>,
    pub first_action_p90_minutes: Option<f64>,
    pub first_reply_median_minutes: Option<f64>,
    pub first_reply_p90_minutes: Option<f64>,
}

fn one_decimal(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 10.0).round() / 10.0)
}

/// Median and 90th percentile of minutes (already counted in opening hours) to the first action and the
/// first reply; items still waiting count in `items` but not in the times.
pub fn response_time(items: i64, mut first_action: Vec<f64>, mut first_reply: Vec<f64>) -> ResponseTime {
    first_action.sort_by(f64::total_cmp);
    first_reply.sort_by(f64::total_cmp);
    ResponseTime {
        items,
        acted_on: first_action.len() as i64,
        replied: first_reply.len() as i64,
        first_action_median_minutes: one_decimal(percentile(&first_action, 50.0)),
        first_action_p90_minutes: one_decimal(percentile(&first_action, 90.0)),
        first_reply_median_minutes: one_decimal(percentile(&first_reply, 50.0)),
        first_reply_p90_minutes: one_decimal(percentile(&first_reply, 90.0)),
    }
}

/// A paid order as the business metrics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    pub contact_id: Option<i64>,
    pub at: DateTime<Utc>,
    /// amount - refunded (a refund row is negative).
    pub net_minor: i64,
    pub is_sale: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadConversion {
    #[ts(type = "number")]
    pub leads: i64,
    #[ts(type = "number")]
    pub converted: i64,
    pub rate: Option<f64>,
    /// Net revenue from converted leads' orders after they became leads, minor units.
    #[ts(type = "number")]
    pub revenue_minor: i64,
}

/// Social lead conversion: of the people filed as leads from mentions in the period (`leads`: contact and
/// when), those with a paid order after that moment, and what those orders brought in.
pub fn lead_conversion(leads: &[(i64, DateTime<Utc>)], sales_by_contact: &HashMap<i64, Vec<Sale>>) -> LeadConversion {
    let mut first_lead: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for (contact, at) in leads {
        first_lead.entry(*contact).and_modify(|t| *t = (*t).min(*at)).or_insert(*at);
    }
    let mut out = LeadConversion { leads: first_lead.len() as i64, ..Default::default() };
    for (contact, lead_at) in &first_lead {
        let after: Vec<&Sale> =
            sales_by_contact.get(contact).map(|s| s.iter().filter(|s| s.at >= *lead_at).collect()).unwrap_or_default();
        if after.iter().any(|s| s.is_sale) {
            out.converted += 1;
            out.revenue_minor += after.iter().map(|s| s.net_minor).sum::<i64>();
        }
    }
    out.rate = (out.leads > 0).then(|| ratio(out.converted, out.leads));
    out
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Cohort {
    /// "2026-01": the month of the customers' first order, in the shop's time zone.
    pub month: String,
    #[ts(type = "number")]
    pub customers: i64,
    /// Share of the cohort with an order in month 0, 1, 2 ... after their first (0-1), up to 12 months or
    /// the end of the period.
    pub retained: Vec<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Retention {
    #[ts(type = "number")]
    pub customers: i64,
    #[ts(type = "number")]
    pub repeat_customers: i64,
    /// Customers with two or more paid orders / customers with one or more, 0-1.
    pub repeat_purchase_rate: Option<f64>,
    /// Customers whose last order is more than `churn_days` before the end of the period / customers.
    pub churn_rate: Option<f64>,
    #[ts(type = "number")]
    pub churn_days: i64,
    pub cohorts: Vec<Cohort>,
}

/// Local months of instants (year x 12 + month), memoized per UTC quarter hour: every zone's offset is a
/// whole number of quarter hours, so all instants of one UTC quarter hour fall in the same local month.
pub struct LocalMonths {
    zone: Tz,
    memo: rustc_hash::FxHashMap<i64, i32>,
}

impl LocalMonths {
    pub fn new(zone: Tz) -> Self {
        LocalMonths { zone, memo: Default::default() }
    }

    pub fn of(&mut self, t: DateTime<Utc>) -> i32 {
        let zone = self.zone;
        *self.memo.entry(t.timestamp().div_euclid(900)).or_insert_with(|| {
            let local = t.with_timezone(&zone);
            local.year() * 12 + local.month0() as i32
        })
    }

    /// "2026-01" for a month index.
    pub fn label(index: i32) -> String {
        format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
    }
}

/// Retention, counted one customer at a time (the store streams customers in order, so a half-million
/// orders never sit in memory at once). Over every customer's paid orders up to `end`: orders before the
/// period count (a repeat customer is one who came back, whenever they first came). Cohorts are the
/// customers whose first order falls in the period.
pub struct RetentionCounter {
    from: DateTime<Utc>,
    end: DateTime<Utc>,
    churn: chrono::Duration,
    months: LocalMonths,
    end_month: i32,
    out: Retention,
    churned: i64,
    cohorts: BTreeMap<i32, (i64, BTreeMap<i32, i64>)>,
}

impl RetentionCounter {
    pub fn new(from: DateTime<Utc>, end: DateTime<Utc>, churn_days: i64, zone: Tz) -> Self {
        let mut months = LocalMonths::new(zone);
        let end_month = months.of(end);
        RetentionCounter {
            from,
            end,
            churn: chrono::Duration::days(churn_days),
            months,
            end_month,
            out: Retention { churn_days, ..Default::default() },
            churned: 0,
            cohorts: BTreeMap::new(),
        }
    }

    /// One customer's sale times, oldest first (refunds are not visits).
    pub fn add(&mut self, times: &[DateTime<Utc>]) {
        let times = &times[..times.partition_point(|t| *t <= self.end)];
        let (Some(first), Some(last)) = (times.first().copied(), times.last().copied()) else { return };
        self.out.customers += 1;
        if times.len() >= 2 {
            self.out.repeat_customers += 1;
        }
        if self.end - last > self.churn {
            self.churned += 1;
        }
        if first >= self.from {
            let start = self.months.of(first);
            let entry = self.cohorts.entry(start).or_default();
            entry.0 += 1;
            let mut previous = None;
            for t in times {
                let m = self.months.of(*t) - start;
                if m > 12 {
                    break;
                }
                if previous != Some(m) {
                    *entry.1.entry(m).or_default() += 1;
                    previous = Some(m);
                }
            }
        }
    }

    pub fn finish(self) -> Retention {
        let mut out = self.out;
        out.repeat_purchase_rate = (out.customers > 0).then(|| ratio(out.repeat_customers, out.customers));
        out.churn_rate = (out.customers > 0).then(|| ratio(self.churned, out.customers));
        out.cohorts = self
            .cohorts
            .into_iter()
            .map(|(start, (size, by_month))| {
                let span = (self.end_month - start).clamp(0, 12);
                Cohort {
                    month: LocalMonths::label(start),
                    customers: size,
                    retained: (0..=span).map(|m| ratio(by_month.get(&m).copied().unwrap_or(0), size)).collect(),
                }
            })
            .collect();
        out
    }
}

/// Retention of customers given with all their orders at once.
pub fn retention(
    sales_by_contact: &HashMap<i64, Vec<Sale>>,
    from: DateTime<Utc>,
    end: DateTime<Utc>,
    churn_days: i64,
    zone: Tz,
) -> Retention {
    let mut counter = RetentionCounter::new(from, end, churn_days, zone);
    for sales in sales_by_contact.values() {
        let mut times: Vec<DateTime<Utc>> = sales.iter().filter(|s| s.is_sale).map(|s| s.at).collect();
        times.sort();
        counter.add(&times);
    }
    counter.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn nps_counts_passives_in_the_base() {
        // 5 promoters, 3 passives, 2 detractors: 50% - 20% = 30.
        let n = nps([10, 9, 9, 10, 9, 7, 8, 7, 6, 0]);
        assert_eq!((n.promoters, n.passives, n.detractors, n.responses), (5, 3, 2, 10));
        assert_eq!(n.score, Some(30.0));
        assert_eq!(nps([]).score, None);
        assert_eq!(nps([0]).score, Some(-100.0));
        assert_eq!(nps([9, 7, 3]).score, Some(0.0));
    }

    #[test]
    fn share_of_conversation_by_count_reach_and_engagement() {
        let v = |b: &str, k: &str, mentions, reach, engagement, positive, negative| BrandVolume {
            brand: b.into(),
            kind: k.into(),
            volume: Volume { mentions, reach, engagement, positive, negative },
        };
        let s = share_of_conversation(&[
            v("Bean There", "brand", 30, 1000, 10, 20, 5),
            v("Rival", "competitor", 70, 3000, 30, 10, 30),
        ]);
        assert_eq!((s[0].share, s[0].share_by_reach, s[0].share_by_engagement), (0.3, 0.25, 0.25));
        assert_eq!(s[0].net_sentiment, 0.5);
        assert_eq!(s[1].net_sentiment, -0.2857);
        let silent = share_of_conversation(&[v("Bean There", "brand", 0, 0, 0, 0, 0)]);
        assert_eq!(silent[0].share, 0.0);
    }

    #[test]
    fn response_times_use_nearest_rank_percentiles() {
        let r = response_time(5, vec![30.0, 10.0, 20.0, 40.0], vec![60.0]);
        assert_eq!((r.items, r.acted_on, r.replied), (5, 4, 1));
        assert_eq!(r.first_action_median_minutes, Some(20.0));
        assert_eq!(r.first_action_p90_minutes, Some(40.0));
        assert_eq!(r.first_reply_p90_minutes, Some(60.0));
        assert_eq!(response_time(0, vec![], vec![]).first_action_median_minutes, None);
    }

    fn sale(contact: i64, t: &str, net: i64) -> Sale {
        Sale { contact_id: Some(contact), at: at(t), net_minor: net, is_sale: true }
    }

    fn by_contact(sales: Vec<Sale>) -> HashMap<i64, Vec<Sale>> {
        let mut m: HashMap<i64, Vec<Sale>> = HashMap::new();
        for s in sales {
            m.entry(s.contact_id.unwrap()).or_default().push(s);
        }
        m
    }

    #[test]
    fn a_lead_converts_only_with_an_order_after_the_lead() {
        let sales = by_contact(vec![
            sale(1, "2026-01-10T00:00:00Z", 5000),
            sale(1, "2026-02-10T00:00:00Z", 2000),
            sale(2, "2025-12-01T00:00:00Z", 9000), // bought before becoming a lead
            Sale { contact_id: Some(1), at: at("2026-02-11T00:00:00Z"), net_minor: -500, is_sale: false },
        ]);
        let leads = [
            (1, at("2026-01-05T00:00:00Z")),
            (2, at("2026-01-05T00:00:00Z")),
            (3, at("2026-01-06T00:00:00Z")),
            (1, at("2026-01-20T00:00:00Z")),
        ];
        let c = lead_conversion(&leads, &sales);
        assert_eq!((c.leads, c.converted, c.revenue_minor), (3, 1, 6500));
        assert_eq!(c.rate, Some(0.3333));
        assert_eq!(lead_conversion(&[], &sales).rate, None);
    }

    #[test]
    fn retention_counts_repeat_buyers_churn_and_monthly_cohorts_in_local_time() {
        let sales = by_contact(vec![
            sale(1, "2026-01-05T12:00:00Z", 100),
            sale(1, "2026-02-05T12:00:00Z", 100),
            sale(1, "2026-02-20T12:00:00Z", 100),
            sale(2, "2026-01-31T23:30:00Z", 100), // still January in New York
            sale(3, "2025-01-01T12:00:00Z", 100), // long gone
        ]);
        let ny: Tz = "America/New_York".parse().unwrap();
        let r = retention(&sales, at("2026-01-01T05:00:00Z"), at("2026-03-31T12:00:00Z"), 180, ny);
        assert_eq!((r.customers, r.repeat_customers), (3, 1));
        assert_eq!(r.repeat_purchase_rate, Some(0.3333));
        assert_eq!(r.churn_rate, Some(0.3333));
        assert_eq!(r.cohorts.len(), 1);
        assert_eq!(r.cohorts[0].month, "2026-01");
        assert_eq!(r.cohorts[0].customers, 2);
        assert_eq!(r.cohorts[0].retained, vec![1.0, 0.5, 0.0]);
        let empty = retention(&HashMap::new(), at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), 90, Tz::UTC);
        assert_eq!((empty.customers, empty.repeat_purchase_rate), (0, None));
    }
}
