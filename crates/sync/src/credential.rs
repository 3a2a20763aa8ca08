//! A signed-in account's secret as one check or one reply holds it, tied to its keychain item.
//!
//! Renewing a session rotates it: the server hands out a new refresh token and the old one stops working. So
//! a renewal happens once per keychain item at a time in this process, and the new secret is in the keychain
//! before anything uses it: a crash right after a renewal never leaves the keychain holding a dead token. A
//! holder whose token expired takes the item's lock, reads the item again, and uses what another holder
//! renewed meanwhile instead of renewing a second time (two sources on one account, a check beside a reply).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

use earshot_secrets::{SecretStore, Sensitive};

use crate::check::{failed, Outcome};
use crate::schedule::FailureClass;

/// One lock per keychain item name. Items are few (one per signed-in account) and the map lives as long as
/// the process, like the keychain items it guards.
static RENEWALS: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = LazyLock::new(Default::default);

fn renewal_lock(item: &str) -> Arc<tokio::sync::Mutex<()>> {
    let mut locks = RENEWALS.lock().unwrap_or_else(|p| p.into_inner());
    locks.entry(item.to_string()).or_default().clone()
}

/// A secret read from the keychain (or none), and the item it came from.
pub struct Credential<'a> {
    item: Option<(&'a dyn SecretStore, String)>,
    secret: Option<Sensitive<String>>,
}

impl std::fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential").field("item", &self.item.as_ref().map(|(_, id)| id)).finish_non_exhaustive()
    }
}

impl<'a> Credential<'a> {
    /// No secret: a public source.
    pub fn none() -> Credential<'static> {
        Credential { item: None, secret: None }
    }

    /// Reads keychain item `id` (off the async workers: the keychain may wait on a D-Bus round trip).
    pub fn load(keychain: &'a dyn SecretStore, id: &str) -> Result<Credential<'a>, earshot_secrets::SecretError> {
        let secret = crate::off_worker(|| keychain.get(id))?;
        Ok(Credential { item: Some((keychain, id.to_string())), secret })
    }

    pub fn secret(&self) -> Option<&str> {
        self.secret.as_ref().map(|s| s.expose().as_str())
    }

    /// Renews the secret this holder found expired, once for every holder of the same item. If the keychain
    /// already holds another one, someone renewed it meanwhile and that one is used; otherwise `renew` makes
    /// a new one from the stale one, and it is saved to the keychain before this returns.
    pub async fn renew<F, Fut>(&mut self, renew: F) -> Result<(), Outcome>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<Sensitive<String>, Outcome>>,
    {
        let stale = self.secret().unwrap_or_default().to_string();
        let Some((keychain, id)) = &self.item else {
            self.secret = Some(renew(stale).await?);
            return Ok(());
        };
        let lock = renewal_lock(id);
        let _renewing = lock.lock().await;
        let unreadable = |e: earshot_secrets::SecretError| {
            failed(format!("the saved sign-in could not be read from the keychain: {e}"), FailureClass::SignIn)
        };
        match crate::off_worker(|| keychain.get(id)).map_err(unreadable)? {
            Some(current) if *current.expose() != stale => {
                self.secret = Some(current);
                return Ok(());
            }
            _ => {}
        }
        let renewed = renew(stale).await?;
        crate::off_worker(|| keychain.set(id, &renewed)).map_err(|e| {
            failed(
                format!("the renewed sign-in could not be saved in the keychain ({e}); unlock the keychain and sign in again"),
                FailureClass::SignIn,
            )
        })?;
        self.secret = Some(renewed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_secrets::MemorySecrets;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn two_holders_of_one_expired_item_renew_it_once_and_both_use_the_new_secret() {
        let keychain = MemorySecrets::default();
        keychain.set("renewal-test-item", &Sensitive::new("old".to_string())).unwrap();
        let renewals = AtomicUsize::new(0);
        let renew = |stale: String| {
            let renewals = &renewals;
            async move {
                assert_eq!(stale, "old");
                renewals.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(Sensitive::new("new".to_string()))
            }
        };
        let mut a = Credential::load(&keychain, "renewal-test-item").unwrap();
        let mut b = Credential::load(&keychain, "renewal-test-item").unwrap();
        let (ra, rb) = tokio::join!(a.renew(renew), b.renew(renew));
        ra.unwrap();
        rb.unwrap();
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
        assert_eq!((a.secret(), b.secret()), (Some("new"), Some("new")));
        assert_eq!(keychain.get("renewal-test-item").unwrap().unwrap().expose(), "new");
    }

    #[tokio::test]
    async fn a_failed_renewal_leaves_the_keychain_as_it_was() {
        let keychain = MemorySecrets::default();
        keychain.set("failed-renewal-item", &Sensitive::new("old".to_string())).unwrap();
        let mut c = Credential::load(&keychain, "failed-renewal-item").unwrap();
        let refused = c.renew(|_| async { Err(failed("refused", FailureClass::SignIn)) }).await;
        assert!(refused.is_err());
        assert_eq!(keychain.get("failed-renewal-item").unwrap().unwrap().expose(), "old");
    }
}
