//! The listening commands: queries, sources, mentions, capture, sync and feed parsing.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use earshot_app::accounts;
use earshot_app::listening::{self, Capture};
use earshot_app::sync::{self, SyncEvent, SyncSummary};
use earshot_app::Ctx;

use crate::terminal::Network;
use crate::{api, print_json, AddSource, OwnCommand, QueriesCommand, SourcesCommand};

pub fn queries(ctx: &Ctx, command: QueriesCommand) -> Result<()> {
    match command {
        QueriesCommand::Add { kind, query, json } => {
            let q = api(listening::queries_add(ctx, &kind, &query))?;
            if json {
                return print_json(&q);
            }
            println!("Listening for {} ({}; query {}), {} stored items match", q.query, q.kind, q.id, q.mentions);
            Ok(())
        }
        QueriesCommand::List { json } => {
            let list = api(listening::queries_list(ctx))?;
            if json {
                return print_json(&list);
            }
            for q in list {
                println!("{}\t{}\t{}\t{} mentions", q.id, q.kind, q.query, q.mentions);
            }
            Ok(())
        }
        QueriesCommand::Remove { id } => {
            api(listening::queries_remove(ctx, id))?;
            println!("Stopped listening for query {id}");
            Ok(())
        }
        QueriesCommand::Preview { query } => print_json(&api(listening::query_preview(ctx, &query, 10))?),
    }
}

pub fn own(ctx: &Ctx, command: OwnCommand) -> Result<()> {
    let listed = api(accounts::own_handles_list(ctx))?;
    let kept = match command {
        OwnCommand::List { json } => {
            if json {
                return print_json(&listed);
            }
            listed
        }
        OwnCommand::Add { handle } => api(accounts::own_handles_set(ctx, &[listed, handle].concat()))?,
        OwnCommand::Remove { handle } => {
            let key = earshot_core::own::OwnAccounts::key_of(&handle);
            let rest: Vec<String> =
                listed.iter().filter(|h| earshot_core::own::OwnAccounts::key_of(h) != key).cloned().collect();
            if rest.len() == listed.len() {
                return Err(anyhow!("\"{handle}\" is not on the list of your own accounts"));
            }
            api(accounts::own_handles_set(ctx, &rest))?
        }
    };
    for handle in kept {
        println!("{handle}");
    }
    Ok(())
}

pub fn sources(net: &Network, command: SourcesCommand) -> Result<()> {
    let ctx = net.ctx();
    match command {
        SourcesCommand::Add { source } => {
            let s = match source {
                AddSource::Feed { url, name } => api(listening::source_add_feed(ctx, &url, name.as_deref()))?,
                AddSource::Hn { query, api: base } => api(listening::source_add_hn(ctx, &query, &base))?,
                AddSource::Mastodon { instance, hashtag: Some(tag) } => {
                    api(accounts::source_add_mastodon_hashtag(ctx, &instance, &tag))?
                }
                AddSource::Bluesky { handle, service } => {
                    let keychain = net.secrets_for_sign_in()?;
                    let password = read_app_password(&handle)?;
                    let fetcher = &net.services.fetcher;
                    api(net
                        .block_on(accounts::source_add_bluesky(ctx, fetcher, keychain, &handle, &password, &service)))?
                }
                AddSource::Mastodon { instance, hashtag: None } => {
                    let keychain = net.secrets_for_sign_in()?;
                    let host = net.services.host.clone();
                    let mut open = move |url: &str| host.open_url(url);
                    let fetcher = &net.services.fetcher;
                    api(net
                        .block_on(accounts::source_add_mastodon_account(ctx, fetcher, keychain, &instance, &mut open)))?
                }
            };
            println!("Added source {} ({} {}); `earshot sync --once` checks it now", s.id, s.kind, s.name);
            Ok(())
        }
        SourcesCommand::List { json } => {
            let list = api(listening::sources_list(ctx))?;
            if json {
                return print_json(&list);
            }
            for s in list {
                let error = s.last_error.map(|e| format!("\t{e}")).unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\tlast success {}\tnext check {}{error}",
                    s.id,
                    s.kind,
                    s.name,
                    s.status,
                    s.last_success_at.as_deref().unwrap_or("never"),
                    s.next_check_at.as_deref().unwrap_or("now"),
                );
            }
            Ok(())
        }
        SourcesCommand::Remove { id } => {
            api(listening::source_remove(ctx, &net.services.secrets_on_demand(), id))?;
            println!("Removed source {id}");
            Ok(())
        }
        SourcesCommand::ImportOpml { file, json } => {
            let name = file.display().to_string();
            let bytes = read_capped(&file, earshot_sync::opml::OPML_CAP)?;
            let result = api(listening::sources_import_opml(ctx, &name, &bytes))?;
            if json {
                return print_json(&result);
            }
            println!(
                "{name}: {} feeds added, {} already there, {} not added",
                result.added,
                result.already,
                result.problems.len()
            );
            for p in &result.problems {
                eprintln!("{name}:{}: {}", p.line, p.reason);
            }
            Ok(())
        }
        SourcesCommand::ExportOpml { output, force } => {
            let text = api(listening::sources_export_opml(ctx))?;
            match output {
                Some(path) => {
                    crate::write_export(&path, text.as_bytes(), force)?;
                    eprintln!("Wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        SourcesCommand::Resume { id } => {
            let s = api(listening::source_resume(ctx, id))?;
            println!("Source {} ({}) will be checked at the next sync", s.id, s.name);
            Ok(())
        }
    }
}

pub fn capture(
    net: &Network,
    url: String,
    text: Option<String>,
    author: Option<String>,
    network: Option<String>,
    json: bool,
) -> Result<()> {
    let capture = Capture { url, text: text.unwrap_or_default(), author, network };
    let m = api(net.block_on(listening::capture_link(net.ctx(), &net.services.fetcher, &capture)))?;
    if json {
        return print_json(&m);
    }
    println!("Captured mention {} from {}", m.id, m.source_name);
    Ok(())
}

/// Asks for an app password without echoing it, or reads one line from stdin when it is not a terminal.
fn read_app_password(handle: &str) -> Result<earshot_secrets::Sensitive<String>> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("App password for {handle}: ")).context("cannot read the app password")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("cannot read the app password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Ok(earshot_secrets::Sensitive::new(password))
}

fn print_summary(summary: &SyncSummary) {
    for s in &summary.sources {
        match &s.error {
            Some(e) => eprintln!("{}: {} ({e})", s.name, s.result.replace('_', " ")),
            None => eprintln!("{}: {} new items, {} new mentions", s.name, s.new_items, s.new_mentions),
        }
    }
    if summary.offline {
        eprintln!("No source could be reached: this machine seems to be offline. Earshot will try again later.");
    }
    println!(
        "Checked {} sources: {} new items, {} new mentions, {} failed",
        summary.checked, summary.new_items, summary.new_mentions, summary.failed
    );
    if let Some(run) = summary.outbox.as_ref().filter(|r| r.sent + r.waiting + r.failed > 0) {
        println!("Replies: {} sent, {} waiting to retry, {} failed", run.sent, run.waiting, run.failed);
    }
}

/// One round now (`--once`, with the replies that are due), or the listening engine until Ctrl-C (`--watch`).
pub fn sync(net: &Network, watch: bool, json: bool) -> Result<()> {
    let (ctx, services) = (net.ctx(), &net.services);
    if watch {
        services.start_listening();
        net.block_on(tokio::signal::ctrl_c()).context("cannot wait for Ctrl-C")?;
        services.stop_listening();
        eprintln!("Stopped.");
        return Ok(());
    }
    let keychain = services.secrets_on_demand();
    let mut on_event = |e: SyncEvent| {
        if let SyncEvent::Checking { name, .. } = e {
            eprintln!("Checking {name}...");
        }
    };
    let mut summary = net
        .block_on(sync::sync_now(ctx, &services.fetcher, &keychain, &mut on_event))
        .map_err(|e| anyhow!(e.message))?;
    if !summary.offline {
        let run = net
            .block_on(earshot_app::outbox::outbox_send_due(ctx, &services.fetcher, &keychain))
            .map_err(|e| anyhow!(e.message))?;
        summary.outbox = Some(run);
    }
    if json {
        return print_json(&summary);
    }
    print_summary(&summary);
    Ok(())
}

/// Reads a file, refusing one larger than `cap` without reading it all.
fn read_capped(file: &Path, cap: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let name = file.display();
    let handle = std::fs::File::open(file).with_context(|| format!("cannot read {name}"))?;
    let mut bytes = Vec::new();
    handle.take(cap as u64 + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
    if bytes.len() > cap {
        return Err(anyhow!(
            "{name} is larger than {} MiB, more than Earshot reads from such a file",
            cap / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

pub fn feed_parse(file: &Path) -> Result<()> {
    let name = file.display().to_string();
    let bytes = read_capped(file, earshot_sync::FEED_BODY_CAP)?;
    let feed = api(listening::feed_parse(chrono::Utc::now(), &name, &bytes))?;
    print_json(&feed)
}
