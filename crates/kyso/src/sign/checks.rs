//! Checks before signing (Circular 15/2025/TT-BKHCN: signing software checks the signer's
//! certificate before use; RFC 5280 §4.1.2.5 validity, §4.2.1.3 key usage).

use time::OffsetDateTime;

use crate::crypto::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pki::Certificate;

/// Returns the problems found as warnings when `force` is set; otherwise the first problem is
/// an [`Error::CertificateNotAcceptable`].
pub fn check_signer_certificate(
    cert: &Certificate,
    at: OffsetDateTime,
    digest: DigestAlgorithm,
    force: bool,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if at < cert.not_before {
        problems.push(format!(
            "the certificate is not valid yet (valid from {})",
            crate::vntime::display(cert.not_before)
        ));
    }
    if at > cert.not_after {
        problems.push(format!(
            "the certificate expired on {}",
            crate::vntime::display(cert.not_after)
        ));
    }
    if let Some(ku) = &cert.key_usage {
        if !ku.digital_signature && !ku.non_repudiation {
            problems.push(
                "the certificate's key usage allows neither digitalSignature nor nonRepudiation"
                    .into(),
            );
        }
    }
    // Issue 20 items 3 and 4: what the verifier would refuse is not signed either.
    if let Some(p) = crate::pki::validate::document_signing_eku_problem(cert) {
        problems.push(p);
    }
    let policy = crate::pki::validate::AlgorithmPolicy::default();
    if let Err(p) = crate::pki::validate::key_allowed(cert, &policy) {
        problems.push(format!("the key is not acceptable: {p}"));
    }
    if !digest.is_acceptable() {
        problems.push(format!(
            "{} is not allowed for new signatures",
            digest.name()
        ));
    }
    if problems.is_empty() || force {
        Ok(problems
            .into_iter()
            .map(|p| format!("signed despite: {p}"))
            .collect())
    } else {
        Err(Error::CertificateNotAcceptable(problems.join("; ")))
    }
}
