//! Writing outputs safely: never over the input (unless asked), always through a temporary
//! file in the target directory renamed into place, so an error leaves no partial output.

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// An output being written; it appears at its path only on [`AtomicOutput::commit`].
pub struct AtomicOutput {
    file: tempfile::NamedTempFile,
    target: PathBuf,
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
        let file = builder.tempfile_in(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(AtomicOutput {
            file,
            target: target.to_path_buf(),
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
        self.file
            .persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        Ok(())
    }
}
