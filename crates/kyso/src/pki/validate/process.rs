//! RFC 5280 §6.1.2: the state variables, their initialisation, and the run of §6.1.3–§6.1.5
//! over one candidate path; the extensions this module understands (§6.1.4 (o)).

use super::*;

/// Extensions processed by this module (RFC 5280 §6.1.4 (o), §6.1.5 (f)).
pub(super) const UNDERSTOOD_EXTENSIONS: &[&str] = &[
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

pub(super) fn ext_value<'c>(cert: &'c Certificate, oid_s: &str) -> Option<&'c [u8]> {
    cert.extensions
        .iter()
        .find(|e| e.oid == oid_s)
        .map(|e| e.value.as_slice())
}

pub(super) fn malformed(index: usize) -> impl Fn(crate::error::Error) -> PathError {
    move |e| PathError::Malformed {
        index,
        detail: e.to_string(),
    }
}

/// The §6.1.2 state variables.
pub(super) struct State {
    pub(super) tree: Option<PolicyTree>,
    pub(super) nc: NameConstraintState,
    pub(super) explicit_policy: usize,
    pub(super) inhibit_any_policy: usize,
    pub(super) policy_mapping: usize,
    pub(super) max_path_length: usize,
}

/// Runs §6.1.2–§6.1.5 over `path` (target first, anchor last). Returns the valid policies.
pub(super) fn process_path(
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

/// A u64 too large for usize (only on 32-bit targets) saturates: a pathLenConstraint or
/// policy skip count that large cannot be reached by a path of at most MAX_PATH_LEN anyway.
pub(super) fn clamp(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

pub(super) fn check_critical_extensions(cert: &Certificate, index: usize) -> Result<(), PathError> {
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
