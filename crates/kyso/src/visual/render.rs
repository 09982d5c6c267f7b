//! PDF bytes → pictures of pages, in-process, with `hayro` (see the module above for why hayro).
//!
//! Bounded: a page count limit is the caller's ([`super::VisualOptions::max_pages`]); every page
//! is drawn with at most [`MAX_PIXELS`] pixels (a huge MediaBox is drawn at a lower resolution,
//! never refused for its size) and each side fits hayro's 16-bit canvas. The renderer runs inside
//! `catch_unwind` as a last guard: a panic in it is a rendering error, never a crash of kyso.

#[cfg(feature = "visual")]
use std::panic::{catch_unwind, AssertUnwindSafe};

#[cfg(feature = "visual")]
use hayro::hayro_interpret::util::TransformExt;
#[cfg(feature = "visual")]
use hayro::hayro_interpret::InterpreterSettings;
#[cfg(feature = "visual")]
use hayro::hayro_syntax::{LoadPdfError, Pdf, PdfData};
#[cfg(feature = "visual")]
use hayro::vello_cpu::color::palette::css::WHITE;
#[cfg(feature = "visual")]
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use kurbo::{Affine, Point, Rect};

/// Pixels one page may have (4096 × 4096): a page larger than that at the asked resolution is
/// drawn at a lower one.
pub const MAX_PIXELS: u64 = 1 << 24;
/// hayro draws into canvases whose sides are 16-bit.
#[cfg(feature = "visual")]
const MAX_SIDE: f64 = 65_000.0;

/// Why a document or a page could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// The file is encrypted; hayro does not decrypt.
    Encrypted,
    /// hayro cannot read the file.
    Unreadable(String),
    /// The page does not exist.
    NoSuchPage(usize),
    /// The renderer gave up (a panic caught) on this page (0-based).
    Crashed(usize),
    /// kyso was built without the renderer (feature `visual` off).
    NotBuilt,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Encrypted => write!(f, "the file is encrypted"),
            RenderError::Unreadable(why) => write!(f, "the file cannot be rendered: {why}"),
            RenderError::NoSuchPage(i) => write!(f, "there is no page {}", i + 1),
            RenderError::Crashed(i) => write!(f, "the renderer failed on page {}", i + 1),
            RenderError::NotBuilt => {
                write!(f, "kyso was built without the renderer (feature `visual`)")
            }
        }
    }
}

/// The first `len` bytes of a file held once in memory: a signed version drawn without a copy.
pub struct Prefix {
    /// The whole file.
    pub data: std::sync::Arc<Vec<u8>>,
    /// Bytes of it that make the version (clipped to the file's length when read).
    pub len: usize,
}

impl AsRef<[u8]> for Prefix {
    fn as_ref(&self) -> &[u8] {
        &self.data[..self.len.min(self.data.len())]
    }
}

impl Prefix {
    /// The first `len` bytes of `data` as hayro's input, without copying them.
    pub fn shared(data: &std::sync::Arc<Vec<u8>>, len: usize) -> std::sync::Arc<Prefix> {
        std::sync::Arc::new(Prefix {
            data: data.clone(),
            len,
        })
    }
}

/// One drawn page: opaque RGB on white, rows top to bottom.
#[derive(Clone, Debug)]
pub struct PageImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height` pixels of 3 bytes (R, G, B), row by row from the top.
    pub rgb: Vec<u8>,
    /// Default user space (PDF points) → pixels.
    pub to_pixels: [f64; 6],
    /// The drawn area (the crop box within the media box) in default user space.
    pub page_box: [f64; 4],
}

impl PageImage {
    /// The colour of pixel `(x, y)` (from the top left). Panics outside the picture.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    fn affine(&self) -> Affine {
        Affine::new(self.to_pixels)
    }

    /// A rectangle in default user space (points) → the pixel rectangle it covers, clipped.
    pub fn user_to_pixels(&self, r: [f64; 4]) -> [f64; 4] {
        let b = self
            .affine()
            .transform_rect_bbox(Rect::new(r[0], r[1], r[2], r[3]));
        [
            b.x0.max(0.0),
            b.y0.max(0.0),
            b.x1.min(self.width as f64),
            b.y1.min(self.height as f64),
        ]
    }

    /// A pixel rectangle → default user space (points), as `[x0, y0, x1, y1]` with x0 ≤ x1.
    pub fn pixels_to_user(&self, r: [f64; 4]) -> [f64; 4] {
        let inv = self.affine().inverse();
        let b = inv.transform_rect_bbox(Rect::new(r[0], r[1], r[2], r[3]));
        [b.x0, b.y0, b.x1, b.y1]
    }

    /// The point (in points) of pixel centre `(x, y)`.
    pub fn pixel_to_user(&self, x: f64, y: f64) -> (f64, f64) {
        let p = self.affine().inverse() * Point::new(x, y);
        (p.x, p.y)
    }
}

/// A document opened for drawing.
#[cfg(feature = "visual")]
pub struct Renderer {
    pdf: Pdf,
}

#[cfg(feature = "visual")]
impl Renderer {
    /// Opens the PDF in `bytes` (a whole file, or the signed version: a [`Prefix`] of one).
    ///
    /// # Errors
    ///
    /// [`RenderError::Encrypted`] for an encrypted file, [`RenderError::Unreadable`] when hayro
    /// cannot read it (a panic inside it included).
    pub fn open(bytes: impl Into<PdfData>) -> Result<Renderer, RenderError> {
        let bytes = bytes.into();
        let opened = catch_unwind(AssertUnwindSafe(|| Pdf::new(bytes)));
        match opened {
            Ok(Ok(pdf)) => Ok(Renderer { pdf }),
            Ok(Err(LoadPdfError::Decryption(_))) => Err(RenderError::Encrypted),
            Ok(Err(e)) => Err(RenderError::Unreadable(format!("{e:?}"))),
            Err(_) => Err(RenderError::Unreadable("the renderer failed".into())),
        }
    }

    /// Number of pages; 0 when the renderer cannot list them.
    pub fn page_count(&self) -> usize {
        catch_unwind(AssertUnwindSafe(|| self.pdf.pages().len())).unwrap_or(0)
    }

    /// The size of page `index` (0-based) in points as drawn (rotation applied).
    pub fn page_size(&self, index: usize) -> Option<(f64, f64)> {
        catch_unwind(AssertUnwindSafe(|| {
            let pages = self.pdf.pages();
            pages.get(index).map(|p| {
                let (w, h) = p.render_dimensions();
                (w as f64, h as f64)
            })
        }))
        .ok()
        .flatten()
    }

    /// Draws pages `indices` (0-based) at `dpi` (lowered per page to keep within [`MAX_PIXELS`]).
    pub fn render(&self, indices: &[usize], dpi: f64) -> Vec<Result<PageImage, RenderError>> {
        let cache = RenderCache::new();
        let settings = InterpreterSettings::default();
        let pages = self.pdf.pages();
        indices
            .iter()
            .map(|&i| {
                let Some(page) = pages.get(i) else {
                    return Err(RenderError::NoSuchPage(i));
                };
                let drawn = catch_unwind(AssertUnwindSafe(|| {
                    let (w, h) = page.render_dimensions();
                    let scale = page_scale(w as f64, h as f64, dpi);
                    let pixmap = hayro::render(
                        page,
                        &cache,
                        &settings,
                        &RenderSettings::default(),
                        &PixmapSettings {
                            x_scale: scale as f32,
                            y_scale: scale as f32,
                            bg_color: WHITE,
                        },
                    );
                    let to_pixels = (Affine::scale(scale as f32 as f64)
                        * page.initial_transform(true).to_kurbo())
                    .as_coeffs();
                    let b = page.intersected_crop_box();
                    (pixmap, to_pixels, [b.x0, b.y0, b.x1, b.y1])
                }));
                let Ok((pixmap, to_pixels, page_box)) = drawn else {
                    return Err(RenderError::Crashed(i));
                };
                let rgb = pixmap
                    .data()
                    .iter()
                    // Drawn over opaque white: every pixel is opaque.
                    .flat_map(|p| [p.r, p.g, p.b])
                    .collect();
                Ok(PageImage {
                    width: pixmap.width() as u32,
                    height: pixmap.height() as u32,
                    rgb,
                    to_pixels,
                    page_box,
                })
            })
            .collect()
    }
}

/// Without the feature `visual`: nothing can be opened, so no page is ever drawn and the
/// visual check, when asked for, ends in an error (never "no difference").
#[cfg(not(feature = "visual"))]
pub struct Renderer {
    never: std::convert::Infallible,
}

#[cfg(not(feature = "visual"))]
impl Renderer {
    /// Always [`RenderError::NotBuilt`].
    pub fn open<T>(_bytes: T) -> Result<Renderer, RenderError> {
        Err(RenderError::NotBuilt)
    }

    /// Never called: no `Renderer` exists without the feature.
    pub fn page_count(&self) -> usize {
        match self.never {}
    }

    /// Never called: no `Renderer` exists without the feature.
    pub fn page_size(&self, _index: usize) -> Option<(f64, f64)> {
        match self.never {}
    }

    /// Never called: no `Renderer` exists without the feature.
    pub fn render(&self, _indices: &[usize], _dpi: f64) -> Vec<Result<PageImage, RenderError>> {
        match self.never {}
    }
}

/// Pixels per point for a page of `w` × `h` points at `dpi`, within the pixel and side budgets.
#[cfg(feature = "visual")]
fn page_scale(w: f64, h: f64, dpi: f64) -> f64 {
    let mut scale = (dpi / 72.0).max(0.01);
    let (w, h) = (w.max(1.0), h.max(1.0));
    let pixels = w * h * scale * scale;
    if pixels > MAX_PIXELS as f64 {
        scale *= (MAX_PIXELS as f64 / pixels).sqrt();
    }
    let side = w.max(h) * scale;
    if side > MAX_SIDE {
        scale *= MAX_SIDE / side;
    }
    scale
}

/// Encodes an RGB picture (8 bits per sample, rows from the top) as PNG (ISO/IEC 15948:2004:
/// IHDR, one zlib IDAT with filter type 2 "Up" on every row, IEND), written here so that the
/// build without the feature `appearance` needs no PNG crate. Missing samples (an `rgb` shorter
/// than `width` × `height` × 3, which the callers cannot make) are drawn black, never dropped.
pub fn png_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let row = width as usize * 3;
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    let mut line = vec![0u8; row];
    let mut above = vec![0u8; row];
    for y in 0..height as usize {
        line.fill(0);
        if let Some(src) = rgb.get(y * row..) {
            let n = src.len().min(row);
            line[..n].copy_from_slice(&src[..n]);
        }
        // §9.2, filter type 2: each byte minus the byte above it (zero above the first row).
        raw.push(2);
        raw.extend(line.iter().zip(&above).map(|(x, b)| x.wrapping_sub(*b)));
        std::mem::swap(&mut line, &mut above);
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8-bit samples, colour type 2 (RGB), deflate, filter method 0, no interlace (§11.2.2).
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &crate::pdf::filters::deflate(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// One PNG chunk: length, type, data, CRC-32 of type and data (ISO/IEC 15948:2004 §5.3).
fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

#[cfg(all(test, feature = "visual"))]
mod tests {
    use super::*;

    #[test]
    fn huge_pages_are_drawn_within_the_pixel_budget() {
        // 14,400 in × 14,400 in (the largest MediaBox ISO 32000-1 Annex C allows).
        let s = page_scale(1_036_800.0, 1_036_800.0, 72.0);
        let side = 1_036_800.0 * s;
        assert!(side * side <= MAX_PIXELS as f64 + 1.0);
        assert!(page_scale(595.0, 842.0, 72.0) == 1.0);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bytes in [
            b"".to_vec(),
            b"%PDF-1.7\n".to_vec(),
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 -5] /Contents 4 0 R >> endobj\n4 0 obj << /Length 99999 >> stream\nBT /F1 12 Tf (x) Tj ET q 1 0 0 1 0 0 cm Q Q Q Q\nendstream endobj\ntrailer << /Root 1 0 R >>\n".to_vec(),
        ] {
            match Renderer::open(bytes) {
                Ok(r) => {
                    let n = r.page_count();
                    for p in r.render(&(0..n.min(3)).collect::<Vec<_>>(), 36.0) {
                        let _ = p;
                    }
                    assert!(matches!(r.render(&[n + 5], 36.0)[0], Err(RenderError::NoSuchPage(_))));
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[cfg(test)]
mod png_tests {
    use super::png_rgb;

    /// Decodes with the png crate, an independent decoder.
    fn decode(data: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(data))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn png_rgb_decodes_to_the_same_pixels() {
        let (w, h) = (7u32, 5u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        assert_eq!(decode(&png_rgb(w, h, &rgb)), (w, h, rgb));
    }

    #[test]
    fn png_rgb_draws_missing_samples_black() {
        let (w, h, px) = decode(&png_rgb(2, 2, &[255; 6]));
        assert_eq!((w, h), (2, 2));
        assert_eq!(px, [[255; 6], [0; 6]].concat());
    }
}
