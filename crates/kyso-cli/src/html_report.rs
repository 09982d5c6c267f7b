//! `kyso verify --report FILE.html`: one self-contained, printable HTML page (inline CSS, no
//! scripts, no external resources) with a summary table and a section per file. Vietnamese by
//! default. Everything taken from a document or a certificate is escaped: file names, subjects
//! and reasons are attacker-controlled.

use base64ct::{Base64, Encoding};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use kyso::output::AtomicOutput;
use kyso::text::report as text;
use kyso::text::Lang;
use kyso::text::{date_str, name_of_dn, verdict as words};
use kyso::verify::report::{Report, SignatureReport};

/// One file of the report: its verification report, or why it could not be read.
pub struct Item<'a> {
    pub file: String,
    pub result: Result<&'a Report, &'a str>,
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a report (and some are invalid in HTML).
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes the report to `path` atomically (a temporary file renamed into place).
pub fn write(path: &Path, items: &[Item], lang: Lang, generated: &str) -> kyso::Result<()> {
    let html = render(items, lang, generated);
    let mut out = AtomicOutput::create(path)?;
    out.writer()
        .write_all(html.as_bytes())
        .map_err(|e| kyso::Error::io(path, e))?;
    out.commit()
}

/// `--report`: writes the report when a path is given, saying so on stderr; a failure to write
/// is exit code 1.
pub fn write_to(path: Option<&Path>, items: &[Item], lang: Lang) -> Result<(), u8> {
    let Some(path) = path else { return Ok(()) };
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let generated = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    match write(path, items, lang, &generated) {
        Ok(()) => {
            note!(
                "kyso: {}: {}",
                l(lang, "đã ghi báo cáo", "report written"),
                path.display()
            );
            Ok(())
        }
        Err(e) => Err(crate::fail(format!(
            "--report {}: {}",
            path.display(),
            crate::help_text::error_text(&e)
        ))),
    }
}

fn l(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Vi {
        vi
    } else {
        en
    }
}

/// CSS class and words for an item's verdict, from the one vocabulary (kyso::text::verdict).
fn verdict(item: &Item, lang: Lang) -> (&'static str, String) {
    let v = match item.result {
        Err(_) => words::unreadable(lang),
        Ok(r) => words::report(r, lang),
    };
    (v.tone.class(), v.label)
}

/// The signing time of the report's last signature (else time-stamp), as clerks write it.
fn signing_time(r: &Report) -> String {
    r.signatures
        .iter()
        .rev()
        .find(|s| s.kind == "signature" && s.signing_time.is_some())
        .or_else(|| r.signatures.iter().rev().find(|s| s.signing_time.is_some()))
        .and_then(|s| s.signing_time.as_deref())
        .map(date_str)
        .unwrap_or_default()
}

const CSS: &str = "
body{font-family:'Liberation Serif','Times New Roman',serif;margin:2em auto;max-width:60em;color:#111;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #999;word-break:break-all}
h3{font-size:1.05em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top;word-break:break-word}
th{background:#eee}
table.kv th{width:16em;font-weight:normal;background:#f6f6f6}
.v{font-weight:bold;padding:.1em .4em;border-radius:3px;white-space:nowrap}
.passed{color:#0a5c1a;background:#dff3e3}.failed,.untrusted{color:#8b0000;background:#fbe0e0}
.indeterminate,.nosig,.unreadable{color:#6b4b00;background:#fff2cc}
.meta{color:#555;font-size:.9em}.bad{color:#8b0000;font-weight:bold}
section{page-break-inside:avoid}
.pics{display:flex;flex-wrap:wrap;gap:1em;margin:.5em 0}.pics figure{margin:0;max-width:18em}
.pics img{width:100%;border:1px solid #bbb}.pics figcaption{font-size:.85em;color:#555}
@media print{body{margin:0;max-width:none}h2{page-break-before:auto}}
";

/// The whole page.
pub fn render(items: &[Item], lang: Lang, generated: &str) -> String {
    let mut o = String::new();
    let title = l(
        lang,
        "Báo cáo kiểm tra chữ ký số",
        "Digital signature verification report",
    );
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        if lang == Lang::Vi { "vi" } else { "en" }
    );
    let _ = writeln!(
        o,
        "<p class=\"meta\">{}: {} · kyso {}</p>",
        l(lang, "Thời điểm lập", "Generated"),
        escape(generated),
        env!("CARGO_PKG_VERSION")
    );
    summary(&mut o, items, lang);
    for (n, item) in items.iter().enumerate() {
        file_section(&mut o, n + 1, item, lang);
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn summary(o: &mut String, items: &[Item], lang: Lang) {
    let _ = writeln!(o, "<h2>{}</h2>", l(lang, "Tóm tắt", "Summary"));
    let _ = writeln!(
        o,
        "<table class=\"summary\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        l(lang, "Tệp", "File"),
        l(lang, "Kết luận", "Verdict"),
        l(lang, "Người ký", "Signers"),
        l(lang, "Thời gian ký", "Signing time"),
        l(lang, "Thay đổi không được phép", "Disallowed changes"),
    );
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for (n, item) in items.iter().enumerate() {
        let (cls, words) = verdict(item, lang);
        *counts.entry(words.clone()).or_default() += 1;
        let (signers, time, changes) = match item.result {
            Ok(r) => (
                r.signatures
                    .iter()
                    .filter_map(|s| s.signer.as_ref())
                    .map(|s| {
                        s.common_name
                            .clone()
                            .unwrap_or_else(|| name_of_dn(&s.subject))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                signing_time(r),
                disallowed(r).to_string(),
            ),
            Err(_) => (String::new(), String::new(), String::new()),
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><a href=\"#f{}\">{}</a></td><td><span class=\"v {cls}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            n + 1,
            n + 1,
            escape(&item.file),
            escape(&words),
            escape(&signers),
            escape(&time),
            escape(&changes)
        );
    }
    o.push_str("</table>\n");
    let totals: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let _ = writeln!(
        o,
        "<p>{}: {} {} — {}</p>",
        l(lang, "Tổng", "Total"),
        items.len(),
        l(lang, "tệp", "file(s)"),
        escape(&totals.join(", "))
    );
    decree30_summary(o, items, lang);
}

/// The Decree 30/2020 verdict of every file (issue #15), a table of its own.
fn decree30_summary(o: &mut String, items: &[Item], lang: Lang) {
    use kyso::text::decree30 as words;
    let _ = writeln!(
        o,
        "<table class=\"decree30\"><tr><th>#</th><th>{}</th></tr>",
        words::title(lang)
    );
    for (n, item) in items.iter().enumerate() {
        let cell = match item.result {
            Ok(r) => format!(
                "<span class=\"v {}\">{}</span>",
                decree30_class(r.decree30.status),
                words::conformity_text(r.decree30.status, lang)
            ),
            Err(_) => "—".into(),
        };
        let _ = writeln!(o, "<tr><td>{}</td><td>{cell}</td></tr>", n + 1);
    }
    o.push_str("</table>\n");
}

fn decree30_class(c: kyso::decree30::Conformity) -> &'static str {
    match c {
        kyso::decree30::Conformity::Conforming => "passed",
        kyso::decree30::Conformity::NotConforming => "failed",
        kyso::decree30::Conformity::NotApplicable => "nosig",
    }
}

/// A file's Decree 30/2020 section: verdict, kind, roles, every point with its evidence.
fn decree30_section(o: &mut String, r: &Report, lang: Lang) {
    use kyso::text::decree30 as words;
    if r.signatures.is_empty() {
        return;
    }
    let d = &r.decree30;
    let _ = writeln!(
        o,
        "<h3 class=\"decree30\">{}: <span class=\"v {}\">{}</span></h3>\n<table class=\"kv\">",
        words::title(lang),
        decree30_class(d.status),
        words::conformity_text(d.status, lang)
    );
    if let Some(k) = d.kind {
        row(
            o,
            l(lang, "Loại văn bản", "Kind of document"),
            words::kind_text(k, lang),
        );
    }
    for p in &d.points {
        let cls = match p.status {
            kyso::decree30::Status::Met => "passed",
            kyso::decree30::Status::NotMet => "failed",
            kyso::decree30::Status::NotApplicable => "nosig",
            kyso::decree30::Status::CannotJudge => "indeterminate",
        };
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td><span class=\"v {cls}\">{}</span> {}</td></tr>",
            words::code_text(p.code, lang),
            words::status_text(p.status, lang),
            escape(&words::evidence_text(&p.evidence, lang))
        );
    }
    o.push_str("</table>\n");
}

/// Not-allowed changes over all signatures, each once.
fn disallowed(r: &Report) -> usize {
    r.signatures
        .iter()
        .flat_map(|s| &s.modifications)
        .filter(|m| !m.allowed)
        .map(|m| (m.revision, m.description.clone()))
        .collect::<std::collections::HashSet<_>>()
        .len()
}

/// A key/value row, the value escaped.
fn row(o: &mut String, key: &str, value: &str) {
    let _ = writeln!(o, "<tr><th>{key}</th><td>{}</td></tr>", escape(value));
}

fn file_section(o: &mut String, n: usize, item: &Item, lang: Lang) {
    let (cls, words) = verdict(item, lang);
    let _ = writeln!(
        o,
        "<section id=\"f{n}\">\n<h2>{n}. {}</h2>\n<p>{}: <span class=\"v {cls}\">{}</span></p>",
        escape(&item.file),
        l(lang, "Kết luận", "Verdict"),
        escape(&words),
    );
    match item.result {
        Err(e) => {
            let _ = writeln!(
                o,
                "<p>{}: {}</p>",
                l(lang, "Không đọc được tệp", "The file could not be read"),
                escape(e)
            );
        }
        Ok(r) => {
            let _ = writeln!(
                o,
                "<p class=\"meta\">ETSI: {} · {}: {} · {}: {} · {}: {}</p>",
                r.indication.as_str(),
                l(lang, "Số chữ ký", "Signatures"),
                r.signatures.len(),
                l(lang, "Số phiên bản", "Revisions"),
                r.revisions,
                l(lang, "Thời điểm kiểm tra", "Validated at"),
                escape(&date_str(&r.validation_time))
            );
            if r.signatures.is_empty() {
                let _ = writeln!(
                    o,
                    "<p>{}</p>",
                    l(
                        lang,
                        "Tệp không có chữ ký số.",
                        "The file has no digital signature."
                    )
                );
            }
            let bytes = picture_source(item, r);
            for (i, s) in r.signatures.iter().enumerate() {
                signature(o, i + 1, s, r.revocation_checked, lang);
                if let Some(bytes) = &bytes {
                    visual_pictures(o, bytes, s, lang);
                }
            }
            decree30_section(o, r, lang);
            for w in &r.warnings {
                let _ = writeln!(o, "<p>{}: {}</p>", l(lang, "Lưu ý", "Note"), escape(w));
            }
        }
    }
    o.push_str("</section>\n");
}

fn signature(o: &mut String, n: usize, s: &SignatureReport, checked_at_all: bool, lang: Lang) {
    let kind = if s.kind == "document-timestamp" {
        l(lang, "Dấu thời gian tài liệu", "Document time-stamp")
    } else {
        l(lang, "Chữ ký", "Signature")
    };
    let v = words::signature(s, checked_at_all, lang);
    let _ = writeln!(
        o,
        "<h3>[{n}] {kind} “{}”: <span class=\"v {}\">{}</span></h3>\n<table class=\"kv\">",
        escape(&s.field),
        v.tone.class(),
        escape(&v.label)
    );
    let etsi = match s.sub_indication {
        Some(sub) => format!("{} / {}", s.indication.as_str(), sub.as_str()),
        None => s.indication.as_str().to_string(),
    };
    row(o, l(lang, "Kết quả (ETSI)", "Result (ETSI)"), &etsi);
    let message = s
        .note
        .as_ref()
        .map(|n| kyso::text::notes::note(n, lang))
        .unwrap_or_else(|| s.message.clone());
    row(o, l(lang, "Giải thích", "Explanation"), &message);
    if let Some(signer) = &s.signer {
        row(
            o,
            l(lang, "Người ký", "Signer"),
            &signer
                .common_name
                .clone()
                .unwrap_or_else(|| name_of_dn(&signer.subject)),
        );
        if let Some(t) = &signer.title {
            row(o, l(lang, "Chức vụ", "Title"), t);
        }
        if let Some(org) = &signer.organization {
            row(o, l(lang, "Cơ quan", "Organization"), org);
        }
        row(
            o,
            l(lang, "Chủ thể chứng thư", "Certificate subject"),
            &signer.subject,
        );
        row(
            o,
            l(lang, "Tổ chức cấp (CA)", "Issued by (CA)"),
            &name_of_dn(&signer.issuer),
        );
        if name_of_dn(&signer.issuer) != signer.issuer {
            row(
                o,
                l(lang, "Tên đầy đủ tổ chức cấp", "Issuer DN"),
                &signer.issuer,
            );
        }
        row(
            o,
            l(lang, "Số hiệu chứng thư", "Serial number"),
            &signer.serial,
        );
        row(
            o,
            l(lang, "Hiệu lực chứng thư", "Certificate validity"),
            &format!(
                "{} → {}",
                date_str(&signer.not_before),
                date_str(&signer.not_after)
            ),
        );
    }
    if let Some(t) = &s.signing_time {
        row(o, l(lang, "Thời gian ký", "Signing time"), &date_str(t));
    }
    if let Some(f) = &s.role {
        row(
            o,
            l(lang, "Vai trò (NĐ 30/2020)", "Role (Decree 30/2020)"),
            &kyso::text::decree30::role_line(f, lang),
        );
    }
    if let Some(a) = &s.algorithm {
        row(o, l(lang, "Thuật toán", "Algorithm"), a);
    }
    if !s.level.is_empty() {
        row(o, l(lang, "Mức chữ ký", "Level"), &s.level);
    }
    for t in &s.timestamps {
        row(
            o,
            l(lang, "Dấu thời gian chữ ký", "Signature time-stamp"),
            &format!(
                "{} — {} ({})",
                date_str(&t.time),
                t.authority.as_deref().unwrap_or("?"),
                t.indication.as_str()
            ),
        );
    }
    if let Some(p) = &s.proof_of_existence {
        row(
            o,
            l(lang, "Chứng minh tồn tại lúc", "Proven to exist at"),
            &date_str(p),
        );
    }
    row(
        o,
        l(lang, "Toàn vẹn nội dung", "Integrity"),
        text::integrity_text(s, lang),
    );
    row(
        o,
        l(lang, "Phạm vi ký", "Coverage"),
        &text::coverage_text(s, lang),
    );
    row(
        o,
        l(lang, "Chuỗi tin cậy", "Trust"),
        &text::trust_text(s, lang),
    );
    if !s.certificates.is_empty() {
        let chain: Vec<String> = s
            .certificates
            .iter()
            .map(|c| text::short_name(&c.subject))
            .collect();
        row(
            o,
            l(lang, "Chuỗi chứng thư", "Certificate chain"),
            &chain.join(" → "),
        );
    }
    if let Some(v) = text::valid_at_signing_text(s, lang) {
        row(o, l(lang, "Hiệu lực lúc ký", "Valid at signing time"), v);
    }
    row(
        o,
        l(lang, "Tình trạng thu hồi", "Revocation status"),
        &text::revocation_text(s, lang),
    );
    if let Some(r) = &s.reason {
        row(o, l(lang, "Lý do", "Reason"), r);
    }
    if let Some(loc) = &s.location {
        row(o, l(lang, "Địa điểm", "Location"), loc);
    }
    if s.notes.is_empty() {
        for w in &s.warnings {
            row(o, l(lang, "Lưu ý", "Note"), w);
        }
    }
    for n in &s.notes {
        row(
            o,
            l(lang, "Lưu ý", "Note"),
            &kyso::text::notes::note(n, lang),
        );
    }
    // What changed after this signature (ISO 32000-1 §12.8.2: allowed or not).
    let changes = if s.modifications.is_empty() {
        escape(l(lang, "không có", "none"))
    } else {
        let mut list = String::from("<ul>");
        for m in &s.modifications {
            let mark = if m.allowed {
                l(lang, "được phép", "allowed").to_string()
            } else {
                format!(
                    "<span class=\"bad\">{}</span>",
                    l(lang, "KHÔNG ĐƯỢC PHÉP", "NOT ALLOWED")
                )
            };
            let _ = write!(
                list,
                "<li>[{mark}] {} ({} {})</li>",
                escape(&kyso::text::diff::describe(&m.what, lang)),
                l(lang, "phiên bản", "revision"),
                m.revision
            );
        }
        list.push_str("</ul>");
        list
    };
    let _ = writeln!(
        o,
        "<tr><th>{}</th><td>{changes}</td></tr>\n</table>",
        l(lang, "Thay đổi sau chữ ký", "Changes after it")
    );
}

/// The file's bytes, to draw the pictures of the visual check from (issue 14); none when the
/// file cannot be read again or is too large.
fn picture_source(item: &Item, r: &Report) -> Option<Vec<u8>> {
    if r.signatures.is_empty() {
        return None;
    }
    let path = Path::new(&item.file);
    let len = std::fs::metadata(path).ok()?.len();
    if len > kyso::visual::MAX_FILE {
        return None;
    }
    std::fs::read(path).ok()
}

/// Pixels per inch of the report's pictures (an A4 page is 330 × 468 pixels).
const PICTURE_DPI: f64 = 40.0;
/// Pages with a difference shown per signature at most.
const MAX_PICTURES: usize = 6;

/// The signed version's first page and every page with a difference (boxes outlined), inline.
fn visual_pictures(o: &mut String, bytes: &[u8], s: &SignatureReport, lang: Lang) {
    let pictures = kyso::visual::pictures(
        bytes,
        s.byte_range.as_deref(),
        s.visual.as_ref(),
        PICTURE_DPI,
        MAX_PICTURES,
    );
    if let Some(words) = text::visual_text(s, lang) {
        let _ = writeln!(
            o,
            "<p><b>{}:</b> {}</p>",
            l(lang, "So sánh hình ảnh", "Visual check"),
            escape(&words)
        );
    }
    if pictures.is_empty() {
        return;
    }
    o.push_str("<div class=\"pics\">");
    for p in &pictures {
        let caption = match p.kind {
            kyso::visual::PictureKind::Signed => format!(
                "{} — {} {}",
                l(lang, "Bản đã ký", "Signed version"),
                l(lang, "trang", "page"),
                p.page
            ),
            kyso::visual::PictureKind::Difference => format!(
                "{} {} — {}",
                l(lang, "Trang", "Page"),
                p.page,
                l(
                    lang,
                    "khác biệt (đỏ: ngoài ô được phép; cam: trong ô chữ ký/biểu mẫu được phép)",
                    "differences (red: outside allowed widgets; orange: inside allowed widgets)"
                )
            ),
        };
        let _ = write!(
            o,
            "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>",
            escape(&caption),
            Base64::encode_string(&p.png),
            escape(&caption)
        );
    }
    o.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script>&\"\u{7}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\u{FFFD}"
        );
        assert_eq!(escape("Ủy ban nhân dân"), "Ủy ban nhân dân");
    }

    #[test]
    fn unreadable_file_name_is_escaped() {
        let items = [Item {
            file: "<img src=x onerror=alert(1)>.pdf".into(),
            result: Err("not a <b>PDF</b>"),
        }];
        let html = render(&items, Lang::Vi, "now");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>PDF"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.pdf"));
        assert!(html.contains("KHÔNG ĐỌC ĐƯỢC"));
    }
}
