//! The widget a signature gets: its page and rectangle, and the appearance stream written as
//! its /AP /N form XObject (ISO 32000-1 §12.5.5, §8.10).

use super::*;

/// A widget ready to be written: where it goes and what its appearance draws.
#[derive(Clone, Debug)]
pub struct Widget {
    /// 0-based page index.
    pub page: usize,
    /// /Rect in default user space: llx, lly, urx, ury.
    pub rect: [f64; 4],
    /// The page's /Rotate: the appearance is turned back so that it reads upright.
    pub rotate: i64,
    /// Who signs: written in the field as [`ROLE_KEY`] so that verification knows what was drawn.
    pub role: Role,
    /// Content stream of the form, in form space where the bbox is [0 0 w h].
    pub(super) content: Vec<u8>,
    pub(super) font: Option<FontUse>,
    pub(super) images: Vec<Picture>,
    /// Decree 30/2020 guards overridden with `force` (issue #15): the signature was made anyway.
    pub guards: Vec<crate::decree30::Guard>,
}

/// Text drawn outside the main picture (the number and date in the draft's blanks), merged
/// into the same appearance.
#[derive(Clone, Debug)]
pub(super) struct Stamp {
    pub(super) rect: [f64; 4],
    pub(super) content: Vec<u8>,
}

impl Widget {
    /// Writes the appearance form XObject (ISO 32000-1 §8.10) with its resources; returns the
    /// form's reference.
    pub fn write_form(&self, update: &mut IncrementalUpdate) -> Result<ObjRef> {
        let mut resources = Dict::new();
        if let Some(f) = &self.font {
            let r = f.write(update)?;
            let mut fonts = Dict::new();
            fonts.set("F1", Object::Ref(r));
            resources.set("Font", Object::Dict(fonts));
        }
        if !self.images.is_empty() {
            let mut xo = Dict::new();
            for (i, p) in self.images.iter().enumerate() {
                let r = p.write(update);
                xo.set(&format!("Im{}", i + 1), Object::Ref(r));
            }
            resources.set("XObject", Object::Dict(xo));
        }
        Ok(write_form(
            update,
            &self.rect,
            self.rotate,
            resources,
            &self.content,
        ))
    }
}

pub(super) fn write_form(
    update: &mut IncrementalUpdate,
    rect: &[f64; 4],
    rotate: i64,
    resources: Dict,
    content: &[u8],
) -> ObjRef {
    let form = update.allocate();
    let (mut w, mut h) = (rect[2] - rect[0], rect[3] - rect[1]);
    if rotate == 90 || rotate == 270 {
        std::mem::swap(&mut w, &mut h);
    }
    let mut d = Dict::new();
    d.set("Type", Object::name("XObject"));
    d.set("Subtype", Object::name("Form"));
    d.set(
        "BBox",
        Object::Array(vec![Object::Int(0), Object::Int(0), real(w), real(h)]),
    );
    if rotate != 0 {
        // ISO 32000-1 §12.5.5: /Matrix turns the upright drawing to the page's orientation;
        // the turned BBox is then fitted to /Rect.
        let m = text_extract::inverse_rotation_matrix(rotate);
        d.set(
            "Matrix",
            Object::Array(m.iter().map(|v| Object::Int(*v as i64)).collect()),
        );
    }
    d.set("Resources", Object::Dict(resources));
    d.set("Filter", Object::name("FlateDecode"));
    update.set_stream(form, d, crate::pdf::filters::deflate(content));
    form
}

pub(super) fn real(v: f64) -> Object {
    Object::Real((v * 1000.0).round() / 1000.0)
}
