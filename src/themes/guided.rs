//! Named themes (`--taxonomy FILE`, or the built-in taxonomy): a discovered theme takes the
//! name of a taxonomy entry only with evidence, i.e. when what its keywords mean is close enough
//! to the entry and clearly closer than to any other entry. A theme that fits no entry stays
//! unnamed rather than being forced onto the nearest one.
//!
//! Closeness is measured in standard deviations of all the run's theme-to-entry cosines, not in
//! raw cosines: each model has its own scale (multilingual-e5-small puts most pairs of texts
//! above 0.7, MiniLM around 0.3), and a rule in raw cosines calibrated on one named almost
//! nothing with the other.

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2};
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
    /// Replaced by `score` (kept only to explain the change).
    #[serde(default)]
    threshold: Option<f32>,
    #[serde(default)]
    score: Option<f32>,
    #[serde(default)]
    margin: Option<f32>,
    theme: Vec<NamedTheme>,
}

/// A list of named themes and the evidence a discovered theme needs to take a name.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub themes: Vec<NamedTheme>,
    /// How far above the mean theme-to-entry cosine the best entry must be (in standard
    /// deviations of those cosines) …
    pub score: f32,
    /// … and by how much it must beat the runner-up entry (likewise).
    pub margin: f32,
}

/// Default evidence for a name, calibrated on `tests/fixtures/theme_names.toml` (150 themes of
/// the shared corpus whose right name, or none, was judged by hand), with both models: with
/// all-MiniLM-L6-v2, 76% of the themes get the right name or rightly none and 71 of the 81 names
/// given are right; with multilingual-e5-small, 73% and 66 of 74. The margin decides: 0.7 named
/// 16 and 21 themes wrongly, 1.2 left a third more themes unnamed. In raw cosines, the rule
/// calibrated on MiniLM (0.45 and a margin of 0.12) named 34% rightly with e5.
pub const DEFAULT_SCORE: f32 = 1.2;
pub const DEFAULT_MARGIN: f32 = 1.0;

/// Reads a taxonomy TOML file: `[[theme]]` tables with `name`, `description`, `terms`, and
/// optional top-level `score` and `margin` (see [`Taxonomy`]).
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
    if file.threshold.is_some() {
        return Err(err(format!(
            "`threshold` (a cosine) is no longer read: names need `score` (default {DEFAULT_SCORE}) and `margin` \
             (default {DEFAULT_MARGIN}), in standard deviations of the theme-to-entry cosines"
        )));
    }
    Ok(Taxonomy {
        themes: file.theme,
        score: file.score.unwrap_or(DEFAULT_SCORE),
        margin: file.margin.unwrap_or(DEFAULT_MARGIN),
    })
}

/// Names for themes by what their keywords mean (`meanings`, unit vectors by theme; see
/// [`super::describe::Description::meaning`]): each takes the name of the entry closest to it when
/// that cosine lies at least `taxonomy.score` standard deviations above the mean of all the
/// themes' cosines to all entries, and beats the runner-up entry by at least `taxonomy.margin` of
/// them. `named_vectors` holds one unit row per entry.
pub fn names(
    meanings: &[Option<Array1<f32>>],
    taxonomy: &Taxonomy,
    named_vectors: ArrayView2<f32>,
) -> Vec<Option<NamedAs>> {
    let known: Vec<usize> = (0..meanings.len()).filter(|&i| meanings[i].is_some()).collect();
    if known.is_empty() || named_vectors.nrows() == 0 {
        return vec![None; meanings.len()];
    }
    let dim = named_vectors.ncols();
    let rows = Array2::from_shape_fn((known.len(), dim), |(r, c)| meanings[known[r]].as_ref().map_or(0.0, |m| m[c]));
    let sims = rows.dot(&named_vectors.t());
    let mean = sims.mean().unwrap_or(0.0);
    let spread = sims.std(0.0).max(1e-6);
    let mut out = vec![None; meanings.len()];
    for (r, &i) in known.iter().enumerate() {
        let row = sims.row(r);
        let mut order: Vec<usize> = (0..row.len()).collect();
        order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
        let best = order[0];
        let second = order.get(1).map_or(mean, |&j| row[j]);
        let (score, margin) = ((row[best] - mean) / spread, (row[best] - second) / spread);
        if score >= taxonomy.score && margin >= taxonomy.margin {
            out[i] = Some(NamedAs { name: taxonomy.themes[best].name.clone(), similarity: row[best], score, margin });
        }
    }
    out
}

/// Names every theme but catch-alls (see [`names`]); `meanings` by theme position.
pub fn name_themes(
    themes: &mut [Theme],
    meanings: &[Option<Array1<f32>>],
    taxonomy: &Taxonomy,
    named_vectors: ArrayView2<f32>,
) {
    let named = names(meanings, taxonomy, named_vectors);
    for (theme, name) in themes.iter_mut().zip(named) {
        theme.named_as = name.filter(|_| !theme.catch_all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn taxonomy(score: f32, margin: f32) -> Taxonomy {
        let entry = |name: &str| NamedTheme { name: name.into(), description: String::new(), terms: vec![] };
        Taxonomy { themes: vec![entry("A"), entry("B"), entry("C")], score, margin }
    }

    #[test]
    fn names_need_a_score_and_a_margin_in_standard_deviations() {
        let named = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let unit = |v: [f32; 3]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            Some(Array1::from_iter(v.iter().map(|x| x / n)))
        };
        let meanings = vec![
            unit([1.0, 0.1, 0.1]), // clearly A
            unit([0.7, 0.7, 0.1]), // between A and B
            unit([0.2, 0.2, 1.0]), // clearly C
            None,
        ];
        let got = names(&meanings, &taxonomy(1.0, 1.0), named.view());
        assert_eq!(got[0].as_ref().map(|n| n.name.as_str()), Some("A"));
        assert!(got[1].is_none(), "no clear winner, no name");
        assert_eq!(got[2].as_ref().map(|n| n.name.as_str()), Some("C"));
        assert!(got[3].is_none());
        let a = got[0].as_ref().unwrap();
        assert!(a.score >= 1.0 && a.margin >= 1.0 && a.similarity > 0.9, "{a:?}");
        // Scaling every cosine (another model's scale) changes nothing.
        let squeezed = meanings.iter().map(|m| m.as_ref().map(|m| m.mapv(|x| 0.5 + 0.1 * x))).collect::<Vec<_>>();
        let got_squeezed = names(&squeezed, &taxonomy(1.0, 1.0), named.view());
        assert_eq!(
            got.iter().map(|n| n.as_ref().map(|n| n.name.clone())).collect::<Vec<_>>(),
            got_squeezed.iter().map(|n| n.as_ref().map(|n| n.name.clone())).collect::<Vec<_>>()
        );
    }

    #[test]
    fn catch_all_themes_are_never_named() {
        let mut themes = vec![Theme::for_test("t", 1), Theme::for_test("u", 1)];
        themes[0].catch_all = true;
        let named = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let meanings = vec![Some(array![1.0f32, 0.0, 0.0]), Some(array![0.0f32, 1.0, 0.0])];
        name_themes(&mut themes, &meanings, &taxonomy(0.1, 0.1), named.view());
        assert!(themes[0].named_as.is_none() && themes[1].named_as.is_some());
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
        let err = parse_taxonomy("threshold = 0.35\n[[theme]]\nname = \"A\"\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("no longer read"), "{err}");
    }
}
