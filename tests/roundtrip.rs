//! Sign every fixture document with every kind of key, verify, tamper, sign again.

mod common;

use common::*;
use std::path::Path;

const DOCS: &[&str] = &[
    "congvan.pdf",
    "congvan-objstm.pdf",
    "congvan-incremental.pdf",
    "congvan-hybrid.pdf",
    "quyetdinh-multipage.pdf",
    "congvan-signed-pyhanko.pdf",
];

/// (key file, extra sign args, expected algorithm text)
const KEYS: &[(&str, &[&str], &str)] = &[
    ("leader.p12", &[], "RSA-2048 PKCS#1 v1.5, SHA-256"),
    (
        "agency.p12",
        &["--hash", "sha512"],
        "RSA-2048 PKCS#1 v1.5, SHA-512",
    ),
    ("leader-legacy.p12", &["--pss"], "RSA-2048 PSS, SHA-256"),
    ("ecdsa.p12", &[], "SHA-256"),
    ("ecdsa384.p12", &[], "SHA-384"),
];

fn sig_by_field<'a>(report: &'a serde_json::Value, field: &str) -> &'a serde_json::Value {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["field"] == field)
        .unwrap_or_else(|| panic!("no signature in field {field}: {report:#}"))
}

#[test]
fn every_document_with_every_key_verifies() {
    let dir = tempfile::tempdir().unwrap();
    for doc in DOCS {
        let input = fixture(&format!("docs/{doc}"));
        let original = std::fs::read(&input).unwrap();
        for (key, args, algorithm) in KEYS {
            let out = dir.path().join(format!("{doc}-{key}.pdf"));
            sign(&input, &out, key, args);
            // The input is untouched and is an exact prefix of the output.
            assert_eq!(std::fs::read(&input).unwrap(), original, "{doc} changed");
            let signed = std::fs::read(&out).unwrap();
            assert!(
                signed.starts_with(&original),
                "{doc}/{key}: not an incremental update"
            );

            let (code, report) = verify_json(&out, &[]);
            assert_eq!(code, 0, "{doc}/{key}: {report:#}");
            assert_eq!(report["indication"], "TOTAL-PASSED");
            let sigs = report["signatures"].as_array().unwrap();
            let ours = sigs.last().unwrap();
            assert_eq!(ours["indication"], "TOTAL-PASSED", "{doc}/{key}: {ours:#}");
            assert_eq!(ours["covers_whole_document"], true);
            assert!(ours["sub_indication"].is_null());
            assert!(
                ours["algorithm"].as_str().unwrap().ends_with(algorithm),
                "{doc}/{key}: algorithm {}",
                ours["algorithm"]
            );
            assert!(ours["signing_time"].as_str().unwrap().ends_with("+07:00"));
            assert_eq!(ours["modifications"].as_array().unwrap().len(), 0);
            // An earlier signature (the pyHanko one) still verifies, now as a revision prefix.
            if *doc == "congvan-signed-pyhanko.pdf" {
                assert_eq!(sigs.len(), 2);
                assert_eq!(sigs[0]["indication"], "TOTAL-PASSED", "{:#}", sigs[0]);
                assert_eq!(sigs[0]["covers_whole_document"], false);
                assert_eq!(sigs[0]["revisions_after"], 1);
            }
        }
    }
}

#[test]
fn signer_details_are_reported_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &out,
        "leader.p12",
        &["--reason", "Phê duyệt văn bản", "--location", "Hà Nội"],
    );
    let (code, report) = verify_json(&out, &[]);
    assert_eq!(code, 0);
    let sig = sig_by_field(&report, "Signature1");
    assert_eq!(sig["signer"]["common_name"], "Nguyễn Văn An");
    assert_eq!(sig["signer"]["title"], "Chủ tịch");
    assert!(sig["signer"]["subject"]
        .as_str()
        .unwrap()
        .contains("CN=Nguyễn Văn An"));
    assert!(sig["signer"]["issuer"]
        .as_str()
        .unwrap()
        .contains("Nhà nước"));
    assert_eq!(sig["reason"], "Phê duyệt văn bản");
    assert_eq!(sig["location"], "Hà Nội");

    // The human report is Vietnamese by default, English on request.
    let o = run(kyso()
        .arg("verify")
        .arg(&out)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("HỢP LỆ") && text.contains("Nguyễn Văn An"),
        "{text}"
    );
    let o = run(kyso()
        .args(["verify", "--lang", "en"])
        .arg(&out)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert!(stdout(&o).contains("VALID"));
}

#[test]
fn flipped_byte_is_a_hash_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &out, "agency.p12", &[]);
    let mut bytes = std::fs::read(&out).unwrap();
    // A byte in the middle of the original content (inside the first signed range).
    let at = bytes.len() / 3;
    bytes[at] ^= 0x01;
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    let (code, report) = verify_json(&tampered, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["indication"], "TOTAL-FAILED");
    assert_eq!(report["signatures"][0]["sub_indication"], "HASH_FAILURE");
}

#[test]
fn signing_twice_keeps_both_valid() {
    let dir = tempfile::tempdir().unwrap();
    for doc in ["congvan.pdf", "congvan-objstm.pdf"] {
        let once = dir.path().join(format!("once-{doc}"));
        let twice = dir.path().join(format!("twice-{doc}"));
        sign(&fixture(&format!("docs/{doc}")), &once, "leader.p12", &[]);
        sign(&once, &twice, "agency.p12", &[]);
        let (code, report) = verify_json(&twice, &[]);
        assert_eq!(code, 0, "{report:#}");
        let sigs = report["signatures"].as_array().unwrap();
        assert_eq!(sigs.len(), 2);
        assert_eq!(sigs[0]["field"], "Signature1");
        assert_eq!(sigs[1]["field"], "Signature2");
        assert_eq!(
            sig_by_field(&report, "Signature1")["covers_whole_document"],
            false
        );
        assert_eq!(
            sig_by_field(&report, "Signature2")["covers_whole_document"],
            true
        );
        // The second update keeps the first's xref kind.
        let bytes = std::fs::read(&twice).unwrap();
        let tail = String::from_utf8_lossy(&bytes[bytes.len() - 3000..]).into_owned();
        if doc.contains("objstm") {
            assert!(tail.contains("/Type /XRef"), "xref stream expected");
        } else {
            assert!(tail.contains("\ntrailer\n"), "xref table expected");
        }
    }
}

#[test]
fn no_trust_anchor_is_indeterminate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &out, "ecdsa.p12", &[]);
    let o = run(kyso().arg("verify").arg(&out).arg("--json"));
    assert_eq!(o.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["signatures"][0]["sub_indication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
    // A DER trust anchor works as well as PEM.
    let o = run(kyso()
        .arg("verify")
        .arg(&out)
        .arg("--trust")
        .arg(pki("root.der"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Another root is not trusted.
    let o = run(kyso()
        .arg("verify")
        .arg(&out)
        .arg("--trust")
        .arg(pki("leader.pem")));
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn certificate_checks_before_signing() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("docs/congvan.pdf");
    for (key, word) in [
        ("expired.p12", "expired"),
        ("notyet.p12", "not valid yet"),
        ("encipher-only.p12", "key usage"),
    ] {
        let out = dir.path().join(format!("{key}.pdf"));
        let o = run(kyso()
            .arg("sign")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(pki(key))
            .args(["--lang", "en"]));
        assert_eq!(o.status.code(), Some(1), "{key}");
        assert!(stderr(&o).contains(word), "{key}: {}", stderr(&o));
        assert!(!out.exists(), "{key}: output written despite refusal");
        // --force signs with a warning.
        let o = sign(&input, &out, key, &["--force", "--lang", "en"]);
        assert!(stderr(&o).contains("warning"), "{key}: {}", stderr(&o));
        assert!(out.exists());
    }
}

#[test]
fn fields_are_unique_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &once,
        "leader.p12",
        &["--field", "LanhDao"],
    );
    let out = dir.path().join("twice.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(&once)
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12"))
        .args(["--field", "LanhDao"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("LanhDao"));
    assert!(!out.exists());
}

#[test]
fn in_place_needs_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("doc.pdf");
    std::fs::copy(fixture("docs/congvan.pdf"), &work).unwrap();
    let original = std::fs::read(&work).unwrap();
    let o = run(kyso()
        .arg("sign")
        .arg(&work)
        .arg("-o")
        .arg(&work)
        .arg("--p12")
        .arg(pki("agency.p12")));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--in-place"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&work).unwrap(), original);
    let o = run(kyso()
        .arg("sign")
        .arg(&work)
        .arg("--in-place")
        .arg("--p12")
        .arg(pki("agency.p12")));
    assert!(o.status.success(), "{}", stderr(&o));
    let signed = std::fs::read(&work).unwrap();
    assert!(signed.len() > original.len() && signed.starts_with(&original));
    let (code, _) = verify_json(&work, &[]);
    assert_eq!(code, 0);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn info_lists_revisions_and_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    sign(
        &fixture("docs/congvan-incremental.pdf"),
        &out,
        "leader.p12",
        &[],
    );
    let o = run(kyso().arg("info").arg(&out).arg("--json"));
    assert!(o.status.success());
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["revisions"].as_array().unwrap().len(), 4);
    assert_eq!(info["signatures"][0]["signer"], "Nguyễn Văn An");
    assert_eq!(info["signatures"][0]["covers_whole_document"], true);
    let _ = Path::new("");
}

#[test]
fn certification_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let certified = dir.path().join("certified.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &certified,
        "leader.p12",
        &["--certify", "2"],
    );
    let (code, report) = verify_json(&certified, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signatures"][0]["certification"], true);
    // P=2 permits another signature.
    let second = dir.path().join("second.pdf");
    sign(&certified, &second, "agency.p12", &[]);
    let (code, report) = verify_json(&second, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mods = report["signatures"][0]["modifications"].as_array().unwrap();
    assert!(mods
        .iter()
        .any(|m| m["kind"] == "signature_added" && m["allowed"] == true));
    // A certification must be the first signature.
    let out = dir.path().join("late.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(&second)
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12"))
        .args(["--certify", "2"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("first signature"), "{}", stderr(&o));
    // P=1: nothing may follow.
    let locked = dir.path().join("locked.pdf");
    sign(
        &fixture("docs/congvan.pdf"),
        &locked,
        "leader.p12",
        &["--certify", "1"],
    );
    let o = run(kyso()
        .arg("sign")
        .arg(&locked)
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12")));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("DocMDP P=1"), "{}", stderr(&o));
}

/// A document of about `mb` megabytes (one page, large image streams), made by the benchmark's
/// generator.
pub fn big_pdf(dir: &Path, mb: u32) -> std::path::PathBuf {
    let out = dir.join(format!("big-{mb}.pdf"));
    let script = fixture("../benches/make_big_pdf.py");
    let o = run(std::process::Command::new("python3")
        .arg(script)
        .arg(&out)
        .arg(mb.to_string()));
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn a_large_file_is_copied_by_the_kernel_and_hashed_from_the_copy() {
    // 25 MB: three of the 8 MiB copy steps and a remainder (sign/sink.rs).
    let dir = tempfile::tempdir().unwrap();
    let input = big_pdf(dir.path(), 24);
    let original = std::fs::read(&input).unwrap();
    assert!(original.len() > 24 << 20, "{}", original.len());
    for (key, args) in [("agency.p12", &[][..]), ("ecdsa384.p12", &[][..])] {
        let out = dir.path().join(format!("signed-{key}.pdf"));
        sign(&input, &out, key, args);
        let signed = std::fs::read(&out).unwrap();
        assert!(signed.starts_with(&original), "{key}: not a prefix");
        let (code, report) = verify_json(&out, &[]);
        assert_eq!(code, 0, "{key}: {report:#}");
        assert_eq!(report["indication"], "TOTAL-PASSED", "{report:#}");
        // An independent verifier agrees on the hash of the copied bytes.
        if have_tool("pdfsig") {
            let o = run(std::process::Command::new("pdfsig").arg(&out));
            assert!(
                stdout(&o).contains("Signature is Valid."),
                "{key}: {}",
                stdout(&o)
            );
        }
    }
    assert_eq!(std::fs::read(&input).unwrap(), original, "input changed");
}
