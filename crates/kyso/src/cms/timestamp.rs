//! RFC 3161 time-stamp tokens: the TSTInfo content (§2.4.2), as found in document time-stamps
//! (ISO 32000-2 §12.8.5, /SubFilter /ETSI.RFC3161) and signature time-stamps.

use time::OffsetDateTime;

use crate::asn1::reader::Reader;
use crate::asn1::AlgorithmIdentifier;
use crate::error::{Error, Result};

/// The parts of a TSTInfo a verifier needs.
#[derive(Clone, Debug)]
pub struct TstInfo {
    /// The TSA policy OID under which the token was issued (dotted).
    pub policy: String,
    /// messageImprint.hashAlgorithm (OID).
    pub imprint_algorithm: String,
    /// messageImprint.hashedMessage.
    pub imprint: Vec<u8>,
    /// serialNumber contents (big-endian), unique per TSA.
    pub serial: Vec<u8>,
    /// genTime: when the TSA saw the imprint (UTC; sub-second precision dropped).
    pub gen_time: OffsetDateTime,
    /// The nonce echoed from the request, when there was one.
    pub nonce: Option<Vec<u8>>,
}

impl TstInfo {
    /// Parses the DER (or BER) of a TSTInfo.
    pub fn parse(der: &[u8]) -> Result<TstInfo> {
        let top = Reader::new(der).read_single()?;
        top.expect_universal(16, "TSTInfo")?;
        let mut r = top.children()?;
        let version = r.read_universal(2, "TSTInfo version")?.as_u64()?;
        if version != 1 {
            return Err(Error::Cms(format!(
                "TSTInfo version {version} (expected 1)"
            )));
        }
        let policy = r.read_universal(6, "TSTInfo policy")?.as_oid()?;
        let imprint = r.read_universal(16, "messageImprint")?;
        let mut ir = imprint.children()?;
        let alg = AlgorithmIdentifier::from_element(&ir.read()?)?;
        let hashed = ir
            .read_universal(4, "hashedMessage")?
            .as_octet_string()?
            .into_owned();
        let serial = r
            .read_universal(2, "TSTInfo serialNumber")?
            .as_integer()?
            .to_vec();
        let gen_time = r.read_universal(24, "TSTInfo genTime")?.as_time()?;
        // accuracy SEQUENCE OPTIONAL, ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL.
        let _accuracy = r.read_optional_universal(16)?;
        let _ordering = r.read_optional_universal(1)?;
        let nonce = r
            .read_optional_universal(2)?
            .map(|n| n.as_integer().map(<[u8]>::to_vec))
            .transpose()?;
        Ok(TstInfo {
            policy,
            imprint_algorithm: alg.oid,
            imprint: hashed,
            serial,
            gen_time,
            nonce,
        })
    }
}
