//! Certification path building (RFC 4158 style depth-first search). Only name
//! chaining and signatures are checked here (RFC 5280 §6.1.3 (a)(1),(a)(4));
//! validity periods, key usage and policies are judged elsewhere.

use std::collections::HashMap;

use super::certificate::Certificate;

/// Longest path considered, signer and anchor included.
pub const MAX_CHAIN_DEPTH: usize = 8;
/// Total signature verifications allowed for one search.
pub const MAX_SIGNATURE_CHECKS: usize = 100;
const MAX_PROBLEMS: usize = 20;

/// Result of [`build_chain`].
#[derive(Clone, Debug)]
pub struct ChainOutcome {
    /// Signer first, then each issuer; ends with the anchor when trusted,
    /// otherwise the longest verified partial path.
    pub path: Vec<Certificate>,
    /// Index into `anchors` of the trust anchor that ends the path.
    pub trusted_anchor: Option<usize>,
    /// Why a path could not be completed (empty when trusted at first try).
    pub problems: Vec<String>,
}

struct Search<'a> {
    signer: &'a Certificate,
    nodes: Vec<(&'a Certificate, Option<usize>)>,
    budget: usize,
    exhausted: bool,
    cache: HashMap<(usize, usize), bool>,
    best: Vec<usize>,
    problems: Vec<String>,
}

const SIGNER: usize = usize::MAX;

impl<'a> Search<'a> {
    fn cert(&self, id: usize) -> &'a Certificate {
        if id == SIGNER {
            self.signer
        } else {
            self.nodes[id].0
        }
    }

    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS && !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    fn same_entity(a: &Certificate, b: &Certificate) -> bool {
        a.der == b.der || (a.subject.der == b.subject.der && a.spki_der == b.spki_der)
    }

    fn dfs(&mut self, cur: usize, path: &mut Vec<usize>) -> Option<usize> {
        if path.len() > self.best.len() {
            self.best = path.clone();
        }
        let cert = self.cert(cur);
        if path.len() + 1 >= MAX_CHAIN_DEPTH {
            self.problem(format!(
                "path longer than {MAX_CHAIN_DEPTH} certificates at \"{}\"",
                cert.subject
            ));
            return None;
        }
        let in_path = |c: &Certificate, path: &[usize], s: &Self| {
            Self::same_entity(c, s.signer) || path.iter().any(|&p| Self::same_entity(c, s.cert(p)))
        };
        let mut cands: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                let c = self.nodes[i].0;
                c.subject.matches(&cert.issuer) && !in_path(c, path, self)
            })
            .collect();
        // Prefer an AKI/SKI match, then trust anchors.
        cands.sort_by_key(|&i| {
            let (c, anchor) = self.nodes[i];
            let key_match = match (&cert.authority_key_id, &c.subject_key_id) {
                (Some(a), Some(s)) => a == s,
                _ => false,
            };
            (!key_match, anchor.is_none())
        });
        if cands.is_empty() {
            let msg = if cert.is_self_issued() {
                format!(
                    "self-issued certificate \"{}\" is not a trust anchor",
                    cert.subject
                )
            } else {
                format!(
                    "no issuer certificate found for \"{}\" (issuer \"{}\")",
                    cert.subject, cert.issuer
                )
            };
            self.problem(msg);
            return None;
        }
        for i in cands {
            let ok = match self.cache.get(&(cur, i)) {
                Some(&ok) => ok,
                None => {
                    if self.budget == 0 {
                        self.exhausted = true;
                        return None;
                    }
                    self.budget -= 1;
                    let r = cert.verify_issued_by(self.nodes[i].0);
                    if let Err(e) = &r {
                        let msg = format!(
                            "\"{}\" is not verified by \"{}\": {e}",
                            cert.subject, self.nodes[i].0.subject
                        );
                        self.problem(msg);
                    }
                    self.cache.insert((cur, i), r.is_ok());
                    r.is_ok()
                }
            };
            if !ok {
                continue;
            }
            path.push(i);
            if let Some(a) = self.nodes[i].1 {
                return Some(a);
            }
            if let Some(a) = self.dfs(i, path) {
                return Some(a);
            }
            if self.exhausted {
                return None;
            }
            path.pop();
        }
        None
    }
}

/// Builds a path from `signer` to one of `anchors`, using `pool` (e.g. the CMS
/// certificates) as intermediates. Depth-first, AKI/SKI matches first, with loop
/// prevention, a depth limit ([`MAX_CHAIN_DEPTH`]) and a work budget
/// ([`MAX_SIGNATURE_CHECKS`]). A path is trusted when a certificate is issued by
/// an anchor or is itself an anchor (same encoding, or same subject and key).
pub fn build_chain(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
) -> ChainOutcome {
    if let Some(i) = anchors.iter().position(|a| Search::same_entity(a, signer)) {
        return ChainOutcome {
            path: vec![signer.clone()],
            trusted_anchor: Some(i),
            problems: Vec::new(),
        };
    }
    let mut nodes: Vec<(&Certificate, Option<usize>)> = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        if !nodes.iter().any(|(n, _)| n.der == a.der) {
            nodes.push((a, Some(i)));
        }
    }
    for c in pool {
        let dup = c.der == signer.der
            || nodes.iter().any(|(n, anchor)| {
                n.der == c.der || (anchor.is_some() && Search::same_entity(n, c))
            });
        if !dup {
            nodes.push((c, None));
        }
    }
    let mut s = Search {
        signer,
        nodes,
        budget: MAX_SIGNATURE_CHECKS,
        exhausted: false,
        cache: HashMap::new(),
        best: Vec::new(),
        problems: Vec::new(),
    };
    let mut path = Vec::new();
    let found = s.dfs(SIGNER, &mut path);
    let ids = if found.is_some() {
        path
    } else {
        s.best.clone()
    };
    if s.exhausted {
        s.problem(format!(
            "path building stopped after {MAX_SIGNATURE_CHECKS} signature checks"
        ));
    }
    if found.is_none() {
        s.problem("no path to a trust anchor".to_string());
    }
    let mut out = vec![signer.clone()];
    out.extend(ids.iter().map(|&i| s.nodes[i].0.clone()));
    ChainOutcome {
        path: out,
        trusted_anchor: found,
        problems: s.problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{standard_chain, Key, Pki};

    #[test]
    fn root_intermediate_leaf() {
        let pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::Rsa2048);
        let out = build_chain(
            &leaf.cert,
            std::slice::from_ref(&int.cert),
            std::slice::from_ref(&root.cert),
        );
        assert_eq!(out.trusted_anchor, Some(0), "{:?}", out.problems);
        assert_eq!(out.path.len(), 3);
        assert_eq!(out.path[1].der, int.cert.der);
        assert_eq!(out.path[2].der, root.cert.der);

        // Missing intermediate: untrusted, partial path is just the signer.
        let out = build_chain(&leaf.cert, &[], std::slice::from_ref(&root.cert));
        assert_eq!(out.trusted_anchor, None);
        assert_eq!(out.path.len(), 1);
        assert!(!out.problems.is_empty());

        // The intermediate as anchor; the signer itself as anchor.
        let out = build_chain(&leaf.cert, &[], std::slice::from_ref(&int.cert));
        assert_eq!((out.trusted_anchor, out.path.len()), (Some(0), 2));
        let out = build_chain(&leaf.cert, &[], &[root.cert.clone(), leaf.cert.clone()]);
        assert_eq!((out.trusted_anchor, out.path.len()), (Some(1), 1));

        // Pool containing the root too, anchors elsewhere: untrusted, longest path kept.
        let other = pki.root("other", Key::P256, "/CN=Other");
        let out = build_chain(
            &leaf.cert,
            &[root.cert.clone(), int.cert.clone()],
            std::slice::from_ref(&other.cert),
        );
        assert_eq!(out.trusted_anchor, None);
        assert_eq!(out.path.len(), 3);
    }

    #[test]
    fn cross_signed_loop_stays_bounded() {
        let pki = Pki::new();
        let names = ["A", "B", "C"];
        let cas: Vec<_> = names
            .iter()
            .map(|n| pki.root(n, Key::P256, &format!("/CN=CA {n}")))
            .collect();
        // Each CA cross-signed by each other CA.
        let mut pool = Vec::new();
        let mut serial = 100;
        for (i, n) in names.iter().enumerate() {
            pki.csr_for(n, &cas[i].key, &format!("/CN=CA {n}"));
            for (j, m) in names.iter().enumerate() {
                if i != j {
                    serial += 1;
                    let x = pki.sign_csr(
                        &format!("{n}by{m}"),
                        &format!("{n}.csr"),
                        &cas[j],
                        true,
                        serial,
                    );
                    pool.push(x.cert);
                }
            }
            pool.push(cas[i].cert.clone());
        }
        let leaf = pki.issue("leaf", Key::P256, "/CN=Leaf", &cas[0], false, 1);
        let start = std::time::Instant::now();
        let out = build_chain(&leaf.cert, &pool, &[]);
        assert_eq!(out.trusted_anchor, None);
        assert!(out.path.len() <= MAX_CHAIN_DEPTH);
        assert!(start.elapsed().as_secs() < 5);
        // With C as the anchor, a trusted path is found through the loop.
        let out = build_chain(&leaf.cert, &pool, &[cas[2].cert.clone()]);
        assert_eq!(out.trusted_anchor, Some(0), "{:?}", out.problems);
        assert_eq!(
            out.path.last().unwrap().subject.common_name().unwrap(),
            "CA C"
        );
    }
}
