//! Writing outputs safely: never over the input (unless asked), always through a temporary
//! file in the target directory renamed into place, so an error leaves no partial output.

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
    /// Creates a temporary file next to `target`.
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

    pub fn writer(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
    }

    /// Flushes to disk and renames into place. Dropping without commit removes the temp file.
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
