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
//!
//! No unsafe code, except the Windows certificate-store signer (`sign::cng`), which calls the
//! CryptoAPI/NCrypt C functions and is the one module allowed to.
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

#[cfg(all(test, not(all(feature = "net", feature = "visual"))))]
mod verify_only_tests;
