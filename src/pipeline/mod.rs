//! The whole job: ingest a folder, embed (through the cache), discover and describe themes,
//! summarise, write every output and store the analysis. Beside it: the output folder's lock,
//! the vector cache, reading a stored analysis back, and the comparisons kept in OUT.

mod cache;
mod comparisons;
mod curate;
mod generate;
mod lock;
mod options;
mod stored;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use indicatif::ProgressBar;
use ndarray::{Array2, ArrayView2};

use cache::embed_documents;
pub use cache::{embed_cached, CachedVectors};
use comparisons::refresh_comparisons;
pub use comparisons::write_comparison;
pub use curate::{curate, Edit};
pub use lock::{lock_out, OutLock};
pub use options::{check_against, AnalyzeOptions};
pub use stored::{
    central_sentences, distill_fitted, embedder_of, evaluate, open, score_keywords, Evaluated, PLANTED_PEAK,
};

use crate::analysis::{self, Analysis, DocumentChanges, RunInfo, StageTimes, StoredAnalysis};
use crate::curation::{self, Curation, CurationError};
use crate::embed::{EmbedError, Embedder};
use crate::ingest::{self, Corpus, IngestError, IngestOptions, MetadataTable};
use crate::report;
use crate::settings::{Mismatch, Settings};
use crate::store::{FileRecord, PastRun, Store, StoreError};
use crate::summarise::{self, Summaries};
use crate::themes::continuity::PastTheme;
use crate::themes::describe::{Describer, TermStats, TermVectors};
use crate::themes::places::Gazetteer;
use crate::themes::{self, guided, ThemeCount, ThemeError, ThemeId, ThemeModel, ThemeOptions};
use crate::trends::{PreviousThemes, SinceLast, Trends};

/// The taxonomy shipped with themescope, used when `--taxonomy` is not given.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../taxonomy.toml");

/// File name of the store inside the output folder.
pub const STORE_FILE: &str = "themescope.sqlite";

/// Errors of a whole analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("metadata table {0}")]
    Table(#[from] crate::ingest::table::TableError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Themes(#[from] ThemeError),
    #[error(transparent)]
    Summary(#[from] crate::summarise::SummaryParamError),
    #[error(transparent)]
    Trends(#[from] crate::trends::TrendParamError),
    #[error("{0} is in use by another themescope run; wait for it to finish or choose another output folder")]
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
    /// Options given to a command that builds on the stored analysis differ from those it was
    /// made with (see [`check_against`]).
    #[error("{out}: the stored analysis was made with other options ({}); it is used as it is", Mismatch::list(.mismatches))]
    OptionsDiffer { out: String, mismatches: Vec<Mismatch> },
    /// A command that embeds a question was given another model than the analysis's.
    #[error(
        "the analysis was made with {made_with}; {given} is another model whose vectors do not compare with its \
         documents': give the analysis's own model, or analyze again with this one"
    )]
    OtherModel { made_with: String, given: String },
    #[error(transparent)]
    Curation(#[from] CurationError),
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    /// A `themescope theme …` command that cannot be carried out on the stored analysis.
    #[error("{out}: {why}")]
    Refused { out: String, why: String },
}

impl AnalyzeError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        AnalyzeError::Io { path: path.display().to_string(), source }
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

/// Version of how central sentences are chosen (splitting, worthiness, candidates, MMR): part of
/// their cache key, so a change reaches cached documents.
const SENTENCES_VERSION: &str = "sentences-3";

/// Runs the whole pipeline, writes every output into `options.out` and stores the analysis
/// there.
pub fn analyze(options: &AnalyzeOptions) -> Result<Analysis, AnalyzeError> {
    options.check()?;
    let lock = lock_out(&options.out)?;
    run(options, &lock, None)
}

/// What a `themescope theme …` command asks of the run it makes: the decisions to apply (and
/// keep, once the run succeeds), and the command, for the history.
struct Request {
    curation: Curation,
    command: String,
    /// The change to the decisions it takes back (`theme undo`), by its id in the store.
    undoes: Option<i64>,
}

/// [`analyze`] under the output folder's lock; `request` is a `theme` command's, or `None` for
/// a plain run, which applies the decisions in OUT/curation.toml.
fn run(options: &AnalyzeOptions, _lock: &OutLock, request: Option<&Request>) -> Result<Analysis, AnalyzeError> {
    let start = Instant::now();
    let mut times = StageTimes::default();
    let mut notes = Vec::new();
    let (mut store, rebuilt) = Store::open_or_rebuild(&options.out.join(STORE_FILE))?;
    notes.extend(rebuilt);
    let (curation, edited_by_hand) = match request {
        Some(r) => (r.curation.clone(), None),
        None => curate::decisions_in(&options.out, &store, &mut notes)?,
    };
    let previous = store.last_run()?;
    let previous_themes: PreviousThemes =
        store.last_analysis()?.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default();
    let recorded: HashMap<String, String> =
        store.files(None)?.into_iter().map(|(path, known)| (path, known.doc.doc_id)).collect();

    let settings = &options.settings;
    let table = settings.metadata.as_deref().map(MetadataTable::load).transpose()?;
    let mut ingest_options = IngestOptions {
        exclude: vec![options.out.clone()],
        follow_links: settings.follow_links,
        metadata: table,
        progress: Some(crate::progress::bar_if(options.progress, 0, "reading")),
        ..IngestOptions::default()
    };
    let parser = ingest_options.parser_key();
    ingest_options.known = store.files(Some(&parser))?;
    let corpus = times.time("ingest", || {
        let corpus = ingest::ingest_dir(&settings.input, &ingest_options)?;
        match &settings.only_type {
            Some(only) => corpus.only_type(only).ok_or_else(|| IngestError::NoDocuments(settings.input.clone())),
            None => Ok(corpus),
        }
    })?;
    let changes = DocumentChanges::between(&recorded, &corpus);

    let embedder = Embedder::load(settings.model.as_deref(), settings.backend, settings.precision)?;
    notes.extend(embedder.fallback().map(str::to_string));
    let coverage = options.coverage();
    let summary_options = &options.summary;
    let documents = times.time("embed documents", || {
        embed_documents(&embedder, &mut store, &corpus, coverage, options, summary_options)
    })?;
    let tokens_per_second = documents.tokens_per_second();
    let (vectors, embedded) = (documents.vectors, documents.embedded);
    notes.extend(documents.sampled);

    // With a model that reads every language, all pages are clustered together, and a topic
    // found only in Spanish pages can become a theme.
    let theme_options =
        ThemeOptions { multilingual: settings.multilingual || embedder.multilingual(), ..options.themes() };
    let next_id = curation.next_id(store.next_theme_id()?);
    let (mut model, mut continuity, curated) = stage(&mut times, options.progress, "themes", || {
        let context = Context { options, themes: &theme_options, previous: previous.as_ref(), changes: &changes };
        let (mut model, mut continuity) = cluster(&corpus, vectors.view(), &context, next_id, &mut notes)?;
        let was: HashMap<&str, ThemeId> = previous_themes
            .documents
            .iter()
            .map(String::as_str)
            .zip(previous_themes.assignments.iter().copied())
            .collect();
        let before = curation::Before { themes: &was, keep_all: request.is_some() };
        let curated =
            curation::apply(&curation, &corpus.documents, vectors.view(), &mut model, &before, &theme_options)?;
        if !curated.decisions.is_empty() || before.keep_all {
            let past = previous.as_ref().map_or(&[][..], |p| p.themes.as_slice());
            continuity = themes::continuity::relate(&model, past);
        }
        Ok::<_, AnalyzeError>((model, continuity, curated))
    })?;
    notes.extend(curated.notes.iter().cloned());
    let theme_centres = analysis::theme_centres(vectors.view(), &model.assignments, model.themes.len());
    let past_themes = previous.as_ref().map_or(&[][..], |p| p.themes.as_slice());
    let (trends, terms) = stage(&mut times, options.progress, "labels", || {
        let cache = CachedVectors { embedder: &embedder, store: RefCell::new(&mut store) };
        let described = describe(&corpus, &mut model, theme_centres.view(), &cache, options)?;
        curated.label(&mut model.themes);
        continuity.keep_labels(&mut model.themes, past_themes);
        Ok::<_, AnalyzeError>(described)
    })?;

    let summaries = if options.summaries {
        stage(&mut times, options.progress, "summaries", || {
            let quoted: Vec<summarise::ThemeTerms> = model.themes.iter().map(summarise::ThemeTerms::of).collect();
            let languages: Vec<Option<String>> = model.themes.iter().map(|t| t.main_language()).collect();
            let mut summaries = summarise::summarise(
                &corpus.documents,
                &documents.central,
                &model.assignments,
                &model.similarities,
                theme_centres.view(),
                &quoted,
                &languages,
                summary_options,
            );
            (summaries.syntheses, summaries.area_syntheses) =
                syntheses(&corpus.documents, &model, &trends, &terms.stats.per_doc);
            summaries
        })
    } else {
        Summaries::default()
    };
    let generation = match settings.llm {
        generate::LlmChoice::Off => None,
        // The stage draws its own bar (and fetches the model the first time, saying so).
        _ => Some(stage(&mut times, false, "generate", || {
            let cache = CachedVectors { embedder: &embedder, store: RefCell::new(&mut store) };
            let known = generate::Known {
                corpus: &corpus,
                summaries: &summaries,
                terms: &terms,
                centres: theme_centres.view(),
                continuity: &continuity,
                past: past_themes,
            };
            generate::generate_labels(&mut model, &known, &cache, options)
        })?),
    };
    if let Some(g) = &generation {
        if g.fell_back > 0 {
            notes.push(format!(
                "--llm: {} kept the extracted label, no generated one passing the checks",
                crate::plural(g.fell_back, "theme")
            ));
        }
    }
    continuity.label(&model.themes);

    let params = analysis::RunParams {
        settings: Settings {
            multilingual: theme_options.multilingual,
            precision: embedder.precision(),
            ..settings.clone()
        },
        k_tried: model.tried.clone(),
        stability: model.stability,
    };
    let parsed = corpus.documents.len() + corpus.duplicates.len() - corpus.reused;
    let mut analysis = Analysis {
        corpus,
        vectors,
        model,
        summaries,
        trends,
        run: RunInfo {
            finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            previous_run: previous.map(|p| p.finished),
            model: embedder.name().to_string(),
            model_id: embedder.model_id().to_string(),
            coverage: coverage.key(),
            kernel: embedder.kernel(),
            tokens_per_second,
            params,
            embedded,
            changes,
            continuity,
            seconds: 0.0,
            seconds_by_stage: Vec::new(),
            peak_mb_by_stage: Vec::new(),
            parsed,
            notes,
            since_last: None,
            curation: curated.decisions,
            command: request.map(|r| r.command.clone()),
            generation,
        },
    };
    if let Some(finished) = &analysis.run.previous_run {
        let previous = &previous_themes;
        let ids: Vec<ThemeId> = analysis.model.assignments.iter().map(|&p| analysis.model.themes[p].id).collect();
        let new: HashSet<&str> = analysis.run.changes.new.iter().map(String::as_str).collect();
        analysis.run.since_last = Some(SinceLast::between(finished, previous, &analysis.corpus.documents, &ids, &new));
    }
    let refreshed = stage(&mut times, options.progress, "report", || {
        let notes = refresh_comparisons(&options.out, &analysis)?;
        report::write_all(&options.out, &analysis)?;
        Ok::<_, AnalyzeError>(notes)
    })?;
    analysis.run.notes.extend(refreshed);
    // The stored record carries the timings up to here; run.json, written last, adds the store's.
    times.stamp(&mut analysis.run, start);
    // The file first: should the store's record fail after it, the next run reads the file as a
    // hand edit and records it, so the decision holds either way.
    if let Some(r) = request {
        r.curation.save(&options.out)?;
    }
    stage(&mut times, options.progress, "store", || record(&mut store, &analysis, &parser))?;
    let run_id = store.last_run_id()?;
    match (request, edited_by_hand) {
        (Some(Request { undoes: Some(id), .. }), _) => store.undo_curation(*id)?,
        (Some(Request { curation, command, .. }), _) => {
            store.record_curation(&analysis.run.finished, command, &curation.to_toml(), run_id)?
        }
        (None, Some(text)) => store.record_curation(&analysis.run.finished, curate::HAND_EDIT, &text, run_id)?,
        (None, None) => {}
    }
    times.stamp(&mut analysis.run, start);
    report::export::write_run_json(&options.out, &analysis)?;
    Ok(analysis)
}

/// Each theme's and each broad area's synthesis (see [`summarise::synthesis`]): a theme's change
/// over time is the trends test's; a broad area's best pages are the best of its two largest
/// themes.
fn syntheses(
    docs: &[ingest::Document],
    model: &ThemeModel,
    trends: &Trends,
    terms: &[crate::themes::label::TermMap<String, f64>],
) -> (Vec<summarise::synthesis::Synthesis>, Vec<summarise::synthesis::Synthesis>) {
    use summarise::synthesis::{facts, write, Group, Synthesis};
    let made = |group: &Group| {
        let facts = facts(docs, terms, group);
        Synthesis { text: write(&facts), facts }
    };
    let country = |d: &ingest::Document| crate::compare::Facet::Country.value(d);
    let in_themes = |positions: &[usize]| -> Vec<usize> {
        (0..docs.len()).filter(|&i| positions.contains(&model.assignments[i])).collect()
    };
    let themes = model
        .themes
        .iter()
        .enumerate()
        .map(|(p, t)| {
            let trend = trends.themes.get(p);
            made(&Group {
                members: &in_themes(&[p]),
                country: &country,
                keywords: &t.keywords,
                change: trend.and_then(|t| t.describe()),
                tested: trend.is_some_and(|t| t.change.is_some()),
                best: &t.representative_docs,
            })
        })
        .collect();
    let areas = model
        .parents
        .iter()
        .map(|area| {
            let mut children: Vec<usize> = area.children.iter().filter_map(|&id| model.position(id)).collect();
            children.sort_by_key(|&p| std::cmp::Reverse(model.themes[p].size));
            let best: Vec<String> =
                children.iter().take(2).filter_map(|&p| model.themes[p].representative_docs.first().cloned()).collect();
            made(&Group {
                members: &in_themes(&children),
                country: &country,
                keywords: &area.keywords,
                change: None,
                tested: false,
                best: &best,
            })
        })
        .collect();
    (themes, areas)
}

/// What the clustering step needs to know of the run beyond the documents.
struct Context<'a> {
    options: &'a AnalyzeOptions,
    themes: &'a ThemeOptions,
    previous: Option<&'a PastRun>,
    changes: &'a DocumentChanges,
}

/// Discovers themes (or refreshes or keeps the previous run's) and gives them stable ids.
fn cluster(
    corpus: &Corpus,
    vectors: ArrayView2<f32>,
    context: &Context,
    next_id: u32,
    notes: &mut Vec<String>,
) -> Result<(ThemeModel, themes::continuity::Continuity), AnalyzeError> {
    let Context { options, themes: theme_options, previous, changes } = *context;
    let past_themes = previous.map(|p| p.themes.clone()).unwrap_or_default();
    let centres = past_centres(&past_themes, vectors.ncols());
    let docs = &corpus.documents;
    if options.settings.keep_themes && centres.is_none() {
        notes.push(format!(
            "--keep-themes: {} holds no earlier themes of this model to keep; themes were discovered",
            options.out.display()
        ));
    }
    let mut model = match centres {
        Some(c) if options.settings.keep_themes => themes::assign_to_centres(docs, vectors, c, theme_options)?,
        Some(c) if refreshes(theme_options, previous, changes) => themes::refine(docs, vectors, c, theme_options)?,
        _ => themes::discover(docs, vectors, theme_options)?,
    };
    if let ThemeCount::Fixed(k) = theme_options.count {
        if model.themes.len() < k {
            let why = if k > docs.len() {
                format!("there are only {}", crate::plural(docs.len(), "document"))
            } else {
                "k-means left the others empty".to_string()
            };
            notes.push(format!("--themes {k}: found {}, as {why}", crate::plural(model.themes.len(), "theme")));
        }
    }
    let continuity = themes::continuity::carry_ids(&mut model, &past_themes, next_id);
    Ok((model, continuity))
}

/// Keywords, labels, places, broad areas and names of every theme, and the themes over time
/// (whose change of language is read in the same terms); also the terms they were read in, for
/// the checks of generated labels.
fn describe(
    corpus: &Corpus,
    model: &mut ThemeModel,
    theme_centres: ArrayView2<f32>,
    vectors: &CachedVectors,
    options: &AnalyzeOptions,
) -> Result<(Trends, generate::Terms), AnalyzeError> {
    let docs = &corpus.documents;
    let gazetteer = Gazetteer::with_places_of(docs);
    let stats = TermStats::gather(docs, &gazetteer);
    let describer = Describer::new(docs, &stats, &gazetteer, Some(vectors));
    let meanings = themes::describe_themes(model, theme_centres, &describer, &options.themes())?;
    let taxonomy = match &options.settings.taxonomy {
        Some(path) => guided::load_taxonomy(path)?,
        None => guided::parse_taxonomy(DEFAULT_TAXONOMY, "built-in taxonomy")?,
    };
    let named_vectors = taxonomy_vectors(vectors, &taxonomy)?;
    guided::name_themes(&mut model.themes, &meanings, &taxonomy, named_vectors.view());
    let ids: Vec<ThemeId> = model.themes.iter().map(|t| t.id).collect();
    let mut trends = Trends::of(docs, &model.assignments, &ids, options.trends());
    if trends.themes.iter().any(|t| t.direction.is_some()) {
        let terms = describer.narrative_terms();
        trends.read_language(docs, &model.assignments, &terms);
    }
    drop(describer);
    Ok((trends, generate::Terms { stats, gazetteer }))
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

/// Stores the finished analysis: its summary, its record and its files.
fn record(store: &mut Store, analysis: &Analysis, parser: &str) -> Result<(), AnalyzeError> {
    let themes: Vec<PastTheme> = analysis
        .model
        .themes
        .iter()
        .zip(analysis.model.means.rows())
        .map(|(t, c)| PastTheme {
            id: t.id,
            label: t.label.clone(),
            size: t.size,
            centroid: c.to_vec(),
            label_source: t.label_source,
            description: t.description.clone(),
        })
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
    let summary = analysis::RunSummary::of(analysis);
    store.record_run(&analysis.run.finished, &summary, &stored, &themes, &files, parser)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::ThemeId;

    #[test]
    fn another_seed_number_of_themes_or_corpus_draws_themes_afresh() {
        let theme = PastTheme {
            id: ThemeId(0),
            label: "a".into(),
            size: 1,
            centroid: vec![1.0],
            label_source: themes::LabelOrigin::Extracted,
            description: None,
        };
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
