//! `kyso info`: what a PDF holds — revisions, fields, signatures — without judging anything.

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

#[derive(Debug, Serialize)]
pub struct RevisionInfo {
    /// 1-based.
    pub number: usize,
    pub xref: XrefKind,
    /// Offset just past this revision's %%EOF.
    pub end: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct FieldInfo {
    pub name: String,
    pub field_type: Option<String>,
    pub signed: bool,
}

#[derive(Debug, Serialize)]
pub struct SignatureInfo {
    pub fields: Vec<String>,
    pub sub_filter: Option<String>,
    pub signer: Option<String>,
    pub signing_time: Option<String>,
    pub byte_range: Option<Vec<i64>>,
    pub covers_whole_document: bool,
}

#[derive(Debug, Serialize)]
pub struct DocumentInfo {
    pub file: String,
    pub size: u64,
    pub pdf_version: String,
    pub encrypted: bool,
    pub pages: usize,
    pub revisions: Vec<RevisionInfo>,
    pub fields: Vec<FieldInfo>,
    pub signatures: Vec<SignatureInfo>,
    pub warnings: Vec<String>,
}

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
