//! The plain-data kinds [`super::Error`] carries: why an OCSP check or a remote signing service
//! gave no usable answer, and the Decree 30/2020 guards. They live here, at the ground floor, so
//! the error type names no module above it; `pki::ocsp`, `sign::csc` and `decree30::guard`
//! re-export them under their old paths.

use std::fmt;

use serde::Serialize;

/// Why an OCSP check gave no usable answer (carried by [`super::Error::Ocsp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OcspFailure {
    /// The certificate names no OCSP responder (no id-ad-ocsp in Authority Information Access).
    NoResponder,
    /// No answer from the responder: network error, timeout, offline, HTTP error status.
    Unreachable,
    /// The responder answered with an error responseStatus (tryLater, internalError...).
    ResponderError,
    /// The response cannot be parsed or is not a basic OCSP response.
    Malformed,
    /// The response signature does not verify with its signer's key.
    BadSignature,
    /// The signer is neither the issuing CA nor a responder it authorised (RFC 6960 §4.2.2.2).
    UnauthorisedResponder,
    /// The response has no status for the certificate asked about.
    CertIdMismatch,
    /// nextUpdate is before the validation time (or the response is older than allowed).
    Stale,
    /// thisUpdate or producedAt is after the validation time.
    NotYetValid,
    /// The nonce echoed by the responder is not the one sent (or is missing when required).
    NonceMismatch,
    /// The responder's key is too weak (RSA under 2048 bits, issue 20 item 3).
    WeakKey,
}

impl fmt::Display for OcspFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OcspFailure::NoResponder => "no OCSP responder",
            OcspFailure::Unreachable => "OCSP responder unreachable",
            OcspFailure::ResponderError => "OCSP responder error",
            OcspFailure::Malformed => "malformed OCSP response",
            OcspFailure::BadSignature => "OCSP response signature does not verify",
            OcspFailure::UnauthorisedResponder => "unauthorised OCSP responder",
            OcspFailure::CertIdMismatch => "OCSP response is about another certificate",
            OcspFailure::Stale => "stale OCSP response",
            OcspFailure::NotYetValid => "OCSP response not yet valid",
            OcspFailure::NonceMismatch => "OCSP nonce mismatch",
            OcspFailure::WeakKey => "OCSP responder key too weak",
        })
    }
}

/// Why a remote signing service gave no usable answer (carried by [`super::Error::Csc`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CscFailure {
    /// No HTTP answer: connection refused, host not found, timeout.
    Unreachable,
    /// The service answered with an HTTP error (its CSC `error` is in [`super::Error::Csc`]).
    Http,
    /// The PIN was refused (`invalid_pin`).
    WrongPin,
    /// The OTP was refused or has expired (`invalid_otp`).
    WrongOtp,
    /// The service does not know the credential ID.
    CredentialNotFound,
    /// The access token was refused (expired, revoked, wrong service): HTTP 401, `invalid_token`.
    AccessDenied,
    /// The answer is not what CSC API v1 says (not JSON, a field missing, bad base64...).
    Malformed,
    /// The returned signature does not verify against the credential's certificate.
    BadSignature,
    /// The credential cannot be used by kyso: key disabled, certificate revoked, OAuth-only
    /// authorisation, unknown key type.
    Unusable,
}

impl fmt::Display for CscFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CscFailure::Unreachable => "remote signing service unreachable",
            CscFailure::Http => "remote signing service error",
            CscFailure::WrongPin => "wrong PIN for the remote signing credential",
            CscFailure::WrongOtp => "wrong or expired OTP for the remote signing credential",
            CscFailure::CredentialNotFound => "remote signing credential not found",
            CscFailure::AccessDenied => "access token refused by the remote signing service",
            CscFailure::Malformed => "malformed answer from the remote signing service",
            CscFailure::BadSignature => {
                "the remote signing service returned a signature that does not verify"
            }
            CscFailure::Unusable => "remote signing credential not usable",
        })
    }
}

/// What an operation needs from its caller: a value not given, or a choice between several
/// candidates. The library says why in its own words ([`super::Error::Needs`]); each front
/// door names its own parameter for it (a command-line flag, a JSON key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Need {
    /// A time-stamp authority (RFC 3161): B-T and up, or a B-LTA archive time-stamp.
    TimestampAuthority,
    /// Another output than the input, or the permission to write over the input.
    DistinctOutput,
    /// More room kept in /Contents for the time-stamp token, at least this many bytes.
    LargerReserve {
        /// The extra room to ask for ([`SignOptions::reserve`](crate::sign::SignOptions::reserve),
        /// bytes of /Contents): the reserve used plus what was missing, with 1 KiB to spare.
        at_least: usize,
    },
    /// Another signature field name.
    OtherFieldName,
    /// A choice among several tokens: by label or by slot.
    TokenChoice,
    /// A choice among several tokens of the same label: by slot.
    SlotChoice,
    /// A choice among several keys of a token: by label or by id.
    KeyChoice,
    /// A choice among several keys of the same label: by id.
    KeyIdChoice,
    /// (Other) credentials for the time-stamp authority (HTTP 401/403).
    TsaCredentials,
    /// A picture for the visible signature ([`AppearanceRequest::image`](crate::appearance::AppearanceRequest::image)):
    /// the leader's handwritten signature, the agency's seal.
    Image,
    /// Where to draw the visible signature: an anchor text, or a page and rectangle
    /// ([`AppearanceRequest::anchor`](crate::appearance::AppearanceRequest::anchor),
    /// [`page`](crate::appearance::AppearanceRequest::page), [`rect`](crate::appearance::AppearanceRequest::rect)).
    Placement,
    /// The number and symbol of the document an attachment belongs to
    /// ([`AppearanceRequest::doc_number`](crate::appearance::AppearanceRequest::doc_number)).
    DocumentNumber,
    /// The agency's name for a copy stamp ([`AppearanceRequest::agency`](crate::appearance::AppearanceRequest::agency)).
    Agency,
}

/// One reason not to sign as asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Guard {
    /// Art. 32.2: the agency signs after the competent person, never before; a leader signature
    /// after the agency's would not be covered by it.
    LeaderAfterOrganization {
        /// 1-based number of the agency's signature already in the document.
        signature: usize,
        /// Common name of that agency signature's signer.
        signer: String,
    },
    /// The leader role with a certificate whose common name is not a person's name.
    LeaderNotPerson {
        /// The certificate's subject common name, as found.
        common_name: String,
    },
    /// The name the leader's picture is placed above is not in the signer block (e.g. the
    /// letterhead at the top of page 1).
    AnchorNotInSignerBlock {
        /// The name text the picture was anchored to.
        anchor: String,
        /// 1-based page where the anchor was found.
        page: usize,
        /// Distance of the found text from the top of the page.
        from_top_mm: f64,
    },
    /// A document number was asked for but no blank "Số: ..." was found on page 1; it went
    /// into the text block beside the seal.
    NumberBlankNotFound {
        /// The document number that was to be written.
        number: String,
    },
    /// An issue date was asked for but no blank "ngày ... tháng ... năm" was found on page 1;
    /// it went into the text block beside the seal.
    DateBlankNotFound {
        /// The issue date that was to be written.
        date: String,
    },
    /// The seal's text block reaches into the binding margin (Decree 30/2020 Appendix I: left
    /// margin 30–35 mm).
    TextInBindingMargin {
        /// Distance of the text block's left edge from the page's left edge.
        left_mm: f64,
    },
}

/// The binding margin of Decree 30/2020 Appendix I (left 30–35 mm): nothing of the signature
/// may be drawn closer to the left edge than its minimum.
pub const BINDING_MARGIN_MM: f64 = 30.0;

/// The English text of a guard: the library's error message ([`super::Error::Decree30`]). The
/// same words as `text::decree30::guard_text` in English (tests/layers.rs keeps them equal);
/// the CLI has both languages.
impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guard::LeaderAfterOrganization { signature, signer } => write!(
                f,
                "the document already carries the agency's signature (signature {signature}, {signer}); the competent person signs first, the agency after (Decree 30/2020 Art. 32.2)"
            ),
            Guard::LeaderNotPerson { common_name } => write!(
                f,
                "the leader role, but the certificate's name \"{common_name}\" is not a person's name: the competent person signs with a personal certificate"
            ),
            Guard::AnchorNotInSignerBlock { anchor, page, from_top_mm } => write!(
                f,
                "\"{anchor}\" was found on page {page}, {from_top_mm:.0} mm from the top (the letterhead, not the signer block): the picture would be misplaced; an anchor text with the name printed under the signature, or a page and rectangle, is needed"
            ),
            Guard::NumberBlankNotFound { number } => write!(
                f,
                "no blank \"Số: ...\" found on page 1 for the number \"{number}\"; it would only appear in the text block beside the seal"
            ),
            Guard::DateBlankNotFound { date } => write!(
                f,
                "no blank \"ngày ... tháng ... năm\" found on page 1 for the date \"{date}\"; it would only appear in the text block beside the seal"
            ),
            Guard::TextInBindingMargin { left_mm } => write!(
                f,
                "the text block beside the seal starts {left_mm:.0} mm from the left edge, inside the binding margin ({BINDING_MARGIN_MM} mm, Decree 30/2020 Appendix I); draw no text block, or give a rectangle"
            ),
        }
    }
}

/// How a request failed on the network, for words in the user's language
/// ([`crate::text::errors`]); the URL and the technical cause stay in the error's detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetFailure {
    /// No answer within the timeout or the network deadline.
    Timeout,
    /// The host name could not be resolved.
    Dns,
    /// The server refused the connection (nothing listens on that port).
    Refused,
    /// The TLS handshake or the server's certificate was not accepted.
    Tls,
    /// The server answered with an HTTP error status.
    HttpStatus,
    /// The answer is larger than allowed.
    TooLarge,
    /// Too many redirects, or a redirect kyso does not follow (another scheme).
    Redirect,
    /// Network access is switched off (`--offline`, `KYSO_OFFLINE=1`).
    Offline,
    /// The URL is not an `http://` or `https://` URL.
    UnsupportedUrl,
    /// Not sent: the document's request budget or deadline is spent.
    BudgetSpent,
    /// The connection broke, or another transport error.
    Other,
}

impl std::fmt::Display for NetFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NetFailure::Timeout => "timeout",
            NetFailure::Dns => "host not found",
            NetFailure::Refused => "connection refused",
            NetFailure::Tls => "TLS failure",
            NetFailure::HttpStatus => "HTTP error",
            NetFailure::TooLarge => "answer too large",
            NetFailure::Redirect => "redirect not followed",
            NetFailure::Offline => "offline",
            NetFailure::UnsupportedUrl => "unsupported URL",
            NetFailure::BudgetSpent => "request budget spent",
            NetFailure::Other => "network failure",
        })
    }
}
