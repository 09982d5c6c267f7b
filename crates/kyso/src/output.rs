//! Writing outputs safely: never over the input (unless asked), always through a temporary
//! file in the target directory renamed into place, so an error leaves no partial output.
//!
//! Every file kyso writes goes through here: signed documents (`sign`, `ltv`), extracted
//! versions (`extract`), reports and batches of the CLI. [`AtomicOutput`] is one output;
//! [`AtomicOutput::stage`] and [`commit_all`] make many outputs durable at once; the CLI's
//! interrupt handler calls [`remove_temporary_files`].
//!
//! # Examples
//!
//! ```
//! use std::io::Write;
//! use kyso::output::AtomicOutput;
//!
//! let dir = tempfile::tempdir()?;
//! let target = dir.path().join("out.pdf");
//!
//! let mut out = AtomicOutput::create(&target)?;
//! out.writer().write_all(b"%PDF-1.7 ...")?;
//! drop(out); // an error before commit: nothing appears
//! assert!(!target.exists());
//! assert_eq!(std::fs::read_dir(dir.path())?.count(), 0); // and no temporary file is left
//!
//! let mut out = AtomicOutput::create(&target)?;
//! out.writer().write_all(b"%PDF-1.7 ...")?;
//! out.commit()?;
//! assert_eq!(std::fs::read(&target)?, b"%PDF-1.7 ...");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};

/// Whether `a` and `b` name the same file (same canonical path, or same device and inode).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ca), Ok(cb)) = (a.canonicalize(), b.canonicalize()) {
        if ca == cb {
            return true;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    false
}

/// The temporary files of this process not yet renamed into place or removed, so that an
/// interrupt (Ctrl-C, SIGTERM) can remove them before the process ends: a process killed in
/// the middle of a large signing must not leave a hidden file of nearly its size behind.
static PENDING: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The registry, whatever a panicking holder left (a set of paths stays usable).
fn pending() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file known to [`remove_temporary_files`] while this lives.
pub struct Tracked(PathBuf);

/// Registers a temporary file for removal on interrupt, until the returned value is dropped.
pub fn track(path: &Path) -> Tracked {
    pending().insert(path.to_path_buf());
    Tracked(path.to_path_buf())
}

impl Drop for Tracked {
    fn drop(&mut self) {
        pending().remove(&self.0);
    }
}

/// For an interrupt handler about to end the process: removes every temporary file still
/// pending and returns how many were removed. The registry stays locked afterwards, so no
/// thread still running can create or rename an output before the process exits.
pub fn remove_temporary_files() -> usize {
    let guard = pending();
    let mut removed = 0;
    for path in guard.iter() {
        if std::fs::remove_file(path).is_ok() {
            removed += 1;
        }
    }
    // Held until the process ends (the caller exits right after).
    std::mem::forget(guard);
    removed
}

/// tempfile's errors end with "at path <the temporary file's name>": a name the user never
/// chose and never sees on disk. The message before it and the error's kind are kept.
fn without_temporary_name(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rfind(" at path ") {
        Some(at) => std::io::Error::new(e.kind(), text[..at].to_string()),
        None => e,
    }
}

/// An output being written; it appears at its path only on [`AtomicOutput::commit`].
pub struct AtomicOutput {
    file: tempfile::NamedTempFile,
    target: PathBuf,
    // After `file`: dropped after the temporary file is removed.
    _tracked: Tracked,
}

impl AtomicOutput {
    /// Creates a temporary file next to `target` (same folder, so the final rename stays on one
    /// file system), readable as any new file is (0666 less the umask on Unix).
    ///
    /// # Errors
    ///
    /// `target` is a directory, or the temporary file cannot be created in its folder (missing
    /// folder, no permission, disk full). `target` itself is not touched.
    pub fn create(target: &Path) -> Result<AtomicOutput> {
        if target.is_dir() {
            return Err(Error::Output(format!(
                "{} is a directory",
                target.display()
            )));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".kyso-").suffix(".tmp");
        // Outputs get the permissions any new file gets (0666 less the umask: 0644 under the
        // usual 022), not the temporary file's 0600: a document system's web server must be
        // able to read what kyso signs for it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        // Registered under the lock, so an interrupt sees every temporary file that exists.
        let mut registry = pending();
        let file = builder
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&dir, without_temporary_name(e)))?;
        registry.insert(file.path().to_path_buf());
        drop(registry);
        let tracked = Tracked(file.path().to_path_buf());
        Ok(AtomicOutput {
            file,
            target: target.to_path_buf(),
            _tracked: tracked,
        })
    }

    /// The temporary file to write the output into; nothing reaches the target until
    /// [`commit`](Self::commit).
    pub fn writer(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
    }

    /// Flushes to disk and renames into place. Dropping without commit removes the temp file.
    ///
    /// # Errors
    ///
    /// The data cannot be written or synced, or the rename fails; the previous content of the
    /// target, if any, is then left as it was.
    pub fn commit(mut self) -> Result<()> {
        let target = self.target.clone();
        self.file.flush().map_err(|e| Error::io(&target, e))?;
        // fdatasync: the data and what reading it back needs (the size), not the times.
        self.file
            .as_file()
            .sync_data()
            .map_err(|e| Error::io(&target, e))?;
        // Renamed under the registry's lock: an interrupt either removes the temporary file
        // before, or finds it gone (renamed into place, a complete output).
        let registry = pending();
        let persisted = self.file.persist(&target);
        drop(registry);
        persisted.map_err(|e| Error::io(&target, e.error))?;
        Ok(())
    }
}

impl AtomicOutput {
    /// Ends the writing without making the output durable nor putting it in place: a batch
    /// then makes many outputs durable at once ([`commit_all`]). Dropping the result removes
    /// the temporary file.
    pub fn stage(mut self) -> Result<Staged> {
        self.file.flush().map_err(|e| Error::io(&self.target, e))?;
        start_writeback(self.file.as_file());
        Ok(Staged {
            file: Some(self.file),
            target: self.target,
            // Still removed on an interrupt until `commit_all` renames it.
            _tracked: Some(self._tracked),
        })
    }
}

/// A complete output in its temporary file, not yet synced nor renamed; or an output already
/// committed by its own path (B-LT/B-LTA signing commits itself).
pub struct Staged {
    file: Option<tempfile::NamedTempFile>,
    target: PathBuf,
    // After `file`: dropped after the temporary file is removed or renamed.
    _tracked: Option<Tracked>,
}

impl Staged {
    /// An output that is already durable and in place.
    pub fn committed(target: &Path) -> Staged {
        Staged {
            file: None,
            target: target.to_path_buf(),
            _tracked: None,
        }
    }

    /// Where the output goes.
    pub fn target(&self) -> &Path {
        &self.target
    }
}

/// Threads issuing fdatasync at once in [`commit_all`]: the file system groups concurrent
/// syncs into one journal commit, so a few in flight cost about one.
const SYNC_THREADS: usize = 8;

/// Makes every staged output durable and puts it in place, in an order that gives each output
/// the durability of [`AtomicOutput::commit`] at a fraction of the cost for many small files:
/// 1. fdatasync of every temporary file (a few at once, grouped by the file system);
/// 2. the rename of each file whose sync succeeded — a rename is only made after the data it
///    points to is durable, so after a crash a name shows either nothing or the complete file;
/// 3. one fsync of each folder that received a name, so the renames themselves survive a
///    crash before the call returns.
///
/// The result for each output is in the order given. A failed output leaves no file at its
/// name and no temporary file.
pub fn commit_all(staged: Vec<Staged>) -> Vec<Result<()>> {
    let mut results: Vec<Option<Result<()>>> = staged
        .iter()
        .map(|s| if s.file.is_none() { Some(Ok(())) } else { None })
        .collect();
    // 1. Data first.
    let synced: Vec<std::io::Result<()>> = {
        let files: Vec<&std::fs::File> = staged
            .iter()
            .filter_map(|s| s.file.as_ref().map(|f| f.as_file()))
            .collect();
        let per = files.len().div_ceil(SYNC_THREADS).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(per)
                .map(|part| {
                    let h =
                        scope.spawn(move || part.iter().map(|f| f.sync_data()).collect::<Vec<_>>());
                    (part.len(), h)
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|(n, h)| {
                    h.join().unwrap_or_else(|_| {
                        (0..n)
                            .map(|_| Err(std::io::Error::other("sync thread panicked")))
                            .collect()
                    })
                })
                .collect::<Vec<std::io::Result<()>>>()
        })
    };
    // 2. Then the names.
    let mut synced = synced.into_iter();
    let mut folders: Vec<(PathBuf, Vec<usize>)> = Vec::new();
    for (i, s) in staged.into_iter().enumerate() {
        let Some(file) = s.file else { continue };
        let sync = synced
            .next()
            .unwrap_or_else(|| Err(std::io::Error::other("sync result missing")));
        if let Err(e) = sync {
            results[i] = Some(Err(Error::io(&s.target, e)));
            continue; // the temporary file is removed as `file` drops
        }
        // Renamed under the registry's lock, as in `AtomicOutput::commit`.
        let registry = pending();
        let persisted = file.persist(&s.target);
        drop(registry);
        match persisted {
            Err(e) => results[i] = Some(Err(Error::io(&s.target, e.error))),
            Ok(_) => {
                let dir = match s.target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                match folders.iter_mut().find(|(d, _)| *d == dir) {
                    Some((_, v)) => v.push(i),
                    None => folders.push((dir, vec![i])),
                }
                results[i] = Some(Ok(()));
            }
        }
    }
    // 3. Then the folders' entries.
    for (dir, members) in folders {
        if let Err(e) = sync_dir(&dir) {
            for i in members {
                results[i] = Some(Err(Error::Output(format!(
                    "{} was written but its folder could not be synced to disk: {e}",
                    dir.display()
                ))));
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::Output("output not committed".into()))))
        .collect()
}

/// Asks the kernel to write the file to disk now, without waiting (Linux: POSIX_FADV_DONTNEED
/// starts the write-back of the dirty pages). The later fdatasync then mostly waits for one
/// journal commit shared by the whole group. Only a hint: durability comes from the fdatasync,
/// so a failure here is ignored on purpose.
fn start_writeback(file: &std::fs::File) {
    #[cfg(target_os = "linux")]
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// fsync of a folder, which makes the names created in it durable (POSIX: a rename is durable
/// once its directory is synced). Windows has no folder sync; NTFS journals renames.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn staged(target: &Path, body: &[u8]) -> Staged {
        let mut out = AtomicOutput::create(target).unwrap();
        out.writer().write_all(body).unwrap();
        out.stage().unwrap()
    }

    #[test]
    fn staged_outputs_appear_only_when_committed_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let a = dir.path().join("a.pdf");
        let b = sub.join("b.pdf");
        let s = vec![staged(&a, b"first"), staged(&b, &[7u8; 100_000])];
        // Written but staged: no name yet, only the temporary files.
        assert!(!a.exists() && !b.exists());
        assert_eq!(names(dir.path()).len(), 2); // sub + one temporary file
        let results = commit_all(s);
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        assert_eq!(std::fs::read(&a).unwrap(), b"first");
        assert_eq!(std::fs::read(&b).unwrap(), vec![7u8; 100_000]);
        assert_eq!(names(dir.path()), ["a.pdf", "sub"]);
        assert_eq!(names(&sub), ["b.pdf"]);
    }

    #[test]
    fn a_dropped_staged_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pdf");
        drop(staged(&a, b"never"));
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_rename_leaves_no_output_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.pdf");
        let bad = dir.path().join("bad.pdf");
        let s = vec![staged(&bad, b"x"), staged(&ok, b"y")];
        // A folder now stands where the output is to go: the rename must fail.
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(bad.join("keep"), b"").unwrap();
        let results = commit_all(s);
        assert!(results[0].is_err());
        assert!(results[1].is_ok());
        assert!(bad.is_dir());
        assert_eq!(names(dir.path()), ["bad.pdf", "ok.pdf"]);
    }

    #[test]
    fn an_already_committed_output_is_reported_as_done() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pdf");
        let results = commit_all(vec![Staged::committed(&a)]);
        assert!(results[0].is_ok());
        assert_eq!(Staged::committed(&a).target(), a);
    }
}
