//! The options of `POST /v1/sign`: query parameters named like `kyso sign`'s flags, mapped
//! onto the CLI's own argument types (`AppearanceArgs`, `TimestampArgs`) so that the service
//! and the command line validate and lay out a signature the same way. Unknown parameters are
//! refused with their names (fail closed: a misspelt `seal-diamter-mm` must not give a
//! signature the caller did not ask for).
//!
//! Options that name files on this machine (`font`, `tsa-auth-file`, `ltv-*`, keys) are not
//! available through the service: a web page must not choose what the service reads. The
//! image is the exception, and only as an upload or as a bare file name in `--image-dir`.

use std::path::{Path, PathBuf};

use kyso::crypto::DigestAlgorithm;
use kyso::sign::SignOptions;

use crate::appearance::AppearanceArgs;
use crate::ltv::TimestampArgs;

/// Every parameter `/v1/sign` understands. `file-name` only names the document for the
/// confirmation prompt (`--confirm`).
pub const KNOWN: &[&str] = &[
    "reason",
    "location",
    "contact",
    "name",
    "field",
    "page",
    "hash",
    "pss",
    "certify",
    "force",
    "level",
    "tsa",
    "tsa-policy",
    "offline",
    "reserve",
    "role",
    "image",
    "rect",
    "anchor",
    "seal-diameter-mm",
    "no-text",
    "doc-number",
    "doc-date",
    "copy-type",
    "agency",
    "file-name",
];

/// `kyso sign` flags that name a file on this machine or the key: refused by name.
const LOCAL_ONLY: &[&str] = &[
    "font",
    "tsa-auth-file",
    "ltv-certs",
    "ltv-crl",
    "ltv-ocsp",
    "p12",
    "pkcs11",
    "pin-file",
    "output",
    "in-place",
    "overwrite",
    "batch",
];

/// The parsed parameters of one `/v1/sign` request.
#[derive(Default)]
pub struct SignParams {
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact: Option<String>,
    pub name: Option<String>,
    pub field: Option<String>,
    pub page: Option<usize>,
    pub hash: Option<DigestAlgorithm>,
    pub pss: bool,
    pub certify: Option<u8>,
    pub force: bool,
    pub level: Option<String>,
    pub offline: bool,
    pub reserve: Option<usize>,
    pub timestamp: TimestampArgs,
    /// The visible signature; `image` is filled by the caller from `image_name` or an upload.
    pub appearance: AppearanceArgs,
    /// `image=NAME`: a file of `--image-dir`.
    pub image_name: Option<String>,
    pub file_name: Option<String>,
}

fn flag(name: &str, v: &str) -> Result<bool, String> {
    match v {
        "" | "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(format!("{name} is a switch: give true or false, not {v:?}")),
    }
}

fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("{name}: {v:?} is not a number"))
}

impl SignParams {
    /// Reads the query; an unknown or repeated parameter (but `tsa`) is an error naming it.
    pub fn parse(query: &[(String, String)]) -> Result<SignParams, String> {
        let unknown: Vec<&str> = query
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !KNOWN.contains(k))
            .collect();
        let local: Vec<&str> = unknown
            .iter()
            .copied()
            .filter(|k| LOCAL_ONLY.contains(k))
            .collect();
        if !local.is_empty() {
            return Err(format!(
                "not available through the service (they name files on this machine or the key): {}",
                local.join(", ")
            ));
        }
        if !unknown.is_empty() {
            let shown: Vec<String> = unknown
                .iter()
                .map(|k| {
                    let k: String = k.chars().take(60).collect();
                    kyso::verify::text::visible(&k).into_owned()
                })
                .collect();
            return Err(format!(
                "unknown parameter{}: {} (known: {})",
                if shown.len() > 1 { "s" } else { "" },
                shown.join(", "),
                KNOWN.join(", ")
            ));
        }
        let mut p = SignParams::default();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in query {
            if k != "tsa" && seen.contains(&k.as_str()) {
                return Err(format!("{k} is given more than once"));
            }
            seen.push(k);
            let text = || (!v.is_empty()).then(|| v.clone());
            match k.as_str() {
                "reason" => p.reason = text(),
                "location" => p.location = text(),
                "contact" => p.contact = text(),
                "name" => p.name = text(),
                "field" => p.field = text(),
                "page" => match number::<usize>(k, v)? {
                    0 => return Err("page must be 1 or more".into()),
                    n => p.page = Some(n),
                },
                "hash" => {
                    p.hash = Some(match v.to_ascii_lowercase().as_str() {
                        "sha256" => DigestAlgorithm::Sha256,
                        "sha384" => DigestAlgorithm::Sha384,
                        "sha512" => DigestAlgorithm::Sha512,
                        _ => return Err(format!("hash: {v:?} is not sha256, sha384 or sha512")),
                    })
                }
                "pss" => p.pss = flag(k, v)?,
                "certify" => match number::<u8>(k, v) {
                    Ok(c @ 1..=3) => p.certify = Some(c),
                    _ => return Err("certify must be 1, 2 or 3".into()),
                },
                "force" => p.force = flag(k, v)?,
                "level" => p.level = text(),
                "tsa" => {
                    if !(v.starts_with("http://") || v.starts_with("https://")) {
                        return Err(format!("tsa: {v:?} is not an http(s) URL"));
                    }
                    p.timestamp.tsa.push(v.clone())
                }
                "tsa-policy" => p.timestamp.tsa_policy = text(),
                "offline" => p.offline = flag(k, v)?,
                "reserve" => p.reserve = Some(number(k, v)?),
                "role" => p.appearance.role = Some(v.clone()),
                "image" => p.image_name = Some(v.clone()),
                "rect" => p.appearance.rect = Some(v.clone()),
                "anchor" => p.appearance.anchor = text(),
                "seal-diameter-mm" => {
                    let d: f64 = number(k, v)?;
                    if !(d.is_finite() && d > 0.0) {
                        return Err("seal-diameter-mm must be a positive number".into());
                    }
                    p.appearance.seal_diameter_mm = Some(d)
                }
                "no-text" => p.appearance.no_text = flag(k, v)?,
                "doc-number" => p.appearance.doc_number = text(),
                "doc-date" => p.appearance.doc_date = text(),
                "copy-type" => p.appearance.copy_type = text(),
                "agency" => p.appearance.agency = text(),
                "file-name" => p.file_name = text(),
                // KNOWN was checked above; a name added there but not here is refused.
                other => return Err(format!("parameter {other} is not handled")),
            }
        }
        if let Some(role) = &p.appearance.role {
            if !["leader", "organization", "attachment", "copy"].contains(&role.as_str()) {
                return Err(format!(
                    "role: {role:?} is not leader, organization, attachment or copy"
                ));
            }
        }
        Ok(p)
    }

    /// The library's options, as `kyso sign` builds them from the same flags. `image`: the
    /// picture's file (from `--image-dir` or the upload), if any.
    pub fn sign_options(&self, image: Option<PathBuf>) -> Result<SignOptions, String> {
        let appearance = AppearanceArgs {
            role: self.appearance.role.clone(),
            image,
            rect: self.appearance.rect.clone(),
            anchor: self.appearance.anchor.clone(),
            seal_diameter_mm: self.appearance.seal_diameter_mm,
            no_text: self.appearance.no_text,
            doc_number: self.appearance.doc_number.clone(),
            doc_date: self.appearance.doc_date.clone(),
            copy_type: self.appearance.copy_type.clone(),
            agency: self.appearance.agency.clone(),
            font: None,
        };
        let visible = appearance.request(self.page)?;
        let level = crate::ltv::sign_level(self.level.as_deref(), &self.timestamp)?;
        let offline = self.offline || std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1");
        let (timestamp, mut ltv) = crate::ltv::options(&self.timestamp, level, false)?;
        if offline {
            // As `kyso sign --offline`: no network for validation data; the TSA is still asked.
            ltv.http = None;
        }
        Ok(SignOptions {
            field_name: self.field.clone(),
            reason: self.reason.clone(),
            location: self.location.clone(),
            contact_info: self.contact.clone(),
            name: self.name.clone(),
            digest: self.hash,
            pss: self.pss,
            force: self.force,
            page: self.page.unwrap_or(1),
            certify: self.certify,
            timestamp,
            level,
            ltv,
            reserve: self.reserve.unwrap_or(kyso::sign::DEFAULT_RESERVE),
            appearance: visible,
            ..SignOptions::default()
        })
    }
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
            kyso::verify::text::visible(&shown)
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
        ]))
        .unwrap();
        assert_eq!(p.appearance.role.as_deref(), Some("organization"));
        assert_eq!(p.appearance.seal_diameter_mm, Some(34.0));
        assert!(p.appearance.no_text);
        assert_eq!(p.page, Some(2));
        assert_eq!(p.timestamp.tsa.len(), 2);
        let e = SignParams::parse(&q(&[("role", "leader"), ("colour", "red"), ("x", "")]))
            .err()
            .unwrap();
        assert!(e.contains("colour, x"), "{e}");
        let e = SignParams::parse(&q(&[("font", "/etc/passwd")]))
            .err()
            .unwrap();
        assert!(e.contains("font"), "{e}");
        assert!(SignParams::parse(&q(&[("page", "0")])).is_err());
        assert!(SignParams::parse(&q(&[("role", "boss")])).is_err());
        assert!(SignParams::parse(&q(&[("reason", "a"), ("reason", "b")])).is_err());
        assert!(SignParams::parse(&q(&[("pss", "maybe")])).is_err());
        assert!(SignParams::parse(&q(&[("tsa", "file:///x")])).is_err());
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
