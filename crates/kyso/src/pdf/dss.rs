//! The Document Security Store (ETSI EN 319 142-1 §5.4.2.2; ISO 32000-2 §12.8.4.3): certificates,
//! OCSP responses and CRLs a signer or a later extension put into the document for validation.

use super::document::Document;
use super::object::Object;
use crate::error::Result;

/// Validation data found in the newest revision's /DSS, as DER.
#[derive(Clone, Debug, Default)]
pub struct Dss {
    /// /Certs: DER certificates.
    pub certs: Vec<Vec<u8>>,
    /// /OCSPs: DER OCSPResponses (RFC 6960).
    pub ocsps: Vec<Vec<u8>>,
    /// /CRLs: DER CertificateLists (RFC 5280 §5).
    pub crls: Vec<Vec<u8>>,
}

impl Dss {
    /// Whether the store holds nothing (or there is no /DSS).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.ocsps.is_empty() && self.crls.is_empty()
    }
}

/// At most this many entries are read from each DSS array (hostile files).
const MAX_ENTRIES: usize = 10_000;

/// Reads /DSS from the newest revision's catalog. A missing or malformed DSS is empty: it only
/// ever adds evidence, never removes any.
pub fn read_dss(doc: &Document) -> Result<Dss> {
    read_dss_at(doc, doc.last_revision())
}

/// Reads /DSS as it stood in revision `rev` (0-based).
pub fn read_dss_at(doc: &Document, rev: usize) -> Result<Dss> {
    let catalog = doc.catalog_at(rev)?;
    let Some(dss) = catalog.get("DSS") else {
        return Ok(Dss::default());
    };
    let Some(dss) = doc.resolve_dict_at(rev, dss)? else {
        return Ok(Dss::default());
    };
    let read = |key: &str| -> Vec<Vec<u8>> {
        let Some(arr) = dss.get(key).and_then(|a| doc.resolve_at(rev, a).ok()) else {
            return vec![];
        };
        arr.as_array()
            .unwrap_or(&[])
            .iter()
            .take(MAX_ENTRIES)
            // An entry that cannot be read is evidence missing, never a reason to pass
            // (ETSI EN 319 142-1 §5.4.2: the DSS only adds validation data).
            .filter_map(|item| match doc.resolve_at(rev, item).ok()? {
                Object::Stream(s) => doc.stream_decoded(&s).ok(),
                _ => None,
            })
            .collect()
    };
    Ok(Dss {
        certs: read("Certs"),
        ocsps: read("OCSPs"),
        crls: read("CRLs"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn reads_the_dss_of_an_lta_file() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/valid/pyhanko/pades-lta-dss-indirect-arrs-test.pdf");
        if !p.exists() {
            eprintln!("SKIP: ../shared absent");
            return;
        }
        let doc = Document::open(Arc::new(crate::pdf::FileSource::open(&p).unwrap())).unwrap();
        let dss = read_dss(&doc).unwrap();
        assert!(!dss.certs.is_empty());
        for c in &dss.certs {
            crate::pki::Certificate::from_der(c).unwrap();
        }
        assert!(!dss.ocsps.is_empty() || !dss.crls.is_empty());
    }

    #[test]
    fn no_dss_is_empty() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/docs/congvan.pdf");
        let doc = Document::open(Arc::new(crate::pdf::FileSource::open(&p).unwrap())).unwrap();
        assert!(read_dss(&doc).unwrap().is_empty());
    }
}
