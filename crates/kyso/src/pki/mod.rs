//! X.509 certificates (RFC 5280): parsing, names and issuer chains.

pub mod certificate;
pub mod chain;
pub mod name;

pub use certificate::{
    BasicConstraints, Certificate, Curve, Extension, KeyUsage, PublicKeyKind, SpkiInfo,
};
pub use chain::{build_chain, ChainOutcome};
pub use name::{AttributeTypeAndValue, Name};

#[cfg(test)]
pub(crate) mod testutil;
