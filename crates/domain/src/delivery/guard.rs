//! Webhooks must not be a way to reach Switchboard's own network: callbacks to
//! loopback, private, link-local and other non-public addresses are refused unless
//! the operator allows them (`serve --allow-private-callbacks`, for local
//! development and tests).
//!
//! The check runs on the addresses the connection will actually use: a resolver
//! wrapped around the system's refuses private answers, so a name that resolves
//! to a public address when checked and a private one when connecting (DNS
//! rebinding) gains nothing.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The error a refused destination produces, found again in the error chain.
#[derive(Debug)]
pub struct PrivateAddressRefused(pub IpAddr);

impl std::fmt::Display for PrivateAddressRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refused: {} is a loopback, private or otherwise non-public address (the operator can allow these with --allow-private-callbacks)",
            self.0
        )
    }
}

impl std::error::Error for PrivateAddressRefused {}

/// Whether an address is reachable on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() || v6.is_unspecified() {
                return false;
            }
            if let Some(v4) = embedded_ipv4(v6) {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001)) // local-use NAT64 (RFC 8215)
        }
    }
}

/// The IPv4 address an IPv6 address stands for, in the forms where a gateway,
/// relay or dual-stack socket delivers to that IPv4 address: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`, RFC 2765),
/// IPv4-compatible (`::a.b.c.d`, deprecated), NAT64's well-known prefix
/// (`64:ff9b::a.b.c.d`, RFC 6052) and 6to4 (`2002:AABB:CCDD::/48`, RFC 3056).
fn embedded_ipv4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0, 0, 0, 0, 0xffff, 0, hi, lo]
        | [0, 0, 0, 0, 0, 0, hi, lo]
        | [0x0064, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// Checks a URL whose host is an IP literal (those never reach a resolver).
pub fn check_literal(url: &url::Url, allow_private: bool) -> Result<(), PrivateAddressRefused> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(PrivateAddressRefused(ip))
    }
}

/// The system resolver, refusing non-public answers.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(PrivateAddressRefused(bad.ip()))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Whether an error (anywhere in its chain) is a refused destination.
pub fn refusal_in(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<PrivateAddressRefused>() {
            return Some(refused.to_string());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    /// IPv6 forms that carry an IPv4 address are judged by that address: a
    /// NAT64 gateway, 6to4 relay or dual-stack host would deliver to it.
    #[test]
    fn ipv6_forms_embedding_ipv4_are_judged_by_the_embedded_address() {
        type Embed = fn(&str) -> String;
        let forms: [(&str, Embed); 5] = [
            ("NAT64", |v4| format!("64:ff9b::{v4}")),
            ("6to4", |v4| {
                let o: std::net::Ipv4Addr = v4.parse().unwrap();
                let o = o.octets();
                format!("2002:{:02x}{:02x}:{:02x}{:02x}::1", o[0], o[1], o[2], o[3])
            }),
            ("IPv4-compatible", |v4| format!("::{v4}")),
            ("IPv4-mapped", |v4| format!("::ffff:{v4}")),
            ("IPv4-translated", |v4| format!("::ffff:0:{v4}")),
        ];
        for (form, embed) in forms {
            for private in [
                "127.0.0.1",
                "10.0.0.1",
                "172.16.5.4",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
            ] {
                let ip = embed(private);
                assert!(
                    !is_public(ip.parse().unwrap()),
                    "{form} {ip} embeds {private}"
                );
            }
            for public in ["8.8.8.8", "93.184.216.34"] {
                let ip = embed(public);
                assert!(
                    is_public(ip.parse().unwrap()),
                    "{form} {ip} embeds {public}"
                );
            }
        }
        // RFC 8215's local-use NAT64 prefix is the operator's own network.
        assert!(!is_public("64:ff9b:1::a00:1".parse().unwrap()));
        assert!(!is_public("64:ff9b:1::808:808".parse().unwrap()));
    }

    #[test]
    fn ipv6_literal_embedding_loopback_is_refused() {
        for host in [
            "[64:ff9b::7f00:1]",
            "[2002:7f00:1::1]",
            "[::7f00:1]",
            "[::ffff:0:7f00:1]",
        ] {
            let url = url::Url::parse(&format!("http://{host}/x")).unwrap();
            assert!(check_literal(&url, false).is_err(), "{host}");
        }
    }

    #[test]
    fn literal_hosts_are_checked() {
        let local = url::Url::parse("http://127.0.0.1:9/x").unwrap();
        assert!(check_literal(&local, false).is_err());
        assert!(check_literal(&local, true).is_ok());
        let v6 = url::Url::parse("http://[::1]/x").unwrap();
        assert!(check_literal(&v6, false).is_err());
        let named = url::Url::parse("http://localhost/x").unwrap();
        assert!(
            check_literal(&named, false).is_ok(),
            "names are checked by the resolver"
        );
    }
}
