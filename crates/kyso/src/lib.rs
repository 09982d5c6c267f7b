//! kyso ("ký số"): sign and verify PDF documents the way Vietnamese official documents need.
//!
//! Layout, one concern per module:
//! - [`pdf`]: the file — lazy reader, revisions, incremental writer, signature fields;
//! - [`asn1`], [`pki`], [`cms`], [`crypto`]: encodings, certificates, CMS SignedData, algorithms;
//! - [`sign`]: keys and the signing flow; [`verify`]: the verification pipeline and its report;
//! - [`diff`]: what changed after each signature, and whether it was allowed;
//! - [`inspect`]: what a file holds, without judging it.
//!
//! No unsafe code, except the Windows certificate-store signer (`sign::cng`), which calls the
//! CryptoAPI/NCrypt C functions and is the one module allowed to.
#![cfg_attr(not(windows), forbid(unsafe_code))]
#![cfg_attr(windows, deny(unsafe_code))]

pub mod appearance;
pub mod asn1;
pub mod base64;
pub mod cms;
pub mod crypto;
pub mod decree30;
pub mod diff;
pub mod error;
pub mod extract;
pub mod inspect;
pub mod layout;
pub mod ltv;
pub mod net;
pub mod output;
pub mod pades;
pub mod pdf;
pub mod pem;
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
