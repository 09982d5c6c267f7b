//! tests/ffi/signer.c against libkyso.so: the C ABI verifies online by default, as `kyso
//! verify` does (the local OCSP responder of tests/support/local_pki.rs sees the request), and
//! offline with "offline": true or KYSO_OFFLINE=1 (no request, INDETERMINATE without
//! revocation data); signer handles sign several documents with one .p12 opening and with one
//! SoftHSM2 login shared by two threads.
//!
//! cc, openssl or SoftHSM2 missing: SKIP, unless KYSO_REQUIRE_TOOLS=1.

#[path = "../../../tests/support/local_pki.rs"]
mod local_pki;
#[path = "../../../tests/support/softhsm.rs"]
mod softhsm;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn have(tool: &str) -> bool {
    // openssl has no --version: its own word is `openssl version`.
    let ok = Command::new(tool)
        .arg(if tool == "openssl" {
            "version"
        } else {
            "--version"
        })
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("KYSO_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{tool} is required (KYSO_REQUIRE_TOOLS=1) but not found"
        );
        eprintln!("SKIP: {tool} not found");
    }
    ok
}

/// libkyso_ffi.so as cargo built it for this test run (deps/ or its parent, the newer).
fn built_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    let mut found: Vec<PathBuf> = [deps.parent().unwrap().to_path_buf(), deps]
        .into_iter()
        .map(|d| d.join("libkyso_ffi.so"))
        .filter(|p| p.exists())
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).and_then(|m| m.modified()).ok()));
    found.into_iter().next().expect("libkyso_ffi.so not built")
}

/// Builds tests/ffi/signer.c against the library installed as install.sh does.
fn build_program(dir: &Path) -> PathBuf {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::copy(built_library(), lib.join("libkyso.so.0")).unwrap();
    std::os::unix::fs::symlink("libkyso.so.0", lib.join("libkyso.so")).unwrap();
    let exe = dir.join("signer");
    let out = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo().join("tests/ffi/signer.c"))
        .arg("-I")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("include"))
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lkyso", "-lpthread"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// Runs the program; its stdout, or a failure with everything it printed.
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn input_pdf() -> PathBuf {
    repo().join("fixtures/docs/congvan.pdf")
}

#[test]
fn online_by_default_offline_when_asked() {
    if !have("cc") || !have("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let exe = build_program(tmp.path());
    let pki = local_pki::LocalPki::new(30);
    let p12 = pki.signer("ffi", "Nguyễn Văn Thử", 30);
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    run(Command::new(&exe)
        .arg("p12")
        .arg(&p12)
        .arg("")
        .arg(input_pdf())
        .arg(&work)
        .arg("1"));
    let signed = work.join("p12-0.pdf");
    let trust = serde_json::json!({ "trust": [pki.root()] });
    let verify = |opts: &serde_json::Value, env_offline: bool| {
        let mut cmd = Command::new(&exe);
        cmd.arg("verify")
            .arg(&signed)
            .arg(opts.to_string())
            .env_remove("KYSO_OFFLINE");
        if env_offline {
            cmd.env("KYSO_OFFLINE", "1");
        }
        run(&mut cmd).trim().to_string()
    };

    // Default options: the responder named in the signer's AIA is asked.
    let before = pki.hits("/ocsp");
    assert_eq!(verify(&trust, false), "rc=0 indication=TOTAL-PASSED");
    assert!(
        pki.hits("/ocsp") > before,
        "the C ABI did not ask the OCSP responder by default"
    );

    // "offline": true, and KYSO_OFFLINE=1: no request, and without revocation data the
    // signature cannot be judged valid.
    let mut offline = trust.clone();
    offline["offline"] = true.into();
    for (opts, env) in [(&offline, false), (&trust, true)] {
        let before = pki.hits("/ocsp");
        assert_eq!(verify(opts, env), "rc=3 indication=INDETERMINATE");
        assert_eq!(
            pki.hits("/ocsp"),
            before,
            "offline verification went online"
        );
    }
    // "offline": false says the default out loud.
    let mut online = trust.clone();
    online["offline"] = false.into();
    let before = pki.hits("/ocsp");
    assert_eq!(verify(&online, false), "rc=0 indication=TOTAL-PASSED");
    assert!(pki.hits("/ocsp") > before);
}

#[test]
fn p12_handle_signs_several_documents() {
    if !have("cc") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let exe = build_program(tmp.path());
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let pki = repo().join("fixtures/pki");
    let stdout = run(Command::new(&exe)
        .arg("p12")
        .arg(pki.join("leader.p12"))
        .arg("12345678")
        .arg(input_pdf())
        .arg(&work)
        .arg("3"));
    assert_eq!(stdout.trim(), "p12: 0 failures");
    check_signed(&exe, &work, "p12", 3);
    // A wrong password fails at opening, before any document.
    let out = Command::new(&exe)
        .arg("p12")
        .arg(pki.join("leader.p12"))
        .arg("sai-mat-khau")
        .arg(input_pdf())
        .arg(&work)
        .arg("1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("open p12: -5"));
}

/// Every `prefix-I.pdf` in `work` verifies TOTAL-PASSED against the fixture root.
fn check_signed(exe: &Path, work: &Path, prefix: &str, count: usize) {
    let pki = repo().join("fixtures/pki");
    let opts = serde_json::json!({
        "trust": [pki.join("root.pem")],
        // A token holds the signer's certificate only: the intermediate comes from here.
        "extra_certs": [pki.join("intermediate.pem")],
        "crls": [pki.join("intermediate.crl"), pki.join("root.crl")],
    });
    for i in 0..count {
        let pdf = work.join(format!("{prefix}-{i}.pdf"));
        let stdout = run(Command::new(exe)
            .arg("verify")
            .arg(&pdf)
            .arg(opts.to_string()));
        assert_eq!(
            stdout.trim(),
            "rc=0 indication=TOTAL-PASSED",
            "{}",
            pdf.display()
        );
    }
}

#[test]
fn pkcs11_handle_one_login_two_threads() {
    if !have("cc") || !softhsm::have_softhsm() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let exe = build_program(tmp.path());
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let store = softhsm::SoftHsm::new();
    store.init_token("Lanh Dao");
    store.import("Lanh Dao", "leader", "Nguyen Van A", &[0x01]);
    let opts = serde_json::json!({
        "pkcs11_module": softhsm::MODULE,
        "token": "Lanh Dao",
        "key_label": "Nguyen Van A",
        "pin": softhsm::PIN,
    });
    let stdout = run(Command::new(&exe)
        .arg("pkcs11")
        .arg(opts.to_string())
        .arg(input_pdf())
        .arg(&work)
        .arg("3")
        .env("SOFTHSM2_CONF", store.conf()));
    assert_eq!(stdout.trim(), "pkcs11: 0 failures");
    check_signed(&exe, &work, "token-0", 3);
    check_signed(&exe, &work, "token-1", 3);

    // A wrong PIN: refused at opening (KYSO_ERR_KEY), nothing signed.
    let mut wrong = opts.clone();
    wrong["pin"] = "000000".into();
    let out = Command::new(&exe)
        .arg("pkcs11")
        .arg(wrong.to_string())
        .arg(input_pdf())
        .arg(tmp.path())
        .arg("1")
        .env("SOFTHSM2_CONF", store.conf())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("open pkcs11: -5"), "{stderr}");
    assert!(!tmp.path().join("token-0-0.pdf").exists());
    // Signature options are refused at opening: the handle is only the key.
    let mut extra = opts.clone();
    extra["reason"] = "x".into();
    let out = Command::new(&exe)
        .arg("pkcs11")
        .arg(extra.to_string())
        .arg(input_pdf())
        .arg(tmp.path())
        .arg("1")
        .env("SOFTHSM2_CONF", store.conf())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("open pkcs11: -1"));
}
