//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).

use super::*;

pub(super) struct NameConstraints {
    pub(super) permitted: Option<Vec<GeneralName>>,
    pub(super) excluded: Vec<GeneralName>,
}

pub(super) fn parse_subtrees(el: &Element<'_>) -> crate::error::Result<Vec<GeneralName>> {
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

pub(super) fn parse_name_constraints(v: &[u8]) -> crate::error::Result<NameConstraints> {
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
pub(super) struct NameConstraintState {
    pub(super) permitted: Vec<Vec<GeneralName>>,
    pub(super) excluded: Vec<GeneralName>,
    pub(super) total: usize,
}

pub(super) fn same_form(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::Other { tag: x, .. }, GeneralName::Other { tag: y, .. }) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

pub(super) fn host_of_uri(uri: &str) -> Option<String> {
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

pub(super) fn domain_within(name: &str, base: &str) -> bool {
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
pub(super) fn within(name: &GeneralName, base: &GeneralName) -> Option<bool> {
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
pub(super) fn constrained_names(
    cert: &Certificate,
    index: usize,
) -> Result<Vec<GeneralName>, PathError> {
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

pub(super) fn describe(n: &GeneralName) -> String {
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
    pub(super) fn add(&mut self, nc: NameConstraints, index: usize) -> Result<(), PathError> {
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

    pub(super) fn check(&self, cert: &Certificate, index: usize) -> Result<(), PathError> {
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

// Revocation with CRLs (RFC 5280 §6.3).
