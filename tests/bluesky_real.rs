//! Bluesky against the reference atproto stack: the PDS, AppView and PLC of `@atproto/dev-env`, on
//! 127.0.0.1 (`tests/atproto/network.mjs`). `scripts/with-atproto.sh` starts it, with the PostgreSQL and
//! Redis it needs, and runs the tests with `EARSHOT_ATPROTO_CONTROL` set to its control address; `make
//! test` runs them so, with `--include-ignored`.
//!
//! The stack's search is a case-sensitive substring match, not Bluesky's real search, so the test asserts on
//! notifications and one-word lowercase searches.

use earshot_app::accounts::source_add_bluesky;
use earshot_app::listening::{mentions_list, queries_add, sources_list};
use earshot_app::outbox::outbox_send_due;
use earshot_app::sync::sync_now;
use earshot_app::triage::{mention_reply, outbox_list};
use earshot_app::Ctx;
use earshot_secrets::{MemorySecrets, SecretStore, Sensitive};
use earshot_sync::bluesky::Session;
use earshot_sync::Fetcher;
use serde_json::{json, Value};

/// Calls the stack's control server.
async fn control(path: &str, body: Value) -> Value {
    let base = std::env::var("EARSHOT_ATPROTO_CONTROL")
        .expect("EARSHOT_ATPROTO_CONTROL is not set: run it through scripts/with-atproto.sh");
    let answer = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert!(status.is_success(), "{path}: {body}");
    body
}

const ITEM: &str = "bluesky:";

/// Replaces the saved session's access token with the same token expired an hour ago, as it is two hours
/// after sign-in.
async fn expire_access_token(secrets: &MemorySecrets, did: &str) {
    let item = format!("{ITEM}{did}");
    let mut session = Session::from_secret(secrets.get(&item).unwrap().unwrap().expose()).unwrap();
    let expired = control("/expire", json!({"accessJwt": session.access_jwt})).await;
    session.access_jwt = expired["accessJwt"].as_str().unwrap().to_string();
    secrets.set(&item, &session.to_secret()).unwrap();
}

fn saved_session(secrets: &MemorySecrets, did: &str) -> Session {
    Session::from_secret(secrets.get(&format!("{ITEM}{did}")).unwrap().unwrap().expose()).unwrap()
}

async fn sync(ctx: &Ctx, fetcher: &Fetcher, secrets: &MemorySecrets) -> earshot_app::sync::SyncSummary {
    let summary = sync_now(ctx, fetcher, secrets, &mut |_| {}).await.unwrap();
    assert_eq!(summary.checked, 1, "{:?}", summary.sources);
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the reference atproto stack: make test runs it beside scripts/with-atproto.sh"]
async fn a_bluesky_source_signed_in_today_is_still_listening_tomorrow_against_the_reference_server() {
    let info = control("/info", json!({})).await;
    let (pds, handle, did) =
        (info["pds"].as_str().unwrap(), info["handle"].as_str().unwrap(), info["did"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::open(&dir.path().join("w.db")).unwrap();
    let secrets = MemorySecrets::default();
    let fetcher = Fetcher::new().unwrap();
    queries_add(&ctx, "competitor", "cogsworth").unwrap();

    let app_password = Sensitive::new(info["appPassword"].as_str().unwrap().to_string());
    let source = source_add_bluesky(&ctx, &fetcher, &secrets, handle, &app_password, pds).await.unwrap();
    assert_eq!(source.url, pds, "the session's own PDS, from its DID document");

    let first = sync(&ctx, &fetcher, &secrets).await;
    assert_eq!(first.failed, 0, "{:?}", first.sources);
    let mentions = mentions_list(&ctx, 100).unwrap();
    let texts: Vec<&str> = mentions.iter().map(|m| m.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("fixed my wheel")), "a mention of the account: {texts:?}");
    let question = mentions.iter().find(|m| m.text.starts_with("anyone tried cogsworth")).expect("a search result");
    assert!(!texts.iter().any(|t| t.contains("price-match")), "the shop's own post is not a mention: {texts:?}");

    // Two hours later the access token has expired. The shop answered the question from its phone meanwhile.
    expire_access_token(&secrets, did).await;
    let before = saved_session(&secrets, did);
    control("/post", json!({"by": "shop", "text": "yes! tune-ups from £30, come by", "replyTo": question.external_id}))
        .await;
    let second = sync(&ctx, &fetcher, &secrets).await;
    assert_eq!(second.failed, 0, "the session was renewed: {:?}", second.sources);
    let renewed = saved_session(&secrets, did);
    assert_ne!(renewed.refresh_jwt, before.refresh_jwt, "the rotated refresh token is saved");
    let mentions = mentions_list(&ctx, 100).unwrap();
    assert!(!mentions.iter().any(|m| m.text.contains("tune-ups from")), "the shop's reply is not a mention");
    let answered = mentions.iter().find(|m| m.id == question.id).unwrap();
    assert_eq!(answered.state, "done", "the reply seen on Bluesky answers the question");

    // A reply from Earshot goes out through the renewed session, as a record the PDS accepts.
    let praise = mentions.iter().find(|m| m.text.contains("fixed my wheel")).unwrap();
    mention_reply(&ctx, praise.id, "Thank you, see you at the next service!").unwrap();
    let sent = outbox_send_due(&ctx, &fetcher, &secrets).await.unwrap();
    assert_eq!(sent.sent, 1, "{:?}", outbox_list(&ctx).unwrap());
    let item = &outbox_list(&ctx).unwrap()[0];
    assert!(item.remote_id.as_deref().unwrap().starts_with(&format!("at://{did}/app.bsky.feed.post/")), "{item:?}");

    // The next day: the renewed session expired in turn, and is renewed again.
    expire_access_token(&secrets, did).await;
    control("/post", json!({"by": "alice", "text": format!("@{handle} the new brakes are great")})).await;
    let third = sync(&ctx, &fetcher, &secrets).await;
    assert_eq!(third.failed, 0, "{:?}", third.sources);
    let texts: Vec<String> = mentions_list(&ctx, 100).unwrap().into_iter().map(|m| m.text).collect();
    assert!(texts.iter().any(|t| t.contains("new brakes")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("Thank you, see you")), "Earshot's own reply is not a mention");

    // The owner revokes the app password: the source pauses with the server's own words.
    control("/revoke", json!({})).await;
    expire_access_token(&secrets, did).await;
    let fourth = sync(&ctx, &fetcher, &secrets).await;
    assert_eq!(fourth.sources[0].result, "paused", "{:?}", fourth.sources);
    let source = &sources_list(&ctx).unwrap()[0];
    let error = source.last_error.as_deref().unwrap();
    assert!(error.contains("ExpiredToken: Token has been revoked"), "{error}");
}
