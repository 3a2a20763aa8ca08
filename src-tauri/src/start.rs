//! The first hour's adapters: the guided start of an empty workspace, and replacing the demo with the
//! owner's own workspace (the listening engine moves over with it).

use earshot_app::guided_start::{self, StartChoice, StartDone};
use earshot_app::open_workspace::{DemoReplaced, OpenWorkspace};
use earshot_app::ApiError;
use earshot_core::guided_start::{self as proposals, BusinessProfile, StartProposal};
use tauri::{AppHandle, Manager};

use crate::commands::{run as blocking, Shared};
use crate::listening::{wake, Listening};

/// What Earshot proposes from the owner's answers. Nothing is saved or fetched.
#[tauri::command]
pub fn guided_start_propose(profile: BusinessProfile) -> StartProposal {
    proposals::propose(&profile)
}

/// Saves what the owner confirmed, then lets the engine check the new sources.
#[tauri::command]
pub async fn guided_start_apply(
    ctx: Shared<'_>,
    listen: tauri::State<'_, Listening>,
    choice: StartChoice,
) -> Result<StartDone, ApiError> {
    let done = blocking(&ctx, move |c| guided_start::apply(c, &choice)).await?;
    wake(&listen, None);
    Ok(done)
}

#[tauri::command]
pub async fn guided_start_skip(ctx: Shared<'_>) -> Result<(), ApiError> {
    blocking(&ctx, guided_start::skip).await
}

/// "Remove the demo and start my own": the engine stops, the demo is kept beside the workspace file or
/// deleted, an empty workspace opens in its place, and the engine starts again on it.
#[tauri::command]
pub async fn workspace_replace_demo(app: AppHandle, keep: bool) -> Result<DemoReplaced, ApiError> {
    let blocking_app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let open = blocking_app.state::<OpenWorkspace>();
        // Listening may not have started (no HTTP client could be set up); the switch does not need it.
        let listen = blocking_app.try_state::<Listening>();
        if let Some(listen) = &listen {
            listen.stop();
        }
        let replaced = open.replace_demo(keep);
        // Listening goes on either way: on the new workspace, or on the demo if it could not be replaced.
        if let (Some(listen), Ok(ctx)) = (&listen, open.get()) {
            listen.restart(&blocking_app, ctx);
        }
        replaced
    })
    .await
    .map_err(|e| ApiError { code: earshot_app::ApiErrorCode::Storage, message: e.to_string() })?
}
