//! PEM (RFC 7468) blocks of one label in a file that may hold several, with text between them
//! (openssl's bundles): each block is decoded by `pem-rfc7468` (strict grammar, constant-time
//! base64, the line width detected so that 76-column files from other tools read too).

/// The decoded contents of every `-----BEGIN {label}-----` … `-----END {label}-----` block of
/// `data`, in order. An error names the first block that is not valid PEM (a block without its
/// END line, bad base64, headers RFC 7468 does not allow).
pub fn blocks(data: &[u8], label: &str) -> Result<Vec<Vec<u8>>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(b) = find(data, begin.as_bytes(), pos) {
        let Some(e) = find(data, end.as_bytes(), b + begin.len()) else {
            return Err(format!(
                "PEM {label} block {} without its END line",
                out.len() + 1
            ));
        };
        let stop = e + end.len();
        let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(&data[b..stop])
            .map_err(|err| format!("PEM {label} block {}: {err}", out.len() + 1))?;
        let mut der = Vec::new();
        decoder
            .decode_to_end(&mut der)
            .map_err(|err| format!("PEM {label} block {}: {err}", out.len() + 1))?;
        out.push(der);
        pos = stop;
    }
    Ok(out)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn reads_every_block_of_the_label_and_skips_text_between() {
        let text = format!(
            "subject=CN x\n{}{}\n{}",
            wrap("CERTIFICATE", "Zm9v"),
            wrap("X509 CRL", "YmFy"),
            wrap("CERTIFICATE", "YmF6\r")
        );
        let certs = blocks(text.as_bytes(), "CERTIFICATE").unwrap();
        assert_eq!(certs, [b"foo".to_vec(), b"baz".to_vec()]);
        assert_eq!(
            blocks(text.as_bytes(), "X509 CRL").unwrap(),
            [b"bar".to_vec()]
        );
        assert!(blocks(b"nothing here", "CERTIFICATE").unwrap().is_empty());
    }

    #[test]
    fn refuses_broken_blocks() {
        assert!(blocks(wrap("CERTIFICATE", "Zm9v!").as_bytes(), "CERTIFICATE").is_err());
        let cut = "-----BEGIN CERTIFICATE-----\nZm9v\n";
        assert!(blocks(cut.as_bytes(), "CERTIFICATE")
            .unwrap_err()
            .contains("END"));
    }

    #[test]
    fn long_lines_are_read() {
        // 76 columns, as some Windows exports write them.
        let data: Vec<u8> = (0..=255u8).collect();
        let b64 = crate::base64::encode(&data);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = wrap("CERTIFICATE", &lines.join("\n"));
        assert_eq!(blocks(text.as_bytes(), "CERTIFICATE").unwrap(), [data]);
    }
}
