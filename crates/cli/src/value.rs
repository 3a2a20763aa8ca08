//! `earshot orders`, `earshot nps`, `earshot metrics` and `earshot value`: customer value from the command
//! line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use earshot_app::value::{self, NpsInput, OrdersImportOptions, ValueConfig};
use earshot_app::Ctx;
use earshot_core::hours::{Opening, OpeningHours};
use earshot_core::money::{format_minor, parse_minor};
use earshot_core::orders::{OrderField, OrderFormat};

use crate::{api, print_json};

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Import an orders export (Shopify orders, Square transactions or item sales, Stripe payments, any CSV)
    Import {
        file: PathBuf,
        #[arg(long, value_parser = ["shopify", "square", "stripe", "csv"])]
        format: Option<String>,
        /// For a generic CSV: COLUMN=FIELD, repeated (fields: order_id date amount refunded currency status
        /// email phone name description ignore)
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        map: Vec<String>,
        /// Buyers no contact matches become new contacts (default: they wait in `earshot orders waiting`)
        #[arg(long)]
        create_contacts: bool,
        #[arg(long)]
        json: bool,
    },
    /// Buyers no contact matched: the "who is this?" list
    Waiting {
        #[arg(long)]
        json: bool,
    },
    /// Say who a waiting buyer is: an existing contact (--contact), or a new contact made from the order
    Assign {
        order: i64,
        #[arg(long)]
        contact: Option<i64>,
    },
    /// Take a waiting buyer off the list without linking them
    Dismiss { order: i64 },
    /// Orders changed on two desktops of the team apart (a refund here, a cancellation there)
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Say an order flagged for review has been looked at
    Reviewed { order: i64 },
    /// A contact's orders, newest first
    List {
        contact: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum NpsCommand {
    /// Import survey answers (a CSV with email, score 0-10, comment, date)
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Record an answer heard in person
    Add {
        contact: i64,
        score: u8,
        #[arg(long)]
        comment: Option<String>,
        /// When it was given (RFC 3339; now by default)
        #[arg(long)]
        at: Option<String>,
    },
}

fn read_file(file: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.display().to_string());
    Ok((name, bytes))
}

fn report_problems(summary: &earshot_app::store_types::ImportSummary) {
    for p in &summary.problems {
        eprintln!("{}:{}: {}: {}", summary.file_name, p.line, p.severity, p.reason);
    }
}

pub fn orders(ctx: &Ctx, command: OrdersCommand) -> Result<()> {
    match command {
        OrdersCommand::Import { file, format, map, create_contacts, json } => {
            let (name, bytes) = read_file(&file)?;
            let format = format.as_deref().and_then(OrderFormat::parse);
            let mapping = if map.is_empty() {
                None
            } else {
                let preview = api(value::orders_preview(&name, &bytes))?;
                let mut mapping = preview.mapping;
                for item in &map {
                    let (column, field) =
                        item.split_once('=').ok_or_else(|| anyhow!("--map {item}: expected COLUMN=FIELD"))?;
                    let idx = preview
                        .headers
                        .iter()
                        .position(|h| h.eq_ignore_ascii_case(column.trim()))
                        .ok_or_else(|| anyhow!("--map {item}: {name} has no column \"{column}\""))?;
                    let field: OrderField = serde_json::from_value(serde_json::Value::String(field.trim().into()))
                        .map_err(|_| {
                            anyhow!("--map {item}: \"{field}\" is not a field; see `earshot orders import --help`")
                        })?;
                    mapping.columns[idx] = field;
                }
                Some(mapping)
            };
            let options = OrdersImportOptions { format, mapping, create_contacts };
            let done = api(value::orders_import(ctx, &name, &bytes, &options))?;
            if json {
                return print_json(&done);
            }
            let c = done.counts;
            println!(
                "{name}: {} orders added ({} matched to contacts, {} new contacts, {} waiting in `earshot orders waiting`), {} updated, {} unchanged, {} rejected (import {}; undo with `earshot imports undo {}`)",
                c.added, c.matched, c.contacts_created, c.waiting, c.updated, c.unchanged, done.import.rejected, done.import.id, done.import.id
            );
            report_problems(&done.import);
            Ok(())
        }
        OrdersCommand::Waiting { json } => {
            let list = api(value::orders_waiting(ctx, 500))?;
            if json {
                return print_json(&list);
            }
            for b in list {
                let who = [b.name.as_deref(), b.email.as_deref(), b.phone.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>();
                println!("{}\t{}\t{} orders\t{}\tlast {}", b.order_id, who.join(" "), b.orders, b.net, b.last_order_at);
            }
            Ok(())
        }
        OrdersCommand::Assign { order, contact } => {
            let id = api(value::order_assign(ctx, order, contact))?;
            println!("The buyer's orders are now on contact {id}");
            Ok(())
        }
        OrdersCommand::Dismiss { order } => {
            let n = api(value::order_dismiss(ctx, order))?;
            println!("{n} orders taken off the list");
            Ok(())
        }
        OrdersCommand::Review { json } => {
            let list = api(value::orders_to_review(ctx))?;
            if json {
                return print_json(&list);
            }
            for o in list {
                println!(
                    "{}\t{} {}\tnow {} {} {}\tthe other change said {} {} {}",
                    o.id,
                    o.source,
                    o.external_id,
                    o.status,
                    o.amount,
                    o.currency,
                    o.other_status,
                    o.other_amount,
                    o.currency
                );
            }
            Ok(())
        }
        OrdersCommand::Reviewed { order } => {
            api(value::order_reviewed(ctx, order))?;
            println!("Order {order} reviewed");
            Ok(())
        }
        OrdersCommand::List { contact, json } => {
            let list = api(value::contact_orders(ctx, contact, 1000))?;
            if json {
                return print_json(&list);
            }
            for o in list {
                println!(
                    "{}\t{}\t{} {}\t{}\t{}",
                    o.id,
                    o.placed_at,
                    o.amount,
                    o.currency,
                    o.status,
                    o.description.unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

pub fn nps(ctx: &Ctx, command: NpsCommand) -> Result<()> {
    match command {
        NpsCommand::Import { file, json } => {
            let (name, bytes) = read_file(&file)?;
            let done = api(value::nps_import(ctx, &name, &bytes))?;
            if json {
                return print_json(&done);
            }
            println!(
                "{name}: {} answers added ({} linked to contacts), {} unchanged, {} rejected (import {})",
                done.counts.added, done.counts.matched, done.counts.unchanged, done.import.rejected, done.import.id
            );
            report_problems(&done.import);
            Ok(())
        }
        NpsCommand::Add { contact, score, comment, at } => {
            let id = api(value::nps_record(ctx, contact, &NpsInput { score, comment, answered_at: at }))?;
            println!("Answer {id} recorded");
            Ok(())
        }
    }
}

pub fn metrics(ctx: &Ctx, from: Option<String>, to: Option<String>, json: bool) -> Result<()> {
    value::values_refresh(ctx).map_err(|e| anyhow!("{}", e.message))?;
    let d = api(value::metrics_get(ctx, from.as_deref(), to.as_deref()))?;
    if json || !std::io::stdout().is_terminal() {
        return print_json(&d);
    }
    let pct = |v: Option<f64>| v.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "-".into());
    let minutes = |v: Option<f64>| v.map(|m| format!("{m:.0} min")).unwrap_or_else(|| "-".into());
    println!("{} to {} ({})", d.from, d.to, d.time_zone);
    println!(
        "NPS {} ({} answers: {} promoters, {} passives, {} detractors)",
        d.nps.score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into()),
        d.nps.responses,
        d.nps.promoters,
        d.nps.passives,
        d.nps.detractors
    );
    let r = &d.revenue;
    println!(
        "Revenue {} {} gross, {} refunded, {} net; {} orders from {} customers",
        r.currency,
        format_minor(r.gross_minor, &r.currency),
        format_minor(r.refunds_minor, &r.currency),
        format_minor(r.net_minor, &r.currency),
        r.orders,
        r.customers
    );
    for s in &d.share_of_conversation {
        println!("  {} ({}): {} mentions, {} of the conversation", s.brand, s.kind, s.mentions, pct(Some(s.share)));
    }
    println!(
        "First action: median {}, 90% within {}",
        minutes(d.response_time.first_action_median_minutes),
        minutes(d.response_time.first_action_p90_minutes)
    );
    let l = &d.lead_conversion;
    println!("Leads from mentions: {} of {} became customers ({})", l.converted, l.leads, pct(l.rate));
    println!(
        "Repeat purchase rate {}, churn {} (no order in {} days)",
        pct(d.retention.repeat_purchase_rate),
        pct(d.retention.churn_rate),
        d.retention.churn_days
    );
    Ok(())
}

/// Reads "mon-fri 09:00-17:00, sat 10:00-14:00" (days: mon tue wed thu fri sat sun; ranges wrap).
fn parse_hours(spec: &str) -> Result<OpeningHours> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day = |d: &str| DAYS.iter().position(|x| d.trim().to_lowercase().starts_with(x)).map(|i| i as u8);
    let mut openings = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (days, times) =
            part.split_once(' ').ok_or_else(|| anyhow!("--hours \"{part}\": expected e.g. \"mon-fri 09:00-17:00\""))?;
        let (open, close) = times
            .trim()
            .split_once('-')
            .ok_or_else(|| anyhow!("--hours \"{part}\": expected a time range like 09:00-17:00"))?;
        let (first, last) = match days.split_once('-') {
            Some((a, b)) => (day(a), day(b)),
            None => (day(days), day(days)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            bail!("--hours \"{part}\": days are mon tue wed thu fri sat sun")
        };
        let mut d = first;
        loop {
            openings.push(Opening { weekday: d, open: open.trim().into(), close: close.trim().into() });
            if d == last {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    Ok(OpeningHours { openings })
}

pub struct ConfigChanges {
    pub influence: Vec<String>,
    pub margin: Option<f64>,
    pub churn_days: Option<i64>,
    pub time_zone: Option<String>,
    pub hours: Option<String>,
    pub costs: Vec<String>,
}

pub fn config(ctx: &Ctx, changes: ConfigChanges) -> Result<()> {
    let mut c: ValueConfig = api(value::value_config_get(ctx))?;
    let currency = c.currency.clone();
    if let Some(m) = changes.margin {
        c.value.gross_margin_bp = (m * 100.0).round() as i64;
    }
    if let Some(d) = changes.churn_days {
        c.value.churn_days = d;
    }
    if let Some(z) = changes.time_zone {
        c.time_zone = z;
    }
    if let Some(h) = changes.hours {
        c.opening_hours =
            if h.trim().eq_ignore_ascii_case("always") { OpeningHours::default() } else { parse_hours(&h)? };
    }
    for item in &changes.costs {
        let (kind, amount) = item.split_once('=').ok_or_else(|| anyhow!("--cost {item}: expected KIND=AMOUNT"))?;
        let minor = parse_minor(amount, &currency).map_err(|e| anyhow!("--cost {item}: {e}"))?;
        let costs = &mut c.value.service_costs;
        let slot = match kind.trim() {
            "call" => &mut costs.call,
            "email" => &mut costs.email,
            "visit" => &mut costs.visit,
            "social_reply" => &mut costs.social_reply,
            "case" => &mut costs.case,
            other => bail!("--cost {item}: \"{other}\" is not a service kind (call, email, visit, social_reply, case)"),
        };
        *slot = minor;
    }
    for item in &changes.influence {
        let (key, number) =
            item.split_once('=').ok_or_else(|| anyhow!("--influence {item}: expected WEIGHT=NUMBER"))?;
        let x: f64 = number.trim().parse().map_err(|_| anyhow!("--influence {item}: \"{number}\" is not a number"))?;
        let w = &mut c.value.influence;
        match key.trim() {
            "engagement" => w.engagement = x,
            "sentiment" => w.sentiment = x,
            "reply" => w.reply = x,
            "half_life_days" => w.half_life_days = x,
            "default_reach" => w.default_reach = x,
            other => bail!("--influence {item}: \"{other}\" is not a weight (engagement, sentiment, reply, half_life_days, default_reach)"),
        }
    }
    let saved = api(value::value_config_set(ctx, &c))?;
    print_json(&saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_hours_read_from_a_short_spec() {
        let h = parse_hours("mon-fri 09:00-17:00, sat 10:00-14:00, sun-mon 20:00-02:00").unwrap();
        assert_eq!(h.openings.len(), 5 + 1 + 2);
        assert_eq!(h.openings[5], Opening { weekday: 5, open: "10:00".into(), close: "14:00".into() });
        assert!(parse_hours("weekdays 9-5").is_err());
    }
}
