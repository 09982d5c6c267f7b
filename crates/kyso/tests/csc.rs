//! Remote signing through a Cloud Signature Consortium API v1 service: a small CSC-shaped
//! server on 127.0.0.1 (one thread, HTTP/1.1 with Content-Length, one request per connection)
//! signs hashes with the fixture keys through aws-lc-rs.
//!
//! Every wait is bounded: the server stops when its test ends or after 30 s, and reads time out
//! after 5 s.

use base64ct::{Base64, Encoding};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{self as awsd, Digest};
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, RsaEncoding, RsaKeyPair};
use kyso::error::Error;
use kyso::pki::Certificate;
use kyso::sign::csc::{AuthRequest, AuthSecrets, CscClient, CscFailure, CscSigner};
use kyso::sign::{sign_bytes, sign_file, SignOptions};
use kyso::verify::{verify_bytes, VerifyOptions};
use serde_json::{json, Value};

const TOKEN: &str = "tok-123";
const CREDENTIAL: &str = "cred-1";
const PIN: &str = "123456";
const OTP: &str = "654321";
const SERVER_LIFETIME: Duration = Duration::from_secs(30);

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn pem_body(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(pem.to_vec()).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    Base64::decode_vec(&b64).expect("PEM base64")
}

fn certs(rel: &str) -> Vec<Certificate> {
    Certificate::parse_pem_or_der(&read(rel)).unwrap()
}

enum Key {
    Rsa(RsaKeyPair),
    /// Answers in raw r‖s, as some services do.
    EcRaw(EcdsaKeyPair),
}

impl Key {
    fn load(name: &str) -> Key {
        let der = pem_body(&read(&format!("pki/{name}.key.pem")));
        match RsaKeyPair::from_pkcs8(&der) {
            Ok(k) => Key::Rsa(k),
            Err(_) => Key::EcRaw(
                EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                    .expect("P-256 key"),
            ),
        }
    }

    /// Signs a hash the way a CSC service does; None for an algorithm it does not offer.
    fn sign_hash(
        &self,
        hash: &[u8],
        hash_algo: &str,
        sign_algo: &str,
        params: Option<&str>,
    ) -> Option<Vec<u8>> {
        let (alg, pkcs1, pss): (
            &'static awsd::Algorithm,
            &'static dyn RsaEncoding,
            &'static dyn RsaEncoding,
        ) = match hash_algo {
            "2.16.840.1.101.3.4.2.1" => {
                (&awsd::SHA256, &sig::RSA_PKCS1_SHA256, &sig::RSA_PSS_SHA256)
            }
            "2.16.840.1.101.3.4.2.2" => {
                (&awsd::SHA384, &sig::RSA_PKCS1_SHA384, &sig::RSA_PSS_SHA384)
            }
            "2.16.840.1.101.3.4.2.3" => {
                (&awsd::SHA512, &sig::RSA_PKCS1_SHA512, &sig::RSA_PSS_SHA512)
            }
            _ => return None,
        };
        let digest = Digest::import_less_safe(hash, alg).ok()?;
        match self {
            Key::Rsa(k) => {
                let encoding = match (sign_algo, params) {
                    ("1.2.840.113549.1.1.1", None) => pkcs1,
                    ("1.2.840.113549.1.1.10", Some(_)) => pss,
                    _ => return None,
                };
                let mut out = vec![0; k.public_modulus_len()];
                k.sign_digest(encoding, &digest, &mut out).ok()?;
                Some(out)
            }
            Key::EcRaw(k) if sign_algo == "1.2.840.10045.4.3.2" => {
                Some(k.sign_digest(&digest).ok()?.as_ref().to_vec())
            }
            Key::EcRaw(_) => None,
        }
    }
}

#[derive(Clone, Copy)]
struct Config {
    /// The certificate `credentials/info` returns (fixtures/pki/NAME.pem).
    cert: &'static str,
    /// The key signatures/signHash signs with (fixtures/pki/NAME.key.pem).
    key: &'static str,
    /// Explicit mode with an online OTP besides the PIN.
    otp: bool,
}

#[derive(Default)]
struct State {
    /// (endpoint, request body) in arrival order.
    log: Vec<(String, Value)>,
    otp_sent: bool,
    sad: Option<String>,
}

struct Server {
    base: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Server {
    fn start(config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}/csc/v1", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let key = Key::load(config.key);
        let chain: Vec<String> = certs(&format!("pki/{}.pem", config.cert))
            .into_iter()
            .chain(certs("pki/chain.pem"))
            .map(|c| Base64::encode_string(&c.der))
            .collect();
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + SERVER_LIFETIME;
            let sads = AtomicUsize::new(0);
            while !sp.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &config, &key, &chain, &st, &sads);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        Server {
            base,
            state,
            stop,
            thread: Some(thread),
        }
    }

    fn client(&self) -> CscClient {
        CscClient::over_http(self.base.clone())
    }

    fn endpoints(&self) -> Vec<String> {
        let st = self.state.lock().unwrap();
        st.log.iter().map(|(e, _)| e.clone()).collect()
    }

    fn request(&self, endpoint: &str) -> Value {
        let st = self.state.lock().unwrap();
        st.log
            .iter()
            .rev()
            .find(|(e, _)| e == endpoint)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no {endpoint} request"))
    }
}

fn serve(
    stream: TcpStream,
    config: &Config,
    key: &Key,
    chain: &[String],
    state: &Mutex<State>,
    sads: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let (mut length, mut auth) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        let (name, value) = h.split_once(':').unwrap_or((&h, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "authorization" => auth = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let endpoint = path.trim_start_matches("/csc/v1/").to_string();
    let (status, answer) = answer(config, key, chain, state, sads, &endpoint, &auth, &request);
    state.lock().unwrap().log.push((endpoint, request));
    let text = answer.map(|v| v.to_string()).unwrap_or_default();
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    out.flush()
}

fn error(status: u16, code: &str, description: &str) -> (u16, Option<Value>) {
    (
        status,
        Some(json!({ "error": code, "error_description": description })),
    )
}

#[allow(clippy::too_many_arguments)]
fn answer(
    config: &Config,
    key: &Key,
    chain: &[String],
    state: &Mutex<State>,
    sads: &AtomicUsize,
    endpoint: &str,
    auth: &str,
    req: &Value,
) -> (u16, Option<Value>) {
    if auth != format!("Bearer {TOKEN}") {
        return error(401, "invalid_token", "The access token is not valid");
    }
    let s = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("");
    if endpoint != "credentials/list" && s("credentialID") != CREDENTIAL {
        return error(400, "invalid_request", "Invalid parameter credentialID");
    }
    let mut st = state.lock().unwrap();
    match endpoint {
        "credentials/list" => (200, Some(json!({ "credentialIDs": [CREDENTIAL] }))),
        "credentials/info" => {
            let mut info = json!({
                "description": "Chữ ký số từ xa (thử nghiệm)",
                "key": { "status": "enabled", "algo": ["1.2.840.113549.1.1.1"], "len": 2048 },
                "cert": { "status": "valid", "certificates": chain },
                "authMode": "explicit",
                "PIN": { "presence": "true", "format": "N", "label": "PIN" },
                "multisign": 1,
            });
            if config.otp {
                info["OTP"] = json!({ "presence": "true", "type": "online", "format": "N",
                                      "label": "OTP", "ID": "sms" });
            }
            (200, Some(info))
        }
        "credentials/sendOTP" => {
            st.otp_sent = true;
            (204, None)
        }
        "credentials/authorize" => {
            if req["numSignatures"] != json!(1) {
                return error(400, "invalid_request", "Invalid parameter numSignatures");
            }
            if s("PIN") != PIN {
                return error(400, "invalid_pin", "The PIN is invalid");
            }
            if config.otp && (!st.otp_sent || s("OTP") != OTP) {
                return error(400, "invalid_otp", "The OTP is invalid");
            }
            st.otp_sent = false;
            let sad = format!("sad-{}", sads.fetch_add(1, Ordering::SeqCst));
            st.sad = Some(sad.clone());
            (200, Some(json!({ "SAD": sad })))
        }
        "signatures/signHash" => {
            // A SAD is good for one signature.
            if st.sad.take().as_deref() != Some(s("SAD")) || s("SAD").is_empty() {
                return error(400, "invalid_request", "Invalid parameter SAD");
            }
            let hashes = req["hash"].as_array().cloned().unwrap_or_default();
            let [hash] = hashes.as_slice() else {
                return error(400, "invalid_request", "Invalid parameter hash");
            };
            let hash = Base64::decode_vec(hash.as_str().unwrap_or("")).unwrap();
            let params = req.get("signAlgoParams").and_then(Value::as_str);
            match key.sign_hash(&hash, s("hashAlgo"), s("signAlgo"), params) {
                Some(v) => (
                    200,
                    Some(json!({ "signatures": [Base64::encode_string(&v)] })),
                ),
                None => error(400, "invalid_request", "Invalid parameter signAlgo"),
            }
        }
        _ => error(404, "not_found", "no such endpoint"),
    }
}

fn verify_options() -> VerifyOptions {
    let mut opts = VerifyOptions::default();
    opts.trust = certs("pki/root.pem");
    opts.crls = vec![read("pki/intermediate.crl"), read("pki/root.crl")];
    opts
}

/// A callback that answers with `secrets` and counts its calls.
fn callback(
    secrets: AuthSecrets,
    calls: Arc<AtomicUsize>,
    check: fn(&AuthRequest),
) -> kyso::sign::csc::AuthCallback {
    Box::new(move |req| {
        check(req);
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(secrets.clone())
    })
}

const RSA: Config = Config {
    cert: "agency",
    key: "agency",
    otp: false,
};

#[test]
fn rsa_full_flow_signs_and_verifies() {
    let server = Server::start(RSA);
    let client = server.client();
    assert_eq!(client.list_credentials(TOKEN, None).unwrap(), [CREDENTIAL]);
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = CscSigner::new(
        client,
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin(PIN), calls.clone(), |req| {
            assert!(req.needs_input() && req.pin.is_some() && req.otp.is_none());
            assert!(!req.otp_sent);
            assert!(req.signer.contains("Thử Nghiệm"), "{}", req.signer);
        }),
    )
    .unwrap();
    let pdf = read("docs/congvan.pdf");

    for pss in [false, true] {
        let mut opts = SignOptions::default();
        opts.pss = pss;
        let (signed, outcome) = sign_bytes(&pdf, &signer, &opts).unwrap();
        assert!(signed.starts_with(&pdf));
        assert!(outcome.signer.contains("Thử Nghiệm"));
        let report = verify_bytes(&signed, &verify_options()).unwrap();
        assert_eq!(report.exit_code(), 0, "pss={pss}: {report:?}");
        let sign_req = server.request("signatures/signHash");
        assert_eq!(sign_req["hashAlgo"], "2.16.840.1.101.3.4.2.1");
        assert_eq!(
            sign_req["signAlgo"],
            if pss {
                "1.2.840.113549.1.1.10"
            } else {
                "1.2.840.113549.1.1.1"
            }
        );
        assert_eq!(sign_req.get("signAlgoParams").is_some(), pss);
        assert!(
            sign_req.get("PIN").is_none(),
            "the PIN goes to authorize only"
        );
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "one authorisation per signature"
    );
    assert_eq!(
        server.endpoints(),
        [
            "credentials/list",
            "credentials/info",
            "credentials/authorize",
            "signatures/signHash",
            "credentials/authorize",
            "signatures/signHash",
        ]
    );
    let info = server.request("credentials/info");
    assert_eq!(info["certificates"], "chain");
    assert_eq!(info["authInfo"], true);
}

#[test]
fn ecdsa_with_online_otp_and_raw_signature() {
    let server = Server::start(Config {
        cert: "ecdsa",
        key: "ecdsa",
        otp: true,
    });
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = CscSigner::new(
        server.client(),
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin_and_otp(PIN, OTP), calls.clone(), |req| {
            assert!(req.otp_sent, "sendOTP comes before the prompt");
            assert!(req.otp.as_ref().is_some_and(|o| o.online));
        }),
    )
    .unwrap();
    assert!(signer.info().needs_otp_sent());
    let pdf = read("docs/congvan.pdf");
    let (signed, _) = sign_bytes(&pdf, &signer, &SignOptions::default()).unwrap();
    let report = verify_bytes(&signed, &verify_options()).unwrap();
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        server.endpoints(),
        [
            "credentials/info",
            "credentials/sendOTP",
            "credentials/authorize",
            "signatures/signHash",
        ]
    );
    assert_eq!(
        server.request("signatures/signHash")["signAlgo"],
        "1.2.840.10045.4.3.2"
    );

    // A wrong OTP is told apart from a wrong PIN.
    let signer = CscSigner::new(
        server.client(),
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin_and_otp(PIN, "000000"), calls, |_| {}),
    )
    .unwrap();
    let err = sign_bytes(&pdf, &signer, &SignOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Csc {
                kind: CscFailure::WrongOtp,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn wrong_pin_is_reported_and_nothing_is_written() {
    let server = Server::start(RSA);
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = CscSigner::new(
        server.client(),
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin("000000"), calls, |_| {}),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let err = sign_file(
        &fixture("docs/congvan.pdf"),
        &out,
        &signer,
        &SignOptions::default(),
        false,
    )
    .unwrap_err();
    match &err {
        Error::Csc {
            kind: CscFailure::WrongPin,
            status: Some(400),
            error: Some(code),
            detail,
        } => {
            assert_eq!(code, "invalid_pin");
            assert!(detail.contains("The PIN is invalid"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("wrong PIN"), "{err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
    assert!(!server
        .endpoints()
        .iter()
        .any(|e| e == "signatures/signHash"));
}

#[test]
fn signature_from_another_key_is_refused() {
    let server = Server::start(Config {
        cert: "agency",
        key: "leader",
        otp: false,
    });
    let signer = CscSigner::new(
        server.client(),
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin(PIN), Arc::default(), |_| {}),
    )
    .unwrap();
    let err = sign_bytes(&read("docs/congvan.pdf"), &signer, &SignOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Csc {
                kind: CscFailure::BadSignature,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("does not verify"), "{err}");
}

#[test]
fn unknown_credential_and_bad_token() {
    let server = Server::start(RSA);
    let cb = || callback(AuthSecrets::pin(PIN), Arc::default(), |_| {});
    let err = CscSigner::new(server.client(), "cred-9", TOKEN, cb()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Csc {
                kind: CscFailure::CredentialNotFound,
                ..
            }
        ),
        "{err}"
    );
    let err = CscSigner::new(server.client(), CREDENTIAL, "expired", cb()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Csc {
                kind: CscFailure::AccessDenied,
                status: Some(401),
                ..
            }
        ),
        "{err}"
    );
    let err = CscSigner::new(server.client(), CREDENTIAL, "bad\r\ntoken", cb()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn unreachable_service_fails_fast() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let start = Instant::now();
    let client = CscClient::over_http(format!("http://127.0.0.1:{port}/csc/v1"));
    let err = CscSigner::new(
        client,
        CREDENTIAL,
        TOKEN,
        callback(AuthSecrets::pin(PIN), Arc::default(), |_| {}),
    )
    .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(
            err,
            Error::Csc {
                kind: CscFailure::Unreachable,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("unreachable"), "{err}");
}
