//! Theme continuity across runs: today's themes take the ids (and names) of the previous run's
//! themes they match, so a growing folder does not reshuffle every theme.

use ndarray::Array2;
use serde::Serialize;

use super::ThemeModel;
use crate::store::PastTheme;

/// Centroid cosine above which a theme is the same theme as one of the previous run. Adding 1%
/// of documents moves a theme's centroid by far less; neighbouring themes of one run sit
/// around 0.5-0.8 of each other.
pub const SAME_THEME: f32 = 0.85;

/// A theme present in both runs.
#[derive(Debug, Clone, Serialize)]
pub struct KeptTheme {
    pub id: usize,
    pub label: String,
    pub size_before: usize,
    pub size_after: usize,
    pub similarity: f32,
}

/// A theme of only one of the two runs.
#[derive(Debug, Clone, Serialize)]
pub struct LoneTheme {
    pub id: usize,
    pub label: String,
    pub size: usize,
}

/// How today's themes relate to the previous run's.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Continuity {
    pub kept: Vec<KeptTheme>,
    pub new: Vec<LoneTheme>,
    pub retired: Vec<LoneTheme>,
}

/// Gives each theme of `model` an id: the id (and label) of the previous theme it matches,
/// else a fresh id from `next_id` on. Matching is greedy on centroid similarity, best pair
/// first, each theme used once (with k ≤ 60 and the high [`SAME_THEME`] bar, ties between
/// candidate pairs are rare enough that the optimal assignment would not differ).
pub fn carry_ids(model: &mut ThemeModel, previous: &[PastTheme], mut next_id: usize) -> Continuity {
    let dim = model.centroids.ncols();
    let past: Vec<&PastTheme> = previous.iter().filter(|p| p.centroid.len() == dim).collect();
    // Past centres are stored as fitted; cosine needs them at unit length.
    let mut past_matrix = Array2::from_shape_fn((past.len(), dim), |(i, j)| past[i].centroid[j]);
    crate::embed::normalize_rows(&mut past_matrix);
    let sims = model.centroids.dot(&past_matrix.t());
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (i, row) in sims.rows().into_iter().enumerate() {
        for (j, &s) in row.iter().enumerate() {
            if s >= SAME_THEME {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut taken_new = vec![false; model.themes.len()];
    let mut taken_old = vec![false; past.len()];
    let mut continuity = Continuity::default();
    for (s, i, j) in pairs {
        if taken_new[i] || taken_old[j] {
            continue;
        }
        taken_new[i] = true;
        taken_old[j] = true;
        let theme = &mut model.themes[i];
        theme.id = past[j].id;
        theme.label = past[j].label.clone();
        continuity.kept.push(KeptTheme {
            id: theme.id,
            label: theme.label.clone(),
            size_before: past[j].size,
            size_after: theme.size,
            similarity: s,
        });
    }
    for (theme, _) in model.themes.iter_mut().zip(&taken_new).filter(|(_, &taken)| !taken) {
        theme.id = next_id;
        next_id += 1;
        if !previous.is_empty() {
            continuity.new.push(LoneTheme { id: theme.id, label: theme.label.clone(), size: theme.size });
        }
    }
    continuity.retired = past
        .iter()
        .zip(&taken_old)
        .filter(|(_, &taken)| !taken)
        .map(|(p, _)| LoneTheme { id: p.id, label: p.label.clone(), size: p.size })
        .collect();
    continuity.kept.sort_by_key(|k| k.id);
    continuity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::{Theme, ThemeModel};
    use ndarray::array;

    fn theme(label: &str, size: usize) -> Theme {
        Theme {
            id: 0,
            label: label.into(),
            keywords: vec![],
            keyword_weights: vec![],
            size,
            representative_docs: vec![],
            named_as: None,
            parent: None,
            languages: Default::default(),
        }
    }

    fn model(centroids: Array2<f32>, labels: &[&str]) -> ThemeModel {
        ThemeModel {
            themes: labels.iter().map(|l| theme(l, 10)).collect(),
            parents: vec![],
            assignments: vec![],
            similarities: vec![],
            means: centroids.clone(),
            centroids,
            tried: vec![],
            language_centred: true,
        }
    }

    #[test]
    fn matched_themes_keep_id_and_label_new_ones_get_fresh_ids() {
        let previous = vec![
            PastTheme { id: 7, label: "water".into(), size: 9, centroid: vec![1.0, 0.0, 0.0] },
            PastTheme { id: 3, label: "solar".into(), size: 5, centroid: vec![0.0, 1.0, 0.0] },
        ];
        // Today: a theme close to "water", and one about something else.
        let mut m = model(array![[0.99, 0.141, 0.0], [0.0, 0.0, 1.0]], &["water, wells", "schools"]);
        let c = carry_ids(&mut m, &previous, 8);
        assert_eq!(m.themes[0].id, 7);
        assert_eq!(m.themes[0].label, "water");
        assert_eq!(m.themes[1].id, 8);
        assert_eq!(c.kept.len(), 1);
        assert_eq!(c.new.len(), 1);
        assert_eq!(c.retired.len(), 1);
        assert_eq!(c.retired[0].id, 3);
    }

    #[test]
    fn first_run_numbers_from_next_id() {
        let mut m = model(array![[1.0, 0.0], [0.0, 1.0]], &["a", "b"]);
        let c = carry_ids(&mut m, &[], 0);
        assert_eq!((m.themes[0].id, m.themes[1].id), (0, 1));
        assert!(c.kept.is_empty() && c.new.is_empty() && c.retired.is_empty());
    }
}
