//! What an extension of signed documents is asked to reach: [`ExtendRequest`] (`kyso extend`).

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use super::sign::read_crls;
use super::{env_offline, invalid, read_all};
use crate::ltv::{LtvOptions, PadesLevel};
use crate::net::{default_client, HttpClient, Offline};
use crate::timestamp::TsaClient;
use crate::Result;

/// The validation data and time-stamps to add to signed documents (ETSI EN 319 142-1 §5.4:
/// B-LT adds the DSS, B-LTA a document time-stamp over it).
///
/// Fields that name files on this machine are listed in [`ExtendRequest::FILE_FIELDS`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExtendRequest {
    /// "B-LT" or "B-LTA" (default B-LTA).
    pub level: Option<String>,
    /// Time-stamp authority URLs (RFC 3161), tried in order: one URL or a list.
    #[serde(default, deserialize_with = "super::one_or_many")]
    pub tsa: Vec<String>,
    /// The policy OID asked of the TSA.
    pub tsa_policy: Option<String>,
    /// Extra certificates for the validation data: files.
    #[serde(default)]
    pub ltv_certs: Vec<PathBuf>,
    /// CRL files (DER or PEM) to embed where they apply.
    #[serde(default)]
    pub ltv_crl: Vec<PathBuf>,
    /// OCSP response files (DER) to embed where they apply.
    #[serde(default)]
    pub ltv_ocsp: Vec<PathBuf>,
    /// Add a new archive time-stamp when the last one's TSA certificate expires within this
    /// many days (B-LTA; default 90).
    pub renew_days: Option<i64>,
    /// No network at all: only the data given and already in the document, and no TSA
    /// either. KYSO_OFFLINE=1 also sets it.
    #[serde(default)]
    pub offline: bool,
}

impl ExtendRequest {
    /// The fields naming files on this machine.
    pub const FILE_FIELDS: &'static [&'static str] = &["ltv_certs", "ltv_crl", "ltv_ocsp"];

    /// The level asked for: B-LT or B-LTA (B-T is reached when signing).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `tsa` for a URL that
    /// is not `http://` or `https://`, or `level` for a level that is not B-LT or B-LTA.
    pub fn level(&self) -> Result<PadesLevel> {
        for u in &self.tsa {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(invalid("tsa", format!("{u:?} is not an http(s) URL")));
            }
        }
        match &self.level {
            None => Ok(PadesLevel::BLTA),
            Some(l) => match PadesLevel::parse(l) {
                Ok(level) if level >= PadesLevel::BLT => Ok(level),
                Ok(level) => Err(invalid(
                    "level",
                    format!(
                        "an extension reaches B-LT or B-LTA, not {} (B-T is reached when signing with a time-stamp authority)",
                        level.name()
                    ),
                )),
                Err(_) => Err(invalid("level", format!("{l:?} is not B-LT or B-LTA"))),
            },
        }
    }

    /// The library's options: values checked, files read. `tsa_credentials` is
    /// `user:password` for the TSA's HTTP basic authentication, a secret kept out of the
    /// request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the field: a level or
    /// TSA URL refused by [`ExtendRequest::level`], a negative `renew_days`; a certificate, CRL
    /// or OCSP file that cannot be read or is not what it should be.
    ///
    /// # Examples
    ///
    /// ```
    /// use kyso::ltv::PadesLevel;
    /// use kyso::request::ExtendRequest;
    ///
    /// let req: ExtendRequest =
    ///     serde_json::from_str(r#"{"level": "B-LT", "offline": true}"#).unwrap();
    /// let opts = req.into_options(kyso::pdf::Password::default(), None).unwrap();
    /// assert_eq!(opts.level, PadesLevel::BLT);
    /// assert!(opts.http.is_none() && opts.timestamp.is_none());
    ///
    /// // B-T is reached when signing, not by an extension.
    /// let req: ExtendRequest = serde_json::from_str(r#"{"level": "B-T"}"#).unwrap();
    /// let err = req.into_options(kyso::pdf::Password::default(), None).unwrap_err();
    /// assert!(err.to_string().contains("level"));
    /// ```
    pub fn into_options(
        self,
        pdf_password: crate::pdf::Password,
        tsa_credentials: Option<String>,
    ) -> Result<LtvOptions> {
        let level = self.level()?;
        let renew_days = self.renew_days.unwrap_or(90);
        if renew_days < 0 {
            return Err(invalid("renew_days", "must be 0 or more"));
        }
        let offline = self.offline || env_offline();
        let http: Option<Arc<dyn HttpClient>> = (!offline).then(default_client);
        let timestamp = if self.tsa.is_empty() {
            None
        } else {
            // Offline means no network at all: a TSA is then refused when asked.
            let transport: Arc<dyn HttpClient> = match &http {
                Some(h) => h.clone(),
                None => Arc::new(Offline),
            };
            let mut client = TsaClient::with_http(self.tsa.clone(), transport);
            client.credentials = tsa_credentials;
            client.policy = self.tsa_policy.clone();
            Some(client)
        };
        Ok(LtvOptions {
            level,
            timestamp,
            http,
            extra_certs: crate::pki::trust_store::load_anchor_paths(&self.ltv_certs)?,
            crls: read_crls(&self.ltv_crl)?,
            ocsps: read_all(&self.ltv_ocsp)?,
            renew_within: time::Duration::days(renew_days),
            pdf_password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(json: &str) -> Result<LtvOptions> {
        let r: ExtendRequest = serde_json::from_str(json).map_err(|e| invalid("json", e))?;
        r.into_options(crate::pdf::Password::default(), None)
    }

    #[test]
    fn defaults_are_the_command_lines() {
        let o = req("{}").unwrap();
        assert_eq!(o.level, PadesLevel::BLTA);
        assert_eq!(o.renew_within, time::Duration::days(90));
        assert!(o.timestamp.is_none());
        let o =
            req(r#"{"level": "b-lt", "tsa": ["http://a", "http://b"], "offline": true}"#).unwrap();
        assert_eq!(o.level, PadesLevel::BLT);
        assert_eq!(o.timestamp.unwrap().urls.len(), 2);
        assert!(o.http.is_none());
    }

    #[test]
    fn values_are_checked_naming_the_field() {
        for (json, field) in [
            (r#"{"level": "B-T"}"#, "level"),
            (r#"{"level": "B-X"}"#, "level"),
            (r#"{"tsa": "ftp://x"}"#, "tsa"),
            (r#"{"renew_days": -1}"#, "renew_days"),
            (r#"{"renew_dyas": 3}"#, "renew_dyas"),
        ] {
            let e = req(json).unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
            assert!(!e.contains("--"), "{json}: names a flag: {e}");
        }
        let names = super::super::fields_of::<ExtendRequest>();
        for f in ExtendRequest::FILE_FIELDS {
            assert!(names.contains(f), "{f}");
        }
    }
}
