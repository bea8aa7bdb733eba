//! Theme quality: NPMI coherence, topic diversity, agreement (NMI, ARI) with labels, and what
//! an analyst reads first: whether labels say what (not where), are in the theme's language,
//! are shared by its pages, and whether names fit.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::describe::Describer;
use super::terms::{language_of, UNKNOWN};
use super::{ThemeId, ThemeModel};
use crate::ingest::Document;
use crate::stats::{ari, nmi};

/// Quality figures of a theme model, as `themescope evaluate` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub documents: usize,
    pub themes: usize,
    /// Mean NPMI of the top-10 terms over all themes.
    pub npmi: f64,
    /// NPMI of each theme's top-10 terms, in the order of the model's themes.
    pub npmi_per_theme: Vec<f64>,
    /// Unique terms among all themes' top-25 over 25 × themes.
    pub diversity: f64,
    /// Themes whose top-10 terms are mostly (more than half) stop words of any language.
    pub stop_word_themes: usize,
    pub against: Option<Agreement>,
    /// NMI of theme against detected language (0 = themes ignore language).
    pub nmi_language: f64,
    /// Share of all themes' top-10 keywords that are places or proper names.
    pub place_or_name_keywords: f64,
    /// Share of themes whose label words (top-3 keywords) include a word of another language
    /// than that of most of the theme's pages (one with at least four fifths of the word's use:
    /// see [`TermLanguages::of`](super::describe::TermLanguages::of)).
    pub foreign_labels: f64,
    /// Mean share of a theme's pages that contain each of its 3 label words.
    pub label_coverage: f64,
    /// Themes that took a taxonomy name, with the evidence.
    pub named: Vec<NamedEvidence>,
    /// Themes marked as catch-alls.
    pub catch_all: usize,
    /// Agreement (ARI) between seeds at the chosen number of themes, when it was chosen.
    pub stability: Option<f32>,
    /// How well pages in other languages find English pages on their subject (with `against`).
    pub cross_lingual: Option<CrossLingual>,
}

/// Pages read in other languages set against English pages: does a page's nearest English
/// pages share its tags (the `against` key's values: a page's SDGs) as well as an English
/// page's nearest English pages do?
#[derive(Debug, Clone, Serialize)]
pub struct CrossLingual {
    pub key: String,
    /// Nearest English pages compared with each page.
    pub neighbours: usize,
    /// Tagged pages in English, and in other languages.
    pub english: usize,
    pub other: usize,
    /// Mean Jaccard overlap of tags between an English page and its nearest English pages.
    pub monolingual: f64,
    /// The same for a page in another language.
    pub cross_lingual: f64,
    /// The overlap of a page in another language with English pages picked at random (expected
    /// over all of them).
    pub chance: f64,
    /// (cross-lingual − chance) / (monolingual − chance), the measure as the issue that asked
    /// for it defines it: 1 means a page in another language finds English pages on its
    /// subject as well as an English page does; `None` when English pages find theirs no
    /// better than chance.
    pub efficiency: Option<f64>,
    /// The cross-lingual figure for each language with at least 10 tagged pages.
    pub per_language: Vec<LanguageAgreement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LanguageAgreement {
    pub language: String,
    pub pages: usize,
    pub cross_lingual: f64,
}

/// Nearest English pages per page in [`cross_lingual`], as in the measure's first use.
pub const NEIGHBOURS: usize = 10;

/// Jaccard overlap of two sorted, deduplicated tag lists.
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// The cross-lingual agreement of unit `vectors` (one row per document) with the documents'
/// values of `key`; `None` without tagged pages both in English and in other languages. Pages
/// of unknown language are left out.
pub fn cross_lingual(key: &str, vectors: ndarray::ArrayView2<f32>, documents: &[Document]) -> Option<CrossLingual> {
    use rayon::prelude::*;
    let languages: Vec<&str> = documents.iter().map(language_of).collect();
    let mut names: HashMap<&str, u32> = HashMap::new();
    let tags: Vec<Vec<u32>> = documents
        .iter()
        .map(|d| {
            let mut ids: Vec<u32> = d
                .metadata
                .get(key)
                .into_iter()
                .flatten()
                .map(|v| {
                    let next = names.len() as u32;
                    *names.entry(v.as_str()).or_insert(next)
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect();
    let tagged = |i: &usize| !tags[*i].is_empty() && languages[*i] != UNKNOWN;
    let english: Vec<usize> = (0..tags.len()).filter(tagged).filter(|&i| languages[i] == "en").collect();
    let other: Vec<usize> = (0..tags.len()).filter(tagged).filter(|&i| languages[i] != "en").collect();
    if english.len() <= NEIGHBOURS || other.is_empty() {
        return None;
    }
    let pool = vectors.select(ndarray::Axis(0), &english);
    // Mean overlap of page `q` with its nearest English pages (itself excluded).
    let nearest = |q: usize| -> f64 {
        let sims = pool.dot(&vectors.row(q));
        let candidates: Vec<usize> = (0..english.len()).filter(|&j| english[j] != q).collect();
        let nearest = crate::stats::rank(sims.view(), candidates, NEIGHBOURS);
        nearest.iter().map(|&j| jaccard(&tags[q], &tags[english[j]])).sum::<f64>() / NEIGHBOURS as f64
    };
    let mono: Vec<f64> = english.par_iter().map(|&q| nearest(q)).collect();
    let cross: Vec<f64> = other.par_iter().map(|&q| nearest(q)).collect();
    let chance: Vec<f64> = other
        .par_iter()
        .map(|&q| english.iter().map(|&e| jaccard(&tags[q], &tags[e])).sum::<f64>() / english.len() as f64)
        .collect();
    let (monolingual, cross_lingual, chance) = (mean(&mono), mean(&cross), mean(&chance));
    let mut by_language: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for (&q, &c) in other.iter().zip(&cross) {
        by_language.entry(languages[q]).or_default().push(c);
    }
    let mut per_language: Vec<LanguageAgreement> = by_language
        .into_iter()
        .filter(|(_, v)| v.len() >= 10)
        .map(|(l, v)| LanguageAgreement { language: l.to_string(), pages: v.len(), cross_lingual: mean(&v) })
        .collect();
    per_language.sort_by_key(|l| std::cmp::Reverse(l.pages));
    Some(CrossLingual {
        key: key.to_string(),
        neighbours: NEIGHBOURS,
        english: english.len(),
        other: other.len(),
        monolingual,
        cross_lingual,
        chance,
        efficiency: (monolingual > chance).then(|| (cross_lingual - chance) / (monolingual - chance)),
        per_language,
    })
}

/// A theme's taxonomy name and how clearly it won.
#[derive(Debug, Clone, Serialize)]
pub struct NamedEvidence {
    pub theme_id: ThemeId,
    pub keywords: String,
    pub name: String,
    pub similarity: f32,
    pub score: f32,
    pub margin: f32,
}

/// Agreement of themes with a metadata key's first value.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub key: String,
    /// Documents that have the key.
    pub documents: usize,
    pub nmi: f64,
    pub ari: f64,
}

/// Normalised PMI of a term pair from document counts (Bouma 2009); −1 when they never meet.
pub fn npmi(n_docs: usize, df_a: usize, df_b: usize, df_ab: usize) -> f64 {
    if df_ab == 0 {
        return -1.0;
    }
    let n = n_docs as f64;
    let p_ab = df_ab as f64 / n;
    if p_ab >= 1.0 {
        return 1.0;
    }
    let pmi = (p_ab / ((df_a as f64 / n) * (df_b as f64 / n))).ln();
    pmi / -p_ab.ln()
}

/// Label words: the first keywords of a theme, from which its label is made.
const LABEL_WORDS: usize = 3;

/// The measures of a theme model's keyword lists alone, so that another tool's topics (their
/// keyword lists and the topic of each page) can be scored by the same count as ours.
#[derive(Debug, Clone, Serialize)]
pub struct KeywordQuality {
    /// NPMI of each theme's top-10 terms.
    pub npmi_per_theme: Vec<f64>,
    /// Unique terms among all themes' top-25 over 25 × themes.
    pub diversity: f64,
    /// Mean share of a theme's pages that contain each of its 3 label words.
    pub label_coverage: f64,
    /// Keywords that are none of the documents' terms (stop words, template lines' words),
    /// whose pages were found by their words in the documents' text instead.
    pub unknown_terms: usize,
}

impl KeywordQuality {
    pub fn npmi(&self) -> f64 {
        mean(&self.npmi_per_theme)
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Scores the keyword lists `keywords` (one per theme, best first) of a partition where page
/// `i` is in theme `assignments[i]` (an index into `keywords`; any other value leaves the page
/// in no theme, as BERTopic's outliers). Which pages use a term is read from the documents'
/// terms `doc_terms`; a keyword that is none of them is looked for as lowercase words in the
/// documents' text, so a tool that keeps words ours drops is not scored as if its words were
/// on no page.
pub fn keyword_quality(
    documents: &[Document],
    doc_terms: &[super::label::TermMap<String, f64>],
    keywords: &[Vec<String>],
    assignments: &[usize],
) -> KeywordQuality {
    let n = doc_terms.len();
    let wanted: HashSet<&str> = keywords.iter().flat_map(|k| k.iter().take(10).map(String::as_str)).collect();
    let mut postings: HashMap<&str, HashSet<usize>> = HashMap::new();
    for (i, terms) in doc_terms.iter().enumerate() {
        for t in terms.keys().filter(|t| wanted.contains(t.as_str())) {
            postings.entry(t.as_str()).or_default().insert(i);
        }
    }
    let unknown: Vec<&str> = wanted.iter().copied().filter(|t| !postings.contains_key(t)).collect();
    if !unknown.is_empty() {
        for (i, d) in documents.iter().enumerate() {
            let text = d.embedding_text().to_lowercase();
            let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            for &t in &unknown {
                let parts: Vec<&str> = t.split(' ').collect();
                if words.windows(parts.len()).any(|w| w == parts.as_slice()) {
                    postings.entry(t).or_default().insert(i);
                }
            }
        }
    }
    let df = |t: &str| postings.get(t).map_or(0, HashSet::len);
    let co = |a: &str, b: &str| -> usize {
        let (Some(pa), Some(pb)) = (postings.get(a), postings.get(b)) else { return 0 };
        pa.intersection(pb).count()
    };
    let npmi_per_theme: Vec<f64> = keywords
        .iter()
        .map(|k| {
            let top: Vec<&str> = k.iter().take(10).map(String::as_str).collect();
            let mut total = 0.0;
            let mut pairs = 0;
            for i in 0..top.len() {
                for j in i + 1..top.len() {
                    total += npmi(n, df(top[i]), df(top[j]), co(top[i], top[j]));
                    pairs += 1;
                }
            }
            if pairs == 0 {
                0.0
            } else {
                total / pairs as f64
            }
        })
        .collect();
    let top25: Vec<&String> = keywords.iter().flat_map(|k| k.iter().take(25)).collect();
    let unique: HashSet<&&String> = top25.iter().collect();
    let diversity = unique.len() as f64 / (25 * keywords.len()).max(1) as f64;
    let coverage: Vec<f64> = keywords
        .iter()
        .enumerate()
        .map(|(p, k)| {
            let members: Vec<usize> = (0..n).filter(|&i| assignments[i] == p).collect();
            let shares: Vec<f64> = k
                .iter()
                .take(LABEL_WORDS)
                .map(|w| {
                    let pages = postings.get(w.as_str());
                    members.iter().filter(|i| pages.is_some_and(|s| s.contains(i))).count() as f64
                        / members.len().max(1) as f64
                })
                .collect();
            mean(&shares)
        })
        .collect();
    KeywordQuality { npmi_per_theme, diversity, label_coverage: mean(&coverage), unknown_terms: unknown.len() }
}

/// Evaluates `model` on its `documents`; the describer supplies the documents' terms, places,
/// names and term languages. `against` gives a metadata key and its first value per document.
pub fn evaluate(
    model: &ThemeModel,
    documents: &[Document],
    describer: &Describer,
    against: Option<(&str, &[Option<String>])>,
) -> Evaluation {
    let n = describer.stats.per_doc.len();
    let keywords: Vec<Vec<String>> = model.themes.iter().map(|t| t.keywords.clone()).collect();
    let quality = keyword_quality(documents, &describer.stats.per_doc, &keywords, &model.assignments);
    let stop = &describer.stats.stop;
    let stop_word_themes = model
        .themes
        .iter()
        .filter(|t| {
            let top: Vec<&String> = t.keywords.iter().take(10).collect();
            let stops = top.iter().filter(|k| k.split(' ').all(|w| stop.contains(w))).count();
            stops * 2 > top.len()
        })
        .count();
    let top10: Vec<&str> = model.themes.iter().flat_map(|t| t.keywords.iter().take(10).map(String::as_str)).collect();
    let place_or_name_keywords =
        top10.iter().filter(|k| describer.is_place_or_name(k)).count() as f64 / top10.len().max(1) as f64;
    let foreign = model
        .themes
        .iter()
        .filter(|t| {
            let main = t.languages.iter().filter(|(l, _)| *l != UNKNOWN).max_by_key(|(_, n)| **n).map(|(l, _)| l);
            t.keywords
                .iter()
                .take(LABEL_WORDS)
                .any(|k| describer.languages.of(k).is_some_and(|l| Some(l) != main.map(String::as_str)))
        })
        .count();
    let named = model
        .themes
        .iter()
        .filter_map(|t| {
            t.named_as.as_ref().map(|named| NamedEvidence {
                theme_id: t.id,
                keywords: t.keywords.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                name: named.name.clone(),
                similarity: named.similarity,
                score: named.score,
                margin: named.margin,
            })
        })
        .collect();
    let against = against.map(|(key, labels)| {
        let pairs: Vec<(usize, &str)> = model
            .assignments
            .iter()
            .zip(labels)
            .filter_map(|(&theme, label)| label.as_deref().map(|l| (theme, l)))
            .collect();
        let (themes, classes): (Vec<usize>, Vec<&str>) = pairs.into_iter().unzip();
        Agreement {
            key: key.to_string(),
            documents: themes.len(),
            nmi: nmi(&themes, &classes),
            ari: ari(&themes, &classes),
        }
    });
    let lang: Vec<&str> = documents.iter().map(language_of).collect();
    Evaluation {
        documents: n,
        themes: model.themes.len(),
        npmi: quality.npmi(),
        diversity: quality.diversity,
        stop_word_themes,
        against,
        nmi_language: nmi(&model.assignments, &lang),
        place_or_name_keywords,
        foreign_labels: foreign as f64 / model.themes.len().max(1) as f64,
        label_coverage: quality.label_coverage,
        npmi_per_theme: quality.npmi_per_theme,
        named,
        catch_all: model.themes.iter().filter(|t| t.catch_all).count(),
        stability: model.stability,
        cross_lingual: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npmi_bounds() {
        assert_eq!(npmi(10, 3, 3, 0), -1.0);
        // Always together: 1.
        assert!((npmi(10, 4, 4, 4) - 1.0).abs() < 1e-12);
        // Independent: 0 (p = 0.5 each, joint 0.25).
        assert!(npmi(100, 50, 50, 25).abs() < 1e-12);
    }

    #[test]
    fn nmi_and_ari_of_identical_and_permuted_labelings() {
        let a = [0, 0, 1, 1, 2, 2];
        let b = ["x", "x", "y", "y", "z", "z"];
        assert!((nmi(&a, &b) - 1.0).abs() < 1e-12);
        assert!((ari(&a, &b) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn jaccard_of_sorted_tag_lists() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn another_tools_keywords_are_scored_on_the_pages_of_their_topics_and_found_in_the_text() {
        let texts = ["the solar kiosk", "a solar kiosk", "solar roofs", "the rice farm", "rice mills"];
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| crate::ingest::build_document(&format!("# T\n\n{t}"), format!("d{i}"), "p".into()))
            .collect();
        // Our terms leave "the" out, as stop words are; the last page is in no topic.
        let doc_terms: Vec<crate::themes::label::TermMap<String, f64>> = texts
            .iter()
            .map(|t| t.split(' ').filter(|w| !["the", "a"].contains(w)).map(|w| (w.to_string(), 1.0)).collect())
            .collect();
        let keywords = vec![
            vec!["solar".to_string(), "kiosk".to_string(), "the".to_string()],
            vec!["rice".to_string(), "farm".to_string(), "mills".to_string()],
        ];
        let quality = keyword_quality(&docs, &doc_terms, &keywords, &[0, 0, 0, 1, usize::MAX]);
        assert_eq!(quality.unknown_terms, 1);
        // Topic 0: solar 3/3, kiosk 2/3, "the" (read in the text) 1/3; topic 1's one page: rice
        // and farm, not mills (on the page in no topic).
        let expected = ((1.0 + 2.0 / 3.0 + 1.0 / 3.0) / 3.0 + 2.0 / 3.0) / 2.0;
        assert!((quality.label_coverage - expected).abs() < 1e-9, "{}", quality.label_coverage);
        // "the" is on page 3 too, with "rice": not −1 as a word on no page would be.
        assert!(quality.npmi_per_theme[0] > -1.0 / 3.0);
        assert_eq!(quality.diversity, 6.0 / 50.0);
    }

    /// Pages on two subjects (tags "a" and "b", vectors along two axes), 24 in English and 8 in
    /// Spanish; `spanish_axis` gives where each Spanish page's vector points.
    fn pages(spanish_axis: impl Fn(usize) -> usize) -> (Vec<Document>, ndarray::Array2<f32>) {
        let mut docs = Vec::new();
        let mut rows = Vec::new();
        for i in 0..32 {
            let (english, subject) = (i < 24, i % 2);
            let mut doc = crate::ingest::build_document("# T\n\nText.", format!("d{i}"), "p".into());
            doc.language = Some(if english { "en" } else { "es" }.into());
            doc.metadata.insert("sdgs".into(), vec![["a", "b"][subject].into()]);
            let axis = if english { subject } else { spanish_axis(subject) };
            let mut v = vec![0.01 * (i % 5) as f32; 4];
            v[axis] = 1.0;
            crate::embed::normalize(&mut v);
            rows.extend(v);
            docs.push(doc);
        }
        (docs, ndarray::Array2::from_shape_vec((32, 4), rows).unwrap())
    }

    #[test]
    fn cross_lingual_efficiency_is_one_when_other_languages_find_their_subject() {
        let (docs, vectors) = pages(|subject| subject);
        let c = cross_lingual("sdgs", vectors.view(), &docs).unwrap();
        assert_eq!((c.english, c.other), (24, 8));
        assert_eq!((c.monolingual, c.cross_lingual), (1.0, 1.0));
        assert_eq!(c.chance, 0.5);
        assert_eq!(c.efficiency, Some(1.0));
        assert_eq!(c.per_language.len(), 0, "fewer than 10 Spanish pages get no line of their own");
        // Spanish pages all on one axis find half their subject's pages: chance level.
        let (docs, vectors) = pages(|_| 2);
        let c = cross_lingual("sdgs", vectors.view(), &docs).unwrap();
        let efficiency = c.efficiency.unwrap();
        assert!(efficiency.abs() < 0.25, "efficiency {efficiency}");
        // Without pages in other languages there is nothing to measure.
        assert!(cross_lingual("sdgs", vectors.slice(ndarray::s![..24, ..]), &docs[..24]).is_none());
    }

    #[test]
    fn ari_hand_computed() {
        // sklearn: adjusted_rand_score([0,0,1,1], [0,0,1,2]) = 0.5714285714285715
        assert!((ari(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.571_428_571_428_571_5).abs() < 1e-12);
        // sklearn: normalized_mutual_info_score([0,0,1,1], [0,0,1,2]) = 0.8
        assert!((nmi(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.8).abs() < 1e-12);
    }
}
