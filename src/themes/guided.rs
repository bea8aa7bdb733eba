//! User-named themes (`--taxonomy FILE`): each discovered theme close enough to a named one
//! takes its name.

use std::path::Path;

use ndarray::{Array2, ArrayView2};
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
struct TaxonomyFile {
    #[serde(default)]
    threshold: Option<f32>,
    theme: Vec<NamedTheme>,
}

/// A list of named themes and the similarity a discovered theme needs to take a name.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub themes: Vec<NamedTheme>,
    pub threshold: f32,
}

/// Default similarity (cosine of unit vectors) a theme centroid needs to match a named theme.
pub const DEFAULT_THRESHOLD: f32 = 0.35;

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
    Ok(Taxonomy { themes: file.theme, threshold: file.threshold.unwrap_or(DEFAULT_THRESHOLD) })
}

/// Gives each discovered theme the name of its most similar named theme when the similarity
/// reaches `threshold`. `named_vectors` holds one unit row per named theme.
pub fn name_themes(themes: &mut [Theme], centroids: &Array2<f32>, taxonomy: &Taxonomy, named_vectors: ArrayView2<f32>) {
    let sims = centroids.dot(&named_vectors.t());
    for (i, theme) in themes.iter_mut().enumerate() {
        let row = sims.row(i);
        let best = row.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1));
        theme.named_as = best
            .filter(|(_, &s)| s >= taxonomy.threshold)
            .map(|(j, &s)| NamedAs { name: taxonomy.themes[j].name.clone(), similarity: s });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn theme(id: usize) -> Theme {
        Theme {
            id,
            label: String::new(),
            keywords: vec![],
            keyword_weights: vec![],
            size: 1,
            representative_docs: vec![],
            named_as: None,
            parent: None,
            languages: Default::default(),
        }
    }

    #[test]
    fn names_only_themes_above_threshold() {
        let taxonomy = Taxonomy {
            themes: vec![NamedTheme { name: "A".into(), description: String::new(), terms: vec![] }],
            threshold: 0.5,
        };
        let centroids = array![[1.0f32, 0.0], [0.0, 1.0]];
        let named = array![[0.8f32, 0.6]];
        let mut themes = vec![theme(0), theme(1)];
        name_themes(&mut themes, &centroids, &taxonomy, named.view());
        assert_eq!(themes[0].named_as, Some(NamedAs { name: "A".into(), similarity: 0.8 }));
        assert_eq!(themes[1].named_as, Some(NamedAs { name: "A".into(), similarity: 0.6 }));
        let strict = Taxonomy { threshold: 0.7, ..taxonomy };
        name_themes(&mut themes, &centroids, &strict, named.view());
        assert!(themes[1].named_as.is_none());
    }

    #[test]
    fn shipped_taxonomy_parses() {
        let t = load_taxonomy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("taxonomy.toml")).unwrap();
        assert!(t.themes.iter().any(|n| n.name == "Economic diversification"));
        assert!(t.themes.len() >= 11);
    }
}
