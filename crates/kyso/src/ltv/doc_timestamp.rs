//! Document time-stamps (ISO 32000-2 §12.8.5; ETSI EN 319 142-1 §5.4.3): a signature field
//! whose /Contents is an RFC 3161 token over the byte ranges, /SubFilter /ETSI.RFC3161.

use crate::crypto::Hasher;
use crate::error::Result;
use crate::pdf::{ByteSource, Document};
use crate::sign::placeholder::{self, SignatureFields};
use crate::timestamp::{TimestampToken, TsaClient};

/// Room for the token: a TSTInfo, the TSA's signature and its certificate chain.
const TOKEN_CAPACITY: usize = 16 * 1024;

/// Builds the update holding a document time-stamp over `source` (the whole current file).
pub(crate) fn build(
    doc: &Document,
    source: &dyn ByteSource,
    tsa: &TsaClient,
    base_len: u64,
    leading_eol: bool,
) -> Result<(Vec<u8>, TimestampToken)> {
    let fields = SignatureFields {
        sub_filter: "ETSI.RFC3161".into(),
        page: 1,
        doc_timestamp: true,
        ..SignatureFields::default()
    };
    let mut prepared = placeholder::prepare(doc, &fields, TOKEN_CAPACITY, base_len, leading_eol)?;
    let mut hasher = Hasher::new(tsa.digest);
    let mut off = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    while off < source.len() {
        let want = ((source.len() - off) as usize).min(buf.len());
        let got = source.read_at(off, &mut buf[..want])?;
        if got == 0 {
            break;
        }
        hasher.update(&buf[..got]);
        off += got as u64;
    }
    hasher.update(&prepared.bytes[..prepared.contents_start]);
    hasher.update(&prepared.bytes[prepared.contents_end..]);
    let token = tsa.timestamp_digest(tsa.digest, &hasher.finish())?;
    prepared.fill_contents(&token.der)?;
    Ok((prepared.bytes, token))
}
