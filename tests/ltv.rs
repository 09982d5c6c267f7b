//! Time-stamps and long-term validation end to end (issue #6): `kyso sign --level B-T|B-LT|
//! B-LTA --tsa URL` and `kyso extend`, against a real RFC 3161 TSA (`openssl ts -reply`), OCSP
//! (`openssl ocsp`) and CRLs served on 127.0.0.1 by tests/support/local_pki.rs; verified by kyso
//! (online and --offline, now and years later) and by pyHanko.

mod common;
#[path = "support/local_pki.rs"]
mod local_pki;

use base64ct::{Base64, Encoding};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use local_pki::{LocalPki, TSA_USER};
use serde_json::Value;

fn have_openssl() -> bool {
    have_tool("openssl")
}

/// `kyso sign INPUT -o OUTPUT --p12 P12` (online or not); more arguments follow.
fn sign_cmd(online: bool, p12: &Path, input: &Path, out: &Path) -> Command {
    let mut c = if online { kyso_online() } else { kyso() };
    c.arg("sign")
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--p12")
        .arg(p12);
    c
}

fn sign_level(pki: &LocalPki, p12: &Path, input: &Path, out: &Path, level: &str) -> Output {
    run(sign_cmd(true, p12, input, out)
        .args(["--level", level, "--tsa", &pki.url("/tsa"), "--json"])
        .args(["--reason", "Phê duyệt"]))
}

fn verify(pki: &LocalPki, file: &Path, extra: &[&str], online: bool) -> (i32, Value) {
    let mut c = if online { kyso_online() } else { kyso() };
    let o = run(c
        .arg("verify")
        .arg(file)
        .arg("--json")
        .arg("--trust")
        .arg(pki.root())
        .args(extra));
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), report)
}

fn doc() -> PathBuf {
    fixture("docs/congvan.pdf")
}

fn pyhanko_validate(pki: &LocalPki, file: &Path, extra: &[&str]) -> String {
    let o = run(Command::new("pyhanko")
        .args(["sign", "validate", "--trust"])
        .arg(pki.root())
        .args(["--trust-replace", "--executive-summary"])
        .args(extra)
        .arg(file));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        o.status.success(),
        "pyhanko rejected {}: {text}",
        file.display()
    );
    // One line per signature: FIELD:HASH:VALID.
    let out = stdout(&o);
    let verdicts: Vec<&str> = out.lines().filter(|l| l.contains(':')).collect();
    assert!(!verdicts.is_empty(), "{text}");
    for l in verdicts {
        assert!(l.ends_with(":VALID"), "{}: {l}\n{text}", file.display());
    }
    text
}

#[test]
fn b_t_signature_carries_a_trusted_time_stamp() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("bt", "Nguyễn Văn Thời", 30);
    let out = pki.path("bt.pdf");
    let o = sign_level(&pki, &p12, &doc(), &out, "B-T");
    assert!(o.status.success(), "{}", stderr(&o));
    let outcome: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(outcome["level"], "PAdES-B-T");
    assert!(outcome["timestamp_time"]
        .as_str()
        .unwrap()
        .ends_with("+07:00"));
    assert_eq!(pki.hits("/tsa"), 1);

    let (code, r) = verify(&pki, &out, &[], true);
    let sig = &r["signatures"][0];
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(sig["level"], "PAdES-B-T", "{r:#}");
    let ts = &sig["timestamps"][0];
    assert_eq!(ts["type"], "signature");
    assert_eq!(ts["indication"], "TOTAL-PASSED", "{r:#}");
    assert!(
        ts["authority"].as_str().unwrap().contains("TSA Thử Nghiệm"),
        "{ts}"
    );
    assert_eq!(ts["imprint_matches"], true);
    assert_eq!(sig["proof_of_existence"], ts["time"]);

    // pyHanko must see only "signature maintenance" (LTA updates) after a P=1 certification.
    if have_tool("pyhanko") {
        pyhanko_validate(&pki, &out, &[]);
    }
}

#[test]
fn b_lt_and_b_lta_verify_offline_now_and_after_the_signer_expired() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(3000);
    let p12 = pki.signer("lta", "Trần Thị Lưu Trữ", 30);
    for level in ["B-LT", "B-LTA"] {
        let out = pki.path(&format!("{level}.pdf"));
        let o = sign_level(&pki, &p12, &doc(), &out, level);
        assert!(o.status.success(), "{level}: {}", stderr(&o));
        let outcome: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(outcome["level"], format!("PAdES-{level}"));

        // Offline: everything comes from the DSS.
        let (code, r) = verify(&pki, &out, &["--offline"], false);
        assert_eq!(code, 0, "{level}: {r:#}");
        let sig = &r["signatures"][0];
        assert_eq!(sig["level"], format!("PAdES-{level}"), "{r:#}");
        let sources: Vec<&str> = sig["revocation"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["source"].as_str())
            .collect();
        assert!(
            sources.iter().all(|s| s.starts_with("embedded")),
            "{level}: {sources:?}"
        );
        assert_eq!(sig["timestamps"][0]["indication"], "TOTAL-PASSED", "{r:#}");
        if level == "B-LTA" {
            let dts = &r["signatures"][1];
            assert_eq!(dts["type"], "document-timestamp", "{r:#}");
            assert_eq!(dts["indication"], "TOTAL-PASSED", "{r:#}");
            assert_eq!(dts["level"], "RFC3161");
        }

        // Two years on the signer's certificate has expired and the OCSP answers in the DSS
        // are long stale: the time-stamp proves the signature existed while all was valid.
        let later = (time::OffsetDateTime::now_utc() + time::Duration::days(730))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let (code, r) = verify(&pki, &out, &["--offline", "--at", &later], false);
        assert_eq!(code, 0, "{level} in two years: {r:#}");
        let sig = &r["signatures"][0];
        assert_eq!(sig["validated_at"], sig["proof_of_existence"], "{r:#}");

        if have_tool("pyhanko") {
            pyhanko_validate(&pki, &out, &["--force-revinfo"]);
        }
    }
    // A B-B signature by the same signer, judged two years on: no proof of existence.
    let bb = pki.path("bb.pdf");
    let o = run(&mut sign_cmd(false, &p12, &doc(), &bb));
    assert!(o.status.success(), "{}", stderr(&o));
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(730))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (code, r) = verify(&pki, &bb, &["--offline", "--at", &later], false);
    assert_eq!(code, 3, "{r:#}");
    assert_eq!(
        r["signatures"][0]["sub_indication"], "OUT_OF_BOUNDS_NO_POE",
        "{r:#}"
    );
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-B");
}

#[test]
fn revoked_after_the_time_stamp_still_passes_but_b_b_does_not() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("later", "Lê Văn Thu Hồi", 30);
    let bt = pki.path("bt.pdf");
    assert!(sign_level(&pki, &p12, &doc(), &bt, "B-T").status.success());
    let bb = pki.path("bb.pdf");
    assert!(run(&mut sign_cmd(false, &p12, &doc(), &bb))
        .status
        .success());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    pki.revoke("later");

    let (code, r) = verify(&pki, &bt, &[], true);
    assert_eq!(code, 0, "{r:#}");
    let sig = &r["signatures"][0];
    let revoked: Vec<&Value> = sig["revocation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "revoked")
        .collect();
    assert_eq!(revoked.len(), 1, "{r:#}");
    assert!(
        sig["warnings"]
            .to_string()
            .contains("after the time a time-stamp proves")
            || sig["warnings"]
                .to_string()
                .contains("sau thời điểm dấu thời gian"),
        "{r:#}"
    );

    let (code, r) = verify(&pki, &bb, &[], true);
    assert_eq!(code, 3, "{r:#}");
    assert_eq!(
        r["signatures"][0]["sub_indication"], "REVOKED_NO_POE",
        "{r:#}"
    );
}

#[test]
fn extending_a_pyhanko_signed_document_keeps_its_signature_valid() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let input = fixture("docs/congvan-signed-pyhanko.pdf");
    let out = pki.path("extended.pdf");
    // The fixture PKI publishes no URLs: its CRLs are given as files.
    let o = run(kyso_online()
        .arg("extend")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--level", "B-LTA", "--tsa", &pki.url("/tsa"), "--json"])
        .arg("--ltv-crl")
        .arg(pki_fixture("intermediate.crl"))
        .arg("--ltv-crl")
        .arg(pki_fixture("root.crl"))
        // The TSA's token carries the intermediate but not the root: without the root, the
        // intermediate's CRL cannot be gathered, and a CA whose status is unknown makes the
        // document time-stamp INDETERMINATE (ETSI EN 319 102-1).
        .arg("--ltv-certs")
        .arg(pki.root()));
    assert!(o.status.success(), "{}", stderr(&o));
    let rep: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rep["level"], "PAdES-B-LTA", "{rep:#}");
    assert!(rep["crls_added"].as_u64().unwrap() >= 2, "{rep:#}");
    assert!(rep["document_timestamp"].is_string(), "{rep:#}");
    // Warnings in English beside their stable codes, one for one (JSON only grows).
    assert_eq!(
        rep["warnings"].as_array().map(Vec::len),
        rep["warning_codes"].as_array().map(Vec::len),
        "{rep:#}"
    );
    // The input's bytes are an exact prefix of the output.
    let (a, b) = (std::fs::read(&input).unwrap(), std::fs::read(&out).unwrap());
    assert!(b.len() > a.len() && b.starts_with(&a));

    let o = run(kyso()
        .arg("verify")
        .arg(&out)
        .arg("--json")
        .arg("--offline")
        .arg("--trust")
        .arg(pki_fixture("root.pem"))
        .arg("--trust")
        .arg(pki.root()));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{r:#}");
    assert_eq!(r["signatures"][0]["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-LTA", "{r:#}");
    assert_eq!(r["signatures"][1]["type"], "document-timestamp");

    if have_tool("pyhanko") {
        let o = run(Command::new("pyhanko")
            .args(["sign", "validate", "--trust"])
            .arg(pki_fixture("root.pem"))
            .args([
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
            ])
            .arg(&out));
        let text = format!("{}{}", stdout(&o), stderr(&o));
        assert!(o.status.success(), "{text}");
        assert!(text.lines().any(|l| l.ends_with(":VALID")), "{text}");
    }
}

fn pki_fixture(name: &str) -> PathBuf {
    pki(name)
}

#[test]
fn archive_time_stamp_is_renewed_only_when_it_nears_expiry() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("renew", "Phạm Gia Hạn", 30);
    let lta = pki.path("lta.pdf");
    assert!(sign_level(&pki, &p12, &doc(), &lta, "B-LTA")
        .status
        .success());
    let extend = |input: &Path, out: &Path, days: &str| {
        run(kyso_online()
            .arg("extend")
            .arg(input)
            .arg("-o")
            .arg(out)
            .args(["--level", "B-LTA", "--tsa", &pki.url("/tsa"), "--json"])
            .args(["--renew-days", days]))
    };
    // The TSA certificate has a year left: nothing to add.
    let same = pki.path("same.pdf");
    let o = extend(&lta, &same, "90");
    assert!(o.status.success(), "{}", stderr(&o));
    let rep: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rep["unchanged"], true, "{rep:#}");
    assert_eq!(std::fs::read(&lta).unwrap(), std::fs::read(&same).unwrap());
    // Within the renewal window: a second archive time-stamp.
    let renewed = pki.path("renewed.pdf");
    let o = extend(&lta, &renewed, "400");
    assert!(o.status.success(), "{}", stderr(&o));
    let rep: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(rep["document_timestamp"].is_string(), "{rep:#}");
    let (code, r) = verify(&pki, &renewed, &["--offline"], false);
    assert_eq!(code, 0, "{r:#}");
    let kinds: Vec<&str> = r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["signature", "document-timestamp", "document-timestamp"]
    );
}

#[test]
fn tsa_failures_are_clear_and_write_nothing() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("fail", "Đỗ Văn Lỗi", 30);
    let dead = format!("http://127.0.0.1:{}/tsa", {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    });
    let sign_with = |out: &Path, tsas: &[&str], env: &[(&str, &str)]| {
        let mut c = kyso_online();
        c.args(["--lang", "en"]);
        c.arg("sign")
            .arg(doc())
            .arg("-o")
            .arg(out)
            .arg("--p12")
            .arg(&p12);
        c.args(["--level", "B-T"]);
        for t in tsas {
            c.args(["--tsa", t]);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        run(&mut c)
    };
    // Unreachable TSA: exit 1, no output.
    let out = pki.path("dead.pdf");
    let o = sign_with(&out, &[&dead], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("time-stamp"), "{}", stderr(&o));
    assert!(!out.exists());
    // Fallback: the second TSA answers.
    let out = pki.path("fallback.pdf");
    let o = sign_with(&out, &[&dead, &pki.url("/tsa")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A replayed answer (another request's nonce and imprint) is refused.
    let out = pki.path("replay.pdf");
    let o = sign_with(&out, &[&pki.url("/replay")], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("imprint") || stderr(&o).contains("nonce"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // HTTP basic authentication: refused without, accepted with KYSO_TSA_AUTH.
    let out = pki.path("auth.pdf");
    let o = sign_with(&out, &[&pki.url("/tsa-auth")], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("401"), "{}", stderr(&o));
    let o = sign_with(
        &out,
        &[&pki.url("/tsa-auth")],
        &[("KYSO_TSA_AUTH", TSA_USER)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // --level B-T without --tsa is a usage error.
    let o = run(kyso()
        .arg("sign")
        .arg(doc())
        .arg("-o")
        .arg(pki.path("nots.pdf"))
        .arg("--p12")
        .arg(&p12)
        .args(["--level", "B-T"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn deferred_signing_completes_with_a_signature_time_stamp() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    pki.signer("deferred", "Vũ Thị Hai Bước", 30);
    let prepared = pki.path("prepared.pdf");
    let o = run(kyso()
        .arg("prepare")
        .arg(doc())
        .arg("-o")
        .arg(&prepared)
        .arg("--cert")
        .arg(pki.path("deferred.pem"))
        .arg("--chain")
        .arg(pki.path("int.pem"))
        .arg("--json"));
    assert!(o.status.success(), "{}", stderr(&o));
    let info: Value = serde_json::from_slice(&o.stdout).unwrap();
    let tbs = Base64::decode_vec(info["to_be_signed_base64"].as_str().unwrap()).unwrap();
    std::fs::write(pki.path("tbs.der"), &tbs).unwrap();
    let o = run(Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(pki.path("deferred.key"))
        .arg("-out")
        .arg(pki.path("sig.bin"))
        .arg(pki.path("tbs.der")));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = pki.path("completed.pdf");
    let o = run(kyso_online()
        .arg("complete")
        .arg(&prepared)
        .arg("--signature")
        .arg(pki.path("sig.bin"))
        .arg("-o")
        .arg(&out)
        .args(["--tsa", &pki.url("/tsa"), "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let outcome: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(outcome["level"], "PAdES-B-T", "{outcome:#}");
    let (code, r) = verify(&pki, &out, &[], true);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-T");
    assert_eq!(
        r["signatures"][0]["timestamps"][0]["indication"],
        "TOTAL-PASSED"
    );
}

#[test]
fn pdfsig_accepts_b_lta_output() {
    if !have_openssl() || !have_tool("pdfsig") {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("poppler", "Hoàng Văn Poppler", 30);
    let out = pki.path("lta.pdf");
    let o = sign_level(&pki, &p12, &doc(), &out, "B-LTA");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(Command::new("pdfsig").arg("-nocert").arg(&out));
    let text = stdout(&o);
    // The signature is valid; Poppler lists the document time-stamp (signed by the TSA, over
    // the whole file) but does not check ETSI.RFC3161 tokens ("not yet verified").
    let (first, second) = text.split_once("Signature #2:").expect("two signatures");
    assert!(
        first.contains("Signature Validation: Signature is Valid."),
        "{text}"
    );
    assert!(second.contains("TSA Thử Nghiệm"), "{text}");
    assert!(second.contains("Total document signed"), "{text}");
}

#[test]
fn a_large_b_lta_signing_writes_the_input_once_and_verifies() {
    // 25 MB: the kernel copy with the document time-stamp's hash taken on the way
    // (sign/sink.rs Recording), no temporary B-T file.
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    let p12 = pki.signer("big", "Đặng Văn Lớn", 30);
    let input = pki.path("big.pdf");
    let o = run(Command::new("python3")
        .arg(fixture("../benches/make_big_pdf.py"))
        .arg(&input)
        .arg("24"));
    assert!(o.status.success(), "{}", stderr(&o));
    let original = std::fs::read(&input).unwrap();
    let out = pki.path("big-lta.pdf");
    let o = sign_level(&pki, &p12, &input, &out, "B-LTA");
    assert!(o.status.success(), "{}", stderr(&o));
    let signed = std::fs::read(&out).unwrap();
    assert!(signed.starts_with(&original), "not an incremental update");
    // Nothing left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (code, r) = verify(&pki, &out, &["--offline"], false);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-LTA", "{r:#}");
    assert_eq!(r["signatures"][1]["type"], "document-timestamp", "{r:#}");
    assert_eq!(r["signatures"][1]["indication"], "TOTAL-PASSED", "{r:#}");
}

#[test]
fn a_no_changes_certification_still_takes_dss_and_document_time_stamps() {
    if !have_openssl() {
        return;
    }
    // ETSI EN 319 142-1 §5.4: DSS and document time-stamps do not count as changes, even
    // under DocMDP P=1.
    let pki = LocalPki::new(365);
    let p12 = pki.signer("certify", "Ngô Văn Chứng Nhận", 30);
    let out = pki.path("certified-lta.pdf");
    let o = run(sign_cmd(true, &p12, &doc(), &out).args([
        "--certify",
        "1",
        "--level",
        "B-LTA",
        "--tsa",
        &pki.url("/tsa"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify(&pki, &out, &["--offline"], false);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["signatures"][0]["certification"], true);
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-LTA", "{r:#}");
    // pyHanko must see only "signature maintenance" (LTA updates) after a P=1 certification.
    if have_tool("pyhanko") {
        pyhanko_validate(&pki, &out, &[]);
    }
}

#[test]
fn a_large_document_time_stamp_gets_a_second_try_with_room_for_it() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    pki.enable_big_tsa();
    let p12 = pki.signer("big", "Đinh Văn Lớn", 30);
    let bb = pki.path("bb.pdf");
    assert!(run(&mut sign_cmd(false, &p12, &doc(), &bb))
        .status
        .success());
    let out = pki.path("big-lta.pdf");
    let o = run(kyso_online()
        .arg("extend")
        .arg(&bb)
        .arg("-o")
        .arg(&out)
        .args(["--level", "B-LTA", "--tsa", &pki.url("/tsa-big"), "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify(&pki, &out, &["--offline"], false);
    // The first token did not fit the first guess (8 KiB); the second try had room for it.
    let br = &r["signatures"][1]["byte_range"];
    let gap = br[2].as_u64().unwrap() - br[1].as_u64().unwrap();
    assert!(gap > 2 * 8192 + 2, "{br}");
    assert_eq!(pki.hits("/tsa-big"), 2, "{br}");
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-LTA", "{r:#}");
    assert_eq!(r["signatures"][1]["indication"], "TOTAL-PASSED", "{r:#}");
}

#[test]
fn a_signature_time_stamp_too_large_for_the_reserve_says_how_much_to_keep() {
    if !have_openssl() {
        return;
    }
    let pki = LocalPki::new(365);
    pki.enable_big_tsa();
    let p12 = pki.signer("reserve", "Trịnh Văn Dự Phòng", 30);
    let out = pki.path("bt-big.pdf");
    let sign = |extra: &[&str]| {
        run(sign_cmd(true, &p12, &doc(), &out)
            .args(["--tsa", &pki.url("/tsa-big")])
            .args(extra))
    };
    let o = sign(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--reserve"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = sign(&["--reserve", "24000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify(&pki, &out, &[], true);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-T");
}

#[test]
fn an_archive_time_stamp_keeps_a_signature_valid_after_its_tsa_certificate_expired() {
    if !have_openssl() {
        return;
    }
    // B-T with a TSA whose certificate expires in 2 days, then B-LTA with a long-lived TSA:
    // a week later the signature time-stamp's TSA has expired, and only the document
    // time-stamp over it proves when it existed (ETSI EN 319 102-1 §5.6.2.1).
    let pki = LocalPki::new(3000);
    pki.enable_short_tsa(2);
    let p12 = pki.signer("archive", "Lý Thị Lưu Trữ", 300);
    let bt = pki.path("bt-short.pdf");
    let o = run(sign_cmd(true, &p12, &doc(), &bt).args(["--tsa", &pki.url("/tsa-short")]));
    assert!(o.status.success(), "{}", stderr(&o));
    let week = (time::OffsetDateTime::now_utc() + time::Duration::days(7))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();

    // Extended to B-LT only: in a week the signature time-stamp proves nothing.
    let lt = pki.path("lt.pdf");
    let o = run(kyso_online()
        .arg("extend")
        .arg(&bt)
        .arg("-o")
        .arg(&lt)
        .args(["--level", "B-LT"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, r) = verify(&pki, &lt, &["--offline", "--at", &week], false);
    let ts = &r["signatures"][0]["timestamps"][0];
    assert_ne!(ts["indication"], "TOTAL-PASSED", "{r:#}");

    // Extended to B-LTA with the long-lived TSA: the archive time-stamp carries it.
    let lta = pki.path("lta.pdf");
    let o = run(kyso_online()
        .arg("extend")
        .arg(&bt)
        .arg("-o")
        .arg(&lta)
        .args(["--level", "B-LTA", "--tsa", &pki.url("/tsa")]));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify(&pki, &lta, &["--offline", "--at", &week], false);
    assert_eq!(code, 0, "{r:#}");
    let sig = &r["signatures"][0];
    assert_eq!(sig["timestamps"][0]["indication"], "TOTAL-PASSED", "{r:#}");
    assert_eq!(sig["level"], "PAdES-B-LTA", "{r:#}");
    assert_eq!(r["signatures"][1]["indication"], "TOTAL-PASSED", "{r:#}");
}

#[test]
fn visible_leader_at_b_lta_then_the_organization_seal() {
    if !have_openssl() {
        return;
    }
    // Decree 30 with long-term validation: the leader's visible signature at B-LTA, then the
    // agency's seal (it finds the leader's widget through the later DSS and time-stamp).
    let pki = LocalPki::new(365);
    let leader = pki.signer("leader", "Nguyễn Văn An", 30);
    let agency = pki.signer("agency", "Ủy ban nhân dân tỉnh Thử Nghiệm", 30);
    let signed = pki.path("leader-lta.pdf");
    let o = run(sign_cmd(true, &leader, &doc(), &signed)
        .args(["--role", "leader", "--image"])
        .arg(fixture("images/signature-blue.png"))
        .args(["--level", "B-LTA", "--tsa", &pki.url("/tsa")]));
    assert!(o.status.success(), "{}", stderr(&o));
    let sealed = pki.path("sealed.pdf");
    let o = run(sign_cmd(true, &agency, &signed, &sealed)
        .args(["--role", "organization", "--image"])
        .arg(fixture("images/seal-red.png"))
        .args(["--level", "B-LT", "--tsa", &pki.url("/tsa")]));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, r) = verify(&pki, &sealed, &["--offline"], false);
    assert_eq!(code, 0, "{r:#}");
    let levels: Vec<&str> = r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["PAdES-B-LTA", "RFC3161", "PAdES-B-LT"], "{r:#}");
    if have_tool("pyhanko") {
        pyhanko_validate(&pki, &sealed, &[]);
    }
}
