//! Reading back the analysis the last `analyze` stored in an output folder, for the commands
//! that build on it (`compare`, `evaluate`, `search`).

use std::path::Path;

use ndarray::Array2;

use super::{AnalyzeError, SENTENCES_VERSION, STORE_FILE};
use crate::analysis::{Analysis, StoredAnalysis};
use crate::embed::{Backend, Embedder};
use crate::store::{Store, StoreError};
use crate::summarise::CentralSentences;
use crate::themes;
use crate::themes::describe::{Describer, TermStats};
use crate::themes::places::Gazetteer;

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
    let run = &analysis.run;
    let embedder = Embedder::load(Some(model.unwrap_or(&run.model)), backend, run.params.settings.precision)?;
    if embedder.model_id() != run.model_id {
        return Err(AnalyzeError::OtherModel {
            made_with: format!("{} ({})", run.model, run.model_id),
            given: format!("{} ({})", embedder.name(), embedder.model_id()),
        });
    }
    Ok(embedder)
}

/// A static model distilled from `source` into `dir` and fitted to the pages of the analysis
/// stored in `out` (which must have been made with `source`: its vectors are the fit's
/// targets), on at most `most` of its pages. See [`crate::embed::model2vec::distill`].
pub fn distill_fitted(
    out: &Path,
    source: &Embedder,
    dir: &Path,
    dims: usize,
    most: usize,
    progress: &indicatif::ProgressBar,
) -> Result<crate::embed::model2vec::Distilled, AnalyzeError> {
    use rayon::prelude::*;
    let analysis = open(out)?;
    if analysis.run.model_id != source.model_id() {
        return Err(AnalyzeError::OtherModel {
            made_with: format!("{} ({})", analysis.run.model, analysis.run.model_id),
            given: format!("{} ({})", source.name(), source.model_id()),
        });
    }
    let token_ids = analysis
        .corpus
        .documents
        .par_iter()
        .map(|d| source.plain_token_ids(&d.embedding_text()))
        .collect::<Result<Vec<_>, _>>()?;
    let pages = crate::embed::model2vec::Pages { token_ids: &token_ids, vectors: analysis.vectors.view(), most };
    Ok(crate::embed::model2vec::distill(source, dir, dims, Some(&pages), progress)?)
}

/// The keyword measures of another tool's topics on the pages of `analysis`, counted as
/// [`evaluate`] counts ours: `keywords` per topic, and each page's topic as an index into it
/// (any other value for a page in no topic). With `our_rules` the lists are first held to the
/// rules ours keep (no places or proper names, no stop words of any of the corpus's languages,
/// no numbers), as if the tool had kept them too.
pub fn score_keywords(
    analysis: &Analysis,
    keywords: &[Vec<String>],
    assignments: &[usize],
    our_rules: bool,
) -> themes::evaluate::KeywordQuality {
    let docs = &analysis.corpus.documents;
    let gazetteer = Gazetteer::with_places_of(docs);
    let stats = TermStats::gather(docs, &gazetteer);
    let describer = Describer::new(docs, &stats, &gazetteer, None);
    let allowed = |term: &String| {
        !our_rules
            || (!describer.is_place_or_name(term)
                && term.split(' ').all(|w| themes::label::is_term_word(w, &stats.stop)))
    };
    let kept: Vec<Vec<String>> = keywords.iter().map(|k| k.iter().filter(|t| allowed(t)).cloned().collect()).collect();
    themes::evaluate::keyword_quality(docs, &stats.per_doc, &kept, assignments)
}

/// What `evaluate` prints: the themes' quality, and how the test of themes over time behaves
/// on this corpus.
#[derive(serde::Serialize)]
pub struct Evaluated {
    #[serde(flatten)]
    pub quality: themes::evaluate::Evaluation,
    /// The change test on this corpus: false positives with the periods shuffled, and the power
    /// to find a planted peak shaped like the shared blogs' pandemic theme (see [`PLANTED_PEAK`]).
    pub trends: crate::trends::Calibration,
    /// How well the report's document map keeps each page's neighbours, against PCA.
    pub map: Option<crate::report::map::MapQuality>,
}

/// A peak planted to measure the change test's power: shares of the tested periods, shaped like
/// the pandemic theme of the shared blogs (2019-2025: 2%, 20%, 6%, 2%, 1%, 1%, 0%).
pub const PLANTED_PEAK: &[f64] = &[0.02, 0.20, 0.06, 0.02, 0.01, 0.01, 0.0];

/// Corpora drawn for the calibration of the change test.
const CALIBRATION_DRAWS: usize = 100;

/// Theme quality of an analysis (see [`themes::evaluate`]); `against` names a metadata key
/// whose first value is compared with the themes. With it, the change test's calibration.
pub fn evaluate(analysis: &Analysis, against: Option<&str>) -> Evaluated {
    let trends = &analysis.trends;
    let ids: Vec<themes::ThemeId> = analysis.model.themes.iter().map(|t| t.id).collect();
    let tested = trends.tested_periods();
    let planted: Vec<usize> = tested
        .iter()
        .zip(PLANTED_PEAK)
        .map(|(&p, share)| (share * trends.periods[p].1 as f64).round() as usize)
        .collect();
    let calibration = crate::trends::Trends::calibrate(
        &analysis.corpus.documents,
        &analysis.model.assignments,
        &ids,
        trends.options,
        &planted,
        CALIBRATION_DRAWS,
    );
    let (vectors, points) = crate::report::document_map(analysis);
    let map = crate::report::map::quality(vectors.view(), &points);
    Evaluated { quality: quality(analysis, against), trends: calibration, map }
}

fn quality(analysis: &Analysis, against: Option<&str>) -> themes::evaluate::Evaluation {
    let docs = &analysis.corpus.documents;
    let gazetteer = Gazetteer::with_places_of(docs);
    let stats = TermStats::gather(docs, &gazetteer);
    let describer = Describer::new(docs, &stats, &gazetteer, None);
    let labels: Option<Vec<Option<String>>> = against
        .map(|key| docs.iter().map(|d| crate::ingest::parse::first(&d.metadata, key).map(str::to_string)).collect());
    let mut evaluation = themes::evaluate::evaluate(&analysis.model, docs, &describer, against.zip(labels.as_deref()));
    evaluation.cross_lingual =
        against.and_then(|key| themes::evaluate::cross_lingual(key, analysis.vectors.view(), docs));
    evaluation
}
