//! Guards when signing (issue #15): what would make kyso's own document non-conforming to
//! Decree 30/2020. Signing is refused unless forced; forced, each becomes a warning. Facts here;
//! the CLI puts them in words ([`crate::text::decree30::guard_text`]).

use serde::Serialize;

/// One reason not to sign as asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Guard {
    /// Art. 32.2: the agency signs after the competent person, never before; a leader signature
    /// after the agency's would not be covered by it.
    LeaderAfterOrganization {
        /// 1-based number of the agency's signature already in the document.
        signature: usize,
        signer: String,
    },
    /// `--role leader` with a certificate whose common name is not a person's name.
    LeaderNotPerson { common_name: String },
    /// The name the leader's picture is placed above is not in the signer block (e.g. the
    /// letterhead at the top of page 1).
    AnchorNotInSignerBlock {
        anchor: String,
        page: usize,
        /// Distance of the found text from the top of the page.
        from_top_mm: f64,
    },
    /// A document number was asked for but no blank "Số: ..." was found on page 1; it went
    /// into the text block beside the seal.
    NumberBlankNotFound { number: String },
    /// An issue date was asked for but no blank "ngày ... tháng ... năm" was found on page 1;
    /// it went into the text block beside the seal.
    DateBlankNotFound { date: String },
    /// The seal's text block reaches into the binding margin (Decree 30/2020 Appendix I: left
    /// margin 30–35 mm).
    TextInBindingMargin {
        /// Distance of the text block's left edge from the page's left edge.
        left_mm: f64,
    },
}

/// The binding margin of Decree 30/2020 Appendix I (left 30–35 mm): nothing of the signature
/// may be drawn closer to the left edge than its minimum.
pub const BINDING_MARGIN_MM: f64 = 30.0;

/// The English text of a guard (the library's error message; the CLI has both languages).
pub fn english(g: &Guard) -> String {
    crate::text::decree30::guard_text(g, crate::text::Lang::En)
}
