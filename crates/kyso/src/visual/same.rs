//! The shortcut: pages that cannot look different are not drawn.
//!
//! A page's picture is a function of what a viewer reads to draw it: the page dictionary and
//! everything it reaches (contents, resources, fonts, images, annotations and their
//! appearances), the attributes it inherits from the page tree (ISO 32000-1 §7.7.3.4:
//! /Resources, /MediaBox, /CropBox, /Rotate), and document-level entries that change how pages
//! are drawn: the optional content configuration (/OCProperties, §8.11.4) and the interactive
//! form's /NeedAppearances (§12.7.2: viewers then make new appearances for fields).
//! When all of these are equal, value for value and stream byte for stream byte, in the signed
//! revision and the final one, the page cannot be drawn differently, and comparing its pictures
//! would only confirm it. Two keys are not followed: /Parent (up the page tree: the inherited
//! attributes are compared instead; from a widget to its field: its value matters only through
//! /NeedAppearances, compared) and /P (an annotation's page: the page itself is being compared).
//! Anything not equal, unreadable or beyond the work limit means "draw it": the shortcut can
//! only skip work, never hide a difference.

use std::collections::HashMap;

use crate::diff::graph::Graph;
use crate::pdf::{Dict, Document, ObjRef, Object};

/// Objects one comparison may visit before giving up (then the pages are drawn).
const MAX_VISITS: usize = 200_000;
/// Streams larger than this are not read for comparison (the page is drawn instead).
const MAX_STREAM: u64 = 32 << 20;
/// Inheritable page attributes (ISO 32000-1 Table 30).
const INHERITED: [&str; 4] = ["Resources", "MediaBox", "CropBox", "Rotate"];
const SKIPPED: [&[u8]; 2] = [b"Parent", b"P"];

/// Compares objects of two revisions.
pub struct Same<'a> {
    doc: &'a Document,
    old: &'a Graph,
    new: &'a Graph,
    /// Pairs of references compared (or being compared: assumed equal until shown otherwise).
    memo: HashMap<(ObjRef, ObjRef), bool>,
    visits: usize,
}

impl<'a> Same<'a> {
    /// Compares revision graph `old` (the signed one) with `new` (the final one) of `doc`.
    pub fn new(doc: &'a Document, old: &'a Graph, new: &'a Graph) -> Self {
        Same {
            doc,
            old,
            new,
            memo: HashMap::new(),
            visits: 0,
        }
    }

    /// Whether the document-level inputs to drawing are equal (and no regeneration of field
    /// appearances is asked for in the final revision).
    pub fn document_inputs_equal(&mut self) -> bool {
        let (Some(oc), Some(nc)) = (self.old.catalog_dict(), self.new.catalog_dict()) else {
            return false;
        };
        let entry = |g: &Graph, c: &Dict, key: &str| -> Option<Object> {
            let form = g.resolve(c.get("AcroForm")?)?.as_dict()?;
            form.get(key).cloned()
        };
        let need_new = entry(self.new, &nc, "NeedAppearances");
        if need_new.as_ref().and_then(|v| self.new.resolve(v)) != Some(&Object::Bool(false))
            && need_new.is_some()
        {
            return false;
        }
        let need_old = entry(self.old, &oc, "NeedAppearances");
        self.equal_opt(need_old.as_ref(), need_new.as_ref(), 0)
            && self.equal_opt(oc.get("OCProperties"), nc.get("OCProperties"), 0)
    }

    /// Whether page `old_page` of the signed revision and `new_page` of the final one are equal
    /// in everything that draws them.
    pub fn page_equal(&mut self, old_page: ObjRef, new_page: ObjRef) -> bool {
        if !self.equal(&Object::Ref(old_page), &Object::Ref(new_page), 0) {
            return false;
        }
        INHERITED.iter().all(|key| {
            let a = inherited(self.old, old_page, key);
            let b = inherited(self.new, new_page, key);
            match (a, b) {
                (Ok(a), Ok(b)) => self.equal_opt(a.as_ref(), b.as_ref(), 0),
                _ => false,
            }
        })
    }

    fn equal_opt(&mut self, a: Option<&Object>, b: Option<&Object>, depth: usize) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => self.equal(a, b, depth),
            _ => false,
        }
    }

    fn equal(&mut self, a: &Object, b: &Object, depth: usize) -> bool {
        self.visits += 1;
        if self.visits > MAX_VISITS || depth > 256 {
            return false;
        }
        match (a, b) {
            (Object::Ref(ra), Object::Ref(rb)) => {
                if ra.gen != rb.gen {
                    return false;
                }
                if let Some(&known) = self.memo.get(&(*ra, *rb)) {
                    return known;
                }
                // Assumed equal while being compared (a cycle back here adds no difference).
                self.memo.insert((*ra, *rb), true);
                let (Some(va), Some(vb)) = (self.old.value(ra.num), self.new.value(rb.num)) else {
                    self.memo.insert((*ra, *rb), false);
                    return false;
                };
                let same = self.equal(va, vb, depth + 1);
                self.memo.insert((*ra, *rb), same);
                same
            }
            (Object::Dict(da), Object::Dict(db)) => self.dicts_equal(da, db, depth),
            (Object::Stream(sa), Object::Stream(sb)) => {
                self.dicts_equal(&sa.dict, &sb.dict, depth) && self.bytes_equal(sa, sb)
            }
            (Object::Array(xa), Object::Array(xb)) => {
                xa.len() == xb.len() && xa.iter().zip(xb).all(|(x, y)| self.equal(x, y, depth + 1))
            }
            (Object::Ref(_), _) | (_, Object::Ref(_)) => false,
            (x, y) => x == y,
        }
    }

    fn dicts_equal(&mut self, a: &Dict, b: &Dict, depth: usize) -> bool {
        let entries = |d: &'_ Dict| {
            let mut e: Vec<(Vec<u8>, Object)> = d
                .iter()
                .filter(|(k, _)| !SKIPPED.contains(k))
                .map(|(k, v)| (k.to_vec(), v.clone()))
                .collect();
            e.sort_by(|x, y| x.0.cmp(&y.0));
            e
        };
        let (ea, eb) = (entries(a), entries(b));
        ea.len() == eb.len()
            && ea
                .iter()
                .zip(&eb)
                .all(|((ka, va), (kb, vb))| ka == kb && self.equal(va, vb, depth + 1))
    }

    fn bytes_equal(&self, a: &crate::pdf::Stream, b: &crate::pdf::Stream) -> bool {
        if a.data_len != b.data_len {
            return false;
        }
        if a.data_offset == b.data_offset {
            return true;
        }
        if a.data_len > MAX_STREAM {
            return false;
        }
        match (self.doc.stream_raw(a), self.doc.stream_raw(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// The value of inheritable `key` for page `page` in graph `g`: its own or the nearest
/// ancestor's (ISO 32000-1 §7.7.3.4). An error when the page tree cannot be followed.
fn inherited(g: &Graph, page: ObjRef, key: &str) -> Result<Option<Object>, ()> {
    let mut node = page.num;
    for _ in 0..64 {
        let dict = g.value(node).and_then(Object::as_dict).ok_or(())?;
        if let Some(v) = dict.get(key) {
            return Ok(Some(v.clone()));
        }
        match dict.get("Parent") {
            Some(Object::Ref(p)) => node = p.num,
            None => return Ok(None),
            Some(_) => return Err(()),
        }
    }
    Err(())
}
