//! Guards when signing (issue #15): what would make kyso's own document non-conforming to
//! Decree 30/2020. Signing is refused unless forced; forced, each becomes a warning. Facts here;
//! the front doors put them in words (`crate::text::decree30::guard_text`).
//!
//! Each [`Guard`] stands for one rule: the agency signs after the competent person (Art. 32.2),
//! the leader signs with a personal certificate (Art. 32.2), the leader's picture sits in the
//! signer block (Appendix I box 7c), the number and date fill the draft's blanks rather than
//! only the text beside the seal (VIETNAM.md §1, practice of VGCA's tool), and
//! nothing is drawn in the binding margin ([`BINDING_MARGIN_MM`], Appendix I). Building a
//! visible appearance ([`crate::appearance`]) collects them; signing fails with
//! [`Error::Decree30`](crate::Error::Decree30) listing them all, or with
//! [`SignOptions::force`](crate::sign::SignOptions::force) reports each as a
//! [`SignWarning::Decree30`](crate::sign::SignWarning::Decree30).
//!
//! ```
//! use kyso::decree30::guard::{english, Guard};
//!
//! let g = Guard::LeaderNotPerson { common_name: "Sở Tài chính".into() };
//! assert!(english(&g).contains("\"Sở Tài chính\" is not a person's name"));
//! ```

pub use crate::error::kinds::{Guard, BINDING_MARGIN_MM};

/// The English text of a guard: the library's error message, its `Display` (the front doors
/// have both languages in `crate::text::decree30::guard_text`; tests/layers.rs keeps the two
/// English texts equal).
pub fn english(g: &Guard) -> String {
    g.to_string()
}
