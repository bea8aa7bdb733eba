//! Extractive summaries: sentences central to a theme (or a document) and not redundant with
//! each other (maximal marginal relevance), each traceable to the document it comes from.
//!
//! Sentence vectors come from the pass that embeds the documents (see
//! [`crate::embed::Embedder::embed_with_spans`]): each document keeps its few most central
//! sentences ([`central_sentences`]), its own summary is their head, and a theme's summary is
//! chosen among those of its documents closest to its centre.

use std::ops::Range;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

mod quotes;
pub mod synthesis;

use quotes::repeats;
pub use quotes::{is_informative, ThemeTerms};

use crate::ingest::sentences::sentence_spans;
use crate::ingest::Document;

/// How summaries are made.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// Sentences per theme summary (drawn from different documents).
    pub theme_sentences: usize,
    /// Sentences per document summary.
    pub doc_sentences: usize,
    /// Central sentences each document keeps: its summary and its candidates for themes'.
    pub central_per_doc: usize,
    /// Documents closest to a theme's centre whose central sentences are candidates. Twenty
    /// leave enough candidates once those off the theme or not worth quoting are set aside (8,
    /// the number before that rule, often left a theme one or two).
    pub docs_per_theme: usize,
    /// Candidate sentences read from each document, in order.
    pub sentences_per_doc: usize,
    /// Relevance against novelty in MMR (1 = relevance only).
    pub lambda: f32,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            theme_sentences: 4,
            doc_sentences: 2,
            central_per_doc: 3,
            docs_per_theme: 20,
            sentences_per_doc: 16,
            lambda: 0.7,
        }
    }
}

/// A [`SummaryOptions`] value that cannot give summaries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SummaryParamError {
    #[error("summary options: lambda (relevance against novelty) must lie in 0..=1, not {0}")]
    Lambda(f32),
    #[error("summary options: {what} must be at least {least}, not {value}")]
    TooFew { what: &'static str, value: usize, least: usize },
}

impl SummaryOptions {
    /// Refuses values that cannot give summaries: a document's summary is drawn from its central
    /// sentences, which are drawn from its candidate sentences.
    pub fn check(&self) -> Result<(), SummaryParamError> {
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(SummaryParamError::Lambda(self.lambda));
        }
        let at_least = |what, value, least| {
            if value < least {
                Err(SummaryParamError::TooFew { what, value, least })
            } else {
                Ok(())
            }
        };
        at_least("central sentences per document", self.central_per_doc, self.doc_sentences.max(1))?;
        at_least("candidate sentences per document", self.sentences_per_doc, self.central_per_doc)?;
        at_least("documents per theme", self.docs_per_theme, 1)
    }
}

/// A summary sentence, verbatim, with where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SummarySentence {
    pub text: String,
    pub doc_id: String,
    pub title: String,
    pub country: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// Cosine similarity to what it summarises.
    pub similarity: f32,
}

impl SummarySentence {
    /// The sentence with provenance taken from `doc`.
    pub fn from_doc(text: &str, doc: &Document, similarity: f32) -> Self {
        SummarySentence {
            text: text.to_string(),
            doc_id: doc.doc_id.clone(),
            title: doc.title.clone(),
            country: doc.country.clone(),
            date: doc.date.map(|d| d.to_string()),
            source: doc.source.clone(),
            similarity,
        }
    }
}

/// A sentence worth showing: a real sentence of 6-60 words, not a fragment, a form answer or
/// a line of capitals.
pub fn is_summary_worthy(sentence: &str) -> bool {
    let words = sentence.split_whitespace().count();
    let ends = sentence.ends_with(['.', '!', '?', '…', '"', '”', ')']);
    let letters = sentence.chars().filter(|c| c.is_alphabetic()).count();
    let upper = sentence.chars().filter(|c| c.is_uppercase()).count();
    (6..=60).contains(&words)
        && (ends || words >= 10)
        && letters * 2 > sentence.len()
        && upper * 3 < letters
        && !sentence.contains("http")
}

/// Where a document's candidate sentences are in its text, in order, at most `max`.
pub fn candidates(text: &str, max: usize) -> Vec<Range<usize>> {
    sentence_spans(text).into_iter().filter(|r| is_summary_worthy(&text[r.clone()])).take(max).collect()
}

/// Maximal marginal relevance (Carbonell & Goldstein 1998): picks up to `k` rows of `vectors`
/// (unit rows), each maximising λ·sim(row, target) − (1−λ)·max sim(row, picked). Rows whose
/// `group` was already picked are passed over while other groups remain, so a theme summary
/// quotes several documents.
pub fn mmr(vectors: ArrayView2<f32>, target: ArrayView1<f32>, groups: &[usize], k: usize, lambda: f32) -> Vec<usize> {
    let relevance: Vec<f32> = vectors.rows().into_iter().map(|r| r.dot(&target)).collect();
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < k.min(vectors.nrows()) {
        let used_groups: Vec<usize> = picked.iter().map(|&p| groups[p]).collect();
        let fresh_left = (0..vectors.nrows()).any(|i| !picked.contains(&i) && !used_groups.contains(&groups[i]));
        let best = (0..vectors.nrows())
            .filter(|i| !picked.contains(i))
            .filter(|i| !fresh_left || !used_groups.contains(&groups[*i]))
            .map(|i| {
                let redundancy = picked.iter().map(|&p| vectors.row(i).dot(&vectors.row(p))).fold(f32::MIN, f32::max);
                let redundancy = if picked.is_empty() { 0.0 } else { redundancy };
                (i, lambda * relevance[i] - (1.0 - lambda) * redundancy)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        match best {
            Some((i, _)) => picked.push(i),
            None => break,
        }
    }
    picked
}

/// A document's most central sentences, best first: where they are in its text, their vectors
/// (unit rows) and their cosine to the document's vector.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CentralSentences {
    pub spans: Vec<Range<usize>>,
    pub vectors: Vec<Vec<f32>>,
    pub similarities: Vec<f32>,
}

/// Picks a document's `keep` most central sentences by MMR against its own vector, among the
/// candidate `spans` whose vectors are known (a sentence outside the windows read has none).
pub fn central_sentences(
    doc_vector: ArrayView1<f32>,
    spans: &[Range<usize>],
    vectors: &[Option<Vec<f32>>],
    keep: usize,
    lambda: f32,
) -> CentralSentences {
    let known: Vec<usize> = (0..spans.len()).filter(|&i| vectors[i].is_some()).collect();
    if known.is_empty() {
        return CentralSentences::default();
    }
    let dim = doc_vector.len();
    let rows = Array2::from_shape_fn((known.len(), dim), |(r, c)| vectors[known[r]].as_ref().map_or(0.0, |v| v[c]));
    let picked = mmr(rows.view(), doc_vector, &vec![0; known.len()], keep, lambda);
    CentralSentences {
        spans: picked.iter().map(|&r| spans[known[r]].clone()).collect(),
        similarities: picked.iter().map(|&r| rows.row(r).dot(&doc_vector)).collect(),
        vectors: picked.iter().map(|&r| rows.row(r).to_vec()).collect(),
    }
}

/// A candidate quote: a document, and the position of one of its central sentences.
type Candidate = (usize, usize);

/// Summaries of every theme and document.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Summaries {
    pub themes: Vec<Vec<SummarySentence>>,
    pub documents: Vec<Vec<SummarySentence>>,
    /// Each theme in a few sentences built from its facts (see [`synthesis`]), by position …
    #[serde(default)]
    pub syntheses: Vec<synthesis::Synthesis>,
    /// … and each broad area.
    #[serde(default)]
    pub area_syntheses: Vec<synthesis::Synthesis>,
}

/// Summarises every document (the head of its central sentences worth quoting) and every theme:
/// MMR against the theme's centre (`theme_centres`, unit rows by theme position) over the
/// central sentences of its [`SummaryOptions::docs_per_theme`] documents closest to it, one
/// sentence per document, none saying nearly what another says. A theme quotes only sentences
/// on it: nearer its centre than any other theme's, carrying its terms (`terms`, by theme
/// position), and worth quoting ([`is_informative`]); sentences in its main language (`languages`)
/// first. `assignments`/`similarities` give each document's theme and closeness to it.
#[allow(clippy::too_many_arguments)]
pub fn summarise(
    documents: &[Document],
    central: &[CentralSentences],
    assignments: &[usize],
    similarities: &[f32],
    theme_centres: ArrayView2<f32>,
    terms: &[ThemeTerms],
    languages: &[Option<String>],
    options: &SummaryOptions,
) -> Summaries {
    let text = |d: usize, k: usize| &documents[d].text[central[d].spans[k].clone()];
    let quote = |d: usize, k: usize, similarity: f32| SummarySentence::from_doc(text(d, k), &documents[d], similarity);
    let docs = (0..documents.len())
        .map(|d| {
            (0..central[d].spans.len())
                .filter(|&k| is_informative(text(d, k), &documents[d]))
                .take(options.doc_sentences)
                .map(|k| quote(d, k, central[d].similarities[k]))
                .collect()
        })
        .collect();
    let nearest = |v: &[f32]| {
        let v = ndarray::ArrayView1::from(v);
        (0..theme_centres.nrows())
            .max_by(|&a, &b| theme_centres.row(a).dot(&v).total_cmp(&theme_centres.row(b).dot(&v)))
    };
    let themes = (0..theme_centres.nrows())
        .map(|t| {
            let mut members: Vec<usize> = (0..documents.len()).filter(|&d| assignments[d] == t).collect();
            members.sort_by(|&a, &b| similarities[b].total_cmp(&similarities[a]).then(a.cmp(&b)));
            let on_theme: Vec<Candidate> = members
                .iter()
                .take(options.docs_per_theme)
                .flat_map(|&d| (0..central[d].spans.len()).map(move |k| (d, k)))
                .filter(|&(d, k)| {
                    nearest(&central[d].vectors[k]) == Some(t)
                        && is_informative(text(d, k), &documents[d])
                        && terms.get(t).is_none_or(|terms| terms.speaks_of(text(d, k)))
                })
                .collect();
            // The theme's main language first; sentences in others complete the quotes.
            let main = |d: usize| languages.get(t).is_some_and(|l| l.is_some() && documents[d].language == *l);
            let (mut pool, others): (Vec<Candidate>, Vec<Candidate>) =
                on_theme.into_iter().partition(|&(d, _)| main(d));
            let first = pool.len();
            pool.extend(others);
            if pool.is_empty() {
                return Vec::new();
            }
            let dim = theme_centres.ncols();
            let rows = Array2::from_shape_fn((pool.len(), dim), |(r, c)| central[pool[r].0].vectors[pool[r].1][c]);
            let groups: Vec<usize> = pool.iter().map(|&(d, _)| d).collect();
            let centre = theme_centres.row(t);
            let ranked = |range: std::ops::Range<usize>| {
                let rows = rows.slice(ndarray::s![range.clone(), ..]);
                let picked = mmr(rows, centre, &groups[range.clone()], range.len(), options.lambda);
                picked.into_iter().map(move |r| r + range.start)
            };
            let mut picked: Vec<usize> = Vec::new();
            for r in ranked(0..first).chain(ranked(first..pool.len())) {
                let (d, k) = pool[r];
                let taken = picked.iter().any(|&p| pool[p].0 == d || repeats(text(pool[p].0, pool[p].1), text(d, k)));
                if !taken {
                    picked.push(r);
                }
                if picked.len() == options.theme_sentences {
                    break;
                }
            }
            picked.into_iter().map(|r| quote(pool[r].0, pool[r].1, rows.row(r).dot(&centre))).collect()
        })
        .collect();
    Summaries { themes, documents: docs, ..Summaries::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_that_cannot_give_summaries_are_refused() {
        assert_eq!(SummaryOptions::default().check(), Ok(()));
        let with = |f: fn(&mut SummaryOptions)| {
            let mut o = SummaryOptions::default();
            f(&mut o);
            o.check()
        };
        assert_eq!(with(|o| o.lambda = 1.5), Err(SummaryParamError::Lambda(1.5)));
        assert_eq!(with(|o| o.lambda = -0.1), Err(SummaryParamError::Lambda(-0.1)));
        assert!(matches!(with(|o| o.lambda = f32::NAN), Err(SummaryParamError::Lambda(_))));
        assert!(matches!(with(|o| o.central_per_doc = 0), Err(SummaryParamError::TooFew { .. })));
        assert!(matches!(with(|o| o.doc_sentences = 5), Err(SummaryParamError::TooFew { .. })), "more than central");
        assert!(matches!(with(|o| o.sentences_per_doc = 2), Err(SummaryParamError::TooFew { .. })));
        assert!(matches!(with(|o| o.docs_per_theme = 0), Err(SummaryParamError::TooFew { .. })));
    }
    use ndarray::array;

    #[test]
    fn central_sentences_skip_unknown_vectors_and_rank_by_closeness() {
        let doc = ndarray::array![1.0f32, 0.0];
        let spans = vec![0..1, 1..2, 2..3];
        let vectors = vec![Some(vec![0.6, 0.8]), None, Some(vec![1.0, 0.0])];
        let c = central_sentences(doc.view(), &spans, &vectors, 3, 0.7);
        assert_eq!(c.spans, vec![2..3, 0..1]);
        assert_eq!(c.similarities, vec![1.0, 0.6]);
    }

    #[test]
    fn fragments_are_not_summary_worthy() {
        assert!(is_summary_worthy("The lab mapped 120 grassroots solutions across five regions."));
        assert!(!is_summary_worthy("19-35"));
        assert!(!is_summary_worthy("WHO WE ARE AND WHAT WE DO IN THE REGION TODAY"));
        assert!(!is_summary_worthy("See https://example.org for the full list of items here."));
    }

    #[test]
    fn mmr_prefers_relevant_then_novel_and_other_documents() {
        let v = array![[1.0f32, 0.0], [0.995, 0.0998], [0.6, 0.8], [0.8, 0.6]];
        let target = array![1.0f32, 0.0];
        // Rows 0 and 1 are near duplicates from document 0; rows 2 and 3 come from others.
        let picked = mmr(v.view(), target.view(), &[0, 0, 1, 2], 2, 0.7);
        assert_eq!(picked, vec![0, 3]);
    }
}
