//! `kyso verify --report FILE.html`: contents in Vietnamese and English, escaping of
//! attacker-controlled names and fields, self-containment, atomic writing.

mod common;

use common::*;
use std::path::Path;

fn verify_report(paths: &[&Path], report: &Path, extra: &[&str]) -> std::process::Output {
    run(kyso()
        .arg("verify")
        .args(paths)
        .arg("--report")
        .arg(report)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .args(extra))
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn report_escapes_hostile_names_and_fields() {
    let tmp = tempfile::tempdir().unwrap();
    // A hostile file name and hostile signature fields (the signer writes /Reason, /Location).
    let hostile = tmp.path().join("<img src=x onerror=alert(1)>.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &hostile,
        "agency.p12",
        &[
            "--reason",
            "<script>alert('x')</script>",
            "--location",
            "\"><b>Hà Nội</b>",
        ],
    );
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let report = out.join("báo cáo.html");
    let o = verify_report(&[&hostile], &report, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(&report).unwrap();
    // Escaped, never markup; no script at all in the report.
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    // The only pictures are kyso's own (issue 14): inline PNGs of the signed version.
    let pictures = html.matches("<img alt=\"").count();
    assert_eq!(html.matches("<img").count(), pictures, "{html}");
    assert_eq!(html.matches("src=\"").count(), pictures);
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        pictures
    );
    assert!(pictures >= 1, "the signed version's first page is shown");
    assert!(!html.contains("<b>Hà Nội"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.pdf"));
    assert!(html.contains("&quot;&gt;&lt;b&gt;Hà Nội&lt;/b&gt;"));
    // Self-contained: inline CSS, nothing fetched.
    assert!(html.contains("<style>"));
    for forbidden in [
        "<link",
        "src=\"http",
        "src=\"/",
        "url(",
        "@import",
        "<iframe",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the report");
    }
    // Vietnamese by default, with what Circular 15/2025 asks for.
    for needle in [
        "<html lang=\"vi\">",
        "Báo cáo kiểm tra chữ ký số",
        "HỢP LỆ",
        "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "Tổ chức cấp (CA)",
        "Thời gian ký",
        "Chuỗi chứng thư",
        "KySo Test Root CA (thử nghiệm)",
        "chưa bị thu hồi (CRL",
        "Thay đổi sau chữ ký",
        "Tóm tắt",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // Written atomically: only the report in its folder, no temporary file left.
    assert_eq!(names(&out), ["báo cáo.html"]);
}

#[test]
fn batch_report_in_english_with_changes_and_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    // Two signatures: the first one sees the second added after it (allowed).
    let once = tmp.path().join("once.pdf");
    sign(&fixture("docs/congvan.pdf"), &once, "agency.p12", &[]);
    sign(
        &once,
        &dir.join("a-twice.pdf"),
        "leader.p12",
        &["--field", "LanhDao"],
    );
    // A signed file with one byte of the signed part changed.
    let mut bytes = std::fs::read(&once).unwrap();
    bytes[400] ^= 0x01;
    std::fs::write(dir.join("b-tampered.pdf"), &bytes).unwrap();
    std::fs::write(dir.join("c-broken.pdf"), "not a PDF").unwrap();

    let report = tmp.path().join("report.html");
    let o = verify_report(&[&dir], &report, &["--lang", "en"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let html = std::fs::read_to_string(&report).unwrap();
    for needle in [
        "<html lang=\"en\">",
        "Digital signature verification report",
        "Summary",
        "VALID",
        "INVALID",
        "UNREADABLE",
        "HASH_FAILURE",
        "Changes after it",
        "[allowed]",
        "a-twice.pdf",
        "b-tampered.pdf",
        "c-broken.pdf",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert!(!html.contains("HỢP LỆ"));
    // One section per file, and the summary links to each.
    assert_eq!(html.matches("<section id=\"f").count(), 3);
    for n in 1..=3 {
        assert!(html.contains(&format!("href=\"#f{n}\"")));
    }
    // The second file's first signature lists the later signature as an allowed change.
    let twice = &html[html.find("id=\"f1\"").unwrap()..html.find("id=\"f2\"").unwrap()];
    assert_eq!(twice.matches("<h3>").count(), 2, "two signatures");
    assert!(twice.contains("[allowed]"));
}

#[test]
fn report_that_cannot_be_written_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let signed = tmp.path().join("s.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "agency.p12", &[]);
    let o = verify_report(&[&signed], &tmp.path().join("no/such/dir/r.html"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--report"), "{}", stderr(&o));
}
