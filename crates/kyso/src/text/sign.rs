//! The words of signing and extending: [`SignWarning`]s and [`CertificateProblem`]s in
//! Vietnamese and English. The command line prints them after its "cảnh báo:" / "warning:";
//! the JSON carries the English text beside the stable code.

use super::Lang;
use crate::sign::warning::{CertificateProblem, OwnStatusNotChecked, SignWarning};

/// Why a certificate is not fit to sign with, in `lang`.
pub fn problem(p: &CertificateProblem, lang: Lang) -> String {
    match p {
        CertificateProblem::NotYetValid { from } => lang.pick(
            format!("chứng thư số chưa có hiệu lực (hiệu lực từ {from})"),
            format!("the certificate is not valid yet (valid from {from})"),
        ),
        CertificateProblem::Expired { on } => lang.pick(
            format!("chứng thư số đã hết hạn ngày {on}"),
            format!("the certificate expired on {on}"),
        ),
        CertificateProblem::KeyUsage => lang.pick(
            "mục đích sử dụng khóa (key usage) của chứng thư không cho phép ký số (digitalSignature, nonRepudiation)",
            "the certificate's key usage allows neither digitalSignature nor nonRepudiation",
        ),
        CertificateProblem::ExtendedKeyUsage { detail } => lang.pick(
            format!("chứng thư không dành cho ký văn bản: {detail}"),
            detail.clone(),
        ),
        CertificateProblem::KeyNotAcceptable { detail } => lang.pick(
            format!("khóa không được chấp nhận: {detail}"),
            format!("the key is not acceptable: {detail}"),
        ),
        CertificateProblem::DigestNotAllowed { digest } => lang.pick(
            format!("{digest} không còn được phép dùng cho chữ ký mới"),
            format!("{digest} is not allowed for new signatures"),
        ),
    }
}

/// A remark on a signing or an extension, in `lang`.
pub fn warning(w: &SignWarning, lang: Lang) -> String {
    match w {
        SignWarning::CertificateOverridden(p) => lang.pick(
            format!("vẫn ký dù {}", problem(p, lang)),
            format!("signed despite: {}", problem(p, lang)),
        ),
        SignWarning::Decree30(g) => super::decree30::guard_text(g, lang),
        SignWarning::PssNotApplicable => lang.pick(
            "PSS chỉ áp dụng cho khóa RSA; đã ký bằng ECDSA",
            "PSS applies to RSA keys only; signed with ECDSA",
        ),
        SignWarning::FetchFailed { detail } => lang.pick(
            format!("không tải được chứng thư của nơi cấp: {detail}"),
            format!("an issuer's certificate could not be downloaded: {detail}"),
        ),
        SignWarning::NoRevocationData { certificate } => lang.pick(
            format!("không nhúng được dữ liệu thu hồi cho {certificate}"),
            format!("no revocation data could be embedded for {certificate}"),
        ),
        SignWarning::ArchiveTimestampStillValid { until } => lang.pick(
            format!("dấu thời gian lưu trữ cuối cùng còn hiệu lực đến {until} (chứng thư của đơn vị cấp dấu thời gian); không cần thêm dấu mới"),
            format!("the last archive time-stamp stays valid until {until} (its TSA certificate); no new one was needed"),
        ),
        SignWarning::OwnCertificateRevoked { time, reason } => {
            let since = revoked_since(time, reason);
            lang.pick(
                format!("chứng thư ký số đã bị thu hồi{since}, vẫn ký"),
                format!("the signing certificate is revoked{since}; signed anyway"),
            )
        }
        SignWarning::OwnStatusUnknown { detail } => {
            let detail = detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            lang.pick(
                format!("không xác định được tình trạng thu hồi của chứng thư ký số{detail}"),
                format!("the signing certificate's revocation status could not be determined{detail}"),
            )
        }
        SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::Offline) => lang.pick(
            "chưa kiểm tra chứng thư ký số có bị thu hồi không (ngoại tuyến, không có danh sách thu hồi)",
            "the signing certificate was not checked for revocation (offline, and no CRL given)",
        ),
        SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::NoIssuer) => lang.pick(
            "chưa kiểm tra chứng thư ký số có bị thu hồi không (thiếu chứng thư của nơi cấp)",
            "the signing certificate was not checked for revocation (its issuer's certificate is missing)",
        ),
        SignWarning::OwnCertificateExpiresSoon { days, not_after } => lang.pick(
            format!("chứng thư ký số hết hạn sau {days} ngày ({not_after}); hãy xin cấp chứng thư mới"),
            format!("the signing certificate expires in {days} day(s) ({not_after}); ask for a new one"),
        ),
    }
}

/// Why signing with a revoked certificate is refused, in `lang`.
pub fn own_certificate_revoked(
    time: &Option<String>,
    reason: &Option<String>,
    lang: Lang,
) -> String {
    let since = revoked_since(time, reason);
    lang.pick(
        format!("không ký: chứng thư ký số đã bị thu hồi{since}; chữ ký sẽ không hợp lệ"),
        format!("not signed: the signing certificate is revoked{since}; the signature would not be valid"),
    )
}

/// " (time, reason)" of a revocation, or nothing.
fn revoked_since(time: &Option<String>, reason: &Option<String>) -> String {
    time.as_ref()
        .map(|t| {
            format!(
                " ({t}{})",
                reason
                    .as_ref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

// The English texts are the types' `Display` (in errors, logs and the JSON `warnings`). They
// live here, beside the other words, so that `sign` names nothing of `text`.

impl std::fmt::Display for SignWarning {
    /// The English text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&warning(self, Lang::En))
    }
}

impl std::fmt::Display for CertificateProblem {
    /// The English text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&problem(self, Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_warning_is_said_in_both_languages_with_its_facts() {
        let ws = [
            SignWarning::CertificateOverridden(CertificateProblem::Expired {
                on: "01/02/2026".into(),
            }),
            SignWarning::PssNotApplicable,
            SignWarning::NoRevocationData {
                certificate: "CN=A".into(),
            },
            SignWarning::ArchiveTimestampStillValid {
                until: "2030-01-01".into(),
            },
            SignWarning::OwnCertificateRevoked {
                time: Some("2026-01-01".into()),
                reason: Some("keyCompromise".into()),
            },
            SignWarning::OwnStatusUnknown { detail: None },
            SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::Offline),
            SignWarning::OwnCertificateExpiresSoon {
                days: 12,
                not_after: "31/12/2026".into(),
            },
        ];
        for w in &ws {
            let (vi, en) = (warning(w, Lang::Vi), warning(w, Lang::En));
            assert_ne!(vi, en, "{w:?}");
            assert!(!vi.is_empty() && !en.is_empty());
            assert!(
                !en.contains("--") && !vi.contains("--"),
                "{w:?} names a flag"
            );
            // A code is not words.
            assert!(!en.contains(w.code()), "{w:?}: {en}");
        }
        assert!(warning(&ws[0], Lang::En).contains("01/02/2026"));
        assert!(warning(&ws[4], Lang::Vi).contains("keyCompromise"));
        assert!(warning(&ws[7], Lang::Vi).contains("12 ngày"));
    }
}
