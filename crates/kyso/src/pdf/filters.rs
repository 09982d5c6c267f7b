//! Stream filters needed to read a file's structure: FlateDecode with PNG/TIFF predictors
//! (ISO 32000-1 §7.4.4), enough for cross-reference streams and object streams.

use std::io::Read;

use super::object::{Dict, Object};
use crate::error::{Error, Result};

/// Decodes `data` according to the stream dictionary's /Filter and /DecodeParms.
/// `limit` caps the decoded size (decompression bombs).
pub fn decode_stream(dict: &Dict, data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let filters: Vec<&[u8]> = match dict.get("Filter") {
        None | Some(Object::Null) => vec![],
        Some(Object::Name(n)) => vec![n.as_slice()],
        // ISO 32000-1 §7.3.8.2, Table 5: a name or an array of names. An entry that is not a
        // name is not skipped: the data would be decoded with a filter missing.
        Some(Object::Array(a)) => a
            .iter()
            .map(|f| {
                f.as_name().ok_or_else(|| {
                    Error::MalformedPdf("stream /Filter array holds a non-name".into())
                })
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(Error::MalformedPdf("stream /Filter is not a name".into())),
    };
    // A dictionary, or an array of dictionaries and nulls (one per filter); anything else (an
    // indirect reference included) is refused rather than decoding without the parameters.
    fn parm(p: &Object) -> Result<Option<&Dict>> {
        match p {
            Object::Dict(d) => Ok(Some(d)),
            Object::Null => Ok(None),
            _ => Err(Error::UnsupportedPdf(
                "stream /DecodeParms is not a direct dictionary".into(),
            )),
        }
    }
    let parms: Vec<Option<&Dict>> = match dict.get("DecodeParms") {
        None | Some(Object::Null) => vec![],
        Some(Object::Array(a)) => a.iter().map(parm).collect::<Result<_>>()?,
        Some(p) => vec![parm(p)?],
    };
    let mut out = data.to_vec();
    for (i, filter) in filters.iter().enumerate() {
        let parm = parms.get(i).copied().flatten();
        out = match *filter {
            b"FlateDecode" | b"Fl" => {
                let inflated = inflate(&out, limit)?;
                apply_predictor(inflated, parm)?
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&out)?,
            // ISO 32000-1 §7.4.10: the security handler has already applied the crypt filter.
            b"Crypt" if i == 0 => out,
            other => {
                return Err(Error::UnsupportedPdf(format!(
                    "stream filter /{} in a structural stream",
                    String::from_utf8_lossy(other)
                )))
            }
        };
    }
    Ok(out)
}

fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(data);
    let mut limited = decoder.take(limit as u64 + 1);
    match limited.read_to_end(&mut out) {
        Ok(_) => {}
        // Many writers leave a truncated or checksum-less zlib stream: keep what was inflated.
        Err(_) if !out.is_empty() => {}
        Err(e) => return Err(Error::MalformedPdf(format!("FlateDecode: {e}"))),
    }
    if out.len() > limit {
        return Err(Error::MalformedPdf(
            "stream inflates beyond the size limit".into(),
        ));
    }
    Ok(out)
}

fn ascii_hex(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut hi = None;
    for &b in data {
        if b == b'>' {
            break;
        }
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ if super::parser::is_whitespace(b) => continue,
            _ => return Err(Error::MalformedPdf("bad ASCIIHexDecode data".into())),
        };
        match hi.take() {
            None => hi = Some(v),
            Some(h) => out.push(h << 4 | v),
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    Ok(out)
}

/// ISO 32000-1 §7.4.4.4, Table 8: predictors 2 (TIFF) and 10–15 (PNG).
fn apply_predictor(data: Vec<u8>, parm: Option<&Dict>) -> Result<Vec<u8>> {
    let Some(parm) = parm else { return Ok(data) };
    let int = |k: &str, d: i64| parm.get(k).and_then(Object::as_int).unwrap_or(d);
    let predictor = int("Predictor", 1);
    if predictor <= 1 {
        return Ok(data);
    }
    let colors = int("Colors", 1).clamp(1, 32) as usize;
    let bpc = int("BitsPerComponent", 8).clamp(1, 16) as usize;
    let columns = int("Columns", 1).clamp(1, 1 << 20) as usize;
    let bpp = (colors * bpc).div_ceil(8).max(1);
    let row_len = (colors * bpc * columns).div_ceil(8);
    // The work stays proportional to the data: a row longer than all the data is refused
    // rather than padded (a few bytes asking for megabyte rows).
    if row_len > data.len() {
        if data.is_empty() {
            return Ok(data);
        }
        return Err(Error::MalformedPdf(
            "predictor rows are longer than the stream's data".into(),
        ));
    }
    if predictor == 2 {
        if bpc != 8 {
            return Err(Error::UnsupportedPdf("TIFF predictor with bpc != 8".into()));
        }
        let mut out = data;
        for row in out.chunks_mut(row_len) {
            for i in bpp..row.len() {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        return Ok(out);
    }
    // PNG predictors: each row starts with a filter-type byte (RFC 2083 §6).
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        if chunk.len() < 2 {
            break;
        }
        let ft = chunk[0];
        // A short last row is decoded as far as it goes (no padding).
        let mut row = chunk[1..].to_vec();
        for i in 0..row.len() {
            let left = if i >= bpp { row[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            row[i] = match ft {
                0 => row[i],
                1 => row[i].wrapping_add(left),
                2 => row[i].wrapping_add(up),
                3 => row[i].wrapping_add(((left as u16 + up as u16) / 2) as u8),
                4 => row[i].wrapping_add(paeth(left, up, up_left)),
                _ => return Err(Error::MalformedPdf("bad PNG predictor row type".into())),
            };
        }
        out.extend_from_slice(&row);
        prev[..row.len()].copy_from_slice(&row);
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let pa = (p - a as i16).abs();
    let pb = (p - b as i16).abs();
    let pc = (p - c as i16).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Compresses with zlib (for the cross-reference streams kyso writes).
pub fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::ObjRef;

    #[test]
    fn png_up_predictor_round_trip() {
        // Two rows of 3 columns with the Up filter.
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let mut parm = Dict::new();
        parm.set("Predictor", Object::Int(12));
        parm.set("Columns", Object::Int(3));
        let mut dict = Dict::new();
        dict.set("Filter", Object::name("FlateDecode"));
        dict.set("DecodeParms", Object::Dict(parm));
        let out = decode_stream(&dict, &deflate(&raw), 1 << 20).unwrap();
        assert_eq!(out, vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn huge_predictor_rows_are_refused() {
        let mut parm = Dict::new();
        parm.set("Predictor", Object::Int(12));
        parm.set("Columns", Object::Int(1 << 20));
        parm.set("Colors", Object::Int(32));
        parm.set("BitsPerComponent", Object::Int(16));
        let mut dict = Dict::new();
        dict.set("Filter", Object::name("FlateDecode"));
        dict.set("DecodeParms", Object::Dict(parm));
        assert!(decode_stream(&dict, &deflate(&[2, 0, 0]), 1 << 30).is_err());
    }

    /// Filters and parameters kyso cannot read are refused, never skipped.
    #[test]
    fn unreadable_filters_or_parameters_are_refused() {
        let data = deflate(b"BT (x) Tj ET");
        let with = |filter: Object, parms: Option<Object>| {
            let mut dict = Dict::new();
            dict.set("Filter", filter);
            if let Some(p) = parms {
                dict.set("DecodeParms", p);
            }
            decode_stream(&dict, &data, 1 << 20)
        };
        let flate = || Object::name("FlateDecode");
        assert!(with(Object::Array(vec![flate()]), None).is_ok());
        assert!(with(
            Object::Array(vec![flate()]),
            Some(Object::Array(vec![Object::Null]))
        )
        .is_ok());
        assert!(with(Object::Array(vec![flate(), Object::Int(5)]), None).is_err());
        assert!(with(Object::Array(vec![Object::text("FlateDecode")]), None).is_err());
        assert!(with(flate(), Some(Object::Ref(ObjRef::new(9, 0)))).is_err());
        assert!(with(flate(), Some(Object::Int(12))).is_err());
        assert!(with(flate(), Some(Object::Array(vec![Object::Int(12)]))).is_err());
    }

    #[test]
    fn bomb_is_capped() {
        let big = vec![0u8; 1 << 20];
        let mut dict = Dict::new();
        dict.set("Filter", Object::name("FlateDecode"));
        assert!(decode_stream(&dict, &deflate(&big), 1000).is_err());
    }
}
