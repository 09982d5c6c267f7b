//! Page geometry: the visible area of a page, CropBox ∩ MediaBox turned by /Rotate.

use crate::error::{Error, Result};
use crate::pdf::{Document, ObjRef, Object};

/// The visible area of a page, CropBox ∩ MediaBox (ISO 32000-1 §14.11.2), in the page's
/// displayed space (turned by /Rotate, see [`super::text::rotation_matrix`]): layouts speak of
/// the page as read, so they are computed there and turned back at the end.
pub fn visible_area(doc: &Document, rev: usize, page: ObjRef) -> Result<[f64; 4]> {
    let m = super::text::rotation_matrix(super::text::rotation(doc, rev, page)?);
    Ok(super::text::transform_rect(&m, &user_area(doc, rev, page)?))
}

/// CropBox ∩ MediaBox in default user space.
pub fn user_area(doc: &Document, rev: usize, page: ObjRef) -> Result<[f64; 4]> {
    let boxed = |key: &str| -> Result<Option<[f64; 4]>> {
        let Some(Object::Array(a)) = super::text::inherited(doc, rev, page, key)? else {
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
