//! Building CMS SignedData for PAdES (RFC 5652 §5, ETSI EN 319 122-1 baseline):
//! first the signed attributes, then (after an external signature) the SignedData.

use super::attributes::Attribute;
use crate::asn1::{oid, writer as w, Reader};
use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::Certificate;

/// DER `SET OF Attribute` (tag 0x31) with content-type id-data, message-digest and
/// ESS signing-certificate-v2 (RFC 5035 §3), sorted per X.690 §11.6. No
/// signing-time (PAdES baseline, ETSI EN 319 142-1 §6.3). This is exactly what the
/// signature covers (RFC 5652 §5.4).
pub fn signed_attributes(
    signer: &Certificate,
    digest: DigestAlgorithm,
    content_digest: &[u8],
) -> Vec<u8> {
    let attr =
        |o: &'static str, value: &[u8]| w::sequence(&[&w::oid_const(o), &w::set_of(&[value])]);
    let content_type = attr(oid::CONTENT_TYPE, &w::oid_const(oid::DATA));
    let message_digest = attr(oid::MESSAGE_DIGEST, &w::octet_string(content_digest));
    // ESSCertIDv2 (RFC 5035 §4): hashAlgorithm omitted when it is the DEFAULT SHA-256.
    let cert_hash = crate::crypto::digest(digest, &signer.der);
    let issuer_serial = w::sequence(&[
        &w::sequence(&[&w::explicit(4, &signer.issuer.der)]),
        &w::integer_raw(&signer.serial),
    ]);
    let mut id_parts: Vec<Vec<u8>> = Vec::new();
    if digest != DigestAlgorithm::Sha256 {
        id_parts.push(digest.algorithm_identifier_der());
    }
    id_parts.push(w::octet_string(&cert_hash));
    id_parts.push(issuer_serial);
    let id_refs: Vec<&[u8]> = id_parts.iter().map(Vec::as_slice).collect();
    let ess_cert_id = w::sequence(&id_refs);
    let signing_cert_v2 = w::sequence(&[&w::sequence(&[&ess_cert_id])]);
    let ess = attr(oid::SIGNING_CERTIFICATE_V2, &signing_cert_v2);
    w::set_of(&[&content_type, &message_digest, &ess])
}

/// The signatureAlgorithm AlgorithmIdentifier DER for a scheme and digest.
pub fn signature_algorithm_der(
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
) -> Result<Vec<u8>> {
    use DigestAlgorithm::*;
    use SignatureScheme::*;
    let unsupported = || {
        Err(Error::UnsupportedAlgorithm(format!(
            "{scheme:?} with {} for signing",
            digest.name()
        )))
    };
    Ok(match scheme {
        // RFC 4055 §5: sha*WithRSAEncryption with NULL parameters.
        RsaPkcs1v15 => {
            let o = match digest {
                Sha1 => oid::SHA1_WITH_RSA,
                Sha256 => oid::SHA256_WITH_RSA,
                Sha384 => oid::SHA384_WITH_RSA,
                Sha512 => oid::SHA512_WITH_RSA,
                Shake256 => return unsupported(),
            };
            w::sequence(&[&w::oid_const(o), &w::null()])
        }
        // RFC 4055 §3.1: RSASSA-PSS-params with MGF1 over the same hash, salt = hash length.
        RsaPss => {
            if digest == Sha1 {
                return unsupported();
            }
            let hash = digest.algorithm_identifier_der();
            let mgf = w::sequence(&[&w::oid_const(oid::MGF1), &hash]);
            let params = w::sequence(&[
                &w::explicit(0, &hash),
                &w::explicit(1, &mgf),
                &w::explicit(2, &w::integer_u64(digest.output_len() as u64)),
            ]);
            w::sequence(&[&w::oid_const(oid::RSASSA_PSS), &params])
        }
        // RFC 5758 §3.2: parameters absent.
        Ecdsa => {
            let o = match digest {
                Sha1 => oid::ECDSA_WITH_SHA1,
                Sha256 => oid::ECDSA_WITH_SHA256,
                Sha384 => oid::ECDSA_WITH_SHA384,
                Sha512 => oid::ECDSA_WITH_SHA512,
                Shake256 => return unsupported(),
            };
            w::sequence(&[&w::oid_const(o)])
        }
        EcdsaPlain => {
            let o = match digest {
                Sha1 => oid::ECDSA_PLAIN_SHA1,
                Sha256 => oid::ECDSA_PLAIN_SHA256,
                Sha384 => oid::ECDSA_PLAIN_SHA384,
                Sha512 => oid::ECDSA_PLAIN_SHA512,
                Shake256 => return unsupported(),
            };
            w::sequence(&[&w::oid_const(o)])
        }
        // RFC 8419 §2.3: Ed25519 with SHA-512 as the digest algorithm.
        Ed25519 => {
            if digest != Sha512 {
                return unsupported();
            }
            w::sequence(&[&w::oid_const(oid::ED25519)])
        }
        Ed448 => return unsupported(),
    })
}

/// Builds a DER ContentInfo with SignedData (RFC 5652 §5.1): version 1, one
/// digest algorithm, detached id-data content, certificates (signer + chain,
/// no duplicates), one SignerInfo v1 with issuerAndSerialNumber, the given signed
/// attributes (`[0] IMPLICIT`), signature and optional unsigned attributes (`[1]`).
pub fn signed_data(
    signer: &Certificate,
    chain: &[Certificate],
    digest: DigestAlgorithm,
    scheme: SignatureScheme,
    signed_attrs_der: &[u8],
    signature: &[u8],
    unsigned_attrs: &[Attribute],
) -> Result<Vec<u8>> {
    let sa = Reader::new(signed_attrs_der).read_single()?;
    if !sa.is_universal(crate::asn1::reader::tag::SET) || sa.indefinite {
        return Err(Error::InvalidArgument(
            "signed attributes must be a DER SET (tag 0x31)".into(),
        ));
    }
    // An empty value is allowed: deferred signing writes the SignedData first and the value
    // when the signer returns it (sign::deferred).
    let digest_alg = digest.algorithm_identifier_der();

    let mut certs: Vec<&[u8]> = vec![&signer.der];
    for c in chain {
        if !certs.contains(&c.der.as_slice()) {
            certs.push(&c.der);
        }
    }
    certs.sort();
    let certificates = w::context(0, true, &certs.concat());

    let sid = w::sequence(&[&signer.issuer.der, &w::integer_raw(&signer.serial)]);
    let signed_attrs = w::retag(signed_attrs_der, 0xA0)?;
    let sig_alg = signature_algorithm_der(scheme, digest)?;
    let mut si_parts: Vec<Vec<u8>> = vec![
        w::integer_u64(1),
        sid,
        digest_alg.clone(),
        signed_attrs,
        sig_alg,
        w::octet_string(signature),
    ];
    if !unsigned_attrs.is_empty() {
        let encoded: Vec<Vec<u8>> = unsigned_attrs
            .iter()
            .map(Attribute::to_der)
            .collect::<Result<_>>()?;
        let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        let mut sorted = refs.clone();
        sorted.sort();
        si_parts.push(w::context(1, true, &sorted.concat()));
    }
    let si_refs: Vec<&[u8]> = si_parts.iter().map(Vec::as_slice).collect();
    let signer_info = w::sequence(&si_refs);

    let signed_data = w::sequence(&[
        &w::integer_u64(1),
        &w::set_of(&[&digest_alg]),
        &w::sequence(&[&w::oid_const(oid::DATA)]),
        &certificates,
        &w::set_of(&[&signer_info]),
    ]);
    Ok(w::sequence(&[
        &w::oid_const(oid::SIGNED_DATA),
        &w::explicit(0, &signed_data),
    ]))
}
