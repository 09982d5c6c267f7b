//! CMS SignedData (RFC 5652) as used in PDF signatures (PAdES, ETSI EN 319 142-1).

pub mod attributes;
pub mod build;
pub mod parse;
pub mod timestamp;
pub mod verify;

pub use attributes::{Attribute, EssCertId, SignedAttributes};
pub use parse::{SignedData, SignerIdentifier, SignerInfo};
pub use verify::{check_signer_info, EssStatus, SignerCheck};

#[cfg(test)]
mod tests;
