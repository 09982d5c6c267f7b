//! Changes as typed facts. The rules decide with [`What`]; the words that say them in
//! Vietnamese or English are in `crate::text::diff`.

use serde::Serialize;

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
}
