//! Trust anchors: a persistent store in the user's configuration directory (XDG), certificates
//! given for one run (`--trust FILE|DIR`), and the roots of Vietnam's PKI, which kyso recognises
//! by fingerprint (VIETNAM.md §3). The project ships no certificate files: users add the real ones.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Certificate;
use crate::error::{Error, Result};

/// A root of Vietnam's PKI that kyso knows by its SHA-256 fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownRoot {
    /// The subject common name the root carries.
    pub common_name: &'static str,
    /// How it is labelled in `kyso trust list`.
    pub label: &'static str,
    /// SHA-256 of the root certificate's DER: the only thing that makes a certificate this root.
    pub sha256: [u8; 32],
}

/// Vietnam's two roots (fingerprints computed from the published certificates; VIETNAM.md §3).
pub const KNOWN_ROOTS: &[KnownRoot] = &[
    KnownRoot {
        common_name: "RootCA chuyên dùng Chính phủ G2",
        label: "Gốc chuyên dùng Chính phủ (Ban Cơ yếu Chính phủ) / Government root G2",
        sha256: [
            0xF0, 0x4B, 0xA4, 0xB4, 0x59, 0xA7, 0xC9, 0xA1, 0xB9, 0x71, 0xAD, 0x9B, 0x1C, 0xB8,
            0x33, 0xE6, 0x95, 0xA8, 0x0C, 0x79, 0xAE, 0xA6, 0x3B, 0x17, 0x4B, 0x66, 0xA7, 0x0E,
            0xDF, 0xE2, 0xFD, 0xB8,
        ],
    },
    KnownRoot {
        common_name: "Vietnam National Root CA",
        label: "Gốc quốc gia (NEAC) / Vietnam National Root CA",
        sha256: [
            0xBA, 0xC8, 0xBF, 0x60, 0x9A, 0xB4, 0x20, 0xA8, 0xEE, 0x17, 0x80, 0xD7, 0x4F, 0x4D,
            0xE5, 0xC7, 0xF7, 0x18, 0x49, 0x59, 0xD2, 0xA7, 0x37, 0x5B, 0x0A, 0x75, 0xE4, 0xC2,
            0x9F, 0x09, 0x08, 0xE7,
        ],
    },
];

/// How a certificate relates to the known Vietnamese roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootRecognition {
    /// It is one of them (same fingerprint).
    Known(&'static KnownRoot),
    /// It claims one of their names with another key: a look-alike.
    LookAlike(&'static KnownRoot),
    /// Neither: some other certificate (it may still be a trust anchor the user added).
    Unknown,
}

/// Whether `cert` is one of [`KNOWN_ROOTS`] (by fingerprint), or a look-alike that carries one
/// of their common names (compared after RFC 4518 preparation) with another key.
///
/// # Examples
///
/// ```
/// use kyso::pki::{trust_store::{recognise, RootRecognition}, Certificate};
///
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/root.pem"))?;
/// let root = Certificate::parse_pem_or_der(&pem)?.remove(0);
/// // The throw-away test root is neither of Vietnam's roots nor named like one.
/// assert_eq!(recognise(&root), RootRecognition::Unknown);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recognise(cert: &Certificate) -> RootRecognition {
    let fp = cert.fingerprint_sha256();
    if let Some(k) = KNOWN_ROOTS.iter().find(|k| k.sha256 == fp) {
        return RootRecognition::Known(k);
    }
    // Recognition only labels an anchor the user already trusts: no CN, no look-alike warning.
    let cn = cert.subject.common_name().unwrap_or_default();
    match KNOWN_ROOTS
        .iter()
        .find(|k| normalise(&cn) == normalise(k.common_name))
    {
        Some(k) => RootRecognition::LookAlike(k),
        None => RootRecognition::Unknown,
    }
}

/// RFC 4518 preparation (NFKC, invisible characters dropped, case folded, spaces collapsed), so
/// that a decomposed, full-width or zero-width variant of a known root's name is a look-alike.
fn normalise(s: &str) -> String {
    // A name with RFC 4518 prohibited characters is compared as written (a label, not trust).
    super::name::prepare(s).unwrap_or_else(|| s.to_string())
}

/// One anchor as `kyso trust list` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TrustEntry {
    /// Short identifier: the first 16 hex digits of the SHA-256 fingerprint.
    pub id: String,
    /// The subject name in RFC 4514 text form.
    pub subject: String,
    /// SHA-256 of the DER, upper-case hex bytes joined by `:` (as browsers show it).
    pub sha256_fingerprint: String,
    /// Start of validity, RFC 3339 in Vietnam time (UTC+07:00).
    pub not_before: String,
    /// End of validity, RFC 3339 in Vietnam time (UTC+07:00).
    pub not_after: String,
    /// "Gốc chuyên dùng Chính phủ…" for the known roots, else None.
    pub label: Option<String>,
    /// The parsed certificate (not serialised); always set in the entries kyso lists.
    #[serde(skip)]
    pub certificate: Option<Certificate>,
}

impl TrustEntry {
    fn from_cert(cert: &Certificate) -> TrustEntry {
        let fp = hex(&cert.fingerprint_sha256());
        TrustEntry {
            id: fp[..16].to_string(),
            subject: cert.subject.to_rfc4514(),
            sha256_fingerprint: colon_hex(&cert.fingerprint_sha256()),
            not_before: crate::vntime::rfc3339(cert.not_before),
            not_after: crate::vntime::rfc3339(cert.not_after),
            label: match recognise(cert) {
                RootRecognition::Known(k) => Some(k.label.to_string()),
                _ => None,
            },
            certificate: Some(cert.clone()),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn colon_hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The persistent store: one DER file per anchor, named by fingerprint.
#[derive(Clone, Debug)]
pub struct TrustStore {
    dir: PathBuf,
}

impl TrustStore {
    /// `KYSO_TRUST_DIR`, else on Windows `%APPDATA%\kyso\trust`, elsewhere
    /// `$XDG_CONFIG_HOME/kyso/trust`, else `~/.config/kyso/trust`.
    pub fn default_location() -> Result<TrustStore> {
        default_dir(|name| std::env::var_os(name), cfg!(windows)).map(TrustStore::at)
    }

    /// A store kept in `dir` (created when the first anchor is added; nothing is read yet).
    pub fn at(dir: PathBuf) -> TrustStore {
        TrustStore { dir }
    }

    /// The directory holding the store's DER files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds every certificate in `bytes` (PEM bundle or DER). A certificate that claims the name
    /// of a Vietnamese root with another fingerprint is refused.
    pub fn add(&self, bytes: &[u8]) -> Result<Vec<TrustEntry>> {
        let certs = Certificate::parse_pem_or_der(bytes)?;
        if certs.is_empty() {
            return Err(Error::Certificate("no certificate found".into()));
        }
        for cert in &certs {
            if let RootRecognition::LookAlike(k) = recognise(cert) {
                return Err(Error::InvalidArgument(format!(
                    "refused: the certificate calls itself \"{}\" but its fingerprint {} is not the real root's ({}); it may be a forgery",
                    k.common_name,
                    colon_hex(&cert.fingerprint_sha256()),
                    colon_hex(&k.sha256)
                )));
            }
        }
        // RFC 5280 §4.2.1.9: only a CA certificate (basicConstraints cA TRUE) may issue
        // certificates; an end-entity certificate as an anchor would "trust" exactly one
        // signer and hide that its chain is never checked.
        for cert in &certs {
            if !cert.basic_constraints.is_some_and(|b| b.ca) {
                return Err(Error::InvalidArgument(format!(
                    "refused: \"{}\" is not a CA certificate (basicConstraints cA {}): an end-entity certificate cannot be a trust anchor; add the root CA that issued it",
                    cert.subject.to_rfc4514(),
                    if cert.basic_constraints.is_some() { "is false" } else { "is absent" }
                )));
            }
        }
        // Two anchors with one name and two keys: chains would be built to whichever is found
        // first, and a look-alike root would sit beside the real one. A renewed root with a new
        // key replaces the old one explicitly (kyso trust remove, then add).
        let existing = self.certificates()?;
        for (i, cert) in certs.iter().enumerate() {
            let clash = existing
                .iter()
                .chain(&certs[..i])
                .find(|o| o.subject.matches(&cert.subject) && o.spki_der != cert.spki_der);
            if let Some(other) = clash {
                return Err(Error::InvalidArgument(format!(
                    "refused: a trust anchor named \"{}\" with another key is already there (id {}); remove it first (kyso trust remove) if this one replaces it",
                    cert.subject.to_rfc4514(),
                    &hex(&other.fingerprint_sha256())[..16]
                )));
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let mut added = Vec::new();
        for cert in &certs {
            let path = self
                .dir
                .join(format!("{}.der", hex(&cert.fingerprint_sha256())));
            let mut out = crate::output::AtomicOutput::create(&path)?;
            std::io::Write::write_all(out.writer(), &cert.der).map_err(|e| Error::io(&path, e))?;
            out.commit()?;
            added.push(TrustEntry::from_cert(cert));
        }
        Ok(added)
    }

    /// Every anchor in the store (unreadable files are skipped).
    pub fn list(&self) -> Result<Vec<TrustEntry>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        let mut out = Vec::new();
        // Skipping an unreadable file can only remove an anchor, never add trust.
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("der") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                if let Ok(cert) = Certificate::from_der(&bytes) {
                    out.push(TrustEntry::from_cert(&cert));
                }
            }
        }
        out.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(out)
    }

    /// The anchors' certificates.
    pub fn certificates(&self) -> Result<Vec<Certificate>> {
        Ok(self
            .list()?
            .into_iter()
            .filter_map(|e| e.certificate)
            .collect())
    }

    /// Removes the anchor whose id (or fingerprint) starts with `id`.
    pub fn remove(&self, id: &str) -> Result<TrustEntry> {
        let wanted = id.replace(':', "").to_lowercase();
        if wanted.len() < 4 {
            return Err(Error::InvalidArgument(
                "give at least 4 hex digits of the id".into(),
            ));
        }
        let matches: Vec<TrustEntry> = self
            .list()?
            .into_iter()
            .filter(|e| {
                e.sha256_fingerprint
                    .replace(':', "")
                    .to_lowercase()
                    .starts_with(&wanted)
            })
            .collect();
        match matches.as_slice() {
            [one] => {
                let path = self.dir.join(format!(
                    "{}.der",
                    one.sha256_fingerprint.replace(':', "").to_lowercase()
                ));
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                Ok(one.clone())
            }
            [] => Err(Error::InvalidArgument(format!(
                "no trust anchor with id {id}"
            ))),
            _ => Err(Error::InvalidArgument(format!(
                "id {id} matches {} anchors; give more digits",
                matches.len()
            ))),
        }
    }
}

/// Reads `--trust` arguments: files (PEM bundles or DER) or directories of them.
pub fn load_anchor_paths(paths: &[PathBuf]) -> Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                // An entry the directory listing cannot return is one anchor fewer, never more.
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    matches!(
                        f.extension()
                            .and_then(|e| e.to_str())
                            .map(str::to_lowercase)
                            .as_deref(),
                        Some("pem" | "crt" | "cer" | "der")
                    )
                })
                .collect();
            files.sort();
            for f in files {
                let bytes = std::fs::read(&f).map_err(|e| Error::io(&f, e))?;
                out.extend(
                    Certificate::parse_pem_or_der(&bytes)
                        .map_err(|e| Error::Certificate(format!("{}: {e}", f.display())))?,
                );
            }
        } else {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            let certs = Certificate::parse_pem_or_der(&bytes)
                .map_err(|e| Error::Certificate(format!("{}: {e}", p.display())))?;
            if certs.is_empty() {
                return Err(Error::Certificate(format!(
                    "{}: no certificate found",
                    p.display()
                )));
            }
            out.extend(certs);
        }
    }
    Ok(out)
}

/// Where the trust store lives, from the environment `var` (split out to be tested for both
/// systems on either).
fn default_dir(var: impl Fn(&str) -> Option<std::ffi::OsString>, windows: bool) -> Result<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("KYSO_TRUST_DIR") {
        return Ok(dir);
    }
    if windows {
        // The roaming application data of the user (FOLDERID_RoamingAppData).
        return match set("APPDATA") {
            Some(appdata) => Ok(appdata.join("kyso").join("trust")),
            None => Err(Error::InvalidArgument(
                "%APPDATA% is not set: set KYSO_TRUST_DIR".into(),
            )),
        };
    }
    let config = match set("XDG_CONFIG_HOME") {
        Some(x) => x,
        None => match set("HOME").or_else(|| set("USERPROFILE")) {
            Some(h) => h.join(".config"),
            None => {
                return Err(Error::InvalidArgument(
                    "no home directory: set KYSO_TRUST_DIR".into(),
                ))
            }
        },
    };
    Ok(config.join("kyso").join("trust"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/pki")
            .join(name);
        std::fs::read(p).unwrap()
    }

    #[test]
    fn add_list_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::at(dir.path().join("trust"));
        assert!(store.list().unwrap().is_empty());
        let added = store.add(&fixture("chain.pem")).unwrap();
        assert_eq!(added.len(), 2);
        let list = store.list().unwrap();
        assert_eq!(list.len(), 2);
        assert!(list
            .iter()
            .any(|e| e.subject.contains("KySo Test Root CA (thử nghiệm)")));
        assert!(list.iter().all(|e| e.label.is_none()));
        // Adding again does not duplicate.
        store.add(&fixture("root.der")).unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
        let root = list.iter().find(|e| e.subject.contains("Root")).unwrap();
        let removed = store.remove(&root.id[..8]).unwrap();
        assert_eq!(removed.id, root.id);
        assert_eq!(store.list().unwrap().len(), 1);
        assert!(store.remove("0000").is_err());
        assert!(store.remove("ab").is_err());
    }

    /// Issue 20 item 1: the look-alike check compares names after RFC 4518 preparation.
    #[test]
    fn look_alikes_in_other_unicode_forms_are_caught() {
        use crate::pki::testutil::{Key, Pki};
        use unicode_normalization::UnicodeNormalization;
        let pki = Pki::new();
        let nfd: String = "RootCA chuyên dùng Chính phủ G2".nfd().collect();
        for (i, cn) in [
            nfd.as_str(),
            "RootCA chuyên\u{200B} dùng Chính phủ G2",
            "ＲｏｏｔＣＡ chuyên dùng Chính phủ G2",
            "rootca  CHUYÊN dùng chính phủ g2",
        ]
        .iter()
        .enumerate()
        {
            let c = pki.root(&format!("fake{i}"), Key::P256, &format!("/C=VN/CN={cn}"));
            assert!(
                matches!(recognise(&c.cert), RootRecognition::LookAlike(_)),
                "{cn:?}"
            );
        }
        let other = pki.root(
            "other",
            Key::P256,
            "/C=VN/CN=RootCA chuyên dùng Chính phủ G3",
        );
        assert_eq!(recognise(&other.cert), RootRecognition::Unknown);
    }

    #[test]
    fn real_vietnamese_roots_are_recognised() {
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/trust");
        if !shared.is_dir() {
            eprintln!("SKIP: ../shared/trust absent");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::at(dir.path().to_path_buf());
        for (file, label) in [("rootcag2.crt", "Chính phủ"), ("vnrca256.crt", "quốc gia")] {
            let added = store
                .add(&std::fs::read(shared.join(file)).unwrap())
                .unwrap();
            assert!(
                added[0].label.as_deref().is_some_and(|l| l.contains(label)),
                "{file}: {:?}",
                added[0].label
            );
        }
        // The intermediate is not a known root.
        let added = store
            .add(&std::fs::read(shared.join("cpcag2.crt")).unwrap())
            .unwrap();
        assert!(added[0].label.is_none());
        assert!(added[0]
            .subject
            .contains("CA phục vụ các cơ quan Nhà nước G2"));
    }

    #[test]
    fn store_location_per_system() {
        use std::ffi::OsString;
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        const WIN: &[(&str, &str)] = &[
            ("APPDATA", r"C:\Users\Hồng\AppData\Roaming"),
            ("HOME", "/home/x"),
        ];
        assert_eq!(
            default_dir(env(WIN), true).unwrap(),
            Path::new(r"C:\Users\Hồng\AppData\Roaming")
                .join("kyso")
                .join("trust")
        );
        // Elsewhere %APPDATA% means nothing.
        assert_eq!(
            default_dir(env(WIN), false).unwrap(),
            Path::new("/home/x/.config/kyso/trust")
        );
        const ALL: &[(&str, &str)] = &[
            ("KYSO_TRUST_DIR", "/tmp/t"),
            ("APPDATA", "C:\\a"),
            ("XDG_CONFIG_HOME", "/x"),
        ];
        for windows in [true, false] {
            assert_eq!(default_dir(env(ALL), windows).unwrap(), Path::new("/tmp/t"));
        }
        assert_eq!(
            default_dir(env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]), false).unwrap(),
            Path::new("/x/kyso/trust")
        );
        // Nothing to go by: an error naming the way out, never a relative path.
        for windows in [true, false] {
            let e = default_dir(env(&[("APPDATA", "")]), windows).unwrap_err();
            assert!(e.to_string().contains("KYSO_TRUST_DIR"), "{e}");
        }
    }
}
