//! The options of `POST /v1/sign` and `POST /v1/verify`: query parameters named like
//! `kyso sign`'s and `kyso verify`'s flags, read into the library's own requests
//! (`kyso::request::SignRequest`, `VerifyRequest`) so that the service, the command line and
//! the C ABI validate and lay out a signature the same way, and a new option reaches the
//! service without being spelled here. Unknown parameters are refused with their names (fail
//! closed: a misspelt `seal-diamter-mm` must not give a signature the caller did not ask for).
//!
//! Options that name files on this machine (`font`, `tsa-auth-file`, `ltv-*`, `trust`, keys)
//! are not available through the service: a web page must not choose what the service reads.
//! The image is the exception, and only as an upload or as a bare file name in `--image-dir`.

use std::path::{Path, PathBuf};

use kyso::request::{SignRequest, SignSecrets, VerifyRequest};
use kyso::sign::SignOptions;
use kyso::verify::VerifyOptions;

/// `kyso sign` flags that name a file on this machine, the key or the output: refused by name
/// (with the request's own file fields, `SignRequest::FILE_FIELDS`).
const LOCAL_ONLY: &[&str] = &[
    "tsa-auth-file",
    "p12",
    "pkcs11",
    "pin-file",
    "password-file",
    "output",
    "in-place",
    "overwrite",
    "batch",
];

/// The request fields `/v1/verify` takes per request (the rest is the service's `kyso serve`
/// flags); `name` names the document in the report.
const VERIFY_FIELDS: &[&str] = &["lang", "at", "visual"];

/// The parsed parameters of one `/v1/sign` request.
#[derive(Default)]
pub struct SignParams {
    /// Everything but the picture, which the caller adds from `image_name` or an upload.
    pub request: SignRequest,
    /// `image=NAME`: a file of `--image-dir`.
    pub image_name: Option<String>,
    pub file_name: Option<String>,
}

/// A parameter name as shown in a message: at most 60 characters, nothing invisible.
fn shown(name: &str) -> String {
    let k: String = name.chars().take(60).collect();
    kyso::text::report::visible(&k).into_owned()
}

/// Refuses names that are no option of anyone's (odd characters, too long) before serde sees
/// them, and names of `refused` with `why`.
fn check_names(
    query: &[(String, String)],
    refused: impl Fn(&str) -> bool,
    why: &str,
) -> Result<(), String> {
    let odd: Vec<String> = query
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| {
            k.is_empty()
                || k.len() > 60
                || !k
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
        .map(shown)
        .collect();
    if !odd.is_empty() {
        return Err(format!(
            "unknown parameter{}: {}",
            if odd.len() > 1 { "s" } else { "" },
            odd.join(", ")
        ));
    }
    let mut local: Vec<&str> = query
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| refused(&k.replace('_', "-")))
        .collect();
    local.dedup();
    if !local.is_empty() {
        return Err(format!(
            "not available through the service ({why}): {}",
            local.join(", ")
        ));
    }
    Ok(())
}

/// The request's message without the library's "invalid argument: " prefix.
fn message(e: kyso::Error) -> String {
    match e {
        kyso::Error::InvalidArgument(m) => m,
        other => other.to_string(),
    }
}

impl SignParams {
    /// Reads the query; an unknown or repeated parameter (but `tsa`) is an error naming it.
    /// `image` (a name in `--image-dir`) and `file-name` (the document's name for the
    /// confirmation prompt) are the service's; the rest is the request.
    pub fn parse(query: &[(String, String)]) -> Result<SignParams, String> {
        check_names(
            query,
            |k| {
                LOCAL_ONLY.contains(&k)
                    || (k != "image"
                        && SignRequest::FILE_FIELDS.contains(&k.replace('-', "_").as_str()))
            },
            "they name files on this machine or the key",
        )?;
        // Every unknown name at once (serde would stop at the first).
        let fields = kyso::request::fields_of::<SignRequest>();
        let mut unknown: Vec<String> = query
            .iter()
            .map(|(k, _)| k.replace('-', "_"))
            .filter(|k| !fields.contains(&k.as_str()) && k != "file_name")
            .map(|k| k.replace('_', "-"))
            .collect();
        unknown.dedup();
        if !unknown.is_empty() {
            let known: Vec<String> = fields
                .iter()
                .filter(|f| !SignRequest::FILE_FIELDS.contains(f) || **f == "image")
                .map(|f| f.replace('_', "-"))
                .chain(["file-name".to_string()])
                .collect();
            return Err(format!(
                "unknown parameter{}: {} (known: {})",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.join(", "),
                known.join(", ")
            ));
        }
        let mut p = SignParams::default();
        let mut rest = Vec::new();
        for (k, v) in query {
            let once = |slot: &Option<String>| {
                if slot.is_some() {
                    Err(format!("{k} is given more than once"))
                } else {
                    Ok(Some(v.clone()))
                }
            };
            match k.replace('_', "-").as_str() {
                "image" => p.image_name = once(&p.image_name)?,
                "file-name" => p.file_name = once(&p.file_name)?.filter(|v| !v.is_empty()),
                _ => rest.push((k.clone(), v.clone())),
            }
        }
        p.request = kyso::request::from_pairs(&rest).map_err(message)?;
        Ok(p)
    }

    /// The library's options, as `kyso sign` builds them from the same flags. `image`: the
    /// picture's file (from `--image-dir` or the upload), if any. The TSA's credentials, as
    /// for `kyso sign`, come from KYSO_TSA_AUTH.
    pub fn sign_options(&self, image: Option<PathBuf>) -> Result<SignOptions, String> {
        let mut request = self.request.clone();
        request.image = image;
        let credentials = crate::ltv::credentials(&crate::ltv::TimestampArgs::default())?;
        request
            .into_options(SignSecrets::new(
                kyso::pdf::Password::default(),
                credentials,
            ))
            .map_err(message)
    }
}

/// The options of one `/v1/verify` request: the service's own (`base`, from its flags) with
/// the per-request `lang`, `at` and `visual`; `name` (the report's file name) is the caller's.
/// Any other parameter is refused by name. Returns the options and the language of the words.
pub fn verify_options(
    base: &VerifyOptions,
    query: &[(String, String)],
) -> Result<(VerifyOptions, kyso::text::Lang), String> {
    check_names(
        query,
        |k| {
            let field = k.replace('-', "_");
            VerifyRequest::FILE_FIELDS.contains(&field.as_str())
        },
        "they name files on this machine",
    )?;
    let rest: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "name").cloned().collect();
    let request: VerifyRequest = kyso::request::from_pairs(&rest).map_err(message)?;
    let mut given: Vec<String> = rest.iter().map(|(k, _)| k.replace('-', "_")).collect();
    given.retain(|k| !VERIFY_FIELDS.contains(&k.as_str()));
    if !given.is_empty() {
        return Err(format!(
            "not available per request through the service: {} (per request: {}, name)",
            given.join(", "),
            VERIFY_FIELDS.join(", ")
        ));
    }
    let mut opts = base.clone();
    let lang = request.lang().map_err(message)?;
    opts.validation_time = request.validation_time().map_err(message)?;
    opts.visual.enabled = request.visual().map_err(message)? && base.visual.enabled;
    Ok((opts, lang))
}

/// `NAME` inside `dir`: a bare file name (no separator, no `..`, not hidden), resolved inside
/// `dir` after following links, and a regular file. Never an arbitrary path.
pub fn image_in_dir(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let bare = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control());
    if !bare {
        let shown: String = name.chars().take(80).collect();
        return Err(format!(
            "image: {:?} is not a bare file name of the image folder (no path, no '..')",
            kyso::text::report::visible(&shown)
        ));
    }
    let not_found = || format!("image: no file {name:?} in the image folder");
    let root = dir.canonicalize().map_err(|_| not_found())?;
    let path = root.join(name).canonicalize().map_err(|_| not_found())?;
    // A link inside the folder that leads out of it is refused like a path.
    if path.parent() != Some(root.as_path()) || !path.is_file() {
        return Err(not_found());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parameters() {
        let p = SignParams::parse(&q(&[
            ("role", "organization"),
            ("seal-diameter-mm", "34"),
            ("doc-number", "12/UBND"),
            ("page", "2"),
            ("no-text", ""),
            ("tsa", "http://a/"),
            ("tsa", "http://b/"),
            ("image", "seal.png"),
            ("file-name", "a.pdf"),
        ]))
        .unwrap();
        assert_eq!(p.request.role.as_deref(), Some("organization"));
        assert_eq!(p.request.seal_diameter_mm, Some(34.0));
        assert!(p.request.no_text);
        assert_eq!(p.request.page, Some(2));
        assert_eq!(p.request.tsa.len(), 2);
        assert_eq!(p.image_name.as_deref(), Some("seal.png"));
        assert!(p.sign_options(None).is_ok());
        let e = SignParams::parse(&q(&[
            ("role", "leader"),
            ("colour", "red"),
            ("seal-diamter-mm", "3"),
        ]))
        .err()
        .unwrap();
        assert!(e.contains("colour, seal-diamter-mm"), "{e}");
        let e = SignParams::parse(&q(&[("x\u{1b}[31m", "")])).err().unwrap();
        assert!(
            e.contains("unknown parameter") && !e.contains('\u{1b}'),
            "{e}"
        );
        for local in ["font", "ltv-crl", "ltv_certs", "p12", "tsa-auth-file"] {
            let e = SignParams::parse(&q(&[(local, "/etc/passwd")]))
                .err()
                .unwrap();
            assert!(e.contains("not available") && e.contains(local), "{e}");
        }
        assert!(SignParams::parse(&q(&[("image", "a"), ("image", "b")])).is_err());
        assert!(SignParams::parse(&q(&[("reason", "a"), ("reason", "b")])).is_err());
        assert!(SignParams::parse(&q(&[("pss", "maybe")])).is_err());
        // Values are checked when the options are made, as for the CLI and the C ABI.
        for bad in [
            ("page", "0"),
            ("role", "boss"),
            ("tsa", "file:///x"),
            ("certify", "7"),
        ] {
            let p = SignParams::parse(&q(&[bad])).unwrap();
            assert!(p.sign_options(None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn verify_parameters() {
        let base = kyso::request::VerifyRequest::default();
        let mut base_req = base.clone();
        base_req.trust = Some(Vec::new());
        let base = base_req
            .into_options(kyso::pdf::Password::default())
            .unwrap();
        let (o, lang) = verify_options(
            &base,
            &q(&[
                ("lang", "en"),
                ("name", "a.pdf"),
                ("visual", "off"),
                ("at", "2026-01-01T00:00:00Z"),
            ]),
        )
        .unwrap();
        assert_eq!(lang, kyso::text::Lang::En);
        assert!(!o.visual.enabled && o.validation_time.is_some());
        for bad in ["trust", "revocation", "colour", "offline"] {
            let e = verify_options(&base, &q(&[(bad, "x")])).err().unwrap();
            assert!(e.contains(bad), "{e}");
        }
        assert!(verify_options(&base, &q(&[("lang", "fr")])).is_err());
    }

    #[test]
    fn image_names() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("images");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("seal.png"), b"x").unwrap();
        std::fs::write(dir.path().join("secret.png"), b"x").unwrap();
        assert!(image_in_dir(&inner, "seal.png").is_ok());
        for bad in [
            "../secret.png",
            "..",
            "",
            "/etc/passwd",
            "sub/seal.png",
            "..\\secret.png",
            "missing.png",
        ] {
            assert!(image_in_dir(&inner, bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), inner.join("link.png"))
                .unwrap();
            assert!(image_in_dir(&inner, "link.png").is_err());
        }
    }
}
