//! RFC 5280 §6.1.3: basic certificate processing.

use super::*;

/// RFC 5280 §6.1.3: basic certificate processing of certificate `i` (path position `index`).
pub(super) fn basic_certificate_processing(
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
