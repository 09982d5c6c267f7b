//! The agency's seal (Decree 30/2020 Appendix I §2): the seal picture at real size over the
//! leader's picture, and the text block beside it.

use super::*;

/// Organization: the red seal at real size, its right edge a third of the way into the leader's
/// picture (Decree 30/2020 Appendix I, box 8), with the text block used in practice beside it.
pub(super) fn organization(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    ctx: &Context,
    picture: Option<Picture>,
    b: &mut Builder,
) -> Result<(usize, [f64; 4])> {
    let picture = picture.ok_or_else(|| Error::Needs {
        need: crate::error::Need::Image,
        detail: "the organization role needs a picture: the agency's seal as a transparent PNG"
            .into(),
    })?;
    let diameter_mm = match req.seal_diameter_mm {
        Some(d) if d.is_finite() && (5.0..=100.0).contains(&d) => d,
        Some(d) => {
            return Err(Error::InvalidArgument(format!(
                "the seal diameter {d} mm is not a plausible seal size (5–100 mm)"
            )))
        }
        None => picture
            .dpi
            .map(|dpi| picture.width.max(picture.height) as f64 / dpi * 25.4)
            .filter(|d| (5.0..=100.0).contains(d))
            .unwrap_or(DEFAULT_SEAL_MM),
    };
    let d = diameter_mm * PT_PER_MM;
    // The picture keeps its aspect; its larger side is the seal's diameter.
    let (sw, sh) = if picture.aspect() >= 1.0 {
        (d, d / picture.aspect())
    } else {
        (d * picture.aspect(), d)
    };
    let leader = find_leader_widget(doc, rev, pages)?;
    let (page, seal) = match (explicit(doc, rev, pages, req)?, leader) {
        (Some((page, r)), _) => {
            if leader.is_none() && !ctx.force {
                return Err(no_leader());
            }
            let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
            (
                page,
                [cx - sw / 2.0, cy - sh / 2.0, cx + sw / 2.0, cy + sh / 2.0],
            )
        }
        (None, Some((page, l))) => {
            let right = l[0] + (l[2] - l[0]) / 3.0;
            let cy = (l[1] + l[3]) / 2.0;
            (page, [right - sw, cy - sh / 2.0, right, cy + sh / 2.0])
        }
        (None, None) => {
            if !ctx.force {
                return Err(no_leader());
            }
            return Err(Error::Needs {
                need: crate::error::Need::Placement,
                detail: "there is no leader signature to place the seal over: a page and rectangle are needed".into(),
            });
        }
    };
    let area = visible_area(doc, rev, pages[page])?;

    // The text block: "Người ký", "Cơ quan" (when it says more than the signer's name),
    // "Thời gian ký", and the number/date when given.
    let size = 8.0;
    let mut lines: Vec<String> = Vec::new();
    if !req.no_text {
        let cn = ctx.certificate.subject.common_name().unwrap_or_default();
        lines.push(format!("Người ký: {}", nfc(&cn)));
        let agency = req
            .agency
            .clone()
            .or_else(|| {
                ctx.certificate
                    .subject
                    .get(crate::asn1::oid::AT_ORGANIZATION)
            })
            .unwrap_or_else(|| cn.clone());
        if text_extract::normalize(&agency) != text_extract::normalize(&cn) {
            lines.push(format!("Cơ quan: {}", nfc(&agency)));
        }
        if let Some(email) = ctx.certificate.subject.get("1.2.840.113549.1.9.1") {
            lines.push(format!("Email: {email}"));
        }
        lines.push(format!(
            "Thời gian ký: {}",
            crate::vntime::display(ctx.signing_time)
        ));
    }
    // The blanks are on page 1; a widget draws on its own page only.
    let (number_stamped, date_stamped) = if page == 0 {
        fill_blanks(doc, rev, pages, req, b)?
    } else {
        (false, false)
    };
    if let Some(n) = req.doc_number.as_ref().filter(|_| !number_stamped) {
        b.guards
            .push(crate::decree30::Guard::NumberBlankNotFound { number: nfc(n) });
        lines.push(format!("Số: {}", nfc(n)));
    }
    if let Some(dt) = req.doc_date.as_ref().filter(|_| !date_stamped) {
        b.guards
            .push(crate::decree30::Guard::DateBlankNotFound { date: nfc(dt) });
        // One date format in the block: the one of "Thời gian ký" (dd.mm.yyyy).
        let (d, m, y) = parse_date(dt)?;
        lines.push(format!("Ngày ban hành: {d:02}.{m:02}.{y:04}"));
    }
    let lead = size * 1.25;
    // Left of the seal, as wide as the page allows outside the binding margin (Decree 30/2020
    // Appendix I: left margin 30–35 mm), lines wrapped to that width.
    let margin = 6.0;
    let binding = crate::decree30::guard::BINDING_MARGIN_MM * PT_PER_MM;
    let max_w = (seal[0] - area[0] - binding - margin).clamp(60.0, 230.0);
    let mut wrapped: Vec<String> = Vec::new();
    for l in &lines {
        wrapped.extend(wrap(b, l, size, max_w));
    }
    let tw = wrapped.iter().map(|l| b.width(l, size)).fold(0.0, f64::max);
    let th = wrapped.len() as f64 * lead;
    let (mut rect, text_box) = if wrapped.is_empty() {
        (seal, None)
    } else {
        // Bottom-aligned with the seal, to its left.
        let tb = [
            seal[0] - margin - tw,
            seal[1],
            seal[0] - margin,
            seal[1] + th,
        ];
        (
            [tb[0].min(seal[0]), seal[1], seal[2], seal[3].max(tb[3])],
            Some(tb),
        )
    };
    let shifted = shift_inside(rect, &area);
    let (dx, dy) = (shifted[0] - rect[0], shifted[1] - rect[1]);
    rect = shifted;
    if let Some(tb) = text_box {
        let left = tb[0] + dx - area[0];
        if left < binding - 0.01 {
            b.guards.push(crate::decree30::Guard::TextInBindingMargin {
                left_mm: (left / PT_PER_MM * 10.0).round() / 10.0,
            });
        }
    }
    // Seal first, the text over its margin if they touch.
    b.image(
        picture,
        seal[0] + dx - rect[0],
        seal[1] + dy - rect[1],
        sw,
        sh,
    );
    if let Some(tb) = text_box {
        let asc = b.font.font.ascent / 1000.0 * size;
        for (i, l) in wrapped.iter().enumerate() {
            let y = tb[3] + dy - rect[1] - asc - i as f64 * lead;
            b.text(l, tb[0] + dx - rect[0], y, size)?;
        }
    }
    if !b.stamps.is_empty() {
        // One widget for all: its rectangle grows to hold the stamps (its appearance stays
        // transparent elsewhere). Separate widgets — kids of the signature field — would be
        // cleaner, but Poppler then reports each kid as an unsigned signature field.
        let stamps = std::mem::take(&mut b.stamps);
        let mut all = rect;
        for st in &stamps {
            all = [
                all[0].min(st.rect[0]),
                all[1].min(st.rect[1]),
                all[2].max(st.rect[2]),
                all[3].max(st.rect[3]),
            ];
        }
        let mut content = Vec::new();
        let _ = writeln!(
            content,
            "q 1 0 0 1 {:.3} {:.3} cm",
            rect[0] - all[0],
            rect[1] - all[1]
        );
        content.extend_from_slice(&b.content);
        content.extend_from_slice(b"Q\n");
        for st in &stamps {
            let _ = writeln!(
                content,
                "q 1 0 0 1 {:.3} {:.3} cm",
                st.rect[0] - all[0],
                st.rect[1] - all[1]
            );
            content.extend_from_slice(&st.content);
            content.extend_from_slice(b"Q\n");
        }
        b.content = content;
        rect = all;
    }
    Ok((page, rect))
}

/// Splits `s` into lines no wider than `max` at `size` (words longer than a line stay whole).
pub(super) fn wrap(b: &Builder, s: &str, size: f64, max: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let cand = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && b.width(&cand, size) > max {
            out.push(std::mem::take(&mut cur));
            cur = format!("  {word}");
        } else {
            cur = cand;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
