//! `multipart/form-data` bodies (RFC 7578 over RFC 2046 §5.1.1), read strictly: the parts of
//! `/v1/sign` are the PDF and, optionally, the picture of a visible signature.

/// One part: its form field name, its file name (if any) and its bytes.
pub struct Part<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` Content-Type, or None for another type.
pub fn boundary(content_type: &str) -> Option<Result<String, String>> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    for p in params {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        if k.trim().eq_ignore_ascii_case("boundary") {
            let v = v.trim().trim_matches('"');
            // RFC 2046 §5.1.1: 1 to 70 characters.
            if v.is_empty() || v.len() > 70 {
                return Some(Err(
                    "the multipart boundary must be 1 to 70 characters".into()
                ));
            }
            return Some(Ok(v.to_string()));
        }
    }
    Some(Err("multipart/form-data without a boundary".into()))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A parameter of a Content-Disposition header: `name="x"` (quoted, `\"` unescaped) or bare.
fn disposition_param(value: &str, key: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Next `;`-separated parameter, honouring quotes.
        let rest = &value[i..];
        let trimmed = rest.trim_start_matches([' ', ';', '\t']);
        i += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            break;
        }
        let eq = trimmed.find('=');
        let semi = trimmed.find(';');
        match (eq, semi) {
            (Some(e), s) if s.is_none_or(|s| e < s) => {
                let k = trimmed[..e].trim();
                let after = &trimmed[e + 1..];
                let (v, used) = if let Some(q) = after.strip_prefix('"') {
                    let mut out = String::new();
                    let mut chars = q.char_indices();
                    let mut end = None;
                    while let Some((j, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, n)) = chars.next() {
                                    out.push(n)
                                }
                            }
                            '"' => {
                                end = Some(j);
                                break;
                            }
                            c => out.push(c),
                        }
                    }
                    let end = end?;
                    (out, e + 1 + 1 + end + 1)
                } else {
                    let stop = after.find(';').unwrap_or(after.len());
                    (after[..stop].trim().to_string(), e + 1 + stop)
                };
                if k.eq_ignore_ascii_case(key) {
                    return Some(v);
                }
                i += used;
            }
            (_, Some(s)) => i += s + 1,
            (_, None) => break,
        }
    }
    None
}

/// The parts of `body`. Anything malformed is an error, never a guess.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let bad = |what: &str| format!("malformed multipart body: {what}");
    let first = format!("--{boundary}");
    let delim = format!("\r\n--{boundary}");
    // The preamble is allowed by RFC 2046 but browsers and curl send none; accept it anyway.
    let mut pos = if body.starts_with(first.as_bytes()) {
        first.len()
    } else {
        find(body, delim.as_bytes(), 0).ok_or_else(|| bad("no boundary"))? + delim.len()
    };
    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` ends the body, CRLF starts a part.
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(bad("a boundary not followed by a line end"));
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos).ok_or_else(|| bad("a part without headers"))?;
        let head = std::str::from_utf8(&body[pos..head_end])
            .map_err(|_| bad("part headers are not UTF-8"))?;
        let mut name = None;
        let mut file_name = None;
        for line in head.split("\r\n") {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| bad("a part header without a colon"))?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                let v = v.trim();
                if !v.to_ascii_lowercase().starts_with("form-data") {
                    return Err(bad("a part that is not form-data"));
                }
                name = disposition_param(v, "name");
                file_name = disposition_param(v, "filename");
            }
        }
        let name = name.ok_or_else(|| bad("a part without a name"))?;
        let data_start = head_end + 4;
        let data_end =
            find(body, delim.as_bytes(), data_start).ok_or_else(|| bad("an unterminated part"))?;
        parts.push(Part {
            name,
            file_name,
            data: &body[data_start..data_end],
        });
        pos = data_end + delim.len();
        if parts.len() > 16 {
            return Err(bad("too many parts"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"c\\\"v.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--x\r\n--XyZ\r\nContent-Disposition: form-data; name=image\r\n\r\nPNG\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=\"XyZ\"")
            .unwrap()
            .unwrap();
        let parts = parse(body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "pdf");
        assert_eq!(parts[0].file_name.as_deref(), Some("c\"v.pdf"));
        assert_eq!(parts[0].data, b"%PDF-1.7\r\n--x");
        assert_eq!(parts[1].name, "image");
        assert_eq!(parts[1].data, b"PNG");
        assert!(boundary("application/pdf").is_none());
        assert!(boundary("multipart/form-data").unwrap().is_err());
        assert!(parse(
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nno end",
            "XyZ"
        )
        .is_err());
        assert!(parse(b"--XyZ\r\nX: y\r\n\r\n\r\n--XyZ--", "XyZ").is_err());
    }
}
