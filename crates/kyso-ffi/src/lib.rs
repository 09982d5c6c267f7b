//! The C ABI of kyso: `libkyso.so` / `libkyso.a` and `include/kyso.h` (generated from this
//! file by cbindgen; `tests/header.rs` fails when the committed header is stale).
//!
//! Every entry point checks its pointers, catches panics (`KYSO_ERR_INTERNAL`) and records a
//! message for `kyso_last_error` on the calling thread. Options and reports are UTF-8 JSON.
//! There is no global state but that per-thread message: calls from several threads at once
//! are safe.

// The C names are the contract (kyso.h); the unsafe contracts are documented there.
#![allow(non_camel_case_types, clippy::missing_safety_doc)]

mod callback;
mod handle;
mod options;
mod support;

use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::Path;

use kyso::sign::deferred::{complete_file, prepare_file, SignatureInput};

pub use handle::kyso_signer;
use options::{parse, ExtractJson, PrepareJson, SignJson, VerifyJson};
use support::{
    export_bytes, export_string, guard, optional_str, required_bytes, required_str, Failure,
};

/// The version of kyso this header belongs to (compare with kyso_version_number() at run
/// time: the library a program loads may be newer than the header it was built with).
pub const KYSO_VERSION_MAJOR: c_int = 0;
/// See KYSO_VERSION_MAJOR.
pub const KYSO_VERSION_MINOR: c_int = 1;
/// See KYSO_VERSION_MAJOR.
pub const KYSO_VERSION_PATCH: c_int = 0;
/// MAJOR * 1000000 + MINOR * 1000 + PATCH (as SQLITE_VERSION_NUMBER), e.g. 1002003 for 1.2.3.
pub const KYSO_VERSION_NUMBER: c_int =
    KYSO_VERSION_MAJOR * 1000000 + KYSO_VERSION_MINOR * 1000 + KYSO_VERSION_PATCH;

// The header's numbers are literals (cbindgen copies them); the build fails when they drift
// from the crate version.
const _: () = {
    assert!(KYSO_VERSION_MAJOR == version_part(env!("CARGO_PKG_VERSION_MAJOR")));
    assert!(KYSO_VERSION_MINOR == version_part(env!("CARGO_PKG_VERSION_MINOR")));
    assert!(KYSO_VERSION_PATCH == version_part(env!("CARGO_PKG_VERSION_PATCH")));
};

const fn version_part(s: &str) -> c_int {
    let b = s.as_bytes();
    let mut n: c_int = 0;
    let mut i = 0;
    while i < b.len() {
        assert!(b[i].is_ascii_digit() && n < 1000);
        n = n * 10 + (b[i] - b'0') as c_int;
        i += 1;
    }
    n
}

/// Success (and, for verification, every signature TOTAL-PASSED).
pub const KYSO_OK: c_int = 0;
/// Verification: at least one signature TOTAL-FAILED.
pub const KYSO_VERIFY_FAILED: c_int = 1;
/// Verification: none failed, at least one INDETERMINATE (e.g. no trust anchor).
pub const KYSO_VERIFY_INDETERMINATE: c_int = 3;
/// Verification: the file has no signature.
pub const KYSO_VERIFY_NO_SIGNATURE: c_int = 4;
/// Invalid argument: a NULL pointer, bad JSON, an unknown or ill-typed option, a bad value.
pub const KYSO_ERR_INVALID_ARGUMENT: c_int = -1;
/// A file could not be read or written (missing input, output not writable, output = input).
pub const KYSO_ERR_IO: c_int = -2;
/// Not a PDF, a damaged PDF, or a PDF kyso cannot sign (encrypted, certified "no changes").
pub const KYSO_ERR_NOT_PDF: c_int = -3;
/// Cryptography: malformed certificate or CMS, unsupported algorithm, a signature that does
/// not verify, a signer certificate refused before signing (expired...; "force" overrides).
pub const KYSO_ERR_CRYPTO: c_int = -4;
/// Key or PIN: wrong .p12 password, no usable key, token or PIN refused, signing callback
/// returned non-zero.
pub const KYSO_ERR_KEY: c_int = -5;
/// Network: OCSP, CRL download, remote signing service.
pub const KYSO_ERR_NETWORK: c_int = -6;
/// An option this version recognises but does not support (none at present; kept for
/// options later versions add).
pub const KYSO_ERR_NOT_SUPPORTED: c_int = -7;
/// Internal error: a panic caught at the boundary, out of memory, an unexpected error kind.
pub const KYSO_ERR_INTERNAL: c_int = -99;

/// The smallest capacity of the signature buffer given to a kyso_sign_callback, in bytes.
pub const KYSO_SIGNATURE_CAPACITY_MIN: usize = 1024;

/// Signs `len` bytes at `to_be_signed` (the DER of the CMS signed attributes) with the key of
/// the certificate given to `kyso_sign_file_with_callback`: hash them with the options' "hash"
/// (default SHA-256; SHA-384 for P-384 keys) and sign: RSA PKCS#1 v1.5 (RSASSA-PSS when
/// "pss" is true), ECDSA as DER or raw r||s. Write the value to `signature`, whose capacity
/// (at least 1024 bytes) is in `*signature_len` on entry, and store its length in
/// `*signature_len`. Return 0 on success, anything else to abort (KYSO_ERR_KEY). kyso checks
/// the value against the certificate before embedding it.
pub type kyso_sign_callback = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        to_be_signed: *const u8,
        len: usize,
        signature: *mut u8,
        signature_len: *mut usize,
    ) -> c_int,
>;

/// The library version, e.g. "0.1.0". Static: do not free.
#[no_mangle]
pub extern "C" fn kyso_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library's version as KYSO_VERSION_NUMBER: a program built with kyso.h checks at start
/// that `kyso_version_number() / 1000000 == KYSO_VERSION_MAJOR` and
/// `kyso_version_number() >= KYSO_VERSION_NUMBER` (see the ABI rule in README.md).
#[no_mangle]
pub extern "C" fn kyso_version_number() -> c_int {
    KYSO_VERSION_NUMBER
}

/// A short English description of a return code (e.g. "key or PIN refused" for
/// KYSO_ERR_KEY), for messages when kyso_last_error() is not at hand. Static: do not free;
/// an unknown code gives "unknown kyso return code".
#[no_mangle]
pub extern "C" fn kyso_strerror(code: c_int) -> *const c_char {
    let text: &'static CStr = match code {
        KYSO_OK => c"success",
        KYSO_VERIFY_FAILED => c"verification: a signature failed (TOTAL-FAILED)",
        KYSO_VERIFY_INDETERMINATE => c"verification: indeterminate (INDETERMINATE)",
        KYSO_VERIFY_NO_SIGNATURE => c"verification: the file has no signature",
        KYSO_ERR_INVALID_ARGUMENT => c"invalid argument",
        KYSO_ERR_IO => c"file could not be read or written",
        KYSO_ERR_NOT_PDF => c"not a PDF, damaged, or not signable",
        KYSO_ERR_CRYPTO => c"cryptographic error",
        KYSO_ERR_KEY => c"key or PIN refused",
        KYSO_ERR_NETWORK => c"network error",
        KYSO_ERR_NOT_SUPPORTED => c"not supported",
        KYSO_ERR_INTERNAL => c"internal error",
        _ => c"unknown kyso return code",
    };
    text.as_ptr()
}

/// The message of the last failed call on this thread ("" when the last call succeeded).
/// Valid until the next kyso call on this thread; do not free.
#[no_mangle]
pub extern "C" fn kyso_last_error() -> *const c_char {
    support::last_error_ptr()
}

/// Frees anything kyso returned: report_json, prepared_json, signed buffers. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kyso_free(p: *mut c_void) {
    // Freeing never unwinds; the guard is there so that no panic can cross anyway.
    let _ = std::panic::catch_unwind(|| support::free_exported(p.cast()));
}

/// Verifies every signature of the PDF at `pdf_path`. Returns 0 (all TOTAL-PASSED), 1 (one
/// TOTAL-FAILED), 3 (INDETERMINATE) or 4 (no signature), with the JSON report (as
/// `kyso verify --json`) in `*report_json` (free with kyso_free); or a negative error code and
/// `*report_json` NULL.
///
/// `options_json` (NULL or "" for defaults): "trust" (array of files or folders of anchors;
/// without it the trust store of `kyso trust`), "extra_certs", "crls" (arrays of paths),
/// "offline" (default false, as `kyso verify`: OCSP responders and CRL distribution points
/// named in the certificates are asked; true, or KYSO_OFFLINE=1 in the environment, uses only
/// the document and the files given), "revocation" ("require" | "off"), "lang" ("vi" | "en"),
/// "accept_unknown_ca_status" (bool, default false), "at" (RFC 3339 validation time),
/// "pdf_password" (an encrypted PDF's password; default the empty user password),
/// "visual" ("on" (default) | "off": draw each signed version and compare it with the file),
/// "max_fetches" (network requests per document, default 16), "network_deadline" (seconds
/// for them all, default 30), "require_decree30" (bool: a document that does not conform to
/// Decree 30/2020 returns 1, as `kyso verify --require-decree30`). The keys are the
/// library's `kyso::request::VerifyRequest`.
#[no_mangle]
pub unsafe extern "C" fn kyso_verify_file(
    pdf_path: *const c_char,
    options_json: *const c_char,
    report_json: *mut *mut c_char,
) -> c_int {
    guard(|| {
        let out = report_out(report_json)?;
        let path = required_str(pdf_path, "pdf_path")?;
        let json = parse::<VerifyJson>(optional_str(options_json, "options_json")?)?;
        let lang = json.lang()?;
        let opts = json.clone().into_options()?;
        let mut report = kyso::verify::verify_file(Path::new(path), &opts)?;
        // The words, once, in the language the options chose.
        kyso::text::report::localise(&mut report, lang);
        finish_report(&report, json.result_code(&report), out)
    })
}

/// As kyso_verify_file, for `len` bytes at `pdf`.
#[no_mangle]
pub unsafe extern "C" fn kyso_verify_buffer(
    pdf: *const u8,
    len: usize,
    options_json: *const c_char,
    report_json: *mut *mut c_char,
) -> c_int {
    guard(|| {
        let out = report_out(report_json)?;
        let pdf = required_bytes(pdf, len, "pdf")?;
        let json = parse::<VerifyJson>(optional_str(options_json, "options_json")?)?;
        let lang = json.lang()?;
        let opts = json.clone().into_options()?;
        let mut report = kyso::verify::verify_bytes(pdf, &opts)?;
        // The words, once, in the language the options chose.
        kyso::text::report::localise(&mut report, lang);
        finish_report(&report, json.result_code(&report), out)
    })
}

/// Writes the signed version of one signature of `input_path` to `output_path` (a new file,
/// written atomically; never the input): the file as it was when that signature was made, up
/// to the end of the revision it signs. `options_json`: {"signature": N} (1 = the first, as the
/// report numbers them) or {"field": "name"}. On success `*result_json` (free with kyso_free)
/// holds "signature", "field", "revision", "length" and "covers_whole_document".
#[no_mangle]
pub unsafe extern "C" fn kyso_extract_file(
    input_path: *const c_char,
    options_json: *const c_char,
    output_path: *const c_char,
    result_json: *mut *mut c_char,
) -> c_int {
    guard(|| {
        let out = report_out(result_json)?;
        let input = required_str(input_path, "input_path")?;
        let output = required_str(output_path, "output_path")?;
        let which = parse::<ExtractJson>(optional_str(options_json, "options_json")?)?.which()?;
        let version = kyso::extract::extract_to(Path::new(input), &which, Path::new(output))?;
        let json = serde_json::to_string_pretty(&version)
            .map_err(|e| Failure::invalid(format!("result: {e}")))?;
        *out = export_string(&json)?;
        Ok(KYSO_OK)
    })
}

unsafe fn report_out<'a>(report_json: *mut *mut c_char) -> Result<&'a mut *mut c_char, Failure> {
    let out = report_json
        .as_mut()
        .ok_or_else(|| Failure::invalid("report_json is NULL"))?;
    *out = std::ptr::null_mut();
    Ok(out)
}

/// The report into `*out`; `code` is its result code (with "require_decree30" or not).
fn finish_report(
    report: &kyso::verify::Report,
    code: c_int,
    out: &mut *mut c_char,
) -> Result<c_int, Failure> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| Failure::invalid(format!("report: {e}")))?;
    *out = export_string(&json)?;
    if code == KYSO_VERIFY_NO_SIGNATURE {
        support::set_last_error("the file has no signature");
    }
    Ok(code)
}

/// Signs `input_path` into `output_path` (a new file, written atomically; never the input).
///
/// `options_json`: the key: "p12_path" and "p12_password" (default ""), or a PKCS#11 token:
/// "pkcs11_module" (default $KYSO_PKCS11_MODULE), "token" (label), "slot", "key_label" or
/// "key_id" (hex), "pin"; and the signature: "reason", "location", "contact", "name",
/// "field", "page" (1-based), "hash" ("sha256" | "sha384" | "sha512"), "pss", "certify"
/// (1 | 2 | 3), "force". A visible signature (Decree 30/2020): "role" ("leader" |
/// "organization" | "attachment" | "copy"), "image" (PNG path), "rect" ("x,y,w,h", points or
/// "mm" suffix, on "page"), "anchor", "seal_diameter_mm", "no_text", "doc_number", "doc_date",
/// "copy_type", "agency", "font" (TTF path). Time-stamps and long-term validation: "level"
/// ("B-B" | "B-T" | "B-LT" | "B-LTA"; B-T when only "tsa" is given), "tsa" (a URL or a list
/// tried in order), "tsa_credentials" ("user:password"), "offline" (B-LT/B-LTA without network
/// for validation data; also KYSO_OFFLINE=1). "pdf_password": an encrypted PDF's password
/// (default the empty user password); the update is encrypted with the document's own key.
/// Also "tsa_policy" (OID), "ltv_certs", "ltv_crl", "ltv_ocsp" (arrays of files to embed for
/// B-LT/B-LTA) and "reserve" (bytes kept for the time-stamp). Besides the key and the two
/// secrets, the keys are the library's `kyso::request::SignRequest`.
#[no_mangle]
pub unsafe extern "C" fn kyso_sign_file(
    input_path: *const c_char,
    output_path: *const c_char,
    options_json: *const c_char,
) -> c_int {
    guard(|| {
        let input = required_str(input_path, "input_path")?;
        let output = required_str(output_path, "output_path")?;
        let opts = parse::<SignJson>(optional_str(options_json, "options_json")?)?;
        let sign_opts = opts.sign_options()?;
        let signer = opts.open_signer()?;
        sign_file_to(input, output, signer.as_ref(), &sign_opts)
    })
}

/// What every `kyso_sign_file*` entry point does once its arguments are read: signs `input`
/// into `output` (written atomically) with `signer`.
fn sign_file_to(
    input: &str,
    output: &str,
    signer: &dyn kyso::sign::Signer,
    sign_opts: &kyso::sign::SignOptions,
) -> Result<c_int, Failure> {
    kyso::ltv::sign_file(
        Path::new(input),
        Path::new(output),
        signer,
        sign_opts,
        false,
    )?;
    Ok(KYSO_OK)
}

/// What every `kyso_sign_buffer*` entry point does: checks `out`/`out_len` and clears them,
/// then hands back in them (a kyso_free block) the signed PDF `sign` makes.
unsafe fn signed_into(
    out: *mut *mut u8,
    out_len: *mut usize,
    sign: impl FnOnce() -> Result<Vec<u8>, Failure>,
) -> Result<c_int, Failure> {
    let (Some(out), Some(out_len)) = (out.as_mut(), out_len.as_mut()) else {
        return Err(Failure::invalid("out or out_len is NULL"));
    };
    *out = std::ptr::null_mut();
    *out_len = 0;
    let bytes = sign()?;
    let p = export_bytes(&bytes);
    if p.is_null() {
        return Err(Failure {
            code: KYSO_ERR_INTERNAL,
            message: "out of memory".into(),
        });
    }
    *out = p;
    *out_len = bytes.len();
    Ok(KYSO_OK)
}

/// Signs `len` bytes at `pdf` (options as kyso_sign_file); the signed PDF is returned in
/// `*out` (free with kyso_free) and `*out_len`.
#[no_mangle]
pub unsafe extern "C" fn kyso_sign_buffer(
    pdf: *const u8,
    len: usize,
    options_json: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        signed_into(out, out_len, || {
            let pdf = required_bytes(pdf, len, "pdf")?;
            let opts = parse::<SignJson>(optional_str(options_json, "options_json")?)?;
            let sign_opts = opts.sign_options()?;
            let signer = opts.open_signer()?;
            Ok(kyso::ltv::sign_bytes(pdf, signer.as_ref(), &sign_opts)?.0)
        })
    })
}

/// Deferred signing, step 1: writes `output_path` with a signature awaiting its value and
/// returns in `*prepared_json` (free with kyso_free) what must be signed, the same JSON as
/// `kyso prepare --json` (to_be_signed_base64, digest_base64, digest_algorithm,
/// signature_algorithm, digest_algorithm_oid, field, signer).
///
/// `options_json`: "cert_path" (PEM or DER file) or "cert_pem" (PEM text; the signer's
/// certificate first, then possibly its chain), "chain_path", "pdf_password", and the keys of
/// kyso_sign_file's request ("field", "reason", "location", "contact", "name", "page", "hash",
/// "pss", "certify", "force", "reserve", "role" and the visible signature's keys) but the
/// time-stamp and validation-data ones ("tsa", "level" above B-B, "ltv_*"), which are refused:
/// kyso_complete adds the time-stamp.
#[no_mangle]
pub unsafe extern "C" fn kyso_prepare(
    input_path: *const c_char,
    output_path: *const c_char,
    options_json: *const c_char,
    prepared_json: *mut *mut c_char,
) -> c_int {
    guard(|| {
        let out = prepared_json
            .as_mut()
            .ok_or_else(|| Failure::invalid("prepared_json is NULL"))?;
        *out = std::ptr::null_mut();
        let input = required_str(input_path, "input_path")?;
        let output = required_str(output_path, "output_path")?;
        let opts = parse::<PrepareJson>(optional_str(options_json, "options_json")?)?;
        let (certificate, chain) = opts.certificates()?;
        let (prepared, _) = prepare_file(
            Path::new(input),
            Path::new(output),
            &certificate,
            &chain,
            &opts.sign_options()?,
            false,
        )?;
        let json = serde_json::to_string_pretty(&prepared)
            .map_err(|e| Failure::invalid(format!("prepared: {e}")))?;
        *out = export_string(&json)?;
        Ok(KYSO_OK)
    })
}

/// Deferred signing, step 2: puts the signature into the prepared document `prepared_path`
/// and writes `output_path`. `signature` is the raw value (RSA, or ECDSA as DER or raw r||s),
/// or with `is_cms` non-zero a whole CMS SignedData (DER). Nothing is written unless it
/// verifies against the certificate and the prepared data (KYSO_ERR_CRYPTO).
#[no_mangle]
pub unsafe extern "C" fn kyso_complete(
    prepared_path: *const c_char,
    output_path: *const c_char,
    signature: *const u8,
    signature_len: usize,
    is_cms: c_int,
) -> c_int {
    guard(|| {
        let prepared = required_str(prepared_path, "prepared_path")?;
        let output = required_str(output_path, "output_path")?;
        let value = required_bytes(signature, signature_len, "signature")?;
        if value.is_empty() {
            return Err(Failure::invalid("the signature is empty"));
        }
        let input = if is_cms != 0 {
            SignatureInput::Cms(value.to_vec())
        } else {
            SignatureInput::Raw(value.to_vec())
        };
        complete_file(Path::new(prepared), Path::new(output), input, false)?;
        Ok(KYSO_OK)
    })
}

/// Signs `input_path` into `output_path` with a key the caller holds: `cb` makes the
/// signature value (see kyso_sign_callback), called with `user`, on the calling thread,
/// before this function returns. `certificate_pem`: the signer's certificate, then the rest
/// of its chain (PEM). `options_json`: as kyso_sign_file without the key options (p12_* and
/// PKCS#11 options are an invalid argument here).
#[no_mangle]
pub unsafe extern "C" fn kyso_sign_file_with_callback(
    input_path: *const c_char,
    output_path: *const c_char,
    options_json: *const c_char,
    certificate_pem: *const c_char,
    cb: kyso_sign_callback,
    user: *mut c_void,
) -> c_int {
    guard(|| {
        let input = required_str(input_path, "input_path")?;
        let output = required_str(output_path, "output_path")?;
        let pem = required_str(certificate_pem, "certificate_pem")?;
        if cb.is_none() {
            return Err(Failure::invalid("cb is NULL"));
        }
        let opts = parse::<SignJson>(optional_str(options_json, "options_json")?)?;
        opts.refuse_key_source()?;
        let sign_opts = opts.sign_options()?;
        let certs = options::parse_certs(pem.as_bytes(), "certificate_pem")?;
        let signer = callback::CallbackSigner::new(certs, cb, user)?;
        sign_file_to(input, output, &signer, &sign_opts)
    })
}

// --- The signer handle: one key, many documents -------------------------------------------
//
// A kyso_signer is opened once (a .p12 decrypted, a token logged into once) and signs any
// number of documents. It may be used by several threads at once (signatures through one
// token session take turns inside kyso); kyso_signer_close must be called exactly once, after
// every call using the handle has returned.

unsafe fn signer_out<'a>(out: *mut *mut kyso_signer) -> Result<&'a mut *mut kyso_signer, Failure> {
    let out = out
        .as_mut()
        .ok_or_else(|| Failure::invalid("signer is NULL"))?;
    *out = std::ptr::null_mut();
    Ok(out)
}

fn hand_out(signer: Box<dyn kyso::sign::Signer>, out: &mut *mut kyso_signer) -> c_int {
    *out = Box::into_raw(Box::new(kyso_signer { signer }));
    KYSO_OK
}

/// Opens the key of the PKCS#12 (.p12/.pfx) file at `p12_path`, decrypted with `password`
/// (NULL = ""), into `*signer` (close with kyso_signer_close). On failure `*signer` is NULL.
#[no_mangle]
pub unsafe extern "C" fn kyso_signer_open_p12_file(
    p12_path: *const c_char,
    password: *const c_char,
    signer: *mut *mut kyso_signer,
) -> c_int {
    guard(|| {
        let out = signer_out(signer)?;
        let path = required_str(p12_path, "p12_path")?;
        let password = optional_str(password, "password")?.unwrap_or("");
        let bytes = std::fs::read(path).map_err(|e| kyso::Error::io(path, e))?;
        let identity = kyso::sign::load_p12(&bytes, password)?;
        Ok(hand_out(Box::new(identity), out))
    })
}

/// As kyso_signer_open_p12_file, for the `len` bytes of a PKCS#12 file at `p12` (a key kept
/// in a database or received from a key service, never written to disk by kyso).
#[no_mangle]
pub unsafe extern "C" fn kyso_signer_open_p12_buffer(
    p12: *const u8,
    len: usize,
    password: *const c_char,
    signer: *mut *mut kyso_signer,
) -> c_int {
    guard(|| {
        let out = signer_out(signer)?;
        let bytes = required_bytes(p12, len, "p12")?;
        if bytes.is_empty() {
            return Err(Failure::invalid("p12 is empty"));
        }
        let password = optional_str(password, "password")?.unwrap_or("");
        let identity = kyso::sign::load_p12(bytes, password)?;
        Ok(hand_out(Box::new(identity), out))
    })
}

/// Opens a key on a PKCS#11 token and logs in once, into `*signer`. `options_json`: the key
/// options of kyso_sign_file and nothing else: "pkcs11_module" (default $KYSO_PKCS11_MODULE;
/// a .so, or a .dll on Windows, e.g. "C:\\Windows\\System32\\eTPKCS11.dll"), "token" (label),
/// "slot", "key_label" or "key_id" (hex), "pin" (empty on a PIN-pad reader). A wrong PIN is
/// KYSO_ERR_KEY and is never retried by kyso (tokens lock after a few wrong PINs).
#[no_mangle]
pub unsafe extern "C" fn kyso_signer_open_pkcs11(
    options_json: *const c_char,
    signer: *mut *mut kyso_signer,
) -> c_int {
    guard(|| {
        let out = signer_out(signer)?;
        let opened = handle::open_pkcs11(optional_str(options_json, "options_json")?)?;
        Ok(hand_out(opened, out))
    })
}

/// Opens a key of the Windows certificate store ("MY", the current user's; a USB token's
/// certificates appear there through its minidriver) through CNG, into `*signer`.
/// `options_json`: "thumbprint" (SHA-1 of the certificate, hex, as certmgr shows it) or
/// "subject" (a part of the subject name; exactly one certificate with a private key must
/// match). The token's own PIN dialog appears when Windows needs it.
/// KYSO_ERR_NOT_SUPPORTED on other systems.
#[no_mangle]
pub unsafe extern "C" fn kyso_signer_open_cng(
    options_json: *const c_char,
    signer: *mut *mut kyso_signer,
) -> c_int {
    guard(|| {
        let out = signer_out(signer)?;
        let opened = handle::open_cng(optional_str(options_json, "options_json")?)?;
        Ok(hand_out(opened, out))
    })
}

unsafe fn signer_ref<'a>(signer: *const kyso_signer) -> Result<&'a kyso_signer, Failure> {
    signer
        .as_ref()
        .ok_or_else(|| Failure::invalid("signer is NULL"))
}

/// Signs `input_path` into `output_path` with an open signer. `options_json`: as
/// kyso_sign_file without the key options (they are KYSO_ERR_INVALID_ARGUMENT here).
#[no_mangle]
pub unsafe extern "C" fn kyso_sign_file_with_signer(
    signer: *const kyso_signer,
    input_path: *const c_char,
    output_path: *const c_char,
    options_json: *const c_char,
) -> c_int {
    guard(|| {
        let signer = signer_ref(signer)?;
        let input = required_str(input_path, "input_path")?;
        let output = required_str(output_path, "output_path")?;
        let sign_opts = handle::signature_options(optional_str(options_json, "options_json")?)?;
        sign_file_to(input, output, signer.signer.as_ref(), &sign_opts)
    })
}

/// Signs `len` bytes at `pdf` with an open signer (options as kyso_sign_file_with_signer);
/// the signed PDF is returned in `*out` (free with kyso_free) and `*out_len`.
#[no_mangle]
pub unsafe extern "C" fn kyso_sign_buffer_with_signer(
    signer: *const kyso_signer,
    pdf: *const u8,
    len: usize,
    options_json: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        signed_into(out, out_len, || {
            let signer = signer_ref(signer)?;
            let pdf = required_bytes(pdf, len, "pdf")?;
            let sign_opts = handle::signature_options(optional_str(options_json, "options_json")?)?;
            Ok(kyso::ltv::sign_bytes(pdf, signer.signer.as_ref(), &sign_opts)?.0)
        })
    })
}

/// Closes a signer: logs out of its token, frees its key. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kyso_signer_close(signer: *mut kyso_signer) {
    if signer.is_null() {
        return;
    }
    // Dropping never unwinds across the boundary.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drop(Box::from_raw(signer));
    }));
}
