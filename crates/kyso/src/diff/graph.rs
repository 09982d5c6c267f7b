//! The object graph of one revision, read exactly as that revision defines it: every object
//! reachable from its trailer, who refers to it and under which key, and the parts of the
//! document the change rules speak of (catalog, pages, annotations, form fields).
//!
//! Nothing is skipped: every reference is followed (iteratively, no recursion), a dangling
//! reference is a node whose value is `null` (ISO 32000-1 §7.3.10), an object that cannot be read
//! is a node that says why. Only the work budget ends a walk, and then as an error.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::pdf::xref::XrefEntry;
use crate::pdf::{Dict, Document, ObjRef, Object};

/// The trailer, as the parent of the objects it refers to.
pub const TRAILER: u32 = u32::MAX;
/// Objects one revision's walk may visit.
const MAX_NODES: usize = 2_000_000;
/// Nesting of fields (/Kids) and pages followed.
const MAX_TREE_DEPTH: usize = 64;

/// One reachable object.
#[derive(Debug)]
pub struct Node {
    /// The object, or why it cannot be read.
    pub value: std::result::Result<Object, String>,
    /// (top-level key, object number) of every reference it holds; arrays use the empty key.
    pub out: Vec<(Vec<u8>, u32)>,
}

/// A form field or widget annotation of the interactive form (ISO 32000-1 §12.7.3).
#[derive(Clone, Debug)]
pub struct FieldNode {
    /// Fully qualified name of the field it belongs to.
    pub name: String,
    /// /FT /Sig, possibly inherited.
    pub signature: bool,
    /// The object number of the terminal field this node is (or whose widget it is).
    pub field: u32,
    /// /V of that field, as written.
    pub value: Option<Object>,
}

/// The graph of one revision.
#[derive(Debug)]
pub struct Graph {
    /// The revision (0-based) this graph describes.
    pub rev: usize,
    /// That revision's trailer.
    pub trailer: Dict,
    /// Every object reachable from the trailer, by number, as this revision reads it.
    pub nodes: HashMap<u32, Node>,
    /// child → (parent or [`TRAILER`], top-level key of the parent holding the reference).
    pub parents: HashMap<u32, Vec<(u32, Vec<u8>)>>,
    /// The catalog's object number (from /Root), `None` when /Root is not a reference.
    pub catalog: Option<u32>,
    /// Pages in order (1-based page numbers are positions + 1), or why the page tree is broken.
    pub pages: std::result::Result<Vec<ObjRef>, String>,
    /// Page object number → 1-based page number.
    pub page_of: HashMap<u32, usize>,
    /// Indirect /Annots arrays → page.
    pub annots_arrays: HashMap<u32, usize>,
    /// Non-widget annotations (and widgets no field owns) → page.
    pub annotations: HashMap<u32, usize>,
    /// The /AcroForm dictionary's object, when indirect.
    pub acroform: Option<u32>,
    /// /Fields and /Kids arrays that are indirect objects.
    pub field_arrays: HashSet<u32>,
    /// Fields and widgets, by object number.
    pub fields: HashMap<u32, FieldNode>,
}

impl Graph {
    /// Walks revision `rev` of `doc`.
    pub fn build(doc: &Document, rev: usize) -> Result<Graph> {
        let mut g = Graph::empty(rev, doc.revisions[rev].trailer.clone());
        let mut stack: Vec<u32> = Vec::new();
        let trailer = g.trailer.clone();
        for (key, value) in trailer.iter() {
            for child in refs_in(value) {
                g.parents
                    .entry(child.num)
                    .or_default()
                    .push((TRAILER, key.to_vec()));
                stack.push(child.num);
            }
        }
        while let Some(num) = stack.pop() {
            if g.nodes.contains_key(&num) {
                continue;
            }
            if g.nodes.len() >= MAX_NODES {
                return Err(Error::MalformedPdf(format!(
                    "revision {} has more than {MAX_NODES} objects in use: too complex to analyse",
                    rev + 1
                )));
            }
            let value = read_slot(doc, rev, num)?;
            let mut out = Vec::new();
            if let Ok(v) = &value {
                top_level_refs(v, &mut out);
            }
            for (key, child) in &out {
                g.parents
                    .entry(*child)
                    .or_default()
                    .push((num, key.clone()));
                if !g.nodes.contains_key(child) {
                    stack.push(*child);
                }
            }
            g.nodes.insert(num, Node { value, out });
        }
        g.catalog = trailer.get("Root").and_then(Object::as_ref).map(|r| r.num);
        g.pages = doc.pages_at(rev).map_err(|e| e.to_string());
        if let Ok(pages) = &g.pages {
            for (i, p) in pages.iter().enumerate() {
                g.page_of.insert(p.num, i + 1);
            }
        }
        g.read_annotations_and_form()?;
        Ok(g)
    }

    fn empty(rev: usize, trailer: Dict) -> Graph {
        Graph {
            rev,
            trailer,
            nodes: HashMap::new(),
            parents: HashMap::new(),
            catalog: None,
            pages: Ok(Vec::new()),
            page_of: HashMap::new(),
            annots_arrays: HashMap::new(),
            annotations: HashMap::new(),
            acroform: None,
            field_arrays: HashSet::new(),
            fields: HashMap::new(),
        }
    }

    /// The value of a reachable object; `None` when it cannot be read (changes to it are judged
    /// from the node's error, never as "no value": see `Judge::defined`).
    pub fn value(&self, num: u32) -> Option<&Object> {
        self.nodes.get(&num).and_then(|n| n.value.as_ref().ok())
    }

    /// The value of `obj`, following one reference through this graph.
    pub fn resolve<'a>(&'a self, obj: &'a Object) -> Option<&'a Object> {
        match obj {
            Object::Ref(r) => self.value(r.num),
            other => Some(other),
        }
    }

    fn dict_of(&self, obj: &Object) -> Option<Dict> {
        self.resolve(obj).and_then(Object::as_dict).cloned()
    }

    /// The catalog dictionary, `None` when missing or not a dictionary.
    pub fn catalog_dict(&self) -> Option<Dict> {
        self.catalog
            .and_then(|c| self.value(c))
            .and_then(Object::as_dict)
            .cloned()
    }

    /// Pages' annotations and the form's fields. What cannot be read is left out on purpose:
    /// an object missing from these maps has no rule that explains changing it, so a change
    /// near something unreadable is disallowed (and an unreadable catalog or page tree of the
    /// revision before is an error of the analysis itself, see `Analyser::revision_facts`).
    fn read_annotations_and_form(&mut self) -> Result<()> {
        let Some(catalog) = self.catalog_dict() else {
            return Ok(());
        };
        // The form first: widgets found there are not free-standing annotations.
        if let Some(af) = catalog.get("AcroForm") {
            self.acroform = af.as_ref().map(|r| r.num);
            if let Some(form) = self.dict_of(af) {
                if let Some(fields) = form.get("Fields") {
                    if let Some(r) = fields.as_ref() {
                        self.field_arrays.insert(r.num);
                    }
                    let list = self
                        .resolve(fields)
                        .and_then(Object::as_array)
                        .map(<[Object]>::to_vec)
                        .unwrap_or_default();
                    self.read_fields(&list)?;
                }
            }
        }
        let pages = self.pages.clone().unwrap_or_default();
        for (i, page) in pages.iter().enumerate() {
            let Some(dict) = self.value(page.num).and_then(Object::as_dict).cloned() else {
                continue;
            };
            let Some(annots) = dict.get("Annots") else {
                continue;
            };
            if let Some(r) = annots.as_ref() {
                self.annots_arrays.insert(r.num, i + 1);
            }
            let list = self
                .resolve(annots)
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
            for a in list {
                if let Some(r) = a.as_ref() {
                    if !self.fields.contains_key(&r.num) {
                        self.annotations.entry(r.num).or_insert(i + 1);
                    }
                }
            }
        }
        Ok(())
    }

    /// The field tree (ISO 32000-1 §12.7.3.1): names, inherited /FT, values, widgets.
    fn read_fields(&mut self, roots: &[Object]) -> Result<()> {
        // (object, parent name, parent /FT, depth)
        let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> = roots
            .iter()
            .rev()
            .map(|o| (o.clone(), String::new(), None, 0))
            .collect();
        let mut seen = HashSet::new();
        while let Some((obj, parent, parent_ft, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH {
                return Err(Error::MalformedPdf(format!(
                    "the form's field tree is deeper than {MAX_TREE_DEPTH}"
                )));
            }
            let Some(r) = obj.as_ref() else { continue };
            if !seen.insert(r.num) {
                continue;
            }
            let Some(dict) = self.dict_of(&obj) else {
                continue;
            };
            let name = match (dict.get("T").and_then(Object::as_text), parent.is_empty()) {
                (Some(t), true) => t,
                (Some(t), false) => format!("{parent}.{t}"),
                (None, _) => parent.clone(),
            };
            let ft = dict.name("FT").map(<[u8]>::to_vec).or(parent_ft);
            let kids: Vec<Object> = match dict.get("Kids") {
                Some(k) => {
                    if let Some(kr) = k.as_ref() {
                        self.field_arrays.insert(kr.num);
                    }
                    self.resolve(k)
                        .and_then(Object::as_array)
                        .map(<[Object]>::to_vec)
                        .unwrap_or_default()
                }
                None => Vec::new(),
            };
            let signature = ft.as_deref() == Some(b"Sig");
            self.fields.insert(
                r.num,
                FieldNode {
                    name: name.clone(),
                    signature,
                    field: r.num,
                    value: dict.get("V").cloned(),
                },
            );
            for kid in kids.iter().rev() {
                let Some(kd) = self.dict_of(kid) else {
                    continue;
                };
                if kd.get("T").is_some() {
                    stack.push((kid.clone(), name.clone(), ft.clone(), depth + 1));
                } else if let Some(kr) = kid.as_ref() {
                    // A widget of this field (ISO 32000-1 §12.7.3.1: kids without /T).
                    if seen.insert(kr.num) {
                        self.fields.insert(
                            kr.num,
                            FieldNode {
                                name: name.clone(),
                                signature,
                                field: r.num,
                                value: dict.get("V").cloned(),
                            },
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// The objects reachable from `roots` that nothing outside that set refers to, except the
    /// edges `entry` allows (the key that holds the subtree). Changing one of these changes
    /// only what the subtree means — the "all paths" check of a whitelist rule.
    pub fn exclusive(&self, roots: &[u32], entry: &dyn Fn(u32, &[u8]) -> bool) -> HashSet<u32> {
        let mut set: HashSet<u32> = HashSet::new();
        let mut stack: Vec<u32> = roots.to_vec();
        while let Some(n) = stack.pop() {
            if !self.nodes.contains_key(&n) || !set.insert(n) {
                continue;
            }
            // Back-pointers (an annotation's /P, a node's /Parent) lead out of a subtree;
            // not following them only makes the set smaller, never wrongly larger.
            for (key, c) in &self.nodes[&n].out {
                if key.as_slice() != b"P" && key.as_slice() != b"Parent" {
                    stack.push(*c);
                }
            }
        }
        let mut tainted: Vec<u32> = set
            .iter()
            .copied()
            .filter(|n| {
                self.parents.get(n).is_some_and(|ps| {
                    ps.iter()
                        .any(|(p, key)| !set.contains(p) && !entry(*p, key))
                })
            })
            .collect();
        let mut shared = HashSet::new();
        while let Some(n) = tainted.pop() {
            if !shared.insert(n) {
                continue;
            }
            for (_, c) in &self.nodes[&n].out {
                if set.contains(c) {
                    tainted.push(*c);
                }
            }
        }
        set.retain(|n| !shared.contains(n));
        set
    }

    /// A graph from hand-made nodes, for tests.
    #[cfg(test)]
    fn from_edges(edges: &[(u32, &str, u32)]) -> Graph {
        let mut g = Graph::empty(0, Dict::new());
        for &(p, k, c) in edges {
            for n in [p, c] {
                g.nodes.entry(n).or_insert(Node {
                    value: Ok(Object::Null),
                    out: Vec::new(),
                });
            }
            g.nodes
                .get_mut(&p)
                .unwrap()
                .out
                .push((k.as_bytes().to_vec(), c));
            g.parents
                .entry(c)
                .or_default()
                .push((p, k.as_bytes().to_vec()));
        }
        g
    }

    /// The object numbers `holder`'s entry `key` refers to (directly or inside direct values).
    pub fn children_under(&self, holder: u32, key: &[u8]) -> Vec<u32> {
        if holder == TRAILER {
            return self
                .trailer
                .get(&String::from_utf8_lossy(key))
                .map(|v| refs_in(v).into_iter().map(|r| r.num).collect())
                .unwrap_or_default();
        }
        // A holder not in the graph has no subtree: nothing becomes explainable by it.
        self.nodes
            .get(&holder)
            .map(|n| {
                n.out
                    .iter()
                    .filter(|(k, _)| k.as_slice() == key)
                    .map(|(_, c)| *c)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The objects only the subtree under `holder`'s entry `key` uses.
    pub fn exclusive_under(&self, holder: u32, key: &[u8]) -> HashSet<u32> {
        let roots = self.children_under(holder, key);
        self.exclusive(&roots, &|p, k| p == holder && k == key)
    }
}

/// Reads object `num` as revision `rev` defines it. A missing or free entry is `null`.
/// Running out of the work budget is an error; an unreadable object is a value saying why.
pub fn read_slot(
    doc: &Document,
    rev: usize,
    num: u32,
) -> Result<std::result::Result<Object, String>> {
    let r = match doc.entry_at(rev, num) {
        None | Some(XrefEntry::Free { .. }) => return Ok(Ok(Object::Null)),
        Some(XrefEntry::InUse { gen, .. }) => ObjRef::new(num, gen),
        Some(XrefEntry::Compressed { .. }) => ObjRef::new(num, 0),
    };
    match doc.get_at(rev, r) {
        Ok(v) => Ok(Ok(v)),
        Err(e) if doc.budget_exhausted() => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// Every reference inside a value, however deeply nested in direct arrays and dictionaries.
pub fn refs_in(obj: &Object) -> Vec<ObjRef> {
    let mut out = Vec::new();
    let mut stack = vec![obj];
    while let Some(o) = stack.pop() {
        match o {
            Object::Ref(r) => out.push(*r),
            Object::Array(items) => stack.extend(items.iter()),
            Object::Dict(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    out
}

/// References held by an object, each with the top-level key it sits under.
fn top_level_refs(obj: &Object, out: &mut Vec<(Vec<u8>, u32)>) {
    match obj {
        Object::Dict(d) => {
            for (k, v) in d.iter() {
                out.extend(refs_in(v).into_iter().map(|r| (k.to_vec(), r.num)));
            }
        }
        Object::Stream(s) => {
            for (k, v) in s.dict.iter() {
                out.extend(refs_in(v).into_iter().map(|r| (k.to_vec(), r.num)));
            }
        }
        other => out.extend(refs_in(other).into_iter().map(|r| (Vec::new(), r.num))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_subtrees_leave_out_what_others_use() {
        // 1 is the catalog: /DSS -> 2 -> {3, 4}; /Pages -> 5 -> 4 (4 is shared); 3 -> 6.
        let g = Graph::from_edges(&[
            (1, "DSS", 2),
            (2, "Certs", 3),
            (2, "OCSPs", 4),
            (3, "", 6),
            (1, "Pages", 5),
            (5, "Kids", 4),
        ]);
        let set = g.exclusive_under(1, b"DSS");
        let mut v: Vec<u32> = set.into_iter().collect();
        v.sort_unstable();
        assert_eq!(v, vec![2, 3, 6]);
        // Shared at the top: everything below is shared too.
        let g = Graph::from_edges(&[(1, "DSS", 2), (2, "", 3), (1, "Other", 2)]);
        assert!(g.exclusive_under(1, b"DSS").is_empty());
        // A back-pointer is not followed out of the subtree.
        let g = Graph::from_edges(&[(1, "AP", 2), (2, "P", 7), (7, "Contents", 8)]);
        let set = g.exclusive_under(1, b"AP");
        assert!(set.contains(&2) && !set.contains(&7) && !set.contains(&8));
    }
}
