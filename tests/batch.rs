//! `kyso verify` over several files and folders: JSON lines, the summary table, exit codes.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// A folder: valid.pdf, tampered.pdf (one byte flipped in the signed part), unsigned.pdf,
/// not-a-pdf.pdf (text), notes.txt (ignored), and sub/also-valid.pdf.
fn mixed_folder(dir: &Path) {
    let valid = dir.join("valid.pdf");
    sign(&fixture("docs/congvan.pdf"), &valid, "agency.p12", &[]);
    let mut bytes = std::fs::read(&valid).unwrap();
    // The middle of the first signed range (before the /Contents gap).
    let gap = first_gap(&bytes);
    bytes[gap / 2] ^= 0x01;
    std::fs::write(dir.join("tampered.pdf"), &bytes).unwrap();
    std::fs::copy(fixture("docs/congvan.pdf"), dir.join("unsigned.pdf")).unwrap();
    std::fs::write(dir.join("not-a-pdf.pdf"), "this is not a PDF\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    sign(
        &fixture("docs/congvan.pdf"),
        &sub.join("also-valid.PDF"),
        "agency.p12",
        &[],
    );
}

/// The second number of the last /ByteRange: where the /Contents gap begins.
fn first_gap(b: &[u8]) -> usize {
    let key = b"/ByteRange";
    let at = b.windows(key.len()).rposition(|w| w == key).unwrap();
    let text = String::from_utf8_lossy(&b[at + key.len()..at + key.len() + 80]);
    let nums: Vec<usize> = text
        .trim_start()
        .trim_start_matches('[')
        .split_whitespace()
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    nums[1]
}

fn verify_lines(paths: &[&Path], extra: &[&str]) -> (Output, Vec<Value>) {
    let o = run(kyso()
        .arg("verify")
        .args(paths)
        .arg("--json-lines")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .args(extra));
    let lines = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (o, lines)
}

/// file name → indication, or "error" for unreadable files.
fn by_name(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|l| {
            let file = l["file"].as_str().unwrap();
            let name = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let what = match l.get("error") {
                Some(e) => {
                    assert!(!e.as_str().unwrap().is_empty());
                    assert!(l.get("indication").is_none());
                    "error".to_string()
                }
                None => l["indication"].as_str().unwrap().to_string(),
            };
            (name, what)
        })
        .collect()
}

#[test]
fn folder_json_lines_with_and_without_recursion() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());

    let (o, lines) = verify_lines(&[tmp.path()], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines.len(), 4, "{}", stdout(&o));
    let got = by_name(&lines);
    // Sorted by path; unsigned files report no signature.
    assert_eq!(
        got,
        [
            ("not-a-pdf.pdf", "error"),
            ("tampered.pdf", "TOTAL-FAILED"),
            ("unsigned.pdf", "INDETERMINATE"),
            ("valid.pdf", "TOTAL-PASSED"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(lines[2]["signatures"].as_array().unwrap().is_empty());
    assert_eq!(lines[1]["signatures"][0]["sub_indication"], "HASH_FAILURE");
    // Each line is the very object `--json` prints for that file.
    let (code, single) = verify_json(&tmp.path().join("valid.pdf"), &[]);
    assert_eq!(code, 0);
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("validation_time");
        v
    };
    assert_eq!(strip(single), strip(lines[3].clone()));
    assert!(!stderr(&o).contains('\r'), "no progress when piped");

    let (o, lines) = verify_lines(&[tmp.path()], &["--recursive"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines.len(), 5, "{}", stdout(&o));
    let got = by_name(&lines);
    // Sorted by path: sub/ comes between not-a-pdf.pdf and tampered.pdf.
    assert_eq!(got[1], ("also-valid.PDF".into(), "TOTAL-PASSED".into()));
    assert!(lines[1]["file"].as_str().unwrap().contains("sub"));

    // Several files given one by one; --json gives one array.
    let o = run(kyso()
        .arg("verify")
        .arg(tmp.path().join("valid.pdf"))
        .arg(tmp.path().join("unsigned.pdf"))
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0]["file"].as_str().unwrap().ends_with("unsigned.pdf"));
}

#[test]
fn exit_code_is_the_worst() {
    let tmp = tempfile::tempdir().unwrap();
    let valid = tmp.path().join("a.pdf");
    sign(&fixture("docs/congvan.pdf"), &valid, "agency.p12", &[]);
    let unsigned = tmp.path().join("b.pdf");
    std::fs::copy(fixture("docs/congvan.pdf"), &unsigned).unwrap();
    // Valid + indeterminate (no anchor for it): 3; + unsigned: 4.
    let (o, lines) = verify_lines(&[&valid, &valid], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(lines.len(), 1, "the same file once");
    let o = run(kyso()
        .arg("verify")
        .arg(&valid)
        .arg(&valid)
        .arg("--json-lines"));
    assert_eq!(o.status.code(), Some(3));
    let o = run(kyso()
        .arg("verify")
        .arg(&valid)
        .arg(&unsigned)
        .arg("--json-lines"));
    assert_eq!(o.status.code(), Some(4));
    // Missing file: an error line, exit 4.
    let (o, lines) = verify_lines(&[&valid, &tmp.path().join("missing.pdf")], &[]);
    assert_eq!(o.status.code(), Some(4));
    assert!(lines[1]["error"].is_string());
}

#[test]
fn folder_of_valid_files_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["cv-01.pdf", "cv-02.pdf", "cv-03.pdf"];
    for n in names {
        sign(
            &fixture("docs/congvan.pdf"),
            &tmp.path().join(n),
            "agency.p12",
            &[],
        );
    }
    let o = run(kyso()
        .arg("verify")
        .arg(tmp.path())
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let summary = &out[out.find("TÓM TẮT").expect("summary")..];
    assert!(summary.contains("Tổng: 3 tệp — 3 hợp lệ"), "{out}");
    assert!(summary.contains("Người ký"), "{out}");
    for n in names {
        assert!(summary.contains(n), "{n}: {out}");
        // Each report as a single file prints it, before the summary.
        assert!(out[..out.find("TÓM TẮT").unwrap()].contains(n), "{out}");
    }
    assert_eq!(summary.matches("HỢP LỆ").count(), 3, "{out}");
    // Piped: no progress line, nothing at all on stderr.
    assert_eq!(stderr(&o), "");

    let o = run(kyso()
        .arg("verify")
        .arg(tmp.path())
        .args(["--lang", "en"])
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Total: 3 files — 3 valid"), "{out}");
    assert!(out.contains("Disallowed changes"), "{out}");
}

#[test]
fn mixed_folder_human_summary() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    let o = run(kyso()
        .arg("verify")
        .arg(tmp.path())
        .arg("-r")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let summary = &out[out.find("TÓM TẮT").expect("summary")..];
    for (name, verdict) in [
        ("also-valid.PDF", "HỢP LỆ"),
        ("not-a-pdf.pdf", "KHÔNG ĐỌC ĐƯỢC"),
        ("tampered.pdf", "KHÔNG HỢP LỆ"),
        ("unsigned.pdf", "KHÔNG CÓ CHỮ KÝ"),
        ("valid.pdf", "HỢP LỆ"),
    ] {
        let line = summary
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {out}"));
        assert!(line.contains(verdict), "{line}");
    }
    assert!(
        summary.contains(
            "Tổng: 5 tệp — 2 hợp lệ, 1 không hợp lệ, 0 chưa xác định, 1 không có chữ ký, 1 không đọc được"
        ),
        "{out}"
    );
    // The unreadable file is reported in order on stdout, counted in one line on stderr;
    // no progress line.
    assert!(
        out.contains("not-a-pdf.pdf\nKết luận: KHÔNG ĐỌC ĐƯỢC (không phải tệp PDF"),
        "{out}"
    );
    assert_eq!(stderr(&o), "kyso: 1 tệp không đọc được\n");
}
