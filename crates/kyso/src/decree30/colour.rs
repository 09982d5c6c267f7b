//! The colour of a signature picture, from the image XObjects of a widget's appearance
//! (ISO 32000-1 §8.9.5): Flate-coded DeviceRGB / DeviceGray / ICCBased / Indexed samples with an
//! optional soft mask (§11.6.5.3). Decree 30/2020 Appendix I: the leader's picture is blue, the
//! seal red. What cannot be decoded (DCT, JPX, CCITT...) is reported as such, never guessed.

use serde::Serialize;

use crate::pdf::{Dict, Document, Object, Stream};

/// Pixels examined per image at most (a sample across the whole picture beyond that).
const MAX_SAMPLES: usize = 1_000_000;
/// Largest image decoded (pixels).
const MAX_PIXELS: u64 = 16_000_000;

/// The predominant colour of the visible (opaque, non-white) pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hue {
    /// More than half of the visible pixels are blue (blue channel at least 40 above red and
    /// 15 above green): the colour Decree 30/2020 Appendix I box 7c asks of the leader's picture.
    Blue,
    /// More than half are red (red channel at least 50 above green and blue): the colour of the
    /// agency's seal (Appendix I box 8).
    Red,
    /// More than half are black or dark grey (e.g. a scanned signature that was not recoloured).
    Black,
    /// No colour holds more than half of the visible pixels, or another colour does.
    Mixed,
    /// Every pixel is transparent or white.
    Empty,
}

/// What the pixels of a picture say, or why they could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColourFacts {
    /// None when the image could not be decoded (`undecodable` says why).
    pub hue: Option<Hue>,
    /// Visible pixels counted (a sample of large images).
    pub visible_pixels: u64,
    /// Share of blue pixels, in percent of the visible ones (0–100, one decimal).
    pub blue_percent: f64,
    /// Share of red pixels, in percent of the visible ones (0–100, one decimal).
    pub red_percent: f64,
    /// Share of black or dark grey pixels, in percent of the visible ones (0–100, one decimal).
    pub black_percent: f64,
    /// Why the colour cannot be judged (e.g. "DCTDecode").
    pub undecodable: Option<String>,
}

impl ColourFacts {
    fn cannot(why: impl Into<String>) -> Self {
        ColourFacts {
            hue: None,
            visible_pixels: 0,
            blue_percent: 0.0,
            red_percent: 0.0,
            black_percent: 0.0,
            undecodable: Some(why.into()),
        }
    }
}

/// Judges the colour of image XObject `img` of document `doc` at revision `rev` (0-based
/// revision index, as [`Document::last_revision`] counts). Never fails: an image that cannot be
/// decoded (unsupported filter, too large, bad samples) gives `hue: None` with the reason in
/// [`ColourFacts::undecodable`], which the Decree 30 points treat as not met.
pub fn image_colour(doc: &Document, rev: usize, img: &Stream) -> ColourFacts {
    match decode(doc, rev, img) {
        Ok((rgb, alpha)) => classify(&rgb, alpha.as_deref()),
        Err(why) => ColourFacts::cannot(why),
    }
}

/// Colour space: components per pixel, and a palette for Indexed.
enum Space {
    Gray,
    Rgb,
    Cmyk,
    Indexed { base: Box<Space>, palette: Vec<u8> },
}

impl Space {
    fn components(&self) -> usize {
        match self {
            Space::Gray => 1,
            Space::Rgb => 3,
            Space::Cmyk => 4,
            Space::Indexed { .. } => 1,
        }
    }
}

fn space(doc: &Document, rev: usize, cs: &Object, depth: usize) -> Result<Space, String> {
    let cs = doc.resolve_at(rev, cs).map_err(|e| e.to_string())?;
    match &cs {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(Space::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(Space::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Space::Cmyk),
            other => Err(format!("colour space {}", String::from_utf8_lossy(other))),
        },
        Object::Array(a) if depth < 3 => {
            let family = a.first().and_then(Object::as_name).unwrap_or(b"");
            match family {
                b"ICCBased" => {
                    let stream = a
                        .get(1)
                        .map(|s| doc.resolve_at(rev, s))
                        .transpose()
                        .map_err(|e| e.to_string())?;
                    let n = match &stream {
                        Some(Object::Stream(s)) => s.dict.get("N").and_then(Object::as_int),
                        _ => None,
                    };
                    match n {
                        Some(1) => Ok(Space::Gray),
                        Some(3) => Ok(Space::Rgb),
                        Some(4) => Ok(Space::Cmyk),
                        _ => Err("ICCBased colour space without a usable /N".into()),
                    }
                }
                b"Indexed" | b"I" => {
                    let base = space(doc, rev, a.get(1).unwrap_or(&Object::Null), depth + 1)?;
                    let lookup = doc
                        .resolve_at(rev, a.get(3).unwrap_or(&Object::Null))
                        .map_err(|e| e.to_string())?;
                    let palette = match &lookup {
                        Object::String(s) => s.bytes.clone(),
                        Object::Stream(s) => doc.stream_decoded(s).map_err(|e| e.to_string())?,
                        _ => return Err("Indexed colour space without a lookup table".into()),
                    };
                    Ok(Space::Indexed {
                        base: Box::new(base),
                        palette,
                    })
                }
                b"CalRGB" => Ok(Space::Rgb),
                b"CalGray" => Ok(Space::Gray),
                other => Err(format!("colour space {}", String::from_utf8_lossy(other))),
            }
        }
        _ => Err("no usable /ColorSpace".into()),
    }
}

/// The filters of a stream that this module cannot decode (pictures coded as JPEG etc.).
fn unsupported_filter(d: &Dict) -> Option<String> {
    let names: Vec<Vec<u8>> = match d.get("Filter") {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().map(<[u8]>::to_vec))
            .collect(),
        _ => vec![],
    };
    names
        .into_iter()
        .find(|n| !matches!(n.as_slice(), b"FlateDecode" | b"Fl"))
        .map(|n| String::from_utf8_lossy(&n).into_owned())
}

/// Decodes the image to 8-bit RGB and an optional 8-bit alpha channel.
fn decode(doc: &Document, rev: usize, img: &Stream) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let d = &img.dict;
    if let Some(f) = unsupported_filter(d) {
        return Err(f);
    }
    if d.get("ImageMask").and_then(|o| match o {
        Object::Bool(b) => Some(*b),
        _ => None,
    }) == Some(true)
    {
        return Err("stencil mask (ImageMask)".into());
    }
    let int = |k: &str| {
        d.get(k)
            .and_then(|o| doc.resolve_at(rev, o).ok())
            .and_then(|o| o.as_int())
    };
    let (w, h) = match (int("Width"), int("Height")) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w as u64, h as u64),
        _ => return Err("image without a valid /Width and /Height".into()),
    };
    if w * h > MAX_PIXELS {
        return Err(format!("image of {w}×{h} pixels is too large"));
    }
    let bits = int("BitsPerComponent").unwrap_or(8);
    if !matches!(bits, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("{bits} bits per component"));
    }
    let cs = space(doc, rev, d.get("ColorSpace").unwrap_or(&Object::Null), 0)?;
    let data = doc.stream_decoded(img).map_err(|e| e.to_string())?;
    let rgb = to_rgb(&data, w as usize, h as usize, bits as usize, &cs)?;
    let alpha = match d.get("SMask").map(|m| doc.resolve_at(rev, m)) {
        Some(Ok(Object::Stream(mask))) => {
            if let Some(f) = unsupported_filter(&mask.dict) {
                return Err(format!("soft mask coded with {f}"));
            }
            let md = &mask.dict;
            let mi = |k: &str| md.get(k).and_then(Object::as_int);
            let (mw, mh, mb) = (
                mi("Width").unwrap_or(0) as usize,
                mi("Height").unwrap_or(0) as usize,
                mi("BitsPerComponent").unwrap_or(8) as usize,
            );
            if mw == 0 || mh == 0 || (mw as u64) * (mh as u64) > MAX_PIXELS {
                return Err("soft mask without a valid size".into());
            }
            let mdata = doc.stream_decoded(&mask).map_err(|e| e.to_string())?;
            let gray = to_rgb(&mdata, mw, mh, mb, &Space::Gray)?;
            // Resampled to the image's size (nearest), one value per pixel.
            let mut a = Vec::with_capacity((w * h) as usize);
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let (sx, sy) = (x * mw / w as usize, y * mh / h as usize);
                    a.push(gray[(sy * mw + sx) * 3]);
                }
            }
            Some(a)
        }
        Some(Err(e)) => return Err(e.to_string()),
        _ => None,
    };
    Ok((rgb, alpha))
}

/// Unpacks samples to 8-bit RGB, row by row (rows start on byte boundaries, §8.9.3).
fn to_rgb(data: &[u8], w: usize, h: usize, bits: usize, cs: &Space) -> Result<Vec<u8>, String> {
    let n = cs.components();
    let row_bytes = (w * n * bits).div_ceil(8);
    if data.len() < row_bytes * h {
        return Err(format!(
            "image data too short ({} bytes for {w}×{h})",
            data.len()
        ));
    }
    let max = ((1u32 << bits) - 1) as f64;
    let sample = |row: &[u8], i: usize| -> u32 {
        match bits {
            8 => row[i] as u32,
            16 => u16::from_be_bytes([row[2 * i], row[2 * i + 1]]) as u32,
            b => {
                let bit = i * b;
                let byte = row[bit / 8] as u32;
                (byte >> (8 - b - bit % 8)) & ((1 << b) - 1)
            }
        }
    };
    let scale = |v: u32| -> u8 { ((v as f64 / max) * 255.0).round() as u8 };
    let mut out = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let row = &data[y * row_bytes..(y + 1) * row_bytes];
        for x in 0..w {
            match cs {
                Space::Gray => {
                    let g = scale(sample(row, x));
                    out.extend_from_slice(&[g, g, g]);
                }
                Space::Rgb => {
                    for c in 0..3 {
                        out.push(scale(sample(row, x * 3 + c)));
                    }
                }
                Space::Cmyk => {
                    let v: Vec<f64> = (0..4)
                        .map(|c| sample(row, x * 4 + c) as f64 / max)
                        .collect();
                    for c in 0..3 {
                        out.push(((1.0 - v[c]) * (1.0 - v[3]) * 255.0).round() as u8);
                    }
                }
                Space::Indexed { base, palette } => {
                    let idx = sample(row, x) as usize;
                    let bn = base.components();
                    let entry = palette.get(idx * bn..idx * bn + bn);
                    match (entry, base.as_ref()) {
                        (Some(e), Space::Gray) => out.extend_from_slice(&[e[0], e[0], e[0]]),
                        (Some(e), Space::Rgb) => out.extend_from_slice(e),
                        (Some(e), Space::Cmyk) => {
                            let v: Vec<f64> = e.iter().map(|b| *b as f64 / 255.0).collect();
                            for c in 0..3 {
                                out.push(((1.0 - v[c]) * (1.0 - v[3]) * 255.0).round() as u8);
                            }
                        }
                        _ => out.extend_from_slice(&[255, 255, 255]),
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Counts the visible pixels by colour: a pixel is visible when its alpha is at least half and
/// it is not (nearly) white.
fn classify(rgb: &[u8], alpha: Option<&[u8]>) -> ColourFacts {
    let pixels = rgb.len() / 3;
    let step = pixels.div_ceil(MAX_SAMPLES).max(1);
    let (mut blue, mut red, mut black, mut other) = (0u64, 0u64, 0u64, 0u64);
    let mut i = 0;
    while i < pixels {
        let visible = alpha.is_none_or(|a| a.get(i).is_some_and(|v| *v >= 128));
        let (r, g, b) = (
            rgb[3 * i] as i32,
            rgb[3 * i + 1] as i32,
            rgb[3 * i + 2] as i32,
        );
        if visible && r.min(g).min(b) < 225 {
            if b - r >= 40 && b - g >= 15 {
                blue += 1;
            } else if r - g >= 50 && r - b >= 50 {
                red += 1;
            } else if r.max(g).max(b) < 100 {
                black += 1;
            } else {
                other += 1;
            }
        }
        i += step;
    }
    let total = blue + red + black + other;
    let pct = |v: u64| {
        if total == 0 {
            0.0
        } else {
            (v as f64 * 1000.0 / total as f64).round() / 10.0
        }
    };
    let hue = if total == 0 {
        Hue::Empty
    } else if blue * 2 > total {
        Hue::Blue
    } else if red * 2 > total {
        Hue::Red
    } else if black * 2 > total {
        Hue::Black
    } else {
        Hue::Mixed
    };
    ColourFacts {
        hue: Some(hue),
        visible_pixels: total,
        blue_percent: pct(blue),
        red_percent: pct(red),
        black_percent: pct(black),
        undecodable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hues_from_pixels() {
        let blue: Vec<u8> = [20, 40, 200].repeat(100);
        assert_eq!(classify(&blue, None).hue, Some(Hue::Blue));
        let mut red: Vec<u8> = [210, 20, 30].repeat(100);
        red.extend([255, 255, 255].repeat(500));
        let f = classify(&red, None);
        assert_eq!(f.hue, Some(Hue::Red));
        assert_eq!(f.visible_pixels, 100);
        // Transparent blue pixels do not count.
        let alpha = vec![0u8; 100];
        assert_eq!(classify(&blue, Some(&alpha)).hue, Some(Hue::Empty));
        let gray = to_rgb(&[0b1010_0000], 4, 1, 1, &Space::Gray).unwrap();
        assert_eq!(gray, vec![255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0]);
        assert!(to_rgb(&[1, 2], 4, 4, 8, &Space::Rgb).is_err());
    }

    #[test]
    fn jpeg_pictures_are_not_guessed() {
        let mut d = Dict::new();
        d.set("Filter", Object::name("DCTDecode"));
        assert_eq!(unsupported_filter(&d).as_deref(), Some("DCTDecode"));
        d.set(
            "Filter",
            Object::Array(vec![Object::name("FlateDecode"), Object::name("JPXDecode")]),
        );
        assert_eq!(unsupported_filter(&d).as_deref(), Some("JPXDecode"));
        d.set("Filter", Object::name("FlateDecode"));
        assert_eq!(unsupported_filter(&d), None);
    }
}
