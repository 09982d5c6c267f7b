//! Writing the Document Security Store (ETSI EN 319 142-1 §5.4.2.2; ISO 32000-2 §12.8.4.3)
//! as an incremental update: the existing /Certs, /OCSPs, /CRLs arrays (direct or indirect)
//! extended with new streams, and a /VRI entry per signature.

use crate::error::Result;
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
    let (mut dss, dss_ref) = match catalog.get("DSS").cloned() {
        Some(Object::Ref(r)) => (
            doc.resolve_dict_at(rev, &Object::Ref(r))?
                .unwrap_or_default(),
            Some(r),
        ),
        Some(Object::Dict(d)) => (d, None),
        _ => (Dict::new(), None),
    };
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
        Some(v) => doc.resolve_dict_at(rev, v)?.unwrap_or_default(),
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
            Some(v) => doc.resolve_dict_at(rev, v)?.unwrap_or_default(),
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
            .unwrap_or_default(),
        None => Vec::new(),
    })
}

/// (decoded DER, reference) of the streams already in the DSS arrays.
fn existing_stream_refs(doc: &Document, rev: usize, dss: &Dict) -> Result<Vec<(Vec<u8>, ObjRef)>> {
    let mut out = Vec::new();
    for key in ["Certs", "OCSPs", "CRLs"] {
        for item in existing_array(doc, rev, dss, key)? {
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
