//! Signature verification for certificates and CMS SignerInfos through aws-lc-rs:
//! RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017, RFC 4055), ECDSA (RFC 5758 §3.2,
//! BSI TR-03111 plain r‖s) and Ed25519 (RFC 8410, RFC 8419).

use aws_lc_rs::signature::{self as sig, VerificationAlgorithm};

use super::{DigestAlgorithm, SignatureScheme};
use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Reader};
use crate::pki::certificate::{parse_spki, Curve, PublicKeyKind};

/// Decoded `RSASSA-PSS-params` (RFC 4055 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PssParams {
    pub hash: DigestAlgorithm,
    pub mgf_hash: DigestAlgorithm,
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
        oid::ED448 => {
            return Err(format!(
                "unsupported signature algorithm {} (Ed448)",
                ai.oid
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

/// Verifies `signature` over `message` with the key in `spki_der` (a whole
/// SubjectPublicKeyInfo, RFC 5280 §4.1.2.7). `digest` is the SignerInfo digest
/// algorithm, used when the signature algorithm does not name a hash
/// (`rsaEncryption`, RFC 5652 §10.1.2 / RFC 3370 §3.2). SHA-1 and 1024-bit RSA
/// verify; the caller judges the policy. Returns the scheme used or a reason.
pub fn verify_signature(
    spki_der: &[u8],
    signature_algorithm: &AlgorithmIdentifier,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureScheme, String> {
    let (scheme, hash) = scheme_and_hash(signature_algorithm, digest)?;
    let spki = parse_spki(spki_der).map_err(|e| format!("public key: {e}"))?;
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
        (PublicKeyKind::Ed448, _) => return Err("unsupported public key algorithm Ed448".into()),
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
            "unsupported signature algorithm 1.3.101.113 (Ed448)"
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
}
