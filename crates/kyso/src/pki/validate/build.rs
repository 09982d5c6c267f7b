//! Path building: candidate issuers by name chaining (AKI/SKI matches first), bounded depth
//! and a bounded budget of signature checks; every complete candidate is validated.

use super::*;

#[derive(Clone, Debug)]
pub(super) enum SigFail {
    Bad,
    Algorithm(String),
    Budget,
}

pub(super) struct Ctx<'a> {
    pub(super) inputs: &'a ValidationInputs<'a>,
    pub(super) sig_budget: Cell<usize>,
    pub(super) steps: Cell<usize>,
    /// (child, issuer) by address → outcome.
    pub(super) sig_cache: RefCell<HashMap<(usize, usize), Result<(), SigFail>>>,
    /// DER of CRL-signer certificates whose paths are being validated (cycle guard).
    pub(super) crl_signers_in_progress: RefCell<Vec<Vec<u8>>>,
}

/// Keeps the most specific error seen.
pub(super) fn keep_best(best: &mut Option<PathError>, e: PathError) {
    if best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
        *best = Some(e);
    }
}

pub(super) fn is_anchor(inputs: &ValidationInputs<'_>, c: &Certificate) -> bool {
    inputs.anchors.iter().any(|a| a.der == c.der)
}

impl<'a> Ctx<'a> {
    pub(super) fn validate(
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
    pub(super) fn issuer_candidates(
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
    pub(super) fn build(
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
    pub(super) fn check_signature(
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

    pub(super) fn check_cert_signature(
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
    pub(super) fn algorithm_allowed(
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
    pub(super) fn validate_candidate(
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

// RFC 5280 §6.1: the path processing state machine.
