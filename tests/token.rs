//! `kyso token list` and `kyso sign --pkcs11` against SoftHSM2 (Debian `softhsm2`). Each test
//! makes its own token directory and SOFTHSM2_CONF in a temporary directory, initialises tokens
//! with `softhsm2-util`, imports the fixture keys with `softhsm2-util --import` and writes the
//! certificates through cryptoki (softhsm2-util cannot import certificates). SoftHSM2 renumbers
//! slots after initialisation, so tokens are always chosen by label.
//!
//! Skipped (with a message) when SoftHSM2 is not installed, unless KYSO_REQUIRE_TOOLS=1.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

#[path = "support/softhsm.rs"]
mod softhsm;
use softhsm::{have_softhsm, SoftHsm, MODULE, PIN};

/// Running the `kyso` binary against a token store.
trait TokenCli {
    fn store(&self) -> &SoftHsm;

    /// `kyso` with this token store.
    fn kyso(&self) -> Command {
        let mut c = kyso();
        c.env("SOFTHSM2_CONF", self.store().conf())
            .env_remove("KYSO_PKCS11_MODULE");
        c
    }

    /// `kyso sign congvan.pdf -o OUT --pkcs11 MODULE ARGS` with `pin` in KYSO_PIN.
    fn sign(&self, out: &Path, pin: &str, args: &[&str]) -> std::process::Output {
        run(self
            .kyso()
            .arg("sign")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(out)
            .args(["--pkcs11", MODULE])
            .args(args)
            .env("KYSO_PIN", pin))
    }

    fn user_pin_flags(&self, token: &str) -> Vec<String> {
        let o = run(self
            .kyso()
            .args(["token", "list", "--json", "--module", MODULE]));
        assert!(o.status.success(), "{}", stderr(&o));
        let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == token)
            .expect("token")["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            .collect()
    }
}

impl TokenCli for SoftHsm {
    fn store(&self) -> &SoftHsm {
        self
    }
}

#[test]
fn token_list_shows_tokens_and_certificates() {
    if !have_softhsm() {
        return;
    }
    let hsm = SoftHsm::new();
    hsm.init_token("Lanh dao");
    hsm.import("Lanh dao", "leader", "An", &[1]);

    let o = run(hsm.kyso().args(["token", "list", "--module", MODULE]));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("token \"Lanh dao\"")
            && text.contains("CN=Nguyễn Văn An")
            && text.contains("(id 01)")
            && text.contains("login required"),
        "{text}"
    );

    // The module from KYSO_PKCS11_MODULE, JSON output.
    let o = run(hsm
        .kyso()
        .args(["token", "list", "--json"])
        .env("KYSO_PKCS11_MODULE", MODULE));
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let token = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "Lanh dao")
        .expect("token");
    assert_eq!(token["manufacturer"], "SoftHSM project");
    let cert = &token["certificates"][0];
    assert!(cert["subject"].as_str().unwrap().contains("Nguyễn Văn An"));
    assert_eq!(cert["id"], "01");
    assert_eq!(cert["label"], "An");

    // No module at all: a usage error; a module that is not there: a clear error.
    let o = run(hsm.kyso().args(["token", "list"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(hsm
        .kyso()
        .args(["token", "list", "--module", "/nonexistent/libp11.so"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not found"), "{}", stderr(&o));
}

#[test]
fn signs_with_rsa_pss_and_ecdsa_keys_on_tokens() {
    if !have_softhsm() {
        return;
    }
    let hsm = SoftHsm::new();
    hsm.init_token("Lanh dao");
    hsm.import("Lanh dao", "leader", "An", &[1]);
    hsm.write_certificate("Lanh dao", "intermediate.pem", "CA", &[0xca]);
    hsm.init_token("Pho GD");
    hsm.import("Pho GD", "ecdsa", "Binh", &[2]);
    let dir = tempfile::tempdir().unwrap();
    let intermediate = pki("intermediate.pem");
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "rsa",
            &["--token", "Lanh dao"],
            "RSA-2048 PKCS#1 v1.5, SHA-256",
        ),
        (
            "pss",
            &["--token", "Lanh dao", "--pss", "--hash", "sha512"],
            "RSA-2048 PSS, SHA-512",
        ),
        (
            "ecdsa",
            &[
                "--token",
                "Pho GD",
                "--key-id",
                "02",
                "--chain",
                intermediate.to_str().unwrap(),
            ],
            "SHA-256",
        ),
    ];
    for (name, args, algorithm) in cases {
        let out = dir.path().join(format!("{name}.pdf"));
        let o = hsm.sign(&out, PIN, args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let (code, report) = verify_json(&out, &[]);
        assert_eq!(code, 0, "{name}: {report:#}");
        let sig = &report["signatures"][0];
        assert!(
            sig["algorithm"].as_str().unwrap().ends_with(algorithm),
            "{name}: {}",
            sig["algorithm"]
        );
        // The chain in the CMS (from the token, or --chain) lets a verifier that only knows
        // the root build the path.
        assert_eq!(sig["chain"].as_array().unwrap().len(), 3, "{name}: {sig:#}");
        if have_tool("pyhanko") {
            let o = run(Command::new("pyhanko")
                .args(["sign", "validate", "--trust"])
                .arg(pki("root.pem"))
                .args([
                    "--trust-replace",
                    "--no-revocation-check",
                    "--executive-summary",
                ])
                .arg(&out));
            let text = format!("{}{}", stdout(&o), stderr(&o));
            assert!(o.status.success(), "pyhanko rejected {name}: {text}");
            assert!(stdout(&o).trim_end().ends_with(":VALID"), "{name}: {text}");
        }
    }
    let signer = &verify_json(&dir.path().join("rsa.pdf"), &[]).1["signatures"][0]["signer"];
    assert_eq!(signer["common_name"], "Nguyễn Văn An");
}

#[test]
fn wrong_pin_fails_once_and_writes_nothing() {
    if !have_softhsm() {
        return;
    }
    let hsm = SoftHsm::new();
    hsm.init_token("Lanh dao");
    hsm.import("Lanh dao", "leader", "An", &[1]);
    assert!(!hsm
        .user_pin_flags("Lanh dao")
        .contains(&"PIN count low".to_owned()));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");

    let o = hsm.sign(&out, "000000", &["--token", "Lanh dao"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("wrong PIN") && err.contains("CKR_PIN_INCORRECT"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // SoftHSM2 has no readable try counter: one wrong PIN raises "count low" (and any number
    // of them never more), so the cost is checked as: count low now, not final try / locked,
    // and the right PIN still signs.
    let flags = hsm.user_pin_flags("Lanh dao");
    assert!(flags.contains(&"PIN count low".to_owned()), "{flags:?}");
    assert!(
        !flags
            .iter()
            .any(|f| f == "PIN final try" || f == "PIN locked"),
        "{flags:?}"
    );
    let o = hsm.sign(&out, PIN, &["--token", "Lanh dao"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // No PIN source and no terminal: refused without touching the token.
    let o = run(hsm
        .kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(dir.path().join("nopin.pdf"))
        .args(["--pkcs11", MODULE, "--token", "Lanh dao"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("KYSO_PIN"), "{}", stderr(&o));
}

#[test]
fn two_keys_without_a_selector_are_named() {
    if !have_softhsm() {
        return;
    }
    let hsm = SoftHsm::new();
    hsm.init_token("Chung");
    hsm.import("Chung", "leader", "An", &[1]);
    hsm.import("Chung", "ecdsa", "Binh", &[2]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.pdf");

    let o = hsm.sign(&out, PIN, &["--token", "Chung"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("\"An\" (id 01)")
            && err.contains("\"Binh\" (id 02)")
            && err.contains("--key-label"),
        "{err}"
    );
    assert!(!out.exists());

    let intermediate = pki("intermediate.pem");
    let o = hsm.sign(
        &out,
        PIN,
        &[
            "--token",
            "Chung",
            "--key-label",
            "An",
            "--chain",
            intermediate.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, report) = verify_json(&out, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["signatures"][0]["signer"]["common_name"],
        "Nguyễn Văn An"
    );

    // --p12 and --pkcs11 exclude each other; --key-id needs --pkcs11.
    let o = run(hsm
        .kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(dir.path().join("x.pdf"))
        .arg("--p12")
        .arg(pki("leader.p12"))
        .args(["--pkcs11", MODULE]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(hsm
        .kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(dir.path().join("x.pdf"))
        .arg("--p12")
        .arg(pki("leader.p12"))
        .args(["--key-id", "01"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
