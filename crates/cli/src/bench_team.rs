//! `earshot bench-team --url postgres://…`: a team's workspace on a real PostgreSQL (an empty database the
//! benchmark may fill). A first desktop (a separate `earshot` process) imports `--contacts` generated people
//! and shares the workspace; then, in this process:
//!
//! 1. catch-up: a second desktop joins and receives everything (time, and this process's peak memory);
//! 2. what a change costs: bytes per operation in PostgreSQL and as JSON on the wire;
//! 3. from a commit on one desktop to visible on the others, with 2 and with 10 desktops, each woken by
//!    `LISTEN/NOTIFY` or polling: p50/p95.
//!
//! Prints a table; asserts nothing.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use earshot_app::{team, Ctx};

use crate::bench::{peak_memory_mib, print_table, tempdir, Row};

fn earshot(db: &std::path::Path, args: &[&str]) -> Result<String> {
    let out = Command::new(std::env::current_exe()?).arg("--db").arg(db).args(args).output()?;
    if !out.status.success() {
        return Err(anyhow!("earshot {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn desktop(db: &std::path::Path) -> Result<Ctx> {
    Ok(Ctx::with_store(earshot_app::Store::open_with(db, earshot_app::StoreOptions { backups: false })?))
}

pub fn run(url: &str, contacts: usize, rounds: usize) -> Result<()> {
    let dir = tempdir()?;
    let (first, second) = (dir.join("first.db"), dir.join("second.db"));
    let people = dir.join("people.csv");
    crate::bench::write_csv(contacts, &people)?;
    earshot(&first, &["contacts", "import", people.to_str().context("a temporary path")?])?;
    eprintln!("Sharing {contacts} contacts from the first desktop...");
    let started = Instant::now();
    let shared = earshot(&first, &["team", "create", url, "--member", "First"])?;
    let share_time = started.elapsed();
    eprint!("{shared}");

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let secrets = earshot_secrets::MemorySecrets::default();
    let api = |e: earshot_app::ApiError| anyhow!(e.message);
    let memory_before = peak_memory_mib().unwrap_or_default();
    let joiner = desktop(&second)?;
    let started = Instant::now();
    runtime.block_on(team::join_at(&joiner, &secrets, url, "Second", None)).map_err(api)?;
    let caught_up = runtime.block_on(team::sync_stored(&joiner, &secrets)).map_err(api)?;
    let catch_up = started.elapsed();
    let memory_after = peak_memory_mib().unwrap_or_default();

    let server = runtime.block_on(earshot_team::connect::connect(url, None)).map_err(|e| anyhow!("{e}"))?;
    let sizes = runtime.block_on(server.query_one(
        "SELECT pg_total_relation_size('earshot_ops')::float8 / greatest(count(*), 1),
                avg(octet_length(jsonb_build_object('op_id', op_id, 'stamp', stamp, 'entity', entity,
                    'row_id', row_id, 'field', field, 'value', value)::text))::float8
           FROM earshot_ops",
        &[],
    ))?;
    let (stored_bytes, wire_bytes): (f64, f64) = (sizes.get(0), sizes.get(1));

    let mut latency = Vec::new();
    for desktops in [2, 10] {
        for notify in [true, false] {
            let samples = runtime.block_on(commit_to_visible(&dir, url, desktops, rounds, notify))?;
            latency.push((desktops, notify, samples));
        }
    }
    println!(
        "\n{contacts} contacts shared ({} changes), PostgreSQL at {}\n",
        caught_up.pulled,
        earshot_team::connect::parse(url).map(|a| a.url).unwrap_or_default()
    );
    print_table(
        [
            Row {
                what: "share the workspace (first desktop: install, push every change)".into(),
                samples: vec![share_time],
                target: "",
            },
            Row {
                what: format!("catch-up of a desktop that missed {} changes (join, pull, apply)", caught_up.pulled),
                samples: vec![catch_up],
                target: "<= 30 s for 100,000",
            },
        ]
        .into_iter()
        .chain(latency.into_iter().map(|(desktops, notify, samples)| Row {
            what: format!(
                "commit on one desktop to visible on the {} others, {}",
                desktops - 1,
                if notify { "woken by NOTIFY".to_string() } else { format!("polling every {} ms", POLL.as_millis()) }
            ),
            samples,
            target: if notify { "p95 < 1 s" } else { "" },
        }))
        .collect(),
    );
    println!(
        "\nPeak memory (VmHWM) of this process: {memory_before:.0} MiB before the catch-up, {memory_after:.0} MiB after."
    );
    println!(
        "Bytes per change: {stored_bytes:.0} in PostgreSQL (table and indexes), {wire_bytes:.0} as JSON on the wire."
    );
    Ok(())
}

/// How often watchers poll in the polling-only measure.
const POLL: Duration = Duration::from_millis(1000);

/// A small shared workspace (its own, on the same server) and `desktops` desktops on it: one writes, the
/// others follow the way the app's background sync does (`LISTEN` and a sync when notified, or a sync every
/// [`POLL`]). Each round, the writer changes a contact and sends it at once; the time from its commit to the
/// moment each other desktop has applied it is one sample.
async fn commit_to_visible(
    dir: &std::path::Path,
    url: &str,
    desktops: usize,
    rounds: usize,
    notify: bool,
) -> Result<Vec<Duration>> {
    let api = |e: earshot_app::ApiError| anyhow!(e.message);
    let secrets = earshot_secrets::MemorySecrets::default();
    let name = |i: usize| dir.join(format!("latency-{desktops}-{notify}-{i}.db"));
    let people = dir.join("latency.csv");
    crate::bench::write_csv(100, &people)?;
    earshot(&name(0), &["contacts", "import", people.to_str().context("a temporary path")?])?;
    let writer = Arc::new(desktop(&name(0))?);
    let shared = team::create_at(&writer, &secrets, url, "Writer").await.map_err(api)?;
    let workspace = shared.workspace.parse().map_err(|_| anyhow!("a workspace id"))?;
    let mut on_writer = team::connect_stored(&writer, &secrets).await.map_err(api)?;
    team::sync_once(&writer, &mut on_writer).await.map_err(api)?;

    // Each follower reports (its index, the city it just saw) after every sync that brought changes.
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel::<(usize, Option<String>, Instant)>();
    let stop = earshot_app::sync::CancellationToken::new();
    let mut followers = Vec::new();
    for i in 1..desktops {
        let ctx = Arc::new(desktop(&name(i))?);
        team::join_at(&ctx, &secrets, url, &format!("Follower {i}"), Some(workspace)).await.map_err(api)?;
        let (mut client, mut notifications) =
            earshot_team::connect::connect_listening(url, None).await.map_err(|e| anyhow!("{e}"))?;
        team::sync_once(&ctx, &mut client).await.map_err(api)?;
        if notify {
            earshot_team::server::listen(&client, workspace).await.map_err(|e| anyhow!("{e}"))?;
        }
        let (seen_tx, stop) = (seen_tx.clone(), stop.clone());
        followers.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = notifications.recv(), if notify => {}
                    _ = tokio::time::sleep(POLL), if !notify => {}
                }
                let Ok(synced) = team::sync_once(&ctx, &mut client).await else { return };
                if synced.pulled > 0 {
                    let city = ctx
                        .store
                        .read(|c| Ok(earshot_store::contacts::get(c, earshot_store::contacts::live_ids(c)?[0])?.city))
                        .ok()
                        .flatten();
                    let _ = seen_tx.send((i, city, Instant::now()));
                }
            }
        }));
    }

    let first = writer.store.read(|c| Ok(earshot_store::contacts::live_ids(c)?[0])).map_err(|e| anyhow!("{e}"))?;
    let mut samples = Vec::with_capacity(rounds * (desktops - 1));
    for round in 0..rounds {
        let city = format!("City {round}");
        earshot_app::contacts::contact_edit_fields(&writer, first, &[("city".into(), city.clone())]).map_err(api)?;
        let committed = Instant::now();
        team::sync_once(&writer, &mut on_writer).await.map_err(api)?;
        let mut waiting: std::collections::BTreeSet<usize> = (1..desktops).collect();
        while !waiting.is_empty() {
            let (who, saw, at) = tokio::time::timeout(Duration::from_secs(30), seen.recv())
                .await
                .map_err(|_| anyhow!("round {round}: the change did not arrive in 30 s"))?
                .ok_or_else(|| anyhow!("a follower stopped"))?;
            if saw.as_deref() == Some(city.as_str()) && waiting.remove(&who) {
                samples.push(at - committed);
            }
        }
    }
    stop.cancel();
    for follower in followers {
        let _ = follower.await;
    }
    Ok(samples)
}
