//! A TimeStampToken (RFC 3161 §2.4.2): a CMS SignedData whose encapsulated content is a
//! TSTInfo, signed by the TSA.

use crate::asn1::oid;
use crate::cms::timestamp::TstInfo;
use crate::cms::{self, EssStatus, SignedData};
use crate::crypto::{self, DigestAlgorithm};
use crate::error::{Error, Result};
use crate::pki::Certificate;

/// A parsed time-stamp token.
#[derive(Clone, Debug)]
pub struct TimestampToken {
    /// The token's encoding (a ContentInfo), as embedded in a signature or /Contents.
    pub der: Vec<u8>,
    /// The CMS SignedData of the token (TSA signature and certificates).
    pub signed_data: SignedData,
    /// The TSTInfo: time, imprint, serial, policy, nonce and accuracy.
    pub info: TstInfo,
}

/// What [`TimestampToken::check`] found.
#[derive(Clone, Debug)]
pub struct TokenCheck {
    /// The imprint matches the data it should time-stamp.
    pub imprint_matches: bool,
    /// The TSA's signature over the TSTInfo verifies (digest, signature, content type, ESS).
    pub signature_valid: bool,
    /// The TSA certificate, when found in the token.
    pub tsa_certificate: Option<Certificate>,
    /// Why the token is not acceptable, in English (empty when it is).
    pub problems: Vec<String>,
    /// Deviations that do not make it unacceptable (a non-critical extended key usage).
    pub warnings: Vec<String>,
}

impl TokenCheck {
    /// Whether the token can be used: imprint matches, signature verifies, no problem found (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.imprint_matches && self.signature_valid && self.problems.is_empty()
    }
}

impl TimestampToken {
    /// Parses a token: a ContentInfo with SignedData whose eContentType is id-ct-TSTInfo
    /// (RFC 3161 §2.4.2). Trailing bytes (PDF /Contents padding) are ignored.
    ///
    /// # Errors
    ///
    /// As [`SignedData::parse`] for the CMS; [`Error::Timestamp`] when the content is not a
    /// TSTInfo or is absent. Nothing is verified here: see [`TimestampToken::check`].
    pub fn parse(der: &[u8]) -> Result<TimestampToken> {
        let signed_data = SignedData::parse(der)?;
        if signed_data.encap_content_type != oid::TST_INFO {
            return Err(Error::Timestamp(format!(
                "the token's content type is {}, not id-ct-TSTInfo",
                signed_data.encap_content_type
            )));
        }
        let content = signed_data.encap_content.as_deref().ok_or_else(|| {
            Error::Timestamp("the token carries no TSTInfo (eContent absent)".into())
        })?;
        let info = TstInfo::parse(content)?;
        Ok(TimestampToken {
            der: der[..signed_data.encoded_len].to_vec(),
            signed_data,
            info,
        })
    }

    /// The digest algorithm of the message imprint, if kyso knows it.
    pub fn imprint_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.info.imprint_algorithm)
    }

    /// Checks the token against the data it should time-stamp (`hash(data)` is computed by
    /// `imprint_of` with the token's imprint algorithm): the imprint (RFC 3161 §2.4.2), the
    /// TSA's CMS signature, and the TSA certificate's extended key usage (§2.3). Trust in the
    /// TSA certificate is not decided here.
    pub fn check(&self, imprint_of: impl FnOnce(DigestAlgorithm) -> Result<Vec<u8>>) -> TokenCheck {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let imprint_matches = match self.imprint_algorithm() {
            Some(alg) => match imprint_of(alg) {
                Ok(d) => d == self.info.imprint,
                Err(e) => {
                    problems.push(format!("the time-stamped data cannot be read: {e}"));
                    false
                }
            },
            None => {
                problems.push(format!(
                    "unsupported imprint algorithm {}",
                    self.info.imprint_algorithm
                ));
                false
            }
        };
        if !imprint_matches && problems.is_empty() {
            problems.push("the time-stamp's message imprint does not match the data".into());
        }
        let sd = &self.signed_data;
        let mut signature_valid = false;
        let mut tsa_certificate = None;
        if sd.signer_infos.len() != 1 {
            problems.push(format!(
                "the token has {} SignerInfos; RFC 3161 tokens have one",
                sd.signer_infos.len()
            ));
        } else {
            let si = &sd.signer_infos[0];
            match DigestAlgorithm::from_oid(&si.digest_algorithm.oid) {
                None => problems.push(format!(
                    "unsupported digest algorithm {} in the token",
                    si.digest_algorithm.oid
                )),
                Some(alg) => {
                    // `parse` read the TSTInfo from eContent, so it is present (RFC 3161 §2.4.2).
                    let content = sd.encap_content.as_deref().unwrap_or_default();
                    let digest = crypto::digest(alg, content);
                    let check = cms::verify::check_signer_info(sd, si, &digest, Some(content));
                    signature_valid = check.signature_valid
                        && check.content_type_ok
                        && check.message_digest_matches == Some(true);
                    if let EssStatus::Mismatch(m) = &check.ess {
                        signature_valid = false;
                        problems.push(format!("the token's signing-certificate attribute: {m}"));
                    }
                    if !signature_valid {
                        problems.push(format!(
                            "the TSA's signature on the token does not verify{}",
                            check
                                .signature_error
                                .as_deref()
                                .map(|e| format!(" ({e})"))
                                .unwrap_or_default()
                        ));
                    }
                    tsa_certificate = check
                        .signer_certificate
                        .and_then(|i| sd.certificates.get(i))
                        .cloned();
                }
            }
        }
        match &tsa_certificate {
            None => problems.push(
                "the TSA certificate is not in the token (the request must ask for it)".into(),
            ),
            Some(cert) => match tsa_purpose(cert) {
                Purpose::Fit => {}
                Purpose::NotCritical(w) => warnings.push(w),
                Purpose::Unfit(p) => problems.push(p),
            },
        }
        TokenCheck {
            imprint_matches,
            signature_valid,
            tsa_certificate,
            problems,
            warnings,
        }
    }
}

/// Whether a certificate may sign time-stamps.
pub enum Purpose {
    /// The extended key usage is exactly id-kp-timeStamping and critical.
    Fit,
    /// Allowed, but not as RFC 3161 asks.
    NotCritical(String),
    /// Not a time-stamping certificate (no EKU, or another purpose); the reason in English.
    Unfit(String),
}

/// RFC 3161 §2.3: the TSA certificate's extended key usage holds only id-kp-timeStamping and
/// is critical. Some deployed TSAs mark it non-critical; that is reported, not refused.
pub fn tsa_purpose(cert: &Certificate) -> Purpose {
    let eku = cert
        .extensions
        .iter()
        .find(|e| e.oid == oid::EXT_EXTENDED_KEY_USAGE);
    match eku {
        None => Purpose::Unfit(
            "the TSA certificate has no extended key usage (RFC 3161 §2.3 requires id-kp-timeStamping)".into(),
        ),
        Some(_) if !cert.extended_key_usage.iter().any(|k| k == oid::KP_TIME_STAMPING) => {
            Purpose::Unfit(
                "the TSA certificate is not meant for time-stamping (no id-kp-timeStamping)".into(),
            )
        }
        Some(e) if !e.critical => Purpose::NotCritical(
            "the TSA certificate's extended key usage is not critical (RFC 3161 §2.3)".into(),
        ),
        Some(_) => Purpose::Fit,
    }
}
