//! The [`Signer`] abstraction: whatever turns the DER of CMS signed attributes
//! (RFC 5652 §5.4) into a signature value.

use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};

/// Something that can produce a signature value: a software key, later a PKCS#11 token or a remote service.
pub trait Signer: Send + Sync {
    /// DER of the signer's certificate.
    fn certificate_der(&self) -> &[u8];
    /// DER of the other certificates of the chain (issuer first, root last), may be empty.
    fn chain_der(&self) -> &[Vec<u8>];
    /// Key type (for choosing the scheme and reporting).
    fn key_kind(&self) -> KeyKind;
    /// Signs `message` (the DER of the CMS signed attributes) and returns the raw signature value:
    /// PKCS#1 v1.5 or PSS bytes for RSA, DER Ecdsa-Sig-Value for ECDSA.
    fn sign(
        &self,
        message: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>>;
}

/// The type of a signing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA (RFC 8017) with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256 / secp256r1 (FIPS 186-4, RFC 5480).
    EcP256,
    /// ECDSA on NIST P-384 / secp384r1 (FIPS 186-4, RFC 5480).
    EcP384,
}

impl KeyKind {
    /// The scheme to sign with by default: RSASSA-PKCS1-v1_5 (or RSASSA-PSS when `pss`) for RSA,
    /// ECDSA for EC keys (`pss` is ignored there: PSS is an RSA-only scheme).
    pub fn default_scheme(&self, pss: bool) -> SignatureScheme {
        match self {
            KeyKind::Rsa { .. } if pss => SignatureScheme::RsaPss,
            KeyKind::Rsa { .. } => SignatureScheme::RsaPkcs1v15,
            KeyKind::EcP256 | KeyKind::EcP384 => SignatureScheme::Ecdsa,
        }
    }

    /// The digest matching the key's strength: SHA-256 for RSA and P-256, SHA-384 for P-384
    /// (RFC 5480 §4, NIST SP 800-57).
    pub fn default_digest(&self) -> DigestAlgorithm {
        match self {
            KeyKind::Rsa { .. } | KeyKind::EcP256 => DigestAlgorithm::Sha256,
            KeyKind::EcP384 => DigestAlgorithm::Sha384,
        }
    }

    /// The largest signature value this key can produce, in bytes (for sizing /Contents):
    /// the modulus length for RSA, a DER Ecdsa-Sig-Value of two full-size integers for ECDSA.
    pub fn max_signature_len(&self) -> usize {
        match self {
            KeyKind::Rsa { bits } => bits.div_ceil(8),
            KeyKind::EcP256 => 72,
            KeyKind::EcP384 => 104,
        }
    }

    /// Short human-readable name, e.g. `RSA-2048`, `EC P-256`.
    pub fn name(&self) -> String {
        match self {
            KeyKind::Rsa { bits } => format!("RSA-{bits}"),
            KeyKind::EcP256 => "EC P-256".to_owned(),
            KeyKind::EcP384 => "EC P-384".to_owned(),
        }
    }

    /// Refuses a digest/scheme pair that this kind of key cannot sign with: SHA-1 (not acceptable
    /// under Circular 15/2025), verification-only schemes, RSA schemes on EC keys and ECDSA on RSA.
    pub fn check(&self, digest: DigestAlgorithm, scheme: SignatureScheme) -> Result<()> {
        if !digest.is_acceptable() {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{} is not acceptable for new signatures",
                digest.name()
            )));
        }
        let fits = match scheme {
            SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss => {
                matches!(self, KeyKind::Rsa { .. })
            }
            SignatureScheme::Ecdsa => matches!(self, KeyKind::EcP256 | KeyKind::EcP384),
            SignatureScheme::EcdsaPlain | SignatureScheme::Ed25519 | SignatureScheme::Ed448 => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{scheme:?} is supported for verification only"
                )));
            }
        };
        if fits {
            Ok(())
        } else {
            Err(Error::InvalidArgument(format!(
                "cannot sign with {scheme:?} using an {} key",
                self.name()
            )))
        }
    }
}

/// PKCS#11 `CKM_ECDSA` (and Windows NCrypt) return `r‖s`, each as long as the group order (PKCS#11 v2.40 §2.3.1);
/// CMS wants `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 §2.2).
#[cfg(any(feature = "pkcs11", windows))]
pub(crate) fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(Error::Token(format!(
            "the token returned an ECDSA signature of odd length {}",
            raw.len()
        )));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Ok(crate::asn1::writer::sequence(&[
        &crate::asn1::writer::integer_unsigned(r),
        &crate::asn1::writer::integer_unsigned(s),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        let rsa = KeyKind::Rsa { bits: 2048 };
        assert_eq!(rsa.default_scheme(false), SignatureScheme::RsaPkcs1v15);
        assert_eq!(rsa.default_scheme(true), SignatureScheme::RsaPss);
        assert_eq!(KeyKind::EcP256.default_scheme(true), SignatureScheme::Ecdsa);
        assert_eq!(KeyKind::EcP384.default_digest(), DigestAlgorithm::Sha384);
        assert!(rsa
            .check(DigestAlgorithm::Sha256, SignatureScheme::RsaPss)
            .is_ok());
        assert!(matches!(
            rsa.check(DigestAlgorithm::Sha256, SignatureScheme::Ecdsa),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            KeyKind::EcP256.check(DigestAlgorithm::Sha256, SignatureScheme::RsaPss),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            KeyKind::EcP256.check(DigestAlgorithm::Sha256, SignatureScheme::EcdsaPlain),
            Err(Error::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            rsa.check(DigestAlgorithm::Sha1, SignatureScheme::RsaPkcs1v15),
            Err(Error::UnsupportedAlgorithm(_))
        ));
    }
}
