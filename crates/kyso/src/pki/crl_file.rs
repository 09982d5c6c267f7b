//! A CRL file given by the user (`--crl`): DER, or PEM with `X509 CRL` blocks (RFC 7468 §6).
//! A file that holds something else (most often a certificate, mixed up with its CRL) is
//! refused with the reason, not silently ignored: a check meant to use it would otherwise run
//! without it.

use crate::error::{Error, Result};
use crate::pki::crl::Crl;
use crate::pki::Certificate;

/// What a file given as a CRL holds instead of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotACrl {
    /// A certificate (PEM `CERTIFICATE` block or a DER certificate).
    Certificate,
    /// Neither a CRL nor a certificate.
    Unreadable,
}

/// The CRLs of a `--crl` file (one DER CRL, or PEM `X509 CRL` blocks), or what it is instead.
///
/// # Errors
///
/// [`NotACrl::Certificate`] when the bytes are a certificate (a common mix-up),
/// [`NotACrl::Unreadable`] when they are neither, or when one PEM block of several is broken:
/// the file is refused whole rather than used in part.
///
/// # Examples
///
/// ```
/// use kyso::pki::crl_file::{parse_crl_file, NotACrl};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/");
/// let crls = parse_crl_file(&std::fs::read(format!("{dir}intermediate.crl"))?).unwrap();
/// assert_eq!(crls.len(), 1);
/// assert!(crls[0].revoked.iter().any(|e| e.serial == [0x30, 0x08]));
///
/// let not_a_crl = parse_crl_file(&std::fs::read(format!("{dir}intermediate.pem"))?);
/// assert_eq!(not_a_crl.unwrap_err(), NotACrl::Certificate);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn parse_crl_file(bytes: &[u8]) -> std::result::Result<Vec<Crl>, NotACrl> {
    // Not DER: tried as PEM below; bytes that are neither end in `Unreadable` (never a CRL).
    if let Ok(crl) = Crl::from_der(bytes) {
        return Ok(vec![crl]);
    }
    // RFC 7468 blocks through the one PEM reader (crate::pem); a broken block is unreadable.
    let mut crls = Vec::new();
    for der in crate::pem::blocks(bytes, "X509 CRL").map_err(|_| NotACrl::Unreadable)? {
        crls.push(Crl::from_der(&der).map_err(|_| NotACrl::Unreadable)?);
    }
    if !crls.is_empty() {
        return Ok(crls);
    }
    if Certificate::parse_pem_or_der(bytes).is_ok_and(|c| !c.is_empty()) {
        return Err(NotACrl::Certificate);
    }
    Err(NotACrl::Unreadable)
}

/// [`parse_crl_file`] with an English error naming the file (for callers without words of
/// their own).
pub fn load_crl_file(path: &std::path::Path) -> Result<Vec<Crl>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_crl_file(&bytes).map_err(|what| {
        Error::InvalidArgument(format!(
            "{}: {}",
            path.display(),
            match what {
                NotACrl::Certificate =>
                    "this is a certificate, not a certificate revocation list (CRL); a certificate is given as a trust anchor or an extra certificate",
                NotACrl::Unreadable => "not a certificate revocation list (CRL), neither DER nor PEM",
            }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_not_a_crl() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki");
        let crl = std::fs::read(fixtures.join("intermediate.crl")).unwrap();
        assert_eq!(parse_crl_file(&crl).unwrap().len(), 1);
        let pem = std::fs::read(fixtures.join("leader.pem")).unwrap();
        assert_eq!(parse_crl_file(&pem).unwrap_err(), NotACrl::Certificate);
        let der = std::fs::read(fixtures.join("root.der")).unwrap();
        assert_eq!(parse_crl_file(&der).unwrap_err(), NotACrl::Certificate);
        assert_eq!(parse_crl_file(b"hello").unwrap_err(), NotACrl::Unreadable);
    }
}
