//! X.509 certificates (RFC 5280): parsing, names, issuer chains, path validation, revocation
//! (CRL, OCSP) and the trust store.
//!
//! How it fits: `pki` sits on the DER reader (`asn1`) and the signature algorithms (`crypto`);
//! `cms` takes the signer's certificate from a SignedData, `verify` validates it with
//! [`validate::validate_path`] (with CRLs, [`ocsp`] answers and the anchors of
//! [`trust_store`]), `sign::checks` checks the signer's own certificate before signing and
//! `ltv` gathers the chain and revocation data it embeds.
//!
//! - [`certificate`]: the certificate and its extensions (RFC 5280 §4.1, §4.2);
//! - [`name`]: distinguished names, their text form and comparison (§4.1.2.4, §7.1);
//! - [`chain`]: issuer chains by name and signature only, for reports;
//! - [`validate`]: path validation (§6.1) and CRL revocation checking (§6.3);
//! - [`crl`], [`crl_file`], [`ocsp`]: revocation data (§5, RFC 6960);
//! - [`trust_store`]: the anchors, and Vietnam's two roots recognised by fingerprint.
//!
//! # Examples
//!
//! ```
//! use kyso::pki::Certificate;
//!
//! let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/leader.pem"))?;
//! let leader = Certificate::parse_pem_or_der(&pem)?.remove(0);
//! // Vietnamese names are UTF-8 and stay as written.
//! assert_eq!(leader.subject.common_name().as_deref(), Some("Nguyễn Văn An"));
//! assert!(leader.subject.to_rfc4514().ends_with("C=VN"));
//! assert_eq!(leader.serial_hex(), "3001");
//! let usage = leader.key_usage.expect("the signer certificate has keyUsage");
//! assert!(usage.digital_signature && usage.non_repudiation && !usage.key_cert_sign);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
