//! Extractive summaries: sentences central to a theme (or a document) and not redundant with
//! each other (maximal marginal relevance), each traceable to the document it comes from.

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ingest::Document;

/// Abbreviations whose final period does not end a sentence (English, Spanish, French,
/// Portuguese), lower-cased, without the final period.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "inc", "ltd", "co", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "p.ej", "sr", "sra",
    "srta", "dra", "ud", "uds", "av", "mme", "mlle", "m", "art", "pág", "p", "pp", "u.s", "u.k", "u.n", "ed", "eds",
    "vol", "cf", "al",
];

/// How summaries are made.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// Sentences per theme summary (drawn from different documents).
    pub theme_sentences: usize,
    /// Sentences per document summary.
    pub doc_sentences: usize,
    /// Documents closest to a theme's centre whose sentences are candidates.
    pub docs_per_theme: usize,
    /// Candidate sentences read from each document, in order.
    pub sentences_per_doc: usize,
    /// Relevance against novelty in MMR (1 = relevance only).
    pub lambda: f32,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions { theme_sentences: 4, doc_sentences: 2, docs_per_theme: 8, sentences_per_doc: 16, lambda: 0.7 }
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

/// Splits text into sentences: each line is a paragraph; inside it a sentence ends at `.`, `!`,
/// `?` or `…` followed by a space and a capital, digit or opening quote, unless the word before
/// is a known abbreviation or an initial. Decimals ("3.5") never split: no space follows.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("- ").or_else(|| line.strip_prefix("• ")).unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut start = 0;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?' | '…') {
                continue;
            }
            let next_space = chars.get(k + 1).is_some_and(|&(_, n)| n.is_whitespace());
            let next_word = chars[k + 1..].iter().map(|&(_, n)| n).find(|n| !n.is_whitespace());
            let opens = next_word.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || "\"“‘'¿¡(".contains(n));
            if !(next_space && opens) {
                continue;
            }
            if c == '.' && is_abbreviation(&line[start..i]) {
                continue;
            }
            let end = i + c.len_utf8();
            out.push(line[start..end].trim().to_string());
            start = end;
        }
        let rest = line[start..].trim();
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let lower = word.to_lowercase();
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    single_letter || ABBREVIATIONS.contains(&lower.as_str())
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

/// The candidate sentences of a document, in order, at most `max`.
pub fn candidates(doc: &Document, max: usize) -> Vec<String> {
    split_sentences(&doc.text).into_iter().filter(|s| is_summary_worthy(s)).take(max).collect()
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

/// The sentences a run needs vectors for, and which of them may summarise what.
#[derive(Debug, Default)]
pub struct SentencePlan {
    /// (document index, sentence), each sentence once.
    pub sentences: Vec<(usize, String)>,
    /// Candidate sentence indices of each theme.
    pub theme_candidates: Vec<Vec<usize>>,
    /// Candidate sentence indices of each document.
    pub doc_candidates: Vec<Vec<usize>>,
}

/// Summaries of every theme and document.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Summaries {
    pub themes: Vec<Vec<SummarySentence>>,
    pub documents: Vec<Vec<SummarySentence>>,
}

/// Chooses candidate sentences: every document's first [`SummaryOptions::sentences_per_doc`]
/// worthy sentences; a theme's candidates are those of its documents closest to its centre.
/// `assignments`/`similarities` give each document's theme and closeness to it.
pub fn plan(
    documents: &[Document],
    assignments: &[usize],
    similarities: &[f32],
    themes: usize,
    options: &SummaryOptions,
) -> SentencePlan {
    let mut plan = SentencePlan { theme_candidates: vec![Vec::new(); themes], ..SentencePlan::default() };
    for (i, doc) in documents.iter().enumerate() {
        let start = plan.sentences.len();
        plan.sentences.extend(candidates(doc, options.sentences_per_doc).into_iter().map(|s| (i, s)));
        plan.doc_candidates.push((start..plan.sentences.len()).collect());
    }
    for (theme, slots) in plan.theme_candidates.iter_mut().enumerate() {
        let mut members: Vec<usize> = (0..documents.len()).filter(|&i| assignments[i] == theme).collect();
        members.sort_by(|&a, &b| similarities[b].total_cmp(&similarities[a]).then(a.cmp(&b)));
        for &doc in members.iter().take(options.docs_per_theme) {
            slots.extend(plan.doc_candidates[doc].iter().copied());
        }
    }
    plan
}

/// Picks summaries by MMR: for a theme against `theme_centres` (unit rows, by theme id), for a
/// document against its own vector. `sentence_vectors` has one unit row per planned sentence.
pub fn summarise(
    documents: &[Document],
    doc_vectors: ArrayView2<f32>,
    theme_centres: ArrayView2<f32>,
    plan: &SentencePlan,
    sentence_vectors: ArrayView2<f32>,
    options: &SummaryOptions,
) -> Summaries {
    let pick = |candidates: &[usize], target: ArrayView1<f32>, k: usize| -> Vec<SummarySentence> {
        if candidates.is_empty() {
            return Vec::new();
        }
        let rows = sentence_vectors.select(ndarray::Axis(0), candidates);
        let groups: Vec<usize> = candidates.iter().map(|&c| plan.sentences[c].0).collect();
        mmr(rows.view(), target, &groups, k, options.lambda)
            .into_iter()
            .map(|j| {
                let (doc, text) = &plan.sentences[candidates[j]];
                SummarySentence::from_doc(text, &documents[*doc], rows.row(j).dot(&target))
            })
            .collect()
    };
    Summaries {
        themes: plan
            .theme_candidates
            .iter()
            .enumerate()
            .map(|(t, c)| pick(c, theme_centres.row(t), options.theme_sentences))
            .collect(),
        documents: plan
            .doc_candidates
            .iter()
            .enumerate()
            .map(|(d, c)| pick(c, doc_vectors.row(d), options.doc_sentences))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn splits_at_sentence_ends_only() {
        let s = split_sentences("Dr. Smith paid US$ 3.5 million, e.g. for seeds. Then it rained! ¿Qué pasó? Nada.");
        assert_eq!(
            s,
            vec!["Dr. Smith paid US$ 3.5 million, e.g. for seeds.", "Then it rained!", "¿Qué pasó?", "Nada."]
        );
    }

    #[test]
    fn initials_and_french_abbreviations_do_not_split() {
        let s = split_sentences("J. K. Doe met Mme. Dupont in Paris. They talked.");
        assert_eq!(s, vec!["J. K. Doe met Mme. Dupont in Paris.", "They talked."]);
    }

    #[test]
    fn headings_are_skipped_and_bullets_are_their_own_lines() {
        let s = split_sentences("## Results\n- The pilot reached 300 farmers in two districts.\nDone.");
        assert_eq!(s, vec!["The pilot reached 300 farmers in two districts.", "Done."]);
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
