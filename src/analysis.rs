//! One analysis of a folder, as every output and every later command sees it: the documents,
//! their vectors, the themes and summaries, and what produced them. `analyze` makes one and
//! stores it in the output folder; `compare`, `evaluate` and the reports read that one.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ingest::{Corpus, Document, Duplicate, KnownFile, Skipped};
use crate::settings::Settings;
use crate::summarise::Summaries;
use crate::themes::cluster::KTried;
use crate::themes::continuity::Continuity;
use crate::themes::{ParentTheme, Theme, ThemeId, ThemeModel};
use crate::trends::{SinceLast, TrendOptions, Trends};

/// An analysis: documents, vectors, themes and summaries, and the run that made them.
pub struct Analysis {
    pub corpus: Corpus,
    /// One unit row per document of `corpus.documents`, in the model's space.
    pub vectors: Array2<f32>,
    pub model: ThemeModel,
    pub summaries: Summaries,
    /// Each theme's share of every period's documents, and which rise or fall.
    pub trends: Trends,
    pub run: RunInfo,
}

impl Analysis {
    /// Unit centre of each theme in the model's own space (mean of its documents' vectors),
    /// by position.
    pub fn theme_centres(&self) -> Array2<f32> {
        theme_centres(self.vectors.view(), &self.model.assignments, self.model.themes.len())
    }

    /// The documents of the theme at `position`.
    pub fn members(&self, position: usize) -> impl Iterator<Item = &Document> {
        self.corpus.documents.iter().zip(&self.model.assignments).filter(move |(_, &t)| t == position).map(|(d, _)| d)
    }

    /// Every file that became a document, as the exports list them: the analysed documents,
    /// then the exact duplicates, each with the analysis position whose theme and vector it has.
    pub fn files(&self) -> Vec<FileRow<'_>> {
        let corpus = &self.corpus;
        let position: HashMap<&str, usize> =
            corpus.documents.iter().enumerate().map(|(i, d)| (d.doc_id.as_str(), i)).collect();
        let documents =
            corpus.documents.iter().enumerate().map(|(i, d)| FileRow { document: d, position: i, duplicate_of: None });
        let duplicates = corpus.duplicates.iter().filter_map(|dup| {
            position.get(dup.duplicate_of.as_str()).map(|&i| FileRow {
                document: &dup.document,
                position: i,
                duplicate_of: Some(dup.duplicate_of.as_str()),
            })
        });
        documents.chain(duplicates).collect()
    }
}

/// One file of an analysis (see [`Analysis::files`]).
pub struct FileRow<'a> {
    pub document: &'a Document,
    /// Position in the analysis: of the document itself, or of the one a duplicate repeats.
    pub position: usize,
    /// The id of the document an exact duplicate repeats.
    pub duplicate_of: Option<&'a str>,
}

/// Unit mean vector of each theme's documents (`assignments` by position).
pub fn theme_centres(vectors: ArrayView2<f32>, assignments: &[usize], themes: usize) -> Array2<f32> {
    let mut centres = Array2::<f32>::zeros((themes, vectors.ncols()));
    for (row, &t) in vectors.rows().into_iter().zip(assignments) {
        let mut centre = centres.row_mut(t);
        centre += &row;
    }
    crate::embed::normalize_rows(&mut centres);
    centres
}

/// What produced an analysis and when: written to `run.json` and stored with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// When the run finished (RFC 3339, UTC).
    pub finished: String,
    /// When the run before it on the same output folder finished, if there was one.
    pub previous_run: Option<String>,
    /// Short model name ("all-MiniLM-L6-v2").
    pub model: String,
    /// Model identity in the vector cache (name + hash of its files).
    pub model_id: String,
    /// Cache key of the document vectors' coverage.
    pub coverage: String,
    /// What computed the vectors ([`crate::embed::Embedder::kernel`]).
    #[serde(default)]
    pub kernel: String,
    /// Tokens the model read per second while embedding this run's documents (`None` when all
    /// came from the cache).
    #[serde(default)]
    pub tokens_per_second: Option<f64>,
    pub params: RunParams,
    /// Documents whose vectors were computed in this run (the rest came from the cache).
    pub embedded: usize,
    pub changes: DocumentChanges,
    pub continuity: Continuity,
    pub seconds: f64,
    /// Seconds of each stage, in pipeline order.
    pub seconds_by_stage: Vec<(String, f64)>,
    /// Peak resident memory of each stage in MB (Linux only).
    #[serde(default)]
    pub peak_mb_by_stage: Vec<(String, f64)>,
    /// Files read and parsed in this run (the others were taken from the store unchanged).
    pub parsed: usize,
    /// What the run itself had to say: a store rebuilt, an option that could not be met.
    pub notes: Vec<String>,
    /// What the pages that arrived since the previous run are about (none on a first run).
    #[serde(default)]
    pub since_last: Option<SinceLast>,
    /// The analyst's decisions in effect (OUT/curation.toml), in words, in the order applied.
    #[serde(default)]
    pub curation: Vec<String>,
    /// The `themescope theme …` command that made this run, when one did.
    #[serde(default)]
    pub command: Option<String>,
    /// What the language model wrote and what it took (`--llm`); `None` without one.
    #[serde(default)]
    pub generation: Option<crate::generate::Generation>,
}

/// The run's own account, as `run.json` says it and the store keeps it for `history` and for the
/// next run. Typed, so that the writer and every reader agree on each key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunSummary {
    pub finished: String,
    pub input: String,
    pub previous_run: Option<String>,
    pub documents: DocumentCounts,
    pub themes: ThemeCounts,
    pub changes: RunChanges,
    pub model: String,
    pub model_id: String,
    /// What computed the vectors: "fp32 gemm", "int8 AVX-512 VNNI", "int8 AVX2", "static", ….
    #[serde(default)]
    pub kernel: String,
    /// Its throughput in this run: tokens read per second (absent when nothing was embedded).
    #[serde(default)]
    pub tokens_per_second: Option<f64>,
    pub params: RunParams,
    pub seconds: f64,
    /// Keyed by stage name (ingest, embed documents, themes, labels, summaries, report, store).
    pub seconds_by_stage: BTreeMap<String, f64>,
    #[serde(default)]
    pub peak_rss_mb_by_stage: BTreeMap<String, f64>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// What the new pages are about, against the previous run (absent on a first run).
    #[serde(default)]
    pub since_last: Option<SinceLast>,
    /// The analyst's decisions in effect, in words.
    #[serde(default)]
    pub curation: Vec<String>,
    /// The `themescope theme …` command that made this run, when one did.
    #[serde(default)]
    pub command: Option<String>,
    /// Labels written by the language model (`--llm`): how many, kept, fallen back, and its
    /// speed (absent without one).
    #[serde(default)]
    pub generation: Option<crate::generate::Generation>,
}

/// How many documents a run saw, and what became of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocumentCounts {
    /// Documents analysed (exact duplicates are analysed once).
    pub total: usize,
    /// Files that became documents, duplicates included.
    pub files: usize,
    pub new: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Vectors computed in this run …
    pub embedded: usize,
    /// … and taken from the cache.
    pub cached: usize,
    pub parsed: usize,
    pub duplicates: usize,
    pub skipped: usize,
}

/// The run's themes, against the previous run's.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThemeCounts {
    pub count: usize,
    pub parents: usize,
    pub kept: usize,
    pub new: usize,
    pub retired: usize,
    pub catch_all: usize,
    /// Agreement (ARI) between seeds at the chosen number of themes.
    pub stability: Option<f32>,
}

/// What changed since the previous run, in detail.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunChanges {
    pub documents: DocumentChanges,
    pub themes: Continuity,
}

impl RunSummary {
    pub fn of(analysis: &Analysis) -> Self {
        let run = &analysis.run;
        let corpus = &analysis.corpus;
        let docs = corpus.documents.len();
        let by_stage = |stages: &[(String, f64)], round: bool| {
            stages.iter().map(|(s, v)| (s.clone(), if round { v.round() } else { *v })).collect()
        };
        RunSummary {
            finished: run.finished.clone(),
            input: run.params.settings.input.display().to_string(),
            previous_run: run.previous_run.clone(),
            documents: DocumentCounts {
                total: docs,
                files: docs + corpus.duplicates.len(),
                new: run.changes.new.len(),
                changed: run.changes.changed.len(),
                removed: run.changes.removed.len(),
                unchanged: run.changes.unchanged,
                embedded: run.embedded,
                cached: docs - run.embedded.min(docs),
                parsed: run.parsed,
                duplicates: corpus.duplicates.len(),
                skipped: corpus.skipped.len(),
            },
            themes: ThemeCounts {
                count: analysis.model.themes.len(),
                parents: analysis.model.parents.len(),
                kept: run.continuity.kept.len(),
                new: run.continuity.new.len(),
                retired: run.continuity.retired.len(),
                catch_all: analysis.model.themes.iter().filter(|t| t.catch_all).count(),
                stability: run.params.stability,
            },
            changes: RunChanges { documents: run.changes.clone(), themes: run.continuity.clone() },
            model: run.model.clone(),
            model_id: run.model_id.clone(),
            kernel: run.kernel.clone(),
            tokens_per_second: run.tokens_per_second.map(f64::round),
            params: run.params.clone(),
            seconds: run.seconds,
            seconds_by_stage: by_stage(&run.seconds_by_stage, false),
            peak_rss_mb_by_stage: by_stage(&run.peak_mb_by_stage, true),
            notes: run.notes.clone(),
            warnings: corpus.warnings(),
            since_last: run.since_last.clone(),
            curation: run.curation.clone(),
            command: run.command.clone(),
            generation: run.generation.clone(),
        }
    }
}

/// What an analysis ran with: its settings, and what its theme stage chose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "ParamsRecord")]
pub struct RunParams {
    #[serde(flatten)]
    pub settings: Settings,
    /// Numbers of themes tried with `--themes auto`, and their scores.
    pub k_tried: Vec<KTried>,
    /// Agreement (ARI) between seeds at the chosen number of themes.
    pub stability: Option<f32>,
}

/// [`RunParams`] as stored, older records included: those kept the period of themes over time
/// in a `trends` object.
#[derive(Deserialize)]
struct ParamsRecord {
    #[serde(flatten)]
    settings: Settings,
    #[serde(default)]
    k_tried: Vec<KTried>,
    #[serde(default)]
    stability: Option<f32>,
    #[serde(default)]
    trends: Option<TrendOptions>,
}

impl From<ParamsRecord> for RunParams {
    fn from(r: ParamsRecord) -> RunParams {
        let mut settings = r.settings;
        if let Some(trends) = r.trends {
            settings.period = trends.period;
        }
        RunParams { settings, k_tried: r.k_tried, stability: r.stability }
    }
}

impl RunInfo {
    /// The settings the analysis was made with, its model named even where the default was used
    /// (older analyses did not record the model as given).
    pub fn settings(&self) -> Settings {
        let mut settings = self.params.settings.clone();
        settings.model.get_or_insert_with(|| self.model.clone());
        settings
    }
}

/// How the analysed documents differ from the previous run's, by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocumentChanges {
    pub new: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl DocumentChanges {
    /// Compares the previous run's files (path → doc id) with today's corpus (its documents
    /// and its duplicates).
    pub fn between(previous: &HashMap<String, String>, corpus: &Corpus) -> Self {
        let mut changes = DocumentChanges::default();
        let mut seen = std::collections::HashSet::new();
        for d in corpus.documents.iter().chain(corpus.duplicates.iter().map(|d| &d.document)) {
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

/// An analysis as the store keeps it: everything but the parsed documents (kept per file) and
/// the vectors (kept in the vector cache), which are joined back by path and text hash.
#[derive(Serialize, Deserialize)]
pub struct StoredAnalysis {
    pub run: RunInfo,
    pub root: String,
    /// Paths of the analysed documents, in analysis order.
    pub documents: Vec<String>,
    /// (path, id of the document it repeats) of each exact duplicate.
    pub duplicates: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
    pub files_seen: usize,
    /// Problems with the metadata table, if one was given.
    #[serde(default)]
    pub table_warnings: Vec<String>,
    pub themes: Vec<Theme>,
    pub parents: Vec<ParentTheme>,
    pub assignments: Vec<ThemeId>,
    pub similarities: Vec<f32>,
    /// Each document's confidence in its theme (older analyses did not measure it).
    #[serde(default)]
    pub confidence: Option<Vec<f32>>,
    /// The clustering's centres as fitted, by theme position.
    pub means: Vec<Vec<f32>>,
    pub summaries: Summaries,
    /// Older analyses stored none: theirs are measured again, without the themes' change of
    /// language.
    #[serde(default)]
    pub trends: Option<Trends>,
}

impl StoredAnalysis {
    pub fn of(a: &Analysis) -> Self {
        let corpus = &a.corpus;
        StoredAnalysis {
            run: a.run.clone(),
            root: corpus.root.display().to_string(),
            documents: corpus.documents.iter().map(|d| d.path.clone()).collect(),
            duplicates: corpus.duplicates.iter().map(|d| (d.document.path.clone(), d.duplicate_of.clone())).collect(),
            skipped: corpus.skipped.clone(),
            files_seen: corpus.files_seen,
            table_warnings: corpus.table_warnings.clone(),
            themes: a.model.themes.clone(),
            parents: a.model.parents.clone(),
            assignments: a.model.assignments.iter().map(|&p| a.model.themes[p].id).collect(),
            similarities: a.model.similarities.clone(),
            confidence: a.model.confidence.clone(),
            means: a.model.means.rows().into_iter().map(|r| r.to_vec()).collect(),
            summaries: a.summaries.clone(),
            trends: Some(a.trends.clone()),
        }
    }

    /// The analysis again, from the files the store recorded (path → parsed file) and the
    /// cached vectors (`vectors` gives one row per document, or says which are missing).
    pub fn restore(
        self,
        files: &HashMap<String, KnownFile>,
        vectors: impl FnOnce(&Corpus) -> Result<Array2<f32>, String>,
    ) -> Result<Analysis, String> {
        let file = |path: &str| files.get(path).ok_or_else(|| format!("the store has no parsed copy of {path}"));
        let mut documents = Vec::with_capacity(self.documents.len());
        let mut stamps = Vec::with_capacity(self.documents.len());
        for path in &self.documents {
            let known = file(path)?;
            documents.push(known.doc.clone());
            stamps.push((known.size, known.mtime));
        }
        let duplicates = self
            .duplicates
            .iter()
            .map(|(path, of)| {
                let known = file(path)?;
                Ok(Duplicate {
                    document: known.doc.clone(),
                    stamp: (known.size, known.mtime),
                    duplicate_of: of.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let corpus = Corpus {
            root: self.root.into(),
            documents,
            stamps,
            reused: 0,
            duplicates,
            skipped: self.skipped,
            files_seen: self.files_seen,
            table_warnings: self.table_warnings,
        };
        let vectors = vectors(&corpus)?;
        let position: HashMap<ThemeId, usize> = self.themes.iter().enumerate().map(|(p, t)| (t.id, p)).collect();
        let assignments = self
            .assignments
            .iter()
            .map(|id| position.get(id).copied().ok_or_else(|| format!("document in unknown theme {id}")))
            .collect::<Result<Vec<_>, String>>()?;
        let dim = self.means.first().map_or(vectors.ncols(), Vec::len);
        let means = Array2::from_shape_vec((self.means.len(), dim), self.means.concat())
            .map_err(|e| format!("theme centres: {e}"))?;
        let mut centroids = means.clone();
        crate::embed::normalize_rows(&mut centroids);
        let model = ThemeModel {
            themes: self.themes,
            parents: self.parents,
            assignments,
            similarities: self.similarities,
            confidence: self.confidence,
            centroids,
            means,
            tried: self.run.params.k_tried.clone(),
            stability: self.run.params.stability,
            fits: Vec::new(),
        };
        let trends = self.trends.unwrap_or_else(|| {
            let ids: Vec<ThemeId> = model.themes.iter().map(|t| t.id).collect();
            Trends::of(&corpus.documents, &model.assignments, &ids, self.run.params.settings.trends())
        });
        Ok(Analysis { corpus, vectors, model, summaries: self.summaries, trends, run: self.run })
    }
}

/// Wall-clock seconds and peak memory of each pipeline stage, in order.
#[derive(Debug, Default)]
pub struct StageTimes {
    stages: Vec<(String, f64)>,
    peaks: Vec<(String, f64)>,
}

impl StageTimes {
    /// Runs `f` as stage `name` and records how long it took and, where the system says, the
    /// most resident memory the process held meanwhile.
    pub fn time<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        memory::reset_peak();
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed().as_secs_f64());
        if let Some(mb) = memory::peak_mb() {
            match self.peaks.iter_mut().find(|(n, _)| n == name) {
                Some((_, m)) => *m = m.max(mb),
                None => self.peaks.push((name.to_string(), mb)),
            }
        }
        out
    }

    /// Adds `seconds` to stage `name` (a stage may run in several pieces).
    pub fn add(&mut self, name: &str, seconds: f64) {
        match self.stages.iter_mut().find(|(n, _)| n == name) {
            Some((_, s)) => *s += seconds,
            None => self.stages.push((name.to_string(), seconds)),
        }
    }

    pub fn stages(&self) -> &[(String, f64)] {
        &self.stages
    }

    /// Writes the stages so far (seconds, and peak memory in MB where the system says), and the
    /// seconds since `start`, into `run`.
    pub fn stamp(&self, run: &mut RunInfo, start: Instant) {
        run.seconds_by_stage = self.stages.clone();
        run.peak_mb_by_stage = self.peaks.clone();
        run.seconds = start.elapsed().as_secs_f64();
    }
}

/// The process's peak resident memory, per stage: Linux keeps a high-water mark (VmHWM) that
/// writing 5 to /proc/self/clear_refs resets. Elsewhere nothing is measured.
mod memory {
    pub fn reset_peak() {
        #[cfg(target_os = "linux")]
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }

    pub fn peak_mb() -> Option<f64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_in_order() {
        let mut t = StageTimes::default();
        t.add("ingest", 1.0);
        assert_eq!(t.time("themes", || 7), 7);
        t.add("ingest", 0.5);
        let v = t.stages();
        assert_eq!(v.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), vec!["ingest", "themes"]);
        assert_eq!(v[0].1, 1.5);
    }

    #[test]
    fn centres_are_unit_means_of_members() {
        let v = ndarray::array![[1.0f32, 0.0], [0.0, 1.0], [0.0, 1.0]];
        let c = theme_centres(v.view(), &[0, 1, 1], 2);
        assert_eq!(c, ndarray::array![[1.0f32, 0.0], [0.0, 1.0]]);
    }
}
