//! Helpers shared by the integration tests: paths, running the `kyso` binary, tools.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

pub fn pki(name: &str) -> PathBuf {
    fixture(&format!("pki/{name}"))
}

/// The shared data folder beside the project, when present.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    p.is_dir().then(|| p.canonicalize().unwrap())
}

pub fn kyso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kyso"));
    c.env_remove("KYSO_PIN");
    // Tests never reach the network: only local files and servers on 127.0.0.1.
    c.env("KYSO_OFFLINE", "1");
    // Hermetic language: kyso's default (Vietnamese), whatever the machine's locale; a test
    // wanting English passes --lang en.
    for v in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    // Hermetic: never the user's own trust store.
    c.env(
        "KYSO_TRUST_DIR",
        std::env::temp_dir().join(format!("kyso-test-no-trust-{}", std::process::id())),
    );
    c
}

/// `kyso` allowed online, for tests whose certificates name only servers they start on
/// 127.0.0.1; never through a proxy from the environment.
pub fn kyso_online() -> Command {
    let mut c = kyso();
    c.env_remove("KYSO_OFFLINE");
    for v in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        c.env_remove(v);
    }
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run command")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Password of each fixture key file (fixtures/pki/README.md).
pub fn p12_password(p12: &str) -> &'static str {
    if p12.starts_with("leader") {
        "12345678"
    } else {
        ""
    }
}

/// `kyso sign INPUT -o OUTPUT --p12 fixtures/pki/P12` with the key's password in KYSO_PIN;
/// more arguments may follow.
pub fn sign_cmd(input: impl AsRef<OsStr>, output: impl AsRef<OsStr>, p12: &str) -> Command {
    let mut c = kyso();
    c.arg("sign")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--p12")
        .arg(pki(p12))
        .env("KYSO_PIN", p12_password(p12));
    c
}

/// [`sign_cmd`] with extra CLI args, run; its output (not asserted).
pub fn try_sign(input: &Path, output: &Path, p12: &str, extra: &[&str]) -> Output {
    run(sign_cmd(input, output, p12).args(extra))
}

/// Signs `input` into `output` with fixture key `p12`, extra CLI args; asserts success.
pub fn sign(input: &Path, output: &Path, p12: &str, extra: &[&str]) -> Output {
    let o = try_sign(input, output, p12, extra);
    assert!(
        o.status.success(),
        "kyso sign {} with {p12} failed: {}",
        input.display(),
        stderr(&o)
    );
    o
}

/// `kyso sign --batch DIR -o OUT --p12 fixtures/pki/P12` plus `extra`, with the key's password
/// in KYSO_PIN; its output (not asserted).
pub fn sign_batch(dir: &Path, out: &Path, p12: &str, extra: &[&str]) -> Output {
    run(kyso()
        .arg("sign")
        .arg("--batch")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .arg("--p12")
        .arg(pki(p12))
        .args(extra)
        .env("KYSO_PIN", p12_password(p12)))
}

/// The test PKI's CRLs (fixtures/pki/make-crls.sh): revocation answers for its certificates.
pub fn crl_args() -> Vec<std::ffi::OsString> {
    vec![
        "--crl".into(),
        pki("intermediate.crl").into(),
        "--crl".into(),
        pki("root.crl").into(),
    ]
}

/// `kyso verify --json` with the fixture root as trust anchor and the fixture CRLs:
/// (exit code, report).
pub fn verify_json(pdf: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let o = run(kyso()
        .arg("verify")
        .arg(pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args())
        .args(extra));
    let code = o.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "verify output is not JSON ({e}): {} / {}",
            stdout(&o),
            stderr(&o)
        )
    });
    (code, json)
}

/// Whether an external tool is on PATH; with KYSO_REQUIRE_TOOLS=1 a missing tool fails the test.
pub fn have_tool(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("KYSO_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{name} is required (run scripts/install-test-deps.sh)");
        }
        eprintln!("SKIP: {name} not installed (scripts/install-test-deps.sh installs it)");
    }
    found
}

pub mod serve;
#[allow(unused_imports)]
pub use serve::Serve;
