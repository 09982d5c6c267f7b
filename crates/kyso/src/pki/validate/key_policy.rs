//! The key-size policy (Circular 15/2025) applied to every certificate of a path.

use super::*;

/// The key-size policy (Circular 15/2025, issue 20 item 3): RSA of at least `min_rsa_bits`;
/// elliptic curves only the supported ones, all of at least 256 bits (P-256/384/521,
/// brainpoolP256r1/P384r1 — smaller or unknown curves are `Other`); DSA unsupported.
pub fn key_allowed(cert: &Certificate, pol: &AlgorithmPolicy) -> Result<(), String> {
    match &cert.public_key {
        PublicKeyKind::Other(o) if o == ID_DSA => Err("DSA keys are not supported".into()),
        PublicKeyKind::Other(o) => match small_curve_bits(o) {
            Some(bits) => Err(format!(
                "{bits}-bit EC key of \"{}\" (minimum 256)",
                cert.subject
            )),
            None => Err(format!("unsupported public key {o}")),
        },
        PublicKeyKind::Rsa { bits } if *bits < pol.min_rsa_bits => Err(format!(
            "{bits}-bit RSA key of \"{}\" (minimum {})",
            cert.subject, pol.min_rsa_bits
        )),
        // Listed one by one so that a key kind added later is not allowed by default.
        PublicKeyKind::Rsa { .. }
        | PublicKeyKind::Ec { .. }
        | PublicKeyKind::Ed25519
        | PublicKeyKind::Ed448 => Ok(()),
    }
}

/// Named elliptic curves under 256 bits (SEC 2, RFC 5639): secp192r1, secp224r1, secp160r1,
/// secp192k1, secp224k1, brainpoolP160r1/P192r1/P224r1.
pub(super) fn small_curve_bits(curve_oid: &str) -> Option<usize> {
    Some(match curve_oid {
        "1.3.132.0.8" | "1.3.36.3.3.2.8.1.1.1" => 160,
        "1.2.840.10045.3.1.1" | "1.3.132.0.31" | "1.3.36.3.3.2.8.1.1.3" => 192,
        "1.3.132.0.33" | "1.3.132.0.32" | "1.3.36.3.3.2.8.1.1.5" => 224,
        _ => return None,
    })
}

/// True when a path error comes from [`key_allowed`]'s key-size rule, on the path or on a CRL
/// signer.
pub fn is_weak_key(e: &PathError) -> bool {
    let weak = |d: &str| d.contains("-bit RSA key") || d.contains("-bit EC key");
    match e {
        PathError::AlgorithmNotAllowed { detail, .. } => weak(detail),
        PathError::RevocationUnknown { detail, .. } => weak(detail),
        _ => false,
    }
}
