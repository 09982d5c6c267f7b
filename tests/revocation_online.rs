//! Online revocation, end to end: `kyso verify` without KYSO_OFFLINE asks OpenSSL's OCSP
//! responder (`openssl ocsp -index ... -port ...`) and a tiny HTTP/1.0 CRL server, both on
//! 127.0.0.1, about signers of a throw-away PKI made at test time with the `openssl` command
//! line: root CA → intermediate CA (an `openssl ca` database) → signers (RSA 2048,
//! digitalSignature + nonRepudiation) whose AIA names the responder and/or whose CRL
//! distribution point names the CRL server; a delegated responder (id-kp-OCSPSigning) and one
//! without that EKU, both issued by the intermediate.
//!
//! Every wait is bounded: responders must listen within 10 s, each kyso run is killed after
//! 30 s, the CRL server stops after 45 s; children and threads stop on drop.

mod common;
#[path = "support/local_pki.rs"]
mod local_pki;

use common::*;
use local_pki::{ca_time, openssl};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

/// `openssl ca` configuration for the intermediate, plus the extensions of the CA and
/// responder certificates. Signers get their own extension file (their URLs differ).
const CONFIG: &str = "\
[ca]
default_ca = int_ca
[int_ca]
dir = .
database = index.txt
new_certs_dir = newcerts
certificate = int.pem
private_key = int.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 30
default_crl_days = 1
policy = policy_any
unique_subject = no
preserve = yes
email_in_dn = no
copy_extensions = none
crl_extensions = crl_ext
utf8 = yes
string_mask = utf8only
[policy_any]
countryName = optional
organizationName = optional
commonName = supplied
[crl_ext]
authorityKeyIdentifier = keyid:always
[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
[dn]
CN = unused
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ocsp_responder]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[no_eku_responder]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

const ROOT_SUBJECT: &str = "/C=VN/O=Bộ Thử Nghiệm/CN=Root CA Thử Nghiệm Trực Tuyến";
const INT_SUBJECT: &str = "/C=VN/O=Bộ Thử Nghiệm/CN=CA Trung Gian Thử Nghiệm";

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

/// The throw-away PKI in a temporary directory.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("openssl.cnf"), CONFIG).unwrap();
        std::fs::create_dir(d.join("newcerts")).unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("index.txt.attr"), "unique_subject = no\n").unwrap();
        std::fs::write(d.join("serial"), "1000\n").unwrap();
        std::fs::write(d.join("crlnumber"), "01\n").unwrap();
        #[rustfmt::skip]
        openssl(d, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key",
            "-out", "root.pem", "-subj", ROOT_SUBJECT, "-utf8", "-days", "30",
            "-config", "openssl.cnf", "-extensions", "v3_root"]);
        #[rustfmt::skip]
        openssl(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "int.key",
            "-out", "int.csr", "-subj", INT_SUBJECT, "-utf8", "-config", "openssl.cnf"]);
        #[rustfmt::skip]
        openssl(d, &["x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key",
            "-set_serial", "0x0100", "-days", "30", "-extfile", "openssl.cnf",
            "-extensions", "v3_int", "-out", "int.pem"]);
        let pki = Pki { dir };
        pki.responder_cert(
            "responder",
            "/C=VN/CN=OCSP Responder Thử Nghiệm",
            "ocsp_responder",
            "0x5001",
        );
        pki.responder_cert(
            "noeku",
            "/C=VN/CN=Không Phải OCSP Responder",
            "no_eku_responder",
            "0x5002",
        );
        // The root's CRL (empty: the intermediate is not revoked), given to every verification:
        // a CA certificate whose revocation status is unknown makes the result INDETERMINATE
        // (ETSI EN 319 102-1), and these tests are about the signer's status.
        let root_crl = pki.crl("root.key", "root.pem", None);
        std::fs::write(pki.path("root.crl"), root_crl).unwrap();
        pki
    }

    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    /// A responder certificate (P-256) issued by the intermediate, outside its database.
    fn responder_cert(&self, name: &str, subj: &str, ext: &str, serial: &str) {
        let d = self.dir.path();
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        #[rustfmt::skip]
        openssl(d, &["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", &key, "-out", &csr, "-subj", subj, "-utf8",
            "-config", "openssl.cnf"]);
        #[rustfmt::skip]
        openssl(d, &["x509", "-req", "-in", &csr, "-CA", "int.pem", "-CAkey", "int.key",
            "-set_serial", serial, "-days", "30", "-extfile", "openssl.cnf",
            "-extensions", ext, "-out", &pem]);
    }

    /// A signer `{name}.p12` (empty password, with the intermediate) whose AIA names the OCSP
    /// responder on `ocsp_port` and/or whose CRL distribution point is
    /// `http://127.0.0.1:{crl_port}/int.crl`. `in_db`: issued through the intermediate's
    /// `openssl ca` database (so the responder knows it); otherwise unknown to the responder.
    fn signer(&self, name: &str, ocsp_port: Option<u16>, crl_port: Option<u16>, in_db: bool) {
        let d = self.dir.path();
        let mut ext = String::from(
            "[leaf]\n\
             basicConstraints = critical,CA:FALSE\n\
             keyUsage = critical,digitalSignature,nonRepudiation\n\
             subjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid:always\n",
        );
        if let Some(p) = ocsp_port {
            ext += &format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{p}/\n");
        }
        if let Some(p) = crl_port {
            ext += &format!("crlDistributionPoints = URI:http://127.0.0.1:{p}/int.crl\n");
        }
        let extfile = format!("{name}.ext");
        std::fs::write(d.join(&extfile), ext).unwrap();
        let (key, csr, pem, p12) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.p12"),
        );
        let subj = format!("/C=VN/O=Bộ Thử Nghiệm/CN=Nguyễn Văn An ({name})");
        #[rustfmt::skip]
        openssl(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &key,
            "-out", &csr, "-subj", &subj, "-utf8", "-config", "openssl.cnf"]);
        if in_db {
            #[rustfmt::skip]
            openssl(d, &["ca", "-batch", "-config", "openssl.cnf", "-notext", "-in", &csr,
                "-out", &pem, "-days", "30", "-extfile", &extfile, "-extensions", "leaf"]);
        } else {
            #[rustfmt::skip]
            openssl(d, &["x509", "-req", "-in", &csr, "-CA", "int.pem", "-CAkey", "int.key",
                "-set_serial", "0x7777", "-days", "30", "-extfile", &extfile,
                "-extensions", "leaf", "-out", &pem]);
        }
        #[rustfmt::skip]
        openssl(d, &["pkcs12", "-export", "-inkey", &key, "-in", &pem, "-certfile", "int.pem",
            "-name", name, "-passout", "pass:", "-out", &p12]);
    }

    /// Marks `{name}.pem` revoked (keyCompromise, now) in the intermediate's index.txt.
    fn revoke(&self, name: &str) {
        let pem = format!("{name}.pem");
        #[rustfmt::skip]
        openssl(self.dir.path(), &["ca", "-config", "openssl.cnf", "-revoke", &pem,
            "-crl_reason", "keyCompromise"]);
    }

    /// The intermediate's CRL from its database, DER, signed with `key`/`cert`
    /// (`int.key`/`int.pem` normally); `dates`: lastUpdate/nextUpdate instead of now/+1 day.
    fn crl(
        &self,
        key: &str,
        cert: &str,
        dates: Option<(OffsetDateTime, OffsetDateTime)>,
    ) -> Vec<u8> {
        let d = self.dir.path();
        let (last, next) = dates
            .map(|(l, n)| (ca_time(l), ca_time(n)))
            .unwrap_or_default();
        let mut args = vec![
            "ca",
            "-config",
            "openssl.cnf",
            "-gencrl",
            "-keyfile",
            key,
            "-cert",
            cert,
            "-out",
            "crl.pem",
        ];
        if dates.is_some() {
            args.extend(["-crl_lastupdate", &last, "-crl_nextupdate", &next]);
        }
        openssl(d, &args);
        #[rustfmt::skip]
        openssl(d, &["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"]);
        std::fs::read(d.join("crl.der")).unwrap()
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
            self.dir.path(),
            KYSO_LIMIT,
        );
        assert_eq!(code, 0, "kyso sign with {name}.p12 failed: {err}");
        out
    }

    /// `kyso verify PDF --json --trust root.pem` plus `extra`, run by `cmd`.
    fn verify_with(&self, mut cmd: Command, pdf: &Path, extra: &[&str]) -> Verdict {
        cmd.arg("verify")
            .arg(pdf)
            .arg("--json")
            .arg("--trust")
            .arg(self.path("root.pem"))
            .arg("--crl")
            .arg(self.path("root.crl"))
            .args(extra);
        let (code, out, err, elapsed) = run_bounded(&mut cmd, self.dir.path(), KYSO_LIMIT);
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

    /// Starts `openssl ocsp` on `port` for the intermediate's index, signing with
    /// `{signer}.pem`/`{signer}.key`.
    fn responder(&self, port: u16, signer: &str) -> Responder {
        let d = self.dir.path();
        let log_path = d.join(format!("responder-{port}-{signer}.log"));
        let log = File::create(&log_path).unwrap();
        let (rsigner, rkey) = (format!("{signer}.pem"), format!("{signer}.key"));
        let port_s = port.to_string();
        // OpenSSL 3.0 takes a port number only (it listens on every address).
        #[rustfmt::skip]
        let args = ["ocsp", "-index", "index.txt", "-port", &port_s, "-rsigner", &rsigner,
            "-rkey", &rkey, "-CA", "int.pem", "-nmin", "60"];
        let child = Command::new("openssl")
            .current_dir(d)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start openssl ocsp");
        let mut r = Responder { child };
        r.wait_ready(&log_path, port);
        r
    }
}

/// A running `openssl ocsp` responder, killed on drop.
struct Responder {
    child: Child,
}

impl Responder {
    /// Waits until it listens: OpenSSL 3.0's responder logs `ACCEPT ...:PORT` then. (Not by
    /// connecting: it serves one connection at a time and stalls on one closed without a
    /// request.)
    fn wait_ready(&mut self, log: &Path, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!("openssl ocsp exited ({st}): {text}");
            }
            if text.contains("ACCEPT") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "openssl ocsp did not listen on port {port} within 10 s: {text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny HTTP/1.0 server on 127.0.0.1 answering `GET /int.crl` with a CRL (404 otherwise),
/// one connection at a time; it counts the requests and stops on drop or after 45 s.
struct CrlServer {
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl CrlServer {
    fn start(listener: TcpListener, crl: Vec<u8>) -> CrlServer {
        CrlServer::start_files(listener, vec![("/int.crl".to_string(), crl)])
    }

    /// Serves each (path, body) pair; 404 for anything else.
    fn start_files(listener: TcpListener, files: Vec<(String, Vec<u8>)>) -> CrlServer {
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let (st, h) = (stop.clone(), hits.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(45);
            while !st.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((s, _)) => {
                        h.fetch_add(1, Ordering::SeqCst);
                        serve(s, &files);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(_) => break,
                }
            }
        });
        CrlServer {
            stop,
            hits,
            thread: Some(thread),
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for CrlServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut s: TcpStream, files: &[(String, Vec<u8>)]) {
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
    let found = files.iter().find(|(p, _)| method == "GET" && p == path);
    let (status, ctype, body): (&str, &str, &[u8]) = match found {
        Some((p, b)) if p.ends_with(".crl") => ("200 OK", "application/pkix-crl", b),
        Some((_, b)) => ("200 OK", "application/pkix-cert", b),
        None => ("404 Not Found", "text/plain", b"not found"),
    };
    let head = format!(
        "HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let _ = s.flush();
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    pki.signer("crl-good", None, Some(port), true);
    pki.signer("crl-revoked", None, Some(port), true);
    pki.revoke("crl-revoked");
    let crl = pki.crl("int.key", "int.pem", None);
    let server = CrlServer::start(listener, crl);
    std::thread::sleep(Duration::from_millis(1100));
    let good = pki.sign("crl-good");
    let revoked = pki.sign("crl-revoked");

    let v = pki.verify(&good);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.sig()["sub_indication"], Value::Null, "{}", v.dump());
    let r = v.rev0();
    assert_eq!(r["status"], "good", "{}", v.dump());
    assert_eq!(r["source"], "crl", "{}", v.dump());
    assert!(server.hits() >= 1);

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
    assert!(server.hits() >= 2);
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    pki.signer("stale", None, Some(port), true);
    let now = OffsetDateTime::now_utc();
    let crl = pki.crl(
        "int.key",
        "int.pem",
        Some((
            now - time::Duration::hours(3),
            now - time::Duration::hours(1),
        )),
    );
    let server = CrlServer::start(listener, crl);
    let pdf = pki.sign("stale");
    let v = pki.verify(&pdf);
    assert!(server.hits() >= 1, "the CRL was fetched");
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    pki.signer("forged", None, Some(port), true);
    #[rustfmt::skip]
    openssl(pki.dir.path(), &["req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", "fake-int.key", "-out", "fake-int.pem", "-subj", INT_SUBJECT, "-utf8",
        "-days", "30", "-config", "openssl.cnf", "-extensions", "v3_int"]);
    let crl = pki.crl("fake-int.key", "fake-int.pem", None);
    let server = CrlServer::start(listener, crl);
    let pdf = pki.sign("forged");
    let v = pki.verify(&pdf);
    assert!(server.hits() >= 1, "the CRL was fetched");
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let crl_port = listener.local_addr().unwrap().port();
    pki.signer("off-ocsp", Some(ocsp_port), None, true);
    pki.signer("off-crl", None, Some(crl_port), true);
    let crl = pki.crl("int.key", "int.pem", None);
    let server = CrlServer::start(listener, crl);
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
    assert_eq!(server.hits(), 0, "offline, yet the CRL server was asked");

    // Both were reachable all along.
    let v = pki.verify(&ocsp_pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["source"], "ocsp", "{}", v.dump());
    let v = pki.verify(&crl_pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["source"], "crl", "{}", v.dump());
    assert!(server.hits() >= 1);
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let crl_port = listener.local_addr().unwrap().port();
    pki.signer("both", Some(ocsp_port), Some(crl_port), true);
    let crl = pki.crl("int.key", "int.pem", None);
    let server = CrlServer::start(listener, crl);
    let pdf = pki.sign("both");
    let v = pki.verify(&pdf);
    assert!(server.hits() >= 1, "the CRL was not fetched: {}", v.dump());
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let crl_port = listener.local_addr().unwrap().port();
    pki.signer("both-up", Some(ocsp_port), Some(crl_port), true);
    let crl = pki.crl("int.key", "int.pem", None);
    let server = CrlServer::start(listener, crl);
    let _r = pki.responder(ocsp_port, "responder");
    let pdf = pki.sign("both-up");
    let v = pki.verify(&pdf);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(v.rev0()["status"], "good", "{}", v.dump());
    assert_eq!(v.rev0()["source"], "ocsp", "{}", v.dump());
    assert_eq!(server.hits(), 0);
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
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    pki.signer("unusable", None, Some(port), true);
    let now = OffsetDateTime::now_utc();
    let crl = pki.crl(
        "int.key",
        "int.pem",
        Some((
            now - time::Duration::hours(3),
            now - time::Duration::hours(1),
        )),
    );
    let _server = CrlServer::start(listener, crl);
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
    let d = pki.dir.path();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::fs::write(
        d.join("aia.ext"),
        format!(
            "[leaf]\nbasicConstraints = critical,CA:FALSE\n\
             keyUsage = critical,digitalSignature,nonRepudiation\n\
             authorityInfoAccess = caIssuers;URI:http://127.0.0.1:{port}/int.crt\n"
        ),
    )
    .unwrap();
    #[rustfmt::skip]
    openssl(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "aia.key",
        "-out", "aia.csr", "-subj", "/C=VN/CN=Người ký không kèm chuỗi", "-utf8",
        "-config", "openssl.cnf"]);
    #[rustfmt::skip]
    openssl(d, &["x509", "-req", "-in", "aia.csr", "-CA", "int.pem", "-CAkey", "int.key",
        "-set_serial", "0x7788", "-days", "30", "-extfile", "aia.ext", "-extensions", "leaf",
        "-out", "aia.pem"]);
    // Only the signer's own certificate in the .p12: no chain.
    #[rustfmt::skip]
    openssl(d, &["pkcs12", "-export", "-inkey", "aia.key", "-in", "aia.pem", "-name", "aia",
        "-passout", "pass:", "-out", "aia.p12"]);
    #[rustfmt::skip]
    openssl(d, &["x509", "-in", "int.pem", "-outform", "DER", "-out", "int.der"]);
    let server = CrlServer::start_files(
        listener,
        vec![(
            "/int.crt".to_string(),
            std::fs::read(d.join("int.der")).unwrap(),
        )],
    );
    let pdf = pki.sign("aia");

    let v = pki.verify_with(kyso_online(), &pdf, &["--revocation", "off"]);
    assert_eq!(v.code, 0, "{}", v.dump());
    assert_eq!(
        v.sig()["certificates"].as_array().unwrap().len(),
        3,
        "{}",
        v.dump()
    );
    assert!(server.hits() >= 1);

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
        .arg(pki.path("root.pem"))
        .arg("--crl")
        .arg(pki.path("root.crl"))
        .arg(&pdf));
    assert!(stdout(&o).contains("Contacted: "), "{}", stdout(&o));
}
