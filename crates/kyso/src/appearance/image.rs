//! PNG pictures as image XObjects (ISO 32000-1 §8.9.5), the alpha channel kept as a soft mask
//! (/SMask, §11.6.5.3) so a transparent signature or seal shows the page through it: Decree
//! 30/2020 Appendix I asks for transparent PNGs (VIETNAM.md §1). The picture's size on the page
//! is the layout's (points); a seal's real size comes from the pHYs resolution ([`Picture::dpi`]).
//!
//! Needs the feature `appearance` (the png crate decodes); without it the same type exists and
//! [`Picture::from_png`] refuses.

use std::io::Cursor;

use crate::error::{Error, Result};
use crate::pdf::filters::deflate;
use crate::pdf::{Dict, IncrementalUpdate, ObjRef, Object};

/// Largest picture accepted, in pixels (a 300 dpi A4 page is ≈ 8.7 million).
const MAX_PIXELS: u64 = 40_000_000;

/// A decoded picture, split into colour samples and an optional alpha plane.
#[derive(Clone, Debug)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 8 or 16.
    pub bits: u8,
    /// 1 (gray) or 3 (RGB).
    pub components: u8,
    /// The colour samples, row by row from the top, `components` per pixel (16-bit samples
    /// big-endian).
    pub color: Vec<u8>,
    /// The alpha samples (one per pixel, same depth), when the picture has a transparent
    /// part; None when it is fully opaque.
    pub alpha: Option<Vec<u8>>,
    /// Resolution from the PNG's pHYs chunk, in dots per inch.
    pub dpi: Option<f64>,
}

impl Picture {
    /// Decodes a PNG: gray, gray+alpha, RGB, RGBA, palette (with or without tRNS), 1–16 bits.
    /// `what` names the source in errors.
    pub fn from_png(bytes: &[u8], what: &str) -> Result<Picture> {
        let bad = |why: String| {
            Error::InvalidArgument(format!("{what} is not a usable PNG picture: {why}"))
        };
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(bad("it does not start with the PNG signature".into()));
        }
        let mut decoder = png::Decoder::new(Cursor::new(bytes));
        // Palette → RGB(A), tRNS → alpha, 1/2/4-bit gray → 8-bit; 16-bit stays 16-bit.
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;
        let (w, h) = reader.info().size();
        if w == 0 || h == 0 || w as u64 * h as u64 > MAX_PIXELS {
            return Err(bad(format!("{w}×{h} pixels is not a plausible size")));
        }
        let dpi = reader.info().pixel_dims.and_then(|d| {
            (d.unit == png::Unit::Meter && d.xppu > 0).then_some(d.xppu as f64 * 0.0254)
        });
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| bad("too large".into()))?;
        let mut buf = vec![0u8; size];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| bad(e.to_string()))?;
        buf.truncate(info.buffer_size());
        let bits: u8 = match info.bit_depth {
            png::BitDepth::Sixteen => 16,
            png::BitDepth::Eight => 8,
            other => {
                return Err(bad(format!(
                    "unexpected bit depth {other:?} after expansion"
                )))
            }
        };
        let (components, has_alpha) = match info.color_type {
            png::ColorType::Grayscale => (1u8, false),
            png::ColorType::GrayscaleAlpha => (1, true),
            png::ColorType::Rgb => (3, false),
            png::ColorType::Rgba => (3, true),
            png::ColorType::Indexed => return Err(bad("palette was not expanded".into())),
        };
        let bytes_per_sample = bits as usize / 8;
        let channels = components as usize + has_alpha as usize;
        let row = info.line_size;
        let mut color =
            Vec::with_capacity(w as usize * h as usize * components as usize * bytes_per_sample);
        let mut alpha =
            has_alpha.then(|| Vec::with_capacity(w as usize * h as usize * bytes_per_sample));
        for line in buf.chunks_exact(row).take(h as usize) {
            for px in line[..w as usize * channels * bytes_per_sample]
                .chunks_exact(channels * bytes_per_sample)
            {
                let split = components as usize * bytes_per_sample;
                color.extend_from_slice(&px[..split]);
                if let Some(a) = alpha.as_mut() {
                    a.extend_from_slice(&px[split..]);
                }
            }
        }
        // A fully opaque alpha channel adds nothing.
        if let Some(a) = &alpha {
            let opaque = if bits == 16 {
                a.chunks_exact(2).all(|s| s == [0xFF, 0xFF])
            } else {
                a.iter().all(|&v| v == 0xFF)
            };
            if opaque {
                alpha = None;
            }
        }
        Ok(Picture {
            width: w,
            height: h,
            bits,
            components,
            color,
            alpha,
            dpi,
        })
    }

    /// Width over height.
    pub fn aspect(&self) -> f64 {
        self.width as f64 / self.height as f64
    }

    /// Writes the image XObject (and its soft mask) and returns its reference.
    pub fn write(&self, update: &mut IncrementalUpdate) -> ObjRef {
        let image = update.allocate();
        let mut d = image_dict(self.width, self.height, self.bits);
        d.set(
            "ColorSpace",
            Object::name(if self.components == 3 {
                "DeviceRGB"
            } else {
                "DeviceGray"
            }),
        );
        if let Some(alpha) = &self.alpha {
            let mask = update.allocate();
            let mut m = image_dict(self.width, self.height, self.bits);
            m.set("ColorSpace", Object::name("DeviceGray"));
            update.set_stream(mask, m, deflate(alpha));
            d.set("SMask", Object::Ref(mask));
        }
        update.set_stream(image, d, deflate(&self.color));
        image
    }
}

fn image_dict(w: u32, h: u32, bits: u8) -> Dict {
    let mut d = Dict::new();
    d.set("Type", Object::name("XObject"));
    d.set("Subtype", Object::name("Image"));
    d.set("Width", Object::Int(w as i64));
    d.set("Height", Object::Int(h as i64));
    d.set("BitsPerComponent", Object::Int(bits as i64));
    d.set("Filter", Object::name("FlateDecode"));
    d
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes a PNG with the png crate (the test's own encoder, independent of the decoder).
    pub(crate) fn encode(
        w: u32,
        h: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
        palette: Option<(&[u8], Option<&[u8]>)>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(color);
            enc.set_depth(depth);
            if let Some((p, trns)) = palette {
                enc.set_palette(p.to_vec());
                if let Some(t) = trns {
                    enc.set_trns(t.to_vec());
                }
            }
            enc.set_pixel_dims(Some(png::PixelDimensions {
                xppu: 11811, // 300 dpi
                yppu: 11811,
                unit: png::Unit::Meter,
            }));
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(data).unwrap();
        }
        out
    }

    #[test]
    fn rgba_splits_alpha() {
        let data = [0, 0, 255, 128, 255, 0, 0, 0];
        let png = encode(
            2,
            1,
            png::ColorType::Rgba,
            png::BitDepth::Eight,
            &data,
            None,
        );
        let p = Picture::from_png(&png, "t.png").unwrap();
        assert_eq!((p.width, p.height, p.components, p.bits), (2, 1, 3, 8));
        assert_eq!(p.color, vec![0, 0, 255, 255, 0, 0]);
        assert_eq!(p.alpha, Some(vec![128, 0]));
        assert!((p.dpi.unwrap() - 300.0).abs() < 0.1);
    }

    #[test]
    fn palette_with_trns_gets_alpha() {
        let png = encode(
            3,
            1,
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            &[0, 1, 0],
            Some((&[255, 0, 0, 0, 0, 255], Some(&[0, 255]))),
        );
        let p = Picture::from_png(&png, "t.png").unwrap();
        assert_eq!(p.color, vec![255, 0, 0, 0, 0, 255, 255, 0, 0]);
        assert_eq!(p.alpha, Some(vec![0, 255, 0]));
    }

    #[test]
    fn sixteen_bit_gray_alpha_kept() {
        let data = [0x12, 0x34, 0xFF, 0xFF, 0xAB, 0xCD, 0x00, 0x10];
        let png = encode(
            2,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Sixteen,
            &data,
            None,
        );
        let p = Picture::from_png(&png, "t.png").unwrap();
        assert_eq!((p.bits, p.components), (16, 1));
        assert_eq!(p.color, vec![0x12, 0x34, 0xAB, 0xCD]);
        assert_eq!(p.alpha, Some(vec![0xFF, 0xFF, 0x00, 0x10]));
    }

    #[test]
    fn opaque_alpha_dropped_and_gray_1bit_expanded() {
        let png = encode(
            8,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &[0b1010_0000],
            None,
        );
        let p = Picture::from_png(&png, "t.png").unwrap();
        assert_eq!(p.bits, 8);
        assert_eq!(&p.color[..3], &[255, 0, 255]);
        assert!(p.alpha.is_none());
    }

    #[test]
    fn corrupt_png_is_a_clear_error() {
        let mut png = encode(
            2,
            2,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            &[7; 12],
            None,
        );
        let n = png.len();
        png.truncate(n - 20);
        let e = Picture::from_png(&png, "seal.png").unwrap_err().to_string();
        assert!(e.contains("seal.png"), "{e}");
        let e = Picture::from_png(b"GIF89a", "x.gif")
            .unwrap_err()
            .to_string();
        assert!(e.contains("PNG signature"), "{e}");
    }
}
