//! Serialising objects and appending an incremental update (ISO 32000-1 §7.5.6).
//!
//! The original bytes are never touched: the update (new and changed objects, a cross-reference
//! section of the same kind as the file's newest one, and a trailer with /Prev) is appended.

use std::io::Write;

use super::crypt::SecurityHandler;
use super::document::Document;
use super::filters::deflate;
use super::object::{Dict, ObjRef, Object};
use super::xref::XrefKind;
use crate::error::Result;

/// The two upper-case hexadecimal digits of a byte (ISO 32000-1 §7.3.4.3).
pub fn hex_upper(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]
}

/// Writes `obj` in PDF syntax (a stream as its dictionary only; the data is the caller's).
pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => write_real(out, *r),
        Object::String(s) => {
            if s.hex {
                out.push(b'<');
                out.reserve(2 * s.bytes.len() + 1);
                for &b in &s.bytes {
                    out.extend_from_slice(&hex_upper(b));
                }
                out.push(b'>');
            } else {
                out.push(b'(');
                for &b in &s.bytes {
                    match b {
                        b'(' | b')' | b'\\' => {
                            out.push(b'\\');
                            out.push(b);
                        }
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        _ => out.push(b),
                    }
                }
                out.push(b')');
            }
        }
        Object::Name(n) => write_name(out, n),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(out, d),
        // A stream read from the file cannot be re-serialised without its data; callers write
        // streams with `IncrementalUpdate::add_stream`.
        Object::Stream(s) => write_dict(out, &s.dict),
        Object::Ref(r) => {
            let _ = write!(out, "{} {} R", r.num, r.gen);
        }
    }
}

/// Writes `d` as `<< /Key value ... >>` in entry order.
pub fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

/// ISO 32000-1 §7.3.5: bytes outside `!`..`~`, delimiters and `#` are written as `#xx`.
fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if (b'!'..=b'~').contains(&b) && !super::parser::is_delimiter(b) && b != b'#' {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

/// Reals without exponent (ISO 32000-1 §7.3.3); Rust's shortest round-trip form never uses one.
fn write_real(out: &mut Vec<u8>, r: f64) {
    if r.fract() == 0.0 && r.abs() < 1e15 {
        let _ = write!(out, "{}", r as i64);
    } else {
        let _ = write!(out, "{r}");
    }
}

enum Body {
    Object(Object),
    /// Bytes written verbatim between `obj` and `endobj`.
    Raw(Vec<u8>),
    Stream {
        dict: Dict,
        data: Vec<u8>,
    },
}

/// An incremental update being assembled.
pub struct IncrementalUpdate {
    objects: Vec<(ObjRef, Body)>,
    next_number: u32,
    xref_kind: XrefKind,
    prev: u64,
    base_trailer: Dict,
    /// The document's security handler: new strings and streams are encrypted with its key
    /// (ISO 32000-1 §7.6.2), each with the object key of its new object.
    crypt: Option<SecurityHandler>,
}

/// The bytes of an update and where in them an object starts.
pub struct WrittenUpdate {
    /// The bytes to append to the file, from the first new object to `%%EOF`.
    pub bytes: Vec<u8>,
    /// (object, offset of its `N G obj` within `bytes`).
    pub offsets: Vec<(ObjRef, usize)>,
}

impl IncrementalUpdate {
    /// Starts an update on top of `doc`'s newest revision.
    pub fn new(doc: &Document) -> Self {
        let last = &doc.revisions[doc.last_revision()];
        IncrementalUpdate {
            objects: Vec::new(),
            next_number: doc.next_object_number(),
            xref_kind: match last.kind {
                XrefKind::Stream => XrefKind::Stream,
                XrefKind::Table | XrefKind::Hybrid => XrefKind::Table,
            },
            prev: doc.startxref,
            base_trailer: last.trailer.clone(),
            crypt: doc.security().cloned(),
        }
    }

    /// `obj` as it must be written inside object `r`: its strings encrypted when the document
    /// is (for objects the caller serialises itself, see [`IncrementalUpdate::set_raw`]).
    pub fn encrypted(&self, r: ObjRef, mut obj: Object) -> Result<Object> {
        if let Some(crypt) = &self.crypt {
            crypt.encrypt_object(r, &mut obj)?;
        }
        Ok(obj)
    }

    /// The kind of cross-reference section the update will be written with (a stream when the
    /// newest revision has one, a table otherwise).
    pub fn xref_kind(&self) -> XrefKind {
        self.xref_kind
    }

    /// Reserves the number of a new object.
    pub fn allocate(&mut self) -> ObjRef {
        let r = ObjRef::new(self.next_number, 0);
        self.next_number += 1;
        r
    }

    /// Adds (or replaces) object `r` with a new definition.
    pub fn set(&mut self, r: ObjRef, obj: Object) {
        self.put(r, Body::Object(obj));
    }

    /// Adds (or replaces) a stream object; /Length is set here.
    pub fn set_stream(&mut self, r: ObjRef, mut dict: Dict, data: Vec<u8>) {
        dict.set("Length", Object::Int(data.len() as i64));
        self.put(r, Body::Stream { dict, data });
    }

    /// Adds an object whose serialisation the caller wrote (e.g. with placeholders); in an
    /// encrypted document its strings must come from [`IncrementalUpdate::encrypted`].
    pub fn set_raw(&mut self, r: ObjRef, bytes: Vec<u8>) {
        self.put(r, Body::Raw(bytes));
    }

    fn put(&mut self, r: ObjRef, body: Body) {
        if let Some(slot) = self.objects.iter_mut().find(|(o, _)| *o == r) {
            slot.1 = body;
        } else {
            self.objects.push((r, body));
        }
    }

    /// Serialises the update. `base_len` is the length of the original file (offsets in the
    /// cross-reference section are absolute). `needs_leading_eol` adds a newline first when the
    /// original does not end with one.
    pub fn write(
        &self,
        base_len: u64,
        needs_leading_eol: bool,
        file_id: Option<Object>,
    ) -> Result<WrittenUpdate> {
        let mut out = Vec::new();
        if needs_leading_eol {
            out.push(b'\n');
        }
        let mut offsets = Vec::new();
        for (r, body) in &self.objects {
            offsets.push((*r, out.len()));
            let _ = writeln!(out, "{} {} obj", r.num, r.gen);
            match body {
                Body::Object(o) if self.crypt.is_some() => {
                    write_object(&mut out, &self.encrypted(*r, o.clone())?)
                }
                Body::Object(o) => write_object(&mut out, o),
                Body::Raw(bytes) => out.extend_from_slice(bytes),
                Body::Stream { dict, data } => {
                    let (dict, data) = match &self.crypt {
                        Some(crypt) => {
                            let data = crypt.encrypt_stream(*r, dict, data)?;
                            let mut dict = dict.clone();
                            crypt.encrypt_dict(*r, &mut dict)?;
                            dict.set("Length", Object::Int(data.len() as i64));
                            (std::borrow::Cow::Owned(dict), std::borrow::Cow::Owned(data))
                        }
                        None => (
                            std::borrow::Cow::Borrowed(dict),
                            std::borrow::Cow::Borrowed(data),
                        ),
                    };
                    write_dict(&mut out, &dict);
                    out.extend_from_slice(b"\nstream\n");
                    out.extend_from_slice(&data);
                    out.extend_from_slice(b"\nendstream");
                }
            }
            out.extend_from_slice(b"\nendobj\n");
        }

        let mut trailer = Dict::new();
        // ISO 32000-1 §7.6.1: every revision of an encrypted document keeps its /Encrypt.
        for key in ["Root", "Info", "Encrypt"] {
            if let Some(v) = self.base_trailer.get(key) {
                trailer.set(key, v.clone());
            }
        }
        // An encrypted document keeps its /ID: the key depends on its first string.
        let file_id = file_id.filter(|_| self.crypt.is_none());
        if let Some(id) = file_id.or_else(|| self.base_trailer.get("ID").cloned()) {
            trailer.set("ID", id);
        }
        trailer.set("Prev", Object::Int(self.prev as i64));

        let mut entries: Vec<(u32, u64, u16)> = offsets
            .iter()
            .map(|(r, off)| (r.num, base_len + *off as u64, r.gen))
            .collect();
        let xref_offset;
        match self.xref_kind {
            XrefKind::Table | XrefKind::Hybrid => {
                entries.sort_unstable();
                trailer.set("Size", Object::Int(self.next_number as i64));
                xref_offset = base_len + out.len() as u64;
                out.extend_from_slice(b"xref\n");
                // ISO 32000-1 §7.5.4: subsections of consecutive numbers; entries are 20 bytes.
                for run in consecutive_runs(&entries) {
                    let _ = writeln!(out, "{} {}", run[0].0, run.len());
                    for (_, off, gen) in run {
                        let _ = write!(out, "{off:010} {gen:05} n\r\n");
                    }
                }
                out.extend_from_slice(b"trailer\n");
                write_dict(&mut out, &trailer);
                out.push(b'\n');
            }
            XrefKind::Stream => {
                // ISO 32000-1 §7.5.8: the xref stream describes itself too.
                let own = ObjRef::new(self.next_number, 0);
                let own_offset = base_len + out.len() as u64;
                entries.push((own.num, own_offset, 0));
                entries.sort_unstable();
                let max_offset = entries.iter().map(|e| e.1).max().unwrap_or(0);
                let offset_width: usize = if max_offset > u32::MAX as u64 { 8 } else { 4 };
                let mut data = Vec::with_capacity(entries.len() * (offset_width + 3));
                let mut index = Vec::new();
                for run in consecutive_runs(&entries) {
                    index.push(Object::Int(run[0].0 as i64));
                    index.push(Object::Int(run.len() as i64));
                    for (_, off, gen) in run {
                        data.push(1);
                        data.extend_from_slice(&off.to_be_bytes()[8 - offset_width..]);
                        data.extend_from_slice(&gen.to_be_bytes());
                    }
                }
                let compressed = deflate(&data);
                let mut dict = Dict::new();
                dict.set("Type", Object::name("XRef"));
                dict.set("Size", Object::Int(self.next_number as i64 + 1));
                dict.set("Index", Object::Array(index));
                dict.set(
                    "W",
                    Object::Array(vec![
                        Object::Int(1),
                        Object::Int(offset_width as i64),
                        Object::Int(2),
                    ]),
                );
                dict.set("Filter", Object::name("FlateDecode"));
                for (k, v) in trailer.iter() {
                    dict.set(&String::from_utf8_lossy(k), v.clone());
                }
                dict.set("Length", Object::Int(compressed.len() as i64));
                xref_offset = own_offset;
                let _ = writeln!(out, "{} 0 obj", own.num);
                write_dict(&mut out, &dict);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(&compressed);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
        }
        let _ = write!(out, "startxref\n{xref_offset}\n%%EOF\n");
        Ok(WrittenUpdate {
            bytes: out,
            offsets,
        })
    }
}

fn consecutive_runs(entries: &[(u32, u64, u16)]) -> Vec<&[(u32, u64, u16)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[i - 1].0 + 1 {
            if start < i {
                runs.push(&entries[start..i]);
            }
            start = i;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::PdfString;

    #[test]
    fn serialises_round_trip() {
        let mut d = Dict::new();
        d.set("Type", Object::name("Sig"));
        d.set("Odd Name", Object::Int(-3));
        d.set("R", Object::Real(0.25));
        d.set("S", Object::literal(b"a(b)\\".to_vec()));
        d.set(
            "H",
            Object::String(PdfString {
                bytes: vec![0xFE, 0xFF],
                hex: true,
            }),
        );
        d.set(
            "A",
            Object::Array(vec![Object::Ref(ObjRef::new(3, 0)), Object::Null]),
        );
        let mut out = Vec::new();
        write_dict(&mut out, &d);
        let back = crate::pdf::parser::Parser::new(&out, true)
            .object(0)
            .unwrap();
        assert_eq!(back, Object::Dict(d));
    }
}
