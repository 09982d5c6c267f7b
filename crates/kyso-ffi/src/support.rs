//! What every entry point shares: the per-thread last error, the mapping of kyso's errors to
//! the documented return codes, the panic guard, C strings in and memory out.

use std::alloc::{alloc, dealloc, Layout};
use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use kyso::error::Need;
use kyso::Error;

use crate::{
    KYSO_ERR_CRYPTO, KYSO_ERR_INTERNAL, KYSO_ERR_INVALID_ARGUMENT, KYSO_ERR_IO, KYSO_ERR_KEY,
    KYSO_ERR_NETWORK, KYSO_ERR_NOT_PDF,
};

/// A failure on its way out: the return code and the message for `kyso_last_error`.
#[derive(Debug)]
pub struct Failure {
    pub code: c_int,
    pub message: String,
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: KYSO_ERR_INVALID_ARGUMENT,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let message = match key_hint(&e) {
            Some(key) => format!("{e} (options_json: {key})"),
            None => e.to_string(),
        };
        Failure {
            code: error_code(&e),
            message,
        }
    }
}

/// The C ABI's JSON keys that answer what an error needs (the library does not name them).
fn key_hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::Needs { need, .. } => Some(match need {
            Need::TimestampAuthority => "\"tsa\"",
            Need::LargerReserve { .. } => "\"reserve\"",
            Need::OtherFieldName => "\"field\"",
            Need::TokenChoice => "\"token\" or \"slot\"",
            Need::SlotChoice => "\"slot\"",
            Need::KeyChoice => "\"key_label\" or \"key_id\"",
            Need::KeyIdChoice => "\"key_id\"",
            Need::TsaCredentials => "\"tsa_credentials\"",
            Need::Image => "\"image\"",
            Need::Placement => "\"anchor\", or \"page\" and \"rect\"",
            Need::DocumentNumber => "\"doc_number\"",
            Need::Agency => "\"agency\"",
            _ => return None,
        }),
        Error::PdfPassword(_) => Some("\"pdf_password\""),
        Error::CertificateNotAcceptable(_) | Error::Decree30(_) => Some("\"force\": true"),
        _ => None,
    }
}

/// The return code for each kind of kyso error (the table in kyso.h).
pub fn error_code(e: &Error) -> c_int {
    match e {
        // Decree 30/2020 guards: the caller decides ("force": true signs anyway).
        Error::InvalidArgument(_) | Error::Decree30(_) => KYSO_ERR_INVALID_ARGUMENT,
        // What the caller must give or choose: the code of the kind of thing it concerns.
        Error::Needs { need, .. } => match need {
            Need::DistinctOutput => KYSO_ERR_IO,
            Need::TokenChoice | Need::SlotChoice | Need::KeyChoice | Need::KeyIdChoice => {
                KYSO_ERR_KEY
            }
            // As before these were told apart: a time-stamp that did not fit was a
            // time-stamp failure.
            Need::TsaCredentials | Need::LargerReserve { .. } => KYSO_ERR_NETWORK,
            _ => KYSO_ERR_INVALID_ARGUMENT,
        },
        Error::Io { .. } | Error::Output(_) => KYSO_ERR_IO,
        Error::NotPdf(_)
        | Error::MalformedPdf(_)
        | Error::UnsupportedPdf(_)
        | Error::PdfPassword(_) => KYSO_ERR_NOT_PDF,
        Error::Asn1(_)
        | Error::Certificate(_)
        | Error::Cms(_)
        | Error::UnsupportedAlgorithm(_)
        | Error::Crypto(_)
        | Error::CertificateNotAcceptable(_) => KYSO_ERR_CRYPTO,
        Error::WrongPassword | Error::Key(_) | Error::Pin(_) | Error::Token(_) => KYSO_ERR_KEY,
        Error::Network { .. }
        | Error::Ocsp { .. }
        | Error::Csc { .. }
        | Error::Timestamp(_)
        | Error::TimestampUnreachable { .. } => KYSO_ERR_NETWORK,
        // `kyso::Error` is non-exhaustive: a variant added later is reported, never hidden.
        _ => KYSO_ERR_INTERNAL,
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Records the message `kyso_last_error` returns on this thread.
pub fn set_last_error(message: &str) {
    // Interior NULs cannot be carried by a C string: replace them.
    let text = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(text));
}

pub fn clear_last_error() {
    LAST_ERROR.with(|e| *e.borrow_mut() = None);
}

/// The last message of this thread, or "" (a static empty string) when there is none.
pub fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|e| match e.borrow().as_ref() {
        Some(s) => s.as_ptr(),
        None => c"".as_ptr(),
    })
}

/// Runs an entry point: clears the last error, catches panics (-99), records failures.
pub fn guard(f: impl FnOnce() -> Result<c_int, Failure>) -> c_int {
    clear_last_error();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(code)) => code,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.code
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            set_last_error(&format!("internal error (panic in kyso): {what}"));
            KYSO_ERR_INTERNAL
        }
    }
}

/// A required C string argument, as UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid during the call.
pub unsafe fn required_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
}

/// An optional C string argument: NULL is None.
///
/// # Safety
/// As [`required_str`].
pub unsafe fn optional_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>, Failure> {
    if p.is_null() {
        Ok(None)
    } else {
        required_str(p, what).map(Some)
    }
}

/// A required input buffer. A zero length is accepted with any pointer (even NULL).
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that stay valid during the call.
pub unsafe fn required_bytes<'a>(
    p: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// Room before every block kyso hands out: its total size, so that `kyso_free` needs no length.
const HEADER: usize = 16;
const ALIGN: usize = 16;

/// Copies `bytes` into a block for the caller (freed with `kyso_free`), followed by a NUL so
/// that text blocks are C strings. NULL when memory is exhausted.
pub fn export_bytes(bytes: &[u8]) -> *mut u8 {
    let Some(total) = bytes.len().checked_add(HEADER + 1) else {
        return std::ptr::null_mut();
    };
    let Ok(layout) = Layout::from_size_align(total, ALIGN) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout is non-zero in size; the writes stay inside the block.
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            return std::ptr::null_mut();
        }
        (base as *mut usize).write(total);
        let data = base.add(HEADER);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        data.add(bytes.len()).write(0);
        data
    }
}

/// Text for the caller as a C string (freed with `kyso_free`).
pub fn export_string(text: &str) -> Result<*mut c_char, Failure> {
    let p = export_bytes(text.as_bytes());
    if p.is_null() {
        return Err(Failure {
            code: KYSO_ERR_INTERNAL,
            message: "out of memory".into(),
        });
    }
    Ok(p as *mut c_char)
}

/// Frees a block made by [`export_bytes`].
///
/// # Safety
/// `p` is NULL or was returned by [`export_bytes`] and not freed yet.
pub unsafe fn free_exported(p: *mut u8) {
    if p.is_null() {
        return;
    }
    let base = p.sub(HEADER);
    let total = (base as *const usize).read();
    dealloc(base, Layout::from_size_align_unchecked(total, ALIGN));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        for data in [&b""[..], b"abc", &[0u8; 4096][..]] {
            let p = export_bytes(data);
            assert!(!p.is_null());
            // SAFETY: `p` holds `data.len() + 1` bytes.
            unsafe {
                assert_eq!(std::slice::from_raw_parts(p, data.len()), data);
                assert_eq!(*p.add(data.len()), 0);
                free_exported(p);
            }
        }
        // SAFETY: NULL is accepted.
        unsafe { free_exported(std::ptr::null_mut()) };
    }

    #[test]
    fn panics_become_internal_errors() {
        let code = guard(|| panic!("boom"));
        assert_eq!(code, KYSO_ERR_INTERNAL);
        // SAFETY: the last error is a valid C string until the next call.
        let msg = unsafe { CStr::from_ptr(last_error_ptr()) }
            .to_str()
            .unwrap();
        assert!(msg.contains("boom"), "{msg}");
        assert_eq!(guard(|| Ok(0)), 0);
        // SAFETY: as above.
        assert_eq!(unsafe { CStr::from_ptr(last_error_ptr()) }.to_bytes(), b"");
    }

    #[test]
    fn every_error_kind_has_its_code() {
        let io = std::io::Error::other("x");
        assert_eq!(error_code(&Error::io("a", io)), KYSO_ERR_IO);
        assert_eq!(error_code(&Error::NotPdf("x".into())), KYSO_ERR_NOT_PDF);
        assert_eq!(error_code(&Error::WrongPassword), KYSO_ERR_KEY);
        assert_eq!(error_code(&Error::Pin("x".into())), KYSO_ERR_KEY);
        assert_eq!(error_code(&Error::Crypto("x".into())), KYSO_ERR_CRYPTO);
        assert_eq!(
            error_code(&Error::Network {
                kind: kyso::error::NetFailure::Other,
                detail: "x".into()
            }),
            KYSO_ERR_NETWORK
        );
        assert_eq!(
            error_code(&Error::InvalidArgument("x".into())),
            KYSO_ERR_INVALID_ARGUMENT
        );
    }

    #[test]
    fn what_an_appearance_needs_is_an_invalid_argument_naming_its_key() {
        for (need, key) in [
            (Need::Image, "\"image\""),
            (Need::Placement, "\"rect\""),
            (Need::DocumentNumber, "\"doc_number\""),
            (Need::Agency, "\"agency\""),
        ] {
            let e = Error::Needs {
                need,
                detail: "the leader role needs a picture".into(),
            };
            // As when these were InvalidArgument: the same return code.
            assert_eq!(error_code(&e), KYSO_ERR_INVALID_ARGUMENT, "{need:?}");
            let failure = Failure::from(e);
            assert!(failure.message.contains(key), "{}", failure.message);
            assert!(!failure.message.contains("--"), "{}", failure.message);
        }
    }
}
