//! One check of one source: fetch what is new (conditionally, after the cursor), parse it, normalise it.
//! Nothing here touches the store: the caller matches the items and saves them with the returned state in
//! one transaction, or records the failure.

use chrono::{DateTime, Duration, Utc};
use earshot_core::mention::{NewMention, SyncState};
use sha2::{Digest, Sha256};

use crate::schedule::{self, FailureClass};
use crate::{feeds, hn, Conditional, FetchError, Fetched, Fetcher, API_BODY_CAP, FEED_BODY_CAP};

/// The source to check: its kind, address and settings (JSON), as stored.
#[derive(Debug, Clone, Copy)]
pub struct SourceSpec<'a> {
    pub kind: &'a str,
    pub url: &'a str,
    pub config: &'a str,
}

#[derive(Debug)]
pub enum Outcome {
    /// Nothing new (304, or the same body as last time). The state may carry fresher validators.
    Unchanged {
        state: SyncState,
        min_interval: Option<Duration>,
    },
    /// Items to store, with the state that covers them.
    Items {
        state: SyncState,
        items: Vec<NewMention>,
        skipped: usize,
        min_interval: Option<Duration>,
        /// The feed's own title, to name a source added by address alone.
        title: Option<String>,
    },
    Failed {
        message: String,
        class: FailureClass,
        retry_after: Option<DateTime<Utc>>,
    },
}

fn failed(message: impl Into<String>, class: FailureClass) -> Outcome {
    Outcome::Failed { message: message.into(), class, retry_after: None }
}

fn body_hash(body: &[u8]) -> String {
    format!("{:x}", Sha256::digest(body))
}

/// Classifies a non-success status, with the server's wait hint when it gave one.
fn status_failure(f: &Fetched, url: &str, now: DateTime<Utc>) -> Outcome {
    let retry_after = f
        .header("retry-after")
        .and_then(|v| schedule::parse_retry_after(v, now))
        .or_else(|| f.header("x-ratelimit-reset").and_then(|v| schedule::parse_reset(v, now)))
        .or_else(|| f.header("ratelimit-reset").and_then(|v| schedule::parse_reset(v, now)));
    let (class, what) = match f.status {
        429 => (FailureClass::RateLimited, "asked Earshot to slow down"),
        410 => (FailureClass::Gone, "says this address is gone"),
        401 => (FailureClass::SignIn, "refused the sign-in"),
        408 | 425 | 500..=599 => (FailureClass::Server(f.status), "had a problem"),
        other => (FailureClass::Refused(other), "refused the request"),
    };
    Outcome::Failed { message: format!("{url}: the server {what} (HTTP {})", f.status), class, retry_after }
}

fn fetch_failure(e: FetchError) -> Outcome {
    match e {
        FetchError::TooLarge { .. } => failed(e.to_string(), FailureClass::Parse),
        FetchError::Refused { .. } => failed(e.to_string(), FailureClass::Refused(0)),
        FetchError::Http { .. } => failed(e.to_string(), FailureClass::Transport),
    }
}

/// Checks one source now.
pub async fn check(fetcher: &Fetcher, spec: SourceSpec<'_>, state: &SyncState, now: DateTime<Utc>) -> Outcome {
    match spec.kind {
        "feed" => check_feed(fetcher, spec.url, state, now).await,
        "hn" => check_hn(fetcher, spec, state, now).await,
        other => failed(format!("Earshot cannot check {other} sources from here"), FailureClass::Refused(0)),
    }
}

async fn check_feed(fetcher: &Fetcher, url: &str, state: &SyncState, now: DateTime<Utc>) -> Outcome {
    let validators = Conditional { etag: state.etag.as_deref(), last_modified: state.last_modified.as_deref() };
    let fetched = match fetcher.get_conditional(url, FEED_BODY_CAP, validators).await {
        Ok(f) => f,
        Err(e) => return fetch_failure(e),
    };
    let min_interval = fetched.header("cache-control").and_then(schedule::max_age);
    // A 304 may carry fresher validators; keep the old ones where it does not.
    let validators = SyncState {
        etag: fetched.etag.clone().or_else(|| state.etag.clone()),
        last_modified: fetched.last_modified.clone().or_else(|| state.last_modified.clone()),
        ..state.clone()
    };
    if fetched.status == 304 {
        return Outcome::Unchanged { state: validators, min_interval };
    }
    if !(200..300).contains(&fetched.status) {
        return status_failure(&fetched, url, now);
    }
    let hash = body_hash(&fetched.body);
    if state.body_hash.as_deref() == Some(hash.as_str()) {
        return Outcome::Unchanged { state: validators, min_interval };
    }
    match feeds::parse(&fetched.body, Some(&fetched.final_url), now) {
        Ok(feed) => Outcome::Items {
            state: SyncState { body_hash: Some(hash), ..validators },
            items: feed.entries,
            skipped: feed.skipped,
            min_interval,
            title: feed.title,
        },
        Err(e) => failed(format!("{url}: {e}"), FailureClass::Parse),
    }
}

async fn check_hn(fetcher: &Fetcher, spec: SourceSpec<'_>, state: &SyncState, now: DateTime<Utc>) -> Outcome {
    let config: serde_json::Value = serde_json::from_str(spec.config).unwrap_or_default();
    let Some(query) = config.get("query").and_then(|q| q.as_str()).filter(|q| !q.trim().is_empty()) else {
        return failed("this Hacker News source has no search; remove it and add it again", FailureClass::Refused(0));
    };
    let url = match hn::search_url(spec.url, query, state.cursor.as_deref()) {
        Ok(u) => u,
        Err(e) => return failed(e, FailureClass::Refused(0)),
    };
    let fetched = match fetcher.get(&url, API_BODY_CAP).await {
        Ok(f) => f,
        Err(e) => return fetch_failure(e),
    };
    if !(200..300).contains(&fetched.status) {
        return status_failure(&fetched, spec.url, now);
    }
    match hn::parse(&fetched.body, state.cursor.as_deref(), now) {
        Ok((items, cursor)) => Outcome::Items {
            state: SyncState { cursor, ..state.clone() },
            items,
            skipped: 0,
            min_interval: None,
            title: None,
        },
        Err(e) => failed(format!("{}: {e}", spec.url), FailureClass::Parse),
    }
}
