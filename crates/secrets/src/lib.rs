//! Credentials live in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), one item per credential; the database keeps only the item's id.
//!
//! Invariants: a secret is only ever held in [`Sensitive`], which never prints and is wiped on drop;
//! there is no plaintext fallback: when the keychain is missing or locked, callers get
//! [`SecretError::Unavailable`] and must tell the owner. [`self_test`] proves at start-up that the keychain
//! really stores and returns items (keyring's mock store would "succeed" and lose everything).
//!
//! [`open`] picks where secrets go: the persistent keychain when it passes the self-test, else (on Linux)
//! the kernel session keyring, which keeps them until the owner logs out, else this process's memory;
//! it always says which, so the UI can tell the owner that sign-ins will not survive.

use std::fmt;

use zeroize::Zeroize;

/// The keychain service name every Earshot item is filed under.
pub const SERVICE: &str = "app.earshot.desktop";

/// A value that must never be printed, logged or sent to the UI.
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The one way to read the value: greppable, so every use can be reviewed.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(**redacted**)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the system keychain is not available ({0}); unlock it or install one (on Linux: gnome-keyring or KWallet)"
    )]
    Unavailable(String),
    #[error("the system keychain refused the request: {0}")]
    Refused(String),
    #[error("the system keychain did not return what was stored; it may be a session-only store")]
    NotPersistent,
}

/// Where credentials are kept. The OS keychain in the app; [`MemorySecrets`] in unit tests.
pub trait SecretStore: Send + Sync {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<(), SecretError>;
    fn get(&self, id: &str) -> Result<Option<Sensitive<String>>, SecretError>;
    fn delete(&self, id: &str) -> Result<(), SecretError>;
}

/// Which OS store a [`Keychain`] files items in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    /// The persistent keychain (Secret Service on Linux, the platform keychain elsewhere).
    Persistent,
    /// The Linux kernel's session keyring (keyutils): secret, in kernel memory, gone at logout or reboot.
    /// Used only when no persistent keychain is available, and then announced as such.
    #[cfg(target_os = "linux")]
    Session,
}

/// An OS credential store through the `keyring` crate, with its platform backend named explicitly.
pub struct Keychain {
    service: String,
    backend: Backend,
}

impl Keychain {
    pub fn new() -> Self {
        Keychain::with_service(SERVICE)
    }

    /// A keychain filed under another service name (tests use their own so they never touch real items).
    pub fn with_service(service: &str) -> Self {
        Keychain { service: service.to_string(), backend: Backend::Persistent }
    }

    /// The kernel session keyring, under `service`.
    #[cfg(target_os = "linux")]
    pub fn session(service: &str) -> Self {
        Keychain { service: service.to_string(), backend: Backend::Session }
    }

    fn entry(&self, id: &str) -> Result<keyring::Entry, SecretError> {
        // The backend is named, not left to keyring's default: with several compiled in, the default could
        // be a store that does not persist.
        #[cfg(target_os = "linux")]
        {
            let credential: Box<keyring::Credential> = match self.backend {
                Backend::Persistent => Box::new(
                    keyring::secret_service::SsCredential::new_with_target(None, &self.service, id).map_err(map_err)?,
                ),
                Backend::Session => Box::new(
                    keyring::keyutils::KeyutilsCredential::new_with_target(None, &self.service, id).map_err(map_err)?,
                ),
            };
            Ok(keyring::Entry::new_with_credential(credential))
        }
        #[cfg(not(target_os = "linux"))]
        keyring::Entry::new(&self.service, id).map_err(map_err)
    }
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::new()
    }
}

fn map_err(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Refused(other.to_string()),
    }
}

impl SecretStore for Keychain {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(id)?.set_password(secret.expose()).map_err(map_err)
    }

    fn get(&self, id: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(id)?.get_password() {
            Ok(value) => Ok(Some(Sensitive::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn delete(&self, id: &str) -> Result<(), SecretError> {
        match self.entry(id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// How long secrets kept by the chosen store last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Persistence {
    /// The OS keychain: sign-ins survive restarts.
    Keychain,
    /// The kernel session keyring: sign-ins last until the owner logs out.
    Session,
    /// This process only: sign-ins last while Earshot runs.
    Process,
}

impl std::fmt::Display for Persistence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Persistence::Keychain => "keychain",
            Persistence::Session => "session",
            Persistence::Process => "process",
        })
    }
}

/// The secret store Earshot will use, how long it keeps things, and why it is not the keychain if not.
pub struct Opened {
    pub store: Box<dyn SecretStore>,
    pub persistence: Persistence,
    pub problem: Option<String>,
}

/// Picks the best store that passes the self-test (see the crate docs).
pub fn open() -> Opened {
    let keychain = Keychain::new();
    let problem = match self_test(&keychain) {
        Ok(()) => return Opened { store: Box::new(keychain), persistence: Persistence::Keychain, problem: None },
        Err(e) => e.to_string(),
    };
    #[cfg(target_os = "linux")]
    {
        let session = Keychain::session(SERVICE);
        if self_test(&session).is_ok() {
            return Opened { store: Box::new(session), persistence: Persistence::Session, problem: Some(problem) };
        }
    }
    Opened { store: Box::new(MemorySecrets::default()), persistence: Persistence::Process, problem: Some(problem) }
}

/// Secrets in memory, for unit tests of code that needs a [`SecretStore`].
#[derive(Default)]
pub struct MemorySecrets {
    items: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl SecretStore for MemorySecrets {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.items.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string(), secret.expose().clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self.items.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned().map(Sensitive::new))
    }

    fn delete(&self, id: &str) -> Result<(), SecretError> {
        self.items.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        Ok(())
    }
}

/// Stores, reads back and deletes a canary item, proving the keychain keeps what it is given.
pub fn self_test(store: &dyn SecretStore) -> Result<(), SecretError> {
    let id = format!("self-test-{}", std::process::id());
    let canary = Sensitive::new(format!("canary-{}", std::process::id()));
    store.set(&id, &canary)?;
    let back = store.get(&id);
    let _ = store.delete(&id);
    match back? {
        Some(value) if value.expose() == canary.expose() => Ok(()),
        _ => Err(SecretError::NotPersistent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_never_print() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s:?}"), "Sensitive(**redacted**)");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn the_memory_store_passes_the_self_test() {
        self_test(&MemorySecrets::default()).unwrap();
    }
}
