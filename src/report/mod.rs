//! Outputs of an analysis: the reports (one [`model::Page`] rendered to HTML and Markdown) with
//! their charts, and the machine-readable exports (JSON, CSV).

mod changes;
pub mod charts;
pub mod comparison;
pub mod explore;
pub mod export;
pub mod html;
pub mod index;
pub mod map;
pub mod markdown;
pub mod model;
pub mod parquet;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::analysis::Analysis;
use model::Block;

/// Errors of writing outputs: each names the file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
    #[error(transparent)]
    Parquet(#[from] parquet::ParquetError),
}

impl ReportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ReportError::Io { path: path.display().to_string(), source }
    }
}

/// Writes `contents` to `path` through a temporary file of its own name in the same folder,
/// flushed to disk, then renamed over `path`: readers never see a half-written file, and a
/// full disk or a killed run leaves the previous version as it was. The error names the path
/// and the cause.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp =
        path.with_file_name(format!(".{name}.{}-{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ReportError::io(path, e)
    })
}

/// Writes every output of an analysis but `run.json`: `themes.json`, `documents.csv`,
/// `documents.json`, then the reports.
pub fn write_all(out: &Path, analysis: &Analysis) -> Result<(), ReportError> {
    export::write_exports(out, analysis)?;
    write_reports(out, analysis)
}

/// The comparison files beside a report with extension `ext` ("html", "json"): (facet, file
/// name), by facet.
pub(crate) fn comparisons_in(out: &Path, ext: &str) -> Vec<(String, String)> {
    let suffix = format!(".{ext}");
    let mut found: Vec<(String, String)> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let facet = name.strip_prefix("compare-")?.strip_suffix(suffix.as_str())?.to_string();
            Some((facet, name))
        })
        .collect();
    found.sort();
    found
}

/// Writes `charts/*.svg`, `index.html`, `report.md` and `explore.html` into `out`. The same analysis gives the
/// same files; only links to comparison pages written since can differ.
pub fn write_reports(out: &Path, analysis: &Analysis) -> Result<(), ReportError> {
    // The document map of the charts and of explore.html: one projection of every vector.
    let (_, points) = document_map(analysis);
    let charts = draw_charts(analysis, &points)?;
    charts.write(out)?;
    let page = index::page(analysis, &charts, &comparisons_in(out, "html"));
    write_atomic(&out.join("index.html"), html::render(&page).as_bytes())?;
    write_atomic(&out.join("report.md"), markdown::render(&page).as_bytes())?;
    write_atomic(&out.join("explore.html"), explore::page(analysis, &points).as_bytes())
}

/// Charts of a page: (file name under `charts/`, SVG).
#[derive(Debug, Default)]
pub struct Charts {
    files: Vec<(String, String)>,
}

impl Charts {
    pub fn add(&mut self, file: String, svg: String) {
        self.files.push((file, svg));
    }

    /// The chart saved as `file` as a block with its caption, if it was drawn.
    pub fn block(&self, file: &str, caption: &str, folded: Option<&str>) -> Option<Block> {
        self.files.iter().find(|(f, _)| f == file).map(|(_, svg)| Block::Chart {
            file: file.to_string(),
            svg: svg.clone(),
            caption: caption.to_string(),
            folded: folded.map(str::to_string),
        })
    }

    /// Writes every chart into `out/charts/`.
    pub fn write(&self, out: &Path) -> Result<(), ReportError> {
        let dir = out.join("charts");
        std::fs::create_dir_all(&dir).map_err(|e| ReportError::io(&dir, e))?;
        for (file, svg) in &self.files {
            write_atomic(&dir.join(file), svg.as_bytes())?;
        }
        Ok(())
    }
}

/// Themes drawn over time, one small panel each: those that changed first, then the largest.
const SMALL_MULTIPLES: usize = 12;

/// Draws every chart of the main report.
pub fn draw_charts(analysis: &Analysis, points: &[[f32; 2]]) -> Result<Charts, charts::ChartError> {
    let model = &analysis.model;
    let titles: Vec<String> = (0..model.themes.len()).map(|p| index::theme_title(analysis, p)).collect();
    let mut out = Charts::default();
    let sizes: Vec<f64> = model.themes.iter().map(|t| t.size as f64).collect();
    out.add("theme-sizes.svg".into(), charts::bars("Documents per theme", "documents", &titles, &sizes)?);

    if let Some((selection, shares)) =
        crate::compare::overview(analysis, &crate::compare::Facet::Country, index::TOP_COUNTRIES)
    {
        let estimates: Vec<Vec<f64>> = (0..selection.values.len()).map(|v| shares.estimates(v)).collect();
        let rows: Vec<Vec<f64>> = (0..model.themes.len()).map(|p| estimates.iter().map(|e| e[p]).collect()).collect();
        out.add(
            "themes-by-country.svg".into(),
            charts::heatmap(
                "Share of each country's documents in each theme (shrunk towards the corpus's)",
                &titles,
                &selection.values,
                &rows,
                charts::Cells::Shares,
            )?,
        );
    }

    let trends = &analysis.trends;
    if trends.tested_periods().len() >= 2 {
        let mut shown: Vec<usize> = (0..trends.themes.len()).collect();
        shown.sort_by_key(|&p| (trends.themes[p].shape().is_none(), p));
        shown.truncate(SMALL_MULTIPLES);
        let series: Vec<Vec<Option<crate::stats::Interval>>> =
            shown.iter().map(|&p| trends.themes[p].series.iter().map(|s| s.share).collect()).collect();
        let names: Vec<String> = shown
            .iter()
            .map(|&p| match trends.themes[p].describe() {
                Some(shape) => format!("{} ({shape})", titles[p]),
                None => titles[p].clone(),
            })
            .collect();
        let labels: Vec<String> = trends.periods.iter().map(|(p, _)| p.clone()).collect();
        out.add(
            "themes-over-years.svg".into(),
            charts::bands(
                "Share of each period's documents, with 95% intervals",
                "share of documents",
                trends.options.period.name(),
                &labels,
                &names,
                &series,
            )?,
        );
    }

    let centres = map::centres(points, &model.assignments, model.themes.len());
    out.add(
        "document-map.svg".into(),
        charts::map("Documents by theme: a map of their vectors", points, &model.assignments, &titles, &centres)?,
    );
    // What each theme's pages speak of, as its synthesis says it: the pages using each phrase.
    for (t, synthesis) in model.themes.iter().zip(&analysis.summaries.syntheses) {
        let phrases = &synthesis.facts.phrases;
        if phrases.is_empty() {
            continue;
        }
        let names: Vec<String> = phrases.iter().map(|p| p.name.clone()).collect();
        let pages: Vec<f64> = phrases.iter().map(|p| p.pages as f64).collect();
        out.add(
            format!("phrases-theme-{}.svg", t.id),
            charts::bars(&format!("Pages using each phrase: {}", t.label), "pages of the theme", &names, &pages)?,
        );
    }
    Ok(out)
}

/// Every document's place on the map ([`map::layout`]), with the vectors it was laid out from:
/// those of the space the themes were found in (language-centred), since with raw vectors other
/// languages' pages would gather by language.
pub fn document_map(analysis: &Analysis) -> (ndarray::Array2<f32>, Vec<[f32; 2]>) {
    let vectors = crate::themes::language_centred(&analysis.corpus.documents, analysis.vectors.view());
    let points = map::layout(vectors.view(), map::MAP_SEED);
    (vectors, points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        let err = write_atomic(&dir.path().join("missing/a.json"), b"x").unwrap_err().to_string();
        assert!(err.contains("missing/a.json"), "the error names the path: {err}");
    }
}
