//! Certificate policies (RFC 5280 §4.2.1.4, §4.2.1.5, §4.2.1.11): the valid_policy_tree of
//! §6.1.2 (a) and its processing in §6.1.3 (d)-(f), §6.1.4 (a)-(b), §6.1.5 (g).

use super::*;

pub(super) fn seq_children<'b>(v: &'b [u8], what: &str) -> crate::error::Result<Reader<'b>> {
    let el = Reader::new(v).read_single()?;
    el.expect_universal(tag::SEQUENCE, what)?;
    el.children()
}

/// certificatePolicies: the policy OIDs (qualifiers are not interpreted).
pub(super) fn parse_certificate_policies(v: &[u8]) -> crate::error::Result<Vec<String>> {
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
pub(super) fn parse_policy_mappings(v: &[u8]) -> crate::error::Result<Vec<(String, String)>> {
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
pub(super) fn parse_policy_constraints(
    v: &[u8],
) -> crate::error::Result<(Option<usize>, Option<usize>)> {
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
pub(super) struct PolicyNode {
    pub(super) depth: usize,
    pub(super) policy: String,
    pub(super) expected: Vec<String>,
    pub(super) parent: Option<usize>,
    pub(super) alive: bool,
}

/// The valid_policy_tree (RFC 5280 §6.1.2 (a)) as an arena; deleted nodes stay, dead.
#[derive(Clone, Debug)]
pub(super) struct PolicyTree {
    pub(super) nodes: Vec<PolicyNode>,
}

impl PolicyTree {
    pub(super) fn new() -> Self {
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

    pub(super) fn is_null(&self) -> bool {
        !self.nodes[0].alive
    }

    pub(super) fn at_depth(&self, d: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].alive && self.nodes[i].depth == d)
            .collect()
    }

    pub(super) fn children(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len())
            .filter(move |&i| self.nodes[i].alive && self.nodes[i].parent == Some(p))
    }

    pub(super) fn add(
        &mut self,
        parent: usize,
        policy: &str,
        expected: Vec<String>,
    ) -> Result<(), String> {
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

    pub(super) fn delete_subtree(&mut self, i: usize) {
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            if self.nodes[x].alive {
                self.nodes[x].alive = false;
                stack.extend(self.children(x).collect::<Vec<_>>());
            }
        }
    }

    /// Deletes childless nodes of depth < `below`, deepest first, until none remain.
    pub(super) fn prune(&mut self, below: usize) {
        for d in (0..below).rev() {
            for i in self.at_depth(d) {
                if self.children(i).next().is_none() {
                    self.nodes[i].alive = false;
                }
            }
        }
    }

    /// RFC 5280 §6.1.3 (d) for certificate `i` with policies `pols`.
    pub(super) fn process_policies(
        &mut self,
        i: usize,
        pols: &[String],
        any_ok: bool,
    ) -> Result<(), String> {
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
    pub(super) fn apply_mappings(
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
    pub(super) fn intersect(&mut self, n: usize, user: &[String]) -> Result<(), String> {
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

    pub(super) fn leaf_policies(&self, n: usize) -> Vec<String> {
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

// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
