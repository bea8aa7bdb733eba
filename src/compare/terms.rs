//! Distinctive terms: the words and phrases a group's pages use more than the corpus's other
//! pages in the same language, by log-odds with an informative Dirichlet prior (Monroe,
//! Colaresi & Quinn 2008), kept where the difference holds after correction for the number of
//! terms tested.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{Distinctive, FALSE_DISCOVERY_RATE, THIN};
use crate::analysis::Analysis;
use crate::stats::log_odds;
use crate::themes::describe::{is_content_term, Describer, TermStats};
use crate::themes::places::Gazetteer;

/// Strength of the Dirichlet prior (α₀) for terms.
const TERM_PRIOR: f64 = 500.0;

/// A value's distinctive terms among the documents of one language.
#[derive(Debug, Clone, Serialize)]
pub struct DistinctiveTerms {
    pub language: String,
    /// The value's documents in that language.
    pub documents: usize,
    /// Fewer than [`THIN`] documents: the terms are weak evidence.
    pub thin_evidence: bool,
    pub terms: Vec<Distinctive>,
}

/// Terms of every document, by language, for distinctive terms.
pub struct LanguageTerms<'a> {
    documents: &'a [crate::ingest::Document],
    /// The set of narrative terms of each document (places and personal names left out).
    terms: Vec<HashSet<String>>,
    /// Per language: in how many of its documents each term occurs (terms on too few pages
    /// left out), and the sum of those counts.
    df: HashMap<String, (HashMap<String, usize>, f64)>,
}

impl<'a> LanguageTerms<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        let docs = &analysis.corpus.documents;
        let gazetteer = Gazetteer::with_places_of(docs);
        let stats = TermStats::gather(docs, &gazetteer);
        let describer = Describer::new(docs, &stats, &gazetteer, None);
        // A language's terms in its own script only (an English page's Ukrainian byline is no
        // part of its English narrative), and only content terms (see `is_content_term`).
        let mut scripts: HashMap<String, HashMap<whatlang::Script, usize>> = HashMap::new();
        for d in docs {
            let sample: String = d.text.chars().take(1500).collect();
            if let Some(script) = whatlang::detect_script(&sample) {
                *scripts.entry(language(d)).or_default().entry(script).or_default() += 1;
            }
        }
        let script: HashMap<String, whatlang::Script> = scripts
            .into_iter()
            .filter_map(|(l, counts)| {
                counts.into_iter().max_by_key(|&(s, n)| (n, s.name().to_string())).map(|(s, _)| (l, s))
            })
            .collect();
        let terms: Vec<HashSet<String>> = describer
            .narrative_terms()
            .into_iter()
            .zip(docs)
            .map(|(terms, d)| {
                let own = script.get(&language(d));
                terms
                    .into_iter()
                    .filter(|t| is_content_term(t) && own.is_none_or(|&s| whatlang::detect_script(t) == Some(s)))
                    .collect()
            })
            .collect();
        let mut df: HashMap<String, (HashMap<String, usize>, f64)> = HashMap::new();
        let mut sizes: HashMap<String, usize> = HashMap::new();
        for (d, t) in docs.iter().zip(&terms) {
            let (counts, _) = df.entry(language(d)).or_default();
            t.iter().for_each(|t| *counts.entry(t.clone()).or_insert(0) += 1);
            *sizes.entry(language(d)).or_insert(0) += 1;
        }
        for (lang, (counts, total)) in df.iter_mut() {
            // Terms of a handful of pages only would dominate the extremes; keep those on 5+
            // pages (2+ where 5 pages is a large share of the language's).
            let min_pages = (sizes[lang] / 50).clamp(2, 5);
            counts.retain(|_, n| *n >= min_pages);
            *total = counts.values().map(|&n| n as f64).sum();
        }
        LanguageTerms { documents: docs, terms, df }
    }

    /// A group's distinctive terms in each language it has at least two documents in, the
    /// language with most documents first: log-odds z-scores of document counts against all the
    /// corpus's documents in that language (Monroe et al. 2008), kept where the test holds after
    /// the Benjamini–Hochberg correction for the number of terms tested. A term must be on
    /// [`MIN_TERM_PAGES`] of the group's pages (one page's words are that page's, not the
    /// group's); words of the group's own name say nothing of its narrative ("north" for North
    /// Macedonia); a word gives way to a kept phrase holding it on most of its pages ("solid" to
    /// "solid waste").
    pub(super) fn distinctive(&self, members: &[usize], value: &str) -> Vec<DistinctiveTerms> {
        let own: HashSet<String> =
            value.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        let named = |t: &str| t.split(' ').any(|w| own.contains(w));
        let mut by_language: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in members {
            by_language.entry(language(&self.documents[i])).or_default().push(i);
        }
        let mut out: Vec<DistinctiveTerms> = by_language
            .into_iter()
            .filter(|(_, docs)| docs.len() >= 2)
            .map(|(lang, docs)| {
                let (all, total) = &self.df[&lang];
                let mut in_group: HashMap<&str, usize> = HashMap::new();
                for &i in &docs {
                    for t in self.terms[i].iter().filter(|t| all.contains_key(t.as_str()) && !named(t)) {
                        *in_group.entry(t.as_str()).or_insert(0) += 1;
                    }
                }
                let n_group: f64 = in_group.values().map(|&c| c as f64).sum();
                let tested: Vec<Distinctive> = in_group
                    .into_iter()
                    .filter(|&(_, c)| c >= MIN_TERM_PAGES)
                    .map(|(t, c)| {
                        let everywhere = all[t] as f64;
                        // The prior is worth at most the language's own term counts: in a few
                        // dozen pages, 500 pseudo-counts would drown what the pages say.
                        let strength = TERM_PRIOR.min(*total);
                        let alpha = strength * everywhere / total;
                        let lo = log_odds(c as f64, n_group, everywhere - c as f64, total - n_group, alpha, strength);
                        Distinctive { name: t.to_string(), theme_id: None, count: c, z: lo.z, delta: lo.delta }
                    })
                    .collect();
                let mut scored = significant_over(tested);
                let pages: Vec<(String, usize)> = scored.iter().map(|d| (d.name.clone(), d.count)).collect();
                scored.retain(|d| {
                    d.name.contains(' ')
                        || !pages
                            .iter()
                            .any(|(p, n)| p.contains(' ') && p.split(' ').any(|w| w == d.name) && 2 * n >= d.count)
                });
                scored.truncate(15);
                DistinctiveTerms {
                    language: lang,
                    documents: docs.len(),
                    thin_evidence: docs.len() < THIN,
                    terms: scored,
                }
            })
            .collect();
        out.sort_by(|a, b| b.documents.cmp(&a.documents).then_with(|| a.language.cmp(&b.language)));
        out
    }
}

/// A distinctive term is on at least this many of its group's pages.
const MIN_TERM_PAGES: usize = 3;

/// The items used more by a group than elsewhere whose difference holds after the
/// Benjamini–Hochberg correction across all `tested` (one-sided p of z), strongest first.
pub fn significant_over(tested: Vec<Distinctive>) -> Vec<Distinctive> {
    let p: Vec<Option<f64>> = tested.iter().map(|d| Some(crate::stats::normal_tail(d.z))).collect();
    let q = crate::stats::benjamini_hochberg(&p);
    let mut kept: Vec<Distinctive> = tested
        .into_iter()
        .zip(q)
        .filter(|(d, q)| d.z > 0.0 && q.is_some_and(|q| q <= FALSE_DISCOVERY_RATE))
        .map(|(d, _)| d)
        .collect();
    kept.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.name.cmp(&b.name)));
    kept
}

fn language(d: &crate::ingest::Document) -> String {
    d.language.clone().unwrap_or_else(|| "unknown".into())
}
