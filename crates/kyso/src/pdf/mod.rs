//! PDF structure: a lazy, cross-reference-indexed reader, the revision model, object
//! serialisation and the incremental writer. Nothing here knows about certificates.
//!
//! The ground floor of kyso (ISO 32000-1 §7: syntax, file structure, encryption):
//! - [`document::Document`] opens a file through a [`ByteSource`] (a [`FileSource`] reads on
//!   demand, so large files stay out of memory), reads every cross-reference section (§7.5.4
//!   tables, §7.5.8 streams, hybrid files) and keeps each revision (§7.5.6) separate: an object
//!   can be read as any revision saw it, which is what difference analysis ([`crate::diff`])
//!   and signature verification need. Reads are bounded by a work [`document::Budget`].
//! - [`object`] is the object model (§7.3), `parser` (private) its lexer/parser, `filters` (private) the stream
//!   filters (§7.4), [`crypt`] the standard security handler (§7.6).
//! - [`signatures`] finds signature fields and dictionaries and the byte span of each /Contents
//!   (§12.7.4.5, §12.8.1); [`dss`] reads the Document Security Store (ETSI EN 319 142-1
//!   §5.4.2.2).
//! - [`writer::IncrementalUpdate`] appends new and changed objects after the original bytes,
//!   which are never rewritten (§7.5.6) — how [`crate::sign`] and [`crate::ltv`] add to a file.
//!
//! # Examples
//!
//! Append an incremental update to a document held in memory and read it back:
//!
//! ```
//! use std::sync::Arc;
//! use kyso::pdf::{Document, IncrementalUpdate, MemorySource, Object};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan.pdf");
//! let original = std::fs::read(path)?;
//! let doc = Document::open(Arc::new(MemorySource::new(original.clone())))?;
//! assert_eq!(doc.revisions.len(), 1);
//!
//! let mut update = IncrementalUpdate::new(&doc);
//! let r = update.allocate();
//! update.set(r, Object::text("ký số"));
//! let written = update.write(doc.len(), !original.ends_with(b"\n"), None)?;
//!
//! let mut updated = original;
//! updated.extend_from_slice(&written.bytes);
//! let doc = Document::open(Arc::new(MemorySource::new(updated)))?;
//! assert_eq!(doc.revisions.len(), 2);
//! assert_eq!(doc.get(r)?.as_text().as_deref(), Some("ký số"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod crypt;
pub mod document;
pub mod dss;
pub(crate) mod filters;
pub mod object;
pub(crate) mod parser;
pub mod signatures;
pub mod source;
pub mod writer;
pub mod xref;

pub use crypt::Password;
pub use document::{Document, FormField, Revision};
pub use object::{Dict, ObjRef, Object, PdfString, Stream};
pub use source::{ByteSource, FileSource, MemorySource};
pub use writer::IncrementalUpdate;
pub use xref::XrefKind;
