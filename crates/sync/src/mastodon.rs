//! Mastodon: a hashtag timeline (public, no sign-in), or a signed-in account: its notifications of type
//! mention, and full-text status search for the owner's queries where the instance offers it.
//!
//! Paging goes forward with `min_id` (the newest id stored) and follows the `Link: rel="prev"` header while
//! pages come back full, a few pages per check. Items are keyed by the status `uri`, the ActivityPub id that
//! is the same on every instance; a boost is stored as the status it boosts.

use chrono::{DateTime, Utc};
use earshot_core::html;
use earshot_core::mention::{Engagement, MentionAuthor, NewMention};
use serde_json::Value;

use crate::{FetchError, Fetched, Fetcher, Request, API_BODY_CAP};

/// Statuses per page (Mastodon's maximum for timelines and search).
pub const PAGE_SIZE: usize = 40;
/// Notifications per page (the maximum since 4.1).
pub const NOTIFICATIONS_PAGE_SIZE: usize = 80;
/// Pages followed per stream in one check; the rest comes next time.
const MAX_PAGES: usize = 4;

/// Compares Mastodon ids: numeric strings of any length (Snowflake-like), longer is newer.
pub fn newer_id<'a>(a: Option<&'a str>, b: Option<&'a str>) -> Option<&'a str> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (b.len(), b) > (a.len(), a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// A status as a mention: the boosted status when it is a boost.
pub fn status(v: &Value, fetched_at: DateTime<Utc>) -> Option<NewMention> {
    let s = match v.get("reblog") {
        Some(inner) if inner.is_object() => inner,
        _ => v,
    };
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string).filter(|s| !s.is_empty());
    let uri = str_of(s, "uri").or_else(|| str_of(s, "id"))?;
    let account = s.get("account").unwrap_or(&Value::Null);
    let content = str_of(s, "content").unwrap_or_default();
    let warning = str_of(s, "spoiler_text");
    let body = html::render(&content, None);
    let text = match &warning {
        Some(w) => format!("{w}\n\n{}", body.text),
        None => body.text,
    };
    Some(
        NewMention {
            external_id: uri.clone(),
            url: str_of(s, "url").or(Some(uri)),
            author: MentionAuthor {
                id: account_id(account),
                name: str_of(account, "display_name").or_else(|| str_of(account, "username")),
                handle: str_of(account, "acct").map(|a| format!("@{a}")),
                profile_url: str_of(account, "url"),
                followers: account.get("followers_count").and_then(Value::as_i64),
            },
            title: None,
            text,
            html: Some(body.html).filter(|h| !h.is_empty()),
            language: str_of(s, "language"),
            published_at: str_of(s, "created_at")
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.to_utc()),
            engagement: Engagement {
                likes: s.get("favourites_count").and_then(Value::as_i64),
                reposts: s.get("reblogs_count").and_then(Value::as_i64),
                replies: s.get("replies_count").and_then(Value::as_i64),
            },
            raw: Some(s.to_string()),
            direct: false,
            // Replies point at their parent by the instance's status id.
            thread: str_of(s, "in_reply_to_id"),
            reply_ref: str_of(s, "id"),
        }
        .made_safe(fetched_at),
    )
}

/// An account's `user@host`, the same from every instance: a local account's `acct` has no host, which its
/// profile address gives.
pub fn account_id(account: &Value) -> Option<String> {
    let acct = account.get("acct").and_then(Value::as_str).filter(|a| !a.is_empty())?;
    if acct.contains('@') {
        return Some(acct.to_lowercase());
    }
    let url = url::Url::parse(account.get("url").and_then(Value::as_str)?).ok()?;
    Some(format!("{acct}@{}", url.host_str()?).to_lowercase())
}

/// The `rel="prev"` link of a `Link` header (the page of newer items).
fn prev_link(fetched: &Fetched) -> Option<String> {
    let header = fetched.header("link")?;
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"prev\"").then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// Whether `next` is on the instance that gave it: a page link elsewhere would carry the owner's token to
/// another server, so it is not followed.
fn same_origin(next: &str, current: &str) -> bool {
    match (url::Url::parse(next), url::Url::parse(current)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// What one stream brought: items, the newest id seen, and whether the last page was refused.
pub struct Stream {
    pub items: Vec<NewMention>,
    pub newest: Option<String>,
}

/// Why a stream stopped early.
pub enum StreamError {
    Fetch(FetchError),
    Status(Fetched),
    Parse(String),
}

/// Reads a stream of statuses (or notifications when `notifications`) from `first_url`, following newer
/// pages. `extract` turns one element of the answer into the status JSON and whether it is addressed to
/// the owner.
pub async fn read_stream(
    fetcher: &Fetcher,
    first_url: String,
    token: Option<&str>,
    page_size: usize,
    kind: StreamKind,
    fetched_at: DateTime<Utc>,
) -> Result<Stream, StreamError> {
    let mut items = Vec::new();
    let mut newest: Option<String> = None;
    let mut url = first_url;
    for _ in 0..MAX_PAGES {
        let fetched = fetcher
            .send(&url, API_BODY_CAP, Request { bearer: token, ..Request::default() })
            .await
            .map_err(StreamError::Fetch)?;
        if !(200..300).contains(&fetched.status) {
            return Err(StreamError::Status(fetched));
        }
        let body: Value = serde_json::from_slice(&fetched.body)
            .map_err(|e| StreamError::Parse(format!("not a Mastodon answer: {e}")))?;
        let elements = match (&kind, &body) {
            (StreamKind::Search, Value::Object(o)) => {
                o.get("statuses").and_then(Value::as_array).cloned().unwrap_or_default()
            }
            (_, Value::Array(a)) => a.clone(),
            _ => return Err(StreamError::Parse("not a Mastodon answer: unexpected shape".into())),
        };
        let count = elements.len();
        for element in elements.iter().take(page_size * 2) {
            let id = element.get("id").and_then(Value::as_str);
            newest = newer_id(newest.as_deref(), id).map(str::to_string);
            let (status_json, direct) = match kind {
                StreamKind::Notifications => match element.get("status") {
                    Some(s) if s.is_object() => (s, true),
                    _ => continue,
                },
                _ => (element, false),
            };
            if let Some(mut m) = status(status_json, fetched_at) {
                m.direct = direct;
                items.push(m);
            }
        }
        // Pace ahead of the limit: with few requests left in the window, the rest waits for the next check.
        let nearly_limited =
            fetched.header("x-ratelimit-remaining").and_then(|r| r.trim().parse::<u32>().ok()).is_some_and(|r| r <= 5);
        match prev_link(&fetched) {
            Some(next) if count >= page_size && !nearly_limited && same_origin(&next, &url) => url = next,
            _ => break,
        }
    }
    Ok(Stream { items, newest })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Timeline,
    Notifications,
    Search,
}

/// The signed-in account (`verify_credentials`: its id, follower count, profile), or `None` when the
/// instance does not say: a missing account never fails the check.
pub async fn own_account(fetcher: &Fetcher, instance: &str, token: &str) -> Option<Value> {
    let url = format!("{}/api/v1/accounts/verify_credentials", instance.trim_end_matches('/'));
    let answer = fetcher.send(&url, API_BODY_CAP, Request { bearer: Some(token), ..Default::default() }).await.ok()?;
    if !(200..300).contains(&answer.status) {
        return None;
    }
    serde_json::from_slice::<Value>(&answer.body).ok().filter(Value::is_object)
}

/// The instance's base URL, checked: `mastodon.social` and `https://mastodon.social/` both work.
pub fn instance_url(input: &str) -> Result<url::Url, String> {
    let trimmed = input.trim().trim_end_matches('/');
    let with_scheme = if trimmed.contains("://") { trimmed.to_string() } else { format!("https://{trimmed}") };
    let url = url::Url::parse(&with_scheme).map_err(|e| format!("\"{trimmed}\" is not an instance address ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("\"{trimmed}\" is not an instance address"));
    }
    Ok(url)
}

/// `{instance}/api/v1/timelines/tag/{tag}?limit=40[&min_id=...]`
pub fn hashtag_url(instance: &str, tag: &str, min_id: Option<&str>) -> Result<String, String> {
    let mut url = instance_url(instance)?;
    let tag = tag.trim().trim_start_matches('#');
    url.path_segments_mut().map_err(|_| "not an instance address".to_string())?.extend([
        "api",
        "v1",
        "timelines",
        "tag",
        tag,
    ]);
    url.query_pairs_mut().append_pair("limit", &PAGE_SIZE.to_string());
    if let Some(id) = min_id {
        url.query_pairs_mut().append_pair("min_id", id);
    }
    Ok(url.to_string())
}

/// `{instance}/api/v1/notifications?types[]=mention&limit=80[&min_id=...]`
pub fn notifications_url(instance: &str, min_id: Option<&str>) -> Result<String, String> {
    let mut url = instance_url(instance)?;
    url.set_path("/api/v1/notifications");
    url.query_pairs_mut().append_pair("types[]", "mention").append_pair("limit", &NOTIFICATIONS_PAGE_SIZE.to_string());
    if let Some(id) = min_id {
        url.query_pairs_mut().append_pair("min_id", id);
    }
    Ok(url.to_string())
}

/// `{instance}/api/v1/accounts/{id}/statuses?exclude_reblogs=true&limit=40[&min_id=...]`: the owner's own
/// posts, without their boosts of other people's.
pub fn own_statuses_url(instance: &str, account_id: &str, min_id: Option<&str>) -> Result<String, String> {
    let mut url = instance_url(instance)?;
    url.path_segments_mut()
        .map_err(|_| "not an instance address".to_string())?
        .clear()
        .extend(["api", "v1", "accounts", account_id, "statuses"]);
    url.query_pairs_mut().append_pair("exclude_reblogs", "true").append_pair("limit", &PAGE_SIZE.to_string());
    if let Some(id) = min_id {
        url.query_pairs_mut().append_pair("min_id", id);
    }
    Ok(url.to_string())
}

/// `{instance}/api/v2/search?q=...&type=statuses&limit=40[&min_id=...]`
pub fn search_url(instance: &str, q: &str, min_id: Option<&str>) -> Result<String, String> {
    let mut url = instance_url(instance)?;
    url.set_path("/api/v2/search");
    url.query_pairs_mut()
        .append_pair("q", q)
        .append_pair("type", "statuses")
        .append_pair("resolve", "false")
        .append_pair("limit", &PAGE_SIZE.to_string());
    if let Some(id) = min_id {
        url.query_pairs_mut().append_pair("min_id", id);
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../tests/fixtures/apis/mastodon/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        v["response"]["body"].clone()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn a_real_search_answer_gives_statuses_keyed_by_their_global_uri() {
        let body = fixture("v2_search_mastodon_social_real.json");
        let statuses = body["statuses"].as_array().unwrap();
        assert!(!statuses.is_empty());
        for s in statuses {
            let m = status(s, now()).unwrap();
            assert!(m.external_id.starts_with("https://"), "{}", m.external_id);
            assert!(m.author.handle.as_deref().unwrap().starts_with('@'));
            assert!(!m.text.contains("<p>"), "{}", m.text);
            assert!(m.html.as_deref().is_none_or(|h| !h.contains("<script")));
        }
    }

    #[test]
    fn a_boost_is_stored_as_the_status_it_boosts() {
        let original = serde_json::json!({"id": "2", "uri": "https://a.example/s/2", "content": "<p>the original</p>",
            "account": {"acct": "alice@a.example", "display_name": "Alice", "followers_count": 10}});
        let boost = serde_json::json!({"id": "3", "uri": "https://b.example/s/3", "content": "", "reblog": original,
            "account": {"acct": "bob"}});
        let m = status(&boost, now()).unwrap();
        assert_eq!(m.external_id, "https://a.example/s/2");
        assert_eq!((m.text.as_str(), m.author.followers), ("the original", Some(10)));
    }

    #[test]
    fn a_content_warning_comes_before_the_text() {
        let s = serde_json::json!({"uri": "u", "spoiler_text": "food", "content": "<p>pie</p>"});
        assert_eq!(status(&s, now()).unwrap().text, "food\n\npie");
    }

    #[test]
    fn page_links_are_followed_only_on_the_instance_that_gave_them() {
        let here = "https://bikes.social/api/v1/notifications?limit=80";
        assert!(same_origin("https://bikes.social/api/v1/notifications?min_id=9", here));
        assert!(!same_origin("https://evil.example/api/v1/notifications?min_id=9", here));
        assert!(!same_origin("http://bikes.social/api/v1/notifications?min_id=9", here), "not downgraded");
        assert!(!same_origin("https://bikes.social:8443/api/v1/notifications", here));
        assert!(!same_origin("/relative", here));
    }

    #[test]
    fn newer_ids_compare_as_numbers_of_any_length() {
        assert_eq!(newer_id(Some("99"), Some("100")), Some("100"));
        assert_eq!(newer_id(Some("117020593741189701"), Some("21")), Some("117020593741189701"));
        assert_eq!(newer_id(None, Some("5")), Some("5"));
    }

    #[test]
    fn urls_keep_the_tag_and_the_cursor() {
        assert_eq!(
            hashtag_url("mastodon.social", "#Bike Shop", Some("5")).unwrap(),
            "https://mastodon.social/api/v1/timelines/tag/Bike%20Shop?limit=40&min_id=5"
        );
        assert!(notifications_url("https://m.example/", None).unwrap().contains("types%5B%5D=mention"));
        assert!(instance_url("ftp://x").is_err());
    }
}
