//! Online revocation, end to end: `kyso verify` without KYSO_OFFLINE asks OpenSSL's OCSP
//! responder (`openssl ocsp -index ... -port ...`) and the CRL server of the throw-away PKI
//! (kyso-testpki's `LocalPki`, tests/support/local_pki.rs), both on 127.0.0.1, about its
//! signers: root CA → intermediate CA (an `openssl ca` database) → signers (RSA 2048,
//! digitalSignature + nonRepudiation) whose AIA names the responder and/or whose CRL
//! distribution point names the CRL server; a delegated responder (id-kp-OCSPSigning) and one
//! without that EKU, both issued by the intermediate.
//!
//! Every wait is bounded: responders must listen within 10 s, each kyso run is killed after
//! 30 s, the CRL server stops after 240 s; children and threads stop on drop.

mod common;
#[path = "support/local_pki.rs"]
mod local_pki;

use common::*;
use local_pki::{LocalPki, OcspProcess, SignerOptions, Urls};
use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

/// How long one `kyso` run may take before it is killed and the test fails.
const KYSO_LIMIT: Duration = Duration::from_secs(30);

/// A free TCP port on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}

fn rfc3339(v: &Value) -> OffsetDateTime {
    let s = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

/// Runs `cmd` with stdout/stderr in files under `dir`, killing it after `limit`:
/// (exit code, stdout, stderr, elapsed).
fn run_bounded(cmd: &mut Command, dir: &Path, limit: Duration) -> (i32, String, String, Duration) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let (out_p, err_p) = (
        dir.join(format!("run-{n}.out")),
        dir.join(format!("run-{n}.err")),
    );
    let t0 = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(&out_p).unwrap())
        .stderr(File::create(&err_p).unwrap())
        .spawn()
        .expect("start kyso");
    let code = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st.code().unwrap_or(-1);
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not finish within {limit:?}: {}",
                std::fs::read_to_string(&err_p).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = t0.elapsed();
    (
        code,
        std::fs::read_to_string(&out_p).unwrap_or_default(),
        std::fs::read_to_string(&err_p).unwrap_or_default(),
        elapsed,
    )
}

/// The verdict of one `kyso verify --json` run.
struct Verdict {
    code: i32,
    report: Value,
    elapsed: Duration,
}

impl Verdict {
    fn sig(&self) -> &Value {
        &self.report["signatures"][0]
    }

    fn sub(&self) -> &str {
        self.sig()["sub_indication"].as_str().unwrap_or("null")
    }

    /// `signatures[0].revocation[0]` (the signer's certificate), or Null.
    fn rev0(&self) -> &Value {
        &self.sig()["revocation"][0]
    }

    fn dump(&self) -> String {
        serde_json::to_string_pretty(self.sig()).unwrap_or_default()
    }
}

/// The throw-away PKI with its server (CRLs at /int.crl, the intermediate at /int.crt) and two
/// responder certificates issued by the intermediate: `responder` (id-kp-OCSPSigning) and
/// `noeku` (clientAuth only).
struct Pki {
    local: LocalPki,
}

impl Pki {
    fn new() -> Pki {
        let local = LocalPki::new(30);
        local.ocsp_responder_cert("responder", "OCSP Responder Thử Nghiệm", true);
        local.ocsp_responder_cert("noeku", "Không Phải OCSP Responder", false);
        // The root's CRL (root.crl, empty: the intermediate is not revoked) is given to every
        // verification: a CA certificate whose revocation status is unknown makes the result
        // INDETERMINATE (ETSI EN 319 102-1), and these tests are about the signer's status.
        Pki { local }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.local.path(f)
    }

    fn dir(&self) -> &Path {
        self.local.dir.path()
    }

    /// The port of the PKI's server (CRLs, the intermediate's certificate).
    fn port(&self) -> u16 {
        self.local.port
    }

    /// How many times the intermediate's CRL was downloaded.
    fn crl_hits(&self) -> usize {
        self.local.hits("/int.crl")
    }

    /// A signer `{name}.p12` (empty password, with the chain) whose AIA names the OCSP
    /// responder on `ocsp_port` and/or whose CRL distribution point is
    /// `http://127.0.0.1:{crl_port}/int.crl`. `in_db`: issued through the intermediate's
    /// `openssl ca` database (so the responder knows it); otherwise unknown to the responder.
    fn signer(&self, name: &str, ocsp_port: Option<u16>, crl_port: Option<u16>, in_db: bool) {
        let urls = Urls {
            ocsp: ocsp_port.map(|p| format!("http://127.0.0.1:{p}/")),
            crl: crl_port.map(|p| format!("http://127.0.0.1:{p}/int.crl")),
            ca_issuers: None,
        };
        let options = SignerOptions {
            urls,
            in_db,
            chain: true,
        };
        let cn = format!("Nguyễn Văn An ({name})");
        self.local.signer_with(name, &cn, 30, &options);
    }

    /// Marks `{name}.pem` revoked (keyCompromise, now) in the intermediate's database and
    /// republishes its CRL.
    fn revoke(&self, name: &str) {
        self.local.revoke(name);
    }

    /// Signs fixtures/docs/congvan.pdf with `{name}.p12` into `{name}.pdf`.
    fn sign(&self, name: &str) -> PathBuf {
        let out = self.path(&format!("{name}.pdf"));
        let (code, _, err, _) = run_bounded(
            kyso()
                .arg("sign")
                .arg(fixture("docs/congvan.pdf"))
                .arg("-o")
                .arg(&out)
                .arg("--p12")
                .arg(self.path(&format!("{name}.p12")))
                .env("KYSO_PIN", ""),
            self.dir(),
            KYSO_LIMIT,
        );
        assert_eq!(code, 0, "kyso sign with {name}.p12 failed: {err}");
        out
    }

    /// `kyso verify PDF --json --trust ROOT --crl root.crl` plus `extra`, run by `cmd`.
    fn verify_with(&self, mut cmd: Command, pdf: &Path, extra: &[&str]) -> Verdict {
        cmd.arg("verify")
            .arg(pdf)
            .arg("--json")
            .arg("--trust")
            .arg(self.local.root())
            .arg("--crl")
            .arg(self.path("root.crl"))
            .args(extra);
        let (code, out, err, elapsed) = run_bounded(&mut cmd, self.dir(), KYSO_LIMIT);
        let report = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("verify output is not JSON ({e}): {out} / {err}"));
        Verdict {
            code,
            report,
            elapsed,
        }
    }

    /// Verification online (no KYSO_OFFLINE).
    fn verify(&self, pdf: &Path) -> Verdict {
        self.verify_with(kyso_online(), pdf, &[])
    }

    /// Starts `openssl ocsp` on `port` for the intermediate's database, signing with
    /// `{signer}.pem`/`{signer}.key`.
    fn responder(&self, port: u16, signer: &str) -> OcspProcess {
        self.local.ocsp_process(port, signer)
    }
}

fn have_openssl() -> bool {
    have_tool("openssl")
}

// ---------------------------------------------------------------------------------------------
// OCSP

/// Case 1: A delegated responder (id-kp-OCSPSigning, issued by the intermediate) says good.
#[test]
fn ocsp_good_from_delegated_responder() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port();
    pki.signer("good", Some(port), None, true);
    let pdf = pki.sign("good");
    let _r = pki.responder(port, "responder");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.report["indication"], "TOTAL-PASSED", "{}", v.dump());
    assert_eq!(v.sig()["sub_indication"], Value::Null, "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "good", "{}", v.dump());
    assert_eq!(r["source"], "ocsp", "{}", v.dump());
    assert!(
        r["subject"]
            .as_str()
            .unwrap()
            .contains("Nguyễn Văn An (good)"),
        "{}",
        v.dump()
    );
    // issued = the response's thisUpdate: just now.
    let issued = rfc3339(&r["issued"]);
    assert!(
        (issued - OffsetDateTime::now_utc()).abs() < time::Duration::minutes(5),
        "{}",
        v.dump()
    );
    assert_eq!(r["revocation_time"], Value::Null);
}

/// Case 2: Revoked in the responder's index before the document was signed: REVOKED.
#[test]
fn ocsp_revoked_before_signing_is_total_failed() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port();
    pki.signer("revoked", Some(port), None, true);
    pki.revoke("revoked");
    // Strictly before /M (both in whole seconds).
    std::thread::sleep(Duration::from_millis(1100));
    let pdf = pki.sign("revoked");
    let _r = pki.responder(port, "responder");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 1, "{}", v.dump());
    assert_eq!(v.sig()["indication"], "TOTAL-FAILED", "{}", v.dump());
    assert_eq!(v.sub(), "REVOKED", "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "revoked", "{}", v.dump());
    assert_eq!(r["source"], "ocsp", "{}", v.dump());
    assert_eq!(r["reason"], "keyCompromise", "{}", v.dump());
    assert!(
        rfc3339(&r["revocation_time"]) < rfc3339(&v.sig()["signing_time"]),
        "{}",
        v.dump()
    );
}

/// Case 3: Good when signed and first verified; revoked afterwards (index.txt updated, responder
/// restarted): REVOKED_NO_POE (no time-stamp proves the signature came first).
#[test]
fn ocsp_revoked_after_signing_is_revoked_no_poe() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port();
    pki.signer("later", Some(port), None, true);
    let pdf = pki.sign("later");
    let r = pki.responder(port, "responder");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 0, "before revocation: {}", v.dump());
    assert_eq!(v.rev0()["status"], "good", "{}", v.dump());
    drop(r);
    // The revocation time (whole seconds) must come strictly after /M (whole seconds).
    std::thread::sleep(Duration::from_millis(1100));
    pki.revoke("later");
    let _r = pki.responder(port, "responder");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sig()["indication"], "INDETERMINATE", "{}", v.dump());
    assert_eq!(v.sub(), "REVOKED_NO_POE", "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "revoked", "{}", v.dump());
    assert_eq!(r["source"], "ocsp", "{}", v.dump());
    assert!(
        rfc3339(&r["revocation_time"]) > rfc3339(&v.sig()["signing_time"]),
        "{}",
        v.dump()
    );
}

/// Case 4: A certificate the responder does not know: "unknown" is no answer → TRY_LATER.
#[test]
fn ocsp_unknown_is_try_later() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port();
    pki.signer("stranger", Some(port), None, false);
    let pdf = pki.sign("stranger");
    let _r = pki.responder(port, "responder");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "unknown", "{}", v.dump());
    assert_eq!(r["source"], "ocsp", "{}", v.dump());
}

/// Case 5: Nothing listens at the AIA URL: TRY_LATER, quickly.
#[test]
fn ocsp_unreachable_is_try_later_and_fast() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port(); // nothing listens there
    pki.signer("lonely", Some(port), None, true);
    let pdf = pki.sign("lonely");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "unknown", "{}", v.dump());
    assert_eq!(r["source"], Value::Null, "{}", v.dump());
    let detail = r["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("127.0.0.1:{port}")),
        "the reason names the responder: {}",
        v.dump()
    );
    assert!(v.elapsed < Duration::from_secs(15), "took {:?}", v.elapsed);
}

/// Case 6: The response is signed by a certificate of the intermediate without id-kp-OCSPSigning:
/// not an authorised responder (RFC 6960 §4.2.2.2), so no answer → TRY_LATER.
#[test]
fn ocsp_responder_without_eku_is_not_accepted() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = free_port();
    pki.signer("noeku-signer", Some(port), None, true);
    let pdf = pki.sign("noeku-signer");
    let _r = pki.responder(port, "noeku");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    let r = v.rev0();
    assert_ne!(r["status"], "good", "{}", v.dump());
    assert_ne!(r["source"], "ocsp", "{}", v.dump());
    assert!(
        r["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("OCSPSigning"),
        "{}",
        v.dump()
    );
}

// ---------------------------------------------------------------------------------------------
// CRL over HTTP

/// Case 7: Signers with only a CRL distribution point: kyso downloads the intermediate's CRL.
/// Not listed → good (source "crl"); listed, revoked before signing → REVOKED.
#[test]
fn crl_over_http_good_and_revoked() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = pki.port();
    pki.signer("crl-good", None, Some(port), true);
    pki.signer("crl-revoked", None, Some(port), true);
    pki.revoke("crl-revoked");
    std::thread::sleep(Duration::from_millis(1100));
    let good = pki.sign("crl-good");
    let revoked = pki.sign("crl-revoked");

    let v = pki.verify(&good);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.sig()["sub_indication"], Value::Null, "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "good", "{}", v.dump());
    assert_eq!(r["source"], "crl", "{}", v.dump());
    assert!(pki.crl_hits() >= 1);

    let v = pki.verify(&revoked);
    assert_eq!(v.code, 1, "{}", v.dump());
    assert_eq!(v.sig()["indication"], "TOTAL-FAILED", "{}", v.dump());
    assert_eq!(v.sub(), "REVOKED", "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "revoked", "{}", v.dump());
    assert_eq!(r["source"], "crl", "{}", v.dump());
    assert_eq!(r["reason"], "keyCompromise", "{}", v.dump());
    assert!(
        rfc3339(&r["revocation_time"]) < rfc3339(&v.sig()["signing_time"]),
        "{}",
        v.dump()
    );
    assert!(pki.crl_hits() >= 2);
}

/// Case 8: A CRL whose nextUpdate has passed (`openssl ca -gencrl -crl_lastupdate/-crl_nextupdate`,
/// OpenSSL ≥ 3.0) is not an answer: TRY_LATER, never good. Validation time stays "now", so
/// the certificates' validity is not disturbed (unlike `--at`).
#[test]
fn stale_crl_is_not_good() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = pki.port();
    pki.signer("stale", None, Some(port), true);
    let now = OffsetDateTime::now_utc();
    pki.local.publish_int_crl(
        Some((
            now - time::Duration::hours(3),
            now - time::Duration::hours(1),
        )),
        None,
    );
    let pdf = pki.sign("stale");
    let v = pki.verify(&pdf);
    assert!(pki.crl_hits() >= 1, "the CRL was fetched");
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    assert_ne!(v.rev0()["status"], "good", "{}", v.dump());
    assert!(
        v.sig()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nextUpdate")
            || v.sig()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("thu hồi"),
        "{}",
        v.dump()
    );
}

/// Case 9: A CRL naming the intermediate as issuer but signed by another key (a self-signed
/// certificate with the same name): refused, TRY_LATER, never good.
#[test]
fn crl_signed_by_wrong_key_is_not_good() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = pki.port();
    pki.signer("forged", None, Some(port), true);
    pki.local.lookalike_of_int("fake-int");
    pki.local.publish_int_crl(None, Some("fake-int"));
    let pdf = pki.sign("forged");
    let v = pki.verify(&pdf);
    assert!(pki.crl_hits() >= 1, "the CRL was fetched");
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    assert_ne!(v.rev0()["status"], "good", "{}", v.dump());
}

// ---------------------------------------------------------------------------------------------
// Offline

/// Case 10: `--offline` with a working responder and CRL server: no request is made (the CRL
/// server counts none), TRY_LATER; the same files verify online.
#[test]
fn offline_flag_uses_no_network() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let ocsp_port = free_port();
    let crl_port = pki.port();
    pki.signer("off-ocsp", Some(ocsp_port), None, true);
    pki.signer("off-crl", None, Some(crl_port), true);
    let _r = pki.responder(ocsp_port, "responder");
    let ocsp_pdf = pki.sign("off-ocsp");
    let crl_pdf = pki.sign("off-crl");

    for pdf in [&ocsp_pdf, &crl_pdf] {
        let v = pki.verify_with(kyso_online(), pdf, &["--offline"]);
        assert_eq!(v.code, 3, "{}", v.dump());
        assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
        assert_ne!(v.rev0()["status"], "good", "{}", v.dump());
        // KYSO_OFFLINE=1 (what kyso() sets) means the same.
        let v = pki.verify_with(kyso(), pdf, &[]);
        assert_eq!(v.code, 3, "{}", v.dump());
        assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    }
    assert_eq!(
        pki.local.total_hits(),
        0,
        "offline, yet the CRL server was asked"
    );

    // Both were reachable all along.
    let v = pki.verify(&ocsp_pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["source"], "ocsp", "{}", v.dump());
    let v = pki.verify(&crl_pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["source"], "crl", "{}", v.dump());
    assert!(pki.crl_hits() >= 1);
}

// ---------------------------------------------------------------------------------------------
// Both OCSP and CRL; what the report says when a CRL cannot be used

/// A signer with both an OCSP URL and a CRL distribution point (as Vietnamese CAs issue them):
/// the responder is down, the CRL is served. The CRL is a usable answer, so the signature
/// should pass with source "crl".
#[test]
fn ocsp_down_falls_back_to_crl() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let ocsp_port = free_port(); // nothing listens there
    let crl_port = pki.port();
    pki.signer("both", Some(ocsp_port), Some(crl_port), true);
    let pdf = pki.sign("both");
    let v = pki.verify(&pdf);
    assert!(pki.crl_hits() >= 1, "the CRL was not fetched: {}", v.dump());
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["status"], "good", "{}", v.dump());
    assert_eq!(v.rev0()["source"], "crl", "{}", v.dump());
}

/// With both URLs and a working responder, OCSP answers and the CRL is not downloaded.
#[test]
fn ocsp_preferred_when_both_are_given() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let ocsp_port = free_port();
    let crl_port = pki.port();
    pki.signer("both-up", Some(ocsp_port), Some(crl_port), true);
    let _r = pki.responder(ocsp_port, "responder");
    let pdf = pki.sign("both-up");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["status"], "good", "{}", v.dump());
    assert_eq!(v.rev0()["source"], "ocsp", "{}", v.dump());
    assert_eq!(pki.crl_hits(), 0);
}

/// README: `revocation` lists "per certificate of the path" its status and `detail`. When the
/// downloaded CRL cannot be used (stale, or signed by another key) the report should still
/// say, for the signer, that no usable answer was found and why.
#[test]
fn unusable_crl_is_listed_in_revocation() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let port = pki.port();
    pki.signer("unusable", None, Some(port), true);
    let now = OffsetDateTime::now_utc();
    pki.local.publish_int_crl(
        Some((
            now - time::Duration::hours(3),
            now - time::Duration::hours(1),
        )),
        None,
    );
    let pdf = pki.sign("unusable");
    let v = pki.verify(&pdf);
    assert_eq!(v.sub(), "TRY_LATER", "{}", v.dump());
    let r = v.rev0();
    assert!(
        r["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("(unusable)"),
        "{}",
        v.dump()
    );
    assert_ne!(r["status"], "good", "{}", v.dump());
    assert!(
        r["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{}",
        v.dump()
    );
}

// ---------------------------------------------------------------------------------------------
// Path building online

/// RFC 5280 §4.2.2.1: a signer whose .p12 lacks the intermediate; kyso fetches it from the
/// caIssuers URL of the signer's AIA. Offline, no chain can be built.
#[test]
fn missing_intermediate_is_fetched_from_ca_issuers() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    // Only the signer's own certificate in the .p12: no chain; the intermediate is served
    // at /int.crt (DER).
    let options = SignerOptions {
        urls: Urls {
            ca_issuers: Some(pki.local.url("/int.crt")),
            ..Urls::default()
        },
        in_db: false,
        chain: false,
    };
    pki.local
        .signer_with("aia", "Người ký không kèm chuỗi", 30, &options);
    let pdf = pki.sign("aia");

    let v = pki.verify_with(kyso_online(), &pdf, &["--revocation", "off"]);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(
        v.sig()["certificates"].as_array().unwrap().len(),
        3,
        "{}",
        v.dump()
    );
    assert!(pki.local.hits("/int.crt") >= 1);

    let v = pki.verify_with(kyso(), &pdf, &["--revocation", "off"]);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert_eq!(v.sub(), "NO_CERTIFICATE_CHAIN_FOUND", "{}", v.dump());
}

/// Case: the signer's certificate names an OCSP responder and a CRL point on a tarpit (accepts,
/// never answers). Verification stays inside its network budget (`--network-deadline 3`), the
/// result is INDETERMINATE, and the report lists every URL contacted.
#[test]
fn tarpit_urls_stay_within_the_network_budget_and_are_listed() {
    if !have_openssl() {
        return;
    }
    let tarpit = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = tarpit.local_addr().unwrap().port();
    // Accept and hold every connection without a byte in reply.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in tarpit.incoming().take(64).flatten() {
            held.push(s);
        }
    });
    let pki = Pki::new();
    pki.signer("tarpit", Some(port), Some(port), true);
    let pdf = pki.sign("tarpit");
    let v = pki.verify_with(kyso_online(), &pdf, &["--network-deadline", "3"]);
    assert_eq!(v.code, 3, "{}", v.dump());
    assert!(
        v.elapsed < Duration::from_secs(12),
        "took {:?} with a 3 s network deadline",
        v.elapsed
    );
    let contacted = v.report["contacted"].as_array().expect("contacted");
    assert!(
        contacted.iter().any(|c| c["url"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("127.0.0.1:{port}"))),
        "{}",
        v.dump()
    );
    // Fewer requests allowed than the chain asks for: the rest are listed as not sent.
    let v = pki.verify_with(
        kyso_online(),
        &pdf,
        &["--max-fetches", "1", "--network-deadline", "2"],
    );
    assert_eq!(v.code, 3, "{}", v.dump());
    let contacted = v.report["contacted"].as_array().expect("contacted");
    assert!(
        contacted
            .iter()
            .any(|c| c["outcome"].as_str().unwrap_or("").starts_with("not sent")),
        "{}",
        v.dump()
    );
    // The text report names them too.
    let o = run(kyso_online()
        .args([
            "verify",
            "--lang",
            "en",
            "--network-deadline",
            "2",
            "--trust",
        ])
        .arg(pki.local.root())
        .arg("--crl")
        .arg(pki.path("root.crl"))
        .arg(&pdf));
    assert!(stdout(&o).contains("Contacted: "), "{}", stdout(&o));
}
