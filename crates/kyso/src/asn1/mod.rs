//! A small BER/DER toolkit (ITU-T X.690): a BER-tolerant reader, a BER→DER
//! re-encoder, a DER writer and the OIDs kyso uses.

pub mod oid;
pub mod reader;
pub mod writer;

pub use reader::{Class, Element, Reader};

use crate::error::{Error, Result};

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`
/// (RFC 5280 §4.1.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmIdentifier {
    /// Dotted algorithm OID.
    pub oid: String,
    /// Encoding of the parameters, `None` when absent.
    pub params_der: Option<Vec<u8>>,
    /// Encoding of the whole AlgorithmIdentifier.
    pub der: Vec<u8>,
}

impl AlgorithmIdentifier {
    /// Parses an AlgorithmIdentifier element (RFC 5280 §4.1.1.2).
    pub fn from_element(el: &Element<'_>) -> Result<Self> {
        if !el.is_universal(reader::tag::SEQUENCE) {
            return Err(Error::Asn1("AlgorithmIdentifier is not a SEQUENCE".into()));
        }
        let mut r = el.children()?;
        let oid = r.read()?.as_oid()?;
        let params_der = if r.is_empty() {
            None
        } else {
            Some(r.read()?.raw.to_vec())
        };
        r.finish("AlgorithmIdentifier")?;
        Ok(AlgorithmIdentifier {
            oid,
            params_der,
            der: el.raw.to_vec(),
        })
    }

    /// Parses an AlgorithmIdentifier from its encoding.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let el = Reader::new(der).read_single()?;
        Self::from_element(&el)
    }

    /// Builds `SEQUENCE { oid }` without parameters (RFC 5754 §2 for SHA-2).
    pub fn new_no_params(oid: &str) -> Result<Self> {
        let der = writer::sequence(&[&writer::oid(oid)?]);
        Ok(AlgorithmIdentifier {
            oid: oid.to_string(),
            params_der: None,
            der,
        })
    }

    /// Builds `SEQUENCE { oid, params }` from already-encoded parameters.
    pub fn with_params(oid: &str, params_der: &[u8]) -> Result<Self> {
        let der = writer::sequence(&[&writer::oid(oid)?, params_der]);
        Ok(AlgorithmIdentifier {
            oid: oid.to_string(),
            params_der: Some(params_der.to_vec()),
            der,
        })
    }

    /// True when the parameters are absent or an ASN.1 NULL.
    pub fn params_absent_or_null(&self) -> bool {
        match &self.params_der {
            None => true,
            Some(p) => p.as_slice() == [0x05, 0x00],
        }
    }
}
