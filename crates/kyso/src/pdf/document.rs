//! A lazily read PDF: its revisions and the objects as they stand at each revision.
//!
//! Only the cross-reference data is read up front; objects are parsed when asked for, through
//! the cross-reference entries of the revision asked about (never by scanning for `obj`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::filters::decode_stream;
use super::object::{Dict, ObjRef, Object, Stream};
use super::parser::Parser;
use super::source::ByteSource;
use super::xref::{
    find_eof_after, find_startxref, read_chain, with_window, XrefEntry, XrefKind, XrefSection,
};
use crate::error::{Error, Result};

/// Depth limit when walking page trees and field trees.
const MAX_TREE_DEPTH: usize = 64;
/// Upper bound on nodes visited in one tree walk.
const MAX_TREE_NODES: usize = 1_000_000;

/// One revision: the original file or one incremental update (ISO 32000-1 §7.5.6).
#[derive(Clone, Debug)]
pub struct Revision {
    /// 0 for the original document.
    pub index: usize,
    /// The offset `startxref` gives for this revision.
    pub xref_offset: u64,
    pub kind: XrefKind,
    pub trailer: Dict,
    /// Offset just past this revision's `%%EOF` line; None when no marker follows its xref data.
    pub end: Option<u64>,
    /// The sections making up this revision (two for a linearized file's first revision).
    sections: Vec<XrefSection>,
}

impl Revision {
    /// The entry for object `num` in this revision's own cross-reference data.
    pub fn entry(&self, num: u32) -> Option<XrefEntry> {
        self.sections
            .iter()
            .find_map(|s| s.entries.get(&num).copied())
    }

    /// Object numbers this revision's cross-reference data mentions.
    pub fn object_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        let mut nums: Vec<u32> = self
            .sections
            .iter()
            .flat_map(|s| s.entries.keys().copied())
            .collect();
        nums.sort_unstable();
        nums.dedup();
        nums.into_iter()
    }

    /// Highest object number in use in this revision's own entries.
    fn max_in_use(&self) -> u32 {
        self.sections
            .iter()
            .flat_map(|s| s.entries.iter())
            .filter(|(_, e)| !matches!(e, XrefEntry::Free { .. }))
            .map(|(n, _)| *n)
            .max()
            .unwrap_or(0)
    }
}

struct ObjectStream {
    data: Vec<u8>,
    /// (object number, offset in `data`) for each object, in order.
    index: Vec<(u32, usize)>,
}

/// A PDF document read on demand from a [`ByteSource`].
pub struct Document {
    source: Arc<dyn ByteSource>,
    /// Header version, e.g. "1.7".
    pub version: String,
    /// Revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// The value of the last `startxref`.
    pub startxref: u64,
    /// Repairs made while reading the structure (reported by the verifier).
    pub warnings: Vec<String>,
    object_streams: Mutex<HashMap<u32, Arc<ObjectStream>>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("revisions", &self.revisions.len())
            .finish()
    }
}

impl Document {
    /// Opens a document: checks the header and reads every revision's cross-reference data.
    pub fn open(source: Arc<dyn ByteSource>) -> Result<Document> {
        if source.is_empty() {
            return Err(Error::NotPdf("the file is empty".into()));
        }
        let head = source.read_vec(0, 1024)?;
        let Some(hpos) = super::xref::find(&head, b"%PDF-") else {
            return Err(Error::NotPdf("no %PDF- header".into()));
        };
        let version: String = head[hpos + 5..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .map(|&b| b as char)
            .collect();
        let startxref = find_startxref(source.as_ref())?;
        let (chain, warnings) = read_chain(source.as_ref(), startxref)?;
        let revisions = group_revisions(source.as_ref(), chain)?;
        Ok(Document {
            source,
            version,
            revisions,
            startxref,
            warnings,
            object_streams: Mutex::new(HashMap::new()),
        })
    }

    pub fn source(&self) -> &Arc<dyn ByteSource> {
        &self.source
    }

    pub fn len(&self) -> u64 {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    pub fn last_revision(&self) -> usize {
        self.revisions.len() - 1
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dict {
        &self.revisions[self.last_revision()].trailer
    }

    /// Whether the document is encrypted (ISO 32000-1 §7.6).
    pub fn is_encrypted(&self) -> bool {
        self.trailer().get("Encrypt").is_some()
    }

    /// The number the next new object may take: max(/Size, highest number in use + 1).
    pub fn next_object_number(&self) -> u32 {
        let size = self
            .trailer()
            .get("Size")
            .and_then(Object::as_int)
            .unwrap_or(0)
            .clamp(0, u32::MAX as i64) as u32;
        let used = self
            .revisions
            .iter()
            .map(Revision::max_in_use)
            .max()
            .unwrap_or(0);
        size.max(used.saturating_add(1))
    }

    /// The cross-reference entry of `num` as seen by revision `rev` (newest data wins).
    pub fn entry_at(&self, rev: usize, num: u32) -> Option<XrefEntry> {
        self.revisions[..=rev.min(self.last_revision())]
            .iter()
            .rev()
            .find_map(|r| r.entry(num))
    }

    /// The object `r` as it stands in the newest revision.
    pub fn get(&self, r: ObjRef) -> Result<Object> {
        self.get_at(self.last_revision(), r)
    }

    /// The object `r` as it stands at revision `rev`. A missing or free object is `null`
    /// (ISO 32000-1 §7.3.10).
    pub fn get_at(&self, rev: usize, r: ObjRef) -> Result<Object> {
        match self.entry_at(rev, r.num) {
            None | Some(XrefEntry::Free { .. }) => Ok(Object::Null),
            Some(XrefEntry::InUse { offset, gen }) => {
                if gen != r.gen {
                    return Ok(Object::Null);
                }
                self.load_at_offset(rev, offset, r)
            }
            Some(XrefEntry::Compressed { stream, index }) => {
                if r.gen != 0 {
                    return Ok(Object::Null);
                }
                self.load_compressed(rev, stream, index, r.num)
            }
        }
    }

    /// Follows a reference (one level at a time, bounded) to a direct object.
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        self.resolve_at(self.last_revision(), obj)
    }

    pub fn resolve_at(&self, rev: usize, obj: &Object) -> Result<Object> {
        let mut cur = obj.clone();
        for _ in 0..32 {
            match cur {
                Object::Ref(r) => cur = self.get_at(rev, r)?,
                other => return Ok(other),
            }
        }
        Err(Error::MalformedPdf("reference chain too long".into()))
    }

    /// Resolves `obj` and requires a dictionary (a stream's dictionary counts).
    pub fn resolve_dict_at(&self, rev: usize, obj: &Object) -> Result<Option<Dict>> {
        Ok(match self.resolve_at(rev, obj)? {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(s.dict),
            _ => None,
        })
    }

    fn load_at_offset(&self, rev: usize, offset: u64, expect: ObjRef) -> Result<Object> {
        if offset >= self.source.len() {
            return Err(Error::MalformedPdf(format!(
                "object {expect} points beyond the end of the file"
            )));
        }
        let parsed = with_window(self.source.as_ref(), offset, 4096, |buf, at_end| {
            let mut p = Parser::new(buf, at_end);
            p.indirect_object()
        })?;
        if parsed.id != expect {
            return Err(Error::MalformedPdf(format!(
                "cross-reference entry for {expect} points at object {}",
                parsed.id
            )));
        }
        match (parsed.object, parsed.stream_data_start) {
            (Object::Dict(dict), Some(start)) => {
                let data_offset = offset + start as u64;
                let data_len = self.stream_length(rev, &dict, expect)?;
                if data_offset.saturating_add(data_len) > self.source.len() {
                    return Err(Error::MalformedPdf(format!(
                        "stream {expect} runs past the end of the file"
                    )));
                }
                Ok(Object::Stream(Box::new(Stream {
                    dict,
                    data_offset,
                    data_len,
                })))
            }
            (obj, _) => Ok(obj),
        }
    }

    fn stream_length(&self, rev: usize, dict: &Dict, owner: ObjRef) -> Result<u64> {
        let len = match dict.get("Length") {
            Some(Object::Int(n)) => *n,
            Some(Object::Ref(r)) if *r != owner => match self.get_at(rev, *r)? {
                Object::Int(n) => n,
                _ => -1,
            },
            _ => -1,
        };
        u64::try_from(len)
            .map_err(|_| Error::MalformedPdf(format!("stream {owner} has no valid /Length")))
    }

    /// Reads a stream's encoded bytes.
    pub fn stream_raw(&self, s: &Stream) -> Result<Vec<u8>> {
        if s.data_len > self.source.len() {
            return Err(Error::MalformedPdf("stream longer than the file".into()));
        }
        self.source.read_vec(s.data_offset, s.data_len as usize)
    }

    /// Reads and decodes a stream (structural filters only).
    pub fn stream_decoded(&self, s: &Stream) -> Result<Vec<u8>> {
        let raw = self.stream_raw(s)?;
        let limit = (self.source.len() as usize).saturating_mul(16).max(1 << 24);
        decode_stream(&s.dict, &raw, limit)
    }

    fn load_compressed(&self, rev: usize, stream: u32, index: u32, num: u32) -> Result<Object> {
        let os = self.object_stream(rev, stream)?;
        let Some(&(found, off)) = os.index.get(index as usize) else {
            return Err(Error::MalformedPdf(format!(
                "object {num} is not in object stream {stream}"
            )));
        };
        if found != num {
            return Err(Error::MalformedPdf(format!(
                "object stream {stream} holds object {found} where {num} was expected"
            )));
        }
        let mut p = Parser::at(&os.data, off, true);
        p.object(0)
            .map_err(|e| Error::MalformedPdf(format!("object {num} in stream {stream}: {e:?}")))
    }

    fn object_stream(&self, rev: usize, stream: u32) -> Result<Arc<ObjectStream>> {
        if let Ok(cache) = self.object_streams.lock() {
            if let Some(os) = cache.get(&stream) {
                return Ok(os.clone());
            }
        }
        // ISO 32000-1 §7.5.7: object streams are themselves never compressed.
        let obj = match self.entry_at(rev, stream) {
            Some(XrefEntry::InUse { offset, gen: 0 }) => {
                self.load_at_offset(rev, offset, ObjRef::new(stream, 0))?
            }
            _ => {
                return Err(Error::MalformedPdf(format!(
                    "object stream {stream} is missing"
                )))
            }
        };
        let Object::Stream(s) = obj else {
            return Err(Error::MalformedPdf(format!(
                "object {stream} is not a stream"
            )));
        };
        let data = self.stream_decoded(&s)?;
        let n = s.dict.get("N").and_then(Object::as_int).unwrap_or(0);
        let first = s.dict.get("First").and_then(Object::as_int).unwrap_or(-1);
        if n < 0 || first < 0 || first as usize > data.len() || n as usize > data.len() {
            return Err(Error::MalformedPdf(format!(
                "object stream {stream} has a bad /N or /First"
            )));
        }
        let mut p = Parser::new(&data[..first as usize], true);
        let mut index = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let (Ok(num), Ok(off)) = (p.read_uint(), p.read_uint()) else {
                return Err(Error::MalformedPdf(format!(
                    "object stream {stream} has a bad header"
                )));
            };
            let at = first as u64 + off;
            if at > data.len() as u64 || num > u32::MAX as u64 {
                return Err(Error::MalformedPdf(format!(
                    "object stream {stream} has a bad offset"
                )));
            }
            index.push((num as u32, at as usize));
        }
        let os = Arc::new(ObjectStream { data, index });
        if let Ok(mut cache) = self.object_streams.lock() {
            cache.insert(stream, os.clone());
        }
        Ok(os)
    }

    /// The document catalog at revision `rev` (ISO 32000-1 §7.7.2).
    pub fn catalog_ref_at(&self, rev: usize) -> Result<ObjRef> {
        self.revisions[rev]
            .trailer
            .get("Root")
            .and_then(Object::as_ref)
            .ok_or_else(|| Error::MalformedPdf("the trailer has no /Root".into()))
    }

    pub fn catalog_at(&self, rev: usize) -> Result<Dict> {
        let r = self.catalog_ref_at(rev)?;
        self.resolve_dict_at(rev, &Object::Ref(r))?
            .ok_or_else(|| Error::MalformedPdf("the catalog is not a dictionary".into()))
    }

    /// References of all pages in order, at revision `rev` (ISO 32000-1 §7.7.3).
    pub fn pages_at(&self, rev: usize) -> Result<Vec<ObjRef>> {
        let catalog = self.catalog_at(rev)?;
        let root = catalog
            .get("Pages")
            .and_then(Object::as_ref)
            .ok_or_else(|| Error::MalformedPdf("the catalog has no /Pages reference".into()))?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH || !seen.insert(node) || seen.len() > MAX_TREE_NODES {
                return Err(Error::MalformedPdf(
                    "the page tree loops or is too deep".into(),
                ));
            }
            let Some(dict) = self.resolve_dict_at(rev, &Object::Ref(node))? else {
                continue;
            };
            if let Some(kids) = dict.get("Kids") {
                let kids = self.resolve_at(rev, kids)?;
                if let Some(kids) = kids.as_array() {
                    for kid in kids.iter().rev() {
                        if let Some(k) = kid.as_ref() {
                            stack.push((k, depth + 1));
                        }
                    }
                }
            } else if dict.has_name("Type", "Page") || !dict.has_name("Type", "Pages") {
                out.push(node);
            }
        }
        Ok(out)
    }

    /// Every terminal form field reachable from /AcroForm /Fields at revision `rev`
    /// (ISO 32000-1 §12.7.3.1), with fully qualified names and inherited /FT.
    pub fn fields_at(&self, rev: usize) -> Result<Vec<FormField>> {
        let catalog = self.catalog_at(rev)?;
        let Some(acroform) = catalog.get("AcroForm") else {
            return Ok(vec![]);
        };
        let Some(acroform) = self.resolve_dict_at(rev, acroform)? else {
            return Ok(vec![]);
        };
        let Some(fields) = acroform.get("Fields") else {
            return Ok(vec![]);
        };
        let fields = self.resolve_at(rev, fields)?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> = fields
            .as_array()
            .unwrap_or(&[])
            .iter()
            .rev()
            .map(|f| (f.clone(), String::new(), None, 0))
            .collect();
        while let Some((obj, parent_name, parent_ft, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH || seen.len() > MAX_TREE_NODES {
                return Err(Error::MalformedPdf("the field tree is too deep".into()));
            }
            let reference = obj.as_ref();
            if let Some(r) = reference {
                if !seen.insert(r) {
                    continue;
                }
            }
            let Some(dict) = self.resolve_dict_at(rev, &obj)? else {
                continue;
            };
            let partial = dict.get("T").and_then(Object::as_text);
            let name = match (&partial, parent_name.is_empty()) {
                (Some(p), true) => p.clone(),
                (Some(p), false) => format!("{parent_name}.{p}"),
                (None, _) => parent_name.clone(),
            };
            let ft = dict.name("FT").map(<[u8]>::to_vec).or(parent_ft);
            // Kids that have /T are fields; kids without are widgets of this field.
            let kids = match dict.get("Kids") {
                Some(k) => self.resolve_at(rev, k)?,
                None => Object::Null,
            };
            let mut field_kids = Vec::new();
            if let Some(kids) = kids.as_array() {
                for kid in kids {
                    if let Some(kd) = self.resolve_dict_at(rev, kid)? {
                        if kd.get("T").is_some() {
                            field_kids.push(kid.clone());
                        }
                    }
                }
            }
            if field_kids.is_empty() {
                out.push(FormField {
                    reference,
                    name,
                    field_type: ft,
                    dict,
                });
            } else {
                for kid in field_kids.into_iter().rev() {
                    stack.push((kid, name.clone(), ft.clone(), depth + 1));
                }
            }
        }
        Ok(out)
    }
}

/// A terminal form field.
#[derive(Clone, Debug)]
pub struct FormField {
    /// The field's object, when it is indirect.
    pub reference: Option<ObjRef>,
    /// Fully qualified name (ISO 32000-1 §12.7.3.2).
    pub name: String,
    /// /FT, possibly inherited.
    pub field_type: Option<Vec<u8>>,
    pub dict: Dict,
}

impl FormField {
    pub fn is_signature(&self) -> bool {
        self.field_type.as_deref() == Some(b"Sig")
    }
}

/// Turns the /Prev chain (newest first) into revisions (oldest first).
///
/// A linearized file's first-page section points back with /Prev to a section later in the file
/// (ISO 32000-1 Annex F); the two form one revision.
fn group_revisions(src: &dyn ByteSource, chain: Vec<XrefSection>) -> Result<Vec<Revision>> {
    let mut revisions: Vec<Revision> = Vec::new();
    let mut pending: Option<Revision> = None;
    for section in chain {
        let merges_with_next = section.prev().is_some_and(|p| p > section.offset);
        match pending.as_mut() {
            Some(rev) => rev.sections.push(section),
            None => {
                pending = Some(Revision {
                    index: 0,
                    xref_offset: section.offset,
                    kind: section.kind,
                    trailer: section.trailer.clone(),
                    end: None,
                    sections: vec![section],
                })
            }
        }
        if !merges_with_next {
            if let Some(rev) = pending.take() {
                revisions.push(rev);
            }
        }
    }
    if let Some(rev) = pending.take() {
        revisions.push(rev);
    }
    revisions.reverse();
    for (i, rev) in revisions.iter_mut().enumerate() {
        rev.index = i;
        let data_end = rev.sections.iter().map(|s| s.data_end).max().unwrap_or(0);
        rev.end = find_eof_after(src, data_end)?;
    }
    if revisions.is_empty() {
        return Err(Error::MalformedPdf("no cross-reference data".into()));
    }
    Ok(revisions)
}
