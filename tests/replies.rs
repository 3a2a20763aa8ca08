//! Replies from the outbox against fake Mastodon and Bluesky servers on 127.0.0.1 that speak the real write
//! protocols (Mastodon's Idempotency-Key, Bluesky's createRecord / getRecord with a chosen record key), with
//! the faults a reply meets: server errors, rate limits, an answer lost after the post was made, and a crash
//! between "sending" and "sent". Each reply must be posted exactly once.

mod fake_http;
mod mastodon_api;
mod xrpc;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use earshot_app::outbox::outbox_send_due;
use earshot_app::triage::{mention_reply, mention_undo, outbox_list};
use earshot_app::{Ctx, Store};
use earshot_core::mention::NewMention;
use earshot_secrets::{MemorySecrets, SecretStore, Sensitive};
use earshot_store::sources::{self, NewSource};
use earshot_store::{mentions, outbox};
use earshot_sync::{Fetcher, Timeouts};
use fake_http::{json, response, serve_with, HttpRequest};
use serde_json::{json, Value};

const TOKEN: &str = "reply-token";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

/// A context at `minutes` after t0 on the same workspace (each step is a fresh start of the app).
fn at(db: &std::path::Path, minutes: i64) -> Ctx {
    Ctx::with_clock(Store::open(db).unwrap(), t0() + chrono::Duration::minutes(minutes))
}

/// A fetcher that gives up on an answer after a second, so a slow server looks like a lost answer.
fn impatient() -> Fetcher {
    Fetcher::with_timeouts(Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(1),
        total: Duration::from_secs(1),
    })
    .unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Unavailable,
    RateLimited,
    /// Makes the post, then answers too late.
    LostAnswer,
    /// The token is refused (revoked, or the sign-in expired).
    Unauthorized,
}

fn recorded(path: &str) -> Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis").join(path);
    let v: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    v.get("response").map(|r| r["body"].clone()).unwrap_or(v)
}

#[derive(Default)]
struct Instance {
    faults: VecDeque<Fault>,
    /// Faults met by the lookups of a reply (the thread's context), in turn.
    lookup_faults: VecDeque<Fault>,
    /// Statuses made, by idempotency key.
    statuses: Vec<(String, Value)>,
    keys_seen: Vec<String>,
    /// More than an hour has passed: Mastodon no longer remembers the idempotency keys it saw.
    keys_forgotten: bool,
}

fn mastodon(state: Arc<Mutex<Instance>>, base: Arc<Mutex<String>>) -> impl Fn(&HttpRequest) -> Vec<u8> + Send + Sync {
    move |req: &HttpRequest| {
        if let Some(refused) = mastodon_api::refusal(req, TOKEN) {
            return refused;
        }
        let mut st = state.lock().unwrap();
        match (req.method.as_str(), req.path()) {
            ("GET", "/api/v1/accounts/verify_credentials") => json("200 OK", &json!({"id": "900", "acct": "shop"})),
            ("GET", p) if p.starts_with("/api/v1/statuses/") && p.ends_with("/context") => {
                match st.lookup_faults.pop_front() {
                    Some(Fault::RateLimited) => {
                        return response(
                            "429 Too Many Requests",
                            &[("Retry-After", "1")],
                            b"{\"error\":\"Too many requests\"}",
                        )
                    }
                    Some(Fault::Unauthorized) => {
                        return json("401 Unauthorized", &json!({"error": "The access token is invalid"}))
                    }
                    Some(Fault::Unavailable) => return json("503 Service Unavailable", &json!({"error": "down"})),
                    _ => {}
                }
                let descendants: Vec<Value> = st.statuses.iter().map(|(_, s)| s.clone()).collect();
                json("200 OK", &json!({"ancestors": [], "descendants": descendants}))
            }
            ("POST", "/api/v1/statuses") => {
                let key = req.header("idempotency-key").unwrap_or_default().to_string();
                st.keys_seen.push(key.clone());
                let fault = st.faults.pop_front();
                match fault {
                    Some(Fault::Unavailable) => return json("503 Service Unavailable", &json!({"error": "down"})),
                    Some(Fault::RateLimited) => {
                        return response(
                            "429 Too Many Requests",
                            &[("Retry-After", "1")],
                            b"{\"error\":\"Too many requests\"}",
                        )
                    }
                    _ => {}
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                // The same key answers with the status it already made (Mastodon keeps keys for an hour).
                let remembered = if st.keys_forgotten { None } else { st.statuses.iter().find(|(k, _)| *k == key) };
                let status = match remembered {
                    Some((_, s)) => s.clone(),
                    None => {
                        let id = format!("{}", 5000 + st.statuses.len());
                        let s = json!({
                            "id": id,
                            "url": format!("{}/@shop/{id}", base.lock().unwrap()),
                            "in_reply_to_id": body["in_reply_to_id"],
                            "account": {"id": "900", "acct": "shop"},
                            "content": format!("<p>{}</p>", body["status"].as_str().unwrap()),
                        });
                        st.statuses.push((key, s.clone()));
                        s
                    }
                };
                if matches!(fault, Some(Fault::LostAnswer)) {
                    drop(st);
                    std::thread::sleep(Duration::from_millis(2500));
                }
                json("200 OK", &status)
            }
            _ => json("404 Not Found", &json!({"error": "Record not found"})),
        }
    }
}

/// A fake Mastodon instance that meets `faults` in turn, and its address.
async fn fake_instance(faults: &[Fault]) -> (Arc<Mutex<Instance>>, String) {
    let state = Arc::new(Mutex::new(Instance { faults: faults.iter().copied().collect(), ..Default::default() }));
    let base_slot = Arc::new(Mutex::new(String::new()));
    let base = serve_with(mastodon(state.clone(), base_slot.clone())).await;
    *base_slot.lock().unwrap() = base.clone();
    (state, base)
}

/// A workspace with one Mastodon mention (from a recorded notification) and the account's token saved.
fn mastodon_workspace(db: &std::path::Path, base: &str, secrets: &MemorySecrets) -> i64 {
    let ctx = at(db, 0);
    let notification = &recorded("mastodon/v1_notifications_types_mention.json")[0];
    let m = earshot_sync::mastodon::status(&notification["status"], t0()).unwrap();
    secrets.set("mastodon:test", &Sensitive::new(TOKEN.to_string())).unwrap();
    ctx.store
        .write(|tx| {
            let source = sources::add(
                tx,
                &NewSource {
                    kind: "mastodon",
                    name: "@shop",
                    url: base,
                    config: "{}",
                    credential_id: Some("mastodon:test"),
                },
                "2026-11-25T12:00:00Z",
            )?;
            let m = NewMention { direct: true, ..m };
            let item = earshot_store::arrivals::plan(tx, source, &[&m])?.assess(source, vec![(m, vec![])]);
            mentions::ingest(tx, source, &item, "2026-11-25T12:00:00Z")?;
            Ok(())
        })
        .unwrap();
    ctx.store.read(|c| mentions::list(c, 10)).unwrap()[0].id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mastodon_reply_goes_out_once_through_errors_rate_limits_and_a_lost_answer() {
    let (state, base) = fake_instance(&[Fault::Unavailable, Fault::RateLimited, Fault::LostAnswer]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);

    let queued = mention_reply(&at(&db, 0), mention, "Thanks, we're on it").unwrap();
    assert_eq!(queued.state, "queued");

    // 503, then a rate limit, then the post is made but its answer is lost; each run is a fresh start.
    for (minute, expect) in [(0, "queued"), (2, "queued"), (4, "queued"), (10, "sent")] {
        let ctx = at(&db, minute);
        outbox_send_due(&ctx, &impatient(), &secrets).await.unwrap();
        let item = &outbox_list(&ctx).unwrap()[0];
        assert_eq!(item.state, expect, "at minute {minute}: {item:?}");
    }
    let item = &outbox_list(&at(&db, 10)).unwrap()[0];
    assert_eq!(item.remote_id.as_deref(), Some("5000"));
    assert!(item.remote_url.as_deref().unwrap().ends_with("/@shop/5000"));

    let st = state.lock().unwrap();
    assert_eq!(st.statuses.len(), 1, "exactly one post");
    let posted = &st.statuses[0].1;
    assert_eq!(posted["in_reply_to_id"], "117020577157693549", "threaded under the mention");
    assert!(posted["content"].as_str().unwrap().contains("@admin Thanks, we're on it"), "addressed to the author");
    assert!(st.keys_seen.iter().all(|k| *k == st.keys_seen[0]), "one idempotency key for every attempt");
    assert_eq!(st.keys_seen.len(), 3, "the lost answer was found on the server, not posted again");
}

/// A reply whose answer was lost, then `after` on the next attempt's lookup, then more than an hour: it is
/// looked for again before anything is posted, and found.
async fn lost_then(after: Fault) -> (Arc<Mutex<Instance>>, Vec<String>) {
    let (state, base) = fake_instance(&[Fault::LostAnswer]).await;
    state.lock().unwrap().lookup_faults = VecDeque::from([after]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);
    let queued = mention_reply(&at(&db, 0), mention, "Thanks, we're on it").unwrap();
    let mut states = Vec::new();
    for minute in [0, 2] {
        outbox_send_due(&at(&db, minute), &impatient(), &secrets).await.unwrap();
        states.push(outbox_list(&at(&db, minute)).unwrap()[0].state.to_string());
    }
    if states[1] == "failed" {
        // The owner signs in again and puts the reply back in the queue.
        earshot_app::triage::outbox_retry(&at(&db, 30), queued.id).unwrap();
    }
    state.lock().unwrap().keys_forgotten = true;
    outbox_send_due(&at(&db, 90), &impatient(), &secrets).await.unwrap();
    states.push(outbox_list(&at(&db, 90)).unwrap()[0].state.to_string());
    (state, states)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_answer_then_a_rate_limit_is_looked_for_not_posted_again_an_hour_later() {
    let (state, states) = lost_then(Fault::RateLimited).await;
    assert_eq!(states, ["queued", "queued", "sent"]);
    assert_eq!(state.lock().unwrap().statuses.len(), 1, "exactly one post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_answer_then_a_refused_token_is_looked_for_after_signing_in_again() {
    let (state, states) = lost_then(Fault::Unauthorized).await;
    assert_eq!(states, ["queued", "failed", "sent"]);
    assert_eq!(state.lock().unwrap().statuses.len(), 1, "exactly one post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_answer_then_a_server_error_is_looked_for_not_posted_again() {
    let (state, states) = lost_then(Fault::Unavailable).await;
    assert_eq!(states[2], "sent");
    assert_eq!(state.lock().unwrap().statuses.len(), 1, "exactly one post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crash_between_sending_and_sent_is_reconciled_not_posted_twice() {
    let (state, base) = fake_instance(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);
    let queued = mention_reply(&at(&db, 0), mention, "See you Saturday").unwrap();

    // The app marked the reply as sending, the post was made, and the app died before recording it.
    let ctx = at(&db, 1);
    ctx.store.write(|tx| outbox::mark_sending(tx, queued.id, "2026-11-25T12:01:00Z")).unwrap();
    let key = ctx.store.read(|c| Ok(outbox::due(c, "2026-11-25T12:01:00Z")?[0].key.clone())).unwrap();
    state.lock().unwrap().statuses.push((
        key,
        json!({"id": "77", "in_reply_to_id": "117020577157693549", "account": {"id": "900"},
               "content": "<p><span class=\"h-card\"><a href=\"x\">@admin</a></span> See you Saturday</p>"}),
    ));
    drop(ctx);

    let ctx = at(&db, 2);
    let run = outbox_send_due(&ctx, &impatient(), &secrets).await.unwrap();
    assert_eq!(run.sent, 1);
    let item = &outbox_list(&ctx).unwrap()[0];
    assert_eq!((item.state.as_str(), item.remote_id.as_deref()), ("sent", Some("77")));
    assert!(state.lock().unwrap().keys_seen.is_empty(), "nothing was posted again");
    // A sent reply cannot be taken back by undo; the owner is told.
    let undone = mention_undo(&ctx).unwrap().unwrap();
    assert_eq!(undone.replies_already_sent, vec![queued.id]);
    assert_eq!(outbox_list(&ctx).unwrap()[0].state, "sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_undone_reply_is_never_sent_and_a_refused_token_fails_with_a_reason() {
    let (state, base) = fake_instance(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);

    mention_reply(&at(&db, 0), mention, "first draft").unwrap();
    mention_undo(&at(&db, 0)).unwrap();
    outbox_send_due(&at(&db, 1), &impatient(), &secrets).await.unwrap();
    assert_eq!(outbox_list(&at(&db, 1)).unwrap()[0].state, "cancelled");
    assert!(state.lock().unwrap().keys_seen.is_empty());

    secrets.set("mastodon:test", &Sensitive::new("revoked".to_string())).unwrap();
    mention_reply(&at(&db, 2), mention, "second try").unwrap();
    outbox_send_due(&at(&db, 3), &impatient(), &secrets).await.unwrap();
    let item = &outbox_list(&at(&db, 3)).unwrap()[0];
    assert_eq!(item.state, "failed");
    assert!(item.last_error.as_deref().unwrap().contains("sign in again"), "{item:?}");
    assert!(!item.last_error.as_deref().unwrap().contains("revoked"), "the token is never in a message");
}

#[derive(Default)]
struct Pds {
    faults: VecDeque<Fault>,
    /// Records made, by record key.
    records: Vec<(String, Value)>,
    creates: usize,
}

fn pds(state: Arc<Mutex<Pds>>) -> impl Fn(&HttpRequest) -> Vec<u8> + Send + Sync {
    move |req: &HttpRequest| {
        if let Some(refused) = xrpc::LEXICONS.refusal(req) {
            return refused;
        }
        if req.header("authorization") != Some("Bearer access-1") {
            return json("401 Unauthorized", &json!({"error": "AuthRequired"}));
        }
        let mut st = state.lock().unwrap();
        match req.path() {
            "/xrpc/com.atproto.repo.getRecord" => {
                let rkey = req.query("rkey").unwrap_or_default();
                match st.records.iter().find(|(k, _)| *k == rkey) {
                    Some((k, r)) => json(
                        "200 OK",
                        &json!({"uri": format!("at://did:plc:owner/app.bsky.feed.post/{k}"), "cid": "bafy", "value": r}),
                    ),
                    None => json(
                        "400 Bad Request",
                        &json!({"error": "RecordNotFound", "message": "Could not locate record"}),
                    ),
                }
            }
            "/xrpc/com.atproto.repo.createRecord" => {
                st.creates += 1;
                let fault = st.faults.pop_front();
                if matches!(fault, Some(Fault::Unavailable)) {
                    return json("502 Bad Gateway", &json!({"error": "UpstreamFailure"}));
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let rkey = body["rkey"].as_str().unwrap().to_string();
                if st.records.iter().any(|(k, _)| *k == rkey) {
                    return json(
                        "400 Bad Request",
                        &json!({"error": "InvalidRequest", "message": "Record already exists"}),
                    );
                }
                st.records.push((rkey.clone(), body["record"].clone()));
                if matches!(fault, Some(Fault::LostAnswer)) {
                    drop(st);
                    std::thread::sleep(Duration::from_millis(2500));
                }
                json("200 OK", &json!({"uri": format!("at://did:plc:owner/app.bsky.feed.post/{rkey}"), "cid": "bafy"}))
            }
            _ => json("404 Not Found", &json!({"error": "MethodNotImplemented"})),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bluesky_reply_keeps_its_record_key_and_is_found_after_a_lost_answer() {
    let state = Arc::new(Mutex::new(Pds::default()));
    state.lock().unwrap().faults = VecDeque::from([Fault::Unavailable, Fault::LostAnswer]);
    let base = serve_with(pds(state.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let session = earshot_sync::bluesky::Session {
        pds: base.clone(),
        did: "did:plc:owner".into(),
        handle: "shop.test".into(),
        access_jwt: "access-1".into(),
        refresh_jwt: "refresh-1".into(),
    };
    secrets.set("bluesky:test", &session.to_secret()).unwrap();
    let notification = &recorded("bluesky/listNotifications_appview_snapshot.json")["notifications"][0];
    let m = earshot_sync::bluesky::post(notification, t0()).unwrap();
    let ctx = at(&db, 0);
    ctx.store
        .write(|tx| {
            let source = sources::add(
                tx,
                &NewSource {
                    kind: "bluesky",
                    name: "@shop.test",
                    url: &base,
                    config: "{}",
                    credential_id: Some("bluesky:test"),
                },
                "2026-11-25T12:00:00Z",
            )?;
            let m = NewMention { direct: true, ..m };
            let item = earshot_store::arrivals::plan(tx, source, &[&m])?.assess(source, vec![(m, vec![])]);
            mentions::ingest(tx, source, &item, "2026-11-25T12:00:00Z")?;
            Ok(())
        })
        .unwrap();
    let mention = ctx.store.read(|c| mentions::list(c, 10)).unwrap()[0].id;
    let queued = mention_reply(&ctx, mention, "Thank you for the kind words!").unwrap();

    for minute in [0, 2, 10] {
        outbox_send_due(&at(&db, minute), &impatient(), &secrets).await.unwrap();
    }
    let item = &outbox_list(&at(&db, 10)).unwrap()[0];
    assert_eq!(item.state, "sent", "{item:?}");
    let st = state.lock().unwrap();
    assert_eq!(st.records.len(), 1, "exactly one post");
    assert_eq!(st.creates, 2, "the lost answer was found with getRecord, not created again");
    let (rkey, record) = &st.records[0];
    assert_eq!(item.remote_id.as_deref(), Some(format!("at://did:plc:owner/app.bsky.feed.post/{rkey}").as_str()));
    assert_eq!(record["reply"]["parent"]["uri"], notification["uri"]);
    assert_eq!(record["text"], "Thank you for the kind words!");
    assert_eq!(earshot_core::tid::micros(rkey).map(|m| m / 1_000_000), Some(t0().timestamp()), "a TID from queue time");
    let _ = queued;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_reply_queued_twice_is_refused_and_a_different_one_is_not() {
    let (state, base) = fake_instance(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);
    mention_reply(&at(&db, 0), mention, "See you Saturday").unwrap();
    let twice = mention_reply(&at(&db, 0), mention, "  See you Saturday ").unwrap_err();
    assert!(twice.message.contains("already waiting to go out"), "{}", twice.message);
    mention_reply(&at(&db, 0), mention, "And bring the wheel").unwrap();
    outbox_send_due(&at(&db, 1), &impatient(), &secrets).await.unwrap();
    assert_eq!(state.lock().unwrap().statuses.len(), 2, "two replies, each once");
}

/// A session's log says what happened (an import, a triage, a reply sent, a source checked, a failure with
/// its reason) and never what the owner keeps private: the account's token, a customer's name or email, the
/// reply's text, a mention's text, or the private path of a feed address.
#[tokio::test]
async fn a_session_log_records_what_happened_and_never_a_token_a_name_or_a_text() {
    use earshot_app::logging::{file_subscriber, Program};
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let (subscriber, flush) = file_subscriber(&logs, Program::Desktop).unwrap();
    let logging = tracing::subscriber::set_default(subscriber);

    let (_state, base) = fake_instance(&[]).await;
    let db = dir.path().join("w.db");
    let secrets = MemorySecrets::default();
    let mention = mastodon_workspace(&db, &base, &secrets);
    let ctx = at(&db, 0);
    let customers = "Name,Email\nZebulon Canaryfield,zebulon@canary.example\n";
    earshot_app::imports::import_run(&ctx, "customers.csv", customers.as_bytes(), &Default::default(), &mut |_| {})
        .unwrap();
    mention_reply(&ctx, mention, "Canary reply 7731").unwrap();
    let run = outbox_send_due(&ctx, &impatient(), &secrets).await.unwrap();
    assert_eq!(run.sent, 1);
    let done = earshot_app::triage::TriageInput {
        ids: vec![mention],
        decision: Some(earshot_core::triage::Decision::Done),
        ..Default::default()
    };
    earshot_app::triage::mention_triage(&ctx, &done).unwrap();
    earshot_app::listening::source_add_feed(&ctx, "http://127.0.0.1:9/feeds/private-key-4242", None).unwrap();
    earshot_app::sync::sync_now(&ctx, &impatient(), &secrets, &mut |_| {}).await.unwrap();

    drop(logging);
    drop(flush);
    let log: String =
        std::fs::read_dir(&logs).unwrap().map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap()).collect();
    for event in ["contacts imported", "reply sent", "mentions triaged", "source checked", "listening round"] {
        assert!(log.contains(event), "no {event:?} in the log:\n{log}");
    }
    assert!(log.contains("http://127.0.0.1:9"), "a failure names the host it failed on:\n{log}");
    for private in
        [TOKEN, "Zebulon", "Canaryfield", "zebulon@canary", "Canary reply 7731", "hello!", "private-key-4242"]
    {
        assert!(!log.contains(private), "{private:?} is in the log:\n{log}");
    }
}
