//! CMS SignedData (RFC 5652) as used in PDF signatures (PAdES, ETSI EN 319 142-1).
//!
//! A PDF signature's /Contents is a detached CMS SignedData over the bytes /ByteRange names
//! (ISO 32000-1 §12.8.3.3; ETSI EN 319 142-1 for PAdES). This module reads and writes that
//! structure and checks its cryptography; it does not decide trust (certificate paths,
//! revocation) — that is [`crate::pki`] and [`crate::verify`], which call it.
//! - [`parse`]: ContentInfo / [`SignedData`] / [`SignerInfo`] (RFC 5652 §3, §5.1, §5.3);
//! - [`attributes`]: signed and unsigned attributes (§5.3, §11) and the ESS signing-certificate
//!   attributes (RFC 2634 §5.4, RFC 5035 §3) PAdES requires;
//! - [`verify`]: [`check_signer_info`] — message digest, signature value, content type and ESS
//!   binding of one SignerInfo (RFC 5652 §5.4, §5.6);
//! - [`build`]: the signed attributes and SignedData kyso writes when signing;
//! - [`timestamp`]: the TSTInfo of RFC 3161 time-stamp tokens.
//!
//! It builds on [`crate::crypto`] (digests, signature verification) and the certificate parser
//! of [`crate::pki`].
//!
//! # Examples
//!
//! Check the CMS of the first signature in a pyHanko-signed fixture:
//!
//! ```
//! use std::sync::Arc;
//! use kyso::cms::{check_signer_info, SignedData};
//! use kyso::crypto::{DigestAlgorithm, Hasher};
//! use kyso::pdf::{signatures::find_signatures, Document, FileSource};
//!
//! let path = concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../fixtures/docs/congvan-signed-pyhanko.pdf"
//! );
//! let bytes = std::fs::read(path)?;
//! let doc = Document::open(Arc::new(FileSource::open(path.as_ref())?))?;
//! let sig = &find_signatures(&doc)?[0];
//!
//! let sd = SignedData::parse(&sig.contents)?;
//! let si = &sd.signer_infos[0];
//! // The signed content is the file minus /Contents: the two /ByteRange spans.
//! let br = sig.byte_range.as_ref().expect("a /ByteRange");
//! let alg = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).expect("a known digest");
//! let mut h = Hasher::new(alg);
//! h.update(&bytes[br[0] as usize..(br[0] + br[1]) as usize]);
//! h.update(&bytes[br[2] as usize..(br[2] + br[3]) as usize]);
//!
//! let check = check_signer_info(&sd, si, &h.finish(), None);
//! assert!(check.is_ok(), "{:?}", check.problems);
//! assert_eq!(check.message_digest_matches, Some(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
