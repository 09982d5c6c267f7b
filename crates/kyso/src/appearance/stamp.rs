//! Attachment and copy stamps: text only, top right of page 1 (VIETNAM.md §1.3–1.4).

use super::*;

/// Attachment and copy stamps: text only, top right of page 1, Times-compatible, size 10,
/// black (VIETNAM.md §1.3–1.4), times in ISO 8601 with +07:00.
pub(super) fn corner_stamp(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    ctx: &Context,
    picture: Option<Picture>,
    b: &mut Builder,
) -> Result<(usize, [f64; 4])> {
    let time = crate::vntime::rfc3339(ctx.signing_time);
    let lines: Vec<String> = match req.role {
        Role::Attachment => {
            let number = req.doc_number.as_deref().ok_or_else(|| Error::Needs {
                need: crate::error::Need::DocumentNumber,
                detail:
                    "the attachment role needs the number and symbol of the document it belongs to"
                        .into(),
            })?;
            vec![nfc(number), time]
        }
        _ => {
            let copy_type = nfc(req.copy_type.as_deref().unwrap_or("SAO Y"));
            if !["SAO Y", "SAO LỤC", "TRÍCH SAO"].contains(&copy_type.as_str()) {
                return Err(Error::InvalidArgument(format!(
                    "the copy type '{copy_type}' is not one of \"SAO Y\", \"SAO LỤC\", \"TRÍCH SAO\" (Decree 30/2020 Art. 25)"
                )));
            }
            let agency = req
                .agency
                .clone()
                .or_else(|| ctx.certificate.subject.common_name())
                .or_else(|| {
                    ctx.certificate
                        .subject
                        .get(crate::asn1::oid::AT_ORGANIZATION)
                })
                .ok_or_else(|| Error::Needs {
                    need: crate::error::Need::Agency,
                    detail: "the certificate names no agency: the agency's name is needed".into(),
                })?;
            let mut v = vec![copy_type, nfc(&agency), time];
            if let Some(n) = &req.doc_number {
                v.insert(1, nfc(n));
            }
            v
        }
    };
    let size = 10.0;
    let lead = size * 1.2;
    let pad = 2.0;
    let page = match explicit(doc, rev, pages, req)? {
        Some((p, _)) => p,
        None => 0,
    };
    let area = visible_area(doc, rev, pages[page])?;
    let tw = lines.iter().map(|l| b.width(l, size)).fold(0.0, f64::max);
    let asc = b.font.font.ascent / 1000.0 * size;
    let desc = -b.font.font.descent / 1000.0 * size;
    let th = asc + desc + (lines.len() as f64 - 1.0) * lead;
    let rect = match explicit(doc, rev, pages, req)? {
        Some((_, r)) => r,
        None => {
            // 10 mm from the right edge, 5 mm from the top: above the document's own header
            // lines (Decree 30/2020 Appendix I leaves at least 20 mm top margin).
            let right = area[2] - 10.0 * PT_PER_MM;
            let top = area[3] - 5.0 * PT_PER_MM;
            [right - tw - 2.0 * pad, top - th - 2.0 * pad, right, top]
        }
    };
    let w = rect[2] - rect[0];
    for (i, l) in lines.iter().enumerate() {
        let lw = b.width(l, size);
        // Right-aligned.
        let x = (w - pad - lw).max(pad);
        let y = rect[3] - rect[1] - pad - asc - i as f64 * lead;
        b.text(l, x, y, size)?;
    }
    // Only with --force (Decree 30/2020 Appendix I: no picture): left of the text, as tall.
    if let Some(p) = picture {
        let h = rect[3] - rect[1];
        let pw = h * p.aspect();
        let mut content = Vec::new();
        let _ = writeln!(content, "q 1 0 0 1 {pw:.3} 0 cm");
        content.extend_from_slice(&b.content);
        content.extend_from_slice(b"Q\n");
        b.content = content;
        b.image(p, 0.0, 0.0, pw, h);
        return Ok((page, [rect[0] - pw, rect[1], rect[2], rect[3]]));
    }
    Ok((page, rect))
}
