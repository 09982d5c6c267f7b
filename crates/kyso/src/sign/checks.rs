//! Checks before signing (Circular 15/2025/TT-BKHCN: signing software checks the signer's
//! certificate before use; RFC 5280 §4.1.2.5 validity, §4.2.1.3 key usage).

use time::OffsetDateTime;

use crate::crypto::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pki::Certificate;
use crate::sign::warning::CertificateProblem;

/// Returns the problems found when `force` is set (the caller warns of them); otherwise any
/// problem is an [`Error::CertificateNotAcceptable`].
pub fn check_signer_certificate(
    cert: &Certificate,
    at: OffsetDateTime,
    digest: DigestAlgorithm,
    force: bool,
) -> Result<Vec<CertificateProblem>> {
    let mut problems = Vec::new();
    if at < cert.not_before {
        problems.push(CertificateProblem::NotYetValid {
            from: crate::vntime::display(cert.not_before),
        });
    }
    if at > cert.not_after {
        problems.push(CertificateProblem::Expired {
            on: crate::vntime::display(cert.not_after),
        });
    }
    if let Some(ku) = &cert.key_usage {
        if !ku.digital_signature && !ku.non_repudiation {
            problems.push(CertificateProblem::KeyUsage);
        }
    }
    // Issue 20 items 3 and 4: what the verifier would refuse is not signed either.
    if let Some(detail) = crate::pki::validate::document_signing_eku_problem(cert) {
        problems.push(CertificateProblem::ExtendedKeyUsage { detail });
    }
    let policy = crate::pki::validate::AlgorithmPolicy::default();
    if let Err(detail) = crate::pki::validate::key_allowed(cert, &policy) {
        problems.push(CertificateProblem::KeyNotAcceptable { detail });
    }
    if !digest.is_acceptable() {
        problems.push(CertificateProblem::DigestNotAllowed {
            digest: digest.name().to_string(),
        });
    }
    if problems.is_empty() || force {
        Ok(problems)
    } else {
        let english: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        Err(Error::CertificateNotAcceptable(english.join("; ")))
    }
}
