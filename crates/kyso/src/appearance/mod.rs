//! Visible signatures as Decree 30/2020/NĐ-CP Appendix I lays them out (VIETNAM.md §1):
//! the leader's blue signature picture between the title line and the name, the agency's red
//! seal at real size over the left third of it, and the text stamps of attachments and copies.
//!
//! [`resolve`] turns an [`AppearanceRequest`] into a [`Widget`] (page, rectangle, appearance
//! stream); the signing flow writes it with [`Widget::write_form`] as the widget's /AP /N form
//! XObject (ISO 32000-1 §12.5.5, §8.10). Callers rarely call it themselves: they set
//! [`crate::sign::SignOptions::appearance`].
//!
//! Which layout each [`Role`] follows (Decree 30/2020 Appendix I; VIETNAM.md §1):
//!
//! | role | picture | placed | text |
//! |---|---|---|---|
//! | [`Role::Leader`] | the leader's signature (PNG), blue, transparent | centred between the signer's title line and full name (box 7c), found in the page text | none |
//! | [`Role::Organization`] | the agency's seal (PNG) at its real size | over the left third of the leader's picture (box 8; Art. 32.2: after the leader) | the signer, agency and time beside the seal (practice, not law); number and date into the draft's blanks |
//! | [`Role::Attachment`] | none | top right of page 1 | number and symbol, signing time: Times (Liberation Serif), 10 pt, black |
//! | [`Role::Copy`] | none | top right of page 1 | copy type, agency, signing time: as above |
//!
//! Units: rectangles are in PDF points (1/72 inch) from the lower left corner of the page as
//! displayed (its visible area, turned by /Rotate), [`parse_rect`] and the CLI also take
//! millimetres ([`PT_PER_MM`]); the seal's diameter is in millimetres ([`DEFAULT_SEAL_MM`]);
//! font sizes are in points; a [`Widget`]'s rectangle is back in default user space. Times are
//! shown in Vietnam time (UTC+07:00). Text is NFC and drawn with an embedded subset of a
//! TrueType font ([`font`]), never a standard 14 font, which cannot show Vietnamese.
//!
//! Fonts and pictures need the feature `appearance` (on by default); without it every
//! visible signature is refused with an error saying so.
//!
//! # Examples
//!
//! ```
//! # #[cfg(feature = "appearance")] {
//! use std::sync::Arc;
//!
//! use kyso::appearance::{resolve, AppearanceRequest, Context, Role};
//! use kyso::pdf::{Document, MemorySource};
//! use kyso::pki::Certificate;
//!
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
//! let pdf = std::fs::read(format!("{root}docs/congvan.pdf"))?;
//! let doc = Document::open(Arc::new(MemorySource::new(pdf)))?;
//! let key = kyso::sign::load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
//! let certificate = Certificate::from_der(&key.certificate)?;
//!
//! // The leader's picture, placed above the certificate's name where the letter prints it.
//! let mut req = AppearanceRequest::default();
//! req.role = Role::Leader;
//! req.image = Some(format!("{root}images/signature-blue.png").into());
//! let ctx = Context {
//!     certificate: &certificate,
//!     signing_time: time::OffsetDateTime::now_utc(),
//!     force: false,
//! };
//! let widget = resolve(&doc, &req, &ctx)?;
//! let [x0, y0, x1, y1] = widget.rect; // points, default user space
//! assert!(x0 < x1 && y0 < y1 && widget.guards.is_empty());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
    /// The role's name as the CLI, the JSON request and the widget's role key write it
    /// (`leader`, `organization`, `attachment`, `copy`).
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
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = AppearanceRequest::default(); o.field = …;`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AppearanceRequest {
    /// Who signs: which Decree 30/2020 Appendix I layout is drawn.
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
    /// Real diameter of the seal in millimetres (default: from the PNG's resolution, else
    /// [`DEFAULT_SEAL_MM`]).
    pub seal_diameter_mm: Option<f64>,
    /// Organization: omit the text block beside the seal.
    pub no_text: bool,
    /// Document number and symbol ("số và ký hiệu"), e.g. "123/UBND-VP".
    pub doc_number: Option<String>,
    /// Issue date (`dd/mm/yyyy`, `dd.mm.yyyy` or `yyyy-mm-dd`): stamped into the draft's
    /// "ngày … tháng … năm …" blanks, else shown with the organization's text block.
    pub doc_date: Option<String>,
    /// Copy type: "SAO Y", "SAO LỤC" or "TRÍCH SAO".
    pub copy_type: Option<String>,
    /// Agency name (default: from the certificate).
    pub agency: Option<String>,
    /// Another TrueType font (e.g. the agency's Times New Roman); default: the bundled
    /// Liberation Serif, metric-compatible with Times New Roman.
    pub font: Option<PathBuf>,
}

/// Parses `x,y,w,h` in points, or with a `mm` suffix on any number (or the whole list).
pub fn parse_rect(s: &str) -> Result<[f64; 4]> {
    let bad = || {
        Error::InvalidArgument(format!(
            "the rectangle '{s}' is not x,y,w,h (points, or millimetres with an 'mm' suffix, e.g. 120mm,40mm,60mm,30mm)"
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
            "the rectangle '{s}': width and height must be positive"
        )));
    }
    Ok(out)
}

/// What [`resolve`] needs to know about the signature being made.
pub struct Context<'a> {
    /// The signer's certificate: its common name is the leader's default anchor, its
    /// organization the agency's default name.
    pub certificate: &'a Certificate,
    /// The time shown in text stamps (in Vietnam time, UTC+07:00).
    pub signing_time: OffsetDateTime,
    /// Sign anyway where Decree 30/2020 says not to (an organization signature without a
    /// leader signature, a picture on an attachment or copy, the guards of
    /// [`crate::decree30::Guard`]): the overridden guards end in [`Widget::guards`].
    pub force: bool,
}

/// Lays out the visible signature for `req` on `doc`'s newest revision.
///
/// # Errors
///
/// [`Error::InvalidArgument`] for a request that cannot be drawn (no such page, no anchor
/// found, a picture or font that cannot be read, a rectangle outside the page's visible area,
/// a build without the feature `appearance`); [`Error::Decree30`] when the result would not
/// conform to Decree 30/2020 and `ctx.force` is off; PDF errors from reading `doc`.
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
                    "the {} role shows no picture (Decree 30/2020 Appendix I); give no image (or force the signature to draw it anyway)",
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
