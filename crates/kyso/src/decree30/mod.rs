//! The receiving clerk's check of Decree 30/2020/NĐ-CP on clerical work (Art. 21.2a: the
//! receiver checks incoming electronic documents; Art. 32.2: the competent person signs, then
//! the agency; Appendix I: how each signature looks; see VIETNAM.md §1): which kind of official
//! document a verified PDF is (main document, attachment in its own file, electronic copy),
//! which role each signature plays, and whether each point of the Decree's signature layout is
//! met. Facts only: every point carries its evidence as data; words are in
//! `crate::text::decree30`. Conformity is a verdict of its own and never changes the ETSI
//! indication of a signature.
//!
//! What the Decree asks, point by point ([`Code`]):
//!
//! - **Main document** (Art. 5.1, 13.7, 32.2): two signatures in this order. The competent
//!   person's ([`Role::Leader`]) with a blue picture of the handwritten signature centred
//!   between the title line and the full name (Appendix I box 7c), then the agency's
//!   ([`Role::Organization`]) with the red seal at its real size ([`SEAL_MM`]) over about the
//!   left third of the leader's picture (box 8).
//! - **Attachment in a separate file** and **electronic copy** (sao y, sao lục, trích sao;
//!   Art. 25): the agency's signature only, no picture, top right of page 1, showing the number
//!   and symbol (attachment) or the copy type and copying agency (copy) and the signing time in
//!   ISO 8601 with +07:00 (Appendix I); copies are PDF 1.4 or later.
//! - **Every document**: the agency's signature covers the file (only LTV updates may follow),
//!   /M times are in Vietnam time (VIETNAM.md §1.6), and, when a Vietnamese official root is
//!   configured, every chain ends at one (Circular 15/2025/TT-BKHCN: the trust path goes to the
//!   national root; VIETNAM.md §2–3).
//!
//! How it fits: [`crate::verify`] verifies every signature, hands this module plain
//! [`SignatureFacts`] and calls [`assess`]; the result is the `decree30` object of the
//! verification report and each signature's `role`. Roles come from [`widget::widget_facts`]
//! (what the widget shows), [`colour`] (the picture's hue) and [`names`] (person or agency).
//! When signing, [`guard`] holds what would make kyso's own output non-conforming.
//!
//! # Examples
//!
//! A document signed once by an agency, invisibly: kyso reads it as an attachment, whose stamp
//! must be visible at the top right of page 1, so it is not conforming — while its signature
//! itself may well be valid.
//!
//! ```
//! use kyso::decree30::{Code, Conformity, DocumentKind, Role, Status};
//! use kyso::verify::{verify_file, VerifyOptions};
//!
//! let pdf = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan-signed-pyhanko.pdf");
//! let mut opts = VerifyOptions::default();
//! opts.visual.enabled = false;
//! let report = verify_file(std::path::Path::new(pdf), &opts)?;
//! let d = &report.decree30;
//! assert_eq!(d.kind, Some(DocumentKind::Attachment));
//! assert_eq!(d.roles[0].role, Role::Organization);
//! let position = d.points.iter().find(|p| p.code == Code::StampPosition).unwrap();
//! assert_eq!(position.status, Status::NotMet);
//! assert_eq!(d.status, Conformity::NotConforming);
//! assert!(!d.conforming());
//! # Ok::<(), kyso::Error>(())
//! ```

pub mod colour;
pub mod guard;
pub mod names;
pub mod widget;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::layout::text as text_extract;
use crate::pdf::signatures::SignatureEntry;
use crate::pdf::Document;
use crate::pki::trust_store::{recognise, RootRecognition, KNOWN_ROOTS};
use crate::pki::Certificate;
pub use colour::{ColourFacts, Hue};
pub use guard::Guard;
pub use names::{name_kind, NameKind};
pub use widget::{PictureFacts, WidgetFacts};

/// Points per millimetre.
pub(crate) const PT_PER_MM: f64 = 72.0 / 25.4;
/// Seal sizes accepted as real (Decree 30/2020 Appendix I: "kích thước bằng kích thước thực tế
/// của dấu"; round seals of agencies are 30–45 mm across).
pub const SEAL_MM: (f64, f64) = (30.0, 45.0);

/// The document's verdict on Decree 30/2020 (`decree30.status` in the JSON report, written
/// with spaces: `"not conforming"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Conformity {
    /// Every point that applies is met.
    #[serde(rename = "conforming")]
    Conforming,
    /// At least one point that applies is not met or cannot be judged
    /// ([`Status::NotMet`], [`Status::CannotJudge`]); `--require-decree30` then exits 1.
    #[serde(rename = "not conforming")]
    NotConforming,
    /// The file is no official document (no signature).
    #[serde(rename = "not applicable")]
    NotApplicable,
}

/// One point's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The document does what the Decree asks on this point.
    Met,
    /// It does not, or the evidence is missing (no widget, unreadable widget): the document is
    /// not conforming.
    NotMet,
    /// The point is not asked of this kind of document (e.g. the seal's size for an
    /// attachment, the official root when no Vietnamese root is configured); no effect on the
    /// verdict.
    NotApplicable,
    /// What the point needs could not be read (e.g. the page's text): undecided, which is
    /// never a pass (the document is not conforming).
    CannotJudge,
}

/// Kind of official document (Decree 30/2020 Appendix I §§ on main documents, attachments and
/// copies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The leader's then the agency's signature.
    Main,
    /// An attachment in a separate file: the agency's signature only, no picture.
    Attachment,
    /// An electronic copy (sao y, sao lục, trích sao).
    Copy,
    /// Signatures whose roles could not be recognised.
    Unrecognised,
}

/// The role a signature plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The competent person's signature, made first (Decree 30/2020 Art. 32.2; Appendix I box
    /// 7c: a blue picture of the handwritten signature).
    Leader,
    /// The agency's signature applied by the clerk after the leader's (Art. 32.2; Appendix I
    /// box 8: the red seal).
    Organization,
    /// The agency's signature of an attachment in a separate file: no picture, top right of
    /// page 1 (Appendix I, attachments).
    Attachment,
    /// The agency's signature of an electronic copy, showing "SAO Y", "SAO LỤC" or "TRÍCH SAO"
    /// (Art. 25; Appendix I, copies).
    Copy,
    /// Nothing tells: no picture of a known colour, no copy text, a common name that is neither
    /// a person's nor an agency's.
    Unknown,
}

/// What decided a signature's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleBasis {
    /// The appearance names a copy type ("SAO Y", "SAO LỤC", "TRÍCH SAO").
    CopyText,
    /// The picture's colour: blue for the leader, red for the seal.
    PictureColour,
    /// No picture, an agency's certificate, top right of page 1.
    StampPosition,
    /// The certificate's common name: a person's or an organisation's.
    CommonName,
    /// No evidence at all: the role is [`Role::Unknown`].
    Nothing,
}

/// A signature's role and the evidence for it (in the verification report of each signature).
#[derive(Clone, Debug, Serialize)]
pub struct RoleFinding {
    /// The role the signature was judged to play.
    pub role: Role,
    /// The first evidence that decided it, in this order: copy text, picture colour, stamp
    /// position, common name.
    pub basis: RoleBasis,
    /// The signer certificate's subject common name (None when it has none).
    pub common_name: Option<String>,
    /// Whether [`RoleFinding::common_name`] looks like a person's or an agency's name
    /// ([`NameKind::Unknown`] when there is none).
    pub name_kind: NameKind,
    /// The certificate's title (X.520 title), which officials' certificates carry.
    pub title: Option<String>,
    /// The predominant colour of the largest picture, when there is one and it was judged.
    pub picture: Option<Hue>,
    /// What is visible, when the signature has a widget.
    pub widget: Option<WidgetFacts>,
    /// Why the widget could not be read (fail closed: its points are not met).
    pub widget_error: Option<String>,
}

/// A position of text on a page (points on the page as displayed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextAt {
    /// The text looked for or found (the signer's name, the title line).
    pub text: String,
    /// Left edge, in points from the left of the page's visible area.
    pub x0: f64,
    /// Right edge, in points.
    pub x1: f64,
    /// Baseline, in points from the bottom of the page's visible area.
    pub y: f64,
}

/// Where the leader's picture lies against the page text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Right above the signer's name, centred on its column and below the title line
    /// (Decree 30/2020 Appendix I box 7c): the point is met when the picture is also blue.
    BetweenTitleAndName,
    /// The signer's name is not in the page text.
    NameNotFound,
    /// The page's text could not be read, so the name could not be looked for (the point
    /// cannot be judged).
    PageTextUnreadable,
    /// The picture is not right above the name.
    NotAboveName,
    /// The picture is not centred on the name's column.
    NotCentred,
    /// No title line above the picture (or the picture covers it).
    NotUnderTitle,
    /// The widget draws no picture (text only).
    NoPicture,
    /// The signature has no widget.
    Invisible,
}

/// Where the seal lies against the leader's picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SealPlacement {
    /// Starts at the left edge of the leader's picture and reaches 15–60 % into it: "about the
    /// left third" (Decree 30/2020 Appendix I box 8). Met when the seal is also red.
    OverLeftThird,
    /// On another page than the leader's picture.
    OtherPage,
    /// Does not overlap the leader's picture.
    NotOverlapping,
    /// Overlaps, but not about the left third (e.g. the right side, or all of it).
    WrongPart,
    /// The leader's signature has no picture (or no widget) for the seal to cover.
    NoLeaderPicture,
    /// The agency's widget draws no picture.
    NoPicture,
    /// The agency's signature has no widget.
    Invisible,
}

/// A change made after the agency's signature.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeAt {
    /// 1-based number of the revision that made the change.
    pub revision: usize,
    /// The change analysis's stable code for it (as in the signature's `modifications`).
    pub code: String,
    /// In the report's language (filled by `crate::text`).
    pub description: String,
    /// The change, as a fact (None when unknown).
    #[serde(skip)]
    pub what: Option<crate::diff::What>,
}

/// The /M time of a signature.
#[derive(Clone, Debug, Serialize)]
pub struct TimeAt {
    /// 1-based number of the signature in the report.
    pub signature: usize,
    /// As written (None: no /M).
    pub raw: Option<String>,
    /// The /M date carries the offset +07'00' (VIETNAM.md §1.6: Vietnam time, no daylight
    /// saving); false when it has another offset, none, or there is no /M.
    pub vietnam: bool,
}

/// The trust anchor a signature's chain reached.
#[derive(Clone, Debug, Serialize)]
pub struct AnchorAt {
    /// 1-based number of the signature in the report.
    pub signature: usize,
    /// The subject of the configured trust anchor the chain ends at; None when the chain
    /// reached none.
    pub anchor: Option<String>,
    /// The chain's last certificate is one of the known Vietnamese official roots (national
    /// root CA, the Government's specialised root; `pki::trust_store::KNOWN_ROOTS`), by
    /// SHA-256 fingerprint.
    pub official: bool,
}

/// What a missing signature was expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// No signature plays the competent person's role.
    LeaderSignature,
    /// No second signature for the agency (Art. 32.2: the clerk signs after the leader).
    OrganizationSignature,
}

/// Evidence of a point, as data.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
///
/// Signature numbers (`signature`, `*_signature`) are 1-based, in the order of the
/// verification report; page numbers are 1-based; lengths in millimetres are rounded to 0.1 mm.
pub enum Evidence {
    /// [`Code::DocumentKind`]: the kind found and the role of each signature (document
    /// time-stamps left out), in order.
    Kind {
        /// The kind of official document the roles make.
        kind: DocumentKind,
        /// Each signature's role, in the report's order.
        roles: Vec<Role>,
    },
    /// [`Code::LeaderSignature`], [`Code::OrganizationSignature`], [`Code::StampSigner`]: who
    /// signed, from the signer certificate.
    Signer {
        /// The signature judged.
        signature: usize,
        /// Its certificate's subject common name.
        common_name: Option<String>,
        /// Whether that name is a person's or an agency's.
        name_kind: NameKind,
        /// Its certificate's X.520 title (Decree 23/2025: officials' certificates carry it);
        /// None when absent, which fails [`Code::LeaderSignature`].
        title: Option<String>,
    },
    /// A signature the point needs is absent.
    Missing {
        /// Which one.
        missing: Missing,
    },
    /// [`Code::SignatureOrder`] (Art. 32.2): the agency's signature must sign a later revision
    /// than the leader's, at the same time or later.
    Order {
        /// The leader's signature.
        leader_signature: usize,
        /// 1-based revision the leader's signature ends at (None: it ends at none).
        leader_revision: Option<usize>,
        /// The leader's signing time (RFC 3339), as the verification found it.
        leader_time: Option<String>,
        /// The agency's signature.
        organization_signature: usize,
        /// 1-based revision the agency's signature ends at.
        organization_revision: Option<usize>,
        /// The agency's signing time (RFC 3339).
        organization_time: Option<String>,
    },
    /// [`Code::LeaderPicture`] (Appendix I box 7c): the leader's picture, its colour and where
    /// it lies against the signer's name and title line.
    Picture {
        /// The leader's signature.
        signature: usize,
        /// Page of the widget; None when the signature is invisible.
        page: Option<usize>,
        /// The picture's rectangle in millimetres from the lower left corner of the page.
        rect_mm: Option<[f64; 4]>,
        /// The picture's colour (None when there is no picture).
        colour: Option<ColourFacts>,
        /// Where the signer's common name was found in the page text.
        name: Option<TextAt>,
        /// The nearest line above the name that overlaps its column (the signer's title).
        title_line: Option<TextAt>,
        /// The verdict on the position.
        placement: Placement,
    },
    /// [`Code::OrganizationPicture`] (Appendix I box 8): the seal's colour and how it covers
    /// the leader's picture.
    Seal {
        /// The agency's signature.
        signature: usize,
        /// Page of the agency's widget.
        page: Option<usize>,
        /// Page of the leader's widget.
        leader_page: Option<usize>,
        /// The seal picture's colour.
        colour: Option<ColourFacts>,
        /// How far the seal's right edge reaches into the leader's picture, in percent of
        /// its width.
        covered_left_percent: Option<f64>,
        /// The verdict on the position.
        placement: SealPlacement,
    },
    /// [`Code::SealSize`] (Appendix I box 8: "kích thước bằng kích thước thực tế của dấu"):
    /// the larger side must lie within [`SEAL_MM`].
    Size {
        /// The agency's signature.
        signature: usize,
        /// Width of the seal picture on the page, in millimetres.
        width_mm: f64,
        /// Height of the seal picture on the page, in millimetres.
        height_mm: f64,
    },
    /// [`Code::AgencyCoversFile`]: the agency's signature covers the whole file, or only LTV
    /// updates (DSS, document time-stamps) follow it.
    Coverage {
        /// The agency's signature.
        signature: usize,
        /// Its byte range ends at the end of the file.
        covers_whole_file: bool,
        /// Revisions added after the one it signs.
        revisions_after: usize,
        /// The first change after it that is no LTV update.
        change: Option<ChangeAt>,
    },
    /// [`Code::StampNoPicture`] (attachments and copies carry no picture), or
    /// [`Code::SealSize`] when the seal has none.
    Pictures {
        /// The signature judged.
        signature: usize,
        /// Pictures its widget draws.
        count: usize,
        /// The colour of the largest one.
        colour: Option<ColourFacts>,
    },
    /// [`Code::StampPosition`] (Appendix I: top right of the first page).
    Position {
        /// The agency's signature.
        signature: usize,
        /// Page of its widget; None when invisible.
        page: Option<usize>,
        /// The widget's rectangle in millimetres from the lower left corner of the page
        /// (llx, lly, urx, ury).
        rect_mm: Option<[f64; 4]>,
        /// Width and height of the page's visible area, in whole millimetres (210 × 297 for A4).
        page_size_mm: Option<[f64; 2]>,
    },
    /// [`Code::StampText`] (Appendix I: attachments show the number and symbol, copies the
    /// copy type and the copying agency, both the signing time in ISO 8601 with +07:00).
    StampText {
        /// The agency's signature.
        signature: usize,
        /// The text lines of its appearance, top to bottom.
        lines: Vec<String>,
        /// A number and symbol ("123/UBND-VP") was found, or for a copy the copy type and the
        /// agency's name.
        reference_found: bool,
        /// A time such as `2026-03-12T14:05:09+07:00` was found.
        time_found: bool,
    },
    /// [`Code::StampSigner`] when there is more than one signature (an attachment or copy has
    /// exactly one).
    Count {
        /// Signatures found (document time-stamps left out).
        signatures: usize,
    },
    /// [`Code::TimesVietnam`] (VIETNAM.md §1.6): each signature's /M time and its offset.
    Times {
        /// One entry per signature.
        times: Vec<TimeAt>,
    },
    /// [`Code::PdfVersion`] (Appendix I, copies: PDF 1.4 or later): the higher of the two
    /// versions counts.
    Version {
        /// The version of the `%PDF-` header (e.g. `1.7`).
        header: String,
        /// The catalog's /Version, which overrides the header (ISO 32000-1 §7.7.2); None when
        /// absent.
        catalog: Option<String>,
    },
    /// [`Code::OfficialRoot`]: which configured anchor each chain reached.
    Roots {
        /// A known Vietnamese official root is among the trust anchors; when false the point
        /// does not apply and `signatures` is empty.
        configured: bool,
        /// One entry per signature.
        signatures: Vec<AnchorAt>,
    },
    /// The point is not asked of this kind of document ([`Status::NotApplicable`]).
    NotForKind {
        /// The document's kind.
        kind: DocumentKind,
    },
    /// The signature's widget could not be read ([`widget::widget_facts`] failed): the
    /// point is not met (fail closed).
    WidgetUnreadable {
        /// The signature judged.
        signature: usize,
        /// The error, in English.
        error: String,
    },
}

/// Stable point codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
///
/// Every report with a signature lists all fifteen once (the main document's points, then
/// those of attachments and copies, then the common ones); those that do not apply to the
/// document's kind are [`Status::NotApplicable`].
pub enum Code {
    /// The signatures' roles make a known kind of document (main, attachment, copy).
    DocumentKind,
    /// Main document: the leader's signature (the one judged [`Role::Leader`], else the first)
    /// is made with a person's certificate that carries a title (Art. 32.2; Decree 23/2025 for
    /// the title).
    LeaderSignature,
    /// Main document: another signature, made with an agency's certificate (Art. 32.2).
    OrganizationSignature,
    /// Main document: the agency signed after the leader, in a later revision (Art. 32.2).
    SignatureOrder,
    /// Main document: a blue picture centred between title line and name (Appendix I box 7c).
    LeaderPicture,
    /// Main document: a red seal over about the left third of the leader's picture
    /// (Appendix I box 8).
    OrganizationPicture,
    /// Main document: the seal at its real size, [`SEAL_MM`] (Appendix I box 8).
    SealSize,
    /// The agency's signature covers the file, or only LTV updates follow it.
    AgencyCoversFile,
    /// Attachment or copy: exactly one signature, an agency's (Appendix I).
    StampSigner,
    /// Attachment or copy: no picture (Appendix I).
    StampNoPicture,
    /// Attachment or copy: top right of page 1 (Appendix I).
    StampPosition,
    /// Attachment or copy: number and symbol, or copy type and agency, and an ISO 8601 time
    /// (Appendix I).
    StampText,
    /// Every /M time is in Vietnam time, +07:00 (VIETNAM.md §1.6).
    TimesVietnam,
    /// PDF 1.4 or later (Appendix I, electronic copies).
    PdfVersion,
    /// Every chain ends at a Vietnamese official root; applies only when one is configured as
    /// a trust anchor.
    OfficialRoot,
}

impl Code {
    /// The code as written in the JSON report (`"seal_size"`): stable, never renamed.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::DocumentKind => "document_kind",
            Code::LeaderSignature => "leader_signature",
            Code::OrganizationSignature => "organization_signature",
            Code::SignatureOrder => "signature_order",
            Code::LeaderPicture => "leader_picture",
            Code::OrganizationPicture => "organization_picture",
            Code::SealSize => "seal_size",
            Code::AgencyCoversFile => "agency_covers_file",
            Code::StampSigner => "stamp_signer",
            Code::StampNoPicture => "stamp_no_picture",
            Code::StampPosition => "stamp_position",
            Code::StampText => "stamp_text",
            Code::TimesVietnam => "times_vietnam",
            Code::PdfVersion => "pdf_version",
            Code::OfficialRoot => "official_root",
        }
    }
}

/// One point of the check.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// Which point.
    pub code: Code,
    /// Its outcome.
    pub status: Status,
    /// What the outcome rests on, as data (the words are `crate::text::decree30::evidence_text`).
    pub evidence: Evidence,
}

/// A signature's role, for the summary.
#[derive(Clone, Debug, Serialize)]
pub struct RoleSummary {
    /// 1-based, as the report numbers signatures.
    pub signature: usize,
    /// The signature field's fully qualified name (e.g. `Sig1`).
    pub field: String,
    /// The role found for it.
    pub role: Role,
}

/// The `decree30` object of the verification report.
#[derive(Clone, Debug, Serialize)]
///
/// It never changes the ETSI indication of a signature: a valid signature on a non-conforming
/// document stays valid, and `kyso verify` only fails on it under `--require-decree30`.
pub struct Decree30Report {
    /// The document's verdict.
    pub status: Conformity,
    /// The kind of document; None when there is no signature ([`Conformity::NotApplicable`]).
    pub kind: Option<DocumentKind>,
    /// Every point of [`Code`], once each (empty without signatures).
    pub points: Vec<Point>,
    /// Each signature's role (document time-stamps left out).
    pub roles: Vec<RoleSummary>,
}

impl Decree30Report {
    /// Whether the document is conforming (`--require-decree30`).
    pub fn conforming(&self) -> bool {
        self.status == Conformity::Conforming
    }
}

/// What the Decree 30 check reads of one signature's verification (`crate::verify` makes
/// them from its report): plain facts, so that this module stays below verification.
#[derive(Clone, Debug, Default)]
pub struct SignatureFacts<'a> {
    /// The signature field's name.
    pub field: &'a str,
    /// A document time-stamp (ETSI EN 319 142-1 §5.4) rather than a signature.
    pub document_timestamp: bool,
    /// The signer certificate's subject common name.
    pub common_name: Option<&'a str>,
    /// The signer certificate's X.520 title (chức vụ), which officials' certificates carry.
    pub title: Option<&'a str>,
    /// The signer certificate's organization (O); for a copy, the copying agency's name looked
    /// for in the stamp text.
    pub organization: Option<&'a str>,
    /// The signing time the verification retained (RFC 3339); None when unknown.
    pub signing_time: Option<&'a str>,
    /// The signature's byte range ends at the end of the file.
    pub covers_whole_document: bool,
    /// 1-based number of the revision this signature signs, when it ends at one.
    pub revision: Option<usize>,
    /// Revisions added after the one it signs.
    pub revisions_after: usize,
    /// The changes made after the signature.
    pub modifications: &'a [crate::diff::Modification],
    /// The configured trust anchor the chain ends at.
    pub trust_anchor: Option<&'a str>,
    /// SHA-256 fingerprint (hex, any case, colons allowed) of the last certificate of the chain.
    pub root_sha256: Option<&'a str>,
}

/// One signature under examination.
struct Sig<'a> {
    /// 1-based.
    n: usize,
    report: &'a SignatureFacts<'a>,
    entry: &'a SignatureEntry,
    finding: RoleFinding,
}

impl Sig<'_> {
    fn widget(&self) -> Option<&WidgetFacts> {
        self.finding.widget.as_ref()
    }
    /// The largest picture.
    fn picture(&self) -> Option<&PictureFacts> {
        self.widget()?
            .pictures
            .iter()
            .max_by(|a, b| area(&a.rect).total_cmp(&area(&b.rect)))
    }
    fn signer_evidence(&self) -> Evidence {
        Evidence::Signer {
            signature: self.n,
            common_name: self.finding.common_name.clone(),
            name_kind: self.finding.name_kind,
            title: self.finding.title.clone(),
        }
    }
    fn time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(self.report.signing_time?, &Rfc3339).ok()
    }
}

fn area(r: &[f64; 4]) -> f64 {
    (r[2] - r[0]) * (r[3] - r[1])
}

fn mm(r: &[f64; 4]) -> [f64; 4] {
    r.map(|v| (v / PT_PER_MM * 10.0).round() / 10.0)
}

fn normalise(s: &str) -> String {
    text_extract::normalize(s)
}

/// Copy types of Decree 30/2020 Art. 25 as they appear on a copy.
const COPY_TYPES: &[&str] = &["sao y", "sao lục", "trích sao"];

fn has_copy_type(lines: &[String]) -> bool {
    lines
        .iter()
        .any(|l| COPY_TYPES.iter().any(|t| normalise(l).contains(t)))
}

/// Top right of page 1 (Decree 30/2020 Appendix I: attachments and copies).
fn top_right_of_first_page(w: &WidgetFacts) -> bool {
    let cx = (w.rect[0] + w.rect[2]) / 2.0;
    w.page == 1 && cx > w.page_size[0] / 2.0 && w.rect[3] > w.page_size[1] * 0.75
}

/// The role of one signature from what it shows and who made it.
fn find_role(doc: &Document, entry: &SignatureEntry, report: &SignatureFacts) -> RoleFinding {
    let common_name = report.common_name.map(str::to_string);
    let title = report.title.map(str::to_string);
    let kind = common_name.as_deref().map_or(NameKind::Unknown, name_kind);
    let (widget, widget_error) = match widget::widget_facts(doc, entry) {
        Ok(w) => (w, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let largest = widget.as_ref().and_then(|w| {
        w.pictures
            .iter()
            .max_by(|a, b| area(&a.rect).total_cmp(&area(&b.rect)))
    });
    let picture = largest.and_then(|p| p.colour.hue);
    let (role, basis) = match (&widget, picture) {
        (Some(w), _) if has_copy_type(&w.text) => (Role::Copy, RoleBasis::CopyText),
        (_, Some(Hue::Blue)) => (Role::Leader, RoleBasis::PictureColour),
        (_, Some(Hue::Red)) => (Role::Organization, RoleBasis::PictureColour),
        (Some(w), _)
            if w.pictures.is_empty() && kind != NameKind::Person && top_right_of_first_page(w) =>
        {
            (Role::Attachment, RoleBasis::StampPosition)
        }
        _ => match kind {
            NameKind::Person => (Role::Leader, RoleBasis::CommonName),
            NameKind::Organization => (Role::Organization, RoleBasis::CommonName),
            NameKind::Unknown => (Role::Unknown, RoleBasis::Nothing),
        },
    };
    RoleFinding {
        role,
        basis,
        common_name,
        name_kind: kind,
        title,
        picture,
        widget,
        widget_error,
    }
}

/// Checks the document. `entries` and `reports` are the signatures in the same order (as
/// [`crate::verify::verify_source`] makes them); `trust` the configured anchors (only used to
/// tell whether a Vietnamese official root is among them, [`Code::OfficialRoot`]). Returns the
/// `decree30` object and each signature's role (None for document time-stamps), index for
/// index with `reports`.
///
/// The kind is read from the roles: a single agency, attachment or copy signature makes an
/// attachment or a copy; signatures whose roles are all unknown make
/// [`DocumentKind::Unrecognised`] (not conforming); anything else is a main document. Never
/// fails: what cannot be read (a widget, the page text) makes its points
/// [`Status::NotMet`] or [`Status::CannotJudge`], never met. Library users normally get the
/// result from [`crate::verify::verify_file`] (`Report::decree30`) rather than call this.
pub fn assess(
    doc: &Document,
    entries: &[SignatureEntry],
    reports: &[SignatureFacts],
    trust: &[Certificate],
) -> (Decree30Report, Vec<Option<RoleFinding>>) {
    let mut sigs: Vec<Sig> = Vec::new();
    for (i, (entry, report)) in entries.iter().zip(reports).enumerate() {
        if entry.is_document_timestamp() {
            continue;
        }
        sigs.push(Sig {
            n: i + 1,
            report,
            entry,
            finding: find_role(doc, entry, report),
        });
    }
    let mut roles_out: Vec<Option<RoleFinding>> = vec![None; reports.len()];
    for s in &sigs {
        roles_out[s.n - 1] = Some(s.finding.clone());
    }
    let roles: Vec<RoleSummary> = sigs
        .iter()
        .map(|s| RoleSummary {
            signature: s.n,
            field: s.report.field.to_string(),
            role: s.finding.role,
        })
        .collect();
    if sigs.is_empty() {
        let report = Decree30Report {
            status: Conformity::NotApplicable,
            kind: None,
            points: Vec::new(),
            roles,
        };
        return (report, roles_out);
    }
    let kind = if sigs.len() == 1
        && matches!(
            sigs[0].finding.role,
            Role::Attachment | Role::Copy | Role::Organization
        ) {
        if sigs[0].finding.role == Role::Copy {
            DocumentKind::Copy
        } else {
            DocumentKind::Attachment
        }
    } else if sigs.iter().all(|s| s.finding.role == Role::Unknown) {
        DocumentKind::Unrecognised
    } else {
        DocumentKind::Main
    };
    let mut points = Vec::new();
    let mut push = |code: Code, status: Status, evidence: Evidence| {
        points.push(Point {
            code,
            status,
            evidence,
        })
    };
    let met = |b: bool| if b { Status::Met } else { Status::NotMet };
    push(
        Code::DocumentKind,
        met(kind != DocumentKind::Unrecognised),
        Evidence::Kind {
            kind,
            roles: sigs.iter().map(|s| s.finding.role).collect(),
        },
    );

    let stamp = matches!(kind, DocumentKind::Attachment | DocumentKind::Copy);
    // The agency's signature whose coverage is judged.
    let mut agency: Option<&Sig> = None;
    if stamp {
        for code in [
            Code::LeaderSignature,
            Code::OrganizationSignature,
            Code::SignatureOrder,
            Code::LeaderPicture,
            Code::OrganizationPicture,
            Code::SealSize,
        ] {
            push(code, Status::NotApplicable, Evidence::NotForKind { kind });
        }
        let s = &sigs[0];
        agency = Some(s);
        stamp_points(s, sigs.len(), kind, &mut push);
    } else {
        let leader = sigs
            .iter()
            .find(|s| s.finding.role == Role::Leader)
            .unwrap_or(&sigs[0]);
        let org = sigs
            .iter()
            .rev()
            .find(|s| s.finding.role == Role::Organization && s.n != leader.n)
            .or_else(|| sigs.last().filter(|s| s.n != leader.n));
        agency = agency.or(org);
        // Decree 30/2020 Art. 32.2: the competent person's certificate, with the title
        // (Decree 23/2025).
        push(
            Code::LeaderSignature,
            met(leader.finding.name_kind == NameKind::Person && leader.finding.title.is_some()),
            leader.signer_evidence(),
        );
        match org {
            Some(o) => push(
                Code::OrganizationSignature,
                met(o.finding.name_kind == NameKind::Organization),
                o.signer_evidence(),
            ),
            None => push(
                Code::OrganizationSignature,
                Status::NotMet,
                Evidence::Missing {
                    missing: Missing::OrganizationSignature,
                },
            ),
        }
        match org {
            Some(o) => {
                let (lr, or) = (leader.report.revision, o.report.revision);
                let (lt, ot) = (leader.time(), o.time());
                let ok = matches!((lr, or), (Some(l), Some(r)) if r > l)
                    && matches!((lt, ot), (Some(l), Some(r)) if r >= l);
                push(
                    Code::SignatureOrder,
                    met(ok),
                    Evidence::Order {
                        leader_signature: leader.n,
                        leader_revision: lr,
                        leader_time: leader.report.signing_time.map(str::to_string),
                        organization_signature: o.n,
                        organization_revision: or,
                        organization_time: o.report.signing_time.map(str::to_string),
                    },
                );
            }
            None => push(
                Code::SignatureOrder,
                Status::NotApplicable,
                Evidence::Missing {
                    missing: Missing::OrganizationSignature,
                },
            ),
        }
        let (status, evidence) = leader_picture(doc, leader);
        push(Code::LeaderPicture, status, evidence);
        match org {
            Some(o) => {
                let (status, evidence) = seal_placement(o, leader);
                push(Code::OrganizationPicture, status, evidence);
                match (o.picture(), &o.finding.widget_error) {
                    (_, Some(e)) => push(
                        Code::SealSize,
                        Status::NotMet,
                        Evidence::WidgetUnreadable {
                            signature: o.n,
                            error: e.clone(),
                        },
                    ),
                    (Some(p), None) => {
                        let r = mm(&p.rect);
                        let (w, h) = (r[2] - r[0], r[3] - r[1]);
                        let d = w.max(h);
                        push(
                            Code::SealSize,
                            met((SEAL_MM.0..=SEAL_MM.1).contains(&d)),
                            Evidence::Size {
                                signature: o.n,
                                width_mm: (w * 10.0).round() / 10.0,
                                height_mm: (h * 10.0).round() / 10.0,
                            },
                        );
                    }
                    (None, None) => push(
                        Code::SealSize,
                        Status::NotMet,
                        Evidence::Pictures {
                            signature: o.n,
                            count: 0,
                            colour: None,
                        },
                    ),
                }
            }
            None => {
                for code in [Code::OrganizationPicture, Code::SealSize] {
                    push(
                        code,
                        Status::NotApplicable,
                        Evidence::Missing {
                            missing: Missing::OrganizationSignature,
                        },
                    );
                }
            }
        }
        for code in [
            Code::StampSigner,
            Code::StampNoPicture,
            Code::StampPosition,
            Code::StampText,
        ] {
            push(code, Status::NotApplicable, Evidence::NotForKind { kind });
        }
    }

    // The agency's signature covers the whole file, or only LTV updates follow it.
    match agency {
        Some(a) => {
            let change = first_non_ltv_change(a.report, reports);
            push(
                Code::AgencyCoversFile,
                met(a.report.covers_whole_document
                    || (change.is_none() && a.report.revision.is_some())),
                Evidence::Coverage {
                    signature: a.n,
                    covers_whole_file: a.report.covers_whole_document,
                    revisions_after: a.report.revisions_after,
                    change,
                },
            );
        }
        None => push(
            Code::AgencyCoversFile,
            Status::NotApplicable,
            Evidence::Missing {
                missing: Missing::OrganizationSignature,
            },
        ),
    }

    // VIETNAM.md §1.6: times in Vietnam time.
    let times: Vec<TimeAt> = sigs
        .iter()
        .map(|s| {
            let raw = s.entry.signing_time_raw();
            TimeAt {
                signature: s.n,
                vietnam: raw.as_deref().is_some_and(is_vietnam_offset),
                raw,
            }
        })
        .collect();
    push(
        Code::TimesVietnam,
        met(times.iter().all(|t| t.vietnam)),
        Evidence::Times { times },
    );

    // Decree 30/2020 Appendix I (copies: PDF 1.4 or later).
    let catalog = doc.catalog_at(doc.last_revision()).ok().and_then(|c| {
        c.name("Version")
            .map(|v| String::from_utf8_lossy(v).into_owned())
    });
    let version_ok = [Some(doc.version.as_str()), catalog.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(parse_version)
        .max()
        .is_some_and(|v| v >= (1, 4));
    push(
        Code::PdfVersion,
        met(version_ok),
        Evidence::Version {
            header: doc.version.clone(),
            catalog,
        },
    );

    // Chains to a Vietnamese official root, when one is configured.
    let configured = trust
        .iter()
        .any(|c| matches!(recognise(c), RootRecognition::Known(_)));
    let anchors: Vec<AnchorAt> = sigs
        .iter()
        .map(|s| AnchorAt {
            signature: s.n,
            anchor: s.report.trust_anchor.map(str::to_string),
            official: s.report.trust_anchor.is_some()
                && s.report.root_sha256.is_some_and(|c| {
                    let fp = c.replace(':', "").to_ascii_lowercase();
                    KNOWN_ROOTS.iter().any(|k| {
                        k.sha256
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect::<String>()
                            == fp
                    })
                }),
        })
        .collect();
    let status = if configured {
        met(anchors.iter().all(|a| a.official))
    } else {
        Status::NotApplicable
    };
    push(
        Code::OfficialRoot,
        status,
        Evidence::Roots {
            configured,
            signatures: if configured { anchors } else { Vec::new() },
        },
    );

    // Conforming only when every point that applies is met: an undecided point is no pass.
    let status = if points
        .iter()
        .all(|p| matches!(p.status, Status::Met | Status::NotApplicable))
    {
        Conformity::Conforming
    } else {
        Conformity::NotConforming
    };
    (
        Decree30Report {
            status,
            kind: Some(kind),
            points,
            roles,
        },
        roles_out,
    )
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.get(..1)?.parse().ok()?))
}

/// A PDF date (ISO 32000-1 §7.9.4) whose offset is +07'00'.
fn is_vietnam_offset(raw: &str) -> bool {
    let s = raw.trim().strip_prefix("D:").unwrap_or(raw.trim());
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let rest: String = s[digits..].chars().filter(|c| *c != '\'').collect();
    digits >= 12 && (rest == "+07" || rest == "+0700")
}

/// The first change after `sig`'s revision that is no LTV update (a DSS, or a document
/// time-stamp and its DSS; ETSI EN 319 142-1 §5.4).
fn first_non_ltv_change(sig: &SignatureFacts, all: &[SignatureFacts]) -> Option<ChangeAt> {
    const LTV: &[&str] = &["DSS_UPDATED", "EXTENSIONS_ADDED"];
    const CONTENT: &[&str] = &[
        "PAGE_CONTENT_CHANGED",
        "PAGE_RESOURCES_CHANGED",
        "PAGE_CHANGED",
        "PAGE_TREE_CHANGED",
        "FORM_FILLED",
        "ANNOTATION_CHANGED",
        "ANNOTATION_REMOVED",
        "FIELD_REMOVED",
        "OBJECT_DELETED",
    ];
    let ts_revisions: Vec<usize> = all
        .iter()
        .filter(|s| s.document_timestamp)
        .filter_map(|s| s.revision)
        .collect();
    if sig.revisions_after > 0 && sig.modifications.is_empty() && sig.revision.is_none() {
        return Some(ChangeAt {
            revision: 0,
            code: "UNKNOWN".into(),
            description: String::new(),
            what: None,
        });
    }
    sig.modifications
        .iter()
        .find(|m| {
            if ts_revisions.contains(&m.revision) {
                !m.allowed || CONTENT.contains(&m.code)
            } else {
                !LTV.contains(&m.code)
            }
        })
        .map(|m| ChangeAt {
            revision: m.revision,
            code: m.code.to_string(),
            description: String::new(),
            what: Some(m.what.clone()),
        })
}

/// Decree 30/2020 Appendix I box 7c: the leader's blue picture centred between the title line
/// and the name.
fn leader_picture(doc: &Document, s: &Sig) -> (Status, Evidence) {
    if let Some(e) = &s.finding.widget_error {
        return (
            Status::NotMet,
            Evidence::WidgetUnreadable {
                signature: s.n,
                error: e.clone(),
            },
        );
    }
    let ev = |placement, page, rect: Option<[f64; 4]>, colour, name, title| Evidence::Picture {
        signature: s.n,
        page,
        rect_mm: rect.as_ref().map(mm),
        colour,
        name,
        title_line: title,
        placement,
    };
    let Some(w) = s.widget() else {
        return (
            Status::NotMet,
            ev(Placement::Invisible, None, None, None, None, None),
        );
    };
    let Some(p) = s.picture() else {
        return (
            Status::NotMet,
            ev(
                Placement::NoPicture,
                Some(w.page),
                Some(w.rect),
                None,
                None,
                None,
            ),
        );
    };
    let colour = Some(p.colour.clone());
    let blue = p.colour.hue == Some(Hue::Blue);
    let cn = s.finding.common_name.clone().unwrap_or_default();
    // A page whose text cannot be read is undecided, not "name not found" (fail closed).
    let Ok(lines) = page_lines_view(doc, w.page) else {
        return (
            Status::CannotJudge,
            ev(
                Placement::PageTextUnreadable,
                Some(w.page),
                Some(p.rect),
                colour,
                None,
                None,
            ),
        );
    };
    let found = (!cn.is_empty())
        .then(|| text_extract::find(&lines, &cn))
        .flatten();
    let Some(f) = found else {
        return (
            Status::NotMet,
            ev(
                Placement::NameNotFound,
                Some(w.page),
                Some(p.rect),
                colour,
                None,
                None,
            ),
        );
    };
    let name = TextAt {
        text: cn,
        x0: f.x0,
        x1: f.x1,
        y: f.y,
    };
    // The nearest line above the name that overlaps its column: the title line (or the line
    // the picture stands under).
    let title = lines
        .iter()
        .filter(|l| l.y > f.y + f.size * 0.5)
        .filter(|l| {
            l.glyphs
                .iter()
                .any(|g| g.x < f.x1 + 40.0 && g.x + g.width > f.x0 - 40.0)
        })
        .min_by(|a, b| a.y.total_cmp(&b.y))
        .map(|l| TextAt {
            text: l.text().trim().to_string(),
            x0: l.x0(),
            x1: l.x1(),
            y: l.y,
        });
    let r = p.rect;
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    let placement = if !(r[1] >= f.y - 0.5 * f.size && r[1] - (f.y + f.size) <= 60.0) {
        Placement::NotAboveName
    } else if !(cx >= f.x0 - 30.0 && cx <= f.x1 + 30.0) {
        Placement::NotCentred
    } else if title.as_ref().is_none_or(|t| t.y < cy) {
        Placement::NotUnderTitle
    } else {
        Placement::BetweenTitleAndName
    };
    let ok = blue && placement == Placement::BetweenTitleAndName;
    (
        if ok { Status::Met } else { Status::NotMet },
        ev(placement, Some(w.page), Some(r), colour, Some(name), title),
    )
}

/// The text lines of a page (1-based) as displayed, positions from the visible area's corner.
fn page_lines_view(doc: &Document, page: usize) -> crate::Result<Vec<text_extract::Line>> {
    let rev = doc.last_revision();
    let pages = doc.pages_at(rev)?;
    let p = *pages
        .get(page - 1)
        .ok_or_else(|| crate::Error::MalformedPdf("page out of range".into()))?;
    let area = crate::layout::visible_area(doc, rev, p)?;
    let mut lines = text_extract::page_lines(doc, rev, p)?;
    for l in &mut lines {
        l.y -= area[1];
        for g in &mut l.glyphs {
            g.x -= area[0];
            g.y -= area[1];
        }
    }
    Ok(lines)
}

/// Decree 30/2020 Appendix I box 8: the red seal over about the left third of the leader's
/// picture, on the same page.
fn seal_placement(o: &Sig, leader: &Sig) -> (Status, Evidence) {
    if let Some(e) = &o.finding.widget_error {
        return (
            Status::NotMet,
            Evidence::WidgetUnreadable {
                signature: o.n,
                error: e.clone(),
            },
        );
    }
    let ev = |placement, page, colour, covered| Evidence::Seal {
        signature: o.n,
        page,
        leader_page: leader.widget().map(|w| w.page),
        colour,
        covered_left_percent: covered,
        placement,
    };
    let Some(w) = o.widget() else {
        return (
            Status::NotMet,
            ev(SealPlacement::Invisible, None, None, None),
        );
    };
    let Some(p) = o.picture() else {
        return (
            Status::NotMet,
            ev(SealPlacement::NoPicture, Some(w.page), None, None),
        );
    };
    let colour = Some(p.colour.clone());
    let red = p.colour.hue == Some(Hue::Red);
    let (Some(lw), Some(lp)) = (leader.widget(), leader.picture()) else {
        return (
            Status::NotMet,
            ev(SealPlacement::NoLeaderPicture, Some(w.page), colour, None),
        );
    };
    if lw.page != w.page {
        return (
            Status::NotMet,
            ev(SealPlacement::OtherPage, Some(w.page), colour, None),
        );
    }
    let (s, l) = (p.rect, lp.rect);
    let overlaps = s[0] < l[2] && s[2] > l[0] && s[1] < l[3] && s[3] > l[1];
    let width = (l[2] - l[0]).max(1e-6);
    let covered = ((s[2] - l[0]) / width * 1000.0).round() / 10.0;
    let placement = if !overlaps {
        SealPlacement::NotOverlapping
    } else if s[0] < l[0] + 0.05 * width && (15.0..=60.0).contains(&covered) {
        SealPlacement::OverLeftThird
    } else {
        SealPlacement::WrongPart
    };
    let ok = red && placement == SealPlacement::OverLeftThird;
    (
        if ok { Status::Met } else { Status::NotMet },
        ev(placement, Some(w.page), colour, Some(covered)),
    )
}

/// Attachments and copies (Decree 30/2020 Appendix I; VIETNAM.md §1.3–1.4): one agency
/// signature, no picture, top right of page 1, number and symbol (or copy type and agency)
/// and an ISO 8601 time with +07:00.
fn stamp_points(
    s: &Sig,
    count: usize,
    kind: DocumentKind,
    push: &mut impl FnMut(Code, Status, Evidence),
) {
    let met = |b: bool| if b { Status::Met } else { Status::NotMet };
    push(
        Code::StampSigner,
        met(count == 1 && s.finding.name_kind == NameKind::Organization),
        if count == 1 {
            s.signer_evidence()
        } else {
            Evidence::Count { signatures: count }
        },
    );
    if let Some(e) = &s.finding.widget_error {
        for code in [Code::StampNoPicture, Code::StampPosition, Code::StampText] {
            push(
                code,
                Status::NotMet,
                Evidence::WidgetUnreadable {
                    signature: s.n,
                    error: e.clone(),
                },
            );
        }
        return;
    }
    let w = s.widget();
    let pictures = w.map_or(0, |w| w.pictures.len());
    push(
        Code::StampNoPicture,
        met(pictures == 0),
        Evidence::Pictures {
            signature: s.n,
            count: pictures,
            colour: s.picture().map(|p| p.colour.clone()),
        },
    );
    push(
        Code::StampPosition,
        met(w.is_some_and(top_right_of_first_page)),
        Evidence::Position {
            signature: s.n,
            page: w.map(|w| w.page),
            rect_mm: w.map(|w| mm(&w.rect)),
            page_size_mm: w.map(|w| {
                [
                    (w.page_size[0] / PT_PER_MM).round(),
                    (w.page_size[1] / PT_PER_MM).round(),
                ]
            }),
        },
    );
    let lines: Vec<String> = w.map(|w| w.text.clone()).unwrap_or_default();
    let reference_found = match kind {
        DocumentKind::Copy => {
            let agency: Vec<String> = [s.finding.common_name.clone(), organization(s)]
                .into_iter()
                .flatten()
                .map(|a| normalise(&a))
                .collect();
            has_copy_type(&lines)
                && lines.iter().any(|l| {
                    agency
                        .iter()
                        .any(|a| !a.is_empty() && normalise(l).contains(a))
                })
        }
        _ => lines.iter().any(|l| has_number_symbol(l)),
    };
    let time_found = lines.iter().any(|l| has_iso_time(l));
    push(
        Code::StampText,
        met(reference_found && time_found),
        Evidence::StampText {
            signature: s.n,
            lines,
            reference_found,
            time_found,
        },
    );
}

fn organization(s: &Sig) -> Option<String> {
    s.report.organization.map(str::to_string)
}

/// "123/UBND-VP", "45/2026/NĐ-CP": digits, a slash, then a capital letter or more digits.
fn has_number_symbol(line: &str) -> bool {
    line.split_whitespace().any(|w| {
        let mut parts = w.split('/');
        let first = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        !first.is_empty()
            && first.chars().any(|c| c.is_ascii_digit())
            && rest
                .last()
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_uppercase)
    })
}

/// An ISO 8601 time with the Vietnam offset: `2026-03-12T14:05:09+07:00`.
fn has_iso_time(line: &str) -> bool {
    let b = line.as_bytes();
    let pat = b"dddd-dd-ddTdd:dd:dd+07:00";
    b.windows(pat.len()).any(|w| {
        w.iter().zip(pat).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            p => c == p,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_versions_references() {
        assert!(is_vietnam_offset("D:20260312140509+07'00'"));
        assert!(is_vietnam_offset("D:20260312140509+07'00"));
        assert!(!is_vietnam_offset("D:20261122015215Z"));
        assert!(!is_vietnam_offset("D:20260312140509+00'00'"));
        assert!(!is_vietnam_offset("D:2026"));
        assert_eq!(parse_version("1.7"), Some((1, 7)));
        assert_eq!(parse_version("2.0"), Some((2, 0)));
        assert!(parse_version("x").is_none());
        assert!(has_number_symbol("Số: 123/UBND-VP"));
        assert!(has_number_symbol("45/2026/NĐ-CP"));
        assert!(!has_number_symbol("ngày 05/02"));
        assert!(has_iso_time("2026-03-12T14:05:09+07:00"));
        assert!(!has_iso_time("2026-03-12T14:05:09Z"));
    }

    /// A page whose text cannot be read leaves the leader's picture undecided (never a pass,
    /// never "name not found").
    #[test]
    fn unreadable_page_text_cannot_be_judged() {
        let doc = crate::layout::text::tests::pdf(b"BT ET");
        let entry = SignatureEntry {
            field_names: Vec::new(),
            reference: None,
            dict: crate::pdf::Dict::new(),
            byte_range: None,
            contents: Vec::new(),
            contents_span: None,
            span_problem: None,
            contents_hex: false,
        };
        let facts = SignatureFacts::default();
        let blue = ColourFacts {
            hue: Some(Hue::Blue),
            visible_pixels: 100,
            blue_percent: 90.0,
            red_percent: 0.0,
            black_percent: 0.0,
            undecodable: None,
        };
        let finding = |page| RoleFinding {
            role: Role::Leader,
            basis: RoleBasis::PictureColour,
            common_name: Some("Nguyễn Văn A".into()),
            name_kind: NameKind::Person,
            title: None,
            picture: Some(Hue::Blue),
            widget: Some(WidgetFacts {
                page,
                rect: [100.0, 100.0, 200.0, 150.0],
                page_size: [600.0, 800.0],
                pictures: vec![PictureFacts {
                    rect: [110.0, 110.0, 190.0, 140.0],
                    colour: blue.clone(),
                }],
                text: Vec::new(),
                marker: None,
            }),
            widget_error: None,
        };
        let sig = |page| Sig {
            n: 1,
            report: &facts,
            entry: &entry,
            finding: finding(page),
        };
        // Page 2 of a one-page document: its text cannot be read.
        let (status, evidence) = leader_picture(&doc, &sig(2));
        assert_eq!(status, Status::CannotJudge);
        assert!(
            matches!(
                evidence,
                Evidence::Picture {
                    placement: Placement::PageTextUnreadable,
                    page: Some(2),
                    ..
                }
            ),
            "{evidence:?}"
        );
        // Its words (the text layer).
        use crate::text::{decree30 as words, Lang};
        assert_eq!(words::status_text(status, Lang::En), "cannot judge");
        assert_eq!(words::status_text(status, Lang::Vi), "không xác định được");
        assert!(words::evidence_text(&evidence, Lang::En).contains("could not be read"));
        // Page 1 is read: the name is simply not there.
        let (status, evidence) = leader_picture(&doc, &sig(1));
        assert_eq!(status, Status::NotMet);
        assert!(matches!(
            evidence,
            Evidence::Picture {
                placement: Placement::NameNotFound,
                ..
            }
        ));
    }
}
