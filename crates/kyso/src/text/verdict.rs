//! One verdict vocabulary for every front door (issue #16 item 2): the CLI text report, the
//! batch table, the HTML report, the service page and the JSON `verdict` all take their words and
//! colour from here.
//!
//! - no signature: "KHÔNG CÓ CHỮ KÝ" / "NO SIGNATURE" (neutral);
//! - a chain ending at a root that is present but not trusted, or at a look-alike of a trusted
//!   root: "KHÔNG TIN CẬY" / "UNTRUSTED", in the failure colour;
//! - revocation switched off, or the signer's status unknown: said on the verdict itself.
//!
//! The facts are the ETSI EN 319 102-1 §5.1.3 indications of a [`Report`];
//! [`crate::text::report::localise`] puts [`report`] and [`signature`] into the JSON
//! `verdict`/`verdict_class`.
//!
//! # Examples
//!
//! ```
//! use kyso::text::{verdict, Lang};
//! use kyso::verify::Indication;
//!
//! let none = verdict::no_signature(Lang::En);
//! assert_eq!(none.label, "NO SIGNATURE");
//! assert_eq!(none.tone.class(), "nosig");
//! assert_eq!(verdict::indication_words(Indication::TotalPassed, Lang::Vi), "HỢP LỆ");
//! // Painted for a terminal only when asked.
//! assert_eq!(none.painted(false), "NO SIGNATURE");
//! ```

use super::Lang;
use crate::verify::report::{Indication, Report, SignatureReport, SubIndication};

/// The colour class of a verdict (CSS class in HTML; ANSI colour on a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// TOTAL-PASSED (green).
    Passed,
    /// TOTAL-FAILED (red).
    Failed,
    /// Not trusted: a failure colour, with its own words.
    Untrusted,
    /// INDETERMINATE for another reason than an untrusted root (yellow).
    Indeterminate,
    /// The file has no signature (no colour).
    NoSignature,
    /// The file could not be read as a PDF (no colour).
    Unreadable,
}

impl Tone {
    /// CSS class: `passed`, `failed`, `untrusted`, `indeterminate`, `nosig`, `unreadable`.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Passed => "passed",
            Tone::Failed => "failed",
            Tone::Untrusted => "untrusted",
            Tone::Indeterminate => "indeterminate",
            Tone::NoSignature => "nosig",
            Tone::Unreadable => "unreadable",
        }
    }

    /// ANSI SGR colour: green, red (failed and untrusted), yellow, none.
    pub fn ansi(self) -> Option<&'static str> {
        match self {
            Tone::Passed => Some("32"),
            Tone::Failed | Tone::Untrusted => Some("31"),
            Tone::Indeterminate => Some("33"),
            Tone::NoSignature | Tone::Unreadable => None,
        }
    }
}

/// A verdict in words, with its colour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// e.g. "HỢP LỆ", "HỢP LỆ (KHÔNG kiểm tra tình trạng thu hồi)", "KHÔNG TIN CẬY".
    pub label: String,
    /// Its colour class.
    pub tone: Tone,
}

impl Verdict {
    /// `label` painted with ANSI colour when `colour`.
    pub fn painted(&self, colour: bool) -> String {
        paint(&self.label, self.tone, colour)
    }
}

/// `text` in the tone's ANSI colour when `colour`.
pub fn paint(text: &str, tone: Tone, colour: bool) -> String {
    match tone.ansi() {
        Some(code) if colour => format!("\x1b[1;{code}m{text}\x1b[0m"),
        _ => text.to_string(),
    }
}

/// The plain words of an ETSI indication: "HỢP LỆ" / "VALID"...
pub fn indication_words(i: Indication, lang: Lang) -> &'static str {
    match (i, lang) {
        (Indication::TotalPassed, Lang::Vi) => "HỢP LỆ",
        (Indication::TotalFailed, Lang::Vi) => "KHÔNG HỢP LỆ",
        (Indication::Indeterminate, Lang::Vi) => "CHƯA XÁC ĐỊNH",
        (Indication::TotalPassed, Lang::En) => "VALID",
        (Indication::TotalFailed, Lang::En) => "INVALID",
        (Indication::Indeterminate, Lang::En) => "INDETERMINATE",
    }
}

/// Why revocation is not part of a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unchecked {
    Off,
    Unknown,
}

fn unchecked_words(u: Unchecked, lang: Lang) -> &'static str {
    match (u, lang) {
        (Unchecked::Off, Lang::Vi) => "KHÔNG kiểm tra tình trạng thu hồi",
        (Unchecked::Off, Lang::En) => "revocation NOT checked",
        (Unchecked::Unknown, Lang::Vi) => "không rõ tình trạng thu hồi",
        (Unchecked::Unknown, Lang::En) => "revocation status unknown",
    }
}

/// Whether the signature's chain ends at a root that is not trusted (present but not an
/// anchor, or a look-alike of one).
pub fn is_untrusted(s: &SignatureReport) -> bool {
    s.indication == Indication::Indeterminate
        && s.note.as_ref().is_some_and(|n| n.is_untrusted_root())
}

/// What the verdict of a signature must say about revocation, if anything. `checked_at_all` is
/// false under `--revocation off`. Only a verdict revocation could change says it: a passed
/// one, or one waiting for revocation data.
fn unchecked(s: &SignatureReport, checked_at_all: bool) -> Option<Unchecked> {
    let relevant = s.indication == Indication::TotalPassed
        || (s.indication == Indication::Indeterminate
            && s.sub_indication == Some(SubIndication::TryLater));
    if !relevant || s.revocation_checked {
        return None;
    }
    Some(if checked_at_all {
        Unchecked::Unknown
    } else {
        Unchecked::Off
    })
}

fn with_unchecked(base: &str, u: Option<Unchecked>, lang: Lang) -> String {
    match u {
        Some(u) => format!("{base} ({})", unchecked_words(u, lang)),
        None => base.to_string(),
    }
}

fn untrusted_words(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "KHÔNG TIN CẬY",
        Lang::En => "UNTRUSTED",
    }
}

/// The verdict of one signature (or document time-stamp). `checked_at_all` is the report's
/// `revocation_checked`.
pub fn signature(s: &SignatureReport, checked_at_all: bool, lang: Lang) -> Verdict {
    if is_untrusted(s) {
        return Verdict {
            label: untrusted_words(lang).to_string(),
            tone: Tone::Untrusted,
        };
    }
    let tone = match s.indication {
        Indication::TotalPassed => Tone::Passed,
        Indication::TotalFailed => Tone::Failed,
        Indication::Indeterminate => Tone::Indeterminate,
    };
    Verdict {
        label: with_unchecked(
            indication_words(s.indication, lang),
            unchecked(s, checked_at_all),
            lang,
        ),
        tone,
    }
}

/// The verdict of a whole document: no signature, or the gravest of its signatures (failed,
/// then untrusted, then indeterminate), saying when revocation was not part of it.
pub fn report(r: &Report, lang: Lang) -> Verdict {
    if r.signatures.is_empty() {
        return no_signature(lang);
    }
    let rank = |s: &SignatureReport| match s.indication {
        Indication::TotalFailed => 3,
        Indication::Indeterminate if is_untrusted(s) => 2,
        Indication::Indeterminate => 1,
        Indication::TotalPassed => 0,
    };
    let worst = r
        .signatures
        .iter()
        .max_by_key(|s| rank(s))
        .expect("not empty");
    let mut v = signature(worst, r.revocation_checked, lang);
    if v.tone == Tone::Passed {
        // Every signature passed: any one not checked for revocation qualifies the document.
        let u = r
            .signatures
            .iter()
            .filter_map(|s| unchecked(s, r.revocation_checked))
            .max_by_key(|u| *u == Unchecked::Off);
        v.label = with_unchecked(indication_words(Indication::TotalPassed, lang), u, lang);
    }
    v
}

/// A file without any signature.
pub fn no_signature(lang: Lang) -> Verdict {
    Verdict {
        label: match lang {
            Lang::Vi => "KHÔNG CÓ CHỮ KÝ",
            Lang::En => "NO SIGNATURE",
        }
        .to_string(),
        tone: Tone::NoSignature,
    }
}

/// A file that could not be read as a PDF.
pub fn unreadable(lang: Lang) -> Verdict {
    Verdict {
        label: match lang {
            Lang::Vi => "KHÔNG ĐỌC ĐƯỢC",
            Lang::En => "UNREADABLE",
        }
        .to_string(),
        tone: Tone::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::note::Note;

    fn signature_report(
        indication: Indication,
        sub: Option<SubIndication>,
        note: Note,
        revocation_checked: bool,
    ) -> SignatureReport {
        SignatureReport {
            field: "Signature1".into(),
            fields: vec!["Signature1".into()],
            kind: "signature",
            indication,
            sub_indication: sub,
            message: String::new(),
            message_code: Some(note.code()),
            verdict: String::new(),
            verdict_class: "",
            revocation_checked,
            note: Some(note),
            signer: None,
            signing_time: None,
            covers_whole_document: true,
            algorithm: None,
            modifications: Vec::new(),
            kyso_reason: None,
            sub_filter: None,
            byte_range: None,
            revision: Some(1),
            revisions_after: 0,
            bytes_after: 0,
            reason: None,
            location: None,
            contact_info: None,
            certification: false,
            chain: Vec::new(),
            certificates: Vec::new(),
            revocation: Vec::new(),
            trust_anchor: None,
            checks: Default::default(),
            warnings: Vec::new(),
            warning_codes: Vec::new(),
            notes: Vec::new(),
            level: String::new(),
            timestamps: Vec::new(),
            proof_of_existence: None,
            validated_at: None,
            role: None,
            visual: None,
        }
    }

    fn passed(revocation_checked: bool) -> SignatureReport {
        signature_report(
            Indication::TotalPassed,
            None,
            Note::SignatureValid,
            revocation_checked,
        )
    }

    #[test]
    fn untrusted_and_forged_roots_are_a_failure_colour_with_their_own_words() {
        for note in [
            Note::ForgedRoot {
                root: "CN=Root".into(),
            },
            Note::NoChainToAnchor {
                detail: "no path".into(),
                untrusted_root: Some("CN=Other".into()),
            },
        ] {
            let s = signature_report(
                Indication::Indeterminate,
                Some(SubIndication::NoCertificateChainFound),
                note,
                false,
            );
            let vi = signature(&s, true, Lang::Vi);
            assert_eq!(
                (vi.label.as_str(), vi.tone),
                ("KHÔNG TIN CẬY", Tone::Untrusted)
            );
            assert_eq!(signature(&s, true, Lang::En).label, "UNTRUSTED");
            assert_eq!(vi.tone.ansi(), Tone::Failed.ansi());
        }
        // No anchor configured at all stays neutral.
        let s = signature_report(
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound),
            Note::NoTrustAnchorConfigured,
            false,
        );
        let v = signature(&s, true, Lang::Vi);
        assert_eq!(
            (v.label.as_str(), v.tone),
            ("CHƯA XÁC ĐỊNH", Tone::Indeterminate)
        );
    }

    #[test]
    fn revocation_not_checked_is_said_on_the_verdict() {
        let s = passed(false);
        assert_eq!(
            signature(&s, false, Lang::Vi).label,
            "HỢP LỆ (KHÔNG kiểm tra tình trạng thu hồi)"
        );
        assert_eq!(
            signature(&s, false, Lang::En).label,
            "VALID (revocation NOT checked)"
        );
        assert_eq!(
            signature(&s, true, Lang::En).label,
            "VALID (revocation status unknown)"
        );
        assert_eq!(signature(&passed(true), true, Lang::Vi).label, "HỢP LỆ");
        // Waiting for revocation data says it too; a failure does not.
        let waiting = signature_report(
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            Note::SignerRevocationUnknown { detail: None },
            false,
        );
        assert_eq!(
            signature(&waiting, true, Lang::Vi).label,
            "CHƯA XÁC ĐỊNH (không rõ tình trạng thu hồi)"
        );
        let failed = signature_report(
            Indication::TotalFailed,
            Some(SubIndication::HashFailure),
            Note::MessageDigestMismatch,
            false,
        );
        assert_eq!(signature(&failed, false, Lang::Vi).label, "KHÔNG HỢP LỆ");
    }

    #[test]
    fn a_document_takes_the_gravest_verdict_or_says_it_has_no_signature() {
        let mut r = Report {
            file: None,
            indication: Indication::TotalPassed,
            signatures: Vec::new(),
            revisions: 1,
            warnings: Vec::new(),
            warning_codes: Vec::new(),
            notes: Vec::new(),
            validation_time: String::new(),
            accept_unknown_ca_status: false,
            contacted: Vec::new(),
            revocation_checked: true,
            verdict: String::new(),
            verdict_class: "",
            decree30: crate::decree30::Decree30Report {
                status: crate::decree30::Conformity::NotApplicable,
                kind: None,
                points: Vec::new(),
                roles: Vec::new(),
            },
            encryption: None,
        };
        let v = report(&r, Lang::Vi);
        assert_eq!(
            (v.label.as_str(), v.tone.class()),
            ("KHÔNG CÓ CHỮ KÝ", "nosig")
        );
        assert_eq!(report(&r, Lang::En).label, "NO SIGNATURE");
        r.signatures = vec![passed(true), passed(false)];
        assert_eq!(
            report(&r, Lang::Vi).label,
            "HỢP LỆ (không rõ tình trạng thu hồi)"
        );
        r.indication = Indication::Indeterminate;
        r.signatures.push(signature_report(
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound),
            Note::ForgedRoot {
                root: "CN=R".into(),
            },
            false,
        ));
        assert_eq!(report(&r, Lang::En).tone, Tone::Untrusted);
    }
}
