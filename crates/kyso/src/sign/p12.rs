//! Loading a signing identity (private key + certificate + chain) from a PKCS#12 / PFX file
//! (RFC 7292), the usual `.p12`/`.pfx` export of a software certificate.
//!
//! Decryption (PBES2 with PBKDF2/AES-CBC, RFC 8018; legacy pbeWithSHAAnd3-KeyTripleDES-CBC and
//! pbeWithSHAAnd40BitRC2-CBC, RFC 7292 Appendix C) and the MAC check are done by `p12-keystore`.
//! kyso links the key to its certificate and orders the chain itself.

use std::borrow::Cow;
use std::fmt;

use aws_lc_rs::{digest, hmac};
use p12_keystore::error::Error as P12Error;
use p12_keystore::{CertificateBag, Pkcs12Archive};

use super::signer::{KeyKind, Signer};
use super::software_key::SoftwareKey;
use crate::asn1::reader::tag;
use crate::asn1::{oid, writer, Element, Reader};
use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::Certificate;

/// A software signing identity: the private key, the certificate that belongs to it and the
/// other certificates found in the file.
pub struct SoftwareIdentity {
    /// The private key.
    pub key: SoftwareKey,
    /// DER of the signer's certificate (its public key is the key's).
    pub certificate: Vec<u8>,
    /// DER of the other certificates: the signer's issuer first, up to the root, then any
    /// certificates of the file that are not part of that path.
    pub chain: Vec<Vec<u8>>,
}

impl fmt::Debug for SoftwareIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareIdentity")
            .field("key", &self.key)
            .field("certificate_len", &self.certificate.len())
            .field("chain_len", &self.chain.len())
            .finish()
    }
}

impl Signer for SoftwareIdentity {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn key_kind(&self) -> KeyKind {
        self.key.kind()
    }

    fn sign(
        &self,
        message: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        self.key.sign(message, digest, scheme)
    }
}

/// Loads the first usable private key of a PKCS#12 file, the certificate whose public key is
/// that key's (preferring the one with the same `localKeyId` attribute, PKCS#9 §5.5.2) and the
/// chain. An empty `password` also opens files protected by an absent password (RFC 7292
/// Appendix B.1: the empty octet string, as opposed to the BMPString `00 00` of `""`).
///
/// # Errors
///
/// [`Error::WrongPassword`] when the MAC or decryption fails, [`Error::Key`] when the
/// file is not PKCS#12, holds no key or no certificate matching the key,
/// [`Error::UnsupportedAlgorithm`] for key types or ciphers kyso cannot use.
///
/// # Examples
///
/// ```
/// use kyso::sign::{load_p12, KeyKind, Signer};
///
/// let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/leader.p12"))?;
/// assert!(matches!(load_p12(&p12, "wrong"), Err(kyso::Error::WrongPassword)));
///
/// let identity = load_p12(&p12, "12345678")?;
/// assert_eq!(identity.key_kind(), KeyKind::Rsa { bits: 2048 });
/// assert_eq!(identity.chain.len(), 2); // intermediate, then root
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_p12(bytes: &[u8], password: &str) -> Result<SoftwareIdentity> {
    let archive = open_archive(bytes, password)?;
    identity_from_archive(&archive)
}

fn open_archive(bytes: &[u8], password: &str) -> Result<Pkcs12Archive> {
    match Pkcs12Archive::from_pkcs12(bytes, password) {
        Ok(archive) => Ok(archive),
        Err(P12Error::MacError(_)) if password.is_empty() => {
            let Some(stripped) = strip_mac_if_absent_password(bytes) else {
                return Err(Error::WrongPassword);
            };
            // The MAC checked out with the absent password; PBES2-encrypted bags use the same
            // (empty) PBKDF2 password either way. Legacy PBES1 bags would need the absent
            // password in the PKCS#12 KDF too, which p12-keystore cannot express.
            Pkcs12Archive::from_pkcs12(&stripped, "").map_err(|e| match map_p12_error(e) {
                Error::WrongPassword => Error::Key(
                    "file protected by an absent password with legacy (3DES/RC2) encryption \
                     is not supported; re-export it with a password"
                        .to_owned(),
                ),
                other => other,
            })
        }
        Err(e) => Err(map_p12_error(e)),
    }
}

fn map_p12_error(e: P12Error) -> Error {
    match e {
        P12Error::MacError(_) | P12Error::UnpadError => Error::WrongPassword,
        P12Error::Pkcs5Error(msg) if msg.contains("decryption failed") => Error::WrongPassword,
        P12Error::Pkcs5Error(msg) => Error::UnsupportedAlgorithm(format!("PKCS#12: {msg}")),
        P12Error::UnsupportedEncryptionScheme => {
            Error::UnsupportedAlgorithm("PKCS#12 encryption scheme".to_owned())
        }
        P12Error::UnsupportedMacAlgorithm => {
            Error::UnsupportedAlgorithm("PKCS#12 MAC algorithm".to_owned())
        }
        P12Error::UnsupportedCertificateType => {
            Error::UnsupportedAlgorithm("PKCS#12 certificate bag that is not X.509".to_owned())
        }
        P12Error::InvalidParameters => Error::Key(
            "PKCS#12 encryption or MAC parameters out of range (iteration count too high?)"
                .to_owned(),
        ),
        P12Error::InvalidPrivateKey => {
            Error::Key("the file holds a malformed PKCS#8 private key".to_owned())
        }
        other => Error::Key(format!("not a valid PKCS#12 (.p12/.pfx) file: {other}")),
    }
}

fn identity_from_archive(archive: &Pkcs12Archive) -> Result<SoftwareIdentity> {
    if archive.keys.is_empty() {
        return Err(Error::Key("the file holds no private key".to_owned()));
    }
    let certs: Vec<FileCert<'_>> = archive
        .certs
        .iter()
        .map(|bag| FileCert {
            bag,
            parsed: parse_certificate(bag.cert.as_der()),
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::Key("the file holds no certificate".to_owned()));
    }

    let mut first_error = None;
    for bag in &archive.keys {
        let key = match SoftwareKey::from_pkcs8_der(bag.key.as_der()) {
            Ok(key) => key,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let public_key = key.public_key_bytes();
        let matches_key = |c: &FileCert<'_>| {
            c.parsed
                .as_ref()
                .is_some_and(|(_, cert_key)| cert_key.as_slice() == public_key)
        };
        let by_local_id = bag.local_key_id.as_ref().and_then(|id| {
            certs
                .iter()
                .position(|c| c.bag.local_key_id.as_deref() == Some(id.as_ref()) && matches_key(c))
        });
        let leaf = by_local_id.or_else(|| certs.iter().position(matches_key));
        match leaf {
            Some(index) => {
                let (certificate, chain) = order_chain(&certs, index);
                return Ok(SoftwareIdentity {
                    key,
                    certificate,
                    chain,
                });
            }
            None => {
                first_error.get_or_insert(Error::Key(
                    "no certificate in the file matches the private key".to_owned(),
                ));
            }
        }
    }
    Err(first_error
        .unwrap_or_else(|| Error::Key("the file holds no usable private key".to_owned())))
}

/// A certificate bag of the file with, when it parses (RFC 5280 §4.1), the certificate and the
/// contents of its `subjectPublicKey` BIT STRING (§4.1.2.7), to compare with the private key's.
struct FileCert<'a> {
    bag: &'a CertificateBag,
    parsed: Option<(Certificate, Vec<u8>)>,
}

fn parse_certificate(der: &[u8]) -> Option<(Certificate, Vec<u8>)> {
    let cert = Certificate::from_der(der).ok()?;
    let public_key = cert.spki().ok()?.key_bytes;
    Some((cert, public_key))
}

/// Orders the certificates other than `leaf` (RFC 5280 §6.1 path order, reversed): each next one
/// is the issuer of the previous one (issuer `Name` DER equal to subject `Name` DER), stopping at a
/// self-issued certificate. Certificates off that path follow in file order; duplicates are dropped.
fn order_chain(certs: &[FileCert<'_>], leaf: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let Some(leaf_cert) = certs.get(leaf) else {
        return (Vec::new(), Vec::new());
    };
    let leaf_der = leaf_cert.bag.cert.as_der();
    let mut remaining: Vec<&FileCert<'_>> = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        let d = c.bag.cert.as_der();
        if i != leaf && d != leaf_der && !remaining.iter().any(|r| r.bag.cert.as_der() == d) {
            remaining.push(c);
        }
    }
    let mut chain = Vec::with_capacity(remaining.len());
    let mut current = leaf_cert.parsed.as_ref().map(|(cert, _)| cert);
    while let Some(cert) = current {
        if cert.subject.der == cert.issuer.der {
            break;
        }
        let next = remaining.iter().position(|r| {
            r.parsed
                .as_ref()
                .is_some_and(|(c, _)| c.subject.der == cert.issuer.der)
        });
        let Some(pos) = next else { break };
        let next = remaining.remove(pos);
        chain.push(next.bag.cert.as_der().to_vec());
        current = next.parsed.as_ref().map(|(cert, _)| cert);
    }
    chain.extend(remaining.iter().map(|r| r.bag.cert.as_der().to_vec()));
    (leaf_der.to_vec(), chain)
}

/// Upper bound on MAC iterations, as in p12-keystore, so a hostile file cannot stall us.
const MAX_MAC_ITERATIONS: u32 = 1_000_000;

/// The parts of a PFX (RFC 7292 §4: PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL })
/// that the absent-password MAC check needs.
struct PfxParts<'a> {
    version: Element<'a>,
    auth_safe: Element<'a>,
    /// The `data` content of `authSafe` (a ContentInfo, RFC 7292 §4.1): the MACed octets.
    data: Cow<'a, [u8]>,
    mac_data: Option<Element<'a>>,
}

fn pfx_parts(pfx: &[u8]) -> Result<PfxParts<'_>> {
    let outer = Reader::new(pfx).read()?;
    outer.expect_universal(tag::SEQUENCE, "PFX")?;
    let mut r = outer.children()?;
    let version = r.read_universal(tag::INTEGER, "version")?;
    let auth_safe = r.read_universal(tag::SEQUENCE, "authSafe")?;
    let mac_data = r.read_optional_universal(tag::SEQUENCE)?;

    let mut content_info = auth_safe.children()?;
    content_info.read_universal(tag::OID, "contentType")?;
    let explicit = content_info
        .read_optional_context(0)?
        .ok_or_else(|| Error::Asn1("authSafe: content [0] missing".to_owned()))?;
    let data = explicit
        .children()?
        .read_universal(tag::OCTET_STRING, "data")?
        .as_octet_string()?;
    Ok(PfxParts {
        version,
        auth_safe,
        data,
        mac_data,
    })
}

/// If the PFX's MAC verifies with an absent password, returns the PFX re-encoded without its
/// `macData` (RFC 7292 §4: PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL }).
fn strip_mac_if_absent_password(pfx: &[u8]) -> Option<Vec<u8>> {
    let parts = pfx_parts(pfx).ok()?;
    let mac_data = parts.mac_data?;
    // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
    let mut r = mac_data.children().ok()?;
    let digest_info = r.read_universal(tag::SEQUENCE, "mac").ok()?;
    let salt = r.read_universal(tag::OCTET_STRING, "macSalt").ok()?;
    let salt = salt.as_octet_string().ok()?;
    let iterations = if r.is_empty() {
        1
    } else {
        mac_iterations(&r.read_universal(tag::INTEGER, "iterations").ok()?)?
    };
    if iterations > MAX_MAC_ITERATIONS {
        return None;
    }
    let mut di = digest_info.children().ok()?;
    let alg = di.read_universal(tag::SEQUENCE, "digestAlgorithm").ok()?;
    let alg_oid = alg
        .children()
        .ok()?
        .read_universal(tag::OID, "algorithm")
        .ok()?
        .as_oid()
        .ok()?;
    let mac_value = di.read_universal(tag::OCTET_STRING, "digest").ok()?;
    let mac_value = mac_value.as_octet_string().ok()?;
    // RFC 7292 Appendix B.3 / RFC 9579 use these digests with HMAC.
    let (md, hmac_alg) = match alg_oid.as_str() {
        oid::SHA1 => (
            &digest::SHA1_FOR_LEGACY_USE_ONLY,
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        oid::SHA256 => (&digest::SHA256, hmac::HMAC_SHA256),
        oid::SHA384 => (&digest::SHA384, hmac::HMAC_SHA384),
        oid::SHA512 => (&digest::SHA512, hmac::HMAC_SHA512),
        _ => return None,
    };
    let mac_key = pkcs12_kdf(md, &[], &salt, 3, iterations, md.output_len());
    hmac::verify(&hmac::Key::new(hmac_alg, &mac_key), &parts.data, &mac_value).ok()?;

    Some(writer::sequence(&[parts.version.raw, parts.auth_safe.raw]))
}

/// The MAC iteration count: an INTEGER that must be positive and fit in 32 bits.
fn mac_iterations(int: &Element<'_>) -> Option<u32> {
    let value = u32::try_from(int.as_u64().ok()?).ok()?;
    (value > 0).then_some(value)
}

/// The PKCS#12 key derivation function (RFC 7292 Appendix B.2) with `id` 1 (key), 2 (IV) or
/// 3 (MAC key); `password` is the already-encoded BMPString (empty for an absent password).
fn pkcs12_kdf(
    md: &'static digest::Algorithm,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    out_len: usize,
) -> Vec<u8> {
    let u = md.output_len();
    let v = md.block_len();
    let fill = |s: &[u8]| -> Vec<u8> {
        if s.is_empty() {
            return Vec::new();
        }
        let len = v * s.len().div_ceil(v);
        s.iter().copied().cycle().take(len).collect()
    };
    let d = vec![id; v];
    let mut i_bytes = fill(salt);
    i_bytes.extend(fill(password));
    let mut out = Vec::with_capacity(out_len + u);
    while out.len() < out_len {
        let mut ctx = digest::Context::new(md);
        ctx.update(&d);
        ctx.update(&i_bytes);
        let mut a = ctx.finish().as_ref().to_vec();
        for _ in 1..iterations {
            a = digest::digest(md, &a).as_ref().to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= out_len {
            break;
        }
        // B = A repeated to v bytes; each v-byte block I_j := (I_j + B + 1) mod 2^(8v).
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i_bytes.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(out_len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_panic() {
        for input in [
            &[][..],
            &[0x30, 0x03, 0x02, 0x01, 0x03],
            b"PK\x03\x04 not a p12",
        ] {
            assert!(load_p12(input, "").is_err());
            assert!(load_p12(input, "secret").is_err());
        }
    }

    /// Adds to an unprotected PFX a SHA-256 MAC computed with an absent password.
    fn add_absent_password_mac(pfx: &[u8]) -> Vec<u8> {
        let parts = pfx_parts(pfx).expect("PFX");
        assert!(parts.mac_data.is_none(), "expected a PFX without MAC");
        let salt = [7u8, 1, 2, 3, 4, 5, 6, 8];
        let key = pkcs12_kdf(&digest::SHA256, &[], &salt, 3, 2048, 32);
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), &parts.data);
        let alg = writer::sequence(&[&writer::oid_const(oid::SHA256), &writer::null()]);
        let digest_info = writer::sequence(&[&alg, &writer::octet_string(tag.as_ref())]);
        let mac_data = writer::sequence(&[
            &digest_info,
            &writer::octet_string(&salt),
            &writer::integer_u64(2048),
        ]);
        writer::sequence(&[parts.version.raw, parts.auth_safe.raw, &mac_data])
    }

    /// A MAC keyed with an absent password (RFC 7292 Appendix B.1), as written by
    /// `PKCS12_create(NULL, ...)` callers. OpenSSL must accept the file with an empty password
    /// (it tries NULL, then ""), p12-keystore must reject it with "" (so this really is the
    /// NULL variant), and `load_p12(.., "")` must open it.
    #[test]
    fn absent_password_mac() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "k.pem",
        ]);
        run(&[
            "req", "-x509", "-new", "-key", "k.pem", "-subj", "/CN=A", "-days", "1", "-out",
            "c.pem",
        ]);
        run(&[
            "pkcs12",
            "-export",
            "-inkey",
            "k.pem",
            "-in",
            "c.pem",
            "-keypbe",
            "NONE",
            "-certpbe",
            "NONE",
            "-nomac",
            "-passout",
            "pass:",
            "-out",
            "plain.p12",
        ]);
        let plain = std::fs::read(dir.path().join("plain.p12")).expect("read");
        let with_mac = add_absent_password_mac(&plain);
        std::fs::write(dir.path().join("null.p12"), &with_mac).expect("write");
        run(&["pkcs12", "-in", "null.p12", "-noout", "-passin", "pass:"]);
        assert!(matches!(
            Pkcs12Archive::from_pkcs12(&with_mac, ""),
            Err(P12Error::MacError(_))
        ));
        let id = load_p12(&with_mac, "").expect("absent password");
        assert_eq!(id.key.kind(), KeyKind::EcP256);
        assert!(matches!(
            load_p12(&with_mac, "x"),
            Err(Error::WrongPassword)
        ));
    }

    #[test]
    fn small_integers() {
        let iterations = |contents: &[u8]| {
            let int = writer::tlv(writer::tags::INTEGER, contents);
            mac_iterations(&Reader::new(&int).read_single().expect("INTEGER"))
        };
        assert_eq!(iterations(&[0x08, 0x00]), Some(2048));
        assert_eq!(iterations(&[0x00, 0x80]), Some(128));
        assert_eq!(iterations(&[0x80]), None);
        assert_eq!(iterations(&[1, 2, 3, 4, 5]), None);
    }
}
