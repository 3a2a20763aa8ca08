//! Telling the owner about urgent mentions while the window is closed: a desktop notification for each new
//! urgent mention (a complaint from a known customer, a negative mention from a wide-reaching author, anything
//! urgent), and the count of urgent open items on the tray icon. Both can be turned off in the app.

use std::sync::Arc;

use earshot_app::triage::{self, Alerts, UrgentNews};
use earshot_app::{ApiError, Ctx};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::commands::{run as blocking, Shared};
use crate::listening::TRAY;

/// Checks for urgent news after new mentions arrived, and tells the owner.
pub fn after_round(app: &AppHandle, ctx: &Arc<Ctx>) {
    // New mentions are read with what the owner's decisions taught before anyone is told about them.
    if let Err(e) = triage::inbox_rescore(ctx) {
        tracing::warn!(code = ?e.code, "new mentions could not be re-scored");
    }
    match triage::urgent_news(ctx) {
        Ok(news) => tell(app, &news),
        Err(e) => tracing::warn!(code = ?e.code, "urgent mentions could not be read"),
    }
}

fn tell(app: &AppHandle, news: &UrgentNews) {
    let shown = news.notify.len().min(triage::NOTIFY_AT_MOST as usize);
    for m in news.notify.iter().take(shown) {
        let (title, body) = triage::urgent_notification(m);
        // A notification that cannot be shown (no notification daemon) is not worth failing anything for.
        let _ = app.notification().builder().title(title).body(body).show();
    }
    if news.notify.len() > shown {
        let _ = app
            .notification()
            .builder()
            .title("Earshot: more urgent mentions")
            .body("Open the inbox to see them all")
            .show();
    }
    if let Some(tray) = app.tray_by_id(TRAY) {
        let count = (news.alerts.badge && news.urgent_open > 0).then(|| news.urgent_open.to_string());
        let _ = tray.set_title(count.as_deref());
        let tip = match news.urgent_open {
            0 => "Earshot is listening".to_string(),
            n => format!("Earshot is listening: {n} urgent"),
        };
        let _ = tray.set_tooltip(Some(tip));
    }
}

#[tauri::command]
pub async fn alerts_get(ctx: Shared<'_>) -> Result<Alerts, ApiError> {
    blocking(&ctx, triage::alerts_get).await
}

#[tauri::command]
pub async fn alerts_set(app: AppHandle, ctx: Shared<'_>, alerts: Alerts) -> Result<Alerts, ApiError> {
    let saved = blocking(&ctx, move |c| triage::alerts_set(c, alerts)).await?;
    let shared = ctx.get()?;
    // The badge follows the setting at once.
    tauri::async_runtime::spawn_blocking(move || after_round(&app, &shared));
    Ok(saved)
}
