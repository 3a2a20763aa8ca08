//! Keeping a shared workspace in sync while the app runs, next to listening: one connection to the team's
//! server that `LISTEN`s for the workspace's changes, so a teammate's change arrives within a moment, and
//! pushes this desktop's changes as soon as they are written. Every sync ends with the team's status sent
//! to the window ([`Event::TeamSync`]), and mentions a teammate assigned to this desktop's member are told
//! to the owner ([`Host::tell_assigned`](crate::services::Host::tell_assigned)).
//!
//! Where the server cannot notify (a connection pooler that drops `LISTEN`), it is polled instead; where it
//! cannot be reached, the reason is kept in the status and the next attempt waits longer each time, up to
//! five minutes. Nothing is lost while offline: changes wait in the outbox.

use std::sync::Arc;
use std::time::{Duration, Instant};

use earshot_team::{connect, server};
use tokio_util::sync::CancellationToken;

use super::{record_failure, server_error, shared_team, status, stored_server, sync_once, Synced};
use crate::registry::Event;
use crate::services::Services;
use crate::{ApiError, Ctx};

/// How often the server is asked for changes when no notification came (the fallback of `LISTEN`), and how
/// often a workspace that is not shared is looked at again.
pub const POLL: Duration = Duration::from_secs(15);
/// How often the outbox is looked at for changes written here by the engine itself (what listening
/// heard); after a command of the owner's it is looked at at once.
const OUTBOX_CHECK: Duration = Duration::from_millis(500);
const RETRY_FIRST: Duration = Duration::from_secs(5);
const RETRY_MOST: Duration = Duration::from_secs(300);

/// Syncs the open workspace with its team until `stop`, whenever it is shared.
pub(crate) async fn keep_in_sync(services: Arc<Services>, ctx: Arc<Ctx>, stop: CancellationToken) {
    let mut retry = RETRY_FIRST;
    while !stop.is_cancelled() {
        if shared_team(&ctx).is_err() {
            pause(&services, &stop, POLL).await;
            continue;
        }
        match connected(&services, &ctx, &stop).await {
            Ok(()) => retry = RETRY_FIRST,
            Err(e) => {
                tracing::info!(code = ?e.code, "the team's server cannot be reached; trying again later");
                if let Err(e) = record_failure(&ctx, &e) {
                    tracing::warn!(code = ?e.code, "why the team sync failed could not be kept");
                }
                emit_status(&services, &ctx);
                pause(&services, &stop, retry).await;
                retry = (retry * 2).min(RETRY_MOST);
            }
        }
    }
}

/// Waits `how_long`, or less when asked to sync now or to stop.
async fn pause(services: &Services, stop: &CancellationToken, how_long: Duration) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = services.team_wake.notified() => {}
        _ = tokio::time::sleep(how_long) => {}
    }
}

/// One connection's life: sync, then wait for a notification, a local change or the poll, and sync again,
/// until `stop` (`Ok`) or the connection fails (the reason).
async fn connected(services: &Arc<Services>, ctx: &Arc<Ctx>, stop: &CancellationToken) -> Result<(), ApiError> {
    let secrets = services.secrets().await.store.clone();
    let (joined, password) = stored_server(ctx, &*secrets)?;
    let (mut client, mut notifications) =
        connect::connect_listening(&joined.server, password.as_ref().map(|p| p.expose().as_str()))
            .await
            .map_err(server_error)?;
    let workspace = joined
        .workspace
        .parse()
        .map_err(|_| ApiError::invalid(format!("the team workspace id {} is not valid", joined.workspace)))?;
    if let Err(e) = server::listen(&client, workspace).await {
        tracing::info!(error = %e, "the team's server does not notify; it is polled instead");
    }
    loop {
        let synced = sync_once(ctx, &mut client).await?;
        told(services, ctx, &synced);
        let started = Instant::now();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = services.team_wake.notified() => break,
                _ = services.team_wrote.notified() => {
                    if ctx.store.read(earshot_store::team::waiting)? > 0 {
                        break;
                    }
                }
                notified = notifications.recv() => match notified {
                    Some(_) => break,
                    None => return Err(ApiError::invalid("the connection to the team's server was closed")),
                },
                _ = tokio::time::sleep(OUTBOX_CHECK) => {
                    let waiting = ctx.store.read(earshot_store::team::waiting)?;
                    if waiting > 0 || started.elapsed() >= POLL {
                        break;
                    }
                }
            }
        }
    }
}

/// After a sync: the window hears the status; the owner hears of mentions assigned to them (off the async
/// threads: showing a notification may block).
fn told(services: &Arc<Services>, ctx: &Ctx, synced: &Synced) {
    if synced.pushed + synced.pulled > 0 {
        tracing::debug!(pushed = synced.pushed, pulled = synced.pulled, "team sync");
    }
    emit_status(services, ctx);
    if synced.assigned_to_me.is_empty() {
        return;
    }
    let assigned: Result<Vec<_>, _> =
        synced.assigned_to_me.iter().map(|id| ctx.store.read(|c| earshot_store::mentions::get(c, *id))).collect();
    match assigned {
        Ok(mentions) => {
            let host = services.host.clone();
            services.runtime().spawn_blocking(move || host.tell_assigned(&mentions));
        }
        Err(e) => tracing::warn!(error = %e, "mentions assigned here could not be read"),
    }
}

fn emit_status(services: &Services, ctx: &Ctx) {
    match status(ctx) {
        Ok(now) => services.host.emit(Event::TeamSync(Box::new(now))),
        Err(e) => tracing::warn!(code = ?e.code, "the team's status could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::Duration as Offset;
    use earshot_team::test_cluster::Cluster;
    use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

    use super::*;
    use crate::services::{Assembly, Host, SecretsFallback, ServiceUrls};
    use crate::store_types::Mention;
    use crate::team::heard_tests::hear;
    use crate::team::tests::{add_customer, desktop, join_and_sync, rename, share};
    use crate::team::{assign, TeamStatus};

    /// A host that passes the team's status and assignments on to the test.
    struct Watcher {
        synced: Mutex<UnboundedSender<TeamStatus>>,
        assigned: Mutex<UnboundedSender<Vec<i64>>>,
    }

    impl Host for Watcher {
        fn emit(&self, event: Event) {
            if let Event::TeamSync(status) = event {
                let _ = self.synced.lock().unwrap().send(*status);
            }
        }
        fn open_url(&self, _: &str) -> Result<(), String> {
            Ok(())
        }
        fn choose_save_path(&self, _: &str) -> Option<std::path::PathBuf> {
            None
        }
        fn tell_urgent(&self, _: &crate::triage::UrgentNews) {}
        fn tell_assigned(&self, mentions: &[Mention]) {
            let _ = self.assigned.lock().unwrap().send(mentions.iter().map(|m| m.id).collect());
        }
    }

    async fn next<T>(from: &mut UnboundedReceiver<T>, what: &str) -> T {
        tokio::time::timeout(Duration::from_secs(20), from.recv())
            .await
            .unwrap_or_else(|_| panic!("{what} in time"))
            .expect("the engine is running")
    }

    fn name_on(ctx: &Ctx) -> String {
        ctx.store
            .read(|c| Ok(earshot_store::contacts::get(c, earshot_store::contacts::live_ids(c)?[0])?.display_name))
            .unwrap()
    }

    /// The laptop's app runs; at the counter, Ann is renamed and a mention assigned to Sam. The laptop hears
    /// both without anyone asking it to sync, and Sam is told; a change made on the laptop reaches the
    /// counter's next sync without a sync being asked for on the laptop.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_running_desktop_hears_a_teammates_changes_and_sends_its_own_without_being_asked() {
        let cluster = Cluster::start();
        let url = cluster.database().await;
        let dir = tempfile::tempdir().unwrap();
        let counter = desktop(dir.path(), "counter", Offset::zero());
        add_customer(&counter, "Ann Lee", &[]);
        let heard = hear(&counter, "spoke", "at://did:plc:ana/app.bsky.feed.post/7", "Is the shop open on Sunday?");
        let (mut on_counter, _) = share(&counter, &url).await;
        let laptop = desktop(dir.path(), "laptop", Offset::zero());
        join_and_sync(&laptop, &url, "Sam").await;

        let (synced, mut statuses) = unbounded_channel();
        let (assigned, mut assignments) = unbounded_channel();
        let host = Arc::new(Watcher { synced: Mutex::new(synced), assigned: Mutex::new(assigned) });
        let assembly = Assembly {
            urls: ServiceUrls::default(),
            secrets: SecretsFallback::Given(earshot_secrets::Persistence::Keychain),
            given_secrets: Some(Arc::new(earshot_secrets::MemorySecrets::default())),
        };
        let services = Services::new(laptop, assembly, host, tokio::runtime::Handle::current()).unwrap();
        services.start_listening();
        let first = next(&mut statuses, "the first background sync").await;
        assert!(first.shared && first.team.as_ref().is_some_and(|t| t.last_error.is_none()), "{first:?}");
        let laptop = services.ctx().unwrap();

        // The counter learns that Sam joined, then renames Ann and gives Sam the mention.
        sync_once(&counter, &mut on_counter).await.unwrap();
        rename(&counter, "Ann Leigh");
        assign(&counter, heard, Some("Sam")).unwrap();
        sync_once(&counter, &mut on_counter).await.unwrap();
        let told = next(&mut assignments, "Sam told of the assignment").await;
        let on_laptop = laptop.store.read(|c| earshot_store::mentions::get(c, told[0])).unwrap();
        assert_eq!(
            (on_laptop.text.as_str(), on_laptop.assignee.as_deref()),
            ("Is the shop open on Sunday?", Some("Sam"))
        );
        assert_eq!(name_on(&laptop), "Ann Leigh");

        rename(&laptop, "Ann Leigh-Smith");
        let mut tries = 0;
        while name_on(&counter) != "Ann Leigh-Smith" {
            tries += 1;
            assert!(tries < 100, "the laptop's change reached the server on its own");
            tokio::time::sleep(Duration::from_millis(200)).await;
            sync_once(&counter, &mut on_counter).await.unwrap();
        }
        let stopping = services.clone();
        assert!(tokio::task::spawn_blocking(move || stopping.stop_listening()).await.unwrap());
    }
}
