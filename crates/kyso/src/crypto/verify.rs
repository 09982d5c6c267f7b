//! Signature verification for certificates and CMS SignerInfos through aws-lc-rs:
//! RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017, RFC 4055), ECDSA (RFC 5758 §3.2,
//! BSI TR-03111 plain r‖s) and Ed25519 (RFC 8410, RFC 8419). What aws-lc-rs lacks
//! goes through RustCrypto, verification only: Ed448 (RFC 8032 §5.2, with SHAKE256
//! as the CMS digest, RFC 8419 §3) via `ed448-goldilocks`, and ECDSA on
//! brainpoolP256r1/P384r1 (RFC 5639) via `bp256`/`bp384` and `ecdsa`.

use aws_lc_rs::signature::{self as sig, VerificationAlgorithm};
use ecdsa::signature::hazmat::PrehashVerifier;

use super::keys::{parse_spki, Curve, PublicKeyKind};
use super::{DigestAlgorithm, SignatureScheme};
use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Reader};

/// Decoded `RSASSA-PSS-params` (RFC 4055 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PssParams {
    /// `hashAlgorithm`: the digest of the message (default SHA-1).
    pub hash: DigestAlgorithm,
    /// The digest inside `maskGenAlgorithm` (MGF1, default SHA-1).
    pub mgf_hash: DigestAlgorithm,
    /// `saltLength` in bytes (default 20).
    pub salt_len: u64,
}

fn hash_alg_from_element(el: &crate::asn1::Element<'_>) -> Result<DigestAlgorithm, String> {
    let ai = AlgorithmIdentifier::from_element(el).map_err(|e| e.to_string())?;
    DigestAlgorithm::from_oid(&ai.oid)
        .ok_or_else(|| format!("unsupported hash algorithm {}", ai.oid))
}

impl PssParams {
    /// Parses RSASSA-PSS-params with their DEFAULTs (SHA-1, MGF1-SHA-1, salt 20,
    /// trailer 1; RFC 4055 §3.1).
    pub fn parse(params_der: Option<&[u8]>) -> Result<PssParams, String> {
        let mut p = PssParams {
            hash: DigestAlgorithm::Sha1,
            mgf_hash: DigestAlgorithm::Sha1,
            salt_len: 20,
        };
        let Some(der) = params_der else {
            return Ok(p);
        };
        let e = |x: crate::error::Error| x.to_string();
        let seq = Reader::new(der).read_single().map_err(e)?;
        seq.expect_universal(tag::SEQUENCE, "RSASSA-PSS-params")
            .map_err(e)?;
        let mut r = seq.children().map_err(e)?;
        if let Some(h) = r.read_optional_context(0).map_err(e)? {
            p.hash = hash_alg_from_element(&h.children().map_err(e)?.read_single().map_err(e)?)?;
        }
        if let Some(m) = r.read_optional_context(1).map_err(e)? {
            let mgf = m.children().map_err(e)?.read_single().map_err(e)?;
            let ai = AlgorithmIdentifier::from_element(&mgf).map_err(e)?;
            if ai.oid != oid::MGF1 {
                return Err(format!("unsupported mask generation function {}", ai.oid));
            }
            let params = ai.params_der.ok_or("MGF1 without hash parameter")?;
            let inner = Reader::new(&params).read_single().map_err(e)?;
            p.mgf_hash = hash_alg_from_element(&inner)?;
        }
        if let Some(s) = r.read_optional_context(2).map_err(e)? {
            p.salt_len = s
                .children()
                .map_err(e)?
                .read_single()
                .and_then(|i| {
                    i.expect_universal(tag::INTEGER, "saltLength")?;
                    i.as_u64()
                })
                .map_err(e)?;
        }
        if let Some(t) = r.read_optional_context(3).map_err(e)? {
            let v = t
                .children()
                .and_then(|c| c.read_single())
                .and_then(|i| i.as_u64())
                .map_err(e)?;
            if v != 1 {
                return Err(format!("unsupported PSS trailer field {v}"));
            }
        }
        r.finish("RSASSA-PSS-params").map_err(e)?;
        Ok(p)
    }
}

/// Verifies a signed X.509 structure (certificate, CRL, OCSP response: `tbs` signed with
/// `algorithm`, RFC 5280 §4.1.1.2 / §5.1.1.2, RFC 6960 §4.2.1) with the key of `spki_der`. The
/// digest comes from the algorithm (SHA-256 for algorithms that name none, e.g. Ed25519).
pub fn verify_signed_structure(
    spki_der: &[u8],
    algorithm: &AlgorithmIdentifier,
    tbs: &[u8],
    signature: &[u8],
) -> Result<SignatureScheme, String> {
    let digest = digest_of_signature_algorithm(algorithm).unwrap_or(DigestAlgorithm::Sha256);
    verify_signature(spki_der, algorithm, digest, tbs, signature)
}

/// Digest implied by a signature AlgorithmIdentifier, if it names one.
pub fn digest_of_signature_algorithm(ai: &AlgorithmIdentifier) -> Option<DigestAlgorithm> {
    use DigestAlgorithm::*;
    match ai.oid.as_str() {
        oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1 | oid::ECDSA_PLAIN_SHA1 => Some(Sha1),
        oid::SHA256_WITH_RSA | oid::ECDSA_WITH_SHA256 | oid::ECDSA_PLAIN_SHA256 => Some(Sha256),
        oid::SHA384_WITH_RSA | oid::ECDSA_WITH_SHA384 | oid::ECDSA_PLAIN_SHA384 => Some(Sha384),
        oid::SHA512_WITH_RSA | oid::ECDSA_WITH_SHA512 | oid::ECDSA_PLAIN_SHA512 | oid::ED25519 => {
            Some(Sha512)
        }
        oid::ED448 => Some(Shake256),
        oid::RSASSA_PSS => PssParams::parse(ai.params_der.as_deref())
            .ok()
            .map(|p| p.hash),
        _ => None,
    }
}

/// Maps the signature AlgorithmIdentifier to (scheme, hash).
fn scheme_and_hash(
    ai: &AlgorithmIdentifier,
    digest: DigestAlgorithm,
) -> Result<(SignatureScheme, DigestAlgorithm), String> {
    use DigestAlgorithm::*;
    use SignatureScheme::*;
    Ok(match ai.oid.as_str() {
        // rsaEncryption as a signature algorithm: hash comes from the SignerInfo.
        oid::RSA_ENCRYPTION => (RsaPkcs1v15, digest),
        oid::SHA1_WITH_RSA => (RsaPkcs1v15, Sha1),
        oid::SHA256_WITH_RSA => (RsaPkcs1v15, Sha256),
        oid::SHA384_WITH_RSA => (RsaPkcs1v15, Sha384),
        oid::SHA512_WITH_RSA => (RsaPkcs1v15, Sha512),
        oid::RSASSA_PSS => {
            let p = PssParams::parse(ai.params_der.as_deref())?;
            if p.mgf_hash != p.hash {
                return Err(format!(
                    "unsupported RSASSA-PSS parameters: MGF1 hash {} differs from hash {}",
                    p.mgf_hash.name(),
                    p.hash.name()
                ));
            }
            if p.salt_len != p.hash.output_len() as u64 {
                return Err(format!(
                    "unsupported RSASSA-PSS salt length {} (only {} is supported for {})",
                    p.salt_len,
                    p.hash.output_len(),
                    p.hash.name()
                ));
            }
            (RsaPss, p.hash)
        }
        oid::EC_PUBLIC_KEY => (Ecdsa, digest),
        oid::ECDSA_WITH_SHA1 => (Ecdsa, Sha1),
        oid::ECDSA_WITH_SHA256 => (Ecdsa, Sha256),
        oid::ECDSA_WITH_SHA384 => (Ecdsa, Sha384),
        oid::ECDSA_WITH_SHA512 => (Ecdsa, Sha512),
        oid::ECDSA_PLAIN_SHA1 => (EcdsaPlain, Sha1),
        oid::ECDSA_PLAIN_SHA256 => (EcdsaPlain, Sha256),
        oid::ECDSA_PLAIN_SHA384 => (EcdsaPlain, Sha384),
        oid::ECDSA_PLAIN_SHA512 => (EcdsaPlain, Sha512),
        oid::ED25519 => (Ed25519, Sha512),
        // RFC 8419 §3: with Ed448 the digestAlgorithm MUST be SHAKE256 (512-bit output).
        oid::ED448 if digest == Shake256 => (Ed448, Shake256),
        oid::ED448 => {
            return Err(format!(
            "unsupported combination: Ed448 with {} is not allowed (RFC 8419 §3 requires SHAKE256)",
            digest.name()
        ))
        }
        oid::SHA224_WITH_RSA | oid::ECDSA_WITH_SHA224 | oid::ECDSA_PLAIN_SHA224 => {
            return Err(format!(
                "unsupported signature algorithm {} (SHA-224)",
                ai.oid
            ))
        }
        other => return Err(format!("unsupported signature algorithm {other}")),
    })
}

type Alg = &'static dyn VerificationAlgorithm;

fn rsa_alg(scheme: SignatureScheme, hash: DigestAlgorithm, bits: usize) -> Result<Alg, String> {
    use DigestAlgorithm::*;
    if !(1024..=8192).contains(&bits) {
        return Err(format!("unsupported RSA key size {bits} bits"));
    }
    let legacy = bits < 2048;
    let alg: Alg = match (scheme, hash, legacy) {
        (SignatureScheme::RsaPkcs1v15, Sha1, true) => {
            &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (SignatureScheme::RsaPkcs1v15, Sha1, false) => {
            &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (SignatureScheme::RsaPkcs1v15, Sha256, true) => {
            &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (SignatureScheme::RsaPkcs1v15, Sha512, true) => {
            &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (SignatureScheme::RsaPkcs1v15, Sha256, false) => &sig::RSA_PKCS1_2048_8192_SHA256,
        (SignatureScheme::RsaPkcs1v15, Sha384, false) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (SignatureScheme::RsaPkcs1v15, Sha512, false) => &sig::RSA_PKCS1_2048_8192_SHA512,
        (SignatureScheme::RsaPss, Sha256, false) => &sig::RSA_PSS_2048_8192_SHA256,
        (SignatureScheme::RsaPss, Sha384, false) => &sig::RSA_PSS_2048_8192_SHA384,
        (SignatureScheme::RsaPss, Sha512, false) => &sig::RSA_PSS_2048_8192_SHA512,
        _ => {
            return Err(format!(
                "unsupported combination: {scheme:?} with {} on a {bits}-bit RSA key",
                hash.name()
            ))
        }
    };
    Ok(alg)
}

fn ecdsa_alg(curve: Curve, hash: DigestAlgorithm, fixed: bool) -> Option<Alg> {
    use Curve::*;
    use DigestAlgorithm::*;
    let alg: Alg = match (curve, hash, fixed) {
        (P256, Sha1, false) => &sig::ECDSA_P256_SHA1_ASN1,
        (P256, Sha256, false) => &sig::ECDSA_P256_SHA256_ASN1,
        (P256, Sha384, false) => &sig::ECDSA_P256_SHA384_ASN1,
        (P256, Sha512, false) => &sig::ECDSA_P256_SHA512_ASN1,
        (P384, Sha256, false) => &sig::ECDSA_P384_SHA256_ASN1,
        (P384, Sha384, false) => &sig::ECDSA_P384_SHA384_ASN1,
        (P384, Sha512, false) => &sig::ECDSA_P384_SHA512_ASN1,
        (P521, Sha1, false) => &sig::ECDSA_P521_SHA1_ASN1,
        (P521, Sha256, false) => &sig::ECDSA_P521_SHA256_ASN1,
        (P521, Sha384, false) => &sig::ECDSA_P521_SHA384_ASN1,
        (P521, Sha512, false) => &sig::ECDSA_P521_SHA512_ASN1,
        (P256, Sha256, true) => &sig::ECDSA_P256_SHA256_FIXED,
        (P384, Sha384, true) => &sig::ECDSA_P384_SHA384_FIXED,
        (P521, Sha1, true) => &sig::ECDSA_P521_SHA1_FIXED,
        (P521, Sha256, true) => &sig::ECDSA_P521_SHA256_FIXED,
        (P521, Sha384, true) => &sig::ECDSA_P521_SHA384_FIXED,
        (P521, Sha512, true) => &sig::ECDSA_P521_SHA512_FIXED,
        _ => return None,
    };
    Some(alg)
}

/// Converts a plain r‖s ECDSA value (BSI TR-03111 §5.2.1) to `Ecdsa-Sig-Value` DER.
fn plain_to_der(signature: &[u8], field_len: usize) -> Result<Vec<u8>, String> {
    if signature.len() != 2 * field_len {
        return Err(format!(
            "plain ECDSA signature has {} bytes, expected {}",
            signature.len(),
            2 * field_len
        ));
    }
    let (r, s) = signature.split_at(field_len);
    use crate::asn1::writer;
    Ok(writer::sequence(&[
        &writer::integer_unsigned(r),
        &writer::integer_unsigned(s),
    ]))
}

/// Ed448 (RFC 8032 §5.2.7, empty context as RFC 8419 §3 uses) over `message`.
fn verify_ed448(key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), String> {
    use ed448_goldilocks::{Signature, VerifyingKey};
    let key: &[u8; 57] = key
        .try_into()
        .map_err(|_| format!("Ed448 public key has {} bytes, expected 57", key.len()))?;
    let key = VerifyingKey::from_bytes(key).map_err(|_| "invalid Ed448 public key")?;
    let sig = Signature::from_slice(signature).map_err(|_| {
        format!(
            "Ed448 signature has {} bytes, expected 114",
            signature.len()
        )
    })?;
    key.verify_raw(&sig, message)
        .map_err(|_| "Ed448 signature with SHAKE256 does not verify".into())
}

/// ECDSA on a brainpool curve: `$curve` is the RustCrypto curve type. The message
/// digest is truncated to the order's bit length (FIPS 186-4 §6.4 / BSI TR-03111 §4.2.1.1).
macro_rules! brainpool_verify {
    ($curve:ty, $key:expr, $prehash:expr, $signature:expr, $plain:expr) => {{
        let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes($key)
            .map_err(|_| "invalid brainpool public key point".to_string())?;
        let sig = if $plain {
            ecdsa::Signature::<$curve>::from_slice($signature)
        } else {
            ecdsa::Signature::<$curve>::from_der($signature)
        }
        .map_err(|_| "malformed ECDSA signature value".to_string())?;
        key.verify_prehash($prehash, &sig).is_ok()
    }};
}

fn verify_brainpool(
    curve: Curve,
    scheme: SignatureScheme,
    hash: DigestAlgorithm,
    key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    use DigestAlgorithm::*;
    if !matches!(hash, Sha1 | Sha256 | Sha384 | Sha512) {
        return Err(format!(
            "unsupported: ECDSA on {curve:?} with {}",
            hash.name()
        ));
    }
    let plain = scheme == SignatureScheme::EcdsaPlain;
    if plain && signature.len() != 2 * curve.field_len() {
        return Err(format!(
            "plain ECDSA signature has {} bytes, expected {}",
            signature.len(),
            2 * curve.field_len()
        ));
    }
    let prehash = super::digest(hash, message);
    let ok = match curve {
        Curve::BrainpoolP256r1 => {
            brainpool_verify!(bp256::BrainpoolP256r1, key, &prehash, signature, plain)
        }
        Curve::BrainpoolP384r1 => {
            brainpool_verify!(bp384::BrainpoolP384r1, key, &prehash, signature, plain)
        }
        other => return Err(format!("unsupported: ECDSA on {other:?} without aws-lc-rs")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{scheme:?} signature with {} does not verify",
            hash.name()
        ))
    }
}

/// Verifies `signature` over `message` with the key in `spki_der` (a whole
/// SubjectPublicKeyInfo, RFC 5280 §4.1.2.7). `digest` is the SignerInfo digest
/// algorithm, used when the signature algorithm does not name a hash
/// (`rsaEncryption`, RFC 5652 §10.1.2 / RFC 3370 §3.2). SHA-1 and 1024-bit RSA
/// verify; the caller judges the policy. Returns the scheme used or a reason.
///
/// # Errors
///
/// An English reason when the signature does not verify, when the key and the algorithm do
/// not go together (an RSA scheme with an EC key...), or when the algorithm, curve or
/// parameters are not supported.
///
/// # Examples
///
/// The test intermediate CA certificate is signed by the test root:
///
/// ```
/// use kyso::crypto::{verify::digest_of_signature_algorithm, verify_signature, DigestAlgorithm};
/// use kyso::pki::Certificate;
///
/// let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki");
/// let read = |name: &str| std::fs::read(format!("{pki}/{name}"));
/// let root = &Certificate::parse_pem_or_der(&read("root.pem")?)?[0];
/// let ca = &Certificate::parse_pem_or_der(&read("intermediate.pem")?)?[0];
///
/// let alg = &ca.signature_algorithm;
/// let digest = digest_of_signature_algorithm(alg).unwrap_or(DigestAlgorithm::Sha256);
/// assert!(verify_signature(&root.spki_der, alg, digest, &ca.tbs_der, &ca.signature).is_ok());
///
/// // One changed byte in the signed part and it no longer verifies.
/// let mut tbs = ca.tbs_der.clone();
/// let last = tbs.len() - 1;
/// tbs[last] ^= 1;
/// assert!(verify_signature(&root.spki_der, alg, digest, &tbs, &ca.signature).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_signature(
    spki_der: &[u8],
    signature_algorithm: &AlgorithmIdentifier,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureScheme, String> {
    let (scheme, hash) = scheme_and_hash(signature_algorithm, digest)?;
    let spki = parse_spki(spki_der).map_err(|e| format!("public key: {e}"))?;
    match (&spki.kind, scheme) {
        (
            PublicKeyKind::Ec {
                curve: curve @ (Curve::BrainpoolP256r1 | Curve::BrainpoolP384r1),
            },
            SignatureScheme::Ecdsa | SignatureScheme::EcdsaPlain,
        ) => {
            verify_brainpool(*curve, scheme, hash, &spki.key_bytes, message, signature)?;
            return Ok(scheme);
        }
        (PublicKeyKind::Ed448, SignatureScheme::Ed448) => {
            verify_ed448(&spki.key_bytes, message, signature)?;
            return Ok(scheme);
        }
        _ => {}
    }
    let mut sig_bytes: std::borrow::Cow<'_, [u8]> = signature.into();
    let alg: Alg = match (&spki.kind, scheme) {
        (PublicKeyKind::Rsa { bits }, SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss) => {
            rsa_alg(scheme, hash, *bits)?
        }
        (PublicKeyKind::Ec { curve }, SignatureScheme::Ecdsa) => ecdsa_alg(*curve, hash, false)
            .ok_or_else(|| format!("unsupported: ECDSA on {curve:?} with {}", hash.name()))?,
        (PublicKeyKind::Ec { curve }, SignatureScheme::EcdsaPlain) => {
            match ecdsa_alg(*curve, hash, true) {
                Some(a) => a,
                None => {
                    sig_bytes = plain_to_der(signature, curve.field_len())?.into();
                    ecdsa_alg(*curve, hash, false).ok_or_else(|| {
                        format!("unsupported: ECDSA on {curve:?} with {}", hash.name())
                    })?
                }
            }
        }
        (PublicKeyKind::Ed25519, SignatureScheme::Ed25519) => &sig::ED25519,
        (PublicKeyKind::Other(oid), _) => {
            return Err(format!("unsupported public key algorithm or curve {oid}"))
        }
        (kind, _) => {
            return Err(format!(
                "signature algorithm {} does not match the {kind:?} public key",
                signature_algorithm.oid
            ))
        }
    };
    sig::UnparsedPublicKey::new(alg, &spki.key_bytes)
        .verify(message, &sig_bytes)
        .map_err(|_| format!("{scheme:?} signature with {} does not verify", hash.name()))?;
    Ok(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{standard_chain, Key, Pki};
    use aws_lc_rs::rand::SystemRandom;

    fn ai(o: &str) -> AlgorithmIdentifier {
        AlgorithmIdentifier::new_no_params(o).unwrap()
    }

    #[test]
    fn plain_ecdsa_rsa_encryption_and_unsupported() {
        let pki = Pki::new();
        let (_, int, leaf) = standard_chain(&pki, Key::P256);
        let p8 = pki.pkcs8(&leaf.key);
        let rng = SystemRandom::new();
        let msg = b"plain ECDSA message";
        let kp = sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &p8).unwrap();
        let s = kp.sign(&rng, msg).unwrap();
        let spki = &leaf.cert.spki_der;
        let d = DigestAlgorithm::Sha256;
        let alg = ai(oid::ECDSA_PLAIN_SHA256);
        assert_eq!(
            verify_signature(spki, &alg, d, msg, s.as_ref()),
            Ok(SignatureScheme::EcdsaPlain)
        );
        assert!(verify_signature(spki, &alg, d, b"other", s.as_ref()).is_err());
        assert!(verify_signature(spki, &alg, d, msg, &s.as_ref()[1..]).is_err());
        // Wrong key type for the algorithm.
        let r = verify_signature(
            &int.cert.spki_der,
            &ai(oid::SHA256_WITH_RSA),
            d,
            msg,
            s.as_ref(),
        );
        assert!(r.unwrap_err().contains("does not match"));
        // P-384 key, plain with SHA-512: no FIXED algorithm, converted to DER.
        let p8 = pki.pkcs8(&pki.path("int.key"));
        let kp = sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, &p8).unwrap();
        let s = kp.sign(&rng, msg).unwrap();
        let alg = ai(oid::ECDSA_PLAIN_SHA384);
        assert_eq!(
            verify_signature(&int.cert.spki_der, &alg, d, msg, s.as_ref()),
            Ok(SignatureScheme::EcdsaPlain)
        );
        // id-ecPublicKey used as a signature algorithm takes the SignerInfo digest.
        let kp = sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_ASN1_SIGNING, &p8).unwrap();
        let s = kp.sign(&rng, msg).unwrap();
        let alg = ai(oid::EC_PUBLIC_KEY);
        assert_eq!(
            verify_signature(
                &int.cert.spki_der,
                &alg,
                DigestAlgorithm::Sha384,
                msg,
                s.as_ref()
            ),
            Ok(SignatureScheme::Ecdsa)
        );
        let r = verify_signature(spki, &ai(oid::ED448), d, msg, s.as_ref());
        assert_eq!(
            r.unwrap_err(),
            "unsupported combination: Ed448 with SHA-256 is not allowed (RFC 8419 §3 requires SHAKE256)"
        );
        assert!(verify_signature(b"\x30\x00", &ai(oid::ED25519), d, msg, b"").is_err());
    }

    #[test]
    fn rsa_encryption_as_signature_algorithm_and_sha1() {
        let pki = Pki::new();
        let leaf = pki.root("r", Key::Rsa2048, "/CN=R");
        let kp = sig::RsaKeyPair::from_pkcs8(&pki.pkcs8(&leaf.key)).unwrap();
        let rng = SystemRandom::new();
        let msg = b"legacy";
        let mut s = vec![0; kp.public_modulus_len()];
        kp.sign(&sig::RSA_PKCS1_SHA512, &rng, msg, &mut s).unwrap();
        let spki = &leaf.cert.spki_der;
        let alg = ai(oid::RSA_ENCRYPTION);
        assert_eq!(
            verify_signature(spki, &alg, DigestAlgorithm::Sha512, msg, &s),
            Ok(SignatureScheme::RsaPkcs1v15)
        );
        assert!(verify_signature(spki, &alg, DigestAlgorithm::Sha256, msg, &s).is_err());
        // PSS parameters with a SHA-1 default are reported, not verified.
        let pss = AlgorithmIdentifier::with_params(oid::RSASSA_PSS, &[0x30, 0x00]).unwrap();
        let r = verify_signature(spki, &pss, DigestAlgorithm::Sha256, msg, &s);
        assert!(r.unwrap_err().contains("unsupported"));
        assert_eq!(
            PssParams::parse(Some(&[0x30, 0x00])).unwrap(),
            PssParams {
                hash: DigestAlgorithm::Sha1,
                mgf_hash: DigestAlgorithm::Sha1,
                salt_len: 20
            }
        );
        assert!(PssParams::parse(Some(&[0x30, 0x03, 0xA2, 0x01, 0x00])).is_err());
    }

    fn unhex(h: &str) -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    /// SubjectPublicKeyInfo for a raw Ed448 key (RFC 8410 §4).
    fn ed448_spki(key: &[u8]) -> Vec<u8> {
        let mut der = unhex("3043300506032b6571033a00");
        der.extend_from_slice(key);
        der
    }

    #[test]
    fn ed448_rfc8032_vectors() {
        // RFC 8032 §7.4: "Blank" and "1 octet" (empty context).
        let vectors = [
            (
                "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778\
                 edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
                "",
                "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f\
                 2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a\
                 9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db\
                 b61149f05a7363268c71d95808ff2e652600",
            ),
            (
                "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c086\
                 6aea01eb00742802b8438ea4cb82169c235160627b4c3a9480",
                "03",
                "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f435\
                 2541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cb\
                 cee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0f\
                 f3348ab21aa4adafd1d234441cf807c03a00",
            ),
        ];
        let alg = ai(oid::ED448);
        let shake = DigestAlgorithm::Shake256;
        for (key, msg, sig) in vectors {
            let (spki, msg, mut sig) = (ed448_spki(&unhex(key)), unhex(msg), unhex(sig));
            assert_eq!(
                parse_spki(&spki).unwrap().kind,
                PublicKeyKind::Ed448,
                "SPKI kind"
            );
            assert_eq!(
                verify_signature(&spki, &alg, shake, &msg, &sig),
                Ok(SignatureScheme::Ed448)
            );
            assert!(verify_signature(&spki, &alg, shake, b"other", &sig).is_err());
            // RFC 8419 §3: Ed448 only with SHAKE256, even when the signature verifies.
            let r = verify_signature(&spki, &alg, DigestAlgorithm::Sha512, &msg, &sig);
            assert!(r.unwrap_err().contains("not allowed"));
            // Wrong algorithm for the key, truncated and altered signatures.
            let r = verify_signature(&spki, &ai(oid::ED25519), shake, &msg, &sig);
            assert!(r.unwrap_err().contains("does not match"));
            let r = verify_signature(&spki, &alg, shake, &msg, &sig[..113]);
            assert!(r.unwrap_err().contains("114"));
            sig[10] ^= 1;
            assert!(verify_signature(&spki, &alg, shake, &msg, &sig).is_err());
        }
        assert_eq!(digest_of_signature_algorithm(&alg), Some(shake));
        // A point that is not on the curve.
        let bad = ed448_spki(&[0xff; 57]);
        assert!(verify_signature(&bad, &alg, shake, b"", &[0; 114]).is_err());
    }

    #[test]
    fn ed448_openssl_signature() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| crate::pki::testutil::openssl(dir.path(), args);
        std::fs::write(dir.path().join("msg"), b"signed attributes stand-in").unwrap();
        run(&["genpkey", "-algorithm", "ed448", "-out", "k.pem"]);
        run(&[
            "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ]);
        run(&[
            "pkeyutl", "-sign", "-rawin", "-inkey", "k.pem", "-in", "msg", "-out", "sig",
        ]);
        let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
        assert_eq!(
            verify_signature(
                &read("pub.der"),
                &ai(oid::ED448),
                DigestAlgorithm::Shake256,
                &read("msg"),
                &read("sig")
            ),
            Ok(SignatureScheme::Ed448)
        );
    }

    /// DER `Ecdsa-Sig-Value` to plain r‖s with `n`-byte halves.
    fn der_to_plain(der: &[u8], n: usize) -> Vec<u8> {
        let seq = Reader::new(der).read_single().unwrap();
        let mut r = seq.children().unwrap();
        let mut out = Vec::new();
        for _ in 0..2 {
            let i = r.read().unwrap();
            let mag = i.as_integer().unwrap();
            let mag = &mag[mag.iter().take_while(|&&b| b == 0).count()..];
            out.extend(std::iter::repeat_n(0, n - mag.len()));
            out.extend_from_slice(mag);
        }
        out
    }

    #[test]
    fn brainpool_ecdsa_against_openssl() {
        use DigestAlgorithm::*;
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| crate::pki::testutil::openssl(dir.path(), args);
        let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
        let msg = b"brainpool message";
        std::fs::write(dir.path().join("msg"), msg).unwrap();
        let cases = [
            ("brainpoolP256r1", Curve::BrainpoolP256r1, Sha256, "-sha256"),
            ("brainpoolP256r1", Curve::BrainpoolP256r1, Sha512, "-sha512"),
            ("brainpoolP384r1", Curve::BrainpoolP384r1, Sha384, "-sha384"),
            ("brainpoolP384r1", Curve::BrainpoolP384r1, Sha256, "-sha256"),
        ];
        for (name, curve, hash, dgst) in cases {
            run(&[
                "ecparam", "-name", name, "-genkey", "-noout", "-out", "k.pem",
            ]);
            run(&[
                "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
            ]);
            run(&["dgst", dgst, "-sign", "k.pem", "-out", "sig.der", "msg"]);
            let (spki, der) = (read("pub.der"), read("sig.der"));
            assert_eq!(parse_spki(&spki).unwrap().kind, PublicKeyKind::Ec { curve });
            let (asn1_oid, plain_oid) = match hash {
                Sha256 => (oid::ECDSA_WITH_SHA256, oid::ECDSA_PLAIN_SHA256),
                Sha384 => (oid::ECDSA_WITH_SHA384, oid::ECDSA_PLAIN_SHA384),
                _ => (oid::ECDSA_WITH_SHA512, oid::ECDSA_PLAIN_SHA512),
            };
            let ctx = format!("{name} {dgst}");
            assert_eq!(
                verify_signature(&spki, &ai(asn1_oid), Sha1, msg, &der),
                Ok(SignatureScheme::Ecdsa),
                "{ctx}"
            );
            // id-ecPublicKey as the signature algorithm takes the SignerInfo digest.
            assert_eq!(
                verify_signature(&spki, &ai(oid::EC_PUBLIC_KEY), hash, msg, &der),
                Ok(SignatureScheme::Ecdsa),
                "{ctx}"
            );
            let plain = der_to_plain(&der, curve.field_len());
            assert_eq!(
                verify_signature(&spki, &ai(plain_oid), Sha1, msg, &plain),
                Ok(SignatureScheme::EcdsaPlain),
                "{ctx}"
            );
            // Altered message, DER where plain is expected, wrong length, wrong hash.
            assert!(verify_signature(&spki, &ai(plain_oid), Sha1, b"other", &plain).is_err());
            assert!(verify_signature(&spki, &ai(plain_oid), Sha1, msg, &der).is_err());
            let r = verify_signature(&spki, &ai(plain_oid), Sha1, msg, &plain[1..]);
            assert!(
                r.unwrap_err().contains("plain ECDSA signature has"),
                "{ctx}"
            );
            assert!(verify_signature(&spki, &ai(asn1_oid), Sha1, msg, &plain).is_err());
            let r = verify_signature(&spki, &ai(oid::EC_PUBLIC_KEY), Shake256, msg, &der);
            assert!(r.unwrap_err().contains("unsupported"), "{ctx}");
            let mut bad = plain.clone();
            bad[3] ^= 1;
            assert!(verify_signature(&spki, &ai(plain_oid), Sha1, msg, &bad).is_err());
        }
        // brainpoolP512r1 keys are recognised as unsupported, not mistaken for another curve.
        run(&[
            "ecparam",
            "-name",
            "brainpoolP512r1",
            "-genkey",
            "-noout",
            "-out",
            "k.pem",
        ]);
        run(&[
            "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ]);
        let r = verify_signature(
            &read("pub.der"),
            &ai(oid::ECDSA_PLAIN_SHA512),
            Sha512,
            msg,
            &[1; 128],
        );
        assert_eq!(
            r.unwrap_err(),
            "unsupported public key algorithm or curve 1.3.36.3.3.2.8.1.1.13"
        );
    }
}
