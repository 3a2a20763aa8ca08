//! `earshot bench`: builds a large workspace from a generated CSV and prints a table of timings.
//! Timings are printed, never asserted: record them in BENCHMARKS.md with the machine they ran on.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use earshot_app::imports::ImportOptions;
use earshot_app::{contacts, imports, Ctx};
use earshot_core::demo::{person, Seeded};

pub struct Row {
    pub what: String,
    pub samples: Vec<Duration>,
    pub target: &'static str,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// This process's peak resident memory so far (VmHWM), in MiB; `None` where /proc does not say.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// The benchmark's contacts as a CSV: `count` generated people, the same for the same count.
fn generated_csv(count: usize) -> Result<(Vec<earshot_core::ContactDraft>, String)> {
    let mut rng = Seeded::new(42);
    let people: Vec<_> = (0..count).map(|i| person(&mut rng, i)).collect();
    let rows: Vec<(i64, &earshot_core::ContactDraft)> = people.iter().enumerate().map(|(i, p)| (i as i64, p)).collect();
    let csv = earshot_core::csv_export::write(&rows)?;
    Ok((people, csv))
}

/// Writes the benchmark's CSV to `file` and nothing else.
pub fn write_csv(count: usize, file: &std::path::Path) -> Result<()> {
    let (_, csv) = generated_csv(count)?;
    std::fs::write(file, csv.as_bytes())?;
    eprintln!("Wrote {count} contacts ({:.1} MB) to {}", csv.len() as f64 / 1e6, file.display());
    Ok(())
}

pub fn run(count: usize, dir: Option<PathBuf>) -> Result<()> {
    let tmp = tempdir()?;
    let dir = dir.unwrap_or_else(|| tmp.clone());
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm", ".open"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = earshot_app::Store::open_with(&db, earshot_store_options())?;
    let ctx = Ctx::with_store(store);

    eprintln!("Generating {count} contacts...");
    let (people, csv) = generated_csv(count)?;

    let (parsed, parse_time) = timed(|| {
        let mapping = earshot_core::table::default_mapping(csv.as_bytes()).expect("the generated CSV has a header");
        earshot_core::table::parse(csv.as_bytes(), &mapping)
    });
    drop(parsed);
    eprintln!("Importing a {count}-row CSV ({:.1} MB)...", csv.len() as f64 / 1e6);
    let (summary, import_time) =
        timed(|| imports::import_run(&ctx, "bench.csv", csv.as_bytes(), &ImportOptions::default(), &mut |_| {}));
    let summary = summary.map_err(|e| anyhow!(e.message))?;
    let (again, reimport_time) =
        timed(|| imports::import_run(&ctx, "bench.csv", csv.as_bytes(), &ImportOptions::default(), &mut |_| {}));
    let again = again.map_err(|e| anyhow!(e.message))?;

    let mut queries: Vec<String> = Vec::new();
    for (i, p) in people.iter().step_by((count / 200).max(1)).enumerate() {
        let q = match i % 5 {
            0 => p.given_name.chars().take(1).collect(),
            1 => p.given_name.chars().take(3).collect(),
            2 => p.family_name.to_lowercase(),
            3 => format!("{} {}", p.given_name, p.family_name.chars().take(2).collect::<String>()),
            _ => p.emails[0].address.split('@').next().unwrap_or("").to_string(),
        };
        queries.push(q);
    }
    let mut search = Vec::new();
    for q in queries.iter().cycle().take(1_000) {
        let (r, t) = timed(|| contacts::contacts_search(&ctx, q, 50));
        r.map_err(|e| anyhow!(e.message))?;
        search.push(t);
    }

    let mut page_loads = Vec::new();
    let mut rng = Seeded::new(7);
    let total = summary.added.max(1);
    for _ in 0..300 {
        let id = rng.between(1, total);
        let (r, t) = timed(|| contacts::contact_get(&ctx, id));
        r.map_err(|e| anyhow!(e.message))?;
        page_loads.push(t);
    }
    let mut list_loads = Vec::new();
    let mut tag_loads = Vec::new();
    let tagged = contacts::contacts_page(&ctx, 0, 0, Some("club")).map_err(|e| anyhow!(e.message))?.total.max(1);
    for i in 0..300 {
        let (tag, window, loads) =
            if i % 2 == 0 { (None, total, &mut list_loads) } else { (Some("club"), tagged, &mut tag_loads) };
        let offset = rng.between(0, window - 1);
        let (r, t) = timed(|| contacts::contacts_page(&ctx, offset, 100, tag));
        r.map_err(|e| anyhow!(e.message))?;
        loads.push(t);
    }

    let rows = vec![
        Row {
            what: format!("import {count}-row CSV (added {})", summary.added),
            samples: vec![import_time],
            target: "<= 5000 ms",
        },
        Row { what: format!("of which: parse the {count}-row CSV"), samples: vec![parse_time], target: "" },
        Row {
            what: format!("re-import same file (added {})", again.added),
            samples: vec![reimport_time],
            target: "adds nothing",
        },
        Row { what: "search as you type (1,000 queries, top 50)".into(), samples: search, target: "p95 <= 15 ms" },
        Row { what: "contact page load (300 contacts)".into(), samples: page_loads, target: "" },
        Row { what: "list window of 100 rows, anywhere in the list".into(), samples: list_loads, target: "" },
        Row { what: format!("list window of 100 rows, tag filter ({tagged} tagged)"), samples: tag_loads, target: "" },
    ];
    print_table(rows);
    drop(ctx);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// Prints rows as a Markdown table (ready for BENCHMARKS.md).
pub fn print_table(rows: Vec<Row>) {
    println!("| measure | runs | p50 ms | p95 ms | p99 ms | max ms | target |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for mut row in rows {
        row.samples.sort();
        let s = &row.samples;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.what,
            s.len(),
            ms(percentile(s, 0.5)),
            ms(percentile(s, 0.95)),
            ms(percentile(s, 0.99)),
            ms(*s.last().unwrap_or(&Duration::ZERO)),
            row.target
        );
    }
}

fn earshot_store_options() -> earshot_app::StoreOptions {
    earshot_app::StoreOptions { backups: false }
}

pub fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("earshot-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Copies a freshly built workspace's write-ahead log back into the database and empties it, so what is
/// timed next runs against a settled file (as in a workspace used day after day), not alongside the
/// background copy of the gigabyte the build wrote in one transaction.
pub fn settle(db: &std::path::Path) -> Result<()> {
    let conn = earshot_store::rusqlite::Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if busy != 0 {
        return Err(anyhow!("the workspace's log could not be checkpointed before timing"));
    }
    Ok(())
}

/// Adds `count` generated contacts in one transaction, then compacts the search index as an import of that
/// many contacts leaves it.
pub fn add_contacts(ctx: &Ctx, count: usize, seed: u64) -> Result<()> {
    let now = ctx.now_text();
    let mut rng = Seeded::new(seed);
    ctx.store.write(|tx| {
        for i in 0..count {
            earshot_store::contacts::insert(tx, &person(&mut rng, i), None, &now)?;
        }
        earshot_store::search::compact(tx)
    })?;
    Ok(())
}
