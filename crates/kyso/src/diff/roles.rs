//! What each object *does* in one revision: found by walking the object graph from the trailer
//! (ISO 32000-1 §7.7: catalog, page tree, interactive form) through that revision's
//! cross-reference data. An object can have several roles (shared objects); an object with none is
//! not used by the document at that revision.
//!
//! Words only: the map names what a change no rule explains did (`Analyser::describe_by_role`);
//! an object it cannot read or reach keeps the generic description, and the change stays
//! disallowed whatever the map says.

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::pdf::{Dict, Document, ObjRef, Object};

/// Bound on objects visited in one walk (hostile files).
const MAX_NODES: usize = 2_000_000;
/// Bound on nesting while walking.
const MAX_DEPTH: usize = 64;

/// The part an object plays in the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The document catalog (/Root).
    Catalog,
    /// The document information dictionary (trailer /Info).
    Info,
    /// An intermediate /Pages node.
    PageTree,
    /// A page dictionary (1-based page number).
    Page(usize),
    /// A page's content stream (or its array).
    PageContent(usize),
    /// Anything under a page's /Resources: fonts, images, form XObjects...
    PageResources(usize),
    /// A page's /Annots array.
    PageAnnots(usize),
    /// A non-widget annotation on a page (and everything under it).
    Annotation(usize),
    /// The interactive form dictionary.
    AcroForm,
    /// /AcroForm /Fields array (or a field's /Kids array).
    FieldList,
    /// A form field or widget (fully qualified field name, and whether it is a signature field).
    Field {
        /// Fully qualified field name.
        name: String,
        /// Whether it is a signature field (/FT /Sig, possibly inherited).
        signature: bool,
    },
    /// A field's or widget's appearance (streams and dictionaries under /AP).
    FieldAppearance {
        /// Fully qualified name of the field the appearance belongs to.
        name: String,
        /// Whether that field is a signature field.
        signature: bool,
    },
    /// The value dictionary of a signed signature field.
    SignatureValue {
        /// Fully qualified name of the signature field.
        name: String,
    },
    /// /AcroForm /DR and other form-level resources.
    FormResources,
    /// The document security store (PAdES, ETSI EN 319 142-1 §5.4.2).
    Dss,
    /// XMP metadata.
    Metadata,
    /// /Perms (DocMDP pointer).
    Perms,
    /// Anything else reachable from the catalog, with the key it hangs from (e.g. "/Names").
    Other(String),
}

/// Roles of every object used at one revision.
#[derive(Debug, Default)]
pub struct RoleMap {
    /// Object number → every role it plays; absent when unused at this revision.
    pub roles: HashMap<u32, HashSet<Role>>,
    /// Page references in order.
    pub pages: Vec<ObjRef>,
}

impl RoleMap {
    /// The roles of object `num`, `None` when the revision does not use it.
    pub fn get(&self, num: u32) -> Option<&HashSet<Role>> {
        self.roles.get(&num)
    }
}

/// Pages, annotations and form fields are owned by the page tree and the form; other
/// references to them are pointers.
fn is_pointer_target(obj: &Object) -> bool {
    let Some(d) = obj.as_dict() else { return false };
    d.has_name("Type", "Page")
        || d.has_name("Type", "Pages")
        || d.has_name("Type", "Annot")
        || d.get("Subtype").is_some_and(|_| d.get("Rect").is_some())
        || d.get("FT").is_some()
}

struct Walker<'a> {
    doc: &'a Document,
    rev: usize,
    map: RoleMap,
    /// (object, role) pairs already walked.
    seen: HashSet<(u32, Role)>,
    nodes: usize,
}

/// Walks revision `rev` of `doc`.
pub fn roles_at(doc: &Document, rev: usize) -> Result<RoleMap> {
    let mut w = Walker {
        doc,
        rev,
        map: RoleMap::default(),
        seen: HashSet::new(),
        nodes: 0,
    };
    let trailer = doc.revisions[rev].trailer.clone();
    for (key, value) in trailer.iter() {
        match key {
            b"Info" => w.subtree(value, &Role::Info, 0)?,
            // Structure of the file itself, not of the document.
            b"Root" | b"Size" | b"Prev" | b"ID" | b"Encrypt" | b"XRefStm" | b"Type" | b"W"
            | b"Index" | b"Length" | b"Filter" | b"DecodeParms" => {}
            other => {
                let role = Role::Other(format!("trailer /{}", String::from_utf8_lossy(other)));
                w.subtree(value, &role, 0)?
            }
        }
    }
    let catalog_ref = doc.catalog_ref_at(rev)?;
    w.mark(catalog_ref.num, Role::Catalog);
    let catalog = doc.catalog_at(rev)?;
    w.map.pages = doc.pages_at(rev).unwrap_or_default();
    for (key, value) in catalog.iter() {
        match key {
            b"Pages" => w.page_tree(value, 0)?,
            b"AcroForm" => w.acroform(value)?,
            b"DSS" => w.subtree(value, &Role::Dss, 0)?,
            b"Metadata" => w.subtree(value, &Role::Metadata, 0)?,
            b"Perms" => w.subtree(value, &Role::Perms, 0)?,
            other => {
                let role = Role::Other(format!("/{}", String::from_utf8_lossy(other)));
                w.subtree(value, &role, 0)?
            }
        }
    }
    let pages = w.map.pages.clone();
    for (i, page) in pages.iter().enumerate() {
        w.page(*page, i + 1)?;
    }
    Ok(w.map)
}

impl Walker<'_> {
    fn mark(&mut self, num: u32, role: Role) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return false;
        }
        if !self.seen.insert((num, role.clone())) {
            return false;
        }
        self.map.roles.entry(num).or_default().insert(role);
        true
    }

    /// Marks every indirect object reachable from `obj` with `role`.
    fn subtree(&mut self, obj: &Object, role: &Role, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        match obj {
            Object::Ref(r) => {
                if self.seen.contains(&(r.num, role.clone())) {
                    return Ok(());
                }
                let inner = self.doc.get_at(self.rev, *r).unwrap_or(Object::Null);
                // Outlines, destinations, the structure tree... point at pages, annotations
                // and fields without owning them: those keep the roles their owners give.
                if is_pointer_target(&inner) && !matches!(role, Role::Annotation(_)) {
                    return Ok(());
                }
                if self.mark(r.num, role.clone()) {
                    self.subtree(&inner, role, depth + 1)?;
                }
            }
            Object::Array(items) => {
                for item in items {
                    self.subtree(item, role, depth + 1)?;
                }
            }
            Object::Dict(d) => self.dict_subtree(d, role, depth)?,
            Object::Stream(s) => self.dict_subtree(&s.dict, role, depth)?,
            _ => {}
        }
        Ok(())
    }

    fn dict_subtree(&mut self, d: &Dict, role: &Role, depth: usize) -> Result<()> {
        for (key, value) in d.iter() {
            // Back-pointers lead out of the subtree.
            if matches!(key, b"Parent" | b"P") {
                continue;
            }
            self.subtree(value, role, depth + 1)?;
        }
        Ok(())
    }

    fn page_tree(&mut self, node: &Object, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let Some(r) = node.as_ref() else {
            return Ok(());
        };
        let Some(dict) = self.doc.resolve_dict_at(self.rev, node).ok().flatten() else {
            return Ok(());
        };
        if let Some(kids) = dict.get("Kids") {
            if !self.mark(r.num, Role::PageTree) {
                return Ok(());
            }
            if let Some(kr) = kids.as_ref() {
                self.mark(kr.num, Role::PageTree);
            }
            let kids = self.doc.resolve_at(self.rev, kids).unwrap_or(Object::Null);
            for kid in kids.as_array().unwrap_or(&[]) {
                self.page_tree(kid, depth + 1)?;
            }
            // Inheritable attributes on intermediate nodes (ISO 32000-1 §7.7.3.4).
            for key in ["Resources", "MediaBox", "CropBox", "Rotate"] {
                if let Some(v) = dict.get(key) {
                    self.subtree(v, &Role::PageResources(0), depth + 1)?;
                }
            }
        }
        Ok(())
    }

    fn page(&mut self, page: ObjRef, n: usize) -> Result<()> {
        if !self.mark(page.num, Role::Page(n)) {
            return Ok(());
        }
        let Some(dict) = self
            .doc
            .resolve_dict_at(self.rev, &Object::Ref(page))
            .ok()
            .flatten()
        else {
            return Ok(());
        };
        for (key, value) in dict.iter() {
            match key {
                b"Parent" => {}
                b"Contents" => self.subtree(value, &Role::PageContent(n), 1)?,
                b"Annots" => {
                    if let Some(r) = value.as_ref() {
                        self.mark(r.num, Role::PageAnnots(n));
                    }
                    let annots = self.doc.resolve_at(self.rev, value).unwrap_or(Object::Null);
                    for annot in annots.as_array().unwrap_or(&[]) {
                        self.annotation(annot, n)?;
                    }
                }
                _ => self.subtree(value, &Role::PageResources(n), 1)?,
            }
        }
        Ok(())
    }

    fn annotation(&mut self, annot: &Object, page: usize) -> Result<()> {
        let Some(dict) = self.doc.resolve_dict_at(self.rev, annot).ok().flatten() else {
            return Ok(());
        };
        if dict.has_name("Subtype", "Widget") {
            // Widgets are walked with their fields (below, from /AcroForm); a widget no field
            // owns is an ordinary annotation.
            if self.owned_by_field(annot) {
                return Ok(());
            }
        }
        self.subtree_skipping_parent(annot, &Role::Annotation(page))
    }

    fn owned_by_field(&self, annot: &Object) -> bool {
        annot
            .as_ref()
            .and_then(|r| self.map.roles.get(&r.num))
            .is_some_and(|roles| roles.iter().any(|r| matches!(r, Role::Field { .. })))
    }

    fn subtree_skipping_parent(&mut self, obj: &Object, role: &Role) -> Result<()> {
        if let Some(r) = obj.as_ref() {
            if !self.mark(r.num, role.clone()) {
                return Ok(());
            }
        }
        if let Some(d) = self.doc.resolve_dict_at(self.rev, obj).ok().flatten() {
            self.dict_subtree(&d, role, 1)?;
        }
        Ok(())
    }

    fn acroform(&mut self, value: &Object) -> Result<()> {
        if let Some(r) = value.as_ref() {
            self.mark(r.num, Role::AcroForm);
        }
        let Some(form) = self.doc.resolve_dict_at(self.rev, value).ok().flatten() else {
            return Ok(());
        };
        for (key, v) in form.iter() {
            match key {
                b"Fields" => {
                    if let Some(r) = v.as_ref() {
                        self.mark(r.num, Role::FieldList);
                    }
                    let fields = self.doc.resolve_at(self.rev, v).unwrap_or(Object::Null);
                    for f in fields.as_array().unwrap_or(&[]) {
                        self.field(f, "", None, 0)?;
                    }
                }
                _ => self.subtree(v, &Role::FormResources, 1)?,
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        obj: &Object,
        parent: &str,
        parent_ft: Option<&[u8]>,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let Some(dict) = self.doc.resolve_dict_at(self.rev, obj).ok().flatten() else {
            return Ok(());
        };
        let name = match dict.get("T").and_then(Object::as_text) {
            Some(t) if parent.is_empty() => t,
            Some(t) => format!("{parent}.{t}"),
            None => parent.to_string(),
        };
        let ft = dict
            .name("FT")
            .map(<[u8]>::to_vec)
            .or(parent_ft.map(<[u8]>::to_vec));
        let signature = ft.as_deref() == Some(b"Sig");
        if let Some(r) = obj.as_ref() {
            if !self.mark(
                r.num,
                Role::Field {
                    name: name.clone(),
                    signature,
                },
            ) {
                return Ok(());
            }
        }
        for (key, v) in dict.iter() {
            match key {
                b"Parent" | b"P" => {}
                b"Kids" => {
                    if let Some(r) = v.as_ref() {
                        self.mark(r.num, Role::FieldList);
                    }
                    let kids = self.doc.resolve_at(self.rev, v).unwrap_or(Object::Null);
                    for kid in kids.as_array().unwrap_or(&[]) {
                        self.field(kid, &name, ft.as_deref(), depth + 1)?;
                    }
                }
                b"V" if signature => {
                    self.subtree(v, &Role::SignatureValue { name: name.clone() }, 1)?
                }
                b"AP" => self.subtree(
                    v,
                    &Role::FieldAppearance {
                        name: name.clone(),
                        signature,
                    },
                    1,
                )?,
                _ => self.subtree(
                    v,
                    &Role::Field {
                        name: name.clone(),
                        signature,
                    },
                    1,
                )?,
            }
        }
        Ok(())
    }
}
