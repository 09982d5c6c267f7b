//! Document time-stamps (ISO 32000-2 §12.8.5; ETSI EN 319 142-1 §5.4.3): a signature field
//! whose /Contents is an RFC 3161 token over the byte ranges, /SubFilter /ETSI.RFC3161.

use crate::crypto::Hasher;
use crate::error::Result;
use crate::pdf::Document;
use crate::sign::placeholder::{self, SignatureFields};
use crate::timestamp::{TimestampToken, TsaClient};

/// First guess of the room for the token (a TSTInfo, the TSA's signature and certificate; most
/// tokens take 3–6 KB). A larger token is asked for again with room for its real size.
const FIRST_CAPACITY: usize = 8 * 1024;
/// Slack for the second attempt: serial numbers and nonces vary in length between tokens.
const SLACK: usize = 1024;

/// Builds the update holding a document time-stamp over the whole current file, whose bytes
/// `hashed` has been fed with (the TSA's digest algorithm).
pub(crate) fn build(
    doc: &Document,
    hashed: &Hasher,
    tsa: &TsaClient,
    base_len: u64,
    leading_eol: bool,
) -> Result<(Vec<u8>, TimestampToken)> {
    let (bytes, token) = attempt(doc, hashed, tsa, base_len, leading_eol, FIRST_CAPACITY)?;
    match bytes {
        Some(bytes) => Ok((bytes, token)),
        None => {
            let capacity = token.der.len() + SLACK;
            match attempt(doc, hashed, tsa, base_len, leading_eol, capacity)? {
                (Some(bytes), token) => Ok((bytes, token)),
                (None, token) => Err(crate::Error::Timestamp(format!(
                    "the TSA's tokens keep growing ({} bytes, then {} bytes)",
                    capacity - SLACK,
                    token.der.len()
                ))),
            }
        }
    }
}

/// One try with `capacity` bytes of room: the update's bytes, or None when the token the TSA
/// returned does not fit (with that token, to size the next try).
fn attempt(
    doc: &Document,
    hashed: &Hasher,
    tsa: &TsaClient,
    base_len: u64,
    leading_eol: bool,
    capacity: usize,
) -> Result<(Option<Vec<u8>>, TimestampToken)> {
    let fields = SignatureFields {
        sub_filter: "ETSI.RFC3161".into(),
        page: 1,
        doc_timestamp: true,
        ..SignatureFields::default()
    };
    let mut prepared = placeholder::prepare(doc, &fields, capacity, base_len, leading_eol)?;
    let mut hasher = hashed.clone();
    hasher.update(&prepared.bytes[..prepared.contents_start]);
    hasher.update(&prepared.bytes[prepared.contents_end..]);
    let token = tsa.timestamp_digest(tsa.digest, &hasher.finish())?;
    if token.der.len() > prepared.capacity() {
        return Ok((None, token));
    }
    prepared.fill_contents(&token.der)?;
    Ok((Some(prepared.bytes), token))
}
