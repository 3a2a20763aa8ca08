//! Command adapters for customer value: orders and survey imports, the "who is this?" list, the dashboard,
//! Today, the brief, segments, the value settings, and saving a table or chart the owner exports.

use earshot_app::store_types::{Dashboard, Order, WaitingBuyer};
use earshot_app::today::{self, ContactBrief, SegmentMember, Today};
use earshot_app::value::{self, NpsImported, NpsInput, OrdersImportOptions, OrdersImported, ValueConfig};
use earshot_app::ApiError;
use earshot_core::orders::OrdersPreview;
use tauri::AppHandle;

use crate::commands::{file_request, run, save_with_dialog, Shared};

#[tauri::command]
pub async fn orders_preview(ctx: Shared<'_>, request: tauri::ipc::Request<'_>) -> Result<OrdersPreview, ApiError> {
    let (name, bytes, ()) = file_request(&request)?;
    run(&ctx, move |_| value::orders_preview(&name, &bytes)).await
}

#[tauri::command]
pub async fn orders_import(ctx: Shared<'_>, request: tauri::ipc::Request<'_>) -> Result<OrdersImported, ApiError> {
    let (name, bytes, options): (_, _, OrdersImportOptions) = file_request(&request)?;
    run(&ctx, move |c| value::orders_import(c, &name, &bytes, &options)).await
}

#[tauri::command]
pub async fn nps_import(ctx: Shared<'_>, request: tauri::ipc::Request<'_>) -> Result<NpsImported, ApiError> {
    let (name, bytes, ()) = file_request(&request)?;
    run(&ctx, move |c| value::nps_import(c, &name, &bytes)).await
}

#[tauri::command]
pub async fn nps_record(ctx: Shared<'_>, contact_id: i64, input: NpsInput) -> Result<i64, ApiError> {
    run(&ctx, move |c| value::nps_record(c, contact_id, &input)).await
}

#[tauri::command]
pub async fn orders_waiting(ctx: Shared<'_>) -> Result<Vec<WaitingBuyer>, ApiError> {
    run(&ctx, |c| value::orders_waiting(c, 200)).await
}

#[tauri::command]
pub async fn order_assign(ctx: Shared<'_>, order_id: i64, contact_id: Option<i64>) -> Result<i64, ApiError> {
    run(&ctx, move |c| value::order_assign(c, order_id, contact_id)).await
}

#[tauri::command]
pub async fn order_dismiss(ctx: Shared<'_>, order_id: i64) -> Result<i64, ApiError> {
    run(&ctx, move |c| value::order_dismiss(c, order_id)).await
}

#[tauri::command]
pub async fn contact_orders(ctx: Shared<'_>, contact_id: i64) -> Result<Vec<Order>, ApiError> {
    run(&ctx, move |c| value::contact_orders(c, contact_id, 200)).await
}

/// The dashboard; values are recomputed first when they are more than ten minutes old.
#[tauri::command]
pub async fn metrics_get(ctx: Shared<'_>, from: Option<String>, to: Option<String>) -> Result<Dashboard, ApiError> {
    run(&ctx, move |c| {
        value::values_refresh_if_stale(c, 10)?;
        value::metrics_get(c, from.as_deref(), to.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn today_get(ctx: Shared<'_>) -> Result<Today, ApiError> {
    run(&ctx, |c| {
        value::values_refresh_if_stale(c, 10)?;
        today::today(c)
    })
    .await
}

#[tauri::command]
pub async fn contact_brief(ctx: Shared<'_>, id: i64) -> Result<ContactBrief, ApiError> {
    run(&ctx, move |c| today::contact_brief(c, id)).await
}

#[tauri::command]
pub async fn case_close(ctx: Shared<'_>, id: i64, closed: bool) -> Result<(), ApiError> {
    run(&ctx, move |c| today::case_close(c, id, closed)).await
}

#[tauri::command]
pub async fn segment_members(ctx: Shared<'_>, segment: String) -> Result<Vec<SegmentMember>, ApiError> {
    run(&ctx, move |c| today::segment_members(c, &segment, 500)).await
}

#[tauri::command]
pub async fn value_config_get(ctx: Shared<'_>) -> Result<ValueConfig, ApiError> {
    run(&ctx, value::value_config_get).await
}

#[tauri::command]
pub async fn value_config_set(ctx: Shared<'_>, config: ValueConfig) -> Result<ValueConfig, ApiError> {
    run(&ctx, move |c| value::value_config_set(c, &config)).await
}

/// Saves a table (CSV) or a chart (PNG) the owner exports from the dashboard, where they choose.
#[tauri::command]
pub async fn file_save(app: AppHandle, request: tauri::ipc::Request<'_>) -> Result<Option<String>, ApiError> {
    let (name, bytes, ()): (String, _, ()) = file_request(&request)?;
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".csv") || lower.ends_with(".png")) {
        return Err(ApiError::invalid(format!("{name}: only CSV tables and PNG charts are saved this way")));
    }
    save_with_dialog(&app, &name, bytes).await
}
