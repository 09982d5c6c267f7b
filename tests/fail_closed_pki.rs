//! Issue 20 (and issue 13 item 6): the certificate and time-stamp layer fails closed. A
//! generator makes throw-away PKIs with kyso-testpki (the `openssl` command line) — name
//! constraints over Vietnamese names written in other Unicode forms, 1024-bit keys, each
//! extended key usage, a CA without revocation data — and, with tests/support/local_pki.rs, TSAs whose certificate does
//! not cover the token's time or whose key is short. Every case must not be TOTAL-PASSED and
//! the report must name the reason (kyso_reason, message); the controls pass.

mod common;
#[path = "support/local_pki.rs"]
mod local_pki;

use base64ct::{Base64, Encoding};
use std::path::{Path, PathBuf};

use common::*;
use kyso_testpki::{Issued, Key, Pki};
use local_pki::LocalPki;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// A throw-away PKI of kyso-testpki: root (RSA 2048) and CAs/signers with the extensions each
/// test wants; the signing and verifying with kyso stay here.
struct Gen {
    pki: Pki,
}

const LEAF_EXT: &str = "basicConstraints = critical,CA:FALSE\n\
keyUsage = critical,digitalSignature,nonRepudiation\n\
subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n";

fn ca_ext(extra: &str) -> String {
    format!(
        "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n{extra}"
    )
}

impl Gen {
    fn new() -> Gen {
        let pki = Pki::new();
        let root_ext = "basicConstraints = critical,CA:TRUE\n\
keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n";
        let subj = "/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=Root CA Fail Closed";
        pki.root_ext("root", Key::Rsa2048, subj, root_ext);
        Gen { pki }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.pki.path(f)
    }

    fn openssl(&self, args: &[&str]) {
        kyso_testpki::openssl(self.pki.dir.path(), args);
    }

    /// `name.pem`/`name.key`: an RSA key of `bits` for `subj`, issued by `issuer` with the
    /// extensions `ext` (an openssl extension file's text).
    fn issue(&self, name: &str, bits: u32, subj: &str, issuer: &str, ext: &str, serial: u32) {
        let key = match bits {
            1024 => Key::Rsa1024,
            2048 => Key::Rsa2048,
            _ => panic!("no RSA-{bits} in kyso-testpki"),
        };
        let issuer = self.pki.load(issuer);
        self.pki.issue_ext(name, key, subj, &issuer, ext, serial);
    }

    /// `name.p12` (no password) of signer `name` with the chain `chain` (PEM names).
    fn p12(&self, name: &str, chain: &[&str]) -> PathBuf {
        let chain: Vec<Issued> = chain.iter().map(|c| self.pki.load(c)).collect();
        let chain: Vec<&Issued> = chain.iter().collect();
        self.pki.p12(&self.pki.load(name), &chain)
    }

    /// An empty CRL of CA `ca` (DER, `ca.crl`), 7 days to nextUpdate.
    fn crl(&self, ca: &str) -> PathBuf {
        self.pki.empty_crl(&self.pki.load(ca))
    }

    /// Signs the sample letter with `p12` (checks before signing overridden: the verifier is
    /// under test, not the signer).
    fn sign(&self, p12: &Path, name: &str) -> PathBuf {
        let out = self.path(&format!("{name}.pdf"));
        let o = run(kyso()
            .arg("sign")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(p12)
            .arg("--force")
            .env("KYSO_PIN", ""));
        assert!(o.status.success(), "sign {name}: {}", stderr(&o));
        out
    }

    /// Signs the sample letter for signer `name` in two steps, the signature made by openssl
    /// (`kyso prepare` → `openssl dgst -sign` → `kyso complete`): for keys kyso's own key
    /// loader refuses (1024-bit RSA).
    fn sign_deferred(&self, name: &str, chain: &[&str]) -> PathBuf {
        let mut bundle = Vec::new();
        for c in chain {
            bundle.extend(std::fs::read(self.path(&format!("{c}.pem"))).unwrap());
        }
        std::fs::write(self.path(&format!("{name}-chain.pem")), bundle).unwrap();
        let prepared = self.path(&format!("{name}-prepared.pdf"));
        let o = run(kyso()
            .arg("prepare")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(&prepared)
            .arg("--cert")
            .arg(self.path(&format!("{name}.pem")))
            .arg("--chain")
            .arg(self.path(&format!("{name}-chain.pem")))
            .arg("--force")
            .arg("--json"));
        assert!(o.status.success(), "prepare {name}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let tbs = Base64::decode_vec(v["to_be_signed_base64"].as_str().unwrap());
        std::fs::write(self.path("tbs.der"), tbs.unwrap()).unwrap();
        let key = format!("{name}.key");
        self.openssl(&[
            "dgst", "-sha256", "-sign", &key, "-out", "sig.bin", "tbs.der",
        ]);
        let out = self.path(&format!("{name}.pdf"));
        let o = run(kyso()
            .arg("complete")
            .arg(&prepared)
            .arg("--signature")
            .arg(self.path("sig.bin"))
            .arg("-o")
            .arg(&out));
        assert!(o.status.success(), "complete {name}: {}", stderr(&o));
        out
    }

    /// `kyso verify --json --trust root.pem` plus `extra`: (exit code, report).
    fn verify(&self, pdf: &Path, extra: &[&str]) -> (i32, Value) {
        let o = run(kyso()
            .arg("verify")
            .arg(pdf)
            .arg("--json")
            .arg("--trust")
            .arg(self.path("root.pem"))
            .args(extra));
        let v = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("no JSON ({e}): {}{}", stdout(&o), stderr(&o)));
        (o.status.code().unwrap_or(-1), v)
    }
}

fn have_openssl() -> bool {
    have_tool("openssl")
}

/// Asserts the first signature is not TOTAL-PASSED, with `reason` and a message naming `who`.
fn refused(r: &Value, reason: &str, who: &str) {
    let s = &r["signatures"][0];
    assert_ne!(s["indication"], "TOTAL-PASSED", "{r:#}");
    assert_ne!(r["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(s["kyso_reason"], reason, "{r:#}");
    let msg = s["message"].as_str().unwrap();
    assert!(msg.contains(who), "message does not name {who:?}: {msg}");
}

fn passed(code: i32, r: &Value) {
    assert_eq!(r["signatures"][0]["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(code, 0, "{r:#}");
}

// --- DER for a nameConstraints extension (openssl's dirName sections are not UTF-8) -------

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// A Name of (attribute OID DER content, UTF8String value) RDNs.
fn name(rdns: &[(&[u8], &str)]) -> Vec<u8> {
    let mut seq = Vec::new();
    for (oid, value) in rdns {
        let atv = [tlv(0x06, oid), tlv(0x0C, value.as_bytes())].concat();
        seq.extend(tlv(0x31, &tlv(0x30, &atv)));
    }
    tlv(0x30, &seq)
}

const C: &[u8] = &[0x55, 0x04, 0x06];
const O: &[u8] = &[0x55, 0x04, 0x0A];
const CN: &[u8] = &[0x55, 0x04, 0x03];

/// nameConstraints excluding the directory subtrees `names` (RFC 5280 §4.2.1.10), as an
/// openssl extension line.
fn excluded(names: &[Vec<u8>]) -> String {
    let subtrees: Vec<u8> = names
        .iter()
        .flat_map(|n| tlv(0x30, &tlv(0xA4, n)))
        .collect();
    let der = tlv(0x30, &tlv(0xA1, &subtrees));
    let hex: String = der.iter().map(|b| format!("{b:02X}")).collect();
    format!("2.5.29.30 = critical,DER:{hex}\n")
}

#[test]
fn name_constraints_see_through_unicode_forms() {
    if !have_openssl() {
        return;
    }
    let g = Gen::new();
    // The intermediate may not issue for UBND tỉnh Bắc Giang, nor for one official of Sở Nội vụ.
    let nc = excluded(&[
        name(&[(C, "VN"), (O, "UBND tỉnh Bắc Giang")]),
        name(&[(C, "VN"), (O, "Sở Nội vụ"), (CN, "Nguyễn Văn Bình")]),
    ]);
    g.issue(
        "int",
        2048,
        "/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=CA Ràng Buộc Tên",
        "root",
        &ca_ext(&nc),
        2,
    );
    let nfd = |s: &str| -> String {
        use unicode_normalization::UnicodeNormalization;
        s.nfd().collect()
    };
    let full_width = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
                c => c,
            })
            .collect()
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "o-nfd",
            format!("/C=VN/O={}/CN=Lê Thị Hoa", nfd("UBND tỉnh Bắc Giang")),
        ),
        (
            "o-zwsp",
            "/C=VN/O=UBND tỉnh Bắc\u{200B} Giang/CN=Lê Thị Hoa".into(),
        ),
        (
            "o-soft-hyphen",
            "/C=VN/O=UBND tỉnh Bắc Gi\u{00AD}ang/CN=Lê Thị Hoa".into(),
        ),
        (
            "o-full-width",
            format!(
                "/C=VN/O={} tỉnh Bắc Giang/CN=Lê Thị Hoa",
                full_width("UBND")
            ),
        ),
        (
            "o-case-space",
            "/C=VN/O=ubnd  TỈNH bắc giang /CN=Lê Thị Hoa".into(),
        ),
        (
            "cn-nfd",
            format!("/C=VN/O=Sở Nội vụ/CN={}", nfd("Nguyễn Văn Bình")),
        ),
        (
            "cn-zwj",
            "/C=VN/O=Sở Nội vụ/CN=Nguyễn Văn\u{200D} Bình".into(),
        ),
        (
            "cn-full-width",
            format!(
                "/C=VN/O=Sở Nội vụ/CN={} Văn Bình",
                full_width("Nguyen").replace('ｅ', "ễ")
            ),
        ),
    ];
    for (i, (label, subj)) in cases.iter().enumerate() {
        g.issue(label, 2048, subj, "int", LEAF_EXT, 100 + i as u32);
        let pdf = g.sign(&g.p12(label, &["int", "root"]), label);
        let (_, r) = g.verify(&pdf, &["--revocation", "off"]);
        let s = &r["signatures"][0];
        assert_ne!(s["indication"], "TOTAL-PASSED", "{label}: {r:#}");
        assert_eq!(
            s["sub_indication"], "CHAIN_CONSTRAINTS_FAILURE",
            "{label}: {r:#}"
        );
        assert_eq!(
            s["kyso_reason"], "NAME_CONSTRAINTS_VIOLATED",
            "{label}: {r:#}"
        );
        let msg = s["message"].as_str().unwrap();
        assert!(msg.contains("excluded"), "{label}: {msg}");
        if label.contains("zw") || label.contains("soft") {
            let w = s["warnings"].to_string();
            assert!(
                w.contains("vô hình"),
                "{label}: invisible characters not flagged: {w}"
            );
        }
    }
    // Controls: another province, and another official of Sở Nội vụ.
    for (label, subj) in [
        ("ok-o", "/C=VN/O=UBND tỉnh Bắc Ninh/CN=Lê Thị Hoa"),
        ("ok-cn", "/C=VN/O=Sở Nội vụ/CN=Nguyễn Văn Bính"),
    ] {
        g.issue(label, 2048, subj, "int", LEAF_EXT, 200);
        let pdf = g.sign(&g.p12(label, &["int", "root"]), label);
        let (code, r) = g.verify(&pdf, &["--revocation", "off"]);
        passed(code, &r);
    }
}

#[test]
fn short_keys_anywhere_on_the_path_are_refused() {
    if !have_openssl() {
        return;
    }
    let g = Gen::new();
    g.issue("int", 2048, "/C=VN/CN=CA Khóa Đủ", "root", &ca_ext(""), 2);
    g.issue(
        "int1024",
        1024,
        "/C=VN/CN=CA Khóa Ngắn",
        "root",
        &ca_ext(""),
        3,
    );
    g.issue(
        "signer1024",
        1024,
        "/C=VN/CN=Người Ký Khóa Ngắn",
        "int",
        LEAF_EXT,
        10,
    );
    g.issue(
        "under1024",
        2048,
        "/C=VN/CN=Người Ký Dưới CA Ngắn",
        "int1024",
        LEAF_EXT,
        11,
    );
    g.issue("good", 2048, "/C=VN/CN=Người Ký Tốt", "int", LEAF_EXT, 12);

    let pdf = g.sign_deferred("signer1024", &["int", "root"]);
    let (_, r) = g.verify(&pdf, &["--revocation", "off"]);
    refused(&r, "WEAK_KEY", "Người Ký Khóa Ngắn");

    let pdf = g.sign(&g.p12("under1024", &["int1024", "root"]), "under1024");
    let (_, r) = g.verify(&pdf, &["--revocation", "off"]);
    refused(&r, "WEAK_KEY", "CA Khóa Ngắn");

    let pdf = g.sign(&g.p12("good", &["int", "root"]), "good");
    let (code, r) = g.verify(&pdf, &["--revocation", "off"]);
    passed(code, &r);
}

#[test]
fn signer_extended_key_usage_must_allow_documents() {
    if !have_openssl() {
        return;
    }
    let g = Gen::new();
    g.issue("int", 2048, "/C=VN/CN=CA Mục Đích", "root", &ca_ext(""), 2);
    let cases = [
        ("tls", "serverAuth", false),
        ("tsa", "critical,timeStamping", false),
        ("ocsp", "OCSPSigning", false),
        ("code", "codeSigning", false),
        ("tls-code", "serverAuth,codeSigning", false),
        ("any", "anyExtendedKeyUsage", true),
        ("docsign", "1.3.6.1.5.5.7.3.36", true),
        ("email", "emailProtection", true),
        ("client", "clientAuth", true),
        ("adobe", "1.2.840.113583.1.1.5", true),
        ("ms", "1.3.6.1.4.1.311.10.3.12", true),
        ("tls-email", "serverAuth,emailProtection", true),
        ("none", "", true),
    ];
    for (i, (label, eku, ok)) in cases.iter().enumerate() {
        let ext = if eku.is_empty() {
            LEAF_EXT.to_string()
        } else {
            format!("{LEAF_EXT}extendedKeyUsage = {eku}\n")
        };
        let cn = format!("/C=VN/CN=Người Ký {label}");
        g.issue(label, 2048, &cn, "int", &ext, 10 + i as u32);
        let p12 = g.p12(label, &["int", "root"]);
        if !*ok {
            // kyso itself does not sign with it unless forced.
            let o = run(kyso()
                .arg("sign")
                .arg(fixture("docs/congvan.pdf"))
                .arg("-o")
                .arg(g.path("refused.pdf"))
                .arg("--p12")
                .arg(&p12)
                .env("KYSO_PIN", ""));
            assert_eq!(o.status.code(), Some(1), "{label}");
            assert!(
                stderr(&o).contains("extended key usage"),
                "{label}: {}",
                stderr(&o)
            );
        }
        let pdf = g.sign(&p12, label);
        let (code, r) = g.verify(&pdf, &["--revocation", "off", "--lang", "en"]);
        if *ok {
            passed(code, &r);
        } else {
            refused(&r, "SIGNER_EKU_NOT_ALLOWED", "extended key usage");
            assert_eq!(
                r["signatures"][0]["sub_indication"],
                "SIG_CONSTRAINTS_FAILURE"
            );
        }
    }
}

#[test]
fn a_ca_without_revocation_status_is_indeterminate_unless_accepted() {
    if !have_openssl() {
        return;
    }
    let g = Gen::new();
    g.issue(
        "int",
        2048,
        "/C=VN/CN=CA Không Có CRL",
        "root",
        &ca_ext(""),
        2,
    );
    g.issue(
        "signer",
        2048,
        "/C=VN/CN=Người Ký Có CRL",
        "int",
        LEAF_EXT,
        10,
    );
    let pdf = g.sign(&g.p12("signer", &["int", "root"]), "signer");
    let int_crl = g.crl("int");
    let int_crl = int_crl.to_str().unwrap();

    // The signer is covered by the intermediate's CRL; the intermediate by nothing.
    let (code, r) = g.verify(&pdf, &["--crl", int_crl]);
    assert_eq!(code, 3, "{r:#}");
    refused(&r, "CA_REVOCATION_UNKNOWN", "CA Không Có CRL");
    assert_eq!(r["signatures"][0]["sub_indication"], "TRY_LATER");
    assert_eq!(r["accept_unknown_ca_status"], false);

    // Accepted on request: passes, and the report says so (JSON and text).
    let (code, r) = g.verify(&pdf, &["--crl", int_crl, "--accept-unknown-ca-status"]);
    passed(code, &r);
    assert_eq!(r["accept_unknown_ca_status"], true);
    assert!(r["signatures"][0]["warnings"]
        .to_string()
        .contains("--accept-unknown-ca-status"));
    let o = run(kyso()
        .arg("verify")
        .arg(&pdf)
        .arg("--trust")
        .arg(g.path("root.pem"))
        .args([
            "--crl",
            int_crl,
            "--accept-unknown-ca-status",
            "--lang",
            "en",
        ]));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("CA certificates whose revocation status is unknown are accepted"));

    // With the root's CRL too: passes without the flag.
    let root_crl = g.crl("root");
    let (code, r) = g.verify(
        &pdf,
        &["--crl", int_crl, "--crl", root_crl.to_str().unwrap()],
    );
    passed(code, &r);
}

// --- Time-stamps (tests/support/local_pki.rs: TSA, OCSP and CRLs on 127.0.0.1) -------------

fn sign_bt(pki: &LocalPki, p12: &Path, tsa_url: &str, name: &str) -> PathBuf {
    let out = pki.path(&format!("{name}.pdf"));
    let o = run(kyso_online()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(p12)
        .args(["--level", "B-T", "--tsa", tsa_url]));
    assert!(o.status.success(), "sign {name}: {}", stderr(&o));
    out
}

fn verify_online(pki: &LocalPki, pdf: &Path, extra: &[&str]) -> (i32, Value) {
    let o = run(kyso_online()
        .arg("verify")
        .arg(pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki.root())
        .args(extra));
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

/// The time-stamp did not count: no proof of existence, its own reason, and the signature is
/// not TOTAL-PASSED with that reason.
fn timestamp_refused(r: &Value, reason: &str) {
    let s = &r["signatures"][0];
    assert_ne!(s["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(s["kyso_reason"], reason, "{r:#}");
    assert_eq!(s["timestamps"][0]["kyso_reason"], reason, "{r:#}");
    assert_ne!(s["timestamps"][0]["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(s["proof_of_existence"], Value::Null, "{r:#}");
    assert!(s["message"].as_str().unwrap().contains("TSA"), "{r:#}");
}

#[test]
fn time_stamps_count_only_within_their_tsa_validity_and_not_in_the_future() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("ts-signer", "Nguyễn Văn Thời Gian", 30);
    let now = OffsetDateTime::now_utc();

    // Control: the regular TSA.
    let good = sign_bt(&pki, &p12, &pki.url("/tsa"), "ts-good");
    let (code, r) = verify_online(&pki, &good, &[]);
    passed(code, &r);
    assert_eq!(
        r["signatures"][0]["timestamps"][0]["kyso_reason"],
        Value::Null
    );
    assert!(
        r["signatures"][0]["proof_of_existence"].is_string(),
        "{r:#}"
    );

    // genTime before the TSA certificate's validity.
    let url = pki.enable_tsa_variant(
        "future",
        now + Duration::days(1),
        now + Duration::days(30),
        2048,
    );
    let pdf = sign_bt(&pki, &p12, &url, "ts-before");
    let (_, r) = verify_online(&pki, &pdf, &[]);
    timestamp_refused(&r, "TIMESTAMP_OUTSIDE_TSA_VALIDITY");

    // The same TSA as a document time-stamp (kyso extend to B-LTA): it does not count either.
    let extended = pki.path("ts-doc-before.pdf");
    let o = run(kyso_online()
        .arg("extend")
        .arg(&good)
        .arg("-o")
        .arg(&extended)
        .args(["--level", "B-LTA", "--tsa", &url]));
    assert!(o.status.success(), "extend: {}", stderr(&o));
    let (_, r) = verify_online(&pki, &extended, &[]);
    let d = &r["signatures"][1];
    assert_eq!(d["type"], "document-timestamp", "{r:#}");
    assert_ne!(d["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(d["kyso_reason"], "TIMESTAMP_OUTSIDE_TSA_VALIDITY", "{r:#}");
    assert_ne!(r["indication"], "TOTAL-PASSED", "{r:#}");

    // genTime after the TSA certificate expired.
    let url = pki.enable_tsa_variant(
        "expired",
        now - Duration::days(30),
        now - Duration::days(1),
        2048,
    );
    let pdf = sign_bt(&pki, &p12, &url, "ts-after");
    let (_, r) = verify_online(&pki, &pdf, &[]);
    timestamp_refused(&r, "TIMESTAMP_OUTSIDE_TSA_VALIDITY");

    // genTime after the validation time (beyond the 5-minute skew): validated an hour earlier.
    let at = (now - Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (_, r) = verify_online(&pki, &good, &["--at", &at]);
    timestamp_refused(&r, "TIMESTAMP_IN_FUTURE");

    // A TSA with a 1024-bit key.
    let url = pki.enable_tsa_variant(
        "short",
        now - Duration::days(1),
        now + Duration::days(30),
        1024,
    );
    let pdf = sign_bt(&pki, &p12, &url, "ts-1024");
    let (_, r) = verify_online(&pki, &pdf, &[]);
    let s = &r["signatures"][0];
    assert_ne!(s["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(s["kyso_reason"], "WEAK_KEY", "{r:#}");
    assert!(
        s["message"].as_str().unwrap().contains("1024-bit RSA key"),
        "{r:#}"
    );
    assert_eq!(s["proof_of_existence"], Value::Null, "{r:#}");
}
