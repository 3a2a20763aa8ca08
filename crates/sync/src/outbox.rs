//! Sending a queued reply, exactly once.
//!
//! Each reply carries a key chosen when it was queued. Mastodon gets it as `Idempotency-Key` (the server
//! answers a repeat with the status it already made); Bluesky gets it as the record key of the new post, so a
//! second create of the same key cannot make a second post. A reply whose last attempt may have reached the
//! server (`maybe_sent`: it was 'sending' when the app stopped, or the answer was lost) is first looked for on
//! the server, and only sent if it is not there.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::bluesky::{self, Session};
use crate::check::{Credential, Outcome};
use crate::schedule::FailureClass;
use crate::{Fetcher, Request, API_BODY_CAP};

/// A reply to send.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub network: &'a str,
    /// The source's address: the Mastodon instance, or the Bluesky service.
    pub base_url: &'a str,
    pub text: &'a str,
    /// What to answer, as queued (see `target_of`).
    pub target: &'a Value,
    pub key: &'a str,
    /// An earlier attempt may have reached the server.
    pub maybe_sent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Done {
        remote_id: String,
        remote_url: Option<String>,
    },
    /// Try again later: the network, the server, or a rate limit (`after` when the server said when).
    /// `maybe_sent` when the request may have made the post (a timeout, a lost answer): look before resending.
    Retry {
        message: String,
        after: Option<DateTime<Utc>>,
        maybe_sent: bool,
    },
    /// Trying again will not help until the owner acts (signs in again, edits the reply).
    Failed {
        message: String,
    },
}

fn from_outcome(o: Outcome) -> Sent {
    match o {
        Outcome::Failed { message, class, retry_after } => match class {
            FailureClass::RateLimited => Sent::Retry { message, after: retry_after, maybe_sent: false },
            FailureClass::Server(_) | FailureClass::Transport => {
                Sent::Retry { message, after: retry_after, maybe_sent: true }
            }
            _ => Sent::Failed { message },
        },
        _ => Sent::Retry { message: "unexpected answer".into(), after: None, maybe_sent: true },
    }
}

/// What a mention needs for a reply to thread under it, from the item as the source sent it. `None` when
/// the network cannot be answered from Earshot.
pub fn target_of(source_kind: &str, raw: &Value) -> Option<Value> {
    let s = |p: &str| raw.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty());
    match source_kind {
        "mastodon" => Some(json!({ "status_id": s("/id")?, "acct": s("/account/acct")? })),
        "bluesky" => {
            let (uri, cid) = (s("/uri")?, s("/cid")?);
            let root_uri = s("/record/reply/root/uri").unwrap_or(uri);
            let root_cid = s("/record/reply/root/cid").unwrap_or(cid);
            Some(json!({ "uri": uri, "cid": cid, "root_uri": root_uri, "root_cid": root_cid }))
        }
        _ => None,
    }
}

/// Sends one reply with its credential (a Mastodon token, or a Bluesky session that may be renewed).
pub async fn send(fetcher: &Fetcher, reply: &Reply<'_>, credential: &mut Credential<'_>, now: DateTime<Utc>) -> Sent {
    let Some(secret) = credential.secret().map(str::to_owned) else {
        return Sent::Failed { message: "this account is not signed in; sign in again to send replies".into() };
    };
    match reply.network {
        "mastodon" => mastodon(fetcher, reply, &secret, now).await,
        "bluesky" => match Session::from_secret(&secret) {
            Some(session) => {
                let mut client = bluesky::Client::new(fetcher, session, credential, now);
                bluesky(&mut client, reply).await
            }
            None => Sent::Failed { message: "the saved Bluesky session is unreadable; sign in again".into() },
        },
        other => Sent::Failed { message: format!("replies cannot be sent to {other} from Earshot") },
    }
}

fn mastodon_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

async fn mastodon(fetcher: &Fetcher, reply: &Reply<'_>, token: &str, now: DateTime<Utc>) -> Sent {
    if let Err(message) = url::Url::parse(reply.base_url).map_err(|e| e.to_string()).and_then(|u| crate::token_safe(&u))
    {
        return Sent::Failed { message };
    }
    let (Some(status_id), Some(acct)) =
        (reply.target.get("status_id").and_then(Value::as_str), reply.target.get("acct").and_then(Value::as_str))
    else {
        return Sent::Failed { message: "the mention has no Mastodon status to answer".into() };
    };
    if reply.maybe_sent {
        match mastodon_find(fetcher, reply.base_url, token, status_id, reply.text, now).await {
            Ok(Some(done)) => return done,
            Ok(None) => {}
            Err(e) => return e,
        }
    }
    // Mastodon threads a reply under the status, and shows it to the author when it mentions them.
    let mention = format!("@{acct}");
    let text = if reply.text.contains(&mention) { reply.text.to_owned() } else { format!("{mention} {}", reply.text) };
    let body = json!({ "status": text, "in_reply_to_id": status_id });
    let url = mastodon_url(reply.base_url, "/api/v1/statuses");
    let request =
        Request { bearer: Some(token), json: Some(&body), idempotency_key: Some(reply.key), ..Request::default() };
    let fetched = match fetcher.send(&url, API_BODY_CAP, request).await {
        Ok(f) => f,
        Err(e) => return from_outcome(crate::check::fetch_failure(e, now)),
    };
    match fetched.status {
        200..=299 => {
            let status: Value = serde_json::from_slice(&fetched.body).unwrap_or(Value::Null);
            match status.get("id").and_then(Value::as_str) {
                Some(id) => Sent::Done {
                    remote_id: id.to_owned(),
                    remote_url: status.get("url").and_then(Value::as_str).map(str::to_owned),
                },
                // Posted, but the answer is unreadable: look for it next time rather than post again.
                None => Sent::Retry {
                    message: format!("{url}: the answer to the reply was not understood"),
                    after: None,
                    maybe_sent: true,
                },
            }
        }
        401 | 403 => Sent::Failed {
            message: format!(
                "{}: the sign-in does not allow replies (HTTP {}); sign in again",
                reply.base_url, fetched.status
            ),
        },
        404 => Sent::Failed { message: "the post being answered was deleted".into() },
        422 => Sent::Failed {
            message: format!(
                "Mastodon refused the reply: {}",
                serde_json::from_slice::<Value>(&fetched.body)
                    .ok()
                    .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_else(|| "HTTP 422".into())
            ),
        },
        _ => from_outcome(crate::check::status_failure(&fetched, reply.base_url, now)),
    }
}

/// Looks for our reply under the status (after a crash or a lost answer): a reply by the signed-in account,
/// answering that status, with the same text.
async fn mastodon_find(
    fetcher: &Fetcher,
    base: &str,
    token: &str,
    status_id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<Sent>, Sent> {
    let get = |path: String| async move {
        let url = mastodon_url(base, &path);
        let f = fetcher
            .send(&url, API_BODY_CAP, Request { bearer: Some(token), ..Request::default() })
            .await
            .map_err(|e| from_outcome(crate::check::fetch_failure(e, now)))?;
        if !(200..300).contains(&f.status) {
            return Err(from_outcome(crate::check::status_failure(&f, base, now)));
        }
        serde_json::from_slice::<Value>(&f.body).map_err(|e| Sent::Retry {
            message: format!("{url}: not a Mastodon answer: {e}"),
            after: None,
            maybe_sent: true,
        })
    };
    let me = get("/api/v1/accounts/verify_credentials".into()).await?;
    let my_id = me.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let context = get(format!("/api/v1/statuses/{status_id}/context")).await?;
    let wanted = plain_words(text);
    let found = context.get("descendants").and_then(Value::as_array).and_then(|d| {
        d.iter().find(|s| {
            s.pointer("/account/id").and_then(Value::as_str) == Some(my_id.as_str())
                && s.get("in_reply_to_id").and_then(Value::as_str) == Some(status_id)
                && plain_words(&earshot_core::html::to_text(
                    s.get("content").and_then(Value::as_str).unwrap_or_default(),
                ))
                .ends_with(&wanted)
        })
    });
    Ok(found.and_then(|s| {
        Some(Sent::Done {
            remote_id: s.get("id")?.as_str()?.to_owned(),
            remote_url: s.get("url").and_then(Value::as_str).map(str::to_owned),
        })
    }))
}

/// Words of a text, lower case, for comparing a reply with what the server shows of it.
fn plain_words(s: &str) -> String {
    s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

async fn bluesky(client: &mut bluesky::Client<'_, '_>, reply: &Reply<'_>) -> Sent {
    let t = |k: &str| reply.target.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (uri, cid, root_uri, root_cid) = (t("uri"), t("cid"), t("root_uri"), t("root_cid"));
    if uri.is_empty() || cid.is_empty() {
        return Sent::Failed { message: "the mention has no Bluesky post to answer".into() };
    }
    let repo = client.session().did.clone();
    let handle = client.session().handle.clone();
    let collection = "app.bsky.feed.post";
    let done = |v: &Value| Sent::Done {
        remote_id: v.get("uri").and_then(Value::as_str).unwrap_or_default().to_owned(),
        remote_url: Some(format!("https://bsky.app/profile/{handle}/post/{}", reply.key)),
    };
    if reply.maybe_sent {
        let params = [("repo", repo.clone()), ("collection", collection.to_owned()), ("rkey", reply.key.to_owned())];
        match client.fetch("com.atproto.repo.getRecord", &params, None).await {
            Ok(f) if f.status == 200 => {
                let v: Value = serde_json::from_slice(&f.body).unwrap_or(Value::Null);
                return done(&v);
            }
            Ok(f) if bluesky::error_name(&f).as_deref() == Some("RecordNotFound") => {}
            Ok(f) => {
                return Sent::Retry {
                    message: format!("Bluesky could not say whether the reply went out (HTTP {})", f.status),
                    after: None,
                    maybe_sent: true,
                }
            }
            Err(o) => return from_outcome(o),
        }
    }
    let created_at = reply_time(reply.key);
    let body = json!({
        "repo": repo,
        "collection": collection,
        "rkey": reply.key,
        "record": {
            "$type": collection,
            "text": reply.text,
            "createdAt": created_at,
            "reply": { "root": { "uri": root_uri, "cid": root_cid }, "parent": { "uri": uri, "cid": cid } }
        }
    });
    match client.fetch("com.atproto.repo.createRecord", &[], Some(&body)).await {
        Ok(f) if (200..300).contains(&f.status) => done(&serde_json::from_slice(&f.body).unwrap_or(Value::Null)),
        Ok(f) => {
            let name = bluesky::error_name(&f);
            match (f.status, name.as_deref()) {
                (429 | 500..=599, _) => from_outcome(crate::check::status_failure(&f, reply.base_url, Utc::now())),
                (_, Some("AuthRequired" | "InvalidToken" | "ExpiredToken")) | (401, _) => {
                    Sent::Failed { message: "the Bluesky sign-in has ended; sign in again".into() }
                }
                _ => Sent::Failed {
                    message: format!(
                        "Bluesky refused the reply ({})",
                        name.unwrap_or_else(|| format!("HTTP {}", f.status))
                    ),
                },
            }
        }
        Err(o) => from_outcome(o),
    }
}

/// The post's creation time, from the time in its record key, so a resend writes the identical record.
fn reply_time(key: &str) -> String {
    let micros = earshot_core::tid::micros(key).unwrap_or(0);
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// When to try a reply again after `attempts` failed attempts: 30 s doubling to at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    Duration::seconds(30 * (1i64 << attempts.clamp(0, 7))).min(Duration::hours(1))
}
