//! Every [`Error`] in words: the kind translated, the technical detail (a URL, a path, what a
//! library said) kept after it, unchanged — so a Vietnamese sentence never starts with raw
//! library or network text. English is the error's own `Display`.

use std::path::Path;

use super::Lang;
use crate::error::{CscFailure, Error, NetFailure, OcspFailure};

/// The error in `lang`: `<kind>: <detail>`.
pub fn error_text(e: &Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        Error::Io { path, source } => io_text(path, source, lang),
        Error::NotPdf(d) => format!("không phải tệp PDF: {d}"),
        Error::MalformedPdf(d) => format!("tệp PDF bị hỏng: {d}"),
        Error::UnsupportedPdf(d) => format!("tệp PDF có tính năng kyso chưa hỗ trợ: {d}"),
        Error::PdfPassword(d) => format!("tệp PDF được mã hóa, mật khẩu không mở được: {d}"),
        Error::Asn1(d) => format!("dữ liệu ASN.1 sai cấu trúc: {d}"),
        Error::Certificate(d) => format!("chứng thư số sai cấu trúc: {d}"),
        Error::Cms(d) => format!("chữ ký CMS sai cấu trúc: {d}"),
        Error::UnsupportedAlgorithm(d) => format!("thuật toán không được hỗ trợ: {d}"),
        Error::WrongPassword => "sai mật khẩu tệp khóa (hoặc tệp bị hỏng)".to_string(),
        Error::Key(d) => format!("tệp khóa: {d}"),
        Error::Pin(d) => format!("mã PIN của thiết bị ký (token): {d}"),
        Error::Token(d) => format!("thiết bị ký (token): {d}"),
        Error::Crypto(d) => format!("thao tác mật mã không thành công: {d}"),
        Error::CertificateNotAcceptable(d) => {
            format!("chứng thư số của người ký không dùng được: {d}")
        }
        Error::Output(d) => format!("tệp kết quả: {d}"),
        Error::Decree30(guards) => guards
            .iter()
            .map(|g| crate::text::decree30::guard_text(g, lang))
            .collect::<Vec<_>>()
            .join("; "),
        Error::InvalidArgument(d) => format!("tham số không hợp lệ: {d}"),
        Error::Needs { need, detail } => format!("{}: {detail}", need_text(*need, lang)),
        Error::Network { kind, detail } => {
            format!("lỗi mạng, {}: {detail}", net_failure_text(*kind, lang))
        }
        Error::Ocsp { kind, detail } => format!("{}: {detail}", ocsp_failure_text(*kind, lang)),
        Error::Timestamp(d) => format!("không lấy được dấu thời gian hợp lệ: {d}"),
        Error::TimestampUnreachable { kind, detail } => format!(
            "không kết nối được máy chủ cấp dấu thời gian ({}): {detail}",
            net_failure_text(*kind, lang)
        ),
        Error::Csc { kind, detail, .. } => format!("{}: {detail}", csc_failure_text(*kind, lang)),
        // `Error` is non-exhaustive: a variant added later still says something, in English,
        // marked as such rather than passed off as translated.
        #[allow(unreachable_patterns)]
        other => format!("lỗi (chưa dịch): {other}"),
    }
}

/// What an operation needs from its caller, as a phrase (the detail follows it).
pub fn need_text(need: crate::error::Need, lang: Lang) -> String {
    use crate::error::Need as N;
    let (vi, en) = match need {
        N::TimestampAuthority => (
            "cần máy chủ cấp dấu thời gian",
            "a time-stamp authority is needed",
        ),
        N::DistinctOutput => ("tệp kết quả trùng tệp đầu vào", "the output is the input"),
        N::LargerReserve { .. } => (
            "cần dành thêm chỗ cho dấu thời gian",
            "more room is needed for the time-stamp",
        ),
        N::OtherFieldName => (
            "cần tên trường chữ ký khác",
            "another signature field name is needed",
        ),
        N::TokenChoice | N::SlotChoice => {
            ("cần chọn thiết bị ký (token)", "a token must be chosen")
        }
        N::KeyChoice | N::KeyIdChoice => ("cần chọn khóa trên thiết bị ký", "a key must be chosen"),
        N::TsaCredentials => (
            "máy chủ cấp dấu thời gian đòi thông tin đăng nhập",
            "the time-stamp authority asks for credentials",
        ),
        N::Image => ("cần hình ảnh chữ ký hoặc con dấu", "a picture is needed"),
        N::Placement => (
            "cần chỉ định vị trí đặt chữ ký",
            "the signature's place is needed",
        ),
        N::DocumentNumber => (
            "cần số và ký hiệu của văn bản",
            "the document's number is needed",
        ),
        N::Agency => ("cần tên cơ quan", "the agency's name is needed"),
        #[allow(unreachable_patterns)]
        _ => ("thiếu thông tin cần thiết", "something is needed"),
    };
    lang.pick(vi, en)
}

/// A file error in `lang`: `<path>: <what happened> (<the system's words>)`.
pub fn io_text(path: &Path, e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let path = path.display();
    if lang == Lang::En {
        return format!("{path}: {e}");
    }
    let kind = match e.kind() {
        K::NotFound => "không tìm thấy tệp hoặc thư mục",
        K::PermissionDenied => "không có quyền truy cập",
        K::AlreadyExists => "đã tồn tại",
        K::IsADirectory => "là một thư mục, không phải tệp",
        K::NotADirectory => "không phải thư mục",
        K::StorageFull => "ổ đĩa đã đầy",
        K::ReadOnlyFilesystem => "ổ đĩa chỉ cho đọc",
        K::InvalidData | K::InvalidInput => "dữ liệu không hợp lệ",
        K::UnexpectedEof => "tệp kết thúc đột ngột",
        K::Interrupted => "bị ngắt",
        _ => "lỗi đọc/ghi",
    };
    format!("{path}: {kind} ({e})")
}

/// How a network request failed, as a phrase.
pub fn net_failure_text(kind: NetFailure, lang: Lang) -> String {
    let (vi, en) = match kind {
        NetFailure::Timeout => ("máy chủ không trả lời kịp", "timeout"),
        NetFailure::Dns => ("không tìm thấy tên máy chủ", "host not found"),
        NetFailure::Refused => ("máy chủ từ chối kết nối", "connection refused"),
        NetFailure::Tls => ("lỗi kết nối bảo mật TLS", "TLS failure"),
        NetFailure::HttpStatus => ("máy chủ trả lời lỗi HTTP", "HTTP error"),
        NetFailure::TooLarge => ("câu trả lời quá lớn", "answer too large"),
        NetFailure::Redirect => ("chuyển hướng không được theo", "redirect not followed"),
        NetFailure::Offline => ("đang tắt truy cập mạng", "offline"),
        NetFailure::UnsupportedUrl => ("địa chỉ không được hỗ trợ", "unsupported URL"),
        NetFailure::BudgetSpent => (
            "đã hết số lượt hoặc thời gian truy cập mạng cho phép",
            "request budget spent",
        ),
        NetFailure::Other => ("lỗi kết nối mạng", "network failure"),
        #[allow(unreachable_patterns)]
        _ => ("lỗi kết nối mạng", "network failure"),
    };
    lang.pick(vi, en)
}

/// Why an OCSP check gave no usable answer, as a phrase.
pub fn ocsp_failure_text(kind: OcspFailure, lang: Lang) -> String {
    if lang == Lang::En {
        return kind.to_string();
    }
    match kind {
        OcspFailure::NoResponder => "chứng thư không ghi máy chủ OCSP",
        OcspFailure::Unreachable => "không kết nối được máy chủ OCSP",
        OcspFailure::ResponderError => "máy chủ OCSP báo lỗi",
        OcspFailure::Malformed => "câu trả lời OCSP sai cấu trúc",
        OcspFailure::BadSignature => "chữ ký trên câu trả lời OCSP không đúng",
        OcspFailure::UnauthorisedResponder => "máy chủ OCSP không được ủy quyền",
        OcspFailure::CertIdMismatch => "câu trả lời OCSP nói về chứng thư khác",
        OcspFailure::Stale => "câu trả lời OCSP đã cũ",
        OcspFailure::NotYetValid => "câu trả lời OCSP chưa có hiệu lực",
        OcspFailure::NonceMismatch => "số nonce OCSP không khớp",
        OcspFailure::WeakKey => "khóa của máy chủ OCSP quá yếu",
    }
    .to_string()
}

/// Why a remote signing service gave no usable answer, as a phrase.
pub fn csc_failure_text(kind: CscFailure, lang: Lang) -> String {
    if lang == Lang::En {
        return kind.to_string();
    }
    match kind {
        CscFailure::Unreachable => "không kết nối được dịch vụ ký từ xa",
        CscFailure::Http => "dịch vụ ký từ xa báo lỗi",
        CscFailure::WrongPin => "sai mã PIN của chứng thư ký từ xa",
        CscFailure::WrongOtp => "mã OTP sai hoặc đã hết hạn",
        CscFailure::CredentialNotFound => "không tìm thấy chứng thư ký từ xa",
        CscFailure::AccessDenied => "dịch vụ ký từ xa từ chối mã truy cập",
        CscFailure::Malformed => "câu trả lời của dịch vụ ký từ xa sai cấu trúc",
        CscFailure::BadSignature => "chữ ký dịch vụ ký từ xa trả về không đúng",
        CscFailure::Unusable => "chứng thư ký từ xa không dùng được",
    }
    .to_string()
}

/// "lỗi" / "error": the word before an error on the terminal.
pub fn error_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "lỗi",
        Lang::En => "error",
    }
}

/// "cảnh báo" / "warning": the word before a warning on the terminal.
pub fn warning_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "cảnh báo",
        Lang::En => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_starts_with_the_translated_kind_and_keeps_the_detail() {
        let e = Error::Network {
            kind: NetFailure::Refused,
            detail: "http://127.0.0.1:9/: connection refused".into(),
        };
        let vi = error_text(&e, Lang::Vi);
        assert!(
            vi.starts_with("lỗi mạng, máy chủ từ chối kết nối: "),
            "{vi}"
        );
        assert!(
            vi.ends_with("http://127.0.0.1:9/: connection refused"),
            "{vi}"
        );
        assert_eq!(error_text(&e, Lang::En), e.to_string());
        let io = Error::io(
            "/x/a.pdf",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        let vi = error_text(&io, Lang::Vi);
        assert!(vi.starts_with("/x/a.pdf: không tìm thấy tệp"), "{vi}");
        let ocsp = Error::Ocsp {
            kind: OcspFailure::Unreachable,
            detail: "http://o/: timeout".into(),
        };
        assert!(error_text(&ocsp, Lang::Vi).starts_with("không kết nối được máy chủ OCSP: "));
    }

    #[test]
    fn every_kind_has_vietnamese_words() {
        for k in [
            NetFailure::Timeout,
            NetFailure::Dns,
            NetFailure::Refused,
            NetFailure::Tls,
            NetFailure::HttpStatus,
            NetFailure::TooLarge,
            NetFailure::Redirect,
            NetFailure::Offline,
            NetFailure::UnsupportedUrl,
            NetFailure::BudgetSpent,
            NetFailure::Other,
        ] {
            let (vi, en) = (net_failure_text(k, Lang::Vi), net_failure_text(k, Lang::En));
            assert_ne!(vi, en, "{k:?}");
            assert_eq!(en, k.to_string());
        }
    }
}
