//! Placing a signature on a page: an explicit rectangle, inside the page's visible area
//! ([`crate::layout::page`]), fitting a picture's aspect into a rectangle.

use super::*;

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
