//! RFC 5280 §6.1.4: preparation for the next certificate.

use super::*;

/// RFC 5280 §6.1.4: preparation for certificate `i + 1`.
pub(super) fn prepare_for_next(
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
