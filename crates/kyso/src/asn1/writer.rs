//! Minimal DER writer (ITU-T X.690 §10). Every function returns a complete TLV.

use crate::error::{Error, Result};

/// Universal tag octets used by the writer.
pub mod tags {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    #[cfg(test)]
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    #[cfg(test)]
    pub const UTF8_STRING: u8 = 0x0C;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
}

/// Definite, minimal length octets (X.690 §10.1).
pub fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// A TLV with a single-octet identifier.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    write_length(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// `SEQUENCE { parts... }` (parts already encoded).
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tags::SEQUENCE, &parts.concat())
}

/// `SET { parts... }` in the given order (for SET with distinct tags already in order).
#[cfg(test)]
pub fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tags::SET, &parts.concat())
}

/// `SET OF` with components sorted by their encodings (X.690 §11.6).
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut v: Vec<&[u8]> = parts.to_vec();
    v.sort();
    tlv(tags::SET, &v.concat())
}

/// Context-specific `[n]` with the given contents (n < 31).
pub fn context(n: u8, constructed: bool, content: &[u8]) -> Vec<u8> {
    let tag = 0x80 | if constructed { 0x20 } else { 0 } | (n & 0x1F);
    tlv(tag, content)
}

/// `[n] EXPLICIT inner`.
pub fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
    context(n, true, inner)
}

/// INTEGER from unsigned big-endian magnitude bytes (X.690 §8.3).
pub fn integer_unsigned(bytes: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        &bytes[skip..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(tags::INTEGER, &content)
}

/// INTEGER from contents octets already in two's complement (e.g. a parsed serial).
pub fn integer_raw(content: &[u8]) -> Vec<u8> {
    if content.is_empty() {
        return tlv(tags::INTEGER, &[0]);
    }
    tlv(tags::INTEGER, content)
}

/// INTEGER from a non-negative value.
pub fn integer_u64(v: u64) -> Vec<u8> {
    integer_unsigned(&v.to_be_bytes())
}

/// BOOLEAN (DER: TRUE is 0xFF, X.690 §11.1).
pub fn boolean(v: bool) -> Vec<u8> {
    tlv(tags::BOOLEAN, &[if v { 0xFF } else { 0x00 }])
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![tags::NULL, 0x00]
}

/// OCTET STRING.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tags::OCTET_STRING, bytes)
}

/// BIT STRING with no unused bits.
#[cfg(test)]
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(bytes.len() + 1);
    c.push(0);
    c.extend_from_slice(bytes);
    tlv(tags::BIT_STRING, &c)
}

/// UTF8String.
#[cfg(test)]
pub fn utf8_string(s: &str) -> Vec<u8> {
    tlv(tags::UTF8_STRING, s.as_bytes())
}

/// OBJECT IDENTIFIER from dotted form (X.690 §8.19).
pub fn oid(dotted: &str) -> Result<Vec<u8>> {
    let bad = || Error::Asn1(format!("invalid OID {dotted:?}"));
    let arcs: Vec<u128> = dotted
        .split('.')
        .map(|a| {
            if a.is_empty() || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            a.parse::<u128>().map_err(|_| bad())
        })
        .collect::<Result<_>>()?;
    if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) {
        return Err(bad());
    }
    let first = arcs[0]
        .checked_mul(40)
        .and_then(|v| v.checked_add(arcs[1]))
        .ok_or_else(bad)?;
    let mut content = Vec::new();
    for arc in std::iter::once(first).chain(arcs[2..].iter().copied()) {
        let mut groups = Vec::new();
        let mut n = arc;
        loop {
            groups.push((n & 0x7F) as u8);
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().rev().enumerate() {
            content.push(if i + 1 < groups.len() { g | 0x80 } else { *g });
        }
    }
    Ok(tlv(tags::OID, &content))
}

/// OID for a constant known to be valid (the `oid` module). Constants are
/// covered by a unit test; an invalid one would yield an empty encoding.
pub fn oid_const(dotted: &'static str) -> Vec<u8> {
    let r = oid(dotted);
    debug_assert!(r.is_ok(), "invalid OID constant {dotted}");
    r.unwrap_or_default()
}

/// Replaces the identifier octet of a single-octet-tag TLV (IMPLICIT tagging).
pub fn retag(der: &[u8], new_tag: u8) -> Result<Vec<u8>> {
    let mut v = der.to_vec();
    match v.first_mut() {
        Some(t) if *t & 0x1F != 0x1F => {
            *t = new_tag;
            Ok(v)
        }
        _ => Err(Error::Asn1("cannot re-tag element".into())),
    }
}
