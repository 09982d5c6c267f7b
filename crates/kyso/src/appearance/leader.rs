//! The leader's signature picture (Decree 30/2020 Appendix I §1): placed between the title line
//! and the printed name found on the page, with the guards of issue #15.

use super::*;

/// Leader: the picture centred between the title line and the name (Decree 30/2020 Appendix I,
/// box 7c). The widget's rectangle is exactly the picture's, so the organization signature
/// can find it.
pub(super) fn leader(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    ctx: &Context,
    picture: Option<Picture>,
    b: &mut Builder,
) -> Result<(usize, [f64; 4])> {
    let picture = picture.ok_or_else(|| {
        Error::Needs {
            need: crate::error::Need::Image,
            detail: "the leader role needs a picture: the leader's handwritten signature as a transparent PNG".into(),
        }
    })?;
    let aspect = picture.aspect();
    leader_guards(doc, rev, ctx, b)?;
    let (page, rect) = match explicit(doc, rev, pages, req)? {
        Some((page, r)) => (page, fit(aspect, r)),
        None => {
            let anchor = match &req.anchor {
                Some(a) => a.clone(),
                None => ctx.certificate.subject.common_name().ok_or_else(|| {
                    Error::Needs {
                        need: crate::error::Need::Placement,
                        detail: "the certificate has no common name to look for: an anchor text, or a page and rectangle, is needed".into(),
                    }
                })?,
            };
            let (page, lines, found) = find_anchor(doc, rev, pages, req.page, &anchor)?;
            let area = visible_area(doc, rev, pages[page])?;
            // The signer block is below the letterhead: a name found in the top part of page 1
            // is the agency's name in the header, not the signer's (issue #15).
            let from_top = area[3] - found.y;
            if page == 0 && from_top < 0.3 * (area[3] - area[1]) {
                b.guards
                    .push(crate::decree30::Guard::AnchorNotInSignerBlock {
                        anchor: anchor.clone(),
                        page: page + 1,
                        from_top_mm: (from_top / PT_PER_MM).round(),
                    });
            }
            (page, shift_inside(gap_above(&lines, &found, aspect), &area))
        }
    };
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    b.image(picture, 0.0, 0.0, w, h);
    Ok((page, rect))
}

/// Guards of a leader signature: a person's certificate, and no agency signature yet
/// (Decree 30/2020 Art. 32.2).
pub(super) fn leader_guards(
    doc: &Document,
    rev: usize,
    ctx: &Context,
    b: &mut Builder,
) -> Result<()> {
    use crate::decree30::{name_kind, Guard, NameKind};
    let cn = ctx.certificate.subject.common_name().unwrap_or_default();
    if name_kind(&cn) != NameKind::Person {
        b.guards.push(Guard::LeaderNotPerson { common_name: cn });
    }
    let _ = rev;
    for (i, e) in crate::pdf::signatures::find_signatures(doc)?
        .iter()
        .enumerate()
    {
        if e.is_document_timestamp() {
            continue;
        }
        let signer = crate::cms::SignedData::parse(&e.contents)
            .ok()
            .and_then(|sd| {
                let si = sd.signer_infos.first()?;
                sd.signer_certificate(si)
                    .and_then(|c| c.subject.common_name())
            })
            .unwrap_or_default();
        // What it shows, else who made it.
        let widget = crate::decree30::widget::widget_facts(doc, e).ok().flatten();
        let shows_seal = widget.as_ref().is_some_and(|w| {
            w.marker.as_deref() == Some("organization")
                || w.pictures
                    .iter()
                    .any(|p| p.colour.hue == Some(crate::decree30::Hue::Red))
        });
        if shows_seal || name_kind(&signer) == NameKind::Organization {
            b.guards.push(Guard::LeaderAfterOrganization {
                signature: i + 1,
                signer,
            });
            break;
        }
    }
    Ok(())
}

/// Searches the pages (the given one, or all from the last) for `anchor`.
pub(super) fn find_anchor(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    only: Option<usize>,
    anchor: &str,
) -> Result<(usize, Vec<text_extract::Line>, text_extract::Found)> {
    let order: Vec<usize> = match only {
        Some(p) => vec![p - 1],
        None => (0..pages.len()).rev().collect(),
    };
    for i in order {
        let lines = text_extract::page_lines(doc, rev, pages[i])?;
        if let Some(f) = text_extract::find(&lines, anchor) {
            return Ok((i, lines, f));
        }
    }
    Err(Error::Needs {
        need: crate::error::Need::Placement,
        detail: format!(
            "the anchor text '{anchor}' was not found on {}; an anchor text printed under the signature (usually the signer's name), or a page and rectangle, is needed",
            match only {
                Some(p) => format!("page {p}"),
                None => "any page".into(),
            }
        ),
    })
}

/// The picture's box in the gap between the line above the anchor (the title) and the anchor,
/// scaled to fill the gap's height (keeping the aspect), centred on the anchor.
pub(super) fn gap_above(
    lines: &[text_extract::Line],
    found: &text_extract::Found,
    aspect: f64,
) -> [f64; 4] {
    let name_top = found.y + found.size * 0.75;
    let centre = (found.x0 + found.x1) / 2.0;
    // The nearest line above that overlaps the name's column (the title line).
    let title = lines
        .iter()
        .filter(|l| l.y > found.y + found.size * 0.5)
        .filter(|l| {
            l.glyphs
                .iter()
                .any(|g| g.x < found.x1 + 40.0 && g.x + g.width > found.x0 - 40.0)
        })
        .min_by(|a, b| a.y.total_cmp(&b.y));
    let top = match title {
        Some(l) => l.y - l.size * 0.3,
        None => name_top + 4.0 * found.size,
    };
    let margin = 2.0;
    let (lo, hi) = (name_top + margin, top - margin);
    let h = (hi - lo).clamp(12.0, 200.0);
    let mut w = h * aspect;
    // Not wider than a generous signature column.
    let max_w = (3.0 * (found.x1 - found.x0)).max(180.0);
    let h = if w > max_w {
        w = max_w;
        w / aspect
    } else {
        h
    };
    let cy = (lo + hi) / 2.0;
    [
        centre - w / 2.0,
        cy - h / 2.0,
        centre + w / 2.0,
        cy + h / 2.0,
    ]
}

/// A leader signature already in the document: its page and picture rectangle.
pub(super) fn find_leader_widget(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
) -> Result<Option<(usize, [f64; 4])>> {
    let mut any: Option<(usize, [f64; 4])> = None;
    let mut kyso_leader: Option<(usize, [f64; 4])> = None;
    for field in doc.fields_at(rev)?.iter().filter(|f| f.is_signature()) {
        if field.dict.get("V").is_none() {
            continue;
        }
        // The widget is the field itself (merged) or its kids (ISO 32000-1 §12.7.1).
        let mut widgets = vec![field.dict.clone()];
        if let Some(kids) = field.dict.get("Kids") {
            for k in doc
                .resolve_at(rev, kids)?
                .as_array()
                .unwrap_or(&[])
                .iter()
                .take(100)
            {
                if let Some(d) = doc.resolve_dict_at(rev, k)? {
                    widgets.push(d);
                }
            }
        }
        for w in widgets {
            let rect: Vec<f64> = match w.get("Rect").map(|r| doc.resolve_at(rev, r)).transpose()? {
                Some(Object::Array(a)) => a.iter().filter_map(Object::as_f64).collect(),
                _ => continue,
            };
            if rect.len() != 4 || (rect[2] - rect[0]).abs() < 1.0 || (rect[3] - rect[1]).abs() < 1.0
            {
                continue;
            }
            let r = [
                rect[0].min(rect[2]),
                rect[1].min(rect[3]),
                rect[0].max(rect[2]),
                rect[1].max(rect[3]),
            ];
            let Some(page) = w
                .get("P")
                .and_then(Object::as_ref)
                .and_then(|p| pages.iter().position(|x| *x == p))
            else {
                continue;
            };
            // As displayed, like every layout.
            let m = text_extract::rotation_matrix(text_extract::rotation(doc, rev, pages[page])?);
            let r = text_extract::transform_rect(&m, &r);
            match w.name(ROLE_KEY) {
                Some(b"leader") => kyso_leader = Some((page, r)),
                Some(_) => {}
                None => any = any.or(Some((page, r))),
            }
        }
    }
    Ok(kyso_leader.or(any))
}

pub(super) fn no_leader() -> Error {
    Error::InvalidArgument(
        "the document has no leader signature yet: the agency signs only a document the competent person has signed (Decree 30/2020 Art. 32.2); the leader signs first (or the signature is forced)".into(),
    )
}
