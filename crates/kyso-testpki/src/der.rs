//! Just enough DER (ITU-T X.690) for tests that take a CMS or a signature apart and put it
//! back together differently: split an element into its children, read an OID, and write
//! SEQUENCE, SET, OID, NULL, OCTET STRING and context tags. Definite lengths only; test input
//! comes from openssl and kyso, which write DER. Panics on malformed input (tests only).

/// One element at the start of `der`: (tag, header length, content length).
fn header(der: &[u8]) -> (u8, usize, usize) {
    assert!(der.len() >= 2, "DER element too short");
    let tag = der[0];
    assert!(tag & 0x1f != 0x1f, "high tag numbers are not supported");
    let first = der[1] as usize;
    if first < 0x80 {
        return (tag, 2, first);
    }
    let n = first & 0x7f;
    assert!((1..=4).contains(&n), "indefinite or oversized length");
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |a, &b| (a << 8) | b as usize);
    (tag, 2 + n, len)
}

/// The whole encoding of the first element of `der`.
pub fn first(der: &[u8]) -> &[u8] {
    let (_, h, len) = header(der);
    &der[..h + len]
}

/// The content octets of the element `der`.
pub fn content(der: &[u8]) -> &[u8] {
    let (_, h, len) = header(der);
    &der[h..h + len]
}

/// The whole encodings of the children of the constructed element `der`, in order.
pub fn children(der: &[u8]) -> Vec<Vec<u8>> {
    let mut rest = content(der);
    let mut out = Vec::new();
    while !rest.is_empty() {
        let el = first(rest);
        out.push(el.to_vec());
        rest = &rest[el.len()..];
    }
    out
}

/// The dotted form of the OBJECT IDENTIFIER `der` (X.690 §8.19).
pub fn oid_string(der: &[u8]) -> String {
    assert_eq!(der[0], 0x06, "not an OBJECT IDENTIFIER");
    let mut arcs = Vec::new();
    let mut v: u64 = 0;
    for &b in content(der) {
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
        }
    }
    let first = arcs.remove(0);
    let (a, b) = if first < 80 {
        (first / 40, first % 40)
    } else {
        (2, first - 80)
    };
    let mut s = format!("{a}.{b}");
    for arc in arcs {
        s.push_str(&format!(".{arc}"));
    }
    s
}

/// An element of tag `tag` holding `content` (X.690 §8.1, definite length).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of the given encodings, in order.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// SET of the given encodings, in the order given.
pub fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// DER SET OF: the encodings sorted (X.690 §11.6).
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    set(&sorted)
}

/// OBJECT IDENTIFIER from its dotted form (X.690 §8.19).
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("OID arc"))
        .collect();
    assert!(arcs.len() >= 2, "an OID has at least two arcs");
    let mut body = Vec::new();
    for arc in std::iter::once(arcs[0] * 40 + arcs[1]).chain(arcs[2..].iter().copied()) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        groups.reverse();
        body.extend(groups);
    }
    tlv(0x06, &body)
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// OCTET STRING.
pub fn octet_string(data: &[u8]) -> Vec<u8> {
    tlv(0x04, data)
}

/// The element `der` with its tag replaced by `tag` (IMPLICIT tagging, X.680 §31.2.7).
pub fn retag(der: &[u8], tag: u8) -> Vec<u8> {
    let mut out = first(der).to_vec();
    out[0] = tag;
    out
}

/// `[n] EXPLICIT` around the element `der`.
pub fn explicit(n: u8, der: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let o = oid("1.2.840.113549.1.9.16.2.47");
        assert_eq!(oid_string(&o), "1.2.840.113549.1.9.16.2.47");
        assert_eq!(oid("2.5.4.3"), [0x06, 0x03, 0x55, 0x04, 0x03]);
        let big = vec![7u8; 300];
        let s = sequence(&[&o, &null(), &octet_string(&big)]);
        assert_eq!(&s[..4], [0x30, 0x82, 0x01, 0x3f]);
        let kids = children(&s);
        assert_eq!(kids, vec![o.clone(), null(), octet_string(&big)]);
        assert_eq!(content(&kids[2]), &big[..]);
        assert_eq!(set_of(&[&o, &null()]), set(&[&null(), &o]));
        assert_eq!(retag(&s, 0xA0)[0], 0xA0);
        assert_eq!(children(&explicit(0, &s)), vec![s]);
    }
}
