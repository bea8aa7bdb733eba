//! The head of a theme's keyword list, chosen as BERTopic's KeyBERTInspired and
//! MaximalMarginalRelevance representations do: each candidate is scored by how close the model
//! places it to the theme's centre and by how many of the theme's pages use it, and picked with
//! maximal marginal relevance on the terms' own vectors, so that a label is not three forms of
//! one word.

use ndarray::ArrayView2;

use super::label;
use super::LabelParams;

/// How well each pool term says what class `c` is about: how much closer the model places it to
/// the class's centre than to the others' (its cosine to its own centre minus the mean of its
/// highest and its average cosine to the other centres: terms every theme is near, such as
/// "innovation" in a corpus about innovation, score low), plus
/// [`coverage_weight`](LabelParams::coverage_weight) × the share of the class's pages that use
/// it and [`specificity_weight`](LabelParams::specificity_weight) × the share of the corpus's
/// pages using it that are in the class. Without vectors, coverage, specificity and the
/// c-TF-IDF order decide.
pub(super) fn relevance(
    coverage: &[f32],
    specificity: &[f32],
    vectors: Option<ArrayView2<f32>>,
    centres: ArrayView2<f32>,
    c: usize,
    params: &LabelParams,
) -> Vec<f32> {
    let use_weight = |i: usize| params.coverage_weight * coverage[i] + params.specificity_weight * specificity[i];
    let Some(vectors) = vectors else {
        return (0..coverage.len()).map(|i| use_weight(i) - 0.01 * i as f32).collect();
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
            row[c] - contrast + params.coverage_weight * coverage[i] + params.specificity_weight * specificity[i]
        })
        .collect()
}

/// The head of a keyword list: up to [`label::HEAD`] pool terms (indices), each maximising
/// λ·relevance − (1−λ)·redundancy (λ: [`mmr_lambda`](LabelParams::mmr_lambda)), where
/// redundancy is the highest cosine to a term already picked. A term sharing a word with a
/// picked one is passed over ("stove, stoves"), and a single word gives way to a pair containing
/// it that is on most of its pages (see [`pair_over_word`](LabelParams::pair_over_word)).
pub(super) fn pick_head(
    pool: &[(String, f64)],
    coverage: &[f32],
    relevance: &[f32],
    vectors: Option<ArrayView2<f32>>,
    params: &LabelParams,
) -> Vec<usize> {
    let shadowed: Vec<bool> = (0..pool.len())
        .map(|i| {
            let word = pool[i].0.as_str();
            !word.contains(' ')
                && (0..pool.len()).any(|j| {
                    let pair = pool[j].0.as_str();
                    pair.contains(' ')
                        && pair.split(' ').any(|w| w == word)
                        && coverage[j] >= params.pair_over_word * coverage[i]
                })
        })
        .collect();
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
        let head = pick_head(&pool, &coverage, &relevance, Some(v.view()), &LabelParams::default());
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
        let head = pick_head(&pool, &[0.6, 0.5, 0.8, 0.2], &[1.0, 0.9, 0.8, 0.7], None, &LabelParams::default());
        assert_eq!(head, vec![1, 2], "intelligence gives way; waste stays (the pair is on few of its pages)");
    }

    #[test]
    fn terms_near_every_centre_are_less_relevant() {
        // Term 0 is near theme 0 only; term 1 is as near every theme.
        let h = std::f32::consts::FRAC_1_SQRT_2;
        let v = ndarray::array![[1.0f32, 0.0], [h, h]];
        let centres = ndarray::array![[1.0f32, 0.0], [0.0, 1.0]];
        let r = relevance(&[0.5, 0.5], &[0.5, 0.5], Some(v.view()), centres.view(), 0, &LabelParams::default());
        assert!(r[0] > r[1] + 0.5, "{r:?}");
        // Of two terms as near and as common in the theme, the one other themes use less.
        let same = ndarray::array![[1.0f32, 0.0], [1.0, 0.0]];
        let r = relevance(&[0.5, 0.5], &[0.8, 0.1], Some(same.view()), centres.view(), 0, &LabelParams::default());
        assert!(r[0] > r[1], "{r:?}");
    }
}
