//! Writing the Document Security Store (ETSI EN 319 142-1 §5.4.2.2; ISO 32000-2 §12.8.4.3)
//! as an incremental update: the existing /Certs, /OCSPs, /CRLs arrays (direct or indirect)
//! extended with new streams, and a /VRI entry per signature.

use crate::error::{Error, Result};
use crate::pdf::{Dict, Document, IncrementalUpdate, ObjRef, Object};

use super::gather::Gathered;

/// The update's bytes.
pub(crate) fn build(
    doc: &Document,
    data: &Gathered,
    base_len: u64,
    leading_eol: bool,
) -> Result<Vec<u8>> {
    let rev = doc.last_revision();
    let mut update = IncrementalUpdate::new(doc);
    let catalog_ref = doc.catalog_ref_at(rev)?;
    let mut catalog = doc.catalog_at(rev)?;
    // ISO 32000-2 §12.8.4.3: /DSS is a dictionary. Anything else is refused rather than
    // replaced, so that no existing validation data is dropped without a word.
    let not_a_dict = || Error::MalformedPdf("the document's /DSS is not a dictionary".into());
    let (mut dss, dss_ref) = match catalog.get("DSS").cloned() {
        Some(Object::Ref(r)) => (
            doc.resolve_dict_at(rev, &Object::Ref(r))?
                .ok_or_else(not_a_dict)?,
            Some(r),
        ),
        Some(Object::Dict(d)) => (d, None),
        None => (Dict::new(), None),
        Some(_) => return Err(not_a_dict()),
    };
    // Table 261: /Type, when present, is DSS; another dictionary (the page tree...) is not one.
    if dss.get("Type").is_some() && !dss.has_name("Type", "DSS") {
        return Err(not_a_dict());
    }
    dss.set("Type", Object::name("DSS"));

    // One stream per new item; the DER of each, with its reference, for the VRI.
    let mut written: Vec<(Vec<u8>, ObjRef)> = Vec::new();
    for (key, items) in [
        ("Certs", &data.certs),
        ("OCSPs", &data.ocsps),
        ("CRLs", &data.crls),
    ] {
        let mut array = existing_array(doc, rev, &dss, key)?;
        for der in items.iter() {
            let r = update.allocate();
            let compressed = crate::pdf::filters::deflate(der);
            let mut d = Dict::new();
            d.set("Filter", Object::name("FlateDecode"));
            update.set_stream(r, d, compressed);
            array.push(Object::Ref(r));
            written.push((der.clone(), r));
        }
        if !array.is_empty() {
            dss.set(key, Object::Array(array));
        }
    }

    // /VRI (ETSI EN 319 142-1 §5.4.2.2): per signature, references to the streams it needs.
    let existing_streams = existing_stream_refs(doc, rev, &dss)?;
    let mut vri = match dss.get("VRI") {
        Some(v) => doc
            .resolve_dict_at(rev, v)?
            .ok_or_else(|| Error::MalformedPdf("the DSS /VRI is not a dictionary".into()))?,
        None => Dict::new(),
    };
    for entry in &data.vri {
        let find = |der: &Vec<u8>| {
            written
                .iter()
                .chain(existing_streams.iter())
                .find(|(d, _)| d == der)
                .map(|(_, r)| Object::Ref(*r))
        };
        let mut e = match vri.get(&entry.key) {
            Some(v) => doc.resolve_dict_at(rev, v)?.ok_or_else(|| {
                Error::MalformedPdf(format!(
                    "the DSS /VRI entry {} is not a dictionary",
                    entry.key
                ))
            })?,
            None => Dict::new(),
        };
        for (key, list) in [
            ("Cert", &entry.certs),
            ("OCSP", &entry.ocsps),
            ("CRL", &entry.crls),
        ] {
            let mut refs = existing_array(doc, rev, &e, key)?;
            for der in list {
                if let Some(r) = find(der) {
                    if !refs.contains(&r) {
                        refs.push(r);
                    }
                }
            }
            if !refs.is_empty() {
                e.set(key, Object::Array(refs));
            }
        }
        e.set("Type", Object::name("VRI"));
        vri.set(&entry.key, Object::Dict(e));
    }
    if !vri.is_empty() {
        dss.set("VRI", Object::Dict(vri));
    }

    match dss_ref {
        Some(r) => update.set(r, Object::Dict(dss)),
        None => {
            let r = update.allocate();
            update.set(r, Object::Dict(dss));
            catalog.set("DSS", Object::Ref(r));
            update.set(catalog_ref, Object::Dict(catalog));
        }
    }
    Ok(update.write(base_len, leading_eol, None)?.bytes)
}

/// The items of array `key` of a DSS or VRI dictionary, whether direct or indirect.
fn existing_array(doc: &Document, rev: usize, dict: &Dict, key: &str) -> Result<Vec<Object>> {
    Ok(match dict.get(key) {
        Some(v) => doc
            .resolve_at(rev, v)?
            .as_array()
            .map(<[Object]>::to_vec)
            // ISO 32000-2 §12.8.4.3: arrays. Replacing another value would drop what it holds.
            .ok_or_else(|| Error::MalformedPdf(format!("the DSS /{key} is not an array")))?,
        None => Vec::new(),
    })
}

/// (decoded DER, reference) of the streams already in the DSS arrays.
fn existing_stream_refs(doc: &Document, rev: usize, dss: &Dict) -> Result<Vec<(Vec<u8>, ObjRef)>> {
    let mut out = Vec::new();
    for key in ["Certs", "OCSPs", "CRLs"] {
        for item in existing_array(doc, rev, dss, key)? {
            // Only to point VRI entries at streams already there: an entry that cannot be read
            // is not reused, and the same data is written again as a new stream if needed.
            let Object::Ref(r) = item else { continue };
            if let Ok(Object::Stream(s)) = doc.get_at(rev, r) {
                if let Ok(data) = doc.stream_decoded(&s) {
                    out.push((data, r));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pdf::MemorySource;

    /// A classic-xref PDF whose objects are `objs` (numbered from 1), catalog 1 0 R.
    fn pdf(objs: &[&str]) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    fn update(catalog_extra: &str) -> Result<Vec<u8>> {
        let catalog = format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>");
        let bytes = pdf(&[
            &catalog,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
            "<< /Filter /FlateDecode >>",
        ]);
        let len = bytes.len() as u64;
        let doc = Document::open(Arc::new(MemorySource::new(bytes))).unwrap();
        let data = Gathered {
            certs: vec![vec![0x30, 0x00]],
            ..Gathered::default()
        };
        build(&doc, &data, len, false)
    }

    /// A DSS (or one of its arrays) that is not what ISO 32000-2 §12.8.4.3 says is refused,
    /// not silently replaced by a new one without its data.
    #[test]
    fn malformed_dss_is_refused_not_replaced() {
        assert!(update("").is_ok());
        assert!(update("/DSS << /Certs [] >>").is_ok());
        for bad in [
            "/DSS 42",
            "/DSS 2 0 R",
            "/DSS << /Certs 4 0 R >>",
            "/DSS << /Certs 7 >>",
        ] {
            let e = update(bad).expect_err(bad);
            assert!(matches!(e, Error::MalformedPdf(_)), "{bad}: {e}");
        }
    }
}
