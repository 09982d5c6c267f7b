//! Changes as typed facts. The rules decide with [`What`]; the words that say them in
//! Vietnamese or English are in `crate::text::diff`.

use serde::Serialize;

/// What kind of change a modification is (stable, serialised as `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new signature value (in a new or an existing field).
    SignatureAdded,
    /// A signature field that was empty got its signature.
    EmptyFieldSigned,
    /// The Document Security Store (/DSS) was added or extended.
    Dss,
    /// The XMP metadata stream was replaced.
    Metadata,
    /// The /Info dictionary or the catalog's /Extensions changed.
    DocumentInfo,
    /// A form field's value (/V) changed.
    FormFilled,
    /// The form's default resources (/DR) or /SigFlags changed.
    FormResources,
    /// A non-widget annotation was added to a page.
    AnnotationAdded,
    /// An existing annotation was modified.
    AnnotationChanged,
    /// An annotation was removed from a page.
    AnnotationRemoved,
    /// A form field or widget was added (signature fields included).
    FieldAdded,
    /// An existing field's entries or appearance changed.
    FieldChanged,
    /// A form field was removed.
    FieldRemoved,
    /// An entry of a signature field other than its value changed.
    SignatureChanged,
    /// A page's content stream was replaced.
    PageContentChanged,
    /// A page's resources (fonts, images, forms) changed.
    PageResourcesChanged,
    /// A page dictionary entry changed.
    PageChanged,
    /// The page tree changed (pages added, removed, reordered, or unreadable).
    PagesChanged,
    /// A document catalog entry (or the certification /Perms) changed.
    CatalogChanged,
    /// An /AcroForm entry changed (including /NeedAppearances).
    FormChanged,
    /// An object in use was freed.
    ObjectDeleted,
    /// An object number freed and used again. No rule reports it at present (reuse shows as the
    /// change it makes); kept so the serialised `kind` values stay stable.
    ObjectNumberReused,
    /// An object was appended that no cross-reference entry points to.
    ObjectWithoutXref,
    /// A cross-reference entry that does not lead to its object.
    BrokenReference,
    /// Bytes follow the last `%%EOF`.
    TrailingData,
    /// The trailer's /Root, /Encrypt or another entry a viewer reads changed.
    TrailerChanged,
    /// A change no rule recognises.
    OtherChange,
}

/// One fact found by the change analysis, with what it needs to be said.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// A signature added in a new field.
    SignatureAdded {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A signature added although the certification signature allows no change (DocMDP /P 1, ISO
    /// 32000-1 §12.8.2.2).
    SignatureUnderNoChanges {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// An empty signature field present before was signed.
    EmptyFieldSigned {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A signature field got a value that is not the signature ending at this revision.
    SignatureNotOfThisRevision {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A signature field points at another field's signature dictionary.
    SignatureShared {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// An empty, invisible signature field was added.
    EmptySignatureFieldAdded {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A visible signature field was added without a signature (it can show anything).
    VisibleUnsignedField {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// The DSS was added or updated (ETSI EN 319 142-1 §5.4.2.2).
    Dss,
    /// The XMP metadata was updated.
    Metadata,
    /// The /Info dictionary was updated.
    DocumentInfo,
    /// Developer extensions (/Extensions, ISO 32000-1 §7.12) were declared.
    Extensions,
    /// The form's /SigFlags changed.
    FormFlags,
    /// Form default resources (/DR fonts) were added.
    FormResources,
    /// A field's value (/V) changed.
    FormFilled {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
        /// The value before, as text (empty when there was none).
        before: String,
        /// The value after, as text.
        after: String,
        /// Whether a signature's field lock (/Lock, ISO 32000-1 §12.7.4.5) covers the field.
        locked: bool,
    },
    /// A field's appearance (/AP, /AS, /MK...) changed.
    AppearanceChanged {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
        /// Whether the rules allow it (a plain-text appearance of a field the certification lets
        /// fill).
        allowed: bool,
    },
    /// A field's new appearance draws images or XObjects, not only text (so it is not allowed as
    /// form filling).
    AppearanceNotPlain {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A non-widget annotation was added.
    AnnotationAdded {
        /// 1-based page number.
        page: usize,
        /// The annotation /Subtype, without the slash (`Text`, `FreeText`, `Link`...).
        subtype: String,
    },
    /// An existing annotation was modified.
    AnnotationChanged {
        /// 1-based page number.
        page: usize,
    },
    /// An annotation was removed.
    AnnotationRemoved {
        /// 1-based page number.
        page: usize,
    },
    /// A form field (not a signature field) was added.
    FieldAdded {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
    },
    /// A form field was removed from /Fields or from a parent's /Kids.
    FieldRemoved,
    /// Something other than a field was added to /Fields.
    UnknownFieldListItem {
        /// Object number.
        num: u32,
    },
    /// An entry of a non-signature field changed.
    FieldChanged {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// An entry of a signature field changed.
    SignatureFieldChanged {
        /// Fully qualified name of the field (ISO 32000-1 §12.7.3.2).
        field: String,
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// A widget annotation was added to a page.
    WidgetAdded {
        /// 1-based page number.
        page: usize,
    },
    /// A page's content was replaced: what the page shows may have changed.
    PageContent {
        /// 1-based page number.
        page: usize,
    },
    /// A page's resources (fonts, images) changed.
    PageResources {
        /// 1-based page number.
        page: usize,
    },
    /// An entry of a page dictionary changed.
    PageChanged {
        /// 1-based page number.
        page: usize,
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// The page tree changed or cannot be read.
    PageTree {
        /// What changed (`/Pages`, an object reference) or why the tree cannot be read.
        detail: String,
    },
    /// An entry of the document catalog changed.
    CatalogChanged {
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// The certification permissions (/Perms) changed.
    PermsChanged,
    /// An entry of the /AcroForm dictionary changed.
    FormChanged {
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// /NeedAppearances was set: viewers would redraw every field, so what they show is not what
    /// was signed.
    NeedAppearances,
    /// An object in use was freed.
    ObjectDeleted {
        /// Object number.
        num: u32,
    },
    /// An object was appended without a cross-reference entry.
    ObjectWithoutXref {
        /// Object number.
        num: u32,
    },
    /// A cross-reference entry does not lead to its object.
    BrokenReference {
        /// Object number.
        num: u32,
        /// What was found instead, in English.
        detail: String,
    },
    /// Data follows the last `%%EOF`.
    TrailingData {
        /// How many bytes follow the marker.
        bytes: u64,
    },
    /// The trailer's /Root points at another catalog.
    RootChanged,
    /// /Encrypt was added or changed.
    EncryptChanged,
    /// Another trailer entry changed (allowed only when its value refers to no object).
    TrailerEntry {
        /// The dictionary key, without the slash (`*` when the whole object was replaced).
        key: String,
    },
    /// A change no rule explains, described by where the object was used.
    Unexplained {
        /// Object number.
        num: u32,
        /// Where the object was used in the revision before (`/Root`, `/AcroForm`, a key...);
        /// `unused` when it was not, empty when unknown.
        used_as: String,
    },
}

impl What {
    /// The coarse category (JSON `kind`) this fact belongs to.
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
