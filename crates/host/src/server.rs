//! The HTTP side: `POST /ipc/<command>` runs a command (JSON arguments, or a file as the raw body with its
//! name and arguments in headers, as the desktop's IPC carries them), `GET /events` streams events as
//! server-sent events, and anything else is a file of the UI. Only requests addressed to this server on
//! 127.0.0.1 are answered: a page elsewhere cannot reach it through a renamed host or a cross-site post.

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;
use earshot_app::registry::{self, Call, Event};
use earshot_app::services::Services;
use earshot_app::{ApiError, ApiErrorCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, ORIGIN};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

type Body = BoxBody<Bytes, Infallible>;

struct Server {
    services: Arc<Services>,
    events: tokio::sync::broadcast::Sender<Event>,
    ui: PathBuf,
    /// `127.0.0.1:<port>`: the only `Host` answered.
    authority: String,
}

/// Serves until Ctrl-C. Prints the address on the first line of stdout once it accepts connections.
pub async fn serve(
    services: Arc<Services>,
    events: tokio::sync::broadcast::Sender<Event>,
    ui: PathBuf,
    port: u16,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.context("cannot listen on 127.0.0.1")?;
    let address = listener.local_addr()?;
    println!("http://{address}/");
    let server = Arc::new(Server { services, events, ui, authority: address.to_string() });
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted.context("cannot accept a connection")?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let server = server.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let server = server.clone();
                async move { Ok::<_, Infallible>(server.answer(request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

impl Server {
    async fn answer(&self, request: Request<Incoming>) -> Response<Body> {
        if let Some(refused) = self.refused(&request) {
            return refused;
        }
        let path = request.uri().path().to_string();
        match (request.method(), path.strip_prefix("/ipc/")) {
            (&Method::POST, Some(command)) => {
                let command = command.to_string();
                self.command(&command, request).await
            }
            (&Method::GET, None) if path == "/events" => self.event_stream(),
            (&Method::GET, None) => self.file(&path).await,
            _ => plain(StatusCode::METHOD_NOT_ALLOWED, "not allowed"),
        }
    }

    /// Requests for another host name (DNS rebinding) or from another origin are refused.
    fn refused(&self, request: &Request<Incoming>) -> Option<Response<Body>> {
        let host = request.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        if host != self.authority {
            return Some(plain(StatusCode::MISDIRECTED_REQUEST, "this server answers only at its own address"));
        }
        let origin = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok());
        if origin.is_some_and(|o| o != format!("http://{}", self.authority)) {
            return Some(plain(StatusCode::FORBIDDEN, "calls from another origin are refused"));
        }
        None
    }

    async fn command(&self, name: &str, request: Request<Incoming>) -> Response<Body> {
        let is_file =
            request.headers().get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/octet-stream"));
        let headers = request.headers().clone();
        let body = match request.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return error(ApiError::invalid(format!("the request could not be read: {e}"))),
        };
        let call = if is_file {
            Call::with_file(body.to_vec(), |h| headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_string))
        } else if body.is_empty() {
            Ok(Call::default())
        } else {
            serde_json::from_slice(&body)
                .map(Call::json)
                .map_err(|e| ApiError::invalid(format!("{name}: the arguments are not JSON: {e}")))
        };
        let answer = match call {
            Ok(call) => registry::dispatch(self.services.clone(), name, call).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(value) => json(StatusCode::OK, value.to_string()),
            Err(e) => error(e),
        }
    }

    fn event_stream(&self) -> Response<Body> {
        let receiver = self.events.subscribe();
        let hello = futures_util::stream::once(async { Ok(Frame::data(Bytes::from_static(b": connected\n\n"))) });
        let events = futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(event) => {
                        let frame = format!("event: {}\ndata: {}\n\n", event.name(), event.payload());
                        return Some((Ok(Frame::data(Bytes::from(frame))), receiver));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        let mut response = Response::new(StreamBody::new(futures_util::StreamExt::chain(hello, events)).boxed());
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
        response
    }

    async fn file(&self, path: &str) -> Response<Body> {
        let relative = if path == "/" { "index.html" } else { path.trim_start_matches('/') };
        let Some(file) = inside(&self.ui, relative) else { return plain(StatusCode::NOT_FOUND, "not found") };
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let mut response = Response::new(Full::new(Bytes::from(bytes)).boxed());
                response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
                response
            }
            Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
        }
    }
}

/// `relative` under `root`, or `None` when it would step outside it.
fn inside(root: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    relative.components().all(|c| matches!(c, Component::Normal(_))).then(|| root.join(relative))
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn json(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error(e: ApiError) -> Response<Body> {
    let status = match e.code {
        ApiErrorCode::NotFound => StatusCode::NOT_FOUND,
        ApiErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ApiErrorCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ApiErrorCode::Storage | ApiErrorCode::NewerSchema | ApiErrorCode::Corrupt => StatusCode::INTERNAL_SERVER_ERROR,
    };
    json(status, serde_json::json!({ "code": e.code, "message": e.message }).to_string())
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_files_never_come_from_outside_the_ui_folder() {
        let root = Path::new("/srv/ui");
        assert_eq!(inside(root, "assets/app.js"), Some(PathBuf::from("/srv/ui/assets/app.js")));
        assert_eq!(inside(root, "../secret.db"), None);
        assert_eq!(inside(root, "assets/../../secret.db"), None);
        assert_eq!(inside(root, "/etc/passwd"), None);
    }
}
