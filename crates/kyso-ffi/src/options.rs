//! The JSON options of the C ABI, read strictly: an unknown key is an invalid argument.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use kyso::pki::Certificate;
use kyso::request::{SignRequest, SignSecrets, VerifyRequest};
use kyso::sign::pkcs11::{KeySelector, Pkcs11Signer, TokenSelector, MODULE_ENV};
use kyso::sign::{load_p12, SignOptions, Signer};
use kyso::verify::VerifyOptions;
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

/// Options of `kyso_verify_file` / `kyso_verify_buffer`: the library's [`VerifyRequest`] and
/// the document's password, which the request does not hold.
#[derive(Clone, Debug, Default)]
pub struct VerifyJson {
    request: VerifyRequest,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
}

impl<'de> Deserialize<'de> for VerifyJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(d)?;
        let pdf_password = take::<D, Option<String>>(&mut map, "pdf_password")?;
        let request = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(serde::de::Error::custom)?;
        Ok(VerifyJson {
            request,
            pdf_password,
        })
    }
}

/// Takes `key` out of `map` as a `T` (absent: `T::default()`).
fn take<'de, D: serde::Deserializer<'de>, T: DeserializeOwned + Default>(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<T, D::Error> {
    match map.remove(key) {
        None => Ok(T::default()),
        Some(v) => {
            serde_json::from_value(v).map_err(|e| serde::de::Error::custom(format!("{key}: {e}")))
        }
    }
}

impl VerifyJson {
    /// The result code of `report` as the options count it ("require_decree30").
    pub fn result_code(&self, report: &kyso::verify::Report) -> i32 {
        self.request.result_code(report)
    }

    /// The language of the report's words ("lang").
    pub fn lang(&self) -> Result<kyso::text::Lang, Failure> {
        Ok(self.request.lang()?)
    }

    pub fn into_options(self) -> Result<VerifyOptions, Failure> {
        Ok(self
            .request
            .into_options(pdf_password(&self.pdf_password))?)
    }
}

/// The key of a signing: a .p12 file or a PKCS#11 token (kyso_sign_file, kyso_sign_buffer,
/// kyso_signer_open_pkcs11).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyJson {
    p12_path: Option<PathBuf>,
    p12_password: Option<String>,
    pkcs11_module: Option<PathBuf>,
    token: Option<String>,
    slot: Option<u64>,
    key_label: Option<String>,
    key_id: Option<String>,
    pin: Option<String>,
}

/// The keys of [`KeyJson`].
const KEY_KEYS: &[&str] = &[
    "p12_path",
    "p12_password",
    "pkcs11_module",
    "token",
    "slot",
    "key_label",
    "key_id",
    "pin",
];

/// Options of the signing functions: the key, the secrets (passed beside the request, never
/// in it), and the library's [`SignRequest`] with every other key.
#[derive(Debug, Default)]
pub struct SignJson {
    key: KeyJson,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
    /// "user:password" for the TSA's HTTP basic authentication.
    tsa_credentials: Option<String>,
    request: SignRequest,
}

impl<'de> Deserialize<'de> for SignJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(d)?;
        let mut key = serde_json::Map::new();
        for k in KEY_KEYS {
            if let Some(v) = map.remove(*k) {
                key.insert(k.to_string(), v);
            }
        }
        let key = serde_json::from_value(serde_json::Value::Object(key))
            .map_err(serde::de::Error::custom)?;
        let pdf_password = take::<D, Option<String>>(&mut map, "pdf_password")?;
        let tsa_credentials = take::<D, Option<String>>(&mut map, "tsa_credentials")?;
        let request = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(serde::de::Error::custom)?;
        Ok(SignJson {
            key,
            pdf_password,
            tsa_credentials,
            request,
        })
    }
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
        let secrets = SignSecrets::new(
            pdf_password(&self.pdf_password),
            self.tsa_credentials.clone(),
        );
        Ok(self.request.clone().into_options(secrets)?)
    }

    pub(crate) fn uses_token(&self) -> bool {
        self.key.pkcs11_module.is_some()
            || self.key.token.is_some()
            || self.key.slot.is_some()
            || self.key.key_label.is_some()
            || self.key.key_id.is_some()
            || self.key.pin.is_some()
    }

    /// Refuses a key source where the caller brings the key (the callback signer).
    pub fn refuse_key_source(&self) -> Result<(), Failure> {
        if self.key.p12_path.is_some() || self.key.p12_password.is_some() || self.uses_token() {
            return Err(Failure::invalid(
                "p12_* and PKCS#11 options do not apply: the callback signs",
            ));
        }
        Ok(())
    }

    /// The key named by the options: a .p12 file, or a PKCS#11 token.
    pub fn open_signer(&self) -> Result<Box<dyn Signer>, Failure> {
        match (&self.key.p12_path, self.uses_token()) {
            (Some(_), true) => Err(Failure::invalid(
                "give either p12_path or PKCS#11 options, not both",
            )),
            (Some(path), false) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                let password = self.key.p12_password.as_deref().unwrap_or("");
                Ok(Box::new(load_p12(&bytes, password)?))
            }
            (None, true) => {
                if self.key.p12_password.is_some() {
                    return Err(Failure::invalid("p12_password without p12_path"));
                }
                let module = match &self.key.pkcs11_module {
                    Some(m) => m.clone(),
                    None => std::env::var_os(MODULE_ENV)
                        .map(PathBuf::from)
                        .ok_or_else(|| {
                            Failure::invalid(format!(
                                "pkcs11_module is missing (and {MODULE_ENV} is not set)"
                            ))
                        })?,
                };
                if self.key.key_label.is_some() && self.key.key_id.is_some() {
                    return Err(Failure::invalid("give key_label or key_id, not both"));
                }
                let id = self.key.key_id.as_deref().map(parse_hex).transpose()?;
                let signer = Pkcs11Signer::open(
                    &module,
                    TokenSelector {
                        slot: self.key.slot,
                        label: self.key.token.clone(),
                    },
                    KeySelector {
                        label: self.key.key_label.clone(),
                        id,
                    },
                    self.key.pin.as_deref().unwrap_or(""),
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

/// Options of `kyso_prepare`: the signer's certificates, the document's password and the
/// library's [`SignRequest`] (at B-B: the time-stamp comes with `kyso_complete`).
#[derive(Debug, Default)]
pub struct PrepareJson {
    cert_path: Option<PathBuf>,
    cert_pem: Option<String>,
    chain_path: Option<PathBuf>,
    /// The password of an encrypted PDF (the empty user password when absent).
    pdf_password: Option<String>,
    request: SignRequest,
}

impl<'de> Deserialize<'de> for PrepareJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(d)?;
        Ok(PrepareJson {
            cert_path: take::<D, _>(&mut map, "cert_path")?,
            cert_pem: take::<D, _>(&mut map, "cert_pem")?,
            chain_path: take::<D, _>(&mut map, "chain_path")?,
            pdf_password: take::<D, _>(&mut map, "pdf_password")?,
            request: serde_json::from_value(serde_json::Value::Object(map))
                .map_err(serde::de::Error::custom)?,
        })
    }
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

    pub fn sign_options(&self) -> Result<SignOptions, Failure> {
        let secrets = SignSecrets::new(pdf_password(&self.pdf_password), None);
        Ok(self.request.clone().into_prepare_options(secrets)?)
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
        // Key, secret and request keys are each checked.
        assert!(parse::<SignJson>(Some(r#"{"p12_path": 1}"#)).is_err());
        assert!(parse::<SignJson>(Some(r#"{"pdf_password": 1}"#)).is_err());
        let e = parse::<SignJson>(Some(r#"{"pin": "1", "resaon": "x"}"#)).unwrap_err();
        assert!(e.message.contains("resaon"), "{}", e.message);
        assert!(parse::<VerifyJson>(Some(r#"{"pdf_password": "x", "pin": "1"}"#)).is_err());
        let o = parse::<SignJson>(Some(r#"{"pin": "1", "tsa_credentials": "u:p"}"#)).unwrap();
        assert!(o.uses_token());
        assert!(parse::<SignJson>(Some("[")).is_err());
        assert!(parse::<PrepareJson>(None).is_ok());
        // kyso_prepare reads the signing request: its fields, and nothing else.
        let o = parse::<PrepareJson>(Some(r#"{"cert_path": "c.pem", "hash": "sha512"}"#)).unwrap();
        assert!(o.sign_options().unwrap().digest.is_some());
        let e = parse::<PrepareJson>(Some(r#"{"cert_path": "c.pem", "resaon": "x"}"#)).unwrap_err();
        assert!(e.message.contains("resaon"), "{}", e.message);
        let o = parse::<PrepareJson>(Some(r#"{"tsa": "http://a"}"#)).unwrap();
        assert!(o.sign_options().is_err());
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
        // Ill-typed: refused while reading.
        assert!(parse::<SignJson>(Some(r#"{"tsa": 5}"#)).is_err());
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
        let o: SignJson = parse(Some(r#"{"hash": "SHA-384"}"#)).unwrap();
        assert_eq!(
            o.sign_options().unwrap().digest,
            Some(kyso::crypto::DigestAlgorithm::Sha384)
        );
        let o: SignJson = parse(Some(r#"{"hash": "md5"}"#)).unwrap();
        assert!(o.sign_options().is_err());
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
