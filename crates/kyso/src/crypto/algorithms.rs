//! Algorithm identifiers shared by signing and verification: which digest (RFC 5754 SHA-2 in
//! CMS, RFC 8419 SHAKE256) and which signature scheme (RFC 8017, FIPS 186-4, RFC 8032) a
//! signature uses. The OIDs they map to are in [`digest`](mod@super::digest) and
//! [`super::verify`].

use serde::Serialize;

/// Message digest algorithms (RFC 5754 for SHA-2 in CMS, RFC 8419 for SHAKE256).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestAlgorithm {
    /// SHA-1: verification of legacy signatures only; not acceptable under Circular 15/2025.
    Sha1,
    /// SHA-256 (FIPS 180-4), 32-byte output: kyso's default for signing and time-stamp imprints.
    Sha256,
    /// SHA-384 (FIPS 180-4), 48-byte output.
    Sha384,
    /// SHA-512 (FIPS 180-4), 64-byte output.
    Sha512,
    /// SHAKE256 with a 512-bit output (FIPS 202; `id-shake256`, RFC 8419 §2.3): the
    /// digest Ed448 signatures use in CMS; verification only.
    Shake256,
}

impl DigestAlgorithm {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 | DigestAlgorithm::Shake256 => 64,
        }
    }

    /// Human-readable name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
            DigestAlgorithm::Shake256 => "SHAKE256",
        }
    }

    /// Whether Circular 15/2025/TT-BKHCN accepts it for new signatures (SHA-1 is not
    /// allowed; the SHA-2 and SHA-3 families, SHAKE256 included, are).
    pub fn is_acceptable(self) -> bool {
        !matches!(self, DigestAlgorithm::Sha1)
    }
}

/// How a signature value is computed, independent of the key's size or curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), what Vietnamese tokens produce.
    RsaPkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 using the same hash and salt length = hash length.
    RsaPss,
    /// ECDSA (FIPS 186-4); the value is DER `Ecdsa-Sig-Value` (RFC 5480).
    Ecdsa,
    /// ECDSA with the raw r‖s value (BSI TR-03111 "plain ECDSA"); verification only.
    EcdsaPlain,
    /// Ed25519 (RFC 8419); verification only.
    Ed25519,
    /// Ed448 (RFC 8032 §5.2, RFC 8419) with SHAKE256 as the CMS digest; verification only.
    Ed448,
}
