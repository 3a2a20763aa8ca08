//! The one shape every fetched item takes, whatever its source: a [`NewMention`]. Adapters fill it; the rules
//! here make it safe to store: field lengths capped, timestamps clamped, links cleaned.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::text::truncate_chars;

crate::closed_set::closed_set! {
    /// Where a mention was heard.
    pub enum SourceKind("kind of source") {
        /// RSS, Atom or JSON Feed (Google Alerts, YouTube, Reddit searches, blogs).
        Feed = "feed",
        Mastodon = "mastodon",
        Bluesky = "bluesky",
        /// Hacker News search.
        Hn = "hn",
        /// Captured by hand from a network with no usable API.
        Manual = "manual",
    }
}

crate::closed_set::closed_set! {
    /// Where a source stands, as the owner sees it.
    pub enum SourceStatus("source status") {
        /// Not checked yet.
        New = "new",
        Ok = "ok",
        /// The last checks failed; the last success is kept.
        Failing = "failing",
        /// The service asked Earshot to wait.
        RateLimited = "rate_limited",
        /// Stopped until the owner acts (sign in again, fix the address).
        Paused = "paused",
        /// Part of the demo: listed, never fetched.
        Demo = "demo",
    }
}

/// Field caps (in characters) applied before anything is stored.
pub const TITLE_CAP: usize = 2_048;
pub const TEXT_CAP: usize = 64 * 1024;
pub const HTML_CAP: usize = 512 * 1024;
pub const NAME_CAP: usize = 256;
pub const URL_CAP: usize = 2_048;
pub const ID_CAP: usize = 1_024;
pub const RAW_CAP: usize = 512 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MentionAuthor {
    /// The network's stable id of the author, where it has one: a Bluesky DID, a Mastodon `user@host`.
    pub id: Option<String>,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub profile_url: Option<String>,
    pub followers: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Engagement {
    pub likes: Option<i64>,
    pub reposts: Option<i64>,
    pub replies: Option<i64>,
}

/// A fetched item, normalised. `external_id` is unique within its source; `url` is the cleaned canonical link.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewMention {
    pub external_id: String,
    pub url: Option<String>,
    pub author: MentionAuthor,
    pub title: Option<String>,
    /// Plain text: what is matched, searched and shown by default.
    pub text: String,
    /// Sanitized HTML when the source has rich content.
    pub html: Option<String>,
    pub language: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub engagement: Engagement,
    /// The item as the source sent it (JSON), kept for re-processing.
    pub raw: Option<String>,
    /// Addressed to the owner (a mention of their account): shown whether or not a query matches it.
    pub direct: bool,
    /// The network's reference of the post this item answers, when it is a reply.
    pub thread: Option<String>,
    /// The reference the network's replies to this item carry in their `thread`.
    pub reply_ref: Option<String>,
}

impl NewMention {
    /// Applies the storage rules: caps every field, drops links that are not http(s), and clamps a published
    /// time that is in the future (beyond a day of clock skew) or before 1990 to `None`.
    pub fn made_safe(mut self, fetched_at: DateTime<Utc>) -> NewMention {
        let cap = |s: Option<String>, n: usize| s.map(|s| truncate_chars(s.trim(), n)).filter(|s| !s.is_empty());
        self.external_id = truncate_chars(&self.external_id, ID_CAP);
        self.url = self.url.and_then(|u| clean_url(&u));
        self.title = cap(self.title, TITLE_CAP);
        self.text = truncate_chars(&self.text, TEXT_CAP);
        self.html = cap(self.html, HTML_CAP);
        self.language = cap(self.language, 16);
        self.raw = self.raw.filter(|r| r.len() <= RAW_CAP);
        self.thread = cap(self.thread, ID_CAP);
        self.reply_ref = cap(self.reply_ref, ID_CAP);
        self.author.name = cap(self.author.name, NAME_CAP);
        self.author.handle = cap(self.author.handle, NAME_CAP);
        self.author.id = cap(self.author.id, ID_CAP);
        self.author.profile_url = self.author.profile_url.and_then(|u| clean_url(&u));
        self.author.followers = self.author.followers.filter(|n| *n >= 0);
        let earliest = DateTime::parse_from_rfc3339("1990-01-01T00:00:00Z").expect("valid constant").to_utc();
        self.published_at = self.published_at.filter(|t| *t >= earliest && *t <= fetched_at + Duration::days(1));
        self
    }
}

/// What a source remembers between checks to ask only for what is new: HTTP validators, a hash of the
/// last body, and the source's own cursor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body_hash: Option<String>,
    pub cursor: Option<String>,
}

/// Query parameters that only track where a click came from.
fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || matches!(
            name.as_str(),
            "fbclid" | "gclid" | "dclid" | "msclkid" | "mc_cid" | "mc_eid" | "igshid" | "ref_src"
        )
}

/// The link an item should be opened and compared by: http(s) only, no credentials, Google redirect
/// wrappers (`google.com/url?url=...`) unwrapped, tracking parameters and the fragment dropped, at most
/// [`URL_CAP`] long. `None` when nothing safe is left.
pub fn clean_url(input: &str) -> Option<String> {
    let mut url = url::Url::parse(input.trim()).ok()?;
    for _ in 0..3 {
        let is_google_redirect =
            url.host_str().is_some_and(|h| h == "google.com" || h.ends_with(".google.com")) && url.path() == "/url";
        if !is_google_redirect {
            break;
        }
        let target = url.query_pairs().find(|(k, _)| k == "url" || k == "q").map(|(_, v)| v.into_owned())?;
        url = url::Url::parse(&target).ok()?;
    }
    if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    url.host_str()?;
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else if url.query_pairs().count() != kept.len() {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let out = url.to_string();
    (out.len() <= URL_CAP).then_some(out)
}

/// A key under which the same page found through different sources compares equal: scheme, `www.` and
/// `m.` host prefixes and a trailing slash do not matter.
pub fn url_key(clean: &str) -> Option<String> {
    let url = url::Url::parse(clean).ok()?;
    let host = url.host_str()?.trim_start_matches("www.").trim_start_matches("m.").to_ascii_lowercase();
    let path = url.path().trim_end_matches('/');
    Some(match url.query() {
        Some(q) => format!("{host}{path}?{q}"),
        None => format!("{host}{path}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_alert_links_are_unwrapped_to_the_article() {
        let wrapped = "https://www.google.com/url?rct=j&sa=t&url=https://news.example/story%3Fid%3D7%26utm_source%3Dx&ct=ga&cd=CAE&usg=AOv";
        assert_eq!(clean_url(wrapped).as_deref(), Some("https://news.example/story?id=7"));
    }

    #[test]
    fn tracking_parameters_and_fragments_are_dropped_but_real_parameters_kept() {
        assert_eq!(
            clean_url("https://shop.example/p?id=3&utm_medium=email&fbclid=abc#reviews").as_deref(),
            Some("https://shop.example/p?id=3")
        );
        assert_eq!(clean_url("https://shop.example/p?utm_source=a").as_deref(), Some("https://shop.example/p"));
    }

    #[test]
    fn only_plain_web_links_are_kept() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "not a link",
            "data:text/html,x",
        ] {
            assert_eq!(clean_url(bad), None, "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_CAP));
        assert_eq!(clean_url(&long), None);
    }

    #[test]
    fn the_same_page_has_one_key_whatever_the_host_prefix_or_slash() {
        assert_eq!(url_key("https://www.example.com/a/"), url_key("http://example.com/a"));
        assert_eq!(url_key("https://m.example.com/a"), url_key("https://example.com/a"));
        assert_ne!(url_key("https://example.com/a"), url_key("https://example.com/b"));
    }

    #[test]
    fn unsafe_fields_are_capped_and_impossible_dates_dropped() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc();
        let m = NewMention {
            external_id: "x".repeat(5_000),
            title: Some("t".repeat(10_000)),
            text: "é".repeat(TEXT_CAP + 10),
            url: Some("javascript:alert(1)".into()),
            author: MentionAuthor { name: Some("  ".into()), followers: Some(-5), ..Default::default() },
            published_at: Some(now + Duration::days(400)),
            ..Default::default()
        }
        .made_safe(now);
        assert_eq!(m.external_id.chars().count(), ID_CAP);
        assert_eq!(m.title.unwrap().chars().count(), TITLE_CAP);
        assert_eq!(m.text.chars().count(), TEXT_CAP);
        assert_eq!((m.url, m.author.name, m.author.followers, m.published_at), (None, None, None, None));
        let old =
            NewMention { published_at: Some(now - Duration::days(365 * 50)), ..Default::default() }.made_safe(now);
        assert_eq!(old.published_at, None);
        let fine = NewMention { published_at: Some(now - Duration::hours(1)), ..Default::default() }.made_safe(now);
        assert!(fine.published_at.is_some());
    }
}
