//! Certification path validation (RFC 5280 §6.1) with CRL revocation checking
//! (RFC 5280 §6.3), in the style of rustls-webpki: candidate paths are built by
//! name chaining (AKI/SKI matches first) with bounded depth and a bounded budget
//! of signature checks, and every complete candidate is validated; the first that
//! passes wins, otherwise the most specific failure is reported.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;

use time::OffsetDateTime;

use super::certificate::{Certificate, PublicKeyKind};
use super::crl::{
    cmp_unsigned, crl_distribution_points, Crl, DistributionPoint, ReasonFlags, RevocationReason,
};
use super::name::{GeneralName, Name};
use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Element, Reader};
use crate::crypto::{self, verify::digest_of_signature_algorithm, DigestAlgorithm};

mod basic;
mod build;
mod eku;
mod key_policy;
mod name_constraints;
mod policy;
mod prepare;
mod process;
mod revocation;
#[cfg(test)]
mod tests;
mod wrap_up;

use basic::*;
use build::*;
use name_constraints::*;
use policy::*;
use prepare::*;
use process::*;
use wrap_up::*;

pub use eku::{document_signing_eku_problem, DOCUMENT_SIGNING_EKUS};
pub use key_policy::{is_weak_key, key_allowed};

/// Longest path considered, target and trust anchor included.
pub const MAX_PATH_LEN: usize = 10;
/// Signature verifications allowed for one [`validate_path`] call (CRLs and CRL
/// signer paths included).
pub const MAX_SIGNATURE_CHECKS: usize = 200;
/// Candidate issuers examined while building paths, per call.
const MAX_BUILD_STEPS: usize = 2_000;
/// Nesting of CRL-signer path validations (RFC 5280 §6.3.3 (f)).
const MAX_NESTING: usize = 3;
/// Size bound of the valid_policy_tree (cf. CVE-2023-0464).
const MAX_POLICY_NODES: usize = 1_000;
/// Bound on accumulated name-constraint subtrees and on names checked per certificate.
const MAX_NAME_CONSTRAINTS: usize = 256;
/// Distribution points considered per certificate.
const MAX_DISTRIBUTION_POINTS: usize = 16;

/// `id-dsa` (RFC 3279 §2.3.2).
const ID_DSA: &str = "1.2.840.10040.4.1";

/// How revocation is checked (RFC 5280 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationMode {
    /// Every certificate below the anchor must be covered by a usable CRL.
    Required,
    /// Checked where a CRL in scope is given; its absence is accepted, but a CRL in
    /// scope that cannot be used (bad signature, stale...) is a failure.
    IfAvailable,
    /// Not checked.
    Off,
}

/// What the end-entity (target) certificate must be usable for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndEntityUsage {
    /// No key usage check on the target (e.g. for a CRL signer or an OCSP responder path).
    Any,
    /// digitalSignature or nonRepudiation when a keyUsage extension is present.
    Signing,
    /// A TSA certificate (RFC 3161 §2.3): id-kp-timeStamping, and digitalSignature or
    /// nonRepudiation when a keyUsage extension is present.
    TimeStamping,
}

/// Which signature algorithms and key sizes are accepted on certificates and CRLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// Smallest RSA modulus accepted, in bits (2048 by default; Circular 15/2025 asks ≥ 2048).
    pub min_rsa_bits: usize,
    /// Whether SHA-1 based signatures on certificates and CRLs are accepted (false by default).
    pub allow_sha1: bool,
}

impl Default for AlgorithmPolicy {
    /// RSA ≥ 2048 bits, no SHA-1.
    fn default() -> Self {
        AlgorithmPolicy {
            min_rsa_bits: 2048,
            allow_sha1: false,
        }
    }
}

/// How long a CRL or OCSP response without nextUpdate stays usable after its thisUpdate.
///
/// RFC 5280 §5.1.2.5 makes nextUpdate mandatory for conforming CRLs and RFC 6960 §2.4 treats a
/// response without it as "newer information is always available": the issuer promised
/// nothing, so the age is ours to bound. 7 days is the longest interval at which the CA/Browser
/// Forum Baseline Requirements (§4.9.7, §4.9.10) and ETSI EN 319 411-1 (REV-6.2.6) let a CA
/// publish status for subscriber certificates, so no honest issuer leaves data older than that
/// as its newest; pyHanko likewise judges such data only by a freshness window (its
/// `retroactive_revinfo=False` default also refuses data issued before the signing time).
pub const DEFAULT_MAX_REVOCATION_AGE: time::Duration = time::Duration::days(7);

/// Clock skew tolerated when comparing revocation data issuance with a signing time.
pub const REVOCATION_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// When revocation data without nextUpdate counts (issue 13 item 6, ETSI EN 319 102-1
/// §5.2.5.4 revocation freshness checker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationFreshness {
    /// Oldest thisUpdate accepted, counted back from the validation time.
    pub max_age_without_next_update: time::Duration,
    /// The (claimed or proven) signing time: data without nextUpdate issued before it (less
    /// [`REVOCATION_CLOCK_SKEW`]) says nothing about the certificate when it signed.
    pub issued_after: Option<OffsetDateTime>,
}

impl Default for RevocationFreshness {
    fn default() -> Self {
        RevocationFreshness {
            max_age_without_next_update: DEFAULT_MAX_REVOCATION_AGE,
            issued_after: None,
        }
    }
}

impl RevocationFreshness {
    /// RFC 5280 §6.3.3 (a), RFC 6960 §4.2.2.1: is data with these times usable at `time`?
    /// With nextUpdate: not passed. Without: issued after the signing time and no older than
    /// the maximum age (a time in the past proven by a time-stamp counts as "now").
    pub fn accepts(
        &self,
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
        time: OffsetDateTime,
    ) -> bool {
        match next_update {
            Some(n) => time <= n,
            None => {
                self.issued_after
                    .is_none_or(|t| this_update + REVOCATION_CLOCK_SKEW >= t)
                    && time - this_update <= self.max_age_without_next_update
            }
        }
    }
}

/// The policy inputs of RFC 5280 §6.1.1 (c), (e), (f), (g).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyInputs {
    /// user-initial-policy-set (dotted OIDs); `[anyPolicy]` by default.
    pub initial_policy_set: Vec<String>,
    /// initial-explicit-policy (§6.1.1 (e)): the path must carry an acceptable policy.
    pub initial_explicit_policy: bool,
    /// initial-policy-mapping-inhibit (§6.1.1 (f)): policy mappings are not allowed.
    pub initial_policy_mapping_inhibit: bool,
    /// initial-any-policy-inhibit (§6.1.1 (g)): anyPolicy in a certificate is not honoured.
    pub initial_any_policy_inhibit: bool,
}

impl Default for PolicyInputs {
    fn default() -> Self {
        PolicyInputs {
            initial_policy_set: vec![oid::ANY_POLICY.to_string()],
            initial_explicit_policy: false,
            initial_policy_mapping_inhibit: false,
            initial_any_policy_inhibit: false,
        }
    }
}

/// Everything [`validate_path`] needs besides the target.
#[derive(Clone, Debug)]
pub struct ValidationInputs<'a> {
    /// Trust anchors (their own validity and extensions are not judged, RFC 5280 §6.1.1 (d)).
    pub anchors: &'a [Certificate],
    /// Candidate intermediate certificates, in any order.
    pub intermediates: &'a [Certificate],
    /// CRLs (complete and delta) available for revocation checking.
    pub crls: &'a [Crl],
    /// The validation time (RFC 5280 §6.1.1 (b)): validity periods and CRL freshness are
    /// judged at this instant (the signing or time-stamp time, not necessarily now).
    pub time: OffsetDateTime,
    /// Whether a missing CRL fails the path, is accepted, or is not looked for.
    pub revocation: RevocationMode,
    /// The user's policy inputs (RFC 5280 §6.1.1 (c), (e)-(g)).
    pub policy: PolicyInputs,
    /// What the target certificate must be usable for (checked on its keyUsage/extKeyUsage).
    pub end_entity_usage: EndEntityUsage,
    /// Accepted signature algorithms and key sizes along the path.
    pub algorithm_policy: AlgorithmPolicy,
    /// When CRLs without nextUpdate count.
    pub freshness: RevocationFreshness,
}

impl<'a> ValidationInputs<'a> {
    /// Inputs with no intermediates or CRLs, revocation `IfAvailable`, any policy,
    /// any end-entity usage and the default algorithm policy.
    pub fn new(anchors: &'a [Certificate], time: OffsetDateTime) -> Self {
        ValidationInputs {
            anchors,
            intermediates: &[],
            crls: &[],
            time,
            revocation: RevocationMode::IfAvailable,
            policy: PolicyInputs::default(),
            end_entity_usage: EndEntityUsage::Any,
            algorithm_policy: AlgorithmPolicy::default(),
            freshness: RevocationFreshness::default(),
        }
    }
}

/// Revocation status of one certificate of a validated path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked according to the CRL of this issuer (and number, when present).
    Good {
        /// Issuer of the CRL that covered the certificate, in RFC 4514 text form.
        crl_issuer: String,
        /// The CRL's cRLNumber (RFC 5280 §5.2.3) in hex; None when the CRL has none.
        crl_number: Option<String>,
        /// The CRL's thisUpdate: the status is known as of this time.
        this_update: OffsetDateTime,
    },
    /// No CRL in scope was given (mode `IfAvailable`), or checking is off.
    NotChecked,
    /// The trust anchor itself.
    TrustAnchor,
}

/// A successfully validated path.
#[derive(Clone, Debug)]
pub struct ValidatedPath {
    /// Target first, trust anchor last.
    pub certificates: Vec<Certificate>,
    /// The authorities-constrained policy set intersected with the user's
    /// (RFC 5280 §6.1.5 (g)); empty when the valid_policy_tree is NULL.
    pub valid_policies: Vec<String>,
    /// One per certificate, same order as `certificates`.
    pub revocation: Vec<RevocationStatus>,
}

/// Why a path could not be validated. `index` is the position in the path:
/// 0 = the target (end-entity) certificate, counting towards the trust anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathError {
    /// No chain of issuer names leads to a trust anchor.
    NoPathToTrustAnchor,
    /// The signature on certificate `index` does not verify with its issuer's key.
    BadSignature {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
    },
    /// The signature algorithm or key of certificate `index` (or of its issuer) is not accepted.
    AlgorithmNotAllowed {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// Certificate `index` is past its notAfter at the validation time (RFC 5280 §6.1.3 (a)(2)).
    Expired {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// The certificate's notAfter.
        not_after: OffsetDateTime,
    },
    /// Certificate `index` is before its notBefore at the validation time (RFC 5280 §6.1.3 (a)(2)).
    NotYetValid {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// The certificate's notBefore.
        not_before: OffsetDateTime,
    },
    /// An issuing certificate is not a CA (basicConstraints, RFC 5280 §6.1.4 (k)).
    NotACa {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
    },
    /// pathLenConstraint exceeded (RFC 5280 §6.1.4 (l)).
    PathLengthExceeded {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
    },
    /// keyUsage forbids the use (keyCertSign for CAs, signing for the end entity).
    KeyUsage {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// Certificate `index` has a critical extension kyso does not process (RFC 5280 §6.1.4 (o)).
    UnknownCriticalExtension {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// Dotted OID of the extension kyso does not process (RFC 5280 §6.1.4 (o)).
        oid: String,
    },
    /// Certificate `index` has a name outside the permitted subtrees, or inside an excluded
    /// one, of an issuing CA (RFC 5280 §6.1.3 (b)-(c)).
    NameConstraints {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// No acceptable certificate policy (RFC 5280 §6.1.3 (f), §6.1.5 (g)) or a forbidden mapping.
    Policy {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// Certificate `index` is on a CRL in scope, revoked at or before the validation time (its
    /// invalidityDate counts when earlier; RFC 5280 §5.3.2, §6.3).
    Revoked {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// The CRL entry's reasonCode (unspecified when the entry has none).
        reason: RevocationReason,
        /// The revocationDate of the CRL entry (not the invalidityDate).
        date: OffsetDateTime,
    },
    /// The revocation status could not be determined (no usable CRL).
    RevocationUnknown {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// The only CRLs in scope are outdated (nextUpdate passed).
    StaleRevocationInfo {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
    },
    /// A certificate extension is malformed.
    Malformed {
        /// Position of the certificate in the path: 0 = the target, counting towards the anchor.
        index: usize,
        /// What was found, in English, for logs and reports (not a stable code).
        detail: String,
    },
    /// The search gave up (too many candidates or signature checks).
    BudgetExceeded,
}

fn which(index: usize) -> String {
    if index == 0 {
        "the end-entity certificate".to_string()
    } else {
        format!("certificate {index} of the path (0 = end entity)")
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PathError::*;
        match self {
            NoPathToTrustAnchor => f.write_str("no certificate path to a trust anchor"),
            BadSignature { index } => write!(f, "the signature of {} is invalid", which(*index)),
            AlgorithmNotAllowed { index, detail } => {
                write!(f, "algorithm not allowed for {}: {detail}", which(*index))
            }
            Expired { index, not_after } => {
                write!(f, "{} expired on {not_after}", which(*index))
            }
            NotYetValid { index, not_before } => {
                write!(f, "{} is not valid before {not_before}", which(*index))
            }
            NotACa { index } => write!(f, "{} is not a CA certificate", which(*index)),
            PathLengthExceeded { index } => write!(
                f,
                "the path is longer than the pathLenConstraint allows at {}",
                which(*index)
            ),
            KeyUsage { index, detail } => write!(f, "key usage of {}: {detail}", which(*index)),
            UnknownCriticalExtension { index, oid } => write!(
                f,
                "{} has an unsupported critical extension {oid}",
                which(*index)
            ),
            NameConstraints { index, detail } => {
                write!(
                    f,
                    "name constraints violated by {}: {detail}",
                    which(*index)
                )
            }
            Policy { index, detail } => {
                write!(
                    f,
                    "certificate policy check failed at {}: {detail}",
                    which(*index)
                )
            }
            Revoked {
                index,
                reason,
                date,
            } => write!(
                f,
                "{} was revoked on {date} (reason: {})",
                which(*index),
                reason.name()
            ),
            RevocationUnknown { index, detail } => write!(
                f,
                "the revocation status of {} is unknown: {detail}",
                which(*index)
            ),
            StaleRevocationInfo { index } => write!(
                f,
                "the CRLs covering {} are out of date (nextUpdate passed)",
                which(*index)
            ),
            Malformed { index, detail } => write!(f, "{} is malformed: {detail}", which(*index)),
            BudgetExceeded => f.write_str("path building gave up: too many candidates"),
        }
    }
}

impl std::error::Error for PathError {}

impl PathError {
    /// How specific the error is: paths that fail deeper in validation are
    /// more informative than missing issuers or wrong-key signatures.
    fn rank(&self) -> u8 {
        match self {
            PathError::NoPathToTrustAnchor => 0,
            PathError::BudgetExceeded => 1,
            PathError::BadSignature { .. } | PathError::AlgorithmNotAllowed { .. } => 2,
            _ => 3,
        }
    }
}

/// Validates `target` against the trust anchors (RFC 5280 §6.1, §6.3).
///
/// Candidate paths are built from `inputs.intermediates` up to one of `inputs.anchors`; each is
/// run through basic certificate processing, preparation for the next certificate and wrap-up
/// (§6.1.3–§6.1.5), the key and algorithm policy, and CRL checking per `inputs.revocation`.
/// The first path that passes is returned. Called by signature verification (`verify`) for the
/// signer, time-stamp authorities and OCSP responders, and before signing (`sign::checks`).
///
/// # Errors
///
/// The most specific [`PathError`] over every candidate: a path that fails late (revoked,
/// expired, policy) is reported rather than a missing issuer. Nothing is accepted that was not
/// checked: a CRL in scope that cannot be used is an error, not a pass.
///
/// # Examples
///
/// ```
/// use kyso::pki::crl::{Crl, RevocationReason};
/// use kyso::pki::validate::{
///     validate_path, EndEntityUsage, PathError, RevocationMode, RevocationStatus, ValidationInputs,
/// };
/// use kyso::pki::Certificate;
///
/// let read =
///     |f: &str| std::fs::read(format!("{}/../../fixtures/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let cert = |f: &str| -> Result<Certificate, Box<dyn std::error::Error>> {
///     Ok(Certificate::parse_pem_or_der(&read(f)?)?.remove(0))
/// };
/// let anchors = [cert("root.pem")?];
/// let intermediates = [cert("intermediate.pem")?];
/// // Required revocation: every certificate below the anchor needs a CRL in scope.
/// let crls = [Crl::from_der(&read("intermediate.crl")?)?, Crl::from_der(&read("root.crl")?)?];
///
/// let mut inputs = ValidationInputs::new(&anchors, time::OffsetDateTime::now_utc());
/// inputs.intermediates = &intermediates;
/// inputs.crls = &crls;
/// inputs.revocation = RevocationMode::Required;
/// inputs.end_entity_usage = EndEntityUsage::Signing;
///
/// let path = validate_path(&cert("leader.pem")?, &inputs)?;
/// assert_eq!(path.certificates.len(), 3); // leader, intermediate, root
/// assert!(matches!(path.revocation[0], RevocationStatus::Good { .. }));
///
/// // The intermediate's CRL lists this one: the path is refused, with the reason.
/// let err = validate_path(&cert("revoked.pem")?, &inputs).unwrap_err();
/// assert!(matches!(
///     err,
///     PathError::Revoked { index: 0, reason: RevocationReason::KeyCompromise, .. }
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_path(
    target: &Certificate,
    inputs: &ValidationInputs<'_>,
) -> Result<ValidatedPath, PathError> {
    let ctx = Ctx {
        inputs,
        sig_budget: Cell::new(MAX_SIGNATURE_CHECKS),
        steps: Cell::new(MAX_BUILD_STEPS),
        sig_cache: RefCell::new(HashMap::new()),
        crl_signers_in_progress: RefCell::new(Vec::new()),
    };
    ctx.validate(target, &inputs.policy, inputs.end_entity_usage, 0)
}
