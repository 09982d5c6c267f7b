//! A tiny DER reader (X.690 §8 and §10, definite lengths only), just enough to pick fields out of
//! certificates (RFC 5280 §4.1), PKCS#8 (RFC 5208 §5) and PFX (RFC 7292 §4) structures.

use crate::error::{Error, Result};

/// Universal tag numbers used here (X.680 §8.4).
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// `[0]` constructed, context-specific (e.g. the certificate version, X.509 `[0] EXPLICIT`).
pub(crate) const TAG_CONTEXT_0: u8 = 0xA0;

/// One element: its tag, its contents and its complete encoding (header + contents).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub contents: &'a [u8],
    pub encoded: &'a [u8],
}

fn malformed(what: &str) -> Error {
    Error::Asn1(format!("{what}: malformed DER"))
}

/// Reads the first element of `input`; returns it and what follows it.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input
        .split_first()
        .ok_or_else(|| malformed("truncated element"))?;
    if tag & 0x1F == 0x1F {
        // High tag numbers never occur in the structures read here.
        return Err(malformed("high tag number"));
    }
    let (&first, mut rest) = rest
        .split_first()
        .ok_or_else(|| malformed("truncated length"))?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            // 0x80 is the BER indefinite length, not allowed in DER.
            return Err(malformed("unsupported length encoding"));
        }
        if rest.len() < n {
            return Err(malformed("truncated length"));
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return Err(malformed("truncated contents"));
    }
    let header_len = input.len() - rest.len();
    let (contents, after) = rest.split_at(len);
    let tlv = Tlv {
        tag,
        contents,
        encoded: &input[..header_len + len],
    };
    Ok((tlv, after))
}

/// Reads an element that must carry `tag`.
pub(crate) fn expect<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<(Tlv<'a>, &'a [u8])> {
    let (tlv, rest) = read_tlv(input)?;
    if tlv.tag != tag {
        return Err(Error::Asn1(format!(
            "{what}: expected tag 0x{tag:02X}, found 0x{:02X}",
            tlv.tag
        )));
    }
    Ok((tlv, rest))
}

/// Encodes a DER length (X.690 §8.1.3, definite form).
pub(crate) fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = &bytes[skip..];
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// The fields of an X.509 certificate that kyso needs to link a key and build a chain.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CertFields<'a> {
    /// Full DER of the issuer `Name`.
    pub issuer: &'a [u8],
    /// Full DER of the subject `Name`.
    pub subject: &'a [u8],
    /// The `subjectPublicKey` BIT STRING value, without its unused-bits octet.
    pub public_key: &'a [u8],
}

/// Walks Certificate → tbsCertificate → issuer, subject, subjectPublicKeyInfo (RFC 5280 §4.1).
pub(crate) fn cert_fields(cert: &[u8]) -> Result<CertFields<'_>> {
    let (certificate, _) = expect(cert, TAG_SEQUENCE, "Certificate")?;
    let (tbs, _) = expect(certificate.contents, TAG_SEQUENCE, "tbsCertificate")?;
    let mut rest = tbs.contents;
    let (first, after) = read_tlv(rest)?;
    if first.tag == TAG_CONTEXT_0 {
        rest = after; // version [0] EXPLICIT, absent for v1 certificates
    }
    let (_serial, rest) = expect(rest, TAG_INTEGER, "serialNumber")?;
    let (_sig_alg, rest) = expect(rest, TAG_SEQUENCE, "signature")?;
    let (issuer, rest) = expect(rest, TAG_SEQUENCE, "issuer")?;
    let (_validity, rest) = expect(rest, TAG_SEQUENCE, "validity")?;
    let (subject, rest) = expect(rest, TAG_SEQUENCE, "subject")?;
    let (spki, _) = expect(rest, TAG_SEQUENCE, "subjectPublicKeyInfo")?;
    let (_alg, spki_rest) = expect(spki.contents, TAG_SEQUENCE, "algorithm")?;
    let (bits, _) = expect(spki_rest, TAG_BIT_STRING, "subjectPublicKey")?;
    let (&unused, public_key) = bits
        .contents
        .split_first()
        .ok_or_else(|| malformed("subjectPublicKey"))?;
    if unused != 0 {
        return Err(malformed("subjectPublicKey has unused bits"));
    }
    Ok(CertFields {
        issuer: issuer.encoded,
        subject: subject.encoded,
        public_key,
    })
}

/// The private key algorithm of a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`
/// (RFC 5208 §5, RFC 5958 §2): the OID contents and the parameters element, if any.
pub(crate) fn pkcs8_algorithm(pkcs8: &[u8]) -> Result<(&[u8], Option<Tlv<'_>>)> {
    let (info, _) = expect(pkcs8, TAG_SEQUENCE, "PrivateKeyInfo")?;
    let (_version, rest) = expect(info.contents, TAG_INTEGER, "version")?;
    let (alg, _) = expect(rest, TAG_SEQUENCE, "privateKeyAlgorithm")?;
    let (oid, params) = expect(alg.contents, TAG_OID, "algorithm")?;
    let params = if params.is_empty() {
        None
    } else {
        Some(read_tlv(params)?.0)
    };
    Ok((oid.contents, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65_535, 70_000] {
            let mut enc = vec![TAG_OCTET_STRING];
            encode_length(len, &mut enc);
            enc.extend(std::iter::repeat_n(0u8, len));
            let (tlv, rest) = read_tlv(&enc).expect("valid");
            assert_eq!(tlv.contents.len(), len);
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x05, 1],
        ] {
            assert!(read_tlv(input).is_err());
            assert!(cert_fields(input).is_err());
            assert!(pkcs8_algorithm(input).is_err());
        }
    }
}
