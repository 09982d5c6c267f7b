//! The verification report: ETSI EN 319 102-1 indications per signature and overall, and the
//! facts a clerk needs (Circular 15/2025 lists them). Serialised as the JSON of `kyso verify --json`;
//! fields are only ever added, never renamed.
//!
//! [`crate::verify::verify_file`] and [`crate::verify::verify_bytes`] return a [`Report`] of
//! facts: one [`SignatureReport`] per signature or document time-stamp, each with its
//! indication (ETSI EN 319 102-1 §5.1.3), the [`Note`](crate::verify::note::Note) that is its
//! reason and its warnings. The word fields (`message`, `verdict`, `warnings`) are filled at the
//! edge by [`crate::text::report::localise`] in the language the front door chose.
//! [`Report::exit_code`] is the `kyso verify` exit code.
//!
//! # Examples
//!
//! ```
//! use kyso::verify::{verify_bytes, Indication, VerifyOptions};
//!
//! // An unsigned document: nothing to verify, exit code 4 (never "passed").
//! let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan.pdf"))?;
//! let report = verify_bytes(&pdf, &VerifyOptions::default())?;
//! assert!(report.signatures.is_empty());
//! assert_eq!(report.exit_code(), 4);
//! assert_ne!(report.indication, Indication::TotalPassed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

/// One network request made during a verification ([`Report::contacted`]).
pub use crate::net::Contact;

/// ETSI EN 319 102-1 §5.1.3 main indications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
///
/// Ordered by gravity (`TotalPassed < Indeterminate < TotalFailed`): a document's indication is
/// the greatest of its signatures'.
pub enum Indication {
    /// Every check passed: intact, signer identified and trusted at the validation time.
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    /// The checks could not decide (missing revocation data, unsupported algorithm, no trust
    /// anchor …); the sub-indication says why. Exit code 3.
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
    /// A check proved the signature wrong (changed content, bad signature value, revoked
    /// before signing, disallowed change). Exit code 1.
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
}

impl Indication {
    /// The ETSI spelling, as in the JSON: `TOTAL-PASSED`, `INDETERMINATE`, `TOTAL-FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        }
    }
}

/// ETSI EN 319 102-1 §5.1.3 sub-indications used by kyso.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    /// The signature is not a conforming PDF/CMS signature (ByteRange, CMS structure...).
    FormatFailure,
    /// The signed bytes do not hash to the value the signature carries.
    HashFailure,
    /// The signature value does not verify with the signer's public key.
    SigCryptoFailure,
    /// The signer's certificate is not in the signature, or does not match its reference.
    NoSigningCertificateFound,
    /// No chain from the signer's certificate to a trust anchor.
    NoCertificateChainFound,
    /// An algorithm is not supported or not acceptable.
    CryptoConstraintsFailure,
    /// An algorithm is no longer acceptable and no proof of existence from before.
    CryptoConstraintsFailureNoPoe,
    /// The validation time lies outside the certificate's validity, and no proof of existence.
    OutOfBoundsNoPoe,
    /// The signer's certificate was revoked before the (claimed) signing time.
    Revoked,
    /// The signer's certificate is revoked and no proof shows the signature existed before.
    RevokedNoPoe,
    /// A CA certificate of the chain is revoked and no proof of existence.
    RevokedCaNoPoe,
    /// No usable revocation information yet (try later, or with revocation data).
    TryLater,
    /// The chain breaks an RFC 5280 constraint (basic constraints, name constraints, policies...).
    ChainConstraintsFailure,
    /// The chain cannot be validated for another reason (e.g. a bad signature on a CA certificate).
    CertificateChainGeneralFailure,
    /// The signer's certificate is not meant for signing (key usage).
    SigConstraintsFailure,
}

impl SubIndication {
    /// The ETSI spelling, as in the JSON, e.g. `HASH_FAILURE`, `NO_CERTIFICATE_CHAIN_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
            SubIndication::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
        }
    }
}

/// The certificate that made a signature.
#[derive(Clone, Debug, Serialize)]
pub struct SignerSummary {
    /// Subject distinguished name, RFC 4514 string.
    pub subject: String,
    /// Issuer distinguished name, RFC 4514 string.
    pub issuer: String,
    /// Serial number in hexadecimal.
    pub serial: String,
    /// RFC 3339, Vietnam time.
    pub not_before: String,
    /// End of validity, RFC 3339, Vietnam time.
    pub not_after: String,
    /// The subject's CN (X.520 commonName); `None` when the subject has none.
    pub common_name: Option<String>,
    /// The job title (X.520 title), which Decree 23/2025 puts in officials' certificates.
    pub title: Option<String>,
    /// The subject's O (X.520 organizationName), the agency for officials' certificates.
    pub organization: Option<String>,
    /// SHA-256 of the certificate's DER, upper-case hex pairs joined by `:`.
    pub sha256_fingerprint: String,
}

/// One step of the checks, for readers that want details.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Checks {
    /// ByteRange rules (ISO 32000-1 §12.8.1).
    pub byte_range_ok: bool,
    /// message-digest (or time-stamp imprint) equals the hash of the signed bytes.
    pub digest_matches: Option<bool>,
    /// The signature value verifies with the signer's key.
    pub signature_valid: Option<bool>,
    /// ESS signing-certificate(-v2) names the signer's certificate: "v2", "v1", "absent", "mismatch".
    pub signing_certificate_attribute: Option<String>,
    /// The chain reaches a trust anchor.
    pub trusted: bool,
}

/// The verdict and facts for one signature (or document time-stamp).
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// The (first) field holding this signature.
    pub field: String,
    /// Every field whose value is this signature dictionary.
    pub fields: Vec<String>,
    /// "signature" or "document-timestamp".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The ETSI EN 319 102-1 verdict of this signature.
    pub indication: Indication,
    /// Why it is not TOTAL-PASSED; `None` when it is.
    pub sub_indication: Option<SubIndication>,
    /// Why, in the report's language.
    pub message: String,
    /// The stable code of `message` (verify/note.rs), e.g. `SIGNATURE_VALID`, `UNTRUSTED_ROOT`.
    pub message_code: Option<&'static str>,
    /// The verdict in the report's language, as every front door says it (text/verdict.rs):
    /// e.g. "HỢP LỆ", "KHÔNG TIN CẬY", "HỢP LỆ (KHÔNG kiểm tra tình trạng thu hồi)".
    pub verdict: String,
    /// The verdict's colour class: `passed`, `failed`, `untrusted`, `indeterminate`.
    pub verdict_class: &'static str,
    /// Whether the signer's certificate got a revocation answer (good or revoked): false
    /// with `--revocation off` and when its status is unknown.
    pub revocation_checked: bool,
    /// `message` as a fact.
    #[serde(skip)]
    pub note: Option<super::note::Note>,
    /// The signing certificate; `None` when it could not be identified.
    pub signer: Option<SignerSummary>,
    /// /M (or the time-stamp's genTime), RFC 3339 in Vietnam time.
    pub signing_time: Option<String>,
    /// The /ByteRange covers every byte of the file but the /Contents string (no later
    /// revision follows).
    pub covers_whole_document: bool,
    /// e.g. "RSA-2048 PKCS#1 v1.5, SHA-256".
    pub algorithm: Option<String>,
    /// Every change made after this signature, allowed or not.
    pub modifications: Vec<crate::diff::Modification>,
    /// kyso's own reason code when the ETSI sub-indication is not specific enough,
    /// e.g. `DISALLOWED_MODIFICATION`, `CERTIFICATION_NOT_FIRST`, `MESSAGE_DIGEST_MISSING`,
    /// `SIGNED_ATTRIBUTES_MISSING`, `DIGEST_ALGORITHM_MISMATCH`, `SHA1_FORBIDDEN`,
    /// `SIGNING_CERTIFICATE_NOT_BOUND`, `SIGNER_CERTIFICATE_AMBIGUOUS` (verify/binding.rs),
    /// `WEAK_KEY`, `SIGNER_EKU_NOT_ALLOWED`, `CA_REVOCATION_UNKNOWN`, `SIGNER_REVOCATION_UNKNOWN`,
    /// `REVOCATION_NOT_FRESH`, `NAME_CONSTRAINTS_VIOLATED`, `TIMESTAMP_IN_FUTURE`,
    /// `TIMESTAMP_OUTSIDE_TSA_VALIDITY`, `VISIBLE_DIFFERENCE`, `VISUAL_CHECK_ERROR` (visual/).
    pub kyso_reason: Option<String>,
    /// The signature dictionary's /SubFilter (ISO 32000-1 §12.8.3), e.g. `ETSI.CAdES.detached`.
    pub sub_filter: Option<String>,
    /// The /ByteRange numbers as written (offset, length, offset, length); `None` when absent.
    pub byte_range: Option<Vec<i64>>,
    /// 1-based number of the revision this signature signs, when it ends at one.
    pub revision: Option<usize>,
    /// Revisions after the signed one.
    pub revisions_after: usize,
    /// Bytes of the file after the signed part.
    pub bytes_after: u64,
    /// The signature dictionary's /Reason (ISO 32000-1 Table 252), as the signer wrote it.
    pub reason: Option<String>,
    /// The signature dictionary's /Location.
    pub location: Option<String>,
    /// The signature dictionary's /ContactInfo.
    pub contact_info: Option<String>,
    /// A certification (DocMDP, ISO 32000-1 §12.8.2.2) signature rather than an approval one.
    pub certification: bool,
    /// Subjects of the chain, signer first.
    pub chain: Vec<String>,
    /// The chain in detail (subject, issuer, serial, fingerprint, validity), signer first.
    pub certificates: Vec<super::trust::ChainCertificate>,
    /// The revocation answer used for each certificate of the chain (OCSP, CRL, embedded).
    pub revocation: Vec<super::trust::RevocationEvidence>,
    /// Subject (RFC 4514) of the trust anchor of the validated chain; `None` when the chain
    /// did not validate.
    pub trust_anchor: Option<String>,
    /// The outcome of each building block, for readers that want details.
    pub checks: Checks,
    /// What a reader should know although it does not change the verdict, in the report's
    /// language.
    pub warnings: Vec<String>,
    /// The stable codes of `warnings`, in the same order.
    pub warning_codes: Vec<&'static str>,
    /// `warnings` as facts.
    #[serde(skip)]
    pub notes: Vec<super::note::Note>,
    /// ETSI EN 319 142-1 level by structure: "PAdES-B-B", "PAdES-B-T", "PAdES-B-LT",
    /// "PAdES-B-LTA"; "PKCS7-B" ... for adbe.pkcs7.* signatures; "CMS" for other sub-filters;
    /// "RFC3161" for a document time-stamp.
    pub level: String,
    /// The signature time-stamp(s) (RFC 3161 unsigned attribute), each checked.
    pub timestamps: Vec<TimestampReport>,
    /// The earliest time a trusted time-stamp proves the signature existed (RFC 3339, +07:00):
    /// its own time-stamp, or a document time-stamp over it.
    pub proof_of_existence: Option<String>,
    /// The time the signer's certificate was validated at: the validation time, or the proof of
    /// existence when the certificate has since expired or been revoked.
    pub validated_at: Option<String>,
    /// The signature's role under Decree 30/2020 (leader, organization, attachment, copy,
    /// unknown) and the evidence for it; None for document time-stamps.
    pub role: Option<crate::decree30::RoleFinding>,
    /// The visual check (issue 14): the signed version and the final file drawn and compared;
    /// absent when the signature covers the whole file or the check is off.
    pub visual: Option<crate::visual::VisualReport>,
}

/// The report for a whole document.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The path verified; `None` for bytes from memory.
    pub file: Option<String>,
    /// The gravest indication of the signatures (TOTAL-PASSED needs every one to pass);
    /// INDETERMINATE without signatures (see [`Report::exit_code`]).
    pub indication: Indication,
    /// One report per signature and document time-stamp, in file order.
    pub signatures: Vec<SignatureReport>,
    /// Revisions of the file (1 + incremental updates).
    pub revisions: usize,
    /// Document-wide warnings, in the report's language.
    pub warnings: Vec<String>,
    /// The stable codes of `warnings`, in the same order.
    pub warning_codes: Vec<&'static str>,
    /// `warnings` as facts.
    #[serde(skip)]
    pub notes: Vec<super::note::Note>,
    /// When the document was validated (RFC 3339, Vietnam time).
    pub validation_time: String,
    /// CA certificates whose revocation status could not be determined were accepted
    /// (`--accept-unknown-ca-status`); otherwise they make a signature INDETERMINATE.
    pub accept_unknown_ca_status: bool,
    /// Every URL verification contacted (or refused to, over the network budget), in order:
    /// the certificates name them, so the clerk sees whom the document made kyso call.
    pub contacted: Vec<crate::net::Contact>,
    /// Whether revocation was checked at all (false with `--revocation off`).
    pub revocation_checked: bool,
    /// The document's verdict in the report's language (text/verdict.rs): "KHÔNG CÓ CHỮ KÝ" /
    /// "NO SIGNATURE" without signatures, else the gravest signature's.
    pub verdict: String,
    /// The verdict's colour class: `passed`, `failed`, `untrusted`, `indeterminate`, `nosig`.
    pub verdict_class: &'static str,
    /// The Decree 30/2020 check (a verdict of its own: it never changes `indication`).
    pub decree30: crate::decree30::Decree30Report,
    /// How the document is encrypted (ISO 32000-1 §7.6), e.g. "AES-256 (R6)"; absent when it
    /// is not. Its strings and streams were decrypted for the analysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
}

impl Report {
    /// The `kyso verify` exit code: 0 passed, 1 failed, 3 indeterminate, 4 no signature.
    pub fn exit_code(&self) -> i32 {
        if self.signatures.is_empty() {
            return 4;
        }
        match self.indication {
            Indication::TotalPassed => 0,
            Indication::TotalFailed => 1,
            Indication::Indeterminate => 3,
        }
    }

    /// The exit code under `--require-decree30`: as [`Report::exit_code`], and 1 when the
    /// document does not conform to Decree 30/2020 (no signature stays 4).
    pub fn exit_code_requiring_decree30(&self) -> i32 {
        let code = self.exit_code();
        if code != 4 && self.decree30.status == crate::decree30::Conformity::NotConforming {
            1
        } else {
            code
        }
    }
}

/// One checked time-stamp token.
#[derive(Clone, Debug, Serialize)]
pub struct TimestampReport {
    /// "signature" (over the signature value) or "document".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// genTime (RFC 3339, +07:00).
    pub time: String,
    /// The TSA certificate's subject (RFC 4514).
    pub authority: Option<String>,
    /// Whether the token counts as a proof of existence (TOTAL-PASSED) or not.
    pub indication: Indication,
    /// Why not; `None` when it counts.
    pub sub_indication: Option<SubIndication>,
    /// Why, in the report's language.
    pub message: String,
    /// The stable code of `message`.
    pub message_code: Option<&'static str>,
    /// `message` as a fact.
    #[serde(skip)]
    pub note: Option<super::note::Note>,
    /// The message imprint matches what it time-stamps.
    pub imprint_matches: bool,
    /// The TSA's signature on the token verifies.
    pub signature_valid: bool,
    /// Subject of the trust anchor of the TSA's validated chain; `None` when it did not
    /// validate.
    pub trust_anchor: Option<String>,
    /// Subjects of the TSA's chain, TSA first.
    pub chain: Vec<String>,
    /// The revocation answer used for each certificate of the TSA's chain.
    pub revocation: Vec<super::trust::RevocationEvidence>,
    /// Warnings about the token, in the report's language.
    pub warnings: Vec<String>,
    /// The stable codes of `warnings`, in the same order.
    pub warning_codes: Vec<&'static str>,
    /// `warnings` as facts.
    #[serde(skip)]
    pub notes: Vec<super::note::Note>,
    /// kyso's reason code when the token does not count, e.g. `TIMESTAMP_IN_FUTURE`,
    /// `TIMESTAMP_OUTSIDE_TSA_VALIDITY`, `WEAK_KEY`.
    pub kyso_reason: Option<String>,
}
