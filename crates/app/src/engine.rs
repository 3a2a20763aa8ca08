//! The handle on the background engine: listening ([`crate::sync::run_engine`]) and, in a shared workspace,
//! the team's sync ([`crate::team::live`]). Start it on the open workspace, stop it, ask it to check a
//! source now, to send replies or to sync with the team, and hear its status as [`Event::Listening`] and
//! [`Event::TeamSync`] through the [`Host`](crate::services::Host). After a round that brought new
//! mentions, the inbox is re-scored and the owner told about urgent ones.

use std::sync::Arc;
use std::time::Duration;

use crate::registry::Event;
use crate::services::Services;
use crate::store_types::Source;
use crate::sync::{run_engine, CancellationToken, EngineCommand, EngineEvent};
use crate::{triage, ApiError, Ctx};

/// How long [`Services::stop_listening`] waits for the engine to let go of the workspace.
pub const STOP_WAIT: Duration = Duration::from_secs(1);

/// The running engine: its mailbox, its stop switch, and the signal it sends once it has let go.
pub(crate) struct Engine {
    mailbox: tokio::sync::mpsc::Sender<EngineCommand>,
    stop: CancellationToken,
    stopped: std::sync::mpsc::Receiver<()>,
}

impl Services {
    /// Starts listening on the open workspace (stopping an engine already running first). Nothing here
    /// waits on the network or the keychain: the engine settles where secrets go on its own task.
    pub fn start_listening(self: &Arc<Self>) {
        self.stop_listening();
        let Ok(ctx) = self.ctx() else { return };
        let engine = self.spawn_engine(ctx);
        *self.engine.lock().unwrap_or_else(|p| p.into_inner()) = Some(engine);
    }

    /// Stops the engine, even in the middle of a check or a reply (each is recorded before and after its
    /// network call, so one cut short is simply due again, and a reply is looked for before it is resent).
    /// Returns once the engine has let go of the workspace (`true`), or after [`STOP_WAIT`] (`false`, and
    /// logged). Blocking: call it off the async threads.
    pub fn stop_listening(&self) -> bool {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(engine) = engine else { return true };
        engine.stop.cancel();
        let stopped = engine.stopped.recv_timeout(STOP_WAIT).is_ok();
        if !stopped {
            tracing::warn!("listening did not stop in time; it stops on its own when its current step ends");
        }
        stopped
    }

    /// Whether the engine is running.
    pub fn is_listening(&self) -> bool {
        self.engine.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// A source was just added: check it now.
    pub fn checked_now(&self, added: Result<Source, ApiError>) -> Result<Source, ApiError> {
        let source = added?;
        self.check_now(Some(source.id));
        Ok(source)
    }

    /// Checks one source now (every due source with `None`), even one paused or asked to wait.
    pub fn check_now(&self, source: Option<i64>) {
        self.tell_engine(EngineCommand::CheckNow(source));
    }

    /// Sends queued replies now (the engine sends them after every round anyway).
    pub fn send_replies(&self) {
        self.tell_engine(EngineCommand::SendReplies);
    }

    /// Syncs with the team now (the engine syncs on every change anyway, and polls when the server cannot
    /// notify).
    pub fn sync_team_now(&self) {
        self.team_wake.notify_one();
    }

    fn tell_engine(&self, command: EngineCommand) {
        if let Some(engine) = self.engine.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = engine.mailbox.try_send(command);
        }
    }

    /// Re-scores the inbox with what the owner's decisions taught, then tells the owner about urgent news.
    /// Blocking: call it off the async threads.
    pub fn after_new_mentions(&self, ctx: &Ctx) {
        if let Err(e) = triage::inbox_rescore(ctx) {
            tracing::warn!(code = ?e.code, "new mentions could not be re-scored");
        }
        match triage::urgent_news(ctx) {
            Ok(news) => self.host.tell_urgent(&news),
            Err(e) => tracing::warn!(code = ?e.code, "urgent mentions could not be read"),
        }
    }

    fn spawn_engine(self: &Arc<Self>, ctx: Arc<Ctx>) -> Engine {
        let (mailbox, commands) = tokio::sync::mpsc::channel(16);
        let (done, stopped) = std::sync::mpsc::channel();
        let stop = CancellationToken::new();
        let engine_stop = stop.clone();
        let services = self.clone();
        self.runtime().spawn(async move {
            // The tray's count from the start; notifications only for what arrives from now on.
            let (first, first_ctx) = (services.clone(), ctx.clone());
            services.runtime().spawn_blocking(move || first.after_new_mentions(&first_ctx));
            // The keychain is chosen when a signed-in source first needs it, not before.
            let secrets = services.secrets_on_demand();
            let on_event = |event: EngineEvent| {
                if matches!(event, EngineEvent::Round { new_mentions, .. } if new_mentions > 0) {
                    let (later, ctx) = (services.clone(), ctx.clone());
                    services.runtime().spawn_blocking(move || later.after_new_mentions(&ctx));
                }
                services.host.emit(Event::Listening(event));
            };
            // Listening and the team's sync run side by side until the engine is stopped.
            let team_sync = crate::team::live::keep_in_sync(services.clone(), ctx.clone(), engine_stop.clone());
            let listening = run_engine(&ctx, &services.fetcher, &secrets, commands, &engine_stop, &on_event);
            tokio::join!(listening, team_sync);
            drop(secrets);
            // The engine's own hold on the workspace ends here, before anyone hears it has stopped.
            drop(ctx);
            let _ = done.send(());
        });
        Engine { mailbox, stop, stopped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::{Assembly, Host, SecretsFallback, ServiceUrls};

    /// A host that passes the engine's events to the test.
    struct Recorder(std::sync::Mutex<tokio::sync::mpsc::UnboundedSender<EngineEvent>>);

    impl Host for Recorder {
        fn emit(&self, event: Event) {
            if let Event::Listening(e) = event {
                let _ = self.0.lock().unwrap().send(e);
            }
        }
        fn open_url(&self, _: &str) -> Result<(), String> {
            Ok(())
        }
        fn choose_save_path(&self, _: &str) -> Option<std::path::PathBuf> {
            None
        }
        fn tell_urgent(&self, _: &crate::triage::UrgentNews) {}
        fn tell_assigned(&self, _: &[crate::store_types::Mention]) {}
    }

    /// Quitting or leaving the demo stops listening at once, even while a check waits on a server that never
    /// answers, and the engine lets go of the workspace.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn listening_stops_and_lets_go_of_the_workspace_while_a_check_waits_on_a_silent_server() {
        let (_dir, ctx) = crate::test_support::ctx();
        let (address, held) = crate::test_support::silent_server().await;
        crate::listening::source_add_feed(&ctx, &format!("http://{address}/feed.xml"), None).unwrap();
        let (events, mut heard) = tokio::sync::mpsc::unbounded_channel();
        let assembly = Assembly {
            urls: ServiceUrls::default(),
            secrets: SecretsFallback::Given(earshot_secrets::Persistence::Keychain),
            given_secrets: Some(Arc::new(earshot_secrets::MemorySecrets::default())),
        };
        let host = Arc::new(Recorder(std::sync::Mutex::new(events)));
        let services = Services::new(ctx, assembly, host, tokio::runtime::Handle::current()).unwrap();
        services.start_listening();
        assert!(services.is_listening());
        loop {
            let event = tokio::time::timeout(Duration::from_secs(10), heard.recv()).await;
            match event.expect("the engine reports what it checks").expect("the engine is running") {
                EngineEvent::Checking { .. } => break,
                _ => continue,
            }
        }
        let stopping = services.clone();
        let stopped = tokio::task::spawn_blocking(move || stopping.stop_listening()).await.unwrap();
        assert!(stopped, "the engine let go of the workspace while its check still waited");
        assert!(!services.is_listening());
        held.abort();
    }
}
