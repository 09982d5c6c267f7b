//! The one throw-away test PKI of kyso (issue #19 item 4), made with the `openssl` command line:
//! self-signed roots, CAs and leaves of the key types the tests need, delegated OCSP responders,
//! CSRs, PKCS#8 exports and one-shot OCSP responses. Shared by the library's unit tests
//! (`kyso::pki::testutil`, which loads each certificate as a `kyso::pki::Certificate`) and the
//! integration tests (`tests/revocation_online.rs`); and [`local::LocalPki`], the same kind of
//! PKI behind an `openssl ca` database with its online services (CRLs, OCSP, TSA) on
//! 127.0.0.1, which `tests/support/local_pki.rs` re-exports.
//!
//! A separate crate because the library's unit tests cannot import code from `tests/`, and it
//! depends on nothing of kyso so that both test builds can use it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use time::OffsetDateTime;

pub mod der;
pub mod local;

/// The `openssl req`/`x509` configuration: the extensions of CAs, signers and OCSP responders.
pub const CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = emailProtection
[v3_ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
authorityKeyIdentifier = keyid:always
";

/// Runs `openssl` in `dir` (stdin closed), panicking with its stderr on failure.
pub fn openssl(dir: &Path, args: &[&str]) {
    openssl_output(dir, args);
}

/// Runs `openssl` in `dir` (stdin closed) and returns its standard output; panics with its
/// stderr on failure.
pub fn openssl_output(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `YYMMDDHHMMSSZ` (UTCTime, years before 2050), as `openssl ca -startdate/-enddate` take.
pub fn ca_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year() % 100,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Key types used by the tests.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    /// Too short for kyso's policy: only for tests of its refusal.
    Rsa1024,
    Rsa2048,
    /// Too small for kyso's policy: only for tests of its refusal.
    P224,
    P256,
    P384,
    Ed25519,
}

impl Key {
    /// The `openssl req` arguments that make a new key of this type.
    pub fn args(self) -> Vec<&'static str> {
        match self {
            Key::Rsa1024 => vec!["-newkey", "rsa:1024"],
            Key::Rsa2048 => vec!["-newkey", "rsa:2048"],
            Key::P224 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-224"],
            Key::P256 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Key::P384 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            Key::Ed25519 => vec!["-newkey", "ed25519"],
        }
    }
}

/// A generated certificate as a test wants it: made from its PEM and key files.
pub trait Load: Sized {
    fn load(pem: PathBuf, key: PathBuf) -> Self;
    fn pem(&self) -> &Path;
    fn key(&self) -> &Path;
}

/// A generated certificate and its key files, with its DER.
pub struct Issued {
    pub pem: PathBuf,
    pub key: PathBuf,
    pub der: Vec<u8>,
}

impl Load for Issued {
    fn load(pem: PathBuf, key: PathBuf) -> Self {
        let dir = pem.parent().expect("PEM in a directory").to_path_buf();
        let der = dir.join("load.der");
        let (p, d) = (pem.to_str().unwrap(), der.to_str().unwrap());
        openssl(&dir, &["x509", "-in", p, "-outform", "DER", "-out", d]);
        let der = std::fs::read(der).unwrap();
        Issued { pem, key, der }
    }
    fn pem(&self) -> &Path {
        &self.pem
    }
    fn key(&self) -> &Path {
        &self.key
    }
}

/// A temporary directory with [`CONFIG`]; certificates come back as `I`.
pub struct Pki<I: Load = Issued> {
    pub dir: tempfile::TempDir,
    issued: std::marker::PhantomData<I>,
}

impl<I: Load> Default for Pki<I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: Load> Pki<I> {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("openssl.cnf"), CONFIG).unwrap();
        Pki {
            dir,
            issued: std::marker::PhantomData,
        }
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    /// A certificate made earlier in this PKI: `name.pem`/`name.key`.
    pub fn load(&self, name: &str) -> I {
        I::load(
            self.path(&format!("{name}.pem")),
            self.path(&format!("{name}.key")),
        )
    }

    /// Self-signed CA.
    pub fn root(&self, name: &str, key: Key, subj: &str) -> I {
        let (k, p) = (format!("{name}.key"), format!("{name}.pem"));
        let mut args = vec!["req", "-x509", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend([
            "-nodes",
            "-keyout",
            &k,
            "-out",
            &p,
            "-subj",
            subj,
            "-days",
            "3650",
            "-extensions",
            "v3_ca",
        ]);
        openssl(self.dir.path(), &args);
        self.load(name)
    }

    /// Certificate for a new key (`ca` true for a CA) issued by `issuer`.
    pub fn issue(&self, name: &str, key: Key, subj: &str, issuer: &I, ca: bool, serial: u32) -> I {
        let (k, csr) = (format!("{name}.key"), format!("{name}.csr"));
        let mut args = vec!["req", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend(["-nodes", "-keyout", &k, "-out", &csr, "-subj", subj]);
        openssl(self.dir.path(), &args);
        self.sign_csr(name, &csr, issuer, ca, serial)
    }

    /// Certificate for an existing CSR signed by `issuer` (used for cross-signing).
    pub fn sign_csr(&self, name: &str, csr: &str, issuer: &I, ca: bool, serial: u32) -> I {
        let ext = if ca { "v3_ca" } else { "v3_leaf" };
        self.sign_csr_ext(name, csr, issuer, ext, serial)
    }

    /// A delegated OCSP responder certificate (id-kp-OCSPSigning) for a new key, by `issuer`.
    pub fn ocsp_responder(&self, name: &str, key: Key, issuer: &I, serial: u32) -> I {
        let (k, csr) = (format!("{name}.key"), format!("{name}.csr"));
        let mut args = vec!["req", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend(["-nodes", "-keyout", &k, "-out", &csr, "-subj", "/CN=OCSP"]);
        openssl(self.dir.path(), &args);
        self.sign_csr_ext(name, &csr, issuer, "v3_ocsp", serial)
    }

    /// Certificate for a CSR signed by `issuer` with the config's extension section `ext`.
    pub fn sign_csr_ext(&self, name: &str, csr: &str, issuer: &I, ext: &str, serial: u32) -> I {
        let p = format!("{name}.pem");
        let serial = serial.to_string();
        let (ipem, ikey) = (
            issuer.pem().to_str().unwrap(),
            issuer.key().to_str().unwrap(),
        );
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "x509", "-req", "-in", csr, "-CA", ipem, "-CAkey", ikey, "-set_serial", &serial,
            "-days", "365", "-extfile", "openssl.cnf", "-extensions", ext, "-out", &p,
        ]);
        self.load(name)
    }

    /// CSR for an existing key.
    pub fn csr_for(&self, name: &str, key: &Path, subj: &str) {
        let csr = format!("{name}.csr");
        let key = key.to_str().unwrap();
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "req", "-new", "-config", "openssl.cnf", "-utf8", "-key", key, "-out", &csr,
            "-subj", subj,
        ]);
    }

    /// `openssl ocsp` as a one-shot responder over an index naming `leaf` (issued by `issuer`)
    /// good: the DER of a response signed by `signer`, without nextUpdate (no -ndays/-nmin).
    pub fn ocsp_good_without_next_update(&self, leaf: &I, issuer: &I, signer: &I) -> Vec<u8> {
        let dir = self.dir.path();
        let lp = leaf.pem().to_str().unwrap();
        let serial = openssl_output(dir, &["x509", "-in", lp, "-noout", "-serial"]);
        let serial = serial.trim().trim_start_matches("serial=");
        let line = format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=leaf\n");
        std::fs::write(self.path("index.txt"), line).unwrap();
        let ip = issuer.pem().to_str().unwrap();
        #[rustfmt::skip]
        openssl(dir, &[
            "ocsp", "-issuer", ip, "-cert", lp, "-no_nonce", "-reqout", "q.der",
        ]);
        let (sp, sk) = (
            signer.pem().to_str().unwrap(),
            signer.key().to_str().unwrap(),
        );
        #[rustfmt::skip]
        openssl(dir, &[
            "ocsp", "-index", "index.txt", "-CA", ip, "-rsigner", sp, "-rkey", sk,
            "-reqin", "q.der", "-respout", "r.der",
        ]);
        std::fs::read(self.path("r.der")).unwrap()
    }

    /// Self-signed certificate for a new key with the extensions `ext` (the text of an openssl
    /// extension section, one `name = value` a line).
    pub fn root_ext(&self, name: &str, key: Key, subj: &str, ext: &str) -> I {
        let (k, p, cnf) = (
            format!("{name}.key"),
            format!("{name}.pem"),
            format!("{name}-req.cnf"),
        );
        std::fs::write(self.path(&cnf), format!("{CONFIG}[custom_ext]\n{ext}")).unwrap();
        let mut args = vec!["req", "-x509", "-new", "-config", &cnf, "-utf8"];
        args.extend(key.args());
        #[rustfmt::skip]
        args.extend(["-nodes", "-keyout", &k, "-out", &p, "-subj", subj, "-days", "3650",
            "-extensions", "custom_ext"]);
        openssl(self.dir.path(), &args);
        self.load(name)
    }

    /// Certificate for a new key issued by `issuer` with the extensions `ext` (the text of an
    /// openssl extension file: name constraints, extended key usages, AIA... as a test wants).
    pub fn issue_ext(
        &self,
        name: &str,
        key: Key,
        subj: &str,
        issuer: &I,
        ext: &str,
        serial: u32,
    ) -> I {
        let (k, csr, p, extf) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        let mut args = vec!["req", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend(["-nodes", "-keyout", &k, "-out", &csr, "-subj", subj]);
        openssl(self.dir.path(), &args);
        std::fs::write(self.path(&extf), ext).unwrap();
        let serial = serial.to_string();
        let (ipem, ikey) = (
            issuer.pem().to_str().unwrap(),
            issuer.key().to_str().unwrap(),
        );
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "x509", "-req", "-in", &csr, "-CA", ipem, "-CAkey", ikey, "-set_serial", &serial,
            "-days", "365", "-extfile", &extf, "-out", &p,
        ]);
        self.load(name)
    }

    /// `NAME.p12` (empty password) of `leaf` (`NAME.pem`) and its key, with the certificates
    /// `chain`.
    pub fn p12(&self, leaf: &I, chain: &[&I]) -> PathBuf {
        let name = stem(leaf.pem());
        let mut bundle = Vec::new();
        for c in chain {
            bundle.extend(std::fs::read(c.pem()).unwrap());
        }
        let chainf = self.path(&format!("{name}-chain.pem"));
        std::fs::write(&chainf, bundle).unwrap();
        let out = self.path(&format!("{name}.p12"));
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "pkcs12", "-export", "-inkey", leaf.key().to_str().unwrap(),
            "-in", leaf.pem().to_str().unwrap(), "-certfile", chainf.to_str().unwrap(),
            "-out", out.to_str().unwrap(), "-passout", "pass:",
        ]);
        out
    }

    /// An empty CRL (DER, `NAME.crl`) of the CA `ca` (`NAME.pem`), 7 days to nextUpdate.
    pub fn empty_crl(&self, ca: &I) -> PathBuf {
        let name = stem(ca.pem());
        let (cnf, index, crlnum) = (
            format!("{name}-ca.cnf"),
            format!("{name}.index"),
            format!("{name}.crlnum"),
        );
        let text = format!(
            "[ca]\ndefault_ca = c\n[c]\ndatabase = {index}\ncrlnumber = {crlnum}\n\
default_md = sha256\ndefault_crl_days = 7\n"
        );
        std::fs::write(self.path(&cnf), text).unwrap();
        std::fs::write(self.path(&index), "").unwrap();
        std::fs::write(self.path(&crlnum), "01\n").unwrap();
        let (key, pem) = (ca.key().to_str().unwrap(), ca.pem().to_str().unwrap());
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "ca", "-gencrl", "-config", &cnf, "-keyfile", key, "-cert", pem, "-out", "crl.pem",
        ]);
        let out = format!("{name}.crl");
        openssl(
            self.dir.path(),
            &["crl", "-in", "crl.pem", "-outform", "DER", "-out", &out],
        );
        self.path(&out)
    }

    /// Writes `index.txt`, the database `openssl ocsp -index` answers from: each certificate
    /// with its status (certificates left out are "unknown" to the responder).
    pub fn ocsp_index(&self, entries: &[(&I, IndexStatus)]) {
        let mut text = String::new();
        for (cert, status) in entries {
            let pem = cert.pem().to_str().unwrap();
            let serial =
                openssl_output(self.dir.path(), &["x509", "-in", pem, "-noout", "-serial"]);
            let serial = serial.trim().trim_start_matches("serial=");
            let name = stem(cert.pem());
            // Fields: status, expiry, revocation time[,reason], serial (hex), file, subject.
            let line = match status {
                IndexStatus::Valid => {
                    format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN={name}\n")
                }
                IndexStatus::Revoked { at, reason } => format!(
                    "R\t491231235959Z\t{},{reason}\t{serial}\tunknown\t/CN={name}\n",
                    ca_time(*at)
                ),
            };
            text += &line;
        }
        std::fs::write(self.path("index.txt"), text).unwrap();
    }

    /// Starts OpenSSL's responder (`openssl ocsp -index index.txt -port PORT`) for the CA `ca`
    /// over [`Pki::ocsp_index`]'s database, signing with `signer`, plus `extra` arguments
    /// (`-nmin 60`, `-resp_key_id`...). It listens when this returns; killed on drop.
    pub fn ocsp_process(
        &self,
        port: u16,
        ca: &I,
        signer: &I,
        extra: &[&str],
    ) -> local::OcspProcess {
        let mut args = vec![
            "-rsigner",
            signer.pem().to_str().unwrap(),
            "-rkey",
            signer.key().to_str().unwrap(),
            "-CA",
            ca.pem().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let log = self.path(&format!("responder-{port}.log"));
        local::OcspProcess::start(self.dir.path(), port, &args, &log)
    }

    /// PKCS#8 DER of a key file.
    pub fn pkcs8(&self, key: &Path) -> Vec<u8> {
        let out = self.path("tmp.p8");
        let (k, o) = (key.to_str().unwrap(), out.to_str().unwrap());
        #[rustfmt::skip]
        openssl(self.dir.path(), &[
            "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", k, "-out", o,
        ]);
        std::fs::read(out).unwrap()
    }
}

/// A certificate's status in the database of `openssl ocsp -index` ([`Pki::ocsp_index`]).
#[derive(Clone, Copy, Debug)]
pub enum IndexStatus {
    Valid,
    /// Revoked at `at` for `reason` (OpenSSL's name of a CRLReason: `keyCompromise`,
    /// `superseded`, ...; RFC 5280 §5.3.1).
    Revoked {
        at: OffsetDateTime,
        reason: &'static str,
    },
}

/// A file name without its folder and extension.
fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Root (RSA) → intermediate (P-384) → leaf of the given key type with a Vietnamese subject.
pub fn standard_chain<I: Load>(pki: &Pki<I>, leaf_key: Key) -> (I, I, I) {
    let root = pki.root("root", Key::Rsa2048, "/C=VN/O=Bộ Thử Nghiệm/CN=Root CA");
    let int = pki.issue(
        "int",
        Key::P384,
        "/C=VN/O=Bộ Thử Nghiệm/CN=Intermediate CA",
        &root,
        true,
        2,
    );
    let leaf = pki.issue(
        "leaf",
        leaf_key,
        "/C=VN/L=Hà Nội/O=Bộ Thử Nghiệm/title=Giám đốc/CN=Nguyễn Văn An",
        &int,
        false,
        0x1234,
    );
    (root, int, leaf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_is_made_and_verifies_with_openssl() {
        if Command::new("openssl").arg("version").output().is_err() {
            eprintln!("skipped: no openssl");
            return;
        }
        let pki: Pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::P256);
        // A DER certificate is a SEQUENCE.
        assert!(leaf.der.starts_with(&[0x30]) && int.der.len() > 200);
        let (r, i, l) = (
            root.pem.to_str().unwrap(),
            int.pem.to_str().unwrap(),
            leaf.pem.to_str().unwrap(),
        );
        let out = openssl_output(
            pki.dir.path(),
            &["verify", "-CAfile", r, "-untrusted", i, l],
        );
        assert!(out.contains(": OK"), "{out}");
        assert_eq!(
            ca_time(time::macros::datetime!(2026-12-05 10:11:12 +07:00)),
            "261205031112Z"
        );
    }

    #[test]
    fn extensions_p12_crl_and_the_responder_index_reach_openssl() {
        if Command::new("openssl").arg("version").output().is_err() {
            eprintln!("skipped: no openssl");
            return;
        }
        let pki: Pki = Pki::new();
        let ca_ext = "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\n";
        let ca = pki.root_ext("ca", Key::Rsa2048, "/C=VN/CN=CA Thử", ca_ext);
        let ext = "basicConstraints = critical,CA:FALSE\nextendedKeyUsage = codeSigning\n";
        let good = pki.issue_ext("good", Key::P256, "/CN=Tốt", &ca, ext, 0x1001);
        let bad = pki.issue_ext("bad", Key::Rsa1024, "/CN=Xấu", &ca, ext, 0x1002);
        let text = openssl_output(
            pki.dir.path(),
            &["x509", "-in", "bad.pem", "-noout", "-text"],
        );
        assert!(
            text.contains("Code Signing") && text.contains("(1024 bit)"),
            "{text}"
        );
        assert!(text.contains("Serial Number: 4098 (0x1002)"), "{text}");
        let p12 = pki.p12(&good, &[&ca]);
        let out = openssl_output(
            pki.dir.path(),
            &[
                "pkcs12",
                "-in",
                p12.to_str().unwrap(),
                "-nokeys",
                "-passin",
                "pass:",
            ],
        );
        assert_eq!(out.matches("BEGIN CERTIFICATE").count(), 2, "{out}");
        let crl = pki.empty_crl(&ca);
        let out = openssl_output(
            pki.dir.path(),
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                crl.to_str().unwrap(),
                "-noout",
                "-text",
            ],
        );
        assert!(out.contains("No Revoked Certificates"), "{out}");
        // The responder reads the index: good, revoked at the given time and reason, unknown.
        let at = time::macros::datetime!(2025-03-01 02:03:04 UTC);
        let revoked = IndexStatus::Revoked {
            at,
            reason: "keyCompromise",
        };
        pki.ocsp_index(&[(&good, IndexStatus::Valid), (&bad, revoked)]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let r = pki.ocsp_process(port, &ca, &ca, &["-nmin", "5"]);
        pki.issue_ext("other", Key::P256, "/CN=Lạ", &ca, ext, 0x1003);
        #[rustfmt::skip]
        let out = openssl_output(pki.dir.path(), &[
            "ocsp", "-issuer", "ca.pem", "-cert", "good.pem", "-cert", "bad.pem",
            "-cert", "other.pem", "-url", &r.url(), "-CAfile", "ca.pem", "-timeout", "5",
        ]);
        assert!(out.contains("good.pem: good"), "{out}");
        assert!(out.contains("bad.pem: revoked"), "{out}");
        assert!(out.contains("Reason: keyCompromise"), "{out}");
        assert!(
            out.contains("Revocation Time: Mar  1 02:03:04 2025 GMT"),
            "{out}"
        );
        assert!(out.contains("other.pem: unknown"), "{out}");
    }
}
