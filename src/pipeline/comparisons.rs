//! Comparisons written beside an analysis, and drawn again when a new analysis replaces it.

use std::path::{Path, PathBuf};

use super::{lock_out, AnalyzeError};
use crate::analysis::Analysis;
use crate::report;

/// Writes a comparison beside the stored analysis and links it from the report, under the output
/// lock: nothing else in the folder changes.
pub fn write_comparison(
    out: &Path,
    analysis: &Analysis,
    comparison: &crate::compare::Comparison,
) -> Result<PathBuf, AnalyzeError> {
    let _lock = lock_out(out)?;
    let page = report::comparison::write(out, comparison)?;
    report::write_reports(out, analysis)?;
    Ok(page)
}

/// Draws every comparison an earlier analysis left in `out` again from this one (same facet,
/// same values), so no page in the folder describes themes that no longer exist; one whose
/// facet no document has any more is removed, and said so.
pub(super) fn refresh_comparisons(out: &Path, analysis: &Analysis) -> Result<Vec<String>, AnalyzeError> {
    let mut notes = Vec::new();
    let mut terms = None;
    for (_, name) in report::comparisons_in(out, "json") {
        let path = out.join(name);
        let earlier: Option<serde_json::Value> =
            std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str(&text).ok());
        let Some(facet) = earlier.as_ref().and_then(|c| c["facet"].as_str()) else {
            notes.push(format!("{}: not a comparison themescope can read; left as it is", path.display()));
            continue;
        };
        let facet: crate::compare::Facet = facet.parse().unwrap_or_else(|never| match never {});
        let present: std::collections::HashSet<String> =
            analysis.corpus.documents.iter().filter_map(|d| facet.value(d)).collect();
        // Values no document has any more are dropped, not compared as empty.
        let values: Vec<String> = earlier
            .as_ref()
            .and_then(|c| c["values"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v["value"].as_str().filter(|v| present.contains(*v)).map(str::to_string))
            .collect();
        let min_documents = earlier
            .as_ref()
            .and_then(|c| c["min_documents"].as_u64())
            .map_or(crate::compare::DEFAULT_MIN_DOCUMENTS, |n| n as usize);
        let chosen = if values.is_empty() {
            Err(format!("no document has any of its values of {} any more", facet.name()))
        } else {
            crate::compare::choose_values(&analysis.corpus.documents, &facet, values, None, min_documents)
        };
        match chosen {
            Ok(selection) => {
                let terms = terms.get_or_insert_with(|| crate::compare::LanguageTerms::new(analysis));
                let over = earlier.as_ref().and_then(|c| c["over"].as_str()).and_then(|p| p.parse().ok());
                report::comparison::write(out, &crate::compare::compare(analysis, terms, facet, &selection, over))?;
            }
            Err(why) => {
                let stem = path.to_string_lossy().trim_end_matches(".json").to_string();
                for ext in ["json", "md", "html"] {
                    let file = PathBuf::from(format!("{stem}.{ext}"));
                    std::fs::remove_file(&file).or_else(|e| match e.kind() {
                        std::io::ErrorKind::NotFound => Ok(()),
                        _ => Err(report::ReportError::io(&file, e)),
                    })?;
                }
                notes.push(format!("the comparison by {} was removed: {why}", facet.name()));
            }
        }
    }
    Ok(notes)
}
