//! A throw-away PKI made at test time with the `openssl` command line, and one HTTP server on
//! 127.0.0.1 that plays its online services: CRLs (GET /root.crl, /int.crl), the intermediate
//! CA's certificate (GET /int.crt, DER, for AIA caIssuers), an OCSP responder (POST /ocsp,
//! `openssl ocsp` run per request on the CA database) and an RFC 3161 time-stamp authority
//! (POST /tsa, `openssl ts -reply` per request; POST /tsa-auth wants HTTP basic credentials
//! `kyso:bí-mật`; POST /replay answers every request with the first response /tsa gave, as a
//! replaying attacker would). Every request is appended to `hits.log` in the PKI's folder as
//! `METHOD PATH MILLISECONDS` (the time spent serving it). [`LocalPki::ocsp_process`] starts
//! OpenSSL's own long-running responder (`openssl ocsp -port`) instead, signing with a
//! delegated responder certificate.
//!
//! Root CA → intermediate CA → signers (AIA OCSP and CRL distribution point on this server by
//! default, or the URLs a test gives) and a TSA certificate (critical extendedKeyUsage
//! timeStamping). Every wait is bounded; the server stops on drop (or, for the `testpki`
//! binary of the benches, when the process is killed).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

const CA_CONFIG: &str = "\
[ca]
default_ca = this_ca
[this_ca]
dir = .
database = index.txt
new_certs_dir = newcerts
certificate = ca.pem
private_key = ca.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
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
";

const TS_CONFIG: &str = "\
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = .
serial = tsaserial
crypto_device = builtin
signer_cert = tsa.pem
certs = int/ca.pem
signer_key = tsa.key
signer_digest = sha256
default_policy = 1.2.704.1.1
other_policies = 1.2.704.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

pub const TSA_USER: &str = "kyso:bí-mật";

/// The intermediate CA's subject.
pub const INT_SUBJECT: &str = "/C=VN/O=Bộ Thử Nghiệm LTV/CN=CA Trung Gian LTV";

/// How long the server of [`LocalPki::new`] answers at most.
const TEST_LIFETIME: Duration = Duration::from_secs(240);

/// The online addresses written into a signer's certificate (none: the extension is left out).
#[derive(Clone, Debug, Default)]
pub struct Urls {
    /// authorityInfoAccess OCSP.
    pub ocsp: Option<String>,
    /// cRLDistributionPoints.
    pub crl: Option<String>,
    /// authorityInfoAccess caIssuers.
    pub ca_issuers: Option<String>,
}

/// How [`LocalPki::signer_with`] makes a signer.
#[derive(Clone, Debug)]
pub struct SignerOptions {
    pub urls: Urls,
    /// Issued through the intermediate's `openssl ca` database (so its OCSP responders know
    /// it); otherwise by `openssl x509 -req`, unknown to them.
    pub in_db: bool,
    /// The .p12 carries the intermediate and the root; otherwise only the signer's certificate.
    pub chain: bool,
}

pub use crate::{ca_time, openssl};

pub struct LocalPki {
    pub dir: tempfile::TempDir,
    pub port: u16,
    server: Server,
}

impl LocalPki {
    /// Root and intermediate CAs, a TSA certificate valid `tsa_days`, and the server (which
    /// stops answering after 240 s).
    pub fn new(tsa_days: i64) -> LocalPki {
        LocalPki::start(tsa_days, None, Some(TEST_LIFETIME))
    }

    /// As [`LocalPki::new`], in a new folder under `parent` (a temporary one if `None`), its
    /// server answering for `lifetime` (`None`: until dropped).
    pub fn start(tsa_days: i64, parent: Option<&Path>, lifetime: Option<Duration>) -> LocalPki {
        let dir = match parent {
            Some(p) => tempfile::Builder::new()
                .prefix("testpki-")
                .tempdir_in(p)
                .unwrap(),
            None => tempfile::tempdir().unwrap(),
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let d = &dir.path().to_path_buf();
        let now = OffsetDateTime::now_utc();
        for ca in ["root", "int"] {
            let c = d.join(ca);
            std::fs::create_dir_all(c.join("newcerts")).unwrap();
            std::fs::write(c.join("index.txt"), "").unwrap();
            std::fs::write(
                c.join("serial"),
                if ca == "root" { "1000\n" } else { "2000\n" },
            )
            .unwrap();
            std::fs::write(c.join("crlnumber"), "01\n").unwrap();
            std::fs::write(c.join("ca.cnf"), CA_CONFIG).unwrap();
        }
        let root = d.join("root");
        openssl(&root, &["genrsa", "-out", "ca.key", "2048"]);
        openssl(
            &root,
            &[
                "req",
                "-new",
                "-x509",
                "-config",
                "ca.cnf",
                "-extensions",
                "v3_root",
                "-key",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                "/C=VN/O=Bộ Thử Nghiệm LTV/CN=Root CA Thử Nghiệm LTV",
                "-utf8",
            ],
        );
        let server = Server::start(listener, d.to_path_buf(), lifetime);
        let pki = LocalPki { dir, port, server };
        let int_ext = format!(
            "basicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\ncrlDistributionPoints = URI:{}\n",
            pki.url("/root.crl")
        );
        pki.issue(
            "root",
            "int",
            INT_SUBJECT,
            &int_ext,
            now - time::Duration::days(1),
            now + time::Duration::days(3000),
        );
        std::fs::copy(d.join("int.pem"), d.join("int/ca.pem")).unwrap();
        std::fs::copy(d.join("int.key"), d.join("int/ca.key")).unwrap();
        #[rustfmt::skip]
        openssl(d, &["x509", "-in", "int.pem", "-outform", "DER", "-out", "int.crt"]);
        let tsa_ext = format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\nextendedKeyUsage = critical,timeStamping\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\ncrlDistributionPoints = URI:{}\nauthorityInfoAccess = OCSP;URI:{}\n",
            pki.url("/int.crl"),
            pki.url("/ocsp")
        );
        pki.issue(
            "int",
            "tsa",
            "/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=TSA Thử Nghiệm",
            &tsa_ext,
            now - time::Duration::days(1),
            now + time::Duration::days(tsa_days),
        );
        std::fs::write(d.join("ts.cnf"), TS_CONFIG).unwrap();
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        pki.refresh_crls();
        pki
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root/ca.pem")
    }

    /// Issues `name.pem`/`name.key` from CA `ca` ("root" or "int").
    fn issue(
        &self,
        ca: &str,
        name: &str,
        subject: &str,
        ext: &str,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) {
        self.issue_bits(ca, name, subject, ext, from, until, 2048);
    }

    /// As `issue`, with an RSA key of `bits`.
    #[allow(clippy::too_many_arguments)]
    fn issue_bits(
        &self,
        ca: &str,
        name: &str,
        subject: &str,
        ext: &str,
        from: OffsetDateTime,
        until: OffsetDateTime,
        bits: u32,
    ) {
        let d = self.dir.path();
        let c = d.join(ca);
        openssl(
            d,
            &["genrsa", "-out", &format!("{name}.key"), &bits.to_string()],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                subject,
                "-utf8",
            ],
        );
        std::fs::write(c.join(format!("{name}.ext")), ext).unwrap();
        let csr = d.join(format!("{name}.csr"));
        let out = d.join(format!("{name}.pem"));
        openssl(
            &c,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-extfile",
                &format!("{name}.ext"),
                "-in",
                csr.to_str().unwrap(),
                "-out",
                out.to_str().unwrap(),
                "-notext",
                "-startdate",
                &ca_time(from),
                "-enddate",
                &ca_time(until),
                "-utf8",
            ],
        );
    }

    /// A signer issued by the intermediate, with OCSP and CRL URLs on this server, valid
    /// `days`; returns its .p12 (empty password) with the chain.
    pub fn signer(&self, name: &str, cn: &str, days: i64) -> PathBuf {
        let urls = Urls {
            ocsp: Some(self.url("/ocsp")),
            crl: Some(self.url("/int.crl")),
            ca_issuers: None,
        };
        let options = SignerOptions {
            urls,
            in_db: true,
            chain: true,
        };
        self.signer_with(name, cn, days, &options)
    }

    /// A signer `/C=VN/O=UBND Tỉnh Thử Nghiệm/CN={cn}` issued by the intermediate, valid
    /// `days`, as `options` say; returns its .p12 (empty password).
    pub fn signer_with(&self, name: &str, cn: &str, days: i64, options: &SignerOptions) -> PathBuf {
        let mut ext = String::from(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n",
        );
        let urls = &options.urls;
        if let Some(u) = &urls.crl {
            ext += &format!("crlDistributionPoints = URI:{u}\n");
        }
        let aia: Vec<String> = [("OCSP", &urls.ocsp), ("caIssuers", &urls.ca_issuers)]
            .into_iter()
            .filter_map(|(method, u)| u.as_ref().map(|u| format!("{method};URI:{u}")))
            .collect();
        if !aia.is_empty() {
            ext += &format!("authorityInfoAccess = {}\n", aia.join(","));
        }
        let subject = format!("/C=VN/O=UBND Tỉnh Thử Nghiệm/CN={cn}");
        if options.in_db {
            let now = OffsetDateTime::now_utc();
            let from = now - time::Duration::days(1);
            let until = now + time::Duration::days(days);
            self.issue("int", name, &subject, &ext, from, until);
        } else {
            self.issue_outside_db(name, &subject, &ext, days);
        }
        let d = self.dir.path();
        let mut args = vec![
            "pkcs12".to_string(),
            "-export".into(),
            "-inkey".into(),
            format!("{name}.key"),
            "-in".into(),
            format!("{name}.pem"),
        ];
        if options.chain {
            let chain = d.join(format!("{name}-chain.pem"));
            let mut bytes = std::fs::read(d.join("int.pem")).unwrap();
            bytes.extend(std::fs::read(self.root()).unwrap());
            std::fs::write(&chain, bytes).unwrap();
            args.extend(["-certfile".into(), chain.to_str().unwrap().to_string()]);
        }
        args.extend([
            "-out".into(),
            format!("{name}.p12"),
            "-passout".into(),
            "pass:".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl(d, &args);
        d.join(format!("{name}.p12"))
    }

    /// `name.pem`/`name.key` signed by the intermediate's key with `openssl x509 -req`, outside
    /// its database (its OCSP responders answer "unknown"), valid from now for `days`.
    fn issue_outside_db(&self, name: &str, subject: &str, ext: &str, days: i64) {
        static SERIAL: AtomicU32 = AtomicU32::new(0x7777);
        let serial = SERIAL.fetch_add(1, Ordering::SeqCst).to_string();
        let d = self.dir.path();
        let (key, csr, pem, extfile) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        std::fs::write(d.join(&extfile), ext).unwrap();
        openssl(d, &["genrsa", "-out", &key, "2048"]);
        #[rustfmt::skip]
        openssl(d, &["req", "-new", "-key", &key, "-out", &csr, "-subj", subject, "-utf8",
            "-config", "int/ca.cnf"]);
        #[rustfmt::skip]
        openssl(d, &["x509", "-req", "-in", &csr, "-CA", "int/ca.pem", "-CAkey", "int/ca.key",
            "-set_serial", &serial, "-days", &days.to_string(), "-extfile", &extfile,
            "-out", &pem]);
    }

    /// A delegated OCSP responder certificate `name.pem`/`name.key` issued by the intermediate:
    /// with id-kp-OCSPSigning (and id-pkix-ocsp-nocheck) if `authorised`, otherwise with
    /// clientAuth only (not a responder, RFC 6960 §4.2.2.2).
    pub fn ocsp_responder_cert(&self, name: &str, cn: &str, authorised: bool) {
        let eku = if authorised {
            "extendedKeyUsage = OCSPSigning\nnoCheck = ignored\n"
        } else {
            "extendedKeyUsage = clientAuth\n"
        };
        let ext = format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n{eku}subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n"
        );
        let now = OffsetDateTime::now_utc();
        self.issue(
            "int",
            name,
            &format!("/C=VN/CN={cn}"),
            &ext,
            now - time::Duration::days(1),
            now + time::Duration::days(30),
        );
    }

    /// Starts OpenSSL's responder (`openssl ocsp -port`) on 127.0.0.1:`port` for the
    /// intermediate's database, signing with `signer.pem`/`signer.key` (responses valid 60
    /// minutes); it reads the database when it starts. Killed on drop.
    pub fn ocsp_process(&self, port: u16, signer: &str) -> OcspProcess {
        let d = self.dir.path();
        let log_path = d.join(format!("responder-{port}-{signer}.log"));
        let (rsigner, rkey) = (format!("../{signer}.pem"), format!("../{signer}.key"));
        let args = [
            "-rsigner", &rsigner, "-rkey", &rkey, "-CA", "ca.pem", "-nmin", "60",
        ];
        OcspProcess::start(&d.join("int"), port, &args, &log_path)
    }

    /// A self-signed CA certificate `name.pem`/`name.key` with the intermediate's subject but
    /// another key (to forge what the intermediate signs).
    pub fn lookalike_of_int(&self, name: &str) {
        let (key, pem) = (format!("../{name}.key"), format!("../{name}.pem"));
        #[rustfmt::skip]
        openssl(&self.dir.path().join("int"), &["req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", &key, "-out", &pem, "-subj", INT_SUBJECT, "-utf8", "-days", "30",
            "-config", "ca.cnf", "-extensions", "v3_root"]);
    }

    /// Writes int.crl (DER, served at /int.crl) from the intermediate's database: signed by
    /// `signed_by` (`name.pem`/`name.key` in the PKI's folder; the intermediate if `None`),
    /// with thisUpdate/nextUpdate `dates` (now and a week on if `None`; OpenSSL ≥ 3.0).
    pub fn publish_int_crl(
        &self,
        dates: Option<(OffsetDateTime, OffsetDateTime)>,
        signed_by: Option<&str>,
    ) {
        let c = self.dir.path().join("int");
        let mut args: Vec<String> = ["ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"]
            .map(String::from)
            .into();
        if let Some(name) = signed_by {
            args.extend(["-keyfile".into(), format!("../{name}.key")]);
            args.extend(["-cert".into(), format!("../{name}.pem")]);
        }
        if let Some((last, next)) = dates {
            args.extend(["-crl_lastupdate".into(), ca_time(last)]);
            args.extend(["-crl_nextupdate".into(), ca_time(next)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl(&c, &args);
        #[rustfmt::skip]
        openssl(&c, &["crl", "-in", "crl.pem", "-outform", "DER", "-out", "../int.crl"]);
    }

    /// Revokes `name` (issued by the intermediate) now and republishes the CRLs.
    pub fn revoke(&self, name: &str) {
        let c = self.dir.path().join("int");
        let cert = self.dir.path().join(format!("{name}.pem"));
        openssl(
            &c,
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-revoke",
                cert.to_str().unwrap(),
                "-crl_reason",
                "keyCompromise",
            ],
        );
        self.refresh_crls();
    }

    /// Writes root.crl and int.crl (DER) from the CA databases.
    pub fn refresh_crls(&self) {
        let d = self.dir.path();
        for ca in ["root", "int"] {
            let c = d.join(ca);
            openssl(
                &c,
                &["ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"],
            );
            let der = d.join(format!("{ca}.crl"));
            openssl(
                &c,
                &[
                    "crl",
                    "-in",
                    "crl.pem",
                    "-outform",
                    "DER",
                    "-out",
                    der.to_str().unwrap(),
                ],
            );
        }
    }

    /// Makes POST /tsa-big answer with tokens of over 10 KB: its TSA certificate carries a
    /// subjectAltName with 400 names.
    pub fn enable_big_tsa(&self) {
        let names: Vec<String> = (0..400)
            .map(|i| format!("DNS:tsa-{i}.dau-thoi-gian.example.vn"))
            .collect();
        let ext = format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = critical,timeStamping\nsubjectAltName = {}\ncrlDistributionPoints = URI:{}\n",
            names.join(","),
            self.url("/int.crl")
        );
        let now = OffsetDateTime::now_utc();
        self.issue(
            "int",
            "tsa-big",
            "/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=TSA Lớn Thử Nghiệm",
            &ext,
            now - time::Duration::days(1),
            now + time::Duration::days(365),
        );
        let config = TS_CONFIG
            .replace("signer_cert = tsa.pem", "signer_cert = tsa-big.pem")
            .replace("signer_key = tsa.key", "signer_key = tsa-big.key");
        std::fs::write(self.dir.path().join("ts-big.cnf"), config).unwrap();
    }

    /// Makes POST /tsa-short answer with a second TSA whose certificate expires in `days`.
    pub fn enable_short_tsa(&self, days: i64) {
        let ext = format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = critical,timeStamping\ncrlDistributionPoints = URI:{}\n",
            self.url("/int.crl")
        );
        let now = OffsetDateTime::now_utc();
        self.issue(
            "int",
            "tsa-short",
            "/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=TSA Ngắn Hạn",
            &ext,
            now - time::Duration::days(1),
            now + time::Duration::days(days),
        );
        let config = TS_CONFIG
            .replace("signer_cert = tsa.pem", "signer_cert = tsa-short.pem")
            .replace("signer_key = tsa.key", "signer_key = tsa-short.key");
        std::fs::write(self.dir.path().join("ts-short.cnf"), config).unwrap();
    }

    /// Another TSA, answering on POST /tsa-var-LABEL (returned), whose certificate is valid
    /// `from`..`until` with an RSA key of `bits` (openssl ts signs whatever the dates).
    pub fn enable_tsa_variant(
        &self,
        label: &str,
        from: OffsetDateTime,
        until: OffsetDateTime,
        bits: u32,
    ) -> String {
        let ext = format!(
            "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = critical,timeStamping\ncrlDistributionPoints = URI:{}\n",
            self.url("/int.crl")
        );
        let name = format!("tsa-var-{label}");
        let subject = format!("/C=VN/O=Ban Cơ yếu Thử Nghiệm/CN=TSA {label}");
        self.issue_bits("int", &name, &subject, &ext, from, until, bits);
        let config = TS_CONFIG
            .replace(
                "signer_cert = tsa.pem",
                &format!("signer_cert = {name}.pem"),
            )
            .replace("signer_key = tsa.key", &format!("signer_key = {name}.key"));
        std::fs::write(self.dir.path().join(format!("ts-var-{label}.cnf")), config).unwrap();
        self.url(&format!("/tsa-var-{label}"))
    }

    /// How many requests the server answered per path.
    pub fn hits(&self, path: &str) -> usize {
        self.server
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.as_str() == path)
            .count()
    }

    /// How many requests the server answered in all.
    pub fn total_hits(&self) -> usize {
        self.server.hits.lock().unwrap().len()
    }
}

/// A running `openssl ocsp -port` responder, killed on drop.
pub struct OcspProcess {
    child: Child,
    port: u16,
}

impl OcspProcess {
    /// Starts `openssl ocsp -index index.txt -port PORT ARGS...` in `dir` (which holds the
    /// index), its output in `log`, and waits until it listens.
    pub(crate) fn start(dir: &Path, port: u16, args: &[&str], log: &Path) -> OcspProcess {
        let file = std::fs::File::create(log).unwrap();
        // OpenSSL 3.0 takes a port number only (it listens on every address).
        let port_s = port.to_string();
        let child = Command::new("openssl")
            .current_dir(dir)
            .args(["ocsp", "-index", "index.txt", "-port", &port_s])
            .args(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start openssl ocsp");
        let mut r = OcspProcess { child, port };
        r.wait_ready(log, port);
        r
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Waits (10 s at most) until it listens: OpenSSL 3.0's responder logs `ACCEPT ...:PORT`
    /// then. (Not by connecting: it serves one connection at a time and stalls on one closed
    /// without a request.)
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

impl Drop for OcspProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Server {
    stop: Arc<AtomicBool>,
    hits: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(listener: TcpListener, dir: PathBuf, lifetime: Option<Duration>) -> Server {
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let replay: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
        let (st, h) = (stop.clone(), hits.clone());
        let thread = std::thread::spawn(move || {
            let deadline = lifetime.map(|l| Instant::now() + l);
            while !st.load(Ordering::SeqCst) && deadline.is_none_or(|d| Instant::now() < d) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let (dir, h, replay) = (dir.clone(), h.clone(), replay.clone());
                        std::thread::spawn(move || serve(s, &dir, &h, &replay));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => break,
                }
            }
        });
        Server {
            stop,
            hits,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut s: TcpStream, dir: &Path, hits: &Mutex<Vec<String>>, replay: &Mutex<Option<Vec<u8>>>) {
    let _ = s.set_nonblocking(false);
    let started = Instant::now();
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
        if data.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let mut lines = head.lines();
    let request = lines.next().unwrap_or("").to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
    let body = data[head_end..].to_vec();
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").to_string();
    hits.lock().unwrap().push(path.clone());
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let (status, ctype, answer) = match (method, path.as_str()) {
        ("GET", "/root.crl") | ("GET", "/int.crl") => match std::fs::read(dir.join(&path[1..])) {
            Ok(b) => (200, "application/pkix-crl", b),
            Err(_) => (404, "text/plain", b"no".to_vec()),
        },
        ("GET", "/int.crt") => match std::fs::read(dir.join("int.crt")) {
            Ok(b) => (200, "application/pkix-cert", b),
            Err(_) => (404, "text/plain", b"no".to_vec()),
        },
        ("POST", "/ocsp") => {
            let q = dir.join(format!("q{n}.ocsp"));
            let r = dir.join(format!("r{n}.ocsp"));
            std::fs::write(&q, &body).unwrap();
            let o = Command::new("openssl")
                .current_dir(dir.join("int"))
                .args([
                    "ocsp",
                    "-index",
                    "index.txt",
                    "-CA",
                    "ca.pem",
                    "-rsigner",
                    "ca.pem",
                ])
                .args(["-rkey", "ca.key", "-ndays", "7", "-reqin"])
                .arg(&q)
                .arg("-respout")
                .arg(&r)
                .stdin(Stdio::null())
                .output();
            match (o, std::fs::read(&r)) {
                (Ok(o), Ok(b)) if o.status.success() => (200, "application/ocsp-response", b),
                _ => (500, "text/plain", b"ocsp failed".to_vec()),
            }
        }
        ("POST", p)
            if matches!(
                p,
                "/tsa" | "/tsa-auth" | "/replay" | "/tsa-big" | "/tsa-short"
            ) || p.starts_with("/tsa-var-") =>
        {
            let expected = format!("Basic {}", base64_encode(TSA_USER.as_bytes()));
            if path == "/tsa-auth" && header("authorization").as_deref() != Some(&expected) {
                (401, "text/plain", b"who are you".to_vec())
            } else if path == "/replay" && replay.lock().unwrap().is_some() {
                (
                    200,
                    "application/timestamp-reply",
                    replay.lock().unwrap().clone().unwrap(),
                )
            } else {
                let q = dir.join(format!("q{n}.tsq"));
                let r = dir.join(format!("r{n}.tsr"));
                std::fs::write(&q, &body).unwrap();
                let config = match path.as_str() {
                    "/tsa-big" => "ts-big.cnf".to_string(),
                    "/tsa-short" => "ts-short.cnf".to_string(),
                    p if p.starts_with("/tsa-var-") => format!("ts-var-{}.cnf", &p[9..]),
                    _ => "ts.cnf".to_string(),
                };
                let o = Command::new("openssl")
                    .current_dir(dir)
                    .args(["ts", "-reply", "-config", &config, "-queryfile"])
                    .arg(&q)
                    .arg("-out")
                    .arg(&r)
                    .stdin(Stdio::null())
                    .output();
                match (o, std::fs::read(&r)) {
                    (Ok(o), Ok(b)) if o.status.success() => {
                        replay.lock().unwrap().get_or_insert_with(|| b.clone());
                        (200, "application/timestamp-reply", b)
                    }
                    (o, _) => (500, "text/plain", o.map(|o| o.stderr).unwrap_or_default()),
                }
            }
        }
        _ => (404, "text/plain", b"not here".to_vec()),
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(mut log) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("hits.log"))
    {
        let _ = writeln!(log, "{method} {path} {ms:.1}");
    }
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Error",
    };
    let _ = write!(
        s,
        "HTTP/1.0 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    let _ = s.write_all(&answer);
}

fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
