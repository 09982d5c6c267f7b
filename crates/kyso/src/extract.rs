//! The signed version of a signature: the bytes of the file up to the end of the revision the
//! signature signs — exactly what its signer saw and signed (ISO 32000-1 §12.8.1: the signed
//! ranges cover that whole revision but the /Contents gap), a PDF any viewer opens, as Adobe's
//! "View signed version".
//!
//! `kyso extract` calls it; the signature numbering is the verification report's, so a clerk
//! can open exactly what signature N approved and compare it with what the file shows now.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::{same_file, AtomicOutput};
use crate::pdf::signatures::find_signatures;
use crate::pdf::{ByteSource, Document, FileSource};
use crate::verify::byte_range;

/// Which signature: as the verification report numbers them (1 = the first), or by field name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Which {
    /// The n-th signature in file order, 1-based, as `kyso verify` numbers them.
    Number(usize),
    /// The signature in the field with this (fully qualified) name.
    Field(String),
}

/// What was extracted.
#[derive(Clone, Debug, Serialize)]
pub struct SignedVersion {
    /// The signature's number in the report (1-based).
    pub signature: usize,
    /// Its field's fully qualified name.
    pub field: String,
    /// The revision it signs (1-based).
    pub revision: usize,
    /// Length in bytes of the signed version (a prefix of the file).
    pub length: u64,
    /// Whether the signature covers the whole file (then the signed version is the file).
    pub covers_whole_document: bool,
}

/// Finds the signed version of `which` in the document read from `source`.
///
/// # Errors
///
/// The document cannot be parsed, has no signature, or no signature `which`; the signature's
/// /ByteRange does not end its revision in this file (the signed version would not be a PDF
/// its signer saw).
pub fn signed_version(source: Arc<dyn ByteSource>, which: &Which) -> Result<SignedVersion> {
    signed_version_with_password(source, which, &crate::pdf::Password::default())
}

/// As [`signed_version`], for an encrypted document whose password is not empty.
pub fn signed_version_with_password(
    source: Arc<dyn ByteSource>,
    which: &Which,
    password: &crate::pdf::Password,
) -> Result<SignedVersion> {
    let doc = Document::open_with_password(source, password)?;
    let entries = find_signatures(&doc)?;
    if entries.is_empty() {
        return Err(Error::InvalidArgument("the file has no signature".into()));
    }
    let index = match which {
        Which::Number(n) if (1..=entries.len()).contains(n) => n - 1,
        Which::Number(n) => {
            return Err(Error::InvalidArgument(format!(
                "there is no signature {n}: the file has {}",
                entries.len()
            )))
        }
        Which::Field(name) => entries
            .iter()
            .position(|e| e.field_names.iter().any(|f| f == name))
            .ok_or_else(|| {
                Error::InvalidArgument(format!("no signature in a field named '{name}'"))
            })?,
    };
    let entry = &entries[index];
    // Only a signature whose ByteRange is acceptable has a signed version to speak of.
    let coverage = byte_range::check(&doc, entry);
    if let Some(problem) = coverage.problem {
        return Err(Error::MalformedPdf(format!(
            "signature {}: {}",
            index + 1,
            crate::text::notes::english(&problem)
        )));
    }
    let (Some([_, (c, d)]), Some(revision)) = (coverage.ranges, coverage.revision) else {
        return Err(Error::MalformedPdf(format!(
            "signature {} does not end at a revision",
            index + 1
        )));
    };
    Ok(SignedVersion {
        signature: index + 1,
        // Display only: a signature dictionary no field points to has no name.
        field: entry.field_names.first().cloned().unwrap_or_default(),
        revision: revision + 1,
        length: c + d,
        covers_whole_document: coverage.covers_whole_document,
    })
}

/// Writes the signed version of `which` in `input` to `output` (atomically; never over the
/// input).
///
/// # Errors
///
/// `output` is the input file; the input cannot be read or parsed, has no signature, or no
/// signature `which`; the signature's /ByteRange does not describe a revision of this file; the
/// output cannot be written (then nothing is left at `output`).
///
/// # Examples
///
/// ```
/// use kyso::extract::{extract_to, Which};
/// use kyso::sign::{load_p12, sign_bytes, SignOptions};
///
/// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
/// let signer = load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
/// let pdf = std::fs::read(format!("{root}docs/congvan.pdf"))?;
/// // Two signatures: the second one is added after the first.
/// let (once, _) = sign_bytes(&pdf, &signer, &SignOptions::default())?;
/// let (twice, _) = sign_bytes(&once, &signer, &SignOptions::default())?;
///
/// let dir = tempfile::tempdir()?;
/// let (input, output) = (dir.path().join("twice.pdf"), dir.path().join("first.pdf"));
/// std::fs::write(&input, &twice)?;
/// let version = extract_to(&input, &Which::Number(1), &output)?;
/// // What the first signer signed is exactly the document after the first signature.
/// assert_eq!(std::fs::read(&output)?, once);
/// assert!(!version.covers_whole_document);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn extract_to(input: &Path, which: &Which, output: &Path) -> Result<SignedVersion> {
    extract_to_with_password(input, which, output, &crate::pdf::Password::default())
}

/// As [`extract_to`], for an encrypted document whose password is not empty.
pub fn extract_to_with_password(
    input: &Path,
    which: &Which,
    output: &Path,
    password: &crate::pdf::Password,
) -> Result<SignedVersion> {
    if same_file(input, output) {
        return Err(Error::Output(format!(
            "{} is the input file",
            output.display()
        )));
    }
    let source = Arc::new(FileSource::open(input)?);
    let version = signed_version_with_password(source.clone(), which, password)?;
    let mut out = AtomicOutput::create(output)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < version.length {
        let want = ((version.length - done) as usize).min(buf.len());
        let got = source.read_at(done, &mut buf[..want])?;
        if got == 0 {
            return Err(Error::MalformedPdf(
                "the file is shorter than its signature says".into(),
            ));
        }
        std::io::Write::write_all(out.writer(), &buf[..got]).map_err(|e| Error::io(output, e))?;
        done += got as u64;
    }
    out.commit()?;
    Ok(version)
}
