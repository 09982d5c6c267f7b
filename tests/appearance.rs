//! Visible signatures (issue #5, Decree 30/2020 Appendix I): rendered with Poppler and measured
//! by pixels, text read back after flattening, and the signatures checked by kyso, pyHanko and
//! pdfsig.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Render resolution: 2 pixels per point.
const DPI: f64 = 144.0;
const PX: f64 = DPI / 72.0;
const MM: f64 = 72.0 / 25.4;

fn image(name: &str) -> PathBuf {
    fixture(&format!("images/{name}"))
}

/// An RGB raster of one page.
struct Raster {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

impl Raster {
    fn px(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let i = (y * self.w + x) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// Bounding box in points (x0, y0, x1, y1; y from the top) of pixels matching `pred`
    /// where `base` (when given) does not match it; None when none.
    fn bbox(&self, base: Option<&Raster>, pred: impl Fn((u8, u8, u8)) -> bool) -> Option<[f64; 4]> {
        let mut b: Option<[usize; 4]> = None;
        for y in 0..self.h {
            for x in 0..self.w {
                if pred(self.px(x, y)) && !base.is_some_and(|r| pred(r.px(x, y))) {
                    let bb = b.get_or_insert([x, y, x, y]);
                    bb[0] = bb[0].min(x);
                    bb[1] = bb[1].min(y);
                    bb[2] = bb[2].max(x + 1);
                    bb[3] = bb[3].max(y + 1);
                }
            }
        }
        b.map(|b| b.map(|v| v as f64 / PX))
    }
}

impl Raster {
    /// As [`Raster::bbox`], counting only pixels inside `region` (points, y from the top).
    fn bbox_in(
        &self,
        base: &Raster,
        pred: impl Fn((u8, u8, u8)) -> bool,
        region: [f64; 4],
    ) -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        let (x0, y0) = ((region[0] * PX) as usize, (region[1] * PX) as usize);
        let (x1, y1) = (
            ((region[2] * PX) as usize).min(self.w),
            ((region[3] * PX) as usize).min(self.h),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                if pred(self.px(x, y)) && !pred(base.px(x, y)) {
                    let (px, py) = (x as f64 / PX, y as f64 / PX);
                    let bb = b.get_or_insert([px, py, px, py]);
                    bb[0] = bb[0].min(px);
                    bb[1] = bb[1].min(py);
                    bb[2] = bb[2].max(px + 1.0 / PX);
                    bb[3] = bb[3].max(py + 1.0 / PX);
                }
            }
        }
        b
    }
}

fn render(pdf: &Path, page: usize) -> Raster {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("r");
    let o = run(Command::new("pdftoppm")
        .args(["-r", &DPI.to_string(), "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&prefix));
    assert!(o.status.success(), "pdftoppm: {}", stderr(&o));
    let data = std::fs::read(prefix.with_extension("png")).unwrap();
    let mut dec = png::Decoder::new(std::io::Cursor::new(data));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks(ch)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Raster {
        w: info.width as usize,
        h: info.height as usize,
        rgb,
    }
}

fn blue(p: (u8, u8, u8)) -> bool {
    p.2 > 110 && p.0 < 110 && p.2 as i32 - p.0 as i32 > 60
}

fn red(p: (u8, u8, u8)) -> bool {
    p.0 > 140 && p.1 < 110 && p.2 < 110 && p.0 as i32 - p.1 as i32 > 60
}

fn differs(a: (u8, u8, u8), b: (u8, u8, u8)) -> bool {
    (a.0 as i32 - b.0 as i32).abs()
        + (a.1 as i32 - b.1 as i32).abs()
        + (a.2 as i32 - b.2 as i32).abs()
        > 90
}

/// Word boxes (text, x0, y0, x1, y1 with y from the top) from `pdftotext -bbox`.
fn words(pdf: &Path, page: usize) -> Vec<(String, [f64; 4])> {
    let o = run(Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-"));
    let text = stdout(&o);
    let attr = |l: &str, k: &str| -> f64 {
        let at = l.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
        l[at..at + l[at..].find('"').unwrap()].parse().unwrap()
    };
    text.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let t = &l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()];
            (
                t.to_string(),
                [
                    attr(l, "xMin"),
                    attr(l, "yMin"),
                    attr(l, "xMax"),
                    attr(l, "yMax"),
                ],
            )
        })
        .collect()
}

/// The last box of `word` on the page.
fn last_word(ws: &[(String, [f64; 4])], word: &str) -> [f64; 4] {
    ws.iter()
        .rev()
        .find(|(t, _)| t == word)
        .unwrap_or_else(|| panic!("'{word}' not on the page"))
        .1
}

/// The /Rect of every widget kyso added after `base_len` bytes (kyso writes plain objects),
/// converted to top-down points on a page of height `page_h`.
fn new_rects(pdf: &Path, base_len: usize, page_h: f64) -> Vec<[f64; 4]> {
    let bytes = std::fs::read(pdf).unwrap();
    let tail = String::from_utf8_lossy(&bytes[base_len..]).into_owned();
    let mut out = Vec::new();
    let mut rest = tail.as_str();
    while let Some(i) = rest.find("/Rect [") {
        let after = &rest[i + 7..];
        let end = after.find(']').unwrap();
        let v: Vec<f64> = after[..end]
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        if v[2] - v[0] > 0.0 {
            out.push([v[0], page_h - v[3], v[2], page_h - v[1]]);
        }
        rest = &after[end..];
    }
    out
}

/// Asserts every pixel that changed between `before` and `after` lies inside one of `rects`
/// (top-down points), allowing one pixel of anti-aliasing.
fn changes_inside(before: &Raster, after: &Raster, rects: &[[f64; 4]]) {
    let mut changed = 0;
    for y in 0..after.h {
        for x in 0..after.w {
            if differs(before.px(x, y), after.px(x, y)) {
                changed += 1;
                let (px, py) = (x as f64 / PX, y as f64 / PX);
                let tol = 1.0;
                assert!(
                    rects.iter().any(|r| px >= r[0] - tol
                        && px <= r[2] + tol
                        && py >= r[1] - tol
                        && py <= r[3] + tol),
                    "pixel drawn at ({px:.1}, {py:.1}) pt outside the widgets {rects:?}"
                );
            }
        }
    }
    assert!(changed > 100, "the signature drew nothing visible");
}

fn flattened_text(pdf: &Path, page: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("flat.pdf");
    let o = run(Command::new("qpdf")
        .arg("--flatten-annotations=all")
        .arg(pdf)
        .arg(&flat));
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(3),
        "qpdf: {}",
        stderr(&o)
    );
    let o = run(Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&flat)
        .arg("-"));
    stdout(&o)
}

/// `22.11.2026 11:32:38 +07:00` from the RFC 3339 time `sign --json` reports.
fn display_time(rfc3339: &str) -> String {
    let (d, t) = rfc3339.split_once('T').unwrap();
    let p: Vec<&str> = d.split('-').collect();
    format!("{}.{}.{} {} +07:00", p[2], p[1], p[0], &t[..8])
}

fn signing_time(o: &std::process::Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = v["signing_time"].as_str().unwrap().to_string();
    assert!(t.ends_with("+07:00"), "{t}");
    t
}

fn tools() -> bool {
    have_tool("pdftoppm") && have_tool("pdftotext") && have_tool("qpdf")
}

fn assert_all_valid(pdf: &Path, expected: usize) {
    let (code, report) = verify_json(pdf, &[]);
    assert_eq!(code, 0, "{report:#}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), expected);
    for s in sigs {
        assert_eq!(s["indication"], "TOTAL-PASSED", "{s:#}");
        for m in s["modifications"].as_array().unwrap() {
            assert_eq!(
                m["allowed"], true,
                "disallowed change after {}: {m:#}",
                s["field"]
            );
        }
    }
    if have_tool("pyhanko") {
        let o = run(Command::new("pyhanko")
            .args(["sign", "validate", "--trust"])
            .arg(pki("root.pem"))
            .args([
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
            ])
            .arg(pdf));
        let text = stdout(&o);
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(':')).collect();
        assert!(
            o.status.success() && lines.len() == expected,
            "pyhanko: {text}{}",
            stderr(&o)
        );
        assert!(
            lines.iter().all(|l| l.ends_with(":VALID")),
            "pyhanko: {text}"
        );
    }
    if have_tool("pdfsig") {
        let o = run(Command::new("pdfsig").arg(pdf));
        let text = stdout(&o);
        assert_eq!(
            text.matches("Signature is Valid.").count(),
            expected,
            "pdfsig: {text}"
        );
    }
}

#[test]
fn leader_then_organization_per_decree_30() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("docs/congvan.pdf");
    let leader = dir.path().join("leader.pdf");
    let both = dir.path().join("both.pdf");
    let img = image("signature-blue.png").display().to_string();
    sign(
        &src,
        &leader,
        "leader.p12",
        &["--role", "leader", "--image", &img],
    );
    let seal = image("seal-red.png").display().to_string();
    let o = sign(
        &leader,
        &both,
        "agency.p12",
        &[
            "--role",
            "organization",
            "--image",
            &seal,
            "--seal-diameter-mm",
            "36",
            "--doc-number",
            "123/UBND-VP",
            // congvan.pdf's number is printed already: no blank, so a Decree 30 guard
            // (issue #15) refuses unless forced; the number then joins the text block.
            "--force",
            "--json",
        ],
    );
    let time = signing_time(&o);

    // Geometry of the leader's picture: between the title line and the name, centred on it.
    let unsigned = render(&src, 1);
    let r_leader = render(&leader, 1);
    let r_both = render(&both, 1);
    let ws = words(&src, 1);
    let title = last_word(&ws, "TỊCH");
    let name0 = last_word(&ws, "Nguyễn");
    let name1 = last_word(&ws, "An");
    let sig = r_leader
        .bbox(Some(&unsigned), blue)
        .expect("no blue picture drawn");
    assert!(
        sig[1] >= title[3] - 3.0,
        "picture {sig:?} overlaps the title line {title:?}"
    );
    assert!(
        sig[3] <= name0[1] + 4.0,
        "picture {sig:?} overlaps the name {name0:?}"
    );
    assert!(sig[3] - sig[1] > 30.0, "picture too small: {sig:?}");
    // The picture's box is the leader widget's rectangle; the ink lies inside it.
    let page_h = r_both.h as f64 / PX;
    let base_len = std::fs::metadata(&src).unwrap().len() as usize;
    let pic = new_rects(&leader, base_len, page_h)[0];
    assert!(
        sig[0] >= pic[0] - 1.0
            && sig[2] <= pic[2] + 1.0
            && sig[1] >= pic[1] - 1.0
            && sig[3] <= pic[3] + 1.0
    );
    let name_centre = (name0[0] + name1[2]) / 2.0;
    let sig_centre = (pic[0] + pic[2]) / 2.0;
    assert!(
        (sig_centre - name_centre).abs() < 2.0,
        "picture centred at {sig_centre:.1}, the name at {name_centre:.1}"
    );

    // The seal: real size (36 mm), its right edge about a third into the picture, overlapping it.
    let seal_box = r_both
        .bbox(Some(&r_leader), red)
        .expect("no red seal drawn");
    let d = 36.0 * MM;
    assert!(
        (seal_box[2] - seal_box[0] - d).abs() < 2.0,
        "seal width {seal_box:?} ≠ {d:.1} pt"
    );
    assert!(
        (seal_box[3] - seal_box[1] - d).abs() < 2.0,
        "seal height {seal_box:?} ≠ {d:.1} pt"
    );
    let third = pic[0] + (pic[2] - pic[0]) / 3.0;
    assert!(
        (seal_box[2] - third).abs() < 0.05 * (pic[2] - pic[0]) + 1.0,
        "seal's right edge {:.1} is not a third into the picture ({:.1}..{:.1})",
        seal_box[2],
        pic[0],
        pic[2]
    );
    assert!(seal_box[2] > sig[0] && seal_box[1] < sig[3] && seal_box[3] > sig[1]);

    // Nothing drawn outside the widgets.
    let rects = new_rects(&both, base_len, page_h);
    assert_eq!(rects.len(), 2, "{rects:?}");
    changes_inside(&unsigned, &r_both, &rects);

    // The text block, read back exactly.
    let text = flattened_text(&both, 1);
    // The agency is the signer here: no "Cơ quan:" line repeating it (issue #15).
    assert!(!text.contains("Cơ quan:"), "{text}");
    for want in [
        "Người ký: Ủy ban nhân dân tỉnh Thử Nghiệm".to_string(),
        format!("Thời gian ký: {}", display_time(&time)),
        "Số: 123/UBND-VP".to_string(),
    ] {
        assert!(
            text.contains(&want),
            "'{want}' not in the flattened page:\n{text}"
        );
    }

    assert_all_valid(&leader, 1);
    assert_all_valid(&both, 2);
}

#[test]
fn attachment_and_copy_stamps_top_right() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (case, (src, role, extra, expect)) in [
        (
            "docs/quyetdinh-multipage.pdf",
            "attachment",
            vec!["--doc-number", "45/QĐ-UBND"],
            vec!["45/QĐ-UBND"],
        ),
        (
            "docs/congvan.pdf",
            "copy",
            vec!["--copy-type", "SAO Y"],
            vec!["SAO Y", "Ủy ban nhân dân tỉnh Thử Nghiệm"],
        ),
        (
            "docs/congvan.pdf",
            "copy",
            vec![
                "--copy-type",
                "TRÍCH SAO",
                "--agency",
                "Sở Tư pháp tỉnh Đà Nẵng",
            ],
            vec!["TRÍCH SAO", "Sở Tư pháp tỉnh Đà Nẵng"],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let src = fixture(src);
        // One output per case: an existing output is refused (no --overwrite).
        let out = dir.path().join(format!("{role}-{case}.pdf"));
        let mut args = vec!["--role", role, "--json"];
        args.extend(extra.iter().copied());
        let o = sign(&src, &out, "agency.p12", &args);
        let time = signing_time(&o);

        let text = flattened_text(&out, 1);
        for want in expect.iter().map(|s| s.to_string()).chain([time.clone()]) {
            assert!(text.contains(&want), "{role}: '{want}' not in:\n{text}");
        }
        // The stamp is the first text of the page: it sits above the document's header.
        assert!(text.trim_start().starts_with(expect[0]), "{role}: {text}");

        let before = render(&src, 1);
        let after = render(&out, 1);
        let page_w = after.w as f64 / PX;
        let page_h = after.h as f64 / PX;
        let ink = after
            .bbox(Some(&before), |p| p.0 < 100 && p.1 < 100 && p.2 < 100)
            .expect("nothing drawn");
        assert!(
            ink[0] > page_w / 2.0,
            "{role}: stamp not on the right: {ink:?}"
        );
        assert!(ink[3] < 25.0 * MM, "{role}: stamp not at the top: {ink:?}");
        assert!(
            page_w - ink[2] < 15.0 * MM && page_w - ink[2] > 5.0 * MM,
            "{ink:?}"
        );
        // 10 pt text: three lines fit in about 40 pt.
        assert!(ink[3] - ink[1] < 40.0, "{role}: {ink:?}");
        let base_len = std::fs::metadata(&src).unwrap().len() as usize;
        changes_inside(&before, &after, &new_rects(&out, base_len, page_h));
        assert_all_valid(&out, 1);
    }
}

#[test]
fn explicit_rect_in_millimetres_holds_the_picture() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("docs/quyetdinh-multipage.pdf");
    let out = dir.path().join("rect.pdf");
    let img = image("signature-blue.png").display().to_string();
    sign(
        &src,
        &out,
        "leader.p12",
        &[
            "--role",
            "leader",
            "--image",
            &img,
            "--page",
            "2",
            "--rect",
            "100mm,50mm,60mm,30mm",
        ],
    );
    let before = render(&src, 2);
    let after = render(&out, 2);
    let page_h = after.h as f64 / PX;
    let b = after
        .bbox(Some(&before), blue)
        .expect("no picture on page 2");
    // The rectangle in top-down points: x 100..160 mm, y from the top (page_h - 80 mm)..(page_h - 50 mm).
    let r = [
        100.0 * MM,
        page_h - 80.0 * MM,
        160.0 * MM,
        page_h - 50.0 * MM,
    ];
    assert!(
        b[0] >= r[0] - 1.0 && b[2] <= r[2] + 1.0 && b[1] >= r[1] - 1.0 && b[3] <= r[3] + 1.0,
        "picture {b:?} outside the requested rectangle {r:?}"
    );
    // Aspect 600:240 fits the 60×30 mm box by width: the widget is 60 × 24 mm, centred.
    let base_len = std::fs::metadata(&src).unwrap().len() as usize;
    let w = new_rects(&out, base_len, page_h)[0];
    assert!((w[2] - w[0] - 60.0 * MM).abs() < 0.5, "{w:?}");
    assert!((w[3] - w[1] - 24.0 * MM).abs() < 0.5, "{w:?}");
    assert!(
        ((w[1] + w[3]) / 2.0 - (r[1] + r[3]) / 2.0).abs() < 0.5,
        "{w:?}"
    );
    assert!((b[2] - b[0]) > 0.8 * (w[2] - w[0]), "{b:?}");
    assert!(
        render(&out, 1).bbox(Some(&render(&src, 1)), blue).is_none(),
        "page 1 changed"
    );
    assert_all_valid(&out, 1);
}

#[test]
fn bad_input_is_refused_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.png");
    let mut bytes = std::fs::read(image("seal-red.png")).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&corrupt, &bytes).unwrap();
    let missing = dir.path().join("missing.png");
    let sig = image("signature-blue.png");
    let seal = image("seal-red.png");
    let src = fixture("docs/congvan.pdf");
    let p = |p: &Path| p.display().to_string();
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "leader.p12",
            vec![
                "--role".into(),
                "leader".into(),
                "--image".into(),
                p(&missing),
            ],
            "missing.png",
        ),
        (
            "leader.p12",
            vec![
                "--role".into(),
                "leader".into(),
                "--image".into(),
                p(&corrupt),
            ],
            "not a usable PNG",
        ),
        (
            "leader.p12",
            vec![
                "--role".into(),
                "leader".into(),
                "--image".into(),
                p(&sig),
                "--anchor".into(),
                "Trần Thị Bình".into(),
            ],
            "not found",
        ),
        (
            "leader.p12",
            vec![
                "--role".into(),
                "leader".into(),
                "--image".into(),
                p(&sig),
                "--rect".into(),
                "500,800,200,100".into(),
            ],
            "outside",
        ),
        (
            "agency.p12",
            vec![
                "--role".into(),
                "organization".into(),
                "--image".into(),
                p(&seal),
            ],
            "no leader signature",
        ),
        (
            "leader.p12",
            vec!["--role".into(), "leader".into()],
            "--image",
        ),
        (
            "agency.p12",
            vec![
                "--role".into(),
                "copy".into(),
                "--copy-type".into(),
                "BẢN NHÁP".into(),
            ],
            "SAO Y",
        ),
        (
            "agency.p12",
            vec!["--role".into(), "attachment".into()],
            "--doc-number",
        ),
        ("leader.p12", vec!["--image".into(), p(&sig)], "--role"),
        (
            "agency.p12",
            vec!["--role".into(), "copy".into(), "--font".into(), p(&sig)],
            "not a usable font",
        ),
        (
            "leader.p12",
            vec![
                "--role".into(),
                "leader".into(),
                "--image".into(),
                p(&sig),
                "--rect".into(),
                "1,2,3".into(),
            ],
            "x,y,w,h",
        ),
    ];
    for (i, (key, args, phrase)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}.pdf"));
        let o = run(kyso()
            .arg("sign")
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(pki(key))
            .args(args)
            .env("KYSO_PIN", p12_password(key)));
        let err = stderr(&o);
        assert!(!o.status.success(), "case {i} {args:?} succeeded");
        assert!(
            err.contains(phrase),
            "case {i} {args:?}: '{phrase}' not in: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "case {i} left an output file");
    }
}

#[test]
fn number_and_date_fill_the_drafts_blanks() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("docs/congvan-draft.pdf");
    let leader = dir.path().join("leader.pdf");
    let both = dir.path().join("issued.pdf");
    let img = image("signature-blue.png").display().to_string();
    sign(
        &src,
        &leader,
        "leader.p12",
        &["--role", "leader", "--image", &img],
    );
    let seal = image("seal-red.png").display().to_string();
    sign(
        &leader,
        &both,
        "agency.p12",
        &[
            "--role",
            "organization",
            "--image",
            &seal,
            "--doc-number",
            "123/UBND-VP",
            "--doc-date",
            "05/02/2026",
        ],
    );
    // Read back: the number in the "Số:" blank, the date (leading zeros for day < 10 and
    // month < 3, Decree 30/2020 Appendix I) in the "ngày … tháng …" blanks.
    let dir2 = tempfile::tempdir().unwrap();
    let flat = dir2.path().join("flat.pdf");
    let o = run(Command::new("qpdf")
        .arg("--flatten-annotations=all")
        .arg(&both)
        .arg(&flat));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(3));
    let o = run(Command::new("pdftotext")
        .args(["-layout", "-f", "1", "-l", "1"])
        .arg(&flat)
        .arg("-"));
    let text = stdout(&o);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = text.lines().map(squeeze).collect();
    assert!(
        lines.iter().any(|l| l.contains("Số: 123 /UBND-VP")),
        "number not in its blank:\n{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("ngày 05 tháng 02 năm 2026")),
        "date not in its blanks:\n{text}"
    );
    // Stamped, so not repeated in the text block.
    assert!(!text.contains("Số: 123/UBND-VP"), "{text}");

    // The number's ink lies between "Số:" and "/UBND-VP".
    let ws = words(&src, 1);
    let so = ws.iter().find(|(t, _)| t == "Số:").unwrap().1;
    let sym = ws.iter().find(|(t, _)| t == "/UBND-VP").unwrap().1;
    let before = render(&leader, 1);
    let after = render(&both, 1);
    let dark = |p: (u8, u8, u8)| p.0 < 100 && p.1 < 100 && p.2 < 100;
    let region = [so[0] - 5.0, so[1] - 3.0, sym[2] + 5.0, so[3] + 3.0];
    let number = after
        .bbox_in(&before, dark, region)
        .expect("nothing stamped on the number line");
    assert!(
        number[0] > so[2] && number[2] < sym[0],
        "number {number:?} not between 'Số:' {so:?} and '/UBND-VP' {sym:?}"
    );
    assert!(number[2] - number[0] > 10.0, "{number:?}");

    // Nothing outside the widgets, and still valid everywhere.
    let page_h = after.h as f64 / PX;
    let base_len = std::fs::metadata(&src).unwrap().len() as usize;
    let rects = new_rects(&both, base_len, page_h);
    changes_inside(&render(&src, 1), &after, &rects);
    assert_all_valid(&both, 2);
}

/// Anchors are found in text drawn with a composite font (Type0, Identity-H, /ToUnicode, as
/// MS Word writes) inside a form XObject: the page of a flattened kyso copy stamp.
#[test]
fn anchor_found_in_type0_text_inside_a_form() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stamped = dir.path().join("copy.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &stamped,
        "agency.p12",
        &["--role", "copy", "--agency", "Sở Tư pháp tỉnh Đà Nẵng"],
    );
    let flat = dir.path().join("flat.pdf");
    let o = run(Command::new("qpdf")
        .arg("--flatten-annotations=all")
        .arg(&stamped)
        .arg(&flat));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(3));
    let out = dir.path().join("signed.pdf");
    let img = image("signature-blue.png").display().to_string();
    sign(
        &flat,
        &out,
        "leader.p12",
        &[
            "--role",
            "leader",
            "--image",
            &img,
            "--anchor",
            "sở tư pháp TỈNH ĐÀ NẴNG",
            // Found at the top of page 1, not in a signer block: a Decree 30 guard.
            "--force",
        ],
    );
    // Found, and the picture centred on it (the gap above is small here: the copy type line).
    let ws = words(&flat, 1);
    let x0 = ws.iter().find(|(t, _)| t == "Sở").unwrap().1[0];
    let x1 = last_word(&ws, "Nẵng")[2];
    let after = render(&out, 1);
    let page_h = after.h as f64 / PX;
    let base_len = std::fs::metadata(&flat).unwrap().len() as usize;
    let pic = new_rects(&out, base_len, page_h)[0];
    let (pc, ac) = ((pic[0] + pic[2]) / 2.0, (x0 + x1) / 2.0);
    assert!(
        (pc - ac).abs() < 2.0,
        "picture {pic:?} not centred on the anchor {x0}..{x1}"
    );
    assert!(
        after.bbox(Some(&render(&flat, 1)), blue).is_some(),
        "no picture drawn"
    );
}

/// `--font` embeds the agency's own TrueType font instead of the bundled one.
#[test]
fn another_font_is_embedded() {
    let font = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf");
    if !font.exists() {
        assert!(
            std::env::var("KYSO_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{} is required (scripts/install-test-deps.sh installs fonts-dejavu-core)",
            font.display()
        );
        eprintln!("SKIP: {} not installed (fonts-dejavu-core)", font.display());
        return;
    }
    if !have_tool("pdffonts") || !have_tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.pdf");
    let f = font.display().to_string();
    sign(
        &fixture("docs/congvan.pdf"),
        &out,
        "agency.p12",
        &["--role", "copy", "--font", &f],
    );
    let flat = dir.path().join("flat.pdf");
    run(Command::new("qpdf")
        .arg("--flatten-annotations=all")
        .arg(&out)
        .arg(&flat));
    let o = run(Command::new("pdffonts").arg(&flat));
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.contains("DejaVuSerif"))
        .unwrap_or_else(|| panic!("DejaVu Serif not embedded:\n{text}"));
    // Subset (six-letter tag), CID TrueType, Identity-H, embedded, with /ToUnicode.
    assert!(
        line.contains("CID TrueType") && line.contains("Identity-H"),
        "{line}"
    );
    assert!(
        line.split_whitespace()
            .any(|w| w.len() > 7 && w.as_bytes()[6] == b'+'),
        "{line}"
    );
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert!(
        cols.ends_with(&["yes", "yes", "yes"])
            || cols.windows(3).any(|w| w == ["yes", "yes", "yes"]),
        "{line}"
    );
    assert!(flattened_text(&out, 1).contains("Ủy ban nhân dân tỉnh Thử Nghiệm"));
}

/// Pages turned with /Rotate: stamps are laid out on the page as displayed and drawn upright.
#[test]
fn rotated_pages_get_upright_stamps_top_right() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for rot in [90, 180, 270] {
        let rotated = dir.path().join(format!("rotated{rot}.pdf"));
        let o = run(Command::new("qpdf")
            .arg(format!("--rotate=+{rot}"))
            .arg(fixture("docs/congvan.pdf"))
            .arg(&rotated));
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join(format!("copy{rot}.pdf"));
        let o = sign(&rotated, &out, "agency.p12", &["--role", "copy", "--json"]);
        let time = signing_time(&o);
        // pdftoppm renders the page as displayed.
        let before = render(&rotated, 1);
        let after = render(&out, 1);
        let page_w = after.w as f64 / PX;
        let ink = after
            .bbox(Some(&before), |p| p.0 < 100 && p.1 < 100 && p.2 < 100)
            .expect("nothing drawn");
        assert!(
            ink[0] > page_w / 2.0 && ink[3] < 25.0 * MM,
            "{rot}°: {ink:?}"
        );
        // Upright: wider than tall (three short lines of 10 pt).
        assert!(ink[2] - ink[0] > 2.0 * (ink[3] - ink[1]), "{rot}°: {ink:?}");
        let text = flattened_text(&out, 1);
        for want in ["SAO Y", "Ủy ban nhân dân tỉnh Thử Nghiệm", time.as_str()] {
            assert!(text.contains(want), "{rot}°: '{want}' not in:\n{text}");
        }
        assert_all_valid(&out, 1);
    }
}
