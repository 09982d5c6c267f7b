//! Differential property test with independent oracles (issue 13).
//!
//! kyso-signed documents (nine bases: LibreOffice and qpdf classic tables, qpdf object streams,
//! a hybrid file, pyHanko's signature followed by kyso's, a visible signature with a picture, an
//! unsigned signature field in the signed revision; RSA, ECDSA P-256/P-384 signers) receive
//! random structural incremental updates drawn from a small grammar: 1–3 updates per file, each
//! with 1–3 mutations (the `BENIGN` and `ATTACKS` tables, each function says what it attacks),
//! written with a classic xref table or an xref stream (plain or deflated, sometimes with the
//! redefined objects in an object stream), plus two hand-made xref chains (a section hidden in
//! the signature's /Contents gap, a forward /Prev). Every update is a well-formed incremental
//! update (objects, xref section with exact offsets, trailer with /Prev and /Size, startxref,
//! %%EOF) unless breaking that is the point of the mutation.
//!
//! `kyso verify --json` (offline, fixture root and CRLs) judges each file; only where kyso says
//! TOTAL-PASSED (exit 0) do two independent oracles run:
//!
//! 1. Poppler (`pdftoppm`, 24 dpi) renders every signed revision (the bytes up to the end of
//!    its `/ByteRange`) and the whole file: same page count, identical pixels. The grammar never
//!    adds a visible signature widget with a new signature, so any pixel difference is a change
//!    the clerk would see, and a file Poppler cannot open is one he cannot read.
//! 2. pyHanko (one Python process for all files) validates every signature with the fixture
//!    root: the same number of signatures as kyso found, intact, valid, and its difference
//!    analysis must not say `OTHER` nor fail to read the file (strict syntax, except for the
//!    hybrid base which pyHanko reads only non-strictly).
//!
//! kyso crashing, hanging (over `VERIFY_TIMEOUT`) or exiting outside 0/1/3/4 also fails a case.
//! Nothing here asks kyso what is allowed: the grammar is written from the PDF standard, and
//! reads and writes PDF with its own small parser; the oracles decide. Self-checks: at least 65
//! mutation kinds drawn, every sixth file rendered and validated whatever kyso said (Poppler
//! must read most of them, many must render differently and pyHanko must object to many, so
//! the oracles do see changes), Poppler never complains about the grammar's xref sections, and
//! kyso and the oracles agree on at least 20 passes (the oracles really ran).
//!
//! A failure prints the seed and the mutation list and writes the file to
//! `target/test-artifacts/differential/seed-N.pdf` (+ `.txt`). Any case is re-created from its
//! seed: `KYSO_DIFF_SEED=N KYSO_DIFF_CASES=1 KYSO_DIFF_VERBOSE=1 cargo test --test differential
//! -- --nocapture` (VERBOSE prints every case and keeps every file in `.../differential/all/`);
//! run more with a larger `KYSO_DIFF_CASES` (default 800, seeds 0..800, plus
//! `REGRESSION_SEEDS`). About 35 s for the 803 default cases on 2 cores (debug build), most of it
//! kyso itself. Without pdftoppm, qpdf or pyHanko the test skips with a message, unless
//! `KYSO_REQUIRE_TOOLS=1`.
//!
//! Seeds are stable as long as the bases keep their structure: the mutations depend on object
//! numbers and dictionary contents of kyso's signed output, not on byte offsets or times. If
//! kyso's signing writes different objects, the seeds map to other mutations and
//! `KNOWN_UNFIXED` must be taken again from a run's report.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cases run by default: seeds `0..DEFAULT_CASES`.
const DEFAULT_CASES: u64 = 800;

/// Seeds worth keeping beyond the default range (found with `KYSO_DIFF_SEED=800
/// KYSO_DIFF_CASES=3000`). Always run, and asserted like the others.
const REGRESSION_SEEDS: &[u64] = &[
    806,  // an old xref stream object marked free (pyHanko strict refuses the file)
    873,  // /Encrypt dictionary inside an object stream (pyHanko recurses, Poppler refuses)
    893,  // /Encrypt added to the trailer
    1370, // the catalog with /Pages twice, the last one a forged page tree
    2140, // an object added after the signature, redefined in a later revision
];

/// Seeds where kyso says TOTAL-PASSED and an oracle disagrees, printed but not asserted. Empty
/// since the whitelist change analysis of issue 13 landed (it held 23 seeds on e972dc5: object
/// streams redefined under their number, duplicate keys, borrowed signature values, /Encrypt,
/// /Size, freed and rewritten unused objects). Keep it empty: a failure is a bug to fix.
const KNOWN_UNFIXED: &[u64] = &[];

/// Seconds one `kyso verify` may take before the case counts as a hang.
const VERIFY_TIMEOUT: u64 = 30;

/// Rendering resolution for the pixel oracle (dpi): enough to see any drawn change.
const DPI: &str = "24";

// ---------------------------------------------------------------------------------------------
// A deterministic PRNG (SplitMix64): no dependency, the same sequence everywhere.
// ---------------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6b79_736f_6469_6666);
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// A small PDF object model, parser and serializer, independent of kyso.
// ---------------------------------------------------------------------------------------------

type Dict = Vec<(String, Obj)>;

#[derive(Clone, Debug, PartialEq)]
enum Obj {
    Null,
    Bool(bool),
    /// A number as written (integers and reals).
    Num(String),
    /// A literal string `( )`.
    Str(Vec<u8>),
    /// A hexadecimal string `< >`.
    Hex(Vec<u8>),
    Name(String),
    Array(Vec<Obj>),
    /// Entries in file order; duplicate keys are kept (and written) as they are.
    Dict(Dict),
    Ref(u32, u16),
    /// Dictionary and the raw (still encoded) data.
    Stream(Dict, Vec<u8>),
}

fn int(n: i64) -> Obj {
    Obj::Num(n.to_string())
}

fn name(n: &str) -> Obj {
    Obj::Name(n.to_string())
}

fn rf(n: u32) -> Obj {
    Obj::Ref(n, 0)
}

fn dict(entries: &[(&str, Obj)]) -> Obj {
    Obj::Dict(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn nums(v: &[f64]) -> Obj {
    Obj::Array(v.iter().map(|x| Obj::Num(format!("{x}"))).collect())
}

fn get<'a>(d: &'a Dict, key: &str) -> Option<&'a Obj> {
    d.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn set(d: &mut Dict, key: &str, v: Obj) {
    match d.iter_mut().find(|(k, _)| k == key) {
        Some(e) => e.1 = v,
        None => d.push((key.to_string(), v)),
    }
}

fn remove(d: &mut Dict, key: &str) -> Option<Obj> {
    let i = d.iter().position(|(k, _)| k == key)?;
    Some(d.remove(i).1)
}

impl Obj {
    fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    fn as_ref_num(&self) -> Option<u32> {
        match self {
            Obj::Ref(n, _) => Some(*n),
            _ => None,
        }
    }

    fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Num(s) => s.parse().ok(),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Obj::Num(s) => s.parse().ok(),
            _ => None,
        }
    }

    fn is_name(&self, n: &str) -> bool {
        matches!(self, Obj::Name(x) if x == n)
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Obj::Null => out.extend_from_slice(b"null"),
            Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Obj::Num(s) => out.extend_from_slice(s.as_bytes()),
            Obj::Str(s) => {
                out.push(b'(');
                for &b in s {
                    match b {
                        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                        0x20..=0x7e => out.push(b),
                        _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
                    }
                }
                out.push(b')');
            }
            Obj::Hex(s) => {
                out.push(b'<');
                for b in s {
                    out.extend_from_slice(format!("{b:02X}").as_bytes());
                }
                out.push(b'>');
            }
            Obj::Name(n) => {
                out.push(b'/');
                out.extend_from_slice(n.as_bytes());
            }
            Obj::Array(a) => {
                out.push(b'[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    v.write(out);
                }
                out.push(b']');
            }
            Obj::Dict(d) => write_dict(d, out),
            Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
            Obj::Stream(d, data) => {
                let mut d = d.clone();
                // A direct /Length is always the true length; an indirect one is left as the
                // mutation wrote it (crossed lengths are part of the grammar).
                if !matches!(get(&d, "Length"), Some(Obj::Ref(..))) {
                    set(&mut d, "Length", int(data.len() as i64));
                }
                write_dict(&d, out);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream");
            }
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write(&mut v);
        v
    }
}

fn write_dict(d: &Dict, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (k, v) in d {
        out.push(b'/');
        out.extend_from_slice(k.as_bytes());
        out.push(b' ');
        v.write(out);
    }
    out.extend_from_slice(b">>");
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize) -> Lexer<'a> {
        Lexer { b, pos }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            if is_ws(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < self.b.len() && !matches!(self.b[self.pos], b'\r' | b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// A regular token (keyword or number) at the current position.
    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.pos < self.b.len() && !is_ws(self.b[self.pos]) && !is_delim(self.b[self.pos]) {
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    fn keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        let save = self.pos;
        if self.word() == kw {
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let save = self.pos;
        let w = self.word();
        match std::str::from_utf8(w).ok().and_then(|s| s.parse().ok()) {
            Some(n) if w.iter().all(u8::is_ascii_digit) => Some(n),
            _ => {
                self.pos = save;
                None
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Obj, String> {
        if depth > 5000 {
            return Err("nesting too deep".into());
        }
        self.skip_ws();
        let c = self.peek().ok_or("end of data")?;
        match c {
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'>') => {
                            self.pos += 2;
                            return Ok(Obj::Dict(d));
                        }
                        Some(b'/') => {
                            let k = match self.value(depth + 1)? {
                                Obj::Name(n) => n,
                                _ => unreachable!(),
                            };
                            let v = self.value(depth + 1)?;
                            d.push((k, v));
                        }
                        _ => return Err(format!("bad dictionary at {}", self.pos)),
                    }
                }
            }
            b'<' => {
                self.pos += 1;
                let mut hex = Vec::new();
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == b'>' {
                        break;
                    }
                    if c.is_ascii_hexdigit() {
                        hex.push(c);
                    }
                }
                if hex.len() % 2 == 1 {
                    hex.push(b'0');
                }
                Ok(Obj::Hex(
                    hex.chunks(2)
                        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
                        .collect(),
                ))
            }
            b'(' => {
                self.pos += 1;
                let mut s = Vec::new();
                let mut nest = 0;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match c {
                        b'\\' => {
                            let e = self.peek().unwrap_or(b'\\');
                            self.pos += 1;
                            match e {
                                b'n' => s.push(b'\n'),
                                b'r' => s.push(b'\r'),
                                b't' => s.push(b'\t'),
                                b'b' => s.push(8),
                                b'f' => s.push(12),
                                b'0'..=b'7' => {
                                    let mut v = (e - b'0') as u32;
                                    for _ in 0..2 {
                                        match self.peek() {
                                            Some(d @ b'0'..=b'7') => {
                                                v = v * 8 + (d - b'0') as u32;
                                                self.pos += 1;
                                            }
                                            _ => break,
                                        }
                                    }
                                    s.push(v as u8);
                                }
                                b'\r' => {
                                    if self.peek() == Some(b'\n') {
                                        self.pos += 1;
                                    }
                                }
                                b'\n' => {}
                                other => s.push(other),
                            }
                        }
                        b'(' => {
                            nest += 1;
                            s.push(c);
                        }
                        b')' if nest == 0 => return Ok(Obj::Str(s)),
                        b')' => {
                            nest -= 1;
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                }
                Err("unterminated string".into())
            }
            b'[' => {
                self.pos += 1;
                let mut a = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Obj::Array(a));
                        }
                        None => return Err("unterminated array".into()),
                        _ => a.push(self.value(depth + 1)?),
                    }
                }
            }
            b'/' => {
                self.pos += 1;
                let w = self.word();
                Ok(Obj::Name(String::from_utf8_lossy(w).into_owned()))
            }
            _ => {
                let start = self.pos;
                let w = self.word();
                if w.is_empty() {
                    return Err(format!("unexpected byte {c:#x} at {start}"));
                }
                match w {
                    b"true" => return Ok(Obj::Bool(true)),
                    b"false" => return Ok(Obj::Bool(false)),
                    b"null" => return Ok(Obj::Null),
                    _ => {}
                }
                let s = std::str::from_utf8(w).map_err(|_| "bad token")?.to_string();
                if !w
                    .iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.'))
                {
                    return Err(format!("unexpected keyword {s} at {start}"));
                }
                // "n g R" is a reference.
                if w.iter().all(u8::is_ascii_digit) {
                    let save = self.pos;
                    if let Some(g) = self.uint() {
                        if self.keyword(b"R") {
                            return Ok(Obj::Ref(s.parse().unwrap_or(0), g as u16));
                        }
                    }
                    self.pos = save;
                }
                Ok(Obj::Num(s))
            }
        }
    }
}

/// Flate decode, then the PNG predictors (what qpdf and kyso write for xref streams).
fn decode_stream(d: &Dict, raw: &[u8]) -> Option<Vec<u8>> {
    let filters: Vec<&Obj> = match get(d, "Filter") {
        None => vec![],
        Some(Obj::Array(a)) => a.iter().collect(),
        Some(f) => vec![f],
    };
    if filters.is_empty() {
        return Some(raw.to_vec());
    }
    if filters.len() != 1 || !filters[0].is_name("FlateDecode") {
        return None;
    }
    let mut data = Vec::new();
    flate2::read::ZlibDecoder::new(raw)
        .read_to_end(&mut data)
        .ok()?;
    let parms = match get(d, "DecodeParms") {
        Some(Obj::Array(a)) => a.first().and_then(Obj::as_dict).cloned(),
        Some(Obj::Dict(p)) => Some(p.clone()),
        _ => None,
    };
    let Some(p) = parms else { return Some(data) };
    let predictor = get(&p, "Predictor").and_then(Obj::as_int).unwrap_or(1);
    if predictor < 10 {
        return Some(data);
    }
    let columns = get(&p, "Columns").and_then(Obj::as_int).unwrap_or(1) as usize;
    let mut out = Vec::new();
    let mut prev = vec![0u8; columns];
    for row in data.chunks(columns + 1) {
        if row.len() < columns + 1 {
            break;
        }
        let mut cur = row[1..].to_vec();
        for i in 0..columns {
            let a = if i > 0 { cur[i - 1] } else { 0 } as i16;
            let b = prev[i] as i16;
            let c = if i > 0 { prev[i - 1] } else { 0 } as i16;
            let add = match row[0] {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let pp = a + b - c;
                    let (pa, pb, pc) = ((pp - a).abs(), (pp - b).abs(), (pp - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => return None,
            };
            cur[i] = cur[i].wrapping_add(add as u8);
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Some(out)
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Loc {
    Offset(usize),
    Packed(u32, u32),
    Free,
}

/// A parsed file: where each object's current definition is, and the newest trailer.
struct Doc {
    b: Vec<u8>,
    xref: HashMap<u32, Loc>,
    trailer: Dict,
    startxref: usize,
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

impl Doc {
    fn parse(b: Vec<u8>) -> Result<Doc, String> {
        let sx = rfind(&b, b"startxref").ok_or("no startxref")?;
        let startxref = Lexer::new(&b, sx + 9).uint().ok_or("bad startxref")? as usize;
        let mut doc = Doc {
            b,
            xref: HashMap::new(),
            trailer: Vec::new(),
            startxref,
        };
        let mut at = Some(startxref);
        let mut seen = BTreeSet::new();
        while let Some(off) = at {
            if !seen.insert(off) || seen.len() > 10_000 {
                return Err("xref loop".into());
            }
            let trailer = doc.read_section(off)?;
            if doc.trailer.is_empty() {
                doc.trailer = trailer.clone();
            }
            at = get(&trailer, "Prev")
                .and_then(Obj::as_int)
                .map(|p| p as usize);
        }
        Ok(doc)
    }

    /// Reads the xref section at `off` (table or stream), adding entries not yet known.
    fn read_section(&mut self, off: usize) -> Result<Dict, String> {
        let mut lx = Lexer::new(&self.b, off);
        if lx.keyword(b"xref") {
            let mut rows = Vec::new();
            while let Some(start) = lx.uint() {
                let count = lx.uint().ok_or("bad subsection")?;
                for i in 0..count {
                    let o = lx.uint().ok_or("bad row")?;
                    let _gen = lx.uint().ok_or("bad row")?;
                    lx.skip_ws();
                    let kind = lx.word();
                    let loc = if kind == b"n" {
                        Loc::Offset(o as usize)
                    } else {
                        Loc::Free
                    };
                    rows.push(((start + i) as u32, loc));
                }
            }
            if !lx.keyword(b"trailer") {
                return Err(format!("no trailer after table at {off}"));
            }
            let trailer = match lx.value(0)? {
                Obj::Dict(d) => d,
                _ => return Err("trailer is not a dictionary".into()),
            };
            for (n, loc) in rows {
                self.xref.entry(n).or_insert(loc);
            }
            // Hybrid files: the xref stream named by /XRefStm comes right after the table.
            if let Some(x) = get(&trailer, "XRefStm").and_then(Obj::as_int) {
                self.read_section(x as usize)?;
            }
            return Ok(trailer);
        }
        let (_, obj) = self.parse_indirect(off)?;
        let Obj::Stream(d, raw) = obj else {
            return Err(format!("no xref at {off}"));
        };
        let data = decode_stream(&d, &raw).ok_or("xref stream filter")?;
        let w: Vec<usize> = match get(&d, "W") {
            Some(Obj::Array(a)) => a.iter().map(|x| x.as_int().unwrap_or(0) as usize).collect(),
            _ => return Err("no /W".into()),
        };
        let size = get(&d, "Size").and_then(Obj::as_int).unwrap_or(0);
        let index: Vec<i64> = match get(&d, "Index") {
            Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_int).collect(),
            _ => vec![0, size],
        };
        let width: usize = w.iter().sum();
        let field = |row: &[u8], i: usize| -> u64 {
            let start: usize = w[..i].iter().sum();
            row[start..start + w[i]]
                .iter()
                .fold(0u64, |a, &b| (a << 8) | b as u64)
        };
        let mut rows = data.chunks(width);
        for pair in index.chunks(2) {
            for i in 0..pair[1] {
                let row = rows.next().ok_or("xref stream too short")?;
                let t = if w[0] == 0 { 1 } else { field(row, 0) };
                let loc = match t {
                    0 => Loc::Free,
                    1 => Loc::Offset(field(row, 1) as usize),
                    _ => Loc::Packed(field(row, 1) as u32, field(row, 2) as u32),
                };
                self.xref.entry((pair[0] + i) as u32).or_insert(loc);
            }
        }
        Ok(d)
    }

    /// `n g obj ... endobj` at `off`: (number, value).
    fn parse_indirect(&self, off: usize) -> Result<(u32, Obj), String> {
        let mut lx = Lexer::new(&self.b, off);
        let num = lx.uint().ok_or(format!("no object at {off}"))? as u32;
        lx.uint().ok_or("no generation")?;
        if !lx.keyword(b"obj") {
            return Err(format!("no 'obj' at {off}"));
        }
        let v = lx.value(0)?;
        if lx.keyword(b"stream") {
            let mut start = lx.pos;
            if self.b.get(start) == Some(&b'\r') {
                start += 1;
            }
            if self.b.get(start) == Some(&b'\n') {
                start += 1;
            }
            let d = v.as_dict().cloned().unwrap_or_default();
            let len = match get(&d, "Length") {
                Some(Obj::Num(s)) => s.parse().ok(),
                Some(Obj::Ref(n, _)) => self.get(*n).and_then(|o| o.as_int()).map(|x| x as usize),
                _ => None,
            };
            let end = match len {
                Some(l) if start + l <= self.b.len() => start + l,
                _ => {
                    let e = find_from(&self.b, b"endstream", start).ok_or("no endstream")?;
                    let mut e2 = e;
                    while e2 > start && matches!(self.b[e2 - 1], b'\r' | b'\n') {
                        e2 -= 1;
                    }
                    e2
                }
            };
            return Ok((num, Obj::Stream(d, self.b[start..end].to_vec())));
        }
        Ok((num, v))
    }

    /// The current definition of object `num`.
    fn get(&self, num: u32) -> Option<Obj> {
        match *self.xref.get(&num)? {
            Loc::Offset(o) => self.parse_indirect(o).ok().map(|x| x.1),
            Loc::Packed(stm, _) => {
                let Obj::Stream(d, raw) = self.get(stm)? else {
                    return None;
                };
                let data = decode_stream(&d, &raw)?;
                let n = get(&d, "N")?.as_int()?;
                let first = get(&d, "First")?.as_int()? as usize;
                let mut lx = Lexer::new(&data, 0);
                for _ in 0..n {
                    let on = lx.uint()? as u32;
                    let oo = lx.uint()? as usize;
                    if on == num {
                        return Lexer::new(&data, first + oo).value(0).ok();
                    }
                }
                None
            }
            Loc::Free => None,
        }
    }

    fn size(&self) -> u32 {
        let s = get(&self.trailer, "Size")
            .and_then(Obj::as_int)
            .unwrap_or(0) as u32;
        s.max(self.xref.keys().max().map_or(0, |m| m + 1))
    }

    fn in_use(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .xref
            .iter()
            .filter(|(n, l)| **n != 0 && !matches!(l, Loc::Free))
            .map(|(n, _)| *n)
            .collect();
        v.sort();
        v
    }

    /// Object streams holding objects that are current now.
    fn object_streams(&self) -> Vec<u32> {
        let s: BTreeSet<u32> = self
            .xref
            .values()
            .filter_map(|l| match l {
                Loc::Packed(s, _) => Some(*s),
                _ => None,
            })
            .collect();
        s.into_iter().collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Writing one incremental update: objects, an xref section (table or stream) with the right
// offsets, a trailer with /Prev and /Size, startxref, %%EOF.
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Update {
    /// Objects written as `n 0 obj`.
    objs: BTreeMap<u32, Obj>,
    /// Objects written into one object stream (needs an xref stream).
    packed: BTreeMap<u32, Obj>,
    /// The number of that object stream; an existing one redefines it.
    packed_as: Option<u32>,
    /// Objects marked free (`f` rows, type 0 entries).
    freed: BTreeSet<u32>,
    /// Trailer keys set (`Some`) or removed (`None`).
    trailer: Vec<(String, Option<Obj>)>,
    xref_stream: bool,
    compress_xref: bool,
    /// Redefinitions go into the object stream.
    pack: bool,
    next: u32,
    /// xref entries pointing at bytes already in the file (no object written).
    repoint: BTreeMap<u32, usize>,
    /// /Prev other than the newest section.
    prev: Option<usize>,
    /// /Size other than one more than the highest object number.
    size: Option<u32>,
    /// Trailer entries written a second time, after the others (duplicate keys).
    trailer_dup: Vec<(String, Obj)>,
}

enum Row {
    InUse(usize),
    Packed(u32, u32),
    Free,
}

fn write_update(doc: &Doc, up: &Update) -> Vec<u8> {
    let mut out = doc.b.clone();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut next = up.next.max(doc.size());
    let mut rows: BTreeMap<u32, Row> = BTreeMap::new();
    let put_obj = |out: &mut Vec<u8>, rows: &mut BTreeMap<u32, Row>, n: u32, o: &Obj| {
        rows.insert(n, Row::InUse(out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        o.write(out);
        out.extend_from_slice(b"\nendobj\n");
    };
    for (n, o) in &up.objs {
        put_obj(&mut out, &mut rows, *n, o);
    }
    let packed_stream = !up.packed.is_empty() || up.packed_as.is_some();
    if packed_stream {
        assert!(up.xref_stream, "object streams need an xref stream");
        let stm = up.packed_as.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        let mut header = String::new();
        let mut data = Vec::new();
        for (i, (n, o)) in up.packed.iter().enumerate() {
            header.push_str(&format!("{n} {} ", data.len()));
            o.write(&mut data);
            data.push(b'\n');
            rows.insert(*n, Row::Packed(stm, i as u32));
        }
        let first = header.len();
        let body = [header.as_bytes(), &data].concat();
        let mut d = vec![
            ("Type".to_string(), name("ObjStm")),
            ("N".to_string(), int(up.packed.len() as i64)),
            ("First".to_string(), int(first as i64)),
        ];
        let body = if up.compress_xref {
            d.push(("Filter".to_string(), name("FlateDecode")));
            deflate(&body)
        } else {
            body
        };
        put_obj(&mut out, &mut rows, stm, &Obj::Stream(d, body));
    }
    for n in &up.freed {
        rows.insert(*n, Row::Free);
    }
    for (n, at) in &up.repoint {
        rows.insert(*n, Row::InUse(*at));
    }
    // The trailer: the newest one's entries less the section's own, then the update's keys.
    let mut trailer: Dict = doc
        .trailer
        .iter()
        .filter(|(k, _)| {
            ![
                "Prev",
                "XRefStm",
                "Type",
                "W",
                "Index",
                "Filter",
                "DecodeParms",
                "Length",
                "Size",
            ]
            .contains(&k.as_str())
        })
        .cloned()
        .collect();
    for (k, v) in &up.trailer {
        match v {
            Some(v) => set(&mut trailer, k, v.clone()),
            None => {
                remove(&mut trailer, k);
            }
        }
    }
    trailer.extend(up.trailer_dup.iter().cloned());
    let xref_num = next;
    if up.xref_stream {
        next += 1;
    }
    let size = rows.keys().map(|n| n + 1).max().unwrap_or(0).max(next);
    let size = up.size.unwrap_or(size);
    set(&mut trailer, "Size", int(size as i64));
    set(
        &mut trailer,
        "Prev",
        int(up.prev.unwrap_or(doc.startxref) as i64),
    );
    let xref_at = out.len();
    if up.xref_stream {
        rows.insert(xref_num, Row::InUse(xref_at));
    }
    let subsections = |rows: &BTreeMap<u32, Row>| {
        let nums: Vec<u32> = rows.keys().copied().collect();
        let mut subs = Vec::new();
        let mut i = 0;
        while i < nums.len() {
            let mut j = i + 1;
            while j < nums.len() && nums[j] == nums[j - 1] + 1 {
                j += 1;
            }
            subs.push((nums[i], j - i));
            i = j;
        }
        subs
    };
    if up.xref_stream {
        let mut bin = Vec::new();
        for row in rows.values() {
            let (t, f2, f3): (u8, u32, u16) = match row {
                Row::InUse(o) => (1, *o as u32, 0),
                Row::Packed(s, i) => (2, *s, *i as u16),
                Row::Free => (0, 0, 1),
            };
            bin.push(t);
            bin.extend_from_slice(&f2.to_be_bytes());
            bin.extend_from_slice(&f3.to_be_bytes());
        }
        let index: Vec<Obj> = subsections(&rows)
            .into_iter()
            .flat_map(|(s, c)| [int(s as i64), int(c as i64)])
            .collect();
        let mut d = trailer;
        d.push(("Type".into(), name("XRef")));
        d.push(("W".into(), nums(&[1.0, 4.0, 2.0])));
        d.push(("Index".into(), Obj::Array(index)));
        let bin = if up.compress_xref {
            d.push(("Filter".into(), name("FlateDecode")));
            deflate(&bin)
        } else {
            bin
        };
        out.extend_from_slice(format!("{xref_num} 0 obj\n").as_bytes());
        Obj::Stream(d, bin).write(&mut out);
        out.extend_from_slice(b"\nendobj\n");
    } else {
        out.extend_from_slice(b"xref\n");
        if rows.is_empty() {
            // A section needs a subsection: the head of the free list stands for "nothing".
            out.extend_from_slice(b"0 1\n0000000000 65535 f\r\n");
        }
        for (start, count) in subsections(&rows) {
            out.extend_from_slice(format!("{start} {count}\n").as_bytes());
            for n in start..start + count as u32 {
                let line = match rows[&n] {
                    Row::InUse(o) => format!("{o:010} 00000 n\r\n"),
                    Row::Free => "0000000000 00001 f\r\n".to_string(),
                    Row::Packed(..) => unreachable!("packed objects need an xref stream"),
                };
                out.extend_from_slice(line.as_bytes());
            }
        }
        out.extend_from_slice(b"trailer\n");
        write_dict(&trailer, &mut out);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// The grammar: each mutation changes the pending update and says what it did, or returns None
// when the document offers nothing for it to change.
// ---------------------------------------------------------------------------------------------

struct Ctx<'a> {
    doc: &'a Doc,
    up: Update,
    rng: &'a mut Rng,
}

impl Ctx<'_> {
    /// An object as the pending update would leave it.
    fn get(&self, n: u32) -> Option<Obj> {
        if self.up.freed.contains(&n) {
            return None;
        }
        if let Some(o) = self.up.objs.get(&n).or(self.up.packed.get(&n)) {
            return Some(o.clone());
        }
        self.doc.get(n)
    }

    fn get_dict(&self, n: u32) -> Option<Dict> {
        match self.get(n)? {
            Obj::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Redefines object `n` (in the object stream when the update packs, streams excepted).
    fn put(&mut self, n: u32, o: Obj) {
        self.up.objs.remove(&n);
        self.up.packed.remove(&n);
        self.up.freed.remove(&n);
        if self.up.pack && !matches!(o, Obj::Stream(..)) {
            self.up.packed.insert(n, o);
        } else {
            self.up.objs.insert(n, o);
        }
    }

    fn add(&mut self, o: Obj) -> u32 {
        let n = self.up.next.max(self.doc.size());
        self.up.next = n + 1;
        self.put(n, o);
        n
    }

    fn set_trailer(&mut self, k: &str, v: Option<Obj>) {
        self.up.trailer.retain(|(x, _)| x != k);
        self.up.trailer.push((k.to_string(), v));
    }

    fn trailer(&self, k: &str) -> Option<Obj> {
        match self.up.trailer.iter().find(|(x, _)| x == k) {
            Some((_, v)) => v.clone(),
            None => get(&self.doc.trailer, k).cloned(),
        }
    }

    fn root(&self) -> Option<u32> {
        self.trailer("Root")?.as_ref_num()
    }

    fn resolve(&self, o: &Obj) -> Option<Obj> {
        match o {
            Obj::Ref(n, _) => self.get(*n),
            o => Some(o.clone()),
        }
    }

    /// Page objects in order (page tree walked to a fixed depth).
    fn pages(&self) -> Vec<u32> {
        fn walk(c: &Ctx, n: u32, depth: usize, out: &mut Vec<u32>) {
            let Some(d) = c.get_dict(n) else { return };
            match get(&d, "Kids") {
                Some(Obj::Array(kids)) if depth < 16 => {
                    for k in kids {
                        if let Some(k) = k.as_ref_num() {
                            walk(c, k, depth + 1, out);
                        }
                    }
                }
                _ => out.push(n),
            }
        }
        let mut out = Vec::new();
        if let Some(p) = self
            .root()
            .and_then(|r| self.get_dict(r))
            .and_then(|c| get(&c, "Pages").and_then(Obj::as_ref_num))
        {
            walk(self, p, 0, &mut out);
        }
        out
    }

    fn page(&mut self) -> Option<(u32, Dict)> {
        let pages = self.pages();
        if pages.is_empty() {
            return None;
        }
        let p = *self.rng.pick(&pages);
        Some((p, self.get_dict(p)?))
    }

    /// Edits the dictionary reached from object `n` through `path` (each step direct or
    /// indirect), writing back whichever object holds it. False when the path is absent.
    fn edit(&mut self, n: u32, path: &[&str], f: &mut dyn FnMut(&mut Dict) -> bool) -> bool {
        let Some(mut o) = self.get(n) else {
            return false;
        };
        match self.edit_in(&mut o, path, f) {
            Some(true) => {
                self.put(n, o);
                true
            }
            Some(false) => true,
            None => false,
        }
    }

    /// Some(true): `o` itself changed; Some(false): another object did.
    fn edit_in(
        &mut self,
        o: &mut Obj,
        path: &[&str],
        f: &mut dyn FnMut(&mut Dict) -> bool,
    ) -> Option<bool> {
        let d = match o {
            Obj::Dict(d) | Obj::Stream(d, _) => d,
            _ => return None,
        };
        let Some((first, rest)) = path.split_first() else {
            return f(d).then_some(true);
        };
        match get(d, first).cloned()? {
            Obj::Ref(r, _) => self.edit(r, rest, f).then_some(false),
            _ => {
                let v = &mut d.iter_mut().find(|(k, _)| k == first)?.1;
                self.edit_in(v, rest, f)
            }
        }
    }

    /// The page's content streams.
    fn contents(&self, page: &Dict) -> Vec<u32> {
        match get(page, "Contents") {
            Some(Obj::Ref(n, _)) => match self.get(*n) {
                Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_ref_num).collect(),
                _ => vec![*n],
            },
            Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_ref_num).collect(),
            _ => vec![],
        }
    }

    /// The decoded first content stream of a page and its number.
    fn content(&self, page: &Dict) -> Option<(u32, Dict, Vec<u8>)> {
        let n = *self.contents(page).first()?;
        let Obj::Stream(d, raw) = self.get(n)? else {
            return None;
        };
        let data = decode_stream(&d, &raw)?;
        Some((n, d, data))
    }

    /// The font objects a page uses.
    fn fonts(&self, page: &Dict) -> Vec<u32> {
        let Some(res) = get(page, "Resources").and_then(|r| self.resolve(r)) else {
            return vec![];
        };
        let Some(fonts) = res
            .as_dict()
            .and_then(|r| get(r, "Font"))
            .and_then(|f| self.resolve(f))
        else {
            return vec![];
        };
        fonts
            .as_dict()
            .map(|f| f.iter().filter_map(|(_, v)| v.as_ref_num()).collect())
            .unwrap_or_default()
    }

    /// Appends `annot` to the page's /Annots (direct or indirect array).
    fn add_annot(&mut self, page: u32, annot: u32) {
        let mut d = self.get_dict(page).unwrap();
        match get(&d, "Annots").cloned() {
            Some(Obj::Ref(a, _)) => {
                if let Some(Obj::Array(mut arr)) = self.get(a) {
                    arr.push(rf(annot));
                    self.put(a, Obj::Array(arr));
                    return;
                }
                set(&mut d, "Annots", Obj::Array(vec![rf(annot)]));
            }
            Some(Obj::Array(mut arr)) => {
                arr.push(rf(annot));
                set(&mut d, "Annots", Obj::Array(arr));
            }
            _ => set(&mut d, "Annots", Obj::Array(vec![rf(annot)])),
        }
        self.put(page, Obj::Dict(d));
    }

    /// Appends `field` to /AcroForm /Fields (creating the form when absent).
    fn add_field(&mut self, field: u32) {
        let Some(root) = self.root() else { return };
        let pushed = self.edit(root, &["AcroForm"], &mut |af| {
            match af.iter_mut().find(|(k, _)| k == "Fields") {
                Some((_, Obj::Array(a))) => a.push(rf(field)),
                _ => set(af, "Fields", Obj::Array(vec![rf(field)])),
            }
            true
        });
        if !pushed {
            let af = self.add(dict(&[("Fields", Obj::Array(vec![rf(field)]))]));
            self.edit(root, &[], &mut |c| {
                set(c, "AcroForm", rf(af));
                true
            });
        }
    }

    /// Fields of the form (top level).
    fn fields(&self) -> Vec<u32> {
        let Some(af) = self
            .root()
            .and_then(|r| self.get_dict(r))
            .and_then(|c| get(&c, "AcroForm").and_then(|a| self.resolve(a)))
        else {
            return vec![];
        };
        match af
            .as_dict()
            .and_then(|a| get(a, "Fields"))
            .and_then(|f| self.resolve(f))
        {
            Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_ref_num).collect(),
            _ => vec![],
        }
    }

    /// A copy of the page tree whose page `page` draws a red box: (new Pages node).
    fn forged_tree(&mut self, page: u32) -> Option<u32> {
        let root = self.root()?;
        let pages_num = get(&self.get_dict(root)?, "Pages")?.as_ref_num()?;
        let mut pages = self.get_dict(pages_num)?;
        let mut pd = self.get_dict(page)?;
        let mut contents: Vec<Obj> = self.contents(&pd).into_iter().map(rf).collect();
        let rect = red_box(self.rng);
        contents.push(rf(self.add(Obj::Stream(vec![], rect))));
        set(&mut pd, "Contents", Obj::Array(contents));
        let new_pages = self.up.next.max(self.doc.size());
        self.up.next = new_pages + 1;
        set(&mut pd, "Parent", rf(new_pages));
        let new_page = self.add(Obj::Dict(pd));
        let Some(Obj::Array(kids)) = get(&pages, "Kids").cloned() else {
            return None;
        };
        let kids = kids
            .into_iter()
            .map(|k| {
                if k.as_ref_num() == Some(page) {
                    rf(new_page)
                } else {
                    k
                }
            })
            .collect();
        set(&mut pages, "Kids", Obj::Array(kids));
        self.put(new_pages, Obj::Dict(pages));
        Some(new_pages)
    }
}

/// A filled red rectangle somewhere on an A4 page.
fn red_box(rng: &mut Rng) -> Vec<u8> {
    let x = 40 + rng.below(300);
    let y = 80 + rng.below(600);
    let w = 60 + rng.below(150);
    let h = 40 + rng.below(120);
    format!("q 1 0 0 rg {x} {y} {w} {h} re f Q").into_bytes()
}

/// A form XObject filled with one colour, `w`×`h`.
fn box_form(w: f64, h: f64, rgb: &str) -> Obj {
    Obj::Stream(
        vec![
            ("Type".into(), name("XObject")),
            ("Subtype".into(), name("Form")),
            ("BBox".into(), nums(&[0.0, 0.0, w, h])),
        ],
        format!("q {rgb} rg 0 0 {w} {h} re f Q").into_bytes(),
    )
}

type Mutation = fn(&mut Ctx) -> Option<String>;

/// A whole update written by hand (its xref chain is the point).
type Special = fn(&Doc, &mut Rng) -> Option<(Vec<u8>, String)>;

/// Updates that change nothing a reader sees and that the standards allow after a signature:
/// when kyso passes them, the oracles must agree (and they keep the oracles exercised).
const BENIGN: &[(&str, Mutation)] = &[
    ("info_new", m_info_new),
    ("info_redefine", m_info_redefine),
    ("xmp_metadata", m_xmp_metadata),
    ("orphan_objects", m_orphan_objects),
    ("empty_signature_field", m_empty_signature_field),
    ("identical_redefine", m_identical_redefine),
    ("identical_hex_strings", m_identical_hex_strings),
    ("empty_update", m_empty_update),
    ("trailer_id", m_trailer_id),
    ("trailer_unknown_key", m_trailer_unknown_key),
    ("dss_added", m_dss_added),
];

/// Kinds that apply to one base only, drawn more often there.
const FOCUS: &[(&str, &[&str])] = &[
    (
        "congvan-empty-field",
        &[
            "unsigned_field_appearance",
            "unsigned_field_borrows_signature",
        ],
    ),
    (
        "congvan-visible",
        &["image_swap", "form_xobject_redefined", "widget_appearance"],
    ),
    (
        "congvan-objstm",
        &["objstm_same_number", "objstm_same_number_silent"],
    ),
    (
        "quyetdinh-objstm",
        &[
            "objstm_same_number",
            "objstm_same_number_silent",
            "kids_reordered",
            "contents_of_other_page",
        ],
    ),
    (
        "quyetdinh",
        &["kids_reordered", "contents_of_other_page", "page_removed"],
    ),
];

/// Kinds after which Poppler may rightly complain about the xref (and rebuild it).
const BREAK_XREF: &[&str] = &[
    "object_freed",
    "size_shrunk",
    "prev_skips_signature",
    "xref_to_old_definition",
];

/// Structural changes, most of them attacks on what the signed revision shows.
const ATTACKS: &[(&str, Mutation)] = &[
    ("content_append_array", m_content_append_array),
    ("content_replace", m_content_replace),
    ("content_whiteout", m_content_whiteout),
    ("content_noop", m_content_noop),
    ("content_new_object", m_content_new_object),
    ("mediabox", m_mediabox),
    ("rotate", m_rotate),
    ("cropbox", m_cropbox),
    ("font_dropped", m_font_dropped),
    ("fonts_swapped", m_fonts_swapped),
    ("font_widths", m_font_widths),
    ("font_program_swap", m_font_program_swap),
    ("font_file_replaced", m_font_file_replaced),
    ("page_stray_key", m_page_stray_key),
    ("page_added", m_page_added),
    ("page_removed", m_page_removed),
    ("kids_reordered", m_kids_reordered),
    ("object_freed", m_object_freed),
    ("root_copy", m_root_copy),
    ("root_copy_forged_pages", m_root_copy_forged_pages),
    ("encrypt_added", m_encrypt_added),
    ("deep_nesting", m_deep_nesting),
    ("duplicate_key_contents", m_duplicate_key_contents),
    ("duplicate_key_pages", m_duplicate_key_pages),
    ("annot_square", m_annot_square),
    ("annot_hidden", m_annot_hidden),
    ("annot_freetext", m_annot_freetext),
    ("annot_link", m_annot_link),
    ("text_field", m_text_field),
    ("widget_appearance", m_widget_appearance),
    ("widget_rect_visible", m_widget_rect_visible),
    ("image_swap", m_image_swap),
    ("signature_dict_changed", m_signature_dict_changed),
    ("open_action_js", m_open_action_js),
    ("need_appearances", m_need_appearances),
    ("objstm_same_number", m_objstm_same_number),
    ("packed_page_rotate", m_packed_page_rotate),
    ("length_object_shrunk", m_length_object_shrunk),
    ("inherited_mediabox", m_inherited_mediabox),
    ("xobject_resource_added", m_xobject_resource_added),
    ("form_xobject_redefined", m_form_xobject_redefined),
    ("dss_hijack", m_dss_hijack),
    ("info_hijack", m_info_hijack),
    ("metadata_hijack", m_metadata_hijack),
    ("field_borrows_signature", m_field_borrows_signature),
    (
        "signature_field_visible_unsigned",
        m_signature_field_visible_unsigned,
    ),
    ("objstm_same_number_silent", m_objstm_same_number_silent),
    ("xref_to_old_definition", m_xref_to_old_definition),
    ("prev_skips_signature", m_prev_skips_signature),
    ("size_shrunk", m_size_shrunk),
    ("contents_of_other_page", m_contents_of_other_page),
    ("kids_duplicate_page", m_kids_duplicate_page),
    ("fields_emptied", m_fields_emptied),
    ("acroform_removed", m_acroform_removed),
    ("any_object_changed", m_any_object_changed),
    ("unsigned_field_appearance", m_unsigned_field_appearance),
    (
        "unsigned_field_borrows_signature",
        m_unsigned_field_borrows_signature,
    ),
    ("duplicate_key_trailer_root", m_duplicate_key_trailer_root),
    ("acroform_xfa", m_acroform_xfa),
    ("page_open_js", m_page_open_js),
    ("inherited_resources", m_inherited_resources),
];

// --- benign ---

/// A new document information dictionary (trailer /Info).
fn m_info_new(c: &mut Ctx) -> Option<String> {
    let n = c.add(dict(&[
        ("Title", Obj::Str(b"Cong van 123 (differential)".to_vec())),
        ("Producer", Obj::Str(b"kyso differential test".to_vec())),
    ]));
    c.set_trailer("Info", Some(rf(n)));
    Some(format!("/Info -> new {n}"))
}

/// The existing information dictionary redefined with another /Title.
fn m_info_redefine(c: &mut Ctx) -> Option<String> {
    let n = c.trailer("Info")?.as_ref_num()?;
    let mut d = c.get_dict(n)?;
    set(&mut d, "Title", Obj::Str(b"Title changed".to_vec()));
    c.put(n, Obj::Dict(d));
    Some(format!("Info {n} /Title"))
}

/// XMP metadata stream on the catalog.
fn m_xmp_metadata(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let xmp = concat!(
        "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>",
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'>",
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>",
        "<rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'>",
        "<dc:format>application/pdf</dc:format></rdf:Description></rdf:RDF></x:xmpmeta>",
        "<?xpacket end='w'?>"
    )
    .as_bytes()
    .to_vec();
    let m = c.add(Obj::Stream(
        vec![
            ("Type".into(), name("Metadata")),
            ("Subtype".into(), name("XML")),
        ],
        xmp,
    ));
    c.edit(root, &[], &mut |d| {
        set(d, "Metadata", rf(m));
        true
    })
    .then(|| format!("catalog {root} /Metadata -> {m}"))
}

/// New objects nothing refers to (a dictionary, an array, a stream that draws).
fn m_orphan_objects(c: &mut Ctx) -> Option<String> {
    let k = 1 + c.rng.below(3);
    let mut made = Vec::new();
    for i in 0..k {
        let o = match i {
            0 => dict(&[("Type", name("Page")), ("KysoOrphan", Obj::Bool(true))]),
            1 => Obj::Array(vec![int(1), int(2), Obj::Str(b"x".to_vec())]),
            _ => Obj::Stream(vec![], red_box(c.rng)),
        };
        made.push(c.add(o).to_string());
    }
    Some(format!("unreferenced {}", made.join(",")))
}

/// An empty (unsigned), invisible signature field on a page: allowed for later signers.
fn m_empty_signature_field(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let t = format!("Sig_empty_{}", c.rng.below(1000));
    let w = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Obj::Str(t.into_bytes())),
        ("Rect", nums(&[0.0, 0.0, 0.0, 0.0])),
        ("F", int(132)),
        ("P", rf(p)),
    ]));
    c.add_annot(p, w);
    c.add_field(w);
    Some(format!("widget {w} on page {p}"))
}

/// An existing object written again, byte for byte the same value.
fn m_identical_redefine(c: &mut Ctx) -> Option<String> {
    let candidates: Vec<u32> = c
        .doc
        .in_use()
        .into_iter()
        .filter(|n| {
            c.get(*n).is_some_and(|o| {
                let d = o.as_dict();
                !d.is_some_and(|d| {
                    get(d, "Type").is_some_and(|t| t.is_name("XRef") || t.is_name("ObjStm"))
                })
            })
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let n = *c.rng.pick(&candidates);
    let o = c.get(n)?;
    c.put(n, o);
    Some(format!("object {n}"))
}

/// An object holding literal strings written again with the same strings in hexadecimal form
/// (the same value, ISO 32000-1 §7.3.4).
fn m_identical_hex_strings(c: &mut Ctx) -> Option<String> {
    fn has_str(o: &Obj) -> bool {
        match o {
            Obj::Str(_) => true,
            Obj::Array(a) => a.iter().any(has_str),
            Obj::Dict(d) => d.iter().any(|(_, v)| has_str(v)),
            _ => false,
        }
    }
    fn to_hex(o: Obj) -> Obj {
        match o {
            Obj::Str(s) => Obj::Hex(s),
            Obj::Array(a) => Obj::Array(a.into_iter().map(to_hex).collect()),
            Obj::Dict(d) => Obj::Dict(d.into_iter().map(|(k, v)| (k, to_hex(v))).collect()),
            o => o,
        }
    }
    let candidates: Vec<u32> = c
        .doc
        .in_use()
        .into_iter()
        .filter(|n| {
            c.get(*n).is_some_and(|o| {
                has_str(&o) && o.as_dict().is_none_or(|d| get(d, "ByteRange").is_none())
            })
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let n = *c.rng.pick(&candidates);
    let o = to_hex(c.get(n)?);
    c.put(n, o);
    Some(format!("object {n}"))
}

/// An update that defines nothing.
fn m_empty_update(_: &mut Ctx) -> Option<String> {
    Some(String::new())
}

/// The second (changing) /ID string replaced.
fn m_trailer_id(c: &mut Ctx) -> Option<String> {
    let first = match c.trailer("ID") {
        Some(Obj::Array(a)) if !a.is_empty() => a[0].clone(),
        _ => Obj::Hex(vec![7; 16]),
    };
    let second: Vec<u8> = (0..16).map(|_| c.rng.next() as u8).collect();
    c.set_trailer("ID", Some(Obj::Array(vec![first, Obj::Hex(second)])));
    Some(String::new())
}

/// A key no reader knows in the trailer.
fn m_trailer_unknown_key(c: &mut Ctx) -> Option<String> {
    c.set_trailer("KysoUnknown", Some(Obj::Bool(true)));
    Some(String::new())
}

// --- page content ---

/// /Contents becomes an array: the old streams, then one drawing a red box.
fn m_content_append_array(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let mut list: Vec<Obj> = c.contents(&d).into_iter().map(rf).collect();
    let rect = red_box(c.rng);
    let s = c.add(Obj::Stream(vec![], rect));
    list.push(rf(s));
    set(&mut d, "Contents", Obj::Array(list));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p} + stream {s}"))
}

/// The content stream object redefined (same number) with `extra` appended.
fn redefine_content(c: &mut Ctx, extra: &[u8]) -> Option<String> {
    let (p, d) = c.page()?;
    let (n, mut sd, mut data) = c.content(&d)?;
    for k in ["Length", "Filter", "DecodeParms"] {
        remove(&mut sd, k);
    }
    data.extend_from_slice(b"\n");
    data.extend_from_slice(extra);
    data.extend_from_slice(b"\n");
    c.put(n, Obj::Stream(sd, data));
    Some(format!("page {p} stream {n}"))
}

/// Page content redefined to draw a red box on top.
fn m_content_replace(c: &mut Ctx) -> Option<String> {
    let rect = red_box(c.rng);
    redefine_content(c, &rect)
}

/// Page content redefined to paint white over the lower half (the signer block).
fn m_content_whiteout(c: &mut Ctx) -> Option<String> {
    redefine_content(c, b"q 1 1 1 rg 0 0 600 420 re f Q")
}

/// Page content redefined with an operator pair that draws nothing.
fn m_content_noop(c: &mut Ctx) -> Option<String> {
    redefine_content(c, b"q Q")
}

/// /Contents pointed to a new stream (the old content plus a red box).
fn m_content_new_object(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let (_, _, mut data) = c.content(&d)?;
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&red_box(c.rng));
    let s = c.add(Obj::Stream(vec![], data));
    set(&mut d, "Contents", rf(s));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p} /Contents -> {s}"))
}

// --- page geometry ---

fn m_mediabox(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let bx = *c.rng.pick(&[
        [0.0, 0.0, 300.0, 842.0],
        [0.0, 0.0, 842.0, 595.0],
        [0.0, 421.0, 595.0, 842.0],
    ]);
    set(&mut d, "MediaBox", nums(&bx));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p} {bx:?}"))
}

fn m_rotate(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let r = *c.rng.pick(&[90, 180, 270]);
    set(&mut d, "Rotate", int(r));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p} /Rotate {r}"))
}

fn m_cropbox(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    set(&mut d, "CropBox", nums(&[0.0, 0.0, 300.0, 420.0]));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p}"))
}

/// /MediaBox moved from the page to its /Parent, with another size (inheritance).
fn m_inherited_mediabox(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    remove(&mut d, "MediaBox")?;
    c.put(p, Obj::Dict(d));
    c.edit(parent, &[], &mut |pd| {
        set(pd, "MediaBox", nums(&[0.0, 0.0, 400.0, 400.0]));
        true
    })
    .then(|| format!("page {p}, parent {parent}"))
}

// --- resources and fonts: objects below the page, reached indirectly ---

/// One font removed from the page's font resources (its text disappears).
fn m_font_dropped(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let pick = c.rng.next() as usize;
    let mut gone = String::new();
    c.edit(p, &["Resources", "Font"], &mut |f| {
        if f.is_empty() {
            return false;
        }
        gone = f.remove(pick % f.len()).0;
        true
    })
    .then(|| format!("page {p} /{gone}"))
}

/// Two font resources swapped (the text is drawn in the wrong font).
fn m_fonts_swapped(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    c.edit(p, &["Resources", "Font"], &mut |f| {
        if f.len() < 2 {
            return false;
        }
        let v0 = f[0].1.clone();
        f[0].1 = f[1].1.clone();
        f[1].1 = v0;
        true
    })
    .then(|| format!("page {p}"))
}

/// One glyph width changed in a font's /Widths (an array element).
fn m_font_widths(c: &mut Ctx) -> Option<String> {
    let (_, d) = c.page()?;
    let fonts: Vec<u32> = c
        .fonts(&d)
        .into_iter()
        .filter(|f| c.get_dict(*f).is_some_and(|d| get(&d, "Widths").is_some()))
        .collect();
    if fonts.is_empty() {
        return None;
    }
    let f = *c.rng.pick(&fonts);
    let i = c.rng.next() as usize;
    c.edit(f, &[], &mut |fd| {
        if let Some((_, Obj::Array(w))) = fd.iter_mut().find(|(k, _)| k == "Widths") {
            for x in w.iter_mut().skip(i % 2).step_by(2) {
                *x = int(1500);
            }
            true
        } else {
            false
        }
    })
    .then(|| format!("font {f}"))
}

/// The font descriptors' /FontFile2 entries of two fonts, the first given the second's program.
fn font_files(c: &mut Ctx) -> Option<Vec<(u32, u32)>> {
    let (_, d) = c.page()?;
    let mut out = Vec::new();
    for f in c.fonts(&d) {
        let Some(fd) = c
            .get_dict(f)
            .and_then(|fd| get(&fd, "FontDescriptor").and_then(Obj::as_ref_num))
        else {
            continue;
        };
        if let Some(ff) = c
            .get_dict(fd)
            .and_then(|d| get(&d, "FontFile2").and_then(Obj::as_ref_num))
        {
            out.push((fd, ff));
        }
    }
    (out.len() >= 2).then_some(out)
}

/// A font descriptor pointed at another font's program.
fn m_font_program_swap(c: &mut Ctx) -> Option<String> {
    let files = font_files(c)?;
    let (a, b) = (files[0], files[1]);
    c.edit(a.0, &[], &mut |d| {
        set(d, "FontFile2", rf(b.1));
        true
    })
    .then(|| format!("descriptor {} -> program {}", a.0, b.1))
}

/// A font program stream redefined (same number) with another font's program.
fn m_font_file_replaced(c: &mut Ctx) -> Option<String> {
    let files = font_files(c)?;
    let (a, b) = (files[0], files[1]);
    let other = c.get(b.1)?;
    c.put(a.1, other);
    Some(format!("program {} := {}", a.1, b.1))
}

/// An unknown key on the page dictionary (draws nothing).
fn m_page_stray_key(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    set(&mut d, "KysoStray", Obj::Str(b"x".to_vec()));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p}"))
}

/// A form XObject added to the page's resources, not drawn.
fn m_xobject_resource_added(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let x = c.add(box_form(50.0, 50.0, "1 0 0"));
    let ok = c.edit(p, &["Resources"], &mut |r| {
        match r.iter_mut().find(|(k, _)| k == "XObject") {
            Some((_, Obj::Dict(xo))) => set(xo, "KysoX", rf(x)),
            _ => set(r, "XObject", dict(&[("KysoX", rf(x))])),
        }
        true
    });
    ok.then(|| format!("page {p} /KysoX {x}"))
}

// --- page tree ---

/// A new page (a copy of one, with a red box) appended to the page tree.
fn m_page_added(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    let rect = red_box(c.rng);
    let s = c.add(Obj::Stream(vec![], rect));
    set(&mut d, "Contents", rf(s));
    remove(&mut d, "Annots");
    let np = c.add(Obj::Dict(d));
    c.edit(parent, &[], &mut |pd| {
        if let Some((_, Obj::Array(k))) = pd.iter_mut().find(|(k, _)| k == "Kids") {
            k.push(rf(np));
        }
        let count = get(pd, "Count").and_then(Obj::as_int).unwrap_or(0);
        set(pd, "Count", int(count + 1));
        true
    })
    .then(|| format!("page {np} (copy of {p}) in {parent}"))
}

/// The last page removed from its parent's /Kids.
fn m_page_removed(c: &mut Ctx) -> Option<String> {
    let (_, d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    c.edit(parent, &[], &mut |pd| {
        let Some((_, Obj::Array(k))) = pd.iter_mut().find(|(k, _)| k == "Kids") else {
            return false;
        };
        if k.len() < 2 {
            return false;
        }
        k.pop();
        let count = get(pd, "Count").and_then(Obj::as_int).unwrap_or(1);
        set(pd, "Count", int(count - 1));
        true
    })
    .then(|| format!("parent {parent}"))
}

/// The first two pages swapped.
fn m_kids_reordered(c: &mut Ctx) -> Option<String> {
    let (_, d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    c.edit(parent, &[], &mut |pd| {
        let Some((_, Obj::Array(k))) = pd.iter_mut().find(|(k, _)| k == "Kids") else {
            return false;
        };
        if k.len() < 2 {
            return false;
        }
        k.swap(0, 1);
        true
    })
    .then(|| format!("parent {parent}"))
}

// --- cross-reference and trailer ---

/// An object marked free: page content, a font, resources, the page, /Info, or any.
fn m_object_freed(c: &mut Ctx) -> Option<String> {
    let (p, d) = c.page()?;
    let mut targets = vec![p];
    targets.extend(c.contents(&d));
    targets.extend(c.fonts(&d));
    if let Some(r) = get(&d, "Resources").and_then(Obj::as_ref_num) {
        targets.push(r);
    }
    if let Some(i) = c.trailer("Info").and_then(|i| i.as_ref_num()) {
        targets.push(i);
    }
    targets.push(*c.rng.pick(&c.doc.in_use()));
    let n = *c.rng.pick(&targets);
    c.up.objs.remove(&n);
    c.up.packed.remove(&n);
    c.up.freed.insert(n);
    Some(format!("object {n}"))
}

/// /Root pointed at a copy of the catalog (no object of the signed revision changes).
fn m_root_copy(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let cat = c.get(root)?;
    let n = c.add(cat);
    c.set_trailer("Root", Some(rf(n)));
    Some(format!("{root} -> {n}"))
}

/// /Root pointed at a new catalog whose new page tree shows a forged page.
fn m_root_copy_forged_pages(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let (p, _) = c.page()?;
    let mut cat = c.get_dict(root)?;
    let tree = c.forged_tree(p)?;
    set(&mut cat, "Pages", rf(tree));
    let n = c.add(Obj::Dict(cat));
    c.set_trailer("Root", Some(rf(n)));
    Some(format!("{root} -> {n}, pages {tree}"))
}

/// /Encrypt added to the trailer (the file now claims to be encrypted).
fn m_encrypt_added(c: &mut Ctx) -> Option<String> {
    let o: Vec<u8> = (0..32).map(|_| c.rng.next() as u8).collect();
    let u: Vec<u8> = (0..32).map(|_| c.rng.next() as u8).collect();
    let e = c.add(dict(&[
        ("Filter", name("Standard")),
        ("V", int(1)),
        ("R", int(2)),
        ("O", Obj::Hex(o)),
        ("U", Obj::Hex(u)),
        ("P", int(-4)),
    ]));
    c.set_trailer("Encrypt", Some(rf(e)));
    if c.trailer("ID").is_none() {
        c.set_trailer(
            "ID",
            Some(Obj::Array(vec![
                Obj::Hex(vec![1; 16]),
                Obj::Hex(vec![1; 16]),
            ])),
        );
    }
    Some(format!("/Encrypt {e}"))
}

/// Deeply nested arrays on the page (readers' recursion limits; what a depth cut-off misses),
/// the innermost pointing at a stream that draws.
fn m_deep_nesting(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let depth = *c.rng.pick(&[8usize, 40, 120, 400, 1200]);
    let rect = red_box(c.rng);
    let s = c.add(Obj::Stream(vec![], rect));
    let mut v = rf(s);
    for _ in 0..depth {
        v = Obj::Array(vec![v]);
    }
    let key = if c.rng.chance(50) {
        "KysoNest"
    } else {
        "PieceInfo"
    };
    set(&mut d, key, v);
    c.put(p, Obj::Dict(d));
    Some(format!("page {p} /{key} depth {depth}"))
}

/// The page dictionary with /Contents twice: the old value and a new stream (order random).
fn m_duplicate_key_contents(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let (_, _, mut data) = c.content(&d)?;
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&red_box(c.rng));
    let s = c.add(Obj::Stream(vec![], data));
    let at = d.iter().position(|(k, _)| k == "Contents")?;
    let first = c.rng.chance(50);
    d.insert(if first { at } else { at + 1 }, ("Contents".into(), rf(s)));
    c.put(p, Obj::Dict(d));
    Some(format!(
        "page {p} new {s} {}",
        if first { "first" } else { "last" }
    ))
}

/// The catalog with /Pages twice: the signed tree and a forged one (order random).
fn m_duplicate_key_pages(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let (p, _) = c.page()?;
    let tree = c.forged_tree(p)?;
    let mut cat = c.get_dict(root)?;
    let at = cat.iter().position(|(k, _)| k == "Pages")?;
    let first = c.rng.chance(50);
    cat.insert(if first { at } else { at + 1 }, ("Pages".into(), rf(tree)));
    c.put(root, Obj::Dict(cat));
    Some(format!(
        "catalog {root} forged {tree} {}",
        if first { "first" } else { "last" }
    ))
}

// --- annotations and form fields ---

fn add_box_annot(c: &mut Ctx, subtype: &str, flags: i64, extra: &[(&str, Obj)]) -> Option<String> {
    let (p, _) = c.page()?;
    let x = 50.0 + c.rng.below(300) as f64;
    let y = 100.0 + c.rng.below(500) as f64;
    let ap = c.add(box_form(120.0, 60.0, "1 0 0"));
    let mut entries = vec![
        ("Type", name("Annot")),
        ("Subtype", name(subtype)),
        ("Rect", nums(&[x, y, x + 120.0, y + 60.0])),
        ("F", int(flags)),
        ("P", rf(p)),
        ("AP", dict(&[("N", rf(ap))])),
    ];
    entries.extend(extra.iter().cloned());
    let a = c.add(dict(&entries));
    c.add_annot(p, a);
    Some(format!("annot {a} on page {p}"))
}

/// A visible square annotation with a red appearance.
fn m_annot_square(c: &mut Ctx) -> Option<String> {
    add_box_annot(c, "Square", 4, &[("C", nums(&[1.0, 0.0, 0.0]))])
}

/// The same, hidden (/F 2): nothing rendered.
fn m_annot_hidden(c: &mut Ctx) -> Option<String> {
    add_box_annot(c, "Square", 2, &[])
}

/// A free-text annotation (a note drawn on the page).
fn m_annot_freetext(c: &mut Ctx) -> Option<String> {
    add_box_annot(
        c,
        "FreeText",
        4,
        &[
            ("Contents", Obj::Str(b"5.000.000.000 dong".to_vec())),
            ("DA", Obj::Str(b"/Helv 12 Tf 1 0 0 rg".to_vec())),
        ],
    )
}

/// A link annotation with a URI action, no border (nothing drawn).
fn m_annot_link(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let a = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Link")),
        ("Rect", nums(&[50.0, 50.0, 300.0, 300.0])),
        ("Border", nums(&[0.0, 0.0, 0.0])),
        (
            "A",
            dict(&[
                ("S", name("URI")),
                ("URI", Obj::Str(b"http://127.0.0.1/x".to_vec())),
            ]),
        ),
    ]));
    c.add_annot(p, a);
    Some(format!("annot {a} on page {p}"))
}

/// A filled text field with a visible appearance (form filling without a certification).
fn m_text_field(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let ap = c.add(box_form(150.0, 30.0, "1 0 0"));
    let f = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Tx")),
        ("T", Obj::Str(b"SoTien".to_vec())),
        ("V", Obj::Str(b"5.000.000.000".to_vec())),
        ("Rect", nums(&[300.0, 500.0, 450.0, 530.0])),
        ("F", int(4)),
        ("P", rf(p)),
        ("AP", dict(&[("N", rf(ap))])),
    ]));
    c.add_annot(p, f);
    c.add_field(f);
    Some(format!("field {f} on page {p}"))
}

/// A signed field's widget (field and widget merged) found through the form.
fn sig_widget(c: &Ctx) -> Option<(u32, Dict)> {
    c.fields().into_iter().find_map(|f| {
        let d = c.get_dict(f)?;
        (get(&d, "FT")?.is_name("Sig") && get(&d, "Rect").is_some() && get(&d, "V").is_some())
            .then_some((f, d))
    })
}

/// The signed field's widget given a new appearance (a red box).
fn m_widget_appearance(c: &mut Ctx) -> Option<String> {
    let (w, mut d) = sig_widget(c)?;
    let rect: Vec<f64> = match get(&d, "Rect") {
        Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_f64).collect(),
        _ => return None,
    };
    let (bw, bh) = (
        (rect.get(2)? - rect.first()?).abs().max(1.0),
        (rect.get(3)? - rect.get(1)?).abs().max(1.0),
    );
    let ap = c.add(box_form(bw, bh, "1 0 0"));
    set(&mut d, "AP", dict(&[("N", rf(ap))]));
    c.put(w, Obj::Dict(d));
    Some(format!("widget {w} /AP {ap}"))
}

/// The signed field's widget moved onto the page, visible, with a red appearance.
fn m_widget_rect_visible(c: &mut Ctx) -> Option<String> {
    let (w, mut d) = sig_widget(c)?;
    let ap = c.add(box_form(200.0, 100.0, "1 0 0"));
    set(&mut d, "Rect", nums(&[100.0, 300.0, 300.0, 400.0]));
    set(&mut d, "F", int(4));
    set(&mut d, "AP", dict(&[("N", rf(ap))]));
    c.put(w, Obj::Dict(d));
    Some(format!("widget {w}"))
}

/// An image XObject redefined (same number) with a red picture.
fn m_image_swap(c: &mut Ctx) -> Option<String> {
    let images: Vec<u32> = c
        .doc
        .in_use()
        .into_iter()
        .filter(|n| {
            matches!(c.doc.xref.get(n), Some(Loc::Offset(_)))
                && c.get(*n).is_some_and(|o| {
                    o.as_dict()
                        .and_then(|d| get(d, "Subtype"))
                        .is_some_and(|s| s.is_name("Image"))
                })
        })
        .collect();
    if images.is_empty() {
        return None;
    }
    let n = *c.rng.pick(&images);
    let mut d: Dict = vec![
        ("Type".into(), name("XObject")),
        ("Subtype".into(), name("Image")),
        ("Width".into(), int(4)),
        ("Height".into(), int(4)),
        ("ColorSpace".into(), name("DeviceRGB")),
        ("BitsPerComponent".into(), int(8)),
    ];
    d.push(("Interpolate".into(), Obj::Bool(false)));
    let data: Vec<u8> = (0..16).flat_map(|_| [255u8, 0, 0]).collect();
    c.put(n, Obj::Stream(d, data));
    Some(format!("image {n}"))
}

/// The signature dictionary redefined with another /Reason (/Contents unchanged).
fn m_signature_dict_changed(c: &mut Ctx) -> Option<String> {
    let (_, w) = sig_widget(c)?;
    let v = get(&w, "V")?.as_ref_num()?;
    let mut d = c.get_dict(v)?;
    set(
        &mut d,
        "Reason",
        Obj::Str(b"Changed after signing".to_vec()),
    );
    c.put(v, Obj::Dict(d));
    Some(format!("signature {v}"))
}

/// JavaScript run on opening.
fn m_open_action_js(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    c.edit(root, &[], &mut |d| {
        set(
            d,
            "OpenAction",
            dict(&[
                ("S", name("JavaScript")),
                ("JS", Obj::Str(b"app.alert('x')".to_vec())),
            ]),
        );
        true
    })
    .then(|| format!("catalog {root}"))
}

/// /NeedAppearances true: viewers regenerate field appearances.
fn m_need_appearances(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    c.edit(root, &["AcroForm"], &mut |d| {
        set(d, "NeedAppearances", Obj::Bool(true));
        true
    })
    .then(|| format!("catalog {root}"))
}

/// Changes an object-stream member so that it shows: a page tree node turned (inherited
/// /Rotate), a font's widths, a resource dictionary without its first font, else a stray key.
fn tweak(o: &mut Obj) {
    let Obj::Dict(d) = o else { return };
    if get(d, "Kids").is_some() || get(d, "MediaBox").is_some() {
        set(d, "Rotate", int(180));
    } else if let Some((_, Obj::Array(w))) = d.iter_mut().find(|(k, _)| k == "Widths") {
        for x in w.iter_mut() {
            *x = int(1500);
        }
    } else if let Some((_, Obj::Dict(f))) = d.iter_mut().find(|(k, _)| k == "Font") {
        if !f.is_empty() {
            f.remove(0);
        }
    } else {
        set(d, "KysoStray", Obj::Bool(true));
    }
}

/// Members of object stream `s` that are still current (not redefined since), by index.
fn live_members(c: &Ctx, s: u32) -> Vec<u32> {
    let mut m: Vec<(u32, u32)> = c
        .doc
        .xref
        .iter()
        .filter_map(|(n, l)| match l {
            Loc::Packed(st, i) if *st == s => Some((*i, *n)),
            _ => None,
        })
        .collect();
    m.sort();
    m.into_iter().map(|x| x.1).collect()
}

/// An object stream redefined under its own number, one live member changed (see [`tweak`]);
/// every other member is carried over so that old entries still resolve.
fn m_objstm_same_number(c: &mut Ctx) -> Option<String> {
    let streams = c.doc.object_streams();
    if streams.is_empty() {
        return None;
    }
    let s = *c.rng.pick(&streams);
    let members = live_members(c, s);
    if members.is_empty() {
        return None;
    }
    let target = *c.rng.pick(&members);
    if c.up.objs.contains_key(&s) {
        return None;
    }
    c.up.xref_stream = true;
    c.up.packed_as = Some(s);
    let saved_pack = c.up.pack;
    c.up.pack = true;
    for n in &members {
        if c.up.objs.contains_key(n) || c.up.freed.contains(n) {
            continue;
        }
        let Some(mut o) = c.get(*n) else { continue };
        if *n == target {
            tweak(&mut o);
        }
        c.put(*n, o);
    }
    c.up.pack = saved_pack;
    Some(format!("object stream {s}, member {target}"))
}

/// A page redefined inside a new object stream, rotated.
fn m_packed_page_rotate(c: &mut Ctx) -> Option<String> {
    c.up.xref_stream = true;
    c.up.pack = true;
    let (p, mut d) = c.page()?;
    set(&mut d, "Rotate", int(90));
    c.put(p, Obj::Dict(d));
    Some(format!("page {p}"))
}

/// The indirect /Length of a content stream redefined to half its value (the stream is cut).
fn m_length_object_shrunk(c: &mut Ctx) -> Option<String> {
    let (_, d) = c.page()?;
    let n = *c.contents(&d).first()?;
    let Obj::Stream(sd, _) = c.get(n)? else {
        return None;
    };
    let l = get(&sd, "Length")?.as_ref_num()?;
    let v = c.get(l)?.as_int()?;
    c.put(l, int(v / 2));
    Some(format!("length {l} of stream {n}: {v} -> {}", v / 2))
}

// ---------------------------------------------------------------------------------------------
// Cases: a base document and 1–3 updates of 1–3 mutations each, all drawn from the seed.
// ---------------------------------------------------------------------------------------------

/// A kyso-signed document the mutations start from.
struct Base {
    name: &'static str,
    bytes: Vec<u8>,
    /// pyHanko reads hybrid-reference files only when not strict.
    strict: bool,
    /// The rendering of each signed revision, by the end of its /ByteRange.
    renders: Vec<(usize, Pages)>,
}

type Pages = Vec<Vec<u8>>;

struct Case {
    seed: u64,
    base: usize,
    bytes: Vec<u8>,
    /// One line per update: its xref kind and mutations.
    log: Vec<String>,
    kinds: BTreeSet<&'static str>,
}

fn make_case(seed: u64, bases: &[Base]) -> Case {
    let mut rng = Rng::new(seed);
    let base = rng.below(bases.len());
    let mut bytes = bases[base].bytes.clone();
    let mut log = Vec::new();
    let mut kinds = BTreeSet::new();
    let updates = *rng.pick(&[1, 1, 1, 1, 2, 2, 2, 3]);
    for u in 0..updates {
        let doc = Doc::parse(bytes.clone())
            .unwrap_or_else(|e| panic!("seed {seed}: own update unreadable: {e}"));
        // Now and then the first update is one whose xref chain is the attack.
        if u == 0 && rng.chance(10) {
            let (kind, special): (&'static str, Special) = if rng.chance(50) {
                ("gap_hidden_xref", special_gap_xref)
            } else {
                ("prev_forward", special_prev_forward)
            };
            if let Some((b, what)) = special(&doc, &mut rng) {
                kinds.insert(kind);
                log.push(format!("update 1: xref table [{kind}({what})]"));
                bytes = b;
                continue;
            }
        }
        let xref_stream = rng.chance(if doc.object_streams().is_empty() {
            30
        } else {
            70
        });
        let up = Update {
            xref_stream,
            compress_xref: rng.chance(50),
            pack: xref_stream && rng.chance(25),
            next: doc.size(),
            ..Update::default()
        };
        let mut c = Ctx {
            doc: &doc,
            up,
            rng: &mut rng,
        };
        let ops = *c.rng.pick(&[1, 1, 1, 2, 2, 3]);
        let mut done = Vec::new();
        for _ in 0..ops {
            for _attempt in 0..12 {
                let focus: Vec<(&'static str, Mutation)> = FOCUS
                    .iter()
                    .filter(|f| f.0 == bases[base].name)
                    .flat_map(|f| f.1.iter())
                    .filter_map(|k| ATTACKS.iter().find(|a| a.0 == *k).copied())
                    .collect();
                let (kind, m) = if !focus.is_empty() && c.rng.chance(30) {
                    *c.rng.pick(&focus)
                } else if c.rng.chance(35) {
                    *c.rng.pick(BENIGN)
                } else {
                    *c.rng.pick(ATTACKS)
                };
                if let Some(what) = m(&mut c) {
                    kinds.insert(kind);
                    done.push(if what.is_empty() {
                        kind.to_string()
                    } else {
                        format!("{kind}({what})")
                    });
                    break;
                }
            }
        }
        let up = c.up;
        log.push(format!(
            "update {}: {}{}{} [{}]",
            u + 1,
            if up.xref_stream {
                "xref stream"
            } else {
                "xref table"
            },
            if up.compress_xref && up.xref_stream {
                ", deflated"
            } else {
                ""
            },
            if up.packed.is_empty() {
                ""
            } else {
                ", object stream"
            },
            done.join("; ")
        ));
        bytes = write_update(&doc, &up);
    }
    // The mutated file must stay readable by the grammar's own reader (xref offsets right).
    let doc = Doc::parse(bytes.clone())
        .unwrap_or_else(|e| panic!("seed {seed}: mutated file unreadable: {e}"));
    for (n, loc) in &doc.xref {
        if let Loc::Offset(_) = loc {
            assert!(
                doc.get(*n).is_some(),
                "seed {seed}: object {n} not where its xref entry says"
            );
        }
    }
    Case {
        seed,
        base,
        bytes,
        log,
        kinds,
    }
}

// ---------------------------------------------------------------------------------------------
// Tools: kyso (with a time limit), pdftoppm, pyHanko.
// ---------------------------------------------------------------------------------------------

enum Verdict {
    /// Exit 0: every signature TOTAL-PASSED. The end of each signature's /ByteRange.
    Passed(Vec<usize>),
    /// Exit 1, 3 or 4 with a JSON report or error.
    Refused(i32, String),
    /// Killed by a signal, another exit code, no JSON, or over the time limit.
    Broken(String),
}

fn verify(pdf: &Path) -> Verdict {
    let out = pdf.with_extension("json");
    let err = pdf.with_extension("err");
    let mut child = kyso()
        .arg("verify")
        .arg(pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run kyso");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(VERIFY_TIMEOUT) {
            let _ = child.kill();
            let _ = child.wait();
            return Verdict::Broken(format!("kyso verify over {VERIFY_TIMEOUT} s"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = std::fs::read(&out).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err).unwrap_or_default()).into_owned();
    let Some(code) = status.code() else {
        return Verdict::Broken(format!("kyso verify died: {status} {}", tail(&stderr)));
    };
    let json: Option<serde_json::Value> = serde_json::from_slice(&stdout).ok();
    match (code, json) {
        (0, Some(j)) => {
            let ends = j["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    let br = s["byte_range"].as_array()?;
                    Some((br.get(2)?.as_u64()? + br.get(3)?.as_u64()?) as usize)
                })
                .collect();
            Verdict::Passed(ends)
        }
        (1 | 3 | 4, Some(j)) => {
            let why = j["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    let refused: Vec<String> = s["modifications"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|m| m["allowed"] == false)
                        .take(2)
                        .map(|m| m["description"].as_str().unwrap_or("?").to_string())
                        .collect();
                    format!(
                        "{}/{}{}",
                        s["sub_indication"].as_str().unwrap_or("-"),
                        s["kyso_reason"].as_str().unwrap_or("-"),
                        if refused.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", refused.join("; "))
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(",");
            Verdict::Refused(code, why)
        }
        (1 | 3 | 4, None) => Verdict::Refused(code, tail(&stderr)),
        (c, _) => Verdict::Broken(format!("kyso verify exit {c}: {}", tail(&stderr))),
    }
}

fn tail(s: &str) -> String {
    let s = s.trim();
    let start = s.len().saturating_sub(300);
    let start = (start..=s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    s[start..].replace('\n', " | ")
}

/// Poppler's rendering of `pdf`, page by page (PPM bytes), or its error; and its stderr.
fn render(pdf: &Path, work: &Path) -> (Result<Pages, String>, String) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = work.join(format!("render-{}", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new("pdftoppm")
        .args(["-r", DPI])
        .arg(pdf)
        .arg(dir.join("p"))
        .stdin(Stdio::null())
        .output()
        .expect("run pdftoppm");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let pages = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let _ = std::fs::remove_dir_all(&dir);
    if !o.status.success() {
        return (
            Err(format!(
                "pdftoppm exit {:?}: {}",
                o.status.code(),
                tail(&stderr)
            )),
            stderr,
        );
    }
    (Ok(pages), stderr)
}

/// pyHanko's judgement of every signature, one JSON line per file.
const PYHANKO_SCRIPT: &str = r#"
import sys, json
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext
root = load_cert_from_pemder(sys.argv[1])
def check(path, strict):
    out = {"file": path, "sigs": []}
    try:
        with open(path, "rb") as f:
            r = PdfFileReader(f, strict=strict)
            for s in r.embedded_regular_signatures:
                vc = ValidationContext(trust_roots=[root], allow_fetching=False,
                                       revocation_mode="soft-fail")
                st = validate_pdf_signature(s, vc)
                dr = st.diff_result
                lvl = st.modification_level
                out["sigs"].append({
                    "field": s.field_name, "intact": st.intact, "valid": st.valid,
                    "trusted": st.trusted,
                    "coverage": st.coverage.name if st.coverage is not None else None,
                    "level": lvl.name if lvl is not None else None,
                    "docmdp_ok": st.docmdp_ok,
                    "suspicious": None if dr is None or hasattr(dr, "modification_level")
                                  else str(dr)[:300],
                })
    except Exception as e:
        out["error"] = (type(e).__name__ + ": " + str(e))[:300]
    return out
for line in sys.stdin:
    line = line.rstrip("\n")
    if line:
        strict, path = line.split(" ", 1)
        print(json.dumps(check(path, strict == "1")), flush=True)
"#;

/// pyHanko over many files in one process: path → result.
fn pyhanko(files: &[(PathBuf, bool)], work: &Path) -> HashMap<PathBuf, serde_json::Value> {
    let script = work.join("pyhanko_check.py");
    std::fs::write(&script, PYHANKO_SCRIPT).unwrap();
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(pki("root.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run python3");
    let mut input = String::new();
    for (f, strict) in files {
        writeln!(input, "{} {}", u8::from(*strict), f.display()).unwrap();
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(o.status.success(), "the pyHanko script failed");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (PathBuf::from(v["file"].as_str().unwrap()), v)
        })
        .collect()
}

/// Why pyHanko disagrees with a pass, if it does.
fn pyhanko_objection(v: &serde_json::Value, kyso_sigs: usize) -> Option<String> {
    if let Some(e) = v["error"].as_str() {
        return Some(format!("pyHanko cannot validate: {e}"));
    }
    let sigs = v["sigs"].as_array().unwrap();
    if sigs.len() != kyso_sigs {
        return Some(format!(
            "pyHanko sees {} signatures, kyso {kyso_sigs}",
            sigs.len()
        ));
    }
    for s in sigs {
        if s["intact"] != true || s["valid"] != true {
            return Some(format!("pyHanko: {} not intact/valid", s["field"]));
        }
        if s["level"] == "OTHER" || s["docmdp_ok"] == false {
            return Some(format!(
                "pyHanko: {} modification level {} ({})",
                s["field"],
                s["level"],
                s["suspicious"].as_str().unwrap_or("disallowed")
            ));
        }
    }
    None
}

/// Why the pixels disagree with a pass, if they do.
fn pixel_objection(
    whole: &Result<Pages, String>,
    ends: &[usize],
    base: &Base,
    case: &Path,
    work: &Path,
) -> Option<String> {
    let whole = match whole {
        Ok(p) => p,
        Err(e) => return Some(format!("Poppler cannot render the file: {e}")),
    };
    for end in ends {
        let signed = match base.renders.iter().find(|r| r.0 == *end) {
            Some(r) => r.1.clone(),
            None => {
                let bytes = std::fs::read(case).unwrap();
                let prefix = case.with_extension(format!("rev{end}.pdf"));
                std::fs::write(&prefix, &bytes[..(*end).min(bytes.len())]).unwrap();
                match render(&prefix, work).0 {
                    Ok(p) => p,
                    Err(e) => return Some(format!("signed revision unrenderable: {e}")),
                }
            }
        };
        if signed.len() != whole.len() {
            return Some(format!(
                "Poppler: {} pages signed, {} now",
                signed.len(),
                whole.len()
            ));
        }
        if let Some(i) = (0..whole.len()).find(|i| signed[*i] != whole[*i]) {
            return Some(format!(
                "Poppler: page {} differs from the revision signed up to byte {end}",
                i + 1
            ));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------------------------

/// (name, source document, key, extra `kyso sign` arguments, pyHanko strict).
const BASES: &[(&str, &str, &str, &[&str], bool)] = &[
    // LibreOffice, one classic table, indirect /Length everywhere.
    ("congvan", "docs/congvan.pdf", "leader.p12", &[], true),
    // qpdf's classic rewrite, an ECDSA signer.
    (
        "congvan-classic",
        "docs/congvan-classic.pdf",
        "ecdsa.p12",
        &[],
        true,
    ),
    // qpdf --object-streams=generate: xref stream and object streams only.
    (
        "congvan-objstm",
        "docs/congvan-objstm.pdf",
        "agency.p12",
        &[],
        true,
    ),
    // Three pages, object streams made here by qpdf before signing.
    (
        "quyetdinh-objstm",
        "quyetdinh-objstm.pdf",
        "leader.p12",
        &[],
        true,
    ),
    // Three pages, classic table.
    (
        "quyetdinh",
        "docs/quyetdinh-multipage.pdf",
        "agency.p12",
        &[],
        true,
    ),
    // Signed by pyHanko first, then by kyso: two producers, two signatures.
    (
        "pyhanko-then-kyso",
        "docs/congvan-signed-pyhanko.pdf",
        "leader.p12",
        &[],
        true,
    ),
    // A visible leader signature with a picture (an image XObject to swap).
    (
        "congvan-visible",
        "docs/congvan.pdf",
        "leader.p12",
        &["--role", "leader", "--image", "IMAGE"],
        true,
    ),
    // An empty signature field for a second signer in the signed revision.
    (
        "congvan-empty-field",
        "congvan-empty-field.pdf",
        "leader.p12",
        &["--field", "Signature1"],
        true,
    ),
    // Hybrid-reference file (table + /XRefStm).
    (
        "congvan-hybrid",
        "docs/congvan-hybrid.pdf",
        "ecdsa384.p12",
        &[],
        false,
    ),
];

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        let v = v.trim();
        v.strip_prefix("0x")
            .map(|h| u64::from_str_radix(h, 16))
            .unwrap_or_else(|| v.parse())
            .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
    })
}

fn tools_present() -> bool {
    let mut ok = true;
    for t in ["pdftoppm", "qpdf", "pyhanko"] {
        ok &= have_tool(t);
    }
    if ok {
        let py = Command::new("python3")
            .args(["-c", "import pyhanko.sign.validation"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !py {
            if std::env::var("KYSO_REQUIRE_TOOLS").as_deref() == Ok("1") {
                panic!("python3 cannot import pyhanko (run scripts/install-test-deps.sh)");
            }
            eprintln!("SKIP: python3 cannot import pyhanko");
        }
        ok &= py;
    }
    ok
}

/// Signs every base, checks that kyso passes it and that pyHanko and Poppler agree.
fn prepare_bases(work: &Path) -> Vec<Base> {
    let objstm = work.join("quyetdinh-objstm.pdf");
    let q = Command::new("qpdf")
        .arg("--object-streams=generate")
        .arg(fixture("docs/quyetdinh-multipage.pdf"))
        .arg(&objstm)
        .status()
        .unwrap();
    assert!(q.success(), "qpdf --object-streams=generate failed");
    std::fs::write(
        work.join("congvan-empty-field.pdf"),
        with_empty_field(&fixture("docs/congvan.pdf")),
    )
    .unwrap();
    let image = fixture("images/signature-blue.png");
    let mut bases = Vec::new();
    for (name, src, key, extra, strict) in BASES {
        let input = if src.starts_with("docs/") {
            fixture(src)
        } else {
            work.join(src)
        };
        let extra: Vec<String> = extra
            .iter()
            .map(|a| {
                if *a == "IMAGE" {
                    image.to_string_lossy().into_owned()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = work.join(format!("base-{name}.pdf"));
        sign(&input, &out, key, &extra);
        let Verdict::Passed(ends) = verify(&out) else {
            panic!("base {name}: kyso does not pass its own signed file");
        };
        let bytes = std::fs::read(&out).unwrap();
        let (whole, _) = render(&out, work);
        let whole = whole.unwrap_or_else(|e| panic!("base {name}: {e}"));
        let mut renders = Vec::new();
        for end in ends {
            let rev = work.join(format!("base-{name}-rev{end}.pdf"));
            std::fs::write(&rev, &bytes[..end]).unwrap();
            let pages = render(&rev, work)
                .0
                .unwrap_or_else(|e| panic!("base {name}: {e}"));
            assert_eq!(
                pages, whole,
                "base {name}: signing changed the rendering of the revision ending at {end}"
            );
            renders.push((end, pages));
        }
        bases.push(Base {
            name,
            bytes,
            strict: *strict,
            renders,
        });
    }
    bases
}

struct Outcome {
    verdict: Verdict,
    /// Rendering of the whole file: for passes, and for the sample that checks the oracles.
    whole: Option<(Result<Pages, String>, String)>,
}

#[test]
fn differential_oracles_agree_with_every_pass() {
    if !tools_present() {
        return;
    }
    // The grammar nests objects deeper than the default test stack lets a recursive parser go.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run_differential)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn run_differential() {
    let started = Instant::now();
    let work_dir = tempfile::tempdir().unwrap();
    let work = work_dir.path();
    let bases = prepare_bases(work);

    let first = env_u64("KYSO_DIFF_SEED").unwrap_or(0);
    let count = env_u64("KYSO_DIFF_CASES").unwrap_or(DEFAULT_CASES);
    let mut seeds: Vec<u64> = (first..first + count).collect();
    if std::env::var("KYSO_DIFF_SEED").is_err() {
        seeds.extend(REGRESSION_SEEDS.iter().filter(|s| **s >= first + count));
    }
    // Every sixth case is rendered whatever kyso says: proof that the grammar's updates are
    // read by Poppler and that the oracles see changes at all.
    let sampled = |seed: u64| seed.is_multiple_of(6);

    let prepared = started.elapsed();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Case, Outcome)>>> =
        Mutex::new((0..seeds.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..2 {
            std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(seed) = seeds.get(i) else { break };
                    let case = make_case(*seed, &bases);
                    let path = work.join(format!("case-{}.pdf", case.seed));
                    std::fs::write(&path, &case.bytes).unwrap();
                    let verdict = verify(&path);
                    let whole = (matches!(verdict, Verdict::Passed(_)) || sampled(case.seed))
                        .then(|| render(&path, work));
                    results.lock().unwrap()[i] = Some((case, Outcome { verdict, whole }));
                })
                .unwrap();
        }
    });
    let (cases, outcomes): (Vec<Case>, Vec<Outcome>) = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("a worker died: see its panic above"))
        .unzip();
    let verified = started.elapsed();

    // pyHanko on every pass and on the sample, plus the bases.
    let mut to_check: Vec<(PathBuf, bool)> = Vec::new();
    for b in &bases {
        to_check.push((work.join(format!("base-{}.pdf", b.name)), b.strict));
    }
    for (case, out) in cases.iter().zip(&outcomes) {
        if matches!(out.verdict, Verdict::Passed(_)) || sampled(case.seed) {
            to_check.push((
                work.join(format!("case-{}.pdf", case.seed)),
                bases[case.base].strict,
            ));
        }
    }
    let ph = pyhanko(&to_check, work);
    for b in &bases {
        let v = &ph[&work.join(format!("base-{}.pdf", b.name))];
        assert_eq!(
            pyhanko_objection(v, b.renders.len()),
            None,
            "base {}: pyHanko disagrees with kyso on the unmodified file: {v}",
            b.name
        );
    }

    // Judge every case (KYSO_DIFF_VERBOSE=1: print each, and keep every file in
    // target/test-artifacts/differential/all/).
    let verbose = std::env::var("KYSO_DIFF_VERBOSE").is_ok_and(|v| v == "1");
    let mut report = String::new();
    let mut failures: Vec<(u64, String)> = Vec::new();
    let mut agreed_passes: Vec<u64> = Vec::new();
    // Cases made of benign updates only that kyso refuses (not a failure: too strict at most).
    let mut benign_refused: Vec<String> = Vec::new();
    // kind → [cases, kyso passes, disagreements]
    let mut per_kind: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let (mut passes, mut refused, mut broken) = (0, 0, 0);
    let (mut s_total, mut s_rendered, mut s_changed, mut s_other, mut s_xref_errors) =
        (0, 0, 0, 0, Vec::new());
    for (case, out) in cases.iter().zip(&outcomes) {
        let base = &bases[case.base];
        let path = work.join(format!("case-{}.pdf", case.seed));
        let mut objections = Vec::new();
        let verdict_text = match &out.verdict {
            Verdict::Passed(ends) => {
                passes += 1;
                let (whole, _) = out.whole.as_ref().unwrap();
                objections.extend(pixel_objection(whole, ends, base, &path, work));
                objections.extend(pyhanko_objection(&ph[&path], ends.len()));
                "TOTAL-PASSED".to_string()
            }
            Verdict::Refused(code, why) => {
                refused += 1;
                format!("exit {code} {why}")
            }
            Verdict::Broken(why) => {
                broken += 1;
                objections.push(why.clone());
                "BROKEN".to_string()
            }
        };
        if sampled(case.seed) {
            s_total += 1;
            let (whole, stderr) = out.whole.as_ref().unwrap();
            if let Ok(pages) = whole {
                s_rendered += 1;
                let last = &base.renders.last().unwrap().1;
                if pages != last {
                    s_changed += 1;
                }
            }
            // Kinds that break the xref chain on purpose make Poppler rebuild it: expected.
            if stderr.to_ascii_lowercase().contains("xref")
                && !case.kinds.iter().any(|k| BREAK_XREF.contains(k))
            {
                s_xref_errors.push(format!("seed {}: {}", case.seed, tail(stderr)));
            }
            if pyhanko_objection(&ph[&path], base.renders.len()).is_some() {
                s_other += 1;
            }
        }
        for k in &case.kinds {
            let e = per_kind.entry(k).or_default();
            e[0] += 1;
            if matches!(out.verdict, Verdict::Passed(_)) {
                e[1] += 1;
            }
            if !objections.is_empty() {
                e[2] += 1;
            }
        }
        if verbose {
            let all = repo().join("target/test-artifacts/differential/all");
            std::fs::create_dir_all(&all).unwrap();
            std::fs::write(all.join(format!("seed-{}.pdf", case.seed)), &case.bytes).unwrap();
            eprintln!(
                "seed {} (base {}): kyso {verdict_text}; {}\n    {}",
                case.seed,
                base.name,
                objections.join("; "),
                case.log.join("\n    ")
            );
        }
        if let Verdict::Refused(_, why) = &out.verdict {
            if case
                .kinds
                .iter()
                .all(|k| BENIGN.iter().any(|(b, _)| b == k))
            {
                benign_refused.push(format!("seed {} ({}): {why}", case.seed, base.name));
            }
        }
        if objections.is_empty() {
            if matches!(out.verdict, Verdict::Passed(_)) {
                agreed_passes.push(case.seed);
            }
            continue;
        }
        let text = format!(
            "seed {} (base {}): kyso {verdict_text}; {}\n    {}",
            case.seed,
            base.name,
            objections.join("; "),
            case.log.join("\n    ")
        );
        failures.push((case.seed, text));
    }

    // Artifacts of every failure (re-creatable from the seed anyway).
    let artifacts = repo().join("target/test-artifacts/differential");
    if !failures.is_empty() {
        std::fs::create_dir_all(&artifacts).unwrap();
    }
    for (seed, text) in &failures {
        let case = cases.iter().find(|c| c.seed == *seed).unwrap();
        std::fs::write(artifacts.join(format!("seed-{seed}.pdf")), &case.bytes).unwrap();
        std::fs::write(artifacts.join(format!("seed-{seed}.txt")), text).unwrap();
    }

    writeln!(
        report,
        "differential: {} cases on {} bases, {} mutation kinds; kyso passed {passes}, refused \
         {refused}, broke on {broken}; oracles objected to {} ({:.1?} signing the bases, {:.1?} \
         mutating, verifying and rendering, {:.1?} in all)",
        cases.len(),
        bases.len(),
        per_kind.len(),
        failures.len(),
        prepared,
        verified - prepared,
        started.elapsed()
    )
    .unwrap();
    writeln!(
        report,
        "{:<26} {:>6} {:>12} {:>14}",
        "kind", "cases", "kyso passed", "oracles object"
    )
    .unwrap();
    for (k, [n, p, d]) in &per_kind {
        writeln!(report, "{k:<26} {n:>6} {p:>12} {d:>14}").unwrap();
    }
    writeln!(
        report,
        "sample: {s_total} files rendered whatever kyso said: {s_rendered} readable by Poppler, \
         {s_changed} render differently from the signed revision, pyHanko objects to {s_other}"
    )
    .unwrap();
    let (known, unexpected): (Vec<_>, Vec<_>) = failures
        .iter()
        .partition(|(s, _)| KNOWN_UNFIXED.contains(s));
    for (_, t) in &known {
        writeln!(report, "KNOWN UNFIXED {t}").unwrap();
    }
    for (_, t) in &unexpected {
        writeln!(report, "FAILURE {t}").unwrap();
    }
    let fixed: Vec<u64> = KNOWN_UNFIXED
        .iter()
        .copied()
        .filter(|s| seeds.contains(s) && !failures.iter().any(|f| f.0 == *s))
        .collect();
    if !fixed.is_empty() {
        writeln!(
            report,
            "no longer failing, remove from KNOWN_UNFIXED: {fixed:?}"
        )
        .unwrap();
    }
    writeln!(report, "passes the oracles agree with: {agreed_passes:?}").unwrap();
    writeln!(
        report,
        "benign-only cases kyso refuses ({}; not a failure):",
        benign_refused.len()
    )
    .unwrap();
    for b in benign_refused.iter().take(40) {
        writeln!(report, "  {b}").unwrap();
    }
    eprintln!("{report}");

    // Self-checks: the grammar is varied, Poppler reads its files, the oracles see changes.
    if count >= 500 {
        assert!(
            per_kind.len() >= 60,
            "only {} mutation kinds",
            per_kind.len()
        );
        assert!(s_total >= 80, "sample of {s_total}");
        assert!(
            s_rendered * 10 >= s_total * 8,
            "Poppler renders only {s_rendered} of {s_total} sampled files"
        );
        assert!(
            s_changed >= 20,
            "only {s_changed} sampled files render differently"
        );
        assert!(
            s_other >= 20,
            "pyHanko objects to only {s_other} sampled files"
        );
        assert!(
            agreed_passes.len() >= 20,
            "kyso and the oracles agree on only {} passes: the oracles hardly ran",
            agreed_passes.len()
        );
    }
    assert!(
        s_xref_errors.is_empty(),
        "Poppler complains about the grammar's cross-reference sections:\n{}",
        s_xref_errors.join("\n")
    );
    let list: Vec<u64> = unexpected.iter().map(|f| f.0).collect();
    assert!(
        unexpected.is_empty(),
        "kyso says TOTAL-PASSED where an oracle disagrees (or kyso broke) for seeds {list:?}; \
         see the report above and target/test-artifacts/differential/"
    );
}

// --- objects dressed up in an allowed role ---

/// A DSS (validation data store) with an empty certificate list: what B-LT adds.
fn m_dss_added(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let cert = c.add(Obj::Stream(vec![], b"\x30\x00".to_vec()));
    let dss = c.add(dict(&[("Certs", Obj::Array(vec![rf(cert)]))]));
    c.edit(root, &[], &mut |d| {
        set(d, "DSS", rf(dss));
        true
    })
    .then(|| format!("/DSS {dss}"))
}

/// A DSS whose "certificate" is the page's content stream, redefined to draw a red box: judged
/// by its new role it is validation data; by its old one it is the page.
fn m_dss_hijack(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let (p, d) = c.page()?;
    let (n, mut sd, mut data) = c.content(&d)?;
    for k in ["Length", "Filter", "DecodeParms"] {
        remove(&mut sd, k);
    }
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&red_box(c.rng));
    c.put(n, Obj::Stream(sd, data));
    let dss = c.add(dict(&[("Certs", Obj::Array(vec![rf(n)]))]));
    c.edit(root, &[], &mut |d| {
        set(d, "DSS", rf(dss));
        true
    })
    .then(|| format!("/DSS {dss} /Certs [{n}] = content of page {p}"))
}

/// The trailer's /Info pointed at the page's font resource dictionary, redefined with a /Title
/// and one font less.
fn m_info_hijack(c: &mut Ctx) -> Option<String> {
    let (p, d) = c.page()?;
    let res = get(&d, "Resources")?.clone();
    let res = c.resolve(&res)?;
    let fonts = get(res.as_dict()?, "Font")?.as_ref_num()?;
    let mut fd = c.get_dict(fonts)?;
    if fd.is_empty() {
        return None;
    }
    fd.remove(0);
    set(&mut fd, "Title", Obj::Str(b"Info".to_vec()));
    c.put(fonts, Obj::Dict(fd));
    c.set_trailer("Info", Some(rf(fonts)));
    Some(format!("/Info -> font resources {fonts} of page {p}"))
}

/// The catalog's /Metadata pointed at the page content stream, redefined as "XML" that draws.
fn m_metadata_hijack(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let (p, d) = c.page()?;
    let (n, mut sd, mut data) = c.content(&d)?;
    for k in ["Length", "Filter", "DecodeParms"] {
        remove(&mut sd, k);
    }
    set(&mut sd, "Type", name("Metadata"));
    set(&mut sd, "Subtype", name("XML"));
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&red_box(c.rng));
    c.put(n, Obj::Stream(sd, data));
    c.edit(root, &[], &mut |d| {
        set(d, "Metadata", rf(n));
        true
    })
    .then(|| format!("/Metadata -> content {n} of page {p}"))
}

/// A form XObject (an appearance, or one a page draws) redefined to draw a red box too.
fn m_form_xobject_redefined(c: &mut Ctx) -> Option<String> {
    let forms: Vec<u32> = c
        .doc
        .in_use()
        .into_iter()
        .filter(|n| {
            matches!(c.get(*n), Some(Obj::Stream(d, data))
                if get(&d, "Subtype").is_some_and(|s| s.is_name("Form")) && !data.is_empty())
        })
        .collect();
    if forms.is_empty() {
        return None;
    }
    let n = *c.rng.pick(&forms);
    let Some(Obj::Stream(mut sd, raw)) = c.get(n) else {
        return None;
    };
    let mut data = decode_stream(&sd, &raw)?;
    for k in ["Length", "Filter", "DecodeParms"] {
        remove(&mut sd, k);
    }
    data.extend_from_slice(b"\nq 1 0 0 rg 0 0 40 40 re f Q\n");
    c.put(n, Obj::Stream(sd, data));
    Some(format!("form {n}"))
}

/// A new visible signature field whose /V is the existing signature (no new signature made).
fn m_field_borrows_signature(c: &mut Ctx) -> Option<String> {
    let (_, w) = sig_widget(c)?;
    let v = get(&w, "V")?.clone();
    let (p, _) = c.page()?;
    let ap = c.add(box_form(150.0, 60.0, "0 0 1"));
    let f = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Obj::Str(b"Borrowed".to_vec())),
        ("V", v),
        ("Rect", nums(&[200.0, 200.0, 350.0, 260.0])),
        ("F", int(4)),
        ("P", rf(p)),
        ("AP", dict(&[("N", rf(ap))])),
    ]));
    c.add_annot(p, f);
    c.add_field(f);
    Some(format!("field {f} on page {p}"))
}

/// A new visible signature field without a signature (an appearance that looks signed).
fn m_signature_field_visible_unsigned(c: &mut Ctx) -> Option<String> {
    let (p, _) = c.page()?;
    let ap = c.add(box_form(150.0, 60.0, "0 0 1"));
    let f = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Obj::Str(b"Unsigned".to_vec())),
        ("Rect", nums(&[200.0, 300.0, 350.0, 360.0])),
        ("F", int(4)),
        ("P", rf(p)),
        ("AP", dict(&[("N", rf(ap))])),
    ]));
    c.add_annot(p, f);
    c.add_field(f);
    Some(format!("field {f} on page {p}"))
}

// --- updates whose xref chain is not a plain backward list ---

/// The page's first content stream: (number, decoded data with a red box added).
fn forged_content(doc: &Doc, rng: &mut Rng) -> Option<(u32, Vec<u8>)> {
    let c = Ctx {
        doc,
        up: Update::default(),
        rng,
    };
    let pages = c.pages();
    let p = *pages.first()?;
    let d = c.get_dict(p)?;
    let (n, _, mut data) = c.content(&d)?;
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&red_box(c.rng));
    Some((n, data))
}

fn indirect(n: u32, o: &Obj) -> Vec<u8> {
    [
        format!("{n} 0 obj\n").as_bytes(),
        &o.to_bytes(),
        b"\nendobj\n",
    ]
    .concat()
}

fn trailer_text(doc: &Doc, size: u32, info: Option<u32>, prev: &str) -> String {
    let root = get(&doc.trailer, "Root").map(|r| String::from_utf8(r.to_bytes()).unwrap());
    let info = info.map(|i| format!("/Info {i} 0 R")).unwrap_or_default();
    format!(
        "trailer\n<</Size {size}/Root {}{info}/Prev {prev}>>\n",
        root.unwrap_or_default()
    )
}

/// An xref section hidden in the zero padding of the last signature's /Contents (bytes the
/// signature does not cover) redefines the page content; the appended update, which lists only
/// a new /Info, has /Prev pointing into the gap.
fn special_gap_xref(doc: &Doc, rng: &mut Rng) -> Option<(Vec<u8>, String)> {
    let br = rfind(&doc.b, b"/ByteRange")?;
    let mut lx = Lexer::new(&doc.b, br + 10);
    let Ok(Obj::Array(a)) = lx.value(0) else {
        return None;
    };
    let a: Vec<usize> = a
        .iter()
        .filter_map(|x| x.as_int())
        .map(|x| x as usize)
        .collect();
    let (gap_end, _) = (*a.get(2)?, *a.get(3)?);
    if doc.b.get(gap_end - 1) != Some(&b'>') {
        return None;
    }
    let mut z = gap_end - 1;
    while doc.b[z - 1] == b'0' {
        z -= 1;
    }
    let (x, content) = forged_content(doc, rng)?;
    let size = doc.size() + 1;
    let info = doc.size();
    let mut out = doc.b.clone();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let x_at = out.len();
    out.extend_from_slice(&indirect(x, &Obj::Stream(vec![], content)));
    let hidden = format!(
        "\nxref\n{x} 1\n{x_at:010} 00000 n\r\n{}",
        trailer_text(doc, size, None, &doc.startxref.to_string())
    );
    let at = gap_end - 2 - hidden.len();
    if at < z + 2 {
        return None;
    }
    out[at..at + hidden.len()].copy_from_slice(hidden.as_bytes());
    let info_at = out.len();
    out.extend_from_slice(&indirect(
        info,
        &dict(&[("Title", Obj::Str(b"gap".to_vec()))]),
    ));
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{info} 1\n{info_at:010} 00000 n\r\n{}startxref\n{xref_at}\n%%EOF\n",
            trailer_text(doc, size, Some(info), &(at + 1).to_string())
        )
        .as_bytes(),
    );
    Some((
        out,
        format!("content {x} redefined by a section in the gap"),
    ))
}

/// Two updates whose sections are chained forward: the last startxref names the first update's
/// section (a new /Info only), whose /Prev points to the second's (the page content redefined).
fn special_prev_forward(doc: &Doc, rng: &mut Rng) -> Option<(Vec<u8>, String)> {
    let (x, content) = forged_content(doc, rng)?;
    let info = doc.size();
    let size = info + 1;
    let mut out = doc.b.clone();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let info_at = out.len();
    out.extend_from_slice(&indirect(
        info,
        &dict(&[("Title", Obj::Str(b"forward".to_vec()))]),
    ));
    let s1 = out.len();
    let s1_len = format!(
        "xref\n{info} 1\n{info_at:010} 00000 n\r\n{}startxref\n{s1}\n%%EOF\n",
        trailer_text(doc, size, Some(info), &format!("{:010}", 0))
    )
    .len();
    let x_at = s1 + s1_len;
    let x_obj = indirect(x, &Obj::Stream(vec![], content));
    let s2 = x_at + x_obj.len();
    out.extend_from_slice(
        format!(
            "xref\n{info} 1\n{info_at:010} 00000 n\r\n{}startxref\n{s1}\n%%EOF\n",
            trailer_text(doc, size, Some(info), &format!("{s2:010}"))
        )
        .as_bytes(),
    );
    assert_eq!(out.len(), x_at);
    out.extend_from_slice(&x_obj);
    out.extend_from_slice(
        format!(
            "xref\n{x} 1\n{x_at:010} 00000 n\r\n{}startxref\n{s1}\n%%EOF\n",
            trailer_text(doc, size, Some(info), &doc.startxref.to_string())
        )
        .as_bytes(),
    );
    Some((out, format!("content {x} redefined behind a forward /Prev")))
}

// --- structure reused rather than added ---

/// An object stream redefined under its own number with one member changed, and only the
/// stream listed in the update: the member's own xref entry (older section) is unchanged, so
/// who compares entries sees no change to it.
fn m_objstm_same_number_silent(c: &mut Ctx) -> Option<String> {
    let streams = c.doc.object_streams();
    if streams.is_empty() {
        return None;
    }
    let s = *c.rng.pick(&streams);
    if c.up.packed_as == Some(s) {
        return None;
    }
    let Some(Obj::Stream(old, raw)) = c.get(s) else {
        return None;
    };
    let data = decode_stream(&old, &raw)?;
    let n = get(&old, "N")?.as_int()?;
    let first = get(&old, "First")?.as_int()? as usize;
    let mut lx = Lexer::new(&data, 0);
    let mut members = Vec::new();
    for _ in 0..n {
        let on = lx.uint()? as u32;
        let oo = lx.uint()? as usize;
        members.push((on, oo));
    }
    let live = live_members(c, s);
    if live.is_empty() {
        return None;
    }
    let target = *c.rng.pick(&live);
    let mut header = String::new();
    let mut body = Vec::new();
    for (on, oo) in &members {
        let mut v = Lexer::new(&data, first + oo).value(0).ok()?;
        if *on == target {
            tweak(&mut v);
        }
        header.push_str(&format!("{on} {} ", body.len()));
        v.write(&mut body);
        body.push(b'\n');
    }
    let d = vec![
        ("Type".into(), name("ObjStm")),
        ("N".into(), int(n)),
        ("First".into(), int(header.len() as i64)),
    ];
    let saved = c.up.pack;
    c.up.pack = false;
    c.put(s, Obj::Stream(d, [header.into_bytes(), body].concat()));
    c.up.pack = saved;
    Some(format!("object stream {s}, member {target}"))
}

/// Where `n 0 obj` is written in the file, for every definition.
fn definitions(b: &[u8], n: u32) -> Vec<usize> {
    let h = format!("{n} 0 obj");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find_from(b, h.as_bytes(), from) {
        if p > 0 && matches!(b[p - 1], b'\n' | b'\r') {
            out.push(p);
        }
        from = p + 1;
    }
    out
}

/// An xref entry pointed back at an older definition of the same object (still in the file,
/// inside the signed bytes): nothing new is written.
fn m_xref_to_old_definition(c: &mut Ctx) -> Option<String> {
    let mut olds = Vec::new();
    for n in c.doc.in_use() {
        if let Some(Loc::Offset(cur)) = c.doc.xref.get(&n) {
            for d in definitions(&c.doc.b, n) {
                if d != *cur {
                    olds.push((n, d));
                }
            }
        }
    }
    if olds.is_empty() {
        return None;
    }
    let (n, at) = *c.rng.pick(&olds);
    c.up.objs.remove(&n);
    c.up.packed.remove(&n);
    c.up.repoint.insert(n, at);
    Some(format!("object {n} -> offset {at}"))
}

/// The update's /Prev skips the newest section (the signature's own revision).
fn m_prev_skips_signature(c: &mut Ctx) -> Option<String> {
    let prev = get(&c.doc.trailer, "Prev")?.as_int()? as usize;
    c.up.prev = Some(prev);
    Some(format!("/Prev {prev}"))
}

/// /Size smaller than the highest object number (objects beyond it are out of range).
fn m_size_shrunk(c: &mut Ctx) -> Option<String> {
    let s = c.doc.size() / 2;
    c.up.size = Some(s);
    Some(format!("/Size {s}"))
}

/// A page's /Contents pointed at another page's content stream (no new object).
fn m_contents_of_other_page(c: &mut Ctx) -> Option<String> {
    let pages = c.pages();
    if pages.len() < 2 {
        return None;
    }
    let (a, b) = (pages[0], pages[1]);
    let other = get(&c.get_dict(b)?, "Contents")?.clone();
    c.edit(a, &[], &mut |d| {
        set(d, "Contents", other.clone());
        true
    })
    .then(|| format!("page {a} shows page {b}"))
}

/// A page listed twice in /Kids in place of another one.
fn m_kids_duplicate_page(c: &mut Ctx) -> Option<String> {
    let (_, d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    c.edit(parent, &[], &mut |pd| {
        let Some((_, Obj::Array(k))) = pd.iter_mut().find(|(k, _)| k == "Kids") else {
            return false;
        };
        if k.len() < 2 {
            return false;
        }
        k[1] = k[0].clone();
        true
    })
    .then(|| format!("parent {parent}"))
}

/// /AcroForm /Fields emptied: the signature field is no longer part of the form.
fn m_fields_emptied(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    c.edit(root, &["AcroForm"], &mut |d| {
        set(d, "Fields", Obj::Array(vec![]));
        true
    })
    .then(|| format!("catalog {root}"))
}

/// The catalog without /AcroForm.
fn m_acroform_removed(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    c.edit(root, &[], &mut |d| remove(d, "AcroForm").is_some())
        .then(|| format!("catalog {root}"))
}

/// Any object of the document changed a little (whatever role it plays): a stray key in a
/// dictionary, a comment appended to a stream's data, an element added to an array, a number
/// moved by one. What a role walk does not reach must not count as harmless.
fn m_any_object_changed(c: &mut Ctx) -> Option<String> {
    let all: Vec<u32> = c
        .doc
        .in_use()
        .into_iter()
        .filter(|n| {
            c.get(*n).is_some_and(|o| {
                !o.as_dict().is_some_and(|d| {
                    get(d, "Type").is_some_and(|t| t.is_name("XRef") || t.is_name("ObjStm"))
                        || get(d, "ByteRange").is_some()
                })
            })
        })
        .collect();
    if all.is_empty() {
        return None;
    }
    let n = *c.rng.pick(&all);
    let o = match c.get(n)? {
        Obj::Dict(mut d) => {
            set(&mut d, "KysoStray", int(1));
            Obj::Dict(d)
        }
        Obj::Stream(mut d, raw) => {
            let mut data = decode_stream(&d, &raw)?;
            for k in ["Length", "Filter", "DecodeParms"] {
                remove(&mut d, k);
            }
            data.extend_from_slice(b"\n% kyso\n");
            Obj::Stream(d, data)
        }
        Obj::Array(mut a) => {
            a.push(int(0));
            Obj::Array(a)
        }
        Obj::Num(x) => Obj::Num(
            x.parse::<i64>()
                .map_or(format!("{x}1"), |v| (v + 1).to_string()),
        ),
        _ => return None,
    };
    c.put(n, o);
    Some(format!("object {n}"))
}

/// Signature fields that exist in the signed revision but are not signed.
fn unsigned_fields(c: &Ctx) -> Vec<(u32, Dict)> {
    c.fields()
        .into_iter()
        .filter_map(|f| {
            let d = c.get_dict(f)?;
            (get(&d, "FT")?.is_name("Sig") && get(&d, "V").is_none()).then_some((f, d))
        })
        .collect()
}

/// An unsigned signature field given a visible appearance, without being signed.
fn m_unsigned_field_appearance(c: &mut Ctx) -> Option<String> {
    let fields = unsigned_fields(c);
    if fields.is_empty() {
        return None;
    }
    let (f, mut d) = c.rng.pick(&fields).clone();
    let ap = c.add(box_form(200.0, 100.0, "0 0 1"));
    set(&mut d, "Rect", nums(&[300.0, 150.0, 500.0, 250.0]));
    set(&mut d, "F", int(4));
    set(&mut d, "AP", dict(&[("N", rf(ap))]));
    c.put(f, Obj::Dict(d));
    Some(format!("field {f}"))
}

/// An unsigned signature field given the existing signature as its value, and an appearance.
fn m_unsigned_field_borrows_signature(c: &mut Ctx) -> Option<String> {
    let fields = unsigned_fields(c);
    if fields.is_empty() {
        return None;
    }
    let (_, w) = sig_widget(c)?;
    let v = get(&w, "V")?.clone();
    let (f, mut d) = c.rng.pick(&fields).clone();
    let ap = c.add(box_form(200.0, 100.0, "0 0 1"));
    set(&mut d, "V", v);
    set(&mut d, "Rect", nums(&[300.0, 150.0, 500.0, 250.0]));
    set(&mut d, "F", int(4));
    set(&mut d, "AP", dict(&[("N", rf(ap))]));
    c.put(f, Obj::Dict(d));
    Some(format!("field {f}"))
}

/// congvan.pdf with an empty, invisible signature field "Ky_so_2" (for a second signer) added
/// before kyso signs: the signed revision then holds an unsigned field.
fn with_empty_field(src: &Path) -> Vec<u8> {
    let doc = Doc::parse(std::fs::read(src).unwrap()).unwrap();
    let mut rng = Rng::new(0);
    let mut c = Ctx {
        doc: &doc,
        up: Update {
            next: doc.size(),
            ..Update::default()
        },
        rng: &mut rng,
    };
    let p = c.pages()[0];
    let w = c.add(dict(&[
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Obj::Str(b"Ky_so_2".to_vec())),
        ("Rect", nums(&[0.0, 0.0, 0.0, 0.0])),
        ("F", int(132)),
        ("P", rf(p)),
    ]));
    c.add_annot(p, w);
    c.add_field(w);
    let up = c.up;
    write_update(&doc, &up)
}

// --- more places a reader looks ---

/// The trailer with /Root twice: the signed catalog, then a new one with a forged page tree.
fn m_duplicate_key_trailer_root(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let (p, _) = c.page()?;
    let mut cat = c.get_dict(root)?;
    let tree = c.forged_tree(p)?;
    set(&mut cat, "Pages", rf(tree));
    let n = c.add(Obj::Dict(cat));
    c.set_trailer("Root", Some(rf(root)));
    c.up.trailer_dup.push(("Root".into(), rf(n)));
    Some(format!("/Root {root} then {n}"))
}

/// An XFA form added to /AcroForm (XFA viewers draw it instead of the pages).
fn m_acroform_xfa(c: &mut Ctx) -> Option<String> {
    let root = c.root()?;
    let xdp = b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><template/></xdp:xdp>".to_vec();
    let x = c.add(Obj::Stream(vec![], xdp));
    c.edit(root, &["AcroForm"], &mut |d| {
        set(d, "XFA", rf(x));
        true
    })
    .then(|| format!("/XFA {x}"))
}

/// JavaScript run when the page opens (page /AA).
fn m_page_open_js(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    set(
        &mut d,
        "AA",
        dict(&[(
            "O",
            dict(&[
                ("S", name("JavaScript")),
                ("JS", Obj::Str(b"app.alert('x')".to_vec())),
            ]),
        )]),
    );
    c.put(p, Obj::Dict(d));
    Some(format!("page {p}"))
}

/// /Resources moved from the page to its /Parent, one font less (inheritance).
fn m_inherited_resources(c: &mut Ctx) -> Option<String> {
    let (p, mut d) = c.page()?;
    let parent = get(&d, "Parent")?.as_ref_num()?;
    let res = remove(&mut d, "Resources")?;
    let mut res = c.resolve(&res)?.as_dict()?.clone();
    if let Some(Obj::Dict(f)) = get(&res, "Font").and_then(|f| c.resolve(f)) {
        let mut f = f;
        if !f.is_empty() {
            f.remove(0);
        }
        set(&mut res, "Font", Obj::Dict(f));
    }
    c.put(p, Obj::Dict(d));
    c.edit(parent, &[], &mut |pd| {
        set(pd, "Resources", Obj::Dict(res.clone()));
        true
    })
    .then(|| format!("page {p}, parent {parent}"))
}
