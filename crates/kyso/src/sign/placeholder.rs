//! The PDF side of signing: the incremental update that adds the signature field, its widget
//! and the signature dictionary with /ByteRange and /Contents placeholders
//! (ISO 32000-1 §12.7.4.5, §12.8.1; ETSI EN 319 142-1 §5.3 for PAdES baseline entries).

use std::io::Write;

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::pdf::signatures::empty_signature_fields;
use crate::pdf::writer::write_object;
use crate::pdf::{Dict, Document, IncrementalUpdate, ObjRef, Object};

/// Width of each /ByteRange number placeholder (enough for files up to 10^10 bytes).
const BYTE_RANGE_DIGITS: usize = 10;

/// Entries of the signature dictionary chosen by the caller.
#[derive(Clone, Debug, Default)]
pub struct SignatureFields {
    /// The field name (/T); None picks a free `SignatureN`.
    pub field_name: Option<String>,
    /// /Reason (ISO 32000-1 §12.8.1, Table 252); None omits it.
    pub reason: Option<String>,
    /// /Location; None omits it.
    pub location: Option<String>,
    /// /ContactInfo; None omits it.
    pub contact_info: Option<String>,
    /// /Name; None omits it.
    pub name: Option<String>,
    /// /SubFilter, e.g. `ETSI.CAdES.detached`.
    pub sub_filter: String,
    /// The claimed signing time, written to /M in Vietnam time.
    pub signing_time: Option<OffsetDateTime>,
    /// 1-based page that gets the (invisible) widget.
    pub page: usize,
    /// Make this a certification signature with DocMDP /P (1, 2 or 3; ISO 32000-1 §12.8.2.2).
    pub certify: Option<u8>,
    /// A document time-stamp (ISO 32000-2 §12.8.5): /Type /DocTimeStamp, no /M or names.
    pub doc_timestamp: bool,
    /// A visible widget (page, rectangle, appearance); None writes an invisible one.
    pub appearance: Option<crate::appearance::Widget>,
}

/// An update ready to be appended, with where its placeholders are.
pub struct PreparedUpdate {
    /// The update's bytes (the /ByteRange already filled in).
    pub bytes: Vec<u8>,
    /// Offset within `bytes` of the `<` opening the /Contents string.
    pub contents_start: usize,
    /// Offset within `bytes` just past the `>` closing it.
    pub contents_end: usize,
    /// The final /ByteRange.
    pub byte_range: [u64; 4],
    /// The name (/T) of the field the update adds.
    pub field_name: String,
}

impl PreparedUpdate {
    /// Capacity of /Contents in bytes of DER.
    pub fn capacity(&self) -> usize {
        (self.contents_end - self.contents_start - 2) / 2
    }

    /// Writes the hex of `der` into the placeholder (the rest stays zero padding).
    pub fn fill_contents(&mut self, der: &[u8]) -> Result<()> {
        if der.len() > self.capacity() {
            return Err(Error::Crypto(format!(
                "the signature ({} bytes) is larger than the space reserved for it ({} bytes)",
                der.len(),
                self.capacity()
            )));
        }
        let start = self.contents_start + 1;
        let room = &mut self.bytes[start..start + 2 * der.len()];
        for (pair, b) in room.chunks_exact_mut(2).zip(der) {
            pair.copy_from_slice(&crate::pdf::writer::hex_upper(*b));
        }
        Ok(())
    }
}

/// Builds the update for a new signature on top of `doc`.
///
/// `contents_capacity` is the room in /Contents, in bytes of DER. `base_len` is the length of
/// the bytes the update will follow (the original file, plus a newline when it lacks one).
pub fn prepare(
    doc: &Document,
    fields: &SignatureFields,
    contents_capacity: usize,
    base_len: u64,
    leading_eol: bool,
) -> Result<PreparedUpdate> {
    let rev = doc.last_revision();
    let mut update = IncrementalUpdate::new(doc);
    let catalog_ref = doc.catalog_ref_at(rev)?;
    let mut catalog = doc.catalog_at(rev)?;

    // Field name: reuse an empty signature field of that name, else a new unique one.
    let existing = doc.fields_at(rev)?;
    let empty = empty_signature_fields(doc)?;
    let (field_name, reuse) = match &fields.field_name {
        Some(name) => {
            if let Some(f) = empty.iter().find(|f| &f.name == name) {
                (name.clone(), f.reference)
            } else if existing.iter().any(|f| &f.name == name) {
                return Err(Error::Needs {
                    need: crate::error::Need::OtherFieldName,
                    detail: format!(
                        "the document already has a field named '{name}' (signed or not a signature field)"
                    ),
                });
            } else {
                (name.clone(), None)
            }
        }
        None => {
            let n = (1..)
                .find(|i| !existing.iter().any(|f| f.name == format!("Signature{i}")))
                .unwrap_or(1);
            (format!("Signature{n}"), None)
        }
    };
    if field_name.contains('.') {
        return Err(Error::InvalidArgument(
            "a signature field name must not contain '.'".into(),
        ));
    }

    let sig_ref = update.allocate();

    let field_ref = match reuse {
        Some(_) if fields.appearance.is_some() => {
            return Err(Error::Needs {
                need: crate::error::Need::OtherFieldName,
                detail: format!(
                    "the empty signature field '{field_name}' has its own widget; a visible signature needs a new field"
                ),
            });
        }
        Some(field_ref) => {
            // ISO 32000-1 §12.7.4.5: put the value into the existing empty field.
            let mut field = doc
                .resolve_dict_at(rev, &Object::Ref(field_ref))?
                .ok_or_else(|| {
                    Error::MalformedPdf("empty signature field is not a dictionary".into())
                })?;
            field.set("V", Object::Ref(sig_ref));
            update.set(field_ref, Object::Dict(field));
            field_ref
        }
        None => {
            let pages = doc.pages_at(rev)?;
            let page_no = match &fields.appearance {
                Some(w) => w.page + 1,
                None => fields.page,
            };
            let page_ref = *pages.get(page_no.saturating_sub(1)).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "page {} does not exist (the document has {} pages)",
                    page_no,
                    pages.len()
                ))
            })?;
            let field_ref = update.allocate();
            let (ap_ref, rect) = match &fields.appearance {
                // ISO 32000-1 §12.5.5: the normal appearance draws the visible signature.
                Some(w) => (
                    Some(w.write_form(&mut update)?),
                    w.rect
                        .iter()
                        .map(|v| Object::Real((v * 1000.0).round() / 1000.0))
                        .collect(),
                ),
                // A document time-stamp gets no appearance (ISO 32000-2 §12.8.5 recommends it;
                // PDF/A does not require one for a zero-size widget): verifiers such as pyHanko
                // treat an appearance as more than an LTA update.
                None if fields.doc_timestamp => (None, vec![Object::Int(0); 4]),
                None => {
                    // An empty appearance keeps strict viewers happy with an invisible widget.
                    let ap_ref = update.allocate();
                    let mut ap = Dict::new();
                    ap.set("Type", Object::name("XObject"));
                    ap.set("Subtype", Object::name("Form"));
                    ap.set("BBox", Object::Array(vec![Object::Int(0); 4]));
                    update.set_stream(ap_ref, ap, Vec::new());
                    (Some(ap_ref), vec![Object::Int(0); 4])
                }
            };

            let mut field = Dict::new();
            field.set("FT", Object::name("Sig"));
            field.set("T", Object::text(&field_name));
            field.set("V", Object::Ref(sig_ref));
            field.set("Type", Object::name("Annot"));
            field.set("Subtype", Object::name("Widget"));
            field.set("Rect", Object::Array(rect));
            // ISO 32000-1 §12.5.3: Print (4) + Locked (128).
            field.set("F", Object::Int(132));
            field.set("P", Object::Ref(page_ref));
            if let Some(ap_ref) = ap_ref {
                let mut apd = Dict::new();
                apd.set("N", Object::Ref(ap_ref));
                field.set("AP", Object::Dict(apd));
            }
            if let Some(w) = &fields.appearance {
                // Lets a later organization signature find the leader's picture.
                field.set(crate::appearance::ROLE_KEY, Object::name(w.role.as_str()));
            }
            update.set(field_ref, Object::Dict(field));

            add_to_page_annots(doc, rev, &mut update, page_ref, field_ref)?;
            field_ref
        }
    };

    add_to_acroform(
        doc,
        rev,
        &mut update,
        catalog_ref,
        &mut catalog,
        field_ref,
        reuse.is_none(),
    )?;
    if fields.certify.is_some() {
        // ISO 32000-1 §12.8.4: /Perms /DocMDP names the certification signature.
        let mut perms = Dict::new();
        perms.set("DocMDP", Object::Ref(sig_ref));
        catalog.set("Perms", Object::Dict(perms));
        update.set(catalog_ref, Object::Dict(catalog.clone()));
    }

    // The signature dictionary, written by hand so the placeholders' offsets are known.
    let mut sig = Vec::new();
    if fields.doc_timestamp {
        // ISO 32000-2 §12.8.5: the time is the token's; the dictionary names no signer.
        sig.extend_from_slice(b"<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter ");
        write_object(&mut sig, &Object::name(&fields.sub_filter));
    } else {
        sig.extend_from_slice(b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter ");
        write_object(&mut sig, &Object::name(&fields.sub_filter));
        let time = fields.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
        sig.extend_from_slice(b" /M ");
        // In an encrypted document the strings are encrypted with the signature object's key
        // (ISO 32000-1 §7.6.2); /Contents is not (ISO 32000-2 §7.6.2).
        let m = Object::literal(crate::vntime::to_pdf_date(time));
        write_object(&mut sig, &update.encrypted(sig_ref, m)?);
        for (key, value) in [
            ("Name", &fields.name),
            ("Reason", &fields.reason),
            ("Location", &fields.location),
            ("ContactInfo", &fields.contact_info),
        ] {
            if let Some(v) = value {
                let _ = write!(sig, " /{key} ");
                write_object(&mut sig, &update.encrypted(sig_ref, Object::text(v))?);
            }
        }
    }
    if let Some(p) = fields.certify {
        // ISO 32000-1 §12.8.1 Table 253 (/Reference), Table 254 (DocMDP transform parameters).
        let _ = write!(
            sig,
            " /Reference [<</Type /SigRef /TransformMethod /DocMDP /TransformParams <</Type /TransformParams /P {p} /V /1.2>>>>]"
        );
    }
    sig.extend_from_slice(b"\n/ByteRange [0 ");
    let br_marker = sig.len();
    let br_width = 3 * BYTE_RANGE_DIGITS + 2;
    sig.extend(std::iter::repeat_n(b' ', br_width));
    sig.extend_from_slice(b"]\n/Contents <");
    let contents_rel = sig.len() - 1;
    sig.extend(std::iter::repeat_n(b'0', contents_capacity * 2));
    sig.extend_from_slice(b">>>");
    update.set_raw(sig_ref, sig);

    let written = update.write(base_len, leading_eol, None)?;
    let sig_offset = written
        .offsets
        .iter()
        .find(|(r, _)| *r == sig_ref)
        .map(|(_, o)| *o)
        .ok_or_else(|| Error::Crypto("internal: signature object not written".into()))?;
    let header = format!("{} {} obj\n", sig_ref.num, sig_ref.gen).len();
    let mut bytes = written.bytes;
    let contents_start = sig_offset + header + contents_rel;
    let contents_end = contents_start + contents_capacity * 2 + 2;
    let total = base_len + bytes.len() as u64;
    let byte_range = [
        0,
        base_len + contents_start as u64,
        base_len + contents_end as u64,
        total - (base_len + contents_end as u64),
    ];
    let text = format!("{} {} {}", byte_range[1], byte_range[2], byte_range[3]);
    if text.len() > br_width {
        return Err(Error::UnsupportedPdf(
            "file too large for the /ByteRange placeholder".into(),
        ));
    }
    let at = sig_offset + header + br_marker;
    bytes[at..at + text.len()].copy_from_slice(text.as_bytes());
    debug_assert_eq!(bytes[contents_start], b'<');
    debug_assert_eq!(bytes[contents_end - 1], b'>');
    Ok(PreparedUpdate {
        bytes,
        contents_start,
        contents_end,
        byte_range,
        field_name,
    })
}

/// Adds the widget to the page's /Annots (ISO 32000-1 §12.5.2), rewriting whichever object
/// holds the array.
fn add_to_page_annots(
    doc: &Document,
    rev: usize,
    update: &mut IncrementalUpdate,
    page_ref: ObjRef,
    widget: ObjRef,
) -> Result<()> {
    let mut page = doc
        .resolve_dict_at(rev, &Object::Ref(page_ref))?
        .ok_or_else(|| Error::MalformedPdf("page is not a dictionary".into()))?;
    match page.get("Annots").cloned() {
        Some(Object::Ref(arr_ref)) => {
            let mut arr = match doc.get_at(rev, arr_ref)? {
                Object::Array(a) => a,
                _ => Vec::new(),
            };
            arr.push(Object::Ref(widget));
            update.set(arr_ref, Object::Array(arr));
        }
        Some(Object::Array(mut arr)) => {
            arr.push(Object::Ref(widget));
            page.set("Annots", Object::Array(arr));
            update.set(page_ref, Object::Dict(page));
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Ref(widget)]));
            update.set(page_ref, Object::Dict(page));
        }
    }
    Ok(())
}

/// Adds the field to /AcroForm /Fields and sets /SigFlags 3 (SignaturesExist | AppendOnly,
/// ISO 32000-1 §12.7.2, Table 219).
fn add_to_acroform(
    doc: &Document,
    rev: usize,
    update: &mut IncrementalUpdate,
    catalog_ref: ObjRef,
    catalog: &mut Dict,
    field: ObjRef,
    add_field: bool,
) -> Result<()> {
    let acro_entry = catalog.get("AcroForm").cloned();
    let (mut acroform, acro_ref) = match &acro_entry {
        Some(Object::Ref(r)) => (
            doc.resolve_dict_at(rev, &Object::Ref(*r))?
                .unwrap_or_default(),
            Some(*r),
        ),
        Some(Object::Dict(d)) => (d.clone(), None),
        _ => (Dict::new(), None),
    };
    if add_field {
        match acroform.get("Fields").cloned() {
            Some(Object::Ref(arr_ref)) => {
                let mut arr = match doc.get_at(rev, arr_ref)? {
                    Object::Array(a) => a,
                    _ => Vec::new(),
                };
                arr.push(Object::Ref(field));
                update.set(arr_ref, Object::Array(arr));
            }
            Some(Object::Array(mut arr)) => {
                arr.push(Object::Ref(field));
                acroform.set("Fields", Object::Array(arr));
            }
            _ => acroform.set("Fields", Object::Array(vec![Object::Ref(field)])),
        }
    }
    acroform.set("SigFlags", Object::Int(3));
    match acro_ref {
        Some(r) => update.set(r, Object::Dict(acroform)),
        None => {
            let r = update.allocate();
            update.set(r, Object::Dict(acroform));
            catalog.set("AcroForm", Object::Ref(r));
            update.set(catalog_ref, Object::Dict(catalog.clone()));
        }
    }
    Ok(())
}
