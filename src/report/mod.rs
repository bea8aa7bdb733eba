//! Outputs of an analysis: the HTML and Markdown reports with their charts, and the
//! machine-readable exports (JSON, CSV).

pub mod charts;
pub mod comparison;
pub mod export;
pub mod html;
pub mod markdown;

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

/// Writes `charts/*.svg`, `index.html` and `report.md` into `out`.
pub fn write_reports(
    out: &Path,
    analysis: &Analysis,
    params: serde_json::Value,
    generated: &str,
) -> Result<(), AnalyzeError> {
    let view = ReportView::build(analysis, params, generated, out);
    let charts = draw_charts(analysis, &view).map_err(|e| AnalyzeError::Report(e.to_string()))?;
    let chart_dir = out.join("charts");
    std::fs::create_dir_all(&chart_dir).map_err(|e| AnalyzeError::io(&chart_dir, e))?;
    let mut chart_files = Vec::new();
    for (name, svg) in charts.files() {
        write_atomic(&chart_dir.join(&name), svg.as_bytes())?;
        chart_files.push((name.clone(), format!("charts/{name}")));
    }
    write_atomic(&out.join("index.html"), html::render(&view, &charts).as_bytes())?;
    write_atomic(&out.join("report.md"), markdown::render(&view, &chart_files).as_bytes())
}

/// Where and when a cited document is from ("Kenya", "2021-03-08"), whichever is known.
pub fn place<'a>(country: &'a Option<String>, date: &'a Option<String>) -> impl Iterator<Item = &'a str> {
    country.as_deref().into_iter().chain(date.as_deref())
}

/// Counts of documents by a facet value, largest first (ties by name).
pub fn count_by<'a>(
    docs: impl Iterator<Item = &'a Document>,
    facet: impl Fn(&Document) -> Option<String>,
) -> Vec<(String, usize)> {
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

/// The documents of the theme at `position` in the model's list.
pub fn members(analysis: &Analysis, position: usize) -> impl Iterator<Item = &Document> {
    analysis
        .corpus
        .documents
        .iter()
        .zip(&analysis.model.assignments)
        .filter(move |(_, &t)| t == position)
        .map(|(d, _)| d)
}

/// A theme's display name (the theme at `position`): its keyword label, with the user's name
/// when one matched.
pub fn theme_name(analysis: &Analysis, position: usize) -> String {
    let theme = &analysis.model.themes[position];
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
    /// Top keywords of each theme, in the model's order.
    pub keywords: Vec<String>,
    /// Stable theme ids, same order, for file names.
    pub ids: Vec<usize>,
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
        files
            .extend(self.keywords.iter().enumerate().map(|(i, svg)| (format!("keywords-theme-{i}.svg"), svg.as_str())));
        files
    }
}

/// A document as a report cites it.
#[derive(Debug, Clone)]
pub struct DocLink {
    pub title: String,
    pub source: Option<String>,
    pub country: Option<String>,
    pub date: Option<String>,
}

impl DocLink {
    fn of(d: &Document) -> Self {
        DocLink {
            title: d.title.clone(),
            source: d.source.clone(),
            country: d.country.clone(),
            date: d.date.map(|x| x.to_string()),
        }
    }
}

/// What the report says about one theme.
#[derive(Debug, Clone)]
pub struct ThemeView {
    /// Stable id, shown to users.
    pub id: usize,
    /// Place in the model's list (largest first), which indexes charts and summaries.
    pub position: usize,
    pub label: String,
    pub named: Option<(String, f32)>,
    pub keywords: Vec<String>,
    pub size: usize,
    pub parent: Option<String>,
    /// Documents per year.
    pub years: Vec<(String, usize)>,
    pub countries: Vec<(String, usize)>,
    pub languages: Vec<(String, usize)>,
    pub summary: Vec<crate::summarise::SummarySentence>,
    pub representatives: Vec<DocLink>,
}

/// What the report says about one country.
#[derive(Debug, Clone)]
pub struct CountryView {
    pub name: String,
    pub documents: usize,
    /// (theme label, documents), most frequent first.
    pub top_themes: Vec<(String, usize)>,
}

/// Everything the HTML and Markdown reports show, computed once.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub input: String,
    pub generated: String,
    pub model: String,
    pub params: serde_json::Value,
    pub documents: usize,
    pub duplicates: usize,
    pub skipped: usize,
    pub warnings: usize,
    pub languages: Vec<(String, usize)>,
    pub countries: Vec<(String, usize)>,
    pub years: Vec<(String, usize)>,
    pub parents: Vec<(String, Vec<usize>)>,
    pub themes: Vec<ThemeView>,
    pub country_views: Vec<CountryView>,
    /// File name of the country comparison, when one was written beside the report.
    pub comparison: Option<String>,
    /// What changed since the previous run on the same output folder.
    pub changes: Option<WhatChanged>,
}

/// The "what changed" section: documents and themes since the previous run.
#[derive(Debug, Clone)]
pub struct WhatChanged {
    pub previous: String,
    pub new_documents: Vec<DocLink>,
    pub new_count: usize,
    pub changed_count: usize,
    pub removed: Vec<String>,
    /// (label, size before, size after), largest moves first.
    pub moved: Vec<(String, usize, usize)>,
    /// (label, size, first summary sentence, label of the previous theme it grew out of).
    pub new_themes: Vec<(String, usize, Option<String>, Option<String>)>,
    /// (label, size, label of today's theme it went into).
    pub retired: Vec<(String, usize, Option<String>)>,
}

impl WhatChanged {
    /// One sentence of counts (digits only, safe in HTML and Markdown).
    pub fn headline(&self) -> String {
        format!(
            "{} new documents, {} changed, {} removed; {} new themes, {} retired.",
            self.new_count,
            self.changed_count,
            self.removed.len(),
            self.new_themes.len(),
            self.retired.len()
        )
    }

    fn build(analysis: &Analysis, previous: &str) -> Self {
        let c = &analysis.changes;
        let new_paths: std::collections::HashSet<&str> = c.new.iter().map(String::as_str).collect();
        let mut moved: Vec<(String, usize, usize)> =
            analysis.continuity.kept.iter().map(|k| (k.label.clone(), k.size_before, k.size_after)).collect();
        moved.sort_by_key(|(_, a, b)| std::cmp::Reverse(a.abs_diff(*b)));
        moved.retain(|(_, a, b)| a != b);
        moved.truncate(8);
        let position = |id: usize| analysis.model.themes.iter().position(|t| t.id == id);
        WhatChanged {
            previous: previous.to_string(),
            new_documents: analysis
                .corpus
                .documents
                .iter()
                .filter(|d| new_paths.contains(d.path.as_str()))
                .take(10)
                .map(DocLink::of)
                .collect(),
            new_count: c.new.len(),
            changed_count: c.changed.len(),
            removed: c.removed.clone(),
            moved,
            new_themes: analysis
                .continuity
                .new
                .iter()
                .map(|t| {
                    let first = position(t.id)
                        .and_then(|p| analysis.summaries.themes.get(p))
                        .and_then(|s| s.first())
                        .map(|s| s.text.clone());
                    (t.label.clone(), t.size, first, t.related.as_ref().map(|r| r.label.clone()))
                })
                .collect(),
            retired: analysis
                .continuity
                .retired
                .iter()
                .map(|t| (t.label.clone(), t.size, t.related.as_ref().map(|r| r.label.clone())))
                .collect(),
        }
    }
}

/// Countries shown in the report's country section and heatmap.
pub const TOP_COUNTRIES: usize = 15;

impl ReportView {
    /// Gathers the report's content from an analysis.
    pub fn build(analysis: &Analysis, params: serde_json::Value, generated: &str, out: &Path) -> Self {
        let docs = &analysis.corpus.documents;
        let year = |d: &Document| d.year.map(|y| y.to_string());
        let mut years = count_by(docs.iter(), year);
        years.sort();
        let doc_index: std::collections::HashMap<&str, &Document> =
            docs.iter().map(|d| (d.doc_id.as_str(), d)).collect();
        let themes = analysis
            .model
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut years = count_by(members(analysis, i), year);
                years.sort();
                ThemeView {
                    id: t.id,
                    position: i,
                    label: t.label.clone(),
                    named: t.named_as.as_ref().map(|n| (n.name.clone(), n.similarity)),
                    keywords: t.keywords.clone(),
                    size: t.size,
                    parent: t.parent.and_then(|p| analysis.model.parents.get(p)).map(|p| p.label.clone()),
                    years,
                    countries: count_by(members(analysis, i), |d| d.country.clone()),
                    languages: t.languages.iter().map(|(l, n)| (l.clone(), *n)).collect(),
                    summary: analysis.summaries.themes.get(i).cloned().unwrap_or_default(),
                    representatives: t
                        .representative_docs
                        .iter()
                        .filter_map(|id| doc_index.get(id.as_str()))
                        .map(|d| DocLink::of(d))
                        .collect(),
                }
            })
            .collect();
        let countries = count_by(docs.iter(), |d| d.country.clone());
        let country_views = countries
            .iter()
            .take(TOP_COUNTRIES)
            .map(|(name, n)| {
                let in_country =
                    docs.iter().zip(&analysis.model.assignments).filter(|(d, _)| d.country.as_deref() == Some(name));
                let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
                for (_, &t) in in_country {
                    *counts.entry(t).or_insert(0) += 1;
                }
                let mut top: Vec<(usize, usize)> = counts.into_iter().collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                CountryView {
                    name: name.clone(),
                    documents: *n,
                    top_themes: top.into_iter().take(3).map(|(t, c)| (theme_name(analysis, t), c)).collect(),
                }
            })
            .collect();
        ReportView {
            input: analysis.corpus.root.display().to_string(),
            generated: generated.to_string(),
            model: analysis.model_name.clone(),
            params,
            documents: docs.len(),
            duplicates: analysis.corpus.duplicates.len(),
            skipped: analysis.corpus.skipped.len(),
            warnings: analysis.corpus.warnings().len(),
            languages: count_by(docs.iter(), |d| Some(d.language.clone().unwrap_or_else(|| "unknown".into()))),
            countries,
            years,
            parents: analysis.model.parents.iter().map(|p| (p.label.clone(), p.children.clone())).collect(),
            themes,
            country_views,
            comparison: out.join("compare-country.html").is_file().then(|| "compare-country.html".to_string()),
            changes: analysis.previous_run.as_deref().map(|p| WhatChanged::build(analysis, p)),
        }
    }
}

/// Draws every chart of the report.
pub fn draw_charts(analysis: &Analysis, view: &ReportView) -> Result<Charts, charts::ChartError> {
    let labels: Vec<String> = view.themes.iter().map(|t| format!("{}. {}", t.id, t.label)).collect();
    let sizes: Vec<f64> = view.themes.iter().map(|t| t.size as f64).collect();
    let theme_sizes = charts::bars("Documents per theme", "documents", &labels, &sizes)?;

    let top: Vec<String> = view.countries.iter().take(TOP_COUNTRIES).map(|(c, _)| c.clone()).collect();
    let country_totals: Vec<f64> = view.countries.iter().take(TOP_COUNTRIES).map(|(_, n)| *n as f64).collect();
    let shares: Vec<Vec<f64>> = view
        .themes
        .iter()
        .map(|t| {
            top.iter()
                .zip(&country_totals)
                .map(|(c, total)| t.countries.iter().find(|(n, _)| n == c).map_or(0.0, |(_, k)| *k as f64 / total))
                .collect()
        })
        .collect();
    let countries = charts::heatmap("Share of each country's documents in each theme", &labels, &top, &shares)?;

    let year_labels: Vec<String> = view.years.iter().map(|(y, _)| y.clone()).collect();
    let shown: Vec<&ThemeView> = view.themes.iter().take(8).collect();
    let series: Vec<Vec<f64>> = shown
        .iter()
        .map(|t| {
            view.years
                .iter()
                .map(|(y, total)| {
                    t.years.iter().find(|(ty, _)| ty == y).map_or(0.0, |(_, n)| *n as f64 / *total as f64)
                })
                .collect()
        })
        .collect();
    let names: Vec<String> = shown.iter().map(|t| format!("{}. {}", t.id, t.label)).collect();
    let years = charts::lines(
        "Share of each year's documents, largest themes",
        "share of documents",
        &year_labels,
        &names,
        &series,
    )?;

    let points = project_2d(analysis);
    let map =
        charts::scatter("Documents by theme (PCA of document vectors)", &points, &analysis.model.assignments, &labels)?;

    let keywords = analysis
        .model
        .themes
        .iter()
        .map(|t| {
            let n = t.keywords.len().min(10);
            charts::bars(
                &format!("Top keywords: {}", t.label),
                "c-TF-IDF weight",
                &t.keywords[..n],
                &t.keyword_weights[..n],
            )
        })
        .collect::<Result<_, _>>()?;
    let ids = analysis.model.themes.iter().map(|t| t.id).collect();
    Ok(Charts { theme_sizes, countries, years, map, keywords, ids })
}

/// The document vectors projected on their first two principal components (linfa PCA), in the
/// space the themes were found in: with raw vectors of an English-only model the first component
/// mostly separates English from other pages.
fn project_2d(analysis: &Analysis) -> Vec<(f64, f64)> {
    use linfa::prelude::*;
    let vectors = if analysis.model.language_centred {
        crate::themes::language_centred(&analysis.corpus.documents, analysis.vectors.view())
    } else {
        analysis.vectors.clone()
    };
    let x = vectors.mapv(|v| v as f64);
    if x.nrows() < 3 {
        return (0..x.nrows()).map(|i| (i as f64, 0.0)).collect();
    }
    let data = linfa::DatasetBase::from(x.clone());
    match linfa_reduction::Pca::params(2).fit(&data) {
        Ok(pca) => {
            let projected = pca.predict(&x);
            projected.rows().into_iter().map(|r| (r[0], r[1])).collect()
        }
        Err(_) => (0..x.nrows()).map(|i| (i as f64, 0.0)).collect(),
    }
}
