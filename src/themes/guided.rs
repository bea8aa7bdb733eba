//! Named themes (`--taxonomy FILE`, or the built-in taxonomy): a discovered theme takes the
//! name of a taxonomy entry only with evidence, i.e. when what its keywords mean is close enough
//! to the entry and clearly closer than to any other entry. A theme that fits no entry stays
//! unnamed rather than being forced onto the nearest one.

use std::path::Path;

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::Deserialize;

use super::{NamedAs, Theme, ThemeError};

/// One named theme from a taxonomy file.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedTheme {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub terms: Vec<String>,
}

impl NamedTheme {
    /// The texts whose mean vector represents this theme: name, description and each term
    /// apart. Short phrases embed closer to the documents about them than one long
    /// concatenation does (measured on the seed: 0.45 for "Economic diversification" alone,
    /// 0.24 for name + description + terms in one text).
    pub fn texts(&self) -> Vec<String> {
        std::iter::once(self.name.clone())
            .chain((!self.description.is_empty()).then(|| self.description.clone()))
            .chain(self.terms.iter().cloned())
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    #[serde(default)]
    threshold: Option<f32>,
    #[serde(default)]
    margin: Option<f32>,
    theme: Vec<NamedTheme>,
}

/// A list of named themes and the evidence a discovered theme needs to take a name.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub themes: Vec<NamedTheme>,
    /// Cosine a theme's meaning needs with the entry …
    pub threshold: f32,
    /// … and by how much it must beat the runner-up entry.
    pub margin: f32,
}

/// Default cosine between a theme's meaning (its head keywords) and a taxonomy entry, and
/// default margin over the runner-up: calibrated on `tests/fixtures/theme_names.toml`, themes
/// of the shared corpus whose right name (or none) was judged by hand.
/// On that fixture (150 themes, 99 with a right name): 70 named right, 10 named wrong, 43 left
/// unnamed rightly, 27 left unnamed that had a name (accuracy 75%, precision 88%); the margin
/// decides, the threshold is a floor. A margin of 0.03 gave 83 right but 40 wrong.
pub const DEFAULT_THRESHOLD: f32 = 0.45;
pub const DEFAULT_MARGIN: f32 = 0.12;

/// Reads a taxonomy TOML file: `[[theme]]` tables with `name`, `description`, `terms`, and an
/// optional top-level `threshold`.
pub fn load_taxonomy(path: &Path) -> Result<Taxonomy, ThemeError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ThemeError::Taxonomy { path: path.display().to_string(), why: e.to_string() })?;
    parse_taxonomy(&text, &path.display().to_string())
}

/// Parses taxonomy TOML; `origin` names it in errors.
pub fn parse_taxonomy(text: &str, origin: &str) -> Result<Taxonomy, ThemeError> {
    let err = |why: String| ThemeError::Taxonomy { path: origin.to_string(), why };
    let file: TaxonomyFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    if file.theme.is_empty() {
        return Err(err("no [[theme]] entries".into()));
    }
    Ok(Taxonomy {
        themes: file.theme,
        threshold: file.threshold.unwrap_or(DEFAULT_THRESHOLD),
        margin: file.margin.unwrap_or(DEFAULT_MARGIN),
    })
}

/// The best entry for a meaning vector: (entry, cosine, margin over the runner-up).
pub fn best_entry(meaning: ArrayView1<f32>, named_vectors: ArrayView2<f32>) -> Option<(usize, f32, f32)> {
    let sims = named_vectors.dot(&meaning);
    let mut order: Vec<usize> = (0..sims.len()).collect();
    order.sort_by(|&a, &b| sims[b].total_cmp(&sims[a]));
    let best = *order.first()?;
    let second = order.get(1).map_or(f32::NEG_INFINITY, |&j| sims[j]);
    Some((best, sims[best], sims[best] - second))
}

/// The name of the taxonomy entry a theme's meaning (see
/// [`super::describe::Description::meaning`]) is closest to, when the cosine reaches the
/// taxonomy's threshold and beats the runner-up by its margin. `named_vectors` holds one unit row
/// per entry.
pub fn name(meaning: ArrayView1<f32>, taxonomy: &Taxonomy, named_vectors: ArrayView2<f32>) -> Option<NamedAs> {
    best_entry(meaning, named_vectors)
        .filter(|&(_, similarity, margin)| similarity >= taxonomy.threshold && margin >= taxonomy.margin)
        .map(|(j, similarity, margin)| NamedAs { name: taxonomy.themes[j].name.clone(), similarity, margin })
}

/// Names every theme but catch-alls (see [`name`]); `meanings` by theme position.
pub fn name_themes(
    themes: &mut [Theme],
    meanings: &[Option<Array1<f32>>],
    taxonomy: &Taxonomy,
    named_vectors: ArrayView2<f32>,
) {
    for (theme, meaning) in themes.iter_mut().zip(meanings) {
        theme.named_as =
            meaning.as_ref().filter(|_| !theme.catch_all).and_then(|m| name(m.view(), taxonomy, named_vectors));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn taxonomy(threshold: f32, margin: f32) -> Taxonomy {
        let entry = |name: &str| NamedTheme { name: name.into(), description: String::new(), terms: vec![] };
        Taxonomy { themes: vec![entry("A"), entry("B")], threshold, margin }
    }

    #[test]
    fn names_need_similarity_and_a_margin_over_the_runner_up() {
        let named = array![[1.0f32, 0.0], [0.0, 1.0]];
        let meanings = vec![
            Some(array![0.9f32, 0.436]),  // clearly A
            Some(array![0.72f32, 0.694]), // between A and B
            Some(array![0.3f32, 0.954]),  // clearly B, but below a strict threshold
            None,
        ];
        let mut themes: Vec<Theme> = (0..4).map(|_| Theme::for_test("t", 1)).collect();
        name_themes(&mut themes, &meanings, &taxonomy(0.5, 0.1), named.view());
        let a = themes[0].named_as.as_ref().unwrap();
        assert_eq!(a.name, "A");
        assert!((a.margin - (0.9 - 0.436)).abs() < 1e-6);
        assert!(themes[1].named_as.is_none(), "no clear winner, no name");
        assert_eq!(themes[2].named_as.as_ref().map(|n| n.name.as_str()), Some("B"));
        assert!(themes[3].named_as.is_none());
        name_themes(&mut themes, &meanings, &taxonomy(0.96, 0.1), named.view());
        assert!(themes[2].named_as.is_none(), "below the threshold");
    }

    #[test]
    fn catch_all_themes_are_never_named() {
        let mut themes = vec![Theme::for_test("t", 1)];
        themes[0].catch_all = true;
        name_themes(&mut themes, &[Some(array![1.0f32, 0.0])], &taxonomy(0.1, 0.0), array![[1.0f32, 0.0]].view());
        assert!(themes[0].named_as.is_none());
    }

    #[test]
    fn shipped_taxonomy_parses() {
        let t = load_taxonomy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("taxonomy.toml")).unwrap();
        assert!(t.themes.iter().any(|n| n.name == "Economic diversification"));
        assert!(t.themes.iter().any(|n| n.name.starts_with("Education")), "education is a subject of the corpus");
    }

    #[test]
    fn unknown_taxonomy_keys_are_refused() {
        let err = parse_taxonomy("treshold = 0.5\n[[theme]]\nname = \"A\"\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("treshold"), "{err}");
    }
}
