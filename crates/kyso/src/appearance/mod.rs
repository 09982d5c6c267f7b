//! Visible signatures as Decree 30/2020/NĐ-CP Appendix I lays them out (VIETNAM.md §1):
//! the leader's blue signature picture between the title line and the name, the agency's red
//! seal at real size over the left third of it, and the text stamps of attachments and copies.
//!
//! [`resolve`] turns an [`AppearanceRequest`] into a [`Widget`] (page, rectangle, appearance
//! stream); the signing flow writes it with [`Widget::write_form`] as the widget's /AP /N form
//! XObject (ISO 32000-1 §12.5.5, §8.10).

#[cfg(feature = "appearance")]
pub mod font;
#[cfg(feature = "appearance")]
pub mod image;
// Without the feature `appearance`: the same paths, types that cannot be made (off.rs).
#[cfg(not(feature = "appearance"))]
mod off;
/// Text extraction moved to [`crate::layout::text`] (below `decree30`); kept for existing paths.
pub use crate::layout::text as text_extract;
#[cfg(not(feature = "appearance"))]
pub use off::{font, image};

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

mod area;
mod blanks;
mod leader;
mod organization;
mod stamp;
#[cfg(test)]
mod tests;
mod widget;

pub(crate) use crate::layout::page::visible_area;
use area::*;
use blanks::*;
use leader::*;
use organization::*;
use stamp::*;
pub use widget::*;

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;
/// Seal diameter when neither the option nor the PNG's resolution gives one (a common
/// round seal of a provincial agency).
pub const DEFAULT_SEAL_MM: f64 = 36.0;
/// The private widget key marking the role kyso drew (defined where `decree30` reads it).
pub use crate::decree30::widget::ROLE_KEY;

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
