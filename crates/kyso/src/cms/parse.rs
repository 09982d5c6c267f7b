//! Parsing of ContentInfo / SignedData / SignerInfo (RFC 5652 §3, §5).

use crate::asn1::{oid, reader::tag, AlgorithmIdentifier, Class, Element, Reader};
use crate::error::{Error, Result};
use crate::pki::{Certificate, Name};

use super::attributes::{parse_attributes, Attribute, SignedAttributes};

fn cms_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Cms(msg.into()))
}

/// `SignerIdentifier` (RFC 5652 §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// `issuerAndSerialNumber` (RFC 5652 §10.2.4): the certificate's issuer and serial number
    /// (SignerInfo version 1).
    IssuerAndSerial {
        /// The issuer's distinguished name.
        issuer: Name,
        /// The serial number's INTEGER contents (big-endian, as encoded).
        serial: Vec<u8>,
    },
    /// `[0] subjectKeyIdentifier`: the signer certificate's SKI extension value (SignerInfo version
    /// 3).
    SubjectKeyId(Vec<u8>),
}

/// `SignerInfo` (RFC 5652 §5.3).
#[derive(Clone, Debug)]
pub struct SignerInfo {
    /// CMSVersion: 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
    pub version: u64,
    /// Which certificate signed (looked up with [`SignedData::signer_certificate`]).
    pub sid: SignerIdentifier,
    /// The digest of the content and of the signed attributes.
    pub digest_algorithm: AlgorithmIdentifier,
    /// The signed attributes; `None` when the signature covers the content directly (not allowed by
    /// PAdES).
    pub signed_attrs: Option<SignedAttributes>,
    /// How [`SignerInfo::signature`] was computed (rsaEncryption, RSASSA-PSS,
    /// ecdsa-with-SHA256...).
    pub signature_algorithm: AlgorithmIdentifier,
    /// The signature value (for ECDSA the DER `Ecdsa-Sig-Value`).
    pub signature: Vec<u8>,
    /// Unsigned attributes (signature time-stamp, RFC 3161 Appendix A); empty when none.
    pub unsigned_attrs: Vec<Attribute>,
}

impl SignerInfo {
    /// True when an RFC 3161 signature time-stamp token is attached
    /// (id-aa-signatureTimeStampToken, RFC 3161 Appendix A).
    pub fn has_signature_timestamp(&self) -> bool {
        self.unsigned_attrs
            .iter()
            .any(|a| a.oid == oid::SIGNATURE_TIMESTAMP_TOKEN && !a.values.is_empty())
    }

    /// Parses a SignerInfo element (RFC 5652 §5.3).
    pub fn from_element(el: &Element<'_>) -> Result<SignerInfo> {
        el.expect_universal(tag::SEQUENCE, "SignerInfo")?;
        let mut r = el.children()?;
        let version = r.read()?.as_u64()?;
        let sid_el = r.read()?;
        let sid = if sid_el.is_universal(tag::SEQUENCE) {
            // IssuerAndSerialNumber (RFC 5652 §10.2.4).
            let mut ir = sid_el.children()?;
            let issuer = Name::from_element(&ir.read()?)?;
            let serial = ir.read()?.as_integer()?.to_vec();
            ir.finish("IssuerAndSerialNumber")?;
            SignerIdentifier::IssuerAndSerial { issuer, serial }
        } else if sid_el.is_context(0) {
            SignerIdentifier::SubjectKeyId(sid_el.string_bytes()?.into_owned())
        } else {
            return cms_err("unknown SignerIdentifier choice");
        };
        let digest_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        let signed_attrs = match r.read_optional_context(0)? {
            Some(sa) => Some(SignedAttributes::from_element(&sa)?),
            None => None,
        };
        let signature_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        let signature = r.read()?.as_octet_string()?.into_owned();
        let unsigned_attrs = match r.read_optional_context(1)? {
            Some(ua) => parse_attributes(&ua)?,
            None => Vec::new(),
        };
        r.finish("SignerInfo")?;
        Ok(SignerInfo {
            version,
            sid,
            digest_algorithm,
            signed_attrs,
            signature_algorithm,
            signature,
            unsigned_attrs,
        })
    }
}

/// `SignedData` (RFC 5652 §5.1) from a ContentInfo (§3).
#[derive(Clone, Debug)]
pub struct SignedData {
    /// CMSVersion of the SignedData (1 or 3 in PDF signatures).
    pub version: u64,
    /// digestAlgorithms: the set the signers declare (informative; each SignerInfo names its own).
    pub digest_algorithms: Vec<AlgorithmIdentifier>,
    /// eContentType, dotted OID: id-data for PDF signatures, id-ct-TSTInfo for time-stamp tokens.
    pub encap_content_type: String,
    /// True when eContent is present (an attached signature).
    pub encap_content_present: bool,
    /// eContent bytes when present (constructed segments concatenated).
    pub encap_content: Option<Vec<u8>>,
    /// The X.509 certificates of the `certificates` field, parsed, in order (signer, chain,
    /// anything else).
    pub certificates: Vec<Certificate>,
    /// CertificateChoices that are not X.509 certificates or failed to parse.
    pub unparsed_certificates: usize,
    /// Number of CRLs / other revocation entries in `crls` (not decoded here).
    pub crl_count: usize,
    /// The SignerInfos; a PDF signature has exactly one (ISO 32000-1 §12.8.3.3.1).
    pub signer_infos: Vec<SignerInfo>,
    /// Length of the ContentInfo encoding; bytes after it (PDF padding) are ignored.
    pub encoded_len: usize,
}

impl SignedData {
    /// Parses a ContentInfo holding SignedData. Trailing bytes after the
    /// ContentInfo (the zero padding of a PDF /Contents) are ignored, but the
    /// length comes from the header, never from trimming zeros. BER is accepted.
    ///
    /// # Errors
    ///
    /// [`Error::Cms`] when the ContentInfo is not id-signedData or the SignedData does not follow
    /// RFC 5652 §5.1; [`Error::Asn1`] when the bytes are not BER at all.
    pub fn parse(bytes: &[u8]) -> Result<SignedData> {
        let mut top = Reader::new(bytes);
        let ci = top.read()?;
        let encoded_len = top.position();
        ci.expect_universal(tag::SEQUENCE, "ContentInfo")?;
        let mut r = ci.children()?;
        let ct = r.read()?.as_oid()?;
        if ct != oid::SIGNED_DATA {
            return cms_err(format!("content type {ct} is not id-signedData"));
        }
        let content = r.read()?;
        if !content.is_context(0) {
            return cms_err("ContentInfo content is not [0] EXPLICIT");
        }
        r.finish("ContentInfo")?;
        let sd = content.children()?.read_single()?;
        sd.expect_universal(tag::SEQUENCE, "SignedData")?;
        let mut r = sd.children()?;
        let version = r.read()?.as_u64()?;
        let algs = r.read_universal(tag::SET, "digestAlgorithms")?;
        let mut digest_algorithms = Vec::new();
        for a in algs.children()? {
            digest_algorithms.push(AlgorithmIdentifier::from_element(&a?)?);
        }
        // EncapsulatedContentInfo (RFC 5652 §5.2).
        let eci = r.read_universal(tag::SEQUENCE, "EncapsulatedContentInfo")?;
        let mut er = eci.children()?;
        let encap_content_type = er.read()?.as_oid()?;
        let encap_content = match er.read_optional_context(0)? {
            Some(ec) => Some(
                ec.children()?
                    .read_single()?
                    .as_octet_string()?
                    .into_owned(),
            ),
            None => None,
        };
        er.finish("EncapsulatedContentInfo")?;
        let mut certificates = Vec::new();
        let mut unparsed_certificates = 0;
        if let Some(certs) = r.read_optional_context(0)? {
            for c in certs.children()? {
                let c = c?;
                match (c.class, c.number) {
                    // Counted, not hidden: verify reports unparsed certificates, and a signer
                    // whose certificate is among them is not found (RFC 5652 §5.1).
                    (Class::Universal, tag::SEQUENCE) => match Certificate::from_element(&c) {
                        Ok(cert) => certificates.push(cert),
                        Err(_) => unparsed_certificates += 1,
                    },
                    _ => unparsed_certificates += 1,
                }
            }
        }
        let mut crl_count = 0;
        if let Some(crls) = r.read_optional_context(1)? {
            for c in crls.children()? {
                c?;
                crl_count += 1;
            }
        }
        let sis = r.read_universal(tag::SET, "signerInfos")?;
        let mut signer_infos = Vec::new();
        for si in sis.children()? {
            signer_infos.push(SignerInfo::from_element(&si?)?);
        }
        r.finish("SignedData")?;
        Ok(SignedData {
            version,
            digest_algorithms,
            encap_content_type,
            encap_content_present: encap_content.is_some(),
            encap_content,
            certificates,
            unparsed_certificates,
            crl_count,
            signer_infos,
            encoded_len,
        })
    }

    /// Index into `certificates` of the signer's certificate (RFC 5652 §5.3 sid).
    pub fn signer_certificate_index(&self, si: &SignerInfo) -> Option<usize> {
        self.certificates.iter().position(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerial { issuer, serial } => {
                strip_sign(&c.serial) == strip_sign(serial) && c.issuer.matches(issuer)
            }
            SignerIdentifier::SubjectKeyId(ski) => c.subject_key_id.as_deref() == Some(ski),
        })
    }

    /// The signer's certificate, found by issuerAndSerialNumber or subjectKeyIdentifier.
    pub fn signer_certificate(&self, si: &SignerInfo) -> Option<&Certificate> {
        self.signer_certificate_index(si)
            .map(|i| &self.certificates[i])
    }
}

/// Serial contents without leading zero octets (tolerates non-minimal encodings).
pub(crate) fn strip_sign(s: &[u8]) -> &[u8] {
    let skip = s
        .iter()
        .take_while(|&&b| b == 0)
        .count()
        .min(s.len().saturating_sub(1));
    &s[skip..]
}
