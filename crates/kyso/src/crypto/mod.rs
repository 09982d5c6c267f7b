//! Cryptographic primitives: digests, signature schemes, signature verification.
//!
//! The ground floor under [`crate::cms`], [`crate::pki`] and [`crate::timestamp`]: it knows
//! algorithms and keys, not certificates or policies.
//! - [`algorithms`]: [`DigestAlgorithm`] (RFC 5754, RFC 8419) and [`SignatureScheme`];
//! - [`digest`](mod@digest): one-shot [`digest()`] and incremental [`Hasher`] (what a PDF
//!   /ByteRange is hashed with, ISO 32000-1 §12.8.1);
//! - [`keys`]: SubjectPublicKeyInfo decoding (RFC 5280 §4.1.2.7) into a key kind and size;
//! - [`verify`]: [`verify_signature`] for RSA PKCS#1 v1.5 / PSS (RFC 8017), ECDSA (P-256/384/521,
//!   brainpool), Ed25519 and Ed448. It says whether the mathematics holds; whether SHA-1 or a
//!   1024-bit key is acceptable is for the caller's policy
//!   ([`DigestAlgorithm::is_acceptable`], Circular 15/2025).
//!
//! # Examples
//!
//! Hashing in one go or piece by piece gives the same value:
//!
//! ```
//! use kyso::crypto::{digest, DigestAlgorithm, Hasher};
//!
//! let whole = digest(DigestAlgorithm::Sha256, b"abc");
//! assert_eq!(whole.len(), DigestAlgorithm::Sha256.output_len());
//! // FIPS 180-4 test vector for "abc".
//! assert_eq!(&whole[..4], &[0xba, 0x78, 0x16, 0xbf]);
//!
//! let mut h = Hasher::new(DigestAlgorithm::Sha256);
//! h.update(b"a");
//! h.update(b"bc");
//! assert_eq!(h.finish(), whole);
//! ```

pub mod algorithms;
pub mod digest;
pub mod keys;
pub mod verify;

pub use algorithms::{DigestAlgorithm, SignatureScheme};
pub use digest::{digest, Hasher};
pub use verify::verify_signature;
