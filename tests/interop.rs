//! Independent verifiers judge what kyso signs: pyHanko, Poppler's pdfsig, qpdf.

mod common;

use common::*;
use std::process::Command;

/// (document, key, extra args)
const CASES: &[(&str, &str, &[&str])] = &[
    ("congvan.pdf", "leader.p12", &[]),
    ("congvan-objstm.pdf", "agency.p12", &["--pss"]),
    ("congvan-incremental.pdf", "ecdsa.p12", &[]),
    ("congvan-hybrid.pdf", "ecdsa384.p12", &[]),
    (
        "quyetdinh-multipage.pdf",
        "agency.p12",
        &["--hash", "sha384"],
    ),
    ("congvan-signed-pyhanko.pdf", "leader.p12", &[]),
];

fn signed_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    CASES
        .iter()
        .map(|(doc, key, args)| {
            let out = dir.join(format!("{doc}-{key}.pdf"));
            sign(&fixture(&format!("docs/{doc}")), &out, key, args);
            out
        })
        .collect()
}

#[test]
fn pyhanko_says_intact_valid_trusted() {
    if !have_tool("pyhanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for out in signed_files(dir.path()) {
        // pyHanko refuses hybrid-reference files unless told to relax its syntax checks.
        let hybrid = out.to_string_lossy().contains("hybrid");
        let o = run(Command::new("pyhanko")
            .args(["sign", "validate"])
            .args(if hybrid {
                &["--no-strict-syntax"][..]
            } else {
                &[]
            })
            .arg("--trust")
            .arg(pki("root.pem"))
            .args([
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
            ])
            .arg(&out));
        let text = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            o.status.success(),
            "pyhanko rejected {}: {text}",
            out.display()
        );
        // One line per signature: FIELD:HASH:VALID (the last one is kyso's).
        let out_text = stdout(&o);
        let lines: Vec<&str> = out_text.lines().filter(|l| l.contains(':')).collect();
        assert!(!lines.is_empty(), "{text}");
        for l in &lines {
            assert!(l.ends_with(":VALID"), "{}: {l}", out.display());
        }
    }
}

#[test]
fn pdfsig_says_valid() {
    if !have_tool("pdfsig") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for out in signed_files(dir.path()) {
        let o = run(Command::new("pdfsig").arg(&out));
        let text = stdout(&o);
        let valid = text.matches("Signature is Valid.").count();
        let total = text.matches("- Signature Validation:").count();
        assert!(total >= 1 && valid == total, "{}: {text}", out.display());
        assert!(
            text.contains("Total document signed"),
            "{}: {text}",
            out.display()
        );
    }
}

#[test]
fn qpdf_check_finds_no_error() {
    if !have_tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for out in signed_files(dir.path()) {
        let o = run(Command::new("qpdf").arg("--check").arg(&out));
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}{}",
            out.display(),
            stdout(&o),
            stderr(&o)
        );
        assert!(
            stdout(&o).contains("No syntax or stream encoding errors"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn fills_an_empty_signature_field_made_by_pyhanko() {
    if !have_tool("pyhanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-field.pdf");
    let o = run(Command::new("pyhanko")
        .args(["sign", "addfields", "--field", "1/100,100,300,150/LanhDao"])
        .arg(fixture("docs/congvan.pdf"))
        .arg(&empty));
    assert!(o.status.success(), "{}", stderr(&o));
    let filled = dir.path().join("filled.pdf");
    sign(&empty, &filled, "leader.p12", &["--field", "LanhDao"]);
    let o = run(kyso().arg("info").arg(&filled).arg("--json"));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Still one field: the value went into the existing one.
    assert_eq!(info["fields"].as_array().unwrap().len(), 1, "{info:#}");
    assert_eq!(info["fields"][0]["signed"], true);
    let (code, _) = verify_json(&filled, &[]);
    assert_eq!(code, 0);
    let o = run(Command::new("pyhanko")
        .args(["sign", "validate", "--trust"])
        .arg(pki("root.pem"))
        .args([
            "--trust-replace",
            "--no-revocation-check",
            "--executive-summary",
        ])
        .arg(&filled));
    let summary = stdout(&o);
    assert!(
        summary.starts_with("LanhDao:") && summary.trim_end().ends_with(":VALID"),
        "{summary}"
    );
}
