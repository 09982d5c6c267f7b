//! Everything one revision defines, redefines or frees (ISO 32000-1 §7.5.6), listed so that
//! each item can be judged: its own cross-reference entries, the members of object streams it
//! redefines (their values change although their entries do not), its trailer entries, and bytes
//! it holds that no cross-reference entry accounts for.

use std::collections::{BTreeSet, HashMap};

use super::{Fact, What};
use crate::error::Result;
use crate::pdf::xref::{object_headers, XrefEntry};
use crate::pdf::Document;

/// One item of a revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// Object `num` is (re)defined: by an entry, or by its object stream being redefined.
    Defined(u32),
    /// Object `num`'s entry is free in this revision while it was in use before.
    Freed(u32),
}

/// Object stream → every object number any revision places in it.
pub fn object_stream_members(doc: &Document) -> HashMap<u32, Vec<u32>> {
    let mut out: HashMap<u32, Vec<u32>> = HashMap::new();
    for rev in &doc.revisions {
        for num in rev.object_numbers() {
            if let Some(XrefEntry::Compressed { stream, .. }) = rev.entry(num) {
                out.entry(stream).or_default().push(num);
            }
        }
    }
    out
}

/// The items of revision `rev`, in object-number order.
pub fn changed_items(doc: &Document, rev: usize, members: &HashMap<u32, Vec<u32>>) -> Vec<Item> {
    let mut items = BTreeSet::new();
    let revision = &doc.revisions[rev];
    for num in revision.object_numbers() {
        let Some(new) = revision.entry(num) else {
            continue;
        };
        let old = doc.entry_at(rev - 1, num);
        match new {
            XrefEntry::Free { .. } => {
                if matches!(
                    old,
                    Some(XrefEntry::InUse { .. } | XrefEntry::Compressed { .. })
                ) {
                    items.insert(Item::Freed(num));
                }
            }
            _ => {
                items.insert(Item::Defined(num));
                // ISO 32000-1 §7.5.7: objects in a stream redefined under the same number are
                // read from the new stream, though their own entries are older.
                for &m in members.get(&num).map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some((definer, XrefEntry::Compressed { stream, .. })) =
                        doc.defining_entry(rev, m)
                    {
                        if stream == num && definer < rev {
                            items.insert(Item::Defined(m));
                        }
                    }
                }
            }
        }
    }
    items.into_iter().collect()
}

/// Trailer entries of revision `rev` against `rev - 1` (ISO 32000-1 §7.5.5, Table 15).
pub fn trailer_changes(doc: &Document, rev: usize) -> Vec<Fact> {
    let old = &doc.revisions[rev - 1].trailer;
    let new = &doc.revisions[rev].trailer;
    let mut keys: BTreeSet<Vec<u8>> = old.iter().map(|(k, _)| k.to_vec()).collect();
    keys.extend(new.iter().map(|(k, _)| k.to_vec()));
    let mut out = Vec::new();
    for key in keys {
        let name = String::from_utf8_lossy(&key).into_owned();
        if old.get(&name) == new.get(&name) {
            continue;
        }
        let fact = match key.as_slice() {
            // The structure of the file itself: every update writes these anew.
            b"Size" | b"Prev" | b"XRefStm" | b"ID" | b"Type" | b"W" | b"Index" | b"Length"
            | b"Filter" | b"DecodeParms" | b"DocChecksum" => continue,
            b"Info" => Fact::new(What::DocumentInfo, true),
            b"Root" => Fact::new(What::RootChanged, false),
            b"Encrypt" => Fact::new(What::EncryptChanged, false),
            // No viewer reads other trailer entries; one that refers to objects could make them
            // matter to some reader, so only plain values are let through.
            _ => {
                let plain = new
                    .get(&name)
                    .is_none_or(|v| super::graph::refs_in(v).is_empty());
                Fact::new(What::TrailerEntry { key: name }, plain)
            }
        };
        out.push(fact);
    }
    // ISO 32000-1 §7.5.5, Table 15: /Size is one more than the highest object number, and an
    // update never shrinks it; readers that trust it would not see objects beyond it.
    let size = |d: &crate::pdf::Dict| d.get("Size").and_then(crate::pdf::Object::as_int);
    let (old_size, new_size) = (size(old), size(new));
    let highest = doc.revisions[rev].object_numbers().max();
    let too_small = match (new_size, highest) {
        (Some(s), Some(h)) => (h as i64) >= s,
        (None, _) => true,
        _ => false,
    };
    if too_small || new_size < old_size {
        out.push(Fact::new(What::TrailerEntry { key: "Size".into() }, false));
    }
    out
}

/// ISO 32000-1 §7.5.6: an update's objects are all listed in its cross-reference section.
/// Finds `N G obj` definitions in the revision's bytes that its xref does not point at.
pub fn objects_without_xref(doc: &Document, rev: usize) -> Result<Vec<Fact>> {
    let mut out = Vec::new();
    // Without a `%%EOF` after the revision before, its bytes end with its xref data: what
    // follows is searched all the same (never skipped for a missing marker).
    let start = doc.revisions[rev - 1]
        .end
        .unwrap_or(doc.revisions[rev - 1].limit);
    let end = doc.revisions[rev].limit;
    if end <= start {
        return Ok(out);
    }
    // Read in slices so that a large update costs no more memory than a slice.
    const SLICE: u64 = 8 << 20;
    let mut from = start;
    while from < end {
        let to = (from + SLICE + 64).min(end);
        let bytes = doc.source().read_vec(from, (to - from) as usize)?;
        for (pos, num, gen) in object_headers(&bytes) {
            let at = from + pos as u64;
            if at >= from + SLICE && to < end {
                continue; // the next slice sees it whole
            }
            // Some writers point at the end-of-line before the header: tolerate white space.
            let listed = match doc.revisions[rev].entry(num) {
                Some(XrefEntry::InUse { offset, gen: g })
                    if g == gen && offset <= at && at - offset <= 4 && offset >= from =>
                {
                    let f = (offset - from) as usize;
                    bytes[f..pos]
                        .iter()
                        .all(|&b| crate::pdf::parser::is_whitespace(b))
                }
                Some(XrefEntry::InUse { offset, gen: g }) if g == gen && offset == at => true,
                _ => false,
            };
            if !listed {
                out.push(Fact::new(What::ObjectWithoutXref { num }, false).on(num));
            }
        }
        from += SLICE;
    }
    Ok(out)
}

/// Bytes after the last %%EOF that are not white space (ISO 32000-1 §7.5.5).
/// Without a `%%EOF` (or one too far away to be the last revision's), the bytes after its
/// xref data may hold only the end of that data: `endstream endobj startxref N`.
pub fn trailing_data(doc: &Document) -> Result<Option<Fact>> {
    let last = &doc.revisions[doc.last_revision()];
    let (end, marker) = match last.end {
        Some(end) => (end, true),
        None => (last.data_end(), false),
    };
    if end >= doc.len() {
        return Ok(None);
    }
    let n = (doc.len() - end).min(1 << 20) as usize;
    let tail = doc.source().read_vec(end, n)?;
    let tokens: Vec<&[u8]> = tail
        .split(|&b| crate::pdf::parser::is_whitespace(b))
        .filter(|t| !t.is_empty())
        .collect();
    let clean = match tokens.as_slice() {
        [] => true,
        _ if marker => false,
        [b"endstream", b"endobj", rest @ ..] | rest => match rest {
            [] => true,
            [b"startxref", n] => n.iter().all(u8::is_ascii_digit),
            _ => false,
        },
    };
    if clean && doc.len() - end <= 1 << 20 {
        return Ok(None);
    }
    Ok(Some(Fact::new(
        What::TrailingData {
            bytes: doc.len() - end,
        },
        false,
    )))
}

#[cfg(test)]
mod tests {
    use crate::pdf::xref::object_headers;

    #[test]
    fn object_headers_found_at_line_starts() {
        let h = object_headers(b"12 0 obj\n<<>>\nendobj\n(x 3 0 obj) 7 0 obj\n5 2 obj");
        assert_eq!(
            h.iter().map(|(_, n, g)| (*n, *g)).collect::<Vec<_>>(),
            vec![(12, 0), (5, 2)]
        );
    }
}
