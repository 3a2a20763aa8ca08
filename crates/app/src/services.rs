//! The one assembly of what Earshot's commands need, built the same way by the desktop shell, the command
//! line and the local HTTP host: the open workspace (store and clock), the HTTP client, the secret store
//! with the one keychain rule, the services' addresses, the listening engine, and the [`Host`] — the few
//! things only the program around it can do (show a save dialog, open the browser, notify).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use earshot_secrets::{Persistence, SecretError, SecretStore, Sensitive};
use earshot_sync::Fetcher;

use crate::accounts::SecretsStatus;
use crate::engine::Engine;
use crate::open_workspace::OpenWorkspace;
use crate::registry::Event;
use crate::triage::UrgentNews;
use crate::{ApiError, ApiErrorCode, Ctx};

/// What only the program around Earshot's core can do. The desktop shell answers with native dialogs,
/// the browser and desktop notifications; the command line and the test host answer in their own way.
pub trait Host: Send + Sync + 'static {
    /// Passes an event on to whatever shows it (the window, a terminal, a test).
    fn emit(&self, event: Event);
    /// Opens a web address that has already passed [`earshot_core::url_safety`] (a sign-in page, a link).
    fn open_url(&self, url: &str) -> Result<(), String>;
    /// Asks where to save a file proposed as `file_name`; `None` when the owner cancels. May block.
    fn choose_save_path(&self, file_name: &str) -> Option<PathBuf>;
    /// Tells the owner about urgent mentions (notifications, the tray's count). May block.
    fn tell_urgent(&self, news: &UrgentNews);
    /// Tells the owner that a teammate assigned these mentions to them. May block.
    fn tell_assigned(&self, mentions: &[crate::store_types::Mention]);
}

/// Where the networks Earshot signs in to are reached. Tests point them at servers on 127.0.0.1.
#[derive(Debug, Clone)]
pub struct ServiceUrls {
    /// The Bluesky server that new Bluesky sign-ins use.
    pub bluesky: String,
    /// The Hacker News search API that new Hacker News sources use.
    pub hacker_news: String,
}

impl Default for ServiceUrls {
    fn default() -> Self {
        ServiceUrls { bluesky: "https://bsky.social".into(), hacker_news: crate::listening::HACKER_NEWS_SEARCH.into() }
    }
}

/// Where sign-ins may be kept when neither the OS keychain nor the session keyring works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretsFallback {
    /// In this process's memory, said so in the window (the desktop app runs long enough to use it).
    ProcessMemory,
    /// Nowhere: signing in stops with the reason (a command line process ends at once, so memory would
    /// lose the sign-in before it is used).
    Refuse,
    /// A store given by the caller (the test host's in-memory keychain), reported as `persistence`.
    Given(Persistence),
}

/// How long the keychain may take to answer its self-test before Earshot goes on without it (a locked
/// keychain can wait for an unlock prompt nobody sees).
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The secret store chosen by the keychain rule, and what the window says about it.
pub struct Secrets {
    pub store: Arc<dyn SecretStore>,
    pub status: SecretsStatus,
    may_sign_in: bool,
}

impl Secrets {
    /// The one keychain rule: the OS keychain when its self-test passes, else the session keyring (until
    /// logout), else `fallback`. Sign-ins are never kept in plain text.
    fn choose(opened: earshot_secrets::Opened, fallback: SecretsFallback) -> Secrets {
        let status = SecretsStatus::new(opened.persistence, opened.problem);
        match (opened.persistence, fallback) {
            (Persistence::Process, SecretsFallback::Refuse) => Secrets {
                // The keychain itself, so every read and write names what is wrong with it.
                store: Arc::new(earshot_secrets::Keychain::new()),
                status,
                may_sign_in: false,
            },
            _ => Secrets { store: Arc::from(opened.store), status, may_sign_in: true },
        }
    }

    /// The store, for a sign-in: refused (with the keychain's problem) where sign-ins cannot be kept.
    pub fn for_sign_in(&self) -> Result<&dyn SecretStore, ApiError> {
        if self.may_sign_in {
            return Ok(self.store.as_ref());
        }
        let problem = self.status.problem.clone().unwrap_or_else(|| "the system keychain is not available".into());
        Err(ApiError::invalid(format!(
            "{problem}. Earshot never keeps sign-ins in plain text; use the desktop app for a session-only sign-in"
        )))
    }
}

/// How a program assembles its services.
pub struct Assembly {
    pub urls: ServiceUrls,
    pub secrets: SecretsFallback,
    /// Only with [`SecretsFallback::Given`]: the store to use.
    pub given_secrets: Option<Arc<dyn SecretStore>>,
}

/// Everything a command needs, shared by all of them (`Arc<Services>`).
pub struct Services {
    workspace: OpenWorkspace,
    pub fetcher: Arc<Fetcher>,
    secrets: std::sync::OnceLock<Secrets>,
    fallback: SecretsFallback,
    given_secrets: Option<Arc<dyn SecretStore>>,
    pub urls: ServiceUrls,
    pub host: Arc<dyn Host>,
    runtime: tokio::runtime::Handle,
    pub(crate) engine: std::sync::Mutex<Option<Engine>>,
    /// Wakes the background team sync ([`crate::team::live`]) to sync now.
    pub(crate) team_wake: tokio::sync::Notify,
    /// Tells the background team sync that a command ran: there may be changes to send.
    pub(crate) team_wrote: tokio::sync::Notify,
}

impl Services {
    /// Assembles the services around an open workspace. `runtime` runs the engine and the blocking work.
    /// The keychain is not touched here: it is chosen, off the caller's thread, when first needed.
    pub fn new(
        ctx: Ctx,
        assembly: Assembly,
        host: Arc<dyn Host>,
        runtime: tokio::runtime::Handle,
    ) -> Result<Arc<Services>, ApiError> {
        let fetcher = Fetcher::new().map_err(|e| ApiError {
            code: ApiErrorCode::Storage,
            message: format!("cannot set up the HTTP client: {e}"),
        })?;
        Ok(Arc::new(Services {
            workspace: OpenWorkspace::new(ctx),
            fetcher: Arc::new(fetcher),
            secrets: std::sync::OnceLock::new(),
            fallback: assembly.secrets,
            given_secrets: assembly.given_secrets,
            urls: assembly.urls,
            host,
            runtime,
            engine: std::sync::Mutex::new(None),
            team_wake: tokio::sync::Notify::new(),
            team_wrote: tokio::sync::Notify::new(),
        }))
    }

    /// The open workspace (a `Busy` error while the demo is being replaced).
    pub fn ctx(&self) -> Result<Arc<Ctx>, ApiError> {
        self.workspace.get()
    }

    pub fn workspace(&self) -> &OpenWorkspace {
        &self.workspace
    }

    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.runtime
    }

    /// Runs a use case on the blocking pool, so the caller's thread (the window's, the server's) stays free
    /// while SQLite works. Afterwards the team's sync looks at once for changes to send (a count of the
    /// outbox, nothing more when there are none).
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Ctx) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let ctx = self.ctx()?;
        let done = self.off_thread(move || f(&ctx)).await;
        self.team_wrote.notify_one();
        done
    }

    /// Runs blocking work that needs no workspace on the blocking pool.
    pub async fn off_thread<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.runtime
            .spawn_blocking(f)
            .await
            .map_err(|e| ApiError { code: ApiErrorCode::Storage, message: format!("the task failed: {e}") })?
    }

    /// Asks the host where to save `bytes` (proposing `file_name`), then writes them there, atomically and
    /// readable by the owner only. `None` when the owner cancels.
    pub async fn save_where_chosen(&self, file_name: String, bytes: Vec<u8>) -> Result<Option<String>, ApiError> {
        let host = self.host.clone();
        self.off_thread(move || {
            let Some(path) = host.choose_save_path(&file_name) else { return Ok(None) };
            // The save dialog has asked before replacing a file.
            crate::files::save_private(&path, &bytes, true)?;
            Ok(Some(path.display().to_string()))
        })
        .await
    }

    /// Where secrets go, chosen once by the keychain rule, off the caller's thread; a keychain that does
    /// not answer within `KEYCHAIN_TIMEOUT` is passed over for this run.
    pub async fn secrets(&self) -> &Secrets {
        if let Some(chosen) = self.secrets.get() {
            return chosen;
        }
        let opened = match self.given() {
            Some(given) => given,
            None => {
                match tokio::time::timeout(KEYCHAIN_TIMEOUT, self.runtime.spawn_blocking(earshot_secrets::open)).await {
                    Ok(Ok(opened)) => opened,
                    _ => earshot_secrets::Opened {
                        store: Box::new(earshot_secrets::MemorySecrets::default()),
                        persistence: Persistence::Process,
                        problem: Some("the system keychain did not answer (it may be locked)".into()),
                    },
                }
            }
        };
        self.secrets.get_or_init(|| Secrets::choose(opened, self.fallback))
    }

    /// Where secrets go, chosen on this thread (it may wait for the keychain): for the command line.
    pub fn secrets_now(&self) -> &Secrets {
        self.secrets.get_or_init(|| {
            let opened = self.given().unwrap_or_else(earshot_secrets::open);
            Secrets::choose(opened, self.fallback)
        })
    }

    /// A secret store that is chosen, with the keychain's self-test, only when a secret is first read or
    /// written: a round of public feeds never touches the keychain.
    pub fn secrets_on_demand(self: &Arc<Self>) -> OnDemandSecrets {
        OnDemandSecrets(self.clone())
    }

    fn given(&self) -> Option<earshot_secrets::Opened> {
        match (self.fallback, &self.given_secrets) {
            (SecretsFallback::Given(persistence), Some(store)) => Some(earshot_secrets::Opened {
                store: Box::new(SharedStore(store.clone())),
                persistence,
                problem: given_problem(persistence),
            }),
            _ => None,
        }
    }
}

/// See [`Services::secrets_on_demand`].
pub struct OnDemandSecrets(Arc<Services>);

impl SecretStore for OnDemandSecrets {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.0.secrets_now().store.set(id, secret)
    }

    fn get(&self, id: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        self.0.secrets_now().store.get(id)
    }

    fn delete(&self, id: &str) -> Result<(), SecretError> {
        self.0.secrets_now().store.delete(id)
    }
}

/// A store the program gave, shared with whoever else holds it.
struct SharedStore(Arc<dyn SecretStore>);

impl SecretStore for SharedStore {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.0.set(id, secret)
    }

    fn get(&self, id: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        self.0.get(id)
    }

    fn delete(&self, id: &str) -> Result<(), SecretError> {
        self.0.delete(id)
    }
}

/// What the window says about a store given by the program (the test host's).
fn given_problem(persistence: Persistence) -> Option<String> {
    (persistence != Persistence::Keychain).then(|| "the system keychain is not available".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(persistence: Persistence) -> earshot_secrets::Opened {
        earshot_secrets::Opened {
            store: Box::new(earshot_secrets::MemorySecrets::default()),
            persistence,
            problem: Some("the system keychain is locked".into()),
        }
    }

    #[test]
    fn without_a_keychain_the_command_line_refuses_to_sign_in_and_says_why() {
        let secrets = Secrets::choose(opened(Persistence::Process), SecretsFallback::Refuse);
        let refused = secrets.for_sign_in().err().expect("a sign-in with nowhere to keep it is refused");
        assert!(refused.message.contains("the system keychain is locked"), "{}", refused.message);
        assert!(refused.message.contains("never keeps sign-ins in plain text"), "{}", refused.message);
    }

    #[test]
    fn without_a_keychain_the_desktop_keeps_sign_ins_while_it_runs_and_says_so() {
        let secrets = Secrets::choose(opened(Persistence::Process), SecretsFallback::ProcessMemory);
        assert!(secrets.for_sign_in().is_ok());
        assert_eq!(secrets.status.persistence, Persistence::Process);
        assert_eq!(secrets.status.problem.as_deref(), Some("the system keychain is locked"));
    }

    #[test]
    fn the_session_keyring_is_used_by_both_with_the_reason() {
        for fallback in [SecretsFallback::Refuse, SecretsFallback::ProcessMemory] {
            let secrets = Secrets::choose(opened(Persistence::Session), fallback);
            assert!(secrets.for_sign_in().is_ok());
            assert_eq!(secrets.status.persistence, Persistence::Session);
        }
    }
}
