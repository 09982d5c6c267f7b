//! The HTTP transport: JSON POSTs with a bearer token, HTTPS only (plain HTTP to loopback
//! when allowed), bounded answers and timeouts.

use super::*;

/// How CSC requests travel: one JSON POST with an optional bearer token.
pub trait CscTransport: Send + Sync {
    /// POSTs `body` as `application/json` to `url`, with `Authorization: Bearer <bearer>` when
    /// given, and returns the JSON object of a 2xx answer. Errors are [`Error::Csc`]
    /// ([`CscFailure::Unreachable`] when nothing answered; see [`json_from_response`] for the
    /// rest) or [`Error::InvalidArgument`] for a URL the transport will not use.
    fn post_json(&self, url: &str, bearer: Option<&str>, body: &Value) -> Result<Value>;
}

/// CSC over plain HTTP with ureq: [`DEFAULT_TIMEOUT`], [`MAX_RESPONSE`], no redirects (the
/// token would follow them), no proxy, `http://` to the loopback interface only unless
/// [`allow_plain_http`](Self::allow_plain_http).
#[derive(Clone)]
pub struct UreqCscTransport {
    pub(super) agent: ureq::Agent,
    pub(super) timeout: Duration,
    pub(super) allow_plain_http: bool,
}

impl fmt::Debug for UreqCscTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqCscTransport")
            .field("timeout", &self.timeout)
            .field("allow_plain_http", &self.allow_plain_http)
            .finish_non_exhaustive()
    }
}

impl Default for UreqCscTransport {
    fn default() -> Self {
        UreqCscTransport::new()
    }
}

impl UreqCscTransport {
    /// A transport with [`DEFAULT_TIMEOUT`].
    pub fn new() -> Self {
        UreqCscTransport::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A transport with the given per-request timeout (connection, request and whole answer).
    pub fn with_timeout(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .proxy(None)
            .tls_config(crate::net::tls_config())
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build();
        UreqCscTransport {
            agent: ureq::Agent::new_with_config(config),
            timeout,
            allow_plain_http: false,
        }
    }

    /// Allows `http://` to hosts other than the loopback interface: the access token, PIN and
    /// OTP then travel in clear. Only for a TLS-terminating proxy on a trusted network.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) fn check_url(&self, url: &str) -> Result<()> {
        let bad = |why: String| Err(Error::InvalidArgument(format!("{url}: {why}")));
        let Some((scheme, rest)) = url.split_once("://") else {
            return bad("not an http:// URL".into());
        };
        let plain = match scheme.to_ascii_lowercase().as_str() {
            "http" => true,
            "https" => false,
            other => return bad(format!("unsupported URL scheme \"{other}\"")),
        };
        let host = url_host(rest);
        if host.is_empty() {
            return bad("no host".into());
        }
        if plain && !self.allow_plain_http && !is_loopback(host) {
            return bad(format!(
                "refusing to send the access token and PIN in clear (plain http://) to {host}"
            ));
        }
        Ok(())
    }

    pub(super) fn map_err(&self, url: &str, e: ureq::Error) -> Error {
        let timeout = || format!("no answer within {} s", self.timeout.as_secs_f32());
        let (kind, why) = match e {
            ureq::Error::Timeout(_) => (CscFailure::Unreachable, timeout()),
            ureq::Error::BodyExceedsLimit(n) => (
                CscFailure::Malformed,
                format!("answer larger than {n} bytes"),
            ),
            ureq::Error::HostNotFound => (CscFailure::Unreachable, "host not found".into()),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                (CscFailure::Unreachable, "connection refused".into())
            }
            ureq::Error::Io(io) => match io.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>())
            {
                Some(ureq::Error::BodyExceedsLimit(n)) => (
                    CscFailure::Malformed,
                    format!("answer larger than {n} bytes"),
                ),
                Some(ureq::Error::Timeout(_)) => (CscFailure::Unreachable, timeout()),
                _ => (CscFailure::Unreachable, io.to_string()),
            },
            other => (CscFailure::Unreachable, other.to_string()),
        };
        fail(kind, format!("{url}: {why}"))
    }
}

/// The host of the part of a URL after `scheme://` (no user info, port or brackets).
pub(super) fn url_host(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

pub(super) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl CscTransport for UreqCscTransport {
    fn post_json(&self, url: &str, bearer: Option<&str>, body: &Value) -> Result<Value> {
        self.check_url(url)?;
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidArgument(format!("CSC request body: {e}")))?;
        let mut req = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        if let Some(token) = bearer {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        let mut resp = req.send(&bytes[..]).map_err(|e| self.map_err(url, e))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| self.map_err(url, e))?;
        json_from_response(url, status, &body)
    }
}
