//! `earshot bench-listening`: the listening pipeline on a large generated corpus. Prints a table; never
//! asserts a timing.
//!
//! 1. Ingest: RSS bodies parsed, normalised, matched against ten queries and stored (one transaction per
//!    feed, as a sync round does), on one thread: entries per second.
//! 2. A sync round over many sources served by a local HTTP server, then a second round that gets 304s.
//! 3. Peak memory of the process (VmHWM).

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use earshot_app::listening::{self, Matcher};
use earshot_app::sync::sync_once;
use earshot_app::Ctx;
use earshot_core::demo::Seeded;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::bench::{peak_memory_mib, print_table, tempdir, Row};

/// Everyday words: most entries of a real feed match none of the owner's queries.
const WORDS: &[&str] = &[
    "shop", "coffee", "weekend", "city", "route", "rain", "morning", "team", "price", "great", "slow", "friendly",
    "market", "street", "open", "new", "store", "local", "people", "week", "today", "event", "music", "food", "park",
    "school", "news", "review", "photo", "video", "best", "guide", "update", "season", "travel", "home",
];
/// Phrases the queries listen for; about one entry in eight carries one.
const TOPICAL: &[&str] = &[
    "Spoke and Chain",
    "@spokeandchain",
    "the Wheel House",
    "pedal power",
    "bike repair",
    "gravel ride",
    "commute cycling",
    "e-bike",
    "saddle sore",
    "tyre puncture",
];

const QUERIES: &[(&str, &str)] = &[
    ("brand", "\"spoke and chain\" OR @spokeandchain"),
    ("brand", "spokeandchain.example"),
    ("competitor", "\"wheel house\" -jobs"),
    ("competitor", "pedalpower OR \"pedal power\""),
    ("industry", "bike repair"),
    ("industry", "gravel OR cyclocross"),
    ("industry", "commute cycl*"),
    ("industry", "\"e-bike\" OR ebike"),
    ("industry", "saddle sore"),
    ("industry", "tyre OR tire puncture"),
];

fn sentence(rng: &mut Seeded, words: usize, topical_one_in: i64) -> String {
    let mut out: Vec<&str> = (0..words).map(|_| WORDS[rng.between(0, WORDS.len() as i64 - 1) as usize]).collect();
    if rng.between(1, topical_one_in) == 1 {
        let at = rng.between(0, out.len() as i64) as usize;
        out.insert(at, TOPICAL[rng.between(0, TOPICAL.len() as i64 - 1) as usize]);
    }
    out.join(" ")
}

/// An RSS 2.0 feed of `entries` items with HTML descriptions, like a blog or a news search.
fn feed(rng: &mut Seeded, feed_no: usize, entries: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {feed_no}</title><link>https://f{feed_no}.example/</link>"
    );
    for i in 0..entries {
        let title = sentence(rng, 6, 16);
        let body = sentence(rng, 40, 16);
        xml.push_str(&format!(
            "<item><guid>f{feed_no}-{i}</guid><title>{title}</title><link>https://f{feed_no}.example/p/{i}?utm_source=rss</link>\
             <author>writer{}@f{feed_no}.example</author><pubDate>Tue, 24 Nov 2026 {:02}:{:02}:00 GMT</pubDate>\
             <description>&lt;p&gt;{body} &lt;a href=\"https://x.example/{i}\"&gt;more&lt;/a&gt;&lt;/p&gt;</description></item>",
            i % 17,
            i % 24,
            i % 60
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// Serves `/feed/N` from `feeds` with an ETag, answering 304 to a matching `If-None-Match`.
async fn serve(feeds: std::sync::Arc<Vec<String>>) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let feeds = feeds.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let n: usize = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|p| p.strip_prefix("/feed/"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(usize::MAX);
                let etag = format!("\"f{n}\"");
                let reply = match feeds.get(n) {
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    Some(_) if head.to_ascii_lowercase().contains(&format!("if-none-match: {etag}")) => {
                        format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n").into_bytes()
                    }
                    Some(body) => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(body.as_bytes());
                        r
                    }
                };
                let _ = socket.write_all(&reply).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Ok(base)
}

pub fn run(entries: usize, sources: usize) -> Result<()> {
    let tmp = tempdir()?;
    let per_feed = 250;
    let feeds_count = entries.div_ceil(per_feed);
    let mut rng = Seeded::new(11);
    eprintln!("Generating {feeds_count} feeds of {per_feed} entries...");
    let corpus: Vec<String> = (0..feeds_count).map(|i| feed(&mut rng, i, per_feed)).collect();
    let corpus_mb = corpus.iter().map(String::len).sum::<usize>() as f64 / 1e6;

    // 1. The ingest pipeline on one thread.
    let ctx = Ctx::with_store(earshot_app::Store::open_with(
        tmp.join("ingest.db"),
        earshot_app::StoreOptions { backups: false },
    )?);
    for (kind, q) in QUERIES {
        listening::queries_add(&ctx, kind, q).map_err(|e| anyhow!(e.message))?;
    }
    let source_ids: Vec<i64> = (0..feeds_count)
        .map(|i| listening::source_add_feed(&ctx, &format!("https://f{i}.example/feed"), None).map(|s| s.id))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!(e.message))?;
    let matcher = Matcher::load(&ctx).map_err(|e| anyhow!(e.message))?;
    eprintln!("Ingesting {} entries ({corpus_mb:.1} MB of RSS)...", feeds_count * per_feed);
    let now = ctx.now();
    let now_text = ctx.now_text();
    let (mut parse, mut matching, mut assess, mut store) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut matched = 0;
    for (body, source_id) in corpus.iter().zip(&source_ids) {
        let t = Instant::now();
        let parsed = earshot_sync::feeds::parse_relevant(
            body.as_bytes(),
            earshot_sync::feeds::Served { url: Some("https://bench.example/feed"), charset: None },
            now,
            &matcher,
        )
        .map_err(|e| anyhow!("{e}"))?;
        parse += t.elapsed();
        let t = Instant::now();
        let paired = matcher.keep_relevant(parsed.entries);
        matched += paired.len();
        matching += t.elapsed();
        let t = Instant::now();
        let arriving = earshot_app::listening::assessed(&ctx, *source_id, paired).map_err(|e| anyhow!(e.message))?;
        assess += t.elapsed();
        let t = Instant::now();
        ctx.store.write_refetchable(|tx| earshot_store::mentions::ingest(tx, *source_id, &arriving, &now_text))?;
        store += t.elapsed();
    }
    let total = parse + matching + assess + store;
    let entries_total = feeds_count * per_feed;
    let per_second = entries_total as f64 / total.as_secs_f64();
    drop(ctx);

    // 2. A sync round over `sources` feeds served locally, then one that is all 304s.
    eprintln!("Checking {sources} sources served on 127.0.0.1...");
    let round_feeds: Vec<String> = (0..sources).map(|i| feed(&mut rng, 100_000 + i, 50)).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let base = rt.block_on(serve(std::sync::Arc::new(round_feeds)))?;
    let ctx = Ctx::with_store(earshot_app::Store::open_with(
        tmp.join("round.db"),
        earshot_app::StoreOptions { backups: false },
    )?);
    for (kind, q) in QUERIES {
        listening::queries_add(&ctx, kind, q).map_err(|e| anyhow!(e.message))?;
    }
    for i in 0..sources {
        listening::source_add_feed(&ctx, &format!("{base}/feed/{i}"), None).map_err(|e| anyhow!(e.message))?;
    }
    let fetcher = earshot_sync::Fetcher::new().context("cannot set up the HTTP client")?;
    let secrets = earshot_secrets::MemorySecrets::default();
    let t = Instant::now();
    let first = rt.block_on(sync_once(&ctx, &fetcher, &secrets, &mut |_| {})).map_err(|e| anyhow!(e.message))?;
    let first_round = t.elapsed();
    // Make every source due again, as if their interval had passed.
    ctx.store.write(|tx| earshot_store::sources::check_now(tx, None, &ctx.now_text()))?;
    let t = Instant::now();
    let second = rt.block_on(sync_once(&ctx, &fetcher, &secrets, &mut |_| {})).map_err(|e| anyhow!(e.message))?;
    let second_round = t.elapsed();
    if first.failed + second.failed > 0 {
        return Err(anyhow!("{} checks failed during the benchmark", first.failed + second.failed));
    }

    let rows = vec![
        Row {
            what: format!(
                "ingest {entries_total} entries, {matched} matching (parse + normalise + match + store), one thread: {per_second:.0} entries/s"
            ),
            samples: vec![total],
            target: ">= 20,000 entries/s",
        },
        Row {
            what: "of which: parse, match 10 queries, normalise the matching (feed-rs, ammonia)".into(),
            samples: vec![parse],
            target: "",
        },
        Row { what: "of which: list the queries each kept entry matches".into(), samples: vec![matching], target: "" },
        Row {
            what: "of which: assess the matching ones (read their authors and rules, then analyse, outside the write)"
                .into(),
            samples: vec![assess],
            target: "",
        },
        Row { what: "of which: store the matching ones (one transaction per feed)".into(), samples: vec![store], target: "" },
        Row {
            what: format!("sync round: {sources} feeds on 127.0.0.1, {} new mentions", first.new_mentions),
            samples: vec![first_round],
            target: "",
        },
        Row { what: format!("sync round again: {sources} feeds answer 304"), samples: vec![second_round], target: "" },
    ];
    print_table(rows);
    if let Some(peak) = peak_memory_mib() {
        println!("\nPeak memory (VmHWM): {peak:.0} MiB, with the {corpus_mb:.1} MB corpus held in memory.");
    }
    drop(ctx);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
