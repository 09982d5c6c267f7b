//! Test helpers: a small PKI generated with the `openssl` command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pki::Certificate;

const CONFIG: &str = "\
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
    fn args(self) -> Vec<&'static str> {
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

/// Runs `openssl` in `dir`, panicking with its stderr on failure.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A temporary directory with an openssl config.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

/// A generated certificate and its key files.
pub struct Issued {
    pub pem: PathBuf,
    pub key: PathBuf,
    pub cert: Certificate,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("openssl.cnf"), CONFIG).unwrap();
        Pki { dir }
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn load(&self, name: &str) -> Issued {
        let pem = self.path(&format!("{name}.pem"));
        let certs = Certificate::parse_pem_or_der(&std::fs::read(&pem).unwrap()).unwrap();
        Issued {
            key: self.path(&format!("{name}.key")),
            pem,
            cert: certs.into_iter().next().unwrap(),
        }
    }

    /// Self-signed CA.
    pub fn root(&self, name: &str, key: Key, subj: &str) -> Issued {
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
    pub fn issue(
        &self,
        name: &str,
        key: Key,
        subj: &str,
        issuer: &Issued,
        ca: bool,
        serial: u32,
    ) -> Issued {
        let (k, csr) = (format!("{name}.key"), format!("{name}.csr"));
        let mut args = vec!["req", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend(["-nodes", "-keyout", &k, "-out", &csr, "-subj", subj]);
        openssl(self.dir.path(), &args);
        self.sign_csr(name, &csr, issuer, ca, serial)
    }

    /// Certificate for an existing CSR signed by `issuer` (used for cross-signing).
    pub fn sign_csr(
        &self,
        name: &str,
        csr: &str,
        issuer: &Issued,
        ca: bool,
        serial: u32,
    ) -> Issued {
        self.sign_csr_ext(
            name,
            csr,
            issuer,
            if ca { "v3_ca" } else { "v3_leaf" },
            serial,
        )
    }

    /// A delegated OCSP responder certificate (id-kp-OCSPSigning) for a new key, by `issuer`.
    pub fn ocsp_responder(&self, name: &str, key: Key, issuer: &Issued, serial: u32) -> Issued {
        let (k, csr) = (format!("{name}.key"), format!("{name}.csr"));
        let mut args = vec!["req", "-new", "-config", "openssl.cnf", "-utf8"];
        args.extend(key.args());
        args.extend(["-nodes", "-keyout", &k, "-out", &csr, "-subj", "/CN=OCSP"]);
        openssl(self.dir.path(), &args);
        self.sign_csr_ext(name, &csr, issuer, "v3_ocsp", serial)
    }

    /// Certificate for a CSR signed by `issuer` with the config's extension section `ext`.
    pub fn sign_csr_ext(
        &self,
        name: &str,
        csr: &str,
        issuer: &Issued,
        ext: &str,
        serial: u32,
    ) -> Issued {
        let p = format!("{name}.pem");
        let serial = serial.to_string();
        let (ipem, ikey) = (issuer.pem.to_str().unwrap(), issuer.key.to_str().unwrap());
        openssl(
            self.dir.path(),
            &[
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                ipem,
                "-CAkey",
                ikey,
                "-set_serial",
                &serial,
                "-days",
                "365",
                "-extfile",
                "openssl.cnf",
                "-extensions",
                ext,
                "-out",
                &p,
            ],
        );
        self.load(name)
    }

    /// CSR for an existing key.
    pub fn csr_for(&self, name: &str, key: &Path, subj: &str) {
        let csr = format!("{name}.csr");
        openssl(
            self.dir.path(),
            &[
                "req",
                "-new",
                "-config",
                "openssl.cnf",
                "-utf8",
                "-key",
                key.to_str().unwrap(),
                "-out",
                &csr,
                "-subj",
                subj,
            ],
        );
    }

    /// `openssl ocsp` as a one-shot responder over an index naming `leaf` (issued by `issuer`)
    /// good: the DER of a response signed by `signer`, without nextUpdate (no -ndays/-nmin).
    pub fn ocsp_good_without_next_update(
        &self,
        leaf: &Issued,
        issuer: &Issued,
        signer: &Issued,
    ) -> Vec<u8> {
        let line = format!(
            "V\t491231235959Z\t\t{}\tunknown\t/CN=leaf\n",
            leaf.cert.serial_hex()
        );
        std::fs::write(self.path("index.txt"), line).unwrap();
        let (ip, lp) = (issuer.pem.to_str().unwrap(), leaf.pem.to_str().unwrap());
        let dir = self.dir.path();
        let req = [
            "ocsp",
            "-issuer",
            ip,
            "-cert",
            lp,
            "-no_nonce",
            "-reqout",
            "q.der",
        ];
        openssl(dir, &req);
        let (sp, sk) = (signer.pem.to_str().unwrap(), signer.key.to_str().unwrap());
        openssl(
            dir,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                ip,
                "-rsigner",
                sp,
                "-rkey",
                sk,
                "-reqin",
                "q.der",
                "-respout",
                "r.der",
            ],
        );
        std::fs::read(self.path("r.der")).unwrap()
    }

    /// PKCS#8 DER of a key file.
    pub fn pkcs8(&self, key: &Path) -> Vec<u8> {
        let out = self.path("tmp.p8");
        openssl(
            self.dir.path(),
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-outform",
                "DER",
                "-in",
                key.to_str().unwrap(),
                "-out",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out).unwrap()
    }
}

/// Root (RSA) → intermediate (P-384) → leaf of the given key type with a Vietnamese subject.
pub fn standard_chain(pki: &Pki, leaf_key: Key) -> (Issued, Issued, Issued) {
    let root = pki.root("root", Key::Rsa2048, "/C=VN/O=Bộ Thử Nghiệm/CN=Root CA");
    let int = pki.issue(
        "int",
        Key::P384,
        "/C=VN/O=Bộ Thử Nghiệm/CN=Intermediate CA",
        &root,
        true,
        2,
    );
    let mut leaf = pki.issue(
        "leaf",
        leaf_key,
        "/C=VN/L=Hà Nội/O=Bộ Thử Nghiệm/title=Giám đốc/CN=Nguyễn Văn An",
        &int,
        false,
        0x1234,
    );
    leaf.key = pki.path("leaf.key");
    (root, int, leaf)
}
