//! Outputs of an analysis: the HTML and Markdown reports with their charts, and the
//! machine-readable exports (JSON, CSV).

pub mod charts;
pub mod export;

use std::collections::BTreeMap;
use std::path::Path;

use crate::analyze::{Analysis, AnalyzeError};
use crate::ingest::Document;

/// Writes `contents` to `path` through a temporary file and a rename, so readers never see a
/// half-written file and a killed run leaves the previous version intact.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), AnalyzeError> {
    let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("")));
    std::fs::write(&tmp, contents).map_err(|e| AnalyzeError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| AnalyzeError::io(path, e))
}

/// Counts of documents by a facet value, largest first (ties by name).
pub fn count_by<'a>(docs: impl Iterator<Item = &'a Document>, facet: impl Fn(&Document) -> Option<String>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in docs {
        if let Some(v) = facet(d) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// The documents of theme `id`.
pub fn members(analysis: &Analysis, id: usize) -> impl Iterator<Item = &Document> {
    analysis.corpus.documents.iter().zip(&analysis.model.assignments).filter(move |(_, &t)| t == id).map(|(d, _)| d)
}

/// A theme's display name: the user's name when one matched, else its keyword label.
pub fn theme_name(analysis: &Analysis, id: usize) -> String {
    let theme = &analysis.model.themes[id];
    match &theme.named_as {
        Some(named) => format!("{} ({})", theme.label, named.name),
        None => theme.label.clone(),
    }
}

/// Every chart of the report, as SVG text, with the file name it is saved under.
pub struct Charts {
    pub theme_sizes: String,
    pub countries: String,
    pub years: String,
    pub map: String,
    /// Top keywords of each theme, by theme id.
    pub keywords: Vec<String>,
}

impl Charts {
    /// (file name, SVG) pairs, for `OUT/charts/`.
    pub fn files(&self) -> Vec<(String, &str)> {
        let mut files = vec![
            ("theme-sizes.svg".to_string(), self.theme_sizes.as_str()),
            ("themes-by-country.svg".to_string(), self.countries.as_str()),
            ("themes-over-years.svg".to_string(), self.years.as_str()),
            ("document-map.svg".to_string(), self.map.as_str()),
        ];
        files.extend(self.keywords.iter().enumerate().map(|(i, svg)| (format!("keywords-theme-{i}.svg"), svg.as_str())));
        files
    }
}
