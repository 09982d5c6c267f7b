//! The C ABI from the outside: the header compiles as C99 and C++, tests/ffi/smoke.c builds
//! against libkyso.so (installed under that name as install.sh does) and libkyso.a and passes,
//! also under valgrind; tests/ffi/smoke.py passes through ctypes; the callback signer signs
//! with a Rust callback.
//!
//! cc, valgrind and python3 missing: the test says SKIP, unless KYSO_REQUIRE_TOOLS=1 (then it
//! fails).

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso::crypto::{DigestAlgorithm, SignatureScheme};
use kyso::sign::{load_p12, SoftwareIdentity};
use kyso_ffi::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

/// Whether `tool` runs; if not, SKIP (or panic when KYSO_REQUIRE_TOOLS=1).
fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
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

/// The directory cargo put this package's libraries in: target/{debug,release} after
/// `cargo build`, or its deps/ folder when `cargo test` built them — the newer of the two, so
/// that a library left by an older `cargo build` is never the one tested.
fn cargo_lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    let dir = deps.parent().unwrap().to_path_buf();
    let modified = |d: &Path| {
        std::fs::metadata(d.join("libkyso_ffi.so"))
            .and_then(|m| m.modified())
            .ok()
    };
    let mut found: Vec<PathBuf> = [dir.clone(), deps.clone()]
        .into_iter()
        .filter(|c| c.join("libkyso_ffi.so").exists() && c.join("libkyso_ffi.a").exists())
        .collect();
    found.sort_by_key(|d| std::cmp::Reverse(modified(d)));
    if let Some(newest) = found.into_iter().next() {
        return newest;
    }
    panic!(
        "libkyso_ffi.so/.a not found in {} or {}",
        dir.display(),
        deps.display()
    );
}

/// The install step: libkyso_ffi.{so,a} under their C names, libkyso.so.0 (its SONAME) with
/// the link libkyso.so -> libkyso.so.0, and libkyso.a.
pub fn install_libs(into: &Path) -> PathBuf {
    let lib = into.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let from = cargo_lib_dir();
    std::fs::copy(from.join("libkyso_ffi.so"), lib.join("libkyso.so.0")).unwrap();
    std::os::unix::fs::symlink("libkyso.so.0", lib.join("libkyso.so")).unwrap();
    std::fs::copy(from.join("libkyso_ffi.a"), lib.join("libkyso.a")).unwrap();
    lib
}

/// The SONAME is libkyso.so.0, and the library exports kyso_* functions and nothing else.
#[test]
fn soname_and_exports() {
    if !have("objdump") || !have("nm") {
        return;
    }
    let so = cargo_lib_dir().join("libkyso_ffi.so");
    let out = Command::new("objdump").arg("-p").arg(&so).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().eq(["SONAME", "libkyso.so.0"])),
        "no SONAME libkyso.so.0 in:\n{text}"
    );
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&so)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let exported: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[1] == "T").then_some(f[2])
        })
        .collect();
    assert!(
        exported.contains(&"kyso_signer_open_pkcs11"),
        "{exported:?}"
    );
    let other: Vec<&&str> = exported
        .iter()
        .filter(|s| !s.starts_with("kyso_"))
        .collect();
    assert!(other.is_empty(), "exported besides kyso_*: {other:?}");
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}

#[test]
fn header_compiles_as_c99_and_cpp() {
    if !have("cc") || !have("c++") {
        return;
    }
    let header = include_dir().join("kyso.h");
    run(Command::new("cc")
        .args(["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror"])
        .args(["-fsyntax-only", "-x", "c"])
        .arg(&header));
    run(Command::new("c++")
        .args([
            "-std=c++11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-x",
            "c++",
        ])
        .arg(&header));
}

#[test]
fn c_program_python_and_valgrind() {
    if !have("cc") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let lib = install_libs(tmp.path());
    let smoke_c = repo().join("tests/ffi/smoke.c");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();

    // Against the shared library.
    let smoke = tmp.path().join("smoke");
    run(Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-o"])
        .arg(&smoke)
        .arg(&smoke_c)
        .arg("-I")
        .arg(include_dir())
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lkyso", "-lpthread"]));
    run(Command::new(&smoke).arg(fixtures()).arg(&work));

    // Against the static library.
    let smoke_static = tmp.path().join("smoke-static");
    let work_static = tmp.path().join("work-static");
    std::fs::create_dir(&work_static).unwrap();
    run(Command::new("cc")
        .args(["-std=c99", "-o"])
        .arg(&smoke_static)
        .arg(&smoke_c)
        .arg("-I")
        .arg(include_dir())
        .arg(lib.join("libkyso.a"))
        .args(["-lpthread", "-ldl", "-lm"]));
    run(Command::new(&smoke_static)
        .arg(fixtures())
        .arg(&work_static));

    // Python ctypes, on the file the C program signed.
    if have("python3") {
        let pki = fixtures().join("pki");
        run(Command::new("python3")
            .arg(repo().join("tests/ffi/smoke.py"))
            .arg(lib.join("libkyso.so"))
            .arg(work.join("signed.pdf"))
            .arg(pki.join("root.pem"))
            .arg(pki.join("intermediate.crl"))
            .arg(pki.join("root.crl")));
    }

    // Valgrind: no definite leak, no invalid access.
    if have("valgrind") {
        let work_vg = tmp.path().join("work-valgrind");
        std::fs::create_dir(&work_vg).unwrap();
        run(Command::new("valgrind")
            .args([
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite",
                "--error-exitcode=9",
                "--quiet",
            ])
            .arg(&smoke)
            .arg(fixtures())
            .arg(&work_vg));
    }
}

/// A C callback written in Rust: `user` is the identity of a .p12 file.
unsafe extern "C" fn p12_callback(
    user: *mut c_void,
    tbs: *const u8,
    len: usize,
    signature: *mut u8,
    signature_len: *mut usize,
) -> c_int {
    let identity = &*(user as *const SoftwareIdentity);
    let message = std::slice::from_raw_parts(tbs, len);
    let scheme = identity.key.kind().default_scheme(false);
    let digest = identity.key.kind().default_digest();
    let Ok(value) = identity.key.sign(message, digest, scheme) else {
        return 1;
    };
    if value.len() > *signature_len || *signature_len < KYSO_SIGNATURE_CAPACITY_MIN {
        return 2;
    }
    std::ptr::copy_nonoverlapping(value.as_ptr(), signature, value.len());
    *signature_len = value.len();
    0
}

/// Like `p12_callback`, but gives ECDSA as raw r||s, as PKCS#11 tokens do.
unsafe extern "C" fn raw_ecdsa_callback(
    user: *mut c_void,
    tbs: *const u8,
    len: usize,
    signature: *mut u8,
    signature_len: *mut usize,
) -> c_int {
    let identity = &*(user as *const SoftwareIdentity);
    let message = std::slice::from_raw_parts(tbs, len);
    let Ok(der) = identity
        .key
        .sign(message, DigestAlgorithm::Sha256, SignatureScheme::Ecdsa)
    else {
        return 1;
    };
    // SEQUENCE { INTEGER r, INTEGER s } -> r||s, 32 bytes each.
    let mut raw = Vec::new();
    let mut rest = &der[2..];
    for _ in 0..2 {
        let l = rest[1] as usize;
        let int = &rest[2..2 + l];
        let int = &int[int.len().saturating_sub(32)..];
        raw.extend(std::iter::repeat_n(0, 32 - int.len()));
        raw.extend_from_slice(int);
        rest = &rest[2 + l..];
    }
    std::ptr::copy_nonoverlapping(raw.as_ptr(), signature, raw.len());
    *signature_len = raw.len();
    0
}

unsafe extern "C" fn failing_callback(
    _: *mut c_void,
    _: *const u8,
    _: usize,
    _: *mut u8,
    _: *mut usize,
) -> c_int {
    7
}

unsafe extern "C" fn garbage_callback(
    _: *mut c_void,
    _: *const u8,
    _: usize,
    signature: *mut u8,
    signature_len: *mut usize,
) -> c_int {
    std::ptr::write_bytes(signature, 0x42, 256);
    *signature_len = 256;
    0
}

fn cstr(s: impl AsRef<str>) -> CString {
    CString::new(s.as_ref()).unwrap()
}

fn verify_opts() -> CString {
    let pki = fixtures().join("pki");
    cstr(format!(
        r#"{{"trust": [{:?}], "crls": [{:?}, {:?}]}}"#,
        pki.join("root.pem"),
        pki.join("intermediate.crl"),
        pki.join("root.crl")
    ))
}

fn verify(path: &Path) -> c_int {
    let mut report: *mut c_char = std::ptr::null_mut();
    let path = cstr(path.to_str().unwrap());
    // SAFETY: valid C strings and out pointer; the report is freed once.
    unsafe {
        let rc = kyso_verify_file(path.as_ptr(), verify_opts().as_ptr(), &mut report);
        assert!(!report.is_null() || rc < 0);
        kyso_free(report.cast());
        rc
    }
}

fn last_error() -> String {
    // SAFETY: kyso_last_error always returns a valid C string.
    unsafe { CStr::from_ptr(kyso_last_error()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn callback_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let input = cstr(fixtures().join("docs/congvan.pdf").to_str().unwrap());
    for (p12, pem, cb) in [
        (
            "agency.p12",
            "agency.pem",
            p12_callback as unsafe extern "C" fn(_, _, _, _, _) -> _,
        ),
        ("ecdsa.p12", "ecdsa.pem", p12_callback),
        ("ecdsa.p12", "ecdsa.pem", raw_ecdsa_callback),
    ] {
        let pki = fixtures().join("pki");
        let identity = load_p12(&std::fs::read(pki.join(p12)).unwrap(), "").unwrap();
        // The certificate and the chain, as PEM.
        let mut pem_text = std::fs::read_to_string(pki.join(pem)).unwrap();
        pem_text.push_str(&std::fs::read_to_string(pki.join("chain.pem")).unwrap_or_default());
        let pem_c = cstr(&pem_text);
        let out = tmp.path().join(format!("cb-{p12}-{}.pdf", cb as usize));
        let out_c = cstr(out.to_str().unwrap());
        // SAFETY: valid strings; `user` outlives the call.
        let rc = unsafe {
            kyso_sign_file_with_callback(
                input.as_ptr(),
                out_c.as_ptr(),
                cstr(r#"{"reason": "callback"}"#).as_ptr(),
                pem_c.as_ptr(),
                Some(cb),
                &identity as *const SoftwareIdentity as *mut c_void,
            )
        };
        assert_eq!(rc, KYSO_OK, "{p12}: {}", last_error());
        assert_eq!(verify(&out), KYSO_OK, "{p12}: {}", last_error());
    }

    let pem_c = cstr(std::fs::read_to_string(fixtures().join("pki/agency.pem")).unwrap());
    let out_c = cstr(tmp.path().join("bad.pdf").to_str().unwrap());
    let sign = |opts: &str, cb: kyso_sign_callback| {
        // SAFETY: valid strings; the callbacks ignore `user`.
        unsafe {
            kyso_sign_file_with_callback(
                input.as_ptr(),
                out_c.as_ptr(),
                cstr(opts).as_ptr(),
                pem_c.as_ptr(),
                cb,
                std::ptr::null_mut(),
            )
        }
    };
    assert_eq!(sign("{}", Some(failing_callback)), KYSO_ERR_KEY);
    assert!(last_error().contains("callback"), "{}", last_error());
    assert_eq!(sign("{}", Some(garbage_callback)), KYSO_ERR_CRYPTO);
    assert_eq!(sign("{}", None), KYSO_ERR_INVALID_ARGUMENT);
    assert_eq!(
        sign(r#"{"p12_path": "x.p12"}"#, Some(failing_callback)),
        KYSO_ERR_INVALID_ARGUMENT
    );
    assert!(!tmp.path().join("bad.pdf").exists());
}

#[test]
fn errors_are_per_thread() {
    let missing = cstr("/nonexistent/kyso.pdf");
    let mut report: *mut c_char = std::ptr::null_mut();
    // SAFETY: valid arguments.
    let rc = unsafe { kyso_verify_file(missing.as_ptr(), std::ptr::null(), &mut report) };
    assert_eq!(rc, KYSO_ERR_IO);
    assert!(last_error().contains("/nonexistent/kyso.pdf"));
    std::thread::spawn(|| assert_eq!(last_error(), ""))
        .join()
        .unwrap();
    // SAFETY: kyso_version returns a static C string.
    let v = unsafe { CStr::from_ptr(kyso_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn visible_signature_through_the_c_abi() {
    let tmp = tempfile::tempdir().unwrap();
    let input = cstr(fixtures().join("docs/congvan.pdf").to_str().unwrap());
    let p12 = fixtures().join("pki/agency.p12");
    let sign = |out: &Path, extra: &str| {
        let opts = format!(
            r#"{{"p12_path": {}, {extra}}}"#,
            serde_json::to_string(p12.to_str().unwrap()).unwrap()
        );
        let out_c = cstr(out.to_str().unwrap());
        // SAFETY: valid strings.
        unsafe { kyso_sign_file(input.as_ptr(), out_c.as_ptr(), cstr(opts).as_ptr()) }
    };
    let out = tmp.path().join("copy.pdf");
    let rc = sign(
        &out,
        r#""role": "copy", "copy_type": "SAO LỤC", "agency": "Sở Nội vụ""#,
    );
    assert_eq!(rc, KYSO_OK, "{}", last_error());
    assert_eq!(verify(&out), KYSO_OK, "{}", last_error());
    let bytes = std::fs::read(&out).unwrap();
    let tail =
        String::from_utf8_lossy(&bytes[bytes.len() - 60_000.min(bytes.len())..]).into_owned();
    assert!(tail.contains("/KysoRole /copy"), "no visible copy widget");
    assert!(tail.contains("/Subtype /Type0"), "no embedded font");

    let bad = tmp.path().join("bad.pdf");
    assert_eq!(sign(&bad, r#""role": "boss""#), KYSO_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("boss"), "{}", last_error());
    let missing = r#""role": "leader", "image": "/nonexistent/chu-ky.png""#;
    assert_eq!(sign(&bad, missing), KYSO_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("chu-ky.png"), "{}", last_error());
    assert!(!bad.exists());
}

/// kyso_extract_file: the signed version of the first signature of a twice-signed file is a
/// prefix of it that verifies whole; a bad selector is an invalid argument and writes nothing.
#[test]
fn extract_signed_version() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = fixtures().join("pki");
    let input = cstr(fixtures().join("docs/congvan.pdf").to_str().unwrap());
    let once = tmp.path().join("once.pdf");
    let twice = tmp.path().join("twice.pdf");
    // leader.p12's password is 12345678; agency.p12 has none (fixtures/pki/README.md).
    for (from, to, key, password) in [
        (input.clone(), &once, "leader.p12", "12345678"),
        (cstr(once.to_str().unwrap()), &twice, "agency.p12", ""),
    ] {
        let opts = cstr(format!(
            r#"{{"p12_path": {:?}, "p12_password": {password:?}}}"#,
            pki.join(key)
        ));
        let to_c = cstr(to.to_str().unwrap());
        // SAFETY: valid C strings.
        let rc = unsafe { kyso_sign_file(from.as_ptr(), to_c.as_ptr(), opts.as_ptr()) };
        assert_eq!(rc, KYSO_OK, "{}", last_error());
    }
    let twice_c = cstr(twice.to_str().unwrap());
    let out = tmp.path().join("v1.pdf");
    let out_c = cstr(out.to_str().unwrap());
    let mut result: *mut c_char = std::ptr::null_mut();
    // SAFETY: valid strings and out pointer; the result is freed once.
    let json = unsafe {
        let rc = kyso_extract_file(
            twice_c.as_ptr(),
            cstr(r#"{"signature": 1}"#).as_ptr(),
            out_c.as_ptr(),
            &mut result,
        );
        assert_eq!(rc, KYSO_OK, "{}", last_error());
        let json = CStr::from_ptr(result).to_string_lossy().into_owned();
        kyso_free(result.cast());
        json
    };
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let extracted = std::fs::read(&out).unwrap();
    assert_eq!(extracted.len() as u64, v["length"].as_u64().unwrap());
    assert!(std::fs::read(&twice).unwrap().starts_with(&extracted));
    assert_eq!(verify(&out), 0);
    // Both selectors at once: invalid argument, nothing written.
    let bad = tmp.path().join("bad.pdf");
    let bad_c = cstr(bad.to_str().unwrap());
    let mut result: *mut c_char = std::ptr::null_mut();
    // SAFETY: as above.
    let rc = unsafe {
        kyso_extract_file(
            twice_c.as_ptr(),
            cstr(r#"{"signature": 1, "field": "x"}"#).as_ptr(),
            bad_c.as_ptr(),
            &mut result,
        )
    };
    assert_eq!(rc, KYSO_ERR_INVALID_ARGUMENT);
    assert!(result.is_null() && !bad.exists());
}

/// An encrypted PDF through the C ABI: "pdf_password" in the sign and verify options; without
/// it the file is refused as unreadable and nothing is written.
#[test]
fn encrypted_pdf_with_pdf_password() {
    if !have("qpdf") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let enc = tmp.path().join("enc.pdf");
    run(Command::new("qpdf")
        .args(["--encrypt", "mat-khau", "chu", "256", "--"])
        .arg(fixtures().join("docs/congvan.pdf"))
        .arg(&enc));
    let input = cstr(enc.to_str().unwrap());
    let p12 = serde_json::to_string(fixtures().join("pki/agency.p12").to_str().unwrap()).unwrap();
    let out = tmp.path().join("signed.pdf");
    let out_c = cstr(out.to_str().unwrap());
    let sign = |extra: &str| {
        let opts = cstr(format!(r#"{{"p12_path": {p12}{extra}}}"#));
        // SAFETY: valid C strings.
        unsafe { kyso_sign_file(input.as_ptr(), out_c.as_ptr(), opts.as_ptr()) }
    };
    assert_eq!(sign(""), KYSO_ERR_NOT_PDF);
    assert!(last_error().contains("password"), "{}", last_error());
    assert!(!out.exists());
    assert_eq!(
        sign(r#", "pdf_password": "mat-khau""#),
        KYSO_OK,
        "{}",
        last_error()
    );

    let pki = fixtures().join("pki");
    let verify_with = |password: &str| {
        let opts = cstr(format!(
            r#"{{"trust": [{:?}], "crls": [{:?}, {:?}], "pdf_password": {password:?}}}"#,
            pki.join("root.pem"),
            pki.join("intermediate.crl"),
            pki.join("root.crl")
        ));
        let mut report: *mut c_char = std::ptr::null_mut();
        // SAFETY: valid C strings and out pointer; the report is freed once.
        unsafe {
            let rc = kyso_verify_file(out_c.as_ptr(), opts.as_ptr(), &mut report);
            kyso_free(report.cast());
            rc
        }
    };
    assert_eq!(verify_with("mat-khau"), KYSO_OK, "{}", last_error());
    assert_eq!(verify_with("sai"), KYSO_ERR_NOT_PDF);
    assert!(last_error().contains("password"), "{}", last_error());
}
