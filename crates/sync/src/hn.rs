//! Hacker News through Algolia's `search_by_date`: stories and comments, newest first, with
//! `numericFilters=created_at_i>X` as the cursor. No sign-in; items are keyed by `objectID`.

use chrono::{DateTime, Utc};
use earshot_core::html;
use earshot_core::mention::{Engagement, MentionAuthor, NewMention};
use serde::Deserialize;

/// Hits asked for per request (Algolia's page size).
pub const PAGE_SIZE: usize = 100;
/// Re-ask for this many seconds before the cursor, so items indexed late are not missed (upserts dedupe).
const OVERLAP_SECONDS: i64 = 600;

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    hits: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Hit {
    #[serde(rename = "objectID")]
    object_id: Option<String>,
    author: Option<String>,
    title: Option<String>,
    story_title: Option<String>,
    url: Option<String>,
    story_text: Option<String>,
    comment_text: Option<String>,
    created_at_i: Option<i64>,
    points: Option<i64>,
    num_comments: Option<i64>,
    parent_id: Option<i64>,
}

/// The search URL for `query` under `base` (normally `https://hn.algolia.com`), after the cursor if any.
pub fn search_url(base: &str, query: &str, cursor: Option<&str>) -> Result<String, String> {
    let mut url = url::Url::parse(base).map_err(|e| format!("{base} is not a valid address ({e})"))?;
    url.set_path("/api/v1/search_by_date");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("query", query).append_pair("tags", "(story,comment)");
        q.append_pair("hitsPerPage", &PAGE_SIZE.to_string());
        if let Some(after) = cursor.and_then(|c| c.parse::<i64>().ok()) {
            q.append_pair("numericFilters", &format!("created_at_i>{}", after.saturating_sub(OVERLAP_SECONDS).max(0)));
        }
    }
    Ok(url.to_string())
}

/// Parses one page of hits. Returns the items and the new cursor (the newest `created_at_i` seen, or the
/// old cursor when the page is empty). A hit that cannot be read is skipped, not the page.
pub fn parse(
    body: &[u8],
    cursor: Option<&str>,
    fetched_at: DateTime<Utc>,
) -> Result<(Vec<NewMention>, Option<String>), String> {
    let page: Page = serde_json::from_slice(body).map_err(|e| format!("not a Hacker News search answer: {e}"))?;
    let mut newest = cursor.and_then(|c| c.parse::<i64>().ok());
    let mut items = Vec::new();
    for value in page.hits.into_iter().take(PAGE_SIZE * 10) {
        let raw = value.to_string();
        let Ok(hit) = serde_json::from_value::<Hit>(value) else { continue };
        let Some(id) = hit.object_id.filter(|id| !id.is_empty()) else { continue };
        // A time from the future would move the cursor past everything to come: it is not believed.
        let latest_believable = fetched_at.timestamp() + 86_400;
        newest = newest.max(hit.created_at_i.filter(|t| *t <= latest_believable));
        let body_html = hit.comment_text.or(hit.story_text).unwrap_or_default();
        let body = html::render(&body_html, None);
        let permalink = format!("https://news.ycombinator.com/item?id={id}");
        let is_comment = hit.title.is_none();
        items.push(
            NewMention {
                url: Some(if is_comment { permalink.clone() } else { hit.url.unwrap_or(permalink.clone()) }),
                author: MentionAuthor {
                    id: None,
                    name: hit.author.clone(),
                    handle: hit.author.clone(),
                    profile_url: hit.author.map(|a| format!("https://news.ycombinator.com/user?id={a}")),
                    followers: None,
                },
                title: hit.title.or(hit.story_title),
                text: body.text,
                html: Some(body.html).filter(|h| !h.is_empty()),
                language: None,
                published_at: hit.created_at_i.and_then(|t| DateTime::from_timestamp(t, 0)),
                engagement: Engagement { likes: hit.points, reposts: None, replies: hit.num_comments },
                raw: Some(raw),
                direct: false,
                thread: hit.parent_id.map(|p| p.to_string()),
                reply_ref: Some(id.clone()),
                external_id: id,
            }
            .made_safe(fetched_at),
        );
    }
    Ok((items, newest.map(|n| n.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn comments_become_mentions_linking_to_the_discussion() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/apis/hackernews/search_by_date_comment_constructed.json"
        ))
        .unwrap();
        let (items, cursor) = parse(&body, None, now()).unwrap();
        let c = &items[0];
        assert_eq!(c.external_id, "41000123");
        assert_eq!(c.url.as_deref(), Some("https://news.ycombinator.com/item?id=41000123"));
        assert_eq!(c.author.handle.as_deref(), Some("someuser"));
        assert!(c.text.contains("AcmeCoffee"));
        assert_eq!(cursor.as_deref(), Some("1785585600"));
    }

    #[test]
    fn the_cursor_asks_again_with_a_small_overlap_and_never_goes_back() {
        let url = search_url("https://hn.algolia.com", "spoke & chain", Some("1785585600")).unwrap();
        assert!(url.contains("numericFilters=created_at_i%3E1785585000"), "{url}");
        assert!(url.contains("query=spoke+%26+chain"), "{url}");
        let (items, cursor) = parse(br#"{"hits": []}"#, Some("1785585600"), now()).unwrap();
        assert!(items.is_empty());
        assert_eq!(cursor.as_deref(), Some("1785585600"));
    }

    #[test]
    fn a_hit_from_the_future_does_not_move_the_cursor() {
        let page = br#"{"hits": [{"objectID": "1", "title": "t", "created_at_i": 9223372036854775807}]}"#;
        let (items, cursor) = parse(page, Some("1785585600"), now()).unwrap();
        assert_eq!((items.len(), cursor.as_deref()), (1, Some("1785585600")));
        assert!(search_url("https://hn.algolia.com", "x", Some("-9223372036854775808")).is_ok());
    }

    #[test]
    fn a_bad_hit_is_skipped_and_a_bad_page_is_an_error() {
        let (items, _) =
            parse(br#"{"hits": [{"objectID": 5}, {"objectID": "6", "title": "ok"}]}"#, None, now()).unwrap();
        assert_eq!(items.len(), 1);
        assert!(parse(b"<html>", None, now()).is_err());
    }
}
