//! Bluesky end to end against a fake PDS on 127.0.0.1 that speaks XRPC as strictly as the reference server:
//! every request is checked against the published lexicons first (method, parameters, body or none), tokens
//! behave as the reference PDS's do (an expired access token answers 400 `ExpiredToken`, a refresh token
//! rotates with a grace period, a revoked one answers `ExpiredToken: Token has been revoked`). Sign-in with
//! an app password, renewal once per account, mentions and searches from real recorded answers, the
//! owner's own posts kept out of the inbox, follower counts from getProfiles, and a rate limit.

mod fake_http;
mod xrpc;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use earshot_app::accounts::source_add_bluesky;
use earshot_app::listening::{mentions_list, queries_add, sources_list};
use earshot_app::sync::sync_once;
use earshot_app::{Ctx, Store};
use earshot_secrets::{MemorySecrets, SecretStore, Sensitive};
use fake_http::{json, response, serve_with, HttpRequest};
use serde_json::{json, Value};
use xrpc::LEXICONS;

const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
const POST_AUTHOR: &str = "did:plc:kvwvcn5iqfooopmyzvb4qzba";
const OWNER: &str = "did:plc:owner";

fn recorded(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis/bluesky").join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The fake PDS's accounts and tokens: session `n` is `access-n` / `refresh-n`.
#[derive(Default)]
struct Pds {
    base: String,
    session: u32,
    /// The current access token has expired.
    expired: bool,
    /// The owner revoked the app password: every refresh token is dead.
    revoked: bool,
    refreshes: usize,
    rate_limited: bool,
    /// The owner's own posts, newest first (`getAuthorFeed`).
    own_feed: Vec<Value>,
    /// Extra search results (`searchPosts`), before the recorded one.
    search_extra: Vec<Value>,
}

fn session(base: &str, n: u32) -> Value {
    json!({"did": OWNER, "handle": "shop.test", "accessJwt": format!("access-{n}"),
           "refreshJwt": format!("refresh-{n}"), "active": true,
           "didDoc": {"id": OWNER, "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                                                 "serviceEndpoint": base}]}})
}

fn xrpc_error(status: &str, error: &str, message: &str) -> Vec<u8> {
    json(status, &json!({"error": error, "message": message}))
}

/// A post view by `did`, as search and feeds return it.
fn post_view(did: &str, handle: &str, rkey: &str, text: &str, at: &str, parent: Option<&str>) -> Value {
    let mut record = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": at, "langs": ["en"]});
    if let Some(parent) = parent {
        record["reply"] =
            json!({"root": {"uri": parent, "cid": "bafyparent"}, "parent": {"uri": parent, "cid": "bafyparent"}});
    }
    json!({"uri": format!("at://{did}/app.bsky.feed.post/{rkey}"), "cid": format!("bafy{rkey}"),
           "author": {"did": did, "handle": handle}, "record": record, "indexedAt": at,
           "likeCount": 0, "repostCount": 0, "replyCount": 0})
}

fn route(pds: Arc<Mutex<Pds>>) -> impl Fn(&HttpRequest) -> Vec<u8> + Send + Sync + 'static {
    move |req: &HttpRequest| {
        if let Some(refused) = LEXICONS.refusal(req) {
            return refused;
        }
        let bearer = req.header("authorization").and_then(|a| a.strip_prefix("Bearer ")).map(str::to_string);
        if req.path() == "/xrpc/com.atproto.server.createSession" {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let mut p = pds.lock().unwrap();
            if body["identifier"] == "shop.test" && body["password"] == APP_PASSWORD {
                p.session += 1;
                (p.expired, p.revoked) = (false, false);
                return json("200 OK", &session(&p.base, p.session));
            }
            return xrpc_error("401 Unauthorized", "AuthenticationRequired", "Invalid identifier or password");
        }
        let Some(bearer) = bearer else {
            return xrpc_error("401 Unauthorized", "AuthMissing", "Authentication Required");
        };
        if req.path() == "/xrpc/com.atproto.server.refreshSession" {
            // Slow enough that a second check of the same account meets its own expired token meanwhile.
            std::thread::sleep(Duration::from_millis(150));
            let mut p = pds.lock().unwrap();
            let current = format!("refresh-{}", p.session);
            let previous = format!("refresh-{}", p.session.saturating_sub(1));
            if !bearer.starts_with("refresh-") {
                return xrpc_error("400 Bad Request", "InvalidToken", "Bad token scope");
            }
            if p.revoked {
                return xrpc_error("400 Bad Request", "ExpiredToken", "Token has been revoked");
            }
            p.refreshes += 1;
            if bearer == current {
                p.session += 1;
                p.expired = false;
            } else if bearer != previous {
                return xrpc_error("400 Bad Request", "InvalidToken", "Token could not be verified");
            }
            // A refresh token used again within its grace period gets the same next session.
            return json("200 OK", &session(&p.base, p.session));
        }
        let p = pds.lock().unwrap();
        if bearer.starts_with("refresh-") {
            return xrpc_error("400 Bad Request", "InvalidToken", "Bad token scope");
        }
        if bearer != format!("access-{}", p.session) || p.expired {
            return xrpc_error("400 Bad Request", "ExpiredToken", "Token has expired");
        }
        if p.rate_limited {
            return response(
                "429 Too Many Requests",
                &[("RateLimit-Limit", "3000"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1795613400")],
                recorded("error_429_ratelimit.json")["body"].to_string().as_bytes(),
            );
        }
        match req.path() {
            "/xrpc/app.bsky.notification.listNotifications" => json(
                "200 OK",
                &json!({"notifications": recorded("listNotifications_appview_snapshot.json")["notifications"]}),
            ),
            "/xrpc/app.bsky.feed.getAuthorFeed" => {
                assert_eq!(req.query("actor").as_deref(), Some(OWNER));
                let feed: Vec<Value> = p.own_feed.iter().map(|post| json!({"post": post})).collect();
                json("200 OK", &json!({"feed": feed}))
            }
            "/xrpc/app.bsky.feed.searchPosts" => {
                assert_eq!(req.query("sort").as_deref(), Some("latest"));
                let mut answer = recorded("searchPosts_synthetic_from_real_postView.json");
                answer["posts"][0]["record"]["text"] = json!("Spoke and Chain fixed my wheel in ten minutes");
                let mut posts = p.search_extra.clone();
                posts.extend(answer["posts"].as_array().unwrap().iter().cloned());
                answer["posts"] = json!(posts);
                json("200 OK", &answer)
            }
            "/xrpc/app.bsky.actor.getProfiles" => json(
                "200 OK",
                &json!({"profiles": [
                    {"did": POST_AUTHOR, "handle": "test.marshal.dev", "followersCount": 1234},
                    {"did": OWNER, "handle": "shop.test", "followersCount": 321}
                ]}),
            ),
            _ => xrpc_error("501 Not Implemented", "MethodNotImplemented", "Method Not Implemented"),
        }
    }
}

/// A fake PDS on 127.0.0.1 and its state.
async fn start_pds() -> (String, Arc<Mutex<Pds>>) {
    let pds = Arc::new(Mutex::new(Pds::default()));
    let base = serve_with(route(pds.clone())).await;
    pds.lock().unwrap().base = base.clone();
    (base, pds)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

/// A workspace at `now` with the owner's Bluesky account signed in.
async fn signed_in(base: &str, dir: &tempfile::TempDir, secrets: &MemorySecrets) -> Ctx {
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let password = Sensitive::new(APP_PASSWORD.to_string());
    source_add_bluesky(&ctx, &fetcher, secrets, "@shop.test", &password, base).await.unwrap();
    ctx
}

fn later(dir: &tempfile::TempDir, minutes: i64) -> Ctx {
    Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now() + chrono::Duration::minutes(minutes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_renewed_once_and_mentions_arrive_with_follower_counts() {
    let (base, pds) = start_pds().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    queries_add(&ctx, "brand", "\"spoke and chain\"").unwrap();

    let wrong = Sensitive::new("wrong".to_string());
    let refused = source_add_bluesky(&ctx, &fetcher, &secrets, "shop.test", &wrong, &base).await.unwrap_err();
    assert!(refused.message.contains("app password"), "{}", refused.message);
    let password = Sensitive::new(APP_PASSWORD.to_string());
    let source = source_add_bluesky(&ctx, &fetcher, &secrets, "@shop.test", &password, &base).await.unwrap();
    assert_eq!(source.name, "@shop.test on Bluesky");

    // Two hours later the access token has expired.
    pds.lock().unwrap().expired = true;
    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    assert_eq!(pds.lock().unwrap().refreshes, 1);
    let kept = secrets.get("bluesky:did:plc:owner").unwrap().unwrap();
    assert!(kept.expose().contains("access-2") && kept.expose().contains("refresh-2"), "the renewed session is saved");
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

    pds.lock().unwrap().rate_limited = true;
    let hour_later = later(&dir, 60);
    sync_once(&hour_later, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    let source = &sources_list(&hour_later).unwrap()[0];
    assert_eq!(source.status, "rate_limited");
    assert_eq!(source.not_before.as_deref(), Some("2026-11-25T13:30:00Z"), "RateLimit-Reset is in Unix seconds");

    // Still listening the next day, after the renewed session expired in turn.
    {
        let mut p = pds.lock().unwrap();
        (p.rate_limited, p.expired) = (false, true);
    }
    let summary = sync_once(&later(&dir, 24 * 60), &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!((summary.checked, summary.failed), (1, 0), "{:?}", summary.sources);
    assert_eq!(pds.lock().unwrap().refreshes, 2);
    assert!(secrets.get("bluesky:did:plc:owner").unwrap().unwrap().expose().contains("refresh-3"));
}

#[tokio::test]
async fn an_app_password_is_never_sent_over_plain_http_to_another_machine() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let password = Sensitive::new(APP_PASSWORD.to_string());
    let refused =
        source_add_bluesky(&ctx, &fetcher, &MemorySecrets::default(), "shop.test", &password, "http://pds.example")
            .await
            .unwrap_err();
    assert!(refused.message.contains("https://"), "{}", refused.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sources_on_one_account_renew_its_session_only_once() {
    let (base, pds) = start_pds().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    let ctx = signed_in(&base, &dir, &secrets).await;
    // The same account signed in again after a change of handle: a second source on the same keychain item.
    ctx.store
        .write(|tx| {
            let config = json!({"handle": "old-name.test", "did": OWNER}).to_string();
            let source = earshot_store::sources::NewSource {
                kind: "bluesky",
                name: "@old-name.test on Bluesky",
                url: &base,
                config: &config,
                credential_id: Some("bluesky:did:plc:owner"),
            };
            earshot_store::sources::add(tx, &source, "2026-11-25T12:00:00Z")
        })
        .unwrap();
    pds.lock().unwrap().expired = true;
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!((summary.checked, summary.failed), (2, 0), "{:?}", summary.sources);
    assert_eq!(pds.lock().unwrap().refreshes, 1, "the second check used the session the first one renewed");
    assert!(secrets.get("bluesky:did:plc:owner").unwrap().unwrap().expose().contains("refresh-2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_session_pauses_the_source_with_the_servers_own_words() {
    let (base, pds) = start_pds().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    let ctx = signed_in(&base, &dir, &secrets).await;
    {
        let mut p = pds.lock().unwrap();
        (p.expired, p.revoked) = (true, true);
    }
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.sources[0].result, "paused", "{:?}", summary.sources);
    let source = &sources_list(&ctx).unwrap()[0];
    assert_eq!(source.status, "paused");
    let error = source.last_error.as_deref().unwrap();
    assert!(error.contains("ExpiredToken: Token has been revoked"), "{error}");
    assert!(error.contains("sign in again"), "{error}");
    assert!(!error.contains("refresh-"), "no token in the message: {error}");

    // Signing in again resumes it.
    let password = Sensitive::new(APP_PASSWORD.to_string());
    source_add_bluesky(&ctx, &fetcher, &secrets, "shop.test", &password, &base).await.unwrap();
    let summary = sync_once(&later(&dir, 5), &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_own_posts_are_never_mentions_and_their_reply_stops_the_response_clock() {
    let (base, pds) = start_pds().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    let ctx = signed_in(&base, &dir, &secrets).await;
    queries_add(&ctx, "competitor", "cogsworth").unwrap();
    pds.lock().unwrap().search_extra = vec![
        post_view(
            OWNER,
            "shop.test",
            "own1",
            "we price-match cogsworth on all tune-ups",
            "2026-11-25T11:00:00.000Z",
            None,
        ),
        post_view(
            POST_AUTHOR,
            "rider.test",
            "c1",
            "cogsworth or the other shop for a tune-up?",
            "2026-11-25T11:30:00.000Z",
            None,
        ),
    ];
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let texts: Vec<String> = mentions_list(&ctx, 100).unwrap().into_iter().map(|m| m.text).collect();
    assert!(texts.iter().any(|t| t.starts_with("cogsworth or")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("price-match")), "the shop's own post is not a mention: {texts:?}");

    // The owner answers the question from their phone, an hour and a quarter after it was asked.
    let question = format!("at://{POST_AUTHOR}/app.bsky.feed.post/c1");
    let reply =
        post_view(OWNER, "shop.test", "own2", "Tune-ups from £30!", "2026-11-25T12:45:00.000Z", Some(&question));
    pds.lock().unwrap().own_feed = vec![reply];
    let next = later(&dir, 60);
    let summary = sync_once(&next, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let mentions = mentions_list(&next, 100).unwrap();
    assert!(!mentions.iter().any(|m| m.text.contains("Tune-ups from")), "the reply is the owner's, not a mention");
    let answered = mentions.iter().find(|m| m.text.starts_with("cogsworth or")).unwrap();
    assert_eq!(answered.state, "done", "answered on the network is done in the inbox");
    let numbers = earshot_app::value::metrics_get(&next, Some("2026-11-01"), Some("2026-11-30")).unwrap();
    let clock = numbers.response_time;
    assert_eq!((clock.replied, clock.first_reply_median_minutes), (1, Some(75.0)));
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
        _ if LEXICONS.refusal(req).is_some() => LEXICONS.refusal(req).unwrap(),
        "/xrpc/com.atproto.server.createSession" => json("200 OK", &session("http://127.0.0.1:9", 1)),
        "/xrpc/app.bsky.notification.listNotifications" => json("200 OK", &json!({"notifications": []})),
        "/xrpc/app.bsky.feed.getAuthorFeed" => json("200 OK", &json!({"feed": []})),
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

/// The fake PDS refuses what the reference XRPC server refuses.
mod lexicon_checks {
    use super::fake_http::HttpRequest;
    use super::xrpc::LEXICONS;

    fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            target: target.into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.to_vec(),
        }
    }

    fn refused(r: &HttpRequest) -> Option<String> {
        let answer = LEXICONS.refusal(r)?;
        let text = String::from_utf8(answer).unwrap();
        Some(text[text.find("\r\n\r\n").unwrap() + 4..].to_string())
    }

    #[test]
    fn a_refresh_with_an_empty_json_body_is_refused_as_the_reference_server_does() {
        let braces = request(
            "POST",
            "/xrpc/com.atproto.server.refreshSession",
            &[("Content-Type", "application/json"), ("Content-Length", "2")],
            b"{}",
        );
        assert!(refused(&braces).unwrap().contains("A request body was provided when none was expected"));
        let bare = request("POST", "/xrpc/com.atproto.server.refreshSession", &[("Content-Length", "0")], b"");
        assert_eq!(refused(&bare), None);
        let get = request("GET", "/xrpc/com.atproto.server.refreshSession", &[], b"");
        assert!(refused(&get).unwrap().contains("Incorrect HTTP method (GET) expected POST"));
    }

    #[test]
    fn queries_need_their_required_and_well_typed_parameters() {
        let ok = request("GET", "/xrpc/app.bsky.feed.searchPosts?q=bikes&sort=latest&limit=100", &[], b"");
        assert_eq!(refused(&ok), None);
        let no_q = request("GET", "/xrpc/app.bsky.feed.searchPosts?sort=latest", &[], b"");
        assert!(refused(&no_q).unwrap().contains(r#"must have the property \"q\""#));
        let too_many = request("GET", "/xrpc/app.bsky.feed.searchPosts?q=x&limit=101", &[], b"");
        assert!(refused(&too_many).unwrap().contains("can not be greater than 100"));
        let bad_author = request("GET", "/xrpc/app.bsky.feed.searchPosts?q=x&author=user(0)", &[], b"");
        assert!(refused(&bad_author).unwrap().contains("valid did or handle"));
        let posted = request("POST", "/xrpc/app.bsky.feed.searchPosts?q=x", &[("Content-Length", "0")], b"");
        assert!(refused(&posted).unwrap().contains("Incorrect HTTP method (POST) expected GET"));
        let unknown = request("GET", "/xrpc/app.bsky.feed.getTimeline", &[], b"");
        assert!(refused(&unknown).unwrap().contains("MethodNotImplemented"));
    }

    #[test]
    fn a_procedure_with_input_needs_json_with_its_required_fields() {
        let post = |headers: &[(&str, &str)], body: &[u8]| {
            refused(&request("POST", "/xrpc/com.atproto.server.createSession", headers, body))
        };
        let json_type = ("Content-Type", "application/json");
        assert!(post(&[], b"").unwrap().contains("A request body is expected but none was provided"));
        let body = br#"{"identifier":"shop.test","password":"x"}"#;
        let length = body.len().to_string();
        assert_eq!(post(&[json_type, ("Content-Length", &length)], body), None);
        let form = post(&[("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", &length)], body);
        assert!(form.unwrap().contains("Wrong request encoding"));
        let no_password = br#"{"identifier":"shop.test"}"#;
        let answer = post(&[json_type, ("Content-Length", "26")], no_password).unwrap();
        assert!(answer.contains(r#"Input must have the property \"password\""#), "{answer}");
    }
}
