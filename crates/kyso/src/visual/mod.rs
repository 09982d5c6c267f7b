//! See what was signed: the signed version of a signature and the final file drawn page by
//! page and compared, as a second line of defence beside the object-level change analysis
//! ([`crate::diff`]): a detector built on pixels fails in other places than one built on objects.
//!
//! **Renderer: `hayro` 0.9** (pure Rust, Apache-2.0/MIT, `forbid(unsafe_code)`). Compared with
//! the other pure-Rust rasterisers on crates.io: `pdf-render` (the pdf-rs project's, still a
//! 1.0 beta after years, pathfinder-based, no annotation appearances), `pdfpurr`,
//! `fop-pdf-renderer` and `rustium-pdf` (young tiny-skia based renderers written for their own
//! producers' output: few filters, fonts and colour spaces). hayro has by far the widest
//! coverage — a regression suite of 1000+ files from pdf.js and PDFBox, annotation appearance
//! streams (how signature stamps are drawn), optional content, Type 0/CID fonts with embedded
//! CMaps (Vietnamese text in embedded subsets draws right), shadings, soft masks — and it is
//! maintained. Bindings to PDFium or MuPDF (`pdfium-render`, `mupdf`) are not pure Rust: they
//! need a native library at run time, which libkyso users must not. hayro does not open
//! encrypted files: the check then says it was not performed (never "no difference").
//!
//! [`render`] draws, [`compare`] finds differing regions, [`same`] skips pages that cannot look
//! different (with the argument written there), [`Session::check`] puts it together for one
//! signature.
//!
//! [`crate::verify`] opens one [`Session`] per document and checks every signature followed by
//! allowed revisions (ISO 32000-1 §12.8.2: incremental updates after a signature): a region
//! that differs outside the widgets the change analysis allowed makes the signature
//! TOTAL-FAILED ([`crate::verify::note::Note::VisibleDifference`]); a check that cannot be
//! done is said (never "no difference"). `kyso compare` and the HTML report use
//! [`compare_signed`] and [`pictures`] for the pictures people look at.
//!
//! # Examples
//!
//! Draw a page, change a few pixels of a copy, and find the region (in PDF points) again:
//!
//! ```
//! use kyso::visual::{compare::compare, render::Renderer, DEFAULT_DPI};
//!
//! let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan.pdf"))?;
//! let renderer = Renderer::open(pdf).map_err(|e| e.to_string())?;
//! assert!(renderer.page_count() >= 1);
//! let before = renderer.render(&[0], DEFAULT_DPI).remove(0).map_err(|e| e.to_string())?;
//! assert!(compare(&before, &before, &[]).is_empty());
//!
//! // Paint a 10 × 10 pixel black square near the top left corner.
//! let mut after = before.clone();
//! for y in 20..30 {
//!     for x in 20..30 {
//!         let i = (y * after.width as usize + x) * 3;
//!         after.rgb[i..i + 3].copy_from_slice(&[0, 0, 0]);
//!     }
//! }
//! let boxes = compare(&before, &after, &[]);
//! assert_eq!(boxes.len(), 1);
//! assert!(!boxes[0].inside_allowed_widget);
//! // At 36 dpi a pixel is 2 pt; PDF y grows upwards from the page's bottom.
//! let [x0, _, x1, y1] = boxes[0].rect;
//! assert!(x0 < 60.0 && x1 > 40.0 && y1 > before.page_box[3] - 60.0);
//!
//! // The same change inside a region later revisions may draw in is allowed.
//! let allowed = [[0.0, before.page_box[3] - 100.0, 100.0, before.page_box[3]]];
//! assert!(compare(&before, &after, &allowed).iter().all(|b| b.inside_allowed_widget));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod compare;
pub mod render;
pub mod same;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use serde::Serialize;

pub use compare::DiffBox;
use render::{PageImage, Prefix, RenderError, Renderer};
use std::sync::Arc;

use crate::diff::graph::Graph;
use crate::diff::Modification;
use crate::pdf::{Document, ObjRef, Object};

/// Resolution of the check made in every verification: 13 pt text is 6.5 pixels high, enough
/// for a replaced word or figure to change many pixels, and cheap (see the README's numbers).
pub const DEFAULT_DPI: f64 = 36.0;
/// Page pairs drawn per signature at most by default (pages the shortcut proves equal do not
/// count). Measured (criterion, release, 2 shared cores): drawing and comparing the 12 pages of
/// the letter in both versions at 36 dpi takes 64 ms, 2.7 ms per pair, so 20 pairs add ≈ 55 ms
/// to the ≈ 5 ms of a verification without pictures and keep it near 100 ms even when every
/// page changed; a document changed on more pages after signing is rare, and the pages left out
/// are named in the report (`pages_not_compared`, and a note).
pub const DEFAULT_MAX_PAGES: usize = 20;
/// Files larger than this are not drawn (the check says so).
pub const MAX_FILE: u64 = 512 << 20;

/// How the visual check runs.
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = VisualOptions::default(); o.field = …;`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VisualOptions {
    /// On by default: every verification of a signature followed by allowed revisions.
    pub enabled: bool,
    /// Resolution pages are drawn at, in dots per inch ([`DEFAULT_DPI`]); lowered per page to
    /// keep within [`render::MAX_PIXELS`].
    pub dpi: f64,
    /// Page pairs drawn per signature at most.
    pub max_pages: usize,
}

impl Default for VisualOptions {
    fn default() -> Self {
        VisualOptions {
            // Off when kyso is built without the renderer (feature `visual`).
            enabled: cfg!(feature = "visual"),
            dpi: DEFAULT_DPI,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// The outcome of the check for one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VisualStatus {
    /// Every compared page looks the same outside allowed widgets.
    NoDifference,
    /// Something visible changed outside allowed widgets.
    Difference,
    /// Not done: see `not_performed`.
    NotPerformed,
    /// Drawing failed: the check could not decide.
    Error,
}

/// Why the check was not performed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotPerformed {
    /// The file is encrypted (the renderer does not decrypt).
    Encrypted,
    /// The file is larger than [`MAX_FILE`].
    TooLarge,
}

/// One box in the report: a page (1-based) and a region in points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PageBox {
    /// Page number in the final file, 1-based.
    pub page: usize,
    /// The region and whether it lies inside an allowed widget (flattened in the JSON).
    #[serde(flatten)]
    pub diff: DiffBox,
}

/// The visual check of one signature, as the JSON report's `visual` object.
#[derive(Clone, Debug, Serialize)]
pub struct VisualReport {
    /// The outcome: only [`VisualStatus::NoDifference`] says nothing visible changed.
    pub status: VisualStatus,
    /// Why the check was not done, when `status` is `not-performed`.
    pub not_performed: Option<NotPerformed>,
    /// What failed, when `status` is `error`.
    pub error: Option<String>,
    /// Resolution asked for, in dots per inch.
    pub dpi: f64,
    /// The revision compared against the final file (1-based): the signed one.
    pub signed_revision: usize,
    /// Pages drawn in both versions and compared (1-based).
    pub pages_compared: Vec<usize>,
    /// Pages not drawn because nothing that draws them changed (see `visual::same`).
    pub pages_unchanged: Vec<usize>,
    /// Pages that may have changed but lie beyond the page budget: not compared.
    pub pages_not_compared: Vec<usize>,
    /// Pages of the final file that the signed version does not have.
    pub pages_added: Vec<usize>,
    /// Pages of the signed version that the final file no longer has.
    pub pages_removed: Vec<usize>,
    /// Every differing region; `inside_allowed_widget` tells the allowed ones.
    pub boxes: Vec<PageBox>,
}

impl VisualReport {
    fn new(dpi: f64, signed_revision: usize) -> Self {
        VisualReport {
            status: VisualStatus::NoDifference,
            not_performed: None,
            error: None,
            dpi,
            signed_revision,
            pages_compared: Vec::new(),
            pages_unchanged: Vec::new(),
            pages_not_compared: Vec::new(),
            pages_added: Vec::new(),
            pages_removed: Vec::new(),
            boxes: Vec::new(),
        }
    }

    /// A report of a check that was not done.
    pub fn not_performed(why: NotPerformed, dpi: f64, signed_revision: usize) -> Self {
        VisualReport {
            status: VisualStatus::NotPerformed,
            not_performed: Some(why),
            ..VisualReport::new(dpi, signed_revision)
        }
    }

    /// The first difference outside allowed widgets: (page, box in points), or a page added
    /// or removed (box `None`).
    pub fn first_violation(&self) -> Option<(usize, Option<[f64; 4]>)> {
        if let Some(b) = self.boxes.iter().find(|b| !b.diff.inside_allowed_widget) {
            return Some((b.page, Some(b.diff.rect)));
        }
        self.pages_added
            .first()
            .or(self.pages_removed.first())
            .map(|&p| (p, None))
    }
}

/// The drawing of one document version, page pictures kept for reuse.
struct Drawn {
    renderer: Renderer,
    pages: HashMap<(usize, u64), Rc<Result<PageImage, RenderError>>>,
}

impl Drawn {
    fn page(&mut self, index: usize, dpi: f64) -> Rc<Result<PageImage, RenderError>> {
        let key = (index, dpi.to_bits());
        if let Some(p) = self.pages.get(&key) {
            return p.clone();
        }
        let p = Rc::new(
            self.renderer
                .render(&[index], dpi)
                .pop()
                .unwrap_or(Err(RenderError::NoSuchPage(index))),
        );
        self.pages.insert(key, p.clone());
        p
    }
}

/// One document's visual checks: the file's bytes and its final version's drawings are
/// shared by every signature checked.
pub struct Session<'d> {
    doc: &'d Document,
    /// How the checks of this document run.
    pub options: VisualOptions,
    bytes: RefCell<Option<Arc<Vec<u8>>>>,
    last: RefCell<Option<Result<Drawn, RenderError>>>,
}

impl<'d> Session<'d> {
    /// A session for `doc`; nothing is read or drawn until [`Session::check`].
    pub fn new(doc: &'d Document, options: VisualOptions) -> Self {
        Session {
            doc,
            options,
            bytes: RefCell::new(None),
            last: RefCell::new(None),
        }
    }

    /// The whole file, read once (the signed versions are prefixes of it, drawn without copies).
    fn bytes(&self) -> crate::Result<Arc<Vec<u8>>> {
        if let Some(b) = self.bytes.borrow().as_ref() {
            return Ok(b.clone());
        }
        let b = Arc::new(self.doc.source().read_vec(0, self.doc.len() as usize)?);
        *self.bytes.borrow_mut() = Some(b.clone());
        Ok(b)
    }

    /// Compares the signed version (revision `signed_rev`, 0-based, the file's first
    /// `signed_len` bytes) with the final file. `mods` are the changes after it (their allowed
    /// widgets may differ); `graphs`, when given, are the change analysis's graphs of the
    /// signed and the final revision, for the shortcut.
    pub fn check(
        &self,
        signed_rev: usize,
        signed_len: u64,
        mods: &[Modification],
        graphs: Option<(&Graph, &Graph)>,
    ) -> VisualReport {
        let dpi = self.options.dpi;
        let mut report = VisualReport::new(dpi, signed_rev + 1);
        if self.doc.is_encrypted() {
            return VisualReport::not_performed(NotPerformed::Encrypted, dpi, signed_rev + 1);
        }
        if self.doc.len() > MAX_FILE {
            return VisualReport::not_performed(NotPerformed::TooLarge, dpi, signed_rev + 1);
        }
        let fail = |mut r: VisualReport, e: String| {
            r.status = VisualStatus::Error;
            r.error = Some(e);
            r
        };
        let bytes = match self.bytes() {
            Ok(b) => b,
            Err(e) => return fail(report, e.to_string()),
        };
        if signed_len > bytes.len() as u64 {
            return fail(report, "the signed version is longer than the file".into());
        }
        let mut old = match Renderer::open(Prefix::shared(&bytes, signed_len as usize)) {
            Ok(r) => Drawn {
                renderer: r,
                pages: HashMap::new(),
            },
            Err(RenderError::Encrypted) => {
                return VisualReport::not_performed(NotPerformed::Encrypted, dpi, signed_rev + 1)
            }
            Err(e) => return fail(report, e.to_string()),
        };
        {
            let mut last = self.last.borrow_mut();
            if last.is_none() {
                *last = Some(Renderer::open(bytes.clone()).map(|r| Drawn {
                    renderer: r,
                    pages: HashMap::new(),
                }));
            }
        }
        let mut last_slot = self.last.borrow_mut();
        let new = match last_slot.as_mut() {
            Some(Ok(d)) => d,
            Some(Err(RenderError::Encrypted)) => {
                return VisualReport::not_performed(NotPerformed::Encrypted, dpi, signed_rev + 1)
            }
            Some(Err(e)) => return fail(report, e.to_string()),
            None => return fail(report, "the final version was not opened".into()),
        };
        let (n_old, n_new) = (old.renderer.page_count(), new.renderer.page_count());
        if n_old == 0 || n_new == 0 {
            return fail(report, "the renderer finds no page".into());
        }
        let common = n_old.min(n_new);
        report.pages_added = (common + 1..=n_new).collect();
        report.pages_removed = (common + 1..=n_old).collect();

        // Pages the shortcut proves equal are not drawn.
        let unchanged = graphs
            .map(|(g_old, g_new)| unchanged_pages(self.doc, g_old, g_new, n_old, n_new))
            .unwrap_or_else(|| vec![false; common]);
        let allowed = allowed_rectangles(self.doc, mods);
        for i in 0..common {
            if unchanged.get(i).copied().unwrap_or(false) {
                report.pages_unchanged.push(i + 1);
                continue;
            }
            if report.pages_compared.len() >= self.options.max_pages {
                report.pages_not_compared.push(i + 1);
                continue;
            }
            report.pages_compared.push(i + 1);
            let (a, b) = (old.page(i, dpi), new.page(i, dpi));
            let (a, b) = match (a.as_ref(), b.as_ref()) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return fail(report, e.to_string()),
            };
            let rects = allowed.get(&i).map(Vec::as_slice).unwrap_or(&[]);
            report.boxes.extend(
                compare::compare(a, b, rects)
                    .into_iter()
                    .map(|diff| PageBox { page: i + 1, diff }),
            );
        }
        if report.first_violation().is_some() {
            report.status = VisualStatus::Difference;
        }
        report
    }
}

/// Pictures for people (the HTML report, `kyso serve`) of one signature of the file `bytes`:
/// its signed version's first page and, for every page with a difference, the final page
/// dimmed with its boxes (at most `max`), as PNG drawn at `dpi`. Nothing when drawing fails
/// (the report says why elsewhere).
///
/// `byte_range` and `visual` are the signature's in the report (`SignatureReport::byte_range`,
/// `SignatureReport::visual`).
pub fn pictures(
    bytes: &[u8],
    byte_range: Option<&[i64]>,
    visual: Option<&VisualReport>,
    dpi: f64,
    max: usize,
) -> Vec<Picture> {
    let mut out = Vec::new();
    let Some(br) = byte_range else {
        return out;
    };
    let (Some(c), Some(d)) = (br.get(2), br.get(3)) else {
        return out;
    };
    let Some(signed) = usize::try_from(c + d).ok().and_then(|n| bytes.get(..n)) else {
        return out;
    };
    if let Ok(r) = Renderer::open(signed.to_vec()) {
        if let Some(Ok(p)) = r.render(&[0], dpi).pop() {
            out.push(Picture {
                page: 1,
                kind: PictureKind::Signed,
                png: render::png_rgb(p.width, p.height, &p.rgb),
            });
        }
    }
    let Some(report) = visual else {
        return out;
    };
    let mut pages: Vec<usize> = report.boxes.iter().map(|b| b.page).collect();
    pages.dedup();
    if pages.is_empty() {
        return out;
    }
    let Ok(last) = Renderer::open(bytes.to_vec()) else {
        return out;
    };
    for page in pages.into_iter().take(max) {
        let Some(Ok(p)) = last.render(&[page - 1], dpi).pop() else {
            continue;
        };
        // The boxes, placed again at this resolution.
        let boxes: Vec<DiffBox> = report
            .boxes
            .iter()
            .filter(|b| b.page == page)
            .map(|b| {
                let px = p.user_to_pixels(b.diff.rect);
                DiffBox {
                    pixels: [
                        px[0].floor() as u32,
                        px[1].floor() as u32,
                        px[2].ceil() as u32,
                        px[3].ceil() as u32,
                    ],
                    ..b.diff.clone()
                }
            })
            .collect();
        let rgb = compare::difference_picture(&p, &boxes);
        out.push(Picture {
            page,
            kind: PictureKind::Difference,
            png: render::png_rgb(p.width, p.height, &rgb),
        });
    }
    out
}

/// A picture for people.
#[derive(Clone, Debug)]
pub struct Picture {
    /// 1-based page.
    pub page: usize,
    /// What the picture shows.
    pub kind: PictureKind,
    /// The picture, PNG-encoded RGB.
    pub png: Vec<u8>,
}

/// What a [`Picture`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureKind {
    /// The signed version's page.
    Signed,
    /// The final page, dimmed, with the differing regions outlined.
    Difference,
}

/// For each page index (0-based, up to the common count), whether the shortcut proves it equal.
fn unchanged_pages(
    doc: &Document,
    g_old: &Graph,
    g_new: &Graph,
    n_old: usize,
    n_new: usize,
) -> Vec<bool> {
    let common = n_old.min(n_new);
    let (Ok(p_old), Ok(p_new)) = (&g_old.pages, &g_new.pages) else {
        return vec![false; common];
    };
    // The two readers must agree on the pages, or kyso's view says nothing about hayro's.
    if p_old.len() != n_old || p_new.len() != n_new {
        return vec![false; common];
    }
    let mut same = same::Same::new(doc, g_old, g_new);
    if !same.document_inputs_equal() {
        return vec![false; common];
    }
    (0..common)
        .map(|i| same.page_equal(p_old[i], p_new[i]))
        .collect()
}

/// Rectangles (default user space) the later revisions were allowed to draw in, by page
/// (0-based): the widgets of the fields, and the annotations, of the allowed changes.
pub fn allowed_rectangles(doc: &Document, mods: &[Modification]) -> BTreeMap<usize, Vec<[f64; 4]>> {
    let mut out: BTreeMap<usize, Vec<[f64; 4]>> = BTreeMap::new();
    let last = doc.last_revision();
    let Ok(pages) = doc.pages_at(last) else {
        return out;
    };
    // Annotation → page, from the pages' /Annots in the final revision.
    let mut page_of: HashMap<ObjRef, usize> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        let Ok(Some(d)) = doc.resolve_dict_at(last, &Object::Ref(*p)) else {
            continue;
        };
        if let Some(Ok(Object::Array(a))) = d.get("Annots").map(|a| doc.resolve_at(last, a)) {
            for r in a.iter().filter_map(Object::as_ref) {
                page_of.entry(r).or_insert(i);
            }
        }
    }
    let mut widgets: Vec<ObjRef> = Vec::new();
    let allowed: Vec<&Modification> = mods.iter().filter(|m| m.allowed).collect();
    let fields: Vec<&str> = allowed.iter().filter_map(|m| m.field.as_deref()).collect();
    if !fields.is_empty() {
        if let Ok(all) = doc.fields_at(last) {
            for f in all.iter().filter(|f| fields.contains(&f.name.as_str())) {
                if f.dict.get("Rect").is_some() {
                    widgets.extend(f.reference);
                }
                if let Some(Ok(Object::Array(kids))) =
                    f.dict.get("Kids").map(|k| doc.resolve_at(last, k))
                {
                    widgets.extend(kids.iter().filter_map(Object::as_ref));
                }
            }
        }
    }
    widgets.extend(
        allowed
            .iter()
            .filter(|m| m.field.is_none())
            .filter_map(|m| m.object.as_deref())
            .filter_map(parse_ref),
    );
    for w in widgets {
        let (Some(&page), Ok(Some(d))) =
            (page_of.get(&w), doc.resolve_dict_at(last, &Object::Ref(w)))
        else {
            continue;
        };
        let Some(Ok(Object::Array(r))) = d.get("Rect").map(|r| doc.resolve_at(last, r)) else {
            continue;
        };
        let v: Vec<f64> = r.iter().filter_map(Object::as_f64).collect();
        if v.len() == 4 && v.iter().all(|x| x.is_finite()) {
            out.entry(page).or_default().push([
                v[0].min(v[2]),
                v[1].min(v[3]),
                v[0].max(v[2]),
                v[1].max(v[3]),
            ]);
        }
    }
    out
}

/// "12 0 R" → the reference.
fn parse_ref(s: &str) -> Option<ObjRef> {
    let mut it = s.split_whitespace();
    let num = it.next()?.parse().ok()?;
    let gen = it.next()?.parse().ok()?;
    (it.next() == Some("R")).then(|| ObjRef::new(num, gen))
}

/// `kyso compare`: one signature's signed version against the final file.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The signature's number in the report (1-based).
    pub signature: usize,
    /// The signature's field name (/T, fully qualified).
    pub field: String,
    /// The comparison (pages, boxes in points, whether each lies inside an allowed widget).
    #[serde(flatten)]
    pub visual: VisualReport,
    /// The pictures, per changed page (not serialised: written as files).
    #[serde(skip)]
    pub pictures: Vec<PagePictures>,
}

/// The three pictures of one changed page, as PNG.
#[derive(Clone, Debug)]
pub struct PagePictures {
    /// Page number, 1-based, in both versions.
    pub page: usize,
    /// The page in the signed version (absent for a page added later).
    pub signed: Option<Vec<u8>>,
    /// The page in the final file (absent for a page removed later).
    pub current: Option<Vec<u8>>,
    /// The final page dimmed with the differing regions outlined.
    pub difference: Option<Vec<u8>>,
}

/// One signature to compare (`crate::verify::compare_visual` chooses them from its report).
pub struct Compared<'a> {
    /// The signature's number in the report, 1-based.
    pub signature: usize,
    /// The signature's field name, copied into the [`Comparison`].
    pub field: String,
    /// The length of its signed version (ByteRange c + d), when the ByteRange has one.
    pub signed_len: Option<usize>,
    /// Its visual check from the verification report (which pages differ, where).
    pub visual: &'a VisualReport,
}

/// The comparisons of `signatures` with the final file `bytes`, with their pictures at `dpi`.
pub fn compare_signed<'a>(
    bytes: Arc<Vec<u8>>,
    signatures: impl IntoIterator<Item = Compared<'a>>,
    dpi: f64,
) -> Vec<Comparison> {
    let last = Renderer::open(bytes.clone());
    let mut out = Vec::new();
    for s in signatures {
        let v = s.visual;
        let mut pictures = Vec::new();
        if let (Some(len), Ok(last)) = (s.signed_len, &last) {
            if let Ok(old) = bytes
                .get(..len)
                .ok_or(())
                .and_then(|b| Renderer::open(b.to_vec()).map_err(|_| ()))
            {
                pictures = page_pictures(&old, last, v, dpi);
            }
        }
        out.push(Comparison {
            signature: s.signature,
            field: s.field,
            visual: v.clone(),
            pictures,
        });
    }
    out
}

fn page_pictures(old: &Renderer, last: &Renderer, v: &VisualReport, dpi: f64) -> Vec<PagePictures> {
    let mut pages: Vec<usize> = v.boxes.iter().map(|b| b.page).collect();
    pages.extend(&v.pages_added);
    pages.extend(&v.pages_removed);
    pages.sort_unstable();
    pages.dedup();
    let png = |p: &PageImage| render::png_rgb(p.width, p.height, &p.rgb);
    pages
        .into_iter()
        .map(|page| {
            let a = old.render(&[page - 1], dpi).pop().and_then(Result::ok);
            let b = last.render(&[page - 1], dpi).pop().and_then(Result::ok);
            let difference = b.as_ref().map(|b| {
                let boxes: Vec<DiffBox> = v
                    .boxes
                    .iter()
                    .filter(|x| x.page == page)
                    .map(|x| x.diff.clone())
                    .collect();
                render::png_rgb(b.width, b.height, &compare::difference_picture(b, &boxes))
            });
            PagePictures {
                page,
                signed: a.as_ref().map(png),
                current: b.as_ref().map(png),
                difference,
            }
        })
        .collect()
}
