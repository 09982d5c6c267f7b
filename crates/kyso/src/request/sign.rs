//! What a signature is asked to be: [`SignRequest`].

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use super::{env_offline, invalid, read_all};
use crate::appearance::{parse_rect, AppearanceRequest, Role};
use crate::crypto::DigestAlgorithm;
use crate::ltv::{LtvOptions, PadesLevel};
use crate::net::HttpClient;
use crate::sign::SignOptions;
use crate::timestamp::TsaClient;
use crate::Result;

/// Everything a signing needs but the key and the document: the signature's dictionary, its
/// algorithms, PAdES level and time-stamps, and the visible signature (Decree 30/2020).
///
/// Fields that name files on this machine are listed in [`SignRequest::FILE_FIELDS`]; a front
/// door for remote callers (`kyso serve`) refuses them. A new field naming a file must be
/// added there.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SignRequest {
    /// /Reason of the signature dictionary (ISO 32000-1 §12.8.1, Table 252): why it was
    /// signed, e.g. "Phê duyệt"; None omits it.
    pub reason: Option<String>,
    /// /Location: where it was signed, e.g. "Đà Nẵng"; None omits it.
    pub location: Option<String>,
    /// /ContactInfo: how to reach the signer (phone, e-mail); None omits it.
    pub contact: Option<String>,
    /// /Name (default: from the certificate).
    pub name: Option<String>,
    /// The signature field (an existing empty field of that name is filled).
    pub field: Option<String>,
    /// 1-based page of the widget (default 1; with a role, the page of `rect` or the only page
    /// searched for the anchor).
    pub page: Option<usize>,
    /// "sha256", "sha384" or "sha512" (default: the key's natural digest).
    pub hash: Option<String>,
    /// RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys).
    #[serde(default)]
    pub pss: bool,
    /// A certification signature with DocMDP permissions 1, 2 or 3.
    pub certify: Option<u8>,
    /// Sign even when certificate checks or the Decree 30/2020 guards object.
    #[serde(default)]
    pub force: bool,
    /// "B-B", "B-T", "B-LT" or "B-LTA" (default B-B, or B-T when `tsa` is given).
    pub level: Option<String>,
    /// Time-stamp authority URLs (RFC 3161), tried in order: one URL or a list.
    #[serde(default, deserialize_with = "super::one_or_many")]
    pub tsa: Vec<String>,
    /// The policy OID asked of the TSA.
    pub tsa_policy: Option<String>,
    /// Extra certificates for the validation data (B-LT, B-LTA): files.
    #[serde(default)]
    pub ltv_certs: Vec<PathBuf>,
    /// CRL files (DER or PEM) to embed where they apply (B-LT, B-LTA).
    #[serde(default)]
    pub ltv_crl: Vec<PathBuf>,
    /// OCSP response files (DER) to embed where they apply (B-LT, B-LTA).
    #[serde(default)]
    pub ltv_ocsp: Vec<PathBuf>,
    /// Room kept in /Contents for the time-stamp and its certificates, in bytes.
    pub reserve: Option<usize>,
    /// B-LT/B-LTA: no network for validation data (the TSA is still asked). KYSO_OFFLINE=1
    /// also sets it.
    #[serde(default)]
    pub offline: bool,
    /// A visible signature laid out for this role: "leader", "organization", "attachment" or
    /// "copy". Without it the signature is invisible and the fields below are refused.
    pub role: Option<String>,
    /// PNG picture (file): the leader's signature or the agency's seal.
    pub image: Option<PathBuf>,
    /// Explicit placement on `page`: "x,y,w,h" in points, or with an "mm" suffix.
    pub rect: Option<String>,
    /// Text the leader's picture is placed above (default: the certificate's common name).
    pub anchor: Option<String>,
    /// The seal's real diameter in millimetres (Decree 30/2020 Appendix I box 8: the seal is
    /// shown at its real size). Default: from the PNG's resolution, else
    /// [`DEFAULT_SEAL_MM`](crate::appearance::DEFAULT_SEAL_MM); the verifier accepts
    /// [`SEAL_MM`](crate::decree30::SEAL_MM).
    pub seal_diameter_mm: Option<f64>,
    /// Organization: no text block beside the seal.
    #[serde(default)]
    pub no_text: bool,
    /// The document's number and symbol, e.g. "123/UBND-VP", written into the draft's blank
    /// "Số: ..." on page 1 (only the number when the symbol is printed after the blank); when
    /// there is no blank it goes into the organization's text block, a Decree 30 guard.
    pub doc_number: Option<String>,
    /// The issue date (dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd), written into the
    /// draft's blank "ngày ... tháng ... năm" on page 1 (VIETNAM.md §1.2); when there is no
    /// blank it goes into the organization's text block, a Decree 30 guard
    /// ([`Guard::DateBlankNotFound`](crate::decree30::Guard::DateBlankNotFound)).
    pub doc_date: Option<String>,
    /// "SAO Y" (default), "SAO LỤC" or "TRÍCH SAO" (role copy).
    pub copy_type: Option<String>,
    /// Agency name shown (default: from the certificate).
    pub agency: Option<String>,
    /// TrueType font file for the text (default: the bundled Liberation Serif).
    pub font: Option<PathBuf>,
}

/// The secrets of a signing, kept out of the request: the caller reads them from where its
/// users keep secrets (environment, file, prompt, its own API).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct SignSecrets {
    /// The password of an encrypted PDF (default: the empty user password).
    pub pdf_password: crate::pdf::Password,
    /// `user:password` for the TSA's HTTP basic authentication (RFC 7617).
    pub tsa_credentials: Option<String>,
}

impl SignSecrets {
    /// Secrets from a PDF password and TSA credentials.
    pub fn new(pdf_password: crate::pdf::Password, tsa_credentials: Option<String>) -> Self {
        SignSecrets {
            pdf_password,
            tsa_credentials,
        }
    }
}

impl SignRequest {
    /// The fields naming files on this machine.
    pub const FILE_FIELDS: &'static [&'static str] =
        &["image", "font", "ltv_certs", "ltv_crl", "ltv_ocsp"];

    /// The appearance fields, which need a `role`.
    const VISIBLE_FIELDS: &'static [&'static str] = &[
        "image",
        "rect",
        "anchor",
        "seal_diameter_mm",
        "no_text",
        "doc_number",
        "doc_date",
        "copy_type",
        "agency",
        "font",
    ];

    /// The library's options: values checked, files read (certificates, CRLs, OCSP
    /// responses; the picture and font are read when signing).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the field for a value
    /// out of its range or set (`hash`, `level`, `page`, `certify`, `tsa`, `rect`, `role`…), or a
    /// file (certificate, CRL, OCSP response) that cannot be read or is not what it should be.
    pub fn into_options(self, secrets: SignSecrets) -> Result<SignOptions> {
        if self.page == Some(0) {
            return Err(invalid("page", "pages are numbered from 1"));
        }
        if let Some(c) = self.certify {
            if !(1..=3).contains(&c) {
                return Err(invalid("certify", format!("{c} is not 1, 2 or 3")));
            }
        }
        let digest = self.hash.as_deref().map(parse_hash).transpose()?;
        let appearance = self.appearance()?;
        let level = self.level()?;
        let offline = self.offline || env_offline();
        // The TSA is asked even offline (offline is about validation data).
        let http: Arc<dyn HttpClient> = crate::net::default_client();
        let timestamp = if self.tsa.is_empty() {
            None
        } else {
            let mut client = TsaClient::with_http(self.tsa.clone(), http.clone());
            client.credentials = secrets.tsa_credentials.clone();
            client.policy = self.tsa_policy.clone();
            Some(client)
        };
        let ltv = LtvOptions {
            level,
            timestamp: timestamp.clone(),
            http: (!offline).then_some(http),
            extra_certs: crate::pki::trust_store::load_anchor_paths(&self.ltv_certs)?,
            crls: read_crls(&self.ltv_crl)?,
            ocsps: read_all(&self.ltv_ocsp)?,
            ..LtvOptions::default()
        };
        Ok(SignOptions {
            field_name: self.field,
            reason: self.reason,
            location: self.location,
            contact_info: self.contact,
            name: self.name,
            digest,
            pss: self.pss,
            force: self.force,
            page: self.page.unwrap_or(1),
            certify: self.certify,
            timestamp,
            level,
            ltv,
            reserve: self.reserve.unwrap_or(crate::sign::DEFAULT_RESERVE),
            appearance,
            pdf_password: secrets.pdf_password,
            ..SignOptions::default()
        })
    }

    /// The options of a deferred signing's first step (`kyso prepare`): the same request, at
    /// B-B. The signature time-stamp is added when the signature is completed, and validation
    /// data by an extension; the fields asking for them here are refused, naming the field.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `tsa`, `tsa_policy`,
    /// `ltv_certs`, `ltv_crl` or `ltv_ocsp` when given, or `level` when it is not B-B; then every
    /// error of [`SignRequest::into_options`].
    pub fn into_prepare_options(self, secrets: SignSecrets) -> Result<SignOptions> {
        let later = [
            ("tsa", !self.tsa.is_empty()),
            ("tsa_policy", self.tsa_policy.is_some()),
            ("ltv_certs", !self.ltv_certs.is_empty()),
            ("ltv_crl", !self.ltv_crl.is_empty()),
            ("ltv_ocsp", !self.ltv_ocsp.is_empty()),
        ];
        if let Some((name, _)) = later.iter().find(|(_, given)| *given) {
            return Err(invalid(
                name,
                "a prepared signature gets its time-stamp when completed and its validation data when extended",
            ));
        }
        if let Some(l) = &self.level {
            if PadesLevel::parse(l).ok() != Some(PadesLevel::BB) {
                return Err(invalid(
                    "level",
                    format!("{l:?}: a prepared signature is B-B until completed with a time-stamp"),
                ));
            }
        }
        self.into_options(secrets)
    }

    /// The PAdES level asked for; B-T and up need a TSA (ETSI EN 319 142-1 §6.3). Without
    /// `level`, B-T when a TSA is given and B-B otherwise.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `tsa` for a URL that
    /// is not `http://` or `https://`, or `level` for an unknown level or B-T and up without a
    /// TSA.
    pub fn level(&self) -> Result<PadesLevel> {
        for u in &self.tsa {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(invalid("tsa", format!("{u:?} is not an http(s) URL")));
            }
        }
        let level = match &self.level {
            Some(l) => PadesLevel::parse(l)
                .map_err(|_| invalid("level", format!("{l:?} is not B-B, B-T, B-LT or B-LTA")))?,
            None if self.tsa.is_empty() => PadesLevel::BB,
            // A TSA without a level: a signature time-stamp is what the caller wants.
            None => PadesLevel::BT,
        };
        if level >= PadesLevel::BT && self.tsa.is_empty() {
            return Err(invalid(
                "level",
                format!("{} needs a time-stamp authority (tsa)", level.name()),
            ));
        }
        Ok(level)
    }

    /// The names of the appearance fields given (they need a role).
    fn visible_fields_given(&self) -> impl Iterator<Item = &'static str> + '_ {
        let given = [
            self.image.is_some(),
            self.rect.is_some(),
            self.anchor.is_some(),
            self.seal_diameter_mm.is_some(),
            self.no_text,
            self.doc_number.is_some(),
            self.doc_date.is_some(),
            self.copy_type.is_some(),
            self.agency.is_some(),
            self.font.is_some(),
        ];
        Self::VISIBLE_FIELDS
            .iter()
            .zip(given)
            .filter(|(_, g)| *g)
            .map(|(n, _)| *n)
    }

    /// The visible signature asked for, or None (invisible) without a role.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the field: an
    /// appearance field (`image`, `rect`, `anchor`, `seal_diameter_mm` …) given without a
    /// `role`, a role that is not leader, organization, attachment or copy, or a value that
    /// does not parse (a rectangle, a size).
    pub fn appearance(&self) -> Result<Option<AppearanceRequest>> {
        let Some(role) = &self.role else {
            if let Some(name) = self.visible_fields_given().next() {
                return Err(invalid(
                    name,
                    "applies to visible signatures: give a role (leader, organization, attachment or copy)",
                ));
            }
            return Ok(None);
        };
        let role: Role = role.parse().map_err(|_| {
            invalid(
                "role",
                format!("{role:?} is not leader, organization, attachment or copy"),
            )
        })?;
        let rect = match &self.rect {
            Some(r) => Some(parse_rect(r).map_err(|_| {
                invalid(
                    "rect",
                    format!("{r:?} is not x,y,w,h (points, or millimetres with an 'mm' suffix, e.g. 120mm,40mm,60mm,30mm)"),
                )
            })?),
            None => None,
        };
        if let Some(d) = self.seal_diameter_mm {
            if !(d.is_finite() && d > 0.0) {
                return Err(invalid("seal_diameter_mm", "must be a positive number"));
            }
        }
        Ok(Some(AppearanceRequest {
            role,
            image: self.image.clone(),
            page: self.page,
            rect,
            anchor: self.anchor.clone(),
            seal_diameter_mm: self.seal_diameter_mm,
            no_text: self.no_text,
            doc_number: self.doc_number.clone(),
            doc_date: self.doc_date.clone(),
            copy_type: self.copy_type.clone(),
            agency: self.agency.clone(),
            font: self.font.clone(),
        }))
    }
}

/// "sha256", "SHA-384", ...
fn parse_hash(s: &str) -> Result<DigestAlgorithm> {
    match s.to_ascii_lowercase().replace('-', "").as_str() {
        "sha256" => Ok(DigestAlgorithm::Sha256),
        "sha384" => Ok(DigestAlgorithm::Sha384),
        "sha512" => Ok(DigestAlgorithm::Sha512),
        _ => Err(invalid(
            "hash",
            format!("{s:?} is not one of sha256, sha384, sha512"),
        )),
    }
}

/// CRLs from files: DER, or PEM "X509 CRL" blocks (RFC 7468 §6); a file holding anything
/// else (most often the certificate mixed up with its CRL) is refused with the reason.
pub(crate) fn read_crls(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for path in paths {
        let crls = crate::pki::crl_file::load_crl_file(path)?;
        out.extend(crls.into_iter().map(|c| c.der));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(json: &str) -> Result<SignOptions> {
        let r: SignRequest = serde_json::from_str(json).map_err(|e| invalid("json", e))?;
        r.into_options(SignSecrets::default())
    }

    #[test]
    fn defaults_are_the_command_lines() {
        let o = req("{}").unwrap();
        assert_eq!(o.page, 1);
        assert_eq!(o.level, PadesLevel::BB);
        assert_eq!(o.reserve, crate::sign::DEFAULT_RESERVE);
        assert!(o.appearance.is_none() && o.timestamp.is_none() && o.digest.is_none());
    }

    #[test]
    fn values_are_checked_naming_the_field() {
        for (json, field) in [
            (r#"{"page": 0}"#, "page"),
            (r#"{"certify": 4}"#, "certify"),
            (r#"{"hash": "md5"}"#, "hash"),
            (r#"{"level": "B-T"}"#, "level"),
            (r#"{"level": "B-X", "tsa": "http://x"}"#, "level"),
            (r#"{"tsa": "file:///x"}"#, "tsa"),
            (r#"{"tsa": 5}"#, "tsa"),
            (r#"{"role": "boss"}"#, "role"),
            (r#"{"no_text": true}"#, "no_text"),
            (r#"{"role": "leader", "rect": "1,2"}"#, "rect"),
            (
                r#"{"role": "copy", "seal_diameter_mm": -3}"#,
                "seal_diameter_mm",
            ),
            (r#"{"seal_diamter_mm": 3}"#, "seal_diamter_mm"),
        ] {
            let e = req(json).unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
            assert!(!e.contains("--"), "{json}: names a flag: {e}");
        }
    }

    #[test]
    fn prepare_is_the_same_request_at_b_b() {
        let prep = |json: &str| -> Result<SignOptions> {
            let r: SignRequest = serde_json::from_str(json).map_err(|e| invalid("json", e))?;
            r.into_prepare_options(SignSecrets::default())
        };
        let o = prep(r#"{"reason": "r", "hash": "sha512", "level": "B-B", "certify": 2}"#).unwrap();
        assert_eq!(o.level, PadesLevel::BB);
        assert_eq!(o.certify, Some(2));
        assert_eq!(o.digest, Some(DigestAlgorithm::Sha512));
        for (json, field) in [
            (r#"{"tsa": "http://a"}"#, "tsa"),
            (r#"{"level": "B-LT"}"#, "level"),
            (r#"{"ltv_crl": ["x.crl"]}"#, "ltv_crl"),
            (r#"{"page": 0}"#, "page"),
        ] {
            let e = prep(json).unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
        }
    }

    #[test]
    fn levels_and_tsas() {
        let o = req(r#"{"level": "b-lta", "tsa": ["http://a", "http://b"]}"#).unwrap();
        assert_eq!(o.level, PadesLevel::BLTA);
        assert_eq!(o.timestamp.unwrap().urls.len(), 2);
        assert_eq!(req(r#"{"tsa": "http://a"}"#).unwrap().level, PadesLevel::BT);
        assert!(req(r#"{"tsa": null}"#).unwrap().timestamp.is_none());
        let o = req(r#"{"level": "B-LT", "tsa": "http://a", "offline": true}"#).unwrap();
        assert!(o.ltv.http.is_none());
    }

    #[test]
    fn appearance() {
        let o =
            req(r#"{"role": "leader", "image": "sig.png", "page": 2, "rect": "10mm,20,30,40"}"#)
                .unwrap();
        let a = o.appearance.unwrap();
        assert_eq!(a.role, Role::Leader);
        assert_eq!(a.page, Some(2));
        assert!((a.rect.unwrap()[0] - 28.346).abs() < 0.01);
    }

    #[test]
    fn from_a_query() {
        let q = |pairs: &[(&str, &str)]| -> Result<SignRequest> {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            super::super::from_pairs(&pairs)
        };
        let r = q(&[
            ("role", "organization"),
            ("seal-diameter-mm", "34"),
            ("page", "2"),
            ("no-text", ""),
            ("tsa", "http://a/"),
            ("tsa", "http://b/"),
            ("certify", "2"),
        ])
        .unwrap();
        assert_eq!(r.seal_diameter_mm, Some(34.0));
        assert!(r.no_text);
        assert_eq!(r.page, Some(2));
        assert_eq!(r.certify, Some(2));
        assert_eq!(r.tsa.len(), 2);
        let r = q(&[
            ("tsa", "http://a/"),
            ("pss", "no"),
            ("reason", ""),
            ("page", ""),
        ])
        .unwrap();
        assert!(r.reason.is_none() && r.page.is_none());
        assert_eq!(r.tsa, vec!["http://a/".to_string()]);
        assert!(!r.pss);
        let e = q(&[("colour", "red")]).unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
        let e = q(&[("reason", "a"), ("reason", "b")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("reason is given more than once"), "{e}");
        let e = q(&[("pss", "maybe")]).unwrap_err().to_string();
        assert!(e.contains("pss is a switch"), "{e}");
        let names = super::super::fields_of::<SignRequest>();
        assert!(
            names.contains(&"seal_diameter_mm") && names.contains(&"tsa"),
            "{names:?}"
        );
        for f in SignRequest::FILE_FIELDS
            .iter()
            .chain(SignRequest::VISIBLE_FIELDS)
        {
            assert!(names.contains(f), "{f}");
        }
        let e = q(&[("page", "two")]).unwrap_err().to_string();
        assert!(e.contains("page"), "{e}");
    }
}
