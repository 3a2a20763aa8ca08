//! Everything Earshot fetches from the network goes through here: one HTTP client ([`Fetcher`]) with
//! connect, read and total timeouts, a redirect policy that re-checks every hop, bodies capped after
//! decompression and a circuit breaker per host; one adapter per kind of source (`feeds`, `hn`,
//! `mastodon`, `bluesky`) that turns answers into `NewMention`s; [`check::check`], one check of one source;
//! and `schedule`, when to check next after a failure. Sign-ins (`mastodon_auth`, `bluesky::sign_in`),
//! OPML lists and page summaries for manual capture live here too.
//!
//! Invariants: no request runs without a timeout; no body larger than its cap is ever held in memory;
//! only http and https are fetched, and never a URL with credentials in it; tokens travel only in the
//! `Authorization` header; nothing here touches the store: callers save a check's items and its new sync
//! state together. To add a source kind: its name in `earshot_core::mention::SourceKind` (no migration), a
//! module with its URLs and its parser into `NewMention`, a branch in [`check::check`], and a fake server in
//! `tests/` that speaks its protocol.

pub mod bluesky;
pub mod breaker;
pub mod check;
pub mod credential;
pub mod feeds;
pub mod hn;
pub mod mastodon;
pub mod mastodon_auth;
pub mod opml;
pub mod outbox;
pub mod page;
pub mod schedule;
pub mod scope;

use std::time::Duration;

use futures_util::StreamExt;

/// Runs a blocking call (SQLite, the OS keychain) from async code without holding up the runtime's other
/// tasks. On a multi-threaded runtime (the desktop's) the worker first hands its queue to another thread
/// (`block_in_place`), so a write that waits seconds behind an import never stalls the IPC or the other
/// checks' network traffic. A current-thread runtime (the command line's, a test's) has no other worker to
/// hand anything to, so the call runs where it is.
pub fn off_worker<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Largest feed body kept, after decompression.
pub const FEED_BODY_CAP: usize = 10 * 1024 * 1024;
/// Largest API page kept, after decompression.
pub const API_BODY_CAP: usize = 4 * 1024 * 1024;
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("{url}: the response is larger than {cap} bytes and was not read")]
    TooLarge { url: String, cap: usize },
    /// A network or protocol failure; `reason` carries the whole error chain ("error following redirect:
    /// links with a user name ... are not fetched").
    #[error("{url}: {reason}")]
    Http { url: String, reason: String },
    /// The host failed several times in a row and is being left alone for a while.
    #[error("{host} failed several times in a row; Earshot is giving it a rest for {} more seconds", .rest.as_secs().max(1))]
    HostResting { host: String, rest: Duration },
}

/// A fetched body with what the caller needs for conditional requests next time.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub final_url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Validators from the last fetch, sent back so an unchanged resource answers 304 with no body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditional<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// What to send beyond a plain GET. A body makes the request a POST; `post` makes it one without a body.
#[derive(Clone, Copy, Default)]
pub struct Request<'a> {
    pub conditional: Conditional<'a>,
    /// A POST even without a body: a call that takes no input (XRPC servers refuse any body on those, even
    /// `{}`).
    pub post: bool,
    /// Sent as `Authorization: Bearer`, never in the URL; reqwest drops it on a redirect to another host.
    pub bearer: Option<&'a str>,
    pub json: Option<&'a serde_json::Value>,
    pub form: Option<&'a [(&'a str, &'a str)]>,
    /// Sent as `Idempotency-Key`: the server answers a repeat of the same write with the first result.
    pub idempotency_key: Option<&'a str>,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bearer token and the bodies (passwords, codes) are never printed.
        f.debug_struct("Request").field("conditional", &self.conditional).finish_non_exhaustive()
    }
}

pub struct Fetcher {
    /// For public addresses: no redirect or DNS answer leads into a private network.
    client: reqwest::Client,
    /// For addresses the owner typed on their own network (`scope::is_local_address`).
    local: reqwest::Client,
    breakers: breaker::Breakers,
}

fn check_url(url: &reqwest::Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("only http and https links are fetched, not {}:", url.scheme()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("links with a user name or password in them are not fetched".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the link has no host".into());
    }
    Ok(())
}

/// Whether a signed-in account's server may be given its token at `url`: over TLS (`https`), or plain
/// `http` only to this machine (loopback), where nothing travels on a network.
pub fn token_safe(url: &url::Url) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "{} is not an https:// address; Earshot sends sign-ins only over an encrypted connection",
            url.origin().ascii_serialization()
        )),
    }
}

/// A redirect may not leave TLS: what was asked over `https` is not fetched again in the clear.
fn no_downgrade(previous: Option<&reqwest::Url>, next: &reqwest::Url) -> Result<(), String> {
    match previous {
        Some(from) if from.scheme() == "https" && next.scheme() == "http" => {
            Err(format!("a redirect from https to http ({}) is not followed", next.origin().ascii_serialization()))
        }
        _ => Ok(()),
    }
}

/// How long a request may take: to connect, between two reads of the body, and in all.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), read: Duration::from_secs(20), total: Duration::from_secs(60) }
    }
}

impl Fetcher {
    pub fn new() -> Result<Fetcher, reqwest::Error> {
        Fetcher::with_timeouts(Timeouts::default())
    }

    /// A fetcher with other time limits (tests of stalled servers use short ones).
    pub fn with_timeouts(timeouts: Timeouts) -> Result<Fetcher, reqwest::Error> {
        let builder = |public: bool| {
            let redirects = reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
                } else if let Err(reason) = check_url(attempt.url()) {
                    attempt.error(reason)
                } else if let Err(reason) = no_downgrade(attempt.previous().last(), attempt.url()) {
                    attempt.error(reason)
                } else if let (true, Err(reason)) = (public, scope::redirect_allowed(attempt.url())) {
                    attempt.error(reason)
                } else {
                    attempt.follow()
                }
            });
            let builder = reqwest::Client::builder()
                .user_agent(concat!("Earshot/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(timeouts.connect)
                .read_timeout(timeouts.read)
                .timeout(timeouts.total)
                .redirect(redirects);
            if public {
                builder.dns_resolver(std::sync::Arc::new(scope::PublicOnly))
            } else {
                builder
            }
        };
        Ok(Fetcher {
            client: builder(true).build()?,
            local: builder(false).build()?,
            breakers: breaker::Breakers::default(),
        })
    }

    /// GETs `url`, reading at most `cap` bytes of the decompressed body.
    pub async fn get(&self, url: &str, cap: usize) -> Result<Fetched, FetchError> {
        self.get_conditional(url, cap, Conditional::default()).await
    }

    /// GETs `url` with `If-None-Match` / `If-Modified-Since` from the last fetch, verbatim.
    pub async fn get_conditional(
        &self,
        url: &str,
        cap: usize,
        validators: Conditional<'_>,
    ) -> Result<Fetched, FetchError> {
        self.send(url, cap, Request { conditional: validators, ..Request::default() }).await
    }

    /// Sends a request to `url` and reads at most `cap` bytes of the decompressed answer.
    pub async fn send(&self, url: &str, cap: usize, req: Request<'_>) -> Result<Fetched, FetchError> {
        let refused = |reason: String| FetchError::Refused { url: url.to_string(), reason };
        let parsed = reqwest::Url::parse(url).map_err(|e| refused(format!("not a valid link ({e})")))?;
        check_url(&parsed).map_err(refused)?;
        let parsed_host = parsed.host_str().map(str::to_string);
        let http = |e: reqwest::Error| {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                reason.push_str(": ");
                reason.push_str(&inner.to_string());
                source = inner.source();
            }
            FetchError::Http { url: url.to_string(), reason }
        };
        use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, IF_MODIFIED_SINCE, IF_NONE_MATCH};
        let client = if scope::is_local_address(&parsed) { &self.local } else { &self.client };
        let mut request = match (req.json, req.form) {
            (Some(json), _) => client
                .post(parsed)
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(json).unwrap_or_default()),
            (None, Some(form)) => client
                .post(parsed)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish()),
            (None, None) if req.post => client.post(parsed),
            (None, None) => client.get(parsed),
        };
        if let Some(etag) = req.conditional.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = req.conditional.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        if let Some(token) = req.bearer {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| refused("the saved sign-in is not usable; sign in again".into()))?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(key) = req.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if req.json.is_some() || req.post || req.bearer.is_some() {
            request = request.header(ACCEPT, "application/json");
        }
        let host = parsed_host.unwrap_or_default();
        self.breakers
            .admit(&host, std::time::Instant::now())
            .map_err(|rest| FetchError::HostResting { host: host.clone(), rest })?;
        let response = match request.send().await {
            Ok(r) => {
                self.breakers.record(&host, !r.status().is_server_error(), std::time::Instant::now());
                r
            }
            Err(e) => {
                self.breakers.record(&host, false, std::time::Instant::now());
                return Err(http(e));
            }
        };
        if response.content_length().is_some_and(|len| len as usize > cap) {
            return Err(FetchError::TooLarge { url: url.to_string(), cap });
        }
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let status = response.status().as_u16();
        let final_url = response.url().to_string();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(http)?;
            if body.len() + chunk.len() > cap {
                return Err(FetchError::TooLarge { url: url.to_string(), cap });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched { status, final_url, etag, last_modified, headers, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-connection HTTP server on 127.0.0.1 that answers every request with `response`.
    async fn serve(response: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            }
        });
        format!("http://{addr}/")
    }

    #[tokio::test]
    async fn a_post_without_input_carries_no_body_and_no_content_type() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/xrpc/com.atproto.server.refreshSession", listener.local_addr().unwrap());
        let head = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                assert!(n > 0, "the request ended before its head");
                head.extend_from_slice(&buf[..n]);
            }
            socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await.unwrap();
            String::from_utf8(head).unwrap().to_ascii_lowercase()
        });
        let request = Request { post: true, bearer: Some("refresh-token"), ..Request::default() };
        Fetcher::new().unwrap().send(&url, 1024, request).await.unwrap();
        let head = head.await.unwrap();
        assert!(head.starts_with("post /xrpc/com.atproto.server.refreshsession "), "{head}");
        assert!(!head.contains("content-type"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        assert!(!head.contains("content-length") || head.contains("content-length: 0\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "nothing after the head: {head}");
    }

    #[tokio::test]
    async fn a_redirect_to_another_server_does_not_carry_the_token() {
        let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let elsewhere_url = format!("http://127.0.0.1:{}/landed", elsewhere.local_addr().unwrap().port());
        let seen = tokio::spawn(async move {
            let (mut socket, _) = elsewhere.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                assert!(n > 0);
                head.extend_from_slice(&buf[..n]);
            }
            socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await.unwrap();
            String::from_utf8(head).unwrap().to_ascii_lowercase()
        });
        let first =
            serve(format!("HTTP/1.1 302 Found\r\nLocation: {elsewhere_url}\r\nContent-Length: 0\r\n\r\n").into_bytes())
                .await;
        let request = Request { bearer: Some("secret-token"), ..Request::default() };
        let fetched = Fetcher::new().unwrap().send(&first, 1024, request).await.unwrap();
        assert_eq!(fetched.status, 200);
        let head = seen.await.unwrap();
        assert!(head.starts_with("get /landed"), "{head}");
        assert!(!head.contains("authorization") && !head.contains("secret-token"), "{head}");
    }

    #[test]
    fn a_redirect_from_https_to_http_is_refused() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(no_downgrade(Some(&url("https://feeds.example/a")), &url("http://feeds.example/a")).is_err());
        assert!(no_downgrade(Some(&url("http://feeds.example/a")), &url("https://feeds.example/a")).is_ok());
        assert!(no_downgrade(Some(&url("https://a.example/")), &url("https://b.example/")).is_ok());
        assert!(no_downgrade(None, &url("http://feeds.example/")).is_ok());
    }

    #[test]
    fn tokens_go_over_tls_or_to_this_machine_only() {
        for ok in [
            "https://bsky.social",
            "https://mastodon.example:8443/",
            "http://127.0.0.1:3000",
            "http://localhost/",
            "http://[::1]:9/",
        ] {
            assert!(token_safe(&url::Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for refused in
            ["http://bsky.social", "http://192.168.1.10/", "http://localhost.evil.example/", "ftp://127.0.0.1/"]
        {
            assert!(token_safe(&url::Url::parse(refused).unwrap()).is_err(), "{refused}");
        }
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused_even_without_a_length() {
        let mut response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        response.extend(std::iter::repeat_n(b'x', 4096));
        let url = serve(response).await;
        let fetcher = Fetcher::new().unwrap();
        assert!(matches!(fetcher.get(&url, 1024).await, Err(FetchError::TooLarge { .. })));
        let ok = fetcher.get(&url, 10_000).await.unwrap();
        assert_eq!(ok.body.len(), 4096);
    }

    #[tokio::test]
    async fn a_redirect_to_a_link_with_credentials_is_not_followed() {
        let url =
            serve(b"HTTP/1.1 302 Found\r\nLocation: http://user:pw@127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n".to_vec())
                .await;
        let err = Fetcher::new().unwrap().get(&url, 1024).await.unwrap_err();
        assert!(err.to_string().contains("user name or password"), "{err}");
    }

    #[tokio::test]
    async fn links_with_credentials_or_other_schemes_are_refused() {
        let fetcher = Fetcher::new().unwrap();
        for bad in ["ftp://example.com/x", "http://user:pw@127.0.0.1/", "not a url"] {
            assert!(matches!(fetcher.get(bad, 10).await, Err(FetchError::Refused { .. })), "{bad}");
        }
    }
}
