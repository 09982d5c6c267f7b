//! Remote signing ("ký số từ xa") through a Cloud Signature Consortium API v1 service (CSC API
//! v1.0.4): VNPT SmartCA, Viettel MySign and similar services keep the key and sign a hash.
//!
//! # The flow
//!
//! 1. The caller gets an OAuth 2.0 access token from the service, out of band (its login page,
//!    client credentials...). kyso sends it as `Authorization: Bearer` on every call (CSC §8.1)
//!    and never writes it anywhere.
//! 2. `credentials/list` names the user's credentials (keys): [`CscClient::list_credentials`].
//! 3. `credentials/info` (with `certificates: "chain"`, `authInfo: true`) gives the certificate
//!    chain (signer first), the key algorithm and how signing is authorised
//!    ([`CredentialInfo`]). [`CscSigner::new`] calls it once.
//! 4. For every signature, [`CscSigner`] (its [`Signer::sign`]):
//!    - hashes the message (the DER of the CMS signed attributes) with the requested digest;
//!    - when `authMode` is `explicit` and an *online* OTP is required, calls
//!      `credentials/sendOTP`: the service sends the OTP (SMS, e-mail, its phone app);
//!    - calls the authorisation callback with an [`AuthRequest`] (PIN and/or OTP required,
//!      whether an OTP was just sent), which answers with [`AuthSecrets`]: a CLI prompts the
//!      user, a C ABI caller supplies them. With `authMode: "implicit"` nothing is asked: the
//!      callback is only told (say, to print "confirm on your phone") and returns
//!      [`AuthSecrets::none`]; the service authorises on its own, possibly holding its answer
//!      to `credentials/authorize` until the user confirms a push notification (give the
//!      transport room for that: [`UreqCscTransport::with_timeout`]);
//!    - `credentials/authorize` with `numSignatures: 1` and the PIN/OTP gives a SAD (Signature
//!      Activation Data) good for this one signature;
//!    - `signatures/signHash` with the hash, `hashAlgo` and `signAlgo` (rsaEncryption for
//!      PKCS#1 v1.5, the service building the DigestInfo; RSASSA-PSS with `signAlgoParams`;
//!      ecdsa-with-SHA*) gives the signature value; ECDSA values in raw r‖s become DER;
//!    - checks the value against the credential's certificate and refuses one that does not
//!      verify.
//!
//! `authMode: "oauth2code"` (an OAuth page per signature) is not supported.
//!
//! # Errors
//!
//! Failures of the service are [`Error::Csc`] with a [`CscFailure`]: unreachable, HTTP error
//! (with the CSC `error` and `error_description`), wrong PIN (`invalid_pin`), wrong OTP
//! (`invalid_otp`), credential not found, access token refused, malformed answer, signature
//! that does not verify. Text from the service is stripped of control characters and shortened.
//!
//! # Transport
//!
//! [`CscTransport`] posts JSON with an optional bearer token. [`UreqCscTransport`] is plain
//! HTTP (this build has no TLS) with a 10 s timeout, a 1 MiB answer limit, no redirects and no
//! proxy; it refuses to send the token and PIN in clear to anything but the loopback
//! interface unless [`UreqCscTransport::allow_plain_http`] says otherwise (e.g. behind a
//! TLS-terminating proxy on the same host). An HTTPS transport is another [`CscTransport`];
//! [`json_from_response`] gives it the same error handling.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kyso::sign::csc::{AuthSecrets, CscClient, CscSigner, UreqCscTransport};
//!
//! # fn main() -> kyso::Result<()> {
//! let client = CscClient::new("http://127.0.0.1:8080/csc/v1", Arc::new(UreqCscTransport::new()));
//! let token = "access-token";
//! let id = client.list_credentials(token, None)?.remove(0);
//! let signer = CscSigner::new(client, id, token, Box::new(|req| {
//!     if req.needs_input() {
//!         Ok(AuthSecrets::pin("123456"))
//!     } else {
//!         eprintln!("confirm the signature on your phone");
//!         Ok(AuthSecrets::none())
//!     }
//! }))?;
//! let pdf = std::fs::read("in.pdf").unwrap();
//! let (signed, _) = kyso::sign::sign_bytes(&pdf, &signer, &Default::default())?;
//! # let _ = signed;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::signer::{KeyKind, Signer};
use crate::asn1::{oid, reader::tag, writer, AlgorithmIdentifier, Reader};
use crate::crypto::{self, DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::certificate::{Curve, PublicKeyKind};
use crate::pki::Certificate;

/// Default per-request timeout of [`UreqCscTransport`] (connection, request and answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer [`UreqCscTransport`] reads: 1 MiB.
pub const MAX_RESPONSE: u64 = 1024 * 1024;
/// Pages of `credentials/list` followed at most.
const MAX_PAGES: usize = 20;
/// Certificates accepted in a chain from `credentials/info`.
const MAX_CHAIN: usize = 10;
/// Characters kept of a text that comes from the service.
const MAX_TEXT: usize = 300;

pub use crate::error::kinds::CscFailure;

fn fail(kind: CscFailure, detail: impl Into<String>) -> Error {
    Error::Csc {
        kind,
        status: None,
        error: None,
        detail: detail.into(),
    }
}

fn malformed(url: &str, what: impl fmt::Display) -> Error {
    fail(CscFailure::Malformed, format!("{url}: {what}"))
}

/// A text from the service, without control characters (no terminal escapes) and shortened.
fn clean(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TEXT)
        .collect();
    if s.chars().filter(|c| !c.is_control()).count() > MAX_TEXT {
        out.push('…');
    }
    out
}

/// The JSON of an answer from a CSC service at `url`: a JSON object for a 2xx status (an empty
/// body counts as `{}`, e.g. `204 No Content` from `credentials/sendOTP`), otherwise the
/// matching [`Error::Csc`], classified by the CSC `error` code. A 2xx that carries an `error`
/// is an error too. For transports other than [`UreqCscTransport`].
pub fn json_from_response(url: &str, status: u16, body: &[u8]) -> Result<Value> {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let parsed: Option<Value> = if empty {
        Some(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(body).ok()
    };
    let text = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(clean)
    };
    let code = text("error");
    let description = text("error_description");
    if (200..300).contains(&status) && code.is_none() {
        return match parsed {
            Some(v @ Value::Object(_)) => Ok(v),
            Some(_) => Err(malformed(url, "the answer is not a JSON object")),
            None => Err(malformed(url, "the answer is not JSON")),
        };
    }
    Err(http_error(url, status, code, description))
}

fn http_error(url: &str, status: u16, code: Option<String>, description: Option<String>) -> Error {
    let code_lc = code.as_deref().map(str::to_ascii_lowercase);
    let desc_lc = description
        .as_deref()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let about_credential = desc_lc.contains("credentialid") || desc_lc.contains("credential id");
    let kind = match code_lc.as_deref() {
        Some("invalid_pin") => CscFailure::WrongPin,
        Some("invalid_otp") => CscFailure::WrongOtp,
        Some("invalid_token" | "invalid_client" | "unauthorized_client") => {
            CscFailure::AccessDenied
        }
        // CSC §11.5 ff.: an unknown ID is "invalid_request" / "Invalid parameter credentialID".
        Some("invalid_request") if about_credential => CscFailure::CredentialNotFound,
        Some("credential_not_found" | "invalid_credential") => CscFailure::CredentialNotFound,
        _ if status == 401 => CscFailure::AccessDenied,
        _ if status == 404 && about_credential => CscFailure::CredentialNotFound,
        _ => CscFailure::Http,
    };
    let mut detail = format!("{url}: HTTP {status}");
    if let Some(c) = &code {
        detail.push_str(&format!(" {c}"));
    }
    if let Some(d) = &description {
        detail.push_str(&format!(": {d}"));
    }
    if (300..400).contains(&status) {
        detail.push_str(" (redirects are not followed)");
    }
    if (200..300).contains(&status) && code.is_none() {
        detail.push_str(" (not JSON)");
    }
    Error::Csc {
        kind,
        status: Some(status),
        error: code,
        detail,
    }
}

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
    agent: ureq::Agent,
    timeout: Duration,
    allow_plain_http: bool,
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

    fn check_url(&self, url: &str) -> Result<()> {
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

    fn map_err(&self, url: &str, e: ureq::Error) -> Error {
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
fn url_host(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
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

/// How signing with a credential is authorised (`authMode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// The service authorises by its own means (e.g. a push notification the user confirms).
    Implicit,
    /// PIN and/or OTP sent to `credentials/authorize`.
    Explicit,
    /// An OAuth 2.0 authorisation page per signature (not supported by [`CscSigner`]).
    OAuth2Code,
    /// Anything else the service said.
    Other(String),
}

/// Whether a PIN or OTP is asked for (`presence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
}

/// What the service says about the PIN (`PIN` of `credentials/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinSpec {
    pub presence: Presence,
    /// `A` (alphanumeric) or `N` (numeric).
    pub format: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
}

/// What the service says about the OTP (`OTP` of `credentials/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpSpec {
    pub presence: Presence,
    /// `online`: the service sends it after `credentials/sendOTP`; otherwise the user's own
    /// generator (`offline`).
    pub online: bool,
    pub provider: Option<String>,
    pub format: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    /// The OTP device or service identifier (`ID`).
    pub id: Option<String>,
}

/// What `credentials/info` says about a credential.
#[derive(Clone, Debug)]
pub struct CredentialInfo {
    pub credential_id: String,
    pub description: Option<String>,
    /// DER certificates, the signer's first, then its chain.
    pub certificates: Vec<Vec<u8>>,
    /// `key.status`: `enabled` or `disabled`.
    pub key_status: Option<String>,
    /// `key.algo`: OIDs of the key's algorithms.
    pub key_algorithms: Vec<String>,
    /// `key.len`: key length in bits.
    pub key_len: Option<u64>,
    /// `cert.status`: `valid`, `expired`, `revoked`, `suspended`.
    pub cert_status: Option<String>,
    pub subject_dn: Option<String>,
    pub auth_mode: AuthMode,
    pub pin: Option<PinSpec>,
    pub otp: Option<OtpSpec>,
    /// `multisign`: signatures one authorisation may cover.
    pub multisign: Option<u64>,
}

impl CredentialInfo {
    /// True when an online OTP must be requested with `credentials/sendOTP` before authorising.
    pub fn needs_otp_sent(&self) -> bool {
        self.auth_mode == AuthMode::Explicit
            && self
                .otp
                .as_ref()
                .is_some_and(|o| o.online && o.presence == Presence::Required)
    }
}

/// What the authorisation callback is asked for, once per signature.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    pub credential_id: String,
    /// The signer's certificate subject (RFC 4514).
    pub signer: String,
    pub description: Option<String>,
    pub mode: AuthMode,
    /// Set when a PIN is asked for (required or optional).
    pub pin: Option<PinSpec>,
    /// Set when an OTP is asked for (required or optional).
    pub otp: Option<OtpSpec>,
    /// `credentials/sendOTP` was just called: an OTP is on its way to the user.
    pub otp_sent: bool,
}

impl AuthRequest {
    /// True when the user must type something (a required PIN or OTP); false in implicit mode,
    /// where the callback only tells the user to confirm on their device.
    pub fn needs_input(&self) -> bool {
        self.mode == AuthMode::Explicit
            && (self
                .pin
                .as_ref()
                .is_some_and(|p| p.presence == Presence::Required)
                || self
                    .otp
                    .as_ref()
                    .is_some_and(|o| o.presence == Presence::Required))
    }
}

/// The PIN and/or OTP for one authorisation. `Debug` shows no secret.
#[derive(Clone, Default)]
pub struct AuthSecrets {
    pub pin: Option<String>,
    pub otp: Option<String>,
}

impl fmt::Debug for AuthSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSecrets")
            .field("pin", &self.pin.as_ref().map(|_| "<redacted>"))
            .field("otp", &self.otp.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl AuthSecrets {
    /// Nothing (implicit authorisation).
    pub fn none() -> Self {
        AuthSecrets::default()
    }

    /// A PIN only.
    pub fn pin(pin: impl Into<String>) -> Self {
        AuthSecrets {
            pin: Some(pin.into()),
            otp: None,
        }
    }

    /// A PIN and an OTP.
    pub fn pin_and_otp(pin: impl Into<String>, otp: impl Into<String>) -> Self {
        AuthSecrets {
            pin: Some(pin.into()),
            otp: Some(otp.into()),
        }
    }
}

/// The authorisation callback of a [`CscSigner`].
pub type AuthCallback = Box<dyn Fn(&AuthRequest) -> Result<AuthSecrets> + Send + Sync>;

/// A client of one CSC API v1 service.
#[derive(Clone)]
pub struct CscClient {
    base_url: String,
    transport: Arc<dyn CscTransport>,
}

impl fmt::Debug for CscClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn check_token(token: &str) -> Result<()> {
    if token.is_empty() || !token.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::InvalidArgument(
            "the access token is empty or holds characters an HTTP header cannot carry".into(),
        ));
    }
    Ok(())
}

fn get_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn get_text(v: &Value, key: &str) -> Option<String> {
    get_str(v, key).map(clean)
}

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    // Standard alphabet (CSC §11), tolerating the URL-safe one.
    let std: Vec<u8> = s
        .bytes()
        .map(|b| match b {
            b'-' => b'+',
            b'_' => b'/',
            b => b,
        })
        .collect();
    crate::base64::decode(&std).filter(|d| !d.is_empty())
}

fn presence(v: Option<&Value>) -> Option<Presence> {
    match v? {
        Value::Bool(true) => Some(Presence::Required),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Presence::Required),
        Value::String(s) if s.eq_ignore_ascii_case("optional") => Some(Presence::Optional),
        _ => None,
    }
}

fn parse_info(url: &str, credential_id: &str, v: &Value) -> Result<CredentialInfo> {
    let key = v.get("key").cloned().unwrap_or(Value::Null);
    let cert = v.get("cert").cloned().unwrap_or(Value::Null);
    let list = cert
        .get("certificates")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(url, "no cert.certificates in the answer"))?;
    if list.is_empty() {
        return Err(malformed(url, "cert.certificates is empty"));
    }
    if list.len() > MAX_CHAIN {
        return Err(malformed(
            url,
            format!("{} certificates in the chain", list.len()),
        ));
    }
    let certificates = list
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.as_str()
                .and_then(decode_b64)
                .ok_or_else(|| malformed(url, format!("cert.certificates[{i}] is not base64")))
        })
        .collect::<Result<Vec<_>>>()?;
    let pin = v.get("PIN").and_then(|p| {
        Some(PinSpec {
            presence: presence(p.get("presence"))?,
            format: get_text(p, "format"),
            label: get_text(p, "label"),
            description: get_text(p, "description"),
        })
    });
    let otp = v.get("OTP").and_then(|o| {
        Some(OtpSpec {
            presence: presence(o.get("presence"))?,
            online: get_str(o, "type").is_some_and(|t| t.eq_ignore_ascii_case("online")),
            provider: get_text(o, "provider"),
            format: get_text(o, "format"),
            label: get_text(o, "label"),
            description: get_text(o, "description"),
            id: get_text(o, "ID"),
        })
    });
    let auth_mode = match get_str(v, "authMode") {
        Some(m) if m.eq_ignore_ascii_case("implicit") => AuthMode::Implicit,
        Some(m) if m.eq_ignore_ascii_case("explicit") => AuthMode::Explicit,
        Some(m) if m.eq_ignore_ascii_case("oauth2code") => AuthMode::OAuth2Code,
        Some(m) => AuthMode::Other(clean(m)),
        None if pin.is_some() || otp.is_some() => AuthMode::Explicit,
        None => AuthMode::Implicit,
    };
    Ok(CredentialInfo {
        credential_id: credential_id.to_string(),
        description: get_text(v, "description"),
        certificates,
        key_status: get_text(&key, "status"),
        key_algorithms: key
            .get("algo")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(clean).collect())
            .unwrap_or_default(),
        key_len: key.get("len").and_then(Value::as_u64),
        cert_status: get_text(&cert, "status"),
        subject_dn: get_text(&cert, "subjectDN"),
        auth_mode,
        pin,
        otp,
        multisign: v.get("multisign").and_then(Value::as_u64),
    })
}

/// `signAlgo` and `signAlgoParams` (DER) for a scheme and digest.
fn sign_algo(
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
) -> Result<(String, Option<Vec<u8>>)> {
    match scheme {
        // The service builds the DigestInfo from hashAlgo (CSC §11.9).
        SignatureScheme::RsaPkcs1v15 => Ok((oid::RSA_ENCRYPTION.to_string(), None)),
        SignatureScheme::RsaPss | SignatureScheme::Ecdsa => {
            let ai = AlgorithmIdentifier::from_der(&crate::cms::build::signature_algorithm_der(
                scheme, digest,
            )?)?;
            let params = if scheme == SignatureScheme::RsaPss {
                ai.params_der
            } else {
                None
            };
            Ok((ai.oid, params))
        }
        other => Err(Error::UnsupportedAlgorithm(format!(
            "{other:?} through a remote signing service"
        ))),
    }
}

impl CscClient {
    /// A client of the service whose API root is `base_url` (e.g. `http://host/csc/v1`; the
    /// endpoints `credentials/list`... are appended), over `transport`.
    pub fn new(base_url: impl Into<String>, transport: Arc<dyn CscTransport>) -> Self {
        CscClient {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            transport,
        }
    }

    /// A client over [`UreqCscTransport::new`].
    pub fn over_http(base_url: impl Into<String>) -> Self {
        CscClient::new(base_url, Arc::new(UreqCscTransport::new()))
    }

    /// The API root.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn url(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.base_url)
    }

    fn call(&self, endpoint: &str, token: &str, body: &Value) -> Result<(String, Value)> {
        check_token(token)?;
        let url = self.url(endpoint);
        let v = self.transport.post_json(&url, Some(token), body)?;
        Ok((url, v))
    }

    /// `credentials/list`: the IDs of the credentials the token (or `user_id`) may use.
    pub fn list_credentials(&self, token: &str, user_id: Option<&str>) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut body = json!({ "maxResults": 100 });
            if let Some(u) = user_id {
                body["userID"] = json!(u);
            }
            if let Some(p) = &page {
                body["pageToken"] = json!(p);
            }
            let (url, v) = self.call("credentials/list", token, &body)?;
            let list = v
                .get("credentialIDs")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed(&url, "no credentialIDs in the answer"))?;
            for id in list {
                let id = id
                    .as_str()
                    .ok_or_else(|| malformed(&url, "a credential ID is not a string"))?;
                ids.push(id.to_string());
            }
            match get_str(&v, "nextPageToken") {
                Some(p) if !p.is_empty() && !list.is_empty() => page = Some(p.to_string()),
                _ => return Ok(ids),
            }
        }
        Ok(ids)
    }

    /// `credentials/info` with the certificate chain and the authorisation details.
    pub fn credential_info(&self, token: &str, credential_id: &str) -> Result<CredentialInfo> {
        let body = json!({
            "credentialID": credential_id,
            "certificates": "chain",
            "certInfo": true,
            "authInfo": true,
        });
        let (url, v) = self.call("credentials/info", token, &body)?;
        parse_info(&url, credential_id, &v)
    }

    /// `credentials/sendOTP`: the service sends an OTP to the credential's owner.
    pub fn send_otp(&self, token: &str, credential_id: &str) -> Result<()> {
        self.call(
            "credentials/sendOTP",
            token,
            &json!({ "credentialID": credential_id }),
        )
        .map(|_| ())
    }

    /// `credentials/authorize` for one signature: the SAD.
    pub fn authorize(
        &self,
        token: &str,
        credential_id: &str,
        secrets: &AuthSecrets,
    ) -> Result<String> {
        let mut body = json!({ "credentialID": credential_id, "numSignatures": 1 });
        if let Some(p) = &secrets.pin {
            body["PIN"] = json!(p);
        }
        if let Some(o) = &secrets.otp {
            body["OTP"] = json!(o);
        }
        let (url, v) = self.call("credentials/authorize", token, &body)?;
        match get_str(&v, "SAD") {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            _ => Err(malformed(&url, "no SAD in the answer")),
        }
    }

    /// `signatures/signHash` for one hash (already computed with `digest`): the signature value
    /// as the service returned it (ECDSA may be raw r‖s or DER).
    pub fn sign_hash(
        &self,
        token: &str,
        credential_id: &str,
        sad: &str,
        hash: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        if hash.len() != digest.output_len() {
            return Err(Error::InvalidArgument(format!(
                "a {} hash is {} bytes, not {}",
                digest.name(),
                digest.output_len(),
                hash.len()
            )));
        }
        let (algo, params) = sign_algo(scheme, digest)?;
        let mut body = json!({
            "credentialID": credential_id,
            "SAD": sad,
            "hash": [crate::base64::encode(hash)],
            "hashAlgo": digest.oid(),
            "signAlgo": algo,
        });
        if let Some(p) = params {
            body["signAlgoParams"] = json!(crate::base64::encode(&p));
        }
        let (url, v) = self.call("signatures/signHash", token, &body)?;
        let sigs = v
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(&url, "no signatures in the answer"))?;
        if sigs.len() != 1 {
            return Err(malformed(
                &url,
                format!("{} signatures for one hash", sigs.len()),
            ));
        }
        sigs[0]
            .as_str()
            .and_then(decode_b64)
            .ok_or_else(|| malformed(&url, "the signature is not base64"))
    }
}

fn is_der_ecdsa(sig: &[u8]) -> bool {
    let check = || -> Result<()> {
        let seq = Reader::new(sig).read_single()?;
        seq.expect_universal(tag::SEQUENCE, "Ecdsa-Sig-Value")?;
        let mut r = seq.children()?;
        r.read_universal(tag::INTEGER, "r")?.as_integer()?;
        r.read_universal(tag::INTEGER, "s")?.as_integer()?;
        r.finish("Ecdsa-Sig-Value")
    };
    check().is_ok()
}

/// An ECDSA value as DER `Ecdsa-Sig-Value` (RFC 5480 §2.2): kept when it is DER, converted when
/// it is raw r‖s of `2 × field_len` bytes.
fn ecdsa_to_der(sig: &[u8], field_len: usize) -> Option<Vec<u8>> {
    if is_der_ecdsa(sig) {
        return Some(sig.to_vec());
    }
    if sig.len() != 2 * field_len {
        return None;
    }
    let (r, s) = sig.split_at(field_len);
    Some(writer::sequence(&[
        &writer::integer_unsigned(r),
        &writer::integer_unsigned(s),
    ]))
}

/// A [`Signer`] whose key is in a CSC API v1 service (see the module docs for the flow).
pub struct CscSigner {
    client: CscClient,
    credential_id: String,
    access_token: String,
    authorize: AuthCallback,
    info: CredentialInfo,
    certificate: Certificate,
    chain: Vec<Vec<u8>>,
    kind: KeyKind,
}

impl fmt::Debug for CscSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscSigner")
            .field("client", &self.client)
            .field("credential_id", &self.credential_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl CscSigner {
    /// Reads the credential (`credentials/info`) and checks kyso can sign with it. `authorize`
    /// is called once per signature for the PIN/OTP (see [`AuthRequest`]).
    pub fn new(
        client: CscClient,
        credential_id: impl Into<String>,
        access_token: impl Into<String>,
        authorize: AuthCallback,
    ) -> Result<CscSigner> {
        let credential_id = credential_id.into();
        let access_token = access_token.into();
        if credential_id.is_empty() {
            return Err(Error::InvalidArgument("empty credential ID".into()));
        }
        check_token(&access_token)?;
        let info = client.credential_info(&access_token, &credential_id)?;
        let unusable = |why: String| Err(fail(CscFailure::Unusable, why));
        if info
            .key_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("disabled"))
        {
            return unusable(format!("the key of credential {credential_id} is disabled"));
        }
        if let Some(s) = info
            .cert_status
            .as_deref()
            .filter(|s| s.eq_ignore_ascii_case("revoked") || s.eq_ignore_ascii_case("suspended"))
        {
            return unusable(format!(
                "the service reports the certificate of credential {credential_id} as {s}"
            ));
        }
        match &info.auth_mode {
            AuthMode::Implicit | AuthMode::Explicit => {}
            AuthMode::OAuth2Code => {
                return unusable(format!(
                    "credential {credential_id} is authorised through OAuth (authMode \
                     oauth2code), which kyso does not support"
                ))
            }
            AuthMode::Other(m) => {
                return unusable(format!(
                    "credential {credential_id} has an unknown authMode \"{m}\""
                ))
            }
        }
        let what = |i: usize, e: Error| {
            fail(
                CscFailure::Malformed,
                format!("credentials/info: certificate {i} of {credential_id}: {e}"),
            )
        };
        let certificate = Certificate::from_der(&info.certificates[0]).map_err(|e| what(0, e))?;
        for (i, c) in info.certificates.iter().enumerate().skip(1) {
            Certificate::from_der(c).map_err(|e| what(i, e))?;
        }
        let kind = match certificate.public_key {
            PublicKeyKind::Rsa { bits } => KeyKind::Rsa { bits },
            PublicKeyKind::Ec { curve: Curve::P256 } => KeyKind::EcP256,
            PublicKeyKind::Ec { curve: Curve::P384 } => KeyKind::EcP384,
            ref other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "remote signing with a {other:?} key"
                )))
            }
        };
        let chain = info.certificates[1..].to_vec();
        Ok(CscSigner {
            client,
            credential_id,
            access_token,
            authorize,
            info,
            certificate,
            chain,
            kind,
        })
    }

    /// What `credentials/info` said.
    pub fn info(&self) -> &CredentialInfo {
        &self.info
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// sendOTP if needed, the callback, then `credentials/authorize`: the SAD.
    fn authorise(&self) -> Result<String> {
        let otp_sent = self.info.needs_otp_sent();
        if otp_sent {
            self.client
                .send_otp(&self.access_token, &self.credential_id)?;
        }
        let explicit = self.info.auth_mode == AuthMode::Explicit;
        let request = AuthRequest {
            credential_id: self.credential_id.clone(),
            signer: self.certificate.subject.to_rfc4514(),
            description: self.info.description.clone(),
            mode: self.info.auth_mode.clone(),
            pin: self.info.pin.clone().filter(|_| explicit),
            otp: self.info.otp.clone().filter(|_| explicit),
            otp_sent,
        };
        let secrets = (self.authorize)(&request)?;
        let missing = |spec: Option<&Presence>, value: &Option<String>| {
            spec == Some(&Presence::Required) && value.as_deref().is_none_or(str::is_empty)
        };
        if missing(request.pin.as_ref().map(|p| &p.presence), &secrets.pin) {
            return Err(Error::InvalidArgument(format!(
                "credential {} needs a PIN",
                self.credential_id
            )));
        }
        if missing(request.otp.as_ref().map(|o| &o.presence), &secrets.otp) {
            return Err(Error::InvalidArgument(format!(
                "credential {} needs an OTP",
                self.credential_id
            )));
        }
        self.client
            .authorize(&self.access_token, &self.credential_id, &secrets)
    }
}

impl Signer for CscSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate.der
    }

    fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn key_kind(&self) -> KeyKind {
        self.kind
    }

    fn sign(
        &self,
        message: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        self.kind.check(digest, scheme)?;
        let alg = AlgorithmIdentifier::from_der(&crate::cms::build::signature_algorithm_der(
            scheme, digest,
        )?)?;
        let hash = crypto::digest(digest, message);
        let sad = self.authorise()?;
        let raw = self.client.sign_hash(
            &self.access_token,
            &self.credential_id,
            &sad,
            &hash,
            digest,
            scheme,
        )?;
        let value = match (scheme, &self.certificate.public_key) {
            (SignatureScheme::Ecdsa, PublicKeyKind::Ec { curve }) => {
                ecdsa_to_der(&raw, curve.field_len()).ok_or_else(|| {
                    malformed(
                        &self.client.url("signatures/signHash"),
                        format!(
                            "a {}-byte value is neither DER nor raw r‖s ECDSA",
                            raw.len()
                        ),
                    )
                })?
            }
            _ => raw,
        };
        crypto::verify_signature(&self.certificate.spki_der, &alg, digest, message, &value)
            .map_err(|e| {
                fail(
                    CscFailure::BadSignature,
                    format!(
                        "credential {}: {e}; the service signed with a key other than the \
                         certificate's, or altered the hash",
                        self.credential_id
                    ),
                )
            })?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified() {
        let kind = |status, body: &str| match json_from_response("u", status, body.as_bytes()) {
            Err(Error::Csc { kind, .. }) => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind(400, r#"{"error":"invalid_pin"}"#),
            CscFailure::WrongPin
        );
        assert_eq!(
            kind(400, r#"{"error":"invalid_otp"}"#),
            CscFailure::WrongOtp
        );
        assert_eq!(kind(401, "nope"), CscFailure::AccessDenied);
        assert_eq!(
            kind(
                400,
                r#"{"error":"invalid_request","error_description":"Invalid parameter credentialID"}"#
            ),
            CscFailure::CredentialNotFound
        );
        assert_eq!(kind(200, "<html>"), CscFailure::Malformed);
        assert_eq!(kind(200, r#"{"error":"x"}"#), CscFailure::Http);
        assert_eq!(kind(302, ""), CscFailure::Http);
        let e = json_from_response(
            "u",
            500,
            br#"{"error":"server_error","error_description":"bad\u001b[31m"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Csc { kind: CscFailure::Http, status: Some(500), error: Some(c), .. } if c == "server_error")
        );
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
        assert!(json_from_response("u", 204, b"").unwrap().is_object());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let t = UreqCscTransport::new();
        assert!(t.check_url("http://127.0.0.1:8080/csc/v1").is_ok());
        assert!(t.check_url("http://localhost/x").is_ok());
        assert!(t.check_url("http://[::1]:9/x").is_ok());
        assert!(t.check_url("http://127.0.0.1.evil.example/x").is_err());
        assert!(t.check_url("http://user@rmgateway.vnptit.vn/csc").is_err());
        // TLS: the token may go to any host.
        assert!(t.check_url("https://example.vn/").is_ok());
        assert!(t.check_url("ftp://example.vn/").is_err());
        let t = t.allow_plain_http(true);
        assert!(t.check_url("http://example.vn/").is_ok());
    }

    #[test]
    fn ecdsa_values_become_der() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80;
        raw[63] = 1;
        let der = ecdsa_to_der(&raw, 32).unwrap();
        assert!(is_der_ecdsa(&der));
        assert_eq!(ecdsa_to_der(&der, 32).unwrap(), der);
        assert!(ecdsa_to_der(&raw[1..], 32).is_none());
    }

    #[test]
    fn secrets_are_not_shown() {
        let s = format!("{:?}", AuthSecrets::pin_and_otp("123456", "999"));
        assert!(!s.contains("123456") && !s.contains("999"), "{s}");
    }
}
