//! The whole job: ingest a folder, embed (through the cache), discover themes, write outputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use ndarray::Array2;

use crate::embed::{Backend, Coverage, EmbedError, Embedder};
use crate::ingest::{self, Corpus, Document, IngestError, IngestOptions};
use crate::report::export;
use crate::store::{PastRun, PastTheme, Store, StoreError};
use crate::summarise::{self, Summaries, SummaryOptions};
use crate::themes::continuity::Continuity;
use crate::themes::{self, guided, ThemeCount, ThemeError, ThemeModel, ThemeOptions};

/// The taxonomy shipped with themescope, used when `--taxonomy` is not given.
pub const DEFAULT_TAXONOMY: &str = include_str!("../taxonomy.toml");

/// File name of the store inside the output folder.
pub const STORE_FILE: &str = "themescope.sqlite";

/// Errors of a whole analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Themes(#[from] ThemeError),
    #[error("{0} is in use by another themescope run; wait for it to finish or choose another --out")]
    InUse(String),
    #[error("report: {0}")]
    Report(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl AnalyzeError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        AnalyzeError::Io { path: path.display().to_string(), source }
    }
}

/// What `analyze` needs to know.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub input: PathBuf,
    pub out: PathBuf,
    pub model: Option<String>,
    /// What runs the model (the vectors are the same; the speed and dependencies differ).
    pub backend: Backend,
    pub themes: ThemeOptions,
    pub taxonomy: Option<PathBuf>,
    /// Cap on content tokens embedded per document; `None` reads whole documents.
    pub max_tokens_per_doc: Option<usize>,
    /// Assign documents to the previous run's themes instead of clustering again.
    pub keep_themes: bool,
    /// Analyse only documents whose `[[type:…]]` is this.
    pub only_type: Option<String>,
    /// Write extractive summaries (costs one embedding per candidate sentence on a cold run).
    pub summaries: bool,
    /// Show progress bars (they are drawn only on a terminal in any case).
    pub progress: bool,
}

/// The result of an analysis, as written to the output folder.
pub struct Analysis {
    pub corpus: Corpus,
    pub vectors: Array2<f32>,
    pub model: ThemeModel,
    pub model_name: String,
    pub model_id: String,
    /// Unit centre of each theme in the model's own space (mean of its documents' vectors).
    pub theme_centres: Array2<f32>,
    pub summaries: Summaries,
    /// Documents whose vectors were computed in this run (the rest came from the cache).
    pub embedded: usize,
    pub changes: DocumentChanges,
    pub continuity: Continuity,
    /// When the previous run on this output folder finished, if there was one.
    pub previous_run: Option<String>,
    pub seconds: f64,
}

/// How the analysed documents differ from the previous run's, by path.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DocumentChanges {
    pub new: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl DocumentChanges {
    /// Compares the previous run's documents (path → doc id) with today's corpus.
    pub fn between(previous: &HashMap<String, String>, corpus: &Corpus) -> Self {
        let mut changes = DocumentChanges::default();
        let mut seen = std::collections::HashSet::new();
        for d in &corpus.documents {
            seen.insert(d.path.as_str());
            match previous.get(&d.path) {
                None => changes.new.push(d.path.clone()),
                Some(id) if *id != d.doc_id => changes.changed.push(d.path.clone()),
                Some(_) => changes.unchanged += 1,
            }
        }
        changes.removed = previous.keys().filter(|p| !seen.contains(p.as_str())).cloned().collect();
        changes.removed.sort();
        changes
    }
}

/// Holds an exclusive lock on the output folder for the life of the value: a second run on the
/// same folder stops with a clear message instead of interleaving writes. The operating system
/// releases the lock when the process ends, however it ends.
pub struct OutLock {
    _file: std::fs::File,
}

fn lock_out(out: &Path) -> Result<OutLock, AnalyzeError> {
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

/// Whether a run continues the previous run's themes (re-clustering from its centres) rather
/// than drawing them afresh: not when it asks for another fixed number of themes or another seed.
fn refreshes(options: &ThemeOptions, previous: Option<&PastRun>) -> bool {
    let Some(previous) = previous else { return false };
    let same_count = match options.count {
        ThemeCount::Auto => true,
        ThemeCount::Fixed(k) => k == previous.themes.len(),
    };
    same_count && previous.seed.is_none_or(|s| s == options.seed)
}

/// The previous run's centroids as rows, when they fit the current model.
fn past_centres(past: &[PastTheme], dim: usize) -> Option<Array2<f32>> {
    if past.is_empty() || past.iter().any(|p| p.centroid.len() != dim) {
        return None;
    }
    Some(Array2::from_shape_fn((past.len(), dim), |(i, j)| past[i].centroid[j]))
}

/// Runs the whole pipeline and writes `themes.json`, `documents.csv` and `run.json` to `out`.
pub fn analyze(options: &AnalyzeOptions) -> Result<Analysis, AnalyzeError> {
    let start = Instant::now();
    std::fs::create_dir_all(&options.out).map_err(|e| AnalyzeError::io(&options.out, e))?;
    let _lock = lock_out(&options.out)?;
    let mut store = Store::open(&options.out.join(STORE_FILE))?;
    let known = store.known_files()?;
    let previous = store.last_run()?;
    let known_ids: HashMap<String, String> = known.iter().map(|(p, k)| (p.clone(), k.doc.doc_id.clone())).collect();
    let ingest_options = IngestOptions { exclude: vec![options.out.clone()], known, ..IngestOptions::default() };
    let mut corpus = ingest::ingest_dir(&options.input, &ingest_options)?;
    if let Some(only) = &options.only_type {
        let (documents, stamps) = std::mem::take(&mut corpus.documents)
            .into_iter()
            .zip(std::mem::take(&mut corpus.stamps))
            .filter(|(d, _)| d.doc_type.as_deref() == Some(only.as_str()))
            .unzip();
        (corpus.documents, corpus.stamps) = (documents, stamps);
        if corpus.documents.is_empty() {
            return Err(AnalyzeError::Ingest(IngestError::NoDocuments(options.input.clone())));
        }
    }
    let changes = DocumentChanges::between(&known_ids, &corpus);
    let embedder = Embedder::load(options.model.as_deref(), options.backend)?;
    let coverage = Coverage::Whole { max_tokens: options.max_tokens_per_doc };
    let texts: Vec<String> = corpus.documents.iter().map(|d| d.embedding_text()).collect();
    let (vectors, embedded) = embed_cached(&embedder, &mut store, &texts, coverage, options.progress, "embedding")?;

    let past_themes = previous.as_ref().map(|p| p.themes.clone()).unwrap_or_default();
    let centres = past_centres(&past_themes, embedder.dim());
    let docs = &corpus.documents;
    let mut model = match centres {
        Some(c) if options.keep_themes => themes::assign_to_centres(docs, vectors.view(), c, &options.themes)?,
        Some(c) if refreshes(&options.themes, previous.as_ref()) => {
            themes::refine(docs, vectors.view(), c, &options.themes)?
        }
        _ => themes::discover(docs, vectors.view(), &options.themes)?,
    };
    let continuity = themes::continuity::carry_ids(&mut model, &past_themes, store.next_theme_id()?);
    let taxonomy = match &options.taxonomy {
        Some(path) => guided::load_taxonomy(path)?,
        None => guided::parse_taxonomy(DEFAULT_TAXONOMY, "built-in taxonomy")?,
    };
    let named_vectors = named_theme_vectors(&embedder, &taxonomy)?;
    guided::name_themes(&mut model.themes, &model.centroids, &taxonomy, named_vectors.view());

    let theme_centres = theme_centres(vectors.view(), &model.assignments, model.themes.len());
    let summaries = if options.summaries {
        summarise_all(&embedder, &mut store, &corpus, vectors.view(), &model, theme_centres.view(), options.progress)?
    } else {
        Summaries::default()
    };

    let analysis = Analysis {
        corpus,
        vectors,
        model,
        model_name: embedder.name().to_string(),
        model_id: embedder.model_id().to_string(),
        theme_centres,
        summaries,
        embedded,
        changes,
        continuity,
        previous_run: previous.map(|p| p.finished),
        seconds: start.elapsed().as_secs_f64(),
    };
    let summary = export::write_all(&options.out, &analysis, options)?;
    let themes: Vec<PastTheme> = analysis
        .model
        .themes
        .iter()
        .zip(analysis.model.means.rows())
        .map(|(t, c)| PastTheme { id: t.id, label: t.label.clone(), size: t.size, centroid: c.to_vec() })
        .collect();
    let files: Vec<(&Document, u64, i64)> = analysis
        .corpus
        .documents
        .iter()
        .zip(&analysis.corpus.stamps)
        .map(|(d, &(size, mtime))| (d, size, mtime))
        .collect();
    store.record_run(summary["finished"].as_str().unwrap_or_default(), &summary, &themes, &files)?;
    Ok(analysis)
}

/// Writes the HTML and Markdown reports again (e.g. after a comparison was added beside them).
pub fn rewrite_report(options: &AnalyzeOptions, analysis: &Analysis) -> Result<(), AnalyzeError> {
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::report::write_reports(&options.out, analysis, export::params(analysis, options), &generated)
}

/// Theme quality of an analysis (see [`themes::evaluate`]); `against` names a metadata key
/// whose first value is compared with the themes.
pub fn evaluate(analysis: &Analysis, against: Option<&str>) -> themes::evaluate::Evaluation {
    let docs = &analysis.corpus.documents;
    let stop = themes::corpus_stop_words(docs);
    let terms: Vec<std::collections::HashSet<String>> =
        themes::document_terms(docs, &stop).into_iter().map(|counts| counts.into_keys().collect()).collect();
    let languages: Vec<Option<String>> = docs.iter().map(|d| d.language.clone()).collect();
    let labels: Option<Vec<Option<String>>> = against
        .map(|key| docs.iter().map(|d| crate::ingest::parse::first(&d.metadata, key).map(str::to_string)).collect());
    let against = against.zip(labels.as_deref());
    themes::evaluate::evaluate(&analysis.model, &terms, &stop, &languages, against)
}

/// One unit vector per named theme: the mean of its texts' vectors.
fn named_theme_vectors(embedder: &Embedder, taxonomy: &guided::Taxonomy) -> Result<Array2<f32>, AnalyzeError> {
    let mut out = Array2::<f32>::zeros((taxonomy.themes.len(), embedder.dim()));
    for (i, theme) in taxonomy.themes.iter().enumerate() {
        let texts = theme.texts();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = embedder.embed_texts(&refs, Coverage::FirstWindow, &ProgressBar::hidden())?;
        let mut mean = vectors.mean_axis(ndarray::Axis(0)).expect("a named theme has at least its name");
        crate::embed::normalize(mean.as_slice_mut().expect("a fresh array is contiguous"));
        out.row_mut(i).assign(&mean);
    }
    Ok(out)
}

/// Summaries of every theme and document (sentence vectors through the cache).
fn summarise_all(
    embedder: &Embedder,
    store: &mut Store,
    corpus: &Corpus,
    vectors: ndarray::ArrayView2<f32>,
    model: &ThemeModel,
    theme_centres: ndarray::ArrayView2<f32>,
    progress: bool,
) -> Result<Summaries, AnalyzeError> {
    let summary_options = SummaryOptions::default();
    let docs = &corpus.documents;
    let plan = summarise::plan(docs, &model.assignments, &model.similarities, model.themes.len(), &summary_options);
    let sentences: Vec<String> = plan.sentences.iter().map(|(_, s)| s.clone()).collect();
    let (sentence_vectors, _) =
        embed_cached(embedder, store, &sentences, Coverage::FirstWindow, progress, "summarising")?;
    Ok(summarise::summarise(docs, vectors, theme_centres, &plan, sentence_vectors.view(), &summary_options))
}

/// Unit mean vector of each theme's documents.
fn theme_centres(vectors: ndarray::ArrayView2<f32>, assignments: &[usize], themes: usize) -> Array2<f32> {
    let mut centres = Array2::<f32>::zeros((themes, vectors.ncols()));
    for (row, &t) in vectors.rows().into_iter().zip(assignments) {
        let mut centre = centres.row_mut(t);
        centre += &row;
    }
    crate::embed::normalize_rows(&mut centres);
    centres
}

/// Cache key of a coverage, so vectors of different coverages never mix.
fn coverage_key(coverage: Coverage) -> String {
    match coverage {
        Coverage::FirstWindow => "first-window".into(),
        Coverage::Whole { max_tokens: None } => "whole".into(),
        Coverage::Whole { max_tokens: Some(n) } => format!("whole-max{n}"),
    }
}

/// Vectors for `texts`, from the store where present; the rest are embedded in batches, each
/// committed on its own so a killed run keeps what it finished. Returns the vectors and how many
/// were computed.
pub fn embed_cached(
    embedder: &Embedder,
    store: &mut Store,
    texts: &[String],
    coverage: Coverage,
    progress: bool,
    what: &str,
) -> Result<(Array2<f32>, usize), AnalyzeError> {
    const BATCH: usize = 64;
    let key = coverage_key(coverage);
    let hashes: Vec<String> = texts.iter().map(|t| crate::ingest::hash_text(t)).collect();
    let hash_refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let cached = store.vectors(embedder.model_id(), &key, &hash_refs)?;
    let mut vectors = Array2::<f32>::zeros((texts.len(), embedder.dim()));
    let mut missing = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        match cached.get(h) {
            Some(v) if v.len() == embedder.dim() => vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v.as_slice())),
            _ => missing.push(i),
        }
    }
    let bar = if progress { crate::progress::bar(missing.len() as u64, what) } else { ProgressBar::hidden() };
    // Longest first across the whole run keeps both cores busy to the end of each batch.
    missing.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
    for batch in missing.chunks(BATCH) {
        let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i].as_str()).collect();
        let out = embedder.embed_texts(&batch_texts, coverage, &bar)?;
        let items: Vec<(&str, &[f32])> = batch
            .iter()
            .zip(out.rows())
            .map(|(&i, row)| (hashes[i].as_str(), row.to_slice().expect("rows are contiguous")))
            .collect();
        store.put_vectors(embedder.model_id(), &key, &items)?;
        for (&i, row) in batch.iter().zip(out.rows()) {
            vectors.row_mut(i).assign(&row);
        }
    }
    bar.finish_and_clear();
    Ok((vectors, missing.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_seed_or_number_of_themes_draws_themes_afresh() {
        let theme = PastTheme { id: 0, label: "a".into(), size: 1, centroid: vec![1.0] };
        let past = PastRun { finished: "then".into(), seed: Some(42), themes: vec![theme.clone(), theme] };
        let options = |count, seed| ThemeOptions { count, seed, ..ThemeOptions::default() };
        assert!(refreshes(&options(ThemeCount::Auto, 42), Some(&past)));
        assert!(refreshes(&options(ThemeCount::Fixed(2), 42), Some(&past)));
        assert!(!refreshes(&options(ThemeCount::Fixed(3), 42), Some(&past)));
        assert!(!refreshes(&options(ThemeCount::Auto, 7), Some(&past)));
        assert!(refreshes(&options(ThemeCount::Auto, 7), Some(&PastRun { seed: None, ..past })));
        assert!(!refreshes(&options(ThemeCount::Auto, 42), None));
    }
}
