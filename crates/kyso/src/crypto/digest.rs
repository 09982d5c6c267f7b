//! Message digests: SHA-1 and SHA-2 (FIPS 180-4) through aws-lc-rs, SHAKE256
//! (FIPS 202) through RustCrypto `shake`.

use aws_lc_rs::digest as awsd;
use shake::{ExtendableOutput, Update, XofReader};

use super::DigestAlgorithm;
use crate::asn1::oid;

/// `id-shake256` (RFC 8702 §2, RFC 8419 §2.3): SHAKE256, parameters absent, 512-bit output in CMS.
pub const ID_SHAKE256: &str = "2.16.840.1.101.3.4.2.12";

impl DigestAlgorithm {
    /// Maps a digest OID (RFC 3370 §2.1, RFC 5754 §2, RFC 8419 §2.3) to the algorithm.
    pub fn from_oid(oid: &str) -> Option<Self> {
        match oid {
            oid::SHA1 => Some(DigestAlgorithm::Sha1),
            oid::SHA256 => Some(DigestAlgorithm::Sha256),
            oid::SHA384 => Some(DigestAlgorithm::Sha384),
            oid::SHA512 => Some(DigestAlgorithm::Sha512),
            ID_SHAKE256 => Some(DigestAlgorithm::Shake256),
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
            DigestAlgorithm::Shake256 => ID_SHAKE256,
        }
    }

    /// DER `AlgorithmIdentifier` with absent parameters (RFC 5754 §2, RFC 3370 §2.1).
    pub fn algorithm_identifier_der(&self) -> Vec<u8> {
        crate::asn1::writer::sequence(&[&crate::asn1::writer::oid_const(self.oid())])
    }

    /// The aws-lc-rs algorithm, `None` for SHAKE256 (not exposed by aws-lc-rs).
    fn aws(self) -> Option<&'static awsd::Algorithm> {
        match self {
            DigestAlgorithm::Sha1 => Some(&awsd::SHA1_FOR_LEGACY_USE_ONLY),
            DigestAlgorithm::Sha256 => Some(&awsd::SHA256),
            DigestAlgorithm::Sha384 => Some(&awsd::SHA384),
            DigestAlgorithm::Sha512 => Some(&awsd::SHA512),
            DigestAlgorithm::Shake256 => None,
        }
    }
}

#[derive(Clone)]
enum Ctx {
    Aws(awsd::Context),
    /// SHAKE256 read out to [`DigestAlgorithm::output_len`] bytes (RFC 8419 §2.3).
    Shake256(Box<shake::Shake256>),
}

/// Incremental hasher (cloned to continue one prefix in several ways).
#[derive(Clone)]
pub struct Hasher {
    ctx: Ctx,
    alg: DigestAlgorithm,
}

impl Hasher {
    /// A hasher for `alg` with nothing fed yet.
    pub fn new(alg: DigestAlgorithm) -> Self {
        let ctx = match alg.aws() {
            Some(a) => Ctx::Aws(awsd::Context::new(a)),
            None => Ctx::Shake256(Box::default()),
        };
        Hasher { ctx, alg }
    }

    /// The algorithm this hasher computes (which decides the output length).
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.alg
    }

    /// Feeds the next bytes; pieces may have any size and are hashed as if concatenated.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.ctx {
            Ctx::Aws(c) => c.update(data),
            Ctx::Shake256(x) => x.update(data),
        }
    }

    /// The digest value, [`DigestAlgorithm::output_len`] bytes long (SHAKE256 is read out to 64).
    pub fn finish(self) -> Vec<u8> {
        match self.ctx {
            Ctx::Aws(c) => c.finish().as_ref().to_vec(),
            Ctx::Shake256(x) => {
                let mut out = vec![0; DigestAlgorithm::Shake256.output_len()];
                x.finalize_xof().read(&mut out);
                out
            }
        }
    }
}

/// One-shot digest of `data`.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    match alg.aws() {
        Some(a) => awsd::digest(a, data).as_ref().to_vec(),
        None => {
            let mut h = Hasher::new(alg);
            h.update(data);
            h.finish()
        }
    }
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
            DigestAlgorithm::Shake256,
        ] {
            assert_eq!(DigestAlgorithm::from_oid(a.oid()), Some(a));
            assert_eq!(digest(a, b"").len(), a.output_len());
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn shake256_known_answers() {
        // FIPS 202 SHAKE256 with d = 512 (NIST CSRC example values).
        let s = DigestAlgorithm::Shake256;
        assert_eq!(
            hex(&digest(s, b"")),
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f\
             d75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be"
        );
        let mut h = Hasher::new(s);
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(
            hex(&h.finish()),
            "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739\
             d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4"
        );
        assert_eq!(DigestAlgorithm::from_oid(ID_SHAKE256), Some(s));
        assert_eq!((s.name(), s.output_len()), ("SHAKE256", 64));
        assert!(s.is_acceptable());
        // DER AlgorithmIdentifier with absent parameters (RFC 8419 §2.3).
        assert_eq!(
            s.algorithm_identifier_der(),
            [0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0c]
        );
    }
}
