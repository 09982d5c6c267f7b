//! Embedded TrueType fonts for appearance text: a subset written as a Type0 font with a
//! CIDFontType2 descendant, Identity-H encoding (CID = glyph id of the subset), /W widths and a
//! /ToUnicode CMap so that text extraction returns the exact Vietnamese string
//! (ISO 32000-1 §9.7 composite fonts, §9.7.4.2 CIDToGIDMap, §9.10.3 ToUnicode). Decree 30/2020
//! wants Times New Roman (VIETNAM.md §1.5); the bundled default is the metric-compatible
//! Liberation Serif. Metrics are in text space units (1/1000 em), widths at a size in points.
//!
//! Needs the feature `appearance` (skrifa reads the font, subsetter subsets it); without it
//! the same types exist and [`Font::default_serif`] and [`Font::from_bytes`] refuse.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, GlyphId, MetadataProvider};
use subsetter::GlyphRemapper;

use crate::error::{Error, Result};
use crate::pdf::filters::deflate;
use crate::pdf::{Dict, IncrementalUpdate, ObjRef, Object, PdfString};

/// Liberation Serif Regular (SIL Open Font License 1.1, see assets/fonts/), metric-compatible
/// with Times New Roman, the typeface Decree 30/2020 prescribes.
static DEFAULT_FONT: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf");

/// A TrueType font ready to measure and embed.
#[derive(Debug)]
pub struct Font {
    data: Vec<u8>,
    units_per_em: f32,
    /// Ascent in text space units (1/1000 em).
    pub ascent: f64,
    /// Descent in text space units (1/1000 em), negative below the baseline.
    pub descent: f64,
    /// Cap height in text space units (1/1000 em).
    cap_height: f64,
    bbox: [f64; 4],
    italic_angle: f64,
    postscript_name: String,
}

impl Font {
    /// The bundled default (Liberation Serif Regular).
    pub fn default_serif() -> Result<Font> {
        Font::from_bytes(DEFAULT_FONT.to_vec(), "the bundled Liberation Serif")
    }

    /// A TrueType font from a file's bytes; `what` names it in errors.
    pub fn from_bytes(data: Vec<u8>, what: &str) -> Result<Font> {
        let bad =
            |why: String| Error::InvalidArgument(format!("{what} is not a usable font: {why}"));
        let font = FontRef::new(&data).map_err(|e| bad(e.to_string()))?;
        // subsetter handles TrueType (glyf) and CFF outlines; PDF needs FontFile2 for TrueType.
        if font.table_data(skrifa::Tag::new(b"glyf")).is_none() {
            return Err(bad(
                "it has no TrueType outlines (glyf table); use a .ttf font".into(),
            ));
        }
        if font.charmap().map('a').is_none() {
            return Err(bad("it has no Unicode character map".into()));
        }
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let upem = m.units_per_em as f32;
        if upem <= 0.0 {
            return Err(bad("units per em is zero".into()));
        }
        let k = 1000.0 / upem as f64;
        let b = m.bounds.map_or([0.0, -250.0, 1000.0, 900.0], |b| {
            [
                b.x_min as f64 * k,
                b.y_min as f64 * k,
                b.x_max as f64 * k,
                b.y_max as f64 * k,
            ]
        });
        let postscript_name = font
            .localized_strings(skrifa::string::StringId::POSTSCRIPT_NAME)
            .english_or_first()
            .map(|s| s.to_string())
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(60)
            .collect::<String>();
        Ok(Font {
            ascent: m.ascent as f64 * k,
            descent: m.descent as f64 * k,
            cap_height: m
                .cap_height
                .map_or(m.ascent as f64 * k * 0.9, |c| c as f64 * k),
            bbox: b,
            italic_angle: m.italic_angle as f64,
            units_per_em: upem,
            postscript_name: if postscript_name.is_empty() {
                "Font".into()
            } else {
                postscript_name
            },
            data,
        })
    }

    fn font_ref(&self) -> FontRef<'_> {
        // Checked in from_bytes.
        FontRef::new(&self.data).expect("font parsed before")
    }

    /// The glyph id for `c`, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        let gid = self.font_ref().charmap().map(c)?;
        u16::try_from(gid.to_u32()).ok().filter(|g| *g != 0)
    }

    /// Advance width of glyph `gid` in 1/1000 em.
    pub fn advance(&self, gid: u16) -> f64 {
        let font = self.font_ref();
        let gm = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        gm.advance_width(GlyphId::new(gid as u32))
            .map_or(0.0, |w| (w * 1000.0 / self.units_per_em) as f64)
    }

    /// Width of `text` set at `size` points; characters the font lacks count as zero.
    pub fn width(&self, text: &str, size: f64) -> f64 {
        text.chars()
            .filter_map(|c| self.glyph(c))
            .map(|g| self.advance(g))
            .sum::<f64>()
            * size
            / 1000.0
    }
}

/// The glyphs of one font used by an appearance; written as one Type0 font.
#[derive(Debug, Clone)]
pub struct FontUse {
    /// The font the glyphs come from.
    pub font: Arc<Font>,
    remapper: GlyphRemapper,
    /// New glyph id → (original id, the text it stands for).
    used: BTreeMap<u16, (u16, char)>,
}

impl FontUse {
    /// No glyph used yet (but .notdef, kept as glyph 0).
    pub fn new(font: Arc<Font>) -> FontUse {
        let mut remapper = GlyphRemapper::new();
        remapper.remap(0); // .notdef stays glyph 0
        FontUse {
            font,
            remapper,
            used: BTreeMap::new(),
        }
    }

    /// Encodes `text` (already NFC) as 2-byte CIDs, registering its glyphs. Every character must
    /// have a glyph: a missing one would silently drop a letter of a name.
    pub fn encode(&mut self, text: &str) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = self.font.glyph(c).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "the font {} has no glyph for '{c}' (U+{:04X}); choose another font",
                    self.font.postscript_name, c as u32
                ))
            })?;
            let new = self.remapper.remap(gid);
            self.used.entry(new).or_insert((gid, c));
            out.extend_from_slice(&new.to_be_bytes());
        }
        Ok(out)
    }

    /// Writes the font objects and returns the Type0 font's reference.
    pub fn write(&self, update: &mut IncrementalUpdate) -> Result<ObjRef> {
        let font = &self.font;
        let subset = subsetter::subset(&font.data, 0, &self.remapper).map_err(|e| {
            Error::InvalidArgument(format!(
                "the font {} could not be subset: {e:?}",
                font.postscript_name
            ))
        })?;
        let type0 = update.allocate();
        let cid = update.allocate();
        let descriptor = update.allocate();
        let file = update.allocate();
        let to_unicode = update.allocate();
        // ISO 32000-1 §9.6.4: a subset's name starts with a six-letter tag.
        let tag = subset_tag(&self.used);
        let base = format!("{tag}+{}", font.postscript_name);

        let mut ff = Dict::new();
        ff.set("Length1", Object::Int(subset.len() as i64));
        ff.set("Filter", Object::name("FlateDecode"));
        update.set_stream(file, ff, deflate(&subset));

        // ISO 32000-1 §9.8, Table 122.
        let mut fd = Dict::new();
        fd.set("Type", Object::name("FontDescriptor"));
        fd.set("FontName", Object::name(&base));
        fd.set("Flags", Object::Int(4 | 2)); // Symbolic (required for CID fonts in practice) + Serif
        fd.set(
            "FontBBox",
            Object::Array(
                font.bbox
                    .iter()
                    .map(|v| Object::Int(v.round() as i64))
                    .collect(),
            ),
        );
        fd.set("ItalicAngle", num(font.italic_angle));
        fd.set("Ascent", num(font.ascent));
        fd.set("Descent", num(font.descent));
        fd.set("CapHeight", num(font.cap_height));
        fd.set("StemV", Object::Int(80));
        fd.set("FontFile2", Object::Ref(file));
        update.set(descriptor, Object::Dict(fd));

        // ISO 32000-1 §9.7.4, Table 117; §9.7.4.3 /W.
        let mut w = Vec::new();
        for (new, (old, _)) in &self.used {
            w.push(Object::Int(*new as i64));
            w.push(Object::Array(vec![num(font.advance(*old))]));
        }
        let mut cidfont = Dict::new();
        cidfont.set("Type", Object::name("Font"));
        cidfont.set("Subtype", Object::name("CIDFontType2"));
        cidfont.set("BaseFont", Object::name(&base));
        let mut csi = Dict::new();
        csi.set("Registry", Object::literal("Adobe"));
        csi.set("Ordering", Object::literal("Identity"));
        csi.set("Supplement", Object::Int(0));
        cidfont.set("CIDSystemInfo", Object::Dict(csi));
        cidfont.set("FontDescriptor", Object::Ref(descriptor));
        cidfont.set("DW", Object::Int(0));
        cidfont.set("W", Object::Array(w));
        cidfont.set("CIDToGIDMap", Object::name("Identity"));
        update.set(cid, Object::Dict(cidfont));

        update.set_stream(to_unicode, Dict::new(), to_unicode_cmap(&self.used));

        let mut t0 = Dict::new();
        t0.set("Type", Object::name("Font"));
        t0.set("Subtype", Object::name("Type0"));
        t0.set("BaseFont", Object::name(&base));
        t0.set("Encoding", Object::name("Identity-H"));
        t0.set("DescendantFonts", Object::Array(vec![Object::Ref(cid)]));
        t0.set("ToUnicode", Object::Ref(to_unicode));
        update.set(type0, Object::Dict(t0));
        Ok(type0)
    }
}

fn num(v: f64) -> Object {
    if v.fract() == 0.0 {
        Object::Int(v as i64)
    } else {
        Object::Real((v * 1000.0).round() / 1000.0)
    }
}

/// Six capital letters derived from the glyph set (stable for the same text).
fn subset_tag(used: &BTreeMap<u16, (u16, char)>) -> String {
    let mut h: u32 = 2166136261;
    for (old, c) in used.values() {
        for b in (*old as u32 ^ ((*c as u32) << 16)).to_le_bytes() {
            h = (h ^ b as u32).wrapping_mul(16777619);
        }
    }
    (0..6)
        .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
        .collect()
}

/// The /ToUnicode CMap (ISO 32000-1 §9.10.3; Adobe TN 5411) for 2-byte CIDs.
fn to_unicode_cmap(used: &BTreeMap<u16, (u16, char)>) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (new, (_, c)) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(s, "<{new:04X}> <{hex}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

/// A hexadecimal string operand for `Tj`.
pub fn hex_string(bytes: Vec<u8>) -> Object {
    Object::String(PdfString { bytes, hex: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_covers_vietnamese() {
        let font = Font::default_serif().unwrap();
        for c in "ĐđƯưƠơẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ".chars() {
            assert!(font.glyph(c).is_some(), "no glyph for {c}");
        }
        assert!(font.ascent > 800.0 && font.descent < -150.0);
        // Times-compatible metrics: 'a' is 444/1000 em wide in Times New Roman.
        let a = font.advance(font.glyph('a').unwrap());
        assert!((a - 444.0).abs() < 1.0, "{a}");
    }

    #[test]
    fn encode_registers_glyphs_and_cmap_maps_back() {
        let font = Arc::new(Font::default_serif().unwrap());
        let mut u = FontUse::new(font);
        let codes = u.encode("Đà Nẵng").unwrap();
        assert_eq!(codes.len(), 14);
        // Same letter twice → same CID.
        let again = u.encode("à").unwrap();
        assert_eq!(&again[..], &codes[2..4]);
        let cmap = String::from_utf8(to_unicode_cmap(&u.used)).unwrap();
        assert!(cmap.contains("<1EB5>"), "ẵ must map to U+1EB5:\n{cmap}");
        assert!(cmap.contains("<0110>"), "Đ must map to U+0110");
    }

    #[test]
    fn missing_glyph_is_an_error() {
        let font = Arc::new(Font::default_serif().unwrap());
        let mut u = FontUse::new(font);
        let e = u.encode("日本").unwrap_err().to_string();
        assert!(e.contains("U+65E5"), "{e}");
    }

    #[test]
    fn not_a_font_is_refused() {
        let e = Font::from_bytes(b"hello".to_vec(), "x.ttf").unwrap_err();
        assert!(e.to_string().contains("x.ttf"));
    }
}
