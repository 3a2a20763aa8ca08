//! Reaching the team's server: the address as stored and shown (never with its password, which lives in the
//! keychain), and a connection that is encrypted (TLS, checked against the public certificate authorities)
//! unless the server is on this machine.

use std::str::FromStr;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_postgres::config::Host;
use tokio_postgres::tls::TlsStream;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, Socket};

use crate::server::ServerError;

/// A server address as the owner typed it, split into what is stored and the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `postgres://user@host:port/db`: what is stored and shown.
    pub url: String,
    pub password: Option<String>,
}

fn invalid(url_shown: &str, why: impl std::fmt::Display) -> ServerError {
    ServerError::Unreadable(format!(
        "{url_shown} is not a PostgreSQL address (postgres://USER:PASSWORD@HOST:PORT/DB): {why}"
    ))
}

/// Reads `postgres://USER:PASSWORD@HOST:PORT/DB`; the password is taken out of what is stored.
pub fn parse(url: &str) -> Result<Address, ServerError> {
    let shown = url.split_once('@').map_or_else(|| url.to_string(), |(_, rest)| format!("postgres://…@{rest}"));
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(invalid(&shown, "it must start with postgres://"));
    }
    let config = Config::from_str(url).map_err(|e| invalid(&shown, e))?;
    let user = config.get_user().ok_or_else(|| invalid(&shown, "it names no user"))?;
    let host = match config.get_hosts() {
        [Host::Tcp(host)] => host.clone(),
        [] => return Err(invalid(&shown, "it names no host")),
        _ => return Err(invalid(&shown, "Earshot connects to one host over the network")),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
    Ok(Address { url: format!("postgres://{user}@{host}:{port}/{db}"), password })
}

/// Whether every host of the address is this machine: only then may the connection go unencrypted.
fn on_this_machine(config: &Config) -> bool {
    config.get_hosts().iter().all(|h| match h {
        Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
        #[cfg(unix)]
        Host::Unix(_) => true,
    })
}

/// Connects to a stored address with its password; the connection's driver runs on the current runtime.
pub async fn connect(url: &str, password: Option<&str>) -> Result<Client, ServerError> {
    open(url, password, None).await
}

/// Connects like [`connect`], and hands every notification the server sends on this connection (after a
/// `LISTEN`, see [`crate::server::listen`]) to the receiver. The receiver ends when the connection does.
pub async fn connect_listening(
    url: &str,
    password: Option<&str>,
) -> Result<(Client, mpsc::UnboundedReceiver<String>), ServerError> {
    let (sender, receiver) = mpsc::unbounded_channel();
    Ok((open(url, password, Some(sender)).await?, receiver))
}

/// Runs a connection until it ends, passing on the payload of each notification.
async fn drive<T>(mut connection: Connection<Socket, T>, notifications: Option<mpsc::UnboundedSender<String>>)
where
    T: TlsStream + Unpin,
{
    while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
        match message {
            Ok(AsyncMessage::Notification(n)) => {
                if let Some(to) = &notifications {
                    let _ = to.send(n.payload().to_string());
                }
            }
            Ok(_) => {}
            // The client's next request reports the broken connection with its reason.
            Err(_) => break,
        }
    }
}

async fn open(
    url: &str,
    password: Option<&str>,
    notifications: Option<mpsc::UnboundedSender<String>>,
) -> Result<Client, ServerError> {
    let mut config = Config::from_str(url).map_err(|e| invalid(url, e))?;
    if let Some(password) = password {
        config.password(password);
    }
    config.application_name("earshot");
    config.connect_timeout(std::time::Duration::from_secs(10));
    if on_this_machine(&config) {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
        tokio::spawn(drive(connection, notifications));
        return Ok(client);
    }
    config.ssl_mode(tokio_postgres::config::SslMode::Require);
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Unreadable(format!("TLS cannot be set up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let (client, connection) = config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)).await?;
    tokio::spawn(drive(connection, notifications));
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_out_of_the_stored_address() {
        let a = parse("postgres://ann:s3cret@db.example.com:6543/shop").unwrap();
        assert_eq!(a.url, "postgres://ann@db.example.com:6543/shop");
        assert_eq!(a.password.as_deref(), Some("s3cret"));
        let b = parse("postgresql://sam@127.0.0.1/team").unwrap();
        assert_eq!((b.url.as_str(), b.password), ("postgres://sam@127.0.0.1:5432/team", None));
    }

    #[test]
    fn a_bad_address_is_named_without_its_password() {
        let err = parse("mysql://ann:s3cret@db.example.com/shop").unwrap_err().to_string();
        assert!(err.contains("postgres://…@db.example.com/shop"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        assert!(parse("postgres://db.example.com/shop").unwrap_err().to_string().contains("no user"));
    }

    #[test]
    fn only_this_machine_may_be_reached_without_encryption() {
        let local = Config::from_str("postgres://ann@127.0.0.1:5432/shop").unwrap();
        let remote = Config::from_str("postgres://ann@db.example.com:5432/shop").unwrap();
        assert!(on_this_machine(&local));
        assert!(!on_this_machine(&remote));
    }
}
