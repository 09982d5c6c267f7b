//! Deferred (two-step) signing: `kyso prepare` → a signature made elsewhere (here `openssl`)
//! → `kyso complete`. The prepared file carries everything; a wrong signature writes nothing.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn prepare(dir: &Path, cert: &str, extra: &[&str]) -> (PathBuf, serde_json::Value) {
    let prepared = dir.join(format!("prepared-{cert}.pdf"));
    let o = run(kyso()
        .arg("prepare")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&prepared)
        .arg("--cert")
        .arg(pki(cert))
        .arg("--chain")
        .arg(pki("chain.pem"))
        .arg("--json")
        .args(extra));
    assert!(o.status.success(), "{}", stderr(&o));
    (prepared, serde_json::from_slice(&o.stdout).unwrap())
}

fn b64(s: &serde_json::Value) -> Vec<u8> {
    Base64::decode_vec(s.as_str().unwrap()).unwrap()
}

/// `openssl dgst -sign` over the to-be-signed bytes.
fn openssl_sign(dir: &Path, key: &str, tbs: &[u8], extra: &[&str]) -> PathBuf {
    let data = dir.join("tbs.der");
    std::fs::write(&data, tbs).unwrap();
    let sig = dir.join(format!("sig-{key}.bin"));
    let o = run(Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(pki(key))
        .args(extra)
        .arg("-out")
        .arg(&sig)
        .arg(&data));
    assert!(o.status.success(), "{}", stderr(&o));
    sig
}

fn complete(prepared: &Path, sig: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    run(kyso()
        .arg("complete")
        .arg(prepared)
        .arg("--signature")
        .arg(sig)
        .arg("-o")
        .arg(out)
        .args(extra))
}

#[test]
fn prepare_sign_elsewhere_complete() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (prepared, info) = prepare(dir.path(), "leader.pem", &[]);
    assert_eq!(info["digest_algorithm"], "SHA-256");
    assert_eq!(info["signature_algorithm"], "RSASSA-PKCS1-v1_5");
    let tbs = b64(&info["to_be_signed_base64"]);
    // The digest printed is the hash of what must be signed.
    let digest = kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha256, &tbs);
    assert_eq!(b64(&info["digest_base64"]), digest);
    let sig = openssl_sign(dir.path(), "leader.key.pem", &tbs, &[]);
    let out = dir.path().join("signed.pdf");
    let o = complete(&prepared, &sig, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, report) = verify_json(&out, &[]);
    assert_eq!(code, 0, "{report:#}");
    // Completing changes only the /Contents bytes.
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        std::fs::metadata(&prepared).unwrap().len()
    );
    if have_tool("pyhanko") {
        let o = run(Command::new("pyhanko")
            .args(["sign", "validate", "--trust"])
            .arg(pki("root.pem"))
            .args([
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
            ])
            .arg(&out));
        assert!(stdout(&o).trim_end().ends_with(":VALID"), "{}", stdout(&o));
    }
}

#[test]
fn ecdsa_raw_and_der_values_complete() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (prepared, info) = prepare(dir.path(), "ecdsa.pem", &[]);
    assert_eq!(info["signature_algorithm"], "ECDSA");
    let tbs = b64(&info["to_be_signed_base64"]);
    let der_sig = openssl_sign(dir.path(), "ecdsa.key.pem", &tbs, &[]);
    let out = dir.path().join("signed-der.pdf");
    assert!(complete(&prepared, &der_sig, &out, &[]).status.success());
    assert_eq!(verify_json(&out, &[]).0, 0);
    // The same value as raw r‖s (what tokens and some services return).
    let der = std::fs::read(&der_sig).unwrap();
    let ints = kyso_testpki::der::children(&der);
    let mut raw = Vec::new();
    for int in &ints[..2] {
        let v: Vec<u8> = kyso_testpki::der::content(int)
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        raw.extend(std::iter::repeat_n(0u8, 32 - v.len()));
        raw.extend(v);
    }
    let raw_sig = dir.path().join("raw.bin");
    std::fs::write(&raw_sig, &raw).unwrap();
    let out = dir.path().join("signed-raw.pdf");
    let o = complete(&prepared, &raw_sig, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(verify_json(&out, &[]).0, 0);
}

#[test]
fn wrong_signatures_and_tampering_are_refused() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (prepared, info) = prepare(dir.path(), "leader.pem", &[]);
    let tbs = b64(&info["to_be_signed_base64"]);
    // A signature by another key.
    let other = openssl_sign(dir.path(), "agency.key.pem", &tbs, &[]);
    let out = dir.path().join("out.pdf");
    let o = complete(&prepared, &other, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not match"), "{}", stderr(&o));
    assert!(!out.exists());
    // The prepared file changed after preparation.
    let good = openssl_sign(dir.path(), "leader.key.pem", &tbs, &[]);
    let mut bytes = std::fs::read(&prepared).unwrap();
    bytes[300] ^= 1;
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    let o = complete(&tampered, &good, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("changed after preparation"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // Completing twice: the second time there is nothing to do.
    assert!(complete(&prepared, &good, &out, &[]).status.success());
    let again = dir.path().join("again.pdf");
    let o = complete(&out, &good, &again, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already complete"), "{}", stderr(&o));
    // Never over the prepared file without --in-place.
    let o = complete(&prepared, &good, &prepared, &[]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_whole_cms_made_elsewhere_completes() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (prepared, _) = prepare(dir.path(), "leader.pem", &[]);
    // The signed content: the prepared file minus its /Contents string.
    let o = run(kyso().arg("info").arg(&prepared).arg("--json"));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let br: Vec<usize> = info["signatures"][0]["byte_range"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let bytes = std::fs::read(&prepared).unwrap();
    let content = [&bytes[..br[1]], &bytes[br[2]..br[2] + br[3]]].concat();
    let content_path = dir.path().join("content.bin");
    std::fs::write(&content_path, content).unwrap();
    let cms = dir.path().join("sig.p7s");
    let o = run(Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-nosmimecap",
            // ESS signing-certificate-v2: PAdES binds the signer's certificate.
            "-cades",
        ])
        .arg("-in")
        .arg(&content_path)
        .arg("-signer")
        .arg(pki("leader.pem"))
        .arg("-inkey")
        .arg(pki("leader.key.pem"))
        .arg("-certfile")
        .arg(pki("chain.pem"))
        .arg("-out")
        .arg(&cms));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("signed.pdf");
    let o = complete(&prepared, &cms, &out, &["--cms"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, report) = verify_json(&out, &[]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn remote_signing_needs_a_token_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .args(["--csc", "http://127.0.0.1:9/csc/v1", "--credential", "abc"])
        .env_remove("KYSO_CSC_TOKEN"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("KYSO_CSC_TOKEN"), "{}", stderr(&o));
    assert!(!out.exists());
    // --csc and --p12 exclude each other; a credential is required.
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .args(["--csc", "http://127.0.0.1:9/", "--p12"])
        .arg(pki("agency.p12")));
    assert_eq!(o.status.code(), Some(2));
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .args(["--csc", "http://127.0.0.1:9/"]));
    assert_eq!(o.status.code(), Some(2));
}
