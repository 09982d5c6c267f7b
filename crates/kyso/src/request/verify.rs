//! What a verification is asked to take into account: [`VerifyRequest`].

use std::path::PathBuf;

use serde::Deserialize;

use super::{env_offline, invalid};
use crate::pki::trust_store::{load_anchor_paths, TrustStore};
use crate::text::Lang;
use crate::verify::trust::RevocationPolicy;
use crate::verify::VerifyOptions;
use crate::Result;

/// Trust, chains, revocation, time and checks of a verification. Every field named a file on
/// this machine is listed in [`VerifyRequest::FILE_FIELDS`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VerifyRequest {
    /// Trust anchor files (PEM, DER) or folders of them; None: the trust store
    /// ([`TrustStore::default_location`]); an empty list trusts nothing.
    pub trust: Option<Vec<PathBuf>>,
    /// Intermediate certificates to build chains with (not trusted).
    #[serde(default)]
    pub extra_certs: Vec<PathBuf>,
    /// CRL files (DER or PEM).
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// No network (no OCSP, no CRL download). KYSO_OFFLINE=1 also sets it.
    #[serde(default)]
    pub offline: bool,
    /// "require" (default) or "off".
    pub revocation: Option<String>,
    /// Accept CA certificates whose revocation status cannot be determined (a warning).
    #[serde(default)]
    pub accept_unknown_ca_status: bool,
    /// Network requests one document may cause at most (default 16).
    pub max_fetches: Option<u32>,
    /// Seconds all network requests for one document may take together (default 30).
    pub network_deadline: Option<u64>,
    /// Validate as of this time (RFC 3339) instead of now.
    pub at: Option<String>,
    /// The visual check: "on" (default) or "off".
    pub visual: Option<String>,
    /// Language of the report's words: "vi" (default) or "en".
    pub lang: Option<String>,
    /// A document that does not conform to Decree 30/2020 counts as failed in the result code
    /// ([`VerifyRequest::result_code`]); the report is the same.
    #[serde(default)]
    pub require_decree30: bool,
}

impl VerifyRequest {
    /// The fields naming files on this machine.
    pub const FILE_FIELDS: &'static [&'static str] = &["trust", "extra_certs", "crls"];

    /// The library's options: values checked, certificates and CRLs read; `pdf_password`
    /// opens an encrypted PDF (the default is the empty user password).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the field for a value
    /// out of its set (`revocation`, `visual`, `lang`) or a time that is not RFC 3339 (`at`); a
    /// trust, certificate or CRL file that cannot be read or is not what it should be (a CRL file
    /// holding a certificate is refused, not skipped); the trust store cannot be read when
    /// `trust` is None.
    ///
    /// # Examples
    ///
    /// A request read from a `kyso serve` query, turned into options:
    ///
    /// ```
    /// use kyso::request::{from_pairs, VerifyRequest};
    ///
    /// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/root.pem");
    /// let pairs = |q: &[(&str, &str)]| -> Vec<(String, String)> {
    ///     q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    /// };
    /// let req: VerifyRequest =
    ///     from_pairs(&pairs(&[("trust", root), ("offline", ""), ("at", "2030-01-01T00:00:00+07:00")]))?;
    /// let opts = req.into_options(Default::default())?;
    /// assert_eq!(opts.trust.len(), 1);
    /// assert!(!opts.online);
    /// assert_eq!(opts.validation_time.map(|t| t.year()), Some(2030));
    ///
    /// // A value out of its set names the field; an unknown name is refused.
    /// let bad: VerifyRequest = from_pairs(&pairs(&[("revocation", "maybe")]))?;
    /// assert!(bad.into_options(Default::default()).unwrap_err().to_string().contains("revocation"));
    /// assert!(from_pairs::<VerifyRequest>(&pairs(&[("revocaton", "off")])).is_err());
    /// # Ok::<(), kyso::Error>(())
    /// ```
    pub fn into_options(self, pdf_password: crate::pdf::Password) -> Result<VerifyOptions> {
        // Checked here too, though the words are the front door's (`lang()`).
        self.lang()?;
        let revocation = match self.revocation.as_deref() {
            None | Some("require") => RevocationPolicy::Require,
            Some("off") => RevocationPolicy::Off,
            Some(other) => {
                return Err(invalid(
                    "revocation",
                    format!("{other:?} is neither \"require\" nor \"off\""),
                ))
            }
        };
        let visual = self.visual()?;
        let validation_time = self.validation_time()?;
        let default_budget = crate::net::NetworkBudget::default();
        let network = crate::net::NetworkBudget {
            max_fetches: self.max_fetches.unwrap_or(default_budget.max_fetches),
            deadline: match self.network_deadline {
                Some(s) => std::time::Duration::from_secs(s.max(1)),
                None => default_budget.deadline,
            },
        };
        // As `kyso verify`: the trust store when no anchors are given.
        let trust = match &self.trust {
            Some(paths) => load_anchor_paths(paths)?,
            None => TrustStore::default_location().and_then(|s| s.certificates())?,
        };
        Ok(VerifyOptions {
            trust,
            extra_certs: load_anchor_paths(&self.extra_certs)?,
            validation_time,
            crls: super::sign::read_crls(&self.crls)?,
            online: !(self.offline || env_offline()),
            revocation,
            accept_unknown_ca_status: self.accept_unknown_ca_status,
            network,
            pdf_password,
            visual: crate::visual::VisualOptions {
                enabled: visual,
                ..Default::default()
            },
            change_analysis_off: false,
        })
    }

    /// The result code of `report` as this request counts it: 0 passed, 1 failed, 3
    /// indeterminate, 4 no signature (the exit codes of `kyso verify`).
    pub fn result_code(&self, report: &crate::verify::Report) -> i32 {
        if self.require_decree30 {
            report.exit_code_requiring_decree30()
        } else {
            report.exit_code()
        }
    }

    /// `lang`: Vietnamese unless "en".
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `lang` for a value
    /// other than `vi` or `en`.
    pub fn lang(&self) -> Result<Lang> {
        match self.lang.as_deref() {
            None | Some("vi") => Ok(Lang::Vi),
            Some("en") => Ok(Lang::En),
            Some(other) => Err(invalid(
                "lang",
                format!("{other:?} is neither \"vi\" nor \"en\""),
            )),
        }
    }

    /// `visual`: whether the visual check runs (default on, or off when kyso is built without
    /// the `visual` feature).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `visual` for a value
    /// other than `on` or `off`.
    pub fn visual(&self) -> Result<bool> {
        match self.visual.as_deref() {
            // Default "on", or "off" when kyso is built without the feature `visual`.
            None => Ok(cfg!(feature = "visual")),
            Some("on") => Ok(true),
            Some("off") => Ok(false),
            Some(other) => Err(invalid(
                "visual",
                format!("{other:?} is neither \"on\" nor \"off\""),
            )),
        }
    }

    /// `at`: the validation time, None for now.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `at` for a time that
    /// is not RFC 3339 (`2026-11-22T09:00:00+07:00`).
    pub fn validation_time(&self) -> Result<Option<time::OffsetDateTime>> {
        self.at
            .as_deref()
            .map(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| {
                        invalid(
                            "at",
                            format!("{s:?} is not an RFC 3339 time, e.g. 2026-11-22T09:00:00+07:00 ({e})"),
                        )
                    })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(json: &str) -> Result<VerifyOptions> {
        let r: VerifyRequest = serde_json::from_str(json).map_err(|e| invalid("json", e))?;
        r.into_options(crate::pdf::Password::default())
    }

    #[test]
    fn defaults_and_values() {
        let o = req(r#"{"trust": []}"#).unwrap();
        // The visual check is on by default when kyso has it.
        assert_eq!(o.visual.enabled, cfg!(feature = "visual"));
        assert!(o.trust.is_empty());
        assert_eq!(o.revocation, RevocationPolicy::Require);
        assert_eq!(o.network, crate::net::NetworkBudget::default());
        let r: VerifyRequest = serde_json::from_str(r#"{"trust": [], "lang": "en"}"#).unwrap();
        assert_eq!(r.lang().unwrap(), Lang::En);
        let o = req(
            r#"{"trust": [], "visual": "off", "revocation": "off", "lang": "en",
            "at": "2026-11-22T09:00:00+07:00", "max_fetches": 3, "network_deadline": 0}"#,
        )
        .unwrap();
        assert!(!o.visual.enabled);
        assert_eq!(o.revocation, RevocationPolicy::Off);
        assert!(o.validation_time.is_some());
        assert_eq!(o.network.max_fetches, 3);
        assert_eq!(o.network.deadline.as_secs(), 1);
        for (json, field) in [
            (r#"{"trust": [], "visual": "maybe"}"#, "visual"),
            (r#"{"trust": [], "revocation": "soft"}"#, "revocation"),
            (r#"{"trust": [], "lang": "fr"}"#, "lang"),
            (r#"{"trust": [], "at": "yesterday"}"#, "at"),
            (r#"{"trsut": []}"#, "trsut"),
        ] {
            let e = req(json).unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
        }
    }
}
