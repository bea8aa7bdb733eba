//! Describing themes: keywords that say what a theme is about (places, names and other
//! languages kept apart), and a short readable label.
//!
//! Candidates come from class-based TF-IDF ([`label::rank_keywords`]). The head of the list
//! is then chosen as BERTopic's KeyBERTInspired and MaximalMarginalRelevance representations
//! do: each candidate is scored by how close the model places it to the theme's centre and by
//! how many of the theme's pages use it, and picked with maximal marginal relevance on the
//! terms' own vectors, so that a label is not three forms of one word.

use std::collections::{BTreeMap, HashMap, HashSet};

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

use super::label::{self, ClassTerms, StopWords, TermMap};
use super::places::{self, Gazetteer, ProperNames};
use super::ThemeError;
use crate::ingest::Document;

/// Vectors of short texts (terms, taxonomy entries), one unit row per text, in the model's
/// space. The analysis gives the sentence model (through the vector cache).
pub trait TermVectors {
    fn vectors(&self, terms: &[&str]) -> Result<Array2<f32>, ThemeError>;
}

/// Term statistics of a corpus, gathered once and shared by theme and parent labels,
/// evaluation and comparison.
pub struct TermStats {
    /// The 1-2 word terms of each document with their counts.
    pub per_doc: Vec<TermMap<String, f64>>,
    pub proper: ProperNames,
    pub stop: StopWords,
}

/// Stop words for a corpus: the base languages plus every language detected in it.
pub fn corpus_stop_words(documents: &[Document]) -> StopWords {
    let langs: HashSet<&str> = documents.iter().filter_map(|d| d.language.as_deref()).collect();
    label::stop_words(langs)
}

/// A line is a template's when this many documents (or more) carry it word for word …
const TEMPLATE_MIN_DOCS: usize = 5;
/// … or this share of the corpus, when that is more …
const TEMPLATE_MIN_SHARE: f64 = 0.005;
/// … and it is at most this long (a long line repeated is a copied paragraph, said on purpose).
const TEMPLATE_MAX_CHARS: usize = 120;

/// Lines that many pages carry word for word: a form's fields and answers ("- short term (up to
/// 1 year)", "## Time Frame"), a site's leftovers. They say how a page was made, not what it is
/// about, so their words are no theme's terms (on the solution pages they gave labels such as
/// "Farm managemnt and short term").
fn template_lines(documents: &[Document]) -> HashSet<&str> {
    let min = TEMPLATE_MIN_DOCS.max((TEMPLATE_MIN_SHARE * documents.len() as f64).ceil() as usize);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for d in documents {
        let lines: HashSet<&str> = d
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && l.chars().count() <= TEMPLATE_MAX_CHARS)
            .collect();
        lines.into_iter().for_each(|l| *counts.entry(l).or_insert(0) += 1);
    }
    counts.into_iter().filter(|&(_, n)| n >= min).map(|(l, _)| l).collect()
}

impl TermStats {
    pub fn gather(documents: &[Document]) -> TermStats {
        let stop = corpus_stop_words(documents);
        let template = template_lines(documents);
        let per_doc = documents
            .par_iter()
            .map(|d| {
                let mut counts: TermMap<String, f64> = TermMap::default();
                let own: Vec<&str> = d.text.lines().filter(|l| !template.contains(l.trim())).collect();
                let text = format!("{}\n{}", d.title, own.join("\n"));
                label::for_each_term(&text, &stop, |t| match counts.get_mut(t) {
                    Some(n) => *n += 1.0,
                    None => {
                        counts.insert(t.to_string(), 1.0);
                    }
                });
                counts
            })
            .collect();
        type Evidence = (TermMap<String, usize>, TermMap<String, usize>);
        let add = |mut into: TermMap<String, usize>, from: TermMap<String, usize>| {
            for (w, n) in from {
                *into.entry(w).or_insert(0) += n;
            }
            into
        };
        let (capitalised, lower): Evidence = documents
            .par_iter()
            .fold(Evidence::default, |(mut cap, mut low), d| {
                let (c, l) = places::case_evidence(&d.text);
                c.into_iter().for_each(|w| *cap.entry(w).or_insert(0) += 1);
                l.into_iter().for_each(|w| *low.entry(w).or_insert(0) += 1);
                (cap, low)
            })
            .reduce(Evidence::default, |a, b| (add(a.0, b.0), add(a.1, b.1)));
        TermStats { per_doc, proper: ProperNames::from_counts(&capitalised, &lower), stop }
    }

    /// Terms used by at least this many documents of the corpus are theme candidates: a term of
    /// one page names that page, not a theme (in a tiny corpus every term is rare).
    fn min_docs(&self) -> usize {
        if self.per_doc.len() >= 20 {
            2
        } else {
            1
        }
    }
}

/// Which language a term belongs to, from the languages of the documents that use it.
pub struct TermLanguages<'a> {
    /// Documents using each term, in all.
    total: TermMap<&'a str, usize>,
    /// … and per language, for every language but the corpus's main one (derived).
    by_language: BTreeMap<&'a str, TermMap<&'a str, usize>>,
    /// Documents per language.
    sizes: BTreeMap<&'a str, usize>,
    main: Option<&'a str>,
}

/// A term belongs to a language when at least this share of its use (see
/// [`TermLanguages::share`]) is there …
const OWN_LANGUAGE_SHARE: f64 = 0.8;
/// … and may describe pages of a language when at least this share is.
const MIN_LANGUAGE_SHARE: f64 = 0.2;

impl<'a> TermLanguages<'a> {
    pub fn new(documents: &'a [Document], stats: &'a TermStats) -> Self {
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for d in documents {
            *sizes.entry(language_of(d)).or_insert(0) += 1;
        }
        let main = sizes.iter().filter(|(l, _)| **l != UNKNOWN).max_by_key(|(_, n)| **n).map(|(l, _)| *l);
        let mut total: TermMap<&str, usize> = TermMap::default();
        let mut by_language: BTreeMap<&str, TermMap<&str, usize>> = BTreeMap::new();
        for (d, terms) in documents.iter().zip(&stats.per_doc) {
            let lang = language_of(d);
            let own = (Some(lang) != main).then(|| by_language.entry(lang).or_default());
            if let Some(own) = own {
                terms.keys().for_each(|t| *own.entry(t.as_str()).or_insert(0) += 1);
            }
            terms.keys().for_each(|t| *total.entry(t.as_str()).or_insert(0) += 1);
        }
        TermLanguages { total, by_language, sizes, main }
    }

    /// Documents in `language` that use `term`.
    fn df(&self, term: &str, language: &str) -> usize {
        if Some(language) == self.main {
            let others: usize = self.by_language.values().map(|m| m.get(term).copied().unwrap_or(0)).sum();
            self.total.get(term).copied().unwrap_or(0).saturating_sub(others)
        } else {
            self.by_language.get(language).and_then(|m| m.get(term)).copied().unwrap_or(0)
        }
    }

    /// Documents of the corpus that use a term.
    pub fn documents_using(&self, term: &str) -> usize {
        self.total.get(term).copied().unwrap_or(0)
    }

    /// How much of a term's use is in `language`: the share of its rate of use (documents using
    /// it over the language's documents) that falls to that language, so that a small language is
    /// weighed as much as a large one.
    pub fn share(&self, term: &str, language: &str) -> f64 {
        let rate = |l: &str| self.df(term, l) as f64 / self.sizes.get(l).copied().unwrap_or(1).max(1) as f64;
        let total: f64 = self.sizes.keys().filter(|l| **l != UNKNOWN).map(|l| rate(l)).sum();
        if total == 0.0 {
            return 0.0;
        }
        rate(language) / total
    }

    /// Whether a term is used in `language` enough to describe its pages: at least
    /// [`MIN_LANGUAGE_SHARE`] of its use ("covid" is, in English and in Spanish pages; "pnud", the
    /// Spanish and French "UNDP", is not, in English ones).
    pub fn used_in(&self, term: &str, language: &str) -> bool {
        self.share(term, language) >= MIN_LANGUAGE_SHARE
    }

    /// The language a term belongs to: the one with at least [`OWN_LANGUAGE_SHARE`] of its use,
    /// or `None` for a term shared by several ("covid").
    pub fn of(&self, term: &str) -> Option<&'a str> {
        self.sizes.keys().copied().filter(|l| *l != UNKNOWN).find(|l| self.share(term, l) >= OWN_LANGUAGE_SHARE)
    }

    /// The corpus's main language.
    pub fn main(&self) -> Option<&'a str> {
        self.main
    }
}

const UNKNOWN: &str = "unknown";

fn language_of(d: &Document) -> &str {
    d.language.as_deref().unwrap_or(UNKNOWN)
}

/// What a theme (or a group of themes) is about.
#[derive(Debug, Clone, Default)]
pub struct Description {
    pub label: String,
    pub keywords: Vec<String>,
    pub weights: Vec<f64>,
    pub keywords_by_language: BTreeMap<String, Vec<String>>,
    pub places: Vec<String>,
    /// The language of most of its documents.
    pub language: Option<String>,
    /// Unit mean vector of its head keywords (weighted by rank), when term vectors were given:
    /// what the theme is about in the same space as a taxonomy's short names.
    pub meaning: Option<Array1<f32>>,
}

/// Candidate terms ranked by c-TF-IDF for each class …
const CANDIDATES: usize = 120;
/// … of which the first this many in the class's language are scored for the head.
const POOL: usize = 30;
/// Keywords at the head of each list: what labels and coherence are made of.
pub const HEAD: usize = label::HEAD;
/// Keywords kept per theme.
pub const KEEP: usize = 30;
/// Places listed per theme.
const PLACES: usize = 8;

/// The first [`PLACES`] places in rank order, each once: a place that shares a word with an
/// earlier one is dropped, unless it is the longer name those words were parts of ("south"
/// and "africa" ranked apart, then "south africa": one place).
fn distinct_places<'t>(found: impl Iterator<Item = &'t str>) -> Vec<&'t str> {
    let words = |p: &str| p.split(' ').count();
    let mut out: Vec<&str> = Vec::new();
    for place in found {
        let overlapping: Vec<usize> = (0..out.len()).filter(|&i| label::overlaps(out[i], place)).collect();
        match overlapping.split_first() {
            None => out.push(place),
            Some((&first, rest)) if overlapping.iter().all(|&i| words(out[i]) < words(place)) => {
                out[first] = place;
                for &i in rest.iter().rev() {
                    out.remove(i);
                }
            }
            Some(_) => {}
        }
        if out.len() == PLACES {
            break;
        }
    }
    out
}
/// Keywords listed per other language.
const OTHER_LANGUAGE_KEYWORDS: usize = 10;
/// A language needs this many of a theme's documents to get keywords of its own.
const MIN_OTHER_LANGUAGE_DOCS: usize = 3;
/// Weight of document coverage (share of the theme's pages using a term) against the term's
/// closeness to the theme centre when scoring head candidates.
const COVERAGE_WEIGHT: f32 = 0.75;
/// Weight of a term's specificity (the share of the corpus's pages using it that are in the
/// theme): coverage alone favours words every theme uses, and labels such as "Data and process"
/// said nothing to a blind reader. Judged blind on the shared blogs and solutions (0-2 per
/// label): 1.48 and 1.52 without it, 1.62 and 1.55 at 0.25, 1.62 and 1.55 at 0.5, which also
/// cost more label coverage (0.35 against 0.41 on the blogs).
const SPECIFICITY_WEIGHT: f32 = 0.25;
/// Terms on more than this share of all the corpus's documents are its common vocabulary
/// ("undp" in a corpus of UNDP pages), not what one theme is about: like CountVectorizer's
/// `max_df`, they are kept out of the head of keyword lists.
const MAX_CORPUS_SHARE: f64 = 0.3;
/// A single word gives way to a pool pair containing it ("intelligence" to "artificial
/// intelligence") when the pair is on at least this share of the pages the word is on.
const PAIR_OVER_WORD: f32 = 0.5;
/// Relevance against novelty when picking head terms (1 = relevance only).
const MMR_LAMBDA: f32 = 0.85;

/// Everything a description needs besides the classes themselves.
pub struct Describer<'a> {
    pub documents: &'a [Document],
    pub stats: &'a TermStats,
    pub languages: TermLanguages<'a>,
    pub gazetteer: &'a Gazetteer,
    pub vectors: Option<&'a dyn TermVectors>,
    /// The writing system of each document (Latin, Cyrillic, …).
    scripts: Vec<Option<whatlang::Script>>,
}

impl<'a> Describer<'a> {
    pub fn new(
        documents: &'a [Document],
        stats: &'a TermStats,
        gazetteer: &'a Gazetteer,
        vectors: Option<&'a dyn TermVectors>,
    ) -> Self {
        let scripts = documents.par_iter().map(|d| whatlang::detect_script(sample(&d.embedding_text()))).collect();
        Describer { documents, stats, languages: TermLanguages::new(documents, stats), gazetteer, vectors, scripts }
    }

    /// Whether a term names a place.
    pub fn is_place(&self, term: &str) -> bool {
        self.gazetteer.is_place(term, &self.stats.proper)
    }

    /// Whether a term says where or who rather than what: a place or a proper name.
    pub fn is_place_or_name(&self, term: &str) -> bool {
        self.is_place(term) || self.stats.proper.in_term(term)
    }

    /// Describes `k` classes: `classes[i]` is document i's class, or `None` for a document in
    /// none of them; `centres` holds each class's unit centre in the model's space.
    pub fn describe(
        &self,
        classes: &[Option<usize>],
        k: usize,
        centres: ArrayView2<f32>,
    ) -> Result<Vec<Description>, ThemeError> {
        // Documents in no class form one more class, so the c-TF-IDF weights still see them.
        let with_rest: Vec<usize> = classes.iter().map(|c| c.unwrap_or(k)).collect();
        let terms = ClassTerms::build(k + 1, &self.stats.per_doc, &with_rest, self.stats.min_docs());
        let ranked = label::rank_keywords(&terms, CANDIDATES);
        let class_language: Vec<Option<&str>> = (0..k).map(|c| self.majority_language(classes, c)).collect();
        let class_script: Vec<Option<whatlang::Script>> = (0..k).map(|c| self.majority_script(classes, c)).collect();
        let belongs = |t: &str, c: usize| {
            self.belongs(t, class_language[c]) && class_script[c].is_none_or(|s| whatlang::detect_script(t) == Some(s))
        };
        let common = (MAX_CORPUS_SHARE * self.documents.len() as f64) as usize;
        let docs_using = |t: &str, c: usize| terms.doc_counts[c].get(t).copied().unwrap_or(0);
        let pools: Vec<Vec<(String, f64)>> = (0..k)
            .map(|c| {
                // Label words must be shared by a good part of the class's pages: candidates on
                // fewer than [`label::HEAD_MIN_DOC_SHARE`] of them (at least two) are left for
                // the tail of the list.
                let shared = ((label::HEAD_MIN_DOC_SHARE * terms.sizes[c] as f64).ceil() as usize).max(2);
                let candidates: Vec<&(String, f64)> = ranked[c]
                    .iter()
                    .filter(|(t, _)| belongs(t, c) && self.languages.documents_using(t) <= common.max(2))
                    .collect();
                let mut pool: Vec<(String, f64)> = candidates
                    .iter()
                    .filter(|(t, _)| docs_using(t, c) >= shared)
                    .take(POOL)
                    .map(|&p| p.clone())
                    .collect();
                if pool.len() < HEAD {
                    let mut rest: Vec<&(String, f64)> =
                        candidates.iter().filter(|(t, _)| docs_using(t, c) < shared).copied().collect();
                    rest.sort_by_key(|(t, _)| std::cmp::Reverse(docs_using(t, c)));
                    pool.extend(rest.into_iter().take(HEAD - pool.len()).cloned());
                }
                pool
            })
            .collect();
        let pool_terms: Vec<&str> = pools.iter().flatten().map(|(t, _)| t.as_str()).collect();
        let vectors = match self.vectors {
            Some(v) if !pool_terms.is_empty() => Some(v.vectors(&pool_terms)?),
            _ => None,
        };
        let mut offset = 0;
        let mut out = Vec::with_capacity(k);
        for c in 0..k {
            let pool = &pools[c];
            let pool_vectors = vectors.as_ref().map(|v| v.slice(ndarray::s![offset..offset + pool.len(), ..]));
            offset += pool.len();
            let coverage: Vec<f32> = pool
                .iter()
                .map(|(t, _)| {
                    terms.doc_counts[c].get(t.as_str()).copied().unwrap_or(0) as f32 / terms.sizes[c].max(1) as f32
                })
                .collect();
            let specificity: Vec<f32> = pool
                .iter()
                .map(|(t, _)| docs_using(t, c) as f32 / self.languages.documents_using(t).max(1) as f32)
                .collect();
            let relevance = relevance(&coverage, &specificity, pool_vectors, centres, c);
            let head = pick_head(pool, &coverage, &relevance, pool_vectors);
            let mut keywords: Vec<(String, f64)> = head.iter().map(|&i| pool[i].clone()).collect();
            let rest: Vec<(String, f64)> = ranked[c]
                .iter()
                .filter(|(t, _)| belongs(t, c) && !keywords.iter().any(|(k, _)| k == t))
                .take(KEEP.saturating_sub(keywords.len()))
                .cloned()
                .collect();
            keywords.extend(rest);
            let meaning = pool_vectors.and_then(|v| meaning(v.select(ndarray::Axis(0), &head).view()));
            let places = self.places(&ranked[c]);
            let language = class_language[c].map(str::to_string);
            let (keywords, weights): (Vec<String>, Vec<f64>) = keywords.into_iter().unzip();
            out.push(Description {
                label: label::phrase(&keywords, class_language[c]),
                keywords,
                weights,
                keywords_by_language: self.other_languages(classes, c, class_language[c]),
                places,
                language,
                meaning,
            });
        }
        Ok(out)
    }

    /// Whether a term may describe a class whose pages are mostly in `language`: not a place
    /// or a name, and used in that language.
    fn belongs(&self, term: &str, language: Option<&str>) -> bool {
        !self.is_place_or_name(term) && language.is_none_or(|l| self.languages.used_in(term, l))
    }

    /// The writing system of most of a class's documents.
    fn majority_script(&self, classes: &[Option<usize>], c: usize) -> Option<whatlang::Script> {
        let mut counts: HashMap<whatlang::Script, usize> = HashMap::new();
        for (script, class) in self.scripts.iter().zip(classes) {
            if let (Some(script), Some(class)) = (script, class) {
                if *class == c {
                    *counts.entry(*script).or_insert(0) += 1;
                }
            }
        }
        counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(a.0.name().cmp(b.0.name()))).map(|(s, _)| s)
    }

    /// The language of most of a class's documents (unknown ones aside).
    fn majority_language(&self, classes: &[Option<usize>], c: usize) -> Option<&'a str> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (d, class) in self.documents.iter().zip(classes) {
            if *class == Some(c) && language_of(d) != UNKNOWN {
                *counts.entry(language_of(d)).or_insert(0) += 1;
            }
        }
        let best = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(l, _)| l);
        best.and_then(|l| self.languages.sizes.get_key_value(l).map(|(k, _)| *k)).or(self.languages.main())
    }

    /// Places among a class's ranked terms ("undp samoa" gives "samoa"), as names, each once.
    fn places(&self, ranked: &[(String, f64)]) -> Vec<String> {
        let found = ranked.iter().flat_map(|(t, _)| self.gazetteer.places_in(t, &self.stats.proper));
        distinct_places(found).into_iter().map(places::display_name).collect()
    }

    /// Keywords of the class's documents in each other language: their terms of that
    /// language, weighted by TF-IDF against all documents of the language.
    fn other_languages(
        &self,
        classes: &[Option<usize>],
        c: usize,
        main: Option<&str>,
    ) -> BTreeMap<String, Vec<String>> {
        let mut by_language: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (d, class)) in self.documents.iter().zip(classes).enumerate() {
            let lang = language_of(d);
            if *class == Some(c) && lang != UNKNOWN && Some(lang) != main {
                by_language.entry(lang).or_default().push(i);
            }
        }
        by_language
            .into_iter()
            .filter(|(_, docs)| docs.len() >= MIN_OTHER_LANGUAGE_DOCS)
            .filter_map(|(lang, docs)| {
                let mut df: TermMap<&str, usize> = TermMap::default();
                for &i in &docs {
                    self.stats.per_doc[i].keys().for_each(|t| *df.entry(t.as_str()).or_insert(0) += 1);
                }
                let n = self.languages.sizes.get(lang).copied().unwrap_or(1) as f64;
                let mut scored: Vec<(&str, f64)> = df
                    .into_iter()
                    .filter(|(t, d)| *d >= 2.min(docs.len()) && self.languages.of(t) == Some(lang))
                    .filter(|(t, _)| !self.is_place_or_name(t))
                    .map(|(t, d)| (t, d as f64 * (1.0 + n / self.languages.df(t, lang).max(1) as f64).ln()))
                    .collect();
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                let mut picked: Vec<String> = Vec::new();
                for (t, _) in scored {
                    if !picked.iter().any(|p| label::overlaps(p, t)) {
                        picked.push(t.to_string());
                    }
                    if picked.len() == OTHER_LANGUAGE_KEYWORDS {
                        break;
                    }
                }
                (!picked.is_empty()).then(|| (lang.to_string(), picked))
            })
            .collect()
    }
}

/// How well each pool term says what class `c` is about: how much closer the model places it to
/// the class's centre than to the others' (its cosine to its own centre minus the mean of its
/// highest and its average cosine to the other centres: terms every theme is near, such as
/// "innovation" in a corpus about innovation, score low), plus [`COVERAGE_WEIGHT`] × the share of
/// the class's pages that use it. Without vectors, coverage and the c-TF-IDF order decide.
fn relevance(
    coverage: &[f32],
    specificity: &[f32],
    vectors: Option<ArrayView2<f32>>,
    centres: ArrayView2<f32>,
    c: usize,
) -> Vec<f32> {
    let Some(vectors) = vectors else {
        return (0..coverage.len())
            .map(|i| COVERAGE_WEIGHT * coverage[i] + SPECIFICITY_WEIGHT * specificity[i] - 0.01 * i as f32)
            .collect();
    };
    let sims = vectors.dot(&centres.t());
    (0..coverage.len())
        .map(|i| {
            let row = sims.row(i);
            let others: Vec<f32> = (0..row.len()).filter(|&j| j != c).map(|j| row[j]).collect();
            let contrast = if others.is_empty() {
                0.0
            } else {
                let max = others.iter().copied().fold(f32::MIN, f32::max);
                let mean = others.iter().sum::<f32>() / others.len() as f32;
                (max + mean) / 2.0
            };
            row[c] - contrast + COVERAGE_WEIGHT * coverage[i] + SPECIFICITY_WEIGHT * specificity[i]
        })
        .collect()
}

/// The head of a keyword list: up to [`HEAD`] pool terms (indices), each maximising
/// λ·relevance − (1−λ)·redundancy, where redundancy is the highest cosine to a term already
/// picked. A term sharing a word with a picked one is passed over ("stove, stoves"), and a
/// single word gives way to a pair containing it that is on most of its pages (see
/// [`PAIR_OVER_WORD`]).
fn pick_head(
    pool: &[(String, f64)],
    coverage: &[f32],
    relevance: &[f32],
    vectors: Option<ndarray::ArrayView2<f32>>,
) -> Vec<usize> {
    let shadowed: Vec<bool> = (0..pool.len())
        .map(|i| {
            let word = pool[i].0.as_str();
            !word.contains(' ')
                && (0..pool.len()).any(|j| {
                    let pair = pool[j].0.as_str();
                    pair.contains(' ')
                        && pair.split(' ').any(|w| w == word)
                        && coverage[j] >= PAIR_OVER_WORD * coverage[i]
                })
        })
        .collect();
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < HEAD {
        let best = (0..pool.len())
            .filter(|&i| !shadowed[i] && !picked.contains(&i))
            .filter(|&i| !picked.iter().any(|&p| label::overlaps(&pool[p].0, &pool[i].0)))
            .map(|i| {
                let redundancy = match vectors {
                    Some(v) => picked.iter().map(|&p| v.row(i).dot(&v.row(p))).fold(0.0f32, f32::max),
                    None => 0.0,
                };
                (i, MMR_LAMBDA * relevance[i] - (1.0 - MMR_LAMBDA) * redundancy)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        match best {
            Some((i, _)) => picked.push(i),
            None => break,
        }
    }
    picked
}

/// The first 1,500 bytes of a text (a paragraph or two decides its script).
fn sample(text: &str) -> &str {
    let mut end = text.len().min(1500);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What a list of keywords means: the unit mean of their vectors (rows, best keyword first),
/// the first weighing most (1, ½, ⅓, …). Calibrated against hand-judged themes with the other
/// weightings tried (flat, top five): this one separated right names from wrong ones best.
pub fn meaning(vectors: ArrayView2<f32>) -> Option<Array1<f32>> {
    if vectors.nrows() == 0 {
        return None;
    }
    let mut mean = Array1::<f32>::zeros(vectors.ncols());
    for (rank, row) in vectors.rows().into_iter().enumerate() {
        mean.scaled_add(1.0 / (rank + 1) as f32, &row);
    }
    crate::embed::normalize(mean.as_slice_mut().expect("a fresh array is contiguous"));
    Some(mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, language: &str, i: usize) -> Document {
        let mut d = crate::ingest::build_document(text, format!("d{i}"), format!("{i}.txt"));
        d.language = Some(language.to_string());
        d
    }

    /// Theme 0: English pages about waste in Samoa, with two Spanish pages; theme 1: solar.
    fn corpus() -> (Vec<Document>, Vec<Option<usize>>) {
        let mut docs = Vec::new();
        let mut classes = Vec::new();
        for i in 0..12 {
            docs.push(doc(
                "# Waste\nThe lab in Samoa studied waste management and recycling of plastic with Anastasia and local families in every village of the island.",
                "en",
                docs.len(),
            ));
            classes.push(Some(0));
            if i < 3 {
                docs.push(doc(
                    "# Residuos\nEl laboratorio estudió la gestión de residuos y el reciclaje de plástico con familias de cada comunidad del país.",
                    "es",
                    docs.len(),
                ));
                classes.push(Some(0));
            }
            docs.push(doc(
                "# Solar\nFarmers installed solar panels and solar pumps to irrigate fields during the long dry season in every district we visited.",
                "en",
                docs.len(),
            ));
            classes.push(Some(1));
        }
        (docs, classes)
    }

    #[test]
    fn places_names_and_other_languages_stay_out_of_keywords() {
        let (docs, classes) = corpus();
        let stats = TermStats::gather(&docs);
        let gazetteer = Gazetteer::new([]);
        let describer = Describer::new(&docs, &stats, &gazetteer, None);
        let centres = Array2::<f32>::zeros((2, 4));
        let described = describer.describe(&classes, 2, centres.view()).unwrap();
        let waste = &described[0];
        assert_eq!(waste.language.as_deref(), Some("en"));
        for k in &waste.keywords {
            assert!(!k.contains("samoa") && !k.contains("anastasia"), "{k} in {:?}", waste.keywords);
            assert!(!["residuos", "reciclaje", "gestión"].iter().any(|w| k.contains(w)), "{k}");
        }
        assert_eq!(waste.places, vec!["Samoa"]);
        assert!(
            waste.keywords_by_language["es"].iter().any(|k| k.contains("residuos")),
            "{:?}",
            waste.keywords_by_language
        );
        assert!(waste.keywords[..3].iter().any(|k| k.contains("waste")), "{:?}", waste.keywords);
        assert!(described[1].label.starts_with("Solar"), "{}", described[1].label);
    }

    #[test]
    fn term_languages_follow_the_documents_that_use_them() {
        let (docs, _) = corpus();
        let stats = TermStats::gather(&docs);
        let languages = TermLanguages::new(&docs, &stats);
        assert_eq!(languages.main(), Some("en"));
        assert_eq!(languages.of("residuos"), Some("es"));
        assert_eq!(languages.of("recycling"), Some("en"));
    }

    #[test]
    fn head_terms_are_relevant_and_not_repeated() {
        let pool: Vec<(String, f64)> =
            ["stove", "stoves", "boiler", "kitchen"].iter().map(|t| (t.to_string(), 1.0)).collect();
        // stove and boiler point the same way; kitchen is on more pages and says something else.
        let v = ndarray::array![[1.0f32, 0.0], [1.0, 0.0], [0.995, 0.0998], [0.8, 0.6]];
        let coverage = [0.5, 0.4, 0.5, 0.9];
        let relevance = [1.25, 1.2, 1.245, 1.25];
        let head = pick_head(&pool, &coverage, &relevance, Some(v.view()));
        assert_eq!(head[0], 0, "most relevant first");
        assert!(!head.contains(&1), "the plural of a picked word is passed over");
        assert_eq!(head[1], 3, "a different idea before a near duplicate: {head:?}");
    }

    #[test]
    fn a_pair_on_most_of_a_words_pages_replaces_the_word() {
        let pool: Vec<(String, f64)> = ["intelligence", "artificial intelligence", "waste", "waste management"]
            .iter()
            .map(|t| (t.to_string(), 1.0))
            .collect();
        let head = pick_head(&pool, &[0.6, 0.5, 0.8, 0.2], &[1.0, 0.9, 0.8, 0.7], None);
        assert_eq!(head, vec![1, 2], "intelligence gives way; waste stays (the pair is on few of its pages)");
    }

    #[test]
    fn terms_near_every_centre_are_less_relevant() {
        // Term 0 is near theme 0 only; term 1 is as near every theme.
        let h = std::f32::consts::FRAC_1_SQRT_2;
        let v = ndarray::array![[1.0f32, 0.0], [h, h]];
        let centres = ndarray::array![[1.0f32, 0.0], [0.0, 1.0]];
        let r = relevance(&[0.5, 0.5], &[0.5, 0.5], Some(v.view()), centres.view(), 0);
        assert!(r[0] > r[1] + 0.5, "{r:?}");
        // Of two terms as near and as common in the theme, the one other themes use less.
        let same = ndarray::array![[1.0f32, 0.0], [1.0, 0.0]];
        let r = relevance(&[0.5, 0.5], &[0.8, 0.1], Some(same.view()), centres.view(), 0);
        assert!(r[0] > r[1], "{r:?}");
    }

    #[test]
    fn a_longer_place_name_replaces_its_parts() {
        let found = ["uganda", "south", "kampala", "africa", "south africa", "africa", "east amman", "amman"];
        assert_eq!(distinct_places(found.into_iter()), ["uganda", "south africa", "kampala", "east amman"]);
    }

    #[test]
    fn lines_many_pages_carry_word_for_word_give_no_terms() {
        let page = |i: usize, subject: &str| {
            let text = format!(
                "# Page {i}\n{subject} bring electricity and water to the villages around the lake.\n\n\
                 - Duration of the solution: short term, up to one year from its start.\n"
            );
            crate::ingest::build_document(&text, format!("d{i}"), format!("{i}.txt"))
        };
        let docs: Vec<Document> =
            (0..6).map(|i| page(i, if i % 2 == 0 { "Solar kiosks" } else { "Water pumps" })).collect();
        let stats = TermStats::gather(&docs);
        assert!(stats.per_doc[0].contains_key("solar kiosks"), "{:?}", stats.per_doc[0]);
        assert!(stats.per_doc.iter().all(|c| !c.keys().any(|t| t.contains("short") || t.contains("year"))));
        // On fewer pages than that, a shared line is still the pages' own words.
        let few = TermStats::gather(&docs[..4]);
        assert!(few.per_doc[0].keys().any(|t| t.contains("short term")), "{:?}", few.per_doc[0]);
    }
}
