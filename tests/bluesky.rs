//! Bluesky end to end against a fake PDS on 127.0.0.1 that speaks XRPC: sign-in with an app password, an
//! access token that expires mid-check and is refreshed, mentions and searches from real recorded answers,
//! follower counts from getProfiles, and a rate limit.

mod fake_http;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use earshot_app::accounts::source_add_bluesky;
use earshot_app::listening::{mentions_list, queries_add, sources_list};
use earshot_app::sync::sync_once;
use earshot_app::{Ctx, Store};
use earshot_secrets::{MemorySecrets, SecretStore, Sensitive};
use fake_http::{json, response, serve_with, HttpRequest};
use serde_json::{json, Value};

const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
const POST_AUTHOR: &str = "did:plc:kvwvcn5iqfooopmyzvb4qzba";

fn recorded(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis/bluesky").join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

struct Pds {
    base: Mutex<String>,
    access: Mutex<String>,
    refresh: Mutex<String>,
    rate_limited: Mutex<bool>,
}

fn session(base: &str, n: u32) -> Value {
    json!({"did": "did:plc:owner", "handle": "shop.test", "accessJwt": format!("access-{n}"),
           "refreshJwt": format!("refresh-{n}"),
           "didDoc": {"id": "did:plc:owner", "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                                                          "serviceEndpoint": base}]}})
}

fn route(pds: Arc<Pds>) -> impl Fn(&HttpRequest) -> Vec<u8> + Send + Sync + 'static {
    move |req: &HttpRequest| {
        let base = pds.base.lock().unwrap().clone();
        let bearer = req.header("authorization").unwrap_or("").trim_start_matches("Bearer ").to_string();
        match req.path() {
            "/xrpc/com.atproto.server.createSession" => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
                if body["identifier"] == "shop.test" && body["password"] == APP_PASSWORD {
                    json("200 OK", &session(&base, 1))
                } else {
                    json(
                        "401 Unauthorized",
                        &json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
                    )
                }
            }
            "/xrpc/com.atproto.server.refreshSession" => {
                if bearer == *pds.refresh.lock().unwrap() {
                    *pds.access.lock().unwrap() = "access-2".into();
                    *pds.refresh.lock().unwrap() = "refresh-2".into();
                    json("200 OK", &session(&base, 2))
                } else {
                    json("400 Bad Request", &json!({"error": "ExpiredToken", "message": "Token has expired"}))
                }
            }
            _ if *pds.rate_limited.lock().unwrap() => response(
                "429 Too Many Requests",
                &[("RateLimit-Limit", "3000"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1795613400")],
                recorded("error_429_ratelimit.json")["body"].to_string().as_bytes(),
            ),
            _ if bearer != *pds.access.lock().unwrap() => {
                json("400 Bad Request", &recorded("error_400_expired_token.json")["body"])
            }
            "/xrpc/app.bsky.notification.listNotifications" => json(
                "200 OK",
                &json!({"notifications": recorded("listNotifications_appview_snapshot.json")["notifications"]}),
            ),
            "/xrpc/app.bsky.feed.searchPosts" => {
                assert_eq!(req.query("sort").as_deref(), Some("latest"));
                let mut answer = recorded("searchPosts_synthetic_from_real_postView.json");
                answer["posts"][0]["record"]["text"] = json!("Spoke and Chain fixed my wheel in ten minutes");
                json("200 OK", &answer)
            }
            "/xrpc/app.bsky.actor.getProfiles" => json(
                "200 OK",
                &json!({"profiles": [
                    {"did": POST_AUTHOR, "handle": "test.marshal.dev", "followersCount": 1234},
                    {"did": "did:plc:owner", "handle": "shop.test", "followersCount": 321}
                ]}),
            ),
            _ => json("404 Not Found", &json!({"error": "MethodNotImplemented"})),
        }
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

#[tokio::test]
async fn an_expired_session_is_renewed_and_mentions_arrive_with_follower_counts() {
    let pds = Arc::new(Pds {
        base: Mutex::default(),
        // The token handed out at sign-in has already expired by the first check.
        access: Mutex::new("access-not-yet".into()),
        refresh: Mutex::new("refresh-1".into()),
        rate_limited: Mutex::new(false),
    });
    let base = serve_with(route(pds.clone())).await;
    *pds.base.lock().unwrap() = base.clone();
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    let secrets = MemorySecrets::default();
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    queries_add(&ctx, "brand", "\"spoke and chain\"").unwrap();

    let wrong = Sensitive::new("wrong".to_string());
    let refused = source_add_bluesky(&ctx, &fetcher, &secrets, "shop.test", &wrong, &base).await.unwrap_err();
    assert!(refused.message.contains("app password"), "{}", refused.message);

    let password = Sensitive::new(APP_PASSWORD.to_string());
    let source = source_add_bluesky(&ctx, &fetcher, &secrets, "@shop.test", &password, &base).await.unwrap();
    assert_eq!(source.name, "@shop.test on Bluesky");

    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let kept = secrets.get("bluesky:did:plc:owner").unwrap().unwrap();
    assert!(kept.expose().contains("access-2"), "the renewed session is saved");
    assert!(!kept.expose().contains(APP_PASSWORD), "the app password is not kept");

    let mentions = mentions_list(&ctx, 100).unwrap();
    let found = mentions.iter().find(|m| m.text.contains("fixed my wheel")).expect("the search result is a mention");
    assert_eq!(found.author_followers, Some(1234));
    assert!(mentions.iter().any(|m| m.text == "@alice.bluesky.xyz is the best"), "mentions of the account arrive");
    let numbers = earshot_app::value::metrics_get(&ctx, Some("2026-11-01"), Some("2026-11-30")).unwrap();
    assert_eq!(
        numbers.followers.iter().map(|f| f.followers).collect::<Vec<_>>(),
        vec![321],
        "the account's own followers"
    );

    *pds.rate_limited.lock().unwrap() = true;
    let later = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now() + chrono::Duration::hours(1));
    sync_once(&later, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    let source = &sources_list(&later).unwrap()[0];
    assert_eq!(source.status, "rate_limited");
    assert_eq!(source.not_before.as_deref(), Some("2026-11-25T13:30:00Z"), "RateLimit-Reset is in Unix seconds");
}

#[tokio::test]
async fn a_busy_search_is_read_page_by_page_with_its_cursor() {
    let template = recorded("searchPosts_synthetic_from_real_postView.json")["posts"][0].clone();
    let page = |from: usize, n: usize| -> Vec<Value> {
        (from..from + n)
            .map(|i| {
                let mut p = template.clone();
                p["uri"] = json!(format!("at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/p{i}"));
                p["record"]["text"] = json!(format!("Spoke and Chain post {i}"));
                p
            })
            .collect()
    };
    let (first, second) = (page(0, 100), page(100, 5));
    let base = serve_with(move |req: &HttpRequest| match req.path() {
        "/xrpc/com.atproto.server.createSession" => json("200 OK", &session("http://127.0.0.1:9", 1)),
        "/xrpc/app.bsky.notification.listNotifications" => json("200 OK", &json!({"notifications": []})),
        "/xrpc/app.bsky.feed.searchPosts" if req.query("cursor").as_deref() == Some("p2") => {
            json("200 OK", &json!({"posts": second}))
        }
        "/xrpc/app.bsky.feed.searchPosts" => json("200 OK", &json!({"posts": first, "cursor": "p2"})),
        "/xrpc/app.bsky.actor.getProfiles" => json("200 OK", &json!({"profiles": []})),
        _ => json("404 Not Found", &json!({"error": "MethodNotImplemented"})),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    let (secrets, fetcher) = (MemorySecrets::default(), earshot_sync::Fetcher::new().unwrap());
    queries_add(&ctx, "brand", "\"spoke and chain\"").unwrap();
    let password = Sensitive::new(APP_PASSWORD.to_string());
    let source = source_add_bluesky(&ctx, &fetcher, &secrets, "shop.test", &password, &base).await;
    // The fake's session names a PDS it cannot know (its own address comes later): point it at the fake.
    let source = source.unwrap();
    let kept = secrets.get("bluesky:did:plc:owner").unwrap().unwrap();
    let fixed = kept.expose().replace("http://127.0.0.1:9", &base);
    secrets.set("bluesky:did:plc:owner", &Sensitive::new(fixed)).unwrap();
    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    assert_eq!(mentions_list(&ctx, 1000).unwrap().len(), 105, "both pages of {}", source.name);
}
