//! The signer handle: a key opened once (a .p12 read and decrypted, a token logged into)
//! and used for many documents.

use serde::Deserialize;

use kyso::sign::Signer;

use crate::options::{parse, SignJson};
use crate::support::Failure;

/// An open key (a .p12 decrypted once, a token logged into once) that signs any number of
/// documents. Opaque: made by the `kyso_signer_open_*` functions, freed by
/// `kyso_signer_close`. Threads: one handle may be used by several threads at once (signatures
/// through one token session take turns inside kyso); close it exactly once, after every call
/// using it has returned.
pub struct kyso_signer {
    pub(crate) signer: Box<dyn Signer>,
}

/// The options `kyso_signer_open_pkcs11` accepts: only the key's, so that a signature option
/// given here (and silently unused) is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read through SignJson; this struct only gates the keys
struct Pkcs11Json {
    pkcs11_module: Option<String>,
    token: Option<String>,
    slot: Option<u64>,
    key_label: Option<String>,
    key_id: Option<String>,
    pin: Option<String>,
}

/// Opens the token key named by `json` ("pkcs11_module", "token", "slot", "key_label",
/// "key_id", "pin"), logging in once.
pub fn open_pkcs11(json: Option<&str>) -> Result<Box<dyn Signer>, Failure> {
    parse::<Pkcs11Json>(json)?;
    let opts = parse::<SignJson>(json)?;
    if !opts.uses_token() {
        return Err(Failure::invalid(format!(
            "no token: give pkcs11_module (or token, slot, key_label or key_id with {} set)",
            kyso::sign::pkcs11::MODULE_ENV
        )));
    }
    opts.open_signer()
}

/// The options of `kyso_signer_open_cng`: one certificate of the Windows store.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CngJson {
    thumbprint: Option<String>,
    subject: Option<String>,
}

/// Which certificate the options name: its SHA-1 thumbprint (20 bytes) or a subject part.
#[derive(Debug, PartialEq, Eq)]
enum CngSelector {
    Thumbprint(Vec<u8>),
    Subject(String),
}

fn cng_selector(json: Option<&str>) -> Result<CngSelector, Failure> {
    let o = parse::<CngJson>(json)?;
    match (o.thumbprint, o.subject) {
        (Some(t), None) => {
            // certmgr shows "3a f2 …"; PowerShell "3AF2…"; some tools use colons.
            let digits: String = t
                .chars()
                .filter(|c| !c.is_whitespace() && *c != ':')
                .collect();
            let bytes = crate::options::parse_hex(&digits)
                .map_err(|_| Failure::invalid(format!("thumbprint: {t:?} is not hex")))?;
            if bytes.len() != 20 {
                return Err(Failure::invalid(format!(
                    "thumbprint: {t:?} is not a SHA-1 thumbprint (40 hex digits)"
                )));
            }
            Ok(CngSelector::Thumbprint(bytes))
        }
        (None, Some(s)) if !s.trim().is_empty() => Ok(CngSelector::Subject(s)),
        _ => Err(Failure::invalid(
            "options_json: give exactly one of \"thumbprint\" or \"subject\"",
        )),
    }
}

/// Opens the key of a certificate of the Windows store (CNG).
pub fn open_cng(json: Option<&str>) -> Result<Box<dyn Signer>, Failure> {
    let sel = cng_selector(json)?;
    #[cfg(windows)]
    {
        use kyso::sign::cng::{CertSelector, CngSigner};
        let sel = match sel {
            CngSelector::Thumbprint(t) => CertSelector::Thumbprint(t),
            CngSelector::Subject(s) => CertSelector::Subject(s),
        };
        Ok(Box::new(CngSigner::open(&sel)?))
    }
    #[cfg(not(windows))]
    {
        let _ = sel;
        Err(Failure {
            code: crate::KYSO_ERR_NOT_SUPPORTED,
            message: "the Windows certificate store exists only on Windows".into(),
        })
    }
}

/// The signature options of a `*_with_signer` call: those of kyso_sign_file without the key
/// (the handle is the key).
pub fn signature_options(json: Option<&str>) -> Result<kyso::sign::SignOptions, Failure> {
    let opts = parse::<SignJson>(json)?;
    if opts.refuse_key_source().is_err() {
        return Err(Failure::invalid(
            "p12_* and PKCS#11 options do not apply: the signer handle is the key",
        ));
    }
    opts.sign_options()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs11_options_are_key_options_only() {
        let e = open_pkcs11(Some(r#"{"pkcs11_module": "/x.so", "reason": "r"}"#))
            .err()
            .unwrap();
        assert_eq!(e.code, crate::KYSO_ERR_INVALID_ARGUMENT);
        assert!(e.message.contains("reason"), "{}", e.message);
        let e = open_pkcs11(Some(r#"{"pkcs11_module": "/nonexistent/p11.so"}"#))
            .err()
            .unwrap();
        assert_eq!(e.code, crate::KYSO_ERR_KEY, "{}", e.message);
        assert!(signature_options(Some(r#"{"p12_path": "a.p12"}"#)).is_err());
        assert!(signature_options(Some(r#"{"pin": "1"}"#)).is_err());
        assert!(signature_options(Some(r#"{"reason": "Duyệt"}"#)).is_ok());
    }

    #[test]
    fn cng_selectors() {
        let t = "3a f2 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 01 02";
        let json = format!(r#"{{"thumbprint": "{t}"}}"#);
        match cng_selector(Some(&json)).unwrap() {
            CngSelector::Thumbprint(b) => assert_eq!(b[..2], [0x3a, 0xf2]),
            other => panic!("{other:?}"),
        }
        for bad in [
            r#"{"thumbprint": "3af2"}"#,
            r#"{"thumbprint": "zz"}"#,
            r#"{"subject": " "}"#,
            r#"{"subject": "a", "thumbprint": "00"}"#,
            "{}",
            r#"{"store": "MY"}"#,
        ] {
            let e = cng_selector(Some(bad)).err().unwrap();
            assert_eq!(e.code, crate::KYSO_ERR_INVALID_ARGUMENT, "{bad}");
        }
        assert_eq!(
            cng_selector(Some(r#"{"subject": "Nguyễn"}"#)).unwrap(),
            CngSelector::Subject("Nguyễn".into())
        );
        #[cfg(not(windows))]
        assert_eq!(
            open_cng(Some(r#"{"subject": "x"}"#)).err().unwrap().code,
            crate::KYSO_ERR_NOT_SUPPORTED
        );
    }
}
