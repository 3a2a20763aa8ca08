//! The listening round: check every due source (a few at a time), match what came back against the live
//! queries, and store the items together with the source's new sync state in one transaction; or record the
//! failure beside the last success. The desktop app runs rounds in the background; the CLI runs one
//! (`sync --once`) or keeps going (`sync --watch`).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use earshot_core::own::OwnAccounts;
use earshot_secrets::SecretStore;
use earshot_store::sources::{self, Failure, Source};
use earshot_store::{mentions, timestamp, triage};
use earshot_sync::check::{self, Credential, Outcome, SourceSpec};
use earshot_sync::schedule::{self, FailureClass};
use earshot_sync::{off_worker, Fetcher};
use futures_util::StreamExt;
use serde::Serialize;
/// How the owner of a running engine tells it to stop ([`run_engine`]).
pub use tokio_util::sync::CancellationToken;

use crate::listening::Matcher;
use crate::{ApiError, Ctx};

/// Sources checked at the same time.
const CONCURRENT_CHECKS: usize = 4;
/// Server-side searches run per searching source and check: a few, politely.
const SEARCHES_PER_SOURCE: usize = 8;

/// What happened to one source in a round.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SourceResult {
    #[ts(type = "number")]
    pub source_id: i64,
    pub name: String,
    /// `new_items`, `unchanged`, `failed`, `rate_limited` or `paused`.
    pub result: String,
    #[ts(type = "number")]
    pub new_items: usize,
    #[ts(type = "number")]
    pub new_mentions: usize,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncSummary {
    pub checked: usize,
    pub new_items: usize,
    pub new_mentions: usize,
    pub failed: usize,
    /// True when every source failed to connect: the machine is most likely offline.
    pub offline: bool,
    pub sources: Vec<SourceResult>,
    /// Replies sent after the round, when the round sent the outbox too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<crate::outbox::OutboxRun>,
}

/// Progress of a round, for a status line or the UI.
#[derive(Debug, Clone, Serialize)]
pub enum SyncEvent {
    Checking { source_id: i64, name: String },
    Done(SourceResult),
}

/// Checks every source that is due once and waits for all of them (the scheduler's round).
pub async fn sync_once(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncSummary, ApiError> {
    round(ctx, fetcher, secrets, false, on_event).await
}

/// Checks every source now, due or not, except those a server asked to wait and the paused ones
/// (`earshot sync --once`).
pub async fn sync_now(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncSummary, ApiError> {
    round(ctx, fetcher, secrets, true, on_event).await
}

async fn round(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    every: bool,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncSummary, ApiError> {
    let now = ctx.now();
    let (due, matcher, own) = off_worker(|| {
        let due = ctx.store.read(|c| sources::due(c, &timestamp(now), every))?;
        Ok::<_, ApiError>((due, Matcher::load(ctx)?, crate::accounts::own_accounts(ctx)?))
    })?;
    let searches = matcher.searches(SEARCHES_PER_SOURCE);
    let searches = &searches;
    let relevant = &matcher;
    for s in &due {
        on_event(SyncEvent::Checking { source_id: s.id, name: s.name.clone() });
    }
    let checks = futures_util::stream::iter(due.into_iter().map(|source| async move {
        let spec =
            SourceSpec { kind: source.kind.as_str(), url: &source.url, config: &source.config, searches, relevant };
        let started = std::time::Instant::now();
        let outcome = contained(check_source(ctx, fetcher, secrets, &source, spec, now)).await;
        (source, outcome, started.elapsed())
    }))
    .buffer_unordered(CONCURRENT_CHECKS);
    futures_util::pin_mut!(checks);

    let mut summary = SyncSummary::default();
    let mut transport_failures = 0;
    while let Some((source, outcome, took)) = checks.next().await {
        if matches!(&outcome, Outcome::Failed { class: FailureClass::Transport, .. }) {
            transport_failures += 1;
        }
        let result = off_worker(|| record(ctx, &matcher, &own, &source, outcome, now))?;
        log_check(&source, &result, took);
        summary.checked += 1;
        summary.new_items += result.new_items;
        summary.new_mentions += result.new_mentions;
        summary.failed += usize::from(result.error.is_some());
        on_event(SyncEvent::Done(result.clone()));
        summary.sources.push(result);
    }
    summary.offline = summary.checked > 0 && transport_failures == summary.checked;
    if summary.checked > 0 {
        tracing::info!(
            checked = summary.checked,
            new_items = summary.new_items,
            new_mentions = summary.new_mentions,
            failed = summary.failed,
            offline = summary.offline,
            "listening round"
        );
    }
    Ok(summary)
}

/// One line per source check: its id, kind, outcome and duration; a failure's reason with its addresses cut
/// to their host.
fn log_check(source: &Source, result: &SourceResult, took: std::time::Duration) {
    let (id, kind, outcome, ms) = (source.id, source.kind.as_str(), result.result.as_str(), took.as_millis() as u64);
    match &result.error {
        None => tracing::info!(
            source = id,
            kind,
            outcome,
            new_items = result.new_items,
            new_mentions = result.new_mentions,
            ms,
            "source checked"
        ),
        Some(error) => {
            tracing::warn!(source = id, kind, outcome, ms, error = crate::logging::redact(error), "source checked")
        }
    }
}

/// A check that panicked (a defect, in an adapter or a parser) fails that one source, with the reason in its
/// status; the round and the engine go on.
async fn contained(check: impl std::future::Future<Output = Outcome>) -> Outcome {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(check).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => {
            let reason = crate::logging::panic_message(panic.as_ref()).unwrap_or_else(|| "no details".into());
            Outcome::Failed {
                message: format!("internal error: {reason}"),
                class: FailureClass::Server(0),
                retry_after: None,
            }
        }
    }
}

/// One source's check, with its keychain secret (a renewed one is saved as soon as it is renewed).
async fn check_source(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    source: &Source,
    spec: SourceSpec<'_>,
    now: DateTime<Utc>,
) -> Outcome {
    let refused = |message: String| Outcome::Failed { message, class: FailureClass::Refused(0), retry_after: None };
    let state = match off_worker(|| ctx.store.read(|c| sources::sync_state(c, source.id))) {
        Ok(state) => state,
        Err(e) => return refused(e.to_string()),
    };
    let mut credential = match &source.credential_id {
        Some(id) => match Credential::load(secrets, id) {
            Ok(credential) => credential,
            Err(e) => return refused(format!("{}: the keychain could not be read: {e}", source.name)),
        },
        None => Credential::none(),
    };
    check::check(fetcher, spec, &state, &mut credential, now).await
}

/// Saves what one check brought: items and state in one transaction, or the failure. The owner's own posts
/// are not stored as mentions; those that answer a mention stop its response clock. Blocking: called through
/// [`off_worker`].
fn record(
    ctx: &Ctx,
    matcher: &Matcher,
    own: &OwnAccounts,
    source: &Source,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<SourceResult, ApiError> {
    let now_text = timestamp(now);
    let mut result = SourceResult {
        source_id: source.id,
        name: source.name.clone(),
        result: "unchanged".into(),
        new_items: 0,
        new_mentions: 0,
        error: None,
    };
    let next_check = |min_interval: Option<chrono::Duration>| {
        let regular = schedule::interval(source.kind.as_str());
        timestamp(now + min_interval.map_or(regular, |m| m.max(regular)))
    };
    match outcome {
        Outcome::Unchanged { state, min_interval } => {
            ctx.store.write(|tx| {
                sources::record_success(tx, source.id, &state, 0, &next_check(min_interval), None, &now_text)
            })?;
        }
        Outcome::Items { state, items, seen, skipped: _, min_interval, title, notice, own_followers } => {
            let mut ids = HashSet::new();
            // A feed that repeats an id within one answer keeps the first (newest) copy.
            let (own_posts, items): (Vec<_>, Vec<_>) = items
                .into_iter()
                .filter(|m| ids.insert(m.external_id.clone()))
                .partition(|m| own.is_own(source.kind.as_str(), &m.author));
            let arriving = crate::listening::assessed(ctx, source.id, matcher.keep_relevant(items))?;
            let counts = ctx.store.write_refetchable(|tx| {
                let counts = mentions::ingest(tx, source.id, &arriving, &now_text)?;
                for post in &own_posts {
                    if let Some(parent) = &post.thread {
                        let at = post.published_at.map_or_else(|| now_text.clone(), timestamp);
                        triage::answered_by_owner(tx, source.kind.as_str(), &source.url, parent, &at)?;
                    }
                }
                sources::record_success(
                    tx,
                    source.id,
                    &state,
                    seen,
                    &next_check(min_interval),
                    notice.as_deref(),
                    &now_text,
                )?;
                if let Some(title) = &title {
                    sources::name_from_feed(tx, source.id, title)?;
                }
                if let Some(n) = own_followers {
                    earshot_store::followers::record(tx, source.id, &now_text[..10], n)?;
                }
                Ok(counts)
            })?;
            result.new_items = counts.new;
            result.new_mentions = counts.new_mentions;
            result.result = if counts.new > 0 { "new_items".into() } else { "unchanged".into() };
        }
        Outcome::Failed { message, class, retry_after } => {
            let decision = schedule::after_failure(
                &class,
                source.failures,
                source.parse_failures,
                retry_after,
                now,
                fastrand::f64(),
            );
            let next = timestamp(decision.next_check_at);
            let not_before = decision.not_before.map(timestamp);
            ctx.store.write(|tx| {
                if class == FailureClass::RateLimited {
                    sources::record_rate_limited(
                        tx,
                        source.id,
                        not_before.as_deref().unwrap_or(&next),
                        &message,
                        &now_text,
                    )
                } else {
                    let failure = Failure {
                        message: &message,
                        parse: class == FailureClass::Parse,
                        next_check_at: &next,
                        not_before: not_before.as_deref(),
                        pause: decision.pause.as_deref(),
                    };
                    sources::record_failure(tx, source.id, &failure, &now_text)
                }
            })?;
            result.result = if decision.pause.is_some() {
                "paused"
            } else if class == FailureClass::RateLimited {
                "rate_limited"
            } else {
                "failed"
            }
            .into();
            result.error = Some(message);
        }
    }
    Ok(result)
}

/// What the owner can ask of the running engine.
#[derive(Debug)]
pub enum EngineCommand {
    /// Check this source now (or every due source with `None`), even if it was waiting or paused.
    CheckNow(Option<i64>),
    /// Send queued replies now.
    SendReplies,
}

/// What the engine reports, for the UI's live status.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineEvent {
    Checking {
        #[ts(type = "number")]
        source_id: i64,
        name: String,
    },
    Checked(SourceResult),
    Round {
        #[ts(type = "number")]
        checked: usize,
        #[ts(type = "number")]
        new_mentions: usize,
        offline: bool,
    },
    /// Replies went out (or failed for good) after a round.
    Outbox(crate::outbox::OutboxRun),
}

/// The background scheduler: a round whenever a source falls due (waking at least every minute so new
/// sources are picked up), a command channel for "check now" and "send replies", and a gentler pace while
/// offline (a minute, doubling to ten). Replies go out on their own loop beside the rounds, after every round
/// that reached the network and whenever asked: the inbox never waits for a slow reply, nor a reply for a
/// slow feed. Stops as soon as `stop` is cancelled, even in the middle of a check or a reply: a check cut
/// short has recorded nothing and is simply due again (every source's result is stored in one write, as a
/// crash mid-round requires), and a reply cut short was marked as being sent before it left, so it is looked
/// for on the server before it is tried again. Also stops when the command sender is dropped.
pub async fn run_engine(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    mut commands: tokio::sync::mpsc::Receiver<EngineCommand>,
    stop: &CancellationToken,
    on_event: &(dyn Fn(EngineEvent) + Sync),
) {
    let replies_due = tokio::sync::Notify::new();
    let rounds = async {
        let mut offline_wait = std::time::Duration::from_secs(60);
        loop {
            let mut forward = |e| match e {
                SyncEvent::Checking { source_id, name } => on_event(EngineEvent::Checking { source_id, name }),
                SyncEvent::Done(result) => on_event(EngineEvent::Checked(result)),
            };
            let round = tokio::select! {
                biased;
                _ = stop.cancelled() => return,
                round = sync_once(ctx, fetcher, secrets, &mut forward) => round,
            };
            let wait = match &round {
                Ok(summary) if summary.offline => {
                    let wait = offline_wait;
                    offline_wait = (offline_wait * 2).min(std::time::Duration::from_secs(600));
                    wait
                }
                _ => {
                    offline_wait = std::time::Duration::from_secs(60);
                    next_due_at(ctx)
                        .ok()
                        .flatten()
                        .map(|at| (at - ctx.now()).to_std().unwrap_or(std::time::Duration::ZERO))
                        .unwrap_or(std::time::Duration::from_secs(60))
                        .clamp(std::time::Duration::from_secs(1), std::time::Duration::from_secs(60))
                }
            };
            if let Ok(summary) = &round {
                // Replies go out once the network is back: after every round that was not offline.
                if !summary.offline {
                    replies_due.notify_one();
                }
                if summary.checked > 0 {
                    on_event(EngineEvent::Round {
                        checked: summary.checked,
                        new_mentions: summary.new_mentions,
                        offline: summary.offline,
                    });
                }
            }
            tokio::select! {
                biased;
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
                command = commands.recv() => match command {
                    Some(EngineCommand::CheckNow(source)) => {
                        offline_wait = std::time::Duration::from_secs(60);
                        let now = ctx.now_text();
                        let _ = off_worker(|| ctx.store.write(|tx| sources::check_now(tx, source, &now)));
                    }
                    Some(EngineCommand::SendReplies) => replies_due.notify_one(),
                    None => {
                        stop.cancel();
                        return;
                    }
                },
            }
        }
    };
    let replies = async {
        loop {
            tokio::select! {
                biased;
                _ = stop.cancelled() => return,
                _ = replies_due.notified() => {}
            }
            let run = tokio::select! {
                biased;
                _ = stop.cancelled() => return,
                run = crate::outbox::outbox_send_due(ctx, fetcher, secrets) => run,
            };
            match run {
                Ok(run) if run.sent + run.failed > 0 => on_event(EngineEvent::Outbox(run)),
                _ => {}
            }
        }
    };
    tokio::join!(rounds, replies);
}

/// When the next source falls due (for the scheduler's sleep), if any is waiting.
pub fn next_due_at(ctx: &Ctx) -> Result<Option<DateTime<Utc>>, ApiError> {
    let next = off_worker(|| ctx.store.read(sources::next_due_at))?;
    Ok(next.as_deref().and_then(earshot_store::parse_timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[tokio::test]
    async fn a_check_that_panics_fails_its_source_with_the_reason_and_the_round_goes_on() {
        let outcome = contained(async { panic!("adapter bug at item 3") }).await;
        match outcome {
            Outcome::Failed { message, .. } => assert_eq!(message, "internal error: adapter bug at item 3"),
            other => panic!("not a failure: {other:?}"),
        }
        assert!(matches!(
            contained(async { check::Outcome::Unchanged { state: Default::default(), min_interval: None } }).await,
            Outcome::Unchanged { .. }
        ));
    }

    /// A keychain that answers only when told to, and says when it has been asked.
    struct SlowKeychain {
        asked: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
        answer: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    }

    impl SecretStore for SlowKeychain {
        fn set(&self, _: &str, _: &earshot_secrets::Sensitive<String>) -> Result<(), earshot_secrets::SecretError> {
            Ok(())
        }
        fn get(&self, _: &str) -> Result<Option<earshot_secrets::Sensitive<String>>, earshot_secrets::SecretError> {
            let _ = self.asked.lock().unwrap().send(());
            let _ = self.answer.lock().unwrap().recv_timeout(std::time::Duration::from_secs(30));
            Ok(Some(earshot_secrets::Sensitive::new("token".into())))
        }
        fn delete(&self, _: &str) -> Result<(), earshot_secrets::SecretError> {
            Ok(())
        }
    }

    /// A keychain (or database) that takes its time must not freeze the app: with the runtime down to one
    /// worker, a task spawned while a check waits for the keychain still runs.
    #[test]
    fn a_check_waiting_for_the_keychain_leaves_the_runtime_free_for_other_tasks() {
        let (_dir, ctx) = crate::test_support::ctx();
        let source = earshot_store::sources::NewSource {
            kind: "mastodon",
            name: "#bikes",
            url: "http://127.0.0.1:9",
            config: r#"{"hashtag":"bikes"}"#,
            credential_id: Some("earshot-test-slow-item"),
        };
        ctx.store.write(|tx| sources::add(tx, &source, &ctx.now_text())).unwrap();
        let ctx = std::sync::Arc::new(ctx);
        let (asked_tx, asked) = std::sync::mpsc::channel();
        let (answer, answer_rx) = std::sync::mpsc::channel();
        let keychain = std::sync::Arc::new(SlowKeychain {
            asked: std::sync::Mutex::new(asked_tx),
            answer: std::sync::Mutex::new(answer_rx),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let round = runtime.spawn({
            let (ctx, keychain) = (ctx.clone(), keychain.clone());
            async move {
                let fetcher = Fetcher::new().unwrap();
                sync_now(&ctx, &fetcher, keychain.as_ref(), &mut |_| {}).await.map(|s| s.checked)
            }
        });
        asked.recv_timeout(std::time::Duration::from_secs(30)).expect("the check asks the keychain");
        let (ran_tx, ran) = std::sync::mpsc::channel();
        runtime.spawn(async move { ran_tx.send(()).unwrap() });
        let other_task_ran = ran.recv_timeout(std::time::Duration::from_secs(5)).is_ok();
        answer.send(()).unwrap();
        assert!(other_task_ran, "another task could not run while the check waited for the keychain");
        assert_eq!(runtime.block_on(round).unwrap().unwrap(), 1);
    }

    /// Quitting, or leaving the demo, must not wait for a server that does not answer: the engine stops
    /// while its check still waits, and the check has recorded nothing (it is due again next time).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_engine_stops_in_the_middle_of_a_check_that_waits_on_a_silent_server() {
        let (_dir, ctx) = crate::test_support::ctx();
        let (address, held) = crate::test_support::silent_server().await;
        let source = crate::listening::source_add_feed(&ctx, &format!("http://{address}/feed.xml"), None).unwrap();
        let fetcher = Fetcher::new().unwrap();
        let secrets = earshot_secrets::MemorySecrets::default();
        let (_commands, rx) = tokio::sync::mpsc::channel(1);
        let stop = CancellationToken::new();
        let (checking_tx, mut checking) = tokio::sync::mpsc::unbounded_channel();
        let on_event = move |e: EngineEvent| {
            if matches!(e, EngineEvent::Checking { .. }) {
                let _ = checking_tx.send(());
            }
        };
        let engine = run_engine(&ctx, &fetcher, &secrets, rx, &stop, &on_event);
        let stopper = async {
            checking.recv().await.expect("the engine starts checking the source");
            stop.cancel();
        };
        // The fetcher would wait 20 s for the silent server before giving up; the engine must not.
        let stopped =
            tokio::time::timeout(std::time::Duration::from_secs(10), async { tokio::join!(engine, stopper) }).await;
        assert!(stopped.is_ok(), "the engine went on waiting for the silent server after it was told to stop");
        let after = ctx.store.read(|c| sources::get(c, source.id, &ctx.now_text())).unwrap();
        assert_eq!(after.last_checked_at, None, "a check cut short records nothing");
        held.abort();
    }

    /// A server on 127.0.0.1 that answers every request with one RSS item about spokes.
    async fn feed_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let served = tokio::spawn(async move {
            let mut n = 0;
            while let Ok((mut socket, _)) = listener.accept().await {
                n += 1;
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title><item><title>Spokes \
                     news {n}</title><link>https://news.example/{n}</link><guid>item-{n}</guid><description>New \
                     spokes in town</description></item></channel></rss>"
                );
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (address, served)
    }

    /// A reply stuck on a server that does not answer must not hold up listening: while it waits, a check
    /// asked for still runs and its mentions arrive.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn new_mentions_arrive_while_a_reply_waits_on_a_silent_server() {
        let (_dir, ctx) = crate::test_support::ctx();
        let (silent, silent_task) = crate::test_support::silent_server().await;
        let (feed, feed_task) = feed_server().await;
        crate::listening::queries_add(&ctx, "brand", "spokes").unwrap();
        let feed_source = crate::listening::source_add_feed(&ctx, &format!("http://{feed}/feed.xml"), None).unwrap();
        let now = ctx.now_text();
        ctx.store
            .write(|tx| {
                let account = earshot_store::sources::NewSource {
                    kind: "mastodon",
                    name: "@shop",
                    url: &format!("http://{silent}"),
                    config: "{}",
                    credential_id: Some("mastodon:silent"),
                };
                let source = sources::add(tx, &account, &now)?;
                // The account itself is not due: only its reply goes out.
                tx.execute("UPDATE sources SET next_check_at = '2100-01-01T00:00:00Z' WHERE id = ?1", [source])?;
                tx.execute(
                    "INSERT INTO outbox (source_id, network, text, target, idempotency_key, state, next_attempt_at,
                                         created_at)
                     VALUES (?1, 'mastodon', 'Thanks!', '{\"status_id\":\"1\",\"acct\":\"ann\"}', 'k1', 'queued',
                             '2000-01-01T00:00:00Z', ?2)",
                    earshot_store::rusqlite::params![source, now],
                )?;
                Ok(())
            })
            .unwrap();
        let secrets = earshot_secrets::MemorySecrets::default();
        secrets.set("mastodon:silent", &earshot_secrets::Sensitive::new("token".into())).unwrap();
        let fetcher = Fetcher::new().unwrap();
        let (commands, rx) = tokio::sync::mpsc::channel(4);
        let stop = CancellationToken::new();
        let (rounds_tx, mut rounds) = tokio::sync::mpsc::unbounded_channel();
        let on_event = move |e: EngineEvent| {
            if let EngineEvent::Round { new_mentions, .. } = e {
                let _ = rounds_tx.send(new_mentions);
            }
        };
        let engine = run_engine(&ctx, &fetcher, &secrets, rx, &stop, &on_event);
        let driver = async {
            // The first round brings the feed's item, and sets the reply off toward the silent server.
            assert_eq!(rounds.recv().await, Some(1));
            commands.send(EngineCommand::CheckNow(Some(feed_source.id))).await.unwrap();
            // The reply waits 20 s for its answer; the check asked for does not wait for it.
            let second = rounds.recv().await;
            stop.cancel();
            second
        };
        let ran =
            tokio::time::timeout(std::time::Duration::from_secs(15), async { tokio::join!(engine, driver) }).await;
        let (_, second) = ran.expect("the second round waited for the reply");
        assert_eq!(second, Some(1), "the check asked for brought its new item");
        let reply: String = ctx.store.read(|c| Ok(c.query_row("SELECT state FROM outbox", [], |r| r.get(0))?)).unwrap();
        assert_eq!(reply, "sending", "the reply was still on its way, and will be looked for before it is resent");
        silent_task.abort();
        feed_task.abort();
    }

    /// The desktop runs the engine on a multi-threaded runtime: its future must be `Send`.
    #[test]
    fn the_engine_can_run_on_any_runtime_thread() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Ctx::open(&dir.path().join("w.db")).unwrap();
        let fetcher = Fetcher::new().unwrap();
        let secrets = earshot_secrets::MemorySecrets::default();
        let (_tx, rx) = tokio::sync::mpsc::channel(1);
        let on_event = |_e: EngineEvent| {};
        let stop = CancellationToken::new();
        let engine = run_engine(&ctx, &fetcher, &secrets, rx, &stop, &on_event);
        assert_send(&engine);
    }
}
