//! Broad areas: groups of related themes, each described like a theme.

use ndarray::{Array2, ArrayView2};

use super::describe::Describer;
use super::{cluster, LabelOrigin, ParentTheme, ThemeError, ThemeModel, ThemeOptions};

/// Keywords kept per broad area.
const PARENT_KEYWORDS: usize = 10;

/// Groups related themes of `model` into broad areas (see [`parent_groups`]) and describes
/// each from the pages of its themes; `centres` holds each theme's unit centre in the model's
/// space, and a broad area's centre is their mean weighted by theme size.
pub(super) fn describe_parents(
    model: &mut ThemeModel,
    centres: ArrayView2<f32>,
    describer: &Describer,
    options: &ThemeOptions,
) -> Result<(), ThemeError> {
    let groups = parent_groups(&model.centroids, options.seed)?;
    let mut parent_of = vec![None; model.themes.len()];
    for (g, (members, _)) in groups.iter().enumerate() {
        for &m in members {
            parent_of[m] = Some(g);
        }
    }
    let sizes: Vec<usize> = model.themes.iter().map(|t| t.size).collect();
    let parent_centres = area_centres(groups.iter().map(|(members, _)| members.as_slice()), &sizes, centres);
    let classes: Vec<Option<usize>> = model.assignments.iter().map(|&p| parent_of[p]).collect();
    let described = describer.describe(&classes, groups.len(), parent_centres.view(), options.keywords)?;
    model.parents = groups
        .into_iter()
        .zip(described)
        .enumerate()
        .map(|(id, ((members, similarity), d))| {
            for &m in &members {
                model.themes[m].parent = Some(id);
            }
            let taken: Vec<&str> = members.iter().map(|&m| model.themes[m].label.as_str()).collect();
            ParentTheme {
                id,
                label: own_label(d.label, &d.keywords, &taken, d.language.as_deref()),
                keywords: d.keywords.into_iter().take(PARENT_KEYWORDS).collect(),
                children: members.iter().map(|&m| model.themes[m].id).collect(),
                similarity,
                label_source: LabelOrigin::Extracted,
                description: None,
            }
        })
        .collect();
    Ok(())
}

/// A broad area's label, other than any of its themes' (`taken`): where its heading is one of
/// theirs, the first phrase its keywords make without their first terms ("Waste and recycling"
/// over a theme "Waste and recycling" becomes "Recycling and plastic"), so that a reader
/// can tell the area from the theme. Kept as it is where every phrase is taken.
fn own_label(label: String, keywords: &[String], taken: &[&str], language: Option<&str>) -> String {
    let is_taken = |l: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(l));
    if !is_taken(&label) {
        return label;
    }
    (1..keywords.len())
        .map(|skip| super::label::phrase(&keywords[skip..], language))
        .find(|l| !l.is_empty() && !is_taken(l))
        .unwrap_or(label)
}

/// Unit centre of each broad area, given the positions of its themes: the mean of their
/// `centres` (one row per theme), weighted by theme size (`sizes`).
pub fn area_centres<'g>(
    areas: impl ExactSizeIterator<Item = &'g [usize]>,
    sizes: &[usize],
    centres: ArrayView2<f32>,
) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros((areas.len(), centres.ncols()));
    for (g, members) in areas.enumerate() {
        for &m in members {
            out.row_mut(g).scaled_add(sizes[m] as f32, &centres.row(m));
        }
    }
    crate::embed::normalize_rows(&mut out);
    out
}

/// A group of themes becomes a broad area only when its themes are more alike than this share
/// of all pairs of themes are: how alike themes are depends on the corpus (the median pair of
/// themes is at cosine 0.59 on the blogs and 0.40 on the solution pages), so the bar is relative.
pub const PARENT_MIN_PERCENTILE: f64 = 0.75;

/// Groups themes under √k parents (2-10) by k-means on their centroids and keeps the groups
/// of two or more related themes (see [`PARENT_MIN_PERCENTILE`]): returns each kept group's
/// theme positions and the mean cosine between them. A group of unrelated themes (on the
/// blogs, 9 themes at mean cosine 0.56 when the 75th percentile of all pairs is 0.66) is not
/// made a broad area: its themes stay without one. (Average-linkage agglomeration was tried
/// first: on the 1,213 blogs it made one parent of 17 themes and three of one theme each.)
pub fn parent_groups(centroids: &Array2<f32>, seed: u64) -> Result<Vec<(Vec<usize>, f32)>, ThemeError> {
    let k = centroids.nrows();
    if k < 4 {
        return Ok(Vec::new());
    }
    let mut pairs: Vec<f32> = Vec::with_capacity(k * (k - 1) / 2);
    for a in 0..k {
        for b in a + 1..k {
            pairs.push(centroids.row(a).dot(&centroids.row(b)));
        }
    }
    pairs.sort_by(f32::total_cmp);
    let bar = pairs[((pairs.len() - 1) as f64 * PARENT_MIN_PERCENTILE).round() as usize];
    let target = ((k as f64).sqrt().round() as usize).clamp(2, 10);
    let clustering = cluster::kmeans(centroids.view(), target, seed)?;
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); target];
    for (theme, &g) in clustering.labels.iter().enumerate() {
        groups[g].push(theme);
    }
    let mut kept: Vec<(Vec<usize>, f32)> = groups
        .into_iter()
        .filter(|g| g.len() >= 2)
        .map(|mut g| {
            g.sort_unstable();
            let similarity = mean_pairwise_cosine(centroids, &g);
            (g, similarity)
        })
        .filter(|(_, s)| *s >= bar)
        .collect();
    kept.sort_by_key(|(g, _)| g[0]);
    Ok(kept)
}

/// Mean cosine between every pair of the given (unit) rows.
fn mean_pairwise_cosine(rows: &Array2<f32>, members: &[usize]) -> f32 {
    let mut total = 0.0;
    let mut pairs = 0;
    for (i, &a) in members.iter().enumerate() {
        for &b in &members[i + 1..] {
            total += rows.row(a).dot(&rows.row(b));
            pairs += 1;
        }
    }
    if pairs == 0 {
        1.0
    } else {
        total / pairs as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::unit_rows;

    #[test]
    fn an_area_does_not_take_one_of_its_themes_labels() {
        let keywords: Vec<String> = ["waste", "recycling", "plastic", "compost"].map(String::from).to_vec();
        let taken = ["Waste and recycling", "Compost and soil"];
        assert_eq!(own_label("Waste and recycling".into(), &keywords, &taken, Some("en")), "Recycling and plastic");
        assert_eq!(own_label("Waste and plastic".into(), &keywords, &taken, Some("en")), "Waste and plastic");
    }

    /// Two groups of closely related themes become broad areas; two themes with nothing in
    /// common, though k-means puts them together, do not (their mean cosine is under the 75th
    /// percentile of all pairs).
    #[test]
    fn only_related_themes_form_a_broad_area() {
        let mut centroids = Array2::<f32>::zeros((10, 16));
        for (i, s) in [0.1f32, 0.2, 0.3, 0.4].into_iter().enumerate() {
            centroids[[i, 0]] = 1.0;
            centroids[[i, 1 + i]] = s;
            centroids[[4 + i, 5]] = 1.0;
            centroids[[4 + i, 6 + i]] = s;
        }
        centroids[[8, 10]] = 1.0;
        centroids[[9, 10]] = -0.5;
        centroids[[9, 11]] = 0.75f32.sqrt();
        let centroids = unit_rows(&centroids);
        let groups = parent_groups(&centroids, 42).unwrap();
        let members: Vec<&[usize]> = groups.iter().map(|(g, _)| g.as_slice()).collect();
        assert_eq!(members, [&[0, 1, 2, 3][..], &[4, 5, 6, 7][..]], "{groups:?}");
        assert!(groups.iter().all(|(_, similarity)| *similarity > 0.9), "{groups:?}");
        assert!(parent_groups(&centroids.slice(ndarray::s![..3, ..]).to_owned(), 42).unwrap().is_empty());
    }
}
