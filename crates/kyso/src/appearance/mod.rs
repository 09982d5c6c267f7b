//! Visible signatures as Decree 30/2020/NĐ-CP Appendix I lays them out (VIETNAM.md §1):
//! the leader's blue signature picture between the title line and the name, the agency's red
//! seal at real size over the left third of it, and the text stamps of attachments and copies.
//!
//! [`resolve`] turns an [`AppearanceRequest`] into a [`Widget`] (page, rectangle, appearance
//! stream); the signing flow writes it with [`Widget::write_form`] as the widget's /AP /N form
//! XObject (ISO 32000-1 §12.5.5, §8.10).

pub mod font;
pub mod image;
pub mod text_extract;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::pdf::{Dict, Document, IncrementalUpdate, ObjRef, Object};
use crate::pki::Certificate;
use font::{hex_string, Font, FontUse};
use image::Picture;

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;
/// Seal diameter when neither the option nor the PNG's resolution gives one (a common
/// round seal of a provincial agency).
pub const DEFAULT_SEAL_MM: f64 = 36.0;
/// The private widget key marking the role kyso drew (second-class name, ISO 32000-1 Annex E).
pub const ROLE_KEY: &str = "KysoRole";

/// Who signs, and therefore what the signature shows (Decree 30/2020 Appendix I).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The competent person's approval: the blue signature picture.
    #[default]
    Leader,
    /// The issuing agency (clerk with the agency key): the red seal and a text block.
    Organization,
    /// An attachment in its own file: number and time, top right of page 1.
    Attachment,
    /// An electronic copy: copy type, agency and time, top right of page 1.
    Copy,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Organization => "organization",
            Role::Attachment => "attachment",
            Role::Copy => "copy",
        }
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role> {
        match s.to_ascii_lowercase().as_str() {
            "leader" => Ok(Role::Leader),
            "organization" | "organisation" => Ok(Role::Organization),
            "attachment" => Ok(Role::Attachment),
            "copy" => Ok(Role::Copy),
            _ => Err(Error::InvalidArgument(format!(
                "unknown role '{s}': use leader, organization, attachment or copy"
            ))),
        }
    }
}

/// What the visible signature should show and where. Every field is optional except the role.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppearanceRequest {
    pub role: Role,
    /// PNG picture: the leader's signature or the agency's seal.
    pub image: Option<PathBuf>,
    /// 1-based page for an explicit `rect` (or to limit the anchor search).
    pub page: Option<usize>,
    /// Explicit placement: x, y, width, height in points from the lower left corner of the page
    /// as displayed (its visible area, turned by /Rotate).
    pub rect: Option<[f64; 4]>,
    /// Text to place the leader's picture above (default: the certificate's common name).
    pub anchor: Option<String>,
    /// Real diameter of the seal in millimetres.
    pub seal_diameter_mm: Option<f64>,
    /// Organization: omit the text block beside the seal.
    pub no_text: bool,
    /// Document number and symbol ("số và ký hiệu"), e.g. "123/UBND-VP".
    pub doc_number: Option<String>,
    /// Issue date shown with the organization's text block.
    pub doc_date: Option<String>,
    /// Copy type: "SAO Y", "SAO LỤC" or "TRÍCH SAO".
    pub copy_type: Option<String>,
    /// Agency name (default: from the certificate).
    pub agency: Option<String>,
    /// Another TrueType font (e.g. the agency's Times New Roman).
    pub font: Option<PathBuf>,
}

/// Parses `x,y,w,h` in points, or with a `mm` suffix on any number (or the whole list).
pub fn parse_rect(s: &str) -> Result<[f64; 4]> {
    let bad = || {
        Error::InvalidArgument(format!(
            "--rect '{s}' is not x,y,w,h (points, or millimetres with an 'mm' suffix, e.g. 120mm,40mm,60mm,30mm)"
        ))
    };
    let t = s.trim();
    let (t, all_mm) = match t.strip_suffix("mm") {
        Some(rest) if !rest.contains("mm") && rest.split(',').count() == 4 => (rest, true),
        _ => (t, false),
    };
    let mut out = [0.0; 4];
    let parts: Vec<&str> = t.split(',').collect();
    if parts.len() != 4 {
        return Err(bad());
    }
    for (slot, p) in out.iter_mut().zip(parts) {
        let p = p.trim();
        let (num, mm) = match p.strip_suffix("mm") {
            Some(n) => (n.trim(), true),
            None => (p, all_mm),
        };
        let v: f64 = num.parse().map_err(|_| bad())?;
        if !v.is_finite() {
            return Err(bad());
        }
        *slot = if mm { v * PT_PER_MM } else { v };
    }
    if out[2] <= 0.0 || out[3] <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "--rect '{s}': width and height must be positive"
        )));
    }
    Ok(out)
}

/// A widget ready to be written: where it goes and what its appearance draws.
#[derive(Clone, Debug)]
pub struct Widget {
    /// 0-based page index.
    pub page: usize,
    /// /Rect in default user space: llx, lly, urx, ury.
    pub rect: [f64; 4],
    /// The page's /Rotate: the appearance is turned back so that it reads upright.
    pub rotate: i64,
    pub role: Role,
    /// Content stream of the form, in form space where the bbox is [0 0 w h].
    content: Vec<u8>,
    font: Option<FontUse>,
    images: Vec<Picture>,
    /// Decree 30/2020 guards overridden with `force` (issue #15): the signature was made anyway.
    pub guards: Vec<crate::decree30::Guard>,
}

/// Text drawn outside the main picture (the number and date in the draft's blanks), merged
/// into the same appearance.
#[derive(Clone, Debug)]
struct Stamp {
    rect: [f64; 4],
    content: Vec<u8>,
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

fn write_form(
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

fn real(v: f64) -> Object {
    Object::Real((v * 1000.0).round() / 1000.0)
}

/// What [`resolve`] needs to know about the signature being made.
pub struct Context<'a> {
    pub certificate: &'a Certificate,
    pub signing_time: OffsetDateTime,
    /// Sign an organization signature even without a leader signature in the document.
    pub force: bool,
}

/// Lays out the visible signature for `req` on `doc`'s newest revision.
pub fn resolve(doc: &Document, req: &AppearanceRequest, ctx: &Context) -> Result<Widget> {
    let rev = doc.last_revision();
    let pages = doc.pages_at(rev)?;
    if pages.is_empty() {
        return Err(Error::MalformedPdf("the document has no pages".into()));
    }
    if let Some(p) = req.page {
        if p == 0 || p > pages.len() {
            return Err(Error::InvalidArgument(format!(
                "page {p} does not exist (the document has {} pages)",
                pages.len()
            )));
        }
    }
    let font = Arc::new(match &req.font {
        Some(path) => Font::from_bytes(read_file(path, "font")?, &path.display().to_string())?,
        None => Font::default_serif()?,
    });
    let picture = match &req.image {
        Some(path) => Some(Picture::from_png(
            &read_file(path, "image")?,
            &path.display().to_string(),
        )?),
        None => None,
    };
    let mut b = Builder {
        font: FontUse::new(font),
        content: Vec::new(),
        images: Vec::new(),
        used_font: false,
        stamps: Vec::new(),
        guards: Vec::new(),
    };
    let (page, rect) = match req.role {
        Role::Leader => leader(doc, rev, &pages, req, ctx, picture, &mut b)?,
        Role::Organization => organization(doc, rev, &pages, req, ctx, picture, &mut b)?,
        Role::Attachment | Role::Copy => {
            if picture.is_some() && !ctx.force {
                return Err(Error::InvalidArgument(format!(
                    "the {} role shows no picture (Decree 30/2020 Appendix I); drop --image (or --force to draw it anyway)",
                    req.role.as_str()
                )));
            }
            corner_stamp(doc, rev, &pages, req, ctx, picture, &mut b)?
        }
    };
    // Decree 30/2020 guards (issue #15): refused unless forced; forced, they are warnings.
    if !b.guards.is_empty() && !ctx.force {
        return Err(Error::Decree30(b.guards));
    }
    let area = visible_area(doc, rev, pages[page])?;
    if !inside(&rect, &area) {
        return Err(Error::InvalidArgument(format!(
            "the signature rectangle [{:.1} {:.1} {:.1} {:.1}] lies outside page {}'s visible area [{:.1} {:.1} {:.1} {:.1}]",
            rect[0], rect[1], rect[2], rect[3], page + 1, area[0], area[1], area[2], area[3]
        )));
    }
    // Back from the displayed page to default user space.
    let rotate = text_extract::rotation(doc, rev, pages[page])?;
    let user_rect =
        text_extract::transform_rect(&text_extract::inverse_rotation_matrix(rotate), &rect);
    Ok(Widget {
        page,
        rect: user_rect,
        rotate,
        role: req.role,
        content: b.content,
        font: b.used_font.then_some(b.font),
        images: b.images,
        guards: b.guards,
    })
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::InvalidArgument(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
    })
}

/// Accumulates the appearance's content stream in form space.
struct Builder {
    font: FontUse,
    content: Vec<u8>,
    images: Vec<Picture>,
    used_font: bool,
    stamps: Vec<Stamp>,
    guards: Vec<crate::decree30::Guard>,
}

impl Builder {
    /// Draws picture `p` into the box (x, y, w, h) of form space.
    fn image(&mut self, p: Picture, x: f64, y: f64, w: f64, h: f64) {
        self.images.push(p);
        let _ = writeln!(
            self.content,
            "q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /Im{} Do Q",
            self.images.len()
        );
    }

    /// Shows one line of text with its baseline starting at (x, y), black (VIETNAM.md §1.3).
    fn text(&mut self, s: &str, x: f64, y: f64, size: f64) -> Result<()> {
        let mut content = std::mem::take(&mut self.content);
        let r = self.text_to(&mut content, s, x, y, size);
        self.content = content;
        r
    }

    fn text_to(&mut self, out: &mut Vec<u8>, s: &str, x: f64, y: f64, size: f64) -> Result<()> {
        let codes = self.font.encode(s)?;
        self.used_font = true;
        let mut hex = Vec::new();
        crate::pdf::writer::write_object(&mut hex, &hex_string(codes));
        let _ = write!(out, "BT 0 g /F1 {size:.2} Tf {x:.3} {y:.3} Td ");
        out.extend_from_slice(&hex);
        out.extend_from_slice(b" Tj ET\n");
        Ok(())
    }

    /// Text with baseline `y` (page space) centred at `cx`, kept aside to be merged.
    fn stamp(&mut self, text: &str, cx: f64, y: f64, size: f64) -> Result<()> {
        let w = self.width(text, size);
        let asc = self.font.font.ascent / 1000.0 * size;
        let desc = -self.font.font.descent / 1000.0 * size;
        let rect = [
            cx - w / 2.0 - 1.0,
            y - desc - 1.0,
            cx + w / 2.0 + 1.0,
            y + asc + 1.0,
        ];
        let mut content = Vec::new();
        self.text_to(&mut content, text, 1.0, y - rect[1], size)?;
        self.stamps.push(Stamp { rect, content });
        Ok(())
    }

    fn width(&self, s: &str, size: f64) -> f64 {
        self.font.font.width(s, size)
    }
}

/// NFC, as the font's cmap and text extraction expect (TCVN 6909:2001 text is NFC).
fn nfc(s: &str) -> String {
    s.nfc().collect()
}

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
fn user_area(doc: &Document, rev: usize, page: ObjRef) -> Result<[f64; 4]> {
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

fn inside(r: &[f64; 4], area: &[f64; 4]) -> bool {
    const EPS: f64 = 0.01;
    r[0] >= area[0] - EPS && r[1] >= area[1] - EPS && r[2] <= area[2] + EPS && r[3] <= area[3] + EPS
}

/// Moves `r` (llx, lly, urx, ury) the least needed to lie inside `area`.
fn shift_inside(r: [f64; 4], area: &[f64; 4]) -> [f64; 4] {
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
fn explicit(
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
fn fit(aspect: f64, r: [f64; 4]) -> [f64; 4] {
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    let (pw, ph) = if w / h > aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    [cx - pw / 2.0, cy - ph / 2.0, cx + pw / 2.0, cy + ph / 2.0]
}

/// Leader: the picture centred between the title line and the name (Decree 30/2020 Appendix I,
/// box 7c). The widget's rectangle is exactly the picture's, so the organization signature
/// can find it.
fn leader(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    ctx: &Context,
    picture: Option<Picture>,
    b: &mut Builder,
) -> Result<(usize, [f64; 4])> {
    let picture = picture.ok_or_else(|| {
        Error::InvalidArgument(
            "the leader role needs --image: the leader's handwritten signature as a transparent PNG".into(),
        )
    })?;
    let aspect = picture.aspect();
    leader_guards(doc, rev, ctx, b)?;
    let (page, rect) = match explicit(doc, rev, pages, req)? {
        Some((page, r)) => (page, fit(aspect, r)),
        None => {
            let anchor = match &req.anchor {
                Some(a) => a.clone(),
                None => ctx.certificate.subject.common_name().ok_or_else(|| {
                    Error::InvalidArgument(
                        "the certificate has no common name to look for; give --anchor TEXT or --page/--rect".into(),
                    )
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
fn leader_guards(doc: &Document, rev: usize, ctx: &Context, b: &mut Builder) -> Result<()> {
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
fn find_anchor(
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
    Err(Error::InvalidArgument(format!(
        "the anchor text '{anchor}' was not found on {}; give --anchor with text printed under the signature (usually the signer's name), or --page N --rect x,y,w,h",
        match only {
            Some(p) => format!("page {p}"),
            None => "any page".into(),
        }
    )))
}

/// The picture's box in the gap between the line above the anchor (the title) and the anchor,
/// scaled to fill the gap's height (keeping the aspect), centred on the anchor.
fn gap_above(lines: &[text_extract::Line], found: &text_extract::Found, aspect: f64) -> [f64; 4] {
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
fn find_leader_widget(
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

/// Organization: the red seal at real size, its right edge a third of the way into the leader's
/// picture (Decree 30/2020 Appendix I, box 8), with the text block used in practice beside it.
fn organization(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    ctx: &Context,
    picture: Option<Picture>,
    b: &mut Builder,
) -> Result<(usize, [f64; 4])> {
    let picture = picture.ok_or_else(|| {
        Error::InvalidArgument(
            "the organization role needs --image: the agency's seal as a transparent PNG".into(),
        )
    })?;
    let diameter_mm = match req.seal_diameter_mm {
        Some(d) if d.is_finite() && (5.0..=100.0).contains(&d) => d,
        Some(d) => {
            return Err(Error::InvalidArgument(format!(
                "--seal-diameter-mm {d} is not a plausible seal size (5–100 mm)"
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
            return Err(Error::InvalidArgument(
                "there is no leader signature to place the seal over; give --page N --rect x,y,w,h"
                    .into(),
            ));
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

/// Stamps the document number and issue date into the blanks the draft left on page 1
/// ("Số:      /UBND-VP", "ngày    tháng    năm 2026"), at the line's own size — the number
/// is given at issuing time (VIETNAM.md §1.2). Returns which of the two were stamped; a value
/// whose blank is not found (already filled, or another layout) goes into the text block.
fn fill_blanks(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    b: &mut Builder,
) -> Result<(bool, bool)> {
    let date = match &req.doc_date {
        Some(d) => Some(parse_date(d)?),
        None => None,
    };
    if req.doc_number.is_none() && date.is_none() {
        return Ok((false, false));
    }
    let lines = text_extract::page_lines(doc, rev, pages[0])?;
    let mut number_done = false;
    if let Some(number) = &req.doc_number {
        for line in &lines {
            let Some(&(_, last)) = text_extract::find_in_line(line, "Số:").first() else {
                continue;
            };
            let (x0, x1, next) = blank_after(line, last);
            if x1 - x0 >= 1.5 * line.size {
                let number = nfc(number.trim());
                // "Số: ___/UBND-VP": the symbol is printed; only the number goes in.
                let text = match next {
                    Some(n) if n.text.starts_with('/') => number
                        .split('/')
                        .next()
                        .unwrap_or(&number)
                        .trim()
                        .to_string(),
                    _ => number.clone(),
                };
                b.stamp(&text, (x0 + x1) / 2.0, line.y, line.size)?;
                number_done = true;
            }
            break;
        }
    }
    let mut date_done = false;
    if let Some((d, m, y)) = date {
        for line in &lines {
            let ngay = text_extract::find_in_line(line, "ngày");
            let thang = text_extract::find_in_line(line, "tháng");
            let nam = text_extract::find_in_line(line, "năm");
            let (Some(&(_, ngay)), Some(&(t0, thang)), Some(&(n0, nam))) =
                (ngay.first(), thang.first(), nam.first())
            else {
                continue;
            };
            if !(ngay < t0 && thang < n0) {
                continue;
            }
            let (d0, _, _) = blank_after(line, ngay);
            let d1 = line.glyphs[t0].x;
            let (m0, _, _) = blank_after(line, thang);
            let m1 = line.glyphs[n0].x;
            // Already filled: text between "ngày" and "tháng" or "tháng" and "năm" (a wide
            // space around "22" is no blank to print over).
            let printed = |from: usize, to: usize| {
                line.glyphs[from + 1..to]
                    .iter()
                    .any(|g| !g.text.trim().is_empty())
            };
            if d1 - d0 < 1.2 * line.size
                || m1 - m0 < 1.2 * line.size
                || printed(ngay, t0)
                || printed(thang, n0)
            {
                break;
            }
            // Decree 30/2020 Appendix I: a leading zero for days below 10 and months below 3.
            let day = format!("{d:02}");
            let month = if m < 3 {
                format!("{m:02}")
            } else {
                m.to_string()
            };
            b.stamp(&day, (d0 + d1) / 2.0, line.y, line.size)?;
            b.stamp(&month, (m0 + m1) / 2.0, line.y, line.size)?;
            let (y0, y1, next) = blank_after(line, nam);
            if next.is_none() || y1 - y0 >= 1.5 * line.size {
                let x = y0 + b.width(" ", line.size);
                let w = b.width(&y.to_string(), line.size);
                b.stamp(&y.to_string(), x + w / 2.0, line.y, line.size)?;
            }
            date_done = true;
            break;
        }
    }
    Ok((number_done, date_done))
}

/// The blank after glyph `last` of `line`: (start x, end x, the next visible glyph).
fn blank_after(line: &text_extract::Line, last: usize) -> (f64, f64, Option<&text_extract::Glyph>) {
    let g = &line.glyphs[last];
    let start = g.x + g.width;
    let next = line.glyphs[last + 1..]
        .iter()
        .find(|g| !g.text.trim().is_empty());
    (start, next.map_or(start + 5.0 * line.size, |n| n.x), next)
}

/// A date as dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd.
fn parse_date(s: &str) -> Result<(u8, u8, i32)> {
    let bad = || {
        Error::InvalidArgument(format!(
            "--doc-date '{s}' is not a date (dd/mm/yyyy or yyyy-mm-dd)"
        ))
    };
    let parts: Vec<&str> = s.trim().split(['/', '.', '-']).collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let n: Vec<i32> = parts
        .iter()
        .map(|p| p.trim().parse::<i32>().map_err(|_| bad()))
        .collect::<Result<_>>()?;
    let (d, m, y) = if parts[0].len() == 4 {
        (n[2], n[1], n[0])
    } else {
        (n[0], n[1], n[2])
    };
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    time::Date::from_calendar_date(y, month, u8::try_from(d).map_err(|_| bad())?)
        .map_err(|_| bad())?;
    Ok((d as u8, m as u8, y))
}

fn no_leader() -> Error {
    Error::InvalidArgument(
        "the document has no leader signature yet: the agency signs only a document the competent person has signed (Decree 30/2020 Art. 32.2); sign as --role leader first, or pass --force".into(),
    )
}

/// Splits `s` into lines no wider than `max` at `size` (words longer than a line stay whole).
fn wrap(b: &Builder, s: &str, size: f64, max: f64) -> Vec<String> {
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

/// Attachment and copy stamps: text only, top right of page 1, Times-compatible, size 10,
/// black (VIETNAM.md §1.3–1.4), times in ISO 8601 with +07:00.
fn corner_stamp(
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
            let number = req.doc_number.as_deref().ok_or_else(|| {
                Error::InvalidArgument(
                    "the attachment role needs --doc-number: the number and symbol of the document it belongs to".into(),
                )
            })?;
            vec![nfc(number), time]
        }
        _ => {
            let copy_type = nfc(req.copy_type.as_deref().unwrap_or("SAO Y"));
            if !["SAO Y", "SAO LỤC", "TRÍCH SAO"].contains(&copy_type.as_str()) {
                return Err(Error::InvalidArgument(format!(
                    "--copy-type '{copy_type}' is not one of \"SAO Y\", \"SAO LỤC\", \"TRÍCH SAO\" (Decree 30/2020 Art. 25)"
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
                .ok_or_else(|| {
                    Error::InvalidArgument("the certificate names no agency; give --agency".into())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_in_points_and_millimetres() {
        assert_eq!(parse_rect("10,20,30,40").unwrap(), [10.0, 20.0, 30.0, 40.0]);
        let r = parse_rect("25.4mm,0,50.8mm,10").unwrap();
        assert!((r[0] - 72.0).abs() < 1e-9 && r[1] == 0.0 && (r[2] - 144.0).abs() < 1e-9);
        let r = parse_rect("10,10,20,20mm").unwrap();
        assert!((r[3] - 20.0 * PT_PER_MM).abs() < 1e-9);
        assert!(parse_rect("1,2,3").is_err());
        assert!(parse_rect("1,2,-3,4").is_err());
        assert!(parse_rect("a,b,c,d").is_err());
    }

    #[test]
    fn fit_keeps_aspect_and_centre() {
        let r = fit(2.0, [0.0, 0.0, 100.0, 100.0]);
        assert_eq!(r, [0.0, 25.0, 100.0, 75.0]);
        let r = fit(0.5, [0.0, 0.0, 100.0, 100.0]);
        assert_eq!(r, [25.0, 0.0, 75.0, 100.0]);
    }

    #[test]
    fn shift_inside_moves_least() {
        let a = [0.0, 0.0, 100.0, 100.0];
        assert_eq!(
            shift_inside([90.0, 10.0, 110.0, 20.0], &a),
            [80.0, 10.0, 100.0, 20.0]
        );
        assert_eq!(
            shift_inside([-5.0, -5.0, 5.0, 5.0], &a),
            [0.0, 0.0, 10.0, 10.0]
        );
    }

    #[test]
    fn dates_parse_and_are_checked() {
        assert_eq!(parse_date("05/03/2026").unwrap(), (5, 3, 2026));
        assert_eq!(parse_date("2026-11-22").unwrap(), (22, 11, 2026));
        assert_eq!(parse_date("29.02.2028").unwrap(), (29, 2, 2028));
        assert!(parse_date("31/02/2026").is_err());
        assert!(parse_date("hôm nay").is_err());
    }

    #[test]
    fn roles_parse() {
        assert_eq!("Organization".parse::<Role>().unwrap(), Role::Organization);
        assert!("boss".parse::<Role>().is_err());
    }
}
