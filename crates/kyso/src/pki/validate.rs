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
    pub min_rsa_bits: usize,
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
    pub initial_explicit_policy: bool,
    pub initial_policy_mapping_inhibit: bool,
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
    pub time: OffsetDateTime,
    pub revocation: RevocationMode,
    pub policy: PolicyInputs,
    pub end_entity_usage: EndEntityUsage,
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
        crl_issuer: String,
        crl_number: Option<String>,
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
        index: usize,
    },
    /// The signature algorithm or key of certificate `index` (or of its issuer) is not accepted.
    AlgorithmNotAllowed {
        index: usize,
        detail: String,
    },
    Expired {
        index: usize,
        not_after: OffsetDateTime,
    },
    NotYetValid {
        index: usize,
        not_before: OffsetDateTime,
    },
    /// An issuing certificate is not a CA (basicConstraints, RFC 5280 §6.1.4 (k)).
    NotACa {
        index: usize,
    },
    /// pathLenConstraint exceeded (RFC 5280 §6.1.4 (l)).
    PathLengthExceeded {
        index: usize,
    },
    /// keyUsage forbids the use (keyCertSign for CAs, signing for the end entity).
    KeyUsage {
        index: usize,
        detail: String,
    },
    UnknownCriticalExtension {
        index: usize,
        oid: String,
    },
    NameConstraints {
        index: usize,
        detail: String,
    },
    /// No acceptable certificate policy (RFC 5280 §6.1.3 (f), §6.1.5 (g)) or a forbidden mapping.
    Policy {
        index: usize,
        detail: String,
    },
    Revoked {
        index: usize,
        reason: RevocationReason,
        date: OffsetDateTime,
    },
    /// The revocation status could not be determined (no usable CRL).
    RevocationUnknown {
        index: usize,
        detail: String,
    },
    /// The only CRLs in scope are outdated (nextUpdate passed).
    StaleRevocationInfo {
        index: usize,
    },
    /// A certificate extension is malformed.
    Malformed {
        index: usize,
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

#[derive(Clone, Debug)]
enum SigFail {
    Bad,
    Algorithm(String),
    Budget,
}

struct Ctx<'a> {
    inputs: &'a ValidationInputs<'a>,
    sig_budget: Cell<usize>,
    steps: Cell<usize>,
    /// (child, issuer) by address → outcome.
    sig_cache: RefCell<HashMap<(usize, usize), Result<(), SigFail>>>,
    /// DER of CRL-signer certificates whose paths are being validated (cycle guard).
    crl_signers_in_progress: RefCell<Vec<Vec<u8>>>,
}

/// Keeps the most specific error seen.
fn keep_best(best: &mut Option<PathError>, e: PathError) {
    if best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
        *best = Some(e);
    }
}

fn is_anchor(inputs: &ValidationInputs<'_>, c: &Certificate) -> bool {
    inputs.anchors.iter().any(|a| a.der == c.der)
}

impl<'a> Ctx<'a> {
    fn validate(
        &self,
        target: &'a Certificate,
        policy: &PolicyInputs,
        usage: EndEntityUsage,
        nesting: usize,
    ) -> Result<ValidatedPath, PathError> {
        if is_anchor(self.inputs, target) {
            return Ok(ValidatedPath {
                certificates: vec![target.clone()],
                valid_policies: policy.initial_policy_set.clone(),
                revocation: vec![RevocationStatus::TrustAnchor],
            });
        }
        let mut best = None;
        let mut path = vec![target];
        if let Some(ok) = self.build(&mut path, policy, usage, nesting, &mut best) {
            return Ok(ok);
        }
        Err(best.unwrap_or(PathError::NoPathToTrustAnchor))
    }

    /// Issuer candidates for `cert`: name chaining (RFC 5280 §6.1.3 (a)(4)), AKI/SKI
    /// matches first, then anchors; certificates already on the path excluded.
    fn issuer_candidates(
        &self,
        cert: &Certificate,
        path: &[&'a Certificate],
    ) -> Vec<(&'a Certificate, bool)> {
        let anchors = self.inputs.anchors.iter().map(|c| (c, true));
        let inters = self
            .inputs
            .intermediates
            .iter()
            .filter(|c| !is_anchor(self.inputs, c))
            .map(|c| (c, false));
        let mut v: Vec<(&'a Certificate, bool)> = anchors
            .chain(inters)
            .filter(|(c, _)| c.subject.matches(&cert.issuer))
            .filter(|(c, _)| !path.iter().any(|p| p.der == c.der))
            .collect();
        let aki_match = |c: &Certificate| match (&cert.authority_key_id, &c.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => false,
        };
        v.sort_by_key(|(c, anchor)| (!aki_match(c), !anchor));
        v
    }

    /// Depth-first path building; each complete path is validated at once.
    fn build(
        &self,
        path: &mut Vec<&'a Certificate>,
        policy: &PolicyInputs,
        usage: EndEntityUsage,
        nesting: usize,
        best: &mut Option<PathError>,
    ) -> Option<ValidatedPath> {
        let cur = *path.last()?;
        if path.len() >= MAX_PATH_LEN {
            return None;
        }
        for (cand, anchor) in self.issuer_candidates(cur, path) {
            if self.steps.get() == 0 {
                keep_best(best, PathError::BudgetExceeded);
                return None;
            }
            self.steps.set(self.steps.get() - 1);
            let index = path.len() - 1;
            // RFC 5280 §6.1.3 (a)(1): the signature, with the issuer's key.
            match self.check_cert_signature(cur, cand) {
                Ok(()) => {}
                Err(SigFail::Bad) => {
                    keep_best(best, PathError::BadSignature { index });
                    continue;
                }
                Err(SigFail::Algorithm(detail)) => {
                    keep_best(best, PathError::AlgorithmNotAllowed { index, detail });
                    continue;
                }
                Err(SigFail::Budget) => {
                    keep_best(best, PathError::BudgetExceeded);
                    return None;
                }
            }
            path.push(cand);
            if anchor {
                match self.validate_candidate(path, policy, usage, nesting) {
                    Ok(v) => return Some(v),
                    Err(e) => keep_best(best, e),
                }
            } else if let Some(v) = self.build(path, policy, usage, nesting, best) {
                return Some(v);
            }
            path.pop();
        }
        None
    }

    /// Checks the algorithm policy, then verifies a signature, counting it against the budget.
    fn check_signature(
        &self,
        alg: &AlgorithmIdentifier,
        signer: &Certificate,
        tbs: &[u8],
        sig: &[u8],
    ) -> Result<(), SigFail> {
        self.algorithm_allowed(alg, signer)
            .map_err(SigFail::Algorithm)?;
        let left = self.sig_budget.get();
        if left == 0 {
            return Err(SigFail::Budget);
        }
        self.sig_budget.set(left - 1);
        match crypto::verify::verify_signed_structure(&signer.spki_der, alg, tbs, sig) {
            Ok(_) => Ok(()),
            Err(e) if e.starts_with("unsupported") => Err(SigFail::Algorithm(e)),
            Err(_) => Err(SigFail::Bad),
        }
    }

    fn check_cert_signature(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<(), SigFail> {
        let key = (cert as *const _ as usize, issuer as *const _ as usize);
        if let Some(r) = self.sig_cache.borrow().get(&key) {
            return r.clone();
        }
        let r = if cert.tbs_signature_algorithm != cert.signature_algorithm {
            // RFC 5280 §4.1.1.2: the two algorithm fields must match.
            Err(SigFail::Bad)
        } else {
            self.check_signature(
                &cert.signature_algorithm,
                issuer,
                &cert.tbs_der,
                &cert.signature,
            )
        };
        if !matches!(r, Err(SigFail::Budget)) {
            self.sig_cache.borrow_mut().insert(key, r.clone());
        }
        r
    }

    /// The algorithm policy: DSA unsupported, SHA-1 and short RSA keys by choice.
    fn algorithm_allowed(
        &self,
        alg: &AlgorithmIdentifier,
        signer: &Certificate,
    ) -> Result<(), String> {
        let pol = self.inputs.algorithm_policy;
        key_allowed(signer, &pol)?;
        match digest_of_signature_algorithm(alg) {
            None => Err(format!("unsupported signature algorithm {}", alg.oid)),
            Some(DigestAlgorithm::Sha1) if !pol.allow_sha1 => Err("SHA-1 signature".into()),
            Some(_) => Ok(()),
        }
    }

    /// RFC 5280 §6.1.2–§6.1.5 on one complete path (target first, anchor last),
    /// then revocation (§6.3) from the anchor down.
    fn validate_candidate(
        &self,
        path: &[&'a Certificate],
        policy: &PolicyInputs,
        usage: EndEntityUsage,
        nesting: usize,
    ) -> Result<ValidatedPath, PathError> {
        // Issue 20 item 3: the target's own key too (issuers' keys are judged with the
        // signatures they make), so a short end-entity, TSA or CRL-signer key is refused.
        key_allowed(path[0], &self.inputs.algorithm_policy)
            .map_err(|detail| PathError::AlgorithmNotAllowed { index: 0, detail })?;
        let valid_policies = process_path(path, policy, usage, self.inputs.time)?;
        let n = path.len() - 1;
        let mut revocation = vec![RevocationStatus::TrustAnchor; path.len()];
        if self.inputs.revocation != RevocationMode::Off {
            for idx in (0..n).rev() {
                revocation[idx] = self.check_revocation(path, idx, nesting)?;
            }
        } else {
            revocation[..n].fill(RevocationStatus::NotChecked);
        }
        Ok(ValidatedPath {
            certificates: path.iter().map(|c| (*c).clone()).collect(),
            valid_policies,
            revocation,
        })
    }
}

// ---------------------------------------------------------------------------
// RFC 5280 §6.1: the path processing state machine.
// ---------------------------------------------------------------------------

/// Extensions processed by this module (RFC 5280 §6.1.4 (o), §6.1.5 (f)).
const UNDERSTOOD_EXTENSIONS: &[&str] = &[
    oid::EXT_KEY_USAGE,
    oid::EXT_BASIC_CONSTRAINTS,
    oid::EXT_CERTIFICATE_POLICIES,
    oid::EXT_POLICY_MAPPINGS,
    oid::EXT_SUBJECT_ALT_NAME,
    oid::EXT_ISSUER_ALT_NAME,
    oid::EXT_NAME_CONSTRAINTS,
    oid::EXT_POLICY_CONSTRAINTS,
    oid::EXT_INHIBIT_ANY_POLICY,
    oid::EXT_EXTENDED_KEY_USAGE,
    oid::EXT_SUBJECT_KEY_ID,
    oid::EXT_AUTHORITY_KEY_ID,
    oid::EXT_CRL_DISTRIBUTION_POINTS,
    oid::EXT_FRESHEST_CRL,
    oid::EXT_AUTHORITY_INFO_ACCESS,
    oid::EXT_SUBJECT_INFO_ACCESS,
    oid::EXT_SUBJECT_DIRECTORY_ATTRIBUTES,
];

/// The key-size policy (Circular 15/2025, issue 20 item 3): RSA of at least `min_rsa_bits`;
/// elliptic curves only the supported ones, all of at least 256 bits (P-256/384/521,
/// brainpoolP256r1/P384r1 — smaller or unknown curves are `Other`); DSA unsupported.
pub fn key_allowed(cert: &Certificate, pol: &AlgorithmPolicy) -> Result<(), String> {
    match &cert.public_key {
        PublicKeyKind::Other(o) if o == ID_DSA => Err("DSA keys are not supported".into()),
        PublicKeyKind::Other(o) => match small_curve_bits(o) {
            Some(bits) => Err(format!(
                "{bits}-bit EC key of \"{}\" (minimum 256)",
                cert.subject
            )),
            None => Err(format!("unsupported public key {o}")),
        },
        PublicKeyKind::Rsa { bits } if *bits < pol.min_rsa_bits => Err(format!(
            "{bits}-bit RSA key of \"{}\" (minimum {})",
            cert.subject, pol.min_rsa_bits
        )),
        _ => Ok(()),
    }
}

/// Named elliptic curves under 256 bits (SEC 2, RFC 5639): secp192r1, secp224r1, secp160r1,
/// secp192k1, secp224k1, brainpoolP160r1/P192r1/P224r1.
fn small_curve_bits(curve_oid: &str) -> Option<usize> {
    Some(match curve_oid {
        "1.3.132.0.8" | "1.3.36.3.3.2.8.1.1.1" => 160,
        "1.2.840.10045.3.1.1" | "1.3.132.0.31" | "1.3.36.3.3.2.8.1.1.3" => 192,
        "1.3.132.0.33" | "1.3.132.0.32" | "1.3.36.3.3.2.8.1.1.5" => 224,
        _ => return None,
    })
}

/// True when a path error comes from [`key_allowed`]'s key-size rule, on the path or on a CRL
/// signer.
pub fn is_weak_key(e: &PathError) -> bool {
    let weak = |d: &str| d.contains("-bit RSA key") || d.contains("-bit EC key");
    match e {
        PathError::AlgorithmNotAllowed { detail, .. } => weak(detail),
        PathError::RevocationUnknown { detail, .. } => weak(detail),
        _ => false,
    }
}

/// Extended key usages that allow signing documents (issue 20 item 4): any, RFC 9336 document
/// signing, e-mail protection and client authentication (what Vietnamese CAs issue to people
/// and organisations), Adobe and Microsoft document signing.
pub const DOCUMENT_SIGNING_EKUS: &[&str] = &[
    oid::ANY_EXTENDED_KEY_USAGE,
    oid::KP_DOCUMENT_SIGNING,
    oid::KP_EMAIL_PROTECTION,
    oid::KP_CLIENT_AUTH,
    oid::KP_ADOBE_DOCUMENT_SIGNING,
    oid::KP_MS_DOCUMENT_SIGNING,
];

/// RFC 5280 §4.2.1.12: when the extension is present, the certificate may be used only for the
/// purposes it lists. None when `cert` may sign documents, else why not.
pub fn document_signing_eku_problem(cert: &Certificate) -> Option<String> {
    ext_value(cert, oid::EXT_EXTENDED_KEY_USAGE)?;
    if cert
        .extended_key_usage
        .iter()
        .any(|k| DOCUMENT_SIGNING_EKUS.contains(&k.as_str()))
    {
        return None;
    }
    let names: Vec<&str> = cert
        .extended_key_usage
        .iter()
        .map(|k| eku_name(k))
        .collect();
    Some(format!(
        "the extended key usage ({}) does not allow signing documents",
        names.join(", ")
    ))
}

fn eku_name(k: &str) -> &str {
    match k {
        oid::KP_SERVER_AUTH => "serverAuth",
        oid::KP_CODE_SIGNING => "codeSigning",
        oid::KP_TIME_STAMPING => "timeStamping",
        oid::KP_OCSP_SIGNING => "OCSPSigning",
        other => other,
    }
}

fn ext_value<'c>(cert: &'c Certificate, oid_s: &str) -> Option<&'c [u8]> {
    cert.extensions
        .iter()
        .find(|e| e.oid == oid_s)
        .map(|e| e.value.as_slice())
}

fn malformed(index: usize) -> impl Fn(crate::error::Error) -> PathError {
    move |e| PathError::Malformed {
        index,
        detail: e.to_string(),
    }
}

/// The §6.1.2 state variables.
struct State {
    tree: Option<PolicyTree>,
    nc: NameConstraintState,
    explicit_policy: usize,
    inhibit_any_policy: usize,
    policy_mapping: usize,
    max_path_length: usize,
}

/// Runs §6.1.2–§6.1.5 over `path` (target first, anchor last). Returns the valid policies.
fn process_path(
    path: &[&Certificate],
    policy: &PolicyInputs,
    usage: EndEntityUsage,
    time: OffsetDateTime,
) -> Result<Vec<String>, PathError> {
    let n = path.len() - 1;
    // RFC 5280 §6.1.2 (a)-(k): initialisation.
    let init = |flag: bool| if flag { 0 } else { n + 1 };
    let mut st = State {
        tree: Some(PolicyTree::new()),
        nc: NameConstraintState::default(),
        explicit_policy: init(policy.initial_explicit_policy),
        inhibit_any_policy: init(policy.initial_any_policy_inhibit),
        policy_mapping: init(policy.initial_policy_mapping_inhibit),
        max_path_length: n,
    };
    for i in 1..=n {
        let index = n - i;
        let cert = path[index];
        basic_certificate_processing(&mut st, cert, i, n, index, time)?;
        if i < n {
            prepare_for_next(&mut st, cert, i, index)?;
        }
    }
    wrap_up(&mut st, path[0], n, policy, usage)
}

/// RFC 5280 §6.1.3: basic certificate processing of certificate `i` (path position `index`).
fn basic_certificate_processing(
    st: &mut State,
    cert: &Certificate,
    i: usize,
    n: usize,
    index: usize,
    time: OffsetDateTime,
) -> Result<(), PathError> {
    // RFC 5280 §6.1.3 (a)(1) and (a)(4) were checked while building the path.
    // RFC 5280 §6.1.3 (a)(2): validity period.
    if time < cert.not_before {
        return Err(PathError::NotYetValid {
            index,
            not_before: cert.not_before,
        });
    }
    if time > cert.not_after {
        return Err(PathError::Expired {
            index,
            not_after: cert.not_after,
        });
    }
    // RFC 5280 §6.1.3 (b), (c): name constraints, except for self-issued intermediates.
    if i == n || !cert.is_self_issued() {
        st.nc.check(cert, index)?;
    }
    // RFC 5280 §6.1.3 (d), (e): certificate policies.
    match ext_value(cert, oid::EXT_CERTIFICATE_POLICIES) {
        Some(v) => {
            let pols = parse_certificate_policies(v).map_err(malformed(index))?;
            if let Some(tree) = st.tree.as_mut() {
                let any_ok = st.inhibit_any_policy > 0 || (i < n && cert.is_self_issued());
                tree.process_policies(i, &pols, any_ok)
                    .map_err(|detail| PathError::Policy { index, detail })?;
                if tree.is_null() {
                    st.tree = None;
                }
            }
        }
        None => st.tree = None,
    }
    // RFC 5280 §6.1.3 (f).
    if st.explicit_policy == 0 && st.tree.is_none() {
        return Err(PathError::Policy {
            index,
            detail: "no valid certificate policy while an explicit policy is required".into(),
        });
    }
    Ok(())
}

/// RFC 5280 §6.1.4: preparation for certificate `i + 1`.
fn prepare_for_next(
    st: &mut State,
    cert: &Certificate,
    i: usize,
    index: usize,
) -> Result<(), PathError> {
    // RFC 5280 §6.1.4 (a), (b): policy mappings.
    if let Some(v) = ext_value(cert, oid::EXT_POLICY_MAPPINGS) {
        let maps = parse_policy_mappings(v).map_err(malformed(index))?;
        if maps
            .iter()
            .any(|(a, b)| a == oid::ANY_POLICY || b == oid::ANY_POLICY)
        {
            return Err(PathError::Policy {
                index,
                detail: "policy mapping to or from anyPolicy".into(),
            });
        }
        if let Some(tree) = st.tree.as_mut() {
            tree.apply_mappings(i, &maps, st.policy_mapping > 0)
                .map_err(|detail| PathError::Policy { index, detail })?;
            if tree.is_null() {
                st.tree = None;
            }
        }
    }
    // RFC 5280 §6.1.4 (c)-(f): working issuer name and key are implicit in the path.
    // RFC 5280 §6.1.4 (g): name constraints.
    if let Some(v) = ext_value(cert, oid::EXT_NAME_CONSTRAINTS) {
        let nc = parse_name_constraints(v).map_err(malformed(index))?;
        st.nc.add(nc, index)?;
    }
    // RFC 5280 §6.1.4 (h): decrement the counters for non-self-issued certificates.
    if !cert.is_self_issued() {
        for c in [
            &mut st.explicit_policy,
            &mut st.policy_mapping,
            &mut st.inhibit_any_policy,
        ] {
            *c = c.saturating_sub(1);
        }
    }
    // RFC 5280 §6.1.4 (i): policy constraints.
    if let Some(v) = ext_value(cert, oid::EXT_POLICY_CONSTRAINTS) {
        let (require, inhibit) = parse_policy_constraints(v).map_err(malformed(index))?;
        if let Some(r) = require {
            st.explicit_policy = st.explicit_policy.min(r);
        }
        if let Some(q) = inhibit {
            st.policy_mapping = st.policy_mapping.min(q);
        }
    }
    // RFC 5280 §6.1.4 (j): inhibitAnyPolicy.
    if let Some(v) = ext_value(cert, oid::EXT_INHIBIT_ANY_POLICY) {
        let skip = Reader::new(v)
            .read_single()
            .and_then(|e| {
                e.expect_universal(tag::INTEGER, "SkipCerts")?;
                e.as_u64()
            })
            .map_err(malformed(index))?;
        st.inhibit_any_policy = st.inhibit_any_policy.min(clamp(skip));
    }
    // RFC 5280 §6.1.4 (k): must be a CA.
    if !cert.basic_constraints.is_some_and(|b| b.ca) {
        return Err(PathError::NotACa { index });
    }
    // RFC 5280 §6.1.4 (l): path length.
    if !cert.is_self_issued() {
        if st.max_path_length == 0 {
            return Err(PathError::PathLengthExceeded { index });
        }
        st.max_path_length -= 1;
    }
    // RFC 5280 §6.1.4 (m): pathLenConstraint.
    if let Some(p) = cert.basic_constraints.and_then(|b| b.path_len) {
        st.max_path_length = st.max_path_length.min(clamp(u64::from(p)));
    }
    // RFC 5280 §6.1.4 (n): keyCertSign.
    if cert.key_usage.is_some_and(|k| !k.key_cert_sign) {
        return Err(PathError::KeyUsage {
            index,
            detail: "keyCertSign is not set on an issuing CA".into(),
        });
    }
    // RFC 5280 §6.1.4 (o): unknown critical extensions.
    check_critical_extensions(cert, index)
}

fn clamp(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn check_critical_extensions(cert: &Certificate, index: usize) -> Result<(), PathError> {
    match cert
        .extensions
        .iter()
        .find(|e| e.critical && !UNDERSTOOD_EXTENSIONS.contains(&e.oid.as_str()))
    {
        Some(e) => Err(PathError::UnknownCriticalExtension {
            index,
            oid: e.oid.clone(),
        }),
        None => Ok(()),
    }
}

/// RFC 5280 §6.1.5: wrap-up procedure for the target certificate.
fn wrap_up(
    st: &mut State,
    target: &Certificate,
    n: usize,
    policy: &PolicyInputs,
    usage: EndEntityUsage,
) -> Result<Vec<String>, PathError> {
    // RFC 5280 §6.1.5 (a).
    st.explicit_policy = st.explicit_policy.saturating_sub(1);
    // RFC 5280 §6.1.5 (b).
    if let Some(v) = ext_value(target, oid::EXT_POLICY_CONSTRAINTS) {
        let (require, _) = parse_policy_constraints(v).map_err(malformed(0))?;
        if require == Some(0) {
            st.explicit_policy = 0;
        }
    }
    // RFC 5280 §6.1.5 (c)-(e): the working key is the target's.
    // RFC 5280 §6.1.5 (f): unknown critical extensions.
    check_critical_extensions(target, 0)?;
    // The caller's end-entity key usage requirement.
    if usage == EndEntityUsage::TimeStamping
        && !target
            .extended_key_usage
            .iter()
            .any(|k| k == oid::KP_TIME_STAMPING)
    {
        return Err(PathError::KeyUsage {
            index: 0,
            detail: "the certificate is not meant for time-stamping (no id-kp-timeStamping)".into(),
        });
    }
    if usage == EndEntityUsage::Signing {
        if let Some(detail) = document_signing_eku_problem(target) {
            return Err(PathError::KeyUsage { index: 0, detail });
        }
    }
    if usage != EndEntityUsage::Any
        && target
            .key_usage
            .is_some_and(|k| !k.digital_signature && !k.non_repudiation)
    {
        return Err(PathError::KeyUsage {
            index: 0,
            detail: "neither digitalSignature nor nonRepudiation is set".into(),
        });
    }
    // RFC 5280 §6.1.5 (g): intersection with the user-initial-policy-set.
    let valid = match st.tree.as_mut() {
        None => Vec::new(),
        Some(tree) => {
            tree.intersect(n, &policy.initial_policy_set)
                .map_err(|detail| PathError::Policy { index: 0, detail })?;
            tree.leaf_policies(n)
        }
    };
    if st.explicit_policy == 0 && valid.is_empty() {
        return Err(PathError::Policy {
            index: 0,
            detail: "no acceptable certificate policy for the end-entity certificate".into(),
        });
    }
    Ok(valid)
}

// ---------------------------------------------------------------------------
// Certificate policies (RFC 5280 §4.2.1.4, §4.2.1.5, §4.2.1.11, §6.1.3 (d)).
// ---------------------------------------------------------------------------

fn seq_children<'b>(v: &'b [u8], what: &str) -> crate::error::Result<Reader<'b>> {
    let el = Reader::new(v).read_single()?;
    el.expect_universal(tag::SEQUENCE, what)?;
    el.children()
}

/// certificatePolicies: the policy OIDs (qualifiers are not interpreted).
fn parse_certificate_policies(v: &[u8]) -> crate::error::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for pi in seq_children(v, "certificatePolicies")? {
        let pi = pi?;
        pi.expect_universal(tag::SEQUENCE, "PolicyInformation")?;
        let p = pi.children()?.read()?.as_oid()?;
        if !out.contains(&p) {
            out.push(p);
        }
        if out.len() > MAX_POLICY_NODES {
            return Err(crate::error::Error::Certificate("too many policies".into()));
        }
    }
    Ok(out)
}

/// policyMappings: (issuerDomainPolicy, subjectDomainPolicy) pairs.
fn parse_policy_mappings(v: &[u8]) -> crate::error::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for m in seq_children(v, "PolicyMappings")? {
        let m = m?;
        m.expect_universal(tag::SEQUENCE, "PolicyMapping")?;
        let mut r = m.children()?;
        let a = r.read()?.as_oid()?;
        let b = r.read()?.as_oid()?;
        r.finish("PolicyMapping")?;
        out.push((a, b));
        if out.len() > MAX_POLICY_NODES {
            return Err(crate::error::Error::Certificate("too many mappings".into()));
        }
    }
    Ok(out)
}

/// policyConstraints: (requireExplicitPolicy, inhibitPolicyMapping).
fn parse_policy_constraints(v: &[u8]) -> crate::error::Result<(Option<usize>, Option<usize>)> {
    let mut r = seq_children(v, "PolicyConstraints")?;
    let require = match r.read_optional_context(0)? {
        Some(e) => Some(clamp(e.as_u64()?)),
        None => None,
    };
    let inhibit = match r.read_optional_context(1)? {
        Some(e) => Some(clamp(e.as_u64()?)),
        None => None,
    };
    r.finish("PolicyConstraints")?;
    Ok((require, inhibit))
}

#[derive(Clone, Debug)]
struct PolicyNode {
    depth: usize,
    policy: String,
    expected: Vec<String>,
    parent: Option<usize>,
    alive: bool,
}

/// The valid_policy_tree (RFC 5280 §6.1.2 (a)) as an arena; deleted nodes stay, dead.
#[derive(Clone, Debug)]
struct PolicyTree {
    nodes: Vec<PolicyNode>,
}

impl PolicyTree {
    fn new() -> Self {
        PolicyTree {
            nodes: vec![PolicyNode {
                depth: 0,
                policy: oid::ANY_POLICY.into(),
                expected: vec![oid::ANY_POLICY.into()],
                parent: None,
                alive: true,
            }],
        }
    }

    fn is_null(&self) -> bool {
        !self.nodes[0].alive
    }

    fn at_depth(&self, d: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].alive && self.nodes[i].depth == d)
            .collect()
    }

    fn children(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len())
            .filter(move |&i| self.nodes[i].alive && self.nodes[i].parent == Some(p))
    }

    fn add(&mut self, parent: usize, policy: &str, expected: Vec<String>) -> Result<(), String> {
        if self.nodes.len() >= MAX_POLICY_NODES {
            return Err("the policy tree grew too large".into());
        }
        let depth = self.nodes[parent].depth + 1;
        self.nodes.push(PolicyNode {
            depth,
            policy: policy.to_string(),
            expected,
            parent: Some(parent),
            alive: true,
        });
        Ok(())
    }

    fn delete_subtree(&mut self, i: usize) {
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            if self.nodes[x].alive {
                self.nodes[x].alive = false;
                stack.extend(self.children(x).collect::<Vec<_>>());
            }
        }
    }

    /// Deletes childless nodes of depth < `below`, deepest first, until none remain.
    fn prune(&mut self, below: usize) {
        for d in (0..below).rev() {
            for i in self.at_depth(d) {
                if self.children(i).next().is_none() {
                    self.nodes[i].alive = false;
                }
            }
        }
    }

    /// RFC 5280 §6.1.3 (d) for certificate `i` with policies `pols`.
    fn process_policies(&mut self, i: usize, pols: &[String], any_ok: bool) -> Result<(), String> {
        let parents = self.at_depth(i - 1);
        // RFC 5280 §6.1.3 (d)(1).
        for p in pols.iter().filter(|p| *p != oid::ANY_POLICY) {
            let matching: Vec<usize> = parents
                .iter()
                .copied()
                .filter(|&q| self.nodes[q].expected.contains(p))
                .collect();
            if !matching.is_empty() {
                // (d)(1)(i)
                for q in matching {
                    self.add(q, p, vec![p.clone()])?;
                }
            } else {
                // (d)(1)(ii)
                let anys: Vec<usize> = parents
                    .iter()
                    .copied()
                    .filter(|&q| self.nodes[q].policy == oid::ANY_POLICY)
                    .collect();
                for q in anys {
                    self.add(q, p, vec![p.clone()])?;
                }
            }
        }
        // RFC 5280 §6.1.3 (d)(2).
        if any_ok && pols.iter().any(|p| p == oid::ANY_POLICY) {
            for &q in &parents {
                for e in self.nodes[q].expected.clone() {
                    if !self.children(q).any(|c| self.nodes[c].policy == e) {
                        self.add(q, &e, vec![e.clone()])?;
                    }
                }
            }
        }
        // RFC 5280 §6.1.3 (d)(3).
        self.prune(i);
        Ok(())
    }

    /// RFC 5280 §6.1.4 (b) for certificate `i`.
    fn apply_mappings(
        &mut self,
        i: usize,
        maps: &[(String, String)],
        mapping_allowed: bool,
    ) -> Result<(), String> {
        let mut issuer_policies: Vec<&String> = Vec::new();
        for (a, _) in maps {
            if !issuer_policies.contains(&a) {
                issuer_policies.push(a);
            }
        }
        for idp in issuer_policies {
            let mut subjects: Vec<String> = Vec::new();
            for (_, b) in maps.iter().filter(|(a, _)| a == idp) {
                if !subjects.contains(b) {
                    subjects.push(b.clone());
                }
            }
            let nodes: Vec<usize> = self
                .at_depth(i)
                .into_iter()
                .filter(|&x| &self.nodes[x].policy == idp)
                .collect();
            if mapping_allowed {
                // RFC 5280 §6.1.4 (b)(1).
                if !nodes.is_empty() {
                    for x in nodes {
                        self.nodes[x].expected = subjects.clone();
                    }
                } else if let Some(any) = self
                    .at_depth(i)
                    .into_iter()
                    .find(|&x| self.nodes[x].policy == oid::ANY_POLICY)
                {
                    if let Some(parent) = self.nodes[any].parent {
                        self.add(parent, idp, subjects)?;
                    }
                }
            } else {
                // RFC 5280 §6.1.4 (b)(2).
                for x in nodes {
                    self.delete_subtree(x);
                }
                self.prune(i);
            }
        }
        Ok(())
    }

    /// RFC 5280 §6.1.5 (g)(iii): intersection with the user-initial-policy-set.
    fn intersect(&mut self, n: usize, user: &[String]) -> Result<(), String> {
        if user.iter().any(|p| p == oid::ANY_POLICY) {
            return Ok(());
        }
        // (g)(iii)(1): nodes whose parent is anyPolicy.
        let set: Vec<usize> = (0..self.nodes.len())
            .filter(|&x| {
                self.nodes[x].alive
                    && self.nodes[x]
                        .parent
                        .is_some_and(|p| self.nodes[p].policy == oid::ANY_POLICY)
            })
            .collect();
        // (g)(iii)(2).
        for &x in &set {
            let p = &self.nodes[x].policy;
            if p != oid::ANY_POLICY && !user.contains(p) {
                self.delete_subtree(x);
            }
        }
        // (g)(iii)(3).
        let any_leaf = self
            .at_depth(n)
            .into_iter()
            .find(|&x| self.nodes[x].policy == oid::ANY_POLICY);
        if let Some(a) = any_leaf {
            if let Some(parent) = self.nodes[a].parent {
                for u in user {
                    let present = set
                        .iter()
                        .any(|&x| self.nodes[x].alive && &self.nodes[x].policy == u);
                    if !present {
                        self.add(parent, u, vec![u.clone()])?;
                    }
                }
            }
            self.delete_subtree(a);
        }
        // (g)(iii)(4).
        self.prune(n);
        Ok(())
    }

    fn leaf_policies(&self, n: usize) -> Vec<String> {
        if self.is_null() {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for x in self.at_depth(n) {
            if !out.contains(&self.nodes[x].policy) {
                out.push(self.nodes[x].policy.clone());
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
// ---------------------------------------------------------------------------

struct NameConstraints {
    permitted: Option<Vec<GeneralName>>,
    excluded: Vec<GeneralName>,
}

fn parse_subtrees(el: &Element<'_>) -> crate::error::Result<Vec<GeneralName>> {
    let mut out = Vec::new();
    for st in el.children()? {
        let st = st?;
        st.expect_universal(tag::SEQUENCE, "GeneralSubtree")?;
        let mut r = st.children()?;
        out.push(GeneralName::from_element(&r.read()?)?);
        // minimum/maximum: RFC 5280 requires the defaults; not interpreted.
        if out.len() > MAX_NAME_CONSTRAINTS {
            return Err(crate::error::Error::Certificate("too many subtrees".into()));
        }
    }
    Ok(out)
}

fn parse_name_constraints(v: &[u8]) -> crate::error::Result<NameConstraints> {
    let mut r = seq_children(v, "NameConstraints")?;
    let permitted = match r.read_optional_context(0)? {
        Some(e) => Some(parse_subtrees(&e)?),
        None => None,
    };
    let excluded = match r.read_optional_context(1)? {
        Some(e) => parse_subtrees(&e)?,
        None => Vec::new(),
    };
    r.finish("NameConstraints")?;
    Ok(NameConstraints {
        permitted,
        excluded,
    })
}

/// permitted_subtrees as one set per constraining certificate (their
/// intersection, per name type) and excluded_subtrees as a union.
#[derive(Default)]
struct NameConstraintState {
    permitted: Vec<Vec<GeneralName>>,
    excluded: Vec<GeneralName>,
    total: usize,
}

fn same_form(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::Other { tag: x, .. }, GeneralName::Other { tag: y, .. }) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fn host_of_uri(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    let auth = rest.split(['/', '?', '#']).next()?;
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let host = if let Some(v6) = auth.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        auth.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn domain_within(name: &str, base: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let base = base.to_ascii_lowercase();
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return name.ends_with(&base);
    }
    name == base || name.ends_with(&format!(".{base}"))
}

/// True when `name` is within the subtree `base` (RFC 5280 §4.2.1.10). Only
/// called for names of the same form.
fn within(name: &GeneralName, base: &GeneralName) -> Option<bool> {
    Some(match (name, base) {
        // RFC 5280 §7.1: RDNs compared after RFC 4518 preparation; a name that cannot be
        // prepared cannot be judged (fail closed).
        (GeneralName::Directory(n), GeneralName::Directory(_)) if n.has_prohibited_characters() => {
            return None
        }
        (GeneralName::Directory(n), GeneralName::Directory(b)) => n.has_prefix(b),
        (GeneralName::Rfc822(n), GeneralName::Rfc822(b)) => {
            let domain = n.rsplit_once('@').map_or(n.as_str(), |(_, d)| d);
            if b.contains('@') {
                n.eq_ignore_ascii_case(b)
            } else if b.starts_with('.') {
                domain
                    .to_ascii_lowercase()
                    .ends_with(&b.to_ascii_lowercase())
            } else {
                domain.eq_ignore_ascii_case(b)
            }
        }
        (GeneralName::Dns(n), GeneralName::Dns(b)) => domain_within(n, b),
        (GeneralName::Uri(n), GeneralName::Uri(b)) => match host_of_uri(n) {
            None => false,
            Some(h) if b.starts_with('.') => h.ends_with(&b.to_ascii_lowercase()),
            Some(h) => h.eq_ignore_ascii_case(b),
        },
        (GeneralName::IpAddress(n), GeneralName::IpAddress(b)) => {
            if b.len() != n.len() * 2 {
                false
            } else {
                let (addr, mask) = b.split_at(n.len());
                n.iter()
                    .zip(addr)
                    .zip(mask)
                    .all(|((x, a), m)| x & m == a & m)
            }
        }
        // A constrained name form kyso cannot process (§4.2.1.10: reject).
        _ => return None,
    })
}

/// The names of a certificate subject to name constraints (§6.1.3 (b)).
fn constrained_names(cert: &Certificate, index: usize) -> Result<Vec<GeneralName>, PathError> {
    let mut names = Vec::new();
    if !cert.subject.is_empty() {
        names.push(GeneralName::Directory(cert.subject.clone()));
    }
    // RFC 5280 §4.2.1.10: emailAddress attributes count as rfc822Name.
    for e in cert.subject.get_all(oid::AT_EMAIL_ADDRESS) {
        names.push(GeneralName::Rfc822(e));
    }
    if let Some(v) = ext_value(cert, oid::EXT_SUBJECT_ALT_NAME) {
        let el = Reader::new(v).read_single().map_err(malformed(index))?;
        el.expect_universal(tag::SEQUENCE, "SubjectAltName")
            .map_err(malformed(index))?;
        names.extend(GeneralName::list_from_element(&el).map_err(malformed(index))?);
    }
    if names.len() > MAX_NAME_CONSTRAINTS {
        return Err(PathError::NameConstraints {
            index,
            detail: "too many names".into(),
        });
    }
    Ok(names)
}

fn describe(n: &GeneralName) -> String {
    match n {
        GeneralName::Directory(d) => format!("directory name \"{d}\""),
        GeneralName::Rfc822(s) => format!("email \"{s}\""),
        GeneralName::Dns(s) => format!("DNS name \"{s}\""),
        GeneralName::Uri(s) => format!("URI \"{s}\""),
        GeneralName::IpAddress(_) => "IP address".into(),
        GeneralName::Other { tag, .. } => format!("name of form [{tag}]"),
    }
}

impl NameConstraintState {
    fn add(&mut self, nc: NameConstraints, index: usize) -> Result<(), PathError> {
        self.total += nc.permitted.as_ref().map_or(0, Vec::len) + nc.excluded.len();
        if self.total > MAX_NAME_CONSTRAINTS {
            return Err(PathError::NameConstraints {
                index,
                detail: "too many name constraints".into(),
            });
        }
        if let Some(p) = nc.permitted {
            self.permitted.push(p);
        }
        self.excluded.extend(nc.excluded);
        Ok(())
    }

    fn check(&self, cert: &Certificate, index: usize) -> Result<(), PathError> {
        if self.permitted.is_empty() && self.excluded.is_empty() {
            return Ok(());
        }
        let err = |detail: String| PathError::NameConstraints { index, detail };
        for name in constrained_names(cert, index)? {
            // RFC 5280 §6.1.3 (b): within every permitted set constraining this form.
            for set in &self.permitted {
                let mut relevant = set.iter().filter(|b| same_form(&name, b)).peekable();
                if relevant.peek().is_none() {
                    continue;
                }
                let mut ok = false;
                for b in relevant {
                    match within(&name, b) {
                        Some(true) => ok = true,
                        Some(false) => {}
                        None => return Err(err(format!("cannot process {}", describe(&name)))),
                    }
                }
                if !ok {
                    return Err(err(format!("{} is not permitted", describe(&name))));
                }
            }
            // RFC 5280 §6.1.3 (c): in no excluded subtree.
            for b in self.excluded.iter().filter(|b| same_form(&name, b)) {
                match within(&name, b) {
                    Some(false) => {}
                    Some(true) => return Err(err(format!("{} is excluded", describe(&name)))),
                    None => return Err(err(format!("cannot process {}", describe(&name)))),
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Revocation with CRLs (RFC 5280 §6.3).
// ---------------------------------------------------------------------------

fn is_ca(cert: &Certificate) -> bool {
    cert.basic_constraints.is_some_and(|b| b.ca)
}

fn general_names_intersect(a: &[GeneralName], b: &[GeneralName]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (GeneralName::Directory(p), GeneralName::Directory(q)) => p.matches(q),
            _ => x == y,
        })
    })
}

fn directory_names(v: &[GeneralName]) -> impl Iterator<Item = &Name> {
    v.iter().filter_map(|g| match g {
        GeneralName::Directory(n) => Some(n),
        _ => None,
    })
}

/// RFC 5280 §6.3.3 (b)(1): the CRL issuer.
fn crl_issuer_matches(crl: &Crl, dp: &DistributionPoint, cert: &Certificate) -> bool {
    match &dp.crl_issuer {
        Some(names) => crl.is_indirect() && directory_names(names).any(|n| n.matches(&crl.issuer)),
        None => crl.issuer.matches(&cert.issuer),
    }
}

/// RFC 5280 §6.3.3 (b)(2): the CRL's scope (issuing distribution point).
fn crl_scope_matches(crl: &Crl, dp: &DistributionPoint, cert: &Certificate) -> bool {
    let Some(idp) = &crl.issuing_distribution_point else {
        return true;
    };
    // (b)(2)(i)
    if let Some(idp_name) = &idp.distribution_point {
        let idp_names = idp_name.names(&crl.issuer);
        let ok = match (&dp.name, &dp.crl_issuer) {
            (Some(dpn), issuer) => {
                let base = issuer
                    .as_deref()
                    .and_then(|v| directory_names(v).next())
                    .unwrap_or(&cert.issuer);
                general_names_intersect(&idp_names, &dpn.names(base))
            }
            (None, Some(issuers)) => general_names_intersect(&idp_names, issuers),
            (None, None) => {
                general_names_intersect(&idp_names, &[GeneralName::Directory(cert.issuer.clone())])
            }
        };
        if !ok {
            return false;
        }
    }
    // (b)(2)(ii)-(iv)
    !(idp.only_contains_user_certs && is_ca(cert)
        || idp.only_contains_ca_certs && !is_ca(cert)
        || idp.only_contains_attribute_certs)
}

/// RFC 5280 §6.3.3 (d): interim_reasons_mask.
fn interim_reasons(crl: &Crl, dp: &DistributionPoint) -> ReasonFlags {
    let idp = crl
        .issuing_distribution_point
        .as_ref()
        .and_then(|i| i.only_some_reasons);
    match (idp, dp.reasons) {
        (Some(a), Some(b)) => a.intersect(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => ReasonFlags::ALL,
    }
}

/// RFC 5280 §6.3.3 (a): usable at `time` unless its nextUpdate has passed; without nextUpdate
/// only as [`RevocationFreshness`] allows. A CRL issued after `time` is usable (validation at a
/// past time, e.g. a time-stamp).
fn is_fresh(crl: &Crl, time: OffsetDateTime, freshness: &RevocationFreshness) -> bool {
    freshness.accepts(crl.this_update, crl.next_update, time)
}

fn hex(b: &[u8]) -> String {
    if b.is_empty() {
        return "0".into();
    }
    b.iter().map(|x| format!("{x:02X}")).collect()
}

impl<'a> Ctx<'a> {
    /// RFC 5280 §6.3.3 for `path[idx]`; its issuer is `path[idx + 1]`.
    fn check_revocation(
        &self,
        path: &[&'a Certificate],
        idx: usize,
        nesting: usize,
    ) -> Result<RevocationStatus, PathError> {
        let cert = path[idx];
        let time = self.inputs.time;
        let mut dps = crl_distribution_points(cert).map_err(malformed(idx))?;
        if dps.is_empty() {
            // No cRLDistributionPoints: the issuer's CRLs, all reasons.
            dps.push(DistributionPoint::default());
        }
        dps.truncate(MAX_DISTRIBUTION_POINTS);
        let mut reasons_mask = ReasonFlags::default();
        let mut in_scope = false;
        let mut stale = false;
        let mut problems: Vec<String> = Vec::new();
        let mut source: Option<&Crl> = None;
        for dp in &dps {
            for crl in self.inputs.crls.iter().filter(|c| !c.is_delta()) {
                if reasons_mask.contains_all(ReasonFlags::ALL) {
                    break;
                }
                if !crl_issuer_matches(crl, dp, cert) || !crl_scope_matches(crl, dp, cert) {
                    continue;
                }
                in_scope = true;
                let interim = interim_reasons(crl, dp);
                // RFC 5280 §6.3.3 (e).
                if reasons_mask.contains_all(interim) {
                    continue;
                }
                // RFC 5280 §6.3.3 (a)(1): freshness.
                if !is_fresh(crl, time, &self.inputs.freshness) {
                    stale = true;
                    continue;
                }
                if crl.has_unknown_critical_extension() {
                    problems.push("the CRL has an unsupported critical extension".into());
                    continue;
                }
                // RFC 5280 §6.3.3 (f), (g).
                if let Err(p) = self.find_crl_signer(crl, path, idx, nesting) {
                    problems.push(p);
                    continue;
                }
                // RFC 5280 §6.3.3 (c), (h).
                let delta = match self.find_delta(crl, path, idx, nesting) {
                    Ok(d) => d,
                    Err(p) => {
                        problems.push(p);
                        continue;
                    }
                };
                // RFC 5280 §6.3.3 (i), (j), (k).
                let entry = delta
                    .and_then(|d| d.find_entry(&cert.serial, &cert.issuer))
                    .or_else(|| crl.find_entry(&cert.serial, &cert.issuer));
                if let Some(e) = entry {
                    let reason = e.reason.unwrap_or(RevocationReason::Unspecified);
                    // Revoked after `time` (invalidityDate when given): still valid then.
                    let effective = e
                        .invalidity_date
                        .map_or(e.revocation_date, |d| d.min(e.revocation_date));
                    if reason != RevocationReason::RemoveFromCrl && effective <= time {
                        return Err(PathError::Revoked {
                            index: idx,
                            reason,
                            date: e.revocation_date,
                        });
                    }
                }
                // RFC 5280 §6.3.3 (l).
                reasons_mask = reasons_mask.union(interim);
                source = Some(crl);
            }
        }
        if reasons_mask.contains_all(ReasonFlags::ALL) {
            if let Some(crl) = source {
                return Ok(RevocationStatus::Good {
                    crl_issuer: crl.issuer.to_rfc4514(),
                    crl_number: crl.crl_number.as_deref().map(hex),
                    this_update: crl.this_update,
                });
            }
        }
        if self.inputs.revocation == RevocationMode::IfAvailable && !in_scope {
            return Ok(RevocationStatus::NotChecked);
        }
        if stale && problems.is_empty() && reasons_mask == ReasonFlags::default() {
            return Err(PathError::StaleRevocationInfo { index: idx });
        }
        let detail = if problems.is_empty() {
            if in_scope {
                "the CRLs given do not cover every revocation reason".to_string()
            } else {
                "no CRL for this certificate was given".to_string()
            }
        } else {
            problems.join("; ")
        };
        Err(PathError::RevocationUnknown { index: idx, detail })
    }

    /// RFC 5280 §6.3.3 (f), (g): a certificate whose key signed `crl`, allowed to sign
    /// CRLs and validated to a trust anchor.
    fn find_crl_signer(
        &self,
        crl: &Crl,
        path: &[&'a Certificate],
        idx: usize,
        nesting: usize,
    ) -> Result<&'a Certificate, String> {
        let mut cands: Vec<(&'a Certificate, bool)> = Vec::new();
        for &c in &path[idx + 1..] {
            cands.push((c, true));
        }
        for c in self.inputs.anchors.iter() {
            cands.push((c, true));
        }
        for c in self.inputs.intermediates.iter() {
            cands.push((c, false));
        }
        cands.retain(|(c, _)| c.subject.matches(&crl.issuer));
        let aki_match = |c: &Certificate| match (&crl.authority_key_id, &c.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => false,
        };
        cands.sort_by_key(|(c, trusted)| (!aki_match(c), !trusted));
        let mut problem = "no certificate of the CRL issuer verifies its signature".to_string();
        let mut tried: Vec<&[u8]> = Vec::new();
        for (cand, trusted) in cands {
            if tried.contains(&cand.der.as_slice()) {
                continue;
            }
            tried.push(&cand.der);
            if cand.key_usage.is_some_and(|k| !k.crl_sign) {
                problem = "the CRL issuer's certificate does not allow cRLSign".into();
                continue;
            }
            match self.check_signature(&crl.signature_algorithm, cand, &crl.tbs_der, &crl.signature)
            {
                Ok(())
                    if crl.tbs_signature_algorithm == crl.signature_algorithm
                        && crl.signature_unused_bits == 0 => {}
                Ok(()) | Err(SigFail::Bad) => continue,
                Err(SigFail::Algorithm(a)) => {
                    problem = format!("CRL signature: {a}");
                    continue;
                }
                Err(SigFail::Budget) => return Err("too many signature checks".into()),
            }
            if trusted || self.crl_signers_in_progress.borrow().contains(&cand.der) {
                return Ok(cand);
            }
            if nesting >= MAX_NESTING {
                problem = "the CRL signer's path is nested too deeply".into();
                continue;
            }
            self.crl_signers_in_progress
                .borrow_mut()
                .push(cand.der.clone());
            let r = self.validate(
                cand,
                &PolicyInputs::default(),
                EndEntityUsage::Any,
                nesting + 1,
            );
            self.crl_signers_in_progress.borrow_mut().pop();
            match r {
                Ok(_) => return Ok(cand),
                Err(e) => problem = format!("the CRL signer's certificate: {e}"),
            }
        }
        Err(problem)
    }

    /// RFC 5280 §6.3.3 (c), (a)(2), (h): the newest delta CRL for `complete`, if any.
    fn find_delta(
        &self,
        complete: &'a Crl,
        path: &[&'a Certificate],
        idx: usize,
        nesting: usize,
    ) -> Result<Option<&'a Crl>, String> {
        let Some(number) = complete.crl_number.as_deref() else {
            return Ok(None);
        };
        let idp_der = |c: &Crl| c.issuing_distribution_point.as_ref().map(|i| i.der.clone());
        let delta = self
            .inputs
            .crls
            .iter()
            .filter(|d| {
                let (Some(base), Some(dn)) = (d.delta_base.as_deref(), d.crl_number.as_deref())
                else {
                    return false;
                };
                // (c)(1)-(3): same issuer, same scope, same authority key.
                d.issuer.matches(&complete.issuer)
                    && idp_der(d) == idp_der(complete)
                    && match (&d.authority_key_id, &complete.authority_key_id) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
                    // RFC 5280 §5.2.4: base ≤ complete number < delta number.
                    && cmp_unsigned(base, number).is_le()
                    && cmp_unsigned(dn, number).is_gt()
            })
            .max_by(|a, b| {
                cmp_unsigned(
                    a.crl_number.as_deref().unwrap_or_default(),
                    b.crl_number.as_deref().unwrap_or_default(),
                )
            });
        let Some(d) = delta else {
            return Ok(None);
        };
        if !is_fresh(d, self.inputs.time, &self.inputs.freshness) {
            return Err("the delta CRL is out of date".into());
        }
        if d.has_unknown_critical_extension() {
            return Err("the delta CRL has an unsupported critical extension".into());
        }
        self.find_crl_signer(d, path, idx, nesting)
            .map_err(|p| format!("delta CRL: {p}"))?;
        Ok(Some(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{openssl, standard_chain, Issued, Key, Pki};

    #[test]
    fn standard_chain_validates() {
        let pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::P256);
        let anchors = [root.cert.clone()];
        let inters = [int.cert.clone()];
        let mut inputs = ValidationInputs::new(&anchors, OffsetDateTime::now_utc());
        inputs.intermediates = &inters;
        inputs.end_entity_usage = EndEntityUsage::Signing;
        let v = validate_path(&leaf.cert, &inputs).unwrap();
        assert_eq!(v.certificates.len(), 3);
        assert_eq!(v.revocation[0], RevocationStatus::NotChecked);
        assert_eq!(v.revocation[2], RevocationStatus::TrustAnchor);

        inputs.revocation = RevocationMode::Required;
        assert!(matches!(
            validate_path(&leaf.cert, &inputs),
            Err(PathError::RevocationUnknown { index: 1, .. })
        ));

        inputs.revocation = RevocationMode::Off;
        inputs.time = OffsetDateTime::now_utc() + time::Duration::days(4000);
        assert!(matches!(
            validate_path(&leaf.cert, &inputs),
            Err(PathError::Expired { .. })
        ));
        inputs.time = OffsetDateTime::now_utc();
        inputs.intermediates = &[];
        assert_eq!(
            validate_path(&leaf.cert, &inputs).unwrap_err(),
            PathError::NoPathToTrustAnchor
        );
    }

    /// A CRL of `issuer` (a P-384 key) with thisUpdate `this_update` and no nextUpdate,
    /// signed with openssl.
    fn crl_without_next_update(pki: &Pki, issuer: &Issued, this_update: OffsetDateTime) -> Crl {
        crl_signed(pki, issuer, this_update, false)
    }

    /// As [`crl_without_next_update`], signed with ECDSA/SHA-384 or (`rsa`) RSA/SHA-256.
    fn crl_signed(pki: &Pki, issuer: &Issued, this_update: OffsetDateTime, rsa: bool) -> Crl {
        use crate::asn1::writer as w;
        let t = this_update.to_offset(time::UtcOffset::UTC);
        let gt = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        let alg = if rsa {
            w::sequence(&[&w::oid("1.2.840.113549.1.1.11").unwrap(), &w::null()])
        } else {
            w::sequence(&[&w::oid("1.2.840.10045.4.3.3").unwrap()])
        };
        let tbs = w::sequence(&[
            &w::integer_u64(1),
            &alg,
            &issuer.cert.subject.der,
            &w::tlv(0x18, gt.as_bytes()),
        ]);
        std::fs::write(pki.path("tbs.der"), &tbs).unwrap();
        let key = issuer.key.to_str().unwrap();
        let md = if rsa { "-sha256" } else { "-sha384" };
        let args = ["dgst", md, "-sign", key, "-out", "sig.der", "tbs.der"];
        openssl(pki.dir.path(), &args);
        let sig = std::fs::read(pki.path("sig.der")).unwrap();
        Crl::from_der(&w::sequence(&[&tbs, &alg, &w::bit_string(&sig)])).unwrap()
    }

    /// Issue 20 item 2: a CRL without nextUpdate counts only within the maximum age and when
    /// issued after the signing time.
    #[test]
    fn crl_without_next_update_is_fresh_only_for_a_while() {
        let pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::P256);
        let now = OffsetDateTime::now_utc();
        let crls = [crl_without_next_update(&pki, &int, now)];
        assert_eq!(crls[0].next_update, None);
        let anchors = [root.cert.clone()];
        let inters = [int.cert.clone()];
        let mut inputs = ValidationInputs::new(&anchors, now + time::Duration::hours(1));
        inputs.intermediates = &inters;
        inputs.crls = &crls;
        let v = validate_path(&leaf.cert, &inputs).unwrap();
        assert!(matches!(v.revocation[0], RevocationStatus::Good { .. }));
        // Older than the maximum age at the validation time.
        inputs.time = now + DEFAULT_MAX_REVOCATION_AGE + time::Duration::hours(1);
        assert_eq!(
            validate_path(&leaf.cert, &inputs).unwrap_err(),
            PathError::StaleRevocationInfo { index: 0 }
        );
        // Issued before the signing time.
        inputs.time = now + time::Duration::hours(2);
        inputs.freshness.issued_after = Some(now + time::Duration::hours(1));
        assert_eq!(
            validate_path(&leaf.cert, &inputs).unwrap_err(),
            PathError::StaleRevocationInfo { index: 0 }
        );
    }

    /// Issue 20 items 3 and 4: short keys anywhere, and the document-signing EKU allow-list.
    #[test]
    fn short_keys_and_signer_purposes() {
        let pki = Pki::new();
        let (root, int, _) = standard_chain(&pki, Key::P256);
        let weak = pki.issue("weak", Key::Rsa1024, "/CN=Khóa Ngắn", &int, false, 9);
        let anchors = [root.cert.clone()];
        let inters = [int.cert.clone()];
        // An hour ahead: the certificates issued below are valid by then.
        let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
        let mut inputs = ValidationInputs::new(&anchors, later);
        inputs.intermediates = &inters;
        inputs.end_entity_usage = EndEntityUsage::Signing;
        let e = validate_path(&weak.cert, &inputs).unwrap_err();
        assert!(is_weak_key(&e), "{e}");
        assert!(e.to_string().contains("Khóa Ngắn"), "{e}");
        let p224 = pki.issue("p224", Key::P224, "/CN=Đường Cong Nhỏ", &int, false, 12);
        let e = validate_path(&p224.cert, &inputs).unwrap_err();
        assert!(is_weak_key(&e), "{e}");
        assert!(e.to_string().contains("224-bit EC key"), "{e}");
        // An OCSP-signing-only certificate cannot sign documents; emailProtection can.
        let ocsp = pki.ocsp_responder("ocsp-only", Key::P256, &int, 10);
        let e = validate_path(&ocsp.cert, &inputs).unwrap_err();
        assert!(
            matches!(&e, PathError::KeyUsage { index: 0, detail } if detail.contains("OCSPSigning")),
            "{e}"
        );
        let leaf = pki.issue("email", Key::P256, "/CN=Thư", &int, false, 11);
        assert!(validate_path(&leaf.cert, &inputs).is_ok());
        inputs.end_entity_usage = EndEntityUsage::Any;
        assert!(validate_path(&ocsp.cert, &inputs).is_ok());

        // A CRL signed by another key of the same CA name, a 1024-bit one (key rollover).
        let crl_key = pki.issue(
            "int-crl",
            Key::Rsa1024,
            "/C=VN/O=Bộ Thử Nghiệm/CN=Intermediate CA",
            &root,
            true,
            13,
        );
        let crls = [crl_signed(&pki, &crl_key, later, true)];
        let inters = [int.cert.clone(), crl_key.cert.clone()];
        inputs.intermediates = &inters;
        inputs.crls = &crls;
        let e = validate_path(&leaf.cert, &inputs).unwrap_err();
        assert!(is_weak_key(&e), "{e}");
        assert!(e.to_string().contains("1024-bit RSA key"), "{e}");
    }

    #[test]
    fn uri_hosts_and_domains() {
        assert_eq!(
            host_of_uri("http://user@Host.Example.com:80/x").as_deref(),
            Some("host.example.com")
        );
        assert_eq!(host_of_uri("urn:x"), None);
        assert!(domain_within("a.example.com", "example.com"));
        assert!(!domain_within("badexample.com", "example.com"));
        assert!(domain_within("a.example.com", ".example.com"));
        assert!(!domain_within("example.com", ".example.com"));
    }
}
