//! The JSON options of the C ABI, read strictly: an unknown key is an invalid argument.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use kyso::appearance::{parse_rect, AppearanceRequest};
use kyso::crypto::DigestAlgorithm;
use kyso::pki::trust_store::{load_anchor_paths, TrustStore};
use kyso::pki::Certificate;
use kyso::sign::pkcs11::{KeySelector, Pkcs11Signer, TokenSelector, MODULE_ENV};
use kyso::sign::{load_p12, SignOptions, Signer};
use kyso::verify::trust::RevocationPolicy;
use kyso::verify::{Lang, VerifyOptions};
use kyso::Error;

use crate::support::Failure;

/// Parses `json` (None or blank: `{}`) into `T`, refusing unknown keys.
pub fn parse<T: DeserializeOwned + Default>(json: Option<&str>) -> Result<T, Failure> {
    match json {
        None => Ok(T::default()),
        Some(s) if s.trim().is_empty() => Ok(T::default()),
        Some(s) => {
            serde_json::from_str(s).map_err(|e| Failure::invalid(format!("options_json: {e}")))
        }
    }
}

/// Options of `kyso_verify_file` / `kyso_verify_buffer`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyJson {
    trust: Option<Vec<PathBuf>>,
    #[serde(default)]
    extra_certs: Vec<PathBuf>,
    #[serde(default)]
    crls: Vec<PathBuf>,
    offline: Option<bool>,
    revocation: Option<String>,
    #[serde(default)]
    accept_unknown_ca_status: bool,
    lang: Option<String>,
    at: Option<String>,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
    /// The visual check (issue 14): "on" (default) or "off".
    visual: Option<String>,
}

impl VerifyJson {
    pub fn into_options(self) -> Result<VerifyOptions, Failure> {
        let lang = match self.lang.as_deref() {
            None | Some("vi") => Lang::Vi,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "lang: {other:?} is neither \"vi\" nor \"en\""
                )))
            }
        };
        let revocation = match self.revocation.as_deref() {
            None | Some("require") => RevocationPolicy::Require,
            Some("off") => RevocationPolicy::Off,
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "revocation: {other:?} is neither \"require\" nor \"off\""
                )))
            }
        };
        let visual = match self.visual.as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "visual: {other:?} is neither \"on\" nor \"off\""
                )))
            }
        };
        let validation_time = match &self.at {
            None => None,
            Some(s) => Some(
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| Failure::invalid(format!("at: {s:?} is not RFC 3339 ({e})")))?,
            ),
        };
        // As `kyso verify`: the trust store when no anchors are given.
        let trust = match &self.trust {
            Some(paths) => load_anchor_paths(paths)?,
            None => TrustStore::default_location().and_then(|s| s.certificates())?,
        };
        let extra_certs = load_anchor_paths(&self.extra_certs)?;
        let crls = self
            .crls
            .iter()
            .map(|p| std::fs::read(p).map_err(|e| Error::io(p, e)))
            .collect::<Result<Vec<_>, _>>()?;
        // As `kyso verify`: online unless "offline": true; KYSO_OFFLINE=1 keeps it offline.
        let offline = self.offline.unwrap_or(false) || env_offline();
        Ok(VerifyOptions {
            trust,
            extra_certs,
            validation_time,
            lang,
            crls,
            online: !offline,
            revocation,
            accept_unknown_ca_status: self.accept_unknown_ca_status,
            network: kyso::net::NetworkBudget::default(),
            pdf_password: pdf_password(&self.pdf_password),
            visual: kyso::visual::VisualOptions {
                enabled: visual,
                ..Default::default()
            },
            change_analysis_off: false,
        })
    }
}

/// KYSO_OFFLINE=1: no network, as for the CLI.
fn env_offline() -> bool {
    std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1")
}

/// Options of the signing functions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignJson {
    p12_path: Option<PathBuf>,
    p12_password: Option<String>,
    reason: Option<String>,
    location: Option<String>,
    contact: Option<String>,
    name: Option<String>,
    field: Option<String>,
    page: Option<usize>,
    hash: Option<String>,
    #[serde(default)]
    pss: bool,
    certify: Option<u8>,
    #[serde(default)]
    force: bool,
    pkcs11_module: Option<PathBuf>,
    token: Option<String>,
    slot: Option<u64>,
    key_label: Option<String>,
    key_id: Option<String>,
    pin: Option<String>,
    // Visible signature (Decree 30/2020 layouts), as `kyso sign --role …`.
    role: Option<String>,
    image: Option<PathBuf>,
    rect: Option<String>,
    anchor: Option<String>,
    seal_diameter_mm: Option<f64>,
    #[serde(default)]
    no_text: bool,
    doc_number: Option<String>,
    doc_date: Option<String>,
    copy_type: Option<String>,
    agency: Option<String>,
    font: Option<PathBuf>,
    // Time-stamps and long-term validation, as `kyso sign --level --tsa`.
    /// "B-B" (default), "B-T", "B-LT", "B-LTA".
    level: Option<String>,
    /// One TSA URL or a list tried in order.
    tsa: Option<serde_json::Value>,
    /// "user:password" for the TSA's HTTP basic authentication.
    tsa_credentials: Option<String>,
    /// B-LT/B-LTA: gather no validation data over the network (only what the document has).
    #[serde(default)]
    offline: bool,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
}

/// The document password of an options object.
fn pdf_password(p: &Option<String>) -> kyso::pdf::Password {
    p.as_deref()
        .map(kyso::pdf::Password::from_text)
        .unwrap_or_default()
}

impl SignJson {
    /// The signature's options.
    pub fn sign_options(&self) -> Result<SignOptions, Failure> {
        if self.page == Some(0) {
            return Err(Failure::invalid("page: pages are numbered from 1"));
        }
        let (level, tsa) = self.timestamp_options()?;
        Ok(SignOptions {
            field_name: self.field.clone(),
            reason: self.reason.clone(),
            location: self.location.clone(),
            contact_info: self.contact.clone(),
            name: self.name.clone(),
            digest: self.hash.as_deref().map(parse_hash).transpose()?,
            pss: self.pss,
            force: self.force,
            page: self.page.unwrap_or(1),
            certify: self.certify,
            timestamp: tsa.clone(),
            level,
            ltv: kyso::ltv::LtvOptions {
                level,
                timestamp: tsa,
                http: (!self.offline && !env_offline()).then(|| {
                    std::sync::Arc::new(kyso::net::UreqClient::new())
                        as std::sync::Arc<dyn kyso::net::HttpClient>
                }),
                ..kyso::ltv::LtvOptions::default()
            },
            appearance: self.appearance()?,
            pdf_password: pdf_password(&self.pdf_password),
            ..SignOptions::default()
        })
    }

    /// The PAdES level and TSA client asked for.
    fn timestamp_options(
        &self,
    ) -> Result<(kyso::ltv::PadesLevel, Option<kyso::timestamp::TsaClient>), Failure> {
        let tsa_given = !matches!(self.tsa, None | Some(serde_json::Value::Null));
        let level = match &self.level {
            // A TSA without a level: a signature time-stamp is what the caller wants.
            None if tsa_given => kyso::ltv::PadesLevel::BT,
            None => kyso::ltv::PadesLevel::BB,
            Some(l) => {
                kyso::ltv::PadesLevel::parse(l).map_err(|e| Failure::invalid(e.to_string()))?
            }
        };
        let urls: Vec<String> = match &self.tsa {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::String(u)) => vec![u.clone()],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| Failure::invalid("tsa: a URL or a list of URLs"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(Failure::invalid("tsa: a URL or a list of URLs")),
        };
        if level >= kyso::ltv::PadesLevel::BT && urls.is_empty() {
            return Err(Failure::invalid(format!(
                "level {} needs a time-stamp authority (\"tsa\")",
                level.name()
            )));
        }
        let tsa = (!urls.is_empty()).then(|| {
            let mut c = kyso::timestamp::TsaClient::new(urls);
            c.credentials = self.tsa_credentials.clone();
            c
        });
        Ok((level, tsa))
    }

    /// The visible signature asked for, or None (invisible) when there is no "role".
    fn appearance(&self) -> Result<Option<AppearanceRequest>, Failure> {
        let Some(role) = &self.role else {
            if self.image.is_some() || self.rect.is_some() || self.anchor.is_some() {
                return Err(Failure::invalid(
                    "\"image\", \"rect\" and \"anchor\" need a \"role\" (leader, organization, attachment, copy)",
                ));
            }
            return Ok(None);
        };
        Ok(Some(AppearanceRequest {
            role: role.parse()?,
            image: self.image.clone(),
            page: self.page,
            rect: self.rect.as_deref().map(parse_rect).transpose()?,
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

    pub(crate) fn uses_token(&self) -> bool {
        self.pkcs11_module.is_some()
            || self.token.is_some()
            || self.slot.is_some()
            || self.key_label.is_some()
            || self.key_id.is_some()
            || self.pin.is_some()
    }

    /// Refuses a key source where the caller brings the key (the callback signer).
    pub fn refuse_key_source(&self) -> Result<(), Failure> {
        if self.p12_path.is_some() || self.p12_password.is_some() || self.uses_token() {
            return Err(Failure::invalid(
                "p12_* and PKCS#11 options do not apply: the callback signs",
            ));
        }
        Ok(())
    }

    /// The key named by the options: a .p12 file, or a PKCS#11 token.
    pub fn open_signer(&self) -> Result<Box<dyn Signer>, Failure> {
        match (&self.p12_path, self.uses_token()) {
            (Some(_), true) => Err(Failure::invalid(
                "give either p12_path or PKCS#11 options, not both",
            )),
            (Some(path), false) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                let password = self.p12_password.as_deref().unwrap_or("");
                Ok(Box::new(load_p12(&bytes, password)?))
            }
            (None, true) => {
                if self.p12_password.is_some() {
                    return Err(Failure::invalid("p12_password without p12_path"));
                }
                let module = match &self.pkcs11_module {
                    Some(m) => m.clone(),
                    None => std::env::var_os(MODULE_ENV)
                        .map(PathBuf::from)
                        .ok_or_else(|| {
                            Failure::invalid(format!(
                                "pkcs11_module is missing (and {MODULE_ENV} is not set)"
                            ))
                        })?,
                };
                if self.key_label.is_some() && self.key_id.is_some() {
                    return Err(Failure::invalid("give key_label or key_id, not both"));
                }
                let id = self.key_id.as_deref().map(parse_hex).transpose()?;
                let signer = Pkcs11Signer::open(
                    &module,
                    TokenSelector {
                        slot: self.slot,
                        label: self.token.clone(),
                    },
                    KeySelector {
                        label: self.key_label.clone(),
                        id,
                    },
                    self.pin.as_deref().unwrap_or(""),
                    Vec::new(),
                )?;
                Ok(Box::new(signer))
            }
            (None, false) => Err(Failure::invalid(
                "no key: give p12_path (and p12_password) or pkcs11_module",
            )),
        }
    }
}

fn parse_hash(s: &str) -> Result<DigestAlgorithm, Failure> {
    match s.to_ascii_lowercase().replace('-', "").as_str() {
        "sha256" => Ok(DigestAlgorithm::Sha256),
        "sha384" => Ok(DigestAlgorithm::Sha384),
        "sha512" => Ok(DigestAlgorithm::Sha512),
        _ => Err(Failure::invalid(format!(
            "hash: {s:?} is not one of sha256, sha384, sha512"
        ))),
    }
}

/// A CKA_ID in hex, colons allowed (`01`, `3a:f2`).
pub(crate) fn parse_hex(s: &str) -> Result<Vec<u8>, Failure> {
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) || !digits.is_ascii() {
        return Err(Failure::invalid(format!(
            "key_id: {s:?} is not an even number of hex digits"
        )));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&digits[i..i + 2], 16)
                .map_err(|_| Failure::invalid(format!("key_id: {s:?} is not hex")))
        })
        .collect()
}

/// Options of `kyso_prepare`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareJson {
    cert_path: Option<PathBuf>,
    cert_pem: Option<String>,
    chain_path: Option<PathBuf>,
    field: Option<String>,
    reason: Option<String>,
    location: Option<String>,
    #[serde(default)]
    pss: bool,
    #[serde(default)]
    force: bool,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
}

impl PrepareJson {
    /// The signer's certificate (DER) and the rest of the chain (DER, issuer first).
    pub fn certificates(&self) -> Result<(Vec<u8>, Vec<Vec<u8>>), Failure> {
        let mut certs = match (&self.cert_path, &self.cert_pem) {
            (Some(p), None) => read_certs(p)?,
            (None, Some(pem)) => parse_certs(pem.as_bytes(), "cert_pem")?,
            (Some(_), Some(_)) => {
                return Err(Failure::invalid("give cert_path or cert_pem, not both"))
            }
            (None, None) => return Err(Failure::invalid("cert_path or cert_pem is required")),
        };
        let signer = certs.remove(0);
        let mut chain: Vec<Vec<u8>> = certs.into_iter().map(|c| c.der).collect();
        if let Some(p) = &self.chain_path {
            chain.extend(read_certs(p)?.into_iter().map(|c| c.der));
        }
        Ok((signer.der, chain))
    }

    pub fn sign_options(&self) -> SignOptions {
        SignOptions {
            field_name: self.field.clone(),
            reason: self.reason.clone(),
            location: self.location.clone(),
            pss: self.pss,
            force: self.force,
            pdf_password: pdf_password(&self.pdf_password),
            ..SignOptions::default()
        }
    }
}

fn read_certs(path: &Path) -> Result<Vec<Certificate>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_certs(&bytes, &path.display().to_string())
}

/// Certificates from PEM (one or many) or DER; at least one.
pub fn parse_certs(bytes: &[u8], what: &str) -> Result<Vec<Certificate>, Failure> {
    let certs = Certificate::parse_pem_or_der(bytes)
        .map_err(|e| Error::Certificate(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Certificate(format!("{what}: no certificate found")).into());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let e = parse::<VerifyJson>(Some(r#"{"trsut": []}"#)).unwrap_err();
        assert_eq!(e.code, crate::KYSO_ERR_INVALID_ARGUMENT);
        assert!(e.message.contains("trsut"), "{}", e.message);
        assert!(parse::<SignJson>(Some("{\"p12\": 1}")).is_err());
        assert!(parse::<SignJson>(Some("[")).is_err());
        assert!(parse::<PrepareJson>(None).is_ok());
        assert!(parse::<VerifyJson>(Some("  ")).is_ok());
    }

    #[test]
    fn appearance_options() {
        let o: SignJson = parse(Some(
            r#"{"role": "leader", "image": "sig.png", "page": 2, "rect": "10mm,20,30,40"}"#,
        ))
        .unwrap();
        let a = o.sign_options().unwrap().appearance.unwrap();
        assert_eq!(a.role, kyso::appearance::Role::Leader);
        assert_eq!(a.page, Some(2));
        assert!((a.rect.unwrap()[0] - 28.346).abs() < 0.01);
        let o: SignJson = parse(Some(r#"{"role": "boss"}"#)).unwrap();
        assert_eq!(
            o.sign_options().unwrap_err().code,
            crate::KYSO_ERR_INVALID_ARGUMENT
        );
        let o: SignJson = parse(Some(r#"{"image": "x.png"}"#)).unwrap();
        assert!(o.sign_options().is_err());
        let o: SignJson = parse(Some("{}")).unwrap();
        assert!(o.sign_options().unwrap().appearance.is_none());
    }

    #[test]
    fn levels_need_a_tsa() {
        let o: SignJson = parse(Some(r#"{"level": "B-T"}"#)).unwrap();
        assert_eq!(
            o.sign_options().unwrap_err().code,
            crate::KYSO_ERR_INVALID_ARGUMENT
        );
        let o: SignJson = parse(Some(r#"{"level": "B-X", "tsa": "http://x"}"#)).unwrap();
        assert!(o.sign_options().is_err());
        let o: SignJson = parse(Some(
            r#"{"level": "b-lta", "tsa": ["http://a", "http://b"]}"#,
        ))
        .unwrap();
        let s = o.sign_options().unwrap();
        assert_eq!(s.level, kyso::ltv::PadesLevel::BLTA);
        assert_eq!(s.timestamp.unwrap().urls.len(), 2);
        let o: SignJson = parse(Some(r#"{"tsa": 5}"#)).unwrap();
        assert!(o.sign_options().is_err());
    }

    #[test]
    fn visual_check_on_by_default_off_on_request() {
        let o: VerifyJson = parse(Some(r#"{"trust": []}"#)).unwrap();
        assert!(o.into_options().unwrap().visual.enabled);
        let o: VerifyJson = parse(Some(r#"{"trust": [], "visual": "off"}"#)).unwrap();
        assert!(!o.into_options().unwrap().visual.enabled);
        let o: VerifyJson = parse(Some(r#"{"trust": [], "visual": "maybe"}"#)).unwrap();
        assert_eq!(
            o.into_options().unwrap_err().code,
            crate::KYSO_ERR_INVALID_ARGUMENT
        );
    }

    #[test]
    fn hashes_and_ids() {
        assert_eq!(parse_hash("SHA-384").unwrap(), DigestAlgorithm::Sha384);
        assert!(parse_hash("md5").is_err());
        assert_eq!(parse_hex("3a:f2").unwrap(), vec![0x3a, 0xf2]);
        assert!(parse_hex("3").is_err());
        assert!(parse_hex("zz").is_err());
    }
}

/// Options of `kyso_extract_file`: which signature, by number or by field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractJson {
    signature: Option<usize>,
    field: Option<String>,
}

impl ExtractJson {
    pub fn which(self) -> Result<kyso::extract::Which, Failure> {
        match (self.signature, self.field) {
            (Some(n), None) => Ok(kyso::extract::Which::Number(n)),
            (None, Some(f)) => Ok(kyso::extract::Which::Field(f)),
            _ => Err(Failure::invalid(
                "options_json: give exactly one of \"signature\" (1 = the first) or \"field\"",
            )),
        }
    }
}
