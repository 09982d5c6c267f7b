//! The document being extended: the input followed by the revisions added so far, readable as
//! one PDF so that each new revision builds on the previous one.

use std::io::Write;
use std::sync::Arc;

use crate::crypto::{DigestAlgorithm, Hasher};
use crate::error::{Error, Result};
use crate::pdf::{ByteSource, Document, Password};
use crate::timestamp::{TimestampToken, TsaClient};

use super::gather::Gathered;

/// The input plus appended bytes, read as one source.
struct Concat {
    base: Arc<dyn ByteSource>,
    tail: Arc<[u8]>,
}

impl ByteSource for Concat {
    fn len(&self) -> u64 {
        self.base.len() + self.tail.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let base_len = self.base.len();
        if offset < base_len {
            let want = buf.len().min((base_len - offset) as usize);
            return self.base.read_at(offset, &mut buf[..want]);
        }
        let start = ((offset - base_len) as usize).min(self.tail.len());
        let n = buf.len().min(self.tail.len() - start);
        buf[..n].copy_from_slice(&self.tail[start..start + n]);
        Ok(n)
    }
}

/// The revisions an extension appends to its input.
pub(crate) struct Appended {
    base: Arc<dyn ByteSource>,
    bytes: Vec<u8>,
    /// The password of an encrypted input.
    password: Password,
    /// How many leading bytes the output already holds (they are not written again).
    written: u64,
    /// A hasher fed with the first `.1` bytes of the document (base and appended), so that a
    /// document time-stamp does not read them again.
    prefix: Option<(Hasher, u64)>,
}

impl Appended {
    pub fn new(base: Arc<dyn ByteSource>, password: Password) -> Self {
        Appended {
            base,
            bytes: Vec::new(),
            password,
            written: 0,
            prefix: None,
        }
    }

    /// Goes on from a signing whose output already holds `base` then `tail`; `hashed` (when
    /// given) was fed with all of it.
    pub fn continuing(
        base: Arc<dyn ByteSource>,
        tail: Vec<u8>,
        hashed: Option<Hasher>,
        password: Password,
    ) -> Self {
        let written = base.len() + tail.len() as u64;
        Appended {
            base,
            bytes: tail,
            written,
            prefix: hashed.map(|h| (h, written)),
            password,
        }
    }

    /// True when nothing was added to the input (the signature's own revision, written
    /// already, does not count).
    pub fn is_empty(&self) -> bool {
        self.len() == self.written.max(self.base.len())
    }

    pub fn source(&self) -> Arc<dyn ByteSource> {
        if self.bytes.is_empty() {
            return self.base.clone();
        }
        Arc::new(Concat {
            base: self.base.clone(),
            tail: self.bytes.clone().into(),
        })
    }

    /// The document as it stands with the revisions added so far.
    pub fn document(&self) -> Result<Document> {
        Document::open_with_password(self.source(), &self.password)
    }

    pub fn len(&self) -> u64 {
        self.base.len() + self.bytes.len() as u64
    }

    fn needs_leading_eol(&self) -> Result<bool> {
        Ok(!crate::sign::ends_with_eol(self.source().as_ref())?)
    }

    pub fn append_dss(&mut self, doc: &Document, data: &Gathered) -> Result<()> {
        let eol = self.needs_leading_eol()?;
        let update = super::dss_update::build(doc, data, self.len(), eol)?;
        self.bytes.extend_from_slice(&update);
        Ok(())
    }

    pub fn append_doc_timestamp(
        &mut self,
        doc: &Document,
        tsa: &TsaClient,
    ) -> Result<TimestampToken> {
        let eol = self.needs_leading_eol()?;
        let hashed = self.hash_all(tsa.digest)?;
        let (update, token) = super::doc_timestamp::build(doc, &hashed, tsa, self.len(), eol)?;
        self.bytes.extend_from_slice(&update);
        Ok(token)
    }

    /// A hasher fed with the whole document as it stands: from the prefix hashed already when
    /// there is one for `alg`, else read again.
    fn hash_all(&self, alg: DigestAlgorithm) -> Result<Hasher> {
        let base_len = self.base.len();
        if let Some((h, covered)) = &self.prefix {
            if h.algorithm() == alg && *covered >= base_len {
                let mut h = h.clone();
                h.update(&self.bytes[(covered - base_len) as usize..]);
                return Ok(h);
            }
        }
        let source = self.source();
        let mut hasher = Hasher::new(alg);
        let mut buf = vec![0u8; (1 << 20).min(source.len() as usize).max(1)];
        let mut off = 0u64;
        while off < source.len() {
            let want = ((source.len() - off) as usize).min(buf.len());
            let got = source.read_at(off, &mut buf[..want])?;
            if got == 0 {
                return Err(Error::MalformedPdf(
                    "the input file shrank while being read".into(),
                ));
            }
            hasher.update(&buf[..got]);
            off += got as u64;
        }
        Ok(hasher)
    }

    /// Writes what the output does not hold yet: the input (unless a signing wrote it) and
    /// the new revisions; returns the total length.
    pub fn write_to(&self, out: &mut dyn Write) -> Result<u64> {
        let len = self.base.len();
        if self.written >= len {
            let from = (self.written - len) as usize;
            out.write_all(&self.bytes[from..])
                .map_err(|e| Error::io("<output>", e))?;
            out.flush().map_err(|e| Error::io("<output>", e))?;
            return Ok(self.len());
        }
        let mut buf = vec![0u8; (1 << 20).min(len as usize).max(1)];
        let mut off = 0u64;
        while off < len {
            let want = ((len - off) as usize).min(buf.len());
            let got = self.base.read_at(off, &mut buf[..want])?;
            if got == 0 {
                return Err(Error::MalformedPdf(
                    "the input file shrank while being read".into(),
                ));
            }
            out.write_all(&buf[..got])
                .map_err(|e| Error::io("<output>", e))?;
            off += got as u64;
        }
        out.write_all(&self.bytes)
            .map_err(|e| Error::io("<output>", e))?;
        out.flush().map_err(|e| Error::io("<output>", e))?;
        Ok(self.len())
    }
}
