//! The desktop shell: opens the workspace, registers the plugins and the command adapters, and keeps the
//! webview on the app's own pages. All behaviour lives in `earshot-app`; nothing here touches SQL.

mod alerts;
mod commands;
mod listening;
mod start;
mod triage;
mod value;
include!("command_names.rs");

use earshot_app::open_workspace::OpenWorkspace;
use earshot_app::Ctx;
use std::path::PathBuf;
use tauri::Manager;
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

/// The workspace file: `--db PATH` on the command line, else the one the `earshot` command line uses too
/// (`$EARSHOT_DB`, else the OS app-data folder).
fn workspace_path() -> PathBuf {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(path) = args.next() {
                return PathBuf::from(path);
            }
        } else if let Some(path) = arg.strip_prefix("--db=") {
            return PathBuf::from(path);
        }
    }
    earshot_app::default_db_path()
}

/// Only the app's own pages load in the webview; a link anywhere else is refused (the UI opens links
/// through `url_open`, which checks them and hands them to the browser).
fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let app_origin = matches!(url.scheme(), "tauri") || url.host_str() == Some("tauri.localhost");
            let dev_server = cfg!(debug_assertions) && url.host_str() == Some("localhost") && url.port() == Some(1420);
            app_origin || dev_server
        })
        .build()
}

/// With `EARSHOT_STARTUP_TRACE=1`, prints one line when the window's page has loaded, so start-up can be
/// timed from outside (scripts/measure-startup.sh).
pub fn trace_page_load<R: tauri::Runtime>(_webview: &tauri::Webview<R>, payload: &tauri::webview::PageLoadPayload<'_>) {
    if payload.event() == tauri::webview::PageLoadEvent::Finished
        && std::env::var("EARSHOT_STARTUP_TRACE").as_deref() == Ok("1")
    {
        eprintln!("earshot-startup: page loaded");
    }
}

/// The log's writer, flushed when the app exits (Tauri ends the process without unwinding `run`).
static LOG: std::sync::Mutex<Option<earshot_app::logging::LogGuard>> = std::sync::Mutex::new(None);

/// Linux: WebKitGTK draws the window without GPU compositing unless the person asks for it with
/// `WEBKIT_DISABLE_COMPOSITING_MODE=0`. Earshot is text, lists and a few static charts: compositing buys
/// nothing visible here, yet its layer buffers were most of the idle memory (88 MiB of 339 MiB on the demo,
/// BENCHMARKS.md), and it is the usual cause of blank windows on some GPU drivers. WebKit reads the variable
/// when it starts, so this runs first, while the process has one thread.
fn software_rendering_by_default() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

pub fn run() {
    software_rendering_by_default();
    *LOG.lock().unwrap_or_else(|p| p.into_inner()) = earshot_app::logging::init(earshot_app::logging::Program::Desktop);
    tauri::Builder::default()
        .on_page_load(trace_page_load)
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(navigation_guard())
        .setup(|app| {
            let path = workspace_path();
            match Ctx::open(&path) {
                Ok(ctx) => {
                    let open = OpenWorkspace::new(ctx);
                    let ctx = open.get().expect("a workspace was just opened");
                    app.manage(open);
                    match listening::start(app.handle(), ctx) {
                        Ok(listen) => {
                            app.manage(listen);
                        }
                        Err(e) => tracing::error!(error = %e, "listening could not start"),
                    }
                    // Without a tray (some desktops have none; the tray library panics when its system library is
                    // missing) closing the window quits, as usual.
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| listening::tray(app.handle()))) {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "no tray icon"),
                        Err(_) => tracing::warn!("no tray icon: the system's app indicator library is missing"),
                    }
                }
                Err(e) => {
                    tracing::error!(code = ?e.code, "the workspace could not be opened");
                    let handle = app.handle().clone();
                    app.dialog()
                        .message(format!("Earshot cannot open its workspace.\n\n{}", e.message))
                        .title("Earshot")
                        .kind(MessageDialogKind::Error)
                        .show(move |_| handle.exit(1));
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspace_info,
            commands::workspace_start,
            start::workspace_replace_demo,
            start::guided_start_propose,
            start::guided_start_apply,
            start::guided_start_skip,
            commands::contacts_page,
            commands::contacts_search,
            commands::contact_get,
            commands::contact_photo,
            commands::contact_create,
            commands::contact_update,
            commands::contact_delete,
            commands::contact_restore,
            commands::contact_tag,
            commands::tags_list,
            commands::note_add,
            commands::note_edit,
            commands::note_delete,
            commands::activity_log,
            commands::activity_delete,
            commands::task_add,
            commands::task_done,
            commands::task_delete,
            commands::tasks_open,
            commands::keep_in_touch_set,
            commands::reconnect_list,
            commands::import_preview,
            commands::import_run,
            commands::import_undo,
            commands::imports_list,
            commands::merge_suggestions,
            commands::contact_merge,
            commands::merge_undo,
            commands::merge_dismiss,
            commands::export_save,
            commands::url_open,
            listening::secrets_status,
            listening::diagnostics_get,
            listening::queries_list,
            listening::own_handles_list,
            listening::own_handles_set,
            listening::query_add,
            listening::query_remove,
            listening::query_preview,
            listening::sources_list,
            listening::source_add_feed,
            listening::source_add_hn,
            listening::source_add_mastodon_hashtag,
            listening::source_add_mastodon_account,
            listening::source_add_bluesky,
            listening::source_remove,
            listening::source_check_now,
            listening::mentions_list,
            listening::mention_capture,
            triage::mentions_inbox,
            triage::mention_triage,
            triage::mention_undo,
            triage::mention_link,
            triage::mention_create_contact,
            triage::mention_reply,
            triage::mention_mark_replied,
            triage::mention_hide_like,
            triage::rules_list,
            triage::rule_add,
            triage::rule_remove,
            triage::outbox_list,
            triage::outbox_retry,
            triage::people_list,
            triage::mention_suggest_contacts,
            triage::mention_explain,
            alerts::alerts_get,
            alerts::alerts_set,
            value::orders_preview,
            value::orders_import,
            value::nps_import,
            value::nps_record,
            value::orders_waiting,
            value::order_assign,
            value::order_dismiss,
            value::contact_orders,
            value::metrics_get,
            value::today_get,
            value::contact_brief,
            value::case_close,
            value::segment_members,
            value::value_config_get,
            value::value_config_set,
            value::file_save,
        ])
        .on_window_event(listening::hide_on_close)
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the app could not start");
            eprintln!("earshot: the app could not start: {e}");
            std::process::exit(1);
        })
        .run(|app, event| {
            // Tauri ends the process without dropping managed state: close the workspace cleanly here, or
            // every start would look like a recovery from a crash.
            if let tauri::RunEvent::Exit = event {
                if let Some(listen) = app.try_state::<listening::Listening>() {
                    listen.stop();
                }
                if let Some(ctx) = app.try_state::<OpenWorkspace>().and_then(|open| open.get().ok()) {
                    ctx.store.close_cleanly();
                }
                tracing::info!("stopped");
                drop(LOG.lock().unwrap_or_else(|p| p.into_inner()).take());
            }
        });
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    #[test]
    fn every_command_is_granted_to_the_main_window_and_nothing_else() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capability file is JSON");
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("allow-"))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        assert_eq!(granted, expected);
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        let all = capability["permissions"].to_string();
        for plugin in ["shell:", "fs:", "http:", "opener:", "dialog:"] {
            assert!(!all.contains(plugin), "the webview must not get {plugin} permissions");
        }
    }

    /// The content security policy the installed app runs with stays closed: nothing by default, no inline or
    /// evaluated script, nothing from another origin. (`devCsp` is only for `tauri dev`.)
    #[test]
    fn the_content_security_policy_never_loosens() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json is JSON");
        let csp = conf["app"]["security"]["csp"].as_object().expect("a CSP is set");
        assert_eq!(csp["default-src"], "'none'");
        for (directive, value) in csp {
            let value = value.as_str().unwrap_or_default();
            for loose in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*", "blob:"] {
                assert!(!value.split_whitespace().any(|v| v == loose), "{directive} allows {loose}");
            }
            let remote = value.split_whitespace().filter(|v| v.starts_with("http") || v.starts_with("ws"));
            for origin in remote {
                assert_eq!(origin, "http://ipc.localhost", "{directive} allows the remote origin {origin}");
            }
            if directive == "script-src" {
                assert_eq!(value, "'self'", "scripts come from the app only");
            }
        }
    }
}
