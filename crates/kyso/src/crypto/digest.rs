//! Message digests (FIPS 180-4) through aws-lc-rs.

use aws_lc_rs::digest as awsd;

use super::DigestAlgorithm;
use crate::asn1::oid;

impl DigestAlgorithm {
    /// Maps a digest OID (RFC 3370 §2.1, RFC 5754 §2) to the algorithm.
    pub fn from_oid(oid: &str) -> Option<Self> {
        match oid {
            oid::SHA1 => Some(DigestAlgorithm::Sha1),
            oid::SHA256 => Some(DigestAlgorithm::Sha256),
            oid::SHA384 => Some(DigestAlgorithm::Sha384),
            oid::SHA512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The digest OID in dotted form.
    pub fn oid(&self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => oid::SHA1,
            DigestAlgorithm::Sha256 => oid::SHA256,
            DigestAlgorithm::Sha384 => oid::SHA384,
            DigestAlgorithm::Sha512 => oid::SHA512,
        }
    }

    /// DER `AlgorithmIdentifier` with absent parameters (RFC 5754 §2, RFC 3370 §2.1).
    pub fn algorithm_identifier_der(&self) -> Vec<u8> {
        crate::asn1::writer::sequence(&[&crate::asn1::writer::oid_const(self.oid())])
    }

    fn aws(self) -> &'static awsd::Algorithm {
        match self {
            DigestAlgorithm::Sha1 => &awsd::SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &awsd::SHA256,
            DigestAlgorithm::Sha384 => &awsd::SHA384,
            DigestAlgorithm::Sha512 => &awsd::SHA512,
        }
    }
}

/// Incremental hasher.
pub struct Hasher {
    ctx: awsd::Context,
}

impl Hasher {
    /// Starts a new digest computation.
    pub fn new(alg: DigestAlgorithm) -> Self {
        Hasher {
            ctx: awsd::Context::new(alg.aws()),
        }
    }

    /// Feeds data.
    pub fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }

    /// Returns the digest value.
    pub fn finish(self) -> Vec<u8> {
        self.ctx.finish().as_ref().to_vec()
    }
}

/// One-shot digest of `data`.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    awsd::digest(alg.aws(), data).as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let abc = digest(DigestAlgorithm::Sha256, b"abc");
        assert_eq!(abc[..4], [0xba, 0x78, 0x16, 0xbf]);
        let mut h = Hasher::new(DigestAlgorithm::Sha1);
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.finish()[..4], [0xa9, 0x99, 0x3e, 0x36]);
        for a in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            assert_eq!(DigestAlgorithm::from_oid(a.oid()), Some(a));
            assert_eq!(digest(a, b"").len(), a.output_len());
        }
    }
}
