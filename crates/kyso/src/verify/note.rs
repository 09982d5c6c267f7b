//! What verification found, as facts: the reason for each verdict and every warning a signature
//! or time-stamp carries, with what is needed to say it (pages, names, times, counts). The words
//! are made in `crate::text::verify`; the stable [`Note::code`] goes into the JSON beside them.

use time::OffsetDateTime;

/// One finding of the verification of a signature or a time-stamp.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Note {
    // --- Format checking (ETSI EN 319 102-1 §5.2.2): ByteRange (ISO 32000-1 §12.8.1) ---
    /// No usable /ByteRange.
    NoByteRange,
    /// /ByteRange with another count of numbers than 4.
    ByteRangeCount {
        count: usize,
    },
    ByteRangeNegative,
    ByteRangeNotFromStart,
    ByteRangeOutsideFile {
        file_len: u64,
    },
    /// The gap is not exactly this signature's /Contents string.
    ByteRangeGapNotContents,
    ContentsNotLocated {
        detail: String,
    },
    /// The signed part does not end at a revision's %%EOF.
    SignedPartNotAtRevisionEnd,
    /// File structure inside a /Contents gap.
    StructureInGap {
        detail: String,
    },
    ContentsNotHex,
    DataAfterSignature {
        bytes: usize,
    },
    CmsUnreadable {
        error: String,
    },
    SignerInfoCount {
        count: usize,
    },
    DetachedWithContent,
    TimestampWithoutTstInfo,
    /// The signed bytes or the time-stamp imprint could not be read or hashed.
    SignedBytesUnreadable {
        error: String,
    },
    ContentTypeWrong,
    SignedAttributesMissing {
        sub_filter: String,
    },
    MessageDigestMissing,
    CertificationNotFirst,
    // --- Cryptographic verification (§5.2.7) ---
    UnsupportedDigest {
        oid: String,
    },
    /// The time-stamp imprint or the SHA-1 digest in the content does not match.
    ContentHashMismatch,
    MessageDigestMismatch,
    UnsupportedSignatureAlgorithm {
        detail: String,
    },
    SignatureValueInvalid {
        detail: String,
    },
    // --- Signature acceptance (§5.2.8) ---
    Sha1Forbidden,
    DigestAlgorithmMismatch {
        named: String,
        digest: String,
    },
    WeakRsaKey {
        bits: usize,
    },
    // --- Identification of the signing certificate (§5.2.3) ---
    MalformedCertificate,
    SignerCertificateMissing,
    SigningCertificateMismatch {
        detail: String,
    },
    SigningCertificateNotBound,
    SignerCertificateAmbiguous {
        names: Vec<String>,
    },
    // --- X.509 certificate validation (§5.2.6) ---
    /// No trust anchor configured at all.
    NoTrustAnchorConfigured,
    /// No chain to a trust anchor; `untrusted_root` is the self-signed root the chain reached
    /// when it reached one (a root that is present but not trusted).
    NoChainToAnchor {
        detail: String,
        untrusted_root: Option<String>,
    },
    /// The chain names a trusted root as issuer, but that root's key did not sign it.
    ForgedRoot {
        root: String,
    },
    ChainOutOfValidity {
        detail: String,
    },
    CaRevoked {
        at: Option<OffsetDateTime>,
    },
    SignerRevokedBeforeSigning {
        at: Option<OffsetDateTime>,
    },
    SignerRevokedNoPoe {
        at: Option<OffsetDateTime>,
    },
    ChainRevocationUnknown {
        detail: String,
    },
    ChainAlgorithmNotAllowed {
        detail: String,
    },
    SignerKeyUsage {
        detail: String,
    },
    ChainSignatureInvalid {
        detail: String,
    },
    ChainConstraints {
        detail: String,
    },
    /// A certificate revoked after the time a time-stamp proves.
    RevokedAfterProof {
        subject: String,
        revoked_at: String,
        proven: OffsetDateTime,
    },
    SignerRevocationUnknown {
        detail: Option<String>,
    },
    CaRevocationUnknown {
        subject: String,
    },
    CaRevocationUnknownAccepted {
        subject: String,
    },
    /// Revocation checking was switched off.
    RevocationOff,
    InvisibleCharacters {
        name: String,
    },
    /// A download (caIssuers, CRL) failed; the detail names the URL and the error.
    FetchFailed {
        detail: String,
    },
    // --- Past signature validation (§5.6.2.4) and time-stamps (§5.4) ---
    SignerCertificateOutOfBounds {
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    PastValidation {
        at: OffsetDateTime,
    },
    TimestampUnreadable {
        error: String,
    },
    TimestampInvalid {
        why: String,
    },
    /// A problem the time-stamp check noted (in English, from the token parser).
    TimestampProblem {
        detail: String,
    },
    TimestampUntrusted {
        authority: String,
        why: Box<Note>,
    },
    TimestampValid {
        authority: String,
        time: OffsetDateTime,
    },
    TimestampInFuture {
        authority: String,
        claimed: OffsetDateTime,
        validation_time: OffsetDateTime,
    },
    TimestampOutsideTsaValidity {
        authority: String,
        claimed: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    TsaRevocationStaleAccepted,
    // --- Changes after the signature (ISO 32000-1 §12.8.2) and the visual check ---
    DisallowedModification {
        what: crate::diff::What,
    },
    ChangesNotAnalysed {
        error: String,
    },
    /// The certification's DocMDP /P cannot be read (ISO 32000-1 §12.8.2.2): the changes after
    /// it are allowed only under a more permissive /P than the strictest one.
    DocMdpUnreadable {
        error: String,
    },
    /// The signature's FieldMDP lock cannot be read (ISO 32000-1 §12.8.2.4): every field is
    /// taken as locked.
    FieldLockUnreadable {
        error: String,
    },
    /// A problem the CMS check noted (in English, from the CMS layer).
    CmsProblem {
        detail: String,
    },
    VisibleDifference {
        page: usize,
        rect: [f64; 4],
    },
    PageAdded {
        page: usize,
    },
    PageRemoved {
        page: usize,
    },
    VisualCheckError {
        detail: String,
    },
    VisualNotPerformedEncrypted,
    VisualNotPerformedTooLarge,
    VisualPagesNotCompared {
        max_pages: usize,
        pages: Vec<usize>,
    },
    NotWholeFile {
        revisions_after: usize,
        bytes_after: u64,
    },
    // --- The document (ISO 32000-1 §7.5: file structure) ---
    /// The file structure was repaired to be read (not as written).
    FileRepaired {
        repair: crate::pdf::xref::Repair,
    },
    // --- Passed ---
    SignatureValid,
    DocumentTimestampValid,
}

impl Note {
    /// A stable code for machines (`message_code`, `warning_codes` in the JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Note::NoByteRange => "BYTE_RANGE_MISSING",
            Note::ByteRangeCount { .. } => "BYTE_RANGE_COUNT",
            Note::ByteRangeNegative => "BYTE_RANGE_NEGATIVE",
            Note::ByteRangeNotFromStart => "BYTE_RANGE_NOT_FROM_START",
            Note::ByteRangeOutsideFile { .. } => "BYTE_RANGE_OUTSIDE_FILE",
            Note::ByteRangeGapNotContents => "BYTE_RANGE_GAP_NOT_CONTENTS",
            Note::ContentsNotLocated { .. } => "CONTENTS_NOT_LOCATED",
            Note::SignedPartNotAtRevisionEnd => "SIGNED_PART_NOT_AT_REVISION_END",
            Note::StructureInGap { .. } => "STRUCTURE_IN_GAP",
            Note::ContentsNotHex => "CONTENTS_NOT_HEX",
            Note::DataAfterSignature { .. } => "DATA_AFTER_SIGNATURE",
            Note::CmsUnreadable { .. } => "CMS_UNREADABLE",
            Note::SignerInfoCount { .. } => "SIGNER_INFO_COUNT",
            Note::DetachedWithContent => "DETACHED_WITH_CONTENT",
            Note::TimestampWithoutTstInfo => "TIMESTAMP_WITHOUT_TSTINFO",
            Note::SignedBytesUnreadable { .. } => "SIGNED_BYTES_UNREADABLE",
            Note::ContentTypeWrong => "CONTENT_TYPE_WRONG",
            Note::SignedAttributesMissing { .. } => "SIGNED_ATTRIBUTES_MISSING",
            Note::MessageDigestMissing => "MESSAGE_DIGEST_MISSING",
            Note::CertificationNotFirst => "CERTIFICATION_NOT_FIRST",
            Note::UnsupportedDigest { .. } => "UNSUPPORTED_DIGEST",
            Note::ContentHashMismatch => "CONTENT_HASH_MISMATCH",
            Note::MessageDigestMismatch => "MESSAGE_DIGEST_MISMATCH",
            Note::UnsupportedSignatureAlgorithm { .. } => "UNSUPPORTED_SIGNATURE_ALGORITHM",
            Note::SignatureValueInvalid { .. } => "SIGNATURE_VALUE_INVALID",
            Note::Sha1Forbidden => "SHA1_FORBIDDEN",
            Note::DigestAlgorithmMismatch { .. } => "DIGEST_ALGORITHM_MISMATCH",
            Note::WeakRsaKey { .. } => "WEAK_KEY",
            Note::MalformedCertificate => "MALFORMED_CERTIFICATE",
            Note::SignerCertificateMissing => "SIGNER_CERTIFICATE_MISSING",
            Note::SigningCertificateMismatch { .. } => "SIGNING_CERTIFICATE_MISMATCH",
            Note::SigningCertificateNotBound => "SIGNING_CERTIFICATE_NOT_BOUND",
            Note::SignerCertificateAmbiguous { .. } => "SIGNER_CERTIFICATE_AMBIGUOUS",
            Note::NoTrustAnchorConfigured => "NO_TRUST_ANCHOR_CONFIGURED",
            Note::NoChainToAnchor {
                untrusted_root: Some(_),
                ..
            } => "UNTRUSTED_ROOT",
            Note::NoChainToAnchor { .. } => "NO_CHAIN_TO_TRUST_ANCHOR",
            Note::ForgedRoot { .. } => "FORGED_ROOT",
            Note::ChainOutOfValidity { .. } => "CHAIN_OUT_OF_VALIDITY",
            Note::CaRevoked { .. } => "CA_REVOKED",
            Note::SignerRevokedBeforeSigning { .. } => "SIGNER_REVOKED",
            Note::SignerRevokedNoPoe { .. } => "SIGNER_REVOKED_NO_POE",
            Note::ChainRevocationUnknown { .. } => "CHAIN_REVOCATION_UNKNOWN",
            Note::ChainAlgorithmNotAllowed { .. } => "CHAIN_ALGORITHM_NOT_ALLOWED",
            Note::SignerKeyUsage { .. } => "SIGNER_KEY_USAGE",
            Note::ChainSignatureInvalid { .. } => "CHAIN_SIGNATURE_INVALID",
            Note::ChainConstraints { .. } => "CHAIN_CONSTRAINTS",
            Note::RevokedAfterProof { .. } => "REVOKED_AFTER_PROOF",
            Note::SignerRevocationUnknown { .. } => "SIGNER_REVOCATION_UNKNOWN",
            Note::CaRevocationUnknown { .. } => "CA_REVOCATION_UNKNOWN",
            Note::CaRevocationUnknownAccepted { .. } => "CA_REVOCATION_UNKNOWN_ACCEPTED",
            Note::RevocationOff => "REVOCATION_NOT_CHECKED",
            Note::InvisibleCharacters { .. } => "INVISIBLE_CHARACTERS",
            Note::FetchFailed { .. } => "FETCH_FAILED",
            Note::SignerCertificateOutOfBounds { .. } => "OUT_OF_BOUNDS_NO_POE",
            Note::PastValidation { .. } => "PAST_SIGNATURE_VALIDATION",
            Note::TimestampUnreadable { .. } => "TIMESTAMP_UNREADABLE",
            Note::TimestampInvalid { .. } => "TIMESTAMP_INVALID",
            Note::TimestampProblem { .. } => "TIMESTAMP_PROBLEM",
            Note::TimestampUntrusted { .. } => "TIMESTAMP_UNTRUSTED",
            Note::TimestampValid { .. } => "TIMESTAMP_VALID",
            Note::TimestampInFuture { .. } => "TIMESTAMP_IN_FUTURE",
            Note::TimestampOutsideTsaValidity { .. } => "TIMESTAMP_OUTSIDE_TSA_VALIDITY",
            Note::TsaRevocationStaleAccepted => "TSA_REVOCATION_STALE_ACCEPTED",
            Note::DisallowedModification { .. } => "DISALLOWED_MODIFICATION",
            Note::ChangesNotAnalysed { .. } => "CHANGES_NOT_ANALYSED",
            Note::DocMdpUnreadable { .. } => "DOCMDP_UNREADABLE",
            Note::FieldLockUnreadable { .. } => "FIELD_LOCK_UNREADABLE",
            Note::CmsProblem { .. } => "CMS_PROBLEM",
            Note::VisibleDifference { .. } => "VISIBLE_DIFFERENCE",
            Note::PageAdded { .. } => "PAGE_ADDED",
            Note::PageRemoved { .. } => "PAGE_REMOVED",
            Note::VisualCheckError { .. } => "VISUAL_CHECK_ERROR",
            Note::VisualNotPerformedEncrypted => "VISUAL_NOT_PERFORMED_ENCRYPTED",
            Note::VisualNotPerformedTooLarge => "VISUAL_NOT_PERFORMED_TOO_LARGE",
            Note::VisualPagesNotCompared { .. } => "VISUAL_PAGES_NOT_COMPARED",
            Note::NotWholeFile { .. } => "NOT_WHOLE_FILE",
            Note::FileRepaired { repair } => repair.code(),
            Note::SignatureValid => "SIGNATURE_VALID",
            Note::DocumentTimestampValid => "DOCUMENT_TIMESTAMP_VALID",
        }
    }

    /// Whether the note says the signer's chain ends at a root that is not trusted: a root
    /// present but not among the anchors, or a look-alike of a trusted one.
    pub fn is_untrusted_root(&self) -> bool {
        matches!(
            self,
            Note::ForgedRoot { .. }
                | Note::NoChainToAnchor {
                    untrusted_root: Some(_),
                    ..
                }
        )
    }
}
