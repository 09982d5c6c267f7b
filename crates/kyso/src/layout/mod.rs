//! What a page shows, read back from the PDF: its visible area ([`page`]), its content streams
//! as operators ([`content`], the one tokeniser) and the text they draw, with positions
//! ([`text`]). Below both `appearance` (which places a signature by it) and `decree30` (which
//! judges what signatures show), so that neither needs the other's internals.

pub mod content;
pub mod page;
pub mod text;

pub use page::{user_area, visible_area};
