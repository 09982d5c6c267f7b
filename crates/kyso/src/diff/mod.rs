//! Difference analysis: what changed after each signature, and whether it was allowed.
//!
//! The model is a whitelist (as pyHanko's): for every revision after the signed one, *every*
//! item the revision defines, redefines or frees — cross-reference entries, members of redefined
//! object streams, trailer entries — is listed ([`changes`]) and must be explained by a named
//! rule ([`rules`]); whatever no rule explains is a disallowed change. Rules look at the
//! revision before and the revision itself through [`graph::Graph`]s read exactly as each
//! revision defines them, and a change to a shared object is allowed only when every use of it
//! in the earlier revision is covered by the rule. An error or a limit hit while analysing is an
//! error (the verdict is INDETERMINATE), never "no change".
//!
//! kyso's policy for approval signatures on a document without DocMDP (ISO 32000-1 §12.8.2.2
//! leaves it open): further signatures, document time-stamps, DSS and metadata are allowed;
//! **form filling and annotations are not**. Official documents are not forms, and both change
//! what a reader sees — the clerk's question is "is what I see what the leader signed?" — and form
//! filling is how the "replace" shadow attack passes in other verifiers. A certification signature
//! opts in: /P 2 allows form filling (with appearances that only draw text), /P 3 annotations too.
//!
//! The verifier ([`crate::verify`]) makes one [`Analyser`] per document, tells it which
//! signature ends at which revision, and asks [`Analyser::changes_after`] for each signature;
//! the [`Modification`]s go into the report, where `crate::text` puts them in words. Facts are
//! [`What`] (with a stable JSON `code`) grouped into [`ChangeKind`]s.
//!
//! # Examples
//!
//! Replace the content of page 1 in an incremental update: the change is found and refused.
//!
//! ```
//! use std::sync::Arc;
//! use kyso::diff::{Analyser, ChangeKind, Permissions};
//! use kyso::pdf::{Dict, Document, IncrementalUpdate, MemorySource, Object};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs/congvan.pdf");
//! let original = std::fs::read(path)?;
//! let doc = Document::open(Arc::new(MemorySource::new(original.clone())))?;
//!
//! // Page 1 now shows other text.
//! let page_ref = doc.pages_at(0)?[0];
//! let mut page = doc.get(page_ref)?.as_dict().expect("a page dictionary").clone();
//! let mut update = IncrementalUpdate::new(&doc);
//! let content = update.allocate();
//! update.set_stream(content, Dict::new(), b"BT /F1 12 Tf 72 720 Td (forged) Tj ET".to_vec());
//! page.set("Contents", Object::Ref(content));
//! update.set(page_ref, Object::Dict(page));
//! let written = update.write(doc.len(), !original.ends_with(b"\n"), None)?;
//!
//! let mut changed = original;
//! changed.extend_from_slice(&written.bytes);
//! let doc = Document::open(Arc::new(MemorySource::new(changed)))?;
//! let mods = Analyser::new(&doc).changes_after(0, &Permissions::default())?;
//! assert!(mods
//!     .iter()
//!     .any(|m| m.kind == ChangeKind::PageContentChanged && m.page == Some(1) && !m.allowed));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod changes;
pub mod graph;
pub mod roles;
pub mod rules;
pub mod words;

use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pdf::{Dict, Document, ObjRef};
pub use words::{ChangeKind, What};

/// One change after a signature.
#[derive(Clone, Debug, Serialize)]
pub struct Modification {
    /// 1-based revision that made the change.
    pub revision: usize,
    /// The coarse category (serialised as `kind`).
    pub kind: ChangeKind,
    /// A stable code for machines, finer than `kind` (e.g. `PAGE_CONTENT_CHANGED`).
    pub code: &'static str,
    /// The object changed, e.g. `12 0 R`.
    pub object: Option<String>,
    /// 1-based page the change is on, when it is on one.
    pub page: Option<usize>,
    /// Fully qualified name of the form field concerned, when one is.
    pub field: Option<String>,
    /// Whether a rule allows the change for the signature judged (see the module docs). A
    /// disallowed change makes the signature's document-integrity check fail.
    pub allowed: bool,
    /// What changed, in plain words (the report's language; filled by `crate::text`).
    pub description: String,
    /// What changed, as a fact.
    #[serde(skip)]
    pub what: What,
}

/// A fact found by the rules, before it is put in words.
#[derive(Clone, Debug)]
pub struct Fact {
    /// What was found.
    pub what: What,
    /// Whether a rule allows it.
    pub allowed: bool,
    /// The object number concerned, when there is one.
    pub object: Option<u32>,
    /// 1-based page, when the change is on one.
    pub page: Option<usize>,
    /// Fully qualified field name, when a field is concerned.
    pub field: Option<String>,
}

impl Fact {
    /// A fact with no object, page or field yet (see [`Fact::on`], [`Fact::page`],
    /// [`Fact::field`]).
    pub fn new(what: What, allowed: bool) -> Fact {
        Fact {
            what,
            allowed,
            object: None,
            page: None,
            field: None,
        }
    }

    /// Names the object concerned.
    pub fn on(mut self, num: u32) -> Fact {
        self.object = Some(num);
        self
    }

    /// Names the 1-based page concerned.
    pub fn page(mut self, page: usize) -> Fact {
        self.page = Some(page);
        self
    }

    /// Names the field concerned.
    pub fn field(mut self, name: &str) -> Fact {
        self.field = Some(name.to_string());
        self
    }

    fn into_modification(self, revision: usize) -> Modification {
        Modification {
            revision,
            kind: self.what.kind(),
            code: self.what.code(),
            object: self.object.map(|n| format!("{n} 0 R")),
            page: self.page,
            field: self.field,
            allowed: self.allowed,
            description: String::new(),
            what: self.what,
        }
    }
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
    /// No FieldMDP lock: nothing locked by field.
    None,
    /// /Action /All: every field is locked.
    All,
    /// /Action /Include: only the named fields are locked.
    Include(Vec<String>),
    /// /Action /Exclude: every field except the named ones is locked.
    Exclude(Vec<String>),
}

impl FieldLock {
    /// Whether the field with fully qualified name `name` is locked.
    pub fn locks(&self, name: &str) -> bool {
        match self {
            FieldLock::None => false,
            FieldLock::All => true,
            FieldLock::Include(names) => names.iter().any(|n| n == name),
            FieldLock::Exclude(names) => !names.iter().any(|n| n == name),
        }
    }

    /// Reads a FieldMDP lock dictionary (/Action, /Fields) as revision `rev` defines it
    /// (ISO 32000-1 §12.8.2.4, Table 256).
    ///
    /// A lock kyso cannot read locks every field (fail closed): /Action missing, not a name or
    /// unknown; /Fields missing or not an array under /Include or /Exclude (it is required
    /// there); a /Fields entry that is not a text string (a field name). Reading a lock that
    /// names fewer fields than it means would let a locked field change without a finding.
    ///
    /// # Errors
    ///
    /// An object of the lock that cannot be read (a broken reference); callers treat the lock as
    /// [`FieldLock::All`] then too.
    pub fn from_dict(doc: &Document, rev: usize, d: &Dict) -> Result<FieldLock> {
        let action = match d.get("Action") {
            Some(a) => doc.resolve_at(rev, a)?,
            None => return Ok(FieldLock::All),
        };
        let include = match action.as_name() {
            Some(b"All") => return Ok(FieldLock::All),
            Some(b"Include") => true,
            Some(b"Exclude") => false,
            // An action kyso does not know, or none: everything is locked.
            _ => return Ok(FieldLock::All),
        };
        let fields = match d.get("Fields") {
            Some(f) => doc.resolve_at(rev, f)?,
            None => return Ok(FieldLock::All),
        };
        let Some(items) = fields.as_array() else {
            return Ok(FieldLock::All);
        };
        let mut names = Vec::with_capacity(items.len());
        for item in items {
            match doc.resolve_at(rev, item)?.as_text() {
                Some(name) => names.push(name),
                None => return Ok(FieldLock::All),
            }
        }
        Ok(if include {
            FieldLock::Include(names)
        } else {
            FieldLock::Exclude(names)
        })
    }
}

/// Judges the revisions of one document; graphs are read once per revision and shared by
/// the signatures judged.
pub struct Analyser<'a> {
    doc: &'a Document,
    graphs: HashMap<usize, Rc<graph::Graph>>,
    /// Revision → the signature dictionaries whose signed part ends with it.
    signed_in: HashMap<usize, Vec<ObjRef>>,
    /// Object stream number → numbers of every object any revision puts in it.
    members: Option<HashMap<u32, Vec<u32>>>,
    /// Words for disallowed changes: what each object did in a revision.
    roles: HashMap<usize, roles::RoleMap>,
}

impl<'a> Analyser<'a> {
    /// An analyser for `doc`; nothing is read until a question is asked.
    pub fn new(doc: &'a Document) -> Self {
        Analyser {
            doc,
            graphs: HashMap::new(),
            signed_in: HashMap::new(),
            members: None,
            roles: HashMap::new(),
        }
    }

    /// Tells the analyser which signature dictionary signs which revision (0-based): a
    /// signature field may take a value only in the revision that value signs.
    pub fn signature_of_revision(&mut self, rev: usize, sig: ObjRef) {
        self.signed_in.entry(rev).or_default().push(sig);
    }

    /// The graph of revision `rev` (0-based), read once and shared (the visual check's
    /// shortcut compares pages through them).
    pub fn revision_graph(&mut self, rev: usize) -> Result<Rc<graph::Graph>> {
        self.graph(rev)
    }

    fn graph(&mut self, rev: usize) -> Result<Rc<graph::Graph>> {
        if let Some(g) = self.graphs.get(&rev) {
            return Ok(g.clone());
        }
        let g = Rc::new(graph::Graph::build(self.doc, rev)?);
        self.graphs.insert(rev, g.clone());
        Ok(g)
    }

    /// Every change after revision `signed_rev` (0-based), judged under `perms`, in revision
    /// order; data after the last `%%EOF` comes last. An empty list means nothing changed.
    ///
    /// # Errors
    ///
    /// A revision that cannot be analysed (unreadable object, broken page tree where it
    /// matters, the work budget spent) is an error — the caller's verdict is INDETERMINATE —
    /// unless a disallowed change was already found in an earlier revision, which then decides.
    pub fn changes_after(
        &mut self,
        signed_rev: usize,
        perms: &Permissions,
    ) -> Result<Vec<Modification>> {
        let mut facts: Vec<(usize, Fact)> = Vec::new();
        for rev in signed_rev + 1..self.doc.revisions.len() {
            match self.revision_facts(rev, perms) {
                Ok(found) => facts.extend(found.into_iter().map(|f| (rev, f))),
                // A later revision that cannot be analysed does not hide a disallowed change
                // already found: that one decides (TOTAL-FAILED rather than INDETERMINATE).
                Err(_) if facts.iter().any(|(_, f)| !f.allowed) => break,
                Err(e) => return Err(e),
            }
        }
        if let Some(f) = changes::trailing_data(self.doc)? {
            facts.push((self.doc.last_revision(), f));
        }
        if self.doc.budget_exhausted() {
            return Err(Error::MalformedPdf(
                "the document is too complex to analyse within kyso's limits".into(),
            ));
        }
        Ok(facts
            .into_iter()
            .map(|(rev, f)| f.into_modification(rev + 1))
            .collect())
    }

    /// The facts of revision `rev` (against `rev - 1`).
    fn revision_facts(&mut self, rev: usize, perms: &Permissions) -> Result<Vec<Fact>> {
        let doc = self.doc;
        let mut facts = changes::objects_without_xref(doc, rev)?;
        facts.extend(changes::trailer_changes(doc, rev));
        if self.members.is_none() {
            self.members = Some(changes::object_stream_members(doc));
        }
        let items = changes::changed_items(doc, rev, self.members.as_ref().expect("set above"));
        if items.is_empty() {
            return Ok(facts);
        }
        let old = self.graph(rev - 1)?;
        let new = self.graph(rev)?;
        if let Err(e) = &old.pages {
            return Err(Error::MalformedPdf(format!(
                "the page tree of revision {} cannot be read: {e}",
                rev
            )));
        }
        // The new revision's page tree broken (a loop, too deep): what a viewer shows cannot be
        // compared, so it is a disallowed change, said as such.
        if let Err(e) = &new.pages {
            facts.push(Fact::new(What::PageTree { detail: e.clone() }, false));
        }
        // No signature ends at this revision: no new signature value can be explained by one.
        let signed_here = self.signed_in.get(&rev).cloned().unwrap_or_default();
        let mut judge = rules::Judge::new(doc, rev, &old, &new, perms, &signed_here);
        for item in items {
            judge.item(item)?;
        }
        let mut unexplained = Vec::new();
        for fact in judge.into_facts() {
            if let What::Unexplained { num, .. } = fact.what {
                unexplained.push((num, fact));
            } else {
                facts.push(fact);
            }
        }
        for (num, fact) in unexplained {
            facts.push(self.describe_by_role(rev, num, fact)?);
        }
        Ok(facts)
    }

    /// Puts a change no rule explains in the words of what the object did before it.
    fn describe_by_role(&mut self, rev: usize, num: u32, fact: Fact) -> Result<Fact> {
        use roles::Role;
        if !self.roles.contains_key(&(rev - 1)) {
            // Words only: a failure to find the role leaves the generic description.
            let map = roles::roles_at(self.doc, rev - 1).unwrap_or_default();
            self.roles.insert(rev - 1, map);
        }
        let map = &self.roles[&(rev - 1)];
        let mut roles: Vec<&Role> = map.get(num).map(|s| s.iter().collect()).unwrap_or_default();
        // The most telling role first: what a page shows, then forms, then the rest.
        let rank = |r: &Role| match r {
            Role::PageContent(n) | Role::PageResources(n) if *n > 0 => 0,
            Role::Annotation(_) | Role::FieldAppearance { .. } => 1,
            Role::Field { .. } | Role::SignatureValue { .. } => 2,
            _ => 3,
        };
        roles.sort_by_key(|r| (rank(r), format!("{r:?}")));
        let what = match roles.first() {
            Some(Role::PageContent(n)) => What::PageContent { page: *n },
            Some(Role::PageResources(n)) if *n > 0 => What::PageResources { page: *n },
            Some(Role::PageResources(_)) | Some(Role::PageTree) => What::PageTree {
                detail: format!("{num} 0 R"),
            },
            Some(Role::Annotation(n)) => What::AnnotationChanged { page: *n },
            Some(Role::FieldAppearance { name, .. }) => What::AppearanceChanged {
                field: name.clone(),
                allowed: false,
            },
            Some(Role::Field { name, .. }) => What::FieldChanged {
                field: name.clone(),
                key: "*".into(),
            },
            Some(Role::SignatureValue { name }) => What::SignatureFieldChanged {
                field: name.clone(),
                key: "V".into(),
            },
            Some(Role::Perms) => What::PermsChanged,
            Some(Role::Other(key)) => What::Unexplained {
                num,
                used_as: key.clone(),
            },
            Some(Role::Page(n)) => What::PageChanged {
                page: *n,
                key: "*".into(),
            },
            Some(other) => What::Unexplained {
                num,
                used_as: match other {
                    Role::Catalog => "/Root",
                    Role::Info => "/Info",
                    Role::Dss => "/DSS",
                    Role::Metadata => "/Metadata",
                    Role::AcroForm => "/AcroForm",
                    Role::FormResources => "/AcroForm /DR",
                    Role::FieldList => "/Fields",
                    _ => "",
                }
                .into(),
            },
            None => fact.what.clone(),
        };
        Ok(Fact { what, ..fact })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pdf::{IncrementalUpdate, MemorySource, Object};

    fn congvan() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/docs/congvan.pdf"
        );
        std::fs::read(path).expect("fixtures/docs/congvan.pdf")
    }

    fn open(bytes: Vec<u8>) -> Document {
        Document::open(Arc::new(MemorySource::new(bytes))).expect("a readable PDF")
    }

    fn dict(s: &str) -> Dict {
        crate::pdf::parser::Parser::new(s.as_bytes(), true)
            .object(0)
            .expect("a dictionary")
            .as_dict()
            .expect("a dictionary")
            .clone()
    }

    fn lock(doc: &Document, s: &str) -> FieldLock {
        FieldLock::from_dict(doc, doc.last_revision(), &dict(s)).expect("no broken reference")
    }

    /// ISO 32000-1 §12.8.2.4, Table 256: a lock read as written.
    #[test]
    fn readable_locks() {
        let doc = open(congvan());
        assert!(matches!(
            lock(&doc, "<< /Action /Include /Fields [(SoTien) <FEFF0041>] >>"),
            FieldLock::Include(n) if n == ["SoTien", "A"]
        ));
        assert!(matches!(
            lock(&doc, "<< /Action /Exclude /Fields [(SoTien)] >>"),
            FieldLock::Exclude(n) if n == ["SoTien"]
        ));
        assert!(matches!(lock(&doc, "<< /Action /All >>"), FieldLock::All));
    }

    /// A lock kyso cannot read locks every field, under /Include as under /Exclude: reading
    /// fewer names would let a locked field change without a finding.
    #[test]
    fn unreadable_locks_lock_everything() {
        let doc = open(congvan());
        for bad in [
            // A name where a field name (text string) is required.
            "<< /Action /Include /Fields [/SoTien] >>",
            "<< /Action /Include /Fields [(A) 5] >>",
            "<< /Action /Exclude /Fields [(A) /SoTien] >>",
            // /Fields not an array, or missing (required under Include and Exclude).
            "<< /Action /Include /Fields (SoTien) >>",
            "<< /Action /Exclude /Fields << /SoTien 1 >> >>",
            "<< /Action /Include >>",
            "<< /Action /Exclude >>",
            // A reference to an object the file does not have is null: not an array.
            "<< /Action /Include /Fields 999999 0 R >>",
            "<< /Action /Include /Fields [999999 0 R] >>",
            // /Action unknown, not a name, or missing (it is required).
            "<< /Action /Lock /Fields [(SoTien)] >>",
            "<< /Action (Include) /Fields [(SoTien)] >>",
            "<< /Fields [(SoTien)] >>",
        ] {
            let l = lock(&doc, bad);
            assert!(matches!(l, FieldLock::All), "{bad} read as {l:?}");
            assert!(l.locks("SoTien") && l.locks("Khac"), "{bad}");
        }
    }

    /// congvan.pdf with a text field `SoTien` = `1.000` (revision 1), then the value changed to
    /// `5.000.000.000` (revision 2).
    fn filled() -> Document {
        let doc = open(congvan());
        let rev = doc.last_revision();
        let page_ref = doc.pages_at(rev).expect("pages")[0];
        let mut page = doc.get(page_ref).expect("page").as_dict().unwrap().clone();
        let mut catalog = doc.catalog_at(rev).expect("catalog");
        let catalog_ref = doc.catalog_ref_at(rev).expect("catalog");
        let mut update = IncrementalUpdate::new(&doc);
        let field = update.allocate();
        let field_dict = |value: &str| {
            let mut f = dict(
                "<< /FT /Tx /T (SoTien) /Type /Annot /Subtype /Widget /Rect [400 700 520 720] >>",
            );
            f.set("V", Object::text(value));
            f.set("P", Object::Ref(page_ref));
            f
        };
        update.set(field, Object::Dict(field_dict("1.000")));
        let mut form = Dict::new();
        form.set("Fields", Object::Array(vec![Object::Ref(field)]));
        catalog.set("AcroForm", Object::Dict(form));
        update.set(catalog_ref, Object::Dict(catalog));
        page.set("Annots", Object::Array(vec![Object::Ref(field)]));
        update.set(page_ref, Object::Dict(page));
        let mut bytes = congvan();
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);

        let doc = open(bytes.clone());
        let mut update = IncrementalUpdate::new(&doc);
        update.set(field, Object::Dict(field_dict("5.000.000.000")));
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);
        open(bytes)
    }

    fn filling(doc: &Document, lock: FieldLock) -> Modification {
        let perms = Permissions {
            docmdp: Some(2),
            lock,
        };
        let mods = Analyser::new(doc)
            .changes_after(1, &perms)
            .expect("analysed");
        assert_eq!(mods.len(), 1, "{mods:#?}");
        mods.into_iter().next().unwrap()
    }

    /// Under a certification with P = 2, filling `SoTien` is allowed unless a lock names it;
    /// a lock with a /Fields entry kyso cannot read (a name, not a string) locks it too.
    #[test]
    fn a_change_to_a_field_under_an_unreadable_lock_is_refused() {
        let doc = filled();
        let open = filling(&doc, FieldLock::None);
        assert_eq!(open.kind, ChangeKind::FormFilled);
        assert!(open.allowed, "{open:#?}");
        let other = filling(&doc, lock(&doc, "<< /Action /Include /Fields [(Khac)] >>"));
        assert!(other.allowed, "{other:#?}");
        for bad in [
            "<< /Action /Include /Fields [/SoTien (Khac)] >>",
            "<< /Action /Exclude /Fields [(Khac) /SoTien] >>",
            "<< /Action /Include /Fields /SoTien >>",
        ] {
            let m = filling(&doc, lock(&doc, bad));
            assert_eq!(m.kind, ChangeKind::FormFilled, "{bad}");
            assert!(!m.allowed, "{bad}: {m:#?}");
            assert!(
                matches!(m.what, What::FormFilled { locked: true, .. }),
                "{bad}: {m:#?}"
            );
        }
    }

    /// congvan.pdf with its page 1 dictionary rewritten by `edit` in an incremental update.
    fn page_edited(edit: impl Fn(&mut Dict)) -> Document {
        let doc = open(congvan());
        let page_ref = doc.pages_at(0).expect("pages")[0];
        let mut page = doc.get(page_ref).expect("page").as_dict().unwrap().clone();
        edit(&mut page);
        let mut update = IncrementalUpdate::new(&doc);
        update.set(page_ref, Object::Dict(page));
        let mut bytes = congvan();
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);
        open(bytes)
    }

    /// An annotation written directly in /Annots (no object of its own) is an annotation all
    /// the same (ISO 32000-1 §12.5.2): adding one after a signature is found and refused.
    #[test]
    fn a_direct_annotation_added_is_refused() {
        let annot = dict(
            "<< /Type /Annot /Subtype /FreeText /Rect [72 480 520 520] /F 4 \
             /DA (/Helv 16 Tf 0 g) /Contents (5.000.000.000) >>",
        );
        let doc =
            page_edited(|p| p.set("Annots", Object::Array(vec![Object::Dict(annot.clone())])));
        let mods = Analyser::new(&doc)
            .changes_after(0, &Permissions::default())
            .expect("analysed");
        assert!(
            mods.iter()
                .any(|m| m.kind == ChangeKind::AnnotationAdded && !m.allowed),
            "{mods:#?}"
        );
    }

    /// A field written directly in /Fields (ISO 32000-1 §12.7.3.1 asks for references) is not
    /// skipped: adding one after a signature is a disallowed change of the form.
    #[test]
    fn a_direct_field_added_is_refused() {
        let doc = open(congvan());
        let mut catalog = doc.catalog_at(0).expect("catalog");
        let catalog_ref = doc.catalog_ref_at(0).expect("catalog");
        catalog.set(
            "AcroForm",
            Object::Dict(dict(
                "<< /Fields [<< /FT /Tx /T (SoTien) /V (5.000.000.000) /Rect [0 0 9 9] >>] >>",
            )),
        );
        let mut update = IncrementalUpdate::new(&doc);
        update.set(catalog_ref, Object::Dict(catalog));
        let mut bytes = congvan();
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);
        let doc = open(bytes);
        for docmdp in [None, Some(2), Some(3)] {
            let perms = Permissions {
                docmdp,
                lock: FieldLock::None,
            };
            let mods = Analyser::new(&doc)
                .changes_after(0, &perms)
                .expect("analysed");
            assert!(
                mods.iter()
                    .any(|m| m.kind == ChangeKind::FormChanged && !m.allowed),
                "{docmdp:?}: {mods:#?}"
            );
        }
    }

    /// A direct annotation changed in place is refused after an approval signature and allowed
    /// under DocMDP P = 3 (annotations), as an indirect one is.
    #[test]
    fn a_direct_annotation_changed_is_judged_by_value() {
        let note = |text: &str| {
            let mut a = dict("<< /Type /Annot /Subtype /Text /Rect [0 0 20 20] >>");
            a.set("Contents", Object::text(text));
            Object::Dict(a)
        };
        // Revision 1 has the note; revision 2 changes its text.
        let first = page_edited(|p| p.set("Annots", Object::Array(vec![note("ok")])));
        let page_ref = first.pages_at(1).expect("pages")[0];
        let mut page = first
            .get(page_ref)
            .expect("page")
            .as_dict()
            .unwrap()
            .clone();
        page.set("Annots", Object::Array(vec![note("5.000.000.000")]));
        let mut update = IncrementalUpdate::new(&first);
        update.set(page_ref, Object::Dict(page));
        let mut bytes = first.source().read_vec(0, first.len() as usize).unwrap();
        let written = update
            .write(first.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);
        let doc = open(bytes);
        let judged = |docmdp| {
            let perms = Permissions {
                docmdp,
                lock: FieldLock::None,
            };
            Analyser::new(&doc)
                .changes_after(1, &perms)
                .expect("analysed")
        };
        let mods = judged(None);
        assert!(
            mods.iter()
                .any(|m| m.kind == ChangeKind::AnnotationAdded && !m.allowed)
                && mods
                    .iter()
                    .any(|m| m.kind == ChangeKind::AnnotationRemoved && !m.allowed),
            "{mods:#?}"
        );
        let mods = judged(Some(3));
        assert!(
            !mods.is_empty() && mods.iter().all(|m| m.allowed),
            "{mods:#?}"
        );
    }

    /// `bytes` with an update that rewrites page 1 as it was (no change), without its `%%EOF`
    /// line when `eof` is false.
    fn no_op_update(mut bytes: Vec<u8>, eof: bool) -> Vec<u8> {
        let doc = open(bytes.clone());
        let page_ref = doc.pages_at(doc.last_revision()).expect("pages")[0];
        let page = doc.get(page_ref).expect("page");
        let mut update = IncrementalUpdate::new(&doc);
        update.set(page_ref, page);
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        let mut tail = written.bytes;
        if !eof {
            let at = tail
                .windows(5)
                .rposition(|w| w == b"%%EOF")
                .expect("a %%EOF line");
            tail.truncate(at);
        }
        bytes.extend_from_slice(&tail);
        bytes
    }

    /// An object appended after the last revision is found whether or not that revision ends
    /// with `%%EOF` (ISO 32000-1 §7.5.5); without the marker, `startxref N` alone may follow.
    #[test]
    fn data_after_a_last_revision_without_eof_is_found() {
        let clean = open(no_op_update(congvan(), false));
        assert!(clean.revisions.last().unwrap().end.is_none());
        let mods = Analyser::new(&clean)
            .changes_after(0, &Permissions::default())
            .expect("analysed");
        assert!(mods.is_empty(), "{mods:#?}");

        let mut bytes = no_op_update(congvan(), false);
        bytes.extend_from_slice(b"99 0 obj\n(5.000.000.000)\nendobj\n");
        let doc = open(bytes);
        let mods = Analyser::new(&doc)
            .changes_after(0, &Permissions::default())
            .expect("analysed");
        assert!(
            mods.iter()
                .any(|m| m.kind == ChangeKind::TrailingData && !m.allowed),
            "{mods:#?}"
        );
    }

    /// An object between two updates that no cross-reference entry lists is found although the
    /// update before it has no `%%EOF` line (ISO 32000-1 §7.5.6).
    #[test]
    fn an_object_without_xref_after_a_revision_without_eof_is_found() {
        let mut bytes = no_op_update(congvan(), false);
        bytes.extend_from_slice(b"98 0 obj\n(5.000.000.000)\nendobj\n");
        let doc = open(no_op_update(bytes, true));
        assert_eq!(doc.revisions.len(), 3);
        assert!(doc.revisions[1].end.is_none());
        let mods = Analyser::new(&doc)
            .changes_after(0, &Permissions::default())
            .expect("analysed");
        assert!(
            mods.iter()
                .any(|m| m.kind == ChangeKind::ObjectWithoutXref && !m.allowed),
            "{mods:#?}"
        );
    }

    /// A page whose /Annots array (signed revision) cannot be read, then replaced by an empty
    /// one: what the signer saw there is unknown, so the analysis is an error (INDETERMINATE),
    /// never "there were no annotations".
    #[test]
    fn an_unreadable_signed_value_is_an_error_not_absent() {
        let doc = open(congvan());
        let page_ref = doc.pages_at(0).expect("pages")[0];
        let mut page = doc.get(page_ref).expect("page").as_dict().unwrap().clone();
        let mut update = IncrementalUpdate::new(&doc);
        let annots = update.allocate();
        update.set_raw(annots, b"[ << /Subtype /Text /Rect [0 0 9 9] ".to_vec());
        page.set("Annots", Object::Ref(annots));
        update.set(page_ref, Object::Dict(page.clone()));
        let mut bytes = congvan();
        let written = update
            .write(doc.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);

        let signed = open(bytes.clone());
        assert!(signed.get(annots).is_err(), "the array must be unreadable");
        let mut update = IncrementalUpdate::new(&signed);
        page.set("Annots", Object::Array(Vec::new()));
        update.set(page_ref, Object::Dict(page));
        let written = update
            .write(signed.len(), !bytes.ends_with(b"\n"), None)
            .expect("update written");
        bytes.extend_from_slice(&written.bytes);
        let doc = open(bytes);
        let judged = Analyser::new(&doc).changes_after(1, &Permissions::default());
        assert!(judged.is_err(), "{judged:#?}");
    }
}
