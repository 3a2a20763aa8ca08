//! Mastodon end to end against a fake instance on 127.0.0.1 that speaks the real protocol: app
//! registration, the browser sign-in with PKCE and a loopback redirect, the token exchange, then mentions,
//! status search and hashtags served from real recorded answers.

mod fake_http;
mod mastodon_api;

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{DateTime, Utc};
use earshot_app::accounts::{source_add_mastodon_account, source_add_mastodon_hashtag};
use earshot_app::listening::{mentions_list, queries_add, source_remove, sources_list};
use earshot_app::sync::sync_once;
use earshot_app::{Ctx, Store};
use earshot_secrets::{MemorySecrets, SecretStore};
use fake_http::{json, response, serve_with, HttpRequest};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A token no one could guess, so finding it anywhere it must not be is proof of a leak.
const CANARY: &str = "canary-token-5f1d0c7e9a";

fn recorded(name: &str) -> (Value, Option<String>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis/mastodon").join(name);
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let link = v["response"]["headers"]["link"].as_str().map(str::to_string);
    (v["response"]["body"].clone(), link)
}

#[derive(Default)]
struct Instance {
    base: String,
    challenge: Option<String>,
    revoked: bool,
    /// The owner's own statuses, newest first (`/api/v1/accounts/:id/statuses`).
    own_statuses: Vec<Value>,
    /// Statuses added to the recorded search answer.
    search_extra: Vec<Value>,
}

const OWNER_ID: &str = "117020565966271181";

/// The signed-in account, as `verify_credentials` and its statuses show it.
fn owner(base: &str) -> Value {
    json!({"id": OWNER_ID, "username": "owner", "acct": "owner", "display_name": "Spoke & Chain",
           "url": format!("{base}/@owner"), "followers_count": 77})
}

/// A status by `account`, from a recorded one.
fn status_by(account: &Value, id: &str, content: &str, in_reply_to: Option<&str>) -> Value {
    let (mut status, _) = recorded("v1_account_statuses_min_id.json");
    let mut status = status[0].take();
    status["id"] = json!(id);
    status["uri"] = json!(format!("{}/statuses/{id}", account["url"].as_str().unwrap()));
    status["url"] = status["uri"].clone();
    status["content"] = json!(format!("<p>{content}</p>"));
    status["in_reply_to_id"] = json!(in_reply_to);
    status["created_at"] = json!("2026-11-25T12:30:00.000Z");
    status["account"] = account.clone();
    status
}

fn fake_instance(state: Arc<Mutex<Instance>>) -> impl Fn(&HttpRequest) -> Vec<u8> + Send + Sync + 'static {
    move |req: &HttpRequest| {
        if let Some(refused) = mastodon_api::refusal(req, CANARY) {
            return refused;
        }
        let mut st = state.lock().unwrap();
        let signed_in = req.header("authorization") == Some(&format!("Bearer {CANARY}")) && !st.revoked;
        match (req.method.as_str(), req.path()) {
            ("POST", "/api/v1/apps") => json("200 OK", &json!({"client_id": "cid", "client_secret": "csecret"})),
            ("GET", "/oauth/authorize") => {
                st.challenge = req.query("code_challenge");
                assert_eq!(req.query("code_challenge_method").as_deref(), Some("S256"));
                let to = format!(
                    "{}?code=the-code&state={}",
                    req.query("redirect_uri").unwrap(),
                    req.query("state").unwrap()
                );
                response("302 Found", &[("Location", &to)], b"")
            }
            ("POST", "/oauth/token") => {
                let verifier = req.form("code_verifier").unwrap_or_default();
                let expected =
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                let ok = req.form("code").as_deref() == Some("the-code")
                    && req.form("client_secret").as_deref() == Some("csecret")
                    && st.challenge.as_deref() == Some(expected.as_str());
                if ok {
                    json("200 OK", &json!({"access_token": CANARY, "token_type": "Bearer"}))
                } else {
                    json("400 Bad Request", &json!({"error": "invalid_grant"}))
                }
            }
            (_, _) if req.path().starts_with("/api/v1/timelines/tag/") => {
                let (body, _) = recorded("v1_timelines_tag_hoot_with_link_header.json");
                json("200 OK", &body)
            }
            _ if !signed_in => json("401 Unauthorized", &json!({"error": "The access token is invalid"})),
            ("GET", "/api/v1/accounts/verify_credentials") => json("200 OK", &owner(&st.base)),
            ("GET", "/api/v1/notifications") => json("200 OK", &recorded("v1_notifications_types_mention.json").0),
            ("GET", "/api/v2/search") => {
                let mut answer = recorded("v2_search_mastodon_social_real.json").0;
                let statuses = answer["statuses"].as_array_mut().unwrap();
                statuses.splice(0..0, st.search_extra.iter().cloned());
                statuses.truncate(mastodon_api::limit(req, 20));
                json("200 OK", &answer)
            }
            ("GET", path) if path == format!("/api/v1/accounts/{OWNER_ID}/statuses") => {
                assert_eq!(req.query("exclude_reblogs").as_deref(), Some("true"), "the owner's boosts are not theirs");
                let newer: Vec<Value> = st
                    .own_statuses
                    .iter()
                    .filter(|s| req.query("min_id").is_none_or(|min| s["id"].as_str().unwrap() > min.as_str()))
                    .cloned()
                    .collect();
                mastodon_api::page("200 OK", &st.base, req, &newer)
            }
            _ => json("404 Not Found", &json!({"error": "Record not found"})),
        }
    }
}

async fn start_instance() -> (String, Arc<Mutex<Instance>>) {
    let state = Arc::new(Mutex::new(Instance::default()));
    let base = serve_with(fake_instance(state.clone())).await;
    state.lock().unwrap().base = base.clone();
    (base, state)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

/// Plays the owner's browser: opens the sign-in page and follows the instance's redirect to Earshot.
fn browser() -> impl FnMut(&str) -> Result<(), String> {
    |url: &str| {
        let url = url.to_string();
        tokio::spawn(async move { reqwest::get(url).await.map(|_| ()) });
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_keeps_the_token_in_the_keychain_only_and_mentions_arrive() {
    let (instance, state) = start_instance().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let ctx = Ctx::with_clock(Store::open(&db).unwrap(), now());
    queries_add(&ctx, "brand", "halcy").unwrap();

    let source = source_add_mastodon_account(&ctx, &fetcher, &secrets, &instance, &mut browser()).await.unwrap();
    assert!(source.name.starts_with("@owner@127.0.0.1"), "{}", source.name);
    let credential = "mastodon:127.0.0.1:owner".to_string();
    assert_eq!(secrets.get(&credential).unwrap().unwrap().expose(), CANARY);

    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let mentions = mentions_list(&ctx, 100).unwrap();
    assert!(mentions.iter().any(|m| m.queries.is_empty()), "a mention of the account arrives without a query");
    assert!(mentions.iter().any(|m| m.queries.iter().any(|q| q.query == "halcy")), "search results are matched");
    let numbers = earshot_app::value::metrics_get(&ctx, Some("2026-11-01"), Some("2026-11-30")).unwrap();
    assert_eq!(
        numbers.followers.iter().map(|f| (f.day.as_str(), f.followers)).collect::<Vec<_>>(),
        vec![("2026-11-25", 77)]
    );

    ctx.store.close_cleanly();
    drop(ctx);
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "the token leaked into {path:?}");
        }
    }

    let ctx = Ctx::with_clock(Store::open(&db).unwrap(), now() + chrono::Duration::hours(1));
    state.lock().unwrap().revoked = true;
    sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    let source = &sources_list(&ctx).unwrap()[0];
    assert_eq!(source.status, "paused");
    assert!(source.paused_reason.as_deref().unwrap().contains("Sign in again"));
    assert!(!source.last_error.as_deref().unwrap_or("").contains(CANARY));

    // Signing in again brings the paused source back, with its history.
    state.lock().unwrap().revoked = false;
    let again = source_add_mastodon_account(&ctx, &fetcher, &secrets, &instance, &mut browser()).await.unwrap();
    assert_eq!((again.id, again.status.as_str(), again.paused_reason.clone()), (source.id, "ok", None));
    let back = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(back.failed, 0, "{:?}", back.sources);
    assert_eq!(sources_list(&ctx).unwrap()[0].status, "ok");

    source_remove(&ctx, &secrets, source.id).unwrap();
    assert!(secrets.get(&credential).unwrap().is_none(), "removing the source deletes its secret");
}

#[tokio::test]
async fn a_hashtag_needs_no_sign_in() {
    let (instance, _) = start_instance().await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    queries_add(&ctx, "industry", "hoot OR toot OR test").unwrap();
    let source = source_add_mastodon_hashtag(&ctx, &instance, "#hoot").unwrap();
    assert_eq!(source.name, "#hoot on 127.0.0.1");
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let summary = sync_once(&ctx, &fetcher, &MemorySecrets::default(), &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    assert!(summary.new_items > 0);
    assert!(source_add_mastodon_hashtag(&ctx, &instance, "two words").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_own_statuses_are_never_mentions_and_their_reply_answers_the_mention() {
    let (instance, state) = start_instance().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let ctx = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now());
    queries_add(&ctx, "brand", "halcy").unwrap();
    source_add_mastodon_account(&ctx, &fetcher, &secrets, &instance, &mut browser()).await.unwrap();
    let me = owner(&instance);
    state.lock().unwrap().search_extra = vec![status_by(&me, "117020590000000001", "halcy is on sale today", None)];

    let summary = sync_once(&ctx, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let mentions = mentions_list(&ctx, 100).unwrap();
    assert!(mentions.iter().any(|m| m.queries.iter().any(|q| q.query == "halcy")), "others' statuses still match");
    assert!(!mentions.iter().any(|m| m.text.contains("on sale today")), "the owner's own status is not a mention");
    let mention = mentions.iter().find(|m| m.queries.is_empty()).expect("the notification of a mention");
    assert_eq!(mention.state, "new");
    let mention_status_id = "117020577157693549";

    // The owner answers from their phone; the next check reads their own statuses.
    let reply = status_by(&me, "117020590000000002", "Thanks, see you Saturday!", Some(mention_status_id));
    state.lock().unwrap().own_statuses = vec![reply];
    let later = Ctx::with_clock(Store::open(dir.path().join("w.db")).unwrap(), now() + chrono::Duration::hours(1));
    let summary = sync_once(&later, &fetcher, &secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.sources);
    let mentions = mentions_list(&later, 100).unwrap();
    assert!(!mentions.iter().any(|m| m.text.contains("see you Saturday")), "the reply is the owner's");
    assert_eq!(mentions.iter().find(|m| m.id == mention.id).unwrap().state, "done", "answered on Mastodon");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_link_to_another_server_is_not_followed_with_the_token() {
    let elsewhere_requests = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = elsewhere_requests.clone();
    let elsewhere = serve_with(move |req: &HttpRequest| {
        seen.lock().unwrap().push(req.header("authorization").unwrap_or("").to_string());
        json("200 OK", &json!([]))
    })
    .await;
    let full_page: Vec<Value> = (0..80)
        .map(|i| {
            let mut n = recorded("v1_notifications_types_mention.json").0[0].clone();
            n["id"] = json!(format!("{}", 1000 + i));
            n
        })
        .collect();
    let hostile = serve_with(move |req: &HttpRequest| match req.path() {
        "/api/v1/notifications" => response(
            "200 OK",
            &[("Content-Type", "application/json"), ("Link", &format!("<{elsewhere}/steal?min_id=1>; rel=\"prev\""))],
            Value::Array(full_page.clone()).to_string().as_bytes(),
        ),
        _ => json("200 OK", &json!({"id": "1", "acct": "owner", "statuses": []})),
    })
    .await;
    let fetcher = earshot_sync::Fetcher::new().unwrap();
    let url = earshot_sync::mastodon::notifications_url(&hostile, None).unwrap();
    let stream = earshot_sync::mastodon::read_stream(
        &fetcher,
        url,
        Some(CANARY),
        earshot_sync::mastodon::NOTIFICATIONS_PAGE_SIZE,
        earshot_sync::mastodon::StreamKind::Notifications,
        now(),
    )
    .await;
    assert!(stream.is_ok());
    assert!(elsewhere_requests.lock().unwrap().is_empty(), "nothing, and no token, went to the other server");
}
