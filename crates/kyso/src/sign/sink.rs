//! Where a signed document goes, and the one pass over the input that copies and hashes it.
//!
//! A file-to-file signing copies the input with the kernel (`copy_file_range` through
//! `std::io::copy`: no user-space copy, like `cp`) in steps, and hashes each step read back
//! from the output while the next one is copied. What is hashed is therefore exactly what was
//! written, even if the input changed meanwhile. Any other output gets the input through a
//! buffer, hashed on the way.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use crate::crypto::Hasher;
use crate::error::{Error, Result};
use crate::pdf::ByteSource;

/// An output for the signing flow.
pub(crate) trait Sink: Write {
    /// The output file, when the output is one.
    fn file(&mut self) -> Option<&mut File> {
        None
    }

    /// A second hasher fed with every byte of the output (the input copied, then what is
    /// written), for a later document time-stamp over the same bytes.
    fn also_hash(&mut self) -> Option<&mut Hasher> {
        None
    }
}

impl Sink for File {
    fn file(&mut self) -> Option<&mut File> {
        Some(self)
    }
}

impl Sink for Vec<u8> {}

/// Any writer, with none of the shortcuts.
pub(crate) struct AnyWriter<'a>(pub &'a mut dyn Write);

impl Write for AnyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Sink for AnyWriter<'_> {}

/// The output file of a signing that goes on to B-LT/B-LTA: everything written is also hashed
/// for the document time-stamp, and what follows the input (the signature's revision) is kept
/// so that the extension reads it from memory instead of from a temporary file.
pub(crate) struct Recording<'a> {
    file: &'a mut File,
    hasher: Option<Hasher>,
    tail: Vec<u8>,
}

impl<'a> Recording<'a> {
    pub fn new(file: &'a mut File, hasher: Option<Hasher>) -> Self {
        Recording {
            file,
            hasher,
            tail: Vec::new(),
        }
    }

    /// The bytes written after the input, and the hasher over everything.
    pub fn finish(self) -> (Vec<u8>, Option<Hasher>) {
        (self.tail, self.hasher)
    }
}

impl Write for Recording<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.tail.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Sink for Recording<'_> {
    fn file(&mut self) -> Option<&mut File> {
        Some(self.file)
    }
    fn also_hash(&mut self) -> Option<&mut Hasher> {
        self.hasher.as_mut()
    }
}

/// Bytes per step of the kernel copy.
const STEP: u64 = 8 << 20;
/// Buffer for reading back and for the buffered copy.
const BUF: usize = 1 << 20;

/// Copies the whole of `src` to `out` and feeds it to `hasher` (and to the sink's own hasher).
pub(crate) fn copy_and_hash(
    src: &dyn ByteSource,
    out: &mut dyn Sink,
    hasher: &mut Hasher,
) -> Result<()> {
    let len = src.len();
    let mut pass = crate::progress::Pass::start(crate::progress::Stage::SignHashing, len);
    if cfg!(target_os = "linux") && len >= STEP {
        if let Some(input) = src.file() {
            let mut extra = out.also_hash().cloned();
            if let Some(file) = out.file() {
                kernel_copy_and_hash(input, len, file, hasher, extra.as_mut(), &mut pass)?;
                if let (Some(h), Some(e)) = (out.also_hash(), extra) {
                    *h = e;
                }
                return Ok(());
            }
        }
    }
    let mut buf = vec![0u8; BUF.min(len as usize).max(1)];
    let mut off = 0u64;
    while off < len {
        let want = ((len - off) as usize).min(buf.len());
        let got = src.read_at(off, &mut buf[..want])?;
        if got == 0 {
            return Err(shrank());
        }
        hasher.update(&buf[..got]);
        if let Some(h) = out.also_hash() {
            h.update(&buf[..got]);
        }
        pass.advance(got as u64);
        // Straight to the file: a recording sink keeps only what follows the input.
        match out.file() {
            Some(f) => f.write_all(&buf[..got]),
            None => out.write_all(&buf[..got]),
        }
        .map_err(|e| Error::io("<output>", e))?;
        off += got as u64;
    }
    Ok(())
}

fn shrank() -> Error {
    Error::MalformedPdf("the input file shrank while being read".into())
}

/// The kernel copies step N+1 while this thread hashes step N, read back from the output.
fn kernel_copy_and_hash(
    input: &File,
    len: u64,
    output: &mut File,
    hasher: &mut Hasher,
    mut extra: Option<&mut Hasher>,
    pass: &mut crate::progress::Pass,
) -> Result<()> {
    let io = |e| Error::io("<output>", e);
    let start = output.stream_position().map_err(io)?;
    let mut reader = input;
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("<input>", e))?;
    let output: &File = output;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<u64>>(2);
        let copier = scope.spawn(move || {
            let mut writer = output;
            let mut copied = 0u64;
            while copied < len {
                let step = STEP.min(len - copied);
                let r = std::io::copy(&mut reader.take(step), &mut writer);
                let stop = !matches!(r, Ok(n) if n == step);
                let r = match r {
                    Ok(n) if n < step => Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the input file shrank while being read",
                    )),
                    other => other,
                };
                if tx.send(r).is_err() || stop {
                    break;
                }
                copied += step;
            }
        });
        // Each step, once hashed, is handed to the disk at once (without waiting) so that the
        // final fdatasync finds most of the file written already; on a thread of its own, as
        // submitting the writes can block. Only after the hashing: the hint may drop the clean
        // pages that the read-back needs.
        let (wb_tx, wb_rx) = std::sync::mpsc::channel::<(u64, u64)>();
        let writeback = scope.spawn(move || {
            for (offset, len) in wb_rx {
                start_writeback(output, offset, len);
            }
        });
        let mut buf = vec![0u8; BUF];
        let mut hashed = 0u64;
        let mut result = Ok(());
        for step in rx {
            let step = match step {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    result = Err(shrank());
                    break;
                }
                Err(e) => {
                    result = Err(io(e));
                    break;
                }
            };
            let end = hashed + step;
            while hashed < end {
                let want = ((end - hashed) as usize).min(buf.len());
                let got = read_at(output, start + hashed, &mut buf[..want]).map_err(io);
                match got {
                    Ok(0) => result = Err(shrank()),
                    Ok(n) => {
                        hasher.update(&buf[..n]);
                        if let Some(h) = extra.as_deref_mut() {
                            h.update(&buf[..n]);
                        }
                        hashed += n as u64;
                        pass.advance(n as u64);
                        continue;
                    }
                    Err(e) => result = Err(e),
                }
                break;
            }
            if result.is_err() {
                break;
            }
            let _ = wb_tx.send((start + end - step, step));
        }
        drop(wb_tx);
        let _ = copier.join();
        let _ = writeback.join();
        result?;
        if hashed != len {
            return Err(shrank());
        }
        Ok(())
    })
}

/// Asks the kernel to write `len` bytes at `offset` of `file` to disk now, without waiting
/// (Linux: POSIX_FADV_DONTNEED starts the write-back of the range's dirty pages, then drops
/// those already clean). Only a hint: durability still comes from the caller's fdatasync, so a
/// failure here is ignored on purpose.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    let _ = rustix::fs::fadvise(
        file,
        offset,
        std::num::NonZeroU64::new(len),
        rustix::fs::Advice::DontNeed,
    );
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

#[cfg(unix)]
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// [`super::sign_file`] for a batch: the output is written completely but left staged, neither
/// synced nor renamed; [`crate::output::commit_all`] then makes many outputs durable at once.
/// B-B and B-T only: B-LT/B-LTA are made by `ltv::sign_file` (network-bound, committed alone).
pub fn sign_file_staged(
    input: &std::path::Path,
    output: &std::path::Path,
    signer: &dyn super::Signer,
    opts: &super::SignOptions,
) -> Result<(super::SignOutcome, crate::output::Staged)> {
    if opts.level >= crate::pades::PadesLevel::BLT {
        // B-LT/B-LTA are composed one level up (ltv::sign_file), never here.
        return Err(Error::InvalidArgument(format!(
            "level {}: a staged signing makes B-B or B-T only",
            opts.level.name()
        )));
    }
    let source = std::sync::Arc::new(crate::pdf::FileSource::open(input)?);
    super::same_file_guard(input, output, false)?;
    let mut out = crate::output::AtomicOutput::create(output)?;
    let outcome = super::sign_into(source, out.writer(), signer, opts).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(output, source),
        other => other,
    })?;
    Ok((outcome, out.stage()?))
}
