//! Verification findings ([`Note`]) in Vietnamese or English: the reasons and warnings of the
//! report, and of `message`/`warnings` in its JSON.

use super::{date, Lang};
use crate::verify::note::Note;

/// The finding in `lang`.
pub fn note(n: &Note, lang: Lang) -> String {
    let (vi, en): (String, String) = match n {
        Note::NoByteRange => (
            "Chữ ký không có /ByteRange hợp lệ.".into(),
            "The signature has no valid /ByteRange.".into(),
        ),
        Note::ByteRangeCount { count } => (
            format!("/ByteRange có {count} số thay vì 4 (hai đoạn)."),
            format!("/ByteRange has {count} numbers instead of 4 (two ranges)."),
        ),
        Note::ByteRangeNegative => (
            "/ByteRange có số âm.".into(),
            "/ByteRange has a negative number.".into(),
        ),
        Note::ByteRangeNotFromStart => (
            "Đoạn ký đầu tiên không bắt đầu từ đầu tệp.".into(),
            "The first signed range does not start at the beginning of the file.".into(),
        ),
        Note::ByteRangeOutsideFile { file_len } => (
            format!("/ByteRange trỏ ra ngoài tệp ({file_len} byte) hoặc các đoạn chồng lên nhau."),
            format!("/ByteRange points outside the file ({file_len} bytes) or its ranges overlap."),
        ),
        Note::ByteRangeGapNotContents => (
            "Khoảng trống giữa hai đoạn ký không đúng là chuỗi /Contents của chữ ký này: phần ngoài chữ ký không được bảo vệ.".into(),
            "The gap between the signed ranges is not exactly this signature's /Contents string: bytes outside the signature are unprotected.".into(),
        ),
        Note::ContentsNotLocated { detail } => (
            format!("Không xác định được vị trí /Contents: {detail}"),
            format!("Cannot locate /Contents: {detail}"),
        ),
        Note::SignedPartNotAtRevisionEnd => (
            "Phần đã ký không kết thúc ở cuối một phiên bản của tệp (%%EOF): phạm vi ký bất thường.".into(),
            "The signed part does not end at the end of a revision of the file (%%EOF): anomalous coverage.".into(),
        ),
        Note::StructureInGap { detail } => (
            format!("Cấu trúc tệp nằm trong vùng không được ký của một chữ ký: {detail}."),
            format!("File structure lies in the unsigned gap of a signature: {detail}."),
        ),
        Note::ContentsNotHex => (
            "/Contents của chữ ký không phải là chuỗi thập lục phân.".into(),
            "The signature's /Contents is not a hexadecimal string.".into(),
        ),
        Note::DataAfterSignature { bytes } => (
            format!("Sau chữ ký CMS trong /Contents còn {bytes} byte dữ liệu không phải số 0 (không được ký)."),
            format!("{bytes} bytes of non-zero data follow the CMS signature in /Contents (unsigned)."),
        ),
        Note::CmsUnreadable { error } => (
            format!("Chữ ký CMS không đọc được: {error}"),
            format!("The CMS signature cannot be read: {error}"),
        ),
        Note::SignerInfoCount { count } => (
            format!("Chữ ký CMS có {count} SignerInfo; chữ ký PDF phải có đúng một."),
            format!("The CMS has {count} SignerInfos; a PDF signature must have exactly one."),
        ),
        Note::SubFilterNotUnderstood { sub_filter: None } => (
            "Từ điển chữ ký không ghi kiểu mã hoá chữ ký (/SubFilter): không kiểm tra được.".into(),
            "The signature dictionary names no signature encoding (/SubFilter): it cannot be checked."
                .into(),
        ),
        Note::SubFilterNotUnderstood {
            sub_filter: Some(f),
        } => (
            format!("Kiểu mã hoá chữ ký /{f} không được hỗ trợ: không kiểm tra được."),
            format!("The signature encoding /{f} is not one kyso verifies: it cannot be checked."),
        ),
        Note::DetachedWithContent => (
            "Chữ ký tách rời (detached) nhưng CMS lại chứa nội dung đóng gói.".into(),
            "A detached signature whose CMS carries encapsulated content.".into(),
        ),
        Note::TimestampWithoutTstInfo => (
            "Dấu thời gian không chứa TSTInfo.".into(),
            "The time-stamp token has no TSTInfo.".into(),
        ),
        // The detail comes from the PDF/CMS layer and is kept as it is.
        Note::SignedBytesUnreadable { error } => (error.clone(), error.clone()),
        Note::ContentTypeWrong => (
            "Thuộc tính content-type thiếu hoặc sai.".into(),
            "The content-type attribute is missing or wrong.".into(),
        ),
        Note::SignedAttributesMissing { sub_filter } => (
            format!("Chữ ký {sub_filter} không có thuộc tính ký (signed attributes) mà chuẩn PAdES/CAdES bắt buộc."),
            format!("The {sub_filter} signature has no signed attributes, which PAdES/CAdES require."),
        ),
        Note::MessageDigestMissing => (
            "Chữ ký thiếu thuộc tính message-digest (RFC 5652 §11.2): không có gì gắn chữ ký với nội dung đã ký.".into(),
            "The signature lacks the message-digest attribute (RFC 5652 §11.2): nothing binds it to the signed content.".into(),
        ),
        Note::CertificationNotFirst => (
            "Chữ ký chứng nhận (DocMDP) không phải là chữ ký đầu tiên của tài liệu.".into(),
            "The certification (DocMDP) signature is not the document's first signature.".into(),
        ),
        Note::UnsupportedDigest { oid } => (
            format!("Thuật toán băm không được hỗ trợ: {oid}"),
            format!("Unsupported digest algorithm: {oid}"),
        ),
        Note::ContentHashMismatch => (
            "Nội dung đã bị thay đổi sau khi ký: giá trị băm không khớp.".into(),
            "The content was changed after signing: the hash does not match.".into(),
        ),
        Note::MessageDigestMismatch => (
            "Nội dung đã bị thay đổi sau khi ký: giá trị băm (message-digest) không khớp với phần đã ký.".into(),
            "The content was changed after signing: the message digest does not match the signed bytes.".into(),
        ),
        Note::UnsupportedSignatureAlgorithm { detail } => (
            format!("Thuật toán chữ ký không được hỗ trợ: {detail}"),
            format!("Unsupported signature algorithm: {detail}"),
        ),
        Note::SignatureValueInvalid { detail } => (
            format!("Giá trị chữ ký không hợp lệ với khóa công khai của người ký ({detail})."),
            format!("The signature value does not verify with the signer's public key ({detail})."),
        ),
        Note::Sha1Forbidden => (
            "Chữ ký dùng SHA-1, không được chấp nhận theo Thông tư 15/2025/TT-BKHCN.".into(),
            "The signature uses SHA-1, which Circular 15/2025/TT-BKHCN does not accept.".into(),
        ),
        Note::DigestAlgorithmMismatch { named, digest } => (
            format!("Thuật toán chữ ký dùng {named} nhưng thuật toán băm của chữ ký (digestAlgorithm) là {digest}: hai thuật toán phải trùng nhau."),
            format!("The signature algorithm uses {named} but the signature's digestAlgorithm is {digest}: they must be the same."),
        ),
        Note::WeakRsaKey { bits } => (
            format!("Khóa RSA {bits} bit, dưới mức 2048 bit mà Thông tư 15/2025 yêu cầu."),
            format!("RSA key of {bits} bits, below the 2048 bits Circular 15/2025 requires."),
        ),
        Note::MalformedCertificate => (
            "Chữ ký chứa chứng thư số mã hóa sai (không đúng DER), không xác định được người ký.".into(),
            "The signature carries a malformed (non-DER) certificate; the signer cannot be identified.".into(),
        ),
        Note::SignerCertificateMissing => (
            "Không tìm thấy chứng thư số của người ký trong chữ ký.".into(),
            "The signer's certificate is not in the signature.".into(),
        ),
        Note::SigningCertificateMismatch { detail } => (
            format!("Thuộc tính signing-certificate không khớp với chứng thư của người ký: {detail}"),
            format!("The signing-certificate attribute does not match the signer's certificate: {detail}"),
        ),
        Note::SigningCertificateNotBound => (
            "Chữ ký PAdES thiếu thuộc tính signing-certificate-v2: chứng thư số của người ký không được gắn vào chữ ký.".into(),
            "The PAdES signature lacks the signing-certificate-v2 attribute: the signer's certificate is not bound to the signature.".into(),
        ),
        Note::SignerCertificateAmbiguous { names } => {
            let n = names.len();
            let names = names.join("; ");
            (
                format!("Không xác định được chứng thư số của người ký: chữ ký không có thuộc tính signing-certificate và {n} chứng thư trong chữ ký/DSS cùng mang khóa của người ký ({names})."),
                format!("The signer's certificate is ambiguous: the signature has no signing-certificate attribute and {n} certificates in the signature/DSS carry the signer's key ({names})."),
            )
        }
        Note::NoTrustAnchorConfigured => (
            "Chữ ký toàn vẹn nhưng chưa xác định được độ tin cậy: chưa có chứng thư gốc tin cậy (--trust hoặc kyso trust add).".into(),
            "The signature is intact but its trust is unknown: no trust anchor is configured (--trust or kyso trust add).".into(),
        ),
        Note::NoChainToAnchor { detail, untrusted_root: None } => (
            format!("Chữ ký toàn vẹn nhưng không xây dựng được chuỗi chứng thư tới chứng thư gốc tin cậy ({detail})."),
            format!("The signature is intact but no certificate chain reaches a trust anchor ({detail})."),
        ),
        Note::NoChainToAnchor { detail, untrusted_root: Some(root) } => (
            format!("Chữ ký toàn vẹn nhưng chuỗi chứng thư kết thúc ở chứng thư gốc «{root}» không tin cậy; không xây dựng được chuỗi chứng thư tới chứng thư gốc tin cậy ({detail})."),
            format!("The signature is intact but its chain ends at the untrusted root «{root}»; no certificate chain reaches a trust anchor ({detail})."),
        ),
        Note::ForgedRoot { root } => (
            format!("Chuỗi chứng thư mang tên chứng thư gốc tin cậy «{root}» nhưng không được khóa của chứng thư gốc đó ký (chứng thư gốc giả mạo)."),
            format!("The chain names the trusted root «{root}» as issuer but that root's key did not sign it (a look-alike root)."),
        ),
        Note::ChainOutOfValidity { detail } => path_failure(
            format!("Chứng thư trong chuỗi không còn hiệu lực tại thời điểm kiểm tra và không có dấu thời gian chứng minh chữ ký có trước ({detail})."),
            detail,
        ),
        Note::CaRevoked { at } => {
            let when = at.map(date).unwrap_or_default();
            (
                format!("Chứng thư của tổ chức cấp trong chuỗi đã bị thu hồi ({when})."),
                format!("A CA certificate of the chain was revoked ({when})."),
            )
        }
        Note::SignerRevokedBeforeSigning { at } => {
            let when = at.map(date).unwrap_or_default();
            (
                format!("Chứng thư số của người ký đã bị thu hồi ({when}) trước thời điểm ký."),
                format!("The signer's certificate was revoked ({when}) before the signing time."),
            )
        }
        Note::SignerRevokedNoPoe { at } => {
            let when = at.map(date).unwrap_or_default();
            (
                format!("Chứng thư số của người ký đã bị thu hồi ({when}); không có dấu thời gian chứng minh chữ ký có trước đó."),
                format!("The signer's certificate was revoked ({when}) and no time-stamp proves the signature existed before."),
            )
        }
        Note::ChainRevocationUnknown { detail } => path_failure(
            format!("Không kiểm tra được tình trạng thu hồi ({detail})."),
            detail,
        ),
        Note::ChainAlgorithmNotAllowed { detail } => path_failure(
            format!("Thuật toán hoặc độ dài khóa trong chuỗi chứng thư không được chấp nhận ({detail})."),
            detail,
        ),
        Note::SignerKeyUsage { detail } => path_failure(
            format!("Chứng thư số của người ký không dùng để ký số (keyUsage) ({detail})."),
            detail,
        ),
        Note::ChainSignatureInvalid { detail } => path_failure(
            format!("Chữ ký trên một chứng thư của chuỗi không hợp lệ ({detail})."),
            detail,
        ),
        Note::ChainConstraints { detail } => path_failure(
            format!("Chuỗi chứng thư không thỏa các ràng buộc của RFC 5280 ({detail})."),
            detail,
        ),
        Note::RevokedAfterProof { subject, revoked_at, proven } => (
            format!("Chứng thư {subject} bị thu hồi ({revoked_at}) sau thời điểm dấu thời gian chứng minh chữ ký đã tồn tại ({}).", date(*proven)),
            format!("{subject} was revoked ({revoked_at}) after the time a time-stamp proves the signature existed ({}).", date(*proven)),
        ),
        Note::SignerRevocationUnknown { detail } => {
            let why = detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            (
                format!("Không kiểm tra được tình trạng thu hồi của chứng thư số người ký (không có OCSP/CRL dùng được){why}. Cần kiểm tra lại khi có mạng hoặc dữ liệu thu hồi."),
                format!("The revocation status of the signer's certificate could not be checked (no usable OCSP or CRL){why}. Check again when online or with revocation data."),
            )
        }
        Note::CaRevocationUnknown { subject } => (
            format!("Không xác định được tình trạng thu hồi của chứng thư tổ chức cấp {subject} (không có OCSP/CRL dùng được). Cần dữ liệu thu hồi, hoặc --accept-unknown-ca-status nếu chấp nhận rủi ro."),
            format!("The revocation status of the CA certificate {subject} cannot be determined (no usable OCSP or CRL). Provide revocation data, or --accept-unknown-ca-status to accept the risk."),
        ),
        Note::CaRevocationUnknownAccepted { subject } => (
            format!("Không kiểm tra được tình trạng thu hồi của chứng thư {subject}; được chấp nhận theo yêu cầu (--accept-unknown-ca-status)."),
            format!("The revocation status of {subject} could not be checked; accepted on request (--accept-unknown-ca-status)."),
        ),
        Note::RevocationOff => (
            "Không kiểm tra tình trạng thu hồi (đã tắt theo yêu cầu).".into(),
            "Revocation status was not checked (turned off on request).".into(),
        ),
        Note::InvisibleCharacters { name } => (
            format!("Tên chứng thư «{name}» chứa ký tự vô hình (ký tự độ rộng bằng 0, gạch nối mềm hoặc ký tự định dạng): có thể giả dạng một tên khác."),
            format!("The certificate name «{name}» contains invisible characters (zero-width, soft hyphen or format characters): it may imitate another name."),
        ),
        Note::FetchFailed { detail } => (
            format!("Không tải được: {detail}"),
            detail.clone(),
        ),
        Note::SignerCertificateOutOfBounds { not_before, not_after } => (
            format!(
                "Chứng thư số của người ký không còn hiệu lực tại thời điểm kiểm tra (hiệu lực {} – {}) và không có dấu thời gian chứng minh chữ ký có trước.",
                date(*not_before),
                date(*not_after)
            ),
            format!(
                "The signer's certificate is not valid at the validation time (valid {} – {}) and no time-stamp proves the signature existed earlier.",
                date(*not_before),
                date(*not_after)
            ),
        ),
        Note::PastValidation { at } => (
            format!(
                "Chứng thư được kiểm tra tại thời điểm {} mà dấu thời gian chứng minh chữ ký đã tồn tại (kiểm tra chữ ký trong quá khứ, ETSI EN 319 102-1 §5.6.2.4).",
                date(*at)
            ),
            format!(
                "The certificate was validated at {}, when a time-stamp proves the signature existed (past signature validation, ETSI EN 319 102-1 §5.6.2.4).",
                date(*at)
            ),
        ),
        Note::TimestampUnreadable { error } => (
            format!("Dấu thời gian không đọc được: {error}"),
            format!("The time-stamp cannot be read: {error}"),
        ),
        Note::TimestampInvalid { why } => (
            format!("Dấu thời gian không hợp lệ: {why}."),
            format!("The time-stamp is not valid: {why}."),
        ),
        Note::TimestampProblem { detail } => (detail.clone(), detail.clone()),
        Note::TimestampUntrusted { authority, why } => (
            format!("Dấu thời gian của {authority} chưa tin cậy được: {}", note(why, Lang::Vi)),
            format!("The time-stamp by {authority} cannot be trusted: {}", note(why, Lang::En)),
        ),
        Note::TimestampValid { authority, time } => (
            format!("Dấu thời gian hợp lệ: {authority} chứng nhận thời điểm {}.", date(*time)),
            format!("Valid time-stamp: {authority} attests the time {}.", date(*time)),
        ),
        Note::TimestampInFuture { authority, claimed, validation_time } => (
            format!("Dấu thời gian của {authority} ghi thời điểm {}, sau thời điểm kiểm tra {}: không được dùng.", date(*claimed), date(*validation_time)),
            format!("The time-stamp by {authority} claims {}, after the validation time {}: not used.", date(*claimed), date(*validation_time)),
        ),
        Note::TimestampOutsideTsaValidity { authority, claimed, not_before, not_after } => (
            format!("Dấu thời gian của {authority} ghi thời điểm {}, ngoài thời hạn hiệu lực của chứng thư TSA ({} – {}): không được dùng.", date(*claimed), date(*not_before), date(*not_after)),
            format!("The time-stamp by {authority} claims {}, outside its TSA certificate's validity ({} – {}): not used.", date(*claimed), date(*not_before), date(*not_after)),
        ),
        Note::TsaRevocationStaleAccepted => (
            "Dữ liệu thu hồi của TSA đã cũ so với thời điểm kiểm tra nhưng được phát hành sau dấu thời gian; được chấp nhận vì chứng thư TSA còn hiệu lực.".into(),
            "The TSA's revocation data is older than the validation time but was issued after the time-stamp; accepted while the TSA certificate is valid.".into(),
        ),
        Note::DisallowedModification { what } => (
            format!(
                "Sau chữ ký này, tài liệu đã bị thay đổi theo cách không được phép: {}.",
                super::diff::describe(what, Lang::Vi)
            ),
            format!(
                "After this signature the document was changed in a way that is not allowed: {}.",
                super::diff::describe(what, Lang::En)
            ),
        ),
        Note::ChangesNotAnalysed { error } => (
            format!("Không phân tích được các thay đổi sau chữ ký: {error}"),
            format!("The changes after the signature cannot be analysed: {error}"),
        ),
        Note::DocMdpUnreadable { error } => (
            format!("Không đọc được quyền thay đổi (DocMDP /P) của chữ ký chứng nhận; các thay đổi sau đó chỉ được phép nếu quyền ấy rộng hơn mức chặt nhất: {error}"),
            format!("The certification's change permissions (DocMDP /P) cannot be read; the changes after it are allowed only under a more permissive /P than the strictest: {error}"),
        ),
        Note::FieldLockUnreadable { error } => (
            format!("Không đọc được khóa trường (FieldMDP) của chữ ký; mọi trường được coi là đã khóa: {error}"),
            format!("The signature's field lock (FieldMDP) cannot be read; every field is taken as locked: {error}"),
        ),
        Note::FileRepaired {
            repair: crate::pdf::xref::Repair::XrefOffsetWrong { offset, used },
        } => (
            format!("Vị trí bảng tham chiếu chéo {offset} bị sai; đã dùng bảng tại {used}."),
            format!("Cross-reference offset {offset} is wrong; used the section at {used}."),
        ),
        Note::FileRepaired {
            repair: crate::pdf::xref::Repair::OffsetsShifted { revision, delta },
        } => (
            format!("Mọi vị trí trong bảng tham chiếu chéo của phiên bản {revision} lệch {delta} byte; từng đối tượng được tìm thấy tại vị trí đã hiệu chỉnh."),
            format!("The cross-reference offsets of revision {revision} are all off by {delta} bytes; each object was found, alone, where the shift puts it."),
        ),
        Note::CmsProblem { detail } => (detail.clone(), detail.clone()),
        Note::VisibleDifference { page, rect: r } => (
            format!(
                "Nội dung hiển thị đã thay đổi sau chữ ký này: trang {page}, vùng ({:.0}, {:.0})–({:.0}, {:.0}) pt, ngoài ô chữ ký/ô biểu mẫu được phép thêm.",
                r[0], r[1], r[2], r[3]
            ),
            format!(
                "What the document shows changed after this signature: page {page}, region ({:.0}, {:.0})–({:.0}, {:.0}) pt, outside the widgets later revisions were allowed to add.",
                r[0], r[1], r[2], r[3]
            ),
        ),
        Note::PageAdded { page } => (
            format!("Sau chữ ký này, trang {page} đã được thêm vào tài liệu."),
            format!("After this signature, page {page} was added to the document."),
        ),
        Note::PageRemoved { page } => (
            format!("Sau chữ ký này, trang {page} đã bị xóa khỏi tài liệu."),
            format!("After this signature, page {page} was removed from the document."),
        ),
        Note::VisualCheckError { detail } => (
            format!("Không so sánh được hình ảnh bản đã ký với tệp hiện tại: {detail}."),
            format!("The signed version and the current file could not be compared as pictures: {detail}."),
        ),
        Note::VisualNotPerformedEncrypted => (
            "Không thực hiện so sánh hình ảnh (tệp được mã hóa).".into(),
            "Visual comparison not performed (the file is encrypted).".into(),
        ),
        Note::VisualNotPerformedTooLarge => (
            "Không thực hiện so sánh hình ảnh (tệp quá lớn).".into(),
            "Visual comparison not performed (the file is too large).".into(),
        ),
        Note::VisualPagesNotCompared { max_pages, pages } => {
            let list = pages
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("So sánh hình ảnh giới hạn ở {max_pages} trang; các trang không được so sánh: {list}."),
                format!("The visual comparison is limited to {max_pages} pages; pages not compared: {list}."),
            )
        }
        Note::NotWholeFile { revisions_after, bytes_after } => (
            format!("Chữ ký không bao trùm toàn bộ tệp: sau phần đã ký còn {revisions_after} phiên bản cập nhật ({bytes_after} byte)."),
            format!("The signature does not cover the whole file: {revisions_after} later revision(s) ({bytes_after} bytes) follow the signed part."),
        ),
        Note::SignatureValid => (
            "Chữ ký hợp lệ: nội dung đã ký toàn vẹn, chứng thư số của người ký tin cậy.".into(),
            "The signature is valid: the signed content is intact and the signer's certificate is trusted.".into(),
        ),
        Note::DocumentTimestampValid => (
            "Dấu thời gian tài liệu hợp lệ và tin cậy.".into(),
            "The document time-stamp is valid and trusted.".into(),
        ),
    };
    lang.pick(vi, en)
}

/// RFC 5280 path validation failures other than "no path": the English keeps the validator's
/// own words.
fn path_failure(vi: String, detail: &str) -> (String, String) {
    (vi, format!("Certificate path validation failed: {detail}."))
}

/// The finding in English (library errors, logs, tests).
pub fn english(n: &Note) -> String {
    note(n, Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn findings_are_said_in_both_languages_with_their_facts() {
        let page = Note::VisibleDifference {
            page: 3,
            rect: [10.0, 20.0, 30.4, 40.6],
        };
        assert_eq!(
            note(&page, Lang::Vi),
            "Nội dung hiển thị đã thay đổi sau chữ ký này: trang 3, vùng (10, 20)–(30, 41) pt, ngoài ô chữ ký/ô biểu mẫu được phép thêm."
        );
        assert!(note(&page, Lang::En)
            .starts_with("What the document shows changed after this signature: page 3,"));
        assert_eq!(page.code(), "VISIBLE_DIFFERENCE");

        let revoked = Note::SignerRevokedBeforeSigning {
            at: Some(datetime!(2026-01-02 03:04:05 UTC)),
        };
        assert!(note(&revoked, Lang::Vi).contains("(02/01/2026 10:04:05 (+07:00))"));
        assert!(
            note(&revoked, Lang::En).contains("was revoked (02/01/2026 10:04:05 (+07:00)) before")
        );

        let change = Note::DisallowedModification {
            what: crate::diff::What::PageContent { page: 2 },
        };
        assert_eq!(
            note(&change, Lang::Vi),
            "Sau chữ ký này, tài liệu đã bị thay đổi theo cách không được phép: nội dung trang 2 đã bị thay thế."
        );
        assert_eq!(
            english(&change),
            "After this signature the document was changed in a way that is not allowed: page 2's content was replaced."
        );

        let ts = Note::TimestampUntrusted {
            authority: "CN=TSA".into(),
            why: Box::new(Note::NoTrustAnchorConfigured),
        };
        assert!(note(&ts, Lang::Vi)
            .starts_with("Dấu thời gian của CN=TSA chưa tin cậy được: Chữ ký toàn vẹn"));
        assert!(english(&ts)
            .starts_with("The time-stamp by CN=TSA cannot be trusted: The signature is intact"));
    }

    #[test]
    fn codes_tell_an_untrusted_root_from_a_missing_anchor() {
        let untrusted = Note::NoChainToAnchor {
            detail: "x".into(),
            untrusted_root: Some("CN=R".into()),
        };
        let no_path = Note::NoChainToAnchor {
            detail: "x".into(),
            untrusted_root: None,
        };
        assert_eq!(untrusted.code(), "UNTRUSTED_ROOT");
        assert_eq!(no_path.code(), "NO_CHAIN_TO_TRUST_ANCHOR");
        assert!(untrusted.is_untrusted_root() && !no_path.is_untrusted_root());
        assert!(note(&untrusted, Lang::Vi).contains("«CN=R» không tin cậy"));
        assert!(note(&untrusted, Lang::En).contains("untrusted root «CN=R»"));
    }
}
