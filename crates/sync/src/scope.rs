//! Which network an address is on, so a feed on the public web cannot be turned into a request into the
//! owner's own network (their router, printer, NAS, or this machine): a redirect to a private address, or a
//! name whose DNS answer is one, is refused. The owner may still listen to a feed on their own network by
//! typing its address: an IP address in a private range, `localhost`, or a name under a local-only domain
//! (`.local`, `.lan`, `.home`, `.internal`, `.localdomain`). Such an address is fetched without the check
//! and said to be local.
//!
//! The check on DNS answers runs in the HTTP client's resolver, at connection time, so what is refused is
//! what would have been connected to, not the text of the link.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an address is outside the public internet: loopback, private (RFC 1918, fc00::/7), link-local,
/// unspecified, shared (100.64.0.0/10) or documentation ranges.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Whether the owner typed an address on their own network (see the module's rules).
pub fn is_local_address(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_private(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_private(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost"
                || [".localhost", ".local", ".lan", ".home", ".internal", ".localdomain", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
        None => false,
    }
}

/// Whether a redirect from a public address may go to `next`: not to an address on a private network.
pub fn redirect_allowed(next: &url::Url) -> Result<(), String> {
    if is_local_address(next) {
        return Err(format!(
            "a redirect into a private network ({}) is not followed",
            next.host_str().unwrap_or_default()
        ));
    }
    Ok(())
}

/// The resolver of the client that fetches public addresses: answers on a private network are dropped,
/// and a name that has only such answers is refused.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.iter().copied().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() && !all.is_empty() {
                let seen = all[0].ip();
                return Err(format!("{host} points into a private network ({seen}); it is not fetched").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:192.168.1.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "172.32.0.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn addresses_the_owner_types_on_their_own_network_are_local() {
        for url in [
            "http://192.168.1.20/feed.xml",
            "http://localhost:8080/",
            "http://nas.local/rss",
            "http://router.lan/",
            "http://[fd00::5]/",
        ] {
            assert!(is_local_address(&url::Url::parse(url).unwrap()), "{url}");
        }
        for url in ["https://blog.example/feed", "https://localhost.evil.example/", "http://93.184.216.34/"] {
            assert!(!is_local_address(&url::Url::parse(url).unwrap()), "{url}");
        }
        assert!(redirect_allowed(&url::Url::parse("http://169.254.169.254/latest/meta-data").unwrap()).is_err());
        assert!(redirect_allowed(&url::Url::parse("https://cdn.example/feed").unwrap()).is_ok());
    }

    #[tokio::test]
    async fn a_name_that_answers_only_with_a_private_address_is_refused() {
        // `localhost` resolves to loopback on every machine: as a public name's answer it is refused.
        let refused = PublicOnly.resolve(std::str::FromStr::from_str("localhost").unwrap()).await;
        assert!(refused.err().unwrap().to_string().contains("private network"));
    }
}
