//! A private key held in memory, used through aws-lc-rs (constant-time RSA and ECDSA; the pure-Rust
//! `rsa` crate is avoided because of RUSTSEC-2023-0071).

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _, RsaEncoding};

use super::signer::KeyKind;
use crate::asn1::reader::tag;
use crate::asn1::{oid, Element, Reader};
use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};

/// The private key algorithm of a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`
/// (RFC 5208 §5, RFC 5958 §2): the dotted OID and the parameters element, if any.
fn pkcs8_algorithm(pkcs8: &[u8]) -> Result<(String, Option<Element<'_>>)> {
    let info = Reader::new(pkcs8).read()?;
    info.expect_universal(tag::SEQUENCE, "PrivateKeyInfo")?;
    let mut r = info.children()?;
    r.read_universal(tag::INTEGER, "version")?;
    let mut alg = r
        .read_universal(tag::SEQUENCE, "privateKeyAlgorithm")?
        .children()?;
    let algorithm = alg.read_universal(tag::OID, "algorithm")?.as_oid()?;
    let params = if alg.is_empty() {
        None
    } else {
        Some(alg.read()?)
    };
    Ok((algorithm, params))
}

enum Inner {
    Rsa(RsaKeyPair),
    Ec { kind: KeyKind, pair: EcdsaKeyPair },
}

/// A private key in memory (RSA, EC P-256 or EC P-384). Its `Debug` output shows no key material.
pub struct SoftwareKey {
    inner: Inner,
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// Parses an unencrypted PKCS#8 `PrivateKeyInfo` (RFC 5208 §5) or `OneAsymmetricKey`
    /// (RFC 5958 §2) holding an RSA key (2048–8192 bits) or an EC key on P-256 or P-384 (RFC 5915).
    pub fn from_pkcs8_der(pkcs8: &[u8]) -> Result<Self> {
        let (algorithm, params) = pkcs8_algorithm(pkcs8)
            .map_err(|e| Error::Key(format!("not a PKCS#8 private key ({e})")))?;
        if algorithm == oid::RSA_ENCRYPTION {
            let pair = RsaKeyPair::from_pkcs8(pkcs8)
                .map_err(|e| Error::Key(format!("RSA private key rejected: {e}")))?;
            return Ok(Self {
                inner: Inner::Rsa(pair),
            });
        }
        if algorithm == oid::EC_PUBLIC_KEY {
            let curve = match params {
                Some(p) if p.is_universal(tag::OID) => p.as_oid().unwrap_or_default(),
                _ => {
                    return Err(Error::UnsupportedAlgorithm(
                        "EC key without a named curve".to_owned(),
                    ))
                }
            };
            let (kind, alg): (KeyKind, &'static EcdsaSigningAlgorithm) = if curve == oid::SECP256R1
            {
                (KeyKind::EcP256, &signature::ECDSA_P256_SHA256_ASN1_SIGNING)
            } else if curve == oid::SECP384R1 {
                (KeyKind::EcP384, &signature::ECDSA_P384_SHA384_ASN1_SIGNING)
            } else {
                return Err(Error::UnsupportedAlgorithm(
                    "EC key on a curve other than P-256 or P-384".to_owned(),
                ));
            };
            let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8)
                .map_err(|e| Error::Key(format!("EC private key rejected: {e}")))?;
            return Ok(Self {
                inner: Inner::Ec { kind, pair },
            });
        }
        let what = if algorithm == oid::RSASSA_PSS {
            "RSASSA-PSS-restricted key (id-RSASSA-PSS)"
        } else if algorithm == oid::ED25519 {
            "Ed25519 key"
        } else {
            "private key of an unknown type"
        };
        Err(Error::UnsupportedAlgorithm(format!(
            "{what} cannot be used for signing"
        )))
    }

    /// The key's type and size.
    pub fn kind(&self) -> KeyKind {
        match &self.inner {
            Inner::Rsa(pair) => KeyKind::Rsa {
                bits: pair.public_modulus_len() * 8,
            },
            Inner::Ec { kind, .. } => *kind,
        }
    }

    /// The public key as it appears in a certificate's `subjectPublicKey` BIT STRING:
    /// DER `RSAPublicKey` (RFC 8017 §A.1.1) or an uncompressed EC point (SEC 1 §2.3.3, RFC 5480 §2.2).
    pub fn public_key_bytes(&self) -> &[u8] {
        match &self.inner {
            Inner::Rsa(pair) => pair.public_key().as_ref(),
            Inner::Ec { pair, .. } => pair.public_key().as_ref(),
        }
    }

    /// Signs `message` (hashed here with `digest`) and returns the signature value:
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), RSASSA-PSS with MGF1 of the same hash and a salt as long
    /// as the hash (RFC 8017 §8.1, RFC 4055 §3.1), or ECDSA as DER `Ecdsa-Sig-Value` (RFC 5480 §2.2,
    /// FIPS 186-4). ECDSA is offered with the curve's own hash only: SHA-256 on P-256,
    /// SHA-384 on P-384 (what aws-lc-rs can sign with).
    pub fn sign(
        &self,
        message: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        let kind = self.kind();
        kind.check(digest, scheme)?;
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Rsa(pair) => {
                let encoding: &'static dyn RsaEncoding = match (scheme, digest) {
                    (SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256) => {
                        &signature::RSA_PKCS1_SHA256
                    }
                    (SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha384) => {
                        &signature::RSA_PKCS1_SHA384
                    }
                    (SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha512) => {
                        &signature::RSA_PKCS1_SHA512
                    }
                    (SignatureScheme::RsaPss, DigestAlgorithm::Sha256) => {
                        &signature::RSA_PSS_SHA256
                    }
                    (SignatureScheme::RsaPss, DigestAlgorithm::Sha384) => {
                        &signature::RSA_PSS_SHA384
                    }
                    (SignatureScheme::RsaPss, DigestAlgorithm::Sha512) => {
                        &signature::RSA_PSS_SHA512
                    }
                    _ => {
                        return Err(Error::UnsupportedAlgorithm(format!(
                            "{scheme:?} with {}",
                            digest.name()
                        )))
                    }
                };
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(encoding, &rng, message, &mut sig)
                    .map_err(|_| Error::Crypto("RSA signing failed".to_owned()))?;
                Ok(sig)
            }
            Inner::Ec { kind, pair } => {
                let natural = kind.default_digest();
                if digest != natural {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "ECDSA with {} on an {} key (use {})",
                        digest.name(),
                        kind.name(),
                        natural.name()
                    )));
                }
                let sig = pair
                    .sign(&rng, message)
                    .map_err(|_| Error::Crypto("ECDSA signing failed".to_owned()))?;
                Ok(sig.as_ref().to_vec())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::UnparsedPublicKey;

    #[test]
    fn generated_keys_sign_and_verify() {
        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("generate");
        let pkcs8 = rsa.as_der().expect("pkcs8");
        let key = SoftwareKey::from_pkcs8_der(pkcs8.as_ref()).expect("load RSA");
        assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 });
        let msg = b"signed attributes";
        for (scheme, digest, alg) in [
            (
                SignatureScheme::RsaPkcs1v15,
                DigestAlgorithm::Sha256,
                &signature::RSA_PKCS1_2048_8192_SHA256,
            ),
            (
                SignatureScheme::RsaPkcs1v15,
                DigestAlgorithm::Sha512,
                &signature::RSA_PKCS1_2048_8192_SHA512,
            ),
            (
                SignatureScheme::RsaPss,
                DigestAlgorithm::Sha384,
                &signature::RSA_PSS_2048_8192_SHA384,
            ),
        ] {
            let sig = key.sign(msg, digest, scheme).expect("sign");
            UnparsedPublicKey::new(alg, key.public_key_bytes())
                .verify(msg, &sig)
                .expect("verify");
        }

        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, &rng)
            .expect("generate");
        let key = SoftwareKey::from_pkcs8_der(doc.as_ref()).expect("load EC");
        assert_eq!(key.kind(), KeyKind::EcP384);
        assert_eq!(key.public_key_bytes().len(), 97);
        let sig = key
            .sign(msg, DigestAlgorithm::Sha384, SignatureScheme::Ecdsa)
            .expect("sign");
        UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_ASN1, key.public_key_bytes())
            .verify(msg, &sig)
            .expect("verify");
        assert!(matches!(
            key.sign(msg, DigestAlgorithm::Sha256, SignatureScheme::Ecdsa),
            Err(Error::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            key.sign(msg, DigestAlgorithm::Sha384, SignatureScheme::RsaPss),
            Err(Error::InvalidArgument(_))
        ));
        assert!(!format!("{key:?}").contains("0x"));
    }

    #[test]
    fn garbage_is_an_error() {
        for input in [&[][..], &[0x30, 0x00], b"not a key at all"] {
            assert!(SoftwareKey::from_pkcs8_der(input).is_err());
        }
    }
}
