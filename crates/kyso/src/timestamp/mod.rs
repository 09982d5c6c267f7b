//! RFC 3161 time-stamps: asking a Time-Stamping Authority for a token ([`client`]) and checking
//! a token on its own ([`token`]: imprint, TSA signature, TSA certificate purpose). Whether the
//! TSA is trusted is the verifier's question (`verify::timestamps`), as for any signer.
//!
//! Used by signing for PAdES B-T signature time-stamps (the `signature-time-stamp-token`
//! unsigned attribute, ETSI EN 319 122-1 §5.3) and by LTV for document time-stamps (ISO
//! 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4.3); the token itself is a CMS SignedData read by
//! [`crate::cms`] and its TSTInfo by [`crate::cms::timestamp`].
//!
//! # Examples
//!
//! Building a request touches no network; [`TsaClient::timestamp_data`] would send it.
//!
//! ```
//! use kyso::crypto::{digest, DigestAlgorithm};
//! use kyso::timestamp::TimestampRequest;
//!
//! let imprint = digest(DigestAlgorithm::Sha256, b"signature value");
//! let req = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint, None)?;
//! assert_eq!(req.imprint, imprint);
//! assert_eq!(req.nonce.len(), 8);
//! assert_eq!(req.der[0], 0x30); // a DER SEQUENCE (RFC 3161 §2.4.1 TimeStampReq)
//! # Ok::<(), kyso::Error>(())
//! ```

pub mod client;
pub mod token;

pub use client::{TimestampRequest, TsaClient};
pub use token::{TimestampToken, TokenCheck};

use crate::asn1::oid;
use crate::cms::Attribute;
use crate::error::Result;
use crate::pki::Certificate;

/// The signature time-stamp attribute (RFC 3161 Appendix A, id-aa-signatureTimeStampToken)
/// over a SignerInfo's signature value.
pub fn signature_timestamp(
    tsa: &TsaClient,
    signature_value: &[u8],
) -> Result<(Attribute, TimestampToken)> {
    let token = tsa.timestamp_data(signature_value)?;
    Ok((
        Attribute {
            oid: oid::SIGNATURE_TIMESTAMP_TOKEN.to_string(),
            values: vec![token.der.clone()],
        },
        token,
    ))
}

/// The certificate that signed a time-stamp token.
pub fn tsa_certificate(token: &TimestampToken) -> Option<&Certificate> {
    let sd = &token.signed_data;
    sd.signer_infos
        .first()
        .and_then(|si| sd.signer_certificate(si))
}
