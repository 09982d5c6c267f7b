//! The signer's certificate: RFC 5280 path validation to a trust anchor, and revocation
//! (embedded OCSP/CRL first, then online OCSP and CRL unless offline), folded into ETSI EN 319
//! 102-1 indications (§5.2.6 X.509 certificate validation).
//!
//! [`crate::verify`] calls [`assess`] for each signer (and [`assess_at_best_time`] when a
//! time-stamp may prove an earlier existence, §5.6.2.4), and the time-stamp checks call it for
//! each TSA; [`crate::verify::own_certificate`] uses it on the signer's own certificate before
//! signing. It calls the RFC 5280 §6.1 path validation of [`crate::pki::validate`] and the OCSP
//! (RFC 6960) and CRL (RFC 5280 §5) checks of [`crate::pki`]. What it finds is a
//! [`TrustOutcome`]: the chain and the revocation answers for the report, and the verdict this
//! stage contributes as an indication with its [`Note`].
//!
//! # Examples
//!
//! The test PKI's `revoked` certificate, revoked on 2026-01-01 by the intermediate's CRL, for
//! a signature claimed on 2026-06-01: REVOKED (ETSI EN 319 102-1 §5.2.6.4).
//!
//! ```
//! use kyso::pki::{crl::Crl, validate::EndEntityUsage, Certificate};
//! use kyso::verify::trust::{assess, RevocationPolicy, TrustContext};
//! use kyso::verify::{Indication, SubIndication};
//! use time::macros::datetime;
//!
//! let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki");
//! let read = |name: &str| std::fs::read(format!("{pki}/{name}"));
//! let anchors = Certificate::parse_pem_or_der(&read("root.pem")?)?;
//! let pool = Certificate::parse_pem_or_der(&read("intermediate.pem")?)?;
//! let signer = Certificate::parse_pem_or_der(&read("revoked.pem")?)?.remove(0);
//! let crls = [
//!     Crl::from_der(&read("intermediate.crl")?)?,
//!     Crl::from_der(&read("root.crl")?)?,
//! ];
//! let ctx = TrustContext {
//!     anchors: &anchors,
//!     crls: &crls,
//!     embedded_crls: &[],
//!     ocsps: &[],
//!     http: None, // offline: only the CRLs given
//!     revocation: RevocationPolicy::Require,
//!     time: datetime!(2026-12-01 0:00 UTC),
//!     past: false,
//!     usage: EndEntityUsage::Signing,
//!     accept_unknown_ca_status: false,
//! };
//! let outcome = assess(&signer, &pool, &ctx, Some(datetime!(2026-06-01 0:00 UTC)));
//! assert_eq!(outcome.chain.len(), 3); // signer, intermediate, root
//! let (indication, sub, note) = outcome.verdict.expect("a revoked signer fails");
//! assert_eq!((indication, sub), (Indication::TotalFailed, SubIndication::Revoked));
//! assert_eq!(note.code(), "SIGNER_REVOKED");
//! assert!(outcome.revocation.iter().any(|r| r.status == "revoked"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use super::note::Note;
use super::report::{Indication, SubIndication};
use crate::net::HttpClient;
use crate::pki::crl::Crl;
use crate::pki::ocsp::{check_ocsp_with, OcspOptions, OcspResponse, OcspStatus};
use crate::pki::validate::{
    is_weak_key, validate_path, EndEntityUsage, PathError, RevocationFreshness, RevocationMode,
    RevocationStatus, ValidationInputs,
};
use crate::pki::Certificate;
use crate::vntime;

/// How revocation is handled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RevocationPolicy {
    /// The signer's certificate needs a revocation answer (OCSP or CRL); without one the result
    /// is at best INDETERMINATE (Circular 15/2025 requires the warning).
    #[default]
    Require,
    /// Not checked at all (tests, archives validated elsewhere); the report says so.
    Off,
}

/// One certificate of the path, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct ChainCertificate {
    /// Subject distinguished name, RFC 4514 string.
    pub subject: String,
    /// Issuer distinguished name, RFC 4514 string.
    pub issuer: String,
    /// Serial number in hexadecimal.
    pub serial: String,
    /// SHA-256 of the DER, upper-case hex pairs joined by `:`.
    pub sha256_fingerprint: String,
    /// Start of validity, RFC 3339 in Vietnam time (+07:00).
    pub not_before: String,
    /// End of validity, RFC 3339 in Vietnam time (+07:00).
    pub not_after: String,
}

impl ChainCertificate {
    /// The report's view of `c`.
    pub fn from_cert(c: &Certificate) -> Self {
        ChainCertificate {
            subject: c.subject.to_rfc4514(),
            issuer: c.issuer.to_rfc4514(),
            serial: c.serial_hex(),
            sha256_fingerprint: c
                .fingerprint_sha256()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":"),
            not_before: vntime::rfc3339(c.not_before),
            not_after: vntime::rfc3339(c.not_after),
        }
    }
}

/// The revocation answer used for one certificate.
#[derive(Clone, Debug, Serialize)]
pub struct RevocationEvidence {
    /// The certificate it is about.
    pub subject: String,
    /// "good", "revoked", "unknown" or "not_checked".
    pub status: String,
    /// "ocsp", "crl", "embedded-ocsp", "embedded-crl", or none.
    pub source: Option<String>,
    /// When the answer was issued (OCSP thisUpdate / CRL thisUpdate), RFC 3339.
    pub issued: Option<String>,
    /// When the certificate was revoked (RFC 3339); `None` unless `status` is "revoked".
    pub revocation_time: Option<String>,
    /// The RFC 5280 §5.3.1 CRLReason when revoked and given, e.g. `keyCompromise`.
    pub reason: Option<String>,
    /// Why no answer was usable, or what was wrong with it (English); `None` when nothing more
    /// is known.
    pub detail: Option<String>,
}

/// Everything the trust stage needs besides the certificates.
#[derive(Clone)]
pub struct TrustContext<'a> {
    /// The trust anchors (trust store, `--trust`): a path must end at one.
    pub anchors: &'a [Certificate],
    /// CRLs from the document (DSS, CMS) and from `--crl`.
    pub crls: &'a [Crl],
    /// Which of them came from the document itself (for the report's `source`).
    pub embedded_crls: &'a [Crl],
    /// OCSP responses from the document (DSS, CMS).
    pub ocsps: &'a [OcspResponse],
    /// Online access, or None when offline.
    pub http: Option<Arc<dyn HttpClient>>,
    /// Whether the signer's certificate needs a revocation answer.
    pub revocation: RevocationPolicy,
    /// The validation time: validity periods and revocation are judged at it.
    pub time: OffsetDateTime,
    /// `time` is in the past, proven by a time-stamp (ETSI EN 319 102-1 §5.6.2.4 past
    /// signature validation): revocation answers issued after it are accepted, and a
    /// revocation after it does not invalidate.
    pub past: bool,
    /// What the end-entity certificate must be fit for.
    pub usage: EndEntityUsage,
    /// Accept CA certificates whose revocation status cannot be determined (with a warning)
    /// instead of INDETERMINATE (`kyso verify --accept-unknown-ca-status`).
    pub accept_unknown_ca_status: bool,
}

/// kyso_reason codes of the trust stage (report.rs `kyso_reason`).
pub mod reason {
    /// An RSA key under 2048 bits or an EC key under 256 bits on the deciding path: signer,
    /// CA, TSA, OCSP responder or CRL signer (issue 20 item 3).
    pub const WEAK_KEY: &str = "WEAK_KEY";
    /// The signer's extended key usage does not allow signing documents (issue 20 item 4).
    pub const SIGNER_EKU_NOT_ALLOWED: &str = "SIGNER_EKU_NOT_ALLOWED";
    /// A CA certificate's revocation status cannot be determined (ETSI EN 319 102-1 §5.2.6).
    pub const CA_REVOCATION_UNKNOWN: &str = "CA_REVOCATION_UNKNOWN";
    /// The signer's revocation status cannot be determined.
    pub const SIGNER_REVOCATION_UNKNOWN: &str = "SIGNER_REVOCATION_UNKNOWN";
    /// The only revocation data is not fresh: nextUpdate passed, or without nextUpdate issued
    /// before the signing time or longer ago than the maximum age (issue 13 item 6).
    pub const REVOCATION_NOT_FRESH: &str = "REVOCATION_NOT_FRESH";
    /// A name is in an excluded subtree or outside the permitted ones (RFC 5280 §4.2.1.10),
    /// compared after RFC 4518 preparation.
    pub const NAME_CONSTRAINTS_VIOLATED: &str = "NAME_CONSTRAINTS_VIOLATED";
}

/// What the trust stage found.
pub struct TrustOutcome {
    /// The path, signer first, anchor last; as far as it was built when it reached no anchor.
    pub chain: Vec<ChainCertificate>,
    /// Subject (RFC 4514) of the anchor of the validated path; `None` when path validation
    /// failed (no path, or a path breaking a rule: expired, revoked, constraints …).
    pub trust_anchor: Option<String>,
    /// The revocation answer used for each certificate of the path.
    pub revocation: Vec<RevocationEvidence>,
    /// The verdict this stage contributes (None: passed).
    pub verdict: Option<(Indication, SubIndication, Note)>,
    /// kyso's reason code for the verdict, when more specific than the sub-indication.
    pub reason: Option<&'static str>,
    /// Findings that do not change the verdict (e.g. [`Note::RevocationOff`],
    /// [`Note::CaRevocationUnknownAccepted`]).
    pub warnings: Vec<Note>,
}

/// Validates `signer` through `pool` (CMS, DSS and extra certificates) to an anchor.
/// `claimed_signing_time` (/M) only decides between REVOKED and REVOKED_NO_POE.
pub fn assess(
    signer: &Certificate,
    pool: &[Certificate],
    ctx: &TrustContext,
    claimed_signing_time: Option<OffsetDateTime>,
) -> TrustOutcome {
    let mut out = TrustOutcome {
        chain: Vec::new(),
        trust_anchor: None,
        revocation: Vec::new(),
        verdict: None,
        reason: None,
        warnings: Vec::new(),
    };
    if ctx.anchors.is_empty() {
        let found = crate::pki::build_chain(signer, pool, &[]);
        out.chain = found.path.iter().map(ChainCertificate::from_cert).collect();
        out.verdict = Some((
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound,
            Note::NoTrustAnchorConfigured,
        ));
        return out;
    }
    let mode = if ctx.revocation == RevocationPolicy::Off {
        RevocationMode::Off
    } else {
        RevocationMode::IfAvailable
    };
    let freshness = freshness(ctx, claimed_signing_time);
    let v = validate_fetching(signer, pool, ctx, mode, freshness, &mut out.warnings);
    match v.result {
        Err(e) => path_failed(&e, signer, &v.pool, ctx, claimed_signing_time, &mut out),
        Ok(path) => path_revocation(
            &path,
            ctx,
            mode,
            &freshness,
            v.signer_ocsp,
            claimed_signing_time,
            &mut out,
        ),
    }
    out
}

/// What path validation found, with what the network added to it.
struct Validation<'a> {
    result: Result<crate::pki::validate::ValidatedPath, PathError>,
    /// The certificates the chain was built from (with any caIssuers downloads).
    pool: std::borrow::Cow<'a, [Certificate]>,
    /// The OCSP answer for the signer, when one was sought.
    signer_ocsp: Option<RevocationEvidence>,
}

/// RFC 5280 §6.1 path validation at `ctx.time`, again after fetching what is missing online:
/// CRLs of CA certificates (§4.2.1.13), the signer's OCSP answer or CRL, and missing issuers
/// from caIssuers URLs (§4.2.2.1).
fn validate_fetching<'a>(
    signer: &Certificate,
    pool: &'a [Certificate],
    ctx: &TrustContext,
    mode: RevocationMode,
    freshness: RevocationFreshness,
    warnings: &mut Vec<Note>,
) -> Validation<'a> {
    let mut out = Validation {
        result: Err(PathError::NoPathToTrustAnchor),
        pool: std::borrow::Cow::Borrowed(pool),
        signer_ocsp: None,
    };
    let mut crls: Vec<Crl> = ctx.crls.to_vec();
    let validate = |crls: &[Crl]| {
        let mut inputs = ValidationInputs::new(ctx.anchors, ctx.time);
        inputs.intermediates = pool;
        inputs.crls = crls;
        inputs.revocation = mode;
        inputs.end_entity_usage = ctx.usage;
        inputs.freshness = freshness;
        validate_path(signer, &inputs)
    };
    let mut result = validate(&crls);
    // CA certificates without a CRL in hand: their distribution points, online.
    if let (Ok(path), Some(http)) = (&result, &ctx.http) {
        if mode != RevocationMode::Off && fetch_ca_crls(path, http.as_ref(), &mut crls, warnings) {
            result = validate(&crls);
        }
    }

    // The signer without a CRL answer in hand: OCSP first (embedded, then online), and the CRL
    // distribution points (RFC 5280 §4.2.1.13) when OCSP gives no answer.
    if let Ok(path) = &result {
        if mode != RevocationMode::Off
            && matches!(path.revocation.first(), Some(RevocationStatus::NotChecked))
        {
            if let Some(issuer) = path.certificates.get(1) {
                let evidence = ocsp_evidence(signer, issuer, ctx, &freshness);
                let answered = evidence.status == "good" || evidence.status == "revoked";
                out.signer_ocsp = Some(evidence);
                if !answered {
                    if let Some(http) = &ctx.http {
                        if fetch_crls(signer, http.as_ref(), &mut crls, warnings) {
                            result = validate(&crls);
                        }
                    }
                }
            }
        }
    }

    // RFC 5280 §4.2.2.1: fetch missing issuers from caIssuers URLs, a few hops at most.
    if let (Err(PathError::NoPathToTrustAnchor), Some(http)) = (&result, &ctx.http) {
        let mut extended_pool = pool.to_vec();
        if fetch_ca_issuers(signer, &mut extended_pool, http.as_ref(), warnings) {
            let mut inputs = ValidationInputs::new(ctx.anchors, ctx.time);
            inputs.intermediates = &extended_pool;
            inputs.crls = &crls;
            inputs.revocation = mode;
            inputs.end_entity_usage = ctx.usage;
            inputs.freshness = freshness;
            result = validate_path(signer, &inputs);
            out.pool = std::borrow::Cow::Owned(extended_pool);
        }
    }
    out.result = result;
    out
}

/// The path did not validate: the ETSI sub-indication and finding for the error, the longest
/// chain found (for the report), a look-alike root named as such, and the revocation answer
/// that decided, if any.
fn path_failed(
    e: &PathError,
    signer: &Certificate,
    pool: &[Certificate],
    ctx: &TrustContext,
    claimed_signing_time: Option<OffsetDateTime>,
    out: &mut TrustOutcome,
) {
    let found = crate::pki::build_chain(signer, pool, ctx.anchors);
    out.verdict = Some(map_path_error(
        e,
        untrusted_root(&found.path),
        claimed_signing_time,
    ));
    out.reason = reason_of(e);
    out.chain = found.path.iter().map(ChainCertificate::from_cert).collect();
    flag_invisible_characters(&found.path, &mut out.warnings);
    // A certificate naming a trusted root as its issuer that the root's key did not
    // sign: a look-alike chain, not a chain with a defect.
    if let PathError::BadSignature { index } = e {
        let named = found.path.get(*index).and_then(|c| {
            ctx.anchors
                .iter()
                .find(|a| a.subject.matches(&c.issuer) && c.verify_issued_by(a).is_err())
        });
        if let Some(anchor) = named {
            let root = anchor.subject.to_rfc4514();
            out.verdict = Some((
                Indication::Indeterminate,
                SubIndication::NoCertificateChainFound,
                Note::ForgedRoot { root },
            ));
        }
    }
    if let PathError::RevocationUnknown { index, .. } | PathError::StaleRevocationInfo { index } = e
    {
        out.revocation.push(RevocationEvidence {
            subject: out
                .chain
                .get(*index)
                .map(|c| c.subject.clone())
                .unwrap_or_default(),
            status: "unknown".into(),
            source: Some("crl".into()),
            issued: None,
            revocation_time: None,
            reason: None,
            detail: Some(e.to_string()),
        });
    }
    if let PathError::Revoked {
        index,
        reason,
        date,
    } = e
    {
        out.revocation.push(RevocationEvidence {
            subject: out
                .chain
                .get(*index)
                .map(|c| c.subject.clone())
                .unwrap_or_default(),
            status: "revoked".into(),
            source: Some("crl".into()),
            issued: None,
            revocation_time: Some(vntime::rfc3339(*date)),
            reason: Some(reason.name().to_string()),
            detail: None,
        });
    }
}

/// The path validated: the revocation answer used for each certificate (ETSI EN 319 102-1
/// §5.2.5), a revocation before the (claimed or proven) time, or a status that stays unknown.
fn path_revocation(
    path: &crate::pki::validate::ValidatedPath,
    ctx: &TrustContext,
    mode: RevocationMode,
    freshness: &RevocationFreshness,
    signer_ocsp: Option<RevocationEvidence>,
    claimed_signing_time: Option<OffsetDateTime>,
    out: &mut TrustOutcome,
) {
    out.chain = path
        .certificates
        .iter()
        .map(ChainCertificate::from_cert)
        .collect();
    out.trust_anchor = path.certificates.last().map(|c| c.subject.to_rfc4514());
    flag_invisible_characters(&path.certificates, &mut out.warnings);
    for (i, cert) in path.certificates.iter().enumerate() {
        let status = &path.revocation[i];
        if matches!(status, RevocationStatus::TrustAnchor) {
            continue;
        }
        let issuer = path.certificates.get(i + 1);
        let evidence = match status {
            RevocationStatus::Good {
                crl_issuer,
                this_update,
                ..
            } => RevocationEvidence {
                subject: cert.subject.to_rfc4514(),
                status: "good".into(),
                source: Some(
                    if ctx.embedded_crls.iter().any(|c| {
                        c.issuer.to_rfc4514() == *crl_issuer && c.this_update == *this_update
                    }) {
                        "embedded-crl".into()
                    } else {
                        "crl".into()
                    },
                ),
                issued: Some(vntime::rfc3339(*this_update)),
                revocation_time: None,
                reason: None,
                detail: None,
            },
            _ if mode == RevocationMode::Off => RevocationEvidence {
                subject: cert.subject.to_rfc4514(),
                status: "not_checked".into(),
                source: None,
                issued: None,
                revocation_time: None,
                reason: None,
                detail: Some("revocation checking is off".into()),
            },
            _ => match issuer {
                Some(_) if i == 0 && signer_ocsp.is_some() => signer_ocsp.clone().expect("checked"),
                Some(issuer) => ocsp_evidence(cert, issuer, ctx, freshness),
                None => RevocationEvidence {
                    subject: cert.subject.to_rfc4514(),
                    status: "unknown".into(),
                    source: None,
                    issued: None,
                    revocation_time: None,
                    reason: None,
                    detail: None,
                },
            },
        };
        if evidence.status == "revoked" {
            let time = evidence.revocation_time.as_deref().and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            });
            if ctx.past && time.is_some_and(|t| t > ctx.time) {
                // Revoked after the time a time-stamp proves: the signature stands.
                out.warnings.push(Note::RevokedAfterProof {
                    subject: evidence.subject.clone(),
                    revoked_at: evidence.revocation_time.clone().unwrap_or_default(),
                    proven: ctx.time,
                });
            } else {
                out.verdict = Some(revoked_verdict(i, time, claimed_signing_time));
            }
        } else if evidence.status != "good" && i == 0 && mode != RevocationMode::Off {
            // ETSI EN 319 102-1 §5.2.5: no revocation information for the signer.
            if out.verdict.is_none() {
                out.verdict = Some(signer_status_unknown(&evidence));
                out.reason = Some(unknown_reason(&evidence, reason::SIGNER_REVOCATION_UNKNOWN));
            }
        } else if evidence.status != "good" && mode != RevocationMode::Off {
            ca_status_unknown(&evidence, ctx, out);
        }
        out.revocation.push(evidence);
    }
    if mode == RevocationMode::Off {
        out.warnings.push(Note::RevocationOff);
    }
}

/// RFC 4518 §2.2: names are compared without zero-width, soft-hyphen and format characters, so
/// a name carrying them equals one without; the report says so, since no viewer shows them.
fn flag_invisible_characters(certs: &[Certificate], warnings: &mut Vec<Note>) {
    for c in certs
        .iter()
        .filter(|c| c.subject.has_invisible_characters())
    {
        let visible: String = c
            .subject
            .to_rfc4514()
            .chars()
            .filter(|ch| !crate::pki::name::is_mapped_to_nothing(*ch))
            .collect();
        warnings.push(Note::InvisibleCharacters { name: visible });
    }
}

/// The freshness rule for revocation data without nextUpdate (issue 13 item 6): issued after
/// the proven time (past validation) or the claimed signing time, and no older than the
/// maximum age.
fn freshness(ctx: &TrustContext, claimed: Option<OffsetDateTime>) -> RevocationFreshness {
    RevocationFreshness {
        issued_after: if ctx.past { Some(ctx.time) } else { claimed },
        ..RevocationFreshness::default()
    }
}

/// kyso_reason for a path validation failure.
fn reason_of(e: &PathError) -> Option<&'static str> {
    match e {
        _ if is_weak_key(e) => Some(reason::WEAK_KEY),
        PathError::KeyUsage { index: 0, detail } if detail.contains("extended key usage") => {
            Some(reason::SIGNER_EKU_NOT_ALLOWED)
        }
        PathError::StaleRevocationInfo { .. } => Some(reason::REVOCATION_NOT_FRESH),
        PathError::NameConstraints { .. } => Some(reason::NAME_CONSTRAINTS_VIOLATED),
        _ => None,
    }
}

/// The code for an unknown status: a responder with a weak key, an answer that is not fresh,
/// or simply unknown.
fn unknown_reason(evidence: &RevocationEvidence, otherwise: &'static str) -> &'static str {
    let detail = evidence.detail.as_deref().unwrap_or_default();
    if detail.contains("OCSP responder key too weak") {
        reason::WEAK_KEY
    } else if detail.contains("stale OCSP response") {
        reason::REVOCATION_NOT_FRESH
    } else {
        otherwise
    }
}

/// ETSI EN 319 102-1 §5.2.5: the signer's status is unknown (TRY_LATER), with why.
fn signer_status_unknown(evidence: &RevocationEvidence) -> (Indication, SubIndication, Note) {
    (
        Indication::Indeterminate,
        SubIndication::TryLater,
        Note::SignerRevocationUnknown {
            detail: evidence.detail.clone(),
        },
    )
}

/// ETSI EN 319 102-1 §5.2.6: a CA certificate whose status cannot be determined makes the
/// result INDETERMINATE naming it, unless the caller accepts the risk
/// (`--accept-unknown-ca-status`), which the report then says.
fn ca_status_unknown(evidence: &RevocationEvidence, ctx: &TrustContext, out: &mut TrustOutcome) {
    let subject = evidence.subject.clone();
    if ctx.accept_unknown_ca_status {
        out.warnings
            .push(Note::CaRevocationUnknownAccepted { subject });
        return;
    }
    if out.verdict.is_some() {
        return;
    }
    out.verdict = Some((
        Indication::Indeterminate,
        SubIndication::TryLater,
        Note::CaRevocationUnknown { subject },
    ));
    out.reason = Some(unknown_reason(evidence, reason::CA_REVOCATION_UNKNOWN));
}

/// Downloads the CRLs of the CA certificates of `path` (below the anchor) that no CRL in hand
/// covers (RFC 5280 §4.2.1.13). True when any was added.
fn fetch_ca_crls(
    path: &crate::pki::validate::ValidatedPath,
    http: &dyn HttpClient,
    crls: &mut Vec<Crl>,
    warnings: &mut Vec<Note>,
) -> bool {
    let mut fetched = false;
    for (cert, status) in path.certificates.iter().zip(&path.revocation).skip(1) {
        if matches!(status, RevocationStatus::NotChecked) {
            fetched |= fetch_crls(cert, http, crls, warnings);
        }
    }
    fetched
}

/// ETSI EN 319 102-1 §5.6.2.4 (past signature validation): validates at `ctx.time` first; when
/// that fails only because a certificate has since expired or been revoked, or because
/// revocation data is no longer fresh, and a time-stamp proves existence at `poe`, validates
/// again at `poe`. Returns the outcome and the time it holds for.
pub fn assess_at_best_time(
    cert: &Certificate,
    pool: &[Certificate],
    ctx: &TrustContext,
    claimed: Option<OffsetDateTime>,
    poe: Option<OffsetDateTime>,
) -> (TrustOutcome, OffsetDateTime) {
    let now = assess(cert, pool, ctx, claimed);
    let Some(poe) = poe.filter(|p| *p < ctx.time) else {
        return (now, ctx.time);
    };
    let resolvable = now.verdict.as_ref().is_some_and(|(i, sub, _)| {
        *i == Indication::Indeterminate
            && matches!(
                sub,
                SubIndication::OutOfBoundsNoPoe
                    | SubIndication::RevokedNoPoe
                    | SubIndication::RevokedCaNoPoe
                    | SubIndication::TryLater
            )
    });
    if !resolvable && cert.is_valid_at(ctx.time) {
        return (now, ctx.time);
    }
    let past_ctx = TrustContext {
        time: poe,
        past: true,
        ..ctx.clone()
    };
    let past = assess(cert, pool, &past_ctx, Some(poe));
    match &past.verdict {
        None => (past, poe),
        Some((Indication::TotalFailed, _, _)) => (past, poe),
        Some(_) => (now, ctx.time),
    }
}

/// Follows caIssuers URLs from `start` (at most 4 hops, 8 downloads), adding what they hold
/// (a DER or PEM certificate, or a PKCS#7 certs-only bundle) to `pool`. True when it added any.
pub(crate) fn fetch_ca_issuers(
    start: &Certificate,
    pool: &mut Vec<Certificate>,
    http: &dyn HttpClient,
    warnings: &mut Vec<Note>,
) -> bool {
    let mut added = false;
    let mut downloads = 0;
    let mut current = vec![start.clone()];
    for _hop in 0..4 {
        let mut next = Vec::new();
        for cert in &current {
            let urls = crate::pki::ocsp::aia_urls(cert, crate::asn1::oid::AD_CA_ISSUERS)
                .unwrap_or_default();
            for url in urls {
                if downloads >= 8 {
                    return added;
                }
                downloads += 1;
                let body = match http.get(&url) {
                    Ok(r) if r.is_success() => r.body,
                    Ok(r) => {
                        warnings.push(Note::FetchFailed {
                            detail: format!("caIssuers {url}: HTTP {}", r.status),
                        });
                        continue;
                    }
                    Err(e) => {
                        warnings.push(Note::FetchFailed {
                            detail: format!("caIssuers {url}: {e}"),
                        });
                        continue;
                    }
                };
                let certs = Certificate::parse_pem_or_der(&body)
                    .ok()
                    .filter(|c| !c.is_empty())
                    .or_else(|| {
                        crate::cms::SignedData::parse(&body)
                            .ok()
                            .map(|sd| sd.certificates)
                    })
                    .unwrap_or_default();
                if certs.is_empty() {
                    // RFC 5280 §4.2.2.1: the answer must be certificates; say so, not nothing.
                    warnings.push(Note::FetchFailed {
                        detail: format!("caIssuers {url}: no certificate in the answer"),
                    });
                }
                for c in certs {
                    if !pool.iter().any(|p| p.der == c.der) {
                        pool.push(c.clone());
                        next.push(c);
                        added = true;
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        current = next;
    }
    added
}

/// Downloads the CRLs of `cert`'s distribution points into `crls`. True when any was added.
fn fetch_crls(
    cert: &Certificate,
    http: &dyn HttpClient,
    crls: &mut Vec<Crl>,
    warnings: &mut Vec<Note>,
) -> bool {
    let mut fetched = false;
    for url in cert.crl_urls().into_iter().take(4) {
        match http.get(&url) {
            Ok(resp) if resp.is_success() => match Crl::from_der(&resp.body) {
                Ok(crl) => {
                    crls.push(crl);
                    fetched = true;
                }
                Err(e) => warnings.push(Note::FetchFailed {
                    detail: format!("CRL {url}: {e}"),
                }),
            },
            Ok(resp) => warnings.push(Note::FetchFailed {
                detail: format!("CRL {url}: HTTP {}", resp.status),
            }),
            Err(e) => warnings.push(Note::FetchFailed {
                detail: format!("CRL {url}: {e}"),
            }),
        }
    }
    fetched
}

fn has_ocsp_url(cert: &Certificate) -> bool {
    crate::pki::ocsp::ocsp_urls(cert).is_ok_and(|u| !u.is_empty())
}

/// OCSP for `cert`: an embedded response first, then the responder online.
fn ocsp_evidence(
    cert: &Certificate,
    issuer: &Certificate,
    ctx: &TrustContext,
    freshness: &RevocationFreshness,
) -> RevocationEvidence {
    let subject = cert.subject.to_rfc4514();
    let mut detail = None;
    let options = OcspOptions {
        max_age_without_next_update: Some(freshness.max_age_without_next_update),
        issued_after: freshness.issued_after,
        ..OcspOptions::default()
    };
    for resp in ctx.ocsps {
        // At a proven past time, an answer issued later still tells the status then.
        let at = if ctx.past {
            ctx.time.max(resp.produced_at)
        } else {
            ctx.time
        };
        match resp.status_for_with(cert, issuer, at, &options, None) {
            Ok(outcome) => {
                return evidence_from_ocsp(
                    subject,
                    "embedded-ocsp",
                    &outcome.status,
                    outcome.this_update,
                )
            }
            // Only answers about this certificate are worth reporting.
            Err(e)
                if resp
                    .responses
                    .iter()
                    .any(|r| r.cert_id.matches(cert, issuer)) =>
            {
                detail = Some(e.to_string())
            }
            Err(_) => {}
        }
    }
    if let Some(http) = &ctx.http {
        if has_ocsp_url(cert) {
            let at = if ctx.past {
                OffsetDateTime::now_utc()
            } else {
                ctx.time
            };
            match check_ocsp_with(cert, issuer, http.as_ref(), at, &options) {
                Ok(outcome) => {
                    return evidence_from_ocsp(
                        subject,
                        "ocsp",
                        &outcome.status,
                        outcome.this_update,
                    )
                }
                Err(e) => detail = Some(e.to_string()),
            }
        }
    }
    RevocationEvidence {
        subject,
        status: "unknown".into(),
        source: None,
        issued: None,
        revocation_time: None,
        reason: None,
        detail,
    }
}

fn evidence_from_ocsp(
    subject: String,
    source: &str,
    status: &OcspStatus,
    this_update: OffsetDateTime,
) -> RevocationEvidence {
    let (status, time, reason) = match status {
        OcspStatus::Good => ("good", None, None),
        OcspStatus::Revoked { time, reason } => (
            "revoked",
            Some(vntime::rfc3339(*time)),
            reason.map(|r| r.name().to_string()),
        ),
        OcspStatus::Unknown => ("unknown", None, None),
    };
    RevocationEvidence {
        subject,
        status: status.into(),
        source: Some(source.into()),
        issued: Some(vntime::rfc3339(this_update)),
        revocation_time: time,
        reason,
        detail: None,
    }
}

/// ETSI EN 319 102-1 §5.2.6.4: revoked before the (claimed) signing time → REVOKED;
/// otherwise, without proof of existence, REVOKED_NO_POE.
fn revoked_verdict(
    index: usize,
    revoked_at: Option<OffsetDateTime>,
    claimed: Option<OffsetDateTime>,
) -> (Indication, SubIndication, Note) {
    if index > 0 {
        return (
            Indication::Indeterminate,
            SubIndication::RevokedCaNoPoe,
            Note::CaRevoked { at: revoked_at },
        );
    }
    match (revoked_at, claimed) {
        (Some(r), Some(c)) if r <= c => (
            Indication::TotalFailed,
            SubIndication::Revoked,
            Note::SignerRevokedBeforeSigning { at: revoked_at },
        ),
        _ => (
            Indication::Indeterminate,
            SubIndication::RevokedNoPoe,
            Note::SignerRevokedNoPoe { at: revoked_at },
        ),
    }
}

/// The last certificate of a chain that did not reach an anchor, when it is a self-signed
/// root: a root that is present but not trusted (RFC 5280 §6.1: only anchors end a path).
fn untrusted_root(path: &[Certificate]) -> Option<String> {
    let last = path.last()?;
    (path.len() > 1 && last.subject.matches(&last.issuer) && last.verify_issued_by(last).is_ok())
        .then(|| last.subject.to_rfc4514())
}

/// ETSI EN 319 102-1 §5.2.6 sub-indications for path validation failures.
fn map_path_error(
    e: &PathError,
    untrusted_root: Option<String>,
    claimed: Option<OffsetDateTime>,
) -> (Indication, SubIndication, Note) {
    let detail = e.to_string();
    match e {
        PathError::NoPathToTrustAnchor | PathError::BudgetExceeded => (
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound,
            Note::NoChainToAnchor {
                detail,
                untrusted_root,
            },
        ),
        PathError::Expired { .. } | PathError::NotYetValid { .. } => (
            Indication::Indeterminate,
            SubIndication::OutOfBoundsNoPoe,
            Note::ChainOutOfValidity { detail },
        ),
        PathError::Revoked { index, date, .. } => revoked_verdict(*index, Some(*date), claimed),
        PathError::RevocationUnknown { .. } | PathError::StaleRevocationInfo { .. } => (
            Indication::Indeterminate,
            SubIndication::TryLater,
            Note::ChainRevocationUnknown { detail },
        ),
        PathError::AlgorithmNotAllowed { .. } => (
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailureNoPoe,
            Note::ChainAlgorithmNotAllowed { detail },
        ),
        PathError::KeyUsage { index: 0, .. } => (
            Indication::Indeterminate,
            SubIndication::SigConstraintsFailure,
            Note::SignerKeyUsage { detail },
        ),
        PathError::BadSignature { .. } => (
            Indication::Indeterminate,
            SubIndication::CertificateChainGeneralFailure,
            Note::ChainSignatureInvalid { detail },
        ),
        _ => (
            Indication::Indeterminate,
            SubIndication::ChainConstraintsFailure,
            Note::ChainConstraints { detail },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{standard_chain, Key, Pki};
    use time::Duration;

    /// Issue 13 item 6 through the trust stage: an embedded OCSP "good" without nextUpdate
    /// counts only when issued after the claimed signing time and within the maximum age.
    #[test]
    fn embedded_ocsp_without_next_update_must_be_fresh() {
        let pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::P256);
        let der = pki.ocsp_good_without_next_update(&leaf, &int, &int);
        let ocsps = [OcspResponse::parse(&der).unwrap()];
        let anchors = [root.cert.clone()];
        let pool = [int.cert.clone()];
        let now = OffsetDateTime::now_utc();
        let ctx = |time| TrustContext {
            anchors: &anchors,
            crls: &[],
            embedded_crls: &[],
            ocsps: &ocsps,
            http: None,
            revocation: RevocationPolicy::Require,
            time,
            past: false,
            usage: EndEntityUsage::Signing,
            accept_unknown_ca_status: true,
        };
        // Signed before the answer, validated within the age: good.
        let out = assess(
            &leaf.cert,
            &pool,
            &ctx(now + Duration::hours(1)),
            Some(now - Duration::hours(1)),
        );
        assert!(out.verdict.is_none(), "{:?}", out.verdict);
        assert_eq!(out.revocation[0].status, "good");
        // Claimed signing time after the answer: it says nothing about the signer then.
        let out = assess(
            &leaf.cert,
            &pool,
            &ctx(now + Duration::hours(2)),
            Some(now + Duration::hours(1)),
        );
        let (i, sub, msg) = out.verdict.expect("not passed");
        assert_eq!(
            (i, sub),
            (Indication::Indeterminate, SubIndication::TryLater)
        );
        // The fact carries why: the answer is older than the claimed signing time.
        let msg = format!("{msg:?}");
        assert!(msg.contains("signing time"), "{msg}");
        assert_eq!(out.reason, Some(reason::REVOCATION_NOT_FRESH));
        // Validated later than the maximum age.
        let late = now + crate::pki::validate::DEFAULT_MAX_REVOCATION_AGE + Duration::hours(1);
        let out = assess(
            &leaf.cert,
            &pool,
            &ctx(late),
            Some(now - Duration::hours(1)),
        );
        assert_eq!(out.verdict.map(|v| v.1), Some(SubIndication::TryLater));
        assert_eq!(out.reason, Some(reason::REVOCATION_NOT_FRESH));
        assert_eq!(out.revocation[0].status, "unknown");
        // Without any answer: simply unknown.
        let none = TrustContext {
            ocsps: &[],
            ..ctx(now)
        };
        let out = assess(&leaf.cert, &pool, &none, None);
        assert_eq!(out.reason, Some(reason::SIGNER_REVOCATION_UNKNOWN));
    }
}
