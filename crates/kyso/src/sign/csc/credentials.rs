//! `credentials/list` and `credentials/info` (CSC API v1.0.4.0 §11.4, §11.5): which
//! credentials a token may use, and what one holds (certificate chain, key, how it is authorised).

use super::*;

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
    /// `true`: the value must be given for authorisation to succeed.
    Required,
    /// `optional`: the user may give it (some services then skip a step).
    Optional,
}

/// What the service says about the PIN (`PIN` of `credentials/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinSpec {
    /// Whether the PIN is required or optional.
    pub presence: Presence,
    /// `A` (alphanumeric) or `N` (numeric).
    pub format: Option<String>,
    /// A short label for the input field, in the service's language; None if not given.
    pub label: Option<String>,
    /// A longer explanation to show the user; None if not given.
    pub description: Option<String>,
}

/// What the service says about the OTP (`OTP` of `credentials/info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpSpec {
    /// Whether the OTP is required or optional.
    pub presence: Presence,
    /// `online`: the service sends it after `credentials/sendOTP`; otherwise the user's own
    /// generator (`offline`).
    pub online: bool,
    /// Who provides the OTP (e.g. the service's name or an SMS gateway); None if not given.
    pub provider: Option<String>,
    /// `A` (alphanumeric) or `N` (numeric).
    pub format: Option<String>,
    /// A short label for the input field; None if not given.
    pub label: Option<String>,
    /// A longer explanation to show the user; None if not given.
    pub description: Option<String>,
    /// The OTP device or service identifier (`ID`).
    pub id: Option<String>,
}

/// What `credentials/info` says about a credential.
#[derive(Clone, Debug)]
pub struct CredentialInfo {
    /// The identifier passed to `credentials/info`, `credentials/authorize` and `signHash`.
    pub credential_id: String,
    /// The service's description of the credential; None if not given.
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
    /// `cert.subjectDN` as the service writes it (free text, not parsed); None if not given.
    pub subject_dn: Option<String>,
    /// `authMode`: how signatures with this credential are authorised.
    pub auth_mode: AuthMode,
    /// The PIN asked for in explicit mode; None = no PIN.
    pub pin: Option<PinSpec>,
    /// The OTP asked for in explicit mode; None = no OTP.
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

pub(super) fn presence(v: Option<&Value>) -> Option<Presence> {
    match v? {
        Value::Bool(true) => Some(Presence::Required),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Presence::Required),
        Value::String(s) if s.eq_ignore_ascii_case("optional") => Some(Presence::Optional),
        _ => None,
    }
}

pub(super) fn parse_info(url: &str, credential_id: &str, v: &Value) -> Result<CredentialInfo> {
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

impl CscClient {
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
}
