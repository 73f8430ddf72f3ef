//! Who a request comes from: the peer's address, or, when the peer is one of
//! the operator's trusted reverse proxies (`serve --trusted-proxy`), the client
//! that `X-Forwarded-For` names. Sign-in throttling and the audit log's
//! addresses use it.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use switchboard_domain::IpNet;

use crate::App;

/// The client's address, resolved through trusted proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts<App> for ClientAddr {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ClientAddr(client_address(
            peer.ip(),
            &parts.headers,
            &app.sb.settings().trusted_proxies,
        )))
    }
}

/// The client behind `peer`. Each proxy appends the address it received the
/// request from to `X-Forwarded-For`, so the header is read from the right:
/// while the hop is a trusted proxy, the entry before it says who sent the
/// request to that proxy; the first hop that is not trusted is the client.
/// Anything further left was written by the client and proves nothing. When the
/// peer is not a trusted proxy the header is ignored altogether (anyone can
/// send one). An entry that is not an address ends the walk at the last
/// trusted hop, and a chain of trusted hops only gives its leftmost.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(text) = value.to_str() else {
            return client;
        };
        for entry in text.rsplit(',') {
            let Some(hop) = parse_hop(entry) else {
                return client;
            };
            client = hop;
            if !is_trusted(&client) {
                return client;
            }
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:80`,
/// `[2001:db8::1]:80`) or in brackets, as some proxies write them.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<IpAddr>()
                .ok()
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn resolve(peer: &str, xff: &[&str], trusted: &[&str]) -> IpAddr {
        let mut headers = HeaderMap::new();
        for value in xff {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        client_address(ip(peer), &headers, &nets(trusted))
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(
            resolve("198.51.100.1", &["203.0.113.9"], &[]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_peer_that_is_not_trusted_cannot_name_another_client() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            resolve("198.51.100.1", &["203.0.113.9"], &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            resolve("198.51.100.1", &["10.0.0.1"], &trusted),
            ip("198.51.100.1"),
            "not even a trusted proxy's address"
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        assert_eq!(
            resolve("10.0.0.1", &["203.0.113.9"], &["10.0.0.0/8"]),
            ip("203.0.113.9")
        );
        // A single address is a /32.
        assert_eq!(
            resolve("10.0.0.1", &["203.0.113.9"], &["10.0.0.1/32"]),
            ip("203.0.113.9")
        );
        // No header: the proxy itself.
        assert_eq!(resolve("10.0.0.1", &[], &["10.0.0.0/8"]), ip("10.0.0.1"));
    }

    #[test]
    fn what_the_client_wrote_on_the_left_is_not_believed() {
        // The client sent "X-Forwarded-For: 192.0.2.66"; the proxy appended
        // the address it really came from.
        assert_eq!(
            resolve("10.0.0.1", &["192.0.2.66, 203.0.113.9"], &["10.0.0.0/8"]),
            ip("203.0.113.9")
        );
        // Even a trusted address, written by the client.
        assert_eq!(
            resolve("10.0.0.1", &["10.9.9.9, 203.0.113.9"], &["10.0.0.0/8"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn chains_of_trusted_proxies_are_walked_from_the_right() {
        let trusted = ["10.0.0.0/8", "2001:db8:ffff::/48"];
        assert_eq!(
            resolve(
                "10.0.0.1",
                &["192.0.2.66, 203.0.113.9, 2001:db8:ffff::2, 10.1.1.1"],
                &trusted
            ),
            ip("203.0.113.9")
        );
        // Several header fields are one list, in order.
        assert_eq!(
            resolve(
                "10.0.0.1",
                &["192.0.2.66, 203.0.113.9", "10.1.1.1"],
                &trusted
            ),
            ip("203.0.113.9")
        );
        // Only proxies: the furthest one.
        assert_eq!(
            resolve("10.0.0.1", &["10.3.3.3, 10.2.2.2"], &trusted),
            ip("10.3.3.3")
        );
    }

    #[test]
    fn garbage_stops_at_the_last_trusted_hop() {
        let trusted = ["10.0.0.0/8"];
        for bad in ["unknown", "", "203.0.113.9 x", "_hidden", "1.2.3"] {
            assert_eq!(
                resolve("10.0.0.1", &[bad], &trusted),
                ip("10.0.0.1"),
                "{bad:?}"
            );
            assert_eq!(
                resolve(
                    "10.0.0.1",
                    &[&format!("203.0.113.1, {bad}, 10.2.2.2")],
                    &trusted
                ),
                ip("10.2.2.2"),
                "{bad:?}"
            );
        }
        // Not text at all.
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff203.0.113.9").unwrap(),
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers, &nets(&trusted)),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ports_brackets_and_mapped_addresses() {
        let trusted = ["10.0.0.0/8", "::1/128"];
        assert_eq!(
            resolve("10.0.0.1", &["203.0.113.9:4711"], &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            resolve("10.0.0.1", &["[2001:db8::7]:4711"], &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            resolve("10.0.0.1", &[" [2001:db8::7] "], &trusted),
            ip("2001:db8::7")
        );
        // An IPv4 proxy seen through an IPv6 socket is still trusted, and an
        // IPv4 client written as IPv6 is that IPv4 client.
        assert_eq!(
            resolve("::ffff:10.0.0.1", &["::ffff:203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            resolve("::1", &["2001:db8::7"], &trusted),
            ip("2001:db8::7")
        );
    }
}
