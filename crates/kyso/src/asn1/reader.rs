//! BER-tolerant TLV reader (ITU-T X.690 §8). Definite and indefinite lengths,
//! low and high tag numbers, constructed strings. Lengths are never trusted
//! beyond the input buffer and nesting is limited to [`MAX_DEPTH`].

use std::borrow::Cow;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{Error, Result};

/// Maximum nesting depth of constructed elements.
pub const MAX_DEPTH: usize = 64;

/// Universal tag numbers (X.680 §8.4).
pub mod tag {
    pub const BOOLEAN: u32 = 1;
    pub const INTEGER: u32 = 2;
    pub const BIT_STRING: u32 = 3;
    pub const OCTET_STRING: u32 = 4;
    pub const NULL: u32 = 5;
    pub const OID: u32 = 6;
    pub const ENUMERATED: u32 = 10;
    pub const UTF8_STRING: u32 = 12;
    pub const SEQUENCE: u32 = 16;
    pub const SET: u32 = 17;
    pub const NUMERIC_STRING: u32 = 18;
    pub const PRINTABLE_STRING: u32 = 19;
    pub const TELETEX_STRING: u32 = 20;
    pub const VIDEOTEX_STRING: u32 = 21;
    pub const IA5_STRING: u32 = 22;
    pub const UTC_TIME: u32 = 23;
    pub const GENERALIZED_TIME: u32 = 24;
    pub const GRAPHIC_STRING: u32 = 25;
    pub const VISIBLE_STRING: u32 = 26;
    pub const GENERAL_STRING: u32 = 27;
    pub const UNIVERSAL_STRING: u32 = 28;
    pub const BMP_STRING: u32 = 30;
}

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Asn1(msg.into()))
}

/// Tag class (X.690 §8.1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Universal,
    Application,
    Context,
    Private,
}

impl Class {
    fn from_bits(b: u8) -> Class {
        match b >> 6 {
            0 => Class::Universal,
            1 => Class::Application,
            2 => Class::Context,
            _ => Class::Private,
        }
    }

    fn bits(self) -> u8 {
        match self {
            Class::Universal => 0x00,
            Class::Application => 0x40,
            Class::Context => 0x80,
            Class::Private => 0xC0,
        }
    }
}

/// One decoded TLV element borrowing from the input.
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    pub class: Class,
    pub constructed: bool,
    pub number: u32,
    /// Header + contents (+ end-of-contents octets when indefinite).
    pub raw: &'a [u8],
    /// Contents octets only (without end-of-contents).
    pub value: &'a [u8],
    /// Encoded with the indefinite length form (X.690 §8.1.3.6).
    pub indefinite: bool,
    /// Length of identifier + length octets.
    pub header_len: usize,
    depth: usize,
}

/// Parses identifier octets (X.690 §8.1.2). Returns (class, constructed, number, len).
fn parse_identifier(data: &[u8]) -> Result<(Class, bool, u32, usize)> {
    let Some(&b0) = data.first() else {
        return err("unexpected end of data");
    };
    let class = Class::from_bits(b0);
    let constructed = b0 & 0x20 != 0;
    let low = u32::from(b0 & 0x1F);
    if low != 0x1F {
        return Ok((class, constructed, low, 1));
    }
    // X.690 §8.1.2.4: high tag number form.
    let mut number: u32 = 0;
    for i in 1..6 {
        let Some(&b) = data.get(i) else {
            return err("truncated tag");
        };
        if i == 1 && b == 0x80 {
            return err("non-minimal high tag number");
        }
        if number > (u32::MAX >> 7) {
            return err("tag number too large");
        }
        number = (number << 7) | u32::from(b & 0x7F);
        if b & 0x80 == 0 {
            return Ok((class, constructed, number, i + 1));
        }
    }
    err("tag number too large")
}

/// Parses one element at the start of `data` (X.690 §8.1). Returns it and its size.
fn parse_one(data: &[u8], depth: usize) -> Result<(Element<'_>, usize)> {
    if depth > MAX_DEPTH {
        return err(format!("nesting deeper than {MAX_DEPTH}"));
    }
    let (class, constructed, number, id_len) = parse_identifier(data)?;
    if class == Class::Universal && number == 0 {
        return err("unexpected end-of-contents");
    }
    let Some(&l0) = data.get(id_len) else {
        return err("truncated length");
    };
    let mut pos = id_len + 1;
    let avail = data.len();
    if l0 == 0x80 {
        // X.690 §8.1.3.6: indefinite form, constructed only.
        if !constructed {
            return err("indefinite length on a primitive element");
        }
        let header_len = pos;
        loop {
            match (data.get(pos), data.get(pos + 1)) {
                (Some(0), Some(0)) => {
                    return Ok((
                        Element {
                            class,
                            constructed,
                            number,
                            raw: &data[..pos + 2],
                            value: &data[header_len..pos],
                            indefinite: true,
                            header_len,
                            depth,
                        },
                        pos + 2,
                    ));
                }
                (None, _) | (Some(_), None) => return err("missing end-of-contents"),
                _ => {
                    let (_, n) = parse_one(&data[pos..], depth + 1)?;
                    pos += n;
                }
            }
        }
    }
    let len: usize = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0xFF {
        return err("reserved length octet 0xFF");
    } else {
        // X.690 §8.1.3.5: long form.
        let n = usize::from(l0 & 0x7F);
        if n > 8 {
            return err("length field too long");
        }
        let Some(bytes) = data.get(pos..pos + n) else {
            return err("truncated length");
        };
        pos += n;
        let mut v: u64 = 0;
        for &b in bytes {
            v = (v << 8) | u64::from(b);
        }
        usize::try_from(v).map_err(|_| Error::Asn1("length too large".into()))?
    };
    if len > avail - pos {
        return err(format!(
            "declared length {len} exceeds the {} bytes available",
            avail - pos
        ));
    }
    Ok((
        Element {
            class,
            constructed,
            number,
            raw: &data[..pos + len],
            value: &data[pos..pos + len],
            indefinite: false,
            header_len: pos,
            depth,
        },
        pos + len,
    ))
}

/// Sequential reader over the contents of a constructed element (or a whole buffer).
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// Reader over a top-level buffer.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
        }
    }

    /// True when all elements have been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads the next element.
    pub fn read(&mut self) -> Result<Element<'a>> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return err("unexpected end of data");
        }
        let (el, n) = parse_one(rest, self.depth)?;
        self.pos += n;
        Ok(el)
    }

    /// Reads exactly one element that must fill the whole input.
    pub fn read_single(mut self) -> Result<Element<'a>> {
        let el = self.read()?;
        self.finish("element")?;
        Ok(el)
    }

    /// Class, constructed flag and tag number of the next element, if any.
    pub fn peek(&self) -> Option<(Class, bool, u32)> {
        let rest = self.data.get(self.pos..)?;
        parse_identifier(rest).ok().map(|(c, k, n, _)| (c, k, n))
    }

    /// Reads the next element if it has context-specific tag `[n]`.
    pub fn read_optional_context(&mut self, n: u32) -> Result<Option<Element<'a>>> {
        match self.peek() {
            Some((Class::Context, _, m)) if m == n => self.read().map(Some),
            _ => Ok(None),
        }
    }

    /// Reads the next element if it has universal tag `n`.
    pub fn read_optional_universal(&mut self, n: u32) -> Result<Option<Element<'a>>> {
        match self.peek() {
            Some((Class::Universal, _, m)) if m == n => self.read().map(Some),
            _ => Ok(None),
        }
    }

    /// Reads the next element and requires universal tag `n`.
    pub fn read_universal(&mut self, n: u32, what: &str) -> Result<Element<'a>> {
        let el = self.read()?;
        el.expect_universal(n, what)?;
        Ok(el)
    }

    /// Fails if unread elements remain.
    pub fn finish(&self, what: &str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            err(format!("unexpected trailing data in {what}"))
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Element<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.is_empty() {
            return None;
        }
        let r = self.read();
        if r.is_err() {
            // Stop after the first error.
            self.pos = self.data.len();
        }
        Some(r)
    }
}

fn is_string_type(n: u32) -> bool {
    matches!(n, tag::OCTET_STRING | tag::UTF8_STRING | 18..=22 | 25..=30)
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn two_digits(s: &[u8], i: usize) -> Result<u8> {
    match (s.get(i), s.get(i + 1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Ok((a - b'0') * 10 + (b - b'0')),
        _ => err("invalid digits in time value"),
    }
}

/// Parses an optional fraction and the zone designator (`Z`, `±hhmm`, or nothing = UTC).
fn parse_zone(s: &[u8], mut i: usize) -> Result<(u32, UtcOffset)> {
    let mut nanos: u32 = 0;
    if matches!(s.get(i), Some(b'.') | Some(b',')) {
        i += 1;
        let mut scale = 100_000_000u32;
        let start = i;
        while let Some(d @ b'0'..=b'9') = s.get(i) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return err("empty fraction in time value");
        }
    }
    let off = match s.get(i) {
        None => UtcOffset::UTC,
        Some(b'Z') if i + 1 == s.len() => UtcOffset::UTC,
        Some(&sign @ (b'+' | b'-')) if i + 5 == s.len() => {
            let h = two_digits(s, i + 1)? as i8;
            let m = two_digits(s, i + 3)? as i8;
            let (h, m) = if sign == b'-' { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).map_err(|e| Error::Asn1(e.to_string()))?
        }
        _ => return err("invalid time zone in time value"),
    };
    Ok((nanos, off))
}

fn make_time(y: i32, fields: [u8; 5], nanos: u32, off: UtcOffset) -> Result<OffsetDateTime> {
    let [mo, d, h, mi, s] = fields;
    let month = Month::try_from(mo).map_err(|e| Error::Asn1(e.to_string()))?;
    let date = Date::from_calendar_date(y, month, d).map_err(|e| Error::Asn1(e.to_string()))?;
    // Leap second 60 is clamped to 59.
    let t = Time::from_hms_nano(h, mi, s.min(59), nanos.min(999_999_999))
        .map_err(|e| Error::Asn1(e.to_string()))?;
    Ok(PrimitiveDateTime::new(date, t)
        .assume_offset(off)
        .to_offset(UtcOffset::UTC))
}

impl<'a> Element<'a> {
    /// True for universal tag `n`.
    pub fn is_universal(&self, n: u32) -> bool {
        self.class == Class::Universal && self.number == n
    }

    /// True for context-specific tag `[n]`.
    pub fn is_context(&self, n: u32) -> bool {
        self.class == Class::Context && self.number == n
    }

    /// Nesting depth of this element (0 = top level).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Errors unless this element has universal tag `n`.
    pub fn expect_universal(&self, n: u32, what: &str) -> Result<()> {
        if self.is_universal(n) {
            Ok(())
        } else {
            err(format!(
                "{what}: expected universal tag {n}, found {:?} {}",
                self.class, self.number
            ))
        }
    }

    /// Reader over the children of a constructed element.
    pub fn children(&self) -> Result<Reader<'a>> {
        if !self.constructed {
            return err("expected a constructed element");
        }
        if self.depth + 1 > MAX_DEPTH {
            return err(format!("nesting deeper than {MAX_DEPTH}"));
        }
        Ok(Reader {
            data: self.value,
            pos: 0,
            depth: self.depth + 1,
        })
    }

    fn primitive(&self, what: &str) -> Result<&'a [u8]> {
        if self.constructed {
            return err(format!("{what} must be primitive"));
        }
        Ok(self.value)
    }

    /// INTEGER contents octets (two's complement, X.690 §8.3), any tag.
    pub fn integer_content(&self) -> Result<&'a [u8]> {
        let v = self.primitive("INTEGER")?;
        if v.is_empty() {
            return err("empty INTEGER");
        }
        // X.690 §8.3.2: the first nine bits are never all zeros or all ones (minimal encoding).
        if v.len() > 1 && ((v[0] == 0 && v[1] & 0x80 == 0) || (v[0] == 0xFF && v[1] & 0x80 != 0)) {
            return err("INTEGER is not minimally encoded (X.690 §8.3.2)");
        }
        Ok(v)
    }

    /// Contents octets of a universal INTEGER.
    pub fn as_integer(&self) -> Result<&'a [u8]> {
        self.expect_universal(tag::INTEGER, "INTEGER")?;
        self.integer_content()
    }

    /// A small non-negative INTEGER (or ENUMERATED) value, any tag.
    pub fn as_u64(&self) -> Result<u64> {
        let v = self.integer_content()?;
        if v[0] & 0x80 != 0 {
            return err("negative INTEGER");
        }
        let v = if v.len() > 1 && v[0] == 0 { &v[1..] } else { v };
        if v.len() > 8 {
            return err("INTEGER too large");
        }
        Ok(v.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)))
    }

    /// BOOLEAN value (X.690 §8.2; any non-zero octet is TRUE in BER).
    pub fn as_bool(&self) -> Result<bool> {
        self.expect_universal(tag::BOOLEAN, "BOOLEAN")?;
        match self.primitive("BOOLEAN")? {
            [b] => Ok(*b != 0),
            _ => err("BOOLEAN must have one octet"),
        }
    }

    /// OBJECT IDENTIFIER as a dotted string (X.690 §8.19).
    pub fn as_oid(&self) -> Result<String> {
        self.expect_universal(tag::OID, "OBJECT IDENTIFIER")?;
        decode_oid(self.primitive("OBJECT IDENTIFIER")?)
    }

    /// True when this element is an OID equal to the dotted `oid`.
    pub fn is_oid(&self, oid: &str) -> bool {
        self.as_oid().map(|o| o == oid).unwrap_or(false)
    }

    /// NULL (X.690 §8.8).
    pub fn as_null(&self) -> Result<()> {
        self.expect_universal(tag::NULL, "NULL")?;
        if self.primitive("NULL")?.is_empty() {
            Ok(())
        } else {
            err("NULL with contents")
        }
    }

    /// Contents of a string type, concatenating constructed (BER) segments
    /// (X.690 §8.7.3, §8.23). Works for implicitly tagged strings too.
    pub fn string_bytes(&self) -> Result<Cow<'a, [u8]>> {
        if !self.constructed {
            return Ok(Cow::Borrowed(self.value));
        }
        let seg_tag = if self.class == Class::Universal {
            self.number
        } else {
            tag::OCTET_STRING
        };
        let mut out = Vec::new();
        for child in self.children()? {
            let child = child?;
            if !child.is_universal(seg_tag) {
                return err("constructed string segment with a different tag");
            }
            out.extend_from_slice(&child.string_bytes()?);
        }
        Ok(Cow::Owned(out))
    }

    /// OCTET STRING contents, constructed segments concatenated.
    pub fn as_octet_string(&self) -> Result<Cow<'a, [u8]>> {
        self.expect_universal(tag::OCTET_STRING, "OCTET STRING")?;
        self.string_bytes()
    }

    /// BIT STRING as (unused bits, bytes) (X.690 §8.6).
    pub fn as_bit_string(&self) -> Result<(u8, Cow<'a, [u8]>)> {
        self.expect_universal(tag::BIT_STRING, "BIT STRING")?;
        self.bit_string_content()
    }

    fn bit_string_content(&self) -> Result<(u8, Cow<'a, [u8]>)> {
        if !self.constructed {
            let Some((&unused, rest)) = self.value.split_first() else {
                return err("empty BIT STRING");
            };
            if unused > 7 || (rest.is_empty() && unused != 0) {
                return err("invalid unused-bits count in BIT STRING");
            }
            return Ok((unused, Cow::Borrowed(rest)));
        }
        let mut out = Vec::new();
        let mut last_unused = 0;
        for child in self.children()? {
            let child = child?;
            if last_unused != 0 {
                return err("unused bits in a non-final BIT STRING segment");
            }
            child.expect_universal(tag::BIT_STRING, "BIT STRING segment")?;
            let (u, b) = child.bit_string_content()?;
            last_unused = u;
            out.extend_from_slice(&b);
        }
        Ok((last_unused, Cow::Owned(out)))
    }

    /// BIT STRING that must have no unused bits (keys, signatures).
    pub fn as_bit_string_octets(&self) -> Result<Cow<'a, [u8]>> {
        let (unused, bytes) = self.as_bit_string()?;
        if unused != 0 {
            return err("BIT STRING with unused bits where octets are expected");
        }
        Ok(bytes)
    }

    /// Decodes a character string type to Rust text (X.680 §41):
    /// UTF8String, PrintableString, IA5String, VisibleString, NumericString,
    /// TeletexString (Latin-1), BMPString (UTF-16BE), UniversalString (UTF-32BE).
    pub fn as_string(&self) -> Result<String> {
        if self.class != Class::Universal {
            return err("not a universal string type");
        }
        let bytes = self.string_bytes()?;
        match self.number {
            tag::UTF8_STRING => String::from_utf8(bytes.into_owned())
                .map_err(|_| Error::Asn1("invalid UTF-8 in UTF8String".into())),
            tag::BMP_STRING => {
                if bytes.len() % 2 != 0 {
                    return err("odd length BMPString");
                }
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                Ok(String::from_utf16_lossy(&units))
            }
            tag::UNIVERSAL_STRING => {
                if bytes.len() % 4 != 0 {
                    return err("UniversalString length not a multiple of 4");
                }
                Ok(bytes
                    .chunks_exact(4)
                    .map(|c| {
                        char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                            .unwrap_or(char::REPLACEMENT_CHARACTER)
                    })
                    .collect())
            }
            tag::TELETEX_STRING => Ok(latin1(&bytes)),
            tag::PRINTABLE_STRING
            | tag::IA5_STRING
            | tag::VISIBLE_STRING
            | tag::NUMERIC_STRING
            | tag::GENERAL_STRING
            | tag::GRAPHIC_STRING
            | tag::VIDEOTEX_STRING => match std::str::from_utf8(&bytes) {
                // Real certificates sometimes put UTF-8 in PrintableString.
                Ok(s) => Ok(s.to_string()),
                Err(_) => Ok(latin1(&bytes)),
            },
            n => err(format!("universal tag {n} is not a string type")),
        }
    }

    /// True for the universal character string types handled by [`Self::as_string`].
    pub fn is_string(&self) -> bool {
        self.class == Class::Universal
            && matches!(self.number, tag::UTF8_STRING | 18..=22 | 25..=28 | 30)
    }

    /// UTCTime or GeneralizedTime (X.680 §46-47; RFC 5280 §4.1.2.5), as UTC.
    pub fn as_time(&self) -> Result<OffsetDateTime> {
        if self.class != Class::Universal {
            return err("expected a time value");
        }
        let s = self.primitive("time")?;
        match self.number {
            tag::UTC_TIME => {
                if s.len() < 11 {
                    return err("UTCTime too short");
                }
                let yy = i32::from(two_digits(s, 0)?);
                // RFC 5280 §4.1.2.5.1: YY >= 50 means 19YY.
                let y = if yy >= 50 { 1900 + yy } else { 2000 + yy };
                let (mo, d, h, mi) = (
                    two_digits(s, 2)?,
                    two_digits(s, 4)?,
                    two_digits(s, 6)?,
                    two_digits(s, 8)?,
                );
                let (sec, i) = match two_digits(s, 10) {
                    Ok(v) => (v, 12),
                    Err(_) => (0, 10),
                };
                if s.get(i).is_none() {
                    return err("UTCTime without time zone");
                }
                let (_, off) = parse_zone(s, i)?;
                make_time(y, [mo, d, h, mi, sec], 0, off)
            }
            tag::GENERALIZED_TIME => {
                if s.len() < 10 {
                    return err("GeneralizedTime too short");
                }
                let y = i32::from(two_digits(s, 0)?) * 100 + i32::from(two_digits(s, 2)?);
                let (mo, d, h) = (two_digits(s, 4)?, two_digits(s, 6)?, two_digits(s, 8)?);
                let (mi, i) = match two_digits(s, 10) {
                    Ok(v) => (v, 12),
                    Err(_) => (0, 10),
                };
                let (sec, i) = if i == 12 {
                    match two_digits(s, 12) {
                        Ok(v) => (v, 14),
                        Err(_) => (0, 12),
                    }
                } else {
                    (0, i)
                };
                let (nanos, off) = parse_zone(s, i)?;
                make_time(y, [mo, d, h, mi, sec], nanos, off)
            }
            n => err(format!("universal tag {n} is not a time type")),
        }
    }

    /// Re-encodes this element as DER (X.690 §10-11): definite minimal lengths,
    /// primitive strings, canonical BOOLEAN, SET components sorted (§11.6).
    pub fn to_der(self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out)?;
        Ok(out)
    }

    /// True when this element is already DER-shaped (definite lengths everywhere,
    /// no constructed strings). Does not check SET ordering.
    pub fn is_definite_everywhere(&self) -> Result<bool> {
        if self.indefinite {
            return Ok(false);
        }
        if !self.constructed {
            return Ok(true);
        }
        if self.class == Class::Universal && (is_string_type(self.number) || self.number == 3) {
            return Ok(false);
        }
        for c in self.children()? {
            if !c?.is_definite_everywhere()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn write_der(&self, out: &mut Vec<u8>) -> Result<()> {
        let universal = self.class == Class::Universal;
        let (constructed, content): (bool, Cow<'_, [u8]>) = if self.constructed {
            if universal && self.number == tag::BIT_STRING {
                let (unused, bytes) = self.bit_string_content()?;
                let mut c = Vec::with_capacity(bytes.len() + 1);
                c.push(unused);
                c.extend_from_slice(&bytes);
                (false, Cow::Owned(c))
            } else if universal && is_string_type(self.number) {
                (false, self.string_bytes()?)
            } else {
                let mut parts = Vec::new();
                for c in self.children()? {
                    let mut v = Vec::new();
                    c?.write_der(&mut v)?;
                    parts.push(v);
                }
                if universal && self.number == tag::SET {
                    parts.sort();
                }
                (true, Cow::Owned(parts.concat()))
            }
        } else if universal && self.number == tag::BOOLEAN {
            let b = self.as_bool()?;
            (false, Cow::Owned(vec![if b { 0xFF } else { 0x00 }]))
        } else {
            (false, Cow::Borrowed(self.value))
        };
        write_identifier(out, self.class, constructed, self.number);
        super::writer::write_length(out, content.len());
        out.extend_from_slice(&content);
        Ok(())
    }
}

/// Writes identifier octets, using the high-tag form when needed (X.690 §8.1.2).
pub(crate) fn write_identifier(out: &mut Vec<u8>, class: Class, constructed: bool, number: u32) {
    let first = class.bits() | if constructed { 0x20 } else { 0 };
    if number < 0x1F {
        out.push(first | number as u8);
        return;
    }
    out.push(first | 0x1F);
    let mut groups = Vec::new();
    let mut n = number;
    loop {
        groups.push((n & 0x7F) as u8);
        n >>= 7;
        if n == 0 {
            break;
        }
    }
    for (i, g) in groups.iter().rev().enumerate() {
        out.push(if i + 1 < groups.len() { g | 0x80 } else { *g });
    }
}

/// Decodes OBJECT IDENTIFIER contents to dotted form (X.690 §8.19).
pub fn decode_oid(v: &[u8]) -> Result<String> {
    if v.is_empty() {
        return err("empty OBJECT IDENTIFIER");
    }
    if v[v.len() - 1] & 0x80 != 0 {
        return err("truncated OBJECT IDENTIFIER");
    }
    let mut out = String::new();
    let mut acc: u128 = 0;
    let mut start = true;
    let mut first = true;
    for &b in v {
        if start && b == 0x80 {
            return err("non-minimal OBJECT IDENTIFIER arc");
        }
        if acc > (u128::MAX >> 7) {
            return err("OBJECT IDENTIFIER arc too large");
        }
        acc = (acc << 7) | u128::from(b & 0x7F);
        start = b & 0x80 == 0;
        if start {
            if first {
                let (a, b) = match acc {
                    0..=39 => (0, acc),
                    40..=79 => (1, acc - 40),
                    _ => (2, acc - 80),
                };
                out.push_str(&format!("{a}.{b}"));
                first = false;
            } else {
                out.push_str(&format!(".{acc}"));
            }
            acc = 0;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::writer as w;

    #[test]
    fn indefinite_and_constructed_strings() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" }, INTEGER 5 }
        let data = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x02,
            0x01, 0x05, 0x00, 0x00, 0xFF,
        ];
        let mut r = Reader::new(&data);
        let seq = r.read().unwrap();
        assert!(seq.indefinite);
        assert_eq!(seq.raw.len(), 18);
        let mut c = seq.children().unwrap();
        let os = c.read().unwrap();
        assert_eq!(&*os.as_octet_string().unwrap(), b"abc");
        assert_eq!(c.read().unwrap().as_u64().unwrap(), 5);
        assert!(c.is_empty());
        assert_eq!(
            seq.to_der().unwrap(),
            [0x30, 0x08, 0x04, 0x03, b'a', b'b', b'c', 0x02, 0x01, 0x05]
        );
        assert!(!seq.is_definite_everywhere().unwrap());
    }

    #[test]
    fn der_sorts_sets_and_high_tags() {
        let set = w::set(&[&w::integer_u64(300), &w::integer_u64(2)]);
        let el = Reader::new(&set).read_single().unwrap();
        assert_eq!(
            el.to_der().unwrap(),
            w::set_of(&[&w::integer_u64(2), &w::integer_u64(300)])
        );
        // [APPLICATION 200] primitive, high tag form.
        let data = [0x5F, 0x81, 0x48, 0x01, 0x07];
        let el = Reader::new(&data).read_single().unwrap();
        assert_eq!(
            (el.class, el.number, el.value),
            (Class::Application, 200, &[7u8][..])
        );
        assert_eq!(el.to_der().unwrap(), data);
    }

    #[test]
    fn scalars() {
        let oid = w::oid("1.2.840.113549.1.9.16.2.47").unwrap();
        let el = Reader::new(&oid).read_single().unwrap();
        assert_eq!(el.as_oid().unwrap(), "1.2.840.113549.1.9.16.2.47");
        assert!(el.is_oid("1.2.840.113549.1.9.16.2.47"));
        let big = w::oid("2.25.329800735698586629295641978511506172918").unwrap();
        assert_eq!(
            Reader::new(&big).read_single().unwrap().as_oid().unwrap(),
            "2.25.329800735698586629295641978511506172918"
        );
        assert!(Reader::new(&w::boolean(true))
            .read_single()
            .unwrap()
            .as_bool()
            .unwrap());
        let t = Reader::new(b"\x17\x0d491231235959Z").read_single().unwrap();
        assert_eq!(t.as_time().unwrap().year(), 2049);
        let t = Reader::new(b"\x17\x0d500101000000Z").read_single().unwrap();
        assert_eq!(t.as_time().unwrap().year(), 1950);
        let g = Reader::new(b"\x18\x1520240229123456.5+0700")
            .read_single()
            .unwrap();
        let g = g.as_time().unwrap();
        assert_eq!((g.hour(), g.minute(), g.millisecond()), (5, 34, 500));
        assert!(Reader::new(b"\x17\x0d491331235959Z")
            .read_single()
            .unwrap()
            .as_time()
            .is_err());
        let bits = Reader::new(&[0x03, 0x02, 0x07, 0x80])
            .read_single()
            .unwrap();
        assert_eq!(
            bits.as_bit_string().unwrap(),
            (7, Cow::Borrowed(&[0x80u8][..]))
        );
        assert_eq!(w::integer_unsigned(&[0x00, 0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(w::integer_unsigned(&[]), [0x02, 0x01, 0x00]);
    }

    #[test]
    fn hostile_inputs() {
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x30],
            vec![0x30, 0x05, 0x02, 0x01],
            vec![0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
            vec![0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            vec![0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            vec![0x30, 0x80, 0x02, 0x01, 0x01],
            vec![0x04, 0x80, 0x00, 0x00],
            vec![0x00, 0x00],
            vec![0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00],
            vec![0x30, 0xFF],
        ];
        for c in cases {
            assert!(Reader::new(&c).read_single().is_err(), "{c:02x?}");
        }
        // 1000-deep nesting, indefinite: rejected at parse time.
        let mut deep = [0x30, 0x80].repeat(1000);
        deep.extend(vec![0x00; 2000]);
        assert!(Reader::new(&deep).read().is_err());
        // 1000-deep nesting, definite: rejected while descending.
        let mut deep: Vec<u8> = vec![0x05, 0x00];
        for _ in 0..1000 {
            deep = w::sequence(&[&deep]);
        }
        let mut el = Reader::new(&deep).read_single().unwrap();
        let mut failed = false;
        for _ in 0..1000 {
            match el.children().and_then(|c| c.read_single()) {
                Ok(e) => el = e,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed);
        let top = Reader::new(&deep).read_single().unwrap();
        assert!(top.to_der().is_err());
        assert!(crate::pki::Certificate::from_der(&deep).is_err());
        assert!(crate::cms::SignedData::parse(&deep).is_err());
        // Bad OIDs.
        assert!(decode_oid(&[0x2A, 0x86]).is_err());
        assert!(decode_oid(&[0x2A, 0x80, 0x01]).is_err());
        assert!(decode_oid(&[0xFF; 40]).is_err());
        assert!(w::oid("3.1").is_err() && w::oid("1.40").is_err() && w::oid("1..2").is_err());
    }
}
