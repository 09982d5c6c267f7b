//! kyso ("ký số"): sign and verify PDF documents the way Vietnamese official documents need.
//!
//! Layout, one concern per module:
//! - [`pdf`]: the file — lazy reader, revisions, incremental writer, signature fields;
//! - [`pki`], [`cms`], [`crypto`]: certificates, CMS SignedData, algorithms (the BER/DER,
//!   base64/PEM and HTTP plumbing under them is private);
//! - [`sign`]: keys and the signing flow; [`verify`]: the verification pipeline and its report;
//! - [`diff`]: what changed after each signature, and whether it was allowed;
//! - [`inspect`]: what a file holds, without judging it.
//!
//! # Examples
//!
//! Sign a document with a software certificate (a PKCS#12 file, opened in memory), then verify
//! it against the certificate's root. The `.p12`, its chain and the CRLs are the repository's
//! throw-away test PKI (`fixtures/pki`, never trust it); a real signer would use a token
//! (`sign::Pkcs11Signer`, feature `pkcs11`) or a remote service (`sign::csc`, feature `net`) instead.
//!
//! ```
//! use kyso::pki::Certificate;
//! use kyso::sign::{load_p12, sign_bytes, SignOptions};
//! use kyso::verify::{verify_bytes, Indication, VerifyOptions};
//!
//! let fixture =
//!     |f: &str| std::fs::read(format!("{}/../../fixtures/{f}", env!("CARGO_MANIFEST_DIR")));
//! let signer = load_p12(&fixture("pki/leader.p12")?, "12345678")?;
//! let pdf = fixture("docs/congvan.pdf")?;
//!
//! let mut opts = SignOptions::default(); // the option structs are `#[non_exhaustive]`
//! opts.reason = Some("Phê duyệt".into());
//! let (signed, outcome) = sign_bytes(&pdf, &signer, &opts)?;
//! assert_eq!(outcome.level, "PAdES-B-B");
//! assert!(signed.starts_with(&pdf)); // an incremental update: the original bytes stay as they were
//!
//! let trust = Certificate::parse_pem_or_der(&fixture("pki/root.pem")?)?;
//! let crls = vec![fixture("pki/root.crl")?, fixture("pki/intermediate.crl")?];
//! let mut verify = VerifyOptions::default();
//! verify.trust = trust;
//! verify.crls = crls;
//! let report = verify_bytes(&signed, &verify)?;
//! assert_eq!(report.signatures.len(), 1);
//! assert_eq!(report.indication, Indication::TotalPassed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! Network access (the [`request::HttpClient`] trait, `request::UreqClient` (feature `net`),
//! [`request::Offline`], [`request::NetworkBudget`]) is re-exported from [`request`], where a
//! front door configures it.
//!
//! # Features
//!
//! The default is the whole of kyso. A verify-only user writes
//! `kyso = { version = "…", default-features = false }` and still verifies fully, offline:
//! revocation data comes from the file (DSS, CMS) or from the caller
//! ([`verify::VerifyOptions::crls`]); where a fetch would be needed the result is
//! INDETERMINATE with the reason that it could not be fetched, as with `kyso verify --offline`.
//!
//! | feature | brings | without it |
//! |---|---|---|
//! | `net` | ureq + rustls: OCSP/CRL/caIssuers fetches, `timestamp::TsaClient::new`, CSC remote signing (`sign::csc`) | verification fetches nothing (as offline); LTV and `TsaClient::with_http` use a [`request::HttpClient`] the caller passes |
//! | `pkcs11` | cryptoki: tokens and HSMs (`sign::pkcs11`) | .p12 and caller-provided [`sign::Signer`]s only |
//! | `visual` | hayro: the visual check and the pictures of `kyso compare` | the check is off by default; asking for it gives INDETERMINATE (`VISUAL_CHECK_ERROR`) |
//! | `appearance` | skrifa, subsetter, png: visible signatures ([`appearance`]: fonts, PNG pictures) | signing with an [`appearance::AppearanceRequest`] is refused ([`Error::InvalidArgument`], "this build of kyso has no visible signatures"); invisible signing and verification, Decree 30 checks included, are unchanged |
//!
//! No unsafe code, except the Windows certificate-store signer (`sign::cng`), which calls the
//! CryptoAPI/NCrypt C functions and is the one module allowed to.
#![deny(missing_docs)]
#![cfg_attr(not(windows), forbid(unsafe_code))]
#![cfg_attr(windows, deny(unsafe_code))]

pub mod appearance;
mod asn1;
mod base64;
pub mod cms;
pub mod crypto;
pub mod decree30;
pub mod diff;
pub mod error;
pub mod extract;
pub mod inspect;
pub mod layout;
pub mod ltv;
mod net;
pub mod output;
pub mod pades;
pub mod pdf;
mod pem;
pub mod pki;
pub mod progress;
pub mod request;
pub mod sign;
pub mod text;
pub mod timestamp;
pub mod verify;
pub mod visual;
pub mod vntime;

pub use error::{Error, Result};

#[cfg(test)]
#[cfg(not(all(feature = "net", feature = "visual", feature = "appearance")))]
mod verify_only_tests;
