//! Sources that need an account: signing in, keeping the secret in the keychain (the database keeps only
//! the keychain item's id), and the sources public enough to need none (Mastodon hashtags). Also which
//! accounts are the owner's own: the signed-in ones and the handles the owner lists, whose posts are never
//! mentions.

use earshot_core::own::{self, OwnAccounts};
use earshot_secrets::{Persistence, SecretStore, Sensitive};
use earshot_store::settings;
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
    pub persistence: Persistence,
    /// Why the OS keychain is not used, when it is not.
    pub problem: Option<String>,
}

impl SecretsStatus {
    pub fn new(persistence: Persistence, problem: Option<String>) -> SecretsStatus {
        SecretsStatus { persistence, problem }
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
    earshot_sync::token_safe(&instance).map_err(ApiError::invalid)?;
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
    let me = serde_json::from_slice::<serde_json::Value>(&account.body).ok().filter(|_| account.status == 200);
    let acct =
        me.as_ref().and_then(|v| v.get("acct").and_then(|a| a.as_str()).map(str::to_string)).ok_or_else(|| {
            ApiError::invalid(format!("{host} did not say which account signed in (HTTP {})", account.status))
        })?;
    let credential_id = format!("mastodon:{host}:{acct}");
    // The account as other instances name it (`user@host`) and its profile address: how its own posts are
    // recognised wherever they are heard.
    let me = me.unwrap_or_default();
    let config = serde_json::json!({
        "account": acct,
        "id": earshot_sync::mastodon::account_id(&me),
        "url": me.get("url").and_then(|u| u.as_str()),
    })
    .to_string();
    let source = NewSource {
        kind: "mastodon",
        name: &format!("@{acct}@{host}"),
        url: instance.as_str(),
        config: &config,
        credential_id: Some(&credential_id),
    };
    earshot_sync::off_worker(|| add_with_secret(ctx, secrets, &source, &token))
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
    earshot_sync::off_worker(|| add_with_secret(ctx, secrets, &source, &session.to_secret()))
}

/// The handles, names and profile addresses the owner listed as their own.
pub fn own_handles_list(ctx: &Ctx) -> Result<Vec<String>, ApiError> {
    let stored = ctx.store.read(|c| settings::get(c, settings::OWN_HANDLES))?;
    Ok(stored.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
}

/// Replaces the owner's list of their own handles (blanks and repeats dropped); returns it as kept.
pub fn own_handles_set(ctx: &Ctx, handles: &[String]) -> Result<Vec<String>, ApiError> {
    let handles = own::clean_listed(handles);
    let json = serde_json::to_string(&handles).map_err(|e| ApiError::invalid(e.to_string()))?;
    ctx.store.write(|tx| settings::set(tx, settings::OWN_HANDLES, &json))?;
    Ok(handles)
}

/// Every account that is the owner's: the signed-in sources (a Bluesky DID and handle, a Mastodon
/// `user@host` and profile address) and the listed handles.
pub fn own_accounts(ctx: &Ctx) -> Result<OwnAccounts, ApiError> {
    let mut own = OwnAccounts::default();
    for (kind, url, config) in ctx.store.read(sources::signed_in)? {
        let config: serde_json::Value = serde_json::from_str(&config).unwrap_or_default();
        let field = |k: &str| config.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
        match kind.as_str() {
            "bluesky" => {
                for key in [field("did"), field("handle")].into_iter().flatten() {
                    own.add_account("bluesky", key);
                }
            }
            "mastodon" => {
                // Sources signed in before the id was kept: the local account on the source's instance.
                let host = url::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_string));
                let local = field("account").zip(host).map(|(acct, host)| format!("{acct}@{host}"));
                for key in
                    [field("id").map(str::to_string), local, field("url").map(str::to_string)].into_iter().flatten()
                {
                    own.add_account("mastodon", &key);
                }
            }
            _ => {}
        }
    }
    for handle in own_handles_list(ctx)? {
        own.add_listed(&handle);
    }
    Ok(own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listening::{capture, Capture};
    use crate::test_support::ctx;

    #[test]
    fn a_capture_by_one_of_the_owners_listed_handles_is_refused_with_the_reason() {
        let (_dir, ctx) = ctx();
        let kept = own_handles_set(&ctx, &["@SpokeAndChain".into(), " ".into(), "spokeandchain".into()]).unwrap();
        assert_eq!(kept, vec!["@SpokeAndChain".to_string()]);
        assert_eq!(own_handles_list(&ctx).unwrap(), kept);
        let said = |author: &str| Capture {
            url: "https://www.instagram.com/p/abc/".into(),
            text: "New e-bikes in store this week".into(),
            author: Some(author.into()),
            network: None,
        };
        let refused = capture(&ctx, &said("spokeandchain"), None).unwrap_err();
        assert!(refused.message.contains("one of your own accounts"), "{}", refused.message);
        assert!(capture(&ctx, &said("a customer"), None).is_ok());
    }

    #[test]
    fn signed_in_accounts_are_the_owners_by_id_handle_and_profile_address() {
        let (_dir, ctx) = ctx();
        let now = ctx.now_text();
        ctx.store
            .write(|tx| {
                let bluesky = r#"{"handle":"shop.test","did":"did:plc:shop"}"#;
                let old_mastodon = r#"{"account":"shop"}"#;
                let mastodon =
                    r#"{"account":"owner","id":"owner@example.com","url":"https://social.example.com/@owner"}"#;
                for (kind, url, config, item) in [
                    ("bluesky", "https://pds.test", bluesky, "bluesky:did:plc:shop"),
                    ("mastodon", "https://bikes.social/", old_mastodon, "mastodon:bikes.social:shop"),
                    ("mastodon", "https://social.example.com/", mastodon, "mastodon:social.example.com:owner"),
                ] {
                    let s = NewSource { kind, name: item, url, config, credential_id: Some(item) };
                    sources::add(tx, &s, &now)?;
                }
                Ok(())
            })
            .unwrap();
        let own = own_accounts(&ctx).unwrap();
        let by = |id: Option<&str>, handle: Option<&str>, url: Option<&str>| earshot_core::mention::MentionAuthor {
            id: id.map(str::to_string),
            handle: handle.map(str::to_string),
            profile_url: url.map(str::to_string),
            ..Default::default()
        };
        assert!(own.is_own("bluesky", &by(Some("did:plc:shop"), Some("@renamed.test"), None)));
        assert!(own.is_own("mastodon", &by(Some("shop@bikes.social"), Some("@shop"), None)));
        assert!(own.is_own("mastodon", &by(Some("owner@example.com"), None, None)));
        assert!(own.is_own("mastodon", &by(None, None, Some("https://social.example.com/@owner"))));
        assert!(!own.is_own("mastodon", &by(Some("shop@other.social"), Some("@shop@other.social"), None)));
    }
}
