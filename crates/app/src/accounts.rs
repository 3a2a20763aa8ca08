//! Sources that need an account: signing in, keeping the secret in the keychain (the database keeps only
//! the keychain item's id), and the sources public enough to need none (Mastodon hashtags).

use earshot_secrets::{Persistence, SecretStore, Sensitive};
use earshot_store::sources::{self, NewSource, Source};
use earshot_sync::mastodon::instance_url;
use earshot_sync::mastodon_auth::{self, Loopback};
use earshot_sync::{Fetcher, Request, API_BODY_CAP};
use serde::Serialize;
use ts_rs::TS;

use crate::{ApiError, Ctx};

/// Where sign-ins are kept, for the UI to warn when they will not survive a restart.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SecretsStatus {
    /// `keychain`, `session` (until logout) or `process` (while Earshot runs).
    pub persistence: String,
    /// Why the OS keychain is not used, when it is not.
    pub problem: Option<String>,
}

impl SecretsStatus {
    pub fn new(persistence: Persistence, problem: Option<String>) -> SecretsStatus {
        let persistence = match persistence {
            Persistence::Keychain => "keychain",
            Persistence::Session => "session",
            Persistence::Process => "process",
        };
        SecretsStatus { persistence: persistence.into(), problem }
    }
}

fn add(ctx: &Ctx, s: &NewSource<'_>) -> Result<Source, ApiError> {
    let now = ctx.now_text();
    let id = ctx.store.write(|tx| sources::add(tx, s, &now))?;
    Ok(ctx.store.read(|c| sources::get(c, id, &now))?)
}

/// Stores `secret` under `credential_id` and adds the source that uses it, or, when that account is already
/// a source, signs it in again (the way back from "sign in again"). If the source cannot be saved, the
/// keychain item is removed again so no orphan secret is left behind.
fn add_with_secret(
    ctx: &Ctx,
    secrets: &dyn SecretStore,
    s: &NewSource<'_>,
    secret: &Sensitive<String>,
) -> Result<Source, ApiError> {
    let credential_id = s.credential_id.ok_or_else(|| ApiError::invalid("a signed-in source needs a keychain item"))?;
    secrets.set(credential_id, secret).map_err(|e| {
        ApiError::invalid(format!(
            "the sign-in worked, but the keychain could not keep it ({e}). Earshot never stores sign-ins in plain \
             text: unlock or set up the keychain (on Linux, GNOME Keyring or KWallet) and sign in again"
        ))
    })?;
    let now = ctx.now_text();
    let saved = ctx.store.write(|tx| match sources::sign_in_again(tx, s, &now)? {
        Some(id) => Ok(id),
        None => sources::add(tx, s, &now),
    });
    match saved {
        Ok(id) => Ok(ctx.store.read(|c| sources::get(c, id, &now))?),
        Err(e) => {
            let _ = secrets.delete(credential_id);
            Err(e.into())
        }
    }
}

/// Listens to a hashtag on a Mastodon instance: public, no sign-in.
pub fn source_add_mastodon_hashtag(ctx: &Ctx, instance: &str, hashtag: &str) -> Result<Source, ApiError> {
    let tag = hashtag.trim().trim_start_matches('#');
    if tag.is_empty() || tag.contains(char::is_whitespace) || tag.contains('/') {
        return Err(ApiError::invalid(format!("\"{hashtag}\" is not a hashtag (one word, like #bikes)")));
    }
    let instance = instance_url(instance).map_err(ApiError::invalid)?;
    let host = instance.host_str().unwrap_or_default().to_string();
    let config = serde_json::json!({ "hashtag": tag }).to_string();
    add(
        ctx,
        &NewSource {
            kind: "mastodon",
            name: &format!("#{tag} on {host}"),
            url: instance.as_str(),
            config: &config,
            credential_id: None,
        },
    )
}

/// Signs in to a Mastodon account and listens to its mentions and, where the instance offers it, status
/// search. `open_browser` shows the instance's sign-in page to the owner (the desktop opens the system
/// browser; the command line prints the address).
pub async fn source_add_mastodon_account(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    instance: &str,
    open_browser: &mut (dyn FnMut(&str) -> Result<(), String> + Send),
) -> Result<Source, ApiError> {
    let instance = instance_url(instance).map_err(ApiError::invalid)?;
    let host = instance.host_str().unwrap_or_default().to_string();
    let failed = |e: mastodon_auth::SignInError| ApiError::invalid(format!("signing in to {host}: {e}"));
    let loopback = Loopback::bind().await.map_err(failed)?;
    let redirect_uri = loopback.redirect_uri.clone();
    let app = mastodon_auth::register(fetcher, instance.as_str(), &redirect_uri).await.map_err(failed)?;
    let (verifier, challenge) = mastodon_auth::pkce().map_err(failed)?;
    let state = mastodon_auth::new_state().map_err(failed)?;
    let url =
        mastodon_auth::authorize_url(instance.as_str(), &app, &redirect_uri, &state, &challenge).map_err(failed)?;
    open_browser(&url).map_err(|e| ApiError::invalid(format!("cannot open the sign-in page of {host}: {e}")))?;
    let code = loopback.code(&state).await.map_err(failed)?;
    let token = mastodon_auth::exchange(fetcher, instance.as_str(), &app, &code, &verifier, &redirect_uri)
        .await
        .map_err(failed)?;

    let mut me = instance.clone();
    me.set_path("/api/v1/accounts/verify_credentials");
    let account = fetcher
        .send(me.as_str(), API_BODY_CAP, Request { bearer: Some(token.expose()), ..Request::default() })
        .await
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let acct = serde_json::from_slice::<serde_json::Value>(&account.body)
        .ok()
        .and_then(|v| v.get("acct").and_then(|a| a.as_str()).map(str::to_string))
        .filter(|_| account.status == 200)
        .ok_or_else(|| {
            ApiError::invalid(format!("{host} did not say which account signed in (HTTP {})", account.status))
        })?;
    let credential_id = format!("mastodon:{host}:{acct}");
    let config = serde_json::json!({ "account": acct }).to_string();
    let source = NewSource {
        kind: "mastodon",
        name: &format!("@{acct}@{host}"),
        url: instance.as_str(),
        config: &config,
        credential_id: Some(&credential_id),
    };
    add_with_secret(ctx, secrets, &source, &token)
}

/// Signs in to Bluesky with a handle and an app password (never the account password) at `service`
/// (normally `https://bsky.social`), and listens to the account's mentions, replies and quotes and to
/// searches for the owner's queries. The session is kept in the keychain; the app password is not kept.
pub async fn source_add_bluesky(
    ctx: &Ctx,
    fetcher: &Fetcher,
    secrets: &dyn SecretStore,
    handle: &str,
    app_password: &Sensitive<String>,
    service: &str,
) -> Result<Source, ApiError> {
    if app_password.expose().trim().is_empty() {
        return Err(ApiError::invalid("an app password is needed to sign in to Bluesky"));
    }
    let session = earshot_sync::bluesky::sign_in(fetcher, service, handle, app_password)
        .await
        .map_err(|e| ApiError::invalid(format!("signing in to Bluesky as {}: {e}", handle.trim())))?;
    let credential_id = format!("bluesky:{}", session.did);
    let config = serde_json::json!({ "handle": session.handle, "did": session.did }).to_string();
    let source = NewSource {
        kind: "bluesky",
        name: &format!("@{} on Bluesky", session.handle),
        url: &session.pds,
        config: &config,
        credential_id: Some(&credential_id),
    };
    add_with_secret(ctx, secrets, &source, &session.to_secret())
}
