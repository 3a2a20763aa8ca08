//! `earshot bench-team --url postgres://…`: a team's workspace on a real PostgreSQL (an empty database the
//! benchmark may fill). A first desktop (a separate `earshot` process) imports `--contacts` generated people
//! and shares the workspace; then, in this process:
//!
//! 1. catch-up: a second desktop joins and receives everything (time, and this process's peak memory);
//! 2. what a change costs: bytes per operation in PostgreSQL and as JSON on the wire;
//! 3. from a commit on one desktop to visible on the other, the other polling without pause: p50/p95.
//!
//! Prints a table; asserts nothing.

use std::process::Command;
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

    // The first desktop edits, the second polls until it sees the change.
    let editor = desktop(&first)?;
    let ids = editor.store.read(earshot_store::contacts::live_ids).map_err(|e| anyhow!("{e}"))?;
    let mut visible = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let id = ids[round % ids.len()];
        let city = format!("City {round}");
        earshot_app::contacts::contact_edit_fields(&editor, id, &[("city".into(), city.clone())]).map_err(api)?;
        runtime.block_on(team::sync_stored(&editor, &secrets)).map_err(api)?;
        let committed = Instant::now();
        loop {
            runtime.block_on(team::sync_stored(&joiner, &secrets)).map_err(api)?;
            let seen: Option<String> = joiner
                .store
                .read(|c| {
                    Ok(c.query_row(
                        "SELECT c.city FROM contacts c JOIN team_ids i ON i.entity = 'contact' AND i.local_id = c.id
                          WHERE c.city = ?1",
                        [&city],
                        |r| r.get(0),
                    )
                    .ok())
                })
                .map_err(|e| anyhow!("{e}"))?;
            if seen.is_some() {
                break;
            }
            if committed.elapsed() > Duration::from_secs(30) {
                return Err(anyhow!("round {round}: the change did not arrive in 30 s"));
            }
        }
        visible.push(committed.elapsed());
    }

    println!(
        "\n{contacts} contacts shared ({} changes), PostgreSQL at {}\n",
        caught_up.pulled,
        earshot_team::connect::parse(url).map(|a| a.url).unwrap_or_default()
    );
    print_table(vec![
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
        Row {
            what: "commit on one desktop to visible on the other, polling without pause".into(),
            samples: visible,
            target: "p95 < 1 s",
        },
    ]);
    println!(
        "\nPeak memory (VmHWM) of this process: {memory_before:.0} MiB before the catch-up, {memory_after:.0} MiB after."
    );
    println!(
        "Bytes per change: {stored_bytes:.0} in PostgreSQL (table and indexes), {wire_bytes:.0} as JSON on the wire."
    );
    Ok(())
}
