//! `kyso sign --batch DIR -o OUTDIR`: every PDF signed with one key, failures listed without
//! stopping the others, existing outputs skipped (never overwritten without --overwrite).

mod common;

use common::*;
use std::path::Path;

#[path = "support/softhsm.rs"]
mod softhsm;

/// in/a.pdf, in/b.pdf, in/broken.pdf (text), in/notes.txt, in/sub/c.pdf.
fn inbox(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::copy(fixture("docs/congvan.pdf"), dir.join("a.pdf")).unwrap();
    std::fs::copy(fixture("docs/quyetdinh-multipage.pdf"), dir.join("b.pdf")).unwrap();
    std::fs::write(dir.join("broken.pdf"), "%PDF-1.7\nthis is not a PDF\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    std::fs::copy(fixture("docs/congvan-objstm.pdf"), dir.join("sub/c.pdf")).unwrap();
}

#[test]
fn signs_all_and_lists_the_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let out = tmp.path().join("out");
    inbox(&dir);
    let o = sign_batch(
        &dir,
        &out,
        "leader.p12",
        &["-r", "--reason", "Ký duyệt hàng loạt"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("TÓM TẮT / SUMMARY"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("broken.pdf") && l.contains("LỖI / FAILED")),
        "{text}"
    );
    assert!(text.contains("3 đã ký / signed, 1 lỗi / failed"), "{text}");
    assert!(stderr(&o).contains("1 tệp không ký được"), "{}", stderr(&o));
    assert!(!out.join("broken.pdf").exists());
    assert!(!out.join("notes.txt").exists());
    for name in ["a.pdf", "b.pdf", "sub/c.pdf"] {
        let (code, report) = verify_json(&out.join(name), &[]);
        assert_eq!(code, 0, "{name}: {report}");
        assert_eq!(report["indication"], "TOTAL-PASSED");
        let sig = &report["signatures"][0];
        assert_eq!(sig["reason"], "Ký duyệt hàng loạt");
        assert!(sig["signer"]["subject"]
            .as_str()
            .unwrap()
            .contains("Nguyễn"));
        // The input's bytes are an exact prefix of the output; the input is unchanged.
        let input = std::fs::read(dir.join(name)).unwrap();
        assert!(std::fs::read(out.join(name)).unwrap().starts_with(&input));
    }

    // Again: every output exists already and is skipped, none rewritten (the broken file
    // still fails).
    let before = std::fs::read(out.join("a.pdf")).unwrap();
    let o = sign_batch(&dir, &out, "leader.p12", &["-r", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    for entry in all {
        if entry["file"].as_str().unwrap().ends_with("broken.pdf") {
            assert!(entry["error"].is_string(), "{entry}");
        } else {
            assert_eq!(entry["skipped"], "exists", "{entry}");
        }
    }
    assert_eq!(std::fs::read(out.join("a.pdf")).unwrap(), before);
}

#[test]
fn without_recursion_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let out = tmp.path().join("out");
    inbox(&dir);
    std::fs::remove_file(dir.join("broken.pdf")).unwrap();
    let o = sign_batch(&dir, &out, "agency.p12", &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|e| e["signed"]["field"] == "Signature1"));
    assert!(out.join("a.pdf").is_file() && out.join("b.pdf").is_file());
    assert!(!out.join("sub").exists());

    // Wrong usage is refused before any key is opened.
    let o = sign_batch(&tmp.path().join("missing"), &out, "agency.p12", &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = sign_batch(&dir, &dir.join("signed"), "agency.p12", &["-r"]);
    assert_eq!(o.status.code(), Some(2), "output inside the input folder");
    let o = run(kyso()
        .args(["sign", "--batch"])
        .arg(&dir)
        .arg("--in-place")
        .arg("--p12")
        .arg(pki("agency.p12")));
    assert_eq!(o.status.code(), Some(2), "--batch with --in-place");
}

#[test]
fn token_batch_signs_every_file_with_one_session() {
    if !softhsm::have_softhsm() {
        return;
    }
    let hsm = softhsm::SoftHsm::new();
    hsm.init_token("Van thu");
    hsm.import("Van thu", "agency", "Co quan", &[1]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let out = tmp.path().join("out");
    inbox(&dir);
    let o = run(kyso()
        .env("SOFTHSM2_CONF", hsm.conf())
        .env_remove("KYSO_PKCS11_MODULE")
        .env("KYSO_PIN", softhsm::PIN)
        .arg("sign")
        .arg("--batch")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .args(["--pkcs11", softhsm::MODULE, "--token", "Van thu", "--chain"])
        .arg(pki("intermediate.pem")));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for name in ["a.pdf", "b.pdf"] {
        let (code, report) = verify_json(&out.join(name), &[]);
        assert_eq!(code, 0, "{name}: {report}");
    }
    assert!(!out.join("broken.pdf").exists());
}

/// Every name under `dir`, recursively.
fn all_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(all_names(&e.path()));
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn group_commit_leaves_only_complete_outputs() {
    // The outputs are made durable in groups (all synced, then renamed, then the folders
    // synced): afterwards every output is complete and no temporary file is left, also beside a
    // file that failed.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let letter = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    for i in 0..40 {
        let sub = if i % 2 == 0 { "" } else { "sub/" };
        std::fs::write(dir.join(format!("{sub}d{i:02}.pdf")), &letter).unwrap();
    }
    std::fs::write(dir.join("sub/broken.pdf"), "%PDF-1.7\nnot a PDF\n").unwrap();
    let o = sign_batch(&dir, &out, "agency.p12", &["-r", "-j", "3"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("40 đã ký / signed, 1 lỗi / failed"));
    let names = all_names(&out);
    assert_eq!(names.len(), 40, "{names:?}");
    assert!(names
        .iter()
        .all(|n| n.starts_with('d') && n.ends_with(".pdf")));
    for i in [0, 1, 39] {
        let sub = if i % 2 == 0 { "" } else { "sub/" };
        let signed = std::fs::read(out.join(format!("{sub}d{i:02}.pdf"))).unwrap();
        assert!(signed.starts_with(&letter) && signed.len() > letter.len());
        assert!(signed.ends_with(b"%%EOF\n") || signed.ends_with(b"%%EOF"));
    }
    let (code, report) = verify_json(&out.join("sub/d39.pdf"), &[]);
    assert_eq!(code, 0, "{report}");
}
