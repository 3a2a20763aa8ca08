#![allow(dead_code)] // shared by several test binaries, each using a part
//! What a Mastodon instance (4.x) does with a request before an endpoint answers, from its API
//! documentation, for the fake instances: the endpoints Earshot calls with their documented parameters,
//! which of them need a token, `limit` clamped to the endpoint's maximum (as the server does, silently), a
//! status that must have text, and `Link` headers built from the instance's own address. One way the fake
//! is stricter than a real instance: a parameter the endpoint does not document is refused rather than
//! ignored, so a misspelt parameter (`types` for `types[]`) fails a test instead of being silently dropped.

use serde_json::{json, Value};

use crate::fake_http::{json as json_response, HttpRequest};

/// One endpoint: method, path pattern (`:id` matches one segment), documented parameters, whether it needs a
/// token, and its `limit` maximum.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    params: &'static [&'static str],
    token: bool,
    max_limit: Option<u32>,
}

const PAGING: [&str; 4] = ["max_id", "since_id", "min_id", "limit"];

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "POST",
        path: "/api/v1/apps",
        params: &["client_name", "redirect_uris", "scopes", "website"],
        token: false,
        max_limit: None,
    },
    Endpoint {
        method: "GET",
        path: "/oauth/authorize",
        params: &[
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "force_login",
            "lang",
        ],
        token: false,
        max_limit: None,
    },
    Endpoint {
        method: "POST",
        path: "/oauth/token",
        params: &["grant_type", "code", "client_id", "client_secret", "redirect_uri", "scope", "code_verifier"],
        token: false,
        max_limit: None,
    },
    Endpoint { method: "GET", path: "/api/v1/accounts/verify_credentials", params: &[], token: true, max_limit: None },
    Endpoint {
        method: "GET",
        path: "/api/v1/notifications",
        params: &[
            "max_id",
            "since_id",
            "min_id",
            "limit",
            "types[]",
            "exclude_types[]",
            "account_id",
            "include_filtered",
        ],
        token: true,
        max_limit: Some(80),
    },
    Endpoint {
        method: "GET",
        path: "/api/v2/search",
        params: &[
            "q",
            "type",
            "resolve",
            "following",
            "account_id",
            "exclude_unreviewed",
            "max_id",
            "min_id",
            "limit",
            "offset",
        ],
        token: false,
        max_limit: Some(40),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/timelines/tag/:hashtag",
        params: &["any[]", "all[]", "none[]", "local", "remote", "only_media", "max_id", "since_id", "min_id", "limit"],
        token: false,
        max_limit: Some(40),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/accounts/:id/statuses",
        params: &[
            "max_id",
            "since_id",
            "min_id",
            "limit",
            "only_media",
            "exclude_replies",
            "exclude_reblogs",
            "pinned",
            "tagged",
        ],
        token: false,
        max_limit: Some(40),
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/statuses",
        params: &[
            "status",
            "media_ids[]",
            "in_reply_to_id",
            "sensitive",
            "spoiler_text",
            "visibility",
            "language",
            "scheduled_at",
        ],
        token: true,
        max_limit: None,
    },
    Endpoint { method: "GET", path: "/api/v1/statuses/:id/context", params: &[], token: true, max_limit: None },
];

fn matches(pattern: &str, path: &str) -> bool {
    let (p, a): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| p.starts_with(':') && !a.is_empty() || p == a)
}

/// The parameters of a request: its query, and its form or JSON body.
fn params(req: &HttpRequest) -> Vec<(String, String)> {
    let url = url::Url::parse(&format!("http://fake{}", req.target)).unwrap();
    let mut all: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let content_type = req.header("content-type").unwrap_or("");
    if content_type.starts_with("application/json") {
        if let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&req.body) {
            all.extend(o.into_iter().map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string))));
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        all.extend(url::form_urlencoded::parse(&req.body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    all
}

/// The limit an instance applies to this request: the one asked for, at most the endpoint's maximum.
pub fn limit(req: &HttpRequest, default: usize) -> usize {
    let max = ENDPOINTS.iter().find(|e| matches(e.path, req.path())).and_then(|e| e.max_limit).unwrap_or(40);
    req.query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(default).clamp(1, max as usize)
}

/// The answer an instance gives a request it refuses before the endpoint runs, or `None`.
pub fn refusal(req: &HttpRequest, token: &str) -> Option<Vec<u8>> {
    let Some(endpoint) = ENDPOINTS.iter().find(|e| e.method == req.method && matches(e.path, req.path())) else {
        return Some(json_response("404 Not Found", &json!({"error": "Record not found"})));
    };
    for (name, value) in params(req) {
        if !endpoint.params.contains(&name.as_str()) {
            return Some(json_response(
                "400 Bad Request",
                &json!({"error": format!("{name} is not a parameter of {} {}", endpoint.method, endpoint.path)}),
            ));
        }
        if PAGING.contains(&name.as_str()) && value.parse::<u64>().is_err() {
            return Some(json_response("400 Bad Request", &json!({"error": format!("{name} must be a number")})));
        }
    }
    if endpoint.token && req.header("authorization") != Some(&format!("Bearer {token}")) {
        return Some(json_response("401 Unauthorized", &json!({"error": "The access token is invalid"})));
    }
    if endpoint.path == "/api/v1/statuses" && !params(req).iter().any(|(k, v)| k == "status" && !v.trim().is_empty()) {
        return Some(json_response(
            "422 Unprocessable Entity",
            &json!({"error": "Validation failed: Text can't be blank"}),
        ));
    }
    None
}

/// A page of statuses (or notifications) with the `Link` header an instance sends: `next` for older items,
/// `prev` for newer, on the instance's own address (`base`).
pub fn page(status: &str, base: &str, req: &HttpRequest, items: &[Value]) -> Vec<u8> {
    let body = Value::Array(items.to_vec()).to_string();
    let (Some(newest), Some(oldest)) = (items.first(), items.last()) else {
        return crate::fake_http::response(status, &[("Content-Type", "application/json")], body.as_bytes());
    };
    let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_string();
    let limit = limit(req, items.len());
    let link = format!(
        "<{base}{path}?limit={limit}&max_id={old}>; rel=\"next\", <{base}{path}?limit={limit}&min_id={new}>; rel=\"prev\"",
        path = req.path(),
        old = id(oldest),
        new = id(newest),
    );
    crate::fake_http::response(status, &[("Content-Type", "application/json"), ("Link", &link)], body.as_bytes())
}
