//! Failures of the service as [`Error::Csc`]: transport errors, HTTP errors with the CSC
//! `error` code (CSC API v1.0.4.0 §10.1), answers that are not what the API says.

use super::*;

pub(super) fn fail(kind: CscFailure, detail: impl Into<String>) -> Error {
    Error::Csc {
        kind,
        status: None,
        error: None,
        detail: detail.into(),
    }
}

pub(super) fn malformed(url: &str, what: impl fmt::Display) -> Error {
    fail(CscFailure::Malformed, format!("{url}: {what}"))
}

/// A text from the service, without control characters (no terminal escapes) and shortened.
pub(super) fn clean(s: &str) -> String {
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

pub(super) fn http_error(
    url: &str,
    status: u16,
    code: Option<String>,
    description: Option<String>,
) -> Error {
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
