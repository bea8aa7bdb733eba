//! The whole job: ingest a folder, embed (through the cache), discover and describe themes,
//! summarise, write every output and store the analysis; and reading a stored analysis back,
//! for the commands that build on it (`compare`, `evaluate`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use ndarray::{Array2, ArrayView2};

use crate::analysis::{self, Analysis, DocumentChanges, RunInfo, RunParams, StageTimes, StoredAnalysis};
use crate::embed::{Backend, Budget, Coverage, EmbedError, Embedder, Precision};
use crate::ingest::{self, Corpus, IngestError, IngestOptions, MetadataTable};
use crate::report;
use crate::store::{FileRecord, PastRun, PastTheme, Store, StoreError};
use crate::summarise::{self, CentralSentences, Summaries, SummaryOptions};
use crate::themes::describe::{Describer, TermStats, TermVectors};
use crate::themes::places::Gazetteer;
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
    #[error("--metadata {0}")]
    Table(#[from] crate::ingest::table::TableError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Themes(#[from] ThemeError),
    #[error("{0} is in use by another themescope run; wait for it to finish or choose another --out")]
    InUse(String),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// The output folder holds no analysis to build on.
    #[error("{out}: {why}")]
    NoAnalysis { out: String, why: String },
    /// The output folder holds runs, but no analysis this themescope can build on.
    #[error("{out}: {why}; run `themescope analyze DIR --out {out}` (with the options you want) to make a new one")]
    StaleAnalysis { out: String, why: String },
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
    /// Arithmetic of the model's products (int8 falls back to fp32 where the CPU lacks VNNI).
    pub precision: Precision,
    pub themes: ThemeOptions,
    pub taxonomy: Option<PathBuf>,
    /// Content tokens embedded per document: `None` for the default budget (at most
    /// [`crate::embed::DEFAULT_WINDOWS`] windows spread over the document), `Some(0)` for the
    /// whole document, `Some(n)` for its first n tokens.
    pub max_tokens_per_doc: Option<usize>,
    /// Assign documents to the previous run's themes instead of clustering again.
    pub keep_themes: bool,
    /// Analyse only documents whose `[[type:…]]` is this.
    pub only_type: Option<String>,
    /// Follow symbolic links that lead outside the input folder.
    pub follow_links: bool,
    /// A CSV table of metadata for files that lack it (`--metadata`).
    pub metadata: Option<PathBuf>,
    /// Write extractive summaries (sentence vectors come from the documents' own pass).
    pub summaries: bool,
    /// Show progress bars (they are drawn only on a terminal in any case).
    pub progress: bool,
}

impl AnalyzeOptions {
    /// The defaults of `themescope analyze DIR --out OUT` (no progress bars).
    pub fn new(input: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        AnalyzeOptions {
            input: input.into(),
            out: out.into(),
            model: None,
            backend: Backend::default(),
            precision: Precision::default(),
            themes: ThemeOptions::default(),
            taxonomy: None,
            max_tokens_per_doc: None,
            keep_themes: false,
            only_type: None,
            follow_links: false,
            metadata: None,
            summaries: true,
            progress: false,
        }
    }

    /// The options as recorded with the analysis (before the run adds what it found).
    fn params(&self) -> RunParams {
        RunParams {
            input: self.input.display().to_string(),
            themes: analysis::theme_count_value(self.themes.count),
            seed: self.themes.seed,
            backend: self.backend.name().to_string(),
            precision: self.precision.name().to_string(),
            multilingual: self.themes.multilingual,
            max_tokens_per_doc: self.max_tokens_per_doc,
            taxonomy: self.taxonomy.as_ref().map(|p| p.display().to_string()),
            only_type: self.only_type.clone(),
            metadata: self.metadata.as_ref().map(|p| p.display().to_string()),
            keep_themes: self.keep_themes,
            k_tried: Vec::new(),
            stability: None,
        }
    }
}

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

/// Runs stage `name`, timed, with a spinner while it runs when progress is shown (stages whose
/// work is counted in files or documents draw their own bars).
fn stage<T>(times: &mut StageTimes, progress: bool, name: &str, f: impl FnOnce() -> T) -> T {
    let spinner = if progress { crate::progress::spinner(name) } else { ProgressBar::hidden() };
    let out = times.time(name, f);
    spinner.finish_and_clear();
    out
}

/// Whether a run continues the previous run's themes (re-clustering from its centres) rather
/// than drawing them afresh: only when the folder changed by at most half of its documents (a
/// refresh is for a growing folder, not for another corpus in the same OUT), and not when the
/// run asks for another fixed number of themes or another seed.
fn refreshes(options: &ThemeOptions, previous: Option<&PastRun>, changes: &DocumentChanges) -> bool {
    let Some(previous) = previous else { return false };
    let same_count = match options.count {
        ThemeCount::Auto => true,
        ThemeCount::Fixed(k) => k == previous.themes.len(),
    };
    let changed = changes.new.len() + changes.changed.len() + changes.removed.len();
    let before = previous.documents.unwrap_or(changes.unchanged + changes.changed.len() + changes.removed.len());
    let small_change = changed <= (before / 2).max(5);
    same_count && small_change && previous.seed.is_none_or(|s| s == options.seed)
}

/// The previous run's centroids as rows, when they fit the current model.
fn past_centres(past: &[PastTheme], dim: usize) -> Option<Array2<f32>> {
    if past.is_empty() || past.iter().any(|p| p.centroid.len() != dim) {
        return None;
    }
    Some(Array2::from_shape_fn((past.len(), dim), |(i, j)| past[i].centroid[j]))
}

impl AnalyzeOptions {
    /// How much of each document is embedded.
    pub fn coverage(&self) -> Coverage {
        Coverage::Whole(match self.max_tokens_per_doc {
            None => Budget::Windows(crate::embed::DEFAULT_WINDOWS),
            Some(0) => Budget::All,
            Some(n) => Budget::FirstTokens(n),
        })
    }
}

/// Version of how central sentences are chosen (splitting, worthiness, candidates, MMR): part of
/// their cache key, so a change reaches cached documents.
const SENTENCES_VERSION: &str = "sentences-1";

/// Runs the whole pipeline, writes every output into `options.out` and stores the analysis
/// there.
pub fn analyze(options: &AnalyzeOptions) -> Result<Analysis, AnalyzeError> {
    let start = Instant::now();
    let mut times = StageTimes::default();
    let _lock = lock_out(&options.out)?;
    let mut notes = Vec::new();
    let (mut store, rebuilt) = Store::open_or_rebuild(&options.out.join(STORE_FILE))?;
    notes.extend(rebuilt);
    let previous = store.last_run()?;
    let recorded: HashMap<String, String> =
        store.files(None)?.into_iter().map(|(path, known)| (path, known.doc.doc_id)).collect();

    let table = options.metadata.as_deref().map(MetadataTable::load).transpose()?;
    let mut ingest_options = IngestOptions {
        exclude: vec![options.out.clone()],
        follow_links: options.follow_links,
        metadata: table,
        progress: Some(crate::progress::bar_if(options.progress, 0, "reading")),
        ..IngestOptions::default()
    };
    let parser = ingest_options.parser_key();
    ingest_options.known = store.files(Some(&parser))?;
    let corpus = times.time("ingest", || {
        let corpus = ingest::ingest_dir(&options.input, &ingest_options)?;
        match &options.only_type {
            Some(only) => corpus.only_type(only).ok_or_else(|| IngestError::NoDocuments(options.input.clone())),
            None => Ok(corpus),
        }
    })?;
    let changes = DocumentChanges::between(&recorded, &corpus);

    let embedder = Embedder::load(options.model.as_deref(), options.backend, options.precision)?;
    notes.extend(embedder.fallback().map(str::to_string));
    let coverage = options.coverage();
    let summary_options = SummaryOptions::default();
    let documents = times.time("embed documents", || {
        embed_documents(&embedder, &mut store, &corpus, coverage, options, &summary_options)
    })?;
    let (vectors, embedded) = (documents.vectors, documents.embedded);
    notes.extend(documents.sampled);

    // With a model that reads every language, all pages are clustered together, and a topic
    // found only in Spanish pages can become a theme.
    let theme_options =
        ThemeOptions { multilingual: options.themes.multilingual || embedder.multilingual(), ..options.themes.clone() };
    let (mut model, mut continuity) = stage(&mut times, options.progress, "themes", || {
        let context = Context { options, themes: &theme_options, previous: previous.as_ref(), changes: &changes };
        cluster(&corpus, vectors.view(), &context, &store, &mut notes)
    })?;
    let theme_centres = analysis::theme_centres(vectors.view(), &model.assignments, model.themes.len());
    stage(&mut times, options.progress, "labels", || -> Result<(), AnalyzeError> {
        let cache = CachedVectors { embedder: &embedder, store: RefCell::new(&mut store) };
        describe(&corpus, &mut model, theme_centres.view(), &cache, options)?;
        continuity.label(&model.themes);
        Ok(())
    })?;

    let summaries = if options.summaries {
        stage(&mut times, options.progress, "summaries", || {
            summarise::summarise(
                &corpus.documents,
                &documents.central,
                &model.assignments,
                &model.similarities,
                theme_centres.view(),
                &summary_options,
            )
        })
    } else {
        Summaries::default()
    };

    let mut params = options.params();
    params.multilingual = theme_options.multilingual;
    params.precision = embedder.precision().name().to_string();
    params.k_tried = model.tried.clone();
    params.stability = model.stability;
    let parsed = corpus.documents.len() + corpus.duplicates.len() - corpus.reused;
    let mut analysis = Analysis {
        corpus,
        vectors,
        model,
        summaries,
        run: RunInfo {
            finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            previous_run: previous.map(|p| p.finished),
            model: embedder.name().to_string(),
            model_id: embedder.model_id().to_string(),
            coverage: coverage.key(),
            params,
            embedded,
            changes,
            continuity,
            seconds: 0.0,
            seconds_by_stage: Vec::new(),
            peak_mb_by_stage: Vec::new(),
            parsed,
            notes,
        },
    };
    let refreshed = stage(&mut times, options.progress, "report", || {
        let notes = refresh_comparisons(&options.out, &analysis)?;
        report::write_all(&options.out, &analysis)?;
        Ok::<_, AnalyzeError>(notes)
    })?;
    analysis.run.notes.extend(refreshed);
    // The stored record carries the timings up to here; run.json, written last, adds the store's.
    times.stamp(&mut analysis.run, start);
    stage(&mut times, options.progress, "store", || record(&mut store, &analysis, &parser))?;
    times.stamp(&mut analysis.run, start);
    report::export::write_run_json(&options.out, &analysis)?;
    Ok(analysis)
}

/// Discovers themes (or refreshes or keeps the previous run's) and gives them stable ids.
/// What the clustering step needs to know of the run beyond the documents.
struct Context<'a> {
    options: &'a AnalyzeOptions,
    themes: &'a ThemeOptions,
    previous: Option<&'a PastRun>,
    changes: &'a DocumentChanges,
}

fn cluster(
    corpus: &Corpus,
    vectors: ArrayView2<f32>,
    context: &Context,
    store: &Store,
    notes: &mut Vec<String>,
) -> Result<(ThemeModel, themes::continuity::Continuity), AnalyzeError> {
    let Context { options, themes: theme_options, previous, changes } = *context;
    let past_themes = previous.map(|p| p.themes.clone()).unwrap_or_default();
    let centres = past_centres(&past_themes, vectors.ncols());
    let docs = &corpus.documents;
    if options.keep_themes && centres.is_none() {
        notes.push(format!(
            "--keep-themes: {} holds no earlier themes of this model to keep; themes were discovered",
            options.out.display()
        ));
    }
    let mut model = match centres {
        Some(c) if options.keep_themes => themes::assign_to_centres(docs, vectors, c, theme_options)?,
        Some(c) if refreshes(theme_options, previous, changes) => themes::refine(docs, vectors, c, theme_options)?,
        _ => themes::discover(docs, vectors, theme_options)?,
    };
    if let ThemeCount::Fixed(k) = options.themes.count {
        if model.themes.len() < k {
            let why = if k > docs.len() {
                format!("there are only {}", crate::plural(docs.len(), "document"))
            } else {
                "k-means left the others empty".to_string()
            };
            notes.push(format!("--themes {k}: found {}, as {why}", crate::plural(model.themes.len(), "theme")));
        }
    }
    let continuity = themes::continuity::carry_ids(&mut model, &past_themes, store.next_theme_id()?);
    Ok((model, continuity))
}

/// Keywords, labels, places, broad areas and names of every theme.
fn describe(
    corpus: &Corpus,
    model: &mut ThemeModel,
    theme_centres: ArrayView2<f32>,
    vectors: &CachedVectors,
    options: &AnalyzeOptions,
) -> Result<(), AnalyzeError> {
    let docs = &corpus.documents;
    let stats = TermStats::gather(docs);
    let gazetteer = Gazetteer::with_places_of(docs);
    let describer = Describer::new(docs, &stats, &gazetteer, Some(vectors));
    let meanings = themes::describe_themes(model, theme_centres, &describer, options.themes.seed)?;
    let taxonomy = match &options.taxonomy {
        Some(path) => guided::load_taxonomy(path)?,
        None => guided::parse_taxonomy(DEFAULT_TAXONOMY, "built-in taxonomy")?,
    };
    let named_vectors = taxonomy_vectors(vectors, &taxonomy)?;
    guided::name_themes(&mut model.themes, &meanings, &taxonomy, named_vectors.view());
    Ok(())
}

/// One unit vector per taxonomy entry: the mean of its texts' vectors.
pub fn taxonomy_vectors(vectors: &dyn TermVectors, taxonomy: &guided::Taxonomy) -> Result<Array2<f32>, ThemeError> {
    let texts: Vec<Vec<String>> = taxonomy.themes.iter().map(|t| t.texts()).collect();
    let flat: Vec<&str> = texts.iter().flatten().map(String::as_str).collect();
    let all = vectors.vectors(&flat)?;
    let mut out = Array2::<f32>::zeros((texts.len(), all.ncols()));
    let mut row = 0;
    for (i, t) in texts.iter().enumerate() {
        for _ in t {
            let mut target = out.row_mut(i);
            target += &all.row(row);
            row += 1;
        }
    }
    crate::embed::normalize_rows(&mut out);
    Ok(out)
}

/// Term and taxonomy vectors from the sentence model, through the store's vector cache.
pub struct CachedVectors<'a, 'b> {
    pub embedder: &'a Embedder,
    pub store: RefCell<&'b mut Store>,
}

impl TermVectors for CachedVectors<'_, '_> {
    fn vectors(&self, terms: &[&str]) -> Result<Array2<f32>, ThemeError> {
        let texts: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        let mut store = self.store.borrow_mut();
        embed_cached(self.embedder, &mut store, &texts, Coverage::FirstWindow, false, "terms")
            .map(|(v, _)| v)
            .map_err(|e| ThemeError::TermVectors(e.to_string()))
    }
}

/// Stores the finished analysis: its summary, its record and its files.
fn record(store: &mut Store, analysis: &Analysis, parser: &str) -> Result<(), AnalyzeError> {
    let themes: Vec<PastTheme> = analysis
        .model
        .themes
        .iter()
        .zip(analysis.model.means.rows())
        .map(|(t, c)| PastTheme { id: t.id, label: t.label.clone(), size: t.size, centroid: c.to_vec() })
        .collect();
    let corpus = &analysis.corpus;
    let documents = corpus.documents.iter().zip(&corpus.stamps).map(|(d, &(size, mtime))| FileRecord {
        document: d,
        size,
        mtime,
        duplicate_of: None,
    });
    let duplicates = corpus.duplicates.iter().map(|d| FileRecord {
        document: &d.document,
        size: d.stamp.0,
        mtime: d.stamp.1,
        duplicate_of: Some(d.duplicate_of.as_str()),
    });
    let files: Vec<FileRecord> = documents.chain(duplicates).collect();
    let stored = serde_json::to_string(&StoredAnalysis::of(analysis)).expect("analyses serialise");
    let summary = report::export::run_summary(analysis);
    store.record_run(&analysis.run.finished, &summary, &stored, &themes, &files, parser)?;
    Ok(())
}

/// The analysis stored in `out` by the last `analyze`, as it was: nothing is embedded, clustered
/// or rewritten. [`AnalyzeError::NoAnalysis`] when there is none to read.
pub fn open(out: &Path) -> Result<Analysis, AnalyzeError> {
    let shown = out.display().to_string();
    let stale = |why: &str| AnalyzeError::StaleAnalysis { out: shown.clone(), why: why.to_string() };
    let path = out.join(STORE_FILE);
    if !path.is_file() {
        return Err(AnalyzeError::NoAnalysis { out: shown.clone(), why: "no analysis here yet".into() });
    }
    let store = Store::open(&path).map_err(|e| match e {
        e @ StoreError::TooNew { .. } => AnalyzeError::Store(e),
        other => stale(&format!("the store cannot be read ({other})")),
    })?;
    if store.last_run()?.is_none() {
        return Err(AnalyzeError::NoAnalysis { out: shown.clone(), why: "no analysis here yet".into() });
    }
    let Some(json) = store.last_analysis()? else {
        return Err(stale("the last run was made by an older themescope and stored no analysis"));
    };
    let stored: StoredAnalysis =
        serde_json::from_str(&json).map_err(|e| stale(&format!("the stored analysis cannot be read ({e})")))?;
    let files = store.files(None)?;
    let (model_id, coverage) = (stored.run.model_id.clone(), stored.run.coverage.clone());
    stored
        .restore(&files, |corpus| {
            let hashes: Vec<String> = corpus.documents.iter().map(|d| d.text_hash()).collect();
            let refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
            let cached = store.vectors(&model_id, &coverage, &refs).map_err(|e| e.to_string())?;
            let dim = cached.values().next().map_or(0, Vec::len);
            let mut vectors = Array2::<f32>::zeros((hashes.len(), dim));
            for (i, h) in hashes.iter().enumerate() {
                let v = cached.get(h).filter(|v| v.len() == dim).ok_or("the vector cache lacks some documents")?;
                vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v.as_slice()));
            }
            Ok(vectors)
        })
        .map_err(|why| stale(&why))
}

/// Each document's central sentences, as the analysis stored in `out` chose them (empty for a
/// document whose sentences are not in the store).
pub fn central_sentences(out: &Path, analysis: &Analysis) -> Result<Vec<CentralSentences>, AnalyzeError> {
    let store = Store::open(&out.join(STORE_FILE))?;
    let hashes: Vec<String> = analysis.corpus.documents.iter().map(|d| d.text_hash()).collect();
    let refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let key = format!("{}|{SENTENCES_VERSION}", analysis.run.coverage);
    let mut found = store.central_sentences(&analysis.run.model_id, &key, &refs)?;
    Ok(hashes.iter().map(|h| found.remove(h).unwrap_or_default()).collect())
}

/// The model an analysis was made with, checked to be the same (by its files' fingerprint):
/// `model` names it when it was given as a path; by default its name is looked up.
pub fn embedder_of(analysis: &Analysis, model: Option<&str>, backend: Backend) -> Result<Embedder, AnalyzeError> {
    let precision = analysis.run.params.precision.parse::<Precision>().map_err(EmbedError::from)?;
    let embedder = Embedder::load(Some(model.unwrap_or(&analysis.run.model)), backend, precision)?;
    if embedder.model_id() != analysis.run.model_id {
        return Err(AnalyzeError::Embed(EmbedError::OtherModel {
            analysed: analysis.run.model.clone(),
            analysed_id: analysis.run.model_id.clone(),
            given: embedder.name().to_string(),
            given_id: embedder.model_id().to_string(),
        }));
    }
    Ok(embedder)
}

/// Theme quality of an analysis (see [`themes::evaluate`]); `against` names a metadata key
/// whose first value is compared with the themes.
pub fn evaluate(analysis: &Analysis, against: Option<&str>) -> themes::evaluate::Evaluation {
    let docs = &analysis.corpus.documents;
    let stats = TermStats::gather(docs);
    let gazetteer = Gazetteer::with_places_of(docs);
    let describer = Describer::new(docs, &stats, &gazetteer, None);
    let labels: Option<Vec<Option<String>>> = against
        .map(|key| docs.iter().map(|d| crate::ingest::parse::first(&d.metadata, key).map(str::to_string)).collect());
    let against = against.zip(labels.as_deref());
    themes::evaluate::evaluate(&analysis.model, docs, &describer, against)
}

/// The documents' vectors and central sentences, and what embedding them took.
struct EmbeddedDocuments {
    vectors: Array2<f32>,
    /// Each document's most central sentences (empty without summaries).
    central: Vec<CentralSentences>,
    /// Documents embedded in this run (the rest came from the cache).
    embedded: usize,
    /// One note per long document read in part.
    sampled: Vec<String>,
}

/// Vectors of every document, and each one's central sentences from the same pass of the
/// model, from the store where both are there; the rest are embedded in batches, each committed
/// on its own so a killed run keeps what it finished.
fn embed_documents(
    embedder: &Embedder,
    store: &mut Store,
    corpus: &Corpus,
    coverage: Coverage,
    options: &AnalyzeOptions,
    summary: &SummaryOptions,
) -> Result<EmbeddedDocuments, AnalyzeError> {
    const BATCH: usize = 64;
    let docs = &corpus.documents;
    let key = coverage.key();
    let sentences_key = format!("{key}|{SENTENCES_VERSION}");
    let hashes: Vec<String> = docs.iter().map(|d| d.text_hash()).collect();
    let hash_refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let cached = store.vectors(embedder.model_id(), &key, &hash_refs)?;
    let mut cached_central = if options.summaries {
        store.central_sentences(embedder.model_id(), &sentences_key, &hash_refs)?
    } else {
        HashMap::new()
    };
    let mut out = EmbeddedDocuments {
        vectors: Array2::<f32>::zeros((docs.len(), embedder.dim())),
        central: vec![CentralSentences::default(); docs.len()],
        embedded: 0,
        sampled: Vec::new(),
    };
    let mut missing = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        let central = if options.summaries { cached_central.remove(h) } else { Some(CentralSentences::default()) };
        match (cached.get(h), central) {
            (Some(v), Some(c)) if v.len() == embedder.dim() => {
                out.vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v.as_slice()));
                out.central[i] = c;
            }
            _ => missing.push(i),
        }
    }
    let bar = crate::progress::bar_if(options.progress, missing.len() as u64, "embedding");
    // Longest first across the whole run keeps both cores busy to the end of each batch.
    missing.sort_by_key(|&i| std::cmp::Reverse(docs[i].text.len()));
    for batch in missing.chunks(BATCH) {
        let texts: Vec<String> = batch.iter().map(|&i| docs[i].embedding_text()).collect();
        let spans: Vec<Vec<std::ops::Range<usize>>> = batch
            .iter()
            .map(|&i| {
                if options.summaries {
                    summarise::candidates(&docs[i].text, summary.sentences_per_doc)
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Sentences are found in the body; the model reads the title first.
        let shifted: Vec<Vec<std::ops::Range<usize>>> = batch
            .iter()
            .zip(&texts)
            .zip(&spans)
            .map(|((&i, text), s)| {
                let shift = text.len() - docs[i].text.len();
                s.iter().map(|r| r.start + shift..r.end + shift).collect()
            })
            .collect();
        let items: Vec<(&str, &[std::ops::Range<usize>])> =
            texts.iter().zip(&shifted).map(|(t, s)| (t.as_str(), s.as_slice())).collect();
        let embedded = embedder.embed_with_spans(&items, coverage, &bar)?;
        for ((&i, e), spans) in batch.iter().zip(&embedded).zip(&spans) {
            out.vectors.row_mut(i).assign(&ndarray::ArrayView1::from(e.vector.as_slice()));
            out.central[i] = summarise::central_sentences(
                out.vectors.row(i),
                spans,
                &e.spans,
                summary.central_per_doc,
                summary.lambda,
            );
            if let Some(s) = e.sampled {
                let about = if s.estimated { "about " } else { "" };
                out.sampled.push(format!(
                    "{}: long document: embedded {} of its {about}{} windows ({about}{} tokens), spread from start \
                     to end; --max-tokens-per-doc 0 reads all of it",
                    docs[i].path, s.windows, s.of_windows, s.tokens
                ));
            }
        }
        let items: Vec<(&str, &[f32], Option<&CentralSentences>)> = batch
            .iter()
            .zip(&embedded)
            .map(|(&i, e)| (hashes[i].as_str(), e.vector.as_slice(), options.summaries.then_some(&out.central[i])))
            .collect();
        store.put_documents(embedder.model_id(), &key, &sentences_key, &items)?;
        out.embedded += batch.len();
    }
    bar.finish_and_clear();
    Ok(out)
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
    let key = coverage.key();
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
    let bar = crate::progress::bar_if(progress, missing.len() as u64, what);
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
fn refresh_comparisons(out: &Path, analysis: &Analysis) -> Result<Vec<String>, AnalyzeError> {
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
        let chosen = if values.is_empty() {
            Err(format!("no document has any of its values of {} any more", facet.name()))
        } else {
            crate::compare::choose_values(&analysis.corpus.documents, &facet, values, None)
        };
        match chosen {
            Ok((values, _)) => {
                let terms = terms.get_or_insert_with(|| crate::compare::LanguageTerms::new(analysis));
                report::comparison::write(out, &crate::compare::compare(analysis, terms, facet, &values))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::ThemeId;

    #[test]
    fn another_seed_number_of_themes_or_corpus_draws_themes_afresh() {
        let theme = PastTheme { id: ThemeId(0), label: "a".into(), size: 1, centroid: vec![1.0] };
        let past = PastRun {
            finished: "then".into(),
            seed: Some(42),
            documents: Some(100),
            themes: vec![theme.clone(), theme],
        };
        let options = |count, seed| ThemeOptions { count, seed, ..ThemeOptions::default() };
        let grown = DocumentChanges { new: vec!["x".into(); 5], unchanged: 100, ..DocumentChanges::default() };
        assert!(refreshes(&options(ThemeCount::Auto, 42), Some(&past), &grown));
        assert!(refreshes(&options(ThemeCount::Fixed(2), 42), Some(&past), &grown));
        assert!(!refreshes(&options(ThemeCount::Fixed(3), 42), Some(&past), &grown));
        assert!(!refreshes(&options(ThemeCount::Auto, 7), Some(&past), &grown));
        assert!(refreshes(&options(ThemeCount::Auto, 7), Some(&PastRun { seed: None, ..past.clone() }), &grown));
        assert!(!refreshes(&options(ThemeCount::Auto, 42), None, &grown));
        let other = DocumentChanges {
            new: vec!["x".into(); 1200],
            removed: vec!["y".into(); 100],
            ..DocumentChanges::default()
        };
        assert!(!refreshes(&options(ThemeCount::Auto, 42), Some(&past), &other), "another corpus in the same OUT");
    }
}
