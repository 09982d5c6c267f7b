//! The service's own names, against DNS rebinding.
//!
//! A page of evil.example whose name the attacker re-points at this machine sends requests with
//! `Host: evil.example:8989` and `Origin: http://evil.example:8989`. So the service's own names
//! never come from the request: they are the address the connection arrived on (the socket's
//! local address — with `--listen 0.0.0.0` the interface the client used), `localhost` when
//! that address is a loopback one, and the names given with `--public-name`. A request whose
//! Host names anything else is refused in every mode (RFC 9110 §7.4: a server need not answer
//! for an authority it does not serve), and the page's own origin is `http://` + one of them.

use std::net::{IpAddr, SocketAddr};

/// A host (lower case; IPv6 in brackets) and a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    host: String,
    port: u16,
}

impl Authority {
    /// `host`, `host:port`, `[v6]`, `[v6]:port` (RFC 9110 §7.2: uri-host [ ":" port ]); a
    /// missing or empty port is `default_port`. None when malformed.
    pub fn parse(s: &str, default_port: u16) -> Option<Authority> {
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (v6, after) = rest.split_once(']')?;
            if v6.is_empty()
                || !v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
            {
                return None;
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':')?),
            };
            (format!("[{v6}]"), port)
        } else {
            let (h, p) = match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            };
            let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
            if h.is_empty() || !h.chars().all(name_char) {
                return None;
            }
            (h.to_string(), p)
        };
        let port = match port {
            None | Some("") => default_port,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
        };
        Some(Authority {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    fn of_ip(ip: IpAddr, port: u16) -> Authority {
        let host = match ip.to_canonical() {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        Authority { host, port }
    }

    /// The web origin of a page served from here (RFC 6454 §6.2: the port only when not 80).
    fn origin(&self) -> String {
        if self.port == 80 {
            format!("http://{}", self.host)
        } else {
            format!("http://{}:{}", self.host, self.port)
        }
    }
}

impl std::fmt::Display for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The names a connection that arrived on `local` may use: that address, `localhost` for a
/// loopback address, and the `--public-name`s.
pub fn own_names(local: SocketAddr, public: &[Authority]) -> Vec<Authority> {
    let mut names = vec![Authority::of_ip(local.ip(), local.port())];
    if local.ip().to_canonical().is_loopback() {
        names.push(Authority {
            host: "localhost".into(),
            port: local.port(),
        });
    }
    names.extend(public.iter().cloned());
    names
}

/// Whether the request's authority (Host, or an absolute-form target's) is one of `own`.
/// HTTP's default port is 80 (RFC 9110 §4.2.1).
pub fn host_is_own(own: &[Authority], authority: &str) -> bool {
    Authority::parse(authority, 80).is_some_and(|a| own.contains(&a))
}

/// Whether `origin` is the origin of a page served under one of `own`.
pub fn origin_is_own(own: &[Authority], origin: &str) -> bool {
    own.iter().any(|a| a.origin().eq_ignore_ascii_case(origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Vec<Authority> {
        let public = [Authority::parse("kyso.agency.vn", 8989).unwrap()];
        own_names("127.0.0.1:8989".parse().unwrap(), &public)
    }

    #[test]
    fn hosts() {
        let own = own();
        for ok in [
            "127.0.0.1:8989",
            "localhost:8989",
            "LOCALHOST:8989",
            "kyso.agency.vn:8989",
        ] {
            assert!(host_is_own(&own, ok), "{ok}");
        }
        for refused in [
            "evil.example:8989",
            "127.0.0.1",
            "127.0.0.1:80",
            "localhost:8990",
            "[::1]:8989",
            "",
            "127.0.0.1:8989:1",
            "127.0.0.1:+8989",
            "localhost.:8989",
            "user@localhost:8989",
        ] {
            assert!(!host_is_own(&own, refused), "{refused}");
        }
    }

    #[test]
    fn unspecified_and_v6() {
        let lan: SocketAddr = "192.168.1.5:8989".parse().unwrap();
        let own = own_names(lan, &[]);
        assert!(host_is_own(&own, "192.168.1.5:8989"));
        assert!(!host_is_own(&own, "localhost:8989"));
        let v6 = own_names("[::1]:8989".parse().unwrap(), &[]);
        assert!(host_is_own(&v6, "[::1]:8989"));
        assert!(host_is_own(&v6, "localhost:8989"));
        assert!(!host_is_own(&v6, "[::1]x"));
        let mapped = own_names("[::ffff:10.0.0.2]:8989".parse().unwrap(), &[]);
        assert!(host_is_own(&mapped, "10.0.0.2:8989"));
    }

    #[test]
    fn origins() {
        let own = own();
        assert!(origin_is_own(&own, "http://127.0.0.1:8989"));
        assert!(origin_is_own(&own, "http://localhost:8989"));
        assert!(origin_is_own(&own, "http://kyso.agency.vn:8989"));
        assert!(!origin_is_own(&own, "https://localhost:8989"));
        assert!(!origin_is_own(&own, "http://evil.example:8989"));
        assert!(!origin_is_own(&own, "null"));
        let port80 = [Authority::parse("kyso.vn:80", 8989).unwrap()];
        assert!(origin_is_own(&port80, "http://kyso.vn"));
    }
}
