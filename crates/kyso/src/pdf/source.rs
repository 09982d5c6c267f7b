//! Random access to the bytes of a PDF, without loading a large file into memory.
//!
//! [`super::Document`] reads through a [`ByteSource`]: a [`FileSource`] for files (positional
//! reads, so one open file can serve several readers) or a [`MemorySource`] for bytes already
//! in memory (the C ABI, the HTTP service, tests). Sources are read-only: kyso never writes
//! into its input (outputs go to a new file, [`crate::output`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Where the bytes of a document come from. Reads are positional, so a source can be shared.
pub trait ByteSource: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;
    /// Fills `buf` from `offset`; returns how many bytes were read (less only at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize>;

    /// Whether the source has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The open file behind the source, when it is one (the signing copy then stays in the
    /// kernel: `copy_file_range`).
    fn file(&self) -> Option<&File> {
        None
    }

    /// Reads up to `len` bytes from `offset` (clamped to the end of the source).
    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let end = (offset.saturating_add(len as u64)).min(self.len());
        let n = end.saturating_sub(offset) as usize;
        let mut buf = vec![0u8; n];
        let mut filled = 0;
        while filled < n {
            let got = self.read_at(offset + filled as u64, &mut buf[filled..])?;
            if got == 0 {
                break;
            }
            filled += got;
        }
        buf.truncate(filled);
        Ok(buf)
    }
}

/// A document held in memory.
#[derive(Clone)]
pub struct MemorySource {
    data: Arc<[u8]>,
}

impl MemorySource {
    /// A source over `data` (a `Vec<u8>`, a boxed slice or a shared `Arc<[u8]>`).
    pub fn new(data: impl Into<Arc<[u8]>>) -> Self {
        MemorySource { data: data.into() }
    }

    /// All the bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }
}

impl ByteSource for MemorySource {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let start = (offset.min(self.data.len() as u64)) as usize;
        let n = buf.len().min(self.data.len() - start);
        buf[..n].copy_from_slice(&self.data[start..start + n]);
        Ok(n)
    }
}

/// A document read from a file on demand (positional reads; memory stays small).
pub struct FileSource {
    file: File,
    path: PathBuf,
    len: u64,
}

impl FileSource {
    /// Opens `path` for reading; its length is taken now.
    ///
    /// Fails with [`Error::Io`] when the file cannot be opened and [`Error::NotPdf`] for a
    /// directory.
    pub fn open(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Err(Error::NotPdf(format!("{} is a directory", path.display())));
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(FileSource {
            file,
            path: path.to_path_buf(),
            len: meta.len(),
        })
    }

    /// The path the file was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl ByteSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        read_at_impl(&self.file, offset, buf).map_err(|e| Error::io(&self.path, e))
    }

    fn file(&self) -> Option<&File> {
        Some(&self.file)
    }
}

#[cfg(unix)]
fn read_at_impl(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt;
    file.read_at(buf, offset)
}

#[cfg(windows)]
fn read_at_impl(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, offset)
}
