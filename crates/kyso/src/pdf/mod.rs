//! PDF structure: a lazy, cross-reference-indexed reader, the revision model, object
//! serialisation and the incremental writer. Nothing here knows about certificates.

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
