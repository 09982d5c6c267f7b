//! The document being extended: the input followed by the revisions added so far, readable as
//! one PDF so that each new revision builds on the previous one.

use std::io::Write;
use std::sync::Arc;

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
}

impl Appended {
    pub fn new(base: Arc<dyn ByteSource>, password: Password) -> Self {
        Appended {
            base,
            bytes: Vec::new(),
            password,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
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
        let source = self.source();
        let (update, token) =
            super::doc_timestamp::build(doc, source.as_ref(), tsa, self.len(), eol)?;
        self.bytes.extend_from_slice(&update);
        Ok(token)
    }

    /// Writes the input and the new revisions; returns the total length.
    pub fn write_to(&self, out: &mut dyn Write) -> Result<u64> {
        let len = self.base.len();
        let mut buf = vec![0u8; 1 << 20];
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
