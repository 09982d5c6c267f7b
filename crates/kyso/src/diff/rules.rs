//! The rules that explain changes. Each changed object is looked up by what it was in the
//! revision before (catalog, form, field list, page, /Annots array, field or widget, or an
//! object used only under one entry: DSS, XMP metadata, document information, a field's
//! appearance, an annotation, form resources) and judged key by key; an object or a key no rule
//! speaks of is a disallowed change ([`What::Unexplained`] and friends).
//!
//! Allowed, at most (ISO 32000-1 §12.8.2.2 DocMDP, §12.8.2.4 FieldMDP; ETSI EN 319 142-1 §5.4):
//! - a new signature or document time-stamp: its field and widget, the /Fields and /Annots
//!   appends, /SigFlags, an empty signature field taking its value and appearance, only in the
//!   revision that value signs, with a value no other field uses;
//! - empty invisible signature fields;
//! - DSS (and VRI), XMP metadata of the catalog, document information, /Extensions additions;
//! - under DocMDP P ≥ 2 form filling (values, states, appearances that draw only text), FieldMDP
//!   locks honoured; under P = 3 annotations.

use std::collections::{HashMap, HashSet};

use super::changes::Item;
use super::graph::{read_slot, refs_in, Graph, TRAILER};
use super::{Fact, Permissions, What};
use crate::error::{Error, Result};
use crate::pdf::{Dict, Document, ObjRef, Object};

/// Annotation flags that hide a widget (ISO 32000-1 §12.5.3, Table 165: Hidden, NoView).
const HIDDEN_FLAGS: i64 = 2 | 32;

/// Judges the items of one revision against the revision before.
pub struct Judge<'a> {
    doc: &'a Document,
    rev: usize,
    old: &'a Graph,
    new: &'a Graph,
    perms: &'a Permissions,
    /// Signature dictionaries whose signed part ends with this revision.
    signed_here: &'a [ObjRef],
    facts: Vec<Fact>,
    /// Lazily computed "only used under" sets of the old revision.
    exclusive: HashMap<&'static str, HashSet<u32>>,
    appearance_owner: Option<HashMap<u32, u32>>,
    annotation_owner: Option<HashMap<u32, usize>>,
    new_fields_judged: bool,
}

impl<'a> Judge<'a> {
    /// A judge of revision `rev` (its graph `new`) against the revision before (`old`), under
    /// `perms`; `signed_here` are the signature dictionaries that sign exactly `rev`.
    pub fn new(
        doc: &'a Document,
        rev: usize,
        old: &'a Graph,
        new: &'a Graph,
        perms: &'a Permissions,
        signed_here: &'a [ObjRef],
    ) -> Self {
        Judge {
            doc,
            rev,
            old,
            new,
            perms,
            signed_here,
            facts: Vec::new(),
            exclusive: HashMap::new(),
            appearance_owner: None,
            annotation_owner: None,
            new_fields_judged: false,
        }
    }

    /// The facts found so far, in the order found.
    pub fn into_facts(self) -> Vec<Fact> {
        self.facts
    }

    fn push(&mut self, fact: Fact) {
        self.facts.push(fact);
    }

    /// Judges one item of the revision.
    pub fn item(&mut self, item: Item) -> Result<()> {
        match item {
            Item::Freed(num) => self.freed(num),
            Item::Defined(num) => self.defined(num),
        }
    }

    /// Freeing an object (ISO 32000-1 §7.5.4) is never explained: signing tools add and
    /// redefine, they do not free. Even an object nothing refers to, such as an older
    /// cross-reference stream, stays as it was signed (pyHanko's policy too).
    fn freed(&mut self, num: u32) -> Result<()> {
        self.push(Fact::new(What::ObjectDeleted { num }, false).on(num));
        Ok(())
    }

    fn defined(&mut self, num: u32) -> Result<()> {
        let Some(old_node) = self.old.nodes.get(&num) else {
            return self.defined_unused(num);
        };
        let old = match &old_node.value {
            Ok(v) => v.clone(),
            Err(e) => {
                return Err(Error::MalformedPdf(format!(
                    "object {num} of revision {} cannot be read: {e}",
                    self.rev
                )))
            }
        };
        let Some(new) = self.new_value(num)? else {
            return Ok(());
        };
        if same_object(self.doc, &old, &new) {
            return Ok(());
        }
        self.changed(num, &old, &new)
    }

    /// Object `num` as this revision defines it; `None` (with a broken-reference fact) when its
    /// cross-reference entry does not lead to it.
    fn new_value(&mut self, num: u32) -> Result<Option<Object>> {
        let new = match self.new.nodes.get(&num) {
            Some(n) => n.value.clone(),
            None => read_slot(self.doc, self.rev, num)?,
        };
        Ok(match new {
            Ok(v) => Some(v),
            Err(detail) => {
                self.push(Fact::new(What::BrokenReference { num, detail }, false).on(num));
                None
            }
        })
    }

    /// An object the revision before did not use (nor refer to). A new one changes nothing by
    /// itself — it matters only through a changed object that refers to it — but it must be
    /// readable where the cross-reference entry says. One the revision before defined (unused)
    /// must stay as it was: no rule explains rewriting it.
    fn defined_unused(&mut self, num: u32) -> Result<()> {
        let Some(new) = self.new_value(num)? else {
            return Ok(());
        };
        let defined_before = matches!(
            self.doc.entry_at(self.rev - 1, num),
            Some(
                crate::pdf::xref::XrefEntry::InUse { .. }
                    | crate::pdf::xref::XrefEntry::Compressed { .. }
            )
        );
        if !defined_before {
            return Ok(());
        }
        let old = match read_slot(self.doc, self.rev - 1, num)? {
            Ok(v) => v,
            // Unreadable before, readable now: something was put there.
            Err(_) => Object::Null,
        };
        // Compared as written: nothing explains rewriting an object nobody uses.
        let unchanged = match (&old, &new) {
            (Object::Stream(_), Object::Stream(_)) => same_object(self.doc, &old, &new),
            _ => old == new,
        };
        if !unchanged {
            self.push(
                Fact::new(
                    What::Unexplained {
                        num,
                        used_as: "unused".into(),
                    },
                    false,
                )
                .on(num),
            );
        }
        Ok(())
    }

    /// An object used by the revision before, now different: find the rule.
    fn changed(&mut self, num: u32, old: &Object, new: &Object) -> Result<()> {
        if Some(num) == self.old.catalog {
            return self.catalog(num, old, new);
        }
        if Some(num) == self.old.acroform {
            return self.acroform(num, old.as_dict(), new.as_dict());
        }
        if self.old.field_arrays.contains(&num) {
            let (o, n) = (old.clone(), new.clone());
            return self.field_list(num, &o, &n);
        }
        if let Some(&page) = self.old.page_of.get(&num) {
            return self.page(num, page, old, new);
        }
        if let Some(&page) = self.old.annots_arrays.get(&num) {
            return self.annots(num, page, old, new);
        }
        if let Some(field) = self.old.fields.get(&num).cloned() {
            return self.field(num, &field, old, new);
        }
        if self.in_exclusive("DSS", num) {
            self.push(Fact::new(What::Dss, true).on(num));
            return Ok(());
        }
        if self.in_exclusive("Metadata", num) {
            self.push(Fact::new(What::Metadata, true).on(num));
            return Ok(());
        }
        if self.in_exclusive("Info", num) {
            self.push(Fact::new(What::DocumentInfo, true).on(num));
            return Ok(());
        }
        if let Some(widget) = self.appearance_owner(num) {
            return self.appearance(num, widget, new);
        }
        if let Some(page) = self.annotation_owner(num) {
            let allowed = self.perms.docmdp == Some(3);
            self.push(
                Fact::new(What::AnnotationChanged { page }, allowed)
                    .on(num)
                    .page(page),
            );
            return Ok(());
        }
        if self.in_exclusive("DR", num) && extends(old, new) {
            self.push(Fact::new(What::FormResources, self.perms.docmdp != Some(1)).on(num));
            return Ok(());
        }
        self.push(
            Fact::new(
                What::Unexplained {
                    num,
                    used_as: String::new(),
                },
                false,
            )
            .on(num),
        );
        Ok(())
    }

    /// The value of `key` in the old dictionary (old revision) and the new one (new revision),
    /// one reference followed; `null` when absent.
    ///
    /// # Errors
    ///
    /// A value its revision cannot read: the analysis cannot say what changed (INDETERMINATE),
    /// rather than judging it as absent.
    fn entry_pair(&self, o: &Dict, n: &Dict, key: &str) -> Result<(Object, Object)> {
        // Absent and null are the same entry (ISO 32000-1 §7.3.9); unreadable is not absent:
        // `old_entry` errs, and `new_entry`'s unreadable object is a BrokenReference fact.
        Ok((
            self.old_entry(o, key)?.unwrap_or(Object::Null),
            self.new_entry(n, key)?.unwrap_or(Object::Null),
        ))
    }

    /// The value of `key` in a dictionary of the revision before (one reference followed);
    /// `None` when absent. An object that revision cannot read is an error (the verdict is
    /// INDETERMINATE): what the signer saw there is unknown, so it is not "absent".
    fn old_entry(&self, d: &Dict, key: &str) -> Result<Option<Object>> {
        let Some(v) = d.get(key) else {
            return Ok(None);
        };
        let Object::Ref(r) = v else {
            return Ok(Some(v.clone()));
        };
        let read = match self.old.nodes.get(&r.num) {
            Some(node) => node.value.clone(),
            None => read_slot(self.doc, self.rev - 1, r.num)?,
        };
        read.map(Some).map_err(|e| {
            Error::MalformedPdf(format!(
                "/{key} of revision {} cannot be read: {e}",
                self.rev
            ))
        })
    }

    /// The value of `key` in a dictionary of this revision (one reference followed); `None`
    /// when absent or unreadable. Every caller judges a new value that is missing as a
    /// disallowed change or as nothing added, and an unreadable object this revision defines
    /// is a [`What::BrokenReference`] of its own.
    fn new_entry(&self, d: &Dict, key: &str) -> Result<Option<Object>> {
        let Some(v) = d.get(key) else {
            return Ok(None);
        };
        let Object::Ref(r) = v else {
            return Ok(Some(v.clone()));
        };
        Ok(match self.new.nodes.get(&r.num) {
            Some(node) => node.value.clone().ok(),
            None => read_slot(self.doc, self.rev, r.num)?.ok(),
        })
    }

    // --- "used only under" -------------------------------------------------------------------

    /// Whether `num` is used, in the revision before, only under the named entry: catalog /DSS,
    /// catalog /Metadata, trailer /Info, /AcroForm /DR.
    fn in_exclusive(&mut self, which: &'static str, num: u32) -> bool {
        if !self.exclusive.contains_key(which) {
            let (holder, key): (Option<u32>, &[u8]) = match which {
                "DSS" => (self.old.catalog, b"DSS"),
                "Metadata" => (self.old.catalog, b"Metadata"),
                "Info" => (Some(TRAILER), b"Info"),
                _ => (self.old.acroform.or(self.old.catalog), b"DR"),
            };
            let set = match holder {
                // A direct /AcroForm holds /DR inside the catalog's AcroForm entry.
                Some(h) if which == "DR" && self.old.acroform.is_none() => {
                    let roots: Vec<u32> = self
                        .old
                        .catalog_dict()
                        .and_then(|c| c.get("AcroForm").and_then(Object::as_dict).cloned())
                        .and_then(|f| f.get("DR").cloned())
                        .map(|v| refs_in(&v).into_iter().map(|r| r.num).collect())
                        .unwrap_or_default();
                    self.old
                        .exclusive(&roots, &|p, k| p == h && k == b"AcroForm")
                }
                Some(h) => self.old.exclusive_under(h, key),
                None => HashSet::new(),
            };
            self.exclusive.insert(which, set);
        }
        self.exclusive[which].contains(&num)
    }

    /// The widget (or merged field) whose /AP alone uses `num`, in the revision before.
    fn appearance_owner(&mut self, num: u32) -> Option<u32> {
        if self.appearance_owner.is_none() {
            let mut map = HashMap::new();
            for &w in self.old.fields.keys() {
                for n in self.old.exclusive_under(w, b"AP") {
                    map.insert(n, w);
                }
            }
            self.appearance_owner = Some(map);
        }
        self.appearance_owner.as_ref()?.get(&num).copied()
    }

    /// The page of the annotation whose subtree alone uses `num`, in the revision before.
    fn annotation_owner(&mut self, num: u32) -> Option<usize> {
        if self.annotation_owner.is_none() {
            let mut map = HashMap::new();
            let old = self.old;
            for (&a, &page) in &old.annotations {
                let entry = |p: u32, k: &[u8]| {
                    old.annots_arrays.contains_key(&p)
                        || (old.page_of.contains_key(&p) && k == b"Annots")
                        // Popups and their parents point at each other.
                        || (old.annotations.contains_key(&p) && (k == b"Popup" || k == b"Parent" || k == b"IRT"))
                };
                for n in old.exclusive(&[a], &entry) {
                    map.insert(n, page);
                }
            }
            self.annotation_owner = Some(map);
        }
        self.annotation_owner.as_ref()?.get(&num).copied()
    }

    // --- the catalog and the form ------------------------------------------------------------

    fn catalog(&mut self, num: u32, old: &Object, new: &Object) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.push(Fact::new(What::CatalogChanged { key: "Type".into() }, false).on(num));
            return Ok(());
        };
        for key in changed_keys(o, n) {
            match key.as_str() {
                "DSS" => self.push(Fact::new(What::Dss, true).on(num)),
                "Metadata" => self.push(Fact::new(What::Metadata, true).on(num)),
                "AcroForm" => {
                    // Absent or not a dictionary: no form (what a viewer sees); unreadable: an
                    // error, never "no form before".
                    let od = self
                        .old_entry(o, "AcroForm")?
                        .as_ref()
                        .and_then(Object::as_dict)
                        .cloned();
                    let nd = self
                        .new_entry(n, "AcroForm")?
                        .as_ref()
                        .and_then(Object::as_dict)
                        .cloned();
                    let empty = Dict::new();
                    match nd {
                        Some(nd) => {
                            self.acroform(num, Some(od.as_ref().unwrap_or(&empty)), Some(&nd))?
                        }
                        None => self.push(
                            Fact::new(
                                What::FormChanged {
                                    key: "AcroForm".into(),
                                },
                                false,
                            )
                            .on(num),
                        ),
                    }
                }
                "Extensions" => {
                    let allowed = match (o.get("Extensions"), n.get("Extensions")) {
                        (None, Some(_)) => true,
                        (Some(a), Some(b)) => extends(
                            self.old.resolve(a).unwrap_or(&Object::Null),
                            self.new.resolve(b).unwrap_or(&Object::Null),
                        ),
                        _ => false,
                    };
                    self.push(if allowed {
                        Fact::new(What::Extensions, true).on(num)
                    } else {
                        Fact::new(What::CatalogChanged { key }, false).on(num)
                    });
                }
                "Perms" => self.push(Fact::new(What::PermsChanged, false).on(num)),
                "Pages" => self.push(
                    Fact::new(
                        What::PageTree {
                            detail: "/Pages".into(),
                        },
                        false,
                    )
                    .on(num),
                ),
                _ => self.push(Fact::new(What::CatalogChanged { key }, false).on(num)),
            }
        }
        Ok(())
    }

    /// The interactive form dictionary (ISO 32000-1 §12.7.2, Table 218).
    fn acroform(&mut self, num: u32, old: Option<&Dict>, new: Option<&Dict>) -> Result<()> {
        let (Some(o), Some(n)) = (old, new) else {
            self.push(
                Fact::new(
                    What::FormChanged {
                        key: "AcroForm".into(),
                    },
                    false,
                )
                .on(num),
            );
            return Ok(());
        };
        let (o, n) = (o.clone(), n.clone());
        for key in changed_keys(&o, &n) {
            match key.as_str() {
                "Fields" => {
                    let (ov, nv) = self.entry_pair(&o, &n, "Fields")?;
                    self.field_list(num, &ov, &nv)?;
                }
                // SignaturesExist | AppendOnly (Table 219): they change nothing shown.
                "SigFlags" => self.push(Fact::new(What::FormFlags, true).on(num)),
                "DR" => {
                    let ov = self.old_entry(&o, "DR")?;
                    let nv = self.new_entry(&n, "DR")?;
                    let allowed = match (ov, nv) {
                        (None, Some(_)) => true,
                        (Some(a), Some(b)) => self.keeps_fonts(&a, &b)?,
                        _ => false,
                    } && self.perms.docmdp != Some(1);
                    self.push(if allowed {
                        Fact::new(What::FormResources, true).on(num)
                    } else {
                        Fact::new(What::FormChanged { key }, false).on(num)
                    });
                }
                "DA" if o.get("DA").is_none() => {
                    self.push(Fact::new(What::FormResources, true).on(num))
                }
                // Viewers would redraw every field from its value: the signed look is gone.
                "NeedAppearances" if n.get("NeedAppearances") != Some(&Object::Bool(false)) => {
                    self.push(Fact::new(What::NeedAppearances, false).on(num))
                }
                "NeedAppearances" => {}
                _ => self.push(Fact::new(What::FormChanged { key }, false).on(num)),
            }
        }
        Ok(())
    }

    /// /DR (ISO 32000-1 §12.7.2) serves only to make new appearances; its fonts also draw
    /// fields that have no appearance of their own, so existing fonts must stay as they were.
    /// Other resources (signing tools put their appearance XObjects there) may change.
    fn keeps_fonts(&self, old: &Object, new: &Object) -> Result<bool> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            return Ok(false);
        };
        for key in ["Font", "Encoding"] {
            match (self.old_entry(o, key)?, self.new_entry(n, key)?) {
                (None, _) => {}
                (Some(a), Some(b)) if a == b || extends(&a, &b) => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// /Fields or /Kids: nothing removed; what is added must be a new field, judged once.
    fn field_list(&mut self, num: u32, old: &Object, new: &Object) -> Result<()> {
        // ISO 32000-1 §12.7.2, §12.7.3.1: /Fields and /Kids are arrays of references to
        // fields. Anything else there, or a direct dictionary added or changed in one, is not
        // a field kyso can name or judge: a disallowed change, never skipped.
        let is_list = |o: &Object| matches!(o, Object::Array(_) | Object::Null);
        let (old_direct, new_direct) = (direct_items(old), direct_items(new));
        if !is_list(old)
            || !is_list(new)
            || !unmatched(&old_direct, &new_direct).is_empty()
            || !unmatched(&new_direct, &old_direct).is_empty()
        {
            self.push(
                Fact::new(
                    What::FormChanged {
                        key: "Fields".into(),
                    },
                    false,
                )
                .on(num),
            );
        }
        let old_items: HashSet<u32> = list_refs(old);
        let new_items: HashSet<u32> = list_refs(new);
        if old_items.iter().any(|r| !new_items.contains(r)) {
            self.push(Fact::new(What::FieldRemoved, false).on(num));
        }
        let mut added: Vec<u32> = new_items.difference(&old_items).copied().collect();
        added.sort_unstable();
        for r in added {
            if !self.new.fields.contains_key(&r) {
                self.push(Fact::new(What::UnknownFieldListItem { num: r }, false).on(num));
            } else if self.old.fields.contains_key(&r) {
                let name = self.new.fields[&r].name.clone();
                self.push(
                    Fact::new(
                        What::FieldChanged {
                            field: name.clone(),
                            key: "Parent".into(),
                        },
                        false,
                    )
                    .on(r)
                    .field(&name),
                );
            }
        }
        self.judge_new_fields();
        Ok(())
    }

    /// Every field of the new revision that the old one did not have (ISO 32000-1 §12.7.4.5):
    /// signature fields signed by this revision's signature, or empty invisible ones.
    fn judge_new_fields(&mut self) {
        if self.new_fields_judged {
            return;
        }
        self.new_fields_judged = true;
        let mut nums: Vec<u32> = self
            .new
            .fields
            .iter()
            .filter(|(n, f)| f.field == **n && !self.old.fields.contains_key(n))
            .map(|(n, _)| *n)
            .collect();
        nums.sort_unstable();
        for num in nums {
            let f = self.new.fields[&num].clone();
            if !f.signature {
                self.push(
                    Fact::new(
                        What::FieldAdded {
                            field: f.name.clone(),
                        },
                        false,
                    )
                    .on(num)
                    .field(&f.name),
                );
                continue;
            }
            let fact = match f.value.as_ref().filter(|v| **v != Object::Null) {
                None if self.visible(num) => What::VisibleUnsignedField {
                    field: f.name.clone(),
                },
                None => What::EmptySignatureFieldAdded {
                    field: f.name.clone(),
                },
                Some(v) => self.signature_value(&f.name, v),
            };
            let allowed = match &fact {
                What::SignatureAdded { .. } => true,
                What::EmptySignatureFieldAdded { .. } => self.perms.docmdp != Some(1),
                _ => false,
            };
            self.push(Fact::new(fact, allowed).on(num).field(&f.name));
        }
    }

    /// What a signature field's new value is: this revision's signature (not shared), or not.
    fn signature_value(&self, name: &str, v: &Object) -> What {
        let Some(r) = v.as_ref() else {
            return What::SignatureNotOfThisRevision { field: name.into() };
        };
        if !self.signed_here.contains(&r) {
            return What::SignatureNotOfThisRevision { field: name.into() };
        }
        let users = self
            .new
            .fields
            .iter()
            .filter(|(n, f)| f.field == **n && f.value.as_ref().and_then(Object::as_ref) == Some(r))
            .count();
        if users > 1 {
            return What::SignatureShared { field: name.into() };
        }
        let is_timestamp = self
            .new
            .value(r.num)
            .and_then(Object::as_dict)
            .is_some_and(|d| {
                d.has_name("Type", "DocTimeStamp") || d.has_name("SubFilter", "ETSI.RFC3161")
            });
        // A document time-stamp is allowed even under P=1 (ETSI EN 319 142-1 §5.4).
        if self.perms.docmdp == Some(1) && !is_timestamp {
            return What::SignatureUnderNoChanges { field: name.into() };
        }
        What::SignatureAdded { field: name.into() }
    }

    /// Whether field `num` (new revision) or one of its widgets shows something.
    fn visible(&self, num: u32) -> bool {
        self.new
            .fields
            .iter()
            .filter(|(_, f)| f.field == num)
            .any(|(w, _)| {
                let Some(d) = self.new.value(*w).and_then(Object::as_dict) else {
                    return false;
                };
                // Flags or /Rect kyso cannot read count as visible: the stricter judgement.
                let flags = d.get("F").and_then(Object::as_int).unwrap_or(0);
                if flags & HIDDEN_FLAGS != 0 {
                    return false;
                }
                let rect: Vec<f64> = d
                    .get("Rect")
                    .and_then(|r| self.new.resolve(r))
                    .and_then(Object::as_array)
                    .map(|a| a.iter().filter_map(Object::as_f64).collect())
                    .unwrap_or_default();
                rect.len() != 4
                    || ((rect[2] - rect[0]).abs() > 0.0 && (rect[3] - rect[1]).abs() > 0.0)
            })
    }

    // --- pages and annotations ---------------------------------------------------------------

    fn page(&mut self, num: u32, page: usize, old: &Object, new: &Object) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.push(
                Fact::new(
                    What::PageChanged {
                        page,
                        key: "Type".into(),
                    },
                    false,
                )
                .on(num)
                .page(page),
            );
            return Ok(());
        };
        for key in changed_keys(o, n) {
            match key.as_str() {
                "Annots" => {
                    let (ov, nv) = self.entry_pair(o, n, "Annots")?;
                    self.annots(num, page, &ov, &nv)?;
                }
                "Contents" => self.push(
                    Fact::new(What::PageContent { page }, false)
                        .on(num)
                        .page(page),
                ),
                "Resources" => self.push(
                    Fact::new(What::PageResources { page }, false)
                        .on(num)
                        .page(page),
                ),
                _ => self.push(
                    Fact::new(What::PageChanged { page, key }, false)
                        .on(num)
                        .page(page),
                ),
            }
        }
        Ok(())
    }

    /// A page's /Annots: widgets of new signature fields may be added; other annotations may be
    /// added, changed or removed only under DocMDP P=3.
    fn annots(&mut self, num: u32, page: usize, old: &Object, new: &Object) -> Result<()> {
        if !matches!(old, Object::Array(_) | Object::Null)
            || !matches!(new, Object::Array(_) | Object::Null)
        {
            self.push(
                Fact::new(
                    What::PageChanged {
                        page,
                        key: "Annots".into(),
                    },
                    false,
                )
                .on(num)
                .page(page),
            );
            return Ok(());
        }
        let annotations = self.perms.docmdp == Some(3);
        // An annotation written directly in the array has no object number of its own
        // (ISO 32000-1 §12.5.2 draws it all the same): one added, removed or changed is judged
        // by value here (a changed one is removed and added). A direct widget belongs to no
        // field kyso can judge: never allowed.
        let (old_direct, new_direct) = (direct_items(old), direct_items(new));
        for gone in unmatched(&old_direct, &new_direct) {
            let widget = gone
                .as_dict()
                .is_none_or(|d| d.has_name("Subtype", "Widget"));
            self.push(
                Fact::new(What::AnnotationRemoved { page }, annotations && !widget)
                    .on(num)
                    .page(page),
            );
        }
        for added in unmatched(&new_direct, &old_direct) {
            let subtype = added
                .as_dict()
                .and_then(|d| d.name("Subtype"))
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_else(|| "?".into());
            let allowed = annotations && added.as_dict().is_some() && subtype != "Widget";
            self.push(
                Fact::new(What::AnnotationAdded { page, subtype }, allowed)
                    .on(num)
                    .page(page),
            );
        }
        let old_items = list_refs(old);
        let new_items = list_refs(new);
        let mut removed: Vec<u32> = old_items.difference(&new_items).copied().collect();
        removed.sort_unstable();
        for r in removed {
            let widget = self.old.fields.contains_key(&r);
            self.push(
                Fact::new(What::AnnotationRemoved { page }, annotations && !widget)
                    .on(r)
                    .page(page),
            );
        }
        let mut added: Vec<u32> = new_items.difference(&old_items).copied().collect();
        added.sort_unstable();
        for r in added {
            if let Some(f) = self.new.fields.get(&r) {
                let owner = f.field;
                // A widget of a field the old revision did not have: judged with that field.
                if !self.old.fields.contains_key(&owner) {
                    self.judge_new_fields();
                    continue;
                }
                // A widget added to an existing, empty signature field signed now.
                let signed_now = self.old.fields[&owner].signature
                    && self.old.fields[&owner].value.is_none()
                    && self.new.fields[&owner]
                        .value
                        .as_ref()
                        .and_then(Object::as_ref)
                        .is_some_and(|v| self.signed_here.contains(&v));
                self.push(
                    Fact::new(What::WidgetAdded { page }, signed_now)
                        .on(r)
                        .page(page),
                );
                continue;
            }
            let subtype = self
                .new
                .value(r)
                .and_then(Object::as_dict)
                .and_then(|d| {
                    d.name("Subtype")
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                })
                .unwrap_or_else(|| "?".into());
            self.push(
                Fact::new(What::AnnotationAdded { page, subtype }, annotations)
                    .on(r)
                    .page(page),
            );
        }
        Ok(())
    }

    // --- fields ------------------------------------------------------------------------------

    /// A field or widget of the old revision changed (ISO 32000-1 §12.7.3, §12.7.4.5).
    fn field(
        &mut self,
        num: u32,
        f: &super::graph::FieldNode,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        let name = f.name.clone();
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.push(
                Fact::new(
                    What::FieldChanged {
                        field: name.clone(),
                        key: "Type".into(),
                    },
                    false,
                )
                .on(num)
                .field(&name),
            );
            return Ok(());
        };
        let keys = changed_keys(o, n);
        if f.signature {
            let signed_before = f.value.as_ref().is_some_and(|v| *v != Object::Null);
            let new_value = self
                .new
                .fields
                .get(&f.field)
                .and_then(|nf| nf.value.clone());
            let signed_now = !signed_before
                && new_value
                    .as_ref()
                    .and_then(Object::as_ref)
                    .is_some_and(|v| self.signed_here.contains(&v));
            for key in keys {
                match key.as_str() {
                    "V" if !signed_before => {
                        let what = match &new_value {
                            Some(v) if signed_now => match self.signature_value(&name, v) {
                                What::SignatureAdded { field } => What::EmptyFieldSigned { field },
                                other => other,
                            },
                            _ => What::SignatureNotOfThisRevision {
                                field: name.clone(),
                            },
                        };
                        let allowed = matches!(what, What::EmptyFieldSigned { .. });
                        self.push(Fact::new(what, allowed).on(num).field(&name));
                    }
                    // An appearance object other things also use is not the field's to drop
                    // (pyHanko's rule too: the update may be clobbering a shared object).
                    "AP" if signed_now && !self.own_appearance(num, o) => self.push(
                        Fact::new(
                            What::AppearanceChanged {
                                field: name.clone(),
                                allowed: false,
                            },
                            false,
                        )
                        .on(num)
                        .field(&name),
                    ),
                    // The look of an empty signature field changes only when it is signed.
                    "AP" | "AS" | "F" | "MK" | "DA" if signed_now => {}
                    "AP" | "AS" | "F" | "MK" | "DA" => self.push(
                        Fact::new(
                            What::AppearanceChanged {
                                field: name.clone(),
                                allowed: false,
                            },
                            false,
                        )
                        .on(num)
                        .field(&name),
                    ),
                    _ => self.push(
                        Fact::new(
                            What::SignatureFieldChanged {
                                field: name.clone(),
                                key,
                            },
                            false,
                        )
                        .on(num)
                        .field(&name),
                    ),
                }
            }
            return Ok(());
        }
        let filling = self.perms.docmdp.is_some_and(|p| p >= 2);
        let locked = self.perms.lock.locks(&name);
        let may = filling && !locked;
        for key in keys {
            match key.as_str() {
                "V" => {
                    let before = o
                        .get("V")
                        .and_then(|v| self.old.resolve(v))
                        .map(value_text)
                        .unwrap_or_default();
                    let after = n
                        .get("V")
                        .and_then(|v| self.new.resolve(v))
                        .map(value_text)
                        .unwrap_or_default();
                    self.push(
                        Fact::new(
                            What::FormFilled {
                                field: name.clone(),
                                before,
                                after,
                                locked,
                            },
                            may,
                        )
                        .on(num)
                        .field(&name),
                    );
                }
                "AS" if may => {}
                "AP" if may => {
                    if !self.appearance_is_plain(n.get("AP"))? || !self.own_appearance(num, o) {
                        self.push(
                            Fact::new(
                                What::AppearanceNotPlain {
                                    field: name.clone(),
                                },
                                false,
                            )
                            .on(num)
                            .field(&name),
                        );
                    }
                }
                _ => self.push(
                    Fact::new(
                        What::FieldChanged {
                            field: name.clone(),
                            key,
                        },
                        false,
                    )
                    .on(num)
                    .field(&name),
                ),
            }
        }
        Ok(())
    }

    /// Whether the old /AP of widget `num`, when indirect, was used by that widget alone.
    fn own_appearance(&self, num: u32, old: &Dict) -> bool {
        match old.get("AP") {
            Some(Object::Ref(ap)) => self.old.exclusive_under(num, b"AP").contains(&ap.num),
            _ => true,
        }
    }

    /// An object used only by `widget`'s appearance was redefined.
    fn appearance(&mut self, num: u32, widget: u32, new: &Object) -> Result<()> {
        let f = self.old.fields[&widget].clone();
        let owner = f.field;
        let allowed = if f.signature {
            // Only in the revision that signs the (empty) field.
            f.value.is_none()
                && self
                    .new
                    .fields
                    .get(&owner)
                    .and_then(|nf| nf.value.as_ref())
                    .and_then(Object::as_ref)
                    .is_some_and(|v| self.signed_here.contains(&v))
        } else {
            self.perms.docmdp.is_some_and(|p| p >= 2)
                && !self.perms.lock.locks(&f.name)
                && self.stream_is_plain(new)
        };
        self.push(
            Fact::new(
                What::AppearanceChanged {
                    field: f.name.clone(),
                    allowed,
                },
                allowed,
            )
            .on(num)
            .field(&f.name),
        );
        Ok(())
    }

    /// Whether a form field's appearance (/AP, every state) only draws text, lines and fills:
    /// no XObjects, inline images or shadings, through which a "replace" shadow attack would
    /// paint arbitrary content under cover of form filling.
    fn appearance_is_plain(&self, ap: Option<&Object>) -> Result<bool> {
        let Some(ap) = ap.and_then(|a| self.new.resolve(a)) else {
            return Ok(true);
        };
        let Some(ap) = ap.as_dict() else {
            return Ok(false);
        };
        for (_, entry) in ap.iter() {
            let Some(entry) = self.new.resolve(entry) else {
                return Ok(false);
            };
            match entry {
                Object::Stream(_) => {
                    if !self.stream_is_plain(entry) {
                        return Ok(false);
                    }
                }
                Object::Dict(states) => {
                    for (_, v) in states.iter() {
                        match self.new.resolve(v) {
                            Some(s @ Object::Stream(_)) if self.stream_is_plain(s) => {}
                            _ => return Ok(false),
                        }
                    }
                }
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    fn stream_is_plain(&self, obj: &Object) -> bool {
        let Object::Stream(s) = obj else {
            return false;
        };
        let Ok(content) = self.doc.stream_decoded(s) else {
            return false;
        };
        !content_operators(&content)
            .iter()
            .any(|op| matches!(op.as_slice(), b"Do" | b"BI" | b"ID" | b"sh" | b"d0" | b"d1"))
    }
}

/// Whether two values mean the same (ISO 32000-1 §7.3): a string is its bytes whether written
/// literal or hexadecimal, a number its value whether integer or real.
pub fn same_value(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Int(i), Object::Real(r)) | (Object::Real(r), Object::Int(i)) => *i as f64 == *r,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Object::Dict(x), Object::Dict(y)) => x.len() == y.len() && changed_keys(x, y).is_empty(),
        _ => a == b,
    }
}

/// Keys whose values differ between two dictionaries (stream /Length ignored).
pub fn changed_keys(o: &Dict, n: &Dict) -> Vec<String> {
    let old: HashMap<&[u8], &Object> = o.iter().collect();
    let new: HashMap<&[u8], &Object> = n.iter().collect();
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in o.iter() {
        if k != b"Length" && !new.get(k).is_some_and(|nv| same_value(v, nv)) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    for (k, _) in n.iter() {
        if k != b"Length" && !old.contains_key(k) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    keys
}

/// Whether `new` keeps every entry of `old` (recursively in direct dictionaries), only adding.
fn extends(old: &Object, new: &Object) -> bool {
    fn go(old: &Object, new: &Object, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        match (old, new) {
            (Object::Dict(o), Object::Dict(n)) => o.iter().all(|(k, v)| {
                n.iter()
                    .find(|(nk, _)| *nk == k)
                    .is_some_and(|(_, nv)| nv == v || go(v, nv, depth + 1))
            }),
            _ => false,
        }
    }
    go(old, new, 0)
}

/// The references of an array; its other items are judged by [`direct_items`] in every caller.
fn list_refs(obj: &Object) -> HashSet<u32> {
    obj.as_array()
        .map(|a| a.iter().filter_map(Object::as_ref).map(|r| r.num).collect())
        .unwrap_or_default()
}

/// The items of an array that are not references, in order (none when `obj` is no array).
fn direct_items(obj: &Object) -> Vec<&Object> {
    obj.as_array()
        .map(|a| a.iter().filter(|o| o.as_ref().is_none()).collect())
        .unwrap_or_default()
}

/// The items of `these` that no item of `others` matches by value (each match used once).
fn unmatched<'o>(these: &[&'o Object], others: &[&Object]) -> Vec<&'o Object> {
    let mut used = vec![false; others.len()];
    let mut out = Vec::new();
    for &item in these {
        match (0..others.len()).find(|&i| !used[i] && same_value(item, others[i])) {
            Some(i) => used[i] = true,
            None => out.push(item),
        }
    }
    out
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
pub fn same_object(doc: &Document, a: &Object, b: &Object) -> bool {
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
        _ => same_value(a, b),
    }
}

/// The operators of a content stream (ISO 32000-1 §7.8.2), skipping operands: strings, names,
/// arrays, dictionaries and numbers.
pub fn content_operators(content: &[u8]) -> Vec<Vec<u8>> {
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
                            depth = depth.saturating_sub(1);
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
    use crate::diff::FieldLock;

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
    fn extension_means_only_additions() {
        let parse = |s: &str| {
            crate::pdf::parser::Parser::new(s.as_bytes(), true)
                .object(0)
                .unwrap()
        };
        assert!(extends(&parse("<< /A 1 >>"), &parse("<< /A 1 /B 2 >>")));
        assert!(extends(
            &parse("<< /Font << /F1 5 0 R >> >>"),
            &parse("<< /Font << /F1 5 0 R /F2 6 0 R >> >>")
        ));
        assert!(!extends(&parse("<< /A 1 >>"), &parse("<< /A 2 >>")));
        assert!(!extends(&parse("<< /A 1 >>"), &parse("<< /B 1 >>")));
    }
}
