//! Signature fields and signature dictionaries as they stand in a file (ISO 32000-1 §12.7.4.5,
//! §12.8.1), with the exact byte span of each /Contents string.

use super::document::{Document, FormField};
use super::object::{Dict, ObjRef, Object};
use super::parser::Parser;
use super::xref::{with_window, XrefEntry};
use crate::error::{Error, Result};

/// A signature dictionary found through one or more signature fields.
#[derive(Clone, Debug)]
pub struct SignatureEntry {
    /// Names of the fields whose /V is this dictionary (one dictionary may be shared).
    pub field_names: Vec<String>,
    /// The signature dictionary's own object, when /V is a reference.
    pub reference: Option<ObjRef>,
    /// The signature dictionary (ISO 32000-1 §12.8.1, Table 252), resolved.
    pub dict: Dict,
    /// /ByteRange as written (numbers only; anything else makes it None).
    pub byte_range: Option<Vec<i64>>,
    /// The /Contents bytes, hex-decoded: the CMS encoding followed by zero padding.
    pub contents: Vec<u8>,
    /// Byte span `[start, end)` in the file of the /Contents string, delimiters included.
    pub contents_span: Option<(u64, u64)>,
    /// Why the span could not be found, when it could not.
    pub span_problem: Option<String>,
    /// Whether /Contents is written as a hexadecimal string (ISO 32000-1 §12.8.1, Table 252).
    pub contents_hex: bool,
}

/// Why a signature's /Contents is not what ISO 32000-1 §12.8.1 asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContentsProblem {
    /// /Contents is not a hexadecimal string.
    NotHex,
    /// Bytes other than zero padding follow the CMS (unsigned bytes anyone may change).
    DataAfterSignature {
        /// How many bytes follow the CMS encoding, up to the last non-zero one.
        bytes: usize,
    },
}

impl SignatureEntry {
    /// /Contents must be a hexadecimal string holding the DER-encoded CMS followed only by
    /// zero padding (ISO 32000-1 §12.8.1; ISO 32000-2 §12.8.1: "hexadecimal string").
    pub fn contents_problem(&self) -> Option<ContentsProblem> {
        if !self.contents_hex {
            return Some(ContentsProblem::NotHex);
        }
        let mut r = crate::asn1::reader::Reader::new(&self.contents);
        // An unreadable CMS is reported by the CMS check itself.
        r.read().ok()?;
        let rest = &self.contents[r.position()..];
        let bytes = rest.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        (bytes > 0).then_some(ContentsProblem::DataAfterSignature { bytes })
    }

    fn text(&self, key: &str) -> Option<String> {
        self.dict.get(key).and_then(Object::as_text)
    }

    /// /SubFilter: the signature encoding (`adbe.pkcs7.detached`, `ETSI.CAdES.detached`,
    /// `ETSI.RFC3161`...).
    pub fn sub_filter(&self) -> Option<String> {
        self.dict
            .name("SubFilter")
            .map(|n| String::from_utf8_lossy(n).into_owned())
    }

    /// /Filter: the preferred handler (usually `Adobe.PPKLite`); informative.
    pub fn filter(&self) -> Option<String> {
        self.dict
            .name("Filter")
            .map(|n| String::from_utf8_lossy(n).into_owned())
    }

    /// A document time-stamp (ISO 32000-2 §12.8.5) rather than a signature.
    pub fn is_document_timestamp(&self) -> bool {
        self.dict.has_name("Type", "DocTimeStamp")
            || self.dict.has_name("SubFilter", "ETSI.RFC3161")
    }

    /// /M, the claimed signing time, as written.
    pub fn signing_time_raw(&self) -> Option<String> {
        self.text("M")
    }
    /// /Reason as text, if given.
    pub fn reason(&self) -> Option<String> {
        self.text("Reason")
    }
    /// /Location as text, if given.
    pub fn location(&self) -> Option<String> {
        self.text("Location")
    }
    /// /ContactInfo as text, if given.
    pub fn contact_info(&self) -> Option<String> {
        self.text("ContactInfo")
    }
    /// /Name: the signer's name as the signing software wrote it (not from the certificate; not
    /// trusted).
    pub fn name(&self) -> Option<String> {
        self.text("Name")
    }

    /// Whether a /Reference entry asks for DocMDP (a certification signature, ISO 32000-1
    /// §12.8.2.2).
    pub fn is_certification(&self, doc: &Document) -> bool {
        let Some(refs) = self.dict.get("Reference") else {
            return false;
        };
        // Unreadable: not taken as a certification. The signed dictionary and its /Reference
        // are covered by the signature; a later revision that makes them unreadable redefines
        // objects the signed revision uses, which the diff refuses on its own.
        let Ok(refs) = doc.resolve(refs) else {
            return false;
        };
        refs.as_array().unwrap_or(&[]).iter().any(|r| {
            doc.resolve_dict_at(doc.last_revision(), r)
                .ok()
                .flatten()
                .is_some_and(|d| d.has_name("TransformMethod", "DocMDP"))
        })
    }
}

/// The DocMDP access permissions of the document's certification signature, if it has one
/// (ISO 32000-1 §12.8.2.2, Table 254: 1 no changes, 2 form filling and signing, 3 also
/// annotations; 2 when /P is absent). Found through the catalog's /Perms /DocMDP.
pub fn docmdp_permission(doc: &Document) -> Result<Option<i64>> {
    let rev = doc.last_revision();
    let catalog = doc.catalog_at(rev)?;
    let Some(perms) = catalog.get("Perms") else {
        return Ok(None);
    };
    let Some(perms) = doc.resolve_dict_at(rev, perms)? else {
        return Ok(None);
    };
    let Some(sig) = perms.get("DocMDP") else {
        return Ok(None);
    };
    let Some(sig) = doc.resolve_dict_at(rev, sig)? else {
        return Ok(None);
    };
    docmdp_permission_of(doc, rev, &sig).map(Some)
}

/// The DocMDP /P of the signature dictionary `sig` (its /Reference, ISO 32000-1 §12.8.2.2,
/// Tables 252-254) as revision `rev` defines the objects it refers to: 2 when it has no
/// /Reference or no DocMDP transform, 1 for one kyso cannot read as a permission.
///
/// # Errors
///
/// An object of the /Reference that cannot be read (a broken reference).
pub fn docmdp_permission_of(doc: &Document, rev: usize, sig: &Dict) -> Result<i64> {
    let refs = match sig.get("Reference") {
        Some(r) => doc.resolve_at(rev, r)?,
        None => return Ok(2),
    };
    // Table 252: /Reference is an array of signature references. One kyso cannot read gives
    // the most restrictive permission (fail closed), never the default.
    let Some(refs) = refs.as_array() else {
        return Ok(1);
    };
    for r in refs {
        // A reference that is not a dictionary is no DocMDP transform (another method's is
        // judged by its own reader, or not at all: it adds no permission).
        let Some(sigref) = doc.resolve_dict_at(rev, r)? else {
            continue;
        };
        if !sigref.has_name("TransformMethod", "DocMDP") {
            continue;
        }
        // Table 254: /P is 1, 2 or 3, 2 when absent. Any other value (not an integer, out of
        // range, parameters that are not a dictionary) is not read as a permission: 1.
        let p = match sigref.get("TransformParams") {
            None => 2,
            Some(params) => match doc.resolve_dict_at(rev, params)? {
                None => 1,
                Some(params) => match params.get("P") {
                    None => 2,
                    Some(p) => doc
                        .resolve_at(rev, p)?
                        .as_int()
                        .filter(|p| (1..=3).contains(p))
                        .unwrap_or(1),
                },
            },
        };
        return Ok(p);
    }
    Ok(2)
}

/// All signature dictionaries reachable from signature fields in the newest revision, in file
/// order of their /Contents. Fields without a value (empty signature fields) are not listed.
///
/// # Errors
///
/// [`Error::MalformedPdf`] (or another read error) when the catalog, the form fields or a
/// signature dictionary cannot be read: a signature that cannot be found is never "no
/// signature". A /Contents that is present but wrong is not an error here; it is reported by
/// [`SignatureEntry::contents_problem`] and `span_problem`.
pub fn find_signatures(doc: &Document) -> Result<Vec<SignatureEntry>> {
    let rev = doc.last_revision();
    let fields = doc.fields_at(rev)?;
    let mut out: Vec<SignatureEntry> = Vec::new();
    for field in fields.iter().filter(|f| f.is_signature()) {
        let Some(v) = field.dict.get("V") else {
            continue;
        };
        let reference = v.as_ref();
        if let Some(r) = reference {
            if let Some(existing) = out.iter_mut().find(|e| e.reference == Some(r)) {
                existing.field_names.push(field.name.clone());
                continue;
            }
        }
        let Some(dict) = doc.resolve_dict_at(rev, v)? else {
            continue;
        };
        out.push(read_entry(doc, field, reference, dict)?);
    }
    out.sort_by_key(|e| e.contents_span.map(|s| s.0).unwrap_or(u64::MAX));
    Ok(out)
}

/// Empty signature fields (no /V), by name, in the newest revision.
pub fn empty_signature_fields(doc: &Document) -> Result<Vec<FormField>> {
    Ok(doc
        .fields_at(doc.last_revision())?
        .into_iter()
        .filter(|f| f.is_signature() && f.dict.get("V").is_none())
        .collect())
}

fn read_entry(
    doc: &Document,
    field: &FormField,
    reference: Option<ObjRef>,
    dict: Dict,
) -> Result<SignatureEntry> {
    let byte_range = dict.get("ByteRange").and_then(|b| {
        let b = doc.resolve(b).ok()?;
        b.as_array()?
            .iter()
            .map(Object::as_int)
            .collect::<Option<Vec<_>>>()
    });
    let contents = dict
        .get("Contents")
        .and_then(Object::as_bytes)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let contents_hex = dict
        .get("Contents")
        .and_then(Object::as_string)
        .is_some_and(|s| s.hex);
    // Locate the /Contents string in the file: in the signature dictionary's own object, or in
    // the field's object when /V is a direct dictionary.
    let (holder, path): (Option<ObjRef>, &[&str]) = match reference {
        Some(r) => (Some(r), &["Contents"]),
        None => (field.reference, &["V", "Contents"]),
    };
    let (contents_span, span_problem) = match holder {
        None => (
            None,
            Some("the signature dictionary is not an indirect object".into()),
        ),
        Some(h) => match doc.entry_at(doc.last_revision(), h.num) {
            Some(XrefEntry::InUse { offset, .. }) => {
                match with_window(doc.source().as_ref(), offset, 4096, |buf, at_end| {
                    Parser::new(buf, at_end).value_span(path)
                }) {
                    Ok(Some((s, e))) => (Some((offset + s as u64, offset + e as u64)), None),
                    Ok(None) => (
                        None,
                        Some("the signature dictionary has no /Contents".into()),
                    ),
                    Err(e) => (None, Some(e.to_string())),
                }
            }
            Some(XrefEntry::Compressed { .. }) => (
                None,
                Some("the signature dictionary is inside an object stream".into()),
            ),
            _ => (None, Some("the signature dictionary is missing".into())),
        },
    };
    Ok(SignatureEntry {
        field_names: vec![field.name.clone()],
        reference,
        dict,
        byte_range,
        contents,
        contents_span,
        span_problem,
        contents_hex,
    })
}

/// Reads a byte range of the document into `sink` in chunks (for hashing without holding it).
pub fn stream_range(
    doc: &Document,
    offset: u64,
    len: u64,
    mut sink: impl FnMut(&[u8]),
) -> Result<()> {
    if offset.checked_add(len).is_none_or(|end| end > doc.len()) {
        return Err(Error::MalformedPdf("byte range outside the file".into()));
    }
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < len {
        let want = ((len - done) as usize).min(buf.len());
        let got = doc.source().read_at(offset + done, &mut buf[..want])?;
        if got == 0 {
            return Err(Error::MalformedPdf("file shorter than expected".into()));
        }
        sink(&buf[..got]);
        done += got as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pdf::{IncrementalUpdate, MemorySource};

    /// congvan.pdf certified in appearance only: /Perms /DocMDP names a signature dictionary
    /// whose /Reference is `reference` (no signature value; only the permission is read).
    fn with_reference(reference: &str) -> Document {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/docs/congvan.pdf"
        );
        let mut bytes = std::fs::read(path).expect("congvan.pdf");
        let doc = Document::open(Arc::new(MemorySource::new(bytes.clone()))).unwrap();
        let mut update = IncrementalUpdate::new(&doc);
        let sig = update.allocate();
        let three = update.allocate();
        update.set(three, Object::Int(3));
        let text = format!("<< /Type /Sig /Reference {reference} >>")
            .replace("THREE", &format!("{} 0 R", three.num));
        let dict = Parser::new(text.as_bytes(), true).object(0).unwrap();
        update.set(sig, dict);
        let mut catalog = doc.catalog_at(0).unwrap();
        let mut perms = Dict::new();
        perms.set("DocMDP", Object::Ref(sig));
        catalog.set("Perms", Object::Dict(perms));
        update.set(doc.catalog_ref_at(0).unwrap(), Object::Dict(catalog));
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .unwrap();
        bytes.extend_from_slice(&written.bytes);
        Document::open(Arc::new(MemorySource::new(bytes))).unwrap()
    }

    fn permission(reference: &str) -> Option<i64> {
        docmdp_permission(&with_reference(reference)).expect("read")
    }

    /// ISO 32000-1 §12.8.2.2, Table 254: /P as written, 2 when absent; a value kyso cannot
    /// read as a permission is 1 (no changes), never the more permissive default.
    #[test]
    fn docmdp_permission_fails_closed() {
        let sigref =
            |params: &str| format!("[<< /Type /SigRef /TransformMethod /DocMDP {params} >>]");
        assert_eq!(permission(&sigref("/TransformParams << /P 1 >>")), Some(1));
        assert_eq!(permission(&sigref("/TransformParams << /P 3 >>")), Some(3));
        assert_eq!(
            permission(&sigref("/TransformParams << /P THREE >>")),
            Some(3)
        );
        assert_eq!(
            permission(&sigref("/TransformParams << /V /1.2 >>")),
            Some(2)
        );
        assert_eq!(permission(&sigref("")), Some(2));
        for bad in [
            "/TransformParams << /P 4 >>",
            "/TransformParams << /P 0 >>",
            "/TransformParams << /P 2.5 >>",
            "/TransformParams << /P (3) >>",
            "/TransformParams 3",
        ] {
            assert_eq!(permission(&sigref(bad)), Some(1), "{bad}");
        }
        assert_eq!(
            permission("<< /Type /SigRef /TransformMethod /DocMDP >>"),
            Some(1)
        );
    }
}
