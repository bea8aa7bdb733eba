//! Comparing facets (countries, continents, years, types): theme shares, distinctive themes
//! and terms by log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008),
//! and how similar the narratives are.

use std::collections::{BTreeMap, HashMap, HashSet};

use ndarray::Array1;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::ingest::Document;
use crate::summarise::SummarySentence;
use crate::themes::describe::{is_content_term, Describer, TermStats};
use crate::themes::places::Gazetteer;
use crate::themes::ThemeId;
use crate::trends::Period;

/// What documents are grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    Country,
    Continent,
    Year,
    Type,
    Language,
    /// The sub-folder of the input folder a file sits in.
    Folder,
    /// Any `[[key:…]]` metadata key (its first value).
    Key(String),
}

impl std::str::FromStr for Facet {
    type Err = std::convert::Infallible;

    /// A facet's name: country, continent, year, type, language, folder, or any metadata key.
    fn from_str(name: &str) -> Result<Facet, Self::Err> {
        Ok(match name {
            "country" => Facet::Country,
            "continent" => Facet::Continent,
            "year" => Facet::Year,
            "type" => Facet::Type,
            "language" => Facet::Language,
            "folder" => Facet::Folder,
            key => Facet::Key(key.to_ascii_lowercase()),
        })
    }
}

impl Serialize for Facet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl Facet {
    /// The facet's name as used in flags and, made safe, in file names.
    pub fn name(&self) -> String {
        match self {
            Facet::Country => "country".into(),
            Facet::Continent => "continent".into(),
            Facet::Year => "year".into(),
            Facet::Type => "type".into(),
            Facet::Language => "language".into(),
            Facet::Folder => "folder".into(),
            Facet::Key(key) => {
                key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect()
            }
        }
    }

    /// A document's value for this facet; `None` when the page does not say. Years come from
    /// the (placeholder-free) date when there is one.
    pub fn value(&self, d: &Document) -> Option<String> {
        match self {
            Facet::Country => d.country.clone(),
            Facet::Continent => d.continent.clone(),
            Facet::Year => d.year.map(|y| y.to_string()),
            Facet::Type => d.doc_type.clone(),
            Facet::Language => d.language.clone(),
            Facet::Folder => d.folder(),
            Facet::Key(key) => crate::ingest::parse::first(&d.metadata, key).map(|v| v.trim().to_string()),
        }
    }
}

/// Values compared when neither names nor `--top` are given.
pub const DEFAULT_TOP: usize = 12;

/// The values to compare: those named (each said when it has no documents), or the `top` most
/// frequent ones ([`DEFAULT_TOP`] unless asked); and notes on what was asked and could not be met. An error when no value repeats: a facet
/// whose every value is its own (a URL, a title) has nothing to compare.
pub fn choose_values(
    documents: &[Document],
    facet: &Facet,
    named: Vec<String>,
    top: Option<usize>,
) -> Result<(Vec<String>, Vec<String>), String> {
    let counts = value_counts(documents, facet);
    let name = facet.name();
    if counts.is_empty() {
        return Err(format!("no document has a {name}; nothing to compare"));
    }
    if counts[0].1 < 2 {
        return Err(format!("every {name} occurs once ({} values): nothing to compare", counts.len()));
    }
    let mut notes = Vec::new();
    if named.is_empty() {
        if let Some(top) = top.filter(|&t| t > counts.len()) {
            notes.push(format!("--top {top}: there are only {} values of {name}", counts.len()));
        }
        return Ok((counts.into_iter().take(top.unwrap_or(DEFAULT_TOP)).map(|(v, _)| v).collect(), notes));
    }
    for v in named.iter().filter(|v| !counts.iter().any(|(c, _)| c == *v)) {
        notes.push(format!("no document has {name} {v:?}; it is compared with no documents"));
    }
    Ok((named, notes))
}

/// Documents per value of a facet, most frequent first (ties by name).
fn value_counts(documents: &[Document], facet: &Facet) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in documents.iter().filter_map(|d| facet.value(d)) {
        *counts.entry(v).or_insert(0) += 1;
    }
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// Values with fewer documents than this are shown but flagged as thin evidence.
pub const THIN: usize = 5;
/// Strength of the Dirichlet prior (α₀) for themes and for terms.
const THEME_PRIOR: f64 = 10.0;
const TERM_PRIOR: f64 = 500.0;

/// One item's log-odds against the rest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogOdds {
    pub delta: f64,
    pub z: f64,
}

/// Log-odds ratio of an item between a group and the rest, with an informative Dirichlet
/// prior (Monroe et al. 2008, eqs. 16-22): `y_*` are the item's counts, `n_*` the totals,
/// `alpha` the item's prior count and `alpha0` the prior's total.
pub fn log_odds(y_group: f64, n_group: f64, y_rest: f64, n_rest: f64, alpha: f64, alpha0: f64) -> LogOdds {
    let odds = |y: f64, n: f64| ((y + alpha) / (n + alpha0 - y - alpha)).ln();
    let delta = odds(y_group, n_group) - odds(y_rest, n_rest);
    let variance = 1.0 / (y_group + alpha) + 1.0 / (y_rest + alpha);
    LogOdds { delta, z: delta / variance.sqrt() }
}

/// A theme or term that one value over- or under-uses.
#[derive(Debug, Clone, Serialize)]
pub struct Distinctive {
    pub name: String,
    /// The theme's stable id (none for a term).
    pub theme_id: Option<ThemeId>,
    pub count: usize,
    pub z: f64,
    pub delta: f64,
}

/// Everything said about one facet value.
#[derive(Debug, Clone, Serialize)]
pub struct ValueProfile {
    pub value: String,
    pub documents: usize,
    /// Fewer than [`THIN`] documents: shares and contrasts are weak evidence.
    pub thin_evidence: bool,
    /// Its documents in each theme, in the order of [`Comparison::themes`].
    pub themes: Vec<ThemeShare>,
    pub over_represented: Vec<Distinctive>,
    pub under_represented: Vec<Distinctive>,
    /// Its distinctive terms in the language of most of its documents …
    pub distinctive_terms: Vec<Distinctive>,
    /// … and in each language it has documents in, each measured against the corpus's other
    /// documents in that language, so that a language is never mistaken for a narrative.
    pub distinctive_terms_by_language: Vec<DistinctiveTerms>,
    /// Sentences from this value's documents in its most over-represented themes.
    pub sentences: Vec<SummarySentence>,
    /// With `--over`: its themes' shares per period among its own documents, and which of them
    /// rise or fall (the same test as the analysis's themes over time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_time: Option<ValueOverTime>,
}

/// One facet value's themes over time.
#[derive(Debug, Clone, Serialize)]
pub struct ValueOverTime {
    /// Each period and the value's documents in it.
    pub periods: Vec<(String, usize)>,
    /// Periods with enough of its documents to give shares.
    pub tested: usize,
    /// The value's documents without a date of that precision.
    pub undated: usize,
    /// Its rising and falling themes.
    pub moving: Vec<crate::trends::ThemeTrend>,
}

/// A pair of values and how alike their narratives are.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub theme_similarity: f64,
    pub vector_similarity: f64,
}

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

/// A value's documents in one theme.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeShare {
    pub theme_id: ThemeId,
    pub documents: usize,
    /// `documents` over the value's documents.
    pub share: f64,
}

/// A theme as a comparison names it.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeRef {
    pub id: ThemeId,
    pub label: String,
}

/// A whole comparison, as written to `compare-<facet>.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub facet: Facet,
    pub themes: Vec<ThemeRef>,
    pub values: Vec<ValueProfile>,
    /// Jensen-Shannon similarity (1 − JS divergence, base 2) of theme shares, values × values.
    pub theme_similarity: Vec<Vec<f64>>,
    /// Cosine of the values' mean document vectors, values × values.
    pub vector_similarity: Vec<Vec<f64>>,
    pub most_similar: Vec<Pair>,
    pub most_different: Vec<Pair>,
    /// Documents without a value for the facet (left out of the comparison).
    pub without_value: usize,
    /// The periods of each value's themes over time, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over: Option<Period>,
}

/// Jensen-Shannon similarity of two distributions: 1 − JSD with base-2 logarithms (in 0..=1).
pub fn js_similarity(p: &[f64], q: &[f64]) -> f64 {
    let kl = |a: &[f64], m: &[f64]| -> f64 {
        a.iter().zip(m).filter(|(x, _)| **x > 0.0).map(|(x, y)| x * (x / y).log2()).sum()
    };
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect();
    1.0 - (0.5 * kl(p, &m) + 0.5 * kl(q, &m))
}

/// Compares `values` of `facet` across the analysed documents; `terms` are the analysis's
/// (see [`LanguageTerms::new`]), gathered once for any number of comparisons.
/// With `periods`, each value's themes over those periods too.
pub fn compare(
    analysis: &Analysis,
    terms: &LanguageTerms,
    facet: Facet,
    values: &[String],
    periods: Option<Period>,
) -> Comparison {
    let docs = &analysis.corpus.documents;
    let k = analysis.model.themes.len();
    let doc_value: Vec<Option<String>> = docs.iter().map(|d| facet.value(d)).collect();
    let without_value = doc_value.iter().filter(|v| v.is_none()).count();

    let mut theme_total = vec![0usize; k];
    analysis.model.assignments.iter().for_each(|&t| theme_total[t] += 1);
    let n_all = docs.len() as f64;

    let profiles: Vec<ValueProfile> = values
        .iter()
        .map(|value| {
            let members: Vec<usize> = (0..docs.len()).filter(|&i| doc_value[i].as_deref() == Some(value)).collect();
            let n = members.len();
            let mut counts = vec![0usize; k];
            members.iter().for_each(|&i| counts[analysis.model.assignments[i]] += 1);
            let shares: Vec<f64> = counts.iter().map(|&c| if n == 0 { 0.0 } else { c as f64 / n as f64 }).collect();
            let theme_odds: Vec<Distinctive> = (0..k)
                .map(|t| {
                    let alpha = THEME_PRIOR * theme_total[t] as f64 / n_all;
                    let lo = log_odds(
                        counts[t] as f64,
                        n as f64,
                        (theme_total[t] - counts[t]) as f64,
                        n_all - n as f64,
                        alpha,
                        THEME_PRIOR,
                    );
                    Distinctive {
                        name: analysis.model.themes[t].label.clone(),
                        theme_id: Some(analysis.model.themes[t].id),
                        count: counts[t],
                        z: lo.z,
                        delta: lo.delta,
                    }
                })
                .collect();
            let mut over: Vec<Distinctive> = theme_odds.iter().filter(|d| d.z > 0.0 && d.count > 0).cloned().collect();
            over.sort_by(|a, b| b.z.total_cmp(&a.z));
            over.truncate(5);
            let mut under: Vec<Distinctive> = theme_odds.into_iter().filter(|d| d.z < 0.0).collect();
            under.sort_by(|a, b| a.z.total_cmp(&b.z));
            under.truncate(5);
            let by_language = terms.distinctive(&members, value);
            let distinctive_terms = by_language.first().map(|l| l.terms.clone()).unwrap_or_default();
            let sentences = sentences_for(analysis, &members, &over);
            let themes = (0..k)
                .map(|t| ThemeShare { theme_id: analysis.model.themes[t].id, documents: counts[t], share: shares[t] })
                .collect();
            ValueProfile {
                value: value.clone(),
                documents: n,
                thin_evidence: n < THIN,
                themes,
                over_represented: over,
                under_represented: under,
                distinctive_terms,
                distinctive_terms_by_language: by_language,
                sentences,
                over_time: periods.map(|period| over_time(analysis, &members, period)),
            }
        })
        .collect();

    let means: Vec<Array1<f32>> = values
        .iter()
        .map(|value| {
            let mut mean = Array1::<f32>::zeros(analysis.vectors.ncols());
            for i in (0..docs.len()).filter(|&i| doc_value[i].as_deref() == Some(value)) {
                mean += &analysis.vectors.row(i);
            }
            crate::embed::normalize(mean.as_slice_mut().expect("a fresh array is contiguous"));
            mean
        })
        .collect();
    let m = values.len();
    let shares: Vec<Vec<f64>> = profiles.iter().map(|p| p.themes.iter().map(|t| t.share).collect()).collect();
    let theme_similarity: Vec<Vec<f64>> =
        (0..m).map(|a| (0..m).map(|b| js_similarity(&shares[a], &shares[b])).collect()).collect();
    let vector_similarity: Vec<Vec<f64>> =
        (0..m).map(|a| (0..m).map(|b| means[a].dot(&means[b]) as f64).collect()).collect();
    let mut pairs: Vec<Pair> = (0..m)
        .flat_map(|a| (a + 1..m).map(move |b| (a, b)))
        .filter(|&(a, b)| profiles[a].documents > 0 && profiles[b].documents > 0)
        .map(|(a, b)| Pair {
            a: values[a].clone(),
            b: values[b].clone(),
            theme_similarity: theme_similarity[a][b],
            vector_similarity: vector_similarity[a][b],
        })
        .collect();
    pairs.sort_by(|x, y| y.theme_similarity.total_cmp(&x.theme_similarity).then_with(|| x.a.cmp(&y.a)));
    let most_similar: Vec<Pair> = pairs.iter().take(5).cloned().collect();
    let most_different: Vec<Pair> = pairs.iter().rev().take(5).cloned().collect();
    Comparison {
        facet,
        themes: analysis.model.themes.iter().map(|t| ThemeRef { id: t.id, label: t.label.clone() }).collect(),
        values: profiles,
        theme_similarity,
        vector_similarity,
        most_similar,
        most_different,
        without_value,
        over: periods,
    }
}

/// A value's themes over time: the trends of its own documents.
fn over_time(analysis: &Analysis, members: &[usize], period: Period) -> ValueOverTime {
    let docs: Vec<Document> = members.iter().map(|&i| analysis.corpus.documents[i].clone()).collect();
    let assignments: Vec<usize> = members.iter().map(|&i| analysis.model.assignments[i]).collect();
    let ids: Vec<ThemeId> = analysis.model.themes.iter().map(|t| t.id).collect();
    let options = crate::trends::TrendOptions { period, ..analysis.trends.options };
    let trends = crate::trends::Trends::of(&docs, &assignments, &ids, options);
    ValueOverTime {
        tested: trends.tested_periods().len(),
        periods: trends.periods,
        undated: trends.undated,
        moving: trends.themes.into_iter().filter(|t| t.direction.is_some()).collect(),
    }
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
    fn distinctive(&self, members: &[usize], value: &str) -> Vec<DistinctiveTerms> {
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
                        let alpha = TERM_PRIOR * everywhere / total;
                        let lo = log_odds(c as f64, n_group, everywhere - c as f64, total - n_group, alpha, TERM_PRIOR);
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

/// The false discovery rate at which a difference is stated.
pub const FALSE_DISCOVERY_RATE: f64 = 0.05;

/// The items used more by a group than elsewhere whose difference holds after the
/// Benjamini–Hochberg correction across all `tested` (one-sided p of z), strongest first.
pub fn significant_over(tested: Vec<Distinctive>) -> Vec<Distinctive> {
    let p: Vec<Option<f64>> = tested.iter().map(|d| Some(crate::trends::normal_tail(d.z))).collect();
    let q = crate::trends::benjamini_hochberg(&p);
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

/// Up to three sentences from the group's own documents in its two most over-represented
/// themes: the summary sentence of the documents closest to each theme's centre.
fn sentences_for(analysis: &Analysis, members: &[usize], over: &[Distinctive]) -> Vec<SummarySentence> {
    let mut out = Vec::new();
    for theme in over.iter().take(2).filter_map(|d| d.theme_id.and_then(|id| analysis.model.position(id))) {
        let mut docs: Vec<usize> =
            members.iter().copied().filter(|&i| analysis.model.assignments[i] == theme).collect();
        docs.sort_by(|&a, &b| analysis.model.similarities[b].total_cmp(&analysis.model.similarities[a]));
        for i in docs.into_iter().take(2) {
            if let Some(s) = analysis.summaries.documents.get(i).and_then(|s| s.first()) {
                out.push(s.clone());
            }
        }
    }
    out.truncate(3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_odds_hand_computed() {
        // Group: 30 of 100 documents in the theme; rest: 70 of 900; prior α = 10·100/1000 = 1, α₀ = 10.
        let lo = log_odds(30.0, 100.0, 70.0, 900.0, 1.0, 10.0);
        let group = (31.0f64 / (100.0 + 10.0 - 30.0 - 1.0)).ln(); // ln(31/79)
        let rest = (71.0f64 / (900.0 + 10.0 - 70.0 - 1.0)).ln(); // ln(71/839)
        assert!((lo.delta - (group - rest)).abs() < 1e-12);
        let sigma = (1.0 / 31.0 + 1.0 / 71.0f64).sqrt();
        assert!((lo.z - (group - rest) / sigma).abs() < 1e-12);
        assert!(lo.z > 5.0, "a theme three times as common is clearly distinctive: {}", lo.z);
    }

    #[test]
    fn log_odds_is_zero_for_equal_rates() {
        let lo = log_odds(10.0, 100.0, 90.0, 900.0, 1.0, 10.0);
        assert!(lo.delta.abs() < 0.01 && lo.z.abs() < 0.05, "{lo:?}");
    }

    #[test]
    fn js_similarity_bounds() {
        assert!((js_similarity(&[0.5, 0.5], &[0.5, 0.5]) - 1.0).abs() < 1e-12);
        assert!(js_similarity(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-12);
        // Empty groups (all zeros) compare without dividing by zero.
        assert!(js_similarity(&[0.0, 0.0], &[0.5, 0.5]).is_finite());
    }

    fn doc(country: Option<&str>, year: Option<i32>) -> Document {
        let mut d = crate::ingest::build_document("# T\nSome text here.", "x".into(), "a.txt".into());
        d.country = country.map(str::to_string);
        d.year = year;
        d
    }

    #[test]
    fn facets_read_documents() {
        let global = crate::ingest::build_document("# T\n[[country:Null Island]]\nText.", "x".into(), "a.txt".into());
        assert_eq!(Facet::Country.value(&global).as_deref(), Some("Global"));
        assert_eq!(Facet::Continent.value(&global).as_deref(), Some("Global"));
        assert_eq!(Facet::Country.value(&doc(None, None)), None);
        let dated =
            crate::ingest::build_document("# T\n[[year:1970]]\nMAY 30, 2023\nText here.", "x".into(), "a.txt".into());
        assert_eq!(Facet::Year.value(&dated).as_deref(), Some("2023"));
        let docs = vec![doc(Some("Peru"), None), doc(Some("Kenya"), None), doc(Some("Kenya"), None), doc(None, None)];
        let (values, notes) = choose_values(&docs, &Facet::Country, Vec::new(), Some(5)).unwrap();
        assert_eq!(values, vec!["Kenya", "Peru"]);
        assert_eq!(notes, vec!["--top 5: there are only 2 values of country"]);
        let (_, notes) = choose_values(&docs, &Facet::Country, Vec::new(), None).unwrap();
        assert!(notes.is_empty(), "the default number of values is no request: {notes:?}");
        let (_, notes) = choose_values(&docs, &Facet::Country, vec!["Chad".into()], Some(5)).unwrap();
        assert_eq!(notes, vec!["no document has country \"Chad\"; it is compared with no documents"]);
        let unique = vec![doc(Some("Peru"), None), doc(Some("Kenya"), None)];
        assert!(choose_values(&unique, &Facet::Country, Vec::new(), None).unwrap_err().contains("occurs once"));
    }
}
