//! The output folder's lock: every write to OUT happens under it.

use std::path::Path;

use super::AnalyzeError;

/// Holds an exclusive lock on the output folder for the life of the value: a second run on the
/// same folder stops with a clear message instead of interleaving writes. The operating system
/// releases the lock when the process ends, however it ends.
pub struct OutLock {
    _file: std::fs::File,
}

/// Takes the output folder's lock (creating the folder), or says who holds it.
pub fn lock_out(out: &Path) -> Result<OutLock, AnalyzeError> {
    std::fs::create_dir_all(out).map_err(|e| AnalyzeError::io(out, e))?;
    let path = out.join("themescope.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| AnalyzeError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(OutLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(AnalyzeError::InUse(out.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(AnalyzeError::io(&path, e)),
    }
}
