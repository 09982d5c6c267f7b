//! Cryptographic primitives: digests, signature schemes, signature verification.

pub mod algorithms;
pub mod digest;
pub mod keys;
pub mod verify;

pub use algorithms::{DigestAlgorithm, SignatureScheme};
pub use digest::{digest, Hasher};
pub use verify::verify_signature;
