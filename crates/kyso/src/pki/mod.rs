//! X.509 certificates (RFC 5280): parsing, names, issuer chains, path validation, revocation
//! (CRL, OCSP) and the trust store.

pub mod certificate;
pub mod chain;
pub mod crl;
pub mod crl_file;
pub mod name;
pub mod ocsp;
pub mod trust_store;
pub mod validate;

/// `AlgorithmIdentifier` (RFC 5280 §4.1.1.2), as certificates, CRLs and CMS carry it.
pub use crate::asn1::AlgorithmIdentifier;
pub use certificate::{
    BasicConstraints, Certificate, Curve, Extension, KeyUsage, PublicKeyKind, SpkiInfo,
};
pub use chain::{build_chain, ChainOutcome};
pub use name::{AttributeTypeAndValue, Name};

#[cfg(test)]
pub(crate) mod testutil;
