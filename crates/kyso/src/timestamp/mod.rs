//! RFC 3161 time-stamps: asking a Time-Stamping Authority for a token ([`client`]) and checking
//! a token on its own ([`token`]: imprint, TSA signature, TSA certificate purpose). Whether the
//! TSA is trusted is the verifier's question (`verify::timestamps`), as for any signer.

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
