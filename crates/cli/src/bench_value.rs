//! `earshot bench-value`: a workspace with a million mentions, a hundred thousand contacts and half a
//! million orders, then the customer-value paths timed: the full dashboard over a year, one contact's
//! brief, and recomputing every contact's value. Prints a table; asserts nothing.

use anyhow::{anyhow, Result};
use earshot_app::{today, value, Ctx};
use earshot_core::demo::Seeded;
use earshot_store::rusqlite::params;

use crate::bench::{add_contacts, print_table, settle, tempdir, timed, Row};

const INTENTS: &[&str] = &["other", "complaint", "question", "praise", "lead", "other,trigger", "idea"];

pub fn run(mentions: usize, contacts: usize, orders: usize) -> Result<()> {
    let dir = tempdir()?;
    let db = dir.join("bench-value.db");
    let store = earshot_app::Store::open_with(&db, earshot_app::StoreOptions { backups: false })?;
    let ctx = Ctx::with_store(store);
    let api = |e: earshot_app::ApiError| anyhow!(e.message);

    eprintln!("Adding {contacts} contacts...");
    add_contacts(&ctx, contacts, 5)?;

    eprintln!("Adding {mentions} mentions with their matches and decisions...");
    let (filled, fill) = timed(|| {
        ctx.store.write(|tx| {
            tx.execute_batch(
                "INSERT INTO sources (id, kind, name, url, created_at) VALUES (1, 'feed', 'bench', 'https://bench.example/', 'x');
                 INSERT INTO listening_queries (id, kind, query, created_at) VALUES
                   (1, 'brand', 'spoke and chain', 'x'), (2, 'competitor', 'wheel house', 'x'),
                   (3, 'competitor', 'pedal pushers', 'x'), (4, 'industry', 'cycling', 'x');",
            )?;
            let mut mention = tx.prepare(
                "INSERT INTO mentions (id, source_id, external_id, author_followers, likes, text, published_at, fetched_at,
                                       matches, sentiment, intents, urgency, priority, state, contact_id, first_action_at)
                 VALUES (?1, 1, ?2, ?3, ?4, 'a mention', ?5, ?5, 1, ?6, ?7, 0.3, 0.3, ?8, ?9, ?10)",
            )?;
            let mut matched = tx.prepare("INSERT INTO mention_matches (mention_id, query_id) VALUES (?1, ?2)")?;
            let mut log = tx.prepare(
                "INSERT INTO triage_log (batch, mention_id, action, at, contact_id) VALUES (?1, ?1, ?2, ?3, ?4)",
            )?;
            let mut r = Seeded::new(11);
            for i in 1..=mentions as i64 {
                let day = r.below(365) as i64;
                let at = chrono::DateTime::parse_from_rfc3339("2025-12-01T00:00:00Z").unwrap()
                    + chrono::Duration::days(day)
                    + chrono::Duration::minutes(r.below(1440) as i64);
                let at = at.to_utc();
                let contact = (r.below(10) == 0).then(|| 1 + r.below(contacts) as i64);
                let intents = INTENTS[r.below(INTENTS.len())];
                let decided = r.below(10) < 8;
                let answered = decided.then(|| at + chrono::Duration::minutes(5 + r.below(3000) as i64));
                mention.execute(params![
                    i,
                    format!("m{i}"),
                    r.below(20_000) as i64,
                    r.below(50) as i64,
                    earshot_store::timestamp(at),
                    (r.below(200) as f64 - 100.0) / 100.0,
                    intents,
                    if decided { "done" } else { "new" },
                    contact,
                    answered.map(earshot_store::timestamp)
                ])?;
                matched.execute(params![i, 1 + r.below(4) as i64])?;
                if let Some(answered) = answered {
                    let action = if intents == "lead" && contact.is_some() { "lead" } else { "done" };
                    let lead_contact = if action == "lead" { contact } else { None };
                    log.execute(params![i, action, earshot_store::timestamp(answered), lead_contact])?;
                }
            }
            Ok(())
        })
    });
    filled?;
    eprintln!("  in {:.1} s", fill.as_secs_f64());

    eprintln!("Adding {orders} orders and survey answers...");
    ctx.store.write(|tx| {
        let mut order = tx.prepare(
            "INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, refunded_minor,
                                 created_at)
             VALUES ('csv', ?1, ?2, ?3, ?4, 'USD', ?5, ?6, 'x')",
        )?;
        let mut r = Seeded::new(13);
        for i in 0..orders {
            let at = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap()
                + chrono::Duration::minutes(r.below(700 * 1440) as i64);
            let amount = 500 + r.below(20_000) as i64;
            let refunded = if r.below(20) == 0 { amount / 2 } else { 0 };
            let contact = (r.below(20) != 0).then(|| 1 + r.below(contacts) as i64);
            let status = if r.below(30) == 0 { "failed" } else { "paid" };
            order.execute(params![format!("o{i}"), contact, earshot_store::timestamp(at.to_utc()), status, amount, refunded])?;
        }
        let mut answer = tx.prepare(
            "INSERT INTO nps_answers (contact_id, score, answered_at, answer_key, created_at) VALUES (?1, ?2, ?3, ?4, 'x')",
        )?;
        for i in 0..(contacts / 5) {
            let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap()
                + chrono::Duration::minutes(r.below(300 * 1440) as i64);
            answer.execute(params![1 + r.below(contacts) as i64, r.below(11) as i64, earshot_store::timestamp(at.to_utc()), format!("k{i}")])?;
        }
        Ok(())
    })?;
    ctx.store.write(|tx| {
        tx.execute_batch("ANALYZE")?;
        Ok(())
    })?;
    settle(&db)?;

    eprintln!("Timing...");
    let (r, refresh) = timed(|| value::values_refresh(&ctx));
    r.map_err(api)?;
    let mut dashboard = Vec::new();
    for _ in 0..10 {
        let (r, t) = timed(|| value::metrics_get(&ctx, Some("2025-12-01"), Some("2026-11-30")));
        r.map_err(api)?;
        dashboard.push(t);
    }
    let mut brief = Vec::new();
    let mut r = Seeded::new(17);
    for _ in 0..300 {
        let id = 1 + r.below(contacts) as i64;
        let (res, t) = timed(|| today::contact_brief(&ctx, id));
        res.map_err(api)?;
        brief.push(t);
    }
    let mut today_times = Vec::new();
    for _ in 0..20 {
        let (res, t) = timed(|| today::today(&ctx));
        res.map_err(api)?;
        today_times.push(t);
    }

    println!("\n{mentions} mentions, {contacts} contacts, {orders} orders\n");
    print_table(vec![
        Row { what: "full dashboard, one year".into(), samples: dashboard, target: "<= 200 ms" },
        Row { what: "one contact's brief".into(), samples: brief, target: "<= 20 ms" },
        Row { what: "Today".into(), samples: today_times, target: "" },
        Row { what: "every contact's value recomputed".into(), samples: vec![refresh], target: "" },
    ]);
    // EARSHOT_BENCH_KEEP=1 keeps the workspace, to look at its query plans.
    if std::env::var("EARSHOT_BENCH_KEEP").as_deref() == Ok("1") {
        eprintln!("Kept {}", db.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
