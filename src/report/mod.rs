//! Outputs of an analysis: machine-readable exports (JSON, CSV).

pub mod export;

use std::path::Path;

use crate::analyze::AnalyzeError;

/// Writes `contents` to `path` through a temporary file and a rename, so readers never see a
/// half-written file and a killed run leaves the previous version intact.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), AnalyzeError> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, contents).map_err(|e| AnalyzeError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| AnalyzeError::io(path, e))
}
