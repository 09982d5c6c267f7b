//! Public keys: the SubjectPublicKeyInfo structure (RFC 5280 §4.1.2.7) and the kinds of key
//! kyso knows. Below `pki` (which re-exports these from `pki::certificate`) so `crypto` can
//! verify with a key without knowing certificates.

use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Element, Reader};
use crate::error::{Error, Result};

/// `brainpoolP256r1` (RFC 5639 §4.1).
const BRAINPOOL_P256R1: &str = "1.3.36.3.3.2.8.1.1.7";
/// `brainpoolP384r1` (RFC 5639 §4.1).
const BRAINPOOL_P384R1: &str = "1.3.36.3.3.2.8.1.1.11";

/// Named elliptic curves (RFC 5480 §2.1.1.1, RFC 5639 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 / secp256r1 (`prime256v1`), 32-byte field elements.
    P256,
    /// NIST P-384 / secp384r1, 48-byte field elements.
    P384,
    /// NIST P-521 / secp521r1, 66-byte field elements.
    P521,
    /// brainpoolP256r1 (RFC 5639); verification only.
    BrainpoolP256r1,
    /// brainpoolP384r1 (RFC 5639); verification only.
    BrainpoolP384r1,
}

impl Curve {
    /// Field element size in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::BrainpoolP256r1 => 32,
            Curve::P384 | Curve::BrainpoolP384r1 => 48,
            Curve::P521 => 66,
        }
    }
}

/// The subject public key type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyKind {
    /// RSA key (`rsaEncryption` or `id-RSASSA-PSS`, RFC 3279 §2.3.1, RFC 4055).
    Rsa {
        /// Modulus length in bits (e.g. 2048); policy checks compare it with the minimum they accept.
        bits: usize,
    },
    /// Elliptic-curve key (`id-ecPublicKey`, RFC 5480) on a curve kyso knows.
    Ec {
        /// The named curve from the key's ECParameters.
        curve: Curve,
    },
    /// Ed25519 key (RFC 8410); verification only.
    Ed25519,
    /// Ed448 key (RFC 8410); verification only.
    Ed448,
    /// Unknown algorithm (or unknown EC curve): the OID.
    Other(String),
}

/// Decoded SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
#[derive(Clone, Debug)]
pub struct SpkiInfo {
    /// The key's AlgorithmIdentifier as written (OID and raw parameters).
    pub algorithm: AlgorithmIdentifier,
    /// What the algorithm and parameters mean: key type, RSA size or EC curve.
    pub kind: PublicKeyKind,
    /// Contents of the subjectPublicKey BIT STRING (RSAPublicKey, EC point, raw key).
    pub key_bytes: Vec<u8>,
}

/// Bit length of an unsigned big-endian integer.
fn bit_len(mag: &[u8]) -> usize {
    let skip = mag.iter().take_while(|&&b| b == 0).count();
    match mag.get(skip) {
        None => 0,
        Some(&b) => (mag.len() - skip - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// Parses a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279, RFC 5480, RFC 8410).
pub fn parse_spki(der: &[u8]) -> Result<SpkiInfo> {
    spki_from_element(&Reader::new(der).read_single()?)
}

pub(crate) fn spki_from_element(el: &Element<'_>) -> Result<SpkiInfo> {
    el.expect_universal(tag::SEQUENCE, "SubjectPublicKeyInfo")?;
    let mut r = el.children()?;
    let algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
    let key_bytes = r.read()?.as_bit_string_octets()?.into_owned();
    r.finish("SubjectPublicKeyInfo")?;
    let kind = match algorithm.oid.as_str() {
        oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
            // RFC 8017 Appendix A.1.1 RSAPublicKey ::= SEQUENCE { n, e }.
            let k = Reader::new(&key_bytes).read_single()?;
            k.expect_universal(tag::SEQUENCE, "RSAPublicKey")?;
            let mut kr = k.children()?;
            let n = kr.read()?.as_integer()?;
            kr.read()?.as_integer()?;
            kr.finish("RSAPublicKey")?;
            if n[0] & 0x80 != 0 {
                return Err(Error::Certificate("negative RSA modulus".into()));
            }
            PublicKeyKind::Rsa { bits: bit_len(n) }
        }
        oid::EC_PUBLIC_KEY => {
            let curve = match &algorithm.params_der {
                Some(p) => Reader::new(p).read_single()?.as_oid().ok(),
                None => None,
            };
            match curve.as_deref() {
                Some(oid::SECP256R1) => PublicKeyKind::Ec { curve: Curve::P256 },
                Some(oid::SECP384R1) => PublicKeyKind::Ec { curve: Curve::P384 },
                Some(oid::SECP521R1) => PublicKeyKind::Ec { curve: Curve::P521 },
                Some(BRAINPOOL_P256R1) => PublicKeyKind::Ec {
                    curve: Curve::BrainpoolP256r1,
                },
                Some(BRAINPOOL_P384R1) => PublicKeyKind::Ec {
                    curve: Curve::BrainpoolP384r1,
                },
                Some(other) => PublicKeyKind::Other(other.to_string()),
                None => PublicKeyKind::Other(oid::EC_PUBLIC_KEY.to_string()),
            }
        }
        oid::ED25519 => PublicKeyKind::Ed25519,
        oid::ED448 => PublicKeyKind::Ed448,
        other => PublicKeyKind::Other(other.to_string()),
    };
    Ok(SpkiInfo {
        algorithm,
        kind,
        key_bytes,
    })
}
