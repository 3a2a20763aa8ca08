//! The listening side of the shell: the background engine started with the app (it keeps running while
//! the window is hidden in the tray and stops on quit), its events forwarded to the UI, and the command
//! adapters for queries, sources, sign-ins, mentions and capture.

use std::sync::Arc;

use earshot_app::accounts;
use earshot_app::accounts::SecretsStatus;
use earshot_app::diagnostics::Diagnostics;
use earshot_app::listening::{self, Capture, QueryPreview};
use earshot_app::store_types::{ListeningQuery, Mention, Source};
use earshot_app::sync::{run_engine, CancellationToken, EngineCommand, EngineEvent};
use earshot_app::{ApiError, Ctx};
use earshot_secrets::{Persistence, SecretStore, Sensitive};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_opener::OpenerExt;

/// The event the UI listens to for live listening status.
pub const EVENT: &str = "listening";

/// How long the keychain may take to answer its self-test before Earshot goes on without it (a locked
/// keychain can wait for an unlock prompt nobody sees).
const KEYCHAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where secrets go, chosen once (the first time anything needs it, off the UI thread).
struct Secrets {
    store: Arc<dyn SecretStore>,
    status: SecretsStatus,
}

/// What the shell keeps for listening: the secret store, the HTTP client, and the running engine.
pub struct Listening {
    secrets: Arc<tokio::sync::OnceCell<Secrets>>,
    pub fetcher: Arc<earshot_sync::Fetcher>,
    engine: std::sync::Mutex<Engine>,
}

/// The engine's mailbox, its stop switch, and the signal it sends when it has stopped.
struct Engine {
    mailbox: tokio::sync::mpsc::Sender<EngineCommand>,
    stop: CancellationToken,
    stopped: std::sync::mpsc::Receiver<()>,
}

async fn open_secrets(cell: &tokio::sync::OnceCell<Secrets>) -> &Secrets {
    cell.get_or_init(|| async {
        let opened =
            tokio::time::timeout(KEYCHAIN_TIMEOUT, tauri::async_runtime::spawn_blocking(earshot_secrets::open)).await;
        match opened {
            Ok(Ok(o)) => Secrets { status: SecretsStatus::new(o.persistence, o.problem), store: Arc::from(o.store) },
            _ => Secrets {
                store: Arc::new(earshot_secrets::MemorySecrets::default()),
                status: SecretsStatus::new(
                    Persistence::Process,
                    Some("the system keychain did not answer (it may be locked)".into()),
                ),
            },
        }
    })
    .await
}

impl Listening {
    /// Tells the engine to stop and waits (briefly) for its round to finish, so quitting never cuts a write.
    /// The engine stops even in the middle of a check; only replies being sent finish first, so this waits
    /// at most for those. Calling it again returns at once.
    pub fn stop(&self) {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        engine.stop.cancel();
        let _ = engine.stopped.recv_timeout(std::time::Duration::from_secs(5));
    }

    /// Stops the engine and starts it again on `ctx` (the workspace the app has open now).
    pub fn restart(&self, app: &AppHandle, ctx: Arc<Ctx>) {
        self.stop();
        *self.engine.lock().unwrap_or_else(|p| p.into_inner()) =
            spawn_engine(app, ctx, self.secrets.clone(), self.fetcher.clone());
    }

    fn send(&self, command: EngineCommand) {
        let _ = self.engine.lock().unwrap_or_else(|p| p.into_inner()).mailbox.try_send(command);
    }

    /// Wakes the engine so queued replies go out now (it checks only the sources that are due).
    pub fn send_replies(&self) {
        self.send(EngineCommand::SendReplies);
    }

    async fn secrets(&self) -> &Secrets {
        open_secrets(&self.secrets).await
    }
}

/// Starts the engine in the background: it first settles where secrets go, then checks sources as they
/// fall due. Nothing here blocks the window from opening.
pub fn start(app: &AppHandle, ctx: Arc<Ctx>) -> Result<Listening, String> {
    let fetcher = Arc::new(earshot_sync::Fetcher::new().map_err(|e| format!("cannot set up the HTTP client: {e}"))?);
    let secrets = Arc::new(tokio::sync::OnceCell::new());
    let engine = spawn_engine(app, ctx, secrets.clone(), fetcher.clone());
    Ok(Listening { secrets, fetcher, engine: std::sync::Mutex::new(engine) })
}

fn spawn_engine(
    app: &AppHandle,
    ctx: Arc<Ctx>,
    secrets: Arc<tokio::sync::OnceCell<Secrets>>,
    fetcher: Arc<earshot_sync::Fetcher>,
) -> Engine {
    let (mailbox, commands) = tokio::sync::mpsc::channel(16);
    let (done_tx, stopped) = std::sync::mpsc::channel();
    let stop = CancellationToken::new();
    let engine_stop = stop.clone();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let store = open_secrets(&secrets).await.store.clone();
        let alert_ctx = ctx.clone();
        let alert_app = handle.clone();
        // The tray badge from the start; notifications only for what arrives from now on.
        tauri::async_runtime::spawn_blocking({
            let (app, ctx) = (alert_app.clone(), alert_ctx.clone());
            move || crate::alerts::after_round(&app, &ctx)
        });
        let mut emit = move |event: EngineEvent| {
            if matches!(event, EngineEvent::Round { new_mentions, .. } if new_mentions > 0) {
                let (app, ctx) = (alert_app.clone(), alert_ctx.clone());
                tauri::async_runtime::spawn_blocking(move || crate::alerts::after_round(&app, &ctx));
            }
            let _ = handle.emit(EVENT, &event);
        };
        run_engine(&ctx, &fetcher, store.as_ref(), commands, &engine_stop, &mut emit).await;
        // The engine's own holds on the workspace end here, before anyone hears it has stopped.
        drop(emit);
        drop(ctx);
        let _ = done_tx.send(());
    });
    Engine { mailbox, stop, stopped }
}

use crate::commands::{run as blocking, Shared};

type Listen<'a> = State<'a, Listening>;

/// Wakes the engine so a new or changed source is checked at once.
pub(crate) fn wake(listen: &Listening, source: Option<i64>) {
    listen.send(EngineCommand::CheckNow(source));
}

/// A source was just added: check it now.
fn added(listen: &Listening, source: Result<Source, ApiError>) -> Result<Source, ApiError> {
    let source = source?;
    wake(listen, Some(source.id));
    Ok(source)
}

#[tauri::command]
pub async fn secrets_status(listen: Listen<'_>) -> Result<SecretsStatus, ApiError> {
    Ok(listen.secrets().await.status.clone())
}

/// The report behind "Copy diagnostics": version, schema, sources' state, the recent log.
#[tauri::command]
pub async fn diagnostics_get(ctx: Shared<'_>, listen: Listen<'_>) -> Result<Diagnostics, ApiError> {
    let secrets = listen.secrets().await.status.clone();
    blocking(&ctx, move |c| earshot_app::diagnostics::diagnostics(c, Some(&secrets))).await
}

#[tauri::command]
pub async fn queries_list(ctx: Shared<'_>) -> Result<Vec<ListeningQuery>, ApiError> {
    blocking(&ctx, listening::queries_list).await
}

#[tauri::command]
pub async fn query_add(
    ctx: Shared<'_>,
    listen: Listen<'_>,
    kind: String,
    query: String,
) -> Result<ListeningQuery, ApiError> {
    let added = blocking(&ctx, move |c| listening::queries_add(c, &kind, &query)).await?;
    wake(&listen, None);
    Ok(added)
}

#[tauri::command]
pub async fn query_remove(ctx: Shared<'_>, id: i64) -> Result<(), ApiError> {
    blocking(&ctx, move |c| listening::queries_remove(c, id)).await
}

#[tauri::command]
pub async fn query_preview(ctx: Shared<'_>, query: String) -> Result<QueryPreview, ApiError> {
    blocking(&ctx, move |c| listening::query_preview(c, &query, 5)).await
}

#[tauri::command]
pub async fn own_handles_list(ctx: Shared<'_>) -> Result<Vec<String>, ApiError> {
    blocking(&ctx, accounts::own_handles_list).await
}

#[tauri::command]
pub async fn own_handles_set(ctx: Shared<'_>, handles: Vec<String>) -> Result<Vec<String>, ApiError> {
    blocking(&ctx, move |c| accounts::own_handles_set(c, &handles)).await
}

#[tauri::command]
pub async fn sources_list(ctx: Shared<'_>) -> Result<Vec<Source>, ApiError> {
    blocking(&ctx, listening::sources_list).await
}

#[tauri::command]
pub async fn source_add_feed(ctx: Shared<'_>, listen: Listen<'_>, url: String) -> Result<Source, ApiError> {
    added(&listen, blocking(&ctx, move |c| listening::source_add_feed(c, &url, None)).await)
}

#[tauri::command]
pub async fn source_add_hn(ctx: Shared<'_>, listen: Listen<'_>, query: String) -> Result<Source, ApiError> {
    added(&listen, blocking(&ctx, move |c| listening::source_add_hn(c, &query, listening::HACKER_NEWS_SEARCH)).await)
}

#[tauri::command]
pub async fn source_add_mastodon_hashtag(
    ctx: Shared<'_>,
    listen: Listen<'_>,
    instance: String,
    hashtag: String,
) -> Result<Source, ApiError> {
    added(&listen, blocking(&ctx, move |c| accounts::source_add_mastodon_hashtag(c, &instance, &hashtag)).await)
}

/// Signs in to a Mastodon account in the system browser (PKCE, loopback redirect).
#[tauri::command]
pub async fn source_add_mastodon_account(
    app: AppHandle,
    ctx: Shared<'_>,
    listen: Listen<'_>,
    instance: String,
) -> Result<Source, ApiError> {
    let mut open = |url: &str| app.opener().open_url(url, None::<&str>).map_err(|e| e.to_string());
    let secrets = listen.secrets().await.store.clone();
    let source =
        accounts::source_add_mastodon_account(&*ctx.get()?, &listen.fetcher, secrets.as_ref(), &instance, &mut open)
            .await;
    added(&listen, source)
}

/// Signs in to Bluesky with an app password. The password goes straight to Bluesky; only the session is
/// kept (in the keychain), and nothing secret is ever sent back to the window.
#[tauri::command]
pub async fn source_add_bluesky(
    ctx: Shared<'_>,
    listen: Listen<'_>,
    handle: String,
    app_password: String,
) -> Result<Source, ApiError> {
    let password = Sensitive::new(app_password);
    let secrets = listen.secrets().await.store.clone();
    let source = accounts::source_add_bluesky(
        &*ctx.get()?,
        &listen.fetcher,
        secrets.as_ref(),
        &handle,
        &password,
        "https://bsky.social",
    )
    .await;
    added(&listen, source)
}

#[tauri::command]
pub async fn source_remove(ctx: Shared<'_>, listen: Listen<'_>, id: i64) -> Result<(), ApiError> {
    let secrets = listen.secrets().await.store.clone();
    blocking(&ctx, move |c| listening::source_remove(c, secrets.as_ref(), id)).await
}

/// Checks one source now, even if it was paused or asked to wait.
#[tauri::command]
pub fn source_check_now(listen: Listen<'_>, id: i64) {
    wake(&listen, Some(id));
}

#[tauri::command]
pub async fn mentions_list(ctx: Shared<'_>, limit: i64) -> Result<Vec<Mention>, ApiError> {
    blocking(&ctx, move |c| listening::mentions_list(c, limit)).await
}

/// Captures a mention by hand; with no text, the page's own title and description are read.
#[tauri::command]
pub async fn mention_capture(
    ctx: Shared<'_>,
    listen: Listen<'_>,
    url: String,
    text: String,
    author: Option<String>,
    network: Option<String>,
) -> Result<Mention, ApiError> {
    listening::capture_link(&*ctx.get()?, &listen.fetcher, &Capture { url, text, author, network }).await
}

/// Hides the window to the tray instead of quitting, so listening goes on.
pub fn hide_on_close(window: &tauri::Window, event: &tauri::WindowEvent) {
    if let tauri::WindowEvent::CloseRequested { api, .. } = event {
        if window.app_handle().tray_by_id(TRAY).is_some() {
            api.prevent_close();
            let _ = window.hide();
        }
    }
}

pub const TRAY: &str = "earshot";

/// The tray icon: show the window, or quit (which stops the engine cleanly).
pub fn tray(app: &AppHandle) -> tauri::Result<()> {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::TrayIconBuilder;
    let show = MenuItem::with_id(app, "show", "Show Earshot", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY).tooltip("Earshot is listening").menu(&menu);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                    let _ = window.unminimize();
                    let _ = window.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}
