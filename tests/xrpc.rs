#![allow(dead_code)] // shared by several test binaries, each using a part
//! What a reference XRPC server (`@atproto/xrpc-server`, behind every PDS and AppView) refuses before a
//! handler runs, read from the published lexicons in `fixtures/apis/bluesky/lexicons/`: an unknown method,
//! the wrong HTTP method, a missing or ill-typed parameter, a body where the method takes no input (even
//! `{}`), no body or the wrong encoding where it takes one, and an input without its required fields. The
//! refusals carry the reference server's status, error name and wording, so a fake that asks this first
//! refuses what the real one refuses.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{json, Value};

use crate::fake_http::{json as json_response, HttpRequest};

/// The lexicons' `main` definitions, by method id.
pub struct Lexicons(HashMap<String, Value>);

pub static LEXICONS: LazyLock<Lexicons> = LazyLock::new(Lexicons::load);

fn invalid(message: impl Into<String>) -> Vec<u8> {
    json_response("400 Bad Request", &json!({"error": "InvalidRequest", "message": message.into()}))
}

impl Lexicons {
    fn load() -> Lexicons {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apis/bluesky/lexicons");
        let mut defs = HashMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let doc: Value = serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
            let main = &doc["defs"]["main"];
            if matches!(main["type"].as_str(), Some("query" | "procedure")) {
                defs.insert(doc["id"].as_str().unwrap().to_string(), main.clone());
            }
        }
        Lexicons(defs)
    }

    /// The answer the reference server gives a request it refuses before any handler, or `None` when the
    /// request is well formed for its method.
    pub fn refusal(&self, req: &HttpRequest) -> Option<Vec<u8>> {
        let Some(nsid) = req.path().strip_prefix("/xrpc/") else {
            return Some(invalid("invalid xrpc path"));
        };
        let Some(def) = self.0.get(nsid) else {
            return Some(json_response(
                "501 Not Implemented",
                &json!({"error": "MethodNotImplemented", "message": "Method Not Implemented"}),
            ));
        };
        let procedure = def["type"] == "procedure";
        let expected = if procedure { "POST" } else { "GET" };
        let head_of_query = req.method == "HEAD" && !procedure;
        if req.method != expected && !head_of_query {
            return Some(invalid(format!("Incorrect HTTP method ({}) expected {expected}", req.method)));
        }
        if let Some(message) = params_problem(&def["parameters"], req) {
            return Some(invalid(message));
        }
        let input = &def["input"];
        let body = body_presence(req);
        if input.is_null() {
            return (body == Body::Present).then(|| invalid("A request body was provided when none was expected"));
        }
        if body == Body::Missing {
            return Some(invalid("A request body is expected but none was provided"));
        }
        let Some(encoding) = req.header("content-type").map(|c| c.split(';').next().unwrap_or("").trim()) else {
            return Some(invalid("Request encoding (Content-Type) required but not provided"));
        };
        if encoding != input["encoding"].as_str().unwrap_or_default() {
            return Some(invalid(format!("Wrong request encoding (Content-Type): {encoding}")));
        }
        let Ok(value) = serde_json::from_slice::<Value>(&req.body) else {
            return Some(invalid("Request body is not valid JSON"));
        };
        object_problem(&input["schema"], &value, "Input").map(invalid)
    }
}

#[derive(PartialEq)]
enum Body {
    Missing,
    Empty,
    Present,
}

/// How the reference server tells a body from none: by its headers, not its bytes.
fn body_presence(req: &HttpRequest) -> Body {
    if req.header("transfer-encoding").is_some() {
        return Body::Present;
    }
    match req.header("content-length") {
        Some("0") => Body::Empty,
        Some(_) => Body::Present,
        None => Body::Missing,
    }
}

fn params_problem(params: &Value, req: &HttpRequest) -> Option<String> {
    let url = url::Url::parse(&format!("http://fake{}", req.target)).ok()?;
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in url.query_pairs() {
        given.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    for required in params["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !given.contains_key(required) {
            return Some(format!("Params must have the property \"{required}\""));
        }
    }
    for (name, values) in &given {
        let Some(def) = params["properties"].get(name) else { continue };
        if def["type"] == "array" {
            if let Some(max) = def["maxLength"].as_u64() {
                if values.len() as u64 > max {
                    return Some(format!("Params/{name} must not have more than {max} elements"));
                }
            }
            if let Some(problem) = values.iter().find_map(|v| scalar_problem(&def["items"], v, name)) {
                return Some(problem);
            }
        } else if values.len() > 1 {
            return Some(format!("Params/{name} must be a {}", def["type"].as_str().unwrap_or("value")));
        } else if let Some(problem) = scalar_problem(def, &values[0], name) {
            return Some(problem);
        }
    }
    None
}

fn scalar_problem(def: &Value, value: &str, name: &str) -> Option<String> {
    match def["type"].as_str() {
        Some("integer") => {
            let Ok(n) = value.parse::<i64>() else { return Some(format!("Params/{name} must be an integer")) };
            if def["minimum"].as_i64().is_some_and(|min| n < min) {
                return Some(format!("Params/{name} can not be less than {}", def["minimum"]));
            }
            if def["maximum"].as_i64().is_some_and(|max| n > max) {
                return Some(format!("Params/{name} can not be greater than {}", def["maximum"]));
            }
            None
        }
        Some("boolean") => (!matches!(value, "true" | "false")).then(|| format!("Params/{name} must be a boolean")),
        Some("string") => {
            let allowed = def["enum"].as_array();
            if allowed.is_some_and(|a| !a.iter().any(|v| v == value)) {
                return Some(format!("Params/{name} must be one of {}", def["enum"]));
            }
            format_problem(def["format"].as_str(), value).map(|f| format!("Params/{name} must be a valid {f}"))
        }
        _ => None,
    }
}

/// The formats the methods Earshot calls use, checked as loosely as the reference server's syntax checks.
fn format_problem(format: Option<&str>, value: &str) -> Option<&'static str> {
    let handle = |v: &str| v.contains('.') && !v.starts_with('.') && !v.ends_with('.') && !v.contains(' ');
    let did = |v: &str| v.starts_with("did:") && v.matches(':').count() >= 2 && !v.contains(' ');
    match format? {
        "did" => (!did(value)).then_some("did"),
        "handle" => (!handle(value)).then_some("handle"),
        "at-identifier" => (!did(value) && !handle(value)).then_some("did or handle"),
        "nsid" => (value.split('.').count() < 3).then_some("nsid"),
        "datetime" => chrono::DateTime::parse_from_rfc3339(value).is_err().then_some("datetime"),
        "at-uri" => (!value.starts_with("at://")).then_some("at-uri"),
        _ => None,
    }
}

fn object_problem(schema: &Value, value: &Value, path: &str) -> Option<String> {
    if schema["type"] != "object" {
        return None;
    }
    let Some(object) = value.as_object() else { return Some(format!("{path} must be an object")) };
    for required in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if object.get(required).is_none_or(Value::is_null) {
            return Some(format!("{path} must have the property \"{required}\""));
        }
    }
    for (name, v) in object {
        let Some(def) = schema["properties"].get(name) else { continue };
        let ok = match def["type"].as_str() {
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64(),
            Some("boolean") => v.is_boolean(),
            Some("object") => return object_problem(def, v, &format!("{path}/{name}")),
            _ => true,
        };
        if !ok {
            return Some(format!("{path}/{name} must be a {}", def["type"].as_str().unwrap_or("value")));
        }
        if let Some(f) = v.as_str().and_then(|s| format_problem(def["format"].as_str(), s)) {
            return Some(format!("{path}/{name} must be a valid {f}"));
        }
    }
    None
}
