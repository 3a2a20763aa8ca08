//! The command line's assembly of Earshot's services (the same as the desktop's, with the terminal as
//! host) for the commands that reach the network or the keychain: signing in, capture, sync, replies.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use earshot_app::registry::Event;
use earshot_app::services::{Assembly, Host, SecretsFallback, ServiceUrls, Services};
use earshot_app::sync::EngineEvent;
use earshot_app::triage::UrgentNews;
use earshot_app::Ctx;

/// The terminal as host: the engine's status on stderr, sign-in pages as addresses to open.
struct Terminal;

impl Host for Terminal {
    fn emit(&self, event: Event) {
        let Event::Listening(event) = event else { return };
        match event {
            EngineEvent::Checking { name, .. } => eprintln!("Checking {name}..."),
            EngineEvent::Checked(s) => match &s.error {
                Some(e) => eprintln!("{}: {} ({e})", s.name, s.result.replace('_', " ")),
                None => eprintln!("{}: {} new items, {} new mentions", s.name, s.new_items, s.new_mentions),
            },
            EngineEvent::Round { checked, new_mentions, offline } => {
                if offline {
                    eprintln!(
                        "No source could be reached: this machine seems to be offline. Earshot will try again later."
                    );
                }
                println!("Checked {checked} sources: {new_mentions} new mentions");
            }
            EngineEvent::Outbox(run) => {
                println!("Replies: {} sent, {} waiting to retry, {} failed", run.sent, run.waiting, run.failed)
            }
        }
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        eprintln!("Open this address in your browser to sign in (this command waits up to 5 minutes):\n\n  {url}\n");
        Ok(())
    }

    /// The command line writes exports where `--output` says; nothing asks it where to save.
    fn choose_save_path(&self, _file_name: &str) -> Option<std::path::PathBuf> {
        None
    }

    fn tell_urgent(&self, news: &UrgentNews) {
        if !news.notify.is_empty() {
            println!("{} urgent mentions are open: `earshot mentions list` shows them", news.urgent_open);
        }
    }

    fn tell_assigned(&self, mentions: &[earshot_app::store_types::Mention]) {
        println!("{} mentions were assigned to you: `earshot mentions list --mine` shows them", mentions.len());
    }
}

/// The services of one command line run, and the runtime they run on.
pub struct Network {
    runtime: tokio::runtime::Runtime,
    pub services: Arc<Services>,
    ctx: Arc<Ctx>,
}

impl Network {
    /// Assembles the services around the open workspace. Sign-ins are never kept in this process's memory
    /// (it ends at once): without a keychain, signing in stops with the reason.
    pub fn assemble(ctx: Ctx, urls: ServiceUrls) -> Result<Network> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the network runtime")?;
        let assembly = Assembly { urls, secrets: SecretsFallback::Refuse, given_secrets: None };
        let services = Services::new(ctx, assembly, Arc::new(Terminal), runtime.handle().clone())
            .map_err(|e| anyhow!(e.message))?;
        let ctx = services.ctx().map_err(|e| anyhow!(e.message))?;
        Ok(Network { runtime, services, ctx })
    }

    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The secret store for a sign-in, with a word when it lasts only until logout.
    pub fn secrets_for_sign_in(&self) -> Result<&dyn earshot_secrets::SecretStore> {
        let secrets = self.services.secrets_now();
        let store = secrets.for_sign_in().map_err(|e| anyhow!(e.message))?;
        if secrets.status.persistence == earshot_secrets::Persistence::Session {
            let problem = secrets.status.problem.as_deref().unwrap_or("the system keychain is not available");
            eprintln!("{problem}. Sign-ins are kept in the session keyring until you log out.");
        }
        Ok(store)
    }
}
