//! The signer's own certificate before signing (Circular 15/2025/TT-BKHCN: signing software
//! checks the certificate before use): its revocation status, by the same check verification
//! uses (CRLs given, then OCSP and the CRL distribution points when online), and how soon it
//! expires. Signing with a revoked certificate makes a signature every verifier rejects.
//!
//! `kyso sign` and the signing service call [`own_revocation`] and [`expires_soon`] before
//! signing; the revocation check is [`crate::verify::trust::assess`] (RFC 5280 §6.1 with OCSP,
//! RFC 6960, and CRLs, RFC 5280 §5) with the signer's chain and the trust store as anchors.
//!
//! # Examples
//!
//! ```
//! use kyso::pki::Certificate;
//! use kyso::verify::own_certificate::{expires_soon, own_revocation, NotCheckedWhy, OwnRevocation};
//! use time::macros::datetime;
//!
//! let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/leader.pem"))?;
//! let leader = Certificate::parse_pem_or_der(&pem)?.remove(0);
//! // Offline and no CRL given: nothing to ask, and said so.
//! let status = own_revocation(&leader.der, &[], &[], &[], None, datetime!(2026-01-01 0:00 UTC));
//! assert_eq!(status, OwnRevocation::NotChecked(NotCheckedWhy::Offline));
//! // The test certificate ends on 2035-12-31: ten days before, a warning is due.
//! assert_eq!(expires_soon(&leader, datetime!(2035-12-21 12:00 UTC)), Some(10));
//! assert_eq!(expires_soon(&leader, datetime!(2026-01-01 0:00 UTC)), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::net::HttpClient;
use crate::pki::crl::Crl;
use crate::pki::validate::EndEntityUsage;
use crate::pki::Certificate;
use crate::verify::trust::{assess, RevocationPolicy, TrustContext};

/// A certificate expiring within this many days draws a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// The revocation status of the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnRevocation {
    /// An OCSP response or CRL says it is not revoked.
    Good,
    /// Revoked (RFC 3339 time and RFC 5280 reason, when known).
    Revoked {
        /// revocationDate (CRL) or revocationTime (OCSP), RFC 3339; `None` when not given.
        time: Option<String>,
        /// The RFC 5280 §5.3.1 CRLReason, e.g. `keyCompromise`; `None` when not given.
        reason: Option<String>,
    },
    /// Asked, but no usable answer (the detail in English, when the answer had one).
    Unknown(Option<String>),
    /// Not asked: offline and no CRL given, or no issuer certificate to check against.
    NotChecked(NotCheckedWhy),
}

/// Why the revocation status of the signer's certificate was not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCheckedWhy {
    /// Offline and no CRL file given.
    Offline,
    /// The issuer's certificate is neither in the key file's chain nor among the anchors.
    NoIssuer,
}

/// Checks the revocation status of `cert` (DER), issued by a certificate of `chain` (the key
/// file's or token's) or of `anchors` (the trust store), with `crls` and, when `http` is
/// given, OCSP and the distribution points. `now` is the time the status must hold at.
///
/// Never fails: an unreadable certificate or a failed request is [`OwnRevocation::Unknown`]
/// (never `Good`).
pub fn own_revocation(
    cert_der: &[u8],
    chain: &[Vec<u8>],
    anchors: &[Certificate],
    crls: &[Crl],
    http: Option<Arc<dyn HttpClient>>,
    now: OffsetDateTime,
) -> OwnRevocation {
    if http.is_none() && crls.is_empty() {
        return OwnRevocation::NotChecked(NotCheckedWhy::Offline);
    }
    let cert = match Certificate::from_der(cert_der) {
        Ok(c) => c,
        Err(e) => return OwnRevocation::Unknown(Some(e.to_string())),
    };
    // Any CA of the chain may end the path: only the signer's own status is asked here, and
    // its issuer is what answers for it.
    let mut points: Vec<Certificate> = anchors.to_vec();
    points.extend(
        chain
            .iter()
            .filter(|d| d.as_slice() != cert_der)
            .filter_map(|d| Certificate::from_der(d).ok()),
    );
    if !points.iter().any(|p| cert.issuer.matches(&p.subject)) {
        return OwnRevocation::NotChecked(NotCheckedWhy::NoIssuer);
    }
    let ctx = TrustContext {
        anchors: &points,
        crls,
        embedded_crls: &[],
        ocsps: &[],
        http,
        revocation: RevocationPolicy::Require,
        time: now,
        past: false,
        usage: EndEntityUsage::Any,
        accept_unknown_ca_status: true,
    };
    let outcome = assess(&cert, &points, &ctx, Some(now));
    let subject = cert.subject.to_rfc4514();
    match outcome.revocation.iter().find(|r| r.subject == subject) {
        Some(r) if r.status == "revoked" => OwnRevocation::Revoked {
            time: r.revocation_time.clone(),
            reason: r.reason.clone(),
        },
        Some(r) if r.status == "good" => OwnRevocation::Good,
        // The status ("unknown") and the verdict's finding code are not words: only a detail.
        Some(r) => OwnRevocation::Unknown(r.detail.clone()),
        None => OwnRevocation::Unknown(None),
    }
}

/// Days left before `cert` expires, when that is within [`EXPIRY_WARNING_DAYS`] (and it has
/// not expired yet: expired certificates are refused by the signing checks).
pub fn expires_soon(cert: &Certificate, now: OffsetDateTime) -> Option<i64> {
    let left = cert.not_after - now;
    (left > Duration::ZERO && left <= Duration::days(EXPIRY_WARNING_DAYS))
        .then(|| left.whole_days())
}
