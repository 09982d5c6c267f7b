//! One options model (issue 19, item 3): the same JSON request, read into the library's
//! `SignRequest`, signs the same way through the library, the C ABI (`kyso_sign_buffer`) and
//! `kyso serve` (its query), and an unknown key is refused by each. (That every `kyso sign` /
//! `kyso verify` flag reaches the request is checked by the CLI's `options_map` tests, which
//! walk clap's arguments.)

mod common;

use std::ffi::{CStr, CString};
use std::path::Path;

use common::*;
use kyso::request::{SignRequest, SignSecrets, VerifyRequest};
use serde_json::{json, Value};

/// The request of the test: a visible organization signature with every kind of value (text,
/// number, switch, picture).
fn request_json(image: &Path) -> Value {
    json!({
        "reason": "Phê duyệt",
        "location": "Hà Nội",
        "contact": "vanthu@ubnd.gov.vn",
        "field": "VanThu",
        "hash": "sha384",
        "role": "organization",
        "image": image,
        "page": 1,
        "rect": "300,100,200,100",
        "seal_diameter_mm": 30,
        "doc_number": "12/UBND-VP",
        "agency": "UBND tỉnh Thử Nghiệm",
        "force": true
    })
}

/// The verification of a signed PDF against the fixture PKI, through the library.
fn verify_request() -> Value {
    json!({
        "trust": [pki("root.pem")],
        "crls": [pki("intermediate.crl"), pki("root.crl")],
        "offline": true,
        "lang": "en"
    })
}

fn report(pdf: &[u8]) -> Value {
    let req: VerifyRequest = serde_json::from_value(verify_request()).unwrap();
    let lang = req.lang().unwrap();
    let opts = req.into_options(kyso::pdf::Password::default()).unwrap();
    let mut report = kyso::verify::verify_bytes(pdf, &opts).unwrap();
    // The words, in the request's language, as every front door fills them.
    kyso::text::report::localise(&mut report, lang);
    serde_json::to_value(&report).unwrap()
}

/// A report without what differs between two signings of the same request: times (digits in
/// texts), where the bytes fall, the file name.
fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    ![
                        "file",
                        "validation_time",
                        "validated_at",
                        "signing_time",
                        "byte_range",
                    ]
                    .contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        Value::String(s) => {
            let mut out = String::new();
            for c in s.chars() {
                if c.is_ascii_digit() {
                    if !out.ends_with('#') {
                        out.push('#');
                    }
                } else {
                    out.push(c);
                }
            }
            Value::String(out)
        }
        other => other.clone(),
    }
}

fn by_library(pdf: &[u8], request: &Value) -> Vec<u8> {
    let req: SignRequest = serde_json::from_value(request.clone()).unwrap();
    let opts = req.into_options(SignSecrets::default()).unwrap();
    let key = kyso::sign::load_p12(&std::fs::read(pki("agency.p12")).unwrap(), "").unwrap();
    kyso::ltv::sign_bytes(pdf, &key, &opts).unwrap().0
}

/// `kyso_sign_buffer` with `json`: the signed bytes, or (code, last error).
fn by_c_abi(pdf: &[u8], json: &Value) -> Result<Vec<u8>, (i32, String)> {
    let options = CString::new(json.to_string()).unwrap();
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut out_len = 0usize;
    // SAFETY: valid pointers for the call's duration; `out` is freed with kyso_free.
    unsafe {
        let code = kyso_ffi::kyso_sign_buffer(
            pdf.as_ptr(),
            pdf.len(),
            options.as_ptr(),
            &mut out,
            &mut out_len,
        );
        if code != 0 {
            let msg = CStr::from_ptr(kyso_ffi::kyso_last_error())
                .to_string_lossy()
                .into_owned();
            return Err((code, msg));
        }
        let bytes = std::slice::from_raw_parts(out, out_len).to_vec();
        kyso_ffi::kyso_free(out.cast());
        Ok(bytes)
    }
}

/// `kyso_verify_buffer` with `json`: (code, report) or (code, last error).
fn verify_by_c_abi(pdf: &[u8], json: &Value) -> (i32, Result<Value, String>) {
    let options = CString::new(json.to_string()).unwrap();
    let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: as above.
    unsafe {
        let code =
            kyso_ffi::kyso_verify_buffer(pdf.as_ptr(), pdf.len(), options.as_ptr(), &mut out);
        if out.is_null() {
            let msg = CStr::from_ptr(kyso_ffi::kyso_last_error())
                .to_string_lossy()
                .into_owned();
            return (code, Err(msg));
        }
        let text = CStr::from_ptr(out).to_string_lossy().into_owned();
        kyso_ffi::kyso_free(out.cast());
        (code, Ok(serde_json::from_str(&text).unwrap()))
    }
}

/// A running `kyso serve` with the agency key and a picture folder, stopped when dropped.
fn start_server(image_dir: &Path) -> Serve {
    let mut args = vec!["--trust".into(), pki("root.pem").into_os_string()];
    args.extend(crl_args());
    args.extend(["--p12".into(), pki("agency.p12").into_os_string()]);
    args.extend(["--image-dir".into(), image_dir.as_os_str().to_owned()]);
    let mut cmd = kyso();
    cmd.env("KYSO_PIN", "");
    Serve::spawn(cmd, args, None)
}

/// POST `path` with `body` as a PDF: (status, body).
fn post(srv: &Serve, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    srv.post_as(path, "application/pdf", body)
}

/// The request as `kyso serve`'s query: names with `-`, values as text (percent-encoded); the
/// picture by its name in the service's picture folder.
fn query(request: &Value) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    request
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let text = match (k.as_str(), v) {
                ("image", Value::String(p)) => Path::new(p)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                (_, Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            format!("{}={}", k.replace('_', "-"), enc(&text))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn one_request_signs_alike_through_every_door() {
    let tmp = tempfile::tempdir().unwrap();
    let images = tmp.path().join("images");
    std::fs::create_dir(&images).unwrap();
    let seal = images.join("seal.png");
    std::fs::copy(fixture("images/seal-red.png"), &seal).unwrap();
    let request = request_json(&seal);
    let pdf = std::fs::read(fixture("docs/congvan.pdf")).unwrap();

    let lib = by_library(&pdf, &request);

    let mut ffi_json = request.clone();
    ffi_json["p12_path"] = json!(pki("agency.p12"));
    ffi_json["p12_password"] = json!("");
    let ffi = by_c_abi(&pdf, &ffi_json).unwrap_or_else(|e| panic!("C ABI: {e:?}"));

    let srv = start_server(&images);
    let (status, served) = post(&srv, &format!("/v1/sign?{}", query(&request)), &pdf);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&served));

    // The options were applied (not ignored alike by all three)...
    let lib_report = report(&lib);
    let sig = &lib_report["signatures"][0];
    assert_eq!(sig["indication"], "TOTAL-PASSED", "{lib_report}");
    assert_eq!(sig["field"], "VanThu");
    assert_eq!(sig["reason"], "Phê duyệt");
    assert_eq!(sig["location"], "Hà Nội");
    assert_eq!(sig["contact_info"], "vanthu@ubnd.gov.vn");
    assert!(
        sig["algorithm"].as_str().unwrap().contains("SHA-384"),
        "{sig}"
    );
    assert_eq!(sig["role"]["role"], "organization", "{}", sig["role"]);
    // ...and gave the same signature, but for its time.
    let expected = normalized(&lib_report);
    for (door, bytes) in [("C ABI", &ffi), ("kyso serve", &served)] {
        assert_eq!(
            normalized(&report(bytes)),
            expected,
            "{door} signed differently from the library"
        );
        // The same appearance and dictionary: the same size give or take the compressed
        // digits of the signing time (as tests/serve.rs; a picture missing is kilobytes).
        let d = bytes.len() as i64 - lib.len() as i64;
        assert!(
            d.abs() < 600,
            "{door}: {} B, the library {} B",
            bytes.len(),
            lib.len()
        );
    }
}

#[test]
fn unknown_keys_are_refused_by_every_door() {
    let pdf = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    // The library.
    let e = serde_json::from_value::<SignRequest>(json!({"resaon": "x"}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("resaon"), "{e}");
    let e = serde_json::from_value::<VerifyRequest>(json!({"trsut": []}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("trsut"), "{e}");
    // The C ABI: KYSO_ERR_INVALID_ARGUMENT naming the key, before any key is opened.
    let (code, msg) =
        by_c_abi(&pdf, &json!({"p12_path": pki("agency.p12"), "resaon": "x"})).unwrap_err();
    assert_eq!(code, kyso_ffi::KYSO_ERR_INVALID_ARGUMENT);
    assert!(msg.contains("resaon"), "{msg}");
    let (code, out) = verify_by_c_abi(&pdf, &json!({"trust": [], "trsut": []}));
    assert_eq!(code, kyso_ffi::KYSO_ERR_INVALID_ARGUMENT);
    assert!(out.unwrap_err().contains("trsut"));
    // A value the request refuses, named by its field, the same through the C ABI.
    let (code, msg) = by_c_abi(
        &pdf,
        &json!({"p12_path": pki("agency.p12"), "seal_diameter_mm": 3}),
    )
    .unwrap_err();
    assert_eq!(code, kyso_ffi::KYSO_ERR_INVALID_ARGUMENT);
    assert!(
        msg.contains("seal_diameter_mm") && msg.contains("role"),
        "{msg}"
    );
    // The service: 400 naming the parameter, for signing and for verifying.
    let tmp = tempfile::tempdir().unwrap();
    let srv = start_server(tmp.path());
    for path in [
        "/v1/sign?resaon=x",
        "/v1/verify?trsut=x",
        "/v1/verify?colour=red",
    ] {
        let (status, body) = post(&srv, path, &pdf);
        let name = path.split(['?', '=']).nth(1).unwrap();
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 400, "{path}: {text}");
        assert!(text.contains(name), "{path}: {text}");
    }
}

#[test]
fn one_verify_request_through_the_library_and_the_c_abi() {
    let tmp = tempfile::tempdir().unwrap();
    let signed = tmp.path().join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "agency.p12", &[]);
    let pdf = std::fs::read(&signed).unwrap();
    let lib = report(&pdf);
    let (code, ffi) = verify_by_c_abi(&pdf, &verify_request());
    let ffi = ffi.unwrap();
    assert_eq!(code, 0, "{ffi}");
    assert_eq!(lib["signatures"][0]["indication"], "TOTAL-PASSED");
    assert_eq!(normalized(&ffi), normalized(&lib));
    // "require_decree30" counts the layout in the result code, through the C ABI as in
    // `kyso verify`: an invisible signature is no Decree 30 layout.
    let mut strict = verify_request();
    strict["require_decree30"] = json!(true);
    let (strict_code, _) = verify_by_c_abi(&pdf, &strict);
    let cli = run(kyso()
        .arg("verify")
        .arg(&signed)
        .arg("--require-decree30")
        .arg("--trust")
        .arg(pki("root.pem"))
        .args(crl_args()));
    assert_eq!(Some(strict_code), cli.status.code(), "{}", stderr(&cli));
    assert_eq!((code, strict_code), (0, 1), "the flag changed nothing");
    let req: VerifyRequest = serde_json::from_value(strict).unwrap();
    let lib_report: kyso::verify::Report = {
        let opts = req
            .clone()
            .into_options(kyso::pdf::Password::default())
            .unwrap();
        kyso::verify::verify_bytes(&pdf, &opts).unwrap()
    };
    assert_eq!(req.result_code(&lib_report), strict_code);
    // "lang": "en" reached both: the report's words are English.
    assert!(
        lib["signatures"][0]["message"].as_str().unwrap().is_ascii(),
        "{}",
        lib["signatures"][0]["message"]
    );
}

/// `multipart/form-data`: the PDF as a file part, `fields` as form fields (no file name).
fn form(pdf: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let b = "kysoOptionsModelBoundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[test]
fn the_service_reads_form_fields_as_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = start_server(tmp.path());
    let pdf = std::fs::read(fixture("docs/congvan.pdf")).unwrap();
    let (ct, body) = form(
        &pdf,
        &[
            ("reason", "Phê duyệt"),
            ("field", "Form1"),
            ("hash", "sha512"),
        ],
    );
    let (status, signed) = srv.post_as("/v1/sign?location=H%C3%A0+N%E1%BB%99i", &ct, &body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    let r = report(&signed);
    let sig = &r["signatures"][0];
    assert_eq!(sig["reason"], "Phê duyệt", "{sig}");
    assert_eq!(sig["location"], "Hà Nội", "{sig}");
    assert_eq!(sig["field"], "Form1", "{sig}");
    assert!(
        sig["algorithm"].as_str().unwrap().contains("SHA-512"),
        "{sig}"
    );
    // A parameter in the query and in the form is given twice; a misspelt field is unknown.
    for (query, fields, name) in [
        ("?reason=a", &[("reason", "b")][..], "reason"),
        ("", &[("resaon", "b")][..], "resaon"),
    ] {
        let (ct, body) = form(&pdf, fields);
        let (status, answer) = srv.post_as(&format!("/v1/sign{query}"), &ct, &body);
        let text = String::from_utf8_lossy(&answer);
        assert_eq!(status, 400, "{text}");
        assert!(text.contains(name), "{text}");
    }
}

/// `kyso_prepare` with `json`: the prepared JSON, or (code, last error).
fn prepare_by_c_abi(input: &Path, output: &Path, json: &Value) -> Result<Value, (i32, String)> {
    let input = CString::new(input.to_str().unwrap()).unwrap();
    let output = CString::new(output.to_str().unwrap()).unwrap();
    let options = CString::new(json.to_string()).unwrap();
    let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: valid pointers for the call's duration; `out` is freed with kyso_free.
    unsafe {
        let code =
            kyso_ffi::kyso_prepare(input.as_ptr(), output.as_ptr(), options.as_ptr(), &mut out);
        if code != 0 {
            let msg = CStr::from_ptr(kyso_ffi::kyso_last_error())
                .to_string_lossy()
                .into_owned();
            return Err((code, msg));
        }
        let text = CStr::from_ptr(out).to_string_lossy().into_owned();
        kyso_ffi::kyso_free(out.cast());
        Ok(serde_json::from_str(&text).unwrap())
    }
}

#[test]
fn prepare_takes_the_sign_request_at_every_door() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("docs/congvan.pdf");
    let request = json!({"reason": "Phê duyệt", "field": "VanThu", "hash": "sha512", "certify": 2});
    // The library.
    let req: SignRequest = serde_json::from_value(request.clone()).unwrap();
    let opts = req.into_prepare_options(SignSecrets::default()).unwrap();
    let cert = std::fs::read(pki("agency.pem")).unwrap();
    let cert = kyso::pki::Certificate::parse_pem_or_der(&cert)
        .unwrap()
        .remove(0);
    let by_lib = dir.path().join("lib.pdf");
    let (lib, _) =
        kyso::sign::deferred::prepare_file(&input, &by_lib, &cert.der, &[], &opts, false).unwrap();
    // The C ABI: the same keys beside its own (the certificate).
    let mut c_json = request.clone();
    c_json["cert_path"] = json!(pki("agency.pem"));
    let c = prepare_by_c_abi(&input, &dir.path().join("c.pdf"), &c_json).unwrap();
    // The command line: the same options as flags.
    let o = run(kyso()
        .arg("prepare")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("cli.pdf"))
        .arg("--cert")
        .arg(pki("agency.pem"))
        .args([
            "--reason",
            "Phê duyệt",
            "--field",
            "VanThu",
            "--hash",
            "sha512",
        ])
        .args(["--certify", "2", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let cli: Value = serde_json::from_slice(&o.stdout).unwrap();
    for p in [&c, &cli] {
        assert_eq!(p["digest_algorithm"], lib.digest_algorithm, "{p}");
        assert_eq!(p["digest_algorithm"], "SHA-512", "{p}");
        assert_eq!(p["field"], "VanThu", "{p}");
    }
    // Certified (DocMDP 2) by every door: the prepared files carry /DocMDP.
    for name in ["lib.pdf", "c.pdf", "cli.pdf"] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        assert!(
            bytes.windows(6).any(|w| w == b"DocMDP"),
            "{name}: no certification"
        );
    }
    // What only completion adds is refused, naming the key; so is a misspelt key.
    for (json, key) in [
        (
            json!({"cert_path": pki("agency.pem"), "tsa": "http://127.0.0.1:9/"}),
            "tsa",
        ),
        (
            json!({"cert_path": pki("agency.pem"), "resaon": "x"}),
            "resaon",
        ),
    ] {
        let (code, msg) = prepare_by_c_abi(&input, &dir.path().join("x.pdf"), &json).unwrap_err();
        assert_eq!(code, kyso_ffi::KYSO_ERR_INVALID_ARGUMENT, "{msg}");
        assert!(msg.contains(key), "{msg}");
    }
}

#[test]
fn extend_reads_the_same_request_from_json_and_a_query() {
    let json: kyso::request::ExtendRequest = serde_json::from_value(json!({
        "level": "B-LT",
        "tsa": ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"],
        "renew_days": 30,
        "offline": true
    }))
    .unwrap();
    let pairs: Vec<(String, String)> = [
        ("level", "B-LT"),
        ("tsa", "http://127.0.0.1:9/a"),
        ("tsa", "http://127.0.0.1:9/b"),
        ("renew-days", "30"),
        ("offline", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let query: kyso::request::ExtendRequest = kyso::request::from_pairs(&pairs).unwrap();
    assert_eq!(format!("{json:?}"), format!("{query:?}"));
    let opts = query
        .into_options(kyso::pdf::Password::default(), None)
        .unwrap();
    assert_eq!(opts.level, kyso::ltv::PadesLevel::BLT);
    assert_eq!(opts.renew_within, time::Duration::days(30));
    assert!(opts.http.is_none());
    let e = kyso::request::from_pairs::<kyso::request::ExtendRequest>(&[(
        "renew_dyas".to_string(),
        "3".to_string(),
    )])
    .unwrap_err();
    assert!(e.to_string().contains("renew_dyas"), "{e}");
}
