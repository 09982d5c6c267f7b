//! Cross-reference data (ISO 32000-1 §7.5.4 tables, §7.5.8 streams, §7.5.8.4 hybrid files)
//! and the revisions they delimit (§7.5.6 incremental updates).

use std::collections::{BTreeMap, HashSet};

use super::filters::decode_stream;
use super::object::{Dict, Object};
use super::parser::{is_whitespace, parse_uint, ParseError, Parser};
use super::source::ByteSource;
use crate::error::{Error, Result};

/// At most this many cross-reference sections are followed through /Prev.
const MAX_SECTIONS: usize = 100_000;

/// One cross-reference entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefEntry {
    /// Type 0 / `f`: a free object.
    Free {
        /// Number of the next free object (the free list).
        next: u64,
        /// Generation the object will take if reused.
        gen: u16,
    },
    /// Type 1 / `n`: an object at a byte offset.
    InUse {
        /// Offset of `N G obj` from the start of the file.
        offset: u64,
        /// Generation number.
        gen: u16,
    },
    /// In object stream `stream` at position `index` (ISO 32000-1 §7.5.8.3, type 2).
    Compressed {
        /// Number of the object stream.
        stream: u32,
        /// Index of the object within that stream.
        index: u32,
    },
}

/// How a revision's cross-reference data is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum XrefKind {
    /// A classic `xref` table and `trailer` (ISO 32000-1 §7.5.4–7.5.5).
    Table,
    /// A cross-reference stream (ISO 32000-1 §7.5.8).
    Stream,
    /// A table whose trailer points at a cross-reference stream with /XRefStm.
    Hybrid,
}

/// One cross-reference section with its trailer.
#[derive(Clone, Debug)]
pub struct XrefSection {
    /// Where the section starts: the `xref` keyword or the xref stream object.
    pub offset: u64,
    /// Table, stream or hybrid.
    pub kind: XrefKind,
    /// The entries this section defines, by object number.
    pub entries: BTreeMap<u32, XrefEntry>,
    /// The trailer dictionary (or the xref stream's dictionary).
    pub trailer: Dict,
    /// Offset just past the section's data (after the trailer dictionary or `endstream`).
    pub data_end: u64,
}

impl XrefSection {
    /// /Prev: offset of the previous section, `None` when absent or not a non-negative integer.
    pub fn prev(&self) -> Option<u64> {
        self.trailer
            .get("Prev")
            .and_then(Object::as_int)
            .and_then(|p| u64::try_from(p).ok())
    }
}

/// Reads a window of the file starting at `offset`, growing it until `f` stops asking for more.
pub(crate) fn with_window<T>(
    src: &dyn ByteSource,
    offset: u64,
    initial: usize,
    f: impl FnMut(&[u8], bool) -> std::result::Result<T, ParseError>,
) -> Result<T> {
    with_window_until(src, offset, src.len(), initial, f)
}

/// As [`with_window`], but nothing at or after `limit` is read: the parser sees the file as if it
/// ended there (how one revision is read without the bytes of later ones, ISO 32000-1 §7.5.6).
pub(crate) fn with_window_until<T>(
    src: &dyn ByteSource,
    offset: u64,
    limit: u64,
    initial: usize,
    mut f: impl FnMut(&[u8], bool) -> std::result::Result<T, ParseError>,
) -> Result<T> {
    let limit = limit.min(src.len());
    if offset >= limit {
        return Err(Error::MalformedPdf(format!(
            "offset {offset} lies beyond the end of its revision ({limit})"
        )));
    }
    let mut size = initial.max(64);
    loop {
        let want = (size as u64).min(limit - offset) as usize;
        let buf = src.read_vec(offset, want)?;
        let at_end = offset + buf.len() as u64 >= limit;
        match f(&buf, at_end) {
            Ok(v) => return Ok(v),
            Err(ParseError::NeedMore) if !at_end && size < (1 << 28) => size *= 4,
            Err(ParseError::NeedMore) => {
                return Err(Error::MalformedPdf(format!(
                    "object at offset {offset} does not end"
                )))
            }
            Err(ParseError::Syntax(msg)) => {
                return Err(Error::MalformedPdf(format!("at offset {offset}: {msg}")))
            }
        }
    }
}

/// Finds the offset given by the last `startxref` in the file (ISO 32000-1 §7.5.5).
pub fn find_startxref(src: &dyn ByteSource) -> Result<u64> {
    let len = src.len();
    let tail_len = len.min(4096);
    let tail = src.read_vec(len - tail_len, tail_len as usize)?;
    let pos = rfind(&tail, b"startxref")
        .ok_or_else(|| Error::MalformedPdf("no 'startxref' near the end of the file".into()))?;
    let mut p = Parser::at(&tail, pos + 9, true);
    p.read_uint()
        .map_err(|_| Error::MalformedPdf("'startxref' is not followed by an offset".into()))
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads the cross-reference section at `offset`, table or stream.
pub fn read_section(src: &dyn ByteSource, offset: u64) -> Result<XrefSection> {
    if offset >= src.len() {
        return Err(Error::MalformedPdf(format!(
            "cross-reference offset {offset} lies beyond the end of the file"
        )));
    }
    let head = src.read_vec(offset, 16)?;
    let skip = head.iter().take_while(|&&b| is_whitespace(b)).count();
    if head[skip..].starts_with(b"xref") {
        let mut section = read_table(src, offset + skip as u64)?;
        // ISO 32000-1 §7.5.8.4: a hybrid file's trailer names an xref stream with /XRefStm.
        if let Some(stm) = section.trailer.get("XRefStm").and_then(Object::as_int) {
            let stm =
                u64::try_from(stm).map_err(|_| Error::MalformedPdf("negative /XRefStm".into()))?;
            if stm >= offset {
                return Err(Error::MalformedPdf(format!(
                    "the /XRefStm of the section at {offset} points forward"
                )));
            }
            let extra = read_stream_section(src, stm)?;
            for (num, entry) in extra.entries {
                match section.entries.get(&num) {
                    None | Some(XrefEntry::Free { .. }) => {
                        section.entries.insert(num, entry);
                    }
                    // The stream only completes the table; two different places for one
                    // object are ambiguous (readers that ignore the stream see the table's).
                    Some(own) if *own != entry && !matches!(entry, XrefEntry::Free { .. }) => {
                        return Err(Error::MalformedPdf(format!(
                            "object {num} is in both the table and the /XRefStm of the section at {offset}, at different places"
                        )));
                    }
                    Some(_) => {}
                }
            }
            section.kind = XrefKind::Hybrid;
        }
        Ok(section)
    } else {
        read_stream_section(src, offset)
    }
}

/// A classic cross-reference table and its trailer (ISO 32000-1 §7.5.4, §7.5.5).
fn read_table(src: &dyn ByteSource, offset: u64) -> Result<XrefSection> {
    let max_entries = src.len() / 18 + 1;
    with_window(src, offset, 64 * 1024, |buf, at_end| {
        let mut p = Parser::new(buf, at_end);
        p.expect_keyword(b"xref")?;
        let mut entries = BTreeMap::new();
        loop {
            p.skip_ws();
            let rest = &buf[p.pos()..];
            if rest.starts_with(b"trailer") {
                p.set_pos(p.pos() + 7);
                break;
            }
            if rest.len() < 7 && !at_end {
                return Err(ParseError::NeedMore);
            }
            let start = p.read_uint()?;
            let count = p.read_uint()?;
            if count > max_entries || start > u32::MAX as u64 {
                return Err(ParseError::Syntax("implausible xref subsection".into()));
            }
            for i in 0..count {
                let field1 = p.read_uint()?;
                let gen = p.read_uint()?;
                p.skip_ws();
                let kind = match buf.get(p.pos()) {
                    Some(b'n') => b'n',
                    Some(b'f') => b'f',
                    None => return Err(ParseError::NeedMore),
                    _ => return Err(ParseError::Syntax("bad xref entry type".into())),
                };
                p.set_pos(p.pos() + 1);
                let num = start + i;
                if num > u32::MAX as u64 {
                    return Err(ParseError::Syntax("object number too large".into()));
                }
                let gen = u16::try_from(gen).unwrap_or(u16::MAX);
                let entry = if kind == b'n' {
                    XrefEntry::InUse {
                        offset: field1,
                        gen,
                    }
                } else {
                    XrefEntry::Free { next: field1, gen }
                };
                // Two entries for one number in one section: readers disagree on which
                // counts, so the section is refused as ambiguous.
                if entries.insert(num as u32, entry).is_some() {
                    return Err(ParseError::Syntax(format!(
                        "object {num} has two entries in one cross-reference section"
                    )));
                }
            }
        }
        let trailer = match p.object(0)? {
            Object::Dict(d) => d,
            _ => return Err(ParseError::Syntax("trailer is not a dictionary".into())),
        };
        Ok(XrefSection {
            offset,
            kind: XrefKind::Table,
            entries,
            trailer,
            data_end: offset + p.pos() as u64,
        })
    })
}

/// A cross-reference stream (ISO 32000-1 §7.5.8).
fn read_stream_section(src: &dyn ByteSource, offset: u64) -> Result<XrefSection> {
    let (obj, data_start) = with_window(src, offset, 4096, |buf, at_end| {
        let mut p = Parser::new(buf, at_end);
        let obj = p.indirect_object()?;
        Ok((obj.object, obj.stream_data_start))
    })?;
    let (Object::Dict(dict), Some(data_start)) = (obj, data_start) else {
        return Err(Error::MalformedPdf(format!(
            "no cross-reference table or stream at offset {offset}"
        )));
    };
    if !dict.has_name("Type", "XRef") {
        return Err(Error::MalformedPdf(format!(
            "object at offset {offset} is not a cross-reference stream"
        )));
    }
    let len = dict
        .get("Length")
        .and_then(Object::as_int)
        .and_then(|l| u64::try_from(l).ok())
        .ok_or_else(|| Error::MalformedPdf("xref stream /Length is not a direct number".into()))?;
    let data_offset = offset + data_start as u64;
    if data_offset + len > src.len() {
        return Err(Error::MalformedPdf(
            "xref stream runs past the end of file".into(),
        ));
    }
    let raw = src.read_vec(data_offset, len as usize)?;
    let limit = (src.len() as usize).saturating_mul(16).max(1 << 20);
    let data = decode_stream(&dict, &raw, limit)?;

    let widths: Vec<usize> = dict
        .get("W")
        .and_then(Object::as_array)
        .map(|a| {
            a.iter()
                .map(|w| w.as_int().unwrap_or(-1).clamp(-1, 8) as usize)
                .collect()
        })
        .unwrap_or_default();
    if widths.len() != 3 || widths.iter().any(|&w| w > 8) {
        return Err(Error::MalformedPdf(
            "xref stream /W is not three widths".into(),
        ));
    }
    let size = dict
        .get("Size")
        .and_then(Object::as_int)
        .unwrap_or(0)
        .max(0) as u64;
    let index: Vec<u64> = match dict.get("Index").and_then(Object::as_array) {
        Some(a) => a
            .iter()
            .map(|v| v.as_int().unwrap_or(0).max(0) as u64)
            .collect(),
        None => vec![0, size],
    };
    let row = widths.iter().sum::<usize>();
    if row == 0 {
        return Err(Error::MalformedPdf("xref stream /W is all zero".into()));
    }
    let mut entries = BTreeMap::new();
    let mut rows = data.chunks_exact(row);
    for pair in index.chunks(2) {
        let [start, count] = pair else { break };
        for i in 0..*count {
            let Some(r) = rows.next() else { break };
            let num = start + i;
            if num > u32::MAX as u64 {
                break;
            }
            let field = |k: usize| -> u64 {
                let from: usize = widths[..k].iter().sum();
                r[from..from + widths[k]]
                    .iter()
                    .fold(0u64, |acc, &b| acc << 8 | b as u64)
            };
            // Type defaults to 1 when its width is 0 (ISO 32000-1 §7.5.8.2, Table 17).
            let typ = if widths[0] == 0 { 1 } else { field(0) };
            let entry = match typ {
                0 => XrefEntry::Free {
                    next: field(1),
                    gen: field(2).min(u16::MAX as u64) as u16,
                },
                1 => XrefEntry::InUse {
                    offset: field(1),
                    gen: field(2).min(u16::MAX as u64) as u16,
                },
                2 => XrefEntry::Compressed {
                    stream: field(1).min(u32::MAX as u64) as u32,
                    index: field(2).min(u32::MAX as u64) as u32,
                },
                // Unknown types are treated as null references (Table 18).
                _ => continue,
            };
            if entries.insert(num as u32, entry).is_some() {
                return Err(Error::MalformedPdf(format!(
                    "object {num} has two entries in one cross-reference stream"
                )));
            }
        }
    }
    Ok(XrefSection {
        offset,
        kind: XrefKind::Stream,
        entries,
        trailer: dict,
        data_end: data_offset + len,
    })
}

/// A repair made while reading the file structure: the document was read, but not as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repair {
    /// A cross-reference offset (`startxref` or /Prev) pointed at no section; the section
    /// found nearby at `used` was read instead.
    XrefOffsetWrong {
        /// The offset as written (bytes from the start of the file).
        offset: u64,
        /// Where the section actually read starts.
        used: u64,
    },
    /// Every offset of revision `revision` (1-based) was off by `delta` bytes; each object was
    /// found, alone, where the shift puts it.
    OffsetsShifted {
        /// The revision whose offsets were shifted (1-based).
        revision: usize,
        /// The shift in bytes (negative: objects lie earlier than written).
        delta: i64,
    },
}

impl Repair {
    /// A stable code for machines (the document-level `warning_codes` of a verification).
    pub fn code(&self) -> &'static str {
        match self {
            Repair::XrefOffsetWrong { .. } => "XREF_OFFSET_REPAIRED",
            Repair::OffsetsShifted { .. } => "XREF_OFFSETS_SHIFTED",
        }
    }
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::XrefOffsetWrong { offset, used } => write!(
                f,
                "cross-reference offset {offset} is wrong; used the section at {used}"
            ),
            Repair::OffsetsShifted { revision, delta } => write!(
                f,
                "the cross-reference offsets of revision {revision} are all off by {delta} bytes; \
                 each object was found, alone, where the shift puts it"
            ),
        }
    }
}

/// Follows startxref and /Prev, newest first. Loops and runaway chains are errors.
///
/// Two writer mistakes seen in real signed files are repaired, each with a warning: a
/// `startxref` that misses its `xref` keyword by a few bytes, and a broken /Prev (e.g. `/Prev 0`)
/// where the `startxref` written just before the update names the previous section.
pub fn read_chain(src: &dyn ByteSource, startxref: u64) -> Result<(Vec<XrefSection>, Vec<Repair>)> {
    let mut seen = HashSet::new();
    let mut out: Vec<XrefSection> = Vec::new();
    let mut warnings = Vec::new();
    let mut next = Some(startxref);
    while let Some(off) = next {
        if !seen.insert(off) {
            return Err(Error::MalformedPdf(format!(
                "the /Prev chain of cross-reference sections loops (offset {off})"
            )));
        }
        if out.len() >= MAX_SECTIONS {
            return Err(Error::MalformedPdf(
                "too many cross-reference sections".into(),
            ));
        }
        let section = match read_section(src, off) {
            Ok(s) => s,
            Err(e) => {
                let newer = out.last().map(|s| s.offset);
                match recover_section(src, off, newer, &seen) {
                    Some(s) => {
                        warnings.push(Repair::XrefOffsetWrong {
                            offset: off,
                            used: s.offset,
                        });
                        seen.insert(s.offset);
                        s
                    }
                    None => return Err(e),
                }
            }
        };
        // ISO 32000-1 §7.5.6: /Prev leads back to older data. Only a linearized file's
        // first-page section points forward, to the main section, which ends the chain
        // (Annex F.3); anything else forward would read a later revision's bytes as older.
        if let Some(prev) = section.prev() {
            if prev >= section.offset && !is_linearized_first_page(src, &section)? {
                return Err(Error::MalformedPdf(format!(
                    "the cross-reference section at {} points forward with /Prev {prev}",
                    section.offset
                )));
            }
        }
        if let Some(newer) = out.last() {
            if newer.prev().is_some_and(|p| p > newer.offset) && section.prev().is_some() {
                return Err(Error::MalformedPdf(
                    "a linearized file's main cross-reference section has a /Prev".into(),
                ));
            }
        }
        next = section.prev();
        out.push(section);
    }
    Ok((out, warnings))
}

/// Whether `section` is the first-page cross-reference section of a linearized file
/// (ISO 32000-1 Annex F.3.1): the file's first object is the linearization parameter
/// dictionary and the section follows it directly.
fn is_linearized_first_page(src: &dyn ByteSource, section: &XrefSection) -> Result<bool> {
    let head = src.read_vec(0, 4096)?;
    let Some(hpos) = find(&head, b"%PDF-") else {
        return Ok(false);
    };
    // Skip the header line and the binary comment line.
    let mut p = Parser::at(&head, hpos + 5, head.len() as u64 >= src.len());
    p.skip_ws();
    let mut at = p.pos();
    while at < head.len() && !matches!(head[at], b'\r' | b'\n') {
        at += 1;
    }
    let mut p = Parser::at(&head, at, head.len() as u64 >= src.len());
    p.skip_ws();
    let Ok(obj) = p.indirect_object() else {
        return Ok(false);
    };
    let Object::Dict(d) = obj.object else {
        return Ok(false);
    };
    if d.get("Linearized").is_none() {
        return Ok(false);
    }
    let Ok(()) = p.expect_keyword(b"endobj") else {
        return Ok(false);
    };
    p.skip_ws();
    Ok(section.offset >= p.pos() as u64 && section.offset - p.pos() as u64 <= 16)
}

fn recover_section(
    src: &dyn ByteSource,
    claimed: u64,
    newer: Option<u64>,
    seen: &HashSet<u64>,
) -> Option<XrefSection> {
    // (a) an `xref` keyword close to the claimed offset.
    let from = claimed.saturating_sub(1024).min(src.len());
    let window = src.read_vec(from, 2048).ok()?;
    let mut best: Option<u64> = None;
    let mut i = 0;
    while let Some(p) = find(&window[i..], b"xref") {
        let at = from + (i + p) as u64;
        let line_start = i + p == 0 || matches!(window[i + p - 1], b'\r' | b'\n');
        if line_start && best.is_none_or(|b| at.abs_diff(claimed) < b.abs_diff(claimed)) {
            best = Some(at);
        }
        i += p + 4;
    }
    if let Some(at) = best.filter(|at| !seen.contains(at)) {
        if let Ok(s) = read_section(src, at) {
            return Some(s);
        }
    }
    // (b) for a broken /Prev: the `startxref` written at the end of the previous revision.
    let newer = newer?;
    let start = newer.saturating_sub(1 << 20);
    let window = src.read_vec(start, (newer - start) as usize).ok()?;
    if let Some(pos) = rfind(&window, b"startxref") {
        let mut p = Parser::at(&window, pos + 9, true);
        if let Ok(prev) = p.read_uint() {
            if prev < newer && !seen.contains(&prev) {
                if let Ok(s) = read_section(src, prev) {
                    return Some(s);
                }
            }
        }
    }
    // (c) the nearest `xref` keyword at the start of a line before the newer section.
    let mut end = window.len();
    while let Some(pos) = rfind(&window[..end], b"xref") {
        let at = start + pos as u64;
        if (pos == 0 || matches!(window[pos - 1], b'\r' | b'\n')) && !seen.contains(&at) {
            return read_section(src, at).ok();
        }
        end = pos;
    }
    None
}

/// Finds the end of the revision whose data ends at `from`: just past the next `%%EOF` marker
/// and one end-of-line (ISO 32000-1 §7.5.5). Returns None when no marker follows closely.
pub fn find_eof_after(src: &dyn ByteSource, from: u64) -> Result<Option<u64>> {
    // Nearly always the marker follows at once: look close first (thousands of revisions).
    let mut window = src.read_vec(from, 256)?;
    let mut found = find(&window, b"%%EOF");
    if found.is_none() && window.len() == 256 {
        window = src.read_vec(from, 64 * 1024)?;
        found = find(&window, b"%%EOF");
    }
    let Some(pos) = found else {
        return Ok(None);
    };
    let mut end = pos + 5;
    match window.get(end) {
        Some(b'\r') => {
            end += 1;
            if window.get(end) == Some(&b'\n') {
                end += 1;
            }
        }
        Some(b'\n') => end += 1,
        _ => {}
    }
    Ok(Some(from + end as u64))
}

/// Parses a decimal number at the start of `bytes` (for ByteRange placeholders and tests).
pub fn leading_uint(bytes: &[u8]) -> Option<u64> {
    let n = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    parse_uint(&bytes[..n])
}

/// `N G obj` at the start of a line (or of the region).
pub fn object_headers(bytes: &[u8]) -> Vec<(usize, u32, u16)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = find(&bytes[i..], b"obj") {
        let at = i + p;
        i = at + 3;
        // Walk back over "G " and "N ".
        let mut j = at;
        // Bounded look-back keeps the scan linear on runs of spaces or digits.
        let skip_ws = |j: &mut usize| {
            let end = *j;
            while *j > 0 && end - *j < 20 && matches!(bytes[*j - 1], b' ' | b'\t') {
                *j -= 1;
            }
        };
        let digits = |j: &mut usize| -> Option<u64> {
            let end = *j;
            while *j > 0 && end - *j < 20 && bytes[*j - 1].is_ascii_digit() {
                *j -= 1;
            }
            parse_uint(&bytes[*j..end])
        };
        skip_ws(&mut j);
        let Some(gen) = digits(&mut j) else { continue };
        skip_ws(&mut j);
        let Some(num) = digits(&mut j) else { continue };
        let line_start = j == 0 || matches!(bytes[j - 1], b'\r' | b'\n');
        let ends_token = bytes
            .get(at + 3)
            .is_none_or(|&b| !b.is_ascii_alphanumeric());
        if line_start && ends_token && num <= u32::MAX as u64 && gen <= u16::MAX as u64 {
            out.push((j, num as u32, gen as u16));
        }
    }
    out
}
