//! What a signing (or an extension) reports beside its result, as facts: checks overridden
//! with `force`, options that did not apply, validation data that could not be had. The words
//! are made in `crate::text::sign`; the stable [`SignWarning::code`] goes into the JSON
//! (`warning_codes`) beside the English text (`warnings`).
//!
//! [`crate::sign::sign_file`], deferred signing and [`crate::ltv`] extension return them in
//! [`SignWarnings`]; a check overridden with `force` (Circular 15/2025/TT-BKHCN: signing
//! software checks the signer's certificate before use; Decree 30/2020 guards) becomes one
//! warning instead of an error.
//!
//! ```
//! use kyso::sign::{SignWarning, SignWarnings};
//!
//! let w = SignWarnings::from(vec![SignWarning::PssNotApplicable]);
//! let json = serde_json::to_value(&w).unwrap();
//! assert_eq!(json["warning_codes"][0], "PSS_NOT_APPLICABLE");
//! assert_eq!(json["warnings"].as_array().unwrap().len(), 1);
//! ```

use serde::ser::SerializeMap;

use crate::decree30::Guard;

/// Why a certificate is not fit to sign with (Circular 15/2025/TT-BKHCN: signing software
/// checks the signer's certificate before use; RFC 5280 §4.1.2.5, §4.2.1.3, §4.2.1.12).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// Before notBefore (the date, as shown to people).
    NotYetValid {
        /// notBefore in the display form of Vietnamese documents
        /// (`22.11.2026 09:30:05 +07:00`, [`crate::vntime::display`]).
        from: String,
    },
    /// After notAfter.
    Expired {
        /// notAfter in the display form (`22.11.2026 09:30:05 +07:00`).
        on: String,
    },
    /// keyUsage allows neither digitalSignature nor nonRepudiation.
    KeyUsage,
    /// The extended key usage is not one for document signing (the detail in English).
    ExtendedKeyUsage {
        /// Which purposes the certificate lists and why none fits, in English.
        detail: String,
    },
    /// The key's algorithm or size is not accepted (the detail in English).
    KeyNotAcceptable {
        /// The algorithm, size or curve and the rule it breaks, in English.
        detail: String,
    },
    /// The digest algorithm is not allowed for new signatures.
    DigestNotAllowed {
        /// The digest algorithm's name (e.g. `SHA-1`).
        digest: String,
    },
}

impl CertificateProblem {
    /// A stable code for machines.
    pub fn code(&self) -> &'static str {
        match self {
            CertificateProblem::NotYetValid { .. } => "CERTIFICATE_NOT_YET_VALID",
            CertificateProblem::Expired { .. } => "CERTIFICATE_EXPIRED",
            CertificateProblem::KeyUsage => "CERTIFICATE_KEY_USAGE",
            CertificateProblem::ExtendedKeyUsage { .. } => "CERTIFICATE_EXTENDED_KEY_USAGE",
            CertificateProblem::KeyNotAcceptable { .. } => "KEY_NOT_ACCEPTABLE",
            CertificateProblem::DigestNotAllowed { .. } => "DIGEST_NOT_ALLOWED",
        }
    }
}

/// Why the signer's own certificate's revocation status was not checked before signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnStatusNotChecked {
    /// Offline and no CRL given.
    Offline,
    /// The issuer's certificate is neither in the key's chain nor among the anchors.
    NoIssuer,
}

/// One remark on a signing or an extension.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SignWarning {
    /// A check of the signer's certificate failed and was overridden with `force`.
    CertificateOverridden(CertificateProblem),
    /// A Decree 30/2020 guard was overridden with `force`.
    Decree30(Guard),
    /// RSASSA-PSS was asked for a key that is not RSA.
    PssNotApplicable,
    /// Gathering validation data: an issuer's certificate could not be downloaded (RFC 5280
    /// §4.2.2.1 caIssuers; the URL and the cause in `detail`).
    FetchFailed {
        /// The URL and the cause (HTTP status, timeout, budget spent), in English.
        detail: String,
    },
    /// No revocation data could be embedded for this certificate (subject, RFC 4514).
    NoRevocationData {
        /// The certificate's subject as an RFC 4514 string.
        certificate: String,
    },
    /// B-LTA: the last archive time-stamp stays valid until then (RFC 3339); none was added.
    ArchiveTimestampStillValid {
        /// When the newest archive time-stamp's certificate expires (RFC 3339, +07:00).
        until: String,
    },
    /// The signer's certificate is revoked and was used anyway (`force`).
    OwnCertificateRevoked {
        /// When it was revoked (RFC 3339); None when the answer did not say.
        time: Option<String>,
        /// The CRLReason of RFC 5280 §5.3.1 (e.g. `keyCompromise`); None when not given.
        reason: Option<String>,
    },
    /// The signer's certificate's revocation status could not be determined.
    OwnStatusUnknown {
        /// What the OCSP responder or CRL said, in English; None when there was no answer
        /// to quote.
        detail: Option<String>,
    },
    /// The signer's certificate's revocation status was not checked.
    OwnStatusNotChecked(OwnStatusNotChecked),
    /// The signer's certificate expires within
    /// [`EXPIRY_WARNING_DAYS`](crate::verify::own_certificate::EXPIRY_WARNING_DAYS) days.
    OwnCertificateExpiresSoon {
        /// Whole days left, 0 to
        /// [`EXPIRY_WARNING_DAYS`](crate::verify::own_certificate::EXPIRY_WARNING_DAYS).
        days: i64,
        /// notAfter in the display form (`22.11.2026 09:30:05 +07:00`).
        not_after: String,
    },
}

impl SignWarning {
    /// A stable code for machines (`warning_codes` in the JSON).
    pub fn code(&self) -> &'static str {
        match self {
            SignWarning::CertificateOverridden(p) => p.code(),
            SignWarning::Decree30(_) => "DECREE30_GUARD_OVERRIDDEN",
            SignWarning::PssNotApplicable => "PSS_NOT_APPLICABLE",
            SignWarning::FetchFailed { .. } => "FETCH_FAILED",
            SignWarning::NoRevocationData { .. } => "NO_REVOCATION_DATA",
            SignWarning::ArchiveTimestampStillValid { .. } => "ARCHIVE_TIMESTAMP_STILL_VALID",
            SignWarning::OwnCertificateRevoked { .. } => "OWN_CERTIFICATE_REVOKED",
            SignWarning::OwnStatusUnknown { .. } => "OWN_STATUS_UNKNOWN",
            SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::Offline) => {
                "OWN_STATUS_NOT_CHECKED_OFFLINE"
            }
            SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::NoIssuer) => {
                "OWN_STATUS_NOT_CHECKED_NO_ISSUER"
            }
            SignWarning::OwnCertificateExpiresSoon { .. } => "OWN_CERTIFICATE_EXPIRES_SOON",
        }
    }
}

/// The warnings of an outcome. In JSON they are two lists of the same order: `warnings` (the
/// English text) and `warning_codes` ([`SignWarning::code`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignWarnings(pub Vec<SignWarning>);

impl std::ops::Deref for SignWarnings {
    type Target = Vec<SignWarning>;
    fn deref(&self) -> &Vec<SignWarning> {
        &self.0
    }
}

impl std::ops::DerefMut for SignWarnings {
    fn deref_mut(&mut self) -> &mut Vec<SignWarning> {
        &mut self.0
    }
}

impl IntoIterator for SignWarnings {
    type Item = SignWarning;
    type IntoIter = std::vec::IntoIter<SignWarning>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a SignWarnings {
    type Item = &'a SignWarning;
    type IntoIter = std::slice::Iter<'a, SignWarning>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Vec<SignWarning>> for SignWarnings {
    fn from(v: Vec<SignWarning>) -> Self {
        SignWarnings(v)
    }
}

impl serde::Serialize for SignWarnings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text: Vec<String> = self.0.iter().map(|w| w.to_string()).collect();
        let codes: Vec<&str> = self.0.iter().map(SignWarning::code).collect();
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("warnings", &text)?;
        m.serialize_entry("warning_codes", &codes)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_text_and_the_codes_in_order() {
        #[derive(serde::Serialize)]
        struct Outcome {
            field: &'static str,
            #[serde(flatten)]
            warnings: SignWarnings,
        }
        let o = Outcome {
            field: "Sig1",
            warnings: vec![
                SignWarning::PssNotApplicable,
                SignWarning::CertificateOverridden(CertificateProblem::KeyUsage),
            ]
            .into(),
        };
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(v["field"], "Sig1");
        assert_eq!(
            v["warning_codes"],
            serde_json::json!(["PSS_NOT_APPLICABLE", "CERTIFICATE_KEY_USAGE"])
        );
        let text = v["warnings"].as_array().unwrap();
        assert!(text[0].as_str().unwrap().contains("PSS"), "{text:?}");
        assert!(text[1].as_str().unwrap().contains("key usage"), "{text:?}");
    }
}
