//! Earshot's use cases: what the desktop app and the command line can do, as plain functions
//! `fn(&Ctx, input) -> Result<output, ApiError>` over the store. Nothing here knows Tauri or the terminal.
//! Around them: [`registry`], the one declaration of every command and event the UI can use;
//! [`services`], the one assembly (workspace, HTTP client, keychain rule, service addresses, [`engine`]
//! handle, and the program's [`services::Host`]) that the desktop shell, the command line and `earshot-host`
//! all build; [`team`], sharing the workspace with a team through its PostgreSQL server (`earshot-team`).
//!
//! Invariants: every input from outside is checked here before it reaches the store; every error that
//! leaves is an [`ApiError`] with a code the UI can branch on and a message a person can act on; the types
//! that cross to the UI derive `ts_rs::TS` and are listed in [`bindings`]; the UI's typed client, the desktop's
//! command list and its window capability are generated from the declarations ([`registry::generate`]; a test
//! fails when a committed file is stale). Pure work (reading a text, scoring it) is done before a write, so
//! the store's write transactions only write.
//!
//! To add a command: a function in the module of its noun (`contacts::contact_create`), its input and output
//! types beside it, their names in [`bindings::declarations`], one declaration in `registry/commands.rs`, then
//! `EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app generated`. The UI calls it as `api.contactCreate(…)`;
//! nothing else names it. An event: a line in `registry/events.rs`, emitted with `services.host.emit(…)`.
//! A source kind: a name in `earshot_core::mention::SourceKind`, its adapter in `earshot-sync`, its `add`
//! use case in [`listening`] or [`accounts`] and a command for it; no migration.

pub mod accounts;
pub mod bindings;
pub mod contacts;
pub mod demo;
pub mod demo_listening;
pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod export;
pub mod files;
pub mod guided_start;
pub mod imports;
pub mod listening;
pub mod logging;
pub mod merges;
pub mod open_workspace;
pub mod outbox;
pub mod registry;
pub mod services;
pub mod sync;
pub mod team;
pub mod today;
pub mod triage;
pub mod value;
pub mod workspace;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use earshot_store::{OpenOptions as StoreOptions, Store};
pub use error::{ApiError, ApiErrorCode};

/// The read models of the store that the UI sees, named in one place for the shell's command adapters.
pub mod store_types {
    pub use earshot_store::activities::ActivityInput;
    pub use earshot_store::contacts::{Contact, ContactInput, ContactPage, ContactSummary, Reconnect};
    pub use earshot_store::imports::ImportSummary;
    pub use earshot_store::inbox::InboxFilter;
    pub use earshot_store::listening_queries::ListeningQuery;
    pub use earshot_store::mentions::{MatchedQuery, Mention};
    pub use earshot_store::merges::MergeSuggestion;
    pub use earshot_store::metrics::Dashboard;
    pub use earshot_store::orders::{Order, WaitingBuyer};
    pub use earshot_store::outbox::OutboxItem;
    pub use earshot_store::people::{Person, Suggestion};
    pub use earshot_store::rules::Rule;
    pub use earshot_store::sources::Source;
    pub use earshot_store::tags::TagCount;
    pub use earshot_store::tasks::Task;
    pub use earshot_store::triage::{LoggedDecision, Undone};
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every use case works on: the open workspace and the clock.
pub struct Ctx {
    pub store: Store,
    clock: Clock,
    /// What the owner's decisions taught, rebuilt only when the triage log has changed.
    learned: triage::LearnedCache,
}

impl Ctx {
    pub fn open(path: &Path) -> Result<Ctx, ApiError> {
        Ok(Ctx::with_store(Store::open(path)?))
    }

    pub fn with_store(store: Store) -> Ctx {
        Ctx { store, clock: Arc::new(Utc::now), learned: Default::default() }
    }

    /// A context whose clock always says `now` (tests and reproducible demos).
    pub fn with_clock(store: Store, now: DateTime<Utc>) -> Ctx {
        Ctx { store, clock: Arc::new(move || now), learned: Default::default() }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn now_text(&self) -> String {
        earshot_store::timestamp(self.now())
    }
}

/// The folder name of Earshot's data, the app's identifier (what Tauri uses for its app-data folder).
pub const APP_ID: &str = "app.earshot.desktop";

/// Where the workspace lives when no `--db` is given, for the app and the command line alike:
/// `$EARSHOT_DB` when set, else `earshot.db` in the OS app-data folder (`~/.local/share/app.earshot.desktop`
/// on Linux, `~/Library/Application Support/app.earshot.desktop` on macOS, `%APPDATA%\app.earshot.desktop`
/// on Windows).
pub fn default_db_path() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("EARSHOT_DB").filter(|p| !p.is_empty()) {
        return path.into();
    }
    let base = if cfg!(target_os = "windows") {
        env_path("APPDATA")
    } else if cfg!(target_os = "macos") {
        env_path("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        xdg_data_home()
    };
    base.unwrap_or_else(|| ".".into()).join(APP_ID).join("earshot.db")
}

/// A folder named by environment variable `name`, when it is set and not empty.
pub(crate) fn env_path(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os(name).filter(|p| !p.is_empty()).map(std::path::PathBuf::from)
}

/// `$XDG_DATA_HOME`, else `~/.local/share`: where Linux apps keep their data (and Tauri its logs).
pub(crate) fn xdg_data_home() -> Option<std::path::PathBuf> {
    env_path("XDG_DATA_HOME").or_else(|| env_path("HOME").map(|home| home.join(".local/share")))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn ctx() -> (tempfile::TempDir, Ctx) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            earshot_store::Store::open_with(dir.path().join("w.db"), earshot_store::OpenOptions { backups: false })
                .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().with_timezone(&Utc);
        (dir, Ctx::with_clock(store, now))
    }

    /// A server on 127.0.0.1 that accepts connections and never answers; it stops with the returned task.
    pub async fn silent_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = silent.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                open.push(socket);
            }
        });
        (address, held)
    }
}
