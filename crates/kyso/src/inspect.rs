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
use crate::text::report::visible;
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
    /// Pages of the last revision; 0 when they could not be counted (see `pages_error`).
    pub pages: usize,
    /// Why the page tree of the last revision could not be read (ISO 32000-1 §7.7.3); None
    /// when `pages` is the count. `pages` alone cannot tell an empty tree from an unreadable one.
    pub pages_error: Option<String>,
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
    let mut warnings = doc.warnings.clone();
    let signatures = find_signatures(&doc)?
        .into_iter()
        .enumerate()
        .map(|(n, e)| {
            // Display only (`info` judges nothing), but an unreadable CMS is said, not hidden.
            let signer = match SignedData::parse(&e.contents) {
                Ok(sd) => sd.signer_infos.first().and_then(|si| {
                    let cert = sd.signer_certificate(si)?;
                    Some(
                        cert.subject
                            .common_name()
                            .unwrap_or_else(|| cert.subject.to_rfc4514()),
                    )
                }),
                Err(err) => {
                    warnings.push(format!(
                        "signature {}: its CMS (/Contents) cannot be read: {err}",
                        n + 1
                    ));
                    None
                }
            };
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
    let (pages, pages_error) = match doc.pages_at(last) {
        Ok(p) => (p.len(), None),
        Err(e) => (0, Some(e.to_string())),
    };
    Ok(DocumentInfo {
        file: path.display().to_string(),
        size: doc.len(),
        pdf_version: doc.version.clone(),
        encrypted: doc.is_encrypted(),
        pages,
        pages_error,
        revisions,
        fields,
        signatures,
        warnings,
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
        // `let _ =` on writeln!: writing to a String cannot fail.
        let pages = match &self.pages_error {
            None => self.pages.to_string(),
            Some(e) => format!("? (không đếm được / cannot be counted: {})", visible(e)),
        };
        let _ = writeln!(
            out,
            "Số trang / pages: {pages}   mã hóa / encrypted: {}",
            self.encrypted
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic-xref PDF whose objects are `objs` (numbered from 1), catalog 1 0 R.
    fn pdf(objs: &[&str]) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    fn inspect(bytes: &[u8]) -> DocumentInfo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.pdf");
        std::fs::write(&path, bytes).unwrap();
        inspect_file(&path).unwrap()
    }

    /// An unreadable page tree is said to be unreadable, not reported as 0 pages.
    #[test]
    fn unreadable_page_tree_is_not_zero_pages() {
        let good = inspect(&pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        ]));
        assert_eq!((good.pages, good.pages_error.as_deref()), (1, None));
        let json = serde_json::to_value(&good).unwrap();
        assert!(json["pages_error"].is_null() && json["pages"] == 1);

        let bad = inspect(&pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]));
        assert_eq!(bad.pages, 0);
        let why = bad.pages_error.as_deref().expect("the error is reported");
        assert!(!why.is_empty());
        assert!(
            bad.render().contains("cannot be counted"),
            "{}",
            bad.render()
        );
        let json = serde_json::to_value(&bad).unwrap();
        assert!(json["pages_error"].is_string());
    }
}
