//! OCSP (RFC 6960) against OpenSSL's responder (`openssl ocsp -index ... -port ...`) on
//! 127.0.0.1, with a throw-away PKI of kyso-testpki (the `openssl` command line in a temporary
//! directory), and a tiny HTTP server for the GET fallback and replayed responses.
//!
//! Every wait is bounded: responders must accept within 10 s, the mini server stops after 45 s,
//! client timeouts are 5 s (2 s for the unreachable case).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kyso::crypto::DigestAlgorithm;
use kyso::error::Error;
use kyso::pki::ocsp::{
    check_ocsp, check_ocsp_with, fetch_ocsp, ocsp_urls, CertId, OcspFailure, OcspOptions,
    OcspRequest, OcspResponse, OcspStatus, ResponderId, RevocationReason,
};
use kyso::pki::Certificate;
use kyso::request::{HttpClient, Offline, UreqClient};
use kyso_testpki::local::OcspProcess;
use kyso_testpki::{IndexStatus, Key};
use time::OffsetDateTime;

const CA_SUBJECT: &str = "/C=VN/O=Bộ Thử Nghiệm/CN=CA Thử Nghiệm OCSP";
/// Revocation time written in index.txt.
const REVOKED_AT_TIME: OffsetDateTime = time::macros::datetime!(2025-03-01 02:03:04 UTC);

const CA_EXT: &str = "basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";
const OCSP_SIGNER_EXT: &str = "basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";
const NO_EKU_SIGNER_EXT: &str = "basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
";

fn openssl(dir: &Path, args: &[&str]) {
    kyso_testpki::openssl(dir, args);
}

fn load(path: &Path) -> Certificate {
    let data = std::fs::read(path).unwrap();
    Certificate::parse_pem_or_der(&data).unwrap().remove(0)
}

/// A free TCP port on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}

fn client() -> UreqClient {
    UreqClient::with_limits(Duration::from_secs(5), 1 << 20).without_proxy()
}

fn kind(e: &Error) -> Option<OcspFailure> {
    match e {
        Error::Ocsp { kind, .. } => Some(*kind),
        _ => None,
    }
}

/// The throw-away PKI (kyso-testpki): a CA (RSA), responders (P-256), end-entity certificates
/// whose AIA names `http://127.0.0.1:{aia_port}/`, and the responder's index.txt.
struct Pki {
    tp: kyso_testpki::Pki,
    ca: Certificate,
    /// Serial 0x1001, listed valid.
    good: Certificate,
    /// Serial 0x1002, revoked (keyCompromise).
    revoked: Certificate,
    /// Serial 0x1003, not in the index.
    unknown: Certificate,
}

impl Pki {
    fn new(aia_port: u16) -> Pki {
        let tp = kyso_testpki::Pki::new();
        let ca = tp.root_ext("ca", Key::Rsa2048, CA_SUBJECT, CA_EXT);
        let leaf_ext = format!(
            "basicConstraints = critical,CA:FALSE\n\
keyUsage = critical,digitalSignature,nonRepudiation\n\
authorityInfoAccess = caIssuers;URI:http://127.0.0.1:{aia_port}/ca.cer,OCSP;URI:http://127.0.0.1:{aia_port}/\n"
        );
        let issue = |name: &str, subj: &str, ext: &str, serial: u32| {
            tp.issue_ext(name, Key::P256, subj, &ca, ext, serial)
        };
        let good = issue("good", "/C=VN/CN=Nguyễn Văn An", &leaf_ext, 0x1001);
        let revoked = issue("revoked", "/C=VN/CN=Trần Thị Bình", &leaf_ext, 0x1002);
        issue("unknown", "/C=VN/CN=Lê Văn Cường", &leaf_ext, 0x1003);
        issue(
            "responder",
            "/C=VN/CN=OCSP Responder",
            OCSP_SIGNER_EXT,
            0x2001,
        );
        issue(
            "noeku",
            "/C=VN/CN=Not An OCSP Responder",
            NO_EKU_SIGNER_EXT,
            0x2002,
        );
        // A key nobody authorised: self-signed, with id-kp-OCSPSigning.
        tp.root_ext("rogue", Key::P256, "/CN=Rogue OCSP", OCSP_SIGNER_EXT);
        // A CA with the same name as the real one but another key, and a responder it issued.
        let fakeca = tp.root_ext("fakeca", Key::P256, CA_SUBJECT, CA_EXT);
        tp.issue_ext(
            "fakeresp",
            Key::P256,
            "/C=VN/CN=OCSP Responder",
            &fakeca,
            OCSP_SIGNER_EXT,
            0x2003,
        );
        let revoked_status = IndexStatus::Revoked {
            at: REVOKED_AT_TIME,
            reason: "keyCompromise",
        };
        tp.ocsp_index(&[(&good, IndexStatus::Valid), (&revoked, revoked_status)]);
        Pki {
            ca: load(&tp.path("ca.pem")),
            good: load(&tp.path("good.pem")),
            revoked: load(&tp.path("revoked.pem")),
            unknown: load(&tp.path("unknown.pem")),
            tp,
        }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.tp.path(f)
    }

    /// Starts `openssl ocsp` on `port`, signing with `signer` (`{signer}.pem`, `{signer}.key`).
    fn responder(&self, port: u16, signer: &str, extra: &[&str]) -> Responder {
        let (ca, signer) = (self.tp.load("ca"), self.tp.load(signer));
        self.tp.ocsp_process(port, &ca, &signer, extra)
    }
}

/// A running `openssl ocsp` responder (kyso-testpki), killed on drop.
type Responder = OcspProcess;

/// What the mini HTTP server does.
#[derive(Clone)]
enum Mode {
    /// POST → 405; GET → forwarded to the responder on this port.
    GetOnlyProxy(u16),
    /// Any request → 200 with these bytes.
    Canned(Vec<u8>),
    /// Any request → 302 to the same URL, forever.
    RedirectLoop,
}

/// A tiny HTTP/1.0-style server on 127.0.0.1 (one connection at a time, `Connection: close`).
struct MiniServer {
    port: u16,
    stop: Arc<AtomicBool>,
    posts: Arc<AtomicUsize>,
    gets: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// Reads one HTTP message: the head (up to the blank line) and a body of Content-Length bytes
/// (or up to EOF when absent and `to_eof`).
fn read_message(s: &mut TcpStream, to_eof: bool) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(std::io::Error::other("head too large"));
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed in head"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut body = buf[head_end..].to_vec();
    let len = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    match len {
        Some(n) => {
            while body.len() < n {
                let k = s.read(&mut chunk)?;
                if k == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..k]);
            }
            body.truncate(n);
        }
        None if to_eof => {
            s.read_to_end(&mut body)?;
        }
        None => {}
    }
    Ok((head, body))
}

fn respond(s: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let _ = s.flush();
}

fn forward_get(path: &str, upstream: u16) -> std::io::Result<(String, Vec<u8>)> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, upstream));
    let mut u = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    u.set_read_timeout(Some(Duration::from_secs(5)))?;
    u.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        u,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{upstream}\r\n\r\n"
    )?;
    let (head, body) = read_message(&mut u, true)?;
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("502")
        .to_string();
    Ok((status, body))
}

fn handle(mut s: TcpStream, mode: &Mode, posts: &AtomicUsize, gets: &AtomicUsize) {
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok((head, _body)) = read_message(&mut s, false) else {
        return;
    };
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or("/"));
    match method {
        "POST" => posts.fetch_add(1, Ordering::SeqCst),
        "GET" => gets.fetch_add(1, Ordering::SeqCst),
        _ => 0,
    };
    match (mode, method) {
        (Mode::Canned(bytes), _) => respond(&mut s, "200 OK", "application/ocsp-response", bytes),
        (Mode::RedirectLoop, _) => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = s.write_all(head.as_bytes());
        }
        (Mode::GetOnlyProxy(_), "POST") => {
            respond(&mut s, "405 Method Not Allowed", "text/plain", b"GET only")
        }
        (Mode::GetOnlyProxy(up), "GET") => match forward_get(path, *up) {
            Ok((status, body)) if status == "200" => {
                respond(&mut s, "200 OK", "application/ocsp-response", &body)
            }
            Ok((status, _)) => respond(&mut s, &format!("{status} Upstream"), "text/plain", b""),
            Err(e) => respond(
                &mut s,
                "502 Bad Gateway",
                "text/plain",
                e.to_string().as_bytes(),
            ),
        },
        _ => respond(&mut s, "400 Bad Request", "text/plain", b""),
    }
}

impl MiniServer {
    fn start(listener: TcpListener, mode: Mode) -> MiniServer {
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let posts = Arc::new(AtomicUsize::new(0));
        let gets = Arc::new(AtomicUsize::new(0));
        let (st, p, g) = (stop.clone(), posts.clone(), gets.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(45);
            while !st.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((s, _)) => handle(s, &mode, &p, &g),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(_) => break,
                }
            }
        });
        MiniServer {
            port,
            stop,
            posts,
            gets,
            thread: Some(thread),
        }
    }
}

impl Drop for MiniServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn requests_match_openssl() {
    let port = free_port();
    let pki = Pki::new(port);
    let d = pki.tp.dir.path();
    assert_eq!(
        ocsp_urls(&pki.good).unwrap(),
        vec![format!("http://127.0.0.1:{port}/")]
    );
    assert!(ocsp_urls(&pki.ca).unwrap().is_empty());
    // SHA-1 CertID, no nonce: byte for byte what `openssl ocsp -reqout` writes.
    #[rustfmt::skip]
    openssl(d, &["ocsp", "-issuer", "ca.pem", "-cert", "good.pem", "-no_nonce",
        "-reqout", "req-sha1.der"]);
    let ours = OcspRequest::new(&pki.good, &pki.ca, false).unwrap();
    assert_eq!(ours.der, std::fs::read(pki.path("req-sha1.der")).unwrap());
    // SHA-256 CertID likewise.
    #[rustfmt::skip]
    openssl(d, &["ocsp", "-sha256", "-issuer", "ca.pem", "-cert", "revoked.pem", "-no_nonce",
        "-reqout", "req-sha256.der"]);
    let id = CertId::with_digest(&pki.revoked, &pki.ca, DigestAlgorithm::Sha256).unwrap();
    let ours256 = OcspRequest::from_cert_id(id, None);
    assert_eq!(
        ours256.der,
        std::fs::read(pki.path("req-sha256.der")).unwrap()
    );
    // With a nonce: OpenSSL reads it and sees the nonce extension.
    let with_nonce = OcspRequest::new(&pki.good, &pki.ca, true).unwrap();
    std::fs::write(pki.path("ours.der"), &with_nonce.der).unwrap();
    let out = Command::new("openssl")
        .current_dir(d)
        .args(["ocsp", "-reqin", "ours.der", "-req_text", "-noverify"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("OCSP Nonce"), "{text}");
    let hex: String = with_nonce.nonce.as_ref().unwrap()[..8]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(
        text.replace(':', "").to_uppercase().contains(&hex),
        "{text}"
    );
    assert!(text.contains("Serial Number: 1001"), "{text}");
}

#[test]
fn good_revoked_unknown_via_delegated_responder() {
    let port = free_port();
    let pki = Pki::new(port);
    let _r = pki.responder(port, "responder", &["-nmin", "60"]);
    let c = client();
    let t = now();

    let good = check_ocsp(&pki.good, &pki.ca, &c, t).unwrap();
    assert_eq!(good.status, OcspStatus::Good);
    assert!(good.delegated);
    assert_eq!(good.responder, "CN=OCSP Responder,C=VN");
    let nu = good.next_update.expect("nextUpdate from -nmin");
    assert!(nu > t + time::Duration::minutes(50) && nu < t + time::Duration::minutes(70));
    assert!(good.this_update <= t + time::Duration::minutes(1));
    assert!((good.produced_at - t).abs() < time::Duration::minutes(2));
    // The DER can be stored (DSS) and judged again offline.
    let again = OcspResponse::parse(&good.response_der).unwrap();
    assert_eq!(
        again.status_for(&pki.good, &pki.ca, t).unwrap().status,
        OcspStatus::Good
    );
    assert!(matches!(again.responder_id, ResponderId::ByName(_)));
    assert!(again.nonce.is_some(), "openssl echoes the nonce");

    let revoked = check_ocsp(&pki.revoked, &pki.ca, &c, t).unwrap();
    assert_eq!(
        revoked.status,
        OcspStatus::Revoked {
            time: REVOKED_AT_TIME,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );

    let unknown = check_ocsp(&pki.unknown, &pki.ca, &c, t).unwrap();
    assert_eq!(unknown.status, OcspStatus::Unknown);
}

#[test]
fn ca_signed_response_by_key_id_is_accepted() {
    let port = free_port();
    let pki = Pki::new(port);
    let _r = pki.responder(
        port,
        "ca",
        &["-resp_key_id", "-resp_no_certs", "-ndays", "1"],
    );
    let out = check_ocsp(&pki.revoked, &pki.ca, &client(), now()).unwrap();
    assert!(matches!(out.status, OcspStatus::Revoked { .. }));
    assert!(!out.delegated);
    assert_eq!(out.responder, pki.ca.subject.to_rfc4514());
    let resp = OcspResponse::parse(&out.response_der).unwrap();
    assert!(matches!(resp.responder_id, ResponderId::ByKey(ref h) if h.len() == 20));
    assert!(resp.certs.is_empty());
}

/// Fetches a response for `cert` from the responder, then judges it (nonce sent and checked).
fn fetch_and_judge(
    r: &Responder,
    cert: &Certificate,
    issuer: &Certificate,
) -> kyso::Result<kyso::pki::ocsp::OcspOutcome> {
    let req = OcspRequest::new(cert, issuer, true).unwrap();
    let body = fetch_ocsp(&client(), &r.url(), &req)?;
    OcspResponse::parse(&body)?.status_for_with(
        cert,
        issuer,
        now(),
        &OcspOptions::default(),
        req.nonce.as_deref(),
    )
}

#[test]
fn unauthorised_responders_are_rejected() {
    let pki = Pki::new(free_port());
    for (signer, why) in [
        ("noeku", "lacks the extended key usage id-kp-OCSPSigning"),
        ("rogue", "was not issued by the CA"),
        ("fakeresp", "was not issued by the CA"),
    ] {
        let r = pki.responder(free_port(), signer, &["-nmin", "60"]);
        let e = fetch_and_judge(&r, &pki.good, &pki.ca).unwrap_err();
        assert_eq!(
            kind(&e),
            Some(OcspFailure::UnauthorisedResponder),
            "{signer}: {e}"
        );
        assert!(e.to_string().contains(why), "{signer}: {e}");
    }
    // The rogue key naming itself by key hash, without its certificate: nobody known.
    let r = pki.responder(free_port(), "rogue", &["-resp_key_id", "-resp_no_certs"]);
    let e = fetch_and_judge(&r, &pki.good, &pki.ca).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::UnauthorisedResponder), "{e}");
}

#[test]
fn stale_and_future_responses_are_rejected() {
    let port = free_port();
    let pki = Pki::new(port);
    let _r = pki.responder(port, "responder", &["-ndays", "1"]);
    let c = client();
    let e = check_ocsp(&pki.good, &pki.ca, &c, now() + time::Duration::days(2)).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Stale), "{e}");
    assert!(e.to_string().starts_with("stale OCSP response"), "{e}");
    let e = check_ocsp(&pki.good, &pki.ca, &c, now() - time::Duration::days(1)).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::NotYetValid), "{e}");
    // Within the clock skew: fine.
    let out = check_ocsp(&pki.good, &pki.ca, &c, now() - time::Duration::minutes(2)).unwrap();
    assert_eq!(out.status, OcspStatus::Good);
    // Without nextUpdate, an age limit can be asked for.
    let mut opts = OcspOptions::default();
    opts.max_age_without_next_update = Some(time::Duration::hours(1));
    let port2 = free_port();
    let r2 = pki.responder(port2, "responder", &[]);
    let req = OcspRequest::new(&pki.good, &pki.ca, false).unwrap();
    let resp = OcspResponse::parse(&fetch_ocsp(&c, &r2.url(), &req).unwrap()).unwrap();
    assert_eq!(resp.responses[0].next_update, None);
    let later = now() + time::Duration::hours(3);
    assert!(resp.status_for(&pki.good, &pki.ca, later).is_ok());
    let e = resp
        .status_for_with(&pki.good, &pki.ca, later, &opts, None)
        .unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Stale), "{e}");
}

#[test]
fn unreachable_and_offline_fail_fast() {
    let pki = Pki::new(free_port()); // nothing listens there
    let c = UreqClient::with_limits(Duration::from_secs(2), 1 << 20).without_proxy();
    let t0 = Instant::now();
    let e = check_ocsp(&pki.good, &pki.ca, &c, now()).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Unreachable), "{e}");
    assert!(
        e.to_string()
            .starts_with("OCSP responder unreachable: http://127.0.0.1:"),
        "{e}"
    );
    assert!(e.to_string().contains("connection refused"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());

    let e = check_ocsp(&pki.good, &pki.ca, &Offline, now()).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Unreachable), "{e}");
    assert!(e.to_string().contains("offline"), "{e}");

    // A listener that never answers: the client's timeout bounds the wait.
    let silent = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let url = format!("http://127.0.0.1:{}/", silent.local_addr().unwrap().port());
    let c = UreqClient::with_limits(Duration::from_millis(500), 1 << 20).without_proxy();
    let t0 = Instant::now();
    let req = OcspRequest::new(&pki.good, &pki.ca, true).unwrap();
    let e = fetch_ocsp(&c, &url, &req).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Unreachable), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    assert!(e.to_string().contains("no answer within 0.5 s"), "{e}");
    // Too large, too many redirects.
    let big = MiniServer::start(
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap(),
        Mode::Canned(vec![0x30; 2 << 20]),
    );
    let e = client()
        .get(&format!("http://127.0.0.1:{}/crl", big.port))
        .unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
    let loop_ = MiniServer::start(
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap(),
        Mode::RedirectLoop,
    );
    let e = client()
        .get(&format!("http://127.0.0.1:{}/crl", loop_.port))
        .unwrap_err();
    assert!(e.to_string().contains("more than 3 redirects"), "{e}");
    assert_eq!(loop_.gets.load(Ordering::SeqCst), 4);
    // https is refused clearly.
    let e = c.get("https://127.0.0.1:1/").unwrap_err();
    assert!(e.to_string().contains("https"), "{e}");
}

#[test]
fn get_fallback_when_post_is_refused() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let front = listener.local_addr().unwrap().port();
    let pki = Pki::new(front);
    let back = free_port();
    let _r = pki.responder(back, "responder", &["-nmin", "60"]);
    let server = MiniServer::start(listener, Mode::GetOnlyProxy(back));
    let c = client();
    let out = check_ocsp(&pki.good, &pki.ca, &c, now()).unwrap();
    assert_eq!(out.status, OcspStatus::Good);
    let out = check_ocsp(&pki.revoked, &pki.ca, &c, now()).unwrap();
    assert!(matches!(out.status, OcspStatus::Revoked { .. }));
    assert_eq!(server.posts.load(Ordering::SeqCst), 2);
    assert_eq!(server.gets.load(Ordering::SeqCst), 2);
    assert_eq!(
        ocsp_urls(&pki.good).unwrap()[0],
        format!("http://127.0.0.1:{}/", server.port)
    );
}

#[test]
fn replayed_tampered_and_misdirected_responses() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let front = listener.local_addr().unwrap().port();
    let pki = Pki::new(front);
    let back = free_port();
    let r = pki.responder(back, "responder", &["-nmin", "60"]);
    let c = client();
    let req = OcspRequest::new(&pki.good, &pki.ca, true).unwrap();
    let body = fetch_ocsp(&c, &r.url(), &req).unwrap();

    // Replayed to a later request: the echoed nonce is the old one.
    let _server = MiniServer::start(listener, Mode::Canned(body.clone()));
    let e = check_ocsp(&pki.good, &pki.ca, &c, now()).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::NonceMismatch), "{e}");
    // Without a nonce sent, the same bytes are fine.
    let mut opts = OcspOptions::default();
    opts.send_nonce = false;
    let out = check_ocsp_with(&pki.good, &pki.ca, &c, now(), &opts).unwrap();
    assert_eq!(out.status, OcspStatus::Good);

    let resp = OcspResponse::parse(&body).unwrap();
    // About another certificate.
    let e = resp.status_for(&pki.revoked, &pki.ca, now()).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::CertIdMismatch), "{e}");
    // A flipped bit in tbsResponseData (the status): the signature no longer verifies.
    let mut forged = resp.clone();
    let n = forged.tbs_der.len() - 10;
    forged.tbs_der[n] ^= 0x01;
    let e = forged.status_for(&pki.good, &pki.ca, now()).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::BadSignature), "{e}");
    // Garbage from a "responder".
    let e = OcspResponse::parse(&body[..body.len() - 3]).unwrap_err();
    assert_eq!(kind(&e), Some(OcspFailure::Malformed), "{e}");
}
