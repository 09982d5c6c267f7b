//! Page geometry: the visible area of a page (CropBox and rotation), an explicit rectangle,
//! fitting a picture's aspect into a rectangle.

use super::*;

/// The visible area of a page, CropBox ∩ MediaBox (ISO 32000-1 §14.11.2), in the page's
/// displayed space (turned by /Rotate, see [`text_extract::rotation_matrix`]): layouts speak of
/// the page as read, so they are computed there and turned back at the end.
pub(crate) fn visible_area(doc: &Document, rev: usize, page: ObjRef) -> Result<[f64; 4]> {
    let m = text_extract::rotation_matrix(text_extract::rotation(doc, rev, page)?);
    Ok(text_extract::transform_rect(
        &m,
        &user_area(doc, rev, page)?,
    ))
}

/// CropBox ∩ MediaBox in default user space.
pub(super) fn user_area(doc: &Document, rev: usize, page: ObjRef) -> Result<[f64; 4]> {
    let boxed = |key: &str| -> Result<Option<[f64; 4]>> {
        let Some(Object::Array(a)) = text_extract::inherited(doc, rev, page, key)? else {
            return Ok(None);
        };
        let v: Vec<f64> = a
            .iter()
            .map(|o| doc.resolve_at(rev, o).ok().and_then(|o| o.as_f64()))
            .collect::<Option<Vec<f64>>>()
            .unwrap_or_default();
        Ok((v.len() == 4).then(|| {
            [
                v[0].min(v[2]),
                v[1].min(v[3]),
                v[0].max(v[2]),
                v[1].max(v[3]),
            ]
        }))
    };
    let media = boxed("MediaBox")?.unwrap_or([0.0, 0.0, 595.276, 841.89]);
    let area = match boxed("CropBox")? {
        Some(c) => [
            c[0].max(media[0]),
            c[1].max(media[1]),
            c[2].min(media[2]),
            c[3].min(media[3]),
        ],
        None => media,
    };
    if area[2] - area[0] < 1.0 || area[3] - area[1] < 1.0 {
        return Err(Error::MalformedPdf(
            "the page's visible area is empty".into(),
        ));
    }
    Ok(area)
}

pub(super) fn inside(r: &[f64; 4], area: &[f64; 4]) -> bool {
    const EPS: f64 = 0.01;
    r[0] >= area[0] - EPS && r[1] >= area[1] - EPS && r[2] <= area[2] + EPS && r[3] <= area[3] + EPS
}

/// Moves `r` (llx, lly, urx, ury) the least needed to lie inside `area`.
pub(super) fn shift_inside(r: [f64; 4], area: &[f64; 4]) -> [f64; 4] {
    let dx = if r[0] < area[0] {
        area[0] - r[0]
    } else if r[2] > area[2] {
        area[2] - r[2]
    } else {
        0.0
    };
    let dy = if r[1] < area[1] {
        area[1] - r[1]
    } else if r[3] > area[3] {
        area[3] - r[3]
    } else {
        0.0
    };
    [r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy]
}

/// The explicit rectangle as (page index, [llx lly urx ury]), when given.
/// The rectangle is measured from the lower left corner of the page as displayed.
pub(super) fn explicit(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
) -> Result<Option<(usize, [f64; 4])>> {
    let Some([x, y, w, h]) = req.rect else {
        return Ok(None);
    };
    let page = req.page.unwrap_or(1).saturating_sub(1);
    let Some(&page_ref) = pages.get(page) else {
        return Err(Error::InvalidArgument(format!(
            "page {} does not exist (the document has {} pages)",
            page + 1,
            pages.len()
        )));
    };
    let area = visible_area(doc, rev, page_ref)?;
    let (x, y) = (x + area[0], y + area[1]);
    Ok(Some((page, [x, y, x + w, y + h])))
}

/// Fits a picture of aspect `aspect` (w/h) centred in `r`.
pub(super) fn fit(aspect: f64, r: [f64; 4]) -> [f64; 4] {
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    let (pw, ph) = if w / h > aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    [cx - pw / 2.0, cy - ph / 2.0, cx + pw / 2.0, cy + ph / 2.0]
}
