//! Against the real OS keychain. Needs a D-Bus session with an unlocked Secret Service (CI runs it inside
//! `scripts/with-keyring.sh`); set EARSHOT_REAL_KEYRING=1 to run it.

use earshot_secrets::{self_test, Keychain, SecretStore, Sensitive};

fn real_keyring_wanted() -> bool {
    std::env::var("EARSHOT_REAL_KEYRING").as_deref() == Ok("1")
}

#[test]
fn the_os_keychain_stores_reads_and_deletes_a_credential() {
    if !real_keyring_wanted() {
        eprintln!("EARSHOT_REAL_KEYRING is not 1: the OS keychain test needs a keychain session (see scripts/with-keyring.sh)");
        return;
    }
    let keychain = Keychain::with_service("app.earshot.desktop.test");
    self_test(&keychain).expect("the OS keychain keeps what it is given");

    let id = format!("account-{}:token", std::process::id());
    keychain.set(&id, &Sensitive::new("s3cret-token".to_string())).unwrap();
    // A second handle on the same item sees it: it really is in the OS store, not in this process.
    let again = Keychain::with_service("app.earshot.desktop.test");
    assert_eq!(again.get(&id).unwrap().unwrap().expose(), "s3cret-token");
    keychain.delete(&id).unwrap();
    assert!(again.get(&id).unwrap().is_none());
}

/// Joins a fresh session keyring for this process, as a login session has (a bare CI shell has none, and
/// keyutils then "stores" items it cannot read back).
#[cfg(target_os = "linux")]
fn join_session_keyring() {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    let rc = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, std::ptr::null::<libc::c_char>()) };
    assert!(rc >= 0, "cannot join a session keyring: {}", std::io::Error::last_os_error());
}

#[cfg(target_os = "linux")]
#[test]
fn the_kernel_session_keyring_keeps_a_credential_for_the_session() {
    join_session_keyring();
    let session = Keychain::session("app.earshot.desktop.test");
    self_test(&session).expect("the session keyring keeps what it is given");
    let id = format!("session-{}:token", std::process::id());
    session.set(&id, &Sensitive::new("s3cret-session".to_string())).unwrap();
    let again = Keychain::session("app.earshot.desktop.test");
    assert_eq!(again.get(&id).unwrap().unwrap().expose(), "s3cret-session");
    session.delete(&id).unwrap();
    assert!(again.get(&id).unwrap().is_none());
}
