//! Changes found by the difference analysis ([`What`]) in Vietnamese or English.

use super::Lang;
use crate::diff::What;

/// The change in `lang`, e.g. "page 2's content was replaced".
pub fn describe(what: &What, lang: Lang) -> String {
    let (vi, en) = match what {
        What::SignatureAdded { field } => (
            format!("thêm chữ ký mới ở trường '{field}'"),
            format!("a new signature in field '{field}'"),
        ),
        What::SignatureUnderNoChanges { field } => (
            format!("thêm chữ ký ở trường '{field}' trong khi chữ ký chứng nhận không cho phép thay đổi nào (P=1)"),
            format!("a signature in field '{field}' although the certification permits no changes (P=1)"),
        ),
        What::EmptyFieldSigned { field } => (
            format!("ký vào trường chữ ký trống '{field}'"),
            format!("the empty signature field '{field}' was signed"),
        ),
        What::SignatureNotOfThisRevision { field } => (
            format!("trường chữ ký '{field}' nhận một giá trị không phải là chữ ký của phiên bản này"),
            format!("signature field '{field}' got a value that is not the signature of this revision"),
        ),
        What::SignatureShared { field } => (
            format!("trường chữ ký '{field}' dùng lại từ điển chữ ký của một trường khác"),
            format!("signature field '{field}' borrows another field's signature dictionary"),
        ),
        What::EmptySignatureFieldAdded { field } => (
            format!("thêm trường chữ ký trống, không hiển thị '{field}'"),
            format!("an empty, invisible signature field '{field}' was added"),
        ),
        What::VisibleUnsignedField { field } => (
            format!("thêm trường chữ ký '{field}' có hình hiển thị nhưng không có chữ ký"),
            format!("a visible signature field '{field}' was added without a signature"),
        ),
        What::Dss => (
            "kho dữ liệu kiểm tra (DSS) được cập nhật".into(),
            "validation data (DSS) updated".into(),
        ),
        What::Metadata => (
            "siêu dữ liệu XMP được cập nhật".into(),
            "XMP metadata updated".into(),
        ),
        What::DocumentInfo => (
            "thông tin tài liệu (Info) được cập nhật".into(),
            "document information (Info) updated".into(),
        ),
        What::Extensions => (
            "khai báo phần mở rộng (/Extensions) được bổ sung".into(),
            "extension declarations (/Extensions) added".into(),
        ),
        What::FormFlags => (
            "cờ chữ ký của biểu mẫu (/SigFlags) được cập nhật".into(),
            "the form's signature flags (/SigFlags) updated".into(),
        ),
        What::FormResources => (
            "tài nguyên biểu mẫu (phông chữ) được bổ sung".into(),
            "form resources (fonts) added".into(),
        ),
        What::FormFilled { field, before, after, locked } => {
            let (lv, le) = if *locked {
                (" (trường đã bị khóa bởi chữ ký)", " (the field is locked by the signature)")
            } else {
                ("", "")
            };
            (
                format!("trường '{field}' đổi giá trị từ '{before}' thành '{after}'{lv}"),
                format!("field '{field}' changed from '{before}' to '{after}'{le}"),
            )
        }
        What::AppearanceChanged { field, .. } => (
            format!("hình hiển thị của trường '{field}' đã bị thay đổi"),
            format!("the appearance of field '{field}' was changed"),
        ),
        What::AppearanceNotPlain { field } => (
            format!("hình hiển thị mới của trường '{field}' vẽ hình ảnh hoặc đối tượng khác ngoài văn bản"),
            format!("the new appearance of field '{field}' draws images or objects, not just text"),
        ),
        What::AnnotationAdded { page, subtype } => (
            format!("thêm chú thích /{subtype} trên trang {page}"),
            format!("a /{subtype} annotation was added on page {page}"),
        ),
        What::AnnotationChanged { page } => (
            format!("một chú thích trên trang {page} đã bị sửa"),
            format!("an annotation on page {page} was changed"),
        ),
        What::AnnotationRemoved { page } => (
            format!("một chú thích trên trang {page} đã bị gỡ"),
            format!("an annotation was removed from page {page}"),
        ),
        What::FieldAdded { field } => (
            format!("thêm trường biểu mẫu mới '{field}'"),
            format!("a new form field '{field}' was added"),
        ),
        What::FieldRemoved => (
            "một trường biểu mẫu đã bị gỡ".into(),
            "a form field was removed".into(),
        ),
        What::UnknownFieldListItem { num } => (
            format!("thêm đối tượng lạ vào danh sách trường ({num} 0 R)"),
            format!("an unknown object was added to the field list ({num} 0 R)"),
        ),
        What::FieldChanged { field, key } => (
            format!("trường '{field}' bị sửa: mục /{key}"),
            format!("field '{field}' was changed: /{key}"),
        ),
        What::SignatureFieldChanged { field, key } => (
            format!("trường chữ ký '{field}' bị sửa: mục /{key}"),
            format!("signature field '{field}' was changed: /{key}"),
        ),
        What::WidgetAdded { page } => (
            format!("thêm ô biểu mẫu mới trên trang {page}"),
            format!("a new form widget was added on page {page}"),
        ),
        What::PageContent { page } => (
            format!("nội dung trang {page} đã bị thay thế"),
            format!("page {page}'s content was replaced"),
        ),
        What::PageResources { page } => (
            format!("tài nguyên của trang {page} (phông chữ, hình ảnh) đã bị thay đổi"),
            format!("page {page}'s resources (fonts, images) were changed"),
        ),
        What::PageChanged { page, key } => (
            format!("trang {page} bị sửa: mục /{key}"),
            format!("page {page} was changed: /{key}"),
        ),
        What::PageTree { detail } => (
            format!("cây trang bị sửa ({detail})"),
            format!("the page tree was changed ({detail})"),
        ),
        What::CatalogChanged { key } => (
            format!("danh mục tài liệu bị sửa: mục /{key}"),
            format!("the document catalog was changed: /{key}"),
        ),
        What::PermsChanged => (
            "quyền của chữ ký chứng nhận (/Perms) đã bị sửa".into(),
            "the certification permissions (/Perms) were changed".into(),
        ),
        What::FormChanged { key } => (
            format!("biểu mẫu bị sửa: mục /{key}"),
            format!("the interactive form was changed: /{key}"),
        ),
        What::NeedAppearances => (
            "biểu mẫu yêu cầu trình xem vẽ lại mọi trường (/NeedAppearances)".into(),
            "the form asks viewers to redraw every field (/NeedAppearances)".into(),
        ),
        What::ObjectDeleted { num } => (
            format!("đối tượng {num} đang được dùng đã bị xóa (đánh dấu free)"),
            format!("object {num}, in use, was deleted (marked free)"),
        ),
        What::ObjectWithoutXref { num } => (
            format!("đối tượng {num} được thêm vào tệp mà không có trong bảng tham chiếu chéo"),
            format!("object {num} was appended without a cross-reference entry"),
        ),
        What::BrokenReference { num, detail } => (
            format!("mục tham chiếu chéo của đối tượng {num} không dẫn tới đối tượng đó ({detail})"),
            format!("the cross-reference entry of object {num} does not lead to that object ({detail})"),
        ),
        What::TrailingData { bytes } => (
            format!("có {bytes} byte dữ liệu lạ sau dấu kết thúc tệp (%%EOF) cuối cùng"),
            format!("{bytes} bytes of data follow the last end-of-file marker (%%EOF)"),
        ),
        What::RootChanged => (
            "phần đuôi tệp trỏ tới một danh mục tài liệu khác (/Root)".into(),
            "the trailer points at another document catalog (/Root)".into(),
        ),
        What::EncryptChanged => (
            "mã hóa của tài liệu (/Encrypt) đã được thêm hoặc thay đổi".into(),
            "the document's encryption (/Encrypt) was added or changed".into(),
        ),
        What::TrailerEntry { key } => (
            format!("phần đuôi tệp bị sửa: mục /{key}"),
            format!("the trailer was changed: /{key}"),
        ),
        What::Unexplained { num, used_as } if used_as == "unused" => (
            format!("đối tượng {num}, không được dùng ở phiên bản trước, đã bị viết lại"),
            format!("object {num}, not used by the revision before, was rewritten"),
        ),
        What::Unexplained { num, used_as } if used_as.is_empty() => (
            format!("đối tượng {num} đã bị sửa theo cách không có quy tắc nào cho phép"),
            format!("object {num} was changed in a way no rule allows"),
        ),
        // `used_as` is the PDF key the object hangs from (e.g. `/Names`): not translated.
        What::Unexplained { num, used_as } => (
            format!("đối tượng {num} (thuộc {used_as}) đã bị sửa theo cách không có quy tắc nào cho phép"),
            format!("object {num} (under {used_as}) was changed in a way no rule allows"),
        ),
    };
    lang.pick(vi, en)
}
