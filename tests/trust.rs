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

    let o = run(with_store(&store).arg("verify").arg(&signed));
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
        .arg(&anchors));
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
