//! What a user at a desk expects (issue 16 items 3, 5, 6): interrupting a signing leaves no
//! temporary file and the input intact; batch re-runs skip what is signed; -q and -v; shell
//! completions; a progress bar on a terminal only; .p12 passwords (empty, retyped); the
//! signer's own certificate checked (revoked, expiring); --crl and `trust add` refuse what
//! they cannot use.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/local_pki.rs"]
mod local_pki;

/// A PDF of about `mb` megabytes (the benchmark's generator).
fn big_pdf(dir: &Path, mb: u32) -> PathBuf {
    let out = dir.join(format!("big-{mb}.pdf"));
    let o = run(Command::new("python3")
        .arg(fixture("../benches/make_big_pdf.py"))
        .arg(&out)
        .arg(mb.to_string()));
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// Names in `dir` that look like kyso's temporary outputs.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kyso-") || n.ends_with(".tmp"))
        .collect()
}

fn digest(path: &Path) -> String {
    let o = run(Command::new("sha256sum").arg(path));
    assert!(o.status.success());
    stdout(&o).split_whitespace().next().unwrap().to_string()
}

#[cfg(unix)]
#[test]
fn an_interrupted_signing_leaves_no_temporary_file_and_the_input_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let input = big_pdf(tmp.path(), 300);
    let before = digest(&input);
    let outdir = tmp.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let output = outdir.join(format!("signed-{signal}.pdf"));
        let mut child = sign_cmd(&input, &output, "agency.p12")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the temporary output is being written, then interrupt.
        let start = Instant::now();
        loop {
            let growing = std::fs::read_dir(&outdir).unwrap().flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(".kyso-")
                    && e.metadata().is_ok_and(|m| m.len() > 1 << 20)
            });
            if growing {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "{signal}: kyso ended before it could be interrupted"
            );
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no temporary file"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let k = run(Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string()));
        assert!(k.status.success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(code), "{signal}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("stopped"), "{signal}: {err}");
        assert!(!err.contains(".kyso-"), "a temporary name shown: {err}");
        assert!(
            temporaries(&outdir).is_empty(),
            "{signal}: {:?}",
            temporaries(&outdir)
        );
        assert!(!output.exists(), "{signal}: a partial output");
    }
    assert_eq!(digest(&input), before, "the input changed");
}

fn batch(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    sign_batch(dir, out, "agency.p12", extra)
}

#[cfg(unix)]
#[test]
fn a_batch_run_again_skips_what_is_signed_and_overwrite_replaces_it() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let out = tmp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(fixture("docs/congvan.pdf"), dir.join("a.pdf")).unwrap();
    std::fs::copy(fixture("docs/quyetdinh-multipage.pdf"), dir.join("b.pdf")).unwrap();
    let o = batch(&dir, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let inode = std::fs::metadata(out.join("a.pdf")).unwrap().ino();
    let a = std::fs::read(out.join("a.pdf")).unwrap();

    // Interrupted half-way: one output missing. The re-run signs it and skips the other.
    std::fs::remove_file(out.join("b.pdf")).unwrap();
    let o = batch(&dir, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.contains("Đã có, bỏ qua / exists, skipped") && l.contains("a.pdf")),
        "{text}"
    );
    assert!(
        text.contains("1 đã ký / signed, 0 lỗi / failed, 1 đã có, bỏ qua"),
        "{text}"
    );
    assert_eq!(std::fs::read(out.join("a.pdf")).unwrap(), a);
    assert_eq!(std::fs::metadata(out.join("a.pdf")).unwrap().ino(), inode);
    assert!(out.join("b.pdf").exists());
    // Each path once per line.
    for line in text.lines() {
        assert!(line.matches("a.pdf").count() <= 2, "{line}");
    }

    // --overwrite: replaced (a new file renamed into place), still a valid signature.
    let o = batch(&dir, &out, &["--overwrite"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 đã ký / signed"), "{}", stdout(&o));
    assert_ne!(std::fs::metadata(out.join("a.pdf")).unwrap().ino(), inode);
    let (code, report) = verify_json(&out.join("a.pdf"), &[]);
    assert_eq!(
        report["signatures"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    assert_eq!(code, 0, "{report}");
    assert!(temporaries(&out).is_empty());
}

#[cfg(unix)]
#[test]
fn outputs_follow_the_umask_in_batches_too() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(fixture("docs/congvan.pdf"), dir.join("a.pdf")).unwrap();
    let program = kyso().get_program().to_owned();
    for (umask, want) in [("022", 0o644), ("077", 0o600)] {
        let out = tmp.path().join(format!("out-{umask}"));
        let o = run(kyso_sh(&program, umask)
            .args(["sign", "--batch"])
            .arg(&dir)
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(pki("agency.p12"))
            .env("KYSO_PIN", ""));
        assert!(o.status.success(), "{}", stderr(&o));
        let mode = std::fs::metadata(out.join("a.pdf"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, want, "umask {umask}: mode {mode:o}");
    }
}

fn kyso_sh(program: &std::ffi::OsStr, umask: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(program)
        .env("KYSO_OFFLINE", "1")
        .env_remove("KYSO_PIN");
    c
}

#[test]
fn completions_for_every_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(kyso().args(["completions", shell]));
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.len() > 1000, "{shell}: {script}");
        assert!(
            script.contains("verify") && script.contains("p12"),
            "{shell}"
        );
        // Quiet does not silence what was asked for.
        let q = run(kyso().args(["-q", "completions", shell]));
        assert_eq!(q.stdout, o.stdout, "{shell} with -q");
        let file = tmp.path().join(format!("kyso.{shell}"));
        std::fs::write(&file, &script).unwrap();
        // Each shell parses its own script without running it, when installed.
        let check: Option<(&str, &[&str])> = match shell {
            "bash" => Some(("bash", &["-n"])),
            "zsh" => Some(("zsh", &["-n"])),
            "fish" => Some(("fish", &["--no-execute"])),
            _ => None,
        };
        if let Some((program, args)) = check {
            if shell == "bash" || have_tool(program) {
                let c = run(Command::new(program).args(args).arg(&file));
                assert!(c.status.success(), "{shell}: {}", stderr(&c));
            }
        } else {
            assert!(script.contains("Register-ArgumentCompleter"), "{script}");
        }
    }
    let o = run(kyso().args(["completions", "tcsh"]));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn quiet_prints_nothing_and_verbose_names_the_stages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q.pdf");
    let o = run(kyso()
        .args(["sign", "-q"])
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12"))
        .env("KYSO_PIN", ""));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    assert!(out.exists());
    // Without -q the same signing says what it did (and warns: offline, not checked).
    let out2 = tmp.path().join("n.pdf");
    let o = run(&mut sign_cmd(
        fixture("docs/congvan.pdf"),
        &out2,
        "agency.p12",
    ));
    assert!(stdout(&o).contains("Đã ký"), "{}", stdout(&o));
    assert!(stderr(&o).contains("thu hồi"), "{}", stderr(&o));

    // Errors are still printed with -q.
    let o = run(kyso()
        .args(["-q", "sign"])
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12"))
        .env("KYSO_PIN", ""));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("đã có"), "{}", stderr(&o));

    // -v: one line per stage with its time, on stderr only.
    let out3 = tmp.path().join("v.pdf");
    let o = run(kyso()
        .args(["sign", "-v"])
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(&out3)
        .arg("--p12")
        .arg(pki("agency.p12"))
        .env("KYSO_PIN", ""));
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("opening the key file (.p12): "), "{err}");
    assert!(
        err.contains("checking the signing certificate's revocation"),
        "{err}"
    );
    assert!(
        err.lines().any(
            |l| l.starts_with("kyso: ký / signing: ") && l.ends_with("ms")
                || l.starts_with("kyso: ký / signing: ") && l.ends_with(" s")
        ),
        "{err}"
    );
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    let o = run(kyso()
        .args(["verify", "-v"])
        .arg(&out3)
        .args(["--trust"])
        .arg(pki("root.pem")));
    assert!(
        stderr(&o).contains("kiểm tra / verifying: "),
        "{}",
        stderr(&o)
    );
    // Verify -q: the exit code alone.
    let o = run(kyso().args(["verify", "-q"]).arg(&out3));
    assert_eq!(o.status.code(), Some(3));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{}", stdout(&o));

    // -q and -v together are a usage error.
    let o = run(kyso().args(["-q", "-v", "info"]).arg(&out3));
    assert_eq!(o.status.code(), Some(2));
}

/// A tmux server of its own for one test, stopped on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, command: &str) -> Option<Tmux> {
        if !have_tool("tmux") {
            return None;
        }
        let t = Tmux {
            socket: format!("kyso-desk-{name}-{}", std::process::id()),
        };
        let o = run(t
            .cmd()
            .args(["new-session", "-d", "-s", "t", "-x", "160", "-y", "40"])
            .arg(command));
        assert!(o.status.success(), "tmux: {}", stderr(&o));
        Some(t)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"])
            .env_remove("KYSO_PIN")
            .env_remove("TMUX")
            .env("KYSO_OFFLINE", "1")
            .env(
                "KYSO_TRUST_DIR",
                std::env::temp_dir().join(format!("kyso-test-no-trust-{}", std::process::id())),
            )
            .env("TERM", "xterm");
        c
    }

    fn screen(&self) -> String {
        stdout(&run(self.cmd().args(["capture-pane", "-p", "-t", "t"])))
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "waited for {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the pane's terminal has echo off: a password prompt prints its question
    /// first and turns echo off after, so typing on seeing the question alone races it.
    fn wait_echo_off(&self) {
        let tty = stdout(&run(self.cmd().args([
            "display",
            "-p",
            "-t",
            "t",
            "#{pane_tty}",
        ])));
        let start = Instant::now();
        loop {
            let o = run(Command::new("stty").arg("-F").arg(tty.trim()).arg("-a"));
            if stdout(&o).split_whitespace().any(|w| w == "-echo") {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "echo never turned off on {tty}: {}",
                stdout(&o)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types a secret at a password prompt, once the prompt has turned echo off.
    fn secret(&self, keys: &str) {
        self.wait_echo_off();
        self.keys(keys);
    }

    fn keys(&self, keys: &str) {
        let o = run(self.cmd().args(["send-keys", "-t", "t", "-l", keys]));
        assert!(o.status.success());
        let o = run(self.cmd().args(["send-keys", "-t", "t", "Enter"]));
        assert!(o.status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

#[test]
fn the_progress_bar_shows_on_a_terminal_and_not_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let input = big_pdf(tmp.path(), 80);
    let log = tmp.path().join("terminal.log");
    let out = tmp.path().join("signed.pdf");
    // The terminal's whole output (each redraw included) goes to a log through pipe-pane;
    // the command waits a little so that the pipe is in place first.
    let command = format!(
        "sleep 1; KYSO_PIN= {} sign {} -o {} --p12 {}; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_kyso"),
        input.display(),
        out.display(),
        pki("agency.p12").display()
    );
    let Some(t) = Tmux::start("bar", &command) else {
        return;
    };
    let o = run(t
        .cmd()
        .args(["pipe-pane", "-t", "t", "-o"])
        .arg(format!("cat > {}", log.display())));
    assert!(o.status.success(), "{}", stderr(&o));
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let raw = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    assert!(raw.contains("Đang ký / signing ["), "{raw}");
    assert!(raw.contains("100%") && raw.contains(" MB"), "{raw}");
    // Erased at the end: the screen keeps the result, not the bar.
    assert!(!screen.contains("Đang ký / signing ["), "{screen}");
    drop(t);

    // Piped: no bar, no escape sequences.
    let out2 = tmp.path().join("signed2.pdf");
    let o = run(&mut sign_cmd(&input, &out2, "agency.p12"));
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains('[') && !err.contains('\x1b'), "{err}");

    // A batch on a terminal: the files-done bar; with -q none.
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..3 {
        std::fs::copy(fixture("docs/congvan.pdf"), dir.join(format!("{i}.pdf"))).unwrap();
    }
    let log2 = tmp.path().join("batch.log");
    let command = format!(
        "sleep 1; KYSO_PIN= {k} sign --batch {d} -o {o} --p12 {p}; KYSO_PIN= {k} -q sign --batch {d} -o {o}q --p12 {p}; echo EXIT=$?; sleep 60",
        k = env!("CARGO_BIN_EXE_kyso"),
        d = dir.display(),
        o = tmp.path().join("outb").display(),
        p = pki("agency.p12").display()
    );
    let t = Tmux::start("batch", &command).unwrap();
    let o = run(t
        .cmd()
        .args(["pipe-pane", "-t", "t", "-o"])
        .arg(format!("cat > {}", log2.display())));
    assert!(o.status.success());
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let raw = String::from_utf8_lossy(&std::fs::read(&log2).unwrap()).into_owned();
    assert!(raw.contains("Đang ký / signing ["), "{raw}");
    // The quiet run (after the first summary) drew nothing.
    let after = raw.rsplit("Tổng / total").next().unwrap();
    assert!(!after.contains("Đang ký / signing ["), "{after}");
}

#[test]
fn a_key_file_without_password_opens_with_or_without_kyso_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let p12 = tmp.path().join("empty.p12");
    let o = run(Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:", "-inkey"])
        .arg(pki("leader.key.pem"))
        .arg("-in")
        .arg(pki("leader.pem"))
        .arg("-certfile")
        .arg(pki("chain.pem"))
        .arg("-out")
        .arg(&p12));
    assert!(o.status.success(), "{}", stderr(&o));
    for (i, pin) in [None, Some(""), Some("12345678")].into_iter().enumerate() {
        let out = tmp.path().join(format!("signed-{i}.pdf"));
        let mut c = kyso();
        c.arg("sign")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(&out)
            .arg("--p12")
            .arg(&p12)
            .stdin(std::process::Stdio::null());
        if let Some(pin) = pin {
            c.env("KYSO_PIN", pin);
        }
        let o = run(&mut c);
        assert!(o.status.success(), "KYSO_PIN {pin:?}: {}", stderr(&o));
    }
    // A key file with a password still wants it.
    let o = run(sign_cmd(
        fixture("docs/congvan.pdf"),
        tmp.path().join("x.pdf"),
        "leader.p12",
    )
    .env("KYSO_PIN", "00000000"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("sai mật khẩu"), "{}", stderr(&o));
    assert!(!tmp.path().join("x.pdf").exists());
}

#[test]
fn a_mistyped_key_file_password_may_be_typed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("signed.pdf");
    let command = format!(
        "{} sign {} -o {} --p12 {}; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_kyso"),
        fixture("docs/congvan.pdf").display(),
        out.display(),
        pki("leader.p12").display()
    );
    let Some(t) = Tmux::start("pin", &command) else {
        return;
    };
    t.wait_for("(.p12)");
    t.secret("wrong-one");
    t.wait_for("còn 2 lần thử");
    t.secret("12345678");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("Đã ký"), "{screen}");
    assert!(
        !screen.contains("wrong-one") && !screen.contains("12345678"),
        "{screen}"
    );
    assert!(out.exists());
    drop(t);

    // Three wrong tries: refused, nothing written.
    let out2 = tmp.path().join("signed2.pdf");
    let command = format!(
        "{} sign {} -o {} --p12 {}; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_kyso"),
        fixture("docs/congvan.pdf").display(),
        out2.display(),
        pki("leader.p12").display()
    );
    let t = Tmux::start("pin3", &command).unwrap();
    t.wait_for("(.p12)");
    t.keys("a");
    t.wait_for("còn 2 lần thử");
    t.keys("b");
    t.wait_for("còn 1 lần thử");
    t.keys("c");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(screen.contains("sai mật khẩu tệp khóa"), "{screen}");
    assert!(!out2.exists());
}

#[test]
fn a_revoked_signing_certificate_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let sign_revoked = |out: &Path, extra: &[&str]| {
        run(sign_cmd(fixture("docs/congvan.pdf"), out, "revoked.p12").args(extra))
    };
    let crl = pki("intermediate.crl");
    let crl = crl.to_str().unwrap();
    let out = tmp.path().join("r.pdf");
    let o = sign_revoked(&out, &["--crl", crl]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("đã bị thu hồi"), "{}", stderr(&o));
    assert!(stderr(&o).contains("keyCompromise"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = sign_revoked(&out, &["--crl", crl, "--lang", "en"]);
    assert!(
        stderr(&o).contains("the signing certificate is revoked"),
        "{}",
        stderr(&o)
    );
    // --force: signed, with a warning.
    let o = sign_revoked(&out, &["--crl", crl, "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("vẫn ký do --force"), "{}", stderr(&o));
    assert!(out.exists());
    // Offline and no CRL: not checked, and said so.
    let out2 = tmp.path().join("r2.pdf");
    let o = sign_revoked(&out2, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("chưa kiểm tra"), "{}", stderr(&o));
    // A good certificate with the CRL: no warning at all.
    let o = run(sign_cmd(
        fixture("docs/congvan.pdf"),
        tmp.path().join("good.pdf"),
        "agency.p12",
    )
    .args(["--crl", crl]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn online_the_signers_status_is_asked_and_expiry_warned() {
    if !have_tool("openssl") {
        return;
    }
    let pki = local_pki::LocalPki::new(365);
    let soon = pki.signer("soon", "Sắp hết hạn", 10);
    let gone = pki.signer("gone", "Đã thu hồi", 365);
    pki.revoke("gone");
    let tmp = tempfile::tempdir().unwrap();
    let sign = |p12: &Path, out: &Path| {
        run(kyso_online()
            .arg("sign")
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(out)
            .arg("--p12")
            .arg(p12)
            .env("KYSO_PIN", ""))
    };
    let out = tmp.path().join("soon.pdf");
    let o = sign(&soon, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("hết hạn sau"), "{err}");
    assert!(!err.contains("thu hồi"), "the status was answered: {err}");
    let out = tmp.path().join("gone.pdf");
    let o = sign(&gone, &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("đã bị thu hồi"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn a_certificate_given_as_a_crl_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let signed = tmp.path().join("s.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "agency.p12", &[]);
    for cmd in ["verify", "sign"] {
        let mut c = kyso();
        c.arg(cmd).arg(&signed);
        if cmd == "sign" {
            c.arg("-o")
                .arg(tmp.path().join("x.pdf"))
                .arg("--p12")
                .arg(pki("agency.p12"))
                .env("KYSO_PIN", "");
        }
        let o = run(c.arg("--crl").arg(pki("leader.pem")));
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("is a certificate, not a certificate revocation list"),
            "{cmd}: {err}"
        );
        assert_eq!(err.matches("leader.pem").count(), 1, "{cmd}: {err}");
        assert!(stdout(&o).is_empty());
    }
    let junk = tmp.path().join("junk.crl");
    std::fs::write(&junk, "not a crl").unwrap();
    let o = run(kyso().arg("verify").arg(&signed).arg("--crl").arg(&junk));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a certificate revocation list"),
        "{}",
        stderr(&o)
    );
    // A real CRL (DER) is accepted.
    let o = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--trust")
        .arg(pki("root.pem"))
        .arg("--crl")
        .arg(pki("intermediate.crl"))
        .arg("--crl")
        .arg(pki("root.crl")));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn trust_add_refuses_end_entities_and_a_second_root_of_the_same_name() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let trust = |args: &[&std::ffi::OsStr]| {
        run(kyso().env("KYSO_TRUST_DIR", &store).arg("trust").args(args))
    };
    let o = trust(&["add".as_ref(), pki("leader.pem").as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a CA certificate"),
        "{}",
        stderr(&o)
    );
    assert!(!store.exists() || std::fs::read_dir(&store).unwrap().count() == 0);

    let o = trust(&["add".as_ref(), pki("root.pem").as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Same name, another key.
    let fake = tmp.path().join("fake.pem");
    let o = run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-utf8",
        ])
        .args([
            "-subj",
            "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=KySo Test Root CA (thử nghiệm)",
        ])
        .arg("-keyout")
        .arg(tmp.path().join("fake.key"))
        .arg("-out")
        .arg(&fake));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = trust(&["add".as_ref(), fake.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("with another key is already there"), "{err}");
    let o = trust(&["list".as_ref(), "--json".as_ref()]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // The same root again is fine (same key).
    let o = trust(&["add".as_ref(), pki("root.der").as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn messages_name_each_path_once_and_never_a_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    // An output folder that does not exist: the folder is named, not the temporary file.
    let missing = tmp.path().join("no-such-folder");
    let o = run(kyso()
        .args(["-q", "sign"])
        .arg(fixture("docs/congvan.pdf"))
        .arg("-o")
        .arg(missing.join("out.pdf"))
        .arg("--p12")
        .arg(pki("agency.p12"))
        .env("KYSO_PIN", ""));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(!err.contains(".kyso-") && !err.contains("at path"), "{err}");
    assert_eq!(err.matches("no-such-folder").count(), 1, "{err}");
    // An input that does not exist: its path once.
    let gone = tmp.path().join("gone.pdf");
    for cmd in ["verify", "info"] {
        let o = run(kyso().arg(cmd).arg(&gone));
        assert_eq!(o.status.code(), Some(4), "{cmd}");
        let err = stderr(&o);
        assert_eq!(err.matches("gone.pdf").count(), 1, "{cmd}: {err}");
    }
}
