//! `earshot-host`: Earshot's commands, from the one registry, as JSON over HTTP on 127.0.0.1, beside the
//! UI's built files. A plain browser then runs the real UI against the real handlers on a real workspace:
//! the UI tests do exactly that (e2e/ui.test.mjs).
//!
//! What only a desktop can do is answered plainly: files the owner "saves" go to `--save-dir` (or the save
//! is cancelled), links and sign-in pages are written to stderr as `open <url>`, urgent news as
//! `urgent <count>`.

mod server;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use earshot_app::registry::Event;
use earshot_app::services::{Assembly, Host, SecretsFallback, ServiceUrls, Services};
use earshot_app::triage::UrgentNews;
use earshot_app::Ctx;
use earshot_secrets::Persistence;

#[derive(Parser)]
#[command(name = "earshot-host", version, about = "Earshot's commands over JSON/HTTP on 127.0.0.1")]
struct Options {
    /// The workspace file (created when missing).
    #[arg(long)]
    db: PathBuf,
    /// The UI's built files (`ui/dist`).
    #[arg(long)]
    ui: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one. The address is printed on the first line of stdout.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where files the owner saves are written; without it, every save is cancelled.
    #[arg(long)]
    save_dir: Option<PathBuf>,
    /// The Bluesky server new Bluesky sign-ins use.
    #[arg(long, default_value = "https://bsky.social")]
    bluesky: String,
    /// Keep sign-ins in this process only, as if the system keychain were missing.
    #[arg(long)]
    no_keychain: bool,
    /// Do not run the listening engine (no source is checked on its own).
    #[arg(long)]
    no_listening: bool,
}

/// The host's answers to what only a desktop can do.
struct PlainHost {
    events: tokio::sync::broadcast::Sender<Event>,
    save_dir: Option<PathBuf>,
}

impl Host for PlainHost {
    fn emit(&self, event: Event) {
        // Nobody listening is fine: events are live status, not records.
        let _ = self.events.send(event);
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        eprintln!("open {url}");
        Ok(())
    }

    fn choose_save_path(&self, file_name: &str) -> Option<PathBuf> {
        // Only the name's last part: a proposed name never chooses the folder.
        let name = std::path::Path::new(file_name).file_name()?;
        self.save_dir.as_ref().map(|dir| dir.join(name))
    }

    fn tell_urgent(&self, news: &UrgentNews) {
        eprintln!("urgent {}", news.urgent_open);
    }

    fn tell_assigned(&self, mentions: &[earshot_app::store_types::Mention]) {
        eprintln!("assigned {}", mentions.len());
    }
}

fn main() -> std::process::ExitCode {
    match run(Options::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("earshot-host: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(options: Options) -> Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    let (events, _) = tokio::sync::broadcast::channel(256);
    let host = Arc::new(PlainHost { events: events.clone(), save_dir: options.save_dir.clone() });
    let ctx = Ctx::open(&options.db).with_context(|| format!("cannot open {}", options.db.display()))?;
    let assembly = if options.no_keychain {
        Assembly {
            urls: ServiceUrls { bluesky: options.bluesky.clone(), ..ServiceUrls::default() },
            secrets: SecretsFallback::Given(Persistence::Process),
            given_secrets: Some(Arc::new(earshot_secrets::MemorySecrets::default())),
        }
    } else {
        Assembly {
            urls: ServiceUrls { bluesky: options.bluesky.clone(), ..ServiceUrls::default() },
            secrets: SecretsFallback::ProcessMemory,
            given_secrets: None,
        }
    };
    let services = Services::new(ctx, assembly, host, runtime.handle().clone())?;
    if !options.no_listening {
        services.start_listening();
    }
    let served = runtime.block_on(server::serve(services.clone(), events, options.ui, options.port));
    services.stop_listening();
    if let Ok(ctx) = services.ctx() {
        ctx.store.close_cleanly();
    }
    served
}
