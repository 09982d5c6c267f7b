//! Revocation with CRLs (RFC 5280 §6.3): scope, reasons, delta CRLs, the CRL signer's path.

use super::*;

pub(super) fn is_ca(cert: &Certificate) -> bool {
    cert.basic_constraints.is_some_and(|b| b.ca)
}

pub(super) fn general_names_intersect(a: &[GeneralName], b: &[GeneralName]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (GeneralName::Directory(p), GeneralName::Directory(q)) => p.matches(q),
            _ => x == y,
        })
    })
}

pub(super) fn directory_names(v: &[GeneralName]) -> impl Iterator<Item = &Name> {
    v.iter().filter_map(|g| match g {
        GeneralName::Directory(n) => Some(n),
        _ => None,
    })
}

/// RFC 5280 §6.3.3 (b)(1): the CRL issuer.
pub(super) fn crl_issuer_matches(crl: &Crl, dp: &DistributionPoint, cert: &Certificate) -> bool {
    match &dp.crl_issuer {
        Some(names) => crl.is_indirect() && directory_names(names).any(|n| n.matches(&crl.issuer)),
        None => crl.issuer.matches(&cert.issuer),
    }
}

/// RFC 5280 §6.3.3 (b)(2): the CRL's scope (issuing distribution point).
pub(super) fn crl_scope_matches(crl: &Crl, dp: &DistributionPoint, cert: &Certificate) -> bool {
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
pub(super) fn interim_reasons(crl: &Crl, dp: &DistributionPoint) -> ReasonFlags {
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
pub(super) fn is_fresh(crl: &Crl, time: OffsetDateTime, freshness: &RevocationFreshness) -> bool {
    freshness.accepts(crl.this_update, crl.next_update, time)
}

pub(super) fn hex(b: &[u8]) -> String {
    if b.is_empty() {
        return "0".into();
    }
    b.iter().map(|x| format!("{x:02X}")).collect()
}

impl<'a> Ctx<'a> {
    /// RFC 5280 §6.3.3 for `path[idx]`; its issuer is `path[idx + 1]`.
    pub(super) fn check_revocation(
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
        // A bound on work: points past it are not searched, so their reasons stay uncovered
        // unless an earlier point's CRL covers them (RFC 5280 §6.3.3 (l)) — never a pass.
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
                // RFC 5280 §5.3.3: an entry for this serial whose issuer cannot be compared
                // might be this certificate's: the CRL does not clear it.
                if entry.is_none()
                    && (crl.has_unresolvable_entry(&cert.serial)
                        || delta.is_some_and(|d| d.has_unresolvable_entry(&cert.serial)))
                {
                    problems.push(
                        "a CRL entry for this serial number names its certificate issuer in a \
                         form that cannot be compared"
                            .into(),
                    );
                    continue;
                }
                if let Some(e) = entry {
                    // RFC 5280 §5.3.1: no reasonCode means unspecified (the entry still revokes).
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
    pub(super) fn find_crl_signer(
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
    pub(super) fn find_delta(
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
            // The filter above kept only deltas with a cRLNumber: the defaults are never used.
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
