//! `kyso info`: what a PDF holds — revisions, fields, signatures — without judging anything.
//!
//! It reads the file with `pdf` (revisions by their cross-reference sections, ISO 32000-1
//! §7.5.6; fields, §12.7.3; signature dictionaries, §12.8.1) and `cms` (only to name the
//! signer); no signature is verified and no certificate validated — use `verify` for that. A
//! document whose structure is odd is still described, with `warnings`.

use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::cms::SignedData;
use crate::error::Result;
use crate::pdf::signatures::find_signatures;
use crate::pdf::{Document, FileSource, XrefKind};
use crate::verify::text::visible;
use crate::vntime;

/// One revision of the file: the original document or one incremental update
/// (ISO 32000-1 §7.5.6).
#[derive(Debug, Serialize)]
pub struct RevisionInfo {
    /// 1-based: 1 is the original document, each incremental update adds one.
    pub number: usize,
    /// How the revision's cross-reference is written (table, stream, hybrid).
    pub xref: XrefKind,
    /// Offset just past this revision's %%EOF.
    pub end: Option<u64>,
}

/// One interactive form field of the last revision (ISO 32000-1 §12.7.3).
#[derive(Debug, Serialize)]
pub struct FieldInfo {
    /// The fully qualified field name (parent names joined with `.`).
    pub name: String,
    /// /FT (inherited from a parent field when not on the field itself): `Sig`, `Tx`, `Btn`,
    /// `Ch`; None when neither has one.
    pub field_type: Option<String>,
    /// A signature field with a value (/V): it holds a signature, not only a place for one.
    pub signed: bool,
}

/// One signature dictionary found in the file, as written (nothing is verified).
#[derive(Debug, Serialize)]
pub struct SignatureInfo {
    /// The names of the fields whose /V is this signature (usually one).
    pub fields: Vec<String>,
    /// /SubFilter, e.g. `ETSI.CAdES.detached`, `adbe.pkcs7.detached`, `ETSI.RFC3161`.
    pub sub_filter: Option<String>,
    /// The signer certificate's common name (else its subject); None when the CMS in /Contents
    /// cannot be read or names no signer certificate.
    pub signer: Option<String>,
    /// /M, the time the signer's software claims (RFC 3339, +07:00); None when absent or not a
    /// PDF date. Claimed, not proven: only a time-stamp proves a time.
    pub signing_time: Option<String>,
    /// /ByteRange as written (offset, length pairs); None when absent.
    pub byte_range: Option<Vec<i64>>,
    /// The byte ranges reach the end of the file (give or take a final end-of-line): nothing
    /// was appended after this signature.
    pub covers_whole_document: bool,
}

/// What `kyso info` shows about a PDF: structure facts, no judgement.
#[derive(Debug, Serialize)]
pub struct DocumentInfo {
    /// The path as given.
    pub file: String,
    /// File size in bytes.
    pub size: u64,
    /// The version in the header, e.g. `1.7` (the catalog's /Version is not consulted).
    pub pdf_version: String,
    /// The document has an /Encrypt dictionary (ISO 32000-1 §7.6).
    pub encrypted: bool,
    /// Pages of the last revision.
    pub pages: usize,
    /// Every revision, oldest first.
    pub revisions: Vec<RevisionInfo>,
    /// The form fields of the last revision.
    pub fields: Vec<FieldInfo>,
    /// Every signature and document time-stamp, in file order.
    pub signatures: Vec<SignatureInfo>,
    /// Irregularities met while reading (repaired cross-references, and the like).
    pub warnings: Vec<String>,
}

/// Reads the PDF at `path` (unencrypted, or encrypted with the empty user password) and
/// describes its revisions, fields and signatures without verifying anything.
///
/// # Errors
///
/// The file cannot be read or is not a PDF kyso can parse; an encrypted file whose user
/// password is not empty (use [`inspect_file_with_password`]).
///
/// # Examples
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan-signed-pyhanko.pdf");
/// let info = kyso::inspect::inspect_file(std::path::Path::new(path))?;
/// assert_eq!(info.signatures.len(), 1);
/// assert!(info.signatures[0].covers_whole_document);
/// assert!(info.fields.iter().any(|f| f.signed));
/// # Ok::<(), kyso::Error>(())
/// ```
pub fn inspect_file(path: &Path) -> Result<DocumentInfo> {
    inspect_file_with_password(path, &crate::pdf::Password::default())
}

/// As [`inspect_file`], for an encrypted document whose password is not empty.
pub fn inspect_file_with_password(
    path: &Path,
    password: &crate::pdf::Password,
) -> Result<DocumentInfo> {
    let doc = Document::open_with_password(Arc::new(FileSource::open(path)?), password)?;
    let last = doc.last_revision();
    let revisions = doc
        .revisions
        .iter()
        .map(|r| RevisionInfo {
            number: r.index + 1,
            xref: r.kind,
            end: r.end,
        })
        .collect();
    let fields = doc
        .fields_at(last)?
        .into_iter()
        .map(|f| FieldInfo {
            signed: f.is_signature() && f.dict.get("V").is_some(),
            field_type: f
                .field_type
                .as_ref()
                .map(|t| String::from_utf8_lossy(t).into_owned()),
            name: f.name,
        })
        .collect();
    let signatures = find_signatures(&doc)?
        .into_iter()
        .map(|e| {
            let signer = SignedData::parse(&e.contents).ok().and_then(|sd| {
                let si = sd.signer_infos.first()?;
                let cert = sd.signer_certificate(si)?;
                Some(
                    cert.subject
                        .common_name()
                        .unwrap_or_else(|| cert.subject.to_rfc4514()),
                )
            });
            let covers = e.byte_range.as_ref().is_some_and(|b| {
                b.len() == 4 && (b[2] + b[3]) as u64 >= doc.len().saturating_sub(2)
            });
            SignatureInfo {
                fields: e.field_names.clone(),
                sub_filter: e.sub_filter(),
                signer,
                signing_time: e
                    .signing_time_raw()
                    .and_then(|m| vntime::parse_pdf_date(&m))
                    .map(vntime::rfc3339),
                byte_range: e.byte_range.clone(),
                covers_whole_document: covers,
            }
        })
        .collect();
    Ok(DocumentInfo {
        file: path.display().to_string(),
        size: doc.len(),
        pdf_version: doc.version.clone(),
        encrypted: doc.is_encrypted(),
        pages: doc.pages_at(last).map(|p| p.len()).unwrap_or(0),
        revisions,
        fields,
        signatures,
        warnings: doc.warnings.clone(),
    })
}

impl DocumentInfo {
    /// Plain-text rendering (bilingual labels).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Tệp / file: {} ({} bytes, PDF {})",
            visible(&self.file),
            self.size,
            visible(&self.pdf_version)
        );
        let _ = writeln!(
            out,
            "Số trang / pages: {}   mã hóa / encrypted: {}",
            self.pages, self.encrypted
        );
        let _ = writeln!(out, "Phiên bản / revisions: {}", self.revisions.len());
        for r in &self.revisions {
            let end = r.end.map(|e| e.to_string()).unwrap_or_else(|| "?".into());
            let _ = writeln!(out, "  #{} xref {:?}, ends at byte {end}", r.number, r.xref);
        }
        let _ = writeln!(out, "Trường / fields: {}", self.fields.len());
        for f in &self.fields {
            let _ = writeln!(
                out,
                "  {} ({}{})",
                visible(&f.name),
                visible(f.field_type.as_deref().unwrap_or("?")),
                if f.signed { ", signed" } else { "" }
            );
        }
        let _ = writeln!(out, "Chữ ký / signatures: {}", self.signatures.len());
        for s in &self.signatures {
            let _ = writeln!(
                out,
                "  {}: {} | {} | {} | {}",
                visible(&s.fields.join(", ")),
                visible(s.signer.as_deref().unwrap_or("?")),
                s.signing_time.as_deref().unwrap_or("?"),
                visible(s.sub_filter.as_deref().unwrap_or("?")),
                if s.covers_whole_document {
                    "whole document"
                } else {
                    "part of the document"
                }
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "Lưu ý / note: {}", visible(w));
        }
        out
    }
}
