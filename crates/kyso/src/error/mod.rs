//! The one error type of the `kyso` crate. Each variant names something a user or an
//! integrator can act on (fix the file, the password, the arguments, the key...).
//!
//! Every fallible function of the crate returns [`Result`]. Variants carry facts: the
//! categories in [`kinds`] ([`NetFailure`], [`OcspFailure`], [`CscFailure`], [`Guard`]) are
//! typed so that front ends (CLI, service, C ABI) can translate them ([`crate::text`]); the
//! `String`s are technical detail in English. The enum is `#[non_exhaustive]`: match with a
//! wildcard arm.
//!
//! Errors are for "could not do it" (unreadable file, wrong password, unreachable server). A
//! signature that does not verify is not an error: it is an outcome in the verification report.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use kyso::pdf::{Document, MemorySource};
//! use kyso::Error;
//!
//! let err = Document::open(Arc::new(MemorySource::new(b"hello".to_vec()))).unwrap_err();
//! assert!(matches!(err, Error::NotPdf(_) | Error::MalformedPdf(_)), "{err:?}");
//! ```

use std::path::PathBuf;

pub mod kinds;

pub use kinds::{CscFailure, Guard, Need, NetFailure, OcspFailure};

/// Everything that can go wrong in kyso.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        #[source]
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The input is not a PDF at all (no `%PDF-` header, empty file, directory...).
    #[error("not a PDF file: {0}")]
    NotPdf(String),
    /// The PDF is damaged: its structure (xref, trailer, objects) cannot be read.
    #[error("damaged PDF: {0}")]
    MalformedPdf(String),
    /// A PDF feature kyso does not handle (yet) where it matters, e.g. signing an encrypted file.
    #[error("unsupported PDF: {0}")]
    UnsupportedPdf(String),
    /// An encrypted PDF that the password given (or, when none is, the empty user password)
    /// does not open (ISO 32000-1 §7.6.3.4). Nothing is read or written.
    #[error("encrypted PDF: {0}")]
    PdfPassword(String),
    /// Malformed ASN.1 (BER/DER) data.
    #[error("malformed ASN.1 data: {0}")]
    Asn1(String),
    /// A certificate that cannot be parsed.
    #[error("malformed certificate: {0}")]
    Certificate(String),
    /// A CMS / PKCS#7 structure that cannot be parsed or is not acceptable in a PDF signature.
    #[error("malformed CMS signature: {0}")]
    Cms(String),
    /// An algorithm (digest, signature, key type) kyso does not support.
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The password of a key file (.p12) is wrong.
    #[error("wrong password for the key file (or the file is damaged)")]
    WrongPassword,
    /// The key file holds no usable key or certificate.
    #[error("key file: {0}")]
    Key(String),
    /// The PIN of a PKCS#11 token was refused, or the token will not take one (PIN locked).
    #[error("token PIN: {0}")]
    Pin(String),
    /// A PKCS#11 token or its module: module not loadable, no token, no matching key, a
    /// refused operation. The message says what to do.
    #[error("token: {0}")]
    Token(String),
    /// A cryptographic operation failed (signing, key mismatch...).
    #[error("cryptographic operation failed: {0}")]
    Crypto(String),
    /// Circular 15/2025 checks before signing: the signer's certificate must not be used.
    /// `force` signs anyway.
    #[error("signer certificate not acceptable: {0}")]
    CertificateNotAcceptable(String),
    /// The output cannot be written where asked (it is the input, it exists...).
    #[error("output: {0}")]
    Output(String),
    /// Signing as asked would make a document that does not conform to Decree 30/2020
    /// (issue #15 guards); `force` signs anyway with warnings.
    #[error("{}", .0.iter().map(Guard::to_string).collect::<Vec<_>>().join("; "))]
    Decree30(Vec<Guard>),
    /// The operation needs something from its caller: `need` says what (for a front door to
    /// name its own parameter), `detail` why, in the library's words.
    #[error("{detail}")]
    Needs {
        /// What is missing or to be chosen; a front door maps it to its own flag or JSON key.
        need: Need,
        /// The library's English explanation (e.g. the candidates to choose from, the size
        /// the time-stamp token needs); it is the error's `Display`.
        detail: String,
    },
    /// A caller passed an invalid argument or option.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A network request failed: server unreachable, timeout, unsupported URL, offline mode.
    /// `kind` says how (translated by [`crate::text::errors`]); `detail` names the URL and the
    /// technical cause.
    #[error("network: {detail}")]
    Network {
        /// How the request failed (unreachable, timeout, HTTP status, offline...).
        kind: kinds::NetFailure,
        /// The URL and the technical cause, in English.
        detail: String,
    },
    /// An OCSP check (RFC 6960) did not give a usable answer; `kind` says why.
    #[error("{kind}: {detail}")]
    Ocsp {
        /// Why the answer is not usable (no responder, unauthorized, bad signature, stale...).
        kind: OcspFailure,
        /// The responder URL and the technical cause, in English.
        detail: String,
    },
    /// A time-stamp (RFC 3161) could not be obtained or is not acceptable: the TSA was
    /// unreachable, refused the request, or answered with a token that does not match it.
    #[error("time-stamp: {0}")]
    Timestamp(String),
    /// No time-stamp authority could be reached: every TSA URL failed on the network; `kind`
    /// is how the last one failed, `detail` lists each URL and its cause.
    #[error("time-stamp: no time-stamp authority gave a usable token ({detail})")]
    TimestampUnreachable {
        /// How the last TSA failed.
        kind: kinds::NetFailure,
        /// Every URL tried and its cause, in English.
        detail: String,
    },
    /// A remote signing service (Cloud Signature Consortium API v1) gave no usable answer;
    /// `kind` says why. `status` is the HTTP status and `error` the CSC `error` code, when the
    /// service answered with one.
    #[error("{kind}: {detail}")]
    Csc {
        /// What went wrong, as a category a front end can translate.
        kind: CscFailure,
        /// HTTP status of the service's answer; `None` when there was no answer.
        status: Option<u16>,
        /// CSC `error` code from the JSON body (e.g. `invalid_request`); `None` when the body had none.
        error: Option<String>,
        /// Technical detail in English (URL, `error_description`, cause).
        detail: String,
    },
}

/// `Result` with kyso's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
