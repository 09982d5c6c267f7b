//! RFC 3161 client: TimeStampReq over HTTP (§3.4, `application/timestamp-query`), and the
//! checks on the TimeStampResp before its token is used.

use std::sync::Arc;

use crate::asn1::{reader::Reader, writer as w};
use crate::crypto::DigestAlgorithm;
use crate::error::{Error, Result};
use crate::net::HttpClient;

use super::token::TimestampToken;

/// A TimeStampReq (RFC 3161 §2.4.1) and the nonce it carries.
#[derive(Clone, Debug)]
pub struct TimestampRequest {
    /// The DER encoding sent to the TSA (body of the `application/timestamp-query` POST).
    pub der: Vec<u8>,
    /// The random nonce (big-endian INTEGER contents) the response must echo.
    pub nonce: Vec<u8>,
    /// Digest algorithm of the message imprint.
    pub algorithm: DigestAlgorithm,
    /// The hash being time-stamped (`hashedMessage`); the response must carry it unchanged.
    pub imprint: Vec<u8>,
}

impl TimestampRequest {
    /// A v1 request for `imprint` (the hash of the data, made with `algorithm`) with a random
    /// 64-bit nonce and certReq TRUE, so that the token carries the TSA certificate.
    pub fn new(
        algorithm: DigestAlgorithm,
        imprint: &[u8],
        policy: Option<&str>,
    ) -> Result<TimestampRequest> {
        let mut nonce = [0u8; 8];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| Error::Crypto("the random generator failed".into()))?;
        nonce[0] &= 0x7F;
        nonce[0] |= 0x01;
        let message_imprint = w::sequence(&[
            &algorithm.algorithm_identifier_der(),
            &w::octet_string(imprint),
        ]);
        let mut parts: Vec<Vec<u8>> = vec![w::integer_u64(1), message_imprint];
        if let Some(p) = policy {
            parts.push(w::oid(p)?);
        }
        parts.push(w::integer_unsigned(&nonce));
        parts.push(w::boolean(true));
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Ok(TimestampRequest {
            der: w::sequence(&refs),
            nonce: nonce.to_vec(),
            algorithm,
            imprint: imprint.to_vec(),
        })
    }

    /// Reads a TimeStampResp (§2.4.2) and checks it answers this request: status granted,
    /// same imprint and nonce, a valid TSA signature by a certificate meant for time-stamping,
    /// and the requested policy.
    ///
    /// # Errors
    ///
    /// [`Error::Timestamp`] naming the first check that failed (refusal with the TSA's status
    /// text and failure bits, another imprint or nonce, an invalid or unfit TSA signature, a
    /// policy other than `policy`); [`Error::Asn1`] or [`Error::Cms`] for a malformed answer.
    pub fn accept(&self, response: &[u8], policy: Option<&str>) -> Result<TimestampToken> {
        let err = |m: String| Error::Timestamp(m);
        let top = Reader::new(response)
            .read_single()
            .map_err(|e| err(format!("the TSA's answer is not a TimeStampResp: {e}")))?;
        let mut r = top.children()?;
        let status_info = r.read_universal(16, "PKIStatusInfo")?;
        let mut sr = status_info.children()?;
        let status = sr.read_universal(2, "PKIStatus")?.as_u64()?;
        // PKIStatus: 0 granted, 1 grantedWithMods; anything else is a refusal.
        if status > 1 {
            let mut text = Vec::new();
            if let Some(free) = sr.read_optional_universal(16)? {
                // Only words for the refusal message (RFC 3161 §2.4.2); the answer is an error.
                for s in free.children()? {
                    if let Ok(t) = s?.as_string() {
                        text.push(t);
                    }
                }
            }
            // Likewise words only: an unreadable failInfo just names no reason.
            let fail_info = sr
                .read_optional_universal(3)?
                .and_then(|b| b.as_bit_string().ok())
                .map(|(_, bits)| failure_names(&bits))
                .unwrap_or_default();
            return Err(err(format!(
                "the TSA refused the request (status {status}{}{})",
                if fail_info.is_empty() {
                    String::new()
                } else {
                    format!(", {}", fail_info.join(", "))
                },
                if text.is_empty() {
                    String::new()
                } else {
                    format!(": {}", text.join("; "))
                }
            )));
        }
        let token_el = r
            .read()
            .map_err(|_| err("the TSA granted the request but sent no token".into()))?;
        let token = TimestampToken::parse(token_el.raw)?;
        if token.info.imprint_algorithm != self.algorithm.oid()
            || token.info.imprint != self.imprint
        {
            return Err(err(
                "the token's message imprint is not the one requested".into()
            ));
        }
        match &token.info.nonce {
            Some(n) if strip_zeros(n) == strip_zeros(&self.nonce) => {}
            Some(_) => return Err(err("the token's nonce is not the one sent".into())),
            None => return Err(err("the token does not echo the nonce sent".into())),
        }
        if let Some(p) = policy {
            if token.info.policy != p {
                return Err(err(format!(
                    "the token's policy is {}, not the requested {p}",
                    token.info.policy
                )));
            }
        }
        let check = token.check(|_| Ok(self.imprint.clone()));
        if !check.is_ok() {
            return Err(err(check.problems.join("; ")));
        }
        Ok(token)
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// PKIFailureInfo bit names (RFC 3161 §2.4.2).
fn failure_names(bits: &[u8]) -> Vec<String> {
    const NAMES: [(usize, &str); 6] = [
        (0, "badAlg"),
        (2, "badRequest"),
        (5, "badDataFormat"),
        (14, "timeNotAvailable"),
        (15, "unacceptedPolicy"),
        (16, "unacceptedExtension"),
    ];
    let set = |n: usize| bits.get(n / 8).is_some_and(|b| b & (0x80 >> (n % 8)) != 0);
    let mut out: Vec<String> = NAMES
        .iter()
        .filter(|(n, _)| set(*n))
        .map(|(_, s)| s.to_string())
        .collect();
    if set(17) {
        out.push("addInfoNotAvailable".into());
    }
    if set(25) {
        out.push("systemFailure".into());
    }
    out
}

/// Where and how to get time-stamps: one or more TSA URLs tried in order (the next one when a
/// TSA is unreachable or refuses), optional HTTP basic credentials and policy.
#[derive(Clone)]
pub struct TsaClient {
    /// TSA URLs (http or https), tried in order until one gives a usable token.
    pub urls: Vec<String>,
    /// `user:password` for HTTP basic authentication (RFC 7617), sent to every URL.
    pub credentials: Option<String>,
    /// reqPolicy OID to ask for.
    pub policy: Option<String>,
    /// The imprint's digest algorithm (SHA-256 unless set).
    pub digest: DigestAlgorithm,
    /// The HTTP transport (the real network, or a test double).
    pub http: Arc<dyn HttpClient>,
}

impl std::fmt::Debug for TsaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the credentials.
        f.debug_struct("TsaClient")
            .field("urls", &self.urls)
            .field("credentials", &self.credentials.as_ref().map(|_| "…"))
            .field("policy", &self.policy)
            .field("digest", &self.digest)
            .finish()
    }
}

impl TsaClient {
    /// A client for `urls` over the real network (ureq; https with the Mozilla roots).
    #[cfg(feature = "net")]
    pub fn new(urls: Vec<String>) -> TsaClient {
        TsaClient::with_http(urls, Arc::new(crate::net::UreqClient::new()))
    }

    /// Like [`TsaClient::new`] but over the given transport (tests, proxies, offline fixtures).
    pub fn with_http(urls: Vec<String>, http: Arc<dyn HttpClient>) -> TsaClient {
        TsaClient {
            urls,
            credentials: None,
            policy: None,
            digest: DigestAlgorithm::Sha256,
            http,
        }
    }

    /// Time-stamps `data` (hashed here with the client's digest).
    ///
    /// # Errors
    ///
    /// As [`TsaClient::timestamp_digest`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use kyso::timestamp::TsaClient;
    ///
    /// let tsa = TsaClient::new(vec!["http://timestamp.example/tsa".into()]);
    /// let token = tsa.timestamp_data(b"bytes to time-stamp")?;
    /// assert!(!token.info.serial.is_empty());
    /// # Ok::<(), kyso::Error>(())
    /// ```
    pub fn timestamp_data(&self, data: &[u8]) -> Result<TimestampToken> {
        self.timestamp_digest(self.digest, &crate::crypto::digest(self.digest, data))
    }

    /// Time-stamps a digest already computed with `algorithm`: asks each URL in turn and
    /// returns the first token that passes [`TimestampRequest::accept`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when no URL is given; [`Error::TimestampUnreachable`] when
    /// every TSA failed on the network; [`Error::Timestamp`] when at least one answered but
    /// none with an acceptable token (refused, wrong imprint or nonce, bad signature).
    pub fn timestamp_digest(
        &self,
        algorithm: DigestAlgorithm,
        imprint: &[u8],
    ) -> Result<TimestampToken> {
        if self.urls.is_empty() {
            return Err(Error::InvalidArgument(
                "no time-stamp authority URL given".into(),
            ));
        }
        let mut failures = Vec::new();
        // While every URL failed on the network: how the last one did, and each one's detail.
        let mut network = Some((None, Vec::new()));
        for url in &self.urls {
            match self.ask(url, algorithm, imprint) {
                Ok(token) => return Ok(token),
                Err(e) => {
                    network = match (&e, network) {
                        (Error::Network { kind, detail }, Some((_, mut details))) => {
                            details.push(detail.clone());
                            Some((Some(*kind), details))
                        }
                        _ => None,
                    };
                    failures.push(format!("{url}: {e}"));
                }
            }
        }
        Err(match network {
            Some((Some(kind), details)) => Error::TimestampUnreachable {
                kind,
                detail: details.join("; "),
            },
            _ => Error::Timestamp(format!(
                "no time-stamp authority gave a usable token ({})",
                failures.join("; ")
            )),
        })
    }

    fn ask(&self, url: &str, algorithm: DigestAlgorithm, imprint: &[u8]) -> Result<TimestampToken> {
        let request = TimestampRequest::new(algorithm, imprint, self.policy.as_deref())?;
        const QUERY: &str = "application/timestamp-query";
        let resp = match &self.credentials {
            Some(c) => {
                let auth = format!("Basic {}", crate::base64::encode(c.as_bytes()));
                self.http.post_authorized(url, QUERY, &request.der, &auth)?
            }
            None => self.http.post(url, QUERY, &request.der)?,
        };
        if resp.status == 401 || resp.status == 403 {
            return Err(Error::Needs {
                need: crate::error::Need::TsaCredentials,
                detail: format!(
                    "HTTP {}: the TSA at {url} wants (other) credentials",
                    resp.status
                ),
            });
        }
        if !resp.is_success() {
            return Err(Error::Timestamp(format!("HTTP {}", resp.status)));
        }
        request.accept(&resp.body, self.policy.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_a_v1_timestampreq_with_nonce_and_cert_req() {
        let imprint = crate::crypto::digest(DigestAlgorithm::Sha256, b"kyso");
        let req =
            TimestampRequest::new(DigestAlgorithm::Sha256, &imprint, Some("1.2.704.1")).unwrap();
        let top = Reader::new(&req.der).read_single().unwrap();
        let mut r = top.children().unwrap();
        assert_eq!(r.read().unwrap().as_u64().unwrap(), 1);
        let mi = r.read().unwrap();
        let mut mr = mi.children().unwrap();
        let alg = crate::asn1::AlgorithmIdentifier::from_element(&mr.read().unwrap()).unwrap();
        assert_eq!(alg.oid, DigestAlgorithm::Sha256.oid());
        assert_eq!(mr.read().unwrap().as_octet_string().unwrap(), &imprint[..]);
        assert_eq!(r.read().unwrap().as_oid().unwrap(), "1.2.704.1");
        let nonce = r.read().unwrap();
        assert_eq!(nonce.as_integer().unwrap(), &req.nonce[..]);
        assert!(
            req.nonce[0] & 0x80 == 0 && req.nonce[0] != 0,
            "positive, 8 bytes"
        );
        assert!(r.read().unwrap().as_bool().unwrap());
        assert!(r.is_empty());
        // Two requests never share a nonce.
        let again = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint, None).unwrap();
        assert_ne!(again.nonce, req.nonce);
    }

    #[test]
    fn refusals_are_reported_with_their_reasons() {
        let req = TimestampRequest::new(DigestAlgorithm::Sha256, &[7; 32], None).unwrap();
        // status rejection (2), statusString "policy not accepted", failInfo unacceptedPolicy (bit 15).
        let status = w::sequence(&[
            &w::integer_u64(2),
            &w::sequence(&[&w::utf8_string("policy not accepted")]),
            &w::bit_string(&[0x00, 0x01]),
        ]);
        let resp = w::sequence(&[&status]);
        let e = req.accept(&resp, None).unwrap_err().to_string();
        assert!(e.contains("refused"), "{e}");
        assert!(e.contains("unacceptedPolicy"), "{e}");
        assert!(e.contains("policy not accepted"), "{e}");
        // Granted without a token, and garbage.
        let granted = w::sequence(&[&w::sequence(&[&w::integer_u64(0)])]);
        assert!(req.accept(&granted, None).is_err());
        assert!(req.accept(b"<html>", None).is_err());
    }
}
