//! Comparing facets (countries, regions, bureaux, years, types, …): which themes each value
//! writes about more or less than the rest, its distinctive terms, how alike the values'
//! narratives are, and a paragraph on each, stating only what the data supports.
//!
//! - Theme shares are shown with their count and a 95% Wilson interval, and estimated with
//!   shrinkage towards the corpus's shares (a Dirichlet-multinomial whose strength is estimated
//!   from the values themselves, [`stats::prior_strength`]): a value of a few pages cannot top a
//!   table on one page.
//! - Over- and under-represented themes are log-odds with an informative Dirichlet prior
//!   (Monroe, Colaresi & Quinn 2008); only those that hold after the Benjamini–Hochberg
//!   correction across every (value, theme) test of the comparison are listed, the rest counted.
//! - Values with fewer than the minimum of documents are listed apart and left out of rankings
//!   and similarities; pages tied to no country are set apart from place facets.
//! - A similarity comes with a bootstrap interval, and a pair is called different only where a
//!   permutation test of its difference holds after the same correction across pairs.

pub mod facet;
pub mod regions;
mod terms;

use ndarray::Array1;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::ingest::Document;
use crate::stats::{
    self, benjamini_hochberg, js_similarity, log_odds, normal_score, normal_tail, percent, wilson, Fisher, Interval,
    Similarity,
};
use crate::summarise::SummarySentence;
use crate::themes::ThemeId;
use crate::trends::Period;

pub use facet::{choose_values, Facet, Selection, ValueCount, DEFAULT_MIN_DOCUMENTS, DEFAULT_TOP};
pub use terms::{significant_over, DistinctiveTerms, LanguageTerms};

/// Values with fewer documents in a language than this have their terms there flagged as thin
/// evidence.
pub const THIN: usize = 5;

/// The false discovery rate at which a difference is stated.
pub const FALSE_DISCOVERY_RATE: f64 = 0.05;

/// Strength of the Dirichlet prior (α₀) of the themes' log-odds.
const THEME_PRIOR: f64 = 10.0;

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

/// A value's documents in one theme.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeShare {
    pub theme_id: ThemeId,
    pub documents: usize,
    /// `documents` over the value's documents …
    pub share: f64,
    /// … with its 95% Wilson interval …
    pub low: f64,
    pub high: f64,
    /// … and shrunk towards the corpus's share: what rankings and similarities use.
    pub estimate: f64,
    /// The theme's share of the other values' documents (all documents but this value's).
    pub elsewhere: f64,
}

/// Everything said about one facet value.
#[derive(Debug, Clone, Serialize)]
pub struct ValueProfile {
    pub value: String,
    pub documents: usize,
    /// Its documents in each theme, in the order of [`Comparison::themes`].
    pub themes: Vec<ThemeShare>,
    /// Themes it writes about more than the rest, where that holds after correction …
    pub over_represented: Vec<Distinctive>,
    /// … and less.
    pub under_represented: Vec<Distinctive>,
    /// Its other differences from the rest, all within chance.
    pub within_chance: usize,
    /// Its distinctive terms in the language of most of its documents …
    pub distinctive_terms: Vec<Distinctive>,
    /// … and in each language it has documents in, each measured against the corpus's other
    /// documents in that language, so that a language is never mistaken for a narrative.
    pub distinctive_terms_by_language: Vec<DistinctiveTerms>,
    /// The years its pages come from: first and last.
    pub years: Option<(i32, i32)>,
    /// Sentences from this value's documents in its most over-represented themes.
    pub sentences: Vec<SummarySentence>,
    /// The two pages that show it best: closest to the centre of its most over-represented
    /// theme (or of its largest).
    pub best_pages: Vec<PageRef>,
    /// The value in one paragraph, from its significant differences only.
    pub profile: String,
    /// With `--over`: its themes' shares per period among its own documents, and which of them
    /// rise or fall (the same test as the analysis's themes over time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_time: Option<ValueOverTime>,
}

/// A page cited by its title.
#[derive(Debug, Clone, Serialize)]
pub struct PageRef {
    pub doc_id: String,
    pub title: String,
    pub source: Option<String>,
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
    /// Its themes whose share changes across the periods beyond chance.
    pub moving: Vec<crate::trends::ThemeTrend>,
}

/// A pair of values and how alike their narratives are.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// Jensen-Shannon similarity of the shrunk theme shares, with its bootstrap interval and
    /// the permutation test of their difference.
    pub theme_similarity: Similarity,
    /// The permutation p-values adjusted across all pairs (Benjamini–Hochberg).
    pub q: f64,
    /// Whether the two differ beyond what two samples of one pool would.
    pub different: bool,
    pub vector_similarity: f64,
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
    /// Values with fewer documents than `min_documents`: not compared.
    pub too_few: Vec<ValueCount>,
    pub min_documents: usize,
    /// For a place facet: pages tied to no country, set apart.
    pub apart: usize,
    /// How many pseudo-documents of the corpus's shares each value's shares lean on.
    pub prior_strength: f64,
    pub false_discovery_rate: f64,
    /// Jensen-Shannon similarity (1 − JS divergence, base 2) of shrunk theme shares, values ×
    /// values.
    pub theme_similarity: Vec<Vec<f64>>,
    /// Cosine of the values' mean document vectors, values × values.
    pub vector_similarity: Vec<Vec<f64>>,
    pub most_similar: Vec<Pair>,
    /// Pairs that differ beyond chance, least alike first.
    pub most_different: Vec<Pair>,
    /// Documents without a value for the facet (left out of the comparison).
    pub without_value: usize,
    /// The periods of each value's themes over time, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over: Option<Period>,
}

/// The compared values' documents in each theme, and the corpus's shares they are shrunk
/// towards: what a comparison, the report's countries and their charts all count from.
#[derive(Debug, Clone)]
pub struct Shares {
    pub values: Vec<String>,
    /// Each value's documents, by position in the analysis.
    pub members: Vec<Vec<usize>>,
    /// Each value's documents in each theme (by theme position).
    pub counts: Vec<Vec<usize>>,
    /// Every theme's documents in the whole corpus, and its share of them.
    pub theme_total: Vec<usize>,
    pub corpus: Vec<f64>,
    /// The strength of the shrinkage (see [`stats::prior_strength`]).
    pub alpha: f64,
}

impl Shares {
    /// Counts the documents of each value of `selection` in each theme.
    pub fn of(analysis: &Analysis, facet: &Facet, selection: &Selection) -> Shares {
        let docs = &analysis.corpus.documents;
        let k = analysis.model.themes.len();
        let assignments = &analysis.model.assignments;
        let doc_value: Vec<Option<String>> = docs.iter().map(|d| facet.value(d)).collect();
        let members: Vec<Vec<usize>> = selection
            .values
            .iter()
            .map(|value| (0..docs.len()).filter(|&i| doc_value[i].as_deref() == Some(value)).collect())
            .collect();
        let counts: Vec<Vec<usize>> = members
            .iter()
            .map(|m| {
                let mut c = vec![0usize; k];
                m.iter().for_each(|&i| c[assignments[i]] += 1);
                c
            })
            .collect();
        let mut theme_total = vec![0usize; k];
        assignments.iter().for_each(|&t| theme_total[t] += 1);
        let corpus: Vec<f64> = theme_total.iter().map(|&c| c as f64 / docs.len().max(1) as f64).collect();
        let alpha = stats::prior_strength(&counts, &corpus);
        Shares { values: selection.values.clone(), members, counts, theme_total, corpus, alpha }
    }

    /// Value `v`'s theme shares shrunk towards the corpus's.
    pub fn estimates(&self, v: usize) -> Vec<f64> {
        stats::shrunk(&self.counts[v], &self.corpus, self.alpha)
    }
}

/// The `top` values of `facet` with the most documents, compared with the default rules (at
/// least [`DEFAULT_MIN_DOCUMENTS`], pages tied to no place set apart), and their theme counts:
/// what the main report shows of its countries. `None` when no value has enough documents.
pub fn overview(analysis: &Analysis, facet: &Facet, top: usize) -> Option<(Selection, Shares)> {
    let selection =
        choose_values(&analysis.corpus.documents, facet, Vec::new(), Some(top), DEFAULT_MIN_DOCUMENTS).ok()?;
    let shares = Shares::of(analysis, facet, &selection);
    Some((selection, shares))
}

/// Pairs listed as most alike and as most different.
const PAIRS_SHOWN: usize = 5;

/// Compares the values of `selection` (see [`choose_values`]) of `facet` across the analysed
/// documents; `terms` are the analysis's (see [`LanguageTerms::new`]), gathered once for any
/// number of comparisons. With `periods`, each value's themes over those periods too.
pub fn compare(
    analysis: &Analysis,
    terms: &LanguageTerms,
    facet: Facet,
    selection: &Selection,
    periods: Option<Period>,
) -> Comparison {
    let docs = &analysis.corpus.documents;
    let k = analysis.model.themes.len();
    let assignments = &analysis.model.assignments;
    let without_value = docs.iter().filter(|d| facet.value(d).is_none()).count() - selection.apart;
    let values = &selection.values;
    let shares = Shares::of(analysis, &facet, selection);
    let Shares { members, counts, theme_total, corpus, alpha, .. } = &shares;
    let alpha = *alpha;
    let n_all = docs.len() as f64;

    // Every (value, theme) difference: its size as a log-odds ratio, its p-value by Fisher's
    // exact test (shown as the normal score of that p), then one Benjamini–Hochberg correction
    // across them all.
    let fisher = Fisher::new(docs.len());
    let odds: Vec<Vec<Distinctive>> = counts
        .iter()
        .zip(members)
        .map(|(c, m)| {
            (0..k)
                .map(|t| {
                    let prior = THEME_PRIOR * theme_total[t] as f64 / n_all;
                    let rest = (theme_total[t] - c[t]) as f64;
                    let lo = log_odds(c[t] as f64, m.len() as f64, rest, n_all - m.len() as f64, prior, THEME_PRIOR);
                    let others = docs.len() - m.len();
                    let elsewhere = theme_total[t] - c[t];
                    let p = fisher.two_sided(c[t], m.len() - c[t], elsewhere, others - elsewhere);
                    let theme = &analysis.model.themes[t];
                    Distinctive {
                        name: theme.label.clone(),
                        theme_id: Some(theme.id),
                        count: c[t],
                        z: lo.delta.signum() * normal_score(p),
                        delta: lo.delta,
                    }
                })
                .collect()
        })
        .collect();
    let p: Vec<Option<f64>> = odds.iter().flatten().map(|d| Some(2.0 * normal_tail(d.z.abs()))).collect();
    let q = benjamini_hochberg(&p);

    let theme_refs: Vec<ThemeRef> =
        analysis.model.themes.iter().map(|t| ThemeRef { id: t.id, label: t.label.clone() }).collect();
    let profiles: Vec<ValueProfile> = values
        .iter()
        .enumerate()
        .map(|(v, value)| {
            let n = members[v].len();
            let held: Vec<bool> = (0..k).map(|t| q[v * k + t].is_some_and(|q| q <= FALSE_DISCOVERY_RATE)).collect();
            let mut over: Vec<Distinctive> =
                odds[v].iter().zip(&held).filter(|(d, &h)| h && d.z > 0.0).map(|(d, _)| d.clone()).collect();
            over.sort_by(|a, b| b.z.total_cmp(&a.z));
            let mut under: Vec<Distinctive> =
                odds[v].iter().zip(&held).filter(|(d, &h)| h && d.z < 0.0).map(|(d, _)| d.clone()).collect();
            under.sort_by(|a, b| a.z.total_cmp(&b.z));
            let within_chance = k - over.len() - under.len();
            let estimate = shares.estimates(v);
            let themes = (0..k)
                .map(|t| {
                    let Interval { value, low, high } = wilson(counts[v][t], n.max(1));
                    ThemeShare {
                        theme_id: analysis.model.themes[t].id,
                        documents: counts[v][t],
                        share: value,
                        low,
                        high,
                        estimate: estimate[t],
                        elsewhere: (theme_total[t] - counts[v][t]) as f64 / (n_all - n as f64).max(1.0),
                    }
                })
                .collect();
            let by_language = terms.distinctive(&members[v], value);
            let distinctive_terms = by_language.first().map(|l| l.terms.clone()).unwrap_or_default();
            let years = years_of(members[v].iter().map(|&i| &docs[i]));
            let best_pages = best_pages(analysis, &members[v], &over, &counts[v]);
            let mut profile = ValueProfile {
                value: value.clone(),
                documents: n,
                themes,
                sentences: sentences_for(analysis, &members[v], &over),
                over_represented: over,
                under_represented: under,
                within_chance,
                distinctive_terms,
                distinctive_terms_by_language: by_language,
                years,
                best_pages,
                profile: String::new(),
                over_time: periods.map(|period| over_time(analysis, &members[v], period)),
            };
            profile.profile = paragraph(&profile, &theme_refs, facet.plural());
            profile
        })
        .collect();

    let means: Vec<Array1<f32>> = members
        .iter()
        .map(|m| {
            let mut mean = Array1::<f32>::zeros(analysis.vectors.ncols());
            m.iter().for_each(|&i| mean += &analysis.vectors.row(i));
            crate::embed::normalize(mean.as_slice_mut().expect("a fresh array is contiguous"));
            mean
        })
        .collect();
    let m = values.len();
    let estimates: Vec<Vec<f64>> = profiles.iter().map(|p| p.themes.iter().map(|t| t.estimate).collect()).collect();
    let theme_similarity: Vec<Vec<f64>> =
        (0..m).map(|a| (0..m).map(|b| js_similarity(&estimates[a], &estimates[b])).collect()).collect();
    let vector_similarity: Vec<Vec<f64>> =
        (0..m).map(|a| (0..m).map(|b| means[a].dot(&means[b]) as f64).collect()).collect();
    let themes_of = |v: usize| members[v].iter().map(|&i| assignments[i]).collect::<Vec<usize>>();
    let mut pairs: Vec<Pair> = (0..m)
        .flat_map(|a| (a + 1..m).map(move |b| (a, b)))
        .map(|(a, b)| {
            let seed = (a * m + b) as u64;
            Pair {
                a: values[a].clone(),
                b: values[b].clone(),
                theme_similarity: stats::similarity(&themes_of(a), &themes_of(b), k, corpus, alpha, seed),
                q: 1.0,
                different: false,
                vector_similarity: vector_similarity[a][b],
            }
        })
        .collect();
    let pair_q = benjamini_hochberg(&pairs.iter().map(|p| Some(p.theme_similarity.p)).collect::<Vec<_>>());
    for (pair, q) in pairs.iter_mut().zip(pair_q) {
        pair.q = q.unwrap_or(1.0);
        pair.different = pair.q <= FALSE_DISCOVERY_RATE;
    }
    let by_similarity =
        |x: &Pair, y: &Pair| y.theme_similarity.value.total_cmp(&x.theme_similarity.value).then_with(|| x.a.cmp(&y.a));
    pairs.sort_by(by_similarity);
    let most_similar: Vec<Pair> = pairs.iter().take(PAIRS_SHOWN).cloned().collect();
    let most_different: Vec<Pair> = pairs.iter().rev().filter(|p| p.different).take(PAIRS_SHOWN).cloned().collect();
    Comparison {
        facet,
        themes: theme_refs,
        values: profiles,
        too_few: selection.too_few.clone(),
        min_documents: selection.min_documents,
        apart: selection.apart,
        prior_strength: alpha,
        false_discovery_rate: FALSE_DISCOVERY_RATE,
        theme_similarity,
        vector_similarity,
        most_similar,
        most_different,
        without_value,
        over: periods,
    }
}

/// The first and last year of some documents.
fn years_of<'a>(docs: impl Iterator<Item = &'a Document>) -> Option<(i32, i32)> {
    let years: Vec<i32> = docs.filter_map(|d| d.year).collect();
    Some((*years.iter().min()?, *years.iter().max()?))
}

/// A value in one paragraph, built from its significant differences only: "Serbia (46 pages,
/// 2020–2024) writes more than the rest about 20. Diaspora and depopulation (11 pages, 24% against
/// 1% elsewhere) …; less about …. Its distinctive terms: …. The pages that show it best: …".
fn paragraph(p: &ValueProfile, themes: &[ThemeRef], facet: &str) -> String {
    let years = match p.years {
        Some((a, b)) if a == b => format!(", {a}"),
        Some((a, b)) => format!(", {a}–{b}"),
        None => String::new(),
    };
    let mut out = format!("{} ({}{years})", p.value, crate::plural(p.documents, "page"));
    let share_of = |d: &Distinctive| {
        let t = d.theme_id.and_then(|id| p.themes.iter().find(|s| s.theme_id == id));
        t.map_or(String::new(), |s| format!(", {} against {} elsewhere", percent(s.share), percent(s.elsewhere)))
    };
    let listed = |items: &[Distinctive]| {
        items
            .iter()
            .take(3)
            .map(|d| format!("{} ({}{})", d.name, crate::plural(d.count, "page"), share_of(d)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (p.over_represented.is_empty(), p.under_represented.is_empty()) {
        (true, true) => {
            out.push_str(&format!(" writes about each theme as much as the other {facet} do, within chance."))
        }
        (false, true) => out.push_str(&format!(" writes more than the rest about {}.", listed(&p.over_represented))),
        (true, false) => out.push_str(&format!(" writes less than the rest about {}.", listed(&p.under_represented))),
        (false, false) => out.push_str(&format!(
            " writes more than the rest about {}, and less about {}.",
            listed(&p.over_represented),
            listed(&p.under_represented)
        )),
    }
    let mut main: Vec<&ThemeShare> = p.themes.iter().filter(|t| t.documents > 0).collect();
    main.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.theme_id.cmp(&b.theme_id)));
    let main: Vec<String> = main
        .iter()
        .take(3)
        .map(|t| {
            format!("{} ({})", themes.iter().find(|r| r.id == t.theme_id).map_or("", |r| r.label.as_str()), t.documents)
        })
        .collect();
    if !main.is_empty() {
        out.push_str(&format!(" Its main themes: {}.", main.join("; ")));
    }
    let terms: Vec<&str> = p.distinctive_terms.iter().take(6).map(|d| d.name.as_str()).collect();
    if !terms.is_empty() {
        out.push_str(&format!(" Its distinctive terms: {}.", terms.join(", ")));
    }
    let best: Vec<String> = p.best_pages.iter().map(|b| format!("“{}”", b.title)).collect();
    if !best.is_empty() {
        out.push_str(&format!(" The pages that show it best: {}.", best.join(" and ")));
    }
    out
}

/// The two pages of a value closest to the centre of its most over-represented theme, or of
/// its largest theme when none is.
fn best_pages(analysis: &Analysis, members: &[usize], over: &[Distinctive], counts: &[usize]) -> Vec<PageRef> {
    let theme = over
        .first()
        .and_then(|d| d.theme_id.and_then(|id| analysis.model.position(id)))
        .or_else(|| (0..counts.len()).max_by_key(|&t| (counts[t], std::cmp::Reverse(t))));
    let Some(theme) = theme else { return Vec::new() };
    let mut docs: Vec<usize> = members.iter().copied().filter(|&i| analysis.model.assignments[i] == theme).collect();
    docs.sort_by(|&a, &b| analysis.model.similarities[b].total_cmp(&analysis.model.similarities[a]).then(a.cmp(&b)));
    docs.into_iter()
        .take(2)
        .map(|i| {
            let d = &analysis.corpus.documents[i];
            PageRef { doc_id: d.doc_id.clone(), title: d.title.clone(), source: d.source.clone() }
        })
        .collect()
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
        moving: trends.themes.into_iter().filter(|t| t.shape().is_some()).collect(),
    }
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
