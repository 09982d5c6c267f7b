//! PKCS#12 loading and signing, checked against files and verifications made by the `openssl`
//! command line (OpenSSL 3).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use kyso::crypto::{DigestAlgorithm, SignatureScheme};
use kyso::error::Error;
use kyso::sign::{load_p12, KeyKind, Signer, SoftwareIdentity};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn openssl_ok(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
        .status
        .success()
}

#[derive(Clone, Copy, Debug)]
enum Alg {
    Rsa2048,
    P256,
    P384,
}

impl Alg {
    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            Alg::Rsa2048 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            Alg::P256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Alg::P384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        }
    }

    fn kind(self) -> KeyKind {
        match self {
            Alg::Rsa2048 => KeyKind::Rsa { bits: 2048 },
            Alg::P256 => KeyKind::EcP256,
            Alg::P384 => KeyKind::EcP384,
        }
    }
}

/// root → intermediate → leaf, plus an unrelated self-signed certificate; all DER.
struct Pki {
    dir: tempfile::TempDir,
    leaf: Vec<u8>,
    intermediate: Vec<u8>,
    root: Vec<u8>,
    unrelated: Vec<u8>,
}

impl Pki {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn new(alg: Alg) -> Pki {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for name in ["root", "int", "leaf", "other"] {
            let mut args = vec!["genpkey", "-out"];
            let file = format!("{name}.key");
            args.push(&file);
            args.extend_from_slice(alg.genpkey_args());
            openssl(d, &args);
        }
        std::fs::write(d.join("ca.ext"), "basicConstraints=critical,CA:TRUE\n").expect("write");
        std::fs::write(d.join("leaf.ext"), "basicConstraints=CA:FALSE\n").expect("write");
        for (name, cn) in [("root", "Test Root CA"), ("other", "Unrelated")] {
            openssl(
                d,
                &[
                    "req",
                    "-x509",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN={cn}"),
                    "-days",
                    "2",
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        for (name, cn, ca, ext) in [
            ("int", "Test Intermediate CA", "root", "ca.ext"),
            ("leaf", "Nguyen Van A", "int", "leaf.ext"),
        ] {
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN={cn}"),
                    "-out",
                    &format!("{name}.csr"),
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    &format!("{ca}.pem"),
                    "-CAkey",
                    &format!("{ca}.key"),
                    "-set_serial",
                    "7",
                    "-days",
                    "2",
                    "-extfile",
                    ext,
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        let der = |name: &str| {
            openssl(
                d,
                &[
                    "x509",
                    "-in",
                    &format!("{name}.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{name}.der"),
                ],
            );
            std::fs::read(d.join(format!("{name}.der"))).expect("read der")
        };
        // Deliberately out of order in the file: unrelated, root, intermediate.
        let extra: String = ["other.pem", "root.pem", "int.pem"]
            .iter()
            .map(|f| std::fs::read_to_string(d.join(f)).expect("read pem"))
            .collect();
        std::fs::write(d.join("extra.pem"), extra).expect("write");
        openssl(
            d,
            &["pkey", "-in", "leaf.key", "-pubout", "-out", "pub.pem"],
        );
        Pki {
            leaf: der("leaf"),
            intermediate: der("int"),
            root: der("root"),
            unrelated: der("other"),
            dir,
        }
    }

    /// Exports leaf key + leaf cert + the extra certificates with `extra_args` (password options).
    fn export(&self, name: &str, extra_args: &[&str]) -> PathBuf {
        let mut args = vec![
            "pkcs12",
            "-export",
            "-inkey",
            "leaf.key",
            "-in",
            "leaf.pem",
            "-certfile",
            "extra.pem",
            "-name",
            "signer",
            "-out",
            name,
        ];
        args.extend_from_slice(extra_args);
        openssl(self.path(), &args);
        self.path().join(name)
    }

    fn check_identity(&self, id: &SoftwareIdentity, alg: Alg) {
        assert_eq!(id.key_kind(), alg.kind());
        assert!(
            id.certificate_der() == self.leaf.as_slice(),
            "wrong signer certificate"
        );
        assert_eq!(
            id.chain_der(),
            &[
                self.intermediate.clone(),
                self.root.clone(),
                self.unrelated.clone()
            ],
            "chain must be issuer first, root, then leftovers"
        );
    }
}

fn load(path: &Path, password: &str) -> kyso::error::Result<SoftwareIdentity> {
    load_p12(&std::fs::read(path).expect("read p12"), password)
}

fn exports_load(alg: Alg) {
    let pki = Pki::new(alg);
    let modern = pki.export("modern.p12", &["-passout", "pass:Mật khẩu 123"]);
    let empty = pki.export("empty.p12", &["-passout", "pass:"]);
    let legacy = pki.export("legacy.p12", &["-legacy", "-passout", "pass:secret"]);
    let legacy_empty = pki.export("legacy-empty.p12", &["-legacy", "-passout", "pass:"]);
    let plain = pki.export(
        "plain.p12",
        &[
            "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", "pass:",
        ],
    );

    pki.check_identity(&load(&modern, "Mật khẩu 123").expect("modern"), alg);
    pki.check_identity(&load(&empty, "").expect("empty password"), alg);
    pki.check_identity(&load(&legacy, "secret").expect("legacy"), alg);
    pki.check_identity(&load(&legacy_empty, "").expect("legacy, empty"), alg);
    pki.check_identity(&load(&plain, "").expect("no protection"), alg);

    for (path, wrong) in [
        (&modern, "mật khẩu 123"),
        (&modern, ""),
        (&empty, "x"),
        (&legacy, "Secret"),
        (&legacy, ""),
    ] {
        match load(path, wrong) {
            Err(Error::WrongPassword) => {}
            other => panic!("{path:?} with a wrong password: {:?}", other.map(|_| ())),
        }
    }

    // Truncated and corrupted files: an error, never a panic.
    let bytes = std::fs::read(&modern).expect("read");
    for cut in [0, 1, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(load_p12(&bytes[..cut], "Mật khẩu 123").is_err());
    }
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 3;
    flipped[mid] ^= 0x55;
    assert!(load_p12(&flipped, "Mật khẩu 123").is_err());
}

#[test]
fn p12_rsa2048() {
    exports_load(Alg::Rsa2048);
}

#[test]
fn p12_p256() {
    exports_load(Alg::P256);
}

#[test]
fn p12_p384() {
    exports_load(Alg::P384);
}

#[test]
fn garbage_bytes() {
    for input in [
        &b""[..],
        b"garbage",
        &[0x30, 0x82, 0xFF, 0xFF, 0x02],
        &[0xFF; 64],
    ] {
        match load_p12(input, "pw") {
            Err(Error::Key(_)) => {}
            other => panic!("garbage: {:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn key_without_matching_certificate() {
    let pki = Pki::new(Alg::P256);
    // Key of "other", certificate of the leaf: p12 export refuses a mismatch unless -nocerts,
    // so put only foreign certificates next to the key.
    openssl(
        pki.path(),
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "other.key",
            "-nocerts",
            "-certfile",
            "extra.pem",
            "-passout",
            "pass:pw",
            "-out",
            "mismatch.p12",
        ],
    );
    // extra.pem contains other.pem, which *does* match: rebuild with just root + intermediate.
    let chain: String = ["root.pem", "int.pem"]
        .iter()
        .map(|f| std::fs::read_to_string(pki.path().join(f)).expect("read"))
        .collect();
    std::fs::write(pki.path().join("chain.pem"), chain).expect("write");
    openssl(
        pki.path(),
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "other.key",
            "-nocerts",
            "-certfile",
            "chain.pem",
            "-passout",
            "pass:pw",
            "-out",
            "nomatch.p12",
        ],
    );
    let ok = load(&pki.path().join("mismatch.p12"), "pw").expect("match by public key");
    assert_eq!(ok.certificate, pki.unrelated);
    match load(&pki.path().join("nomatch.p12"), "pw") {
        Err(Error::Key(msg)) => assert!(msg.contains("matches the private key"), "{msg}"),
        other => panic!("no matching certificate: {:?}", other.map(|_| ())),
    }
    // Certificates only, no key.
    openssl(
        pki.path(),
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "leaf.pem",
            "-passout",
            "pass:pw",
            "-out",
            "nokey.p12",
        ],
    );
    match load(&pki.path().join("nokey.p12"), "pw") {
        Err(Error::Key(msg)) => assert!(msg.contains("no private key"), "{msg}"),
        other => panic!("no key: {:?}", other.map(|_| ())),
    }
}

/// Files from Python `cryptography` with NoEncryption (password "" = BMPString `00 00`).
/// The absent-password (NULL) MAC variant is tested in `sign::p12`'s unit tests.
#[test]
fn python_cryptography_no_encryption() {
    let has_python = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_python {
        eprintln!("SKIPPED: python3 with `cryptography` is not installed");
        return;
    }
    let pki = Pki::new(Alg::P256);
    let script = r#"
from cryptography import x509
from cryptography.hazmat.primitives.serialization import NoEncryption, load_pem_private_key, pkcs12
key = load_pem_private_key(open("leaf.key", "rb").read(), None)
cert = x509.load_pem_x509_certificate(open("leaf.pem", "rb").read())
cas = [x509.load_pem_x509_certificate(open(f, "rb").read()) for f in ("root.pem", "int.pem")]
open("nopass.p12", "wb").write(pkcs12.serialize_key_and_certificates(b"a", key, cert, cas, NoEncryption()))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .current_dir(pki.path())
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = load(&pki.path().join("nopass.p12"), "").expect("no encryption");
    assert_eq!(id.certificate, pki.leaf);
    assert_eq!(id.chain, vec![pki.intermediate.clone(), pki.root.clone()]);
    assert!(matches!(
        load(&pki.path().join("nopass.p12"), "x"),
        Err(Error::WrongPassword)
    ));
}

fn verify_with_openssl(pki: &Pki, sig: &[u8], digest: DigestAlgorithm, pss: bool) -> bool {
    std::fs::write(pki.path().join("sig.bin"), sig).expect("write");
    let md = match digest {
        DigestAlgorithm::Sha256 => "-sha256",
        DigestAlgorithm::Sha384 => "-sha384",
        DigestAlgorithm::Sha512 => "-sha512",
        DigestAlgorithm::Sha1 => "-sha1",
        DigestAlgorithm::Shake256 => "-shake256",
    };
    let mut args = vec!["dgst", md, "-verify", "pub.pem", "-signature", "sig.bin"];
    if pss {
        // Salt length -1 = the digest's length (RFC 8017 §9.1 with sLen = hLen, RFC 4055 §3.1).
        args.extend_from_slice(&[
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:-1",
        ]);
    }
    args.push("msg.bin");
    openssl_ok(pki.path(), &args)
}

fn signatures_verify(alg: Alg) {
    let pki = Pki::new(alg);
    let path = pki.export("id.p12", &["-passout", "pass:pw"]);
    let id = load(&path, "pw").expect("load");
    let msg: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    std::fs::write(pki.path().join("msg.bin"), &msg).expect("write");

    let cases: Vec<(
        SignatureScheme,
        DigestAlgorithm,
        &'static dyn VerificationAlgorithm,
    )> = match alg {
        Alg::Rsa2048 => vec![
            (
                SignatureScheme::RsaPkcs1v15,
                DigestAlgorithm::Sha256,
                &signature::RSA_PKCS1_2048_8192_SHA256,
            ),
            (
                SignatureScheme::RsaPkcs1v15,
                DigestAlgorithm::Sha384,
                &signature::RSA_PKCS1_2048_8192_SHA384,
            ),
            (
                SignatureScheme::RsaPkcs1v15,
                DigestAlgorithm::Sha512,
                &signature::RSA_PKCS1_2048_8192_SHA512,
            ),
            (
                SignatureScheme::RsaPss,
                DigestAlgorithm::Sha256,
                &signature::RSA_PSS_2048_8192_SHA256,
            ),
            (
                SignatureScheme::RsaPss,
                DigestAlgorithm::Sha384,
                &signature::RSA_PSS_2048_8192_SHA384,
            ),
            (
                SignatureScheme::RsaPss,
                DigestAlgorithm::Sha512,
                &signature::RSA_PSS_2048_8192_SHA512,
            ),
        ],
        Alg::P256 => vec![(
            SignatureScheme::Ecdsa,
            DigestAlgorithm::Sha256,
            &signature::ECDSA_P256_SHA256_ASN1,
        )],
        Alg::P384 => vec![(
            SignatureScheme::Ecdsa,
            DigestAlgorithm::Sha384,
            &signature::ECDSA_P384_SHA384_ASN1,
        )],
    };
    for (scheme, digest, verify_alg) in cases {
        let sig = id.sign(&msg, digest, scheme).expect("sign");
        let pss = scheme == SignatureScheme::RsaPss;
        assert!(
            verify_with_openssl(&pki, &sig, digest, pss),
            "openssl rejects {scheme:?}/{digest:?}"
        );
        UnparsedPublicKey::new(verify_alg, id.key.public_key_bytes())
            .verify(&msg, &sig)
            .unwrap_or_else(|_| panic!("aws-lc-rs rejects {scheme:?}/{digest:?}"));
        // A different message must not verify.
        assert!(
            UnparsedPublicKey::new(verify_alg, id.key.public_key_bytes())
                .verify(b"other", &sig)
                .is_err()
        );
        if pss {
            // PSS must not pass as PKCS#1 v1.5.
            assert!(!verify_with_openssl(&pki, &sig, digest, false));
        }
    }
    // Nonsense combinations are refused, not signed.
    let bad = match alg {
        Alg::Rsa2048 => id.sign(&msg, DigestAlgorithm::Sha256, SignatureScheme::Ecdsa),
        _ => id.sign(&msg, DigestAlgorithm::Sha256, SignatureScheme::RsaPss),
    };
    assert!(matches!(bad, Err(Error::InvalidArgument(_))));
    assert!(matches!(
        id.sign(
            &msg,
            DigestAlgorithm::Sha1,
            alg.kind().default_scheme(false)
        ),
        Err(Error::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn signatures_rsa2048() {
    signatures_verify(Alg::Rsa2048);
}

#[test]
fn signatures_p256() {
    signatures_verify(Alg::P256);
}

#[test]
fn signatures_p384() {
    signatures_verify(Alg::P384);
}

/// Not asserted: prints the RSA-2048 signing time (`cargo test -- --nocapture`).
#[test]
fn rsa2048_signing_time() {
    let pki = Pki::new(Alg::Rsa2048);
    let id = load(&pki.export("t.p12", &["-passout", "pass:pw"]), "pw").expect("load");
    let msg = [0x31u8; 200];
    let n = 200u32;
    for (name, scheme) in [
        ("PKCS#1 v1.5", SignatureScheme::RsaPkcs1v15),
        ("PSS", SignatureScheme::RsaPss),
    ] {
        for _ in 0..20 {
            id.sign(&msg, DigestAlgorithm::Sha256, scheme)
                .expect("warm-up");
        }
        let start = Instant::now();
        for _ in 0..n {
            id.sign(&msg, DigestAlgorithm::Sha256, scheme)
                .expect("sign");
        }
        let per = start.elapsed() / n;
        println!("RSA-2048 {name} SHA-256 signing: {per:?} per signature ({n} runs)");
    }
}
