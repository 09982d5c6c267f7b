//! Loading a signing identity (private key + certificate + chain) from a PKCS#12 / PFX file
//! (RFC 7292), the usual `.p12`/`.pfx` export of a software certificate.
//!
//! Decryption (PBES2 with PBKDF2/AES-CBC, RFC 8018; legacy pbeWithSHAAnd3-KeyTripleDES-CBC and
//! pbeWithSHAAnd40BitRC2-CBC, RFC 7292 Appendix C) and the MAC check are done by `p12-keystore`.
//! kyso links the key to its certificate and orders the chain itself.

use std::fmt;

use aws_lc_rs::{digest, hmac};
use p12_keystore::error::Error as P12Error;
use p12_keystore::{CertificateBag, Pkcs12Archive};

use super::der::{self, CertFields};
use super::signer::{KeyKind, Signer};
use super::software_key::SoftwareKey;
use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};

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
/// Errors: [`Error::WrongPassword`] when the MAC or decryption fails, [`Error::Key`] when the
/// file is not PKCS#12, holds no key or no certificate matching the key,
/// [`Error::UnsupportedAlgorithm`] for key types or ciphers kyso cannot use.
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
    let certs: Vec<(&CertificateBag, Option<CertFields<'_>>)> = archive
        .certs
        .iter()
        .map(|bag| (bag, der::cert_fields(bag.cert.as_der()).ok()))
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
        let matches_key = |(_, fields): &&(&CertificateBag, Option<CertFields<'_>>)| {
            fields.is_some_and(|f| f.public_key == public_key)
        };
        let by_local_id = bag.local_key_id.as_ref().and_then(|id| {
            certs
                .iter()
                .position(|c| c.0.local_key_id.as_deref() == Some(id.as_ref()) && matches_key(&c))
        });
        let leaf = by_local_id.or_else(|| certs.iter().position(|c| matches_key(&c)));
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

/// Orders the certificates other than `leaf` (RFC 5280 §6.1 path order, reversed): each next one
/// is the issuer of the previous one (issuer `Name` DER equal to subject `Name` DER), stopping at a
/// self-issued certificate. Certificates off that path follow in file order; duplicates are dropped.
fn order_chain(
    certs: &[(&CertificateBag, Option<CertFields<'_>>)],
    leaf: usize,
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let leaf_der = certs[leaf].0.cert.as_der();
    let mut remaining: Vec<&(&CertificateBag, Option<CertFields<'_>>)> = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        let d = c.0.cert.as_der();
        if i != leaf && d != leaf_der && !remaining.iter().any(|r| r.0.cert.as_der() == d) {
            remaining.push(c);
        }
    }
    let mut chain = Vec::with_capacity(remaining.len());
    let mut current = certs[leaf].1;
    while let Some(fields) = current {
        if fields.subject == fields.issuer {
            break;
        }
        let next = remaining
            .iter()
            .position(|(_, f)| f.is_some_and(|f| f.subject == fields.issuer));
        let Some(pos) = next else { break };
        let (bag, next_fields) = remaining.remove(pos);
        chain.push(bag.cert.as_der().to_vec());
        current = *next_fields;
    }
    chain.extend(remaining.iter().map(|(bag, _)| bag.cert.as_der().to_vec()));
    (leaf_der.to_vec(), chain)
}

/// Upper bound on MAC iterations, as in p12-keystore, so a hostile file cannot stall us.
const MAX_MAC_ITERATIONS: u32 = 1_000_000;

/// OID contents of the MAC digests (RFC 7292 Appendix B.3 / RFC 9579 use these with HMAC).
const OID_SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];

/// If the PFX's MAC verifies with an absent password, returns the PFX re-encoded without its
/// `macData` (RFC 7292 §4: PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL }).
fn strip_mac_if_absent_password(pfx: &[u8]) -> Option<Vec<u8>> {
    let (outer, _) = der::expect(pfx, der::TAG_SEQUENCE, "PFX").ok()?;
    let (version, rest) = der::expect(outer.contents, der::TAG_INTEGER, "version").ok()?;
    let (auth_safe, rest) = der::expect(rest, der::TAG_SEQUENCE, "authSafe").ok()?;
    let (mac_data, _) = der::expect(rest, der::TAG_SEQUENCE, "macData").ok()?;

    let (_content_type, rest) =
        der::expect(auth_safe.contents, der::TAG_OID, "contentType").ok()?;
    let (explicit, _) = der::expect(rest, der::TAG_CONTEXT_0, "content").ok()?;
    let (data, _) = der::expect(explicit.contents, der::TAG_OCTET_STRING, "data").ok()?;

    let (digest_info, rest) = der::expect(mac_data.contents, der::TAG_SEQUENCE, "mac").ok()?;
    let (alg, rest_di) = der::expect(digest_info.contents, der::TAG_SEQUENCE, "alg").ok()?;
    let (alg_oid, _) = der::expect(alg.contents, der::TAG_OID, "alg").ok()?;
    let (mac_value, _) = der::expect(rest_di, der::TAG_OCTET_STRING, "digest").ok()?;
    let (salt, rest) = der::expect(rest, der::TAG_OCTET_STRING, "macSalt").ok()?;
    let iterations = if rest.is_empty() {
        1
    } else {
        let (int, _) = der::expect(rest, der::TAG_INTEGER, "iterations").ok()?;
        small_positive_integer(int.contents)?
    };
    if iterations > MAX_MAC_ITERATIONS {
        return None;
    }
    let (md, hmac_alg) = match alg_oid.contents {
        OID_SHA1 => (
            &digest::SHA1_FOR_LEGACY_USE_ONLY,
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        OID_SHA256 => (&digest::SHA256, hmac::HMAC_SHA256),
        OID_SHA384 => (&digest::SHA384, hmac::HMAC_SHA384),
        OID_SHA512 => (&digest::SHA512, hmac::HMAC_SHA512),
        _ => return None,
    };
    let mac_key = pkcs12_kdf(md, &[], salt.contents, 3, iterations, md.output_len());
    hmac::verify(
        &hmac::Key::new(hmac_alg, &mac_key),
        data.contents,
        mac_value.contents,
    )
    .ok()?;

    let body_len = version.encoded.len() + auth_safe.encoded.len();
    let mut out = Vec::with_capacity(body_len + 6);
    out.push(der::TAG_SEQUENCE);
    der::encode_length(body_len, &mut out);
    out.extend_from_slice(version.encoded);
    out.extend_from_slice(auth_safe.encoded);
    Some(out)
}

/// A DER INTEGER's value when it is positive and fits in 32 bits.
fn small_positive_integer(contents: &[u8]) -> Option<u32> {
    let (&first, _) = contents.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let digits: Vec<u8> = contents.iter().copied().skip_while(|&b| b == 0).collect();
    if digits.len() > 4 {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
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
        let (outer, _) = der::expect(pfx, der::TAG_SEQUENCE, "PFX").expect("PFX");
        let (version, rest) = der::expect(outer.contents, der::TAG_INTEGER, "v").expect("v");
        let (auth_safe, rest) = der::expect(rest, der::TAG_SEQUENCE, "a").expect("a");
        assert!(rest.is_empty(), "expected a PFX without MAC");
        let (_, ci) = der::expect(auth_safe.contents, der::TAG_OID, "ct").expect("ct");
        let (explicit, _) = der::expect(ci, der::TAG_CONTEXT_0, "c").expect("c");
        let (data, _) = der::expect(explicit.contents, der::TAG_OCTET_STRING, "d").expect("d");
        let salt = [7u8, 1, 2, 3, 4, 5, 6, 8];
        let key = pkcs12_kdf(&digest::SHA256, &[], &salt, 3, 2048, 32);
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), data.contents);
        let tlv = |tag: u8, body: &[u8]| {
            let mut v = vec![tag];
            der::encode_length(body.len(), &mut v);
            v.extend_from_slice(body);
            v
        };
        let mut alg = tlv(der::TAG_OID, OID_SHA256);
        alg.extend_from_slice(&[0x05, 0x00]);
        let mut digest_info = tlv(der::TAG_SEQUENCE, &alg);
        digest_info.extend(tlv(der::TAG_OCTET_STRING, tag.as_ref()));
        let mut mac_data = tlv(der::TAG_SEQUENCE, &digest_info);
        mac_data.extend(tlv(der::TAG_OCTET_STRING, &salt));
        mac_data.extend(tlv(der::TAG_INTEGER, &[0x08, 0x00]));
        let mut body = version.encoded.to_vec();
        body.extend_from_slice(auth_safe.encoded);
        body.extend(tlv(der::TAG_SEQUENCE, &mac_data));
        tlv(der::TAG_SEQUENCE, &body)
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
        assert_eq!(small_positive_integer(&[0x08, 0x00]), Some(2048));
        assert_eq!(small_positive_integer(&[0x00, 0x80]), Some(128));
        assert_eq!(small_positive_integer(&[0x80]), None);
        assert_eq!(small_positive_integer(&[1, 2, 3, 4, 5]), None);
    }
}
