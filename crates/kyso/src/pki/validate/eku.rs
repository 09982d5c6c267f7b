//! Extended key usage of the end entity (RFC 5280 §4.2.1.12) for document signing.

use super::*;

/// Extended key usages that allow signing documents (issue 20 item 4): any, RFC 9336 document
/// signing, e-mail protection and client authentication (what Vietnamese CAs issue to people
/// and organisations), Adobe and Microsoft document signing.
pub const DOCUMENT_SIGNING_EKUS: &[&str] = &[
    oid::ANY_EXTENDED_KEY_USAGE,
    oid::KP_DOCUMENT_SIGNING,
    oid::KP_EMAIL_PROTECTION,
    oid::KP_CLIENT_AUTH,
    oid::KP_ADOBE_DOCUMENT_SIGNING,
    oid::KP_MS_DOCUMENT_SIGNING,
];

/// RFC 5280 §4.2.1.12: when the extension is present, the certificate may be used only for the
/// purposes it lists. None when `cert` may sign documents, else why not.
pub fn document_signing_eku_problem(cert: &Certificate) -> Option<String> {
    ext_value(cert, oid::EXT_EXTENDED_KEY_USAGE)?;
    if cert
        .extended_key_usage
        .iter()
        .any(|k| DOCUMENT_SIGNING_EKUS.contains(&k.as_str()))
    {
        return None;
    }
    let names: Vec<&str> = cert
        .extended_key_usage
        .iter()
        .map(|k| eku_name(k))
        .collect();
    Some(format!(
        "the extended key usage ({}) does not allow signing documents",
        names.join(", ")
    ))
}

pub(super) fn eku_name(k: &str) -> &str {
    match k {
        oid::KP_SERVER_AUTH => "serverAuth",
        oid::KP_CODE_SIGNING => "codeSigning",
        oid::KP_TIME_STAMPING => "timeStamping",
        oid::KP_OCSP_SIGNING => "OCSPSigning",
        other => other,
    }
}
