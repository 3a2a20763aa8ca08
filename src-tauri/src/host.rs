//! What only the desktop can do for the commands: events to the window, the browser, the native save
//! dialog, and telling the owner about urgent mentions while the window is closed (a desktop notification
//! for each new urgent mention, the count of urgent open items on the tray icon; both can be turned off).

use std::path::PathBuf;

use earshot_app::registry::Event;
use earshot_app::services::Host;
use earshot_app::triage::{self, UrgentNews};
use tauri::{AppHandle, Emitter};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_opener::OpenerExt;

use crate::tray::TRAY;

pub struct DesktopHost(pub AppHandle);

impl Host for DesktopHost {
    fn emit(&self, event: Event) {
        let _ = self.0.emit(event.name(), event.payload());
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.0.opener().open_url(url, None::<&str>).map_err(|e| e.to_string())
    }

    fn choose_save_path(&self, file_name: &str) -> Option<PathBuf> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.0.dialog().file().set_file_name(file_name).save_file(move |path| {
            let _ = tx.send(path);
        });
        rx.recv().ok().flatten().and_then(|path| path.into_path().ok())
    }

    fn tell_urgent(&self, news: &UrgentNews) {
        let app = &self.0;
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

    fn tell_assigned(&self, mentions: &[earshot_app::store_types::Mention]) {
        let app = &self.0;
        let shown = mentions.len().min(triage::NOTIFY_AT_MOST as usize);
        for m in mentions.iter().take(shown) {
            let (title, body) = triage::assigned_notification(m);
            let _ = app.notification().builder().title(title).body(body).show();
        }
        if mentions.len() > shown {
            let body = format!("{} more: open \"Assigned to me\" in the inbox", mentions.len() - shown);
            let _ = app.notification().builder().title("Earshot: more assigned to you").body(body).show();
        }
    }
}
