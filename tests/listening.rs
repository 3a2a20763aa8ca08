//! Listening end to end below the UI: sources served by a fake server over 127.0.0.1, checked by the real
//! sync round, matched against real queries and stored in a real workspace file.

mod fake_http;

use chrono::{DateTime, Duration, Utc};
use earshot_app::listening::{
    capture_link, mentions_list, queries_add, source_add_feed, source_add_hn, sources_list, Capture,
};
use earshot_app::sync::sync_once;
use earshot_app::{Ctx, Store};
use fake_http::{response, serve};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis").join(path)).unwrap()
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

/// The workspace as seen at `now` (each call reopens the file, as a later run of the app would).
fn at(db: &std::path::Path, now: DateTime<Utc>) -> Ctx {
    Ctx::with_clock(Store::open(db).unwrap(), now)
}

async fn round(db: &std::path::Path, now: DateTime<Utc>) -> earshot_app::sync::SyncSummary {
    let ctx = at(db, now);
    sync_once(&ctx, &earshot_sync::Fetcher::new().unwrap(), &earshot_secrets::MemorySecrets::default(), &mut |_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn a_feed_is_fetched_once_then_asked_conditionally_and_a_429_is_waited_out() {
    let youtube = fixture("feeds/youtube_channel_feed.xml");
    let server = serve(vec![
        response("200 OK", &[("ETag", "W/\"v1\""), ("Content-Type", "application/atom+xml")], &youtube),
        response("304 Not Modified", &[("ETag", "W/\"v1\"")], b""),
        response("429 Too Many Requests", &[("Retry-After", "120")], b""),
        response("200 OK", &[("ETag", "W/\"v1\"")], &youtube),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    {
        let ctx = at(&db, start());
        queries_add(&ctx, "industry", "quantum").unwrap();
        source_add_feed(&ctx, &format!("{}/feed.xml", server.base), None).unwrap();
    }

    let first = round(&db, start()).await;
    assert_eq!((first.new_items, first.new_mentions), (1, 1));
    let ctx = at(&db, start());
    let source = &sources_list(&ctx).unwrap()[0];
    assert_eq!((source.status.as_str(), source.name.as_str()), ("ok", "PBS Space Time"));
    assert_eq!(mentions_list(&ctx, 10).unwrap()[0].title.as_deref(), Some("Navigating with Quantum Entanglement"));

    let not_yet = round(&db, start() + Duration::minutes(5)).await;
    assert_eq!(not_yet.checked, 0, "a healthy feed is not asked again within its interval");

    let second = round(&db, start() + Duration::minutes(31)).await;
    assert_eq!((second.checked, second.new_items), (1, 0));
    assert!(server.requests.lock().unwrap()[1].to_ascii_lowercase().contains("if-none-match: w/\"v1\""));

    let limited_at = start() + Duration::minutes(62);
    let third = round(&db, limited_at).await;
    assert_eq!(third.sources[0].result, "rate_limited");
    let ctx = at(&db, limited_at);
    let source = &sources_list(&ctx).unwrap()[0];
    assert_eq!(source.status, "rate_limited");
    assert_eq!(source.not_before.as_deref(), Some("2026-11-25T13:04:00Z"));
    assert!(source.last_success_at.is_some(), "a failure never erases the last success");

    assert_eq!(round(&db, limited_at + Duration::seconds(60)).await.checked, 0, "Retry-After is honoured");
    let after = round(&db, limited_at + Duration::seconds(121)).await;
    assert_eq!((after.checked, after.new_items, after.failed), (1, 0, 0));
    assert_eq!(mentions_list(&at(&db, limited_at), 10).unwrap().len(), 1, "no duplicates");
}

#[tokio::test]
async fn a_source_that_keeps_sending_something_unreadable_is_paused_until_resumed() {
    let portal =
        response("200 OK", &[("Content-Type", "text/html")], b"<html><body>Sign in to the Wi-Fi</body></html>");
    let server = serve(vec![portal.clone(), portal.clone(), portal]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    source_add_feed(&at(&db, start()), &format!("{}/feed", server.base), None).unwrap();
    let mut now = start();
    for _ in 0..3 {
        let summary = round(&db, now).await;
        assert_eq!(summary.failed, 1);
        now += Duration::hours(7);
    }
    let source = &sources_list(&at(&db, now)).unwrap()[0];
    assert_eq!(source.status, "paused");
    assert!(source.paused_reason.as_deref().unwrap().contains("resume"));
    assert_eq!(round(&db, now + Duration::days(1)).await.checked, 0, "a paused source is left alone");
}

#[tokio::test]
async fn when_nothing_can_be_reached_the_round_says_offline() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/feed", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    source_add_feed(&at(&db, start()), &url, None).unwrap();
    let summary = round(&db, start()).await;
    assert!(summary.offline);
    let source = &sources_list(&at(&db, start())).unwrap()[0];
    assert_eq!(source.status, "failing");
    assert!(source.last_error.as_deref().unwrap().contains(&url), "the error names the address");
}

#[tokio::test]
async fn a_bare_link_is_captured_with_the_pages_own_title_and_description() {
    let page = br#"<html><head><title>Reviews</title><meta property="og:title" content="Spoke &amp; Chain - Yelp">
        <meta property="og:description" content="Five stars: they fixed my wheel while I waited."></head></html>"#;
    let server = serve(vec![response("200 OK", &[("Content-Type", "text/html")], page)]).await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = at(&dir.path().join("w.db"), start());
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let capture = Capture { url: format!("{}/biz/spoke-and-chain", server.base), ..Default::default() };
    let m = capture_link(&ctx, &fetcher, &capture).await.unwrap();
    assert_eq!(m.title.as_deref(), Some("Spoke & Chain - Yelp"));
    assert_eq!(m.text, "Five stars: they fixed my wheel while I waited.");
    assert_eq!(m.source_kind, "manual");
    assert_eq!(mentions_list(&ctx, 10).unwrap().len(), 1, "a capture is in the inbox without any query");
}

#[tokio::test]
async fn a_hacker_news_search_asks_only_for_what_is_newer_than_it_has() {
    let body = fixture("hackernews/search_by_date_comment_constructed.json");
    let server = serve(vec![
        response("200 OK", &[("Content-Type", "application/json")], &body),
        response("200 OK", &[("Content-Type", "application/json")], br#"{"hits": [], "nbHits": 0}"#),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    {
        let ctx = at(&db, start());
        queries_add(&ctx, "competitor", "acmecoffee").unwrap();
        source_add_hn(&ctx, "acmecoffee", &server.base).unwrap();
    }
    let first = round(&db, start()).await;
    assert_eq!((first.failed, first.new_mentions), (0, 1), "{:?}", first.sources);
    let m = &mentions_list(&at(&db, start()), 10).unwrap()[0];
    assert!(m.url.as_deref().unwrap().starts_with("https://news.ycombinator.com/item?id="));
    let second = round(&db, start() + Duration::minutes(16)).await;
    assert_eq!((second.checked, second.failed), (1, 0));
    let requests = server.requests.lock().unwrap();
    assert!(!requests[0].contains("numericFilters"), "the first search asks for everything recent");
    assert!(requests[1].contains("numericFilters=created_at_i%3E"), "{}", requests[1]);
}

#[tokio::test]
async fn a_feed_entry_by_a_name_the_owner_lists_as_theirs_is_not_a_mention() {
    let youtube = fixture("feeds/youtube_channel_feed.xml");
    let server = serve(vec![response("200 OK", &[("Content-Type", "application/atom+xml")], &youtube)]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    {
        let ctx = at(&db, start());
        queries_add(&ctx, "industry", "quantum").unwrap();
        source_add_feed(&ctx, &format!("{}/feed.xml", server.base), None).unwrap();
        // The channel is the owner's own: its videos are what they said, not what was said about them.
        earshot_app::accounts::own_handles_set(&ctx, &["pbs space time".to_string()]).unwrap();
    }
    let first = round(&db, start()).await;
    assert_eq!((first.failed, first.new_mentions), (0, 0), "{:?}", first.sources);
    assert!(mentions_list(&at(&db, start()), 10).unwrap().is_empty());
}
