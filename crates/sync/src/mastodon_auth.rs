//! Signing in to a Mastodon instance the way a native app should (RFC 8252): register the app on the
//! instance, send the owner to the instance's own sign-in page in their browser with PKCE (S256), receive
//! the code on a one-shot listener on 127.0.0.1, and exchange it for a token. The token is handed back in a
//! [`Sensitive`] for the keychain; it never appears in a URL, a log line or an error.

use std::time::Duration;

use base64::Engine;
use earshot_secrets::Sensitive;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::mastodon::instance_url;
use crate::{Fetcher, Request, API_BODY_CAP};

/// Read access is all Earshot needs to listen.
pub const SCOPES: &str = "read:search read:statuses read:notifications read:accounts write:statuses";
/// How long the owner has to finish signing in in the browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("{0}")]
    Instance(String),
    #[error("the sign-in was not finished within {} minutes; try again", SIGN_IN_TIMEOUT.as_secs() / 60)]
    TimedOut,
    #[error("the instance did not approve the sign-in: {0}")]
    Denied(String),
    #[error("cannot listen for the sign-in answer on this machine: {0}")]
    Listener(String),
}

fn random_token(bytes: usize) -> Result<String, SignInError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| SignInError::Listener(format!("no secure random numbers: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// The PKCE pair: a random verifier kept here, its S256 challenge sent to the instance.
pub fn pkce() -> Result<(Sensitive<String>, String), SignInError> {
    let verifier = random_token(32)?;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Ok((Sensitive::new(verifier), challenge))
}

/// The app registration on one instance.
pub struct App {
    pub client_id: String,
    pub client_secret: Sensitive<String>,
}

fn answer(body: &[u8], what: &str) -> Result<Value, SignInError> {
    serde_json::from_slice(body).map_err(|_| SignInError::Instance(format!("the instance's {what} answer is not JSON")))
}

async fn post_form(fetcher: &Fetcher, url: &str, form: &[(&str, &str)], what: &str) -> Result<Value, SignInError> {
    let fetched = fetcher
        .send(url, API_BODY_CAP, Request { form: Some(form), ..Request::default() })
        .await
        .map_err(|e| SignInError::Instance(e.to_string()))?;
    let body = answer(&fetched.body, what);
    if !(200..300).contains(&fetched.status) {
        let reason = body
            .ok()
            .and_then(|b| b.get("error_description").or(b.get("error")).and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {}", fetched.status));
        return Err(SignInError::Denied(reason));
    }
    body
}

/// Registers Earshot on the instance for this redirect address (`POST /api/v1/apps`).
pub async fn register(fetcher: &Fetcher, instance: &str, redirect_uri: &str) -> Result<App, SignInError> {
    let mut url = instance_url(instance).map_err(SignInError::Instance)?;
    url.set_path("/api/v1/apps");
    let form = [
        ("client_name", "Earshot"),
        ("redirect_uris", redirect_uri),
        ("scopes", SCOPES),
        ("website", "https://earshot.app"),
    ];
    let body = post_form(fetcher, url.as_str(), &form, "app registration").await?;
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    match (field("client_id"), field("client_secret")) {
        (Some(client_id), Some(secret)) => Ok(App { client_id, client_secret: Sensitive::new(secret) }),
        _ => Err(SignInError::Instance("the instance did not register Earshot (no client id in its answer)".into())),
    }
}

/// The address of the instance's sign-in page, to open in the owner's browser.
pub fn authorize_url(
    instance: &str,
    app: &App,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Result<String, SignInError> {
    let mut url = instance_url(instance).map_err(SignInError::Instance)?;
    url.set_path("/oauth/authorize");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url.to_string())
}

/// Exchanges the code for an access token (`POST /oauth/token`).
pub async fn exchange(
    fetcher: &Fetcher,
    instance: &str,
    app: &App,
    code: &str,
    verifier: &Sensitive<String>,
    redirect_uri: &str,
) -> Result<Sensitive<String>, SignInError> {
    let mut url = instance_url(instance).map_err(SignInError::Instance)?;
    url.set_path("/oauth/token");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.expose().as_str()),
        ("code_verifier", verifier.expose().as_str()),
        ("scope", SCOPES),
    ];
    let body = post_form(fetcher, url.as_str(), &form, "token").await?;
    body.get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(|t| Sensitive::new(t.to_string()))
        .ok_or_else(|| SignInError::Instance("the instance's token answer has no token".into()))
}

/// A one-shot listener on 127.0.0.1 for the browser's redirect back to Earshot.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    pub redirect_uri: String,
}

impl Loopback {
    pub async fn bind() -> Result<Loopback, SignInError> {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| SignInError::Listener(e.to_string()))?;
        let port = listener.local_addr().map_err(|e| SignInError::Listener(e.to_string()))?.port();
        Ok(Loopback { listener, redirect_uri: format!("http://127.0.0.1:{port}/callback") })
    }

    /// Waits for the redirect carrying `state` and returns its code. Requests without the right state
    /// (another page, a forged redirect) are answered and ignored.
    pub async fn code(self, state: &str) -> Result<String, SignInError> {
        tokio::time::timeout(SIGN_IN_TIMEOUT, async {
            loop {
                let (mut socket, _) = self.listener.accept().await.map_err(|e| SignInError::Listener(e.to_string()))?;
                let mut head = Vec::new();
                let mut buf = [0u8; 2048];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head).lines().next().unwrap_or("").to_string();
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let params: Vec<(String, String)> = url::Url::parse(&format!("http://127.0.0.1{target}"))
                    .map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
                    .unwrap_or_default();
                let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
                let (page, result) = if get("state").as_deref() != Some(state) {
                    ("This is not the sign-in Earshot is waiting for.", None)
                } else if let Some(code) = get("code") {
                    ("Signed in. You can close this tab and go back to Earshot.", Some(Ok(code)))
                } else {
                    let reason = get("error_description").or_else(|| get("error")).unwrap_or_else(|| "no code".into());
                    ("The sign-in was not approved. You can close this tab.", Some(Err(SignInError::Denied(reason))))
                };
                let html = format!("<!doctype html><meta charset=utf-8><title>Earshot</title><p>{page}</p>");
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
                if let Some(result) = result {
                    return result;
                }
            }
        })
        .await
        .map_err(|_| SignInError::TimedOut)?
    }
}

/// A fresh random `state` for one sign-in.
pub fn new_state() -> Result<String, SignInError> {
    random_token(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_s256_of_the_verifier() {
        let (verifier, challenge) = pkce().unwrap();
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose()));
        assert_eq!(challenge, expected);
        assert!(verifier.expose().len() >= 43, "RFC 7636 asks for 43 to 128 characters");
        assert_ne!(pkce().unwrap().1, challenge, "every sign-in gets a new verifier");
    }

    #[tokio::test]
    async fn the_loopback_ignores_a_wrong_state_and_takes_the_right_code() {
        let loopback = Loopback::bind().await.unwrap();
        let base = loopback.redirect_uri.clone();
        let waiting = tokio::spawn(async move { loopback.code("good").await });
        let client = reqwest::Client::new();
        let forged = client.get(format!("{base}?code=evil&state=bad")).send().await.unwrap().text().await.unwrap();
        assert!(forged.contains("not the sign-in"));
        client.get(format!("{base}?code=the-code&state=good")).send().await.unwrap();
        assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    }

    #[tokio::test]
    async fn a_refusal_in_the_browser_is_reported() {
        let loopback = Loopback::bind().await.unwrap();
        let base = loopback.redirect_uri.clone();
        let waiting = tokio::spawn(async move { loopback.code("s").await });
        reqwest::Client::new().get(format!("{base}?error=access_denied&state=s")).send().await.unwrap();
        assert!(matches!(waiting.await.unwrap(), Err(SignInError::Denied(r)) if r == "access_denied"));
    }
}
