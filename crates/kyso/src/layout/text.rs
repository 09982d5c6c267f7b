//! Page text with positions, enough to find an anchor such as the signer's name: the text
//! operators of the page's content streams (ISO 32000-1 §9.4), fonts decoded through /ToUnicode
//! (§9.10.3) or, for simple fonts, their standard or WinAnsi encoding (Annex D). Covers what
//! LibreOffice and Microsoft Word write; form XObjects are followed one level deep.

use std::collections::HashMap;
use std::rc::Rc;

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::pdf::{Dict, Document, ObjRef, Object};

/// Operators processed per page, a bound against hostile content.
const MAX_OPERATORS: usize = 2_000_000;
/// Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 3;

/// One shown character (or ligature), in points: in the page as displayed ([`page_lines`]) or
/// in the content stream's own space ([`stream_lines`]).
#[derive(Clone, Debug)]
pub struct Glyph {
    /// The Unicode text it stands for (through /ToUnicode or the font's encoding).
    pub text: String,
    /// Its origin on the baseline (the left edge of its advance).
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// Its advance width from the font's widths (character and word spacing not included).
    pub width: f64,
    /// Effective font size (text space height in user space).
    pub size: f64,
}

/// A line of text: glyphs sharing a baseline, left to right.
#[derive(Clone, Debug)]
pub struct Line {
    /// Its glyphs, left to right.
    pub glyphs: Vec<Glyph>,
    /// Baseline.
    pub y: f64,
    /// Font size of the line (its glyphs' largest).
    pub size: f64,
}

impl Line {
    /// Left edge of the first glyph (0 for an empty line).
    pub fn x0(&self) -> f64 {
        self.glyphs.first().map_or(0.0, |g| g.x)
    }
    /// Right edge of the rightmost glyph's advance.
    pub fn x1(&self) -> f64 {
        self.glyphs
            .iter()
            .map(|g| g.x + g.width)
            .fold(f64::MIN, f64::max)
    }
    /// The line's text, spaces inserted where glyphs leave a gap.
    pub fn text(&self) -> String {
        self.spans().into_iter().map(|(s, _)| s).collect()
    }
    /// (text piece, index of the glyph it came from) with synthesized spaces.
    fn spans(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut prev_end: Option<f64> = None;
        for (i, g) in self.glyphs.iter().enumerate() {
            if let Some(end) = prev_end {
                if g.x - end > 0.15 * g.size && !g.text.starts_with(' ') {
                    out.push((" ".to_string(), i));
                }
            }
            out.push((g.text.clone(), i));
            prev_end = Some(g.x + g.width);
        }
        out
    }
}

/// Where a piece of text was found on a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Left edge of its first glyph, in the lines' space (points).
    pub x0: f64,
    /// Right edge of its last glyph.
    pub x1: f64,
    /// Baseline.
    pub y: f64,
    /// The larger font size of its first and last glyphs.
    pub size: f64,
    /// Index of the line in [`page_lines`]' result.
    pub line: usize,
}

/// Normalises text for matching: NFC, whitespace collapsed, case folded.
pub fn normalize(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Finds `needle` in `lines`; the last occurrence wins (a signer's name is at the end).
pub fn find(lines: &[Line], needle: &str) -> Option<Found> {
    let mut best = None;
    for (li, line) in lines.iter().enumerate() {
        if let Some(m) = find_in_line(line, needle).last() {
            let (g0, g1) = (&line.glyphs[m.0], &line.glyphs[m.1]);
            best = Some(Found {
                x0: g0.x,
                x1: g1.x + g1.width,
                y: line.y,
                size: g0.size.max(g1.size),
                line: li,
            });
        }
    }
    best
}

/// Every occurrence of `needle` in `line`, as (first glyph, last glyph) indices, left to right.
pub fn find_in_line(line: &Line, needle: &str) -> Vec<(usize, usize)> {
    let want: Vec<char> = normalize(needle).chars().collect();
    if want.is_empty() {
        return Vec::new();
    }
    // The normalised line text with, per char, the glyph it came from.
    let mut chars: Vec<(char, usize)> = Vec::new();
    for (piece, gi) in line.spans() {
        for c in piece.nfc() {
            for lc in c.to_lowercase() {
                let c = if lc.is_whitespace() { ' ' } else { lc };
                if c == ' ' && chars.last().is_none_or(|(p, _)| *p == ' ') {
                    continue;
                }
                chars.push((c, gi));
            }
        }
    }
    let hay: Vec<char> = chars.iter().map(|(c, _)| *c).collect();
    let mut out = Vec::new();
    if want.len() > hay.len() {
        return out;
    }
    for start in 0..=hay.len() - want.len() {
        if hay[start..start + want.len()] == want[..] {
            out.push((chars[start].1, chars[start + want.len() - 1].1));
        }
    }
    out
}

/// The text lines of a page, top to bottom.
pub fn page_lines(doc: &Document, rev: usize, page: ObjRef) -> Result<Vec<Line>> {
    let page_dict = doc
        .resolve_dict_at(rev, &Object::Ref(page))?
        .ok_or_else(|| Error::MalformedPdf("page is not a dictionary".into()))?;
    let resources = inherited(doc, rev, page, "Resources")?
        .and_then(|r| match r {
            Object::Dict(d) => Some(d),
            _ => None,
        })
        .unwrap_or_default();
    let mut content = Vec::new();
    if let Some(c) = page_dict.get("Contents") {
        let parts = match doc.resolve_at(rev, c)? {
            Object::Array(a) => a,
            other => vec![other],
        };
        for part in parts.iter().take(10_000) {
            if let Object::Stream(s) = doc.resolve_at(rev, part)? {
                content.extend_from_slice(&doc.stream_decoded(&s)?);
                content.push(b'\n');
            }
        }
    }
    let mut ex = Extractor {
        doc,
        rev,
        fonts: HashMap::new(),
        glyphs: Vec::new(),
        ops: 0,
    };
    // Positions as the reader sees the page: turned by /Rotate (ISO 32000-1 §7.7.3.3).
    ex.run(
        &content,
        &resources,
        rotation_matrix(rotation(doc, rev, page)?),
        0,
    )?;
    Ok(group_lines(ex.glyphs))
}

/// The text lines of a content stream drawn with `resources` (e.g. a widget's appearance form),
/// in the stream's own space, top to bottom.
pub fn stream_lines(
    doc: &Document,
    rev: usize,
    content: &[u8],
    resources: &Dict,
) -> Result<Vec<Line>> {
    let mut ex = Extractor {
        doc,
        rev,
        fonts: HashMap::new(),
        glyphs: Vec::new(),
        ops: 0,
    };
    ex.run(content, resources, IDENTITY, 0)?;
    Ok(group_lines(ex.glyphs))
}

/// The page's /Rotate (inherited), normalised to 0, 90, 180 or 270 (ISO 32000-1 §7.7.3.3).
pub fn rotation(doc: &Document, rev: usize, page: ObjRef) -> Result<i64> {
    let r = inherited(doc, rev, page, "Rotate")?
        .and_then(|r| r.as_int())
        .unwrap_or(0);
    if r % 90 != 0 {
        return Err(Error::MalformedPdf(format!(
            "the page's /Rotate {r} is not a multiple of 90"
        )));
    }
    Ok(r.rem_euclid(360))
}

/// The matrix taking default user space to the space of the page as displayed (turned
/// clockwise by `rotate` degrees): x to the reader's right, y up.
pub fn rotation_matrix(rotate: i64) -> [f64; 6] {
    match rotate {
        90 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
        270 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
        _ => IDENTITY,
    }
}

/// A rectangle (llx, lly, urx, ury) through `m`'s rotation: the bounding box of its corners.
pub fn transform_rect(m: &[f64; 6], r: &[f64; 4]) -> [f64; 4] {
    let pts = [
        apply(m, r[0], r[1]),
        apply(m, r[2], r[1]),
        apply(m, r[0], r[3]),
        apply(m, r[2], r[3]),
    ];
    let xs = pts.iter().map(|p| p.0);
    let ys = pts.iter().map(|p| p.1);
    [
        xs.clone().fold(f64::MAX, f64::min),
        ys.clone().fold(f64::MAX, f64::min),
        xs.fold(f64::MIN, f64::max),
        ys.fold(f64::MIN, f64::max),
    ]
}

/// The inverse of [`rotation_matrix`].
pub fn inverse_rotation_matrix(rotate: i64) -> [f64; 6] {
    rotation_matrix((360 - rotate).rem_euclid(360))
}

/// A page attribute, inherited through /Parent (ISO 32000-1 §7.7.3.4), resolved.
pub fn inherited(doc: &Document, rev: usize, page: ObjRef, key: &str) -> Result<Option<Object>> {
    let mut node = Object::Ref(page);
    for _ in 0..64 {
        let Some(d) = doc.resolve_dict_at(rev, &node)? else {
            return Ok(None);
        };
        if let Some(v) = d.get(key) {
            return Ok(Some(doc.resolve_at(rev, v)?));
        }
        match d.get("Parent") {
            Some(p) => node = p.clone(),
            None => return Ok(None),
        }
    }
    Ok(None)
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// a × b (PDF row-vector convention, ISO 32000-1 §8.3.4).
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

/// How to turn a font's codes into text and widths.
#[derive(Clone, Debug, Default)]
struct FontInfo {
    /// Bytes per code (1 for simple fonts, usually 2 for Type0).
    code_len: usize,
    to_unicode: HashMap<u32, String>,
    /// Simple fonts without /ToUnicode: code → char.
    encoding: Option<[char; 256]>,
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl FontInfo {
    fn text(&self, code: u32) -> String {
        if let Some(t) = self.to_unicode.get(&code) {
            return t.clone();
        }
        if let Some(enc) = &self.encoding {
            if code < 256 {
                let c = enc[code as usize];
                if c != '\0' {
                    return c.to_string();
                }
            }
        }
        if self.code_len == 1 {
            char::from_u32(code)
                .map(|c| c.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        }
    }
}

#[derive(Clone)]
struct TextState {
    font: Option<Rc<FontInfo>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

struct Extractor<'a> {
    doc: &'a Document,
    rev: usize,
    fonts: HashMap<ObjRef, Rc<FontInfo>>,
    glyphs: Vec<Glyph>,
    ops: usize,
}

impl Extractor<'_> {
    fn run(&mut self, content: &[u8], resources: &Dict, ctm0: Matrix, depth: usize) -> Result<()> {
        let mut ctm = ctm0;
        let mut stack: Vec<(Matrix, TextState)> = Vec::new();
        let mut ts = TextState {
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let font_dicts = self
            .doc
            .resolve_dict_at(self.rev, resources.get("Font").unwrap_or(&Object::Null))?
            .unwrap_or_default();
        let mut ops = super::content::Operations::new(content);
        let mut seen = 0;
        while let Some((op, operands)) = ops.next_op() {
            // Every keyword counts, `true`/`false`/`null` among them.
            self.ops += ops.count - seen;
            seen = ops.count;
            if self.ops > MAX_OPERATORS {
                break;
            }
            let nums: Vec<f64> = operands.iter().filter_map(Object::as_f64).collect();
            match op {
                b"q" if stack.len() < 64 => stack.push((ctm, ts.clone())),
                b"Q" => {
                    if let Some((c, t)) = stack.pop() {
                        ctm = c;
                        ts = t;
                    }
                }
                b"cm" if nums.len() == 6 => {
                    let m = [nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]];
                    ctm = mul(&m, &ctm);
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tc" if nums.len() == 1 => ts.char_spacing = nums[0],
                b"Tw" if nums.len() == 1 => ts.word_spacing = nums[0],
                b"Tz" if nums.len() == 1 => ts.scale = nums[0] / 100.0,
                b"TL" if nums.len() == 1 => ts.leading = nums[0],
                b"Ts" if nums.len() == 1 => ts.rise = nums[0],
                b"Tf" if operands.len() == 2 => {
                    if let (Some(name), Some(size)) = (operands[0].as_name(), operands[1].as_f64())
                    {
                        ts.size = size;
                        let key = String::from_utf8_lossy(name).into_owned();
                        ts.font = match font_dicts.get(&key) {
                            Some(Object::Ref(r)) => match self.fonts.get(r) {
                                Some(f) => Some(f.clone()),
                                None => {
                                    let f = Rc::new(
                                        self.font_info(&Object::Ref(*r)).unwrap_or_default(),
                                    );
                                    self.fonts.insert(*r, f.clone());
                                    Some(f)
                                }
                            },
                            Some(e) => Some(Rc::new(self.font_info(e).unwrap_or_default())),
                            None => None,
                        };
                    }
                }
                b"Td" | b"TD" if nums.len() == 2 => {
                    if op == b"TD" {
                        ts.leading = -nums[1];
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, nums[0], nums[1]], &tlm);
                    tm = tlm;
                }
                b"Tm" if nums.len() == 6 => {
                    tlm = [nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]];
                    tm = tlm;
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" | b"'" | b"\"" | b"TJ" => {
                    if op == b"'" || op == b"\"" {
                        if op == b"\"" && nums.len() >= 2 {
                            ts.word_spacing = nums[0];
                            ts.char_spacing = nums[1];
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], &tlm);
                        tm = tlm;
                    }
                    let items: Vec<Object> = match (op, operands.last()) {
                        (b"TJ", Some(Object::Array(a))) => a.clone(),
                        (_, Some(s @ Object::String(_))) => vec![s.clone()],
                        _ => Vec::new(),
                    };
                    if let Some(font) = ts.font.clone() {
                        self.show(&items, &font, &ts, &mut tm, &ctm);
                    }
                }
                b"Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(name) = operands.last().and_then(Object::as_name) {
                        self.form(name, resources, &ctm, depth)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn form(&mut self, name: &[u8], resources: &Dict, ctm: &Matrix, depth: usize) -> Result<()> {
        let xobjects = self
            .doc
            .resolve_dict_at(self.rev, resources.get("XObject").unwrap_or(&Object::Null))?
            .unwrap_or_default();
        let Some(entry) = xobjects.get(&String::from_utf8_lossy(name)) else {
            return Ok(());
        };
        let Object::Stream(s) = self.doc.resolve_at(self.rev, entry)? else {
            return Ok(());
        };
        if !s.dict.has_name("Subtype", "Form") {
            return Ok(());
        }
        let data = self.doc.stream_decoded(&s)?;
        let m: Vec<f64> = s
            .dict
            .get("Matrix")
            .and_then(Object::as_array)
            .map(|a| a.iter().filter_map(Object::as_f64).collect())
            .unwrap_or_default();
        let fm = if m.len() == 6 {
            [m[0], m[1], m[2], m[3], m[4], m[5]]
        } else {
            IDENTITY
        };
        let res = match s.dict.get("Resources") {
            Some(r) => self.doc.resolve_dict_at(self.rev, r)?.unwrap_or_default(),
            None => resources.clone(),
        };
        self.run(&data, &res, mul(&fm, ctm), depth + 1)
    }

    fn show(
        &mut self,
        items: &[Object],
        font: &FontInfo,
        ts: &TextState,
        tm: &mut Matrix,
        ctm: &Matrix,
    ) {
        let code_len = font.code_len.max(1);
        for item in items {
            match item {
                Object::String(s) => {
                    for chunk in s.bytes.chunks(code_len) {
                        let code = chunk.iter().fold(0u32, |a, b| (a << 8) | *b as u32);
                        let w0 = font
                            .widths
                            .get(&code)
                            .copied()
                            .unwrap_or(font.default_width)
                            / 1000.0;
                        let space = code_len == 1 && code == 32;
                        let tx = (w0 * ts.size
                            + ts.char_spacing
                            + if space { ts.word_spacing } else { 0.0 })
                            * ts.scale;
                        let trm = mul(
                            &[ts.size * ts.scale, 0.0, 0.0, ts.size, 0.0, ts.rise],
                            &mul(tm, ctm),
                        );
                        let (x, y) = apply(&trm, 0.0, 0.0);
                        let full = mul(tm, ctm);
                        let (x2, _) = apply(&full, w0 * ts.size * ts.scale, 0.0);
                        let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
                        let text = font.text(code);
                        if !text.is_empty() && text.chars().any(|c| !c.is_control()) {
                            self.glyphs.push(Glyph {
                                text,
                                x,
                                y,
                                width: (x2 - x).abs(),
                                size,
                            });
                        }
                        *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
                    }
                }
                other => {
                    if let Some(n) = other.as_f64() {
                        let tx = -n / 1000.0 * ts.size * ts.scale;
                        *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
                    }
                }
            }
        }
    }

    fn font_info(&self, entry: &Object) -> Result<FontInfo> {
        let doc = self.doc;
        let rev = self.rev;
        let Some(f) = doc.resolve_dict_at(rev, entry)? else {
            return Ok(FontInfo::default());
        };
        let mut info = FontInfo {
            code_len: 1,
            default_width: 0.0,
            ..FontInfo::default()
        };
        if f.has_name("Subtype", "Type0") {
            info.code_len = 2;
            info.default_width = 1000.0;
            let desc = f
                .get("DescendantFonts")
                .map(|d| doc.resolve_at(rev, d))
                .transpose()?
                .and_then(|a| a.as_array().and_then(|a| a.first().cloned()));
            if let Some(d) = desc {
                if let Some(cf) = doc.resolve_dict_at(rev, &d)? {
                    if let Some(dw) = cf.get("DW").and_then(Object::as_f64) {
                        info.default_width = dw;
                    }
                    if let Some(w) = cf.get("W") {
                        parse_w(&doc.resolve_at(rev, w)?, &mut info.widths);
                    }
                }
            }
        } else {
            let first = f.get("FirstChar").and_then(Object::as_int).unwrap_or(0);
            if let Some(w) = f.get("Widths") {
                if let Some(a) = doc.resolve_at(rev, w)?.as_array() {
                    for (i, v) in a.iter().enumerate().take(256) {
                        let v = doc.resolve_at(rev, v)?.as_f64().unwrap_or(0.0);
                        info.widths.insert(first.saturating_add(i as i64) as u32, v);
                    }
                }
            } else if let Some(base) = f.name("BaseFont") {
                // A standard 14 font without widths: an average width keeps words apart.
                let _ = base;
                info.default_width = 500.0;
            }
            info.encoding = Some(simple_encoding(doc, rev, &f)?);
        }
        if let Some(tu) = f.get("ToUnicode") {
            if let Object::Stream(s) = doc.resolve_at(rev, tu)? {
                let data = doc.stream_decoded(&s)?;
                let (map, len) = parse_cmap(&data);
                if let Some(l) = len {
                    if f.has_name("Subtype", "Type0") {
                        info.code_len = l;
                    }
                }
                info.to_unicode = map;
            }
        }
        Ok(info)
    }
}

/// /W array of a CIDFont (ISO 32000-1 §9.7.4.3).
fn parse_w(w: &Object, out: &mut HashMap<u32, f64>) {
    let Some(a) = w.as_array() else { return };
    let mut i = 0;
    while i < a.len() && out.len() < 100_000 {
        let Some(first) = a[i].as_int() else { return };
        match a.get(i + 1) {
            Some(Object::Array(ws)) => {
                for (k, v) in ws.iter().enumerate().take(65_536) {
                    out.insert(
                        (first as u32).wrapping_add(k as u32),
                        v.as_f64().unwrap_or(0.0),
                    );
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (last.as_int(), a.get(i + 2).and_then(Object::as_f64))
                else {
                    return;
                };
                for c in first..=last.min(first.saturating_add(65_535)) {
                    out.insert(c as u32, v);
                }
                i += 3;
            }
            None => return,
        }
    }
}

/// A simple font's code → char table: base encoding (WinAnsi, Standard, MacRoman taken as
/// WinAnsi) plus /Differences with uniXXXX and common glyph names (ISO 32000-1 §9.6.6).
fn simple_encoding(doc: &Document, rev: usize, f: &Dict) -> Result<[char; 256]> {
    let mut table = win_ansi();
    let enc = match f.get("Encoding") {
        Some(e) => doc.resolve_at(rev, e)?,
        None => Object::Null,
    };
    if let Object::Dict(d) = &enc {
        if let Some(Object::Array(diffs)) = d
            .get("Differences")
            .map(|x| doc.resolve_at(rev, x))
            .transpose()?
        {
            let mut code = 0usize;
            for item in diffs.iter().take(512) {
                match item {
                    Object::Int(n) => code = (*n).clamp(0, 255) as usize,
                    Object::Name(n) => {
                        if code < 256 {
                            if let Some(c) = glyph_name_char(n) {
                                table[code] = c;
                            }
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(table)
}

fn glyph_name_char(name: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(name).ok()?;
    if let Some(hex) = s.strip_prefix("uni").or_else(|| s.strip_prefix('u')) {
        if hex.len() >= 4 {
            if let Ok(v) = u32::from_str_radix(&hex[..4], 16) {
                return char::from_u32(v);
            }
        }
    }
    if s.len() == 1 {
        return s.chars().next();
    }
    Some(match s {
        "space" => ' ',
        "period" => '.',
        "comma" => ',',
        "colon" => ':',
        "semicolon" => ';',
        "hyphen" => '-',
        "slash" => '/',
        "parenleft" => '(',
        "parenright" => ')',
        "zero" => '0',
        "one" => '1',
        "two" => '2',
        "three" => '3',
        "four" => '4',
        "five" => '5',
        "six" => '6',
        "seven" => '7',
        "eight" => '8',
        "nine" => '9',
        _ => return None,
    })
}

/// WinAnsiEncoding (ISO 32000-1 Annex D): Latin-1 plus the Windows-1252 0x80–0x9F block.
fn win_ansi() -> [char; 256] {
    let mut t = ['\0'; 256];
    for (i, slot) in t.iter_mut().enumerate() {
        *slot = char::from_u32(i as u32).unwrap_or('\0');
    }
    let high = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ";
    for (i, c) in high.chars().enumerate() {
        t[0x80 + i] = c;
    }
    t
}

/// Parses a ToUnicode CMap: bfchar and bfrange (ISO 32000-1 §9.10.3). Returns the map and the
/// code length from the first codespace range.
fn parse_cmap(data: &[u8]) -> (HashMap<u32, String>, Option<usize>) {
    let mut map = HashMap::new();
    let mut code_len = None;
    // Tokens: hex strings, arrays of hex strings, and keywords.
    #[derive(Debug)]
    enum Tok {
        Hex(Vec<u8>),
        Arr(Vec<Vec<u8>>),
        Kw(String),
    }
    let mut toks = Vec::new();
    let mut i = 0;
    let mut arr: Option<Vec<Vec<u8>>> = None;
    while i < data.len() && toks.len() < 1_000_000 {
        let b = data[i];
        if b == b'<' && data.get(i + 1) != Some(&b'<') {
            let end = data[i..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(data.len(), |e| i + e);
            let hex: Vec<u8> = data[i + 1..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_hexdigit)
                .collect();
            let bytes: Vec<u8> = hex
                .chunks(2)
                .map(|c| {
                    let s = std::str::from_utf8(c).unwrap_or("0");
                    let v = u8::from_str_radix(s, 16).unwrap_or(0);
                    if c.len() == 1 {
                        v << 4
                    } else {
                        v
                    }
                })
                .collect();
            match arr.as_mut() {
                Some(a) => a.push(bytes),
                None => toks.push(Tok::Hex(bytes)),
            }
            i = end + 1;
        } else if b == b'[' {
            arr = Some(Vec::new());
            i += 1;
        } else if b == b']' {
            if let Some(a) = arr.take() {
                toks.push(Tok::Arr(a));
            }
            i += 1;
        } else if b.is_ascii_alphabetic() {
            let start = i;
            while i < data.len() && data[i].is_ascii_alphanumeric() {
                i += 1;
            }
            toks.push(Tok::Kw(
                String::from_utf8_lossy(&data[start..i]).into_owned(),
            ));
        } else {
            i += 1;
        }
    }
    let utf16 = |b: &[u8]| -> String {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| ((c[0] as u16) << 8) | *c.get(1).unwrap_or(&0) as u16)
            .collect();
        String::from_utf16_lossy(&units)
    };
    let code = |b: &[u8]| b.iter().take(4).fold(0u32, |a, x| (a << 8) | *x as u32);
    let mut mode = "";
    let mut pending: Vec<&Tok> = Vec::new();
    for t in &toks {
        match t {
            Tok::Kw(k) => {
                match k.as_str() {
                    "begincodespacerange" | "beginbfchar" | "beginbfrange" => {
                        mode = if k == "begincodespacerange" {
                            "cs"
                        } else if k == "beginbfchar" {
                            "char"
                        } else {
                            "range"
                        }
                    }
                    _ => mode = "",
                }
                pending.clear();
            }
            _ => {
                pending.push(t);
                match (mode, pending.as_slice()) {
                    ("cs", [Tok::Hex(lo), Tok::Hex(_)]) => {
                        code_len.get_or_insert(lo.len().max(1));
                        pending.clear();
                    }
                    ("char", [Tok::Hex(src), Tok::Hex(dst)]) => {
                        map.insert(code(src), utf16(dst));
                        pending.clear();
                    }
                    ("range", [Tok::Hex(lo), Tok::Hex(hi), dst]) => {
                        let (lo, hi) = (code(lo), code(hi));
                        for (k, c) in (lo..=hi.min(lo.saturating_add(65_535))).enumerate() {
                            let s = match dst {
                                Tok::Hex(d) => {
                                    let mut d = d.clone();
                                    if let Some(last) = d.last_mut() {
                                        *last = last.wrapping_add(k as u8);
                                    }
                                    utf16(&d)
                                }
                                Tok::Arr(a) => a.get(k).map(|x| utf16(x)).unwrap_or_default(),
                                Tok::Kw(_) => String::new(),
                            };
                            map.insert(c, s);
                        }
                        pending.clear();
                    }
                    _ if pending.len() >= 3 => pending.clear(),
                    _ => {}
                }
            }
        }
    }
    (map, code_len)
}

/// Groups glyphs into lines by baseline (within a third of the font size), sorted top to
/// bottom, and each line left to right.
fn group_lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        let tol = g.size.max(1.0) / 3.0;
        match lines.iter_mut().find(|l| (l.y - g.y).abs() < tol) {
            Some(l) => {
                l.size = l.size.max(g.size);
                l.glyphs.push(g);
            }
            None => lines.push(Line {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
            }),
        }
    }
    for l in &mut lines {
        l.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    lines.sort_by(|a, b| b.y.total_cmp(&a.y));
    lines
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn cmap_bfchar_and_bfrange() {
        let cmap = b"1 begincodespacerange <00> <FF> endcodespacerange\n\
            2 beginbfchar <01> <1EA0> <02> <00440111> endbfchar\n\
            1 beginbfrange <10> <12> <0041> endbfrange\n\
            1 beginbfrange <20> <21> [<0110> <0111>] endbfrange";
        let (m, len) = parse_cmap(cmap);
        assert_eq!(len, Some(1));
        assert_eq!(m[&1], "Ạ");
        assert_eq!(m[&2], "Dđ");
        assert_eq!(m[&0x12], "C");
        assert_eq!(m[&0x21], "đ");
    }

    #[test]
    fn find_joins_glyphs_and_normalises() {
        let g = |t: &str, x: f64| Glyph {
            text: t.into(),
            x,
            y: 100.0,
            width: 6.0,
            size: 12.0,
        };
        // "An" decomposed (A + combining ...) is not needed; NFC vs NFD of "ễ".
        let line = Line {
            glyphs: vec![
                g("Nguy", 10.0),
                g("e\u{0302}\u{0303}", 16.0),
                g("n", 22.0),
                g("V", 40.0),
            ],
            y: 100.0,
            size: 12.0,
        };
        let f = find(&[line], "nguyễn v").unwrap();
        assert_eq!(f.x0, 10.0);
        assert_eq!(f.x1, 46.0);
        assert!(find(&[], "x").is_none());
    }

    /// A one-page PDF whose content is `content`, with /F1 a Type0 font (2-byte codes,
    /// /ToUnicode 0001→"Đ", 0002→"à", 0003→" ") and /F2 a WinAnsi simple font.
    /// A one-page document (600 × 800 pt) drawing `content`, with a Type0 and a TrueType font.
    pub(crate) fn pdf(content: &[u8]) -> Document {
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n3 beginbfchar <0001> <0110> <0002> <00E0> <0003> <0020> endbfchar";
        let objs: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> >>".to_vec(),
            [format!("<< /Length {} >>\nstream\n", content.len()).as_bytes(), content, b"\nendstream"].concat(),
            b"<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".to_vec(),
            b"<< /Type /Font /Subtype /CIDFontType2 /DW 500 /W [1 [700 450] 3 3 250] >>".to_vec(),
            [format!("<< /Length {} >>\nstream\n", cmap.len()).as_bytes(), &cmap[..], b"\nendstream"].concat(),
            b"<< /Type /Font /Subtype /TrueType /FirstChar 32 /Widths [250] /Encoding /WinAnsiEncoding >>".to_vec(),
        ];
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(o);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        Document::open(std::sync::Arc::new(crate::pdf::MemorySource::new(out))).unwrap()
    }

    fn lines_of(content: &[u8]) -> Vec<Line> {
        let doc = pdf(content);
        let page = doc.pages_at(doc.last_revision()).unwrap()[0];
        page_lines(&doc, doc.last_revision(), page).unwrap()
    }

    #[test]
    fn type0_text_with_positions() {
        let lines = lines_of(b"BT /F1 10 Tf 100 700 Td <000100020003> Tj ET BT /F2 12 Tf 1 0 0 1 50 600 Tm (Nguy\xe9n) Tj ET");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "Đà ");
        assert_eq!(lines[0].glyphs[0].x, 100.0);
        // Widths from /W: Đ is 700/1000 em at 10 pt.
        assert!((lines[0].glyphs[1].x - 107.0).abs() < 1e-9);
        assert_eq!(lines[1].text(), "Nguyén");
        assert_eq!(lines[1].y, 600.0);
        let f = find(&lines, "đà").unwrap();
        assert_eq!((f.x0, f.y), (100.0, 700.0));
    }

    #[test]
    fn cm_and_tj_adjustments_move_glyphs() {
        let lines =
            lines_of(b"q 2 0 0 2 10 10 cm BT /F1 10 Tf 0 0 Td [<0001> -1000 <0002>] TJ ET Q");
        let g = &lines[0].glyphs;
        assert_eq!((g[0].x, g[0].y, g[0].size), (10.0, 10.0, 20.0));
        // 700 + 1000 thousandths of 10 pt, doubled by the CTM.
        assert!((g[1].x - (10.0 + 2.0 * 17.0)).abs() < 1e-9, "{}", g[1].x);
    }

    #[test]
    fn garbage_content_does_not_panic() {
        let mut seed = 0x2545F491u32;
        for _ in 0..200 {
            let mut content = Vec::new();
            for _ in 0..200 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let pieces: [&[u8]; 16] = [
                    b"BT ",
                    b"ET ",
                    b"/F1 ",
                    b"12 ",
                    b"Tf ",
                    b"<0001> ",
                    b"Tj ",
                    b"[",
                    b"] ",
                    b"TJ ",
                    b"q ",
                    b"Q ",
                    b"1 0 0 1 5 5 cm ",
                    b"(x",
                    b"BI ",
                    b"-3.5e9 ",
                ];
                content.extend_from_slice(pieces[(seed % 16) as usize]);
            }
            let _ = lines_of(&content);
        }
    }

    #[test]
    fn rotations_round_trip() {
        let r = [10.0, 20.0, 110.0, 70.0];
        for rot in [0, 90, 180, 270] {
            let v = transform_rect(&rotation_matrix(rot), &r);
            assert_eq!(
                transform_rect(&inverse_rotation_matrix(rot), &v),
                r,
                "{rot}"
            );
        }
        // Turned a quarter clockwise: user x runs down the displayed page.
        assert_eq!(
            transform_rect(&rotation_matrix(90), &r),
            [20.0, -110.0, 70.0, -10.0]
        );
    }

    #[test]
    fn win_ansi_high_block() {
        let t = win_ansi();
        assert_eq!(t[0x80], '€');
        assert_eq!(t[0x93], '“');
        assert_eq!(t[0xE0], 'à');
    }
}
