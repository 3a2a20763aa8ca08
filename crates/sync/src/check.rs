//! One check of one source: fetch what is new (conditionally, after the cursor), parse it, normalise it.
//! Nothing here touches the store: the caller matches the items and saves them with the returned state in
//! one transaction, or records the failure.

use chrono::{DateTime, Duration, Utc};
use earshot_core::mention::{NewMention, SyncState};
use sha2::{Digest, Sha256};

use serde_json::Value;

pub use crate::credential::Credential;
use crate::mastodon::{self, StreamError, StreamKind};
use crate::schedule::{self, FailureClass};
use crate::{feeds, hn, Conditional, FetchError, Fetched, Fetcher, API_BODY_CAP, FEED_BODY_CAP};

/// The source to check: its kind, address and settings (JSON), as stored; the searches that stand for the
/// owner's queries on sources that search server-side; and which items are worth keeping (feeds drop the
/// rest before normalising them).
#[derive(Clone, Copy)]
pub struct SourceSpec<'a> {
    pub kind: &'a str,
    pub url: &'a str,
    pub config: &'a str,
    pub searches: &'a [String],
    pub relevant: &'a dyn feeds::Relevance,
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
        /// Items the source sent, kept or not.
        seen: usize,
        skipped: usize,
        min_interval: Option<Duration>,
        /// The feed's own title, to name a source added by address alone.
        title: Option<String>,
        /// Something the owner should know that is not a failure (set or cleared on every success).
        notice: Option<String>,
        /// Followers of the owner's own account, for sources that are the owner's account.
        own_followers: Option<i64>,
    },
    Failed {
        message: String,
        class: FailureClass,
        retry_after: Option<DateTime<Utc>>,
    },
}

/// Items from a source with a cursor of its own (no HTTP validators, no title, nothing left out).
fn items_after(
    state: &SyncState,
    cursor: Option<String>,
    items: Vec<NewMention>,
    own_followers: Option<i64>,
) -> Outcome {
    Outcome::Items {
        state: SyncState { cursor, ..state.clone() },
        seen: items.len(),
        items,
        skipped: 0,
        min_interval: None,
        title: None,
        notice: None,
        own_followers,
    }
}

pub(crate) fn failed(message: impl Into<String>, class: FailureClass) -> Outcome {
    Outcome::Failed { message: message.into(), class, retry_after: None }
}

fn body_hash(body: &[u8]) -> String {
    format!("{:x}", Sha256::digest(body))
}

/// Classifies a non-success status, with the server's wait hint when it gave one.
pub(crate) fn status_failure(f: &Fetched, url: &str, now: DateTime<Utc>) -> Outcome {
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

pub(crate) fn fetch_failure(e: FetchError, now: DateTime<Utc>) -> Outcome {
    match e {
        FetchError::HostResting { rest, .. } => Outcome::Failed {
            message: e.to_string(),
            class: FailureClass::RateLimited,
            retry_after: Some(now + Duration::from_std(rest).unwrap_or(Duration::minutes(1))),
        },
        FetchError::TooLarge { .. } => failed(e.to_string(), FailureClass::Parse),
        FetchError::Refused { .. } => failed(e.to_string(), FailureClass::Refused(0)),
        FetchError::Http { .. } => failed(e.to_string(), FailureClass::Transport),
    }
}

/// Checks one source now, with its keychain secret if it has one.
pub async fn check(
    fetcher: &Fetcher,
    spec: SourceSpec<'_>,
    state: &SyncState,
    credential: &mut Credential<'_>,
    now: DateTime<Utc>,
) -> Outcome {
    match spec.kind {
        "feed" => check_feed(fetcher, spec.url, state, spec.relevant, now).await,
        "hn" => check_hn(fetcher, spec, state, now).await,
        "mastodon" => check_mastodon(fetcher, spec, state, credential.secret(), now).await,
        "bluesky" => {
            match crate::bluesky::check(fetcher, spec.searches, state.cursor.as_deref(), credential, now).await {
                Ok((items, cursor, followers)) => items_after(state, Some(cursor), items, followers),
                Err(outcome) => outcome,
            }
        }
        other => failed(format!("Earshot cannot check {other} sources from here"), FailureClass::Refused(0)),
    }
}

async fn check_feed(
    fetcher: &Fetcher,
    url: &str,
    state: &SyncState,
    relevant: &dyn feeds::Relevance,
    now: DateTime<Utc>,
) -> Outcome {
    let validators = Conditional { etag: state.etag.as_deref(), last_modified: state.last_modified.as_deref() };
    let fetched = match fetcher.get_conditional(url, FEED_BODY_CAP, validators).await {
        Ok(f) => f,
        Err(e) => return fetch_failure(e, now),
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
    let served = feeds::Served {
        url: Some(&fetched.final_url),
        charset: fetched.header("content-type").and_then(feeds::charset_of),
    };
    match feeds::parse_relevant(&fetched.body, served, now, relevant) {
        Ok(feed) => Outcome::Items {
            state: SyncState { body_hash: Some(hash), ..validators },
            items: feed.entries,
            seen: feed.seen,
            skipped: feed.skipped,
            min_interval,
            title: feed.title,
            notice: local_notice(url, feed.notice),
            own_followers: None,
        },
        Err(e) => failed(format!("{url}: {e}"), FailureClass::Parse),
    }
}

/// A feed on the owner's own network is read like any other, and says where it is.
fn local_notice(url: &str, notice: Option<String>) -> Option<String> {
    let local = url::Url::parse(url).is_ok_and(|u| crate::scope::is_local_address(&u));
    match (local, notice) {
        (true, Some(n)) => Some(format!("On your own network. {n}")),
        (true, None) => Some("On your own network.".into()),
        (false, n) => n,
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
        Err(e) => return fetch_failure(e, now),
    };
    if !(200..300).contains(&fetched.status) {
        return status_failure(&fetched, spec.url, now);
    }
    match hn::parse(&fetched.body, state.cursor.as_deref(), now) {
        Ok((items, cursor)) => items_after(state, cursor, items, None),
        Err(e) => failed(format!("{}: {e}", spec.url), FailureClass::Parse),
    }
}

fn stream_failure(e: StreamError, url: &str, now: DateTime<Utc>) -> Outcome {
    match e {
        StreamError::Fetch(e) => fetch_failure(e, now),
        StreamError::Status(f) => status_failure(&f, url, now),
        StreamError::Parse(message) => failed(format!("{url}: {message}"), FailureClass::Parse),
    }
}

/// The notice shown on an account whose searches have never found anything.
const NO_SEARCH_NOTICE: &str = "Status search has found nothing here yet: this instance may not offer full-text \
search (it needs Elasticsearch, and covers only posts whose authors allow it). Mentions of your account and \
hashtags still arrive.";

async fn check_mastodon(
    fetcher: &Fetcher,
    spec: SourceSpec<'_>,
    state: &SyncState,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Outcome {
    let config: Value = serde_json::from_str(spec.config).unwrap_or_default();
    let mut cursor: Value = state.cursor.as_deref().and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default();
    let cursor_of = |cursor: &Value, key: &str| cursor.get(key).and_then(Value::as_str).map(str::to_string);
    let mut items = Vec::new();
    let mut notice = None;
    let mut own_followers = None;

    if let Some(tag) = config.get("hashtag").and_then(Value::as_str) {
        let url = match mastodon::hashtag_url(spec.url, tag, cursor_of(&cursor, "timeline").as_deref()) {
            Ok(u) => u,
            Err(e) => return failed(e, FailureClass::Refused(0)),
        };
        match mastodon::read_stream(fetcher, url, token, mastodon::PAGE_SIZE, StreamKind::Timeline, now).await {
            Ok(stream) => {
                items = stream.items;
                if let Some(newest) =
                    mastodon::newer_id(cursor_of(&cursor, "timeline").as_deref(), stream.newest.as_deref())
                {
                    cursor["timeline"] = Value::String(newest.to_string());
                }
            }
            Err(e) => return stream_failure(e, spec.url, now),
        }
    } else {
        let Some(token) = token else {
            return failed(format!("{}: the account is not signed in; sign in again", spec.url), FailureClass::SignIn);
        };
        if let Err(e) = url::Url::parse(spec.url).map_err(|e| e.to_string()).and_then(|u| crate::token_safe(&u)) {
            return failed(e, FailureClass::Refused(0));
        }
        let since = cursor_of(&cursor, "notifications");
        let url = match mastodon::notifications_url(spec.url, since.as_deref()) {
            Ok(u) => u,
            Err(e) => return failed(e, FailureClass::Refused(0)),
        };
        match mastodon::read_stream(
            fetcher,
            url,
            Some(token),
            mastodon::NOTIFICATIONS_PAGE_SIZE,
            StreamKind::Notifications,
            now,
        )
        .await
        {
            Ok(stream) => {
                items.extend(stream.items);
                if let Some(newest) = mastodon::newer_id(since.as_deref(), stream.newest.as_deref()) {
                    cursor["notifications"] = Value::String(newest.to_string());
                }
            }
            Err(e) => return stream_failure(e, spec.url, now),
        }
        let mut searches_found_anything = false;
        for q in spec.searches {
            let since = cursor.get("search").and_then(|s| s.get(q)).and_then(Value::as_str).map(str::to_string);
            let url = match mastodon::search_url(spec.url, q, since.as_deref()) {
                Ok(u) => u,
                Err(e) => return failed(e, FailureClass::Refused(0)),
            };
            match mastodon::read_stream(fetcher, url, Some(token), mastodon::PAGE_SIZE, StreamKind::Search, now).await {
                Ok(stream) => {
                    searches_found_anything |= since.is_some() || !stream.items.is_empty();
                    items.extend(stream.items);
                    if let Some(newest) = mastodon::newer_id(since.as_deref(), stream.newest.as_deref()) {
                        if !cursor.get("search").is_some_and(Value::is_object) {
                            cursor["search"] = Value::Object(Default::default());
                        }
                        cursor["search"][q.as_str()] = Value::String(newest.to_string());
                    }
                }
                Err(e) => return stream_failure(e, spec.url, now),
            }
        }
        if !spec.searches.is_empty() && !searches_found_anything {
            notice = Some(NO_SEARCH_NOTICE.to_string());
        }
        // The owner's own posts: never mentions, but a reply among them answers the mention it replies to.
        if let Some(me) = mastodon::own_account(fetcher, spec.url, token).await {
            own_followers = me.get("followers_count").and_then(Value::as_i64);
            if let Some(id) = me.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()) {
                let since = cursor_of(&cursor, "own");
                let url = match mastodon::own_statuses_url(spec.url, id, since.as_deref()) {
                    Ok(u) => u,
                    Err(e) => return failed(e, FailureClass::Refused(0)),
                };
                match mastodon::read_stream(fetcher, url, Some(token), mastodon::PAGE_SIZE, StreamKind::Timeline, now)
                    .await
                {
                    Ok(stream) => {
                        items.extend(stream.items);
                        if let Some(newest) = mastodon::newer_id(since.as_deref(), stream.newest.as_deref()) {
                            cursor["own"] = Value::String(newest.to_string());
                        }
                    }
                    Err(e) => return stream_failure(e, spec.url, now),
                }
            }
        }
    }
    Outcome::Items {
        state: SyncState { cursor: Some(cursor.to_string()), ..state.clone() },
        seen: items.len(),
        items,
        skipped: 0,
        min_interval: None,
        title: None,
        notice,
        own_followers,
    }
}
