//! The human-readable report, in Vietnamese (default) or English. Circular 15/2025 asks that
//! results be shown in Vietnamese with at least: issuing CA, signer, signing time, integrity,
//! validity at signing time and the certificate's validity period.

use std::borrow::Cow;
use std::fmt::Write;

use super::verdict;
use super::{date_str, name_of_dn, Lang};
use crate::verify::report::{Indication, Report, SignatureReport, TimestampReport};

/// The plain words of an indication: "HỢP LỆ" / "VALID"... For a verdict as shown to people
/// (no signature, untrusted, revocation not checked) use [`super::verdict`].
pub fn verdict_text(i: Indication, lang: Lang) -> &'static str {
    verdict::indication_words(i, lang)
}

/// Fills the words of a report from its facts, in `lang`: every signature's and time-stamp's
/// `message` and `warnings`, each change's `description`, the verdicts; and the stable codes
/// beside them. Front doors call it before output, so `--json --lang en` is English.
pub fn localise(report: &mut Report, lang: Lang) {
    for s in &mut report.signatures {
        if let Some(n) = &s.note {
            s.message = super::notes::note(n, lang);
            s.message_code = Some(n.code());
        }
        s.warnings = s
            .notes
            .iter()
            .map(|n| super::notes::note(n, lang))
            .collect();
        s.warning_codes = s.notes.iter().map(|n| n.code()).collect();
        for m in &mut s.modifications {
            m.description = super::diff::describe(&m.what, lang);
        }
        for t in &mut s.timestamps {
            localise_timestamp(t, lang);
        }
        let v = verdict::signature(s, report.revocation_checked, lang);
        s.verdict = v.label;
        s.verdict_class = v.tone.class();
    }
    for p in &mut report.decree30.points {
        if let crate::decree30::Evidence::Coverage {
            change: Some(c), ..
        } = &mut p.evidence
        {
            if let Some(w) = &c.what {
                c.description = super::diff::describe(w, lang);
            }
        }
    }
    if !report.notes.is_empty() {
        report.warnings = report
            .notes
            .iter()
            .map(|n| super::notes::note(n, lang))
            .collect();
        report.warning_codes = report.notes.iter().map(|n| n.code()).collect();
    }
    let v = verdict::report(report, lang);
    report.verdict = v.label;
    report.verdict_class = v.tone.class();
}

fn localise_timestamp(t: &mut TimestampReport, lang: Lang) {
    if let Some(n) = &t.note {
        t.message = super::notes::note(n, lang);
        t.message_code = Some(n.code());
    }
    t.warnings = t
        .notes
        .iter()
        .map(|n| super::notes::note(n, lang))
        .collect();
    t.warning_codes = t.notes.iter().map(|n| n.code()).collect();
}

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and DEL (ESC starts
/// terminal escape sequences; CR and LF forge report lines), line and paragraph separators, and
/// the Unicode bidirectional controls that reorder what is shown (U+061C, U+200E-U+200F,
/// U+202A-U+202E, U+2066-U+2069; Unicode TR #9, CVE-2021-42574 "Trojan Source").
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'
                ..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// A string from a PDF or a certificate made safe for a terminal: every control, separator
/// and bidirectional control becomes visible (`\n`, `\x1b`, `\u{202e}`); everything else,
/// Vietnamese letters and combining marks included, is kept.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Renders the whole report as text.
pub fn render(report: &Report, lang: Lang) -> String {
    render_styled(report, lang, false)
}

/// As [`render`], with ANSI colours for the verdicts when `colour` (a terminal, no NO_COLOR).
pub fn render_styled(report: &Report, lang: Lang, colour: bool) -> String {
    let mut out = String::new();
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    if let Some(f) = &report.file {
        let _ = writeln!(out, "{}: {}", l("Tệp", "File"), visible(f));
    }
    // One vocabulary (text/verdict.rs): no signature, untrusted, revocation not checked are
    // said on the verdict line itself.
    let v = verdict::report(report, lang);
    if report.signatures.is_empty() {
        let _ = writeln!(out, "{}: {}", l("Kết luận", "Verdict"), v.painted(colour));
    } else {
        let _ = writeln!(
            out,
            "{}: {} ({})",
            l("Kết luận", "Verdict"),
            v.painted(colour),
            report.indication.as_str()
        );
    }
    if !report.signatures.is_empty() {
        // Decree 30/2020: a verdict of its own, on its own line (issue #15).
        let _ = writeln!(
            out,
            "{}: {}",
            super::decree30::title(lang),
            super::decree30::conformity_text(report.decree30.status, lang)
        );
    }
    let _ = writeln!(
        out,
        "{}: {}   {}: {}",
        l("Số chữ ký", "Signatures"),
        report.signatures.len(),
        l("Số phiên bản của tệp", "Revisions"),
        report.revisions
    );
    if report.signatures.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            l(
                "Tệp không có chữ ký số.",
                "The file has no digital signature."
            )
        );
    }
    for (i, s) in report.signatures.iter().enumerate() {
        out.push('\n');
        render_signature(&mut out, i + 1, s, report.revocation_checked, lang, colour);
        render_modifications(&mut out, s, lang);
    }
    render_decree30(&mut out, report, lang);
    for w in &report.warnings {
        let _ = writeln!(out, "{}: {}", l("Lưu ý", "Note"), visible(w));
    }
    // Whom the document made kyso contact (the URLs come from its certificates).
    for c in &report.contacted {
        let _ = writeln!(
            out,
            "{}: {} {} → {}",
            l("Đã liên hệ", "Contacted"),
            c.method,
            visible(&c.url),
            visible(&c.outcome)
        );
    }
    if report.accept_unknown_ca_status {
        let _ = writeln!(
            out,
            "{}",
            l(
                "Lưu ý: chấp nhận chứng thư tổ chức cấp không xác định được tình trạng thu hồi (--accept-unknown-ca-status).",
                "Note: CA certificates whose revocation status is unknown are accepted (--accept-unknown-ca-status)."
            )
        );
    }
    out
}

fn render_signature(
    out: &mut String,
    n: usize,
    s: &SignatureReport,
    checked_at_all: bool,
    lang: Lang,
    colour: bool,
) {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    let kind = if s.kind == "document-timestamp" {
        l("Dấu thời gian tài liệu", "Document time-stamp")
    } else {
        l("Chữ ký", "Signature")
    };
    let _ = writeln!(
        out,
        "[{n}] {kind} \"{}\": {}",
        visible(&s.field),
        verdict::signature(s, checked_at_all, lang).painted(colour)
    );
    // Every value may come from the file: made visible here, once.
    let mut row = |label: &str, value: &str| {
        let _ = writeln!(out, "    {label:<28} {}", visible(value));
    };
    let indication = match s.sub_indication {
        Some(sub) => format!("{} / {}", s.indication.as_str(), sub.as_str()),
        None => s.indication.as_str().to_string(),
    };
    row(l("Kết quả (ETSI):", "Result (ETSI):"), &indication);
    let message = s
        .note
        .as_ref()
        .map(|n| super::notes::note(n, lang))
        .unwrap_or_else(|| s.message.clone());
    row(l("Giải thích:", "Explanation:"), &message);
    if let Some(signer) = &s.signer {
        row(
            l("Người ký:", "Signer:"),
            &signer
                .common_name
                .clone()
                .unwrap_or_else(|| name_of_dn(&signer.subject)),
        );
        if let Some(t) = &signer.title {
            row(l("Chức vụ:", "Title:"), t);
        }
        if let Some(o) = &signer.organization {
            row(l("Cơ quan:", "Organization:"), o);
        }
        row(
            l("Chủ thể chứng thư:", "Certificate subject:"),
            &signer.subject,
        );
        // People's and agencies' names first; the distinguished name on a line of its own.
        row(
            l("Tổ chức cấp (CA):", "Issued by (CA):"),
            &name_of_dn(&signer.issuer),
        );
        if name_of_dn(&signer.issuer) != signer.issuer {
            row(l("Tên đầy đủ tổ chức cấp:", "Issuer DN:"), &signer.issuer);
        }
        row(l("Số hiệu chứng thư:", "Serial number:"), &signer.serial);
        row(
            l("Hiệu lực chứng thư:", "Certificate validity:"),
            &format!(
                "{} → {}",
                date_str(&signer.not_before),
                date_str(&signer.not_after)
            ),
        );
    }
    if let Some(t) = &s.signing_time {
        row(l("Thời gian ký:", "Signing time:"), &date_str(t));
    }
    if let Some(a) = &s.algorithm {
        row(l("Thuật toán:", "Algorithm:"), a);
    }
    if !s.level.is_empty() {
        row(l("Mức chữ ký (PAdES):", "Level:"), &s.level);
    }
    for t in &s.timestamps {
        let verdict = verdict_text(t.indication, lang);
        row(
            l("Dấu thời gian chữ ký:", "Signature time-stamp:"),
            &format!(
                "{} — {} ({verdict})",
                date_str(&t.time),
                t.authority.as_deref().map(short_name).unwrap_or_default()
            ),
        );
    }
    if let Some(p) = &s.proof_of_existence {
        row(
            l("Chứng minh tồn tại lúc:", "Proven to exist at:"),
            &date_str(p),
        );
    }
    row(
        l("Toàn vẹn nội dung:", "Integrity:"),
        integrity_text(s, lang),
    );
    row(l("Phạm vi ký:", "Coverage:"), &coverage_text(s, lang));
    row(l("Chuỗi tin cậy:", "Trust:"), &trust_text(s, lang));
    if s.certificates.len() > 1 {
        let chain: Vec<String> = s
            .certificates
            .iter()
            .map(|c| short_name(&c.subject))
            .collect();
        row(
            l("Chuỗi chứng thư:", "Certificate chain:"),
            &chain.join(" → "),
        );
    }
    // Circular 15/2025: validity of the certificate at signing time.
    if let Some(valid) = valid_at_signing_text(s, lang) {
        row(l("Hiệu lực lúc ký:", "Valid at signing time:"), valid);
    }
    // Circular 15/2025: revocation status, with its source and time.
    row(
        l("Tình trạng thu hồi:", "Revocation status:"),
        &revocation_text(s, lang),
    );
    if let Some(v) = visual_text(s, lang) {
        row(l("So sánh hình ảnh:", "Visual check:"), &v);
    }
    if let Some(r) = &s.reason {
        row(l("Lý do:", "Reason:"), r);
    }
    if let Some(loc) = &s.location {
        row(l("Địa điểm:", "Location:"), loc);
    }
    if s.notes.is_empty() {
        for w in &s.warnings {
            row(l("Lưu ý:", "Note:"), w);
        }
    }
    for n in &s.notes {
        row(l("Lưu ý:", "Note:"), &super::notes::note(n, lang));
    }
}

/// The Decree 30/2020 section (issue #15): its own verdict, roles and points.
fn render_decree30(out: &mut String, report: &Report, lang: Lang) {
    if report.signatures.is_empty() {
        return;
    }
    let roles: Vec<Option<&crate::decree30::RoleFinding>> =
        report.signatures.iter().map(|s| s.role.as_ref()).collect();
    out.push('\n');
    out.push_str(&super::decree30::render(&report.decree30, &roles, lang));
}

/// The visual check (issue 14) in words: what was compared and what was found.
pub fn visual_text(s: &SignatureReport, lang: Lang) -> Option<String> {
    use crate::visual::{NotPerformed, VisualStatus};
    let v = s.visual.as_ref()?;
    let pages = |p: &[usize]| {
        p.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let compared = lang.pick(
        format!(
            "bản đã ký (phiên bản {}) so với tệp hiện tại, {} trang vẽ lại",
            v.signed_revision,
            v.pages_compared.len()
        ),
        format!(
            "signed version (revision {}) against the current file, {} page(s) drawn",
            v.signed_revision,
            v.pages_compared.len()
        ),
    );
    Some(match v.status {
        VisualStatus::NoDifference => {
            let allowed = v.boxes.len();
            lang.pick(
                format!("không có khác biệt ngoài ô chữ ký/biểu mẫu được phép ({compared}; {allowed} vùng trong ô được phép)"),
                format!("no difference outside allowed widgets ({compared}; {allowed} region(s) inside allowed widgets)"),
            )
        }
        VisualStatus::Difference => {
            let mut parts: Vec<String> = v
                .boxes
                .iter()
                .filter(|b| !b.diff.inside_allowed_widget)
                .take(5)
                .map(|b| {
                    let r = b.diff.rect;
                    lang.pick(
                        format!(
                            "trang {} ({:.0}, {:.0})–({:.0}, {:.0}) pt",
                            b.page, r[0], r[1], r[2], r[3]
                        ),
                        format!(
                            "page {} ({:.0}, {:.0})–({:.0}, {:.0}) pt",
                            b.page, r[0], r[1], r[2], r[3]
                        ),
                    )
                })
                .collect();
            if !v.pages_added.is_empty() {
                parts.push(lang.pick(
                    format!("trang thêm vào: {}", pages(&v.pages_added)),
                    format!("pages added: {}", pages(&v.pages_added)),
                ));
            }
            if !v.pages_removed.is_empty() {
                parts.push(lang.pick(
                    format!("trang bị xóa: {}", pages(&v.pages_removed)),
                    format!("pages removed: {}", pages(&v.pages_removed)),
                ));
            }
            lang.pick(
                format!("CÓ KHÁC BIỆT: {} ({compared})", parts.join("; ")),
                format!("VISIBLE DIFFERENCE: {} ({compared})", parts.join("; ")),
            )
        }
        VisualStatus::NotPerformed => match v.not_performed {
            Some(NotPerformed::Encrypted) => lang.pick(
                "không thực hiện (tệp được mã hóa)",
                "not performed (encrypted)",
            ),
            _ => lang.pick(
                "không thực hiện (tệp quá lớn)",
                "not performed (file too large)",
            ),
        },
        VisualStatus::Error => lang.pick(
            format!("không thực hiện được: {}", v.error.as_deref().unwrap_or("")),
            format!("could not be made: {}", v.error.as_deref().unwrap_or("")),
        ),
    })
}

/// The trust in the signer's chain: trusted (with the anchor's name), untrusted (a root that
/// is not trusted, or a look-alike of one), or unknown.
pub fn trust_text(s: &SignatureReport, lang: Lang) -> String {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    match &s.trust_anchor {
        Some(a) => format!("{} ({})", l("tin cậy", "trusted"), short_name(a)),
        None if verdict::is_untrusted(s) => l(
            "KHÔNG TIN CẬY (chứng thư gốc không tin cậy hoặc giả mạo)",
            "UNTRUSTED (the root is not trusted, or a look-alike)",
        )
        .to_string(),
        None => l("chưa xác định", "unknown").to_string(),
    }
}

/// Integrity of the signed bytes: "toàn vẹn" / "intact", "ĐÃ BỊ THAY ĐỔI" / "MODIFIED"...
pub fn integrity_text(s: &SignatureReport, lang: Lang) -> &'static str {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    match s.checks.digest_matches {
        Some(true) if s.checks.signature_valid == Some(true) => l("toàn vẹn", "intact"),
        Some(false) => l("ĐÃ BỊ THAY ĐỔI", "MODIFIED"),
        _ => l("không kiểm tra được", "could not be checked"),
    }
}

/// What the signature covers: the whole document, or a revision and what came after it.
pub fn coverage_text(s: &SignatureReport, lang: Lang) -> String {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    if s.covers_whole_document {
        l("toàn bộ tài liệu", "the whole document").to_string()
    } else {
        match lang {
            Lang::Vi => format!(
                "phiên bản {} ({} phiên bản sau, {} byte)",
                s.revision.map(|r| r.to_string()).unwrap_or("?".into()),
                s.revisions_after,
                s.bytes_after
            ),
            Lang::En => format!(
                "revision {} ({} later revision(s), {} bytes)",
                s.revision.map(|r| r.to_string()).unwrap_or("?".into()),
                s.revisions_after,
                s.bytes_after
            ),
        }
    }
}

/// Whether the signer's certificate was valid at the claimed signing time (Circular 15/2025),
/// when both are known.
pub fn valid_at_signing_text(s: &SignatureReport, lang: Lang) -> Option<&'static str> {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    let (signer, t) = (s.signer.as_ref()?, s.signing_time.as_ref()?);
    let valid = signer.not_before.as_str() <= t.as_str() && t.as_str() <= signer.not_after.as_str();
    Some(if valid {
        l("còn hiệu lực", "yes")
    } else {
        l("KHÔNG còn hiệu lực", "NO")
    })
}

/// The signer's revocation status with its source and time (Circular 15/2025).
pub fn revocation_text(s: &SignatureReport, lang: Lang) -> String {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    match s.revocation.first() {
        None => l("chưa kiểm tra", "not checked").to_string(),
        Some(r) => {
            let source = match r.source.as_deref() {
                Some("ocsp") => "OCSP",
                Some("embedded-ocsp") => l("OCSP trong tài liệu", "OCSP in the document"),
                Some("crl") => "CRL",
                Some("embedded-crl") => l("CRL trong tài liệu", "CRL in the document"),
                _ => "",
            };
            let when = r.issued.as_deref().map(date_str).unwrap_or_default();
            match r.status.as_str() {
                "good" => format!("{} ({source}, {when})", l("chưa bị thu hồi", "not revoked")),
                "revoked" => format!(
                    "{} {} ({}; {source})",
                    l("ĐÃ BỊ THU HỒI lúc", "REVOKED at"),
                    r.revocation_time
                        .as_deref()
                        .map(date_str)
                        .unwrap_or_else(|| "?".into()),
                    r.reason.as_deref().unwrap_or("?")
                ),
                "not_checked" => {
                    l("không kiểm tra (đã tắt)", "not checked (turned off)").to_string()
                }
                _ => l(
                    "KHÔNG KIỂM TRA ĐƯỢC (không có OCSP/CRL dùng được)",
                    "COULD NOT BE CHECKED (no usable OCSP/CRL)",
                )
                .to_string(),
            }
        }
    }
}

/// The changes after a signature, each marked allowed or not.
fn render_modifications(out: &mut String, s: &SignatureReport, lang: Lang) {
    let l = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    if !s.modifications.is_empty() {
        let _ = writeln!(
            out,
            "    {}",
            l("Thay đổi sau chữ ký này:", "Changes after this signature:")
        );
        for m in &s.modifications {
            let mark = if m.allowed {
                l("được phép", "allowed")
            } else {
                l("KHÔNG ĐƯỢC PHÉP", "NOT ALLOWED")
            };
            let _ = writeln!(
                out,
                "      - [{}] {} ({} {})",
                mark,
                visible(&super::diff::describe(&m.what, lang)),
                l("phiên bản", "revision"),
                m.revision
            );
        }
    }
}

/// The name in an RFC 4514 subject (the CN, or the given name and surname), or the whole
/// subject.
pub fn short_name(subject: &str) -> String {
    name_of_dn(subject)
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn controls_and_bidi_overrides_are_made_visible() {
        assert_eq!(
            visible("Phê duyệt\x1b[2J\u{202e}exe.pdf"),
            "Phê duyệt\\x1b[2J\\u{202e}exe.pdf"
        );
        assert_eq!(visible("a\nb\rc\td\x7f\u{9b}"), "a\\nb\\rc\\td\\x7f\\u{9b}");
        assert_eq!(
            visible("\u{2066}x\u{2069}\u{200f}\u{2028}"),
            "\\u{2066}x\\u{2069}\\u{200f}\\u{2028}"
        );
        // Vietnamese, precomposed or with combining marks, and backslashes stay as they are.
        let vi = "Nguyễn Văn An — Ủy ban nhân dân, Hà Nội C:\\van-ban";
        assert!(matches!(visible(vi), std::borrow::Cow::Borrowed(_)));
        assert_eq!(visible("Nguye\u{302}\u{303}n"), "Nguye\u{302}\u{303}n");
    }
}
