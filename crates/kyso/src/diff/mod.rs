//! Difference analysis: what changed after each signature, and whether it was allowed.
//!
//! Every revision after the signed one is compared with the revision before it, object by object,
//! through the cross-reference data. Each changed object is judged by the roles it played before
//! the change ([`roles`]): a whitelist of harmless changes (new signatures, DSS, metadata, and —
//! as DocMDP/FieldMDP allow — form filling and annotations); anything else is not allowed.
//!
//! kyso's policy for approval signatures on a document without DocMDP (ISO 32000-1 §12.8.2.2
//! leaves it open): further signatures, document time-stamps, DSS and metadata are allowed;
//! **form filling and annotations are not**. Official documents are not forms, and both change
//! what a reader sees — the clerk's question is "is what I see what the leader signed?" — and form
//! filling is how the "replace" shadow attack passes in other verifiers. A certification signature
//! opts in: /P 2 allows form filling (with appearances that only draw text), /P 3 annotations too.

pub mod roles;

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::error::Result;
use crate::pdf::xref::XrefEntry;
use crate::pdf::{Dict, Document, ObjRef, Object};
use crate::verify::Lang;
use roles::{Role, RoleMap};

/// What kind of change a [`Modification`] is.
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
    OtherChange,
}

/// One change after a signature.
#[derive(Clone, Debug, Serialize)]
pub struct Modification {
    /// 1-based revision that made the change.
    pub revision: usize,
    pub kind: ChangeKind,
    /// The object changed, e.g. `12 0 R`.
    pub object: Option<String>,
    pub page: Option<usize>,
    pub field: Option<String>,
    pub allowed: bool,
    /// What changed, in plain words (the report's language).
    pub description: String,
}

/// What the signature being judged permits after it.
#[derive(Clone, Debug, Default)]
pub struct Permissions {
    /// DocMDP /P of the document's certification (1, 2, 3), when it applies.
    pub docmdp: Option<i64>,
    /// Fields locked by FieldMDP (ISO 32000-1 §12.8.2.4), by fully qualified name.
    pub lock: FieldLock,
}

/// FieldMDP /Action and /Fields.
#[derive(Clone, Debug, Default)]
pub enum FieldLock {
    #[default]
    None,
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl FieldLock {
    fn locks(&self, name: &str) -> bool {
        match self {
            FieldLock::None => false,
            FieldLock::All => true,
            FieldLock::Include(names) => names.iter().any(|n| n == name),
            FieldLock::Exclude(names) => !names.iter().any(|n| n == name),
        }
    }

    /// Reads a FieldMDP lock dictionary (/Action, /Fields).
    pub fn from_dict(doc: &Document, d: &Dict) -> FieldLock {
        let names = || -> Vec<String> {
            d.get("Fields")
                .and_then(|f| doc.resolve(f).ok())
                .and_then(|f| {
                    f.as_array()
                        .map(|a| a.iter().filter_map(Object::as_text).collect())
                })
                .unwrap_or_default()
        };
        match d.name("Action") {
            Some(b"All") => FieldLock::All,
            Some(b"Include") => FieldLock::Include(names()),
            Some(b"Exclude") => FieldLock::Exclude(names()),
            _ => FieldLock::None,
        }
    }
}

/// Computes and caches the role maps of every revision of one document.
pub struct Analyser<'a> {
    doc: &'a Document,
    roles: Vec<Option<RoleMap>>,
    lang: Lang,
}

impl<'a> Analyser<'a> {
    pub fn new(doc: &'a Document, lang: Lang) -> Self {
        Analyser {
            doc,
            roles: (0..doc.revisions.len()).map(|_| None).collect(),
            lang,
        }
    }

    fn roles(&mut self, rev: usize) -> Result<&RoleMap> {
        if self.roles[rev].is_none() {
            self.roles[rev] = Some(roles::roles_at(self.doc, rev)?);
        }
        Ok(self.roles[rev].as_ref().expect("just computed"))
    }

    /// Every change after revision `signed_rev` (0-based), judged under `perms`.
    pub fn changes_after(
        &mut self,
        signed_rev: usize,
        perms: &Permissions,
    ) -> Result<Vec<Modification>> {
        let mut out = Vec::new();
        for rev in signed_rev + 1..self.doc.revisions.len() {
            self.revision_changes(rev, perms, &mut out)?;
        }
        self.trailing_data(&mut out)?;
        Ok(out)
    }

    fn t(&self, vi: String, en: String) -> String {
        self.lang.pick(vi, en)
    }

    /// The changes made by revision `rev` (against `rev - 1`).
    fn revision_changes(
        &mut self,
        rev: usize,
        perms: &Permissions,
        out: &mut Vec<Modification>,
    ) -> Result<()> {
        let doc = self.doc;
        self.objects_without_xref(rev, out)?;
        // Pages added, removed or reordered.
        let old_pages = self.roles(rev - 1)?.pages.clone();
        let new_pages = self.roles(rev)?.pages.clone();
        let pages_changed = old_pages != new_pages;
        if pages_changed {
            let description = if new_pages.len() > old_pages.len() {
                self.t(
                    format!("đã thêm {} trang", new_pages.len() - old_pages.len()),
                    format!("{} page(s) added", new_pages.len() - old_pages.len()),
                )
            } else if new_pages.len() < old_pages.len() {
                self.t(
                    format!("đã xóa {} trang", old_pages.len() - new_pages.len()),
                    format!("{} page(s) removed", old_pages.len() - new_pages.len()),
                )
            } else {
                self.t(
                    "thứ tự hoặc nội dung các trang đã bị thay đổi".into(),
                    "pages were replaced or reordered".into(),
                )
            };
            out.push(Modification {
                revision: rev + 1,
                kind: ChangeKind::PagesChanged,
                object: None,
                page: None,
                field: None,
                allowed: false,
                description,
            });
        }
        let nums: Vec<u32> = doc.revisions[rev].object_numbers().collect();
        for num in nums {
            let old_entry = doc.entry_at(rev - 1, num);
            let Some(new_entry) = doc.revisions[rev].entry(num) else {
                continue;
            };
            let in_use = |e: &XrefEntry| !matches!(e, XrefEntry::Free { .. });
            match (old_entry, new_entry) {
                (_, XrefEntry::Free { .. }) => {
                    if old_entry.as_ref().is_some_and(in_use)
                        && self.roles(rev - 1)?.get(num).is_some()
                    {
                        out.push(Modification {
                            revision: rev + 1,
                            kind: ChangeKind::ObjectDeleted,
                            object: Some(format!("{num} 0 R")),
                            page: None,
                            field: None,
                            allowed: false,
                            description: self.t(
                                format!("đối tượng {num} đang được dùng đã bị xóa (đánh dấu free)"),
                                format!("object {num}, in use, was deleted (marked free)"),
                            ),
                        });
                    }
                }
                (Some(XrefEntry::Free { .. }), _) if self.was_ever_in_use(rev - 1, num) => {
                    out.push(Modification {
                        revision: rev + 1,
                        kind: ChangeKind::ObjectNumberReused,
                        object: Some(format!("{num} 0 R")),
                        page: None,
                        field: None,
                        allowed: false,
                        description: self.t(
                            format!("số đối tượng {num} đã bị giải phóng rồi dùng lại"),
                            format!("object number {num} was freed and then reused"),
                        ),
                    });
                }
                (None, _) | (Some(XrefEntry::Free { .. }), _) => {} // a new object: judged through what refers to it
                (Some(_), _) => {
                    let gen = match new_entry {
                        XrefEntry::InUse { gen, .. } => gen,
                        _ => 0,
                    };
                    let r = ObjRef::new(num, gen);
                    let (old, new) = match (
                        doc.get_at(rev - 1, ObjRef::new(num, old_gen(old_entry))),
                        doc.get_at(rev, r),
                    ) {
                        (Ok(o), Ok(n)) => (o, n),
                        (_, Err(e)) | (Err(e), _) => {
                            // An entry that does not lead to its object: a redirected xref
                            // (the "hide-and-replace" shadow attack) or a damaged update.
                            out.push(Modification {
                                revision: rev + 1,
                                kind: ChangeKind::BrokenReference,
                                object: Some(format!("{num} {gen} R")),
                                page: None,
                                field: None,
                                allowed: false,
                                description: self.t(
                                    format!("mục tham chiếu chéo của đối tượng {num} không dẫn tới đối tượng đó ({e})"),
                                    format!("the cross-reference entry of object {num} does not lead to that object ({e})"),
                                ),
                            });
                            continue;
                        }
                    };
                    if same_object(doc, &old, &new) {
                        continue;
                    }
                    let roles: Vec<Role> = self
                        .roles(rev - 1)?
                        .get(num)
                        .map(|s| s.iter().cloned().collect())
                        .unwrap_or_default();
                    for m in self.judge(rev, r, &roles, &old, &new, perms, pages_changed)? {
                        out.push(m);
                    }
                }
            }
        }
        Ok(())
    }

    fn was_ever_in_use(&self, up_to: usize, num: u32) -> bool {
        self.doc.revisions[..=up_to].iter().any(|r| {
            matches!(
                r.entry(num),
                Some(XrefEntry::InUse { .. } | XrefEntry::Compressed { .. })
            )
        })
    }

    /// Judges a changed object by each role it had. Returns the changes worth reporting.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &mut self,
        rev: usize,
        r: ObjRef,
        roles: &[Role],
        old: &Object,
        new: &Object,
        perms: &Permissions,
        pages_changed: bool,
    ) -> Result<Vec<Modification>> {
        let mut out = Vec::new();
        let object = Some(format!("{} {} R", r.num, r.gen));
        // kyso's policy: form filling needs a certification that permits it (P >= 2); after
        // approval signatures alone, official documents are not forms (see the module docs).
        let form_filling = perms.docmdp.is_some_and(|p| p >= 2);
        let annotations = perms.docmdp == Some(3);
        for role in roles {
            let m = |kind, allowed, page, field: Option<String>, description| Modification {
                revision: rev + 1,
                kind,
                object: object.clone(),
                page,
                field,
                allowed,
                description,
            };
            match role {
                Role::Catalog => out.extend(
                    self.catalog_change(rev, old, new, perms)?
                        .into_iter()
                        .map(|(kind, allowed, d)| m(kind, allowed, None, None, d)),
                ),
                Role::Info => out.push(m(
                    ChangeKind::DocumentInfo,
                    true,
                    None,
                    None,
                    self.t(
                        "thông tin tài liệu (Info) được cập nhật".into(),
                        "document information (Info) updated".into(),
                    ),
                )),
                Role::Dss => out.push(m(
                    ChangeKind::Dss,
                    true,
                    None,
                    None,
                    self.t(
                        "kho dữ liệu kiểm tra (DSS) được cập nhật".into(),
                        "validation data (DSS) updated".into(),
                    ),
                )),
                Role::Metadata => out.push(m(
                    ChangeKind::Metadata,
                    true,
                    None,
                    None,
                    self.t(
                        "siêu dữ liệu XMP được cập nhật".into(),
                        "XMP metadata updated".into(),
                    ),
                )),
                Role::FormResources => out.push(m(
                    ChangeKind::FormResources,
                    perms.docmdp != Some(1),
                    None,
                    None,
                    self.t(
                        "tài nguyên biểu mẫu (phông chữ) được cập nhật".into(),
                        "form resources (fonts) updated".into(),
                    ),
                )),
                Role::PageTree => {
                    // /Kids and /Count changes show as pages added, removed or reordered;
                    // inheritable attributes (/Resources, /MediaBox...) change what pages show.
                    if let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) {
                        for key in changed_keys(o, n) {
                            if pages_changed && (key == "Kids" || key == "Count") {
                                continue;
                            }
                            out.push(m(
                                ChangeKind::PagesChanged,
                                false,
                                None,
                                None,
                                self.t(
                                    format!("cây trang bị sửa: mục /{key}"),
                                    format!("the page tree was changed: /{key}"),
                                ),
                            ));
                        }
                    }
                }
                Role::Page(n) => {
                    for (kind, allowed, d) in self.page_change(rev, *n, old, new, perms)? {
                        out.push(m(kind, allowed, Some(*n), None, d));
                    }
                }
                Role::PageAnnots(n) => {
                    let (o, nw) = (
                        self.doc.resolve_at(rev - 1, old)?,
                        self.doc.resolve_at(rev, new)?,
                    );
                    for (kind, allowed, d) in self.annots_change(rev, *n, &o, &nw, perms)? {
                        out.push(m(kind, allowed, Some(*n), None, d));
                    }
                }
                Role::PageContent(n) | Role::PageResources(n) => {
                    let (kind, vi, en) = if matches!(role, Role::PageContent(_)) {
                        (
                            ChangeKind::PageContentChanged,
                            format!("nội dung trang {n} đã bị thay thế"),
                            format!("page {n}'s content was replaced"),
                        )
                    } else {
                        (
                            ChangeKind::PageResourcesChanged,
                            format!(
                                "tài nguyên của trang {n} (phông chữ, hình ảnh) đã bị thay đổi"
                            ),
                            format!("page {n}'s resources (fonts, images) were changed"),
                        )
                    };
                    out.push(m(
                        kind,
                        false,
                        Some(*n).filter(|n| *n > 0),
                        None,
                        self.t(vi, en),
                    ));
                }
                Role::Annotation(n) => out.push(m(
                    ChangeKind::AnnotationChanged,
                    annotations,
                    Some(*n),
                    None,
                    self.t(
                        format!("một chú thích trên trang {n} đã bị sửa"),
                        format!("an annotation on page {n} was changed"),
                    ),
                )),
                Role::AcroForm => {
                    for (kind, allowed, d) in self.acroform_change(rev, old, new, perms)? {
                        out.push(m(kind, allowed, None, None, d));
                    }
                }
                Role::FieldList => {
                    let (o, nw) = (
                        self.doc.resolve_at(rev - 1, old)?,
                        self.doc.resolve_at(rev, new)?,
                    );
                    for (kind, allowed, d) in self.field_list_change(rev, &o, &nw, perms)? {
                        out.push(m(kind, allowed, None, None, d));
                    }
                }
                Role::Field { name, signature } => {
                    for (kind, allowed, d) in
                        self.field_change(rev, name, *signature, old, new, perms, form_filling)?
                    {
                        out.push(m(kind, allowed, None, Some(name.clone()), d));
                    }
                }
                Role::FieldAppearance { name, signature } => {
                    let allowed = if *signature {
                        self.unsigned_before(rev, name)? && perms.docmdp != Some(1)
                    } else {
                        form_filling && !perms.lock.locks(name)
                    };
                    if !allowed {
                        out.push(m(
                            ChangeKind::FieldChanged,
                            false,
                            None,
                            Some(name.clone()),
                            self.t(
                                format!("hình hiển thị của trường '{name}' đã bị thay đổi"),
                                format!("the appearance of field '{name}' was changed"),
                            ),
                        ));
                    }
                }
                Role::SignatureValue { name } => out.push(m(
                    ChangeKind::SignatureChanged,
                    false,
                    None,
                    Some(name.clone()),
                    self.t(
                        format!("từ điển chữ ký của trường '{name}' đã bị sửa sau khi ký"),
                        format!(
                            "the signature dictionary of field '{name}' was changed after signing"
                        ),
                    ),
                )),
                Role::Perms => out.push(m(
                    ChangeKind::CatalogChanged,
                    false,
                    None,
                    None,
                    self.t(
                        "quyền của chữ ký chứng nhận (/Perms) đã bị sửa".into(),
                        "the certification permissions (/Perms) were changed".into(),
                    ),
                )),
                Role::Other(key) => {
                    let allowed = key == "/Extensions" && dict_extends(old, new);
                    out.push(m(
                        if allowed {
                            ChangeKind::DocumentInfo
                        } else {
                            ChangeKind::OtherChange
                        },
                        allowed,
                        None,
                        None,
                        self.t(
                            format!("đối tượng thuộc mục {key} của tài liệu đã bị sửa"),
                            format!("an object under the document's {key} entry was changed"),
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// A field whose /AP is replaced must not take with it an appearance object that something
    /// else (another field, a page, a trailer or catalog entry) also uses.
    fn shared_appearance(
        &mut self,
        rev: usize,
        name: &str,
        old_field: &Dict,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let Some(Object::Ref(ap)) = old_field.get("AP") else {
            return Ok(vec![]);
        };
        let others: Vec<String> = self
            .roles(rev - 1)?
            .get(ap.num)
            .map(|roles| {
                roles
                    .iter()
                    .filter(|r| !matches!(r, Role::FieldAppearance { name: n, .. } | Role::Field { name: n, .. } if n == name))
                    .map(role_label)
                    .collect()
            })
            .unwrap_or_default();
        if others.is_empty() {
            return Ok(vec![]);
        }
        let users = others.join(", ");
        Ok(vec![(
            ChangeKind::FieldChanged,
            false,
            self.t(
                format!(
                    "hình hiển thị cũ của trường '{name}' dùng chung với {users} đã bị thay thế"
                ),
                format!("the old appearance of field '{name}', shared with {users}, was replaced"),
            ),
        )])
    }

    /// Whether a form field's appearance (/AP /N, every state) only draws text, lines and
    /// fills: no XObjects, inline images or shadings, through which a "replace" shadow attack
    /// would paint arbitrary content under cover of form filling.
    fn appearance_is_plain(&self, rev: usize, ap: Option<&Object>) -> Result<bool> {
        let Some(ap) = ap else { return Ok(true) };
        let Some(ap) = self.doc.resolve_dict_at(rev, ap)? else {
            return Ok(true);
        };
        let mut streams = Vec::new();
        for key in ["N", "D", "R"] {
            let Some(entry) = ap.get(key) else { continue };
            match self.doc.resolve_at(rev, entry)? {
                Object::Stream(s) => streams.push(*s),
                Object::Dict(states) => {
                    for (_, v) in states.iter() {
                        if let Object::Stream(s) = self.doc.resolve_at(rev, v)? {
                            streams.push(*s);
                        }
                    }
                }
                _ => {}
            }
        }
        for stream in streams {
            let Ok(content) = self.doc.stream_decoded(&stream) else {
                return Ok(false);
            };
            if content_operators(&content)
                .iter()
                .any(|op| matches!(op.as_slice(), b"Do" | b"BI" | b"ID" | b"sh" | b"d0" | b"d1"))
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether signature field `name` had no value before revision `rev`.
    fn unsigned_before(&mut self, rev: usize, name: &str) -> Result<bool> {
        let roles = self.roles(rev - 1)?;
        Ok(!roles.roles.values().any(|set| {
            set.iter()
                .any(|r| matches!(r, Role::SignatureValue { name: n } if n == name))
        }))
    }

    /// Resolves `key` in the old and the new version of a dictionary.
    fn entry_pair(&self, rev: usize, o: &Dict, n: &Dict, key: &str) -> Result<(Object, Object)> {
        Ok((
            self.doc
                .resolve_at(rev - 1, o.get(key).unwrap_or(&Object::Null))?,
            self.doc
                .resolve_at(rev, n.get(key).unwrap_or(&Object::Null))?,
        ))
    }

    /// A whole object replaced by something of another type: never allowed.
    fn replaced(&self, kind: ChangeKind, vi: String, en: String) -> (ChangeKind, bool, String) {
        (kind, false, self.t(vi, en))
    }

    fn catalog_change(
        &mut self,
        rev: usize,
        old: &Object,
        new: &Object,
        perms: &Permissions,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            return Ok(vec![self.replaced(
                ChangeKind::CatalogChanged,
                "danh mục tài liệu bị thay thế".into(),
                "the document catalog was replaced".into(),
            )]);
        };
        let mut out = Vec::new();
        for key in changed_keys(o, n) {
            let (ov, nv) = (o.get(&key), n.get(&key));
            let (kind, allowed) = match key.as_str() {
                "DSS" => (ChangeKind::Dss, true),
                "Metadata" => (ChangeKind::Metadata, true),
                "AcroForm" => match (ov, nv) {
                    (None, Some(_)) => (ChangeKind::FormChanged, perms.docmdp != Some(1)),
                    (Some(Object::Dict(_)), Some(Object::Ref(_))) => {
                        (ChangeKind::FormChanged, perms.docmdp != Some(1))
                    }
                    (Some(a @ Object::Dict(_)), Some(b @ Object::Dict(_))) => {
                        let changes = self.acroform_change(rev, a, b, perms)?;
                        let ok = changes.iter().all(|c| c.1);
                        out.extend(changes);
                        if ok {
                            continue;
                        }
                        (ChangeKind::FormChanged, false)
                    }
                    _ => (ChangeKind::FormChanged, false),
                },
                "Extensions" => (
                    ChangeKind::DocumentInfo,
                    ov.zip(nv).is_some_and(|(a, b)| dict_extends(a, b)) || ov.is_none(),
                ),
                "Version" => (ChangeKind::DocumentInfo, true),
                _ => (ChangeKind::CatalogChanged, false),
            };
            let description = if allowed {
                self.t(
                    format!("mục /{key} của danh mục được cập nhật"),
                    format!("catalog entry /{key} updated"),
                )
            } else {
                self.t(
                    format!("danh mục tài liệu bị sửa: mục /{key}"),
                    format!("the document catalog was changed: /{key}"),
                )
            };
            out.push((kind, allowed, description));
        }
        Ok(out)
    }

    fn acroform_change(
        &mut self,
        rev: usize,
        old: &Object,
        new: &Object,
        perms: &Permissions,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            return Ok(vec![self.replaced(
                ChangeKind::FormChanged,
                "biểu mẫu bị thay thế".into(),
                "the interactive form was replaced".into(),
            )]);
        };
        let mut out = Vec::new();
        for key in changed_keys(o, n) {
            match key.as_str() {
                "Fields" => {
                    let (ov, nv) = self.entry_pair(rev, o, n, "Fields")?;
                    out.extend(self.field_list_change(rev, &ov, &nv, perms)?);
                }
                // SignaturesExist | AppendOnly, fonts for new appearances.
                "SigFlags" | "DR" | "DA" => {}
                _ => out.push((
                    ChangeKind::FormChanged,
                    false,
                    self.t(
                        format!("biểu mẫu bị sửa: mục /{key}"),
                        format!("the interactive form was changed: /{key}"),
                    ),
                )),
            }
        }
        Ok(out)
    }

    /// A list of fields (/Fields or /Kids): nothing removed; what is added must be signature fields.
    fn field_list_change(
        &mut self,
        rev: usize,
        old: &Object,
        new: &Object,
        perms: &Permissions,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let old_items: HashSet<ObjRef> = refs_in(old);
        let new_items: HashSet<ObjRef> = refs_in(new);
        let mut out = Vec::new();
        if old_items.iter().any(|r| !new_items.contains(r)) {
            out.push((
                ChangeKind::FieldRemoved,
                false,
                self.t(
                    "một trường biểu mẫu đã bị gỡ".into(),
                    "a form field was removed".into(),
                ),
            ));
        }
        let added: BTreeSet<ObjRef> = new_items.difference(&old_items).copied().collect();
        for r in added {
            out.push(self.added_field(rev, r, perms)?);
        }
        Ok(out)
    }

    fn added_field(
        &mut self,
        rev: usize,
        r: ObjRef,
        perms: &Permissions,
    ) -> Result<(ChangeKind, bool, String)> {
        let name = self.roles(rev)?.get(r.num).and_then(|s| {
            s.iter().find_map(|role| match role {
                Role::Field { name, signature } => Some((name.clone(), *signature)),
                _ => None,
            })
        });
        if let Some((name, true)) = &name {
            if self.visible_unsigned(rev, r)? {
                // The "sneaky signature" attack: an unsigned signature field whose appearance
                // shows whatever the attacker drew.
                return Ok((
                    ChangeKind::FieldAdded,
                    false,
                    self.t(
                        format!(
                            "thêm trường chữ ký '{name}' có hình hiển thị nhưng không có chữ ký"
                        ),
                        format!("a visible signature field '{name}' was added without a signature"),
                    ),
                ));
            }
        }
        Ok(match name {
            Some((name, true)) => (
                ChangeKind::SignatureAdded,
                perms.docmdp != Some(1) || self.is_doc_timestamp_field(rev, r)?,
                self.t(
                    format!("thêm chữ ký mới ở trường '{name}'"),
                    format!("a new signature in field '{name}'"),
                ),
            ),
            Some((name, false)) => (
                ChangeKind::FieldAdded,
                false,
                self.t(
                    format!("thêm trường biểu mẫu mới '{name}'"),
                    format!("a new form field '{name}' was added"),
                ),
            ),
            None => (
                ChangeKind::FieldAdded,
                false,
                self.t(
                    format!("thêm đối tượng lạ vào danh sách trường ({} 0 R)", r.num),
                    format!(
                        "an unknown object was added to the field list ({} 0 R)",
                        r.num
                    ),
                ),
            ),
        })
    }

    /// Whether a new signature field has no value but a visible widget (non-empty /Rect).
    fn visible_unsigned(&self, rev: usize, r: ObjRef) -> Result<bool> {
        let Some(field) = self.doc.resolve_dict_at(rev, &Object::Ref(r))? else {
            return Ok(false);
        };
        if field.get("V").is_some() {
            return Ok(false);
        }
        let mut widgets = vec![field.clone()];
        if let Some(kids) = field.get("Kids") {
            for kid in self.doc.resolve_at(rev, kids)?.as_array().unwrap_or(&[]) {
                if let Some(k) = self.doc.resolve_dict_at(rev, kid)? {
                    widgets.push(k);
                }
            }
        }
        Ok(widgets.iter().any(|w| {
            let rect: Vec<f64> = w
                .get("Rect")
                .and_then(|r| self.doc.resolve_at(rev, r).ok())
                .and_then(|r| {
                    r.as_array()
                        .map(|a| a.iter().filter_map(Object::as_f64).collect())
                })
                .unwrap_or_default();
            rect.len() == 4 && (rect[2] - rect[0]).abs() > 0.0 && (rect[3] - rect[1]).abs() > 0.0
        }))
    }

    /// A field holding a document time-stamp (allowed even under DocMDP P=1, ETSI EN 319 142-1 §5.4).
    fn is_doc_timestamp_field(&self, rev: usize, r: ObjRef) -> Result<bool> {
        let Some(field) = self.doc.resolve_dict_at(rev, &Object::Ref(r))? else {
            return Ok(false);
        };
        let Some(v) = field.get("V") else {
            return Ok(false);
        };
        Ok(self.doc.resolve_dict_at(rev, v)?.is_some_and(|d| {
            d.has_name("Type", "DocTimeStamp") || d.has_name("SubFilter", "ETSI.RFC3161")
        }))
    }

    #[allow(clippy::too_many_arguments)]
    fn field_change(
        &mut self,
        rev: usize,
        name: &str,
        signature: bool,
        old: &Object,
        new: &Object,
        perms: &Permissions,
        form_filling: bool,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            return Ok(vec![self.replaced(
                ChangeKind::FieldChanged,
                format!("trường '{name}' bị thay thế"),
                format!("field '{name}' was replaced"),
            )]);
        };
        let mut out = Vec::new();
        let keys = changed_keys(o, n);
        if signature {
            for key in keys {
                match key.as_str() {
                    "V" if o.get("V").is_none() => out.push((
                        ChangeKind::EmptyFieldSigned,
                        perms.docmdp != Some(1),
                        self.t(
                            format!("ký vào trường chữ ký trống '{name}'"),
                            format!("the empty signature field '{name}' was signed"),
                        ),
                    )),
                    "AP" if o.get("V").is_none() => {
                        out.extend(self.shared_appearance(rev, name, o)?)
                    }
                    "AS" | "F" | "MK" | "DA" if o.get("V").is_none() => {}
                    "Kids" => {
                        let (ov, nv) = self.entry_pair(rev, o, n, "Kids")?;
                        out.extend(self.field_list_change(rev, &ov, &nv, perms)?);
                    }
                    _ => out.push((
                        ChangeKind::SignatureChanged,
                        false,
                        self.t(
                            format!("trường chữ ký '{name}' bị sửa: mục /{key}"),
                            format!("signature field '{name}' was changed: /{key}"),
                        ),
                    )),
                }
            }
            return Ok(out);
        }
        let locked = perms.lock.locks(name);
        for key in keys {
            match key.as_str() {
                "V" => {
                    let before = o
                        .get("V")
                        .and_then(|v| self.doc.resolve_at(rev - 1, v).ok())
                        .map(|v| value_text(&v))
                        .unwrap_or_default();
                    let after = n
                        .get("V")
                        .and_then(|v| self.doc.resolve_at(rev, v).ok())
                        .map(|v| value_text(&v))
                        .unwrap_or_default();
                    let allowed = form_filling && !locked;
                    let why = if locked {
                        self.t(
                            " (trường đã bị khóa bởi chữ ký)".into(),
                            " (the field is locked by the signature)".into(),
                        )
                    } else {
                        String::new()
                    };
                    out.push((
                        ChangeKind::FormFilled,
                        allowed,
                        self.t(
                            format!(
                                "trường '{name}' đổi giá trị từ '{before}' thành '{after}'{why}"
                            ),
                            format!("field '{name}' changed from '{before}' to '{after}'{why}"),
                        ),
                    ));
                }
                "AP" if form_filling && !locked => {
                    out.extend(self.shared_appearance(rev, name, o)?);
                    if !self.appearance_is_plain(rev, n.get("AP"))? {
                        out.push((
                            ChangeKind::FieldChanged,
                            false,
                            self.t(
                                format!("hình hiển thị mới của trường '{name}' vẽ hình ảnh hoặc đối tượng khác ngoài văn bản"),
                                format!("the new appearance of field '{name}' draws images or objects, not just text"),
                            ),
                        ));
                    }
                }
                "AS" if form_filling && !locked => {}
                "Kids" => {
                    let (ov, nv) = self.entry_pair(rev, o, n, "Kids")?;
                    out.extend(self.field_list_change(rev, &ov, &nv, perms)?);
                }
                _ => out.push((
                    ChangeKind::FieldChanged,
                    false,
                    self.t(
                        format!("trường '{name}' bị sửa: mục /{key}"),
                        format!("field '{name}' was changed: /{key}"),
                    ),
                )),
            }
        }
        Ok(out)
    }

    fn page_change(
        &mut self,
        rev: usize,
        page: usize,
        old: &Object,
        new: &Object,
        perms: &Permissions,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            return Ok(vec![self.replaced(
                ChangeKind::PageChanged,
                format!("trang {page} bị thay thế"),
                format!("page {page} was replaced"),
            )]);
        };
        let mut out = Vec::new();
        for key in changed_keys(o, n) {
            match key.as_str() {
                "Annots" => {
                    let (ov, nv) = self.entry_pair(rev, o, n, "Annots")?;
                    out.extend(self.annots_change(rev, page, &ov, &nv, perms)?);
                }
                "Contents" => out.push((
                    ChangeKind::PageContentChanged,
                    false,
                    self.t(
                        format!("nội dung trang {page} đã bị thay thế"),
                        format!("page {page}'s content was replaced"),
                    ),
                )),
                "Resources" => out.push((
                    ChangeKind::PageResourcesChanged,
                    false,
                    self.t(
                        format!("tài nguyên của trang {page} (phông chữ, hình ảnh) đã bị thay đổi"),
                        format!("page {page}'s resources (fonts, images) were changed"),
                    ),
                )),
                _ => out.push((
                    ChangeKind::PageChanged,
                    false,
                    self.t(
                        format!("trang {page} bị sửa: mục /{key}"),
                        format!("page {page} was changed: /{key}"),
                    ),
                )),
            }
        }
        Ok(out)
    }

    /// A page's /Annots: nothing removed; added widgets must belong to new signature fields;
    /// other annotations need DocMDP P=3.
    fn annots_change(
        &mut self,
        rev: usize,
        page: usize,
        old: &Object,
        new: &Object,
        perms: &Permissions,
    ) -> Result<Vec<(ChangeKind, bool, String)>> {
        let old_items = refs_in(old);
        let new_items = refs_in(new);
        let mut out = Vec::new();
        if old_items.iter().any(|r| !new_items.contains(r)) {
            out.push((
                ChangeKind::AnnotationRemoved,
                false,
                self.t(
                    format!("một chú thích trên trang {page} đã bị gỡ"),
                    format!("an annotation was removed from page {page}"),
                ),
            ));
        }
        let added: BTreeSet<ObjRef> = new_items.difference(&old_items).copied().collect();
        for r in added {
            let role = self.roles(rev)?.get(r.num).cloned().unwrap_or_default();
            let signature_widget = role.iter().any(|x| {
                matches!(
                    x,
                    Role::Field {
                        signature: true,
                        ..
                    }
                )
            });
            let other_widget = role.iter().any(|x| {
                matches!(
                    x,
                    Role::Field {
                        signature: false,
                        ..
                    }
                )
            });
            if signature_widget {
                continue; // reported with the new field
            }
            let (kind, allowed, vi, en) = if other_widget {
                (
                    ChangeKind::FieldAdded,
                    false,
                    format!("thêm ô biểu mẫu mới trên trang {page}"),
                    format!("a new form widget was added on page {page}"),
                )
            } else {
                let subtype = self
                    .doc
                    .resolve_dict_at(rev, &Object::Ref(r))?
                    .and_then(|d| {
                        d.name("Subtype")
                            .map(|s| String::from_utf8_lossy(s).into_owned())
                    })
                    .unwrap_or_else(|| "?".into());
                (
                    ChangeKind::AnnotationAdded,
                    perms.docmdp == Some(3),
                    format!("thêm chú thích /{subtype} trên trang {page}"),
                    format!("a /{subtype} annotation was added on page {page}"),
                )
            };
            out.push((kind, allowed, self.t(vi, en)));
        }
        Ok(out)
    }

    /// ISO 32000-1 §7.5.6: an update's objects are all listed in its cross-reference section.
    /// Finds `N G obj` definitions in the revision's bytes that its xref does not point at.
    fn objects_without_xref(&self, rev: usize, out: &mut Vec<Modification>) -> Result<()> {
        let doc = self.doc;
        let Some(start) = doc.revisions[rev - 1].end else {
            return Ok(());
        };
        let end = doc.revisions[rev].end.unwrap_or(doc.len());
        if end <= start || end - start > 64 << 20 {
            return Ok(());
        }
        let bytes = doc.source().read_vec(start, (end - start) as usize)?;
        for (pos, num, gen) in object_headers(&bytes) {
            let at = start + pos as u64;
            // Some writers point at the end-of-line before the header: tolerate white space.
            let listed = match doc.revisions[rev].entry(num) {
                Some(XrefEntry::InUse { offset, gen: g })
                    if g == gen && offset >= start && offset <= at && at - offset <= 4 =>
                {
                    let from = (offset - start) as usize;
                    bytes[from..pos]
                        .iter()
                        .all(|&b| crate::pdf::parser::is_whitespace(b))
                }
                _ => false,
            };
            if !listed {
                out.push(Modification {
                    revision: rev + 1,
                    kind: ChangeKind::ObjectWithoutXref,
                    object: Some(format!("{num} {gen} R")),
                    page: None,
                    field: None,
                    allowed: false,
                    description: self.t(
                        format!("đối tượng {num} được thêm vào tệp mà không có trong bảng tham chiếu chéo"),
                        format!("object {num} was appended without a cross-reference entry"),
                    ),
                });
            }
        }
        Ok(())
    }

    /// Bytes after the last %%EOF that are not white space (ISO 32000-1 §7.5.5).
    fn trailing_data(&self, out: &mut Vec<Modification>) -> Result<()> {
        let doc = self.doc;
        let end = doc.revisions[doc.last_revision()].end.unwrap_or(doc.len());
        if end >= doc.len() {
            return Ok(());
        }
        let n = (doc.len() - end).min(1 << 20) as usize;
        let tail = doc.source().read_vec(end, n)?;
        if tail.iter().any(|&b| !crate::pdf::parser::is_whitespace(b)) {
            out.push(Modification {
                revision: doc.revisions.len(),
                kind: ChangeKind::TrailingData,
                object: None,
                page: None,
                field: None,
                allowed: false,
                description: self.t(
                    format!(
                        "có {} byte dữ liệu lạ sau dấu kết thúc tệp (%%EOF) cuối cùng",
                        doc.len() - end
                    ),
                    format!(
                        "{} bytes of data follow the last end-of-file marker (%%EOF)",
                        doc.len() - end
                    ),
                ),
            });
        }
        Ok(())
    }
}

fn old_gen(e: Option<XrefEntry>) -> u16 {
    match e {
        Some(XrefEntry::InUse { gen, .. }) => gen,
        _ => 0,
    }
}

/// `N G obj` at the start of a line (or of the region).
fn object_headers(bytes: &[u8]) -> Vec<(usize, u32, u16)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = crate::pdf::xref::find(&bytes[i..], b"obj") {
        let at = i + p;
        i = at + 3;
        // Walk back over "G " and "N ".
        let mut j = at;
        let skip_ws = |j: &mut usize| {
            while *j > 0 && matches!(bytes[*j - 1], b' ' | b'\t') {
                *j -= 1;
            }
        };
        let digits = |j: &mut usize| -> Option<u64> {
            let end = *j;
            while *j > 0 && bytes[*j - 1].is_ascii_digit() {
                *j -= 1;
            }
            crate::pdf::parser::parse_uint(&bytes[*j..end])
        };
        skip_ws(&mut j);
        let Some(gen) = digits(&mut j) else { continue };
        skip_ws(&mut j);
        let Some(num) = digits(&mut j) else { continue };
        let line_start = j == 0 || matches!(bytes[j - 1], b'\r' | b'\n');
        let ends_token = bytes
            .get(at + 3)
            .is_none_or(|&b| !b.is_ascii_alphanumeric());
        if line_start && ends_token && num <= u32::MAX as u64 && gen <= u16::MAX as u64 {
            out.push((j, num as u32, gen as u16));
        }
    }
    out
}

/// Keys whose values differ between two dictionaries (stream /Length ignored).
fn changed_keys(o: &Dict, n: &Dict) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in o.iter() {
        if k == b"Length" {
            continue;
        }
        if n.get(&String::from_utf8_lossy(k)) != Some(v) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    for (k, _) in n.iter() {
        let key = String::from_utf8_lossy(k).into_owned();
        if o.get(&key).is_none() && k != b"Length" {
            keys.push(key);
        }
    }
    keys
}

/// Whether `new` keeps every entry of `old` unchanged (only additions).
fn dict_extends(old: &Object, new: &Object) -> bool {
    match (old.as_dict(), new.as_dict()) {
        (Some(o), Some(n)) => o
            .iter()
            .all(|(k, v)| n.get(&String::from_utf8_lossy(k)) == Some(v)),
        _ => false,
    }
}

fn refs_in(obj: &Object) -> HashSet<ObjRef> {
    obj.as_array()
        .map(|a| a.iter().filter_map(Object::as_ref).collect())
        .unwrap_or_default()
}

/// A field value as text for the report.
fn value_text(v: &Object) -> String {
    match v {
        Object::String(_) => v.as_text().unwrap_or_default(),
        Object::Name(n) => String::from_utf8_lossy(n).into_owned(),
        Object::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Object::Int(i) => i.to_string(),
        _ => String::new(),
    }
}

/// Whether two versions of an object are the same (streams: same dictionary and same bytes).
fn same_object(doc: &Document, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(sa), Object::Stream(sb)) => {
            if !changed_keys(&sa.dict, &sb.dict).is_empty() || sa.data_len != sb.data_len {
                return false;
            }
            if sa.data_offset == sb.data_offset {
                return true;
            }
            if sa.data_len > 64 << 20 {
                return false;
            }
            match (doc.stream_raw(sa), doc.stream_raw(sb)) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        _ => a == b,
    }
}

/// A short label for a role, for messages.
fn role_label(role: &Role) -> String {
    match role {
        Role::Field { name, .. } | Role::FieldAppearance { name, .. } => format!("field '{name}'"),
        Role::SignatureValue { name } => format!("signature '{name}'"),
        Role::Other(key) => key.clone(),
        Role::Page(n)
        | Role::PageContent(n)
        | Role::PageResources(n)
        | Role::PageAnnots(n)
        | Role::Annotation(n) => {
            format!("page {n}")
        }
        other => format!("{other:?}"),
    }
}

/// The operators of a content stream (ISO 32000-1 §7.8.2), skipping operands: strings, names,
/// arrays, dictionaries and numbers.
fn content_operators(content: &[u8]) -> Vec<Vec<u8>> {
    use crate::pdf::parser::{is_delimiter, is_whitespace};
    let mut ops = Vec::new();
    let mut i = 0;
    while i < content.len() {
        let b = content[i];
        match b {
            _ if is_whitespace(b) => i += 1,
            b'%' => {
                while i < content.len() && content[i] != b'\n' && content[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while i < content.len() {
                    match content[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'<' if content.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if content.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                while i < content.len() && content[i] != b'>' {
                    i += 1;
                }
                i += 1;
            }
            b'/' => {
                i += 1;
                while i < content.len() && !is_whitespace(content[i]) && !is_delimiter(content[i]) {
                    i += 1;
                }
            }
            _ if is_delimiter(b) => i += 1,
            _ => {
                let start = i;
                while i < content.len() && !is_whitespace(content[i]) && !is_delimiter(content[i]) {
                    i += 1;
                }
                let token = &content[start..i];
                if token
                    .first()
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'\'' || *c == b'"')
                {
                    ops.push(token.to_vec());
                }
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_operators_not_operands() {
        let ops = content_operators(
            b"/Tx BMC q 1 1 1 rg 0 0 10 10 re f BT /F1 12 Tf (Do not) Tj ET Q EMC",
        );
        let ops: Vec<&[u8]> = ops.iter().map(|o| o.as_slice()).collect();
        assert_eq!(
            ops,
            vec![
                &b"BMC"[..],
                b"q",
                b"rg",
                b"re",
                b"f",
                b"BT",
                b"Tf",
                b"Tj",
                b"ET",
                b"Q",
                b"EMC"
            ]
        );
        let ops = content_operators(b"q /Im1 Do Q <</A 1>> BDC");
        assert!(ops.iter().any(|o| o == b"Do"));
    }

    #[test]
    fn field_locks() {
        assert!(FieldLock::All.locks("a"));
        assert!(FieldLock::Include(vec!["a".into()]).locks("a"));
        assert!(!FieldLock::Include(vec!["a".into()]).locks("b"));
        assert!(FieldLock::Exclude(vec!["a".into()]).locks("b"));
        assert!(!FieldLock::None.locks("a"));
    }

    #[test]
    fn object_headers_found_at_line_starts() {
        let h = object_headers(b"12 0 obj\n<<>>\nendobj\n(x 3 0 obj) 7 0 obj\n5 2 obj");
        assert_eq!(
            h.iter().map(|(_, n, g)| (*n, *g)).collect::<Vec<_>>(),
            vec![(12, 0), (5, 2)]
        );
    }
}
