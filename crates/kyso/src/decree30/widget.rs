//! What a signature shows on the page: its widget's page and rectangle, the pictures its
//! appearance draws (where, and in which colour) and its text (ISO 32000-1 §12.5.5 appearance
//! streams, §12.7.4.5 signature fields). Positions are in points on the page as displayed
//! (turned by /Rotate), origin at the lower left of the page's visible area.

use serde::Serialize;

use super::colour::{image_colour, ColourFacts};
use crate::error::{Error, Result};
use crate::layout::text as text_extract;
use crate::pdf::signatures::SignatureEntry;
use crate::pdf::{Dict, Document, ObjRef, Object, Stream};

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
/// Form XObjects followed inside an appearance.
const MAX_DEPTH: usize = 4;
/// Operators read per appearance, a bound against hostile content.
const MAX_OPERATORS: usize = 200_000;
/// Pictures judged per appearance (each is decoded): more is reported as an error.
const MAX_PICTURES: usize = 16;

/// The private widget key marking the role kyso drew (second-class name, ISO 32000-1 Annex E).
pub const ROLE_KEY: &str = "KysoRole";

/// A picture drawn by a signature's appearance.
#[derive(Clone, Debug, Serialize)]
pub struct PictureFacts {
    /// Where it lands on the page: llx, lly, urx, ury in points.
    pub rect: [f64; 4],
    /// The colour of its visible pixels (or why it could not be decoded).
    pub colour: ColourFacts,
}

/// The visible part of a signature.
#[derive(Clone, Debug, Serialize)]
pub struct WidgetFacts {
    /// 1-based page number.
    pub page: usize,
    /// The widget's rectangle on the page as displayed (points, from the lower left corner
    /// of the visible area).
    pub rect: [f64; 4],
    /// Width and height of the page's visible area (points).
    pub page_size: [f64; 2],
    /// Every image the appearance draws (through nested form XObjects too), in drawing order;
    /// empty for a text-only stamp (Appendix I: attachments and copies carry no picture).
    pub pictures: Vec<PictureFacts>,
    /// The appearance's text lines, top to bottom.
    pub text: Vec<String>,
    /// The role kyso recorded when it drew the widget (`/KysoRole`), if any.
    pub marker: Option<String>,
}

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn bbox_of(m: &Matrix, r: &[f64; 4]) -> [f64; 4] {
    let pts = [
        apply(m, r[0], r[1]),
        apply(m, r[2], r[1]),
        apply(m, r[0], r[3]),
        apply(m, r[2], r[3]),
    ];
    let mut out = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (x, y) in pts {
        out[0] = out[0].min(x);
        out[1] = out[1].min(y);
        out[2] = out[2].max(x);
        out[3] = out[3].max(y);
    }
    out
}

fn numbers(doc: &Document, rev: usize, o: Option<&Object>) -> Option<Vec<f64>> {
    let o = doc.resolve_at(rev, o?).ok()?;
    o.as_array()?
        .iter()
        .map(|v| doc.resolve_at(rev, v).ok().and_then(|v| v.as_f64()))
        .collect()
}

fn rect4(v: &[f64]) -> Option<[f64; 4]> {
    (v.len() == 4).then(|| {
        [
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ]
    })
}

/// The widgets (dictionary, own reference) of the signature field(s) holding `entry`.
fn widgets(
    doc: &Document,
    rev: usize,
    entry: &SignatureEntry,
) -> Result<Vec<(Dict, Option<ObjRef>)>> {
    let mut out = Vec::new();
    for f in doc.fields_at(rev)?.into_iter().filter(|f| f.is_signature()) {
        if !entry.field_names.contains(&f.name) {
            continue;
        }
        if let (Some(want), Some(v)) = (entry.reference, f.dict.get("V")) {
            if v.as_ref() != Some(want) {
                continue;
            }
        }
        if f.dict.get("Rect").is_some() {
            out.push((f.dict.clone(), f.reference));
        }
        if let Some(kids) = f.dict.get("Kids") {
            for k in doc
                .resolve_at(rev, kids)?
                .as_array()
                .unwrap_or(&[])
                .iter()
                .take(100)
            {
                if let Some(d) = doc.resolve_dict_at(rev, k)? {
                    out.push((d, k.as_ref()));
                }
            }
        }
    }
    Ok(out)
}

/// The page holding a widget: its /P, else the page whose /Annots lists it.
fn widget_page(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    w: &Dict,
    own: Option<ObjRef>,
) -> Result<Option<usize>> {
    if let Some(p) = w.get("P").and_then(Object::as_ref) {
        if let Some(i) = pages.iter().position(|x| *x == p) {
            return Ok(Some(i));
        }
    }
    let Some(own) = own else { return Ok(None) };
    for (i, p) in pages.iter().enumerate() {
        let Some(pd) = doc.resolve_dict_at(rev, &Object::Ref(*p))? else {
            continue;
        };
        if let Some(annots) = pd.get("Annots") {
            if doc
                .resolve_at(rev, annots)?
                .as_array()
                .unwrap_or(&[])
                .iter()
                .any(|a| a.as_ref() == Some(own))
            {
                return Ok(Some(i));
            }
        }
    }
    Ok(None)
}

/// The visible widget of `entry` as the newest revision shows it; None when it has none
/// (an invisible signature: no widget, or a zero-size one). [`super::assess`] calls it for
/// every signature; its result lands in [`super::RoleFinding::widget`].
///
/// # Errors
///
/// [`Error::MalformedPdf`] when the page tree, the widget's page or its appearance cannot be
/// read (e.g. an appearance without /BBox), [`Error::UnsupportedPdf`] when the appearance is
/// beyond the bounds kept against hostile content (more than 200 000 operators or 16
/// pictures; forms nested deeper than 4 are not followed). The caller treats an error as "widget unreadable": the
/// signature's picture and stamp points are then not met (fail closed).
pub fn widget_facts(doc: &Document, entry: &SignatureEntry) -> Result<Option<WidgetFacts>> {
    let rev = doc.last_revision();
    let pages = doc.pages_at(rev)?;
    for (w, own) in widgets(doc, rev, entry)? {
        let Some(rect) = numbers(doc, rev, w.get("Rect")).and_then(|v| rect4(&v)) else {
            continue;
        };
        if rect[2] - rect[0] < 1.0 || rect[3] - rect[1] < 1.0 {
            continue;
        }
        let Some(page) = widget_page(doc, rev, &pages, &w, own)? else {
            continue;
        };
        let rotate = text_extract::rotation(doc, rev, pages[page])?;
        let to_page = text_extract::rotation_matrix(rotate);
        let area = crate::layout::visible_area(doc, rev, pages[page])?;
        // Displayed coordinates from the visible area's lower left corner.
        let shift: Matrix = [1.0, 0.0, 0.0, 1.0, -area[0], -area[1]];
        let to_view = mul(&to_page, &shift);
        let mut facts = WidgetFacts {
            page: page + 1,
            rect: bbox_of(&to_view, &rect),
            page_size: [area[2] - area[0], area[3] - area[1]],
            pictures: Vec::new(),
            text: Vec::new(),
            marker: w
                .name(ROLE_KEY)
                .map(|n| String::from_utf8_lossy(n).into_owned()),
        };
        let normal = w
            .get("AP")
            .map(|ap| doc.resolve_dict_at(rev, ap))
            .transpose()?
            .flatten()
            .and_then(|ap| ap.get("N").cloned());
        if let Some(n) = normal {
            if let Object::Stream(form) = doc.resolve_at(rev, &n)? {
                // ISO 32000-1 §12.5.5: form space → (Matrix) → fitted to /Rect.
                let matrix = numbers(doc, rev, form.dict.get("Matrix"))
                    .filter(|v| v.len() == 6)
                    .map(|v| [v[0], v[1], v[2], v[3], v[4], v[5]])
                    .unwrap_or(IDENTITY);
                let bbox = numbers(doc, rev, form.dict.get("BBox"))
                    .and_then(|v| rect4(&v))
                    .ok_or_else(|| Error::MalformedPdf("appearance without a /BBox".into()))?;
                let t = bbox_of(&matrix, &bbox);
                let (tw, th) = (t[2] - t[0], t[3] - t[1]);
                let a: Matrix = if tw.abs() < 1e-6 || th.abs() < 1e-6 {
                    [1.0, 0.0, 0.0, 1.0, rect[0], rect[1]]
                } else {
                    let (sx, sy) = ((rect[2] - rect[0]) / tw, (rect[3] - rect[1]) / th);
                    [sx, 0.0, 0.0, sy, rect[0] - t[0] * sx, rect[1] - t[1] * sy]
                };
                let form_to_view = mul(&mul(&matrix, &a), &to_view);
                let mut walker = Walker {
                    doc,
                    rev,
                    ops: 0,
                    out: Vec::new(),
                };
                walker.form(&form, form_to_view, 0)?;
                facts.pictures = walker.out;
                let content = doc.stream_decoded(&form)?;
                let resources = form
                    .dict
                    .get("Resources")
                    .map(|r| doc.resolve_dict_at(rev, r))
                    .transpose()?
                    .flatten()
                    .unwrap_or_default();
                facts.text = text_extract::stream_lines(doc, rev, &content, &resources)?
                    .iter()
                    .map(|l| l.text().trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect();
            }
        }
        return Ok(Some(facts));
    }
    Ok(None)
}

/// Follows `q`/`Q`/`cm`/`Do` through an appearance and its forms to place every image.
struct Walker<'a> {
    doc: &'a Document,
    rev: usize,
    ops: usize,
    out: Vec<PictureFacts>,
}

impl Walker<'_> {
    fn form(&mut self, form: &Stream, ctm0: Matrix, depth: usize) -> Result<()> {
        let (doc, rev) = (self.doc, self.rev);
        let content = doc.stream_decoded(form)?;
        let resources = form
            .dict
            .get("Resources")
            .map(|r| doc.resolve_dict_at(rev, r))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let xobjects = resources
            .get("XObject")
            .map(|x| doc.resolve_dict_at(rev, x))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let mut ctm = ctm0;
        let mut stack: Vec<Matrix> = Vec::new();
        let mut ops = crate::layout::content::Operations::new(&content);
        let mut seen = 0;
        while let Some((op, operands)) = ops.next_op() {
            // Every keyword counts, `true`/`false`/`null` among them.
            self.ops += ops.count - seen;
            seen = ops.count;
            if self.ops > MAX_OPERATORS {
                return Err(Error::UnsupportedPdf(
                    "the signature's appearance has too many operators".into(),
                ));
            }
            match op {
                // Inline images (`BI`, skipped by the tokeniser) are not signature pictures
                // kyso can judge.
                b"q" if stack.len() < 64 => stack.push(ctm),
                b"Q" => ctm = stack.pop().unwrap_or(ctm0),
                b"cm" => {
                    let n: Vec<f64> = operands.iter().filter_map(Object::as_f64).collect();
                    if n.len() == 6 {
                        ctm = mul(&[n[0], n[1], n[2], n[3], n[4], n[5]], &ctm);
                    }
                }
                b"Do" => {
                    let name = operands
                        .last()
                        .and_then(Object::as_name)
                        .map(<[u8]>::to_vec);
                    let target = name
                        .and_then(|n| xobjects.get(&String::from_utf8_lossy(&n)).cloned())
                        .map(|o| doc.resolve_at(rev, &o))
                        .transpose()?;
                    if let Some(Object::Stream(x)) = target {
                        if x.dict.has_name("Subtype", "Image") {
                            if self.out.len() >= MAX_PICTURES {
                                return Err(Error::UnsupportedPdf(format!(
                                    "the signature's appearance draws more than {MAX_PICTURES} pictures"
                                )));
                            }
                            self.out.push(PictureFacts {
                                rect: bbox_of(&ctm, &[0.0, 0.0, 1.0, 1.0]),
                                colour: image_colour(doc, rev, &x),
                            });
                        } else if x.dict.has_name("Subtype", "Form") && depth < MAX_DEPTH {
                            let m = numbers(doc, rev, x.dict.get("Matrix"))
                                .filter(|v| v.len() == 6)
                                .map(|v| [v[0], v[1], v[2], v[3], v[4], v[5]])
                                .unwrap_or(IDENTITY);
                            self.form(&x, mul(&m, &ctm), depth + 1)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
