//! HTTP for revocation data (OCSP, CRLs, CA issuers): one small trait, [`HttpClient`], so tests
//! and `--offline` can swap the network out.
//!
//! - [`UreqClient`]: the real client. OCSP and CRL URLs are `http://` by convention (RFC 5280
//!   §4.2.1.13, RFC 6960 Appendix A.1: the data is signed); `https://` (TSAs, remote signing)
//!   goes through rustls with the aws-lc-rs provider and the Mozilla root store. Per-request
//!   timeout, response size limit, at most [`MAX_REDIRECTS`] redirects. Proxies from the environment (`http_proxy`, `NO_PROXY`) apply.
//! - [`Offline`]: every request fails with an "offline" error.
//! - [`CachingClient`]: GET responses kept by URL until an expiry the caller gives (a CRL's
//!   nextUpdate, an OCSP response's nextUpdate...).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::error::{Error, Result};

/// Default per-request timeout (connection, request and whole response body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on a response body: 10 MiB.
#[cfg(feature = "net")]
pub const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;
/// Redirects followed at most.
pub const MAX_REDIRECTS: u32 = 3;

/// What came back from a server. Any status is returned as is (4xx/5xx are not errors here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code (200, 404, 302 …), whatever it is.
    pub status: u16,
    /// The `Content-Type` header, when present.
    pub content_type: Option<String>,
    /// The whole response body (at most the client's body limit, 10 MiB by default).
    pub body: Vec<u8>,
    /// The `Location` header of a redirect, for a client that does not follow redirects.
    pub location: Option<String>,
}

impl HttpResponse {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The media type without parameters, lower case (`application/ocsp-response`).
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Fetches things over HTTP. Errors ([`Error::Network`]) mean no HTTP response at all
/// (unreachable, timeout, unsupported URL, offline); a response with any status is `Ok`.
///
/// Verification, LTV extension and time-stamping take an `Arc<dyn HttpClient>`, so a caller can
/// put its own client in (a proxy, a recorder, a stub for tests) in place of `UreqClient` (feature `net`).
///
/// # Examples
///
/// A stub that answers every request with 404, and [`Offline`], which refuses them all:
///
/// ```
/// use kyso::request::{HttpClient, HttpResponse, Offline};
///
/// struct NotFound;
/// impl HttpClient for NotFound {
///     fn get(&self, _url: &str) -> kyso::Result<HttpResponse> {
///         Ok(HttpResponse { status: 404, content_type: None, body: Vec::new(), location: None })
///     }
///     fn post(&self, url: &str, _ct: &str, _body: &[u8]) -> kyso::Result<HttpResponse> {
///         self.get(url)
///     }
/// }
///
/// let r = NotFound.get("http://crl.example.vn/ca.crl").unwrap();
/// assert!(!r.is_success());
/// assert!(matches!(
///     Offline.get("http://ocsp.example.vn"),
///     Err(kyso::Error::Network { .. })
/// ));
/// ```
pub trait HttpClient: Send + Sync {
    /// `GET url`.
    fn get(&self, url: &str) -> Result<HttpResponse>;
    /// `POST url` with the given body and `Content-Type`.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse>;
    /// `POST url` with an `Authorization` header (e.g. HTTP basic authentication for a TSA).
    /// Clients that cannot send it refuse rather than send the request without it.
    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        let _ = (content_type, body, authorization);
        net_err(
            NetFailure::Other,
            format!("{url}: this HTTP client cannot send credentials"),
        )
    }
}

impl<T: HttpClient + ?Sized> HttpClient for &T {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        (**self).get(url)
    }
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        (**self).post(url, content_type, body)
    }
    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        (**self).post_authorized(url, content_type, body, authorization)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Box<T> {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        (**self).get(url)
    }
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        (**self).post(url, content_type, body)
    }
    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        (**self).post_authorized(url, content_type, body, authorization)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Arc<T> {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        (**self).get(url)
    }
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        (**self).post(url, content_type, body)
    }
    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        (**self).post_authorized(url, content_type, body, authorization)
    }
}

pub use crate::error::kinds::NetFailure;

fn net_err<T>(kind: NetFailure, msg: impl Into<String>) -> Result<T> {
    Err(Error::Network {
        kind,
        detail: msg.into(),
    })
}

#[cfg(feature = "net")]
/// The kind of a transport error from ureq.
fn classify(e: &ureq::Error) -> NetFailure {
    match e {
        ureq::Error::Timeout(_) => NetFailure::Timeout,
        ureq::Error::BodyExceedsLimit(_) => NetFailure::TooLarge,
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => NetFailure::Redirect,
        ureq::Error::HostNotFound => NetFailure::Dns,
        ureq::Error::BadUri(_) => NetFailure::UnsupportedUrl,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => NetFailure::Tls,
        ureq::Error::Io(io) => match io.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
            Some(inner) => classify(inner),
            None => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => NetFailure::Refused,
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    NetFailure::Timeout
                }
                _ if io.to_string().contains("failed to lookup address") => NetFailure::Dns,
                _ => NetFailure::Other,
            },
        },
        _ => NetFailure::Other,
    }
}

#[cfg(feature = "net")]
/// TLS for `https://` (TSAs, remote signing services): rustls with the aws-lc-rs provider kyso
/// already uses for its own cryptography, and the Mozilla root store (webpki-roots).
pub(crate) fn tls_config() -> ureq::tls::TlsConfig {
    ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(std::sync::Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .build()
}

#[cfg(feature = "net")]
/// Accepts `http://` and `https://` URLs; other schemes get a clear error.
fn check_url(url: &str) -> Result<()> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http") if url.len() > "http://".len() => Ok(()),
        Some("https") if url.len() > "https://".len() => Ok(()),
        Some(s) => net_err(
            NetFailure::UnsupportedUrl,
            format!("{url}: unsupported URL scheme \"{s}\""),
        ),
        None => net_err(
            NetFailure::UnsupportedUrl,
            format!("{url}: not an http:// URL"),
        ),
    }
}

#[cfg(feature = "net")]
/// The real HTTP client (ureq; feature `net`): `http://` and `https://` (rustls, Mozilla
/// roots), proxies from the environment, a per-request timeout and a response body limit,
/// at most 3 redirects. Any other scheme is refused before anything is sent.
///
/// # Examples
///
/// ```
/// use kyso::request::{HttpClient, UreqClient};
/// use std::time::Duration;
///
/// let client = UreqClient::with_limits(Duration::from_secs(5), 1 << 20);
/// assert_eq!(client.timeout(), Duration::from_secs(5));
/// // Refused without any network access.
/// assert!(client.get("ldap://ca.example.vn/crl").is_err());
/// ```
#[derive(Clone)]
pub struct UreqClient {
    agent: ureq::Agent,
    timeout: Duration,
    max_body: u64,
    /// Whether redirects are followed by ureq (see [`UreqClient::without_redirects`]).
    follow: bool,
}

#[cfg(feature = "net")]
impl std::fmt::Debug for UreqClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqClient")
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "net")]
impl Default for UreqClient {
    fn default() -> Self {
        UreqClient::new()
    }
}

#[cfg(feature = "net")]
impl UreqClient {
    /// A client with a 10 s timeout and a 10 MiB response limit.
    pub fn new() -> Self {
        UreqClient::with_limits(DEFAULT_TIMEOUT, DEFAULT_MAX_BODY)
    }

    /// A client with the given per-request timeout (connection, request and whole body) and
    /// response body limit in bytes.
    pub fn with_limits(timeout: Duration, max_body: u64) -> Self {
        UreqClient::build(timeout, max_body, true, true)
    }

    /// The same client, connecting directly even when `http_proxy`/`ALL_PROXY` are set.
    pub fn without_proxy(self) -> Self {
        UreqClient::build(self.timeout, self.max_body, false, self.follow)
    }

    /// The same client, returning redirects as answers (with their `Location`) instead of
    /// following them: for verification's budgeted client, which follows them itself.
    pub fn without_redirects(self) -> Self {
        UreqClient::build(self.timeout, self.max_body, true, false)
    }

    fn build(timeout: Duration, max_body: u64, env_proxy: bool, follow: bool) -> Self {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(if follow { MAX_REDIRECTS } else { 0 })
            .max_redirects_will_error(follow)
            .timeout_global(Some(timeout))
            .tls_config(tls_config())
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")));
        if !env_proxy {
            config = config.proxy(None);
        }
        UreqClient {
            agent: ureq::Agent::new_with_config(config.build()),
            timeout,
            max_body,
            follow,
        }
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn map_err(&self, url: &str, e: ureq::Error) -> Error {
        let kind = classify(&e);
        let why = match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s", self.timeout.as_secs_f32()),
            ureq::Error::BodyExceedsLimit(n) => format!("response larger than {n} bytes"),
            ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused".to_string()
            }
            ureq::Error::Io(io) => match io.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>())
            {
                Some(ureq::Error::BodyExceedsLimit(n)) => format!("response larger than {n} bytes"),
                Some(ureq::Error::Timeout(_)) => {
                    format!("no answer within {} s", self.timeout.as_secs_f32())
                }
                _ => io.to_string(),
            },
            ureq::Error::HostNotFound => "host not found".to_string(),
            other => other.to_string(),
        };
        Error::Network {
            kind,
            detail: format!("{url}: {why}"),
        }
    }

    fn finish(
        &self,
        url: &str,
        r: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<HttpResponse> {
        let mut resp = r.map_err(|e| self.map_err(url, e))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(|e| self.map_err(url, e))?;
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(HttpResponse {
            status,
            content_type,
            body,
            location,
        })
    }
}

#[cfg(feature = "net")]
impl HttpClient for UreqClient {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        check_url(url)?;
        self.finish(url, self.agent.get(url).call())
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        check_url(url)?;
        self.finish(
            url,
            self.agent
                .post(url)
                .header("Content-Type", content_type)
                .send(body),
        )
    }

    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        check_url(url)?;
        self.finish(
            url,
            self.agent
                .post(url)
                .header("Content-Type", content_type)
                .header("Authorization", authorization)
                .send(body),
        )
    }
}

/// The client of a caller that did not give one: ureq, or [`Offline`] when kyso is built
/// without the `net` feature (every request then fails with an "offline" error).
pub(crate) fn default_client() -> Arc<dyn HttpClient> {
    #[cfg(feature = "net")]
    return Arc::new(UreqClient::new());
    #[cfg(not(feature = "net"))]
    return Arc::new(Offline);
}

/// The client verification fetches revocation data with (`timeout` per request, no redirects;
/// [`BudgetedClient`] follows them itself); None without the `net` feature, which verification
/// treats as offline: no fetch, revocation not determined unless the file or the caller has it.
#[cfg(feature = "net")]
pub(crate) fn live_client(timeout: Duration) -> Option<UreqClient> {
    Some(UreqClient::with_limits(timeout, DEFAULT_MAX_BODY).without_redirects())
}

/// Without the `net` feature: no live client (see the `net` version).
#[cfg(not(feature = "net"))]
pub(crate) fn live_client(_timeout: Duration) -> Option<Offline> {
    None
}

/// No network: every request fails with an "offline" error (`kyso verify --offline`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl HttpClient for Offline {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        net_err(
            NetFailure::Offline,
            format!("offline: network access is disabled (not fetching {url})"),
        )
    }

    fn post(&self, url: &str, _content_type: &str, _body: &[u8]) -> Result<HttpResponse> {
        net_err(
            NetFailure::Offline,
            format!("offline: network access is disabled (not posting to {url})"),
        )
    }
}

/// Entries kept at most by a [`CachingClient`]; beyond, expired and then soonest-expiring
/// entries are dropped.
pub const CACHE_CAPACITY: usize = 256;

struct CacheEntry {
    response: HttpResponse,
    expires: OffsetDateTime,
}

/// A cache of GET responses by URL in front of another client. Entries are stored by the
/// caller with the time they stop being valid ([`CachingClient::insert`], or
/// [`CachingClient::get_with_expiry`]); a `get` for a URL with an entry not yet expired is
/// answered from the cache. POSTs always go through. Thread-safe.
pub struct CachingClient<C> {
    inner: C,
    entries: Mutex<HashMap<String, CacheEntry>>,
}

impl<C> std::fmt::Debug for CachingClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("CachingClient")
            .field("entries", &n)
            .finish_non_exhaustive()
    }
}

// Only `new` and `cached` are used by the library today: verification never stores into the
// cache (`insert`/`get_with_expiry` are exercised by the tests only), so its `get` always misses.
#[allow(dead_code)]
impl<C: HttpClient> CachingClient<C> {
    /// Wraps `inner` with an empty cache.
    pub fn new(inner: C) -> Self {
        CachingClient {
            inner,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The wrapped client.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CacheEntry>> {
        // A panic while holding the lock cannot leave the map half-updated: recover it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached response for `url` if its entry has not expired at `now`.
    pub fn cached(&self, url: &str, now: OffsetDateTime) -> Option<HttpResponse> {
        let map = self.lock();
        map.get(url)
            .filter(|e| now < e.expires)
            .map(|e| e.response.clone())
    }

    /// Stores `response` for `url` until `expires` (ignored when `expires` is not after `now`).
    pub fn insert(&self, url: &str, response: HttpResponse, expires: OffsetDateTime) {
        self.insert_at(url, response, expires, OffsetDateTime::now_utc());
    }

    fn insert_at(
        &self,
        url: &str,
        response: HttpResponse,
        expires: OffsetDateTime,
        now: OffsetDateTime,
    ) {
        if expires <= now {
            return;
        }
        let mut map = self.lock();
        if map.len() >= CACHE_CAPACITY && !map.contains_key(url) {
            map.retain(|_, e| now < e.expires);
            while map.len() >= CACHE_CAPACITY {
                let Some(k) = map
                    .iter()
                    .min_by_key(|(_, e)| e.expires)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                map.remove(&k);
            }
        }
        map.insert(url.to_string(), CacheEntry { response, expires });
    }

    /// Drops the entry for `url`.
    pub fn remove(&self, url: &str) {
        self.lock().remove(url);
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Number of entries (expired ones included until they are replaced or purged).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// GET through the cache: an entry still valid at `now` answers; otherwise the request goes
    /// to the inner client and, when the answer is a 2xx and `expiry` gives a time after `now`
    /// (e.g. the nextUpdate of the CRL just fetched), it is stored until then.
    pub fn get_with_expiry(
        &self,
        url: &str,
        now: OffsetDateTime,
        expiry: impl FnOnce(&HttpResponse) -> Option<OffsetDateTime>,
    ) -> Result<HttpResponse> {
        if let Some(r) = self.cached(url, now) {
            return Ok(r);
        }
        let r = self.inner.get(url)?;
        if r.is_success() {
            if let Some(exp) = expiry(&r) {
                self.insert_at(url, r.clone(), exp, now);
            }
        }
        Ok(r)
    }
}

impl<C: HttpClient> HttpClient for CachingClient<C> {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        match self.cached(url, OffsetDateTime::now_utc()) {
            Some(r) => Ok(r),
            None => self.inner.get(url),
        }
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        self.inner.post(url, content_type, body)
    }

    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        self.inner
            .post_authorized(url, content_type, body, authorization)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "net")]
    /// A server on 127.0.0.1 answering `/a` → 302 `/b`, `/b` → 200, `/c` → 302 to https.
    fn redirecting_server() -> u16 {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut s in l.incoming().take(16).flatten() {
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let reply = match path.as_str() {
                    "/a" => "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/c" => format!("HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:{port}/b\r\nContent-Length: 0\r\n\r\n"),
                    _ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string(),
                };
                let _ = s.write_all(reply.as_bytes());
            }
        });
        port
    }

    #[cfg(feature = "net")]
    #[test]
    fn budgeted_client_follows_same_scheme_redirects_and_lists_them() {
        let port = redirecting_server();
        let client = BudgetedClient::new(
            UreqClient::with_limits(Duration::from_secs(5), 1 << 20)
                .without_proxy()
                .without_redirects(),
            NetworkBudget {
                max_fetches: 3,
                deadline: Duration::from_secs(10),
            },
        );
        let r = client.get(&format!("http://127.0.0.1:{port}/a")).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
        // A redirect to https is not followed.
        let e = client
            .get(&format!("http://127.0.0.1:{port}/c"))
            .unwrap_err();
        assert!(e.to_string().contains("changes the scheme"), "{e}");
        // The budget (3 requests) is spent: the next one is not sent.
        let e = client
            .get(&format!("http://127.0.0.1:{port}/b"))
            .unwrap_err();
        assert!(e.to_string().contains("not sent"), "{e}");
        let log = client.contacts();
        let outcomes: Vec<&str> = log.iter().map(|c| c.outcome.as_str()).collect();
        assert_eq!(outcomes[..2], ["302", "200"], "{log:?}");
        assert!(
            log.iter().any(|c| c.outcome.contains("changes the scheme")),
            "{log:?}"
        );
        assert!(
            log.last().unwrap().outcome.starts_with("not sent"),
            "{log:?}"
        );
    }

    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Counting {
        gets: AtomicUsize,
        posts: AtomicUsize,
    }

    impl HttpClient for Counting {
        fn get(&self, url: &str) -> Result<HttpResponse> {
            let n = self.gets.fetch_add(1, Ordering::SeqCst);
            Ok(HttpResponse {
                status: if url.ends_with("404") { 404 } else { 200 },
                content_type: Some("text/plain; charset=utf-8".into()),
                body: format!("{url} #{n}").into_bytes(),
                location: None,
            })
        }
        fn post(&self, url: &str, _: &str, body: &[u8]) -> Result<HttpResponse> {
            self.posts.fetch_add(1, Ordering::SeqCst);
            Ok(HttpResponse {
                status: 200,
                content_type: None,
                body: [url.as_bytes(), body].concat(),
                location: None,
            })
        }
    }

    #[cfg(feature = "net")]
    #[test]
    fn transport_failures_have_their_kind() {
        use std::io::{Read, Write};
        let kind = |r: Result<HttpResponse>| match r {
            Err(Error::Network { kind, detail }) => (kind, detail),
            other => panic!("{other:?}"),
        };
        let client = UreqClient::with_limits(Duration::from_millis(700), 1024).without_proxy();
        // Nothing listens: refused.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", closed.local_addr().unwrap());
        drop(closed);
        let (k, detail) = kind(client.get(&url));
        assert_eq!(k, NetFailure::Refused, "{detail}");
        assert!(detail.starts_with(&url), "{detail}");
        // Accepts and never answers: timeout. Answers with too much: too large.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for (i, s) in l.incoming().take(2).enumerate() {
                let mut s = s.unwrap();
                if i == 1 {
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf);
                    let body = vec![b'x'; 4096];
                    let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n");
                    let _ = s.write_all(&body);
                }
                held.push(s);
            }
            std::thread::sleep(Duration::from_secs(3));
        });
        let (k, detail) = kind(client.get(&format!("http://{addr}/slow")));
        assert_eq!(k, NetFailure::Timeout, "{detail}");
        let (k, detail) = kind(client.get(&format!("http://{addr}/big")));
        assert_eq!(k, NetFailure::TooLarge, "{detail}");
        let (k, _) = kind(Offline.get("http://x/"));
        assert_eq!(k, NetFailure::Offline);
    }

    #[cfg(feature = "net")]
    #[test]
    fn urls_are_checked() {
        assert!(check_url("http://ocsp.example.vn/").is_ok());
        assert!(check_url("HTTP://ocsp.example.vn").is_ok());
        assert!(check_url("https://tsa.example.vn/").is_ok());
        assert!(check_url("https://").is_err());
        assert!(check_url("ldap://x/cn=crl").is_err());
        assert!(check_url("http://").is_err());
        assert!(check_url("ocsp.example.vn").is_err());
        let c = UreqClient::new();
        // Refused before any connection is tried.
        assert!(matches!(
            c.get("ftp://x.example/"),
            Err(Error::Network {
                kind: NetFailure::UnsupportedUrl,
                ..
            })
        ));
        assert!(matches!(
            c.post("file:///etc/passwd", "a/b", b""),
            Err(Error::Network { .. })
        ));
    }

    #[test]
    fn offline_fails_clearly() {
        let e = Offline.get("http://crl.example.vn/a.crl").unwrap_err();
        assert!(
            matches!(&e, Error::Network { kind: NetFailure::Offline, detail } if detail.starts_with("offline")),
            "{e}"
        );
        assert!(e.to_string().contains("http://crl.example.vn/a.crl"));
        assert!(Offline
            .post("http://o.example/", "application/ocsp-request", b"x")
            .is_err());
        let boxed: Box<dyn HttpClient> = Box::new(Offline);
        assert!(boxed.get("http://x/").is_err());
    }

    #[test]
    fn cache_honours_expiry() {
        let c = CachingClient::new(Counting::default());
        let t0 = OffsetDateTime::now_utc();
        let hour = time::Duration::hours(1);
        let url = "http://crl.example.vn/ca.crl";
        let a = c.get_with_expiry(url, t0, |_| Some(t0 + hour)).unwrap();
        let b = c.get_with_expiry(url, t0 + hour / 2, |_| None).unwrap();
        assert_eq!(a, b);
        assert_eq!(c.inner().gets.load(Ordering::SeqCst), 1);
        assert_eq!(c.get(url).unwrap(), a, "trait get answers from the cache");
        // At or after the expiry: fetched again.
        let d = c.get_with_expiry(url, t0 + hour, |_| None).unwrap();
        assert_ne!(d, a);
        assert_eq!(c.inner().gets.load(Ordering::SeqCst), 2);
        // Errors and already-expired entries are not cached.
        c.get_with_expiry("http://x/404", t0, |_| Some(t0 + hour))
            .unwrap();
        c.get_with_expiry("http://x/old", t0, |_| Some(t0 - hour))
            .unwrap();
        assert!(c.cached("http://x/404", t0).is_none());
        assert!(c.cached("http://x/old", t0).is_none());
        // POSTs are never cached.
        c.post(url, "a/b", b"1").unwrap();
        c.post(url, "a/b", b"1").unwrap();
        assert_eq!(c.inner().posts.load(Ordering::SeqCst), 2);
        c.remove(url);
        assert!(c.is_empty());
    }

    #[test]
    fn cache_is_bounded_and_shared() {
        let c = Arc::new(CachingClient::new(Counting::default()));
        let now = OffsetDateTime::now_utc();
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for i in 0..CACHE_CAPACITY {
                        let url = format!("http://h/{t}/{i}");
                        let exp = now + time::Duration::minutes(i as i64 + 1);
                        c.get_with_expiry(&url, now, |_| Some(exp)).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert!(c.len() <= CACHE_CAPACITY);
        let r = HttpResponse {
            status: 200,
            content_type: Some("Application/PKIX-CRL; x=1".into()),
            body: vec![],
            location: None,
        };
        assert_eq!(r.media_type().as_deref(), Some("application/pkix-crl"));
        c.clear();
        assert!(c.is_empty());
    }
}

/// How much network verification of one document may use (issue: a document's certificates
/// name the URLs, so its author chooses whom the verifier contacts, and when). Start from
/// `NetworkBudget::default()` (16 requests, 30 s) and change its fields, or set
/// `max_fetches` and `network_deadline` in a [`VerifyRequest`](crate::request::VerifyRequest);
/// it lands in `VerifyOptions::network`. A request beyond it is not sent and is listed as
/// `not sent` in the report's `contacted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkBudget {
    /// Requests at most. 16 covers a signer, two CAs and a TSA chain each with OCSP and a CRL,
    /// and a caIssuers fetch or two — what a real Vietnamese chain needs — with room to spare.
    pub max_fetches: u32,
    /// All requests together end by then; each request also stops at 10 s.
    /// 30 s: a clerk waits for a verdict, and a responder that has not answered by then is
    /// reported as unreachable (TRY_LATER), not waited for.
    pub deadline: Duration,
}

impl Default for NetworkBudget {
    fn default() -> Self {
        NetworkBudget {
            max_fetches: 16,
            deadline: Duration::from_secs(30),
        }
    }
}

/// One request made (or refused) while verifying.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Contact {
    /// `GET` or `POST` (OCSP requests are POSTed, CRLs and caIssuers fetched with GET).
    pub method: &'static str,
    /// The URL as named by the document's certificates (or reached by a redirect).
    pub url: String,
    /// `200`, another status, `error: …`, or `not sent: …` when the budget was spent.
    pub outcome: String,
}

/// A client that counts requests against a [`NetworkBudget`] and lists every URL.
pub struct BudgetedClient<C> {
    inner: C,
    budget: NetworkBudget,
    started: std::time::Instant,
    used: std::sync::atomic::AtomicU32,
    log: Mutex<Vec<Contact>>,
}

impl<C> std::fmt::Debug for BudgetedClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BudgetedClient")
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl<C: HttpClient> BudgetedClient<C> {
    pub fn new(inner: C, budget: NetworkBudget) -> Self {
        BudgetedClient {
            inner,
            budget,
            started: std::time::Instant::now(),
            used: std::sync::atomic::AtomicU32::new(0),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Every request made or refused so far, in order.
    pub fn contacts(&self) -> Vec<Contact> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record(&self, method: &'static str, url: &str, outcome: String) {
        if let Ok(mut log) = self.log.lock() {
            log.push(Contact {
                method,
                url: url.to_string(),
                outcome,
            });
        }
    }

    fn run(
        &self,
        method: &'static str,
        url: &str,
        call: impl FnOnce() -> Result<HttpResponse>,
    ) -> Result<HttpResponse> {
        let n = self.used.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let refusal = if n > self.budget.max_fetches {
            Some(format!(
                "more than {} requests for one document",
                self.budget.max_fetches
            ))
        } else if self.started.elapsed() >= self.budget.deadline {
            Some(format!(
                "the {} s network deadline has passed",
                self.budget.deadline.as_secs()
            ))
        } else {
            None
        };
        if let Some(why) = refusal {
            self.record(method, url, format!("not sent: {why}"));
            return net_err(NetFailure::BudgetSpent, format!("{url}: not sent: {why}"));
        }
        let result = call();
        let outcome = match &result {
            Ok(r) => r.status.to_string(),
            Err(e) => format!("error: {e}"),
        };
        self.record(method, url, outcome);
        result
    }
}

impl<C: HttpClient> HttpClient for BudgetedClient<C> {
    /// GET, following at most [`MAX_REDIRECTS`] redirects itself: each hop counts against the
    /// budget and is listed, and a redirect to another scheme (http → https or back, or
    /// anything else) is refused.
    fn get(&self, url: &str) -> Result<HttpResponse> {
        let scheme = |u: &str| u.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        let mut current = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self.run("GET", &current, || self.inner.get(&current))?;
            let Some(location) = resp
                .location
                .clone()
                .filter(|_| (300..400).contains(&resp.status))
            else {
                return Ok(resp);
            };
            let next = if location.contains("://") {
                location
            } else if let Some(path) = location.strip_prefix('/') {
                // An absolute path on the same origin.
                let origin_end = current
                    .find("://")
                    .and_then(|i| current[i + 3..].find('/').map(|j| i + 3 + j))
                    .unwrap_or(current.len());
                format!("{}/{path}", &current[..origin_end])
            } else {
                return net_err(
                    NetFailure::Redirect,
                    format!("{current}: redirect to an unsupported location"),
                );
            };
            if scheme(&next) != scheme(&current) {
                self.record(
                    "GET",
                    &next,
                    "not sent: the redirect changes the scheme".into(),
                );
                return net_err(
                    NetFailure::Redirect,
                    format!("{current}: redirect to {next} changes the scheme"),
                );
            }
            current = next;
        }
        net_err(
            NetFailure::Redirect,
            format!("{url}: more than {MAX_REDIRECTS} redirects"),
        )
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<HttpResponse> {
        self.run("POST", url, || self.inner.post(url, content_type, body))
    }

    fn post_authorized(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        authorization: &str,
    ) -> Result<HttpResponse> {
        self.run("POST", url, || {
            self.inner
                .post_authorized(url, content_type, body, authorization)
        })
    }
}
