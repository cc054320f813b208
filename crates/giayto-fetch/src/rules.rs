//! Which uris may be fetched (docs/format.md §9.7): the scope of one request, checked on the
//! uri asked for and on every redirect, and the addresses a connection may go to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

use crate::{FetchError, Rule};

/// Where one fetch may go: the uri asked for and every redirect must stay inside it.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Scheme, host and port every url must have, and the path it must start with.
    base: Url,
    allow_http: bool,
}

/// Parse a uri and check the parts that do not depend on a scope: an absolute `https` url
/// (`http` only when allowed), with a host and no user name or password.
pub(crate) fn parse_url(uri: &str, allow_http: bool) -> Result<Url, FetchError> {
    let refused = |rule: Rule| FetchError::NotAllowed {
        uri: uri.to_owned(),
        rule,
    };
    let url = Url::parse(uri).map_err(|_| refused(Rule::NotAUrl))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        _ => return Err(refused(Rule::Scheme)),
    }
    if url.host().is_none() {
        return Err(refused(Rule::NotAUrl));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(Rule::UserInfo));
    }
    Ok(url)
}

impl Scope {
    /// The scope of an issuer's status lists: its `status_uri_prefix` (docs/format.md §6.3).
    pub(crate) fn prefix(prefix: &str, allow_http: bool) -> Result<Scope, FetchError> {
        Ok(Scope {
            base: parse_url(prefix, allow_http)?,
            allow_http,
        })
    }

    /// The scope of the trust list: its url's origin and folder (the path up to its last `/`).
    pub(crate) fn trust(url: &str, allow_http: bool) -> Result<(Scope, Url), FetchError> {
        let parsed = parse_url(url, allow_http)?;
        let mut base = parsed.clone();
        let folder = match parsed.path().rfind('/') {
            Some(i) => parsed.path()[..=i].to_owned(),
            None => "/".to_owned(),
        };
        base.set_path(&folder);
        base.set_query(None);
        base.set_fragment(None);
        Ok((Scope { base, allow_http }, parsed))
    }

    /// Check a url against the scope: same scheme, host and port, a path under the scope's
    /// path, no user name or password. Returns the url to request (without its fragment).
    pub(crate) fn check(&self, uri: &str) -> Result<Url, FetchError> {
        let mut url = parse_url(uri, self.allow_http)?;
        url.set_fragment(None);
        self.check_url(&url)?;
        Ok(url)
    }

    /// [`Scope::check`] of a parsed url (a redirect's target).
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        let refused = |rule: Rule| FetchError::NotAllowed {
            uri: url.to_string(),
            rule,
        };
        if url.scheme() != self.base.scheme() {
            return Err(refused(Rule::Scheme));
        }
        if !self.allow_http && url.scheme() != "https" {
            return Err(refused(Rule::Scheme));
        }
        if url.host() != self.base.host() {
            return Err(refused(Rule::Host));
        }
        if url.port_or_known_default() != self.base.port_or_known_default() {
            return Err(refused(Rule::Host));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused(Rule::UserInfo));
        }
        // The parser has already removed `.` and `..` segments (also percent-encoded ones).
        if !url.path().starts_with(self.base.path()) {
            return Err(refused(Rule::Path));
        }
        Ok(())
    }
}

/// Whether a connection may go to this address: never to loopback, private, link-local,
/// shared, documentation, multicast or reserved ranges unless `allow_private` (tests on
/// 127.0.0.1, an intranet mirror).
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that is reached.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[..6] == [0; 6]) // IPv4-compatible and other reserved low addresses
}

/// Check a url's host when it is an address literal (names are checked when resolved, by
/// [`crate::http::Resolver`]).
pub(crate) fn check_literal_host(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    let host = url.host_str().unwrap_or_default();
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(());
    };
    if address_allowed(ip, allow_private) {
        Ok(())
    } else {
        Err(FetchError::PrivateAddress {
            host: url.host_str().unwrap_or_default().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_uri_must_be_under_the_prefix() {
        let scope = Scope::prefix("https://giayto.example/st/VN.BCA.C06/", false).unwrap();
        assert!(scope
            .check("https://giayto.example/st/VN.BCA.C06/1")
            .is_ok());
        assert!(scope
            .check("https://GIAYTO.example:443/st/VN.BCA.C06/2#x")
            .is_ok());
        for bad in [
            "http://giayto.example/st/VN.BCA.C06/1",
            "ftp://giayto.example/st/VN.BCA.C06/1",
            "https://giayto.example.evil.test/st/VN.BCA.C06/1",
            "https://evil.test/st/VN.BCA.C06/1",
            "https://giayto.example:8443/st/VN.BCA.C06/1",
            "https://giayto.example/st/VN.BHXH/1",
            "https://giayto.example/st/VN.BCA.C06/../VN.BHXH/1",
            "https://giayto.example/st/VN.BCA.C06/%2e%2e/VN.BHXH/1",
            "https://user:pw@giayto.example/st/VN.BCA.C06/1",
            "giayto.example/st/VN.BCA.C06/1",
            "/st/VN.BCA.C06/1",
        ] {
            assert!(
                matches!(scope.check(bad), Err(FetchError::NotAllowed { .. })),
                "{bad}"
            );
        }
        // http only when allowed, and then only if the prefix says http.
        let test = Scope::prefix("http://127.0.0.1:8081/st/X/", true).unwrap();
        assert!(test.check("http://127.0.0.1:8081/st/X/1").is_ok());
        assert!(test.check("https://127.0.0.1:8081/st/X/1").is_err());
        assert!(Scope::prefix("http://127.0.0.1:8081/st/X/", false).is_err());
    }

    #[test]
    fn the_trust_list_scope_is_its_folder() {
        let (scope, url) = Scope::trust("https://root.example/vn/trust.cwt", false).unwrap();
        assert_eq!(url.as_str(), "https://root.example/vn/trust.cwt");
        assert!(scope.check("https://root.example/vn/trust-2.cwt").is_ok());
        assert!(scope.check("https://root.example/other/trust.cwt").is_err());
        assert!(scope.check("https://mirror.example/vn/trust.cwt").is_err());
    }

    #[test]
    fn private_addresses_are_refused_unless_allowed() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:101::1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(!address_allowed(ip, false), "{private}");
            assert!(address_allowed(ip, true), "{private}");
        }
        for public in [
            "1.1.1.1",
            "203.113.131.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(address_allowed(ip, false), "{public}");
        }
        let literal = Url::parse("https://[::1]/st/1").unwrap();
        assert!(matches!(
            check_literal_host(&literal, false),
            Err(FetchError::PrivateAddress { .. })
        ));
        assert!(check_literal_host(&literal, true).is_ok());
        let name = Url::parse("https://localhost/st/1").unwrap();
        assert!(
            check_literal_host(&name, false).is_ok(),
            "names: at resolution"
        );
    }
}
