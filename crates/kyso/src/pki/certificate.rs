//! X.509 v1-v3 certificates (RFC 5280 §4.1) with the extensions kyso needs.

use time::OffsetDateTime;

use super::name::Name;
use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Element, Reader};
use crate::crypto::{self, DigestAlgorithm};
use crate::error::{Error, Result};

use crate::crypto::keys::spki_from_element;
pub use crate::crypto::keys::{parse_spki, Curve, PublicKeyKind, SpkiInfo};

/// KeyUsage bits (RFC 5280 §4.2.1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyUsage {
    /// Bit 0: the key verifies signatures other than on certificates and CRLs (e.g. on a PDF).
    pub digital_signature: bool,
    /// Bit 1, also called contentCommitment: the signer commits to the content signed.
    pub non_repudiation: bool,
    /// Bit 2: the key encrypts other keys (RSA key transport).
    pub key_encipherment: bool,
    /// Bit 3: the key encrypts user data directly.
    pub data_encipherment: bool,
    /// Bit 4: the key is used for key agreement (ECDH).
    pub key_agreement: bool,
    /// Bit 5: the key verifies signatures on certificates (a CA key).
    pub key_cert_sign: bool,
    /// Bit 6: the key verifies signatures on CRLs.
    pub crl_sign: bool,
    /// Bit 7: with `key_agreement`, the key may only encipher during key agreement.
    pub encipher_only: bool,
    /// Bit 8: with `key_agreement`, the key may only decipher during key agreement.
    pub decipher_only: bool,
}

/// BasicConstraints (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BasicConstraints {
    /// cA: the subject is a certification authority that may issue certificates.
    pub ca: bool,
    /// pathLenConstraint: the most non-self-issued intermediates allowed below this CA;
    /// None = no limit (or not a CA).
    pub path_len: Option<u32>,
}

/// One extension (RFC 5280 §4.1.2.9); `value` is the extnValue OCTET STRING contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// extnID as a dotted OID, e.g. `2.5.29.15` for keyUsage.
    pub oid: String,
    /// Whether a relying party that does not understand the extension must reject the
    /// certificate (RFC 5280 §4.2).
    pub critical: bool,
    /// The DER of the extension value (contents of extnValue, not the OCTET STRING header).
    pub value: Vec<u8>,
}

impl Extension {
    /// Decodes `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }`.
    pub fn from_element(el: &Element<'_>) -> Result<Extension> {
        el.expect_universal(tag::SEQUENCE, "Extension")?;
        let mut r = el.children()?;
        let oid = r.read()?.as_oid()?;
        let critical = match r.read_optional_universal(tag::BOOLEAN)? {
            Some(b) => b.as_bool()?,
            None => false,
        };
        let value = r.read()?.as_octet_string()?.into_owned();
        r.finish("Extension")?;
        Ok(Extension {
            oid,
            critical,
            value,
        })
    }
}

/// Decodes `Extensions ::= SEQUENCE OF Extension` (certificates, CRLs, CRL entries, OCSP);
/// RFC 5280 §4.2: an extension appears at most once.
pub fn parse_extensions(seq: &Element<'_>) -> Result<Vec<Extension>> {
    seq.expect_universal(tag::SEQUENCE, "Extensions")?;
    let mut out: Vec<Extension> = Vec::new();
    for ext in seq.children()? {
        let ext = Extension::from_element(&ext?)?;
        if out.iter().any(|e| e.oid == ext.oid) {
            return Err(Error::Asn1(format!("duplicate extension {}", ext.oid)));
        }
        out.push(ext);
    }
    Ok(out)
}

/// A parsed X.509 certificate (RFC 5280 §4.1).
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The whole certificate encoding.
    pub der: Vec<u8>,
    /// The tbsCertificate encoding, what the issuer signed.
    pub tbs_der: Vec<u8>,
    /// 1, 2 or 3.
    pub version: u8,
    /// serialNumber INTEGER contents octets.
    pub serial: Vec<u8>,
    /// Who issued and signed the certificate (RFC 5280 §4.1.2.4).
    pub issuer: Name,
    /// Whom the certificate names (§4.1.2.6); the signer's name in a PDF signature.
    pub subject: Name,
    /// Start of the validity period (§4.1.2.5), UTC.
    pub not_before: OffsetDateTime,
    /// End of the validity period (§4.1.2.5), UTC, inclusive.
    pub not_after: OffsetDateTime,
    /// The whole SubjectPublicKeyInfo encoding.
    pub spki_der: Vec<u8>,
    /// The subject's public key, decoded (algorithm, curve or modulus size).
    pub public_key: PublicKeyKind,
    /// The outer signatureAlgorithm (RFC 5280 §4.1.1.2).
    pub signature_algorithm: AlgorithmIdentifier,
    /// The `signature` field inside tbsCertificate (must equal the outer one, §4.1.2.3).
    pub tbs_signature_algorithm: AlgorithmIdentifier,
    /// The issuer's signature over `tbs_der` (the BIT STRING contents).
    pub signature: Vec<u8>,
    /// Unused bits declared by the signature BIT STRING (anything but 0 means a bad signature).
    pub signature_unused_bits: u8,
    /// The keyUsage extension (§4.2.1.3); None when absent (any use allowed by it).
    pub key_usage: Option<KeyUsage>,
    /// The basicConstraints extension (§4.2.1.9); None when absent (not a CA).
    pub basic_constraints: Option<BasicConstraints>,
    /// The subjectKeyIdentifier (§4.2.1.2); None when absent.
    pub subject_key_id: Option<Vec<u8>>,
    /// keyIdentifier of the AuthorityKeyIdentifier extension.
    pub authority_key_id: Option<Vec<u8>>,
    /// Dotted KeyPurposeId OIDs.
    /// Dotted KeyPurposeId OIDs of extKeyUsage (§4.2.1.12); empty when absent.
    pub extended_key_usage: Vec<String>,
    /// Every extension as found, in order, including those decoded into the fields above.
    pub extensions: Vec<Extension>,
}

fn cert_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Certificate(msg.into()))
}

impl Certificate {
    /// Parses one DER (or BER) certificate; the input must hold exactly one.
    ///
    /// # Errors
    ///
    /// Bytes left after the certificate, an encoding that does not follow RFC 5280 §4.1, or an
    /// extension kyso decodes (key usage, basic constraints, key identifiers, EKU) that is
    /// malformed or repeated. Unknown extensions are kept, not refused: path validation judges
    /// the critical ones.
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let el = Reader::new(der).read_single()?;
        Certificate::from_element(&el)
    }

    /// Parses a PEM bundle (any number of `CERTIFICATE` blocks, RFC 7468 §5) or a single DER certificate.
    ///
    /// # Errors
    ///
    /// No certificate found, a broken PEM block, or any certificate that [`from_der`]
    /// refuses: one bad certificate refuses the whole bundle.
    ///
    /// [`from_der`]: Certificate::from_der
    pub fn parse_pem_or_der(data: &[u8]) -> Result<Vec<Certificate>> {
        if data.first() == Some(&0x30) {
            return Ok(vec![Certificate::from_der(data)?]);
        }
        let certs = crate::pem::blocks(data, "CERTIFICATE")
            .map_err(Error::Certificate)?
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>>>()?;
        if certs.is_empty() {
            return cert_err("no certificate found (expected PEM or DER)");
        }
        Ok(certs)
    }

    /// Parses a Certificate element (RFC 5280 §4.1).
    pub fn from_element(el: &Element<'_>) -> Result<Certificate> {
        el.expect_universal(tag::SEQUENCE, "Certificate")?;
        let mut r = el.children()?;
        let tbs = r.read_universal(tag::SEQUENCE, "tbsCertificate")?;
        let signature_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        // A signature BIT STRING with unused bits cannot hold a valid signature value; keep the
        // certificate readable so that validation reports the bad signature (PKITS 4.1.2).
        let (unused, signature) = r.read()?.as_bit_string()?;
        let signature = signature.into_owned();
        let signature_unused_bits = unused;
        r.finish("Certificate")?;

        let mut t = tbs.children()?;
        let version = match t.read_optional_context(0)? {
            Some(v) => {
                let n = v.children()?.read_single()?.as_u64()?;
                if n > 2 {
                    return cert_err(format!("unknown certificate version {}", n + 1));
                }
                n as u8 + 1
            }
            None => 1,
        };
        let serial = t.read()?.as_integer()?.to_vec();
        let tbs_signature_algorithm = AlgorithmIdentifier::from_element(&t.read()?)?;
        let issuer = Name::from_element(&t.read()?)?;
        let validity = t.read_universal(tag::SEQUENCE, "Validity")?;
        let mut vr = validity.children()?;
        let not_before = vr.read()?.as_time()?;
        let not_after = vr.read()?.as_time()?;
        vr.finish("Validity")?;
        let subject = Name::from_element(&t.read()?)?;
        let spki_el = t.read()?;
        let spki = spki_from_element(&spki_el)?;
        t.read_optional_context(1)?; // issuerUniqueID
        t.read_optional_context(2)?; // subjectUniqueID
        let mut cert = Certificate {
            der: el.raw.to_vec(),
            tbs_der: tbs.raw.to_vec(),
            version,
            serial,
            issuer,
            subject,
            not_before,
            not_after,
            spki_der: spki_el.raw.to_vec(),
            public_key: spki.kind,
            signature_algorithm,
            tbs_signature_algorithm,
            signature,
            signature_unused_bits,
            key_usage: None,
            basic_constraints: None,
            subject_key_id: None,
            authority_key_id: None,
            extended_key_usage: Vec::new(),
            extensions: Vec::new(),
        };
        if let Some(exts) = t.read_optional_context(3)? {
            let seq = exts.children()?.read_single()?;
            seq.expect_universal(tag::SEQUENCE, "Extensions")?;
            for ext in seq.children()? {
                cert.add_extension(&ext?)?;
            }
        }
        t.finish("tbsCertificate")?;
        Ok(cert)
    }

    /// Decodes one Extension and the known extension values (RFC 5280 §4.2).
    fn add_extension(&mut self, ext: &Element<'_>) -> Result<()> {
        let Extension {
            oid: oid_s,
            critical,
            value,
        } = Extension::from_element(ext)?;
        if self.extensions.iter().any(|e| e.oid == oid_s) {
            // RFC 5280 §4.2: at most one instance of an extension.
            return cert_err(format!("duplicate extension {oid_s}"));
        }
        let v = || Reader::new(&value).read_single();
        match oid_s.as_str() {
            oid::EXT_KEY_USAGE => {
                let (_, bits) = v()?.as_bit_string()?;
                let bit = |i: usize| bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0);
                self.key_usage = Some(KeyUsage {
                    digital_signature: bit(0),
                    non_repudiation: bit(1),
                    key_encipherment: bit(2),
                    data_encipherment: bit(3),
                    key_agreement: bit(4),
                    key_cert_sign: bit(5),
                    crl_sign: bit(6),
                    encipher_only: bit(7),
                    decipher_only: bit(8),
                });
            }
            oid::EXT_BASIC_CONSTRAINTS => {
                let el = v()?;
                el.expect_universal(tag::SEQUENCE, "BasicConstraints")?;
                let mut br = el.children()?;
                let ca = match br.read_optional_universal(tag::BOOLEAN)? {
                    Some(b) => b.as_bool()?,
                    None => false,
                };
                let path_len =
                    match br.read_optional_universal(tag::INTEGER)? {
                        Some(i) => Some(u32::try_from(i.as_u64()?).map_err(|_| {
                            Error::Certificate("pathLenConstraint too large".into())
                        })?),
                        None => None,
                    };
                br.finish("BasicConstraints")?;
                self.basic_constraints = Some(BasicConstraints { ca, path_len });
            }
            oid::EXT_SUBJECT_KEY_ID => {
                self.subject_key_id = Some(v()?.as_octet_string()?.into_owned());
            }
            oid::EXT_AUTHORITY_KEY_ID => {
                let el = v()?;
                el.expect_universal(tag::SEQUENCE, "AuthorityKeyIdentifier")?;
                let mut ar = el.children()?;
                if let Some(k) = ar.read_optional_context(0)? {
                    self.authority_key_id = Some(k.string_bytes()?.into_owned());
                }
            }
            oid::EXT_EXTENDED_KEY_USAGE => {
                let el = v()?;
                el.expect_universal(tag::SEQUENCE, "ExtKeyUsageSyntax")?;
                for p in el.children()? {
                    self.extended_key_usage.push(p?.as_oid()?);
                }
            }
            _ => {}
        }
        self.extensions.push(Extension {
            oid: oid_s,
            critical,
            value,
        });
        Ok(())
    }

    /// SHA-256 of the certificate encoding.
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        let d = crypto::digest(DigestAlgorithm::Sha256, &self.der);
        let mut out = [0u8; 32];
        out.copy_from_slice(&d);
        out
    }

    /// Serial number as uppercase hex of the INTEGER contents octets.
    pub fn serial_hex(&self) -> String {
        self.serial.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// True when `t` is within [notBefore, notAfter] (RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, t: OffsetDateTime) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// True when issuer and subject names match (self-issued, RFC 5280 §6.1).
    pub fn is_self_issued(&self) -> bool {
        self.issuer.matches(&self.subject)
    }

    /// Decoded SubjectPublicKeyInfo.
    pub fn spki(&self) -> Result<SpkiInfo> {
        parse_spki(&self.spki_der)
    }

    /// URLs of the CRL distribution points (RFC 5280 §4.2.1.13), for fetching CRLs.
    pub fn crl_urls(&self) -> Vec<String> {
        super::crl::crl_urls(self)
    }

    /// Checks that `issuer` issued this certificate: name chaining (RFC 5280
    /// §6.1.3 (a)(4)) and the signature over tbsCertificate with the issuer's key
    /// (§6.1.3 (a)(1)). Validity and key usage are not judged here.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<()> {
        if !self.issuer.matches(&issuer.subject) {
            return cert_err(format!(
                "issuer name \"{}\" does not match subject \"{}\"",
                self.issuer, issuer.subject
            ));
        }
        if self.signature_unused_bits != 0 {
            return cert_err("the signature BIT STRING has unused bits");
        }
        if self.tbs_signature_algorithm.oid != self.signature_algorithm.oid {
            // RFC 5280 §4.1.1.2.
            return cert_err("signatureAlgorithm differs from tbsCertificate.signature");
        }
        crypto::verify::verify_signed_structure(
            &issuer.spki_der,
            &self.signature_algorithm,
            &self.tbs_der,
            &self.signature,
        )
        .map(|_| ())
        .map_err(|e| Error::Crypto(format!("certificate signature: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{standard_chain, Key, Pki};

    #[test]
    fn parse_and_verify_chain_certificates() {
        let pki = Pki::new();
        let (root, int, leaf) = standard_chain(&pki, Key::P256);
        let c = &leaf.cert;
        assert_eq!(c.version, 3);
        assert_eq!(c.serial_hex(), "1234");
        assert_eq!(
            c.subject.to_rfc4514(),
            "CN=Nguyễn Văn An,title=Giám đốc,O=Bộ Thử Nghiệm,L=Hà Nội,C=VN"
        );
        assert_eq!(c.subject.common_name().as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(c.subject.get(oid::AT_TITLE).as_deref(), Some("Giám đốc"));
        assert_eq!(
            c.issuer.to_rfc4514(),
            "CN=Intermediate CA,O=Bộ Thử Nghiệm,C=VN"
        );
        assert_eq!(c.public_key, PublicKeyKind::Ec { curve: Curve::P256 });
        assert_eq!(
            int.cert.public_key,
            PublicKeyKind::Ec { curve: Curve::P384 }
        );
        assert_eq!(root.cert.public_key, PublicKeyKind::Rsa { bits: 2048 });
        let ku = c.key_usage.unwrap();
        assert!(ku.digital_signature && ku.non_repudiation && !ku.key_cert_sign);
        assert_eq!(
            c.basic_constraints,
            Some(BasicConstraints {
                ca: false,
                path_len: None
            })
        );
        assert!(int.cert.basic_constraints.unwrap().ca);
        assert!(int.cert.key_usage.unwrap().key_cert_sign);
        assert_eq!(c.extended_key_usage, vec!["1.3.6.1.5.5.7.3.4".to_string()]);
        assert_eq!(c.authority_key_id, int.cert.subject_key_id);
        assert!(c.is_valid_at(OffsetDateTime::now_utc()));
        assert!(!c.is_valid_at(OffsetDateTime::now_utc() + time::Duration::days(400)));
        // Round trip through PEM bundle parsing.
        let mut bundle = std::fs::read(&root.pem).unwrap();
        bundle.extend(std::fs::read(&int.pem).unwrap());
        let certs = Certificate::parse_pem_or_der(&bundle).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[1].fingerprint_sha256(), int.cert.fingerprint_sha256());
        assert_eq!(Certificate::parse_pem_or_der(&c.der).unwrap()[0].der, c.der);

        c.verify_issued_by(&int.cert).unwrap();
        int.cert.verify_issued_by(&root.cert).unwrap();
        root.cert.verify_issued_by(&root.cert).unwrap();
        assert!(c.verify_issued_by(&root.cert).is_err());
        assert!(int.cert.verify_issued_by(&int.cert).is_err());
        // Right name, wrong key.
        let other = pki.root(
            "other",
            Key::P384,
            "/C=VN/O=Bộ Thử Nghiệm/CN=Intermediate CA",
        );
        assert!(matches!(
            c.verify_issued_by(&other.cert),
            Err(Error::Crypto(_))
        ));
        // Tampered tbsCertificate.
        let mut bad = c.clone();
        let n = bad.tbs_der.len() - 5;
        bad.tbs_der[n] ^= 1;
        assert!(bad.verify_issued_by(&int.cert).is_err());
    }

    #[test]
    fn ed25519_and_rsa_leaves() {
        let pki = Pki::new();
        let (_, int, leaf) = standard_chain(&pki, Key::Ed25519);
        assert_eq!(leaf.cert.public_key, PublicKeyKind::Ed25519);
        leaf.cert.verify_issued_by(&int.cert).unwrap();
        let ed_ca = pki.root("edroot", Key::Ed25519, "/CN=Ed Root");
        let sub = pki.issue("edleaf", Key::Rsa2048, "/CN=Lê Thị Bình", &ed_ca, false, 7);
        sub.cert.verify_issued_by(&ed_ca.cert).unwrap();
        assert_eq!(sub.cert.public_key, PublicKeyKind::Rsa { bits: 2048 });
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(Certificate::from_der(&[]).is_err());
        assert!(Certificate::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        assert!(Certificate::parse_pem_or_der(b"hello").is_err());
        assert!(Certificate::parse_pem_or_der(
            b"-----BEGIN CERTIFICATE-----\nMIIB!!\n-----END CERTIFICATE-----"
        )
        .is_err());
    }
}
