//! Theme continuity across runs: today's themes take the ids of the previous run's themes they
//! match, so a growing folder does not reshuffle every theme. A theme that hardly moved keeps
//! its label while the label still fits its keywords ([`Continuity::keep_labels`]); otherwise
//! the label describes the theme as it is now.

use ndarray::Array2;
use serde::Serialize;

use super::{Theme, ThemeId, ThemeModel};

/// A theme of a past run, as the store keeps it.
#[derive(Debug, Clone)]
pub struct PastTheme {
    pub id: ThemeId,
    pub label: String,
    pub size: usize,
    pub centroid: Vec<f32>,
    /// Who wrote its label.
    pub label_source: super::LabelOrigin,
    /// The description written with a generated label.
    pub description: Option<String>,
}

/// Centroid cosine above which a theme is the same theme as one of the previous run. Adding 1%
/// of documents moves a theme's centroid by far less; neighbouring themes of one run sit
/// around 0.5-0.8 of each other.
pub const SAME_THEME: f32 = 0.85;

/// A new theme at least this close to a previous one grew out of it (a split, or a theme
/// reshaped by new pages); a retired theme this close to one of today's went into it (a merge).
/// Below [`SAME_THEME`] and above most neighbours of one run (0.5-0.8).
pub const RELATED: f32 = 0.75;

/// A theme present in both runs.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct KeptTheme {
    pub id: ThemeId,
    /// Its label today …
    pub label: String,
    /// … and in the previous run.
    pub label_before: String,
    pub size_before: usize,
    pub size_after: usize,
    pub similarity: f32,
}

/// A theme of only one of the two runs.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct LoneTheme {
    pub id: ThemeId,
    pub label: String,
    pub size: usize,
    /// For a new theme, the previous theme it grew out of; for a retired one, today's theme it
    /// went into (closest at or above [`RELATED`]).
    pub related: Option<RelatedTheme>,
}

/// The closest theme of the other run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RelatedTheme {
    pub id: ThemeId,
    pub label: String,
    pub similarity: f32,
}

/// The column of `row` with the highest similarity, if it reaches [`RELATED`].
fn closest(row: ndarray::ArrayView1<f32>) -> Option<(usize, f32)> {
    row.iter().copied().enumerate().filter(|&(_, s)| s >= RELATED).max_by(|a, b| a.1.total_cmp(&b.1))
}

/// How today's themes relate to the previous run's.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Continuity {
    pub kept: Vec<KeptTheme>,
    pub new: Vec<LoneTheme>,
    pub retired: Vec<LoneTheme>,
}

/// Centroid cosine above which a theme is essentially unchanged and keeps its label
/// ([`Continuity::keep_labels`]). Adding 6 pages to 114 moved every theme less than this and
/// still changed 5 of 6 labels, since the two best terms of a theme trade places on a hair.
pub const KEEP_LABEL: f32 = 0.99;

impl Continuity {
    /// Gives each theme that is essentially the previous run's (centroid cosine at least
    /// [`KEEP_LABEL`]) its previous label back, when the new one differs and the old one still
    /// fits: it was extracted too (an analyst's label the analyst took back is not), its words
    /// are among the theme's keywords ([`super::label::grounded`]), it says catch-all exactly
    /// when the theme is one, and no other theme has it (an analyst's labels, given before, count).
    /// Only extracted labels are replaced. `past` is the previous run's themes. Returns how many
    /// labels were kept.
    pub fn keep_labels(&self, themes: &mut [Theme], past: &[PastTheme]) -> usize {
        let mut in_use: std::collections::HashSet<String> = themes.iter().map(|t| t.label.to_lowercase()).collect();
        let mut kept = 0;
        for k in self.kept.iter().filter(|k| k.similarity >= KEEP_LABEL) {
            let extracted = past
                .iter()
                .any(|p| p.id == k.id && p.label_source == super::LabelOrigin::Extracted && !p.label.is_empty());
            let Some(theme) = themes.iter_mut().find(|t| t.id == k.id).filter(|_| extracted) else { continue };
            let before = k.label_before.as_str();
            let subject = before.strip_prefix(super::catch_all::CATCH_ALL_PREFIX);
            if theme.label == before
                || theme.label_source != super::LabelOrigin::Extracted
                || subject.is_some() != theme.catch_all
                || in_use.contains(&before.to_lowercase())
                || !super::label::grounded(subject.unwrap_or(before), &theme.keywords)
            {
                continue;
            }
            in_use.remove(&theme.label.to_lowercase());
            in_use.insert(before.to_lowercase());
            theme.label = before.to_string();
            kept += 1;
        }
        kept
    }

    /// Fills in today's labels once the themes have been described (ids are set before).
    pub fn label(&mut self, themes: &[Theme]) {
        let label = |id: ThemeId| themes.iter().find(|t| t.id == id).map(|t| t.label.clone()).unwrap_or_default();
        for k in &mut self.kept {
            k.label = label(k.id);
        }
        for n in &mut self.new {
            n.label = label(n.id);
        }
        for related in self.retired.iter_mut().filter_map(|r| r.related.as_mut()) {
            related.label = label(related.id);
        }
    }
}

/// The previous run's themes of `dim` dimensions (the others were made with another model),
/// and their centres at unit length (stored as fitted), one row each.
fn past_centres(previous: &[PastTheme], dim: usize) -> (Vec<&PastTheme>, Array2<f32>) {
    let past: Vec<&PastTheme> = previous.iter().filter(|p| p.centroid.len() == dim).collect();
    let mut matrix = Array2::from_shape_fn((past.len(), dim), |(i, j)| past[i].centroid[j]);
    crate::embed::normalize_rows(&mut matrix);
    (past, matrix)
}

/// Gives each theme of `model` an id: the id of the previous theme it matches, else a fresh id
/// from `next_id` on, and says how the two runs relate (see [`relate`]). Today's labels are
/// filled in by [`Continuity::label`] once known. Matching is greedy on centroid similarity,
/// best pair first, each theme used once (with k ≤ 60 and the high [`SAME_THEME`] bar, ties
/// between candidate pairs are rare enough that the optimal assignment would not differ).
pub fn carry_ids(model: &mut ThemeModel, previous: &[PastTheme], mut next_id: u32) -> Continuity {
    let (past, past_matrix) = past_centres(previous, model.centroids.ncols());
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
    let mut matched: Vec<Option<ThemeId>> = vec![None; model.themes.len()];
    let mut taken_old = vec![false; past.len()];
    for (_, i, j) in pairs {
        if matched[i].is_none() && !taken_old[j] {
            matched[i] = Some(past[j].id);
            taken_old[j] = true;
        }
    }
    for (theme, id) in model.themes.iter_mut().zip(matched) {
        theme.id = id.unwrap_or_else(|| {
            next_id += 1;
            ThemeId(next_id - 1)
        });
    }
    relate(model, previous)
}

/// How the themes of `model`, whose ids are final, relate to the previous run's: a theme is
/// kept when its id was there before, whoever gave it (the matching of [`carry_ids`], or an
/// analyst's decision that the run applied after it).
pub fn relate(model: &ThemeModel, previous: &[PastTheme]) -> Continuity {
    let (past, past_matrix) = past_centres(previous, model.centroids.ncols());
    let sims = model.centroids.dot(&past_matrix.t());
    let mut continuity = Continuity::default();
    let mut taken_old = vec![false; past.len()];
    for (i, theme) in model.themes.iter().enumerate() {
        match past.iter().position(|p| p.id == theme.id) {
            Some(j) => {
                taken_old[j] = true;
                continuity.kept.push(KeptTheme {
                    id: theme.id,
                    label: String::new(),
                    label_before: past[j].label.clone(),
                    size_before: past[j].size,
                    size_after: theme.size,
                    similarity: sims[[i, j]],
                });
            }
            None if !previous.is_empty() => {
                let related = closest(sims.row(i)).map(|(j, similarity)| RelatedTheme {
                    id: past[j].id,
                    label: past[j].label.clone(),
                    similarity,
                });
                continuity.new.push(LoneTheme { id: theme.id, label: String::new(), size: theme.size, related });
            }
            None => {}
        }
    }
    continuity.retired = past
        .iter()
        .enumerate()
        .filter(|(j, _)| !taken_old[*j])
        .map(|(j, p)| {
            let related = closest(sims.column(j)).map(|(i, similarity)| RelatedTheme {
                id: model.themes[i].id,
                label: String::new(),
                similarity,
            });
            LoneTheme { id: p.id, label: p.label.clone(), size: p.size, related }
        })
        .collect();
    continuity.kept.sort_by_key(|k| k.id);
    continuity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::{Theme, ThemeModel};
    use ndarray::array;

    fn model(centroids: Array2<f32>, labels: &[&str]) -> ThemeModel {
        ThemeModel {
            themes: labels.iter().map(|l| Theme::for_test(l, 10)).collect(),
            parents: vec![],
            assignments: vec![],
            similarities: vec![],
            confidence: None,
            means: centroids.clone(),
            centroids,
            tried: vec![],
            stability: None,
            fits: vec![],
        }
    }

    fn past(id: u32, label: &str, size: usize, centroid: Vec<f32>) -> PastTheme {
        PastTheme {
            id: ThemeId(id),
            label: label.into(),
            size,
            centroid,
            label_source: crate::themes::LabelOrigin::Extracted,
            description: None,
        }
    }

    #[test]
    fn matched_themes_keep_their_id_but_not_their_label() {
        let previous = vec![past(7, "water", 9, vec![1.0, 0.0, 0.0]), past(3, "solar", 5, vec![0.0, 1.0, 0.0])];
        // Today: a theme close to "water", and one about something else.
        let mut m = model(array![[0.99, 0.141, 0.0], [0.0, 0.0, 1.0]], &["water, wells", "schools"]);
        let mut c = carry_ids(&mut m, &previous, 8);
        assert_eq!(m.themes[0].id, ThemeId(7));
        assert_eq!(m.themes[0].label, "water, wells", "the label describes today's theme");
        assert_eq!(m.themes[1].id, ThemeId(8));
        assert_eq!((c.kept.len(), c.new.len(), c.retired.len()), (1, 1, 1));
        assert_eq!(c.retired[0].id, ThemeId(3));
        c.label(&m.themes);
        assert_eq!((c.kept[0].label.as_str(), c.kept[0].label_before.as_str()), ("water, wells", "water"));
        assert_eq!(c.new[0].label, "schools");
    }

    /// A theme that hardly moved keeps its previous label while the label still fits; one that
    /// moved more, or whose old label no longer fits, is labelled as it is now.
    #[test]
    fn an_unchanged_theme_keeps_a_label_that_still_fits() {
        let keywords = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<String>>();
        let previous = vec![
            past(1, "Graduates and youth", 9, vec![1.0, 0.0, 0.0]),
            past(2, "Mobile and money", 5, vec![0.0, 1.0, 0.0]),
            past(3, "Solar and schools", 4, vec![0.0, 0.0, 1.0]),
        ];
        // Theme 1 hardly moved; theme 2 too, but "money" left its keywords; theme 3 moved more.
        let mut m = model(
            array![[0.9999, 0.0141, 0.0], [0.0, 0.9999, 0.0141], [0.0, 0.2, 0.98]],
            &["Innovation ecosystem and engineering", "Social protection and mobile", "Schools and solar power"],
        );
        m.themes[0].keywords = keywords(&["innovation ecosystem", "youth", "engineering", "graduate"]);
        m.themes[1].keywords = keywords(&["social protection", "mobile", "cash"]);
        m.themes[2].keywords = keywords(&["schools", "solar power", "solar"]);
        let mut c = carry_ids(&mut m, &previous, 4);
        assert_eq!(c.keep_labels(&mut m.themes, &previous), 1);
        let labels: Vec<&str> = m.themes.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["Graduates and youth", "Social protection and mobile", "Schools and solar power"]);
        c.label(&m.themes);
        assert_eq!(c.kept[0].label, c.kept[0].label_before, "the report sees no change of label");

        // Not an analyst's label taken back, not one another theme now has, not over an
        // analyst's label, and not a catch-all's label for a theme that is no longer one.
        let analyst = vec![PastTheme { label_source: crate::themes::LabelOrigin::Analyst, ..previous[0].clone() }];
        let mut m2 = model(array![[0.9999, 0.0141, 0.0]], &["Innovation ecosystem and engineering"]);
        m2.themes[0].keywords = keywords(&["youth", "graduates"]);
        let c2 = carry_ids(&mut m2, &analyst, 4);
        assert_eq!(c2.keep_labels(&mut m2.themes, &analyst), 0);
        let mut m3 = model(array![[0.9999, 0.0141, 0.0], [0.0, 0.0, 1.0]], &["Innovation", "Graduates and youth"]);
        m3.themes[0].keywords = keywords(&["youth", "graduates"]);
        let c3 = carry_ids(&mut m3, &previous[..1], 4);
        assert_eq!(c3.keep_labels(&mut m3.themes, &previous[..1]), 0, "labels stay unique");
        m3.themes[1].label = "Schools".into();
        m3.themes[0].label_source = crate::themes::LabelOrigin::Analyst;
        assert_eq!(c3.keep_labels(&mut m3.themes, &previous[..1]), 0, "an analyst's label stays");
        let catch_all = vec![past(1, "Various subjects: youth and graduates", 9, vec![1.0, 0.0, 0.0])];
        let mut m4 = model(array![[0.9999, 0.0141, 0.0]], &["Innovation"]);
        m4.themes[0].keywords = keywords(&["youth", "graduates"]);
        let c4 = carry_ids(&mut m4, &catch_all, 4);
        assert_eq!(c4.keep_labels(&mut m4.themes, &catch_all), 0);
        m4.themes[0].catch_all = true;
        assert_eq!(c4.keep_labels(&mut m4.themes, &catch_all), 1);
    }

    #[test]
    fn splits_and_merges_name_the_related_theme() {
        let previous = vec![
            past(1, "water", 9, vec![1.0, 0.0, 0.0]),
            past(2, "solar", 5, vec![0.0, 1.0, 0.0]),
            past(3, "wind", 4, vec![0.0, 0.9, 0.436]),
        ];
        // "water" splits (its sanitation half is new, at 0.8 of it); "solar" and "wind" merge
        // into one energy theme that keeps solar's id.
        let mut m = model(
            array![[0.99, 0.141, 0.0], [0.8, 0.0, 0.6], [0.0, 0.975, 0.222]],
            &["water, wells", "sanitation", "energy"],
        );
        let mut c = carry_ids(&mut m, &previous, 4);
        c.label(&m.themes);
        assert_eq!(c.kept.iter().map(|k| k.id).collect::<Vec<_>>(), vec![ThemeId(1), ThemeId(2)]);
        let split = &c.new[0];
        assert_eq!((split.id, split.related.as_ref().map(|r| r.id)), (ThemeId(4), Some(ThemeId(1))));
        let merged = &c.retired[0];
        assert_eq!((merged.id, merged.related.as_ref().map(|r| r.label.as_str())), (ThemeId(3), Some("energy")));
    }

    #[test]
    fn first_run_numbers_from_next_id() {
        let mut m = model(array![[1.0, 0.0], [0.0, 1.0]], &["a", "b"]);
        let c = carry_ids(&mut m, &[], 0);
        assert_eq!((m.themes[0].id, m.themes[1].id), (ThemeId(0), ThemeId(1)));
        assert!(c.kept.is_empty() && c.new.is_empty() && c.retired.is_empty());
    }
}
