//! What verification found, as facts: the reason for each verdict and every warning a signature
//! or time-stamp carries, with what is needed to say it (pages, names, times, counts).
//!
//! The variants follow the building blocks of ETSI EN 319 102-1 §5.2 (format checking,
//! identification of the signing certificate, X.509 validation, cryptographic verification,
//! signature acceptance, past signature validation §5.6.2.4) and the PDF rules of
//! ISO 32000-1 §12.8. [`crate::verify`] makes them: one note is the reason of each
//! [`SignatureReport`](crate::verify::SignatureReport)'s verdict, the others are warnings. The
//! words are made at the edge, in [`crate::text::notes`]; the stable [`Note::code`] goes into the
//! JSON beside them (`message_code`, `warning_codes`) and never changes meaning.
//!
//! # Examples
//!
//! ```
//! use kyso::text::notes;
//! use kyso::verify::note::Note;
//!
//! let finding = Note::PageAdded { page: 3 };
//! assert_eq!(finding.code(), "PAGE_ADDED");
//! assert_eq!(
//!     notes::english(&finding),
//!     "After this signature, page 3 was added to the document."
//! );
//! assert!(!finding.is_untrusted_root());
//! ```

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
        /// How many numbers the /ByteRange array holds.
        count: usize,
    },
    /// A /ByteRange number is negative.
    ByteRangeNegative,
    /// The first signed range does not start at byte 0 of the file.
    ByteRangeNotFromStart,
    /// A range ends past the end of the file, or the two ranges overlap.
    ByteRangeOutsideFile {
        /// Length of the file in bytes.
        file_len: u64,
    },
    /// The gap is not exactly this signature's /Contents string.
    ByteRangeGapNotContents,
    /// The /Contents string of the signature dictionary could not be found at the gap.
    ContentsNotLocated {
        /// Why it could not be located (English, from the PDF layer).
        detail: String,
    },
    /// The signed part does not end at a revision's %%EOF.
    SignedPartNotAtRevisionEnd,
    /// File structure inside a /Contents gap.
    StructureInGap {
        /// Which structure (object, xref, trailer) and where (English).
        detail: String,
    },
    /// The /Contents string is not a hexadecimal string `<…>` (ISO 32000-1 §12.8.1).
    ContentsNotHex,
    /// Non-zero bytes follow the DER-encoded CMS inside /Contents: they are not signed.
    DataAfterSignature {
        /// How many bytes follow the CMS encoding, up to the last non-zero one.
        bytes: usize,
    },
    /// The /Contents bytes do not decode as a CMS SignedData (RFC 5652 §5.1).
    CmsUnreadable {
        /// The decoder's error (English).
        error: String,
    },
    /// The SignedData has another count of SignerInfos than the one a PDF signature must have.
    SignerInfoCount {
        /// How many SignerInfos the SignedData holds (a PDF signature needs 1).
        count: usize,
    },
    /// An `adbe.pkcs7.detached` / `ETSI.CAdES.detached` signature whose CMS encapsulates content (it must be detached, ISO 32000-1 §12.8.3.3).
    DetachedWithContent,
    /// The signature dictionary's /SubFilter is missing or names an encoding kyso does not
    /// verify (ISO 32000-1 §12.8.3, ISO 32000-2 Table 255: `adbe.pkcs7.detached`,
    /// `adbe.pkcs7.sha1`, `ETSI.CAdES.detached`; `ETSI.RFC3161` for document time-stamps).
    SubFilterNotUnderstood {
        /// The /SubFilter as written, or None when there is none.
        sub_filter: Option<String>,
    },
    /// A time-stamp token whose encapsulated content is not a TSTInfo (RFC 3161 §2.4.2).
    TimestampWithoutTstInfo,
    /// The signed bytes or the time-stamp imprint could not be read or hashed.
    SignedBytesUnreadable {
        /// The read or hash error (English).
        error: String,
    },
    /// The signed content-type attribute is missing or does not name the encapsulated content type (RFC 5652 §11.1).
    ContentTypeWrong,
    /// No signed attributes, which PAdES (ETSI EN 319 142-1 §6.3) and CAdES require.
    SignedAttributesMissing {
        /// The signature dictionary's /SubFilter, e.g. `adbe.pkcs7.detached`.
        sub_filter: String,
    },
    /// No message-digest signed attribute (RFC 5652 §11.2): nothing binds the signature value to the signed bytes.
    MessageDigestMissing,
    /// A certification (DocMDP) signature that is not the first signature of the document (ISO 32000-1 §12.8.2.2).
    CertificationNotFirst,
    // --- Cryptographic verification (§5.2.7) ---
    /// A digest algorithm kyso does not implement: the content cannot be checked (INDETERMINATE).
    UnsupportedDigest {
        /// The digest algorithm OID, dotted.
        oid: String,
    },
    /// The time-stamp imprint or the SHA-1 digest in the content does not match.
    ContentHashMismatch,
    /// The message-digest attribute differs from the digest of the signed bytes: the content changed after signing (TOTAL-FAILED).
    MessageDigestMismatch,
    /// A signature algorithm (or key type) kyso does not implement.
    UnsupportedSignatureAlgorithm {
        /// The algorithm OID or key type (English).
        detail: String,
    },
    /// The signature value does not verify with the signer certificate's public key.
    SignatureValueInvalid {
        /// The verifier's error (English).
        detail: String,
    },
    // --- Signature acceptance (§5.2.8) ---
    /// The signature digest is SHA-1, which Circular 15/2025/TT-BKHCN no longer accepts.
    Sha1Forbidden,
    /// The signature algorithm names another digest than the SignerInfo's digestAlgorithm.
    DigestAlgorithmMismatch {
        /// The digest the signature algorithm names (e.g. `SHA-256` of sha256WithRSAEncryption).
        named: String,
        /// The SignerInfo's digestAlgorithm.
        digest: String,
    },
    /// The signer's RSA key is shorter than the 2048 bits Circular 15/2025 requires.
    WeakRsaKey {
        /// The modulus length in bits.
        bits: usize,
    },
    // --- Identification of the signing certificate (§5.2.3) ---
    /// A certificate in the CMS is not valid DER: the signer cannot be identified.
    MalformedCertificate,
    /// No certificate matching the SignerInfo's sid is in the CMS or the DSS.
    SignerCertificateMissing,
    /// The ESS signing-certificate(-v2) attribute (RFC 5035) names another certificate than the one found.
    SigningCertificateMismatch {
        /// What differs (hash or issuer/serial, English).
        detail: String,
    },
    /// A PAdES (`ETSI.CAdES.detached`) signature without the signing-certificate-v2 attribute ETSI EN 319 142-1 §6.3 requires.
    SigningCertificateNotBound,
    /// No signing-certificate attribute and several candidate certificates carry the signer's key.
    SignerCertificateAmbiguous {
        /// Subject names of the candidate certificates.
        names: Vec<String>,
    },
    // --- X.509 certificate validation (§5.2.6) ---
    /// No trust anchor configured at all.
    NoTrustAnchorConfigured,
    /// No chain to a trust anchor; `untrusted_root` is the self-signed root the chain reached
    /// when it reached one (a root that is present but not trusted).
    NoChainToAnchor {
        /// Why path building failed (English).
        detail: String,
        /// Subject of the self-signed root the chain reached; `None` when it reached none.
        untrusted_root: Option<String>,
    },
    /// The chain names a trusted root as issuer, but that root's key did not sign it.
    ForgedRoot {
        /// Subject of the trusted root the chain imitates.
        root: String,
    },
    /// A certificate of the chain is outside its validity at the validation time and no time-stamp proves an earlier existence (RFC 5280 §6.1.3 (a)(2)).
    ChainOutOfValidity {
        /// The path validator's words (English).
        detail: String,
    },
    /// A CA certificate of the chain is revoked and no proof of existence from before
    /// (INDETERMINATE / REVOKED_CA_NO_POE).
    CaRevoked {
        /// Revocation time; `None` when the status source gave none.
        at: Option<OffsetDateTime>,
    },
    /// The signer's certificate was revoked before the claimed signing time (/M)
    /// (TOTAL-FAILED / REVOKED, ETSI EN 319 102-1 §5.2.6.4).
    SignerRevokedBeforeSigning {
        /// Revocation time; `None` when the status source gave none.
        at: Option<OffsetDateTime>,
    },
    /// The signer's certificate is revoked and no time-stamp proves the signature existed before (INDETERMINATE / REVOKED_NO_POE).
    SignerRevokedNoPoe {
        /// Revocation time; `None` when the status source gave none.
        at: Option<OffsetDateTime>,
    },
    /// The revocation status of a chain certificate could not be decided during path validation.
    ChainRevocationUnknown {
        /// The path validator's words (English).
        detail: String,
    },
    /// A chain certificate uses an algorithm or key size the acceptance policy refuses.
    ChainAlgorithmNotAllowed {
        /// The path validator's words (English).
        detail: String,
    },
    /// The signer's certificate is not for signing: keyUsage lacks digitalSignature/nonRepudiation (RFC 5280 §4.2.1.3).
    SignerKeyUsage {
        /// The path validator's words (English).
        detail: String,
    },
    /// The signature on a certificate of the chain does not verify with its issuer's key.
    ChainSignatureInvalid {
        /// The path validator's words (English).
        detail: String,
    },
    /// The chain breaks an RFC 5280 §6.1 constraint (basic constraints, path length, name constraints, critical extensions …).
    ChainConstraints {
        /// The path validator's words (English).
        detail: String,
    },
    /// A certificate revoked after the time a time-stamp proves.
    RevokedAfterProof {
        /// Subject of the revoked certificate.
        subject: String,
        /// Revocation time as the status source gave it.
        revoked_at: String,
        /// The time the time-stamp proves.
        proven: OffsetDateTime,
    },
    /// No usable OCSP response or CRL for the signer's certificate (INDETERMINATE / TRY_LATER).
    SignerRevocationUnknown {
        /// Why no status was found (e.g. the fetch error); `None` when nothing more is known.
        detail: Option<String>,
    },
    /// No usable OCSP response or CRL for a CA certificate of the chain (INDETERMINATE unless `accept_unknown_ca_status`).
    CaRevocationUnknown {
        /// Subject of the CA certificate.
        subject: String,
    },
    /// Warning: a CA's revocation status is unknown, accepted because `accept_unknown_ca_status` was set.
    CaRevocationUnknownAccepted {
        /// Subject of the CA certificate.
        subject: String,
    },
    /// Revocation checking was switched off.
    RevocationOff,
    /// Warning: a certificate name holds zero-width, soft-hyphen or other format characters that can imitate another name.
    InvisibleCharacters {
        /// The name as written in the certificate.
        name: String,
    },
    /// A download (caIssuers, CRL) failed; the detail names the URL and the error.
    FetchFailed {
        /// URL and error (English).
        detail: String,
    },
    // --- Past signature validation (§5.6.2.4) and time-stamps (§5.4) ---
    /// The signer's certificate is outside its validity at the validation time and no time-stamp proves an earlier existence (INDETERMINATE / OUT_OF_BOUNDS_NO_POE).
    SignerCertificateOutOfBounds {
        /// Start of the certificate's validity.
        not_before: OffsetDateTime,
        /// End of the certificate's validity.
        not_after: OffsetDateTime,
    },
    /// Warning: the chain was validated at the time a time-stamp proves, not now (ETSI EN 319 102-1 §5.6.2.4).
    PastValidation {
        /// The time the chain was validated at (the time-stamp's genTime).
        at: OffsetDateTime,
    },
    /// A time-stamp token (signature time-stamp or document time-stamp) does not decode.
    TimestampUnreadable {
        /// The decoder's error (English).
        error: String,
    },
    /// A time-stamp token that decodes but does not verify (imprint, signature or TSA certificate).
    TimestampInvalid {
        /// What failed (English).
        why: String,
    },
    /// A problem the time-stamp check noted (in English, from the token parser).
    TimestampProblem {
        /// The token parser's words.
        detail: String,
    },
    /// A time-stamp whose TSA chain is not trusted; `why` is the chain finding.
    TimestampUntrusted {
        /// The TSA's name (subject of its certificate).
        authority: String,
        /// The chain finding for the TSA certificate (e.g. [`Note::NoChainToAnchor`]).
        why: Box<Note>,
    },
    /// A valid, trusted time-stamp: the signature existed at `time`.
    TimestampValid {
        /// The TSA's name (subject of its certificate).
        authority: String,
        /// The genTime of the token (RFC 3161 §2.4.2).
        time: OffsetDateTime,
    },
    /// A time-stamp whose genTime is after the validation time: not used as a proof.
    TimestampInFuture {
        /// The TSA's name.
        authority: String,
        /// The genTime of the token.
        claimed: OffsetDateTime,
        /// The time the verification ran at (or was asked to run at).
        validation_time: OffsetDateTime,
    },
    /// A time-stamp whose genTime is outside the TSA certificate's validity: not used as a proof.
    TimestampOutsideTsaValidity {
        /// The TSA's name.
        authority: String,
        /// The genTime of the token.
        claimed: OffsetDateTime,
        /// Start of the TSA certificate's validity.
        not_before: OffsetDateTime,
        /// End of the TSA certificate's validity.
        not_after: OffsetDateTime,
    },
    /// Warning: the TSA's revocation data is older than the validation time but newer than the time-stamp; accepted while the TSA certificate is valid.
    TsaRevocationStaleAccepted,
    // --- Changes after the signature (ISO 32000-1 §12.8.2) and the visual check ---
    /// A later revision changed the document in a way the signature's permissions (DocMDP/FieldMDP) do not allow.
    DisallowedModification {
        /// The first disallowed change the analysis found.
        what: crate::diff::What,
    },
    /// The revisions after the signature could not be compared (INDETERMINATE).
    ChangesNotAnalysed {
        /// Why the analysis stopped (English).
        error: String,
    },
    /// The certification's DocMDP /P cannot be read (ISO 32000-1 §12.8.2.2): the changes after
    /// it are allowed only under a more permissive /P than the strictest one.
    DocMdpUnreadable {
        /// Why /P could not be read (the reader's error, English).
        error: String,
    },
    /// The signature's FieldMDP lock cannot be read (ISO 32000-1 §12.8.2.4): every field is
    /// taken as locked.
    FieldLockUnreadable {
        /// Why the lock could not be read (the reader's error, English).
        error: String,
    },
    /// A problem the CMS check noted (in English, from the CMS layer).
    CmsProblem {
        /// The CMS layer's words.
        detail: String,
    },
    /// The visual check found a region that looks different outside the widgets later revisions may add (TOTAL-FAILED).
    VisibleDifference {
        /// Page number, 1-based.
        page: usize,
        /// The region `[x0, y0, x1, y1]` in PDF points (1/72 inch), page coordinates.
        rect: [f64; 4],
    },
    /// The final file has a page the signed version does not have.
    PageAdded {
        /// Page number in the final file, 1-based.
        page: usize,
    },
    /// The signed version has a page the final file no longer has.
    PageRemoved {
        /// Page number in the signed version, 1-based.
        page: usize,
    },
    /// The visual check could not draw or compare the pages (INDETERMINATE).
    VisualCheckError {
        /// What failed (English, from the renderer).
        detail: String,
    },
    /// Warning: the visual check was skipped because the file is encrypted (the renderer does not decrypt).
    VisualNotPerformedEncrypted,
    /// Warning: the visual check was skipped because the file is larger than [`crate::visual::MAX_FILE`].
    VisualNotPerformedTooLarge,
    /// Warning: pages that may have changed but lie beyond the page budget were not compared.
    VisualPagesNotCompared {
        /// The page budget ([`crate::visual::VisualOptions::max_pages`]).
        max_pages: usize,
        /// The pages left out, 1-based.
        pages: Vec<usize>,
    },
    /// Warning: revisions follow the signed part (incremental updates, checked by the change analysis).
    NotWholeFile {
        /// How many revisions (incremental updates) follow the signed part.
        revisions_after: usize,
        /// How many bytes follow the signed part.
        bytes_after: u64,
    },
    // --- The document (ISO 32000-1 §7.5: file structure) ---
    /// The file structure was repaired to be read (not as written).
    FileRepaired {
        /// What was repaired, and where.
        repair: crate::pdf::xref::Repair,
    },
    // --- Passed ---
    /// The reason of a PASSED signature: content intact, signer trusted.
    SignatureValid,
    /// The reason of a PASSED document time-stamp (ETSI EN 319 142-1 §5.4).
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
            Note::SubFilterNotUnderstood { .. } => "SUB_FILTER_NOT_UNDERSTOOD",
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
