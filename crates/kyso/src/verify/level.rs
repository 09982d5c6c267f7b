//! The PAdES baseline level a signature reaches by structure (ETSI EN 319 142-1 §6): B-B; B-T
//! with a signature time-stamp or a later document time-stamp; B-LT when a later revision's DSS
//! holds revocation data for the signer; B-LTA when a document time-stamp covers such a DSS.
//! Whether each part is valid is reported elsewhere; this names what the document carries.

use crate::pdf::dss::{read_dss_at, Dss};
use crate::pdf::signatures::SignatureEntry;
use crate::pdf::Document;
use crate::pki::crl::Crl;
use crate::pki::ocsp::OcspResponse;
use crate::pki::Certificate;

pub(super) fn signature_level(
    doc: &Document,
    entry: &SignatureEntry,
    signed_rev: Option<usize>,
    cert: &Certificate,
    pool: &[Certificate],
    has_signature_timestamp: bool,
    doc_timestamps: &[usize],
) -> String {
    let (family, b, t, lt, lta) = match entry.sub_filter().as_deref() {
        Some("ETSI.CAdES.detached") => ("PAdES", "B-B", "B-T", "B-LT", "B-LTA"),
        Some(s) if s.starts_with("adbe.pkcs7") => ("PKCS7", "B", "T", "LT", "LTA"),
        _ => return "CMS".into(),
    };
    let name = |level: &str| format!("{family}-{level}");
    let Some(rev) = signed_rev else {
        return name(b);
    };
    let later: Vec<usize> = doc_timestamps
        .iter()
        .copied()
        .filter(|r| *r > rev)
        .collect();
    if !has_signature_timestamp && later.is_empty() {
        return name(b);
    }
    let issuer = pool
        .iter()
        .find(|c| c.subject.matches(&cert.issuer) && cert.verify_issued_by(c).is_ok());
    let covers = |r: usize| {
        read_dss_at(doc, r)
            .map(|d| dss_covers(&d, cert, issuer))
            .unwrap_or(false)
    };
    let last = doc.last_revision();
    if last <= rev || !covers(last) {
        return name(t);
    }
    if later.iter().any(|r| covers(*r)) {
        name(lta)
    } else {
        name(lt)
    }
}

/// True when the DSS holds an OCSP response about `cert` or a CRL from its issuer.
fn dss_covers(dss: &Dss, cert: &Certificate, issuer: Option<&Certificate>) -> bool {
    let by_ocsp = issuer.is_some_and(|issuer| {
        dss.ocsps.iter().any(|o| {
            OcspResponse::parse(o).is_ok_and(|r| r.status_for(cert, issuer, r.produced_at).is_ok())
        })
    });
    by_ocsp
        || dss
            .crls
            .iter()
            .any(|c| Crl::from_der(c).is_ok_and(|crl| crl.issuer.matches(&cert.issuer)))
}
