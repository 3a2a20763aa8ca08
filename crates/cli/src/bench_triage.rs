//! `earshot bench-triage`: a workspace with a million mentions and a hundred thousand contacts, then the
//! triage hot paths timed: one decision committed (next to a bare fsync'd SQLite commit on the same disk),
//! the inbox's first page, full-text search, and the analysis throughput. Prints a table; asserts nothing.

use std::time::Duration;

use anyhow::{anyhow, Result};
use earshot_app::triage::{self, TriageInput};
use earshot_app::Ctx;
use earshot_core::analysis::{self, Speaker};
use earshot_core::demo::Seeded;
use earshot_core::triage::Decision;
use earshot_store::inbox::InboxFilter;

use crate::bench::{add_contacts, print_table, settle, tempdir, timed, Row};

/// Texts the generated mentions are drawn from, with a varying tail so they are not identical.
const TEXTS: &[&str] = &[
    "Looking for a good bike shop near the station, any recommendations?",
    "Still waiting for my refund from Spoke and Chain, terrible service",
    "Spoke and Chain fixed my wheel in ten minutes, thank you!",
    "It would be nice if the shop opened on Sundays",
    "Does anyone know if they do bike fitting?",
    "Excited to announce I joined the Wheel House as head of workshop",
    "The new gravel route along the river is lovely this week",
    "Prices at the Wheel House went up again, not impressed",
    "Commute cycling in the rain, tyre puncture on the bridge",
    "e-bike batteries: how long should they last?",
];
const TAILS: &[&str] = &["today", "again", "this morning", "on Main Street", "lol", "😍", "😠", "!!", "", "#cycling"];

pub fn run(mentions: usize, contacts: usize) -> Result<()> {
    let dir = tempdir()?;
    let db = dir.join("bench-triage.db");
    let store = earshot_app::Store::open_with(&db, earshot_app::StoreOptions { backups: false })?;
    let ctx = Ctx::with_store(store);
    let api = |e: earshot_app::ApiError| anyhow!(e.message);

    eprintln!("Adding {contacts} contacts...");
    add_contacts(&ctx, contacts, 7)?;
    let now = ctx.now_text();

    eprintln!("Adding {mentions} mentions (analysed as on arrival)...");
    let analysed: Vec<(String, analysis::Analysis)> = TEXTS
        .iter()
        .flat_map(|t| TAILS.iter().map(move |tail| format!("{t} {tail}")))
        .map(|t| {
            let a = analysis::analyze(&t, &Speaker::default());
            (t, a)
        })
        .collect();
    let (_, fill_time) = timed(|| {
        ctx.store.write(|tx| {
            let source = earshot_store::sources::add(
                tx,
                &earshot_store::sources::NewSource {
                    kind: "feed",
                    name: "bench",
                    url: "https://bench.example/feed",
                    config: "{}",
                    credential_id: None,
                },
                &now,
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO mentions (source_id, external_id, author_name, author_handle, author_followers, text,
                        published_at, fetched_at, matches, sentiment, intents, lang, urgency, priority, state,
                        contact_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1, ?8, ?9, ?10, ?11, ?11, ?12, ?13)",
            )?;
            let mut r = Seeded::new(11);
            for i in 0..mentions {
                let (text, a) = &analysed[r.below(analysed.len())];
                let intents = a.intents.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",");
                // Most of a year's mentions are decided; the open inbox is the newest few thousand.
                let state = if i + 5_000 < mentions { ["done", "ignored", "filed"][r.below(3)] } else { "new" };
                let contact = (r.below(10) == 0).then(|| 1 + r.below(contacts) as i64);
                let published = format!(
                    "2026-{:02}-{:02}T{:02}:00:00Z",
                    1 + i * 11 / mentions.max(1),
                    1 + r.below(28),
                    r.below(24)
                );
                insert.execute(earshot_store::rusqlite::params![
                    source,
                    format!("m{i}"),
                    format!("Person {}", r.below(50_000)),
                    format!("@p{}", r.below(50_000)),
                    r.below(20_000) as i64,
                    text,
                    published,
                    a.compound,
                    intents,
                    a.lang,
                    a.urgency,
                    state,
                    contact,
                ])?;
            }
            Ok(())
        })
    });
    eprintln!("  filled in {:.1} s", fill_time.as_secs_f64());
    settle(&db)?;

    let open_ids: Vec<i64> =
        ctx.store.read(|c| Ok(earshot_store::rescoring::open_items(c, 5_000)?.into_iter().map(|i| i.id).collect()))?;

    eprintln!("Timing decisions...");
    let decisions =
        [Decision::Done, Decision::Ignore, Decision::Lead, Decision::Issue, Decision::Praise, Decision::Snooze];
    let mut decide = Vec::new();
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); decisions.len()];
    for (n, id) in open_ids.iter().take(600).enumerate() {
        let kind = n % decisions.len();
        let input = TriageInput { ids: vec![*id], decision: Some(decisions[kind]), ..Default::default() };
        let (r, t) = timed(|| triage::mention_triage(&ctx, &input));
        r.map_err(api)?;
        decide.push(t);
        by_kind[kind].push(t);
    }
    let mut undo = Vec::new();
    for _ in 0..100 {
        let (r, t) = timed(|| triage::mention_undo(&ctx));
        r.map_err(api)?;
        undo.push(t);
    }
    // The same disk, the same pragmas: the cheapest durable write SQLite can make.
    let mut bare = Vec::new();
    for n in 0..600 {
        let (r, t) = timed(|| {
            ctx.store
                .write(|tx| Ok(tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('bench', ?1)", [n])?))
        });
        r?;
        bare.push(t);
    }

    eprintln!("Timing the inbox...");
    let filters = [
        InboxFilter::default(),
        InboxFilter { sentiment: Some("negative".into()), ..Default::default() },
        InboxFilter { intent: Some("lead".into()), ..Default::default() },
        InboxFilter { sort: Some("newest".into()), ..Default::default() },
    ];
    let mut page = Vec::new();
    let mut store_page = Vec::new();
    let now = ctx.now_text();
    for n in 0..400 {
        let (r, t) = timed(|| triage::mentions_inbox(&ctx, &filters[n % filters.len()]));
        r.map_err(api)?;
        page.push(t);
        let (r, t) = timed(|| ctx.store.read(|c| earshot_store::inbox::page(c, &filters[n % filters.len()], &now)));
        r?;
        store_page.push(t);
    }
    let words = ["refund", "bike shop", "gravel", "wheel house prices", "puncture bridge", "sundays"];
    let mut search = Vec::new();
    for n in 0..300 {
        let f = InboxFilter {
            state: Some("all".into()),
            search: Some(words[n % words.len()].into()),
            ..Default::default()
        };
        let (r, t) = timed(|| triage::mentions_inbox(&ctx, &f));
        r.map_err(api)?;
        search.push(t);
    }

    eprintln!("Timing the analysis...");
    let lines: Vec<String> = (0..200_000).map(|n| analysed[n % analysed.len()].0.clone()).collect();
    let (_, analyse_time) = timed(|| {
        for l in &lines {
            std::hint::black_box(analysis::analyze(l, &Speaker::default()));
        }
    });

    let ratio = |a: &[Duration], b: &[Duration]| {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        a.sort();
        b.sort();
        a[a.len() * 99 / 100].as_secs_f64() / b[b.len() * 99 / 100].as_secs_f64().max(1e-9)
    };
    println!("\n{mentions} mentions, {contacts} contacts, synchronous=FULL, WAL\n");
    let decide_ratio = ratio(&decide, &bare);
    let mut rows = vec![Row {
        what: "one triage decision committed (state, log, follow-up)".into(),
        samples: decide,
        target: "p99 <= 2 ms",
    }];
    for (decision, samples) in decisions.iter().zip(by_kind) {
        rows.push(Row { what: format!("of which: {}", decision.as_str()), samples, target: "" });
    }
    rows.extend([
        Row { what: "bare fsync'd commit of one row (same disk)".into(), samples: bare, target: "" },
        Row { what: "undo one decision".into(), samples: undo, target: "" },
        Row { what: "inbox first page (50, filtered, priority-sorted)".into(), samples: page, target: "p95 <= 5 ms" },
        Row { what: "of which: the page query alone".into(), samples: store_page, target: "" },
        Row { what: "mention search (full text, 50 results)".into(), samples: search, target: "" },
    ]);
    print_table(rows);
    println!("\nDecision p99 / bare commit p99: {decide_ratio:.2}x");
    println!(
        "Analysis (sentiment, intents, language, urgency), one core: {:.0} texts/s",
        lines.len() as f64 / analyse_time.as_secs_f64()
    );
    // EARSHOT_BENCH_KEEP=1 keeps the workspace, to look at its query plans.
    if std::env::var("EARSHOT_BENCH_KEEP").as_deref() == Ok("1") {
        eprintln!("Kept {}", db.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
