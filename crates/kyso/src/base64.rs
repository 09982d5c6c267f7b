//! Base64 (RFC 4648 §4), for PEM bodies, OCSP GET requests and the JSON that deferred and
//! remote signing exchange.

use base64ct::{Base64, Encoding};

/// Base64 (RFC 4648 §4) with padding.
pub fn encode(data: &[u8]) -> String {
    Base64::encode_string(data)
}

/// Decodes base64 (RFC 4648 §4), ignoring whitespace, with or without the final padding;
/// None when it is not base64 (base64ct: constant-time, and non-canonical trailing bits refused).
#[cfg(any(test, feature = "net"))] // the CSC client (`sign::csc`)
pub fn decode(s: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s
        .iter()
        .copied()
        .filter(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    if clean.contains(&b'=') {
        Base64::decode_vec(std::str::from_utf8(&clean).ok()?).ok()
    } else {
        base64ct::Base64Unpadded::decode_vec(std::str::from_utf8(&clean).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(decode(encode(data).as_bytes()).unwrap(), data);
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(decode(b"Zm9v\nYmE=").unwrap(), b"fooba");
        assert!(decode(b"Zm9v!").is_none());
        assert!(decode(b"Zg=x").is_none());
        assert_eq!(decode(b"Zg").unwrap(), b"f");
        assert_eq!(decode(b" Zm9v\r\nYg==\n").unwrap(), b"foob");
        assert!(decode(b"Zg=").is_none());
        assert!(decode(b"Z").is_none());
    }
}
