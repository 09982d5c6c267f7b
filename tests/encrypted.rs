//! Encrypted PDFs (ISO 32000-1 §7.6, standard security handler): documents qpdf encrypts in
//! each scheme are verified and signed by kyso; qpdf, pyHanko and pdfsig judge the results.

mod common;
#[path = "support/local_pki.rs"]
mod local_pki;

use base64ct::{Base64, Encoding};
use common::*;
use local_pki::LocalPki;
use std::path::{Path, PathBuf};
use std::process::Command;

const USER: &str = "nguoi-dung";
const OWNER: &str = "chu-so-huu";

/// (name, qpdf key length and options)
const SCHEMES: &[(&str, &[&str])] = &[
    ("rc4-40", &["40"]),
    ("rc4-128", &["128", "--use-aes=n"]),
    ("aes-128", &["128", "--use-aes=y"]),
    ("aes-256", &["256"]),
];

fn tools() -> bool {
    have_tool("qpdf")
}

/// `src` encrypted by qpdf with `user` (possibly empty) and `OWNER`.
fn encrypt(src: &Path, out: &Path, user: &str, scheme: &[&str], extra: &[&str]) {
    let mut c = Command::new("qpdf");
    c.arg("--allow-weak-crypto")
        .arg("--encrypt")
        .arg(user)
        .arg(OWNER)
        .args(scheme)
        .arg("--")
        .args(extra)
        .arg(src)
        .arg(out);
    let o = run(&mut c);
    assert!(o.status.success(), "qpdf --encrypt: {}", stderr(&o));
}

fn kyso_sign(
    input: &Path,
    output: &Path,
    p12: &str,
    password: &str,
    extra: &[&str],
) -> std::process::Output {
    run(sign_cmd(input, output, p12)
        .args(["--reason", "Phê duyệt văn bản", "--location", "Hà Nội"])
        .args(extra)
        .env("KYSO_PDF_PASSWORD", password))
}

fn verify(pdf: &Path, password: Option<&str>) -> (i32, serde_json::Value) {
    let mut c = kyso();
    c.arg("verify")
        .arg(pdf)
        .arg("--json")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args());
    if let Some(p) = password {
        c.env("KYSO_PDF_PASSWORD", p);
    }
    let o = run(&mut c);
    let json = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {} / {}", stdout(&o), stderr(&o));
    });
    (o.status.code().unwrap_or(-1), json)
}

fn qpdf_check(pdf: &Path, password: &str) {
    let o = run(Command::new("qpdf")
        .arg(format!("--password={password}"))
        .arg("--check")
        .arg(pdf));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}: {text}", pdf.display());
    assert!(
        text.contains("No syntax or stream encoding errors"),
        "{}: {text}",
        pdf.display()
    );
}

fn pyhanko_valid(pdf: &Path, password: &str, expected: usize) {
    if !have_tool("pyhanko") {
        return;
    }
    let o = run(Command::new("pyhanko")
        .args(["sign", "validate", "--password", password, "--trust"])
        .arg(pki("root.pem"))
        .args([
            "--trust-replace",
            "--no-revocation-check",
            "--executive-summary",
        ])
        .arg(pdf));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(':')).collect();
    assert!(
        o.status.success() && lines.len() == expected,
        "pyhanko on {}: {text}{}",
        pdf.display(),
        stderr(&o)
    );
    for l in lines {
        assert!(l.ends_with(":VALID"), "{}: {l}", pdf.display());
    }
}

fn pdfsig_valid(pdf: &Path, password: &str, expected: usize) {
    if !have_tool("pdfsig") {
        return;
    }
    let mut c = Command::new("pdfsig");
    if !password.is_empty() {
        c.args(["-upw", password]);
    }
    let o = run(c.arg(pdf));
    let text = stdout(&o);
    let valid = text.matches("Signature is Valid.").count();
    assert_eq!(
        valid,
        expected,
        "pdfsig on {}: {text}{}",
        pdf.display(),
        stderr(&o)
    );
}

fn assert_passed(report: &serde_json::Value, code: i32, fields: &[&str]) {
    assert_eq!(code, 0, "{report:#}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), fields.len(), "{report:#}");
    for (s, field) in sigs.iter().zip(fields) {
        assert_eq!(s["indication"], "TOTAL-PASSED", "{s:#}");
        assert_eq!(s["field"], *field, "{s:#}");
        for m in s["modifications"].as_array().unwrap() {
            assert_eq!(m["allowed"], true, "{m:#}");
        }
    }
}

/// Every scheme, empty and non-empty user password: kyso signs (invisible, then a visible
/// leader signature on top), and qpdf, pyHanko, pdfsig and kyso agree on the result.
#[test]
fn signs_every_scheme_and_others_agree() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = fixture("images/signature-blue.png").display().to_string();
    for (name, scheme) in SCHEMES {
        for user in ["", USER] {
            let tag = format!("{name}-{}", if user.is_empty() { "open" } else { "user" });
            let enc = dir.path().join(format!("{tag}.pdf"));
            encrypt(&fixture("docs/congvan.pdf"), &enc, user, scheme, &[]);

            let one = dir.path().join(format!("{tag}-signed.pdf"));
            let o = kyso_sign(&enc, &one, "agency.p12", user, &["--field", "VanThư"]);
            assert!(o.status.success(), "{tag}: {}", stderr(&o));
            let two = dir.path().join(format!("{tag}-leader.pdf"));
            let o = kyso_sign(
                &one,
                &two,
                "leader.p12",
                user,
                // A leader after the agency breaks Decree 30's order: the guard needs --force
                // (what is tested here is encryption).
                &[
                    "--field",
                    "LãnhĐạo",
                    "--role",
                    "leader",
                    "--image",
                    &img,
                    "--force",
                ],
            );
            assert!(o.status.success(), "{tag}: {}", stderr(&o));

            for (pdf, n) in [(&one, 1), (&two, 2)] {
                qpdf_check(pdf, user);
                pyhanko_valid(pdf, user, n);
                pdfsig_valid(pdf, user, n);
            }
            let (code, report) = verify(&two, Some(user));
            assert_passed(&report, code, &["VanThư", "LãnhĐạo"]);
            // The decrypted text entries, not encrypted bytes.
            let sigs = report["signatures"].as_array().unwrap();
            assert_eq!(
                sigs[0]["reason"], "Phê duyệt văn bản",
                "{tag}: {:#}",
                sigs[0]
            );
            assert_eq!(sigs[1]["location"], "Hà Nội", "{tag}: {:#}", sigs[1]);
            // The document's own key: the signed file still opens with the same passwords,
            // and with the owner password too.
            let (code, report) = verify(&two, Some(OWNER));
            assert_passed(&report, code, &["VanThư", "LãnhĐạo"]);
        }
    }
}

/// qpdf's object streams, AES-128 with /EncryptMetadata false: the catalog and fields are
/// read from an encrypted object stream, the metadata stream is not encrypted.
#[test]
fn object_streams_and_clear_metadata() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("objstm.pdf");
    encrypt(
        &fixture("docs/congvan-objstm.pdf"),
        &enc,
        USER,
        &["128", "--use-aes=y", "--cleartext-metadata"],
        &["--object-streams=generate"],
    );
    let out = dir.path().join("signed.pdf");
    let o = kyso_sign(&enc, &out, "agency.p12", USER, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    qpdf_check(&out, USER);
    pyhanko_valid(&out, USER, 1);
    let (code, report) = verify(&out, Some(USER));
    assert_passed(&report, code, &["Signature1"]);
}

/// No password or a wrong one: a clear message, exit 4 for verify, nothing written by sign.
#[test]
fn wrong_or_missing_password_is_said_and_nothing_written() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("locked.pdf");
    encrypt(&fixture("docs/congvan.pdf"), &enc, USER, &["256"], &[]);
    let signed = dir.path().join("signed.pdf");
    assert!(kyso_sign(&enc, &signed, "agency.p12", USER, &[])
        .status
        .success());

    for password in [None, Some("sai-mat-khau")] {
        let mut c = kyso();
        c.arg("verify")
            .arg(&signed)
            .arg("--trust")
            .arg(pki("root.pem"));
        if let Some(p) = password {
            c.env("KYSO_PDF_PASSWORD", p);
        }
        let o = run(&mut c);
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        let msg = stderr(&o);
        assert!(msg.contains("password"), "{msg}");
        if password.is_none() {
            assert!(msg.contains("KYSO_PDF_PASSWORD"), "{msg}");
        }

        let out = dir.path().join("never.pdf");
        let o = kyso_sign(&enc, &out, "agency.p12", password.unwrap_or(""), &[]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains("password"), "{}", stderr(&o));
        assert!(!out.exists(), "an output was written");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    // --password-file: the first line of the file.
    let file = dir.path().join("pw.txt");
    std::fs::write(&file, format!("{USER}\n")).unwrap();
    let o = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--password-file")
        .arg(&file)
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // kyso info and kyso extract take the password the same way.
    let o = run(kyso().arg("info").arg(&signed).arg("--json"));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("KYSO_PDF_PASSWORD"), "{}", stderr(&o));
    let o = run(kyso()
        .arg("info")
        .arg(&signed)
        .arg("--json")
        .env("KYSO_PDF_PASSWORD", USER));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Signature1"), "{}", stdout(&o));
    let version = dir.path().join("version.pdf");
    let o = run(kyso()
        .arg("extract")
        .arg(&signed)
        .args(["--field", "Signature1", "-o"])
        .arg(&version)
        .arg("--password-file")
        .arg(&file));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&version).unwrap(),
        std::fs::read(&signed).unwrap()
    );
}

/// A later revision that replaces the encryption dictionary is refused with a reason.
#[test]
fn a_revision_changing_the_encryption_is_refused() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.pdf");
    encrypt(
        &fixture("docs/congvan.pdf"),
        &enc,
        "",
        &["128", "--use-aes=y"],
        &[],
    );
    let mut bytes = std::fs::read(&enc).unwrap();
    // Append an update whose trailer names another /ID.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let startxref: u64 = text
        .rsplit("startxref")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let trailer_at = text.rfind("trailer").unwrap();
    let trailer_end = text[trailer_at..].find("startxref").unwrap() + trailer_at;
    let trailer = &text[trailer_at + 7..trailer_end];
    let id_at = trailer.find("/ID").unwrap();
    let mut new_trailer = trailer.to_string();
    let lt = id_at + trailer[id_at..].find('<').unwrap() + 1;
    new_trailer.replace_range(
        lt..lt + 2,
        if &trailer[lt..lt + 2] == "00" {
            "11"
        } else {
            "00"
        },
    );
    let new_trailer =
        new_trailer.trim().trim_end_matches(">>").to_string() + &format!(" /Prev {startxref} >>");
    let xref_at = bytes.len();
    bytes.extend_from_slice(
        format!("xref\n0 0\ntrailer\n{new_trailer}\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
    );
    let bad = dir.path().join("bad.pdf");
    std::fs::write(&bad, bytes).unwrap();
    let o = run(kyso()
        .arg("verify")
        .arg(&bad)
        .arg("--trust")
        .arg(pki("root.pem")));
    assert_eq!(o.status.code(), Some(4), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("/ID"), "{}", stderr(&o));
}

/// The encrypted files of the shared corpus reach their expected verdicts, with their text
/// entries decrypted.
#[test]
fn corpus_encrypted_files() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let expect = std::fs::read_to_string(shared.join("corpus/expect.tsv")).unwrap();
    let mut seen = 0;
    for line in expect.lines() {
        let mut cols = line.split('\t');
        let (Some(file), Some(verdict)) = (cols.next(), cols.next()) else {
            continue;
        };
        if !file.ends_with(".pdf") || !file.contains("encrypt") {
            continue;
        }
        let path: PathBuf = shared.join("corpus").join(file);
        let o = run(kyso()
            .arg("verify")
            .arg(&path)
            .arg("--json")
            .arg("--offline"));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{file}: {e}: {}", stderr(&o)));
        let sigs = report["signatures"].as_array().unwrap();
        assert!(!sigs.is_empty(), "{file}: {report:#}");
        for s in sigs {
            // Intact: the bytes are hashed as written (encryption does not touch /ByteRange).
            assert_eq!(s["checks"]["byte_range_ok"], true, "{file}: {s:#}");
            assert_eq!(s["checks"]["digest_matches"], true, "{file}: {s:#}");
            assert_eq!(s["checks"]["signature_valid"], true, "{file}: {s:#}");
            // Field names and text entries are readable (no encrypted bytes shown).
            let field = s["field"].as_str().unwrap_or("");
            assert!(
                !field.is_empty() && field.chars().all(|c| !c.is_control() && c != '\u{fffd}'),
                "{file}: field {field:?}"
            );
        }
        // The reason, when there is one, reads as text: letters, not decrypted garbage.
        for s in sigs {
            if let Some(reason) = s["reason"].as_str() {
                let letters = reason.chars().filter(|c| c.is_alphabetic()).count();
                assert!(
                    letters * 2 > reason.chars().count() && !reason.contains('\u{fffd}'),
                    "{file}: reason {reason:?}"
                );
            }
        }
        assert!(
            report["encryption"].as_str().is_some(),
            "{file}: {report:#}"
        );
        if verdict == "VALID" {
            // As tests/corpus.rs: intact, and passed or indeterminate (no trust anchors here).
            assert!(matches!(o.status.code(), Some(0 | 3)), "{file}: {report:#}");
        }
        seen += 1;
    }
    assert!(seen > 0, "no encrypted file in the corpus");
}

/// PAdES B-LTA on an encrypted document: the DSS streams and the document time-stamp are
/// encrypted like the signature's update; kyso (offline) and pyHanko accept the result.
#[test]
fn b_lta_on_an_encrypted_document() {
    if !tools() || !have_tool("openssl") {
        return;
    }
    let pki = LocalPki::new(3000);
    let p12 = pki.signer("enc", "Nguyễn Văn Mã Hóa", 30);
    let enc = pki.path("enc.pdf");
    encrypt(&fixture("docs/congvan.pdf"), &enc, USER, &["256"], &[]);
    let out = pki.path("lta.pdf");
    let o = run(kyso_online()
        .arg("sign")
        .arg(&enc)
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(&p12)
        .args([
            "--level",
            "B-LTA",
            "--tsa",
            &pki.url("/tsa"),
            "--reason",
            "Lưu trữ",
        ])
        .env("KYSO_PDF_PASSWORD", USER));
    assert!(o.status.success(), "{}", stderr(&o));
    qpdf_check(&out, USER);
    let o = run(kyso()
        .arg("verify")
        .arg(&out)
        .arg("--json")
        .arg("--offline")
        .arg("--trust")
        .arg(pki.root())
        .env("KYSO_PDF_PASSWORD", USER));
    let r: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(o.status.code(), Some(0), "{r:#}");
    assert_eq!(r["encryption"], "AES-256 (R6)", "{r:#}");
    assert_eq!(r["signatures"][0]["level"], "PAdES-B-LTA", "{r:#}");
    assert_eq!(r["signatures"][0]["reason"], "Lưu trữ", "{r:#}");
    assert_eq!(r["signatures"][1]["type"], "document-timestamp", "{r:#}");
    if have_tool("pyhanko") {
        let o = run(Command::new("pyhanko")
            .args(["sign", "validate", "--password", USER, "--trust"])
            .arg(pki.root())
            .args(["--trust-replace", "--executive-summary", "--force-revinfo"])
            .arg(&out));
        let text = stdout(&o);
        assert!(o.status.success(), "pyhanko: {text}{}", stderr(&o));
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(':')).collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|l| l.ends_with(":VALID")),
            "{text}"
        );
    }
}

/// Appends an update to `signed` (opened with `password`) that rewrites the first page's
/// content stream: with the same bytes (re-encrypted, a fresh IV) or with an added line.
fn rewrite_page_contents(signed: &Path, out: &Path, password: &str, change: bool) {
    use kyso::pdf::{Document, FileSource, IncrementalUpdate, Object, Password};
    let doc = Document::open_with_password(
        std::sync::Arc::new(FileSource::open(signed).unwrap()),
        &Password::from_text(password),
    )
    .unwrap();
    let rev = doc.last_revision();
    let page = doc.pages_at(rev).unwrap()[0];
    let page = doc.get(page).unwrap();
    let contents = match page.as_dict().unwrap().get("Contents").unwrap() {
        Object::Ref(r) => *r,
        Object::Array(a) => a[0].as_ref().unwrap(),
        other => panic!("/Contents {other:?}"),
    };
    let Object::Stream(s) = doc.get(contents).unwrap() else {
        panic!("not a stream")
    };
    let mut update = IncrementalUpdate::new(&doc);
    if change {
        let mut data = doc.stream_decoded(&s).unwrap();
        data.extend_from_slice(b"\nBT /F1 24 Tf 72 72 Td (GIA MAO) Tj ET\n");
        let mut dict = s.dict.clone();
        dict.remove("Filter");
        dict.remove("DecodeParms");
        update.set_stream(contents, dict, data);
    } else {
        update.set_stream(contents, s.dict.clone(), doc.stream_raw(&s).unwrap());
    }
    let mut bytes = std::fs::read(signed).unwrap();
    let eol = !bytes.ends_with(b"\n");
    if eol {
        bytes.push(b'\n');
    }
    let written = update.write(bytes.len() as u64, false, None).unwrap();
    bytes.extend_from_slice(&written.bytes);
    std::fs::write(out, bytes).unwrap();
}

/// The change analysis compares decrypted content: the same page content encrypted again
/// (other ciphertext) is no change; an added line in the encrypted stream is found.
#[test]
fn the_change_analysis_reads_decrypted_content() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.pdf");
    encrypt(
        &fixture("docs/congvan.pdf"),
        &enc,
        USER,
        &["128", "--use-aes=y"],
        &[],
    );
    let signed = dir.path().join("signed.pdf");
    assert!(kyso_sign(&enc, &signed, "agency.p12", USER, &[])
        .status
        .success());

    let same = dir.path().join("same.pdf");
    rewrite_page_contents(&signed, &same, USER, false);
    assert_ne!(
        std::fs::read(&same).unwrap().len(),
        std::fs::read(&signed).unwrap().len()
    );
    let (code, report) = verify(&same, Some(USER));
    assert_eq!(code, 0, "{report:#}");

    let forged = dir.path().join("forged.pdf");
    rewrite_page_contents(&signed, &forged, USER, true);
    let (code, report) = verify(&forged, Some(USER));
    assert_eq!(code, 1, "{report:#}");
    let mods = report["signatures"][0]["modifications"].as_array().unwrap();
    assert!(mods.iter().any(|m| m["allowed"] == false), "{report:#}");
}

/// pyHanko signs an encrypted document (its /Contents unencrypted, its /Reason encrypted):
/// kyso reads it, signs on top, and pyHanko validates both signatures.
#[test]
fn pyhanko_signed_encrypted_document_round_trip() {
    if !tools() || !have_tool("pyhanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.pdf");
    encrypt(
        &fixture("docs/congvan.pdf"),
        &enc,
        USER,
        &["128", "--use-aes=y"],
        &[],
    );
    let by_pyhanko = dir.path().join("pyhanko.pdf");
    let mut c = Command::new("pyhanko");
    c.args(["sign", "addsig", "--field", "1/100,100,300,150/PyHanko"])
        .args(["--reason", "Ý kiến của phòng"])
        .args(["pemder", "--no-pass", "--key"])
        .arg(pki("agency.key.pem"))
        .arg("--cert")
        .arg(pki("agency.pem"))
        .arg("--chain")
        .arg(pki("chain.pem"))
        .arg(&enc)
        .arg(&by_pyhanko)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        // pyHanko asks for the document's password on standard input.
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{USER}").unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "pyhanko addsig: {}", stderr(&o));

    let (code, report) = verify(&by_pyhanko, Some(USER));
    assert_passed(&report, code, &["PyHanko"]);
    assert_eq!(report["signatures"][0]["reason"], "Ý kiến của phòng");

    let both = dir.path().join("both.pdf");
    let o = kyso_sign(&by_pyhanko, &both, "leader.p12", USER, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, report) = verify(&both, Some(USER));
    assert_passed(&report, code, &["PyHanko", "Signature1"]);
    pyhanko_valid(&both, USER, 2);
    qpdf_check(&both, USER);
}

/// Deferred signing of an encrypted document: `kyso prepare` and `kyso complete` with the
/// password, the value made by openssl in between.
#[test]
fn prepare_and_complete_an_encrypted_document() {
    if !tools() || !have_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.pdf");
    encrypt(&fixture("docs/congvan.pdf"), &enc, USER, &["256"], &[]);
    let prepared = dir.path().join("prepared.pdf");
    let o = run(kyso()
        .arg("prepare")
        .arg(&enc)
        .arg("-o")
        .arg(&prepared)
        .arg("--cert")
        .arg(pki("leader.pem"))
        .arg("--chain")
        .arg(pki("chain.pem"))
        .args(["--reason", "Ký sau", "--json"])
        .env("KYSO_PDF_PASSWORD", USER));
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tbs = Base64::decode_vec(info["to_be_signed_base64"].as_str().unwrap()).unwrap();
    let data = dir.path().join("tbs.der");
    std::fs::write(&data, tbs).unwrap();
    let sig = dir.path().join("sig.bin");
    let o = run(Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(pki("leader.key.pem"))
        .arg("-out")
        .arg(&sig)
        .arg(&data));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("signed.pdf");
    let complete = |password: Option<&str>| {
        let mut c = kyso();
        c.arg("complete")
            .arg(&prepared)
            .arg("--signature")
            .arg(&sig)
            .arg("-o")
            .arg(&out);
        if let Some(p) = password {
            c.env("KYSO_PDF_PASSWORD", p);
        }
        run(&mut c)
    };
    let o = complete(None);
    assert!(!o.status.success() && !out.exists(), "{}", stderr(&o));
    assert!(stderr(&o).contains("KYSO_PDF_PASSWORD"), "{}", stderr(&o));
    let o = complete(Some(USER));
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, report) = verify(&out, Some(USER));
    assert_passed(&report, code, &["Signature1"]);
    assert_eq!(report["signatures"][0]["reason"], "Ký sau");
    qpdf_check(&out, USER);
    pyhanko_valid(&out, USER, 1);
}
