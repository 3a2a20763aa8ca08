//! Sending the outbox: every reply that is due, one at a time, each state change committed before and after
//! its network call so a crash at any point leaves a reply that is either sent (and recorded so) or looked
//! for on the server before it is tried again.

use earshot_secrets::SecretStore;
use earshot_store::outbox::{self, Pending};
use earshot_sync::check::Credential;
use earshot_sync::outbox::{self as sender, Reply, Sent};
use earshot_sync::{off_worker, Fetcher};
use serde::Serialize;
use ts_rs::TS;

use crate::{ApiError, Ctx};

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct OutboxRun {
    pub sent: usize,
    /// Put back in the queue for later (offline, server trouble, rate limit).
    pub waiting: usize,
    /// Need the owner (sign in again, edit the reply).
    pub failed: usize,
}

/// Sends every reply that is due now.
pub async fn outbox_send_due(ctx: &Ctx, fetcher: &Fetcher, secrets: &dyn SecretStore) -> Result<OutboxRun, ApiError> {
    let due = off_worker(|| ctx.store.read(|c| outbox::due(c, &ctx.now_text())))?;
    let mut run = OutboxRun::default();
    for pending in due {
        match send_one(ctx, fetcher, secrets, &pending).await? {
            Some(Sent::Done { .. }) => run.sent += 1,
            Some(Sent::Retry { .. }) => run.waiting += 1,
            Some(Sent::Failed { .. }) => run.failed += 1,
            None => {}
        }
    }
    Ok(run)
}

/// Sends one reply; `None` when it was cancelled (undone) since it was read.
async fn send_one(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    p: &Pending,
) -> Result<Option<Sent>, ApiError> {
    let now = ctx.now_text();
    if !off_worker(|| ctx.store.write(|tx| outbox::mark_sending(tx, p.id, &now)))? {
        return Ok(None);
    }
    let mut credential = match &p.credential_id {
        Some(id) => Credential::load(secrets, id)
            .map_err(|e| ApiError::invalid(format!("the keychain could not be read: {e}")))?,
        None => Credential::none(),
    };
    let target: serde_json::Value = serde_json::from_str(&p.target).unwrap_or_default();
    let reply = Reply {
        network: &p.network,
        base_url: &p.base_url,
        text: &p.text,
        target: &target,
        key: &p.key,
        maybe_sent: p.maybe_sent,
    };
    let started = std::time::Instant::now();
    let sent = sender::send(fetcher, &reply, &mut credential, ctx.now()).await;
    log_attempt(p, &sent, started.elapsed());
    let at = ctx.now_text();
    off_worker(|| {
        ctx.store.write(|tx| match &sent {
            Sent::Done { remote_id, remote_url } => outbox::mark_sent(tx, p.id, remote_id, remote_url.as_deref(), &at),
            Sent::Retry { message, after, maybe_sent } => {
                let next = after.unwrap_or_else(|| ctx.now() + sender::backoff(p.attempts)).max(ctx.now());
                outbox::mark_retry(tx, p.id, message, *maybe_sent, &earshot_store::timestamp(next))
            }
            Sent::Failed { message } => outbox::mark_failed(tx, p.id, message),
        })
    })?;
    Ok(Some(sent))
}

/// One line per attempt: the reply's id and network, never its text or the account's token.
fn log_attempt(p: &Pending, sent: &Sent, took: std::time::Duration) {
    let (attempt, network, ms) = (p.attempts + 1, p.network.as_str(), took.as_millis() as u64);
    match sent {
        Sent::Done { .. } => tracing::info!(reply = p.id, network, attempt, ms, "reply sent"),
        Sent::Retry { message, maybe_sent, .. } => tracing::warn!(
            reply = p.id,
            network,
            attempt,
            ms,
            maybe_sent,
            error = crate::logging::redact(message),
            "reply not sent yet"
        ),
        Sent::Failed { message } => {
            tracing::warn!(reply = p.id, network, attempt, ms, error = crate::logging::redact(message), "reply failed")
        }
    }
}
