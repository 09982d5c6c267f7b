//! Guards when signing (issue #15): what would make kyso's own document non-conforming to
//! Decree 30/2020. Signing is refused unless forced; forced, each becomes a warning. Facts here;
//! the front doors put them in words (`crate::text::decree30::guard_text`).

pub use crate::error::kinds::{Guard, BINDING_MARGIN_MM};

/// The English text of a guard: the library's error message, its `Display` (the front doors
/// have both languages in `crate::text::decree30::guard_text`; tests/layers.rs keeps the two
/// English texts equal).
pub fn english(g: &Guard) -> String {
    g.to_string()
}
