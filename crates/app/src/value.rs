//! Customer value use cases: importing orders and survey answers, the "who is this?" list, each contact's
//! value, the dashboard, and the settings the formulas read (margin, service costs, weights, opening hours,
//! time zone).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use earshot_core::hours::OpeningHours;
use earshot_core::import::FileError;
use earshot_core::orders::{self, OrderFormat, OrderMapping, OrdersPreview, ReadOptions};
use earshot_core::survey;
use earshot_core::value::ValueSettings;
use earshot_store::imports::{self as store_imports, Counts, ImportSummary, Matcher};
use earshot_store::metrics::{self as store_metrics, Dashboard};
use earshot_store::orders::{self as store_orders, OrderCounts, WaitingBuyer};
use earshot_store::value::{self as store_value, ContactValue};
use earshot_store::{nps, settings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

/// Orders written per transaction.
const CHUNK: usize = 5_000;

/// The computer's time zone, for workspaces where the owner has not chosen one.
pub fn local_zone() -> Tz {
    iana_time_zone::get_timezone().ok().and_then(|z| z.parse().ok()).unwrap_or(Tz::UTC)
}

fn zone(ctx: &Ctx) -> Result<Tz, ApiError> {
    Ok(ctx.store.read(|c| store_metrics::time_zone(c, local_zone()))?)
}

fn file_error(file_name: &str, e: FileError) -> ApiError {
    let hint = match e {
        FileError::NeedsMapping => " (a date and an amount column are needed; map the columns)",
        _ => "",
    };
    ApiError::invalid(format!("{file_name}: {e}{hint}"))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct OrdersImportOptions {
    /// Forces a format instead of detecting it from the header.
    pub format: Option<OrderFormat>,
    /// For a generic CSV: what each column holds (guessed from the header when absent).
    pub mapping: Option<OrderMapping>,
    /// Buyers no contact matches become new contacts (true) or wait in the "who is this?" list (false).
    pub create_contacts: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct OrdersImported {
    pub import: ImportSummary,
    pub counts: OrderCounts,
}

pub fn orders_preview(file_name: &str, bytes: &[u8]) -> Result<OrdersPreview, ApiError> {
    orders::preview(bytes, 5).map_err(|e| file_error(file_name, e))
}

/// Imports an orders export. Importing the same file again adds nothing (changed refunds and statuses
/// are updated); every refused row is reported with its line.
pub fn orders_import(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    options: &OrdersImportOptions,
) -> Result<OrdersImported, ApiError> {
    let opts = ReadOptions { currency: ctx.store.read(settings::currency)?, zone: zone(ctx)? };
    let parsed =
        orders::read(bytes, options.format, options.mapping.as_ref(), &opts).map_err(|e| file_error(file_name, e))?;
    // Both Square exports are one source: their transaction ids are the same ids.
    let source = match parsed.format {
        OrderFormat::SquareItems => "square",
        f => f.as_str(),
    };
    let now = ctx.now_text();
    let import_id = ctx.store.write(|tx| store_imports::begin(tx, file_name, &format!("orders:{source}"), &now))?;
    let mut matcher = ctx.store.read(Matcher::load)?;
    let mut counts = OrderCounts::default();
    for chunk in parsed.orders.chunks(CHUNK) {
        let c = ctx.store.write(|tx| {
            store_orders::import(tx, import_id, source, chunk, &mut matcher, options.create_contacts, &now)
        })?;
        counts.add(c);
    }
    ctx.store.write(|tx| {
        store_imports::record_problems(tx, import_id, &parsed.errors, &parsed.warnings)?;
        let c = Counts { added: counts.added, merged: counts.updated, unchanged: counts.unchanged };
        store_imports::finish(tx, import_id, c, parsed.errors.len() as i64, &[], &now)
    })?;
    tracing::info!(
        import = import_id,
        source,
        added = counts.added,
        updated = counts.updated,
        unchanged = counts.unchanged,
        refused = parsed.errors.len(),
        "orders imported"
    );
    values_refresh(ctx)?;
    Ok(OrdersImported { import: ctx.store.read(|c| store_imports::get(c, import_id))?, counts })
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct NpsImported {
    pub import: ImportSummary,
    pub counts: nps::NpsCounts,
}

/// Imports survey answers (email, score 0-10, comment, date). Re-importing adds nothing.
pub fn nps_import(ctx: &Ctx, file_name: &str, bytes: &[u8]) -> Result<NpsImported, ApiError> {
    let parsed = survey::read(bytes, zone(ctx)?).map_err(|e| match e {
        FileError::NeedsMapping => {
            ApiError::invalid(format!("{file_name}: no score column was found (name it \"score\" or \"NPS\")"))
        }
        e => file_error(file_name, e),
    })?;
    let now = ctx.now_text();
    let matcher = ctx.store.read(Matcher::load)?;
    let (import_id, counts) = ctx.store.write(|tx| {
        let id = store_imports::begin(tx, file_name, "nps", &now)?;
        let counts = nps::import(tx, id, &parsed.answers, &matcher, &now)?;
        store_imports::record_problems(tx, id, &parsed.errors, &[])?;
        let c = Counts { added: counts.added, merged: 0, unchanged: counts.unchanged };
        store_imports::finish(tx, id, c, parsed.errors.len() as i64, &[], &now)?;
        Ok((id, counts))
    })?;
    tracing::info!(
        import = import_id,
        added = counts.added,
        unchanged = counts.unchanged,
        refused = parsed.errors.len(),
        "survey answers imported"
    );
    values_refresh(ctx)?;
    Ok(NpsImported { import: ctx.store.read(|c| store_imports::get(c, import_id))?, counts })
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct NpsInput {
    pub score: u8,
    pub comment: Option<String>,
    /// RFC 3339; now when absent.
    pub answered_at: Option<String>,
}

/// Records an answer heard in person.
pub fn nps_record(ctx: &Ctx, contact_id: i64, input: &NpsInput) -> Result<i64, ApiError> {
    let at = match input.answered_at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => earshot_store::parse_timestamp(s).ok_or_else(|| {
            ApiError::invalid(format!("\"{s}\" is not a date and time (expected e.g. 2026-11-25T09:30:00Z)"))
        })?,
        None => ctx.now(),
    };
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| nps::record(tx, contact_id, input.score, input.comment.as_deref(), at, &now))?)
}

pub fn orders_waiting(ctx: &Ctx, limit: i64) -> Result<Vec<WaitingBuyer>, ApiError> {
    Ok(ctx.store.read(|c| store_orders::waiting(c, &settings::currency(c)?, limit))?)
}

/// Says who a waiting buyer is (an existing contact, or a new one when `contact_id` is None).
pub fn order_assign(ctx: &Ctx, order_id: i64, contact_id: Option<i64>) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    let id = ctx.store.write(|tx| store_orders::assign(tx, order_id, contact_id, &now))?;
    values_refresh(ctx)?;
    Ok(id)
}

pub fn order_dismiss(ctx: &Ctx, order_id: i64) -> Result<i64, ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| store_orders::dismiss(tx, order_id, &now))?)
}

/// Orders changed on two desktops of the team apart, waiting for someone to look at them.
pub fn orders_to_review(ctx: &Ctx) -> Result<Vec<earshot_store::team::orders::OrderToReview>, ApiError> {
    Ok(ctx.store.read(earshot_store::team::orders::to_review)?)
}

/// Someone looked at an order flagged for review: on every desktop, it is no longer flagged.
pub fn order_reviewed(ctx: &Ctx, order_id: i64) -> Result<(), ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| earshot_store::team::orders::reviewed(tx, order_id, &now))?)
}

pub fn contact_orders(ctx: &Ctx, contact_id: i64, limit: i64) -> Result<Vec<store_orders::Order>, ApiError> {
    Ok(ctx.store.read(|c| store_orders::of_contact(c, contact_id, limit))?)
}

/// Recomputes every contact's value and stores it for lists, segments and the inbox.
pub fn values_refresh(ctx: &Ctx) -> Result<Vec<ContactValue>, ApiError> {
    let now = ctx.now();
    let values = ctx.store.read(|c| store_value::compute_all(c, now))?;
    let at = earshot_store::timestamp(now);
    ctx.store.write(|tx| store_value::refresh(tx, &values, &at))?;
    // Segments feed the inbox order: what valuable customers say rises.
    crate::triage::inbox_rescore(ctx)?;
    Ok(values)
}

/// Recomputes the values when they are older than `minutes` (or were never computed): screens that show
/// them call this first.
pub fn values_refresh_if_stale(ctx: &Ctx, minutes: i64) -> Result<(), ApiError> {
    let computed = ctx.store.read(|c| settings::get(c, settings::VALUES_COMPUTED_AT))?;
    let stale = computed
        .as_deref()
        .and_then(earshot_store::parse_timestamp)
        .is_none_or(|t| ctx.now() - t > chrono::Duration::minutes(minutes));
    if stale {
        values_refresh(ctx)?;
    }
    Ok(())
}

pub fn contact_value(ctx: &Ctx, contact_id: i64) -> Result<ContactValue, ApiError> {
    let now = ctx.now();
    Ok(ctx.store.read(|c| {
        earshot_store::contacts::ensure_live(c, contact_id)?;
        store_value::of_contact(c, contact_id, now)
    })?)
}

/// Reads a period bound: a date ("2026-01-31", midnight in the shop's zone) or an RFC 3339 instant.
pub fn period_bound(s: &str, zone: Tz) -> Result<DateTime<Utc>, ApiError> {
    if let Some(t) = earshot_store::parse_timestamp(s) {
        return Ok(t);
    }
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(zone).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::invalid(format!("\"{s}\" is not a date (expected e.g. 2026-01-31)")))
}

/// The dashboard over [from, to). Defaults: the last 365 days up to now. `to` as a date includes that day.
pub fn metrics_get(ctx: &Ctx, from: Option<&str>, to: Option<&str>) -> Result<Dashboard, ApiError> {
    let zone = zone(ctx)?;
    let now = ctx.now();
    let to = match to {
        Some(s) if earshot_store::parse_timestamp(s).is_none() => period_bound(s, zone)? + chrono::Duration::days(1),
        Some(s) => period_bound(s, zone)?,
        None => now,
    };
    let from = match from {
        Some(s) => period_bound(s, zone)?,
        None => to - chrono::Duration::days(365),
    };
    if from >= to {
        return Err(ApiError::invalid("the period is empty: --from must be before --to"));
    }
    // Share of conversation and money read their caches: bring them up to date, in short transactions.
    while !ctx.store.write(|tx| earshot_store::conversation::refresh(tx, zone))? {}
    while !ctx.store.write(earshot_store::sales_digest::refresh)? {}
    Ok(ctx.store.read(|c| store_metrics::dashboard(c, from, to, zone))?)
}

/// The settings the value formulas and the dashboard read.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ValueConfig {
    pub value: ValueSettings,
    pub opening_hours: OpeningHours,
    /// IANA name ("Europe/Paris").
    pub time_zone: String,
    /// The workspace currency the amounts are in (read only here).
    #[serde(default)]
    pub currency: String,
}

pub fn value_config_get(ctx: &Ctx) -> Result<ValueConfig, ApiError> {
    Ok(ValueConfig {
        value: ctx.store.read(store_value::value_settings)?,
        opening_hours: ctx.store.read(store_metrics::opening_hours)?,
        time_zone: zone(ctx)?.name().to_string(),
        currency: ctx.store.read(settings::currency)?,
    })
}

pub fn value_config_set(ctx: &Ctx, config: &ValueConfig) -> Result<ValueConfig, ApiError> {
    let v = &config.value;
    if !(0..=10_000).contains(&v.gross_margin_bp) {
        return Err(ApiError::invalid("gross margin must be between 0% and 100%"));
    }
    if v.churn_days < 1
        || v.horizon_years < 0.0
        || v.activity_half_life_days <= 0.0
        || v.influence.half_life_days <= 0.0
    {
        return Err(ApiError::invalid("churn days, half-lives and the horizon must be positive"));
    }
    let w = &v.influence;
    if [w.default_reach, w.engagement, w.reply, w.sentiment].iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(ApiError::invalid("influence weights must be numbers of 0 or more"));
    }
    if !(1..=100).contains(&v.high_percentile) {
        return Err(ApiError::invalid("the percentile from which value or influence is high must be from 1 to 100"));
    }
    let c = &v.service_costs;
    if [c.call, c.email, c.visit, c.social_reply, c.case].iter().any(|x| *x < 0) {
        return Err(ApiError::invalid("service costs cannot be negative"));
    }
    config.opening_hours.validate().map_err(|e| ApiError::invalid(format!("opening hours: {e}")))?;
    let zone: Tz = config
        .time_zone
        .parse()
        .map_err(|_| ApiError::invalid(format!("\"{}\" is not a time zone (e.g. Europe/Paris)", config.time_zone)))?;
    // Plain data types: serializing them cannot fail.
    let value_json = serde_json::to_string(v).expect("value settings serialize");
    let hours_json = serde_json::to_string(&config.opening_hours).expect("opening hours serialize");
    ctx.store.write(|tx| {
        settings::set(tx, settings::VALUE_SETTINGS, &value_json)?;
        settings::set(tx, settings::OPENING_HOURS, &hours_json)?;
        settings::set(tx, settings::TIME_ZONE, zone.name())
    })?;
    values_refresh(ctx)?;
    value_config_get(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    #[test]
    fn what_a_valuable_customer_says_rises_in_the_inbox_once_values_are_computed() {
        let (_d, ctx) = ctx();
        ctx.store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO contacts (id, display_name, sort_key, created_at, updated_at)
                       VALUES (1, 'Ana', 'ana', 'x', 'x'), (2, 'Bo', 'bo', 'x', 'x');
                     INSERT INTO sources (id, kind, name, url, created_at) VALUES (1, 'manual', 'Captured', 'manual:', 'x');
                     INSERT INTO mentions (id, source_id, external_id, text, fetched_at, matches, intents, urgency, priority, contact_id)
                       VALUES (1, 1, 'a', 'my order is late', '2026-11-20T00:00:00Z', 1, 'complaint', 0.5, 0.5, NULL),
                              (2, 1, 'b', 'my order is late', '2026-11-20T00:00:00Z', 1, 'complaint', 0.5, 0.5, 1);
                     INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, created_at)
                       VALUES ('csv', '1', 1, '2026-10-01T00:00:00Z', 'paid', 'USD', 50000, 'x'),
                              ('csv', '2', 2, '2026-10-01T00:00:00Z', 'paid', 'USD', 1000, 'x');",
                )?;
                Ok(())
            })
            .unwrap();
        values_refresh(&ctx).unwrap();
        let priority = |id: i64| -> f64 {
            ctx.store
                .read(|c| Ok(c.query_row("SELECT priority FROM mentions WHERE id = ?1", [id], |r| r.get(0))?))
                .unwrap()
        };
        // Ana is the top spender and the only voice heard: a champion, whose complaint weighs double a stranger's.
        assert_eq!(priority(1), 0.5);
        assert!((priority(2) - 1.0).abs() < 1e-9, "{}", priority(2));
        let ana = contact_value(&ctx, 1).unwrap();
        assert_eq!((ana.value_percentile, ana.segment), (100, earshot_core::value::Segment::Champion));
    }

    #[test]
    fn bad_settings_are_refused_with_what_is_wrong() {
        let (_d, ctx) = ctx();
        let mut c = value_config_get(&ctx).unwrap();
        c.time_zone = "Mars/Olympus".into();
        assert!(value_config_set(&ctx, &c).unwrap_err().message.contains("Mars/Olympus"));
        let mut c = value_config_get(&ctx).unwrap();
        c.value.gross_margin_bp = 12_000;
        assert!(value_config_set(&ctx, &c).unwrap_err().message.contains("margin"));
        let mut c = value_config_get(&ctx).unwrap();
        c.time_zone = "Europe/Paris".into();
        c.value.gross_margin_bp = 5_500;
        let saved = value_config_set(&ctx, &c).unwrap();
        assert_eq!((saved.time_zone.as_str(), saved.value.gross_margin_bp), ("Europe/Paris", 5_500));
    }
}
