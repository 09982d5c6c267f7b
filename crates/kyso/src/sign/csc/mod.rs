//! Remote signing ("ký số từ xa") through a Cloud Signature Consortium API v1 service (CSC API
//! v1.0.4): VNPT SmartCA, Viettel MySign and similar services keep the key and sign a hash.
//!
//! # The flow
//!
//! 1. The caller gets an OAuth 2.0 access token from the service, out of band (its login page,
//!    client credentials...). kyso sends it as `Authorization: Bearer` on every call (CSC §8.1)
//!    and never writes it anywhere.
//! 2. `credentials/list` names the user's credentials (keys): [`CscClient::list_credentials`].
//! 3. `credentials/info` (with `certificates: "chain"`, `authInfo: true`) gives the certificate
//!    chain (signer first), the key algorithm and how signing is authorised
//!    ([`CredentialInfo`]). [`CscSigner::new`] calls it once.
//! 4. For every signature, [`CscSigner`] (its [`Signer::sign`]):
//!    - hashes the message (the DER of the CMS signed attributes) with the requested digest;
//!    - when `authMode` is `explicit` and an *online* OTP is required, calls
//!      `credentials/sendOTP`: the service sends the OTP (SMS, e-mail, its phone app);
//!    - calls the authorisation callback with an [`AuthRequest`] (PIN and/or OTP required,
//!      whether an OTP was just sent), which answers with [`AuthSecrets`]: a CLI prompts the
//!      user, a C ABI caller supplies them. With `authMode: "implicit"` nothing is asked: the
//!      callback is only told (say, to print "confirm on your phone") and returns
//!      [`AuthSecrets::none`]; the service authorises on its own, possibly holding its answer
//!      to `credentials/authorize` until the user confirms a push notification (give the
//!      transport room for that: [`UreqCscTransport::with_timeout`]);
//!    - `credentials/authorize` with `numSignatures: 1` and the PIN/OTP gives a SAD (Signature
//!      Activation Data) good for this one signature;
//!    - `signatures/signHash` with the hash, `hashAlgo` and `signAlgo` (rsaEncryption for
//!      PKCS#1 v1.5, the service building the DigestInfo; RSASSA-PSS with `signAlgoParams`;
//!      ecdsa-with-SHA*) gives the signature value; ECDSA values in raw r‖s become DER;
//!    - checks the value against the credential's certificate and refuses one that does not
//!      verify.
//!
//! `authMode: "oauth2code"` (an OAuth page per signature) is not supported.
//!
//! # Errors
//!
//! Failures of the service are [`Error::Csc`] with a [`CscFailure`]: unreachable, HTTP error
//! (with the CSC `error` and `error_description`), wrong PIN (`invalid_pin`), wrong OTP
//! (`invalid_otp`), credential not found, access token refused, malformed answer, signature
//! that does not verify. Text from the service is stripped of control characters and shortened.
//!
//! # Transport
//!
//! [`CscTransport`] posts JSON with an optional bearer token. [`UreqCscTransport`] is plain
//! HTTP (this build has no TLS) with a 10 s timeout, a 1 MiB answer limit, no redirects and no
//! proxy; it refuses to send the token and PIN in clear to anything but the loopback
//! interface unless [`UreqCscTransport::allow_plain_http`] says otherwise (e.g. behind a
//! TLS-terminating proxy on the same host). An HTTPS transport is another [`CscTransport`];
//! [`json_from_response`] gives it the same error handling.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kyso::sign::csc::{AuthSecrets, CscClient, CscSigner, UreqCscTransport};
//!
//! # fn main() -> kyso::Result<()> {
//! let client = CscClient::new("http://127.0.0.1:8080/csc/v1", Arc::new(UreqCscTransport::new()));
//! let token = "access-token";
//! let id = client.list_credentials(token, None)?.remove(0);
//! let signer = CscSigner::new(client, id, token, Box::new(|req| {
//!     if req.needs_input() {
//!         Ok(AuthSecrets::pin("123456"))
//!     } else {
//!         eprintln!("confirm the signature on your phone");
//!         Ok(AuthSecrets::none())
//!     }
//! }))?;
//! let pdf = std::fs::read("in.pdf").unwrap();
//! let (signed, _) = kyso::sign::sign_bytes(&pdf, &signer, &Default::default())?;
//! # let _ = signed;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::signer::{KeyKind, Signer};
use crate::asn1::{oid, reader::tag, writer, AlgorithmIdentifier, Reader};
use crate::crypto::{self, DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::certificate::{Curve, PublicKeyKind};
use crate::pki::Certificate;

mod auth;
mod client;
mod credentials;
mod errors;
mod sign_hash;
mod signer;
#[cfg(test)]
mod tests;
mod transport;

pub use auth::*;
pub use client::*;
pub use credentials::*;
pub use errors::*;
use sign_hash::*;
pub use signer::*;
pub use transport::*;

/// Default per-request timeout of [`UreqCscTransport`] (connection, request and answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer [`UreqCscTransport`] reads: 1 MiB.
pub const MAX_RESPONSE: u64 = 1024 * 1024;
/// Pages of `credentials/list` followed at most.
const MAX_PAGES: usize = 20;
/// Certificates accepted in a chain from `credentials/info`.
const MAX_CHAIN: usize = 10;
/// Characters kept of a text that comes from the service.
const MAX_TEXT: usize = 300;

pub use crate::error::kinds::CscFailure;
