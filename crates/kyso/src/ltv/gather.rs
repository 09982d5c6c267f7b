//! Gathering validation data (ETSI EN 319 142-1 §5.4.2): for every signature and time-stamp,
//! the certificate chain and a revocation answer (OCSP, else CRL) for each certificate that is
//! not a trust anchor — what a verifier needs years later, offline.

use time::OffsetDateTime;

use crate::asn1::oid;
use crate::crypto::{digest, DigestAlgorithm};
use crate::pdf::dss::read_dss;
use crate::pdf::Document;
use crate::pki::crl::Crl;
use crate::pki::ocsp::{check_ocsp, OcspResponse};
use crate::pki::Certificate;

use super::{tsa_certificate, Item, LtvOptions};

/// What one signature's validation needs: its VRI key and the indexes of its data.
#[derive(Clone, Debug, Default)]
pub(crate) struct VriEntry {
    pub key: String,
    /// Indexes into [`Gathered`]'s lists, or DER already in the DSS (by value).
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

/// New validation data (not yet in the document's DSS).
#[derive(Clone, Debug, Default)]
pub(crate) struct Gathered {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// Per-signature VRI dictionaries (only for signatures that got new data).
    pub vri: Vec<VriEntry>,
    /// Certificates left without revocation data.
    pub missing: Vec<String>,
    pub warnings: Vec<crate::sign::SignWarning>,
}

impl Gathered {
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.ocsps.is_empty() && self.crls.is_empty()
    }

    fn add(list: &mut Vec<Vec<u8>>, existing: &[Vec<u8>], der: &[u8]) {
        if !existing.iter().any(|e| e == der) && !list.iter().any(|e| e == der) {
            list.push(der.to_vec());
        }
    }
}

/// ETSI EN 319 142-1 §5.4.2.2: the VRI key of a signature is the upper-case hex SHA-1 of its
/// /Contents value (the whole string as stored, padding included).
pub fn signature_vri_key(contents: &[u8]) -> String {
    digest(DigestAlgorithm::Sha1, contents)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Collects what is missing from the DSS for every item of `items`.
pub(crate) fn gather(
    doc: &Document,
    items: &[Item],
    opts: &LtvOptions,
    now: OffsetDateTime,
) -> Gathered {
    // What is already embedded is only a source of evidence here (not re-fetched, not added
    // twice): an unreadable DSS or entry means more is fetched, and the verifier validates all
    // of it again (ETSI EN 319 102-1 §5.2.6). The DSS itself is rewritten by dss_update, which
    // reads it strictly.
    let dss = read_dss(doc).unwrap_or_default();
    let mut pool: Vec<Certificate> = opts.extra_certs.clone();
    pool.extend(
        dss.certs
            .iter()
            .filter_map(|c| Certificate::from_der(c).ok()),
    );
    let known_ocsps: Vec<(OcspResponse, bool)> = dss
        .ocsps
        .iter()
        .map(|o| (o, true))
        .chain(opts.ocsps.iter().map(|o| (o, false)))
        .filter_map(|(o, known)| OcspResponse::parse(o).ok().map(|r| (r, known)))
        .collect();
    // (DER, parsed, already in the document).
    let given_crls: Vec<(Vec<u8>, Crl, bool)> = dss
        .crls
        .iter()
        .map(|c| (c, true))
        .chain(opts.crls.iter().map(|c| (c, false)))
        .filter_map(|(c, known)| Crl::from_der(c).ok().map(|crl| (c.clone(), crl, known)))
        .collect();

    let mut out = Gathered::default();
    let mut done: Vec<Vec<u8>> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let label = || match item.entry.field_names.first() {
            Some(f) => format!("signature {} (field \"{f}\")", n + 1),
            None => format!("signature {}", n + 1),
        };
        if let Some(p) = &item.problem {
            out.missing.push(format!("{}: {p}", label()));
        }
        // Whose chains this item needs: its signer and its time-stamp's TSA.
        let mut leaves: Vec<(Certificate, Vec<Certificate>)> = Vec::new();
        if let Some(sd) = &item.signed_data {
            if !item.entry.is_document_timestamp() {
                match sd
                    .signer_infos
                    .first()
                    .and_then(|si| sd.signer_certificate(si))
                {
                    Some(cert) => leaves.push((cert.clone(), sd.certificates.clone())),
                    None => out.missing.push(format!(
                        "{}: its signer certificate is not in the CMS",
                        label()
                    )),
                }
            }
        }
        if let Some(token) = &item.timestamp {
            match tsa_certificate(token) {
                Some(cert) => leaves.push((cert.clone(), token.signed_data.certificates.clone())),
                None => out.missing.push(format!(
                    "{}: its time-stamp token does not hold the TSA certificate",
                    label()
                )),
            }
        }
        let mut vri = VriEntry {
            key: signature_vri_key(&item.entry.contents),
            ..VriEntry::default()
        };
        for (leaf, own) in leaves {
            let mut candidates = own;
            candidates.extend(pool.iter().cloned());
            let mut path = crate::pki::build_chain(&leaf, &candidates, &[]).path;
            if path.last().is_some_and(|c| !c.is_self_issued()) {
                if let Some(http) = &opts.http {
                    let mut more = candidates.clone();
                    let mut warnings = Vec::new();
                    let start = path.last().cloned().expect("non-empty");
                    if crate::verify::trust::fetch_ca_issuers(
                        &start,
                        &mut more,
                        http.as_ref(),
                        &mut warnings,
                    ) {
                        path = crate::pki::build_chain(&leaf, &more, &[]).path;
                    }
                    out.warnings.extend(warnings.into_iter().map(|n| match n {
                        crate::verify::note::Note::FetchFailed { detail } => {
                            crate::sign::SignWarning::FetchFailed { detail }
                        }
                        // Only download failures are noted there today; any other finding
                        // keeps its English words rather than being dropped.
                        other => crate::sign::SignWarning::FetchFailed {
                            detail: crate::text::notes::english(&other),
                        },
                    }));
                }
            }
            for (i, cert) in path.iter().enumerate() {
                vri.certs.push(cert.der.clone());
                Gathered::add(&mut out.certs, &dss.certs, &cert.der);
                if cert.is_self_issued() || done.contains(&cert.der) {
                    continue;
                }
                done.push(cert.der.clone());
                if cert.extensions.iter().any(|e| e.oid == oid::OCSP_NOCHECK) {
                    continue; // RFC 6960 §4.2.2.2.1: an OCSP responder needs no check.
                }
                let Some(issuer) = path.get(i + 1) else {
                    out.missing.push(format!(
                        "{} (its issuer's certificate was not found)",
                        cert.subject
                    ));
                    continue;
                };
                match revocation_for(cert, issuer, opts, now, &known_ocsps, &given_crls) {
                    Found::Ocsp(der, known) => {
                        vri.ocsps.push(der.clone());
                        if !known {
                            Gathered::add(&mut out.ocsps, &dss.ocsps, &der);
                        }
                    }
                    Found::Crl(der, known) => {
                        vri.crls.push(der.clone());
                        if !known {
                            Gathered::add(&mut out.crls, &dss.crls, &der);
                        }
                    }
                    Found::Nothing(why) => {
                        out.missing.push(format!("{} ({why})", cert.subject));
                    }
                }
            }
        }
        if !vri.certs.is_empty() {
            out.vri.push(vri);
        }
    }
    out
}

enum Found {
    /// The DER, and whether the document (or the caller) already had it.
    Ocsp(Vec<u8>, bool),
    Crl(Vec<u8>, bool),
    Nothing(String),
}

/// A revocation answer for `cert`: one the document already holds, else OCSP, else the CRL of
/// its distribution points (RFC 5280 §4.2.1.13).
fn revocation_for(
    cert: &Certificate,
    issuer: &Certificate,
    opts: &LtvOptions,
    now: OffsetDateTime,
    known_ocsps: &[(OcspResponse, bool)],
    given_crls: &[(Vec<u8>, Crl, bool)],
) -> Found {
    // A response or CRL that does not verify for this certificate is simply not reused; the
    // one chosen is validated again when the document is verified.
    for (resp, known) in known_ocsps {
        if let Ok(o) = resp.status_for(cert, issuer, now) {
            return Found::Ocsp(o.response_der, *known);
        }
    }
    for (der, crl, known) in given_crls {
        if crl.issuer.matches(&cert.issuer) && crl.verify_signed_by(issuer).is_ok() {
            return Found::Crl(der.clone(), *known);
        }
    }
    let Some(http) = &opts.http else {
        return Found::Nothing("offline and none was given".into());
    };
    let mut why = Vec::new();
    if crate::pki::ocsp::ocsp_urls(cert).is_ok_and(|u| !u.is_empty()) {
        match check_ocsp(cert, issuer, http.as_ref(), now) {
            Ok(o) => return Found::Ocsp(o.response_der, false),
            Err(e) => why.push(format!("OCSP: {e}")),
        }
    }
    for url in cert.crl_urls().into_iter().take(4) {
        match http.get(&url) {
            Ok(r) if r.is_success() => match Crl::from_der(&r.body) {
                Ok(crl) if crl.verify_signed_by(issuer).is_ok() => {
                    return Found::Crl(r.body, false)
                }
                Ok(_) => why.push(format!("CRL {url}: not signed by the issuer")),
                Err(e) => why.push(format!("CRL {url}: {e}")),
            },
            Ok(r) => why.push(format!("CRL {url}: HTTP {}", r.status)),
            Err(e) => why.push(format!("CRL {url}: {e}")),
        }
    }
    if why.is_empty() {
        why.push("the certificate names no OCSP responder or CRL".into());
    }
    Found::Nothing(why.join("; "))
}
