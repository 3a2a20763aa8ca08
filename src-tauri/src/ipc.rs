//! The webview's calls, handed to the one registry of commands (`earshot_app::registry`). Tauri has
//! already checked each call against the window's capability before it gets here.

use std::sync::Arc;

use earshot_app::registry::{self, Call};
use earshot_app::services::Services;
use earshot_app::{ApiError, ApiErrorCode};
use tauri::ipc::{Invoke, InvokeBody, InvokeResponseBody};
use tauri::{Manager, Runtime};

/// Answers one call. `false` for a name that is not a command, so Tauri says so.
pub fn handle<R: Runtime>(invoke: Invoke<R>) -> bool {
    let name = invoke.message.command().to_string();
    if !registry::is_command(&name) {
        return false;
    }
    let Some(services) = invoke.message.webview().try_state::<Arc<Services>>().map(|s| s.inner().clone()) else {
        invoke.resolver.reject(ApiError { code: ApiErrorCode::Storage, message: "the workspace is not open".into() });
        return true;
    };
    let call = match invoke.message.payload() {
        InvokeBody::Json(args) => Ok(Call::json(args.clone())),
        InvokeBody::Raw(bytes) => Call::with_file(bytes.clone(), |header| {
            invoke.message.headers().get(header).and_then(|v| v.to_str().ok()).map(str::to_string)
        }),
    };
    invoke.resolver.respond_async_serialized(async move {
        let answer = registry::dispatch(services, &name, call?).await?;
        Ok(InvokeResponseBody::Json(answer.to_string()))
    });
    true
}
