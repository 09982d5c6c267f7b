//! Cryptographic check of one SignerInfo (RFC 5652 §5.4, §5.6; RFC 5035 §5.4).

use super::parse::{strip_sign, SignedData, SignerInfo};
use crate::cms::EssCertId;
use crate::crypto::{self, DigestAlgorithm, SignatureScheme};
use crate::pki::Certificate;

/// Outcome of the ESS signing-certificate check (RFC 5035 §5.4, RFC 2634 §5.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EssStatus {
    /// signing-certificate-v2 identifies the signer certificate.
    MatchV2,
    /// signing-certificate (v1, SHA-1) identifies the signer certificate.
    MatchV1,
    /// Neither attribute is present.
    Absent,
    /// Present but does not identify the signer certificate.
    Mismatch(String),
}

/// Result of [`check_signer_info`].
#[derive(Clone, Debug)]
pub struct SignerCheck {
    /// Index into `SignedData::certificates`.
    pub signer_certificate: Option<usize>,
    /// The digest algorithm of the SignerInfo, `None` when kyso does not know it (then nothing
    /// verifies).
    pub digest: Option<DigestAlgorithm>,
    /// The signature scheme that verified (or was tried), `None` when the algorithm is unknown.
    pub scheme: Option<SignatureScheme>,
    /// `None` when there are no signed attributes (or no message-digest).
    pub message_digest_matches: Option<bool>,
    /// The signature value verifies with the signer certificate's key.
    pub signature_valid: bool,
    /// Why the signature does not verify, in English; `None` when it does.
    pub signature_error: Option<String>,
    /// The content-type attribute is present and equals eContentType (RFC 5652 §11.1), or there are
    /// no signed attributes.
    pub content_type_ok: bool,
    /// What the ESS signing-certificate attributes say about the signer certificate.
    pub ess: EssStatus,
    /// Signed attributes without the message-digest attribute (RFC 5652 §11.2): nothing binds
    /// the content.
    pub message_digest_missing: bool,
    /// The hash the signature algorithm names when it differs from digestAlgorithm (see
    /// [`signature_algorithm_hash`]).
    pub digest_mismatch: Option<DigestAlgorithm>,
    /// SHA-1 as digestAlgorithm or inside the signature algorithm (Circular 15/2025).
    pub uses_sha1: bool,
    /// Everything else wrong, in English (signer certificate missing, unsupported algorithm...);
    /// empty when none.
    pub problems: Vec<String>,
}

impl SignerCheck {
    /// True when everything checked here is fine (digest, signature, content type, ESS).
    pub fn is_ok(&self) -> bool {
        self.signature_valid
            && self.content_type_ok
            && self.message_digest_matches != Some(false)
            && !matches!(self.ess, EssStatus::Mismatch(_))
            && !self.message_digest_missing
            && self.digest_mismatch.is_none()
            && self.problems.is_empty()
    }
}

/// Checks the ESSCertID list against the signer certificate: the first entry
/// MUST identify it (RFC 5035 §5.4).
fn check_ess(ids: &[EssCertId], cert: &Certificate) -> Result<(), String> {
    let Some(first) = ids.first() else {
        return Err("empty signing-certificate attribute".into());
    };
    let hash = crypto::digest(first.hash_algorithm, &cert.der);
    if hash != first.hash {
        return Err(format!(
            "{} hash of the signer certificate differs from the signing-certificate attribute",
            first.hash_algorithm.name()
        ));
    }
    if let Some((issuer, serial)) = &first.issuer_serial {
        if strip_sign(serial) != strip_sign(&cert.serial) || !issuer.matches(&cert.issuer) {
            return Err("issuerSerial does not match the signer certificate".into());
        }
    }
    Ok(())
}

/// The hash the signature algorithm of `si` names, when it names one: sha256WithRSAEncryption,
/// ecdsa-with-SHA384, the hashAlgorithm of RSASSA-PSS-params, SHA-512 for Ed25519 and SHAKE256
/// for Ed448 (RFC 5754 §3.2-§3.3, RFC 4056 §3, RFC 8419 §3). `rsaEncryption` and
/// `id-ecPublicKey` name none: the digestAlgorithm is used (RFC 3370 §3.2).
pub fn signature_algorithm_hash(si: &SignerInfo) -> Option<DigestAlgorithm> {
    crypto::verify::digest_of_signature_algorithm(&si.signature_algorithm)
}

/// The digestAlgorithm and the hash inside the signature algorithm must be the same (RFC 5754
/// §3, RFC 4056 §3, RFC 8419 §3): otherwise the signed attributes are signed with another hash
/// than the one that binds the content. Returns the signature algorithm's hash when it differs.
pub fn digest_mismatch(si: &SignerInfo) -> Option<DigestAlgorithm> {
    let named = signature_algorithm_hash(si)?;
    (DigestAlgorithm::from_oid(&si.digest_algorithm.oid) != Some(named)).then_some(named)
}

/// Whether SHA-1 appears in the SignerInfo's algorithm binding: its digestAlgorithm, the hash
/// its signature algorithm names, or the MGF1 hash of RSASSA-PSS (Circular 15/2025 forbids it).
pub fn binding_uses_sha1(si: &SignerInfo) -> bool {
    let pss_mgf = (si.signature_algorithm.oid == crate::asn1::oid::RSASSA_PSS)
        .then(|| crypto::verify::PssParams::parse(si.signature_algorithm.params_der.as_deref()))
        // Unparsable PSS parameters fail the signature check itself (crypto::verify).
        .and_then(|p| p.ok())
        .map(|p| p.mgf_hash);
    [
        DigestAlgorithm::from_oid(&si.digest_algorithm.oid),
        signature_algorithm_hash(si),
        pss_mgf,
    ]
    .contains(&Some(DigestAlgorithm::Sha1))
}

/// Checks one SignerInfo of `sd`. `content_digest` is the hash of the signed
/// content computed by the caller with `si.digest_algorithm`; `content` is the
/// content itself, needed only when there are no signed attributes (the
/// signature then covers the content, RFC 5652 §5.4).
pub fn check_signer_info(
    sd: &SignedData,
    si: &SignerInfo,
    content_digest: &[u8],
    content: Option<&[u8]>,
) -> SignerCheck {
    let mut problems = Vec::new();
    let signer_certificate = sd.signer_certificate_index(si);
    let cert = signer_certificate.map(|i| &sd.certificates[i]);
    if cert.is_none() {
        problems.push("signer certificate not found in the CMS certificates".to_string());
    }
    let digest = DigestAlgorithm::from_oid(&si.digest_algorithm.oid);
    match digest {
        None => problems.push(format!(
            "unsupported digest algorithm {}",
            si.digest_algorithm.oid
        )),
        Some(d) if d.output_len() != content_digest.len() => problems.push(format!(
            "content digest has {} bytes, {} needs {}",
            content_digest.len(),
            d.name(),
            d.output_len()
        )),
        Some(_) => {}
    }
    if !sd
        .digest_algorithms
        .iter()
        .any(|a| a.oid == si.digest_algorithm.oid)
    {
        // RFC 5652 §5.1: digestAlgorithms lists the signers' algorithms (advisory).
        problems.push("signer's digest algorithm missing from SignedData.digestAlgorithms".into());
    }

    let digest_mismatch = digest_mismatch(si);
    if let Some(named) = digest_mismatch {
        problems.push(format!(
            "the signature algorithm uses {} but digestAlgorithm is {}",
            named.name(),
            digest.map_or(si.digest_algorithm.oid.as_str(), |d| d.name())
        ));
    }
    let mut message_digest_matches = None;
    let mut message_digest_missing = false;
    let mut content_type_ok = true;
    let mut ess = EssStatus::Absent;
    let message: Option<&[u8]> = match &si.signed_attrs {
        Some(sa) => {
            // RFC 5652 §5.3 / §11.1: content-type MUST be present and equal eContentType.
            match &sa.content_type {
                Some(ct) if *ct == sd.encap_content_type => {}
                Some(ct) => {
                    content_type_ok = false;
                    problems.push(format!(
                        "content-type attribute {ct} differs from eContentType {}",
                        sd.encap_content_type
                    ));
                }
                None => {
                    content_type_ok = false;
                    problems.push("content-type signed attribute missing".into());
                }
            }
            // RFC 5652 §11.2: message-digest MUST be present.
            match &sa.message_digest {
                Some(md) => {
                    let ok = md.as_slice() == content_digest;
                    message_digest_matches = Some(ok);
                    if !ok {
                        problems.push("message digest does not match the content".into());
                    }
                }
                None => {
                    message_digest_missing = true;
                    problems.push("message-digest signed attribute missing".into())
                }
            }
            ess = match (&sa.signing_certificate_v2, &sa.signing_certificate_v1, cert) {
                (None, None, _) => EssStatus::Absent,
                (_, _, None) => EssStatus::Mismatch("no signer certificate to compare".into()),
                (Some(ids), _, Some(c)) => match check_ess(ids, c) {
                    Ok(()) => EssStatus::MatchV2,
                    Err(e) => EssStatus::Mismatch(e),
                },
                (None, Some(ids), Some(c)) => match check_ess(ids, c) {
                    Ok(()) => EssStatus::MatchV1,
                    Err(e) => EssStatus::Mismatch(e),
                },
            };
            if let EssStatus::Mismatch(m) = &ess {
                problems.push(format!("signing-certificate attribute: {m}"));
            }
            Some(sa.der.as_slice())
        }
        None => {
            // RFC 5652 §5.3: without signed attributes the content type must be id-data.
            if sd.encap_content_type != crate::asn1::oid::DATA {
                content_type_ok = false;
                problems.push("signed attributes are required for non-data content".into());
            }
            content.or(sd.encap_content.as_deref())
        }
    };

    let mut scheme = None;
    let mut signature_error = None;
    match (cert, digest, message) {
        (None, _, _) => signature_error = Some("signer certificate not found".into()),
        (_, None, _) => {
            signature_error = Some(format!(
                "unsupported digest algorithm {}",
                si.digest_algorithm.oid
            ))
        }
        (_, _, None) => {
            signature_error =
                Some("no signed attributes and no content given to verify the signature".into())
        }
        (Some(c), Some(d), Some(m)) => {
            match crypto::verify_signature(
                &c.spki_der,
                &si.signature_algorithm,
                d,
                m,
                &si.signature,
            ) {
                Ok(s) => scheme = Some(s),
                Err(e) => signature_error = Some(e),
            }
        }
    }
    if let Some(e) = &signature_error {
        problems.push(format!("signature: {e}"));
    }
    SignerCheck {
        signer_certificate,
        digest,
        scheme,
        message_digest_matches,
        signature_valid: scheme.is_some(),
        signature_error,
        content_type_ok,
        ess,
        message_digest_missing,
        digest_mismatch,
        uses_sha1: binding_uses_sha1(si),
        problems,
    }
}
