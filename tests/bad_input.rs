//! Bad input: one clear line on stderr, the documented exit code, no panic, nothing written.

mod common;

use common::*;
use std::process::Command;

fn assert_clean_error(o: &std::process::Output, code: i32, what: &str) {
    assert_eq!(o.status.code(), Some(code), "{what}: {}", stderr(o));
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what} panicked: {err}");
    assert!(
        err.starts_with("kyso: ") || err.starts_with("error:"),
        "{what}: {err}"
    );
}

#[test]
fn verify_rejects_unreadable_inputs_with_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("note.pdf");
    std::fs::write(&text, "Đây không phải là PDF\n".repeat(100)).unwrap();
    let truncated = dir.path().join("truncated.pdf");
    let full = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let missing = dir.path().join("missing.pdf");
    for (path, what) in [
        (empty.as_path(), "empty file"),
        (text.as_path(), "not a PDF"),
        (truncated.as_path(), "truncated PDF"),
        (missing.as_path(), "missing file"),
        (dir.path(), "a directory"),
    ] {
        let o = run(kyso().arg("verify").arg(path));
        assert_clean_error(&o, 4, what);
        assert_eq!(stderr(&o).lines().count(), 1, "{what}: {}", stderr(&o));
    }
    // An unsigned PDF: exit 4 with a report saying so.
    let o = run(kyso().arg("verify").arg(fixture("docs/congvan.pdf")));
    assert_eq!(o.status.code(), Some(4));
    assert!(stdout(&o).contains("không có chữ ký"), "{}", stdout(&o));
}

#[test]
fn sign_fails_cleanly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"%PDF-1.7\nnothing else here\n").unwrap();
    let before = std::fs::read(&junk).unwrap();
    for (input, what) in [
        (empty.as_path(), "empty input"),
        (junk.as_path(), "damaged input"),
        (dir.path(), "directory input"),
        (dir.path().join("missing.pdf").as_path(), "missing input"),
    ] {
        let o = run(kyso()
            .arg("sign")
            .arg(input)
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(pki("agency.p12")));
        assert_clean_error(&o, 1, what);
        assert!(!out.exists(), "{what}: output left behind");
    }
    assert_eq!(std::fs::read(&junk).unwrap(), before);

    // Wrong password, from the environment and from a file.
    let o = run(sign_cmd(fixture("docs/congvan.pdf"), &out, "leader.p12")
        .args(["--lang", "en"])
        .env("KYSO_PIN", "sai-mat-khau"));
    assert_clean_error(&o, 1, "wrong password");
    assert!(stderr(&o).contains("password"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("sai-mat-khau"), "the password leaked");
    let pin = dir.path().join("pin.txt");
    std::fs::write(&pin, "12345678\n").unwrap();
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("leader.p12"))
        .arg("--pin-file")
        .arg(&pin));
    assert!(o.status.success(), "{}", stderr(&o));
    // No temporary files are left in the output folder.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn usage_errors_exit_2() {
    let o = run(kyso().args(["verify"]));
    assert_eq!(o.status.code(), Some(2));
    let o = run(kyso().args(["sign", "a.pdf", "--p12", "k.p12"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // There is no way to give a password as an argument.
    let o = run(kyso().args([
        "sign", "a.pdf", "-o", "b.pdf", "--p12", "k.p12", "--pin", "1",
    ]));
    assert_eq!(o.status.code(), Some(2));
    let o = run(kyso()
        .arg("verify")
        .arg(fixture("docs/congvan.pdf"))
        .arg("--trust")
        .arg("/nonexistent/root.pem"));
    assert_eq!(o.status.code(), Some(2));
}

/// `kyso info | head`, `kyso verify | head`: a reader that goes away is not a crash.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let signed = tempfile::tempdir().unwrap();
    let pdf = signed.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &pdf, "leader.p12", &[]);
    for args in [vec!["info"], vec!["verify", "--offline"]] {
        let mut child = kyso()
            .args(&args)
            .arg(&pdf)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before kyso writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}

/// An existing output is never replaced without --overwrite (single files as --batch).
#[test]
fn an_existing_output_needs_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    std::fs::write(&out, b"someone's signed original").unwrap();
    let o = run(&mut sign_cmd(
        fixture("docs/congvan.pdf"),
        &out,
        "agency.p12",
    ));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--overwrite"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"someone's signed original");
    let o = run(kyso()
        .arg("sign")
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--overwrite")
        .arg("--p12")
        .arg(pki("agency.p12"))
        .env("KYSO_PIN", ""));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
}

/// A verdict reached with revocation checking switched off says so on the verdict line, and the
/// JSON carries `revocation_checked`.
#[test]
fn revocation_off_is_said_on_the_verdict_line() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &pdf, "leader.p12", &[]);
    let (code, report) = verify_json(&pdf, &["--revocation", "off"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["revocation_checked"], false);
    let (_, report) = verify_json(&pdf, &[]);
    assert_eq!(report["revocation_checked"], true);
    for (lang, words) in [
        ("en", "revocation NOT checked"),
        ("vi", "KHÔNG kiểm tra tình trạng thu hồi"),
    ] {
        let o = run(kyso()
            .args([
                "verify",
                "--offline",
                "--revocation",
                "off",
                "--lang",
                lang,
                "--trust",
            ])
            .arg(pki("root.pem"))
            .arg(&pdf));
        let verdict_line = stdout(&o)
            .lines()
            .find(|l| l.starts_with("Verdict") || l.starts_with("Kết luận"))
            .unwrap_or_default()
            .to_string();
        assert!(verdict_line.contains(words), "{lang}: {verdict_line}");
    }
}

/// Signed files get the umask's permissions (0644 under 022, 0600 under 077), not 0600 always.
#[cfg(unix)]
#[test]
fn outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let program = kyso().get_program().to_owned();
    for (umask, want) in [("022", 0o644), ("077", 0o600)] {
        let out = dir.path().join(format!("signed-{umask}.pdf"));
        let o = run(Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(&program)
            .arg("sign")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(pki("agency.p12"))
            .env("KYSO_PIN", ""));
        assert!(o.status.success(), "{}", stderr(&o));
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "umask {umask}: mode {mode:o}");
    }
}
