//! The PDF object model (ISO 32000-1 §7.3): the eight basic types plus indirect references,
//! as the (private) parser reads them and [`super::writer`] writes them. Dictionaries keep their
//! entry order, and strings remember whether they were hexadecimal, so rewritten objects stay
//! recognisable in difference analysis.

use std::fmt;

/// An indirect reference `N G R` (ISO 32000-1 §7.3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number (1 and up; 0 is the head of the free list).
    pub num: u32,
    /// Generation number (0 for objects never freed and reused).
    pub gen: u16,
}

impl ObjRef {
    /// The reference `num gen R`.
    pub fn new(num: u32, gen: u16) -> Self {
        ObjRef { num, gen }
    }
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} R", self.num, self.gen)
    }
}

/// A PDF string, with the form it was written in (literal `( )` or hexadecimal `< >`).
#[derive(Clone, Debug, PartialEq)]
pub struct PdfString {
    /// The string's bytes after unescaping (literal) or hex decoding, and decryption.
    pub bytes: Vec<u8>,
    /// Whether it is (or will be written as) a hexadecimal string.
    pub hex: bool,
}

/// A dictionary, keeping the order of its entries (so rewritten objects stay recognisable).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dict {
    entries: Vec<(Vec<u8>, Object)>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dict::default()
    }

    /// The value of `key` (a name without the slash), if present.
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_slice() == key.as_bytes())
            .map(|(_, v)| v)
    }

    /// Sets `key`, replacing an existing entry in place or appending a new one.
    pub fn set(&mut self, key: &str, value: Object) {
        if let Some(slot) = self
            .entries
            .iter_mut()
            .find(|(k, _)| k.as_slice() == key.as_bytes())
        {
            slot.1 = value;
        } else {
            self.entries.push((key.as_bytes().to_vec(), value));
        }
    }

    /// Removes `key` and returns its value, if present.
    pub fn remove(&mut self, key: &str) -> Option<Object> {
        let pos = self
            .entries
            .iter()
            .position(|(k, _)| k.as_slice() == key.as_bytes())?;
        Some(self.entries.remove(pos).1)
    }

    /// Appends an entry as parsed, without looking for an existing one (the parser refuses
    /// duplicate keys itself: ISO 32000-2 §7.3.7 forbids them and readers disagree on which wins).
    pub(crate) fn push_raw(&mut self, key: Vec<u8>, value: Object) {
        self.entries.push((key, value));
    }

    /// Whether `key` is present (a linear scan; the parser keeps a set for large dictionaries).
    pub(crate) fn contains_raw(&self, key: &[u8]) -> bool {
        self.entries.iter().any(|(k, _)| k.as_slice() == key)
    }

    /// The entries in file order; keys are names without the slash.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Object)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut Object)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_slice(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the dictionary has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `/Type` (or another name-valued key) as a string.
    pub fn name(&self, key: &str) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    /// Whether `key` holds the name `value`.
    pub fn has_name(&self, key: &str, value: &str) -> bool {
        self.name(key) == Some(value.as_bytes())
    }
}

/// A stream: its dictionary and where its (still encoded) data lies in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    /// The stream dictionary (/Length, /Filter, /DecodeParms, /Type...).
    pub dict: Dict,
    /// Offset of the first data byte in the file.
    pub data_offset: u64,
    /// Length of the encoded data (from /Length).
    pub data_len: u64,
    /// In an encrypted document, the object whose key encrypts the data (ISO 32000-1 §7.6.2);
    /// None when the data is not encrypted.
    pub encrypted_as: Option<ObjRef>,
}

/// A PDF object (ISO 32000-1 §7.3).
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (ISO 32000-1 §7.3.3).
    Int(i64),
    /// A real number (ISO 32000-1 §7.3.3; written without exponent).
    Real(f64),
    /// A string, literal or hexadecimal (ISO 32000-1 §7.3.4).
    String(PdfString),
    /// A name without the slash, `#xx` escapes decoded (ISO 32000-1 §7.3.5).
    Name(Vec<u8>),
    /// An array (ISO 32000-1 §7.3.6).
    Array(Vec<Object>),
    /// A dictionary (ISO 32000-1 §7.3.7).
    Dict(Dict),
    /// A stream: only as the direct value of an indirect object (ISO 32000-1 §7.3.8).
    Stream(Box<Stream>),
    /// An indirect reference; [`crate::pdf::Document::resolve`] follows it.
    Ref(ObjRef),
}

impl Object {
    /// The name `/s`.
    pub fn name(s: &str) -> Object {
        Object::Name(s.as_bytes().to_vec())
    }

    /// A literal string `( )` holding `bytes` as they are.
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Object {
        Object::String(PdfString {
            bytes: bytes.into(),
            hex: false,
        })
    }

    /// A text string (ISO 32000-1 §7.9.2.2): plain ASCII as a literal, anything else as
    /// UTF-16BE with a byte order mark (the encoding every reader understands).
    pub fn text(s: &str) -> Object {
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            Object::literal(s.as_bytes())
        } else {
            let mut bytes = vec![0xFE, 0xFF];
            for unit in s.encode_utf16() {
                bytes.extend_from_slice(&unit.to_be_bytes());
            }
            Object::String(PdfString { bytes, hex: true })
        }
    }

    /// The dictionary, or a stream's dictionary; `None` for anything else (a reference is not
    /// followed).
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The elements when this is an array.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The name's bytes (without slash) when this is a name.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The value when this is an integer (a real is `None`; see [`Object::as_f64`]).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A number, integer or real.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Int(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The reference when this is one (not resolved).
    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Object::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// The string when this is one.
    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }

    /// A string's bytes (decoded, not interpreted as text; see [`Object::as_text`]).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.as_string().map(|s| s.bytes.as_slice())
    }

    /// Decodes a text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding taken as
    /// Latin-1).
    pub fn as_text(&self) -> Option<String> {
        self.as_bytes().map(decode_text_string)
    }
}

/// Decodes a PDF text string (ISO 32000-1 §7.9.2.2, ISO 32000-2 adds UTF-8 with BOM).
pub fn decode_text_string(bytes: &[u8]) -> String {
    if bytes.len() >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(&bytes[3..]).into_owned()
    } else {
        // PDFDocEncoding agrees with Latin-1 on the printable ranges that matter here.
        bytes.iter().map(|&b| b as char).collect()
    }
}
