//! ByteRange rules (ISO 32000-1 §12.8.1; ETSI EN 319 142-1 §5.3): two ranges, the first from 0,
//! the gap exactly this dictionary's /Contents string, inside the file, ending at a revision's end.
//!
//! [`check`] is the first building block of every signature's verification in [`crate::verify`]
//! (format checking, ETSI EN 319 102-1 §5.2.2): a failed rule is the signature's
//! [`Note`] reason and no cryptography is tried. It reads the signature dictionary found by
//! [`crate::pdf::signatures::find_signatures`] and the revisions of the [`Document`].

use super::note::Note;
use crate::pdf::signatures::SignatureEntry;
use crate::pdf::Document;

/// What the ByteRange covers, or why it is not acceptable.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// The two (offset, length) ranges, when they lie inside the file.
    pub ranges: Option<[(u64, u64); 2]>,
    /// The first failed rule.
    pub problem: Option<Note>,
    /// The signed part is the last revision and only white space follows it (ISO 32000-1
    /// §7.5.5): no byte of the file is outside the signature.
    pub covers_whole_document: bool,
    /// 0-based revision whose end the signed part reaches.
    pub revision: Option<usize>,
    /// Revisions (incremental updates) after the signed one; 0 when the signed part is the last.
    pub revisions_after: usize,
    /// Bytes of the file after the end of the signed part.
    pub bytes_after: u64,
}

/// Applies the ByteRange rules to the signature `entry` of `doc`, in order, and stops at the
/// first one broken ([`Coverage::problem`]). Never fails: an unreadable /ByteRange is a problem.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use kyso::pdf::{signatures::find_signatures, Document, MemorySource};
/// use kyso::verify::byte_range;
///
/// let pdf = std::fs::read(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../../fixtures/docs/congvan-signed-pyhanko.pdf"
/// ))?;
/// let doc = Document::open(Arc::new(MemorySource::new(pdf)))?;
/// let sigs = find_signatures(&doc)?;
/// let coverage = byte_range::check(&doc, &sigs[0]);
/// assert!(coverage.problem.is_none());
/// assert!(coverage.covers_whole_document);
/// assert_eq!(coverage.revisions_after, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(doc: &Document, entry: &SignatureEntry) -> Coverage {
    let mut c = Coverage::default();
    let len = doc.len();
    let Some(br) = &entry.byte_range else {
        c.problem = Some(Note::NoByteRange);
        return c;
    };
    if br.len() != 4 {
        c.problem = Some(Note::ByteRangeCount { count: br.len() });
        return c;
    }
    if br.iter().any(|&v| v < 0) {
        c.problem = Some(Note::ByteRangeNegative);
        return c;
    }
    let [a, b, cc, d] = [br[0] as u64, br[1] as u64, br[2] as u64, br[3] as u64];
    if a != 0 {
        c.problem = Some(Note::ByteRangeNotFromStart);
        return c;
    }
    let end = cc.checked_add(d);
    if cc < b || end.is_none_or(|e| e > len) {
        c.problem = Some(Note::ByteRangeOutsideFile { file_len: len });
        return c;
    }
    let end = end.unwrap_or(len);
    // The gap must be exactly this signature's /Contents string, delimiters included.
    match entry.contents_span {
        Some((s, e)) if s == b && e == cc => {}
        Some(_) => {
            c.problem = Some(Note::ByteRangeGapNotContents);
            return c;
        }
        None => {
            c.problem = Some(Note::ContentsNotLocated {
                detail: entry.span_problem.clone().unwrap_or_default(),
            });
            return c;
        }
    }
    c.ranges = Some([(0, b), (cc, d)]);

    // The signed part must end at the end of a revision (%%EOF).
    let revision = doc.revisions.iter().position(|r| match r.end {
        Some(rev_end) => {
            rev_end == end || (rev_end > end && rev_end - end <= 2 && ends_with_eof(doc, end))
        }
        None => false,
    });
    match revision {
        Some(r) => {
            c.revision = Some(r);
            c.revisions_after = doc.revisions.len() - 1 - r;
        }
        None => {
            c.problem = Some(Note::SignedPartNotAtRevisionEnd);
            return c;
        }
    }
    c.bytes_after = len - end;
    let last_end = doc.revisions.last().and_then(|r| r.end).unwrap_or(len);
    c.covers_whole_document =
        c.revisions_after == 0 && trailing_is_whitespace(doc, end, len) && last_end <= len;
    c
}

fn ends_with_eof(doc: &Document, end: u64) -> bool {
    let from = end.saturating_sub(5);
    doc.source()
        .read_vec(from, (end - from) as usize)
        .map(|b| b == b"%%EOF")
        .unwrap_or(false)
}

/// Whether only white space follows `from` (ISO 32000-1 §7.5.5 allows an end-of-line marker).
fn trailing_is_whitespace(doc: &Document, from: u64, len: u64) -> bool {
    if len - from > 4096 {
        return false;
    }
    doc.source()
        .read_vec(from, (len - from) as usize)
        .map(|b| b.iter().all(|&x| crate::pdf::parser::is_whitespace(x)))
        .unwrap_or(false)
}
