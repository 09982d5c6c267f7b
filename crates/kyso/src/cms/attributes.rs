//! CMS attributes (RFC 5652 §5.3, §11) and ESS signing-certificate
//! attributes (RFC 2634 §5.4, RFC 5035 §3).

use time::OffsetDateTime;

use crate::asn1::{oid, reader::tag, writer, AlgorithmIdentifier, Element, Reader};
use crate::crypto::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::pki::Name;

fn cms_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Cms(msg.into()))
}

/// `Attribute ::= SEQUENCE { attrType OID, attrValues SET OF AttributeValue }`
/// (RFC 5652 §5.3). Values keep their encoding as found (DER for DER input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// attrType, dotted OID (e.g. `1.2.840.113549.1.9.4` for message-digest).
    pub oid: String,
    /// attrValues: the encoding of each value of the SET, in order (usually one).
    pub values: Vec<Vec<u8>>,
}

impl Attribute {
    /// Parses one `Attribute` element; fails with [`Error::Asn1`] when it is not a SEQUENCE of
    /// an OID and a SET.
    pub fn from_element(el: &Element<'_>) -> Result<Attribute> {
        el.expect_universal(tag::SEQUENCE, "Attribute")?;
        let mut r = el.children()?;
        let oid = r.read()?.as_oid()?;
        let set = r.read_universal(tag::SET, "attrValues")?;
        r.finish("Attribute")?;
        let mut values = Vec::new();
        for v in set.children()? {
            values.push(v?.raw.to_vec());
        }
        Ok(Attribute { oid, values })
    }

    /// DER encoding; values are sorted as a SET OF (X.690 §11.6).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let vals: Vec<&[u8]> = self.values.iter().map(Vec::as_slice).collect();
        Ok(writer::sequence(&[
            &writer::oid(&self.oid)?,
            &writer::set_of(&vals),
        ]))
    }

    fn single_value(&self) -> Result<Element<'_>> {
        match self.values.as_slice() {
            // RFC 5652 §11: these attributes MUST have a single value.
            [v] => Reader::new(v).read_single(),
            _ => cms_err(format!(
                "attribute {} must have exactly one value",
                self.oid
            )),
        }
    }
}

/// Parses a `SET OF Attribute` element (`[0]`/`[1]` IMPLICIT, or a universal SET).
pub fn parse_attributes(el: &Element<'_>) -> Result<Vec<Attribute>> {
    let mut out = Vec::new();
    for a in el.children()? {
        out.push(Attribute::from_element(&a?)?);
    }
    Ok(out)
}

/// One ESSCertID / ESSCertIDv2 (RFC 2634 §5.4.1, RFC 5035 §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EssCertId {
    /// The algorithm of [`EssCertId::hash`]: SHA-1 for ESSCertID (v1), the `hashAlgorithm`
    /// field (default SHA-256) for ESSCertIDv2.
    pub hash_algorithm: DigestAlgorithm,
    /// `certHash`: the digest of the whole signer certificate (its DER).
    pub hash: Vec<u8>,
    /// issuerSerial: the first directoryName of the GeneralNames and the serial contents.
    pub issuer_serial: Option<(Name, Vec<u8>)>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }` (RFC 5035 §4).
fn parse_issuer_serial(el: &Element<'_>) -> Result<Option<(Name, Vec<u8>)>> {
    el.expect_universal(tag::SEQUENCE, "IssuerSerial")?;
    let mut r = el.children()?;
    let names = r.read_universal(tag::SEQUENCE, "GeneralNames")?;
    let serial = r.read()?.as_integer()?.to_vec();
    r.finish("IssuerSerial")?;
    for gn in names.children()? {
        let gn = gn?;
        // directoryName [4] EXPLICIT Name (RFC 5280 §4.2.1.6).
        if gn.is_context(4) && gn.constructed {
            let name = Name::from_element(&gn.children()?.read_single()?)?;
            return Ok(Some((name, serial)));
        }
    }
    Ok(None)
}

/// Parses `SigningCertificate` (v2 = false) or `SigningCertificateV2` (v2 = true).
fn parse_signing_certificate(value: &Element<'_>, v2: bool) -> Result<Vec<EssCertId>> {
    value.expect_universal(tag::SEQUENCE, "SigningCertificate")?;
    let mut r = value.children()?;
    let certs = r.read_universal(tag::SEQUENCE, "certs")?;
    // The optional policies are ignored.
    let mut out = Vec::new();
    for c in certs.children()? {
        let c = c?;
        c.expect_universal(tag::SEQUENCE, "ESSCertID")?;
        let mut cr = c.children()?;
        let mut hash_algorithm = DigestAlgorithm::Sha1;
        if v2 {
            // hashAlgorithm DEFAULT id-sha256 (RFC 5035 §4).
            hash_algorithm = DigestAlgorithm::Sha256;
            if let Some(ai) = cr.read_optional_universal(tag::SEQUENCE)? {
                let ai = AlgorithmIdentifier::from_element(&ai)?;
                hash_algorithm = DigestAlgorithm::from_oid(&ai.oid).ok_or_else(|| {
                    Error::UnsupportedAlgorithm(format!("ESSCertIDv2 hash {}", ai.oid))
                })?;
            }
        }
        let hash = cr.read()?.as_octet_string()?.into_owned();
        let issuer_serial = match cr.read_optional_universal(tag::SEQUENCE)? {
            Some(is) => parse_issuer_serial(&is)?,
            None => None,
        };
        cr.finish("ESSCertID")?;
        out.push(EssCertId {
            hash_algorithm,
            hash,
            issuer_serial,
        });
    }
    Ok(out)
}

/// The signed attributes of a SignerInfo (RFC 5652 §5.3, §5.4).
#[derive(Clone, Debug)]
pub struct SignedAttributes {
    /// The encoding the signature covers: the SET OF with tag 0x31 (RFC 5652 §5.4).
    /// The original bytes with the tag changed when they were definite-length,
    /// otherwise the DER re-encoding of BER input.
    pub der: Vec<u8>,
    /// content-type attribute (RFC 5652 §11.1), dotted OID; must equal eContentType.
    pub content_type: Option<String>,
    /// message-digest attribute (RFC 5652 §11.2): the hash of the signed content (for PDF, of the
    /// /ByteRange bytes). `None` when absent.
    pub message_digest: Option<Vec<u8>>,
    /// signing-time attribute (RFC 5652 §11.3): the signer's own claim, not trusted (PAdES
    /// baseline signatures put the claimed time in /M instead, ETSI EN 319 142-1). `None` when
    /// absent.
    pub signing_time: Option<OffsetDateTime>,
    /// ESS signing-certificate-v2 (RFC 5035 §3): the certificates identified, first one the
    /// signer's. `None` when absent.
    pub signing_certificate_v2: Option<Vec<EssCertId>>,
    /// ESS signing-certificate (RFC 2634 §5.4, SHA-1 hashes), as legacy signers write it. `None`
    /// when absent.
    pub signing_certificate_v1: Option<Vec<EssCertId>>,
    /// Every signed attribute in order, the ones decoded above included.
    pub attributes: Vec<Attribute>,
}

impl SignedAttributes {
    /// Parses the `[0] IMPLICIT SignedAttributes` element.
    pub fn from_element(el: &Element<'_>) -> Result<SignedAttributes> {
        let der = if el.is_definite_everywhere()? {
            writer::retag(el.raw, 0x31)?
        } else {
            // BER input: DER of the SET OF, components sorted (X.690 §11.6).
            let mut parts = Vec::new();
            for c in el.children()? {
                parts.push(c?.to_der()?);
            }
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            writer::set_of(&refs)
        };
        let attributes = parse_attributes(el)?;
        if attributes.is_empty() {
            // RFC 5652 §5.3: SIZE (1..MAX).
            return cms_err("empty signed attributes");
        }
        let mut sa = SignedAttributes {
            der,
            content_type: None,
            message_digest: None,
            signing_time: None,
            signing_certificate_v2: None,
            signing_certificate_v1: None,
            attributes: Vec::new(),
        };
        // Counted once, so that thousands of attributes stay linear.
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for a in &attributes {
            *counts.entry(a.oid.as_str()).or_default() += 1;
        }
        for a in &attributes {
            let dup = counts[a.oid.as_str()] > 1; // every attribute was counted above
            match a.oid.as_str() {
                oid::CONTENT_TYPE | oid::MESSAGE_DIGEST | oid::SIGNING_TIME if dup => {
                    // RFC 5652 §11.1-11.3: single instance.
                    return cms_err(format!("duplicate signed attribute {}", a.oid));
                }
                oid::SIGNING_CERTIFICATE | oid::SIGNING_CERTIFICATE_V2 if dup => {
                    return cms_err(format!("duplicate signed attribute {}", a.oid));
                }
                oid::CONTENT_TYPE => sa.content_type = Some(a.single_value()?.as_oid()?),
                oid::MESSAGE_DIGEST => {
                    sa.message_digest = Some(a.single_value()?.as_octet_string()?.into_owned())
                }
                oid::SIGNING_TIME => sa.signing_time = Some(a.single_value()?.as_time()?),
                oid::SIGNING_CERTIFICATE_V2 => {
                    sa.signing_certificate_v2 =
                        Some(parse_signing_certificate(&a.single_value()?, true)?)
                }
                oid::SIGNING_CERTIFICATE => {
                    sa.signing_certificate_v1 =
                        Some(parse_signing_certificate(&a.single_value()?, false)?)
                }
                // Other attributes are kept in `attributes` (RFC 5652 §5.3 has no criticality).
                _ => {}
            }
        }
        sa.attributes = attributes;
        Ok(sa)
    }

    /// Parses from the DER SET (tag 0x31) encoding.
    pub fn from_der(der: &[u8]) -> Result<SignedAttributes> {
        let el = Reader::new(der).read_single()?;
        el.expect_universal(tag::SET, "SignedAttributes")?;
        SignedAttributes::from_element(&el)
    }

    /// The attribute with this OID, if present.
    pub fn get(&self, oid: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.oid == oid)
    }
}
