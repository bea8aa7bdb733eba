//! Theme discovery: clusters of document vectors, labelled by c-TF-IDF keywords, grouped under
//! parent themes, optionally matched to user-named themes.
//!
//! The stage's entry points are here: [`discover`], [`refine`] and [`assign_to_centres`] find
//! the themes, [`describe_themes`] says what they are about once their ids are final.

mod catch_all;
pub mod cluster;
pub mod consensus;
pub mod continuity;
pub mod describe;
pub mod evaluate;
pub mod guided;
mod head;
pub mod label;
mod languages;
mod model;
mod params;
mod parents;
pub mod places;
mod terms;

use std::collections::{BTreeMap, HashMap, HashSet};

use ndarray::{Array2, ArrayView2};

use crate::ingest::Document;
use catch_all::{catch_all_label, mark_catch_all};
use languages::{fit_on_main_language, main_language_rows, place_other_languages};
use params::LabelParams;

pub use languages::language_centred;
pub use model::{LabelOrigin, NamedAs, ParentTheme, Theme, ThemeError, ThemeId, ThemeModel};
pub use params::{ThemeCount, ThemeOptions};
pub use parents::{area_centres, parent_groups, PARENT_MIN_PERCENTILE};

/// Discovers themes in `documents` from their unit `vectors` (one row per document).
pub fn discover(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    options.check()?;
    discover_in(documents, language_centred(documents, vectors).view(), options)
}

/// [`discover`] in the space themes are found in (language-centred vectors), with checked
/// options. What the corpus cannot give is adapted to here, not refused: fewer than three
/// documents make one theme, and a fixed number of themes is at most one per document (the
/// analysis notes the themes it could not find).
fn discover_in(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    let n = documents.len();
    let clustering = match options.count {
        _ if n < 3 => single_theme(vectors),
        ThemeCount::Fixed(k) => {
            let k = k.min(n);
            fit_on_main_language(documents, vectors, options, k, |v| consensus::consensus(v, k, options.seed))?
        }
        ThemeCount::Auto => {
            fit_on_main_language(documents, vectors, options, 3, |v| cluster::auto_kmeans(v, options.seed))?
        }
    };
    build_model(documents, vectors, clustering, options)
}

/// Clusters again, starting from given theme centres (the previous run's): the refresh path
/// that keeps themes stable while letting them move with the new documents.
pub fn refine(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    centres: Array2<f32>,
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    options.check()?;
    let vectors = language_centred(documents, vectors);
    // Fewer documents than centres cannot keep every theme: they are clustered afresh.
    if documents.len() < centres.nrows().max(3) {
        return discover_in(documents, vectors.view(), options);
    }
    let k = centres.nrows();
    // The refined themes are measured against fresh fits, as a consensus is.
    let clustering = fit_on_main_language(documents, vectors.view(), options, k, |v| {
        let refined = cluster::kmeans_from(v, centres, options.seed)?;
        Ok(cluster::Clustering { runs: consensus::runs(v, k, options.seed)?.centres, ..refined })
    })?;
    build_model(documents, vectors.view(), clustering, options)
}

/// Assigns documents to given theme centres (unit rows, e.g. the previous run's) without
/// clustering again: the fast path when a few pages were added.
pub fn assign_to_centres(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    centres: Array2<f32>,
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    options.check()?;
    let vectors = language_centred(documents, vectors);
    let sims = vectors.dot(&unit_rows(&centres).t());
    let nearest = |i: usize| sims.row(i).iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(j, _)| j);
    // Pages in other languages are placed as when the themes were fitted.
    let main: Option<HashSet<usize>> =
        main_language_rows(documents).filter(|_| !options.multilingual).map(|rows| rows.into_iter().collect());
    let labels: Vec<Option<usize>> =
        (0..documents.len()).map(|i| main.as_ref().is_none_or(|m| m.contains(&i)).then(|| nearest(i))).collect();
    let labels = place_other_languages(vectors.view(), &centres, labels);
    let clustering = cluster::Clustering {
        labels,
        centroids: unit_rows(&centres),
        means: centres,
        tried: Vec::new(),
        stability: None,
        runs: Vec::new(),
    };
    build_model(documents, vectors.view(), clustering, options)
}

/// The themes of a partition made by hand: `ids` gives each document's theme. Centres of the
/// themes changed are the means of their members in the space themes are found in; stability and confidence are
/// measured against the fits `model` was drawn from, as for any partition. Themes keep their
/// ids; their order is by size, as always.
pub fn regroup(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    model: &ThemeModel,
    ids: &[ThemeId],
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    let vectors = language_centred(documents, vectors);
    let mut order: Vec<ThemeId> = ids.to_vec();
    order.sort();
    order.dedup();
    let slot: HashMap<ThemeId, usize> = order.iter().enumerate().map(|(s, &id)| (id, s)).collect();
    let labels: Vec<usize> = ids.iter().map(|id| slot[id]).collect();
    // Centres as the clustering fits them: on the main language's pages where it fits on those
    // (see fit_on_main_language), on all members for a theme that has none of them.
    let fitted: Option<HashSet<usize>> =
        main_language_rows(documents).filter(|_| !options.multilingual).map(|rows| rows.into_iter().collect());
    let mean_of = |rows: &mut dyn Iterator<Item = usize>| {
        let mut means = Array2::<f32>::zeros((order.len(), vectors.ncols()));
        let mut sizes = vec![0f32; order.len()];
        for i in rows {
            let mut mean = means.row_mut(labels[i]);
            mean += &vectors.row(i);
            sizes[labels[i]] += 1.0;
        }
        (means, sizes)
    };
    let (mut means, mut sizes) = mean_of(&mut (0..ids.len()).filter(|i| fitted.as_ref().is_none_or(|f| f.contains(i))));
    let (all_means, all_sizes) = mean_of(&mut (0..ids.len()));
    for l in 0..order.len() {
        if sizes[l] == 0.0 {
            means.row_mut(l).assign(&all_means.row(l));
            sizes[l] = all_sizes[l];
        }
    }
    for (mut mean, size) in means.rows_mut().into_iter().zip(&sizes) {
        mean /= size.max(1.0);
    }
    let mut centroids = unit_rows(&means);
    // A theme the hand left as it was keeps its centres as fitted (a theme of pages in other
    // languages was fitted without them), so that the next run finds it where a plain run would.
    let before: Vec<ThemeId> = model.assignments.iter().map(|&p| model.themes[p].id).collect();
    for (p, theme) in model.themes.iter().enumerate() {
        let Some(&l) = slot.get(&theme.id) else { continue };
        let unchanged = before.iter().zip(ids).all(|(was, now)| (*was == theme.id) == (*now == theme.id));
        if unchanged {
            means.row_mut(l).assign(&model.means.row(p));
            centroids.row_mut(l).assign(&model.centroids.row(p));
        }
    }
    let clustering = cluster::Clustering {
        labels,
        centroids,
        means,
        tried: model.tried.clone(),
        stability: model.stability,
        runs: model.fits.clone(),
    };
    let mut regrouped = build_model(documents, vectors.view(), clustering, options)?;
    // build_model numbers themes by position; each position holds the documents of one id.
    let mut position_ids = vec![ThemeId(0); regrouped.themes.len()];
    for (&p, &id) in regrouped.assignments.iter().zip(ids) {
        position_ids[p] = id;
    }
    for (theme, id) in regrouped.themes.iter_mut().zip(position_ids) {
        theme.id = id;
    }
    Ok(regrouped)
}

/// Most parts a split chooses by itself: an analyst splitting a theme wants its two to five
/// subjects, not a dozen crumbs (on 163 shared blog pages `--themes auto`'s choice made nine
/// parts, four of them of 3 or 4 pages).
const SPLIT_MAX_PARTS: usize = 5;

/// [`split_theme`] of the documents at `members`, from all documents' unit vectors (the
/// members are placed in the space themes are found in, which the whole corpus defines).
pub fn split_members(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    members: &[usize],
    k: Option<usize>,
    options: &ThemeOptions,
) -> Result<Vec<usize>, ThemeError> {
    let rows = language_centred(documents, vectors).select(ndarray::Axis(0), members);
    let theirs: Vec<Document> = members.iter().map(|&i| documents[i].clone()).collect();
    split_theme(&theirs, rows.view(), k, options)
}

/// The documents of one theme (`vectors`: their rows in the space themes are found in) clustered
/// alone into `k` parts as [`discover`] clusters a corpus (consensus k-means, fitted on the main
/// language's pages); each document's part, largest part first. `k = None` chooses between two
/// and [`SPLIT_MAX_PARTS`] parts (parts of at least 5 pages) by mean silhouette.
pub fn split_theme(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    k: Option<usize>,
    options: &ThemeOptions,
) -> Result<Vec<usize>, ThemeError> {
    let n = documents.len();
    if n < 2 {
        return Ok(vec![0; n]);
    }
    let fit = |k: usize| {
        fit_on_main_language(documents, vectors, options, k, |v| {
            consensus::consensus(v, k.min(v.nrows()), options.seed)
        })
    };
    let clustering = match k {
        Some(k) => fit(k.clamp(1, n))?,
        None => {
            let distances = cluster::cosine_distances(vectors);
            let mut best: Option<(f32, cluster::Clustering)> = None;
            for k in 2..=SPLIT_MAX_PARTS.min(n / 5).max(2) {
                let fitted = fit(k)?;
                let score = cluster::silhouette(&distances, &fitted.labels, fitted.centroids.nrows());
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, fitted));
                }
            }
            best.expect("at least one number of parts is tried").1
        }
    };
    let (_, part) = by_size(&clustering.labels, clustering.centroids.nrows());
    Ok(clustering.labels.iter().map(|l| part[l]).collect())
}

/// The non-empty clusters of `labels` (of `k`), largest first, and each one's place in that
/// order.
fn by_size(labels: &[usize], k: usize) -> (Vec<usize>, HashMap<usize, usize>) {
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l] += 1);
    let mut order: Vec<usize> = (0..k).filter(|&c| sizes[c] > 0).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), c));
    let place = order.iter().enumerate().map(|(p, &c)| (c, p)).collect();
    (order, place)
}

/// Themes from a partition: ordered by size (largest first), with representative documents,
/// languages and cohesion. Ids are provisional until [`continuity::carry_ids`] gives stable
/// ones; keywords, labels, places and parents come from [`describe_themes`].
fn build_model(
    documents: &[Document],
    vectors: ArrayView2<f32>,
    clustering: cluster::Clustering,
    options: &ThemeOptions,
) -> Result<ThemeModel, ThemeError> {
    let n = documents.len();
    let k = clustering.centroids.nrows();
    // Number themes by size, largest first, so ids read naturally in reports.
    let (order, new_position) = by_size(&clustering.labels, k);
    let assignments: Vec<usize> = clustering.labels.iter().map(|l| new_position[l]).collect();
    let centroids = clustering.centroids.select(ndarray::Axis(0), &order);
    let means = clustering.means.select(ndarray::Axis(0), &order);
    let similarities: Vec<f32> = (0..n).map(|i| vectors.row(i).dot(&centroids.row(assignments[i]))).collect();
    let agreement = (!clustering.runs.is_empty())
        .then(|| consensus::agreement(vectors, &assignments, order.len(), &clustering.runs));

    let mut themes: Vec<Theme> = (0..order.len())
        .map(|position| {
            let mut members: Vec<usize> = (0..n).filter(|&i| assignments[i] == position).collect();
            members.sort_by(|&a, &b| similarities[b].total_cmp(&similarities[a]));
            let mut languages = BTreeMap::new();
            for &i in &members {
                *languages.entry(terms::language_of(&documents[i]).to_string()).or_insert(0) += 1;
            }
            let cohesion = members.iter().map(|&i| similarities[i]).sum::<f32>() / members.len().max(1) as f32;
            let stability = agreement.as_ref().map(|a| a.stability[position]);
            Theme {
                id: ThemeId(position as u32),
                label: String::new(),
                keywords: Vec::new(),
                keyword_weights: Vec::new(),
                keywords_by_language: BTreeMap::new(),
                places: Vec::new(),
                subjects: Vec::new(),
                size: members.len(),
                representative_docs: members
                    .iter()
                    .take(options.representatives)
                    .map(|&i| documents[i].doc_id.clone())
                    .collect(),
                named_as: None,
                parent: None,
                languages,
                cohesion,
                catch_all: false,
                stability,
                tentative: stability.is_some_and(|s| s < consensus::TENTATIVE_BELOW),
                label_source: model::LabelOrigin::Extracted,
                description: None,
                by_hand: Vec::new(),
            }
        })
        .collect();
    mark_catch_all(&mut themes);
    Ok(ThemeModel {
        themes,
        parents: Vec::new(),
        assignments,
        similarities,
        confidence: agreement.map(|a| a.confidence),
        centroids,
        means,
        tried: clustering.tried,
        stability: clustering.stability,
        fits: clustering.runs,
    })
}

/// Rows scaled to unit length.
fn unit_rows(m: &Array2<f32>) -> Array2<f32> {
    let mut out = m.clone();
    crate::embed::normalize_rows(&mut out);
    out
}

/// Every document in one theme: what too few documents to cluster make.
fn single_theme(vectors: ArrayView2<f32>) -> cluster::Clustering {
    let mut centroid = vectors.mean_axis(ndarray::Axis(0)).unwrap_or_else(|| ndarray::Array1::zeros(vectors.ncols()));
    crate::embed::normalize(centroid.as_slice_mut().expect("a fresh array is contiguous"));
    cluster::Clustering {
        labels: vec![0; vectors.nrows()],
        means: centroid.clone().insert_axis(ndarray::Axis(0)),
        centroids: centroid.insert_axis(ndarray::Axis(0)),
        tried: Vec::new(),
        stability: None,
        runs: Vec::new(),
    }
}

/// Describes every theme of `model` (up to `options.keywords` keywords, label, places, other
/// languages) and groups related themes into described broad areas (with `options.seed`).
/// Theme ids must be final (parents name their children by id). `centres` holds each theme's
/// unit centre in the model's space. Returns each theme's meaning vector (see
/// [`describe::Description::meaning`]), for naming.
pub fn describe_themes(
    model: &mut ThemeModel,
    centres: ArrayView2<f32>,
    describer: &describe::Describer,
    options: &ThemeOptions,
) -> Result<Vec<Option<ndarray::Array1<f32>>>, ThemeError> {
    options.check()?;
    let classes: Vec<Option<usize>> = model.assignments.iter().map(|&p| Some(p)).collect();
    let described = describer.describe(&classes, model.themes.len(), centres, options.keywords)?;
    let mut meanings = Vec::with_capacity(described.len());
    for (theme, d) in model.themes.iter_mut().zip(described) {
        theme.label = if theme.catch_all { catch_all_label(&d.label) } else { d.label };
        theme.keywords = d.keywords;
        theme.keyword_weights = d.weights;
        theme.keywords_by_language = d.keywords_by_language;
        theme.places = d.places;
        theme.subjects = d.subjects;
        meanings.push(d.meaning);
    }
    parents::describe_parents(model, centres, describer, options)?;
    Ok(meanings)
}
