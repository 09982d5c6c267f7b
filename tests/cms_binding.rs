//! The CMS binding fails closed (issue 13 item 5, issue 20 item 6): hand-made CMS planted into a
//! `kyso prepare`d document — made by `openssl cms -sign`, some re-signed here after their signed
//! attributes were changed — are never TOTAL-PASSED, each with its `kyso_reason`; the correct
//! ones still pass. And strings from the file reach the terminal only made visible (item 8).

mod common;

use common::*;
use kyso_testpki::der as w;
use std::path::{Path, PathBuf};
use std::process::Command;

const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";

/// A prepared document (leader's certificate) with its /SubFilter replaced by `sub_filter`
/// (padded with spaces to the same length), its ByteRange and the signed content.
struct Prepared {
    bytes: Vec<u8>,
    gap: (usize, usize),
    content: PathBuf,
}

fn prepare(dir: &Path, sub_filter: &str) -> Prepared {
    let path = dir.join("prepared.pdf");
    let o = run(kyso()
        .arg("prepare")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&path)
        .arg("--cert")
        .arg(pki("leader.pem"))
        .arg("--chain")
        .arg(pki("chain.pem")));
    assert!(o.status.success(), "{}", stderr(&o));
    let mut bytes = std::fs::read(&path).unwrap();
    let from = b"/ETSI.CAdES.detached";
    let to = format!("{:<20}", format!("/{sub_filter}"));
    let at = bytes.windows(from.len()).position(|x| x == from).unwrap();
    bytes[at..at + from.len()].copy_from_slice(to.as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let o = run(kyso().arg("info").arg(&path).arg("--json"));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let br: Vec<usize> = info["signatures"][0]["byte_range"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let content = dir.join("content.bin");
    std::fs::write(&content, [&bytes[..br[1]], &bytes[br[2]..]].concat()).unwrap();
    Prepared {
        bytes,
        gap: (br[1], br[2]),
        content,
    }
}

/// `openssl cms -sign` over `input` with the leader's key and the chain, DER.
fn openssl_cms(dir: &Path, input: &Path, extra: &[&str]) -> Vec<u8> {
    let out = dir.join("sig.p7s");
    let o = run(Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-outform", "DER", "-nosmimecap"])
        .arg("-in")
        .arg(input)
        .arg("-signer")
        .arg(pki("leader.pem"))
        .arg("-inkey")
        .arg(pki("leader.key.pem"))
        .args(extra)
        .arg("-out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read(out).unwrap()
}

/// The document with `cms` in its /Contents (hex, zero padded) and its verification.
fn plant_and_verify(dir: &Path, p: &Prepared, cms: &[u8], name: &str) -> (i32, serde_json::Value) {
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    let room = p.gap.1 - p.gap.0 - 2;
    assert!(hex.len() <= room, "CMS too large for the placeholder");
    let mut out = p.bytes.clone();
    out[p.gap.0 + 1..p.gap.1 - 1].copy_from_slice(format!("{hex:0<room$}").as_bytes());
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    let (code, report) = verify_json(&path, &[]);
    assert!(
        report["signatures"][0]["indication"].is_string(),
        "{report:#}"
    );
    (code, report)
}

/// The raw encodings of the children of a constructed element.
fn children(der: &[u8]) -> Vec<Vec<u8>> {
    w::children(der)
}

/// `AlgorithmIdentifier` with NULL parameters (RFC 4055 §5 for the RSA ones).
fn alg(oid: &str) -> Vec<u8> {
    w::sequence(&[&w::oid(oid), &w::null()])
}

/// How to re-sign an openssl CMS: which signed attributes to keep, the digest `openssl dgst`
/// signs them with, and the signatureAlgorithm written.
struct Resign<'a> {
    drop_attribute: Option<&'a str>,
    dgst: &'a str,
    signature_algorithm: Option<&'a str>,
}

/// The CMS with its one SignerInfo's signed attributes changed and signed again with the
/// leader's key (RFC 5652 §5.4: the signature covers the DER SET OF the attributes).
fn resign(dir: &Path, cms: &[u8], how: &Resign) -> Vec<u8> {
    let ci = children(cms);
    let sd_der = &children(&ci[1])[0];
    let mut sd = children(sd_der);
    let si = children(&children(sd.last().unwrap())[0]);
    let attrs: Vec<Vec<u8>> = children(&si[3])
        .into_iter()
        .filter(|a| {
            let oid = w::oid_string(&children(a)[0]);
            Some(oid.as_str()) != how.drop_attribute
        })
        .collect();
    let refs: Vec<&[u8]> = attrs.iter().map(Vec::as_slice).collect();
    let signed = w::set_of(&refs);
    let tbs = dir.join("tbs.der");
    std::fs::write(&tbs, &signed).unwrap();
    let sig = dir.join("sig.bin");
    let o = run(Command::new("openssl")
        .args(["dgst", how.dgst, "-sign"])
        .arg(pki("leader.key.pem"))
        .arg("-out")
        .arg(&sig)
        .arg(&tbs));
    assert!(o.status.success(), "{}", stderr(&o));
    let sig_alg = how.signature_algorithm.map(alg).unwrap_or(si[4].clone());
    let new_si = w::sequence(&[
        &si[0],
        &si[1],
        &si[2],
        &w::retag(&signed, 0xA0),
        &sig_alg,
        &w::octet_string(&std::fs::read(sig).unwrap()),
    ]);
    *sd.last_mut().unwrap() = w::set(&[&new_si]);
    let refs: Vec<&[u8]> = sd.iter().map(Vec::as_slice).collect();
    let sd = w::sequence(&refs);
    w::sequence(&[&ci[0], &w::explicit(0, &sd)])
}

fn reason(report: &serde_json::Value) -> &str {
    report["signatures"][0]["kyso_reason"]
        .as_str()
        .unwrap_or_default()
}

fn assert_refused(code: i32, report: &serde_json::Value, want_code: i32, want: &str) {
    assert_eq!(code, want_code, "{report:#}");
    assert_ne!(report["signatures"][0]["indication"], "TOTAL-PASSED");
    assert_eq!(reason(report), want, "{report:#}");
}

#[test]
fn pades_binding_cases() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = prepare(d, "ETSI.CAdES.detached");
    let chain = pki("chain.pem");
    let chain = chain.to_str().unwrap();
    let cades = openssl_cms(
        d,
        &p.content,
        &["-md", "sha256", "-cades", "-certfile", chain],
    );

    // The correct signature passes, also when re-signed here unchanged.
    let (code, report) = plant_and_verify(d, &p, &cades, "good.pdf");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["signatures"][0]["checks"]["signing_certificate_attribute"],
        "v2"
    );
    let same = Resign {
        drop_attribute: None,
        dgst: "-sha256",
        signature_algorithm: None,
    };
    let (code, report) = plant_and_verify(d, &p, &resign(d, &cades, &same), "resigned.pdf");
    assert_eq!(code, 0, "{report:#}");

    // RFC 5652 §11.2: signed attributes without message-digest bind no content.
    let no_md = Resign {
        drop_attribute: Some(MESSAGE_DIGEST),
        ..same
    };
    let (code, report) = plant_and_verify(d, &p, &resign(d, &cades, &no_md), "no-md.pdf");
    assert_refused(code, &report, 1, "MESSAGE_DIGEST_MISSING");
    assert_eq!(report["signatures"][0]["sub_indication"], "FORMAT_FAILURE");

    // PAdES without signed attributes at all.
    let noattr = openssl_cms(
        d,
        &p.content,
        &["-md", "sha256", "-noattr", "-certfile", chain],
    );
    let (code, report) = plant_and_verify(d, &p, &noattr, "noattr.pdf");
    assert_refused(code, &report, 1, "SIGNED_ATTRIBUTES_MISSING");

    // digestAlgorithm SHA-256, the attributes signed with sha384WithRSAEncryption.
    let sha384 = Resign {
        dgst: "-sha384",
        signature_algorithm: Some(SHA384_WITH_RSA),
        ..same
    };
    let (code, report) = plant_and_verify(d, &p, &resign(d, &cades, &sha384), "mismatch.pdf");
    assert_refused(code, &report, 3, "DIGEST_ALGORITHM_MISMATCH");
    assert_eq!(report["signatures"][0]["checks"]["signature_valid"], true);
    assert_eq!(
        report["signatures"][0]["sub_indication"],
        "CRYPTO_CONSTRAINTS_FAILURE"
    );

    // SHA-1 only inside the signature algorithm, and as the digest algorithm.
    let sha1 = Resign {
        dgst: "-sha1",
        signature_algorithm: Some(SHA1_WITH_RSA),
        ..same
    };
    let (code, report) = plant_and_verify(d, &p, &resign(d, &cades, &sha1), "sha1-sig.pdf");
    assert_refused(code, &report, 3, "SHA1_FORBIDDEN");
    let md_sha1 = openssl_cms(
        d,
        &p.content,
        &["-md", "sha1", "-cades", "-certfile", chain],
    );
    let (code, report) = plant_and_verify(d, &p, &md_sha1, "sha1.pdf");
    assert_refused(code, &report, 3, "SHA1_FORBIDDEN");
    assert_eq!(
        report["signatures"][0]["sub_indication"],
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    );

    // ETSI EN 319 142-1: PAdES without ESS signing-certificate-v2.
    let no_ess = openssl_cms(d, &p.content, &["-md", "sha256", "-certfile", chain]);
    let (code, report) = plant_and_verify(d, &p, &no_ess, "no-ess.pdf");
    assert_refused(code, &report, 3, "SIGNING_CERTIFICATE_NOT_BOUND");
    assert_eq!(
        report["signatures"][0]["sub_indication"],
        "NO_SIGNING_CERTIFICATE_FOUND"
    );
}

/// A second certificate for the leader's key, with another title, issued by the test CA.
fn twin_certificate(dir: &Path) -> PathBuf {
    let csr = dir.join("twin.csr");
    let o = run(Command::new("openssl")
        .args(["req", "-new", "-utf8", "-subj"])
        .arg("/C=VN/O=Ủy ban nhân dân tỉnh Thử Nghiệm/title=Giám đốc/CN=Nguyễn Văn An")
        .arg("-key")
        .arg(pki("leader.key.pem"))
        .arg("-out")
        .arg(&csr));
    assert!(o.status.success(), "{}", stderr(&o));
    let ext = dir.join("twin.ext");
    std::fs::write(
        &ext,
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    let twin = dir.join("twin.pem");
    let o = run(Command::new("openssl")
        .args(["x509", "-req", "-days", "3650", "-set_serial", "0x3999"])
        .arg("-in")
        .arg(&csr)
        .arg("-CA")
        .arg(pki("intermediate.pem"))
        .arg("-CAkey")
        .arg(pki("intermediate.key.pem"))
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&twin));
    assert!(o.status.success(), "{}", stderr(&o));
    let bundle = dir.join("twin-and-chain.pem");
    let mut pem = std::fs::read(&twin).unwrap();
    pem.extend(std::fs::read(pki("chain.pem")).unwrap());
    std::fs::write(&bundle, pem).unwrap();
    bundle
}

#[test]
fn legacy_pkcs7_binding_cases() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = prepare(d, "adbe.pkcs7.detached");
    let chain = pki("chain.pem");
    let chain = chain.to_str().unwrap();

    // Legacy without ESS and without signed attributes: one certificate has the key → judged.
    for (name, extra) in [("legacy.pdf", "-md"), ("legacy-noattr.pdf", "-noattr")] {
        let args: Vec<&str> = match extra {
            "-md" => vec!["-md", "sha256", "-certfile", chain],
            _ => vec!["-md", "sha256", "-noattr", "-certfile", chain],
        };
        let cms = openssl_cms(d, &p.content, &args);
        let (code, report) = plant_and_verify(d, &p, &cms, name);
        assert_eq!(code, 0, "{name}: {report:#}");
        assert_eq!(
            report["signatures"][0]["checks"]["signing_certificate_attribute"],
            "absent"
        );
    }

    // Two certificates for the signer's key, no ESS: the SignerIdentifier alone cannot say
    // which one (with which title) signed.
    let twin = twin_certificate(d);
    let cms = openssl_cms(
        d,
        &p.content,
        &["-md", "sha256", "-certfile", twin.to_str().unwrap()],
    );
    let (code, report) = plant_and_verify(d, &p, &cms, "ambiguous.pdf");
    assert_refused(code, &report, 3, "SIGNER_CERTIFICATE_AMBIGUOUS");
    let message = report["signatures"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Giám đốc") && message.contains("Chủ tịch"),
        "{message}"
    );
    // The second certificate may come from outside the CMS too (the DSS, --extra-certs).
    let cms = openssl_cms(d, &p.content, &["-md", "sha256", "-certfile", chain]);
    let path = d.join("one-in-cms.pdf");
    plant_and_verify(d, &p, &cms, "one-in-cms.pdf");
    let (code, report) = verify_json(&path, &["--extra-certs", twin.to_str().unwrap()]);
    assert_refused(code, &report, 3, "SIGNER_CERTIFICATE_AMBIGUOUS");
    // With ESS the same certificates are fine: the attribute names the signer's.
    let cms = openssl_cms(
        d,
        &p.content,
        &[
            "-md",
            "sha256",
            "-cades",
            "-certfile",
            twin.to_str().unwrap(),
        ],
    );
    let (code, report) = plant_and_verify(d, &p, &cms, "twin-with-ess.pdf");
    assert_eq!(code, 0, "{report:#}");
}

/// A /SubFilter kyso does not know (ISO 32000-1 §12.8.3 names the ones it verifies) is not
/// understood, so never judged valid: INDETERMINATE with SUB_FILTER_NOT_UNDERSTOOD, whether the
/// CMS would also leave the signer ambiguous (two certificates for its key, no ESS) or is sound
/// (one certificate). Before, such a signature got the legacy rules and the sound one passed.
#[test]
fn unknown_sub_filter_is_not_understood() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = prepare(d, "x.unknown");
    let twin = twin_certificate(d);
    let chain = pki("chain.pem");
    for (certs, name) in [
        (&twin, "unknown-ambiguous.pdf"),
        (&chain, "unknown-one.pdf"),
    ] {
        let cms = openssl_cms(
            d,
            &p.content,
            &["-md", "sha256", "-certfile", certs.to_str().unwrap()],
        );
        let (code, report) = plant_and_verify(d, &p, &cms, name);
        assert_eq!(code, 3, "{name}: {report:#}");
        let sig = &report["signatures"][0];
        assert_eq!(sig["indication"], "INDETERMINATE", "{name}: {report:#}");
        assert_eq!(
            sig["sub_indication"], "FORMAT_FAILURE",
            "{name}: {report:#}"
        );
        assert_eq!(
            sig["message_code"], "SUB_FILTER_NOT_UNDERSTOOD",
            "{name}: {report:#}"
        );
    }
}

#[test]
fn adbe_pkcs7_sha1_sub_filter_is_refused() {
    if !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = prepare(d, "adbe.pkcs7.sha1");
    // adbe.pkcs7.sha1: the CMS encapsulates the SHA-1 digest of the byte ranges.
    let content = std::fs::read(&p.content).unwrap();
    let sha1 = kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha1, &content);
    let digest = d.join("sha1.bin");
    std::fs::write(&digest, sha1).unwrap();
    let chain = pki("chain.pem");
    let cms = openssl_cms(
        d,
        &digest,
        &[
            "-md",
            "sha256",
            "-cades",
            "-nodetach",
            "-certfile",
            chain.to_str().unwrap(),
        ],
    );
    let (code, report) = plant_and_verify(d, &p, &cms, "pkcs7-sha1.pdf");
    assert_eq!(
        report["signatures"][0]["checks"]["signature_valid"], true,
        "{report:#}"
    );
    assert_refused(code, &report, 3, "SHA1_FORBIDDEN");
}

#[test]
fn strings_from_the_file_reach_the_terminal_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");
    let reason = "Phê duyệt\x1b[2J\u{202e}fdp.exe";
    let location = "Hà Nội\nKết luận: HỢP LỆ (giả mạo)";
    sign(
        &fixture("docs/congvan.pdf"),
        &out,
        "agency.p12",
        &[
            "--reason",
            reason,
            "--location",
            location,
            "--field",
            "Ký\x07\u{9b}31m",
        ],
    );
    for lang in ["vi", "en"] {
        let o = run(kyso()
            .arg("verify")
            .arg(&out)
            .args(["--lang", lang, "--trust"])
            .arg(pki("root.pem"))
            .args(crl_args()));
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{text}");
        assert!(text.contains("Phê duyệt\\x1b[2J\\u{202e}fdp.exe"), "{text}");
        assert!(
            text.contains("Hà Nội\\nKết luận: HỢP LỆ (giả mạo)"),
            "{text}"
        );
        assert!(text.contains("Ký\\x07\\u{9b}31m"), "{text}");
        for raw in ['\x1b', '\u{202e}', '\x07', '\u{9b}'] {
            assert!(!text.contains(raw), "{raw:?} reached the terminal: {text}");
        }
        assert!(!text
            .lines()
            .any(|l| l.contains("Kết luận: HỢP LỆ (giả mạo)") && !l.contains("\\n")));
    }
    // JSON keeps the exact strings (serde escapes them).
    let (_, report) = verify_json(&out, &[]);
    assert_eq!(report["signatures"][0]["reason"], reason);
    // kyso info shows the field name made visible too.
    let o = run(kyso().arg("info").arg(&out));
    let text = stdout(&o);
    assert!(text.contains("Ký\\x07\\u{9b}31m"), "{text}");
    assert!(!text.contains('\x07') && !text.contains('\u{9b}'), "{text}");
}
