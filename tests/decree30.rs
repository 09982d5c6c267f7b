//! Decree 30/2020 conformity (issue #15): documents kyso signs in each role are conforming;
//! deliberately non-conforming documents fail on the right point with the right evidence;
//! pyHanko's documents (no pictures) fail on the appearance points without crashing; the
//! signing guards refuse, and `--force` signs with a warning.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn image(name: &str) -> String {
    fixture(&format!("images/{name}")).display().to_string()
}

fn tools() -> bool {
    have_tool("pdftotext")
}

/// The decree30 object and the whole report.
fn decree30(pdf: &Path) -> (Value, Value) {
    let (_, r) = verify_json(pdf, &[]);
    (r["decree30"].clone(), r)
}

fn point<'a>(d: &'a Value, code: &str) -> &'a Value {
    d["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no point {code} in {d:#}"))
}

fn assert_conforming(d: &Value) {
    assert_eq!(d["status"], "conforming", "{d:#}");
    for p in d["points"].as_array().unwrap() {
        assert_ne!(p["status"], "not_met", "{p:#}");
    }
    // Without a Vietnamese root configured, the root point does not apply.
    assert_eq!(point(d, "official_root")["status"], "not_applicable");
    assert_eq!(
        point(d, "official_root")["evidence"]["configured"],
        false,
        "{d:#}"
    );
}

fn not_met<'a>(d: &'a Value, code: &str) -> &'a Value {
    assert_eq!(d["status"], "not conforming", "{d:#}");
    let p = point(d, code);
    assert_eq!(p["status"], "not_met", "{code}: {d:#}");
    &p["evidence"]
}

fn roles(d: &Value) -> Vec<String> {
    d["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap().to_string())
        .collect()
}

/// The leader's visible signature on congvan.pdf.
fn leader_signed(dir: &Path) -> PathBuf {
    let out = dir.join("leader.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &out,
        "leader.p12",
        &["--role", "leader", "--image", &image("signature-blue.png")],
    );
    out
}

fn sealed(dir: &Path, leader: &Path, name: &str, p12: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["--role", "organization", "--image"];
    let seal = image("seal-red.png");
    args.push(&seal);
    args.extend_from_slice(extra);
    sign(leader, &out, p12, &args);
    out
}

#[test]
fn kyso_documents_in_each_role_are_conforming() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let leader = leader_signed(dir.path());
    let both = sealed(dir.path(), &leader, "both.pdf", "agency.p12", &[]);
    let (d, r) = decree30(&both);
    assert_conforming(&d);
    assert_eq!(d["kind"], "main");
    assert_eq!(roles(&d), ["leader", "organization"]);
    // Roles and their evidence in every signature of the report (JSON, /v1/verify, C ABI).
    let s = r["signatures"].as_array().unwrap();
    assert_eq!(s[0]["role"]["role"], "leader");
    assert_eq!(s[0]["role"]["picture"], "blue");
    assert_eq!(s[0]["role"]["name_kind"], "person");
    assert_eq!(s[1]["role"]["role"], "organization");
    assert_eq!(s[1]["role"]["picture"], "red");
    assert_eq!(s[1]["role"]["name_kind"], "organization");
    // The seal at its real size (from the PNG's resolution here), inside 30–45 mm.
    let size = &point(&d, "seal_size")["evidence"];
    let w = size["width_mm"].as_f64().unwrap();
    assert!((30.0..=45.0).contains(&w), "{size}");
    assert!(
        (size["height_mm"].as_f64().unwrap() - w).abs() < 1.0,
        "{size}"
    );
    assert_eq!(
        point(&d, "leader_picture")["evidence"]["placement"],
        "between_title_and_name"
    );
    assert_eq!(
        point(&d, "organization_picture")["evidence"]["placement"],
        "over_left_third"
    );
    // The text report: its own verdict line and section, in Vietnamese and English.
    let o = run(kyso()
        .arg("verify")
        .arg(&both)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .arg("--require-decree30"));
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Thể thức chữ ký số (Nghị định 30/2020): ĐÚNG THỂ THỨC"),
        "{text}"
    );
    assert!(text.contains("[đạt] Hình ảnh con dấu"), "{text}");
    assert!(text.contains("[không áp dụng] Chứng thư gốc"), "{text}");
    let o = run(kyso()
        .arg("verify")
        .arg(&both)
        .args(["--lang", "en", "--trust"])
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert!(
        stdout(&o).contains("Digital signature layout (Decree 30/2020): CONFORMING"),
        "{}",
        stdout(&o)
    );

    // An attachment in its own file, and an electronic copy.
    let att = dir.path().join("attachment.pdf");
    sign(
        &fixture("docs/quyetdinh-multipage.pdf"),
        &att,
        "agency.p12",
        &["--role", "attachment", "--doc-number", "456/QĐ-UBND"],
    );
    let (d, _) = decree30(&att);
    assert_conforming(&d);
    assert_eq!(d["kind"], "attachment");
    assert_eq!(roles(&d), ["attachment"]);
    let copy = dir.path().join("copy.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &copy,
        "agency.p12",
        &["--role", "copy", "--copy-type", "SAO LỤC"],
    );
    let (d, _) = decree30(&copy);
    assert_conforming(&d);
    assert_eq!(d["kind"], "copy");
    let text = &point(&d, "stamp_text")["evidence"];
    assert_eq!(text["reference_found"], true, "{text}");
    assert_eq!(text["time_found"], true, "{text}");

    // The batch table and the HTML report show the verdict; a non-conforming file (the
    // leader alone: no agency signature) makes the exit code 1 only with --require-decree30.
    let html = dir.path().join("report.html");
    let batch = |extra: &[&str]| {
        run(kyso()
            .arg("verify")
            .args([&both, &att, &copy, &leader])
            .arg("--trust")
            .arg(pki("root.pem"))
            .args(crl_args())
            .arg("--report")
            .arg(&html)
            .args(extra))
    };
    let o = batch(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("Thể thức NĐ 30"), "{table}");
    assert!(table.contains("KHÔNG ĐÚNG"), "{table}");
    assert!(
        table.contains("Không đúng thể thức Nghị định 30/2020: 1"),
        "{table}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Thể thức chữ ký số (Nghị định 30/2020)"),
        "{page}"
    );
    // The summary table and the section of each of the 4 files.
    assert_eq!(page.matches("ĐÚNG THỂ THỨC</span>").count(), 8, "{page}");
    assert!(page.contains("Vai trò (NĐ 30/2020)"), "{page}");
    let o = batch(&["--require-decree30"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let (d, _) = decree30(&leader);
    let e = not_met(&d, "organization_signature");
    assert_eq!(e["missing"], "organization_signature", "{e}");

    // A file with no signature is no official document: not applicable, exit code 4 kept.
    let o = run(kyso()
        .arg("verify")
        .arg(fixture("docs/congvan.pdf"))
        .arg("--json")
        .arg("--require-decree30"));
    assert_eq!(o.status.code(), Some(4));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["decree30"]["status"], "not applicable");
}

#[test]
fn agency_before_leader_fails_the_order() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("seal-first.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &first,
        "agency.p12",
        &[
            "--role",
            "organization",
            "--image",
            &image("seal-red.png"),
            "--rect",
            "110mm,40mm,40mm,40mm",
            "--force",
        ],
    );
    // The guard: a leader signature after the agency's is refused...
    let both = dir.path().join("both.pdf");
    let args = ["--role", "leader", "--image", &image("signature-blue.png")];
    let o = try_sign(&first, &both, "leader.p12", &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Điều 32.2"), "{}", stderr(&o));
    assert!(!both.exists());
    let mut en = args.to_vec();
    en.extend(["--lang", "en"]);
    let o = try_sign(&first, &both, "leader.p12", &en);
    assert!(stderr(&o).contains("Art. 32.2"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    // ...and signed with --force, with a warning.
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = try_sign(&first, &both, "leader.p12", &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("cảnh báo"), "{}", stderr(&o));
    let (d, r) = decree30(&both);
    // The signatures themselves are valid: conformity never changes the ETSI indication.
    assert_eq!(r["indication"], "TOTAL-PASSED", "{r:#}");
    let e = not_met(&d, "signature_order");
    assert_eq!(e["leader_signature"], 2, "{e}");
    assert_eq!(e["organization_signature"], 1, "{e}");
    assert_eq!(roles(&d), ["organization", "leader"]);
    // The exit code changes only when asked.
    let (code, _) = verify_json(&both, &[]);
    assert_eq!(code, 0);
    let (code, _) = verify_json(&both, &["--require-decree30"]);
    assert_eq!(code, 1);
}

/// The leader's picture rectangle (points on the page) from the verification report.
fn leader_rect(leader: &Path) -> Vec<f64> {
    let (_, r) = verify_json(leader, &[]);
    r["signatures"][0]["role"]["widget"]["rect"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[test]
fn misplaced_seals_fail_the_seal_point() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let leader = leader_signed(dir.path());
    // On the right side of the leader's picture.
    let l = leader_rect(&leader);
    let d = 36.0 * 72.0 / 25.4;
    let cx = l[2];
    let cy = (l[1] + l[3]) / 2.0;
    let rect = format!("{},{},{d},{d}", cx - d / 2.0, cy - d / 2.0);
    let right = sealed(
        dir.path(),
        &leader,
        "right.pdf",
        "agency.p12",
        &["--rect", &rect, "--no-text"],
    );
    let (dd, _) = decree30(&right);
    let e = not_met(&dd, "organization_picture");
    assert_eq!(e["placement"], "wrong_part", "{e}");
    assert!(e["covered_left_percent"].as_f64().unwrap() > 90.0, "{e}");
    // Everything else holds.
    for p in dd["points"].as_array().unwrap() {
        if p["code"] != "organization_picture" {
            assert_ne!(p["status"], "not_met", "{p:#}");
        }
    }

    // On another page than the leader's picture.
    let multi = dir.path().join("leader-multi.pdf");
    sign(
        &fixture("docs/quyetdinh-multipage.pdf"),
        &multi,
        "leader.p12",
        &["--role", "leader", "--image", &image("signature-blue.png")],
    );
    let other = sealed(
        dir.path(),
        &multi,
        "other-page.pdf",
        "agency.p12",
        &["--page", "1", "--rect", "60mm,60mm,40mm,40mm", "--no-text"],
    );
    let (dd, _) = decree30(&other);
    let e = not_met(&dd, "organization_picture");
    assert_eq!(e["placement"], "other_page", "{e}");
    assert_eq!(e["page"], 1, "{e}");
    assert_ne!(e["leader_page"], 1, "{e}");
}

#[test]
fn wrong_certificates_and_colours_fail_their_points() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A personal certificate used for the seal.
    let leader = leader_signed(dir.path());
    let personal = sealed(dir.path(), &leader, "personal-seal.pdf", "ecdsa.p12", &[]);
    let (d, _) = decree30(&personal);
    let e = not_met(&d, "organization_signature");
    assert_eq!(e["name_kind"], "person", "{e}");
    assert_eq!(e["signature"], 2);
    assert!(e["common_name"].as_str().unwrap().contains("Bình"), "{e}");

    // A red picture for the leader.
    let red = dir.path().join("red-leader.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &red,
        "leader.p12",
        &["--role", "leader", "--image", &image("seal-red.png")],
    );
    let both = sealed(dir.path(), &red, "red-both.pdf", "agency.p12", &[]);
    let (d, _) = decree30(&both);
    let e = not_met(&d, "leader_picture");
    assert_eq!(e["colour"]["hue"], "red", "{e}");
    assert_eq!(e["signature"], 1);

    // A copy with a picture (only with --force).
    let copy = dir.path().join("copy-picture.pdf");
    let args = ["--role", "copy", "--image", &image("seal-red.png")];
    let o = try_sign(&fixture("docs/congvan.pdf"), &copy, "agency.p12", &args);
    assert!(!o.status.success());
    let mut forced = args.to_vec();
    forced.push("--force");
    sign(&fixture("docs/congvan.pdf"), &copy, "agency.p12", &forced);
    let (d, _) = decree30(&copy);
    assert_eq!(d["kind"], "copy", "{d:#}");
    let e = not_met(&d, "stamp_no_picture");
    assert_eq!(e["count"], 1, "{e}");
    assert_eq!(e["colour"]["hue"], "red", "{e}");
}

#[test]
fn a_change_after_the_agency_signature_fails_coverage() {
    if !tools() || !have_tool("python3") {
        return;
    }
    let ok =
        run(Command::new("python3").args(["-c", "import pyhanko.pdf_utils.incremental_writer"]));
    if !ok.status.success() {
        eprintln!("SKIP: pyHanko's Python package is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let leader = leader_signed(dir.path());
    let both = sealed(dir.path(), &leader, "both.pdf", "agency.p12", &[]);
    let changed = dir.path().join("changed.pdf");
    // An incremental update drawing a box on page 1.
    let script = r#"import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils import generic
with open(sys.argv[1], 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    ref = w.add_object(generic.StreamObject(stream_data=b'0 0 1 rg 50 50 100 100 re f'))
    w.add_stream_to_page(0, ref)
    with open(sys.argv[2], 'wb') as out:
        w.write(out)
"#;
    let o = run(Command::new("python3")
        .args(["-c", script])
        .arg(&both)
        .arg(&changed));
    assert!(o.status.success(), "{}", stderr(&o));
    let (d, _) = decree30(&changed);
    let e = not_met(&d, "agency_covers_file");
    assert_eq!(e["signature"], 2, "{e}");
    assert_eq!(e["covers_whole_file"], false);
    assert_eq!(e["change"]["code"], "PAGE_CONTENT_CHANGED", "{e}");
}

#[test]
fn pyhanko_documents_fail_appearance_points_without_crashing() {
    if !tools() {
        return;
    }
    // The fixture: pyHanko with the agency key, invisible, time in UTC.
    let (d, _) = decree30(&fixture("docs/congvan-signed-pyhanko.pdf"));
    let e = not_met(&d, "times_vietnam");
    let raw = e["times"][0]["raw"].as_str().unwrap();
    assert!(raw.ends_with('Z'), "{e}");
    assert_eq!(e["times"][0]["vietnam"], false);
    if !have_tool("pyhanko") {
        return;
    }
    // Leader (visible, pyHanko's text stamp: no picture) then agency, both by pyHanko.
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, "12345678").unwrap();
    let leader = dir.path().join("py-leader.pdf");
    let o = run(Command::new("pyhanko")
        .args(["sign", "addsig", "--field", "1/350,120,520,180/LanhDao"])
        .args(["--use-pades", "pkcs12", "--passfile"])
        .arg(&pass)
        .arg(fixture("docs/congvan.pdf"))
        .arg(&leader)
        .arg(pki("leader.p12")));
    assert!(o.status.success(), "{}", stderr(&o));
    let both = dir.path().join("py-both.pdf");
    let o = run(Command::new("pyhanko")
        .args([
            "sign",
            "addsig",
            "--field",
            "CoQuan",
            "--use-pades",
            "pkcs12",
            "--no-pass",
        ])
        .arg(&leader)
        .arg(&both)
        .arg(pki("agency.p12")));
    assert!(o.status.success(), "{}", stderr(&o));
    let (d, r) = decree30(&both);
    assert_eq!(r["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(roles(&d), ["leader", "organization"]);
    assert_eq!(not_met(&d, "leader_picture")["placement"], "no_picture");
    assert_eq!(
        not_met(&d, "organization_picture")["placement"],
        "invisible"
    );
    // The roles and the order are recognised all the same.
    assert_eq!(point(&d, "signature_order")["status"], "met");
    assert_eq!(point(&d, "leader_signature")["status"], "met");
}

#[test]
fn guards_refuse_and_force_signs_with_a_warning() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("docs/congvan.pdf");
    let blue = image("signature-blue.png");
    let leader = leader_signed(dir.path());
    let seal = image("seal-red.png");
    // (key, input, args, phrase of the refusal)
    let cases: Vec<(&str, &Path, Vec<&str>, &str)> = vec![
        // The agency's key with --role leader.
        (
            "agency.p12",
            &src,
            vec![
                "--role",
                "leader",
                "--image",
                &blue,
                "--anchor",
                "Nguyễn Văn An",
            ],
            "không phải tên người",
        ),
        // The name found in the letterhead at the top of page 1.
        (
            "leader.p12",
            &src,
            vec![
                "--role",
                "leader",
                "--image",
                &blue,
                "--anchor",
                "TỈNH THỬ NGHIỆM",
            ],
            "phần tiêu đề",
        ),
        // A number with no blank "Số: ..." (congvan.pdf's number is already printed).
        (
            "agency.p12",
            &leader,
            vec![
                "--role",
                "organization",
                "--image",
                &seal,
                "--doc-number",
                "124/UBND-VP",
            ],
            "không tìm thấy chỗ trống \"Số: ...\"",
        ),
        (
            "agency.p12",
            &leader,
            vec![
                "--role",
                "organization",
                "--image",
                &seal,
                "--doc-date",
                "05/02/2026",
            ],
            "ngày ... tháng ... năm",
        ),
        // The seal near the left edge: its text block would lie in the binding margin.
        (
            "agency.p12",
            &leader,
            vec![
                "--role",
                "organization",
                "--image",
                &seal,
                "--rect",
                "35mm,40mm,36mm,36mm",
            ],
            "lề đóng gáy",
        ),
    ];
    for (i, (key, input, args, phrase)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("guard{i}.pdf"));
        let o = try_sign(input, &out, key, args);
        assert_eq!(o.status.code(), Some(1), "case {i}: {}", stderr(&o));
        assert!(stderr(&o).contains(phrase), "case {i}: {}", stderr(&o));
        assert!(stderr(&o).contains("--force"), "case {i}: {}", stderr(&o));
        assert!(!out.exists(), "case {i} wrote {}", out.display());
        let mut forced = args.clone();
        forced.push("--force");
        let o = try_sign(input, &out, key, &forced);
        assert!(o.status.success(), "case {i}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("cảnh báo") && stderr(&o).contains(phrase),
            "case {i}: {}",
            stderr(&o)
        );
        let (code, r) = verify_json(&out, &[]);
        assert_eq!(code, 0, "case {i}: {r:#}");
    }
    // English with --lang en.
    let out = dir.path().join("en.pdf");
    let o = try_sign(
        &src,
        &out,
        "agency.p12",
        &[
            "--role",
            "leader",
            "--image",
            &blue,
            "--anchor",
            "Nguyễn Văn An",
            "--lang",
            "en",
        ],
    );
    assert!(
        stderr(&o).contains("is not a person's name"),
        "{}",
        stderr(&o)
    );
}

/// The seal's text block: no line repeating the signer, one date format.
#[test]
fn seal_text_block_has_no_redundant_line() {
    if !tools() || !have_tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let leader = leader_signed(dir.path());
    let both = sealed(
        dir.path(),
        &leader,
        "both.pdf",
        "agency.p12",
        &["--doc-date", "5/2/2026", "--force"],
    );
    let flat = dir.path().join("flat.pdf");
    let o = run(Command::new("qpdf")
        .arg("--flatten-annotations=all")
        .arg(&both)
        .arg(&flat));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(3));
    let text = stdout(&run(Command::new("pdftotext").arg(&flat).arg("-")));
    assert!(
        text.contains("Người ký: Ủy ban nhân dân tỉnh Thử Nghiệm"),
        "{text}"
    );
    // O = CN for this certificate: "Cơ quan:" would repeat it.
    assert!(!text.contains("Cơ quan:"), "{text}");
    assert!(text.contains("Ngày ban hành: 05.02.2026"), "{text}");
}

/// With a Vietnamese official root among the anchors, the root point applies: a document of
/// the test PKI does not reach it.
#[test]
fn official_root_point_applies_when_a_vietnamese_root_is_configured() {
    let Some(shared) = shared() else {
        eprintln!("SKIP: ../shared is absent");
        return;
    };
    let root = shared.join("trust/rootcag2.crt");
    if !root.exists() || !tools() {
        eprintln!("SKIP: {} is absent", root.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let leader = leader_signed(dir.path());
    let both = sealed(dir.path(), &leader, "both.pdf", "agency.p12", &[]);
    let (code, r) = verify_json(&both, &["--trust", root.to_str().unwrap()]);
    // The ETSI verdict is the same; only the Decree 30 point changes.
    assert_eq!(code, 0, "{r:#}");
    let d = &r["decree30"];
    let e = not_met(d, "official_root");
    assert_eq!(e["configured"], true, "{e}");
    assert_eq!(e["signatures"][0]["official"], false, "{e}");
    assert!(
        e["signatures"][0]["anchor"]
            .as_str()
            .unwrap()
            .contains("KySo Test Root"),
        "{e}"
    );
}
