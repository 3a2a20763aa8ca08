//! The desktop shell: opens the workspace, assembles Earshot's services around it with the desktop's
//! [`host::DesktopHost`], hands the webview's calls to the one registry of commands, and keeps the webview
//! on the app's own pages. All behaviour lives in `earshot-app`; nothing here touches SQL.
//!
//! Adding a command touches nothing here: it is declared in `earshot-app`'s registry, and the list in
//! `command_names.rs` and the capability in `capabilities/main.toml` are generated from it. A new screen is a
//! Svelte component under `ui/src/lib/components` that calls the generated `api`.

mod host;
mod ipc;
mod tray;
include!("command_names.rs");

use std::sync::Arc;

use earshot_app::services::{Assembly, SecretsFallback, ServiceUrls, Services};
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
            let runtime = tauri::async_runtime::handle().inner().clone();
            let assembly =
                Assembly { urls: ServiceUrls::default(), secrets: SecretsFallback::ProcessMemory, given_secrets: None };
            let host = Arc::new(host::DesktopHost(app.handle().clone()));
            match Ctx::open(&path).and_then(|ctx| Services::new(ctx, assembly, host, runtime)) {
                Ok(services) => {
                    services.start_listening();
                    app.manage(services);
                    // Without a tray (some desktops have none; the tray library panics when its system library is
                    // missing) closing the window quits, as usual.
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tray::tray(app.handle()))) {
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
        .invoke_handler(ipc::handle)
        .on_window_event(tray::hide_on_close)
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
                if let Some(services) = app.try_state::<Arc<Services>>() {
                    services.stop_listening();
                    if let Ok(ctx) = services.ctx() {
                        ctx.store.close_cleanly();
                    }
                }
                tracing::info!("stopped");
                drop(LOG.lock().unwrap_or_else(|p| p.into_inner()).take());
            }
        });
}

#[cfg(test)]
mod tests {
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
