//! Credentials live in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), one item per credential; the database keeps only the item's id.
//!
//! Invariants: a secret is only ever held in [`Sensitive`], which never prints and is wiped on drop;
//! there is no plaintext fallback: when the keychain is missing or locked, callers get
//! [`SecretError::Unavailable`] and must tell the owner. [`self_test`] proves at start-up that the keychain
//! really stores and returns items (keyring's mock store would "succeed" and lose everything).

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

/// The OS keychain through the `keyring` crate, with its platform backend compiled in explicitly.
pub struct Keychain {
    service: String,
}

impl Keychain {
    pub fn new() -> Self {
        Keychain { service: SERVICE.to_string() }
    }

    /// A keychain filed under another service name (tests use their own so they never touch real items).
    pub fn with_service(service: &str) -> Self {
        Keychain { service: service.to_string() }
    }

    fn entry(&self, id: &str) -> Result<keyring::Entry, SecretError> {
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
