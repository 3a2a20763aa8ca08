//! What one customer is worth, by money and by voice: lifetime value, lifetime influence and lifetime
//! activity, and the segment that follows from them. Every formula is here, with its weights in
//! [`ValueSettings`] (which the owner can change); the README states the same formulas.
//!
//! Money stays in exact minor units; a percentage margin is applied once, in integers, with rounding half
//! away from zero. Only the forward estimate (a forecast by nature) goes through floating point.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Unit costs of serving a customer, in minor units of the workspace currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceCosts {
    #[ts(type = "number")]
    pub call: i64,
    #[ts(type = "number")]
    pub email: i64,
    #[ts(type = "number")]
    pub visit: i64,
    #[ts(type = "number")]
    pub social_reply: i64,
    #[ts(type = "number")]
    pub case: i64,
}

/// The weights of lifetime influence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InfluenceWeights {
    /// Reach of an item whose author's followers are unknown (a blog, a forum post).
    pub default_reach: f64,
    /// One like, repost or reply counts as this many people reached.
    pub engagement: f64,
    /// A reply in someone else's thread counts this much of an original post.
    pub reply: f64,
    /// How much sentiment toward the business moves an item's weight: x (1 + this x sentiment).
    pub sentiment: f64,
    /// An item's weight halves every this many days.
    pub half_life_days: f64,
}

impl Default for InfluenceWeights {
    fn default() -> Self {
        InfluenceWeights { default_reach: 100.0, engagement: 5.0, reply: 0.5, sentiment: 0.5, half_life_days: 365.0 }
    }
}

/// Everything the value formulas need from settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ValueSettings {
    /// Gross margin in basis points (4000 = 40%).
    #[ts(type = "number")]
    pub gross_margin_bp: i64,
    pub service_costs: ServiceCosts,
    /// How far ahead the forward estimate looks.
    pub horizon_years: f64,
    /// A customer with no order for this many days has lapsed (no forward estimate; churned in retention).
    #[ts(type = "number")]
    pub churn_days: i64,
    pub influence: InfluenceWeights,
    /// A contribution's weight in lifetime activity halves every this many days.
    pub activity_half_life_days: f64,
    /// Percentile from which value or influence counts as high, for segments.
    pub high_percentile: u8,
}

impl Default for ValueSettings {
    fn default() -> Self {
        ValueSettings {
            gross_margin_bp: 4000,
            service_costs: ServiceCosts::default(),
            horizon_years: 1.0,
            churn_days: 180,
            influence: InfluenceWeights::default(),
            activity_half_life_days: 180.0,
            high_percentile: 80,
        }
    }
}

/// One paid order or refund of a customer, in the workspace currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purchase {
    pub at: DateTime<Utc>,
    /// 0 for a refund row.
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub is_sale: bool,
}

/// Lifetime value with its parts, so the owner can see where the figure comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LifetimeValue {
    #[ts(type = "number")]
    pub revenue_minor: i64,
    #[ts(type = "number")]
    pub refunds_minor: i64,
    #[ts(type = "number")]
    pub net_minor: i64,
    /// net x gross margin
    #[ts(type = "number")]
    pub margin_minor: i64,
    #[ts(type = "number")]
    pub service_cost_minor: i64,
    /// average net order x orders per year x horizon x margin, for a customer who has not lapsed
    #[ts(type = "number")]
    pub forward_minor: i64,
    /// margin - service cost + forward
    #[ts(type = "number")]
    pub total_minor: i64,
    #[ts(type = "number")]
    pub orders: i64,
    pub orders_per_year: f64,
    pub first_order_at: Option<String>,
    pub last_order_at: Option<String>,
}

/// `value x bp / 10000`, rounded half away from zero, in integers.
pub fn apply_bp(value: i64, bp: i64) -> i64 {
    let p = value as i128 * bp as i128;
    let q = (p.abs() + 5000) / 10000;
    (if p < 0 { -q } else { q }) as i64
}

/// Counts of service touches, priced with [`ServiceCosts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceCounts {
    pub calls: i64,
    pub emails: i64,
    pub visits: i64,
    pub social_replies: i64,
    pub cases: i64,
}

impl ServiceCounts {
    pub fn cost(&self, c: &ServiceCosts) -> i64 {
        self.calls * c.call
            + self.emails * c.email
            + self.visits * c.visit
            + self.social_replies * c.social_reply
            + self.cases * c.case
    }
}

pub fn lifetime_value(
    purchases: &[Purchase],
    service: ServiceCounts,
    s: &ValueSettings,
    now: DateTime<Utc>,
) -> LifetimeValue {
    let sales: Vec<&Purchase> = purchases.iter().filter(|p| p.is_sale).collect();
    let revenue: i64 = sales.iter().map(|p| p.amount_minor).sum();
    let refunds: i64 = purchases.iter().map(|p| p.refunded_minor).sum();
    let net = revenue - refunds;
    let margin = apply_bp(net, s.gross_margin_bp);
    let service_cost = service.cost(&s.service_costs);
    let first = sales.iter().map(|p| p.at).min();
    let last = sales.iter().map(|p| p.at).max();
    let orders = sales.len() as i64;
    let churn = chrono::Duration::days(s.churn_days.max(1));
    let (orders_per_year, forward) = match (first, last) {
        (Some(first), Some(last)) if orders > 0 => {
            // The observed span, at least one churn window: one order yesterday is not twelve a year.
            let span_days = ((now - first).num_seconds() as f64 / 86_400.0).max(churn.num_days() as f64);
            let per_year = orders as f64 * 365.0 / span_days;
            let lapsed = now - last > churn;
            let average_net = net as f64 / orders as f64;
            let forward = if lapsed || average_net <= 0.0 {
                0
            } else {
                let f = average_net * per_year * s.horizon_years * s.gross_margin_bp as f64 / 10_000.0;
                f.round() as i64
            };
            (per_year, forward)
        }
        _ => (0.0, 0),
    };
    LifetimeValue {
        revenue_minor: revenue,
        refunds_minor: refunds,
        net_minor: net,
        margin_minor: margin,
        service_cost_minor: service_cost,
        forward_minor: forward,
        total_minor: margin - service_cost + forward,
        orders,
        orders_per_year: (orders_per_year * 100.0).round() / 100.0,
        first_order_at: first.map(|t| t.to_rfc3339()),
        last_order_at: last.map(|t| t.to_rfc3339()),
    }
}

/// One thing a person said about the business or its field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Voice {
    pub at: DateTime<Utc>,
    pub followers: Option<i64>,
    pub engagement: i64,
    /// -1 (against the business) ... +1 (for it).
    pub sentiment: f64,
    pub is_reply: bool,
}

fn decay(age_days: f64, half_life_days: f64) -> f64 {
    if half_life_days <= 0.0 {
        return 1.0;
    }
    0.5f64.powf(age_days.max(0.0) / half_life_days)
}

/// Raw lifetime influence: Σ log10(1 + reach + engagement weight x engagement) x type weight
/// x (1 + sentiment weight x sentiment) x decay(age). The workspace percentile of this is the 0-100 score.
pub fn influence_raw(voices: &[Voice], w: &InfluenceWeights, now: DateTime<Utc>) -> f64 {
    voices
        .iter()
        .map(|v| {
            let reach = v.followers.map(|f| f.max(0) as f64).unwrap_or(w.default_reach);
            let size = (1.0 + reach + w.engagement * v.engagement.max(0) as f64).log10();
            let kind = if v.is_reply { w.reply } else { 1.0 };
            let tone = (1.0 + w.sentiment * v.sentiment.clamp(-1.0, 1.0)).max(0.0);
            let age = (now - v.at).num_seconds() as f64 / 86_400.0;
            size * kind * tone * decay(age, w.half_life_days)
        })
        .sum()
}

/// Kinds of contribution counted in lifetime activity, with their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contribution {
    /// A post about the business or its field.
    Mention,
    /// A reply in a conversation.
    Reply,
    /// An answer to a survey.
    Answer,
    /// An idea they gave.
    Idea,
    /// A call, email, meeting or visit with them.
    Touch,
}

impl Contribution {
    pub fn weight(self) -> f64 {
        match self {
            Contribution::Mention => 1.0,
            Contribution::Reply => 1.0,
            Contribution::Answer => 2.0,
            Contribution::Idea => 3.0,
            Contribution::Touch => 1.0,
        }
    }
}

/// Lifetime activity: Σ weight(kind) x decay(age), one decimal.
pub fn lifetime_activity(
    contributions: &[(Contribution, DateTime<Utc>)],
    half_life_days: f64,
    now: DateTime<Utc>,
) -> f64 {
    let sum: f64 = contributions
        .iter()
        .map(|(kind, at)| kind.weight() * decay((now - *at).num_seconds() as f64 / 86_400.0, half_life_days))
        .sum();
    (sum * 10.0).round() / 10.0
}

/// Percentile ranks 0-100 of `values`: the share of positive values at or below each one. Zero stays 0
/// (no voice, no value), so one loud customer among silent ones is 100, not 50.
pub fn percentiles(values: &[f64]) -> Vec<u8> {
    let mut positive: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).collect();
    positive.sort_by(f64::total_cmp);
    let n = positive.len() as f64;
    values
        .iter()
        .map(|v| {
            if *v <= 0.0 {
                return 0;
            }
            let at_or_below = positive.partition_point(|x| x <= v) as f64;
            (100.0 * at_or_below / n).round().clamp(1.0, 100.0) as u8
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// High value and high influence.
    Champion,
    /// High value.
    BigSpender,
    /// High influence.
    Voice,
    Everyone,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champion => "champion",
            Segment::BigSpender => "big_spender",
            Segment::Voice => "voice",
            Segment::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Segment> {
        [Segment::Champion, Segment::BigSpender, Segment::Voice, Segment::Everyone]
            .into_iter()
            .find(|g| g.as_str() == s)
    }

    pub fn of(value_percentile: u8, influence_percentile: u8, high: u8) -> Segment {
        match (
            value_percentile >= high && value_percentile > 0,
            influence_percentile >= high && influence_percentile > 0,
        ) {
            (true, true) => Segment::Champion,
            (true, false) => Segment::BigSpender,
            (false, true) => Segment::Voice,
            (false, false) => Segment::Everyone,
        }
    }

    /// How much a segment lifts the priority of what its members say in the inbox.
    pub fn weight(self) -> f64 {
        match self {
            Segment::Champion => 1.0,
            Segment::BigSpender => 0.7,
            Segment::Voice => 0.5,
            Segment::Everyone => 0.0,
        }
    }
}

/// Why a valuable customer is at risk; empty when they are not (or are not valuable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskSignals {
    pub negative_recently: bool,
    pub open_issue: bool,
    pub keep_in_touch_overdue: bool,
}

pub fn risk_reasons(value_percentile: u8, high: u8, s: RiskSignals) -> Vec<&'static str> {
    if value_percentile < high || value_percentile == 0 {
        return Vec::new();
    }
    let mut reasons = Vec::new();
    if s.negative_recently {
        reasons.push("said something negative in the last 30 days");
    }
    if s.open_issue {
        reasons.push("has an open issue");
    }
    if s.keep_in_touch_overdue {
        reasons.push("is overdue for a touch");
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sale(day: &str, amount: i64) -> Purchase {
        Purchase { at: at(&format!("{day}T12:00:00Z")), amount_minor: amount, refunded_minor: 0, is_sale: true }
    }

    #[test]
    fn lifetime_value_is_net_revenue_times_margin_minus_service_plus_a_forward_estimate() {
        // Three orders of 60.00 over one year, one partially refunded by 10.00; margin 40%; two calls at 2.50.
        let mut orders = vec![sale("2025-06-01", 6000), sale("2025-12-01", 6000), sale("2026-05-01", 6000)];
        orders[1].refunded_minor = 1000;
        let s = ValueSettings { service_costs: ServiceCosts { call: 250, ..Default::default() }, ..Default::default() };
        let calls = ServiceCounts { calls: 2, ..Default::default() };
        let v = lifetime_value(&orders, calls, &s, at("2026-06-01T12:00:00Z"));
        assert_eq!((v.revenue_minor, v.refunds_minor, v.net_minor), (18000, 1000, 17000));
        assert_eq!(v.margin_minor, 6800); // 170.00 x 40%
        assert_eq!(v.service_cost_minor, 500);
        // 3 orders in 365 days = 3 a year; average net 56.67 x 3 x 1 year x 40% = 68.00
        assert_eq!(v.orders_per_year, 3.0);
        assert_eq!(v.forward_minor, 6800);
        assert_eq!(v.total_minor, 6800 - 500 + 6800);
    }

    #[test]
    fn a_lapsed_customer_has_no_forward_estimate_and_refunds_beyond_revenue_go_negative() {
        let mut orders = vec![sale("2024-01-01", 5000)];
        orders.push(Purchase { at: at("2024-02-01T00:00:00Z"), amount_minor: 0, refunded_minor: 7000, is_sale: false });
        let v =
            lifetime_value(&orders, ServiceCounts::default(), &ValueSettings::default(), at("2026-01-01T00:00:00Z"));
        assert_eq!((v.net_minor, v.margin_minor, v.forward_minor), (-2000, -800, 0));
        assert_eq!(v.total_minor, -800);
    }

    #[test]
    fn no_orders_is_zero_value_and_one_recent_order_projects_from_the_churn_window() {
        let none = lifetime_value(&[], ServiceCounts::default(), &ValueSettings::default(), at("2026-01-01T00:00:00Z"));
        assert_eq!(none, LifetimeValue::default());
        let one = lifetime_value(
            &[sale("2026-01-01", 10000)],
            ServiceCounts::default(),
            &ValueSettings::default(),
            at("2026-01-02T12:00:00Z"),
        );
        // One order, span floored at 180 days: 365/180 = 2.03 a year; 100.00 x 2.0278 x 40% = 81.11
        assert_eq!(one.orders_per_year, 2.03);
        assert_eq!(one.forward_minor, 8111);
    }

    #[test]
    fn margin_rounds_half_away_from_zero_in_integers() {
        assert_eq!(apply_bp(125, 4000), 50);
        assert_eq!(apply_bp(1, 5000), 1);
        assert_eq!(apply_bp(-1, 5000), -1);
        assert_eq!(apply_bp(i64::MAX / 2, 10000), i64::MAX / 2);
    }

    #[test]
    fn influence_grows_with_reach_engagement_and_warmth_and_fades_with_age() {
        let now = at("2026-06-01T00:00:00Z");
        let w = InfluenceWeights::default();
        let post = Voice { at: now, followers: Some(999), engagement: 0, sentiment: 0.0, is_reply: false };
        assert!((influence_raw(&[post], &w, now) - 3.0).abs() < 1e-9); // log10(1000)
        let engaged = Voice { engagement: 200, ..post }; // 1 + 999 + 5 x 200 = 2000
        assert!((influence_raw(&[engaged], &w, now) - 2000f64.log10()).abs() < 1e-9);
        let warm = Voice { sentiment: 1.0, ..post };
        assert!((influence_raw(&[warm], &w, now) - 4.5).abs() < 1e-9);
        let reply = Voice { is_reply: true, ..post };
        assert!((influence_raw(&[reply], &w, now) - 1.5).abs() < 1e-9);
        let old = Voice { at: at("2025-06-01T00:00:00Z"), ..post };
        assert!((influence_raw(&[old], &w, now) - 1.5).abs() < 1e-9); // one half-life
        let blog = Voice { followers: None, ..post };
        assert!((influence_raw(&[blog], &w, now) - 101f64.log10()).abs() < 1e-9);
    }

    #[test]
    fn activity_weights_contributions_by_kind_and_recency() {
        let now = at("2026-06-01T00:00:00Z");
        let c = [
            (Contribution::Mention, now),
            (Contribution::Idea, now),
            (Contribution::Answer, at("2025-12-03T00:00:00Z")), // 180 days: half weight
        ];
        assert_eq!(lifetime_activity(&c, 180.0, now), 5.0);
        assert_eq!(lifetime_activity(&[], 180.0, now), 0.0);
    }

    #[test]
    fn percentiles_rank_within_the_workspace_and_silence_is_zero() {
        assert_eq!(percentiles(&[0.0, 5.0, 1.0, 3.0, 0.0]), vec![0, 100, 33, 67, 0]);
        assert_eq!(percentiles(&[2.0]), vec![100]);
        assert_eq!(percentiles(&[]), Vec::<u8>::new());
    }

    #[test]
    fn segments_follow_value_and_influence() {
        assert_eq!(Segment::of(90, 85, 80), Segment::Champion);
        assert_eq!(Segment::of(90, 10, 80), Segment::BigSpender);
        assert_eq!(Segment::of(0, 80, 80), Segment::Voice);
        assert_eq!(Segment::of(79, 79, 80), Segment::Everyone);
        let risky = RiskSignals { open_issue: true, ..Default::default() };
        assert_eq!(risk_reasons(95, 80, risky), vec!["has an open issue"]);
        assert!(risk_reasons(50, 80, risky).is_empty());
    }
}
