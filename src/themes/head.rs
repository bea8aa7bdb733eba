//! The head of a theme's keyword list, chosen as BERTopic's KeyBERTInspired and
//! MaximalMarginalRelevance representations do: each candidate is scored by how close the model
//! places it to the theme's centre and by how tied it is to the theme's pages, and picked with
//! maximal marginal relevance on the terms' own vectors, so that a label is not three forms of
//! one word, favouring terms said on the same pages as those already picked.

use ndarray::ArrayView2;

use super::label;
use super::LabelParams;

/// How strongly a term is tied to a class's pages: its coverage (the share of the class's pages
/// using it) times the log of its lift (that share over the share of all the corpus's pages
/// using it), the term's part of the mutual information between term and class. A word on
/// every page of the class and of the corpus ("country" on forms that all have a country field)
/// has lift 1 and scores 0; a word on a few of the class's pages only scores little. Both kinds
/// made keyword lists that do not hang together (NPMI) and say nothing.
pub(super) fn association(docs_in_class: usize, class_size: usize, docs_in_corpus: usize, corpus_size: usize) -> f32 {
    if docs_in_class == 0 || class_size == 0 || corpus_size == 0 {
        return 0.0;
    }
    let coverage = docs_in_class as f32 / class_size as f32;
    let base = docs_in_corpus.max(docs_in_class) as f32 / corpus_size as f32;
    coverage * (coverage / base).ln().max(0.0)
}

/// How well each pool term says what class `c` is about: how much closer the model places it to
/// the class's centre than to the others' (its cosine to its own centre minus the mean of its
/// highest and its average cosine to the other centres: terms every theme is near, such as
/// "innovation" in a corpus about innovation, score low), plus
/// [`association_weight`](LabelParams::association_weight) × its [`association`] with the
/// class's pages. Without vectors, association and the c-TF-IDF order decide.
pub(super) fn relevance(
    association: &[f32],
    vectors: Option<ArrayView2<f32>>,
    centres: ArrayView2<f32>,
    c: usize,
    params: &LabelParams,
) -> Vec<f32> {
    let use_weight = |i: usize| params.association_weight * association[i];
    let Some(vectors) = vectors else {
        return (0..association.len()).map(|i| use_weight(i) - 0.01 * i as f32).collect();
    };
    let sims = vectors.dot(&centres.t());
    (0..association.len())
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
            row[c] - contrast + use_weight(i)
        })
        .collect()
}

/// Whether the single word `terms[i]` gives way to a pair among `terms` that contains it and is
/// on at least [`pair_over_word`](LabelParams::pair_over_word) of its pages (`pages`, same
/// order, in any unit): "intelligence" to "artificial intelligence", "vladimir" to "vladimir
/// putin".
pub(super) fn gives_way_to_pair(terms: &[&str], pages: &[f32], i: usize, params: &LabelParams) -> bool {
    let word = terms[i];
    !word.contains(' ')
        && terms.iter().zip(pages).any(|(pair, &on)| {
            pair.contains(' ') && pair.split(' ').any(|w| w == word) && on >= params.pair_over_word * pages[i]
        })
}

/// The head of a keyword list: up to [`label::HEAD`] pool terms (indices), each maximising
/// λ·relevance − (1−λ)·redundancy + w·together (λ: [`mmr_lambda`](LabelParams::mmr_lambda),
/// w: [`together_weight`](LabelParams::together_weight)), where redundancy is the highest cosine
/// to a term already picked and together the mean over the picked terms p of `together[[i, p]]`,
/// the share of the pages using p that also use i. A term sharing a word with a
/// picked one is passed over ("stove, stoves"), and a single word gives way to a pair containing
/// it that is on most of its pages (see [`pair_over_word`](LabelParams::pair_over_word)).
pub(super) fn pick_head(
    pool: &[(String, f64)],
    coverage: &[f32],
    relevance: &[f32],
    together: &ndarray::Array2<f32>,
    vectors: Option<ArrayView2<f32>>,
    params: &LabelParams,
) -> Vec<usize> {
    let terms: Vec<&str> = pool.iter().map(|(t, _)| t.as_str()).collect();
    let shadowed: Vec<bool> = (0..pool.len()).map(|i| gives_way_to_pair(&terms, coverage, i, params)).collect();
    let lambda = params.mmr_lambda;
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < label::HEAD {
        let best = (0..pool.len())
            .filter(|&i| !shadowed[i] && !picked.contains(&i))
            .filter(|&i| !picked.iter().any(|&p| label::overlaps(&pool[p].0, &pool[i].0)))
            .map(|i| {
                let redundancy = match vectors {
                    Some(v) => picked.iter().map(|&p| v.row(i).dot(&v.row(p))).fold(0.0f32, f32::max),
                    None => 0.0,
                };
                let cooccurrence = if picked.is_empty() {
                    0.0
                } else {
                    picked.iter().map(|&p| together[[i, p]]).sum::<f32>() / picked.len() as f32
                };
                (i, lambda * relevance[i] - (1.0 - lambda) * redundancy + params.together_weight * cooccurrence)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        match best {
            Some((i, _)) => picked.push(i),
            None => break,
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_terms_are_relevant_and_not_repeated() {
        let pool: Vec<(String, f64)> =
            ["stove", "stoves", "boiler", "kitchen"].iter().map(|t| (t.to_string(), 1.0)).collect();
        // stove and boiler point the same way; kitchen is on more pages and says something else.
        let v = ndarray::array![[1.0f32, 0.0], [1.0, 0.0], [0.995, 0.0998], [0.8, 0.6]];
        let coverage = [0.5, 0.4, 0.5, 0.9];
        let relevance = [1.25, 1.2, 1.245, 1.25];
        let apart = ndarray::Array2::zeros((4, 4));
        let head = pick_head(&pool, &coverage, &relevance, &apart, Some(v.view()), &LabelParams::default());
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
        let apart = ndarray::Array2::zeros((4, 4));
        let head =
            pick_head(&pool, &[0.6, 0.5, 0.8, 0.2], &[1.0, 0.9, 0.8, 0.7], &apart, None, &LabelParams::default());
        assert_eq!(head, vec![1, 2], "intelligence gives way; waste stays (the pair is on few of its pages)");
    }

    #[test]
    fn a_term_said_on_the_same_pages_as_the_first_comes_before_one_from_other_pages() {
        let pool: Vec<(String, f64)> = ["bike", "cargo", "pedaling"].iter().map(|t| (t.to_string(), 1.0)).collect();
        // "pedaling" is a little more relevant, but on none of the pages that say "bike";
        // "cargo" is on all of them.
        let mut together = ndarray::Array2::zeros((3, 3));
        together[[1, 0]] = 1.0;
        let head = pick_head(&pool, &[0.5, 0.3, 0.3], &[1.0, 0.8, 0.82], &together, None, &LabelParams::default());
        assert_eq!(head, vec![0, 1, 2]);
        let apart = ndarray::Array2::zeros((3, 3));
        let head = pick_head(&pool, &[0.5, 0.3, 0.3], &[1.0, 0.8, 0.82], &apart, None, &LabelParams::default());
        assert_eq!(head, vec![0, 2, 1], "without it, relevance alone decides");
    }

    #[test]
    fn terms_near_every_centre_are_less_relevant() {
        // Term 0 is near theme 0 only; term 1 is as near every theme.
        let h = std::f32::consts::FRAC_1_SQRT_2;
        let v = ndarray::array![[1.0f32, 0.0], [h, h]];
        let centres = ndarray::array![[1.0f32, 0.0], [0.0, 1.0]];
        let r = relevance(&[0.5, 0.5], Some(v.view()), centres.view(), 0, &LabelParams::default());
        assert!(r[0] > r[1] + 0.5, "{r:?}");
        // Of two terms as near the centre, the one more tied to the theme's pages.
        let same = ndarray::array![[1.0f32, 0.0], [1.0, 0.0]];
        let r = relevance(&[0.8, 0.1], Some(same.view()), centres.view(), 0, &LabelParams::default());
        assert!(r[0] > r[1], "{r:?}");
    }

    #[test]
    fn association_is_coverage_times_log_lift() {
        // A word on every page of the class and of the corpus says nothing about the class.
        assert_eq!(association(50, 50, 1000, 1000), 0.0);
        // On half the class's pages and nowhere else: 0.5 · ln(0.5 / (25/1000)).
        let own = association(25, 50, 25, 1000);
        assert!((own - 0.5 * 20f32.ln()).abs() < 1e-6, "{own}");
        // As common in the class but common elsewhere too, or as specific but on fewer pages.
        assert!(association(25, 50, 500, 1000) < own);
        assert!(association(5, 50, 5, 1000) < own);
        // Rarer in the class than in the corpus: no association, not a negative one.
        assert_eq!(association(1, 50, 500, 1000), 0.0);
        assert_eq!(association(0, 50, 10, 1000), 0.0);
    }
}
