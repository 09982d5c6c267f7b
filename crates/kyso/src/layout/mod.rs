//! What a page shows, read back from the PDF: its visible area ([`page`]), its content streams
//! as operators ([`content`], the one tokeniser) and the text they draw, with positions
//! ([`text`]). Below both `appearance` (which places a signature by it) and `decree30` (which
//! judges what signatures show), so that neither needs the other's internals.
//!
//! Units: PDF points (1/72 inch). [`page::user_area`] is in default user space; the page's
//! [`visible_area`] and [`text::page_lines`]' positions are in the space of the page as
//! displayed (turned by /Rotate, x to the reader's right, y up), where Decree 30/2020
//! Appendix I's places ("between the title line and the name", "top right of page 1") are
//! meant; [`text::inverse_rotation_matrix`] turns a rectangle back. Needs no font or picture
//! crate: verification and its Decree 30 checks read pages through it in every build.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//!
//! use kyso::layout::{text, visible_area};
//! use kyso::pdf::{Document, MemorySource};
//!
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
//! let pdf = std::fs::read(format!("{root}docs/congvan.pdf"))?;
//! let doc = Document::open(Arc::new(MemorySource::new(pdf)))?;
//! let rev = doc.last_revision();
//! let page = doc.pages_at(rev)?[0];
//!
//! // The national motto's line, found whatever the case and Unicode form, top half of the page.
//! let lines = text::page_lines(&doc, rev, page)?;
//! let found = text::find(&lines, "cộng hòa xã hội chủ nghĩa việt nam").expect("on page 1");
//! let [x0, y0, x1, y1] = visible_area(&doc, rev, page)?;
//! assert!(x0 <= found.x0 && found.x1 <= x1 && found.y > (y0 + y1) / 2.0);
//! // A line is one baseline across the page: the agency's name in the left column shares it.
//! assert_eq!(
//!     lines[found.line].text(),
//!     "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod content;
pub mod page;
pub mod text;

pub use page::{user_area, visible_area};
