//! Signing's warnings are facts (`kyso::sign::SignWarning`) said in the run's language by the
//! text layer, with the command line's flag hints added by the CLI only; `--json` carries the
//! English text (`warnings`) beside stable codes (`warning_codes`). Errors the library reports
//! without naming flags still reach the user with the flag that answers them.

mod common;

use common::*;
use serde_json::Value;

fn sign_with(p12: &str, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki(p12))
        .args(extra)
        .env("KYSO_PIN", p12_password(p12)));
    assert_eq!(o.status.success(), out.exists(), "{}", stderr(&o));
    o
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn codes(v: &Value) -> Vec<String> {
    v["warning_codes"]
        .as_array()
        .expect("warning_codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_warning_is_said_in_vietnamese_and_english_and_coded_in_json() {
    let crls: Vec<String> = crl_args()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let crls: Vec<&str> = crls.iter().map(String::as_str).collect();
    // PSS asked for an EC key: signed with ECDSA, and said so.
    let o = sign_with("ecdsa.p12", &[&["--pss", "--json"], &crls[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("kyso: cảnh báo: PSS chỉ áp dụng cho khóa RSA; đã ký bằng ECDSA"),
        "{err}"
    );
    assert!(
        !err.contains("PSS_NOT_APPLICABLE"),
        "a code is not words: {err}"
    );
    let v = json(&o);
    assert_eq!(codes(&v), vec!["PSS_NOT_APPLICABLE"], "{v}");
    assert_eq!(
        v["warnings"][0], "PSS applies to RSA keys only; signed with ECDSA",
        "{v}"
    );
    let o = sign_with(
        "ecdsa.p12",
        &[&["--pss", "--lang", "en"], &crls[..]].concat(),
    );
    let err = stderr(&o);
    assert!(
        err.contains("kyso: warning: PSS applies to RSA keys only; signed with ECDSA"),
        "{err}"
    );
    assert!(!err.contains("cảnh báo"), "{err}");

    // A certificate check overridden with --force.
    let o = sign_with("expired.p12", &[&["--force", "--json"], &crls[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cảnh báo: vẫn ký dù chứng thư số đã hết hạn ngày"),
        "{}",
        stderr(&o)
    );
    let v = json(&o);
    assert!(
        codes(&v).contains(&"CERTIFICATE_EXPIRED".to_string()),
        "{v}"
    );
    let o = sign_with(
        "expired.p12",
        &[&["--force", "--lang", "en"], &crls[..]].concat(),
    );
    assert!(
        stderr(&o).contains("warning: signed despite: the certificate expired on"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_cli_adds_the_flag_the_library_does_not_name() {
    // Refused: the library says what is wrong; the CLI says which flag overrides it.
    let o = sign_with("expired.p12", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("(dùng --force để vẫn ký)"),
        "{}",
        stderr(&o)
    );
    let o = sign_with("expired.p12", &["--lang", "en"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("the certificate expired on"), "{err}");
    assert!(err.contains("(use --force to sign anyway)"), "{err}");
    // The own certificate not checked (offline, no CRL): the hint names --crl.
    let o = sign_with("agency.p12", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("chưa kiểm tra chứng thư ký số có bị thu hồi không")
            && stderr(&o).contains("(--crl TỆP để kiểm tra)"),
        "{}",
        stderr(&o)
    );
    let o = sign_with("agency.p12", &["--lang", "en"]);
    assert!(
        stderr(&o).contains("(--crl FILE to check)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn what_an_appearance_needs_is_said_in_words_then_as_a_flag() {
    // The library says what is needed (a picture, a document number); the CLI names its flag.
    let o = sign_with("leader.p12", &["--role", "leader"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("cần hình ảnh chữ ký hoặc con dấu") && err.contains("(--image TỆP_PNG)"),
        "{err}"
    );
    let o = sign_with("leader.p12", &["--role", "leader", "--lang", "en"]);
    let err = stderr(&o);
    assert!(
        err.contains("the leader role needs a picture") && err.contains("(--image PNG)"),
        "{err}"
    );
    let o = sign_with("agency.p12", &["--role", "attachment", "--lang", "en"]);
    let err = stderr(&o);
    assert!(
        err.contains("the number and symbol of the document")
            && err.contains("(--doc-number NUMBER)"),
        "{err}"
    );
}
