//! The listening commands: queries, sources, mentions, capture, sync and feed parsing.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use earshot_app::accounts;
use earshot_app::listening::{self, Capture};
use earshot_app::sync::{self, SyncEvent, SyncSummary};
use earshot_app::Ctx;

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

pub fn sources(ctx: &Ctx, command: SourcesCommand) -> Result<()> {
    match command {
        SourcesCommand::Add { source } => {
            let s = match source {
                AddSource::Feed { url, name } => api(listening::source_add_feed(ctx, &url, name.as_deref()))?,
                AddSource::Hn { query, api: base } => api(listening::source_add_hn(ctx, &query, &base))?,
                AddSource::Mastodon { instance, hashtag: Some(tag) } => {
                    api(accounts::source_add_mastodon_hashtag(ctx, &instance, &tag))?
                }
                AddSource::Bluesky { handle, service } => {
                    let fetcher = earshot_sync::Fetcher::new().context("cannot set up the HTTP client")?;
                    let keychain = secret_store(true)?;
                    let password = read_app_password(&handle)?;
                    api(runtime()?.block_on(accounts::source_add_bluesky(
                        ctx,
                        &fetcher,
                        keychain.as_ref(),
                        &handle,
                        &password,
                        &service,
                    )))?
                }
                AddSource::Mastodon { instance, hashtag: None } => {
                    let fetcher = earshot_sync::Fetcher::new().context("cannot set up the HTTP client")?;
                    let keychain = secret_store(true)?;
                    let mut show = |url: &str| {
                        eprintln!(
                            "Sign in to {instance} in your browser (this window waits up to 5 minutes):\n\n  {url}\n"
                        );
                        Ok(())
                    };
                    api(runtime()?.block_on(accounts::source_add_mastodon_account(
                        ctx,
                        &fetcher,
                        keychain.as_ref(),
                        &instance,
                        &mut show,
                    )))?
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
            api(listening::source_remove(ctx, secret_store(false)?.as_ref(), id))?;
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
    ctx: &Ctx,
    url: String,
    text: Option<String>,
    author: Option<String>,
    network: Option<String>,
    json: bool,
) -> Result<()> {
    let capture = Capture { url, text: text.unwrap_or_default(), author, network };
    let fetcher = earshot_sync::Fetcher::new().context("cannot set up the HTTP client")?;
    let m = api(runtime()?.block_on(listening::capture_link(ctx, &fetcher, &capture)))?;
    if json {
        return print_json(&m);
    }
    println!("Captured mention {} from {}", m.id, m.source_name);
    Ok(())
}

/// Where sign-ins are kept: the OS keychain, else the session keyring (with a warning). A command line
/// process cannot keep them in its own memory: without either, signing in stops with the reason, and
/// other commands keep using the keychain so that its errors (locked, missing) name the problem.
fn secret_store(signing_in: bool) -> Result<Box<dyn earshot_secrets::SecretStore>> {
    let opened = earshot_secrets::open();
    let problem = opened.problem.unwrap_or_default();
    match opened.persistence {
        earshot_secrets::Persistence::Keychain => Ok(opened.store),
        earshot_secrets::Persistence::Session => {
            eprintln!("{problem}. Sign-ins are kept in the session keyring until you log out.");
            Ok(opened.store)
        }
        earshot_secrets::Persistence::Process if signing_in => Err(anyhow!(
            "{problem}. Earshot never keeps sign-ins in plain text; use the desktop app for a session-only sign-in"
        )),
        earshot_secrets::Persistence::Process => Ok(Box::new(earshot_secrets::Keychain::new())),
    }
}

/// The secret store for commands that may not need one (a sync of public feeds): it is only chosen, with
/// its keychain self-test, when a secret is first asked for.
pub(crate) struct OnDemandSecrets(std::sync::OnceLock<Result<Box<dyn earshot_secrets::SecretStore>, String>>);

impl OnDemandSecrets {
    pub(crate) fn new() -> Self {
        OnDemandSecrets(std::sync::OnceLock::new())
    }

    fn store(&self) -> Result<&dyn earshot_secrets::SecretStore, earshot_secrets::SecretError> {
        match self.0.get_or_init(|| secret_store(false).map_err(|e| e.to_string())) {
            Ok(store) => Ok(store.as_ref()),
            Err(e) => Err(earshot_secrets::SecretError::Unavailable(e.clone())),
        }
    }
}

impl earshot_secrets::SecretStore for OnDemandSecrets {
    fn set(&self, id: &str, secret: &earshot_secrets::Sensitive<String>) -> Result<(), earshot_secrets::SecretError> {
        self.store()?.set(id, secret)
    }

    fn get(&self, id: &str) -> Result<Option<earshot_secrets::Sensitive<String>>, earshot_secrets::SecretError> {
        self.store()?.get(id)
    }

    fn delete(&self, id: &str) -> Result<(), earshot_secrets::SecretError> {
        self.store()?.delete(id)
    }
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

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the network runtime")
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

pub fn sync(ctx: &Ctx, watch: bool, json: bool) -> Result<()> {
    let fetcher = earshot_sync::Fetcher::new().context("cannot set up the HTTP client")?;
    let keychain = OnDemandSecrets::new();
    let rt = runtime()?;
    let mut on_event = |e: SyncEvent| {
        if let SyncEvent::Checking { name, .. } = e {
            eprintln!("Checking {name}...");
        }
    };
    if !watch {
        let mut summary =
            rt.block_on(sync::sync_now(ctx, &fetcher, &keychain, &mut on_event)).map_err(|e| anyhow!(e.message))?;
        if !summary.offline {
            let run = rt
                .block_on(earshot_app::outbox::outbox_send_due(ctx, &fetcher, &keychain))
                .map_err(|e| anyhow!(e.message))?;
            summary.outbox = Some(run);
        }
        if json {
            return print_json(&summary);
        }
        print_summary(&summary);
        return Ok(());
    }
    rt.block_on(async {
        loop {
            let summary =
                sync::sync_once(ctx, &fetcher, &keychain, &mut on_event).await.map_err(|e| anyhow!(e.message))?;
            if summary.checked > 0 {
                print_summary(&summary);
            }
            // Sleep until the next source is due, at most a minute (new sources are picked up quickly).
            let wait = api(sync::next_due_at(ctx))?
                .map(|at| (at - ctx.now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(Duration::from_secs(60))
                .clamp(Duration::from_secs(1), Duration::from_secs(60));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("Stopped.");
                    return Ok(());
                }
            }
        }
    })
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
