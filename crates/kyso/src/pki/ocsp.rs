//! OCSP (RFC 6960): build a request for (certificate, issuer), send it to the responder named in
//! the certificate's Authority Information Access, parse the response and verify it.
//!
//! Online: [`check_ocsp`]. Offline, on responses embedded in a PDF (DSS `/OCSPs`, CMS
//! adbe-revocationInfoArchival): [`OcspResponse::parse`] then [`OcspResponse::status_for`].
//!
//! A response is accepted only when (RFC 6960 §3.2, §4.2.2.2):
//! - its signature verifies with the key of its signer;
//! - the signer is the issuing CA itself, or a delegated responder whose certificate the same CA
//!   issued (signature checked) with the extended key usage id-kp-OCSPSigning, valid when the
//!   response was produced;
//! - it holds a SingleResponse whose CertID is the certificate asked about;
//! - the nonce matches, when one was sent and the responder echoed it;
//! - thisUpdate (and producedAt) are not after the validation time (small clock skew allowed) and
//!   nextUpdate, when present, is not before it; without nextUpdate, thisUpdate is no older than
//!   [`crate::pki::validate::DEFAULT_MAX_REVOCATION_AGE`] (by default) and not before the signing
//!   time when one is given (issue 13 item 6).
//!
//! The delegated responder's own revocation status (id-pkix-ocsp-nocheck) is not checked.

use std::fmt;

use time::{Duration, OffsetDateTime};

use super::certificate::{parse_extensions, Certificate, Extension};
use super::name::Name;
use crate::asn1::{oid, reader::tag, writer as w, AlgorithmIdentifier, Element, Reader};
use crate::crypto::{self, DigestAlgorithm};
use crate::error::{Error, Result};
use crate::net::HttpClient;

/// Clock skew allowed by default between us and the responder.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(5);
/// Length of the nonce we send (RFC 8954 §2.1: 1 to 32 octets, 32 recommended).
pub const NONCE_LEN: usize = 32;
/// Media type of a POSTed request (RFC 6960 Appendix C.1).
pub const REQUEST_CONTENT_TYPE: &str = "application/ocsp-request";

pub use crate::error::kinds::OcspFailure;

fn fail<T>(kind: OcspFailure, detail: impl Into<String>) -> Result<T> {
    Err(Error::Ocsp {
        kind,
        detail: detail.into(),
    })
}

fn malformed(e: Error) -> Error {
    match e {
        e @ Error::Ocsp { .. } => e,
        other => Error::Ocsp {
            kind: OcspFailure::Malformed,
            detail: other.to_string(),
        },
    }
}

/// CRLReason is defined with CRLs (RFC 5280 §5.3.1) and reused by OCSP (RFC 6960 §4.2.1).
pub use super::crl::RevocationReason;

/// The status of one certificate (RFC 6960 §4.2.1 CertStatus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspStatus {
    /// The responder knows the certificate and it is not revoked (at `thisUpdate`).
    Good,
    /// The certificate is revoked (or on hold).
    Revoked {
        /// revocationTime: when the CA revoked it.
        time: OffsetDateTime,
        /// revocationReason; None when the responder gave none.
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// `CertID` (RFC 6960 §4.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertId {
    /// The digest of the two hashes below: SHA-1 in the requests kyso sends (RFC 5019 §2.1.1:
    /// what every responder supports); a response may use another.
    pub hash_algorithm: AlgorithmIdentifier,
    /// Hash of the DER of the issuer's name (the issuer field of the certificate asked about).
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's subjectPublicKey BIT STRING contents (without the unused-bits octet).
    pub issuer_key_hash: Vec<u8>,
    /// serialNumber INTEGER contents octets.
    pub serial: Vec<u8>,
}

/// Hash of a public key as OCSP uses it: over the subjectPublicKey BIT STRING contents.
fn key_hash(alg: DigestAlgorithm, cert: &Certificate) -> Result<Vec<u8>> {
    Ok(crypto::digest(alg, &cert.spki()?.key_bytes))
}

impl CertId {
    /// The SHA-1 CertID of `cert` issued by `issuer` (what responders universally support).
    pub fn new(cert: &Certificate, issuer: &Certificate) -> Result<CertId> {
        CertId::with_digest(cert, issuer, DigestAlgorithm::Sha1)
    }

    /// The CertID with another hash (SHA-1 or SHA-2). Parameters are NULL, as OpenSSL and most
    /// responders write them.
    pub fn with_digest(
        cert: &Certificate,
        issuer: &Certificate,
        alg: DigestAlgorithm,
    ) -> Result<CertId> {
        if alg == DigestAlgorithm::Shake256 {
            return Err(Error::UnsupportedAlgorithm(
                "SHAKE256 in an OCSP CertID".into(),
            ));
        }
        Ok(CertId {
            hash_algorithm: AlgorithmIdentifier::with_params(alg.oid(), &w::null())?,
            issuer_name_hash: crypto::digest(alg, &cert.issuer.der),
            issuer_key_hash: key_hash(alg, issuer)?,
            serial: cert.serial.clone(),
        })
    }

    /// DER encoding.
    pub fn to_der(&self) -> Vec<u8> {
        w::sequence(&[
            &self.hash_algorithm.der,
            &w::octet_string(&self.issuer_name_hash),
            &w::octet_string(&self.issuer_key_hash),
            &w::integer_raw(&self.serial),
        ])
    }

    fn from_element(el: &Element<'_>) -> Result<CertId> {
        el.expect_universal(tag::SEQUENCE, "CertID")?;
        let mut r = el.children()?;
        let hash_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        let issuer_name_hash = r.read()?.as_octet_string()?.into_owned();
        let issuer_key_hash = r.read()?.as_octet_string()?.into_owned();
        let serial = r.read()?.as_integer()?.to_vec();
        r.finish("CertID")?;
        Ok(CertId {
            hash_algorithm,
            issuer_name_hash,
            issuer_key_hash,
            serial,
        })
    }

    /// True when this CertID designates `cert` issued by `issuer`, whatever its hash algorithm
    /// (SHA-1 or SHA-2).
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        let Some(alg) = DigestAlgorithm::from_oid(&self.hash_algorithm.oid) else {
            return false;
        };
        if alg == DigestAlgorithm::Shake256 || self.serial != cert.serial {
            return false;
        }
        let name_ok = self.issuer_name_hash == crypto::digest(alg, &cert.issuer.der)
            || self.issuer_name_hash == crypto::digest(alg, &issuer.subject.der);
        name_ok && key_hash(alg, issuer).is_ok_and(|h| h == self.issuer_key_hash)
    }
}

/// An OCSPRequest for one certificate (RFC 6960 §4.1.1), unsigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspRequest {
    /// Which certificate the request asks about.
    pub cert_id: CertId,
    /// The nonce sent in the id-pkix-ocsp-nonce extension (RFC 6960 §4.4.1), if any.
    pub nonce: Option<Vec<u8>>,
    /// DER encoding of the OCSPRequest.
    pub der: Vec<u8>,
}

impl OcspRequest {
    /// A request for `cert` issued by `issuer` with a SHA-1 CertID, and a fresh random nonce
    /// of [`NONCE_LEN`] octets when `with_nonce`.
    ///
    /// # Errors
    ///
    /// The issuer's public key cannot be read (for the key hash), or the random generator fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use kyso::pki::{ocsp::OcspRequest, Certificate};
    ///
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/");
    /// let cert = |f: &str| -> Result<Certificate, Box<dyn std::error::Error>> {
    ///     Ok(Certificate::parse_pem_or_der(&std::fs::read(format!("{dir}{f}"))?)?.remove(0))
    /// };
    /// let (leader, ca) = (cert("leader.pem")?, cert("intermediate.pem")?);
    ///
    /// let request = OcspRequest::new(&leader, &ca, true)?;
    /// assert!(request.cert_id.matches(&leader, &ca));
    /// assert_eq!(request.nonce.as_ref().map(Vec::len), Some(kyso::pki::ocsp::NONCE_LEN));
    /// // RFC 6960 Appendix A.1: small requests may go as a GET.
    /// assert!(request.get_url("http://ocsp.example.vn").starts_with("http://ocsp.example.vn/M"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(cert: &Certificate, issuer: &Certificate, with_nonce: bool) -> Result<Self> {
        let nonce = if with_nonce {
            let mut n = vec![0u8; NONCE_LEN];
            aws_lc_rs::rand::fill(&mut n)
                .map_err(|_| Error::Crypto("random generator failed".into()))?;
            Some(n)
        } else {
            None
        };
        Ok(OcspRequest::from_cert_id(CertId::new(cert, issuer)?, nonce))
    }

    /// A request for `cert_id` with the given nonce (octets; `None`: no nonce extension).
    pub fn from_cert_id(cert_id: CertId, nonce: Option<Vec<u8>>) -> Self {
        // Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT OPTIONAL }
        let request_list = w::sequence(&[&w::sequence(&[&cert_id.to_der()])]);
        let tbs = match &nonce {
            Some(n) => {
                // Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }
                // whose extnValue holds the DER of Nonce ::= OCTET STRING.
                let ext = w::sequence(&[
                    &w::oid_const(oid::OCSP_NONCE),
                    &w::octet_string(&w::octet_string(n)),
                ]);
                w::sequence(&[&request_list, &w::explicit(2, &w::sequence(&[&ext]))])
            }
            None => w::sequence(&[&request_list]),
        };
        OcspRequest {
            cert_id,
            nonce,
            der: w::sequence(&[&tbs]),
        }
    }

    /// The URL of a GET request to responder `base` (RFC 6960 Appendix A.1): the base64 of the
    /// DER, URL-encoded, appended as a path segment.
    pub fn get_url(&self, base: &str) -> String {
        let sep = if base.ends_with('/') { "" } else { "/" };
        format!(
            "{base}{sep}{}",
            url_encode_base64(&crate::base64::encode(&self.der))
        )
    }
}

/// Percent-encodes the base64 characters that are not unreserved in a URL path (RFC 3986 §2).
fn url_encode_base64(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}

/// `ResponderID` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponderId {
    /// The subject name of the responder's certificate.
    ByName(Name),
    /// SHA-1 of the responder's subjectPublicKey BIT STRING contents.
    ByKey(Vec<u8>),
}

impl ResponderId {
    /// True when `cert` is the responder this ID designates.
    pub fn designates(&self, cert: &Certificate) -> bool {
        match self {
            ResponderId::ByName(n) => n.matches(&cert.subject),
            ResponderId::ByKey(h) => key_hash(DigestAlgorithm::Sha1, cert).is_ok_and(|k| &k == h),
        }
    }
}

impl fmt::Display for ResponderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponderId::ByName(n) => write!(f, "{n}"),
            ResponderId::ByKey(h) => {
                f.write_str("key SHA-1 ")?;
                h.iter().try_for_each(|b| write!(f, "{b:02X}"))
            }
        }
    }
}

/// One `SingleResponse` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleResponse {
    /// The certificate this answer is about (match it with [`CertId::matches`]).
    pub cert_id: CertId,
    /// certStatus: good, revoked or unknown.
    pub status: OcspStatus,
    /// The time at which the status is known to be correct.
    pub this_update: OffsetDateTime,
    /// When newer status will be available; None = at any time (freshness is then bounded
    /// by the caller's maximum age).
    pub next_update: Option<OffsetDateTime>,
}

/// A successful OCSP response carrying a BasicOCSPResponse (RFC 6960 §4.2.1), parsed but not
/// yet verified.
#[derive(Clone, Debug)]
pub struct OcspResponse {
    /// The OCSPResponse encoding (rebuilt around the BasicOCSPResponse when parsed from one).
    pub der: Vec<u8>,
    /// The BasicOCSPResponse encoding.
    pub basic_der: Vec<u8>,
    /// The tbsResponseData encoding, what the responder signed.
    pub tbs_der: Vec<u8>,
    /// Who signed the response: by name or by key hash.
    pub responder_id: ResponderId,
    /// producedAt: when the responder signed the response.
    pub produced_at: OffsetDateTime,
    /// One answer per certificate asked about (usually one).
    pub responses: Vec<SingleResponse>,
    /// The extnValue (OCTET STRING contents) of the nonce response extension, if any.
    pub nonce: Option<Vec<u8>>,
    /// The algorithm of the responder's signature.
    pub signature_algorithm: AlgorithmIdentifier,
    /// The responder's signature over `tbs_der` (BIT STRING contents).
    pub signature: Vec<u8>,
    /// Certificates included to help verify the signature (`certs`).
    pub certs: Vec<Certificate>,
}

/// OCSPResponseStatus names (RFC 6960 §4.2.1).
fn response_status_name(v: u64) -> &'static str {
    match v {
        0 => "successful",
        1 => "malformedRequest",
        2 => "internalError",
        3 => "tryLater",
        5 => "sigRequired",
        6 => "unauthorized",
        _ => "unknown status",
    }
}

/// Reads the `Extensions` inside an explicit tag (RFC 6960 §4.2.1, RFC 5280 §4.1).
fn read_extensions(el: &Element<'_>) -> Result<Vec<Extension>> {
    parse_extensions(&el.children()?.read_single()?)
}

fn reject_unknown_critical(exts: &[Extension], known: &[&str]) -> Result<()> {
    match exts
        .iter()
        .find(|e| e.critical && !known.contains(&e.oid.as_str()))
    {
        Some(e) => fail(
            OcspFailure::Malformed,
            format!("unknown critical extension {}", e.oid),
        ),
        None => Ok(()),
    }
}

fn read_generalized_time(el: &Element<'_>, what: &str) -> Result<OffsetDateTime> {
    el.expect_universal(tag::GENERALIZED_TIME, what)?;
    el.as_time()
}

/// The answer about `cert` among a response's SingleResponses (RFC 6960 §4.2.1, found by
/// CertID). Several answers about it that disagree (good in one, revoked in another) are not
/// understood: the response is refused, never read as its first answer.
fn single_for<'a>(
    responses: &'a [SingleResponse],
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<Option<&'a SingleResponse>> {
    let mut matching = responses.iter().filter(|s| s.cert_id.matches(cert, issuer));
    let Some(first) = matching.next() else {
        return Ok(None);
    };
    if let Some(other) = matching.find(|s| s.status != first.status) {
        return fail(
            OcspFailure::Malformed,
            format!(
                "contradictory statuses for serial {}: {:?} and {:?}",
                cert.serial_hex(),
                first.status,
                other.status
            ),
        );
    }
    Ok(Some(first))
}

fn parse_single(el: &Element<'_>) -> Result<SingleResponse> {
    el.expect_universal(tag::SEQUENCE, "SingleResponse")?;
    let mut r = el.children()?;
    let cert_id = CertId::from_element(&r.read()?)?;
    let st = r.read()?;
    let status = match (st.class, st.number) {
        (crate::asn1::Class::Context, 0) => {
            if !st.value.is_empty() {
                return fail(OcspFailure::Malformed, "good status with contents");
            }
            OcspStatus::Good
        }
        (crate::asn1::Class::Context, 1) => {
            // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
            //                            revocationReason [0] EXPLICIT CRLReason OPTIONAL }
            let mut ri = st.children()?;
            let time = read_generalized_time(&ri.read()?, "revocationTime")?;
            let reason = match ri.read_optional_context(0)? {
                Some(rr) => {
                    let e = rr.children()?.read_single()?;
                    e.expect_universal(tag::ENUMERATED, "CRLReason")?;
                    let code = e.as_u64()?;
                    Some(
                        RevocationReason::from_code(code).ok_or_else(|| Error::Ocsp {
                            kind: OcspFailure::Malformed,
                            detail: format!("unknown CRLReason {code}"),
                        })?,
                    )
                }
                None => None,
            };
            ri.finish("RevokedInfo")?;
            OcspStatus::Revoked { time, reason }
        }
        (crate::asn1::Class::Context, 2) => OcspStatus::Unknown,
        _ => return fail(OcspFailure::Malformed, "unknown CertStatus"),
    };
    let this_update = read_generalized_time(&r.read()?, "thisUpdate")?;
    let next_update = match r.read_optional_context(0)? {
        Some(n) => Some(read_generalized_time(
            &n.children()?.read_single()?,
            "nextUpdate",
        )?),
        None => None,
    };
    if let Some(e) = r.read_optional_context(1)? {
        // CRL references, archive cutoff... are informational; nothing critical is understood.
        reject_unknown_critical(&read_extensions(&e)?, &[])?;
    }
    r.finish("SingleResponse")?;
    Ok(SingleResponse {
        cert_id,
        status,
        this_update,
        next_update,
    })
}

impl OcspResponse {
    /// Parses an `OCSPResponse` (RFC 6960 §4.2.1), as sent by responders and stored in PDF DSS
    /// `/OCSPs` and adbe-revocationInfoArchival. A non-successful responseStatus gives
    /// [`OcspFailure::ResponderError`]; anything unreadable [`OcspFailure::Malformed`].
    pub fn parse(der: &[u8]) -> Result<OcspResponse> {
        let basic = (|| {
            let el = Reader::new(der).read_single()?;
            el.expect_universal(tag::SEQUENCE, "OCSPResponse")?;
            let mut r = el.children()?;
            let st = r.read()?;
            st.expect_universal(tag::ENUMERATED, "responseStatus")?;
            let status = st.as_u64()?;
            if status != 0 {
                return fail(
                    OcspFailure::ResponderError,
                    format!(
                        "responder answered {} ({status})",
                        response_status_name(status)
                    ),
                );
            }
            let Some(rb) = r.read_optional_context(0)? else {
                return fail(
                    OcspFailure::Malformed,
                    "successful response without responseBytes",
                );
            };
            r.finish("OCSPResponse")?;
            let rb = rb.children()?.read_single()?;
            rb.expect_universal(tag::SEQUENCE, "ResponseBytes")?;
            let mut br = rb.children()?;
            let ty = br.read()?.as_oid()?;
            if ty != oid::OCSP_BASIC {
                return fail(
                    OcspFailure::Malformed,
                    format!("unsupported response type {ty}"),
                );
            }
            let bytes = br.read()?.as_octet_string()?.into_owned();
            br.finish("ResponseBytes")?;
            Ok(bytes)
        })()
        .map_err(malformed)?;
        let mut resp = OcspResponse::parse_basic(&basic)?;
        resp.der = der.to_vec();
        Ok(resp)
    }

    /// Parses a `BasicOCSPResponse` (RFC 6960 §4.2.1), as found in CAdES RevocationValues.
    pub fn parse_basic(der: &[u8]) -> Result<OcspResponse> {
        OcspResponse::parse_basic_inner(der).map_err(malformed)
    }

    fn parse_basic_inner(der: &[u8]) -> Result<OcspResponse> {
        let el = Reader::new(der).read_single()?;
        el.expect_universal(tag::SEQUENCE, "BasicOCSPResponse")?;
        let mut r = el.children()?;
        let tbs = r.read_universal(tag::SEQUENCE, "tbsResponseData")?;
        let signature_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        let signature = r.read()?.as_bit_string_octets()?.into_owned();
        let mut certs = Vec::new();
        if let Some(c) = r.read_optional_context(0)? {
            let seq = c.children()?.read_single()?;
            seq.expect_universal(tag::SEQUENCE, "certs")?;
            for cert in seq.children()? {
                certs.push(Certificate::from_element(&cert?)?);
            }
        }
        r.finish("BasicOCSPResponse")?;

        let mut t = tbs.children()?;
        if let Some(v) = t.read_optional_context(0)? {
            let v = v.children()?.read_single()?.as_u64()?;
            if v != 0 {
                return fail(
                    OcspFailure::Malformed,
                    format!("unknown ResponseData version {}", v + 1),
                );
            }
        }
        let rid = t.read()?;
        let responder_id = match (rid.class, rid.number) {
            (crate::asn1::Class::Context, 1) => {
                ResponderId::ByName(Name::from_element(&rid.children()?.read_single()?)?)
            }
            (crate::asn1::Class::Context, 2) => ResponderId::ByKey(
                rid.children()?
                    .read_single()?
                    .as_octet_string()?
                    .into_owned(),
            ),
            _ => return fail(OcspFailure::Malformed, "unknown ResponderID"),
        };
        let produced_at = read_generalized_time(&t.read()?, "producedAt")?;
        let list = t.read_universal(tag::SEQUENCE, "responses")?;
        let mut responses = Vec::new();
        for s in list.children()? {
            responses.push(parse_single(&s?)?);
        }
        let mut nonce = None;
        if let Some(e) = t.read_optional_context(1)? {
            let exts = read_extensions(&e)?;
            reject_unknown_critical(&exts, &[oid::OCSP_NONCE])?;
            nonce = exts
                .into_iter()
                .find(|e| e.oid == oid::OCSP_NONCE)
                .map(|e| e.value);
        }
        t.finish("ResponseData")?;

        // OCSPResponse { successful, [0] EXPLICIT ResponseBytes { basic, OCTET STRING } }
        let wrapped = w::sequence(&[
            &w::tlv(0x0A, &[0]),
            &w::explicit(
                0,
                &w::sequence(&[&w::oid_const(oid::OCSP_BASIC), &w::octet_string(der)]),
            ),
        ]);
        Ok(OcspResponse {
            der: wrapped,
            basic_der: der.to_vec(),
            tbs_der: tbs.raw.to_vec(),
            responder_id,
            produced_at,
            responses,
            nonce,
            signature_algorithm,
            signature,
            certs,
        })
    }

    /// Verifies this response for `cert` issued by `issuer` and judges it at `at` with the
    /// default options (no nonce: for responses embedded in documents).
    pub fn status_for(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        at: OffsetDateTime,
    ) -> Result<OcspOutcome> {
        self.status_for_with(cert, issuer, at, &OcspOptions::default(), None)
    }

    /// As [`OcspResponse::status_for`], with options and the nonce that was sent, if any.
    pub fn status_for_with(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        at: OffsetDateTime,
        options: &OcspOptions,
        sent_nonce: Option<&[u8]>,
    ) -> Result<OcspOutcome> {
        if !cert.issuer.matches(&issuer.subject) {
            return Err(Error::InvalidArgument(format!(
                "OCSP: \"{}\" is not the issuer of \"{}\"",
                issuer.subject, cert.subject
            )));
        }
        let signer = self.verify_signer(issuer)?;
        // Issue 20 item 3: the responder is on the path that decides the verdict.
        let policy = crate::pki::validate::AlgorithmPolicy::default();
        if let Err(why) = crate::pki::validate::key_allowed(signer, &policy) {
            return fail(OcspFailure::WeakKey, format!("responder: {why}"));
        }
        let Some(single) = single_for(&self.responses, cert, issuer)? else {
            return fail(
                OcspFailure::CertIdMismatch,
                format!(
                    "no status for serial {} issued by \"{}\" among {} response(s)",
                    cert.serial_hex(),
                    issuer.subject,
                    self.responses.len()
                ),
            );
        };
        self.check_nonce(options, sent_nonce)?;
        let skew = options.clock_skew;
        if single.this_update > at + skew {
            return fail(
                OcspFailure::NotYetValid,
                format!("thisUpdate {} is after {at}", single.this_update),
            );
        }
        if self.produced_at > at + skew {
            return fail(
                OcspFailure::NotYetValid,
                format!("producedAt {} is after {at}", self.produced_at),
            );
        }
        match single.next_update {
            Some(nu) if nu < at => {
                return fail(
                    OcspFailure::Stale,
                    format!("nextUpdate {nu} is before {at}"),
                );
            }
            None => {
                if let Some(t) = options.issued_after {
                    if single.this_update + options.clock_skew < t {
                        return fail(
                            OcspFailure::Stale,
                            format!(
                                "thisUpdate {} is before the signing time {t} (no nextUpdate)",
                                single.this_update
                            ),
                        );
                    }
                }
                if let Some(max) = options.max_age_without_next_update {
                    if at - single.this_update > max {
                        return fail(
                            OcspFailure::Stale,
                            format!(
                                "thisUpdate {} is older than {max} at {at} (no nextUpdate)",
                                single.this_update
                            ),
                        );
                    }
                }
            }
            Some(_) => {}
        }
        Ok(OcspOutcome {
            status: single.status,
            this_update: single.this_update,
            next_update: single.next_update,
            produced_at: self.produced_at,
            responder: signer.subject.to_rfc4514(),
            delegated: signer.der != issuer.der,
            response_der: self.der.clone(),
        })
    }

    fn check_nonce(&self, options: &OcspOptions, sent: Option<&[u8]>) -> Result<()> {
        let Some(sent) = sent else {
            return Ok(());
        };
        match &self.nonce {
            // The extnValue holds the DER of an OCTET STRING; a few responders echo raw octets.
            Some(got) if *got == w::octet_string(sent) || got.as_slice() == sent => Ok(()),
            Some(_) => fail(
                OcspFailure::NonceMismatch,
                "the responder echoed another nonce (replayed response?)",
            ),
            None if options.require_nonce => fail(
                OcspFailure::NonceMismatch,
                "the responder did not echo the nonce",
            ),
            None => Ok(()),
        }
    }

    fn verify_signature_with(&self, signer: &Certificate) -> Result<()> {
        crypto::verify::verify_signed_structure(
            &signer.spki_der,
            &self.signature_algorithm,
            &self.tbs_der,
            &self.signature,
        )
        .map(|_| ())
        .or_else(|e| {
            fail(
                OcspFailure::BadSignature,
                format!("signed by \"{}\": {e}", signer.subject),
            )
        })
    }

    /// Why `cand`, designated by the responderID, may not sign for `issuer` (RFC 6960 §4.2.2.2).
    fn delegation_problem(&self, cand: &Certificate, issuer: &Certificate) -> Option<String> {
        if let Err(e) = cand.verify_issued_by(issuer) {
            return Some(format!(
                "responder \"{}\" was not issued by the CA \"{}\" ({e})",
                cand.subject, issuer.subject
            ));
        }
        if !cand
            .extended_key_usage
            .iter()
            .any(|k| k == oid::KP_OCSP_SIGNING)
        {
            return Some(format!(
                "responder certificate \"{}\" lacks the extended key usage id-kp-OCSPSigning",
                cand.subject
            ));
        }
        if let Some(ku) = cand.key_usage {
            if !ku.digital_signature && !ku.non_repudiation {
                return Some(format!(
                    "responder certificate \"{}\" key usage does not allow signing",
                    cand.subject
                ));
            }
        }
        if !cand.is_valid_at(self.produced_at) {
            return Some(format!(
                "responder certificate \"{}\" was not valid at producedAt {}",
                cand.subject, self.produced_at
            ));
        }
        None
    }

    /// Finds who signed the response and checks it is authorised: the CA itself or a delegated
    /// responder (RFC 6960 §4.2.2.2). Returns the signer's certificate.
    fn verify_signer<'a>(&'a self, issuer: &'a Certificate) -> Result<&'a Certificate> {
        let mut bad_signature = None;
        if self.responder_id.designates(issuer) {
            match self.verify_signature_with(issuer) {
                Ok(()) => return Ok(issuer),
                Err(e) => bad_signature = Some(e),
            }
        }
        let mut unauthorised = None;
        for cand in self
            .certs
            .iter()
            .filter(|c| self.responder_id.designates(c))
        {
            if cand.der == issuer.der {
                continue;
            }
            if let Some(why) = self.delegation_problem(cand, issuer) {
                unauthorised.get_or_insert(why);
                continue;
            }
            match self.verify_signature_with(cand) {
                Ok(()) => return Ok(cand),
                Err(e) => {
                    bad_signature.get_or_insert(e);
                }
            }
        }
        if let Some(why) = unauthorised {
            return fail(OcspFailure::UnauthorisedResponder, why);
        }
        if let Some(e) = bad_signature {
            return Err(e);
        }
        fail(
            OcspFailure::UnauthorisedResponder,
            format!(
                "responder \"{}\" is neither the CA \"{}\" nor a responder certificate included in the response",
                self.responder_id, issuer.subject
            ),
        )
    }
}

/// Options of an OCSP check.
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = OcspOptions::default(); o.field = …;`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OcspOptions {
    /// Tolerance for a thisUpdate/producedAt slightly after the validation time.
    pub clock_skew: Duration,
    /// Send a nonce ([`check_ocsp_with`] only).
    pub send_nonce: bool,
    /// Reject responses that do not echo the nonce sent (many responders serve pre-produced
    /// responses without nonce, RFC 5019, so this is off by default).
    pub require_nonce: bool,
    /// For responses without nextUpdate: the oldest thisUpdate accepted, if limited
    /// (default [`crate::pki::validate::DEFAULT_MAX_REVOCATION_AGE`]).
    pub max_age_without_next_update: Option<Duration>,
    /// For responses without nextUpdate: the signing time they must not predate (less the
    /// clock skew), if known.
    pub issued_after: Option<OffsetDateTime>,
}

impl Default for OcspOptions {
    fn default() -> Self {
        OcspOptions {
            clock_skew: DEFAULT_CLOCK_SKEW,
            send_nonce: true,
            require_nonce: false,
            max_age_without_next_update: Some(crate::pki::validate::DEFAULT_MAX_REVOCATION_AGE),
            issued_after: None,
        }
    }
}

/// What a verified OCSP response says about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspOutcome {
    /// The certificate's status according to the verified response.
    pub status: OcspStatus,
    /// thisUpdate of the matching single response.
    pub this_update: OffsetDateTime,
    /// nextUpdate of the matching single response; None when absent.
    pub next_update: Option<OffsetDateTime>,
    /// producedAt of the response.
    pub produced_at: OffsetDateTime,
    /// Subject (RFC 4514) of the certificate that signed the response.
    pub responder: String,
    /// True when signed by a delegated responder rather than the CA itself.
    pub delegated: bool,
    /// The OCSPResponse encoding, to embed in a document (DSS) for later validation.
    pub response_der: Vec<u8>,
}

/// The OCSP responder URLs (id-ad-ocsp uniformResourceIdentifier) of the certificate's
/// Authority Information Access extension (RFC 5280 §4.2.2.1), in order.
pub fn ocsp_urls(cert: &Certificate) -> Result<Vec<String>> {
    aia_urls(cert, oid::AD_OCSP)
}

/// The URLs of an Authority Information Access method (RFC 5280 §4.2.2.1): id-ad-ocsp or
/// id-ad-caIssuers, in order.
pub fn aia_urls(cert: &Certificate, method_oid: &str) -> Result<Vec<String>> {
    let Some(ext) = cert
        .extensions
        .iter()
        .find(|e| e.oid == oid::EXT_AUTHORITY_INFO_ACCESS)
    else {
        return Ok(Vec::new());
    };
    let seq = Reader::new(&ext.value).read_single()?;
    seq.expect_universal(tag::SEQUENCE, "AuthorityInfoAccessSyntax")?;
    let mut urls = Vec::new();
    for ad in seq.children()? {
        let ad = ad?;
        ad.expect_universal(tag::SEQUENCE, "AccessDescription")?;
        let mut r = ad.children()?;
        let method = r.read()?.as_oid()?;
        let location = r.read()?;
        r.finish("AccessDescription")?;
        // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String.
        if method == method_oid && location.is_context(6) {
            let bytes = location.string_bytes()?;
            match std::str::from_utf8(&bytes) {
                Ok(s) if s.is_ascii() => urls.push(s.trim().to_string()),
                _ => {
                    return Err(Error::Certificate(
                        "non-ASCII URL in Authority Information Access".into(),
                    ))
                }
            }
        }
    }
    Ok(urls)
}

/// True when `body` has the outer shape of an OCSPResponse (SEQUENCE { ENUMERATED, ... }).
/// Only picks POST or GET (RFC 6960 Appendix A.1); the body is then parsed strictly.
fn looks_like_ocsp_response(body: &[u8]) -> bool {
    Reader::new(body)
        .read_single()
        .ok()
        .filter(|e| e.is_universal(tag::SEQUENCE))
        .and_then(|e| e.children().ok()?.read().ok())
        .is_some_and(|first| first.is_universal(tag::ENUMERATED))
}

/// Sends `request` to the responder at `url`: by POST, and when the responder answers that
/// with an HTTP error or something that is not an OCSP response, by GET (RFC 6960
/// Appendix A.1). A transport failure on POST (no connection, timeout) is not retried: the
/// GET would go to the same server. Returns the OCSPResponse bytes, unverified.
pub fn fetch_ocsp(client: &dyn HttpClient, url: &str, request: &OcspRequest) -> Result<Vec<u8>> {
    let unreachable = |detail: String| Error::Ocsp {
        kind: OcspFailure::Unreachable,
        detail,
    };
    let net = |e: Error| match e {
        Error::Network { detail, .. } => detail,
        other => other.to_string(),
    };
    let post_problem = match client.post(url, REQUEST_CONTENT_TYPE, &request.der) {
        Err(e) => return Err(unreachable(net(e))),
        Ok(r) if r.status == 200 && looks_like_ocsp_response(&r.body) => return Ok(r.body),
        Ok(r) if r.status == 200 => "POST: not an OCSP response".to_string(),
        Ok(r) => format!("POST: HTTP {}", r.status),
    };
    match client.get(&request.get_url(url)) {
        Err(e) => Err(unreachable(format!(
            "{url}: {post_problem}; GET: {}",
            net(e)
        ))),
        Ok(r) if r.status == 200 && looks_like_ocsp_response(&r.body) => Ok(r.body),
        Ok(r) if r.status == 200 => fail(
            OcspFailure::Malformed,
            format!("{url}: {post_problem}; GET: not an OCSP response"),
        ),
        Ok(r) => Err(unreachable(format!(
            "{url}: {post_problem}; GET: HTTP {}",
            r.status
        ))),
    }
}

/// Asks the certificate's OCSP responder(s) whether `cert`, issued by `issuer`, is revoked,
/// and verifies the answer at `at` (normally now). Default [`OcspOptions`] (nonce sent).
///
/// # Errors
///
/// [`Error::Ocsp`] with the [`OcspFailure`] saying why no usable answer was obtained: no
/// responder named, none reachable, an error status, or an answer that fails one of the
/// checks listed in the module documentation (signature, responder authorisation, CertID,
/// freshness, nonce, key size). A verified answer of `revoked` or `unknown` is not an error:
/// it is the outcome's `status`.
pub fn check_ocsp(
    cert: &Certificate,
    issuer: &Certificate,
    client: &dyn HttpClient,
    at: OffsetDateTime,
) -> Result<OcspOutcome> {
    check_ocsp_with(cert, issuer, client, at, &OcspOptions::default())
}

/// As [`check_ocsp`], with options. Responder URLs are tried in order while they are
/// unreachable; the first response obtained is verified and decides.
pub fn check_ocsp_with(
    cert: &Certificate,
    issuer: &Certificate,
    client: &dyn HttpClient,
    at: OffsetDateTime,
    options: &OcspOptions,
) -> Result<OcspOutcome> {
    let urls = ocsp_urls(cert)?;
    if urls.is_empty() {
        return fail(
            OcspFailure::NoResponder,
            format!(
                "certificate \"{}\" names no OCSP responder (Authority Information Access)",
                cert.subject
            ),
        );
    }
    let request = OcspRequest::new(cert, issuer, options.send_nonce)?;
    let mut last = None;
    for url in &urls {
        match fetch_ocsp(client, url, &request) {
            Ok(body) => {
                let resp = OcspResponse::parse(&body)?;
                return resp.status_for_with(cert, issuer, at, options, request.nonce.as_deref());
            }
            Err(
                e @ Error::Ocsp {
                    kind: OcspFailure::Unreachable,
                    ..
                },
            ) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Ocsp {
        kind: OcspFailure::Unreachable,
        detail: "no responder answered".into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{standard_chain, Key, Pki};

    fn kind(e: &Error) -> Option<OcspFailure> {
        match e {
            Error::Ocsp { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    #[test]
    fn base64_and_url_encoding() {
        for (i, o) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xFB, 0xFF, 0xBF], "+/+/"),
        ] {
            assert_eq!(crate::base64::encode(i), o);
        }
        assert_eq!(url_encode_base64("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        let req = OcspRequest {
            cert_id: CertId {
                hash_algorithm: AlgorithmIdentifier::new_no_params(oid::SHA1).unwrap(),
                issuer_name_hash: vec![],
                issuer_key_hash: vec![],
                serial: vec![1],
            },
            nonce: None,
            der: vec![0xFB, 0xFF, 0xBF, 0x30],
        };
        assert_eq!(
            req.get_url("http://o.example"),
            "http://o.example/%2B%2F%2B%2FMA%3D%3D"
        );
        assert_eq!(
            req.get_url("http://o.example/ocsp/"),
            "http://o.example/ocsp/%2B%2F%2B%2FMA%3D%3D"
        );
    }

    #[test]
    fn cert_id_and_request_der() {
        let pki = Pki::new();
        let (_, int, leaf) = standard_chain(&pki, Key::P256);
        let id = CertId::new(&leaf.cert, &int.cert).unwrap();
        assert_eq!(
            id.hash_algorithm.der,
            w::sequence(&[&w::oid_const(oid::SHA1), &w::null()])
        );
        assert_eq!(
            id.issuer_name_hash,
            crypto::digest(DigestAlgorithm::Sha1, &leaf.cert.issuer.der)
        );
        let key = int.cert.spki().unwrap().key_bytes;
        assert_eq!(
            key.first(),
            Some(&0x04),
            "uncompressed EC point, no unused-bits octet"
        );
        assert_eq!(
            id.issuer_key_hash,
            crypto::digest(DigestAlgorithm::Sha1, &key)
        );
        assert_eq!(id.serial, leaf.cert.serial);
        assert!(id.matches(&leaf.cert, &int.cert));
        assert!(!id.matches(&int.cert, &int.cert));
        let id256 = CertId::with_digest(&leaf.cert, &int.cert, DigestAlgorithm::Sha256).unwrap();
        assert_eq!(id256.issuer_key_hash.len(), 32);
        assert!(id256.matches(&leaf.cert, &int.cert));
        assert_eq!(
            CertId::from_element(&Reader::new(&id.to_der()).read_single().unwrap()).unwrap(),
            id
        );

        let req = OcspRequest::new(&leaf.cert, &int.cert, true).unwrap();
        let nonce = req.nonce.clone().unwrap();
        assert_eq!(nonce.len(), NONCE_LEN);
        let expected = w::sequence(&[&w::sequence(&[
            &w::sequence(&[&w::sequence(&[&id.to_der()])]),
            &w::explicit(
                2,
                &w::sequence(&[&w::sequence(&[
                    &w::oid_const(oid::OCSP_NONCE),
                    &w::octet_string(&w::octet_string(&nonce)),
                ])]),
            ),
        ])]);
        assert_eq!(req.der, expected);
        let other = OcspRequest::new(&leaf.cert, &int.cert, true).unwrap();
        assert_ne!(other.nonce, req.nonce, "fresh nonce each time");
        let plain = OcspRequest::new(&leaf.cert, &int.cert, false).unwrap();
        assert_eq!(
            plain.der,
            w::sequence(&[&w::sequence(&[&w::sequence(&[&w::sequence(&[
                &id.to_der()
            ])])])])
        );
        // No AIA in these certificates.
        assert!(ocsp_urls(&leaf.cert).unwrap().is_empty());
        let e = check_ocsp(
            &leaf.cert,
            &int.cert,
            &crate::net::Offline,
            OffsetDateTime::now_utc(),
        )
        .unwrap_err();
        assert_eq!(kind(&e), Some(OcspFailure::NoResponder), "{e}");
    }

    /// Two answers about the same certificate that disagree are refused, whichever comes
    /// first; agreeing duplicates and answers about other certificates are fine.
    #[test]
    fn contradictory_single_responses_are_refused() {
        let pki = Pki::new();
        let (_root, int, leaf) = standard_chain(&pki, Key::P256);
        let now = OffsetDateTime::now_utc();
        let single = |cert: &Certificate, status| SingleResponse {
            cert_id: CertId::new(cert, &int.cert).unwrap(),
            status,
            this_update: now,
            next_update: None,
        };
        let revoked = OcspStatus::Revoked {
            time: now,
            reason: None,
        };
        let good = single(&leaf.cert, OcspStatus::Good);
        let bad = single(&leaf.cert, revoked);
        for list in [
            vec![good.clone(), bad.clone()],
            vec![bad.clone(), good.clone()],
            vec![good.clone(), single(&leaf.cert, OcspStatus::Unknown)],
        ] {
            let e = single_for(&list, &leaf.cert, &int.cert).unwrap_err();
            assert_eq!(kind(&e), Some(OcspFailure::Malformed), "{e}");
        }
        let same = [good.clone(), good.clone()];
        let found = single_for(&same, &leaf.cert, &int.cert).unwrap();
        assert_eq!(found.map(|s| s.status), Some(OcspStatus::Good));
        let other = [single(&int.cert, revoked), good.clone()];
        let found = single_for(&other, &leaf.cert, &int.cert).unwrap();
        assert_eq!(found.map(|s| s.status), Some(OcspStatus::Good));
        assert!(single_for(&[], &leaf.cert, &int.cert).unwrap().is_none());
    }

    /// Issue 13 item 6: without nextUpdate, a response counts only within the maximum age and
    /// when issued after the signing time; issue 20 item 3: a 1024-bit responder is refused.
    #[test]
    fn no_next_update_freshness_and_weak_responders() {
        let pki = Pki::new();
        let (_root, int, leaf) = standard_chain(&pki, Key::P256);
        let now = OffsetDateTime::now_utc();
        let resp =
            OcspResponse::parse(&pki.ocsp_good_without_next_update(&leaf, &int, &int)).unwrap();
        assert_eq!(resp.responses[0].next_update, None);
        let ok = resp.status_for(&leaf.cert, &int.cert, now).unwrap();
        assert_eq!(ok.status, OcspStatus::Good);
        // Older than the default maximum age at the validation time.
        let later = now + crate::pki::validate::DEFAULT_MAX_REVOCATION_AGE + Duration::hours(1);
        let e = resp.status_for(&leaf.cert, &int.cert, later).unwrap_err();
        assert_eq!(kind(&e), Some(OcspFailure::Stale), "{e}");
        // Issued before the signing time: says nothing about the certificate when it signed.
        let opts = OcspOptions {
            issued_after: Some(now + Duration::hours(1)),
            ..OcspOptions::default()
        };
        let e = resp
            .status_for_with(&leaf.cert, &int.cert, now + Duration::hours(2), &opts, None)
            .unwrap_err();
        assert_eq!(kind(&e), Some(OcspFailure::Stale), "{e}");
        assert!(e.to_string().contains("signing time"), "{e}");
        // Within the clock skew of the signing time: fine.
        let opts = OcspOptions {
            issued_after: Some(now + Duration::minutes(2)),
            ..OcspOptions::default()
        };
        assert!(resp
            .status_for_with(&leaf.cert, &int.cert, now, &opts, None)
            .is_ok());

        // A delegated responder with a 1024-bit key.
        let weak = pki.ocsp_responder("weak", Key::Rsa1024, &int, 0x77);
        let resp =
            OcspResponse::parse(&pki.ocsp_good_without_next_update(&leaf, &int, &weak)).unwrap();
        let e = resp.status_for(&leaf.cert, &int.cert, now).unwrap_err();
        assert_eq!(kind(&e), Some(OcspFailure::WeakKey), "{e}");
        assert!(e.to_string().contains("1024-bit RSA key"), "{e}");
    }

    #[test]
    fn response_status_and_garbage() {
        // OCSPResponse { tryLater }
        let e = OcspResponse::parse(&[0x30, 0x03, 0x0A, 0x01, 0x03]).unwrap_err();
        assert_eq!(kind(&e), Some(OcspFailure::ResponderError));
        assert!(e.to_string().contains("tryLater"), "{e}");
        for bad in [
            &b""[..],
            b"\x30\x03\x0A\x01\x00",
            b"\x30\x00",
            b"<html>",
            b"\x30\x03\x02\x01\x00",
        ] {
            let e = OcspResponse::parse(bad).unwrap_err();
            assert_eq!(kind(&e), Some(OcspFailure::Malformed), "{bad:?}: {e}");
        }
        assert!(looks_like_ocsp_response(&[0x30, 0x03, 0x0A, 0x01, 0x03]));
        assert!(!looks_like_ocsp_response(b"<html></html>"));
        assert_eq!(
            RevocationReason::from_code(1),
            Some(RevocationReason::KeyCompromise)
        );
        assert_eq!(RevocationReason::from_code(7), None);
        assert_eq!(RevocationReason::from_code(8).unwrap().code(), 8);
        assert_eq!(RevocationReason::Superseded.to_string(), "superseded");
    }
}
