//! The stage's data: themes, broad areas and the model that places documents in them.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Errors of theme discovery.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("clustering failed: {0}")]
    Clustering(String),
    #[error("taxonomy {path}: {why}")]
    Taxonomy { path: String, why: String },
    /// The vectors of keywords or taxonomy entries could not be had (from the model or its cache).
    #[error("embedding terms")]
    TermVectors(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// An option no corpus can satisfy (see [`ThemeOptions::check`](super::ThemeOptions::check)).
    #[error("theme option `{name}`: {why}")]
    InvalidParam { name: &'static str, why: String },
}

/// A theme's stable id, carried across runs on the same output folder. Every output names
/// themes by it; a theme's place in a run's list (largest first) is a plain `usize` and is
/// never written out, so the two cannot be confused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ThemeId(pub u32);

impl std::fmt::Display for ThemeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A taxonomy name given to a discovered theme, with its evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NamedAs {
    pub name: String,
    /// Cosine between what the theme's keywords mean and the entry.
    pub similarity: f32,
    /// That cosine, in standard deviations above the mean of the run's theme-to-entry cosines …
    pub score: f32,
    /// … and its lead over the runner-up entry, likewise.
    pub margin: f32,
}

/// One discovered theme.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Theme {
    pub id: ThemeId,
    /// A short phrase saying what the theme is about, in the language of most of its pages.
    pub label: String,
    /// Terms of the theme's main language, best first (places and personal names left out).
    pub keywords: Vec<String>,
    /// c-TF-IDF weight of each keyword, same order.
    pub keyword_weights: Vec<f64>,
    /// Keywords of the theme's pages in other languages, by language code.
    pub keywords_by_language: BTreeMap<String, Vec<String>>,
    /// Places the theme's pages name most (countries, regions, cities, demonyms).
    pub places: Vec<String>,
    /// Names of what the theme is about: people, firms, programmes that a good part of its
    /// pages name and the rest of the corpus seldom does ("Yukos"). Kept out of the keywords,
    /// as places are; a name on one page or in every theme (an author, a site) is not one.
    #[serde(default)]
    pub subjects: Vec<String>,
    pub size: usize,
    pub representative_docs: Vec<String>,
    pub named_as: Option<NamedAs>,
    /// Position in [`ThemeModel::parents`] of its broad area, if it has one.
    pub parent: Option<usize>,
    /// Documents in each detected language.
    pub languages: BTreeMap<String, usize>,
    /// Mean cosine of the theme's documents to its centre: how tightly they share a subject.
    pub cohesion: f32,
    /// A large theme much looser than the others: pages with no common subject, not a topic.
    pub catch_all: bool,
    /// How well fits with other seeds recover the theme (mean best-match Jaccard, see
    /// [`consensus::agreement`](super::consensus::agreement)); `None` where not measured.
    #[serde(default)]
    pub stability: Option<f32>,
    /// Recovered too poorly to be presented as a finding (stability below
    /// [`TENTATIVE_BELOW`](super::consensus::TENTATIVE_BELOW)).
    #[serde(default)]
    pub tentative: bool,
    /// Who wrote the label: the pages' keywords, a language model (`--llm`), or the analyst
    /// (`themescope theme rename`).
    #[serde(default)]
    pub label_source: LabelOrigin,
    /// What the theme's pages do and where, in two or three sentences, written with a
    /// generated label and checked against what the model was given; `None` otherwise.
    #[serde(default)]
    pub description: Option<String>,
    /// What the analyst changed by hand in this theme ("merged from themes 4, 7", "pinned"),
    /// empty for a theme as the clustering found it.
    #[serde(default)]
    pub by_hand: Vec<String>,
}

impl Theme {
    /// The language of most of its documents.
    pub fn main_language(&self) -> Option<String> {
        self.languages.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(l, _)| l.clone())
    }
}

/// Where a theme's label comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelOrigin {
    /// Made from the theme's keywords and phrases (see
    /// [`Describer::heading`](super::describe::Describer::heading)).
    #[default]
    Extracted,
    /// Written by a language model from the theme's keywords, titles and sentences, and
    /// checked against its pages (see [`crate::generate`]).
    Generated,
    /// Given by the analyst; it wins over any other on every later run.
    Analyst,
}

#[cfg(test)]
impl Theme {
    /// A theme with only a label and a size, for tests of what is built on themes.
    pub(crate) fn for_test(label: &str, size: usize) -> Theme {
        Theme {
            id: ThemeId(0),
            label: label.into(),
            keywords: vec![],
            keyword_weights: vec![],
            keywords_by_language: BTreeMap::new(),
            places: vec![],
            subjects: vec![],
            size,
            representative_docs: vec![],
            named_as: None,
            parent: None,
            languages: BTreeMap::new(),
            cohesion: 0.5,
            catch_all: false,
            stability: None,
            tentative: false,
            label_source: LabelOrigin::Extracted,
            description: None,
            by_hand: vec![],
        }
    }
}

/// A parent theme ("broad area"): a group of related themes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParentTheme {
    /// Its position in [`ThemeModel::parents`]: broad areas are grouped afresh every run and
    /// carry no id across runs.
    pub id: usize,
    pub label: String,
    pub keywords: Vec<String>,
    pub children: Vec<ThemeId>,
    /// Mean centroid cosine between the children: how related the grouped themes are.
    pub similarity: f32,
    /// Extracted from the pages of its themes, or written by the language model from its
    /// themes' labels and descriptions (see [`crate::generate::label_areas`]).
    #[serde(default)]
    pub label_source: LabelOrigin,
    #[serde(default)]
    pub description: Option<String>,
}

/// Themes of a corpus and each document's place in them.
#[derive(Debug, Clone)]
pub struct ThemeModel {
    pub themes: Vec<Theme>,
    pub parents: Vec<ParentTheme>,
    /// Position in `themes` of each document's theme (same order as the documents given); not
    /// a [`ThemeId`].
    pub assignments: Vec<usize>,
    /// Cosine similarity of each document to its theme's centroid.
    pub similarities: Vec<f32>,
    /// Each document's share of fits with other seeds that put it with its theme (see
    /// [`consensus::agreement`](super::consensus::agreement)); `None` where not measured.
    pub confidence: Option<Vec<f32>>,
    /// Unit centroid of each theme, in the order of `themes`.
    pub centroids: Array2<f32>,
    /// The clustering's centres as fitted (what the next run's warm start begins from).
    pub means: Array2<f32>,
    /// Each number of themes tried (with `--themes auto`) and its scores.
    pub tried: Vec<KTried>,
    /// Agreement between seeds at the chosen number of themes (see
    /// [`auto_kmeans`](super::cluster::auto_kmeans)).
    pub stability: Option<f32>,
    /// The unit centres of the fits stability and confidence were measured against, kept so
    /// that a partition changed by hand is measured against the same fits; empty where none.
    pub fits: Vec<Array2<f32>>,
}

impl ThemeModel {
    /// Position in [`ThemeModel::themes`] of the theme with id `id`.
    pub fn position(&self, id: ThemeId) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }
}

/// A number of themes tried by [`auto_kmeans`](super::cluster::auto_kmeans) and how it scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KTried {
    pub k: usize,
    /// Mean cosine silhouette over the seeds …
    pub silhouette: f32,
    /// … and its standard deviation over them.
    pub spread: f32,
    /// Mean adjusted Rand index between the seeds' partitions.
    pub stability: f32,
}
