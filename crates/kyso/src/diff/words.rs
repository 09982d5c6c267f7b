//! Changes as typed facts, and the words that say them in Vietnamese or English. The rules
//! decide with [`What`]; only [`What::describe`] makes sentences.

use serde::Serialize;

use crate::verify::Lang;

/// What kind of change a modification is (stable, serialised as `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    SignatureAdded,
    EmptyFieldSigned,
    Dss,
    Metadata,
    DocumentInfo,
    FormFilled,
    FormResources,
    AnnotationAdded,
    AnnotationChanged,
    AnnotationRemoved,
    FieldAdded,
    FieldChanged,
    FieldRemoved,
    SignatureChanged,
    PageContentChanged,
    PageResourcesChanged,
    PageChanged,
    PagesChanged,
    CatalogChanged,
    FormChanged,
    ObjectDeleted,
    ObjectNumberReused,
    ObjectWithoutXref,
    /// A cross-reference entry that does not lead to its object.
    BrokenReference,
    TrailingData,
    /// The trailer's /Root, /Encrypt or another entry a viewer reads changed.
    TrailerChanged,
    OtherChange,
}

/// One fact found by the change analysis, with what it needs to be said.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    SignatureAdded {
        field: String,
    },
    SignatureUnderNoChanges {
        field: String,
    },
    EmptyFieldSigned {
        field: String,
    },
    SignatureNotOfThisRevision {
        field: String,
    },
    SignatureShared {
        field: String,
    },
    EmptySignatureFieldAdded {
        field: String,
    },
    VisibleUnsignedField {
        field: String,
    },
    Dss,
    Metadata,
    DocumentInfo,
    Extensions,
    FormFlags,
    FormResources,
    FormFilled {
        field: String,
        before: String,
        after: String,
        locked: bool,
    },
    AppearanceChanged {
        field: String,
        allowed: bool,
    },
    AppearanceNotPlain {
        field: String,
    },
    AnnotationAdded {
        page: usize,
        subtype: String,
    },
    AnnotationChanged {
        page: usize,
    },
    AnnotationRemoved {
        page: usize,
    },
    FieldAdded {
        field: String,
    },
    FieldRemoved,
    UnknownFieldListItem {
        num: u32,
    },
    FieldChanged {
        field: String,
        key: String,
    },
    SignatureFieldChanged {
        field: String,
        key: String,
    },
    WidgetAdded {
        page: usize,
    },
    PageContent {
        page: usize,
    },
    PageResources {
        page: usize,
    },
    PageChanged {
        page: usize,
        key: String,
    },
    PageTree {
        detail: String,
    },
    CatalogChanged {
        key: String,
    },
    PermsChanged,
    FormChanged {
        key: String,
    },
    NeedAppearances,
    ObjectDeleted {
        num: u32,
    },
    ObjectWithoutXref {
        num: u32,
    },
    BrokenReference {
        num: u32,
        detail: String,
    },
    TrailingData {
        bytes: u64,
    },
    RootChanged,
    EncryptChanged,
    TrailerEntry {
        key: String,
    },
    /// A change no rule explains, described by where the object was used.
    Unexplained {
        num: u32,
        used_as: String,
    },
}

impl What {
    pub fn kind(&self) -> ChangeKind {
        use ChangeKind as K;
        match self {
            What::SignatureAdded { .. }
            | What::SignatureUnderNoChanges { .. }
            | What::SignatureNotOfThisRevision { .. }
            | What::SignatureShared { .. } => K::SignatureAdded,
            What::EmptyFieldSigned { .. } => K::EmptyFieldSigned,
            What::EmptySignatureFieldAdded { .. }
            | What::VisibleUnsignedField { .. }
            | What::FieldAdded { .. }
            | What::WidgetAdded { .. }
            | What::UnknownFieldListItem { .. } => K::FieldAdded,
            What::Dss => K::Dss,
            What::Metadata => K::Metadata,
            What::DocumentInfo | What::Extensions => K::DocumentInfo,
            What::FormFlags | What::FormResources => K::FormResources,
            What::FormFilled { .. } => K::FormFilled,
            What::AppearanceChanged { .. }
            | What::AppearanceNotPlain { .. }
            | What::FieldChanged { .. } => K::FieldChanged,
            What::AnnotationAdded { .. } => K::AnnotationAdded,
            What::AnnotationChanged { .. } => K::AnnotationChanged,
            What::AnnotationRemoved { .. } => K::AnnotationRemoved,
            What::FieldRemoved => K::FieldRemoved,
            What::SignatureFieldChanged { .. } => K::SignatureChanged,
            What::PageContent { .. } => K::PageContentChanged,
            What::PageResources { .. } => K::PageResourcesChanged,
            What::PageChanged { .. } => K::PageChanged,
            What::PageTree { .. } => K::PagesChanged,
            What::CatalogChanged { .. } | What::PermsChanged => K::CatalogChanged,
            What::FormChanged { .. } | What::NeedAppearances => K::FormChanged,
            What::ObjectDeleted { .. } => K::ObjectDeleted,
            What::ObjectWithoutXref { .. } => K::ObjectWithoutXref,
            What::BrokenReference { .. } => K::BrokenReference,
            What::TrailingData { .. } => K::TrailingData,
            What::RootChanged | What::EncryptChanged | What::TrailerEntry { .. } => {
                K::TrailerChanged
            }
            What::Unexplained { .. } => K::OtherChange,
        }
    }

    /// A stable code for machines (JSON `code`), finer than [`ChangeKind`].
    pub fn code(&self) -> &'static str {
        match self {
            What::SignatureAdded { .. } => "SIGNATURE_ADDED",
            What::SignatureUnderNoChanges { .. } => "SIGNATURE_UNDER_DOCMDP_P1",
            What::EmptyFieldSigned { .. } => "EMPTY_FIELD_SIGNED",
            What::SignatureNotOfThisRevision { .. } => "SIGNATURE_VALUE_NOT_OF_REVISION",
            What::SignatureShared { .. } => "SIGNATURE_VALUE_SHARED",
            What::EmptySignatureFieldAdded { .. } => "EMPTY_SIGNATURE_FIELD_ADDED",
            What::VisibleUnsignedField { .. } => "VISIBLE_UNSIGNED_SIGNATURE_FIELD",
            What::Dss => "DSS_UPDATED",
            What::Metadata => "XMP_METADATA_UPDATED",
            What::DocumentInfo => "DOCUMENT_INFO_UPDATED",
            What::Extensions => "EXTENSIONS_ADDED",
            What::FormFlags => "FORM_SIGFLAGS",
            What::FormResources => "FORM_RESOURCES_ADDED",
            What::FormFilled { .. } => "FORM_FILLED",
            What::AppearanceChanged { .. } => "FIELD_APPEARANCE_CHANGED",
            What::AppearanceNotPlain { .. } => "FIELD_APPEARANCE_NOT_PLAIN",
            What::AnnotationAdded { .. } => "ANNOTATION_ADDED",
            What::AnnotationChanged { .. } => "ANNOTATION_CHANGED",
            What::AnnotationRemoved { .. } => "ANNOTATION_REMOVED",
            What::FieldAdded { .. } => "FIELD_ADDED",
            What::FieldRemoved => "FIELD_REMOVED",
            What::UnknownFieldListItem { .. } => "FIELD_LIST_UNKNOWN_ITEM",
            What::FieldChanged { .. } => "FIELD_CHANGED",
            What::SignatureFieldChanged { .. } => "SIGNATURE_FIELD_CHANGED",
            What::WidgetAdded { .. } => "WIDGET_ADDED",
            What::PageContent { .. } => "PAGE_CONTENT_CHANGED",
            What::PageResources { .. } => "PAGE_RESOURCES_CHANGED",
            What::PageChanged { .. } => "PAGE_CHANGED",
            What::PageTree { .. } => "PAGE_TREE_CHANGED",
            What::CatalogChanged { .. } => "CATALOG_CHANGED",
            What::PermsChanged => "PERMS_CHANGED",
            What::FormChanged { .. } => "FORM_CHANGED",
            What::NeedAppearances => "NEED_APPEARANCES_SET",
            What::ObjectDeleted { .. } => "OBJECT_DELETED",
            What::ObjectWithoutXref { .. } => "OBJECT_WITHOUT_XREF",
            What::BrokenReference { .. } => "BROKEN_REFERENCE",
            What::TrailingData { .. } => "TRAILING_DATA",
            What::RootChanged => "TRAILER_ROOT_CHANGED",
            What::EncryptChanged => "TRAILER_ENCRYPT_CHANGED",
            What::TrailerEntry { .. } => "TRAILER_ENTRY_CHANGED",
            What::Unexplained { .. } => "UNEXPLAINED_CHANGE",
        }
    }

    /// The fact in the report's language.
    pub fn describe(&self, lang: Lang) -> String {
        let (vi, en) = match self {
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
}
