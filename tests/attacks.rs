//! Attacks on signed PDFs (Mainka, Mladenov, Rohlmann et al.: Universal Signature Forgery,
//! Incremental Saving Attack, Signature Wrapping, Shadow and certification attacks), generated at
//! test time from kyso-signed fixtures with plain byte operations, and kyso's verdict on each.
//! Every attack must fail (exit 1, never 0); every legitimate change must pass.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// Byte helpers: a tiny PDF reader/writer, just enough for the attacks.
// ---------------------------------------------------------------------------------------------

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

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// The unsigned integer starting at `at` after optional white space, and where it ends.
fn int_at(b: &[u8], mut at: usize) -> (u64, usize) {
    while is_ws(b[at]) {
        at += 1;
    }
    let start = at;
    while b[at].is_ascii_digit() {
        at += 1;
    }
    let n = std::str::from_utf8(&b[start..at])
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no integer at {start}"));
    (n, at)
}

/// The value of the last `startxref`.
fn last_startxref(b: &[u8]) -> u64 {
    let at = rfind(b, b"startxref").expect("startxref");
    int_at(b, at + 9).0
}

/// The integer after the last `/key` (a trailer or xref-stream entry).
fn last_int_entry(b: &[u8], key: &str) -> u64 {
    let k = format!("/{key}");
    let at = rfind(b, k.as_bytes()).unwrap_or_else(|| panic!("no {k}"));
    int_at(b, at + k.len()).0
}

/// The object number of `/key N 0 R` in the last trailer, if present.
fn last_ref_entry(b: &[u8], key: &str) -> Option<u32> {
    let k = format!("/{key}");
    let at = rfind(b, k.as_bytes())?;
    Some(int_at(b, at + k.len()).0 as u32)
}

/// Where the last (current) definition `num 0 obj` starts (at the digits).
fn obj_start(b: &[u8], num: u32) -> usize {
    let header = format!("{num} 0 obj");
    let mut best = None;
    let mut from = 0;
    while let Some(p) = find_from(b, header.as_bytes(), from) {
        if p == 0 || matches!(b[p - 1], b'\n' | b'\r') {
            best = Some(p);
        }
        from = p + 1;
    }
    best.unwrap_or_else(|| panic!("object {num} not found"))
}

/// The body of the current definition of object `num`: between `obj` and `endobj`, trimmed.
fn obj_body(b: &[u8], num: u32) -> Vec<u8> {
    let start = obj_start(b, num);
    let body_start = find_from(b, b"obj", start).unwrap() + 3;
    let end = find_from(b, b"endobj", body_start).unwrap();
    let mut s = &b[body_start..end];
    while s.first().is_some_and(|&c| is_ws(c)) {
        s = &s[1..];
    }
    while s.last().is_some_and(|&c| is_ws(c)) {
        s = &s[..s.len() - 1];
    }
    s.to_vec()
}

/// `/key N 0 R` (or `/key [N 0 R ...]`: the first) in a dictionary body.
fn ref_in(body: &[u8], key: &str) -> u32 {
    let k = format!("/{key}");
    let at = find_from(body, k.as_bytes(), 0).unwrap_or_else(|| panic!("no {k}"));
    let mut i = at + k.len();
    while is_ws(body[i]) || body[i] == b'[' {
        i += 1;
    }
    int_at(body, i).0 as u32
}

/// Replaces the first `from` by `to`; panics when absent.
fn replace(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = find_from(body, from.as_bytes(), 0)
        .unwrap_or_else(|| panic!("{from:?} not in {}", String::from_utf8_lossy(body)));
    [&body[..at], to.as_bytes(), &body[at + from.len()..]].concat()
}

/// Adds `item` to the array under `/key` of a dictionary body (creating the entry if needed).
fn add_to_array(body: &[u8], key: &str, item: &str) -> Vec<u8> {
    let k = format!("/{key}");
    match find_from(body, k.as_bytes(), 0) {
        Some(at) => {
            let close = find_from(body, b"]", at).unwrap();
            assert!(
                body[at + k.len()..close].contains(&b'['),
                "/{key} is not a direct array"
            );
            [&body[..close], b" ", item.as_bytes(), &body[close..]].concat()
        }
        None => {
            let close = rfind(body, b">>").unwrap();
            [
                &body[..close],
                format!("{k} [{item}]").as_bytes(),
                &body[close..],
            ]
            .concat()
        }
    }
}

/// A stream object body with an exact /Length.
fn stream(dict_extra: &str, data: &[u8]) -> Vec<u8> {
    [
        format!("<</Length {}{dict_extra}>>\nstream\n", data.len()).as_bytes(),
        data,
        b"\nendstream",
    ]
    .concat()
}

/// The attacker's content: a white box over the page and a new amount.
fn evil_content() -> Vec<u8> {
    "q 1 1 1 rg 0 0 596 842 re f Q\nBT /F1 16 Tf 72 500 Td (SỐ TIỀN: 5.000.000.000 đồng) Tj ET"
        .as_bytes()
        .to_vec()
}

/// The parts of a document the attacks aim at.
struct Layout {
    root: u32,
    page: u32,
    content: u32,
    size: u32,
}

fn layout(b: &[u8]) -> Layout {
    let root = last_ref_entry(b, "Root").expect("/Root");
    let pages = ref_in(&obj_body(b, root), "Pages");
    let page = ref_in(&obj_body(b, pages), "Kids");
    let content = ref_in(&obj_body(b, page), "Contents");
    let size = last_int_entry(b, "Size") as u32;
    Layout {
        root,
        page,
        content,
        size,
    }
}

/// The signature dictionary of the last signature: its object number, the span of its
/// `/ByteRange [...]` and of its `/Contents <...>` in the file.
struct SigDict {
    num: u32,
    byte_range: (usize, usize),
    contents: (usize, usize),
}

fn sig_dict(b: &[u8]) -> SigDict {
    let br = rfind(b, b"/ByteRange").expect("/ByteRange");
    let header = rfind(&b[..br], b" 0 obj").unwrap();
    let mut d = header;
    while d > 0 && b[d - 1].is_ascii_digit() {
        d -= 1;
    }
    let num = int_at(b, d).0 as u32;
    let br_end = find_from(b, b"]", br).unwrap() + 1;
    let c = find_from(b, b"/Contents", header).unwrap();
    assert!(c < find_from(b, b"endobj", header).unwrap());
    let c_end = find_from(b, b">", c).unwrap() + 1;
    SigDict {
        num,
        byte_range: (br, br_end),
        contents: (c, c_end),
    }
}

/// Overwrites `span` with `text` padded with spaces to the same length.
fn overwrite(b: &[u8], span: (usize, usize), text: &str) -> Vec<u8> {
    let len = span.1 - span.0;
    assert!(text.len() <= len, "{text} longer than {len}");
    let mut out = b.to_vec();
    out[span.0..span.1].copy_from_slice(format!("{text:len$}").as_bytes());
    out
}

/// Appends objects after the file, without a cross-reference entry. Returns their offsets.
fn push_objects(out: &mut Vec<u8>, objs: &[(u32, Vec<u8>)]) -> Vec<(u32, u64)> {
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (num, body) in objs {
        offsets.push((*num, out.len() as u64));
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets
}

/// One row of a classic cross-reference section.
enum Row {
    InUse(u64),
    Free,
}

/// A classic `xref` section with exactly `rows` (grouped into subsections), then the trailer.
fn push_xref(out: &mut Vec<u8>, base: &[u8], mut rows: Vec<(u32, Row)>) {
    rows.sort_by_key(|r| r.0);
    let prev = last_startxref(base);
    let l = layout(base);
    let size = rows.iter().map(|r| r.0 + 1).max().unwrap_or(0).max(l.size);
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < rows.len() {
        let mut j = i + 1;
        while j < rows.len() && rows[j].0 == rows[j - 1].0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", rows[i].0, j - i).as_bytes());
        for (_, row) in &rows[i..j] {
            let line = match row {
                Row::InUse(off) => format!("{off:010} 00000 n\r\n"),
                Row::Free => "0000000000 00001 f\r\n".to_string(),
            };
            assert_eq!(line.len(), 20);
            out.extend_from_slice(line.as_bytes());
        }
        i = j;
    }
    let info = last_ref_entry(base, "Info")
        .map(|n| format!(" /Info {n} 0 R"))
        .unwrap_or_default();
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root {} 0 R{info} /Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n",
            l.root
        )
        .as_bytes(),
    );
}

/// An incremental update: `objs` appended and listed in a classic xref section.
fn append_update(base: &[u8], objs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = base.to_vec();
    let offsets = push_objects(&mut out, objs);
    push_xref(
        &mut out,
        base,
        offsets
            .into_iter()
            .map(|(n, o)| (n, Row::InUse(o)))
            .collect(),
    );
    out
}

/// An incremental update with an xref stream (`/W [1 4 2]`, unfiltered): `compressed` objects go
/// into a new object stream, `plain` ones are written as usual.
fn append_xref_stream_update(
    base: &[u8],
    plain: &[(u32, Vec<u8>)],
    compressed: &[(u32, Vec<u8>)],
) -> Vec<u8> {
    let l = layout(base);
    let objstm = l.size;
    let xref_num = l.size + 1;
    // The object stream: "num offset ..." pairs, then the objects.
    let mut header = String::new();
    let mut data = Vec::new();
    for (num, body) in compressed {
        header.push_str(&format!("{num} {} ", data.len()));
        data.extend_from_slice(body);
        data.push(b'\n');
    }
    let first = header.len();
    let objstm_body = stream(
        &format!(" /Type /ObjStm /N {} /First {first}", compressed.len()),
        &[header.as_bytes(), &data].concat(),
    );
    let mut out = base.to_vec();
    let mut rows: Vec<(u32, [u8; 7])> = Vec::new();
    let row = |t: u8, f2: u64, f3: u16| {
        let mut r = [0u8; 7];
        r[0] = t;
        r[1..5].copy_from_slice(&(f2 as u32).to_be_bytes());
        r[5..7].copy_from_slice(&f3.to_be_bytes());
        r
    };
    let mut objs = vec![(objstm, objstm_body)];
    objs.extend(plain.iter().cloned());
    for (num, off) in push_objects(&mut out, &objs) {
        rows.push((num, row(1, off, 0)));
    }
    for (i, (num, _)) in compressed.iter().enumerate() {
        rows.push((*num, row(2, objstm as u64, i as u16)));
    }
    let xref_at = out.len() as u64;
    rows.push((xref_num, row(1, xref_at, 0)));
    rows.sort_by_key(|r| r.0);
    let mut index = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i + 1;
        while j < rows.len() && rows[j].0 == rows[j - 1].0 + 1 {
            j += 1;
        }
        index.push(format!("{} {}", rows[i].0, j - i));
        i = j;
    }
    let bin: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
    let size = rows.iter().map(|r| r.0 + 1).max().unwrap().max(l.size);
    let info = last_ref_entry(base, "Info")
        .map(|n| format!(" /Info {n} 0 R"))
        .unwrap_or_default();
    let dict = format!(
        " /Type /XRef /W [1 4 2] /Index [{}] /Size {size} /Root {} 0 R{info} /Prev {}",
        index.join(" "),
        l.root,
        last_startxref(base)
    );
    push_objects(&mut out, &[(xref_num, stream(&dict, &bin))]);
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// Running kyso and checking its verdict.
// ---------------------------------------------------------------------------------------------

struct Lab {
    dir: tempfile::TempDir,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `input` signed by `p12` (extra args), as bytes; the signed file is checked to pass.
    fn signed(&self, input: &Path, name: &str, p12: &str, extra: &[&str]) -> Vec<u8> {
        let out = self.path(name);
        sign(input, &out, p12, extra);
        let (code, report) = verify_json(&out, &[]);
        assert_eq!(code, 0, "the signed file {name} does not pass: {report:#}");
        std::fs::read(out).unwrap()
    }

    /// congvan.pdf signed by the leader.
    fn signed_congvan(&self) -> Vec<u8> {
        self.signed(
            &fixture("docs/congvan.pdf"),
            "signed.pdf",
            "leader.p12",
            &[],
        )
    }
}

fn modifications(sig: &Value) -> &Vec<Value> {
    sig["modifications"].as_array().expect("modifications")
}

/// The human report in English.
fn human_en(pdf: &Path) -> String {
    let o = run(kyso()
        .args(["verify", "--lang", "en"])
        .arg(pdf)
        .arg("--trust")
        .arg(pki("root.pem")));
    stdout(&o)
}

/// One line per signature (shown with `--nocapture`).
fn summarise(pdf: &Path, code: i32, report: &Value) {
    for s in report["signatures"].as_array().into_iter().flatten() {
        let mods: Vec<String> = modifications(s)
            .iter()
            .map(|m| {
                format!(
                    "{}{}",
                    m["kind"].as_str().unwrap_or("?"),
                    if m["allowed"] == true { "" } else { "(!)" }
                )
            })
            .collect();
        eprintln!(
            "{}: exit {code}, {} {} {} [{}] {}",
            pdf.file_name().unwrap().to_string_lossy(),
            s["indication"],
            s["sub_indication"],
            s["kyso_reason"],
            mods.join(", "),
            s["message"]
        );
    }
}

/// The attack file must fail: exit 1 (never 0), TOTAL-FAILED overall and for the first
/// signature, and the English human report must say INVALID or NOT ALLOWED.
fn assert_failed(pdf: &Path) -> Value {
    let (code, report) = verify_json(pdf, &[]);
    summarise(pdf, code, &report);
    assert_eq!(code, 1, "{}: not caught: {report:#}", pdf.display());
    assert_eq!(report["indication"], "TOTAL-FAILED", "{report:#}");
    let sig = &report["signatures"][0];
    assert_eq!(sig["indication"], "TOTAL-FAILED", "{report:#}");
    let text = human_en(pdf);
    assert!(
        text.contains("NOT ALLOWED") || text.contains("INVALID"),
        "{}: human report does not say so:\n{text}",
        pdf.display()
    );
    report
}

/// As [`assert_failed`], and the first signature names a not-allowed modification of one of
/// `kinds`.
fn assert_disallowed(pdf: &Path, kinds: &[&str]) -> Value {
    let report = assert_failed(pdf);
    let sig = &report["signatures"][0];
    assert_eq!(sig["sub_indication"], "FORMAT_FAILURE", "{report:#}");
    assert_eq!(sig["kyso_reason"], "DISALLOWED_MODIFICATION", "{report:#}");
    let mods = modifications(sig);
    assert!(
        mods.iter()
            .any(|m| kinds.contains(&m["kind"].as_str().unwrap_or("")) && m["allowed"] == false),
        "{}: no not-allowed modification of kind {kinds:?}: {mods:#?}",
        pdf.display()
    );
    for m in mods {
        assert!(
            m["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{m:#}"
        );
    }
    report
}

// ---------------------------------------------------------------------------------------------
// 1. Universal Signature Forgery.
// ---------------------------------------------------------------------------------------------

/// How the signature dictionary is damaged.
#[derive(Clone, Copy)]
enum Usf {
    ByteRangeMissing,
    ByteRangeNull,
    ByteRangeEmpty,
    ByteRangeZeros,
    ByteRangeElsewhere,
    ContentsMissing,
    ContentsEmpty,
    ContentsZeros,
}

/// The damaged text for the `/ByteRange` or `/Contents` span (`len`: the file length).
fn usf_text(b: &[u8], d: &SigDict, usf: Usf) -> ((usize, usize), String) {
    let len = b.len();
    match usf {
        Usf::ByteRangeMissing => (d.byte_range, String::new()),
        Usf::ByteRangeNull => (d.byte_range, "/ByteRange null".into()),
        Usf::ByteRangeEmpty => (d.byte_range, "/ByteRange []".into()),
        Usf::ByteRangeZeros => (d.byte_range, "/ByteRange [0 0 0 0]".into()),
        // Two ranges inside the file, the gap somewhere in the original document.
        Usf::ByteRangeElsewhere => (
            d.byte_range,
            format!("/ByteRange [0 1000 2000 {}]", len - 2000),
        ),
        Usf::ContentsMissing => (d.contents, String::new()),
        Usf::ContentsEmpty => (d.contents, "/Contents <>".into()),
        Usf::ContentsZeros => {
            let n = d.contents.1 - d.contents.0 - "/Contents <>".len();
            (d.contents, format!("/Contents <{}>", "0".repeat(n)))
        }
    }
}

/// In place (same length) or in a redefinition of the signature dictionary in a new revision.
fn usf(usf: Usf, in_place: bool) {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let d = sig_dict(&signed);
    let (span, text) = usf_text(&signed, &d, usf);
    let attack = if in_place {
        overwrite(&signed, span, &text)
    } else {
        let start = obj_start(&signed, d.num);
        let body = obj_body(&signed, d.num);
        let body_at = find_from(&signed, &body, start).unwrap();
        let (from, to) = (span.0 - body_at, span.1 - body_at);
        let new_body = [&body[..from], text.as_bytes(), &body[to..]].concat();
        append_update(&signed, &[(d.num, new_body)])
    };
    let pdf = lab.write("usf.pdf", &attack);
    let report = assert_failed(&pdf);
    assert_eq!(
        report["signatures"][0]["sub_indication"], "FORMAT_FAILURE",
        "{report:#}"
    );
}

macro_rules! usf_tests {
    ($($name:ident: $variant:ident, $in_place:expr;)*) => {$(
        #[test]
        fn $name() {
            usf(Usf::$variant, $in_place);
        }
    )*};
}

usf_tests! {
    usf_byte_range_missing_in_place: ByteRangeMissing, true;
    usf_byte_range_null_in_place: ByteRangeNull, true;
    usf_byte_range_empty_in_place: ByteRangeEmpty, true;
    usf_byte_range_zeros_in_place: ByteRangeZeros, true;
    usf_byte_range_elsewhere_in_place: ByteRangeElsewhere, true;
    usf_contents_missing_in_place: ContentsMissing, true;
    usf_contents_empty_in_place: ContentsEmpty, true;
    usf_contents_zeros_in_place: ContentsZeros, true;
    usf_byte_range_missing_appended: ByteRangeMissing, false;
    usf_byte_range_null_appended: ByteRangeNull, false;
    usf_byte_range_empty_appended: ByteRangeEmpty, false;
    usf_byte_range_zeros_appended: ByteRangeZeros, false;
    usf_byte_range_elsewhere_appended: ByteRangeElsewhere, false;
    usf_contents_missing_appended: ContentsMissing, false;
    usf_contents_empty_appended: ContentsEmpty, false;
    usf_contents_zeros_appended: ContentsZeros, false;
}

// ---------------------------------------------------------------------------------------------
// 2. Incremental Saving Attack.
// ---------------------------------------------------------------------------------------------

/// A new revision with a new content stream for page 1 and the page pointing at it.
#[test]
fn isa_page_content_replaced() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R", l.size),
    );
    let attack = append_update(
        &signed,
        &[(l.size, stream("", &evil_content())), (l.page, page)],
    );
    let pdf = lab.write("isa.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed", "page_changed"]);
}

/// A page redefinition appended after %%EOF with no cross-reference section at all.
#[test]
fn isa_trailing_object_without_xref() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R", l.size),
    );
    let mut attack = signed.clone();
    push_objects(
        &mut attack,
        &[(l.size, stream("", &evil_content())), (l.page, page)],
    );
    let pdf = lab.write("trailing.pdf", &attack);
    assert_disallowed(&pdf, &["trailing_data"]);
}

/// A well-formed revision (an allowed Info update) that also carries a page redefinition its
/// xref does not list: readers that repair or scan the file would show it.
#[test]
fn isa_object_not_in_xref() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let info = last_ref_entry(&signed, "Info").expect("/Info");
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R", l.size),
    );
    let mut attack = signed.clone();
    let hidden = push_objects(
        &mut attack,
        &[(l.size, stream("", &evil_content())), (l.page, page)],
    );
    assert_eq!(hidden.len(), 2);
    let listed = push_objects(
        &mut attack,
        &[(info, b"<</Title (C\\364ng v\\343n 123)>>".to_vec())],
    );
    push_xref(
        &mut attack,
        &signed,
        listed
            .into_iter()
            .map(|(n, o)| (n, Row::InUse(o)))
            .collect(),
    );
    let pdf = lab.write("unlisted.pdf", &attack);
    assert_disallowed(&pdf, &["object_without_xref"]);
}

/// An xref-only revision marking the page's content stream free.
#[test]
fn isa_xref_only_revision_frees_object() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let mut attack = signed.clone();
    push_xref(&mut attack, &signed, vec![(l.content, Row::Free)]);
    let pdf = lab.write("freed.pdf", &attack);
    assert_disallowed(&pdf, &["object_deleted"]);
}

// ---------------------------------------------------------------------------------------------
// 3. Signature Wrapping.
// ---------------------------------------------------------------------------------------------

/// A copy of the signature dictionary in a new revision: its /ByteRange still covers the original
/// signed bytes, its /Contents (the original signature value) now lives elsewhere.
#[test]
fn signature_wrapping_moved_contents() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let d = sig_dict(&signed);
    let body = obj_body(&signed, d.num);
    let attack = append_update(&signed, &[(d.num, body)]);
    let pdf = lab.write("wrapping.pdf", &attack);
    let report = assert_failed(&pdf);
    assert_eq!(
        report["signatures"][0]["sub_indication"], "FORMAT_FAILURE",
        "{report:#}"
    );
}

/// Wrapping with the gap widened over the attacker's revision: the /ByteRange's second range is
/// moved to the new dictionary's /Contents, so the gap holds the old signature value, the
/// attacker's page and everything up to the new /Contents.
#[test]
fn signature_wrapping_widened_gap() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let d = sig_dict(&signed);
    let l = layout(&signed);
    let body = obj_body(&signed, d.num);
    let hex_at = find_from(&body, b"/Contents <", 0).unwrap() + "/Contents ".len();
    let hex_len = find_from(&body, b">", hex_at).unwrap() + 1 - hex_at;
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R", l.size),
    );
    // First pass with a placeholder ByteRange to learn the offsets, then the real one (same width).
    let build = |br: &str| {
        let b = replace(&body, "/ByteRange", &format!("/ByteRange {br} /Old"));
        append_update(
            &signed,
            &[
                (l.size, stream("", &evil_content())),
                (l.page, page.clone()),
                (d.num, b),
            ],
        )
    };
    let placeholder = format!("[0 {:010} {:010} {:010}]", 0, 0, 0);
    let draft = build(&placeholder);
    let new_hex = rfind(&draft, &body[hex_at..hex_at + 20]).unwrap();
    let first = int_at(&signed, d.byte_range.0 + "/ByteRange [0".len()).0;
    let second_start = (new_hex + hex_len) as u64;
    let br = format!(
        "[0 {first:010} {second_start:010} {:010}]",
        draft.len() as u64 - second_start
    );
    let attack = build(&br);
    assert_eq!(attack.len(), draft.len());
    let pdf = lab.write("wrapping2.pdf", &attack);
    let report = assert_failed(&pdf);
    assert_eq!(
        report["signatures"][0]["sub_indication"], "FORMAT_FAILURE",
        "{report:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Shadow attacks: the malicious content is in the document before it is signed.
// ---------------------------------------------------------------------------------------------

struct Shadow {
    lab: Lab,
    signed: Vec<u8>,
    /// The prepared (unused) content stream.
    shadow: u32,
    /// Offset of a hidden `content 0 obj` (not in any xref) holding the attacker's content.
    hidden_copy: usize,
}

/// congvan.pdf + an update holding an unused content stream (and, not listed in the xref, a
/// copy of the page's content object number with the attacker's content), signed by kyso.
fn shadow() -> Shadow {
    let lab = Lab::new();
    let original = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let l = layout(&original);
    let shadow = l.size;
    let mut prepared = original.clone();
    let listed = push_objects(&mut prepared, &[(shadow, stream("", &evil_content()))]);
    let hidden = push_objects(&mut prepared, &[(l.content, stream("", &evil_content()))]);
    push_xref(
        &mut prepared,
        &original,
        listed
            .into_iter()
            .map(|(n, o)| (n, Row::InUse(o)))
            .collect(),
    );
    let input = lab.write("shadow-unsigned.pdf", &prepared);
    let signed = lab.signed(&input, "shadow-signed.pdf", "leader.p12", &[]);
    Shadow {
        lab,
        signed,
        shadow,
        hidden_copy: hidden[0].1 as usize,
    }
}

/// Hide: the page's /Contents becomes an array that includes the prepared stream.
#[test]
fn shadow_hide() {
    let s = shadow();
    let l = layout(&s.signed);
    let page = replace(
        &obj_body(&s.signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents [{} 0 R {} 0 R]", l.content, s.shadow),
    );
    let attack = append_update(&s.signed, &[(l.page, page)]);
    let pdf = s.lab.write("hide.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed", "page_changed"]);
}

/// Replace: the page's content stream object number is redefined with new content.
#[test]
fn shadow_replace() {
    let s = shadow();
    let l = layout(&s.signed);
    let attack = append_update(&s.signed, &[(l.content, stream("", &evil_content()))]);
    let pdf = s.lab.write("replace.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed"]);
}

/// Replace through an object stream and an xref stream: the content object number is redefined,
/// compressed, as an array pointing at the prepared stream (a stream cannot be compressed).
#[test]
fn shadow_replace_in_object_stream() {
    let s = shadow();
    let l = layout(&s.signed);
    let attack = append_xref_stream_update(
        &s.signed,
        &[],
        &[(l.content, format!("[{} 0 R]", s.shadow).into_bytes())],
    );
    let pdf = s.lab.write("replace-objstm.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed"]);
}

/// Hide through an object stream: the page dictionary itself, compressed, now uses the
/// prepared stream.
#[test]
fn shadow_hide_in_object_stream() {
    let s = shadow();
    let l = layout(&s.signed);
    let page = replace(
        &obj_body(&s.signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R", s.shadow),
    );
    let attack = append_xref_stream_update(&s.signed, &[], &[(l.page, page)]);
    let pdf = s.lab.write("hide-objstm.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed", "page_changed"]);
}

fn xref_only_repoint(s: &Shadow, num: u32, offset: u64) -> Vec<u8> {
    let mut attack = s.signed.clone();
    push_xref(&mut attack, &s.signed, vec![(num, Row::InUse(offset))]);
    attack
}

/// Hide-and-replace: an xref-only revision points the content object number at the prepared
/// object's bytes (whose header carries the prepared object's own number).
#[test]
fn shadow_hide_and_replace_xref_only() {
    let s = shadow();
    let l = layout(&s.signed);
    let at = obj_start(&s.signed, s.shadow) as u64;
    let attack = xref_only_repoint(&s, l.content, at);
    let pdf = s.lab.write("hide-and-replace.pdf", &attack);
    assert_disallowed(&pdf, &["broken_reference"]);
}

/// Hide-and-replace, the consistent form: the prepared revision also held an unlisted copy
/// `content 0 obj` with the attacker's content; an xref-only revision points at it.
#[test]
fn shadow_hide_and_replace_hidden_copy() {
    let s = shadow();
    let l = layout(&s.signed);
    assert!(s.signed[s.hidden_copy..].starts_with(format!("{} 0 obj", l.content).as_bytes()));
    let attack = xref_only_repoint(&s, l.content, s.hidden_copy as u64);
    let pdf = s.lab.write("hide-and-replace-2.pdf", &attack);
    assert_disallowed(&pdf, &["page_content_changed"]);
}

// ---------------------------------------------------------------------------------------------
// 5. Certification (DocMDP P=2) attacks.
// ---------------------------------------------------------------------------------------------

fn certified(lab: &Lab) -> Vec<u8> {
    let b = lab.signed(
        &fixture("docs/congvan.pdf"),
        "certified.pdf",
        "leader.p12",
        &["--certify", "2"],
    );
    let (_, report) = verify_json(&lab.path("certified.pdf"), &[]);
    assert!(
        !report["signatures"][0]["certification"].is_null(),
        "not a certification: {report:#}"
    );
    b
}

/// Evil Annotation: a FreeText annotation over the page in a later revision.
#[test]
fn certification_evil_annotation() {
    let lab = Lab::new();
    let signed = certified(&lab);
    let l = layout(&signed);
    let annot = format!(
        "<</Type /Annot /Subtype /FreeText /Rect [72 480 520 520] /P {} 0 R /F 4 \
         /DA (/Helv 16 Tf 0 g) /Contents (S\\323 TI\\312N: 5.000.000.000 \\360\\363ng)>>",
        l.page
    );
    let page = add_to_array(
        &obj_body(&signed, l.page),
        "Annots",
        &format!("{} 0 R", l.size),
    );
    let attack = append_update(&signed, &[(l.size, annot.into_bytes()), (l.page, page)]);
    let pdf = lab.write("evil-annotation.pdf", &attack);
    assert_disallowed(&pdf, &["annotation_added"]);
}

/// Sneaky Signature: a new signature field with a visible appearance and no value.
#[test]
fn certification_sneaky_signature() {
    let lab = Lab::new();
    let signed = certified(&lab);
    let l = layout(&signed);
    let acroform = ref_in(&obj_body(&signed, l.root), "AcroForm");
    let (field, ap) = (l.size, l.size + 1);
    let field_body = format!(
        "<</FT /Sig /T (Signature2) /Type /Annot /Subtype /Widget /Rect [72 400 520 560] \
         /F 4 /P {} 0 R /AP <</N {ap} 0 R>>>>",
        l.page
    );
    let appearance = stream(
        " /Type /XObject /Subtype /Form /BBox [0 0 448 160]",
        &evil_content(),
    );
    let form = add_to_array(
        &obj_body(&signed, acroform),
        "Fields",
        &format!("{field} 0 R"),
    );
    let page = add_to_array(
        &obj_body(&signed, l.page),
        "Annots",
        &format!("{field} 0 R"),
    );
    let attack = append_update(
        &signed,
        &[
            (field, field_body.into_bytes()),
            (ap, appearance),
            (acroform, form),
            (l.page, page),
        ],
    );
    let pdf = lab.write("sneaky-signature.pdf", &attack);
    assert_disallowed(
        &pdf,
        &["field_added", "signature_added", "annotation_added"],
    );
}

/// Legitimate: a second (approval) signature on a P=2 certified document.
#[test]
fn certification_then_approval_signature_passes() {
    let lab = Lab::new();
    certified(&lab);
    let twice = lab.path("certified-approved.pdf");
    sign(&lab.path("certified.pdf"), &twice, "agency.p12", &[]);
    let (code, report) = verify_json(&twice, &[]);
    assert_eq!(code, 0, "{report:#}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    for s in sigs {
        assert_eq!(s["indication"], "TOTAL-PASSED", "{s:#}");
        assert!(
            modifications(s).iter().all(|m| m["allowed"] == true),
            "{s:#}"
        );
    }
    assert!(modifications(&sigs[0])
        .iter()
        .any(|m| m["kind"] == "signature_added"));
}

// ---------------------------------------------------------------------------------------------
// 6. Legitimate changes, and the generator itself.
// ---------------------------------------------------------------------------------------------

#[test]
fn leader_then_agency_passes() {
    let lab = Lab::new();
    lab.signed_congvan();
    let twice = lab.path("twice.pdf");
    sign(&lab.path("signed.pdf"), &twice, "agency.p12", &[]);
    let (code, report) = verify_json(&twice, &[]);
    assert_eq!(code, 0, "{report:#}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    for s in sigs {
        assert_eq!(s["indication"], "TOTAL-PASSED", "{s:#}");
        assert!(
            modifications(s).iter().all(|m| m["allowed"] == true),
            "{s:#}"
        );
    }
    assert!(
        modifications(&sigs[0])
            .iter()
            .any(|m| m["kind"] == "signature_added"),
        "{:#}",
        sigs[0]
    );
    assert!(modifications(&sigs[1]).is_empty(), "{:#}", sigs[1]);
}

/// The generator's updates are sound: an allowed change (new Info) written by `append_update`
/// passes, and the same through an xref stream — so the attacks fail for what they change, not
/// because the files are broken.
#[test]
fn generator_allowed_updates_pass() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let info = last_ref_entry(&signed, "Info").expect("/Info");
    let body = b"<</Title (C\\364ng v\\343n 123)>>".to_vec();
    for (name, bytes) in [
        (
            "info-classic.pdf",
            append_update(&signed, &[(info, body.clone())]),
        ),
        (
            "info-xrefstm.pdf",
            append_xref_stream_update(&signed, &[], &[(info, body.clone())]),
        ),
    ] {
        let pdf = lab.write(name, &bytes);
        let (code, report) = verify_json(&pdf, &[]);
        assert_eq!(code, 0, "{name}: {report:#}");
        let sig = &report["signatures"][0];
        assert_eq!(report["revisions"], 3, "{name}: {report:#}");
        assert!(
            modifications(sig)
                .iter()
                .any(|m| m["kind"] == "document_info" && m["allowed"] == true),
            "{name}: {sig:#}"
        );
    }
    // The shadow document signs and verifies (the prepared object is just unused).
    let s = shadow();
    let (code, report) = verify_json(&s.lab.path("shadow-signed.pdf"), &[]);
    assert_eq!(code, 0, "{report:#}");
}

// ---------------------------------------------------------------------------------------------
// 6. Form filling after signing: kyso's policy (README) allows it only under a certification
//    with P >= 2, and then only with appearances that draw text.
// ---------------------------------------------------------------------------------------------

/// congvan.pdf with a text field `SoTien` (value `1.000`) added before signing: (path, field
/// object number).
fn form_document(lab: &Lab) -> (PathBuf, u32) {
    let base = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let l = layout(&base);
    let (field, ap, form) = (l.size, l.size + 1, l.size + 2);
    let field_body = format!(
        "<</FT /Tx /T (SoTien) /V (1.000) /Type /Annot /Subtype /Widget /Rect [400 700 520 720] \
         /F 4 /P {} 0 R /DA (/Helv 12 Tf 0 g) /AP <</N {ap} 0 R>>>>",
        l.page
    );
    let appearance = stream(
        " /Type /XObject /Subtype /Form /BBox [0 0 120 20]",
        b"/Tx BMC q BT /Helv 12 Tf 2 5 Td (1.000) Tj ET Q EMC",
    );
    let acroform = format!("<</Fields [{field} 0 R] /DA (/Helv 12 Tf 0 g)>>");
    let catalog = replace(
        &obj_body(&base, l.root),
        "/Type",
        &format!("/AcroForm {form} 0 R /Type"),
    );
    let page = add_to_array(&obj_body(&base, l.page), "Annots", &format!("{field} 0 R"));
    let doc = append_update(
        &base,
        &[
            (field, field_body.into_bytes()),
            (ap, appearance),
            (form, acroform.into_bytes()),
            (l.root, catalog),
            (l.page, page),
        ],
    );
    (lab.write("form.pdf", &doc), field)
}

/// A later revision that sets 'SoTien' to '5.000.000.000' with the given appearance content.
fn fill(signed: &[u8], field: u32, appearance: &[u8]) -> Vec<u8> {
    let l = layout(signed);
    let ap = l.size;
    let body = replace(&obj_body(signed, field), "/V (1.000)", "/V (5.000.000.000)");
    let n_pos = find_from(&body, b"/N ", 0).unwrap();
    let end = find_from(&body, b" 0 R", n_pos).unwrap();
    let body = [&body[..n_pos], format!("/N {ap}").as_bytes(), &body[end..]].concat();
    let stream_body = stream(
        " /Type /XObject /Subtype /Form /BBox [0 0 120 20] /Resources <</XObject <</Im1 1 0 R>>>>",
        appearance,
    );
    append_update(signed, &[(field, body), (ap, stream_body)])
}

const PLAIN_FILL: &[u8] =
    b"/Tx BMC q 1 1 1 rg 0 0 120 20 re f BT /Helv 12 Tf 2 5 Td (5.000.000.000) Tj ET Q EMC";

#[test]
fn form_filling_after_an_approval_signature_is_not_allowed() {
    let lab = Lab::new();
    let (form, field) = form_document(&lab);
    let signed = lab.signed(&form, "approved.pdf", "leader.p12", &[]);
    let pdf = lab.write("filled.pdf", &fill(&signed, field, PLAIN_FILL));
    let report = assert_disallowed(&pdf, &["form_filled"]);
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        text.contains("1.000") && text.contains("5.000.000.000"),
        "{text}"
    );
}

#[test]
fn form_filling_under_certification_p2_is_allowed() {
    let lab = Lab::new();
    let (form, field) = form_document(&lab);
    let signed = lab.signed(
        &form,
        "certified-form.pdf",
        "leader.p12",
        &["--certify", "2"],
    );
    let pdf = lab.write("filled.pdf", &fill(&signed, field, PLAIN_FILL));
    let (code, report) = verify_json(&pdf, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mods = modifications(&report["signatures"][0]);
    assert!(
        mods.iter()
            .any(|m| m["kind"] == "form_filled" && m["allowed"] == true),
        "{mods:#?}"
    );
}

/// The "replace" shadow attack through form filling: the new appearance paints an image.
#[test]
fn form_filling_that_paints_an_xobject_is_caught() {
    let lab = Lab::new();
    let (form, field) = form_document(&lab);
    let signed = lab.signed(
        &form,
        "certified-form.pdf",
        "leader.p12",
        &["--certify", "2"],
    );
    let evil =
        b"/Tx BMC q 500 0 0 800 -400 -700 cm /Im1 Do Q BT /Helv 12 Tf (5.000.000.000) Tj ET EMC";
    let pdf = lab.write("filled-evil.pdf", &fill(&signed, field, evil));
    assert_disallowed(&pdf, &["field_changed"]);
}

/// The form document with an empty signature field `KyDuyet` whose FieldMDP /Lock
/// (ISO 32000-1 §12.8.2.4, Table 233) is `lock`, then signed into that field as a certification
/// with P = 2: (signed bytes, `SoTien`'s object number).
fn locked_form(lab: &Lab, name: &str, lock: &str) -> (Vec<u8>, u32) {
    let (form, field) = form_document(lab);
    let base = std::fs::read(form).unwrap();
    let l = layout(&base);
    let acroform = ref_in(&obj_body(&base, l.root), "AcroForm");
    let sig_field = l.size;
    let body = format!(
        "<</FT /Sig /T (KyDuyet) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 \
         /P {} 0 R /Lock {lock}>>",
        l.page
    );
    let fields = add_to_array(
        &obj_body(&base, acroform),
        "Fields",
        &format!("{sig_field} 0 R"),
    );
    let page = add_to_array(
        &obj_body(&base, l.page),
        "Annots",
        &format!("{sig_field} 0 R"),
    );
    let doc = append_update(
        &base,
        &[
            (sig_field, body.into_bytes()),
            (acroform, fields),
            (l.page, page),
        ],
    );
    let input = lab.write(&format!("{name}-unsigned.pdf"), &doc);
    let signed = lab.signed(
        &input,
        &format!("{name}.pdf"),
        "leader.p12",
        &["--certify", "2", "--field", "KyDuyet"],
    );
    (signed, field)
}

/// A FieldMDP lock that names a field kyso cannot read (a name, not a text string) locks every
/// field: filling `SoTien` after it is refused. Read as "no names", the lock would have let
/// the certification (P = 2) allow the change. The readable lock naming another field is the
/// control: the same filling passes.
#[test]
fn form_filling_under_an_unreadable_field_lock_is_refused() {
    let lab = Lab::new();
    let (signed, field) = locked_form(
        &lab,
        "lock-other",
        "<</Type /SigFieldLock /Action /Include /Fields [(Khac)]>>",
    );
    let pdf = lab.write("lock-other-filled.pdf", &fill(&signed, field, PLAIN_FILL));
    let (code, report) = verify_json(&pdf, &[]);
    assert_eq!(code, 0, "{report:#}");

    for (name, lock) in [
        (
            "lock-name",
            "<</Type /SigFieldLock /Action /Include /Fields [/SoTien (Khac)]>>",
        ),
        (
            "lock-exclude-name",
            "<</Type /SigFieldLock /Action /Exclude /Fields [(Khac) /SoTien]>>",
        ),
        (
            "lock-not-array",
            "<</Type /SigFieldLock /Action /Include /Fields /SoTien>>",
        ),
    ] {
        let (signed, field) = locked_form(&lab, name, lock);
        let pdf = lab.write(
            &format!("{name}-filled.pdf"),
            &fill(&signed, field, PLAIN_FILL),
        );
        let report = assert_disallowed(&pdf, &["form_filled"]);
        let mods = modifications(&report["signatures"][0]);
        assert!(
            mods.iter().any(|m| m["kind"] == "form_filled"
                && m["field"] == "SoTien"
                && m["allowed"] == false),
            "{name}: {mods:#?}"
        );
    }
}

/// A /Lock that is present but not a lock dictionary (a name; a reference to no object) locks
/// every field (verify reads it fail-closed): filling `SoTien` is refused. Read as "no lock",
/// the certification's P = 2 would have allowed it (exit 0).
#[test]
fn form_filling_under_a_lock_that_is_no_dictionary_is_refused() {
    let lab = Lab::new();
    for (name, lock) in [("lock-is-name", "/Khac"), ("lock-no-object", "99999 0 R")] {
        let (signed, field) = locked_form(&lab, name, lock);
        let pdf = lab.write(
            &format!("{name}-filled.pdf"),
            &fill(&signed, field, PLAIN_FILL),
        );
        let report = assert_disallowed(&pdf, &["form_filled"]);
        assert_ne!(report["indication"], "TOTAL-PASSED", "{name}: {report:#}");
        let codes = serde_json::to_string(&report["signatures"][0]["warning_codes"]).unwrap();
        assert!(codes.contains("FIELD_LOCK_UNREADABLE"), "{name}: {codes}");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Fail closed (issue 13): structure that is not exact per revision, ambiguities, objects
//    the old role walk could not reach, limits. Every file must be refused: exit 1, 3 or 4,
//    never 0; where the file can be read, the report names the reason.
// ---------------------------------------------------------------------------------------------

/// `kyso verify --json` on an attack file: (exit code, report when the file could be read).
fn verdict(pdf: &Path) -> (i32, Option<Value>) {
    let started = std::time::Instant::now();
    let o = run(kyso()
        .arg("verify")
        .arg(pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    let code = o.status.code().unwrap_or(-1);
    let report: Option<Value> = serde_json::from_slice(&o.stdout).ok();
    eprintln!(
        "{}: exit {code} in {:?}{}",
        pdf.file_name().unwrap().to_string_lossy(),
        started.elapsed(),
        if report.is_none() {
            format!(" ({})", stderr(&o).trim())
        } else {
            String::new()
        }
    );
    if let Some(r) = &report {
        summarise(pdf, code, r);
    }
    (code, report)
}

/// The file must not pass: exit 1 (failed), 3 (indeterminate) or 4 (unreadable), no panic.
/// When a report exists and `codes` is not empty, a disallowed modification carries one of them.
fn assert_refused(pdf: &Path, codes: &[&str]) -> Option<Value> {
    let (code, report) = verdict(pdf);
    assert!(
        [1, 3, 4].contains(&code),
        "{}: exit {code}, must be 1, 3 or 4: {report:#?}",
        pdf.display()
    );
    if let (Some(r), false) = (&report, codes.is_empty()) {
        if code == 1 {
            let found = r["signatures"].as_array().into_iter().flatten().any(|s| {
                modifications(s).iter().any(|m| {
                    m["allowed"] == false && codes.contains(&m["code"].as_str().unwrap_or(""))
                })
            });
            assert!(
                found,
                "{}: none of {codes:?} reported: {r:#}",
                pdf.display()
            );
        }
    }
    report
}

/// A stream body whose dictionary has extra entries, for objects the attacks plant.
fn form_xobject(extra: &str, content: &str) -> Vec<u8> {
    stream(
        &format!(" /Type /XObject /Subtype /Form /BBox [0 0 596 842]{extra}"),
        content.as_bytes(),
    )
}

/// congvan.pdf with `prepare` applied as an update before signing, signed by the leader.
fn signed_after(lab: &Lab, name: &str, prepare: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let original = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let prepared = prepare(&original);
    let input = lab.write(&format!("{name}-unsigned.pdf"), &prepared);
    lab.signed(&input, &format!("{name}-signed.pdf"), "leader.p12", &[])
}

/// The page's resource dictionary with `entry` added: (object number, new body). congvan.pdf
/// keeps its resources in an indirect object.
fn resources_with(base: &[u8], entry: &str) -> (u32, Vec<u8>) {
    let l = layout(base);
    let res = ref_in(&obj_body(base, l.page), "Resources");
    let body = obj_body(base, res);
    let at = find_from(&body, b"<<", 0).unwrap() + 2;
    (
        res,
        [&body[..at], format!(" {entry} ").as_bytes(), &body[at..]].concat(),
    )
}

/// The page draws a form XObject `/Kx` (object `num`), added before signing; `extra` goes into
/// the XObject's dictionary.
fn with_drawn_xobject(base: &[u8], num: u32, extra: &str) -> Vec<u8> {
    let l = layout(base);
    let (res, res_body) = resources_with(base, &format!("/XObject << /Kx {num} 0 R >>"));
    // The page's contents become [old, "q /Kx Do Q"].
    let draw = num + 1;
    let page = replace(
        &obj_body(base, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents [{} 0 R {draw} 0 R]", l.content),
    );
    append_update(
        base,
        &[
            (l.page, page),
            (res, res_body),
            (num, form_xobject(extra, "q 0 0 1 rg 100 100 50 50 re f Q")),
            (draw, stream("", b"q /Kx Do Q")),
        ],
    )
}

/// An object that carries a stray /Rect (so it "looks like an annotation") is a page resource:
/// the old walk skipped such objects and missed their replacement. The whitelist does not.
#[test]
fn fail_closed_stray_rect_on_a_page_xobject() {
    let lab = Lab::new();
    let size = layout(&std::fs::read(fixture("docs/congvan.pdf")).unwrap()).size;
    let signed = signed_after(&lab, "stray-rect", |b| {
        with_drawn_xobject(b, size, " /Rect [0 0 1 1] /Subtype2 /Widget")
    });
    let attack = append_update(
        &signed,
        &[(
            size,
            form_xobject(" /Rect [0 0 1 1]", "q 1 0 0 rg 0 0 596 842 re f Q"),
        )],
    );
    let pdf = lab.write("stray-rect.pdf", &attack);
    assert_refused(&pdf, &["UNEXPLAINED_CHANGE", "PAGE_RESOURCES_CHANGED"]);
}

/// A chain of 80 form XObjects, each drawing the next (deeper than any depth cut-off of the old
/// walk); the last one is replaced after signing.
#[test]
fn fail_closed_deep_xobject_chain() {
    let lab = Lab::new();
    let size = layout(&std::fs::read(fixture("docs/congvan.pdf")).unwrap()).size;
    let depth = 80u32;
    let first = size + 2;
    let signed = signed_after(&lab, "deep", |b| {
        let with = with_drawn_xobject(b, size, "");
        // Object `size` draws first; first+i draws first+i+1; the last paints a box.
        let mut objs = vec![(
            size,
            form_xobject(
                &format!(" /Resources << /XObject << /N {first} 0 R >> >>"),
                "/N Do",
            ),
        )];
        for i in 0..depth {
            let num = first + i;
            let body = if i + 1 < depth {
                form_xobject(
                    &format!(" /Resources << /XObject << /N {} 0 R >> >>", num + 1),
                    "/N Do",
                )
            } else {
                form_xobject("", "q 0 1 0 rg 200 200 20 20 re f Q")
            };
            objs.push((num, body));
        }
        append_update(&with, &objs)
    });
    let last = first + depth - 1;
    let attack = append_update(
        &signed,
        &[(last, form_xobject("", "q 1 0 0 rg 0 0 596 842 re f Q"))],
    );
    let pdf = lab.write("deep.pdf", &attack);
    assert_refused(&pdf, &["UNEXPLAINED_CHANGE", "PAGE_RESOURCES_CHANGED"]);
}

/// A resource under a name no rule knows (/Properties of a marked-content sequence): replaced.
#[test]
fn fail_closed_odd_resource_name() {
    let lab = Lab::new();
    let base = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let size = layout(&base).size;
    let signed = signed_after(&lab, "odd", |b| {
        let (res, body) = resources_with(
            b,
            &format!("/Properties << /MC0 {size} 0 R >> /Zz#20odd {size} 0 R"),
        );
        append_update(b, &[(res, body), (size, b"<< /Metadata 1 >>".to_vec())])
    });
    let attack = append_update(&signed, &[(size, b"<< /Metadata 2 >>".to_vec())]);
    let pdf = lab.write("odd.pdf", &attack);
    assert_refused(&pdf, &["UNEXPLAINED_CHANGE", "PAGE_RESOURCES_CHANGED"]);
}

/// A dictionary with a repeated key is ambiguous (viewers disagree on which value counts).
#[test]
fn fail_closed_duplicate_keys() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let evil = l.size;
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {} 0 R /Contents {evil} 0 R", l.content),
    );
    let attack = append_update(
        &signed,
        &[(l.page, page), (evil, stream("", &evil_content()))],
    );
    let pdf = lab.write("dup-keys.pdf", &attack);
    assert_refused(&pdf, &["BROKEN_REFERENCE"]);
}

/// The trailer points at a new catalog (a copy with another page tree).
#[test]
fn fail_closed_new_root() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let (root, pages, page, content) = (l.size, l.size + 1, l.size + 2, l.size + 3);
    let catalog = replace(
        &obj_body(&signed, l.root),
        &format!("/Pages {} 0 R", ref_in(&obj_body(&signed, l.root), "Pages")),
        &format!("/Pages {pages} 0 R"),
    );
    let page_body = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {content} 0 R"),
    );
    let page_body = replace(
        &page_body,
        &format!(
            "/Parent {} 0 R",
            ref_in(&obj_body(&signed, l.page), "Parent")
        ),
        &format!("/Parent {pages} 0 R"),
    );
    let mut out = signed.clone();
    let offsets = push_objects(
        &mut out,
        &[
            (root, catalog),
            (
                pages,
                format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>").into_bytes(),
            ),
            (page, page_body),
            (content, stream("", &evil_content())),
        ],
    );
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n{root} 4\n").as_bytes());
    for (_, off) in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            content + 1,
            last_startxref(&signed)
        )
        .as_bytes(),
    );
    let pdf = lab.write("new-root.pdf", &out);
    assert_refused(&pdf, &["TRAILER_ROOT_CHANGED"]);
}

/// /Encrypt appears in a later trailer.
#[test]
fn fail_closed_encrypt_added() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let enc = l.size;
    let mut out = signed.clone();
    let offsets = push_objects(
        &mut out,
        &[(
            enc,
            b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>".to_vec(),
        )],
    );
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{enc} 1\n{:010} 00000 n\r\ntrailer\n<< /Size {} /Root {} 0 R /Encrypt {enc} 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            offsets[0].1,
            enc + 1,
            l.root,
            last_startxref(&signed)
        )
        .as_bytes(),
    );
    let pdf = lab.write("encrypt.pdf", &out);
    assert_refused(&pdf, &["TRAILER_ENCRYPT_CHANGED"]);
}

/// /Prev of the newest section points forward, at a section written after it: the older
/// revision would be read from bytes that come later in the file.
#[test]
fn fail_closed_forward_prev() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let mut out = signed.clone();
    let offsets = push_objects(&mut out, &[(l.content, stream("", &evil_content()))]);
    let newest = out.len();
    // The newest section, pointing forward at the one written next.
    let placeholder = "0000000000";
    out.extend_from_slice(
        format!(
            "xref\n{} 1\n{:010} 00000 n\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {placeholder} >>\n",
            l.content, offsets[0].1, l.size, l.root
        )
        .as_bytes(),
    );
    let later = out.len();
    let fixed = format!("{later:010}");
    let at = rfind(&out, placeholder.as_bytes()).unwrap();
    out[at..at + 10].copy_from_slice(fixed.as_bytes());
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {} >>\n",
            l.size,
            l.root,
            last_startxref(&signed)
        )
        .as_bytes(),
    );
    out.extend_from_slice(format!("startxref\n{newest}\n%%EOF\n").as_bytes());
    let pdf = lab.write("forward-prev.pdf", &out);
    assert_refused(&pdf, &[]);
}

/// An object stream redefined under the same number: the page dictionary inside it changes
/// although its own cross-reference entry does not.
#[test]
fn fail_closed_object_stream_redefined_under_same_number() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let evil = l.size + 2;
    // Revision A (allowed: an unused object stream holding a copy of the info dictionary,
    // and the page dictionary compressed into it).
    let page = obj_body(&signed, l.page);
    let step1 = append_xref_stream_update(&signed, &[], &[(l.page, page.clone())]);
    let step1_check = lab.write("objstm-step1.pdf", &step1);
    let (code, _) = verdict(&step1_check);
    assert_eq!(
        code, 0,
        "moving the page dictionary unchanged into an object stream passes"
    );
    // Revision B: only the object stream (same number) is redefined, with the page now
    // pointing at the attacker's content; the page's own entry still says "in stream N".
    let objstm = l.size;
    let page_evil = replace(
        &page,
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {evil} 0 R"),
    );
    let header = format!("{} 0 ", l.page);
    let data = [header.as_bytes(), &page_evil, b"\n"].concat();
    let objstm_body = stream(
        &format!(" /Type /ObjStm /N 1 /First {}", header.len()),
        &data,
    );
    let attack = append_update(
        &step1,
        &[(objstm, objstm_body), (evil, stream("", &evil_content()))],
    );
    let pdf = lab.write("objstm-same-number.pdf", &attack);
    assert_refused(&pdf, &["PAGE_CONTENT_CHANGED"]);
}

/// A new signature field borrows the signature dictionary of the signed field: it signs an
/// earlier revision, not the one that adds the field.
#[test]
fn fail_closed_field_borrows_a_signature() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let d = sig_dict(&signed);
    let field = l.size;
    let catalog = obj_body(&signed, l.root);
    let acroform = ref_in(&catalog, "AcroForm");
    let form = obj_body(&signed, acroform);
    let form = add_to_array(&form, "Fields", &format!("{field} 0 R"));
    let page = add_to_array(
        &obj_body(&signed, l.page),
        "Annots",
        &format!("{field} 0 R"),
    );
    let field_body = format!(
        "<< /FT /Sig /T (Copy) /V {} 0 R /Type /Annot /Subtype /Widget /Rect [50 50 250 100] /F 4 /P {} 0 R >>",
        d.num, l.page
    );
    let attack = append_update(
        &signed,
        &[
            (acroform, form),
            (l.page, page),
            (field, field_body.into_bytes()),
        ],
    );
    let pdf = lab.write("borrowed.pdf", &attack);
    assert_refused(&pdf, &["SIGNATURE_VALUE_NOT_OF_REVISION"]);
}

/// The unsigned bytes after the CMS in /Contents are not zero padding.
#[test]
fn fail_closed_data_after_the_cms() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let d = sig_dict(&signed);
    let mut attack = signed.clone();
    // The last hex digits before '>' are padding zeros: write data there.
    let end = d.contents.1 - 1;
    attack[end - 16..end].copy_from_slice(b"DEADBEEFDEADBEEF");
    let pdf = lab.write("after-cms.pdf", &attack);
    let report = assert_refused(&pdf, &[]).expect("a report");
    let message = report["signatures"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("non-zero") || message.contains("khác 0") || message.contains("số 0"),
        "{report:#}"
    );
}

/// A stream whose /Length is an indirect reference to an object stream member whose object
/// stream's /Length points back: the read chain is cut, the page counts as changed.
#[test]
fn fail_closed_crossed_length() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let (a, b) = (l.size, l.size + 1);
    let content = [
        format!("<</Length {b} 0 R>>\nstream\n").as_bytes(),
        &evil_content()[..],
        b"\nendstream",
    ]
    .concat();
    let length = format!("<</Length {a} 0 R>>\nstream\n12\nendstream").into_bytes();
    let page = replace(
        &obj_body(&signed, l.page),
        &format!("/Contents {} 0 R", l.content),
        &format!("/Contents {a} 0 R"),
    );
    let attack = append_update(&signed, &[(l.page, page), (a, content), (b, length)]);
    let pdf = lab.write("crossed-length.pdf", &attack);
    assert_refused(&pdf, &["PAGE_CONTENT_CHANGED"]);
}

/// 10,000 empty incremental updates after the signature are harmless and verify quickly; the
/// same with the page replaced in the very last one fails.
#[test]
fn fail_closed_thousands_of_revisions() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let mut out = signed.clone();
    let mut prev = last_startxref(&signed);
    for _ in 0..10_000 {
        let at = out.len();
        out.extend_from_slice(
            format!(
                "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n",
                l.size, l.root
            )
            .as_bytes(),
        );
        prev = at as u64;
    }
    let pdf = lab.write("many.pdf", &out);
    let started = std::time::Instant::now();
    let (code, report) = verdict(&pdf);
    let took = started.elapsed();
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(report.unwrap()["revisions"], 10_002);
    // A guard against quadratic work, loose for debug builds (benches measure release).
    assert!(took.as_secs() < 20, "10,000 revisions took {took:?}");
    let attack = append_update(&out, &[(l.content, stream("", &evil_content()))]);
    let pdf = lab.write("many-then-evil.pdf", &attack);
    assert_refused(&pdf, &["PAGE_CONTENT_CHANGED"]);
}

/// A cross-reference stream whose predictor asks for megabyte rows out of a few bytes.
#[test]
fn fail_closed_huge_predictor_rows() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let mut out = signed.clone();
    let data = {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&[2u8; 64]).unwrap();
        e.finish().unwrap()
    };
    let at = out.len();
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<< /Type /XRef /W [1 4 2] /Size {} /Root {} 0 R /Prev {} /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1048576 /Colors 32 /BitsPerComponent 16 >> /Length {} >>\nstream\n",
            l.size, l.size + 1, l.root, last_startxref(&signed), data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    let pdf = lab.write("predictor.pdf", &out);
    let started = std::time::Instant::now();
    assert_refused(&pdf, &[]);
    assert!(started.elapsed().as_secs() < 20);
}

/// An empty signature field added before signing gets an appearance later without being
/// signed: what the field shows may change only in the revision that signs it.
#[test]
fn fail_closed_unsigned_field_gets_an_appearance() {
    let lab = Lab::new();
    let base = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let bl = layout(&base);
    let (field, form) = (bl.size, bl.size + 1);
    let signed = signed_after(&lab, "empty-field", |b| {
        let l = layout(b);
        let catalog = replace(
            &obj_body(b, l.root),
            "/Type/Catalog",
            &format!("/Type/Catalog /AcroForm {form} 0 R"),
        );
        let page = add_to_array(&obj_body(b, l.page), "Annots", &format!("{field} 0 R"));
        append_update(
            b,
            &[
                (l.root, catalog),
                (l.page, page),
                (
                    field,
                    format!("<< /FT /Sig /T (Later) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 4 /P {} 0 R >>", l.page).into_bytes(),
                ),
                (form, format!("<< /Fields [{field} 0 R] >>").into_bytes()),
            ],
        )
    });
    let l = layout(&signed);
    let ap = l.size;
    let widget = replace(
        &obj_body(&signed, field),
        "/Rect [0 0 0 0]",
        &format!("/Rect [0 0 596 842] /AP << /N {ap} 0 R >>"),
    );
    let attack = append_update(
        &signed,
        &[
            (field, widget),
            (
                ap,
                form_xobject(
                    "",
                    "q 1 1 1 rg 0 0 596 842 re f Q BT /F1 24 Tf 72 500 Td (VOID) Tj ET",
                ),
            ),
        ],
    );
    let pdf = lab.write("unsigned-appearance.pdf", &attack);
    assert_refused(
        &pdf,
        &["FIELD_APPEARANCE_CHANGED", "SIGNATURE_FIELD_CHANGED"],
    );
}

/// Real linearized files keep working: the first-page cross-reference section points forward
/// to the main one (ISO 32000-1 Annex F), which is not taken for a forward /Prev attack. Signed
/// twice they pass; a page replaced after signing fails. Object streams (qpdf) as well.
#[test]
fn fail_closed_keeps_linearized_and_object_stream_files_working() {
    if !have_tool("qpdf") {
        eprintln!("SKIP: qpdf missing");
        return;
    }
    let lab = Lab::new();
    for (name, args) in [
        ("linearized", vec!["--linearize"]),
        (
            "objstm",
            vec!["--object-streams=generate", "--compress-streams=y"],
        ),
    ] {
        let input = lab.path(&format!("{name}.pdf"));
        let o = run(Command::new("qpdf")
            .args(&args)
            .arg(fixture("docs/congvan.pdf"))
            .arg(&input));
        assert!(o.status.success(), "qpdf: {}", stderr(&o));
        let once = lab.signed(&input, &format!("{name}-1.pdf"), "leader.p12", &[]);
        let once_path = lab.path(&format!("{name}-1.pdf"));
        let twice = lab.path(&format!("{name}-2.pdf"));
        sign(&once_path, &twice, "agency.p12", &[]);
        let (code, report) = verify_json(&twice, &[]);
        assert_eq!(code, 0, "{name} signed twice: {report:#}");
        if name != "linearized" {
            continue; // the page dictionary is compressed: the byte helpers cannot find it
        }
        // The page's content replaced after the first signature.
        let l = layout(&once);
        let content_ref = {
            let page = obj_body(&once, l.page);
            ref_in(&page, "Contents")
        };
        let attack = append_update(&once, &[(content_ref, stream("", &evil_content()))]);
        let pdf = lab.write(&format!("{name}-evil.pdf"), &attack);
        assert_refused(&pdf, &["PAGE_CONTENT_CHANGED"]);
    }
}

/// An update whose page points at 60 objects, each in its own object stream that inflates to
/// 16 MiB (the file is about 1 MB). Verification must refuse it with bounded memory: each
/// stream may inflate to 1 MiB + 256 × its encoded size, all together to the document's budget.
/// (kyso before the budget used about 1 GB here.)
#[test]
fn fail_closed_object_stream_bomb_has_bounded_memory() {
    use std::io::Write;
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let l = layout(&signed);
    let n = 60u32;
    let first_member = l.size + 100;
    let first_stream = l.size + 200;
    let props: Vec<String> = (0..n)
        .map(|i| format!("/P{i} {} 0 R", first_member + i))
        .collect();
    let (res, res_body) =
        resources_with(&signed, &format!("/Properties << {} >>", props.join(" ")));
    let mut out = signed.clone();
    let mut rows: Vec<(u32, [u8; 7])> = Vec::new();
    let row = |t: u8, f2: u32, f3: u16| {
        let mut r = [t, 0, 0, 0, 0, 0, 0];
        r[1..5].copy_from_slice(&f2.to_be_bytes());
        r[5..7].copy_from_slice(&f3.to_be_bytes());
        r
    };
    for (num, off) in push_objects(&mut out, &[(res, res_body)]) {
        rows.push((num, row(1, off as u32, 0)));
    }
    // One stream's data, compressed once (the member it names is the first one; the others
    // are still inflated, bounded, before the mismatch is seen).
    let header = format!("{first_member} 0 ");
    let mut raw = header.clone().into_bytes();
    raw.extend_from_slice(b"<< /A 1 >>");
    raw.resize(raw.len() + (16 << 20), b' ');
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&raw).unwrap();
    let data = e.finish().unwrap();
    for i in 0..n {
        let body = [
            format!(
                "<< /Type /ObjStm /N 1 /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
                header.len(),
                data.len()
            )
            .as_bytes(),
            &data,
            b"\nendstream",
        ]
        .concat();
        for (num, off) in push_objects(&mut out, &[(first_stream + i, body)]) {
            rows.push((num, row(1, off as u32, 0)));
        }
        rows.push((first_member + i, row(2, first_stream + i, 0)));
    }
    let xref_num = first_stream + n;
    let xref_at = out.len();
    rows.push((xref_num, row(1, xref_at as u32, 0)));
    rows.sort_by_key(|r| r.0);
    let index: Vec<String> = rows.iter().map(|r| format!("{} 1", r.0)).collect();
    let bin: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
    let dict = format!(
        " /Type /XRef /W [1 4 2] /Index [{}] /Size {} /Root {} 0 R /Prev {}",
        index.join(" "),
        xref_num + 1,
        l.root,
        last_startxref(&signed)
    );
    push_objects(&mut out, &[(xref_num, stream(&dict, &bin))]);
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    let pdf = lab.write("objstm-bomb.pdf", &out);
    assert!(out.len() < 4 << 20, "the bomb file is {} bytes", out.len());

    // Run kyso and read its peak memory from wait4's rusage (Linux: ru_maxrss in KiB); wait4
    // reaps the child itself.
    #[allow(clippy::zombie_processes)]
    let child = kyso()
        .arg("verify")
        .arg(&pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let code = libc::WEXITSTATUS(status);
    let peak_mib = usage.ru_maxrss / 1024;
    eprintln!("object-stream bomb: exit {code}, peak {peak_mib} MiB");
    assert!([1, 3, 4].contains(&code), "exit {code}");
    assert!(peak_mib < 200, "peak memory {peak_mib} MiB");
}

// ---------------------------------------------------------------------------------------------
// A signature whose /SubFilter names no encoding kyso verifies.
// ---------------------------------------------------------------------------------------------

/// congvan.pdf signed by kyso, then its /SubFilter rewritten to `sub_filter` (same length) and
/// the CMS made again by OpenSSL (`cms -sign`, detached, the leader's key) over the new byte
/// ranges: a signature that is cryptographically sound whatever /SubFilter says.
fn resigned_with_sub_filter(lab: &Lab, signed: &[u8], sub_filter: &str) -> PathBuf {
    let d = sig_dict(signed);
    let at = rfind(signed, b"/SubFilter /ETSI.CAdES.detached").expect("kyso's /SubFilter") + 12;
    assert_eq!(sub_filter.len(), "ETSI.CAdES.detached".len());
    let mut pdf = signed.to_vec();
    pdf[at..at + sub_filter.len()].copy_from_slice(sub_filter.as_bytes());
    // The signed bytes: everything but the /Contents hex string (ISO 32000-1 §12.8.1).
    let hex_start = find_from(&pdf, b"<", d.contents.0).unwrap();
    let hex_end = d.contents.1;
    let mut data = pdf[..hex_start].to_vec();
    data.extend_from_slice(&pdf[hex_end..]);
    let data_path = lab.write(&format!("{sub_filter}.data"), &data);
    let cms_path = lab.path(&format!("{sub_filter}.p7s"));
    let pki = fixture("pki");
    let status = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-nosmimecap",
            "-md",
            "sha256",
            "-outform",
            "DER",
        ])
        .arg("-in")
        .arg(&data_path)
        .arg("-signer")
        .arg(pki.join("leader.pem"))
        .arg("-inkey")
        .arg(pki.join("leader.key.pem"))
        .arg("-certfile")
        .arg(pki.join("chain.pem"))
        .arg("-out")
        .arg(&cms_path)
        .status()
        .expect("openssl");
    assert!(status.success());
    let cms = std::fs::read(&cms_path).unwrap();
    let room = (hex_end - hex_start - 2) / 2;
    assert!(cms.len() <= room, "CMS {} > room {room}", cms.len());
    let hex: String = cms
        .iter()
        .map(|b| format!("{b:02X}"))
        .chain(std::iter::repeat_n("00".to_string(), room - cms.len()))
        .collect();
    pdf[hex_start + 1..hex_end - 1].copy_from_slice(hex.as_bytes());
    lab.write(&format!("{sub_filter}.pdf"), &pdf)
}

/// ISO 32000-1 §12.8.3: kyso verifies `adbe.pkcs7.detached`, `adbe.pkcs7.sha1` and
/// `ETSI.CAdES.detached`. The same sound CMS under another /SubFilter is not understood, so
/// never valid: INDETERMINATE (exit 3) with its reason. The control (the same re-signing under
/// `adbe.pkcs7.detached`) passes, so the /SubFilter alone makes the difference.
#[test]
fn a_sub_filter_kyso_does_not_know_is_not_judged_valid() {
    let lab = Lab::new();
    let signed = lab.signed_congvan();
    let control = resigned_with_sub_filter(&lab, &signed, "adbe.pkcs7.detached");
    let (code, report) = verify_json(&control, &[]);
    assert_eq!(code, 0, "control: {report:#}");

    let unknown = resigned_with_sub_filter(&lab, &signed, "adbe.pkcs7.detacheX");
    let (code, report) = verify_json(&unknown, &[]);
    summarise(&unknown, code, &report);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["indication"], "INDETERMINATE", "{report:#}");
    let sig = &report["signatures"][0];
    assert_eq!(sig["sub_indication"], "FORMAT_FAILURE", "{report:#}");
    assert_eq!(
        sig["message_code"], "SUB_FILTER_NOT_UNDERSTOOD",
        "{report:#}"
    );
}
