//! The trust store (`kyso trust add/list/remove`), `--trust DIR`, and Vietnam's roots.

mod common;

use common::*;
use std::process::Command;

fn with_store(dir: &std::path::Path) -> Command {
    let mut c = kyso();
    c.env("KYSO_TRUST_DIR", dir);
    c
}

#[test]
fn store_is_used_when_no_trust_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let signed = tmp.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "agency.p12", &[]);

    // Empty store: indeterminate.
    let o = run(with_store(&store).arg("verify").arg(&signed));
    assert_eq!(o.status.code(), Some(3));

    let o = run(with_store(&store)
        .args(["trust", "add"])
        .arg(pki("root.pem")));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("KySo Test Root CA (thử nghiệm)"),
        "{}",
        stdout(&o)
    );

    let o = run(with_store(&store).args(["trust", "list", "--json"]));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert!(list[0]["sha256_fingerprint"]
        .as_str()
        .unwrap()
        .contains(':'));
    assert!(list[0]["not_after"].as_str().unwrap().ends_with("+07:00"));

    let o = run(with_store(&store)
        .arg("verify")
        .arg(&signed)
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // --trust given: the store is not used.
    let o = run(with_store(&store)
        .arg("verify")
        .arg(&signed)
        .arg("--trust")
        .arg(pki("leader.pem")));
    assert_eq!(o.status.code(), Some(3));

    let o = run(with_store(&store).args(["trust", "remove", &id]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(with_store(&store).arg("verify").arg(&signed));
    assert_eq!(o.status.code(), Some(3));
    let o = run(with_store(&store).args(["trust", "remove", &id]));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn trust_accepts_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let anchors = tmp.path().join("anchors");
    std::fs::create_dir(&anchors).unwrap();
    std::fs::copy(pki("root.der"), anchors.join("root.cer")).unwrap();
    std::fs::write(anchors.join("notes.txt"), "not a certificate").unwrap();
    let signed = tmp.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "ecdsa.p12", &[]);
    let o = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--trust")
        .arg(&anchors)
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn look_alike_root_is_refused() {
    if !have_tool("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("fake-root.pem");
    let o = run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-utf8",
        ])
        .args([
            "-subj",
            "/C=VN/O=Ban Cơ yếu Chính phủ/CN=RootCA chuyên dùng Chính phủ G2",
        ])
        .arg("-keyout")
        .arg(tmp.path().join("fake.key"))
        .arg("-out")
        .arg(&fake));
    assert!(o.status.success(), "{}", stderr(&o));
    let store = tmp.path().join("store");
    let o = run(with_store(&store).args(["trust", "add"]).arg(&fake));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("refused") && err.contains("F0:4B:A4:B4"),
        "{err}"
    );
    let o = run(with_store(&store).args(["trust", "list", "--json"]));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(list.as_array().unwrap().is_empty());
}

#[test]
fn vietnamese_roots_are_labelled() {
    let Some(shared) = shared() else {
        eprintln!("SKIP: ../shared is absent");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    for f in ["rootcag2.crt", "vnrca256.crt", "cpcag2.crt"] {
        let o = run(with_store(&store)
            .args(["trust", "add"])
            .arg(shared.join("trust").join(f)));
        assert!(o.status.success(), "{f}: {}", stderr(&o));
    }
    let o = run(with_store(&store).args(["trust", "list"]));
    let text = stdout(&o);
    assert!(text.contains("RootCA chuyên dùng Chính phủ G2"), "{text}");
    assert!(text.contains("Gốc chuyên dùng Chính phủ"), "{text}");
    assert!(text.contains("Gốc quốc gia"), "{text}");
    assert!(
        text.contains("CA phục vụ các cơ quan Nhà nước G2"),
        "{text}"
    );
    assert!(text.contains("F0:4B:A4:B4:59:A7:C9:A1"), "{text}");
}

#[test]
fn revocation_is_required_and_read_from_crls() {
    let tmp = tempfile::tempdir().unwrap();
    let signed = tmp.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "leader.p12", &[]);
    // No revocation data and offline: INDETERMINATE / TRY_LATER, and the report says why.
    let o = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--trust")
        .arg(pki("root.pem"))
        .arg("--json"));
    assert_eq!(o.status.code(), Some(3));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["signatures"][0]["sub_indication"], "TRY_LATER", "{r:#}");
    assert_eq!(r["signatures"][0]["revocation"][0]["status"], "unknown");
    // With the CRLs: good, from a CRL, and the chain is reported in detail.
    let (code, r) = verify_json(&signed, &[]);
    assert_eq!(code, 0, "{r:#}");
    let sig = &r["signatures"][0];
    assert_eq!(sig["revocation"][0]["status"], "good");
    assert_eq!(sig["revocation"][0]["source"], "crl");
    assert_eq!(sig["certificates"].as_array().unwrap().len(), 3);
    assert!(sig["certificates"][0]["sha256_fingerprint"]
        .as_str()
        .unwrap()
        .contains(':'));
    // Turned off on request: passes, with a note.
    let o = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(["--revocation", "off", "--json"]));
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["signatures"][0]["revocation"][0]["status"], "not_checked");
}

#[test]
fn revoked_signer_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let signed = tmp.path().join("signed.pdf");
    // Revoked on 2026-01-01, signed now: revoked before the signing time.
    sign(&fixture("docs/congvan.pdf"), &signed, "revoked.p12", &[]);
    let (code, r) = verify_json(&signed, &[]);
    assert_eq!(code, 1, "{r:#}");
    let sig = &r["signatures"][0];
    assert_eq!(sig["sub_indication"], "REVOKED");
    assert_eq!(sig["revocation"][0]["status"], "revoked");
    assert_eq!(sig["revocation"][0]["reason"], "keyCompromise");
    let o = run(kyso()
        .args(["verify", "--lang", "vi"])
        .arg(&signed)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert!(stdout(&o).contains("thu hồi"), "{}", stdout(&o));
}

#[test]
fn vietnamese_intermediates_chain_to_their_roots() {
    let Some(shared) = shared() else {
        eprintln!("SKIP: ../shared is absent");
        return;
    };
    use kyso::pki::validate::{validate_path, RevocationMode, ValidationInputs};
    use kyso::pki::Certificate;
    let load = |f: &str| {
        Certificate::parse_pem_or_der(&std::fs::read(shared.join("trust").join(f)).unwrap())
            .unwrap()
            .remove(0)
    };
    let now = time::OffsetDateTime::now_utc();
    for (ca, root) in [
        ("cpcag2.crt", "rootcag2.crt"),
        ("vnpt-ca-sha2.crt", "vnrca256.crt"),
    ] {
        let anchors = [load(root)];
        let mut inputs = ValidationInputs::new(&anchors, now);
        inputs.revocation = RevocationMode::Off;
        inputs.end_entity_usage = kyso::pki::validate::EndEntityUsage::Any;
        let path = validate_path(&load(ca), &inputs).unwrap_or_else(|e| panic!("{ca}: {e}"));
        assert_eq!(path.certificates.len(), 2, "{ca}");
        // And not to the other root.
        let other = if root == "rootcag2.crt" {
            "vnrca256.crt"
        } else {
            "rootcag2.crt"
        };
        let anchors = [load(other)];
        let mut inputs = ValidationInputs::new(&anchors, now);
        inputs.revocation = RevocationMode::Off;
        assert!(
            validate_path(&load(ca), &inputs).is_err(),
            "{ca} chained to {other}"
        );
    }
}

#[test]
fn unfit_signers_never_pass() {
    let tmp = tempfile::tempdir().unwrap();
    for (key, sub) in [
        ("expired.p12", "OUT_OF_BOUNDS_NO_POE"),
        ("notyet.p12", "OUT_OF_BOUNDS_NO_POE"),
        ("encipher-only.p12", "SIG_CONSTRAINTS_FAILURE"),
    ] {
        let signed = tmp.path().join(format!("{key}.pdf"));
        sign(&fixture("docs/congvan.pdf"), &signed, key, &["--force"]);
        let (code, r) = verify_json(&signed, &[]);
        assert_eq!(code, 3, "{key}: {r:#}");
        assert_eq!(r["signatures"][0]["sub_indication"], sub, "{key}: {r:#}");
    }
}

#[test]
fn look_alike_root_does_not_make_a_chain() {
    if !have_tool("openssl") {
        return;
    }
    // A root with the test root's exact subject but another key, and a signer under it.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let subject = String::from_utf8(
        Command::new("openssl")
            .args(["x509", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"])
            .arg("-in")
            .arg(pki("root.pem"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rfc2253 = subject.trim().trim_start_matches("subject=").to_string();
    // RFC 2253 order is most specific first; openssl -subj wants /C=../O=../CN=.. order.
    let slash: String = rfc2253.split(',').rev().map(|p| format!("/{p}")).collect();
    let run_ok = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run_ok(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-utf8",
        "-subj",
        &slash,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "fake.key",
        "-out",
        "fake.pem",
    ]);
    run_ok(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-utf8",
        "-subj",
        "/C=VN/CN=Kẻ giả mạo",
        "-keyout",
        "s.key",
        "-out",
        "s.csr",
    ]);
    std::fs::write(
        d.join("ext.cnf"),
        "keyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    run_ok(&[
        "x509",
        "-req",
        "-in",
        "s.csr",
        "-CA",
        "fake.pem",
        "-CAkey",
        "fake.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-out",
        "s.pem",
    ]);
    run_ok(&[
        "pkcs12",
        "-export",
        "-inkey",
        "s.key",
        "-in",
        "s.pem",
        "-certfile",
        "fake.pem",
        "-passout",
        "pass:",
        "-out",
        "s.p12",
    ]);
    let signed = d.join("signed.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&signed)
        .arg("--p12")
        .arg(d.join("s.p12"))
        .env("KYSO_PIN", ""));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify_json(&signed, &[]);
    assert_eq!(code, 3, "{r:#}");
    assert_eq!(
        r["signatures"][0]["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND",
        "{r:#}"
    );
    assert!(r["signatures"][0]["trust_anchor"].is_null());
}
