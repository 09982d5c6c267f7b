//! RFC 5280 §6.1.5: wrap-up procedure for the target certificate.

use super::*;

/// RFC 5280 §6.1.5: wrap-up procedure for the target certificate.
pub(super) fn wrap_up(
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

// Certificate policies (RFC 5280 §4.2.1.4, §4.2.1.5, §4.2.1.11, §6.1.3 (d)).
