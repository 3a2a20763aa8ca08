//! Command adapters: each turns an IPC call into one use case of `earshot-app`, run off the UI thread.

use earshot_app::contacts::{self, ContactDetail, TaskInput};
use earshot_app::export::{self, ExportFormat};
use earshot_app::imports::{self, ImportOptions, ImportPreview, ImportProgress};
use earshot_app::merges;
use earshot_app::open_workspace::OpenWorkspace;
use earshot_app::store_types::*;
use earshot_app::workspace::{self, WorkspaceInfo, WorkspaceStart};
use earshot_app::{ApiError, Ctx};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

pub(crate) type Shared<'a> = State<'a, OpenWorkspace>;

/// Runs a use case on the blocking pool, so the window stays responsive while SQLite works.
pub(crate) async fn run<T: Send + 'static>(
    ctx: &Shared<'_>,
    f: impl FnOnce(&Ctx) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let ctx = ctx.get()?;
    tauri::async_runtime::spawn_blocking(move || f(&ctx))
        .await
        .map_err(|e| ApiError { code: earshot_app::ApiErrorCode::Storage, message: e.to_string() })?
}

#[tauri::command]
pub async fn workspace_info(ctx: Shared<'_>) -> Result<WorkspaceInfo, ApiError> {
    run(&ctx, workspace::workspace_info).await
}

#[tauri::command]
pub async fn workspace_start(ctx: Shared<'_>, start: WorkspaceStart) -> Result<WorkspaceInfo, ApiError> {
    run(&ctx, move |c| workspace::workspace_start(c, start)).await
}

#[tauri::command]
pub async fn contacts_page(
    ctx: Shared<'_>,
    offset: i64,
    limit: i64,
    tag: Option<String>,
) -> Result<ContactPage, ApiError> {
    run(&ctx, move |c| contacts::contacts_page(c, offset, limit, tag.as_deref())).await
}

#[tauri::command]
pub async fn contacts_search(ctx: Shared<'_>, query: String, limit: i64) -> Result<Vec<ContactSummary>, ApiError> {
    run(&ctx, move |c| contacts::contacts_search(c, &query, limit)).await
}

#[tauri::command]
pub async fn contact_get(ctx: Shared<'_>, id: i64) -> Result<ContactDetail, ApiError> {
    run(&ctx, move |c| contacts::contact_get(c, id)).await
}

#[tauri::command]
pub async fn contact_photo(ctx: Shared<'_>, id: i64) -> Result<Option<String>, ApiError> {
    run(&ctx, move |c| contacts::contact_photo(c, id)).await
}

#[tauri::command]
pub async fn contact_create(ctx: Shared<'_>, input: ContactInput) -> Result<Contact, ApiError> {
    run(&ctx, move |c| contacts::contact_create(c, &input)).await
}

#[tauri::command]
pub async fn contact_update(ctx: Shared<'_>, id: i64, input: ContactInput) -> Result<Contact, ApiError> {
    run(&ctx, move |c| contacts::contact_update(c, id, &input)).await
}

#[tauri::command]
pub async fn contact_delete(ctx: Shared<'_>, id: i64) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::contact_delete(c, id)).await
}

#[tauri::command]
pub async fn contact_restore(ctx: Shared<'_>, id: i64) -> Result<Contact, ApiError> {
    run(&ctx, move |c| contacts::contact_restore(c, id)).await
}

#[tauri::command]
pub async fn contact_tag(ctx: Shared<'_>, id: i64, tag: String, on: bool) -> Result<Vec<String>, ApiError> {
    run(&ctx, move |c| contacts::contact_tag(c, id, &tag, on)).await
}

#[tauri::command]
pub async fn tags_list(ctx: Shared<'_>) -> Result<Vec<TagCount>, ApiError> {
    run(&ctx, contacts::tags_list).await
}

#[tauri::command]
pub async fn note_add(ctx: Shared<'_>, contact_id: i64, body: String) -> Result<i64, ApiError> {
    run(&ctx, move |c| contacts::note_add(c, contact_id, &body)).await
}

#[tauri::command]
pub async fn note_edit(ctx: Shared<'_>, id: i64, body: String) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::note_edit(c, id, &body)).await
}

#[tauri::command]
pub async fn note_delete(ctx: Shared<'_>, id: i64, deleted: bool) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::note_delete(c, id, deleted)).await
}

#[tauri::command]
pub async fn activity_log(ctx: Shared<'_>, contact_id: i64, input: ActivityInput) -> Result<i64, ApiError> {
    run(&ctx, move |c| contacts::activity_log(c, contact_id, &input)).await
}

#[tauri::command]
pub async fn activity_delete(ctx: Shared<'_>, id: i64, deleted: bool) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::activity_delete(c, id, deleted)).await
}

#[tauri::command]
pub async fn task_add(ctx: Shared<'_>, contact_id: i64, input: TaskInput) -> Result<i64, ApiError> {
    run(&ctx, move |c| contacts::task_add(c, contact_id, &input)).await
}

#[tauri::command]
pub async fn task_done(ctx: Shared<'_>, id: i64, done: bool) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::task_done(c, id, done)).await
}

#[tauri::command]
pub async fn task_delete(ctx: Shared<'_>, id: i64, deleted: bool) -> Result<(), ApiError> {
    run(&ctx, move |c| contacts::task_delete(c, id, deleted)).await
}

#[tauri::command]
pub async fn tasks_open(ctx: Shared<'_>) -> Result<Vec<Task>, ApiError> {
    run(&ctx, contacts::tasks_open).await
}

#[tauri::command]
pub async fn keep_in_touch_set(ctx: Shared<'_>, contact_id: i64, days: Option<i64>) -> Result<Contact, ApiError> {
    run(&ctx, move |c| contacts::keep_in_touch_set(c, contact_id, days)).await
}

#[tauri::command]
pub async fn reconnect_list(ctx: Shared<'_>) -> Result<Vec<Reconnect>, ApiError> {
    run(&ctx, contacts::reconnect_list).await
}

/// The file travels as the raw request body; its name and the options as headers.
pub(crate) fn file_request<O: serde::de::DeserializeOwned + Default>(
    request: &tauri::ipc::Request<'_>,
) -> Result<(String, Vec<u8>, O), ApiError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ApiError::invalid("the file did not arrive as bytes; choose it again"));
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let name = header("x-file-name").map(|n| decode_header(&n)).unwrap_or_else(|| "file".into());
    let options = match header("x-import-options") {
        Some(json) => serde_json::from_str(&decode_header(&json))
            .map_err(|e| ApiError::invalid(format!("import options are not valid: {e}")))?,
        None => O::default(),
    };
    Ok((name, bytes.clone(), options))
}

/// Header values are ASCII; the UI percent-encodes names like "Zoë's contacts.vcf".
fn decode_header(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(v) = value.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tauri::command]
pub async fn import_preview(ctx: Shared<'_>, request: tauri::ipc::Request<'_>) -> Result<ImportPreview, ApiError> {
    let (name, bytes, _) = file_request::<ImportOptions>(&request)?;
    run(&ctx, move |_| imports::import_preview(&name, &bytes)).await
}

#[tauri::command]
pub async fn import_run(
    app: AppHandle,
    ctx: Shared<'_>,
    request: tauri::ipc::Request<'_>,
) -> Result<ImportSummary, ApiError> {
    let (name, bytes, options): (_, _, ImportOptions) = file_request(&request)?;
    run(&ctx, move |c| {
        imports::import_run(c, &name, &bytes, &options, &mut |p: ImportProgress| {
            let _ = app.emit("import-progress", p);
        })
    })
    .await
}

#[tauri::command]
pub async fn import_undo(ctx: Shared<'_>, id: i64) -> Result<ImportSummary, ApiError> {
    run(&ctx, move |c| imports::import_undo(c, id)).await
}

#[tauri::command]
pub async fn imports_list(ctx: Shared<'_>) -> Result<Vec<ImportSummary>, ApiError> {
    run(&ctx, imports::imports_list).await
}

#[tauri::command]
pub async fn merge_suggestions(ctx: Shared<'_>) -> Result<Vec<MergeSuggestion>, ApiError> {
    run(&ctx, |c| merges::merge_suggestions(c, 200)).await
}

#[tauri::command]
pub async fn contact_merge(ctx: Shared<'_>, keep: i64, merge: i64) -> Result<i64, ApiError> {
    run(&ctx, move |c| merges::contact_merge(c, keep, merge)).await
}

#[tauri::command]
pub async fn merge_undo(ctx: Shared<'_>, id: i64) -> Result<(), ApiError> {
    run(&ctx, move |c| merges::merge_undo(c, id)).await
}

#[tauri::command]
pub async fn merge_dismiss(ctx: Shared<'_>, a: i64, b: i64) -> Result<(), ApiError> {
    run(&ctx, move |c| merges::merge_dismiss(c, a, b)).await
}

/// Asks where to save (a native dialog), then writes the export there. `None` when the owner cancels.
#[tauri::command]
pub async fn export_save(app: AppHandle, ctx: Shared<'_>, format: ExportFormat) -> Result<Option<String>, ApiError> {
    let text = run(&ctx, move |c| export::export(c, format)).await?;
    save_with_dialog(&app, &format!("earshot-contacts.{}", format.file_extension()), text.into_bytes()).await
}

/// Asks where to save `bytes` (a native dialog, `file_name` proposed), then writes them there, atomically.
/// `None` when the owner cancels.
pub(crate) async fn save_with_dialog(
    app: &AppHandle,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Option<String>, ApiError> {
    let (tx, rx) = std::sync::mpsc::channel();
    app.dialog().file().set_file_name(file_name).save_file(move |path| {
        let _ = tx.send(path);
    });
    let chosen = tauri::async_runtime::spawn_blocking(move || rx.recv().ok().flatten())
        .await
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let Some(path) = chosen else { return Ok(None) };
    let path = path.into_path().map_err(|e| ApiError::invalid(format!("cannot save there: {e}")))?;
    // The save dialog has asked before replacing a file.
    earshot_app::files::save_private(&path, &bytes, true)?;
    Ok(Some(path.display().to_string()))
}

/// Opens a link in the browser or mail app, after the one check every link goes through.
#[tauri::command]
pub async fn url_open(app: AppHandle, url: String) -> Result<(), ApiError> {
    let url = earshot_core::url_safety::safe_external_url(&url).map_err(|e| ApiError::invalid(e.to_string()))?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| ApiError::invalid(format!("cannot open the link: {e}")))
}
