//! Describing themes: keywords that say what a theme is about (places, names and other
//! languages kept apart), and a short readable label.
//!
//! [`Describer::describe`] runs the labelling steps in order, for every class:
//! 1. candidates: the class's terms ranked by class-based TF-IDF ([`label::rank_keywords`]),
//!    and the language and writing system of most of its pages;
//! 2. the pool: candidates that may describe the class (places and names set apart, terms of
//!    the class's language and script, not the corpus's common vocabulary), shared by enough of
//!    its pages;
//! 3. the head: pool terms scored and picked as BERTopic's KeyBERTInspired and
//!    MaximalMarginalRelevance representations do (see [`super::head`]);
//! 4. the keywords: the head, then the rest of the candidates;
//! 5. the label, from the keywords ([`Describer::heading`]); then places, keywords in other
//!    languages and what the head means, for naming.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

use super::head::{association, gives_way_to_pair, pick_head, relevance};
use super::label::{self, ClassTerms, TermMap};
use super::places::{self, Gazetteer};
use super::terms::{language_of, UNKNOWN};
use super::{LabelParams, ThemeError};
use crate::ingest::Document;

pub use super::terms::{corpus_stop_words, is_content_term, TermLanguages, TermStats, TermVectors};

/// What a theme (or a group of themes) is about.
#[derive(Debug, Clone, Default)]
pub struct Description {
    pub label: String,
    pub keywords: Vec<String>,
    pub weights: Vec<f64>,
    pub keywords_by_language: BTreeMap<String, Vec<String>>,
    pub places: Vec<String>,
    /// Names of what it is about (see [`Theme::subjects`](super::Theme::subjects)).
    pub subjects: Vec<String>,
    /// The language of most of its documents.
    pub language: Option<String>,
    /// Unit mean vector of its head keywords (weighted by rank), when term vectors were given:
    /// what the theme is about in the same space as a taxonomy's short names.
    pub meaning: Option<Array1<f32>>,
}

/// A name is a theme's subject when at least this share of its pages use it …
const SUBJECT_MIN_SHARE: f64 = 0.15;
/// … and at least this many.
const SUBJECT_MIN_DOCS: usize = 3;

/// A language needs this many pages before a name on a good part of them is its vocabulary (the
/// organisation whose pages they are) rather than the subject of a theme: in a few dozen pages
/// of two or three themes, one theme's subject can be on half of them.
const COMMON_NAME_MIN_PAGES: usize = 50;

/// What the steps of [`Describer::describe`] know of every class once its candidates are ranked.
struct Candidates<'a> {
    /// Term counts of each class, and of one more class: the documents in none.
    terms: ClassTerms<'a>,
    /// Each class's terms ranked by c-TF-IDF, best first.
    ranked: Vec<Vec<(String, f64)>>,
    /// The language of most of each class's documents …
    language: Vec<Option<&'a str>>,
    /// … and their writing system.
    script: Vec<Option<whatlang::Script>>,
}

impl Candidates<'_> {
    /// Documents of class `c` that use a term.
    fn docs_using(&self, term: &str, c: usize) -> usize {
        self.terms.doc_counts[c].get(term).copied().unwrap_or(0)
    }

    /// Pages of class `c` a keyword must be on: two, once the class has a few. A word of one
    /// page names that page (or its author: "cristian gil"), not the theme.
    fn min_pages(&self, c: usize) -> usize {
        if self.terms.sizes[c] >= 4 {
            2
        } else {
            1
        }
    }
}

/// Everything a description needs besides the classes themselves.
pub struct Describer<'a> {
    pub documents: &'a [Document],
    pub stats: &'a TermStats,
    pub languages: TermLanguages<'a>,
    pub gazetteer: &'a Gazetteer,
    pub vectors: Option<&'a dyn TermVectors>,
    params: LabelParams,
    /// The writing system of each document (Latin, Cyrillic, …).
    scripts: Vec<Option<whatlang::Script>>,
    /// The words and word pairs of the documents' authors' names.
    authors: std::collections::HashSet<String>,
}

impl<'a> Describer<'a> {
    pub fn new(
        documents: &'a [Document],
        stats: &'a TermStats,
        gazetteer: &'a Gazetteer,
        vectors: Option<&'a dyn TermVectors>,
    ) -> Self {
        let scripts = documents.par_iter().map(|d| whatlang::detect_script(sample(&d.embedding_text()))).collect();
        let mut authors = std::collections::HashSet::new();
        for author in documents.iter().filter_map(|d| d.author.as_deref()) {
            label::for_each_term(author, &stats.stop, |t| {
                authors.insert(t.to_string());
            });
        }
        Describer {
            documents,
            stats,
            languages: TermLanguages::new(documents, stats),
            gazetteer,
            vectors,
            params: LabelParams::default(),
            scripts,
            authors,
        }
    }

    /// Whether a term names a place.
    pub fn is_place(&self, term: &str) -> bool {
        self.gazetteer.is_place(term, &self.stats.proper)
    }

    /// Whether a term says where or who rather than what: a place or a proper name.
    pub fn is_place_or_name(&self, term: &str) -> bool {
        self.is_place(term) || self.stats.proper.in_term(term)
    }

    /// Each document's terms that say what rather than where or who (places and proper names
    /// left out): what comparisons and changes of language are read in.
    pub fn narrative_terms(&self) -> Vec<std::collections::HashSet<String>> {
        self.stats.per_doc.iter().map(|c| c.keys().filter(|t| !self.is_place_or_name(t)).cloned().collect()).collect()
    }

    /// Describes `k` classes with up to `keywords` keywords each: `classes[i]` is document i's
    /// class, or `None` for a document in none of them; `centres` holds each class's unit centre
    /// in the model's space. The steps are listed in the [module's documentation](self).
    pub fn describe(
        &self,
        classes: &[Option<usize>],
        k: usize,
        centres: ArrayView2<f32>,
        keywords: usize,
    ) -> Result<Vec<Description>, ThemeError> {
        let candidates = self.candidates(classes, k);
        let pools: Vec<Vec<(String, f64)>> = (0..k).map(|c| self.pool(&candidates, c)).collect();
        let vectors = self.pool_vectors(&pools)?;
        let mut offset = 0;
        let mut out = Vec::with_capacity(k);
        for (c, pool) in pools.iter().enumerate() {
            let pool_vectors = vectors.as_ref().map(|v| v.slice(ndarray::s![offset..offset + pool.len(), ..]));
            offset += pool.len();
            let head = self.head(&candidates, classes, c, pool, pool_vectors, centres);
            let (kept, weights): (Vec<String>, Vec<f64>) =
                self.keywords(&candidates, c, pool, &head, keywords).into_iter().unzip();
            let language = candidates.language[c];
            let label = self.heading(&candidates, c, &kept, language);
            out.push(Description {
                label,
                keywords: kept,
                weights,
                keywords_by_language: self.other_languages(classes, c, language),
                places: self.places(&candidates.ranked[c], classes, c),
                subjects: self.subjects(&candidates, classes, c),
                language: language.map(str::to_string),
                meaning: pool_vectors.and_then(|v| meaning(v.select(ndarray::Axis(0), &head).view())),
            });
        }
        Ok(out)
    }

    /// Step 1: each class's terms ranked by c-TF-IDF, with the language and writing system of
    /// most of its pages. Documents in no class form one more class, so the c-TF-IDF weights
    /// still see them.
    fn candidates(&self, classes: &[Option<usize>], k: usize) -> Candidates<'a> {
        let with_rest: Vec<usize> = classes.iter().map(|c| c.unwrap_or(k)).collect();
        let terms = ClassTerms::build(k + 1, &self.stats.per_doc, &with_rest, self.stats.min_docs());
        Candidates {
            ranked: label::rank_keywords(&terms, self.params.candidates),
            terms,
            language: (0..k).map(|c| self.majority_language(classes, c)).collect(),
            script: (0..k).map(|c| self.majority_script(classes, c)).collect(),
        }
    }

    /// Whether a term may describe class `c`: not a place or a name, used in the class's
    /// language, and written in its script.
    fn belongs(&self, term: &str, candidates: &Candidates, c: usize) -> bool {
        !self.is_place_or_name(term)
            && candidates.language[c].is_none_or(|l| self.languages.used_in(term, l))
            && candidates.script[c].is_none_or(|s| whatlang::detect_script(term) == Some(s))
    }

    /// Step 2: the candidates scored for the head of class `c`'s list: the first
    /// [`pool`](LabelParams::pool) that belong to the class, are not the corpus's common
    /// vocabulary, and are shared by a good part of its pages; topped up to
    /// [`label::HEAD`] with the most shared of the others.
    fn pool(&self, candidates: &Candidates, c: usize) -> Vec<(String, f64)> {
        let common = (self.params.max_corpus_share * self.documents.len() as f64) as usize;
        // Label words must be shared by a good part of the class's pages: candidates on
        // fewer than [`label::HEAD_MIN_DOC_SHARE`] of them (at least two) are left for
        // the tail of the list.
        let shared = ((label::HEAD_MIN_DOC_SHARE * candidates.terms.sizes[c] as f64).ceil() as usize).max(2);
        let eligible: Vec<&(String, f64)> = candidates.ranked[c]
            .iter()
            .filter(|(t, _)| self.belongs(t, candidates, c) && self.languages.documents_using(t) <= common.max(2))
            .collect();
        let mut pool: Vec<(String, f64)> = eligible
            .iter()
            .filter(|(t, _)| candidates.docs_using(t, c) >= shared)
            .take(self.params.pool)
            .map(|&p| p.clone())
            .collect();
        if pool.len() < label::HEAD {
            let mut rest: Vec<&(String, f64)> = eligible
                .iter()
                .filter(|(t, _)| (candidates.min_pages(c)..shared).contains(&candidates.docs_using(t, c)))
                .copied()
                .collect();
            rest.sort_by_key(|(t, _)| std::cmp::Reverse(candidates.docs_using(t, c)));
            pool.extend(rest.into_iter().take(label::HEAD - pool.len()).cloned());
        }
        pool
    }

    /// The vectors of every class's pool terms, one row per term in pool order, when the
    /// describer has term vectors (fetched at once: the model embeds them in batches).
    fn pool_vectors(&self, pools: &[Vec<(String, f64)>]) -> Result<Option<Array2<f32>>, ThemeError> {
        let pool_terms: Vec<&str> = pools.iter().flatten().map(|(t, _)| t.as_str()).collect();
        match self.vectors {
            Some(v) if !pool_terms.is_empty() => Ok(Some(v.vectors(&pool_terms)?)),
            _ => Ok(None),
        }
    }

    /// Step 3: the head of class `c`'s list (indices into its pool), by relevance to the
    /// class and novelty against the terms already picked.
    fn head(
        &self,
        candidates: &Candidates,
        classes: &[Option<usize>],
        c: usize,
        pool: &[(String, f64)],
        vectors: Option<ArrayView2<f32>>,
        centres: ArrayView2<f32>,
    ) -> Vec<usize> {
        let size = candidates.terms.sizes[c];
        let coverage: Vec<f32> =
            pool.iter().map(|(t, _)| candidates.docs_using(t, c) as f32 / size.max(1) as f32).collect();
        let association: Vec<f32> = pool
            .iter()
            .map(|(t, _)| {
                association(candidates.docs_using(t, c), size, self.languages.documents_using(t), self.documents.len())
            })
            .collect();
        let relevance = relevance(&association, vectors, centres, c, &self.params);
        let together = self.together(classes, c, pool);
        pick_head(pool, &coverage, &relevance, &together, vectors, &self.params)
    }

    /// For each pair of pool terms (i, j) of class `c`, the share of the class's pages using
    /// term j that also use term i: how much i is said on the same pages as j.
    fn together(&self, classes: &[Option<usize>], c: usize, pool: &[(String, f64)]) -> Array2<f32> {
        let members: Vec<usize> = (0..classes.len()).filter(|&i| classes[i] == Some(c)).collect();
        let uses: Vec<Vec<bool>> = pool
            .iter()
            .map(|(t, _)| members.iter().map(|&d| self.stats.per_doc[d].contains_key(t.as_str())).collect())
            .collect();
        let using: Vec<usize> = uses.iter().map(|u| u.iter().filter(|&&on| on).count()).collect();
        Array2::from_shape_fn((pool.len(), pool.len()), |(i, j)| {
            let both = uses[i].iter().zip(&uses[j]).filter(|(&a, &b)| a && b).count();
            both as f32 / using[j].max(1) as f32
        })
    }

    /// Step 4: up to `keep` keywords of class `c`, with their c-TF-IDF weights: the head, then
    /// the class's other candidates that belong to it, in rank order.
    fn keywords(
        &self,
        candidates: &Candidates,
        c: usize,
        pool: &[(String, f64)],
        head: &[usize],
        keep: usize,
    ) -> Vec<(String, f64)> {
        let mut keywords: Vec<(String, f64)> = head.iter().map(|&i| pool[i].clone()).collect();
        let rest: Vec<(String, f64)> = candidates.ranked[c]
            .iter()
            .filter(|(t, _)| self.belongs(t, candidates, c) && !keywords.iter().any(|(k, _)| k == t))
            .filter(|(t, _)| candidates.docs_using(t, c) >= candidates.min_pages(c))
            .take(keep.saturating_sub(keywords.len()))
            .cloned()
            .collect();
        keywords.extend(rest);
        keywords
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

    /// Step 5: class `c`'s label. Its two best keywords as an analyst would write them ("Waste
    /// management and recycling", see [`label::phrase`]), or its best phrase alone where that
    /// phrase says the theme better: measured by the harmonic mean of its coverage (the share of
    /// the class's pages using it) and its specificity (the share of the pages using it that are
    /// the class's), against the mean of the same for the pair's two terms. "Digital
    /// transformation" alone where its pages say that, "X and Y" where two terms together do.
    fn heading(&self, candidates: &Candidates, c: usize, kept: &[String], language: Option<&str>) -> String {
        let pair = label::phrase(kept, language);
        let size = candidates.terms.sizes[c].max(1) as f64;
        let score = |t: &str| {
            let own = candidates.docs_using(t, c) as f64;
            let (coverage, specificity) = (own / size, own / self.languages.documents_using(t).max(1) as f64);
            if coverage + specificity > 0.0 {
                2.0 * coverage * specificity / (coverage + specificity)
            } else {
                0.0
            }
        };
        let lower = pair.to_lowercase();
        let in_pair: Vec<f64> =
            kept.iter().take(label::HEAD).filter(|k| lower.contains(k.as_str())).take(2).map(|k| score(k)).collect();
        if in_pair.len() < 2 {
            return pair;
        }
        let pair_score = in_pair.iter().sum::<f64>() / in_pair.len() as f64;
        let phrase = kept
            .iter()
            .take(label::HEAD)
            .filter(|k| k.contains(' '))
            .max_by(|a, b| score(a).total_cmp(&score(b)).then_with(|| b.cmp(a)));
        match phrase {
            Some(p) if score(p) > pair_score => places::display_name(p)
                .split_once(' ')
                .map_or_else(|| places::display_name(p), |(first, rest)| format!("{first} {}", rest.to_lowercase())),
            _ => pair,
        }
    }

    /// Places among a class's ranked terms ("undp samoa" gives "samoa"), as names, each once. A
    /// subdivision counts only where its country is said too (the class's pages are from it, or
    /// name it): "Bay" is a Somali region only on pages about Somalia, "Paris" a place only
    /// beside France, not in "the Paris Agreement" alone.
    fn places(&self, ranked: &[(String, f64)], classes: &[Option<usize>], c: usize) -> Vec<String> {
        let mut said: std::collections::HashSet<String> = ranked.iter().map(|(t, _)| t.clone()).collect();
        for (d, class) in self.documents.iter().zip(classes) {
            if let (Some(country), Some(class)) = (&d.country, class) {
                if *class == c {
                    label::for_each_term(country, &self.stats.stop, |t| {
                        said.insert(t.to_string());
                    });
                }
            }
        }
        let found = ranked.iter().flat_map(|(t, _)| self.gazetteer.places_in(t, &self.stats.proper)).filter(|p| {
            let country = self.gazetteer.country_of(p);
            country.is_empty() || country.iter().any(|t| said.contains(t))
        });
        // Each place once, under its longest name ("Grenadines" is in "Saint Vincent and the
        // Grenadines").
        let inside = |short: &str, long: &str| long != short && format!(" {long} ").contains(&format!(" {short} "));
        let mut shown: Vec<String> = Vec::new();
        for place in places::distinct_places(found, self.params.places) {
            let name = self.gazetteer.display(place);
            if shown.iter().any(|s| *s == name || inside(&name, s)) {
                continue;
            }
            shown.retain(|s| !inside(s, &name));
            shown.push(name);
        }
        shown
    }

    /// Names a good part of class `c`'s pages share ([`SUBJECT_MIN_SHARE`], at least
    /// [`SUBJECT_MIN_DOCS`]) and that are mostly used by its pages (at least half of those
    /// naming it): the firm or person a theme is about, not its pages' authors or one page's
    /// mention. Best tied to the class first, each once ("malcolm glazer" and "glazer" are one).
    /// Only the class's ranked candidates are looked at: a name is one of its terms first; and
    /// only names in the class's script (a Ukrainian lab's "Лабораторія" is no English theme's
    /// subject).
    fn subjects(&self, candidates: &Candidates, classes: &[Option<usize>], c: usize) -> Vec<String> {
        let size = candidates.terms.sizes[c];
        let min = ((SUBJECT_MIN_SHARE * size as f64).ceil() as usize).max(SUBJECT_MIN_DOCS);
        let names: Vec<&str> =
            candidates.ranked[c].iter().map(|(t, _)| t.as_str()).filter(|t| self.stats.proper.all_names(t)).collect();
        // A first name or half a place's name ("vladimir", "sri") gives way to the pair it is
        // mostly said in, as keywords do.
        let pages: Vec<f32> = names.iter().map(|t| candidates.docs_using(t, c) as f32).collect();
        let mut found: Vec<(&str, f32)> = (0..names.len())
            .filter(|&i| !gives_way_to_pair(&names, &pages, i, &self.params))
            .map(|i| names[i])
            .filter(|t| !self.is_place(t) && !self.is_byline_name(t) && !self.is_common_name(t))
            .filter(|t| candidates.script[c].is_none_or(|s| whatlang::detect_script(t) == Some(s)))
            .filter(|t| !self.is_fragment(t, classes, c))
            .filter_map(|t| {
                let (own, all) = (candidates.docs_using(t, c), self.languages.documents_using(t));
                (own >= min && own * 2 >= all).then(|| (t, association(own, size, all, self.documents.len())))
            })
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut subjects: Vec<&str> = Vec::new();
        for (t, _) in found {
            if subjects.len() == self.params.places {
                break;
            }
            if !subjects.iter().any(|s| label::overlaps(s, t)) {
                subjects.push(t);
            }
        }
        subjects.into_iter().map(places::display_name).collect()
    }

    /// Whether a name is, on most of the pages of class `c` that write it, part of a longer name:
    /// a capitalised word stands right before or after it ("Aires" of "Buenos Aires", "York City"
    /// of "New York City", "Chittagong" of "Chittagong Hill Tracts") or it is joined to one
    /// ("Ambeno" of "Oecusse-Ambeno"). The longer name is the name; its part is none.
    fn is_fragment(&self, term: &str, classes: &[Option<usize>], c: usize) -> bool {
        let words: Vec<&str> = term.split(' ').collect();
        let mut buffer = String::new();
        let (mut seen, mut inside) = (0usize, 0usize);
        for (d, class) in self.documents.iter().zip(classes) {
            if *class != Some(c) {
                continue;
            }
            for line in d.text.lines() {
                let tokens: Vec<&str> = line.split_whitespace().collect();
                for i in 0..tokens.len().saturating_sub(words.len() - 1) {
                    let bare: Vec<&str> = label::words_of(tokens[i]).collect();
                    let first_matches = bare.iter().any(|w| {
                        label::normalise_word(w, &mut buffer);
                        buffer == words[0]
                    });
                    let rest_match = words[1..].iter().enumerate().all(|(k, w)| {
                        label::words_of(tokens[i + 1 + k]).any(|x| {
                            label::normalise_word(x, &mut buffer);
                            buffer == *w
                        })
                    });
                    if !(first_matches && rest_match) {
                        continue;
                    }
                    seen += 1;
                    let joined = bare.len() > 1;
                    let capital = |t: Option<&&str>| t.is_some_and(|t| t.starts_with(char::is_uppercase));
                    let before = i.checked_sub(1).map(|p| tokens[p]);
                    let opens = before.is_none_or(|b| b.ends_with(['.', '!', '?', ':']));
                    let next = tokens.get(i + words.len());
                    if joined || (!opens && capital(before.as_ref())) || capital(next) {
                        inside += 1;
                    }
                }
            }
        }
        seen > 0 && inside * 2 > seen
    }

    /// Whether a name is one a page is signed with (its author, as the page's byline or author
    /// block gives it): an author is not what a theme is about.
    fn is_byline_name(&self, term: &str) -> bool {
        self.authors.contains(term) || term.split(' ').all(|w| self.authors.contains(w))
    }

    /// Whether a name is the corpus's own vocabulary in its language: on more than
    /// [`LabelParams::max_corpus_share`] of that language's pages ("Laboratório de Aceleração"
    /// on the Portuguese pages of a corpus of the labs), as common words are.
    fn is_common_name(&self, term: &str) -> bool {
        let language = self.languages.of(term).or(self.languages.main());
        let Some(&size) = language.and_then(|l| self.languages.sizes.get(l)) else { return false };
        let used = language.map_or(0, |l| self.languages.df(term, l));
        size >= COMMON_NAME_MIN_PAGES && used as f64 > self.params.max_corpus_share * size as f64
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
            .filter(|(_, docs)| docs.len() >= self.params.min_other_language_docs)
            .filter_map(|(lang, docs)| {
                let mut df: TermMap<&str, usize> = TermMap::default();
                for &i in &docs {
                    self.stats.per_doc[i].keys().for_each(|t| *df.entry(t.as_str()).or_insert(0) += 1);
                }
                // The same rule as the main language's keywords (coverage × ln lift among the
                // language's own pages), on enough of the theme's pages, and the lift in
                // `other_language_lift`: "hicimos" or Uzbek "bilan" ("with") are as common in
                // every page of their language and say nothing.
                let all = self.languages.sizes.get(lang).copied().unwrap_or(1);
                // Words two pages of a few share are mostly their lab's or author's: a keyword is
                // on at least 3 of them and a quarter of them.
                let least = docs.len().div_ceil(4).max(3);
                let mut scored: Vec<(&str, f32)> = df
                    .into_iter()
                    .filter(|(t, d)| *d >= least && self.languages.of(t) == Some(lang))
                    .filter(|(t, _)| !self.is_place_or_name(t))
                    .filter_map(|(t, d)| {
                        let everywhere = self.languages.df(t, lang).max(d);
                        let lift = (d as f32 / docs.len() as f32) / (everywhere as f32 / all as f32);
                        (lift >= self.params.other_language_lift)
                            .then(|| (t, association(d, docs.len(), everywhere, all)))
                    })
                    .collect();
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                let mut picked: Vec<String> = Vec::new();
                for (t, _) in scored {
                    if !picked.iter().any(|p| label::overlaps(p, t)) {
                        picked.push(t.to_string());
                    }
                    if picked.len() == self.params.other_language_keywords {
                        break;
                    }
                }
                (!picked.is_empty()).then(|| (lang.to_string(), picked))
            })
            .collect()
    }
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
mod tests;
