//! What binds a SignerInfo to the signed bytes and to its signer: signed attributes with the
//! message-digest (RFC 5652 §5.3, §11.2), one hash throughout (RFC 5754 §3, RFC 4056 §3,
//! RFC 8419 §3), no SHA-1 (Circular 15/2025/TT-BKHCN), and the signer's certificate named by ESS
//! signing-certificate(-v2) (ETSI EN 319 122-1 §5.2.2) or, for legacy `adbe.pkcs7.*`
//! signatures, by being the only certificate with the signer's key.

use super::note::Note;
use super::report::{Indication, SubIndication};
use super::{Verdict, VerifyOptions};
use crate::cms::{EssStatus, SignedData, SignerCheck, SignerInfo};
use crate::pdf::signatures::SignatureEntry;
use crate::pki::Certificate;

/// Sub-filters whose CMS must carry signed attributes: PAdES (ETSI EN 319 142-1 §6.3, CAdES
/// baseline: content-type, message-digest, signing-certificate-v2) and document time-stamps
/// (RFC 3161 §2.4.2: the token's SignerInfo carries the ESS signing-certificate).
const NEEDS_SIGNED_ATTRIBUTES: [&str; 2] = ["ETSI.CAdES.detached", "ETSI.RFC3161"];

/// Every binding check of one SignerInfo, recorded in `verdict` with kyso's reason codes.
pub(super) fn check(
    sd: &SignedData,
    si: &SignerInfo,
    entry: &SignatureEntry,
    signer: &SignerCheck,
    opts: &VerifyOptions,
    verdict: &mut Verdict,
) {
    let sub_filter = entry.sub_filter().unwrap_or_default();
    signed_attributes(si, signer, &sub_filter, verdict);
    algorithms(si, signer, &sub_filter, verdict);
    if let Some(cert) = signer
        .signer_certificate
        .and_then(|i| sd.certificates.get(i))
    {
        signer_bound(sd, cert, signer, &sub_filter, opts, verdict);
    }
}

/// RFC 5652 §5.3: signed attributes, when present, MUST hold the message-digest (§11.2); PAdES
/// and RFC 3161 require them.
fn signed_attributes(
    si: &SignerInfo,
    signer: &SignerCheck,
    sub_filter: &str,
    verdict: &mut Verdict,
) {
    if si.signed_attrs.is_none() && NEEDS_SIGNED_ATTRIBUTES.contains(&sub_filter) {
        verdict.set_because(
            "SIGNED_ATTRIBUTES_MISSING",
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            Note::SignedAttributesMissing {
                sub_filter: sub_filter.to_string(),
            },
        );
    }
    if signer.message_digest_missing {
        verdict.set_because(
            "MESSAGE_DIGEST_MISSING",
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            Note::MessageDigestMissing,
        );
    }
}

/// No SHA-1 in the binding: the digestAlgorithm, the signature algorithm or `adbe.pkcs7.sha1`
/// (Circular 15/2025), and one hash throughout (RFC 5754 §3, RFC 4056 §3, RFC 8419 §3). Both
/// are algorithm constraints: INDETERMINATE, as ETSI EN 319 102-1 §5.2.8 and pyHanko judge them.
fn algorithms(si: &SignerInfo, signer: &SignerCheck, sub_filter: &str, verdict: &mut Verdict) {
    if signer.uses_sha1 || sub_filter == "adbe.pkcs7.sha1" {
        verdict.set_because(
            "SHA1_FORBIDDEN",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailureNoPoe,
            Note::Sha1Forbidden,
        );
    }
    if let Some(named) = signer.digest_mismatch {
        let digest = crate::crypto::DigestAlgorithm::from_oid(&si.digest_algorithm.oid)
            .map_or(si.digest_algorithm.oid.clone(), |d| d.name().to_string());
        let named = named.name();
        verdict.set_because(
            "DIGEST_ALGORITHM_MISMATCH",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            Note::DigestAlgorithmMismatch {
                named: named.to_string(),
                digest,
            },
        );
    }
}

/// The signer's certificate is part of what was signed. PAdES: ESS signing-certificate(-v2)
/// is required (ETSI EN 319 142-1 §6.3, EN 319 122-1 §5.2.2). Legacy `adbe.pkcs7.*` without it:
/// the certificate is judged only when it is the only one in the CMS and the DSS with the
/// signer's key; otherwise the unsigned SignerIdentifier could point at another certificate
/// (another name or title) for the same key.
fn signer_bound(
    sd: &SignedData,
    cert: &Certificate,
    signer: &SignerCheck,
    sub_filter: &str,
    opts: &VerifyOptions,
    verdict: &mut Verdict,
) {
    if signer.ess != EssStatus::Absent {
        return;
    }
    if sub_filter == "ETSI.CAdES.detached" {
        verdict.set_because(
            "SIGNING_CERTIFICATE_NOT_BOUND",
            Indication::Indeterminate,
            SubIndication::NoSigningCertificateFound,
            Note::SigningCertificateNotBound,
        );
        return;
    }
    // The legacy /SubFilters (`adbe.pkcs7.detached`, `adbe.pkcs7.sha1`) get the legacy rule. A
    // missing or unknown one never gets here (SUB_FILTER_NOT_UNDERSTOOD, in `signer_info`); were
    // it to, the legacy rule is the stricter reading, never a laxer one.
    let same_key = certificates_with_key(sd, opts, cert);
    if same_key.len() > 1 {
        let names = same_key
            .iter()
            .map(|c| c.subject.to_rfc4514())
            .collect::<Vec<_>>();
        verdict.set_because(
            "SIGNER_CERTIFICATE_AMBIGUOUS",
            Indication::Indeterminate,
            SubIndication::NoSigningCertificateFound,
            Note::SignerCertificateAmbiguous { names },
        );
    }
}

/// The distinct certificates of the CMS and the DSS (and `--extra-certs`) whose public key is
/// the signer's.
fn certificates_with_key<'a>(
    sd: &'a SignedData,
    opts: &'a VerifyOptions,
    cert: &Certificate,
) -> Vec<&'a Certificate> {
    let mut out: Vec<&Certificate> = Vec::new();
    for c in sd.certificates.iter().chain(&opts.extra_certs) {
        if c.spki_der == cert.spki_der && !out.iter().any(|o| o.der == c.der) {
            out.push(c);
        }
    }
    out
}
