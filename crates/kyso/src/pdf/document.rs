//! A lazily read PDF: its revisions and the objects as they stand at each revision.
//!
//! Only the cross-reference data is read up front; objects are parsed when asked for, through
//! the cross-reference entries of the revision asked about (never by scanning for `obj`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::crypt::{Password, SecurityHandler};
use super::filters::decode_stream;
use super::object::{Dict, ObjRef, Object, Stream};
use super::parser::Parser;
use super::source::ByteSource;
use super::xref::{
    find_eof_after, find_startxref, read_chain, with_window_until, XrefEntry, XrefKind, XrefSection,
};
use crate::error::{Error, Result};

/// Depth limit when walking page trees and field trees.
const MAX_TREE_DEPTH: usize = 64;
/// Upper bound on nodes visited in one tree walk.
const MAX_TREE_NODES: usize = 1_000_000;
/// How many loads one object read may chain (an indirect /Length inside an object stream whose
/// /Length is indirect...). Real files need two.
const MAX_LOAD_DEPTH: u8 = 6;
/// Decoded object streams kept in memory, all together.
const OBJECT_STREAM_CACHE_BYTES: usize = 32 << 20;

/// One revision: the original file or one incremental update (ISO 32000-1 §7.5.6).
#[derive(Clone, Debug)]
pub struct Revision {
    /// 0 for the original document.
    pub index: usize,
    /// The offset `startxref` gives for this revision.
    pub xref_offset: u64,
    /// How this revision's cross-reference data is written.
    pub kind: XrefKind,
    /// This revision's trailer (for a cross-reference stream, its dictionary): /Root, /Size, /Prev,
    /// /Encrypt, /ID.
    pub trailer: Dict,
    /// Offset just past this revision's `%%EOF` line; None when no marker follows its xref data.
    pub end: Option<u64>,
    /// Where this revision's bytes end: nothing at or after it belongs to this revision, so
    /// no object this revision defines may be read from there.
    pub limit: u64,
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

    /// Offset just past this revision's cross-reference data (its trailer dictionary, or its
    /// xref stream's data): where its `%%EOF` should follow. A revision always has at least one
    /// section; were it to have none, 0 makes every reader of this offset look at more of the
    /// file (from its start), never less.
    pub fn data_end(&self) -> u64 {
        self.sections.iter().map(|s| s.data_end).max().unwrap_or(0)
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

/// Decoded object streams by (number, data offset, data length), with their total size.
type ObjectStreamCache = (usize, HashMap<(u32, u64, u64), Arc<ObjectStream>>);

/// Work a document may cause, counted across all its reads (hostile files: decompression bombs,
/// huge object counts). Exceeding it is an error, which verification reports as INDETERMINATE.
#[derive(Debug)]
pub struct Budget {
    decoded: AtomicU64,
    objects: AtomicU64,
    /// Bytes all decoded streams may add up to: 64 MiB + 16 × the file's size.
    pub max_decoded: u64,
    /// Object reads: 1 million + 64 per cross-reference entry of all revisions.
    pub max_objects: u64,
}

impl Budget {
    fn new(file_len: u64, entries: u64) -> Self {
        Budget {
            decoded: AtomicU64::new(0),
            objects: AtomicU64::new(0),
            max_decoded: (64 << 20) + file_len.saturating_mul(16),
            max_objects: 1_000_000 + entries.saturating_mul(64),
        }
    }

    /// Whether a limit has been reached: every later read fails, and so does the analysis.
    pub fn exhausted(&self) -> bool {
        self.decoded.load(Ordering::Relaxed) > self.max_decoded
            || self.objects.load(Ordering::Relaxed) > self.max_objects
    }

    /// Decoded bytes still allowed.
    pub fn decoded_left(&self) -> u64 {
        self.max_decoded
            .saturating_sub(self.decoded.load(Ordering::Relaxed))
    }

    fn spend_decoded(&self, n: usize) -> Result<()> {
        let total = self.decoded.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.max_decoded {
            return Err(Error::MalformedPdf(format!(
                "the document decodes to more than {} MiB: too complex to analyse",
                self.max_decoded >> 20
            )));
        }
        Ok(())
    }

    fn spend_object(&self) -> Result<()> {
        let total = self.objects.fetch_add(1, Ordering::Relaxed) + 1;
        if total > self.max_objects {
            return Err(Error::MalformedPdf(format!(
                "more than {} object reads: the document is too complex to analyse",
                self.max_objects
            )));
        }
        Ok(())
    }
}

/// A PDF document read on demand from a [`ByteSource`].
pub struct Document {
    source: Arc<dyn ByteSource>,
    /// The version in the `%PDF-` header, e.g. "1.7" (the catalog's /Version may raise it).
    pub version: String,
    /// Revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// The value of the last `startxref`.
    pub startxref: u64,
    /// Repairs made while reading the structure (reported by the verifier).
    pub warnings: Vec<String>,
    /// The same repairs as facts, in the same order.
    pub repairs: Vec<super::xref::Repair>,
    /// Every cross-reference entry by object number: (revision, entry), oldest revision first.
    index: HashMap<u32, Vec<(usize, XrefEntry)>>,
    /// Decoded object streams, keyed by where their bytes lie: a stream redefined under the
    /// same number in a later revision is another key, so no revision sees another's copy.
    object_streams: Mutex<ObjectStreamCache>,
    /// Byte ranges no structure may come from: the /Contents gaps of signatures.
    gaps: RwLock<Vec<(u64, u64)>>,
    /// The work limits every read of this document counts against.
    pub budget: Budget,
    /// The security handler of an encrypted document, opened with its password.
    crypt: Option<SecurityHandler>,
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
    /// An encrypted document is opened with the empty user password.
    ///
    /// # Errors
    ///
    /// [`Error::NotPdf`] without a `%PDF-` header, [`Error::MalformedPdf`] when the
    /// cross-reference data or trailer cannot be read, [`Error::PdfPassword`] when the document
    /// is encrypted and the empty password does not open it (use
    /// [`Document::open_with_password`]), [`Error::Io`] when the source cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use kyso::pdf::{Document, FileSource};
    ///
    /// let path = concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../../fixtures/docs/congvan-incremental.pdf"
    /// );
    /// let doc = Document::open(Arc::new(FileSource::open(path.as_ref())?))?;
    /// assert!(doc.revisions.len() > 1, "an incrementally updated file");
    /// let pages = doc.pages_at(doc.last_revision())?;
    /// assert!(!pages.is_empty());
    /// # Ok::<(), kyso::Error>(())
    /// ```
    pub fn open(source: Arc<dyn ByteSource>) -> Result<Document> {
        Self::open_with_password(source, &Password::default())
    }

    /// Opens a document, decrypting it with `password` when it is encrypted (ISO 32000-1
    /// §7.6): strings and streams are then decrypted as they are read.
    ///
    /// # Errors
    ///
    /// As [`Document::open`]; [`Error::PdfPassword`] when `password` opens neither as user nor
    /// as owner password, [`Error::UnsupportedPdf`] for a security handler other than the
    /// standard one.
    pub fn open_with_password(
        source: Arc<dyn ByteSource>,
        password: &Password,
    ) -> Result<Document> {
        let mut doc = Self::open_structure(source)?;
        doc.crypt = doc.security_handler(password)?;
        if doc.crypt.is_some() {
            // Nothing read before the key was known may be reused.
            doc.object_streams = Mutex::new((0, HashMap::new()));
        }
        Ok(doc)
    }

    fn open_structure(source: Arc<dyn ByteSource>) -> Result<Document> {
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
        let (chain, mut repairs) = read_chain(source.as_ref(), startxref)?;
        let mut revisions = group_revisions(source.as_ref(), chain)?;
        for i in 0..revisions.len() {
            let start = if i == 0 { 0 } else { revisions[i - 1].limit };
            if let Some(delta) = repair_shifted_offsets(source.as_ref(), &mut revisions[i], start)?
            {
                repairs.push(super::xref::Repair::OffsetsShifted {
                    revision: i + 1,
                    delta,
                });
            }
        }
        let mut index: HashMap<u32, Vec<(usize, XrefEntry)>> = HashMap::new();
        let mut entries = 0u64;
        for rev in &revisions {
            for num in rev.object_numbers() {
                if let Some(e) = rev.entry(num) {
                    index.entry(num).or_default().push((rev.index, e));
                    entries += 1;
                }
            }
        }
        let budget = Budget::new(source.len(), entries);
        Ok(Document {
            source,
            version,
            revisions,
            startxref,
            warnings: repairs.iter().map(|r| r.to_string()).collect(),
            repairs,
            index,
            object_streams: Mutex::new((0, HashMap::new())),
            gaps: RwLock::new(Vec::new()),
            budget,
            crypt: None,
        })
    }

    /// The security handler every revision shares: all revisions must name the same
    /// encryption dictionary and the same first /ID string (the key comes from both, ISO
    /// 32000-1 §7.6.3.3); a revision that adds, drops or changes them is refused.
    fn security_handler(&self, password: &Password) -> Result<Option<SecurityHandler>> {
        if self
            .revisions
            .iter()
            .all(|r| r.trailer.get("Encrypt").is_none())
        {
            return Ok(None);
        }
        let mut first: Option<(Option<ObjRef>, Dict, Option<Vec<u8>>)> = None;
        for rev in &self.revisions {
            let changed = |what: &str| {
                Error::UnsupportedPdf(format!(
                    "revision {} {what}; every revision of an encrypted document must keep the \
                     encryption dictionary and the first /ID string of the original",
                    rev.index + 1
                ))
            };
            let (reference, dict) = match rev.trailer.get("Encrypt") {
                None if rev.index == 0 => {
                    return Err(changed("is not encrypted but a later one is"));
                }
                None => return Err(changed("drops the document's encryption (/Encrypt)")),
                Some(Object::Ref(r)) => match self.get_at(rev.index, *r)? {
                    Object::Dict(d) => (Some(*r), d),
                    _ => return Err(changed("has an /Encrypt that is not a dictionary")),
                },
                Some(Object::Dict(d)) => (None, d.clone()),
                Some(_) => return Err(changed("has an /Encrypt that is not a dictionary")),
            };
            let id0 = rev
                .trailer
                .get("ID")
                .and_then(Object::as_array)
                .and_then(|a| a.first())
                .and_then(Object::as_bytes)
                .map(<[u8]>::to_vec);
            match &first {
                None => first = Some((reference, dict, id0)),
                Some((r0, d0, i0)) => {
                    if *d0 != dict || *r0 != reference {
                        return Err(changed("changes the encryption dictionary (/Encrypt)"));
                    }
                    if *i0 != id0 {
                        return Err(changed("changes the first /ID string"));
                    }
                }
            }
        }
        let Some((reference, dict, id0)) = first else {
            return Ok(None);
        };
        SecurityHandler::open(&dict, reference, id0.as_deref().unwrap_or(&[]), password).map(Some)
    }

    /// The security handler when the document is encrypted.
    pub fn security(&self) -> Option<&SecurityHandler> {
        self.crypt.as_ref()
    }

    /// Declares the /Contents gaps of the document's signatures (ISO 32000-1 §12.8.1): from now
    /// on no object, stream or cross-reference data may be read from inside one, and
    /// [`Document::gap_problems`] lists the structure that already lies there.
    pub fn set_signature_gaps(&self, mut gaps: Vec<(u64, u64)>) {
        gaps.sort_unstable();
        if let Ok(mut g) = self.gaps.write() {
            *g = gaps;
        }
        if let Ok(mut cache) = self.object_streams.lock() {
            *cache = (0, HashMap::new());
        }
    }

    fn in_gap(&self, from: u64, to: u64) -> bool {
        let Ok(gaps) = self.gaps.read() else {
            return true;
        };
        gaps.iter().any(|&(s, e)| from < e && to > s)
    }

    /// Cross-reference sections and objects whose bytes lie inside a signature's /Contents gap:
    /// unsigned bytes that must never be read as PDF structure.
    pub fn gap_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for rev in &self.revisions {
            for section in &rev.sections {
                if self.in_gap(section.offset, section.data_end.max(section.offset + 1)) {
                    out.push(format!(
                        "the cross-reference data of revision {} lies inside a signature's /Contents",
                        rev.index + 1
                    ));
                }
            }
            for num in rev.object_numbers() {
                if let Some(XrefEntry::InUse { offset, gen }) = rev.entry(num) {
                    // An entry that merely points into a gap finds no object there (a damaged
                    // table, read as an error when used); one that finds its object is hidden
                    // structure.
                    if self.in_gap(offset, offset + 1) && self.object_header_at(offset, num, gen) {
                        out.push(format!(
                            "object {num} of revision {} lies inside a signature's /Contents",
                            rev.index + 1
                        ));
                    }
                }
            }
        }
        out
    }

    /// Whether the document's work budget is spent (see [`Budget`]).
    pub fn budget_exhausted(&self) -> bool {
        self.budget.exhausted()
    }

    /// The bytes the document is read from.
    pub fn source(&self) -> &Arc<dyn ByteSource> {
        &self.source
    }

    /// Length of the file in bytes.
    pub fn len(&self) -> u64 {
        self.source.len()
    }

    /// Whether the file has no bytes (never true for an opened document).
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// Index of the newest revision in [`Document::revisions`] (0 when the file was never updated).
    pub fn last_revision(&self) -> usize {
        self.revisions.len() - 1
    }

    /// The newest revision's trailer: what a viewer opening the file reads first.
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

    /// Whether `num gen obj` starts at `offset`.
    fn object_header_at(&self, offset: u64, num: u32, gen: u16) -> bool {
        let Ok(head) = self.source.read_vec(offset, 48) else {
            return false;
        };
        let mut p = Parser::new(&head, true);
        matches!((p.read_uint(), p.read_uint(), p.expect_keyword(b"obj")), (Ok(n), Ok(g), Ok(())) if n == num as u64 && g == gen as u64)
    }

    /// The cross-reference entry of `num` as seen by revision `rev` (newest data wins).
    pub fn entry_at(&self, rev: usize, num: u32) -> Option<XrefEntry> {
        self.defining_entry(rev, num).map(|(_, e)| e)
    }

    /// The entry of `num` seen by revision `rev`, with the revision that wrote it.
    pub fn defining_entry(&self, rev: usize, num: u32) -> Option<(usize, XrefEntry)> {
        let list = self.index.get(&num)?;
        let pos = list.partition_point(|(r, _)| *r <= rev);
        pos.checked_sub(1).map(|p| list[p])
    }

    /// Every revision that has an entry for `num`, oldest first.
    pub fn entries_of(&self, num: u32) -> &[(usize, XrefEntry)] {
        self.index.get(&num).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The object `r` as it stands in the newest revision.
    pub fn get(&self, r: ObjRef) -> Result<Object> {
        self.get_at(self.last_revision(), r)
    }

    /// The object `r` as it stands at revision `rev`. A missing or free object is `null`
    /// (ISO 32000-1 §7.3.10).
    pub fn get_at(&self, rev: usize, r: ObjRef) -> Result<Object> {
        self.get_at_depth(rev, r, 0)
    }

    fn get_at_depth(&self, rev: usize, r: ObjRef, depth: u8) -> Result<Object> {
        if depth > MAX_LOAD_DEPTH {
            return Err(Error::MalformedPdf(format!(
                "reading object {r} needs too many nested reads (indirect /Length chain?)"
            )));
        }
        let rev = rev.min(self.last_revision());
        match self.defining_entry(rev, r.num) {
            None | Some((_, XrefEntry::Free { .. })) => Ok(Object::Null),
            Some((definer, XrefEntry::InUse { offset, gen })) => {
                if gen != r.gen {
                    return Ok(Object::Null);
                }
                self.load_at_offset(rev, definer, offset, r, depth)
            }
            Some((_, XrefEntry::Compressed { stream, index })) => {
                if r.gen != 0 {
                    return Ok(Object::Null);
                }
                self.load_compressed(rev, stream, index, r.num, depth)
            }
        }
    }

    /// Follows a reference (one level at a time, bounded) to a direct object.
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        self.resolve_at(self.last_revision(), obj)
    }

    /// [`Document::resolve`] as revision `rev` sees the objects: a later update's redefinition is
    /// invisible to it.
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

    /// Reads object `expect` at `offset`, as revision `rev` sees it; `definer` is the revision
    /// whose cross-reference data points there: the object must lie inside that revision's bytes.
    fn load_at_offset(
        &self,
        rev: usize,
        definer: usize,
        offset: u64,
        expect: ObjRef,
        depth: u8,
    ) -> Result<Object> {
        self.budget.spend_object()?;
        let limit = self.revisions[definer].limit;
        if offset >= limit {
            return Err(Error::MalformedPdf(format!(
                "object {expect} of revision {} points beyond that revision's end",
                definer + 1
            )));
        }
        if self.in_gap(offset, offset + 1) {
            return Err(Error::MalformedPdf(format!(
                "object {expect} lies inside a signature's /Contents"
            )));
        }
        let parsed =
            with_window_until(self.source.as_ref(), offset, limit, 4096, |buf, at_end| {
                let mut p = Parser::new(buf, at_end);
                p.indirect_object()
            })?;
        if parsed.id != expect {
            return Err(Error::MalformedPdf(format!(
                "cross-reference entry for {expect} points at object {}",
                parsed.id
            )));
        }
        let mut object = match (parsed.object, parsed.stream_data_start) {
            (Object::Dict(dict), Some(start)) => {
                let data_offset = offset + start as u64;
                let data_len = self.stream_length(rev, &dict, expect, depth)?;
                let data_end = data_offset.saturating_add(data_len);
                if data_end > limit {
                    return Err(Error::MalformedPdf(format!(
                        "stream {expect} runs past the end of its revision"
                    )));
                }
                if self.in_gap(data_offset, data_end) {
                    return Err(Error::MalformedPdf(format!(
                        "stream {expect} overlaps a signature's /Contents"
                    )));
                }
                Object::Stream(Box::new(Stream {
                    dict,
                    data_offset,
                    data_len,
                    encrypted_as: self.crypt.as_ref().map(|_| expect),
                }))
            }
            (obj, _) => obj,
        };
        // ISO 32000-1 §7.6.2: strings of objects outside object streams are encrypted.
        if let Some(crypt) = &self.crypt {
            crypt.decrypt_object(expect, &mut object)?;
        }
        Ok(object)
    }

    fn stream_length(&self, rev: usize, dict: &Dict, owner: ObjRef, depth: u8) -> Result<u64> {
        let len = match dict.get("Length") {
            Some(Object::Int(n)) => *n,
            Some(Object::Ref(r)) if *r != owner => match self.get_at_depth(rev, *r, depth + 1)? {
                Object::Int(n) => n,
                _ => -1,
            },
            _ => -1,
        };
        u64::try_from(len)
            .map_err(|_| Error::MalformedPdf(format!("stream {owner} has no valid /Length")))
    }

    /// Reads a stream's encoded bytes (decrypted in an encrypted document).
    pub fn stream_raw(&self, s: &Stream) -> Result<Vec<u8>> {
        if s.data_len > self.source.len() {
            return Err(Error::MalformedPdf("stream longer than the file".into()));
        }
        let raw = self.source.read_vec(s.data_offset, s.data_len as usize)?;
        match (&self.crypt, s.encrypted_as) {
            (Some(crypt), Some(r)) if Some(r) != crypt.encrypt_ref => {
                crypt.decrypt_stream(r, &s.dict, &raw)
            }
            _ => Ok(raw),
        }
    }

    /// Reads and decodes a stream (structural filters only).
    /// Decoded bytes count against the document's [`Budget`].
    pub fn stream_decoded(&self, s: &Stream) -> Result<Vec<u8>> {
        let raw = self.stream_raw(s)?;
        // Work proportional to the input: one stream inflates to at most 1 MiB + 256 × its
        // encoded size (real structural streams stay far below; bombs reach 1000×), and all
        // streams together stay within the document's budget.
        let per_stream = (1u64 << 20).saturating_add((raw.len() as u64).saturating_mul(256));
        let limit = self
            .budget
            .decoded_left()
            .min(per_stream)
            .min(usize::MAX as u64) as usize;
        let out = decode_stream(&s.dict, &raw, limit)?;
        self.budget.spend_decoded(out.len())?;
        Ok(out)
    }

    fn load_compressed(
        &self,
        rev: usize,
        stream: u32,
        index: u32,
        num: u32,
        depth: u8,
    ) -> Result<Object> {
        self.budget.spend_object()?;
        let os = self.object_stream(rev, stream, depth)?;
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

    fn object_stream(&self, rev: usize, stream: u32, depth: u8) -> Result<Arc<ObjectStream>> {
        // ISO 32000-1 §7.5.7: object streams are themselves never compressed.
        let obj = match self.defining_entry(rev, stream) {
            Some((definer, XrefEntry::InUse { offset, gen: 0 })) => {
                self.load_at_offset(rev, definer, offset, ObjRef::new(stream, 0), depth + 1)?
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
        if !s.dict.has_name("Type", "ObjStm") {
            return Err(Error::MalformedPdf(format!(
                "object {stream} is not an object stream"
            )));
        }
        let key = (stream, s.data_offset, s.data_len);
        if let Ok(cache) = self.object_streams.lock() {
            if let Some(os) = cache.1.get(&key) {
                return Ok(os.clone());
            }
        }
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
        let mut numbers = HashSet::with_capacity(n as usize);
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
            if !numbers.insert(num) {
                return Err(Error::MalformedPdf(format!(
                    "object stream {stream} holds object {num} twice"
                )));
            }
            index.push((num as u32, at as usize));
        }
        let os = Arc::new(ObjectStream { data, index });
        if let Ok(mut cache) = self.object_streams.lock() {
            if cache.0 + os.data.len() > OBJECT_STREAM_CACHE_BYTES {
                *cache = (0, HashMap::new());
            }
            cache.0 += os.data.len();
            cache.1.insert(key, os.clone());
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

    /// The document catalog dictionary at revision `rev` (ISO 32000-1 §7.7.2).
    ///
    /// Fails with [`Error::MalformedPdf`] when /Root is missing or not a dictionary.
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
            // A node that is not a dictionary, or /Kids that is not an array of references, is
            // not listed: the diff has no rule that allows changing what it does not list.
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
    /// The field's own dictionary (its widget's entries too when merged, ISO 32000-1 §12.5.6.19).
    pub dict: Dict,
}

impl FormField {
    /// Whether this is a signature field (/FT /Sig).
    pub fn is_signature(&self) -> bool {
        self.field_type.as_deref() == Some(b"Sig")
    }
}

/// A writer bug seen in real signed files: an update's cross-reference section written with
/// every offset shifted by the same amount. Viewers rebuild such sections by finding the objects;
/// kyso repairs one only when it is unambiguous: no entry finds its object where it points,
/// one shift makes *every* entry land on its own `N G obj` header inside the revision's bytes,
/// and each of those headers is the only one for its number there. Returns the shift applied.
fn repair_shifted_offsets(
    src: &dyn ByteSource,
    rev: &mut Revision,
    start: u64,
) -> Result<Option<i64>> {
    let header_at = |offset: u64, num: u32, gen: u16| -> bool {
        let Ok(head) = src.read_vec(offset, 32) else {
            return false;
        };
        let mut p = Parser::new(&head, true);
        matches!((p.read_uint(), p.read_uint(), p.expect_keyword(b"obj")),
            (Ok(n), Ok(g), Ok(())) if n == num as u64 && g == gen as u64)
    };
    let in_use: Vec<(u32, u64, u16)> = rev
        .sections
        .iter()
        .flat_map(|s| s.entries.iter())
        .filter_map(|(n, e)| match e {
            XrefEntry::InUse { offset, gen } => Some((*n, *offset, *gen)),
            _ => None,
        })
        .collect();
    // A shift is a writer's systematic error: only a section with several entries, all off by
    // the same amount, is evidence of one (one or two odd entries are not repaired).
    if in_use.len() < 4 {
        return Ok(None);
    }
    let (first, first_offset, first_gen) = in_use[0];
    if in_use.iter().any(|&(n, o, g)| header_at(o, n, g)) {
        return Ok(None); // not the all-shifted shape: nothing to repair
    }
    let end = rev.limit.min(src.len());
    if end <= start || end - start > 64 << 20 {
        return Ok(None);
    }
    let bytes = src.read_vec(start, (end - start) as usize)?;
    let headers = super::xref::object_headers(&bytes);
    let mut found: HashMap<(u32, u16), Vec<u64>> = HashMap::new();
    for (pos, n, g) in headers {
        found.entry((n, g)).or_default().push(start + pos as u64);
    }
    let Some(&[real]) = found.get(&(first, first_gen)).map(Vec::as_slice) else {
        return Ok(None);
    };
    let delta = real as i64 - first_offset as i64;
    let fits = in_use.iter().all(|&(n, o, g)| {
        let target = o as i64 + delta;
        target >= 0 && found.get(&(n, g)).map(Vec::as_slice) == Some(&[target as u64][..])
    });
    if !fits || delta == 0 {
        return Ok(None);
    }
    for section in &mut rev.sections {
        for e in section.entries.values_mut() {
            if let XrefEntry::InUse { offset, .. } = e {
                *offset = (*offset as i64 + delta) as u64;
            }
        }
    }
    Ok(Some(delta))
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
                    limit: 0,
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
        rev.end = find_eof_after(src, rev.data_end())?;
    }
    if revisions.is_empty() {
        return Err(Error::MalformedPdf("no cross-reference data".into()));
    }
    // Where each revision's bytes end: its %%EOF, else where the next one's data begins.
    for i in 0..revisions.len() {
        let next_start = revisions.get(i + 1).map(|r| {
            r.sections
                .iter()
                .map(|s| s.offset)
                .min()
                .unwrap_or(r.xref_offset)
        });
        let own_end = revisions[i]
            .sections
            .iter()
            .map(|s| s.data_end)
            .max()
            .unwrap_or(0);
        // A marker found past the next revision's start is that revision's, not this one's.
        if let (Some(end), Some(next)) = (revisions[i].end, next_start) {
            if end > next {
                revisions[i].end = None;
            }
        }
        revisions[i].limit = match (revisions[i].end, next_start) {
            (Some(end), _) => end,
            (None, Some(_)) => own_end,
            (None, None) => src.len(),
        };
    }
    Ok(revisions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::MemorySource;

    /// Appends `objs` and a classic xref section (with `prev`) to `out`; returns its offset.
    fn update(out: &mut Vec<u8>, objs: &[(u32, &[u8])], prev: Option<usize>, size: u32) -> usize {
        let mut offsets = Vec::new();
        for (num, body) in objs {
            offsets.push((*num, out.len()));
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let at = out.len();
        out.extend_from_slice(b"xref\n");
        if prev.is_none() {
            out.extend_from_slice(b"0 1\n0000000000 65535 f\r\n");
        }
        for (num, off) in &offsets {
            out.extend_from_slice(format!("{num} 1\n{off:010} 00000 n\r\n").as_bytes());
        }
        let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        out.extend_from_slice(
            format!("trailer\n<< /Size {size} /Root 1 0 R{prev} >>\nstartxref\n{at}\n%%EOF\n")
                .as_bytes(),
        );
        at
    }

    fn open(bytes: Vec<u8>) -> Result<Document> {
        Document::open(Arc::new(MemorySource::new(bytes)))
    }

    fn objstm(members: &[(u32, &str)]) -> Vec<u8> {
        let mut header = String::new();
        let mut data = String::new();
        for (num, body) in members {
            header.push_str(&format!("{num} {} ", data.len()));
            data.push_str(body);
            data.push('\n');
        }
        let all = format!("{header}{data}");
        format!(
            "<< /Type /ObjStm /N {} /First {} /Length {} >>\nstream\n{all}\nendstream",
            members.len(),
            header.len(),
            all.len()
        )
        .into_bytes()
    }

    #[test]
    fn each_revision_reads_its_own_objects() {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let x0 = update(
            &mut pdf,
            &[(1, b"<< /Type /Catalog /V 1 >>"), (2, b"(old)")],
            None,
            3,
        );
        update(&mut pdf, &[(2, b"(new)")], Some(x0), 3);
        let doc = open(pdf).unwrap();
        let r = ObjRef::new(2, 0);
        assert_eq!(doc.get_at(0, r).unwrap().as_bytes(), Some(&b"old"[..]));
        assert_eq!(doc.get_at(1, r).unwrap().as_bytes(), Some(&b"new"[..]));
    }

    /// Appends plain objects and an xref stream (object `xref_num`) listing them and the
    /// `compressed` (number, stream, index) entries; returns the section's offset.
    fn xref_stream_update(
        out: &mut Vec<u8>,
        plain: &[(u32, &[u8])],
        compressed: &[(u32, u32, u16)],
        xref_num: u32,
        prev: Option<usize>,
    ) -> usize {
        let mut rows: Vec<(u32, [u8; 7])> = Vec::new();
        let row = |t: u8, f2: u32, f3: u16| {
            let mut r = [t, 0, 0, 0, 0, 0, 0];
            r[1..5].copy_from_slice(&f2.to_be_bytes());
            r[5..7].copy_from_slice(&f3.to_be_bytes());
            r
        };
        for (num, body) in plain {
            rows.push((*num, row(1, out.len() as u32, 0)));
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        for (num, stream, index) in compressed {
            rows.push((*num, row(2, *stream, *index)));
        }
        let at = out.len();
        rows.push((xref_num, row(1, at as u32, 0)));
        rows.sort_by_key(|r| r.0);
        let index: Vec<String> = rows.iter().map(|r| format!("{} 1", r.0)).collect();
        let data: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
        let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        out.extend_from_slice(
            format!(
                "{xref_num} 0 obj\n<< /Type /XRef /W [1 4 2] /Index [{}] /Size {} /Root 1 0 R{prev} /Length {} >>\nstream\n",
                index.join(" "),
                xref_num + 1,
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
        at
    }

    #[test]
    fn an_object_stream_redefined_under_its_number_is_read_per_revision() {
        // Revision 1: object 3 lives in object stream 5. Revision 2 redefines stream 5 only.
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let first = objstm(&[(3, "(first)")]);
        let x0 = xref_stream_update(
            &mut pdf,
            &[(1, b"<< /Type /Catalog >>"), (5, &first)],
            &[(3, 5, 0)],
            6,
            None,
        );
        let second = objstm(&[(3, "(second)")]);
        xref_stream_update(&mut pdf, &[(5, &second)], &[], 7, Some(x0));
        let doc = open(pdf).unwrap();
        assert_eq!(doc.revisions.len(), 2);
        let r = ObjRef::new(3, 0);
        // Newest first, then the older revision: no cache may hand it the newer stream.
        assert_eq!(doc.get_at(1, r).unwrap().as_bytes(), Some(&b"second"[..]));
        assert_eq!(doc.get_at(0, r).unwrap().as_bytes(), Some(&b"first"[..]));
        assert_eq!(doc.get_at(1, r).unwrap().as_bytes(), Some(&b"second"[..]));
    }

    #[test]
    fn an_entry_pointing_past_its_revision_is_refused() {
        // Revision 1's table lists object 2 at an offset that lies in revision 2's bytes.
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let cat = pdf.len();
        pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog >>\nendobj\n");
        let x0 = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 3\n0000000000 65535 f\r\n{cat:010} 00000 n\r\nPLACEHOLDER 00000 n\r\ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{x0}\n%%EOF\n").as_bytes(),
        );
        let later = pdf.len();
        let pos = pdf.windows(11).position(|w| w == b"PLACEHOLDER").unwrap();
        pdf.splice(pos..pos + 11, format!("{later:010}").bytes());
        let later = later - 1; // the splice shortened the file by one byte
        let pos = pdf
            .windows(10)
            .position(|w| w == format!("{:010}", later + 1).as_bytes())
            .unwrap();
        pdf.splice(pos..pos + 10, format!("{later:010}").bytes());
        update(&mut pdf, &[(2, b"(later)")], Some(x0), 3);
        let doc = open(pdf).unwrap();
        assert_eq!(doc.revisions.len(), 2);
        assert!(doc.revisions[0].limit <= later as u64);
        // Revision 2 reads its own object; revision 1 may not read bytes that come later.
        assert_eq!(
            doc.get_at(1, ObjRef::new(2, 0)).unwrap().as_bytes(),
            Some(&b"later"[..])
        );
        let err = doc.get_at(0, ObjRef::new(2, 0)).unwrap_err().to_string();
        assert!(err.contains("beyond"), "{err}");
    }

    #[test]
    fn a_section_shifted_as_a_whole_is_repaired_and_said() {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let x0 = update(&mut pdf, &[(1, b"<< /Type /Catalog >>")], None, 7);
        let mut shifted = pdf.clone();
        let objs: [(u32, &[u8]); 5] = [
            (2, b"(two)"),
            (3, b"(three)"),
            (4, b"(four)"),
            (5, b"(five)"),
            (6, b"(six)"),
        ];
        let x1 = update(&mut shifted, &objs, Some(x0), 7);
        // Rewrite every offset of revision 2 100 bytes too far.
        let mut at = x1;
        while let Some(p) = shifted[at..].windows(8).position(|w| w == b" 00000 n") {
            let end = at + p;
            let off: u64 = std::str::from_utf8(&shifted[end - 10..end])
                .unwrap()
                .parse()
                .unwrap();
            shifted.splice(end - 10..end, format!("{:010}", off + 100).bytes());
            at = end + 8;
        }
        let doc = open(shifted).unwrap();
        assert!(
            doc.warnings.iter().any(|w| w.contains("off by -100")),
            "{:?}",
            doc.warnings
        );
        assert_eq!(
            doc.get(ObjRef::new(2, 0)).unwrap().as_bytes(),
            Some(&b"two"[..])
        );
    }

    #[test]
    fn forward_prev_is_refused_unless_linearized() {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        update(&mut pdf, &[(1, b"<< /Type /Catalog >>")], None, 2);
        // A newest section whose /Prev points to a section written after it.
        let newest = pdf.len();
        let placeholder = "9999999999";
        pdf.extend_from_slice(
            format!("xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 2 /Root 1 0 R /Prev {placeholder} >>\n").as_bytes(),
        );
        let later = pdf.len();
        let pos = pdf
            .windows(placeholder.len())
            .rposition(|w| w == placeholder.as_bytes())
            .unwrap();
        pdf[pos..pos + 10].copy_from_slice(format!("{later:010}").as_bytes());
        pdf.extend_from_slice(
            b"xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\n",
        );
        pdf.extend_from_slice(format!("startxref\n{newest}\n%%EOF\n").as_bytes());
        let err = open(pdf).unwrap_err().to_string();
        assert!(err.contains("forward"), "{err}");
    }

    #[test]
    fn duplicate_entries_in_one_section_are_refused() {
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
        let at = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n1 1\n0000000009 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
        );
        let err = open(pdf).unwrap_err().to_string();
        assert!(err.contains("two entries"), "{err}");
    }

    #[test]
    fn length_chains_are_cut() {
        // Stream 2's /Length is object 3, a stream whose /Length is object 2.
        let mut pdf = b"%PDF-1.7\n".to_vec();
        update(
            &mut pdf,
            &[
                (1, b"<< /Type /Catalog >>"),
                (2, b"<< /Length 3 0 R >>\nstream\nabc\nendstream"),
                (3, b"<< /Length 2 0 R >>\nstream\nabc\nendstream"),
            ],
            None,
            4,
        );
        let doc = open(pdf).unwrap();
        assert!(doc.get(ObjRef::new(2, 0)).is_err());
    }
}
